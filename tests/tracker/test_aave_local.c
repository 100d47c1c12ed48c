/* tests/tracker/test_aave_local.c — the local Aave V3 market on a real anvil: deployment,
 * its determinism, and positions whose figures are checked against Aave's own arithmetic
 * (PercentageMath.percentMul, WadRayMath.wadDiv: both round half up). Each test deploys on
 * its own fresh anvil (Criterion runs every test in its own process). */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rpc/abi.h"
#include "rpc/addr.h"
#include "rpc/client.h"
#include "rpc/keccak.h"
#include "rpc/u256.h"
#include "tests/support/anvil.h"
#include "tracker/aave_local.h"
#include "watchlists/wl.h"

/* topic0s from shared/reference/mainnet.md §2 (computed there with viem). */
#define SUPPLY_TOPIC "0x2b627736bca15cd5381dcf80b0bf11fd197d01a037c52b927a881a10fb73ba61"
#define LIQUIDATION_TOPIC "0xe413a321e8681d831f4dbccbca790d2952b56f977908e45be37335533e005286"

static wt_anvil A, A2;
static rpc_client *C, *C2;
static trk_aave_market M;
static rpc_addr owner, user, lender, liquidator;

static void stop(void)
{
    rpc_client_free(C);
    rpc_client_free(C2);
    C = C2 = NULL;
    wt_anvil_stop(&A);
    wt_anvil_stop(&A2);
}

static rpc_u256 u(uint64_t v)
{
    return rpc_u256_from_u64(v);
}

/* units: v * 10^decimals. */
static rpc_u256 units(uint64_t v, unsigned decimals)
{
    rpc_u256 r = u(v), ten = u(10);
    for (unsigned i = 0; i < decimals; i++)
        cr_assert_eq(rpc_u256_mul(&r, &r, &ten), RPC_OK);
    return r;
}

static void assert_u256_eq(const rpc_u256 *got, const rpc_u256 *want, const char *what)
{
    char g[RPC_U256_DEC_MAX], w[RPC_U256_DEC_MAX];
    cr_assert_eq(rpc_u256_format_dec(g, sizeof g, got), RPC_OK);
    cr_assert_eq(rpc_u256_format_dec(w, sizeof w, want), RPC_OK);
    cr_assert_str_eq(g, w, "%s: got %s, want %s", what, g, w);
}

static void connect(wt_anvil *a, rpc_client **c)
{
    cr_assert_eq(wt_anvil_start(a, NULL), 0, "anvil did not start");
    const char *url = a->url;
    rpc_client_opts o;
    rpc_client_opts_default(&o);
    o.max_retries = 0; /* as aave_local.h asks: never send a transaction twice */
    cr_assert_eq(rpc_client_new(c, &o, &url, 1), RPC_OK);
}

/* deploy_on: deploy the market on a's chain; print its cost. */
static void deploy_on(rpc_client *c, trk_aave_market *m)
{
    char dir[512], err[512];
    cr_assert_eq(trk_aave_artifacts_dir(dir, sizeof dir, WT_TOP), RPC_OK);
    cr_assert_eq(trk_aave_account_at(c, &owner, 0), RPC_OK);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = trk_aave_deploy(c, m, err, sizeof err, dir, &owner);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    cr_assert_eq(rc, RPC_OK, "deploy: %s", err);
    cr_assert_str_eq(err, "");
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    fprintf(stderr,
            "aave_local: market deployed in %.0f ms, %u transactions, blocks %llu-%llu, "
            "%llu gas\n",
            ms, m->n_tx, (unsigned long long)m->first_block, (unsigned long long)m->block,
            (unsigned long long)m->gas_used);
}

/* start_only: a fresh chain and its account 0, no market. */
static void start_only(void)
{
    connect(&A, &C);
    cr_assert_eq(trk_aave_account_at(C, &owner, 0), RPC_OK);
}

static void setup(void)
{
    connect(&A, &C);
    deploy_on(C, &M);
    cr_assert_eq(trk_aave_account_at(C, &user, 1), RPC_OK);
    cr_assert_eq(trk_aave_account_at(C, &lender, 2), RPC_OK);
    cr_assert_eq(trk_aave_account_at(C, &liquidator, 3), RPC_OK);
}

static void get_receipt(rpc_receipt *r, const trk_aave_tx *tx)
{
    cr_assert_eq(rpc_eth_get_receipt(C, r, &tx->hash), RPC_OK);
    cr_assert_eq(r->block_number, tx->block);
}

/* find_log: the first log of r emitted by addr with topic0 (hex). */
static const rpc_log *find_log(const rpc_receipt *r, const rpc_addr *addr, const char *topic0)
{
    rpc_hash32 t;
    cr_assert_eq(rpc_hash32_parse(&t, topic0, strlen(topic0)), RPC_OK);
    for (size_t i = 0; i < r->logs.n; i++) {
        const rpc_log *l = &r->logs.v[i];
        if (l->n_topics > 0 && memcmp(&l->address, addr, sizeof *addr) == 0 &&
            memcmp(&l->topics[0], &t, sizeof t) == 0)
            return l;
    }
    return NULL;
}

/* aave_hf: wadDiv(percentMul(collateral, lt_bps), debt), Aave's rounding (half up). */
static rpc_u256 aave_hf(const rpc_u256 *collateral, uint64_t lt_bps, const rpc_u256 *debt)
{
    rpc_u256 x, half, wad = u(1000000000000000000ull), r;
    cr_assert_eq(rpc_u256_mul(&x, collateral, &(rpc_u256){{lt_bps, 0, 0, 0}}), RPC_OK);
    cr_assert_eq(rpc_u256_add(&x, &x, &(rpc_u256){{5000, 0, 0, 0}}), RPC_OK);
    cr_assert_eq(rpc_u256_divmod(&x, NULL, &x, &(rpc_u256){{10000, 0, 0, 0}}), RPC_OK);
    cr_assert_eq(rpc_u256_mul(&x, &x, &wad), RPC_OK);
    rpc_u256_shr(&half, debt, 1);
    cr_assert_eq(rpc_u256_add(&x, &x, &half), RPC_OK);
    cr_assert_eq(rpc_u256_divmod(&r, NULL, &x, debt), RPC_OK);
    return r;
}

/* open_position: lender supplies 1,000,000 USDT of liquidity; user wraps and supplies
 * 10 WETH and borrows 10,000 USDT. Out: the borrow transaction. */
static void open_position(trk_aave_tx *borrow, trk_aave_tx *supply)
{
    trk_aave_tx tx;
    rpc_u256 liquidity = units(1000000, 6), weth = units(10, 18), usdt = units(10000, 6);
    cr_assert_eq(trk_aave_mint(C, &tx, &M, &lender, TRK_AAVE_USDT, &liquidity), RPC_OK);
    cr_assert_eq(trk_aave_supply(C, &tx, &M, &lender, TRK_AAVE_USDT, &liquidity), RPC_OK);
    cr_assert_eq(trk_aave_mint(C, &tx, &M, &user, TRK_AAVE_WETH, &weth), RPC_OK);
    cr_assert_eq(trk_aave_supply(C, supply, &M, &user, TRK_AAVE_WETH, &weth), RPC_OK);
    cr_assert_eq(trk_aave_borrow(C, borrow, &M, &user, TRK_AAVE_USDT, &usdt), RPC_OK, "%s",
                 rpc_client_errmsg(C));
    cr_assert_gt(borrow->block, supply->block);
}

/* balance_of: ERC-20 balanceOf(who) of token at the latest block. */
static rpc_u256 balance_of(const rpc_addr *token, const rpc_addr *who)
{
    uint8_t data[36] = {0x70, 0xa0, 0x82, 0x31};
    memcpy(data + 16, who->b, 20);
    rpc_bytes ret;
    cr_assert_eq(rpc_eth_call(C, &ret, RPC_BLOCK_LATEST, token, data, sizeof data), RPC_OK);
    rpc_abi v;
    rpc_abi_init(&v, ret.p, ret.n);
    rpc_u256 b;
    cr_assert_eq(rpc_abi_uint(&b, &v, 0, 256), RPC_OK);
    rpc_bytes_free(&ret);
    return b;
}

Test(aave_local, a_fresh_chain_gets_a_complete_market_with_its_prices_and_tokens, .init = setup,
     .fini = stop)
{
    cr_assert_gt(M.n_tx, 40);
    cr_assert_eq(M.block - M.first_block + 1, M.n_tx, "one transaction a block (automine)");
    cr_assert_eq(wt_anvil_head(&A), (int64_t)M.block);
    static const uint64_t want[TRK_AAVE_N_ASSETS] = {300000000000u, 100000000u, 100000000u,
                                                     350000000000u};
    const rpc_addr zero = {{0}};
    for (unsigned i = 0; i < TRK_AAVE_N_ASSETS; i++) {
        const trk_aave_reserve *r = &M.reserve[i];
        rpc_u256 price;
        cr_assert_eq(trk_aave_asset_price(C, &price, &M, i, RPC_BLOCK_LATEST), RPC_OK);
        assert_u256_eq(&price, &(rpc_u256){{want[i], 0, 0, 0}}, r->symbol);
        cr_assert_neq(memcmp(&r->a_token, &zero, 20), 0, "%s aToken", r->symbol);
        cr_assert_neq(memcmp(&r->variable_debt, &zero, 20), 0, "%s debt token", r->symbol);
        cr_assert_neq(memcmp(&r->a_token, &r->variable_debt, 20), 0);
        for (unsigned j = 0; j < i; j++)
            cr_assert_neq(memcmp(&r->a_token, &M.reserve[j].a_token, 20), 0);
    }
    cr_assert_eq(trk_aave_asset_price(C, &(rpc_u256){{0}}, &M, TRK_AAVE_N_ASSETS, RPC_BLOCK_LATEST),
                 RPC_EINVAL);
}

Test(aave_local, the_watchlist_protocol_file_loads_and_names_the_deployed_contracts, .init = setup,
     .fini = stop)
{
    char path[] = "/tmp/wt_aave_protocol_XXXXXX.ini";
    int fd = mkstemps(path, 4);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    cr_assert_not_null(f);
    cr_assert_eq(trk_aave_write_protocol(f, &M), RPC_OK);
    fclose(f);

    /* Read back by the watchlist loader itself (issue 6's format). */
    wl_set *set = NULL;
    wl_errors errs = {0};
    const char *paths[] = {path};
    int rc = wl_load(&set, &errs, paths, 1, NULL);
    unlink(path);
    cr_assert_eq(rc, WL_OK, "%s", errs.n ? errs.v[0].text : wl_strerror(rc));
    cr_assert_eq(wl_protocol_count(set), 1);
    const wl_protocol *p = wl_protocol_at(set, 0);
    cr_assert_str_eq(p->name, "aave-v3-local");
    cr_assert_eq(p->kind, WL_PROTO_AAVE_V3);
    cr_assert_eq(memcmp(&p->contract, &M.pool, 20), 0, "pool");
    cr_assert_eq(memcmp(&p->oracle, &M.oracle, 20), 0, "oracle");
    cr_assert_eq(memcmp(&p->data_provider, &M.data_provider, 20), 0, "data provider");
    cr_assert_eq(memcmp(&p->addresses_provider, &M.provider, 20), 0, "addresses provider");
    wl_set_free(set);
    wl_errors_free(&errs);
}

Test(aave_local, two_fresh_chains_get_the_same_addresses, .init = setup, .fini = stop)
{
    trk_aave_market m2;
    connect(&A2, &C2);
    deploy_on(C2, &m2);
    const rpc_addr *x[] = {&M.provider, &M.pool, &M.configurator, &M.oracle, &M.data_provider};
    const rpc_addr *y[] = {&m2.provider, &m2.pool, &m2.configurator, &m2.oracle, &m2.data_provider};
    for (size_t i = 0; i < sizeof x / sizeof x[0]; i++)
        cr_assert_eq(memcmp(x[i], y[i], 20), 0, "address %zu differs", i);
    for (unsigned i = 0; i < TRK_AAVE_N_ASSETS; i++) {
        cr_assert_eq(memcmp(&M.reserve[i].asset, &m2.reserve[i].asset, 20), 0);
        cr_assert_eq(memcmp(&M.reserve[i].a_token, &m2.reserve[i].a_token, 20), 0);
        cr_assert_eq(memcmp(&M.reserve[i].variable_debt, &m2.reserve[i].variable_debt, 20), 0);
        cr_assert_eq(memcmp(&M.reserve[i].feed, &m2.reserve[i].feed, 20), 0);
    }
    cr_assert_eq(M.block, m2.block);
    cr_assert_eq(M.n_tx, m2.n_tx);
    cr_assert_eq(M.gas_used, m2.gas_used);
}

Test(aave_local, supplying_10_weth_and_borrowing_10000_usdt_gives_exact_figures_and_hf,
     .init = setup, .fini = stop)
{
    trk_aave_tx borrow, supply;
    open_position(&borrow, &supply);

    /* The Supply event comes from the Pool proxy with mainnet's topic0, after
     * ReserveUsedAsCollateralEnabled (a first supply). */
    rpc_receipt r;
    get_receipt(&r, &supply);
    const rpc_log *l = find_log(&r, &M.pool, SUPPLY_TOPIC);
    cr_assert_not_null(l, "no Supply log from the pool");
    rpc_hash32 t = rpc_keccak_topic("Supply(address,address,address,uint256,uint16)");
    cr_assert_eq(memcmp(&l->topics[0], &t, 32), 0);
    cr_assert_eq(memcmp(l->topics[1].b + 12, M.reserve[TRK_AAVE_WETH].asset.b, 20), 0);
    cr_assert_eq(memcmp(l->topics[2].b + 12, user.b, 20), 0);
    rpc_receipt_free(&r);

    /* At the borrow's block no interest has accrued yet: the figures are exact. */
    trk_aave_account acc;
    cr_assert_eq(trk_aave_account_data(C, &acc, &M, &user, borrow.block), RPC_OK);
    rpc_u256 coll = u(30000ull * 100000000u), debt = u(10000ull * 100000000u);
    assert_u256_eq(&acc.collateral_base, &coll, "collateral");
    assert_u256_eq(&acc.debt_base, &debt, "debt");
    assert_u256_eq(&acc.liq_threshold_bps, &(rpc_u256){{8250, 0, 0, 0}}, "LT");
    assert_u256_eq(&acc.ltv_bps, &(rpc_u256){{8000, 0, 0, 0}}, "LTV");
    rpc_u256 hf = aave_hf(&coll, 8250, &debt);
    assert_u256_eq(&hf, &(rpc_u256){{2475000000000000000ull, 0, 0, 0}}, "hand figure");
    assert_u256_eq(&acc.health_factor, &hf, "health factor");
    /* available = collateral * LTV - debt = 24,000 - 10,000 USD */
    assert_u256_eq(&acc.available_borrows_base, &(rpc_u256){{14000ull * 100000000u, 0, 0, 0}},
                   "available");
}

Test(aave_local, a_silent_eth_price_move_changes_the_health_factor_as_computed, .init = setup,
     .fini = stop)
{
    trk_aave_tx borrow, supply;
    open_position(&borrow, &supply);
    int64_t head = wt_anvil_head(&A);
    cr_assert_eq(trk_aave_set_price_silently(C, &M, TRK_AAVE_WETH, 200000000000u), RPC_OK);
    cr_assert_eq(wt_anvil_head(&A), head, "a silent move mines no block");
    rpc_u256 price;
    cr_assert_eq(trk_aave_asset_price(C, &price, &M, TRK_AAVE_WETH, RPC_BLOCK_LATEST), RPC_OK);
    assert_u256_eq(&price, &(rpc_u256){{200000000000u, 0, 0, 0}}, "oracle price");

    trk_aave_account acc;
    cr_assert_eq(trk_aave_account_data(C, &acc, &M, &user, RPC_BLOCK_LATEST), RPC_OK);
    rpc_u256 coll = u(20000ull * 100000000u);
    assert_u256_eq(&acc.collateral_base, &coll, "collateral at $2,000");
    rpc_u256 hf = aave_hf(&coll, 8250, &acc.debt_base);
    assert_u256_eq(&acc.health_factor, &hf, "health factor");
    cr_assert_lt(rpc_u256_to_double(&hf), 1.66e18);
    cr_assert_gt(rpc_u256_to_double(&hf), 1.64e18);
}

Test(aave_local, a_price_move_by_transaction_emits_AssetSourceUpdated_and_takes_effect,
     .init = setup, .fini = stop)
{
    rpc_addr old_feed = M.reserve[TRK_AAVE_WSTETH].feed;
    trk_aave_tx tx;
    cr_assert_eq(trk_aave_set_price(C, &tx, &M, TRK_AAVE_WSTETH, 330000000000u), RPC_OK);
    cr_assert_neq(memcmp(&old_feed, &M.reserve[TRK_AAVE_WSTETH].feed, 20), 0);
    rpc_receipt r;
    get_receipt(&r, &tx);
    char topic[67];
    rpc_hash32 t = rpc_keccak_topic("AssetSourceUpdated(address,address)");
    rpc_hash32_format(topic, &t);
    const rpc_log *l = find_log(&r, &M.oracle, topic);
    cr_assert_not_null(l, "no AssetSourceUpdated from the oracle");
    cr_assert_eq(memcmp(l->topics[1].b + 12, M.reserve[TRK_AAVE_WSTETH].asset.b, 20), 0);
    cr_assert_eq(memcmp(l->topics[2].b + 12, M.reserve[TRK_AAVE_WSTETH].feed.b, 20), 0);
    rpc_receipt_free(&r);
    rpc_u256 price;
    cr_assert_eq(trk_aave_asset_price(C, &price, &M, TRK_AAVE_WSTETH, RPC_BLOCK_LATEST), RPC_OK);
    assert_u256_eq(&price, &(rpc_u256){{330000000000u, 0, 0, 0}}, "new price");
    cr_assert_eq(trk_aave_asset_price(C, &price, &M, TRK_AAVE_WSTETH, tx.block - 1), RPC_OK);
    assert_u256_eq(&price, &(rpc_u256){{350000000000u, 0, 0, 0}}, "price the block before");
}

Test(aave_local, a_liquidation_after_a_price_crash_emits_LiquidationCall_and_pays_the_bonus,
     .init = setup, .fini = stop)
{
    trk_aave_tx borrow, supply, tx;
    open_position(&borrow, &supply);
    rpc_u256 cover = units(5000, 6);
    cr_assert_eq(trk_aave_mint(C, &tx, &M, &liquidator, TRK_AAVE_USDT, &cover), RPC_OK);
    /* Healthy: the pool refuses (HF 2.475). */
    cr_assert_eq(
        trk_aave_liquidate(C, &tx, &M, &liquidator, TRK_AAVE_WETH, TRK_AAVE_USDT, &user, &cover),
        RPC_EREVERT);
    /* ETH at $1,000: HF 0.825 < 0.95, so the whole debt may be covered. */
    cr_assert_eq(trk_aave_set_price_silently(C, &M, TRK_AAVE_WETH, 100000000000u), RPC_OK);
    trk_aave_account acc;
    cr_assert_eq(trk_aave_account_data(C, &acc, &M, &user, RPC_BLOCK_LATEST), RPC_OK);
    cr_assert_lt(rpc_u256_to_double(&acc.health_factor), 0.95e18);
    cr_assert_eq(
        trk_aave_liquidate(C, &tx, &M, &liquidator, TRK_AAVE_WETH, TRK_AAVE_USDT, &user, &cover),
        RPC_OK);

    rpc_receipt r;
    get_receipt(&r, &tx);
    const rpc_log *l = find_log(&r, &M.pool, LIQUIDATION_TOPIC);
    cr_assert_not_null(l, "no LiquidationCall from the pool");
    cr_assert_eq(memcmp(l->topics[3].b + 12, user.b, 20), 0);
    rpc_abi v;
    rpc_abi_init(&v, l->data, l->data_len);
    rpc_u256 covered, seized;
    rpc_addr who;
    cr_assert_eq(rpc_abi_uint(&covered, &v, 0, 256), RPC_OK);
    cr_assert_eq(rpc_abi_uint(&seized, &v, 1, 256), RPC_OK);
    cr_assert_eq(rpc_abi_address(&who, &v, 2), RPC_OK);
    assert_u256_eq(&covered, &cover, "debt covered");
    /* 5,000 USDT at $1 for ETH at $1,000, plus the 5 % bonus: 5.25 WETH. */
    rpc_u256 want = units(525, 16);
    assert_u256_eq(&seized, &want, "collateral seized");
    cr_assert_eq(memcmp(&who, &liquidator, 20), 0);
    rpc_receipt_free(&r);
    rpc_u256 got = balance_of(&M.reserve[TRK_AAVE_WETH].asset, &liquidator);
    assert_u256_eq(&got, &want, "liquidator's WETH");
}

Test(aave_local, repaying_and_withdrawing_everything_closes_the_position, .init = setup,
     .fini = stop)
{
    trk_aave_tx borrow, supply, tx;
    open_position(&borrow, &supply);
    rpc_u256 all, one = units(1, 6);
    memset(&all, 0xff, sizeof all);
    /* A little more USDT than borrowed, for interest accrued since. */
    cr_assert_eq(trk_aave_mint(C, &tx, &M, &user, TRK_AAVE_USDT, &one), RPC_OK);
    cr_assert_eq(trk_aave_repay(C, &tx, &M, &user, TRK_AAVE_USDT, &all), RPC_OK, "%s",
                 rpc_client_errmsg(C));
    cr_assert_eq(trk_aave_withdraw(C, &tx, &M, &user, TRK_AAVE_WETH, &all), RPC_OK);
    trk_aave_account acc;
    cr_assert_eq(trk_aave_account_data(C, &acc, &M, &user, tx.block), RPC_OK);
    cr_assert(rpc_u256_is_zero(&acc.collateral_base));
    cr_assert(rpc_u256_is_zero(&acc.debt_base));
    rpc_u256 weth = balance_of(&M.reserve[TRK_AAVE_WETH].asset, &user), want = units(10, 18);
    assert_u256_eq(&weth, &want, "the 10 WETH came back (no WETH was borrowed: no interest)");
    rpc_u256 a = balance_of(&M.reserve[TRK_AAVE_WETH].a_token, &user);
    cr_assert(rpc_u256_is_zero(&a), "no aWETH left");

    /* A transfer moves the underlying token. */
    cr_assert_eq(trk_aave_transfer(C, &tx, &M, &user, TRK_AAVE_WETH, &lender, &want), RPC_OK);
    rpc_u256 lb = balance_of(&M.reserve[TRK_AAVE_WETH].asset, &lender);
    assert_u256_eq(&lb, &want, "lender's WETH");
}

Test(aave_local, a_missing_artifacts_directory_fails_naming_the_file_and_sends_nothing,
     .init = start_only, .fini = stop)
{
    int64_t head = wt_anvil_head(&A);
    trk_aave_market m;
    memset(&m, 0xaa, sizeof m);
    char err[512];
    cr_assert_eq(trk_aave_deploy(C, &m, err, sizeof err, "/nonexistent", &owner), RPC_ENOTFOUND);
    cr_assert_not_null(strstr(err, "/nonexistent/protocol/configuration/PoolAddressesProvider"),
                       "%s", err);
    const trk_aave_market zero = {0};
    cr_assert_eq(memcmp(&m, &zero, sizeof m), 0, "the market is zeroed on error");
    cr_assert_eq(wt_anvil_head(&A), head);
}

Test(aave_local, an_asset_outside_the_market_is_refused_before_anything_is_sent, .init = setup,
     .fini = stop)
{
    int64_t head = wt_anvil_head(&A);
    trk_aave_tx tx;
    rpc_u256 one = u(1);
    memset(&tx, 0xaa, sizeof tx);
    cr_assert_eq(trk_aave_supply(C, &tx, &M, &user, TRK_AAVE_N_ASSETS, &one), RPC_EINVAL);
    const trk_aave_tx zero = {0};
    cr_assert_eq(memcmp(&tx, &zero, sizeof tx), 0);
    cr_assert_eq(trk_aave_liquidate(C, &tx, &M, &user, TRK_AAVE_WETH, 7, &user, &one), RPC_EINVAL);
    cr_assert_eq(trk_aave_set_price(C, &tx, &M, 9, 1), RPC_EINVAL);
    cr_assert_eq(trk_aave_set_price_silently(C, &M, 9, 1), RPC_EINVAL);
    cr_assert_eq(wt_anvil_head(&A), head);
}
