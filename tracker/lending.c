/* tracker/lending.c — lending positions through the pipeline: plan the reads of a block,
 * turn the answers into position snapshots and moves. Invariant: every figure a move
 * carries was read at the move's block (the protocol's health factor, its oracle's
 * prices, balances) or computed exactly from such reads (liquidation lines, tracker/liq.h);
 * a threshold move caused by a price alone is confirmed by re-reading the position. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/abi.h"
#include "rpc/u256.h"
#include "tracker/lending_int.h"
#include "tracker/liq.h"

enum {
    SEL_ACCOUNT = 0xbf92857c,      /* Pool.getUserAccountData(user) */
    SEL_USER_RESERVE = 0x28dd2d01, /* DataProvider.getUserReserveData(asset, user) */
    SEL_ASSET_PRICE = 0xb3596f07,  /* AaveOracle.getAssetPrice(asset) */
    SEL_POSITION = 0x93c52062,     /* Morpho.position(id, user) */
    SEL_MARKET = 0x5c60e39a,       /* Morpho.market(id) */
    SEL_PRICE = 0xa035b1fe,        /* IOracle.price() */
};

static const rpc_u256 U_MAX = {{UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX}};

int trk_lending_new(trk_lending **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? TRK_OK : TRK_ENOMEM;
}

void trk_lending_free(trk_lending *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->npools; i++)
        free(l->pools[i].res);
    free(l->pools);
    free(l->mk);
    free(l->pos);
    free(l);
}

bool trk_lend_pos_open(const struct lend_pos *p)
{
    for (size_t i = 0; i < p->nh; i++)
        if (!rpc_u256_is_zero(&p->h[i].coll) || !rpc_u256_is_zero(&p->h[i].debt))
            return true;
    return false;
}

bool trk_lending_active(const trk_lending *l)
{
    for (size_t i = 0; i < l->npos; i++)
        if (trk_lend_pos_open(&l->pos[i]))
            return true;
    return false;
}

struct lend_pos *trk_lend_pos_find(const trk_lending *l, uint32_t protocol, const rpc_addr *user,
                                   const rpc_addr *where, const uint8_t *id20)
{
    for (size_t i = 0; i < l->npos; i++) {
        struct lend_pos *p = &l->pos[i];
        if (p->protocol == protocol && !memcmp(p->user.b, user->b, 20) &&
            !memcmp(p->where.b, where->b, 20) && (!id20 || !memcmp(p->id.b, id20, 20)))
            return p;
    }
    return NULL;
}

static int pos_get(trk_lending *l, struct lend_pos **out, uint32_t protocol, const rpc_addr *user,
                   const rpc_addr *where, const rpc_hash32 *id)
{
    *out = trk_lend_pos_find(l, protocol, user, where, id ? id->b : NULL);
    if (*out)
        return TRK_OK;
    if (l->npos == l->cappos) {
        size_t cap = l->cappos ? l->cappos * 2 : 8;
        struct lend_pos *v = realloc(l->pos, cap * sizeof *v);
        if (!v)
            return TRK_ENOMEM;
        l->pos = v;
        l->cappos = cap;
    }
    struct lend_pos *p = &l->pos[l->npos++];
    memset(p, 0, sizeof *p);
    p->protocol = protocol;
    p->user = *user;
    p->where = *where;
    if (id)
        p->id = *id;
    p->hf = U_MAX;
    *out = p;
    return TRK_OK;
}

struct lend_hold *trk_lend_hold(struct lend_pos *p, const rpc_addr *asset, bool add)
{
    for (size_t i = 0; i < p->nh; i++)
        if (!memcmp(p->h[i].asset.b, asset->b, 20))
            return &p->h[i];
    if (!add || p->nh == LEND_MAX_HOLD)
        return NULL;
    struct lend_hold *h = &p->h[p->nh++];
    memset(h, 0, sizeof *h);
    h->asset = *asset;
    return h;
}

/* ---- reload ---------------------------------------------------------------------- */

static int reload_row(void *ctx, const store_pos_key *key, const store_position *sp)
{
    trk_lending *l = ctx;
    struct lend_pos *p;
    rpc_addr where, asset;
    if (key->protocol == TRK_PROTO_AAVE_V3 && sp->flags == ROW_ACCOUNT) {
        if (pos_get(l, &p, TRK_PROTO_AAVE_V3, &key->address, &key->asset, NULL))
            return -1;
        p->hf = sp->hf;
        p->coll_usd = sp->collateral_usd;
        p->debt_usd = sp->debt_usd;
        p->lt_bps = sp->liq_threshold;
        p->eth_price = sp->price;
        p->liq = sp->liq_price;
        p->liq_kind = sp->extra_len >= 1 ? sp->extra[0] : 0;
    } else if (key->protocol == TRK_PROTO_AAVE_V3 && sp->flags == ROW_RESERVE &&
               sp->extra_len >= 41) {
        memcpy(where.b, sp->extra, 20);
        memcpy(asset.b, sp->extra + 20, 20);
        if (pos_get(l, &p, TRK_PROTO_AAVE_V3, &key->address, &where, NULL))
            return -1;
        struct lend_hold *h = trk_lend_hold(p, &asset, true);
        if (!h)
            return -1;
        h->coll = sp->collateral;
        h->debt = sp->debt;
        h->price = sp->price;
        h->coll_on = sp->extra[40] != 0;
    } else if (key->protocol == TRK_PROTO_MORPHO_BLUE && sp->flags == ROW_MORPHO &&
               sp->extra_len >= 125) {
        rpc_hash32 id;
        rpc_addr loan, coll;
        memcpy(where.b, sp->extra, 20);
        memcpy(id.b, sp->extra + 20, 32);
        memcpy(loan.b, sp->extra + 84, 20);
        memcpy(coll.b, sp->extra + 104, 20);
        if (pos_get(l, &p, TRK_PROTO_MORPHO_BLUE, &key->address, &where, &id))
            return -1;
        p->nh = 2;
        p->h[0].asset = coll;
        p->h[0].coll = sp->collateral;
        p->h[0].price = sp->price;
        p->h[1].asset = loan;
        rpc_u256_from_be32(&p->h[1].coll, sp->extra + 52);
        p->h[1].debt = sp->debt;
        p->hf = sp->hf;
        p->lt_bps = sp->liq_threshold;
        p->liq = sp->liq_price;
        p->coll_usd = sp->collateral_usd;
        p->debt_usd = sp->debt_usd;
        p->liq_kind = sp->extra[124];
    }
    return 0;
}

int trk_lending_reload(trk_lending *l, store *s)
{
    l->npos = 0;
    int rc = store_snapshot_latest(s, NULL, reload_row, l);
    if (rc) {
        l->npos = 0;
        return rc == -1 ? TRK_ENOMEM : TRK_ESTORE;
    }
    size_t w = 0; /* closed positions are not followed any more */
    for (size_t i = 0; i < l->npos; i++)
        if (trk_lend_pos_open(&l->pos[i]))
            l->pos[w++] = l->pos[i];
    l->npos = w;
    return TRK_OK;
}

/* ---- plan ------------------------------------------------------------------------ */

static int probe(trk_probes *ps, uint8_t what, const rpc_addr *kaddr, uint32_t protocol,
                 const uint8_t *kasset20, const rpc_addr *target, uint32_t sel, const uint8_t *w1,
                 const uint8_t *w2)
{
    store_pos_key k;
    memset(&k, 0, sizeof k);
    if (kaddr)
        k.address = *kaddr;
    k.protocol = protocol;
    memcpy(k.asset.b, kasset20, 20);
    uint8_t cd[68];
    size_t n = trk_lend_calldata(cd, sel, w1, w2);
    return trk_probe_call(ps, what, &k, target, cd, n);
}

static int plan_aave_prices(trk_probes *ps, const struct lend_pool *pool, const struct lend_pos *p)
{
    int rc = TRK_OK;
    uint8_t w[32];
    for (size_t i = 0; rc == TRK_OK && i <= p->nh; i++) {
        const rpc_addr *a = i < p->nh           ? &p->h[i].asset
                            : pool->ethref >= 0 ? &pool->res[pool->ethref].asset
                                                : NULL;
        if (!a)
            break;
        trk_lend_addr_word(w, a);
        rc = probe(ps, LP_AAVE_PRICE, &pool->pool, TRK_PROTO_AAVE_V3, a->b, &pool->oracle,
                   SEL_ASSET_PRICE, w, NULL);
    }
    return rc;
}

static int plan_aave_touch(trk_probes *ps, const struct lend_pool *pool, struct lend_pos *p,
                           const trk_event *ev)
{
    uint8_t wu[32], wa[32];
    trk_lend_addr_word(wu, &p->user);
    int rc = probe(ps, LP_AAVE_ACCOUNT, &p->user, TRK_PROTO_AAVE_V3, pool->pool.b, &pool->pool,
                   SEL_ACCOUNT, wu, NULL);
    /* the event's reserves join the position's holdings (zero until read) */
    const rpc_addr *assets[2] = {&ev->asset, &ev->asset2};
    for (int k = 0; k < 2; k++)
        if (trk_lend_reserve_of(pool, assets[k]) && !trk_lend_hold(p, assets[k], true))
            return TRK_ETOO_LARGE;
    for (size_t i = 0; rc == TRK_OK && i < p->nh; i++) {
        const struct lend_reserve *r = trk_lend_reserve_of(pool, &p->h[i].asset);
        if (!r)
            continue;
        trk_lend_addr_word(wa, &r->asset);
        rc = probe(ps, LP_AAVE_RESERVE, &p->user, TRK_PROTO_AAVE_V3, r->atoken.b, &pool->dp,
                   SEL_USER_RESERVE, wa, wu);
    }
    return rc;
}

static int plan_morpho(trk_probes *ps, const struct lend_market *m, const struct lend_pos *p,
                       bool touched)
{
    int rc = TRK_OK;
    if (touched) {
        uint8_t wu[32];
        trk_lend_addr_word(wu, &p->user);
        rc = probe(ps, LP_MB_POSITION, &p->user, TRK_PROTO_MORPHO_BLUE, m->id.b, &m->morpho,
                   SEL_POSITION, m->id.b, wu);
        if (rc == TRK_OK)
            rc = probe(ps, LP_MB_MARKET, NULL, TRK_PROTO_MORPHO_BLUE, m->id.b, &m->morpho,
                       SEL_MARKET, m->id.b, NULL);
    }
    if (rc == TRK_OK)
        rc = probe(ps, LP_MB_PRICE, NULL, TRK_PROTO_MORPHO_BLUE, m->id.b, &m->oracle, SEL_PRICE,
                   NULL, NULL);
    return rc;
}

static bool lending_event(const trk_event *ev)
{
    return ev->kind >= TRK_EV_LEND_SUPPLY &&
           (ev->protocol == TRK_PROTO_AAVE_V3 || ev->protocol == TRK_PROTO_MORPHO_BLUE);
}

int trk_lending_plan(trk_lending *l, trk_probes *ps, const trk_event *ev, size_t nev)
{
    int rc = TRK_OK;
    for (size_t i = 0; i < l->npos; i++)
        l->pos[i].touched = false; /* here: touched by ev; trk_lending_block sets its own */
    for (size_t i = 0; rc == TRK_OK && i < nev; i++) {
        if (!lending_event(&ev[i]))
            continue;
        struct lend_pos *p;
        if (ev[i].protocol == TRK_PROTO_AAVE_V3) {
            const struct lend_pool *pool = trk_lend_pool_of(l, &ev[i].contract);
            if (!pool || !pool->loaded)
                continue;
            rc = pos_get(l, &p, TRK_PROTO_AAVE_V3, &ev[i].from, &pool->pool, NULL);
            if (rc == TRK_OK)
                rc = plan_aave_touch(ps, pool, p, &ev[i]);
        } else {
            const struct lend_market *m = trk_lend_market_of(l, &ev[i].market);
            if (!m)
                continue;
            rc = pos_get(l, &p, TRK_PROTO_MORPHO_BLUE, &ev[i].from, &m->morpho, &m->id);
            if (rc == TRK_OK && p->nh < 2) {
                p->nh = 2;
                p->h[0].asset = m->coll;
                p->h[1].asset = m->loan;
            }
        }
        if (rc == TRK_OK)
            p->touched = true;
    }
    for (size_t i = 0; rc == TRK_OK && i < l->npos; i++) {
        struct lend_pos *p = &l->pos[i];
        if (p->protocol == TRK_PROTO_AAVE_V3) {
            const struct lend_pool *pool = trk_lend_pool_of(l, &p->where);
            if (pool && pool->loaded)
                rc = plan_aave_prices(ps, pool, p);
        } else {
            const struct lend_market *m = trk_lend_market_of(l, &p->id);
            if (m)
                rc = plan_morpho(ps, m, p, p->touched);
        }
    }
    return rc;
}
