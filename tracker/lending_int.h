/* tracker/lending_int.h — lending.c's and lending_static.c's shared state. Not part of the
 * module's contract. */
#ifndef WT_TRACKER_LENDING_INT_H
#define WT_TRACKER_LENDING_INT_H

#include "rpc/u256.h"
#include "tracker/lending.h"
#include "tracker/liq.h"

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
    rpc_addr where; /* Aave: the pool; Morpho: the Morpho contract */
    rpc_hash32 id;  /* Morpho market */
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
    bool open0, said_open, wrote;
    const trk_event *last_ev;
};

struct trk_lending {
    struct lend_pool *pools;
    size_t npools;
    struct lend_market *mk;
    size_t nmk, capmk;
    struct lend_pos *pos;
    size_t npos, cappos;
};

/* trk_lend_pool_of / trk_lend_market_of / trk_lend_reserve_of: lookups; NULL when unknown. */
struct lend_pool *trk_lend_pool_of(const trk_lending *l, const rpc_addr *pool);
struct lend_market *trk_lend_market_of(const trk_lending *l, const rpc_hash32 *id);
struct lend_reserve *trk_lend_reserve_of(const struct lend_pool *p, const rpc_addr *asset);

/* Snapshot rows (store_position.flags). */
enum { ROW_ACCOUNT = 1, ROW_RESERVE = 2, ROW_MORPHO = 3, ROW_ENTITY = 4 };

/* A price read at this block: Aave (pool, asset); Morpho (zero, market id prefix). */
struct price {
    rpc_addr where;
    uint8_t key[20];
    rpc_u256 v;
};

/* Morpho market totals read at this block. */
struct totals {
    uint8_t key[20];
    rpc_u256 supply_assets, supply_shares, borrow_assets, borrow_shares;
};

/* One block's work: its inputs, where moves and rows go, the prices and totals read. */
struct trk_lend_blk {
    trk_lending *l;
    const trk_block_in *in;
    const wl_set *set;
    store_batch *batch;
    trk_moves *out;
    trk_io io;
    char *why;
    size_t whycap;
    struct price *pr;
    size_t npr;
    struct totals *tot;
    size_t ntot;
};

/* trk_lend_fail: set b->why ("block N: what"); returns rc. */
int trk_lend_fail(struct trk_lend_blk *b, int rc, const char *what);
/* trk_lend_write_pos: queue p's rows at b's block (marks p->wrote).
 * Returns: 0; TRK_ENOMEM; TRK_ETOO_LARGE. */
int trk_lend_write_pos(struct trk_lend_blk *b, struct lend_pos *p) TRK_WUR;
/* trk_lend_write_entities: the entity rows of entities with a row written in this block.
 * Returns: as trk_lend_write_pos; TRK_EDECODE. */
int trk_lend_write_entities(struct trk_lend_blk *b) TRK_WUR;
/* trk_lend_drop_explained: drop b->out->v[first..)'s wallet transfers explained by a
 * lending event of the same transaction; order the rest by log index (stable). */
void trk_lend_drop_explained(struct trk_lend_blk *b, size_t first);

/* trk_lend_pos_find: the position (id20: the first 20 bytes of a Morpho market id, NULL
 * for Aave); NULL when not followed. */
struct lend_pos *trk_lend_pos_find(const trk_lending *l, uint32_t protocol, const rpc_addr *user,
                                   const rpc_addr *where, const uint8_t *id20);
/* trk_lend_hold: p's holding of asset; with add, a new zero one (NULL when full). */
struct lend_hold *trk_lend_hold(struct lend_pos *p, const rpc_addr *asset, bool add);
/* trk_lend_pos_open: p holds collateral, supply or debt. */
bool trk_lend_pos_open(const struct lend_pos *p);

/* trk_lend_mdiv: floor(a * b / d); 0 when d is 0 or the quotient overflows (for figures,
 * never balances). Powers of ten: rpc_u256_pow10 (rpc/u256.h). */
rpc_u256 trk_lend_mdiv(const rpc_u256 *a, const rpc_u256 *b, const rpc_u256 *d);

/* trk_lend_eval: p's liquidation line (and, unless keep_hf, health factor and values) from
 * its balances and the prices in it (lending_eval.c). Returns: 0; TRK_EDECODE;
 * TRK_ETOO_LARGE. */
int trk_lend_eval(trk_lending *l, struct lend_pos *p, bool keep_hf) TRK_WUR;

/* trk_lend_entity_line: the aggregate line of entity e over all its Aave positions (each
 * asset at its own pool's price, the first position's ETH price as today's). Returns: 0;
 * TRK_EDECODE; TRK_ETOO_LARGE. Out: *out, zeroed on failure. */
int trk_lend_entity_line(struct trk_liq *out, const trk_lending *l, const wl_entity *e) TRK_WUR;

/* trk_lend_calldata: selector + up to two words into out[68]. Returns the length. */
size_t trk_lend_calldata(uint8_t out[68], uint32_t sel, const uint8_t *w1, const uint8_t *w2);
/* trk_lend_addr_word: a 32-byte word holding address a. */
void trk_lend_addr_word(uint8_t w[32], const rpc_addr *a);

#endif
