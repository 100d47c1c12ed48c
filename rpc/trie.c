/* rpc/trie.c — Merkle-Patricia trie roots from a complete, sorted key set: each node is
 * built from the run of entries sharing its path, encoded with rpc/rlp.h, and referenced
 * by its parent inline when its encoding is shorter than 32 bytes, else by its keccak.
 * Invariant: node() is only called on a non-empty sorted run whose keys all share their
 * first `depth` nibbles, and no key appears twice. */
#include <stdlib.h>
#include <string.h>

#include "rpc/keccak.h"
#include "rpc/rlp.h"
#include "rpc/trie.h"

/* Longest key accepted: bounds the recursion (two frames per nibble at most). */
#define MAX_KEY 256
/* Largest encoding of one node: a value can be as large as a block's biggest receipt. */
#define NODE_CAP ((size_t)1 << 30)

const rpc_hash32 rpc_trie_empty_root = {{
    0x56, 0xe8, 0x1f, 0x17, 0x1b, 0xcc, 0x55, 0xa6, 0xff, 0x83, 0x45, 0xe6, 0x92, 0xc0, 0xf8, 0x6e,
    0x5b, 0x48, 0xe0, 0x1b, 0x99, 0x6c, 0xad, 0xc0, 0x01, 0x62, 0x2f, 0xb5, 0xe3, 0x63, 0xb4, 0x21,
}};

static unsigned nib(const rpc_trie_kv *e, size_t i)
{
    uint8_t b = e->key[i / 2];
    return (i % 2) ? (b & 0x0f) : (b >> 4);
}

static size_t nibs(const rpc_trie_kv *e) { return e->key_len * 2; }

static int cmp_kv(const void *a, const void *b)
{
    const rpc_trie_kv *x = a, *y = b;
    size_t m = x->key_len < y->key_len ? x->key_len : y->key_len;
    int c = m ? memcmp(x->key, y->key, m) : 0;
    if (c)
        return c;
    return (x->key_len > y->key_len) - (x->key_len < y->key_len);
}

/* Append the hex-prefix encoding (appendix C) of e's key nibbles [from, to) as a string. */
static void put_path(rpc_rlp_enc *out, const rpc_trie_kv *e, size_t from, size_t to, bool leaf)
{
    uint8_t buf[MAX_KEY + 1];
    size_t n = to - from, k = 0;
    unsigned flag = (leaf ? 2u : 0u) + (n % 2);
    if (n % 2)
        buf[k++] = (uint8_t)((flag << 4) | nib(e, from++));
    else
        buf[k++] = (uint8_t)(flag << 4);
    for (; from < to; from += 2)
        buf[k++] = (uint8_t)((nib(e, from) << 4) | nib(e, from + 1));
    rpc_rlp_enc_bytes(out, buf, k);
}

static void node(rpc_rlp_enc *out, const rpc_trie_kv *v, size_t n, size_t depth);

/* Append the reference to the node of v[0..n) at depth: inline below 32 bytes, else its hash. */
static void ref(rpc_rlp_enc *parent, const rpc_trie_kv *v, size_t n, size_t depth)
{
    rpc_rlp_enc e;
    const uint8_t *p;
    size_t len;
    rpc_rlp_enc_init(&e, NODE_CAP);
    node(&e, v, n, depth);
    int rc = rpc_rlp_enc_finish(&e, &p, &len);
    if (rc) {
        if (!parent->err)
            parent->err = rc;
    } else if (len < 32) {
        rpc_rlp_enc_raw(parent, p, len);
    } else {
        uint8_t h[32];
        rpc_keccak256(h, p, len);
        rpc_rlp_enc_bytes(parent, h, 32);
    }
    rpc_rlp_enc_free(&e);
}

static void node(rpc_rlp_enc *out, const rpc_trie_kv *v, size_t n, size_t depth)
{
    size_t mark = rpc_rlp_enc_list_begin(out);
    if (n == 1) { /* leaf: the rest of the key and the value */
        put_path(out, &v[0], depth, nibs(&v[0]), true);
        rpc_rlp_enc_bytes(out, v[0].val, v[0].val_len);
        rpc_rlp_enc_list_end(out, mark);
        return;
    }
    /* Sorted: the common prefix of the run is that of its first and last keys. */
    size_t end = nibs(&v[0]) < nibs(&v[n - 1]) ? nibs(&v[0]) : nibs(&v[n - 1]);
    size_t cp = depth;
    while (cp < end && nib(&v[0], cp) == nib(&v[n - 1], cp))
        cp++;
    if (cp > depth) { /* extension: the shared nibbles, then the branch below them */
        put_path(out, &v[0], depth, cp, false);
        ref(out, v, n, cp);
        rpc_rlp_enc_list_end(out, mark);
        return;
    }
    /* branch: sixteen children by the next nibble, then the value of a key ending here */
    size_t i = 0;
    const rpc_trie_kv *here = NULL;
    if (nibs(&v[0]) == depth)
        here = &v[i++];
    for (unsigned d = 0; d < 16; d++) {
        size_t j = i;
        while (j < n && nib(&v[j], depth) == d)
            j++;
        if (j == i)
            rpc_rlp_enc_bytes(out, NULL, 0);
        else
            ref(out, v + i, j - i, depth + 1);
        i = j;
    }
    if (here)
        rpc_rlp_enc_bytes(out, here->val, here->val_len);
    else
        rpc_rlp_enc_bytes(out, NULL, 0);
    rpc_rlp_enc_list_end(out, mark);
}

int rpc_trie_root(rpc_hash32 *root, const rpc_trie_kv *kv, size_t n)
{
    int rc = RPC_OK;
    rpc_trie_kv *v = NULL;
    rpc_rlp_enc e;
    rpc_rlp_enc_init(&e, NODE_CAP);
    memset(root, 0, sizeof *root);
    if (n == 0) {
        *root = rpc_trie_empty_root;
        return RPC_OK;
    }
    if (!(v = malloc(n * sizeof *v)))
        return RPC_ENOMEM;
    memcpy(v, kv, n * sizeof *v);
    for (size_t i = 0; i < n; i++)
        if (v[i].val_len == 0 || v[i].key_len > MAX_KEY) {
            rc = RPC_EINVAL;
            goto fail;
        }
    qsort(v, n, sizeof *v, cmp_kv);
    for (size_t i = 1; i < n; i++)
        if (cmp_kv(&v[i - 1], &v[i]) == 0) {
            rc = RPC_EINVAL;
            goto fail;
        }
    node(&e, v, n, 0);
    const uint8_t *p;
    size_t len;
    if ((rc = rpc_rlp_enc_finish(&e, &p, &len)))
        goto fail;
    rpc_keccak256(root->b, p, len); /* the root is hashed whatever its size */
fail:
    rpc_rlp_enc_free(&e);
    free(v);
    return rc;
}

int rpc_trie_root_list(rpc_hash32 *root, const uint8_t *const *items, const size_t *lens,
                       size_t n)
{
    memset(root, 0, sizeof *root);
    if (n == 0)
        return rpc_trie_root(root, NULL, 0);
    uint8_t *keys = malloc(n * 9);
    rpc_trie_kv *kv = malloc(n * sizeof *kv);
    int rc = RPC_ENOMEM;
    if (!keys || !kv)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        kv[i].key = keys + i * 9;
        kv[i].key_len = rpc_rlp_put_u64(keys + i * 9, (uint64_t)i);
        kv[i].val = items[i];
        kv[i].val_len = lens[i];
    }
    rc = rpc_trie_root(root, kv, n);
fail:
    free(keys);
    free(kv);
    return rc;
}
