/* tests/store/verify.h — checks a store written by the generated workload (helpers.h):
 * for blocks 1..cursor, every move in order with consecutive seqs from 1, one snapshot and
 * one alert per batch, nothing above the cursor. Used after crashes and full disks. */
#ifndef WT_TESTS_STORE_VERIFY_H
#define WT_TESTS_STORE_VERIFY_H

#include <criterion/criterion.h>
#include <criterion/logging.h>

#include "helpers.h"

struct verify {
    uint64_t next_seq, block;
    unsigned index;
    int bad;
};

static inline int verify_move(void *ctx, const store_move *m)
{
    struct verify *v = ctx;
    if (v->block == 0 || v->index == moves_in(v->block)) {
        v->block++;
        v->index = 0;
    }
    if (m->seq != v->next_seq || !same_move(m, v->block, v->index)) {
        cr_log_error("seq %llu: expected move %u of block %llu (seq %llu)",
                     (unsigned long long)m->seq, v->index, (unsigned long long)v->block,
                     (unsigned long long)v->next_seq);
        v->bad = 1;
        return 1;
    }
    v->index++;
    v->next_seq++;
    return 0;
}

struct alerts {
    uint64_t n, first_bad;
    uint64_t want_seq;
    uint64_t block;
};

static inline int verify_alert(void *ctx, const store_alert *a)
{
    struct alerts *c = ctx;
    c->block++;
    if (a->seq != c->want_seq && !c->first_bad)
        c->first_bad = c->block;
    c->want_seq += moves_in(c->block);
    c->n++;
    return 0;
}

/* Checks the whole store against the workload for blocks 1..cursor. */
static inline void verify_store(const char *dir, uint64_t *cursor_out)
{
    store *s;
    store_info info;
    store_opts o = {.readonly = 1};
    cr_assert_eq(store_open(&s, NULL, 0, dir, &o), 0);
    cr_assert_eq(store_info_get(s, &info), 0);
    cr_assert(info.has_cursor);
    uint64_t c = info.cursor_block;
    rpc_hash32 want_hash = hash_of(c, 0);
    cr_expect_arr_eq(&info.cursor_hash, &want_hash, 32, "cursor hash is the last batch's");

    struct verify v = {.next_seq = 1};
    cr_assert_eq(store_moves_from(s, 1, 0, verify_move, &v), 0);
    cr_expect_eq(v.bad, 0, "moves are the workload's, in order");
    cr_expect_eq(v.block, c, "the last move belongs to the cursor's block");
    cr_expect_eq(v.index, moves_in(c), "the cursor's batch is whole");
    cr_expect_eq(info.last_seq, v.next_seq - 1, "no gap: last seq = number of moves");

    /* Snapshots: one per batch up to the cursor, none above. */
    for (uint64_t blk = 1; blk <= c + 4; blk++) {
        store_pos_key k = gen_poskey(blk);
        store_position p;
        int rc = store_snapshot_at(s, &p, &k, blk);
        if (blk <= c)
            cr_expect(rc == 0 && p.block == blk, "snapshot of block %llu",
                      (unsigned long long)blk);
        else
            cr_expect(rc == STORE_ENOTFOUND || p.block <= c, "no snapshot above the cursor");
    }
    /* Alerts: one per batch, about its first move. */
    struct alerts al = {.want_seq = 1};
    cr_assert_eq(store_outbox_take(s, 0, 0, verify_alert, &al), 0);
    cr_expect_eq(al.n, c, "one alert per batch");
    cr_expect_eq(al.first_bad, 0, "alert of block %llu names the wrong move",
                 (unsigned long long)al.first_bad);
    rpc_hash32 h;
    cr_expect_eq(store_block_get(s, &h, NULL, c), 0);
    cr_expect_eq(store_block_get(s, &h, NULL, c + 1), STORE_ENOTFOUND);
    store_close(s);
    *cursor_out = c;
}

#endif
