/* rpc/receipt.c — receipts in consensus form, logs blooms, the receipts root.
 * Invariant: the bytes built here are exactly those the block's receiptsRoot commits to,
 * so any field a node altered (status, gas, bloom, a log's address, topics or data, the
 * order of logs or receipts) changes the root. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/keccak.h"
#include "rpc/receipt.h"
#include "rpc/trie.h"

#define RECEIPT_CAP ((size_t)256 << 20)

int rpc_receipt_encode(rpc_rlp_enc *e, const rpc_receipt *r)
{
    assert(e && r);
    if (r->type != 0) {
        uint8_t t = r->type;
        rpc_rlp_enc_raw(e, &t, 1);
    }
    size_t mark = rpc_rlp_enc_list_begin(e);
    if (r->has_status)
        rpc_rlp_enc_u64(e, r->status);
    else
        rpc_rlp_enc_bytes(e, r->root.b, 32);
    rpc_rlp_enc_u64(e, r->cumulative_gas_used);
    rpc_rlp_enc_bytes(e, r->logs_bloom, 256);
    size_t logs = rpc_rlp_enc_list_begin(e);
    for (size_t i = 0; i < r->logs.n; i++) {
        const rpc_log *l = &r->logs.v[i];
        size_t one = rpc_rlp_enc_list_begin(e);
        rpc_rlp_enc_bytes(e, l->address.b, 20);
        size_t topics = rpc_rlp_enc_list_begin(e);
        for (unsigned t = 0; t < l->n_topics; t++)
            rpc_rlp_enc_bytes(e, l->topics[t].b, 32);
        rpc_rlp_enc_list_end(e, topics);
        rpc_rlp_enc_bytes(e, l->data, l->data_len);
        rpc_rlp_enc_list_end(e, one);
    }
    rpc_rlp_enc_list_end(e, logs);
    rpc_rlp_enc_list_end(e, mark);
    const uint8_t *p;
    size_t n;
    return rpc_rlp_enc_finish(e, &p, &n);
}

void rpc_bloom_add(uint8_t bloom256[256], const uint8_t *p, size_t n)
{
    uint8_t h[32];
    rpc_keccak256(h, p, n);
    for (unsigned i = 0; i < 6; i += 2) {
        unsigned bit = (((unsigned)h[i] << 8) | h[i + 1]) & 2047u;
        bloom256[255 - bit / 8] |= (uint8_t)(1u << (bit % 8));
    }
}

bool rpc_bloom_has(const uint8_t bloom256[256], const uint8_t *p, size_t n)
{
    uint8_t one[256] = {0};
    rpc_bloom_add(one, p, n);
    for (size_t i = 0; i < 256; i++)
        if ((bloom256[i] & one[i]) != one[i])
            return false;
    return true;
}

void rpc_receipt_bloom(uint8_t bloom256[256], const rpc_log *logs, size_t n)
{
    memset(bloom256, 0, 256);
    for (size_t i = 0; i < n; i++) {
        rpc_bloom_add(bloom256, logs[i].address.b, 20);
        for (unsigned t = 0; t < logs[i].n_topics; t++)
            rpc_bloom_add(bloom256, logs[i].topics[t].b, 32);
    }
}

int rpc_receipts_root(rpc_hash32 *root, const rpc_receipts *rs)
{
    assert(root && rs);
    int rc = RPC_ENOMEM;
    size_t n = rs->n;
    memset(root, 0, sizeof *root);
    if (n == 0)
        return rpc_trie_root_list(root, NULL, NULL, 0);
    rpc_rlp_enc *enc = calloc(n, sizeof *enc);
    const uint8_t **items = calloc(n, sizeof *items);
    size_t *lens = calloc(n, sizeof *lens);
    if (!enc || !items || !lens)
        goto fail;
    for (size_t i = 0; i < n; i++)
        rpc_rlp_enc_init(&enc[i], RECEIPT_CAP);
    for (size_t i = 0; i < n; i++) {
        if ((rc = rpc_receipt_encode(&enc[i], &rs->v[i])) ||
            (rc = rpc_rlp_enc_finish(&enc[i], &items[i], &lens[i])))
            goto fail;
    }
    rc = rpc_trie_root_list(root, items, lens, n);
fail:
    if (enc)
        for (size_t i = 0; i < n; i++)
            rpc_rlp_enc_free(&enc[i]);
    free(enc);
    free(items);
    free(lens);
    return rc;
}
