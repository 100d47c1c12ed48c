/* tests/watchlists/test_sink.c — [sink] sections that load: kinds, rules, the command's
 * argv (split without a shell), secrets from the environment, stable ids. */
#include <criterion/criterion.h>

#include "rpc/u256.h"
#include "tests/watchlists/wl_testutil.h"

static wl_set *load_ok(const char *text)
{
    char *d = tdir_new();
    wl_set *set = NULL;
    wl_errors errs = {0};
    int rc = tload_text(&set, &errs, d, text);
    for (size_t i = 0; i < errs.n; i++)
        cr_log_error("%s", errs.v[i].text);
    cr_assert_eq(rc, WL_OK);
    wl_errors_free(&errs);
    tdir_free(d);
    return set;
}

Test(sink, a_webhook_with_rules_loads_with_its_url_secret_and_filters)
{
    wl_set *set = load_ok("[entity \"Trend Research\"]\naddress = ${WHALE}\n"
                          "[sink \"hook\"]\nkind = webhook\nurl = ${ETH_RPC_URL}\n"
                          "secret = s3\nkinds = repay, liquidated\nentities = Trend Research\n"
                          "min_usd = 1_000_000\n");
    cr_assert_eq(wl_sink_count(set), 1);
    const wl_sink *k = wl_sink_at(set, 0);
    cr_expect_eq(k->kind, WL_SINK_WEBHOOK);
    cr_expect_str_eq(k->url, SECRET_URL);
    cr_expect_str_eq(k->url_shown, "${ETH_RPC_URL}");
    cr_expect(k->from_env);
    cr_expect_str_eq(k->secret, "s3");
    cr_assert_eq(k->nkinds, 2);
    cr_expect_str_eq(k->kinds[0], "repay");
    cr_expect_str_eq(k->kinds[1], "liquidated");
    cr_assert_eq(k->nentities, 1);
    cr_expect_str_eq(k->entities[0], "Trend Research");
    rpc_u256 want = rpc_u256_from_u64(100000000000000ull);
    cr_expect_eq(rpc_u256_cmp(&k->min_usd, &want), 0);
    cr_expect_eq(k->timeout_ms, 10000);
    wl_set_free(set);
}

Test(sink, a_command_is_split_into_argv_without_a_shell)
{
    wl_set *set = load_ok("[sink \"c\"]\nkind = command\n"
                          "command = /usr/bin/logger -t \"whale alert\" $HOME;rm\n");
    const wl_sink *k = wl_sink_at(set, 0);
    cr_assert_eq(k->argc, 4);
    cr_expect_str_eq(k->argv[0], "/usr/bin/logger");
    cr_expect_str_eq(k->argv[1], "-t");
    cr_expect_str_eq(k->argv[2], "whale alert");
    cr_expect_str_eq(k->argv[3], "$HOME;rm", "no expansion, no shell");
    cr_expect_null(k->argv[4]);
    wl_set_free(set);
}

Test(sink, ids_depend_on_the_name_only_and_are_never_zero)
{
    wl_set *a = load_ok("[sink \"tg\"]\nkind = command\ncommand = cat\n");
    wl_set *b = load_ok("[sink \"x\"]\nkind = command\ncommand = cat\n"
                        "[sink \"tg\"]\nkind = discord\nurl = http://127.0.0.1:9/\n");
    cr_expect_neq(wl_sink_at(a, 0)->id, 0);
    cr_expect_eq(wl_sink_at(a, 0)->id, wl_sink_at(b, 1)->id);
    cr_expect_neq(wl_sink_at(b, 0)->id, wl_sink_at(b, 1)->id);
    wl_set_free(a);
    wl_set_free(b);
}
