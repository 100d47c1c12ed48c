/* tracker/reorg.c — a reorg: the block at the cursor is no longer the node's. Walk back
 * over the block hashes the store kept to the newest one the node still has, and roll
 * the store back to it (one retraction per move above it). Invariant: never deeper than
 * max_reorg without allow_deep_reorg; a node that lacks the blocks (far lower head) is
 * not a reorg and rolls nothing back. */
#include <string.h>

#include "tracker/pipe_int.h"

enum { DEEP_WINDOW = 1024 }; /* the store's default keep_blocks */

int trk_pipe_reorg(trk_pipe *p, const trk_range *r, trk_step *st)
{
    uint64_t window = p->cfg.allow_deep_reorg ? DEEP_WINDOW : p->cfg.max_reorg;
    uint64_t lo = r->cursor > window ? r->cursor - window : 0;
    rpc_batch *b = NULL;
    size_t first = 0;
    int rc = TRK_ENOMEM;
    if (rpc_batch_new(&b))
        goto done;
    for (uint64_t n = lo; n < r->cursor; n++) {
        size_t idx;
        if (rpc_batch_add_block(b, &idx, n))
            goto done;
        if (n == lo)
            first = idx;
    }
    if (r->cursor > lo) {
        int r1 = p->io.send(p->io.ctx, b);
        if (r1) {
            rc = trk_pipe_fail(p, TRK_ERPC, "reorg walk-back: %s (%s)", rpc_strerror(r1),
                               trk_pipe_io_errmsg(p));
            goto done;
        }
    }
    bool found = false;
    uint64_t ancestor = 0;
    for (uint64_t n = r->cursor; n-- > lo;) {
        rpc_hash32 stored;
        int s = store_block_get(p->s, &stored, NULL, n);
        if (s == STORE_ENOTFOUND)
            continue; /* not recorded (inside a backfill range) */
        if (s) {
            rc = trk_pipe_fail(p, TRK_ESTORE, "block %llu: %s", (unsigned long long)n,
                               store_strerror(s));
            goto done;
        }
        rpc_block h = {0};
        int r1 = rpc_batch_take_block(b, first + (size_t)(n - lo), &h);
        bool same = r1 == RPC_OK && memcmp(&h.hash, &stored, 32) == 0;
        rpc_block_free(&h);
        if (r1 && r1 != RPC_ENOTFOUND) {
            rc = trk_pipe_fail(p, TRK_ERPC, "header %llu: %s", (unsigned long long)n,
                               rpc_strerror(r1));
            goto done;
        }
        if (same) {
            found = true;
            ancestor = n;
            break;
        }
    }
    if (!found) {
        rc = trk_pipe_fail(p, TRK_EREORG_DEEP, "no common ancestor within %llu blocks of the "
                           "cursor %llu", (unsigned long long)window,
                           (unsigned long long)r->cursor);
        goto done;
    }
    if (r->cursor - ancestor > p->cfg.max_reorg && !p->cfg.allow_deep_reorg) {
        rc = trk_pipe_fail(p, TRK_EREORG_DEEP, "reorg of %llu blocks (max %llu)",
                           (unsigned long long)(r->cursor - ancestor),
                           (unsigned long long)p->cfg.max_reorg);
        goto done;
    }
    size_t retracted = 0;
    int s = store_rollback(p->s, &retracted, ancestor);
    if (s) {
        rc = trk_pipe_fail(p, TRK_ESTORE, "rollback to %llu: %s", (unsigned long long)ancestor,
                           store_strerror(s));
        goto done;
    }
    rc = trk_pipe_reload_cache(p);
    if (rc)
        goto done;
    st->reorg = true;
    st->ancestor = ancestor;
    st->retracted = retracted;
    rc = TRK_OK;
done:
    rpc_batch_free(b);
    return rc;
}
