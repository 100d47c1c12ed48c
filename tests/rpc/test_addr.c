/* tests/rpc/test_addr.c — addresses (EIP-55) and hash32 as text (rpc/addr.c). */
#include <string.h>

#include <criterion/criterion.h>

#include "rpc/addr.h"

#define S(lit) (lit), (sizeof(lit) - 1)

/* The eight example addresses of EIP-55 itself (eips.ethereum.org/EIPS/eip-55,
 * "Test Cases"): two whose checksum is all caps, two all lower, four mixed. Each is its
 * own checksummed form, so format(parse(x)) == x. */
static const char *const eip55_examples[] = {
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    "0xde709f2102306220921060314715629080e2fb77",
    "0x27b1fdb04752bbc536007a920d24acb045561c26",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
};
#define N_EXAMPLES (sizeof eip55_examples / sizeof eip55_examples[0])

static bool is_zero(const rpc_addr *a)
{
    static const rpc_addr z;
    return memcmp(a, &z, sizeof z) == 0;
}

Test(addr_parse, eip55_examples_parse_and_format_back_exactly)
{
    for (size_t i = 0; i < N_EXAMPLES; i++) {
        const char *s = eip55_examples[i];
        rpc_addr a;
        char out[RPC_ADDR_HEX_LEN + 1];
        cr_expect_eq(rpc_addr_parse(&a, s, strlen(s)), RPC_OK, "%s", s);
        rpc_addr_format(out, &a);
        cr_expect_str_eq(out, s);
    }
}

Test(addr_parse, one_flipped_letter_in_a_mixed_case_address_fails_the_checksum)
{
    /* Every letter of every mixed-case example, flipped alone, must be caught. */
    for (size_t i = 4; i < N_EXAMPLES; i++) {
        char s[RPC_ADDR_HEX_LEN + 1];
        memcpy(s, eip55_examples[i], sizeof s);
        int flipped = 0;
        for (int k = 2; k < RPC_ADDR_HEX_LEN; k++) {
            char c = s[k];
            if (!((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
                continue;
            s[k] = (char)(c ^ 0x20);
            rpc_addr a;
            memset(&a, 0xAA, sizeof a);
            cr_expect_eq(rpc_addr_parse(&a, s, RPC_ADDR_HEX_LEN), RPC_ECHECKSUM, "%s", s);
            cr_expect(is_zero(&a), "zeroed on checksum error");
            s[k] = c;
            flipped++;
        }
        cr_expect_gt(flipped, 10);
    }
}

Test(addr_parse, all_lower_and_all_upper_are_accepted_whatever_the_checksum)
{
    for (size_t i = 0; i < N_EXAMPLES; i++) {
        char lo[RPC_ADDR_HEX_LEN + 1], up[RPC_ADDR_HEX_LEN + 1];
        rpc_addr ref, a, b;
        cr_assert_eq(rpc_addr_parse(&ref, eip55_examples[i], RPC_ADDR_HEX_LEN), RPC_OK);
        for (int k = 0; k <= RPC_ADDR_HEX_LEN; k++) {
            char c = eip55_examples[i][k];
            lo[k] = (c >= 'A' && c <= 'F') ? (char)(c + 32) : c;
            up[k] = (c >= 'a' && c <= 'f') ? (char)(c - 32) : c;
        }
        cr_expect_eq(rpc_addr_parse(&a, lo, RPC_ADDR_HEX_LEN), RPC_OK, "%s", lo);
        cr_expect_eq(rpc_addr_parse(&b, up, RPC_ADDR_HEX_LEN), RPC_OK, "%s", up);
        cr_expect_arr_eq(a.b, ref.b, 20);
        cr_expect_arr_eq(b.b, ref.b, 20);
        char out[RPC_ADDR_HEX_LEN + 1];
        rpc_addr_format_lower(out, &a);
        cr_expect_str_eq(out, lo);
    }
}

Test(addr_parse, rejects_each_malformed_address_and_zeroes_it)
{
    rpc_addr a;
    memset(&a, 0xAA, sizeof a);
    cr_expect_eq(rpc_addr_parse(&a, S("")), RPC_EHEX, "empty");
    cr_expect(is_zero(&a));
    memset(&a, 0xAA, sizeof a);
    cr_expect_eq(rpc_addr_parse(&a, S("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")), RPC_EHEX,
                 "missing 0x");
    cr_expect(is_zero(&a));
    cr_expect_eq(rpc_addr_parse(&a, S("0X5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")), RPC_EHEX,
                 "0X prefix");
    cr_expect_eq(rpc_addr_parse(&a, S("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe")), RPC_EHEX,
                 "39 digits");
    cr_expect_eq(rpc_addr_parse(&a, S("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAedd")), RPC_EHEX,
                 "41 digits");
    cr_expect_eq(rpc_addr_parse(&a, S("0x005aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")),
                 RPC_EHEX, "42 digits (zero padded)");
    cr_expect_eq(rpc_addr_parse(&a, S("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg")), RPC_EHEX,
                 "bad char");
    cr_expect_eq(rpc_addr_parse(&a, S("0x000000000000000000000000000000000000000000000000000000"
                                      "0000000000")),
                 RPC_EHEX, "a hash32, not an address");
    cr_expect_eq(rpc_addr_parse(&a, S("0x")), RPC_EHEX, "bare prefix");
    cr_expect(is_zero(&a));
}

Test(addr_parse, reads_only_slen_bytes)
{
    rpc_addr a;
    /* A valid address followed by junk: only the 42 given bytes count. */
    cr_expect_eq(rpc_addr_parse(&a, "0xde709f2102306220921060314715629080e2fb77zz", 42), RPC_OK);
    cr_expect_eq(rpc_addr_parse(&a, "0xde709f2102306220921060314715629080e2fb77", 41), RPC_EHEX);
}

Test(addr_parse, digits_only_address_has_no_case_to_check)
{
    rpc_addr a;
    char out[RPC_ADDR_HEX_LEN + 1];
    cr_expect_eq(rpc_addr_parse(&a, S("0x0000000000000000000000000000000000000000")), RPC_OK);
    cr_expect(is_zero(&a));
    rpc_addr_format(out, &a);
    cr_expect_str_eq(out, "0x0000000000000000000000000000000000000000");
}

/* Well-known mainnet addresses as Etherscan prints them (checksummed): WETH9, USDT,
 * Aave V3 Pool, Multicall3. */
Test(addr_format, checksums_match_etherscan_for_mainnet_contracts)
{
    static const char *const known[] = {
        "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2",
        "0xdAC17F958D2ee523a2206206994597C13D831ec7",
        "0x87870Bca3F3fD6335C3F4ce8392D69350B4fA4E2",
        "0xcA11bde05977b3631167028862bE2a173976CA11",
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        rpc_addr a;
        char out[RPC_ADDR_HEX_LEN + 1];
        cr_expect_eq(rpc_addr_parse(&a, known[i], strlen(known[i])), RPC_OK, "%s", known[i]);
        rpc_addr_format(out, &a);
        cr_expect_str_eq(out, known[i]);
    }
}

Test(addr_format, every_formatted_random_address_parses_back)
{
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < 500; i++) {
        rpc_addr a, b;
        for (int k = 0; k < 20; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            a.b[k] = (uint8_t)x;
        }
        char out[RPC_ADDR_HEX_LEN + 1];
        rpc_addr_format(out, &a);
        cr_assert_eq(strlen(out), RPC_ADDR_HEX_LEN);
        cr_assert_eq(rpc_addr_parse(&b, out, RPC_ADDR_HEX_LEN), RPC_OK, "%s", out);
        cr_assert_arr_eq(a.b, b.b, 20);
    }
}

Test(hash32, parses_any_case_and_formats_lowercase)
{
    /* keccak256("") — the empty-code hash (Yellow Paper). */
    const char *mixed = "0xC5D2460186F7233C927E7DB2DCC703C0E500B653CA82273B7BFAD8045D85A470";
    const char *lower = "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470";
    rpc_hash32 h;
    char out[67];
    cr_expect_eq(rpc_hash32_parse(&h, mixed, strlen(mixed)), RPC_OK);
    cr_expect_eq(h.b[0], 0xc5);
    cr_expect_eq(h.b[31], 0x70);
    rpc_hash32_format(out, &h);
    cr_expect_str_eq(out, lower);
}

Test(hash32, rejects_each_malformed_hash_and_zeroes_it)
{
    rpc_hash32 h;
    static const rpc_hash32 z;
    memset(&h, 0xAA, sizeof h);
    cr_expect_eq(rpc_hash32_parse(&h, S("0x")), RPC_EHEX, "bare prefix");
    cr_expect_eq(memcmp(&h, &z, sizeof z), 0);
    cr_expect_eq(rpc_hash32_parse(&h, S("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad804"
                                        "5d85a470")),
                 RPC_EHEX, "missing 0x");
    cr_expect_eq(rpc_hash32_parse(&h, S("0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8"
                                        "045d85a47")),
                 RPC_EHEX, "63 digits");
    cr_expect_eq(rpc_hash32_parse(&h, S("0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8"
                                        "045d85a4700")),
                 RPC_EHEX, "65 digits");
    cr_expect_eq(rpc_hash32_parse(&h, S("0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8"
                                        "045d85a47x")),
                 RPC_EHEX, "bad char");
    cr_expect_eq(rpc_hash32_parse(&h, S("0xde709f2102306220921060314715629080e2fb77")), RPC_EHEX,
                 "an address, not a hash");
}
