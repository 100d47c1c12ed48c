/* rpc/keccak.c — keccak-256 sponge over nettle's sha3_permute.
 * Invariant: 0 <= k->len < 136 between calls; full blocks are absorbed at once. */
#include <string.h>

#include <nettle/sha3.h>

#include "rpc/keccak.h"

#define RATE 136 /* 1088-bit rate for a 256-bit capacity/2 */

static_assert(sizeof(struct sha3_state) == 25 * sizeof(uint64_t), "nettle sha3_state layout");

static void absorb(rpc_keccak *k, const uint8_t block[RATE])
{
    struct sha3_state st;
    for (size_t i = 0; i < RATE / 8; i++) {
        uint64_t lane = 0;
        for (size_t j = 0; j < 8; j++)
            lane |= (uint64_t)block[8 * i + j] << (8 * j); /* lanes are little-endian */
        k->a[i] ^= lane;
    }
    memcpy(st.a, k->a, sizeof st.a);
    sha3_permute(&st);
    memcpy(k->a, st.a, sizeof st.a);
}

void rpc_keccak_init(rpc_keccak *k)
{
    memset(k, 0, sizeof *k);
}

void rpc_keccak_update(rpc_keccak *k, const uint8_t *in, size_t n)
{
    if (k->len) {
        size_t take = RATE - k->len < n ? RATE - k->len : n;
        memcpy(k->buf + k->len, in, take);
        k->len += take;
        in += take;
        n -= take;
        if (k->len < RATE)
            return;
        absorb(k, k->buf);
        k->len = 0;
    }
    for (; n >= RATE; in += RATE, n -= RATE)
        absorb(k, in);
    if (n) {
        memcpy(k->buf, in, n);
        k->len = n;
    }
}

void rpc_keccak_final(rpc_keccak *k, uint8_t out32[32])
{
    memset(k->buf + k->len, 0, RATE - k->len);
    k->buf[k->len] ^= 0x01; /* Keccak padding, where FIPS 202 has 0x06 */
    k->buf[RATE - 1] ^= 0x80;
    absorb(k, k->buf);
    for (size_t i = 0; i < 32; i++)
        out32[i] = (uint8_t)(k->a[i / 8] >> (8 * (i % 8)));
    memset(k, 0, sizeof *k);
}

void rpc_keccak256(uint8_t out32[32], const uint8_t *in, size_t n)
{
    rpc_keccak k;
    rpc_keccak_init(&k);
    rpc_keccak_update(&k, in, n);
    rpc_keccak_final(&k, out32);
}

rpc_hash32 rpc_keccak_topic(const char *signature)
{
    rpc_hash32 h;
    rpc_keccak256(h.b, (const uint8_t *)signature, strlen(signature));
    return h;
}

uint32_t rpc_keccak_selector(const char *signature)
{
    rpc_hash32 h = rpc_keccak_topic(signature);
    return (uint32_t)h.b[0] << 24 | (uint32_t)h.b[1] << 16 | (uint32_t)h.b[2] << 8 | h.b[3];
}
