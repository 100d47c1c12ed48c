/* tests/rpc/test_client_logs.c — rpc_logs_range (rpc/logs.c) on a real anvil with a few
 * hundred logs: refused ranges are halved, the span grows back, and the union equals one
 * unsplit eth_getLogs exactly. The refusals come from the client's own response cap
 * (RPC_ETOO_LARGE); provider messages are covered through the fault proxy's tests. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "rpc/client.h"
#include "rpc/logs.h"
#include "tests/support/anvil.h"
#include "tests/support/logemitter.h"

static wt_anvil A;
static rpc_client *C, *REF;

static void stop(void)
{
    rpc_client_free(C);
    rpc_client_free(REF);
    C = REF = NULL;
    wt_anvil_stop(&A);
}

static rpc_client *client(size_t max_response)
{
    rpc_client_opts o;
    rpc_client_opts_default(&o);
    o.chain_id = 31337;
    o.max_retries = 0;
    if (max_response)
        o.max_response = max_response;
    const char *urls[1] = {A.url};
    rpc_client *c;
    cr_assert_eq(rpc_client_new(&c, &o, urls, 1), RPC_OK);
    return c;
}

/* 40 transactions of 1..13 logs each, with empty blocks between some; returns the head. */
static uint64_t make_logs(size_t *total)
{
    char addr[43];
    cr_assert_eq(wt_emitter_deploy(A.url, addr), 0);
    *total = 0;
    for (unsigned i = 0; i < 40; i++) {
        unsigned n = (i * 7) % 13 + 1;
        cr_assert_eq(wt_emitter_emit(A.url, addr, n, NULL), 0);
        *total += n;
        if (i % 5 == 4)
            cr_assert_eq(wt_anvil_mine(&A, 2), 0);
    }
    int64_t head = wt_anvil_head(&A);
    cr_assert_gt(head, 40);
    return (uint64_t)head;
}

static void assert_same_logs(const rpc_logs *a, const rpc_logs *b)
{
    cr_assert_eq(a->n, b->n, "%zu logs vs %zu", a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        const rpc_log *x = &a->v[i], *y = &b->v[i];
        cr_assert(x->block_number == y->block_number && x->log_index == y->log_index,
                  "log %zu differs", i);
        cr_assert_eq(memcmp(&x->tx_hash, &y->tx_hash, 32), 0);
        cr_assert_eq(memcmp(&x->block_hash, &y->block_hash, 32), 0);
        cr_assert_eq(memcmp(&x->address, &y->address, 20), 0);
        cr_assert_eq(x->n_topics, y->n_topics);
        cr_assert_eq(memcmp(x->topics, y->topics, sizeof x->topics), 0);
        cr_assert_eq(x->data_len, y->data_len);
        if (i)
            cr_assert(x->block_number > a->v[i - 1].block_number ||
                          (x->block_number == a->v[i - 1].block_number &&
                           x->log_index > a->v[i - 1].log_index),
                      "not in (block, logIndex) order at %zu", i);
    }
}

Test(client_logs, refused_ranges_are_halved_and_the_union_is_exactly_the_unsplit_answer,
     .fini = stop)
{
    cr_assert_eq(wt_anvil_start(&A, NULL), 0);
    size_t total;
    uint64_t head = make_logs(&total);
    REF = client(0);
    C = client(16 * 1024); /* ~35 logs per answer at most; the largest block has 13 */
    rpc_log_filter f;
    memset(&f, 0, sizeof f);
    f.to_block = head;
    rpc_logs want, got;
    cr_assert_eq(rpc_eth_get_logs(REF, &want, &f), RPC_OK, "%s", rpc_client_errmsg(REF));
    cr_assert_eq(want.n, total);
    rpc_logs_opts o;
    rpc_logs_opts_default(&o);
    o.initial_span = head + 1; /* the whole range first: refused */
    cr_assert_eq(rpc_logs_range(C, &got, &f, &o), RPC_OK, "%s", rpc_client_errmsg(C));
    assert_same_logs(&got, &want);
    rpc_endpoint_stats s;
    rpc_client_stats(C, 0, &s);
    cr_assert_gt(s.err_too_large, 0, "no range was refused: the test proves nothing");
    cr_assert_gt(s.round_trips, 3);
    rpc_logs_free(&want);
    rpc_logs_free(&got);
}

Test(client_logs, the_span_grows_after_successes, .fini = stop)
{
    cr_assert_eq(wt_anvil_start(&A, NULL), 0);
    size_t total;
    uint64_t head = make_logs(&total);
    C = client(0);
    rpc_log_filter f;
    memset(&f, 0, sizeof f);
    f.to_block = head; /* about 57 blocks */
    rpc_logs_opts o;
    rpc_logs_opts_default(&o);
    o.initial_span = 1;
    o.grow_after = 1;
    rpc_logs got;
    cr_assert_eq(rpc_logs_range(C, &got, &f, &o), RPC_OK, "%s", rpc_client_errmsg(C));
    cr_assert_eq(got.n, total);
    rpc_endpoint_stats s;
    rpc_client_stats(C, 0, &s);
    /* spans 1, 2, 4, 8, 16, 32: 7 queries + the chain id check */
    cr_assert_leq(s.round_trips, 8, "%llu requests for %llu blocks",
                  (unsigned long long)s.round_trips, (unsigned long long)head + 1);
    rpc_logs_free(&got);

    /* the same with a cap on the span */
    o.max_span = 4;
    cr_assert_eq(rpc_logs_range(C, &got, &f, &o), RPC_OK);
    cr_assert_eq(got.n, total);
    rpc_endpoint_stats s2;
    rpc_client_stats(C, 0, &s2);
    cr_assert_geq(s2.round_trips - s.round_trips, (head + 1) / 4);
    rpc_logs_free(&got);
}

Test(client_logs, a_block_refused_alone_is_an_error_naming_it, .fini = stop)
{
    cr_assert_eq(wt_anvil_start(&A, NULL), 0);
    char addr[43];
    cr_assert_eq(wt_emitter_deploy(A.url, addr), 0);
    uint64_t blk;
    cr_assert_eq(wt_emitter_emit(A.url, addr, 30, &blk), 0);
    C = client(2048); /* 30 logs of one block do not fit */
    rpc_log_filter f;
    memset(&f, 0, sizeof f);
    f.to_block = blk;
    rpc_logs got;
    cr_assert_eq(rpc_logs_range(C, &got, &f, NULL), RPC_ERANGE);
    cr_assert_eq(got.n, 0);
    cr_assert_null(got.v);
    char want[64];
    snprintf(want, sizeof want, "block %llu alone", (unsigned long long)blk);
    cr_assert(strstr(rpc_client_errmsg(C), want), "%s", rpc_client_errmsg(C));
}

Test(client_logs, a_result_over_the_memory_cap_is_refused_whole, .fini = stop)
{
    cr_assert_eq(wt_anvil_start(&A, NULL), 0);
    size_t total;
    uint64_t head = make_logs(&total);
    C = client(0);
    rpc_log_filter f;
    memset(&f, 0, sizeof f);
    f.to_block = head;
    rpc_logs_opts o;
    rpc_logs_opts_default(&o);
    o.initial_span = 8;
    o.max_bytes = 50 * sizeof(rpc_log);
    rpc_logs got;
    cr_assert_eq(rpc_logs_range(C, &got, &f, &o), RPC_ETOO_LARGE);
    cr_assert_eq(got.n, 0);
    cr_assert_null(got.v);
}

Test(client_logs, a_bad_range_is_refused, .fini = stop)
{
    cr_assert_eq(wt_anvil_start(&A, NULL), 0);
    C = client(0);
    rpc_log_filter f;
    memset(&f, 0, sizeof f);
    f.from_block = 5;
    f.to_block = 4;
    rpc_logs got;
    cr_assert_eq(rpc_logs_range(C, &got, &f, NULL), RPC_EINVAL);
    f.to_block = RPC_BLOCK_LATEST;
    cr_assert_eq(rpc_logs_range(C, &got, &f, NULL), RPC_EINVAL);
    cr_assert_eq(got.n, 0);
}
