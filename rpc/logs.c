/* rpc/logs.c — adaptive eth_getLogs over a block range. Invariant: the range is walked
 * once, left to right, in disjoint pieces [lo, hi]; a piece is appended only after its
 * answer was fully validated (rpc_eth_get_logs), so the union is exactly the range's logs
 * in order, and a refusal only makes the next piece smaller. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/client_int.h"
#include "rpc/logs.h"

void rpc_logs_opts_default(rpc_logs_opts *o)
{
    o->initial_span = 2000;
    o->max_span = 100000;
    o->grow_after = 2;
    o->max_bytes = (size_t)1 << 30;
}

static bool is_refusal(int rc)
{
    return rc == RPC_ERANGE || rc == RPC_ETOO_LARGE || rc == RPC_ETIMEOUT;
}

/* Move piece's logs to the end of out (piece's array is freed, its data moved). */
static int append(rpc_logs *out, size_t *cap, rpc_logs *piece)
{
    if (piece->n == 0) {
        rpc_logs_free(piece);
        return RPC_OK;
    }
    if (out->n + piece->n > *cap) {
        size_t nc = *cap ? *cap : 256;
        while (nc < out->n + piece->n)
            nc *= 2;
        rpc_log *v = realloc(out->v, nc * sizeof *v);
        if (!v)
            return RPC_ENOMEM;
        out->v = v;
        *cap = nc;
    }
    memcpy(out->v + out->n, piece->v, piece->n * sizeof *piece->v);
    out->n += piece->n;
    free(piece->v);
    piece->v = NULL;
    piece->n = 0;
    return RPC_OK;
}

int rpc_logs_range(rpc_client *c, rpc_logs *out, const rpc_log_filter *f, const rpc_logs_opts *o)
{
    rpc_logs_opts d;
    int rc = RPC_OK;
    memset(out, 0, sizeof *out);
    if (!o) {
        rpc_logs_opts_default(&d);
        o = &d;
    }
    if (!f || f->from_block > f->to_block || f->to_block >= RPC_BLOCK_PENDING) {
        rpc_client_set_err(c, "rpc_logs_range: bad block range");
        return RPC_EINVAL;
    }
    uint64_t span = o->initial_span ? o->initial_span : 1;
    uint64_t max_span = o->max_span ? o->max_span : UINT64_MAX;
    if (span > max_span)
        span = max_span;
    size_t cap = 0, bytes = 0;
    unsigned wins = 0;
    rpc_log_filter piece_f = *f;
    uint64_t lo = f->from_block;
    for (;;) {
        uint64_t hi = f->to_block - lo < span - 1 ? f->to_block : lo + span - 1;
        piece_f.from_block = lo;
        piece_f.to_block = hi;
        rpc_logs piece;
        rc = rpc_eth_get_logs(c, &piece, &piece_f);
        if (rc != RPC_OK) {
            if (!is_refusal(rc))
                goto fail;
            if (hi == lo) {
                char why[300];
                snprintf(why, sizeof why, "%s", rpc_client_errmsg(c));
                rpc_client_set_err(c, "eth_getLogs refused for block %llu alone: %s",
                                   (unsigned long long)lo, why);
                rc = RPC_ERANGE;
                goto fail;
            }
            span = (hi - lo + 1) / 2;
            wins = 0;
            continue;
        }
        for (size_t i = 0; i < piece.n; i++)
            bytes += sizeof(rpc_log) + piece.v[i].data_len;
        if (bytes > o->max_bytes) {
            rpc_logs_free(&piece);
            rpc_client_set_err(c, "eth_getLogs: the logs of [%llu, %llu] pass the %zu-byte cap",
                               (unsigned long long)f->from_block,
                               (unsigned long long)f->to_block, o->max_bytes);
            rc = RPC_ETOO_LARGE;
            goto fail;
        }
        rc = append(out, &cap, &piece);
        if (rc != RPC_OK) {
            rpc_logs_free(&piece);
            goto fail;
        }
        if (hi == f->to_block)
            break;
        lo = hi + 1;
        if (++wins >= o->grow_after && span < max_span) {
            span = span > max_span / 2 ? max_span : span * 2;
            wins = 0;
        }
    }
    return RPC_OK;
fail:
    rpc_logs_free(out);
    return rc;
}
