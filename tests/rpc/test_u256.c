/* tests/rpc/test_u256.c — exact 256-bit arithmetic and text forms (rpc/u256.c):
 * contracts, edge tables, known answers, and property tests on random values checked
 * by identities and against unsigned __int128. */
#include <math.h>
#include <string.h>

#include <criterion/criterion.h>

#include "rpc/u256.h"

#define S(lit) (lit), (sizeof(lit) - 1)

__extension__ typedef unsigned __int128 u128;

/* 2^256 - 1 in decimal: 115792089237316195423570985008687907853269984665640564039457584007913129639935
 * (the EVM's type(uint256).max, as printed by Solidity and every EVM tool). */
static const char MAX_DEC[] =
    "115792089237316195423570985008687907853269984665640564039457584007913129639935";
static const rpc_u256 MAX = {{UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX}};
static const rpc_u256 ZERO = {{0, 0, 0, 0}};
static const rpc_u256 ONE = {{1, 0, 0, 0}};

static rpc_u256 U(uint64_t w3, uint64_t w2, uint64_t w1, uint64_t w0)
{
    rpc_u256 r = {{w0, w1, w2, w3}};
    return r;
}

static rpc_u256 from128(u128 v)
{
    return U(0, 0, (uint64_t)(v >> 64), (uint64_t)v);
}

static u128 to128(const rpc_u256 *a)
{
    return (u128)a->w[1] << 64 | a->w[0];
}

static bool eq(const rpc_u256 *a, const rpc_u256 *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

/* xorshift64*: deterministic, so a failure reproduces. */
static uint64_t rng_state = 0x853c49e6748fea9bull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

/* A random value of random width with occasional extreme limbs, so that carries, borrows
 * and every branch of the division (1..4 divisor limbs, add-back) are exercised. */
static rpc_u256 rnd_u256(void)
{
    static const uint64_t special[] = {0, 1, UINT64_MAX, 0x8000000000000000ull,
                                       UINT64_MAX - 1};
    rpc_u256 r;
    for (int i = 0; i < 4; i++) {
        uint64_t k = rnd() % 8;
        r.w[i] = k < 3 ? special[rnd() % 5] : rnd();
    }
    rpc_u256_shr(&r, &r, (unsigned)(rnd() % 256));
    return r;
}

static u128 rnd128(unsigned bits)
{
    u128 v = (u128)rnd() << 64 | rnd();
    return bits >= 128 ? v : v & (((u128)1 << bits) - 1);
}

static void dec128(char *out, u128 v) /* reference decimal formatter */
{
    char rev[50];
    size_t n = 0;
    do {
        rev[n++] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        out[i] = rev[n - 1 - i];
    out[n] = '\0';
}

/* ---- comparisons ---- */

Test(u256_cmp, orders_by_the_most_significant_limb_first)
{
    rpc_u256 a = U(1, 0, 0, 0), b = U(0, UINT64_MAX, UINT64_MAX, UINT64_MAX);
    cr_expect_eq(rpc_u256_cmp(&a, &b), 1);
    cr_expect_eq(rpc_u256_cmp(&b, &a), -1);
    cr_expect_eq(rpc_u256_cmp(&a, &a), 0);
    rpc_u256 c = U(0, 0, 0, 2), d = U(0, 0, 0, 3);
    cr_expect_eq(rpc_u256_cmp(&c, &d), -1);
    cr_expect_eq(rpc_u256_cmp(&MAX, &ZERO), 1);
    cr_expect(rpc_u256_is_zero(&ZERO));
    cr_expect(!rpc_u256_is_zero(&a));
    cr_expect(!rpc_u256_is_zero(&ONE));
    cr_expect(rpc_u256_fits_u64(&ONE));
    rpc_u256 m64 = rpc_u256_from_u64(UINT64_MAX), p64 = U(0, 0, 1, 0), hi = U(1, 0, 0, 5);
    cr_expect(rpc_u256_fits_u64(&m64));
    cr_expect(!rpc_u256_fits_u64(&p64));
    cr_expect(!rpc_u256_fits_u64(&hi));
}

Test(u256_cmp, agrees_with_int128_on_random_values)
{
    for (int i = 0; i < 5000; i++) {
        u128 x = rnd128(1 + (unsigned)(rnd() % 128)), y = rnd128(1 + (unsigned)(rnd() % 128));
        rpc_u256 a = from128(x), b = from128(y);
        int want = x < y ? -1 : x > y;
        cr_assert_eq(rpc_u256_cmp(&a, &b), want);
    }
}

/* ---- add / sub ---- */

Test(u256_add, overflow_at_the_top_is_reported_and_zeroes_the_result)
{
    rpc_u256 r;
    cr_expect_eq(rpc_u256_add(&r, &MAX, &ONE), RPC_EOVERFLOW, "max + 1");
    cr_expect(eq(&r, &ZERO));
    cr_expect_eq(rpc_u256_add(&r, &ONE, &MAX), RPC_EOVERFLOW, "1 + max");
    cr_expect_eq(rpc_u256_add(&r, &MAX, &MAX), RPC_EOVERFLOW, "max + max");
    rpc_u256 half = U(0x8000000000000000ull, 0, 0, 0);
    cr_expect_eq(rpc_u256_add(&r, &half, &half), RPC_EOVERFLOW, "2^255 + 2^255");
    cr_expect_eq(rpc_u256_add(&r, &MAX, &ZERO), RPC_OK, "max + 0");
    cr_expect(eq(&r, &MAX));
    rpc_u256 below = U(0x7fffffffffffffffull, UINT64_MAX, UINT64_MAX, UINT64_MAX);
    cr_expect_eq(rpc_u256_add(&r, &below, &half), RPC_OK, "(2^255-1) + 2^255 = max");
    cr_expect(eq(&r, &MAX));
}

Test(u256_add, carries_ripple_through_every_limb)
{
    rpc_u256 r, a = U(0, UINT64_MAX, UINT64_MAX, UINT64_MAX), want = U(1, 0, 0, 0);
    cr_expect_eq(rpc_u256_add(&r, &a, &ONE), RPC_OK);
    cr_expect(eq(&r, &want));
    cr_expect_eq(rpc_u256_sub(&r, &want, &ONE), RPC_OK, "and borrows ripple back");
    cr_expect(eq(&r, &a));
}

Test(u256_sub, below_zero_is_overflow)
{
    rpc_u256 r = MAX;
    cr_expect_eq(rpc_u256_sub(&r, &ZERO, &ONE), RPC_EOVERFLOW, "0 - 1");
    cr_expect(eq(&r, &ZERO));
    rpc_u256 a = U(1, 0, 0, 0), b = U(1, 0, 0, 1);
    cr_expect_eq(rpc_u256_sub(&r, &a, &b), RPC_EOVERFLOW, "differs only in the low limb");
    cr_expect_eq(rpc_u256_sub(&r, &MAX, &MAX), RPC_OK);
    cr_expect(eq(&r, &ZERO));
    cr_expect_eq(rpc_u256_sub(&r, &MAX, &ZERO), RPC_OK);
    cr_expect(eq(&r, &MAX));
}

Test(u256_add, agrees_with_int128_on_small_values)
{
    for (int i = 0; i < 5000; i++) {
        u128 x = rnd128(127), y = rnd128(127);
        rpc_u256 a = from128(x), b = from128(y), r;
        cr_assert_eq(rpc_u256_add(&r, &a, &b), RPC_OK);
        cr_assert(to128(&r) == x + y && r.w[2] == 0 && r.w[3] == 0);
        u128 hi = x > y ? x : y, lo = x > y ? y : x;
        rpc_u256 h = from128(hi), l = from128(lo);
        cr_assert_eq(rpc_u256_sub(&r, &h, &l), RPC_OK);
        cr_assert(to128(&r) == hi - lo && r.w[2] == 0 && r.w[3] == 0);
        if (hi != lo)
            cr_assert_eq(rpc_u256_sub(&r, &l, &h), RPC_EOVERFLOW);
    }
}

Test(u256_add, a_plus_b_minus_b_is_a_and_overflow_is_exactly_a_gt_max_minus_b)
{
    for (int i = 0; i < 20000; i++) {
        rpc_u256 a = rnd_u256(), b = rnd_u256(), s, d, room;
        int rc = rpc_u256_add(&s, &a, &b);
        cr_assert_eq(rpc_u256_sub(&room, &MAX, &b), RPC_OK);
        if (rpc_u256_cmp(&a, &room) > 0) {
            cr_assert_eq(rc, RPC_EOVERFLOW);
            continue;
        }
        cr_assert_eq(rc, RPC_OK);
        cr_assert_eq(rpc_u256_sub(&d, &s, &b), RPC_OK);
        cr_assert(eq(&d, &a));
        cr_assert(rpc_u256_cmp(&s, &a) >= 0);
    }
}

Test(u256_add, outputs_may_alias_inputs)
{
    rpc_u256 a = U(0, 0, 1, UINT64_MAX), want = U(0, 0, 3, UINT64_MAX - 1);
    cr_expect_eq(rpc_u256_add(&a, &a, &a), RPC_OK);
    cr_expect(eq(&a, &want));
    cr_expect_eq(rpc_u256_mul(&a, &a, &a), RPC_OK);
    cr_expect_eq(rpc_u256_sub(&a, &a, &a), RPC_OK);
    cr_expect(eq(&a, &ZERO));
}

/* ---- mul ---- */

Test(u256_mul, boundaries)
{
    rpc_u256 r, two = rpc_u256_from_u64(2);
    cr_expect_eq(rpc_u256_mul(&r, &MAX, &ONE), RPC_OK);
    cr_expect(eq(&r, &MAX));
    cr_expect_eq(rpc_u256_mul(&r, &MAX, &ZERO), RPC_OK);
    cr_expect(eq(&r, &ZERO));
    cr_expect_eq(rpc_u256_mul(&r, &MAX, &two), RPC_EOVERFLOW, "max * 2");
    cr_expect(eq(&r, &ZERO));
    rpc_u256 p128 = U(0, 1, 0, 0), p127 = U(0, 0, 0x8000000000000000ull, 0);
    cr_expect_eq(rpc_u256_mul(&r, &p128, &p128), RPC_EOVERFLOW, "2^128 * 2^128 = 2^256");
    rpc_u256 p255 = U(0x8000000000000000ull, 0, 0, 0);
    cr_expect_eq(rpc_u256_mul(&r, &p128, &p127), RPC_OK, "2^128 * 2^127 = 2^255");
    cr_expect(eq(&r, &p255));
    /* (2^128 - 1)^2 = 2^256 - 2^129 + 1 fits. */
    rpc_u256 m128 = U(0, 0, UINT64_MAX, UINT64_MAX), want = U(UINT64_MAX, UINT64_MAX - 1, 0, 1);
    cr_expect_eq(rpc_u256_mul(&r, &m128, &m128), RPC_OK);
    cr_expect(eq(&r, &want));
    /* A high limb times a high limb overflows even when the low product is 0. */
    rpc_u256 x = U(0, 0, 0, 0), y = U(0, 0, 0, 0);
    x.w[3] = 1;
    y.w[1] = 1;
    cr_expect_eq(rpc_u256_mul(&r, &x, &y), RPC_EOVERFLOW, "2^192 * 2^64");
    /* 10^18 * 10^18 * 10^18 * 10^18 = 10^72 fits; one more 10^18 does not. */
    rpc_u256 e18 = rpc_u256_from_u64(1000000000000000000ull), acc = ONE;
    for (int i = 0; i < 4; i++)
        cr_assert_eq(rpc_u256_mul(&acc, &acc, &e18), RPC_OK);
    cr_expect_eq(rpc_u256_mul(&acc, &acc, &e18), RPC_EOVERFLOW);
}

Test(u256_mul, agrees_with_int128_on_64_bit_values)
{
    for (int i = 0; i < 5000; i++) {
        uint64_t x = rnd() >> (rnd() % 64), y = rnd() >> (rnd() % 64);
        rpc_u256 a = rpc_u256_from_u64(x), b = rpc_u256_from_u64(y), r;
        cr_assert_eq(rpc_u256_mul(&r, &a, &b), RPC_OK);
        cr_assert(to128(&r) == (u128)x * y && r.w[2] == 0 && r.w[3] == 0);
    }
}

Test(u256_mul, product_divided_by_a_factor_gives_the_other)
{
    int checked = 0;
    for (int i = 0; i < 20000; i++) {
        rpc_u256 a = rnd_u256(), b = rnd_u256(), p, q, m;
        if (rpc_u256_mul(&p, &a, &b) != RPC_OK || rpc_u256_is_zero(&b))
            continue;
        cr_assert_eq(rpc_u256_divmod(&q, &m, &p, &b), RPC_OK);
        cr_assert(eq(&q, &a));
        cr_assert(rpc_u256_is_zero(&m));
        checked++;
    }
    cr_expect_gt(checked, 5000, "enough products fit to make the test meaningful");
}

/* ---- divmod ---- */

static void check_divmod(const rpc_u256 *a, const rpc_u256 *b)
{
    rpc_u256 q, m, back;
    cr_assert_eq(rpc_u256_divmod(&q, &m, a, b), RPC_OK);
    cr_assert(rpc_u256_cmp(&m, b) < 0, "remainder < divisor");
    cr_assert_eq(rpc_u256_mul(&back, &q, b), RPC_OK, "q * b <= a cannot overflow");
    cr_assert_eq(rpc_u256_add(&back, &back, &m), RPC_OK);
    cr_assert(eq(&back, a), "q * b + m == a");
}

Test(u256_divmod, division_by_zero_is_an_error_and_zeroes_both_outputs)
{
    rpc_u256 q = MAX, m = MAX;
    cr_expect_eq(rpc_u256_divmod(&q, &m, &MAX, &ZERO), RPC_EDIVZERO);
    cr_expect(eq(&q, &ZERO) && eq(&m, &ZERO));
    cr_expect_eq(rpc_u256_divmod(NULL, NULL, &ONE, &ZERO), RPC_EDIVZERO);
}

Test(u256_divmod, either_output_may_be_null_or_alias_an_input)
{
    rpc_u256 a = rpc_u256_from_u64(17), b = rpc_u256_from_u64(5), q, m;
    cr_expect_eq(rpc_u256_divmod(&q, NULL, &a, &b), RPC_OK);
    cr_expect_eq(q.w[0], 3);
    cr_expect_eq(rpc_u256_divmod(NULL, &m, &a, &b), RPC_OK);
    cr_expect_eq(m.w[0], 2);
    cr_expect_eq(rpc_u256_divmod(&a, &b, &a, &b), RPC_OK, "q aliases a, m aliases b");
    cr_expect(a.w[0] == 3 && b.w[0] == 2);
}

/* Hand-computed answers; several need Knuth D's add-back step on 64-bit limbs. */
Test(u256_divmod, known_answers)
{
    rpc_u256 q, m;
    /* 2^192 / (2^128 + 1) = 2^64 - 1, remainder 2^128 - 2^64 + 1 (add-back case). */
    rpc_u256 a = U(1, 0, 0, 0), b = U(0, 1, 0, 1);
    cr_expect_eq(rpc_u256_divmod(&q, &m, &a, &b), RPC_OK);
    rpc_u256 wq = U(0, 0, 0, UINT64_MAX), wm = U(0, 0, UINT64_MAX, 1);
    cr_expect(eq(&q, &wq));
    cr_expect(eq(&m, &wm));
    /* max / max = 1 r 0; max / 1 = max; 0 / max = 0; max / 2^255 = 1 r 2^255 - 1. */
    cr_expect_eq(rpc_u256_divmod(&q, &m, &MAX, &MAX), RPC_OK);
    cr_expect(eq(&q, &ONE) && eq(&m, &ZERO));
    cr_expect_eq(rpc_u256_divmod(&q, &m, &MAX, &ONE), RPC_OK);
    cr_expect(eq(&q, &MAX) && eq(&m, &ZERO));
    cr_expect_eq(rpc_u256_divmod(&q, &m, &ZERO, &MAX), RPC_OK);
    cr_expect(eq(&q, &ZERO) && eq(&m, &ZERO));
    rpc_u256 p255 = U(0x8000000000000000ull, 0, 0, 0);
    rpc_u256 below = U(0x7fffffffffffffffull, UINT64_MAX, UINT64_MAX, UINT64_MAX);
    cr_expect_eq(rpc_u256_divmod(&q, &m, &MAX, &p255), RPC_OK);
    cr_expect(eq(&q, &ONE) && eq(&m, &below));
    /* max / 10 = 11579208923731619542357098500868790785326998466564056403945758400791312963993 r 5 */
    rpc_u256 ten = rpc_u256_from_u64(10), want;
    cr_assert_eq(rpc_u256_parse_dec(&want, S("115792089237316195423570985008687907853269984665"
                                             "64056403945758400791312963993")),
                 RPC_OK);
    cr_expect_eq(rpc_u256_divmod(&q, &m, &MAX, &ten), RPC_OK);
    cr_expect(eq(&q, &want));
    cr_expect_eq(m.w[0], 5);
}

Test(u256_divmod, agrees_with_int128_on_small_values)
{
    for (int i = 0; i < 10000; i++) {
        u128 x = rnd128(1 + (unsigned)(rnd() % 128)), y = rnd128(1 + (unsigned)(rnd() % 128));
        if (y == 0)
            y = 1;
        rpc_u256 a = from128(x), b = from128(y), q, m;
        cr_assert_eq(rpc_u256_divmod(&q, &m, &a, &b), RPC_OK);
        cr_assert(to128(&q) == x / y && q.w[2] == 0 && q.w[3] == 0);
        cr_assert(to128(&m) == x % y && m.w[2] == 0 && m.w[3] == 0);
    }
}

Test(u256_divmod, identity_holds_on_random_values)
{
    for (int i = 0; i < 50000; i++) {
        rpc_u256 a = rnd_u256(), b = rnd_u256();
        if (rpc_u256_is_zero(&b))
            continue;
        check_divmod(&a, &b);
    }
}

/* Limbs drawn from a few extreme patterns hit the quotient-correction and add-back paths
 * of algorithm D far more often than random values do (Hacker's Delight's divmnu tests
 * use the same idea). */
Test(u256_divmod, identity_holds_on_structured_limb_patterns)
{
    static const uint64_t pat[] = {0, 1, UINT64_MAX, 0x8000000000000000ull, 0x7fffffffffffffffull,
                                   2};
    const int np = sizeof pat / sizeof pat[0];
    for (int i = 0; i < np * np * np * np; i++) {
        rpc_u256 a = U(pat[i % np], pat[i / np % np], pat[i / np / np % np], pat[i / np / np / np]);
        for (int j = 1; j < np * np * np; j++) {
            rpc_u256 b = U(0, pat[j % np], pat[j / np % np], pat[j / np / np]);
            rpc_u256 b_hi = U(pat[j % np], 0, pat[j / np % np], pat[j / np / np]);
            check_divmod(&a, &b);
            check_divmod(&a, &b_hi);
        }
    }
}

/* ---- muldiv ---- */

Test(u256_muldiv, uses_a_512_bit_intermediate)
{
    rpc_u256 r, two = rpc_u256_from_u64(2), three = rpc_u256_from_u64(3);
    cr_expect_eq(rpc_u256_muldiv(&r, &MAX, &MAX, &MAX), RPC_OK, "max * max / max");
    cr_expect(eq(&r, &MAX));
    cr_expect_eq(rpc_u256_muldiv(&r, &MAX, &two, &two), RPC_OK, "max * 2 / 2");
    cr_expect(eq(&r, &MAX));
    cr_expect_eq(rpc_u256_muldiv(&r, &MAX, &two, &three), RPC_OK, "floor(2 max / 3)");
    rpc_u256 want; /* (2^257 - 2) / 3 = 2 * (2^256 - 1) / 3, and 3 divides 2^256 - 1. */
    cr_assert_eq(rpc_u256_divmod(&want, NULL, &MAX, &three), RPC_OK);
    cr_assert_eq(rpc_u256_mul(&want, &want, &two), RPC_OK);
    cr_expect(eq(&r, &want));
    /* A Uniswap-style price: 2^96 * 2^96 / 2^64 = 2^128 */
    rpc_u256 q96 = U(0, 0, 1ull << 32, 0), q64 = U(0, 0, 1, 0), p128 = U(0, 1, 0, 0);
    cr_expect_eq(rpc_u256_muldiv(&r, &q96, &q96, &q64), RPC_OK);
    cr_expect(eq(&r, &p128));
}

Test(u256_muldiv, errors)
{
    rpc_u256 r = MAX, two = rpc_u256_from_u64(2);
    cr_expect_eq(rpc_u256_muldiv(&r, &ONE, &ONE, &ZERO), RPC_EDIVZERO);
    cr_expect(eq(&r, &ZERO));
    r = MAX;
    cr_expect_eq(rpc_u256_muldiv(&r, &MAX, &two, &ONE), RPC_EOVERFLOW, "quotient 2^257 - 2");
    cr_expect(eq(&r, &ZERO));
    rpc_u256 below = U(UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX - 1);
    cr_expect_eq(rpc_u256_muldiv(&r, &MAX, &MAX, &below), RPC_EOVERFLOW,
                 "max^2 / (max - 1) is just over max");
}

Test(u256_muldiv, agrees_with_mul_then_div_and_cancels_a_factor)
{
    for (int i = 0; i < 20000; i++) {
        rpc_u256 a = rnd_u256(), b = rnd_u256(), d = rnd_u256(), r, p, want;
        if (rpc_u256_is_zero(&d))
            d = ONE;
        if (rpc_u256_mul(&p, &a, &b) == RPC_OK) {
            cr_assert_eq(rpc_u256_divmod(&want, NULL, &p, &d), RPC_OK);
            cr_assert_eq(rpc_u256_muldiv(&r, &a, &b, &d), RPC_OK);
            cr_assert(eq(&r, &want));
        }
        if (!rpc_u256_is_zero(&b)) { /* a * b / b == a even when a * b overflows */
            cr_assert_eq(rpc_u256_muldiv(&r, &a, &b, &b), RPC_OK);
            cr_assert(eq(&r, &a));
        }
    }
}

Test(u256_muldiv, agrees_with_int128_on_64_bit_values)
{
    for (int i = 0; i < 5000; i++) {
        uint64_t x = rnd(), y = rnd() >> (rnd() % 64), z = rnd() >> (rnd() % 64);
        if (z == 0)
            z = 3;
        rpc_u256 a = rpc_u256_from_u64(x), b = rpc_u256_from_u64(y), d = rpc_u256_from_u64(z), r;
        cr_assert_eq(rpc_u256_muldiv(&r, &a, &b, &d), RPC_OK);
        cr_assert(to128(&r) == (u128)x * y / z);
    }
}

/* ---- shifts ---- */

Test(u256_shift, table)
{
    rpc_u256 r, a = U(0, 0, 0, 1);
    static const unsigned ns[] = {0, 1, 63, 64, 65, 127, 128, 191, 192, 255};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        unsigned n = ns[i];
        rpc_u256 want = ZERO;
        want.w[n / 64] = 1ull << (n % 64);
        rpc_u256_shl(&r, &a, n);
        cr_expect(eq(&r, &want), "1 << %u", n);
        rpc_u256_shr(&r, &want, n);
        cr_expect(eq(&r, &a), "2^%u >> %u", n, n);
    }
    rpc_u256_shl(&r, &MAX, 256);
    cr_expect(eq(&r, &ZERO), "shl 256");
    rpc_u256_shr(&r, &MAX, 256);
    cr_expect(eq(&r, &ZERO), "shr 256");
    rpc_u256_shl(&r, &MAX, 1000);
    cr_expect(eq(&r, &ZERO), "shl 1000");
    rpc_u256_shl(&r, &MAX, 255);
    rpc_u256 top = U(0x8000000000000000ull, 0, 0, 0);
    cr_expect(eq(&r, &top), "max << 255");
    rpc_u256_shr(&r, &MAX, 255);
    cr_expect(eq(&r, &ONE), "max >> 255");
    rpc_u256 x = U(0x0123456789abcdefull, 0xfedcba9876543210ull, 0x1111111111111111ull,
                   0x2222222222222222ull);
    rpc_u256 want4 = U(0x123456789abcdeffull, 0xedcba98765432101ull, 0x1111111111111112ull,
                       0x2222222222222220ull);
    rpc_u256_shl(&r, &x, 4);
    cr_expect(eq(&r, &want4), "nibble shift crosses limbs");
    rpc_u256_shl(&x, &x, 4);
    cr_expect(eq(&x, &want4), "in place");
}

Test(u256_shift, agrees_with_int128_and_round_trips)
{
    for (int i = 0; i < 10000; i++) {
        u128 x = rnd128(128);
        unsigned n = (unsigned)(rnd() % 128);
        rpc_u256 a = from128(x), r;
        rpc_u256_shr(&r, &a, n);
        cr_assert(to128(&r) == x >> n && r.w[2] == 0 && r.w[3] == 0);
        rpc_u256 s = from128(x >> n), back;
        rpc_u256_shl(&back, &s, n);
        cr_assert(to128(&back) == (x >> n) << n && back.w[2] == 0 && back.w[3] == 0);
    }
    for (int i = 0; i < 10000; i++) {
        rpc_u256 a = rnd_u256(), s, back, low;
        unsigned n = (unsigned)(rnd() % 257);
        /* (a >> n) << n clears the low n bits: equal to a - (a mod 2^n). */
        rpc_u256_shr(&s, &a, n);
        rpc_u256_shl(&back, &s, n);
        rpc_u256_shl(&low, &a, 256 - n > 255 ? 256 : 256 - n);
        rpc_u256_shr(&low, &low, 256 - n > 255 ? 256 : 256 - n);
        if (n == 256)
            low = a;
        rpc_u256 sum;
        cr_assert_eq(rpc_u256_add(&sum, &back, &low), RPC_OK);
        cr_assert(eq(&sum, &a), "n=%u", n);
    }
}

/* ---- big-endian bytes ---- */

Test(u256_be, round_trips_and_orders_bytes_big_endian)
{
    uint8_t be[32], back[32];
    for (int i = 0; i < 32; i++)
        be[i] = (uint8_t)(i + 1);
    rpc_u256 a;
    rpc_u256_from_be32(&a, be);
    cr_expect_eq(a.w[3], 0x0102030405060708ull);
    cr_expect_eq(a.w[0], 0x191a1b1c1d1e1f20ull);
    rpc_u256_to_be32(back, &a);
    cr_expect_arr_eq(back, be, 32);
    const uint8_t two[2] = {0x01, 0x00};
    cr_expect_eq(rpc_u256_from_be(&a, two, 2), RPC_OK);
    cr_expect(eq(&a, &(rpc_u256){{256, 0, 0, 0}}));
    cr_expect_eq(rpc_u256_from_be(&a, NULL, 0), RPC_OK);
    cr_expect(eq(&a, &ZERO));
    cr_expect_eq(rpc_u256_from_be(&a, be, 32), RPC_OK);
    uint8_t big[33] = {0};
    a = MAX;
    cr_expect_eq(rpc_u256_from_be(&a, big, 33), RPC_ETOO_LARGE);
    cr_expect(eq(&a, &ZERO));
}

/* ---- decimal ---- */

Test(u256_parse_dec, max_parses_and_one_more_overflows)
{
    rpc_u256 r;
    cr_expect_eq(rpc_u256_parse_dec(&r, S(MAX_DEC)), RPC_OK);
    cr_expect(eq(&r, &MAX));
    r = MAX;
    cr_expect_eq(rpc_u256_parse_dec(&r, S("115792089237316195423570985008687907853269984665640564"
                                          "039457584007913129639936")),
                 RPC_EOVERFLOW, "2^256");
    cr_expect(eq(&r, &ZERO));
    cr_expect_eq(rpc_u256_parse_dec(&r, S("1000000000000000000000000000000000000000000000000000000"
                                          "000000000000000000000000")),
                 RPC_EOVERFLOW, "10^79");
    cr_expect_eq(rpc_u256_parse_dec(&r, S("000000000000000000000000000000000000000000000000000000"
                                          "115792089237316195423570985008687907853269984665640564"
                                          "039457584007913129639935")),
                 RPC_OK, "leading zeros do not count toward overflow");
    cr_expect(eq(&r, &MAX));
}

Test(u256_parse_dec, rejects_each_malformed_input_and_zeroes_the_result)
{
    rpc_u256 r = MAX;
    cr_expect_eq(rpc_u256_parse_dec(&r, S("")), RPC_EDECIMAL, "empty");
    cr_expect(eq(&r, &ZERO));
    cr_expect_eq(rpc_u256_parse_dec(&r, S("-1")), RPC_EDECIMAL, "sign");
    cr_expect_eq(rpc_u256_parse_dec(&r, S("+1")), RPC_EDECIMAL, "plus");
    cr_expect_eq(rpc_u256_parse_dec(&r, S("1,000")), RPC_EDECIMAL, "separator");
    cr_expect_eq(rpc_u256_parse_dec(&r, S("1.0")), RPC_EDECIMAL, "fraction");
    cr_expect_eq(rpc_u256_parse_dec(&r, S(" 1")), RPC_EDECIMAL, "space");
    cr_expect_eq(rpc_u256_parse_dec(&r, S("1e18")), RPC_EDECIMAL, "exponent");
    cr_expect_eq(rpc_u256_parse_dec(&r, S("0x10")), RPC_EDECIMAL, "hex");
    cr_expect_eq(rpc_u256_parse_dec(&r, S("12a")), RPC_EDECIMAL, "letter");
    r = MAX;
    cr_expect_eq(rpc_u256_parse_dec(&r, S("999999999999999999999999999999999999999999999999999999"
                                          "99999999999999999999999999999x")),
                 RPC_EDECIMAL, "too long and malformed is malformed");
    cr_expect(eq(&r, &ZERO));
}

Test(u256_dec, format_and_parse_agree_with_int128)
{
    for (int i = 0; i < 5000; i++) {
        u128 x = rnd128(1 + (unsigned)(rnd() % 128));
        char want[50], got[RPC_U256_DEC_MAX];
        dec128(want, x);
        rpc_u256 a = from128(x), back;
        cr_assert_eq(rpc_u256_format_dec(got, sizeof got, &a), RPC_OK);
        cr_assert_str_eq(got, want);
        cr_assert_eq(rpc_u256_parse_dec(&back, want, strlen(want)), RPC_OK);
        cr_assert(to128(&back) == x && back.w[2] == 0 && back.w[3] == 0);
    }
}

Test(u256_dec, format_parse_round_trip_on_random_values)
{
    for (int i = 0; i < 10000; i++) {
        rpc_u256 a = rnd_u256(), back;
        char s[RPC_U256_DEC_MAX];
        cr_assert_eq(rpc_u256_format_dec(s, sizeof s, &a), RPC_OK);
        cr_assert(s[0] != '0' || s[1] == '\0', "no leading zeros: %s", s);
        cr_assert_eq(rpc_u256_parse_dec(&back, s, strlen(s)), RPC_OK, "%s", s);
        cr_assert(eq(&back, &a), "%s", s);
    }
}

Test(u256_format_dec, table_and_short_buffer)
{
    char s[RPC_U256_DEC_MAX];
    cr_expect_eq(rpc_u256_format_dec(s, sizeof s, &MAX), RPC_OK);
    cr_expect_str_eq(s, MAX_DEC);
    cr_expect_eq(rpc_u256_format_dec(s, sizeof s, &ZERO), RPC_OK);
    cr_expect_str_eq(s, "0");
    rpc_u256 e19 = rpc_u256_from_u64(10000000000000000000ull);
    cr_expect_eq(rpc_u256_format_dec(s, sizeof s, &e19), RPC_OK, "a chunk boundary");
    cr_expect_str_eq(s, "10000000000000000000");
    rpc_u256 p64 = U(0, 0, 1, 0);
    cr_expect_eq(rpc_u256_format_dec(s, sizeof s, &p64), RPC_OK);
    cr_expect_str_eq(s, "18446744073709551616");
    cr_expect_eq(rpc_u256_format_dec(s, 78, &MAX), RPC_ETOO_LARGE, "78 digits need 79 bytes");
    cr_expect_str_eq(s, "");
    cr_expect_eq(rpc_u256_format_dec(s, 79, &MAX), RPC_OK);
    cr_expect_eq(rpc_u256_format_dec(NULL, 0, &ZERO), RPC_ETOO_LARGE);
}

/* ---- hex ---- */

Test(u256_parse_hex, contract)
{
    rpc_u256 r = MAX;
    cr_expect_eq(rpc_u256_parse_hex(&r, S("")), RPC_EHEX, "empty");
    cr_expect(eq(&r, &ZERO));
    cr_expect_eq(rpc_u256_parse_hex(&r, S("0x")), RPC_EHEX, "no digits");
    cr_expect_eq(rpc_u256_parse_hex(&r, S("ff")), RPC_EHEX, "missing 0x");
    cr_expect_eq(rpc_u256_parse_hex(&r, S("0X1")), RPC_EHEX, "0X");
    cr_expect_eq(rpc_u256_parse_hex(&r, S("0x00")), RPC_EHEX, "leading zero");
    cr_expect_eq(rpc_u256_parse_hex(&r, S("0x01")), RPC_EHEX, "leading zero");
    cr_expect_eq(rpc_u256_parse_hex(&r, S("0x1g")), RPC_EHEX, "bad char");
    cr_expect_eq(rpc_u256_parse_hex(&r, S("0x-1")), RPC_EHEX, "sign");
    r = MAX;
    cr_expect_eq(rpc_u256_parse_hex(&r, S("0x1000000000000000000000000000000000000000000000000000"
                                          "0000000000000")),
                 RPC_EOVERFLOW, "2^256: 65 digits");
    cr_expect(eq(&r, &ZERO));
    cr_expect_eq(rpc_u256_parse_hex(&r, S("0xffffffffffffffffffffffffffffffffffffffffffffffffffff"
                                          "ffffffffffff")),
                 RPC_OK, "max: 64 digits");
    cr_expect(eq(&r, &MAX));
    cr_expect_eq(rpc_u256_parse_hex(&r, S("0x0")), RPC_OK);
    cr_expect(eq(&r, &ZERO));
    /* 1 ether in wei as a node returns it. */
    cr_expect_eq(rpc_u256_parse_hex(&r, S("0xDE0B6B3A7640000")), RPC_OK);
    cr_expect(eq(&r, &(rpc_u256){{1000000000000000000ull, 0, 0, 0}}));
}

Test(u256_format_hex, table_round_trip_and_short_buffer)
{
    char s[67];
    cr_expect_eq(rpc_u256_format_hex(s, sizeof s, &ZERO), RPC_OK);
    cr_expect_str_eq(s, "0x0");
    cr_expect_eq(rpc_u256_format_hex(s, sizeof s, &MAX), RPC_OK);
    cr_expect_eq(strlen(s), 66);
    rpc_u256 p64 = U(0, 0, 1, 0);
    cr_expect_eq(rpc_u256_format_hex(s, sizeof s, &p64), RPC_OK);
    cr_expect_str_eq(s, "0x10000000000000000");
    cr_expect_eq(rpc_u256_format_hex(s, 66, &MAX), RPC_ETOO_LARGE);
    cr_expect_str_eq(s, "");
    for (int i = 0; i < 10000; i++) {
        rpc_u256 a = rnd_u256(), back;
        cr_assert_eq(rpc_u256_format_hex(s, sizeof s, &a), RPC_OK);
        cr_assert_eq(rpc_u256_parse_hex(&back, s, strlen(s)), RPC_OK, "%s", s);
        cr_assert(eq(&back, &a), "%s", s);
    }
}

/* ---- units ---- */

Test(u256_parse_units, table)
{
    static const struct {
        const char *s;
        unsigned dec;
        uint64_t want;
    } ok[] = {
        {"1.5", 6, 1500000},
        {"1", 6, 1000000},
        {"0", 18, 0},
        {"0.0", 18, 0},
        {"007.5", 1, 75},
        {"1.5000000", 6, 1500000}, /* extra digits are zeros: exact */
        {"0.000000000000000001", 18, 1},
        {"1234.567", 3, 1234567},
        {"18.446744073709551615", 18, UINT64_MAX},
        {"42", 0, 42},
        {"42.000", 0, 42},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        rpc_u256 r;
        cr_expect_eq(rpc_u256_parse_units(&r, ok[i].s, strlen(ok[i].s), ok[i].dec), RPC_OK, "%s",
                     ok[i].s);
        cr_expect(eq(&r, &(rpc_u256){{ok[i].want, 0, 0, 0}}), "%s", ok[i].s);
    }
}

Test(u256_parse_units, rejects_each_malformed_amount)
{
    rpc_u256 r = MAX;
    cr_expect_eq(rpc_u256_parse_units(&r, S(""), 6), RPC_EDECIMAL, "empty");
    cr_expect(eq(&r, &ZERO));
    cr_expect_eq(rpc_u256_parse_units(&r, S(".5"), 6), RPC_EDECIMAL, "no integer digit");
    cr_expect_eq(rpc_u256_parse_units(&r, S("5."), 6), RPC_EDECIMAL, "no fraction digit");
    cr_expect_eq(rpc_u256_parse_units(&r, S("."), 6), RPC_EDECIMAL, "dot alone");
    cr_expect_eq(rpc_u256_parse_units(&r, S("1.2.3"), 6), RPC_EDECIMAL, "two dots");
    cr_expect_eq(rpc_u256_parse_units(&r, S("-1"), 6), RPC_EDECIMAL, "sign");
    cr_expect_eq(rpc_u256_parse_units(&r, S("1e6"), 6), RPC_EDECIMAL, "exponent");
    cr_expect_eq(rpc_u256_parse_units(&r, S("1,000"), 6), RPC_EDECIMAL, "separator");
    cr_expect_eq(rpc_u256_parse_units(&r, S(" 1"), 6), RPC_EDECIMAL, "space");
    cr_expect_eq(rpc_u256_parse_units(&r, S("1.5 "), 6), RPC_EDECIMAL, "trailing space");
    cr_expect_eq(rpc_u256_parse_units(&r, S("0x10"), 6), RPC_EDECIMAL, "hex");
    r = MAX;
    cr_expect_eq(rpc_u256_parse_units(&r, S("1.0000001"), 6), RPC_EDECIMAL,
                 "a nonzero digit below the token's precision is not rounded away");
    cr_expect(eq(&r, &ZERO));
    cr_expect_eq(rpc_u256_parse_units(&r, S("0.5"), 0), RPC_EDECIMAL, "fraction of a 0-dec token");
    cr_expect_eq(rpc_u256_parse_units(&r, S("1"), 78), RPC_EINVAL, "decimals > 77");
}

Test(u256_parse_units, overflow_at_the_2_256_boundary)
{
    rpc_u256 r;
    cr_expect_eq(rpc_u256_parse_units(&r, S("115792089237316195423570985008687907853269984665640564"
                                            "039457.584007913129639935"),
                                      18),
                 RPC_OK);
    cr_expect(eq(&r, &MAX));
    cr_expect_eq(rpc_u256_parse_units(&r, S("115792089237316195423570985008687907853269984665640564"
                                            "039457.584007913129639936"),
                                      18),
                 RPC_EOVERFLOW);
    cr_expect_eq(rpc_u256_parse_units(&r, S("115792089237316195423570985008687907853269984665640564"
                                            "039458"),
                                      18),
                 RPC_EOVERFLOW, "overflow from the scaling alone");
    cr_expect_eq(rpc_u256_parse_units(&r, S("2"), 77), RPC_EOVERFLOW, "2 * 10^77 > 2^256");
    cr_expect_eq(rpc_u256_parse_units(&r, S("1"), 77), RPC_OK, "10^77 < 2^256");
}

Test(u256_format_units, the_usdt_example_from_the_header)
{
    char s[160];
    rpc_u256 a = rpc_u256_from_u64(1234567890123ull);
    cr_expect_eq(rpc_u256_format_units(s, sizeof s, &a, 6, 6, "USDT"), RPC_OK);
    cr_expect_str_eq(s, "1,234,567.890123 USDT");
}

Test(u256_format_units, table)
{
    static const struct {
        uint64_t v;
        unsigned dec, max_frac;
        const char *sym, *want;
    } cases[] = {
        {0, 18, 6, "ETH", "0 ETH"},
        {0, 0, 0, NULL, "0"},
        {1, 0, 0, NULL, "1"},
        {999, 0, 0, NULL, "999"},
        {1000, 0, 0, NULL, "1,000"},
        {999999, 0, 0, NULL, "999,999"},
        {1000000, 0, 0, NULL, "1,000,000"},
        {12345678, 0, 4, NULL, "12,345,678"},
        {1500000, 6, 6, "USDC", "1.5 USDC"},          /* trailing zeros removed */
        {1000000, 6, 6, "USDC", "1 USDC"},            /* and the dot with them */
        {1999999, 6, 2, NULL, "1.99"},                /* truncated, not rounded */
        {5, 6, 6, NULL, "0.000005"},                  /* below one: zero padded */
        {5, 6, 5, NULL, "0"},                         /* truncated to nothing */
        {1000000000000000000ull, 18, 4, "WETH", "1 WETH"},
        {198000000000000000ull, 18, 4, "ETH", "0.198 ETH"},
        {UINT64_MAX, 18, 18, NULL, "18.446744073709551615"},
        {UINT64_MAX, 0, 0, NULL, "18,446,744,073,709,551,615"},
        {30000000000000ull, 6, 2, "USDT", "30,000,000 USDT"},
        {123456, 3, 0, NULL, "123"},
        {123456, 3, 77, "", "123.456 "},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char s[160];
        rpc_u256 a = rpc_u256_from_u64(cases[i].v);
        cr_expect_eq(rpc_u256_format_units(s, sizeof s, &a, cases[i].dec, cases[i].max_frac,
                                           cases[i].sym),
                     RPC_OK, "case %zu", i);
        cr_expect_str_eq(s, cases[i].want, "case %zu", i);
    }
}

Test(u256_format_units, extremes_and_errors)
{
    char s[160];
    cr_expect_eq(rpc_u256_format_units(s, sizeof s, &MAX, 0, 0, NULL), RPC_OK);
    cr_expect_str_eq(s, "115,792,089,237,316,195,423,570,985,008,687,907,853,269,984,665,640,564,"
                        "039,457,584,007,913,129,639,935");
    cr_expect_eq(rpc_u256_format_units(s, sizeof s, &MAX, 18, 18, "WEI"), RPC_OK);
    cr_expect_str_eq(s, "115,792,089,237,316,195,423,570,985,008,687,907,853,269,984,665,640,564,"
                        "039,457.584007913129639935 WEI");
    cr_expect_eq(rpc_u256_format_units(s, sizeof s, &MAX, 77, 77, NULL), RPC_OK);
    cr_expect_str_eq(s, "1.15792089237316195423570985008687907853269984665640564039457584007913129"
                        "639935");
    cr_expect_eq(rpc_u256_format_units(s, sizeof s, &ONE, 77, 77, NULL), RPC_OK);
    cr_expect_eq(strlen(s), 2 + 77);
    cr_expect_eq(s[78], '1');
    cr_expect_eq(rpc_u256_format_units(s, sizeof s, &ONE, 78, 6, NULL), RPC_EINVAL);
    cr_expect_str_eq(s, "");
    /* "1,000 USDT" is 10 characters: cap 11 fits, cap 10 does not. */
    rpc_u256 k = rpc_u256_from_u64(1000000000);
    cr_expect_eq(rpc_u256_format_units(s, 10, &k, 6, 2, "USDT"), RPC_ETOO_LARGE);
    cr_expect_str_eq(s, "");
    cr_expect_eq(rpc_u256_format_units(s, 11, &k, 6, 2, "USDT"), RPC_OK);
    cr_expect_str_eq(s, "1,000 USDT");
    cr_expect_eq(rpc_u256_format_units(NULL, 0, &k, 6, 2, NULL), RPC_ETOO_LARGE);
}

Test(u256_format_units, parse_units_reads_back_what_format_units_wrote)
{
    for (int i = 0; i < 5000; i++) {
        rpc_u256 a = rnd_u256(), back;
        unsigned dec = (unsigned)(rnd() % 30);
        char s[160], plain[160];
        size_t n = 0;
        cr_assert_eq(rpc_u256_format_units(s, sizeof s, &a, dec, dec, NULL), RPC_OK);
        for (size_t k = 0; s[k]; k++) /* drop the thousands separators */
            if (s[k] != ',')
                plain[n++] = s[k];
        int rc = rpc_u256_parse_units(&back, plain, n, dec);
        cr_assert_eq(rc, RPC_OK, "%s (dec %u)", s, dec);
        cr_assert(eq(&back, &a), "%s (dec %u)", s, dec);
    }
}

/* ---- to_double ---- */

Test(u256_to_double, is_correctly_rounded)
{
    cr_expect_eq(rpc_u256_to_double(&ZERO), 0.0);
    cr_expect_eq(rpc_u256_to_double(&ONE), 1.0);
    rpc_u256 p64 = U(0, 0, 1, 0);
    cr_expect_eq(rpc_u256_to_double(&p64), 18446744073709551616.0);
    cr_expect_eq(rpc_u256_to_double(&MAX), ldexp(1.0, 256), "max rounds up to 2^256");
    /* Near 2^64 doubles are 2^12 apart: 2^64 + 2^11 is a tie (to even: 2^64), one more
     * rounds up. The deciding bit is shifted out, so this needs the sticky bit. */
    rpc_u256 tie = U(0, 0, 1, 1ull << 11), above = U(0, 0, 1, (1ull << 11) + 1);
    cr_expect_eq(rpc_u256_to_double(&tie), 18446744073709551616.0);
    cr_expect_eq(rpc_u256_to_double(&above), 18446744073709551616.0 + 4096.0);
    /* The same at the top: 2^255 + 2^202 is a tie, + 1 decides it upward. */
    rpc_u256 t2 = U(0x8000000000000000ull, 0, 0, 0), t3;
    t2.w[202 / 64] |= 1ull << (202 % 64);
    cr_expect_eq(rpc_u256_to_double(&t2), ldexp(1.0, 255));
    t3 = t2;
    t3.w[0] |= 1;
    cr_expect_eq(rpc_u256_to_double(&t3), ldexp(1.0, 255) + ldexp(1.0, 203));
    /* 1,234,567.890123 USDT as a display figure */
    rpc_u256 usdt = rpc_u256_from_u64(1234567890123ull);
    cr_expect_eq(rpc_u256_to_double(&usdt) / 1e6, 1234567.890123);
}

Test(u256_to_double, agrees_with_int128_conversion)
{
    for (int i = 0; i < 5000; i++) {
        u128 x = rnd128(1 + (unsigned)(rnd() % 128));
        rpc_u256 a = from128(x);
        cr_assert_eq(rpc_u256_to_double(&a), (double)x);
    }
}

/* Powers of ten: exact up to 10^77, the largest below 2^256; past it, 0. */
Test(u256, pow10_is_exact_up_to_ten_to_the_77_and_zero_beyond)
{
    char buf[RPC_U256_DEC_MAX];
    rpc_u256 r = rpc_u256_pow10(0);
    cr_expect_eq(rpc_u256_cmp(&r, &(rpc_u256){{1, 0, 0, 0}}), 0);
    r = rpc_u256_pow10(18);
    cr_expect_eq(r.w[0], 1000000000000000000ull);
    r = rpc_u256_pow10(77);
    cr_assert_eq(rpc_u256_format_dec(buf, sizeof buf, &r), RPC_OK);
    cr_expect_eq(strlen(buf), 78u);
    cr_expect_eq(buf[0], '1');
    cr_expect_eq(strspn(buf + 1, "0"), 77u);
    r = rpc_u256_pow10(78);
    cr_expect(rpc_u256_is_zero(&r));
}
