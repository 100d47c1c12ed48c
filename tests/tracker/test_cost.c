/* tests/tracker/test_cost.c — cost does not grow with the watchlist: following the head
 * takes the same number of HTTP round trips per block with 1, 100 and 10,000 watched
 * addresses (counted by the rpc client, per block, with and without watched events). */
#include "trk_testutil.h"

static world W;
static void stop(void)
{
    world_stop(&W);
}

/* Round trips of the next live block, which holds one watched transfer when `event`. */
static uint64_t trips_of_one_block(bool event)
{
    rpc_endpoint_stats s0, s1;
    if (event)
        cr_assert_eq(wt_token_call(&W.A, WHALE_A, W.tok, NULL, NULL, "mint(uint256)", 1, "5"), 0);
    else
        cr_assert_eq(wt_anvil_mine(&W.A, 1), 0);
    uint64_t head = head_of(&W);
    rpc_client_stats(W.c, 0, &s0);
    trk_step st;
    int rc = trk_pipe_step(W.p, &st);
    cr_assert_eq(rc, 0, "%s: %s", trk_strerror(rc), trk_pipe_why(W.p));
    cr_assert(!st.idle && st.from == head && st.to == head);
    cr_assert_eq(st.moves, event ? 1u : 0u);
    rpc_client_stats(W.c, 0, &s1);
    return s1.round_trips - s0.round_trips;
}

static void measure(size_t naddrs, uint64_t *with_event, uint64_t *without)
{
    wt_anvil_opts o = {.no_mining = true};
    world_chain(&W, &o);
    char path[160];
    snprintf(path, sizeof path, "%s/watch.ini", W.wl);
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fprintf(f, "[entity \"Whale\"]\nsince = 0\naddress = %s\n", WHALE_A);
    for (size_t i = 1; i < naddrs; i++)
        fprintf(f, "address = 0x%08zx%032x\n", i, 0xc0ffeeu);
    fclose(f);
    world_open(&W, head_of(&W) + 1);
    world_run(&W);
    *with_event = trips_of_one_block(true);
    *without = trips_of_one_block(false);
    for (int i = 0; i < 3; i++) {
        cr_expect_eq(trips_of_one_block(true), *with_event, "steady with events");
        cr_expect_eq(trips_of_one_block(false), *without, "steady without");
    }
    world_stop(&W);
    fprintf(stderr, "cost: %zu watched addresses: %llu round trips per block with a watched "
                    "event, %llu without\n",
            naddrs, (unsigned long long)*with_event, (unsigned long long)*without);
}

Test(cost, round_trips_per_block_are_the_same_for_1_100_and_10000_addresses, .fini = stop,
     .timeout = 300)
{
    uint64_t e1, n1, e100, n100, e10k, n10k;
    measure(1, &e1, &n1);
    measure(100, &e100, &n100);
    measure(10000, &e10k, &n10k);
    cr_expect_eq(e1, 2, "poll + snapshot");
    cr_expect_eq(n1, 2, "native balances are read every block");
    cr_expect_eq(e100, e1);
    cr_expect_eq(e10k, e1);
    cr_expect_eq(n100, n1);
    cr_expect_eq(n10k, n1);
}
