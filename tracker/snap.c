/* tracker/snap.c — probes and their Multicall3 encoding. Invariant: answers are matched to
 * probes by position only after the whole aggregate3 result decoded and its count equals
 * the calls sent; a short or malformed answer is an error, never a partial snapshot. */
#include <stdlib.h>
#include <string.h>

#include <stdio.h>

#include <cjson/cJSON.h>

#include "rpc/abi.h"
#include "rpc/hex.h"
#include "rpc/u256.h"
#include "tracker/grow.h"
#include "tracker/snap.h"

const rpc_addr trk_multicall3 = {{0xca, 0x11, 0xbd, 0xe0, 0x59, 0x77, 0xb3, 0x63, 0x11, 0x67,
                                  0x02, 0x88, 0x62, 0xbe, 0x2a, 0x17, 0x39, 0x76, 0xca, 0x11}};

enum { SEL_GET_ETH_BALANCE = 0x4d2301cc, SEL_BALANCE_OF = 0x70a08231, SEL_DECIMALS = 0x313ce567 };

static void put_sel(uint8_t *p, uint32_t sel)
{
    p[0] = (uint8_t)(sel >> 24);
    p[1] = (uint8_t)(sel >> 16);
    p[2] = (uint8_t)(sel >> 8);
    p[3] = (uint8_t)sel;
}

static int push(trk_probes *ps, const trk_probe *p)
{
    void *grown = trk_grow(ps->v, &ps->cap, ps->n, sizeof *ps->v);
    if (!grown)
        return TRK_ENOMEM;
    ps->v = grown;
    ps->v[ps->n++] = *p;
    return TRK_OK;
}

int trk_probe_native(trk_probes *ps, const rpc_addr *account)
{
    trk_probe p;
    memset(&p, 0, sizeof p);
    p.key.address = *account;
    p.key.protocol = TRK_PROTO_WALLET;
    p.what = TRK_PROBE_NATIVE;
    p.target = trk_multicall3;
    put_sel(p.data, SEL_GET_ETH_BALANCE);
    memcpy(p.data + 4 + 12, account->b, 20);
    p.len = 36;
    return push(ps, &p);
}

int trk_probe_balance(trk_probes *ps, const rpc_addr *token, const rpc_addr *account)
{
    trk_probe p;
    memset(&p, 0, sizeof p);
    p.key.address = *account;
    p.key.protocol = TRK_PROTO_WALLET;
    p.key.asset = *token;
    p.what = TRK_PROBE_BALANCE;
    p.target = *token;
    put_sel(p.data, SEL_BALANCE_OF);
    memcpy(p.data + 4 + 12, account->b, 20);
    p.len = 36;
    return push(ps, &p);
}

int trk_probe_decimals(trk_probes *ps, const rpc_addr *token)
{
    trk_probe p;
    memset(&p, 0, sizeof p);
    p.key.asset = *token;
    p.what = TRK_PROBE_DECIMALS;
    p.target = *token;
    put_sel(p.data, SEL_DECIMALS);
    p.len = 4;
    return push(ps, &p);
}

int trk_probe_call(trk_probes *ps, uint8_t what, const store_pos_key *key, const rpc_addr *target,
                   const uint8_t *data, size_t len)
{
    if (len > sizeof ((trk_probe *)0)->data)
        return TRK_EINVAL;
    trk_probe p;
    memset(&p, 0, sizeof p);
    p.key = *key;
    p.what = what;
    p.target = *target;
    memcpy(p.data, data, len);
    p.len = (uint8_t)len;
    return push(ps, &p);
}

static int probe_cmp(const void *a, const void *b)
{
    const trk_probe *x = a, *y = b;
    if (x->what != y->what)
        return x->what < y->what ? -1 : 1;
    int c = memcmp(x->key.address.b, y->key.address.b, 20);
    if (c)
        return c;
    if (x->key.protocol != y->key.protocol)
        return x->key.protocol < y->key.protocol ? -1 : 1;
    c = memcmp(x->key.asset.b, y->key.asset.b, 20);
    if (c)
        return c;
    return memcmp(x->data, y->data, sizeof x->data);
}

void trk_probes_unique(trk_probes *ps)
{
    if (ps->n < 2)
        return;
    qsort(ps->v, ps->n, sizeof *ps->v, probe_cmp);
    size_t w = 1;
    for (size_t i = 1; i < ps->n; i++)
        if (probe_cmp(&ps->v[i], &ps->v[w - 1]) != 0)
            ps->v[w++] = ps->v[i];
    ps->n = w;
}

void trk_probes_reset(trk_probes *ps)
{
    ps->n = 0;
}

void trk_probes_free(trk_probes *ps)
{
    if (!ps)
        return;
    free(ps->v);
    memset(ps, 0, sizeof *ps);
}

/* The balance reader, run at READER by a state override: for each 32-byte word i of the
 * calldata, mstore(i, balance(calldataload(i))); return(0, calldatasize).
 *   00 PUSH1 0 | 02 JUMPDEST CALLDATASIZE DUP2 LT ISZERO PUSH1 0x15 JUMPI
 *   0a DUP1 CALLDATALOAD BALANCE DUP2 MSTORE PUSH1 32 ADD PUSH1 2 JUMP
 *   15 JUMPDEST CALLDATASIZE PUSH1 0 RETURN */
static const char reader_code[] = "0x60005b3681101560155780353181526020016002565b366000f3";
static const char reader_addr[] = "0x000000000000000000000000000000000000ba1a";

static size_t natives_of(const trk_probes *ps, const trk_snap_opts *o)
{
    size_t n = 0;
    if (o->reader)
        while (n < ps->n && ps->v[n].what == TRK_PROBE_NATIVE)
            n++;
    return n;
}

static size_t chunk_mc(const trk_snap_opts *o)
{
    return o->chunk ? o->chunk : 1000;
}

static size_t chunk_rd(const trk_snap_opts *o)
{
    return o->reader_chunk ? o->reader_chunk : 2000;
}

/* One reader eth_call over addresses of probes v[0..n). */
static int add_reader(rpc_batch *b, size_t *idx, const trk_probe *v, size_t n, uint64_t block)
{
    size_t cap = 256 + 64 * n;
    char *q = malloc(cap);
    if (!q)
        return TRK_ENOMEM;
    size_t len = (size_t)snprintf(q, cap, "[{\"to\":\"%s\",\"data\":\"0x", reader_addr);
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        memset(q + len, '0', 24);
        len += 24;
        for (int j = 0; j < 20; j++) {
            q[len++] = hx[v[i].key.address.b[j] >> 4];
            q[len++] = hx[v[i].key.address.b[j] & 15];
        }
    }
    snprintf(q + len, cap - len, "\"},\"0x%llx\",{\"%s\":{\"code\":\"%s\"}}]",
             (unsigned long long)block, reader_addr, reader_code);
    int rc = rpc_batch_add_raw(b, idx, "eth_call", q) ? TRK_ENOMEM : TRK_OK;
    free(q);
    return rc;
}

static int take_reader(trk_probe_result *res, rpc_batch *b, size_t idx, size_t n)
{
    cJSON *r = NULL;
    if (rpc_batch_take_raw(b, idx, &r) != RPC_OK)
        return TRK_ERPC;
    int rc = TRK_EDECODE;
    uint8_t *buf = malloc(32 * n + 1);
    size_t len;
    if (buf && cJSON_IsString(r) &&
        rpc_hex_decode(buf, 32 * n, &len, r->valuestring, strlen(r->valuestring)) == RPC_OK &&
        len == 32 * n) {
        for (size_t i = 0; i < n; i++) {
            res[i].ok = true;
            rpc_u256_from_be32(&res[i].value, buf + 32 * i);
            res[i].w[0] = res[i].value;
            res[i].nw = 1;
        }
        rc = TRK_OK;
    }
    free(buf);
    cJSON_Delete(r);
    return rc;
}

int trk_snap_add(rpc_batch *b, size_t *first, const trk_probes *ps, uint64_t block,
                 const trk_snap_opts *o)
{
    *first = 0;
    size_t nat = natives_of(ps, o), chunk = chunk_mc(o);
    int rc = TRK_OK;
    bool have_first = false;
    for (size_t i = 0; rc == TRK_OK && i < nat; i += chunk_rd(o)) {
        size_t idx, n = nat - i < chunk_rd(o) ? nat - i : chunk_rd(o);
        rc = add_reader(b, &idx, ps->v + i, n, block);
        if (rc == TRK_OK && !have_first) {
            *first = idx;
            have_first = true;
        }
    }
    rpc_abi_call3 *calls = malloc(chunk * sizeof *calls);
    if (!calls)
        return TRK_ENOMEM;
    for (size_t i = nat; rc == TRK_OK && i < ps->n; i += chunk) {
        size_t n = ps->n - i < chunk ? ps->n - i : chunk;
        for (size_t j = 0; j < n; j++) {
            const trk_probe *p = &ps->v[i + j];
            calls[j].target = p->target;
            calls[j].allow_failure = true;
            calls[j].data = p->data;
            calls[j].len = p->len;
        }
        rpc_abi_enc e;
        const uint8_t *data;
        size_t len, idx;
        if (rpc_abi_encode_aggregate3(&e, SIZE_MAX / 4, calls, n) != RPC_OK ||
            rpc_abi_enc_finish(&e, &data, &len) != RPC_OK)
            rc = TRK_ENOMEM;
        else if (rpc_batch_add_call(b, &idx, block, &trk_multicall3, data, len) != RPC_OK)
            rc = TRK_ENOMEM;
        else if (!have_first) {
            *first = idx;
            have_first = true;
        }
        rpc_abi_enc_free(&e);
    }
    free(calls);
    if (rc)
        *first = 0;
    return rc;
}

int trk_snap_take(trk_probe_result *res, size_t *failed, rpc_batch *b, size_t first,
                  const trk_probes *ps, const trk_snap_opts *o)
{
    size_t nat = natives_of(ps, o), chunk = chunk_mc(o);
    int rc = TRK_OK;
    size_t call = first;
    *failed = 0;
    memset(res, 0, ps->n * sizeof *res);
    for (size_t i = 0; rc == TRK_OK && i < nat; i += chunk_rd(o), call++) {
        size_t n = nat - i < chunk_rd(o) ? nat - i : chunk_rd(o);
        rc = take_reader(res + i, b, call, n);
        if (rc)
            *failed = call;
    }
    for (size_t i = nat; rc == TRK_OK && i < ps->n; i += chunk, call++) {
        size_t n = ps->n - i < chunk ? ps->n - i : chunk;
        rpc_bytes ret = {0};
        rpc_abi results;
        size_t count;
        if (rpc_batch_take_bytes(b, call, &ret) != RPC_OK) {
            *failed = call;
            rc = TRK_ERPC;
            break;
        }
        if (rpc_abi_decode_aggregate3(&results, &count, ret.p, ret.n) != RPC_OK || count != n)
            rc = TRK_EDECODE;
        for (size_t j = 0; rc == TRK_OK && j < n; j++) {
            bool ok;
            const uint8_t *d;
            size_t len;
            if (rpc_abi_aggregate3_result(&ok, &d, &len, &results, count, j) != RPC_OK) {
                rc = TRK_EDECODE;
                break;
            }
            if (ok && len >= 32) {
                trk_probe_result *r = &res[i + j];
                r->ok = true;
                rpc_u256_from_be32(&r->value, d);
                for (size_t k = 0; k < TRK_PROBE_WORDS && 32 * (k + 1) <= len; k++)
                    rpc_u256_from_be32(&r->w[r->nw++], d + 32 * k);
            }
        }
        rpc_bytes_free(&ret);
    }
    if (rc)
        memset(res, 0, ps->n * sizeof *res);
    return rc;
}
