/* rpc/abi.c — bounds-checked ABI reader and capped ABI writer.
 * Invariant (reader): a view {p, n} never reaches past the caller's data, and every
 * pointer handed out lies with its whole length inside it. Invariant (writer): frames
 * are head areas already allocated inside buf; tails are only ever appended. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/abi.h"
#include "rpc/u256.h"

void rpc_abi_init(rpc_abi *r, const uint8_t *data, size_t n)
{
    assert(r && (data || n == 0));
    r->p = data;
    r->n = n;
}

/* Word index of the head, or NULL when it does not lie wholly inside the view. */
static const uint8_t *word_at(const rpc_abi *r, size_t index)
{
    assert(r);
    if (r->n < 32 || index > (r->n - 32) / 32)
        return NULL;
    return r->p + 32 * index;
}

static bool zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

/* A word read as a size (offset, length, count): must be below 2^64 and fit a size_t. */
static int word_size(size_t *v, const uint8_t w[32])
{
    if (!zero(w, 24))
        return RPC_EABI;
    uint64_t x = 0;
    for (int i = 24; i < 32; i++)
        x = (x << 8) | w[i];
    if (x > SIZE_MAX)
        return RPC_EABI;
    *v = (size_t)x;
    return RPC_OK;
}

/* The offset at head word index, checked to lie within the view (== n allowed). */
static int offset_at(size_t *off, const rpc_abi *r, size_t index)
{
    const uint8_t *w = word_at(r, index);
    if (!w || word_size(off, w) || *off > r->n)
        return RPC_EABI;
    return RPC_OK;
}

static bool valid_bits(unsigned bits, unsigned max)
{
    return bits >= 8 && bits <= max && bits % 8 == 0;
}

int rpc_abi_word(rpc_hash32 *w, const rpc_abi *r, size_t index)
{
    assert(w);
    const uint8_t *p = word_at(r, index);
    if (!p) {
        memset(w, 0, sizeof *w);
        return RPC_EABI;
    }
    memcpy(w->b, p, 32);
    return RPC_OK;
}

int rpc_abi_uint(rpc_u256 *v, const rpc_abi *r, size_t index, unsigned bits)
{
    assert(v && valid_bits(bits, 256));
    memset(v, 0, sizeof *v);
    if (!valid_bits(bits, 256))
        return RPC_EINVAL;
    const uint8_t *p = word_at(r, index);
    if (!p || !zero(p, 32 - bits / 8))
        return RPC_EABI;
    rpc_u256_from_be32(v, p);
    return RPC_OK;
}

int rpc_abi_u64(uint64_t *v, const rpc_abi *r, size_t index, unsigned bits)
{
    assert(v && valid_bits(bits, 64));
    *v = 0;
    if (!valid_bits(bits, 64))
        return RPC_EINVAL;
    const uint8_t *p = word_at(r, index);
    if (!p || !zero(p, 32 - bits / 8))
        return RPC_EABI;
    uint64_t x = 0;
    for (int i = 24; i < 32; i++)
        x = (x << 8) | p[i];
    *v = x;
    return RPC_OK;
}

int rpc_abi_int(rpc_u256 *mag, bool *neg, const rpc_abi *r, size_t index, unsigned bits)
{
    assert(mag && neg && valid_bits(bits, 256));
    memset(mag, 0, sizeof *mag);
    *neg = false;
    if (!valid_bits(bits, 256))
        return RPC_EINVAL;
    const uint8_t *p = word_at(r, index);
    if (!p)
        return RPC_EABI;
    size_t top = 32 - bits / 8; /* bytes that must repeat the sign */
    bool negative = p[0] & 0x80;
    uint8_t ext = negative ? 0xff : 0x00;
    for (size_t i = 0; i < top; i++)
        if (p[i] != ext)
            return RPC_EABI;
    if (((p[top] & 0x80) != 0) != negative)
        return RPC_EABI;
    uint8_t w[32];
    memcpy(w, p, 32);
    if (negative) { /* magnitude = ~w + 1 */
        unsigned carry = 1;
        for (int i = 31; i >= 0; i--) {
            unsigned x = (uint8_t)~w[i] + carry;
            w[i] = (uint8_t)x;
            carry = x >> 8;
        }
    }
    rpc_u256_from_be32(mag, w);
    *neg = negative;
    return RPC_OK;
}

int rpc_abi_address(rpc_addr *a, const rpc_abi *r, size_t index)
{
    assert(a);
    const uint8_t *p = word_at(r, index);
    if (!p || !zero(p, 12)) {
        memset(a, 0, sizeof *a);
        return RPC_EABI;
    }
    memcpy(a->b, p + 12, 20);
    return RPC_OK;
}

int rpc_abi_bool(bool *b, const rpc_abi *r, size_t index)
{
    assert(b);
    *b = false;
    const uint8_t *p = word_at(r, index);
    if (!p || !zero(p, 31) || p[31] > 1)
        return RPC_EABI;
    *b = p[31] == 1;
    return RPC_OK;
}

int rpc_abi_fixed_bytes(uint8_t *out, size_t n, const rpc_abi *r, size_t index)
{
    assert(out && n >= 1 && n <= 32);
    if (n < 1 || n > 32)
        return RPC_EINVAL;
    memset(out, 0, n);
    const uint8_t *p = word_at(r, index);
    if (!p || !zero(p + n, 32 - n))
        return RPC_EABI;
    memcpy(out, p, n);
    return RPC_OK;
}

int rpc_abi_bytes(const uint8_t **out, size_t *outlen, const rpc_abi *r, size_t index)
{
    assert(out && outlen);
    *out = NULL;
    *outlen = 0;
    size_t off, len;
    if (offset_at(&off, r, index) || r->n - off < 32 || word_size(&len, r->p + off))
        return RPC_EABI;
    size_t avail = r->n - off - 32;
    size_t pad = (32 - len % 32) % 32;
    if (len > avail || pad > avail - len)
        return RPC_EABI;
    const uint8_t *data = r->p + off + 32;
    if (!zero(data + len, pad))
        return RPC_EABI;
    *out = data;
    *outlen = len;
    return RPC_OK;
}

int rpc_abi_tuple(rpc_abi *sub, const rpc_abi *r, size_t index)
{
    assert(sub);
    size_t off;
    if (offset_at(&off, r, index)) {
        memset(sub, 0, sizeof *sub);
        return RPC_EABI;
    }
    sub->p = r->p + off;
    sub->n = r->n - off;
    return RPC_OK;
}

int rpc_abi_array(rpc_abi *elems, size_t *count, const rpc_abi *r, size_t index,
                  size_t elem_words)
{
    assert(elems && count && elem_words >= 1);
    memset(elems, 0, sizeof *elems);
    *count = 0;
    if (elem_words == 0)
        return RPC_EINVAL;
    size_t off, k;
    if (offset_at(&off, r, index) || r->n - off < 32 || word_size(&k, r->p + off))
        return RPC_EABI;
    size_t rest = r->n - off - 32;
    if (k > rest / 32 / elem_words)
        return RPC_EABI;
    elems->p = r->p + off + 32;
    elems->n = rest;
    *count = k;
    return RPC_OK;
}

/* ---- writer ---- */

static void set_err(rpc_abi_enc *e, int err)
{
    if (!e->err)
        e->err = err;
}

/* Append n bytes (zeros when p is NULL). Returns false when the encoder is in error. */
static bool append(rpc_abi_enc *e, const uint8_t *p, size_t n)
{
    if (e->err)
        return false;
    if (n == 0)
        return true; /* nothing to copy; buf may still be NULL */
    if (n > e->max - e->len) {
        set_err(e, RPC_ETOO_LARGE);
        return false;
    }
    if (n > e->alloc - e->len) {
        size_t want = e->len + n; /* <= max */
        size_t grown = e->alloc ? e->alloc : 256;
        while (grown < want)
            grown = grown > SIZE_MAX / 2 ? want : grown * 2;
        if (grown > e->max)
            grown = e->max;
        uint8_t *q = realloc(e->buf, grown);
        if (!q) {
            set_err(e, RPC_ENOMEM);
            return false;
        }
        e->buf = q;
        e->alloc = grown;
    }
    if (p)
        memcpy(e->buf + e->len, p, n);
    else
        memset(e->buf + e->len, 0, n);
    e->len += n;
    return true;
}

static void u64_word(uint8_t w[32], uint64_t v)
{
    memset(w, 0, 24);
    for (int i = 0; i < 8; i++)
        w[31 - i] = (uint8_t)(v >> (8 * i));
}

/* Append a zeroed head of `words` words as a new frame based at the current end. */
static void push_frame(rpc_abi_enc *e, size_t words)
{
    if (e->err)
        return;
    if (e->depth == RPC_ABI_ENC_DEPTH) {
        assert(!"rpc_abi_enc: nesting deeper than RPC_ABI_ENC_DEPTH");
        set_err(e, RPC_EINVAL);
        return;
    }
    if (words > SIZE_MAX / 32) {
        set_err(e, RPC_ETOO_LARGE);
        return;
    }
    size_t base = e->len;
    if (!append(e, NULL, 32 * words))
        return;
    e->frame[e->depth].base = base;
    e->frame[e->depth].words = words;
    e->depth++;
}

static void init(rpc_abi_enc *e, size_t max)
{
    assert(e);
    memset(e, 0, sizeof *e);
    e->max = max;
}

void rpc_abi_enc_init(rpc_abi_enc *e, size_t max, size_t words)
{
    init(e, max);
    push_frame(e, words);
}

void rpc_abi_enc_init_call(rpc_abi_enc *e, size_t max, uint32_t selector, size_t words)
{
    init(e, max);
    const uint8_t sel[4] = {(uint8_t)(selector >> 24), (uint8_t)(selector >> 16),
                            (uint8_t)(selector >> 8), (uint8_t)selector};
    if (append(e, sel, 4))
        push_frame(e, words);
}

/* Position in buf of head slot index of the innermost frame; false on error. */
static bool slot(rpc_abi_enc *e, size_t index, size_t *pos)
{
    if (e->err)
        return false;
    if (e->depth == 0 || index >= e->frame[e->depth - 1].words) {
        assert(!"rpc_abi_enc: slot index outside the open frame");
        set_err(e, RPC_EINVAL);
        return false;
    }
    *pos = e->frame[e->depth - 1].base + 32 * index;
    return true;
}

static void put_raw(rpc_abi_enc *e, size_t index, const uint8_t w[32])
{
    size_t pos;
    if (slot(e, index, &pos))
        memcpy(e->buf + pos, w, 32);
}

/* Point slot index at the current end of the buffer (where a tail value starts). */
static bool put_offset(rpc_abi_enc *e, size_t index)
{
    size_t pos;
    if (!slot(e, index, &pos))
        return false;
    uint8_t w[32];
    u64_word(w, e->len - e->frame[e->depth - 1].base);
    memcpy(e->buf + pos, w, 32);
    return true;
}

void rpc_abi_put_word(rpc_abi_enc *e, size_t index, const rpc_hash32 *w)
{
    assert(w);
    put_raw(e, index, w->b);
}

void rpc_abi_put_uint(rpc_abi_enc *e, size_t index, const rpc_u256 *v)
{
    assert(v);
    uint8_t w[32];
    rpc_u256_to_be32(w, v);
    put_raw(e, index, w);
}

void rpc_abi_put_u64(rpc_abi_enc *e, size_t index, uint64_t v)
{
    uint8_t w[32];
    u64_word(w, v);
    put_raw(e, index, w);
}

void rpc_abi_put_i64(rpc_abi_enc *e, size_t index, int64_t v)
{
    uint8_t w[32];
    u64_word(w, (uint64_t)v); /* two's complement, then extend the sign */
    if (v < 0)
        memset(w, 0xff, 24);
    put_raw(e, index, w);
}

void rpc_abi_put_address(rpc_abi_enc *e, size_t index, const rpc_addr *a)
{
    assert(a);
    uint8_t w[32] = {0};
    memcpy(w + 12, a->b, 20);
    put_raw(e, index, w);
}

void rpc_abi_put_bool(rpc_abi_enc *e, size_t index, bool b)
{
    rpc_abi_put_u64(e, index, b ? 1 : 0);
}

void rpc_abi_put_bytes(rpc_abi_enc *e, size_t index, const uint8_t *p, size_t n)
{
    assert(p || n == 0);
    if (n > SIZE_MAX - 64) {
        set_err(e, RPC_ETOO_LARGE);
        return;
    }
    size_t pad = (32 - n % 32) % 32;
    if (!e->err && 32 + n + pad > e->max - e->len) { /* all of it or nothing */
        set_err(e, RPC_ETOO_LARGE);
        return;
    }
    if (!put_offset(e, index))
        return;
    uint8_t w[32];
    u64_word(w, n);
    if (append(e, w, 32) && (n == 0 || append(e, p, n)))
        append(e, NULL, pad);
}

void rpc_abi_open_tuple(rpc_abi_enc *e, size_t index, size_t words)
{
    if (put_offset(e, index))
        push_frame(e, words);
}

void rpc_abi_open_array(rpc_abi_enc *e, size_t index, size_t count, size_t elem_words)
{
    assert(elem_words >= 1);
    if (elem_words == 0 || count > SIZE_MAX / elem_words) {
        set_err(e, elem_words == 0 ? RPC_EINVAL : RPC_ETOO_LARGE);
        return;
    }
    if (!put_offset(e, index))
        return;
    uint8_t w[32];
    u64_word(w, count);
    if (append(e, w, 32))
        push_frame(e, count * elem_words);
}

void rpc_abi_close(rpc_abi_enc *e)
{
    assert(e);
    if (e->err)
        return;
    if (e->depth <= 1) {
        assert(!"rpc_abi_close without an open tuple or array");
        set_err(e, RPC_EINVAL);
        return;
    }
    e->depth--;
}

int rpc_abi_enc_finish(rpc_abi_enc *e, const uint8_t **out, size_t *outlen)
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

void rpc_abi_enc_free(rpc_abi_enc *e)
{
    assert(e);
    free(e->buf);
    init(e, e->max);
}

/* ---- Multicall3 ---- */

int rpc_abi_encode_aggregate3(rpc_abi_enc *e, size_t max, const rpc_abi_call3 *calls, size_t n)
{
    assert(e && (calls || n == 0));
    rpc_abi_enc_init_call(e, max, RPC_ABI_SEL_AGGREGATE3, 1);
    rpc_abi_open_array(e, 0, n, 1); /* Call3 is dynamic: one offset word per element */
    for (size_t i = 0; i < n && !e->err; i++) {
        rpc_abi_open_tuple(e, i, 3);
        rpc_abi_put_address(e, 0, &calls[i].target);
        rpc_abi_put_bool(e, 1, calls[i].allow_failure);
        rpc_abi_put_bytes(e, 2, calls[i].data, calls[i].len);
        rpc_abi_close(e);
    }
    rpc_abi_close(e);
    return e->err;
}

int rpc_abi_decode_aggregate3(rpc_abi *results, size_t *count, const uint8_t *ret, size_t n)
{
    assert(results && count);
    rpc_abi r;
    rpc_abi_init(&r, ret, n);
    return rpc_abi_array(results, count, &r, 0, 1);
}

int rpc_abi_aggregate3_result(bool *success, const uint8_t **data, size_t *len,
                              const rpc_abi *results, size_t count, size_t i)
{
    assert(success && data && len && results);
    rpc_abi t;
    int rc = i < count ? RPC_OK : RPC_EABI;
    if (rc == 0)
        rc = rpc_abi_tuple(&t, results, i);
    if (rc == 0)
        rc = rpc_abi_bool(success, &t, 0);
    if (rc == 0)
        rc = rpc_abi_bytes(data, len, &t, 1);
    if (rc) {
        *success = false;
        *data = NULL;
        *len = 0;
    }
    return rc;
}
