/* tracker/poll.c — one batch of blocks: round trip 1 (head, headers, logs), parent-hash
 * check, decode, round trip 2 (snapshots at every block that needs one), diff, and one
 * store commit; with cfg.verify, a third round trip for the receipts and transactions of
 * the blocks with moves from logs (verify_batch). Invariant: nothing is committed unless
 * every answer was complete and consistent (same block hashes everywhere, and with verify
 * bound to the block hashes); otherwise the step reports idle, TRK_ERACE or TRK_EVERIFY
 * and the next step starts over from the same cursor. */
#include <stdlib.h>
#include <string.h>

#include "rpc/u256.h"
#include "rpc/verify.h"
#include "tracker/grow.h"
#include "tracker/pipe_int.h"
#include "tracker/snap.h"

/* A block that needs a snapshot: it has events, it is a native-balance block, or it is the
 * baseline before the first block of an empty store. */
struct check {
    uint64_t block;
    size_t ev_lo, ev_hi; /* its events: ev[ev_lo..ev_hi) */
    bool baseline;
    bool all_native;
    trk_probes ps;
    size_t first; /* batch index of its first Multicall3 call */
    size_t hidx;  /* batch index of its header, when fetched in round trip 2 */
    bool fetch_header;
    rpc_block hdr; /* the header fetched in round trip 2, kept for verify_batch */
    rpc_hash32 hash, parent;
    uint64_t time;
};

struct work {
    rpc_batch *b1, *b2;
    trk_event *ev;
    size_t nev, capev;
    struct check *ck;
    size_t nck;
    rpc_block hf, ht, hc;
    trk_native *nat;
    trk_probe_result *res;
    rpc_logs *flogs; /* with verify: each filter's eth_getLogs answer, kept */
    size_t nflogs;
};

static void work_free(struct work *w)
{
    rpc_batch_free(w->b1);
    rpc_batch_free(w->b2);
    free(w->ev);
    for (size_t i = 0; i < w->nck; i++) {
        trk_probes_free(&w->ck[i].ps);
        rpc_block_free(&w->ck[i].hdr);
    }
    for (size_t i = 0; i < w->nflogs; i++)
        rpc_logs_free(&w->flogs[i]);
    free(w->flogs);
    free(w->ck);
    rpc_block_free(&w->hf);
    rpc_block_free(&w->ht);
    rpc_block_free(&w->hc);
    free(w->nat);
    free(w->res);
}

static int ev_cmp(const void *a, const void *b)
{
    const trk_event *x = a, *y = b;
    if (x->block != y->block)
        return x->block < y->block ? -1 : 1;
    if (x->log_index != y->log_index)
        return x->log_index < y->log_index ? -1 : 1;
    return 0;
}

static int addr_cmp(const void *a, const void *b)
{
    return memcmp(a, b, 20);
}

/* In scope: watched, and while catching up, one of the addresses being caught up. */
static bool watched(const trk_pipe *p, const rpc_addr *a)
{
    if (p->side)
        return p->nwatched && bsearch(a, p->watched, p->nwatched, sizeof *a, addr_cmp) != NULL;
    return wl_entity_of(p->set, a) != NULL;
}

/* Round trip 1 answers -> events, sorted, one per log. */
static int collect_events(trk_pipe *p, struct work *w, const trk_range *r, size_t i_logs)
{
    if (p->cfg.verify && p->filters.n && !(w->flogs = calloc(p->filters.n, sizeof *w->flogs)))
        return TRK_ENOMEM;
    for (size_t k = 0; k < p->filters.n; k++) {
        rpc_logs logs = {0};
        int rc = rpc_batch_take_logs(w->b1, i_logs + k, &logs);
        if (rc == RPC_ERANGE && r->to > r->from) {
            p->span = (r->to - r->from + 1) / 2; /* as rpc_logs_range does: halve, ask again */
            return trk_pipe_fail(p, TRK_ERACE, "eth_getLogs %llu..%llu refused as too large; "
                                 "%llu blocks a batch from now on", (unsigned long long)r->from,
                                 (unsigned long long)r->to, (unsigned long long)p->span);
        }
        if (rc == RPC_ERANGE)
            return trk_pipe_fail(p, TRK_ERPC, "eth_getLogs refuses block %llu alone: %s",
                                 (unsigned long long)r->from, trk_pipe_io_errmsg(p));
        if (rc)
            return trk_pipe_fail(p, TRK_ERPC, "eth_getLogs: %s", rpc_strerror(rc));
        for (size_t i = 0; i < logs.n; i++) {
            const rpc_log *l = &logs.v[i];
            if (l->removed)
                continue;
            if ((l->block_number == r->from && memcmp(&l->block_hash, &w->hf.hash, 32)) ||
                (l->block_number == r->to && memcmp(&l->block_hash, &w->ht.hash, 32))) {
                rpc_logs_free(&logs);
                return trk_pipe_fail(p, TRK_ERACE, "block %llu changed during the poll",
                                     (unsigned long long)l->block_number);
            }
            trk_event ev;
            bool ok;
            rc = trk_decode_log(&ev, &ok, l, &p->watch);
            if (rc) {
                rpc_logs_free(&logs);
                return trk_pipe_fail(p, TRK_EDECODE, "undecodable log %llu/%llu",
                                     (unsigned long long)l->block_number,
                                     (unsigned long long)l->log_index);
            }
            if (!ok)
                continue;
            void *grown = trk_grow(w->ev, &w->capev, w->nev, sizeof *w->ev);
            if (!grown) {
                rpc_logs_free(&logs);
                return TRK_ENOMEM;
            }
            w->ev = grown;
            w->ev[w->nev++] = ev;
        }
        if (w->flogs)
            w->flogs[w->nflogs++] = logs; /* verify_batch compares them with the receipts */
        else
            rpc_logs_free(&logs);
    }
    if (w->nev > 1) {
        qsort(w->ev, w->nev, sizeof *w->ev, ev_cmp);
        size_t n = 1; /* a transfer between two watched addresses matches both filters */
        for (size_t i = 1; i < w->nev; i++)
            if (ev_cmp(&w->ev[i], &w->ev[n - 1]) != 0)
                w->ev[n++] = w->ev[i];
        w->nev = n;
    }
    return TRK_OK;
}

static int add_check(struct work *w, size_t *cap, uint64_t block)
{
    void *grown = trk_grow(w->ck, cap, w->nck, sizeof *w->ck);
    if (!grown)
        return TRK_ENOMEM;
    w->ck = grown;
    memset(&w->ck[w->nck], 0, sizeof w->ck[w->nck]);
    w->ck[w->nck].block = block;
    w->nck++;
    return TRK_OK;
}

static int native_all(trk_pipe *p, trk_probes *ps)
{
    for (size_t i = 0; i < p->nwatched; i++) {
        int rc = trk_probe_native(ps, &p->watched[i]);
        if (rc)
            return rc;
    }
    return TRK_OK;
}

/* The blocks that need a snapshot, and their probes. */
static int plan(trk_pipe *p, struct work *w, const trk_range *r)
{
    size_t cap = 0, e = 0;
    int rc = TRK_OK;
    uint32_t every = p->cfg.native_every;
    if (r->baseline) {
        rc = add_check(w, &cap, r->from - 1);
        if (rc == TRK_OK) {
            w->ck[0].baseline = true;
            rc = native_all(p, &w->ck[0].ps);
        }
    }
    size_t ndec;
    const trk_decoder *dec = trk_decoders(&ndec);
    uint64_t b = r->from;
    while (rc == TRK_OK && b <= r->to) {
        /* next block with events or native readings */
        uint64_t next_ev = e < w->nev ? w->ev[e].block : UINT64_MAX;
        uint64_t next_nat = UINT64_MAX;
        if (every && p->nwatched) {
            uint64_t m = b % every ? b + (every - b % every) : b;
            next_nat = m;
        }
        uint64_t nb = next_ev < next_nat ? next_ev : next_nat;
        if (nb > r->to)
            break;
        rc = add_check(w, &cap, nb);
        if (rc)
            break;
        struct check *c = &w->ck[w->nck - 1];
        c->ev_lo = e;
        while (e < w->nev && w->ev[e].block == nb)
            e++;
        c->ev_hi = e;
        c->all_native = nb == next_nat;
        if (c->all_native)
            rc = native_all(p, &c->ps);
        for (size_t i = c->ev_lo; rc == TRK_OK && i < c->ev_hi; i++) {
            const trk_event *ev = &w->ev[i];
            const trk_decoder *d = &dec[ev->decoder];
            if (d->probes && watched(p, &ev->from))
                rc = d->probes(&c->ps, ev, &ev->from);
            if (rc == TRK_OK && d->probes && watched(p, &ev->to))
                rc = d->probes(&c->ps, ev, &ev->to);
            if (rc == TRK_OK && trk_pipe_decimals(p, &ev->asset) < 0)
                rc = trk_probe_decimals(&c->ps, &ev->asset);
        }
        if (rc == TRK_OK && !p->side) /* lending: touched positions, prices of open ones */
            rc = trk_lending_plan(p->lend, &c->ps, w->ev ? w->ev + c->ev_lo : NULL,
                                  c->ev_hi - c->ev_lo);
        trk_probes_unique(&c->ps);
        c->fetch_header = nb != r->from && nb != r->to;
        b = nb + 1;
    }
    /* open lending positions: every batch reads their prices, at its last block at least
     * (a price moves without any event of the watched addresses) */
    if (rc == TRK_OK && !p->side && trk_lending_active(p->lend) &&
        (w->nck == 0 || w->ck[w->nck - 1].block != r->to || w->ck[w->nck - 1].baseline) &&
        (rc = add_check(w, &cap, r->to)) == TRK_OK) {
        struct check *c = &w->ck[w->nck - 1];
        c->ev_lo = c->ev_hi = e;
        rc = trk_lending_plan(p->lend, &c->ps, NULL, 0);
        trk_probes_unique(&c->ps);
    }
    return rc;
}

/* One snapshot answer -> cache, store snapshot, native reading. */
static int apply(trk_pipe *p, struct check *c, const trk_probe *pr, const trk_probe_result *res,
                 size_t *nnat, trk_native *nat)
{
    if (pr->what >= TRK_PROBE_LENDING)
        return TRK_OK; /* tracker/lending.c reads these */
    if (!res->ok)
        return TRK_OK; /* a token without balanceOf/decimals: nothing to record */
    if (pr->what == TRK_PROBE_DECIMALS) {
        if (trk_pipe_decimals(p, &pr->key.asset) >= 0)
            return TRK_OK;
        uint8_t d = rpc_u256_fits_u64(&res->value) && res->value.w[0] <= 77 ? (uint8_t)res->value.w[0] : 0;
        return trk_pipe_decimals_put(p, &pr->key.asset, d);
    }
    rpc_u256 before;
    bool had = trk_cache_get(p->cache, &before, &pr->key);
    if (pr->what == TRK_PROBE_NATIVE && had && !c->baseline) {
        nat[*nnat].address = pr->key.address;
        nat[*nnat].before = before;
        nat[*nnat].after = res->value;
        (*nnat)++;
    }
    if (had && rpc_u256_cmp(&before, &res->value) == 0)
        return TRK_OK;
    store_position pos;
    memset(&pos, 0, sizeof pos);
    pos.block = c->block;
    pos.block_time = c->time;
    if (pr->what == TRK_PROBE_NATIVE) {
        pos.decimals = 18;
    } else {
        int d = trk_pipe_decimals(p, &pr->key.asset);
        pos.decimals = d < 0 ? 0 : (uint8_t)d;
    }
    pos.collateral = res->value;
    int rc = store_batch_snapshot(p->batch, &pr->key, &pos);
    if (rc)
        return trk_pipe_fail(p, rc == STORE_ENOMEM ? TRK_ENOMEM : TRK_ETOO_LARGE,
                             "batch: %s", store_strerror(rc));
    return trk_cache_put(p->cache, &pr->key, &res->value);
}

static int header_of(trk_pipe *p, struct work *w, struct check *c, const trk_range *r)
{
    const rpc_block *h = NULL;
    rpc_block tmp = {0};
    if (c->block == r->from)
        h = &w->hf;
    else if (c->block == r->to)
        h = &w->ht;
    else {
        int rc = rpc_batch_take_block(w->b2, c->hidx, &tmp);
        if (rc)
            return trk_pipe_fail(p, rc == RPC_ENOTFOUND ? TRK_ERACE : TRK_ERPC,
                                 "header of block %llu: %s", (unsigned long long)c->block,
                                 rpc_strerror(rc));
        h = &tmp;
    }
    c->hash = h->hash;
    c->parent = h->parent_hash;
    c->time = h->timestamp;
    if (p->cfg.verify && h == &tmp)
        c->hdr = tmp; /* owned by c now */
    else
        rpc_block_free(&tmp);
    for (size_t i = c->ev_lo; i < c->ev_hi; i++)
        if (memcmp(&w->ev[i].block_hash, &c->hash, 32))
            return trk_pipe_fail(p, TRK_ERACE, "block %llu changed during the poll",
                                 (unsigned long long)c->block);
    return TRK_OK;
}

/* Round trip 2 and the diff of every checked block, in block order. */
static int snapshot_and_diff(trk_pipe *p, struct work *w, const trk_range *r)
{
    int rc = rpc_batch_new(&w->b2);
    if (rc)
        return TRK_ENOMEM;
    size_t maxp = 0;
    for (size_t i = 0; i < w->nck; i++) {
        struct check *c = &w->ck[i];
        if (c->fetch_header && rpc_batch_add_block(w->b2, &c->hidx, c->block))
            return TRK_ENOMEM;
        if (c->ps.n && (rc = trk_snap_add(w->b2, &c->first, &c->ps, c->block, &p->snap)))
            return rc;
        if (c->ps.n > maxp)
            maxp = c->ps.n;
    }
    if (rpc_batch_size(w->b2)) {
        rc = p->io.send(p->io.ctx, w->b2);
        if (rc)
            return trk_pipe_fail(p, TRK_ERPC, "snapshot: %s (%s)", rpc_strerror(rc),
                                 trk_pipe_io_errmsg(p));
    }
    w->nat = malloc((maxp + 1) * sizeof *w->nat);
    w->res = malloc((maxp + 1) * sizeof *w->res);
    if (!w->nat || !w->res)
        return TRK_ENOMEM;
    trk_diff_opts dopts = {p->cfg.native_dust};
    for (size_t i = 0; i < w->nck; i++) {
        struct check *c = &w->ck[i];
        if (!c->baseline && (rc = header_of(p, w, c, r)))
            return rc;
        size_t failed;
        if (c->ps.n && (rc = trk_snap_take(w->res, &failed, w->b2, c->first, &c->ps, &p->snap))) {
            int why = rpc_batch_status(w->b2, failed);
            if (rc == TRK_ERPC && why == RPC_ENODE && p->snap.reader) {
                p->snap.reader = false; /* the node has no eth_call state override */
                return trk_pipe_fail(p, TRK_ERACE, "the node refused the balance reader's "
                                     "state override; reading native balances through "
                                     "Multicall3 from now on");
            }
            return trk_pipe_fail(p, rc, "snapshot at block %llu: %s",
                                 (unsigned long long)c->block,
                                 rc == TRK_ERPC ? rpc_strerror(why) : trk_strerror(rc));
        }
        size_t nnat = 0; /* decimals first: balances are stored with them */
        for (int pass = 0; pass < 2; pass++)
            for (size_t j = 0; j < c->ps.n; j++)
                if ((c->ps.v[j].what == TRK_PROBE_DECIMALS) == (pass == 0) &&
                    (rc = apply(p, c, &c->ps.v[j], &w->res[j], &nnat, w->nat)))
                    return rc;
        if (c->baseline)
            continue;
        for (size_t j = c->ev_lo; j < c->ev_hi; j++) {
            int d = trk_pipe_decimals(p, &w->ev[j].asset);
            w->ev[j].decimals = d < 0 ? 0 : (uint8_t)d;
        }
        trk_block_in in = {c->block, c->time, c->hash, w->ev ? w->ev + c->ev_lo : NULL,
                           c->ev_hi - c->ev_lo,
                           w->nat, nnat};
        size_t first_move = p->moves.n;
        if ((rc = trk_diff_block(&p->moves, &in, p->set, &dopts)))
            return trk_pipe_fail(p, rc, "diff of block %llu: %s", (unsigned long long)c->block,
                                 trk_strerror(rc));
        if (!p->side && /* catching up covers wallets; lending follows from here on */
            (rc = trk_lending_block(p->lend, &p->moves, first_move, p->batch, p->why,
                                    sizeof p->why, p->io, &in, &c->ps, w->res, p->set)))
            return rc;
        if (c->fetch_header && !p->side &&
            (rc = store_batch_block(p->batch, c->block, &c->hash, &c->parent)))
            return trk_pipe_fail(p, TRK_ENOMEM, "batch: %s", store_strerror(rc));
    }
    return TRK_OK;
}

/* Catching up: the range's moves of the addresses caught up go into the batch, which the
 * caller commits whole after the last range (catchup.c); no cursor, no block hashes. */
static int commit_side(trk_pipe *p, trk_step *st)
{
    for (size_t i = 0; i < p->moves.n; i++) {
        if (!watched(p, &p->moves.v[i].address))
            continue; /* the other end of a transfer: followed already */
        size_t idx;
        int rc = store_batch_move(p->batch, &idx, &p->moves.v[i]);
        for (size_t k = 0; rc == 0 && k < p->cfg.nsinks; k++)
            rc = store_batch_outbox(p->batch, p->cfg.sinks[k], idx, NULL, 0);
        if (rc)
            return trk_pipe_fail(p, rc == STORE_ENOMEM ? TRK_ENOMEM : TRK_ESTORE, "batch: %s",
                                 store_strerror(rc));
        st->moves++;
    }
    return TRK_OK;
}

/* The header of block n among those the batch fetched, or NULL. */
static const rpc_block *header_at(const struct work *w, const trk_range *r, uint64_t n)
{
    if (n == r->from)
        return &w->hf;
    if (n == r->to)
        return &w->ht;
    for (size_t i = 0; i < w->nck; i++)
        if (w->ck[i].block == n && w->ck[i].fetch_header && w->ck[i].hdr.number == n)
            return &w->ck[i].hdr;
    return NULL;
}

static int verify_fail(trk_pipe *p, int rc, const rpc_verify_fail *f)
{
    const char *ep = p->io.endpoint ? p->io.endpoint(p->io.ctx) : NULL;
    return trk_pipe_fail(p, rc == RPC_ENOMEM ? TRK_ENOMEM : TRK_EVERIFY, "verify: %s: block %llu: %s",
                         ep ? ep : "the node", (unsigned long long)f->block, f->what);
}

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Add block n to blocks[] when its header's bloom admits a log of any filter. */
static void bloom_candidate(const trk_pipe *p, const rpc_block *h, uint64_t *blocks, size_t *nb)
{
    for (size_t k = 0; k < p->filters.n; k++)
        if (rpc_verify_bloom_may_match(h, &p->filters.v[k])) {
            blocks[(*nb)++] = h->number;
            return;
        }
}

/* verify_batch (cfg.verify): every header of the batch hashes to its hash (and from -> to
 * link up when adjacent). The blocks to check in full are those with a move from a log and
 * those whose logsBloom admits a log of a filter (so a log eth_getLogs dropped from a block
 * is caught even when that block then has no move; blocks whose header the batch did not
 * fetch — possible only with native_every != 1 — are not bloom-checked). One round trip
 * for all of them fetches receipts and raw transactions, and rpc/verify.h checks the
 * receipts root, the transactions root and senders, and every filter's logs (none
 * altered, none left out): eth_getBlockReceipts per block (eth_getTransactionReceipt per
 * transaction, one more round trip, on a node without it) and eth_getRawTransactionByHash
 * per transaction. Then the moves from logs are flagged STORE_MOVE_VERIFIED. */
static int verify_batch(trk_pipe *p, struct work *w, const trk_range *r)
{
    rpc_verify_fail f;
    int rc = rpc_verify_header(&f, &w->hf, r->to == r->from + 1 ? &w->ht : NULL);
    if (rc == RPC_OK && r->to != r->from)
        rc = rpc_verify_header(&f, &w->ht, NULL);
    for (size_t i = 0; rc == RPC_OK && i < w->nck; i++)
        if (w->ck[i].fetch_header && !w->ck[i].baseline)
            rc = rpc_verify_header(&f, &w->ck[i].hdr, NULL);
    if (rc)
        return verify_fail(p, rc, &f);
    /* the blocks with moves from logs (moves come in block order) */
    uint64_t *blocks = NULL;
    size_t nb = 0, *first = NULL;
    rpc_batch *b = NULL;
    rpc_receipts rs = {0};
    rpc_bytes *raw = NULL;
    const rpc_block *h = NULL;
    rc = TRK_ENOMEM;
    size_t cap = p->moves.n + w->nck + 2;
    if (!(blocks = malloc(cap * sizeof *blocks)) || !(first = malloc(2 * cap * sizeof *first)))
        goto out;
    for (size_t i = 0; i < p->moves.n; i++)
        if (p->moves.v[i].log_index != TRK_NO_LOG)
            blocks[nb++] = p->moves.v[i].block;
    bloom_candidate(p, &w->hf, blocks, &nb);
    if (r->to != r->from)
        bloom_candidate(p, &w->ht, blocks, &nb);
    for (size_t i = 0; i < w->nck; i++)
        if (w->ck[i].fetch_header && !w->ck[i].baseline)
            bloom_candidate(p, &w->ck[i].hdr, blocks, &nb);
    qsort(blocks, nb, sizeof *blocks, u64_cmp);
    size_t u = 0;
    for (size_t i = 0; i < nb; i++)
        if (!u || blocks[u - 1] != blocks[i])
            blocks[u++] = blocks[i];
    nb = u;
    rc = TRK_OK;
    if (!nb)
        goto out;
    if (rpc_batch_new(&b)) {
        rc = TRK_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < nb; i++) {
        if (!(h = header_at(w, r, blocks[i]))) {
            rc = trk_pipe_fail(p, TRK_EVERIFY, "verify: no header of block %llu",
                               (unsigned long long)blocks[i]);
            goto out;
        }
        if (rpc_batch_add_block_receipts(b, &first[2 * i], blocks[i]) ||
            rpc_verify_add_raw_txs(b, &first[2 * i + 1], h)) {
            rc = TRK_ENOMEM;
            goto out;
        }
    }
    if ((rc = p->io.send(p->io.ctx, b))) {
        rc = trk_pipe_fail(p, TRK_ERPC, "verify: %s (%s)", rpc_strerror(rc), trk_pipe_io_errmsg(p));
        goto out;
    }
    for (size_t i = 0; i < nb; i++) {
        h = header_at(w, r, blocks[i]);
        rc = rpc_batch_take_block_receipts(b, first[2 * i], &rs);
        if (rc == RPC_ENOMETHOD) { /* no eth_getBlockReceipts: one call per transaction */
            rpc_batch *b2 = NULL;
            size_t f2 = 0;
            rc = rpc_batch_new(&b2);
            if (rc == RPC_OK)
                rc = rpc_verify_add_receipts(b2, &f2, h);
            if (rc == RPC_OK && h->n_tx)
                rc = p->io.send(p->io.ctx, b2);
            if (rc == RPC_OK)
                rc = rpc_verify_take_receipts(b2, &rs, f2, h);
            rpc_batch_free(b2);
        }
        if (rc == RPC_OK)
            rc = rpc_verify_take_raw_txs(b, &raw, first[2 * i + 1], h);
        if (rc) {
            rc = trk_pipe_fail(p, rc == RPC_ENOMEM ? TRK_ENOMEM : TRK_ERPC,
                               "verify: receipts or transactions of block %llu: %s (%s)",
                               (unsigned long long)blocks[i], rpc_strerror(rc),
                               trk_pipe_io_errmsg(p));
            goto out;
        }
        rc = rpc_verify_receipts(&f, h, &rs);
        if (rc == RPC_OK)
            rc = rpc_verify_txs(&f, NULL, h, raw, h->n_tx, &rs);
        for (size_t k = 0; rc == RPC_OK && k < w->nflogs; k++)
            rc = rpc_verify_logs(&f, h, &rs, &p->filters.v[k], &w->flogs[k]);
        if (rc) {
            rc = verify_fail(p, rc, &f);
            goto out;
        }
        rpc_receipts_free(&rs);
        for (size_t t = 0; t < h->n_tx; t++)
            rpc_bytes_free(&raw[t]);
        free(raw);
        raw = NULL;
    }
    for (size_t i = 0; i < p->moves.n; i++)
        if (p->moves.v[i].log_index != TRK_NO_LOG)
            p->moves.v[i].flags |= STORE_MOVE_VERIFIED;
out:
    if (raw && h)
        for (size_t t = 0; t < h->n_tx; t++)
            rpc_bytes_free(&raw[t]);
    free(raw);
    rpc_receipts_free(&rs);
    rpc_batch_free(b);
    free(blocks);
    free(first);
    return rc;
}

static int commit(trk_pipe *p, struct work *w, const trk_range *r, trk_step *st)
{
    if (p->side)
        return commit_side(p, st);
    int rc = store_batch_block(p->batch, r->from, &w->hf.hash, &w->hf.parent_hash);
    if (rc == 0 && r->to != r->from)
        rc = store_batch_block(p->batch, r->to, &w->ht.hash, &w->ht.parent_hash);
    store_batch_cursor(p->batch, r->to, &w->ht.hash);
    for (size_t i = 0; rc == 0 && i < p->moves.n; i++) {
        size_t idx;
        rc = store_batch_move(p->batch, &idx, &p->moves.v[i]);
        for (size_t k = 0; rc == 0 && k < p->cfg.nsinks; k++)
            rc = store_batch_outbox(p->batch, p->cfg.sinks[k], idx, NULL, 0);
    }
    if (rc)
        return trk_pipe_fail(p, rc == STORE_ENOMEM ? TRK_ENOMEM : TRK_ESTORE, "batch: %s",
                             store_strerror(rc));
    uint64_t first = 0;
    rc = store_commit(p->s, &first, p->batch);
    if (rc)
        return trk_pipe_fail(p, TRK_ESTORE, "commit of blocks %llu..%llu: %s",
                             (unsigned long long)r->from, (unsigned long long)r->to,
                             store_strerror(rc));
    st->from = r->from;
    st->to = r->to;
    if (r->to - r->from + 1 >= p->span && p->span < p->cfg.batch_blocks)
        p->span = p->span * 2 < p->cfg.batch_blocks ? p->span * 2 : p->cfg.batch_blocks;
    st->moves = p->moves.n;
    st->first_seq = first;
    return TRK_OK;
}

/* The serving endpoint's head is far below the cursor: not a reorg. Ask every endpoint;
 * the client sets the laggard aside, and the step is retried on a better one if any. */
static int far_below(trk_pipe *p, uint64_t head, uint64_t cursor)
{
    uint64_t best = 0;
    if (p->io.heads && p->io.heads(p->io.ctx, &best) == RPC_OK &&
        best + p->cfg.max_reorg >= cursor)
        return trk_pipe_fail(p, TRK_ERACE, "an endpoint's head %llu is far below the cursor "
                             "%llu: not a reorg; it is set aside (best head %llu)",
                             (unsigned long long)head, (unsigned long long)cursor,
                             (unsigned long long)best);
    return trk_pipe_fail(p, TRK_EHEAD, "the node's head %llu is far below the cursor %llu",
                         (unsigned long long)head, (unsigned long long)cursor);
}

int trk_pipe_process(trk_pipe *p, const trk_range *r, trk_step *st)
{
    struct work w;
    memset(&w, 0, sizeof w);
    size_t i_head, i_cur = 0, i_from, i_to = 0, i_logs = 0;
    uint64_t conf = p->cfg.confirmations;
    if (!p->side)
        store_batch_reset(p->batch);
    trk_moves_reset(&p->moves);
    int rc = TRK_ENOMEM;
    if (rpc_batch_new(&w.b1) || rpc_batch_add_block_number(w.b1, &i_head) ||
        (r->has_cursor && rpc_batch_add_block(w.b1, &i_cur, r->cursor)) ||
        rpc_batch_add_block(w.b1, &i_from, r->from) ||
        (r->to != r->from && rpc_batch_add_block(w.b1, &i_to, r->to)))
        goto fail;
    trk_filters_range(&p->filters, r->from, r->to);
    for (size_t k = 0; k < p->filters.n; k++) {
        size_t idx;
        if (rpc_batch_add_logs(w.b1, &idx, &p->filters.v[k]))
            goto fail;
        if (k == 0)
            i_logs = idx;
    }
    int r1 = p->io.send(p->io.ctx, w.b1);
    uint64_t head = 0;
    if (r1 == RPC_OK)
        r1 = rpc_batch_get_u64(w.b1, i_head, &head);
    if (r1) {
        rc = trk_pipe_fail(p, TRK_ERPC, "poll: %s (%s)", rpc_strerror(r1), trk_pipe_io_errmsg(p));
        goto fail;
    }
    p->head = head;
    p->head_known = true;
    st->head = head;
    if (r->has_cursor) {
        r1 = rpc_batch_take_block(w.b1, i_cur, &w.hc);
        if (r1 == RPC_OK && memcmp(&w.hc.hash, &r->cursor_hash, 32) != 0) {
            work_free(&w);
            return trk_pipe_reorg(p, r, st);
        }
        if (r1 == RPC_ENOTFOUND || head < r->cursor) {
            if (head + p->cfg.max_reorg < r->cursor) {
                rc = far_below(p, head, r->cursor);
                goto fail;
            }
            st->idle = true; /* a lagging node, or a shorter branch still growing */
            rc = TRK_OK;
            goto fail;
        }
        if (r1) {
            rc = trk_pipe_fail(p, TRK_ERPC, "header %llu: %s", (unsigned long long)r->cursor,
                               rpc_strerror(r1));
            goto fail;
        }
    }
    if (head < r->to + conf) {
        st->idle = true; /* nothing new, or the head went back: the next step re-plans */
        rc = TRK_OK;
        goto fail;
    }
    r1 = rpc_batch_take_block(w.b1, i_from, &w.hf);
    if (r1 == RPC_OK && r->to != r->from)
        r1 = rpc_batch_take_block(w.b1, i_to, &w.ht);
    if (r1 == RPC_ENOTFOUND) {
        st->idle = true;
        rc = TRK_OK;
        goto fail;
    }
    if (r1) {
        rc = trk_pipe_fail(p, TRK_ERPC, "headers: %s", rpc_strerror(r1));
        goto fail;
    }
    if (r->to == r->from) {
        w.ht = w.hf;
        w.ht.extra_data = NULL; /* owned by hf */
        w.ht.tx_hashes = NULL;
    }
    if (r->has_cursor && memcmp(&w.hf.parent_hash, &r->cursor_hash, 32) != 0) {
        rc = trk_pipe_fail(p, TRK_ERACE, "block %llu changed during the poll",
                           (unsigned long long)r->from);
        goto fail;
    }
    if ((rc = collect_events(p, &w, r, i_logs)) ||
        (!p->side && (rc = trk_lending_prepare(p->lend, p->why, sizeof p->why, p->io, p->set,
                                               w.ev, w.nev, r->to))) ||
        (rc = plan(p, &w, r)) ||
        (rc = snapshot_and_diff(p, &w, r)) ||
        (p->cfg.verify && (rc = verify_batch(p, &w, r))) || (rc = commit(p, &w, r, st)))
        goto fail;
    work_free(&w);
    return TRK_OK;
fail:
    work_free(&w);
    if (rc != TRK_OK) {
        /* snapshots already applied to the cache were not stored: start again from disk */
        int rc2 = trk_pipe_reload_cache(p);
        (void)rc2; /* the first error is the one to report */
        store_batch_reset(p->batch);
    }
    return rc;
}
