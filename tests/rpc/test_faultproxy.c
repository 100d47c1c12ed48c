/* tests/rpc/test_faultproxy.c — the fault proxy itself, checked with plain libcurl in front of a
 * real anvil: every fault the client tests rely on does what prog_faultproxy.c says, and
 * counts what it served. Each test starts its own anvil and proxy and always stops both. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <curl/curl.h>

#include "tests/support/anvil.h"
#include "tests/support/faultproxy.h"
#include "tests/support/logemitter.h"

static wt_anvil A;
static wt_proxy px;

static void setup(void)
{
    int a = wt_anvil_start(&A, NULL);
    int p = a == 0 ? wt_proxy_start(&px, A.url) : -1;
    if (p)
        wt_anvil_stop(&A);
    cr_assert_eq(a, 0, "anvil did not start");
    cr_assert_eq(p, 0, "the proxy did not start");
}

static void teardown(void)
{
    wt_proxy_stop(&px);
    wt_anvil_stop(&A);
}

TestSuite(faultproxy, .init = setup, .fini = teardown, .timeout = 60);

static const char chain_id_q[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\"}";
static const char head_q[] = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"eth_blockNumber\"}";

/* post: through the proxy; returns the answer (caller frees), status in *st. */
static char *post(const char *body, long *st, long *retry_after)
{
    char *a = NULL;
    cr_assert_eq(wt_http_post(px.url, 10000, body, st, &a, retry_after), 0, "no HTTP answer");
    return a;
}

static cJSON *post_json(const char *body)
{
    long st = 0;
    char *a = post(body, &st, NULL);
    cr_assert_eq(st, 200);
    cJSON *o = cJSON_Parse(a);
    cr_assert_not_null(o, "not JSON: %s", a);
    free(a);
    return o;
}

static const char *result_str(cJSON *o)
{
    cJSON *r = cJSON_GetObjectItemCaseSensitive(o, "result");
    cr_assert(cJSON_IsString(r));
    return r->valuestring;
}

Test(faultproxy, passes_requests_through_unchanged_when_no_rule_matches)
{
    long st1 = 0, st2 = 0;
    char *direct = NULL, *via = post(head_q, &st2, NULL);
    cr_assert_eq(wt_http_post(A.url, 10000, head_q, &st1, &direct, NULL), 0);
    cr_expect_eq(st1, st2);
    cr_expect_str_eq(via, direct);
    free(via);
    free(direct);
    cr_expect_eq(wt_proxy_stat(&px, "requests"), 1);
    cr_expect_eq(wt_proxy_stat(&px, "forwarded"), 1);
    cr_expect_eq(wt_proxy_stat(&px, "calls.eth_blockNumber"), 1);
    cr_expect_eq(wt_proxy_stat(&px, "calls.eth_chainId"), 0);
    char path[64];
    cr_expect_eq(wt_proxy_last_path(&px, path, sizeof path), 0);
    cr_expect_str_eq(path, "/");
}

Test(faultproxy, answers_429_with_retry_after_for_exactly_the_next_n_requests)
{
    int r = wt_proxy_rule(&px, "http status=429 retry_after=1 count=2");
    cr_assert_eq(r, 0);
    for (int i = 0; i < 3; i++) {
        long st = 0, ra = 0;
        free(post(chain_id_q, &st, &ra));
        cr_expect_eq(st, i < 2 ? 429 : 200, "request %d", i);
        cr_expect_eq(ra, i < 2 ? 1 : -1, "request %d", i);
    }
    cr_expect_eq(wt_proxy_stat(&px, "served.0"), 2);
    cr_expect_eq(wt_proxy_stat(&px, "forwarded"), 1);
}

static size_t discard(char *d, size_t sz, size_t n, void *ud)
{
    (void)d;
    (void)ud;
    return sz * n;
}

Test(faultproxy, keeps_one_connection_alive_for_a_reusing_client)
{
    long c0 = wt_proxy_stat(&px, "connections"); /* counts its own connection */
    CURL *c = curl_easy_init();
    cr_assert_not_null(c);
    curl_easy_setopt(c, CURLOPT_URL, px.url);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, chain_id_q);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    int ok = 0;
    for (int i = 0; i < 5; i++)
        ok += curl_easy_perform(c) == CURLE_OK;
    curl_easy_cleanup(c);
    cr_expect_eq(ok, 5);
    /* one for the five requests, one for this stat query */
    cr_expect_eq(wt_proxy_stat(&px, "connections") - c0, 2);
    cr_expect_eq(wt_proxy_stat(&px, "requests"), 5);
}

Test(faultproxy, truncates_or_cuts_the_body_as_scripted)
{
    long st = 0;
    char *direct = NULL;
    cr_assert_eq(wt_http_post(A.url, 10000, chain_id_q, &st, &direct, NULL), 0);
    cr_assert_eq(wt_proxy_rule(&px, "truncate count=1"), 0);
    cr_assert_eq(wt_proxy_rule(&px, "close_mid_body count=1"), 1);
    char *a = post(chain_id_q, &st, NULL);
    cr_expect_eq(st, 200);
    cr_expect_eq(strlen(a), strlen(direct) / 2);
    cr_expect_eq(strncmp(a, direct, strlen(a)), 0, "a truncated answer is a prefix");
    cJSON *o = cJSON_Parse(a);
    cr_expect_null(o, "half a JSON object does not parse");
    cJSON_Delete(o);
    free(a);
    cr_expect_neq(wt_http_post(px.url, 10000, chain_id_q, &st, NULL, NULL), 0,
                  "a body cut mid-way is a transport error");
    a = post(chain_id_q, &st, NULL);
    cr_expect_str_eq(a, direct, "the rules are used up");
    free(a);
    free(direct);
    cr_expect_eq(wt_proxy_stat(&px, "served.0"), 1);
    cr_expect_eq(wt_proxy_stat(&px, "served.1"), 1);
    cr_expect_eq(wt_proxy_stat(&px, "faults.truncate"), 1);
    cr_expect_eq(wt_proxy_stat(&px, "faults.hang"), 0);
}

Test(faultproxy, serves_an_html_page_instead_of_json)
{
    cr_assert_eq(wt_proxy_rule(&px, "html status=502 count=1"), 0);
    long st = 0;
    char *a = post(chain_id_q, &st, NULL);
    cr_expect_eq(st, 502);
    cr_expect_not_null(strstr(a, "<html>"));
    free(a);
}

Test(faultproxy, hangs_past_a_client_timeout_then_serves_again)
{
    cr_assert_eq(wt_proxy_rule(&px, "hang seconds=20 count=1"), 0);
    long st = 0;
    cr_expect_neq(wt_http_post(px.url, 300, chain_id_q, &st, NULL, NULL), 0);
    char *a = post(chain_id_q, &st, NULL);
    cr_expect_eq(st, 200);
    free(a);
    cr_expect_eq(wt_proxy_stat(&px, "served.0"), 1);
}

Test(faultproxy, rewrites_chain_id_and_head_only_for_their_methods)
{
    long st = 0;
    free(post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"anvil_mine\",\"params\":[\"0x14\"]}", &st,
              NULL));
    cr_assert_eq(wt_proxy_rule(&px, "chain_id chain=1"), 0);
    cr_assert_eq(wt_proxy_rule(&px, "stale_head lag=15"), 1);
    cJSON *o = post_json(chain_id_q);
    cr_expect_str_eq(result_str(o), "0x1");
    cJSON_Delete(o);
    o = post_json(head_q);
    cr_expect_str_eq(result_str(o), "0x5", "head 20 reported 15 behind");
    cJSON_Delete(o);
    o = post_json("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"net_version\"}");
    cr_expect_str_eq(result_str(o), "31337", "other methods untouched");
    cJSON_Delete(o);
    cr_expect_eq(wt_proxy_stat(&px, "served.0"), 1);
    cr_expect_eq(wt_proxy_stat(&px, "served.1"), 1);
}

static const char batch3[] = "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\"},"
                             "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"net_version\"},"
                             "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"eth_blockNumber\"}]";

static int id_at(cJSON *a, int i)
{
    cJSON *id = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(a, i), "id");
    cr_assert(cJSON_IsNumber(id));
    return id->valueint;
}

Test(faultproxy, reorders_drops_and_misnumbers_batch_answers)
{
    cr_assert_eq(wt_proxy_rule(&px, "reorder count=1"), 0);
    cr_assert_eq(wt_proxy_rule(&px, "drop_one count=1"), 1);
    cr_assert_eq(wt_proxy_rule(&px, "wrong_id count=1"), 2);
    cJSON *a = post_json(batch3);
    cr_assert_eq(cJSON_GetArraySize(a), 3);
    cr_expect_eq(id_at(a, 0), 3);
    cr_expect_eq(id_at(a, 2), 1);
    cJSON_Delete(a);
    a = post_json(batch3);
    cr_expect_eq(cJSON_GetArraySize(a), 2);
    cJSON_Delete(a);
    a = post_json(batch3);
    cr_assert_eq(cJSON_GetArraySize(a), 3);
    cr_expect(id_at(a, 0) != 1 && id_at(a, 0) != 2 && id_at(a, 0) != 3, "an id never asked");
    cJSON_Delete(a);
}

Test(faultproxy, applies_skip_and_a_seeded_probability_deterministically)
{
    cr_assert_eq(wt_proxy_rule(&px, "http status=503 skip=1 count=1"), 0);
    long st[3];
    for (int i = 0; i < 3; i++)
        free(post(chain_id_q, &st[i], NULL));
    cr_expect_eq(st[0], 200);
    cr_expect_eq(st[1], 503);
    cr_expect_eq(st[2], 200);
    long served[2];
    for (int run = 0; run < 2; run++) {
        cr_assert_eq(wt_proxy_ctl(&px, NULL, "reset\nrule http status=500 prob=0.5 seed=7"), 0);
        char pattern[41] = {0};
        for (int i = 0; i < 40; i++) {
            long s = 0;
            free(post(chain_id_q, &s, NULL));
            pattern[i] = s == 500 ? 'x' : '.';
        }
        served[run] = wt_proxy_stat(&px, "served.0");
        cr_expect(served[run] > 5 && served[run] < 35, "about half: %s", pattern);
    }
    cr_expect_eq(served[0], served[1], "the same seed gives the same faults");
}

Test(faultproxy, refuses_bad_rules_and_commands)
{
    cr_expect_eq(wt_proxy_rule(&px, "bogus"), -1);
    cr_expect_eq(wt_proxy_rule(&px, "http"), -1, "http needs a status");
    cr_expect_eq(wt_proxy_rule(&px, "results_cap"), -1, "caps need max");
    cr_expect_eq(wt_proxy_rule(&px, "http status=429 prob=2"), -1);
    cr_expect_eq(wt_proxy_rule(&px, "http status=429 count=x"), -1);
    cr_expect_neq(wt_proxy_ctl(&px, NULL, "launch"), 0);
    cr_expect_neq(wt_proxy_ctl(&px, NULL, "rule http status=500\nrule nonsense"), 0);
    cr_expect_eq(wt_proxy_rule(&px, "html"), 1, "lines before a bad one stay done");
}

/* get_logs: eth_getLogs of addr over [from, to] through the proxy (the whole answer). */
static cJSON *get_logs(const char *addr, uint64_t from, uint64_t to)
{
    char q[512];
    snprintf(q, sizeof q,
             "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"eth_getLogs\",\"params\":[{\"address\":"
             "\"%s\",\"fromBlock\":\"0x%llx\",\"toBlock\":\"0x%llx\"}]}",
             addr, (unsigned long long)from, (unsigned long long)to);
    return post_json(q);
}

static const char *error_message(cJSON *o, long *code)
{
    cJSON *e = cJSON_GetObjectItemCaseSensitive(o, "error");
    cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "code");
    cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "message");
    cr_assert(cJSON_IsNumber(c) && cJSON_IsString(m), "an error object");
    *code = (long)c->valuedouble;
    return m->valuestring;
}

Test(faultproxy, refuses_get_logs_by_the_real_result_count_and_by_the_block_range)
{
    char addr[43];
    uint64_t b1, b2, b3;
    cr_assert_eq(wt_emitter_deploy(A.url, addr), 0);
    cr_assert_eq(wt_emitter_emit(A.url, addr, 30, &b1), 0);
    cr_assert_eq(wt_emitter_emit(A.url, addr, 5, &b2), 0);
    cr_assert_eq(wt_emitter_emit(A.url, addr, 5, &b3), 0);
    cr_assert_eq(wt_proxy_rule(&px, "results_cap max=10"), 0);
    long code = 0;
    cJSON *o = get_logs(addr, b1, b1);
    cr_expect_str_eq(error_message(o, &code), "query returned more than 10 results");
    cr_expect_eq(code, -32005);
    cJSON_Delete(o);
    o = get_logs(addr, b2, b3);
    cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, "result")), 10,
                 "exactly at the cap passes");
    cJSON_Delete(o);
    cr_expect_eq(wt_proxy_stat(&px, "served.0"), 1);

    cr_assert_eq(wt_proxy_ctl(&px, NULL, "clear\nrule range_cap max=2"), 0);
    o = get_logs(addr, b1, b3);
    cr_expect_str_eq(error_message(o, &code), "block range is too large");
    cr_expect_eq(code, -32600);
    cJSON_Delete(o);
    o = get_logs(addr, b2, b3);
    cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, "result")), 10);
    cJSON_Delete(o);

    cr_assert_eq(wt_proxy_ctl(&px, NULL, "clear\nrule results_cap max=10 style=http413"), 0);
    long st = 0;
    char q[512];
    snprintf(q, sizeof q,
             "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"eth_getLogs\",\"params\":[{\"address\":"
             "\"%s\",\"fromBlock\":\"0x0\",\"toBlock\":\"latest\"}]}",
             addr);
    free(post(q, &st, NULL));
    cr_expect_eq(st, 413);
}

static const char block0_q[] = "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"eth_getBlockByNumber\","
                               "\"params\":[\"0x0\",false]}";

static const char *member(cJSON *o, const char *path0, const char *name)
{
    cJSON *r = cJSON_GetObjectItemCaseSensitive(o, path0);
    cJSON *v = cJSON_GetObjectItemCaseSensitive(r, name);
    cr_assert(cJSON_IsString(v), "%s.%s", path0, name);
    return v->valuestring;
}

Test(faultproxy, edits_a_value_at_a_path_and_drops_an_array_element)
{
    cJSON *a = post_json(block0_q);
    char ts[32], hash[80];
    snprintf(ts, sizeof ts, "%s", member(a, "result", "timestamp"));
    snprintf(hash, sizeof hash, "%s", member(a, "result", "hash"));
    cJSON_Delete(a);
    cr_assert_eq(wt_proxy_rule(&px, "edit method=eth_getBlockByNumber path=timestamp "
                                    "value=0x1 count=1"), 0);
    cr_assert_eq(wt_proxy_rule(&px, "edit method=eth_getBlockByNumber path=hash count=1"), 1);
    a = post_json(block0_q);
    cr_expect_str_eq(member(a, "result", "timestamp"), "0x1");
    cr_expect_str_eq(member(a, "result", "hash"), hash, "one rule per request");
    cJSON_Delete(a);
    a = post_json(block0_q);
    const char *h = member(a, "result", "hash");
    cr_expect_eq(strlen(h), strlen(hash));
    cr_expect_eq(strncmp(h, hash, strlen(hash) - 1), 0, "all but the last digit kept");
    cr_expect_neq(h[strlen(h) - 1], hash[strlen(hash) - 1], "the last digit changed");
    cr_expect_str_eq(member(a, "result", "timestamp"), ts, "count=1 used up");
    cJSON_Delete(a);
    /* drop_item: one element of the result array goes */
    cr_assert_eq(wt_proxy_rule(&px, "drop_item method=eth_accounts path=0 count=1"), 2);
    a = post_json("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"eth_accounts\"}");
    cJSON *r = cJSON_GetObjectItemCaseSensitive(a, "result");
    cr_expect_eq(cJSON_GetArraySize(r), 9, "anvil's 10 accounts less one");
    cJSON_Delete(a);
    cr_expect_eq(wt_proxy_stat(&px, "served.2"), 1);
    cr_expect_eq(wt_proxy_rule(&px, "edit path=x"), -1, "edit needs a method");
    cr_expect_eq(wt_proxy_rule(&px, "drop_item method=eth_accounts"), -1, "and a path");
}

Test(faultproxy, answers_no_such_method_for_the_method_named)
{
    cr_assert_eq(wt_proxy_rule(&px, "no_method method=net_version"), 0);
    cJSON *a = post_json(batch3);
    cr_assert_eq(cJSON_GetArraySize(a), 3);
    int errors = 0;
    for (int i = 0; i < 3; i++) {
        cJSON *x = cJSON_GetArrayItem(a, i);
        cJSON *e = cJSON_GetObjectItemCaseSensitive(x, "error");
        if (!e) continue;
        errors++;
        cr_expect_eq(id_at(a, i), 2, "only net_version's answer");
        long code = 0;
        cr_expect(strstr(error_message(x, &code), "does not exist") != NULL);
        cr_expect_eq(code, -32601);
    }
    cr_expect_eq(errors, 1);
    cJSON_Delete(a);
    cr_expect_eq(wt_proxy_rule(&px, "no_method"), -1, "needs a method");
}
