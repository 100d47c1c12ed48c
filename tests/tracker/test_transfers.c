/* tests/tracker/test_transfers.c — the pipeline on a real anvil: ERC-20 transfers in and
 * out, WETH wraps, deposits to and withdrawals from a labelled exchange and plain ETH sends
 * become exactly the expected moves, with exact amounts, in order, and nothing else; the
 * same chain followed live, block by block, gives the same log as one backfill. */
#include "trk_testutil.h"

static world W;
static void stop(void)
{
    world_stop(&W);
}

#define E6(x) x "000000"
#define E18(x) x "000000000000000000"

typedef struct expect {
    unsigned kind;
    const char *address, *asset, *counterparty, *amount;
    unsigned decimals;
} expect;

static const char ZERO[] = "0x0000000000000000000000000000000000000000";

/* Plays the scenario; calls step() after every transaction when live. Returns the
 * native amount of the 5 ETH send (value + fee) in native_out. */
static void play(world *w, void (*step)(world *), char native_out[RPC_U256_DEC_MAX])
{
    char tx[67];
#define DO(x)                                                                                      \
    do {                                                                                           \
        cr_assert_eq((x), 0, #x);                                                                  \
        if (step)                                                                                  \
            step(w);                                                                               \
    } while (0)
    DO(wt_token_call(&w->A, WHALE_A, w->tok, NULL, NULL, "mint(uint256)", 1, E6("1000")));
    DO(wt_token_call(&w->A, WHALE_A, w->tok, NULL, NULL, "transfer(address,uint256)", 2, STRANGER,
                     E6("300")));
    DO(wt_token_call(&w->A, STRANGER, w->tok, NULL, NULL, "transfer(address,uint256)", 2,
                     WHALE_B, E6("50")));
    DO(wt_token_call(&w->A, WHALE_A, w->tok, NULL, NULL, "transfer(address,uint256)", 2, WHALE_B,
                     E6("100")));
    DO(wt_token_call(&w->A, WHALE_A, w->weth, E18("2"), NULL, "deposit()", 0));
    DO(wt_token_call(&w->A, WHALE_B, w->tok, NULL, NULL, "transfer(address,uint256)", 2, EXCHANGE,
                     E6("120")));
    DO(wt_token_call(&w->A, EXCHANGE, w->tok, NULL, NULL, "mint(uint256)", 1, E6("10")));
    DO(wt_token_call(&w->A, EXCHANGE, w->tok, NULL, NULL, "transfer(address,uint256)", 2,
                     WHALE_A, E6("10")));
    DO(wt_eth_send(&w->A, WHALE_A, STRANGER, E18("5"), tx));
    DO(wt_token_call(&w->A, WHALE_A, w->weth, NULL, NULL, "transfer(address,uint256)", 2,
                     EXCHANGE, E18("1")));
    DO(wt_token_call(&w->A, WHALE_A, w->weth, NULL, NULL, "withdraw(uint256)", 1,
                     "500000000000000000"));
    DO(wt_eth_send(&w->A, STRANGER, WHALE_B, E18("3"), NULL));
#undef DO
    uint64_t fee;
    cr_assert_eq(wt_tx_fee(&w->A, tx, &fee), 0);
    rpc_u256 five = u256_of(E18("5")), f = rpc_u256_from_u64(fee), sum;
    cr_assert_eq(rpc_u256_add(&sum, &five, &f), RPC_OK);
    cr_assert_eq(rpc_u256_format_dec(native_out, RPC_U256_DEC_MAX, &sum), RPC_OK);
}

static void check_log(const movelist *l, const expect *x, size_t n)
{
    char buf[256];
    for (size_t i = 0; i < l->n && i < n; i++) {
        const store_move *m = &l->v[i];
        rpc_addr a = addr_of(x[i].address), asset = addr_of(x[i].asset),
                 cp = addr_of(x[i].counterparty);
        rpc_u256 amt = u256_of(x[i].amount);
        move_text(buf, sizeof buf, m);
        cr_expect_eq(m->kind, x[i].kind, "move %zu: %s", i, buf);
        cr_expect(!memcmp(&m->address, &a, 20), "move %zu address: %s", i, buf);
        cr_expect(!memcmp(&m->asset, &asset, 20), "move %zu asset: %s", i, buf);
        cr_expect(!memcmp(&m->counterparty, &cp, 20), "move %zu counterparty: %s", i, buf);
        cr_expect(!rpc_u256_cmp(&m->amount, &amt), "move %zu amount: %s (want %s)", i, buf,
                  x[i].amount);
        cr_expect_eq(m->decimals, x[i].decimals, "move %zu decimals: %s", i, buf);
        cr_expect_str_eq(m->entity, "Whale");
        cr_expect_eq(m->seq, i + 1);
        if (i)
            cr_expect(m->block > l->v[i - 1].block, "one move per block, in block order");
    }
    for (size_t i = n; i < l->n; i++)
        cr_expect_fail("unexpected move %zu: %s", i, move_text(buf, sizeof buf, &l->v[i]));
    cr_assert_eq(l->n, n, "moves");
}

static void expected_moves(bool multicall_only)
{
    world_chain(&W, NULL);
    world_watchlist(&W, 0);
    uint64_t start = head_of(&W) + 1;
    char native[RPC_U256_DEC_MAX];
    play(&W, NULL, native);
    world_open(&W, start);
    if (multicall_only) {
        W.cfg.no_state_override = true;
        trk_pipe_free(W.p);
        cr_assert_eq(trk_pipe_new(&W.p, &W.cfg, trk_io_rpc(W.c), W.s, W.set), 0);
    }
    world_run(&W);
    movelist l = world_moves(W.s);
    expect x[] = {
        {STORE_KIND_TRANSFER_IN, WHALE_A, W.tok, ZERO, E6("1000"), 6},
        {STORE_KIND_TRANSFER_OUT, WHALE_A, W.tok, STRANGER, E6("300"), 6},
        {STORE_KIND_TRANSFER_IN, WHALE_B, W.tok, STRANGER, E6("50"), 6},
        {STORE_KIND_EXCHANGE_DEPOSIT, WHALE_B, W.tok, EXCHANGE, E6("120"), 6},
        {STORE_KIND_EXCHANGE_WITHDRAWAL, WHALE_A, W.tok, EXCHANGE, E6("10"), 6},
        {STORE_KIND_TRANSFER_OUT, WHALE_A, ZERO, ZERO, native, 18},
        {STORE_KIND_EXCHANGE_DEPOSIT, WHALE_A, W.weth, EXCHANGE, E18("1"), 18},
        {STORE_KIND_TRANSFER_IN, WHALE_B, ZERO, ZERO, E18("3"), 18},
    };
    check_log(&l, x, sizeof x / sizeof x[0]);
    free(l.v);
}

Test(transfers, erc20_weth_exchange_and_eth_moves_are_exactly_the_expected_ones, .fini = stop,
     .timeout = 300)
{
    expected_moves(false);
}

Test(transfers, with_native_balances_through_multicall3_the_moves_are_the_same, .fini = stop,
     .timeout = 300)
{
    expected_moves(true);
}

/* Live: every block is processed on its own as soon as it exists (a transaction's
 * block, or an empty one the helper mined while waiting for the receipt). */
static void live_step(world *w)
{
    size_t steps = 0;
    for (;;) {
        trk_step st;
        int rc = trk_pipe_step(w->p, &st);
        cr_assert_eq(rc, 0, "%s: %s", trk_strerror(rc), trk_pipe_why(w->p));
        if (st.idle)
            break;
        cr_assert(st.from == st.to, "one block per live step");
        steps++;
    }
    cr_assert(steps >= 1, "the transaction's block was processed");
}


Test(transfers, following_live_block_by_block_gives_the_log_of_a_backfill_in_small_batches,
     .fini = stop, .timeout = 300)
{
    world_chain(&W, NULL);
    world_watchlist(&W, 0);
    uint64_t start = head_of(&W) + 1;
    world_open(&W, start);
    world_run(&W);
    char native[RPC_U256_DEC_MAX];
    play(&W, live_step, native);
    movelist live = world_moves(W.s);
    world_close(&W);
    world_rm(W.data);

    world_open(&W, start); /* a fresh store: one backfill in batches of 3 blocks */
    W.cfg.batch_blocks = 3;
    trk_pipe_free(W.p);
    cr_assert_eq(trk_pipe_new(&W.p, &W.cfg, trk_io_rpc(W.c), W.s, W.set), 0);
    world_run(&W);
    movelist back = world_moves(W.s);
    cr_assert_eq(live.n, 8);
    cr_assert_eq(back.n, live.n);
    for (size_t i = 0; i < live.n; i++)
        cr_expect(same_move(&live.v[i], &back.v[i]), "move %zu differs", i);
    free(live.v);
    free(back.v);
}
