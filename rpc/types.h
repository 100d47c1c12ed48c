/* rpc/types.h — Ethereum's fixed-size values as plain structs of bytes.
 * They can be copied, compared with memcmp and stored as they are. Hex lives only at
 * the edges (rpc/hex.h, rpc/addr.h); 256-bit arithmetic is in rpc/u256.h. */
#ifndef WT_RPC_TYPES_H
#define WT_RPC_TYPES_H

#include <assert.h>
#include <stdint.h>

/* A 20-byte account address, big-endian as on the chain. */
typedef struct rpc_addr {
    uint8_t b[20];
} rpc_addr;

/* A 32-byte hash (block, transaction, topic) or any 32-byte word, big-endian. */
typedef struct rpc_hash32 {
    uint8_t b[32];
} rpc_hash32;

/* An unsigned 256-bit integer: four 64-bit limbs, least significant first
 * (w[0] holds bits 0..63). Use rpc_u256_* to read and write it. */
typedef struct rpc_u256 {
    uint64_t w[4];
} rpc_u256;

static_assert(sizeof(rpc_addr) == 20, "rpc_addr is 20 bytes");
static_assert(sizeof(rpc_hash32) == 32, "rpc_hash32 is 32 bytes");
static_assert(sizeof(rpc_u256) == 32, "rpc_u256 is 32 bytes");

#endif
