/* tracker/pipe.h — the tracker's pipeline: poll -> decode -> snapshot -> diff -> store.
 *
 * One step processes one batch of blocks [from, to] (a single block at the head, up to
 * batch_blocks while catching up: backfill and live are the same code) in at most two
 * HTTP round trips: (1) a JSON-RPC batch with the head, the headers of the range ends and
 * eth_getLogs for every decoder filter; (2) a batch with one Multicall3 eth_call per
 * 1,000 probes at each block that needs a snapshot (events, or a native-balance block).
 * Then one store transaction: cursor, block hashes, snapshots, moves, outbox. A parent
 * hash that does not match the store's is a reorg: the store is rolled back to the common
 * ancestor (retractions) and the next step processes the new branch.
 *
 * A trk_pipe belongs to one thread, as its rpc_client and store do. */
#ifndef WT_TRACKER_PIPE_H
#define WT_TRACKER_PIPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rpc/client.h"
#include "store/store.h"
#include "tracker/err.h"
#include "watchlists/wl.h"

/* The pipeline's I/O, swappable as Redis's rio is: how a batch of calls reaches the
 * chain. trk_io_rpc() sends it through an rpc_client; a test or a replay tool can answer
 * from a recording instead. send returns an rpc error code (RPC_OK when every call has an
 * answer, each possibly a per-call error). */
typedef struct trk_io {
    void *ctx;
    int (*send)(void *ctx, rpc_batch *b);
    const char *(*errmsg)(void *ctx); /* one line on the last failure; may be NULL */
    /* heads: ask every endpoint for its head, set aside those far behind the best, and
     * give the best (rpc_eth_block_number). May be NULL (one endpoint). */
    int (*heads)(void *ctx, uint64_t *best);
    const char *(*endpoint)(void *ctx); /* redacted name of the endpoint that answered last
                                           (named in --verify failures); may be NULL */
} trk_io;

/* trk_io_rpc: the I/O over client c (borrowed: it must outlive the pipe). */
trk_io trk_io_rpc(rpc_client *c);

typedef struct trk_config {
    uint32_t confirmations; /* a block is processed once this many blocks are on top */
    uint32_t native_every;  /* read every watched ETH balance at blocks B % n == 0 (1 = every
                               block); 0 = only those of addresses events touched */
    uint64_t max_reorg;     /* deepest rollback without allow_deep_reorg (0 = 128) */
    bool allow_deep_reorg;
    uint64_t batch_blocks;  /* most blocks in one batch while catching up (0 = 100) */
    size_t chunk;           /* addresses per topic OR-list, probes per Multicall3 (0 = 1000) */
    size_t max_probes;      /* probes per batch while catching up: bounds memory and the
                               snapshot request (~64 bytes of JSON a native balance; nodes
                               refuse requests over a few MB: anvil ~2 MB) (0 = 15,000) */
    bool no_state_override; /* read native balances through Multicall3 only (for nodes
                               without eth_call state overrides; found out by itself too) */
    rpc_u256 native_dust;   /* unexplained ETH change below this is gas (wei) */
    const rpc_addr *weth;   /* WETH9-style contracts (copied) */
    size_t nweth;
    uint64_t start_block;   /* first block of an empty store; UINT64_MAX: the smallest
                               entity `since`, or head - rules.backfill_blocks */
    uint64_t last_block;    /* process nothing past it (UINT64_MAX: follow the head) */
    const uint32_t *sinks;  /* outbox sinks each move is queued for (issue 9); copied */
    bool verify;            /* check every header used against its hash, and for each block
                               with a move from a log its receipts root, transactions root,
                               senders and the filters' logs (rpc/verify.h): one more round
                               trip per batch with such moves; such moves are then flagged
                               STORE_MOVE_VERIFIED. A disagreement is TRK_EVERIFY, never a
                               move */
    size_t nsinks;
} trk_config;

/* trk_config_default: confirmations 2, native every block, max_reorg 128, batch 100,
 * chunk 1000, dust 0.01 ETH, no WETH (mainnet's WETH9 is added for chain id 1 by the run
 * command), start from the watchlist, no last block, no sinks. */
void trk_config_default(trk_config *c);

typedef struct trk_pipe trk_pipe;

/* trk_pipe_new: a pipeline over io, the store s and the watchlist set (all borrowed: they
 * must outlive it; replace set with trk_pipe_set_watchlist). Reads the store's latest
 * snapshots into memory.
 * Returns: 0; TRK_ENOMEM; TRK_ESTORE; TRK_EINVAL.
 * Out: *out (trk_pipe_free), NULL on failure. */
int trk_pipe_new(trk_pipe **out, const trk_config *cfg, trk_io io, store *s,
                 const wl_set *set) TRK_WUR;
void trk_pipe_free(trk_pipe *p);

/* trk_pipe_set_watchlist: follow set from the next step on (a reload). The next step
 * first catches up on every watched address the store has never read (added here, or
 * while the tracker was stopped): one backfill from its entity's `since` (or
 * rules.backfill_blocks back) to the cursor, committed whole in one transaction, then the
 * address is followed with the others. The same happens on the first step after
 * trk_pipe_new.
 * Returns: 0; TRK_ENOMEM (the old set stays in use). */
int trk_pipe_set_watchlist(trk_pipe *p, const wl_set *set) TRK_WUR;

/* What one step did. */
typedef struct trk_step {
    bool idle;          /* nothing new to process */
    bool reorg;         /* rolled back; the next step processes the new branch */
    uint64_t from, to;  /* the blocks committed (when !idle && !reorg) */
    uint64_t head;      /* the node's head */
    size_t moves;       /* moves committed */
    size_t retracted;   /* retractions appended by a rollback */
    uint64_t ancestor;  /* the common ancestor of a reorg */
    uint64_t first_seq; /* seq of the first move committed (0 if none) */
    size_t caught_up;   /* addresses backfilled by this step (then from, to are 0) */
} trk_step;

/* trk_pipe_step: process the next batch (see the top of this file).
 * Returns: 0 (see *st: idle, reorg, or a committed batch); TRK_ERPC (the node failed:
 *   rpc error text in *why); TRK_ERACE (the chain moved during the poll: nothing stored,
 *   step again; also when an endpoint whose head is far below the cursor was set aside
 *   for a better one); TRK_EREORG_DEEP; TRK_EHEAD (every endpoint's head is more than
 *   max_reorg below the cursor: not a reorg, nothing rolled back); TRK_EDECODE;
 *   TRK_ESTORE; TRK_ENOMEM; TRK_EVERIFY (with cfg.verify: an answer disagrees with the
 *   block hash; *why names the endpoint, the block and what; nothing stored).
 * Out: *st, zeroed on failure. */
int trk_pipe_step(trk_pipe *p, trk_step *st) TRK_WUR;

/* trk_pipe_why: one line on the last error ("" after a success). Borrowed. */
const char *trk_pipe_why(const trk_pipe *p);

#endif
