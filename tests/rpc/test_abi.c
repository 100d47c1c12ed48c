/* tests/rpc/test_abi.c — the ABI reader and writer: the Solidity spec's examples,
 * viem-made Multicall3 and event vectors, every malformed-input rule, the writer's cap. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "rpc/abi.h"
#include "rpc/addr.h"
#include "rpc/hex.h"
#include "rpc/keccak.h"
#include "rpc/u256.h"

/* Decode a "0x..." literal into a fresh heap buffer of exactly its size, so ASan sees any
 * read past it. The caller frees. */
static uint8_t *unhex(size_t *n, const char *hex)
{
    size_t cap = strlen(hex) / 2 + 1;
    uint8_t *buf = malloc(cap);
    cr_assert_not_null(buf);
    cr_assert_eq(rpc_hex_decode(buf, cap, n, hex, strlen(hex)), RPC_OK, "bad literal");
    uint8_t *exact = malloc(*n ? *n : 1);
    cr_assert_not_null(exact);
    memcpy(exact, buf, *n);
    free(buf);
    return exact;
}

static rpc_addr addr(const char *s)
{
    rpc_addr a;
    cr_assert_eq(rpc_addr_parse(&a, s, strlen(s)), RPC_OK, "bad address %s", s);
    return a;
}

static void expect_encoding(rpc_abi_enc *e, const char *want_hex)
{
    const uint8_t *out;
    size_t n, wn;
    cr_assert_eq(rpc_abi_enc_finish(e, &out, &n), RPC_OK);
    uint8_t *want = unhex(&wn, want_hex);
    cr_expect_eq(n, wn, "length %zu, want %zu", n, wn);
    if (n == wn) {
        for (size_t i = 0; i < n; i++)
            if (out[i] != want[i]) {
                cr_expect_fail("first difference at byte %zu (word %zu)", i, i < 4 ? 0 : (i - 4) / 32);
                break;
            }
    }
    free(want);
}

/* Solidity ABI specification, "Examples" (docs.soliditylang.org/en/latest/abi-spec.html):
 * sam("dave", true, [1, 2, 3]), f(0x123, [0x456, 0x789], "1234567890", "Hello, world!"),
 * g([[1, 2], [3]], ["one", "two", "three"]) (also re-made with viem). */
static const char SAM_CALLDATA[] =
    "0xa5643bf2"
    "0000000000000000000000000000000000000000000000000000000000000060"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "00000000000000000000000000000000000000000000000000000000000000a0"
    "0000000000000000000000000000000000000000000000000000000000000004"
    "6461766500000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000003"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0000000000000000000000000000000000000000000000000000000000000002"
    "0000000000000000000000000000000000000000000000000000000000000003";
static const char F_CALLDATA[] =
    "0x8be65246"
    "0000000000000000000000000000000000000000000000000000000000000123"
    "0000000000000000000000000000000000000000000000000000000000000080"
    "3132333435363738393000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000000000000000000000000000000000e0"
    "0000000000000000000000000000000000000000000000000000000000000002"
    "0000000000000000000000000000000000000000000000000000000000000456"
    "0000000000000000000000000000000000000000000000000000000000000789"
    "000000000000000000000000000000000000000000000000000000000000000d"
    "48656c6c6f2c20776f726c642100000000000000000000000000000000000000";
static const char G_CALLDATA[] =
    "0x2289b18c"
    "0000000000000000000000000000000000000000000000000000000000000040"
    "0000000000000000000000000000000000000000000000000000000000000140"
    "0000000000000000000000000000000000000000000000000000000000000002"
    "0000000000000000000000000000000000000000000000000000000000000040"
    "00000000000000000000000000000000000000000000000000000000000000a0"
    "0000000000000000000000000000000000000000000000000000000000000002"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0000000000000000000000000000000000000000000000000000000000000002"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0000000000000000000000000000000000000000000000000000000000000003"
    "0000000000000000000000000000000000000000000000000000000000000003"
    "0000000000000000000000000000000000000000000000000000000000000060"
    "00000000000000000000000000000000000000000000000000000000000000a0"
    "00000000000000000000000000000000000000000000000000000000000000e0"
    "0000000000000000000000000000000000000000000000000000000000000003"
    "6f6e650000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000003"
    "74776f0000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000005"
    "7468726565000000000000000000000000000000000000000000000000000000";

/* Made offline by tests/rpc/gen_abi_vectors.mjs (viem encodeFunctionData /
 * encodeAbiParameters / encodeEventTopics). aggregate3 calls: USDT.balanceOf(Binance 14)
 * allowing failure, USDT.decimals() not, an empty call to Multicall3 allowing failure.
 * Return: (true, uint256 123456789012345), (false, Error("nope")), (true, 0x). */
static const char AGGREGATE3_CALLDATA[] =
    "0x82ad56cb"
    "0000000000000000000000000000000000000000000000000000000000000020"
    "0000000000000000000000000000000000000000000000000000000000000003"
    "0000000000000000000000000000000000000000000000000000000000000060"
    "0000000000000000000000000000000000000000000000000000000000000120"
    "00000000000000000000000000000000000000000000000000000000000001c0"
    "000000000000000000000000dac17f958d2ee523a2206206994597c13d831ec7"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0000000000000000000000000000000000000000000000000000000000000060"
    "0000000000000000000000000000000000000000000000000000000000000024"
    "70a0823100000000000000000000000028c6c06298d514db089934071355e574"
    "3bf21d6000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000dac17f958d2ee523a2206206994597c13d831ec7"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000060"
    "0000000000000000000000000000000000000000000000000000000000000004"
    "313ce56700000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000ca11bde05977b3631167028862be2a173976ca11"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0000000000000000000000000000000000000000000000000000000000000060"
    "0000000000000000000000000000000000000000000000000000000000000000";
static const char AGGREGATE3_RETURN[] =
    "0x"
    "0000000000000000000000000000000000000000000000000000000000000020"
    "0000000000000000000000000000000000000000000000000000000000000003"
    "0000000000000000000000000000000000000000000000000000000000000060"
    "00000000000000000000000000000000000000000000000000000000000000e0"
    "00000000000000000000000000000000000000000000000000000000000001c0"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0000000000000000000000000000000000000000000000000000000000000040"
    "0000000000000000000000000000000000000000000000000000000000000020"
    "00000000000000000000000000000000000000000000000000007048860ddf79"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000040"
    "0000000000000000000000000000000000000000000000000000000000000064"
    "08c379a000000000000000000000000000000000000000000000000000000000"
    "0000002000000000000000000000000000000000000000000000000000000000"
    "000000046e6f7065000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0000000000000000000000000000000000000000000000000000000000000040"
    "0000000000000000000000000000000000000000000000000000000000000000";
/* Aave V3 Supply(reserve=WETH, user=0x9d8A..4A4F, onBehalfOf=0xFaf1..840f, amount=30000 ether,
 * referralCode=0): topics then data. */
static const char *SUPPLY_TOPICS[4] = {
    "0x2b627736bca15cd5381dcf80b0bf11fd197d01a037c52b927a881a10fb73ba61",
    "0x000000000000000000000000c02aaa39b223fe8d0a0e5c4f27ead9083c756cc2",
    "0x000000000000000000000000faf1358fe6a9fa29a169dfc272b14e709f54840f",
    "0x0000000000000000000000000000000000000000000000000000000000000000",
};
static const char SUPPLY_DATA[] =
    "0x"
    "0000000000000000000000009d8a62f656a8d1615c1294fd71e9cfb3e4855a4f"
    "00000000000000000000000000000000000000000000065a4da25d3016c00000";
/* Comet userBasic return: (int104 -30000000000000, uint64 1e15, uint64 42, uint16 5, uint8 0). */
static const char USERBASIC_RETURN[] =
    "0x"
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffe4b714a82000"
    "00000000000000000000000000000000000000000000000000038d7ea4c68000"
    "000000000000000000000000000000000000000000000000000000000000002a"
    "0000000000000000000000000000000000000000000000000000000000000005"
    "0000000000000000000000000000000000000000000000000000000000000000";

Test(abi, the_spec_selectors_are_keccak_of_their_signatures)
{
    cr_expect_eq(rpc_keccak_selector("sam(bytes,bool,uint256[])"), 0xa5643bf2u);
    cr_expect_eq(rpc_keccak_selector("f(uint256,uint32[],bytes10,bytes)"), 0x8be65246u);
    cr_expect_eq(rpc_keccak_selector("g(uint256[][],string[])"), 0x2289b18cu);
    cr_expect_eq(rpc_keccak_selector("aggregate3((address,bool,bytes)[])"), RPC_ABI_SEL_AGGREGATE3);
}

Test(abi, sam_decodes_to_dave_true_and_one_two_three)
{
    size_t n;
    uint8_t *cd = unhex(&n, SAM_CALLDATA);
    rpc_abi r, arr;
    rpc_abi_init(&r, cd + 4, n - 4);
    const uint8_t *p;
    size_t len, count;
    bool b;
    cr_assert_eq(rpc_abi_bytes(&p, &len, &r, 0), RPC_OK);
    cr_expect_eq(len, 4);
    cr_expect(memcmp(p, "dave", 4) == 0);
    cr_assert_eq(rpc_abi_bool(&b, &r, 1), RPC_OK);
    cr_expect(b);
    cr_assert_eq(rpc_abi_array(&arr, &count, &r, 2, 1), RPC_OK);
    cr_assert_eq(count, 3);
    for (size_t i = 0; i < 3; i++) {
        rpc_u256 v;
        cr_assert_eq(rpc_abi_uint(&v, &arr, i, 256), RPC_OK);
        cr_expect_eq(v.w[0], i + 1);
    }
    free(cd);
}

Test(abi, f_decodes_its_static_dynamic_and_fixed_bytes_fields)
{
    size_t n;
    uint8_t *cd = unhex(&n, F_CALLDATA);
    rpc_abi r, arr;
    rpc_abi_init(&r, cd + 4, n - 4);
    uint64_t v;
    size_t count, len;
    uint8_t b10[10];
    const uint8_t *p;
    cr_assert_eq(rpc_abi_u64(&v, &r, 0, 256 / 4), RPC_OK);
    cr_expect_eq(v, 0x123);
    cr_assert_eq(rpc_abi_array(&arr, &count, &r, 1, 1), RPC_OK);
    cr_assert_eq(count, 2);
    cr_assert_eq(rpc_abi_u64(&v, &arr, 1, 32), RPC_OK);
    cr_expect_eq(v, 0x789);
    cr_assert_eq(rpc_abi_fixed_bytes(b10, 10, &r, 2), RPC_OK);
    cr_expect(memcmp(b10, "1234567890", 10) == 0);
    cr_assert_eq(rpc_abi_bytes(&p, &len, &r, 3), RPC_OK);
    cr_expect_eq(len, 13);
    cr_expect(memcmp(p, "Hello, world!", 13) == 0);
    /* bytes10 is left-aligned: as bytes9 its tenth byte is non-zero padding */
    cr_expect_eq(rpc_abi_fixed_bytes(b10, 9, &r, 2), RPC_EABI);
    free(cd);
}

Test(abi, g_decodes_nested_dynamic_arrays_and_strings)
{
    size_t n;
    uint8_t *cd = unhex(&n, G_CALLDATA);
    rpc_abi r, outer, inner, strs;
    rpc_abi_init(&r, cd + 4, n - 4);
    size_t k, m;
    cr_assert_eq(rpc_abi_array(&outer, &k, &r, 0, 1), RPC_OK);
    cr_assert_eq(k, 2);
    const uint64_t want[2][2] = {{1, 2}, {3, 0}};
    for (size_t i = 0; i < 2; i++) {
        cr_assert_eq(rpc_abi_array(&inner, &m, &outer, i, 1), RPC_OK);
        cr_assert_eq(m, 2 - i);
        for (size_t j = 0; j < m; j++) {
            uint64_t v;
            cr_assert_eq(rpc_abi_u64(&v, &inner, j, 64), RPC_OK);
            cr_expect_eq(v, want[i][j]);
        }
    }
    cr_assert_eq(rpc_abi_array(&strs, &k, &r, 1, 1), RPC_OK);
    cr_assert_eq(k, 3);
    const char *words[3] = {"one", "two", "three"};
    for (size_t i = 0; i < 3; i++) {
        const uint8_t *p;
        size_t len;
        cr_assert_eq(rpc_abi_bytes(&p, &len, &strs, i), RPC_OK);
        cr_expect_eq(len, strlen(words[i]));
        cr_expect(memcmp(p, words[i], len) == 0);
    }
    free(cd);
}

Test(abi, the_writer_reproduces_the_spec_examples)
{
    rpc_abi_enc e;
    rpc_abi_enc_init_call(&e, 4096, 0xa5643bf2u, 3); /* sam */
    rpc_abi_put_bytes(&e, 0, (const uint8_t *)"dave", 4);
    rpc_abi_put_bool(&e, 1, true);
    rpc_abi_open_array(&e, 2, 3, 1);
    for (uint64_t i = 0; i < 3; i++)
        rpc_abi_put_u64(&e, i, i + 1);
    rpc_abi_close(&e);
    expect_encoding(&e, SAM_CALLDATA);
    rpc_abi_enc_free(&e);

    rpc_abi_enc_init_call(&e, 4096, 0x8be65246u, 4); /* f */
    rpc_abi_put_u64(&e, 0, 0x123);
    rpc_abi_open_array(&e, 1, 2, 1);
    rpc_abi_put_u64(&e, 0, 0x456);
    rpc_abi_put_u64(&e, 1, 0x789);
    rpc_abi_close(&e);
    rpc_hash32 b10 = {{0}};
    memcpy(b10.b, "1234567890", 10);
    rpc_abi_put_word(&e, 2, &b10);
    rpc_abi_put_bytes(&e, 3, (const uint8_t *)"Hello, world!", 13);
    expect_encoding(&e, F_CALLDATA);
    rpc_abi_enc_free(&e);

    rpc_abi_enc_init_call(&e, 4096, 0x2289b18cu, 2); /* g */
    rpc_abi_open_array(&e, 0, 2, 1);
    rpc_abi_open_array(&e, 0, 2, 1);
    rpc_abi_put_u64(&e, 0, 1);
    rpc_abi_put_u64(&e, 1, 2);
    rpc_abi_close(&e);
    rpc_abi_open_array(&e, 1, 1, 1);
    rpc_abi_put_u64(&e, 0, 3);
    rpc_abi_close(&e);
    rpc_abi_close(&e);
    rpc_abi_open_array(&e, 1, 3, 1);
    rpc_abi_put_bytes(&e, 0, (const uint8_t *)"one", 3);
    rpc_abi_put_bytes(&e, 1, (const uint8_t *)"two", 3);
    rpc_abi_put_bytes(&e, 2, (const uint8_t *)"three", 5);
    rpc_abi_close(&e);
    expect_encoding(&e, G_CALLDATA);
    rpc_abi_enc_free(&e);
}

static const uint8_t BALANCE_OF_BINANCE14[36] = {
    0x70, 0xa0, 0x82, 0x31, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x28, 0xc6,
    0xc0, 0x62, 0x98, 0xd5, 0x14, 0xdb, 0x08, 0x99, 0x34, 0x07, 0x13, 0x55, 0xe5, 0x74, 0x3b, 0xf2,
    0x1d, 0x60};
static const uint8_t DECIMALS[4] = {0x31, 0x3c, 0xe5, 0x67};

Test(abi, aggregate3_calldata_matches_viem)
{
    rpc_abi_call3 calls[3] = {
        {addr("0xdAC17F958D2ee523a2206206994597C13D831ec7"), true, BALANCE_OF_BINANCE14, 36},
        {addr("0xdAC17F958D2ee523a2206206994597C13D831ec7"), false, DECIMALS, 4},
        {addr("0xcA11bde05977b3631167028862bE2a173976CA11"), true, NULL, 0},
    };
    rpc_abi_enc e;
    cr_assert_eq(rpc_abi_encode_aggregate3(&e, 4096, calls, 3), RPC_OK);
    expect_encoding(&e, AGGREGATE3_CALLDATA);
    rpc_abi_enc_free(&e);
}

Test(abi, aggregate3_calldata_beyond_the_cap_is_too_large)
{
    rpc_abi_call3 call = {addr("0xdAC17F958D2ee523a2206206994597C13D831ec7"), true, DECIMALS, 4};
    rpc_abi_enc e;
    /* 4 + 32 (offset) + 32 (count) + 32 (element offset) + 3 * 32 (head) + 32 + 32 = 260 */
    cr_expect_eq(rpc_abi_encode_aggregate3(&e, 259, &call, 1), RPC_ETOO_LARGE);
    const uint8_t *out;
    size_t n;
    cr_expect_eq(rpc_abi_enc_finish(&e, &out, &n), RPC_ETOO_LARGE);
    cr_expect_null(out);
    rpc_abi_enc_free(&e);
    cr_expect_eq(rpc_abi_encode_aggregate3(&e, 260, &call, 1), RPC_OK);
    cr_assert_eq(rpc_abi_enc_finish(&e, &out, &n), RPC_OK);
    cr_expect_eq(n, 260);
    rpc_abi_enc_free(&e);
}

Test(abi, aggregate3_results_decode_success_and_revert_data)
{
    size_t n, count, len;
    uint8_t *ret = unhex(&n, AGGREGATE3_RETURN);
    rpc_abi results, inner;
    bool ok;
    const uint8_t *p;
    cr_assert_eq(rpc_abi_decode_aggregate3(&results, &count, ret, n), RPC_OK);
    cr_assert_eq(count, 3);

    cr_assert_eq(rpc_abi_aggregate3_result(&ok, &p, &len, &results, count, 0), RPC_OK);
    cr_expect(ok);
    cr_assert_eq(len, 32);
    rpc_u256 v;
    rpc_abi_init(&inner, p, len);
    cr_assert_eq(rpc_abi_uint(&v, &inner, 0, 256), RPC_OK);
    cr_expect_eq(v.w[0], 123456789012345ULL);

    cr_assert_eq(rpc_abi_aggregate3_result(&ok, &p, &len, &results, count, 1), RPC_OK);
    cr_expect(!ok);
    cr_assert_eq(len, 100); /* Error(string): selector + offset + length + "nope" padded */
    cr_expect_eq(p[0], 0x08);
    rpc_abi_init(&inner, p + 4, len - 4);
    const uint8_t *msg;
    size_t msglen;
    cr_assert_eq(rpc_abi_bytes(&msg, &msglen, &inner, 0), RPC_OK);
    cr_expect_eq(msglen, 4);
    cr_expect(memcmp(msg, "nope", 4) == 0);

    cr_assert_eq(rpc_abi_aggregate3_result(&ok, &p, &len, &results, count, 2), RPC_OK);
    cr_expect(ok);
    cr_expect_eq(len, 0);
    cr_expect_not_null(p);

    ok = true;
    cr_expect_eq(rpc_abi_aggregate3_result(&ok, &p, &len, &results, count, 3), RPC_EABI);
    cr_expect(!ok && p == NULL && len == 0);
    free(ret);
}

Test(abi, every_truncation_of_the_aggregate3_result_fails_cleanly)
{
    size_t n;
    uint8_t *ret = unhex(&n, AGGREGATE3_RETURN);
    for (size_t cut = 0; cut < n; cut++) {
        uint8_t *part = malloc(cut ? cut : 1); /* exact size: ASan catches any overread */
        memcpy(part, ret, cut);
        rpc_abi results;
        size_t count;
        int ok_results = 0;
        if (rpc_abi_decode_aggregate3(&results, &count, part, cut) == RPC_OK) {
            for (size_t i = 0; i < count; i++) {
                bool s;
                const uint8_t *p;
                size_t len;
                if (rpc_abi_aggregate3_result(&s, &p, &len, &results, count, i) == RPC_OK) {
                    cr_assert(p >= part && p + len <= part + cut);
                    ok_results++;
                }
            }
        }
        cr_expect(ok_results < 3, "a cut at %zu must lose a result", cut);
        free(part);
    }
    free(ret);
}

Test(abi, an_aave_supply_event_decodes_from_topics_and_data)
{
    rpc_hash32 topics[4];
    for (int i = 0; i < 4; i++)
        cr_assert_eq(rpc_hash32_parse(&topics[i], SUPPLY_TOPICS[i], strlen(SUPPLY_TOPICS[i])), RPC_OK);
    rpc_hash32 t0 = rpc_keccak_topic("Supply(address,address,address,uint256,uint16)");
    cr_expect(memcmp(t0.b, topics[0].b, 32) == 0);

    rpc_abi t, d;
    rpc_abi_init(&t, topics[0].b, sizeof topics);
    rpc_addr reserve, on_behalf, user;
    uint64_t referral;
    cr_assert_eq(rpc_abi_address(&reserve, &t, 1), RPC_OK);
    cr_assert_eq(rpc_abi_address(&on_behalf, &t, 2), RPC_OK);
    cr_assert_eq(rpc_abi_u64(&referral, &t, 3, 16), RPC_OK);
    rpc_addr weth = addr("0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2");
    rpc_addr trend = addr("0xFaf1358Fe6a9FA29A169Dfc272B14E709f54840f");
    cr_expect(memcmp(&reserve, &weth, 20) == 0);
    cr_expect(memcmp(&on_behalf, &trend, 20) == 0);
    cr_expect_eq(referral, 0);
    /* topic0 is a hash, not an address: its high bytes are not zero */
    cr_expect_eq(rpc_abi_address(&user, &t, 0), RPC_EABI);

    size_t n;
    uint8_t *data = unhex(&n, SUPPLY_DATA);
    rpc_abi_init(&d, data, n);
    rpc_u256 amount;
    cr_assert_eq(rpc_abi_address(&user, &d, 0), RPC_OK);
    rpc_addr sender = addr("0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F");
    cr_expect(memcmp(&user, &sender, 20) == 0);
    cr_assert_eq(rpc_abi_uint(&amount, &d, 1, 256), RPC_OK);
    cr_expect_eq(amount.w[0], 0x4da25d3016c00000ULL);
    cr_expect_eq(amount.w[1], 0x65a); /* 30000e18 = 0x65a_4da25d3016c00000 */
    cr_expect_eq(rpc_abi_uint(&amount, &d, 2, 256), RPC_EABI, "no third word");
    free(data);
}

Test(abi, a_negative_int104_decodes_to_sign_and_magnitude)
{
    size_t n;
    uint8_t *ret = unhex(&n, USERBASIC_RETURN);
    rpc_abi r;
    rpc_abi_init(&r, ret, n);
    rpc_u256 mag;
    bool neg;
    uint64_t v;
    cr_assert_eq(rpc_abi_int(&mag, &neg, &r, 0, 104), RPC_OK);
    cr_expect(neg);
    cr_expect_eq(mag.w[0], 30000000000000ULL);
    cr_expect(mag.w[1] == 0 && mag.w[2] == 0 && mag.w[3] == 0);
    cr_assert_eq(rpc_abi_u64(&v, &r, 1, 64), RPC_OK);
    cr_expect_eq(v, 1000000000000000ULL);
    cr_assert_eq(rpc_abi_u64(&v, &r, 3, 16), RPC_OK);
    cr_expect_eq(v, 5);
    /* the same word is no uint: its high bytes are the sign */
    cr_expect_eq(rpc_abi_uint(&mag, &r, 0, 104), RPC_EABI);
    free(ret);
}

/* One word, written as its last bytes after `fill` repeated: helpers for the tables. */
static void word(uint8_t w[32], uint8_t fill, const uint8_t *tail, size_t n)
{
    memset(w, fill, 32);
    memcpy(w + 32 - n, tail, n);
}

Test(abi, static_types_reject_values_outside_their_type)
{
    static const struct {
        const char *what;
        uint8_t fill, tail[4];
        size_t n;
        int addr_rc, bool_rc, u8_rc, i8_rc, u64_rc;
    } cases[] = {
        /*                                      addr   bool      uint8     int8      uint64 */
        {"zero", 0x00, {0}, 1, RPC_OK, RPC_OK, RPC_OK, RPC_OK, RPC_OK},
        {"one", 0x00, {1}, 1, RPC_OK, RPC_OK, RPC_OK, RPC_OK, RPC_OK},
        {"two", 0x00, {2}, 1, RPC_OK, RPC_EABI, RPC_OK, RPC_OK, RPC_OK},
        {"127", 0x00, {0x7f}, 1, RPC_OK, RPC_EABI, RPC_OK, RPC_OK, RPC_OK},
        {"128", 0x00, {0x80}, 1, RPC_OK, RPC_EABI, RPC_OK, RPC_EABI, RPC_OK},
        {"256", 0x00, {1, 0}, 2, RPC_OK, RPC_EABI, RPC_EABI, RPC_EABI, RPC_OK},
        {"-1", 0xff, {0xff}, 1, RPC_EABI, RPC_EABI, RPC_EABI, RPC_OK, RPC_EABI},
        {"-128", 0xff, {0x80}, 1, RPC_EABI, RPC_EABI, RPC_EABI, RPC_OK, RPC_EABI},
        {"-129 (ff..ff7f)", 0xff, {0x7f}, 1, RPC_EABI, RPC_EABI, RPC_EABI, RPC_EABI, RPC_EABI},
        {"dirty byte 11 of an address", 0x00, {1, 0, 0, 0}, 4, RPC_OK, RPC_EABI, RPC_EABI,
         RPC_EABI, RPC_OK},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t w[32];
        word(w, cases[i].fill, cases[i].tail, cases[i].n);
        rpc_abi r;
        rpc_abi_init(&r, w, 32);
        rpc_addr a;
        bool b;
        rpc_u256 u, mag;
        bool neg;
        uint64_t v;
        cr_expect_eq(rpc_abi_address(&a, &r, 0), cases[i].addr_rc, "address %s", cases[i].what);
        cr_expect_eq(rpc_abi_bool(&b, &r, 0), cases[i].bool_rc, "bool %s", cases[i].what);
        cr_expect_eq(rpc_abi_uint(&u, &r, 0, 8), cases[i].u8_rc, "uint8 %s", cases[i].what);
        cr_expect_eq(rpc_abi_int(&mag, &neg, &r, 0, 8), cases[i].i8_rc, "int8 %s", cases[i].what);
        cr_expect_eq(rpc_abi_u64(&v, &r, 0, 64), cases[i].u64_rc, "uint64 %s", cases[i].what);
    }
    /* an address's high 12 bytes: a set byte 11 is dirty, byte 12 is the address */
    uint8_t w[32] = {0};
    w[11] = 1;
    rpc_abi r;
    rpc_abi_init(&r, w, 32);
    rpc_addr a;
    memset(&a, 0x77, sizeof a);
    cr_expect_eq(rpc_abi_address(&a, &r, 0), RPC_EABI);
    rpc_addr zero = {{0}};
    cr_expect(memcmp(&a, &zero, 20) == 0, "out-param zeroed on error");
    w[11] = 0;
    w[12] = 1;
    cr_expect_eq(rpc_abi_address(&a, &r, 0), RPC_OK);
    cr_expect_eq(a.b[0], 1);
}

Test(abi, int256_minimum_has_magnitude_two_to_the_255)
{
    uint8_t w[32] = {0x80};
    rpc_abi r;
    rpc_abi_init(&r, w, 32);
    rpc_u256 mag;
    bool neg;
    cr_assert_eq(rpc_abi_int(&mag, &neg, &r, 0, 256), RPC_OK);
    cr_expect(neg);
    cr_expect(mag.w[3] == 0x8000000000000000ULL && mag.w[2] == 0 && mag.w[1] == 0 && mag.w[0] == 0);
}

Test(abi, reads_outside_a_short_buffer_are_errors)
{
    uint8_t *buf = malloc(63); /* one word and 31 bytes */
    memset(buf, 0, 63);
    rpc_abi r;
    rpc_abi_init(&r, buf, 63);
    rpc_hash32 w;
    rpc_u256 u;
    bool b;
    cr_expect_eq(rpc_abi_word(&w, &r, 0), RPC_OK);
    cr_expect_eq(rpc_abi_word(&w, &r, 1), RPC_EABI);
    cr_expect_eq(rpc_abi_uint(&u, &r, 1, 256), RPC_EABI);
    cr_expect_eq(rpc_abi_bool(&b, &r, SIZE_MAX), RPC_EABI);
    cr_expect_eq(rpc_abi_word(&w, &r, SIZE_MAX / 32), RPC_EABI);
    rpc_abi_init(&r, NULL, 0);
    cr_expect_eq(rpc_abi_word(&w, &r, 0), RPC_EABI);
    free(buf);
}

/* A buffer of up to 8 words given as (index, value) pairs of u64s in the low bytes. */
static uint8_t *words(size_t nwords, const uint64_t *vals)
{
    uint8_t *b = calloc(nwords ? nwords : 1, 32);
    for (size_t i = 0; i < nwords; i++)
        for (int j = 0; j < 8; j++)
            b[32 * i + 31 - j] = (uint8_t)(vals[i] >> (8 * j));
    return b;
}

Test(abi, bytes_with_a_lying_offset_length_or_padding_are_errors)
{
    static const struct {
        const char *why;
        size_t n; /* words */
        uint64_t w[4];
        int rc;
    } cases[] = {
        {"valid: offset 32, length 0", 2, {32, 0}, RPC_OK},
        {"valid: length 5 padded", 3, {32, 5, 0}, RPC_OK},
        {"valid: length 32, no padding needed", 3, {32, 32, 0}, RPC_OK},
        {"offset past the end", 2, {96, 0}, RPC_EABI},
        {"offset at the end: no length word", 2, {64, 0}, RPC_EABI},
        {"offset not leaving a whole length word", 2, {40, 0}, RPC_EABI},
        {"length past the end", 3, {32, 33, 0}, RPC_EABI},
        {"length 2^64 - 1", 3, {32, UINT64_MAX, 0}, RPC_EABI},
        {"padding missing", 2, {32, 5}, RPC_EABI},
        {"non-zero padding", 3, {32, 1, 0x0100}, RPC_EABI},
        {"offset 2^63", 2, {1ULL << 63, 0}, RPC_EABI},
        {"the offset word itself missing", 0, {0}, RPC_EABI},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t *b = words(cases[i].n, cases[i].w);
        if (cases[i].w[0] == 32 && cases[i].w[1] == 5 && cases[i].n == 3)
            b[64] = 'x'; /* data byte, not padding */
        rpc_abi r;
        rpc_abi_init(&r, b, 32 * cases[i].n);
        const uint8_t *p = (const uint8_t *)"junk";
        size_t len = 99;
        cr_expect_eq(rpc_abi_bytes(&p, &len, &r, 0), cases[i].rc, "%s", cases[i].why);
        if (cases[i].rc) {
            cr_expect_null(p, "%s: zeroed", cases[i].why);
            cr_expect_eq(len, 0);
        } else {
            cr_expect(p >= b && p + len <= b + 32 * cases[i].n);
        }
        free(b);
    }
    /* an offset word with a high byte set */
    uint64_t ws[2] = {32, 0};
    uint8_t *b = words(2, ws);
    b[0] = 1;
    rpc_abi r;
    rpc_abi_init(&r, b, 64);
    const uint8_t *p;
    size_t len;
    cr_expect_eq(rpc_abi_bytes(&p, &len, &r, 0), RPC_EABI);
    free(b);
}

Test(abi, arrays_and_tuples_with_lying_counts_or_offsets_are_errors)
{
    static const struct {
        const char *why;
        size_t n, elem_words;
        uint64_t w[4];
        int rc;
        size_t count;
    } cases[] = {
        {"valid: empty array", 2, 1, {32, 0}, RPC_OK, 0},
        {"valid: two words", 4, 1, {32, 2, 7, 8}, RPC_OK, 2},
        {"count one past the data", 4, 1, {32, 3, 7, 8}, RPC_EABI, 0},
        {"two-word elements do not fit", 4, 2, {32, 2, 7, 8}, RPC_EABI, 0},
        {"huge count", 2, 1, {32, UINT64_MAX, 0}, RPC_EABI, 0},
        {"count times elem_words overflows", 4, 1ULL << 60, {32, 1ULL << 5, 0, 0}, RPC_EABI, 0},
        {"offset past the end", 2, 1, {128, 0}, RPC_EABI, 0},
        {"offset at the end: no count word", 2, 1, {64, 0}, RPC_EABI, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t *b = words(cases[i].n, cases[i].w);
        rpc_abi r, el;
        rpc_abi_init(&r, b, 32 * cases[i].n);
        size_t count = 99;
        cr_expect_eq(rpc_abi_array(&el, &count, &r, 0, cases[i].elem_words), cases[i].rc, "%s",
                     cases[i].why);
        cr_expect_eq(count, cases[i].count, "%s", cases[i].why);
        free(b);
    }
    uint64_t ws[2] = {64, 0};
    uint8_t *b = words(2, ws);
    rpc_abi r, sub;
    rpc_abi_init(&r, b, 64);
    cr_expect_eq(rpc_abi_tuple(&sub, &r, 0), RPC_OK, "an offset to the end is an empty tuple");
    cr_expect_eq(sub.n, 0);
    rpc_hash32 w;
    cr_expect_eq(rpc_abi_word(&w, &sub, 0), RPC_EABI);
    b[31] = 65;
    cr_expect_eq(rpc_abi_tuple(&sub, &r, 0), RPC_EABI, "offset past the end");
    cr_expect_null(sub.p);
    free(b);
}

Test(abi, the_writer_and_reader_agree_on_random_values)
{
    srand(20260125);
    for (int round = 0; round < 200; round++) {
        rpc_u256 u = {{(uint64_t)rand() << 33 ^ (uint64_t)rand(), (uint64_t)rand(), 0,
                       (uint64_t)rand() << 31}};
        rpc_addr a;
        for (int i = 0; i < 20; i++)
            a.b[i] = (uint8_t)rand();
        int64_t s = (int64_t)((uint64_t)rand() << 32 ^ (uint64_t)rand()) * (round % 2 ? -1 : 1);
        uint8_t data[200];
        size_t dlen = (size_t)rand() % sizeof data;
        for (size_t i = 0; i < dlen; i++)
            data[i] = (uint8_t)rand();
        size_t k = (size_t)rand() % 6;

        /* (uint256, address, int64, bytes, (bool, bytes)[], bool) */
        rpc_abi_enc e;
        rpc_abi_enc_init(&e, 1 << 16, 6);
        rpc_abi_put_uint(&e, 0, &u);
        rpc_abi_put_address(&e, 1, &a);
        rpc_abi_put_i64(&e, 2, s);
        rpc_abi_put_bytes(&e, 3, data, dlen);
        rpc_abi_open_array(&e, 4, k, 1);
        for (size_t j = 0; j < k; j++) {
            rpc_abi_open_tuple(&e, j, 2);
            rpc_abi_put_bool(&e, 0, j % 2);
            rpc_abi_put_bytes(&e, 1, data, j * 7 < dlen ? j * 7 : dlen);
            rpc_abi_close(&e);
        }
        rpc_abi_close(&e);
        rpc_abi_put_bool(&e, 5, true);
        const uint8_t *out;
        size_t n;
        cr_assert_eq(rpc_abi_enc_finish(&e, &out, &n), RPC_OK);
        cr_assert_eq(n % 32, 0);

        rpc_abi r, arr, t;
        rpc_abi_init(&r, out, n);
        rpc_u256 u2, mag;
        rpc_addr a2;
        bool neg, b;
        const uint8_t *p;
        size_t len, k2;
        cr_assert_eq(rpc_abi_uint(&u2, &r, 0, 256), RPC_OK);
        cr_expect(memcmp(&u, &u2, sizeof u) == 0);
        cr_assert_eq(rpc_abi_address(&a2, &r, 1), RPC_OK);
        cr_expect(memcmp(&a, &a2, sizeof a) == 0);
        cr_assert_eq(rpc_abi_int(&mag, &neg, &r, 2, 64), RPC_OK);
        uint64_t want_mag = s < 0 ? (uint64_t)0 - (uint64_t)s : (uint64_t)s;
        cr_expect_eq(neg, s < 0);
        cr_expect_eq(mag.w[0], want_mag);
        cr_assert_eq(rpc_abi_bytes(&p, &len, &r, 3), RPC_OK);
        cr_expect(len == dlen && (dlen == 0 || memcmp(p, data, dlen) == 0));
        cr_assert_eq(rpc_abi_array(&arr, &k2, &r, 4, 1), RPC_OK);
        cr_assert_eq(k2, k);
        for (size_t j = 0; j < k; j++) {
            cr_assert_eq(rpc_abi_tuple(&t, &arr, j), RPC_OK);
            cr_assert_eq(rpc_abi_bool(&b, &t, 0), RPC_OK);
            cr_expect_eq(b, j % 2 == 1);
            cr_assert_eq(rpc_abi_bytes(&p, &len, &t, 1), RPC_OK);
            cr_expect_eq(len, j * 7 < dlen ? j * 7 : dlen);
        }
        cr_assert_eq(rpc_abi_bool(&b, &r, 5), RPC_OK);
        cr_expect(b);
        rpc_abi_enc_free(&e);
    }
}

Test(abi, the_writer_stops_at_its_cap_and_the_error_sticks)
{
    rpc_abi_enc e;
    const uint8_t *out;
    size_t n;
    rpc_abi_enc_init(&e, 64, 3); /* 96 bytes of head do not fit in 64 */
    rpc_abi_put_u64(&e, 0, 1);
    cr_expect_eq(rpc_abi_enc_finish(&e, &out, &n), RPC_ETOO_LARGE);
    rpc_abi_enc_free(&e);

    rpc_abi_enc_init(&e, 96, 1); /* 32 head + 32 length + 32 data = 96 */
    rpc_abi_put_bytes(&e, 0, (const uint8_t *)"abc", 3);
    cr_assert_eq(rpc_abi_enc_finish(&e, &out, &n), RPC_OK);
    cr_expect_eq(n, 96);
    rpc_abi_enc_free(&e);

    rpc_abi_enc_init(&e, 95, 1);
    rpc_abi_put_bytes(&e, 0, (const uint8_t *)"abc", 3);
    cr_expect_eq(rpc_abi_enc_finish(&e, &out, &n), RPC_ETOO_LARGE);
    cr_expect_eq(e.len, 32, "nothing of the value was appended");
    rpc_abi_put_u64(&e, 0, 5);
    cr_expect_eq(e.buf[31], 0, "puts after an error change nothing");
    rpc_abi_enc_free(&e);
}

#ifdef NDEBUG
Test(abi, a_slot_outside_the_frame_is_einval_in_release_builds)
{
    rpc_abi_enc e;
    const uint8_t *out;
    size_t n;
    rpc_abi_enc_init(&e, 1024, 2);
    rpc_abi_put_u64(&e, 2, 1);
    cr_expect_eq(rpc_abi_enc_finish(&e, &out, &n), RPC_EINVAL);
    rpc_abi_enc_free(&e);
    rpc_abi_enc_init(&e, 1024, 2);
    rpc_abi_close(&e); /* the top tuple cannot be closed */
    cr_expect_eq(rpc_abi_enc_finish(&e, &out, &n), RPC_EINVAL);
    rpc_abi_enc_free(&e);
}
#else
Test(abi, a_slot_outside_the_frame_asserts_in_debug_builds, .signal = SIGABRT)
{
    rpc_abi_enc e;
    rpc_abi_enc_init(&e, 1024, 2);
    rpc_abi_put_u64(&e, 2, 1);
}
#endif

/* An encoder opened with an empty head (e.g. a call without arguments) appends nothing;
 * it must not touch its still-unallocated buffer (UBSan flagged memset(NULL, 0, 0)). */
Test(abi, an_empty_head_encodes_to_nothing_without_touching_a_null_buffer)
{
    rpc_abi_enc e;
    const uint8_t *out;
    size_t n;
    rpc_abi_enc_init(&e, 1024, 0);
    cr_expect_eq(rpc_abi_enc_finish(&e, &out, &n), RPC_OK);
    cr_expect_eq(n, 0u);
    rpc_abi_enc_free(&e);

    rpc_abi_enc_init_call(&e, 1024, 0x42cbb15cu, 0); /* getBlockNumber() */
    cr_assert_eq(rpc_abi_enc_finish(&e, &out, &n), RPC_OK);
    cr_expect_eq(n, 4u);
    cr_expect_eq(out[0], 0x42);
    rpc_abi_enc_free(&e);
}
