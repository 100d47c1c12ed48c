/* tests/rpc/test_client_json.c — the JSON-RPC answer parser and matcher (rpc/client_json.c)
 * and the result decoders (rpc/client_eth.c) on hand-written answers, no node needed. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "rpc/client_int.h"

static char err[300];

/* n calls of eth_blockNumber with ids first.. */
static void make_u64_calls(rpc_call *k, size_t n, uint64_t first)
{
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(rpc_call_init(&k[i], RPC_K_U64, "eth_blockNumber", "[]"), RPC_OK);
        k[i].id = first + i;
    }
}

static void free_calls(rpc_call *k, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rpc_call_free(&k[i]);
}

static int parse(rpc_call *k, size_t n, bool batch, const char *body)
{
    return rpc_jsonrpc_parse(k, n, batch, body, strlen(body), err, sizeof err);
}

Test(client_json, a_batch_answer_in_shuffled_order_is_matched_by_id)
{
    rpc_call k[4];
    make_u64_calls(k, 4, 10);
    const char *body = "[{\"jsonrpc\":\"2.0\",\"id\":12,\"result\":\"0xc\"},"
                       "{\"jsonrpc\":\"2.0\",\"id\":10,\"result\":\"0xa\"},"
                       "{\"jsonrpc\":\"2.0\",\"id\":13,\"result\":\"0xd\"},"
                       "{\"jsonrpc\":\"2.0\",\"id\":11,\"result\":\"0xb\"}]";
    cr_assert_eq(parse(k, 4, true, body), RPC_OK, "%s", err);
    for (size_t i = 0; i < 4; i++) {
        cr_assert(k[i].answered);
        cr_assert_eq(k[i].status, RPC_OK);
        cr_assert_eq(k[i].r.u64, 10 + i, "call %zu got %llu", i, (unsigned long long)k[i].r.u64);
    }
    free_calls(k, 4);
}

Test(client_json, a_single_answer_must_carry_the_id_asked)
{
    rpc_call k[1];
    make_u64_calls(k, 1, 7);
    cr_assert_eq(parse(k, 1, false, "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":\"0x2a\"}"), RPC_OK);
    cr_assert_eq(k[0].r.u64, 42);
    cr_assert_eq(parse(k, 1, false, "{\"jsonrpc\":\"2.0\",\"id\":8,\"result\":\"0x2a\"}"), RPC_EJSON);
    cr_assert_not(k[0].answered);
    cr_assert_eq(parse(k, 1, false, "{\"jsonrpc\":\"2.0\",\"id\":\"7\",\"result\":\"0x2a\"}"),
                 RPC_EJSON);
    cr_assert_eq(parse(k, 1, false, "{\"jsonrpc\":\"2.0\",\"id\":7.5,\"result\":\"0x2a\"}"),
                 RPC_EJSON);
    free_calls(k, 1);
}

/* Each malformed batch answer for ids 1..3 is rejected as a whole: no call keeps a result. */
Test(client_json, a_malformed_batch_answer_is_rejected_whole)
{
    static const char *const bad[] = {
        /* a repeated id */
        "[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"},{\"jsonrpc\":\"2.0\",\"id\":1,"
        "\"result\":\"0x1\"},{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":\"0x3\"}]",
        /* an unknown id */
        "[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"},{\"jsonrpc\":\"2.0\",\"id\":2,"
        "\"result\":\"0x2\"},{\"jsonrpc\":\"2.0\",\"id\":4,\"result\":\"0x3\"}]",
        /* a missing answer */
        "[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"},{\"jsonrpc\":\"2.0\",\"id\":2,"
        "\"result\":\"0x2\"}]",
        /* an extra answer */
        "[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"},{\"jsonrpc\":\"2.0\",\"id\":2,"
        "\"result\":\"0x2\"},{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":\"0x3\"},"
        "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":\"0x3\"}]",
        /* wrong jsonrpc version */
        "[{\"jsonrpc\":\"1.0\",\"id\":1,\"result\":\"0x1\"},{\"jsonrpc\":\"2.0\",\"id\":2,"
        "\"result\":\"0x2\"},{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":\"0x3\"}]",
        /* result and error both */
        "[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\",\"error\":{\"code\":1,\"message\":\"x\"}},"
        "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":\"0x2\"},{\"jsonrpc\":\"2.0\",\"id\":3,"
        "\"result\":\"0x3\"}]",
        /* a result of the wrong shape (leading zero quantity) */
        "[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x01\"},{\"jsonrpc\":\"2.0\",\"id\":2,"
        "\"result\":\"0x2\"},{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":\"0x3\"}]",
        /* truncated */
        "[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"},{\"jsonrpc\":\"2.0\",\"id\":2,",
        /* not JSON at all */
        "<html>502 Bad Gateway</html>",
        /* an empty body */
        "",
        /* an object with a result where an array was asked */
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}",
    };
    for (size_t t = 0; t < sizeof bad / sizeof *bad; t++) {
        rpc_call k[3];
        make_u64_calls(k, 3, 1);
        cr_expect_eq(parse(k, 3, true, bad[t]), RPC_EJSON, "case %zu accepted", t);
        for (size_t i = 0; i < 3; i++)
            cr_expect_not(k[i].answered, "case %zu left call %zu answered", t, i);
        cr_expect_neq(err[0], '\0', "case %zu gave no reason", t);
        free_calls(k, 3);
    }
}

Test(client_json, a_batch_refused_by_one_error_object_fails_every_call)
{
    rpc_call k[2];
    make_u64_calls(k, 2, 1);
    int rc = parse(k, 2, true,
                   "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,"
                   "\"message\":\"batch too large\"}}");
    cr_assert_eq(rc, RPC_ENODE);
    cr_assert(strstr(err, "batch too large"));
    free_calls(k, 2);
}

Test(client_json, per_call_errors_stay_with_their_call)
{
    rpc_call k[2];
    make_u64_calls(k, 2, 1);
    cr_assert_eq(parse(k, 2, true,
                       "[{\"jsonrpc\":\"2.0\",\"id\":2,\"error\":{\"code\":-32601,"
                       "\"message\":\"Method not found\"}},"
                       "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x5\"}]"),
                 RPC_OK, "%s", err);
    cr_assert_eq(k[0].status, RPC_OK);
    cr_assert_eq(k[0].r.u64, 5);
    cr_assert_eq(k[1].status, RPC_ENOMETHOD);
    cr_assert_str_eq(k[1].node_msg, "Method not found");
    free_calls(k, 2);
}

Test(client_json, a_revert_keeps_its_data)
{
    rpc_call k;
    rpc_addr to = {{1}};
    cr_assert_eq(rpc_call_prep_call(&k, 5, &to, NULL, 0), RPC_OK);
    k.id = 9;
    cr_assert_eq(parse(&k, 1, false,
                       "{\"jsonrpc\":\"2.0\",\"id\":9,\"error\":{\"code\":3,\"message\":"
                       "\"execution reverted\",\"data\":\"0x08c379a0ff\"}}"),
                 RPC_OK);
    cr_assert_eq(k.status, RPC_EREVERT);
    cr_assert_eq(k.revert.n, 5);
    cr_assert_eq(k.revert.p[0], 0x08);
    cr_assert_eq(k.revert.p[4], 0xff);
    rpc_call_free(&k);
}

/* Provider messages seen in the wild for eth_getLogs refusals and rate limits. */
Test(client_json, provider_messages_are_classified)
{
    static const struct {
        const char *method;
        long code;
        const char *msg;
        int want;
    } t[] = {
        {"eth_getLogs", -32005, "query returned more than 10000 results", RPC_ERANGE},
        {"eth_getLogs", -32602, "Log response size exceeded. You can make eth_getLogs requests "
                                "with up to a 2K block range", RPC_ERANGE},
        {"eth_getLogs", -32000, "block range is too large", RPC_ERANGE},
        {"eth_getLogs", -32600, "exceed maximum block range: 5000", RPC_ERANGE},
        {"eth_getLogs", -32000, "limit exceeded", RPC_ERANGE},
        {"eth_getLogs", -32000, "response size should not greater than 10000000 bytes",
         RPC_ERANGE},
        {"eth_getLogs", -32614, "eth_getLogs is limited to a 10,000 range", RPC_ERANGE},
        {"eth_getLogs", -32000, "query exceeds max block range 1000", RPC_ERANGE},
        {"eth_getLogs", -32000, "Exceeded max range limit for eth_getLogs: 800", RPC_ERANGE},
        {"eth_getLogs", -32005, "query timeout exceeded", RPC_ERANGE},
        {"eth_getLogs", -32005, "daily request count exceeded, request rate limited",
         RPC_ERATELIMIT},
        {"eth_blockNumber", 429, "Too Many Requests", RPC_ERATELIMIT},
        {"eth_call", 3, "execution reverted: not enough", RPC_EREVERT},
        {"eth_call", -32000, "header not found", RPC_ENODE},
        {"eth_getBalance", -32000, "block 0x99 does not exist", RPC_ENODE},
        {"eth_getBlockReceipts", -32601, "the method eth_getBlockReceipts does not exist",
         RPC_ENOMETHOD},
        {"eth_getBlockReceipts", -32000, "the method eth_getBlockReceipts does not exist/is "
                                         "not available", RPC_ENOMETHOD},
        {"eth_getBlockReceipts", -32600, "Unsupported method: eth_getBlockReceipts",
         RPC_ENOMETHOD},
        /* a range-style message on another method is just a node error */
        {"eth_getBalance", -32000, "block range is too large", RPC_ENODE},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        cr_expect_eq(rpc_node_error_class(t[i].method, t[i].code, t[i].msg), t[i].want,
                     "\"%s\" misclassified", t[i].msg);
}

/* ---- decoders ------------------------------------------------------------------------ */

#define H(c) "\"0x" c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
             c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c "\""
#define Z64 "0000000000000000000000000000000000000000000000000000000000000000"
#define A20 "\"0x1111111111111111111111111111111111111111\""

static const char *log_json(const char *block, const char *index, const char *addr)
{
    static char b[1024];
    snprintf(b, sizeof b,
             "{\"address\":%s,\"topics\":[" H("a") "],\"data\":\"0x0102\",\"blockNumber\":\"%s\","
             "\"blockHash\":" H("b") ",\"transactionHash\":" H("c") ",\"transactionIndex\":\"0x0\","
             "\"logIndex\":\"%s\",\"removed\":false}",
             addr, block, index);
    return b;
}

static int decode_logs_answer(rpc_logs *out, uint64_t from, uint64_t to, const rpc_addr *addr,
                              const char *result)
{
    rpc_log_filter f;
    memset(&f, 0, sizeof f);
    f.from_block = from;
    f.to_block = to;
    f.addrs = addr;
    f.n_addrs = addr ? 1 : 0;
    rpc_call k;
    cr_assert_eq(rpc_call_prep_logs(&k, &f), RPC_OK);
    rpc_jdoc d;
    memset(&d, 0, sizeof d);
    cr_assert_eq(rpc_jdoc_parse(&d, result, strlen(result)), RPC_OK, "test JSON broken");
    int rc = rpc_call_decode(&k, &d, 0, err, sizeof err);
    rpc_jdoc_free(&d);
    memset(out, 0, sizeof *out);
    if (rc == RPC_OK) {
        *out = k.r.logs;
        k.taken = true;
        k.answered = true;
    }
    rpc_call_free(&k);
    return rc;
}

Test(client_json, logs_are_returned_in_block_and_index_order)
{
    char body[4096];
    char l1[1024], l2[1024], l3[1024];
    snprintf(l1, sizeof l1, "%s", log_json("0x6", "0x1", A20));
    snprintf(l2, sizeof l2, "%s", log_json("0x5", "0x7", A20));
    snprintf(l3, sizeof l3, "%s", log_json("0x6", "0x0", A20));
    snprintf(body, sizeof body, "[%s,%s,%s]", l1, l2, l3);
    rpc_logs l;
    cr_assert_eq(decode_logs_answer(&l, 5, 6, NULL, body), RPC_OK, "%s", err);
    cr_assert_eq(l.n, 3);
    cr_assert(l.v[0].block_number == 5 && l.v[0].log_index == 7);
    cr_assert(l.v[1].block_number == 6 && l.v[1].log_index == 0);
    cr_assert(l.v[2].block_number == 6 && l.v[2].log_index == 1);
    cr_assert_eq(l.v[0].data_len, 2);
    cr_assert_eq(l.v[0].data[1], 2);
    cr_assert_eq(l.v[0].n_topics, 1);
    cr_assert_eq(l.v[0].topics[0].b[31], 0xaa);
    rpc_logs_free(&l);
}

Test(client_json, a_log_outside_the_range_asked_is_rejected)
{
    char body[4096];
    snprintf(body, sizeof body, "[%s]", log_json("0x9", "0x0", A20));
    rpc_logs l;
    cr_assert_eq(decode_logs_answer(&l, 5, 8, NULL, body), RPC_EJSON);
    cr_assert(strstr(err, "outside the range"), "%s", err);
    cr_assert_eq(l.n, 0);
}

Test(client_json, a_log_from_an_address_not_asked_is_rejected)
{
    char body[4096];
    snprintf(body, sizeof body, "[%s]", log_json("0x5", "0x0", A20));
    rpc_addr other = {{0x22}};
    rpc_logs l;
    cr_assert_eq(decode_logs_answer(&l, 5, 5, &other, body), RPC_EJSON);
}

Test(client_json, the_same_log_twice_is_rejected)
{
    char body[4096], l1[1024];
    snprintf(l1, sizeof l1, "%s", log_json("0x5", "0x3", A20));
    snprintf(body, sizeof body, "[%s,%s]", l1, l1);
    rpc_logs l;
    cr_assert_eq(decode_logs_answer(&l, 5, 5, NULL, body), RPC_EJSON);
}

Test(client_json, a_log_with_a_short_hash_is_rejected)
{
    char body[4096];
    snprintf(body, sizeof body, "[%s]", log_json("0x5", "0x0", "\"0x11\""));
    rpc_logs l;
    cr_assert_eq(decode_logs_answer(&l, 5, 5, NULL, body), RPC_EJSON);
    cr_assert(strstr(err, "address"), "%s", err);
}

Test(client_json, a_block_of_another_number_than_asked_is_rejected)
{
    /* block 0 of anvil 1.7.1, trimmed to the fields a block must have */
    const char *blk =
        "{\"hash\":" H("1") ",\"parentHash\":" H("0") ",\"sha3Uncles\":" H("2") ",\"miner\":" A20
        ",\"stateRoot\":" H("3") ",\"transactionsRoot\":" H("4") ",\"receiptsRoot\":" H("5")
        ",\"logsBloom\":\"0x" Z64 Z64 Z64 Z64 Z64 Z64 Z64 Z64 "\",\"difficulty\":\"0x0\",\"number\":\"0x7\","
        "\"gasLimit\":\"0x1c9c380\",\"gasUsed\":\"0x0\",\"timestamp\":\"0x6b06e556\","
        "\"extraData\":\"0x\",\"mixHash\":" H("6") ",\"nonce\":\"0x0000000000000000\","
        "\"baseFeePerGas\":\"0x3b9aca00\",\"transactions\":[" H("7") "]}";
    rpc_jdoc d;
    memset(&d, 0, sizeof d);
    cr_assert_eq(rpc_jdoc_parse(&d, blk, strlen(blk)), RPC_OK);
    rpc_call k;
    cr_assert_eq(rpc_call_prep_block(&k, 7), RPC_OK);
    cr_assert_eq(rpc_call_decode(&k, &d, 0, err, sizeof err), RPC_OK, "%s", err);
    cr_assert_eq(k.r.block.number, 7);
    cr_assert_eq(k.r.block.n_tx, 1);
    cr_assert_eq(k.r.block.has, RPC_BLOCK_HAS_BASE_FEE);
    cr_assert_eq(k.r.block.base_fee.w[0], 1000000000u);
    rpc_block_free(&k.r.block);
    rpc_call_free(&k);

    cr_assert_eq(rpc_call_prep_block(&k, 8), RPC_OK);
    cr_assert_eq(rpc_call_decode(&k, &d, 0, err, sizeof err), RPC_EJSON);
    cr_assert(strstr(err, "block 7 answered for block 8"), "%s", err);
    rpc_call_free(&k);
    rpc_jdoc_free(&d);
}

Test(client_json, requests_are_well_formed_json_rpc)
{
    rpc_call k[2];
    make_u64_calls(k, 2, 41);
    rpc_sbuf s;
    rpc_sbuf_init(&s, 4096);
    cr_assert_eq(rpc_jsonrpc_request(&s, k, 2, true), RPC_OK);
    cr_assert_str_eq(s.p, "[{\"jsonrpc\":\"2.0\",\"id\":41,\"method\":\"eth_blockNumber\","
                          "\"params\":[]},{\"jsonrpc\":\"2.0\",\"id\":42,\"method\":"
                          "\"eth_blockNumber\",\"params\":[]}]");
    rpc_sbuf_free(&s);
    rpc_sbuf_init(&s, 10);
    cr_assert_eq(rpc_jsonrpc_request(&s, k, 1, false), RPC_ETOO_LARGE);
    rpc_sbuf_free(&s);
    free_calls(k, 2);
    rpc_call bad;
    cr_assert_eq(rpc_call_init(&bad, RPC_K_RAW, "eth_call\",\"x", "[]"), RPC_EINVAL);
    rpc_call_free(&bad);
}

Test(client_json, a_log_filter_becomes_or_lists_per_topic_position)
{
    rpc_addr a[2] = {{{0xaa}}, {{0xbb}}};
    rpc_hash32 t0[2] = {{{1}}, {{2}}}, t2 = {{3}};
    rpc_log_filter f;
    memset(&f, 0, sizeof f);
    f.from_block = 16;
    f.to_block = 31;
    f.addrs = a;
    f.n_addrs = 2;
    f.topics[0] = t0;
    f.n_topics[0] = 2;
    f.topics[2] = &t2;
    f.n_topics[2] = 1;
    rpc_call k;
    cr_assert_eq(rpc_call_prep_logs(&k, &f), RPC_OK);
    cJSON *p = cJSON_Parse(k.params);
    cr_assert(cJSON_IsArray(p));
    const cJSON *o = cJSON_GetArrayItem(p, 0);
    cr_assert_str_eq(cJSON_GetObjectItem(o, "fromBlock")->valuestring, "0x10");
    cr_assert_str_eq(cJSON_GetObjectItem(o, "toBlock")->valuestring, "0x1f");
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(o, "address")), 2);
    const cJSON *t = cJSON_GetObjectItem(o, "topics");
    cr_assert_eq(cJSON_GetArraySize(t), 3);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetArrayItem(t, 0)), 2);
    cr_assert(cJSON_IsNull(cJSON_GetArrayItem(t, 1)));
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetArrayItem(t, 2)), 1);
    cJSON_Delete(p);
    rpc_call_free(&k);

    f.from_block = 40; /* from > to */
    cr_assert_eq(rpc_call_prep_logs(&k, &f), RPC_EINVAL);
    rpc_call_free(&k);
}

/* ---- the JSON reader (rpc/client_jtok.c) ------------------------------------------------ */

Test(client_json, the_reader_accepts_exactly_json)
{
    static const char *const good[] = {
        "{}", "[]", " [ 1 , -0 , 0.5 , -1e+9 , 2E-3 ] ", "\"a\\\"b\\\\c\\/\\b\\f\\n\\r\\t\\u00e9\"",
        "{\"a\":{\"b\":[null,true,false]},\"c\":\"\"}", "0", "\"\"",
    };
    static const char *const bad[] = {
        "", " ", "{", "[1,]", "[,1]", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{a:1}", "[01]",
        "[1.]", "[.5]", "[1e]", "[+1]", "[-]", "\"abc", "\"a\\x\"", "\"\\u12g4\"", "\"a\tb\"",
        "tru", "nul", "[true false]", "{} {}", "[1] x", "'a'", "[\"a\" \"b\"]", "{\"a\" 1}",
        "[NaN]", "[Infinity]",
    };
    rpc_jdoc d;
    memset(&d, 0, sizeof d);
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        cr_expect_eq(rpc_jdoc_parse(&d, good[i], strlen(good[i])), RPC_OK, "refused %s", good[i]);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cr_expect_eq(rpc_jdoc_parse(&d, bad[i], strlen(bad[i])), RPC_EJSON, "accepted %s",
                     bad[i]);
    /* nesting is capped */
    char deep[200];
    memset(deep, '[', 100);
    memset(deep + 100, ']', 100);
    cr_expect_eq(rpc_jdoc_parse(&d, deep, 200), RPC_EJSON);
    cr_expect_eq(rpc_jdoc_parse(&d, deep + 40, 120), RPC_OK, "60 levels are fine");
    rpc_jdoc_free(&d);
}

Test(client_json, the_reader_finds_members_and_skips_subtrees)
{
    const char *t = "{\"x\":[1,{\"id\":9}],\"id\":7,\"s\":\"0xab\",\"e\":\"a\\u0041\\n\","
                    "\"n\":null,\"big\":12345678901234567890,\"f\":1.5}";
    rpc_jdoc d;
    memset(&d, 0, sizeof d);
    cr_assert_eq(rpc_jdoc_parse(&d, t, strlen(t)), RPC_OK);
    int64_t v;
    cr_assert(rpc_jint(&d, rpc_jget(&d, 0, "id"), &v));
    cr_assert_eq(v, 7, "the nested id is not the top-level one");
    const char *s;
    size_t sl;
    cr_assert(rpc_jstr(&d, rpc_jget(&d, 0, "s"), &s, &sl));
    cr_assert_eq(sl, 4);
    cr_assert_eq(memcmp(s, "0xab", 4), 0);
    cr_assert_not(rpc_jstr(&d, rpc_jget(&d, 0, "e"), &s, &sl), "escaped strings are not raw");
    char buf[16];
    cr_assert_eq(rpc_jstr_unescape(&d, rpc_jget(&d, 0, "e"), buf, sizeof buf), 3);
    cr_assert_str_eq(buf, "aA\n");
    cr_assert_eq(rpc_jtype(&d, rpc_jget(&d, 0, "n")), RPC_J_NULL);
    cr_assert_eq(rpc_jget(&d, 0, "missing"), -1);
    cr_assert_not(rpc_jint(&d, rpc_jget(&d, 0, "big"), &v), "too many digits");
    cr_assert_not(rpc_jint(&d, rpc_jget(&d, 0, "f"), &v), "not an integer");
    long x = rpc_jget(&d, 0, "x");
    cr_assert_eq(rpc_jtype(&d, x), RPC_J_ARR);
    cr_assert_eq(d.t[x].count, 2);
    cr_assert_eq(rpc_jget(&d, x, "id"), -1, "an array has no members");
    rpc_jdoc_free(&d);
}
