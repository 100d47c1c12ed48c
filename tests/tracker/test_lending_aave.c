/* tests/tracker/test_lending_aave.c — the tracker on a real Aave V3 market (anvil): the
 * seed's day of a whale (supply, borrow, an exchange deposit, ETH falling in the open and
 * silently, a repay, a liquidation) gives exactly the expected moves with the protocol's
 * own figures; a reorg across a repay retracts it and the new branch's figures are right. */
#include "lend_testutil.h"

static world W;
static void stop(void)
{
    world_stop(&W);
}

static const char *RULES = "min_usd = 1\nhealth_factor_warn = 1.5\nliquidation_price_move_pct = 2";

/* Aave 3.0 LiquidationLogic: collateral = debtPrice * debt * collUnit / (collPrice *
 * debtUnit), then percentMul(bonus), half up. */
static rpc_u256 seized(const rpc_u256 *debt, const rpc_u256 *pdebt, const rpc_u256 *pcoll)
{
    rpc_u256 x, den, r;
    rpc_u256 cu = units(1, 18), du = units(1, 6);
    cr_assert_eq(rpc_u256_mul(&x, pdebt, debt), RPC_OK);
    cr_assert_eq(rpc_u256_mul(&x, &x, &cu), RPC_OK);
    cr_assert_eq(rpc_u256_mul(&den, pcoll, &du), RPC_OK);
    cr_assert_eq(rpc_u256_divmod(&x, NULL, &x, &den), RPC_OK);
    cr_assert_eq(rpc_u256_mul(&x, &x, &(rpc_u256){{M.reserve[TRK_AAVE_WETH].liq_bonus_bps}}),
                 RPC_OK);
    cr_assert_eq(rpc_u256_add(&x, &x, &(rpc_u256){{5000}}), RPC_OK);
    cr_assert_eq(rpc_u256_divmod(&r, NULL, &x, &(rpc_u256){{10000}}), RPC_OK);
    return r;
}

static rpc_u256 price_at(unsigned asset, uint64_t block)
{
    rpc_u256 p;
    cr_assert_eq(trk_aave_asset_price(W.c, &p, &M, asset, block), RPC_OK);
    return p;
}

/* usd of amount of asset at block: amount * price / 10^decimals. */
static rpc_u256 usd_at(unsigned asset, const rpc_u256 *amount, uint64_t block)
{
    rpc_u256 p = price_at(asset, block), unit = units(1, M.reserve[asset].decimals), r;
    cr_assert_eq(rpc_u256_muldiv(&r, amount, &p, &unit), RPC_OK);
    return r;
}

Test(lending_aave, the_seed_day_gives_exactly_the_expected_moves_with_the_protocols_figures,
     .fini = stop, .timeout = 300)
{
    lend_world(&W, RULES);
    mint(&W, LENDER, TRK_AAVE_USDT, 3000000);
    supply(&W, LENDER, TRK_AAVE_USDT, 3000000);
    mint(&W, WHALE_A, TRK_AAVE_WETH, 1000);
    trk_aave_tx t_supply = supply(&W, WHALE_A, TRK_AAVE_WETH, 1000);
    trk_aave_tx t_borrow = borrow(&W, WHALE_A, TRK_AAVE_USDT, 1500000);
    mint(&W, WHALE_B, TRK_AAVE_WETH, 200);
    trk_aave_tx t_send;
    rpc_addr b = addr_of(WHALE_B), ex = addr_of(EXCHANGE), a = addr_of(WHALE_A);
    rpc_u256 w200 = units(200, 18);
    cr_assert_eq(trk_aave_transfer(W.c, &t_send, &M, &b, TRK_AAVE_WETH, &ex, &w200), RPC_OK);
    world_run(&W);
    trk_aave_tx t_fall;
    cr_assert_eq(trk_aave_set_price(W.c, &t_fall, &M, TRK_AAVE_WETH, 250000000000u), RPC_OK);
    trk_aave_tx t_repay = repay(&W, WHALE_A, TRK_AAVE_USDT, 300000);
    world_run(&W);
    /* read now: anvil_setStorageAt below rewrites the head block's state in place */
    rpc_u256 hf_repay = hf_at(&W, WHALE_A, t_repay.block);
    cr_assert_eq(trk_aave_set_price_silently(W.c, &M, TRK_AAVE_WETH, 140000000000u), RPC_OK);
    cr_assert_eq(wt_anvil_mine(&W.A, 1), 0);
    uint64_t silent_block = head_of(&W);
    world_run(&W);
    mint(&W, LIQUIDATOR, TRK_AAVE_USDT, 600000);
    trk_aave_tx t_liq;
    rpc_addr liq = addr_of(LIQUIDATOR);
    rpc_u256 cover = units(600000, 6);
    cr_assert_eq(
        trk_aave_liquidate(W.c, &t_liq, &M, &liq, TRK_AAVE_WETH, TRK_AAVE_USDT, &a, &cover), RPC_OK,
        "liquidationCall: %s", rpc_client_errmsg(W.c));
    world_run(&W);

    movelist l = world_moves(W.s);
    char buf[512];
    cr_assert_str_eq(kinds(buf, sizeof buf, &l),
                     "position_opened,collateral_enabled,supply,borrow,exchange_deposit,"
                     "health_factor,repay,health_factor,liquidated,liquidated");
    const store_move *m = l.v;
    /* supply: one block, three moves; before: no position (HF "infinite", no line) */
    for (int i = 0; i < 3; i++) {
        cr_expect_eq(m[i].block, t_supply.block);
        cr_expect(!memcmp(&m[i].tx_hash, &t_supply.hash, 32));
        cr_expect(m[i].flags & STORE_MOVE_HAS_HF);
        cr_expect_eq(m[i].protocol, TRK_PROTO_AAVE_V3);
        cr_expect_str_eq(m[i].entity, "Whale");
    }
    rpc_u256 w1000 = units(1000, 18), maxv;
    memset(&maxv, 0xff, sizeof maxv);
    assert_u256_eq(&m[2].amount, &w1000);
    rpc_u256 usd = usd_at(TRK_AAVE_WETH, &w1000, t_supply.block);
    assert_u256_eq(&m[2].usd, &usd);
    assert_u256_eq(&m[2].hf_before, &maxv);
    assert_u256_eq(&m[2].hf_after, &maxv);
    cr_expect(!memcmp(&m[1].asset, &M.reserve[TRK_AAVE_WETH].asset, 20));
    /* borrow 1,500,000 USDT: HF and line from nothing to the protocol's figure */
    rpc_u256 usdt = units(1500000, 6);
    assert_u256_eq(&m[3].amount, &usdt);
    cr_expect_eq(m[3].decimals, 6);
    cr_expect(!memcmp(&m[3].asset, &M.reserve[TRK_AAVE_USDT].asset, 20));
    usd = usd_at(TRK_AAVE_USDT, &usdt, t_borrow.block);
    assert_u256_eq(&m[3].usd, &usd);
    rpc_u256 hf = hf_at(&W, WHALE_A, t_borrow.block);
    assert_u256_eq(&m[3].hf_after, &hf);
    /* the line: 1,500,000 / (1,000 x 0.825) = $1,818.18181819 (rounded up) */
    rpc_u256 line = rpc_u256_from_u64(181818181819ull);
    assert_u256_eq(&m[3].liq_after, &line);
    /* B's 200 WETH to Binance */
    cr_expect_eq(m[4].block, t_send.block);
    assert_u256_eq(&m[4].amount, &w200);
    cr_expect(!memcmp(&m[4].counterparty, &ex, 20));
    cr_expect(!memcmp(&m[4].address, &b, 20));
    /* ETH 3,000 -> 2,500 through setAssetSources: HF crosses 1.5 with no whale transaction */
    cr_expect_eq(m[5].block, t_fall.block);
    cr_expect_eq(m[5].log_index, TRK_NO_LOG);
    assert_u256_eq(&m[5].hf_before, &m[3].hf_after);
    hf = hf_at(&W, WHALE_A, t_fall.block);
    assert_u256_eq(&m[5].hf_after, &hf);
    cr_expect(rpc_u256_cmp(&m[5].hf_after, &(rpc_u256){{1500000000000000000ull}}) < 0);
    /* repay 300,000 USDT */
    rpc_u256 r300 = units(300000, 6);
    cr_expect_eq(m[6].block, t_repay.block);
    assert_u256_eq(&m[6].amount, &r300);
    assert_u256_eq(&m[6].hf_before, &m[5].hf_after);
    assert_u256_eq(&m[6].hf_after, &hf_repay);
    cr_expect(rpc_u256_cmp(&m[6].liq_after, &m[6].liq_before) < 0, "the line falls on a repay");
    /* ETH silently to 1,400: HF below 1 */
    cr_expect_eq(m[7].block, silent_block);
    assert_u256_eq(&m[7].hf_before, &m[6].hf_after);
    hf = hf_at(&W, WHALE_A, silent_block);
    assert_u256_eq(&m[7].hf_after, &hf);
    cr_expect(rpc_u256_cmp(&hf, &(rpc_u256){{1000000000000000000ull}}) < 0);
    cr_expect_eq(m[7].severity, 3);
    /* the liquidation: collateral seized, then debt covered; the liquidator named */
    rpc_u256 pd = price_at(TRK_AAVE_USDT, t_liq.block), pc = price_at(TRK_AAVE_WETH, t_liq.block);
    rpc_u256 want = seized(&cover, &pd, &pc);
    cr_expect_eq(m[8].block, t_liq.block);
    cr_expect(!memcmp(&m[8].asset, &M.reserve[TRK_AAVE_WETH].asset, 20));
    assert_u256_eq(&m[8].amount, &want);
    cr_expect(!memcmp(&m[9].asset, &M.reserve[TRK_AAVE_USDT].asset, 20));
    assert_u256_eq(&m[9].amount, &cover);
    for (int i = 8; i < 10; i++) {
        cr_expect(!memcmp(&m[i].counterparty, &liq, 20));
        assert_u256_eq(&m[i].hf_before, &m[7].hf_after);
        hf = hf_at(&W, WHALE_A, t_liq.block);
        assert_u256_eq(&m[i].hf_after, &hf);
        cr_expect_eq(m[i].log_index, m[8].log_index);
    }
    for (size_t i = 0; i < l.n; i++)
        fprintf(stderr, "lending_aave: %s hf %s -> %s liq %s -> %s\n",
                move_text(buf, sizeof buf, &l.v[i]),
                dec((char[RPC_U256_DEC_MAX]){0}, &l.v[i].hf_before),
                dec((char[RPC_U256_DEC_MAX]){0}, &l.v[i].hf_after),
                dec((char[RPC_U256_DEC_MAX]){0}, &l.v[i].liq_before),
                dec((char[RPC_U256_DEC_MAX]){0}, &l.v[i].liq_after));
    free(l.v);
}

Test(lending_aave, a_reorg_across_a_repay_retracts_it_and_the_new_branch_has_its_own_figures,
     .fini = stop, .timeout = 300)
{
    lend_world(&W, RULES);
    mint(&W, LENDER, TRK_AAVE_USDT, 1000000);
    supply(&W, LENDER, TRK_AAVE_USDT, 1000000);
    mint(&W, WHALE_A, TRK_AAVE_WETH, 100);
    supply(&W, WHALE_A, TRK_AAVE_WETH, 100);
    trk_aave_tx t_borrow = borrow(&W, WHALE_A, TRK_AAVE_USDT, 150000);
    world_run(&W);
    rpc_u256 hf_borrow = hf_at(&W, WHALE_A, t_borrow.block);
    char snap[32];
    cr_assert_eq(wt_anvil_snapshot(&W.A, snap), 0);
    trk_aave_tx t_old = repay(&W, WHALE_A, TRK_AAVE_USDT, 50000);
    world_run(&W);
    movelist before = world_moves(W.s);
    cr_assert_eq(before.v[before.n - 1].kind, STORE_KIND_REPAY);
    cr_assert_eq(before.v[before.n - 1].block, t_old.block);

    cr_assert_eq(wt_anvil_revert(&W.A, snap), 0);
    trk_aave_tx t_new = repay(&W, WHALE_A, TRK_AAVE_USDT, 20000);
    cr_assert_eq(t_new.block, t_old.block, "the same height on the new branch");
    rpc_u256 hf_new = hf_at(&W, WHALE_A, t_new.block);
    trk_step st;
    int rc = trk_pipe_step(W.p, &st);
    cr_assert_eq(rc, 0, "%s: %s", trk_strerror(rc), trk_pipe_why(W.p));
    cr_assert(st.reorg);
    world_run(&W);

    movelist l = world_moves(W.s);
    cr_assert_eq(l.n, before.n + 2, "a retraction and the new repay");
    const store_move *ret = &l.v[before.n], *m = &l.v[before.n + 1];
    cr_expect_eq(ret->kind, STORE_KIND_RETRACTED);
    cr_expect_eq(ret->retracted_kind, STORE_KIND_REPAY);
    cr_expect_eq(ret->retracts, before.v[before.n - 1].seq);
    cr_expect(l.v[before.n - 1].flags & STORE_MOVE_RETRACTED);
    cr_expect_eq(m->kind, STORE_KIND_REPAY);
    cr_expect(!memcmp(&m->tx_hash, &t_new.hash, 32));
    rpc_u256 r20 = units(20000, 6);
    assert_u256_eq(&m->amount, &r20);
    assert_u256_eq(&m->hf_before, &hf_borrow);
    assert_u256_eq(&m->hf_after, &hf_new);
    /* the line: (150,000 - 20,000) / (100 x 0.825) = $1,575.75757576 */
    rpc_u256 line = rpc_u256_from_u64(157575757576ull);
    assert_u256_eq(&m->liq_after, &line);
    store_position p = account_row(&W, WHALE_A);
    assert_u256_eq(&p.hf, &hf_new);
    free(before.v);
    free(l.v);
}

Test(lending_aave,
     after_a_restart_price_moves_are_measured_against_the_stored_position_and_a_full_exit_closes_it,
     .fini = stop, .timeout = 300)
{
    lend_world(&W, RULES);
    mint(&W, LENDER, TRK_AAVE_USDT, 1000000);
    supply(&W, LENDER, TRK_AAVE_USDT, 1000000);
    mint(&W, WHALE_A, TRK_AAVE_WETH, 100);
    supply(&W, WHALE_A, TRK_AAVE_WETH, 100);
    trk_aave_tx t_borrow = borrow(&W, WHALE_A, TRK_AAVE_USDT, 150000);
    world_run(&W);
    rpc_u256 hf_borrow = hf_at(&W, WHALE_A, t_borrow.block);
    movelist l0 = world_moves(W.s);
    lend_reopen(&W); /* a new process: positions come back from the store */

    cr_assert_eq(trk_aave_set_price_silently(W.c, &M, TRK_AAVE_WETH, 170000000000u), RPC_OK);
    cr_assert_eq(wt_anvil_mine(&W.A, 1), 0);
    uint64_t b_fall = head_of(&W);
    world_run(&W);
    rpc_u256 hf_fall = hf_at(&W, WHALE_A, b_fall);
    cr_assert_eq(trk_aave_set_price_silently(W.c, &M, TRK_AAVE_WETH, 300000000000u), RPC_OK);
    cr_assert_eq(wt_anvil_mine(&W.A, 1), 0);
    uint64_t b_back = head_of(&W);
    world_run(&W);
    rpc_u256 hf_back = hf_at(&W, WHALE_A, b_back);
    mint(&W, WHALE_A, TRK_AAVE_USDT, 1000); /* interest */
    rpc_addr a = addr_of(WHALE_A);
    rpc_u256 all;
    memset(&all, 0xff, sizeof all);
    trk_aave_tx t_repay, t_withdraw;
    cr_assert_eq(trk_aave_repay(W.c, &t_repay, &M, &a, TRK_AAVE_USDT, &all), RPC_OK);
    cr_assert_eq(trk_aave_withdraw(W.c, &t_withdraw, &M, &a, TRK_AAVE_WETH, &all), RPC_OK);
    world_run(&W);

    movelist l = world_moves(W.s);
    cr_assert_gt(l.n, l0.n);
    movelist tail = {l.v + l0.n, l.n - l0.n, 0};
    char buf[512];
    cr_assert_str_eq(kinds(buf, sizeof buf, &tail),
                     "health_factor,health_factor,transfer_in,repay,collateral_disabled,withdraw,"
                     "position_closed");
    const store_move *m = tail.v;
    cr_expect_eq(m[0].block, b_fall);
    assert_u256_eq(&m[0].hf_before, &hf_borrow);
    assert_u256_eq(&m[0].hf_after, &hf_fall);
    cr_expect(rpc_u256_cmp(&hf_fall, &(rpc_u256){{1000000000000000000ull}}) < 0);
    cr_expect_eq(m[1].block, b_back);
    assert_u256_eq(&m[1].hf_before, &hf_fall);
    assert_u256_eq(&m[1].hf_after, &hf_back);
    cr_expect_eq(m[3].block, t_repay.block);
    rpc_u256 maxv;
    memset(&maxv, 0xff, sizeof maxv);
    assert_u256_eq(&m[3].hf_after, &maxv);
    cr_expect(rpc_u256_is_zero(&m[3].liq_after), "no debt, no line");
    rpc_u256 w100 = units(100, 18);
    cr_expect_eq(m[5].block, t_withdraw.block);
    assert_u256_eq(&m[5].amount, &w100);
    cr_expect_eq(m[6].block, t_withdraw.block);
    store_position p = account_row(&W, WHALE_A);
    cr_expect(rpc_u256_is_zero(&p.debt_usd) && rpc_u256_is_zero(&p.collateral_usd));
    free(l0.v);
    free(l.v);
}
