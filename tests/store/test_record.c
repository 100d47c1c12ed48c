/* tests/store/test_record.c — the move and position record formats (store/record.c):
 * known bytes of every version, round trips, and malformed input. */
#include <string.h>

#include <criterion/criterion.h>

#include "helpers.h"
#include "store/record.h"

static size_t unhex(uint8_t *out, size_t cap, const char *hex)
{
    size_t n = strlen(hex) / 2;
    cr_assert(n <= cap);
    for (size_t i = 0; i < n; i++) {
        char b[3] = {hex[2 * i], hex[2 * i + 1], 0};
        out[i] = (uint8_t)strtoul(b, NULL, 16);
    }
    return n;
}

/* Move record version 1, as written by the first store (schema 1). The example is the
 * design document's: Trend Research repays 30,000,000 USDT on Aave V3 in block 21734012,
 * HF 1.41 -> 1.46, liquidation price $1,880 -> $1,830. Field by field: version 01, severity
 * 02, decimals 06, name length 0e, kind 0008 (repay), flags 0003, protocol 00000001, log
 * index 0000001a, block, time, address 11.., asset da.., counterparty 00.., block hash,
 * tx hash, 06 numbers, each a length byte and big-endian bytes, then the name. */
static const char move_v1_hex[] = "0102060e00080003000000010000001a00000000014ba27c00000000697dc7ef"
                                  "11111111111111111111111111111111"
                                  "11111111dadadadadadadadadadadadadadadadadadadada0000000000000000"
                                  "000000000000000000000000b0b1b2b3"
                                  "b4b5b6b7b8b9babbbcbdbebfb0b1b2b3b4b5b6b7b8b9babbbcbdbebf5e5e5e5e"
                                  "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e"
                                  "5e5e5e5e5e5e5e5e5e5e5e5e06061b48eb57e000070aa87bee53800008139153"
                                  "878d4d0000081442f643bc120000052b"
                                  "c5ac5800052a9ba666005472656e64205265736561726368";

enum { NUMS_AT = 156 }; /* offset of the count of numbers: the header's last byte */

static store_move trend_research_repay(void)
{
    store_move m;
    memset(&m, 0, sizeof m);
    m.kind = STORE_KIND_REPAY;
    m.flags = STORE_MOVE_VERIFIED | STORE_MOVE_HAS_HF;
    m.severity = 2;
    m.decimals = 6;
    m.protocol = 1;
    m.log_index = 0x1a;
    m.block = 21734012;
    m.block_time = 1769850863; /* 2026-01-31 09:14:23 UTC */
    for (int i = 0; i < 32; i++) {
        m.block_hash.b[i] = (uint8_t)(0xb0 + (i & 15));
        m.tx_hash.b[i] = 0x5e;
    }
    memset(m.address.b, 0x11, 20);
    memset(m.asset.b, 0xda, 20);
    m.amount = u256_of(30000000000000ull);         /* 30,000,000 with 6 decimals */
    m.usd = u256_of(3000000000000000ull);          /* $30,000,000.00000000 */
    m.hf_before = u256_of(1410000000000000000ull); /* 1.41 WAD */
    m.hf_after = u256_of(1460000000000000000ull);  /* 1.46 WAD */
    m.liq_before = u256_of(188000000000ull);       /* $1,880 */
    m.liq_after = u256_of(183000000000ull);        /* $1,830 */
    memcpy(m.entity, "Trend Research", 15);
    return m;
}

Test(record, a_version_1_move_decodes_to_its_fields)
{
    uint8_t buf[512];
    size_t n = unhex(buf, sizeof buf, move_v1_hex);
    store_move got, want = trend_research_repay();
    want.seq = 42;
    cr_assert_eq(store_move_decode(&got, 42, buf, n), 0);
    cr_expect_eq(got.seq, 42);
    cr_expect_eq(got.kind, STORE_KIND_REPAY);
    cr_expect_eq(got.block, 21734012);
    cr_expect_eq(got.amount.w[0], 30000000000000ull);
    cr_expect_str_eq(got.entity, "Trend Research");
    cr_expect(move_eq(&got, &want));
}

Test(record, encoding_a_move_gives_the_version_1_bytes)
{
    uint8_t want[512], got[STORE_MOVE_ENC_MAX];
    size_t wn = unhex(want, sizeof want, move_v1_hex), gn;
    store_move m = trend_research_repay();
    m.seq = 99;                      /* the key, not written */
    m.flags |= STORE_MOVE_RETRACTED; /* computed on read, not written */
    cr_assert_eq(store_move_encode(got, sizeof got, &gn, &m), 0);
    cr_assert_eq(gn, wn);
    cr_expect_arr_eq(got, want, wn);
}

Test(record, a_retraction_keeps_the_seq_and_kind_it_retracts)
{
    store_move m = trend_research_repay(), back;
    m.kind = STORE_KIND_RETRACTED;
    m.retracts = 0x0102030405060708ull;
    m.retracted_kind = STORE_KIND_REPAY;
    uint8_t buf[STORE_MOVE_ENC_MAX];
    size_t n, plain;
    cr_assert_eq(store_move_encode(buf, sizeof buf, &n, &m), 0);
    plain = strlen(move_v1_hex) / 2;
    cr_expect_eq(n, plain + 10);
    cr_assert_eq(store_move_decode(&back, 7, buf, n), 0);
    m.seq = 7;
    cr_expect(move_eq(&back, &m));
}

Test(record, the_largest_move_fits_the_documented_bound)
{
    store_move m = trend_research_repay(), back;
    rpc_u256 max = {{UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX}};
    m.amount = m.usd = m.hf_before = m.hf_after = m.liq_before = m.liq_after = max;
    memset(m.entity, 'x', STORE_NAME_MAX);
    m.entity[STORE_NAME_MAX] = '\0';
    m.kind = STORE_KIND_RETRACTED;
    m.retracts = UINT64_MAX;
    uint8_t buf[STORE_MOVE_ENC_MAX];
    size_t n;
    cr_assert_eq(store_move_encode(buf, sizeof buf, &n, &m), 0);
    cr_assert_eq(store_move_decode(&back, 1, buf, n), 0);
    m.seq = 1;
    cr_expect(move_eq(&back, &m));
}

Test(record, an_unterminated_entity_name_is_refused)
{
    store_move m = trend_research_repay();
    memset(m.entity, 'x', sizeof m.entity);
    uint8_t buf[STORE_MOVE_ENC_MAX];
    size_t n = 123;
    cr_expect_eq(store_move_encode(buf, sizeof buf, &n, &m), STORE_EINVAL);
    cr_expect_eq(n, 0);
}

Test(record, a_buffer_too_small_for_the_move_is_refused)
{
    store_move m = trend_research_repay();
    uint8_t buf[100];
    size_t n = 123;
    cr_expect_eq(store_move_encode(buf, sizeof buf, &n, &m), STORE_ETOO_LARGE);
    cr_expect_eq(n, 0);
}

Test(record, every_truncation_of_a_move_is_malformed_and_zeroes_the_output)
{
    uint8_t buf[512];
    size_t n = unhex(buf, sizeof buf, move_v1_hex);
    for (size_t len = 0; len < n; len++) {
        store_move m;
        memset(&m, 0xff, sizeof m);
        cr_expect_eq(store_move_decode(&m, 1, buf, len), STORE_ERECORD, "length %zu", len);
        cr_expect_eq(m.seq, 0);
        cr_expect_eq(m.block, 0);
    }
}

Test(record, trailing_bytes_after_a_move_are_malformed)
{
    uint8_t buf[512];
    size_t n = unhex(buf, sizeof buf, move_v1_hex);
    store_move m;
    buf[n] = 0;
    cr_expect_eq(store_move_decode(&m, 1, buf, n + 1), STORE_ERECORD);
}

Test(record, an_unknown_move_version_is_reported_as_such)
{
    uint8_t buf[512];
    size_t n = unhex(buf, sizeof buf, move_v1_hex);
    store_move m;
    buf[0] = 2;
    cr_expect_eq(store_move_decode(&m, 1, buf, n), STORE_EVERSION);
    buf[0] = 0;
    cr_expect_eq(store_move_decode(&m, 1, buf, n), STORE_EVERSION);
}

Test(record, a_number_longer_than_32_bytes_is_malformed)
{
    uint8_t buf[512];
    size_t n = unhex(buf, sizeof buf, move_v1_hex);
    store_move m;
    buf[NUMS_AT + 1] = 33; /* the amount's length byte */
    cr_expect_eq(store_move_decode(&m, 1, buf, n), STORE_ERECORD);
}

Test(record, a_later_writer_may_append_numbers_and_an_older_one_may_write_fewer)
{
    uint8_t buf[512], more[600];
    size_t n = unhex(buf, sizeof buf, move_v1_hex);
    store_move m;
    /* Seven numbers: the seventh (2 bytes 0xabcd) is skipped by this decoder. */
    size_t name_at = n - 14;
    memcpy(more, buf, name_at);
    more[NUMS_AT] = 7;
    more[name_at] = 2;
    more[name_at + 1] = 0xab;
    more[name_at + 2] = 0xcd;
    memcpy(more + name_at + 3, buf + name_at, 14);
    cr_assert_eq(store_move_decode(&m, 1, more, n + 3), 0);
    cr_expect_str_eq(m.entity, "Trend Research");
    cr_expect_eq(m.liq_after.w[0], 183000000000ull);
    /* Two numbers: hf and liquidation prices read as zero. */
    size_t two_end = NUMS_AT + 1 + (1 + 6) + (1 + 7); /* amount 6 bytes, usd 7 */
    memcpy(more, buf, two_end);
    more[NUMS_AT] = 2;
    memcpy(more + two_end, buf + name_at, 14);
    cr_assert_eq(store_move_decode(&m, 1, more, two_end + 14), 0);
    cr_expect_eq(m.usd.w[0], 3000000000000000ull);
    cr_expect_eq(m.hf_before.w[0], 0);
    cr_expect_eq(m.liq_after.w[0], 0);
    cr_expect_str_eq(m.entity, "Trend Research");
}

/* Position record version 1: version 01, decimals 12, flags 01, 08 numbers, block time,
 * then the numbers (collateral, debt, price, hf, liq_threshold, liq_price, collateral_usd,
 * debt_usd) and 0003 extra bytes 010203. */
static const char pos_v1_hex[] = "0112010800000000697dc7ef07276b9f7f8926e9061b48eb57e000053a3529440"
                                 "0081442f643bc12000002206c052a9b"
                                 "a6660000000003010203";

static store_position sample_position(void)
{
    store_position p;
    memset(&p, 0, sizeof p);
    p.block_time = 1769850863;
    p.decimals = 18;
    p.flags = 1;
    p.collateral = u256_of(0x276b9f7f8926e9ull);
    p.debt = u256_of(30000000000000ull);
    p.price = u256_of(250000000000ull); /* $2,500 */
    p.hf = u256_of(1460000000000000000ull);
    p.liq_threshold = u256_of(8300); /* 83 % */
    p.liq_price = u256_of(183000000000ull);
    p.extra_len = 3;
    p.extra[0] = 1;
    p.extra[1] = 2;
    p.extra[2] = 3;
    return p;
}

Test(record, a_version_1_position_decodes_to_its_fields_and_encodes_back)
{
    uint8_t buf[600], enc[STORE_POS_ENC_MAX];
    size_t n = unhex(buf, sizeof buf, pos_v1_hex), en;
    store_position got, want = sample_position();
    cr_assert_eq(store_pos_decode(&got, 555, buf, n), 0);
    cr_expect_eq(got.block, 555);
    cr_expect_eq(got.block_time, want.block_time);
    cr_expect_eq(got.decimals, 18);
    cr_expect_eq(got.flags, 1);
    cr_expect_arr_eq(&got.collateral, &want.collateral, 32);
    cr_expect_arr_eq(&got.debt, &want.debt, 32);
    cr_expect_arr_eq(&got.price, &want.price, 32);
    cr_expect_arr_eq(&got.hf, &want.hf, 32);
    cr_expect_arr_eq(&got.liq_threshold, &want.liq_threshold, 32);
    cr_expect_arr_eq(&got.liq_price, &want.liq_price, 32);
    cr_expect_eq(got.extra_len, 3);
    cr_expect_arr_eq(got.extra, want.extra, 3);
    cr_assert_eq(store_pos_encode(enc, sizeof enc, &en, &want), 0);
    cr_assert_eq(en, n);
    cr_expect_arr_eq(enc, buf, n);
}

Test(record, every_truncation_of_a_position_is_malformed)
{
    uint8_t buf[600];
    size_t n = unhex(buf, sizeof buf, pos_v1_hex);
    for (size_t len = 0; len < n; len++) {
        store_position p;
        cr_expect_eq(store_pos_decode(&p, 1, buf, len), STORE_ERECORD, "length %zu", len);
        cr_expect_eq(p.block, 0);
    }
}

Test(record, a_position_with_too_much_extra_data_is_refused)
{
    store_position p = sample_position();
    uint8_t buf[STORE_POS_ENC_MAX];
    size_t n;
    p.extra_len = STORE_EXTRA_MAX + 1;
    cr_expect_eq(store_pos_encode(buf, sizeof buf, &n, &p), STORE_EINVAL);
    p.extra_len = STORE_EXTRA_MAX;
    cr_expect_eq(store_pos_encode(buf, sizeof buf, &n, &p), 0);
    cr_expect_eq(store_pos_decode(&p, 1, buf, n), 0);
    cr_expect_eq(p.extra_len, STORE_EXTRA_MAX);
}

Test(record, an_unknown_position_version_is_reported_as_such)
{
    uint8_t buf[600];
    size_t n = unhex(buf, sizeof buf, pos_v1_hex);
    store_position p;
    buf[0] = 9;
    cr_expect_eq(store_pos_decode(&p, 1, buf, n), STORE_EVERSION);
}

Test(record, kinds_and_errors_have_names)
{
    cr_expect_str_eq(store_kind_name(STORE_KIND_REPAY), "repay");
    cr_expect_str_eq(store_kind_name(STORE_KIND_RETRACTED), "retracted");
    cr_expect_null(store_kind_name(0));
    cr_expect_null(store_kind_name(9999));
    cr_expect_str_eq(store_strerror(0), "success");
    cr_expect(strstr(store_strerror(STORE_ECHAIN), "--data-dir") != NULL);
    cr_expect_str_eq(store_strerror(12345), "unknown error");
}
