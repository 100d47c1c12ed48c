/* tests/rpc/test_client_anvil.c — the test chain helper (tests/support/anvil.c) that every
 * end-to-end test stands on: start and stop by PID, mining modes, snapshots, reorgs,
 * contract deployment and Multicall3 at its canonical address. */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/anvil.h"

static wt_anvil A, B;

static void stop(void)
{
    wt_anvil_stop(&A);
    wt_anvil_stop(&B);
}

static char *str(wt_anvil *a, const char *method, const char *params)
{
    static char buf[4][256];
    static int k;
    char *s = buf[k++ % 4];
    cr_assert_eq(wt_anvil_rpc_str(a, s, 256, method, params), 0, "%s failed", method);
    return s;
}

Test(anvil, two_chains_start_on_their_own_ports_and_stop_by_pid, .fini = stop)
{
    cr_assert_eq(wt_anvil_start(&A, NULL), 0);
    cr_assert_eq(wt_anvil_start(&B, NULL), 0);
    cr_assert_neq(A.port, B.port);
    cr_assert_eq(wt_anvil_mine(&A, 3), 0);
    cr_assert_eq(wt_anvil_head(&A), 3);
    cr_assert_eq(wt_anvil_head(&B), 0, "B is another chain");
    pid_t pa = A.pid;
    wt_anvil_stop(&A);
    cr_assert_eq(A.pid, 0);
    cr_assert_eq(kill(pa, 0), -1, "the anvil process is gone");
    cr_assert_eq(errno, ESRCH);
    wt_anvil_stop(&A); /* idempotent */
    cr_assert_eq(wt_anvil_head(&B), 0, "B still runs");
}

Test(anvil, chain_id_and_no_mining_options_apply, .fini = stop)
{
    wt_anvil_opts o = {.no_mining = true, .chain_id = 8453};
    cr_assert_eq(wt_anvil_start(&A, &o), 0);
    cr_assert_str_eq(str(&A, "eth_chainId", NULL), "0x2105");
    char tx[67];
    /* without automine, send mines the block itself */
    cr_assert_eq(wt_anvil_send(&A, wt_anvil_account[0], wt_anvil_account[1], "0x5", NULL, tx,
                               NULL), 0);
    cr_assert_eq(wt_anvil_head(&A), 1);
    char q[128];
    snprintf(q, sizeof q, "[\"%s\",\"latest\"]", wt_anvil_account[1]);
    cr_assert_str_eq(str(&A, "eth_getBalance", q), "0x21e19e0c9bab2400005");
}

Test(anvil, snapshots_revert_and_reorgs_replace_blocks, .fini = stop)
{
    cr_assert_eq(wt_anvil_start(&A, NULL), 0);
    cr_assert_eq(wt_anvil_mine(&A, 5), 0);
    char id[32];
    cr_assert_eq(wt_anvil_snapshot(&A, id), 0);
    cr_assert_eq(wt_anvil_mine(&A, 5), 0);
    cr_assert_eq(wt_anvil_head(&A), 10);
    cr_assert_eq(wt_anvil_revert(&A, id), 0);
    cr_assert_eq(wt_anvil_head(&A), 5);

    char before[80];
    cJSON *b4 = wt_anvil_rpc(&A, "eth_getBlockByNumber", "[\"0x4\",false]");
    cr_assert(b4);
    snprintf(before, sizeof before, "%s",
             cJSON_GetObjectItemCaseSensitive(b4, "hash")->valuestring);
    cJSON_Delete(b4);
    cr_assert_eq(wt_anvil_reorg(&A, 2), 0);
    cr_assert_eq(wt_anvil_head(&A), 5, "same height after the reorg");
    b4 = wt_anvil_rpc(&A, "eth_getBlockByNumber", "[\"0x4\",false]");
    cr_assert(b4);
    cr_assert_str_neq(cJSON_GetObjectItemCaseSensitive(b4, "hash")->valuestring, before,
                      "block 4 was replaced");
    cJSON_Delete(b4);
}

Test(anvil, deploys_contracts_and_installs_multicall3, .fini = stop)
{
    cr_assert_eq(wt_anvil_start(&A, NULL), 0);
    cr_assert_eq(wt_anvil_install_multicall3(&A), 0);
    char q[128];
    snprintf(q, sizeof q, "[\"%s\",\"latest\"]", WT_MULTICALL3);
    cJSON *code = wt_anvil_rpc(&A, "eth_getCode", q);
    cr_assert(cJSON_IsString(code));
    cr_assert_gt(strlen(code->valuestring), 1000, "runtime code is there");
    cJSON_Delete(code);
    /* getBlockNumber() = 0x42cbb15c */
    snprintf(q, sizeof q, "[{\"to\":\"%s\",\"data\":\"0x42cbb15c\"},\"latest\"]", WT_MULTICALL3);
    char want[80];
    snprintf(want, sizeof want, "0x%064llx", (long long)wt_anvil_head(&A));
    cr_assert_str_eq(str(&A, "eth_call", q), want);

    cr_assert_eq(wt_anvil_set_code(&A, "0x00000000000000000000000000000000000000d1", "0x00"), 0);
    cr_assert_eq(wt_anvil_set_balance(&A, "0x00000000000000000000000000000000000000d1", "0x7"),
                 0);
    cr_assert_str_eq(str(&A, "eth_getBalance",
                         "[\"0x00000000000000000000000000000000000000d1\",\"latest\"]"),
                     "0x7");
    char *bc = wt_artifact_bytecode("node_modules/@aave/core-v3/artifacts/contracts/mocks/"
                                    "tokens/MintableERC20.sol/MintableERC20.json");
    cr_assert(bc);
    cr_assert_eq(strncmp(bc, "0x60", 4), 0);
    free(bc);
    cr_assert_null(wt_artifact_bytecode("no/such/file.json"));
}
