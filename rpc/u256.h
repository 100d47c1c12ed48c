/* rpc/u256.h — exact unsigned 256-bit arithmetic, the only number type for amounts.
 * Every operation either gives the exact result or reports overflow; nothing wraps
 * silently. Values are rpc_u256 (rpc/types.h), passed by pointer, copied by value.
 * Output pointers may alias inputs. */
#ifndef WT_RPC_U256_H
#define WT_RPC_U256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rpc/err.h"
#include "rpc/types.h"

/* Longest decimal text of a u256 is 78 digits; with thousands separators 103. */
#define RPC_U256_DEC_MAX 80

static inline rpc_u256 rpc_u256_from_u64(uint64_t v)
{
    rpc_u256 r = {{v, 0, 0, 0}};
    return r;
}

bool rpc_u256_is_zero(const rpc_u256 *a);
/* rpc_u256_cmp: -1, 0 or 1 as a <, ==, > b. */
int rpc_u256_cmp(const rpc_u256 *a, const rpc_u256 *b);
/* rpc_u256_fits_u64: true when a < 2^64 (then a->w[0] is its value). */
bool rpc_u256_fits_u64(const rpc_u256 *a);

/* Arithmetic. Returns RPC_OK, or RPC_EOVERFLOW (add, mul, sub below zero) /
 * RPC_EDIVZERO; *r is zeroed on error. */
RPC_WUR int rpc_u256_add(rpc_u256 *r, const rpc_u256 *a, const rpc_u256 *b);
RPC_WUR int rpc_u256_sub(rpc_u256 *r, const rpc_u256 *a, const rpc_u256 *b);
RPC_WUR int rpc_u256_mul(rpc_u256 *r, const rpc_u256 *a, const rpc_u256 *b);
/* rpc_u256_divmod: q = a / b, m = a % b (either output may be NULL). */
RPC_WUR int rpc_u256_divmod(rpc_u256 *q, rpc_u256 *m, const rpc_u256 *a, const rpc_u256 *b);
/* rpc_u256_muldiv: floor(a * b / d) with a 512-bit intermediate, so a*b may exceed 2^256.
 * Returns RPC_OK; RPC_EDIVZERO; RPC_EOVERFLOW when the quotient does not fit. */
RPC_WUR int rpc_u256_muldiv(rpc_u256 *r, const rpc_u256 *a, const rpc_u256 *b, const rpc_u256 *d);

/* rpc_u256_pow10: 10^e exactly for e <= 77; 0 for e > 77 (10^78 exceeds 2^256). */
rpc_u256 rpc_u256_pow10(unsigned e);

/* Shifts by 0..255 bits; bits shifted out are lost (by definition, not an error);
 * n >= 256 gives 0. */
void rpc_u256_shl(rpc_u256 *r, const rpc_u256 *a, unsigned n);
void rpc_u256_shr(rpc_u256 *r, const rpc_u256 *a, unsigned n);

/* Big-endian 32-byte form, as in ABI words and storage slots. */
void rpc_u256_from_be32(rpc_u256 *r, const uint8_t in[32]);
void rpc_u256_to_be32(uint8_t out[32], const rpc_u256 *a);
/* rpc_u256_from_be: n <= 32 big-endian bytes. Returns RPC_OK; RPC_ETOO_LARGE if n > 32. */
RPC_WUR int rpc_u256_from_be(rpc_u256 *r, const uint8_t *in, size_t n);

/* rpc_u256_parse_dec: decimal digits only, no sign, no separators, leading zeros allowed,
 * at least one digit. Returns RPC_OK; RPC_EDECIMAL; RPC_EOVERFLOW (> 2^256-1). */
RPC_WUR int rpc_u256_parse_dec(rpc_u256 *r, const char *s, size_t slen);
/* rpc_u256_parse_hex: a JSON-RPC QUANTITY ("0x0", "0x1f"; no leading zeros).
 * Returns RPC_OK; RPC_EHEX; RPC_EOVERFLOW (more than 64 significant digits). */
RPC_WUR int rpc_u256_parse_hex(rpc_u256 *r, const char *s, size_t slen);
/* rpc_u256_parse_units: a decimal with an optional fraction ("1234.5") scaled by
 * 10^decimals, exact: "1.5" with decimals 6 is 1500000. More fraction digits than
 * decimals is RPC_EDECIMAL unless the extra digits are zeros. Grammar: one or more
 * digits, optionally "." and one or more digits; no sign, separators or spaces.
 * Returns RPC_OK; RPC_EDECIMAL; RPC_EOVERFLOW (> 2^256-1); RPC_EINVAL (decimals > 77). */
RPC_WUR int rpc_u256_parse_units(rpc_u256 *r, const char *s, size_t slen, unsigned decimals);

/* rpc_u256_format_dec: plain decimal + NUL. Returns RPC_OK; RPC_ETOO_LARGE if cap is short
 * (RPC_U256_DEC_MAX always suffices). */
RPC_WUR int rpc_u256_format_dec(char *out, size_t cap, const rpc_u256 *a);
/* rpc_u256_format_hex: QUANTITY form "0x..." + NUL (cap >= 67 always suffices). */
RPC_WUR int rpc_u256_format_hex(char *out, size_t cap, const rpc_u256 *a);
/* rpc_u256_format_units: a / 10^decimals with thousands separators, at most max_frac
 * fraction digits (truncated toward zero, trailing zeros removed), then " " + symbol when
 * symbol is not NULL: 1234567890123 with decimals 6, max_frac 6, "USDT" ->
 * "1,234,567.890123 USDT". decimals <= 77. cap >= 140 + strlen(symbol) always suffices.
 * Returns RPC_OK; RPC_ETOO_LARGE; RPC_EINVAL (decimals > 77). */
RPC_WUR int rpc_u256_format_units(char *out, size_t cap, const rpc_u256 *a, unsigned decimals,
                                  unsigned max_frac, const char *symbol);

/* rpc_u256_to_double: nearest double, for display only (never for arithmetic). */
double rpc_u256_to_double(const rpc_u256 *a);

#endif
