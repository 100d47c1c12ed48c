/* tests/store/prog_store_writer.c — the crash test's writer: opens the store in DIR and
 * commits the generated workload's batches (tests/store/helpers.h), one block per batch,
 * from the block after the cursor, until killed or N batches are done.
 *
 * usage: prog_store_writer DIR [--batches N] [--map BYTES] [--map-max BYTES]
 *                              [--fsize BYTES] [--keep BLOCKS]
 * --fsize sets RLIMIT_FSIZE (and ignores SIGXFSZ) to simulate a full disk.
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
    uint64_t batches = 0, map = 0, map_max = 0, fsize = 0, keep = 0;
    if (argc < 2)
        goto usage;
    for (int i = 2; i < argc; i += 2) {
        uint64_t *dst = !strcmp(argv[i], "--batches")   ? &batches
                        : !strcmp(argv[i], "--map")     ? &map
                        : !strcmp(argv[i], "--map-max") ? &map_max
                        : !strcmp(argv[i], "--fsize")   ? &fsize
                        : !strcmp(argv[i], "--keep")    ? &keep
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
    store_info info;
    rc = store_info_get(s, &info);
    uint64_t block = info.has_cursor ? info.cursor_block + 1 : 1;
    for (uint64_t done = 0; !rc && (batches == 0 || done < batches); done++, block++) {
        rc = gen_batch(b, block);
        if (!rc)
            rc = store_commit(s, NULL, b);
    }
    int code = rc == 0                   ? 0
               : rc == STORE_EDISKFULL ? 3
               : rc == STORE_EMAPFULL  ? 4
                                       : 1;
    if (rc)
        fprintf(stderr, "prog_store_writer: block %llu: %s\n", (unsigned long long)block,
                store_strerror(rc));
    code = report(s, code);
    store_batch_free(b);
    store_close(s);
    return code;
usage:
    fprintf(stderr, "usage: prog_store_writer DIR [--batches N] [--map BYTES] [--map-max "
                    "BYTES] [--fsize BYTES] [--keep BLOCKS]\n");
    return 2;
}
