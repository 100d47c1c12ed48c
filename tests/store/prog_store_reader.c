/* tests/store/prog_store_reader.c — the crash test's reader: beside a writer that is killed
 * and restarted, follows the log with store_wait_moves and checks that every view holds
 * whole batches of the generated workload only: blocks in order from 1, each with all its
 * moves, and the view ending exactly at the end of a batch.
 *
 * usage: prog_store_reader DIR [--reorg R]   (R as given to prog_store_writer)
 * Runs until SIGTERM, then prints "views V moves M" on stdout. Exit: 0 no violation;
 * 1 a violation (described on stderr); 2 the store could not be opened within 30 s. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "helpers.h"
#include "store/store.h"

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
    (void)sig;
    stop = 1;
}

static int check_move(void *ctx, const store_move *m)
{
    follow *f = ctx;
    if (follow_move(f, m, NULL) == 0)
        return 0;
    fprintf(stderr, "prog_store_reader: seq %llu (block %llu, kind %u) is not the entry due\n",
            (unsigned long long)m->seq, (unsigned long long)m->block, (unsigned)m->kind);
    return -1;
}

int main(int argc, char **argv)
{
    unsigned every = 0;
    if (argc == 4 && !strcmp(argv[2], "--reorg")) {
        char *end;
        every = (unsigned)strtoul(argv[3], &end, 10);
        if (*end || end == argv[3])
            argc = 0;
    }
    if (argc != 2 && argc != 4) {
        fprintf(stderr, "usage: prog_store_reader DIR [--reorg R]\n");
        return 2;
    }
    signal(SIGTERM, on_term);
    store *s = NULL;
    store_opts o = {.readonly = 1};
    for (int tries = 0; store_open(&s, NULL, 0, argv[1], &o) != 0; tries++) {
        struct timespec ts = {0, 20 * 1000000L};
        if (tries > 1500 || stop)
            return 2;
        nanosleep(&ts, NULL);
    }
    follow f;
    follow_init(&f, every);
    int bad = 0;
    unsigned long long views = 0;
    while (!stop && !bad) {
        int rc = store_wait_moves(s, NULL, f.next_seq - 1, 200);
        if (rc == STORE_ETIMEOUT)
            continue;
        if (rc == 0)
            rc = store_moves_from(s, f.next_seq, 0, check_move, &f);
        if (rc) {
            fprintf(stderr, "prog_store_reader: %s\n", store_strerror(rc));
            bad = 1;
            break;
        }
        views++;
        /* One read transaction ended here: it must have ended with a whole batch. */
        if (!follow_whole(&f)) {
            fprintf(stderr,
                    "prog_store_reader: a view ended inside block %llu (phase %u, %u of %u)\n",
                    (unsigned long long)f.block, f.phase, f.index, moves_in(f.block));
            bad = 1;
        }
    }
    printf("views %llu moves %llu\n", views, (unsigned long long)(f.next_seq - 1));
    fflush(stdout);
    store_close(s);
    return bad ? 1 : 0;
}
