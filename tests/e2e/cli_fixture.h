/* tests/e2e/cli_fixture.h — a store filled through store batches for the command-line
 * tests: fixed moves (an Aave repay with its HF line, an exchange deposit, an entity whose
 * name has a comma and a quote), committed block by block with alerts for given sinks. */
#ifndef WT_TESTS_CLI_FIXTURE_H
#define WT_TESTS_CLI_FIXTURE_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/addr.h"
#include "rpc/u256.h"
#include "store/store.h"

#define FX_TREND "Trend Research"
#define FX_QUOTED "Fund \"A\", Ltd"
#define FX_WHALE "0x28a55C4b4f9615FDE3CDAdDf6cc01FcF2E38A6b0"
#define FX_FUND "0x1111111111111111111111111111111111111111"
#define FX_BINANCE "0x28C6c06298d514Db089934071355E5743bf21d60"
#define FX_USDT "0xdAC17F958D2ee523a2206206994597C13D831ec7"

static inline rpc_hash32 fx_hash(uint64_t block, uint8_t salt)
{
    rpc_hash32 h;
    memset(h.b, 0, sizeof h.b);
    for (int i = 0; i < 8; i++)
        h.b[31 - i] = (uint8_t)(block >> (8 * i));
    h.b[0] = 0xbb;
    h.b[1] = salt;
    return h;
}

static inline rpc_addr fx_addr(const char *s)
{
    rpc_addr a;
    cr_assert_eq(rpc_addr_parse(&a, s, strlen(s)), 0, "%s", s);
    return a;
}

static inline rpc_u256 fx_dec(const char *s)
{
    rpc_u256 v;
    cr_assert_eq(rpc_u256_parse_dec(&v, s, strlen(s)), 0, "%s", s);
    return v;
}

/* fx_move: move i of the fixture at block (i % 3 picks the shape). */
static inline store_move fx_move(unsigned i, uint64_t block)
{
    store_move m;
    memset(&m, 0, sizeof m);
    m.block = block;
    m.block_time = 1769850863 + 12 * (block - 21734012); /* 2026-01-31 09:14:23 UTC */
    m.block_hash = fx_hash(block, 0);
    m.tx_hash = fx_hash(block, (uint8_t)(0x50 + i));
    m.log_index = i;
    switch (i % 3) {
    case 0: /* Trend Research repays 30,000,000 USDT on Aave V3 */
        m.kind = STORE_KIND_REPAY;
        m.flags = STORE_MOVE_HAS_HF;
        m.protocol = 1;
        m.decimals = 6;
        m.address = fx_addr(FX_WHALE);
        m.asset = fx_addr(FX_USDT);
        m.amount = fx_dec("30000000000000");
        m.usd = fx_dec("3000000000000000");
        m.hf_before = fx_dec("1410000000000000000");
        m.hf_after = fx_dec("1460000000000000000");
        m.liq_before = fx_dec("188000000000");
        m.liq_after = fx_dec("183000000000");
        snprintf(m.entity, sizeof m.entity, "%s", FX_TREND);
        break;
    case 1: /* Trend Research deposits 1,234.5 ETH to Binance */
        m.kind = STORE_KIND_EXCHANGE_DEPOSIT;
        m.decimals = 18;
        m.address = fx_addr(FX_WHALE);
        m.counterparty = fx_addr(FX_BINANCE);
        m.amount = fx_dec("1234500000000000000000");
        m.usd = fx_dec("370350000000000");
        snprintf(m.entity, sizeof m.entity, "%s", FX_TREND);
        break;
    default: /* the fund with an awkward name receives 5 ETH */
        m.kind = STORE_KIND_TRANSFER_IN;
        m.decimals = 18;
        m.address = fx_addr(FX_FUND);
        m.amount = fx_dec("5000000000000000000");
        m.usd = fx_dec("1500000000000");
        snprintf(m.entity, sizeof m.entity, "%s", FX_QUOTED);
        break;
    }
    return m;
}

static inline store *fx_writer(const char *dir)
{
    store *s;
    char why[512];
    store_opts o = {0};
    o.chain_id = 1;
    o.genesis = fx_hash(0, 0);
    o.nosync = 1;
    cr_assert_eq(store_open(&s, why, sizeof why, dir, &o), 0, "%s", why);
    return s;
}

/* fx_commit: block `block` with moves first..first+n-1 (fx_move), each queued for sinks. */
static inline uint64_t fx_commit(store *s, uint64_t block, unsigned first, unsigned n,
                                 const uint32_t *sinks, size_t nsinks)
{
    store_batch *b;
    uint64_t seq = 0;
    cr_assert_eq(store_batch_new(&b, 0), 0);
    rpc_hash32 h = fx_hash(block, 0), parent = fx_hash(block - 1, 0);
    cr_assert_eq(store_batch_block(b, block, &h, &parent), 0);
    for (unsigned i = first; i < first + n; i++) {
        store_move m = fx_move(i, block);
        size_t ix;
        cr_assert_eq(store_batch_move(b, &ix, &m), 0);
        for (size_t k = 0; k < nsinks; k++)
            cr_assert_eq(store_batch_outbox(b, sinks[k], ix, NULL, 0), 0);
    }
    store_batch_cursor(b, block, &h);
    cr_assert_eq(store_commit(s, &seq, b), 0);
    store_batch_free(b);
    return seq;
}

/* fx_account: Trend Research's Aave V3 account row at block (HF and line from the repay). */
static inline void fx_account(store *s, uint64_t block, const char *hf, const char *liq,
                              const char *coll_usd, const char *debt_usd)
{
    store_batch *b;
    cr_assert_eq(store_batch_new(&b, 0), 0);
    store_pos_key k;
    memset(&k, 0, sizeof k);
    k.address = fx_addr(FX_WHALE);
    k.protocol = 1;
    k.asset = fx_addr(FX_BINANCE); /* stands for the pool's address */
    store_position p;
    memset(&p, 0, sizeof p);
    p.block = block;
    p.block_time = 1769850863 + 12 * (block - 21734012);
    p.decimals = 8;
    p.price = fx_dec("300000000000"); /* ETH $3,000 */
    p.hf = fx_dec(hf);
    p.liq_price = fx_dec(liq);
    p.collateral_usd = fx_dec(coll_usd);
    p.debt_usd = fx_dec(debt_usd);
    cr_assert_eq(store_batch_snapshot(b, &k, &p), 0);
    k.protocol = 0; /* and the wallet's ETH */
    memset(&k.asset, 0, sizeof k.asset);
    memset(&p, 0, sizeof p);
    p.block = block;
    p.block_time = 1769850863 + 12 * (block - 21734012);
    p.decimals = 18;
    p.collateral = fx_dec("198000000000000000000000");
    cr_assert_eq(store_batch_snapshot(b, &k, &p), 0);
    rpc_hash32 h = fx_hash(block, 0), parent = fx_hash(block - 1, 0);
    cr_assert_eq(store_batch_block(b, block, &h, &parent), 0);
    store_batch_cursor(b, block, &h);
    cr_assert_eq(store_commit(s, NULL, b), 0);
    store_batch_free(b);
}

/* fx_tmpdir: a fresh directory (caller frees the string; tests remove it with fx_rm). */
static inline char *fx_tmpdir(void)
{
    char *d = strdup("/tmp/wtcli.XXXXXX");
    cr_assert_not_null(mkdtemp(d));
    return d;
}

static inline void fx_rm(char *d)
{
    if (!d)
        return;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
    cr_expect_eq(system(cmd), 0);
    free(d);
}

#endif
