/* tests/store/test_query.c — the readers' queries (store/query.c): the log from a seq, moves
 * of an address or entity by block and time, snapshot history, at a block, and latest. */
#include <string.h>

#include <criterion/criterion.h>

#include "helpers.h"
#include "store/store.h"

static char *dir;
static store *s;

/* Blocks 1..20 of the generated workload. */
static void setup(void)
{
    store_batch *b;
    dir = make_tmpdir();
    cr_assert_not_null(dir);
    store_opts o = writer_opts();
    cr_assert_eq(store_open(&s, NULL, 0, dir, &o), 0);
    cr_assert_eq(store_batch_new(&b, 0), 0);
    for (uint64_t blk = 1; blk <= 20; blk++) {
        cr_assert_eq(gen_batch(b, blk), 0);
        cr_assert_eq(store_commit(s, NULL, b), 0);
    }
    store_batch_free(b);
}

static void teardown(void)
{
    store_close(s);
    rm_tree(dir);
}

TestSuite(query, .init = setup, .fini = teardown);

struct collect {
    store_move m[128];
    size_t n;
    size_t stop_after; /* return 1 after this many; 0 = never */
    int fail_with;     /* return this (negative) on the first move */
};

static int collect_move(void *ctx, const store_move *m)
{
    struct collect *c = ctx;
    if (c->fail_with)
        return c->fail_with;
    cr_assert_lt(c->n, 128);
    c->m[c->n++] = *m;
    return c->stop_after && c->n >= c->stop_after;
}

static size_t total_moves(uint64_t from, uint64_t to)
{
    size_t n = 0;
    for (uint64_t blk = from; blk <= to; blk++)
        n += moves_in(blk);
    return n;
}

Test(query, moves_from_a_seq_come_in_log_order)
{
    struct collect c = {.n = 0};
    uint64_t from = total_moves(1, 10) + 1;
    cr_assert_eq(store_moves_from(s, from, 0, collect_move, &c), 0);
    cr_assert_eq(c.n, total_moves(11, 20));
    for (size_t i = 0; i < c.n; i++)
        cr_expect_eq(c.m[i].seq, from + i);
    cr_expect(same_move(&c.m[0], 11, 0));
}

Test(query, moves_from_stop_at_max_or_when_the_callback_says_so)
{
    struct collect c = {.n = 0};
    cr_assert_eq(store_moves_from(s, 1, 5, collect_move, &c), 0);
    cr_expect_eq(c.n, 5);
    struct collect d = {.n = 0, .stop_after = 3};
    cr_assert_eq(store_moves_from(s, 1, 0, collect_move, &d), 0);
    cr_expect_eq(d.n, 3);
    struct collect e = {.n = 0, .fail_with = -1234};
    cr_expect_eq(store_moves_from(s, 1, 0, collect_move, &e), -1234);
}

Test(query, moves_from_beyond_the_end_give_nothing)
{
    struct collect c = {.n = 0};
    cr_assert_eq(store_moves_from(s, total_moves(1, 20) + 1, 0, collect_move, &c), 0);
    cr_expect_eq(c.n, 0);
}

Test(query, moves_of_an_address_in_a_block_range_come_in_block_order)
{
    rpc_addr a = addr_of(2);
    store_range r = {.block_from = 5, .block_to = 12};
    struct collect c = {.n = 0};
    cr_assert_eq(store_moves_by_address(s, &a, &r, collect_move, &c), 0);
    size_t want = 0;
    for (uint64_t blk = 5; blk <= 12; blk++)
        for (unsigned i = 0; i < moves_in(blk); i++)
            if (1 + (blk + i) % 4 == 2) {
                cr_assert_lt(want, c.n);
                cr_expect(same_move(&c.m[want], blk, i), "block %llu move %u",
                          (unsigned long long)blk, i);
                want++;
            }
    cr_expect_eq(c.n, want);
    cr_expect_gt(want, 3);
}

Test(query, moves_of_an_entity_filter_by_time)
{
    /* Blocks 1..20 have time 1700000000 + 12 * block: blocks 8..10 are [96, 120]. */
    store_range r = {.time_from = 1700000000 + 96, .time_to = 1700000000 + 120};
    struct collect c = {.n = 0};
    cr_assert_eq(store_moves_by_entity(s, "entity-1", &r, collect_move, &c), 0);
    size_t want = 0;
    for (uint64_t blk = 8; blk <= 10; blk++)
        for (unsigned i = 0; i < moves_in(blk); i++)
            want += (blk + i) % 3 == 1;
    cr_expect_eq(c.n, want);
    for (size_t i = 0; i < c.n; i++) {
        cr_expect_str_eq(c.m[i].entity, "entity-1");
        cr_expect(c.m[i].block >= 8 && c.m[i].block <= 10);
    }
}

Test(query, an_unknown_entity_or_address_has_no_moves)
{
    store_range all = {0};
    struct collect c = {.n = 0};
    rpc_addr nobody = addr_of(0x99);
    cr_assert_eq(store_moves_by_entity(s, "entity-", &all, collect_move, &c), 0);
    cr_assert_eq(store_moves_by_entity(s, "entity-10", &all, collect_move, &c), 0);
    cr_assert_eq(store_moves_by_address(s, &nobody, &all, collect_move, &c), 0);
    cr_expect_eq(c.n, 0);
    char longname[STORE_NAME_MAX + 2];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    cr_expect_eq(store_moves_by_entity(s, longname, &all, collect_move, &c), STORE_EINVAL);
}

struct pos_collect {
    store_pos_key k[32];
    store_position p[32];
    size_t n;
};

static int collect_pos(void *ctx, const store_pos_key *k, const store_position *p)
{
    struct pos_collect *c = ctx;
    cr_assert_lt(c->n, 32);
    c->k[c->n] = *k;
    c->p[c->n++] = *p;
    return 0;
}

Test(query, snapshot_history_lists_one_position_oldest_first)
{
    store_pos_key k = gen_poskey(3); /* address 4: blocks 3, 7, 11, 15, 19 */
    struct pos_collect c = {.n = 0};
    cr_assert_eq(store_snapshot_history(s, &k, 5, 15, collect_pos, &c), 0);
    cr_assert_eq(c.n, 3);
    uint64_t want[] = {7, 11, 15};
    for (size_t i = 0; i < 3; i++) {
        store_position g = gen_position(want[i]);
        cr_expect_eq(c.p[i].block, want[i]);
        cr_expect_arr_eq(&c.p[i].collateral, &g.collateral, 32);
        cr_expect_arr_eq(&c.k[i], &k, sizeof k);
    }
    c.n = 0;
    cr_assert_eq(store_snapshot_history(s, &k, 0, 0, collect_pos, &c), 0);
    cr_expect_eq(c.n, 5);
}

Test(query, snapshot_at_gives_the_latest_at_or_before_a_block)
{
    store_pos_key k = gen_poskey(3);
    store_position p;
    cr_assert_eq(store_snapshot_at(s, &p, &k, 7), 0);
    cr_expect_eq(p.block, 7);
    cr_assert_eq(store_snapshot_at(s, &p, &k, 10), 0);
    cr_expect_eq(p.block, 7);
    cr_assert_eq(store_snapshot_at(s, &p, &k, 0), 0);
    cr_expect_eq(p.block, 19);
    cr_assert_eq(store_snapshot_at(s, &p, &k, 1000), 0);
    cr_expect_eq(p.block, 19);
    cr_expect_eq(store_snapshot_at(s, &p, &k, 2), STORE_ENOTFOUND);
    cr_expect_eq(p.block, 0);
    store_pos_key other = k;
    other.protocol = 8;
    cr_expect_eq(store_snapshot_at(s, &p, &other, 0), STORE_ENOTFOUND);
}

Test(query, the_latest_snapshot_of_every_position_and_of_one_address)
{
    struct pos_collect c = {.n = 0};
    cr_assert_eq(store_snapshot_latest(s, NULL, collect_pos, &c), 0);
    cr_assert_eq(c.n, 4);               /* addresses 1..4 */
    uint64_t want[] = {20, 17, 18, 19}; /* address 1 + block % 4 */
    for (size_t i = 0; i < 4; i++) {
        cr_expect_eq(c.k[i].address.b[0], i + 1);
        cr_expect_eq(c.p[i].block, want[i]);
    }
    c.n = 0;
    rpc_addr a = addr_of(3);
    cr_assert_eq(store_snapshot_latest(s, &a, collect_pos, &c), 0);
    cr_assert_eq(c.n, 1);
    cr_expect_eq(c.p[0].block, 18);
}

Test(query, a_late_older_snapshot_does_not_replace_the_latest)
{
    store_batch *b;
    cr_assert_eq(store_batch_new(&b, 0), 0);
    store_pos_key k = gen_poskey(1);
    store_position old = gen_position(2); /* before address 2's latest (17) */
    cr_assert_eq(store_batch_snapshot(b, &k, &old), 0);
    cr_assert_eq(store_commit(s, NULL, b), 0);
    store_batch_free(b);
    store_position p;
    cr_assert_eq(store_snapshot_at(s, &p, &k, 0), 0);
    cr_expect_eq(p.block, 17);
    struct pos_collect c = {.n = 0};
    rpc_addr a = addr_of(2);
    cr_assert_eq(store_snapshot_latest(s, &a, collect_pos, &c), 0);
    cr_assert_eq(c.n, 1);
    cr_expect_eq(c.p[0].block, 17);
}
