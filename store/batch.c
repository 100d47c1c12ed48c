/* store/batch.c — the writer: a batch is built in memory as a list of encoded entries,
 * then applied in one write transaction. The batch is never changed by applying it, so a
 * transaction aborted for a full map can be replayed after the map grows. */
#include <stdlib.h>

#include "store/internal.h"

enum { E_BLOCK = 1, E_SNAP, E_MOVE, E_OUTBOX };
enum { DEFAULT_BATCH_CAP = 64u << 20, PAYLOAD_MAX = 4096 };

struct store_batch {
    uint8_t *buf; /* entries: type u8 | len u32 (host order) | body */
    size_t len, alloc, cap;
    size_t n_moves;
    int has_cursor;
    uint64_t cursor_block;
    rpc_hash32 cursor_hash;
};

/* Entry bodies:
 *   E_BLOCK  number u64 | hash 32 | parent 32
 *   E_SNAP   poskey 44 | block u64 | position record
 *   E_MOVE   block u64 | address 20 | entity key (len u8 | name) | move record
 *   E_OUTBOX sink u32 | move index u64 | payload */

int store_batch_new(store_batch **out, size_t cap)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return STORE_ENOMEM;
    (*out)->cap = cap ? cap : DEFAULT_BATCH_CAP;
    return 0;
}

void store_batch_free(store_batch *b)
{
    if (!b)
        return;
    free(b->buf);
    free(b);
}

void store_batch_reset(store_batch *b)
{
    b->len = 0;
    b->n_moves = 0;
    b->has_cursor = 0;
    b->cursor_block = 0;
    memset(&b->cursor_hash, 0, sizeof b->cursor_hash);
}

void store_batch_cursor(store_batch *b, uint64_t number, const rpc_hash32 *hash)
{
    b->has_cursor = 1;
    b->cursor_block = number;
    b->cursor_hash = *hash;
}

/* Reserves an entry of body length n; returns a pointer to its body or NULL (*rc set). */
static uint8_t *entry(store_batch *b, int *rc, uint8_t type, size_t n)
{
    size_t need = 1 + 4 + n;
    if (n > UINT32_MAX || need > b->cap - b->len) {
        *rc = STORE_ETOO_LARGE;
        return NULL;
    }
    if (b->len + need > b->alloc) {
        size_t a = b->alloc ? b->alloc : 4096;
        while (a < b->len + need)
            a *= 2;
        if (a > b->cap)
            a = b->cap;
        uint8_t *p = realloc(b->buf, a);
        if (!p) {
            *rc = STORE_ENOMEM;
            return NULL;
        }
        b->buf = p;
        b->alloc = a;
    }
    uint8_t *e = b->buf + b->len;
    uint32_t n32 = (uint32_t)n;
    e[0] = type;
    memcpy(e + 1, &n32, 4);
    b->len += need;
    *rc = 0;
    return e + 5;
}

int store_batch_block(store_batch *b, uint64_t number, const rpc_hash32 *hash,
                      const rpc_hash32 *parent)
{
    int rc;
    uint8_t *e = entry(b, &rc, E_BLOCK, 8 + BLOCK_VAL_LEN);
    if (!e)
        return rc;
    be_put64(e, number);
    memcpy(e + 8, hash->b, 32);
    memcpy(e + 40, parent->b, 32);
    return 0;
}

int store_batch_snapshot(store_batch *b, const store_pos_key *key, const store_position *p)
{
    uint8_t rec[STORE_POS_ENC_MAX];
    size_t n;
    int rc = store_pos_encode(rec, sizeof rec, &n, p);
    if (rc)
        return rc;
    uint8_t *e = entry(b, &rc, E_SNAP, POSKEY_LEN + 8 + n);
    if (!e)
        return rc;
    poskey_put(e, key);
    be_put64(e + POSKEY_LEN, p->block);
    memcpy(e + POSKEY_LEN + 8, rec, n);
    return 0;
}

size_t store__entity_key(uint8_t *key, const char *name)
{
    size_t n = strnlen(name, STORE_NAME_MAX + 1);
    if (n > STORE_NAME_MAX)
        return 0;
    key[0] = (uint8_t)n;
    memcpy(key + 1, name, n);
    return 1 + n;
}

int store_batch_move(store_batch *b, size_t *index, const store_move *m)
{
    uint8_t rec[STORE_MOVE_ENC_MAX], ek[1 + STORE_NAME_MAX];
    size_t n, ekn;
    int rc;
    if (index)
        *index = 0;
    if (m->kind == STORE_KIND_RETRACTED || !(ekn = store__entity_key(ek, m->entity)))
        return STORE_EINVAL;
    rc = store_move_encode(rec, sizeof rec, &n, m);
    if (rc)
        return rc;
    uint8_t *e = entry(b, &rc, E_MOVE, 8 + 20 + ekn + n);
    if (!e)
        return rc;
    be_put64(e, m->block);
    memcpy(e + 8, m->address.b, 20);
    memcpy(e + 28, ek, ekn);
    memcpy(e + 28 + ekn, rec, n);
    if (index)
        *index = b->n_moves;
    b->n_moves++;
    return 0;
}

int store_batch_outbox(store_batch *b, uint32_t sink, size_t move_index, const void *payload,
                       size_t len)
{
    int rc;
    if (move_index >= b->n_moves || (len && !payload))
        return STORE_EINVAL;
    if (len == STORE__RETRACT_TAG_LEN && memcmp(payload, STORE__RETRACT_TAG, len) == 0)
        return STORE_EINVAL;
    if (len > PAYLOAD_MAX)
        return STORE_ETOO_LARGE;
    uint8_t *e = entry(b, &rc, E_OUTBOX, 12 + len);
    if (!e)
        return rc;
    be_put32(e, sink);
    be_put64(e + 4, (uint64_t)move_index);
    if (len)
        memcpy(e + 12, payload, len);
    return 0;
}

static int put(MDB_txn *txn, MDB_dbi dbi, const void *k, size_t kn, const void *v, size_t vn,
               unsigned flags)
{
    MDB_val key = {kn, (void *)k}, val = {vn, (void *)v};
    return mdb_put(txn, dbi, &key, &val, flags);
}

int store__put_indexes(store *s, MDB_txn *txn, const store_move *m)
{
    uint8_t k[1 + STORE_NAME_MAX + 16];
    memcpy(k, m->address.b, 20);
    be_put64(k + 20, m->block);
    be_put64(k + 28, m->seq);
    int rc = put(txn, s->idx_addr, k, 36, "", 0, 0);
    if (rc || m->entity[0] == '\0')
        return rc;
    size_t n = store__entity_key(k, m->entity);
    if (n == 0)
        return STORE_EINVAL;
    be_put64(k + n, m->block);
    be_put64(k + n + 8, m->seq);
    return put(txn, s->idx_entity, k, n + 16, "", 0, 0);
}

static int apply_snapshot(store *s, MDB_txn *txn, const uint8_t *e, size_t n)
{
    uint8_t k[POSKEY_LEN + 8], bk[8 + POSKEY_LEN];
    memcpy(k, e, POSKEY_LEN + 8);
    memcpy(bk, e + POSKEY_LEN, 8);
    memcpy(bk + 8, e, POSKEY_LEN);
    int rc = put(txn, s->snaps, k, sizeof k, e + POSKEY_LEN + 8, n - POSKEY_LEN - 8, 0);
    if (!rc)
        rc = put(txn, s->snapblk, bk, sizeof bk, "", 0, 0);
    if (rc)
        return rc;
    MDB_val key = {POSKEY_LEN, (void *)e}, val;
    rc = mdb_get(txn, s->poslatest, &key, &val);
    if (rc == 0 && val.mv_size == 8 && be_get64(val.mv_data) > be_get64(e + POSKEY_LEN))
        return 0; /* an older snapshot arriving late does not replace the latest */
    if (rc && rc != MDB_NOTFOUND)
        return rc;
    return put(txn, s->poslatest, e, POSKEY_LEN, e + POSKEY_LEN, 8, 0);
}

static int apply_move(store *s, MDB_txn *txn, const uint8_t *e, size_t n, uint64_t seq)
{
    uint8_t sk[8], lk[16], k[1 + STORE_NAME_MAX + 16];
    size_t ekn = 1 + (size_t)e[28];
    be_put64(sk, seq);
    int rc = put(txn, s->moves, sk, 8, e + 28 + ekn, n - 28 - ekn, MDB_APPEND);
    if (rc)
        return rc;
    memcpy(lk, e, 8); /* block */
    memcpy(lk + 8, sk, 8);
    rc = put(txn, s->live, lk, 16, "", 0, MDB_APPEND); /* the usual case: blocks in order */
    if (rc == MDB_KEYEXIST)
        rc = put(txn, s->live, lk, 16, "", 0, 0); /* a move of an older block */
    memcpy(k, e + 8, 20);                         /* address | block | seq */
    memcpy(k + 20, lk, 16);
    if (!rc)
        rc = put(txn, s->idx_addr, k, 36, "", 0, 0);
    if (rc || e[28] == 0)
        return rc;
    memcpy(k, e + 28, ekn); /* len | name | block | seq */
    memcpy(k + ekn, lk, 16);
    return put(txn, s->idx_entity, k, ekn + 16, "", 0, 0);
}

static int next_outbox_id(store *s, MDB_txn *txn, uint64_t *id)
{
    MDB_val k = {11, "outbox_next"}, v;
    int rc = mdb_get(txn, s->meta, &k, &v);
    if (rc)
        return rc;
    if (v.mv_size != 8)
        return MDB_CORRUPTED;
    *id = be_get64(v.mv_data);
    return 0;
}

static int prune_blocks(store *s, MDB_txn *txn, uint64_t cursor)
{
    if (cursor <= s->keep_blocks)
        return 0;
    uint64_t below = cursor - s->keep_blocks;
    MDB_cursor *c = NULL;
    MDB_val k, v;
    int rc = mdb_cursor_open(txn, s->blocks, &c);
    while (!rc && (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST)) == 0) {
        if (k.mv_size != 8 || be_get64(k.mv_data) >= below)
            break;
        rc = mdb_cursor_del(c, 0);
    }
    if (c)
        mdb_cursor_close(c);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

struct commit_arg {
    const store_batch *b;
    uint64_t first_seq;
};

static int apply_batch(store *s, MDB_txn *txn, void *arg)
{
    struct commit_arg *a = arg;
    const store_batch *b = a->b;
    uint64_t last, outbox_id = 0;
    a->first_seq = 0;
    MDB_val ck = {6, "cursor"}, cv;
    int rc = mdb_get(txn, s->cursor, &ck, &cv);
    if (rc == 0 && b->has_cursor) {
        if (cv.mv_size != CURSOR_VAL_LEN)
            return MDB_CORRUPTED;
        if (b->cursor_block <= be_get64(cv.mv_data))
            return STORE_ECURSOR;
    } else if (rc && rc != MDB_NOTFOUND) {
        return rc;
    }
    if ((rc = store__last_seq(s, txn, &last)))
        return rc;
    if (b->n_moves)
        a->first_seq = last + 1;
    for (size_t off = 0; off < b->len;) {
        uint8_t type = b->buf[off];
        uint32_t n;
        memcpy(&n, b->buf + off + 1, 4);
        const uint8_t *e = b->buf + off + 5;
        off += 5 + n;
        switch (type) {
        case E_BLOCK:
            rc = put(txn, s->blocks, e, 8, e + 8, BLOCK_VAL_LEN, 0);
            break;
        case E_SNAP:
            rc = apply_snapshot(s, txn, e, n);
            break;
        case E_MOVE:
            rc = apply_move(s, txn, e, n, ++last);
            break;
        case E_OUTBOX: {
            uint8_t ik[8], v[OUTBOX_HDR_LEN + PAYLOAD_MAX];
            if (!outbox_id && (rc = next_outbox_id(s, txn, &outbox_id)))
                break;
            be_put64(ik, outbox_id++);
            memcpy(v, e, 4);
            be_put64(v + 4, a->first_seq + be_get64(e + 4));
            memcpy(v + OUTBOX_HDR_LEN, e + 12, n - 12);
            rc = put(txn, s->outbox, ik, 8, v, OUTBOX_HDR_LEN + n - 12, MDB_APPEND);
            break;
        }
        default:
            rc = STORE_EINVAL;
        }
        if (rc)
            return rc;
    }
    if (outbox_id) {
        uint8_t nb[8];
        be_put64(nb, outbox_id);
        if ((rc = put(txn, s->meta, "outbox_next", 11, nb, 8, 0)))
            return rc;
    }
    if (b->has_cursor) {
        uint8_t v[CURSOR_VAL_LEN];
        be_put64(v, b->cursor_block);
        memcpy(v + 8, b->cursor_hash.b, 32);
        if ((rc = put(txn, s->cursor, "cursor", 6, v, sizeof v, 0)))
            return rc;
        rc = prune_blocks(s, txn, b->cursor_block);
    }
    return rc;
}

int store_commit(store *s, uint64_t *first_seq, const store_batch *b)
{
    struct commit_arg a = {b, 0};
    if (first_seq)
        *first_seq = 0;
    int rc = store__write(s, apply_batch, &a);
    if (rc == 0 && first_seq)
        *first_seq = a.first_seq;
    return rc;
}
