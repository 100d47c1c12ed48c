/* bench/store_bench.c — what the store costs: moves appended per second, snapshot writes
 * per second, bytes per move on disk and a reader's scan rate, each beside a bare LMDB
 * loop doing the least the same job needs (mdb_put of the same encoded bytes under the same
 * keys, the same number per transaction; a cursor walk without decoding). Not a test.
 *
 * usage: store_bench [--moves N] [--batch B] [--sync] [--dir DIR] */
#include <errno.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, int rc)
{
    fprintf(stderr, "store_bench: %s: %s\n", what,
            rc < -1000 || rc > 0 ? mdb_strerror(rc) : store_strerror(rc));
    exit(1);
}

/* A plausible move: 200 watched addresses in 40 entities, amounts of 6 to 18 digits. */
static store_move make_move(uint64_t i, uint64_t block)
{
    store_move m;
    memset(&m, 0, sizeof m);
    uint64_t x = i * 0x9e3779b97f4a7c15ull;
    m.kind = (uint16_t)(1 + x % 13);
    m.flags = STORE_MOVE_VERIFIED | (x & 1 ? STORE_MOVE_HAS_HF : 0);
    m.severity = (uint8_t)(x >> 8 & 3);
    m.decimals = x & 2 ? 6 : 18;
    m.protocol = (uint32_t)(x >> 16 & 3);
    m.log_index = (uint32_t)(i % 300);
    m.block = block;
    m.block_time = 1700000000 + block * 12;
    for (int k = 0; k < 32; k++) {
        m.block_hash.b[k] = (uint8_t)(block * 31 + (uint64_t)k * 7);
        m.tx_hash.b[k] = (uint8_t)(x >> (k % 8) * 8) ^ (uint8_t)k;
    }
    memset(m.address.b, (int)(x >> 24 & 0xff), 20);
    m.address.b[0] = (uint8_t)(i % 200);
    memset(m.asset.b, 0xda, 20);
    m.amount.w[0] = (x >> 4) % 1000000000000000000ull;
    m.usd.w[0] = (x >> 12) % 10000000000000000ull;
    if (m.flags & STORE_MOVE_HAS_HF) {
        m.hf_before.w[0] = 1400000000000000000ull + x % 100000000000000000ull;
        m.hf_after.w[0] = 1400000000000000000ull + (x >> 3) % 100000000000000000ull;
        m.liq_before.w[0] = 180000000000ull + x % 10000000000ull;
        m.liq_after.w[0] = 180000000000ull + (x >> 5) % 10000000000ull;
    }
    snprintf(m.entity, sizeof m.entity, "Entity %u", (unsigned)(m.address.b[0] % 40));
    return m;
}

static store_pos_key make_poskey(uint64_t i)
{
    store_pos_key k;
    memset(&k, 0, sizeof k);
    memset(k.address.b, (int)(i % 1000 & 0xff), 20);
    k.address.b[0] = (uint8_t)(i % 1000 >> 8);
    k.protocol = 1;
    memset(k.asset.b, 0xc0, 20);
    return k;
}

static store_position make_position(uint64_t i, uint64_t block)
{
    store_position p;
    memset(&p, 0, sizeof p);
    p.block = block;
    p.block_time = 1700000000 + block * 12;
    p.decimals = 18;
    p.collateral.w[0] = i * 1000000007ull;
    p.debt.w[0] = i * 300000007ull;
    p.price.w[0] = 250000000000ull + i % 1000;
    p.hf.w[0] = 1400000000000000000ull + i;
    p.liq_threshold.w[0] = 8300;
    p.liq_price.w[0] = 180000000000ull + i;
    return p;
}

static uint64_t disk_bytes(const char *dir)
{
    char path[1024];
    struct stat st;
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    return stat(path, &st) == 0 ? (uint64_t)st.st_blocks * 512 : 0;
}

/* An LMDB directory holds data.mdb and lock.mdb only. */
static void remove_env(const char *dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/lock.mdb", dir);
    unlink(path);
    rmdir(dir);
}

static MDB_env *bare_open(const char *dir, int sync)
{
    MDB_env *env;
    int rc = mdb_env_create(&env);
    if (!rc)
        rc = mdb_env_set_mapsize(env, (size_t)1 << 34);
    if (!rc)
        rc = mdb_env_open(env, dir, sync ? 0 : MDB_NOSYNC, 0600);
    if (rc)
        die("bare open", rc);
    return env;
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

static void row(const char *what, double store_v, double bare_v, const char *unit)
{
    printf("%-28s %14.0f %14.0f   %10.2f  %s\n", what, store_v, bare_v,
           bare_v > 0 ? store_v / bare_v : 0.0, unit);
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v == 0)
        return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    uint64_t n = 200000, per = 100;
    int sync = 0;
    const char *base = "/tmp";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--sync")) {
            sync = 1;
        } else if (i + 1 < argc && !strcmp(argv[i], "--moves")) {
            if (parse_u64(argv[++i], &n))
                goto usage;
        } else if (i + 1 < argc && !strcmp(argv[i], "--batch")) {
            if (parse_u64(argv[++i], &per))
                goto usage;
        } else if (i + 1 < argc && !strcmp(argv[i], "--dir")) {
            base = argv[++i];
        } else {
            goto usage;
        }
    }
    char d_store[512], d_bare[512], d_snap[512], d_bsnap[512];
    snprintf(d_store, sizeof d_store, "%s/wt-bench-%d-moves", base, (int)getpid());
    snprintf(d_bare, sizeof d_bare, "%s/wt-bench-%d-bare", base, (int)getpid());
    snprintf(d_snap, sizeof d_snap, "%s/wt-bench-%d-snaps", base, (int)getpid());
    snprintf(d_bsnap, sizeof d_bsnap, "%s/wt-bench-%d-baresnaps", base, (int)getpid());
    if (mkdir(d_bare, 0700) || mkdir(d_bsnap, 0700)) {
        perror("store_bench: mkdir");
        return 1;
    }
    uint64_t batches = (n + per - 1) / per;
    n = batches * per;

    /* 1. Moves through the store: a batch per block, with cursor and block hash. */
    store *s;
    store_batch *b;
    char why[512];
    store_opts o = {.chain_id = 1, .nosync = !sync};
    int rc = store_open(&s, why, sizeof why, d_store, &o);
    if (rc) {
        fprintf(stderr, "store_bench: %s\n", why);
        return 1;
    }
    if ((rc = store_batch_new(&b, 0)))
        die("batch", rc);
    double t0 = now_s();
    for (uint64_t blk = 1, i = 0; blk <= batches; blk++) {
        store_batch_reset(b);
        rpc_hash32 h = {{0}};
        memcpy(h.b, &blk, sizeof blk);
        for (uint64_t k = 0; k < per; k++, i++) {
            store_move m = make_move(i, blk);
            if ((rc = store_batch_move(b, NULL, &m)))
                die("batch move", rc);
        }
        if ((rc = store_batch_block(b, blk, &h, &h)))
            die("batch block", rc);
        store_batch_cursor(b, blk, &h);
        if ((rc = store_commit(s, NULL, b)))
            die("commit", rc);
    }
    double t_store = now_s() - t0;

    /* 2. The same encoded records, bare: seq -> bytes, per puts per transaction. */
    MDB_env *env = bare_open(d_bare, sync);
    MDB_dbi dbi;
    MDB_txn *txn;
    uint8_t rec[STORE_MOVE_ENC_MAX], key[64];
    size_t len;
    t0 = now_s();
    for (uint64_t blk = 1, i = 0; blk <= batches; blk++) {
        if ((rc = mdb_txn_begin(env, NULL, 0, &txn)) || (rc = mdb_dbi_open(txn, NULL, 0, &dbi)))
            die("bare txn", rc);
        for (uint64_t k = 0; k < per; k++, i++) {
            store_move m = make_move(i, blk);
            if ((rc = store_move_encode(rec, sizeof rec, &len, &m)))
                die("encode", rc);
            for (int j = 0; j < 8; j++)
                key[j] = (uint8_t)((i + 1) >> (56 - 8 * j));
            MDB_val kv = {8, key}, vv = {len, rec};
            if ((rc = mdb_put(txn, dbi, &kv, &vv, MDB_APPEND)))
                die("bare put", rc);
        }
        if ((rc = mdb_txn_commit(txn)))
            die("bare commit", rc);
    }
    double t_bare = now_s() - t0;

    /* 3. Scans: the store's decoded moves vs a bare cursor walk over the same records. */
    struct count c = {0};
    t0 = now_s();
    if ((rc = store_moves_from(s, 1, 0, count_move, &c)) || c.n != n)
        die("scan", rc ? rc : STORE_ECORRUPT);
    double t_scan = now_s() - t0;
    MDB_cursor *cur = NULL;
    MDB_val kv, vv;
    uint64_t bytes = 0, seen = 0;
    t0 = now_s();
    if ((rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn)) || (rc = mdb_cursor_open(txn, dbi, &cur)))
        die("bare scan", rc);
    while (mdb_cursor_get(cur, &kv, &vv, MDB_NEXT) == 0) {
        bytes += ((const uint8_t *)vv.mv_data)[vv.mv_size - 1] + vv.mv_size;
        seen++;
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    double t_bscan = now_s() - t0;
    if (seen != n)
        die("bare scan count", STORE_ECORRUPT);
    store_close(s);
    mdb_env_close(env);
    uint64_t store_disk = disk_bytes(d_store), bare_disk = disk_bytes(d_bare);

    /* 4. Snapshots: per snapshots a batch (1000 positions, each snapshotted every block). */
    o.chain_id = 1;
    if ((rc = store_open(&s, why, sizeof why, d_snap, &o)))
        die(why, rc);
    t0 = now_s();
    for (uint64_t blk = 1, i = 0; blk <= batches; blk++) {
        store_batch_reset(b);
        rpc_hash32 h = {{0}};
        memcpy(h.b, &blk, sizeof blk);
        for (uint64_t k = 0; k < per; k++, i++) {
            store_pos_key pk = make_poskey(i);
            store_position p = make_position(i, blk);
            if ((rc = store_batch_snapshot(b, &pk, &p)))
                die("batch snapshot", rc);
        }
        store_batch_cursor(b, blk, &h);
        if ((rc = store_commit(s, NULL, b)))
            die("commit snapshots", rc);
    }
    double t_snap = now_s() - t0;
    store_close(s);
    env = bare_open(d_bsnap, sync);
    uint8_t prec[STORE_POS_ENC_MAX];
    t0 = now_s();
    for (uint64_t blk = 1, i = 0; blk <= batches; blk++) {
        if ((rc = mdb_txn_begin(env, NULL, 0, &txn)) || (rc = mdb_dbi_open(txn, NULL, 0, &dbi)))
            die("bare txn", rc);
        for (uint64_t k = 0; k < per; k++, i++) {
            store_pos_key pk = make_poskey(i);
            store_position p = make_position(i, blk);
            if ((rc = store_pos_encode(prec, sizeof prec, &len, &p)))
                die("encode", rc);
            memcpy(key, pk.address.b, 20); /* address | protocol | asset | block */
            for (int j = 0; j < 4; j++)
                key[20 + j] = (uint8_t)(pk.protocol >> (24 - 8 * j));
            memcpy(key + 24, pk.asset.b, 20);
            for (int j = 0; j < 8; j++)
                key[44 + j] = (uint8_t)(blk >> (56 - 8 * j));
            MDB_val kv2 = {52, key}, vv2 = {len, prec};
            if ((rc = mdb_put(txn, dbi, &kv2, &vv2, 0)))
                die("bare put", rc);
        }
        if ((rc = mdb_txn_commit(txn)))
            die("bare commit", rc);
    }
    double t_bsnap = now_s() - t0;
    mdb_env_close(env);
    store_batch_free(b);

    store_move one = make_move(1, 1);
    if ((rc = store_move_encode(rec, sizeof rec, &len, &one)))
        die("encode", rc);
    printf("store_bench: %llu moves and %llu snapshots, %llu per transaction, %s\n",
           (unsigned long long)n, (unsigned long long)n, (unsigned long long)per,
           sync ? "fsync on commit" : "no fsync (--sync to include it)");
    printf("%-28s %14s %14s   %6s\n", "", "store", "bare mdb_put", "store/bare");
    row("moves appended / s", n / t_store, n / t_bare,
        "store: 4 puts a move (log, live, address and entity indexes)");
    row("snapshot writes / s", n / t_snap, n / t_bsnap,
        "store: 3 puts (snapshot, by-block, latest)");
    row("bytes per move on disk", (double)store_disk / n, (double)bare_disk / n,
        "data.mdb blocks / moves");
    row("reader scan moves / s", n / t_scan, n / t_bscan,
        "store decodes and checks retraction; bare only walks");
    printf("one encoded move record: %zu bytes; bare scan checksum %llu\n", len,
           (unsigned long long)bytes);
    const char *dirs[] = {d_store, d_bare, d_snap, d_bsnap};
    for (size_t i = 0; i < 4; i++)
        remove_env(dirs[i]);
    return 0;
usage:
    fprintf(stderr, "usage: store_bench [--moves N] [--batch B] [--sync] [--dir DIR]\n");
    return 2;
}
