/* tests/watchlists/test_parse.c — valid files: every section and value read exactly,
 * the file syntax (comments, indentation, CRLF, BOM), directories and lookups. */
#include <criterion/criterion.h>

#include "rpc/addr.h"
#include "rpc/u256.h"
#include "tests/watchlists/wl_testutil.h"

#define B14 "0x28C6c06298d514Db089934071355E5743bf21d60"
#define B15 "0x21a31Ee1afC51d94C2eFcCAa2092aD1028285549"
#define S7 "0x28a55C4b4f9615FDE3CDAdDf6cc01FcF2E38A6b0"

static rpc_addr A(const char *s)
{
    rpc_addr a;
    cr_assert_eq(rpc_addr_parse(&a, s, strlen(s)), RPC_OK, "%s", s);
    return a;
}

static wl_set *must_load(const char *dir, const char *text)
{
    wl_set *set = NULL;
    wl_errors errs = {0};
    int rc = tload_text(&set, &errs, dir, text);
    for (size_t i = 0; i < errs.n; i++)
        cr_log_error("%s", errs.v[i].text);
    cr_assert_eq(rc, WL_OK, "load: %s", wl_strerror(rc));
    cr_assert_eq(errs.n, 0);
    cr_assert_not_null(set);
    return set;
}

static void expect_u256(const rpc_u256 *v, uint64_t w0, uint64_t w1)
{
    cr_expect(v->w[0] == w0 && v->w[1] == w1 && v->w[2] == 0 && v->w[3] == 0,
              "got %llx %llx", (unsigned long long)v->w[1], (unsigned long long)v->w[0]);
}

static const char full[] =
    "; a whole watchlist in one file\n"
    "[entity \"Trend Research\"]\n"
    "address = " B14 "\n"
    "address = 0x21a31ee1afc51d94c2efccaa2092ad1028285549 ; lowercase skips the checksum\n"
    "tags    = fund, eth-long ,aave\n"
    "since   = 21_500_000\n"
    "\n"
    "[exchange \"Binance\"]\n"
    "address = 0xDFD5293D8E347DFE59E90EFD55B2956A1343963D\n"
    "\n"
    "[protocol \"Aave V3 Core\"]\n"
    "pool = 0x87870Bca3F3fD6335C3F4ce8392D69350B4fA4E2 ; before kind: order is free\n"
    "kind = aave-v3\n"
    "oracle = 0x54586bE62E3c3580375aE3723C145253060Ca0C2\n"
    "data_provider = 0x0a16f2FCC0D44FaE41cc54e079281D84A363bECD\n"
    "[protocol \"Comet USDC\"]\n"
    "kind = compound-v3\n"
    "comet = 0xc3d688B66703497DAA19211EEdff47f25384cdc3\n"
    "[protocol \"Morpho\"]\n"
    "kind = morpho-blue\n"
    "morpho = 0xBBBBBbbBBb9cC5e90e3b3Af64bdAF62C37EEFFCb\n"
    "market = 0x" "b323495f7e4148be5643a4ea4a8221eef163e4bccfdedc2a6f4696baacbc86cc" "\n"
    "market = 0x" "c54d7acf14de29e0e5527cabd7a576506870346a78a11a6762e2cca66322ec41" "\n"
    "[rules]\n"
    "min_usd = 1_000_000.5\n"
    "min_usd.exchange_deposit = 250000\n"
    "health_factor_warn = 1.05\n"
    "liquidation_price_move_pct = 2.5\n"
    "backfill_blocks = 100\n"
    "[rpc]\n"
    "url = ${ETH_RPC_URL}\n"
    "url = http://127.0.0.1:8545\n"
    "chain_id = 31337\n"
    "confirmations = 0\n"
    "max_lag = 3\n"
    "rate_limit = 25\n"
    "timeout_ms = 2500\n";

Test(parse, a_full_file_is_read_field_by_field)
{
    char *d = tdir_new();
    wl_set *set = must_load(d, full);

    cr_assert_eq(wl_entity_count(set), 1);
    const wl_entity *e = wl_entity_at(set, 0);
    cr_expect_str_eq(e->name, "Trend Research");
    cr_assert_eq(e->naddrs, 2);
    rpc_addr b14 = A(B14), b15 = A(B15);
    cr_expect(memcmp(&e->addrs[0], &b14, 20) == 0);
    cr_expect(memcmp(&e->addrs[1], &b15, 20) == 0);
    cr_assert_eq(e->ntags, 3);
    cr_expect_str_eq(e->tags[0], "fund");
    cr_expect_str_eq(e->tags[1], "eth-long");
    cr_expect_str_eq(e->tags[2], "aave");
    cr_expect_eq(e->since, 21500000u);
    cr_expect_eq(e->line, 2);
    cr_expect_not(e->from_env);

    cr_assert_eq(wl_exchange_count(set), 1);
    cr_expect_str_eq(wl_exchange_at(set, 0)->name, "Binance");
    cr_expect_eq(wl_exchange_at(set, 0)->naddrs, 1);

    cr_assert_eq(wl_protocol_count(set), 3);
    const wl_protocol *p = wl_protocol_at(set, 0);
    cr_expect_eq(p->kind, WL_PROTO_AAVE_V3);
    rpc_addr pool = A("0x87870Bca3F3fD6335C3F4ce8392D69350B4fA4E2");
    rpc_addr oracle = A("0x54586bE62E3c3580375aE3723C145253060Ca0C2");
    rpc_addr zero = {{0}};
    cr_expect(memcmp(&p->contract, &pool, 20) == 0);
    cr_expect(memcmp(&p->oracle, &oracle, 20) == 0);
    cr_expect(memcmp(&p->addresses_provider, &zero, 20) == 0, "optional: zero when absent");
    cr_expect_eq(wl_protocol_at(set, 1)->kind, WL_PROTO_COMPOUND_V3);
    p = wl_protocol_at(set, 2);
    cr_expect_eq(p->kind, WL_PROTO_MORPHO_BLUE);
    cr_assert_eq(p->nmarkets, 2);
    cr_expect_eq(p->markets[0].b[0], 0xb3);
    cr_expect_eq(p->markets[1].b[31], 0x41);
    cr_expect_str_eq(wl_proto_kind_name(p->kind), "morpho-blue");

    const wl_rules *r = wl_rules_of(set);
    expect_u256(&r->min_usd, 100000050000000u, 0); /* 1,000,000.5 x 10^8 */
    expect_u256(&r->min_usd_kind[WL_KIND_EXCHANGE_DEPOSIT], 25000000000000u, 0);
    expect_u256(&r->min_usd_kind[WL_KIND_BORROW], 100000050000000u, 0); /* not overridden */
    cr_expect_eq(r->overridden, 1u << WL_KIND_EXCHANGE_DEPOSIT);
    expect_u256(&r->health_factor_warn, 1050000000000000000u, 0);
    cr_expect_eq(r->liquidation_price_move_bp, 250);
    cr_expect_eq(r->backfill_blocks, 100);

    const wl_rpc *rpc = wl_rpc_of(set);
    cr_assert_not_null(rpc);
    cr_assert_eq(rpc->nurls, 2);
    cr_expect_str_eq(rpc->urls[0].url, SECRET_URL);
    cr_expect_str_eq(rpc->urls[0].shown, "${ETH_RPC_URL}");
    cr_expect(rpc->urls[0].secret);
    cr_expect_str_eq(rpc->urls[1].url, "http://127.0.0.1:8545");
    cr_expect_str_eq(rpc->urls[1].shown, "http://127.0.0.1:8545");
    cr_expect_not(rpc->urls[1].secret);
    cr_expect_eq(rpc->chain_id, 31337);
    cr_expect_eq(rpc->confirmations, 0);
    cr_expect_eq(rpc->max_lag, 3);
    cr_expect_eq(rpc->rate_limit, 25);
    cr_expect_eq(rpc->timeout_ms, 2500);
    cr_expect_not(rpc->from_env, "only the url came from the environment");

    wl_set_free(set);
    tdir_free(d);
}

Test(parse, defaults_hold_without_rules_and_rpc)
{
    char *d = tdir_new();
    wl_set *set = must_load(d, "[entity \"A\"]\naddress = " B14 "\n");
    const wl_rules *r = wl_rules_of(set);
    expect_u256(&r->min_usd, 100000000000000u, 0); /* $1,000,000 */
    expect_u256(&r->min_usd_kind[WL_KIND_TRANSFER_OUT], 100000000000000u, 0);
    expect_u256(&r->health_factor_warn, 1300000000000000000u, 0);
    cr_expect_eq(r->liquidation_price_move_bp, 200);
    cr_expect_eq(r->backfill_blocks, 7200);
    cr_expect_null(r->path);
    cr_expect_null(wl_rpc_of(set));
    cr_expect_eq(wl_entity_at(set, 0)->since, WL_SINCE_NONE);
    cr_expect_eq(wl_entity_at(set, 0)->ntags, 0);
    wl_set_free(set);
    tdir_free(d);
}

Test(parse, large_exact_numbers_do_not_pass_through_doubles)
{
    char *d = tdir_new();
    /* 123456789012.12345678 x 10^8 = 12345678901212345678 > 2^63: exact in u256 */
    wl_set *set = must_load(d, "[rules]\nmin_usd = 123_456_789_012.12345678\n"
                               "health_factor_warn = 99.999999999999999999\n");
    expect_u256(&wl_rules_of(set)->min_usd, 12345678901212345678u, 0);
    /* 99.999999999999999999 x 10^18 = 99999999999999999999 = 0x56BC75E2D630FFFFF */
    expect_u256(&wl_rules_of(set)->health_factor_warn, 0x6BC75E2D630FFFFFu, 5);
    wl_set_free(set);
    tdir_free(d);
}

Test(parse, comments_indentation_crlf_and_bom)
{
    char *d = tdir_new();
    wl_set *set = must_load(d, "\xEF\xBB\xBF# hash comment\r\n"
                               "  [entity \"A\"]   ; comment after a header\r\n"
                               "    address = " B14 "\r\n"
                               "    tags = x\r\n" /* indented: not a continuation */
                               "\t; indented comment\r\n"
                               "    address = " B15 "\r\n");
    const wl_entity *e = wl_entity_at(set, 0);
    cr_expect_eq(e->naddrs, 2);
    cr_assert_eq(e->ntags, 1);
    cr_expect_str_eq(e->tags[0], "x");
    wl_set_free(set);
    tdir_free(d);
}

Test(parse, uppercase_and_lowercase_addresses_skip_the_checksum)
{
    char *d = tdir_new();
    wl_set *set = must_load(d, "[entity \"A\"]\n"
                               "address = 0x28C6C06298D514DB089934071355E5743BF21D60\n"
                               "[entity \"B\"]\n"
                               "address = 0x21a31ee1afc51d94c2efccaa2092ad1028285549\n");
    rpc_addr b14 = A(B14);
    cr_expect_str_eq(wl_entity_of(set, &b14)->name, "A");
    wl_set_free(set);
    tdir_free(d);
}

Test(parse, dollar_escapes_and_variables_inside_text)
{
    char *d = tdir_new();
    wl_set *set = must_load(d, "[rpc]\nurl = http://h/$$x/${EMPTY}y\n");
    cr_expect_str_eq(wl_rpc_of(set)->urls[0].url, "http://h/$x/y");
    cr_expect(wl_rpc_of(set)->urls[0].secret, "any ${VAR} makes the value secret");
    cr_expect_str_eq(wl_rpc_of(set)->urls[0].shown, "http://h/$$x/${EMPTY}y");
    wl_set_free(set);
    tdir_free(d);
}

Test(parse, values_from_the_environment_mark_their_section)
{
    char *d = tdir_new();
    wl_set *set = must_load(d, "[entity \"A\"]\naddress = ${WHALE}\n[entity \"B\"]\n"
                               "address = " B14 "\n");
    cr_expect(wl_entity_at(set, 0)->from_env);
    cr_expect_not(wl_entity_at(set, 1)->from_env);
    rpc_addr w = A(S7);
    cr_expect_str_eq(wl_entity_of(set, &w)->name, "A");
    wl_set_free(set);
    tdir_free(d);
}

Test(parse, lookups_find_owners_and_watched_is_sorted)
{
    char *d = tdir_new();
    wl_set *set = must_load(d, "[entity \"A\"]\naddress = " B14 "\naddress = " S7 "\n"
                               "[entity \"B\"]\naddress = " B15 "\n"
                               "[exchange \"X\"]\naddress = 0x6cC5F688a315f3dC28A7781717a9A798a59fDA7b\n");
    size_t n;
    const rpc_addr *w = wl_watched(set, &n);
    cr_assert_eq(n, 3);
    for (size_t i = 1; i < n; i++)
        cr_expect(memcmp(&w[i - 1], &w[i], 20) < 0, "sorted, no repeats");
    rpc_addr b14 = A(B14), b15 = A(B15), s7 = A(S7);
    rpc_addr okx = A("0x6cC5F688a315f3dC28A7781717a9A798a59fDA7b"), none = {{0}};
    cr_expect_str_eq(wl_entity_of(set, &b14)->name, "A");
    cr_expect_str_eq(wl_entity_of(set, &s7)->name, "A");
    cr_expect_str_eq(wl_entity_of(set, &b15)->name, "B");
    cr_expect_null(wl_entity_of(set, &okx), "an exchange is not watched");
    cr_expect_null(wl_entity_of(set, &none));
    cr_expect_str_eq(wl_exchange_of(set, &okx)->name, "X");
    cr_expect_null(wl_exchange_of(set, &b14));
    wl_set_free(set);
    tdir_free(d);
}

Test(parse, a_directory_is_its_ini_files_in_name_order)
{
    char *d = tdir_new();
    char sub[600];
    twrite(d, "b.ini", "[entity \"B\"]\naddress = " B15 "\n");
    twrite(d, "a.ini", "[entity \"A\"]\naddress = " B14 "\n");
    twrite(d, ".hidden.ini", "[broken\n");
    twrite(d, "notes.txt", "[broken\n");
    twrite(d, "a.ini~", "[broken\n");
    snprintf(sub, sizeof sub, "%s/sub", d);
    cr_assert_eq(mkdir(sub, 0700), 0);
    const char *paths[] = {d};
    wl_set *set;
    wl_errors errs = {0};
    cr_assert_eq(wl_load(&set, &errs, paths, 1, NULL), WL_OK);
    cr_assert_eq(wl_file_count(set), 2);
    cr_expect(strstr(wl_file_at(set, 0), "/a.ini") != NULL);
    cr_expect(strstr(wl_file_at(set, 1), "/b.ini") != NULL);
    cr_expect_str_eq(wl_entity_at(set, 0)->name, "A");
    cr_expect_str_eq(wl_entity_at(set, 1)->name, "B");
    wl_set_free(set);
    tdir_free(d);
}

Test(parse, a_file_named_again_beside_its_directory_is_read_once)
{
    char *d = tdir_new();
    char p[512];
    twrite(d, "a.ini", "[entity \"A\"]\naddress = " B14 "\n");
    const char *paths[] = {d, tpath(p, sizeof p, d, "a.ini")};
    wl_set *set;
    wl_errors errs = {0};
    cr_assert_eq(wl_load(&set, &errs, paths, 2, NULL), WL_OK);
    cr_expect_eq(wl_file_count(set), 1);
    wl_set_free(set);
    tdir_free(d);
}

Test(parse, kind_names_round_trip)
{
    cr_expect_str_eq(wl_kind_name(WL_KIND_TRANSFER_OUT), "transfer_out");
    cr_expect_str_eq(wl_kind_name(WL_KIND_LIQUIDATED), "liquidated");
    cr_expect_str_eq(wl_kind_name(WL_KIND_COUNT), "?");
    cr_expect_str_eq(wl_proto_kind_name(WL_PROTO_AAVE_V3), "aave-v3");
    cr_expect_str_eq(wl_proto_kind_name((enum wl_proto_kind)0), "?");
}
