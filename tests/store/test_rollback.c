/* tests/store/test_rollback.c — reorg rollback (store/rollback.c): orphaned blocks and
 * snapshots go, their moves are retracted by new log entries, exactly once. */
#include <string.h>

#include <criterion/criterion.h>

#include "helpers.h"
#include "store/store.h"

static char *dir;
static store *s;
static store_batch *b;

static void commit_blocks(uint64_t from, uint64_t to)
{
    for (uint64_t blk = from; blk <= to; blk++) {
        cr_assert_eq(gen_batch(b, blk), 0);
        cr_assert_eq(store_commit(s, NULL, b), 0);
    }
}

static void setup(void)
{
    dir = make_tmpdir();
    cr_assert_not_null(dir);
    store_opts o = writer_opts();
    o.keep_blocks = 8;
    cr_assert_eq(store_open(&s, NULL, 0, dir, &o), 0);
    cr_assert_eq(store_batch_new(&b, 0), 0);
    commit_blocks(1, 10);
}

static void teardown(void)
{
    store_batch_free(b);
    store_close(s);
    rm_tree(dir);
}

TestSuite(rollback, .init = setup, .fini = teardown);

struct collect {
    store_move m[256];
    size_t n;
};

static int collect_move(void *ctx, const store_move *m)
{
    struct collect *c = ctx;
    cr_assert_lt(c->n, 256);
    c->m[c->n++] = *m;
    return 0;
}

static size_t total_moves(uint64_t from, uint64_t to)
{
    size_t n = 0;
    for (uint64_t blk = from; blk <= to; blk++)
        n += moves_in(blk);
    return n;
}

Test(rollback, every_move_above_the_block_is_retracted_by_a_new_entry)
{
    size_t n;
    cr_assert_eq(store_rollback(s, &n, 7), 0);
    cr_expect_eq(n, total_moves(8, 10));
    struct collect c = {.n = 0};
    cr_assert_eq(store_moves_from(s, 1, 0, collect_move, &c), 0);
    size_t orig = total_moves(1, 10);
    cr_assert_eq(c.n, orig + n);
    for (size_t i = 0; i < orig; i++) {
        int above = c.m[i].block > 7;
        cr_expect_eq(!!(c.m[i].flags & STORE_MOVE_RETRACTED), above, "seq %zu", i + 1);
    }
    for (size_t i = 0; i < n; i++) {
        const store_move *r = &c.m[orig + i];
        const store_move *o = &c.m[r->retracts - 1];
        cr_expect_eq(r->seq, orig + 1 + i);
        cr_expect_eq(r->kind, STORE_KIND_RETRACTED);
        cr_expect_eq(r->retracted_kind, o->kind);
        cr_expect_gt(o->block, 7);
        cr_expect_eq(r->block, o->block);
        cr_expect_arr_eq(&r->tx_hash, &o->tx_hash, 32);
        cr_expect_arr_eq(&r->amount, &o->amount, 32);
        cr_expect_str_eq(r->entity, o->entity);
        cr_expect_eq(r->flags & STORE_MOVE_RETRACTED, 0);
    }
}

Test(rollback, the_cursor_returns_to_the_block_with_its_hash)
{
    store_info info;
    rpc_hash32 want = hash_of(7, 0), h;
    cr_assert_eq(store_rollback(s, NULL, 7), 0);
    cr_assert_eq(store_info_get(s, &info), 0);
    cr_expect_eq(info.cursor_block, 7);
    cr_expect_arr_eq(&info.cursor_hash, &want, 32);
    cr_expect_eq(store_block_get(s, &h, NULL, 7), 0);
    cr_expect_eq(store_block_get(s, &h, NULL, 8), STORE_ENOTFOUND);
    cr_expect_eq(store_block_get(s, &h, NULL, 10), STORE_ENOTFOUND);
}

Test(rollback, snapshots_above_the_block_go_and_latest_falls_back)
{
    store_position p;
    store_pos_key k = gen_poskey(9); /* address 2: snapshots at 1, 5, 9 */
    cr_assert_eq(store_rollback(s, NULL, 7), 0);
    cr_assert_eq(store_snapshot_at(s, &p, &k, 0), 0);
    cr_expect_eq(p.block, 5);
    store_pos_key k8 = gen_poskey(8); /* address 1: 4, 8 */
    cr_assert_eq(store_snapshot_at(s, &p, &k8, 0), 0);
    cr_expect_eq(p.block, 4);
    cr_assert_eq(store_rollback(s, NULL, 3), 0);
    cr_expect_eq(store_snapshot_at(s, &p, &k8, 0), STORE_ENOTFOUND);
    rpc_addr a = addr_of(1);
    size_t n = 0;
    cr_assert_eq(store_snapshot_latest(s, &a, NULL, &n), 0); /* no position left: no call */
}

Test(rollback, the_new_branch_continues_the_log_and_a_second_reorg_retracts_only_live_moves)
{
    size_t n1, n2;
    cr_assert_eq(store_rollback(s, &n1, 7), 0);
    commit_blocks(8, 9); /* the new branch */
    cr_assert_eq(store_rollback(s, &n2, 5), 0);
    cr_expect_eq(n2, total_moves(6, 7) + total_moves(8, 9));
    struct collect c = {.n = 0};
    cr_assert_eq(store_moves_from(s, 1, 0, collect_move, &c), 0);
    cr_expect_eq(c.n, total_moves(1, 10) + n1 + total_moves(8, 9) + n2);
    /* Every original move is retracted exactly once. */
    size_t times[256] = {0};
    for (size_t i = 0; i < c.n; i++)
        if (c.m[i].kind == STORE_KIND_RETRACTED)
            times[c.m[i].retracts]++;
    for (size_t i = 0; i < c.n; i++) {
        const store_move *m = &c.m[i];
        if (m->kind == STORE_KIND_RETRACTED)
            continue;
        cr_expect_eq(times[m->seq], m->block > 5, "seq %llu", (unsigned long long)m->seq);
        cr_expect_eq(!!(m->flags & STORE_MOVE_RETRACTED), m->block > 5);
    }
}

Test(rollback, rolling_back_to_or_above_the_cursor_changes_nothing)
{
    size_t n = 99;
    store_info before, after;
    cr_assert_eq(store_info_get(s, &before), 0);
    cr_expect_eq(store_rollback(s, &n, 10), 0);
    cr_expect_eq(n, 0);
    cr_expect_eq(store_rollback(s, &n, 50), 0);
    cr_assert_eq(store_info_get(s, &after), 0);
    cr_expect_eq(after.last_seq, before.last_seq);
    cr_expect_eq(after.cursor_block, 10);
}

Test(rollback, a_reorg_deeper_than_the_kept_blocks_is_refused_and_changes_nothing)
{
    size_t n = 99;
    store_info before, after;
    cr_assert_eq(store_info_get(s, &before), 0);
    cr_expect_eq(store_rollback(s, &n, 1), STORE_EREORG_DEEP); /* keeps 2..10 */
    cr_expect_eq(n, 0);
    cr_assert_eq(store_info_get(s, &after), 0);
    cr_expect_eq(after.last_seq, before.last_seq);
    cr_expect_eq(after.cursor_block, 10);
}

Test(rollback, queries_by_address_show_retractions_beside_the_moves_they_retract)
{
    rpc_addr a = addr_of(3);
    store_range r = {.block_from = 8};
    cr_assert_eq(store_rollback(s, NULL, 7), 0);
    struct collect c = {.n = 0};
    cr_assert_eq(store_moves_by_address(s, &a, &r, collect_move, &c), 0);
    size_t moves = 0, retractions = 0;
    for (size_t i = 0; i < c.n; i++) {
        if (c.m[i].kind == STORE_KIND_RETRACTED) {
            retractions++;
        } else {
            moves++;
            cr_expect(c.m[i].flags & STORE_MOVE_RETRACTED);
        }
        cr_expect_eq(c.m[i].address.b[0], 3);
    }
    cr_expect_gt(moves, 0);
    cr_expect_eq(moves, retractions);
}
