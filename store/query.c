/* store/query.c — the readers' queries. Each runs in one read transaction, so it sees one
 * committed state: whole batches only, never a writer's work in progress, and never
 * blocks the writer (LMDB's MVCC). */
#include "store/internal.h"

int store__move_from_val(store *s, MDB_txn *txn, MDB_cursor *live, store_move *m, uint64_t seq,
                         const MDB_val *rec)
{
    uint8_t lk[16];
    int rc = store_move_decode(m, seq, rec->mv_data, rec->mv_size);
    if (rc || m->kind == STORE_KIND_RETRACTED)
        return rc;
    be_put64(lk, m->block); /* a move is retracted exactly when it left the live index */
    be_put64(lk + 8, seq);
    MDB_val k = {16, lk}, v;
    /* A cursor finds a key on its current leaf page without descending from the root. */
    rc = live ? mdb_cursor_get(live, &k, &v, MDB_SET) : mdb_get(txn, s->live, &k, &v);
    if (rc == MDB_NOTFOUND)
        m->flags |= STORE_MOVE_RETRACTED;
    else if (rc)
        return store__err(rc);
    return 0;
}

int store__load_move(store *s, MDB_txn *txn, MDB_cursor *live, store_move *m, uint64_t seq)
{
    uint8_t kb[8];
    be_put64(kb, seq);
    MDB_val k = {8, kb}, v;
    int rc = mdb_get(txn, s->moves, &k, &v);
    if (rc)
        return store__err(rc);
    return store__move_from_val(s, txn, live, m, seq, &v);
}

/* Calls fn, mapping its verdict: 1 = stop with success, 0 = go on, <0 = error. */
static int call_move(store_move_fn fn, void *ctx, const store_move *m, int *stop)
{
    int r = fn(ctx, m);
    if (r > 0)
        *stop = 1;
    return r < 0 ? r : 0;
}

int store_moves_from(store *s, uint64_t from_seq, size_t max, store_move_fn fn, void *ctx)
{
    MDB_txn *txn = NULL;
    MDB_cursor *c = NULL, *live = NULL;
    uint8_t kb[8];
    be_put64(kb, from_seq);
    MDB_val k = {8, kb}, v;
    store_move m;
    size_t count = 0;
    int stop = 0;
    int rc = store__read_begin(s, &txn);
    if (rc)
        return rc;
    rc = store__err(mdb_cursor_open(txn, s->moves, &c));
    if (!rc)
        rc = store__err(mdb_cursor_open(txn, s->live, &live));
    if (rc)
        goto done;
    for (int r = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); !stop;
         r = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (r == MDB_NOTFOUND)
            break;
        if (r) {
            rc = store__err(r);
            break;
        }
        if (k.mv_size != 8) {
            rc = STORE_ECORRUPT;
            break;
        }
        if ((rc = store__move_from_val(s, txn, live, &m, be_get64(k.mv_data), &v)))
            break;
        if ((rc = call_move(fn, ctx, &m, &stop)))
            break;
        if (max && ++count >= max)
            break;
    }
done:
    if (live)
        mdb_cursor_close(live);
    if (c)
        mdb_cursor_close(c);
    mdb_txn_abort(txn);
    return rc;
}

/* Scans an index whose keys are prefix | block u64 | seq u64, for blocks and times in r. */
static int scan_index(store *s, MDB_dbi dbi, const uint8_t *prefix, size_t plen,
                      const store_range *r, store_move_fn fn, void *ctx)
{
    MDB_txn *txn = NULL;
    MDB_cursor *c = NULL, *live = NULL;
    uint8_t kb[1 + STORE_NAME_MAX + 16];
    memcpy(kb, prefix, plen);
    be_put64(kb + plen, r->block_from);
    be_put64(kb + plen + 8, 0);
    MDB_val k = {plen + 16, kb}, v;
    store_move m;
    int stop = 0;
    int rc = store__read_begin(s, &txn);
    if (rc)
        return rc;
    rc = store__err(mdb_cursor_open(txn, dbi, &c));
    if (!rc)
        rc = store__err(mdb_cursor_open(txn, s->live, &live));
    if (rc)
        goto done;
    for (int x = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); !stop;
         x = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (x == MDB_NOTFOUND)
            break;
        if (x) {
            rc = store__err(x);
            break;
        }
        if (k.mv_size != plen + 16 || memcmp(k.mv_data, prefix, plen) != 0)
            break; /* past this address or entity */
        const uint8_t *kp = k.mv_data;
        uint64_t block = be_get64(kp + plen);
        if (r->block_to && block > r->block_to)
            break;
        if ((rc = store__load_move(s, txn, live, &m, be_get64(kp + plen + 8))))
            break;
        if (r->time_to && m.block_time > r->time_to)
            break; /* block times never decrease along the chain */
        if (m.block_time < r->time_from)
            continue;
        if ((rc = call_move(fn, ctx, &m, &stop)))
            break;
    }
done:
    if (live)
        mdb_cursor_close(live);
    if (c)
        mdb_cursor_close(c);
    mdb_txn_abort(txn);
    return rc;
}

int store_moves_by_address(store *s, const rpc_addr *address, const store_range *r,
                           store_move_fn fn, void *ctx)
{
    return scan_index(s, s->idx_addr, address->b, 20, r, fn, ctx);
}

int store_moves_by_entity(store *s, const char *entity, const store_range *r, store_move_fn fn,
                          void *ctx)
{
    uint8_t ek[1 + STORE_NAME_MAX];
    size_t n = store__entity_key(ek, entity);
    if (n == 0)
        return STORE_EINVAL;
    return scan_index(s, s->idx_entity, ek, n, r, fn, ctx);
}

int store_snapshot_history(store *s, const store_pos_key *key, uint64_t from, uint64_t to,
                           store_pos_fn fn, void *ctx)
{
    MDB_txn *txn = NULL;
    MDB_cursor *c = NULL;
    uint8_t kb[POSKEY_LEN + 8];
    poskey_put(kb, key);
    be_put64(kb + POSKEY_LEN, from);
    MDB_val k = {sizeof kb, kb}, v;
    store_position p;
    int rc = store__read_begin(s, &txn);
    if (rc)
        return rc;
    rc = store__err(mdb_cursor_open(txn, s->snaps, &c));
    if (rc)
        goto done;
    for (int x = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);;
         x = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (x == MDB_NOTFOUND)
            break;
        if (x) {
            rc = store__err(x);
            break;
        }
        if (k.mv_size != sizeof kb || memcmp(k.mv_data, kb, POSKEY_LEN) != 0)
            break;
        uint64_t block = be_get64((uint8_t *)k.mv_data + POSKEY_LEN);
        if (to && block > to)
            break;
        if ((rc = store_pos_decode(&p, block, v.mv_data, v.mv_size)))
            break;
        int r = fn(ctx, key, &p);
        if (r) {
            rc = r < 0 ? r : 0;
            break;
        }
    }
done:
    if (c)
        mdb_cursor_close(c);
    mdb_txn_abort(txn);
    return rc;
}

int store_snapshot_at(store *s, store_position *p, const store_pos_key *key, uint64_t block)
{
    MDB_txn *txn = NULL;
    MDB_cursor *c = NULL;
    uint8_t kb[POSKEY_LEN + 8];
    poskey_put(kb, key);
    MDB_val k = {sizeof kb, kb}, v;
    memset(p, 0, sizeof *p);
    int rc = store__read_begin(s, &txn);
    if (rc)
        return rc;
    rc = mdb_cursor_open(txn, s->snaps, &c);
    if (rc)
        goto done;
    /* The first key above (key, block), then one step back. */
    if (block == UINT64_MAX)
        block = 0;
    be_put64(kb + POSKEY_LEN, block ? block + 1 : UINT64_MAX);
    rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
    if (rc == MDB_NOTFOUND)
        rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
    else if (rc == 0)
        rc = mdb_cursor_get(c, &k, &v, MDB_PREV);
    if (rc)
        goto done;
    if (k.mv_size != sizeof kb || memcmp(k.mv_data, kb, POSKEY_LEN) != 0) {
        rc = MDB_NOTFOUND;
        goto done;
    }
    uint64_t at = be_get64((uint8_t *)k.mv_data + POSKEY_LEN);
    if (block && at > block) {
        rc = MDB_NOTFOUND;
        goto done;
    }
    rc = store_pos_decode(p, at, v.mv_data, v.mv_size);
done:
    if (c)
        mdb_cursor_close(c);
    mdb_txn_abort(txn);
    if (rc)
        memset(p, 0, sizeof *p);
    return store__err(rc);
}

int store_snapshot_latest(store *s, const rpc_addr *address, store_pos_fn fn, void *ctx)
{
    MDB_txn *txn = NULL;
    MDB_cursor *c = NULL;
    uint8_t kb[POSKEY_LEN] = {0}, sk[POSKEY_LEN + 8];
    if (address)
        memcpy(kb, address->b, 20);
    MDB_val k = {address ? 20 : 0, kb}, v;
    store_position p;
    store_pos_key key;
    int rc = store__read_begin(s, &txn);
    if (rc)
        return rc;
    rc = store__err(mdb_cursor_open(txn, s->poslatest, &c));
    if (rc)
        goto done;
    for (int x = mdb_cursor_get(c, &k, &v, address ? MDB_SET_RANGE : MDB_FIRST);;
         x = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (x == MDB_NOTFOUND)
            break;
        if (x) {
            rc = store__err(x);
            break;
        }
        if (k.mv_size != POSKEY_LEN || v.mv_size != 8) {
            rc = STORE_ECORRUPT;
            break;
        }
        if (address && memcmp(k.mv_data, address->b, 20) != 0)
            break;
        memcpy(sk, k.mv_data, POSKEY_LEN);
        memcpy(sk + POSKEY_LEN, v.mv_data, 8);
        MDB_val snk = {sizeof sk, sk}, snv;
        if ((x = mdb_get(txn, s->snaps, &snk, &snv))) {
            rc = x == MDB_NOTFOUND ? STORE_ECORRUPT : store__err(x);
            break;
        }
        poskey_get(&key, sk);
        if ((rc = store_pos_decode(&p, be_get64(sk + POSKEY_LEN), snv.mv_data, snv.mv_size)))
            break;
        int r = fn(ctx, &key, &p);
        if (r) {
            rc = r < 0 ? r : 0;
            break;
        }
    }
done:
    if (c)
        mdb_cursor_close(c);
    mdb_txn_abort(txn);
    return rc;
}
