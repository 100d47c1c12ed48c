/* tests/rpc/test_hex.c — strict hex decoding/encoding and JSON-RPC QUANTITY (rpc/hex.c). */
#include <string.h>

#include <criterion/criterion.h>

#include "rpc/hex.h"

#define S(lit) (lit), (sizeof(lit) - 1) /* a string literal as (text, length) */

static int decode(const char *s, uint8_t *out, size_t cap, size_t *n)
{
    return rpc_hex_decode(out, cap, n, s, strlen(s));
}

/* ---- rpc_hex_decode: the contract, one bad input per line ---- */

Test(hex_decode, rejects_each_malformed_input_and_zeroes_the_length)
{
    uint8_t out[8];
    size_t n = 99;
    cr_expect_eq(decode("", out, 8, &n), RPC_EHEX, "empty");
    cr_expect_eq(n, 0);
    n = 99;
    cr_expect_eq(decode("0", out, 8, &n), RPC_EHEX, "lone 0");
    cr_expect_eq(n, 0);
    cr_expect_eq(decode("abcd", out, 8, &n), RPC_EHEX, "missing 0x");
    cr_expect_eq(decode("0X12", out, 8, &n), RPC_EHEX, "uppercase 0X prefix");
    cr_expect_eq(decode("x12", out, 8, &n), RPC_EHEX, "x without 0");
    cr_expect_eq(decode("0x1", out, 8, &n), RPC_EHEX, "odd length");
    cr_expect_eq(decode("0x123", out, 8, &n), RPC_EHEX, "odd length 3");
    cr_expect_eq(decode("0x1g", out, 8, &n), RPC_EHEX, "bad char g");
    cr_expect_eq(decode("0x 1", out, 8, &n), RPC_EHEX, "space");
    cr_expect_eq(decode("0x12 ", out, 8, &n), RPC_EHEX, "trailing space");
    cr_expect_eq(decode(" 0x12", out, 8, &n), RPC_EHEX, "leading space");
    cr_expect_eq(decode("0x0x12", out, 8, &n), RPC_EHEX, "double prefix");
    cr_expect_eq(decode("0x-1", out, 8, &n), RPC_EHEX, "sign");
    cr_expect_eq(decode("0x:0", out, 8, &n), RPC_EHEX, "':' just past '9'");
    cr_expect_eq(decode("0x@A", out, 8, &n), RPC_EHEX, "'@' just before 'A'");
    cr_expect_eq(decode("0x`a", out, 8, &n), RPC_EHEX, "'`' just before 'a'");
    cr_expect_eq(n, 0);
}

Test(hex_decode, a_non_hex_byte_inside_the_length_is_rejected_even_if_nul)
{
    uint8_t out[4];
    size_t n;
    const char s[] = {'0', 'x', '1', '\0', '3', '4'};
    cr_expect_eq(rpc_hex_decode(out, sizeof out, &n, s, sizeof s), RPC_EHEX);
}

Test(hex_decode, reads_only_slen_bytes)
{
    uint8_t out[4];
    size_t n;
    /* "0x12zz": only the first 4 bytes are given, so the zz is never seen. */
    cr_expect_eq(rpc_hex_decode(out, sizeof out, &n, "0x12zz", 4), RPC_OK);
    cr_expect_eq(n, 1);
    cr_expect_eq(out[0], 0x12);
}

Test(hex_decode, too_large_for_the_cap_is_an_error_not_a_truncation)
{
    uint8_t out[4] = {0xAA, 0xAA, 0xAA, 0xAA};
    size_t n = 7;
    cr_expect_eq(decode("0x0102030405", out, 4, &n), RPC_ETOO_LARGE);
    cr_expect_eq(n, 0);
    cr_expect_eq(decode("0x01020304", out, 4, &n), RPC_OK, "exactly cap bytes fits");
    cr_expect_eq(n, 4);
    cr_expect_eq(decode("0x01", NULL, 0, &n), RPC_ETOO_LARGE, "cap 0");
}

Test(hex_decode, malformed_beats_too_large)
{
    uint8_t out[1];
    size_t n;
    cr_expect_eq(decode("0x01020z", out, 1, &n), RPC_EHEX);
}

/* ---- rpc_hex_decode: edge cases ---- */

Test(hex_decode, bare_prefix_is_zero_bytes)
{
    size_t n = 5;
    cr_expect_eq(decode("0x", NULL, 0, &n), RPC_OK);
    cr_expect_eq(n, 0);
}

Test(hex_decode, table_of_valid_inputs)
{
    static const struct {
        const char *s;
        size_t n;
        uint8_t want[4];
    } cases[] = {
        {"0x00", 1, {0x00}},
        {"0xff", 1, {0xff}},
        {"0xFF", 1, {0xff}},
        {"0xfF", 1, {0xff}},
        {"0x0a0B", 2, {0x0a, 0x0b}},
        {"0x09af", 2, {0x09, 0xaf}},
        {"0xdeadBEEF", 4, {0xde, 0xad, 0xbe, 0xef}},
        {"0x00000000", 4, {0, 0, 0, 0}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t out[4] = {0};
        size_t n = 0;
        cr_expect_eq(decode(cases[i].s, out, sizeof out, &n), RPC_OK, "%s", cases[i].s);
        cr_expect_eq(n, cases[i].n, "%s", cases[i].s);
        cr_expect_arr_eq(out, cases[i].want, cases[i].n, "%s", cases[i].s);
    }
}

Test(hex_decode, every_byte_value_round_trips_through_encode)
{
    uint8_t in[256], back[256];
    char text[2 * 256 + 3];
    for (int i = 0; i < 256; i++)
        in[i] = (uint8_t)i;
    cr_assert_eq(rpc_hex_encode(text, sizeof text, in, sizeof in), RPC_OK);
    cr_expect_eq(strlen(text), 2 + 512);
    cr_expect_eq(strncmp(text, "0x000102", 8), 0);
    cr_expect_eq(strcmp(text + 2 + 2 * 250, "fafbfcfdfeff"), 0);
    size_t n;
    cr_assert_eq(rpc_hex_decode(back, sizeof back, &n, text, strlen(text)), RPC_OK);
    cr_expect_eq(n, 256);
    cr_expect_arr_eq(back, in, 256);
}

/* ---- rpc_hex_decode_fixed ---- */

Test(hex_decode_fixed, requires_exactly_n_bytes_and_zeroes_on_error)
{
    uint8_t out[2] = {0x55, 0x55};
    cr_expect_eq(rpc_hex_decode_fixed(out, 2, S("0x0102")), RPC_OK);
    cr_expect(out[0] == 1 && out[1] == 2);
    cr_expect_eq(rpc_hex_decode_fixed(out, 2, S("0x01")), RPC_EHEX, "too short");
    cr_expect(out[0] == 0 && out[1] == 0, "zeroed after error");
    cr_expect_eq(rpc_hex_decode_fixed(out, 2, S("0x010203")), RPC_EHEX, "too long");
    cr_expect_eq(rpc_hex_decode_fixed(out, 2, S("0x01020")), RPC_EHEX, "one digit too long");
    cr_expect_eq(rpc_hex_decode_fixed(out, 2, S("0x010")), RPC_EHEX, "odd");
    cr_expect_eq(rpc_hex_decode_fixed(out, 2, S("010203")), RPC_EHEX, "no prefix");
    cr_expect_eq(rpc_hex_decode_fixed(out, 2, S("0x01g2")), RPC_EHEX, "bad char");
    cr_expect_eq(rpc_hex_decode_fixed(out, 2, S("")), RPC_EHEX, "empty");
    cr_expect_eq(rpc_hex_decode_fixed(NULL, 0, S("0x")), RPC_OK, "zero bytes");
}

/* ---- rpc_hex_encode ---- */

Test(hex_encode, needs_room_for_prefix_digits_and_nul)
{
    const uint8_t in[2] = {0xAB, 0x01};
    char out[7];
    memset(out, 'z', sizeof out);
    cr_expect_eq(rpc_hex_encode(out, 6, in, 2), RPC_ETOO_LARGE, "2n+2 is one short");
    cr_expect_str_eq(out, "", "out is empty after an error");
    cr_expect_eq(rpc_hex_encode(out, 7, in, 2), RPC_OK);
    cr_expect_str_eq(out, "0xab01");
    cr_expect_eq(rpc_hex_encode(out, 3, NULL, 0), RPC_OK);
    cr_expect_str_eq(out, "0x");
    cr_expect_eq(rpc_hex_encode(out, 2, NULL, 0), RPC_ETOO_LARGE);
    cr_expect_eq(rpc_hex_encode(NULL, 0, in, 1), RPC_ETOO_LARGE, "cap 0 writes nothing");
}

Test(hex_encode, huge_n_does_not_overflow_the_size_check)
{
    char out[8];
    const uint8_t in[1] = {0};
    cr_expect_eq(rpc_hex_encode(out, sizeof out, in, SIZE_MAX / 2 + 1), RPC_ETOO_LARGE);
    cr_expect_eq(rpc_hex_encode(out, sizeof out, in, SIZE_MAX), RPC_ETOO_LARGE);
}

/* ---- rpc_hex_quantity_u64: the contract ---- */

Test(hex_quantity_u64, rejects_each_malformed_quantity_and_zeroes_the_value)
{
    uint64_t v = 77;
    cr_expect_eq(rpc_hex_quantity_u64(&v, S("")), RPC_EHEX, "empty");
    cr_expect_eq(v, 0);
    v = 77;
    cr_expect_eq(rpc_hex_quantity_u64(&v, S("0x")), RPC_EHEX, "no digits");
    cr_expect_eq(v, 0);
    cr_expect_eq(rpc_hex_quantity_u64(&v, S("0x00")), RPC_EHEX, "leading zero (00)");
    cr_expect_eq(rpc_hex_quantity_u64(&v, S("0x01")), RPC_EHEX, "leading zero (01)");
    cr_expect_eq(rpc_hex_quantity_u64(&v, S("0x0400")), RPC_EHEX, "leading zero (0400)");
    cr_expect_eq(rpc_hex_quantity_u64(&v, S("1a")), RPC_EHEX, "missing 0x");
    cr_expect_eq(rpc_hex_quantity_u64(&v, S("26")), RPC_EHEX, "decimal");
    cr_expect_eq(rpc_hex_quantity_u64(&v, S("0X1a")), RPC_EHEX, "0X prefix");
    cr_expect_eq(rpc_hex_quantity_u64(&v, S("0x1g")), RPC_EHEX, "bad char");
    cr_expect_eq(rpc_hex_quantity_u64(&v, S("0x1 ")), RPC_EHEX, "trailing space");
    cr_expect_eq(rpc_hex_quantity_u64(&v, S("-0x1")), RPC_EHEX, "sign");
    cr_expect_eq(rpc_hex_quantity_u64(&v, S("0x10000000000000000")), RPC_ETOO_LARGE, "2^64");
    cr_expect_eq(rpc_hex_quantity_u64(&v, S("0xfffffffffffffffff")), RPC_ETOO_LARGE,
                 "17 digits");
    cr_expect_eq(rpc_hex_quantity_u64(&v, S("0x1000000000000000z")), RPC_EHEX,
                 "long and malformed is malformed");
    cr_expect_eq(v, 0);
}

/* Examples from the Ethereum JSON-RPC spec's "Quantities" section
 * (ethereum.org/developers/docs/apis/json-rpc/#hex-encoding): 0x41 (65), 0x400 (1024),
 * 0x0 (zero) are right; 0x (empty), 0x0400 (leading zero), ff (no prefix) are wrong. */
Test(hex_quantity_u64, json_rpc_spec_examples)
{
    uint64_t v;
    cr_expect_eq(rpc_hex_quantity_u64(&v, S("0x41")), RPC_OK);
    cr_expect_eq(v, 65);
    cr_expect_eq(rpc_hex_quantity_u64(&v, S("0x400")), RPC_OK);
    cr_expect_eq(v, 1024);
    cr_expect_eq(rpc_hex_quantity_u64(&v, S("0x0")), RPC_OK);
    cr_expect_eq(v, 0);
    cr_expect_eq(rpc_hex_quantity_u64(&v, S("0x")), RPC_EHEX);
    cr_expect_eq(rpc_hex_quantity_u64(&v, S("0x0400")), RPC_EHEX);
    cr_expect_eq(rpc_hex_quantity_u64(&v, S("ff")), RPC_EHEX);
}

Test(hex_quantity_u64, boundaries_and_either_case)
{
    uint64_t v;
    cr_expect_eq(rpc_hex_quantity_u64(&v, S("0xffffffffffffffff")), RPC_OK);
    cr_expect_eq(v, UINT64_MAX);
    cr_expect_eq(rpc_hex_quantity_u64(&v, S("0xFFFFFFFFFFFFFFFF")), RPC_OK);
    cr_expect_eq(v, UINT64_MAX);
    cr_expect_eq(rpc_hex_quantity_u64(&v, S("0x8000000000000000")), RPC_OK);
    cr_expect_eq(v, 0x8000000000000000ull);
    cr_expect_eq(rpc_hex_quantity_u64(&v, S("0x14b9d1c")), RPC_OK, "a mainnet block number");
    cr_expect_eq(v, 21732636u);
}

/* ---- rpc_hex_format_u64 ---- */

Test(hex_format_u64, formats_without_leading_zeros_and_round_trips)
{
    static const struct {
        uint64_t v;
        const char *s;
    } cases[] = {
        {0, "0x0"},          {1, "0x1"},
        {15, "0xf"},         {16, "0x10"},
        {65, "0x41"},        {1024, "0x400"},
        {0xabcdefull, "0xabcdef"}, {UINT64_MAX, "0xffffffffffffffff"},
        {0x8000000000000000ull, "0x8000000000000000"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[19];
        uint64_t back;
        cr_expect_eq(rpc_hex_format_u64(out, sizeof out, cases[i].v), RPC_OK);
        cr_expect_str_eq(out, cases[i].s);
        cr_expect_eq(rpc_hex_quantity_u64(&back, out, strlen(out)), RPC_OK);
        cr_expect_eq(back, cases[i].v);
    }
}

Test(hex_format_u64, short_buffer_is_an_error_with_empty_output)
{
    char out[19];
    memset(out, 'z', sizeof out);
    cr_expect_eq(rpc_hex_format_u64(out, 4, 0x10), RPC_ETOO_LARGE, "0x10 needs 5");
    cr_expect_str_eq(out, "");
    cr_expect_eq(rpc_hex_format_u64(out, 5, 0x10), RPC_OK);
    cr_expect_str_eq(out, "0x10");
    cr_expect_eq(rpc_hex_format_u64(out, 18, UINT64_MAX), RPC_ETOO_LARGE);
    cr_expect_eq(rpc_hex_format_u64(NULL, 0, 0), RPC_ETOO_LARGE);
}

Test(hex_format_u64, random_values_round_trip)
{
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 2000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint64_t v = x >> (i % 64); /* every digit count */
        char out[19];
        uint64_t back;
        cr_assert_eq(rpc_hex_format_u64(out, sizeof out, v), RPC_OK);
        cr_assert_eq(rpc_hex_quantity_u64(&back, out, strlen(out)), RPC_OK, "%s", out);
        cr_assert_eq(back, v);
    }
}

Test(hex_digit, values_and_prefix)
{
    cr_expect_eq(rpc_hex_digit_value('0'), 0);
    cr_expect_eq(rpc_hex_digit_value('9'), 9);
    cr_expect_eq(rpc_hex_digit_value('a'), 10);
    cr_expect_eq(rpc_hex_digit_value('F'), 15);
    cr_expect_eq(rpc_hex_digit_value('g'), -1);
    cr_expect_eq(rpc_hex_digit_value('/'), -1);
    cr_expect(rpc_hex_has_prefix(S("0x")));
    cr_expect(!rpc_hex_has_prefix(S("0X")));
    cr_expect(!rpc_hex_has_prefix(S("0")));
    cr_expect(!rpc_hex_has_prefix(NULL, 0));
}
