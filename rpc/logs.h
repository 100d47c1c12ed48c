/* rpc/logs.h — eth_getLogs over any block range, split to what the provider accepts.
 * The result is exactly the logs of the range: none dropped, none twice, in (block,
 * log index) order, or an error — never a partial list. */
#ifndef WT_RPC_LOGS_H
#define WT_RPC_LOGS_H

#include <stddef.h>
#include <stdint.h>

#include "rpc/client.h"

typedef struct rpc_logs_opts {
    uint64_t initial_span; /* blocks in the first query (default 2000) */
    uint64_t max_span;     /* the span never grows past this (default 100000) */
    unsigned grow_after;   /* successes in a row before the span doubles (default 2) */
    size_t max_bytes;      /* cap on the result's memory (structs + data; default 1 GiB) */
} rpc_logs_opts;

/* rpc_logs_opts_default: fill *o with the defaults above. */
void rpc_logs_opts_default(rpc_logs_opts *o);

/* rpc_logs_range: every log of f's range [f->from_block, f->to_block] matching f.
 * Queries go out span blocks at a time; when the provider refuses one as too large
 * (RPC_ERANGE: "query returned more than 10000 results", "block range is too large",
 * "Log response size exceeded", HTTP 413, ...; RPC_ETOO_LARGE: over the client's
 * max_response; RPC_ETIMEOUT) the span is halved and the same start asked again; after
 * grow_after successes in a row it doubles. The caller should keep f->to_block at or
 * below a head it has seen: nodes answer [] for blocks they do not have yet.
 * Returns: RPC_OK; RPC_EINVAL (from > to, or a tag as a bound); RPC_ERANGE (one block
 *          alone is refused: rpc_client_errmsg() names it); RPC_ETOO_LARGE (the result
 *          would pass max_bytes); any error of rpc_client_call() that stopped it.
 * Out:     *out, caller frees with rpc_logs_free(); empty on error.
 * In:      o, NULL for the defaults. */
RPC_WUR int rpc_logs_range(rpc_client *c, rpc_logs *out, const rpc_log_filter *f,
                           const rpc_logs_opts *o);

#endif
