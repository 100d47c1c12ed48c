/* tests/watchlists/test_value.c — ${VAR} expansion, numbers and "did you mean". */
#include <criterion/criterion.h>

#include "tests/watchlists/wl_testutil.h"
#include "watchlists/wl_int.h"

/* has_bytes: needle (NUL-terminated) occurs in buf[0..n). */
static bool has_bytes(const void *buf, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    const char *b = buf;
    for (size_t i = 0; k <= n && i <= n - k; i++)
        if (memcmp(b + i, needle, k) == 0)
            return true;
    return false;
}

static void expand_ok(const char *in, const char *want, bool want_secret)
{
    char out[128], msg[256];
    bool secret = !want_secret;
    cr_assert_eq(wl_expand(out, sizeof out, &secret, msg, sizeof msg, in, fake_getenv, NULL),
                 0, "%s: %s", in, msg);
    cr_expect_str_eq(out, want, "%s", in);
    cr_expect_eq(secret, want_secret, "%s", in);
}

static void expand_bad(const char *in, size_t cap, const char *want_msg)
{
    char out[256], msg[256];
    bool secret = true;
    cr_assert_lt(cap, sizeof out);
    memset(out, 'x', sizeof out);
    cr_assert_eq(wl_expand(out, cap, &secret, msg, sizeof msg, in, fake_getenv, NULL), -1, "%s",
                 in);
    cr_expect_str_eq(msg, want_msg, "%s", in);
    cr_expect_eq(out[0], '\0');
    cr_expect_not(secret);
    cr_expect(!has_bytes(out, cap, "Zq7SECRET"), "no secret left in the buffer");
}

Test(expand, text_without_variables_is_unchanged)
{
    expand_ok("", "", false);
    expand_ok("plain $ and $x and {y}", "plain $ and $x and {y}", false);
    expand_ok("$$", "$", false);
    expand_ok("$${X}", "${X}", false);
}

Test(expand, variables_are_replaced_and_mark_the_value_secret)
{
    expand_ok("${ETH_RPC_URL}", SECRET_URL, true);
    expand_ok("a${EMPTY}b", "ab", true);
    expand_ok("${WHALE}${EMPTY}", "0x28a55C4b4f9615FDE3CDAdDf6cc01FcF2E38A6b0", true);
}

Test(expand, malformed_and_undefined_variables_fail)
{
    expand_bad("${NOPE}", 64, "undefined environment variable ${NOPE}");
    expand_bad("x${ETH_RPC_URL", 64, "unterminated '${' (write '$$' for a literal '$')");
    expand_bad("${}", 64, "bad variable name '${}': letters, digits and '_'");
    expand_bad("${A-B}", 64, "bad variable name '${A-B}': letters, digits and '_'");
}

Test(expand, output_over_the_cap_fails_without_leaving_the_secret)
{
    /* SECRET_URL is 55 bytes: a 40-byte buffer cannot hold it */
    expand_bad("${ETH_RPC_URL}", 40, "value longer than 39 bytes after expansion");
    expand_bad("0123456789", 10, "value longer than 9 bytes after expansion");
}

Test(value, whole_numbers)
{
    uint64_t v = 7;
    char msg[256];
    cr_expect_eq(wl_parse_u64(&v, msg, sizeof msg, "k", "18446744073709551615", "s", 0,
                              UINT64_MAX),
                 0);
    cr_expect_eq(v, UINT64_MAX);
    cr_expect_eq(wl_parse_u64(&v, msg, sizeof msg, "k", "1_000", "s", 0, 5000), 0);
    cr_expect_eq(v, 1000);
    static const char *const bad[] = {"", "_1", "1_", "1__0", "-1", "+1", "1.0", " 1", "0x10"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = 7;
        cr_expect_eq(wl_parse_u64(&v, msg, sizeof msg, "k", bad[i], bad[i], 0, 10), -1, "'%s'",
                     bad[i]);
        cr_expect_eq(v, 0, "zeroed on failure");
    }
    cr_expect_eq(wl_parse_u64(&v, msg, sizeof msg, "k", "18446744073709551616", "s", 0,
                              UINT64_MAX),
                 -1, "2^64 overflows");
    cr_expect_str_eq(msg, "k: s is out of range (0 to 18446744073709551615)");
}

Test(value, fixed_point_decimals)
{
    rpc_u256 v;
    char msg[256];
    cr_expect_eq(wl_parse_fixed(&v, msg, sizeof msg, "k", "0.5", "s", 2), 0);
    cr_expect_eq(v.w[0], 50);
    cr_expect_eq(wl_parse_fixed(&v, msg, sizeof msg, "k", "1.50", "s", 1), 0, "zero extra digits");
    cr_expect_eq(v.w[0], 15);
    static const char *const bad[] = {".5", "5.", "1.2.3", "1e6", "$5", "1,000", "1._5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v.w[0] = 7;
        cr_expect_eq(wl_parse_fixed(&v, msg, sizeof msg, "k", bad[i], bad[i], 2), -1, "'%s'",
                     bad[i]);
        cr_expect_eq(v.w[0], 0);
    }
}

Test(suggest, edit_distance_counts_swaps_as_one)
{
    cr_expect_eq(wl_edit_distance("", ""), 0);
    cr_expect_eq(wl_edit_distance("address", "adress"), 1);
    cr_expect_eq(wl_edit_distance("tags", "tgas"), 1);
    cr_expect_eq(wl_edit_distance("kitten", "sitting"), 3);
    cr_expect_eq(wl_edit_distance("rpc", ""), 3);
}

Test(suggest, only_close_candidates_are_offered)
{
    static const char *const keys[] = {"address", "tags", "since"};
    cr_expect_str_eq(wl_suggest("adress", keys, 3), "address");
    cr_expect_str_eq(wl_suggest("snice", keys, 3), "since");
    cr_expect_str_eq(wl_suggest("tag", keys, 3), "tags");
    cr_expect_null(wl_suggest("colour", keys, 3));
    cr_expect_null(wl_suggest("x", keys, 3));
}
