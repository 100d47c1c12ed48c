/* rpc/u256.c — exact unsigned 256-bit arithmetic and its decimal/hex text forms.
 * Invariant: every result is exact or the call fails with *r zeroed; results are built
 * in locals and copied out last, so outputs may alias inputs. Division is Knuth's
 * algorithm D on 64-bit limbs (TAOCP vol. 2, 4.3.1), shared by divmod and muldiv. */
#include <assert.h>
#include <math.h>
#include <string.h>

#include "rpc/hex.h"
#include "rpc/u256.h"

/* unsigned __int128 is a GNU extension (gcc, clang) on every 64-bit target we build. */
__extension__ typedef unsigned __int128 u128;

static const rpc_u256 U256_ZERO = {{0, 0, 0, 0}};

bool rpc_u256_is_zero(const rpc_u256 *a)
{
    assert(a != NULL);
    return (a->w[0] | a->w[1] | a->w[2] | a->w[3]) == 0;
}

int rpc_u256_cmp(const rpc_u256 *a, const rpc_u256 *b)
{
    assert(a != NULL && b != NULL);
    for (int i = 3; i >= 0; i--) {
        if (a->w[i] != b->w[i])
            return a->w[i] < b->w[i] ? -1 : 1;
    }
    return 0;
}

bool rpc_u256_fits_u64(const rpc_u256 *a)
{
    assert(a != NULL);
    return (a->w[1] | a->w[2] | a->w[3]) == 0;
}

int rpc_u256_add(rpc_u256 *r, const rpc_u256 *a, const rpc_u256 *b)
{
    assert(r != NULL && a != NULL && b != NULL);
    rpc_u256 t;
    uint64_t carry = 0;
    for (int i = 0; i < 4; i++) {
        u128 s = (u128)a->w[i] + b->w[i] + carry;
        t.w[i] = (uint64_t)s;
        carry = (uint64_t)(s >> 64);
    }
    if (carry) {
        *r = U256_ZERO;
        return RPC_EOVERFLOW;
    }
    *r = t;
    return RPC_OK;
}

int rpc_u256_sub(rpc_u256 *r, const rpc_u256 *a, const rpc_u256 *b)
{
    assert(r != NULL && a != NULL && b != NULL);
    rpc_u256 t;
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
        uint64_t x = a->w[i], y = b->w[i];
        t.w[i] = x - y - borrow;
        borrow = (x < y) || (x - y < borrow);
    }
    if (borrow) {
        *r = U256_ZERO;
        return RPC_EOVERFLOW;
    }
    *r = t;
    return RPC_OK;
}

/* mul_full: the 512-bit product p[0..8) of two 256-bit values. */
static void mul_full(uint64_t p[8], const rpc_u256 *a, const rpc_u256 *b)
{
    memset(p, 0, 8 * sizeof p[0]);
    for (int i = 0; i < 4; i++) {
        uint64_t carry = 0;
        for (int j = 0; j < 4; j++) {
            u128 t = (u128)a->w[i] * b->w[j] + p[i + j] + carry;
            p[i + j] = (uint64_t)t;
            carry = (uint64_t)(t >> 64);
        }
        p[i + 4] = carry;
    }
}

int rpc_u256_mul(rpc_u256 *r, const rpc_u256 *a, const rpc_u256 *b)
{
    assert(r != NULL && a != NULL && b != NULL);
    uint64_t p[8];
    mul_full(p, a, b);
    if ((p[4] | p[5] | p[6] | p[7]) != 0) {
        *r = U256_ZERO;
        return RPC_EOVERFLOW;
    }
    memcpy(r->w, p, sizeof r->w);
    return RPC_OK;
}

/* nlimbs: the number of significant limbs of x[0..n). */
static int nlimbs(const uint64_t *x, int n)
{
    while (n > 0 && x[n - 1] == 0)
        n--;
    return n;
}

static int clz64(uint64_t x)
{
    assert(x != 0);
    return __builtin_clzll(x);
}

/* divmod_limbs: q[0..m) = u / v, r[0..4) = u % v, for u of m <= 8 limbs and v of
 * 4 limbs with v != 0. Knuth's algorithm D: normalise so the divisor's top bit is set,
 * estimate each quotient limb from the top two limbs, correct it at most twice, then
 * multiply-subtract and add back in the rare case the estimate was still one too big. */
static void divmod_limbs(uint64_t *q, uint64_t r[4], const uint64_t *u, int m,
                         const uint64_t v[4])
{
    assert(m <= 8);
    int n = nlimbs(v, 4);
    assert(n > 0);
    memset(q, 0, (size_t)m * sizeof q[0]);
    memset(r, 0, 4 * sizeof r[0]);
    m = nlimbs(u, m);
    if (m < n) { /* u < v */
        memcpy(r, u, (size_t)m * sizeof u[0]);
        return;
    }
    if (n == 1) { /* one-limb divisor: plain long division */
        uint64_t rem = 0;
        for (int i = m - 1; i >= 0; i--) {
            u128 cur = (u128)rem << 64 | u[i];
            q[i] = (uint64_t)(cur / v[0]);
            rem = (uint64_t)(cur % v[0]);
        }
        r[0] = rem;
        return;
    }
    /* D1: normalise. */
    int s = clz64(v[n - 1]);
    uint64_t vn[4], un[9];
    for (int i = n - 1; i > 0; i--)
        vn[i] = s ? (v[i] << s | v[i - 1] >> (64 - s)) : v[i];
    vn[0] = v[0] << s;
    un[m] = s ? u[m - 1] >> (64 - s) : 0;
    for (int i = m - 1; i > 0; i--)
        un[i] = s ? (u[i] << s | u[i - 1] >> (64 - s)) : u[i];
    un[0] = u[0] << s;

    for (int j = m - n; j >= 0; j--) {
        /* D3: estimate qhat from the top two limbs; it is at most 2 too large. */
        u128 num = (u128)un[j + n] << 64 | un[j + n - 1];
        u128 qhat = num / vn[n - 1];
        u128 rhat = num % vn[n - 1];
        while ((qhat >> 64) != 0 ||
               qhat * vn[n - 2] > ((rhat << 64) | un[j + n - 2])) {
            qhat--;
            rhat += vn[n - 1];
            if ((rhat >> 64) != 0)
                break;
        }
        /* D4: multiply and subtract qhat * vn from un[j..j+n]. */
        uint64_t mulcarry = 0, borrow = 0;
        for (int i = 0; i < n; i++) {
            u128 p = qhat * vn[i] + mulcarry;
            mulcarry = (uint64_t)(p >> 64);
            uint64_t lo = (uint64_t)p, x = un[i + j];
            un[i + j] = x - lo - borrow;
            borrow = (x < lo) || (x - lo < borrow);
        }
        uint64_t x = un[j + n];
        un[j + n] = x - mulcarry - borrow;
        borrow = (x < mulcarry) || (x - mulcarry < borrow);
        q[j] = (uint64_t)qhat;
        /* D5/D6: the estimate was one too large; add the divisor back once. */
        if (borrow) {
            q[j]--;
            uint64_t carry = 0;
            for (int i = 0; i < n; i++) {
                u128 t = (u128)un[i + j] + vn[i] + carry;
                un[i + j] = (uint64_t)t;
                carry = (uint64_t)(t >> 64);
            }
            un[j + n] += carry; /* wraps back to the true (non-negative) remainder */
        }
    }
    /* D8: unnormalise the remainder. */
    for (int i = 0; i < n; i++)
        r[i] = s ? (un[i] >> s | un[i + 1] << (64 - s)) : un[i];
}

int rpc_u256_divmod(rpc_u256 *q, rpc_u256 *m, const rpc_u256 *a, const rpc_u256 *b)
{
    assert(a != NULL && b != NULL);
    if (rpc_u256_is_zero(b)) {
        if (q)
            *q = U256_ZERO;
        if (m)
            *m = U256_ZERO;
        return RPC_EDIVZERO;
    }
    uint64_t qq[4], rr[4];
    divmod_limbs(qq, rr, a->w, 4, b->w);
    if (q)
        memcpy(q->w, qq, sizeof qq);
    if (m)
        memcpy(m->w, rr, sizeof rr);
    return RPC_OK;
}

int rpc_u256_muldiv(rpc_u256 *r, const rpc_u256 *a, const rpc_u256 *b, const rpc_u256 *d)
{
    assert(r != NULL && a != NULL && b != NULL && d != NULL);
    if (rpc_u256_is_zero(d)) {
        *r = U256_ZERO;
        return RPC_EDIVZERO;
    }
    uint64_t p[8], qq[8], rr[4];
    mul_full(p, a, b);
    divmod_limbs(qq, rr, p, 8, d->w);
    if ((qq[4] | qq[5] | qq[6] | qq[7]) != 0) {
        *r = U256_ZERO;
        return RPC_EOVERFLOW;
    }
    memcpy(r->w, qq, sizeof r->w);
    return RPC_OK;
}

void rpc_u256_shl(rpc_u256 *r, const rpc_u256 *a, unsigned n)
{
    assert(r != NULL && a != NULL);
    rpc_u256 t = U256_ZERO;
    if (n < 256) {
        unsigned limbs = n / 64, bits = n % 64;
        for (unsigned i = limbs; i < 4; i++) {
            uint64_t hi = a->w[i - limbs] << bits;
            uint64_t lo = (bits && i > limbs) ? a->w[i - limbs - 1] >> (64 - bits) : 0;
            t.w[i] = hi | lo;
        }
    }
    *r = t;
}

void rpc_u256_shr(rpc_u256 *r, const rpc_u256 *a, unsigned n)
{
    assert(r != NULL && a != NULL);
    rpc_u256 t = U256_ZERO;
    if (n < 256) {
        unsigned limbs = n / 64, bits = n % 64;
        for (unsigned i = 0; i + limbs < 4; i++) {
            uint64_t lo = a->w[i + limbs] >> bits;
            uint64_t hi = (bits && i + limbs + 1 < 4) ? a->w[i + limbs + 1] << (64 - bits) : 0;
            t.w[i] = lo | hi;
        }
    }
    *r = t;
}

void rpc_u256_from_be32(rpc_u256 *r, const uint8_t in[32])
{
    assert(r != NULL && in != NULL);
    rpc_u256 t;
    for (int i = 0; i < 4; i++) {
        uint64_t x = 0;
        for (int j = 0; j < 8; j++)
            x = x << 8 | in[(3 - i) * 8 + j];
        t.w[i] = x;
    }
    *r = t;
}

void rpc_u256_to_be32(uint8_t out[32], const rpc_u256 *a)
{
    assert(out != NULL && a != NULL);
    rpc_u256 t = *a;
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 8; j++)
            out[(3 - i) * 8 + j] = (uint8_t)(t.w[i] >> (56 - 8 * j));
}

int rpc_u256_from_be(rpc_u256 *r, const uint8_t *in, size_t n)
{
    assert(r != NULL && (in != NULL || n == 0));
    uint8_t buf[32] = {0};
    if (n > 32) {
        *r = U256_ZERO;
        return RPC_ETOO_LARGE;
    }
    if (n > 0)
        memcpy(buf + 32 - n, in, n);
    rpc_u256_from_be32(r, buf);
    return RPC_OK;
}

/* mul_small_add: *x = *x * m + add; false (x unspecified) on overflow. */
static bool mul_small_add(rpc_u256 *x, uint64_t m, uint64_t add)
{
    uint64_t carry = add;
    for (int i = 0; i < 4; i++) {
        u128 t = (u128)x->w[i] * m + carry;
        x->w[i] = (uint64_t)t;
        carry = (uint64_t)(t >> 64);
    }
    return carry == 0;
}

/* div_small: *x /= d, returns the remainder. d != 0. */
static uint64_t div_small(rpc_u256 *x, uint64_t d)
{
    uint64_t rem = 0;
    for (int i = 3; i >= 0; i--) {
        u128 cur = (u128)rem << 64 | x->w[i];
        x->w[i] = (uint64_t)(cur / d);
        rem = (uint64_t)(cur % d);
    }
    return rem;
}

static bool all_dec(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* accumulate_dec: *x = *x * 10^n + digits s[0..n) (validated); false on overflow. */
static bool accumulate_dec(rpc_u256 *x, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!mul_small_add(x, 10, (uint64_t)(s[i] - '0')))
            return false;
    return true;
}

int rpc_u256_parse_dec(rpc_u256 *r, const char *s, size_t slen)
{
    assert(r != NULL && (s != NULL || slen == 0));
    rpc_u256 t = U256_ZERO;
    *r = U256_ZERO;
    if (slen == 0 || !all_dec(s, slen))
        return RPC_EDECIMAL;
    if (!accumulate_dec(&t, s, slen))
        return RPC_EOVERFLOW;
    *r = t;
    return RPC_OK;
}

int rpc_u256_parse_hex(rpc_u256 *r, const char *s, size_t slen)
{
    assert(r != NULL && (s != NULL || slen == 0));
    *r = U256_ZERO;
    if (!rpc_hex_has_prefix(s, slen))
        return RPC_EHEX;
    const char *d = s + 2;
    size_t nd = slen - 2;
    if (nd == 0 || (nd > 1 && d[0] == '0'))
        return RPC_EHEX;
    for (size_t i = 0; i < nd; i++)
        if (rpc_hex_digit_value(d[i]) < 0)
            return RPC_EHEX;
    if (nd > 64)
        return RPC_EOVERFLOW;
    rpc_u256 t = U256_ZERO;
    for (size_t i = 0; i < nd; i++) {
        size_t bit = 4 * (nd - 1 - i);
        t.w[bit / 64] |= (uint64_t)rpc_hex_digit_value(d[i]) << (bit % 64);
    }
    *r = t;
    return RPC_OK;
}

int rpc_u256_parse_units(rpc_u256 *r, const char *s, size_t slen, unsigned decimals)
{
    assert(r != NULL && (s != NULL || slen == 0));
    *r = U256_ZERO;
    if (decimals > 77)
        return RPC_EINVAL;
    const char *dot = slen ? memchr(s, '.', slen) : NULL;
    size_t nint = dot ? (size_t)(dot - s) : slen;
    const char *frac = dot ? dot + 1 : s + slen;
    size_t nfrac = dot ? slen - nint - 1 : 0;
    if (nint == 0 || !all_dec(s, nint))
        return RPC_EDECIMAL;
    if (dot && (nfrac == 0 || !all_dec(frac, nfrac)))
        return RPC_EDECIMAL;
    /* Digits beyond the token's precision must be zeros: nothing is rounded away. */
    for (size_t i = decimals; i < nfrac; i++)
        if (frac[i] != '0')
            return RPC_EDECIMAL;
    size_t used = nfrac < decimals ? nfrac : decimals;
    rpc_u256 t = U256_ZERO;
    if (!accumulate_dec(&t, s, nint) || !accumulate_dec(&t, frac, used))
        return RPC_EOVERFLOW;
    for (size_t i = used; i < decimals; i++)
        if (!mul_small_add(&t, 10, 0))
            return RPC_EOVERFLOW;
    *r = t;
    return RPC_OK;
}

/* dec_digits: the decimal digits of a into buf (no NUL); returns their count (>= 1). */
static size_t dec_digits(char buf[RPC_U256_DEC_MAX], const rpc_u256 *a)
{
    char rev[RPC_U256_DEC_MAX];
    size_t n = 0;
    rpc_u256 t = *a;
    do {
        /* Peel 19 digits at a time: 10^19 is the largest power of ten below 2^64. */
        uint64_t chunk = div_small(&t, 10000000000000000000ull);
        bool last = rpc_u256_is_zero(&t);
        for (int k = 0; k < 19 && (!last || chunk != 0 || k == 0); k++) {
            rev[n++] = (char)('0' + chunk % 10);
            chunk /= 10;
        }
    } while (!rpc_u256_is_zero(&t));
    for (size_t i = 0; i < n; i++)
        buf[i] = rev[n - 1 - i];
    return n;
}

int rpc_u256_format_dec(char *out, size_t cap, const rpc_u256 *a)
{
    assert(a != NULL && (out != NULL || cap == 0));
    char d[RPC_U256_DEC_MAX];
    size_t n = dec_digits(d, a);
    if (cap < n + 1) {
        if (cap > 0)
            out[0] = '\0';
        return RPC_ETOO_LARGE;
    }
    memcpy(out, d, n);
    out[n] = '\0';
    return RPC_OK;
}

int rpc_u256_format_hex(char *out, size_t cap, const rpc_u256 *a)
{
    assert(a != NULL && (out != NULL || cap == 0));
    static const char digits[] = "0123456789abcdef";
    int nd = 64;
    while (nd > 1 && ((a->w[(nd - 1) / 16] >> (4 * ((nd - 1) % 16))) & 15) == 0)
        nd--;
    if (cap < (size_t)nd + 3) {
        if (cap > 0)
            out[0] = '\0';
        return RPC_ETOO_LARGE;
    }
    out[0] = '0';
    out[1] = 'x';
    for (int i = 0; i < nd; i++) {
        int k = nd - 1 - i; /* nibble index, 0 = least significant */
        out[2 + i] = digits[(a->w[k / 16] >> (4 * (k % 16))) & 15];
    }
    out[2 + nd] = '\0';
    return RPC_OK;
}

int rpc_u256_format_units(char *out, size_t cap, const rpc_u256 *a, unsigned decimals,
                          unsigned max_frac, const char *symbol)
{
    assert(a != NULL && (out != NULL || cap == 0));
    if (cap > 0)
        out[0] = '\0';
    if (decimals > 77)
        return RPC_EINVAL;
    char d[RPC_U256_DEC_MAX];
    size_t n = dec_digits(d, a);
    /* Integer digits are d[0..nint); when n <= decimals the integer part is "0" and the
     * fraction is the digits left-padded with zeros to `decimals` places. */
    size_t nint = n > decimals ? n - decimals : 0;
    char frac[80];
    size_t nfrac = decimals;
    memset(frac, '0', nfrac);
    memcpy(frac + (nfrac - (n - nint)), d + nint, n - nint);
    if (nfrac > max_frac)
        nfrac = max_frac; /* truncation toward zero */
    while (nfrac > 0 && frac[nfrac - 1] == '0')
        nfrac--;
    size_t int_len = nint ? nint + (nint - 1) / 3 : 1;
    size_t sym_len = symbol ? 1 + strlen(symbol) : 0;
    size_t total = int_len + (nfrac ? 1 + nfrac : 0) + sym_len;
    if (cap < total + 1)
        return RPC_ETOO_LARGE;
    size_t o = 0;
    if (nint == 0) {
        out[o++] = '0';
    } else {
        for (size_t i = 0; i < nint; i++) {
            if (i > 0 && (nint - i) % 3 == 0)
                out[o++] = ',';
            out[o++] = d[i];
        }
    }
    if (nfrac) {
        out[o++] = '.';
        memcpy(out + o, frac, nfrac);
        o += nfrac;
    }
    if (symbol) {
        out[o++] = ' ';
        memcpy(out + o, symbol, sym_len - 1);
        o += sym_len - 1;
    }
    out[o] = '\0';
    assert(o == total);
    return RPC_OK;
}

double rpc_u256_to_double(const rpc_u256 *a)
{
    assert(a != NULL);
    int n = nlimbs(a->w, 4);
    if (n <= 1)
        return (double)a->w[0];
    /* Take the top 64 significant bits, fold every lower bit into a sticky bit so the
     * one rounding (uint64 -> double, round-to-nearest-even) is the correct one. */
    int top = 64 * (n - 1) + (63 - clz64(a->w[n - 1])); /* index of the highest set bit */
    unsigned shift = (unsigned)(top - 63);
    rpc_u256 hi, back;
    rpc_u256_shr(&hi, a, shift);
    rpc_u256_shl(&back, &hi, shift);
    uint64_t m = hi.w[0];
    if (rpc_u256_cmp(&back, a) != 0)
        m |= 1;
    return ldexp((double)m, (int)shift);
}

rpc_u256 rpc_u256_pow10(unsigned e)
{
    rpc_u256 r = rpc_u256_from_u64(1), ten = rpc_u256_from_u64(10);
    if (e > 77)
        return rpc_u256_from_u64(0);
    while (e--)
        if (rpc_u256_mul(&r, &r, &ten))
            return rpc_u256_from_u64(0); /* unreachable: 10^77 < 2^256 */
    return r;
}
