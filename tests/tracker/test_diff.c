/* tests/tracker/test_diff.c — diff + rules as a pure function: hand-made events and native
 * readings of one block against a small watchlist give exactly the moves the rules say. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "rpc/u256.h"
#include "tracker/diff.h"

static wl_set *SET;
static char DIR_[64];

/* Whale = {0x..01, 0x..02}; Other = {0x..05}; exchange Binance = {0x..03}. */
static void setup(void)
{
    snprintf(DIR_, sizeof DIR_, "/tmp/trkdiff.XXXXXX");
    cr_assert(mkdtemp(DIR_));
    char path[128];
    snprintf(path, sizeof path, "%s/w.ini", DIR_);
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fprintf(f, "[entity \"Whale\"]\naddress = 0x%040x\naddress = 0x%040x\n\n", 1, 2);
    fprintf(f, "[entity \"Other\"]\naddress = 0x%040x\n\n", 5);
    fprintf(f, "[exchange \"Binance\"]\naddress = 0x%040x\n", 3);
    fclose(f);
    wl_errors e = {0};
    const char *paths[1] = {DIR_};
    cr_assert_eq(wl_load(&SET, &e, paths, 1, NULL), WL_OK);
    wl_errors_free(&e);
    unlink(path);
}

static void teardown(void)
{
    wl_set_free(SET);
    rmdir(DIR_);
}

TestSuite(diff, .init = setup, .fini = teardown);

static rpc_addr A(uint8_t last)
{
    rpc_addr a = {{0}};
    a.b[19] = last;
    return a;
}

static trk_event transfer(uint8_t from, uint8_t to, uint64_t amount, uint32_t log_index)
{
    trk_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = TRK_EV_TRANSFER;
    ev.from = A(from);
    ev.to = A(to);
    ev.asset = A(0xaa);
    ev.amount = rpc_u256_from_u64(amount);
    ev.log_index = log_index;
    ev.decimals = 6;
    return ev;
}

static const trk_diff_opts OPTS = {{{10000, 0, 0, 0}}}; /* dust: 10,000 wei */

static trk_moves run(const trk_event *ev, size_t nev, const trk_native *nat, size_t nnat)
{
    trk_block_in b = {100, 1700000000, {{0}}, ev, nev, nat, nnat};
    trk_moves ms = {0};
    cr_assert_eq(trk_diff_block(&ms, &b, SET, &OPTS), 0);
    return ms;
}

Test(diff, a_transfer_out_and_in_of_one_entity_are_one_move_each_in_log_order)
{
    trk_event ev[2] = {transfer(1, 9, 500, 4), transfer(9, 2, 70, 7)};
    trk_moves ms = run(ev, 2, NULL, 0);
    cr_assert_eq(ms.n, 2);
    cr_expect_eq(ms.v[0].kind, STORE_KIND_TRANSFER_OUT);
    cr_expect_eq(ms.v[0].address.b[19], 1);
    cr_expect_eq(ms.v[0].counterparty.b[19], 9);
    cr_expect_eq(ms.v[0].amount.w[0], 500);
    cr_expect_eq(ms.v[0].log_index, 4);
    cr_expect_eq(ms.v[0].decimals, 6);
    cr_expect_str_eq(ms.v[0].entity, "Whale");
    cr_expect_eq(ms.v[1].kind, STORE_KIND_TRANSFER_IN);
    cr_expect_eq(ms.v[1].address.b[19], 2);
    cr_expect_eq(ms.v[1].block, 100);
    trk_moves_free(&ms);
}

Test(diff, sending_to_a_labelled_exchange_is_an_exchange_deposit_and_back_a_withdrawal)
{
    trk_event ev[2] = {transfer(1, 3, 5, 0), transfer(3, 2, 6, 1)};
    trk_moves ms = run(ev, 2, NULL, 0);
    cr_assert_eq(ms.n, 2);
    cr_expect_eq(ms.v[0].kind, STORE_KIND_EXCHANGE_DEPOSIT);
    cr_expect_eq(ms.v[0].counterparty.b[19], 3);
    cr_expect_eq(ms.v[1].kind, STORE_KIND_EXCHANGE_WITHDRAWAL);
    trk_moves_free(&ms);
}

Test(diff, a_transfer_between_two_addresses_of_one_entity_is_no_move)
{
    trk_event ev = transfer(1, 2, 5, 0);
    trk_moves ms = run(&ev, 1, NULL, 0);
    cr_expect_eq(ms.n, 0);
    trk_moves_free(&ms);
}

Test(diff, a_transfer_between_two_entities_is_a_move_for_each)
{
    trk_event ev = transfer(1, 5, 5, 0);
    trk_moves ms = run(&ev, 1, NULL, 0);
    cr_assert_eq(ms.n, 2);
    cr_expect_str_eq(ms.v[0].entity, "Whale");
    cr_expect_str_eq(ms.v[1].entity, "Other");
    trk_moves_free(&ms);
}

Test(diff, a_wrap_explains_the_eth_it_took_and_is_no_move)
{
    trk_event w;
    memset(&w, 0, sizeof w);
    w.kind = TRK_EV_WRAP;
    w.to = A(1);
    w.amount = rpc_u256_from_u64(2000000);
    trk_native n = {A(1), rpc_u256_from_u64(5000000), rpc_u256_from_u64(3000000 - 300)};
    trk_moves ms = run(&w, 1, &n, 1); /* 300 wei of gas: below dust */
    cr_expect_eq(ms.n, 0);
    trk_moves_free(&ms);
}

Test(diff, an_unexplained_eth_change_is_a_native_move_of_the_exact_difference)
{
    trk_native n[2] = {{A(1), rpc_u256_from_u64(5000000), rpc_u256_from_u64(1000000)},
                       {A(2), rpc_u256_from_u64(0), rpc_u256_from_u64(777777)}};
    trk_moves ms = run(NULL, 0, n, 2);
    cr_assert_eq(ms.n, 2);
    cr_expect_eq(ms.v[0].kind, STORE_KIND_TRANSFER_OUT);
    cr_expect_eq(ms.v[0].amount.w[0], 4000000);
    cr_expect_eq(ms.v[0].log_index, TRK_NO_LOG);
    cr_expect_eq(ms.v[0].decimals, 18);
    rpc_addr zero = {{0}};
    cr_expect(!memcmp(&ms.v[0].asset, &zero, 20), "native ETH is the zero asset");
    cr_expect_eq(ms.v[1].kind, STORE_KIND_TRANSFER_IN);
    cr_expect_eq(ms.v[1].amount.w[0], 777777);
    trk_moves_free(&ms);
}

Test(diff, an_eth_change_below_the_dust_is_taken_for_gas)
{
    trk_native n = {A(1), rpc_u256_from_u64(5000000), rpc_u256_from_u64(5000000 - 9999)};
    trk_moves ms = run(NULL, 0, &n, 1);
    cr_expect_eq(ms.n, 0);
    trk_moves_free(&ms);
}

Test(diff, rules_keep_unpriced_moves_and_priced_ones_above_min_usd)
{
    const wl_rules *r = wl_rules_of(SET); /* defaults: $1,000,000 */
    store_move m;
    memset(&m, 0, sizeof m);
    m.kind = STORE_KIND_TRANSFER_OUT;
    cr_expect(trk_rules_keep(r, &m), "no price: kept");
    m.usd = rpc_u256_from_u64(999999ull * 100000000ull);
    cr_expect(!trk_rules_keep(r, &m), "$999,999 < $1,000,000");
    m.usd = rpc_u256_from_u64(1000000ull * 100000000ull);
    cr_expect(trk_rules_keep(r, &m), "$1,000,000 is enough");
}
