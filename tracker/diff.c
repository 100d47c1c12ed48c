/* tracker/diff.c — events and native readings of one block -> moves. Invariant: a move's
 * amount is exactly a log's value or an exact balance difference; nothing is estimated. */
#include <stdlib.h>
#include <string.h>

#include "rpc/u256.h"
#include "tracker/grow.h"
#include "tracker/diff.h"

int trk_moves_push(trk_moves *ms, const store_move *m)
{
    void *grown = trk_grow(ms->v, &ms->cap, ms->n, sizeof *ms->v);
    if (!grown)
        return TRK_ENOMEM;
    ms->v = grown;
    ms->v[ms->n++] = *m;
    return TRK_OK;
}

void trk_moves_reset(trk_moves *ms)
{
    ms->n = 0;
}

void trk_moves_free(trk_moves *ms)
{
    if (!ms)
        return;
    free(ms->v);
    memset(ms, 0, sizeof *ms);
}

/* The rules' kind for a store kind; -1 when the rules have no USD threshold for it. */
static int wl_kind_of(unsigned kind)
{
    switch (kind) {
    case STORE_KIND_TRANSFER_OUT: return WL_KIND_TRANSFER_OUT;
    case STORE_KIND_TRANSFER_IN: return WL_KIND_TRANSFER_IN;
    case STORE_KIND_EXCHANGE_DEPOSIT: return WL_KIND_EXCHANGE_DEPOSIT;
    case STORE_KIND_EXCHANGE_WITHDRAWAL: return WL_KIND_EXCHANGE_WITHDRAWAL;
    case STORE_KIND_SUPPLY: return WL_KIND_SUPPLY;
    case STORE_KIND_WITHDRAW: return WL_KIND_WITHDRAW;
    case STORE_KIND_BORROW: return WL_KIND_BORROW;
    case STORE_KIND_REPAY: return WL_KIND_REPAY;
    case STORE_KIND_LIQUIDATED: return WL_KIND_LIQUIDATED;
    default: return -1;
    }
}

bool trk_rules_keep(const wl_rules *r, const store_move *m)
{
    int k = wl_kind_of(m->kind);
    if (k < 0 || rpc_u256_is_zero(&m->usd))
        return true;
    return rpc_u256_cmp(&m->usd, &r->min_usd_kind[k]) >= 0;
}

static void move_base(store_move *m, const trk_block_in *b, const wl_entity *e,
                      const rpc_addr *address)
{
    memset(m, 0, sizeof *m);
    m->block = b->number;
    m->block_time = b->time;
    m->block_hash = b->hash;
    m->address = *address;
    size_t n = strlen(e->name);
    if (n > STORE_NAME_MAX)
        n = STORE_NAME_MAX; /* wl keeps names short; a longer one is cut, not refused */
    memcpy(m->entity, e->name, n);
    m->entity[n] = '\0';
}

static int keep(trk_moves *out, const wl_set *set, const store_move *m)
{
    if (!trk_rules_keep(wl_rules_of(set), m))
        return TRK_OK;
    return trk_moves_push(out, m);
}

/* One side of a transfer: `self` is watched (entity e), `other` the counterparty. */
static int transfer_side(trk_moves *out, const trk_block_in *b, const wl_set *set,
                         const trk_event *ev, const wl_entity *e, bool outgoing)
{
    store_move m;
    const rpc_addr *self = outgoing ? &ev->from : &ev->to;
    const rpc_addr *other = outgoing ? &ev->to : &ev->from;
    move_base(&m, b, e, self);
    bool exch = wl_exchange_of(set, other) != NULL;
    if (outgoing)
        m.kind = exch ? STORE_KIND_EXCHANGE_DEPOSIT : STORE_KIND_TRANSFER_OUT;
    else
        m.kind = exch ? STORE_KIND_EXCHANGE_WITHDRAWAL : STORE_KIND_TRANSFER_IN;
    m.protocol = ev->protocol;
    m.decimals = ev->decimals;
    m.log_index = ev->log_index;
    m.tx_hash = ev->tx_hash;
    m.asset = ev->asset;
    m.counterparty = *other;
    m.amount = ev->amount;
    return keep(out, set, &m);
}

static int transfer_moves(trk_moves *out, const trk_block_in *b, const wl_set *set,
                          const trk_event *ev)
{
    const wl_entity *ef = wl_entity_of(set, &ev->from);
    const wl_entity *et = wl_entity_of(set, &ev->to);
    if (ef && et && ef == et)
        return TRK_OK; /* inside one entity */
    int rc = TRK_OK;
    if (ef)
        rc = transfer_side(out, b, set, ev, ef, true);
    if (rc == TRK_OK && et)
        rc = transfer_side(out, b, set, ev, et, false);
    return rc;
}

/* The native change of one address not explained by its wraps and unwraps in this block. */
static int native_move(trk_moves *out, const trk_block_in *b, const wl_set *set,
                       const trk_native *nat, const trk_diff_opts *o)
{
    const wl_entity *e = wl_entity_of(set, &nat->address);
    if (!e)
        return TRK_OK;
    rpc_u256 plus = nat->after, minus = nat->before, rest;
    for (size_t i = 0; i < b->nev; i++) {
        const trk_event *ev = &b->ev[i];
        if (ev->kind == TRK_EV_WRAP && !memcmp(&ev->to, &nat->address, 20)) {
            if (rpc_u256_add(&plus, &plus, &ev->amount))
                return TRK_EDECODE;
        } else if (ev->kind == TRK_EV_UNWRAP && !memcmp(&ev->from, &nat->address, 20)) {
            if (rpc_u256_add(&minus, &minus, &ev->amount))
                return TRK_EDECODE;
        }
    }
    bool incoming = rpc_u256_cmp(&plus, &minus) > 0;
    if (rpc_u256_sub(&rest, incoming ? &plus : &minus, incoming ? &minus : &plus))
        return TRK_EDECODE;
    if (rpc_u256_is_zero(&rest) || rpc_u256_cmp(&rest, &o->native_dust) < 0)
        return TRK_OK;
    store_move m;
    move_base(&m, b, e, &nat->address);
    m.kind = incoming ? STORE_KIND_TRANSFER_IN : STORE_KIND_TRANSFER_OUT;
    m.protocol = TRK_PROTO_WALLET;
    m.decimals = 18;
    m.log_index = TRK_NO_LOG;
    m.amount = rest;
    return keep(out, set, &m);
}

int trk_diff_block(trk_moves *out, const trk_block_in *b, const wl_set *set,
                   const trk_diff_opts *o)
{
    size_t start = out->n;
    int rc = TRK_OK;
    for (size_t i = 0; rc == TRK_OK && i < b->nev; i++)
        if (b->ev[i].kind == TRK_EV_TRANSFER)
            rc = transfer_moves(out, b, set, &b->ev[i]);
    for (size_t i = 0; rc == TRK_OK && i < b->nnat; i++)
        rc = native_move(out, b, set, &b->nat[i], o);
    if (rc)
        out->n = start;
    return rc;
}
