/* tracker/pipe.c — one step of the pipeline: choose the range, poll (round trip 1), check
 * parent hashes, decode, snapshot (round trip 2), diff, commit. Invariant: the store moves
 * only through store_commit (cursor, blocks, snapshots, moves and outbox of a batch
 * together) and store_rollback; the in-memory cache is reloaded from the store whenever a
 * commit fails or a rollback happens, so it never runs ahead of what is stored. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/u256.h"
#include "tracker/grow.h"
#include "tracker/cache.h"
#include "tracker/diff.h"
#include "tracker/event.h"
#include "tracker/pipe_int.h"
#include "tracker/snap.h"

static int io_rpc_send(void *ctx, rpc_batch *b)
{
    return rpc_batch_send(ctx, b);
}

static const char *io_rpc_errmsg(void *ctx)
{
    return rpc_client_errmsg(ctx);
}

static int io_rpc_heads(void *ctx, uint64_t *best)
{
    return rpc_eth_block_number(ctx, best);
}

static const char *io_rpc_endpoint(void *ctx)
{
    return rpc_client_endpoint_name(ctx, rpc_client_last_endpoint(ctx));
}

trk_io trk_io_rpc(rpc_client *c)
{
    trk_io io = {c, io_rpc_send, io_rpc_errmsg, io_rpc_heads, io_rpc_endpoint};
    return io;
}

void trk_config_default(trk_config *c)
{
    memset(c, 0, sizeof *c);
    c->confirmations = 2;
    c->native_every = 1;
    c->max_reorg = 128;
    c->batch_blocks = 100;
    c->chunk = 1000;
    c->max_probes = 15000;
    c->native_dust = rpc_u256_from_u64(10000000000000000ull); /* 0.01 ETH */
    c->start_block = UINT64_MAX;
    c->last_block = UINT64_MAX;
}

int trk_pipe_fail(trk_pipe *p, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->why, sizeof p->why, fmt, ap);
    va_end(ap);
    return rc;
}

const char *trk_pipe_io_errmsg(const trk_pipe *p)
{
    const char *m = p->io.errmsg ? p->io.errmsg(p->io.ctx) : NULL;
    return m ? m : "";
}

const char *trk_pipe_why(const trk_pipe *p)
{
    return p->why;
}

static int load_one(void *ctx, const store_pos_key *key, const store_position *pos)
{
    trk_pipe *p = ctx;
    return trk_cache_put(p->cache, key, &pos->collateral) ? -1 : 0;
}

int trk_pipe_reload_cache(trk_pipe *p)
{
    trk_cache_clear(p->cache);
    int rc = store_snapshot_latest(p->s, NULL, load_one, p);
    if (rc)
        return trk_pipe_fail(p, rc == -1 ? TRK_ENOMEM : TRK_ESTORE, "reading snapshots: %s",
                             rc == -1 ? "out of memory" : store_strerror(rc));
    rc = trk_lending_reload(p->lend, p->s);
    if (rc)
        return trk_pipe_fail(p, rc, "reading lending positions: %s", trk_strerror(rc));
    return TRK_OK;
}

int trk_pipe_set_watchlist(trk_pipe *p, const wl_set *set)
{
    size_t n = 0;
    const rpc_addr *w = wl_watched(set, &n);
    trk_watch tw = {w, n, p->weth, p->cfg.nweth, set, p->cfg.chunk};
    trk_filters fs;
    int rc = trk_filters_build(&fs, &tw);
    if (rc)
        return rc;
    trk_filters_free(&p->filters);
    p->filters = fs;
    p->watch = tw;
    p->set = set;
    p->watched = w;
    p->nwatched = n;
    p->catchup_due = true;
    return TRK_OK;
}

int trk_pipe_new(trk_pipe **out, const trk_config *cfg, trk_io io, store *s, const wl_set *set)
{
    *out = NULL;
    if (!cfg || !io.send || !s || !set)
        return TRK_EINVAL;
    trk_pipe *p = calloc(1, sizeof *p);
    if (!p)
        return TRK_ENOMEM;
    p->cfg = *cfg;
    if (!p->cfg.max_reorg)
        p->cfg.max_reorg = 128;
    if (!p->cfg.batch_blocks)
        p->cfg.batch_blocks = 100;
    if (!p->cfg.chunk)
        p->cfg.chunk = 1000;
    if (!p->cfg.max_probes)
        p->cfg.max_probes = 15000;
    p->io = io;
    p->s = s;
    p->span = p->cfg.batch_blocks;
    p->snap.chunk = p->cfg.chunk;
    p->snap.reader = !p->cfg.no_state_override;
    int rc = TRK_ENOMEM;
    if (cfg->nweth) {
        p->weth = malloc(cfg->nweth * sizeof *p->weth);
        if (!p->weth)
            goto fail;
        memcpy(p->weth, cfg->weth, cfg->nweth * sizeof *p->weth);
    }
    p->cfg.weth = p->weth;
    if (cfg->nsinks) {
        p->sinks = malloc(cfg->nsinks * sizeof *p->sinks);
        if (!p->sinks)
            goto fail;
        memcpy(p->sinks, cfg->sinks, cfg->nsinks * sizeof *p->sinks);
    }
    p->cfg.sinks = p->sinks;
    if (trk_cache_new(&p->cache) || store_batch_new(&p->batch, 0) || trk_lending_new(&p->lend))
        goto fail;
    rc = trk_pipe_set_watchlist(p, set);
    if (rc)
        goto fail;
    rc = trk_pipe_reload_cache(p);
    if (rc)
        goto fail;
    *out = p;
    return TRK_OK;
fail:
    trk_pipe_free(p);
    return rc;
}

void trk_pipe_free(trk_pipe *p)
{
    if (!p)
        return;
    trk_filters_free(&p->filters);
    trk_cache_free(p->cache);
    trk_lending_free(p->lend);
    store_batch_free(p->batch);
    trk_moves_free(&p->moves);
    free(p->dec);
    free(p->weth);
    free(p->sinks);
    free(p);
}

/* ---- decimals of tokens, learnt once per run ---- */

int trk_pipe_decimals(const trk_pipe *p, const rpc_addr *token)
{
    for (size_t i = 0; i < p->ndec; i++)
        if (!memcmp(p->dec[i].token.b, token->b, 20))
            return p->dec[i].decimals;
    return -1;
}

int trk_pipe_decimals_put(trk_pipe *p, const rpc_addr *token, uint8_t decimals)
{
    void *grown = trk_grow(p->dec, &p->capdec, p->ndec, sizeof *p->dec);
    if (!grown)
        return TRK_ENOMEM;
    p->dec = grown;
    p->dec[p->ndec].token = *token;
    p->dec[p->ndec].decimals = decimals;
    p->ndec++;
    return TRK_OK;
}

/* The first block of an empty store. */
static int start_block(trk_pipe *p, uint64_t *start)
{
    *start = 0;
    if (p->cfg.start_block != UINT64_MAX) {
        *start = p->cfg.start_block;
        return TRK_OK;
    }
    uint64_t min = UINT64_MAX;
    bool none = false;
    for (size_t i = 0; i < wl_entity_count(p->set); i++) {
        uint64_t s = wl_entity_at(p->set, i)->since;
        if (s == WL_SINCE_NONE)
            none = true;
        else if (s < min)
            min = s;
    }
    if (none) {
        rpc_batch *b = NULL;
        size_t idx;
        uint64_t head = 0;
        int rc = rpc_batch_new(&b);
        if (rc == RPC_OK)
            rc = rpc_batch_add_block_number(b, &idx);
        if (rc == RPC_OK)
            rc = p->io.send(p->io.ctx, b);
        if (rc == RPC_OK)
            rc = rpc_batch_get_u64(b, idx, &head);
        rpc_batch_free(b);
        if (rc)
            return trk_pipe_fail(p, TRK_ERPC, "reading the head: %s (%s)", rpc_strerror(rc),
                                 trk_pipe_io_errmsg(p));
        uint64_t back = wl_rules_of(p->set)->backfill_blocks;
        uint64_t s = head > back ? head - back : 0;
        if (s < min)
            min = s;
    }
    *start = min == UINT64_MAX ? 0 : min;
    return TRK_OK;
}

int trk_pipe_step(trk_pipe *p, trk_step *st)
{
    memset(st, 0, sizeof *st);
    p->why[0] = '\0';
    store_info info;
    int rc = store_info_get(p->s, &info);
    if (rc)
        return trk_pipe_fail(p, TRK_ESTORE, "reading the cursor: %s", store_strerror(rc));
    if (p->catchup_due && info.has_cursor) {
        rc = trk_pipe_catch_up(p, st, info.cursor_block);
        if (rc || st->caught_up)
            return rc;
    }
    trk_range r;
    memset(&r, 0, sizeof r);
    r.has_cursor = info.has_cursor;
    r.cursor = info.cursor_block;
    r.cursor_hash = info.cursor_hash;
    if (r.has_cursor) {
        r.from = r.cursor + 1;
    } else {
        rc = start_block(p, &r.from);
        if (rc)
            return rc;
        r.baseline = r.from > 0;
    }
    r.to = r.from;
    uint64_t conf = p->cfg.confirmations;
    if (p->head_known && p->head >= r.from + conf) {
        uint64_t span = p->span;
        if (p->cfg.native_every && p->nwatched) {
            /* every native_every-th block reads every watched balance: bound the probes */
            uint64_t per = p->nwatched / p->cfg.native_every + 1;
            uint64_t cap = p->cfg.max_probes / per;
            if (cap < span)
                span = cap ? cap : 1;
        }
        r.to = p->head - conf;
        if (r.to - r.from + 1 > span)
            r.to = r.from + span - 1;
    }
    if (r.from > p->cfg.last_block) {
        st->idle = true;
        st->head = p->head;
        return TRK_OK;
    }
    if (r.to > p->cfg.last_block)
        r.to = p->cfg.last_block;
    rc = trk_pipe_process(p, &r, st);
    if (rc)
        memset(st, 0, sizeof *st);
    return rc;
}
