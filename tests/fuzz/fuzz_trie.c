/* tests/fuzz/fuzz_trie.c — arbitrary key/value sets into the trie (rpc/trie.h) and arbitrary
 * receipts into the receipt encoder (rpc/receipt.h). Properties: the root does not depend
 * on the order entries are given in; changing one value changes it; the list form equals
 * the general form under RLP(i) keys; a receipt encodes to canonical RLP (after its type
 * byte) that the strict decoder takes whole, and its bloom holds every address and topic.
 * Input: entries of [key length % 33][key][value length][value], up to 64 of them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/receipt.h"
#include "rpc/rlp.h"
#include "rpc/trie.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                               \
    do {                                                                                       \
        if (!(c))                                                                              \
            abort();                                                                           \
    } while (0)

enum { MAX = 64 };

static void trie_props(rpc_trie_kv *kv, size_t n)
{
    rpc_hash32 a, b;
    int rc = rpc_trie_root(&a, kv, n);
    CHECK(rc == RPC_OK || rc == RPC_EINVAL);
    if (rc != RPC_OK)
        return;
    rpc_trie_kv rev[MAX];
    for (size_t i = 0; i < n; i++)
        rev[i] = kv[n - 1 - i];
    CHECK(rpc_trie_root(&b, rev, n) == RPC_OK && !memcmp(a.b, b.b, 32));
    if (n) { /* one value changed: another root */
        uint8_t v[256];
        memcpy(v, kv[0].val, kv[0].val_len);
        v[0] ^= 1;
        rpc_trie_kv save = kv[0];
        kv[0].val = v;
        CHECK(rpc_trie_root(&b, kv, n) == RPC_OK && memcmp(a.b, b.b, 32));
        kv[0] = save;
    }
    /* the list form: the same values under the keys RLP(0), RLP(1), ... */
    const uint8_t *items[MAX];
    size_t lens[MAX];
    uint8_t keys[MAX][9];
    rpc_trie_kv lk[MAX];
    for (size_t i = 0; i < n; i++) {
        items[i] = kv[i].val;
        lens[i] = kv[i].val_len;
        lk[i] = (rpc_trie_kv){keys[i], rpc_rlp_put_u64(keys[i], i), kv[i].val, kv[i].val_len};
    }
    CHECK(rpc_trie_root_list(&a, items, lens, n) == RPC_OK);
    CHECK(rpc_trie_root(&b, lk, n) == RPC_OK && !memcmp(a.b, b.b, 32));
}

static void receipt_props(const rpc_trie_kv *kv, size_t n, const uint8_t *data, size_t size)
{
    rpc_log logs[MAX];
    memset(logs, 0, sizeof logs);
    for (size_t i = 0; i < n; i++) {
        memcpy(logs[i].address.b, kv[i].key, kv[i].key_len < 20 ? kv[i].key_len : 20);
        logs[i].n_topics = (unsigned)(kv[i].val_len % 5);
        for (unsigned t = 0; t < logs[i].n_topics; t++)
            logs[i].topics[t].b[t] = (uint8_t)(kv[i].val_len + t);
        logs[i].data = (uint8_t *)kv[i].val;
        logs[i].data_len = kv[i].val_len;
    }
    rpc_receipt r;
    memset(&r, 0, sizeof r);
    r.type = size ? (uint8_t)(data[0] % 5) : 0;
    r.has_status = size > 1 && (data[1] & 1);
    r.status = size > 2 ? (uint8_t)(data[2] & 1) : 0;
    r.cumulative_gas_used = size > 3 ? (uint64_t)data[3] << (data[3] % 56) : 0;
    r.logs.v = logs;
    r.logs.n = n;
    rpc_receipt_bloom(r.logs_bloom, logs, n);
    for (size_t i = 0; i < n; i++) {
        CHECK(rpc_bloom_has(r.logs_bloom, logs[i].address.b, 20));
        for (unsigned t = 0; t < logs[i].n_topics; t++)
            CHECK(rpc_bloom_has(r.logs_bloom, logs[i].topics[t].b, 32));
    }
    rpc_rlp_enc e;
    rpc_rlp_enc_init(&e, (size_t)1 << 20);
    CHECK(rpc_receipt_encode(&e, &r) == RPC_OK);
    const uint8_t *p;
    size_t len;
    CHECK(rpc_rlp_enc_finish(&e, &p, &len) == RPC_OK);
    size_t skip = r.type ? 1 : 0;
    CHECK(!r.type || p[0] == r.type);
    rpc_rlp_item it, fields[4];
    size_t nf;
    CHECK(rpc_rlp_decode(&it, p + skip, len - skip) == RPC_OK && it.is_list);
    CHECK(rpc_rlp_items(fields, 4, &nf, &it) == RPC_OK && nf == 4);
    CHECK(fields[2].len == 256 && !memcmp(fields[2].payload, r.logs_bloom, 256));
    rpc_rlp_enc_free(&e);
    rpc_receipts one = {&r, 1};
    rpc_hash32 root;
    CHECK(rpc_receipts_root(&root, &one) == RPC_OK);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rpc_trie_kv kv[MAX];
    size_t n = 0, i = 0;
    while (n < MAX && i < size) {
        size_t kl = data[i++] % 33;
        if (kl > size - i)
            break;
        const uint8_t *k = data + i;
        i += kl;
        if (i >= size)
            break;
        size_t vl = data[i++];
        if (vl > size - i)
            break;
        kv[n++] = (rpc_trie_kv){k, kl, data + i, vl};
        i += vl;
    }
    trie_props(kv, n);
    receipt_props(kv, n, data, size);
    return 0;
}
