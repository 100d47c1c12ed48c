/* tests/fuzz/fuzz_hex.c — libFuzzer target for the text parsers of rpc/hex, rpc/addr and
 * rpc/u256: every input goes to every parser; whatever parses must format and parse back
 * to the same value, and a failed parse must leave its output zeroed. Any crash, sanitizer
 * report or broken round trip aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/addr.h"
#include "rpc/hex.h"
#include "rpc/u256.h"

#define CHECK(cond)                \
    do {                           \
        if (!(cond))               \
            __builtin_trap();      \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* text equals s[0..n) with ASCII letters lowercased */
static int eq_lower(const char *text, const char *s, size_t n)
{
    if (strlen(text) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (text[i] != lower(s[i]))
            return 0;
    return 1;
}

static int all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return 0;
    return 1;
}

static void fuzz_bytes(const char *s, size_t n)
{
    static uint8_t out[4096], back[4096];
    static char text[2 * 4096 + 3];
    size_t len = 0, len2 = 0;
    if (rpc_hex_decode(out, sizeof out, &len, s, n) == RPC_OK) {
        CHECK(rpc_hex_encode(text, sizeof text, out, len) == RPC_OK);
        CHECK(eq_lower(text, s, n));
        CHECK(rpc_hex_decode(back, sizeof back, &len2, text, strlen(text)) == RPC_OK);
        CHECK(len2 == len && memcmp(out, back, len) == 0);
        /* a smaller cap either still fits or is exactly RPC_ETOO_LARGE */
        size_t cap = len / 2;
        int rc = rpc_hex_decode(back, cap, &len2, s, n);
        CHECK(len == 0 ? rc == RPC_OK : (rc == RPC_ETOO_LARGE && len2 == 0));
        if (len <= sizeof out) {
            CHECK(rpc_hex_decode_fixed(back, len, s, n) == RPC_OK);
            CHECK(memcmp(out, back, len) == 0);
        }
    } else {
        CHECK(len == 0);
    }
}

static void fuzz_quantities(const char *s, size_t n)
{
    uint64_t v = 1;
    rpc_u256 u = {{1, 1, 1, 1}};
    char text[RPC_U256_DEC_MAX + 8];
    int rq = rpc_hex_quantity_u64(&v, s, n);
    int ru = rpc_u256_parse_hex(&u, s, n);
    if (rq == RPC_OK) {
        CHECK(rpc_hex_format_u64(text, sizeof text, v) == RPC_OK);
        CHECK(eq_lower(text, s, n));
        /* the two quantity parsers agree */
        CHECK(ru == RPC_OK && rpc_u256_fits_u64(&u) && u.w[0] == v);
    } else {
        CHECK(v == 0);
    }
    if (ru == RPC_OK) {
        CHECK(rpc_u256_format_hex(text, sizeof text, &u) == RPC_OK);
        CHECK(eq_lower(text, s, n));
        if (rq != RPC_OK)
            CHECK(rq == RPC_ETOO_LARGE && !rpc_u256_fits_u64(&u));
    } else {
        CHECK(rpc_u256_is_zero(&u));
        CHECK(rq != RPC_OK);
    }
}

static void fuzz_decimal(const char *s, size_t n, unsigned decimals)
{
    rpc_u256 a = {{1, 1, 1, 1}}, b;
    char text[256], plain[256];
    if (rpc_u256_parse_dec(&a, s, n) == RPC_OK) {
        CHECK(rpc_u256_format_dec(text, sizeof text, &a) == RPC_OK);
        size_t z = 0; /* the input without its leading zeros is the formatted text */
        while (z + 1 < n && s[z] == '0')
            z++;
        CHECK(strlen(text) == n - z && memcmp(text, s + z, n - z) == 0);
        CHECK(rpc_u256_parse_dec(&b, text, strlen(text)) == RPC_OK);
        CHECK(memcmp(&a, &b, sizeof a) == 0);
    } else {
        CHECK(rpc_u256_is_zero(&a));
    }
    a = (rpc_u256){{1, 1, 1, 1}};
    if (rpc_u256_parse_units(&a, s, n, decimals) == RPC_OK) {
        CHECK(rpc_u256_format_units(text, sizeof text, &a, decimals, decimals, NULL) == RPC_OK);
        size_t m = 0;
        for (size_t i = 0; text[i]; i++)
            if (text[i] != ',')
                plain[m++] = text[i];
        CHECK(rpc_u256_parse_units(&b, plain, m, decimals) == RPC_OK);
        CHECK(memcmp(&a, &b, sizeof a) == 0);
        CHECK(rpc_u256_format_units(text, sizeof text, &a, decimals, 2, "TOKEN") == RPC_OK);
    } else {
        CHECK(rpc_u256_is_zero(&a));
    }
}

static void fuzz_addr(const char *s, size_t n)
{
    rpc_addr a, b;
    char text[RPC_ADDR_HEX_LEN + 1];
    memset(&a, 0x5a, sizeof a);
    if (rpc_addr_parse(&a, s, n) == RPC_OK) {
        rpc_addr_format_lower(text, &a);
        CHECK(eq_lower(text, s, n));
        rpc_addr_format(text, &a);
        CHECK(rpc_addr_parse(&b, text, strlen(text)) == RPC_OK);
        CHECK(memcmp(&a, &b, sizeof a) == 0);
    } else {
        CHECK(all_zero(&a, sizeof a));
    }
    rpc_hash32 h, h2;
    char htext[67];
    memset(&h, 0x5a, sizeof h);
    if (rpc_hash32_parse(&h, s, n) == RPC_OK) {
        rpc_hash32_format(htext, &h);
        CHECK(eq_lower(htext, s, n));
        CHECK(rpc_hash32_parse(&h2, htext, strlen(htext)) == RPC_OK);
        CHECK(memcmp(&h, &h2, sizeof h) == 0);
    } else {
        CHECK(all_zero(&h, sizeof h));
    }
}

/* The same bytes read as numbers: the division identity and muldiv's exactness. */
static void fuzz_arith(const uint8_t *data, size_t size)
{
    if (size < 64)
        return;
    rpc_u256 a, b, q, m, back;
    rpc_u256_from_be32(&a, data);
    rpc_u256_from_be32(&b, data + 32);
    if (rpc_u256_divmod(&q, &m, &a, &b) != RPC_OK) {
        CHECK(rpc_u256_is_zero(&b));
        return;
    }
    CHECK(rpc_u256_cmp(&m, &b) < 0);
    CHECK(rpc_u256_mul(&back, &q, &b) == RPC_OK);
    CHECK(rpc_u256_add(&back, &back, &m) == RPC_OK);
    CHECK(rpc_u256_cmp(&back, &a) == 0);
    CHECK(rpc_u256_muldiv(&q, &a, &b, &b) == RPC_OK);
    CHECK(rpc_u256_cmp(&q, &a) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A copy of exactly size bytes, not NUL-terminated: a parser that reads past its
     * length is caught by ASan. */
    char *s = malloc(size ? size : 1);
    if (!s)
        return 0;
    if (size)
        memcpy(s, data, size);
    fuzz_bytes(s, size);
    fuzz_quantities(s, size);
    fuzz_decimal(s, size, (unsigned)(size % 40));
    fuzz_addr(s, size);
    fuzz_arith(data, size);
    free(s);
    return 0;
}
