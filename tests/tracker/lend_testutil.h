/* tests/tracker/lend_testutil.h — a tracker following a real Aave V3 market on anvil
 * (tracker/aave_local.h): the market, a watchlist (Whale = {A, B}, Binance, the market's
 * protocol section, rules with low USD floors), a store and a pipe. Builds on
 * trk_testutil.h's world (world_run, world_moves, world_stop). Helpers assert. */
#ifndef WT_TESTS_LEND_TESTUTIL_H
#define WT_TESTS_LEND_TESTUTIL_H

#include "trk_testutil.h"
#include "tracker/aave_local.h"
#include "tracker/diff.h"
#include "tracker/event.h"

#define LIQUIDATOR ACC(5)
#define LENDER ACC(4)

static trk_aave_market M;

static inline rpc_u256 units(uint64_t v, unsigned decimals)
{
    rpc_u256 r = rpc_u256_from_u64(v), ten = rpc_u256_from_u64(10);
    for (unsigned i = 0; i < decimals; i++)
        cr_assert_eq(rpc_u256_mul(&r, &r, &ten), RPC_OK);
    return r;
}

static inline const char *dec(char buf[RPC_U256_DEC_MAX], const rpc_u256 *v)
{
    if (rpc_u256_format_dec(buf, RPC_U256_DEC_MAX, v))
        buf[0] = '\0';
    return buf;
}

#define assert_u256_eq(got, want, ...)                                                             \
    do {                                                                                           \
        char g_[RPC_U256_DEC_MAX], w_[RPC_U256_DEC_MAX];                                           \
        cr_assert(rpc_u256_cmp((got), (want)) == 0, "%s: got %s, want %s", #got, dec(g_, (got)),   \
                  dec(w_, (want)));                                                                \
    } while (0)

/* lend_open: store, watchlist set and pipe over w's chain and client (again after
 * lend_reopen: the pipe then starts from what the store holds). */
static inline void lend_open(world *w)
{
    rpc_block g = {0};
    cr_assert_eq(rpc_eth_get_block(w->c, &g, 0), RPC_OK);
    store_opts so = {0};
    so.chain_id = 31337;
    so.genesis = g.hash;
    rpc_block_free(&g);
    char why[256];
    cr_assert_eq(store_open(&w->s, why, sizeof why, w->data, &so), 0, "%s", why);
    wl_errors errs = {0};
    const char *paths[1] = {w->wl};
    int rc = wl_load(&w->set, &errs, paths, 1, NULL);
    cr_assert_eq(rc, WL_OK, "%s", errs.n ? errs.v[0].text : wl_strerror(rc));
    wl_errors_free(&errs);
    w->weth_addr = M.reserve[TRK_AAVE_WETH].asset;
    trk_config_default(&w->cfg);
    w->cfg.confirmations = 0;
    w->cfg.weth = &w->weth_addr;
    w->cfg.nweth = 1;
    w->cfg.start_block = M.block + 1;
    rc = trk_pipe_new(&w->p, &w->cfg, trk_io_rpc(w->c), w->s, w->set);
    cr_assert_eq(rc, 0, "%s", trk_strerror(rc));
}

/* lend_reopen: a restart: the pipe, set and store closed and opened again (the chain and
 * client stay). */
static inline void lend_reopen(world *w)
{
    trk_pipe_free(w->p);
    w->p = NULL;
    wl_set_free(w->set);
    w->set = NULL;
    store_close(w->s);
    w->s = NULL;
    lend_open(w);
}

/* lend_world: anvil (automine), Multicall3, the Aave market, the watchlist with `rules`
 * (an INI [rules] body), store and pipe from the block after the deployment. */
static inline void lend_world(world *w, const char *rules)
{
    memset(w, 0, sizeof *w);
    cr_assert_eq(wt_anvil_start(&w->A, NULL), 0, "anvil");
    cr_assert_eq(wt_anvil_install_multicall3(&w->A), 0, "multicall3");
    const char *urls[1] = {w->A.url};
    rpc_client_opts co;
    rpc_client_opts_default(&co);
    co.max_retries = 0; /* aave_local.h: never send a transaction twice */
    co.max_batch = 5000;
    cr_assert_eq(rpc_client_new(&w->c, &co, urls, 1), RPC_OK);
    char dir[512], err[512];
    cr_assert_eq(trk_aave_artifacts_dir(dir, sizeof dir, WT_TOP), RPC_OK);
    rpc_addr owner = addr_of(DEPLOYER);
    cr_assert_eq(trk_aave_deploy(w->c, &M, err, sizeof err, dir, &owner), RPC_OK, "%s", err);
    snprintf(w->dir, sizeof w->dir, "/tmp/lendtest.XXXXXX");
    cr_assert(mkdtemp(w->dir));
    snprintf(w->wl, sizeof w->wl, "%s/wl", w->dir);
    snprintf(w->data, sizeof w->data, "%s/data", w->dir);
    cr_assert_eq(mkdir(w->wl, 0700), 0);
    char path[160];
    snprintf(path, sizeof path, "%s/watch.ini", w->wl);
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fprintf(f, "[entity \"Whale\"]\naddress = %s\naddress = %s\nsince = 0\n\n", WHALE_A, WHALE_B);
    fprintf(f, "[entity \"Other\"]\naddress = %s\nsince = 0\n\n", ACC(6));
    fprintf(f, "[exchange \"Binance\"]\naddress = %s\n\n[rules]\n%s\n\n", EXCHANGE, rules);
    cr_assert_eq(trk_aave_write_protocol(f, &M), RPC_OK);
    fclose(f);
    lend_open(w);
}

/* Transactions on the market, each asserted. who: an anvil account (hex). */
static inline trk_aave_tx mint(world *w, const char *who, unsigned asset, uint64_t whole)
{
    trk_aave_tx tx;
    rpc_addr a = addr_of(who);
    rpc_u256 amt = units(whole, M.reserve[asset].decimals);
    cr_assert_eq(trk_aave_mint(w->c, &tx, &M, &a, asset, &amt), RPC_OK, "mint");
    return tx;
}

static inline trk_aave_tx supply(world *w, const char *who, unsigned asset, uint64_t whole)
{
    trk_aave_tx tx;
    rpc_addr a = addr_of(who);
    rpc_u256 amt = units(whole, M.reserve[asset].decimals);
    cr_assert_eq(trk_aave_supply(w->c, &tx, &M, &a, asset, &amt), RPC_OK, "supply");
    return tx;
}

static inline trk_aave_tx borrow(world *w, const char *who, unsigned asset, uint64_t whole)
{
    trk_aave_tx tx;
    rpc_addr a = addr_of(who);
    rpc_u256 amt = units(whole, M.reserve[asset].decimals);
    cr_assert_eq(trk_aave_borrow(w->c, &tx, &M, &a, asset, &amt), RPC_OK, "borrow: %s",
                 rpc_client_errmsg(w->c));
    return tx;
}

static inline trk_aave_tx repay(world *w, const char *who, unsigned asset, uint64_t whole)
{
    trk_aave_tx tx;
    rpc_addr a = addr_of(who);
    rpc_u256 amt = units(whole, M.reserve[asset].decimals);
    cr_assert_eq(trk_aave_repay(w->c, &tx, &M, &a, asset, &amt), RPC_OK, "repay");
    return tx;
}

/* hf_at: getUserAccountData(who).healthFactor at block. */
static inline rpc_u256 hf_at(world *w, const char *who, uint64_t block)
{
    trk_aave_account acc;
    rpc_addr a = addr_of(who);
    cr_assert_eq(trk_aave_account_data(w->c, &acc, &M, &a, block), RPC_OK);
    return acc.health_factor;
}

/* The position's account snapshot (liquidation line, HF) as the tracker stored it. */
static inline store_position account_row(world *w, const char *who)
{
    store_pos_key k;
    memset(&k, 0, sizeof k);
    k.address = addr_of(who);
    k.protocol = TRK_PROTO_AAVE_V3;
    k.asset = M.pool;
    store_position p;
    cr_assert_eq(store_snapshot_at(w->s, &p, &k, 0), 0, "no account snapshot of %s", who);
    return p;
}

/* The kinds of l's moves as one string ("supply,borrow,..."), for exact comparisons. */
static inline const char *kinds(char *buf, size_t cap, const movelist *l)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < l->n && n < cap; i++)
        n +=
            (size_t)snprintf(buf + n, cap - n, "%s%s", i ? "," : "", store_kind_name(l->v[i].kind));
    return buf;
}

#endif
