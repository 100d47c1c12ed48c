/* tests/store/test_batch.c — the writer (store/batch.c): building batches, their limits,
 * and commits that store a batch whole or not at all. */
#include <string.h>

#include <criterion/criterion.h>

#include "helpers.h"
#include "store/store.h"

static char *dir;
static store *s;
static store_batch *b;

static void setup(void)
{
    dir = make_tmpdir();
    cr_assert_not_null(dir);
    store_opts o = writer_opts();
    cr_assert_eq(store_open(&s, NULL, 0, dir, &o), 0);
    cr_assert_eq(store_batch_new(&b, 0), 0);
}

static void teardown(void)
{
    store_batch_free(b);
    store_close(s);
    rm_tree(dir);
}

TestSuite(batch, .init = setup, .fini = teardown);

struct collect {
    store_move m[64];
    size_t n;
};

static int collect_move(void *ctx, const store_move *m)
{
    struct collect *c = ctx;
    cr_assert_lt(c->n, 64);
    c->m[c->n++] = *m;
    return 0;
}

static int count_alert(void *ctx, const store_alert *a)
{
    (void)a;
    ++*(size_t *)ctx;
    return 0;
}

Test(batch, moves_get_consecutive_seqs_from_one_in_batch_order)
{
    uint64_t first;
    cr_assert_eq(gen_batch(b, 1), 0);
    cr_assert_eq(store_commit(s, &first, b), 0);
    cr_expect_eq(first, 1);
    cr_assert_eq(gen_batch(b, 2), 0);
    cr_assert_eq(store_commit(s, &first, b), 0);
    cr_expect_eq(first, 1 + moves_in(1));
    struct collect c = {.n = 0};
    cr_assert_eq(store_moves_from(s, 1, 0, collect_move, &c), 0);
    cr_assert_eq(c.n, moves_in(1) + moves_in(2));
    size_t k = 0;
    for (uint64_t blk = 1; blk <= 2; blk++)
        for (unsigned i = 0; i < moves_in(blk); i++, k++) {
            cr_expect_eq(c.m[k].seq, k + 1);
            cr_expect(same_move(&c.m[k], blk, i), "move %zu", k);
        }
}

Test(batch, the_batch_is_unchanged_by_its_commit_and_can_be_reused_after_reset)
{
    cr_assert_eq(gen_batch(b, 1), 0);
    cr_assert_eq(store_commit(s, NULL, b), 0);
    /* Same batch again: refused for its cursor, not because it was consumed. */
    cr_expect_eq(store_commit(s, NULL, b), STORE_ECURSOR);
    store_batch_reset(b);
    cr_assert_eq(gen_batch(b, 2), 0);
    cr_expect_eq(store_commit(s, NULL, b), 0);
}

Test(batch, a_batch_that_does_not_advance_the_cursor_stores_nothing)
{
    store_info before, after;
    cr_assert_eq(gen_batch(b, 5), 0);
    cr_assert_eq(store_commit(s, NULL, b), 0);
    cr_assert_eq(store_info_get(s, &before), 0);
    cr_assert_eq(gen_batch(b, 5), 0);
    cr_expect_eq(store_commit(s, NULL, b), STORE_ECURSOR);
    cr_assert_eq(gen_batch(b, 4), 0);
    uint64_t first = 77;
    cr_expect_eq(store_commit(s, &first, b), STORE_ECURSOR);
    cr_expect_eq(first, 0);
    cr_assert_eq(store_info_get(s, &after), 0);
    cr_expect_eq(after.last_seq, before.last_seq);
    cr_expect_eq(after.cursor_block, 5);
    size_t alerts = 0;
    cr_assert_eq(store_outbox_take(s, 0, 0, count_alert, &alerts), 0);
    cr_expect_eq(alerts, 1);
    store_position p;
    store_pos_key k = gen_poskey(4);
    cr_expect_eq(store_snapshot_at(s, &p, &k, 4), STORE_ENOTFOUND);
}

Test(batch, a_batch_without_a_cursor_leaves_the_cursor_alone)
{
    store_info info;
    cr_assert_eq(gen_batch(b, 3), 0);
    cr_assert_eq(store_commit(s, NULL, b), 0);
    store_batch_reset(b);
    store_move m = gen_move(3, 9);
    cr_assert_eq(store_batch_move(b, NULL, &m), 0);
    cr_assert_eq(store_commit(s, NULL, b), 0);
    cr_assert_eq(store_info_get(s, &info), 0);
    cr_expect_eq(info.cursor_block, 3);
    cr_expect_eq(info.last_seq, moves_in(3) + 1);
}

Test(batch, the_caller_may_not_write_retractions_or_over_long_names)
{
    store_move m = gen_move(1, 0);
    size_t idx = 5;
    m.kind = STORE_KIND_RETRACTED;
    cr_expect_eq(store_batch_move(b, &idx, &m), STORE_EINVAL);
    cr_expect_eq(idx, 0);
    m = gen_move(1, 0);
    memset(m.entity, 'e', sizeof m.entity); /* no NUL within the array */
    cr_expect_eq(store_batch_move(b, NULL, &m), STORE_EINVAL);
}

Test(batch, an_alert_must_name_a_move_of_its_batch)
{
    store_move m = gen_move(1, 0);
    size_t idx;
    cr_expect_eq(store_batch_outbox(b, 1, 0, NULL, 0), STORE_EINVAL);
    cr_assert_eq(store_batch_move(b, &idx, &m), 0);
    cr_expect_eq(idx, 0);
    cr_expect_eq(store_batch_outbox(b, 1, 0, NULL, 0), 0);
    cr_expect_eq(store_batch_outbox(b, 1, 1, NULL, 0), STORE_EINVAL);
    static uint8_t big[4097];
    cr_expect_eq(store_batch_outbox(b, 1, 0, big, sizeof big), STORE_ETOO_LARGE);
}

Test(batch, a_batch_refuses_to_grow_past_its_cap)
{
    store_batch *small;
    cr_assert_eq(store_batch_new(&small, 1000), 0);
    store_move m = gen_move(1, 0);
    int rc = 0;
    size_t n = 0;
    while ((rc = store_batch_move(small, NULL, &m)) == 0)
        n++;
    cr_expect_eq(rc, STORE_ETOO_LARGE);
    cr_expect_geq(n, 1);
    cr_expect_lt(n, 1000 / 100);
    store_batch_free(small);
}

Test(batch, a_batch_with_thousands_of_moves_commits_whole)
{
    store_info info;
    store_batch_reset(b);
    for (unsigned i = 0; i < 5000; i++) {
        store_move m = gen_move(10, i);
        cr_assert_eq(store_batch_move(b, NULL, &m), 0);
    }
    rpc_hash32 h = hash_of(10, 0);
    store_batch_cursor(b, 10, &h);
    uint64_t first;
    cr_assert_eq(store_commit(s, &first, b), 0);
    cr_expect_eq(first, 1);
    cr_assert_eq(store_info_get(s, &info), 0);
    cr_expect_eq(info.last_seq, 5000);
}
