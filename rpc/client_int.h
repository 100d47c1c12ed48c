/* rpc/client_int.h — internals shared by rpc/client*.c, rpc/transport.c, rpc/logs.c and
 * rpc/multicall.c; not part of the module's contract (tests and the fuzz target use the
 * parser below directly). */
#ifndef WT_RPC_CLIENT_INT_H
#define WT_RPC_CLIENT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "rpc/client.h"

/* ---- a growable text buffer with a hard cap (curl's dynbuf) ----------------------- */
typedef struct rpc_sbuf {
    char *p; /* NUL-terminated when len > 0 */
    size_t len, alloc, max;
} rpc_sbuf;

void rpc_sbuf_init(rpc_sbuf *s, size_t max);
void rpc_sbuf_free(rpc_sbuf *s);
void rpc_sbuf_reset(rpc_sbuf *s);
/* Returns RPC_OK; RPC_ETOO_LARGE (would pass max; s unchanged); RPC_ENOMEM. */
RPC_WUR int rpc_sbuf_add(rpc_sbuf *s, const void *p, size_t n);
RPC_WUR int rpc_sbuf_adds(rpc_sbuf *s, const char *str);
RPC_WUR int rpc_sbuf_add_u64(rpc_sbuf *s, uint64_t v);     /* decimal */
RPC_WUR int rpc_sbuf_add_qty(rpc_sbuf *s, uint64_t v);     /* "\"0x1a\"" */
RPC_WUR int rpc_sbuf_add_block(rpc_sbuf *s, uint64_t blk); /* quoted number or tag */
RPC_WUR int rpc_sbuf_add_hex(rpc_sbuf *s, const uint8_t *p, size_t n); /* "\"0x..\"" */

/* ---- a flat JSON reader (rpc/client_jtok.c) ----------------------------------------
 * Tokens in document order; an object's members are key, value, key, value...; a token's
 * subtree ends where its `next` starts. Spans are [start, end) in the text, strings with
 * their quotes. */
enum { RPC_J_OBJ = 1, RPC_J_ARR, RPC_J_STR, RPC_J_NUM, RPC_J_TRUE, RPC_J_FALSE, RPC_J_NULL };

typedef struct rpc_jtok {
    uint8_t type;
    uint8_t esc;    /* a string with backslash escapes */
    uint32_t start, end;
    uint32_t next;  /* index of the token after this one's subtree */
    uint32_t count; /* members of an object, elements of an array */
} rpc_jtok;

typedef struct rpc_jdoc {
    const char *s; /* the text, borrowed */
    size_t len;
    rpc_jtok *t;
    size_t n, cap;
} rpc_jdoc;

/* rpc_jdoc_parse: tokenize text[0..len) (one JSON value, nesting <= 64); the token array
 * is reused across calls. Returns RPC_OK; RPC_EJSON; RPC_ETOO_LARGE (len >= 4 GiB);
 * RPC_ENOMEM. Token 0 is the root. */
RPC_WUR int rpc_jdoc_parse(rpc_jdoc *d, const char *text, size_t len);
void rpc_jdoc_free(rpc_jdoc *d);
/* rpc_jget: the value of member key in object token obj; -1 when absent or obj is not an
 * object (or is -1). Keys with escapes never match. */
long rpc_jget(const rpc_jdoc *d, long obj, const char *key);
/* rpc_jfields: one pass over object obj's members: out[j] = the value of keys[j], or -1
 * (first occurrence wins, as rpc_jget). */
void rpc_jfields(const rpc_jdoc *d, long obj, const char *const *keys, size_t nk, long *out);
/* rpc_jstr: a string token's raw bytes (no quotes); false if not a string without escapes. */
bool rpc_jstr(const rpc_jdoc *d, long i, const char **s, size_t *len);
/* rpc_jint: an integer number token (no fraction or exponent, at most 18 digits). */
bool rpc_jint(const rpc_jdoc *d, long i, int64_t *v);
/* rpc_jstr_unescape: a string token's text, escapes expanded (non-ASCII \u as '?'),
 * truncated to cap - 1 bytes, NUL-terminated. Returns its length; "" if not a string. */
size_t rpc_jstr_unescape(const rpc_jdoc *d, long i, char *out, size_t cap);
static inline int rpc_jtype(const rpc_jdoc *d, long i)
{
    return i < 0 ? 0 : d->t[i].type;
}

/* ---- HTTP transport: one reused libcurl easy handle per endpoint ------------------ */
typedef struct rpc_transport {
    void *curl;               /* CURL * */
    void *headers;            /* struct curl_slist * */
    rpc_sbuf resp;            /* the last response body */
    bool too_large;
} rpc_transport;

typedef struct rpc_http_result {
    long status;              /* HTTP status, 0 when no response */
    long retry_after_ms;      /* from Retry-After, -1 when absent */
    uint64_t bytes_in, bytes_out, latency_us;
    char what[96];            /* on a transport error: curl's generic text (no URL) */
} rpc_http_result;

/* rpc_transport_init: set up a handle for url (not kept by the caller afterwards).
 * Returns RPC_OK; RPC_ENOMEM. */
RPC_WUR int rpc_transport_init(rpc_transport *t, const char *url, long connect_ms, long timeout_ms,
                               size_t max_response);
void rpc_transport_free(rpc_transport *t);
/* rpc_transport_post: POST body; the response body is in t->resp (borrowed until the next
 * post). Returns RPC_OK (an HTTP answer arrived, any status: see res->status);
 * RPC_ETIMEOUT; RPC_ECONNECT (refused, reset, closed early); RPC_ETOO_LARGE (the body
 * passed max_response); RPC_ENOMEM. */
RPC_WUR int rpc_transport_post(rpc_transport *t, rpc_http_result *res, const char *body,
                               size_t len);

/* ---- one call of a batch, with its decoded result ----------------------------------- */
enum rpc_call_kind {
    RPC_K_RAW,      /* r.raw */
    RPC_K_U64,      /* r.u64: eth_chainId, eth_blockNumber */
    RPC_K_U256,     /* r.u256: eth_getBalance */
    RPC_K_BLOCK,    /* r.block */
    RPC_K_LOGS,     /* r.logs */
    RPC_K_BYTES,    /* r.bytes: eth_call */
    RPC_K_RECEIPT,  /* r.receipt */
    RPC_K_RECEIPTS, /* r.receipts */
};

typedef struct rpc_call {
    int kind;
    char method[48];
    char *params;   /* JSON text, owned */
    uint64_t id;    /* assigned per HTTP request */
    bool answered;
    bool taken;
    int status;     /* valid when answered */
    rpc_bytes revert;
    char *node_msg; /* the node's error message, owned, NULL if none */
    /* what the answer must match */
    uint64_t want_block;   /* RPC_K_BLOCK, RPC_K_RECEIPTS: the block asked (or a tag) */
    rpc_hash32 want_tx;    /* RPC_K_RECEIPT */
    uint64_t from_block, to_block;
    rpc_addr *addrs;       /* RPC_K_LOGS: owned copies of the filter lists */
    size_t n_addrs;
    rpc_hash32 *topics[4];
    size_t n_topics[4];
    union {
        cJSON *raw;
        uint64_t u64;
        rpc_u256 u256;
        rpc_block block;
        rpc_logs logs;
        rpc_bytes bytes;
        rpc_receipt receipt;
        rpc_receipts receipts;
    } r;
} rpc_call;

/* rpc_call_init: a call of kind with method and params text (copied).
 * Returns RPC_OK; RPC_EINVAL (method not [A-Za-z0-9_]+ or too long); RPC_ENOMEM. */
RPC_WUR int rpc_call_init(rpc_call *k, int kind, const char *method, const char *params);
/* rpc_call_set_filter: copy f into k for validating the logs of the answer. */
RPC_WUR int rpc_call_set_filter(rpc_call *k, const rpc_log_filter *f);
/* rpc_call_clear_result: drop the answer (result, error, revert data); k can be resent. */
void rpc_call_clear_result(rpc_call *k);
void rpc_call_free(rpc_call *k);

/* rpc_jsonrpc_request: append the request text for calls[0..n) to out: one object when
 * !batch (n must be 1), else an array. Ids must be set. */
RPC_WUR int rpc_jsonrpc_request(rpc_sbuf *out, const rpc_call *calls, size_t n, bool batch);

/* rpc_jsonrpc_parse: parse an answer to the request for calls[0..n), match answers to
 * calls by id in any order, validate and decode every result (rpc_call_decode).
 * Returns: RPC_OK (every call answered: result decoded or a per-call error in status);
 *          RPC_EJSON (malformed anywhere: not JSON, wrong jsonrpc, id missing, unknown or
 *          repeated, a call unanswered, a result of the wrong shape) — then no call keeps
 *          a result; RPC_ENODE etc. when a batch was answered by one error object (all
 *          calls get that status); RPC_ENOMEM.
 * Out:     err[0..errcap), a one-line reason on error. */
RPC_WUR int rpc_jsonrpc_parse(rpc_call *calls, size_t n, bool batch, const char *body, size_t len,
                              char *err, size_t errcap);

/* rpc_call_decode: validate and decode one "result" (token res of d) into k->r.
 * Returns RPC_OK; RPC_ENOTFOUND (null where an object was asked); RPC_EJSON (shape, hex,
 * size, or range wrong; err says what); RPC_ENOMEM. */
RPC_WUR int rpc_call_decode(rpc_call *k, const rpc_jdoc *d, long res, char *err, size_t errcap);

/* rpc_node_error_class: map a JSON-RPC error object of method to an rpc_err code:
 * RPC_EREVERT, RPC_ERATELIMIT, RPC_ERANGE (eth_getLogs only), else RPC_ENODE. */
int rpc_node_error_class(const char *method, long code, const char *message);

/* rpc_client_exchange: send calls[0..n) (ids are assigned here) in one HTTP request with
 * retries and failover; on RPC_OK every call is answered. batch selects the array form. */
RPC_WUR int rpc_client_exchange(rpc_client *c, rpc_call *calls, size_t n, bool batch);

/* rpc_client_send_calls: send the unanswered calls of v[0..n) in batches of max_batch.
 * Returns RPC_OK when all are answered, else the error that stopped it. */
RPC_WUR int rpc_client_send_calls(rpc_client *c, rpc_call *v, size_t n);

/* rpc_client_set_revert: move *r into the client's revert data (rpc_client_revert_data). */
void rpc_client_set_revert(rpc_client *c, rpc_bytes *r);

/* rpc_client_set_err: set the client's error text (printf-style, truncated). */
void rpc_client_set_err(rpc_client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Filling rpc_call params for the typed calls (shared by single calls and batches). */
RPC_WUR int rpc_call_prep_block(rpc_call *k, uint64_t block);
RPC_WUR int rpc_call_prep_logs(rpc_call *k, const rpc_log_filter *f);
RPC_WUR int rpc_call_prep_call(rpc_call *k, uint64_t block, const rpc_addr *to,
                               const uint8_t *data, size_t len);
RPC_WUR int rpc_call_prep_balance(rpc_call *k, const rpc_addr *addr, uint64_t block);
RPC_WUR int rpc_call_prep_receipt(rpc_call *k, const rpc_hash32 *tx);
RPC_WUR int rpc_call_prep_block_receipts(rpc_call *k, uint64_t block);

/* rpc_logs_sort_check: sort l by (block, log index); RPC_EJSON on a repeated pair. */
RPC_WUR int rpc_logs_sort_check(rpc_logs *l);

#endif
