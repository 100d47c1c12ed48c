/* tests/rpc/test_verify_faults.c — rpc/verify.h against a lying node: a real anvil behind the
 * fault proxy (tests/rpc/prog_faultproxy.c), which alters one answer in flight. Each lie —
 * a log altered in the receipts or in eth_getLogs, a log dropped from eth_getLogs, a header
 * field changed, a wrong sender, an altered signature — is caught, and the failure names the
 * endpoint (redacted), the block and what disagreed. */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "rpc/addr.h"
#include "rpc/verify.h"
#include "tests/support/anvil.h"
#include "tests/support/faultproxy.h"

static wt_anvil A;
static wt_proxy P;
static rpc_client *C;
static uint64_t BLOCK; /* 3 transactions: emitter call (1 log), transfer, emitter call */
static rpc_addr EM;

/* The 12-byte LOG1(caller, calldata) contract of test_verify.c. */
#define DATA_EMITTER "0x600c600c600039600c6000f3366000600037333660" "00a100"

static void send(const char *from, const char *to, const char *data)
{
    char params[512], hash[80];
    snprintf(params, sizeof params,
             "[{\"from\":\"%s\",\"to\":\"%s\",\"data\":\"%s\",\"gas\":\"0x30000\"}]", from, to,
             data);
    cr_assert_eq(wt_anvil_rpc_str(&A, hash, sizeof hash, "eth_sendTransaction", params), 0);
}

static void setup(void)
{
    wt_anvil_opts o = {.no_mining = true};
    cr_assert_eq(wt_anvil_start(&A, &o), 0);
    char em[43];
    cr_assert_eq(wt_anvil_deploy(&A, wt_anvil_account[0], DATA_EMITTER, em), 0);
    cr_assert_eq(rpc_addr_parse(&EM, em, 42), RPC_OK);
    send(wt_anvil_account[1], em, "0xaabbcc");
    send(wt_anvil_account[2], wt_anvil_account[3], "0x");
    send(wt_anvil_account[3], em, "0xddeeff00");
    cr_assert_eq(wt_anvil_mine(&A, 1), 0);
    BLOCK = (uint64_t)wt_anvil_head(&A);
    cr_assert_eq(wt_proxy_start(&P, A.url), 0);
    rpc_client_opts co;
    rpc_client_opts_default(&co);
    co.max_retries = 0;
    const char *urls[1] = {P.url};
    cr_assert_eq(rpc_client_new(&C, &co, urls, 1), RPC_OK);
    uint64_t id; /* first contact checks the chain id: done here, not in a counted fetch */
    cr_assert_eq(rpc_eth_chain_id(C, &id), RPC_OK);
}

static void teardown(void)
{
    rpc_client_free(C);
    C = NULL;
    wt_proxy_stop(&P);
    wt_anvil_stop(&A);
}

TestSuite(verify_faults, .init = setup, .fini = teardown, .timeout = 60);

static void rule(const char *r) { cr_assert_geq(wt_proxy_rule(&P, r), 0, "rule %s", r); }

/* Run rpc_verify_block in full; expect a mismatch that names the proxy, BLOCK and needle. */
static void expect_caught(const char *needle)
{
    rpc_verify_fail f;
    rpc_verify_data d;
    int rc = rpc_verify_block(C, &f, &d, BLOCK, RPC_VERIFY_RECEIPTS | RPC_VERIFY_TXS);
    cr_expect_eq(rc, RPC_EMISMATCH, "rc %d: %s", rc, f.what);
    cr_expect(strstr(f.what, needle) != NULL, "\"%s\" should say \"%s\"", f.what, needle);
    cr_expect_str_eq(f.endpoint, rpc_client_endpoint_name(C, 0));
    cr_expect_eq(f.block, BLOCK);
    rpc_verify_data_free(&d);
}

static void verified(rpc_verify_data *d)
{
    rpc_verify_fail f;
    cr_assert_eq(rpc_verify_block(C, &f, d, BLOCK, RPC_VERIFY_RECEIPTS | RPC_VERIFY_TXS), RPC_OK,
                 "%s", f.what);
}

Test(verify_faults, an_honest_answer_through_the_proxy_verifies)
{
    rpc_verify_data d;
    verified(&d);
    cr_expect_eq(d.block.n_tx, 3);
    cr_expect_eq(d.n_logs, 2);
    cr_expect_eq(d.calls, 2 + 3, "header, block receipts, three raw transactions");
    cr_expect_eq(d.round_trips, 2, "the header, then one batch of everything else");
    rpc_verify_data_free(&d);
}

Test(verify_faults, a_log_altered_in_the_receipts_fails_the_receipts_root)
{
    rule("edit method=eth_getBlockReceipts path=2.logs.0.data");
    expect_caught("receiptsRoot");
    cr_expect_eq(wt_proxy_stat(&P, "served.0"), 1);
}

Test(verify_faults, a_header_field_changed_fails_the_header_hash)
{
    rule("edit method=eth_getBlockByNumber path=stateRoot count=1");
    expect_caught("header hash");
    rule("edit method=eth_getBlockByNumber path=timestamp value=0x1 count=1");
    expect_caught("header hash");
}

Test(verify_faults, a_wrong_sender_in_the_receipts_is_named)
{
    rule("edit method=eth_getBlockReceipts path=1.from");
    expect_caught("the node says from");
}

Test(verify_faults, an_altered_signature_no_longer_hashes_to_the_listed_transaction)
{
    rule("edit method=eth_getRawTransactionByHash path=.");
    expect_caught("hash to");
}

static void logs_check(const char *r, const char *needle)
{
    rpc_verify_data d;
    verified(&d);
    rpc_log_filter flt = {.from_block = BLOCK, .to_block = BLOCK, .addrs = &EM, .n_addrs = 1};
    rule(r);
    rpc_logs got;
    cr_assert_eq(rpc_eth_get_logs(C, &got, &flt), RPC_OK, "%s", rpc_client_errmsg(C));
    rpc_verify_fail f;
    int rc = rpc_verify_logs(&f, &d.block, &d.receipts, &flt, &got);
    cr_expect_eq(rc, RPC_EMISMATCH, "%s", f.what);
    cr_expect(strstr(f.what, needle) != NULL, "\"%s\" should say \"%s\"", f.what, needle);
    cr_expect_eq(f.block, BLOCK);
    rpc_logs_free(&got);
    rpc_verify_data_free(&d);
}

Test(verify_faults, a_log_altered_in_eth_getlogs_is_named)
{
    logs_check("edit method=eth_getLogs path=1.data", "log 1 (tx 2): its data differs");
}

Test(verify_faults, a_log_dropped_from_eth_getlogs_is_named)
{
    logs_check("drop_item method=eth_getLogs path=0", "log 0 (tx 0");
}

Test(verify_faults, without_eth_getblockreceipts_receipts_come_one_by_one_in_one_batch)
{
    rule("no_method method=eth_getBlockReceipts");
    rpc_verify_data d;
    verified(&d);
    cr_expect(d.receipts_one_by_one);
    cr_expect_eq(d.receipts.n, 3);
    cr_expect_eq(d.calls, 2 + 3 + 3);
    cr_expect_eq(d.round_trips, 3, "the header, the batch refused eth_getBlockReceipts, "
                 "then one batch of receipts");
    rpc_verify_data_free(&d);
    rule("edit method=eth_getTransactionReceipt path=logs.0.data");
    expect_caught("receiptsRoot");
}
