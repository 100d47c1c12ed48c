/* tracker/lending_block.c — one block's lending answers -> positions and moves (snapshot
 * rows: lending_rows.c). Invariant: a move's "before" figures are the position as last
 * stored, its "after" figures the position read at this block; a position is stored
 * whenever it was read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/u256.h"
#include "tracker/lending_int.h"

enum {
    SEL_ACCOUNT = 0xbf92857c,
    SEL_USER_RESERVE = 0x28dd2d01,
};

/* The price read at this block for (where, key); NULL when none was. */
static const rpc_u256 *price_of(const struct trk_lend_blk *b, const rpc_addr *where,
                                const uint8_t *key)
{
    for (size_t i = 0; i < b->npr; i++)
        if (!memcmp(b->pr[i].where.b, where->b, 20) && !memcmp(b->pr[i].key, key, 20))
            return &b->pr[i].v;
    return NULL;
}

static const struct lend_market *market_by_key(const trk_lending *l, const uint8_t *key)
{
    for (size_t i = 0; i < l->nmk; i++)
        if (!memcmp(l->mk[i].id.b, key, 20))
            return &l->mk[i];
    return NULL;
}

static const struct lend_pool *pool_by_dp(const trk_lending *l, const rpc_addr *dp)
{
    for (size_t i = 0; i < l->npools; i++)
        if (!memcmp(l->pools[i].dp.b, dp->b, 20))
            return &l->pools[i];
    return NULL;
}

static struct lend_reserve *reserve_by_atoken(const struct lend_pool *p, const uint8_t *a)
{
    for (size_t i = 0; p && i < p->nres; i++)
        if (!memcmp(p->res[i].atoken.b, a, 20))
            return &p->res[i];
    return NULL;
}

/* Prices of this block into the holdings of p (the ones read; others keep theirs). */
static void take_prices(const struct trk_lend_blk *b, struct lend_pos *p)
{
    if (p->protocol == TRK_PROTO_MORPHO_BLUE) {
        rpc_addr zero = {{0}};
        const rpc_u256 *v = price_of(b, &zero, p->id.b);
        if (v && p->nh >= 1)
            p->h[0].price = *v;
        return;
    }
    for (size_t i = 0; i < p->nh; i++) {
        const rpc_u256 *v = price_of(b, &p->where, p->h[i].asset.b);
        if (v)
            p->h[i].price = *v;
    }
    const struct lend_pool *pool = trk_lend_pool_of(b->l, &p->where);
    if (pool && pool->ethref >= 0) {
        const rpc_u256 *v = price_of(b, &p->where, pool->res[pool->ethref].asset.b);
        if (v)
            p->eth_price = *v;
    }
}

/* ---- answers ---------------------------------------------------------------------- */

int trk_lend_fail(struct trk_lend_blk *b, int rc, const char *what)
{
    snprintf(b->why, b->whycap, "block %llu: %s", (unsigned long long)b->in->number, what);
    return rc;
}

static int aave_account(struct lend_pos *p, const trk_probe_result *r)
{
    if (!r->ok || r->nw < 6)
        return TRK_EDECODE;
    p->coll_usd = r->w[0];
    p->debt_usd = r->w[1];
    p->lt_bps = r->w[3];
    p->hf = r->w[5];
    return TRK_OK;
}

static int aave_reserve(struct lend_pos *p, const rpc_addr *asset, const trk_probe_result *r)
{
    if (!r->ok || r->nw < 9)
        return TRK_EDECODE;
    struct lend_hold *h = trk_lend_hold(p, asset, false);
    if (!h)
        return TRK_OK;
    h->coll = r->w[0];
    if (rpc_u256_add(&h->debt, &r->w[1], &r->w[2]))
        return TRK_EDECODE;
    h->coll_on = !rpc_u256_is_zero(&r->w[8]);
    return TRK_OK;
}

/* shares -> assets (SharesMathLib: virtual shares 1e6, virtual assets 1). */
static rpc_u256 to_assets(const rpc_u256 *shares, const rpc_u256 *ta, const rpc_u256 *ts, bool up)
{
    rpc_u256 one = rpc_u256_from_u64(1), vs = rpc_u256_from_u64(1000000), a1, s1, r, m;
    if (rpc_u256_add(&a1, ta, &one) || rpc_u256_add(&s1, ts, &vs) ||
        rpc_u256_muldiv(&r, shares, &a1, &s1))
        return rpc_u256_from_u64(0);
    if (up) { /* ceil: add one when shares * a1 is not a multiple of s1 */
        rpc_u256 prod, q;
        if (rpc_u256_mul(&prod, shares, &a1) == 0 && rpc_u256_divmod(&q, &m, &prod, &s1) == 0 &&
            !rpc_u256_is_zero(&m) && rpc_u256_add(&r, &r, &one))
            return rpc_u256_from_u64(0);
    }
    return r;
}

static int absorb(struct trk_lend_blk *b, const trk_probes *ps, const trk_probe_result *res)
{
    size_t n = 0;
    for (size_t j = 0; j < ps->n; j++)
        n += ps->v[j].what >= TRK_PROBE_LENDING;
    b->pr = calloc(n + 1, sizeof *b->pr);
    b->tot = calloc(n + 1, sizeof *b->tot);
    if (!b->pr || !b->tot)
        return TRK_ENOMEM;
    for (size_t j = 0; j < ps->n; j++) { /* prices and market totals first */
        const trk_probe *pr = &ps->v[j];
        const trk_probe_result *r = &res[j];
        if ((pr->what == LP_AAVE_PRICE || pr->what == LP_MB_PRICE) && r->ok) {
            struct price *x = &b->pr[b->npr++];
            if (pr->what == LP_AAVE_PRICE)
                x->where = pr->key.address;
            memcpy(x->key, pr->key.asset.b, 20);
            x->v = r->value;
        } else if (pr->what == LP_MB_MARKET) {
            if (!r->ok || r->nw < 4)
                return trk_lend_fail(b, TRK_EDECODE, "Morpho market() failed");
            struct totals *t = &b->tot[b->ntot++];
            memcpy(t->key, pr->key.asset.b, 20);
            t->supply_assets = r->w[0];
            t->supply_shares = r->w[1];
            t->borrow_assets = r->w[2];
            t->borrow_shares = r->w[3];
        }
    }
    for (size_t j = 0; j < ps->n; j++) {
        const trk_probe *pr = &ps->v[j];
        const trk_probe_result *r = &res[j];
        struct lend_pos *p = NULL;
        int rc = TRK_OK;
        if (pr->what == LP_AAVE_ACCOUNT) {
            p = trk_lend_pos_find(b->l, TRK_PROTO_AAVE_V3, &pr->key.address, &pr->key.asset, NULL);
            if (p && (rc = aave_account(p, r)))
                return trk_lend_fail(b, rc, "getUserAccountData failed");
        } else if (pr->what == LP_AAVE_RESERVE) {
            const struct lend_pool *pool = pool_by_dp(b->l, &pr->target);
            const struct lend_reserve *rv = reserve_by_atoken(pool, pr->key.asset.b);
            p = pool && rv ? trk_lend_pos_find(b->l, TRK_PROTO_AAVE_V3, &pr->key.address,
                                               &pool->pool, NULL)
                           : NULL;
            if (p && (rc = aave_reserve(p, &rv->asset, r)))
                return trk_lend_fail(b, rc, "getUserReserveData failed");
        } else if (pr->what == LP_MB_POSITION) {
            const struct lend_market *m = market_by_key(b->l, pr->key.asset.b);
            p = m ? trk_lend_pos_find(b->l, TRK_PROTO_MORPHO_BLUE, &pr->key.address, &m->morpho,
                                      m->id.b)
                  : NULL;
            const struct totals *t = NULL;
            for (size_t k = 0; k < b->ntot && m; k++)
                if (!memcmp(b->tot[k].key, m->id.b, 20))
                    t = &b->tot[k];
            if (p && (!r->ok || r->nw < 3 || !t))
                return trk_lend_fail(b, TRK_EDECODE, "Morpho position() failed");
            if (p && p->nh >= 2) {
                p->h[1].coll = to_assets(&r->w[0], &t->supply_assets, &t->supply_shares, false);
                p->h[1].debt = to_assets(&r->w[1], &t->borrow_assets, &t->borrow_shares, true);
                p->h[0].coll = r->w[2];
            }
        }
    }
    return TRK_OK;
}

/* ---- moves ------------------------------------------------------------------------ */

static int emit(struct trk_lend_blk *b, const struct lend_pos *p, uint16_t kind,
                const trk_event *ev, const rpc_addr *asset, const rpc_u256 *amount,
                uint8_t decimals, const rpc_u256 *usd, const rpc_addr *counterparty)
{
    const wl_entity *e = wl_entity_of(b->set, &p->user);
    if (!e)
        return TRK_OK;
    store_move m;
    memset(&m, 0, sizeof m);
    m.kind = kind;
    m.flags = STORE_MOVE_HAS_HF;
    m.protocol = p->protocol;
    m.block = b->in->number;
    m.block_time = b->in->time;
    m.block_hash = b->in->hash;
    m.log_index = ev ? ev->log_index : TRK_NO_LOG;
    if (ev)
        m.tx_hash = ev->tx_hash;
    m.address = p->user;
    if (asset)
        m.asset = *asset;
    if (counterparty)
        m.counterparty = *counterparty;
    if (amount)
        m.amount = *amount;
    if (usd)
        m.usd = *usd;
    m.decimals = decimals;
    m.hf_before = p->hf0;
    m.hf_after = p->hf;
    m.liq_before = p->liq0;
    m.liq_after = p->liq;
    rpc_u256 one = rpc_u256_pow10(18);
    m.severity = kind == STORE_KIND_LIQUIDATED || rpc_u256_cmp(&p->hf, &one) < 0            ? 3
                 : kind == STORE_KIND_HEALTH_FACTOR || kind == STORE_KIND_LIQUIDATION_PRICE ? 2
                                                                                            : 1;
    size_t n = strlen(e->name);
    if (n > STORE_NAME_MAX)
        n = STORE_NAME_MAX;
    memcpy(m.entity, e->name, n);
    if (!trk_rules_keep(wl_rules_of(b->set), &m))
        return TRK_OK;
    return trk_moves_push(b->out, &m);
}

/* Decimals and USD value (Aave: oracle base; Morpho: loan units, 8 decimals) of an amount
 * of asset in position p. */
static void value_of(const struct trk_lend_blk *b, const struct lend_pos *p, const rpc_addr *asset,
                     const rpc_u256 *amount, uint8_t *decimals, rpc_u256 *usd)
{
    memset(usd, 0, sizeof *usd);
    *decimals = 0;
    if (p->protocol == TRK_PROTO_AAVE_V3) {
        const struct lend_reserve *r =
            trk_lend_reserve_of(trk_lend_pool_of(b->l, &p->where), asset);
        const rpc_u256 *price = price_of(b, &p->where, asset->b);
        if (!r)
            return;
        *decimals = r->decimals;
        rpc_u256 unit = rpc_u256_pow10(r->decimals);
        if (price)
            *usd = trk_lend_mdiv(amount, price, &unit);
        return;
    }
    const struct lend_market *m = trk_lend_market_of(b->l, &p->id);
    if (!m)
        return;
    rpc_u256 e8 = rpc_u256_pow10(8), e36 = rpc_u256_pow10(36), unit_l = rpc_u256_pow10(m->loan_dec);
    if (!memcmp(asset->b, m->loan.b, 20)) {
        *decimals = m->loan_dec;
        *usd = trk_lend_mdiv(amount, &e8, &unit_l);
    } else {
        *decimals = m->coll_dec;
        rpc_u256 v = trk_lend_mdiv(amount, &p->h[0].price, &e36);
        *usd = trk_lend_mdiv(&v, &e8, &unit_l);
    }
}

static int leg(struct trk_lend_blk *b, const struct lend_pos *p, uint16_t kind, const trk_event *ev,
               const rpc_addr *asset, const rpc_u256 *amount)
{
    uint8_t dec;
    rpc_u256 usd;
    value_of(b, p, asset, amount, &dec, &usd);
    /* the other party when there is one: a liquidator, a repayer or caller for someone else */
    bool other = memcmp(ev->to.b, p->user.b, 20) != 0;
    return emit(b, p, kind, ev, asset, amount, dec, &usd, other ? &ev->to : NULL);
}

static int event_moves(struct trk_lend_blk *b, const trk_event *ev)
{
    struct lend_pos *p;
    const struct lend_market *m = NULL;
    if (ev->protocol == TRK_PROTO_AAVE_V3) {
        p = trk_lend_pos_find(b->l, TRK_PROTO_AAVE_V3, &ev->from, &ev->contract, NULL);
    } else {
        m = trk_lend_market_of(b->l, &ev->market);
        p = m ? trk_lend_pos_find(b->l, TRK_PROTO_MORPHO_BLUE, &ev->from, &m->morpho, m->id.b)
              : NULL;
    }
    if (!p || !p->touched)
        return TRK_OK;
    int rc = TRK_OK;
    p->last_ev = ev;
    if (!p->open0 && !p->said_open && trk_lend_pos_open(p)) {
        p->said_open = true;
        rc = emit(b, p, STORE_KIND_POSITION_OPENED, ev, NULL, NULL, 0, NULL, NULL);
    }
    const rpc_addr *loan = m ? &m->loan : &ev->asset, *coll = m ? &m->coll : &ev->asset;
    switch (rc ? 0 : ev->kind) {
    case TRK_EV_LEND_SUPPLY:
        return leg(b, p, STORE_KIND_SUPPLY, ev, loan, &ev->amount);
    case TRK_EV_LEND_SUPPLY_COLL:
        return leg(b, p, STORE_KIND_SUPPLY, ev, coll, &ev->amount);
    case TRK_EV_LEND_WITHDRAW:
        return leg(b, p, STORE_KIND_WITHDRAW, ev, loan, &ev->amount);
    case TRK_EV_LEND_WITHDRAW_COLL:
        return leg(b, p, STORE_KIND_WITHDRAW, ev, coll, &ev->amount);
    case TRK_EV_LEND_BORROW:
        return leg(b, p, STORE_KIND_BORROW, ev, loan, &ev->amount);
    case TRK_EV_LEND_REPAY:
        return leg(b, p, STORE_KIND_REPAY, ev, loan, &ev->amount);
    case TRK_EV_LEND_LIQUIDATED:
        /* two moves at one log index: the collateral seized, then the debt covered */
        rc = leg(b, p, STORE_KIND_LIQUIDATED, ev, coll, &ev->amount);
        return rc ? rc : leg(b, p, STORE_KIND_LIQUIDATED, ev, m ? loan : &ev->asset2, &ev->amount2);
    case TRK_EV_LEND_COLL_ON:
    case TRK_EV_LEND_COLL_OFF:
        return emit(b, p,
                    ev->kind == TRK_EV_LEND_COLL_ON ? STORE_KIND_COLLATERAL_ENABLED
                                                    : STORE_KIND_COLLATERAL_DISABLED,
                    ev, &ev->asset, NULL, 0, NULL, NULL);
    default:
        return rc; /* e-mode, flash loan: the position was re-read, no move of its own */
    }
}

/* ---- price moves without the owner ------------------------------------------------- */

static bool crosses(const rpc_u256 *a, const rpc_u256 *b, const rpc_u256 *line)
{
    return (rpc_u256_cmp(a, line) >= 0) != (rpc_u256_cmp(b, line) >= 0);
}

/* |b - a| > a * bp / 10,000, or one of them is none. */
static bool line_moved(const rpc_u256 *a, const rpc_u256 *b, uint32_t bp)
{
    if (rpc_u256_is_zero(a) != rpc_u256_is_zero(b))
        return true;
    if (rpc_u256_is_zero(a))
        return false;
    rpc_u256 d, lhs, rhs, tenk = rpc_u256_from_u64(10000), bpu = rpc_u256_from_u64(bp);
    int c = rpc_u256_cmp(a, b);
    if (rpc_u256_sub(&d, c > 0 ? a : b, c > 0 ? b : a))
        return false;
    if (rpc_u256_mul(&lhs, &d, &tenk) || rpc_u256_mul(&rhs, a, &bpu))
        return true;
    return rpc_u256_cmp(&lhs, &rhs) > 0;
}

static bool hf_crosses(const struct trk_lend_blk *b, const rpc_u256 *a, const rpc_u256 *c)
{
    rpc_u256 one = rpc_u256_pow10(18);
    return crosses(a, c, &wl_rules_of(b->set)->health_factor_warn) || crosses(a, c, &one);
}

/* Re-read an Aave position at this block: account data and every holding. */
static int reread_aave(struct trk_lend_blk *b, struct lend_pos *p, const struct lend_pool *pool)
{
    rpc_batch *rb = NULL;
    size_t first = 0;
    uint8_t wu[32], wa[32], cd[68];
    int rc = TRK_ENOMEM;
    if (rpc_batch_new(&rb))
        return TRK_ENOMEM;
    trk_lend_addr_word(wu, &p->user);
    size_t n = trk_lend_calldata(cd, SEL_ACCOUNT, wu, NULL), idx;
    if (rpc_batch_add_call(rb, &first, b->in->number, &pool->pool, cd, n))
        goto done;
    for (size_t i = 0; i < p->nh; i++) {
        trk_lend_addr_word(wa, &p->h[i].asset);
        n = trk_lend_calldata(cd, SEL_USER_RESERVE, wa, wu);
        if (rpc_batch_add_call(rb, &idx, b->in->number, &pool->dp, cd, n))
            goto done;
    }
    int r1 = b->io.send(b->io.ctx, rb);
    if (r1) {
        rc = trk_lend_fail(b, TRK_ERPC, rpc_strerror(r1));
        goto done;
    }
    for (size_t i = 0; i <= p->nh; i++) {
        rpc_bytes out = {0};
        trk_probe_result r;
        memset(&r, 0, sizeof r);
        r1 = rpc_batch_take_bytes(rb, first + i, &out);
        if (r1) {
            rc = trk_lend_fail(b, TRK_ERPC, rpc_strerror(r1));
            goto done;
        }
        r.ok = out.n >= 32;
        for (size_t k = 0; k < TRK_PROBE_WORDS && 32 * (k + 1) <= out.n; k++)
            rpc_u256_from_be32(&r.w[r.nw++], out.p + 32 * k);
        r.value = r.w[0];
        rpc_bytes_free(&out);
        rc = i == 0 ? aave_account(p, &r) : aave_reserve(p, &p->h[i - 1].asset, &r);
        if (rc) {
            rc = trk_lend_fail(b, rc, "re-reading a position failed");
            goto done;
        }
    }
    rc = TRK_OK;
done:
    rpc_batch_free(rb);
    return rc;
}

static bool prices_changed(const struct trk_lend_blk *b, const struct lend_pos *p)
{
    struct lend_pos q = *p;
    take_prices(b, &q);
    for (size_t i = 0; i < p->nh; i++)
        if (rpc_u256_cmp(&q.h[i].price, &p->h[i].price))
            return true;
    return rpc_u256_cmp(&q.eth_price, &p->eth_price) != 0;
}

/* An open position the block's events did not touch: its prices moved? Then the figures
 * at the new prices; a threshold about to be crossed is confirmed on the protocol's own
 * figures, reported, and stored. */
static int price_check(struct trk_lend_blk *b, struct lend_pos *p)
{
    if (p->touched || !trk_lend_pos_open(p) || !prices_changed(b, p))
        return TRK_OK;
    struct lend_pos q = *p;
    take_prices(b, &q);
    int rc = trk_lend_eval(b->l, &q, false);
    if (rc)
        return rc;
    uint32_t bp = wl_rules_of(b->set)->liquidation_price_move_bp;
    if (!hf_crosses(b, &p->hf, &q.hf) && !line_moved(&p->liq, &q.liq, bp) &&
        q.liq_kind == p->liq_kind)
        return TRK_OK;
    if (p->protocol == TRK_PROTO_AAVE_V3) { /* confirm with the protocol's own figures */
        const struct lend_pool *pool = trk_lend_pool_of(b->l, &p->where);
        if (!pool || (rc = reread_aave(b, &q, pool)) || (rc = trk_lend_eval(b->l, &q, true)))
            return rc;
    }
    q.hf0 = p->hf;
    q.liq0 = p->liq;
    bool hf_move = hf_crosses(b, &p->hf, &q.hf);
    bool liq_move = line_moved(&p->liq, &q.liq, bp) || q.liq_kind != p->liq_kind;
    *p = q;
    const struct lend_pool *pool = trk_lend_pool_of(b->l, &p->where);
    const struct lend_market *m = trk_lend_market_of(b->l, &p->id);
    const rpc_addr *asset =
        p->protocol == TRK_PROTO_AAVE_V3
            ? (pool && pool->ethref >= 0 ? &pool->res[pool->ethref].asset : NULL)
            : (m ? &m->coll : NULL);
    if (hf_move)
        rc = emit(b, p, STORE_KIND_HEALTH_FACTOR, NULL, asset, NULL, 0, &p->debt_usd, &p->where);
    if (rc == TRK_OK && liq_move)
        rc =
            emit(b, p, STORE_KIND_LIQUIDATION_PRICE, NULL, asset, NULL, 0, &p->debt_usd, &p->where);
    return rc ? rc : trk_lend_write_pos(b, p);
}

int trk_lending_block(trk_lending *l, trk_moves *out, size_t first, store_batch *batch, char *why,
                      size_t whycap, trk_io io, const trk_block_in *in, const trk_probes *ps,
                      const trk_probe_result *res, const wl_set *set)
{
    struct trk_lend_blk b;
    memset(&b, 0, sizeof b);
    b.l = l;
    b.in = in;
    b.set = set;
    b.batch = batch;
    b.out = out;
    b.io = io;
    b.why = why;
    b.whycap = whycap;
    for (size_t i = 0; i < l->npos; i++) {
        struct lend_pos *p = &l->pos[i];
        p->touched = false;
        for (size_t k = 0; k < in->nev && !p->touched; k++) {
            const trk_event *ev = &in->ev[k];
            if (ev->kind < TRK_EV_LEND_SUPPLY || ev->protocol != p->protocol ||
                memcmp(ev->from.b, p->user.b, 20))
                continue;
            p->touched = p->protocol == TRK_PROTO_AAVE_V3 ? !memcmp(ev->contract.b, p->where.b, 20)
                                                          : !memcmp(ev->market.b, p->id.b, 32);
        }
        p->hf0 = p->hf;
        p->liq0 = p->liq;
        p->open0 = trk_lend_pos_open(p);
        p->said_open = false;
        p->wrote = false;
        p->last_ev = NULL;
    }
    int rc = absorb(&b, ps, res);
    for (size_t i = 0; rc == TRK_OK && i < l->npos; i++) {
        struct lend_pos *p = &l->pos[i];
        if (!p->touched)
            continue;
        take_prices(&b, p);
        rc = trk_lend_eval(l, p, p->protocol == TRK_PROTO_AAVE_V3);
    }
    for (size_t i = 0; rc == TRK_OK && i < in->nev; i++)
        if (in->ev[i].kind >= TRK_EV_LEND_SUPPLY && wl_entity_of(set, &in->ev[i].from))
            rc = event_moves(&b, &in->ev[i]);
    for (size_t i = 0; rc == TRK_OK && i < l->npos; i++) {
        struct lend_pos *p = &l->pos[i];
        if (p->touched) {
            if (p->open0 && !trk_lend_pos_open(p) && p->last_ev)
                rc = emit(&b, p, STORE_KIND_POSITION_CLOSED, p->last_ev, NULL, NULL, 0, NULL, NULL);
            if (rc == TRK_OK)
                rc = trk_lend_write_pos(&b, p);
        } else {
            rc = price_check(&b, p);
        }
    }
    if (rc == TRK_OK)
        rc = trk_lend_write_entities(&b);
    if (rc == TRK_OK)
        trk_lend_drop_explained(&b, first);
    free(b.pr);
    free(b.tot);
    return rc;
}
