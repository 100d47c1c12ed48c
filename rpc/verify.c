/* rpc/verify.c — a node's answers checked against the commitments in the block header.
 * Invariant: a check returns RPC_OK only when every byte it was given is bound to the
 * block hash (directly, or through a trie root the hash commits to), or is a node claim
 * (a sender, a log index) shown to agree with data so bound. */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/addr.h"
#include "rpc/client_int.h"
#include "rpc/header.h"
#include "rpc/hex.h"
#include "rpc/receipt.h"
#include "rpc/trie.h"
#include "rpc/tx.h"
#include "rpc/verify.h"

#define RAW_TX_CAP ((size_t)16 << 20) /* far above any block's gas allows */

static int fail(rpc_verify_fail *f, uint64_t block, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(rpc_verify_fail *f, uint64_t block, int rc, const char *fmt, ...)
{
    va_list ap;
    f->block = block;
    va_start(ap, fmt);
    vsnprintf(f->what, sizeof f->what, fmt, ap);
    va_end(ap);
    return rc;
}

static void ok(rpc_verify_fail *f) { memset(f, 0, sizeof *f); }

/* A hash's display form, by value so it can sit in a printf argument list. */
typedef struct {
    char s[67];
} shorthex;
static shorthex hshort(const uint8_t *b)
{
    shorthex h;
    rpc_hash32 x;
    memcpy(x.b, b, 32);
    rpc_hash32_format(h.s, &x);
    return h;
}

static bool same32(const rpc_hash32 *a, const rpc_hash32 *b) { return !memcmp(a->b, b->b, 32); }

int rpc_verify_header(rpc_verify_fail *f, const rpc_block *b, const rpc_block *next)
{
    assert(f && b);
    ok(f);
    rpc_hash32 h;
    int rc = rpc_header_hash(&h, b);
    if (rc == RPC_EFORK)
        return fail(f, b->number, rc, "header: its optional fields (%#x) are of no known fork",
                    b->has);
    if (rc)
        return fail(f, b->number, rc, "header: %s", rpc_strerror(rc));
    if (!same32(&h, &b->hash))
        return fail(f, b->number, RPC_EMISMATCH,
                    "header hash: the %s-era fields hash to %s, the node says %s",
                    rpc_header_era(b), hshort(h.b).s, hshort(b->hash.b).s);
    if (next && (next->number != b->number + 1 || !same32(&next->parent_hash, &b->hash)))
        return fail(f, b->number, RPC_EMISMATCH,
                    "parent hash: block %llu names parent %s, block %llu hashes to %s",
                    (unsigned long long)next->number, hshort(next->parent_hash.b).s,
                    (unsigned long long)b->number, hshort(h.b).s);
    return RPC_OK;
}

int rpc_verify_receipts(rpc_verify_fail *f, const rpc_block *b, const rpc_receipts *rs)
{
    assert(f && b && rs);
    ok(f);
    uint64_t n = b->number;
    if (rs->n != b->n_tx)
        return fail(f, n, RPC_EMISMATCH, "receipts: %zu receipts for %zu transactions", rs->n,
                    b->n_tx);
    uint8_t bloom[256], all[256] = {0};
    uint64_t pos = 0;
    for (size_t i = 0; i < rs->n; i++) {
        const rpc_receipt *r = &rs->v[i];
        if (!same32(&r->tx_hash, &b->tx_hashes[i]) || r->tx_index != i)
            return fail(f, n, RPC_EMISMATCH, "receipt %zu: of transaction %s (index %llu), the "
                        "block has %s there", i, hshort(r->tx_hash.b).s,
                        (unsigned long long)r->tx_index, hshort(b->tx_hashes[i].b).s);
        if (!same32(&r->block_hash, &b->hash) || r->block_number != n)
            return fail(f, n, RPC_EMISMATCH, "receipt %zu: of block %s, not of %s", i,
                        hshort(r->block_hash.b).s, hshort(b->hash.b).s);
        for (size_t j = 0; j < r->logs.n; j++, pos++) {
            const rpc_log *l = &r->logs.v[j];
            if (l->log_index != pos || l->tx_index != i || l->removed)
                return fail(f, n, RPC_EMISMATCH,
                            "receipt %zu: log %zu is numbered %llu (tx %llu%s), its place "
                            "in the block is %llu", i, j, (unsigned long long)l->log_index,
                            (unsigned long long)l->tx_index, l->removed ? ", removed" : "",
                            (unsigned long long)pos);
        }
        rpc_receipt_bloom(bloom, r->logs.v, r->logs.n);
        if (memcmp(bloom, r->logs_bloom, 256))
            return fail(f, n, RPC_EMISMATCH, "receipt %zu: its logsBloom is not that of its "
                        "%zu logs", i, r->logs.n);
        for (size_t k = 0; k < 256; k++)
            all[k] |= bloom[k];
    }
    uint64_t gas = rs->n ? rs->v[rs->n - 1].cumulative_gas_used : 0;
    if (gas != b->gas_used)
        return fail(f, n, RPC_EMISMATCH, "receipts: cumulative gas %llu, the header's gasUsed "
                    "is %llu", (unsigned long long)gas, (unsigned long long)b->gas_used);
    if (memcmp(all, b->logs_bloom, 256))
        return fail(f, n, RPC_EMISMATCH, "logsBloom: the receipts' logs do not give the "
                    "header's bloom");
    rpc_hash32 root;
    int rc = rpc_receipts_root(&root, rs);
    if (rc)
        return fail(f, n, rc, "receipts root: %s", rpc_strerror(rc));
    if (!same32(&root, &b->receipts_root))
        return fail(f, n, RPC_EMISMATCH, "receiptsRoot: %zu receipts give %s, the header "
                    "says %s", rs->n, hshort(root.b).s, hshort(b->receipts_root.b).s);
    return RPC_OK;
}

int rpc_verify_txs(rpc_verify_fail *f, rpc_addr *senders, const rpc_block *b,
                   const rpc_bytes *raw, size_t n, const rpc_receipts *rs)
{
    assert(f && b && (raw || n == 0));
    ok(f);
    int rc = RPC_OK;
    uint64_t bn = b->number;
    const uint8_t **items = NULL;
    size_t *lens = NULL;
    if (senders)
        memset(senders, 0, b->n_tx * sizeof *senders);
    if (n != b->n_tx)
        return fail(f, bn, RPC_EMISMATCH, "transactions: %zu raw for %zu hashes", n, b->n_tx);
    if (n && (!(items = malloc(n * sizeof *items)) || !(lens = malloc(n * sizeof *lens)))) {
        rc = fail(f, bn, RPC_ENOMEM, "transactions: out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        rpc_tx tx;
        rpc_addr from;
        items[i] = raw[i].p;
        lens[i] = raw[i].n;
        if ((rc = rpc_tx_decode(&tx, raw[i].p, raw[i].n))) {
            rc = fail(f, bn, RPC_EMISMATCH, "tx %zu: its raw bytes do not decode (%s)", i,
                      rpc_strerror(rc));
            goto out;
        }
        if (!same32(&tx.hash, &b->tx_hashes[i])) {
            rc = fail(f, bn, RPC_EMISMATCH, "tx %zu: its raw bytes hash to %s, the block lists "
                      "%s", i, hshort(tx.hash.b).s, hshort(b->tx_hashes[i].b).s);
            goto out;
        }
        if ((rc = rpc_tx_sender(&from, &tx))) {
            rc = fail(f, bn, RPC_EMISMATCH, "tx %zu (%s): no sender recovers from its "
                      "signature (%s)", i, hshort(tx.hash.b).s, rpc_strerror(rc));
            goto out;
        }
        if (rs && i < rs->n && memcmp(from.b, rs->v[i].from.b, 20)) {
            char a[43], c[43];
            rpc_addr_format(a, &from);
            rpc_addr_format(c, &rs->v[i].from);
            rc = fail(f, bn, RPC_EMISMATCH, "tx %zu (%s): signed by %s, the node says from %s",
                      i, hshort(tx.hash.b).s, a, c);
            goto out;
        }
        if (senders)
            senders[i] = from;
    }
    rpc_hash32 root;
    if ((rc = rpc_trie_root_list(&root, items, lens, n))) {
        rc = fail(f, bn, rc, "transactions root: %s", rpc_strerror(rc));
        goto out;
    }
    if (!same32(&root, &b->transactions_root))
        rc = fail(f, bn, RPC_EMISMATCH, "transactionsRoot: %zu transactions give %s, the header "
                  "says %s", n, hshort(root.b).s, hshort(b->transactions_root.b).s);
out:
    if (rc && senders)
        memset(senders, 0, b->n_tx * sizeof *senders);
    free(items);
    free(lens);
    return rc;
}

/* The receipt log at block-wide index idx (receipts verified: index = place). */
static const rpc_log *log_at(const rpc_receipts *rs, uint64_t idx, size_t *tx)
{
    uint64_t base = 0;
    for (size_t i = 0; i < rs->n; i++) {
        if (idx - base < rs->v[i].logs.n) {
            *tx = i;
            return &rs->v[i].logs.v[idx - base];
        }
        base += rs->v[i].logs.n;
    }
    return NULL;
}

int rpc_verify_log(rpc_verify_fail *f, const rpc_block *b, const rpc_receipts *rs,
                   const rpc_log *l)
{
    assert(f && b && rs && l);
    ok(f);
    uint64_t bn = b->number;
    size_t tx = 0;
    const rpc_log *r = log_at(rs, l->log_index, &tx);
    if (l->block_number != bn || !same32(&l->block_hash, &b->hash))
        return fail(f, bn, RPC_EMISMATCH, "log %llu: of block %llu %s, not of this block %s",
                    (unsigned long long)l->log_index, (unsigned long long)l->block_number,
                    hshort(l->block_hash.b).s, hshort(b->hash.b).s);
    if (!r)
        return fail(f, bn, RPC_EMISMATCH, "log %llu: the block's receipts have no such log",
                    (unsigned long long)l->log_index);
    const char *what = NULL;
    if (l->tx_index != tx || !same32(&l->tx_hash, &rs->v[tx].tx_hash))
        what = "transaction";
    else if (memcmp(l->address.b, r->address.b, 20))
        what = "address";
    else if (l->n_topics != r->n_topics ||
             memcmp(l->topics, r->topics, l->n_topics * sizeof l->topics[0]))
        what = "topics";
    else if (l->data_len != r->data_len || (l->data_len && memcmp(l->data, r->data, l->data_len)))
        what = "data";
    else if (l->removed)
        what = "removed flag";
    if (what)
        return fail(f, bn, RPC_EMISMATCH, "log %llu (tx %zu): its %s differs from the "
                    "receipt's", (unsigned long long)l->log_index, tx, what);
    return RPC_OK;
}

static bool matches(const rpc_log_filter *flt, const rpc_log *l)
{
    bool hit = flt->n_addrs == 0;
    for (size_t i = 0; !hit && i < flt->n_addrs; i++)
        hit = !memcmp(flt->addrs[i].b, l->address.b, 20);
    for (unsigned t = 0; hit && t < 4; t++) {
        if (!flt->n_topics[t])
            continue;
        hit = false;
        for (size_t i = 0; !hit && t < l->n_topics && i < flt->n_topics[t]; i++)
            hit = same32(&flt->topics[t][i], &l->topics[t]);
    }
    return hit;
}

int rpc_verify_logs(rpc_verify_fail *f, const rpc_block *b, const rpc_receipts *rs,
                    const rpc_log_filter *filter, const rpc_logs *got)
{
    assert(f && b && rs && filter && got);
    ok(f);
    int rc;
    size_t first = 0, end; /* got's logs of this block: [first, end) */
    while (first < got->n && got->v[first].block_number < b->number)
        first++;
    for (end = first; end < got->n && got->v[end].block_number == b->number; end++)
        if ((rc = rpc_verify_log(f, b, rs, &got->v[end])))
            return rc;
    for (size_t i = first; i < end; i++)
        if (!matches(filter, &got->v[i]))
            return fail(f, b->number, RPC_EMISMATCH, "log %llu: eth_getLogs gave it, but it "
                        "does not match the filter", (unsigned long long)got->v[i].log_index);
    size_t k = first;
    for (size_t i = 0; i < rs->n; i++)
        for (size_t j = 0; j < rs->v[i].logs.n; j++) {
            const rpc_log *r = &rs->v[i].logs.v[j];
            if (!matches(filter, r))
                continue;
            while (k < end && got->v[k].log_index < r->log_index)
                k++;
            if (k == end || got->v[k].log_index != r->log_index) {
                char a[43];
                rpc_addr_format(a, &r->address);
                return fail(f, b->number, RPC_EMISMATCH, "log %llu (tx %zu, %s): it matches "
                            "the filter but eth_getLogs left it out",
                            (unsigned long long)r->log_index, i, a);
            }
        }
    return RPC_OK;
}

bool rpc_verify_bloom_may_match(const rpc_block *b, const rpc_log_filter *flt)
{
    assert(b && flt);
    bool hit = flt->n_addrs == 0;
    for (size_t i = 0; !hit && i < flt->n_addrs; i++)
        hit = rpc_bloom_has(b->logs_bloom, flt->addrs[i].b, 20);
    for (unsigned t = 0; hit && t < 4; t++) {
        if (!flt->n_topics[t])
            continue;
        hit = false;
        for (size_t i = 0; !hit && i < flt->n_topics[t]; i++)
            hit = rpc_bloom_has(b->logs_bloom, flt->topics[t][i].b, 32);
    }
    return hit;
}

int rpc_verify_sender(rpc_verify_fail *f, const rpc_block *b, const rpc_addr *senders,
                      uint64_t tx_index, const rpc_addr *from)
{
    assert(f && b && from && (senders || b->n_tx == 0));
    ok(f);
    if (tx_index >= b->n_tx)
        return fail(f, b->number, RPC_EMISMATCH, "tx %llu: the block has %zu transactions",
                    (unsigned long long)tx_index, b->n_tx);
    if (memcmp(senders[tx_index].b, from->b, 20)) {
        char a[43], c[43];
        rpc_addr_format(a, &senders[tx_index]);
        rpc_addr_format(c, from);
        return fail(f, b->number, RPC_EMISMATCH, "tx %llu: signed by %s, not by %s",
                    (unsigned long long)tx_index, a, c);
    }
    return RPC_OK;
}

/* ---- fetching ------------------------------------------------------------------------ */

void rpc_verify_data_free(rpc_verify_data *d)
{
    if (!d)
        return;
    if (d->raw_txs)
        for (size_t i = 0; i < d->block.n_tx; i++)
            rpc_bytes_free(&d->raw_txs[i]);
    free(d->raw_txs);
    free(d->senders);
    rpc_receipts_free(&d->receipts);
    rpc_block_free(&d->block);
    memset(d, 0, sizeof *d);
}

static void totals(const rpc_client *c, uint64_t *calls, uint64_t *trips)
{
    *calls = *trips = 0;
    for (size_t i = 0; i < rpc_client_endpoints(c); i++) {
        rpc_endpoint_stats s;
        rpc_client_stats(c, i, &s);
        *calls += s.calls;
        *trips += s.round_trips;
    }
}

int rpc_verify_add_receipts(rpc_batch *b, size_t *first, const rpc_block *hdr)
{
    assert(b && first && hdr);
    int rc = RPC_OK;
    *first = rpc_batch_size(b);
    for (size_t i = 0; i < hdr->n_tx && !rc; i++)
        rc = rpc_batch_add_receipt(b, NULL, &hdr->tx_hashes[i]);
    return rc;
}

int rpc_verify_take_receipts(rpc_batch *b, rpc_receipts *rs, size_t first, const rpc_block *hdr)
{
    assert(b && rs && hdr);
    int rc = RPC_OK;
    memset(rs, 0, sizeof *rs);
    if (hdr->n_tx && !(rs->v = calloc(hdr->n_tx, sizeof *rs->v)))
        return RPC_ENOMEM;
    for (size_t i = 0; i < hdr->n_tx && !rc; i++)
        if (!(rc = rpc_batch_take_receipt(b, first + i, &rs->v[i])))
            rs->n++;
    if (rc)
        rpc_receipts_free(rs);
    return rc;
}

int rpc_verify_add_raw_txs(rpc_batch *b, size_t *first, const rpc_block *hdr)
{
    assert(b && first && hdr);
    int rc = RPC_OK;
    *first = rpc_batch_size(b);
    for (size_t i = 0; i < hdr->n_tx && !rc; i++) {
        char params[72], h[67];
        rpc_hash32_format(h, &hdr->tx_hashes[i]);
        snprintf(params, sizeof params, "[\"%s\"]", h);
        rc = rpc_batch_add_raw(b, NULL, "eth_getRawTransactionByHash", params);
    }
    return rc;
}

int rpc_verify_take_raw_txs(rpc_batch *b, rpc_bytes **raw, size_t first, const rpc_block *hdr)
{
    assert(b && raw && hdr);
    int rc = RPC_OK;
    size_t n = hdr->n_tx;
    rpc_bytes *v = NULL;
    *raw = NULL;
    if (n && !(v = calloc(n, sizeof *v)))
        return RPC_ENOMEM;
    for (size_t i = 0; i < n && !rc; i++) {
        cJSON *j = NULL;
        if ((rc = rpc_batch_take_raw(b, first + i, &j)))
            break;
        if (cJSON_IsNull(j)) {
            rc = RPC_ENOTFOUND;
        } else if (!cJSON_IsString(j)) {
            rc = RPC_EJSON;
        } else {
            size_t sl = strlen(j->valuestring), cap = sl / 2;
            if (cap > RAW_TX_CAP)
                rc = RPC_ETOO_LARGE;
            else if (!(v[i].p = malloc(cap ? cap : 1)))
                rc = RPC_ENOMEM;
            else
                rc = rpc_hex_decode(v[i].p, cap, &v[i].n, j->valuestring, sl);
            if (rc == RPC_EHEX)
                rc = RPC_EJSON;
        }
        cJSON_Delete(j);
    }
    if (rc) {
        for (size_t i = 0; i < n; i++)
            rpc_bytes_free(&v[i]);
        free(v);
        return rc;
    }
    *raw = v;
    return RPC_OK;
}

/* One batch: the block's receipts (eth_getBlockReceipts when by_block, else one call per
 * transaction) and its raw transactions (when txs). *nomethod: eth_getBlockReceipts was
 * refused as unknown (the raw transactions are then taken all the same). */
static int fetch_batch(rpc_client *c, rpc_verify_data *d, bool receipts, bool by_block, bool txs,
                       bool *nomethod)
{
    rpc_batch *bt = NULL;
    size_t first_r = 0, first_t = 0;
    const char *what = "building the batch";
    *nomethod = false;
    int rc = rpc_batch_new(&bt);
    if (rc == RPC_OK && receipts)
        rc = by_block ? rpc_batch_add_block_receipts(bt, &first_r, d->block.number)
                      : rpc_verify_add_receipts(bt, &first_r, &d->block);
    if (rc == RPC_OK && txs)
        rc = rpc_verify_add_raw_txs(bt, &first_t, &d->block);
    if (rc == RPC_OK && rpc_batch_size(bt) && (what = "sending the batch") &&
        (rc = rpc_batch_send(c, bt)) == RPC_OK) {
        if (receipts && by_block) {
            what = "eth_getBlockReceipts";
            rc = rpc_batch_take_block_receipts(bt, first_r, &d->receipts);
            if (rc == RPC_ENOMETHOD) {
                *nomethod = true;
                rc = RPC_OK;
            }
        } else if (receipts) {
            what = "eth_getTransactionReceipt";
            rc = rpc_verify_take_receipts(bt, &d->receipts, first_r, &d->block);
        }
        if (rc == RPC_OK && txs && (what = "eth_getRawTransactionByHash"))
            rc = rpc_verify_take_raw_txs(bt, &d->raw_txs, first_t, &d->block);
    }
    if (rc)
        rpc_client_set_err(c, "%s: %s: %s",
                           rpc_client_endpoint_name(c, rpc_client_last_endpoint(c)), what,
                           rpc_strerror(rc));
    rpc_batch_free(bt);
    return rc;
}

int rpc_verify_fetch(rpc_client *c, rpc_verify_data *d, uint64_t block, unsigned what)
{
    assert(c && d && block < RPC_BLOCK_PENDING);
    uint64_t calls0, trips0, calls1, trips1;
    bool receipts = what & RPC_VERIFY_RECEIPTS, nomethod = false;
    memset(d, 0, sizeof *d);
    totals(c, &calls0, &trips0);
    int rc = rpc_eth_get_block(c, &d->block, block);
    if (rc == RPC_OK && (receipts || (what & RPC_VERIFY_TXS)))
        rc = fetch_batch(c, d, receipts, true, what & RPC_VERIFY_TXS, &nomethod);
    if (rc == RPC_OK && nomethod) { /* no eth_getBlockReceipts here: one call per transaction */
        d->receipts_one_by_one = true;
        rc = fetch_batch(c, d, true, false, false, &nomethod);
    }
    if (rc == RPC_OK && d->block.n_tx && !(d->senders = calloc(d->block.n_tx, sizeof(rpc_addr))))
        rc = RPC_ENOMEM;
    totals(c, &calls1, &trips1);
    if (rc) {
        rpc_verify_data_free(d);
        return rc;
    }
    d->calls = calls1 - calls0;
    d->round_trips = trips1 - trips0;
    for (size_t i = 0; i < d->receipts.n; i++)
        d->n_logs += d->receipts.v[i].logs.n;
    return RPC_OK;
}

int rpc_verify_block(rpc_client *c, rpc_verify_fail *f, rpc_verify_data *d, uint64_t block,
                     unsigned what)
{
    assert(c && f && d);
    ok(f);
    int rc = rpc_verify_fetch(c, d, block, what);
    if (rc) {
        f->block = block;
        snprintf(f->what, sizeof f->what, "fetching: %s", rpc_client_errmsg(c));
        goto named;
    }
    if ((rc = rpc_verify_header(f, &d->block, NULL)))
        goto named;
    if ((what & RPC_VERIFY_RECEIPTS) && (rc = rpc_verify_receipts(f, &d->block, &d->receipts)))
        goto named;
    if ((what & RPC_VERIFY_TXS) &&
        (rc = rpc_verify_txs(f, d->senders, &d->block, d->raw_txs, d->block.n_tx,
                             (what & RPC_VERIFY_RECEIPTS) ? &d->receipts : NULL)))
        goto named;
    return RPC_OK;
named:
    snprintf(f->endpoint, sizeof f->endpoint, "%s",
             rpc_client_endpoint_name(c, rpc_client_last_endpoint(c)));
    return rc;
}
