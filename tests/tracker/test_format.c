/* tests/tracker/test_format.c — a move as text and as JSON: exact amounts with their
 * decimals, the exchange's label, the evidence (block, hashes), retractions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <criterion/criterion.h>

#include "rpc/u256.h"
#include "tracker/diff.h"
#include "tracker/format.h"

static store_move sample(void);

Test(format, a_lending_move_reads_like_an_analysts_post_with_its_hf_line_and_colours)
{
    store_move m = sample();
    m.kind = STORE_KIND_REPAY;
    m.protocol = 1; /* Aave V3 */
    m.counterparty = (rpc_addr){{0}};
    m.flags = STORE_MOVE_HAS_HF;
    m.usd = rpc_u256_from_u64(3000000000000000ull); /* $30,000,000 */
    m.hf_before = rpc_u256_from_u64(1410000000000000000ull);
    m.hf_after = rpc_u256_from_u64(1460000000000000000ull);
    m.liq_before = rpc_u256_from_u64(188000000000ull);
    m.liq_after = rpc_u256_from_u64(183000000000ull);
    char line[1024];
    trk_move_text(line, sizeof line, &m, NULL, 0);
    cr_expect(strstr(line, "repaid 30,000,000.123456 0xDA00…0000 on Aave V3  ($30,000,000)\n"),
              "%s", line);
    cr_expect(strstr(line, "\n                                                   HF 1.41 -> "
                           "1.46   liq. ETH price $1,880 -> $1,830   0x5e00…"),
              "%s", line);
    trk_move_text(line, sizeof line, &m, NULL, TRK_FMT_COLOR);
    cr_expect(strstr(line, "\033[32mrepaid\033[0m"), "repaid in green: %s", line);
}

static store_move sample(void)
{
    store_move m;
    memset(&m, 0, sizeof m);
    m.seq = 42;
    m.kind = STORE_KIND_EXCHANGE_DEPOSIT;
    m.block = 21734012;
    m.block_time = 1769850863; /* 2026-01-31 09:14:23 UTC */
    m.address.b[19] = 1;
    m.asset.b[0] = 0xdA;
    m.counterparty.b[19] = 3;
    m.tx_hash.b[0] = 0x5e;
    m.amount = rpc_u256_from_u64(30000000123456ull); /* 30,000,000.123456 with 6 decimals */
    m.decimals = 6;
    m.log_index = 7;
    snprintf(m.entity, sizeof m.entity, "Trend Research");
    return m;
}

Test(format, text_has_time_block_entity_kind_and_the_exact_amount)
{
    store_move m = sample();
    char line[512];
    trk_move_text(line, sizeof line, &m, NULL, 0);
    cr_expect(strstr(line, "2026-01-31 09:14:23  #21734012   Trend Research    deposited "
                           "30,000,000.123456 "),
              "%s", line);
    cr_expect(strstr(line, "   0x5e00…"), "%s", line);
}

Test(format, a_native_move_reads_eth_and_says_no_log_explains_it)
{
    store_move m = sample();
    memset(&m.asset, 0, sizeof m.asset);
    memset(&m.counterparty, 0, sizeof m.counterparty);
    m.kind = STORE_KIND_TRANSFER_OUT;
    m.decimals = 18;
    m.amount = rpc_u256_from_u64(1500000000000000000ull);
    m.log_index = TRK_NO_LOG;
    char line[512];
    trk_move_text(line, sizeof line, &m, NULL, 0);
    cr_expect(strstr(line, "sent 1.5 ETH   (balance change, no log)"), "%s", line);
}

Test(format, json_carries_exact_decimal_strings_and_the_evidence)
{
    store_move m = sample();
    char *j;
    cr_assert_eq(trk_move_json(&j, &m), 0);
    cJSON *o = cJSON_Parse(j);
    cr_assert(o, "%s", j);
    cr_expect_str_eq(cJSON_GetObjectItem(o, "kind")->valuestring, "exchange_deposit");
    cr_expect_str_eq(cJSON_GetObjectItem(o, "amount")->valuestring, "30000000123456");
    cr_expect_eq(cJSON_GetObjectItem(o, "decimals")->valueint, 6);
    cr_expect_eq(cJSON_GetObjectItem(o, "block")->valuedouble, 21734012.0);
    cr_expect_eq(cJSON_GetObjectItem(o, "log_index")->valueint, 7);
    cr_expect_str_eq(cJSON_GetObjectItem(o, "entity")->valuestring, "Trend Research");
    cr_expect(!strncmp(cJSON_GetObjectItem(o, "tx_hash")->valuestring, "0x5e00", 6));
    cr_expect_null(cJSON_GetObjectItem(o, "retracts"));
    cJSON_Delete(o);
    cJSON_free(j);
}

Test(format, a_retraction_names_the_move_it_takes_back)
{
    store_move m = sample();
    m.kind = STORE_KIND_RETRACTED;
    m.retracts = 17;
    m.retracted_kind = STORE_KIND_TRANSFER_IN;
    char line[512];
    trk_move_text(line, sizeof line, &m, NULL, 0);
    cr_expect(strstr(line, "RETRACTED move 17 (transfer_in)"), "%s", line);
    char *j;
    cr_assert_eq(trk_move_json(&j, &m), 0);
    cJSON *o = cJSON_Parse(j);
    cr_expect_eq(cJSON_GetObjectItem(o, "retracts")->valueint, 17);
    cr_expect_str_eq(cJSON_GetObjectItem(o, "retracted_kind")->valuestring, "transfer_in");
    cJSON_Delete(o);
    cJSON_free(j);
}
