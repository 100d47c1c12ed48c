/* tests/store/test_crash.c — exactly once across crashes: a real writer process is killed
 * with SIGKILL at 200 random moments and restarted each time, while a reader process
 * follows the log; then the log must have no gap, no duplicate and no torn batch, and the
 * cursor must match the last whole batch. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>
#include <criterion/logging.h>

#include "helpers.h"
#include "verify.h"
#include "store/store.h"

enum { KILLS = 200, MAX_DELAY_US = 100000 };

static char *dir;
static pid_t reader = -1, writer = -1;

static void setup(void)
{
    dir = make_tmpdir();
    cr_assert_not_null(dir);
}

/* Kills whatever this test started and is still running, even after a failed assert. */
static void teardown(void)
{
    if (writer > 0) {
        kill(writer, SIGKILL);
        wait_exit(writer);
    }
    if (reader > 0) {
        kill(reader, SIGKILL);
        wait_exit(reader);
    }
    rm_tree(dir);
}

TestSuite(crash, .init = setup, .fini = teardown);

/* Waits (up to 5 s) until the writer has committed past the log's current end, so that a
 * kill lands while it writes rather than while a slow (sanitizer, loaded) process starts.
 * *ro is opened read-only on first use, once the writer has created the store. */
static void wait_for_progress(store **ro)
{
    for (int tries = 0; !*ro && tries < 500; tries++) {
        store_opts o = {0};
        o.readonly = 1;
        if (store_open(ro, NULL, 0, dir, &o) != 0) {
            *ro = NULL;
            struct timespec ts = {0, 10 * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    cr_assert_not_null(*ro, "the writer never created the store");
    store_info info;
    cr_assert_eq(store_info_get(*ro, &info), 0);
    uint64_t last;
    int rc = store_wait_moves(*ro, &last, info.last_seq, 5000);
    cr_assert(rc == 0 || rc == STORE_ETIMEOUT, "wait: %s", store_strerror(rc));
}

/* Kills the writer `kills` times at random moments while a reader follows, then checks.
 * Nine kills in ten come after the writer has committed something in its new life; the
 * tenth may land anywhere, start-up included. */
static void kill_and_check(int kills, unsigned every)
{
    unsigned seed = (unsigned)time(NULL);
    char every_s[16];
    snprintf(every_s, sizeof every_s, "%u", every);
    const char *const wargs[] = {dir, every ? "--reorg" : NULL, every_s, NULL};
    int reader_out = -1;
    unsigned during_start = 0;
    store *ro = NULL; /* this process's read-only view, to pace the kills */
    cr_log_info("crash: seed %u, reorg every %u", seed, every);
    srand(seed);

    writer = spawn_prog("prog_store_writer", wargs, NULL);
    cr_assert_gt(writer, 0);
    const char *const rargs[] = {dir, every ? "--reorg" : NULL, every_s, NULL};
    reader = spawn_prog("prog_store_reader", rargs, &reader_out);
    cr_assert_gt(reader, 0);
    for (int i = 0; i < kills; i++) {
        if (i > 0) {
            writer = spawn_prog("prog_store_writer", wargs, NULL);
            cr_assert_gt(writer, 0);
        }
        if (i % 10 != 9)
            wait_for_progress(&ro);
        long us = rand() % MAX_DELAY_US;
        during_start += us < 5000;
        struct timespec ts = {0, us * 1000};
        nanosleep(&ts, NULL);
        cr_assert_eq(kill(writer, SIGKILL), 0);
        int code = wait_exit(writer);
        writer = -1;
        cr_assert_eq(code, 128 + SIGKILL, "kill %d: the writer had already exited with %d", i,
                     code);
    }
    store_close(ro);
    ro = NULL;
    /* A last, clean run continues from the cursor. Twelve steps reach block 5 or beyond
     * even from an empty store: with a reorg every 3 blocks, one step in four is a
     * rollback (a loaded machine may kill every earlier writer before its first commit). */
    const char *const last[] = {dir, "--batches", "12", "--reorg", every_s, NULL};
    int out = -1;
    char line[256];
    writer = spawn_prog("prog_store_writer", last, &out);
    read_all_fd(out, line, sizeof line);
    cr_assert_eq(wait_exit(writer), 0, "clean run: %s", line);
    writer = -1;

    struct timespec settle = {0, 300 * 1000000L};
    nanosleep(&settle, NULL); /* let the reader see the last batches */
    cr_assert_eq(kill(reader, SIGTERM), 0);
    char rline[256];
    read_all_fd(reader_out, rline, sizeof rline);
    int rcode = wait_exit(reader);
    reader = -1;
    cr_expect_eq(rcode, 0, "the reader saw only whole batches (exit %d): %s", rcode, rline);

    uint64_t cursor;
    verify_store(dir, every, &cursor);
    cr_expect_geq(cursor, 5);
    unsigned long long views = 0, rmoves = 0;
    char *p = strstr(rline, "views ");
    if (p) {
        views = strtoull(p + 6, &p, 10);
        char *q = strstr(p, "moves ");
        rmoves = q ? strtoull(q + 6, NULL, 10) : 0;
    }
    cr_expect_gt(views, 0, "the reader read during the test");
    fprintf(stderr,
            "crash: %d kills (%u in the first 5 ms), reorg every %u blocks, cursor %llu; reader "
            "checked %llu views, %llu entries; last run: %s",
            kills, during_start, every, (unsigned long long)cursor, views, rmoves, line);
}

Test(crash, two_hundred_kills_leave_whole_batches_without_gap_or_duplicate)
{
    kill_and_check(KILLS, 0);
}

Test(crash, kills_during_reorgs_leave_every_orphaned_move_retracted_exactly_once)
{
    kill_and_check(KILLS / 2, 3);
}
