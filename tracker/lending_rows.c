/* tracker/lending_rows.c — what one block's lending work leaves behind: position snapshot
 * rows (per Aave account and reserve, per Morpho position, per entity) and the block's move
 * list without the wallet transfers a lending event explains. Invariant: every row written
 * is one trk_lending_reload can read back (or, for entity rows, skips). */
#include <string.h>

#include "rpc/u256.h"
#include "tracker/lending_int.h"

/* ---- snapshots -------------------------------------------------------------------- */

static int put(struct trk_lend_blk *b, const store_pos_key *k, const store_position *sp)
{
    int rc = store_batch_snapshot(b->batch, k, sp);
    if (rc)
        return trk_lend_fail(b, rc == STORE_ENOMEM ? TRK_ENOMEM : TRK_ETOO_LARGE,
                             store_strerror(rc));
    return TRK_OK;
}

int trk_lend_write_pos(struct trk_lend_blk *b, struct lend_pos *p)
{
    store_pos_key k;
    store_position sp;
    p->wrote = true;
    memset(&k, 0, sizeof k);
    memset(&sp, 0, sizeof sp);
    k.address = p->user;
    k.protocol = p->protocol;
    sp.block = b->in->number;
    sp.block_time = b->in->time;
    sp.hf = p->hf;
    sp.liq_threshold = p->lt_bps;
    sp.liq_price = p->liq;
    sp.collateral_usd = p->coll_usd;
    sp.debt_usd = p->debt_usd;
    if (p->protocol == TRK_PROTO_MORPHO_BLUE) {
        const struct lend_market *m = trk_lend_market_of(b->l, &p->id);
        memcpy(k.asset.b, p->id.b, 20);
        sp.flags = ROW_MORPHO;
        sp.decimals = m ? m->coll_dec : 0;
        sp.collateral = p->h[0].coll;
        sp.debt = p->h[1].debt;
        sp.price = p->h[0].price;
        memcpy(sp.extra, p->where.b, 20);
        memcpy(sp.extra + 20, p->id.b, 32);
        rpc_u256_to_be32(sp.extra + 52, &p->h[1].coll);
        memcpy(sp.extra + 84, p->h[1].asset.b, 20);
        memcpy(sp.extra + 104, p->h[0].asset.b, 20);
        sp.extra[124] = p->liq_kind;
        sp.extra_len = 125;
        return put(b, &k, &sp);
    }
    const struct lend_pool *pool = trk_lend_pool_of(b->l, &p->where);
    k.asset = p->where;
    sp.flags = ROW_ACCOUNT;
    sp.decimals = 8;
    sp.price = p->eth_price;
    sp.extra[0] = p->liq_kind;
    sp.extra_len = 1;
    int rc = put(b, &k, &sp);
    for (size_t i = 0; rc == TRK_OK && i < p->nh; i++) {
        const struct lend_hold *h = &p->h[i];
        const struct lend_reserve *r = trk_lend_reserve_of(pool, &h->asset);
        if (!r)
            continue;
        memset(&sp, 0, sizeof sp);
        k.asset = r->atoken;
        sp.block = b->in->number;
        sp.block_time = b->in->time;
        sp.flags = ROW_RESERVE;
        sp.decimals = r->decimals;
        sp.collateral = h->coll;
        sp.debt = h->debt;
        sp.price = h->price;
        sp.liq_threshold = rpc_u256_from_u64(r->lt_bps);
        memcpy(sp.extra, p->where.b, 20);
        memcpy(sp.extra + 20, h->asset.b, 20);
        sp.extra[40] = h->coll_on;
        sp.extra_len = 41;
        rc = put(b, &k, &sp);
    }
    return rc;
}

/* The entity row of every entity one of whose Aave positions was stored in this block:
 * key (its first address, aave-v3, zero asset); hf and liq_price over all its Aave
 * positions (tracker/liq.h on the union of their assets), collateral_usd the
 * threshold-weighted collateral, debt_usd the debt, extra[0] the line's kind. */
int trk_lend_write_entities(struct trk_lend_blk *b)
{
    for (size_t i = 0; i < wl_entity_count(b->set); i++) {
        const wl_entity *e = wl_entity_at(b->set, i);
        bool wrote = false;
        for (size_t k = 0; k < b->l->npos && !wrote; k++) {
            const struct lend_pos *p = &b->l->pos[k];
            wrote =
                p->wrote && p->protocol == TRK_PROTO_AAVE_V3 && wl_entity_of(b->set, &p->user) == e;
        }
        if (!wrote || e->naddrs == 0)
            continue;
        struct trk_liq q;
        int rc = trk_lend_entity_line(&q, b->l, e);
        if (rc)
            return trk_lend_fail(b, rc, "an entity's liquidation line");
        store_pos_key k;
        store_position sp;
        memset(&k, 0, sizeof k);
        memset(&sp, 0, sizeof sp);
        k.address = e->addrs[0];
        k.protocol = TRK_PROTO_AAVE_V3;
        sp.block = b->in->number;
        sp.block_time = b->in->time;
        sp.flags = ROW_ENTITY;
        sp.decimals = 8;
        sp.hf = q.hf_wad;
        sp.liq_price = q.price;
        rpc_u256 wad = rpc_u256_pow10(18), one = rpc_u256_from_u64(1);
        sp.collateral_usd = trk_lend_mdiv(&q.coll_lt, &one, &wad);
        sp.debt_usd = trk_lend_mdiv(&q.debt, &one, &wad);
        sp.extra[0] = (uint8_t)q.kind;
        sp.extra_len = 1;
        if ((rc = put(b, &k, &sp)))
            return rc;
    }
    return TRK_OK;
}

/* ---- wallet moves a lending event explains ---------------------------------------- */

static bool protocol_contract(const trk_lending *l, const rpc_addr *a)
{
    for (size_t i = 0; i < l->npools; i++) {
        const struct lend_pool *p = &l->pools[i];
        if (!memcmp(p->pool.b, a->b, 20))
            return true;
        for (size_t k = 0; k < p->nres; k++)
            if (!memcmp(p->res[k].atoken.b, a->b, 20) || !memcmp(p->res[k].sdebt.b, a->b, 20) ||
                !memcmp(p->res[k].vdebt.b, a->b, 20))
                return true;
    }
    for (size_t i = 0; i < l->nmk; i++)
        if (!memcmp(l->mk[i].morpho.b, a->b, 20))
            return true;
    return false;
}

static bool lending_tx(const trk_block_in *in, const rpc_hash32 *tx)
{
    for (size_t i = 0; i < in->nev; i++)
        if (in->ev[i].kind >= TRK_EV_LEND_SUPPLY && !memcmp(in->ev[i].tx_hash.b, tx->b, 32))
            return true;
    return false;
}

void trk_lend_drop_explained(struct trk_lend_blk *b, size_t first)
{
    static const rpc_addr zero = {{0}};
    size_t w = first;
    for (size_t i = first; i < b->out->n; i++) {
        const store_move *m = &b->out->v[i];
        bool wallet = m->protocol == TRK_PROTO_WALLET && m->kind >= STORE_KIND_TRANSFER_OUT &&
                      m->kind <= STORE_KIND_EXCHANGE_WITHDRAWAL;
        bool explained =
            wallet && m->log_index != TRK_NO_LOG && lending_tx(b->in, &m->tx_hash) &&
            (!memcmp(m->counterparty.b, zero.b, 20) || protocol_contract(b->l, &m->counterparty));
        if (!explained)
            b->out->v[w++] = *m;
    }
    b->out->n = w;
    for (size_t i = first + 1; i < b->out->n; i++) { /* by log index, stable */
        store_move m = b->out->v[i];
        size_t j = i;
        while (j > first && b->out->v[j - 1].log_index > m.log_index) {
            b->out->v[j] = b->out->v[j - 1];
            j--;
        }
        b->out->v[j] = m;
    }
}
