/* tests/rpc/test_trie.c — Merkle-Patricia trie roots: the empty root, ethereum/tests'
 * trieanyorder.json vectors (keys and values are ASCII strings there), the list form keyed
 * by RLP(index), and the argument contract. Roots of real blocks (1, 2, 3, 130 txs) are
 * checked against anvil in tests/rpc/test_verify.c. */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "rpc/hex.h"
#include "rpc/keccak.h"
#include "rpc/trie.h"

static rpc_hash32 h32(const char *hex)
{
    rpc_hash32 h;
    cr_assert_eq(rpc_hex_decode_fixed(h.b, 32, hex, strlen(hex)), RPC_OK, "bad literal %s", hex);
    return h;
}

static rpc_trie_kv str_kv(const char *k, const char *v)
{
    return (rpc_trie_kv){(const uint8_t *)k, strlen(k), (const uint8_t *)v, strlen(v)};
}

static void expect_root(const rpc_trie_kv *kv, size_t n, const char *want, const char *name)
{
    rpc_hash32 root, w = h32(want);
    cr_assert_eq(rpc_trie_root(&root, kv, n), RPC_OK, "%s", name);
    cr_expect_eq(memcmp(root.b, w.b, 32), 0, "%s: root differs", name);
}

Test(trie, the_empty_trie_has_the_root_every_empty_block_names)
{
    rpc_hash32 root;
    uint8_t empty_string = 0x80, h[32];
    rpc_keccak256(h, &empty_string, 1);
    cr_assert_eq(memcmp(rpc_trie_empty_root.b, h, 32), 0, "keccak256(0x80)");
    cr_assert_eq(rpc_trie_root(&root, NULL, 0), RPC_OK);
    cr_expect_eq(memcmp(root.b, rpc_trie_empty_root.b, 32), 0);
    cr_assert_eq(rpc_trie_root_list(&root, NULL, NULL, 0), RPC_OK);
    cr_expect_eq(memcmp(root.b, rpc_trie_empty_root.b, 32), 0);
}

/* ethereum/tests TrieTests/trieanyorder.json. */
Test(trie, dogs_vector_with_a_shared_prefix_and_an_extension)
{
    rpc_trie_kv kv[] = {str_kv("doe", "reindeer"), str_kv("dog", "puppy"),
                        str_kv("dogglesworth", "cat")};
    expect_root(kv, 3, "0x8aad789dff2f538bca5d8ea56e8abe10f4c7ba3a5dea95fea4cd6e7c3a1168d3", "dogs");
}

Test(trie, puppy_vector_with_a_key_that_is_a_prefix_of_others)
{
    rpc_trie_kv kv[] = {str_kv("do", "verb"), str_kv("horse", "stallion"), str_kv("doge", "coin"),
                        str_kv("dog", "puppy")};
    expect_root(kv, 4, "0x5991bb8c6514148a29db676a14ac506cd2cd5775ace63c30a4fe457715e9ac84",
                "puppy");
}

Test(trie, foo_vector_with_a_value_in_a_branch)
{
    rpc_trie_kv kv[] = {str_kv("foo", "bar"), str_kv("food", "bass")};
    expect_root(kv, 2, "0x17beaa1648bafa633cda809c90c04af50fc8aed3cb40d16efbddee6fdf63c4c3", "foo");
}

Test(trie, small_values_vector_with_inlined_nodes)
{
    rpc_trie_kv kv[] = {str_kv("be", "e"), str_kv("dog", "puppy"), str_kv("bed", "d")};
    expect_root(kv, 3, "0x3f67c7a47520f79faa29255d2d3c084a7a6df0453116ed7232ff10277a8be68b",
                "smallValues");
}

Test(trie, testy_vector)
{
    rpc_trie_kv kv[] = {str_kv("test", "test"), str_kv("te", "testy")};
    expect_root(kv, 2, "0x8452568af70d8d140f58d941338542f645fcca50094b20f3c3d8c3df49337928",
                "testy");
}

Test(trie, the_order_of_the_entries_given_does_not_change_the_root)
{
    rpc_trie_kv a[] = {str_kv("do", "verb"), str_kv("horse", "stallion"), str_kv("doge", "coin"),
                       str_kv("dog", "puppy")};
    rpc_trie_kv b[] = {a[3], a[1], a[0], a[2]};
    rpc_hash32 ra, rb;
    cr_assert_eq(rpc_trie_root(&ra, a, 4), RPC_OK);
    cr_assert_eq(rpc_trie_root(&rb, b, 4), RPC_OK);
    cr_expect_eq(memcmp(ra.b, rb.b, 32), 0);
    cr_expect_eq(a[0].key[0], 'd', "the caller's array is left as it was");
}

Test(trie, changing_one_value_or_dropping_one_entry_changes_the_root)
{
    rpc_trie_kv kv[] = {str_kv("doe", "reindeer"), str_kv("dog", "puppy"),
                        str_kv("dogglesworth", "cat")};
    rpc_hash32 r0, r1, r2;
    cr_assert_eq(rpc_trie_root(&r0, kv, 3), RPC_OK);
    kv[1] = str_kv("dog", "puppz");
    cr_assert_eq(rpc_trie_root(&r1, kv, 3), RPC_OK);
    cr_assert_eq(rpc_trie_root(&r2, kv, 2), RPC_OK);
    cr_expect_neq(memcmp(r0.b, r1.b, 32), 0);
    cr_expect_neq(memcmp(r0.b, r2.b, 32), 0);
    cr_expect_neq(memcmp(r1.b, r2.b, 32), 0);
}

/* The list form is the general form with the keys RLP(0), RLP(1), ... spelled out. 200 items
 * pass 127 (one-byte keys) and 128 (two-byte keys 0x81 0x80...). */
Test(trie, the_list_form_keys_item_i_by_rlp_of_i)
{
    enum { N = 200 };
    uint8_t vals[N][3];
    const uint8_t *items[N];
    size_t lens[N];
    uint8_t keys[N][3];
    rpc_trie_kv kv[N];
    for (size_t i = 0; i < N; i++) {
        vals[i][0] = (uint8_t)i;
        vals[i][1] = 0xaa;
        vals[i][2] = (uint8_t)(i >> 8);
        items[i] = vals[i];
        lens[i] = 3;
        size_t kl;
        if (i == 0) {
            keys[i][0] = 0x80;
            kl = 1;
        } else if (i < 128) {
            keys[i][0] = (uint8_t)i;
            kl = 1;
        } else {
            keys[i][0] = 0x81;
            keys[i][1] = (uint8_t)i;
            kl = 2;
        }
        kv[i] = (rpc_trie_kv){keys[i], kl, vals[i], 3};
    }
    for (size_t n = 0; n <= N; n += (n < 3 ? 1 : 41)) {
        rpc_hash32 a, b;
        cr_assert_eq(rpc_trie_root_list(&a, items, lens, n), RPC_OK);
        cr_assert_eq(rpc_trie_root(&b, kv, n), RPC_OK);
        cr_expect_eq(memcmp(a.b, b.b, 32), 0, "n=%zu", n);
    }
}

Test(trie, a_repeated_key_or_an_empty_value_is_refused)
{
    rpc_trie_kv dup[] = {str_kv("dog", "puppy"), str_kv("dog", "cat")};
    rpc_hash32 root;
    memset(&root, 0xee, sizeof root);
    cr_expect_eq(rpc_trie_root(&root, dup, 2), RPC_EINVAL);
    cr_expect_eq(memcmp(root.b, (uint8_t[32]){0}, 32), 0, "zeroed on error");
    rpc_trie_kv empty[] = {str_kv("dog", "")};
    cr_expect_eq(rpc_trie_root(&root, empty, 1), RPC_EINVAL);
    const uint8_t *items[] = {(const uint8_t *)"x"};
    size_t lens[] = {0};
    cr_expect_eq(rpc_trie_root_list(&root, items, lens, 1), RPC_EINVAL);
}
