/* tests/watchlists/test_check_cli.c — `whaletrack check` as a user runs it: the built
 * binary, its exit codes, what goes to stdout and stderr, and that secrets stay hidden. */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>

#include <criterion/criterion.h>

#include "tests/watchlists/wl_testutil.h"

extern char **environ;

struct run {
    int status;
    char out[16384];
    char err[16384];
};

static void slurp(char *buf, size_t cap, const char *path)
{
    FILE *f = fopen(path, "r");
    size_t n = 0;
    if (f) {
        n = fread(buf, 1, cap - 1, f);
        fclose(f);
    }
    buf[n] = '\0';
}

/* run_check: whaletrack check args... in dir d (stdout/stderr captured), env extra. */
static void run_check(struct run *r, const char *d, const char *const *args, size_t nargs,
                      const char *extra_env)
{
    char out[600], err[600];
    const char *argv[16] = {WT_BUILD_DIR "/whaletrack", "check"};
    char *envp[256];
    size_t ne = 0;
    posix_spawn_file_actions_t fa;

    cr_assert_lt(nargs, 13);
    for (size_t i = 0; i < nargs; i++)
        argv[2 + i] = args[i];
    argv[2 + nargs] = NULL;
    for (char **e = environ; *e && ne < 250; e++)
        envp[ne++] = *e;
    if (extra_env)
        envp[ne++] = (char *)extra_env;
    envp[ne] = NULL;
    snprintf(out, sizeof out, "%s/stdout", d);
    snprintf(err, sizeof err, "%s/stderr", d);
    cr_assert_eq(posix_spawn_file_actions_init(&fa), 0);
    cr_assert_eq(posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0600), 0);
    cr_assert_eq(posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0600), 0);
    pid_t pid;
    cr_assert_eq(posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, envp), 0,
                 "spawn %s", argv[0]);
    posix_spawn_file_actions_destroy(&fa);
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_assert(WIFEXITED(st));
    r->status = WEXITSTATUS(st);
    slurp(r->out, sizeof r->out, out);
    slurp(r->err, sizeof r->err, err);
    unlink(out);
    unlink(err);
}

Test(check_cli, bundled_default_and_seed_pass)
{
    static struct run r;
    char *d = tdir_new();
    const char *args[] = {WT_TOP "/watchlists", WT_TOP "/watchlists/examples/seed.ini"};
    run_check(&r, d, args, 1, NULL);
    cr_expect_eq(r.status, 0, "stderr: %s", r.err);
    cr_expect(strstr(r.out, "exchanges  4 (29 addresses labelled)") != NULL, "%s", r.out);
    cr_expect(strstr(r.out, "protocols  11") != NULL);
    cr_expect_str_empty(r.err);
    run_check(&r, d, args, 2, NULL);
    cr_expect_eq(r.status, 0, "stderr: %s", r.err);
    cr_expect(strstr(r.out, "entities   3 (10 addresses watched)") != NULL, "%s", r.out);
    tdir_free(d);
}

Test(check_cli, errors_go_to_stderr_with_file_and_line_and_exit_1)
{
    static struct run r;
    char *d = tdir_new();
    char p[512], want[1400];
    twrite(d, "w.ini", "[entity \"A\"]\nadress = 0x00\n");
    const char *args[] = {tpath(p, sizeof p, d, "w.ini")};
    run_check(&r, d, args, 1, NULL);
    cr_expect_eq(r.status, 1);
    cr_expect_str_empty(r.out, "no summary on error");
    snprintf(want, sizeof want,
             "%s:1: entity \"A\" has no address\n"
             "%s:2: unknown key 'adress' in [entity] (did you mean 'address'?)\n",
             p, p);
    cr_expect_str_eq(r.err, want);
    tdir_free(d);
}

Test(check_cli, secrets_from_the_environment_are_never_printed)
{
    static struct run r;
    char *d = tdir_new();
    char p[512];
    twrite(d, "w.ini", "[rpc]\nurl = ${WL_TEST_URL}\n");
    const char *args[] = {tpath(p, sizeof p, d, "w.ini")};
    run_check(&r, d, args, 1, "WL_TEST_URL=https://rpc.example/v2/Zq7SECRETkey");
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.out, "${WL_TEST_URL}") != NULL, "%s", r.out);
    cr_expect(strstr(r.out, "Zq7SECRET") == NULL && strstr(r.err, "Zq7SECRET") == NULL);

    twrite(d, "w.ini", "[rpc]\nurl = ${WL_TEST_URL}\n");
    run_check(&r, d, args, 1, "WL_TEST_URL=ftp://Zq7SECRETkey");
    cr_expect_eq(r.status, 1);
    cr_expect(strstr(r.err, "'${WL_TEST_URL}' is not an http") != NULL, "%s", r.err);
    cr_expect(strstr(r.out, "Zq7SECRET") == NULL && strstr(r.err, "Zq7SECRET") == NULL);

    twrite(d, "w.ini", "[entity \"A\"]\naddress = 0x28c6c06298d514db089934071355e5743bf21d60\n"
                       "since = ${WL_TEST_URL}\n[rules]\nmin_usd = ${WL_TEST_URL}\n");
    run_check(&r, d, args, 1, "WL_TEST_URL=987654321");
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.out, "987654321") == NULL && strstr(r.out, "987,654,321") == NULL,
              "%s", r.out);
    cr_expect(strstr(r.out, "(values from the environment, not shown)") != NULL, "%s", r.out);

    twrite(d, "w.ini", "[rpc]\nurl = ${WL_TEST_URL}\n");
    run_check(&r, d, args, 1, NULL);
    cr_expect_eq(r.status, 1, "undefined variable");
    cr_expect(strstr(r.err, "undefined environment variable ${WL_TEST_URL}") != NULL);
    tdir_free(d);
}

Test(check_cli, sinks_are_listed_without_their_url_token_or_key)
{
    static struct run r;
    char *d = tdir_new();
    char p[512];
    twrite(d, "w.ini", "[entity \"Trend Research\"]\n"
                       "address = 0x28c6c06298d514db089934071355e5743bf21d60\n"
                       "[sink \"hook\"]\nkind = webhook\nurl = ${WL_TEST_URL}\n"
                       "secret = Zq7SECRETkey\n[sink \"tg\"]\nkind = telegram\n"
                       "token = ${WL_TEST_URL}\nchat_id = 42\n[sink \"log\"]\nkind = command\n"
                       "command = /usr/bin/logger -t \"whale alert\"\nkinds = repay\n"
                       "entities = Trend Research\nmin_usd = 5_000_000\n");
    const char *args[] = {tpath(p, sizeof p, d, "w.ini")};
    run_check(&r, d, args, 1, "WL_TEST_URL=https://hooks.example/Zq7SECRETpath");
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.out, "sinks      3\n"), "%s", r.out);
    cr_expect(strstr(r.out, "  hook                     webhook   ${WL_TEST_URL}  signed"), "%s",
              r.out);
    cr_expect(strstr(r.out, "  tg                       telegram  (bot token from the "
                            "environment)"));
    cr_expect(strstr(r.out, "  log                      command   /usr/bin/logger -t whale alert"
                            "  kinds repay  entities Trend Research  min_usd $5,000,000\n"),
              "%s", r.out);
    cr_expect(strstr(r.out, "Zq7SECRET") == NULL && strstr(r.err, "Zq7SECRET") == NULL);
    tdir_free(d);
}

Test(check_cli, help_and_usage_errors)
{
    static struct run r;
    char *d = tdir_new();
    const char *help[] = {"--help"};
    run_check(&r, d, help, 1, NULL);
    cr_expect_eq(r.status, 0);
    cr_expect(strncmp(r.out, "usage: whaletrack check", 23) == 0, "%s", r.out);
    cr_expect_str_empty(r.err);

    const char *bad[] = {"--frobnicate"};
    run_check(&r, d, bad, 1, NULL);
    cr_expect_eq(r.status, 2);
    cr_expect_str_empty(r.out);
    cr_expect_str_eq(r.err,
                     "whaletrack: check: unknown option '--frobnicate' (see whaletrack check "
                     "--help)\n");
    tdir_free(d);
}

Test(check_cli, a_missing_path_exits_1)
{
    static struct run r;
    char *d = tdir_new();
    const char *args[] = {"/nonexistent-wl-dir"};
    run_check(&r, d, args, 1, NULL);
    cr_expect_eq(r.status, 1);
    cr_expect_str_eq(r.err, "/nonexistent-wl-dir: cannot read: No such file or directory\n");
    tdir_free(d);
}
