/* tests/store/test_full.c — running out of room: a full LMDB map grows and loses nothing
 * (store/env.c store__write), a map at its limit and a full disk stop cleanly with every
 * committed batch intact, and the next run continues from the cursor. Readers in other
 * processes adopt a map another process grew. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <criterion/criterion.h>

#include "helpers.h"
#include "verify.h"

static char *dir;
static char *mounted; /* a tmpfs mount point to unmount, or NULL */
static pid_t child = -1;

static void setup(void)
{
    dir = make_tmpdir();
    cr_assert_not_null(dir);
}

static void teardown(void)
{
    if (child > 0) {
        kill(child, SIGKILL);
        wait_exit(child);
    }
    if (mounted)
        umount(mounted);
    mounted = NULL;
    rm_tree(dir);
}

TestSuite(full, .init = setup, .fini = teardown);

/* Runs prog_store_writer on d with extra args; returns its exit code, output in out. */
static int run_writer(const char *d, const char *a1, const char *a2, const char *a3, const char *a4,
                      char *out, size_t cap)
{
    const char *args[] = {d, a1, a2, a3, a4, NULL};
    int fd = -1;
    child = spawn_prog("prog_store_writer", args, &fd);
    cr_assert_gt(child, 0);
    read_all_fd(fd, out, cap);
    int code = wait_exit(child);
    child = -1;
    return code;
}

static uint64_t field(const char *line, const char *name)
{
    const char *p = strstr(line, name);
    cr_assert_not_null(p, "no \"%s\" in \"%s\"", name, line);
    return strtoull(p + strlen(name) + 1, NULL, 10);
}

Test(full, a_tiny_map_grows_and_loses_nothing)
{
    store *s;
    store_batch *b;
    store_info info;
    store_opts o = writer_opts();
    o.map_size = 64 << 10;
    cr_assert_eq(store_open(&s, NULL, 0, dir, &o), 0);
    cr_assert_eq(store_batch_new(&b, 0), 0);
    for (uint64_t blk = 1; blk <= 1000; blk++) {
        cr_assert_eq(gen_batch(b, blk), 0);
        cr_assert_eq(store_commit(s, NULL, b), 0, "block %llu", (unsigned long long)blk);
    }
    cr_assert_eq(store_info_get(s, &info), 0);
    cr_expect_geq(info.map_size, 8 * (64 << 10), "map grew from 64 KiB to %llu",
                  (unsigned long long)info.map_size);
    store_batch_free(b);
    store_close(s);
    uint64_t cursor;
    verify_store(dir, 0, &cursor);
    cr_expect_eq(cursor, 1000);
}

Test(full, one_batch_larger_than_the_whole_map_grows_it_and_commits)
{
    store *s;
    store_batch *b;
    store_info info;
    store_opts o = writer_opts();
    o.map_size = 64 << 10;
    cr_assert_eq(store_open(&s, NULL, 0, dir, &o), 0);
    cr_assert_eq(store_batch_new(&b, 0), 0);
    for (unsigned i = 0; i < 20000; i++) { /* about 4 MB of moves */
        store_move m = gen_move(1, i);
        cr_assert_eq(store_batch_move(b, NULL, &m), 0);
    }
    rpc_hash32 h = hash_of(1, 0);
    store_batch_cursor(b, 1, &h);
    cr_assert_eq(store_commit(s, NULL, b), 0);
    cr_assert_eq(store_info_get(s, &info), 0);
    cr_expect_eq(info.last_seq, 20000);
    store_batch_free(b);
    store_close(s);
}

Test(full, a_map_at_its_limit_stops_cleanly_and_a_larger_limit_continues)
{
    char out[256];
    int code = run_writer(dir, "--map", "65536", "--map-max", "262144", out, sizeof out);
    cr_assert_eq(code, 4, "exit %d: %s", code, out);
    uint64_t c = field(out, "cursor");
    cr_expect_eq(field(out, "map"), 262144);
    uint64_t cursor;
    verify_store(dir, 0, &cursor);
    cr_expect_eq(cursor, c);
    cr_expect_gt(c, 10);
    code = run_writer(dir, "--batches", "50", NULL, NULL, out, sizeof out);
    cr_assert_eq(code, 0, "exit %d: %s", code, out);
    verify_store(dir, 0, &cursor);
    cr_expect_eq(cursor, c + 50);
}

/* The disk-full scenario on directory d: the writer stops with "disk full", everything it
 * committed is intact, and with room again the next run continues from the cursor. */
static void disk_full_then_resume(const char *d, const char *fsize)
{
    char out[256];
    int code = fsize ? run_writer(d, "--fsize", fsize, NULL, NULL, out, sizeof out)
                     : run_writer(d, NULL, NULL, NULL, NULL, out, sizeof out);
    cr_assert_eq(code, 3, "exit %d (3 = disk full): %s", code, out);
    uint64_t c = field(out, "cursor"), cursor;
    cr_expect_gt(c, 10);
    verify_store(d, 0, &cursor);
    cr_expect_eq(cursor, c, "the cursor is the last committed batch");
    if (fsize) {
        code = run_writer(d, "--batches", "100", NULL, NULL, out, sizeof out);
        cr_assert_eq(code, 0, "exit %d: %s", code, out);
        verify_store(d, 0, &cursor);
        cr_expect_eq(cursor, c + 100);
    }
}

Test(full, a_file_size_limit_stops_the_writer_cleanly_and_a_restart_continues)
{
    disk_full_then_resume(dir, "262144");
}

Test(full, a_full_tmpfs_stops_the_writer_cleanly_and_more_room_lets_it_continue)
{
    char mnt[600];
    snprintf(mnt, sizeof mnt, "%s/fs", dir);
    cr_assert_eq(mkdir(mnt, 0700), 0);
    if (mount("tmpfs", mnt, "tmpfs", 0, "size=512k") != 0)
        cr_skip_test("cannot mount a tmpfs here (%s); the file size limit test covers this",
                     strerror(errno));
    mounted = mnt;
    char d[700];
    snprintf(d, sizeof d, "%s/data", mnt);
    disk_full_then_resume(d, NULL);
    /* More room: grow the tmpfs, then the writer continues. */
    cr_assert_eq(mount("tmpfs", mnt, "tmpfs", MS_REMOUNT, "size=8m"), 0);
    char out[256];
    uint64_t before, after;
    verify_store(d, 0, &before);
    int code = run_writer(d, "--batches", "100", NULL, NULL, out, sizeof out);
    cr_assert_eq(code, 0, "exit %d: %s", code, out);
    verify_store(d, 0, &after);
    cr_expect_eq(after, before + 100);
}

struct count {
    uint64_t n;
};

static int count_move(void *ctx, const store_move *m)
{
    (void)m;
    ((struct count *)ctx)->n++;
    return 0;
}

Test(full, a_reader_adopts_a_map_grown_by_a_writer_in_another_process)
{
    char out[256];
    int code = run_writer(dir, "--map", "65536", "--batches", "5", out, sizeof out);
    cr_assert_eq(code, 0, "exit %d: %s", code, out);
    store *s;
    store_info info;
    uint64_t small = field(out, "map");
    store_opts o = {.readonly = 1, .map_size = 65536};
    cr_assert_eq(store_open(&s, NULL, 0, dir, &o), 0);
    cr_assert_eq(store_info_get(s, &info), 0);
    uint64_t reader_map = info.map_size; /* LMDB maps what the data needs, at least */
    cr_expect_leq(reader_map, small);
    code = run_writer(dir, "--map", "65536", "--batches", "400", out, sizeof out);
    cr_assert_eq(code, 0, "exit %d: %s", code, out);
    cr_assert_gt(field(out, "map"), 4 * reader_map, "the data outgrew the reader's map");
    struct count c = {0};
    cr_assert_eq(store_moves_from(s, 1, 0, count_move, &c), 0);
    cr_expect_eq(c.n, field(out, "last_seq"));
    cr_assert_eq(store_info_get(s, &info), 0);
    cr_expect_eq(info.map_size, field(out, "map"));
    store_close(s);
}

Test(full, a_rollback_that_fills_the_map_is_replayed_whole_after_growing_it)
{
    store *s;
    store_batch *b;
    store_info before, after;
    store_opts o = writer_opts();
    o.map_size = 64 << 10;
    o.nosync = 1;
    cr_assert_eq(store_open(&s, NULL, 0, dir, &o), 0);
    cr_assert_eq(store_batch_new(&b, 0), 0);
    size_t live = 0;
    for (uint64_t blk = 1; blk <= 400; blk++) {
        cr_assert_eq(gen_batch(b, blk), 0);
        cr_assert_eq(store_commit(s, NULL, b), 0);
        live += blk > 1 ? moves_in(blk) : 0;
    }
    cr_assert_eq(store_info_get(s, &before), 0);
    size_t n = 0;
    cr_assert_eq(store_rollback(s, &n, 1), 0);
    cr_assert_eq(store_info_get(s, &after), 0);
    cr_expect_gt(after.map_size, before.map_size, "the rollback needed a larger map");
    cr_expect_eq(n, live, "each move retracted once, though the transaction ran twice");
    cr_expect_eq(after.last_seq, before.last_seq + live);
    cr_expect_eq(after.cursor_block, 1);
    store_batch_free(b);
    store_close(s);
}
