/* tests/fuzz/fuzz_abi.c — arbitrary bytes into the ABI reader, read as every shape the
 * tracker uses: words of every static type at every index, bytes, nested arrays and
 * tuples, and Multicall3 aggregate3 results. Every pointer handed out must lie inside
 * the input; results that decode must re-encode and decode to the same values. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/abi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                               \
    do {                                                                                       \
        if (!(c))                                                                              \
            abort();                                                                           \
    } while (0)

static const uint8_t *lo, *hi;

static void inside(const uint8_t *p, size_t n)
{
    CHECK(p >= lo && p <= hi && n <= (size_t)(hi - p));
}

/* Read every type at the first 8 head words of r; follow offsets (bytes, tuples,
 * arrays) at the first 3 words of nested views, two levels deep, so a run stays fast. */
static void walk(const rpc_abi *r, unsigned depth)
{
    inside(r->p, r->n);
    for (size_t i = 0; i < (depth ? 3u : 8u); i++) {
        rpc_hash32 w;
        rpc_u256 u;
        rpc_addr a;
        bool b, neg;
        uint64_t v;
        uint8_t fb[32];
        const uint8_t *p;
        size_t len, count;
        rpc_abi sub;
        if (rpc_abi_word(&w, r, i) != RPC_OK)
            break; /* no word i: none after it either */
        if (depth == 0) { /* static reads below the top would only repeat the same code */
            /* only the absence of a crash matters for these; any result code is fine */
            int rc = rpc_abi_uint(&u, r, i, 8 * (unsigned)(1 + i % 32));
            rc |= rpc_abi_u64(&v, r, i, 8 * (unsigned)(1 + i % 8));
            rc |= rpc_abi_int(&u, &neg, r, i, 8 * (unsigned)(1 + (i * 5) % 32));
            rc |= rpc_abi_address(&a, r, i);
            rc |= rpc_abi_bool(&b, r, i);
            rc |= rpc_abi_fixed_bytes(fb, 1 + i % 32, r, i);
            CHECK(rc == RPC_OK || rc == RPC_EABI);
        }
        if (rpc_abi_bytes(&p, &len, r, i) == RPC_OK)
            inside(p, len);
        if (depth >= 2)
            continue;
        if (rpc_abi_tuple(&sub, r, i) == RPC_OK)
            walk(&sub, depth + 1);
        for (size_t ew = 1; ew <= 3; ew++)
            if (rpc_abi_array(&sub, &count, r, i, ew) == RPC_OK) {
                inside(sub.p, sub.n);
                CHECK(count <= sub.n / 32 / ew);
                if (ew == 1)
                    walk(&sub, depth + 1);
            }
    }
}

static void aggregate3(const uint8_t *data, size_t size)
{
    rpc_abi results;
    size_t count;
    if (rpc_abi_decode_aggregate3(&results, &count, data, size) != RPC_OK)
        return;
    if (count > 64)
        count = 64;
    bool ok[64];
    const uint8_t *p[64];
    size_t len[64], good = 0;
    for (size_t i = 0; i < count; i++) {
        bool s;
        const uint8_t *d;
        size_t n;
        if (rpc_abi_aggregate3_result(&s, &d, &n, &results, count, i) != RPC_OK)
            return;
        inside(d, n);
        ok[good] = s;
        p[good] = d;
        len[good++] = n;
    }
    /* (bool, bytes)[] re-encoded canonically decodes to the same values. Results may
     * share their data (offsets can repeat), so the cap is per result: offset + tuple
     * head + length word + data + padding. */
    rpc_abi_enc e;
    rpc_abi_enc_init(&e, 64 + good * (size + 160), 1);
    rpc_abi_open_array(&e, 0, good, 1);
    for (size_t i = 0; i < good; i++) {
        rpc_abi_open_tuple(&e, i, 2);
        rpc_abi_put_bool(&e, 0, ok[i]);
        rpc_abi_put_bytes(&e, 1, p[i], len[i]);
        rpc_abi_close(&e);
    }
    rpc_abi_close(&e);
    const uint8_t *out;
    size_t outlen, count2;
    CHECK(rpc_abi_enc_finish(&e, &out, &outlen) == RPC_OK);
    CHECK(rpc_abi_decode_aggregate3(&results, &count2, out, outlen) == RPC_OK && count2 == good);
    for (size_t i = 0; i < good; i++) {
        bool s;
        const uint8_t *d;
        size_t n;
        CHECK(rpc_abi_aggregate3_result(&s, &d, &n, &results, count2, i) == RPC_OK);
        CHECK(s == ok[i] && n == len[i] && (n == 0 || memcmp(d, p[i], n) == 0));
    }
    rpc_abi_enc_free(&e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-size copy, so a read past size is an ASan report even for short inputs */
    uint8_t *copy = malloc(size ? size : 1);
    CHECK(copy);
    if (size)
        memcpy(copy, data, size);
    lo = copy;
    hi = copy + size;
    rpc_abi r;
    rpc_abi_init(&r, copy, size);
    walk(&r, 0);
    aggregate3(copy, size);
    free(copy);
    return 0;
}
