/* tracker/liq.h — health factor and liquidation line of a lending position, exact.
 *
 * DESIGN.md's formula: with C_e the ETH-correlated collateral weighted by liquidation
 * thresholds, C_o the other collateral, D_e and D_o the ETH-correlated and other debt (all
 * valued at today's prices), health factor 1 is reached when every ETH-correlated price is
 * multiplied by k = (D_o - C_o) / (C_e - D_e), other prices held. The liquidation line is
 * k times today's ETH price. Summing the assets of several positions gives an entity's line
 * (an aggregate: each position is liquidated on its own). */
#ifndef WT_TRACKER_LIQ_H
#define WT_TRACKER_LIQ_H

#include <stdbool.h>
#include <stddef.h>

#include "rpc/types.h"

/* One asset of a position, in the protocol's own units. */
struct trk_liq_asset {
    rpc_u256 amount;   /* raw token units */
    unsigned decimals; /* token decimals, <= 36 */
    rpc_u256 price;    /* oracle price of one whole token in base units (Aave: USD * 1e8) */
    rpc_u256 lt_wad;   /* liquidation threshold as a WAD fraction (Aave bps * 1e14, Morpho
                          lltv); ignored for debt */
    bool eth;          /* ETH-correlated: its price moves with ETH's */
    bool debt;         /* false: collateral, true: debt */
};

enum trk_liq_kind {
    TRK_LIQ_NONE = 0, /* no debt, or no ETH price can bring HF to 1 */
    TRK_LIQ_BELOW,    /* liquidatable if ETH falls to `price` */
    TRK_LIQ_ABOVE,    /* liquidatable if ETH rises to `price` (net short ETH) */
    TRK_LIQ_NOW,      /* HF < 1 at any ETH price (debt exceeds collateral either way) */
};

struct trk_liq {
    enum trk_liq_kind kind;
    rpc_u256 price;    /* the liquidation line, in the same base units as eth_price;
                          meaningful for BELOW and ABOVE, else 0 */
    rpc_u256 hf_wad;   /* health factor now (WAD); 2^256-1 when there is no debt */
    rpc_u256 coll_lt;  /* sum of collateral value * threshold, base units (WAD-scaled) */
    rpc_u256 debt;     /* sum of debt value, base units (WAD-scaled) */
};

/* trk_liq_compute: health factor and liquidation line of a set of assets.
 * Returns: 0; -1 (RPC_EINVAL) when an asset has decimals > 36 or the sums overflow
 *          (not reachable with real balances: 2^256 base units).
 * Out:     *out, zeroed on error.
 * In:      assets[0..n); eth_price: today's ETH price in base units (> 0 when any asset
 *          is ETH-correlated). */
int trk_liq_compute(struct trk_liq *out, const struct trk_liq_asset *assets, size_t n,
                    const rpc_u256 *eth_price);

#endif
