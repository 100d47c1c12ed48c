/* store/rollback.c — undoing orphaned blocks after a reorg, in one write transaction.
 * The move log is append-only: a move from an orphaned block is never deleted but
 * retracted by a new entry, and leaves the `live` index so it is retracted only once. */
#include "store/internal.h"

/* Deletes every key >= from in dbi (keys big-endian numbers first), calling each(key)
 * before deleting. Re-seeks after each delete rather than trusting the cursor's position. */
typedef int (*each_fn)(store *s, MDB_txn *txn, const MDB_val *key, void *arg);

static int delete_from(store *s, MDB_txn *txn, MDB_dbi dbi, const uint8_t *from, size_t flen,
                       each_fn each, void *arg)
{
    MDB_cursor *c = NULL;
    uint8_t seek[64];
    MDB_val k, v;
    int rc = mdb_cursor_open(txn, dbi, &c);
    while (!rc) {
        memcpy(seek, from, flen);
        k.mv_size = flen;
        k.mv_data = seek;
        rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
        if (rc)
            break;
        if (each && (rc = each(s, txn, &k, arg)))
            break;
        rc = mdb_cursor_del(c, 0);
    }
    if (c)
        mdb_cursor_close(c);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

struct rb {
    uint64_t block;
    uint64_t next_seq;
    size_t retracted;
};

/* snapblk key block | poskey: delete the snapshot, then point poslatest at the newest
 * snapshot of that position at or below the rollback block, or drop it. */
static int undo_snapshot(store *s, MDB_txn *txn, const MDB_val *key, void *arg)
{
    struct rb *a = arg;
    const uint8_t *bk = key->mv_data;
    uint8_t sk[POSKEY_LEN + 8];
    if (key->mv_size != 8 + POSKEY_LEN)
        return MDB_CORRUPTED;
    memcpy(sk, bk + 8, POSKEY_LEN);
    memcpy(sk + POSKEY_LEN, bk, 8);
    MDB_val k = {sizeof sk, sk}, v;
    int rc = mdb_del(txn, s->snaps, &k, NULL);
    if (rc && rc != MDB_NOTFOUND)
        return rc;
    MDB_cursor *c = NULL;
    if ((rc = mdb_cursor_open(txn, s->snaps, &c)))
        return rc;
    be_put64(sk + POSKEY_LEN, a->block + 1);
    k.mv_size = sizeof sk;
    k.mv_data = sk;
    rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
    rc = mdb_cursor_get(c, &k, &v, rc == MDB_NOTFOUND ? MDB_LAST : MDB_PREV);
    int found = rc == 0 && k.mv_size == sizeof sk && memcmp(k.mv_data, sk, POSKEY_LEN) == 0;
    uint8_t blk[8];
    if (found)
        memcpy(blk, (uint8_t *)k.mv_data + POSKEY_LEN, 8);
    mdb_cursor_close(c);
    if (rc && rc != MDB_NOTFOUND)
        return rc;
    MDB_val pk = {POSKEY_LEN, sk};
    if (found) {
        MDB_val pv = {8, blk};
        return mdb_put(txn, s->poslatest, &pk, &pv, 0);
    }
    rc = mdb_del(txn, s->poslatest, &pk, NULL);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Every sink that was sent move seq gets a retraction alert; its sent record goes. */
static int retract_alerts(store *s, MDB_txn *txn, uint64_t seq)
{
    MDB_cursor *c = NULL;
    uint8_t sk[12];
    MDB_val k, v;
    int rc = mdb_cursor_open(txn, s->sent, &c);
    while (!rc) {
        be_put64(sk, seq);
        memset(sk + 8, 0, 4);
        k.mv_size = sizeof sk;
        k.mv_data = sk;
        if ((rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE)))
            break;
        if (k.mv_size != sizeof sk || be_get64(k.mv_data) != seq)
            break;
        uint32_t sink = be_get32((const uint8_t *)k.mv_data + 8);
        if ((rc = mdb_cursor_del(c, 0)))
            break;
        rc = store__queue_alert(s, txn, sink, seq, STORE__RETRACT_TAG, STORE__RETRACT_TAG_LEN);
    }
    if (c)
        mdb_cursor_close(c);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* live key block | seq: append the retraction of move seq. */
static int retract_move(store *s, MDB_txn *txn, const MDB_val *key, void *arg)
{
    struct rb *a = arg;
    store_move m;
    uint8_t rec[STORE_MOVE_ENC_MAX], sk[8];
    size_t n;
    if (key->mv_size != 16)
        return MDB_CORRUPTED;
    uint64_t seq = be_get64((const uint8_t *)key->mv_data + 8);
    int rc = store__load_move(s, txn, NULL, &m, seq);
    if (rc)
        return rc == STORE_ENOTFOUND ? STORE_ECORRUPT : rc;
    m.retracts = seq;
    m.retracted_kind = m.kind;
    m.kind = STORE_KIND_RETRACTED;
    m.flags &= (uint16_t)~STORE_MOVE_RETRACTED;
    m.seq = a->next_seq++;
    if ((rc = store_move_encode(rec, sizeof rec, &n, &m)))
        return rc;
    be_put64(sk, m.seq);
    MDB_val k = {8, sk}, v = {n, rec};
    if ((rc = mdb_put(txn, s->moves, &k, &v, MDB_APPEND)))
        return rc;
    a->retracted++;
    if ((rc = store__put_indexes(s, txn, &m)))
        return rc;
    return retract_alerts(s, txn, seq);
}

static int apply_rollback(store *s, MDB_txn *txn, void *arg)
{
    struct rb *a = arg;
    uint8_t from[8], cv[CURSOR_VAL_LEN];
    a->retracted = 0;
    MDB_val ck = {6, "cursor"}, v;
    int rc = mdb_get(txn, s->cursor, &ck, &v);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc)
        return rc;
    if (v.mv_size != CURSOR_VAL_LEN)
        return MDB_CORRUPTED;
    if (be_get64(v.mv_data) <= a->block)
        return 0;
    be_put64(cv, a->block);
    MDB_val bk = {8, cv}, bv;
    rc = mdb_get(txn, s->blocks, &bk, &bv);
    if (rc == MDB_NOTFOUND)
        return STORE_EREORG_DEEP;
    if (rc)
        return rc;
    if (bv.mv_size != BLOCK_VAL_LEN)
        return MDB_CORRUPTED;
    memcpy(cv + 8, bv.mv_data, 32);
    if ((rc = store__last_seq(s, txn, &a->next_seq)))
        return rc;
    a->next_seq++;
    be_put64(from, a->block + 1);
    rc = delete_from(s, txn, s->blocks, from, 8, NULL, NULL);
    if (!rc)
        rc = delete_from(s, txn, s->snapblk, from, 8, undo_snapshot, a);
    if (!rc)
        rc = delete_from(s, txn, s->live, from, 8, retract_move, a);
    if (rc)
        return rc;
    MDB_val cval = {sizeof cv, cv};
    return mdb_put(txn, s->cursor, &ck, &cval, 0);
}

int store_rollback(store *s, size_t *retracted, uint64_t block)
{
    struct rb a = {block, 0, 0};
    if (retracted)
        *retracted = 0;
    int rc = store__write(s, apply_rollback, &a);
    if (rc == 0 && retracted)
        *retracted = a.retracted;
    return rc;
}
