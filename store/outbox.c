/* store/outbox.c — alerts waiting for delivery. The writer queues them in the same
 * transaction as the moves they are about, so an alert exists exactly when its move does;
 * a sink removes one only after delivering it (at-least-once delivery). */
#include "store/internal.h"

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
        store_alert a = {be_get64(k.mv_data), be_get32(p), be_get64(p + 4), p + OUTBOX_HDR_LEN,
                         v.mv_size - OUTBOX_HDR_LEN};
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

static int apply_done(store *s, MDB_txn *txn, void *arg)
{
    MDB_val k = {8, arg};
    return mdb_del(txn, s->outbox, &k, NULL);
}

int store_outbox_done(store *s, uint64_t id)
{
    uint8_t kb[8];
    be_put64(kb, id);
    return store__write(s, apply_done, kb);
}
