/* rpc/multicall.h — many contract reads at one block through Multicall3's aggregate3
 * (0xcA11bde05977b3631167028862bE2a173976CA11, the same address on every chain it is on).
 * Calls are packed into as few eth_calls as the caps allow, and those eth_calls go out
 * as one JSON-RPC batch: one HTTP round trip for any number of reads. */
#ifndef WT_RPC_MULTICALL_H
#define WT_RPC_MULTICALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rpc/abi.h"
#include "rpc/client.h"

/* The canonical Multicall3 address. */
extern const rpc_addr rpc_multicall3_addr;

/* One read: target.call(data) — rpc/abi.h's rpc_abi_call3 {target, allow_failure, data,
 * len}, data borrowed. With allow_failure false, its failure reverts the whole eth_call it
 * was packed in (the multicall then fails with RPC_EREVERT). */
typedef rpc_abi_call3 rpc_mcall;

/* One outcome: success and the return data (or the revert data on failure). */
typedef struct rpc_mresult {
    bool success;
    uint8_t *data; /* owned by the rpc_mresults it sits in */
    size_t len;
} rpc_mresult;

typedef struct rpc_mresults {
    rpc_mresult *v;
    size_t n;
} rpc_mresults;
void rpc_mresults_free(rpc_mresults *r);

typedef struct rpc_multicall_opts {
    size_t max_calls;    /* calls per eth_call (default 500) */
    size_t max_calldata; /* bytes of packed calldata per eth_call (default 128 KiB) */
    rpc_addr address;    /* the Multicall3 to use (default rpc_multicall3_addr) */
} rpc_multicall_opts;

/* rpc_multicall_opts_default: fill *o with the defaults above. */
void rpc_multicall_opts_default(rpc_multicall_opts *o);

/* rpc_multicall: run calls[0..n) at block via aggregate3. A piece that the node refuses
 * with a plain error (e.g. out of gas) is split in two and retried, down to one call.
 * Returns: RPC_OK; RPC_EINVAL (n == 0 or a NULL argument); RPC_EREVERT (a call with
 *          allow_failure false failed; revert data in rpc_client_revert_data());
 *          RPC_EABI (the answer does not decode as aggregate3's (bool, bytes)[] of n
 *          entries); any error of rpc_client_call().
 * Out:     *out, n results in the order of calls; caller frees with rpc_mresults_free().
 * In:      o, NULL for the defaults. */
RPC_WUR int rpc_multicall(rpc_client *c, rpc_mresults *out, uint64_t block,
                          const rpc_mcall *calls, size_t n, const rpc_multicall_opts *o);

/* rpc_multicall_balances: the ETH balance of each address at block, via Multicall3's
 * getEthBalance(address) (selector 0x4d2301cc).
 * Returns: as rpc_multicall(); RPC_EABI when an answer is not one 32-byte word.
 * Out:     wei[0..n), zeroed on error. */
RPC_WUR int rpc_multicall_balances(rpc_client *c, rpc_u256 *wei, uint64_t block,
                                   const rpc_addr *addrs, size_t n, const rpc_multicall_opts *o);

#endif
