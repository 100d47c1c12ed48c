/* tests/tracker/test_cmd_verify.c — `whaletrack verify BLOCK` as a user runs it: the built
 * binary against a real anvil, honest and behind the fault proxy; exit codes, what goes to
 * stdout and to stderr. */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "tests/support/anvil.h"
#include "tests/support/faultproxy.h"

extern char **environ;

static wt_anvil A;
static wt_proxy P;
static uint64_t BLOCK;

struct run {
    int status;
    char out[8192];
    char err[8192];
};

static void slurp(char *buf, size_t cap, int fd)
{
    ssize_t n = pread(fd, buf, cap - 1, 0);
    buf[n > 0 ? n : 0] = '\0';
    close(fd);
}

/* run: whaletrack verify args... with stdout and stderr captured. */
static void run(struct run *r, const char *const *args, size_t nargs)
{
    const char *argv[12] = {WT_BUILD_DIR "/whaletrack", "verify"};
    char outp[] = "/tmp/wt-verify-out-XXXXXX", errp[] = "/tmp/wt-verify-err-XXXXXX";
    int out = mkstemp(outp), err = mkstemp(errp);
    cr_assert(out >= 0 && err >= 0);
    unlink(outp);
    unlink(errp);
    cr_assert_lt(nargs, 9);
    for (size_t i = 0; i < nargs; i++)
        argv[2 + i] = args[i];
    argv[2 + nargs] = NULL;
    posix_spawn_file_actions_t fa;
    cr_assert_eq(posix_spawn_file_actions_init(&fa), 0);
    cr_assert_eq(posix_spawn_file_actions_adddup2(&fa, out, 1), 0);
    cr_assert_eq(posix_spawn_file_actions_adddup2(&fa, err, 2), 0);
    pid_t pid;
    cr_assert_eq(posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_assert(WIFEXITED(st));
    r->status = WEXITSTATUS(st);
    slurp(r->out, sizeof r->out, out);
    slurp(r->err, sizeof r->err, err);
}

/* The 12-byte LOG1(caller, calldata) contract of tests/rpc/test_verify.c. */
#define DATA_EMITTER "0x600c600c600039600c6000f3366000600037333660" "00a100"

static void setup(void)
{
    wt_anvil_opts o = {.no_mining = true};
    cr_assert_eq(wt_anvil_start(&A, &o), 0);
    char em[43], params[512], hash[80];
    cr_assert_eq(wt_anvil_deploy(&A, wt_anvil_account[0], DATA_EMITTER, em), 0);
    for (int i = 1; i <= 3; i++) {
        snprintf(params, sizeof params,
                 "[{\"from\":\"%s\",\"to\":\"%s\",\"data\":\"0x%02x\",\"gas\":\"0x30000\"}]",
                 wt_anvil_account[i], i == 2 ? wt_anvil_account[5] : em, i);
        cr_assert_eq(wt_anvil_rpc_str(&A, hash, sizeof hash, "eth_sendTransaction", params), 0);
    }
    cr_assert_eq(wt_anvil_mine(&A, 1), 0);
    BLOCK = (uint64_t)wt_anvil_head(&A);
    cr_assert_eq(wt_proxy_start(&P, A.url), 0);
}

static void teardown(void)
{
    wt_proxy_stop(&P);
    wt_anvil_stop(&A);
}

/* 300 s: the one timeout every test of test_tracker uses (criterion leaks with mixed ones) */
TestSuite(verify_cli, .init = setup, .fini = teardown, .timeout = 300);

Test(verify_cli, an_honest_block_prints_each_check_and_exits_0)
{
    static struct run r;
    char blk[24];
    snprintf(blk, sizeof blk, "%llu", (unsigned long long)BLOCK);
    const char *args[] = {blk, "--rpc", P.url};
    run(&r, args, 3);
    cr_expect_eq(r.status, 0, "stderr: %s", r.err);
    cr_expect(strstr(r.out, "header        ok") != NULL, "%s", r.out);
    cr_expect(strstr(r.out, "child         -     no block") != NULL, "%s", r.out);
    cr_expect(strstr(r.out, "transactions  ok    3 transactions") != NULL, "%s", r.out);
    cr_expect(strstr(r.out, "3 senders recovered") != NULL, "%s", r.out);
    cr_expect(strstr(r.out, "receipts      ok    3 receipts with 2 logs") != NULL, "%s", r.out);
    cr_expect(strstr(r.out, "verify: every check agrees") != NULL, "%s", r.out);
    cr_expect_str_empty(r.err);
    /* the parent of BLOCK has a child now */
    snprintf(blk, sizeof blk, "0x%llx", (unsigned long long)BLOCK - 1);
    run(&r, args, 3);
    cr_expect_eq(r.status, 0, "stderr: %s", r.err);
    cr_expect(strstr(r.out, "child         ok") != NULL, "%s", r.out);
}

Test(verify_cli, a_lying_node_is_named_with_the_block_and_exits_1)
{
    static struct run r;
    char blk[24];
    snprintf(blk, sizeof blk, "%llu", (unsigned long long)BLOCK);
    const char *args[] = {"--rpc", P.url, blk};
    cr_assert_geq(wt_proxy_rule(&P, "edit method=eth_getBlockReceipts path=0.logs.0.data"), 0);
    cr_assert_geq(wt_proxy_rule(&P, "edit method=eth_getBlockByNumber path=gasLimit count=1"), 0);
    run(&r, args, 3);
    cr_expect_eq(r.status, 1);
    cr_expect(strstr(r.out, "header        FAIL  header hash") != NULL, "%s", r.out);
    cr_expect(strstr(r.out, "receipts      FAIL  receiptsRoot") != NULL, "%s", r.out);
    cr_expect(strstr(r.out, "transactions  ok") != NULL, "%s", r.out);
    cr_expect(strstr(r.out, "DISAGREE") != NULL, "%s", r.out);
    char want[96];
    snprintf(want, sizeof want, "block %llu: receiptsRoot", (unsigned long long)BLOCK);
    cr_expect(strstr(r.err, want) != NULL, "%s", r.err);
    cr_expect(strncmp(r.err, "whaletrack: verify: http://127.0.0.1:", 37) == 0, "%s", r.err);
}

Test(verify_cli, usage_errors_exit_2_with_one_line_and_help_exits_0)
{
    static struct run r;
    const char *none[] = {"--rpc", P.url};
    run(&r, none, 2);
    cr_expect_eq(r.status, 2);
    cr_expect(strncmp(r.err, "whaletrack: ", 12) == 0 && strchr(r.err, '\n') == r.err + strlen(r.err) - 1,
              "one line: %s", r.err);
    const char *bad[] = {"12x"};
    run(&r, bad, 1);
    cr_expect_eq(r.status, 2);
    const char *two[] = {"1", "2"};
    run(&r, two, 2);
    cr_expect_eq(r.status, 2);
    const char *help[] = {"--help"};
    run(&r, help, 1);
    cr_expect_eq(r.status, 0);
    cr_expect(strncmp(r.out, "usage: whaletrack verify", 24) == 0, "%s", r.out);
    cr_expect_str_empty(r.err);
}

Test(verify_cli, a_node_that_cannot_be_reached_exits_1)
{
    static struct run r;
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u", wt_free_port());
    const char *args[] = {"1", "--rpc", url};
    run(&r, args, 3);
    cr_expect_eq(r.status, 1);
    cr_expect(strstr(r.err, "whaletrack: verify: ") == r.err, "%s", r.err);
}
