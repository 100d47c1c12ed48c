/* tests/watchlists/test_errors.c — one golden test per error message: a small file with
 * one mistake, the exact path:line: message it must give, and nothing else. */
#include <criterion/criterion.h>

#include "tests/watchlists/wl_testutil.h"

#define B14 "0x28C6c06298d514Db089934071355E5743bf21d60" /* Binance 14, valid EIP-55 */
#define B15 "0x21a31Ee1afC51d94C2eFcCAa2092aD1028285549"

/* golden: loading text gives exactly one error, at line, with message msg. */
/* subst: msg with "/DIR" replaced by the test's directory. */
static void subst(char *out, size_t cap, const char *msg, const char *dir)
{
    const char *at = strstr(msg, "/DIR");
    if (!at)
        snprintf(out, cap, "%s", msg);
    else
        snprintf(out, cap, "%.*s%s%s", (int)(at - msg), msg, dir, at + 4);
}

static void golden(const char *text, unsigned line, const char *msg_in)
{
    char *d = tdir_new();
    char path[512], want[2048], msg[1024];
    subst(msg, sizeof msg, msg_in, d);
    wl_set *set = (wl_set *)1;
    wl_errors errs = {0};
    int rc = tload_text(&set, &errs, d, text);
    cr_assert_eq(rc, WL_EINVALID, "rc %d (%s) for:\n%s", rc, wl_strerror(rc), text);
    cr_assert_null(set, "no set on error");
    for (size_t i = 0; i < errs.n; i++)
        cr_log_info("got: %s", errs.v[i].text);
    cr_assert_eq(errs.n, 1, "exactly one error, got %zu", errs.n);
    cr_expect_eq(errs.v[0].line, line, "line %u, want %u", errs.v[0].line, line);
    cr_expect_str_eq(errs.v[0].msg, msg);
    tpath(path, sizeof path, d, "w.ini");
    cr_expect_str_eq(errs.v[0].path, path);
    snprintf(want, sizeof want, "%s:%u: %s", path, line, msg);
    cr_expect_str_eq(errs.v[0].text, want);
    wl_errors_free(&errs);
    tdir_free(d);
}

Test(errors, unknown_section_suggests_the_closest_name)
{
    golden("; x\n[entty \"A\"]\naddress = " B14 "\n", 2,
           "unknown section [entty] (did you mean [entity]?)");
}

Test(errors, unknown_section_is_case_sensitive_and_suggests)
{
    golden("[Entity \"A\"]\naddress = " B14 "\n", 1,
           "unknown section [Entity] (did you mean [entity]?)");
}

Test(errors, unknown_section_far_from_any_lists_the_sections)
{
    golden("[wallets]\nx = 1\n", 1,
           "unknown section [wallets] (sections: entity, exchange, protocol, rules, rpc, sink)");
}

Test(errors, unknown_key_suggests_the_closest_key)
{
    golden("[entity \"A\"]\naddress = " B14 "\nadress = " B15 "\n", 3,
           "unknown key 'adress' in [entity] (did you mean 'address'?)");
}

Test(errors, unknown_key_far_from_any_lists_the_keys)
{
    golden("[entity \"A\"]\naddress = " B14 "\ncolour = red\n", 3,
           "unknown key 'colour' in [entity] (keys: address, tags, since)");
}

Test(errors, unknown_rules_key_suggests)
{
    golden("[rules]\nmin_usdd = 5\n", 2,
           "unknown key 'min_usdd' in [rules] (did you mean 'min_usd'?)");
}

Test(errors, unknown_move_kind_in_an_override_suggests)
{
    golden("[rules]\nmin_usd.trasnfer_out = 5\n", 2,
           "unknown move kind 'trasnfer_out' in 'min_usd.trasnfer_out' (did you mean "
           "'transfer_out'?)");
}

Test(errors, entity_without_address_is_reported_at_its_header)
{
    golden("\n[entity \"Lonely\"]\ntags = fund\n", 2, "entity \"Lonely\" has no address");
}

Test(errors, exchange_without_address_is_reported_at_its_header)
{
    golden("[exchange \"Empty\"]\n", 1, "exchange \"Empty\" has no address");
}

Test(errors, protocol_without_kind)
{
    golden("[protocol \"P\"]\npool = " B14 "\n", 1,
           "protocol \"P\" is missing required key 'kind'");
}

Test(errors, aave_protocol_without_its_oracle)
{
    golden("[protocol \"P\"]\nkind = aave-v3\npool = " B14 "\ndata_provider = " B15 "\n", 1,
           "protocol \"P\" is missing required key 'oracle'");
}

Test(errors, unknown_protocol_kind_suggests)
{
    golden("[protocol \"P\"]\nkind = aave3\npool = " B14 "\n", 2,
           "kind: unknown protocol kind 'aave3' (did you mean 'aave-v3'?)");
}

Test(errors, key_of_another_protocol_kind)
{
    golden("[protocol \"P\"]\nkind = compound-v3\ncomet = " B14 "\npool = " B15 "\n", 4,
           "key 'pool' does not apply to kind compound-v3 (keys: comet)");
}

Test(errors, protocol_address_error_names_its_key)
{
    golden("[protocol \"P\"]\nkind = compound-v3\ncomet = 0x12\n", 3,
           "comet: malformed address '0x12': expected 0x and 40 hex digits");
}

Test(errors, malformed_morpho_market_id)
{
    golden("[protocol \"M\"]\nkind = morpho-blue\nmorpho = " B14 "\nmarket = 0xabc\n", 4,
           "market: malformed market id '0xabc': expected 0x and 64 hex digits");
}

Test(errors, rpc_without_url)
{
    golden("[rpc]\nchain_id = 1\n", 1, "[rpc] is missing required key 'url'");
}

Test(errors, malformed_address)
{
    golden("[entity \"A\"]\naddress = " B14 "\naddress = 0x1234\n", 3,
           "malformed address '0x1234': expected 0x and 40 hex digits");
}

Test(errors, address_without_0x)
{
    golden("[entity \"A\"]\naddress = 28C6c06298d514Db089934071355E5743bf21d60\n", 2,
           "malformed address '28C6c06298d514Db089934071355E5743bf21d60': expected 0x and 40 "
           "hex digits");
}

/* Binance 14 with its first letter lowered: still mixed case, checksum now wrong. */
Test(errors, wrong_eip55_checksum)
{
    golden("[exchange \"X\"]\naddress = 0x28c6c06298d514Db089934071355E5743bf21d60\n", 2,
           "address 0x28c6c06298d514Db089934071355E5743bf21d60 fails its EIP-55 checksum "
           "(mistyped? copy it again, or write it in lowercase to skip the check)");
}

Test(errors, whole_number_with_letters)
{
    golden("[entity \"A\"]\naddress = " B14 "\nsince = 12x\n", 3,
           "since: '12x' is not a whole number");
}

Test(errors, whole_number_out_of_range)
{
    golden("[rpc]\nurl = http://localhost:8545\nconfirmations = 5000\n", 3,
           "confirmations: 5000 is out of range (0 to 1000)");
}

Test(errors, usd_amount_with_commas)
{
    golden("[rules]\nmin_usd = 1,000\n", 2,
           "min_usd: '1,000' is not a number (digits, '_' separators, one '.')");
}

Test(errors, usd_amount_with_too_many_decimals)
{
    golden("[rules]\nmin_usd = 1.000000001\n", 2,
           "min_usd: '1.000000001' has more than 8 decimal places");
}

Test(errors, health_factor_at_or_below_one)
{
    golden("[rules]\nhealth_factor_warn = 1.0\n", 2,
           "health_factor_warn: 1.0 is out of range (above 1, at most 100)");
}

Test(errors, health_factor_above_one_hundred)
{
    golden("[rules]\nhealth_factor_warn = 100.000000000000000001\n", 2,
           "health_factor_warn: 100.000000000000000001 is out of range (above 1, at most "
           "100)");
}

Test(errors, liquidation_move_of_zero)
{
    golden("[rules]\nliquidation_price_move_pct = 0\n", 2,
           "liquidation_price_move_pct: 0 is out of range (above 0, at most 100)");
}

Test(errors, url_that_is_not_http)
{
    golden("[rpc]\nurl = ftp://example.org\n", 2,
           "url: 'ftp://example.org' is not an http:// or https:// URL");
}

Test(errors, secret_url_error_shows_the_file_text_not_the_value)
{
    golden("[rpc]\nurl = ${BAD_URL}\n", 2, "url: '${BAD_URL}' is not an http:// or https:// URL");
}

Test(errors, secret_number_error_shows_the_file_text)
{
    golden("[entity \"A\"]\naddress = " B14 "\nsince = ${BLOCK}\n", 3,
           "since: '${BLOCK}' is not a whole number");
}

Test(errors, undefined_variable)
{
    golden("[rpc]\nurl = ${NOPE_NOT_SET}\n", 2,
           "url: undefined environment variable ${NOPE_NOT_SET}");
}

Test(errors, unterminated_variable)
{
    golden("[rpc]\nurl = ${ETH_RPC_URL\n", 2,
           "url: unterminated '${' (write '$$' for a literal '$')");
}

Test(errors, bad_variable_name)
{
    golden("[rpc]\nurl = ${1X}\n", 2, "url: bad variable name '${1X}': letters, digits and '_'");
}

Test(errors, empty_value)
{
    golden("[entity \"A\"]\naddress = " B14 "\ntags =\n", 3, "tags: empty value");
}

Test(errors, empty_value_from_the_environment)
{
    golden("[entity \"A\"]\naddress = " B14 "\ntags = ${EMPTY}\n", 3, "tags: empty value");
}

Test(errors, empty_tag)
{
    golden("[entity \"A\"]\naddress = " B14 "\ntags = a,,b\n", 3,
           "tags: empty tag (tags are separated by single commas)");
}

Test(errors, duplicate_single_key)
{
    golden("[entity \"A\"]\naddress = " B14 "\nsince = 1\nsince = 2\n", 4,
           "duplicate key 'since' (first at line 3)");
}

Test(errors, duplicate_override_key)
{
    golden("[rules]\nmin_usd.borrow = 1\nmin_usd.borrow = 2\n", 3,
           "duplicate key 'min_usd.borrow' (first at line 2)");
}

Test(errors, key_outside_any_section)
{
    golden("address = " B14 "\n", 1, "key 'address' is outside any section");
}

Test(errors, key_without_name)
{
    golden("[rules]\n= 5\n", 2, "missing key name before '='");
}

Test(errors, line_without_equals)
{
    golden("[entity \"A\"]\naddress = " B14 "\n" B15 "\n", 3,
           "expected 'key = value' or a [section] header");
}

Test(errors, section_without_closing_bracket)
{
    golden("[entity \"A\"\naddress = " B14 "\n", 1, "section header without closing ']'");
}

Test(errors, text_after_the_section_header)
{
    golden("[rules] min_usd = 5\n", 1, "unexpected text after ']'");
}

Test(errors, named_section_without_a_name)
{
    golden("[entity]\naddress = " B14 "\n", 1, "[entity] needs a name: [entity \"Name\"]");
}

Test(errors, name_without_quotes)
{
    golden("[entity Trend Research]\naddress = " B14 "\n", 1,
           "write the name of [entity] in double quotes: [entity \"Name\"]");
}

Test(errors, empty_name)
{
    golden("[exchange \"\"]\naddress = " B14 "\n", 1, "empty name in [exchange \"\"]");
}

Test(errors, name_too_long)
{
    golden("[entity \"0123456789012345678901234567890123456789012345678\"]\naddress = " B14
           "\n",
           1, "name \"0123456789012345678901234567890123456789012345678\" is longer than 48 "
              "characters");
}

Test(errors, unnamed_section_with_a_name)
{
    golden("[rules \"main\"]\nmin_usd = 5\n", 1, "[rules] takes no name");
}

Test(errors, sink_without_kind)
{
    golden("[sink \"hook\"]\nurl = http://127.0.0.1:1/\n", 1,
           "sink \"hook\" is missing required key 'kind'");
}

Test(errors, sink_kind_misspelt_suggests_the_closest)
{
    golden("[sink \"hook\"]\nkind = webhok\nurl = http://127.0.0.1:1/\n", 2,
           "kind: unknown sink kind 'webhok' (did you mean 'webhook'?)");
}

Test(errors, sink_missing_a_key_its_kind_needs)
{
    golden("[sink \"tg\"]\nkind = telegram\ntoken = ${ETH_RPC_URL}\n", 1,
           "sink \"tg\" is missing required key 'chat_id'");
}

Test(errors, sink_key_of_another_kind)
{
    golden("[sink \"d\"]\nkind = discord\nurl = http://x/\ntoken = ${ETH_RPC_URL}\n", 4,
           "key 'token' does not apply to a discord sink");
}

Test(errors, telegram_token_written_in_the_file)
{
    golden("[sink \"tg\"]\nkind = telegram\ntoken = 123:abc\nchat_id = 5\n", 3,
           "token: write it as ${VAR} and keep the bot token in the environment");
}

Test(errors, sink_url_from_the_environment_is_not_quoted_in_errors)
{
    golden("[sink \"d\"]\nkind = discord\nurl = ${BAD_URL}\n", 3,
           "url: '${BAD_URL}' is not an http:// or https:// URL");
}

Test(errors, sink_rule_with_an_unknown_kind_or_entity)
{
    golden("[sink \"c\"]\nkind = command\ncommand = /bin/cat\nkinds = repay, borow\n", 4,
           "kinds: unknown move kind 'borow' (did you mean 'borrow'?)");
    golden("[sink \"c\"]\nkind = command\ncommand = /bin/cat\nentities = Nobody\n", 4,
           "entities: no entity \"Nobody\" in the watchlist");
}

Test(errors, sink_command_with_an_open_quote)
{
    golden("[sink \"c\"]\nkind = command\ncommand = /bin/echo \"a b\n", 3,
           "command: unbalanced \" in '/bin/echo \"a b'");
}

Test(errors, same_sink_twice)
{
    golden("[sink \"c\"]\nkind = command\ncommand = cat\n[sink \"c\"]\nkind = command\n"
           "command = cat\n", 4, "sink \"c\" is already defined at /DIR/w.ini:1");
}

Test(errors, same_entity_twice)
{
    golden("[entity \"A\"]\naddress = " B14 "\n[entity \"A\"]\naddress = " B15 "\n", 3,
           "entity \"A\" is already defined at /DIR/w.ini:1");
}

Test(errors, rules_twice)
{
    golden("[rules]\nmin_usd = 1\n[rules]\nmin_usd = 2\n", 3,
           "[rules] is already defined at /DIR/w.ini:1");
}

Test(errors, same_address_twice_in_one_entity)
{
    golden("[entity \"A\"]\naddress = " B14 "\naddress = 0x28c6c06298d514db089934071355e5743bf21d60\n",
           3, "address " B14 " is listed twice in entity \"A\" (first at /DIR/w.ini:2)");
}

Test(errors, line_too_long)
{
    char text[400];
    snprintf(text, sizeof text, "[entity \"A\"]\naddress = " B14 "\ntags = %0250d\n", 7);
    golden(text, 3, "line too long (257 characters; at most 197)");
}

Test(errors, nul_byte_in_a_line)
{
    char *d = tdir_new();
    char p[512];
    static const char text[] = "[entity \"A\"]\naddress = " B14 "\ntags = a\0b\n";
    FILE *f = fopen(tpath(p, sizeof p, d, "w.ini"), "wb");
    cr_assert(f);
    cr_assert_eq(fwrite(text, 1, sizeof text - 1, f), sizeof text - 1);
    fclose(f);
    const char *paths[] = {p};
    wl_set *set;
    wl_errors errs = {0};
    cr_assert_eq(wl_load(&set, &errs, paths, 1, NULL), WL_EINVALID);
    cr_assert_eq(errs.n, 1);
    cr_expect_eq(errs.v[0].line, 3);
    cr_expect_str_eq(errs.v[0].msg, "NUL byte in line");
    wl_errors_free(&errs);
    tdir_free(d);
}

/* ---- errors that involve several files: both places named, all errors, in order ---- */

static int load2(wl_errors *errs, const char *d, const char *a, const char *b)
{
    char pa[512], pb[512];
    wl_set *set = NULL;
    twrite(d, "a.ini", a);
    twrite(d, "b.ini", b);
    const char *paths[] = {tpath(pa, sizeof pa, d, "a.ini"), tpath(pb, sizeof pb, d, "b.ini")};
    int rc = wl_load(&set, errs, paths, 2, &fake_env);
    cr_assert_null(set);
    return rc;
}

Test(errors, same_address_in_two_entities_names_both_places)
{
    char *d = tdir_new();
    char want[1024];
    wl_errors errs = {0};
    cr_assert_eq(load2(&errs, d, "[entity \"A\"]\naddress = " B14 "\n",
                       "; b\n[entity \"B\"]\naddress = " B15 "\naddress = " B14 "\n"),
                 WL_EINVALID);
    cr_assert_eq(errs.n, 1);
    snprintf(want, sizeof want,
             "%s/b.ini:4: address " B14 " is also in entity \"A\" (%s/a.ini:2)", d, d);
    cr_expect_str_eq(errs.v[0].text, want);
    wl_errors_free(&errs);
    tdir_free(d);
}

Test(errors, address_of_an_entity_and_an_exchange)
{
    char *d = tdir_new();
    char want[1024];
    wl_errors errs = {0};
    cr_assert_eq(load2(&errs, d, "[exchange \"Binance\"]\naddress = " B14 "\n",
                       "[entity \"W\"]\naddress = 0x28c6c06298d514db089934071355e5743bf21d60\n"),
                 WL_EINVALID);
    cr_assert_eq(errs.n, 1);
    snprintf(want, sizeof want,
             "%s/b.ini:2: address " B14 " is also in exchange \"Binance\" (%s/a.ini:2)", d, d);
    cr_expect_str_eq(errs.v[0].text, want);
    wl_errors_free(&errs);
    tdir_free(d);
}

Test(errors, duplicate_of_a_secret_address_does_not_print_it)
{
    char *d = tdir_new();
    char want[1024];
    wl_errors errs = {0};
    cr_assert_eq(load2(&errs, d, "[entity \"A\"]\naddress = ${WHALE}\n",
                       "[entity \"B\"]\naddress = 0x28a55c4b4f9615fde3cdaddf6cc01fcf2e38a6b0\n"),
                 WL_EINVALID);
    cr_assert_eq(errs.n, 1);
    snprintf(want, sizeof want,
             "%s/b.ini:2: address (from the environment) is also in entity \"A\" (%s/a.ini:2)",
             d, d);
    cr_expect_str_eq(errs.v[0].text, want);
    wl_errors_free(&errs);
    tdir_free(d);
}

Test(errors, every_error_of_a_load_is_reported_in_file_then_line_order)
{
    char *d = tdir_new();
    wl_errors errs = {0};
    /* a.ini: line 2 bad key, line 4 entity without address (found at the end), line 6 bad
     * number; b.ini: line 1 unknown section, line 3 duplicate address of a.ini:3 */
    cr_assert_eq(load2(&errs, d,
                       "[entity \"A\"]\nadress = x\naddress = " B14 "\n[entity \"E\"]\n"
                       "[rules]\nmin_usd = abc\n",
                       "[entty \"Z\"]\n[exchange \"X\"]\naddress = " B14 "\n"),
                 WL_EINVALID);
    cr_assert_eq(errs.n, 5, "got %zu", errs.n);
    unsigned lines[] = {2, 4, 6, 1, 3};
    const char *files[] = {"a.ini", "a.ini", "a.ini", "b.ini", "b.ini"};
    for (size_t i = 0; i < 5; i++) {
        cr_expect_eq(errs.v[i].line, lines[i], "error %zu: %s", i, errs.v[i].text);
        cr_expect(strstr(errs.v[i].path, files[i]) != NULL, "error %zu: %s", i, errs.v[i].text);
    }
    cr_expect_str_eq(errs.v[1].msg, "entity \"E\" has no address");
    wl_errors_free(&errs);
    tdir_free(d);
}

Test(errors, a_bad_address_line_does_not_also_report_no_address)
{
    char *d = tdir_new();
    wl_set *set;
    wl_errors errs = {0};
    cr_assert_eq(tload_text(&set, &errs, d, "[entity \"A\"]\naddress = 0x12\n"), WL_EINVALID);
    cr_expect_eq(errs.n, 1);
    wl_errors_free(&errs);
    tdir_free(d);
}

Test(errors, the_list_keeps_at_most_the_cap_and_counts_the_rest)
{
    char *d = tdir_new();
    wl_set *set;
    wl_errors errs = {0};
    size_t n = WL_MAX_ERRORS + 5;
    char *text = malloc(n * 8 + 32);
    cr_assert(text);
    size_t o = (size_t)snprintf(text, 32, "[rules]\n");
    for (size_t i = 0; i < n; i++)
        o += (size_t)snprintf(text + o, 9, "junk%03zu\n", i % 1000);
    cr_assert_eq(tload_text(&set, &errs, d, text), WL_EINVALID);
    cr_expect_eq(errs.n, WL_MAX_ERRORS);
    cr_expect_eq(errs.dropped, 5);
    cr_expect_eq(errs.v[WL_MAX_ERRORS - 1].line, WL_MAX_ERRORS + 1);
    free(text);
    wl_errors_free(&errs);
    tdir_free(d);
}

Test(errors, missing_file_is_an_io_error)
{
    char *d = tdir_new();
    char p[512], want[600];
    wl_set *set;
    wl_errors errs = {0};
    const char *paths[] = {tpath(p, sizeof p, d, "nope.ini")};
    cr_assert_eq(wl_load(&set, &errs, paths, 1, NULL), WL_EIO);
    cr_assert_eq(errs.n, 1);
    cr_expect_eq(errs.v[0].line, 0);
    snprintf(want, sizeof want, "%s: cannot read: No such file or directory", p);
    cr_expect_str_eq(errs.v[0].text, want);
    wl_errors_free(&errs);
    tdir_free(d);
}

Test(errors, directory_without_ini_files)
{
    char *d = tdir_new();
    char want[600];
    wl_set *set;
    wl_errors errs = {0};
    twrite(d, "notes.txt", "[rules]\n");
    const char *paths[] = {d};
    cr_assert_eq(wl_load(&set, &errs, paths, 1, NULL), WL_EIO);
    cr_assert_eq(errs.n, 1);
    snprintf(want, sizeof want, "%s: no .ini files in this directory", d);
    cr_expect_str_eq(errs.v[0].text, want);
    wl_errors_free(&errs);
    tdir_free(d);
}

Test(errors, strerror_covers_the_table)
{
    cr_expect_str_eq(wl_strerror(WL_OK), "success");
    cr_expect_str_eq(wl_strerror(WL_EINVALID), "the watchlist has errors");
    cr_expect_str_eq(wl_strerror(WL_EWATCH), "file watching (inotify) failed");
    cr_expect_str_eq(wl_strerror(-999), "unknown error");
}
