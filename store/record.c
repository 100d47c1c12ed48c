/* store/record.c — the on-disk byte layout of moves and position snapshots.
 * Each record starts with its version byte and a fixed header (a struct of bytes, so its
 * size is checked at compile time), then 256-bit numbers as length-prefixed big-endian
 * bytes without leading zeros. Decoders accept every version ever written. */
#include <assert.h>
#include <string.h>

#include "store/internal.h"
#include "store/record.h"

enum { MOVE_V1 = 1, POS_V1 = 1 };

/* Move record, version 1: header, then `nums` u256s (amount, usd, hf_before, hf_after,
 * liq_before, liq_after), then the entity name (name_len bytes), then for a retraction
 * retracts u64 | retracted_kind u16. A decoder reads the u256s it knows, zero-fills the
 * missing ones and skips extra ones, so later writers may append numbers. */
struct move_hdr_v1 {
    uint8_t version, severity, decimals, name_len;
    uint8_t kind[2], flags[2], protocol[4], log_index[4];
    uint8_t block[8], block_time[8];
    uint8_t address[20], asset[20], counterparty[20];
    uint8_t block_hash[32], tx_hash[32];
    uint8_t nums;
};
static_assert(sizeof(struct move_hdr_v1) == 4 + 12 + 16 + 60 + 64 + 1, "move header v1 size");
enum { MOVE_V1_NUMS = 6, MOVE_RETRACT_LEN = 10 };

/* Position record, version 1: header, then `nums` u256s (collateral, debt, price, hf,
 * liq_threshold, liq_price, collateral_usd, debt_usd) with the same rule, then extra_len
 * u16 | extra. */
struct pos_hdr_v1 {
    uint8_t version, decimals, flags, nums;
    uint8_t block_time[8];
};
static_assert(sizeof(struct pos_hdr_v1) == 12, "position header v1 size");
enum { POS_V1_NUMS = 8 };

static_assert(sizeof(struct move_hdr_v1) + MOVE_V1_NUMS * 33 + STORE_NAME_MAX + MOVE_RETRACT_LEN <=
                  STORE_MOVE_ENC_MAX,
              "STORE_MOVE_ENC_MAX holds any move");
static_assert(sizeof(struct pos_hdr_v1) + POS_V1_NUMS * 33 + 2 + STORE_EXTRA_MAX <=
                  STORE_POS_ENC_MAX,
              "STORE_POS_ENC_MAX holds any position");

const char *store_kind_name(unsigned kind)
{
    switch (kind) {
#define STORE_KIND_CASE_(name, code, text)                                                         \
    case (code):                                                                                   \
        return text;
        STORE_KINDS(STORE_KIND_CASE_)
#undef STORE_KIND_CASE_
    }
    return NULL;
}

/* A bounded writer and reader over a byte buffer; overflow is remembered, not UB. */
typedef struct wbuf {
    uint8_t *p;
    size_t cap, len;
    int over;
} wbuf;

static void w_bytes(wbuf *w, const void *src, size_t n)
{
    if (w->over || n > w->cap - w->len) {
        w->over = 1;
        return;
    }
    memcpy(w->p + w->len, src, n);
    w->len += n;
}

static void w_u256(wbuf *w, const rpc_u256 *v)
{
    uint8_t be[32];
    for (int limb = 0; limb < 4; limb++)
        be_put64(be + 8 * (3 - limb), v->w[limb]);
    size_t skip = 0;
    while (skip < 32 && be[skip] == 0)
        skip++;
    uint8_t n = (uint8_t)(32 - skip);
    w_bytes(w, &n, 1);
    w_bytes(w, be + skip, n);
}

typedef struct rbuf {
    const uint8_t *p;
    size_t len, pos;
    int bad;
} rbuf;

static const uint8_t *r_bytes(rbuf *r, size_t n)
{
    if (r->bad || n > r->len - r->pos) {
        r->bad = 1;
        return NULL;
    }
    const uint8_t *at = r->p + r->pos;
    r->pos += n;
    return at;
}

static void r_u256(rbuf *r, rpc_u256 *v)
{
    memset(v, 0, sizeof *v);
    const uint8_t *n = r_bytes(r, 1);
    if (!n)
        return;
    if (*n > 32) {
        r->bad = 1;
        return;
    }
    const uint8_t *src = r_bytes(r, *n);
    if (!src)
        return;
    uint8_t be[32] = {0};
    memcpy(be + 32 - *n, src, *n);
    for (int limb = 0; limb < 4; limb++)
        v->w[limb] = be_get64(be + 8 * (3 - limb));
}

static void be16_put(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static uint16_t be16_get(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

int store_move_encode(uint8_t *buf, size_t cap, size_t *len, const store_move *m)
{
    *len = 0;
    size_t name_len = strnlen(m->entity, sizeof m->entity);
    if (name_len > STORE_NAME_MAX)
        return STORE_EINVAL;
    struct move_hdr_v1 h;
    h.version = MOVE_V1;
    h.severity = m->severity;
    h.decimals = m->decimals;
    h.name_len = (uint8_t)name_len;
    be16_put(h.kind, m->kind);
    be16_put(h.flags, (uint16_t)(m->flags & ~STORE_MOVE_RETRACTED));
    be_put32(h.protocol, m->protocol);
    be_put32(h.log_index, m->log_index);
    be_put64(h.block, m->block);
    be_put64(h.block_time, m->block_time);
    memcpy(h.address, m->address.b, 20);
    memcpy(h.asset, m->asset.b, 20);
    memcpy(h.counterparty, m->counterparty.b, 20);
    memcpy(h.block_hash, m->block_hash.b, 32);
    memcpy(h.tx_hash, m->tx_hash.b, 32);
    h.nums = MOVE_V1_NUMS;
    wbuf w = {buf, cap, 0, 0};
    w_bytes(&w, &h, sizeof h);
    const rpc_u256 *nums[MOVE_V1_NUMS] = {&m->amount,   &m->usd,        &m->hf_before,
                                          &m->hf_after, &m->liq_before, &m->liq_after};
    for (int i = 0; i < MOVE_V1_NUMS; i++)
        w_u256(&w, nums[i]);
    w_bytes(&w, m->entity, name_len);
    if (m->kind == STORE_KIND_RETRACTED) {
        uint8_t t[MOVE_RETRACT_LEN];
        be_put64(t, m->retracts);
        be16_put(t + 8, m->retracted_kind);
        w_bytes(&w, t, sizeof t);
    }
    if (w.over)
        return STORE_ETOO_LARGE;
    *len = w.len;
    return 0;
}

static int move_decode_v1(store_move *m, rbuf *r)
{
    const uint8_t *hp = r_bytes(r, sizeof(struct move_hdr_v1));
    if (!hp)
        return STORE_ERECORD;
    struct move_hdr_v1 h;
    memcpy(&h, hp, sizeof h);
    if (h.name_len > STORE_NAME_MAX)
        return STORE_ERECORD;
    m->severity = h.severity;
    m->decimals = h.decimals;
    m->kind = be16_get(h.kind);
    m->flags = be16_get(h.flags);
    m->protocol = be_get32(h.protocol);
    m->log_index = be_get32(h.log_index);
    m->block = be_get64(h.block);
    m->block_time = be_get64(h.block_time);
    memcpy(m->address.b, h.address, 20);
    memcpy(m->asset.b, h.asset, 20);
    memcpy(m->counterparty.b, h.counterparty, 20);
    memcpy(m->block_hash.b, h.block_hash, 32);
    memcpy(m->tx_hash.b, h.tx_hash, 32);
    rpc_u256 *nums[MOVE_V1_NUMS] = {&m->amount,   &m->usd,        &m->hf_before,
                                    &m->hf_after, &m->liq_before, &m->liq_after};
    for (int i = 0; i < h.nums; i++) {
        rpc_u256 skip;
        r_u256(r, i < MOVE_V1_NUMS ? nums[i] : &skip);
    }
    const uint8_t *name = r_bytes(r, h.name_len);
    if (name) {
        memcpy(m->entity, name, h.name_len);
        m->entity[h.name_len] = '\0';
        if (memchr(m->entity, '\0', h.name_len))
            return STORE_ERECORD;
    }
    if (m->kind == STORE_KIND_RETRACTED) {
        const uint8_t *t = r_bytes(r, MOVE_RETRACT_LEN);
        if (t) {
            m->retracts = be_get64(t);
            m->retracted_kind = be16_get(t + 8);
        }
    }
    if (r->bad || r->pos != r->len)
        return STORE_ERECORD;
    return 0;
}

int store_move_decode(store_move *m, uint64_t seq, const uint8_t *buf, size_t len)
{
    memset(m, 0, sizeof *m);
    if (len < 1)
        return STORE_ERECORD;
    rbuf r = {buf, len, 0, 0};
    int rc;
    switch (buf[0]) {
    case MOVE_V1:
        rc = move_decode_v1(m, &r);
        break;
    default:
        rc = STORE_EVERSION;
        break;
    }
    if (rc) {
        memset(m, 0, sizeof *m);
        return rc;
    }
    m->seq = seq;
    return 0;
}

int store_pos_encode(uint8_t *buf, size_t cap, size_t *len, const store_position *p)
{
    *len = 0;
    if (p->extra_len > STORE_EXTRA_MAX)
        return STORE_EINVAL;
    struct pos_hdr_v1 h;
    h.version = POS_V1;
    h.decimals = p->decimals;
    h.flags = p->flags;
    h.nums = POS_V1_NUMS;
    be_put64(h.block_time, p->block_time);
    wbuf w = {buf, cap, 0, 0};
    w_bytes(&w, &h, sizeof h);
    const rpc_u256 *nums[POS_V1_NUMS] = {
        &p->collateral,    &p->debt,      &p->price,          &p->hf,
        &p->liq_threshold, &p->liq_price, &p->collateral_usd, &p->debt_usd};
    for (int i = 0; i < POS_V1_NUMS; i++)
        w_u256(&w, nums[i]);
    uint8_t el[2];
    be16_put(el, p->extra_len);
    w_bytes(&w, el, 2);
    w_bytes(&w, p->extra, p->extra_len);
    if (w.over)
        return STORE_ETOO_LARGE;
    *len = w.len;
    return 0;
}

static int pos_decode_v1(store_position *p, rbuf *r)
{
    const uint8_t *hp = r_bytes(r, sizeof(struct pos_hdr_v1));
    if (!hp)
        return STORE_ERECORD;
    struct pos_hdr_v1 h;
    memcpy(&h, hp, sizeof h);
    p->decimals = h.decimals;
    p->flags = h.flags;
    p->block_time = be_get64(h.block_time);
    rpc_u256 *nums[POS_V1_NUMS] = {
        &p->collateral,    &p->debt,      &p->price,          &p->hf,
        &p->liq_threshold, &p->liq_price, &p->collateral_usd, &p->debt_usd};
    for (int i = 0; i < h.nums; i++) {
        rpc_u256 skip;
        r_u256(r, i < POS_V1_NUMS ? nums[i] : &skip);
    }
    const uint8_t *el = r_bytes(r, 2);
    if (!el)
        return STORE_ERECORD;
    uint16_t n = be16_get(el);
    if (n > STORE_EXTRA_MAX)
        return STORE_ERECORD;
    const uint8_t *extra = r_bytes(r, n);
    if (extra) {
        memcpy(p->extra, extra, n);
        p->extra_len = n;
    }
    if (r->bad || r->pos != r->len)
        return STORE_ERECORD;
    return 0;
}

int store_pos_decode(store_position *p, uint64_t block, const uint8_t *buf, size_t len)
{
    memset(p, 0, sizeof *p);
    if (len < 1)
        return STORE_ERECORD;
    rbuf r = {buf, len, 0, 0};
    int rc;
    switch (buf[0]) {
    case POS_V1:
        rc = pos_decode_v1(p, &r);
        break;
    default:
        rc = STORE_EVERSION;
        break;
    }
    if (rc) {
        memset(p, 0, sizeof *p);
        return rc;
    }
    p->block = block;
    return 0;
}
