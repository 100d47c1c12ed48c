/* tracker/lending_static.c — parameters learnt once per Aave pool (its reserves: tokens,
 * decimals, liquidation thresholds, symbols) and per Morpho market (params, token decimals
 * and symbols), read through the pipe's I/O in at most two round trips per batch.
 * Invariant: a pool or market is added whole or not at all (a failed read adds nothing). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/abi.h"
#include "rpc/u256.h"
#include "tracker/lending_int.h"

enum {
    SEL_RESERVES_LIST = 0xd1946dbc,  /* Pool.getReservesList() */
    SEL_RESERVE_CONFIG = 0x3e150141, /* DataProvider.getReserveConfigurationData(asset) */
    SEL_RESERVE_TOKENS = 0xd2493b6c, /* DataProvider.getReserveTokensAddresses(asset) */
    SEL_SYMBOL = 0x95d89b41,         /* symbol() */
    SEL_DECIMALS = 0x313ce567,       /* decimals() */
    SEL_MARKET_PARAMS = 0x2c3c9157,  /* Morpho.idToMarketParams(id) */
};

static const char *const eth_syms[] = {"WETH",   "ETH",   "stETH",   "wstETH", "weETH",  "eETH",
                                       "rETH",   "cbETH", "osETH",   "ETHx",   "ezETH",  "rsETH",
                                       "pufETH", "mETH",  "sfrxETH", "frxETH", "rswETH", "swETH",
                                       "OETH",   "wOETH", "tETH",    "lsETH",  "ankrETH"};

bool trk_lending_eth_symbol(const char *sym)
{
    for (size_t i = 0; i < sizeof eth_syms / sizeof eth_syms[0]; i++)
        if (!strcmp(sym, eth_syms[i]))
            return true;
    return false;
}

void trk_lend_addr_word(uint8_t w[32], const rpc_addr *a)
{
    memset(w, 0, 12);
    memcpy(w + 12, a->b, 20);
}

size_t trk_lend_calldata(uint8_t out[68], uint32_t sel, const uint8_t *w1, const uint8_t *w2)
{
    memset(out, 0, 68);
    out[0] = (uint8_t)(sel >> 24);
    out[1] = (uint8_t)(sel >> 16);
    out[2] = (uint8_t)(sel >> 8);
    out[3] = (uint8_t)sel;
    if (w1)
        memcpy(out + 4, w1, 32);
    if (w2)
        memcpy(out + 36, w2, 32);
    return 4 + (w1 ? 32u : 0u) + (w2 ? 32u : 0u);
}

struct lend_pool *trk_lend_pool_of(const trk_lending *l, const rpc_addr *pool)
{
    for (size_t i = 0; i < l->npools; i++)
        if (!memcmp(l->pools[i].pool.b, pool->b, 20))
            return &l->pools[i];
    return NULL;
}

struct lend_market *trk_lend_market_of(const trk_lending *l, const rpc_hash32 *id)
{
    for (size_t i = 0; i < l->nmk; i++)
        if (!memcmp(l->mk[i].id.b, id->b, 32))
            return &l->mk[i];
    return NULL;
}

struct lend_reserve *trk_lend_reserve_of(const struct lend_pool *p, const rpc_addr *asset)
{
    for (size_t i = 0; p && i < p->nres; i++)
        if (!memcmp(p->res[i].asset.b, asset->b, 20))
            return &p->res[i];
    return NULL;
}

/* One eth_call on batch b: to.sel(w1, w2) at block. */
static int add(rpc_batch *b, size_t *idx, uint64_t block, const rpc_addr *to, uint32_t sel,
               const uint8_t *w1, const uint8_t *w2)
{
    uint8_t cd[68];
    size_t n = trk_lend_calldata(cd, sel, w1, w2);
    return rpc_batch_add_call(b, idx, block, to, cd, n) ? TRK_ENOMEM : TRK_OK;
}

/* A symbol() answer: an ABI string, or a bytes32 (MKR-style); "" when neither. */
static void symbol_of(char out[LEND_SYM_MAX + 1], const rpc_bytes *r)
{
    rpc_abi a;
    const uint8_t *p;
    size_t n = 0;
    out[0] = '\0';
    rpc_abi_init(&a, r->p, r->n);
    if (rpc_abi_bytes(&p, &n, &a, 0) != RPC_OK) {
        if (r->n != 32)
            return;
        p = r->p;
        while (n < 32 && p[n])
            n++;
    }
    if (n > LEND_SYM_MAX)
        n = LEND_SYM_MAX;
    memcpy(out, p, n);
    out[n] = '\0';
}

struct job {
    rpc_batch *b;
    trk_io io;
    char *why;
    size_t whycap;
};

/* a uint256 word that must fit in a u64 */
static int word_u64(uint64_t *v, const rpc_abi *a, size_t index)
{
    rpc_u256 x;
    *v = 0;
    if (rpc_abi_uint(&x, a, index, 256) || !rpc_u256_fits_u64(&x))
        return TRK_EDECODE;
    *v = x.w[0];
    return TRK_OK;
}

static int send(struct job *j, const char *what)
{
    int rc = j->io.send(j->io.ctx, j->b);
    if (rc) {
        snprintf(j->why, j->whycap, "%s: %s", what, rpc_strerror(rc));
        return TRK_ERPC;
    }
    return TRK_OK;
}

static int take(struct job *j, rpc_bytes *out, size_t idx, const char *what)
{
    int rc = rpc_batch_take_bytes(j->b, idx, out);
    if (rc) {
        snprintf(j->why, j->whycap, "%s: %s", what, rpc_strerror(rc));
        return TRK_ERPC;
    }
    return TRK_OK;
}

/* Round trip 1 of a pool: Pool.getReservesList().
 * Out: *res (calloc'd, n entries with only .asset set; caller frees), *n. */
static int reserves_list(struct job *j, struct lend_reserve **res, size_t *n,
                         const struct lend_pool *p, uint64_t block)
{
    size_t i0;
    rpc_bytes r = {0};
    rpc_abi a, arr;
    int rc;
    *res = NULL;
    *n = 0;
    if (rpc_batch_new(&j->b))
        return TRK_ENOMEM;
    if ((rc = add(j->b, &i0, block, &p->pool, SEL_RESERVES_LIST, NULL, NULL)) ||
        (rc = send(j, "getReservesList")) || (rc = take(j, &r, i0, "getReservesList")))
        goto done;
    rpc_abi_init(&a, r.p, r.n);
    rc = TRK_EDECODE;
    if (rpc_abi_array(&arr, n, &a, 0, 1) != RPC_OK || *n > 4096)
        goto done;
    rc = TRK_ENOMEM;
    if (!(*res = calloc(*n ? *n : 1, sizeof **res)))
        goto done;
    rc = TRK_OK;
    for (size_t i = 0; rc == TRK_OK && i < *n; i++)
        if (rpc_abi_address(&(*res)[i].asset, &arr, i) != RPC_OK)
            rc = TRK_EDECODE;
done:
    if (rc == TRK_EDECODE)
        snprintf(j->why, j->whycap, "getReservesList: a malformed answer");
    if (rc) {
        free(*res);
        *res = NULL;
        *n = 0;
    }
    rpc_bytes_free(&r);
    rpc_batch_free(j->b);
    j->b = NULL;
    return rc;
}

/* Round trip 2 of a pool: per reserve its configuration (decimals, threshold), its tokens
 * (aToken, debt tokens) and its symbol (which says whether it is ETH-correlated). */
static int reserve_params(struct job *j, struct lend_reserve *res, size_t n,
                          const struct lend_pool *p, uint64_t block)
{
    size_t first = 0;
    int rc = TRK_OK;
    if (n == 0)
        return TRK_OK;
    if (rpc_batch_new(&j->b))
        return TRK_ENOMEM;
    for (size_t i = 0; rc == TRK_OK && i < n; i++) { /* calls first + 3i, 3i + 1, 3i + 2 */
        uint8_t w[32];
        size_t i1, i2, i3;
        trk_lend_addr_word(w, &res[i].asset);
        if (add(j->b, &i1, block, &p->dp, SEL_RESERVE_CONFIG, w, NULL) ||
            add(j->b, &i2, block, &p->dp, SEL_RESERVE_TOKENS, w, NULL) ||
            add(j->b, &i3, block, &res[i].asset, SEL_SYMBOL, NULL, NULL))
            rc = TRK_ENOMEM;
        if (i == 0)
            first = i1;
    }
    if (rc == TRK_OK)
        rc = send(j, "reserve parameters");
    for (size_t i = 0; rc == TRK_OK && i < n; i++) {
        rpc_bytes c = {0}, t = {0}, s = {0};
        rpc_abi ca, ta;
        uint64_t dec = 0, lt = 0;
        rc = take(j, &c, first + 3 * i, "getReserveConfigurationData");
        if (!rc)
            rc = take(j, &t, first + 3 * i + 1, "getReserveTokensAddresses");
        if (!rc && rpc_batch_take_bytes(j->b, first + 3 * i + 2, &s) == RPC_OK)
            symbol_of(res[i].symbol, &s); /* no symbol(): not ETH-correlated */
        if (!rc) {
            rpc_abi_init(&ca, c.p, c.n);
            rpc_abi_init(&ta, t.p, t.n);
            if (word_u64(&dec, &ca, 0) || word_u64(&lt, &ca, 2) || dec > 36 || lt > 10000 ||
                rpc_abi_address(&res[i].atoken, &ta, 0) || rpc_abi_address(&res[i].sdebt, &ta, 1) ||
                rpc_abi_address(&res[i].vdebt, &ta, 2)) {
                rc = TRK_EDECODE;
                snprintf(j->why, j->whycap, "reserve parameters: a malformed answer");
            }
            res[i].decimals = (uint8_t)dec;
            res[i].lt_bps = (uint32_t)lt;
            res[i].eth = trk_lending_eth_symbol(res[i].symbol);
        }
        rpc_bytes_free(&c);
        rpc_bytes_free(&t);
        rpc_bytes_free(&s);
    }
    rpc_batch_free(j->b);
    j->b = NULL;
    return rc;
}

/* The reserves of pool p, learnt whole or not at all. */
static int load_pool(struct job *j, struct lend_pool *p, uint64_t block)
{
    struct lend_reserve *res;
    size_t n;
    int rc = reserves_list(j, &res, &n, p, block);
    if (rc == TRK_OK)
        rc = reserve_params(j, res, n, p, block);
    if (rc) {
        free(res);
        return rc;
    }
    p->ethref = -1; /* "the ETH price": WETH's, else the first ETH-correlated reserve's */
    for (size_t i = 0; i < n; i++)
        if (res[i].eth && (p->ethref < 0 || !strcmp(res[i].symbol, "WETH")))
            p->ethref = (int)i;
    p->res = res;
    p->nres = n;
    p->loaded = true;
    return TRK_OK;
}

/* Every aave-v3 pool of the set is in l->pools (a reload may add some; none is dropped:
 * a position on it may still be stored). */
static int pools_sync(trk_lending *l, const wl_set *set)
{
    for (size_t i = 0; i < wl_protocol_count(set); i++) {
        const wl_protocol *p = wl_protocol_at(set, i);
        if (p->kind != WL_PROTO_AAVE_V3 || trk_lend_pool_of(l, &p->contract))
            continue;
        struct lend_pool *v = realloc(l->pools, (l->npools + 1) * sizeof *v);
        if (!v)
            return TRK_ENOMEM;
        l->pools = v;
        struct lend_pool *n = &v[l->npools++];
        memset(n, 0, sizeof *n);
        n->pool = p->contract;
        n->oracle = p->oracle;
        n->dp = p->data_provider;
        n->ethref = -1;
    }
    return TRK_OK;
}

/* A market to learn (its parameters are filled by load_markets). */
static int market_add(trk_lending *l, const rpc_hash32 *id, const rpc_addr *morpho)
{
    if (l->nmk == l->capmk) {
        size_t cap = l->capmk ? l->capmk * 2 : 8;
        struct lend_market *v = realloc(l->mk, cap * sizeof *v);
        if (!v)
            return TRK_ENOMEM;
        l->mk = v;
        l->capmk = cap;
    }
    memset(&l->mk[l->nmk], 0, sizeof l->mk[l->nmk]);
    l->mk[l->nmk].id = *id;
    l->mk[l->nmk].morpho = *morpho;
    l->nmk++;
    return TRK_OK;
}

/* Morpho markets named by events and not known yet: params, then token decimals and
 * symbols, all in two round trips. */
static int load_markets(trk_lending *l, struct job *j, const trk_event *ev, size_t nev,
                        uint64_t block)
{
    size_t start = l->nmk;
    for (size_t i = 0; i < nev; i++) {
        if (ev[i].protocol != TRK_PROTO_MORPHO_BLUE || trk_lend_market_of(l, &ev[i].market))
            continue;
        if (market_add(l, &ev[i].market, &ev[i].contract))
            return TRK_ENOMEM;
    }
    for (size_t i = 0; i < l->npos; i++) { /* positions read back from the store */
        const struct lend_pos *p = &l->pos[i];
        if (p->protocol != TRK_PROTO_MORPHO_BLUE || trk_lend_market_of(l, &p->id))
            continue;
        if (market_add(l, &p->id, &p->where))
            return TRK_ENOMEM;
    }
    if (l->nmk == start)
        return TRK_OK;
    size_t first = 0, idx;
    int rc = TRK_ENOMEM;
    if (rpc_batch_new(&j->b))
        goto fail;
    for (size_t i = start; i < l->nmk; i++) {
        if (add(j->b, &idx, block, &l->mk[i].morpho, SEL_MARKET_PARAMS, l->mk[i].id.b, NULL))
            goto fail;
        if (i == start)
            first = idx;
    }
    if ((rc = send(j, "idToMarketParams")))
        goto fail;
    for (size_t i = start; rc == TRK_OK && i < l->nmk; i++) {
        rpc_bytes r = {0};
        rpc_abi a;
        struct lend_market *m = &l->mk[i];
        rc = take(j, &r, first + i - start, "idToMarketParams");
        rpc_abi_init(&a, r.p, r.n);
        if (!rc && (rpc_abi_address(&m->loan, &a, 0) || rpc_abi_address(&m->coll, &a, 1) ||
                    rpc_abi_address(&m->oracle, &a, 2) || rpc_abi_uint(&m->lltv, &a, 4, 256)))
            rc = TRK_EDECODE;
        rpc_bytes_free(&r);
    }
    if (rc == TRK_EDECODE)
        snprintf(j->why, j->whycap, "idToMarketParams: a malformed answer");
    if (rc)
        goto fail;
    rpc_batch_free(j->b);
    j->b = NULL;
    rc = TRK_ENOMEM;
    if (rpc_batch_new(&j->b))
        goto fail;
    for (size_t i = start; i < l->nmk; i++) {
        const rpc_addr *tok[2] = {&l->mk[i].loan, &l->mk[i].coll};
        for (int k = 0; k < 2; k++) {
            size_t i2; /* decimals then symbol, loan token then collateral: 4 per market */
            if (add(j->b, &idx, block, tok[k], SEL_DECIMALS, NULL, NULL) ||
                add(j->b, &i2, block, tok[k], SEL_SYMBOL, NULL, NULL))
                goto fail;
            if (i == start && k == 0)
                first = idx;
        }
    }
    if ((rc = send(j, "market token decimals")))
        goto fail;
    for (size_t i = start; i < l->nmk; i++) {
        struct lend_market *m = &l->mk[i];
        for (int k = 0; k < 2; k++) {
            rpc_bytes d = {0}, s = {0};
            char sym[LEND_SYM_MAX + 1] = "";
            uint64_t dec = 18; /* a token without decimals(): 18, as ERC-20 suggests */
            size_t at = first + 4 * (i - start) + 2 * (size_t)k;
            if (rpc_batch_take_bytes(j->b, at, &d) == RPC_OK) {
                rpc_abi a;
                rpc_abi_init(&a, d.p, d.n);
                if (word_u64(&dec, &a, 0) || dec > 36)
                    dec = 18;
            }
            if (rpc_batch_take_bytes(j->b, at + 1, &s) == RPC_OK)
                symbol_of(sym, &s);
            if (k == 0) {
                m->loan_dec = (uint8_t)dec;
                m->loan_eth = trk_lending_eth_symbol(sym);
            } else {
                m->coll_dec = (uint8_t)dec;
                m->coll_eth = trk_lending_eth_symbol(sym);
            }
            rpc_bytes_free(&d);
            rpc_bytes_free(&s);
        }
    }
    rpc_batch_free(j->b);
    j->b = NULL;
    return TRK_OK;
fail:
    rpc_batch_free(j->b);
    j->b = NULL;
    l->nmk = start;
    return rc;
}

int trk_lending_prepare(trk_lending *l, char *why, size_t whycap, trk_io io, const wl_set *set,
                        const trk_event *ev, size_t nev, uint64_t block)
{
    struct job j = {NULL, io, why, whycap};
    int rc;
    if ((rc = pools_sync(l, set)))
        return rc;
    for (size_t i = 0; i < l->npools; i++)
        if (!l->pools[i].loaded && (rc = load_pool(&j, &l->pools[i], block)))
            return rc;
    return load_markets(l, &j, ev, nev, block);
}
