/* tests/tracker/test_catchup.c — an address added to the watchlist after the tracker has
 * passed its `since` is backfilled: its moves are exactly those a tracker watching it from
 * the start would have logged; committed once, never again after a restart. */
#include "trk_testutil.h"

static world W;
static void stop(void)
{
    world_stop(&W);
}

/* A watchlist directory with Whale (A, B) and Late (the stranger, since `since`). */
static void late_watchlist(const char *dir, uint64_t since)
{
    char path[192];
    cr_assert_eq(mkdir(dir, 0700), 0);
    snprintf(path, sizeof path, "%s/watch.ini", dir);
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fprintf(f, "[entity \"Whale\"]\naddress = %s\naddress = %s\nsince = 0\n\n", WHALE_A, WHALE_B);
    fprintf(f, "[entity \"Late\"]\naddress = %s\nsince = %llu\n\n", STRANGER,
            (unsigned long long)since);
    fprintf(f, "[exchange \"Binance\"]\naddress = %s\n", EXCHANGE);
    fclose(f);
}

static wl_set *load(const char *dir)
{
    wl_set *set;
    wl_errors e = {0};
    const char *paths[1] = {dir};
    cr_assert_eq(wl_load(&set, &e, paths, 1, NULL), WL_OK);
    wl_errors_free(&e);
    return set;
}

static movelist only(const movelist *l, const char *entity)
{
    movelist o = {0};
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i].entity, entity))
            movelist_add(&o, &l->v[i]);
    return o;
}

Test(catchup, an_added_address_gets_exactly_the_moves_of_its_past_once, .fini = stop,
     .timeout = 300)
{
    world_chain(&W, NULL);
    world_watchlist(&W, 0);
    uint64_t start = head_of(&W) + 1;
    for (unsigned i = 0; i < 18; i++)
        world_play(&W, i);
    char late_dir[128];
    snprintf(late_dir, sizeof late_dir, "%s/late", W.dir);
    late_watchlist(late_dir, start);

    /* the reference: Late watched from the start */
    wl_set *full = load(late_dir);
    world_open(&W, start);
    trk_pipe_free(W.p);
    cr_assert_eq(trk_pipe_new(&W.p, &W.cfg, trk_io_rpc(W.c), W.s, full), 0);
    world_run(&W);
    movelist all = world_moves(W.s);
    movelist want = only(&all, "Late");
    cr_assert(want.n >= 6, "the stranger has a past (%zu moves)", want.n);
    world_close(&W);
    world_rm(W.data);

    /* Whale only, then Late added */
    world_open(&W, start);
    world_run(&W);
    movelist before = world_moves(W.s);
    cr_assert_eq(trk_pipe_set_watchlist(W.p, full), 0);
    trk_step st;
    int rc = trk_pipe_step(W.p, &st);
    cr_assert_eq(rc, 0, "%s: %s", trk_strerror(rc), trk_pipe_why(W.p));
    cr_expect_eq(st.caught_up, 1);
    cr_expect_eq(st.moves, want.n);
    movelist after = world_moves(W.s);
    cr_assert_eq(after.n, before.n + want.n, "the backfill added only Late's moves");
    movelist got = only(&after, "Late");
    cr_assert_eq(got.n, want.n);
    for (size_t i = 0; i < want.n; i++) {
        got.v[i].seq = want.v[i].seq; /* the log position differs, nothing else may */
        char a[256], b[256];
        cr_expect(same_move(&got.v[i], &want.v[i]), "move %zu: %s vs %s", i,
                  move_text(a, sizeof a, &got.v[i]), move_text(b, sizeof b, &want.v[i]));
    }

    /* a restart: nothing to catch up any more */
    trk_pipe_free(W.p);
    cr_assert_eq(trk_pipe_new(&W.p, &W.cfg, trk_io_rpc(W.c), W.s, full), 0);
    world_play(&W, 1); /* A -> stranger: one move for each */
    rc = trk_pipe_step(W.p, &st);
    cr_assert_eq(rc, 0, "%s", trk_pipe_why(W.p));
    cr_expect_eq(st.caught_up, 0);
    cr_expect_eq(st.moves, 2, "followed live with the others");
    trk_pipe_free(W.p);
    W.p = NULL;
    wl_set_free(full);
    free(all.v);
    free(want.v);
    free(before.v);
    free(after.v);
    free(got.v);
}
