/* tests/tracker/test_snap.c — snapshot probes: deduplicated and ordered natives first; and
 * on a real anvil, the state-override balance reader and Multicall3 read the same exact
 * balances (eth_getBalance and balanceOf as the reference), in probe order. */
#include "trk_testutil.h"
#include "tracker/snap.h"

static world W;
static void stop(void)
{
    world_stop(&W);
}

Test(snap, probes_are_unique_and_native_ones_come_first_by_address)
{
    trk_probes ps = {0};
    rpc_addr a = {{0}}, b = {{0}}, t = {{0}};
    a.b[19] = 2;
    b.b[19] = 1;
    t.b[0] = 9;
    cr_assert_eq(trk_probe_balance(&ps, &t, &a), 0);
    cr_assert_eq(trk_probe_native(&ps, &a), 0);
    cr_assert_eq(trk_probe_decimals(&ps, &t), 0);
    cr_assert_eq(trk_probe_native(&ps, &b), 0);
    cr_assert_eq(trk_probe_native(&ps, &a), 0);
    cr_assert_eq(trk_probe_balance(&ps, &t, &a), 0);
    trk_probes_unique(&ps);
    cr_assert_eq(ps.n, 4);
    cr_expect_eq(ps.v[0].what, TRK_PROBE_NATIVE);
    cr_expect_eq(ps.v[0].key.address.b[19], 1);
    cr_expect_eq(ps.v[1].what, TRK_PROBE_NATIVE);
    cr_expect_eq(ps.v[1].key.address.b[19], 2);
    cr_expect_eq(ps.v[2].what, TRK_PROBE_BALANCE);
    cr_expect_eq(ps.v[3].what, TRK_PROBE_DECIMALS);
    trk_probes_free(&ps);
}

/* Reads ps at the head through o; every result must be ok. */
static void read_probes(trk_probe_result *res, const trk_probes *ps, const trk_snap_opts *o)
{
    rpc_batch *b;
    size_t first, failed;
    cr_assert_eq(rpc_batch_new(&b), RPC_OK);
    cr_assert_eq(trk_snap_add(b, &first, ps, head_of(&W), o), 0);
    cr_assert_eq(rpc_batch_send(W.c, b), RPC_OK, "%s", rpc_client_errmsg(W.c));
    cr_assert_eq(trk_snap_take(res, &failed, b, first, ps, o), 0);
    rpc_batch_free(b);
}

Test(snap, reader_and_multicall3_read_the_exact_balances_of_many_addresses, .fini = stop,
     .timeout = 300)
{
    world_chain(&W, NULL);
    world_watchlist(&W, 0);
    world_open(&W, head_of(&W) + 1);
    cr_assert_eq(wt_token_call(&W.A, WHALE_A, W.tok, NULL, NULL, "mint(uint256)", 1, "123456789"),
                 0);
    trk_probes ps = {0};
    rpc_addr tok = addr_of(W.tok);
    for (int i = 0; i < WT_ANVIL_ACCOUNTS; i++) {
        rpc_addr a = addr_of(ACC(i));
        cr_assert_eq(trk_probe_native(&ps, &a), 0);
        cr_assert_eq(trk_probe_balance(&ps, &tok, &a), 0);
    }
    cr_assert_eq(trk_probe_decimals(&ps, &tok), 0);
    trk_probes_unique(&ps);
    trk_probe_result r1[32], r2[32];
    trk_snap_opts reader = {3, 4, true}, mc = {3, 4, false}; /* small chunks: several calls */
    read_probes(r1, &ps, &reader);
    read_probes(r2, &ps, &mc);
    for (size_t i = 0; i < ps.n; i++) {
        const trk_probe *p = &ps.v[i];
        cr_assert(r1[i].ok && r2[i].ok, "probe %zu answered", i);
        cr_expect(!rpc_u256_cmp(&r1[i].value, &r2[i].value), "probe %zu: both paths agree", i);
        if (p->what == TRK_PROBE_NATIVE) {
            rpc_u256 wei;
            cr_assert_eq(rpc_eth_get_balance(W.c, &wei, &p->key.address, head_of(&W)), RPC_OK);
            cr_expect(!rpc_u256_cmp(&wei, &r1[i].value), "probe %zu: eth_getBalance", i);
        } else if (p->what == TRK_PROBE_BALANCE) {
            rpc_addr whale_a = addr_of(WHALE_A);
            bool whale = !memcmp(p->key.address.b, whale_a.b, 20);
            cr_expect_eq(r1[i].value.w[0], whale ? 123456789u : 0u, "probe %zu: balanceOf", i);
        } else {
            cr_expect_eq(r1[i].value.w[0], 6, "decimals");
        }
    }
    trk_probes_free(&ps);
}
