/* rpc/header.h — a block header's consensus encoding and hash, for every fork era the chain
 * has seen: the 15 fields of Frontier/Homestead, then London's base fee, Shanghai's
 * withdrawals root, Cancun's blob gas used, excess blob gas and parent beacon block root,
 * Prague's requests hash. Which fields are present is read from rpc_block.has.
 *
 * Thread safety: every function may be called from any thread at any time. */
#ifndef WT_RPC_HEADER_H
#define WT_RPC_HEADER_H

#include "rpc/client.h"
#include "rpc/err.h"
#include "rpc/rlp.h"
#include "rpc/types.h"

/* rpc_header_encode: append RLP([parentHash, ..., nonce, <fork fields>]) of b to e.
 * Returns: RPC_OK; RPC_EFORK (b->has names fields of no fork: e.g. a withdrawals root
 *          without a base fee, or only some of Cancun's three); e's own error
 *          (RPC_ETOO_LARGE, RPC_ENOMEM).
 * Out:     the encoding appended to e (nothing appended on RPC_EFORK).
 * In:      b: a header from rpc_eth_get_block (b->hash is not read). */
RPC_WUR int rpc_header_encode(rpc_rlp_enc *e, const rpc_block *b);

/* rpc_header_hash: keccak256 of the header's encoding: the block hash it commits to.
 * Returns: RPC_OK; RPC_EFORK; RPC_ETOO_LARGE (extraData over 1 MiB); RPC_ENOMEM.
 * Out:     *hash; zeroed on error.
 * In:      b as for rpc_header_encode. */
RPC_WUR int rpc_header_hash(rpc_hash32 *hash, const rpc_block *b);

/* rpc_header_era: the name of the fork era b's fields belong to ("frontier", "london",
 *   "shanghai", "cancun", "prague"), or NULL for a field set of no fork. Static string. */
const char *rpc_header_era(const rpc_block *b);

#endif
