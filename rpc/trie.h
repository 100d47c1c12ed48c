/* rpc/trie.h — the root hash of a Merkle-Patricia trie (Yellow Paper, appendix D) built in
 * memory from a complete set of keys and values: what a block header commits to in
 * transactionsRoot, receiptsRoot and withdrawalsRoot. No proofs, no updates, no storage.
 *
 * Thread safety: every function may be called from any thread at any time. */
#ifndef WT_RPC_TRIE_H
#define WT_RPC_TRIE_H

#include <stddef.h>
#include <stdint.h>

#include "rpc/err.h"
#include "rpc/types.h"

/* The root of the empty trie: keccak256(RLP("")) =
 * 0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421. */
extern const rpc_hash32 rpc_trie_empty_root;

/* One entry: a key and its value, both borrowed. */
typedef struct rpc_trie_kv {
    const uint8_t *key;
    size_t key_len;
    const uint8_t *val;
    size_t val_len;
} rpc_trie_kv;

/* rpc_trie_root: the root hash of the trie holding exactly kv[0..n).
 * Returns: RPC_OK; RPC_EINVAL (the same key twice, an empty value: a trie cannot hold
 *          one, or a key over 256 bytes); RPC_ENOMEM.
 * Out:     *root; zeroed on error.
 * In:      kv[0..n) in any order (n == 0 gives rpc_trie_empty_root); kv is not changed. */
RPC_WUR int rpc_trie_root(rpc_hash32 *root, const rpc_trie_kv *kv, size_t n);

/* rpc_trie_root_list: the root of an ordered list as blocks commit to it: item i under the
 *   key RLP(i) (transactions, receipts, withdrawals).
 * Returns: RPC_OK; RPC_EINVAL (an empty item); RPC_ENOMEM.
 * Out:     *root; zeroed on error.
 * In:      items[i], lens[i] for i < n: each item's bytes (borrowed). */
RPC_WUR int rpc_trie_root_list(rpc_hash32 *root, const uint8_t *const *items, const size_t *lens,
                               size_t n);

#endif
