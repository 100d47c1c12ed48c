/* tracker/pipe_int.h — the pipeline's internals, shared by pipe.c (setup, range choice),
 * poll.c (one batch) and reorg.c. Not part of the module's contract. */
#ifndef WT_TRACKER_PIPE_INT_H
#define WT_TRACKER_PIPE_INT_H

#include "tracker/cache.h"
#include "tracker/diff.h"
#include "tracker/event.h"
#include "tracker/lending.h"
#include "tracker/pipe.h"
#include "tracker/snap.h"

struct trk_dec {
    rpc_addr token;
    uint8_t decimals;
};

struct trk_pipe {
    trk_config cfg; /* weth and sinks point at the copies below */
    rpc_addr *weth;
    uint32_t *sinks;
    trk_io io;
    store *s;
    const wl_set *set;
    const rpc_addr *watched; /* borrowed from set */
    size_t nwatched;
    trk_filters filters;
    trk_watch watch; /* what the filters and the decoders were built for */
    trk_snap_opts snap;
    trk_cache *cache;
    trk_lending *lend; /* lending positions (issue 8): tracker/lending.h */
    struct trk_dec *dec;
    size_t ndec, capdec;
    uint64_t head;
    bool head_known;
    uint64_t span; /* blocks a batch while catching up: batch_blocks, halved on refusals */
    trk_moves moves;
    bool catchup_due; /* look for watched addresses the store has never read (catchup.c) */
    bool side;        /* catching up: watched/filters are the caught-up addresses only */
    store_batch *batch;
    char why[256];
};

/* The batch a step works on. */
typedef struct trk_range {
    bool has_cursor;
    uint64_t cursor;
    rpc_hash32 cursor_hash;
    uint64_t from, to;
    bool baseline; /* first batch of an empty store: read every native balance at from - 1 */
} trk_range;

int trk_pipe_fail(trk_pipe *p, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* trk_pipe_io_errmsg: the I/O's text on its last failure ("" if none). */
const char *trk_pipe_io_errmsg(const trk_pipe *p);
int trk_pipe_reload_cache(trk_pipe *p) TRK_WUR;
/* trk_pipe_decimals: a token's decimals, -1 when not known yet. */
int trk_pipe_decimals(const trk_pipe *p, const rpc_addr *token);
int trk_pipe_decimals_put(trk_pipe *p, const rpc_addr *token, uint8_t decimals) TRK_WUR;
/* trk_pipe_process: poll, decode, snapshot, diff and commit range r (poll.c). */
int trk_pipe_process(trk_pipe *p, const trk_range *r, trk_step *st) TRK_WUR;
/* trk_pipe_catch_up: backfill, from their entity's since to the cursor, every watched
 * address the store has no snapshot of (added by a reload, or while the tracker was
 * stopped), in one store transaction (catchup.c). st->caught_up: how many. */
int trk_pipe_catch_up(trk_pipe *p, trk_step *st, uint64_t cursor) TRK_WUR;
/* trk_pipe_reorg: the cursor's block is no longer on the node's chain: find the common
 * ancestor and roll the store back to it (reorg.c). */
int trk_pipe_reorg(trk_pipe *p, const trk_range *r, trk_step *st) TRK_WUR;

#endif
