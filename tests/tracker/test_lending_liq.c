/* tests/tracker/test_lending_liq.c — the liquidation line the tracker reports for Aave
 * positions (one collateral; WETH + wstETH-like; stablecoin collateral against WETH debt)
 * against a brute-force search on the chain (oracle prices set silently until
 * getUserAccountData's health factor crosses 1), and liquidation_price moves caused by
 * prices alone: a silent storage write, then a visible setAssetSources. */
#include "lend_testutil.h"

static world W;
static void stop(void)
{
    world_stop(&W);
}

static const char *RULES = "min_usd = 1\nhealth_factor_warn = 1.5\nliquidation_price_move_pct = 2";
static const uint64_t WETH_P = 300000000000u, WST_P = 350000000000u; /* $3,000, $3,500 */

/* HF of who with ETH at p (wstETH moving with it: p * 3,500 / 3,000), read on the chain. */
static int hf_ge_one(const char *who, uint64_t p)
{
    cr_assert_eq(trk_aave_set_price_silently(W.c, &M, TRK_AAVE_WETH, p), RPC_OK);
    cr_assert_eq(trk_aave_set_price_silently(W.c, &M, TRK_AAVE_WSTETH, p / 6 * 7 + p % 6 * 7 / 6),
                 RPC_OK);
    rpc_u256 hf = hf_at(&W, who, RPC_BLOCK_LATEST);
    if (getenv("LIQ_DEBUG"))
        fprintf(stderr, "p %llu hf %s\n", (unsigned long long)p,
                dec((char[RPC_U256_DEC_MAX]){0}, &hf));
    return rpc_u256_cmp(&hf, &(rpc_u256){{1000000000000000000ull}}) >= 0;
}

/* Whale's aggregate health (A and B together) with ETH at p: sum of collateral x
 * threshold >= sum of debt, from getUserAccountData of both. */
static int entity_ge_one(uint64_t p)
{
    cr_assert_eq(trk_aave_set_price_silently(W.c, &M, TRK_AAVE_WETH, p), RPC_OK);
    cr_assert_eq(trk_aave_set_price_silently(W.c, &M, TRK_AAVE_WSTETH, p / 6 * 7 + p % 6 * 7 / 6),
                 RPC_OK);
    rpc_u256 cl = {{0}}, d = {{0}}, x, tenk = rpc_u256_from_u64(10000);
    const char *who[2] = {WHALE_A, WHALE_B};
    for (int i = 0; i < 2; i++) {
        trk_aave_account acc;
        rpc_addr a = addr_of(who[i]);
        cr_assert_eq(trk_aave_account_data(W.c, &acc, &M, &a, RPC_BLOCK_LATEST), RPC_OK);
        cr_assert_eq(rpc_u256_mul(&x, &acc.collateral_base, &acc.liq_threshold_bps), RPC_OK);
        cr_assert_eq(rpc_u256_add(&cl, &cl, &x), RPC_OK);
        cr_assert_eq(rpc_u256_mul(&x, &acc.debt_base, &tenk), RPC_OK);
        cr_assert_eq(rpc_u256_add(&d, &d, &x), RPC_OK);
    }
    return rpc_u256_cmp(&cl, &d) >= 0;
}

/* The ETH price (1e8) where who's HF crosses 1: below = HF rises with ETH. */
static uint64_t brute_line(const char *who, bool below)
{
    uint64_t lo = 1, hi = below ? WETH_P : 1000000ull * 100000000ull;
    if (!below) {
        lo = WETH_P;
    }
    cr_assert(hf_ge_one(who, below ? hi : lo), "healthy at today's price");
    cr_assert(!hf_ge_one(who, below ? lo : hi), "unhealthy at the far end");
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        bool ok = hf_ge_one(who, mid);
        if (ok == below)
            hi = mid;
        else
            lo = mid;
    }
    cr_assert_eq(trk_aave_set_price_silently(W.c, &M, TRK_AAVE_WETH, WETH_P), RPC_OK);
    cr_assert_eq(trk_aave_set_price_silently(W.c, &M, TRK_AAVE_WSTETH, WST_P), RPC_OK);
    return below ? hi : lo;
}

static double rel(uint64_t a, uint64_t b)
{
    double d = (double)a - (double)b;
    return (d < 0 ? -d : d) / (double)b;
}

static size_t count_kind(const movelist *l, size_t from, unsigned kind, const char *who)
{
    size_t n = 0;
    rpc_addr a = addr_of(who);
    for (size_t i = from; i < l->n; i++)
        n += l->v[i].kind == kind && !memcmp(&l->v[i].address, &a, 20);
    return n;
}

Test(lending_liq, reported_lines_match_a_brute_force_search_on_the_chain_within_a_tenth_percent,
     .fini = stop, .timeout = 300)
{
    lend_world(&W, RULES);
    mint(&W, LENDER, TRK_AAVE_USDT, 1000000);
    supply(&W, LENDER, TRK_AAVE_USDT, 1000000);
    mint(&W, LENDER, TRK_AAVE_USDC, 1000000);
    supply(&W, LENDER, TRK_AAVE_USDC, 1000000);
    mint(&W, LENDER, TRK_AAVE_WETH, 1000);
    supply(&W, LENDER, TRK_AAVE_WETH, 1000);
    /* A: 100 WETH against 150,000 USDT */
    mint(&W, WHALE_A, TRK_AAVE_WETH, 100);
    supply(&W, WHALE_A, TRK_AAVE_WETH, 100);
    borrow(&W, WHALE_A, TRK_AAVE_USDT, 150000);
    /* B: 50 WETH + 40 wstETH against 120,000 USDC */
    mint(&W, WHALE_B, TRK_AAVE_WETH, 50);
    supply(&W, WHALE_B, TRK_AAVE_WETH, 50);
    mint(&W, WHALE_B, TRK_AAVE_WSTETH, 40);
    supply(&W, WHALE_B, TRK_AAVE_WSTETH, 40);
    borrow(&W, WHALE_B, TRK_AAVE_USDC, 120000);
    /* C: 500,000 USDC against 100 WETH: liquidated if ETH rises */
    mint(&W, ACC(6), TRK_AAVE_USDC, 500000);
    supply(&W, ACC(6), TRK_AAVE_USDC, 500000);
    borrow(&W, ACC(6), TRK_AAVE_WETH, 100);
    world_run(&W);

    struct {
        const char *who;
        bool below;
        uint64_t line;
    } pos[3] = {{WHALE_A, true, 0}, {WHALE_B, true, 0}, {ACC(6), false, 0}};
    for (int i = 0; i < 3; i++) {
        store_position p = account_row(&W, pos[i].who);
        cr_assert(rpc_u256_fits_u64(&p.liq_price));
        pos[i].line = p.liq_price.w[0];
        uint64_t brute = brute_line(pos[i].who, pos[i].below);
        fprintf(stderr, "lending_liq: %s reported $%.8f, brute force $%.8f (%.5f %%)\n", pos[i].who,
                (double)pos[i].line / 1e8, (double)brute / 1e8, 100 * rel(pos[i].line, brute));
        cr_expect(rel(pos[i].line, brute) < 0.001, "%s: %llu vs %llu", pos[i].who,
                  (unsigned long long)pos[i].line, (unsigned long long)brute);
    }

    /* the entity (A and B): one line over both positions' assets */
    store_pos_key ek;
    memset(&ek, 0, sizeof ek);
    ek.address = addr_of(WHALE_A);
    ek.protocol = TRK_PROTO_AAVE_V3;
    store_position erow;
    cr_assert_eq(store_snapshot_at(W.s, &erow, &ek, 0), 0, "the entity row");
    uint64_t lo = 1, hi = WETH_P;
    cr_assert(entity_ge_one(hi) && !entity_ge_one(lo));
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (entity_ge_one(mid))
            hi = mid;
        else
            lo = mid;
    }
    cr_assert_eq(trk_aave_set_price_silently(W.c, &M, TRK_AAVE_WETH, WETH_P), RPC_OK);
    cr_assert_eq(trk_aave_set_price_silently(W.c, &M, TRK_AAVE_WSTETH, WST_P), RPC_OK);
    fprintf(stderr, "lending_liq: entity Whale reported $%.8f, brute force $%.8f\n",
            (double)erow.liq_price.w[0] / 1e8, (double)hi / 1e8);
    cr_expect(rel(erow.liq_price.w[0], hi) < 0.001);
    cr_expect(erow.liq_price.w[0] > pos[1].line && erow.liq_price.w[0] < pos[0].line,
              "between its positions' lines");

    /* USDT +5 %, silently: only A's line moves (up 5 %), with no transaction at all */
    movelist l0 = world_moves(W.s);
    cr_assert_eq(trk_aave_set_price_silently(W.c, &M, TRK_AAVE_USDT, 105000000u), RPC_OK);
    cr_assert_eq(wt_anvil_mine(&W.A, 1), 0);
    world_run(&W);
    movelist l1 = world_moves(W.s);
    cr_assert_eq(l1.n, l0.n + 1, "one move: A's line");
    const store_move *m = &l1.v[l0.n];
    cr_expect_eq(m->kind, STORE_KIND_LIQUIDATION_PRICE);
    rpc_addr a = addr_of(WHALE_A), b = addr_of(WHALE_B);
    cr_expect(!memcmp(&m->address, &a, 20));
    cr_expect_eq(m->liq_before.w[0], pos[0].line);
    cr_expect(rel(m->liq_after.w[0], pos[0].line * 105 / 100) < 0.0001);
    cr_expect_eq(m->block, head_of(&W));

    /* USDC -10 %, through setAssetSources: B's and C's lines move, A's does not */
    trk_aave_tx t;
    cr_assert_eq(trk_aave_set_price(W.c, &t, &M, TRK_AAVE_USDC, 90000000u), RPC_OK);
    world_run(&W);
    movelist l2 = world_moves(W.s);
    cr_expect_eq(l2.n, l1.n + 2);
    cr_expect_eq(count_kind(&l2, l1.n, STORE_KIND_LIQUIDATION_PRICE, WHALE_B), 1);
    cr_expect_eq(count_kind(&l2, l1.n, STORE_KIND_LIQUIDATION_PRICE, ACC(6)), 1);
    for (size_t i = l1.n; i < l2.n; i++) {
        cr_expect_eq(l2.v[i].block, t.block);
        bool is_b = !memcmp(&l2.v[i].address, &b, 20);
        uint64_t before = is_b ? pos[1].line : pos[2].line;
        cr_expect_eq(l2.v[i].liq_before.w[0], before);
        cr_expect(rel(l2.v[i].liq_after.w[0], before * 9 / 10) < 0.0001, "%llu",
                  (unsigned long long)l2.v[i].liq_after.w[0]);
    }
    free(l0.v);
    free(l1.v);
    free(l2.v);
}
