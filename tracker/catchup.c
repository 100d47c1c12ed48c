/* tracker/catchup.c — addresses the store has never read (added to the watchlist by a
 * reload, or while the tracker was stopped) are backfilled from their entity's `since` to
 * the cursor with the pipeline's own code, scoped to them, and committed in one store
 * transaction. Invariant (exactly once): an address with a move always has a snapshot
 * (its event's probes write one), so "no snapshot" means "no move yet", and the one
 * transaction that writes its moves also writes its snapshots: a crash before it redoes
 * the backfill, after it the address is never backfilled again. Lending positions of an
 * added address are not backfilled: the lending rows follow them from here on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tracker/grow.h"
#include "tracker/pipe_int.h"

struct newbie {
    rpc_addr addr;
    uint64_t from;
};

static int newbie_cmp(const void *a, const void *b)
{
    const struct newbie *x = a, *y = b;
    if (x->from != y->from)
        return x->from < y->from ? -1 : 1;
    return memcmp(x->addr.b, y->addr.b, 20);
}

/* The addresses with no native snapshot, with the block their backfill starts at. */
static int find(trk_pipe *p, struct newbie **out, size_t *n, uint64_t cursor)
{
    *out = NULL;
    *n = 0;
    struct newbie *v = NULL;
    size_t cap = 0, k = 0;
    uint64_t back = wl_rules_of(p->set)->backfill_blocks;
    for (size_t i = 0; i < p->nwatched; i++) {
        store_pos_key key;
        memset(&key, 0, sizeof key);
        key.address = p->watched[i];
        rpc_u256 v0;
        if (trk_cache_get(p->cache, &v0, &key))
            continue;
        const wl_entity *e = wl_entity_of(p->set, &p->watched[i]);
        uint64_t from = e ? e->since : WL_SINCE_NONE;
        if (from == WL_SINCE_NONE)
            from = cursor + 1 > back ? cursor + 1 - back : 0;
        if (from > cursor)
            continue; /* starts in the future: its first reading is its baseline */
        void *grown = trk_grow(v, &cap, k, sizeof *v);
        if (!grown) {
            free(v);
            return TRK_ENOMEM;
        }
        v = grown;
        v[k].addr = p->watched[i];
        v[k].from = from;
        k++;
    }
    if (k > 1)
        qsort(v, k, sizeof *v, newbie_cmp);
    *out = v;
    *n = k;
    return TRK_OK;
}

/* Backfill addrs[0..n) (sorted) over [from, to] into p->batch. */
static int backfill(trk_pipe *p, trk_step *st, const rpc_addr *addrs, size_t n, uint64_t from,
                    uint64_t to)
{
    trk_watch tw = {addrs, n, p->weth, p->cfg.nweth, p->set, p->cfg.chunk};
    trk_filters fs;
    int rc = trk_filters_build(&fs, &tw);
    if (rc)
        return rc;
    trk_filters saved_f = p->filters;
    trk_watch saved_w = p->watch;
    const rpc_addr *saved_a = p->watched;
    size_t saved_n = p->nwatched;
    p->filters = fs;
    p->watch = tw;
    p->watched = addrs;
    p->nwatched = n;
    p->side = true;
    unsigned races = 0;
    for (uint64_t b = from; rc == TRK_OK && b <= to;) {
        trk_range r;
        memset(&r, 0, sizeof r);
        r.from = b;
        r.to = to - b + 1 > p->span ? b + p->span - 1 : to;
        r.baseline = b == from && from > 0;
        trk_step one;
        memset(&one, 0, sizeof one);
        rc = trk_pipe_process(p, &r, &one);
        if (rc == TRK_OK && one.idle)
            rc = trk_pipe_fail(p, TRK_ERACE, "block %llu is not there any more",
                               (unsigned long long)r.to);
        if (rc == TRK_ERACE && ++races < 5) {
            rc = TRK_OK; /* the chain moved: this range again */
            continue;
        }
        st->moves += one.moves;
        b = r.to + 1;
    }
    p->side = false;
    p->filters = saved_f;
    p->watch = saved_w;
    p->watched = saved_a;
    p->nwatched = saved_n;
    trk_filters_free(&fs);
    return rc;
}

int trk_pipe_catch_up(trk_pipe *p, trk_step *st, uint64_t cursor)
{
    struct newbie *nb;
    size_t n;
    int rc = find(p, &nb, &n, cursor);
    if (rc)
        return rc;
    if (n == 0) {
        p->catchup_due = false;
        free(nb);
        return TRK_OK;
    }
    rpc_addr *addrs = malloc(n * sizeof *addrs);
    if (!addrs) {
        free(nb);
        return TRK_ENOMEM;
    }
    store_batch_reset(p->batch);
    for (size_t i = 0; i < n; i++)
        addrs[i] = nb[i].addr;
    for (size_t i = 0, j; rc == TRK_OK && i < n; i = j) {
        for (j = i + 1; j < n && nb[j].from == nb[i].from;)
            j++; /* one backfill per start block; sorted by address within it */
        rc = backfill(p, st, addrs + i, j - i, nb[i].from, cursor);
    }
    uint64_t first = 0;
    if (rc == TRK_OK) {
        int s = store_commit(p->s, &first, p->batch);
        if (s)
            rc = trk_pipe_fail(p, TRK_ESTORE, "commit of the backfill of %zu added "
                               "addresses: %s", n, store_strerror(s));
    }
    free(addrs);
    free(nb);
    store_batch_reset(p->batch);
    if (rc) {
        int rc2 = trk_pipe_reload_cache(p); /* the readings were not stored */
        (void)rc2;
        memset(st, 0, sizeof *st);
        return rc;
    }
    st->caught_up = n;
    st->first_seq = first;
    p->catchup_due = false;
    return trk_pipe_reload_cache(p); /* in memory exactly what is stored */
}
