/* tests/rpc/test_verify.c — rpc/verify.h on real anvil chains: every block of each fork era
 * anvil offers (london, shanghai, cancun, prague) is reproduced (header hash, transactions
 * and receipts roots, senders), blocks of 1, 2, 3 and 130 transactions give anvil's roots,
 * logs are checked against receipts and filters, and each kind of tampering is named. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "rpc/addr.h"
#include "rpc/header.h"
#include "rpc/hex.h"
#include "rpc/receipt.h"
#include "rpc/verify.h"
#include "tests/support/anvil.h"

static wt_anvil A;
static rpc_client *C;

static void stop(void)
{
    rpc_client_free(C);
    C = NULL;
    wt_anvil_stop(&A);
}

static void start(const char *hardfork, bool no_mining)
{
    wt_anvil_opts o = {.hardfork = hardfork, .no_mining = no_mining};
    cr_assert_eq(wt_anvil_start(&A, &o), 0);
    rpc_client_opts co;
    rpc_client_opts_default(&co);
    co.max_retries = 0;
    const char *urls[1] = {A.url};
    cr_assert_eq(rpc_client_new(&C, &co, urls, 1), RPC_OK);
    uint64_t id; /* first contact checks the chain id: done here, not in a counted fetch */
    cr_assert_eq(rpc_eth_chain_id(C, &id), RPC_OK);
}

/* A 12-byte contract whose every call emits LOG1(topic0 = the caller, data = the calldata):
 * runtime 36 6000 6000 37 33 36 6000 a1 00, behind an initcode that returns it (no PUSH0,
 * so it runs on London too). */
#define DATA_EMITTER "0x600c600c600039600c6000f3366000600037333660" "00a100"

/* Send one transaction without waiting for it; type is "legacy", "2930" or "1559". */
static void send_tx(const char *from, const char *to, const char *data, const char *type)
{
    char params[1024];
    const char *extra = !strcmp(type, "legacy") ? ",\"gasPrice\":\"0x2540be400\",\"type\":\"0x0\""
                        : !strcmp(type, "2930")
                            ? ",\"gasPrice\":\"0x2540be400\",\"type\":\"0x1\",\"accessList\":"
                              "[{\"address\":\"0x0000000000000000000000000000000000000001\","
                              "\"storageKeys\":[\"0x00000000000000000000000000000000000000000"
                              "00000000000000000000007\"]}]"
                            : "";
    int n = snprintf(params, sizeof params,
                     "[{\"from\":\"%s\"%s%s%s,\"data\":\"%s\",\"value\":\"0x1\",\"gas\":\"0x30000\"%s}]",
                     from, to ? ",\"to\":\"" : "", to ? to : "", to ? "\"" : "", data, extra);
    cr_assert(n > 0 && (size_t)n < sizeof params);
    char hash[80];
    cr_assert_eq(wt_anvil_rpc_str(&A, hash, sizeof hash, "eth_sendTransaction", params), 0,
                 "eth_sendTransaction %s", params);
}

static void deploy_emitter(char addr[43])
{
    cr_assert_eq(wt_anvil_deploy(&A, wt_anvil_account[0], DATA_EMITTER, addr), 0);
}

/* Verify every block 0..head in full; returns the transactions and logs seen. */
static void verify_all(const char *era, size_t *txs, size_t *logs)
{
    int64_t head = wt_anvil_head(&A);
    cr_assert_geq(head, 1);
    *txs = *logs = 0;
    /* From block 1: anvil gives its genesis of a pre-Cancun chain blob gas fields without a
     * parent beacon root, a set of no fork, which rpc_header refuses (RPC_EFORK). */
    for (uint64_t n = 1; n <= (uint64_t)head; n++) {
        rpc_verify_fail f;
        rpc_verify_data d;
        int rc = rpc_verify_block(C, &f, &d, n, RPC_VERIFY_RECEIPTS | RPC_VERIFY_TXS);
        cr_assert_eq(rc, RPC_OK, "%s block %llu: %s: %s (%s)", era, (unsigned long long)n,
                     rpc_strerror(rc), f.what, f.endpoint);
        cr_expect_str_eq(rpc_header_era(&d.block), era, "block %llu", (unsigned long long)n);
        for (size_t i = 0; i < d.block.n_tx; i++) {
            cr_expect_eq(memcmp(d.senders[i].b, d.receipts.v[i].from.b, 20), 0);
            rpc_verify_fail g;
            cr_expect_eq(rpc_verify_sender(&g, &d.block, d.senders, i, &d.receipts.v[i].from),
                         RPC_OK);
        }
        *txs += d.block.n_tx;
        *logs += d.n_logs;
        rpc_verify_data_free(&d);
    }
}

/* Transactions of types 0, 1 and 2, a contract creation, calls that log, a failed call. */
static void era_traffic(void)
{
    char em[43];
    deploy_emitter(em);
    const char *types[] = {"legacy", "2930", "1559"};
    for (int i = 0; i < 9; i++)
        send_tx(wt_anvil_account[i % 3], i % 2 ? em : wt_anvil_account[5], i % 2 ? "0xbeef" : "0x",
                types[i % 3]);
    /* a call that reverts (to the zero-size code at 0x..01 is fine; use an INVALID opcode) */
    char bad[43];
    cr_assert_eq(wt_anvil_deploy(&A, wt_anvil_account[0], "0x6001600c60003960016000f3fe", bad), 0);
    char params[256];
    snprintf(params, sizeof params,
             "[{\"from\":\"%s\",\"to\":\"%s\",\"gas\":\"0x10000\"}]", wt_anvil_account[1], bad);
    char hash[80];
    cr_assert_eq(wt_anvil_rpc_str(&A, hash, sizeof hash, "eth_sendTransaction", params), 0);
    cr_assert_eq(wt_anvil_mine(&A, 1), 0);
}

static void era_case(const char *era)
{
    start(era, false);
    era_traffic();
    size_t txs, logs;
    verify_all(era, &txs, &logs);
    cr_expect_geq(txs, 12);
    cr_expect_geq(logs, 4);
}

Test(verify, every_london_block_of_anvil_verifies, .fini = stop) { era_case("london"); }
Test(verify, every_shanghai_block_of_anvil_verifies, .fini = stop) { era_case("shanghai"); }
Test(verify, every_cancun_block_of_anvil_verifies, .fini = stop) { era_case("cancun"); }
Test(verify, every_prague_block_of_anvil_verifies, .fini = stop) { era_case("prague"); }

/* One block each of 1, 2, 3 and 130 transactions (130 > 127: two-byte RLP keys, a deeper
 * branch), half of them logging: the roots computed here equal anvil's. Legacy transactions
 * come from a sender of their own: anvil drops most of a pending block whose senders mix
 * legacy and EIP-1559 transactions. */
Test(verify, blocks_of_1_2_3_and_130_transactions_give_anvils_roots, .fini = stop)
{
    start(NULL, true);
    char em[43];
    deploy_emitter(em);
    static const unsigned sizes[] = {1, 2, 3, 130};
    for (size_t s = 0; s < 4; s++) {
        for (unsigned i = 0; i < sizes[s]; i++)
            send_tx(wt_anvil_account[i % 3 == 0 ? 4 : i % 4], i % 2 ? em : wt_anvil_account[7],
                    "0x0102", i % 3 == 0 ? "legacy" : "1559");
        cr_assert_eq(wt_anvil_mine(&A, 1), 0);
        rpc_verify_fail f;
        rpc_verify_data d;
        uint64_t head = (uint64_t)wt_anvil_head(&A);
        int rc = rpc_verify_block(C, &f, &d, head, RPC_VERIFY_RECEIPTS | RPC_VERIFY_TXS);
        cr_assert_eq(rc, RPC_OK, "%u txs: %s", sizes[s], f.what);
        cr_expect_eq(d.block.n_tx, sizes[s], "%zu txs in the block, %u sent", d.block.n_tx, sizes[s]);
        cr_expect_eq(d.n_logs, sizes[s] / 2, "%zu logs", d.n_logs);
        cr_expect_eq(d.round_trips, 2, "%llu round trips: the header, then one batch",
                     (unsigned long long)d.round_trips);
        cr_expect_eq(d.calls, 2 + sizes[s], "%llu calls", (unsigned long long)d.calls);
        rpc_verify_data_free(&d);
    }
}

/* ---- tampering, in memory: each check names what disagreed ---------------------------- */

/* A block with 3 transactions, two of them calls to the emitter (one log each, with data),
 * fetched in full and verified; *em is the emitter. */
static void logging_block(rpc_verify_data *d, rpc_addr *em)
{
    start(NULL, true);
    char ems[43];
    deploy_emitter(ems);
    cr_assert_eq(rpc_addr_parse(em, ems, 42), RPC_OK);
    send_tx(wt_anvil_account[1], ems, "0xaabbcc", "1559");
    send_tx(wt_anvil_account[2], wt_anvil_account[3], "0x", "1559");
    send_tx(wt_anvil_account[3], ems, "0xddeeff00", "1559");
    cr_assert_eq(wt_anvil_mine(&A, 1), 0);
    rpc_verify_fail f;
    cr_assert_eq(rpc_verify_block(C, &f, d, (uint64_t)wt_anvil_head(&A),
                                  RPC_VERIFY_RECEIPTS | RPC_VERIFY_TXS),
                 RPC_OK, "%s", f.what);
    cr_assert_eq(d->n_logs, 2);
}

/* The logging block, a filter on its emitter (*em must outlive *flt) and that filter's
 * eth_getLogs answer. */
static void logged(rpc_verify_data *d, rpc_addr *em, rpc_log_filter *flt, rpc_logs *got)
{
    logging_block(d, em);
    rpc_log_filter f = {.from_block = d->block.number, .to_block = d->block.number,
                        .addrs = em, .n_addrs = 1};
    *flt = f;
    cr_assert_eq(rpc_eth_get_logs(C, got, flt), RPC_OK, "%s", rpc_client_errmsg(C));
}

static void expect_fail(int rc, const rpc_verify_fail *f, const char *needle)
{
    cr_expect_eq(rc, RPC_EMISMATCH, "rc %d (%s)", rc, f->what);
    cr_expect(strstr(f->what, needle) != NULL, "\"%s\" should say \"%s\"", f->what, needle);
}

Test(verify, the_logs_eth_getlogs_gave_agree_with_the_receipts, .fini = stop)
{
    rpc_verify_data d;
    rpc_addr em;
    rpc_log_filter flt;
    rpc_logs got;
    logged(&d, &em, &flt, &got);
    cr_assert_eq(got.n, 2);
    rpc_verify_fail f;
    cr_expect_eq(rpc_verify_logs(&f, &d.block, &d.receipts, &flt, &got), RPC_OK, "%s", f.what);
    for (size_t i = 0; i < got.n; i++)
        cr_expect_eq(rpc_verify_log(&f, &d.block, &d.receipts, &got.v[i]), RPC_OK, "%s", f.what);
    /* A filter on a topic no log has: an empty answer is complete. */
    rpc_hash32 nothing = {{1}};
    const rpc_hash32 *tl = &nothing;
    rpc_log_filter none = flt;
    none.topics[0] = tl;
    none.n_topics[0] = 1;
    rpc_logs empty = {0};
    cr_expect_eq(rpc_verify_logs(&f, &d.block, &d.receipts, &none, &empty), RPC_OK, "%s", f.what);
    rpc_logs_free(&got);
    rpc_verify_data_free(&d);
}

Test(verify, a_log_left_out_of_eth_getlogs_is_named, .fini = stop)
{
    rpc_verify_data d;
    rpc_addr em;
    rpc_log_filter flt;
    rpc_logs got;
    logged(&d, &em, &flt, &got);
    rpc_logs shorter = {got.v + 1, got.n - 1}; /* the first log dropped */
    rpc_verify_fail f;
    int rc = rpc_verify_logs(&f, &d.block, &d.receipts, &flt, &shorter);
    expect_fail(rc, &f, "left it out");
    cr_expect(strstr(f.what, "log 0") != NULL, "%s", f.what);
    cr_expect_eq(f.block, d.block.number);
    rpc_logs_free(&got);
    rpc_verify_data_free(&d);
}

Test(verify, a_log_altered_in_eth_getlogs_is_named_by_field, .fini = stop)
{
    rpc_verify_data d;
    rpc_addr em;
    rpc_log_filter flt;
    rpc_logs got;
    logged(&d, &em, &flt, &got);
    rpc_verify_fail f;
    got.v[1].data[0] ^= 1;
    expect_fail(rpc_verify_logs(&f, &d.block, &d.receipts, &flt, &got), &f, "data differs");
    got.v[1].data[0] ^= 1;
    got.v[1].topics[0].b[31] ^= 1;
    expect_fail(rpc_verify_log(&f, &d.block, &d.receipts, &got.v[1]), &f, "topics differs");
    got.v[1].topics[0].b[31] ^= 1;
    got.v[1].log_index = 0; /* claims another log's place */
    expect_fail(rpc_verify_log(&f, &d.block, &d.receipts, &got.v[1]), &f, "differs");
    got.v[1].log_index = 7; /* a place the block does not have */
    expect_fail(rpc_verify_log(&f, &d.block, &d.receipts, &got.v[1]), &f, "no such log");
    rpc_logs_free(&got);
    rpc_verify_data_free(&d);
}

Test(verify, altered_receipts_fail_the_receipts_root_or_the_bloom, .fini = stop)
{
    rpc_verify_data d;
    rpc_addr em;
    logging_block(&d, &em);
    rpc_verify_fail f;
    rpc_log *l = &d.receipts.v[2].logs.v[0];
    l->data[1] ^= 0x80; /* data is not in the bloom: only the root catches it */
    expect_fail(rpc_verify_receipts(&f, &d.block, &d.receipts), &f, "receiptsRoot");
    l->data[1] ^= 0x80;
    l->address.b[0] ^= 1;
    expect_fail(rpc_verify_receipts(&f, &d.block, &d.receipts), &f, "logsBloom");
    l->address.b[0] ^= 1;
    d.receipts.v[1].status ^= 1;
    expect_fail(rpc_verify_receipts(&f, &d.block, &d.receipts), &f, "receiptsRoot");
    d.receipts.v[1].status ^= 1;
    d.receipts.n--; /* a receipt missing */
    expect_fail(rpc_verify_receipts(&f, &d.block, &d.receipts), &f, "2 receipts for 3");
    d.receipts.n++;
    cr_expect_eq(rpc_verify_receipts(&f, &d.block, &d.receipts), RPC_OK, "restored: %s", f.what);
    rpc_verify_data_free(&d);
}

Test(verify, a_changed_header_field_or_a_broken_parent_link_is_named, .fini = stop)
{
    rpc_verify_data d;
    rpc_addr em;
    logging_block(&d, &em);
    rpc_verify_fail f;
    d.block.timestamp++;
    expect_fail(rpc_verify_header(&f, &d.block, NULL), &f, "header hash");
    d.block.timestamp--;
    d.block.receipts_root.b[5] ^= 1;
    expect_fail(rpc_verify_header(&f, &d.block, NULL), &f, "header hash");
    d.block.receipts_root.b[5] ^= 1;
    rpc_block parent;
    cr_assert_eq(rpc_eth_get_block(C, &parent, d.block.number - 1), RPC_OK);
    cr_expect_eq(rpc_verify_header(&f, &parent, &d.block), RPC_OK, "%s", f.what);
    d.block.parent_hash.b[0] ^= 1;
    expect_fail(rpc_verify_header(&f, &parent, &d.block), &f, "parent hash");
    rpc_block_free(&parent);
    rpc_verify_data_free(&d);
}

Test(verify, a_wrong_sender_or_an_altered_signature_is_named, .fini = stop)
{
    rpc_verify_data d;
    rpc_addr em;
    logging_block(&d, &em);
    rpc_verify_fail f;
    rpc_addr claimed = d.receipts.v[0].from;
    cr_expect_eq(rpc_verify_sender(&f, &d.block, d.senders, 0, &claimed), RPC_OK);
    claimed.b[19] ^= 1;
    expect_fail(rpc_verify_sender(&f, &d.block, d.senders, 0, &claimed), &f, "signed by");
    expect_fail(rpc_verify_sender(&f, &d.block, d.senders, 3, &claimed), &f, "3 transactions");
    /* the node's "from" is not what the signature says */
    d.receipts.v[1].from.b[0] ^= 1;
    expect_fail(rpc_verify_txs(&f, d.senders, &d.block, d.raw_txs, d.block.n_tx, &d.receipts),
                &f, "the node says from");
    d.receipts.v[1].from.b[0] ^= 1;
    /* a byte of s changed: the bytes no longer hash to the transaction the block lists */
    rpc_bytes *raw = &d.raw_txs[2];
    raw->p[raw->n - 1] ^= 1;
    expect_fail(rpc_verify_txs(&f, d.senders, &d.block, d.raw_txs, d.block.n_tx, &d.receipts),
                &f, "hash to");
    cr_expect_eq(d.senders[0].b[0] | d.senders[0].b[1], 0, "senders zeroed on error");
    raw->p[raw->n - 1] ^= 1;
    cr_expect_eq(rpc_verify_txs(&f, d.senders, &d.block, d.raw_txs, d.block.n_tx, &d.receipts),
                 RPC_OK, "restored: %s", f.what);
    rpc_verify_data_free(&d);
}

Test(verify, the_header_bloom_admits_the_filters_of_its_logs_and_rules_out_others, .fini = stop)
{
    rpc_verify_data d;
    rpc_addr em;
    logging_block(&d, &em);
    rpc_log_filter flt = {.addrs = &em, .n_addrs = 1};
    cr_expect(rpc_verify_bloom_may_match(&d.block, &flt));
    rpc_hash32 caller = {{0}}; /* topic0 of the emitter's logs: the caller, left-padded */
    memcpy(caller.b + 12, d.receipts.v[0].from.b, 20);
    const rpc_hash32 *tl = &caller;
    flt.topics[0] = tl;
    flt.n_topics[0] = 1;
    cr_expect(rpc_verify_bloom_may_match(&d.block, &flt));
    rpc_addr other = em;
    other.b[0] ^= 0x55; /* checked below to be a true negative of this bloom */
    cr_assert(!rpc_bloom_has(d.block.logs_bloom, other.b, 20));
    rpc_log_filter nope = {.addrs = &other, .n_addrs = 1};
    cr_expect(!rpc_verify_bloom_may_match(&d.block, &nope));
    rpc_hash32 t = caller;
    t.b[31] ^= 0x55;
    if (!rpc_bloom_has(d.block.logs_bloom, t.b, 32)) {
        flt.topics[0] = &t;
        cr_expect(!rpc_verify_bloom_may_match(&d.block, &flt), "the address hits, the topic not");
    }
    rpc_verify_data_free(&d);
}
