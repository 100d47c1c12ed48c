/* tracker/grow.h — room for one more element in a caller's growable array. */
#ifndef WT_TRACKER_GROW_H
#define WT_TRACKER_GROW_H

#include <stddef.h>

/* trk_grow: an array of elem-byte elements with room for at least n + 1 of them: v itself
 * when n < *cap, else v reallocated to twice *cap (16 at first) and *cap updated.
 * Returns: the array (the caller stores it and frees it with free()); NULL when out of
 *   memory, and then v and *cap are unchanged (v is still the caller's to free).
 * In: v NULL or an earlier result; n <= *cap. */
void *trk_grow(void *v, size_t *cap, size_t n, size_t elem) __attribute__((warn_unused_result));

#endif
