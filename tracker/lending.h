/* tracker/lending.h — lending positions in the pipeline (Aave V3 and its forks, Morpho
 * Blue): which reads a block's snapshot needs, and how the answers become position
 * snapshots and moves (supply, withdraw, borrow, repay, liquidated, collateral_enabled /
 * disabled, position_opened / closed, and health_factor / liquidation_price when a price
 * moves while the owner does nothing). Internal to the tracker module (poll.c, pipe.c).
 *
 * Figures. Health factors are WAD: Aave's is getUserAccountData's own; Morpho's is
 * Morpho's isHealthy arithmetic on position() and market() at the block (market totals as
 * stored, without interest accrued since their lastUpdate). Aave USD values and lines are
 * the Aave oracle's base unit (USD 1e8); Morpho values and lines are in the loan token,
 * 8 decimals (USD when the loan token is a USD stablecoin). The liquidation line is
 * DESIGN.md's (tracker/liq.h): the reserves whose symbol() is ETH-correlated
 * (trk_lending_eth_symbol) move together, the line is the pool's WETH price at HF 1; reserve
 * thresholds are the reserve's (an E-Mode category's are not applied to the line; the HF
 * is still the protocol's). Morpho's line is the collateral price at HF 1.
 *
 * Moves. Before = the position as last stored, after = read at the move's block (several
 * events of one position in one block share the block-end figures). A liquidation is two
 * `liquidated` moves at one log index: the collateral seized, then the debt covered, the
 * liquidator as counterparty. A health_factor move is a crossing of the rules'
 * health_factor_warn or of 1.0; a liquidation_price move a line moving more than
 * liquidation_price_move_pct; both come from price changes alone (log_index TRK_NO_LOG),
 * confirmed on Aave by re-reading the position at that block.
 *
 * Snapshots (store keys): Aave account (user, aave-v3, pool), each reserve (user, aave-v3,
 * aToken), Morpho position (user, morpho-blue, first 20 bytes of the market id), and per
 * entity its line over all its Aave positions (first address, aave-v3, zero address).
 * A trk_lending belongs to its pipe's thread. */
#ifndef WT_TRACKER_LENDING_H
#define WT_TRACKER_LENDING_H

#include <stdbool.h>
#include <stddef.h>

#include "store/store.h"
#include "tracker/diff.h"
#include "tracker/event.h"
#include "tracker/pipe.h"
#include "tracker/snap.h"

typedef struct trk_lending trk_lending;

/* trk_lending_new: no positions, nothing learnt. Returns: 0; TRK_ENOMEM. Out: *out. */
int trk_lending_new(trk_lending **out) TRK_WUR;
/* trk_lending_free: NULL is a no-op. */
void trk_lending_free(trk_lending *l);

/* trk_lending_eth_symbol: whether a token symbol is ETH-correlated ("WETH", "wstETH",
 * "weETH", "rETH", "cbETH", "stETH", "osETH", "ETHx", "ezETH", "rsETH", ...). */
bool trk_lending_eth_symbol(const char *sym);

/* trk_lending_reload: forget the positions and read them back from the store's latest
 * snapshots (at start, after a rollback, after a failed commit). Reserve and market
 * parameters learnt so far are kept.
 * Returns: 0; TRK_ESTORE; TRK_ENOMEM. */
int trk_lending_reload(trk_lending *l, store *s) TRK_WUR;

/* trk_lending_active: a watched position is open (every batch then reads its prices). */
bool trk_lending_active(const trk_lending *l);

/* trk_lending_prepare: learn, once, the parameters of every aave-v3 pool of the set
 * (reserves, their tokens, decimals, liquidation thresholds, symbols) and of every
 * Morpho market in ev[0..nev) (params, token decimals and symbols), reading at `block`
 * through io: at most two round trips, none when nothing is new.
 * Returns: 0; TRK_ERPC (why says which call); TRK_EDECODE; TRK_ENOMEM. */
int trk_lending_prepare(trk_lending *l, char *why, size_t whycap, trk_io io, const wl_set *set,
                        const trk_event *ev, size_t nev, uint64_t block) TRK_WUR;

/* trk_lending_plan: append the reads of one block: for each position an event of
 * ev[0..nev) touches, its account and balances; for every open position, its prices.
 * Returns: 0; TRK_ENOMEM. */
int trk_lending_plan(trk_lending *l, trk_probes *ps, const trk_event *ev, size_t nev) TRK_WUR;

/* trk_lending_block: one block's answers (ps, res as trk_snap_take gave them) -> moves
 * appended to out and snapshots queued on batch; the positions in memory follow. Wallet
 * transfer moves out->v[first..) that a lending event of the same transaction explains
 * (the underlying to or from the pool's token contracts, a/debt tokens minted or burnt)
 * are dropped, and the block's moves are ordered by log index. A threshold move about to
 * be reported on a price change is confirmed by re-reading the position through io.
 * Returns: 0; TRK_ERPC; TRK_EDECODE; TRK_ENOMEM; TRK_ETOO_LARGE (a position holding more
 *   reserves than tracked). On failure, reload before the next block. */
int trk_lending_block(trk_lending *l, trk_moves *out, size_t first, store_batch *batch, char *why,
                      size_t whycap, trk_io io, const trk_block_in *in, const trk_probes *ps,
                      const trk_probe_result *res, const wl_set *set) TRK_WUR;

#endif
