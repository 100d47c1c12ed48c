/* tests/store/verify.h — checks a store written by the generated workload (helpers.h):
 * the log is exactly the workload's entries from seq 1 up to a transaction boundary, the
 * cursor is that boundary's, moves are flagged retracted exactly when retracted, one
 * snapshot per committed block and none above the cursor, one alert per committed batch.
 * Used after crashes, full maps and full disks. */
#ifndef WT_TESTS_STORE_VERIFY_H
#define WT_TESTS_STORE_VERIFY_H

#include <criterion/criterion.h>
#include <criterion/logging.h>

#include "helpers.h"

enum { VERIFY_MAX = 1 << 16 };

struct verify {
    follow f;
    int bad;
    uint64_t opens[VERIFY_MAX]; /* seq of each batch's first move, in order */
    size_t n_opens;
    uint8_t retracted[VERIFY_MAX + 1]; /* by seq: a retraction names it */
    uint8_t flagged[VERIFY_MAX + 1];   /* by seq: read with STORE_MOVE_RETRACTED */
};

static inline int verify_move(void *ctx, const store_move *m)
{
    struct verify *v = ctx;
    int opens = 0;
    if (m->seq > VERIFY_MAX || follow_move(&v->f, m, &opens) != 0) {
        cr_log_error("seq %llu (block %llu, kind %u) is not the entry due after block %llu "
                     "phase %u index %u",
                     (unsigned long long)m->seq, (unsigned long long)m->block, m->kind,
                     (unsigned long long)v->f.block, v->f.phase, v->f.index);
        v->bad = 1;
        return 1;
    }
    if (opens && v->n_opens < VERIFY_MAX)
        v->opens[v->n_opens++] = m->seq;
    if (m->kind == STORE_KIND_RETRACTED && m->retracts <= VERIFY_MAX)
        v->retracted[m->retracts]++;
    v->flagged[m->seq] = (m->flags & STORE_MOVE_RETRACTED) != 0;
    return 0;
}

struct alerts {
    const struct verify *v;
    size_t n, mismatch;
};

static inline int verify_alert(void *ctx, const store_alert *a)
{
    struct alerts *c = ctx;
    if (c->n >= c->v->n_opens || a->seq != c->v->opens[c->n])
        c->mismatch++;
    c->n++;
    return 0;
}

/* Checks the store in dir, written with reorg period `every`; *cursor_out = its cursor. */
static inline void verify_store(const char *dir, unsigned every, uint64_t *cursor_out)
{
    store *s;
    store_info info;
    store_opts o = {.readonly = 1};
    struct verify *v = calloc(1, sizeof *v);
    cr_assert_not_null(v);
    follow_init(&v->f, every);
    cr_assert_eq(store_open(&s, NULL, 0, dir, &o), 0);
    cr_assert_eq(store_info_get(s, &info), 0);
    cr_assert(info.has_cursor);
    uint64_t c = info.cursor_block;

    cr_assert_eq(store_moves_from(s, 1, 0, verify_move, v), 0);
    cr_expect_eq(v->bad, 0, "the log is the workload's, entry by entry");
    cr_expect(follow_whole(&v->f), "the log ends with a whole batch");
    cr_expect_eq(info.last_seq, v->f.next_seq - 1, "no gap: last seq = number of entries");
    uint64_t want_block;
    unsigned want_branch;
    follow_cursor(&v->f, &want_block, &want_branch);
    rpc_hash32 want_hash = hash_of(want_block, want_branch);
    cr_expect_eq(c, want_block, "the cursor is the last batch's block");
    cr_expect_arr_eq(&info.cursor_hash, &want_hash, 32, "the cursor hash is the last batch's");
    for (uint64_t seq = 1; seq < v->f.next_seq && seq <= VERIFY_MAX; seq++) {
        cr_expect_leq(v->retracted[seq], 1, "seq %llu retracted once at most",
                      (unsigned long long)seq);
        cr_expect_eq(v->flagged[seq], v->retracted[seq] != 0,
                     "seq %llu is flagged retracted exactly when retracted",
                     (unsigned long long)seq);
    }

    /* Snapshots: one per block up to the cursor (branch 1's for reorged blocks), none
     * above. */
    for (uint64_t blk = 1; blk <= c + 4; blk++) {
        store_pos_key k = gen_poskey(blk);
        store_position p;
        int rc = store_snapshot_at(s, &p, &k, blk);
        if (blk < c || (blk == c && want_branch == 1))
            cr_expect(rc == 0 && p.block == blk && p.flags == reorg_block(blk, every),
                      "snapshot of block %llu", (unsigned long long)blk);
        else if (blk == c)
            cr_expect(rc == 0 && p.block == blk && p.flags == 0, "snapshot of the cursor");
        else
            cr_expect(rc == STORE_ENOTFOUND || p.block <= c, "no snapshot above the cursor");
    }
    /* Alerts: one per committed batch, about its first move; rollback leaves them. */
    struct alerts al = {.v = v};
    cr_assert_eq(store_outbox_take(s, 0, 0, verify_alert, &al), 0);
    cr_expect_eq(al.n, v->n_opens, "one alert per committed batch");
    cr_expect_eq(al.mismatch, 0, "each alert names its batch's first move");
    rpc_hash32 h;
    cr_expect_eq(store_block_get(s, &h, NULL, c), 0);
    cr_expect_arr_eq(&h, &want_hash, 32);
    cr_expect_eq(store_block_get(s, &h, NULL, c + 1), STORE_ENOTFOUND);
    store_close(s);
    free(v);
    *cursor_out = c;
}

#endif
