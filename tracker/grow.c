/* tracker/grow.c — the one growth rule of the tracker's arrays: double when full.
 * Invariant: on failure the array and its capacity are left as they were. */
#include <stdint.h>
#include <stdlib.h>

#include "tracker/grow.h"

void *trk_grow(void *v, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return v;
    size_t c = *cap ? *cap * 2 : 16;
    if (c < *cap || c > SIZE_MAX / elem)
        return NULL;
    void *p = realloc(v, c * elem);
    if (p)
        *cap = c;
    return p;
}
