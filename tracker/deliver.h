/* tracker/deliver.h — alerts from the store's outbox to the sinks, in order per sink, with
 * retries and backoff, each marked delivered in the store after its sink accepted it.
 *
 * Exactly once, and its limit: an alert is marked delivered (store_outbox_done) only after
 * the sink accepted it, so a crash between the two sends it again after the restart: the
 * store records every alert delivered exactly once, while the wire may carry one twice.
 * Every attempt of an alert carries the same id (X-Whaletrack-Id header and "id" field,
 * "move-<seq>" or "retract-<seq>"), so a receiver that keeps the ids it has seen shows
 * each one once. Telegram and Discord have no such key: a crash in that window may post a
 * message twice there.
 *
 * A trk_deliver belongs to one thread. The store handle it uses is shared with the
 * caller through the lock functions given (run's pipeline uses the same handle). */
#ifndef WT_TRACKER_DELIVER_H
#define WT_TRACKER_DELIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "tracker/err.h"
#include "watchlists/wl.h"

typedef struct trk_deliver trk_deliver;

/* Counters since trk_deliver_new, for metrics. */
typedef struct trk_deliver_stats {
    uint64_t delivered, retracted, skipped, failures;
    uint64_t pending; /* alerts in the outbox at the last look */
} trk_deliver_stats;

/* Locks around every use of the shared store handle; both NULL when not shared. */
typedef struct trk_lock {
    void (*lock)(void *ctx);
    void (*unlock)(void *ctx);
    void *ctx;
} trk_lock;

/* trk_deliver_new: a deliverer over store s (opened for writing; borrowed) and the sinks
 * of set (borrowed until trk_deliver_set_watchlist replaces it).
 * Returns: 0; TRK_ENOMEM. Out: *out (trk_deliver_free), NULL on failure. */
int trk_deliver_new(trk_deliver **out, store *s, const wl_set *set, trk_lock lock) TRK_WUR;
void trk_deliver_free(trk_deliver *d);

/* trk_deliver_set_watchlist: use set's sinks from now on (a reload). Alerts of a sink the
 * new set no longer has are dropped when reached. */
void trk_deliver_set_watchlist(trk_deliver *d, const wl_set *set);

/* trk_deliver_step: one pass: for every sink whose backoff has passed, its oldest pending
 * alerts are sent in order until one fails (that sink then backs off: 0.5 s doubling to
 * 60 s, or the wait a 429 asked for). Alerts whose move the sink's rules do not want, or
 * whose move was retracted before it went out, are dropped unsent.
 * Returns: 0; TRK_ESTORE; TRK_ENOMEM.
 * Out: *wait_ms (may be NULL): how long until the next alert is due (-1: none pending). */
int trk_deliver_step(trk_deliver *d, long *wait_ms) TRK_WUR;

/* trk_deliver_stats_get: the counters. */
void trk_deliver_stats_get(const trk_deliver *d, trk_deliver_stats *out);

/* trk_sink_ids: the outbox ids of set's sinks, for trk_config.sinks.
 * Out: ids[0..*n) (at most cap). */
void trk_sink_ids(uint32_t *ids, size_t cap, size_t *n, const wl_set *set);

#endif
