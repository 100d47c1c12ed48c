/* tests/store/prog_store_writer.c — the crash test's writer: opens the store in DIR and
 * commits the generated workload's batches (tests/store/helpers.h), one block per batch,
 * from the block after the cursor, until killed or N batches are done.
 *
 * usage: prog_store_writer DIR [--batches N] [--map BYTES] [--map-max BYTES]
 *                              [--fsize BYTES] [--keep BLOCKS] [--reorg R]
 * --fsize sets RLIMIT_FSIZE (and ignores SIGXFSZ) to simulate a full disk. --reorg R makes
 * every R-th block a reorg: committed, rolled back, committed on another branch; each of
 * the three is one step (a "batch" for --batches), chosen from what the store holds, so a
 * restart after a kill picks up where the last commit left off.
 * Prints "cursor C last_seq S map M" on stdout when it stops. Exit: 0 done; 2 usage or
 * open failed; 3 disk full; 4 map limit reached; 1 any other store error. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "helpers.h"
#include "store/store.h"

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-')
        return -1;
    *out = v;
    return 0;
}

struct last {
    store_move m;
};

static int keep_last(void *ctx, const store_move *m)
{
    ((struct last *)ctx)->m = *m;
    return 0;
}

/* One step of the workload from the store's state. */
static int step(store *s, store_batch *b, unsigned every, uint64_t *block)
{
    store_info info;
    int rc = store_info_get(s, &info);
    if (rc)
        return rc;
    uint64_t c = info.has_cursor ? info.cursor_block : 0;
    rpc_hash32 branch0 = hash_of(c, 0);
    if (reorg_block(c, every) && memcmp(&info.cursor_hash, &branch0, 32) == 0) {
        *block = c;
        return store_rollback(s, NULL, c - 1); /* branch 0 of block c was orphaned */
    }
    *block = c + 1;
    unsigned branch = 0;
    if (reorg_block(c + 1, every) && info.last_seq) {
        struct last l;
        memset(&l, 0, sizeof l);
        if ((rc = store_moves_from(s, info.last_seq, 1, keep_last, &l)))
            return rc;
        branch = l.m.kind == STORE_KIND_RETRACTED && l.m.block == c + 1;
    }
    if ((rc = gen_batch_on(b, c + 1, branch, every)))
        return rc;
    return store_commit(s, NULL, b);
}

static int report(store *s, int code)
{
    store_info info;
    if (store_info_get(s, &info) == 0)
        printf("cursor %llu last_seq %llu map %llu\n", (unsigned long long)info.cursor_block,
               (unsigned long long)info.last_seq, (unsigned long long)info.map_size);
    fflush(stdout);
    return code;
}

int main(int argc, char **argv)
{
    uint64_t batches = 0, map = 0, map_max = 0, fsize = 0, keep = 0, every = 0;
    if (argc < 2)
        goto usage;
    for (int i = 2; i < argc; i += 2) {
        uint64_t *dst = !strcmp(argv[i], "--batches")   ? &batches
                        : !strcmp(argv[i], "--map")     ? &map
                        : !strcmp(argv[i], "--map-max") ? &map_max
                        : !strcmp(argv[i], "--fsize")   ? &fsize
                        : !strcmp(argv[i], "--keep")    ? &keep
                        : !strcmp(argv[i], "--reorg")   ? &every
                                                        : NULL;
        if (!dst || i + 1 >= argc || parse_u64(argv[i + 1], dst))
            goto usage;
    }
    if (fsize) {
        struct rlimit rl = {(rlim_t)fsize, (rlim_t)fsize};
        signal(SIGXFSZ, SIG_IGN);
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0) {
            perror("setrlimit");
            return 2;
        }
    }
    store *s;
    store_batch *b;
    char why[512];
    store_opts o = writer_opts();
    o.map_size = (size_t)map;
    o.map_max = (size_t)map_max;
    o.keep_blocks = (unsigned)keep;
    int rc = store_open(&s, why, sizeof why, argv[1], &o);
    if (rc) {
        fprintf(stderr, "prog_store_writer: %s\n", why);
        return 2;
    }
    if (store_batch_new(&b, 0)) {
        store_close(s);
        return 2;
    }
    uint64_t block = 0;
    for (uint64_t done = 0; !rc && (batches == 0 || done < batches); done++)
        rc = step(s, b, (unsigned)every, &block);
    int code = rc == 0 ? 0 : rc == STORE_EDISKFULL ? 3 : rc == STORE_EMAPFULL ? 4 : 1;
    if (rc)
        fprintf(stderr, "prog_store_writer: block %llu: %s\n", (unsigned long long)block,
                store_strerror(rc));
    code = report(s, code);
    store_batch_free(b);
    store_close(s);
    return code;
usage:
    fprintf(stderr, "usage: prog_store_writer DIR [--batches N] [--map BYTES] [--map-max "
                    "BYTES] [--fsize BYTES] [--keep BLOCKS] [--reorg R]\n");
    return 2;
}
