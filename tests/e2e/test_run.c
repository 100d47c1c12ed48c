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
        world_play(&W, 2 * i); /* the scenario plays while it runs */
        world_play(&W, 2 * i + 1);
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
    world_play(&W, 0);
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

/* file_has: whether the file at path contains needle. */
static bool file_has(const char *path, const char *needle)
{
    char *text = wt_read_file(path, NULL);
    bool yes = text && strstr(text, needle);
    free(text);
    return yes;
}

static void wait_for(bool (*cond)(void), const char *what)
{
    for (int i = 0; i < 3000; i++) {
        if (cond())
            return;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    cr_assert_fail("timed out waiting: %s", what);
}

static char DATA[128], LOG[160];
static uint64_t TARGET;
static bool at_target(void)
{
    return cursor_of(DATA) >= TARGET;
}
static bool reloaded(void)
{
    return file_has(LOG, "watchlist reloaded: 1 addresses added");
}
static bool rejected(void)
{
    return file_has(LOG, "bad.ini:2:") && file_has(LOG, "keeping the last good one");
}

static void write_file(const char *name, const char *text)
{
    char tmp[192], path[192];
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp", W.wl, name);
    snprintf(path, sizeof path, "%s/%s", W.wl, name);
    FILE *f = fopen(tmp, "w");
    cr_assert(f);
    fputs(text, f);
    fclose(f);
    cr_assert_eq(rename(tmp, path), 0);
}

static size_t moves_of(const char *entity)
{
    movelist l = log_of(DATA);
    size_t n = 0;
    for (size_t i = 0; i < l.n; i++)
        n += strcmp(l.v[i].entity, entity) == 0;
    free(l.v);
    return n;
}

Test(run, a_watchlist_edit_takes_effect_at_the_next_block_and_a_bad_one_keeps_the_last_good,
     .fini = stop, .timeout = 300)
{
    world_chain(&W, NULL);
    world_watchlist(&W, 0);
    W.cfg.start_block = head_of(&W) + 1;
    snprintf(DATA, sizeof DATA, "%s/data", W.dir);
    snprintf(LOG, sizeof LOG, "%s/run.log", W.dir);
    child = spawn(DATA, NULL, NULL);
    world_play(&W, 0); /* a mint to A: a Whale move */
    TARGET = head_of(&W);
    wait_for(at_target, "the tracker reached the head");

    char text[256];
    snprintf(text, sizeof text, "[entity \"Newbie\"]\naddress = %s\n", STRANGER);
    write_file("new.ini", text);
    wait_for(reloaded, "the reload of new.ini");
    cr_assert_eq(wt_token_call(&W.A, STRANGER, W.tok, NULL, NULL, "mint(uint256)", 1, "5"), 0);
    TARGET = head_of(&W);
    wait_for(at_target, "the tracker followed the mint");
    cr_expect_eq(moves_of("Newbie"), 1, "the added address is watched from the next block");

    write_file("bad.ini", "[entity \"Broken\"]\naddress = not-an-address\n");
    wait_for(rejected, "the invalid edit reported as path:line");
    cr_assert_eq(wt_token_call(&W.A, STRANGER, W.tok, NULL, NULL, "mint(uint256)", 1, "6"), 0);
    TARGET = head_of(&W);
    wait_for(at_target, "the tracker followed the second mint");
    cr_expect_eq(moves_of("Newbie"), 2, "the last good watchlist is still in use");
    cr_expect_eq(moves_of("Whale"), 1);
    kill(child, SIGTERM);
    cr_expect_eq(wait_exit(child, 10), 0);
}
