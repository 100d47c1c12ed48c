/* tracker/lending_int.h — lending.c's and lending_static.c's shared state. Not part of the
 * module's contract. */
#ifndef WT_TRACKER_LENDING_INT_H
#define WT_TRACKER_LENDING_INT_H

#include "tracker/lending.h"

enum { LEND_MAX_HOLD = 32, LEND_SYM_MAX = 24 };

/* Probe kinds (TRK_PROBE_LENDING range). */
enum {
    LP_AAVE_ACCOUNT = TRK_PROBE_LENDING, /* pool.getUserAccountData(user) */
    LP_AAVE_RESERVE,                     /* dataProvider.getUserReserveData(asset, user) */
    LP_AAVE_PRICE,                       /* oracle.getAssetPrice(asset) */
    LP_MB_POSITION,                      /* morpho.position(id, user) */
    LP_MB_MARKET,                        /* morpho.market(id) */
    LP_MB_PRICE,                         /* oracle.price() */
};

/* An Aave reserve's parameters, learnt once. */
struct lend_reserve {
    rpc_addr asset, atoken, sdebt, vdebt;
    uint8_t decimals;
    uint32_t lt_bps;
    bool eth;
    char symbol[LEND_SYM_MAX + 1];
};

struct lend_pool {
    rpc_addr pool, oracle, dp;
    struct lend_reserve *res;
    size_t nres;
    int ethref; /* the reserve whose price is "the ETH price" (WETH), -1 if none */
    bool loaded;
};

struct lend_market {
    rpc_hash32 id;
    rpc_addr morpho, loan, coll, oracle;
    rpc_u256 lltv; /* WAD */
    uint8_t loan_dec, coll_dec;
    bool coll_eth, loan_eth;
};

/* One asset of a position: Aave: a reserve (coll = aToken balance, debt = stable +
 * variable debt); Morpho: hold[0] the collateral token (coll), hold[1] the loan token
 * (coll = supplied assets, debt = borrowed assets). price: the oracle's at the last
 * evaluation (Aave USD 1e8; Morpho: hold[0].price is oracle.price(), 1e36 scale). */
struct lend_hold {
    rpc_addr asset;
    rpc_u256 coll, debt, price;
    bool coll_on;
};

struct lend_pos {
    uint32_t protocol; /* enum trk_protocol */
    rpc_addr user;
    rpc_addr where;    /* Aave: the pool; Morpho: the Morpho contract */
    rpc_hash32 id;     /* Morpho market */
    struct lend_hold h[LEND_MAX_HOLD];
    size_t nh;
    rpc_u256 hf;                 /* WAD; all ones without debt */
    rpc_u256 coll_usd, debt_usd; /* Aave base currency; Morpho loan units (8 decimals) */
    rpc_u256 lt_bps;             /* Aave: current liquidation threshold; Morpho: lltv */
    rpc_u256 eth_price;          /* the ETH price the line was computed at */
    rpc_u256 liq;                /* the liquidation line, 0 when none */
    uint8_t liq_kind;            /* enum trk_liq_kind */
    bool touched;                /* read in the current block */
    /* per block: the figures before it, and what its moves said so far */
    rpc_u256 hf0, liq0;
    bool open0, said_open;
    const trk_event *last_ev;
};

struct trk_lending {
    struct lend_pool *pools;
    size_t npools;
    bool pools_done;
    struct lend_market *mk;
    size_t nmk, capmk;
    struct lend_pos *pos;
    size_t npos, cappos;
};

/* lend_pool_of / lend_market_of / lend_reserve_of: lookups; NULL when unknown. */
struct lend_pool *lend_pool_of(const trk_lending *l, const rpc_addr *pool);
struct lend_market *lend_market_of(const trk_lending *l, const rpc_hash32 *id);
struct lend_reserve *lend_reserve_of(const struct lend_pool *p, const rpc_addr *asset);

/* lend_calldata: selector + up to two words into out[68]. Returns the length. */
size_t lend_calldata(uint8_t out[68], uint32_t sel, const uint8_t *w1, const uint8_t *w2);
/* lend_addr_word: a 32-byte word holding address a. */
void lend_addr_word(uint8_t w[32], const rpc_addr *a);

#endif
