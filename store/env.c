/* store/env.c — opening a data directory: one LMDB environment, its named databases and
 * the meta record (schema, chain, genesis). An existing data file is checked read-only
 * before any read-write open, so a file that is not ours is never written to. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "store/internal.h"

enum { DEFAULT_MAP = 16u << 20, DEFAULT_KEEP_BLOCKS = 1024, MAX_DBS = 16 };
#define DEFAULT_MAP_MAX ((size_t)1 << 40)

const char *store_strerror(int err)
{
    switch (err) {
#define STORE_ERR_CASE_(name, code, text)                                                          \
    case (code):                                                                                   \
        return text;
        STORE_ERRORS(STORE_ERR_CASE_)
#undef STORE_ERR_CASE_
    }
    return "unknown error";
}

int store__err(int rc)
{
    if (rc <= 0 && rc > -1000)
        return rc; /* already ours (LMDB's codes are near -30800) */
    switch (rc) {
    case MDB_INVALID:
    case MDB_VERSION_MISMATCH:
        return STORE_EFOREIGN;
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_INCOMPATIBLE:
    case MDB_BAD_VALSIZE:
        return STORE_ECORRUPT;
    case MDB_NOTFOUND:
        return STORE_ENOTFOUND;
    case MDB_MAP_FULL:
        return STORE_EMAPFULL;
    case MDB_TXN_FULL:
    case MDB_CURSOR_FULL:
    case MDB_PAGE_FULL:
        return STORE_ETOO_LARGE;
    case MDB_READERS_FULL:
    case MDB_TLS_FULL:
        return STORE_EBUSY;
    case ENOSPC:
    case EFBIG:
    case EDQUOT:
        return STORE_EDISKFULL;
    case ENOMEM:
        return STORE_ENOMEM;
    case EACCES:
    case EPERM:
    case EROFS:
    case EIO:
    case ENOENT:
    case ENOTDIR:
        return STORE_EIO;
    case EAGAIN:
    case EBUSY:
        return STORE_EBUSY;
    default:
        return STORE_ELMDB;
    }
}

int store__read_begin(store *s, MDB_txn **txn)
{
    int rc = 0;
    *txn = NULL;
    for (int tries = 0; tries < 4; tries++) {
        rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, txn);
        if (rc != MDB_MAP_RESIZED)
            break;
        /* Another process grew the map past ours: adopt its size and try again. */
        *txn = NULL;
        rc = mdb_env_set_mapsize(s->env, 0);
        if (rc)
            break;
    }
    if (rc)
        *txn = NULL;
    return store__err(rc);
}

static int grow_map(store *s)
{
    MDB_envinfo ei;
    int rc = mdb_env_info(s->env, &ei);
    if (rc)
        return store__err(rc);
    size_t cur = ei.me_mapsize > s->map_size ? ei.me_mapsize : s->map_size;
    if (cur >= s->map_max)
        return STORE_EMAPFULL;
    size_t next = cur > s->map_max / 2 ? s->map_max : cur * 2;
    rc = mdb_env_set_mapsize(s->env, next);
    if (rc)
        return store__err(rc);
    s->map_size = next;
    return 0;
}

/* LMDB reports a short write as EIO, and a full disk or a file size limit usually shows
 * as a short write. Tell them apart by looking at the room left afterwards. */
static int commit_error(store *s, int rc)
{
    if (rc != EIO)
        return store__err(rc);
    struct stat st;
    struct rlimit rl;
    struct statvfs vfs;
    if (stat(s->data_path, &st) == 0 && getrlimit(RLIMIT_FSIZE, &rl) == 0 &&
        rl.rlim_cur != RLIM_INFINITY && (uint64_t)st.st_size + (1u << 16) > rl.rlim_cur)
        return STORE_EDISKFULL;
    if (statvfs(s->data_path, &vfs) == 0 && (uint64_t)vfs.f_bavail * vfs.f_frsize < (1u << 20))
        return STORE_EDISKFULL;
    return STORE_EIO;
}

int store__write(store *s, store__apply_fn apply, void *arg)
{
    if (s->readonly)
        return STORE_ERDONLY;
    for (;;) {
        MDB_txn *txn = NULL;
        int rc = mdb_txn_begin(s->env, NULL, 0, &txn);
        if (rc == MDB_MAP_RESIZED) {
            rc = mdb_env_set_mapsize(s->env, 0);
            if (rc)
                return store__err(rc);
            continue;
        }
        if (rc)
            return store__err(rc);
        rc = apply(s, txn, arg);
        if (rc == 0)
            rc = mdb_txn_commit(txn); /* frees txn whatever the outcome */
        else
            mdb_txn_abort(txn);
        if (rc == MDB_MAP_FULL) {
            rc = grow_map(s);
            if (rc)
                return rc;
            continue;
        }
        return commit_error(s, rc);
    }
}

int store__last_seq(store *s, MDB_txn *txn, uint64_t *seq)
{
    MDB_cursor *c = NULL;
    MDB_val k, v;
    *seq = 0;
    int rc = mdb_cursor_open(txn, s->moves, &c);
    if (rc)
        return store__err(rc);
    rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
    mdb_cursor_close(c);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc)
        return store__err(rc);
    if (k.mv_size != 8)
        return STORE_ECORRUPT;
    *seq = be_get64(k.mv_data);
    return 0;
}

static void say(char *why, size_t why_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void say(char *why, size_t why_len, const char *fmt, ...)
{
    if (!why || why_len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, why_len, fmt, ap);
    va_end(ap);
}

static void hex32(char out[67], const rpc_hash32 *h)
{
    static const char d[] = "0123456789abcdef";
    out[0] = '0';
    out[1] = 'x';
    for (int i = 0; i < 32; i++) {
        out[2 + 2 * i] = d[h->b[i] >> 4];
        out[3 + 2 * i] = d[h->b[i] & 15];
    }
    out[66] = '\0';
}

static int meta_get(store *s, MDB_txn *txn, const char *name, void *out, size_t len)
{
    MDB_val k = {strlen(name), (void *)name}, v;
    int rc = mdb_get(txn, s->meta, &k, &v);
    if (rc)
        return rc;
    if (v.mv_size != len)
        return MDB_CORRUPTED;
    memcpy(out, v.mv_data, len);
    return 0;
}

static int meta_put(store *s, MDB_txn *txn, const char *name, const void *val, size_t len)
{
    MDB_val k = {strlen(name), (void *)name}, v = {len, (void *)val};
    return mdb_put(txn, s->meta, &k, &v, 0);
}

static int read_meta(store *s, MDB_txn *txn, store_info *info)
{
    uint8_t b4[4], b8[8];
    int rc = meta_get(s, txn, "schema", b4, 4);
    if (rc)
        return rc;
    info->schema = be_get32(b4);
    if (info->schema != STORE_SCHEMA_VERSION)
        return 0; /* the caller refuses it; the other keys may differ in another schema */
    if ((rc = meta_get(s, txn, "chain_id", b8, 8)))
        return rc;
    info->chain_id = be_get64(b8);
    if ((rc = meta_get(s, txn, "genesis", info->genesis.b, 32)))
        return rc;
    if ((rc = meta_get(s, txn, "created", b8, 8)))
        return rc;
    info->created = be_get64(b8);
    return 0;
}

static int write_meta(store *s, MDB_txn *txn, const store_opts *o)
{
    uint8_t b4[4], b8[8];
    be_put32(b4, STORE_SCHEMA_VERSION);
    int rc = meta_put(s, txn, "schema", b4, 4);
    be_put64(b8, o->chain_id);
    if (!rc)
        rc = meta_put(s, txn, "chain_id", b8, 8);
    if (!rc)
        rc = meta_put(s, txn, "genesis", o->genesis.b, 32);
    be_put64(b8, (uint64_t)time(NULL));
    if (!rc)
        rc = meta_put(s, txn, "created", b8, 8);
    be_put64(b8, 1);
    if (!rc)
        rc = meta_put(s, txn, "outbox_next", b8, 8);
    return rc;
}

/* Opens (create: creates) every named database. Returns an LMDB code. */
static int open_dbs(store *s, MDB_txn *txn, unsigned flags)
{
    static const struct {
        const char *name;
        size_t off;
    } dbs[] = {
        {"meta", offsetof(store, meta)},         {"cursor", offsetof(store, cursor)},
        {"blocks", offsetof(store, blocks)},     {"snapshots", offsetof(store, snaps)},
        {"snapblk", offsetof(store, snapblk)},   {"poslatest", offsetof(store, poslatest)},
        {"moves", offsetof(store, moves)},       {"live", offsetof(store, live)},
        {"idx_addr", offsetof(store, idx_addr)}, {"idx_entity", offsetof(store, idx_entity)},
        {"outbox", offsetof(store, outbox)},
    };
    for (size_t i = 0; i < sizeof dbs / sizeof dbs[0]; i++) {
        MDB_dbi *dbi = (MDB_dbi *)((char *)s + dbs[i].off);
        int rc = mdb_dbi_open(txn, dbs[i].name, flags, dbi);
        if (rc)
            return rc;
    }
    return 0;
}

/* Outcome of looking inside an environment. */
enum verdict { V_OURS, V_EMPTY };

/* check_env: decides whether the open environment is an empty one (a creation that
 * crashed before its first commit), or our store for the wanted chain. Read-only. */
static int check_env(store *s, enum verdict *verdict, char *why, size_t why_len, const char *dir,
                     const store_opts *o)
{
    MDB_txn *txn = NULL;
    MDB_dbi main_db;
    MDB_stat st;
    store_info info = {0};
    int rc = store__read_begin(s, &txn);
    if (rc) {
        say(why, why_len, "%s: cannot read the store: %s", dir, store_strerror(rc));
        return rc;
    }
    rc = mdb_dbi_open(txn, NULL, 0, &main_db);
    if (!rc)
        rc = mdb_stat(txn, main_db, &st);
    if (rc)
        goto lmdb_fail;
    if (st.ms_entries == 0) {
        mdb_txn_abort(txn);
        *verdict = V_EMPTY;
        return 0;
    }
    rc = mdb_dbi_open(txn, "meta", 0, &s->meta);
    if (rc == MDB_NOTFOUND || rc == MDB_INCOMPATIBLE) {
        mdb_txn_abort(txn);
        say(why, why_len,
            "%s: holds an LMDB database that is not a whaletrack store; choose an empty "
            "--data-dir",
            dir);
        return STORE_EFOREIGN;
    }
    if (!rc)
        rc = read_meta(s, txn, &info);
    if (rc == MDB_NOTFOUND) {
        mdb_txn_abort(txn);
        say(why, why_len,
            "%s: the store's meta record is missing; it is damaged or not a whaletrack store", dir);
        return STORE_ECORRUPT;
    }
    if (rc)
        goto lmdb_fail;
    if (info.schema != STORE_SCHEMA_VERSION) {
        mdb_txn_abort(txn);
        say(why, why_len,
            "%s: written by store schema %u, this whaletrack reads schema %u; run the "
            "whaletrack that wrote it, or start over in a new --data-dir",
            dir, (unsigned)info.schema, (unsigned)STORE_SCHEMA_VERSION);
        return STORE_ESCHEMA;
    }
    if (o->chain_id != 0 &&
        (info.chain_id != o->chain_id || memcmp(&info.genesis, &o->genesis, 32) != 0)) {
        char have[67], want[67];
        hex32(have, &info.genesis);
        hex32(want, &o->genesis);
        mdb_txn_abort(txn);
        say(why, why_len,
            "%s: holds chain %llu (genesis %s), but the node serves chain %llu (genesis %s); "
            "point --rpc at the right chain or use another --data-dir",
            dir, (unsigned long long)info.chain_id, have, (unsigned long long)o->chain_id, want);
        return STORE_ECHAIN;
    }
    rc = open_dbs(s, txn, 0);
    if (rc == MDB_NOTFOUND)
        rc = MDB_CORRUPTED; /* schema 1 creates every database with its meta record */
    if (rc)
        goto lmdb_fail;
    rc = mdb_dbi_open(txn, "sent", 0, &s->sent); /* later than schema 1: may be missing */
    s->has_sent = rc == 0;
    if (rc == MDB_NOTFOUND)
        rc = 0;
    if (rc)
        goto lmdb_fail;
    rc = mdb_txn_commit(txn); /* keeps the database handles */
    txn = NULL;
    if (rc)
        goto lmdb_fail;
    *verdict = V_OURS;
    return 0;
lmdb_fail:
    if (txn)
        mdb_txn_abort(txn);
    rc = store__err(rc);
    say(why, why_len, "%s: %s (%s)", dir, store_strerror(rc), mdb_strerror(rc));
    return rc;
}

/* The data file must cover every page its meta page claims; a truncated file would
 * otherwise fault (SIGBUS) when LMDB touches a missing page through the map. */
static int check_length(store *s, char *why, size_t why_len, const char *dir)
{
    MDB_envinfo ei;
    MDB_stat st;
    struct stat fs;
    int rc = mdb_env_info(s->env, &ei);
    if (!rc)
        rc = mdb_env_stat(s->env, &st);
    if (rc) {
        rc = store__err(rc);
        say(why, why_len, "%s: %s", dir, store_strerror(rc));
        return rc;
    }
    if (stat(s->data_path, &fs) != 0) {
        say(why, why_len, "%s: %s", s->data_path, strerror(errno));
        return STORE_EIO;
    }
    if ((uint64_t)fs.st_size < ((uint64_t)ei.me_last_pgno + 1) * st.ms_psize) {
        say(why, why_len,
            "%s: the data file is shorter than its own header says (truncated?); restore a "
            "backup or start over in a new --data-dir",
            s->data_path);
        return STORE_ECORRUPT;
    }
    return 0;
}

static int env_open(store *s, char *why, size_t why_len, const char *dir, unsigned flags)
{
    int rc = mdb_env_create(&s->env);
    if (!rc)
        rc = mdb_env_set_maxdbs(s->env, MAX_DBS);
    if (!rc)
        rc = mdb_env_set_mapsize(s->env, s->map_size);
    if (!rc)
        rc = mdb_env_open(s->env, dir, flags | MDB_NOTLS, 0600);
    if (rc) {
        int err = store__err(rc);
        if (rc == ENOENT && (flags & MDB_RDONLY))
            err = STORE_ENOTFOUND;
        say(why, why_len, "%s: cannot open the store: %s (%s)", dir, store_strerror(err),
            mdb_strerror(rc));
        mdb_env_close(s->env);
        s->env = NULL;
        return err;
    }
    int dead = 0;
    (void)mdb_reader_check(s->env, &dead); /* clears slots of readers that died */
    MDB_envinfo ei;
    if (mdb_env_info(s->env, &ei) == 0 && ei.me_mapsize > s->map_size)
        s->map_size = ei.me_mapsize;
    return 0;
}

static void env_close(store *s)
{
    if (s->env)
        mdb_env_close(s->env);
    s->env = NULL;
}

static int create_dbs(store *s, MDB_txn *txn, void *arg)
{
    const store_opts *o = arg;
    int rc = open_dbs(s, txn, MDB_CREATE);
    if (!rc) /* added after schema 1 shipped: a writer adds it to an older store */
        rc = mdb_dbi_open(txn, "sent", MDB_CREATE, &s->sent);
    if (rc)
        return rc;
    s->has_sent = 1;
    uint8_t b4[4];
    rc = meta_get(s, txn, "schema", b4, 4);
    if (rc == MDB_NOTFOUND)
        return write_meta(s, txn, o); /* empty environment: this is the store's birth */
    return rc;
}

int store_open(store **out, char *why, size_t why_len, const char *dir, const store_opts *opts)
{
    store *s = NULL;
    int rc;
    struct stat st;
    say(why, why_len, "%s", "");
    *out = NULL;
    if (!dir || !opts || (!opts->readonly && opts->chain_id == 0) ||
        (opts->map_max && opts->map_size > opts->map_max)) {
        say(why, why_len, "store_open: invalid arguments");
        return STORE_EINVAL;
    }
    s = calloc(1, sizeof *s);
    if (!s)
        return STORE_ENOMEM;
    s->notify_fd = -1;
    s->readonly = opts->readonly != 0;
    s->map_size = opts->map_size ? opts->map_size : DEFAULT_MAP;
    s->map_max = opts->map_max ? opts->map_max : DEFAULT_MAP_MAX;
    s->keep_blocks = opts->keep_blocks ? opts->keep_blocks : DEFAULT_KEEP_BLOCKS;
    size_t plen = strlen(dir) + sizeof "/data.mdb";
    s->data_path = malloc(plen);
    if (!s->data_path) {
        rc = STORE_ENOMEM;
        goto fail;
    }
    snprintf(s->data_path, plen, "%s/data.mdb", dir);

    if (!s->readonly && mkdir(dir, 0700) != 0 && errno != EEXIST) {
        say(why, why_len, "%s: cannot create the data directory: %s", dir, strerror(errno));
        rc = STORE_EIO;
        goto fail;
    }
    int exists = stat(s->data_path, &st) == 0 && st.st_size > 0;
    if (!exists && s->readonly) {
        say(why, why_len, "%s: no whaletrack store here; start `whaletrack run` first", dir);
        rc = STORE_ENOTFOUND;
        goto fail;
    }
    enum verdict verdict = V_EMPTY;
    if (exists) {
        /* Look before touching: a read-only environment never writes the data file, and
         * with no lock file nobody has the store open, so the look need not create one. */
        char lock_path[4096];
        snprintf(lock_path, sizeof lock_path, "%s/lock.mdb", dir);
        int locked = stat(lock_path, &st) == 0;
        rc = env_open(s, why, why_len, dir, MDB_RDONLY | (locked ? 0 : MDB_NOLOCK));
        if (!rc)
            rc = check_length(s, why, why_len, dir);
        if (!rc)
            rc = check_env(s, &verdict, why, why_len, dir, opts);
        if (rc)
            goto fail;
        if (s->readonly && verdict == V_EMPTY) {
            say(why, why_len, "%s: the store is still being created; try again", dir);
            rc = STORE_ENOTFOUND;
            goto fail;
        }
        if (s->readonly && locked) {
            *out = s;
            return 0;
        }
        if (s->readonly) { /* a reader beside a writer that may start needs the locks */
            env_close(s);
            rc = env_open(s, why, why_len, dir, MDB_RDONLY);
            if (!rc)
                rc = check_env(s, &verdict, why, why_len, dir, opts);
            if (rc)
                goto fail;
            *out = s;
            return 0;
        }
        env_close(s); /* one environment per file per process: close before reopening */
    }
    rc = env_open(s, why, why_len, dir, opts->nosync ? MDB_NOSYNC : 0);
    if (rc)
        goto fail;
    rc = store__write(s, create_dbs, (void *)opts);
    if (rc) {
        say(why, why_len, "%s: cannot initialise the store: %s", dir, store_strerror(rc));
        goto fail;
    }
    if (!exists || verdict == V_EMPTY) {
        /* Created just now: the check above did not run, or saw an empty environment. */
        rc = check_env(s, &verdict, why, why_len, dir, opts);
        if (rc)
            goto fail;
    }
    *out = s;
    return 0;
fail:
    store_close(s);
    return rc;
}

void store_close(store *s)
{
    if (!s)
        return;
    if (s->notify_fd >= 0)
        close(s->notify_fd);
    env_close(s);
    free(s->data_path);
    free(s);
}

static int cursor_read(store *s, MDB_txn *txn, store_info *info)
{
    MDB_val k = {6, "cursor"}, v;
    int rc = mdb_get(txn, s->cursor, &k, &v);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc)
        return rc;
    if (v.mv_size != CURSOR_VAL_LEN)
        return MDB_CORRUPTED;
    info->has_cursor = 1;
    info->cursor_block = be_get64(v.mv_data);
    memcpy(info->cursor_hash.b, (uint8_t *)v.mv_data + 8, 32);
    return 0;
}

int store_info_get(store *s, store_info *info)
{
    MDB_txn *txn = NULL;
    memset(info, 0, sizeof *info);
    int rc = store__read_begin(s, &txn);
    if (rc)
        return rc;
    rc = read_meta(s, txn, info);
    if (!rc)
        rc = cursor_read(s, txn, info);
    if (!rc)
        rc = store__last_seq(s, txn, &info->last_seq);
    mdb_txn_abort(txn);
    MDB_envinfo ei;
    if (!rc && (rc = mdb_env_info(s->env, &ei)) == 0)
        info->map_size = ei.me_mapsize;
    if (rc) {
        memset(info, 0, sizeof *info);
        return store__err(rc);
    }
    return 0;
}

int store_block_get(store *s, rpc_hash32 *hash, rpc_hash32 *parent, uint64_t number)
{
    MDB_txn *txn = NULL;
    uint8_t kb[8];
    be_put64(kb, number);
    MDB_val k = {8, kb}, v;
    int rc = store__read_begin(s, &txn);
    if (rc)
        goto fail;
    rc = mdb_get(txn, s->blocks, &k, &v);
    if (!rc && v.mv_size != BLOCK_VAL_LEN)
        rc = MDB_CORRUPTED;
    if (!rc) {
        if (hash)
            memcpy(hash->b, v.mv_data, 32);
        if (parent)
            memcpy(parent->b, (uint8_t *)v.mv_data + 32, 32);
    }
    mdb_txn_abort(txn);
    if (rc)
        goto fail;
    return 0;
fail:
    if (hash)
        memset(hash, 0, sizeof *hash);
    if (parent)
        memset(parent, 0, sizeof *parent);
    return store__err(rc);
}
