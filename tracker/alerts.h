/* tracker/alerts.h — `run`'s alert thread: a trk_deliver on its own thread, sharing run's
 * store handle under run's mutex, with its own copy of the watchlist (reloaded when run
 * reloads), woken when run commits moves. */
#ifndef WT_TRACKER_ALERTS_H
#define WT_TRACKER_ALERTS_H

#include <pthread.h>
#include <stddef.h>

#include "store/store.h"
#include "tracker/deliver.h"
#include "tracker/err.h"

typedef struct trk_alerts trk_alerts;

/* trk_alerts_start: loads the watchlist at paths and starts delivering to its sinks.
 * mu guards s: the caller holds it around its own uses of s.
 * Returns: 0; TRK_EINVAL (the watchlist did not load); TRK_ENOMEM.
 * Out: *out (trk_alerts_stop), NULL on failure. */
int trk_alerts_start(trk_alerts **out, store *s, pthread_mutex_t *mu, const char *const *paths,
                     size_t npaths) TRK_WUR;

/* trk_alerts_kick: new moves were committed: look at the outbox now. */
void trk_alerts_kick(trk_alerts *a);

/* trk_alerts_reload: load the watchlist again before the next pass (a kept old one on
 * errors, which run reports). */
void trk_alerts_reload(trk_alerts *a);

/* trk_alerts_stats: the deliverer's counters at its last pass. */
void trk_alerts_stats(trk_alerts *a, trk_deliver_stats *out);

/* trk_alerts_stop: finishes the attempt in flight, stops the thread, frees; NULL no-op. */
void trk_alerts_stop(trk_alerts *a);

#endif
