/* tests/rpc/test_faults.c — the rpc client (rpc/client.h) against real faults: a fault proxy
 * (tests/rpc/prog_faultproxy.c) in front of a real anvil. For each fault class the client must
 * retry and answer correctly, fail over, or stop with a clear error — never return a wrong
 * result. Every test stops the anvil and proxies it started, also when an assertion fails. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <criterion/criterion.h>

#include "rpc/addr.h"
#include "rpc/client.h"
#include "rpc/logs.h"
#include "rpc/u256.h"
#include "tests/support/anvil.h"
#include "tests/support/faultproxy.h"
#include "tests/support/logemitter.h"

static wt_anvil A;
static wt_proxy P, P2;
static rpc_client *C;

static void stop_all(void)
{
    rpc_client_free(C);
    C = NULL;
    wt_proxy_stop(&P);
    wt_proxy_stop(&P2);
    wt_anvil_stop(&A);
}

static void start_chain(void)
{
    int a = wt_anvil_start(&A, NULL);
    int p = a == 0 ? wt_proxy_start(&P, A.url) : -1;
    if (p)
        stop_all();
    cr_assert_eq(a, 0, "anvil did not start");
    cr_assert_eq(p, 0, "the fault proxy did not start");
}

TestSuite(faults, .init = start_chain, .fini = stop_all, .timeout = 60);

/* Short backoffs keep the suite quick; timeouts stay generous so a loaded machine adds no
 * faults of its own (the hang test alone shortens its timeout). */
static rpc_client_opts quick_opts(void)
{
    rpc_client_opts o;
    rpc_client_opts_default(&o);
    o.connect_timeout_ms = 2000;
    o.timeout_ms = 5000;
    o.max_retries = 4;
    o.backoff_base_ms = 10;
    o.backoff_max_ms = 50;
    return o;
}

static void new_client(const rpc_client_opts *o, const char *const *urls, size_t n)
{
    int rc = rpc_client_new(&C, o, urls, n);
    cr_assert_eq(rc, RPC_OK, "rpc_client_new: %s", rpc_client_new_errmsg());
}

/* through_proxy: a client whose only endpoint is the proxy, past its chain-id check. */
static void through_proxy(const rpc_client_opts *o)
{
    const char *urls[] = {P.url};
    new_client(o, urls, 1);
    uint64_t id = 0;
    cr_assert_eq(rpc_eth_chain_id(C, &id), RPC_OK, "%s", rpc_client_errmsg(C));
    cr_assert_eq(id, 31337);
    cr_assert_eq(wt_proxy_ctl(&P, NULL, "reset"), 0);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static rpc_addr addr_of(const char *hex)
{
    rpc_addr a;
    cr_assert_eq(rpc_addr_parse(&a, hex, strlen(hex)), RPC_OK);
    return a;
}

/* set_balance: give account i a balance of its own, (i + 1) * 1e18 + i wei, so answers
 * that were swapped between calls cannot look right. */
static rpc_u256 set_balance(int i)
{
    char params[160];
    unsigned long long wei_hi = (unsigned long long)(i + 1) * 1000000000000000000ull + (unsigned)i;
    snprintf(params, sizeof params, "[\"%s\",\"0x%llx\"]", wt_anvil_account[i], wei_hi);
    cr_assert_eq(wt_anvil_rpc_ok(&A, "anvil_setBalance", params), 0);
    rpc_u256 v;
    char dec[32];
    snprintf(dec, sizeof dec, "%llu", wei_hi);
    cr_assert_eq(rpc_u256_parse_dec(&v, dec, strlen(dec)), RPC_OK);
    return v;
}

/* expect_balance: one eth_getBalance through the client, compared with the value set. */
static void expect_balance(int i, const rpc_u256 *want)
{
    rpc_addr a = addr_of(wt_anvil_account[i]);
    rpc_u256 got;
    int rc = rpc_eth_get_balance(C, &got, &a, RPC_BLOCK_LATEST);
    cr_assert_eq(rc, RPC_OK, "%s: %s", rpc_strerror(rc), rpc_client_errmsg(C));
    cr_expect_eq(memcmp(&got, want, sizeof got), 0, "the balance of account %d", i);
}

static rpc_endpoint_stats stats(size_t i)
{
    rpc_endpoint_stats s;
    rpc_client_stats(C, i, &s);
    return s;
}

/* ---- retried and correct ---- */

Test(faults, a_429_is_retried_after_waiting_its_retry_after_and_then_answers)
{
    rpc_u256 want = set_balance(1);
    rpc_client_opts o = quick_opts();
    through_proxy(&o);
    cr_assert_eq(wt_proxy_rule(&P, "http status=429 retry_after=1 count=2"), 0);
    double t0 = now();
    expect_balance(1, &want);
    double waited = now() - t0;
    cr_expect_geq(waited, 2.0, "two Retry-After: 1 answers mean two waits of 1 s (%.3f s)", waited);
    cr_expect_eq(wt_proxy_stat(&P, "served.0"), 2);
    cr_expect_eq(wt_proxy_stat(&P, "requests"), 3, "retried exactly twice");
    rpc_endpoint_stats s = stats(0);
    cr_expect_eq(s.retries, 2);
    cr_expect_eq(s.err_ratelimit, 2);
}

Test(faults, each_of_500_502_503_is_retried_and_the_answer_is_right)
{
    rpc_u256 want = set_balance(2);
    rpc_client_opts o = quick_opts();
    through_proxy(&o);
    cr_assert_eq(wt_proxy_ctl(&P, NULL,
                              "rule http status=500 count=1\n"
                              "rule http status=502 count=1\n"
                              "rule http status=503 count=1"),
                 0);
    expect_balance(2, &want);
    cr_expect_eq(wt_proxy_stat(&P, "requests"), 4);
    for (int i = 0; i < 3; i++)
        cr_expect_eq(wt_proxy_stat(&P, i == 0 ? "served.0" : i == 1 ? "served.1" : "served.2"), 1);
    rpc_endpoint_stats s = stats(0);
    cr_expect_eq(s.retries, 3);
    cr_expect_eq(s.err_http, 3);
    cr_expect_str_eq(rpc_client_errmsg(C), "", "no stale message after the success");
}

Test(faults, an_answer_that_hangs_past_the_timeout_is_retried)
{
    rpc_u256 want = set_balance(3);
    rpc_client_opts o = quick_opts();
    o.timeout_ms = 1000;
    through_proxy(&o);
    cr_assert_eq(wt_proxy_rule(&P, "hang seconds=10 count=1"), 0);
    expect_balance(3, &want);
    cr_expect_eq(wt_proxy_stat(&P, "served.0"), 1);
    rpc_endpoint_stats s = stats(0);
    cr_expect_eq(s.err_timeout, 1);
    cr_expect_eq(s.retries, 1);
}

Test(faults, a_body_cut_mid_way_is_retried)
{
    rpc_u256 want = set_balance(4);
    rpc_client_opts o = quick_opts();
    through_proxy(&o);
    cr_assert_eq(wt_proxy_rule(&P, "close_mid_body count=1"), 0);
    expect_balance(4, &want);
    cr_expect_eq(wt_proxy_stat(&P, "served.0"), 1);
    cr_expect_eq(wt_proxy_stat(&P, "requests"), 2);
    cr_expect_eq(stats(0).retries, 1);
}

Test(faults, truncated_json_is_retried_not_half_used)
{
    rpc_u256 want = set_balance(5);
    rpc_client_opts o = quick_opts();
    through_proxy(&o);
    cr_assert_eq(wt_proxy_rule(&P, "truncate count=1"), 0);
    expect_balance(5, &want);
    cr_expect_eq(wt_proxy_stat(&P, "served.0"), 1);
    rpc_endpoint_stats s = stats(0);
    cr_expect_eq(s.err_json, 1);
    cr_expect_eq(s.retries, 1);
}

Test(faults, an_html_error_page_with_status_200_is_retried)
{
    rpc_u256 want = set_balance(6);
    rpc_client_opts o = quick_opts();
    through_proxy(&o);
    cr_assert_eq(wt_proxy_rule(&P, "html status=200 count=1"), 0);
    expect_balance(6, &want);
    cr_expect_eq(wt_proxy_stat(&P, "served.0"), 1);
    rpc_endpoint_stats s = stats(0);
    cr_expect_eq(s.err_json, 1);
    cr_expect_eq(s.retries, 1);
}

Test(faults, an_answer_with_another_id_is_rejected_and_retried)
{
    rpc_u256 want = set_balance(7);
    rpc_client_opts o = quick_opts();
    through_proxy(&o);
    cr_assert_eq(wt_proxy_rule(&P, "wrong_id count=1"), 0);
    expect_balance(7, &want);
    cr_expect_eq(wt_proxy_stat(&P, "served.0"), 1);
    cr_expect_eq(wt_proxy_stat(&P, "requests"), 2);
    cr_expect_eq(stats(0).err_json, 1);
}

/* batch_of_balances: accounts 1..5 in one batch; each answer must be its own account's. */
static void batch_of_balances(const rpc_u256 want[5])
{
    rpc_batch *b = NULL;
    cr_assert_eq(rpc_batch_new(&b), RPC_OK);
    rpc_addr a[5];
    for (int i = 0; i < 5; i++) {
        a[i] = addr_of(wt_anvil_account[i + 1]);
        size_t idx = 99;
        cr_assert_eq(rpc_batch_add_balance(b, &idx, &a[i], RPC_BLOCK_LATEST), RPC_OK);
        cr_assert_eq(idx, (size_t)i);
    }
    int rc = rpc_batch_send(C, b);
    cr_expect_eq(rc, RPC_OK, "%s: %s", rpc_strerror(rc), rpc_client_errmsg(C));
    for (int i = 0; rc == RPC_OK && i < 5; i++) {
        rpc_u256 got;
        cr_expect_eq(rpc_batch_get_u256(b, (size_t)i, &got), RPC_OK);
        cr_expect_eq(memcmp(&got, &want[i], sizeof got), 0, "call %d got another's answer", i);
    }
    rpc_batch_free(b);
}

Test(faults, a_reordered_batch_answer_is_matched_by_id)
{
    rpc_u256 want[5];
    for (int i = 0; i < 5; i++)
        want[i] = set_balance(i + 1);
    rpc_client_opts o = quick_opts();
    through_proxy(&o);
    cr_assert_eq(wt_proxy_rule(&P, "reorder count=1"), 0);
    batch_of_balances(want);
    cr_expect_eq(wt_proxy_stat(&P, "served.0"), 1);
    cr_expect_eq(wt_proxy_stat(&P, "requests"), 1, "a reordered answer is legal: no retry");
}

Test(faults, a_batch_answer_missing_one_result_is_sent_again)
{
    rpc_u256 want[5];
    for (int i = 0; i < 5; i++)
        want[i] = set_balance(i + 1);
    rpc_client_opts o = quick_opts();
    through_proxy(&o);
    cr_assert_eq(wt_proxy_rule(&P, "drop_one count=1"), 0);
    batch_of_balances(want);
    cr_expect_eq(wt_proxy_stat(&P, "served.0"), 1);
    cr_expect_eq(wt_proxy_stat(&P, "requests"), 2);
    cr_expect_eq(stats(0).err_json, 1);
}

Test(faults, seeded_random_faults_of_every_retryable_class_never_give_a_wrong_answer)
{
    rpc_u256 want[5];
    for (int i = 0; i < 5; i++)
        want[i] = set_balance(i + 1);
    rpc_client_opts o = quick_opts();
    o.max_retries = 8;
    through_proxy(&o);
    cr_assert_eq(wt_proxy_ctl(&P, NULL,
                              "rule http status=500 prob=0.1 seed=1\n"
                              "rule http status=429 prob=0.1 seed=2\n"
                              "rule truncate prob=0.1 seed=3\n"
                              "rule wrong_id prob=0.1 seed=4\n"
                              "rule close_mid_body prob=0.1 seed=5\n"
                              "rule html prob=0.1 seed=6\n"
                              "rule reorder prob=0.3 seed=7\n"
                              "rule drop_one prob=0.1 seed=8"),
                 0);
    for (int round = 0; round < 20; round++) {
        expect_balance(round % 5 + 1, &want[round % 5]);
        batch_of_balances(want);
    }
    static const char *const classes[] = {"http", "truncate", "wrong_id", "close_mid_body",
                                          "html", "reorder",  "drop_one"};
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++) {
        char key[32];
        snprintf(key, sizeof key, "faults.%s", classes[i]);
        cr_expect_geq(wt_proxy_stat(&P, key), 1, "%s happened at least once", classes[i]);
    }
}

Test(faults, the_rate_limit_spaces_requests_to_one_endpoint)
{
    rpc_client_opts o = quick_opts();
    o.rate_per_sec = 10;
    o.rate_burst = 1;
    through_proxy(&o);
    double t0 = now();
    for (int i = 0; i < 11; i++) {
        uint64_t head;
        cr_assert_eq(rpc_eth_block_number(C, &head), RPC_OK);
    }
    double took = now() - t0;
    cr_expect_geq(took, 0.95, "11 requests at 10/s with a burst of 1 (%.3f s)", took);
    cr_expect_eq(wt_proxy_stat(&P, "requests"), 11);
}

Test(faults, the_client_keeps_one_connection_alive_across_calls_and_after_a_cut_one)
{
    rpc_u256 want = set_balance(2);
    rpc_client_opts o = quick_opts();
    through_proxy(&o); /* its connection is open from here on */
    /* each wt_proxy_stat and wt_proxy_rule is one more connection of its own */
    long c0 = wt_proxy_stat(&P, "connections");
    for (int i = 0; i < 20; i++)
        expect_balance(2, &want);
    long c1 = wt_proxy_stat(&P, "connections");
    cr_expect_eq(c1 - c0 - 1, 0, "20 calls opened %ld connections", c1 - c0 - 1);
    cr_assert_eq(wt_proxy_rule(&P, "close_mid_body count=1"), 0);
    for (int i = 0; i < 5; i++)
        expect_balance(2, &want);
    long c2 = wt_proxy_stat(&P, "connections");
    cr_expect_eq(c2 - c1 - 2, 1, "a cut connection is replaced once (%ld)", c2 - c1 - 2);
}

Test(faults, a_batch_of_1000_goes_out_in_max_batch_sized_requests_all_matched)
{
    rpc_client_opts o = quick_opts();
    o.max_batch = 300;
    through_proxy(&o);
    cr_assert_eq(wt_proxy_rule(&P, "reorder"), 0);
    rpc_batch *b = NULL;
    cr_assert_eq(rpc_batch_new(&b), RPC_OK);
    for (uint64_t i = 0; i < 1000; i++)
        cr_assert_eq(rpc_batch_add_block(b, NULL, i % 3), RPC_OK);
    cr_expect_eq(wt_anvil_mine(&A, 2), 0);
    int rc = rpc_batch_send(C, b);
    cr_expect_eq(rc, RPC_OK, "%s: %s", rpc_strerror(rc), rpc_client_errmsg(C));
    for (size_t i = 0; rc == RPC_OK && i < 1000; i++) {
        rpc_block blk;
        cr_assert_eq(rpc_batch_take_block(b, i, &blk), RPC_OK, "call %zu", i);
        cr_expect_eq(blk.number, i % 3, "call %zu got block %llu", i,
                     (unsigned long long)blk.number);
        rpc_block_free(&blk);
    }
    rpc_batch_free(b);
    cr_expect_eq(wt_proxy_stat(&P, "requests"), 4, "ceil(1000 / 300) HTTP requests");
    cr_expect_eq(wt_proxy_stat(&P, "calls.eth_getBlockByNumber"), 1000);
    cr_expect_eq(wt_proxy_stat(&P, "served.0"), 4, "every answer came reversed");
}

Test(faults, a_retry_after_longer_than_the_cap_fails_over_instead_of_waiting)
{
    rpc_u256 want = set_balance(3);
    cr_assert_eq(wt_proxy_start(&P2, A.url), 0);
    rpc_client_opts o = quick_opts();
    o.retry_after_max_ms = 1000;
    const char *urls[] = {P.url, P2.url};
    new_client(&o, urls, 2);
    uint64_t head;
    cr_assert_eq(rpc_eth_block_number(C, &head), RPC_OK, "first contact with both");
    /* an hour: the suite's 60 s timeout fails this test if the client waits it out */
    cr_assert_eq(wt_proxy_rule(&P, "http status=429 retry_after=3600"), 0);
    expect_balance(3, &want);
    cr_expect_geq(wt_proxy_stat(&P, "served.0"), 1);
    cr_expect_geq(wt_proxy_stat(&P2, "calls.eth_getBalance"), 1);
}

Test(faults, an_api_key_from_the_environment_is_sent_but_never_printed)
{
    cr_assert_eq(setenv("WT_FAULTS_TEST_KEY", "s3cr3tKEY42", 1), 0);
    char url[128];
    snprintf(url, sizeof url, "%sv3/${WT_FAULTS_TEST_KEY}", P.url);
    rpc_client_opts o = quick_opts();
    o.max_retries = 1;
    const char *urls[] = {url};
    new_client(&o, urls, 1);
    uint64_t head;
    cr_assert_eq(rpc_eth_block_number(C, &head), RPC_OK, "%s", rpc_client_errmsg(C));
    char path[256];
    cr_assert_eq(wt_proxy_last_path(&P, path, sizeof path), 0);
    cr_expect_str_eq(path, "/v3/s3cr3tKEY42", "the key really went out");
    cr_expect_null(strstr(rpc_client_endpoint_name(C, 0), "s3cr3t"), "name: %s",
                   rpc_client_endpoint_name(C, 0));
    cr_assert_eq(wt_proxy_rule(&P, "http status=503"), 0);
    cr_expect_neq(rpc_eth_block_number(C, &head), RPC_OK);
    cr_expect_null(strstr(rpc_client_errmsg(C), "s3cr3t"), "errmsg: %s", rpc_client_errmsg(C));
    cr_expect_neq(rpc_client_errmsg(C)[0], '\0', "but the error is reported");
}

/* ---- clear errors ---- */

Test(faults, a_5xx_that_persists_ends_in_rpc_ehttp_after_the_configured_retries)
{
    rpc_client_opts o = quick_opts();
    o.max_retries = 2;
    through_proxy(&o);
    cr_assert_eq(wt_proxy_rule(&P, "http status=503"), 0);
    rpc_addr a = addr_of(wt_anvil_account[1]);
    rpc_u256 got;
    memset(&got, 0xab, sizeof got);
    int rc = rpc_eth_get_balance(C, &got, &a, RPC_BLOCK_LATEST);
    cr_expect_eq(rc, RPC_EHTTP, "%s", rpc_strerror(rc));
    cr_expect_not_null(strstr(rpc_client_errmsg(C), "503"), "errmsg: %s", rpc_client_errmsg(C));
    rpc_u256 zero;
    memset(&zero, 0, sizeof zero);
    cr_expect_eq(memcmp(&got, &zero, sizeof got), 0, "out-param zeroed on error");
    cr_expect_eq(wt_proxy_stat(&P, "served.0"), 3, "one try and two retries");
}

Test(faults, a_429_that_persists_ends_in_rpc_eratelimit)
{
    rpc_client_opts o = quick_opts();
    o.max_retries = 1;
    through_proxy(&o);
    cr_assert_eq(wt_proxy_rule(&P, "http status=429 retry_after=1"), 0);
    uint64_t head = 77;
    int rc = rpc_eth_block_number(C, &head);
    cr_expect_eq(rc, RPC_ERATELIMIT, "%s", rpc_strerror(rc));
    cr_expect_eq(head, 0);
    cr_expect_not_null(strstr(rpc_client_errmsg(C), "429"), "errmsg: %s", rpc_client_errmsg(C));
    cr_expect_eq(wt_proxy_stat(&P, "served.0"), 2);
}

Test(faults, garbage_that_persists_ends_in_rpc_ejson_with_no_result)
{
    rpc_client_opts o = quick_opts();
    o.max_retries = 2;
    through_proxy(&o);
    cr_assert_eq(wt_proxy_rule(&P, "truncate"), 0);
    cJSON *res = (cJSON *)&res;
    int rc = rpc_client_call(C, &res, "eth_blockNumber", NULL);
    cr_expect_eq(rc, RPC_EJSON, "%s", rpc_strerror(rc));
    cr_expect_null(res);
    cr_expect_neq(rpc_client_errmsg(C)[0], '\0', "the error is explained");
    cr_expect_eq(wt_proxy_stat(&P, "served.0"), 3);
}

Test(faults, an_endpoint_serving_another_chain_is_a_fatal_rpc_echain)
{
    cr_assert_eq(wt_proxy_rule(&P, "chain_id chain=1"), 0);
    rpc_client_opts o = quick_opts();
    o.chain_id = 31337;
    const char *urls[] = {P.url};
    new_client(&o, urls, 1);
    uint64_t head = 77;
    int rc = rpc_eth_block_number(C, &head);
    cr_expect_eq(rc, RPC_ECHAIN, "%s: %s", rpc_strerror(rc), rpc_client_errmsg(C));
    cr_expect_eq(head, 0);
    cr_expect_not_null(strstr(rpc_client_errmsg(C), "chain 1,"), "errmsg: %s",
                       rpc_client_errmsg(C));
    cr_expect_not_null(strstr(rpc_client_errmsg(C), "31337"), "errmsg: %s", rpc_client_errmsg(C));
    cr_expect_eq(wt_proxy_stat(&P, "calls.eth_blockNumber"), 0, "nothing asked of it");
    rc = rpc_eth_block_number(C, &head);
    cr_expect_eq(rc, RPC_ECHAIN, "and it stays refused: %s", rpc_strerror(rc));
}

Test(faults, a_second_endpoint_on_another_chain_is_refused_never_used)
{
    rpc_u256 want = set_balance(1);
    cr_assert_eq(wt_proxy_start(&P2, A.url), 0);
    cr_assert_eq(wt_proxy_rule(&P2, "chain_id chain=0x2105"), 0);
    rpc_client_opts o = quick_opts();
    o.max_retries = 1;
    const char *urls[] = {P.url, P2.url}; /* chain_id 0: the first endpoint's chain rules */
    new_client(&o, urls, 2);
    expect_balance(1, &want);
    uint64_t head = 0;
    cr_expect_eq(rpc_eth_block_number(C, &head), RPC_OK, "%s", rpc_client_errmsg(C));
    cr_assert_eq(wt_proxy_rule(&P, "http status=503"), 0);
    rpc_addr a = addr_of(wt_anvil_account[1]);
    rpc_u256 got;
    int rc = rpc_eth_get_balance(C, &got, &a, RPC_BLOCK_LATEST);
    cr_expect_neq(rc, RPC_OK, "no answer from the other chain's endpoint");
    cr_expect_eq(wt_proxy_stat(&P2, "calls.eth_getBalance"), 0);
    cr_expect_eq(wt_proxy_stat(&P2, "calls.eth_blockNumber"), 0);
}

/* ---- failover ---- */

Test(faults, a_failing_endpoint_fails_over_to_the_next_one)
{
    rpc_u256 want = set_balance(8);
    cr_assert_eq(wt_proxy_rule(&P, "http status=502"), 0);
    rpc_client_opts o = quick_opts();
    o.max_retries = 1;
    const char *urls[] = {P.url, A.url};
    new_client(&o, urls, 2);
    expect_balance(8, &want);
    cr_expect_geq(wt_proxy_stat(&P, "served.0"), 1);
    cr_expect_geq(stats(1).calls, 1, "the second endpoint answered");
}

Test(faults, an_endpoint_that_refuses_connections_fails_over)
{
    rpc_u256 want = set_balance(9);
    char dead[64];
    snprintf(dead, sizeof dead, "http://127.0.0.1:%u/", wt_free_port());
    rpc_client_opts o = quick_opts();
    const char *urls[] = {dead, P.url};
    new_client(&o, urls, 2);
    expect_balance(9, &want);
    cr_expect_geq(stats(0).err_connect, 1);
    cr_expect_geq(wt_proxy_stat(&P, "calls.eth_getBalance"), 1);
}

Test(faults, a_stale_endpoint_is_not_used_for_the_head)
{
    cr_assert_eq(wt_anvil_mine(&A, 100), 0);
    int64_t real = wt_anvil_head(&A);
    cr_assert_geq(real, 100);
    cr_assert_eq(wt_proxy_rule(&P, "stale_head lag=50"), 0);
    cr_assert_eq(wt_proxy_start(&P2, A.url), 0);
    rpc_client_opts o = quick_opts();
    o.head_lag_max = 5;
    for (int order = 0; order < 2; order++) {
        const char *urls[2] = {order ? P2.url : P.url, order ? P.url : P2.url};
        size_t stale = order ? 1 : 0;
        new_client(&o, urls, 2);
        uint64_t head = 0;
        int rc = rpc_eth_block_number(C, &head);
        cr_expect_eq(rc, RPC_OK, "%s", rpc_client_errmsg(C));
        cr_expect_eq(head, (uint64_t)real, "the head, not the stale one (order %d)", order);
        cr_expect(stats(stale).lagging, "the stale endpoint is marked lagging");
        cr_expect(!stats(1 - stale).lagging);
        rpc_client_free(C);
        C = NULL;
    }
    cr_expect_geq(wt_proxy_stat(&P, "served.0"), 2, "the stale endpoint was asked");
}

/* ---- eth_getLogs refusals ---- */

Test(faults, provider_style_log_refusals_are_rpc_erange_in_every_style)
{
    char emitter[43];
    uint64_t b1 = 0, b2 = 0;
    cr_assert_eq(wt_emitter_deploy(A.url, emitter), 0);
    cr_assert_eq(wt_emitter_emit(A.url, emitter, 20, &b1), 0);
    cr_assert_eq(wt_emitter_emit(A.url, emitter, 20, &b2), 0);
    rpc_client_opts o = quick_opts();
    through_proxy(&o);
    rpc_addr ea = addr_of(emitter);
    rpc_log_filter f = {.from_block = b1, .to_block = b2, .addrs = &ea, .n_addrs = 1};
    static const char *const rules[] = {
        "results_cap max=10",
        "results_cap max=10 style=alchemy",
        "results_cap max=10 style=http413",
        "range_cap max=1",
        "range_cap max=1 style=quicknode",
        "range_cap max=1 style=alchemy",
        "range_cap max=1 style=http413",
    };
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "reset\nrule %s", rules[i]);
        cr_assert_eq(wt_proxy_ctl(&P, NULL, cmd), 0);
        rpc_logs logs;
        int rc = rpc_eth_get_logs(C, &logs, &f);
        cr_expect_eq(rc, RPC_ERANGE, "%s: %s (%s)", rules[i], rpc_strerror(rc),
                     rpc_client_errmsg(C));
        cr_expect_eq(logs.n, 0, "%s: no logs on a refusal", rules[i]);
        if (rc == RPC_OK)
            rpc_logs_free(&logs);
        cr_expect_eq(wt_proxy_stat(&P, "served.0"), 1, "%s: not retried as is", rules[i]);
    }
    cr_assert_eq(wt_proxy_ctl(&P, NULL, "reset\nrule results_cap max=40"), 0);
    rpc_logs logs;
    cr_assert_eq(rpc_eth_get_logs(C, &logs, &f), RPC_OK, "under the cap it answers");
    cr_expect_eq(logs.n, 40);
    rpc_logs_free(&logs);
}

Test(faults, a_refused_log_call_in_a_batch_is_its_own_rpc_erange_and_the_rest_answer)
{
    char emitter[43];
    uint64_t b1 = 0, b2 = 0;
    cr_assert_eq(wt_emitter_deploy(A.url, emitter), 0);
    cr_assert_eq(wt_emitter_emit(A.url, emitter, 30, &b1), 0);
    cr_assert_eq(wt_emitter_emit(A.url, emitter, 5, &b2), 0);
    rpc_client_opts o = quick_opts();
    through_proxy(&o);
    cr_assert_eq(wt_proxy_rule(&P, "results_cap max=10"), 0);
    rpc_addr ea = addr_of(emitter);
    rpc_log_filter big = {.from_block = b1, .to_block = b1, .addrs = &ea, .n_addrs = 1};
    rpc_log_filter small = {.from_block = b2, .to_block = b2, .addrs = &ea, .n_addrs = 1};
    rpc_batch *b = NULL;
    size_t ib, is, ih;
    cr_assert_eq(rpc_batch_new(&b), RPC_OK);
    cr_assert_eq(rpc_batch_add_logs(b, &ib, &big), RPC_OK);
    cr_assert_eq(rpc_batch_add_logs(b, &is, &small), RPC_OK);
    cr_assert_eq(rpc_batch_add_block_number(b, &ih), RPC_OK);
    int rc = rpc_batch_send(C, b);
    cr_expect_eq(rc, RPC_OK, "%s: %s", rpc_strerror(rc), rpc_client_errmsg(C));
    cr_expect_eq(rpc_batch_status(b, ib), RPC_ERANGE);
    rpc_logs l;
    cr_expect_eq(rpc_batch_take_logs(b, ib, &l), RPC_ERANGE);
    cr_expect_eq(l.n, 0);
    cr_assert_eq(rpc_batch_take_logs(b, is, &l), RPC_OK);
    cr_expect_eq(l.n, 5);
    rpc_logs_free(&l);
    uint64_t head = 0;
    cr_expect_eq(rpc_batch_get_u64(b, ih, &head), RPC_OK);
    cr_expect_geq(head, b2);
    rpc_batch_free(b);
    cr_expect_eq(wt_proxy_stat(&P, "served.0"), 1);
    cr_expect_eq(wt_proxy_stat(&P, "requests"), 1, "a per-call refusal is not retried");
}

/* ---- eth_getLogs splitting under a provider's caps (rpc/logs.h) ---- */

/* emit_pattern: 30 blocks with 1..45 logs each (a fixed, uneven pattern) and runs of empty
 * blocks between them. Out: the range [*from, *to] and the number of logs in it. */
static size_t emit_pattern(char emitter[43], uint64_t *from, uint64_t *to)
{
    size_t total = 0;
    cr_assert_eq(wt_emitter_deploy(A.url, emitter), 0);
    for (unsigned i = 0; i < 30; i++) {
        unsigned n = (i * 37u) % 45u + 1u;
        uint64_t b = 0;
        cr_assert_eq(wt_emitter_emit(A.url, emitter, n, &b), 0);
        if (i == 0)
            *from = b;
        *to = b;
        total += n;
        if (i % 7 == 3)
            cr_assert_eq(wt_anvil_mine(&A, 5), 0);
    }
    return total;
}

static void expect_same_logs(const rpc_logs *got, const rpc_logs *want)
{
    cr_assert_eq(got->n, want->n, "%zu logs, anvil has %zu", got->n, want->n);
    for (size_t i = 0; i < got->n; i++) {
        const rpc_log *g = &got->v[i], *w = &want->v[i];
        cr_assert(g->block_number == w->block_number && g->log_index == w->log_index &&
                      !memcmp(&g->tx_hash, &w->tx_hash, sizeof g->tx_hash) &&
                      g->n_topics == w->n_topics &&
                      !memcmp(g->topics, w->topics, sizeof g->topics) &&
                      !memcmp(&g->address, &w->address, sizeof g->address),
                  "log %zu differs (block %llu index %llu)", i, (unsigned long long)g->block_number,
                  (unsigned long long)g->log_index);
    }
}

/* reference: the same filter straight to anvil, which has no cap. */
static void reference_logs(rpc_logs *want, const rpc_log_filter *f, size_t total)
{
    rpc_client *direct = NULL;
    const char *urls[] = {A.url};
    cr_assert_eq(rpc_client_new(&direct, NULL, urls, 1), RPC_OK);
    int rc = rpc_eth_get_logs(direct, want, f);
    rpc_client_free(direct);
    cr_assert_eq(rc, RPC_OK);
    cr_assert_eq(want->n, total, "anvil holds every log emitted");
}

Test(faults, logs_over_a_result_cap_are_split_into_exactly_anvils_set)
{
    char emitter[43];
    uint64_t from = 0, to = 0;
    size_t total = emit_pattern(emitter, &from, &to);
    cr_assert_gt(total, 500);
    rpc_addr ea = addr_of(emitter);
    rpc_log_filter f = {.from_block = from, .to_block = to, .addrs = &ea, .n_addrs = 1};
    rpc_logs want;
    reference_logs(&want, &f, total);

    static const char *const caps[] = {"results_cap max=100", "results_cap max=60 style=alchemy",
                                       "results_cap max=100 style=http413", "range_cap max=4",
                                       "range_cap max=3 style=quicknode"};
    rpc_client_opts o = quick_opts();
    through_proxy(&o);
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        char cmd[96];
        snprintf(cmd, sizeof cmd, "reset\nrule %s", caps[i]);
        cr_assert_eq(wt_proxy_ctl(&P, NULL, cmd), 0);
        rpc_logs_opts lo;
        rpc_logs_opts_default(&lo);
        rpc_logs got;
        int rc = rpc_logs_range(C, &got, &f, &lo);
        cr_assert_eq(rc, RPC_OK, "%s: %s (%s)", caps[i], rpc_strerror(rc), rpc_client_errmsg(C));
        expect_same_logs(&got, &want);
        rpc_logs_free(&got);
        cr_expect_geq(wt_proxy_stat(&P, "served.0"), 1, "%s: the cap did refuse", caps[i]);
    }
    rpc_logs_free(&want);
}

Test(faults, logs_split_from_a_small_first_span_grow_and_still_match)
{
    char emitter[43];
    uint64_t from = 0, to = 0;
    size_t total = emit_pattern(emitter, &from, &to);
    rpc_addr ea = addr_of(emitter);
    rpc_log_filter f = {.from_block = from, .to_block = to, .addrs = &ea, .n_addrs = 1};
    rpc_logs want;
    reference_logs(&want, &f, total);
    rpc_client_opts o = quick_opts();
    through_proxy(&o);
    cr_assert_eq(wt_proxy_rule(&P, "results_cap max=90"), 0);
    rpc_logs_opts lo;
    rpc_logs_opts_default(&lo);
    lo.initial_span = 1;
    lo.grow_after = 1;
    rpc_logs got;
    int rc = rpc_logs_range(C, &got, &f, &lo);
    cr_assert_eq(rc, RPC_OK, "%s (%s)", rpc_strerror(rc), rpc_client_errmsg(C));
    expect_same_logs(&got, &want);
    rpc_logs_free(&got);
    rpc_logs_free(&want);
    long queries = wt_proxy_stat(&P, "calls.eth_getLogs");
    cr_expect_lt(queries, (long)(to - from + 1), "the span grew (%ld queries)", queries);
}

Test(faults, a_single_block_over_the_cap_is_a_clear_rpc_erange_with_no_partial_list)
{
    char emitter[43];
    uint64_t from = 0, to = 0;
    size_t total = emit_pattern(emitter, &from, &to);
    (void)total;
    rpc_addr ea = addr_of(emitter);
    rpc_log_filter f = {.from_block = from, .to_block = to, .addrs = &ea, .n_addrs = 1};
    rpc_client_opts o = quick_opts();
    through_proxy(&o);
    cr_assert_eq(wt_proxy_rule(&P, "results_cap max=40"), 0); /* some blocks hold 41..45 */
    rpc_logs got;
    memset(&got, 0xab, sizeof got);
    int rc = rpc_logs_range(C, &got, &f, NULL);
    cr_expect_eq(rc, RPC_ERANGE, "%s", rpc_strerror(rc));
    cr_expect_eq(got.n, 0, "no partial list");
    cr_expect_null(got.v);
    cr_expect_not_null(strstr(rpc_client_errmsg(C), "block"), "errmsg: %s", rpc_client_errmsg(C));
}
