/* rpc/client_batch.c — batches: calls collected in order, sent in as few HTTP requests as
 * max_batch allows, each keeping its own decoded result or error until taken. Invariant:
 * a call's result is owned by the batch until a take_* moves it out (then taken is set). */
#include <stdlib.h>
#include <string.h>

#include "rpc/client_int.h"

struct rpc_batch {
    rpc_call *v;
    size_t n, cap;
};

int rpc_batch_new(rpc_batch **b)
{
    *b = calloc(1, sizeof **b);
    return *b ? RPC_OK : RPC_ENOMEM;
}

void rpc_batch_free(rpc_batch *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n; i++)
        rpc_call_free(&b->v[i]);
    free(b->v);
    free(b);
}

size_t rpc_batch_size(const rpc_batch *b)
{
    return b->n;
}

/* Reserve the next slot; the caller fills it and commits with b->n++ on success. */
static rpc_call *slot(rpc_batch *b)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        rpc_call *v = realloc(b->v, cap * sizeof *v);
        if (!v)
            return NULL;
        b->v = v;
        b->cap = cap;
    }
    return &b->v[b->n];
}

static int commit(rpc_batch *b, size_t *idx, int rc)
{
    if (idx)
        *idx = rc == RPC_OK ? b->n : 0;
    if (rc == RPC_OK)
        b->n++;
    else
        rpc_call_free(&b->v[b->n]);
    return rc;
}

int rpc_batch_add_raw(rpc_batch *b, size_t *idx, const char *method, const char *params_json)
{
    rpc_call *k = slot(b);
    if (!k)
        return RPC_ENOMEM;
    int rc = rpc_call_init(k, RPC_K_RAW, method, params_json);
    if (rc == RPC_OK && params_json) {
        cJSON *p = cJSON_Parse(params_json);
        if (!cJSON_IsArray(p) && !cJSON_IsObject(p))
            rc = RPC_EINVAL;
        cJSON_Delete(p);
    }
    return commit(b, idx, rc);
}

int rpc_batch_add_block_number(rpc_batch *b, size_t *idx)
{
    rpc_call *k = slot(b);
    if (!k)
        return RPC_ENOMEM;
    return commit(b, idx, rpc_call_init(k, RPC_K_U64, "eth_blockNumber", "[]"));
}

int rpc_batch_add_block(rpc_batch *b, size_t *idx, uint64_t block)
{
    rpc_call *k = slot(b);
    return k ? commit(b, idx, rpc_call_prep_block(k, block)) : RPC_ENOMEM;
}

int rpc_batch_add_logs(rpc_batch *b, size_t *idx, const rpc_log_filter *f)
{
    rpc_call *k = slot(b);
    return k ? commit(b, idx, rpc_call_prep_logs(k, f)) : RPC_ENOMEM;
}

int rpc_batch_add_call(rpc_batch *b, size_t *idx, uint64_t block, const rpc_addr *to,
                       const uint8_t *data, size_t len)
{
    rpc_call *k = slot(b);
    return k ? commit(b, idx, rpc_call_prep_call(k, block, to, data, len)) : RPC_ENOMEM;
}

int rpc_batch_add_balance(rpc_batch *b, size_t *idx, const rpc_addr *addr, uint64_t block)
{
    rpc_call *k = slot(b);
    return k ? commit(b, idx, rpc_call_prep_balance(k, addr, block)) : RPC_ENOMEM;
}

int rpc_batch_add_receipt(rpc_batch *b, size_t *idx, const rpc_hash32 *tx)
{
    rpc_call *k = slot(b);
    return k ? commit(b, idx, rpc_call_prep_receipt(k, tx)) : RPC_ENOMEM;
}

int rpc_batch_add_block_receipts(rpc_batch *b, size_t *idx, uint64_t block)
{
    rpc_call *k = slot(b);
    return k ? commit(b, idx, rpc_call_prep_block_receipts(k, block)) : RPC_ENOMEM;
}

int rpc_batch_send(rpc_client *c, rpc_batch *b)
{
    return rpc_client_send_calls(c, b->v, b->n);
}

int rpc_batch_status(const rpc_batch *b, size_t idx)
{
    if (idx >= b->n || !b->v[idx].answered)
        return RPC_EINVAL;
    return b->v[idx].status;
}

const uint8_t *rpc_batch_revert_data(const rpc_batch *b, size_t idx, size_t *len)
{
    *len = 0;
    if (idx >= b->n || !b->v[idx].answered || b->v[idx].status != RPC_EREVERT)
        return NULL;
    *len = b->v[idx].revert.n;
    return b->v[idx].revert.p;
}

/* The call at idx if it is of kind, answered and not taken; else NULL and *rc says why. */
static rpc_call *ready(const rpc_batch *b, size_t idx, int kind, int *rc)
{
    *rc = RPC_EINVAL;
    if (idx >= b->n)
        return NULL;
    rpc_call *k = &b->v[idx];
    if (k->kind != kind || !k->answered || k->taken)
        return NULL;
    *rc = k->status;
    return k->status == RPC_OK ? k : NULL;
}

int rpc_batch_take_raw(rpc_batch *b, size_t idx, cJSON **result)
{
    int rc;
    rpc_call *k = ready(b, idx, RPC_K_RAW, &rc);
    *result = k ? k->r.raw : NULL;
    if (k)
        k->taken = true;
    return rc;
}

int rpc_batch_get_u64(const rpc_batch *b, size_t idx, uint64_t *v)
{
    int rc;
    rpc_call *k = ready(b, idx, RPC_K_U64, &rc);
    *v = k ? k->r.u64 : 0;
    return rc;
}

int rpc_batch_get_u256(const rpc_batch *b, size_t idx, rpc_u256 *v)
{
    int rc;
    rpc_call *k = ready(b, idx, RPC_K_U256, &rc);
    if (k)
        *v = k->r.u256;
    else
        memset(v, 0, sizeof *v);
    return rc;
}

#define TAKE(fn, KIND, type, member)                              \
    int fn(rpc_batch *b, size_t idx, type *out)                   \
    {                                                             \
        int rc;                                                   \
        rpc_call *k = ready(b, idx, KIND, &rc);                   \
        if (!k) {                                                 \
            memset(out, 0, sizeof *out);                          \
            return rc;                                            \
        }                                                         \
        *out = k->r.member;                                       \
        k->taken = true;                                          \
        return RPC_OK;                                            \
    }

TAKE(rpc_batch_take_block, RPC_K_BLOCK, rpc_block, block)
TAKE(rpc_batch_take_logs, RPC_K_LOGS, rpc_logs, logs)
TAKE(rpc_batch_take_bytes, RPC_K_BYTES, rpc_bytes, bytes)
TAKE(rpc_batch_take_receipt, RPC_K_RECEIPT, rpc_receipt, receipt)
TAKE(rpc_batch_take_block_receipts, RPC_K_RECEIPTS, rpc_receipts, receipts)
