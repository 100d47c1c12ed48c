/* rpc/rlp.c — strict RLP decoder and a capped, growing RLP encoder.
 * Invariant (decoder): an item handed out has been validated down to its leaves, so
 * its raw bytes are the one canonical encoding of its value. Invariant (encoder):
 * e->len <= e->alloc <= e->max, and once e->err is set the buffer no longer changes. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/rlp.h"
#include "rpc/u256.h"

/* Read the header at p[0..n). Out: *hlen header bytes, *plen payload bytes, *is_list.
 * A single byte < 0x80 is its own payload (hlen 0, plen 1). Checks canonical form and
 * that the payload fits in p[0..n). */
static int header(const uint8_t *p, size_t n, size_t *hlen, size_t *plen, bool *is_list)
{
    if (n == 0)
        return RPC_ERLP;
    uint8_t b = p[0];
    if (b < 0x80) {
        *hlen = 0;
        *plen = 1;
        *is_list = false;
        return RPC_OK;
    }
    *is_list = b >= 0xc0;
    uint8_t base = *is_list ? 0xc0 : 0x80;
    size_t len;
    if (b - base <= 55) {
        len = (size_t)(b - base);
        *hlen = 1;
        /* one byte below 0x80 must be encoded as itself */
        if (!*is_list && len == 1 && (n < 2 || p[1] < 0x80))
            return RPC_ERLP;
    } else {
        size_t ll = (size_t)(b - base - 55); /* 1..8 length bytes */
        if (ll > n - 1 || ll > sizeof(size_t) || p[1] == 0)
            return RPC_ERLP;
        len = 0;
        for (size_t i = 0; i < ll; i++)
            len = (len << 8) | p[1 + i];
        if (len < 56) /* the short form was required */
            return RPC_ERLP;
        *hlen = 1 + ll;
    }
    if (len > n - *hlen)
        return RPC_ERLP;
    *plen = len;
    return RPC_OK;
}

/* Fill *it from the header at p[0..n) (not necessarily spanning n). */
static int item_at(rpc_rlp_item *it, const uint8_t *p, size_t n)
{
    size_t hlen, plen;
    bool is_list;
    int rc = header(p, n, &hlen, &plen, &is_list);
    if (rc)
        return rc;
    it->raw = p;
    it->raw_len = hlen + plen;
    it->payload = p + hlen;
    it->len = plen;
    it->is_list = is_list;
    return RPC_OK;
}

/* Validate every item of the list payload p[0..n); depth counts the enclosing lists. */
static int check_list(const uint8_t *p, size_t n, unsigned depth)
{
    if (depth > RPC_RLP_MAX_DEPTH)
        return RPC_ERLP;
    while (n > 0) {
        rpc_rlp_item it;
        int rc = item_at(&it, p, n);
        if (rc)
            return rc;
        if (it.is_list && (rc = check_list(it.payload, it.len, depth + 1)) != 0)
            return rc;
        p += it.raw_len;
        n -= it.raw_len;
    }
    return RPC_OK;
}

int rpc_rlp_decode(rpc_rlp_item *item, const uint8_t *in, size_t n)
{
    assert(item && (in || n == 0));
    memset(item, 0, sizeof *item);
    rpc_rlp_item it;
    int rc = item_at(&it, in, n);
    if (rc == 0 && it.raw_len != n)
        rc = RPC_ERLP; /* trailing bytes */
    if (rc == 0 && it.is_list)
        rc = check_list(it.payload, it.len, 1);
    if (rc == 0)
        *item = it;
    return rc;
}

int rpc_rlp_next(rpc_rlp_item *child, size_t *pos, const rpc_rlp_item *list)
{
    assert(child && pos && list);
    memset(child, 0, sizeof *child);
    if (!list->is_list || *pos > list->len)
        return RPC_ERLP;
    if (*pos == list->len)
        return RPC_ENOTFOUND;
    rpc_rlp_item it;
    int rc = item_at(&it, list->payload + *pos, list->len - *pos);
    if (rc)
        return rc;
    *child = it;
    *pos += it.raw_len;
    return RPC_OK;
}

int rpc_rlp_items(rpc_rlp_item *out, size_t max, size_t *count, const rpc_rlp_item *list)
{
    assert(out || max == 0);
    assert(count && list);
    *count = 0;
    size_t pos = 0, k = 0;
    rpc_rlp_item it;
    int rc;
    while ((rc = rpc_rlp_next(&it, &pos, list)) == RPC_OK) {
        if (k == max) {
            rc = RPC_ETOO_LARGE;
            break;
        }
        out[k++] = it;
    }
    if (rc != RPC_ENOTFOUND) {
        memset(out, 0, k * sizeof *out);
        return rc;
    }
    *count = k;
    return RPC_OK;
}

/* A canonical integer's payload: a string without a leading zero byte. */
static int int_payload(const rpc_rlp_item *item, size_t maxlen)
{
    if (item->is_list || (item->len > 0 && item->payload[0] == 0))
        return RPC_ERLP;
    return item->len > maxlen ? RPC_ETOO_LARGE : RPC_OK;
}

int rpc_rlp_u64(uint64_t *v, const rpc_rlp_item *item)
{
    assert(v && item);
    *v = 0;
    int rc = int_payload(item, 8);
    if (rc)
        return rc;
    uint64_t x = 0;
    for (size_t i = 0; i < item->len; i++)
        x = (x << 8) | item->payload[i];
    *v = x;
    return RPC_OK;
}

int rpc_rlp_u256(rpc_u256 *v, const rpc_rlp_item *item)
{
    assert(v && item);
    memset(v, 0, sizeof *v);
    int rc = int_payload(item, 32);
    if (rc)
        return rc;
    return rpc_u256_from_be(v, item->payload, item->len);
}

int rpc_rlp_fixed(uint8_t *out, size_t n, const rpc_rlp_item *item)
{
    assert((out || n == 0) && item);
    if (item->is_list || item->len != n) {
        if (n)
            memset(out, 0, n);
        return RPC_ERLP;
    }
    if (n)
        memcpy(out, item->payload, n);
    return RPC_OK;
}

/* Write a header for a payload of len bytes with short-form base (0x80 or 0xc0). */
static size_t put_header(uint8_t out[9], uint8_t base, size_t len)
{
    if (len <= 55) {
        out[0] = (uint8_t)(base + len);
        return 1;
    }
    size_t ll = 0;
    for (size_t x = len; x; x >>= 8)
        ll++;
    out[0] = (uint8_t)(base + 55 + ll);
    for (size_t i = 0; i < ll; i++)
        out[1 + i] = (uint8_t)(len >> (8 * (ll - 1 - i)));
    return 1 + ll;
}

size_t rpc_rlp_list_header(uint8_t out[9], size_t len)
{
    return put_header(out, 0xc0, len);
}

void rpc_rlp_enc_init(rpc_rlp_enc *e, size_t max)
{
    assert(e);
    memset(e, 0, sizeof *e);
    e->max = max;
}

/* Make room for need more bytes. Returns false (and sets e->err) when it cannot. */
static bool reserve(rpc_rlp_enc *e, size_t need)
{
    if (e->err)
        return false;
    if (need > e->max - e->len) {
        e->err = RPC_ETOO_LARGE;
        return false;
    }
    if (need <= e->alloc - e->len)
        return true;
    size_t want = e->len + need; /* <= e->max */
    size_t grown = e->alloc ? e->alloc : 64;
    while (grown < want)
        grown = grown > SIZE_MAX / 2 ? want : grown * 2;
    if (grown > e->max)
        grown = e->max;
    uint8_t *p = realloc(e->buf, grown);
    if (!p) {
        e->err = RPC_ENOMEM;
        return false;
    }
    e->buf = p;
    e->alloc = grown;
    return true;
}

void rpc_rlp_enc_raw(rpc_rlp_enc *e, const uint8_t *p, size_t n)
{
    assert(e && (p || n == 0));
    if (n == 0 || !reserve(e, n))
        return;
    memcpy(e->buf + e->len, p, n);
    e->len += n;
}

void rpc_rlp_enc_bytes(rpc_rlp_enc *e, const uint8_t *p, size_t n)
{
    assert(e && (p || n == 0));
    if (n == 1 && p[0] < 0x80) {
        rpc_rlp_enc_raw(e, p, 1);
        return;
    }
    uint8_t h[9];
    size_t hl = put_header(h, 0x80, n);
    if (n > SIZE_MAX - sizeof h) {
        if (!e->err)
            e->err = RPC_ETOO_LARGE;
        return;
    }
    if (!reserve(e, hl + n)) /* the whole item or nothing */
        return;
    memcpy(e->buf + e->len, h, hl);
    if (n)
        memcpy(e->buf + e->len + hl, p, n);
    e->len += hl + n;
}

size_t rpc_rlp_put_u64(uint8_t out[9], uint64_t v)
{
    if (v > 0 && v < 0x80) {
        out[0] = (uint8_t)v;
        return 1;
    }
    size_t n = 0;
    for (uint64_t x = v; x; x >>= 8)
        n++;
    out[0] = (uint8_t)(0x80 + n);
    for (size_t i = 0; i < n; i++)
        out[1 + i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    return 1 + n;
}

void rpc_rlp_enc_u64(rpc_rlp_enc *e, uint64_t v)
{
    uint8_t b[9];
    size_t n = rpc_rlp_put_u64(b, v);
    rpc_rlp_enc_raw(e, b, n);
}

void rpc_rlp_enc_u256(rpc_rlp_enc *e, const rpc_u256 *v)
{
    assert(v);
    uint8_t b[32];
    rpc_u256_to_be32(b, v);
    size_t skip = 0;
    while (skip < 32 && b[skip] == 0)
        skip++;
    rpc_rlp_enc_bytes(e, b + skip, 32 - skip);
}

size_t rpc_rlp_enc_list_begin(rpc_rlp_enc *e)
{
    assert(e);
    return e->len;
}

void rpc_rlp_enc_list_end(rpc_rlp_enc *e, size_t mark)
{
    assert(e && mark <= e->len);
    if (e->err)
        return;
    if (mark > e->len) {
        e->err = RPC_EINVAL;
        return;
    }
    size_t plen = e->len - mark;
    uint8_t h[9];
    size_t hl = rpc_rlp_list_header(h, plen);
    if (!reserve(e, hl))
        return;
    memmove(e->buf + mark + hl, e->buf + mark, plen);
    memcpy(e->buf + mark, h, hl);
    e->len += hl;
}

int rpc_rlp_enc_finish(rpc_rlp_enc *e, const uint8_t **out, size_t *outlen)
{
    assert(e && out && outlen);
    if (e->err) {
        *out = NULL;
        *outlen = 0;
        return e->err;
    }
    static const uint8_t empty[1];
    *out = e->buf ? e->buf : empty;
    *outlen = e->len;
    return RPC_OK;
}

void rpc_rlp_enc_free(rpc_rlp_enc *e)
{
    assert(e);
    free(e->buf);
    size_t max = e->max;
    rpc_rlp_enc_init(e, max);
}
