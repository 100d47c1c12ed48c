/* tests/tracker/test_verify_pipe.c — the pipeline with cfg.verify (`run --verify`) on a real
 * anvil: honest answers give the same moves as without it, those from logs flagged
 * verified; through the fault proxy, a log altered in eth_getLogs, a log dropped from it, a
 * header field changed and a wrong sender are each caught as TRK_EVERIFY naming the
 * endpoint and the block, and produce no move; the same pipe then goes on honestly. */
#include "tests/support/faultproxy.h"
#include "tracker/diff.h"
#include "trk_testutil.h"

static world W;
static wt_proxy P;
static void stop(void)
{
    wt_proxy_stop(&P);
    world_stop(&W);
}

/* A mint to A, a transfer A -> stranger, a deposit B -> exchange (B gets tokens first),
 * and ETH stranger -> B (a move without a log). Returns the first block to follow. */
static uint64_t scenario(void)
{
    world_chain(&W, NULL);
    world_watchlist(&W, 0);
    uint64_t start = head_of(&W) + 1;
    cr_assert_eq(wt_token_call(&W.A, WHALE_A, W.tok, NULL, NULL, "mint(uint256)", 1, "7000000"), 0);
    cr_assert_eq(wt_token_call(&W.A, WHALE_A, W.tok, NULL, NULL, "transfer(address,uint256)", 2,
                               STRANGER, "1000000"), 0);
    cr_assert_eq(wt_token_call(&W.A, WHALE_A, W.tok, NULL, NULL, "transfer(address,uint256)", 2,
                               EXCHANGE, "2000000"), 0);
    cr_assert_eq(wt_eth_send(&W.A, STRANGER, WHALE_B, "1000000000000000000", NULL), 0);
    return start;
}

static void open_verifying(uint64_t start, bool verify)
{
    world_open(&W, start);
    W.cfg.verify = verify;
    trk_pipe_free(W.p);
    cr_assert_eq(trk_pipe_new(&W.p, &W.cfg, trk_io_rpc(W.c), W.s, W.set), 0);
}

Test(verify_pipe, honest_answers_give_the_same_moves_with_those_from_logs_verified, .fini = stop,
     .timeout = 300)
{
    uint64_t start = scenario();
    open_verifying(start, false);
    world_run(&W);
    movelist plain = world_moves(W.s);
    world_close(&W);
    world_rm(W.data);
    open_verifying(start, true);
    world_run(&W);
    movelist ver = world_moves(W.s);
    cr_assert_eq(ver.n, plain.n);
    cr_assert_geq(ver.n, 4, "mint, transfer out, exchange deposit, ETH in");
    size_t from_logs = 0;
    for (size_t i = 0; i < ver.n; i++) {
        store_move a = plain.v[i], b = ver.v[i];
        bool has_log = b.log_index != TRK_NO_LOG;
        cr_expect_eq(!!(b.flags & STORE_MOVE_VERIFIED), has_log, "move %zu", i);
        cr_expect_eq(a.flags & STORE_MOVE_VERIFIED, 0, "not verified without --verify");
        from_logs += has_log;
        b.flags &= (uint16_t)~STORE_MOVE_VERIFIED;
        cr_expect(same_move(&a, &b), "move %zu differs beyond its flag", i);
    }
    cr_expect_geq(from_logs, 3);
    free(plain.v);
    free(ver.v);
}

/* Through the proxy with one rule: the first step fails with TRK_EVERIFY naming what,
 * nothing is stored; with the rule gone the pipe commits the verified moves. */
static void lie(const char *rule, const char *needle)
{
    uint64_t start = scenario();
    cr_assert_eq(wt_proxy_start(&P, W.A.url), 0);
    snprintf(W.A.url, sizeof W.A.url, "%s", P.url);
    open_verifying(start, true);
    W.cfg.batch_blocks = 100;
    cr_assert_geq(wt_proxy_rule(&P, rule), 0, "%s", rule);
    trk_step st;
    int rc = trk_pipe_step(W.p, &st);
    cr_assert_eq(rc, TRK_EVERIFY, "%s: %s", trk_strerror(rc), trk_pipe_why(W.p));
    const char *why = trk_pipe_why(W.p);
    cr_expect(strstr(why, needle) != NULL, "\"%s\" should say \"%s\"", why, needle);
    cr_expect(strstr(why, rpc_client_endpoint_name(W.c, 0)) != NULL, "names the endpoint: %s",
              why);
    cr_expect(strstr(why, ": block ") != NULL, "names the block: %s", why);
    cr_expect_eq(wt_proxy_stat(&P, "served.0"), 1, "the lie was told");
    movelist none = world_moves(W.s);
    cr_expect_eq(none.n, 0, "no move from a lying answer");
    free(none.v);
    store_info info;
    cr_assert_eq(store_info_get(W.s, &info), 0);
    cr_expect(!info.has_cursor, "nothing committed");
    cr_assert_eq(wt_proxy_ctl(&P, NULL, "clear"), 0);
    world_run(&W);
    movelist l = world_moves(W.s);
    cr_expect_geq(l.n, 4);
    for (size_t i = 0; i < l.n; i++)
        cr_expect_eq(!!(l.v[i].flags & STORE_MOVE_VERIFIED), l.v[i].log_index != TRK_NO_LOG);
    free(l.v);
}

Test(verify_pipe, a_log_altered_in_eth_getlogs_is_caught_and_makes_no_move, .fini = stop,
     .timeout = 300)
{
    lie("edit method=eth_getLogs path=0.data count=1", "data differs");
}

Test(verify_pipe, a_log_dropped_from_eth_getlogs_is_caught_and_makes_no_move, .fini = stop,
     .timeout = 300)
{
    lie("drop_item method=eth_getLogs path=0 count=1", "eth_getLogs left it out");
}

Test(verify_pipe, a_header_field_changed_is_caught_and_makes_no_move, .fini = stop,
     .timeout = 300)
{
    lie("edit method=eth_getBlockByNumber path=stateRoot count=1", "header hash");
}

Test(verify_pipe, a_wrong_sender_is_caught_and_makes_no_move, .fini = stop, .timeout = 300)
{
    lie("edit method=eth_getBlockReceipts path=0.from count=1", "the node says from");
}

Test(verify_pipe, an_altered_signature_is_caught_and_makes_no_move, .fini = stop, .timeout = 300)
{
    lie("edit method=eth_getRawTransactionByHash path=. count=1", "hash to");
}

Test(verify_pipe, without_eth_getblockreceipts_the_receipts_come_one_by_one, .fini = stop,
     .timeout = 300)
{
    uint64_t start = scenario();
    cr_assert_eq(wt_proxy_start(&P, W.A.url), 0);
    snprintf(W.A.url, sizeof W.A.url, "%s", P.url);
    open_verifying(start, true);
    cr_assert_geq(wt_proxy_rule(&P, "no_method method=eth_getBlockReceipts"), 0);
    world_run(&W);
    cr_expect_geq(wt_proxy_stat(&P, "calls.eth_getTransactionReceipt"), 3);
    movelist l = world_moves(W.s);
    cr_expect_geq(l.n, 4);
    for (size_t i = 0; i < l.n; i++)
        cr_expect_eq(!!(l.v[i].flags & STORE_MOVE_VERIFIED), l.v[i].log_index != TRK_NO_LOG);
    free(l.v);
}
