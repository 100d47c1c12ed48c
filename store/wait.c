/* store/wait.c — waiting for new moves without busy polling. LMDB writes its data file with
 * pwrite, so every commit raises an inotify IN_MODIFY on it; the reader sleeps in poll() on
 * that, and re-reads the last sequence number in a fresh read transaction on each wake-up.
 * LMDB publishes a commit (the txn id in its lock file) just after the meta page's write,
 * so a reader woken by that write may look a moment too early: after any notification it
 * looks again after 2, 4, 8, 16 and 32 ms. A fallback interval bounds every other wait. */
#include <errno.h>
#include <poll.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "store/internal.h"

enum { FALLBACK_MS = 250, SETTLE_STEPS = 5 };

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int read_last(store *s, uint64_t *last)
{
    MDB_txn *txn = NULL;
    int rc = store__read_begin(s, &txn);
    if (rc)
        return rc;
    rc = store__last_seq(s, txn, last);
    mdb_txn_abort(txn);
    return rc;
}

/* The notification is an optimisation: without it (no inotify, watch limit reached) the
 * wait still works, on the fallback interval. */
static void watch(store *s)
{
    if (s->notify_fd >= 0)
        return;
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0)
        return;
    if (inotify_add_watch(fd, s->data_path, IN_MODIFY | IN_CLOSE_WRITE) < 0) {
        close(fd);
        return;
    }
    s->notify_fd = fd;
}

static void drain(int fd)
{
    char buf[4096];
    while (read(fd, buf, sizeof buf) > 0)
        ;
}

int store_wait_moves(store *s, uint64_t *last_seq, uint64_t after_seq, int timeout_ms)
{
    uint64_t last = 0;
    int64_t deadline = timeout_ms < 0 ? INT64_MAX : now_ms() + timeout_ms;
    int rc, settle = 0; /* > 0: re-checks left after a notification */
    watch(s);           /* before the first check, so a commit right after it still wakes us */
    for (;;) {
        if (s->notify_fd >= 0)
            drain(s->notify_fd);
        if ((rc = read_last(s, &last)))
            break;
        if (last > after_seq)
            break;
        int64_t left = deadline - now_ms();
        if (left <= 0) {
            rc = STORE_ETIMEOUT;
            break;
        }
        int wait = settle > 0 ? 1 << (SETTLE_STEPS + 1 - settle) : FALLBACK_MS;
        if (wait > left)
            wait = (int)left;
        if (s->notify_fd >= 0) {
            struct pollfd pfd = {s->notify_fd, POLLIN, 0};
            int n = poll(&pfd, 1, wait);
            if (n < 0 && errno != EINTR) {
                rc = STORE_EIO;
                break;
            }
            if (n > 0)
                settle = SETTLE_STEPS;
            else if (settle > 0)
                settle--;
        } else {
            struct timespec ts = {wait / 1000, (long)(wait % 1000) * 1000000};
            nanosleep(&ts, NULL);
        }
    }
    if (last_seq)
        *last_seq = rc == 0 || rc == STORE_ETIMEOUT ? last : 0;
    return rc;
}
