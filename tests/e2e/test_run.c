/* tests/e2e/test_run.c — `whaletrack run` as a real process on a real anvil: killed with
 * SIGKILL at 50 random moments while a scenario plays, restarted each time, it ends with
 * exactly the move log of an uninterrupted run; and it stops cleanly on SIGTERM. */
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>

#include "tests/tracker/trk_testutil.h"

static world W;
static pid_t child;

static void stop(void)
{
    if (child > 0) {
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        child = 0;
    }
    world_stop(&W);
}

/* spawn: whaletrack run on W's chain and watchlist with data dir `data` and extra args. */
static pid_t spawn(const char *data, const char *extra1, const char *extra2)
{
    char start[32];
    snprintf(start, sizeof start, "%llu", (unsigned long long)W.cfg.start_block);
    char log[160];
    snprintf(log, sizeof log, "%s/run.log", W.dir);
    const char *argv[32] = {WT_BUILD_DIR "/whaletrack", "run", "--watchlists", W.wl,
                            "--data-dir", data, "--rpc", W.A.url, "--confirmations", "0",
                            "--start-block", start, "--weth", W.weth, "--batch-blocks", "1",
                            "--poll-ms", "5", "--json"};
    size_t n = 18;
    if (extra1)
        argv[n++] = extra1;
    if (extra2)
        argv[n++] = extra2;
    argv[n] = NULL;
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int out = open("/dev/null", O_WRONLY);
        int err = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (out < 0 || err < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
            _exit(127);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    return pid;
}

/* wait_exit: the child's exit status, failing after timeout_s. */
static int wait_exit(pid_t pid, int timeout_s)
{
    for (int i = 0; i < timeout_s * 100; i++) {
        int st;
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid) {
            child = 0;
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    cr_assert_fail("whaletrack did not exit within %d s", timeout_s);
    return -1;
}

/* One scenario step: a transaction that makes a move, or a block that makes none. */
static void play_step(unsigned i)
{
    int rc;
    switch (i % 6) {
    case 0: rc = wt_token_call(&W.A, WHALE_A, W.tok, NULL, NULL, "mint(uint256)", 1, "7000000"); break;
    case 1: rc = wt_token_call(&W.A, WHALE_A, W.tok, NULL, NULL, "transfer(address,uint256)", 2, STRANGER, "1000000"); break;
    case 2: rc = wt_token_call(&W.A, WHALE_A, W.tok, NULL, NULL, "transfer(address,uint256)", 2, EXCHANGE, "2000000"); break;
    case 3: rc = wt_eth_send(&W.A, STRANGER, WHALE_B, "1000000000000000000", NULL); break;
    case 4: rc = wt_token_call(&W.A, WHALE_B, W.weth, "500000000000000000", NULL, "deposit()", 0); break;
    default: rc = wt_anvil_mine(&W.A, 1); break;
    }
    cr_assert_eq(rc, 0, "scenario step %u", i);
}

/* cursor_of: the store's cursor block, 0 when it has none (or no store yet). */
static uint64_t cursor_of(const char *data)
{
    store *s;
    char why[256];
    store_opts so = {0};
    so.readonly = 1;
    if (store_open(&s, why, sizeof why, data, &so))
        return 0;
    store_info info;
    uint64_t c = store_info_get(s, &info) == 0 && info.has_cursor ? info.cursor_block : 0;
    store_close(s);
    return c;
}

static movelist log_of(const char *data)
{
    store *s;
    char why[256];
    store_opts so = {0};
    so.readonly = 1;
    cr_assert_eq(store_open(&s, why, sizeof why, data, &so), 0, "%s", why);
    movelist l = world_moves(s);
    store_close(s);
    return l;
}

static bool same_move(const store_move *a, const store_move *b)
{
    return a->seq == b->seq && a->kind == b->kind && a->flags == b->flags &&
           a->block == b->block && a->log_index == b->log_index &&
           !memcmp(&a->block_hash, &b->block_hash, 32) && !memcmp(&a->tx_hash, &b->tx_hash, 32) &&
           !memcmp(&a->address, &b->address, 20) && !memcmp(&a->asset, &b->asset, 20) &&
           !memcmp(&a->counterparty, &b->counterparty, 20) &&
           !rpc_u256_cmp(&a->amount, &b->amount) && a->decimals == b->decimals &&
           a->block_time == b->block_time && !strcmp(a->entity, b->entity);
}

Test(run, killed_50_times_at_random_moments_it_ends_with_the_log_of_an_uninterrupted_run,
     .fini = stop, .timeout = 300)
{
    world_chain(&W, NULL);
    world_watchlist(&W, 0);
    W.cfg.start_block = head_of(&W) + 1;
    char data[128], ref[128];
    snprintf(data, sizeof data, "%s/crashed", W.dir);
    snprintf(ref, sizeof ref, "%s/reference", W.dir);
    unsigned seed = (unsigned)time(NULL);
    srand(seed);
    unsigned alive_at_kill = 0, advanced = 0;
    uint64_t last_cursor = 0;
    for (unsigned i = 0; i < 50; i++) {
        child = spawn(data, NULL, NULL);
        play_step(2 * i); /* the scenario plays while it runs */
        play_step(2 * i + 1);
        struct timespec ts = {0, (long)(rand() % 120) * 1000 * 1000};
        nanosleep(&ts, NULL);
        int st;
        alive_at_kill += waitpid(child, &st, WNOHANG) == 0;
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        child = 0;
        uint64_t c = cursor_of(data);
        advanced += c > last_cursor;
        last_cursor = c;
    }
    char until[32];
    snprintf(until, sizeof until, "%llu", (unsigned long long)head_of(&W));
    child = spawn(data, "--until-block", until);
    cr_assert_eq(wait_exit(child, 60), 0, "the final run finishes");
    child = spawn(ref, "--until-block", until);
    cr_assert_eq(wait_exit(child, 60), 0, "the reference run finishes");
    movelist a = log_of(data), b = log_of(ref);
    fprintf(stderr, "crash: seed %u, 50 kills (%u while running, %u after some progress), "
            "%zu moves in both logs\n", seed, alive_at_kill, advanced, b.n);
    cr_assert(b.n >= 60, "the scenario makes moves (%zu)", b.n);
    cr_assert_eq(a.n, b.n, "same number of moves (seed %u)", seed);
    for (size_t i = 0; i < a.n; i++)
        cr_expect(same_move(&a.v[i], &b.v[i]), "move %zu differs (seed %u)", i, seed);
    free(a.v);
    free(b.v);
}

Test(run, sigterm_stops_it_cleanly_with_exit_code_0, .fini = stop, .timeout = 300)
{
    world_chain(&W, NULL);
    world_watchlist(&W, 0);
    W.cfg.start_block = head_of(&W) + 1;
    char data[128];
    snprintf(data, sizeof data, "%s/data", W.dir);
    child = spawn(data, NULL, NULL);
    play_step(0);
    uint64_t mined = head_of(&W);
    for (int i = 0; i < 3000 && cursor_of(data) < mined; i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    cr_assert_eq(cursor_of(data), mined, "it followed the chain to the head");
    kill(child, SIGTERM);
    cr_expect_eq(wait_exit(child, 10), 0);
    movelist l = log_of(data);
    cr_expect_eq(l.n, 1, "the mint was committed before the stop");
    free(l.v);
}
