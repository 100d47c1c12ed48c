/* rpc/client_eth.c — the typed eth_* calls: their params, and strict decoders of their
 * results into structs. A decoder accepts a result only when every field has the right
 * shape and size and the answer matches the question (block number, range, filter, tx);
 * on any doubt it frees what it built and says which field was wrong. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/addr.h"
#include "rpc/client_int.h"
#include "rpc/hex.h"
#include "rpc/u256.h"

/* ---- frees -------------------------------------------------------------------------- */

void rpc_bytes_free(rpc_bytes *b)
{
    if (!b)
        return;
    free(b->p);
    b->p = NULL;
    b->n = 0;
}

void rpc_logs_free(rpc_logs *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].data);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

void rpc_block_free(rpc_block *b)
{
    if (!b)
        return;
    free(b->extra_data);
    free(b->tx_hashes);
    memset(b, 0, sizeof *b);
}

void rpc_receipt_free(rpc_receipt *r)
{
    if (!r)
        return;
    rpc_logs_free(&r->logs);
    memset(r, 0, sizeof *r);
}

void rpc_receipts_free(rpc_receipts *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        rpc_receipt_free(&r->v[i]);
    free(r->v);
    r->v = NULL;
    r->n = 0;
}

/* ---- hex: a table-driven decoder for the fixed-size fields (hashes, addresses, blooms)
 * that fill most of a log or block answer; same grammar as rpc_hex_decode_fixed ("0x" and
 * exactly 2n digits of either case), one pass instead of two: profiling a 500-log answer
 * put rpc_hex_decode_fixed at 40% of the decode. */

static signed char hexv[256];

static void hexv_init(void)
{
    memset(hexv, -1, sizeof hexv);
    for (int i = 0; i < 10; i++)
        hexv['0' + i] = (signed char)i;
    for (int i = 0; i < 6; i++) {
        hexv['a' + i] = (signed char)(10 + i);
        hexv['A' + i] = (signed char)(10 + i);
    }
}

static pthread_once_t hexv_once = PTHREAD_ONCE_INIT;

static int hex_fixed(uint8_t *out, size_t n, const char *s, size_t sl)
{
    pthread_once(&hexv_once, hexv_init);
    if (sl != 2 + 2 * n || s[0] != '0' || s[1] != 'x')
        goto bad;
    const unsigned char *p = (const unsigned char *)s + 2;
    for (size_t i = 0; i < n; i++) {
        int hi = hexv[p[2 * i]], lo = hexv[p[2 * i + 1]];
        if ((hi | lo) < 0)
            goto bad;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return RPC_OK;
bad:
    memset(out, 0, n);
    return RPC_EHEX;
}

/* ---- field readers: each returns RPC_OK or RPC_EJSON with err naming the field ----- */

#define FAIL_FIELD(what, name)                                                      \
    do {                                                                            \
        snprintf(err, errcap, "%s: field \"%s\" missing or malformed", what, name); \
        return RPC_EJSON;                                                           \
    } while (0)

/* Member name of object o, or -1 when absent or null. */
static long field(const rpc_jdoc *d, long o, const char *name)
{
    long j = rpc_jget(d, o, name);
    return rpc_jtype(d, j) == RPC_J_NULL ? -1 : j;
}

/* Readers of the value token j of field name (j = -1 when absent or null). */
static int at_u64(const rpc_jdoc *d, long j, const char *name, uint64_t *v, const char *what,
                  char *err, size_t errcap)
{
    const char *s;
    size_t l;
    if (!rpc_jstr(d, j, &s, &l) || rpc_hex_quantity_u64(v, s, l) != RPC_OK)
        FAIL_FIELD(what, name);
    return RPC_OK;
}

static int at_fixed(const rpc_jdoc *d, long j, const char *name, uint8_t *out, size_t n,
                    const char *what, char *err, size_t errcap)
{
    const char *s;
    size_t l;
    if (!rpc_jstr(d, j, &s, &l) || hex_fixed(out, n, s, l) != RPC_OK)
        FAIL_FIELD(what, name);
    return RPC_OK;
}

static int rd_u64(const rpc_jdoc *d, long o, const char *name, uint64_t *v, const char *what,
                  char *err, size_t errcap)
{
    return at_u64(d, field(d, o, name), name, v, what, err, errcap);
}

static int rd_u256(const rpc_jdoc *d, long o, const char *name, rpc_u256 *v, const char *what,
                   char *err, size_t errcap)
{
    const char *s;
    size_t l;
    if (!rpc_jstr(d, field(d, o, name), &s, &l) || rpc_u256_parse_hex(v, s, l) != RPC_OK)
        FAIL_FIELD(what, name);
    return RPC_OK;
}

static int rd_fixed(const rpc_jdoc *d, long o, const char *name, uint8_t *out, size_t n,
                    const char *what, char *err, size_t errcap)
{
    return at_fixed(d, field(d, o, name), name, out, n, what, err, errcap);
}

static int rd_hash(const rpc_jdoc *d, long o, const char *name, rpc_hash32 *h, const char *what,
                   char *err, size_t errcap)
{
    return rd_fixed(d, o, name, h->b, 32, what, err, errcap);
}

static int rd_addr(const rpc_jdoc *d, long o, const char *name, rpc_addr *a, const char *what,
                   char *err, size_t errcap)
{
    return rd_fixed(d, o, name, a->b, 20, what, err, errcap);
}

/* Variable-length bytes from hex string token j; *p owned by the caller (NULL for empty). */
static int hex_bytes(const rpc_jdoc *d, long j, uint8_t **p, size_t *n)
{
    const char *s;
    size_t sl;
    *p = NULL;
    *n = 0;
    if (!rpc_jstr(d, j, &s, &sl) || sl < 2 || sl % 2)
        return RPC_EJSON;
    size_t cap = (sl - 2) / 2;
    if (cap == 0) {
        uint8_t none[1];
        return rpc_hex_decode(none, 0, n, s, sl) == RPC_OK ? RPC_OK : RPC_EJSON;
    }
    uint8_t *b = malloc(cap);
    if (!b)
        return RPC_ENOMEM;
    if (rpc_hex_decode(b, cap, n, s, sl) != RPC_OK) {
        free(b);
        *n = 0;
        return RPC_EJSON;
    }
    *p = b;
    return RPC_OK;
}

static int rd_bytes(const rpc_jdoc *d, long o, const char *name, uint8_t **p, size_t *n,
                    const char *what, char *err, size_t errcap)
{
    int rc = hex_bytes(d, field(d, o, name), p, n);
    if (rc == RPC_EJSON)
        FAIL_FIELD(what, name);
    return rc;
}

/* ---- logs --------------------------------------------------------------------------- */

/* The fields of a log, read in one pass over its members (logs are most of the bytes a
 * tracker reads). */
static const char *const log_keys[] = {"address", "blockNumber", "blockHash", "transactionHash",
                                       "transactionIndex", "logIndex", "topics", "removed",
                                       "data"};
enum { LK_ADDR, LK_BLOCK, LK_BHASH, LK_TX, LK_TXI, LK_LOGI, LK_TOPICS, LK_REMOVED, LK_DATA, LK_N };

static int decode_log(rpc_log *l, const rpc_jdoc *d, long o, char *err, size_t errcap)
{
    static const char what[] = "log";
    int rc;
    long f[LK_N];
    memset(l, 0, sizeof *l);
    if (rpc_jtype(d, o) != RPC_J_OBJ) {
        snprintf(err, errcap, "log is not an object");
        return RPC_EJSON;
    }
    rpc_jfields(d, o, log_keys, LK_N, f);
    for (int i = 0; i < LK_N; i++)
        if (rpc_jtype(d, f[i]) == RPC_J_NULL)
            f[i] = -1;
    if ((rc = at_fixed(d, f[LK_ADDR], "address", l->address.b, 20, what, err, errcap)) ||
        (rc = at_u64(d, f[LK_BLOCK], "blockNumber", &l->block_number, what, err, errcap)) ||
        (rc = at_fixed(d, f[LK_BHASH], "blockHash", l->block_hash.b, 32, what, err, errcap)) ||
        (rc = at_fixed(d, f[LK_TX], "transactionHash", l->tx_hash.b, 32, what, err, errcap)) ||
        (rc = at_u64(d, f[LK_TXI], "transactionIndex", &l->tx_index, what, err, errcap)) ||
        (rc = at_u64(d, f[LK_LOGI], "logIndex", &l->log_index, what, err, errcap)))
        return rc;
    long t = f[LK_TOPICS];
    if (rpc_jtype(d, t) != RPC_J_ARR || d->t[t].count > 4)
        FAIL_FIELD(what, "topics");
    long x = t + 1;
    for (unsigned i = 0; i < d->t[t].count; i++, x = d->t[x].next) {
        const char *s;
        size_t sl;
        if (!rpc_jstr(d, x, &s, &sl) || hex_fixed(l->topics[i].b, 32, s, sl))
            FAIL_FIELD(what, "topics");
    }
    l->n_topics = d->t[t].count;
    long rm = f[LK_REMOVED];
    if (rm >= 0 && rpc_jtype(d, rm) != RPC_J_TRUE && rpc_jtype(d, rm) != RPC_J_FALSE)
        FAIL_FIELD(what, "removed");
    l->removed = rpc_jtype(d, rm) == RPC_J_TRUE;
    rc = hex_bytes(d, f[LK_DATA], &l->data, &l->data_len);
    if (rc == RPC_EJSON)
        FAIL_FIELD(what, "data");
    return rc;
}

static int cmp_log(const void *a, const void *b)
{
    const rpc_log *x = a, *y = b;
    if (x->block_number != y->block_number)
        return x->block_number < y->block_number ? -1 : 1;
    if (x->log_index != y->log_index)
        return x->log_index < y->log_index ? -1 : 1;
    return 0;
}

int rpc_logs_sort_check(rpc_logs *l)
{
    bool sorted = true;
    for (size_t i = 1; i < l->n && sorted; i++)
        sorted = cmp_log(&l->v[i - 1], &l->v[i]) < 0;
    if (!sorted)
        qsort(l->v, l->n, sizeof *l->v, cmp_log);
    for (size_t i = 1; i < l->n; i++)
        if (cmp_log(&l->v[i - 1], &l->v[i]) == 0)
            return RPC_EJSON;
    return RPC_OK;
}

static bool in_list(const void *v, const void *list, size_t n, size_t sz)
{
    for (size_t i = 0; i < n; i++)
        if (memcmp((const uint8_t *)list + i * sz, v, sz) == 0)
            return true;
    return false;
}

/* Decode an array of logs; when k is given, check each against k's range and filter. */
static int decode_logs(rpc_logs *out, const rpc_jdoc *d, long arr, const rpc_call *k, char *err,
                       size_t errcap)
{
    int rc = RPC_OK;
    memset(out, 0, sizeof *out);
    if (rpc_jtype(d, arr) != RPC_J_ARR) {
        snprintf(err, errcap, "logs: result is not an array");
        return RPC_EJSON;
    }
    size_t n = d->t[arr].count;
    if (n) {
        out->v = malloc(n * sizeof *out->v);
        if (!out->v)
            return RPC_ENOMEM;
    }
    long o = arr + 1;
    for (size_t m = 0; m < n; m++, o = d->t[o].next) {
        rpc_log *l = &out->v[out->n];
        rc = decode_log(l, d, o, err, errcap);
        if (rc) {
            free(l->data);
            goto fail;
        }
        out->n++;
        if (!k)
            continue;
        if (l->block_number < k->from_block || l->block_number > k->to_block) {
            snprintf(err, errcap, "log of block %llu outside the range asked [%llu, %llu]",
                     (unsigned long long)l->block_number, (unsigned long long)k->from_block,
                     (unsigned long long)k->to_block);
            rc = RPC_EJSON;
            goto fail;
        }
        if (k->n_addrs && !in_list(&l->address, k->addrs, k->n_addrs, sizeof(rpc_addr))) {
            snprintf(err, errcap, "log from an address the filter does not name");
            rc = RPC_EJSON;
            goto fail;
        }
        for (unsigned i = 0; i < 4; i++) {
            if (k->n_topics[i] &&
                (i >= l->n_topics ||
                 !in_list(&l->topics[i], k->topics[i], k->n_topics[i], sizeof(rpc_hash32)))) {
                snprintf(err, errcap, "log whose topic %u the filter does not allow", i);
                rc = RPC_EJSON;
                goto fail;
            }
        }
    }
    if (rpc_logs_sort_check(out) != RPC_OK) {
        snprintf(err, errcap, "logs: the same (block, logIndex) twice");
        rc = RPC_EJSON;
        goto fail;
    }
    return RPC_OK;
fail:
    rpc_logs_free(out);
    return rc;
}

/* ---- blocks ------------------------------------------------------------------------- */

static int decode_block(rpc_block *b, const rpc_jdoc *d, long o, uint64_t want, char *err,
                        size_t errcap)
{
    static const char what[] = "block";
    int rc;
    memset(b, 0, sizeof *b);
    if (rpc_jtype(d, o) != RPC_J_OBJ) {
        snprintf(err, errcap, "block: result is not an object");
        return RPC_EJSON;
    }
    if ((rc = rd_hash(d, o, "hash", &b->hash, what, err, errcap)) ||
        (rc = rd_hash(d, o, "parentHash", &b->parent_hash, what, err, errcap)) ||
        (rc = rd_hash(d, o, "sha3Uncles", &b->ommers_hash, what, err, errcap)) ||
        (rc = rd_addr(d, o, "miner", &b->miner, what, err, errcap)) ||
        (rc = rd_hash(d, o, "stateRoot", &b->state_root, what, err, errcap)) ||
        (rc = rd_hash(d, o, "transactionsRoot", &b->transactions_root, what, err, errcap)) ||
        (rc = rd_hash(d, o, "receiptsRoot", &b->receipts_root, what, err, errcap)) ||
        (rc = rd_fixed(d, o, "logsBloom", b->logs_bloom, 256, what, err, errcap)) ||
        (rc = rd_u256(d, o, "difficulty", &b->difficulty, what, err, errcap)) ||
        (rc = rd_u64(d, o, "number", &b->number, what, err, errcap)) ||
        (rc = rd_u64(d, o, "gasLimit", &b->gas_limit, what, err, errcap)) ||
        (rc = rd_u64(d, o, "gasUsed", &b->gas_used, what, err, errcap)) ||
        (rc = rd_u64(d, o, "timestamp", &b->timestamp, what, err, errcap)) ||
        (rc = rd_hash(d, o, "mixHash", &b->mix_hash, what, err, errcap)) ||
        (rc = rd_fixed(d, o, "nonce", b->nonce, 8, what, err, errcap)))
        goto fail;
    if (want < RPC_BLOCK_PENDING && b->number != want) {
        snprintf(err, errcap, "block %llu answered for block %llu asked",
                 (unsigned long long)b->number, (unsigned long long)want);
        rc = RPC_EJSON;
        goto fail;
    }
    if (field(d, o, "baseFeePerGas") >= 0) {
        if ((rc = rd_u256(d, o, "baseFeePerGas", &b->base_fee, what, err, errcap)))
            goto fail;
        b->has |= RPC_BLOCK_HAS_BASE_FEE;
    }
    if (field(d, o, "withdrawalsRoot") >= 0) {
        if ((rc = rd_hash(d, o, "withdrawalsRoot", &b->withdrawals_root, what, err, errcap)))
            goto fail;
        b->has |= RPC_BLOCK_HAS_WITHDRAWALS_ROOT;
    }
    if (field(d, o, "blobGasUsed") >= 0) {
        if ((rc = rd_u64(d, o, "blobGasUsed", &b->blob_gas_used, what, err, errcap)))
            goto fail;
        b->has |= RPC_BLOCK_HAS_BLOB_GAS_USED;
    }
    if (field(d, o, "excessBlobGas") >= 0) {
        if ((rc = rd_u64(d, o, "excessBlobGas", &b->excess_blob_gas, what, err, errcap)))
            goto fail;
        b->has |= RPC_BLOCK_HAS_EXCESS_BLOB_GAS;
    }
    if (field(d, o, "parentBeaconBlockRoot") >= 0) {
        if ((rc = rd_hash(d, o, "parentBeaconBlockRoot", &b->parent_beacon_root, what, err,
                          errcap)))
            goto fail;
        b->has |= RPC_BLOCK_HAS_PARENT_BEACON_ROOT;
    }
    if (field(d, o, "requestsHash") >= 0) {
        if ((rc = rd_hash(d, o, "requestsHash", &b->requests_hash, what, err, errcap)))
            goto fail;
        b->has |= RPC_BLOCK_HAS_REQUESTS_HASH;
    }
    if ((rc = rd_bytes(d, o, "extraData", &b->extra_data, &b->extra_data_len, what, err,
                       errcap)))
        goto fail;
    long txs = field(d, o, "transactions");
    if (rpc_jtype(d, txs) != RPC_J_ARR) {
        snprintf(err, errcap, "block: field \"transactions\" missing or malformed");
        rc = RPC_EJSON;
        goto fail;
    }
    size_t n = d->t[txs].count;
    if (n) {
        b->tx_hashes = malloc(n * sizeof *b->tx_hashes);
        if (!b->tx_hashes) {
            rc = RPC_ENOMEM;
            goto fail;
        }
    }
    long x = txs + 1;
    for (size_t m = 0; m < n; m++, x = d->t[x].next) {
        const char *s;
        size_t sl;
        if (!rpc_jstr(d, x, &s, &sl) || hex_fixed(b->tx_hashes[m].b, 32, s, sl)) {
            snprintf(err, errcap, "block: transaction %zu is not a hash", m);
            rc = RPC_EJSON;
            goto fail;
        }
        b->n_tx++;
    }
    return RPC_OK;
fail:
    rpc_block_free(b);
    return rc;
}

/* ---- receipts ----------------------------------------------------------------------- */

static int decode_receipt(rpc_receipt *r, const rpc_jdoc *d, long o, char *err, size_t errcap)
{
    static const char what[] = "receipt";
    int rc;
    memset(r, 0, sizeof *r);
    if (rpc_jtype(d, o) != RPC_J_OBJ) {
        snprintf(err, errcap, "receipt: not an object");
        return RPC_EJSON;
    }
    if ((rc = rd_hash(d, o, "transactionHash", &r->tx_hash, what, err, errcap)) ||
        (rc = rd_hash(d, o, "blockHash", &r->block_hash, what, err, errcap)) ||
        (rc = rd_u64(d, o, "blockNumber", &r->block_number, what, err, errcap)) ||
        (rc = rd_u64(d, o, "transactionIndex", &r->tx_index, what, err, errcap)) ||
        (rc = rd_addr(d, o, "from", &r->from, what, err, errcap)) ||
        (rc = rd_u64(d, o, "cumulativeGasUsed", &r->cumulative_gas_used, what, err, errcap)) ||
        (rc = rd_u64(d, o, "gasUsed", &r->gas_used, what, err, errcap)) ||
        (rc = rd_fixed(d, o, "logsBloom", r->logs_bloom, 256, what, err, errcap)))
        goto fail;
    if (field(d, o, "to") >= 0) {
        if ((rc = rd_addr(d, o, "to", &r->to, what, err, errcap)))
            goto fail;
        r->has_to = true;
    }
    if (field(d, o, "contractAddress") >= 0) {
        if ((rc = rd_addr(d, o, "contractAddress", &r->contract_address, what, err, errcap)))
            goto fail;
        r->has_contract_address = true;
    }
    if (field(d, o, "effectiveGasPrice") >= 0 &&
        (rc = rd_u256(d, o, "effectiveGasPrice", &r->effective_gas_price, what, err, errcap)))
        goto fail;
    if (field(d, o, "type") >= 0) {
        uint64_t t;
        if ((rc = rd_u64(d, o, "type", &t, what, err, errcap)))
            goto fail;
        if (t > 0x7f) {
            snprintf(err, errcap, "receipt: type %llu out of range", (unsigned long long)t);
            rc = RPC_EJSON;
            goto fail;
        }
        r->type = (uint8_t)t;
    }
    if (field(d, o, "status") >= 0) {
        uint64_t st;
        if ((rc = rd_u64(d, o, "status", &st, what, err, errcap)))
            goto fail;
        if (st > 1) {
            snprintf(err, errcap, "receipt: status %llu is not 0 or 1", (unsigned long long)st);
            rc = RPC_EJSON;
            goto fail;
        }
        r->has_status = true;
        r->status = (uint8_t)st;
    } else if ((rc = rd_hash(d, o, "root", &r->root, what, err, errcap))) {
        goto fail;
    }
    if ((rc = decode_logs(&r->logs, d, field(d, o, "logs"), NULL, err, errcap)))
        goto fail;
    for (size_t i = 0; i < r->logs.n; i++) {
        const rpc_log *l = &r->logs.v[i];
        if (l->block_number != r->block_number || memcmp(&l->tx_hash, &r->tx_hash, 32) ||
            memcmp(&l->block_hash, &r->block_hash, 32)) {
            snprintf(err, errcap, "receipt: log %zu belongs to another transaction", i);
            rc = RPC_EJSON;
            goto fail;
        }
    }
    return RPC_OK;
fail:
    rpc_receipt_free(r);
    return rc;
}

static int decode_receipts(rpc_receipts *rs, const rpc_jdoc *d, long arr, uint64_t want,
                           char *err, size_t errcap)
{
    int rc = RPC_OK;
    memset(rs, 0, sizeof *rs);
    if (rpc_jtype(d, arr) != RPC_J_ARR) {
        snprintf(err, errcap, "block receipts: result is not an array");
        return RPC_EJSON;
    }
    size_t n = d->t[arr].count;
    if (n && !(rs->v = calloc(n, sizeof *rs->v)))
        return RPC_ENOMEM;
    long o = arr + 1;
    for (size_t m = 0; m < n; m++, o = d->t[o].next) {
        rpc_receipt *r = &rs->v[rs->n];
        if ((rc = decode_receipt(r, d, o, err, errcap)))
            goto fail;
        rs->n++;
        if ((want < RPC_BLOCK_PENDING && r->block_number != want) || r->tx_index != rs->n - 1 ||
            memcmp(&r->block_hash, &rs->v[0].block_hash, 32)) {
            snprintf(err, errcap, "block receipts: receipt %zu is not of the block asked",
                     rs->n - 1);
            rc = RPC_EJSON;
            goto fail;
        }
    }
    return RPC_OK;
fail:
    rpc_receipts_free(rs);
    return rc;
}

/* ---- rpc_call_decode ---------------------------------------------------------------- */

int rpc_call_decode(rpc_call *k, const rpc_jdoc *d, long res, char *err, size_t errcap)
{
    int rc;
    const char *s;
    size_t sl;
    bool null = rpc_jtype(d, res) == RPC_J_NULL;
    switch (k->kind) {
    case RPC_K_RAW:
        k->r.raw = cJSON_ParseWithLength(d->s + d->t[res].start, d->t[res].end - d->t[res].start);
        return k->r.raw ? RPC_OK : RPC_ENOMEM;
    case RPC_K_U64:
        if (!rpc_jstr(d, res, &s, &sl) || rpc_hex_quantity_u64(&k->r.u64, s, sl)) {
            snprintf(err, errcap, "%s: result is not a quantity", k->method);
            return RPC_EJSON;
        }
        return RPC_OK;
    case RPC_K_U256:
        if (!rpc_jstr(d, res, &s, &sl) || rpc_u256_parse_hex(&k->r.u256, s, sl)) {
            snprintf(err, errcap, "%s: result is not a 256-bit quantity", k->method);
            return RPC_EJSON;
        }
        return RPC_OK;
    case RPC_K_BYTES:
        rc = hex_bytes(d, res, &k->r.bytes.p, &k->r.bytes.n);
        if (rc == RPC_EJSON)
            snprintf(err, errcap, "%s: result is not hex data", k->method);
        return rc;
    case RPC_K_BLOCK:
        if (null)
            return RPC_ENOTFOUND;
        return decode_block(&k->r.block, d, res, k->want_block, err, errcap);
    case RPC_K_LOGS:
        return decode_logs(&k->r.logs, d, res, k, err, errcap);
    case RPC_K_RECEIPT:
        if (null)
            return RPC_ENOTFOUND;
        rc = decode_receipt(&k->r.receipt, d, res, err, errcap);
        if (rc == RPC_OK && memcmp(&k->r.receipt.tx_hash, &k->want_tx, 32)) {
            rpc_receipt_free(&k->r.receipt);
            snprintf(err, errcap, "receipt of another transaction than the one asked");
            rc = RPC_EJSON;
        }
        return rc;
    case RPC_K_RECEIPTS:
        if (null)
            return RPC_ENOTFOUND;
        return decode_receipts(&k->r.receipts, d, res, k->want_block, err, errcap);
    default:
        snprintf(err, errcap, "unknown call kind");
        return RPC_EJSON;
    }
}

/* ---- params ------------------------------------------------------------------------- */

static int take_params(rpc_call *k, int kind, const char *method, rpc_sbuf *s, int rc)
{
    if (rc == RPC_OK)
        rc = rpc_call_init(k, kind, method, s->p);
    rpc_sbuf_free(s);
    return rc;
}

int rpc_call_prep_block(rpc_call *k, uint64_t block)
{
    memset(k, 0, sizeof *k);
    rpc_sbuf s;
    rpc_sbuf_init(&s, 256);
    int rc = rpc_sbuf_add(&s, "[", 1);
    if (rc == RPC_OK)
        rc = rpc_sbuf_add_block(&s, block);
    if (rc == RPC_OK)
        rc = rpc_sbuf_adds(&s, ",false]");
    rc = take_params(k, RPC_K_BLOCK, "eth_getBlockByNumber", &s, rc);
    k->want_block = block;
    return rc;
}

int rpc_call_prep_logs(rpc_call *k, const rpc_log_filter *f)
{
    memset(k, 0, sizeof *k);
    if (!f || f->from_block > f->to_block || f->to_block >= RPC_BLOCK_PENDING ||
        (f->n_addrs && !f->addrs))
        return RPC_EINVAL;
    for (int i = 0; i < 4; i++)
        if (f->n_topics[i] && !f->topics[i])
            return RPC_EINVAL;
    rpc_sbuf s;
    rpc_sbuf_init(&s, SIZE_MAX / 2);
    int rc = rpc_sbuf_adds(&s, "[{\"fromBlock\":");
    if (rc == RPC_OK)
        rc = rpc_sbuf_add_qty(&s, f->from_block);
    if (rc == RPC_OK)
        rc = rpc_sbuf_adds(&s, ",\"toBlock\":");
    if (rc == RPC_OK)
        rc = rpc_sbuf_add_qty(&s, f->to_block);
    if (rc == RPC_OK && f->n_addrs) {
        rc = rpc_sbuf_adds(&s, ",\"address\":[");
        for (size_t i = 0; rc == RPC_OK && i < f->n_addrs; i++) {
            if (i)
                rc = rpc_sbuf_add(&s, ",", 1);
            if (rc == RPC_OK)
                rc = rpc_sbuf_add_hex(&s, f->addrs[i].b, 20);
        }
        if (rc == RPC_OK)
            rc = rpc_sbuf_add(&s, "]", 1);
    }
    int last = -1;
    for (int i = 0; i < 4; i++)
        if (f->n_topics[i])
            last = i;
    if (rc == RPC_OK && last >= 0) {
        rc = rpc_sbuf_adds(&s, ",\"topics\":[");
        for (int i = 0; rc == RPC_OK && i <= last; i++) {
            if (i)
                rc = rpc_sbuf_add(&s, ",", 1);
            if (rc != RPC_OK)
                break;
            if (!f->n_topics[i]) {
                rc = rpc_sbuf_adds(&s, "null");
                continue;
            }
            rc = rpc_sbuf_add(&s, "[", 1);
            for (size_t j = 0; rc == RPC_OK && j < f->n_topics[i]; j++) {
                if (j)
                    rc = rpc_sbuf_add(&s, ",", 1);
                if (rc == RPC_OK)
                    rc = rpc_sbuf_add_hex(&s, f->topics[i][j].b, 32);
            }
            if (rc == RPC_OK)
                rc = rpc_sbuf_add(&s, "]", 1);
        }
        if (rc == RPC_OK)
            rc = rpc_sbuf_add(&s, "]", 1);
    }
    if (rc == RPC_OK)
        rc = rpc_sbuf_adds(&s, "}]");
    rc = take_params(k, RPC_K_LOGS, "eth_getLogs", &s, rc);
    if (rc == RPC_OK)
        rc = rpc_call_set_filter(k, f);
    return rc;
}

int rpc_call_prep_call(rpc_call *k, uint64_t block, const rpc_addr *to, const uint8_t *data,
                       size_t len)
{
    memset(k, 0, sizeof *k);
    if (!to || (len && !data))
        return RPC_EINVAL;
    rpc_sbuf s;
    rpc_sbuf_init(&s, SIZE_MAX / 2);
    int rc = rpc_sbuf_adds(&s, "[{\"to\":");
    if (rc == RPC_OK)
        rc = rpc_sbuf_add_hex(&s, to->b, 20);
    if (rc == RPC_OK)
        rc = rpc_sbuf_adds(&s, ",\"data\":");
    if (rc == RPC_OK)
        rc = rpc_sbuf_add_hex(&s, data, len);
    if (rc == RPC_OK)
        rc = rpc_sbuf_adds(&s, "},");
    if (rc == RPC_OK)
        rc = rpc_sbuf_add_block(&s, block);
    if (rc == RPC_OK)
        rc = rpc_sbuf_add(&s, "]", 1);
    return take_params(k, RPC_K_BYTES, "eth_call", &s, rc);
}

int rpc_call_prep_balance(rpc_call *k, const rpc_addr *addr, uint64_t block)
{
    memset(k, 0, sizeof *k);
    if (!addr)
        return RPC_EINVAL;
    rpc_sbuf s;
    rpc_sbuf_init(&s, 256);
    int rc = rpc_sbuf_add(&s, "[", 1);
    if (rc == RPC_OK)
        rc = rpc_sbuf_add_hex(&s, addr->b, 20);
    if (rc == RPC_OK)
        rc = rpc_sbuf_add(&s, ",", 1);
    if (rc == RPC_OK)
        rc = rpc_sbuf_add_block(&s, block);
    if (rc == RPC_OK)
        rc = rpc_sbuf_add(&s, "]", 1);
    return take_params(k, RPC_K_U256, "eth_getBalance", &s, rc);
}

int rpc_call_prep_receipt(rpc_call *k, const rpc_hash32 *tx)
{
    memset(k, 0, sizeof *k);
    if (!tx)
        return RPC_EINVAL;
    rpc_sbuf s;
    rpc_sbuf_init(&s, 256);
    int rc = rpc_sbuf_add(&s, "[", 1);
    if (rc == RPC_OK)
        rc = rpc_sbuf_add_hex(&s, tx->b, 32);
    if (rc == RPC_OK)
        rc = rpc_sbuf_add(&s, "]", 1);
    rc = take_params(k, RPC_K_RECEIPT, "eth_getTransactionReceipt", &s, rc);
    k->want_tx = *tx;
    return rc;
}

int rpc_call_prep_block_receipts(rpc_call *k, uint64_t block)
{
    memset(k, 0, sizeof *k);
    rpc_sbuf s;
    rpc_sbuf_init(&s, 256);
    int rc = rpc_sbuf_add(&s, "[", 1);
    if (rc == RPC_OK)
        rc = rpc_sbuf_add_block(&s, block);
    if (rc == RPC_OK)
        rc = rpc_sbuf_add(&s, "]", 1);
    rc = take_params(k, RPC_K_RECEIPTS, "eth_getBlockReceipts", &s, rc);
    k->want_block = block;
    return rc;
}
