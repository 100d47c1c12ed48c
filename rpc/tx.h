/* rpc/tx.h — signed Ethereum transactions: decode the raw bytes (as eth_getRawTransaction
 * or a block body gives them), compute the transaction hash and the signing hash, and
 * recover the sender with libsecp256k1.
 *
 * Supported: legacy (with or without EIP-155's chain id), EIP-2930 (type 1), EIP-1559
 * (type 2), EIP-4844 (type 3, the canonical form without blobs: the network wrapper with
 * blobs, commitments and proofs is refused) and EIP-7702 (type 4), whose authorization
 * tuples can be decoded and their signers (the delegating accounts) recovered.
 *
 * Sender recovery follows EIP-2: s must be at most n/2 (secp256k1's order / 2). A few
 * Frontier-era transactions (before block 1,150,000) with high s are therefore refused
 * with RPC_ESIG, although the chain accepted them then.
 *
 * Thread safety: every function may be called from any thread at any time. */
#ifndef WT_RPC_TX_H
#define WT_RPC_TX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rpc/err.h"
#include "rpc/rlp.h"
#include "rpc/types.h"

enum rpc_tx_type {
    RPC_TX_LEGACY = 0,
    RPC_TX_ACCESS_LIST = 1, /* EIP-2930 */
    RPC_TX_DYNAMIC_FEE = 2, /* EIP-1559 */
    RPC_TX_BLOB = 3,        /* EIP-4844 */
    RPC_TX_SET_CODE = 4,    /* EIP-7702 */
};

/* A decoded transaction. Pointers and rlp items borrow the raw bytes given to
 * rpc_tx_decode: valid while those are. Fields a type does not have are zero. */
typedef struct rpc_tx {
    uint8_t type;                      /* enum rpc_tx_type */
    bool has_chain_id;                 /* false only for a pre-EIP-155 legacy tx */
    uint64_t chain_id;                 /* ids above 2^64-1 are refused (RPC_ETX) */
    uint64_t nonce;
    rpc_u256 gas_price;                /* types 0, 1 */
    rpc_u256 max_priority_fee_per_gas; /* types 2, 3, 4 */
    rpc_u256 max_fee_per_gas;          /* types 2, 3, 4 */
    uint64_t gas_limit;
    bool has_to;                       /* false: contract creation (types 0, 1, 2) */
    rpc_addr to;
    rpc_u256 value;
    const uint8_t *data;               /* call data / init code */
    size_t data_len;
    rpc_rlp_item access_list;          /* types 1..4: [[address, [key32, ...]], ...] */
    size_t access_list_count;
    rpc_u256 max_fee_per_blob_gas;     /* type 3 */
    rpc_rlp_item blob_hashes;          /* type 3: [hash32, ...] */
    size_t blob_hash_count;
    rpc_rlp_item authorizations;       /* type 4: [[chain_id, address, nonce, y, r, s], ...] */
    size_t authorization_count;
    uint8_t y_parity;                  /* 0 or 1 (legacy: derived from v) */
    uint8_t r[32], s[32];              /* big-endian, left-padded */
    rpc_hash32 hash;                   /* keccak256(raw): the transaction hash */
    rpc_hash32 sighash;                /* the 32 bytes the sender signed */
} rpc_tx;

/* rpc_tx_decode: decode one signed transaction from its raw bytes (a typed transaction
 *   starts with its type byte; a legacy one is an RLP list), and compute its hashes.
 * Returns: RPC_OK; RPC_ERLP (not canonical RLP, or trailing bytes); RPC_ETX (unknown
 *          type, wrong number or shape of fields, an integer too large for its field,
 *          a legacy v that is neither 27/28 nor 35 + 2 * chain_id + {0,1}, y parity > 1,
 *          a type 3 or 4 without a recipient).
 * Out:     *tx, borrowing raw; zeroed on error.
 * In:      raw, n: the encoded transaction. */
RPC_WUR int rpc_tx_decode(rpc_tx *tx, const uint8_t *raw, size_t n);

/* rpc_tx_sender: the address that signed tx (ecrecover of tx->sighash).
 * Returns: RPC_OK; RPC_ESIG (r or s zero or >= n, s > n/2, no public key recovers).
 * Out:     *from; zeroed on error.
 * In:      tx: from rpc_tx_decode. */
RPC_WUR int rpc_tx_sender(rpc_addr *from, const rpc_tx *tx);

/* rpc_tx_ecrecover: the address whose key signed hash32 with (r, s, recid), as the EVM's
 *   ecrecover precompile computes it; any s below n is accepted (no EIP-2 check).
 * Returns: RPC_OK; RPC_ESIG (recid > 3, r or s zero or >= n, not recoverable).
 * Out:     *from; zeroed on error.
 * In:      hash32: the signed digest; r32, s32: big-endian; recid: the y parity (0..3). */
RPC_WUR int rpc_tx_ecrecover(rpc_addr *from, const uint8_t hash32[32], const uint8_t r32[32],
                             const uint8_t s32[32], unsigned recid);

/* One EIP-7702 authorization: [chain_id, address, nonce, y_parity, r, s]. */
typedef struct rpc_tx_auth {
    rpc_u256 chain_id; /* 0: valid on every chain */
    rpc_addr address;  /* the code the authority delegates to */
    uint64_t nonce;
    uint8_t y_parity;
    uint8_t r[32], s[32];
    rpc_hash32 sighash; /* keccak256(0x05 || rlp([chain_id, address, nonce])) */
} rpc_tx_auth;

/* rpc_tx_auth_decode: decode one child of tx->authorizations (walk them with
 *   rpc_rlp_next).
 * Returns: RPC_OK; RPC_ETX (not a 6-item list of the right shapes).
 * Out:     *a; zeroed on error.
 * In:      item: a list item, e.g. from rpc_rlp_next(&item, &pos, &tx->authorizations). */
RPC_WUR int rpc_tx_auth_decode(rpc_tx_auth *a, const rpc_rlp_item *item);

/* rpc_tx_auth_signer: the authority, the account that signed the authorization.
 *   The chain skips an authorization that fails here; the transaction stays valid.
 * Returns: RPC_OK; RPC_ESIG (y parity > 1, s > n/2, r or s zero or >= n, unrecoverable).
 * Out:     *authority; zeroed on error. */
RPC_WUR int rpc_tx_auth_signer(rpc_addr *authority, const rpc_tx_auth *a);

#endif
