/* tracker/alerts.c — the alert thread of `run`. Invariant: the thread touches the store
 * only inside run's mutex (the deliverer's lock hooks), and its watchlist is its own, so a
 * reload in run never frees a sink it is sending to. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tracker/alerts.h"

struct trk_alerts {
    pthread_t th;
    pthread_mutex_t *store_mu;
    pthread_mutex_t mu; /* guards the fields below */
    pthread_cond_t cv;
    bool stop, kicked, reload;
    trk_deliver_stats stats;
    const char *const *paths;
    size_t npaths;
    wl_set *set;
    trk_deliver *d;
};

static void lock_store(void *ctx)
{
    pthread_mutex_lock(ctx);
}

static void unlock_store(void *ctx)
{
    pthread_mutex_unlock(ctx);
}

static void reload_set(trk_alerts *a)
{
    wl_set *n = NULL;
    wl_errors errs = {0};
    if (wl_load(&n, &errs, a->paths, a->npaths, NULL) == WL_OK) {
        trk_deliver_set_watchlist(a->d, n);
        wl_set_free(a->set);
        a->set = n;
    }
    wl_errors_free(&errs);
}

static void *thread_main(void *arg)
{
    trk_alerts *a = arg;
    long wait = 0;
    for (;;) {
        pthread_mutex_lock(&a->mu);
        while (!a->stop && !a->kicked && !a->reload && wait != 0) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            long ms = wait < 0 || wait > 1000 ? 1000 : wait;
            ts.tv_sec += ms / 1000;
            ts.tv_nsec += (ms % 1000) * 1000000;
            if (ts.tv_nsec >= 1000000000)
                ts.tv_sec++, ts.tv_nsec -= 1000000000;
            if (pthread_cond_timedwait(&a->cv, &a->mu, &ts) == ETIMEDOUT)
                break;
        }
        bool stop = a->stop, reload = a->reload;
        a->kicked = a->reload = false;
        pthread_mutex_unlock(&a->mu);
        if (stop)
            break;
        if (reload)
            reload_set(a);
        if (trk_deliver_step(a->d, &wait))
            wait = 1000; /* reported by the deliverer; try again later */
        trk_deliver_stats st;
        trk_deliver_stats_get(a->d, &st);
        pthread_mutex_lock(&a->mu);
        a->stats = st;
        pthread_mutex_unlock(&a->mu);
        if (wait == 0)
            wait = 1; /* more than one pass's worth pending: go on at once, but let a stop in */
    }
    return NULL;
}

int trk_alerts_start(trk_alerts **out, store *s, pthread_mutex_t *mu, const char *const *paths,
                     size_t npaths)
{
    *out = NULL;
    trk_alerts *a = calloc(1, sizeof *a);
    if (!a)
        return TRK_ENOMEM;
    a->store_mu = mu;
    a->paths = paths;
    a->npaths = npaths;
    wl_errors errs = {0};
    int rc = wl_load(&a->set, &errs, paths, npaths, NULL);
    wl_errors_free(&errs);
    if (rc) {
        free(a);
        return rc == WL_ENOMEM ? TRK_ENOMEM : TRK_EINVAL;
    }
    trk_lock lk = {lock_store, unlock_store, mu};
    if ((rc = trk_deliver_new(&a->d, s, a->set, lk))) {
        wl_set_free(a->set);
        free(a);
        return rc;
    }
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->cv, NULL);
    if (pthread_create(&a->th, NULL, thread_main, a)) {
        pthread_cond_destroy(&a->cv);
        pthread_mutex_destroy(&a->mu);
        trk_deliver_free(a->d);
        wl_set_free(a->set);
        free(a);
        return TRK_ENOMEM;
    }
    *out = a;
    return TRK_OK;
}

static void flag(trk_alerts *a, bool *f)
{
    pthread_mutex_lock(&a->mu);
    *f = true;
    pthread_cond_signal(&a->cv);
    pthread_mutex_unlock(&a->mu);
}

void trk_alerts_kick(trk_alerts *a)
{
    if (a)
        flag(a, &a->kicked);
}

void trk_alerts_reload(trk_alerts *a)
{
    if (a)
        flag(a, &a->reload);
}

void trk_alerts_stats(trk_alerts *a, trk_deliver_stats *out)
{
    pthread_mutex_lock(&a->mu);
    *out = a->stats;
    pthread_mutex_unlock(&a->mu);
}

void trk_alerts_stop(trk_alerts *a)
{
    if (!a)
        return;
    flag(a, &a->stop);
    pthread_join(a->th, NULL);
    pthread_cond_destroy(&a->cv);
    pthread_mutex_destroy(&a->mu);
    trk_deliver_free(a->d);
    wl_set_free(a->set);
    free(a);
}
