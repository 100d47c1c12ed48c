/* tests/tracker/test_lending_dec.c — the aave-v3 and morpho-blue decoder rows: every
 * event of shared/reference/mainnet.md §2 built with its keccak topic decodes to the
 * position's owner, the other party, assets and amounts; logs of other contracts, other
 * Morpho markets and other shapes are not claimed; a dirty address topic is an error;
 * filters stay a few OR-lists however long the watchlist. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "rpc/keccak.h"
#include "rpc/u256.h"
#include "tracker/event.h"

static wl_set *SET;
static char DIR_[64];
static const uint8_t POOL = 0x51, MORPHO = 0x52, OWNER = 0x0a, OTHER = 0x0b, ASSET = 0xa5,
                     ASSET2 = 0xa6;
static rpc_hash32 MARKET = {{0x4d, 0x4d}};

static void load(void)
{
    snprintf(DIR_, sizeof DIR_, "/tmp/lenddec.XXXXXX");
    cr_assert(mkdtemp(DIR_));
    char path[128];
    snprintf(path, sizeof path, "%s/w.ini", DIR_);
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fprintf(f, "[entity \"Whale\"]\naddress = 0x%040x\n\n", OWNER);
    fprintf(f,
            "[protocol \"aave\"]\nkind = aave-v3\npool = 0x%040x\noracle = 0x%040x\n"
            "data_provider = 0x%040x\n\n",
            POOL, 0x61, 0x62);
    fprintf(f, "[protocol \"morpho\"]\nkind = morpho-blue\nmorpho = 0x%040x\nmarket = 0x4d4d",
            MORPHO);
    for (int i = 0; i < 60; i++)
        fputc('0', f);
    fputc('\n', f);
    fclose(f);
    wl_errors errs = {0};
    const char *paths[1] = {path};
    int rc = wl_load(&SET, &errs, paths, 1, NULL);
    cr_assert_eq(rc, WL_OK, "%s", errs.n ? errs.v[0].text : wl_strerror(rc));
    wl_errors_free(&errs);
}

static void unload(void)
{
    wl_set_free(SET);
    SET = NULL;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", DIR_);
    cr_assert_eq(system(cmd), 0);
}

/* A log of emitter e with topic0 = keccak(sig), topics t1..t3 (0 = absent when n says so)
 * and data words w[0..nw) (small numbers; 0xff.. marks an address byte). */
static rpc_log mklog(uint8_t e, const char *sig, size_t ntopics, const rpc_hash32 *t, uint8_t *data,
                     size_t nw, const uint64_t *w)
{
    rpc_log l;
    memset(&l, 0, sizeof l);
    l.address.b[19] = e;
    l.topics[0] = rpc_keccak_topic(sig);
    for (size_t i = 1; i < ntopics; i++)
        l.topics[i] = t[i - 1];
    l.n_topics = ntopics;
    memset(data, 0, 32 * nw);
    for (size_t i = 0; i < nw; i++) {
        rpc_u256 v = rpc_u256_from_u64(w[i]);
        rpc_u256_to_be32(data + 32 * i, &v);
    }
    l.data = data;
    l.data_len = 32 * nw;
    l.block_number = 9;
    l.log_index = 4;
    return l;
}

static rpc_hash32 word(uint8_t low)
{
    rpc_hash32 h;
    memset(&h, 0, sizeof h);
    h.b[31] = low;
    return h;
}

static trk_event decode(const rpc_log *l, bool want)
{
    trk_watch w = {NULL, 0, NULL, 0, SET, 1000};
    trk_event ev;
    bool ok;
    cr_assert_eq(trk_decode_log(&ev, &ok, l, &w), TRK_OK);
    cr_assert_eq(ok, want, "claimed: %d", ok);
    return ev;
}

static void expect_addr(const rpc_addr *a, uint8_t low, const char *what)
{
    rpc_addr want;
    memset(&want, 0, sizeof want);
    want.b[19] = low;
    cr_expect(!memcmp(a, &want, 20), "%s: ...%02x, want ...%02x", what, a->b[19], low);
}

Test(lending_dec, every_aave_event_decodes_to_owner_party_assets_and_amounts, .init = load,
     .fini = unload)
{
    uint8_t d[32 * 4];
    rpc_hash32 t[3] = {word(ASSET), word(OWNER), word(7)};
    /* Supply(reserve[i], user, onBehalfOf[i], amount, referralCode[i]) */
    rpc_log l = mklog(POOL, "Supply(address,address,address,uint256,uint16)", 4, t, d, 2,
                      (uint64_t[]){OTHER, 1000});
    trk_event ev = decode(&l, true);
    cr_expect_eq(ev.kind, TRK_EV_LEND_SUPPLY);
    cr_expect_eq(ev.protocol, TRK_PROTO_AAVE_V3);
    expect_addr(&ev.from, OWNER, "owner");
    expect_addr(&ev.to, OTHER, "caller");
    expect_addr(&ev.asset, ASSET, "reserve");
    expect_addr(&ev.contract, POOL, "pool");
    cr_expect_eq(ev.amount.w[0], 1000);
    cr_expect_eq(ev.block, 9);
    cr_expect_eq(ev.log_index, 4);
    l = mklog(POOL, "Borrow(address,address,address,uint256,uint8,uint256,uint16)", 4, t, d, 4,
              (uint64_t[]){OTHER, 2000, 2, 5});
    ev = decode(&l, true);
    cr_expect_eq(ev.kind, TRK_EV_LEND_BORROW);
    expect_addr(&ev.from, OWNER, "owner");
    cr_expect_eq(ev.amount.w[0], 2000);
    t[2] = word(OTHER); /* Withdraw.to, Repay.repayer */
    l = mklog(POOL, "Withdraw(address,address,address,uint256)", 4, t, d, 1, (uint64_t[]){30});
    ev = decode(&l, true);
    cr_expect_eq(ev.kind, TRK_EV_LEND_WITHDRAW);
    expect_addr(&ev.to, OTHER, "to");
    cr_expect_eq(ev.amount.w[0], 30);
    l = mklog(POOL, "Repay(address,address,address,uint256,bool)", 4, t, d, 2, (uint64_t[]){40, 1});
    ev = decode(&l, true);
    cr_expect_eq(ev.kind, TRK_EV_LEND_REPAY);
    expect_addr(&ev.from, OWNER, "owner");
    cr_expect_eq(ev.amount.w[0], 40);
    /* LiquidationCall(collateral[i], debt[i], user[i], debtToCover, collateral, liquidator,
     * receiveAToken) */
    rpc_hash32 tl[3] = {word(ASSET), word(ASSET2), word(OWNER)};
    l = mklog(POOL, "LiquidationCall(address,address,address,uint256,uint256,address,bool)", 4, tl,
              d, 4, (uint64_t[]){600, 450, OTHER, 0});
    ev = decode(&l, true);
    cr_expect_eq(ev.kind, TRK_EV_LEND_LIQUIDATED);
    expect_addr(&ev.from, OWNER, "user");
    expect_addr(&ev.to, OTHER, "liquidator");
    expect_addr(&ev.asset, ASSET, "collateral");
    expect_addr(&ev.asset2, ASSET2, "debt");
    cr_expect_eq(ev.amount.w[0], 450);
    cr_expect_eq(ev.amount2.w[0], 600);
    l = mklog(POOL, "ReserveUsedAsCollateralEnabled(address,address)", 3, t, d, 0, NULL);
    cr_expect_eq(decode(&l, true).kind, TRK_EV_LEND_COLL_ON);
    l = mklog(POOL, "ReserveUsedAsCollateralDisabled(address,address)", 3, t, d, 0, NULL);
    ev = decode(&l, true);
    cr_expect_eq(ev.kind, TRK_EV_LEND_COLL_OFF);
    expect_addr(&ev.from, OWNER, "user");
    rpc_hash32 te[1] = {word(OWNER)};
    l = mklog(POOL, "UserEModeSet(address,uint8)", 2, te, d, 1, (uint64_t[]){1});
    ev = decode(&l, true);
    cr_expect_eq(ev.kind, TRK_EV_LEND_EMODE);
    expect_addr(&ev.from, OWNER, "user");
    rpc_hash32 tf[3] = {word(OWNER), word(ASSET), word(0)};
    l = mklog(POOL, "FlashLoan(address,address,address,uint256,uint8,uint256,uint16)", 4, tf, d, 4,
              (uint64_t[]){OTHER, 77, 2, 1});
    ev = decode(&l, true);
    cr_expect_eq(ev.kind, TRK_EV_LEND_FLASHLOAN);
    expect_addr(&ev.asset, ASSET, "asset");
    cr_expect_eq(ev.amount.w[0], 77);
}

Test(lending_dec, every_morpho_event_decodes_to_owner_party_market_and_amounts, .init = load,
     .fini = unload)
{
    uint8_t d[32 * 5];
    rpc_hash32 t3[3] = {MARKET, word(OTHER), word(OWNER)}; /* id, caller, onBehalf */
    rpc_hash32 t2[3] = {MARKET, word(OWNER), word(OTHER)}; /* id, onBehalf, receiver */
    struct {
        const char *sig;
        const rpc_hash32 *t;
        size_t nw;
        uint64_t w[5];
        uint16_t kind;
        uint64_t amount;
    } cases[] = {
        {"Supply(bytes32,address,address,uint256,uint256)",
         t3,
         2,
         {11, 12},
         TRK_EV_LEND_SUPPLY,
         11},
        {"Repay(bytes32,address,address,uint256,uint256)", t3, 2, {13, 14}, TRK_EV_LEND_REPAY, 13},
        {"SupplyCollateral(bytes32,address,address,uint256)",
         t3,
         1,
         {15},
         TRK_EV_LEND_SUPPLY_COLL,
         15},
        {"Withdraw(bytes32,address,address,address,uint256,uint256)",
         t2,
         3,
         {OTHER, 16, 17},
         TRK_EV_LEND_WITHDRAW,
         16},
        {"Borrow(bytes32,address,address,address,uint256,uint256)",
         t2,
         3,
         {OTHER, 18, 19},
         TRK_EV_LEND_BORROW,
         18},
        {"WithdrawCollateral(bytes32,address,address,address,uint256)",
         t2,
         2,
         {OTHER, 20},
         TRK_EV_LEND_WITHDRAW_COLL,
         20},
        /* repaidAssets, repaidShares, seizedAssets, badDebtAssets, badDebtShares */
        {"Liquidate(bytes32,address,address,uint256,uint256,uint256,uint256,uint256)",
         t3,
         5,
         {21, 22, 23, 0, 0},
         TRK_EV_LEND_LIQUIDATED,
         23},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rpc_log l = mklog(MORPHO, cases[i].sig, 4, cases[i].t, d, cases[i].nw, cases[i].w);
        trk_event ev = decode(&l, true);
        cr_expect_eq(ev.kind, cases[i].kind, "%s", cases[i].sig);
        cr_expect_eq(ev.protocol, TRK_PROTO_MORPHO_BLUE);
        expect_addr(&ev.from, OWNER, cases[i].sig);
        expect_addr(&ev.to, OTHER, cases[i].sig);
        cr_expect(!memcmp(&ev.market, &MARKET, 32), "%s", cases[i].sig);
        cr_expect_eq(ev.amount.w[0], cases[i].amount, "%s", cases[i].sig);
    }
    rpc_log l = mklog(MORPHO, cases[6].sig, 4, t3, d, 5, cases[6].w);
    cr_expect_eq(decode(&l, true).amount2.w[0], 21, "debt covered: repaidAssets");
}

Test(lending_dec, logs_of_other_contracts_markets_and_shapes_are_not_claimed, .init = load,
     .fini = unload)
{
    uint8_t d[32 * 4];
    rpc_hash32 t[3] = {word(ASSET), word(OWNER), word(7)};
    const char *supply = "Supply(address,address,address,uint256,uint16)";
    rpc_log l = mklog(0x99, supply, 4, t, d, 2, (uint64_t[]){OTHER, 1});
    decode(&l, false); /* not a pool of the watchlist */
    l = mklog(POOL, supply, 4, t, d, 1, (uint64_t[]){OTHER});
    decode(&l, false); /* a short data part is another event's shape */
    l = mklog(POOL, "ReserveDataUpdated(address,uint256,uint256,uint256,uint256,uint256)", 2, t, d,
              4, (uint64_t[]){1, 2, 3, 4});
    decode(&l, false);
    rpc_hash32 other_market[3] = {{{0x4e}}, word(OTHER), word(OWNER)};
    l = mklog(MORPHO, "Supply(bytes32,address,address,uint256,uint256)", 4, other_market, d, 2,
              (uint64_t[]){1, 1});
    decode(&l, false); /* the watchlist names one market */
    l = mklog(POOL, "Supply(bytes32,address,address,uint256,uint256)", 4, other_market, d, 2,
              (uint64_t[]){1, 1});
    decode(&l, false); /* Morpho's event from an Aave pool */
}

Test(lending_dec, an_address_topic_with_dirty_high_bytes_is_a_decode_error, .init = load,
     .fini = unload)
{
    uint8_t d[32 * 2];
    rpc_hash32 t[3] = {word(ASSET), word(OWNER), word(7)};
    t[1].b[0] = 0x01;
    rpc_log l = mklog(POOL, "Supply(address,address,address,uint256,uint16)", 4, t, d, 2,
                      (uint64_t[]){OTHER, 1});
    trk_watch w = {NULL, 0, NULL, 0, SET, 1000};
    trk_event ev;
    bool ok = true;
    cr_expect_eq(trk_decode_log(&ev, &ok, &l, &w), TRK_EDECODE);
    cr_expect(!ok);
}

Test(lending_dec, filters_are_a_few_or_lists_for_2500_owners, .init = load, .fini = unload)
{
    enum { N = 2500 };
    rpc_addr *a = calloc(N, sizeof *a);
    cr_assert(a);
    for (size_t i = 0; i < N; i++) {
        a[i].b[18] = (uint8_t)(i >> 8);
        a[i].b[19] = (uint8_t)i;
    }
    trk_watch w = {a, N, NULL, 0, SET, 1000};
    trk_filters fs;
    cr_assert_eq(trk_filters_build(&fs, &w), TRK_OK);
    size_t aave = 0, morpho = 0, n;
    const trk_decoder *d = trk_decoders(&n);
    for (size_t i = 0; i < fs.n; i++) {
        const char *k = d[fs.decoder[i]].kind;
        aave += !strcmp(k, "aave-v3");
        morpho += !strcmp(k, "morpho-blue");
        for (int t = 1; t < 4; t++)
            cr_expect(fs.v[i].n_topics[t] <= 1000);
    }
    cr_expect_eq(aave, 3 * 3, "3 owner positions x 3 chunks");
    cr_expect_eq(morpho, 2 * 3, "2 owner positions x 3 chunks");
    trk_filters_free(&fs);
    free(a);
}
