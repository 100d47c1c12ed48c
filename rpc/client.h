/* rpc/client.h — JSON-RPC 2.0 over HTTP(S) to Ethereum nodes: single calls, batches,
 * typed eth_* calls, retries with backoff, failover across endpoints, rate limits.
 * Every answer is validated in full before any of it is returned: a malformed answer is
 * retried or reported, never partly used. Endpoint URLs may carry API keys; the client
 * prints only their redacted form ("https://host/…"), in messages and errors alike.
 *
 *     const char *urls[] = {"https://eth.example/v2/${ALCHEMY_KEY}", "http://127.0.0.1:8545"};
 *     rpc_client *c;
 *     if (rpc_client_new(&c, NULL, urls, 2)) die(rpc_client_new_errmsg());
 *     uint64_t head;
 *     if (rpc_eth_block_number(c, &head)) die(rpc_client_errmsg(c));
 *     ... rpc_batch_* for many calls in one request, rpc/logs.h for log ranges,
 *     ... rpc/multicall.h for many contract reads in one eth_call
 *     rpc_client_free(c); */
#ifndef WT_RPC_CLIENT_H
#define WT_RPC_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "rpc/err.h"
#include "rpc/types.h"

/* An rpc_client belongs to one thread: it holds one libcurl handle per endpoint, its
 * counters and its last error text, none of them locked. Use one client per thread. */
typedef struct rpc_client rpc_client;

typedef struct rpc_client_opts {
    uint64_t chain_id;        /* expected chain; 0 = take the first endpoint's, others must match */
    long connect_timeout_ms;  /* TCP+TLS connect (default 5000) */
    long timeout_ms;          /* whole HTTP exchange (default 30000) */
    size_t max_response;      /* response body cap in bytes (default 256 MiB) -> RPC_ETOO_LARGE */
    size_t max_batch;         /* calls per HTTP request; larger batches are split (default 500) */
    unsigned max_retries;     /* extra attempts after the first on retryable errors (default 4) */
    unsigned backoff_base_ms; /* first backoff; doubles per retry, with jitter (default 100) */
    unsigned backoff_max_ms;  /* backoff cap (default 5000) */
    unsigned retry_after_max_ms; /* longest Retry-After honoured (default 30000) */
    double rate_per_sec;      /* HTTP requests per second per endpoint; 0 = unlimited (default) */
    double rate_burst;        /* token bucket size (default 10) */
    uint64_t head_lag_max;    /* blocks an endpoint's head may trail the best (default 5) */
} rpc_client_opts;

/* Counters of one endpoint since the client was made; read with rpc_client_stats(). */
typedef struct rpc_endpoint_stats {
    uint64_t calls;          /* JSON-RPC calls sent (a batch of n counts n) */
    uint64_t round_trips;    /* HTTP requests */
    uint64_t retries;        /* HTTP requests that repeated an earlier failed one */
    uint64_t err_timeout;    /* errors by class, one per failed HTTP request or call */
    uint64_t err_connect;
    uint64_t err_http;       /* non-2xx other than 429 */
    uint64_t err_ratelimit;  /* 429, or a node error saying so */
    uint64_t err_json;       /* malformed answers */
    uint64_t err_node;       /* JSON-RPC error objects (reverts, range refusals included) */
    uint64_t err_too_large;
    uint64_t err_chain;
    uint64_t bytes_out;      /* request bodies and headers */
    uint64_t bytes_in;       /* response bodies (as received) and headers */
    uint64_t latency_us_sum; /* HTTP request latency, microseconds */
    uint64_t latency_us_max;
    uint64_t head;           /* last head seen by rpc_eth_block_number, 0 = none yet */
    bool lagging;            /* head trails the best by more than head_lag_max */
} rpc_endpoint_stats;

/* Block selectors where a block number is taken: a number, or one of these tags. */
#define RPC_BLOCK_LATEST UINT64_MAX
#define RPC_BLOCK_FINALIZED (UINT64_MAX - 1)
#define RPC_BLOCK_SAFE (UINT64_MAX - 2)
#define RPC_BLOCK_PENDING (UINT64_MAX - 3)

/* rpc_client_opts_default: fill *o with the defaults named above. */
void rpc_client_opts_default(rpc_client_opts *o);

/* rpc_client_new: a client over n endpoint URLs, tried in this order (the first healthy
 * one serves). "${VAR}" in a URL is replaced by the environment variable VAR, so keys stay
 * out of configuration files. No network traffic happens here: each endpoint's chain id is
 * checked on first contact.
 * Returns: RPC_OK; RPC_EINVAL (n == 0, a URL that is not http(s), an unset ${VAR} — the
 *          message, from rpc_client_new_errmsg(), names the variable, never its value);
 *          RPC_ENOMEM.
 * Out:     *c, a client the caller frees with rpc_client_free(); NULL on error.
 * In:      opts (NULL = defaults), urls[0..n). */
RPC_WUR int rpc_client_new(rpc_client **c, const rpc_client_opts *opts, const char *const *urls,
                           size_t n);

/* rpc_client_new_errmsg: why the last rpc_client_new() in this thread failed ("" if none). */
const char *rpc_client_new_errmsg(void);

/* rpc_client_free: close connections, free everything. NULL is a no-op. */
void rpc_client_free(rpc_client *c);

/* rpc_client_errmsg: one line on the last error (endpoint in redacted form, HTTP status,
 * node message...). Borrowed, valid until the next call on c; "" after a success. */
const char *rpc_client_errmsg(const rpc_client *c);

/* rpc_client_endpoints: the number of endpoints. */
size_t rpc_client_endpoints(const rpc_client *c);

/* rpc_client_endpoint_name: the redacted display form of endpoint i ("https://host/…"),
 * the only form of a URL the client ever prints. Borrowed, lives as long as c. */
const char *rpc_client_endpoint_name(const rpc_client *c, size_t i);

/* rpc_client_last_endpoint: the index of the endpoint the last request went to (the one
 * that answered it, or the last one tried when it failed); 0 before any request. */
size_t rpc_client_last_endpoint(const rpc_client *c);

/* rpc_client_stats: copy endpoint i's counters into *out (i < rpc_client_endpoints()). */
void rpc_client_stats(const rpc_client *c, size_t i, rpc_endpoint_stats *out);

/* rpc_client_revert_data: the revert data of the last call that gave RPC_EREVERT.
 * Borrowed, valid until the next call on c; *len = 0 when there was none. */
const uint8_t *rpc_client_revert_data(const rpc_client *c, size_t *len);

/* ---- raw calls ---------------------------------------------------------------------- */

/* rpc_client_call: one JSON-RPC call; method is [A-Za-z0-9_]+, params_json the params as
 * JSON text (an array, or NULL for []).
 * Returns: RPC_OK; RPC_EINVAL (bad method or params text); RPC_ENODE (the node answered
 *          with an error object; message in rpc_client_errmsg()); RPC_ENOMETHOD (the node
 *          does not offer the method); RPC_EREVERT; RPC_ERANGE
 *          (eth_getLogs refused as too large); RPC_ERATELIMIT, RPC_ETIMEOUT, RPC_ECONNECT,
 *          RPC_EHTTP, RPC_EJSON (after retries and failover); RPC_ETOO_LARGE; RPC_ECHAIN;
 *          RPC_ENOENDPOINT; RPC_ENOMEM.
 * Out:     *result, the "result" member (any JSON type, may be null); the caller frees it
 *          with cJSON_Delete(). NULL on error. */
RPC_WUR int rpc_client_call(rpc_client *c, cJSON **result, const char *method,
                            const char *params_json);

/* ---- decoded values ----------------------------------------------------------------- */

/* Bytes owned by the struct; free with rpc_bytes_free(). */
typedef struct rpc_bytes {
    uint8_t *p;
    size_t n;
} rpc_bytes;
/* rpc_bytes_free: free b's bytes and zero it; NULL or an empty b is a no-op. */
void rpc_bytes_free(rpc_bytes *b);

typedef struct rpc_log {
    rpc_addr address;
    rpc_hash32 topics[4];
    unsigned n_topics;   /* 0..4 */
    uint8_t *data;       /* owned by the list it sits in */
    size_t data_len;
    uint64_t block_number;
    rpc_hash32 block_hash;
    rpc_hash32 tx_hash;
    uint64_t tx_index;
    uint64_t log_index;
    bool removed;
} rpc_log;

/* A list of logs in (block_number, log_index) order; free with rpc_logs_free(). */
typedef struct rpc_logs {
    rpc_log *v;
    size_t n;
} rpc_logs;
/* rpc_logs_free: free every log's data and the list, and zero l; NULL is a no-op. */
void rpc_logs_free(rpc_logs *l);

/* Which header fields a block carried (by fork): bits of rpc_block.has. */
enum {
    RPC_BLOCK_HAS_BASE_FEE = 1u << 0,          /* London */
    RPC_BLOCK_HAS_WITHDRAWALS_ROOT = 1u << 1,  /* Shanghai */
    RPC_BLOCK_HAS_BLOB_GAS_USED = 1u << 2,     /* Cancun */
    RPC_BLOCK_HAS_EXCESS_BLOB_GAS = 1u << 3,   /* Cancun */
    RPC_BLOCK_HAS_PARENT_BEACON_ROOT = 1u << 4, /* Cancun */
    RPC_BLOCK_HAS_REQUESTS_HASH = 1u << 5,     /* Prague */
};

/* A block header and its transaction hashes; free with rpc_block_free(). */
typedef struct rpc_block {
    rpc_hash32 hash, parent_hash, ommers_hash, state_root, transactions_root, receipts_root;
    rpc_addr miner;
    uint8_t logs_bloom[256];
    rpc_u256 difficulty;
    uint64_t number, gas_limit, gas_used, timestamp;
    uint8_t *extra_data; /* owned */
    size_t extra_data_len;
    rpc_hash32 mix_hash;
    uint8_t nonce[8];
    unsigned has; /* RPC_BLOCK_HAS_* */
    rpc_u256 base_fee;
    rpc_hash32 withdrawals_root;
    uint64_t blob_gas_used, excess_blob_gas;
    rpc_hash32 parent_beacon_root, requests_hash;
    rpc_hash32 *tx_hashes; /* owned, n_tx of them, in block order */
    size_t n_tx;
} rpc_block;
/* rpc_block_free: free extra_data and tx_hashes, and zero b; NULL is a no-op. */
void rpc_block_free(rpc_block *b);

/* A transaction receipt; free with rpc_receipt_free() (or with its rpc_receipts list). */
typedef struct rpc_receipt {
    rpc_hash32 tx_hash, block_hash;
    uint64_t block_number, tx_index;
    rpc_addr from, to;          /* to is zero for a contract creation (has_to false) */
    bool has_to;
    bool has_contract_address;
    rpc_addr contract_address;
    uint64_t cumulative_gas_used, gas_used;
    rpc_u256 effective_gas_price;
    uint8_t logs_bloom[256];
    uint8_t type;               /* EIP-2718 type, 0 for legacy */
    bool has_status;            /* post-Byzantium: status; before: root */
    uint8_t status;             /* 1 success, 0 failure */
    rpc_hash32 root;
    rpc_logs logs;
} rpc_receipt;
/* rpc_receipt_free: free the receipt's logs and zero r; NULL is a no-op. */
void rpc_receipt_free(rpc_receipt *r);

/* The receipts of one block, in transaction order; free with rpc_receipts_free(). */
typedef struct rpc_receipts {
    rpc_receipt *v;
    size_t n;
} rpc_receipts;
/* rpc_receipts_free: free every receipt and the list, and zero r; NULL is a no-op. */
void rpc_receipts_free(rpc_receipts *r);

/* An eth_getLogs filter. Empty lists are wildcards; within a list any entry matches (OR). */
typedef struct rpc_log_filter {
    uint64_t from_block, to_block; /* inclusive block numbers (not tags) */
    const rpc_addr *addrs;
    size_t n_addrs;
    const rpc_hash32 *topics[4];
    size_t n_topics[4];
} rpc_log_filter;

/* ---- typed calls (single HTTP request each, retried and failed over) ---------------
 * Each returns RPC_OK or an error of rpc_client_call()'s list; out-params are zeroed on
 * error. "block" is a number or an RPC_BLOCK_* tag. */

/* rpc_eth_chain_id: eth_chainId of the serving endpoint. Out: *id. */
RPC_WUR int rpc_eth_chain_id(rpc_client *c, uint64_t *id);

/* rpc_eth_block_number: the head. With several endpoints every healthy one is asked
 * (one round trip each); one whose head trails the best by more than head_lag_max is
 * marked lagging and not used until it catches up. Out: *number, the best head. */
RPC_WUR int rpc_eth_block_number(rpc_client *c, uint64_t *number);

/* rpc_eth_get_block: eth_getBlockByNumber(block, false): header and transaction hashes.
 * Returns also RPC_ENOTFOUND (no such block yet); the number is checked against the
 * one asked. Out: *b, caller frees with rpc_block_free(). */
RPC_WUR int rpc_eth_get_block(rpc_client *c, rpc_block *b, uint64_t block);

/* rpc_eth_get_logs: one eth_getLogs over f's range, no splitting (see rpc/logs.h).
 * Every log is checked to lie in the range and match the filter; sorted by
 * (block, log index), duplicates rejected. Returns also RPC_ERANGE (refused as too large:
 * split the range). Out: *logs, caller frees with rpc_logs_free(). */
RPC_WUR int rpc_eth_get_logs(rpc_client *c, rpc_logs *logs, const rpc_log_filter *f);

/* rpc_eth_call: eth_call {to, data} at block. Returns also RPC_EREVERT (revert data in
 * rpc_client_revert_data()). Out: *ret, caller frees with rpc_bytes_free().
 * In: to, data[0..len) the calldata. */
RPC_WUR int rpc_eth_call(rpc_client *c, rpc_bytes *ret, uint64_t block, const rpc_addr *to,
                         const uint8_t *data, size_t len);

/* rpc_eth_get_balance: wei held by addr at block. Out: *wei. */
RPC_WUR int rpc_eth_get_balance(rpc_client *c, rpc_u256 *wei, const rpc_addr *addr,
                                uint64_t block);

/* rpc_eth_get_receipt: eth_getTransactionReceipt. Returns also RPC_ENOTFOUND (unknown or
 * pending). Out: *r, caller frees with rpc_receipt_free(). */
RPC_WUR int rpc_eth_get_receipt(rpc_client *c, rpc_receipt *r, const rpc_hash32 *tx);

/* rpc_eth_get_block_receipts: eth_getBlockReceipts(block). Returns also RPC_ENOTFOUND;
 * RPC_ENOMETHOD when the node lacks the method (-32601, "method not found", "does not
 * exist", "not supported"...): the caller falls back to receipts one by one. Every receipt
 * is checked to belong to the block. Out: *rs, caller frees with rpc_receipts_free(). */
RPC_WUR int rpc_eth_get_block_receipts(rpc_client *c, rpc_receipts *rs, uint64_t block);

/* ---- batches -------------------------------------------------------------------------
 * A batch collects calls, sends them in as few HTTP requests as max_batch allows, and
 * keeps a decoded, validated result or an error per call. One HTTP request is retried as
 * a whole when its answer is malformed (a missing, extra or repeated id, a bad shape).
 * A batch belongs to the thread of its client. */
typedef struct rpc_batch rpc_batch;

/* rpc_batch_new: an empty batch. Returns: RPC_OK; RPC_ENOMEM.
 * Out: *b, caller frees with rpc_batch_free(); NULL on error. */
RPC_WUR int rpc_batch_new(rpc_batch **b);
/* rpc_batch_free: free the batch and every result not taken out of it. NULL is a no-op. */
void rpc_batch_free(rpc_batch *b);
/* rpc_batch_size: calls added so far. */
size_t rpc_batch_size(const rpc_batch *b);

/* Adding calls, the batch forms of the typed calls above (rpc_batch_add_raw: any method,
 * params as JSON text, NULL for []). Each returns RPC_OK, RPC_EINVAL (bad method, params,
 * filter or NULL argument: nothing is added) or RPC_ENOMEM, and gives the call's index
 * (0, 1, ... in order of adding) through *idx (may be NULL). Arguments are copied. */
RPC_WUR int rpc_batch_add_raw(rpc_batch *b, size_t *idx, const char *method,
                              const char *params_json);
RPC_WUR int rpc_batch_add_block_number(rpc_batch *b, size_t *idx);
RPC_WUR int rpc_batch_add_block(rpc_batch *b, size_t *idx, uint64_t block);
RPC_WUR int rpc_batch_add_logs(rpc_batch *b, size_t *idx, const rpc_log_filter *f);
RPC_WUR int rpc_batch_add_call(rpc_batch *b, size_t *idx, uint64_t block, const rpc_addr *to,
                               const uint8_t *data, size_t len);
RPC_WUR int rpc_batch_add_balance(rpc_batch *b, size_t *idx, const rpc_addr *addr,
                                  uint64_t block);
RPC_WUR int rpc_batch_add_receipt(rpc_batch *b, size_t *idx, const rpc_hash32 *tx);
/* eth_getBlockReceipts(block): its status is RPC_ENOMETHOD on a node without it. */
RPC_WUR int rpc_batch_add_block_receipts(rpc_batch *b, size_t *idx, uint64_t block);

/* rpc_batch_send: send every call not yet answered.
 * Returns: RPC_OK when every call has an answer (each may still be a per-call error such
 *          as RPC_ENODE, RPC_EREVERT, RPC_ERANGE, RPC_ENOTFOUND: see rpc_batch_status());
 *          else the transport error of rpc_client_call()'s list that stopped it. */
RPC_WUR int rpc_batch_send(rpc_client *c, rpc_batch *b);

/* rpc_batch_status: call idx's outcome: RPC_OK, its per-call error, or RPC_EINVAL when it
 * has not been answered (or idx is out of range). */
int rpc_batch_status(const rpc_batch *b, size_t idx);

/* Results. take_* move the result out of the batch (a second take gives RPC_EINVAL): the
 * caller then owns it and frees it with its free function (cJSON_Delete, rpc_block_free,
 * rpc_logs_free, rpc_bytes_free, rpc_receipt_free); get_* copy a value. Each returns
 * RPC_OK, the call's own error (RPC_ENODE, RPC_EREVERT, RPC_ERANGE, RPC_ENOTFOUND...), or
 * RPC_EINVAL (idx out of range, another kind of call, not answered, taken already).
 * Out: the result, zeroed on error. */
RPC_WUR int rpc_batch_take_raw(rpc_batch *b, size_t idx, cJSON **result); /* cJSON_Delete */
RPC_WUR int rpc_batch_get_u64(const rpc_batch *b, size_t idx, uint64_t *v); /* block number */
RPC_WUR int rpc_batch_get_u256(const rpc_batch *b, size_t idx, rpc_u256 *v); /* balance */
RPC_WUR int rpc_batch_take_block(rpc_batch *b, size_t idx, rpc_block *out);
RPC_WUR int rpc_batch_take_logs(rpc_batch *b, size_t idx, rpc_logs *out);
RPC_WUR int rpc_batch_take_bytes(rpc_batch *b, size_t idx, rpc_bytes *out); /* eth_call */
RPC_WUR int rpc_batch_take_receipt(rpc_batch *b, size_t idx, rpc_receipt *out);
RPC_WUR int rpc_batch_take_block_receipts(rpc_batch *b, size_t idx, rpc_receipts *out);

/* rpc_batch_revert_data: revert data of call idx when its status is RPC_EREVERT.
 * Borrowed, lives as long as the batch; NULL and *len = 0 otherwise. */
const uint8_t *rpc_batch_revert_data(const rpc_batch *b, size_t idx, size_t *len);

#endif
