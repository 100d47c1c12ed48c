/* tests/rpc/test_client_multicall.c — Multicall3 aggregate3 (rpc/multicall.c) on a real
 * anvil with viem's Multicall3 installed at the canonical address: mixed successes and
 * failures, balances against eth_getBalance, splitting under both caps in one request. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "rpc/addr.h"
#include "rpc/client.h"
#include "rpc/multicall.h"
#include "rpc/u256.h"
#include "tests/support/anvil.h"

static wt_anvil A;
static rpc_client *C;

static void stop(void)
{
    rpc_client_free(C);
    C = NULL;
    wt_anvil_stop(&A);
}

static void start(bool multicall)
{
    cr_assert_eq(wt_anvil_start(&A, NULL), 0);
    if (multicall)
        cr_assert_eq(wt_anvil_install_multicall3(&A), 0);
    rpc_client_opts o;
    rpc_client_opts_default(&o);
    o.chain_id = 31337;
    const char *urls[1] = {A.url};
    cr_assert_eq(rpc_client_new(&C, &o, urls, 1), RPC_OK);
}

static rpc_addr addr_of(const char *hex)
{
    rpc_addr a;
    cr_assert_eq(rpc_addr_parse(&a, hex, strlen(hex)), RPC_OK);
    return a;
}

/* Runtime code: PUSH32 w, PUSH1 0, MSTORE, PUSH1 32, PUSH1 0, RETURN (f3) or REVERT (fd). */
static void set_word_contract(const char *addr, const char *word64, bool revert)
{
    char p[300];
    snprintf(p, sizeof p, "[\"%s\",\"0x7f%s60005260206000%s\"]", addr, word64,
             revert ? "fd" : "f3");
    cr_assert_eq(wt_anvil_rpc_ok(&A, "anvil_setCode", p), 0);
}

static const char W1[] = "1111111111111111111111111111111111111111111111111111111111111111";
static const char W2[] = "2222222222222222222222222222222222222222222222222222222222222222";

Test(client_multicall, the_canonical_address_is_multicall3)
{
    rpc_addr want = addr_of("0xcA11bde05977b3631167028862bE2a173976CA11");
    cr_assert_eq(memcmp(&rpc_multicall3_addr, &want, 20), 0);
}

Test(client_multicall, aggregate3_reports_each_success_and_failure_in_order, .fini = stop)
{
    start(true);
    set_word_contract("0x00000000000000000000000000000000000000c1", W1, false);
    set_word_contract("0x00000000000000000000000000000000000000c2", W2, true);
    cr_assert_eq(wt_anvil_mine(&A, 1), 0);
    rpc_addr ok = addr_of("0x00000000000000000000000000000000000000c1");
    rpc_addr bad = addr_of("0x00000000000000000000000000000000000000c2");
    uint8_t bal[36] = {0x4d, 0x23, 0x01, 0xcc};
    rpc_addr acct = addr_of(wt_anvil_account[0]);
    memcpy(bal + 16, acct.b, 20);
    uint8_t odd[5] = {9, 8, 7, 6, 5}; /* calldata not a multiple of 32 bytes */
    rpc_mcall calls[4] = {
        {ok, true, NULL, 0},
        {bad, true, odd, 5},
        {rpc_multicall3_addr, false, bal, 36},
        {ok, false, odd, 5},
    };
    rpc_mresults r;
    cr_assert_eq(rpc_multicall(C, &r, RPC_BLOCK_LATEST, calls, 4, NULL), RPC_OK, "%s",
                 rpc_client_errmsg(C));
    cr_assert_eq(r.n, 4);
    cr_assert(r.v[0].success);
    cr_assert_eq(r.v[0].len, 32);
    cr_assert_eq(r.v[0].data[0], 0x11);
    cr_assert_not(r.v[1].success);
    cr_assert_eq(r.v[1].len, 32, "the revert data comes back");
    cr_assert_eq(r.v[1].data[31], 0x22);
    cr_assert(r.v[2].success);
    rpc_u256 viamc, direct;
    rpc_u256_from_be32(&viamc, r.v[2].data);
    cr_assert_eq(rpc_eth_get_balance(C, &direct, &acct, RPC_BLOCK_LATEST), RPC_OK);
    cr_assert_eq(rpc_u256_cmp(&viamc, &direct), 0);
    cr_assert(r.v[3].success);
    rpc_mresults_free(&r);
}

Test(client_multicall, a_failure_not_allowed_reverts_the_whole_multicall, .fini = stop)
{
    start(true);
    set_word_contract("0x00000000000000000000000000000000000000c1", W1, false);
    set_word_contract("0x00000000000000000000000000000000000000c2", W2, true);
    cr_assert_eq(wt_anvil_mine(&A, 1), 0);
    rpc_mcall calls[2] = {
        {addr_of("0x00000000000000000000000000000000000000c1"), true, NULL, 0},
        {addr_of("0x00000000000000000000000000000000000000c2"), false, NULL, 0},
    };
    rpc_mresults r;
    cr_assert_eq(rpc_multicall(C, &r, RPC_BLOCK_LATEST, calls, 2, NULL), RPC_EREVERT);
    cr_assert_eq(r.n, 0);
    cr_assert_null(r.v);
    size_t n;
    rpc_client_revert_data(C, &n);
    cr_assert_gt(n, 0, "Multicall3's own revert reason is kept");
}

Test(client_multicall, balances_match_eth_get_balance_and_split_pieces_share_one_request,
     .fini = stop)
{
    start(true);
    enum { N = 50 };
    rpc_addr addrs[N];
    for (unsigned i = 0; i < N; i++) {
        char a[43], p[128];
        snprintf(a, sizeof a, "0x%040x", 0x1000 + i);
        addrs[i] = addr_of(a);
        snprintf(p, sizeof p, "[\"%s\",\"0x%x\"]", a, (i * 7919u) % 1000u); /* some are 0 */
        cr_assert_eq(wt_anvil_rpc_ok(&A, "anvil_setBalance", p), 0);
    }
    cr_assert_eq(wt_anvil_mine(&A, 1), 0);
    uint64_t head;
    cr_assert_eq(rpc_eth_block_number(C, &head), RPC_OK);
    rpc_endpoint_stats s0, s1;
    rpc_client_stats(C, 0, &s0);
    rpc_multicall_opts o;
    rpc_multicall_opts_default(&o);
    o.max_calls = 7; /* 8 eth_calls */
    rpc_u256 wei[N];
    cr_assert_eq(rpc_multicall_balances(C, wei, head, addrs, N, &o), RPC_OK, "%s",
                 rpc_client_errmsg(C));
    rpc_client_stats(C, 0, &s1);
    cr_assert_eq(s1.round_trips - s0.round_trips, 1, "the pieces go in one batch");
    cr_assert_eq(s1.calls - s0.calls, 8, "50 calls in pieces of 7");
    for (unsigned i = 0; i < N; i++) {
        rpc_u256 direct;
        cr_assert_eq(rpc_eth_get_balance(C, &direct, &addrs[i], head), RPC_OK);
        cr_assert_eq(rpc_u256_cmp(&wei[i], &direct), 0, "balance %u differs", i);
        cr_assert_eq(wei[i].w[0], (i * 7919u) % 1000u);
    }

    /* a calldata cap of ~4 calls per piece (each getEthBalance tuple is 32 + 192 bytes) */
    rpc_multicall_opts_default(&o);
    o.max_calldata = 68 + 4 * 224;
    rpc_client_stats(C, 0, &s0);
    rpc_u256 wei2[N];
    cr_assert_eq(rpc_multicall_balances(C, wei2, head, addrs, N, &o), RPC_OK);
    rpc_client_stats(C, 0, &s1);
    cr_assert_eq(s1.calls - s0.calls, 13, "ceil(50 / 4) pieces");
    cr_assert_eq(memcmp(wei, wei2, sizeof wei), 0);
}

Test(client_multicall, without_multicall3_the_answer_is_refused_as_malformed, .fini = stop)
{
    start(false);
    rpc_addr a = addr_of(wt_anvil_account[1]);
    rpc_u256 wei = {{1, 2, 3, 4}};
    cr_assert_eq(rpc_multicall_balances(C, &wei, RPC_BLOCK_LATEST, &a, 1, NULL), RPC_EABI);
    cr_assert(rpc_u256_is_zero(&wei), "out-param zeroed on error");
    cr_assert(strstr(rpc_client_errmsg(C), "multicall"), "%s", rpc_client_errmsg(C));
}

Test(client_multicall, a_piece_refused_for_gas_is_split_until_it_fits, .fini = stop)
{
    start(true);
    /* eth_call gets at most the block gas limit: ~196k gas, far less than 300 reads need */
    cr_assert_eq(wt_anvil_rpc_ok(&A, "anvil_setBlockGasLimit", "[\"0x30000\"]"), 0);
    cr_assert_eq(wt_anvil_mine(&A, 1), 0);
    enum { N = 300 };
    rpc_addr addrs[N];
    memset(addrs, 0, sizeof addrs);
    for (unsigned i = 0; i < N; i++) {
        addrs[i].b[18] = (uint8_t)(i >> 8);
        addrs[i].b[19] = (uint8_t)i;
    }
    addrs[7] = addr_of(wt_anvil_account[3]);
    rpc_u256 wei[N];
    cr_assert_eq(rpc_multicall_balances(C, wei, RPC_BLOCK_LATEST, addrs, N, NULL), RPC_OK, "%s",
                 rpc_client_errmsg(C));
    rpc_endpoint_stats s;
    rpc_client_stats(C, 0, &s);
    cr_assert_gt(s.err_node, 0, "the whole piece was refused first");
    cr_assert_gt(s.calls, 3, "then sent in smaller pieces");
    rpc_u256 direct;
    cr_assert_eq(rpc_eth_get_balance(C, &direct, &addrs[7], RPC_BLOCK_LATEST), RPC_OK);
    cr_assert_eq(rpc_u256_cmp(&wei[7], &direct), 0);
    cr_assert_not(rpc_u256_is_zero(&wei[7]));
}
