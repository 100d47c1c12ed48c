/* tests/store/test_wait.c — waiting for new moves (store/wait.c): returns at once when
 * there are some, times out when there are none, and wakes promptly on a commit by a
 * writer in another process (the file-change notification, not the fallback interval). */
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "helpers.h"
#include "store/store.h"

static char *dir;

static void setup(void)
{
    dir = make_tmpdir();
    cr_assert_not_null(dir);
    store *s;
    store_batch *b;
    store_opts o = writer_opts();
    cr_assert_eq(store_open(&s, NULL, 0, dir, &o), 0);
    cr_assert_eq(store_batch_new(&b, 0), 0);
    cr_assert_eq(gen_batch(b, 1), 0);
    cr_assert_eq(store_commit(s, NULL, b), 0);
    store_batch_free(b);
    store_close(s);
}

static void teardown(void)
{
    rm_tree(dir);
}

TestSuite(wait, .init = setup, .fini = teardown);

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static store *open_reader(void)
{
    store *s;
    store_opts o = {.readonly = 1};
    cr_assert_eq(store_open(&s, NULL, 0, dir, &o), 0);
    return s;
}

Test(wait, returns_at_once_when_the_log_is_already_past_the_seq)
{
    store *s = open_reader();
    uint64_t last = 0;
    int64_t t0 = now_ms();
    cr_expect_eq(store_wait_moves(s, &last, 0, 5000), 0);
    cr_expect_eq(last, moves_in(1));
    cr_expect_lt(now_ms() - t0, 1000);
    store_close(s);
}

Test(wait, times_out_when_nothing_is_written)
{
    store *s = open_reader();
    uint64_t last = 0;
    int64_t t0 = now_ms();
    cr_expect_eq(store_wait_moves(s, &last, moves_in(1), 600), STORE_ETIMEOUT);
    int64_t took = now_ms() - t0;
    cr_expect_geq(took, 600);
    cr_expect_lt(took, 1500);
    cr_expect_eq(last, moves_in(1));
    store_close(s);
}

/* Child: five commits 300 ms apart, each followed by its CLOCK_MONOTONIC time on fd. */
static void writer_child(int fd)
{
    store *s;
    store_batch *b;
    store_opts o = writer_opts();
    if (store_open(&s, NULL, 0, dir, &o) || store_batch_new(&b, 0))
        _exit(3);
    for (uint64_t blk = 2; blk <= 6; blk++) {
        struct timespec ts = {0, 300 * 1000000L};
        nanosleep(&ts, NULL);
        if (gen_batch(b, blk) || store_commit(s, NULL, b))
            _exit(4);
        int64_t t = now_ms();
        if (write(fd, &t, sizeof t) != sizeof t)
            _exit(5);
    }
    store_batch_free(b);
    store_close(s);
    _exit(0);
}

Test(wait, a_commit_in_another_process_wakes_the_reader_promptly)
{
    int p[2];
    cr_assert_eq(pipe(p), 0);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        close(p[0]);
        writer_child(p[1]);
    }
    close(p[1]);
    store *s = open_reader();
    uint64_t seen = moves_in(1), last;
    int64_t worst = 0;
    for (uint64_t blk = 2; blk <= 6; blk++) {
        int rc = store_wait_moves(s, &last, seen, 10000);
        int64_t woke = now_ms(), committed;
        cr_assert_eq(rc, 0, "block %llu: %s", (unsigned long long)blk, store_strerror(rc));
        cr_assert_eq(read(p[0], &committed, sizeof committed), (ssize_t)sizeof committed);
        cr_expect_gt(last, seen);
        if (woke - committed > worst)
            worst = woke - committed;
        seen = last;
    }
    /* The fallback interval alone (250 ms) would give delays spread over 0..250 ms. */
    cr_expect_lt(worst, 150, "worst wake-up delay %lld ms", (long long)worst);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(p[0]);
    store_close(s);
}
