/* tracker/diff.h — diff + rules: one block's decoded events and native balance readings
 * become moves. Pure: no I/O, the same inputs give the same moves in the same order
 * (events by log index, then unexplained native changes by address), which is what makes
 * the move log identical across restarts and batch sizes. */
#ifndef WT_TRACKER_DIFF_H
#define WT_TRACKER_DIFF_H

#include <stddef.h>
#include <stdint.h>

#include "rpc/types.h"
#include "store/record.h"
#include "tracker/err.h"
#include "tracker/event.h"
#include "watchlists/wl.h"

/* log_index of a move that no log explains (a native ETH change). */
#define TRK_NO_LOG UINT32_MAX

/* One watched address's native balance at the previous reading and at this block. */
typedef struct trk_native {
    rpc_addr address;
    rpc_u256 before, after; /* wei */
} trk_native;

/* The inputs of one block. Borrowed by trk_diff_block. */
typedef struct trk_block_in {
    uint64_t number, time;
    rpc_hash32 hash;
    const trk_event *ev; /* this block's events, in log order */
    size_t nev;
    const trk_native *nat; /* readings of addresses that had an earlier one, by address */
    size_t nnat;
} trk_block_in;

/* A growable list of moves. Zero-initialise; free with trk_moves_free. */
typedef struct trk_moves {
    store_move *v;
    size_t n, cap;
} trk_moves;

typedef struct trk_diff_opts {
    /* A native change no log explains smaller than this (in wei, either way) is taken for
     * gas and not reported. */
    rpc_u256 native_dust;
} trk_diff_opts;

/* trk_diff_block: append the moves of block b to out.
 *   transfer: from a watched address -> transfer_out, or exchange_deposit when `to` is a
 *   labelled exchange; to a watched address -> transfer_in / exchange_withdrawal. Between
 *   two addresses of one entity: nothing (the entity's holdings did not change).
 *   wrap/unwrap: no move (ETH <-> WETH of the same owner), but they explain the native
 *   change. native: after - before, minus what wraps/unwraps explain; |rest| >= dust ->
 *   transfer_out/in of the rest, counterparty unknown (zero), log_index TRK_NO_LOG.
 *   Rules: trk_rules_keep.
 * Returns: 0; TRK_ENOMEM; TRK_EDECODE (an arithmetic overflow: impossible balances).
 * Out: out grows; on failure it keeps its earlier moves. */
int trk_diff_block(trk_moves *out, const trk_block_in *b, const wl_set *set,
                   const trk_diff_opts *o) TRK_WUR;

/* trk_rules_keep: whether the watchlist's rules keep move m. A move with a USD value
 * (priced by a lending oracle) is kept when usd >= min_usd of its kind; a move without
 * one (usd 0: a token or ETH transfer while no oracle prices it) is always kept: the
 * tracker reports what it cannot value rather than hide it. */
bool trk_rules_keep(const wl_rules *r, const store_move *m);

/* trk_moves_push: append a copy of m. Returns: 0; TRK_ENOMEM. */
int trk_moves_push(trk_moves *ms, const store_move *m) TRK_WUR;
void trk_moves_reset(trk_moves *ms);
void trk_moves_free(trk_moves *ms);

#endif
