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
        cr_expect_leq(d.round_trips, 3, "%llu round trips: block, receipts, one batch of raw transactions", (unsigned long long)d.round_trips);
        rpc_verify_data_free(&d);
    }
}
