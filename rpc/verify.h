/* rpc/verify.h — checking a node's answers against the chain's own commitments: a header
 * against its hash and its child's parent hash; receipts against the header's receiptsRoot
 * and logsBloom; raw transactions against transactionsRoot, their hashes and their senders
 * (ecrecover); the logs an eth_getLogs gave against the receipts (none altered, none left
 * out). A disagreement is RPC_EMISMATCH with an rpc_verify_fail saying what disagreed.
 *
 * The checks (rpc_verify_header ... rpc_verify_logs) are pure: they take answers fetched in
 * any way (a batch of the tracker's, a recording). rpc_verify_fetch gets everything for
 * one block through an rpc_client; rpc_verify_block fetches and checks all of it.
 * Thread safety: pure checks from any thread; the fetching calls follow rpc_client's rule. */
#ifndef WT_RPC_VERIFY_H
#define WT_RPC_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rpc/client.h"
#include "rpc/err.h"
#include "rpc/types.h"

/* Why a check failed. */
typedef struct rpc_verify_fail {
    uint64_t block;     /* the block checked */
    char endpoint[200]; /* redacted name of the endpoint that answered; "" when unknown */
    char what[400];     /* what disagreed, e.g. "receiptsRoot: receipts give 0x12.., header
                           says 0x34.." */
} rpc_verify_fail;

/* rpc_verify_header: recompute b's hash from its fields and compare with b->hash; when next
 *   is given, check that it is b's child (number + 1, parentHash == b->hash).
 * Returns: RPC_OK; RPC_EMISMATCH (*f says which); RPC_EFORK (b's fields belong to no fork);
 *          RPC_ENOMEM.
 * Out:     *f filled on any error (block and what), zeroed on RPC_OK.
 * In:      b, next (may be NULL): headers from rpc_eth_get_block. */
RPC_WUR int rpc_verify_header(rpc_verify_fail *f, const rpc_block *b, const rpc_block *next);

/* rpc_verify_receipts: check rs against b: one receipt per transaction, in order, for the
 *   same transaction hashes and block hash; each receipt's bloom is that of its logs; the
 *   header's logsBloom is their union and its gasUsed the last cumulative gas; the logs
 *   are numbered 0, 1, ... across the block with their receipt's tx index; and the
 *   receipts trie root equals b->receipts_root.
 * Returns: RPC_OK; RPC_EMISMATCH; RPC_ETOO_LARGE; RPC_ENOMEM.
 * Out:     *f as for rpc_verify_header.
 * In:      b: a header that passed rpc_verify_header; rs: the block's receipts. */
RPC_WUR int rpc_verify_receipts(rpc_verify_fail *f, const rpc_block *b, const rpc_receipts *rs);

/* rpc_verify_txs: check a block's raw transactions: each decodes (rpc/tx.h), hashes to
 *   b->tx_hashes[i], their trie root equals b->transactions_root, and each sender is
 *   recovered; when rs is given, each sender must equal the node's receipts[i].from.
 * Returns: RPC_OK; RPC_EMISMATCH (also for a transaction that does not decode or whose
 *          signature recovers no key); RPC_ENOMEM.
 * Out:     *f as for rpc_verify_header; senders[0..b->n_tx) the recovered senders (the
 *          caller's array, may be NULL), zeroed on error.
 * In:      raw[0..n): the signed transactions in block order; rs may be NULL. */
RPC_WUR int rpc_verify_txs(rpc_verify_fail *f, rpc_addr *senders, const rpc_block *b,
                           const rpc_bytes *raw, size_t n, const rpc_receipts *rs);

/* rpc_verify_log: check one log a tracker used against verified receipts: it is the
 *   receipts' log at its log index, with the same transaction (hash and index), block
 *   hash, address, topics and data.
 * Returns: RPC_OK; RPC_EMISMATCH. Out: *f as for rpc_verify_header.
 * In:      b, rs: passed rpc_verify_receipts; l: a log of block b->number. */
RPC_WUR int rpc_verify_log(rpc_verify_fail *f, const rpc_block *b, const rpc_receipts *rs,
                           const rpc_log *l);

/* rpc_verify_logs: check one eth_getLogs answer against block b's verified receipts: every
 *   log of block b in got passes rpc_verify_log, and every receipt log that matches filter
 *   (its address and topic OR-lists) is in got. Logs of other blocks in got are ignored,
 *   as is filter's block range.
 * Returns: RPC_OK; RPC_EMISMATCH ("log 7 (tx 3) matches the filter but eth_getLogs left it
 *          out", "log 2 ... data differs"). Out: *f as for rpc_verify_header.
 * In:      b, rs: passed rpc_verify_receipts; filter: the query got answers; got. */
RPC_WUR int rpc_verify_logs(rpc_verify_fail *f, const rpc_block *b, const rpc_receipts *rs,
                            const rpc_log_filter *filter, const rpc_logs *got);

/* rpc_verify_bloom_may_match: whether b's logsBloom admits a log matching filter (one of
 *   its addresses, and for each topic position with a list one of its topics). false means
 *   the block certainly has no such log, so an empty eth_getLogs answer for it is right
 *   without fetching its receipts; true means it may (blooms of busy blocks are nearly
 *   full, so expect true often). */
bool rpc_verify_bloom_may_match(const rpc_block *b, const rpc_log_filter *filter);

/* rpc_verify_sender: check that the node's claim "tx i was sent by from" agrees with the
 *   recovered senders (from rpc_verify_txs).
 * Returns: RPC_OK; RPC_EMISMATCH (also for i out of range). Out: *f. */
RPC_WUR int rpc_verify_sender(rpc_verify_fail *f, const rpc_block *b, const rpc_addr *senders,
                              uint64_t tx_index, const rpc_addr *from);

/* ---- fetching ------------------------------------------------------------------------ */

/* Everything fetched for one block; free with rpc_verify_data_free(). */
typedef struct rpc_verify_data {
    rpc_block block;
    rpc_receipts receipts;
    rpc_bytes *raw_txs;  /* block.n_tx of them, owned */
    rpc_addr *senders;   /* block.n_tx, filled by rpc_verify_block */
    size_t n_logs;       /* logs in the receipts */
    uint64_t calls;      /* JSON-RPC calls spent */
    uint64_t round_trips;/* HTTP requests spent */
    bool receipts_one_by_one; /* eth_getBlockReceipts was refused: one call per tx */
} rpc_verify_data;
void rpc_verify_data_free(rpc_verify_data *d);

/* What rpc_verify_fetch and rpc_verify_block cover beyond the header. */
enum {
    RPC_VERIFY_RECEIPTS = 1u << 0, /* receipts, receipts root, logs */
    RPC_VERIFY_TXS = 1u << 1,      /* raw transactions, transactions root, senders */
};

/* Fetching through a caller's batch (as the tracker does: several blocks in one round trip).
 * rpc_verify_add_receipts / rpc_verify_add_raw_txs: add one eth_getTransactionReceipt /
 *   eth_getRawTransactionByHash per transaction of hdr, in block order.
 * Returns: RPC_OK; an error of rpc_batch_add_*() (RPC_ENOMEM).
 * Out:     *first: the batch index of the first call added.
 * In:      hdr: the block's header (its tx_hashes); borrowed only during the call. */
RPC_WUR int rpc_verify_add_receipts(rpc_batch *b, size_t *first, const rpc_block *hdr);
RPC_WUR int rpc_verify_add_raw_txs(rpc_batch *b, size_t *first, const rpc_block *hdr);

/* rpc_verify_take_receipts / rpc_verify_take_raw_txs: take those answers, after
 *   rpc_batch_send.
 * Returns: RPC_OK; a call's error (RPC_ENOTFOUND for an unknown transaction, RPC_ENODE...);
 *          RPC_EJSON (a raw transaction that is not hex); RPC_ETOO_LARGE; RPC_ENOMEM.
 * Out:     *rs (rpc_receipts_free) / *raw, hdr->n_tx rpc_bytes the caller frees one by one
 *          with rpc_bytes_free() and then with free(); zeroed / NULL on error. */
RPC_WUR int rpc_verify_take_receipts(rpc_batch *b, rpc_receipts *rs, size_t first,
                                     const rpc_block *hdr);
RPC_WUR int rpc_verify_take_raw_txs(rpc_batch *b, rpc_bytes **raw, size_t first,
                                    const rpc_block *hdr);

/* rpc_verify_fetch: fetch block's header (eth_getBlockByNumber), then in one batch, as
 *   asked, its receipts (eth_getBlockReceipts) and its raw transactions
 *   (eth_getRawTransactionByHash per transaction): 2 round trips. A node without
 *   eth_getBlockReceipts costs a third: eth_getTransactionReceipt per transaction.
 * Returns: RPC_OK; any error of rpc_client_call() (message in rpc_client_errmsg(c));
 *          RPC_ENOTFOUND (no such block, or a transaction the node does not know).
 * Out:     *d (rpc_verify_data_free), zeroed on error.
 * In:      block: a number (not a tag); what: RPC_VERIFY_* bits. */
RPC_WUR int rpc_verify_fetch(rpc_client *c, rpc_verify_data *d, uint64_t block, unsigned what);

/* rpc_verify_block: rpc_verify_fetch, then every check of what was fetched: header,
 *   receipts, transactions and senders (against the receipts' from when both are asked).
 * Returns: RPC_OK; RPC_EMISMATCH, RPC_EFORK (with *f naming the endpoint that served);
 *          a fetching error (*f.what holds rpc_client_errmsg()).
 * Out:     *d as for rpc_verify_fetch, kept on RPC_EMISMATCH too (for a report), zeroed
 *          on other errors; *f zeroed on RPC_OK. */
RPC_WUR int rpc_verify_block(rpc_client *c, rpc_verify_fail *f, rpc_verify_data *d,
                             uint64_t block, unsigned what);

#endif
