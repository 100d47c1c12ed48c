/* rpc/multicall.c — Multicall3 aggregate3: pack calls into pieces under the caps, send the
 * pieces as one batch of eth_calls, decode each answer strictly with rpc/abi.h (every
 * offset and length bounds-checked, exactly one result per call). Invariant: results are complete and in
 * the order of the calls, or the whole multicall fails. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/client_int.h"
#include "rpc/multicall.h"
#include "rpc/u256.h"

const rpc_addr rpc_multicall3_addr = {{0xca, 0x11, 0xbd, 0xe0, 0x59, 0x77, 0xb3, 0x63, 0x11, 0x67,
                                       0x02, 0x88, 0x62, 0xbE, 0x2a, 0x17, 0x39, 0x76, 0xCA, 0x11}};

#define SEL_GET_ETH_BALANCE 0x4d2301ccu /* getEthBalance(address) */

void rpc_mresults_free(rpc_mresults *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        free(r->v[i].data);
    free(r->v);
    r->v = NULL;
    r->n = 0;
}

void rpc_multicall_opts_default(rpc_multicall_opts *o)
{
    o->max_calls = 500;
    o->max_calldata = 128 * 1024;
    o->address = rpc_multicall3_addr;
}

static size_t pad32(size_t n)
{
    return (n + 31) / 32 * 32;
}

/* Bytes of aggregate3 calldata for calls[0..n): 68 bytes of selector, offset and length,
 * then per call an offset word and a tuple. */
static size_t packed_size(const rpc_mcall *calls, size_t n)
{
    size_t s = 4 + 32 + 32; /* selector, offset, length */
    for (size_t i = 0; i < n; i++)
        s += 32 + 4 * 32 + pad32(calls[i].len);
    return s;
}

/* aggregate3 calldata for calls[0..n); *out owned by the caller. */
static int encode(uint8_t **out, size_t *len, const rpc_mcall *calls, size_t n)
{
    rpc_abi_enc e;
    const uint8_t *p;
    size_t pl;
    *out = NULL;
    *len = 0;
    int rc = rpc_abi_encode_aggregate3(&e, SIZE_MAX / 4, calls, n);
    if (rc == RPC_OK)
        rc = rpc_abi_enc_finish(&e, &p, &pl);
    if (rc == RPC_OK) {
        *out = malloc(pl);
        if (*out) {
            memcpy(*out, p, pl);
            *len = pl;
        } else {
            rc = RPC_ENOMEM;
        }
    }
    rpc_abi_enc_free(&e);
    return rc;
}

/* Decode aggregate3's (bool success, bytes returnData)[] of exactly n entries into
 * out->v[at..at+n). */
static int decode(rpc_mresults *out, size_t at, const uint8_t *p, size_t len, size_t n)
{
    rpc_abi res;
    size_t count;
    int rc = rpc_abi_decode_aggregate3(&res, &count, p, len);
    if (rc == RPC_OK && count != n)
        rc = RPC_EABI;
    for (size_t i = 0; rc == RPC_OK && i < n; i++) {
        rpc_mresult *r = &out->v[at + i];
        const uint8_t *d;
        size_t dl;
        rc = rpc_abi_aggregate3_result(&r->success, &d, &dl, &res, count, i);
        if (rc == RPC_OK && dl) {
            r->data = malloc(dl);
            if (!r->data)
                return RPC_ENOMEM;
            memcpy(r->data, d, dl);
            r->len = dl;
        }
    }
    return rc == RPC_OK ? RPC_OK : (rc == RPC_ENOMEM ? rc : RPC_EABI);
}

/* Run calls[0..n) packed into pieces; results go to out->v[at..at+n). */
static int run(rpc_client *c, rpc_mresults *out, size_t at, uint64_t block,
               const rpc_mcall *calls, size_t n, const rpc_multicall_opts *o, unsigned depth)
{
    int rc = RPC_OK;
    /* cut into pieces under both caps */
    size_t np = 0, cap = 8;
    size_t *start = malloc(cap * sizeof *start);
    rpc_call *k = NULL;
    if (!start)
        return RPC_ENOMEM;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1, size = packed_size(calls + i, 1);
        while (j < n && j - i < o->max_calls &&
               size + packed_size(calls + j, 1) - 68 <= o->max_calldata) {
            size += packed_size(calls + j, 1) - 68; /* one more tuple and its offset */
            j++;
        }
        if (np + 1 >= cap) {
            size_t *s2 = realloc(start, 2 * cap * sizeof *s2);
            if (!s2) {
                rc = RPC_ENOMEM;
                goto done;
            }
            start = s2;
            cap *= 2;
        }
        start[np++] = i;
        i = j;
    }
    start[np] = n;
    k = calloc(np, sizeof *k);
    if (!k) {
        rc = RPC_ENOMEM;
        goto done;
    }
    for (size_t q = 0; q < np && rc == RPC_OK; q++) {
        uint8_t *cd;
        size_t cdlen;
        rc = encode(&cd, &cdlen, calls + start[q], start[q + 1] - start[q]);
        if (rc == RPC_OK) {
            rc = rpc_call_prep_call(&k[q], block, &o->address, cd, cdlen);
            free(cd);
        }
    }
    if (rc == RPC_OK)
        rc = rpc_client_send_calls(c, k, np);
    for (size_t q = 0; q < np && rc == RPC_OK; q++) {
        size_t m = start[q + 1] - start[q];
        if (k[q].status == RPC_ENODE && m > 1 && depth < 20) {
            /* e.g. out of gas: the same calls in two halves */
            rc = run(c, out, at + start[q], block, calls + start[q], m / 2, o, depth + 1);
            if (rc == RPC_OK)
                rc = run(c, out, at + start[q] + m / 2, block, calls + start[q] + m / 2, m - m / 2,
                         o, depth + 1);
            continue;
        }
        if (k[q].status != RPC_OK) {
            rc = k[q].status;
            if (rc == RPC_EREVERT)
                rpc_client_set_revert(c, &k[q].revert);
            rpc_client_set_err(c, "multicall: eth_call of %zu calls: %s", m,
                               k[q].node_msg ? k[q].node_msg : rpc_strerror(rc));
            break;
        }
        rc = decode(out, at + start[q], k[q].r.bytes.p, k[q].r.bytes.n, m);
        if (rc == RPC_EABI)
            rpc_client_set_err(c, "multicall: the answer of %zu bytes is not %zu results",
                               k[q].r.bytes.n, m);
    }
done:
    if (k)
        for (size_t q = 0; q < np; q++)
            rpc_call_free(&k[q]);
    free(k);
    free(start);
    return rc;
}

int rpc_multicall(rpc_client *c, rpc_mresults *out, uint64_t block, const rpc_mcall *calls,
                  size_t n, const rpc_multicall_opts *o)
{
    rpc_multicall_opts d;
    memset(out, 0, sizeof *out);
    if (!o) {
        rpc_multicall_opts_default(&d);
        o = &d;
    }
    if (n == 0 || !calls) {
        rpc_client_set_err(c, "multicall: no calls");
        return RPC_EINVAL;
    }
    rpc_multicall_opts oo = *o;
    if (oo.max_calls == 0)
        oo.max_calls = 1;
    out->v = calloc(n, sizeof *out->v);
    if (!out->v)
        return RPC_ENOMEM;
    out->n = n;
    int rc = run(c, out, 0, block, calls, n, &oo, 0);
    if (rc != RPC_OK)
        rpc_mresults_free(out);
    return rc;
}

int rpc_multicall_balances(rpc_client *c, rpc_u256 *wei, uint64_t block, const rpc_addr *addrs,
                           size_t n, const rpc_multicall_opts *o)
{
    int rc = RPC_ENOMEM;
    if (n)
        memset(wei, 0, n * sizeof *wei);
    uint8_t *cd = malloc(n ? n * 36 : 1);
    rpc_mcall *mc = calloc(n ? n : 1, sizeof *mc);
    rpc_mresults r = {0};
    if (!cd || !mc)
        goto done;
    for (size_t i = 0; i < n; i++) {
        uint8_t *p = cd + 36 * i;
        p[0] = SEL_GET_ETH_BALANCE >> 24;
        p[1] = (SEL_GET_ETH_BALANCE >> 16) & 0xff;
        p[2] = (SEL_GET_ETH_BALANCE >> 8) & 0xff;
        p[3] = SEL_GET_ETH_BALANCE & 0xff;
        memset(p + 4, 0, 12);
        memcpy(p + 16, addrs[i].b, 20);
        mc[i].target = o ? o->address : rpc_multicall3_addr;
        mc[i].allow_failure = false;
        mc[i].data = p;
        mc[i].len = 36;
    }
    rc = rpc_multicall(c, &r, block, mc, n, o);
    for (size_t i = 0; rc == RPC_OK && i < n; i++) {
        if (!r.v[i].success || r.v[i].len != 32) {
            rpc_client_set_err(c, "multicall: getEthBalance answer %zu is not one word", i);
            rc = RPC_EABI;
        } else {
            rpc_u256_from_be32(&wei[i], r.v[i].data);
        }
    }
    if (rc != RPC_OK && n)
        memset(wei, 0, n * sizeof *wei);
done:
    rpc_mresults_free(&r);
    free(cd);
    free(mc);
    return rc;
}
