/* tests/tracker/test_lending_morpho.c — the tracker on a real Morpho Blue 1.0.0 (compiled
 * from npm @morpho-org/morpho-blue with solc-js 0.8.19 at build time; OracleMock, IrmMock)
 * on anvil: collateral supplied, a borrow, a repay, the oracle falling through the warning
 * line and below 1 with no transaction of the borrower (after a restart), a liquidation. Health
 * factors are checked against Morpho's isHealthy arithmetic on position(), market() and price()
 * read at each block. */
#include <cjson/cJSON.h>

#include "lend_testutil.h"
#include "rpc/keccak.h"

static world W;
static void stop(void)
{
    world_stop(&W);
}

static char loan[43], coll[43], morpho[43], oracle[43], irm[43], id_hex[67];
static rpc_hash32 id;
#define LLTV "860000000000000000"

/* creation code of contract name from the build's morpho-blue.json, ctor args appended. */
static void deploy(char out[43], const char *name, const char *args_hex)
{
    size_t len;
    char *text = wt_read_file(WT_BUILD_DIR "/morpho-blue.json", &len);
    cr_assert(text, "morpho-blue.json: built by the morpho_artifacts target");
    cJSON *j = cJSON_Parse(text);
    free(text);
    cr_assert(j);
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(j, name);
    cr_assert(cJSON_IsString(code));
    size_t n = strlen(code->valuestring) + strlen(args_hex) + 1;
    char *init = malloc(n);
    cr_assert(init);
    snprintf(init, n, "%s%s", code->valuestring, args_hex);
    cJSON_Delete(j);
    cr_assert_eq(wt_anvil_deploy(&W.A, DEPLOYER, init, out), 0, "deploy %s", name);
    free(init);
}

#define PARAMS "(address,address,address,address,uint256)"
static void call(const char *from, const char *to, const char *sig, int n, const char *a0,
                 const char *a1, const char *a2, const char *a3, const char *a4)
{
    int rc = n == 1   ? wt_token_call(&W.A, from, to, NULL, NULL, sig, 1, a0)
             : n == 2 ? wt_token_call(&W.A, from, to, NULL, NULL, sig, 2, a0, a1)
             : n == 4 ? wt_token_call(&W.A, from, to, NULL, NULL, sig, 9, loan, coll, oracle, irm,
                                      LLTV, a0, a1, a2, a3)
                      : wt_token_call(&W.A, from, to, NULL, NULL, sig, 10, loan, coll, oracle, irm,
                                      LLTV, a0, a1, a2, a3, a4);
    cr_assert_eq(rc, 0, "%s", sig);
}

/* A fresh chain with one market: USDC-like loan (6 decimals), WETH-like collateral (18),
 * oracle at $2,000, LLTV 86 %; a lender with 1,000,000 USDC in it; the watchlist. */
static void morpho_world(void)
{
    memset(&W, 0, sizeof W);
    cr_assert_eq(wt_anvil_start(&W.A, NULL), 0);
    cr_assert_eq(wt_anvil_install_multicall3(&W.A), 0);
    cr_assert_eq(wt_token_deploy(&W.A, DEPLOYER, "USD Coin", "USDC", 6, loan), 0);
    cr_assert_eq(wt_token_deploy(&W.A, DEPLOYER, "Wrapped Ether", "WETH", 18, coll), 0);
    char owner[65];
    snprintf(owner, sizeof owner, "000000000000000000000000%s", DEPLOYER + 2);
    deploy(morpho, "Morpho", owner);
    deploy(oracle, "OracleMock", "");
    deploy(irm, "IrmMock", "");
    /* 2,000 USDC per WETH: 2000 * 1e36 * 1e6 / 1e18 */
    call(DEPLOYER, oracle, "setPrice(uint256)", 1, "2000000000000000000000000000", 0, 0, 0, 0);
    call(DEPLOYER, morpho, "enableIrm(address)", 1, irm, 0, 0, 0, 0);
    call(DEPLOYER, morpho, "enableLltv(uint256)", 1, LLTV, 0, 0, 0, 0);
    cr_assert_eq(wt_token_call(&W.A, DEPLOYER, morpho, NULL, NULL, "createMarket(" PARAMS ")", 5,
                               loan, coll, oracle, irm, LLTV),
                 0);
    uint8_t enc[160] = {0};
    const char *words[4] = {loan, coll, oracle, irm};
    for (int i = 0; i < 4; i++) {
        rpc_addr a = addr_of(words[i]);
        memcpy(enc + 32 * i + 12, a.b, 20);
    }
    rpc_u256 lltv = u256_of(LLTV);
    rpc_u256_to_be32(enc + 128, &lltv);
    rpc_keccak256(id.b, enc, sizeof enc);
    rpc_hash32_format(id_hex, &id);
    call(LENDER, loan, "mint(uint256)", 1, "1000000000000", 0, 0, 0, 0);
    call(LENDER, loan, "approve(address,uint256)", 2, morpho, "1000000000000", 0, 0, 0);
    call(LENDER, morpho, "supply(" PARAMS ",uint256,uint256,address,bytes)", 5, "1000000000000",
         "0", LENDER, "288", "0");

    snprintf(W.dir, sizeof W.dir, "/tmp/morphotest.XXXXXX");
    cr_assert(mkdtemp(W.dir));
    snprintf(W.wl, sizeof W.wl, "%s/wl", W.dir);
    snprintf(W.data, sizeof W.data, "%s/data", W.dir);
    cr_assert_eq(mkdir(W.wl, 0700), 0);
    char path[160];
    snprintf(path, sizeof path, "%s/watch.ini", W.wl);
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fprintf(f, "[entity \"Whale\"]\naddress = %s\naddress = %s\nsince = 0\n\n", WHALE_A, WHALE_B);
    fprintf(f, "[rules]\nmin_usd = 1\nhealth_factor_warn = 1.5\n\n");
    fprintf(f, "[protocol \"morpho-local\"]\nkind = morpho-blue\nmorpho = %s\nmarket = %s\n",
            morpho, id_hex);
    fclose(f);
    world_open(&W, head_of(&W) + 1);
}

/* Morpho's own arithmetic at block: HF = collateral * price / 1e36 * lltv / 1e18 * 1e18 /
 * borrowAssets (shares rounded up), read with eth_call. */
static rpc_u256 morpho_hf(uint64_t block)
{
    rpc_addr mo = addr_of(morpho), orc = addr_of(oracle), a = addr_of(WHALE_A);
    uint8_t cd[68] = {0x93, 0xc5, 0x20, 0x62};
    memcpy(cd + 4, id.b, 32);
    memcpy(cd + 36 + 12, a.b, 20);
    rpc_bytes pos = {0}, mk = {0}, pr = {0};
    cr_assert_eq(rpc_eth_call(W.c, &pos, block, &mo, cd, 68), RPC_OK);
    cd[0] = 0x5c, cd[1] = 0x60, cd[2] = 0xe3, cd[3] = 0x9a;
    cr_assert_eq(rpc_eth_call(W.c, &mk, block, &mo, cd, 36), RPC_OK);
    uint8_t ps[4] = {0xa0, 0x35, 0xb1, 0xfe};
    cr_assert_eq(rpc_eth_call(W.c, &pr, block, &orc, ps, 4), RPC_OK);
    rpc_u256 shares, collat, ta, ts, price, one = rpc_u256_from_u64(1);
    rpc_u256_from_be32(&shares, pos.p + 32);
    rpc_u256_from_be32(&collat, pos.p + 64);
    rpc_u256_from_be32(&ta, mk.p + 64);
    rpc_u256_from_be32(&ts, mk.p + 96);
    rpc_u256_from_be32(&price, pr.p);
    rpc_bytes_free(&pos);
    rpc_bytes_free(&mk);
    rpc_bytes_free(&pr);
    /* toAssetsUp: (shares * (ta + 1) + (ts + 1e6) - 1) / (ts + 1e6) */
    rpc_u256 a1, s1, num, borrow, x, hf, e36 = units(1, 36), wad = units(1, 18),
                                         lltv = u256_of(LLTV);
    cr_assert_eq(rpc_u256_add(&a1, &ta, &one), RPC_OK);
    cr_assert_eq(rpc_u256_add(&s1, &ts, &(rpc_u256){{1000000}}), RPC_OK);
    cr_assert_eq(rpc_u256_mul(&num, &shares, &a1), RPC_OK);
    cr_assert_eq(rpc_u256_add(&num, &num, &s1), RPC_OK);
    cr_assert_eq(rpc_u256_sub(&num, &num, &one), RPC_OK);
    cr_assert_eq(rpc_u256_divmod(&borrow, NULL, &num, &s1), RPC_OK);
    cr_assert_eq(rpc_u256_muldiv(&x, &collat, &price, &e36), RPC_OK);
    cr_assert_eq(rpc_u256_muldiv(&x, &x, &lltv, &wad), RPC_OK);
    cr_assert_eq(rpc_u256_muldiv(&hf, &x, &wad, &borrow), RPC_OK);
    return hf;
}

Test(lending_morpho, collateral_borrow_repay_price_falls_and_a_liquidation_give_the_expected_moves,
     .fini = stop, .timeout = 300)
{
    morpho_world();
    call(WHALE_A, coll, "mint(uint256)", 1, "100000000000000000000", 0, 0, 0, 0);
    call(WHALE_A, coll, "approve(address,uint256)", 2, morpho, "100000000000000000000", 0, 0, 0);
    call(WHALE_A, morpho, "supplyCollateral(" PARAMS ",uint256,address,bytes)", 4,
         "100000000000000000000", WHALE_A, "256", "0", 0);
    uint64_t b_coll = head_of(&W);
    call(WHALE_A, morpho, "borrow(" PARAMS ",uint256,uint256,address,address)", 4, "100000000000",
         "0", WHALE_A, WHALE_A, 0);
    uint64_t b_borrow = head_of(&W);
    call(WHALE_A, loan, "approve(address,uint256)", 2, morpho, "20000000000", 0, 0, 0);
    call(WHALE_A, morpho, "repay(" PARAMS ",uint256,uint256,address,bytes)", 5, "20000000000", "0",
         WHALE_A, "288", "0");
    uint64_t b_repay = head_of(&W);
    world_run(&W);
    /* a restart: the position comes back from the store, its market's parameters are
     * learnt again from it (no event names the market from here to the liquidation) */
    world_close(&W);
    world_open(&W, 0);
    rpc_u256 hf_borrow = morpho_hf(b_borrow), hf_repay = morpho_hf(b_repay);
    /* the oracle falls to $1,000 (HF through 1.5), then $900 (through 1): no borrower tx */
    call(DEPLOYER, oracle, "setPrice(uint256)", 1, "1000000000000000000000000000", 0, 0, 0, 0);
    uint64_t b_fall1 = head_of(&W);
    world_run(&W);
    call(DEPLOYER, oracle, "setPrice(uint256)", 1, "900000000000000000000000000", 0, 0, 0, 0);
    uint64_t b_fall2 = head_of(&W);
    world_run(&W);
    call(LIQUIDATOR, loan, "mint(uint256)", 1, "1000000000000", 0, 0, 0, 0);
    call(LIQUIDATOR, loan, "approve(address,uint256)", 2, morpho, "1000000000000", 0, 0, 0);
    char txh[67];
    cr_assert_eq(wt_token_call(&W.A, LIQUIDATOR, morpho, NULL, txh,
                               "liquidate(" PARAMS ",address,uint256,uint256,bytes)", 10, loan,
                               coll, oracle, irm, LLTV, WHALE_A, "10000000000000000000", "0", "288",
                               "0"),
                 0);
    uint64_t b_liq = head_of(&W);
    world_run(&W);

    movelist l = world_moves(W.s);
    char buf[512];
    cr_assert_str_eq(kinds(buf, sizeof buf, &l),
                     "transfer_in,position_opened,supply,borrow,repay,health_factor,"
                     "health_factor,liquidated,liquidated");
    const store_move *m = l.v;
    rpc_addr la = addr_of(loan), ca = addr_of(coll), lq = addr_of(LIQUIDATOR);
    for (size_t i = 1; i < l.n; i++) {
        cr_expect_eq(m[i].protocol, TRK_PROTO_MORPHO_BLUE, "%zu", i);
        cr_expect(m[i].flags & STORE_MOVE_HAS_HF);
    }
    cr_expect_eq(m[2].block, b_coll);
    cr_expect(!memcmp(&m[2].asset, &ca, 20));
    rpc_u256 c100 = units(100, 18), b100 = units(100000, 6), r20 = units(20000, 6);
    assert_u256_eq(&m[2].amount, &c100);
    cr_expect_eq(m[2].decimals, 18);
    /* 100 WETH at 2,000 USDC: 200,000 in the loan token, 8 decimals */
    rpc_u256 v = units(200000, 8);
    assert_u256_eq(&m[2].usd, &v);
    cr_expect_eq(m[3].block, b_borrow);
    cr_expect(!memcmp(&m[3].asset, &la, 20));
    assert_u256_eq(&m[3].amount, &b100);
    assert_u256_eq(&m[3].hf_after, &hf_borrow);
    cr_expect_eq(m[4].block, b_repay);
    assert_u256_eq(&m[4].amount, &r20);
    assert_u256_eq(&m[4].hf_before, &hf_borrow);
    assert_u256_eq(&m[4].hf_after, &hf_repay);
    /* the line after the repay: 80,000 / (100 x 0.86) = 930.23255813 USDC per WETH */
    cr_expect(m[4].liq_after.w[0] >= 93023255800ull && m[4].liq_after.w[0] <= 93023255814ull,
              "%llu", (unsigned long long)m[4].liq_after.w[0]);
    cr_expect_eq(m[5].block, b_fall1);
    rpc_u256 hf1 = morpho_hf(b_fall1), hf2 = morpho_hf(b_fall2);
    assert_u256_eq(&m[5].hf_before, &hf_repay);
    assert_u256_eq(&m[5].hf_after, &hf1);
    cr_expect_eq(m[6].block, b_fall2);
    assert_u256_eq(&m[6].hf_after, &hf2);
    cr_expect(rpc_u256_cmp(&hf2, &(rpc_u256){{1000000000000000000ull}}) < 0);
    cr_expect_eq(m[7].block, b_liq);
    cr_expect(!memcmp(&m[7].asset, &ca, 20));
    rpc_u256 c10 = units(10, 18);
    assert_u256_eq(&m[7].amount, &c10);
    cr_expect(!memcmp(&m[8].asset, &la, 20));
    cr_expect(!memcmp(&m[7].counterparty, &lq, 20));
    /* the debt covered is the Liquidate event's repaidAssets */
    rpc_hash32 th;
    cr_assert_eq(rpc_hash32_parse(&th, txh, strlen(txh)), RPC_OK);
    rpc_receipt rc = {0};
    cr_assert_eq(rpc_eth_get_receipt(W.c, &rc, &th), RPC_OK);
    rpc_hash32 t_liq = rpc_keccak_topic(
        "Liquidate(bytes32,address,address,uint256,uint256,uint256,uint256,uint256)");
    bool found = false;
    for (size_t i = 0; i < rc.logs.n; i++)
        if (rc.logs.v[i].n_topics && !memcmp(&rc.logs.v[i].topics[0], &t_liq, 32)) {
            rpc_u256 repaid;
            rpc_u256_from_be32(&repaid, rc.logs.v[i].data);
            assert_u256_eq(&m[8].amount, &repaid);
            found = true;
        }
    cr_expect(found);
    rpc_receipt_free(&rc);
    for (size_t i = 0; i < l.n; i++)
        fprintf(stderr, "lending_morpho: %s hf %s -> %s liq %s -> %s\n",
                move_text(buf, sizeof buf, &l.v[i]),
                dec((char[RPC_U256_DEC_MAX]){0}, &l.v[i].hf_before),
                dec((char[RPC_U256_DEC_MAX]){0}, &l.v[i].hf_after),
                dec((char[RPC_U256_DEC_MAX]){0}, &l.v[i].liq_before),
                dec((char[RPC_U256_DEC_MAX]){0}, &l.v[i].liq_after));
    free(l.v);
}
