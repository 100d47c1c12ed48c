/* tests/tracker/test_faults.c — a bad endpoint during a run: through the fault proxy, a
 * share of the node's answers are HTTP errors, HTML pages, truncated or cut bodies, wrong
 * ids, reordered or short batches and a lagging head; the tracker retries and reports, and
 * its move log is exactly the log of a run against the healthy node: no wrong move. */
#include "tests/support/faultproxy.h"
#include "trk_testutil.h"

static world W;
static wt_proxy P;
static void stop(void)
{
    wt_proxy_stop(&P);
    world_stop(&W);
}

/* run_through: step until the cursor is at `target`, retrying what a bad endpoint makes
 * fail (as `run` does); a lagging head only delays it. */
static size_t run_through(uint64_t target)
{
    size_t failures = 0;
    for (int i = 0; i < 20000; i++) {
        trk_step st;
        int rc = trk_pipe_step(W.p, &st);
        if (rc == TRK_ERPC || rc == TRK_EDECODE || rc == TRK_ERACE || rc == TRK_EHEAD) {
            failures++;
            continue;
        }
        cr_assert_eq(rc, 0, "%s: %s", trk_strerror(rc), trk_pipe_why(W.p));
        store_info info;
        cr_assert_eq(store_info_get(W.s, &info), 0);
        if (st.idle && info.has_cursor && info.cursor_block == target)
            return failures;
    }
    cr_assert_fail("never idle");
    return failures;
}

Test(faults, garbage_from_the_endpoint_never_makes_a_wrong_move, .fini = stop, .timeout = 300)
{
    world_chain(&W, NULL);
    world_watchlist(&W, 0);
    uint64_t start = head_of(&W) + 1;
    for (unsigned i = 0; i < 30; i++)
        world_play(&W, i);
    world_open(&W, start);
    W.cfg.batch_blocks = 4;
    trk_pipe_free(W.p);
    cr_assert_eq(trk_pipe_new(&W.p, &W.cfg, trk_io_rpc(W.c), W.s, W.set), 0);
    world_run(&W);
    movelist good = world_moves(W.s);
    world_close(&W);
    world_rm(W.data);

    uint64_t head = head_of(&W);
    cr_assert_eq(wt_proxy_start(&P, W.A.url), 0);
    char url[64];
    snprintf(url, sizeof url, "%s", P.url);
    /* the world's client, now through the proxy */
    snprintf(W.A.url, sizeof W.A.url, "%s", url);
    world_open(&W, start);
    W.cfg.batch_blocks = 4;
    trk_pipe_free(W.p);
    cr_assert_eq(trk_pipe_new(&W.p, &W.cfg, trk_io_rpc(W.c), W.s, W.set), 0);
    static const char *const rules[] = {
        "http status=500 prob=0.1 seed=11", "html prob=0.1 seed=12",
        "truncate prob=0.1 seed=13",        "close_mid_body prob=0.1 seed=14",
        "wrong_id prob=0.1 seed=15",        "drop_one prob=0.1 seed=16",
        "reorder prob=0.2 seed=17",          "stale_head lag=3 prob=0.2 seed=18",
    };
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        cr_assert(wt_proxy_rule(&P, rules[i]) >= 0, "%s", rules[i]);
    size_t failures = run_through(head);
    movelist bad = world_moves(W.s);
    long served = 0;
    const char *classes[] = {"faults.http", "faults.html", "faults.truncate",
                             "faults.close_mid_body", "faults.wrong_id", "faults.drop_one",
                             "faults.reorder", "faults.stale_head"};
    for (size_t i = 0; i < 8; i++) {
        long v = wt_proxy_stat(&P, classes[i]);
        served += v > 0 ? v : 0;
    }
    fprintf(stderr, "faults: %ld faulty answers served, %zu steps failed and were retried, "
                    "%zu moves\n", served, failures, bad.n);
    cr_assert(served >= 5, "the proxy served faults (%ld)", served);
    cr_assert_eq(bad.n, good.n, "same moves as against the healthy node");
    for (size_t i = 0; i < good.n; i++)
        cr_expect(same_move(&good.v[i], &bad.v[i]), "move %zu differs", i);
    free(good.v);
    free(bad.v);
}
