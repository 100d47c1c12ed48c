/* store/outbox.c — alerts waiting for delivery. The writer queues them in the same
 * transaction as the moves they are about, so an alert exists exactly when its move does;
 * a sink removes one only after delivering it (at-least-once delivery). A delivered alert
 * leaves a `sent` record, so a later rollback of its move queues a retraction alert; an
 * alert whose move was retracted while it was on the wire gets one at once. */
#include "store/internal.h"

int store__queue_alert(store *s, MDB_txn *txn, uint32_t sink, uint64_t seq, const void *payload,
                       size_t len)
{
    uint8_t ik[8], v[OUTBOX_HDR_LEN + 64];
    MDB_val k = {11, "outbox_next"}, mv;
    if (len > sizeof v - OUTBOX_HDR_LEN)
        return STORE_ETOO_LARGE;
    int rc = mdb_get(txn, s->meta, &k, &mv);
    if (rc)
        return rc;
    if (mv.mv_size != 8)
        return MDB_CORRUPTED;
    uint64_t id = be_get64(mv.mv_data);
    be_put64(ik, id);
    be_put32(v, sink);
    be_put64(v + 4, seq);
    if (len)
        memcpy(v + OUTBOX_HDR_LEN, payload, len);
    MDB_val key = {8, ik}, val = {OUTBOX_HDR_LEN + len, v};
    if ((rc = mdb_put(txn, s->outbox, &key, &val, MDB_APPEND)))
        return rc;
    uint8_t nb[8];
    be_put64(nb, id + 1);
    MDB_val nv = {8, nb};
    return mdb_put(txn, s->meta, &k, &nv, 0);
}

int store_outbox_take(store *s, uint32_t sink, size_t max, store_alert_fn fn, void *ctx)
{
    MDB_txn *txn = NULL;
    MDB_cursor *c = NULL;
    MDB_val k, v;
    size_t count = 0;
    int rc = store__read_begin(s, &txn);
    if (rc)
        return rc;
    rc = store__err(mdb_cursor_open(txn, s->outbox, &c));
    if (rc)
        goto done;
    for (int x = mdb_cursor_get(c, &k, &v, MDB_FIRST);; x = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (x == MDB_NOTFOUND)
            break;
        if (x) {
            rc = store__err(x);
            break;
        }
        if (k.mv_size != 8 || v.mv_size < OUTBOX_HDR_LEN) {
            rc = STORE_ECORRUPT;
            break;
        }
        const uint8_t *p = v.mv_data;
        store_alert a = {.id = be_get64(k.mv_data),
                         .sink = be_get32(p),
                         .seq = be_get64(p + 4),
                         .payload = p + OUTBOX_HDR_LEN,
                         .len = v.mv_size - OUTBOX_HDR_LEN};
        if (a.len == STORE__RETRACT_TAG_LEN &&
            memcmp(a.payload, STORE__RETRACT_TAG, STORE__RETRACT_TAG_LEN) == 0) {
            a.retraction = 1;
            a.len = 0;
        }
        if (sink && a.sink != sink)
            continue;
        int r = fn(ctx, &a);
        if (r) {
            rc = r < 0 ? r : 0;
            break;
        }
        if (max && ++count >= max)
            break;
    }
done:
    if (c)
        mdb_cursor_close(c);
    mdb_txn_abort(txn);
    return rc;
}

struct done_arg {
    uint8_t key[8];
    int delivered;
};

static int apply_done(store *s, MDB_txn *txn, void *arg)
{
    struct done_arg *d = arg;
    MDB_val k = {8, d->key}, v;
    int rc = mdb_get(txn, s->outbox, &k, &v);
    if (rc)
        return rc;
    if (v.mv_size < OUTBOX_HDR_LEN)
        return MDB_CORRUPTED;
    uint8_t hdr[OUTBOX_HDR_LEN];
    memcpy(hdr, v.mv_data, OUTBOX_HDR_LEN);
    int retraction = v.mv_size == OUTBOX_HDR_LEN + STORE__RETRACT_TAG_LEN &&
                     memcmp((uint8_t *)v.mv_data + OUTBOX_HDR_LEN, STORE__RETRACT_TAG,
                            STORE__RETRACT_TAG_LEN) == 0;
    if ((rc = mdb_del(txn, s->outbox, &k, NULL)))
        return rc;
    if (!d->delivered || retraction)
        return 0;
    uint32_t sink = be_get32(hdr);
    uint64_t seq = be_get64(hdr + 4);
    store_move m;
    if ((rc = store__load_move(s, txn, NULL, &m, seq)))
        return rc == STORE_ENOTFOUND ? STORE_ECORRUPT : rc;
    if (m.flags & STORE_MOVE_RETRACTED) /* retracted while on the wire: take it back now */
        return store__queue_alert(s, txn, sink, seq, STORE__RETRACT_TAG, STORE__RETRACT_TAG_LEN);
    uint8_t sk[12];
    be_put64(sk, seq);
    be_put32(sk + 8, sink);
    MDB_val skey = {sizeof sk, sk}, sval = {0, ""};
    return mdb_put(txn, s->sent, &skey, &sval, 0);
}

static int finish(store *s, uint64_t id, int delivered)
{
    struct done_arg d = {.delivered = delivered};
    if (s->readonly)
        return STORE_ERDONLY;
    be_put64(d.key, id);
    return store__write(s, apply_done, &d);
}

int store_outbox_done(store *s, uint64_t id)
{
    return finish(s, id, 1);
}

int store_outbox_drop(store *s, uint64_t id)
{
    return finish(s, id, 0);
}
