/* tests/tracker/test_liq.c — liquidation line and health factor, against hand-computed
 * figures (DESIGN.md's formula worked by hand) and an independent floating-point model. */
#include <math.h>
#include <string.h>

#include <criterion/criterion.h>

#include "rpc/u256.h"
#include "tracker/liq.h"

static rpc_u256 u(uint64_t v)
{
    return rpc_u256_from_u64(v);
}

/* v * 10^e, exact */
static rpc_u256 ue(uint64_t v, unsigned e)
{
    rpc_u256 r = u(v), ten = u(10);
    while (e--)
        cr_assert_eq(rpc_u256_mul(&r, &r, &ten), 0);
    return r;
}

static struct trk_liq_asset coll(uint64_t whole, unsigned dec, uint64_t usd, uint64_t lt_bps,
                                 bool eth)
{
    struct trk_liq_asset a = {ue(whole, dec), dec, ue(usd, 8), ue(lt_bps, 14), eth, false};
    return a;
}

static struct trk_liq_asset debt(uint64_t whole, unsigned dec, uint64_t usd, bool eth)
{
    struct trk_liq_asset a = {ue(whole, dec), dec, ue(usd, 8), u(0), eth, true};
    return a;
}

static double d(const rpc_u256 *x)
{
    return rpc_u256_to_double(x);
}

/* An independent model in long double: HF(k) with ETH-correlated prices scaled by k. */
static long double model_hf(const struct trk_liq_asset *as, size_t n, long double k)
{
    long double c = 0, dd = 0;
    for (size_t i = 0; i < n; i++) {
        long double v = (long double)d(&as[i].amount) / powl(10, as[i].decimals) *
                        (long double)d(&as[i].price) / 1e8L * (as[i].eth ? k : 1);
        if (as[i].debt)
            dd += v;
        else
            c += v * (long double)d(&as[i].lt_wad) / 1e18L;
    }
    return c / dd;
}

Test(liq, one_weth_collateral_against_usdt_debt_gives_the_hand_computed_line)
{
    /* 1,000 WETH at $3,000, LT 82.5 %, borrowed 1,500,000 USDT:
     * HF = 1000 * 3000 * 0.825 / 1.5e6 = 1.65; line = 1.5e6 / (1000 * 0.825) = $1,818.1818...
     * in 8-decimal base units 181818181818.18..., reported rounded up. */
    struct trk_liq_asset as[] = {coll(1000, 18, 3000, 8250, true), debt(1500000, 6, 1, false)};
    rpc_u256 p = ue(3000, 8);
    struct trk_liq r;
    cr_assert_eq(trk_liq_compute(&r, as, 2, &p), 0);
    cr_expect_eq(r.kind, TRK_LIQ_BELOW);
    rpc_u256 want_hf = ue(165, 16), want_line = u(181818181819ull);
    cr_expect_eq(rpc_u256_cmp(&r.hf_wad, &want_hf), 0, "hf %g", d(&r.hf_wad));
    cr_expect_eq(rpc_u256_cmp(&r.price, &want_line), 0, "line %g", d(&r.price));
}

Test(liq, two_eth_collaterals_and_stable_collateral_move_together)
{
    /* C_e = 500*3000*.825 + 400*3500*.81 = 2,371,500; C_o = 1e6*.78 = 780,000;
     * D_o = 2,000,000: k = 1,220,000 / 2,371,500; line = 3000 k = $1,543.3270...
     * wstETH's price moves with ETH's (k applies to it too). */
    struct trk_liq_asset as[] = {coll(500, 18, 3000, 8250, true), coll(400, 18, 3500, 8100, true),
                                 coll(1000000, 6, 1, 7800, false), debt(2000000, 6, 1, false)};
    rpc_u256 p = ue(3000, 8);
    struct trk_liq r;
    cr_assert_eq(trk_liq_compute(&r, as, 4, &p), 0);
    cr_expect_eq(r.kind, TRK_LIQ_BELOW);
    long double k = 1220000.0L / 2371500.0L;
    cr_expect(fabsl((long double)d(&r.price) - 3000e8L * k) <= 1.0L, "line %g", d(&r.price));
    /* at the line, the independent model's HF is 1 */
    long double hf = model_hf(as, 4, (long double)d(&r.price) / 3000e8L);
    cr_expect(fabsl(hf - 1.0L) < 1e-9L, "model hf at line %Lg", hf);
}

Test(liq, stable_collateral_against_eth_debt_is_liquidated_when_eth_rises)
{
    /* 10M USDC at LT 78 % backing 1,000 WETH of debt: k = 7.8e6 / 3e6 = 2.6 -> $7,800 */
    struct trk_liq_asset as[] = {coll(10000000, 6, 1, 7800, false), debt(1000, 18, 3000, true)};
    rpc_u256 p = ue(3000, 8), want = ue(7800, 8);
    struct trk_liq r;
    cr_assert_eq(trk_liq_compute(&r, as, 2, &p), 0);
    cr_expect_eq(r.kind, TRK_LIQ_ABOVE);
    cr_expect_eq(rpc_u256_cmp(&r.price, &want), 0, "line %g", d(&r.price));
}

Test(liq, a_position_without_debt_has_no_line_and_an_infinite_health_factor)
{
    struct trk_liq_asset as[] = {coll(10, 18, 3000, 8250, true)};
    rpc_u256 p = ue(3000, 8), max;
    memset(&max, 0xff, sizeof max);
    struct trk_liq r;
    cr_assert_eq(trk_liq_compute(&r, as, 1, &p), 0);
    cr_expect_eq(r.kind, TRK_LIQ_NONE);
    cr_expect_eq(rpc_u256_cmp(&r.hf_wad, &max), 0);
    cr_expect(rpc_u256_is_zero(&r.price));
}

Test(liq, stable_collateral_that_covers_stable_debt_cannot_be_liquidated_by_eth)
{
    struct trk_liq_asset as[] = {coll(100, 18, 3000, 8250, true), coll(2000000, 6, 1, 7800, false),
                                 debt(1000000, 6, 1, false)};
    rpc_u256 p = ue(3000, 8);
    struct trk_liq r;
    cr_assert_eq(trk_liq_compute(&r, as, 3, &p), 0);
    cr_expect_eq(r.kind, TRK_LIQ_NONE);
}

Test(liq, debt_beyond_all_collateral_at_any_eth_price_is_liquidatable_now)
{
    /* short ETH with stable debt exceeding stable collateral: HF < 1 whatever ETH does */
    struct trk_liq_asset as[] = {coll(1000, 6, 1, 7800, false), debt(1, 18, 3000, true),
                                 debt(5000, 6, 1, false)};
    rpc_u256 p = ue(3000, 8);
    struct trk_liq r;
    cr_assert_eq(trk_liq_compute(&r, as, 3, &p), 0);
    cr_expect_eq(r.kind, TRK_LIQ_NOW);
}

Test(liq, an_underwater_long_reports_a_line_above_today_price)
{
    /* HF 0.825: the line (1 / 0.825 of today) is above the current price */
    struct trk_liq_asset as[] = {coll(1000, 18, 3000, 8250, true), debt(3000000, 6, 1, false)};
    rpc_u256 p = ue(3000, 8);
    struct trk_liq r;
    cr_assert_eq(trk_liq_compute(&r, as, 2, &p), 0);
    cr_expect_eq(r.kind, TRK_LIQ_BELOW);
    cr_expect_gt(rpc_u256_cmp(&r.price, &p), 0);
    rpc_u256 one = ue(1, 18);
    cr_expect_lt(rpc_u256_cmp(&r.hf_wad, &one), 0);
}

Test(liq, decimals_beyond_36_are_refused_and_the_result_zeroed)
{
    struct trk_liq_asset as[] = {coll(1, 18, 3000, 8250, true)};
    as[0].decimals = 37;
    rpc_u256 p = ue(3000, 8);
    struct trk_liq r;
    memset(&r, 0x5a, sizeof r);
    cr_expect_neq(trk_liq_compute(&r, as, 1, &p), 0);
    cr_expect(rpc_u256_is_zero(&r.price) && rpc_u256_is_zero(&r.hf_wad));
}

/* Table of random positions: the reported line always brings the model's HF to 1. */
Test(liq, the_line_of_random_positions_puts_the_model_health_factor_at_one)
{
    uint64_t s = 0x9e3779b97f4a7c15ull;
    for (int t = 0; t < 200; t++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        uint64_t weth = 1 + s % 500000, stable_coll = (s >> 20) % 50000000;
        uint64_t borrow = 1 + (s >> 8) % 900000000;
        struct trk_liq_asset as[] = {coll(weth, 18, 2000 + s % 2000, 7000 + s % 2000, true),
                                     coll(stable_coll, 6, 1, 7500, false),
                                     debt(borrow, 6, 1, false)};
        rpc_u256 p = as[0].price;
        struct trk_liq r;
        cr_assert_eq(trk_liq_compute(&r, as, 3, &p), 0);
        if (r.kind != TRK_LIQ_BELOW)
            continue;
        long double hf = model_hf(as, 3, (long double)d(&r.price) / (long double)d(&p));
        cr_assert(fabsl(hf - 1.0L) < 1e-9L, "case %d: hf at line %Lg", t, hf);
    }
}
