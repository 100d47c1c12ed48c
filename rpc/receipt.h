/* rpc/receipt.h — a transaction receipt's consensus encoding (as the receipts trie holds
 * it), its logs bloom, and a block's receipts root.
 *
 * Consensus form: RLP([status or post-state root, cumulativeGasUsed, logsBloom,
 * [[address, [topic, ...], data], ...]]), prefixed by the EIP-2718 type byte when the
 * receipt's type is not 0. Byzantium receipts carry status (0 or 1), older ones the 32-byte
 * state root. Thread safety: every function may be called from any thread at any time. */
#ifndef WT_RPC_RECEIPT_H
#define WT_RPC_RECEIPT_H

#include <stdbool.h>
#include <stdint.h>

#include "rpc/client.h"
#include "rpc/err.h"
#include "rpc/rlp.h"
#include "rpc/types.h"

/* rpc_receipt_encode: append r's consensus bytes to e (type byte, then the RLP list).
 * Returns: RPC_OK; e's error (RPC_ETOO_LARGE, RPC_ENOMEM).
 * Out:     the bytes appended to e.
 * In:      r: a receipt from rpc_eth_get_receipt or rpc_eth_get_block_receipts. */
RPC_WUR int rpc_receipt_encode(rpc_rlp_enc *e, const rpc_receipt *r);

/* rpc_bloom_add: set the three bits of one bloom entry (an address or a topic) in bloom256.
 * In: p, n: the entry's bytes. */
void rpc_bloom_add(uint8_t bloom256[256], const uint8_t *p, size_t n);

/* rpc_bloom_has: whether bloom256 may hold the entry p[0..n) (its three bits are set):
 * false means certainly not. */
bool rpc_bloom_has(const uint8_t bloom256[256], const uint8_t *p, size_t n);

/* rpc_receipt_bloom: the logs bloom of logs[0..n) (each address and each topic added).
 * Out: bloom256, overwritten. */
void rpc_receipt_bloom(uint8_t bloom256[256], const rpc_log *logs, size_t n);

/* rpc_receipts_root: the receipts trie root of a block's receipts, in block order.
 * Returns: RPC_OK; RPC_ETOO_LARGE (a receipt over 256 MiB); RPC_ENOMEM.
 * Out:     *root; zeroed on error.
 * In:      rs->v[0..rs->n). */
RPC_WUR int rpc_receipts_root(rpc_hash32 *root, const rpc_receipts *rs);

#endif
