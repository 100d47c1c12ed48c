/* tests/store/helpers.h — shared by the store's tests and helper programs: temporary data
 * directories, and a deterministic generator of batches so a checker can recompute what
 * any committed batch must contain from its block number alone. */
#ifndef WT_TESTS_STORE_HELPERS_H
#define WT_TESTS_STORE_HELPERS_H

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"

enum { TEST_CHAIN = 31337 };

/* A fresh directory under /tmp; the caller removes it with rm_tree. */
static inline char *make_tmpdir(void)
{
    char tmpl[] = "/tmp/wt-store-XXXXXX";
    char *d = mkdtemp(tmpl);
    return d ? strdup(d) : NULL;
}

/* Removes dir and everything under it (files and directories; no symlinks followed). */
static inline void rm_rf(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char path[4096];
            if (strlen(dir) + strlen(e->d_name) + 2 > sizeof path)
                continue;
            memcpy(path, dir, strlen(dir));
            path[strlen(dir)] = '/';
            memcpy(path + strlen(dir) + 1, e->d_name, strlen(e->d_name) + 1);
            struct stat st;
            if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
                rm_rf(path);
            else
                unlink(path);
        }
        closedir(d);
    }
    rmdir(dir);
}

static inline void rm_tree(char *dir)
{
    if (!dir)
        return;
    rm_rf(dir);
    free(dir);
}

/* The whole file in a malloc'd buffer (caller frees), or NULL. */
static inline uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    *len = 0;
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0, r;
    uint8_t *buf = malloc(cap);
    while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            uint8_t *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

static inline int spit(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(data, 1, len, f);
    return fclose(f) == 0 && w == len ? 0 : -1;
}

static inline rpc_hash32 test_genesis(void)
{
    rpc_hash32 g;
    for (int i = 0; i < 32; i++)
        g.b[i] = (uint8_t)(0xd4 + i);
    return g;
}

static inline store_opts writer_opts(void)
{
    store_opts o;
    memset(&o, 0, sizeof o);
    o.chain_id = TEST_CHAIN;
    o.genesis = test_genesis();
    return o;
}

static inline rpc_u256 u256_of(uint64_t lo)
{
    rpc_u256 v = {{lo, 0, 0, 0}};
    return v;
}

/* A hash that encodes (block, salt): block number in bytes 0..7, salt in 8..15. */
static inline rpc_hash32 hash_of(uint64_t block, uint64_t salt)
{
    rpc_hash32 h;
    memset(&h, 0x5a, sizeof h);
    for (int i = 0; i < 8; i++) {
        h.b[i] = (uint8_t)(block >> (56 - 8 * i));
        h.b[8 + i] = (uint8_t)(salt >> (56 - 8 * i));
    }
    return h;
}

static inline rpc_addr addr_of(uint8_t tag)
{
    rpc_addr a;
    memset(&a, tag, sizeof a);
    return a;
}

/* ---- The deterministic workload ----
 * Block n holds moves_in(n) moves. With reorgs every R blocks (0 = none), a block n with
 * n % R == 0 is committed on branch 0, then rolled back (its moves retracted), then
 * committed again on branch 1: same moves, another block hash. */

static inline unsigned moves_in(uint64_t block)
{
    return 1 + (unsigned)(block % 5);
}

static inline int reorg_block(uint64_t block, unsigned every)
{
    return every && block % every == 0;
}

static inline store_move gen_move_on(uint64_t block, unsigned i, unsigned branch)
{
    store_move m;
    memset(&m, 0, sizeof m);
    m.kind = (uint16_t)(STORE_KIND_TRANSFER_OUT + (block + i) % 13);
    m.severity = (uint8_t)(i % 4);
    m.decimals = 18;
    m.protocol = (uint32_t)(block % 3);
    m.log_index = i;
    m.block = block;
    m.block_time = 1700000000 + block * 12;
    m.block_hash = hash_of(block, branch);
    m.tx_hash = hash_of(block, 100 + i + 1000 * branch);
    m.address = addr_of((uint8_t)(1 + (block + i) % 4));
    m.asset = addr_of(0xee);
    m.amount = u256_of(block * 1000 + i);
    m.usd = u256_of(block * 7);
    snprintf(m.entity, sizeof m.entity, "entity-%u", (unsigned)((block + i) % 3));
    return m;
}

static inline store_move gen_move(uint64_t block, unsigned i)
{
    return gen_move_on(block, i, 0);
}

static inline store_pos_key gen_poskey(uint64_t block)
{
    store_pos_key k;
    memset(&k, 0, sizeof k);
    k.address = addr_of((uint8_t)(1 + block % 4));
    k.protocol = 7;
    k.asset = addr_of(0xee);
    return k;
}

static inline store_position gen_position(uint64_t block)
{
    store_position p;
    memset(&p, 0, sizeof p);
    p.block = block;
    p.block_time = 1700000000 + block * 12;
    p.decimals = 18;
    p.collateral = u256_of(block * 3);
    p.debt = u256_of(block);
    p.hf = u256_of(1000000000000000000ull + block);
    return p;
}

/* Fills b with the whole batch for one block on one branch: block hash, snapshot (its
 * flags = branch), moves, one alert about the first move, cursor. Returns 0 or an error. */
static inline int gen_batch_on(store_batch *b, uint64_t block, unsigned branch, unsigned every)
{
    int rc;
    store_batch_reset(b);
    rpc_hash32 h = hash_of(block, branch);
    rpc_hash32 parent = hash_of(block - 1, reorg_block(block - 1, every) ? 1 : 0);
    if ((rc = store_batch_block(b, block, &h, &parent)))
        return rc;
    store_pos_key k = gen_poskey(block);
    store_position p = gen_position(block);
    p.flags = (uint8_t)branch;
    if ((rc = store_batch_snapshot(b, &k, &p)))
        return rc;
    for (unsigned i = 0; i < moves_in(block); i++) {
        store_move m = gen_move_on(block, i, branch);
        if ((rc = store_batch_move(b, NULL, &m)))
            return rc;
    }
    if ((rc = store_batch_outbox(b, 1, 0, "x", 1)))
        return rc;
    store_batch_cursor(b, block, &h);
    return 0;
}

static inline int gen_batch(store_batch *b, uint64_t block)
{
    return gen_batch_on(b, block, 0, 0);
}

/* Field-by-field equality (structs have padding, so no memcmp of whole structs). */
static inline int move_eq(const store_move *a, const store_move *b)
{
    return a->seq == b->seq && a->kind == b->kind && a->flags == b->flags &&
           a->severity == b->severity && a->decimals == b->decimals && a->protocol == b->protocol &&
           a->log_index == b->log_index && a->block == b->block && a->block_time == b->block_time &&
           !memcmp(&a->block_hash, &b->block_hash, 32) && !memcmp(&a->tx_hash, &b->tx_hash, 32) &&
           !memcmp(&a->address, &b->address, 20) && !memcmp(&a->asset, &b->asset, 20) &&
           !memcmp(&a->counterparty, &b->counterparty, 20) && !memcmp(&a->amount, &b->amount, 32) &&
           !memcmp(&a->usd, &b->usd, 32) && !memcmp(&a->hf_before, &b->hf_before, 32) &&
           !memcmp(&a->hf_after, &b->hf_after, 32) && !memcmp(&a->liq_before, &b->liq_before, 32) &&
           !memcmp(&a->liq_after, &b->liq_after, 32) && a->retracts == b->retracts &&
           a->retracted_kind == b->retracted_kind && strcmp(a->entity, b->entity) == 0;
}

/* Compares a stored move with what gen_move made, ignoring seq. */
static inline int same_move(const store_move *got, uint64_t block, unsigned i)
{
    store_move want = gen_move(block, i);
    want.seq = got->seq;
    return move_eq(&want, got);
}

/* Follows the log of the workload entry by entry. Each transaction of the writer ends a
 * phase: the moves of a block (branch 0), the retractions of a reorged block, the moves of
 * its branch 1. A reader's view must end at a phase boundary. */
typedef struct follow {
    unsigned every;     /* reorg period, 0 = none */
    uint64_t block;     /* block of the current phase, 0 before the first entry */
    unsigned phase;     /* 0 moves, 1 retractions, 2 moves of branch 1 */
    unsigned index;     /* entries of this phase seen */
    uint64_t next_seq;  /* seq the next entry must have */
    uint64_t first_seq; /* seq of the current block's first branch-0 move */
} follow;

static inline void follow_init(follow *f, unsigned every)
{
    memset(f, 0, sizeof *f);
    f->every = every;
    f->next_seq = 1;
}

/* Advances over m. Returns 0 if m is the entry due next; -1 if not (f unchanged). Sets
 * *opens (may be NULL) when m begins a committed batch of moves. */
static inline int follow_move(follow *f, const store_move *m, int *opens)
{
    follow g = *f;
    if (g.block == 0) {
        g.block = 1;
        g.first_seq = g.next_seq;
    } else if (g.index == moves_in(g.block)) {
        if (reorg_block(g.block, g.every) && g.phase < 2) {
            g.phase++;
        } else {
            g.block++;
            g.phase = 0;
            g.first_seq = g.next_seq;
        }
        g.index = 0;
    }
    store_move want = gen_move_on(g.block, g.index, g.phase == 2);
    if (g.phase == 1) {
        want.retracts = g.first_seq + g.index;
        want.retracted_kind = want.kind;
        want.kind = STORE_KIND_RETRACTED;
    }
    want.seq = g.next_seq;
    store_move got = *m;
    if (g.phase == 0 && reorg_block(g.block, g.every))
        got.flags &= (uint16_t)~STORE_MOVE_RETRACTED; /* set once the retraction exists */
    if (!move_eq(&want, &got))
        return -1;
    if (opens)
        *opens = g.index == 0 && g.phase != 1;
    g.index++;
    g.next_seq++;
    *f = g;
    return 0;
}

/* Whether the entries so far end at a transaction boundary. */
static inline int follow_whole(const follow *f)
{
    return f->block == 0 || f->index == moves_in(f->block);
}

/* The cursor the store must have at this boundary: block and branch of its hash. */
static inline void follow_cursor(const follow *f, uint64_t *block, unsigned *branch)
{
    if (f->phase == 1) { /* rolled back to the block before */
        *block = f->block - 1;
        *branch = reorg_block(f->block - 1, f->every) ? 1 : 0;
    } else {
        *block = f->block;
        *branch = f->phase == 2;
    }
}

/* Starts WT_BUILD_DIR/tests/<prog> with args (NULL-terminated, without argv[0]); its
 * stdout goes to *out_fd (a pipe the caller reads and closes) when out_fd is not NULL.
 * Returns the pid, or -1. */
#ifdef WT_BUILD_DIR
#include <sys/types.h>
#include <sys/wait.h>
static inline pid_t spawn_prog(const char *prog, const char *const *args, int *out_fd)
{
    char path[1024];
    const char *argv[16];
    int p[2] = {-1, -1};
    size_t n = 0;
    snprintf(path, sizeof path, "%s/tests/%s", WT_BUILD_DIR, prog);
    argv[n++] = path;
    for (; args && *args && n < 15; args++)
        argv[n++] = *args;
    argv[n] = NULL;
    if (out_fd && pipe(p) != 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (out_fd) {
            dup2(p[1], 1);
            close(p[0]);
            close(p[1]);
        }
        execv(path, (char *const *)argv);
        _exit(127);
    }
    if (out_fd) {
        close(p[1]);
        *out_fd = pid > 0 ? p[0] : -1;
        if (pid < 0)
            close(p[0]);
    }
    return pid;
}

/* Reads everything from fd into buf (NUL-terminated), closes fd. */
static inline void read_all_fd(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    ssize_t r;
    while (n + 1 < cap && (r = read(fd, buf + n, cap - 1 - n)) > 0)
        n += (size_t)r;
    buf[n] = '\0';
    close(fd);
}

/* Waits for pid; returns its exit code, 128 + signal if killed, or -1. */
static inline int wait_exit(pid_t pid)
{
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : -1;
}
#endif

#endif
