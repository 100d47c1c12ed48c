/* tests/tracker/test_event.c — the decoder table: topic0 constants against keccak, ERC-20
 * and WETH logs decoded (ERC-721 and malformed shapes refused), and filters that stay a
 * few OR-lists however long the watchlist. */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "rpc/keccak.h"
#include "rpc/u256.h"
#include "tracker/event.h"

Test(event, topic_constants_are_the_keccak_of_their_signatures)
{
    rpc_hash32 t = rpc_keccak_topic("Transfer(address,address,uint256)");
    cr_expect(!memcmp(&t, &trk_topic_transfer, 32));
    t = rpc_keccak_topic("Deposit(address,uint256)");
    cr_expect(!memcmp(&t, &trk_topic_deposit, 32));
    t = rpc_keccak_topic("Withdrawal(address,uint256)");
    cr_expect(!memcmp(&t, &trk_topic_withdrawal, 32));
}

static const rpc_addr WETH = {{0xee}};
static const trk_watch WATCH = {NULL, 0, &WETH, 1, NULL, 1000};

static size_t decoder_named(const char *kind)
{
    size_t n;
    const trk_decoder *d = trk_decoders(&n);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(d[i].kind, kind))
            return i;
    cr_assert_fail("no decoder %s", kind);
    return 0;
}

static rpc_log transfer_log(uint8_t from, uint8_t to, uint64_t amount, uint8_t *data)
{
    rpc_log l;
    memset(&l, 0, sizeof l);
    l.address.b[19] = 0xaa;
    l.topics[0] = trk_topic_transfer;
    l.topics[1].b[31] = from;
    l.topics[2].b[31] = to;
    l.n_topics = 3;
    memset(data, 0, 32);
    rpc_u256 v = rpc_u256_from_u64(amount);
    rpc_u256_to_be32(data, &v);
    l.data = data;
    l.data_len = 32;
    l.block_number = 7;
    l.log_index = 3;
    return l;
}

Test(event, an_erc20_transfer_decodes_to_its_ends_amount_and_token)
{
    uint8_t data[32];
    rpc_log l = transfer_log(1, 2, 123456789, data);
    trk_event ev;
    bool ok;
    cr_assert_eq(trk_decode_log(&ev, &ok, &l, &WATCH), 0);
    cr_assert(ok);
    cr_expect_eq(ev.kind, TRK_EV_TRANSFER);
    cr_expect_eq(ev.from.b[19], 1);
    cr_expect_eq(ev.to.b[19], 2);
    cr_expect_eq(ev.asset.b[19], 0xaa);
    cr_expect_eq(ev.amount.w[0], 123456789);
    cr_expect_eq(ev.block, 7);
    cr_expect_eq(ev.log_index, 3);
}

Test(event, an_erc721_transfer_is_not_an_erc20_one)
{
    uint8_t data[32];
    rpc_log l = transfer_log(1, 2, 5, data);
    l.n_topics = 4;
    l.data_len = 0;
    trk_event ev;
    bool ok = true;
    cr_assert_eq(trk_decode_log(&ev, &ok, &l, &WATCH), 0);
    cr_expect(!ok);
}

Test(event, a_transfer_with_dirty_address_topic_is_a_decode_error)
{
    uint8_t data[32];
    rpc_log l = transfer_log(1, 2, 5, data);
    l.topics[1].b[0] = 1; /* high bytes of an address word must be zero */
    trk_event ev;
    bool ok = true;
    cr_expect_eq(trk_decode_log(&ev, &ok, &l, &WATCH), TRK_EDECODE);
    cr_expect(!ok);
}

Test(event, weth_deposit_and_withdrawal_decode_to_wrap_and_unwrap)
{
    uint8_t data[32] = {0};
    data[31] = 9;
    rpc_log l;
    memset(&l, 0, sizeof l);
    l.topics[0] = trk_topic_deposit;
    l.topics[1].b[31] = 4;
    l.n_topics = 2;
    l.data = data;
    l.data_len = 32;
    l.address = WETH;
    trk_event ev;
    bool ok;
    cr_assert_eq(trk_decode_log(&ev, &ok, &l, &WATCH), 0);
    cr_assert(ok);
    cr_expect_eq(ev.kind, TRK_EV_WRAP);
    cr_expect_eq(ev.decoder, decoder_named("weth"));
    cr_expect_eq(ev.to.b[19], 4);
    cr_expect_eq(ev.amount.w[0], 9);
    l.topics[0] = trk_topic_withdrawal;
    cr_assert_eq(trk_decode_log(&ev, &ok, &l, &WATCH), 0);
    cr_expect_eq(ev.kind, TRK_EV_UNWRAP);
    cr_expect_eq(ev.from.b[19], 4);
}

Test(event, a_deposit_event_of_a_contract_that_is_not_a_known_weth_is_ignored)
{
    uint8_t data[32] = {0};
    rpc_log l;
    memset(&l, 0, sizeof l);
    l.address.b[0] = 0x12; /* not WETH */
    l.topics[0] = trk_topic_deposit;
    l.n_topics = 2;
    l.data = data;
    l.data_len = 32;
    trk_event ev;
    bool ok = true;
    cr_assert_eq(trk_decode_log(&ev, &ok, &l, &WATCH), 0);
    cr_expect(!ok);
}

static void filters_for(size_t naddrs, size_t *erc20, size_t *weth)
{
    rpc_addr *a = calloc(naddrs, sizeof *a);
    cr_assert(a);
    for (size_t i = 0; i < naddrs; i++)
        memcpy(a[i].b, &i, sizeof i);
    rpc_addr w = {{1}};
    trk_watch tw = {a, naddrs, &w, 1, NULL, 1000};
    trk_filters fs;
    cr_assert_eq(trk_filters_build(&fs, &tw), 0);
    *erc20 = *weth = 0;
    size_t total = 0;
    for (size_t i = 0; i < fs.n; i++) {
        size_t per = fs.v[i].n_topics[1] + fs.v[i].n_topics[2];
        cr_expect(per <= 1000, "an OR-list holds at most a chunk");
        total += per;
        if (fs.decoder[i] == decoder_named("erc20"))
            (*erc20)++;
        if (fs.v[i].n_topics[1]) /* the from side also carries WETH Deposit/Withdrawal */
            *weth += fs.v[i].n_topics[0] == 3;
    }
    cr_expect_eq(total, 2 * naddrs, "every address once as from, once as to");
    trk_filters_free(&fs);
    free(a);
}

Test(event, filters_are_a_few_or_lists_not_one_request_per_address)
{
    size_t e, w;
    filters_for(1, &e, &w);
    cr_expect_eq(e, 2);
    cr_expect_eq(w, 1);
    filters_for(1000, &e, &w);
    cr_expect_eq(e, 2);
    cr_expect_eq(w, 1);
    filters_for(10000, &e, &w);
    cr_expect_eq(e, 20);
    cr_expect_eq(w, 10);
}
