/* tests/store/test_outbox.c — alerts waiting for delivery (store/outbox.c). */
#include <string.h>

#include <criterion/criterion.h>

#include "helpers.h"
#include "store/store.h"

static char *dir;
static store *s;

static void setup(void)
{
    dir = make_tmpdir();
    cr_assert_not_null(dir);
    store_opts o = writer_opts();
    cr_assert_eq(store_open(&s, NULL, 0, dir, &o), 0);
}

static void teardown(void)
{
    store_close(s);
    rm_tree(dir);
}

TestSuite(outbox, .init = setup, .fini = teardown);

struct alerts {
    store_alert a[16];
    uint8_t payload[16][8];
    size_t n;
};

static int collect_alert(void *ctx, const store_alert *a)
{
    struct alerts *c = ctx;
    cr_assert_lt(c->n, 16);
    cr_assert_leq(a->len, 8);
    c->a[c->n] = *a;
    memcpy(c->payload[c->n], a->payload, a->len);
    c->a[c->n].payload = NULL; /* borrowed: not valid after the call */
    c->n++;
    return 0;
}

/* One batch: moves 0..2; alerts for sink 1 on move 2, sink 2 on move 0, sink 1 on move 1. */
static void queue_three(uint64_t block)
{
    store_batch *b;
    cr_assert_eq(store_batch_new(&b, 0), 0);
    for (unsigned i = 0; i < 3; i++) {
        store_move m = gen_move(block, i);
        cr_assert_eq(store_batch_move(b, NULL, &m), 0);
    }
    cr_assert_eq(store_batch_outbox(b, 1, 2, "tg", 2), 0);
    cr_assert_eq(store_batch_outbox(b, 2, 0, "hook", 4), 0);
    cr_assert_eq(store_batch_outbox(b, 1, 1, NULL, 0), 0);
    rpc_hash32 h = hash_of(block, 0);
    store_batch_cursor(b, block, &h);
    cr_assert_eq(store_commit(s, NULL, b), 0);
    store_batch_free(b);
}

Test(outbox, alerts_come_oldest_first_with_the_seq_of_their_move)
{
    queue_three(1);
    queue_three(2);
    struct alerts c = {.n = 0};
    cr_assert_eq(store_outbox_take(s, 0, 0, collect_alert, &c), 0);
    cr_assert_eq(c.n, 6);
    uint64_t want_seq[] = {3, 1, 2, 6, 4, 5};
    uint32_t want_sink[] = {1, 2, 1, 1, 2, 1};
    for (size_t i = 0; i < 6; i++) {
        cr_expect_eq(c.a[i].id, i + 1);
        cr_expect_eq(c.a[i].seq, want_seq[i]);
        cr_expect_eq(c.a[i].sink, want_sink[i]);
    }
    cr_expect_eq(c.a[1].len, 4);
    cr_expect_arr_eq(c.payload[1], "hook", 4);
    cr_expect_eq(c.a[2].len, 0);
}

Test(outbox, a_sink_sees_only_its_own_alerts_up_to_max)
{
    queue_three(1);
    queue_three(2);
    struct alerts c = {.n = 0};
    cr_assert_eq(store_outbox_take(s, 1, 3, collect_alert, &c), 0);
    cr_assert_eq(c.n, 3);
    for (size_t i = 0; i < 3; i++)
        cr_expect_eq(c.a[i].sink, 1);
}

Test(outbox, a_delivered_alert_is_gone_and_ids_keep_increasing)
{
    queue_three(1);
    for (uint64_t id = 1; id <= 3; id++)
        cr_assert_eq(store_outbox_done(s, id), 0);
    cr_expect_eq(store_outbox_done(s, 2), STORE_ENOTFOUND);
    struct alerts c = {.n = 0};
    cr_assert_eq(store_outbox_take(s, 0, 0, collect_alert, &c), 0);
    cr_expect_eq(c.n, 0);
    queue_three(2);
    cr_assert_eq(store_outbox_take(s, 0, 0, collect_alert, &c), 0);
    cr_assert_eq(c.n, 3);
    cr_expect_eq(c.a[0].id, 4);
}

/* Commits block `block` with one move and one alert for sink 1, its hash recorded. */
static void one_alert(uint64_t block)
{
    store_batch *b;
    cr_assert_eq(store_batch_new(&b, 0), 0);
    rpc_hash32 h = hash_of(block, 0), parent = hash_of(block - 1, 0);
    store_move m = gen_move(block, 0);
    size_t ix;
    cr_assert_eq(store_batch_move(b, &ix, &m), 0);
    cr_assert_eq(store_batch_outbox(b, 1, ix, NULL, 0), 0);
    cr_assert_eq(store_batch_block(b, block, &h, &parent), 0);
    store_batch_cursor(b, block, &h);
    cr_assert_eq(store_commit(s, NULL, b), 0);
    store_batch_free(b);
}

Test(outbox, a_rollback_of_a_delivered_move_queues_one_retraction_alert_for_its_sink)
{
    one_alert(1);
    one_alert(2);
    cr_assert_eq(store_outbox_done(s, 1), 0);
    cr_assert_eq(store_outbox_done(s, 2), 0);
    cr_assert_eq(store_rollback(s, NULL, 1), 0);
    struct alerts c = {.n = 0};
    cr_assert_eq(store_outbox_take(s, 0, 0, collect_alert, &c), 0);
    cr_assert_eq(c.n, 1);
    cr_expect_eq(c.a[0].seq, 2);
    cr_expect_eq(c.a[0].sink, 1);
    cr_expect(c.a[0].retraction);
    cr_expect_eq(c.a[0].len, 0);
    cr_assert_eq(store_outbox_done(s, c.a[0].id), 0);
    c.n = 0;
    cr_assert_eq(store_outbox_take(s, 0, 0, collect_alert, &c), 0);
    cr_expect_eq(c.n, 0, "a delivered retraction is not retracted again");
}

Test(outbox, a_dropped_or_pending_alert_gets_no_retraction)
{
    one_alert(1);
    one_alert(2);
    one_alert(3);
    cr_assert_eq(store_outbox_drop(s, 2), 0);
    cr_assert_eq(store_rollback(s, NULL, 1), 0);
    struct alerts c = {.n = 0};
    cr_assert_eq(store_outbox_take(s, 0, 0, collect_alert, &c), 0);
    cr_assert_eq(c.n, 2, "the pending alerts of moves 1 and 3 stay, nothing is added");
    cr_expect(!c.a[0].retraction);
    cr_expect(!c.a[1].retraction);
    cr_expect_eq(c.a[1].seq, 3);
}

Test(outbox, an_alert_delivered_after_its_move_was_retracted_is_retracted_at_once)
{
    one_alert(1);
    one_alert(2);
    cr_assert_eq(store_rollback(s, NULL, 1), 0); /* while alert 2 was on the wire */
    cr_assert_eq(store_outbox_done(s, 2), 0);
    struct alerts c = {.n = 0};
    cr_assert_eq(store_outbox_take(s, 0, 0, collect_alert, &c), 0);
    cr_assert_eq(c.n, 2);
    cr_expect_eq(c.a[1].seq, 2);
    cr_expect(c.a[1].retraction);
}

Test(outbox, a_batch_cannot_forge_the_stores_retraction_tag)
{
    store_batch *b;
    cr_assert_eq(store_batch_new(&b, 0), 0);
    store_move m = gen_move(1, 0);
    cr_assert_eq(store_batch_move(b, NULL, &m), 0);
    cr_expect_eq(store_batch_outbox(b, 1, 0, "\xffretract", 8), STORE_EINVAL);
    store_batch_free(b);
}
