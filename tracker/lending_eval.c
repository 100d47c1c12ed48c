/* tracker/lending_eval.c — health factors and liquidation lines computed from a
 * position's balances, thresholds and prices: Aave's through tracker/liq.h (DESIGN.md's
 * formula), Morpho's with its own isHealthy arithmetic; and an entity's line over all its
 * Aave positions. Invariant: 256-bit integers throughout; a figure that cannot be computed
 * is 0 ("none"), never an approximation. */
#include <string.h>

#include "rpc/u256.h"
#include "tracker/lending_int.h"
#include "tracker/liq.h"

static const rpc_u256 U_MAX = {{UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX}};

rpc_u256 trk_lend_mdiv(const rpc_u256 *a, const rpc_u256 *b, const rpc_u256 *d)
{
    rpc_u256 r;
    if (rpc_u256_muldiv(&r, a, b, d))
        return rpc_u256_from_u64(0);
    return r;
}

/* The liq.h assets of p appended to a[*n..cap): its collateral (with thresholds) and debt.
 * Returns: 0; TRK_ETOO_LARGE (cap reached); TRK_EDECODE (overflow). */
static int aave_assets(struct trk_liq_asset *a, size_t *n, size_t cap, const struct lend_pool *pool,
                       const struct lend_pos *p)
{
    rpc_u256 e14 = rpc_u256_pow10(14);
    for (size_t i = 0; i < p->nh; i++) {
        const struct lend_hold *h = &p->h[i];
        const struct lend_reserve *r = trk_lend_reserve_of(pool, &h->asset);
        if (!r)
            continue;
        bool eth = r->eth && pool->ethref >= 0;
        for (int debt = 0; debt < 2; debt++) {
            const rpc_u256 *amt = debt ? &h->debt : &h->coll;
            if (rpc_u256_is_zero(amt) || (!debt && (!h->coll_on || !r->lt_bps)))
                continue;
            if (*n == cap)
                return TRK_ETOO_LARGE;
            struct trk_liq_asset *x = &a[(*n)++];
            memset(x, 0, sizeof *x);
            x->amount = *amt;
            x->decimals = r->decimals;
            x->price = h->price;
            x->eth = eth;
            x->debt = debt;
            rpc_u256 lt = rpc_u256_from_u64(r->lt_bps);
            if (!debt && rpc_u256_mul(&x->lt_wad, &lt, &e14))
                return TRK_EDECODE;
        }
    }
    return TRK_OK;
}

/* Aave: health factor and line from balances, thresholds and the prices in the holds. */
static int aave_eval(struct trk_liq *out, const struct lend_pool *pool, const struct lend_pos *p)
{
    struct trk_liq_asset a[2 * LEND_MAX_HOLD];
    size_t n = 0;
    int rc = aave_assets(a, &n, 2 * LEND_MAX_HOLD, pool, p);
    if (rc)
        return rc;
    rpc_u256 one = rpc_u256_from_u64(1);
    const rpc_u256 *ethp = rpc_u256_is_zero(&p->eth_price) ? &one : &p->eth_price;
    return trk_liq_compute(out, a, n, ethp) ? TRK_EDECODE : TRK_OK;
}

/* Morpho: isHealthy's arithmetic (collateral * price / 1e36 * lltv / 1e18 vs borrowed),
 * as a WAD ratio, and the collateral price (loan units per whole token, 8 decimals) at
 * which it reaches 1. */
static void morpho_eval(const struct lend_market *m, struct lend_pos *p)
{
    rpc_u256 e36 = rpc_u256_pow10(36), wad = rpc_u256_pow10(18), e8 = rpc_u256_pow10(8),
             unit_l = rpc_u256_pow10(m->loan_dec);
    const rpc_u256 *coll = &p->h[0].coll, *price = &p->h[0].price, *debt = &p->h[1].debt;
    rpc_u256 cval = trk_lend_mdiv(coll, price, &e36);
    rpc_u256 maxb = trk_lend_mdiv(&cval, &m->lltv, &wad);
    p->lt_bps = m->lltv;
    p->coll_usd = trk_lend_mdiv(&cval, &e8, &unit_l);
    p->debt_usd = trk_lend_mdiv(debt, &e8, &unit_l);
    memset(&p->liq, 0, sizeof p->liq);
    if (rpc_u256_is_zero(debt)) {
        p->hf = U_MAX;
        p->liq_kind = TRK_LIQ_NONE;
        return;
    }
    p->hf = trk_lend_mdiv(&maxb, &wad, debt);
    if (rpc_u256_is_zero(coll) || rpc_u256_is_zero(&m->lltv)) {
        p->liq_kind = TRK_LIQ_NOW;
        return;
    }
    rpc_u256 per = trk_lend_mdiv(debt, &e36, coll);
    rpc_u256 pstar = trk_lend_mdiv(&per, &wad, &m->lltv); /* oracle scale */
    rpc_u256 num = rpc_u256_pow10(m->coll_dec), den;
    if (rpc_u256_mul(&num, &num, &e8) || rpc_u256_mul(&den, &e36, &unit_l))
        return;
    p->liq = trk_lend_mdiv(&pstar, &num, &den);
    p->liq_kind = TRK_LIQ_BELOW;
}

int trk_lend_eval(trk_lending *l, struct lend_pos *p, bool keep_hf)
{
    if (p->protocol == TRK_PROTO_MORPHO_BLUE) {
        const struct lend_market *m = trk_lend_market_of(l, &p->id);
        if (m && p->nh >= 2)
            morpho_eval(m, p);
        return TRK_OK;
    }
    const struct lend_pool *pool = trk_lend_pool_of(l, &p->where);
    struct trk_liq q;
    int rc = pool ? aave_eval(&q, pool, p) : TRK_OK;
    if (rc || !pool)
        return rc;
    p->liq = q.price;
    p->liq_kind = (uint8_t)q.kind;
    if (!keep_hf)
        p->hf = q.hf_wad;
    return TRK_OK;
}

int trk_lend_entity_line(struct trk_liq *out, const trk_lending *l, const wl_entity *e)
{
    enum { CAP = 8 * LEND_MAX_HOLD };
    struct trk_liq_asset a[CAP];
    size_t n = 0;
    const rpc_u256 *ethp = NULL;
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < l->npos; i++) {
        const struct lend_pos *p = &l->pos[i];
        bool mine = false;
        for (size_t k = 0; k < e->naddrs && !mine; k++)
            mine = !memcmp(e->addrs[k].b, p->user.b, 20);
        const struct lend_pool *pool = trk_lend_pool_of(l, &p->where);
        if (!mine || p->protocol != TRK_PROTO_AAVE_V3 || !pool)
            continue;
        int rc = aave_assets(a, &n, CAP, pool, p);
        if (rc)
            return rc;
        if (!ethp && !rpc_u256_is_zero(&p->eth_price))
            ethp = &p->eth_price;
    }
    rpc_u256 one = rpc_u256_from_u64(1);
    return trk_liq_compute(out, a, n, ethp ? ethp : &one) ? TRK_EDECODE : TRK_OK;
}
