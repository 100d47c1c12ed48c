/* rpc/hex.c — strict "0x" hex decoding and encoding for the JSON-RPC edge.
 * Invariant: every function reads at most slen input bytes, writes at most cap output
 * bytes, and on any error leaves its outputs zeroed (or "" for text). */
#include <assert.h>
#include <string.h>

#include "rpc/hex.h"

static const char hex_digits[] = "0123456789abcdef";

/* hex_nibble: the value of one hex digit (either case), or -1. */
static int hex_nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int rpc_hex_digit_value(char c)
{
    return hex_nibble(c);
}

bool rpc_hex_has_prefix(const char *s, size_t slen)
{
    return slen >= 2 && s[0] == '0' && s[1] == 'x';
}

/* all_hex: every byte of s[0..n) is a hex digit. */
static bool all_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (hex_nibble(s[i]) < 0)
            return false;
    return true;
}

/* decode_digits: 2n validated digits -> n bytes. */
static void decode_digits(uint8_t *out, const char *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (uint8_t)(hex_nibble(d[2 * i]) << 4 | hex_nibble(d[2 * i + 1]));
}

int rpc_hex_decode(uint8_t *out, size_t cap, size_t *outlen, const char *s, size_t slen)
{
    assert(outlen != NULL);
    assert(s != NULL || slen == 0);
    assert(out != NULL || cap == 0);
    *outlen = 0;
    if (!rpc_hex_has_prefix(s, slen))
        return RPC_EHEX;
    const char *d = s + 2;
    size_t nd = slen - 2;
    if (nd % 2 != 0 || !all_hex(d, nd))
        return RPC_EHEX;
    if (nd / 2 > cap)
        return RPC_ETOO_LARGE;
    decode_digits(out, d, nd / 2);
    *outlen = nd / 2;
    return RPC_OK;
}

int rpc_hex_decode_fixed(uint8_t *out, size_t n, const char *s, size_t slen)
{
    assert(out != NULL || n == 0);
    assert(s != NULL || slen == 0);
    if (n > 0)
        memset(out, 0, n);
    if (!rpc_hex_has_prefix(s, slen) || (slen - 2) / 2 != n || (slen - 2) % 2 != 0 ||
        !all_hex(s + 2, slen - 2))
        return RPC_EHEX;
    decode_digits(out, s + 2, n);
    return RPC_OK;
}

int rpc_hex_encode(char *out, size_t cap, const uint8_t *in, size_t n)
{
    assert(out != NULL || cap == 0);
    assert(in != NULL || n == 0);
    /* 2n + 3 without overflow: n <= (SIZE_MAX - 3) / 2 is implied by cap >= 2n + 3. */
    if (cap < 3 || n > (cap - 3) / 2) {
        if (cap > 0)
            out[0] = '\0';
        return RPC_ETOO_LARGE;
    }
    out[0] = '0';
    out[1] = 'x';
    for (size_t i = 0; i < n; i++) {
        out[2 + 2 * i] = hex_digits[in[i] >> 4];
        out[3 + 2 * i] = hex_digits[in[i] & 15];
    }
    out[2 + 2 * n] = '\0';
    return RPC_OK;
}

int rpc_hex_quantity_u64(uint64_t *v, const char *s, size_t slen)
{
    assert(v != NULL);
    assert(s != NULL || slen == 0);
    *v = 0;
    if (!rpc_hex_has_prefix(s, slen))
        return RPC_EHEX;
    const char *d = s + 2;
    size_t nd = slen - 2;
    if (nd == 0 || !all_hex(d, nd) || (nd > 1 && d[0] == '0'))
        return RPC_EHEX;
    if (nd > 16)
        return RPC_ETOO_LARGE;
    uint64_t x = 0;
    for (size_t i = 0; i < nd; i++)
        x = x << 4 | (uint64_t)hex_nibble(d[i]);
    *v = x;
    return RPC_OK;
}

int rpc_hex_format_u64(char *out, size_t cap, uint64_t v)
{
    assert(out != NULL || cap == 0);
    size_t nd = 1;
    while (nd < 16 && (v >> (4 * nd)) != 0)
        nd++;
    if (cap < nd + 3) {
        if (cap > 0)
            out[0] = '\0';
        return RPC_ETOO_LARGE;
    }
    out[0] = '0';
    out[1] = 'x';
    for (size_t i = 0; i < nd; i++)
        out[2 + i] = hex_digits[(v >> (4 * (nd - 1 - i))) & 15];
    out[2 + nd] = '\0';
    return RPC_OK;
}
