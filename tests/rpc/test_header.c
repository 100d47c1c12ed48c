/* tests/rpc/test_header.c — block header hashing: known answers from mainnet (every field
 * written out with its block number; a hash match proves each field, as keccak has no
 * second preimage), the fork-era field sets, and refusal of field sets of no fork. Headers of
 * the London, Shanghai, Cancun and Prague eras are reproduced from anvil in test_verify.c. */
#include <string.h>

#include <criterion/criterion.h>

#include "rpc/header.h"
#include "rpc/hex.h"
#include "rpc/u256.h"

static rpc_hash32 h32(const char *hex)
{
    rpc_hash32 h;
    cr_assert_eq(rpc_hex_decode_fixed(h.b, 32, hex, strlen(hex)), RPC_OK, "bad literal %s", hex);
    return h;
}

static void expect_hash(const rpc_block *b, const char *want)
{
    rpc_hash32 got, w = h32(want);
    cr_assert_eq(rpc_header_hash(&got, b), RPC_OK);
    cr_expect_eq(memcmp(got.b, w.b, 32), 0, "block %llu: hash differs from %s",
                 (unsigned long long)b->number, want);
}

#define EMPTY_OMMERS "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347"
#define EMPTY_TRIE "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421"

/* Mainnet block 0 (genesis), 2015-07-30; fields from the genesis file every client ships. */
static uint8_t genesis_extra[32];
static rpc_block genesis(void)
{
    rpc_block b;
    memset(&b, 0, sizeof b);
    b.ommers_hash = h32(EMPTY_OMMERS);
    b.state_root = h32("0xd7f8974fb5ac78d9ac099b9ad5018bedc2ce0a72dad1827a1709da30580f0544");
    b.transactions_root = h32(EMPTY_TRIE);
    b.receipts_root = h32(EMPTY_TRIE);
    b.difficulty.w[0] = 0x400000000ULL;
    b.gas_limit = 5000;
    b.extra_data = genesis_extra;
    b.extra_data_len = 32;
    rpc_hash32 x = h32("0x11bbe8db4e347b4e8c937c1c8370e4b5ed33adb3db69cbdb7a38e1e50b1b82fa");
    memcpy(genesis_extra, x.b, 32);
    b.nonce[7] = 0x42;
    return b;
}

Test(header, mainnet_genesis_hashes_to_its_known_hash)
{
    rpc_block b = genesis();
    cr_expect_str_eq(rpc_header_era(&b), "frontier");
    expect_hash(&b, "0xd4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3");
}

/* Mainnet block 1, mined 2015-07-30 15:26:28 UTC by 0x05a56e2d...; extraData is
 * "Geth/v1.0.0/linux/go1.4.2". Its parent is the genesis hash above. */
Test(header, mainnet_block_1_hashes_to_its_known_hash)
{
    static const char extra[] = "Geth/v1.0.0/linux/go1.4.2";
    rpc_block b;
    memset(&b, 0, sizeof b);
    b.parent_hash = h32("0xd4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3");
    b.ommers_hash = h32(EMPTY_OMMERS);
    cr_assert_eq(rpc_hex_decode_fixed(b.miner.b, 20, "0x05a56e2d52c817161883f50c441c3228cfe54d9f",
                                      42),
                 RPC_OK);
    b.state_root = h32("0xd67e4d450343046425ae4271474353857ab860dbc0a1dde64b41b5cd3a532bf3");
    b.transactions_root = h32(EMPTY_TRIE);
    b.receipts_root = h32(EMPTY_TRIE);
    b.difficulty.w[0] = 0x3ff800000ULL;
    b.number = 1;
    b.gas_limit = 5000;
    b.timestamp = 0x55ba4224;
    b.extra_data = (uint8_t *)extra;
    b.extra_data_len = strlen(extra);
    b.mix_hash = h32("0x969b900de27b6ac6a67742365dd65f55a0526c41fd18e1b16f1a1215c2e66f59");
    cr_assert_eq(rpc_hex_decode_fixed(b.nonce, 8, "0x539bd4979fef1ec4", 18), RPC_OK);
    expect_hash(&b, "0x88e96d4537bea4d9c05d12549907b32561d3bf31f45aae734cdc119f13406cb6");
}

Test(header, changing_any_one_field_changes_the_hash)
{
    rpc_block b = genesis();
    rpc_hash32 ref, got;
    cr_assert_eq(rpc_header_hash(&ref, &b), RPC_OK);
    rpc_block m;
    m = b; m.number = 1;
    cr_assert_eq(rpc_header_hash(&got, &m), RPC_OK);
    cr_expect_neq(memcmp(ref.b, got.b, 32), 0, "number");
    m = b; m.logs_bloom[200] = 1;
    cr_assert_eq(rpc_header_hash(&got, &m), RPC_OK);
    cr_expect_neq(memcmp(ref.b, got.b, 32), 0, "bloom");
    m = b; m.nonce[0] = 1;
    cr_assert_eq(rpc_header_hash(&got, &m), RPC_OK);
    cr_expect_neq(memcmp(ref.b, got.b, 32), 0, "nonce");
    m = b; m.extra_data_len = 31;
    cr_assert_eq(rpc_header_hash(&got, &m), RPC_OK);
    cr_expect_neq(memcmp(ref.b, got.b, 32), 0, "extraData");
}

/* Each era adds its fields at the end: the encoding of an era's header starts with the
 * previous era's list payload, and the era names follow the field sets. */
Test(header, each_era_appends_its_fields_to_the_previous_eras_encoding)
{
    static const unsigned sets[] = {
        0, RPC_BLOCK_HAS_BASE_FEE, RPC_BLOCK_HAS_BASE_FEE | RPC_BLOCK_HAS_WITHDRAWALS_ROOT,
        RPC_BLOCK_HAS_BASE_FEE | RPC_BLOCK_HAS_WITHDRAWALS_ROOT | RPC_BLOCK_HAS_BLOB_GAS_USED |
            RPC_BLOCK_HAS_EXCESS_BLOB_GAS | RPC_BLOCK_HAS_PARENT_BEACON_ROOT,
        RPC_BLOCK_HAS_BASE_FEE | RPC_BLOCK_HAS_WITHDRAWALS_ROOT | RPC_BLOCK_HAS_BLOB_GAS_USED |
            RPC_BLOCK_HAS_EXCESS_BLOB_GAS | RPC_BLOCK_HAS_PARENT_BEACON_ROOT |
            RPC_BLOCK_HAS_REQUESTS_HASH};
    static const char *const names[] = {"frontier", "london", "shanghai", "cancun", "prague"};
    /* bytes each era adds: 0x07; 0xa0+32; 0x83 02 00 00, 0x80, 0xa0+32; 0xa0+32 */
    static const size_t added[] = {0, 1, 33, 4 + 1 + 33, 33};
    rpc_block b = genesis();
    b.base_fee.w[0] = 7;
    b.blob_gas_used = 0x20000;
    b.excess_blob_gas = 0;
    uint8_t prev[1024];
    size_t prev_len = 0;
    for (size_t i = 0; i < 5; i++) {
        b.has = sets[i];
        cr_expect_str_eq(rpc_header_era(&b), names[i]);
        rpc_rlp_enc e;
        rpc_rlp_enc_init(&e, 4096);
        cr_assert_eq(rpc_header_encode(&e, &b), RPC_OK);
        rpc_rlp_item it;
        cr_assert_eq(rpc_rlp_decode(&it, e.buf, e.len), RPC_OK);
        if (i > 0) {
            cr_expect_eq(it.len, prev_len + added[i], "era %s payload length", names[i]);
            cr_expect_eq(memcmp(it.payload, prev, prev_len), 0, "era %s prefix", names[i]);
        }
        cr_assert(it.len <= sizeof prev);
        memcpy(prev, it.payload, it.len);
        prev_len = it.len;
        rpc_rlp_enc_free(&e);
    }
}

Test(header, field_sets_of_no_fork_are_refused)
{
    static const unsigned bad[] = {
        RPC_BLOCK_HAS_WITHDRAWALS_ROOT,
        RPC_BLOCK_HAS_BASE_FEE | RPC_BLOCK_HAS_BLOB_GAS_USED,
        RPC_BLOCK_HAS_BASE_FEE | RPC_BLOCK_HAS_WITHDRAWALS_ROOT | RPC_BLOCK_HAS_BLOB_GAS_USED,
        RPC_BLOCK_HAS_BASE_FEE | RPC_BLOCK_HAS_WITHDRAWALS_ROOT | RPC_BLOCK_HAS_REQUESTS_HASH,
    };
    rpc_block b = genesis();
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        b.has = bad[i];
        rpc_hash32 h;
        memset(&h, 0xee, sizeof h);
        cr_expect_null(rpc_header_era(&b));
        cr_expect_eq(rpc_header_hash(&h, &b), RPC_EFORK, "set %#x", bad[i]);
        cr_expect_eq(memcmp(h.b, (uint8_t[32]){0}, 32), 0, "zeroed on error");
        rpc_rlp_enc e;
        rpc_rlp_enc_init(&e, 4096);
        cr_expect_eq(rpc_header_encode(&e, &b), RPC_EFORK);
        cr_expect_eq(e.len, 0u, "nothing appended");
        rpc_rlp_enc_free(&e);
    }
}
