/* tests/tracker/trk_testutil.h — a tracker on a real anvil for the pipeline tests: the
 * chain (Multicall3, a 6-decimal MintableERC20, WETH9Mocked), a watchlist directory, a
 * store, an rpc client and a pipe; helpers to run it and read its move log. A header (the
 * test glob builds each test_*.c alone); every helper asserts, and world_stop() stops
 * everything world_start() started (call it from .fini). */
#ifndef WT_TESTS_TRK_TESTUTIL_H
#define WT_TESTS_TRK_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "rpc/addr.h"
#include "rpc/client.h"
#include "rpc/hex.h"
#include "rpc/u256.h"
#include "store/store.h"
#include "tests/support/anvil.h"
#include "tests/support/tokens.h"
#include "tracker/pipe.h"
#include "watchlists/wl.h"

#define ACC(i) wt_anvil_account[i]
/* The roles of anvil's dev accounts in every scenario. */
#define DEPLOYER ACC(0)
#define WHALE_A ACC(1) /* entity "Whale" holds A and B */
#define WHALE_B ACC(2)
#define EXCHANGE ACC(3) /* labelled "Binance" */
#define STRANGER ACC(4)

typedef struct world {
    wt_anvil A;
    char tok[43], weth[43];
    char dir[64]; /* temp root: dir/wl (watchlists), dir/data (store) */
    char wl[96], data[96];
    rpc_client *c;
    store *s;
    wl_set *set;
    trk_pipe *p;
    trk_config cfg;
    rpc_addr weth_addr;
} world;

static inline void world_rm(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    int rc = system(cmd);
    (void)rc;
}

/* world_chain: anvil + Multicall3 + TOK (6 decimals) + WETH. */
static inline void world_chain(world *w, const wt_anvil_opts *o)
{
    memset(w, 0, sizeof *w);
    cr_assert_eq(wt_anvil_start(&w->A, o), 0, "anvil");
    cr_assert_eq(wt_anvil_install_multicall3(&w->A), 0, "multicall3");
    cr_assert_eq(wt_token_deploy(&w->A, DEPLOYER, "Token", "TOK", 6, w->tok), 0, "token");
    cr_assert_eq(wt_weth_deploy(&w->A, DEPLOYER, w->weth), 0, "weth");
    cr_assert_eq(rpc_addr_parse(&w->weth_addr, w->weth, 42), RPC_OK);
    snprintf(w->dir, sizeof w->dir, "/tmp/trktest.XXXXXX");
    cr_assert(mkdtemp(w->dir));
    snprintf(w->wl, sizeof w->wl, "%s/wl", w->dir);
    snprintf(w->data, sizeof w->data, "%s/data", w->dir);
    cr_assert_eq(mkdir(w->wl, 0700), 0);
}

/* world_watchlist: Whale = {A, B}, Binance = {EXCHANGE}; plus `crowd` made-up addresses
 * (entity "Crowd") so the watchlist has 2 + crowd addresses. */
static inline void world_watchlist(world *w, size_t crowd)
{
    char path[160];
    snprintf(path, sizeof path, "%s/watch.ini", w->wl);
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fprintf(f, "[entity \"Whale\"]\naddress = %s\naddress = %s\nsince = 0\n\n", WHALE_A,
            WHALE_B);
    fprintf(f, "[exchange \"Binance\"]\naddress = %s\n\n", EXCHANGE);
    if (crowd) {
        fprintf(f, "[entity \"Crowd\"]\nsince = 0\n");
        for (size_t i = 0; i < crowd; i++)
            fprintf(f, "address = 0x%08zx%032x\n", i + 1, 0xc0ffeeu);
    }
    fclose(f);
}

/* world_open: client, store, set and pipe; the pipe starts at block `start`. */
static inline void world_open(world *w, uint64_t start)
{
    const char *urls[1] = {w->A.url};
    rpc_client_opts co;
    rpc_client_opts_default(&co);
    co.max_batch = 5000;
    cr_assert_eq(rpc_client_new(&w->c, &co, urls, 1), RPC_OK);
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
    trk_config_default(&w->cfg);
    w->cfg.confirmations = 0;
    w->cfg.weth = &w->weth_addr;
    w->cfg.nweth = 1;
    w->cfg.start_block = start;
    rc = trk_pipe_new(&w->p, &w->cfg, trk_io_rpc(w->c), w->s, w->set);
    cr_assert_eq(rc, 0, "%s", trk_strerror(rc));
}

static inline void world_close(world *w)
{
    trk_pipe_free(w->p);
    w->p = NULL;
    wl_set_free(w->set);
    w->set = NULL;
    store_close(w->s);
    w->s = NULL;
    rpc_client_free(w->c);
    w->c = NULL;
}

static inline void world_stop(world *w)
{
    world_close(w);
    wt_anvil_stop(&w->A);
    if (w->dir[0])
        world_rm(w->dir);
    w->dir[0] = '\0';
}

/* world_run: step until idle; returns the number of steps that committed or rolled back. */
static inline size_t world_run(world *w)
{
    size_t n = 0;
    for (int i = 0; i < 10000; i++) {
        trk_step st;
        int rc = trk_pipe_step(w->p, &st);
        if (rc == TRK_ERACE)
            continue; /* nothing stored; the run loop steps again */
        cr_assert_eq(rc, 0, "step: %s: %s", trk_strerror(rc), trk_pipe_why(w->p));
        if (st.idle)
            return n;
        n++;
    }
    cr_assert_fail("the pipe never went idle");
    return n;
}

typedef struct movelist {
    store_move *v;
    size_t n, cap;
} movelist;

static inline int movelist_add(void *ctx, const store_move *m)
{
    movelist *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        cr_assert(l->v);
    }
    l->v[l->n++] = *m;
    return 0;
}

/* world_moves: the whole log (caller frees l->v). */
static inline movelist world_moves(store *s)
{
    movelist l = {0};
    cr_assert_eq(store_moves_from(s, 1, 0, movelist_add, &l), 0);
    return l;
}

static inline rpc_addr addr_of(const char *hex)
{
    rpc_addr a;
    cr_assert_eq(rpc_addr_parse(&a, hex, strlen(hex)), RPC_OK, "%s", hex);
    return a;
}

static inline rpc_u256 u256_of(const char *dec)
{
    rpc_u256 v;
    cr_assert_eq(rpc_u256_parse_dec(&v, dec, strlen(dec)), RPC_OK, "%s", dec);
    return v;
}

static inline uint64_t head_of(world *w)
{
    int64_t h = wt_anvil_head(&w->A);
    cr_assert(h >= 0);
    return (uint64_t)h;
}

/* world_play: scenario step i (cycling through six kinds): a mint to A, a transfer A ->
 * stranger, a deposit A -> exchange, ETH stranger -> B, a wrap by B (no move), an empty
 * block (no move). */
static inline void world_play(world *w, unsigned i)
{
    int rc;
    switch (i % 6) {
    case 0: rc = wt_token_call(&w->A, WHALE_A, w->tok, NULL, NULL, "mint(uint256)", 1, "7000000"); break;
    case 1: rc = wt_token_call(&w->A, WHALE_A, w->tok, NULL, NULL, "transfer(address,uint256)", 2, STRANGER, "1000000"); break;
    case 2: rc = wt_token_call(&w->A, WHALE_A, w->tok, NULL, NULL, "transfer(address,uint256)", 2, EXCHANGE, "2000000"); break;
    case 3: rc = wt_eth_send(&w->A, STRANGER, WHALE_B, "1000000000000000000", NULL); break;
    case 4: rc = wt_token_call(&w->A, WHALE_B, w->weth, "500000000000000000", NULL, "deposit()", 0); break;
    default: rc = wt_anvil_mine(&w->A, 1); break;
    }
    cr_assert_eq(rc, 0, "scenario step %u", i);
}

/* same_move: every field the tracker writes is equal. */
static inline bool same_move(const store_move *a, const store_move *b)
{
    return a->seq == b->seq && a->kind == b->kind && a->flags == b->flags &&
           a->block == b->block && a->log_index == b->log_index &&
           !memcmp(&a->block_hash, &b->block_hash, 32) && !memcmp(&a->tx_hash, &b->tx_hash, 32) &&
           !memcmp(&a->address, &b->address, 20) && !memcmp(&a->asset, &b->asset, 20) &&
           !memcmp(&a->counterparty, &b->counterparty, 20) &&
           !rpc_u256_cmp(&a->amount, &b->amount) && a->decimals == b->decimals &&
           a->block_time == b->block_time && !strcmp(a->entity, b->entity) &&
           a->retracts == b->retracts && a->retracted_kind == b->retracted_kind;
}

/* A short text of a move for assertion messages. */
static inline const char *move_text(char *buf, size_t cap, const store_move *m)
{
    char a[43], asset[43], amt[RPC_U256_DEC_MAX];
    rpc_addr_format_lower(a, &m->address);
    rpc_addr_format_lower(asset, &m->asset);
    if (rpc_u256_format_dec(amt, sizeof amt, &m->amount))
        amt[0] = '\0';
    snprintf(buf, cap, "#%llu %s %s %s %s amount %s", (unsigned long long)m->block,
             store_kind_name(m->kind), m->entity, a, asset, amt);
    return buf;
}

#endif
