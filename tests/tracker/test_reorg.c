/* tests/tracker/test_reorg.c — reorgs on a real anvil (evm_snapshot / evm_revert, then a
 * different branch): the orphaned blocks' moves are retracted by explicit entries and the
 * new branch's moves follow, at depths 1, 5 and 64; a reorg deeper than the maximum and a
 * node whose head falls far below the cursor roll nothing back. */
#include "tests/support/faultproxy.h"
#include "trk_testutil.h"

static world W;
static wt_proxy P;
static rpc_client *C2;
static void stop(void)
{
    trk_pipe_free(W.p);
    W.p = NULL;
    rpc_client_free(C2);
    C2 = NULL;
    wt_proxy_stop(&P);
    world_stop(&W);
}

static void send_tok(const char *from, const char *to, unsigned whole)
{
    char amt[32];
    snprintf(amt, sizeof amt, "%u000000", whole);
    cr_assert_eq(wt_token_call(&W.A, from, W.tok, NULL, NULL, "transfer(address,uint256)", 2, to,
                               amt),
                 0);
}

/* Base: A mints, tracked; old branch: depth blocks of A -> STRANGER; the tracker follows
 * it; then the chain reverts to the base and grows depth + 1 blocks of A -> EXCHANGE. */
static void reorg_at_depth(unsigned depth)
{
    wt_anvil_opts o = {.no_mining = true};
    world_chain(&W, &o);
    world_watchlist(&W, 0);
    uint64_t start = head_of(&W) + 1;
    world_open(&W, start);
    cr_assert_eq(wt_token_call(&W.A, WHALE_A, W.tok, NULL, NULL, "mint(uint256)", 1,
                               "1000000000000"),
                 0);
    world_run(&W);
    char snap[32];
    cr_assert_eq(wt_anvil_snapshot(&W.A, snap), 0);
    uint64_t base = head_of(&W);
    for (unsigned i = 0; i < depth; i++)
        send_tok(WHALE_A, STRANGER, i + 1);
    cr_assert_eq(head_of(&W), base + depth, "one block per transaction");
    world_run(&W);
    movelist before = world_moves(W.s);
    cr_assert_eq(before.n, 1 + depth);

    cr_assert_eq(wt_anvil_revert(&W.A, snap), 0);
    cr_assert_eq(head_of(&W), base);
    for (unsigned i = 0; i <= depth; i++)
        send_tok(WHALE_A, EXCHANGE, 10 * (i + 1));
    trk_step st;
    int rc = trk_pipe_step(W.p, &st);
    cr_assert_eq(rc, 0, "%s: %s", trk_strerror(rc), trk_pipe_why(W.p));
    cr_assert(st.reorg, "the first step sees the reorg");
    cr_expect_eq(st.ancestor, base);
    cr_expect_eq(st.retracted, depth);
    world_run(&W);

    movelist l = world_moves(W.s);
    cr_assert_eq(l.n, 1 + depth + depth + depth + 1, "mint, old, retractions, new");
    char buf[256];
    for (unsigned i = 0; i < depth; i++) {
        const store_move *old = &l.v[1 + i], *ret = &l.v[1 + depth + i];
        cr_expect(old->flags & STORE_MOVE_RETRACTED, "old move %u is marked retracted", i);
        cr_expect_eq(ret->kind, STORE_KIND_RETRACTED, "%s", move_text(buf, sizeof buf, ret));
        cr_expect_eq(ret->retracts, old->seq);
        cr_expect_eq(ret->retracted_kind, STORE_KIND_TRANSFER_OUT);
    }
    cr_expect(!(l.v[0].flags & STORE_MOVE_RETRACTED), "the base move stands");
    rpc_addr ex = addr_of(EXCHANGE);
    for (unsigned i = 0; i <= depth; i++) {
        const store_move *m = &l.v[1 + 2 * depth + i];
        cr_expect_eq(m->kind, STORE_KIND_EXCHANGE_DEPOSIT, "%s", move_text(buf, sizeof buf, m));
        cr_expect_eq(m->block, base + 1 + i);
        cr_expect(!memcmp(&m->counterparty, &ex, 20));
        cr_expect_eq(m->amount.w[0], 10ull * (i + 1) * 1000000ull);
        cr_expect(!(m->flags & STORE_MOVE_RETRACTED));
    }
    free(before.v);
    free(l.v);
}

Test(reorg, one_block_deep_retracts_its_move_and_takes_the_new_branch, .fini = stop,
     .timeout = 300)
{
    reorg_at_depth(1);
}

Test(reorg, five_blocks_deep_retracts_five_moves_and_takes_the_new_branch, .fini = stop,
     .timeout = 300)
{
    reorg_at_depth(5);
}

Test(reorg, sixty_four_blocks_deep_retracts_every_orphaned_move, .fini = stop, .timeout = 300)
{
    reorg_at_depth(64);
}

/* A tracker with max_reorg 3 that has followed 5 blocks past `base`. */
static void five_blocks_past_base(char snap[32], uint64_t *base)
{
    wt_anvil_opts o = {.no_mining = true};
    world_chain(&W, &o);
    world_watchlist(&W, 0);
    uint64_t start = head_of(&W) + 1;
    world_open(&W, start);
    W.cfg.max_reorg = 3;
    trk_pipe_free(W.p);
    cr_assert_eq(trk_pipe_new(&W.p, &W.cfg, trk_io_rpc(W.c), W.s, W.set), 0);
    cr_assert_eq(wt_anvil_snapshot(&W.A, snap), 0);
    *base = head_of(&W);
    for (unsigned i = 0; i < 5; i++)
        send_tok(DEPLOYER, STRANGER, 0); /* blocks without a watched move */
    cr_assert_eq(wt_token_call(&W.A, WHALE_A, W.tok, NULL, NULL, "mint(uint256)", 1, "7"), 0);
    world_run(&W);
}

Test(reorg, deeper_than_the_maximum_is_refused_and_rolls_nothing_back, .fini = stop,
     .timeout = 300)
{
    char snap[32];
    uint64_t base;
    five_blocks_past_base(snap, &base);
    movelist l0 = world_moves(W.s);
    cr_assert_eq(wt_anvil_revert(&W.A, snap), 0);
    for (unsigned i = 0; i < 7; i++)
        send_tok(DEPLOYER, STRANGER, 0);
    trk_step st;
    cr_expect_eq(trk_pipe_step(W.p, &st), TRK_EREORG_DEEP);
    store_info info;
    cr_assert_eq(store_info_get(W.s, &info), 0);
    cr_expect_eq(info.cursor_block, base + 6, "the cursor did not move");
    movelist l1 = world_moves(W.s);
    cr_expect_eq(l1.n, l0.n, "no retraction");
    free(l0.v);
    free(l1.v);
}

Test(reorg, a_head_far_below_the_cursor_is_not_a_reorg, .fini = stop, .timeout = 300)
{
    char snap[32];
    uint64_t base;
    five_blocks_past_base(snap, &base);
    movelist l0 = world_moves(W.s);
    cr_assert_eq(wt_anvil_revert(&W.A, snap), 0); /* the node now says head = base */
    trk_step st;
    cr_expect_eq(trk_pipe_step(W.p, &st), TRK_EHEAD, "%s", trk_pipe_why(W.p));
    movelist l1 = world_moves(W.s);
    cr_expect_eq(l1.n, l0.n, "no retraction");
    free(l0.v);
    free(l1.v);
}

Test(reorg, an_endpoint_far_behind_is_set_aside_for_a_good_one_and_nothing_is_rolled_back,
     .fini = stop, .timeout = 300)
{
    wt_anvil_opts o = {.no_mining = true};
    world_chain(&W, &o);
    world_watchlist(&W, 0);
    cr_assert_eq(wt_anvil_mine(&W.A, 40), 0);
    world_open(&W, head_of(&W) + 1);
    cr_assert_eq(wt_proxy_start(&P, W.A.url), 0);
    const char *urls[2] = {P.url, W.A.url}; /* the proxy serves first */
    cr_assert_eq(rpc_client_new(&C2, NULL, urls, 2), RPC_OK);
    W.cfg.max_reorg = 5;
    trk_pipe_free(W.p);
    cr_assert_eq(trk_pipe_new(&W.p, &W.cfg, trk_io_rpc(C2), W.s, W.set), 0);
    cr_assert_eq(wt_token_call(&W.A, WHALE_A, W.tok, NULL, NULL, "mint(uint256)", 1, "5"), 0);
    world_run(&W);
    cr_assert(wt_proxy_rule(&P, "stale_head lag=30") >= 0);
    cr_assert_eq(wt_token_call(&W.A, WHALE_A, W.tok, NULL, NULL, "mint(uint256)", 1, "6"), 0);
    trk_step st;
    int rc = trk_pipe_step(W.p, &st);
    cr_expect_eq(rc, TRK_ERACE, "%s: %s", trk_strerror(rc), trk_pipe_why(W.p));
    cr_expect(strstr(trk_pipe_why(W.p), "set aside"), "%s", trk_pipe_why(W.p));
    world_run(&W);
    movelist l = world_moves(W.s);
    cr_assert_eq(l.n, 2, "both mints, no retraction");
    cr_expect_eq(l.v[1].amount.w[0], 6);
    rpc_endpoint_stats s;
    rpc_client_stats(C2, 0, &s);
    cr_expect(s.lagging, "the proxy is marked lagging");
    free(l.v);
}
