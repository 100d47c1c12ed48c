/* tests/tracker/test_lending_text.c — a lending move's text: USD value, health factor and
 * liquidation line before -> after, exact to the cent from the record's integers; "inf"
 * without debt, "none" without a line; nothing for other moves; and the whole line through
 * trk_move_text. */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "rpc/u256.h"
#include "tracker/diff.h"
#include "tracker/event.h"
#include "tracker/format.h"
#include "tracker/lending.h"

static store_move repay(void)
{
    store_move m;
    memset(&m, 0, sizeof m);
    m.kind = STORE_KIND_REPAY;
    m.protocol = TRK_PROTO_AAVE_V3;
    m.flags = STORE_MOVE_HAS_HF;
    m.block = 21734012;
    m.block_time = 1769850863;
    m.amount = rpc_u256_from_u64(30000000000000ull); /* 30,000,000 USDT */
    m.decimals = 6;
    m.usd = rpc_u256_from_u64(3000000000000000ull); /* $30,000,000 */
    m.hf_before = rpc_u256_from_u64(1410000000000000000ull);
    m.hf_after = rpc_u256_from_u64(1469999999999999999ull); /* shown truncated: 1.46 */
    m.liq_before = rpc_u256_from_u64(188000000000ull);
    m.liq_after = rpc_u256_from_u64(183012345678ull);
    m.log_index = 3;
    snprintf(m.entity, sizeof m.entity, "Trend Research");
    return m;
}

Test(lending_text, a_repay_shows_usd_hf_and_line_before_and_after)
{
    store_move m = repay();
    char s[256];
    trk_lending_text(s, sizeof s, &m);
    cr_expect_str_eq(s, "  $30,000,000  HF 1.41 -> 1.46  liq. $1,880 -> $1,830.12");
}

Test(lending_text, no_debt_is_inf_and_no_line_is_none)
{
    store_move m = repay();
    memset(&m.hf_after, 0xff, sizeof m.hf_after);
    memset(&m.liq_after, 0, sizeof m.liq_after);
    memset(&m.usd, 0, sizeof m.usd);
    char s[256];
    trk_lending_text(s, sizeof s, &m);
    cr_expect_str_eq(s, "  HF 1.41 -> inf  liq. $1,880 -> none");
}

Test(lending_text, a_wallet_move_gets_nothing_and_a_short_buffer_stays_terminated)
{
    store_move m = repay();
    m.flags = 0;
    char s[64] = "x";
    trk_lending_text(s, sizeof s, &m);
    cr_expect_str_eq(s, "");
    m.flags = STORE_MOVE_HAS_HF;
    char t[8];
    trk_lending_text(t, sizeof t, &m);
    cr_expect_eq(strlen(t), 7);
}

Test(lending_text, the_move_line_carries_it_and_a_price_move_says_so)
{
    store_move m = repay();
    char line[512];
    trk_move_text(line, sizeof line, &m, NULL);
    cr_expect(strstr(line, "repay  30,000,000 0x0000…0000  $30,000,000  HF 1.41 -> 1.46  liq. "
                           "$1,880 -> $1,830.12  tx "),
              "%s", line);
    m.kind = STORE_KIND_HEALTH_FACTOR;
    m.log_index = TRK_NO_LOG;
    trk_move_text(line, sizeof line, &m, NULL);
    cr_expect(strstr(line, "(price change, no log)"), "%s", line);
}
