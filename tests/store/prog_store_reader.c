/* tests/store/prog_store_reader.c — the crash test's reader: beside a writer that is killed
 * and restarted, follows the log with store_wait_moves and checks that every view holds
 * whole batches of the generated workload only: blocks in order from 1, each with all its
 * moves, and the view ending exactly at the end of a batch.
 *
 * usage: prog_store_reader DIR
 * Runs until SIGTERM, then prints "views V moves M" on stdout. Exit: 0 no violation;
 * 1 a violation (described on stderr); 2 the store could not be opened within 30 s. */
#include <signal.h>
#include <stdio.h>
#include <time.h>

#include "helpers.h"
#include "store/store.h"

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
    (void)sig;
    stop = 1;
}

struct follow {
    uint64_t next_seq;   /* the seq the next move must have */
    uint64_t block;      /* block of the move being read; 0 before the first */
    unsigned index;      /* log index expected next within `block` */
    int bad;
};

static int check_move(void *ctx, const store_move *m)
{
    struct follow *f = ctx;
    if (m->seq != f->next_seq) {
        fprintf(stderr, "prog_store_reader: seq %llu where %llu was due\n",
                (unsigned long long)m->seq, (unsigned long long)f->next_seq);
        f->bad = 1;
        return 1;
    }
    if (f->block == 0 || f->index == moves_in(f->block)) {
        f->block++; /* at a batch boundary: this move opens the next block */
        f->index = 0;
    }
    if (!same_move(m, f->block, f->index)) {
        fprintf(stderr, "prog_store_reader: seq %llu is not move %u of block %llu\n",
                (unsigned long long)m->seq, f->index, (unsigned long long)f->block);
        f->bad = 1;
        return 1;
    }
    f->index++;
    f->next_seq++;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: prog_store_reader DIR\n");
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
    struct follow f = {.next_seq = 1};
    unsigned long long views = 0;
    while (!stop && !f.bad) {
        int rc = store_wait_moves(s, NULL, f.next_seq - 1, 200);
        if (rc == STORE_ETIMEOUT)
            continue;
        if (rc == 0)
            rc = store_moves_from(s, f.next_seq, 0, check_move, &f);
        if (rc) {
            fprintf(stderr, "prog_store_reader: %s\n", store_strerror(rc));
            f.bad = 1;
            break;
        }
        views++;
        /* One read transaction ended here: it must have ended with a whole batch. */
        if (!f.bad && f.block && f.index != moves_in(f.block)) {
            fprintf(stderr, "prog_store_reader: a view ended inside block %llu (%u of %u moves)\n",
                    (unsigned long long)f.block, f.index, moves_in(f.block));
            f.bad = 1;
        }
    }
    printf("views %llu moves %llu\n", views, (unsigned long long)(f.next_seq - 1));
    fflush(stdout);
    store_close(s);
    return f.bad ? 1 : 0;
}
