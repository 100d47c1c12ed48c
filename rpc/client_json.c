/* rpc/client_json.c — JSON-RPC 2.0 framing: request text for one call or a batch, and the
 * strict parser of answers. Invariant: rpc_jsonrpc_parse either accepts the whole answer
 * (every call answered exactly once, every result decoded) or leaves no call with a result. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/client_int.h"
#include "rpc/hex.h"

/* ---- rpc_sbuf ----------------------------------------------------------------------- */

void rpc_sbuf_init(rpc_sbuf *s, size_t max)
{
    memset(s, 0, sizeof *s);
    s->max = max;
}

void rpc_sbuf_free(rpc_sbuf *s)
{
    free(s->p);
    s->p = NULL;
    s->len = s->alloc = 0;
}

void rpc_sbuf_reset(rpc_sbuf *s)
{
    s->len = 0;
    if (s->p)
        s->p[0] = '\0';
}

int rpc_sbuf_add(rpc_sbuf *s, const void *p, size_t n)
{
    if (n > s->max || s->len > s->max - n)
        return RPC_ETOO_LARGE;
    if (s->len + n + 1 > s->alloc) {
        size_t a = s->alloc ? s->alloc : 256;
        while (a < s->len + n + 1)
            a *= 2;
        char *q = realloc(s->p, a);
        if (!q)
            return RPC_ENOMEM;
        s->p = q;
        s->alloc = a;
    }
    if (n)
        memcpy(s->p + s->len, p, n);
    s->len += n;
    s->p[s->len] = '\0';
    return RPC_OK;
}

int rpc_sbuf_adds(rpc_sbuf *s, const char *str)
{
    return rpc_sbuf_add(s, str, strlen(str));
}

int rpc_sbuf_add_u64(rpc_sbuf *s, uint64_t v)
{
    char d[24];
    size_t i = sizeof d;
    do {
        d[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return rpc_sbuf_add(s, d + i, sizeof d - i);
}

int rpc_sbuf_add_qty(rpc_sbuf *s, uint64_t v)
{
    char q[24];
    int rc = rpc_hex_format_u64(q, sizeof q, v);
    if (rc == RPC_OK)
        rc = rpc_sbuf_add(s, "\"", 1);
    if (rc == RPC_OK)
        rc = rpc_sbuf_adds(s, q);
    if (rc == RPC_OK)
        rc = rpc_sbuf_add(s, "\"", 1);
    return rc;
}

int rpc_sbuf_add_block(rpc_sbuf *s, uint64_t blk)
{
    switch (blk) {
    case RPC_BLOCK_LATEST:
        return rpc_sbuf_adds(s, "\"latest\"");
    case RPC_BLOCK_FINALIZED:
        return rpc_sbuf_adds(s, "\"finalized\"");
    case RPC_BLOCK_SAFE:
        return rpc_sbuf_adds(s, "\"safe\"");
    case RPC_BLOCK_PENDING:
        return rpc_sbuf_adds(s, "\"pending\"");
    default:
        return rpc_sbuf_add_qty(s, blk);
    }
}

int rpc_sbuf_add_hex(rpc_sbuf *s, const uint8_t *p, size_t n)
{
    static const char dig[] = "0123456789abcdef";
    char chunk[256];
    int rc = rpc_sbuf_add(s, "\"0x", 3);
    size_t i = 0;
    while (rc == RPC_OK && i < n) {
        size_t k = 0;
        for (; i < n && k < sizeof chunk; i++) {
            chunk[k++] = dig[p[i] >> 4];
            chunk[k++] = dig[p[i] & 15];
        }
        rc = rpc_sbuf_add(s, chunk, k);
    }
    if (rc == RPC_OK)
        rc = rpc_sbuf_add(s, "\"", 1);
    return rc;
}

/* ---- calls ------------------------------------------------------------------------- */

int rpc_call_init(rpc_call *k, int kind, const char *method, const char *params)
{
    memset(k, 0, sizeof *k);
    size_t n = method ? strlen(method) : 0;
    if (n == 0 || n >= sizeof k->method)
        return RPC_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)method[i]) && method[i] != '_')
            return RPC_EINVAL;
    memcpy(k->method, method, n + 1);
    k->kind = kind;
    k->params = strdup(params ? params : "[]");
    if (!k->params)
        return RPC_ENOMEM;
    return RPC_OK;
}

int rpc_call_set_filter(rpc_call *k, const rpc_log_filter *f)
{
    k->from_block = f->from_block;
    k->to_block = f->to_block;
    if (f->n_addrs) {
        k->addrs = malloc(f->n_addrs * sizeof *k->addrs);
        if (!k->addrs)
            return RPC_ENOMEM;
        memcpy(k->addrs, f->addrs, f->n_addrs * sizeof *k->addrs);
        k->n_addrs = f->n_addrs;
    }
    for (int i = 0; i < 4; i++) {
        if (!f->n_topics[i])
            continue;
        k->topics[i] = malloc(f->n_topics[i] * sizeof(rpc_hash32));
        if (!k->topics[i])
            return RPC_ENOMEM;
        memcpy(k->topics[i], f->topics[i], f->n_topics[i] * sizeof(rpc_hash32));
        k->n_topics[i] = f->n_topics[i];
    }
    return RPC_OK;
}

void rpc_call_clear_result(rpc_call *k)
{
    if (k->answered && k->status == RPC_OK && !k->taken) {
        switch (k->kind) {
        case RPC_K_RAW:
            cJSON_Delete(k->r.raw);
            break;
        case RPC_K_BLOCK:
            rpc_block_free(&k->r.block);
            break;
        case RPC_K_LOGS:
            rpc_logs_free(&k->r.logs);
            break;
        case RPC_K_BYTES:
            rpc_bytes_free(&k->r.bytes);
            break;
        case RPC_K_RECEIPT:
            rpc_receipt_free(&k->r.receipt);
            break;
        case RPC_K_RECEIPTS:
            rpc_receipts_free(&k->r.receipts);
            break;
        default:
            break;
        }
    }
    memset(&k->r, 0, sizeof k->r);
    rpc_bytes_free(&k->revert);
    free(k->node_msg);
    k->node_msg = NULL;
    k->answered = false;
    k->taken = false;
    k->status = RPC_OK;
}

void rpc_call_free(rpc_call *k)
{
    rpc_call_clear_result(k);
    free(k->params);
    free(k->addrs);
    for (int i = 0; i < 4; i++)
        free(k->topics[i]);
    memset(k, 0, sizeof *k);
}

/* ---- requests ---------------------------------------------------------------------- */

static int add_one(rpc_sbuf *out, const rpc_call *k)
{
    int rc = rpc_sbuf_adds(out, "{\"jsonrpc\":\"2.0\",\"id\":");
    if (rc == RPC_OK)
        rc = rpc_sbuf_add_u64(out, k->id);
    if (rc == RPC_OK)
        rc = rpc_sbuf_adds(out, ",\"method\":\"");
    if (rc == RPC_OK)
        rc = rpc_sbuf_adds(out, k->method);
    if (rc == RPC_OK)
        rc = rpc_sbuf_adds(out, "\",\"params\":");
    if (rc == RPC_OK)
        rc = rpc_sbuf_adds(out, k->params);
    if (rc == RPC_OK)
        rc = rpc_sbuf_add(out, "}", 1);
    return rc;
}

int rpc_jsonrpc_request(rpc_sbuf *out, const rpc_call *calls, size_t n, bool batch)
{
    int rc = RPC_OK;
    if (!batch)
        return n == 1 ? add_one(out, &calls[0]) : RPC_EINVAL;
    rc = rpc_sbuf_add(out, "[", 1);
    for (size_t i = 0; rc == RPC_OK && i < n; i++) {
        if (i)
            rc = rpc_sbuf_add(out, ",", 1);
        if (rc == RPC_OK)
            rc = add_one(out, &calls[i]);
    }
    if (rc == RPC_OK)
        rc = rpc_sbuf_add(out, "]", 1);
    return rc;
}

/* ---- node errors ------------------------------------------------------------------- */

static bool has_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++) {
        size_t i = 0;
        while (i < n && p[i] && tolower((unsigned char)p[i]) == needle[i])
            i++;
        if (i == n)
            return true;
    }
    return false;
}

int rpc_node_error_class(const char *method, long code, const char *message)
{
    static const char *const ratelimit[] = {
        "rate limit", "ratelimit", "rate-limit", "too many requests", "request rate",
        "exceeded the quota", "capacity exceeded", "throughput", "compute units",
    };
    static const char *const range[] = {
        "more than 10000 results", "query returned more than", "block range",
        "exceed maximum block range", "range is too large", "range too large",
        "range too wide", "log response size exceeded", "limit exceeded",
        "response size should not greater than", "response size exceeded",
        "too many results", "exceeds max results", "max results", "blocks range",
        "range should work", "query timeout exceeded", "returned more than",
        "is limited to", "max range", "max block range", "range limit", "too wide",
        "too large", "too big", "too many", "result limit", "results limit",
    };
    const char *m = message ? message : "";
    if (code == 3 || has_ci(m, "execution reverted") || has_ci(m, "vm execution error") ||
        (has_ci(m, "revert") && strcmp(method, "eth_call") == 0))
        return RPC_EREVERT;
    if (code == 429 || code == -32029)
        return RPC_ERATELIMIT;
    /* a method the node lacks (eth_getBlockReceipts on older nodes): the caller falls back */
    if (code == -32601 ||
        (has_ci(m, "method") &&
         (has_ci(m, "not found") || has_ci(m, "does not exist") || has_ci(m, "not supported") ||
          has_ci(m, "unsupported") || has_ci(m, "not available") || has_ci(m, "not allowed"))))
        return RPC_ENOMETHOD;
    for (size_t i = 0; i < sizeof ratelimit / sizeof *ratelimit; i++)
        if (has_ci(m, ratelimit[i]))
            return RPC_ERATELIMIT;
    if (strcmp(method, "eth_getLogs") == 0) {
        /* Infura's -32005 "limit exceeded" and QuickNode's -32614 are range refusals for
         * eth_getLogs once the rate-limit wording above is ruled out */
        if (code == -32005 || code == -32614)
            return RPC_ERANGE;
        for (size_t i = 0; i < sizeof range / sizeof *range; i++)
            if (has_ci(m, range[i]))
                return RPC_ERANGE;
    }
    return RPC_ENODE;
}

/* ---- answers ----------------------------------------------------------------------- */

static bool id_of(const rpc_jdoc *d, long o, uint64_t *id)
{
    int64_t v;
    if (!rpc_jint(d, rpc_jget(d, o, "id"), &v) || v < 0)
        return false;
    *id = (uint64_t)v;
    return true;
}

/* Apply error object e to k. Returns RPC_OK or RPC_EJSON (malformed error object). */
static int take_error(rpc_call *k, const rpc_jdoc *d, long e, char *err, size_t errcap)
{
    long code = rpc_jget(d, e, "code"), msg = rpc_jget(d, e, "message");
    int64_t c;
    if (rpc_jtype(d, e) != RPC_J_OBJ || !rpc_jint(d, code, &c) ||
        (msg >= 0 && rpc_jtype(d, msg) != RPC_J_STR)) {
        snprintf(err, errcap, "malformed error object for %s", k->method);
        return RPC_EJSON;
    }
    char m[301];
    rpc_jstr_unescape(d, msg, m, sizeof m);
    if (c < -2000000000 || c > 2000000000)
        c = 0;
    k->status = rpc_node_error_class(k->method, (long)c, m);
    k->node_msg = strdup(m);
    if (!k->node_msg)
        return RPC_ENOMEM;
    if (k->status == RPC_EREVERT) {
        long dj = rpc_jget(d, e, "data");
        if (rpc_jtype(d, dj) == RPC_J_OBJ) /* some nodes nest it: {"data": {"data": "0x..."}} */
            dj = rpc_jget(d, dj, "data");
        const char *s;
        size_t sl;
        if (rpc_jstr(d, dj, &s, &sl)) {
            size_t cap = sl / 2 + 1;
            k->revert.p = malloc(cap);
            if (!k->revert.p)
                return RPC_ENOMEM;
            if (rpc_hex_decode(k->revert.p, cap, &k->revert.n, s, sl) != RPC_OK)
                rpc_bytes_free(&k->revert); /* not hex: keep the status, drop the data */
        }
    }
    k->answered = true;
    return RPC_OK;
}

static int take_answer(rpc_call *k, const rpc_jdoc *d, long o, char *err, size_t errcap)
{
    const char *v;
    size_t vl;
    if (!rpc_jstr(d, rpc_jget(d, o, "jsonrpc"), &v, &vl) || vl != 3 || memcmp(v, "2.0", 3)) {
        snprintf(err, errcap, "answer to %s lacks jsonrpc \"2.0\"", k->method);
        return RPC_EJSON;
    }
    long res = rpc_jget(d, o, "result"), e = rpc_jget(d, o, "error");
    if ((res >= 0) == (e >= 0)) {
        snprintf(err, errcap, "answer to %s has %s result and error", k->method,
                 res >= 0 ? "both" : "neither");
        return RPC_EJSON;
    }
    if (e >= 0)
        return take_error(k, d, e, err, errcap);
    int rc = rpc_call_decode(k, d, res, err, errcap);
    if (rc == RPC_ENOTFOUND) {
        k->status = RPC_ENOTFOUND;
        k->answered = true;
        return RPC_OK;
    }
    if (rc != RPC_OK)
        return rc;
    k->status = RPC_OK;
    k->answered = true;
    return RPC_OK;
}

static void clear_all(rpc_call *calls, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rpc_call_clear_result(&calls[i]);
}

/* Find the call with this id; ids within one request are consecutive from calls[0].id. */
static rpc_call *find_call(rpc_call *calls, size_t n, uint64_t id)
{
    if (n == 0 || id < calls[0].id || id - calls[0].id >= n)
        return NULL;
    rpc_call *k = &calls[id - calls[0].id];
    return k->id == id ? k : NULL;
}

int rpc_jsonrpc_parse(rpc_call *calls, size_t n, bool batch, const char *body, size_t len,
                      char *err, size_t errcap)
{
    int rc = RPC_EJSON;
    rpc_jdoc d;
    memset(&d, 0, sizeof d);
    err[0] = '\0';
    for (size_t i = 0; i < n; i++)
        rpc_call_clear_result(&calls[i]);
    rc = rpc_jdoc_parse(&d, body, len);
    if (rc != RPC_OK) {
        if (rc == RPC_EJSON)
            snprintf(err, errcap, "answer is not JSON (%zu bytes)", len);
        goto fail;
    }
    if (!batch) {
        uint64_t id;
        if (rpc_jtype(&d, 0) != RPC_J_OBJ || !id_of(&d, 0, &id) || n != 1 || id != calls[0].id) {
            snprintf(err, errcap, "answer is not an object with the id asked");
            rc = RPC_EJSON;
            goto fail;
        }
        rc = take_answer(&calls[0], &d, 0, err, errcap);
        if (rc != RPC_OK)
            goto fail;
        rpc_jdoc_free(&d);
        return RPC_OK;
    }
    if (rpc_jtype(&d, 0) == RPC_J_OBJ) {
        /* a whole batch refused with one error object (e.g. "batch too large") */
        long e = rpc_jget(&d, 0, "error");
        if (e < 0 || rpc_jget(&d, 0, "result") >= 0) {
            snprintf(err, errcap, "batch answered by one object without an error");
            rc = RPC_EJSON;
            goto fail;
        }
        for (size_t i = 0; i < n; i++) {
            rc = take_error(&calls[i], &d, e, err, errcap);
            if (rc != RPC_OK)
                goto fail;
        }
        rc = n ? calls[0].status : RPC_ENODE;
        snprintf(err, errcap, "batch refused: %s", n && calls[0].node_msg ? calls[0].node_msg : "");
        clear_all(calls, n);
        rpc_jdoc_free(&d);
        return rc == RPC_OK ? RPC_ENODE : rc;
    }
    if (rpc_jtype(&d, 0) != RPC_J_ARR) {
        snprintf(err, errcap, "batch answer is not an array");
        rc = RPC_EJSON;
        goto fail;
    }
    size_t got = 0;
    long o = 1;
    for (uint32_t m = 0; m < d.t[0].count; m++, o = d.t[o].next) {
        uint64_t id;
        rpc_call *k;
        if (rpc_jtype(&d, o) != RPC_J_OBJ || !id_of(&d, o, &id) ||
            !(k = find_call(calls, n, id))) {
            snprintf(err, errcap, "batch answer holds an element with an unknown id");
            rc = RPC_EJSON;
            goto fail;
        }
        if (k->answered) {
            snprintf(err, errcap, "batch answer repeats id %llu", (unsigned long long)id);
            rc = RPC_EJSON;
            goto fail;
        }
        rc = take_answer(k, &d, o, err, errcap);
        if (rc != RPC_OK)
            goto fail;
        got++;
    }
    if (got != n) {
        snprintf(err, errcap, "batch answer has %zu of %zu answers", got, n);
        rc = RPC_EJSON;
        goto fail;
    }
    rpc_jdoc_free(&d);
    return RPC_OK;
fail:
    clear_all(calls, n);
    rpc_jdoc_free(&d);
    return rc == RPC_OK ? RPC_EJSON : rc;
}
