/* rpc/hex.h — strict hex at the JSON edge: "0x" prefix always, nothing guessed.
 * All functions take explicit lengths; none reads past them or writes past a cap. */
#ifndef WT_RPC_HEX_H
#define WT_RPC_HEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rpc/err.h"

/* rpc_hex_decode: decode "0x" followed by an even number of hex digits (either case).
 * "0x" alone decodes to zero bytes.
 * Only a lowercase "0x" prefix is accepted ("0X" is RPC_EHEX).
 * Returns: RPC_OK; RPC_EHEX (no 0x prefix, odd length, a non-hex character);
 *          RPC_ETOO_LARGE (well-formed but more than cap bytes).
 * Out:     out (cap bytes available) holds *outlen bytes; on error *outlen = 0.
 * In:      s, slen: the text, not necessarily NUL-terminated. */
RPC_WUR int rpc_hex_decode(uint8_t *out, size_t cap, size_t *outlen, const char *s, size_t slen);

/* rpc_hex_decode_fixed: decode exactly n bytes ("0x" + 2n digits), e.g. a hash32.
 * Returns: RPC_OK; RPC_EHEX (malformed, or not exactly 2n digits).
 * Out:     out[0..n) written on success, zeroed on error. */
RPC_WUR int rpc_hex_decode_fixed(uint8_t *out, size_t n, const char *s, size_t slen);

/* rpc_hex_encode: write "0x" + 2n lowercase digits + NUL into out.
 * Returns: RPC_OK; RPC_ETOO_LARGE when cap < 2n + 3 (out then holds "").
 * In:      in, n: the bytes. */
RPC_WUR int rpc_hex_encode(char *out, size_t cap, const uint8_t *in, size_t n);

/* rpc_hex_quantity_u64: parse a JSON-RPC QUANTITY ("0x0", "0x1a"; no leading zeros,
 * at least one digit) into a uint64.
 * Returns: RPC_OK; RPC_EHEX (malformed, leading zero, empty); RPC_ETOO_LARGE (> 2^64-1).
 * Out:     *v, 0 on error. */
RPC_WUR int rpc_hex_quantity_u64(uint64_t *v, const char *s, size_t slen);

/* rpc_hex_format_u64: write a QUANTITY ("0x0", "0x1a") + NUL. cap >= 19 always suffices.
 * Returns: RPC_OK; RPC_ETOO_LARGE when cap is too small. */
RPC_WUR int rpc_hex_format_u64(char *out, size_t cap, uint64_t v);

/* rpc_hex_digit_value: the value 0..15 of one hex digit (either case), -1 otherwise. */
int rpc_hex_digit_value(char c);

/* rpc_hex_has_prefix: true when s[0..slen) starts with "0x". */
bool rpc_hex_has_prefix(const char *s, size_t slen);

#endif
