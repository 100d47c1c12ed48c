/* rpc/keccak.h — Ethereum's keccak-256 (the original Keccak padding 0x01, not FIPS
 * SHA3-256's 0x06), built on nettle's Keccak-f[1600] permutation. */
#ifndef WT_RPC_KECCAK_H
#define WT_RPC_KECCAK_H

#include <stddef.h>
#include <stdint.h>

#include "rpc/types.h"

/* Incremental hashing; the state is a plain value, no allocation, no cleanup. */
typedef struct rpc_keccak {
    uint64_t a[25];
    uint8_t buf[136];
    size_t len; /* bytes in buf */
} rpc_keccak;

void rpc_keccak_init(rpc_keccak *k);
void rpc_keccak_update(rpc_keccak *k, const uint8_t *in, size_t n);
/* rpc_keccak_final: write the digest; k must be re-initialised before reuse. */
void rpc_keccak_final(rpc_keccak *k, uint8_t out32[32]);

/* rpc_keccak256: one-shot digest of in[0..n). */
void rpc_keccak256(uint8_t out32[32], const uint8_t *in, size_t n);

/* rpc_keccak_topic: keccak-256 of a NUL-terminated signature such as
 * "Transfer(address,address,uint256)": an event's topic0. */
rpc_hash32 rpc_keccak_topic(const char *signature);

/* rpc_keccak_selector: the first four bytes of keccak-256 of a function signature,
 * as a big-endian uint32 ("balanceOf(address)" -> 0x70a08231). */
uint32_t rpc_keccak_selector(const char *signature);

#endif
