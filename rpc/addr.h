/* rpc/addr.h — addresses and hashes as text: EIP-55 checksummed, strictly parsed. */
#ifndef WT_RPC_ADDR_H
#define WT_RPC_ADDR_H

#include <stddef.h>

#include "rpc/err.h"
#include "rpc/types.h"

#define RPC_ADDR_HEX_LEN 42 /* "0x" + 40 digits, without the NUL */

/* rpc_addr_parse: parse "0x" + 40 hex digits. All-lowercase and all-uppercase digits are
 * accepted as they are; mixed case must match the EIP-55 checksum.
 * Returns: RPC_OK; RPC_EHEX (malformed or wrong length); RPC_ECHECKSUM (mixed case,
 *          wrong checksum).
 * Out:     *a, zeroed on error. */
RPC_WUR int rpc_addr_parse(rpc_addr *a, const char *s, size_t slen);

/* rpc_addr_format: the EIP-55 checksummed form, NUL-terminated, into out[43]. */
void rpc_addr_format(char out[RPC_ADDR_HEX_LEN + 1], const rpc_addr *a);

/* rpc_addr_format_lower: "0x" + 40 lowercase digits, NUL-terminated (JSON-RPC params). */
void rpc_addr_format_lower(char out[RPC_ADDR_HEX_LEN + 1], const rpc_addr *a);

/* rpc_hash32_parse: parse "0x" + 64 hex digits (any case).
 * Returns: RPC_OK; RPC_EHEX. Out: *h, zeroed on error. */
RPC_WUR int rpc_hash32_parse(rpc_hash32 *h, const char *s, size_t slen);

/* rpc_hash32_format: "0x" + 64 lowercase digits, NUL-terminated, into out[67]. */
void rpc_hash32_format(char out[67], const rpc_hash32 *h);

#endif
