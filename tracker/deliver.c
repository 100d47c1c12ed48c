/* tracker/deliver.c — the outbox drained to the sinks. Invariant: an alert leaves the
 * outbox only after its sink accepted it (store_outbox_done) or its sink's rules refused
 * its move (store_outbox_drop); per sink, alerts go out in outbox order, and a failing
 * sink holds back only its own alerts. See deliver.h on exactly-once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "rpc/u256.h"
#include "tracker/deliver.h"
#include "tracker/format.h"
#include "tracker/sink.h"

enum { TAKE_MAX = 512, BACKOFF_FIRST_MS = 500, BACKOFF_MAX_MS = 60000 };

struct sstate {
    uint32_t id;
    int64_t next_ms; /* not before this (monotonic ms) */
    unsigned fails;
    bool held; /* a failure in this pass: later alerts of the sink wait */
};

struct alert {
    uint64_t id, seq;
    uint32_t sink;
    int retraction;
};

struct trk_deliver {
    store *s;
    const wl_set *set;
    trk_lock lk;
    struct sstate *st;
    size_t nst, capst;
    struct alert *a;
    size_t na, pending;
    trk_deliver_stats stats;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void lock(trk_deliver *d)
{
    if (d->lk.lock)
        d->lk.lock(d->lk.ctx);
}

static void unlock(trk_deliver *d)
{
    if (d->lk.unlock)
        d->lk.unlock(d->lk.ctx);
}

int trk_deliver_new(trk_deliver **out, store *s, const wl_set *set, trk_lock lk)
{
    trk_deliver *d = calloc(1, sizeof *d);
    *out = NULL;
    if (!d || !(d->a = malloc(TAKE_MAX * sizeof *d->a))) {
        free(d);
        return TRK_ENOMEM;
    }
    d->s = s;
    d->set = set;
    d->lk = lk;
    *out = d;
    return TRK_OK;
}

void trk_deliver_free(trk_deliver *d)
{
    if (!d)
        return;
    free(d->st);
    free(d->a);
    free(d);
}

void trk_deliver_set_watchlist(trk_deliver *d, const wl_set *set)
{
    d->set = set;
}

void trk_deliver_stats_get(const trk_deliver *d, trk_deliver_stats *out)
{
    *out = d->stats;
    out->pending = d->pending;
}

void trk_sink_ids(uint32_t *ids, size_t cap, size_t *n, const wl_set *set)
{
    *n = 0;
    for (size_t i = 0; set && i < wl_sink_count(set) && *n < cap; i++)
        ids[(*n)++] = wl_sink_at(set, i)->id;
}

static struct sstate *state_of(trk_deliver *d, uint32_t id)
{
    for (size_t i = 0; i < d->nst; i++)
        if (d->st[i].id == id)
            return &d->st[i];
    if (d->nst == d->capst) {
        size_t cap = d->capst ? 2 * d->capst : 8;
        struct sstate *g = realloc(d->st, cap * sizeof *g);
        if (!g)
            return NULL;
        d->st = g;
        d->capst = cap;
    }
    d->st[d->nst] = (struct sstate){.id = id};
    return &d->st[d->nst++];
}

static const wl_sink *sink_of(const trk_deliver *d, uint32_t id)
{
    for (size_t i = 0; d->set && i < wl_sink_count(d->set); i++)
        if (wl_sink_at(d->set, i)->id == id)
            return wl_sink_at(d->set, i);
    return NULL;
}

static int collect(void *ctx, const store_alert *a)
{
    trk_deliver *d = ctx;
    if (d->na < TAKE_MAX)
        d->a[d->na++] = (struct alert){a->id, a->seq, a->sink, a->retraction};
    d->pending++;
    return 0;
}

static int copy_move(void *ctx, const store_move *m)
{
    *(store_move *)ctx = *m;
    return 1;
}

static bool wanted(const wl_sink *k, const store_move *m)
{
    bool ok = k->nkinds == 0;
    const char *kind = store_kind_name(m->kind);
    for (size_t i = 0; !ok && kind && i < k->nkinds; i++)
        ok = strcmp(k->kinds[i], kind) == 0;
    if (!ok)
        return false;
    ok = k->nentities == 0;
    for (size_t i = 0; !ok && i < k->nentities; i++)
        ok = strcmp(k->entities[i], m->entity) == 0;
    return ok && rpc_u256_cmp(&m->usd, &k->min_usd) >= 0;
}

/* The alert as JSON (webhook, command) and text (Telegram, Discord). */
static int build(char **json, char *text, size_t cap, char *id, size_t idcap, const wl_sink *k,
                 const store_move *m, const wl_set *set, bool retraction)
{
    char line[900], *mj = NULL;
    *json = NULL;
    trk_move_text(line, sizeof line, m, set, 0);
    snprintf(id, idcap, "%s-%llu", retraction ? "retract" : "move", (unsigned long long)m->seq);
    if (retraction)
        snprintf(text, cap, "RETRACTED (its block left the chain in a reorg): %s", line);
    else
        snprintf(text, cap, "%s", line);
    if (trk_move_json(&mj, m))
        return TRK_ENOMEM;
    cJSON *o = cJSON_CreateObject(), *mv = cJSON_Parse(mj);
    cJSON_free(mj);
    bool bad = !o || !mv || !cJSON_AddStringToObject(o, "id", id) ||
               !cJSON_AddStringToObject(o, "type", retraction ? "retraction" : "move") ||
               !cJSON_AddStringToObject(o, "sink", k->name) ||
               !cJSON_AddStringToObject(o, "text", text);
    if (!bad && cJSON_AddItemToObject(o, "move", mv))
        mv = NULL;
    else
        bad = true;
    *json = bad ? NULL : cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    cJSON_Delete(mv);
    return *json ? TRK_OK : TRK_ENOMEM;
}

/* finish: done (delivered) or drop, under the lock. */
static int finish(trk_deliver *d, uint64_t id, bool delivered)
{
    lock(d);
    int rc = delivered ? store_outbox_done(d->s, id) : store_outbox_drop(d->s, id);
    unlock(d);
    if (rc && rc != STORE_ENOTFOUND) {
        fprintf(stderr, "whaletrack: alerts: cannot mark alert %llu: %s\n", (unsigned long long)id,
                store_strerror(rc));
        return TRK_ESTORE;
    }
    return TRK_OK;
}

static int one(trk_deliver *d, const struct alert *a, struct sstate *st)
{
    const wl_sink *k = sink_of(d, a->sink);
    if (!k) {
        fprintf(stderr,
                "whaletrack: alerts: sink %u is no longer in the watchlist; dropping "
                "its alert about move %llu\n",
                a->sink, (unsigned long long)a->seq);
        d->stats.skipped++;
        return finish(d, a->id, false);
    }
    store_move m;
    memset(&m, 0, sizeof m);
    lock(d);
    int rc = store_moves_from(d->s, a->seq, 1, copy_move, &m);
    unlock(d);
    if (rc || m.seq != a->seq) {
        fprintf(stderr, "whaletrack: alerts: cannot read move %llu: %s\n",
                (unsigned long long)a->seq, rc ? store_strerror(rc) : "missing");
        return TRK_ESTORE;
    }
    bool retracted = (m.flags & STORE_MOVE_RETRACTED) != 0;
    if (!a->retraction && (retracted || !wanted(k, &m))) {
        d->stats.skipped++;
        return finish(d, a->id, false);
    }
    char *json, text[1200], id[48];
    if ((rc = build(&json, text, sizeof text, id, sizeof id, k, &m, d->set, a->retraction)))
        return rc;
    trk_send r;
    trk_alert_msg msg = {json, text, id};
    rc = trk_sink_send(&r, k, &msg);
    cJSON_free(json);
    if (rc)
        return rc;
    if (!r.delivered) {
        long wait = r.retry_after_ms;
        if (!wait) {
            wait = BACKOFF_FIRST_MS;
            for (unsigned i = 0; i < st->fails && wait < BACKOFF_MAX_MS; i++)
                wait *= 2;
            wait = wait > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : wait;
        }
        st->fails++;
        st->held = true;
        st->next_ms = now_ms() + wait;
        d->stats.failures++;
        fprintf(stderr, "whaletrack: sink \"%s\": %s %llu failed: %s; retrying in %.1f s\n",
                k->name, a->retraction ? "retraction of move" : "alert about move",
                (unsigned long long)a->seq, r.why, (double)wait / 1000.0);
        return TRK_OK;
    }
    st->fails = 0;
    if (a->retraction)
        d->stats.retracted++;
    else
        d->stats.delivered++;
    return finish(d, a->id, true);
}

int trk_deliver_step(trk_deliver *d, long *wait_ms)
{
    if (wait_ms)
        *wait_ms = -1;
    d->na = 0;
    d->pending = 0;
    lock(d);
    int rc = store_outbox_take(d->s, 0, 0, collect, d);
    unlock(d);
    if (rc)
        return TRK_ESTORE;
    for (size_t i = 0; i < d->nst; i++)
        d->st[i].held = false;
    int64_t now = now_ms();
    size_t done = 0;
    for (size_t i = 0; i < d->na; i++) {
        struct sstate *st = state_of(d, d->a[i].sink);
        if (!st)
            return TRK_ENOMEM;
        if (st->held || st->next_ms > now) {
            st->held = true;
            continue;
        }
        if ((rc = one(d, &d->a[i], st)))
            return rc;
        done += !st->held;
    }
    if (wait_ms && d->pending > done) {
        int64_t next = -1;
        now = now_ms();
        for (size_t i = 0; i < d->nst; i++)
            if (d->st[i].held && (next < 0 || d->st[i].next_ms < next))
                next = d->st[i].next_ms;
        *wait_ms = next < 0 ? 0 : (long)(next > now ? next - now : 0);
    }
    d->pending -= done;
    return TRK_OK;
}
