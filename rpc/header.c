/* rpc/header.c — block header RLP by fork era and the block hash.
 * Invariant: a header is encoded only when its optional fields form one fork's exact
 * set, in the order the forks added them, so a hash is never computed from a guess. */
#include <assert.h>
#include <string.h>

#include "rpc/header.h"
#include "rpc/keccak.h"

#define HAS_CANCUN                                                                  \
    (RPC_BLOCK_HAS_BLOB_GAS_USED | RPC_BLOCK_HAS_EXCESS_BLOB_GAS |                  \
     RPC_BLOCK_HAS_PARENT_BEACON_ROOT)

/* Every era's field set; each is a superset of the one before. */
static const struct {
    unsigned has;
    const char *name;
} eras[] = {
    {0, "frontier"},
    {RPC_BLOCK_HAS_BASE_FEE, "london"},
    {RPC_BLOCK_HAS_BASE_FEE | RPC_BLOCK_HAS_WITHDRAWALS_ROOT, "shanghai"},
    {RPC_BLOCK_HAS_BASE_FEE | RPC_BLOCK_HAS_WITHDRAWALS_ROOT | HAS_CANCUN, "cancun"},
    {RPC_BLOCK_HAS_BASE_FEE | RPC_BLOCK_HAS_WITHDRAWALS_ROOT | HAS_CANCUN |
         RPC_BLOCK_HAS_REQUESTS_HASH,
     "prague"},
};

const char *rpc_header_era(const rpc_block *b)
{
    assert(b);
    for (size_t i = 0; i < sizeof eras / sizeof eras[0]; i++)
        if (b->has == eras[i].has)
            return eras[i].name;
    return NULL;
}

int rpc_header_encode(rpc_rlp_enc *e, const rpc_block *b)
{
    assert(e && b);
    if (!rpc_header_era(b))
        return RPC_EFORK;
    size_t mark = rpc_rlp_enc_list_begin(e);
    rpc_rlp_enc_bytes(e, b->parent_hash.b, 32);
    rpc_rlp_enc_bytes(e, b->ommers_hash.b, 32);
    rpc_rlp_enc_bytes(e, b->miner.b, 20);
    rpc_rlp_enc_bytes(e, b->state_root.b, 32);
    rpc_rlp_enc_bytes(e, b->transactions_root.b, 32);
    rpc_rlp_enc_bytes(e, b->receipts_root.b, 32);
    rpc_rlp_enc_bytes(e, b->logs_bloom, 256);
    rpc_rlp_enc_u256(e, &b->difficulty);
    rpc_rlp_enc_u64(e, b->number);
    rpc_rlp_enc_u64(e, b->gas_limit);
    rpc_rlp_enc_u64(e, b->gas_used);
    rpc_rlp_enc_u64(e, b->timestamp);
    rpc_rlp_enc_bytes(e, b->extra_data, b->extra_data_len);
    rpc_rlp_enc_bytes(e, b->mix_hash.b, 32);
    rpc_rlp_enc_bytes(e, b->nonce, 8);
    if (b->has & RPC_BLOCK_HAS_BASE_FEE)
        rpc_rlp_enc_u256(e, &b->base_fee);
    if (b->has & RPC_BLOCK_HAS_WITHDRAWALS_ROOT)
        rpc_rlp_enc_bytes(e, b->withdrawals_root.b, 32);
    if (b->has & HAS_CANCUN) {
        rpc_rlp_enc_u64(e, b->blob_gas_used);
        rpc_rlp_enc_u64(e, b->excess_blob_gas);
        rpc_rlp_enc_bytes(e, b->parent_beacon_root.b, 32);
    }
    if (b->has & RPC_BLOCK_HAS_REQUESTS_HASH)
        rpc_rlp_enc_bytes(e, b->requests_hash.b, 32);
    rpc_rlp_enc_list_end(e, mark);
    const uint8_t *p;
    size_t n;
    return rpc_rlp_enc_finish(e, &p, &n);
}

int rpc_header_hash(rpc_hash32 *hash, const rpc_block *b)
{
    assert(hash && b);
    rpc_rlp_enc e;
    const uint8_t *p;
    size_t n;
    memset(hash, 0, sizeof *hash);
    rpc_rlp_enc_init(&e, (size_t)1 << 20); /* extraData is at most 32 bytes on mainnet */
    int rc = rpc_header_encode(&e, b);
    if (rc == RPC_OK && (rc = rpc_rlp_enc_finish(&e, &p, &n)) == RPC_OK)
        rpc_keccak256(hash->b, p, n);
    rpc_rlp_enc_free(&e);
    return rc;
}
