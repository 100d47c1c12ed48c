/* tracker/cache.h — the latest known value of every position the pipeline reads (native
 * ETH and token balances of watched addresses), in memory. It mirrors the store's latest
 * snapshots: filled from them at start and after a rollback, updated only after a commit. */
#ifndef WT_TRACKER_CACHE_H
#define WT_TRACKER_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "store/record.h"
#include "tracker/err.h"

typedef struct trk_cache trk_cache;

/* trk_cache_new: an empty cache. Returns: 0; TRK_ENOMEM. Out: *out (trk_cache_free). */
int trk_cache_new(trk_cache **out) TRK_WUR;
void trk_cache_free(trk_cache *c);
/* trk_cache_clear: forget everything, keep the memory. */
void trk_cache_clear(trk_cache *c);

/* trk_cache_get: the value of key. Returns: true and *v when known; false otherwise. */
bool trk_cache_get(const trk_cache *c, rpc_u256 *v, const store_pos_key *key);

/* trk_cache_put: set key's value. Returns: 0; TRK_ENOMEM. */
int trk_cache_put(trk_cache *c, const store_pos_key *key, const rpc_u256 *v) TRK_WUR;

/* trk_cache_count: how many keys. */
size_t trk_cache_count(const trk_cache *c);

#endif
