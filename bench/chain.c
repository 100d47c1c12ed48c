/* bench/chain.c — builds the benchmark chain on a fresh anvil: the Aave V3 market (through
 * tracker/aave_local), Multicall3, 1,000 funded accounts (the first 100 watched, in entities
 * of 4), exchange wallets, then blocks of traffic mined with evm_mine (automine off): ERC-20
 * and WETH transfers, supplies, borrows, repays, silent price moves and liquidations.
 * Invariant: the chain depends only on the options (a fixed-seed PRNG picks every action), so
 * two builds give the same blocks; every file it writes describes the chain it built. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "rpc/addr.h"
#include "rpc/client.h"
#include "rpc/hex.h"
#include "rpc/keccak.h"
#include "tests/support/anvil.h"
#include "tracker/aave_local.h"

#define CHAIN_VERSION "3"
enum { N_EXCHANGES = 6, ENTITY_SIZE = 4, GAS_POOL = 900000, GAS_TOKEN = 120000 };

typedef struct opts {
    const char *url, *out_dir, *top;
    unsigned extend, interval_ms; /* --extend: blocks to add to a built chain */
    unsigned blocks, accounts, watched, positions, risky, busy_every, tx_per_block;
    uint64_t seed;
} opts;

typedef struct chain {
    opts o;
    wt_anvil node; /* only its raw-RPC helper: the node was started by bench/run */
    rpc_client *rpc;
    trk_aave_market m;
    rpc_addr *acct; /* accounts [0, accounts), the first `watched` are watched */
    rpc_addr exch[N_EXCHANGES], liquidator;
    uint64_t *nonce; /* next nonce of each account, then the exchanges, then the liquidator */
    uint64_t rng;
    uint64_t weth_price; /* current WETH price, 8 decimals */
    unsigned next_victim;
    /* counts */
    uint64_t txs, transfers, pool_ops, price_moves, liquidations;
    /* one pending JSON-RPC batch of eth_sendTransaction */
    char *batch;
    size_t blen, bcap, bcalls;
} chain;

static uint64_t rnd(chain *c)
{
    /* splitmix64: fixed seed, same sequence on every machine */
    uint64_t z = (c->rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static unsigned pick(chain *c, unsigned n) { return (unsigned)(rnd(c) % n); }

static void derive(rpc_addr *a, const char *tag, unsigned i)
{
    char s[64];
    uint8_t h[32];
    int n = snprintf(s, sizeof s, "whaletrack-bench/%s/%u", tag, i);
    rpc_keccak256(h, (const uint8_t *)s, (size_t)n);
    memcpy(a->b, h + 12, 20);
}

/* ---- a growable text buffer for batches ---- */

static int addf(chain *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int addf(chain *c, const char *fmt, ...)
{
    if (!c->batch) { /* first use: no arithmetic on a NULL buffer */
        if (!(c->batch = malloc(1 << 16)))
            return -1;
        c->bcap = 1 << 16;
    }
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(c->batch + c->blen, c->bcap - c->blen, fmt, ap);
        va_end(ap);
        if (n < 0)
            return -1;
        if ((size_t)n < c->bcap - c->blen) {
            c->blen += (size_t)n;
            return 0;
        }
        size_t cap = c->bcap * 2 + (size_t)n + 1;
        char *p = realloc(c->batch, cap);
        if (!p)
            return -1;
        c->batch = p;
        c->bcap = cap;
    }
}

/* u128 amounts as hex quantities: enough for every amount this chain moves. */
typedef unsigned __int128 u128;

static void qty(char out[40], u128 v)
{
    char tmp[40];
    size_t n = 0;
    do {
        tmp[n++] = "0123456789abcdef"[(unsigned)(v & 15)];
        v >>= 4;
    } while (v);
    out[0] = '0';
    out[1] = 'x';
    for (size_t i = 0; i < n; i++)
        out[2 + i] = tmp[n - 1 - i];
    out[2 + n] = '\0';
}

static u128 units(unsigned asset, uint64_t whole)
{
    static const unsigned dec[TRK_AAVE_N_ASSETS] = {18, 6, 6, 18};
    u128 v = whole;
    for (unsigned i = 0; i < dec[asset]; i++)
        v *= 10;
    return v;
}

/* word: one ABI word of calldata (64 hex digits) for an address or an amount. */
static void word_addr(char out[65], const rpc_addr *a)
{
    char h[43];
    rpc_addr_format_lower(h, a);
    snprintf(out, 65, "000000000000000000000000%s", h + 2);
}

static void word_u(char out[65], u128 v)
{
    char q[40];
    qty(q, v);
    size_t n = strlen(q + 2);
    memset(out, '0', 64 - n);
    memcpy(out + 64 - n, q + 2, n + 1);
}

/* send: queue from -> to with calldata sig(words...) and value (0 = none). */
static int send_tx(chain *c, const rpc_addr *from, const rpc_addr *to, u128 value, unsigned gas,
                const char *sig, unsigned nw, const char (*w)[65])
{
    char f[43], t[43], v[40];
    size_t ni = from >= c->acct && from < c->acct + c->o.accounts ? (size_t)(from - c->acct)
                : from >= c->exch && from < c->exch + N_EXCHANGES
                    ? c->o.accounts + (size_t)(from - c->exch)
                    : c->o.accounts + N_EXCHANGES;
    uint64_t nonce = c->nonce[ni]++;
    rpc_addr_format_lower(f, from);
    rpc_addr_format_lower(t, to);
    qty(v, value);
    if (addf(c, "%s{\"jsonrpc\":\"2.0\",\"id\":%zu,\"method\":\"eth_sendTransaction\",\"params\":"
                "[{\"from\":\"%s\",\"to\":\"%s\",\"value\":\"%s\",\"gas\":\"0x%x\",\"nonce\":\"0x%" PRIx64
                "\",\"data\":\"0x",
             c->bcalls ? "," : "[", c->bcalls, f, t, v, gas, nonce))
        return -1;
    if (sig && addf(c, "%08x", rpc_keccak_selector(sig)))
        return -1;
    for (unsigned i = 0; i < nw; i++)
        if (addf(c, "%s", w[i]))
            return -1;
    if (addf(c, "\"}]}"))
        return -1;
    c->bcalls++;
    c->txs++;
    return 0;
}

static const rpc_addr *token(chain *c, unsigned asset) { return &c->m.reserve[asset].asset; }

static int erc20_call2(chain *c, const rpc_addr *from, unsigned asset, const char *sig,
                       const rpc_addr *who, u128 amount)
{
    char w[2][65];
    word_addr(w[0], who);
    word_u(w[1], amount);
    return send_tx(c, from, token(c, asset), 0, GAS_TOKEN, sig, 2, (const char(*)[65])w);
}

static int pool_op(chain *c, const rpc_addr *from, const char *sig, unsigned asset, u128 amount)
{
    char w[5][65];
    unsigned n;
    word_addr(w[0], token(c, asset));
    word_u(w[1], amount);
    if (!strncmp(sig, "supply", 6)) { /* supply(asset, amount, onBehalfOf, referral) */
        word_addr(w[2], from);
        word_u(w[3], 0);
        n = 4;
    } else if (!strncmp(sig, "borrow", 6)) { /* borrow(asset, amount, 2, 0, onBehalfOf) */
        word_u(w[2], 2);
        word_u(w[3], 0);
        word_addr(w[4], from);
        n = 5;
    } else if (!strncmp(sig, "repay", 5)) { /* repay(asset, amount, 2, onBehalfOf) */
        word_u(w[2], 2);
        word_addr(w[3], from);
        n = 4;
    } else { /* withdraw(asset, amount, to) */
        word_addr(w[2], from);
        n = 3;
    }
    c->pool_ops++;
    return send_tx(c, from, &c->m.pool, 0, GAS_POOL, sig, n, (const char(*)[65])w);
}

static size_t sink(char *p, size_t sz, size_t nm, void *ud)
{
    struct {
        char *p;
        size_t n;
    } *b = ud;
    size_t n = sz * nm;
    char *q = realloc(b->p, b->n + n + 1);
    if (!q)
        return 0;
    memcpy(q + b->n, p, n);
    b->n += n;
    q[b->n] = '\0';
    b->p = q;
    return n;
}

/* flush: post the queued transactions as one JSON-RPC batch; every one must be accepted. */
static int flush(chain *c)
{
    if (!c->bcalls)
        return 0;
    int rc = -1;
    if (addf(c, "]"))
        return -1;
    CURL *h = c->node.curl;
    if (!h) {
        cJSON *j = wt_anvil_rpc(&c->node, "eth_chainId", NULL); /* creates the handle */
        cJSON_Delete(j);
        h = c->node.curl;
        if (!h)
            return -1;
    }
    struct {
        char *p;
        size_t n;
    } ans = {NULL, 0};
    struct curl_slist *hd = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, c->node.url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, c->batch);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 120000L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &ans);
    CURLcode cc = curl_easy_perform(h);
    curl_slist_free_all(hd);
    cJSON *j = NULL;
    if (cc != CURLE_OK || !(j = cJSON_Parse(ans.p ? ans.p : "")) || !cJSON_IsArray(j)) {
        fprintf(stderr, "chain: batch of %zu transactions failed: %s\n", c->bcalls,
                cc != CURLE_OK ? curl_easy_strerror(cc) : "answer is not a JSON array");
        goto done;
    }
    cJSON *e;
    cJSON_ArrayForEach(e, j)
    {
        cJSON *err = cJSON_GetObjectItemCaseSensitive(e, "error");
        if (err) {
            char *s = cJSON_PrintUnformatted(err);
            fprintf(stderr, "chain: a transaction was refused: %s\n", s ? s : "?");
            free(s);
            goto done;
        }
    }
    rc = 0;
done:
    cJSON_Delete(j);
    free(ans.p);
    c->blen = 0;
    c->bcalls = 0;
    return rc;
}

/* mine: flush the queue and mine one block with it. */
static int mine(chain *c)
{
    if (flush(c))
        return -1;
    return wt_anvil_rpc_ok(&c->node, "evm_mine", NULL);
}

static int set_weth_price(chain *c, uint64_t price)
{
    c->weth_price = price;
    c->price_moves++;
    return trk_aave_set_price_silently(c->rpc, &c->m, TRK_AAVE_WETH, price) ? -1 : 0;
}

/* ---- phases ---- */

static int fund(chain *c)
{
    unsigned n = c->o.accounts + N_EXCHANGES + 1;
    for (unsigned i = 0; i < n; i++) {
        const rpc_addr *a = i < c->o.accounts ? &c->acct[i]
                            : i < c->o.accounts + N_EXCHANGES ? &c->exch[i - c->o.accounts]
                                                              : &c->liquidator;
        char h[43], p[96];
        rpc_addr_format_lower(h, a);
        snprintf(p, sizeof p, "[\"%s\",\"0x%s\"]", h, "3635c9adc5dea00000"); /* 1,000 ETH */
        if (wt_anvil_rpc_ok(&c->node, "anvil_setBalance", p))
            return -1;
    }
    return 0;
}

/* setup: tokens for everyone, allowances and Aave positions for the first `positions`
 * accounts (the watched ones first); the last `risky` positions borrow near their limit. */
static int setup(chain *c)
{
    const unsigned per_block = 400;
    unsigned queued = 0;
    u128 max = ~(u128)0;
    for (unsigned i = 0; i < c->o.accounts; i++) {
        const rpc_addr *a = &c->acct[i];
        uint64_t eth = 20 + pick(c, 200);
        if (send_tx(c, a, token(c, TRK_AAVE_WETH), units(TRK_AAVE_WETH, eth), GAS_TOKEN,
                 "deposit()", 0, NULL) ||
            erc20_call2(c, a, TRK_AAVE_USDC, "mint(address,uint256)", a,
                        units(TRK_AAVE_USDC, 10000 + pick(c, 1000000))) ||
            erc20_call2(c, a, TRK_AAVE_WSTETH, "mint(address,uint256)", a,
                        units(TRK_AAVE_WSTETH, 1 + pick(c, 100))))
            return -1;
        queued += 3;
        if (i < c->o.positions) {
            if (erc20_call2(c, a, TRK_AAVE_USDT, "mint(address,uint256)", a,
                            units(TRK_AAVE_USDT, 100000)))
                return -1;
            for (unsigned s = 0; s < TRK_AAVE_N_ASSETS; s++)
                if (erc20_call2(c, a, s, "approve(address,uint256)", &c->m.pool, max >> 8))
                    return -1;
            queued += 5;
        }
        if (queued >= per_block) {
            if (mine(c))
                return -1;
            queued = 0;
        }
    }
    if (erc20_call2(c, &c->liquidator, TRK_AAVE_USDT, "mint(address,uint256)", &c->liquidator,
                    units(TRK_AAVE_USDT, 100000000)) ||
        erc20_call2(c, &c->liquidator, TRK_AAVE_USDT, "approve(address,uint256)", &c->m.pool,
                    max >> 8) ||
        mine(c))
        return -1;
    /* the USDT the positions borrow: the liquidator is also the market's USDT lender */
    if (pool_op(c, &c->liquidator, "supply(address,uint256,address,uint16)", TRK_AAVE_USDT,
                units(TRK_AAVE_USDT, 50000000)))
        return -1;
    /* supplies: 10 ETH each (wstETH too for every third) */
    for (unsigned i = 0; i < c->o.positions; i++) {
        if (pool_op(c, &c->acct[i], "supply(address,uint256,address,uint16)", TRK_AAVE_WETH,
                    units(TRK_AAVE_WETH, 10)))
            return -1;
        if (i % 3 == 0 && pool_op(c, &c->acct[i], "supply(address,uint256,address,uint16)",
                                  TRK_AAVE_WSTETH, units(TRK_AAVE_WSTETH, 1)))
            return -1;
    }
    if (mine(c))
        return -1;
    /* borrows: USDT at 30-60 % of the WETH collateral's value; risky ones at 78 % */
    for (unsigned i = 0; i < c->o.positions; i++) {
        bool risky = i >= c->o.positions - c->o.risky;
        uint64_t usd = 10 * (c->weth_price / 100000000u);
        uint64_t pct = risky ? 78 : 30 + pick(c, 31);
        if (pool_op(c, &c->acct[i], "borrow(address,uint256,uint256,uint16,address)",
                    TRK_AAVE_USDT, units(TRK_AAVE_USDT, usd * pct / 100)))
            return -1;
    }
    return mine(c);
}

/* one_tx: a random action of the steady traffic. Watched accounts act 30 % of the time. */
static int one_tx(chain *c)
{
    unsigned who = pick(c, 10) < 3 ? pick(c, c->o.watched) : pick(c, c->o.accounts);
    const rpc_addr *a = &c->acct[who];
    unsigned r = pick(c, 100);
    if (r < 55) { /* a token transfer: to an account, or (watched, 1 in 5) to an exchange */
        static const unsigned assets[] = {TRK_AAVE_WETH, TRK_AAVE_USDC, TRK_AAVE_WSTETH};
        unsigned asset = assets[pick(c, 3)];
        const rpc_addr *to = who < c->o.watched && pick(c, 5) == 0 ? &c->exch[pick(c, N_EXCHANGES)]
                                                                  : &c->acct[pick(c, c->o.accounts)];
        uint64_t amt = asset == TRK_AAVE_USDC ? 1 + pick(c, 5000) : 0;
        u128 v = asset == TRK_AAVE_USDC ? units(asset, amt)
                                        : units(asset, 1) / 1000 * (1 + pick(c, 500)); /* mETH */
        c->transfers++;
        return erc20_call2(c, a, asset, "transfer(address,uint256)", to, v);
    }
    if (r < 62) { /* wrap ETH */
        c->transfers++;
        return send_tx(c, a, token(c, TRK_AAVE_WETH), units(TRK_AAVE_WETH, 1) / 100 * (1 + pick(c, 50)),
                    GAS_TOKEN, "deposit()", 0, NULL);
    }
    /* an Aave action by a position holder (not a risky one: those wait for liquidators) */
    unsigned safe = c->o.positions - c->o.risky;
    unsigned p = pick(c, 10) < 4 ? pick(c, c->o.watched < safe ? c->o.watched : safe) : pick(c, safe);
    a = &c->acct[p];
    if (r < 72)
        return pool_op(c, a, "supply(address,uint256,address,uint16)", TRK_AAVE_WETH,
                       units(TRK_AAVE_WETH, 1) / 100 * (1 + pick(c, 100)));
    if (r < 82)
        return pool_op(c, a, "borrow(address,uint256,uint256,uint16,address)", TRK_AAVE_USDT,
                       units(TRK_AAVE_USDT, 10 + pick(c, 500)));
    if (r < 94)
        return pool_op(c, a, "repay(address,uint256,uint256,address)", TRK_AAVE_USDT,
                       units(TRK_AAVE_USDT, 5 + pick(c, 300)));
    return pool_op(c, a, "supply(address,uint256,address,uint16)", TRK_AAVE_USDC,
                   units(TRK_AAVE_USDC, 100 + pick(c, 5000)));
}

/* liquidate: the liquidator covers part of a risky position's USDT debt, seizing WETH. */
static int liquidate(chain *c)
{
    if (c->next_victim >= c->o.risky)
        return 0;
    unsigned i = c->o.positions - c->o.risky + c->next_victim++;
    char w[5][65];
    word_addr(w[0], token(c, TRK_AAVE_WETH));
    word_addr(w[1], token(c, TRK_AAVE_USDT));
    word_addr(w[2], &c->acct[i]);
    word_u(w[3], units(TRK_AAVE_USDT, 2000));
    word_u(w[4], 0);
    return send_tx(c, &c->liquidator, &c->m.pool, 0, GAS_POOL,
                "liquidationCall(address,address,address,uint256,bool)", 5, (const char(*)[65])w);
}

static int traffic(chain *c, uint64_t head)
{
    uint64_t base = c->weth_price;
    for (uint64_t b = head + 1; b <= c->o.blocks; b++) {
        uint64_t k = b - head;
        bool busy = c->o.busy_every <= 1 || k % c->o.busy_every == 0;
        if (busy) {
            for (unsigned t = 0; t < c->o.tx_per_block; t++)
                if (one_tx(c))
                    return -1;
            if (k % (25 * (uint64_t)c->o.busy_every) == 0) { /* a silent +-2 % price move */
                uint64_t p = base / 100 * (98 + pick(c, 5));
                if (set_weth_price(c, p))
                    return -1;
            }
            if (k % (40 * (uint64_t)c->o.busy_every) == 0 && b < c->o.blocks) { /* a crash: liquidate one */
                if (set_weth_price(c, base / 100 * 80) || liquidate(c) || mine(c) ||
                    set_weth_price(c, base))
                    return -1;
                b++;
                continue;
            }
        }
        if (mine(c))
            return -1;
        if (b % 500 == 0)
            fprintf(stderr, "chain: block %" PRIu64 " of %u\n", b, c->o.blocks);
    }
    for (int64_t h = wt_anvil_head(&c->node); h >= 0 && (uint64_t)h < c->o.blocks; h++)
        if (mine(c)) /* top up to exactly o.blocks */
            return -1;
    return 0;
}

/* extend: mine n more blocks of traffic on a built chain, each with at least one watched
 * transfer, interval_ms apart; print "mined B NS" (CLOCK_REALTIME after evm_mine returned)
 * per block on stdout for the latency figures. */
static int extend(chain *c, unsigned n, unsigned interval_ms)
{
    for (unsigned i = 0; i < n; i++) {
        const rpc_addr *w = &c->acct[i % c->o.watched];
        if (erc20_call2(c, w, TRK_AAVE_USDC, "transfer(address,uint256)",
                        &c->acct[c->o.watched + pick(c, c->o.accounts - c->o.watched)],
                        units(TRK_AAVE_USDC, 1 + pick(c, 100))))
            return -1;
        for (unsigned t = 1; t < c->o.tx_per_block; t++)
            if (one_tx(c))
                return -1;
        if (mine(c))
            return -1;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t head = wt_anvil_head(&c->node);
        printf("mined %" PRId64 " %lld\n", head, (long long)ts.tv_sec * 1000000000ll + ts.tv_nsec);
        fflush(stdout);
        struct timespec d = {(time_t)(interval_ms / 1000), (long)(interval_ms % 1000) * 1000000L};
        while (nanosleep(&d, &d) && errno == EINTR) {
        }
    }
    return 0;
}

/* load_built: the market addresses, sizes and nonces of a chain built before (chain.json). */
static int load_built(chain *c)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/chain.json", c->o.out_dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    cJSON *j = cJSON_Parse(text);
    int rc = -1;
    if (!j)
        return -1;
    cJSON *v;
    if (!cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(j, "accounts")))
        goto done;
    c->o.accounts = (unsigned)v->valuedouble;
    if (!cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(j, "watched")))
        goto done;
    c->o.watched = (unsigned)v->valuedouble;
    if (!cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(j, "positions")))
        goto done;
    c->o.positions = (unsigned)v->valuedouble;
    if (!cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(j, "risky")))
        goto done;
    c->o.risky = (unsigned)v->valuedouble;
    v = cJSON_GetObjectItemCaseSensitive(j, "pool");
    if (!cJSON_IsString(v) || rpc_addr_parse(&c->m.pool, v->valuestring, strlen(v->valuestring)))
        goto done;
    cJSON *tok = cJSON_GetObjectItemCaseSensitive(j, "tokens");
    static const char *const sym[TRK_AAVE_N_ASSETS] = {"WETH", "USDT", "USDC", "wstETH"};
    for (unsigned s = 0; s < TRK_AAVE_N_ASSETS; s++) {
        v = cJSON_GetObjectItemCaseSensitive(tok, sym[s]);
        if (!cJSON_IsString(v) ||
            rpc_addr_parse(&c->m.reserve[s].asset, v->valuestring, strlen(v->valuestring)))
            goto done;
    }
    rc = 0;
done:
    cJSON_Delete(j);
    return rc;
}

static int fetch_nonces(chain *c)
{
    unsigned n = c->o.accounts + N_EXCHANGES + 1;
    for (unsigned i = 0; i < n; i++) {
        const rpc_addr *a = i < c->o.accounts ? &c->acct[i]
                            : i < c->o.accounts + N_EXCHANGES ? &c->exch[i - c->o.accounts]
                                                              : &c->liquidator;
        char h[43], p[80], q[40];
        rpc_addr_format_lower(h, a);
        snprintf(p, sizeof p, "[\"%s\",\"latest\"]", h);
        if (wt_anvil_rpc_str(&c->node, q, sizeof q, "eth_getTransactionCount", p))
            return -1;
        char *end;
        errno = 0;
        c->nonce[i] = strtoull(q, &end, 16);
        if (errno || *end)
            return -1;
    }
    return 0;
}

/* ---- counting and output ---- */

static bool is_watched(const chain *c, const char *topic)
{
    /* topic: "0x" + 24 zeros + the address's 40 hex digits */
    if (strlen(topic) != 66 || strncmp(topic + 2, "000000000000000000000000", 24))
        return false;
    char s[43] = "0x";
    memcpy(s + 2, topic + 26, 41);
    rpc_addr a;
    if (rpc_addr_parse(&a, s, 42))
        return false;
    for (unsigned i = 0; i < c->o.watched; i++)
        if (!memcmp(a.b, c->acct[i].b, 20))
            return true;
    return false;
}

/* count_logs: every log of the chain, those naming a watched address in an indexed topic,
 * and the LiquidationCall events (c->liquidations). */
static int count_logs(chain *c, uint64_t head, uint64_t *logs, uint64_t *watched_logs)
{
    *logs = *watched_logs = 0;
    uint8_t lt[32];
    char liq_topic[67];
    static const char liq_sig[] = "LiquidationCall(address,address,address,uint256,uint256,address,bool)";
    rpc_keccak256(lt, (const uint8_t *)liq_sig, sizeof liq_sig - 1);
    if (rpc_hex_encode(liq_topic, sizeof liq_topic, lt, 32))
        return -1;
    for (uint64_t from = 0; from <= head; from += 2000) {
        uint64_t to = from + 1999 > head ? head : from + 1999;
        char p[96];
        snprintf(p, sizeof p, "[{\"fromBlock\":\"0x%" PRIx64 "\",\"toBlock\":\"0x%" PRIx64 "\"}]",
                 from, to);
        cJSON *r = wt_anvil_rpc(&c->node, "eth_getLogs", p);
        if (!cJSON_IsArray(r)) {
            cJSON_Delete(r);
            return -1;
        }
        cJSON *l;
        cJSON_ArrayForEach(l, r)
        {
            (*logs)++;
            cJSON *t, *topics = cJSON_GetObjectItemCaseSensitive(l, "topics");
            cJSON *t0 = cJSON_GetArrayItem(topics, 0);
            if (cJSON_IsString(t0) && !strcmp(t0->valuestring, liq_topic))
                c->liquidations++;
            int ti = 0;
            cJSON_ArrayForEach(t, topics)
            {
                if (ti++ && cJSON_IsString(t) && is_watched(c, t->valuestring)) {
                    (*watched_logs)++;
                    break;
                }
            }
        }
        cJSON_Delete(r);
    }
    return 0;
}

static int write_files(chain *c, uint64_t head, uint64_t logs, uint64_t wlogs, double secs)
{
    char path[1024];
    FILE *f = NULL;
    char h[43];
    /* the watchlist for whaletrack: entities of 4 watched addresses, exchanges, the market */
    snprintf(path, sizeof path, "%s/watchlist.ini", c->o.out_dir);
    if (!(f = fopen(path, "w")))
        goto fail;
    fprintf(f, "; the benchmark chain's watchlist, written by bench/chain (version %s)\n",
            CHAIN_VERSION);
    for (unsigned i = 0; i < c->o.watched; i++) {
        if (i % ENTITY_SIZE == 0)
            fprintf(f, "\n[entity \"Whale %u\"]\nsince = 0\n", i / ENTITY_SIZE + 1);
        rpc_addr_format(h, &c->acct[i]);
        fprintf(f, "address = %s\n", h);
    }
    fprintf(f, "\n[exchange \"BenchEx\"]\n");
    for (unsigned i = 0; i < N_EXCHANGES; i++) {
        rpc_addr_format(h, &c->exch[i]);
        fprintf(f, "address = %s\n", h);
    }
    fprintf(f, "\n");
    if (trk_aave_write_protocol(f, &c->m))
        goto fail;
    if (fclose(f))
        goto fail_closed;
    f = NULL;

    snprintf(path, sizeof path, "%s/chain.json", c->o.out_dir);
    if (!(f = fopen(path, "w")))
        goto fail;
    fprintf(f, "{\n  \"version\": \"%s\",\n  \"blocks\": %" PRIu64 ",\n", CHAIN_VERSION, head);
    fprintf(f, "  \"market_block\": %" PRIu64 ",\n", c->m.block);
    fprintf(f, "  \"txs\": %" PRIu64 ",\n  \"transfers\": %" PRIu64 ",\n", c->txs, c->transfers);
    fprintf(f, "  \"pool_ops\": %" PRIu64 ",\n  \"price_moves\": %" PRIu64 ",\n", c->pool_ops,
            c->price_moves);
    fprintf(f, "  \"liquidations\": %" PRIu64 ",\n", c->liquidations);
    fprintf(f, "  \"logs\": %" PRIu64 ",\n  \"watched_logs\": %" PRIu64 ",\n", logs, wlogs);
    fprintf(f, "  \"accounts\": %u,\n  \"watched\": %u,\n  \"positions\": %u,\n", c->o.accounts,
            c->o.watched, c->o.positions);
    fprintf(f, "  \"risky\": %u,\n  \"exchanges\": %u,\n", c->o.risky, (unsigned)N_EXCHANGES);
    fprintf(f, "  \"busy_every\": %u,\n  \"tx_per_block\": %u,\n", c->o.busy_every,
            c->o.tx_per_block);
    fprintf(f, "  \"build_seconds\": %.1f,\n", secs);
    rpc_addr_format(h, &c->m.pool);
    fprintf(f, "  \"pool\": \"%s\",\n", h);
    rpc_addr_format(h, &c->m.oracle);
    fprintf(f, "  \"oracle\": \"%s\",\n  \"tokens\": {", h);
    for (unsigned s = 0; s < TRK_AAVE_N_ASSETS; s++) {
        rpc_addr_format(h, &c->m.reserve[s].asset);
        fprintf(f, "%s\"%s\": \"%s\"", s ? ", " : "", c->m.reserve[s].symbol, h);
    }
    fprintf(f, "},\n  \"watched_addresses\": [");
    for (unsigned i = 0; i < c->o.watched; i++) {
        rpc_addr_format(h, &c->acct[i]);
        fprintf(f, "%s\"%s\"", i ? ", " : "", h);
    }
    fprintf(f, "]\n}\n");
    if (fclose(f))
        goto fail_closed;
    return 0;
fail:
    if (f)
        fclose(f);
fail_closed:
    fprintf(stderr, "chain: cannot write %s: %s\n", path, strerror(errno));
    return -1;
}

static int parse_u(const char *s, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || v > 100000000ul)
        return -1;
    *out = (unsigned)v;
    return 0;
}

static const char usage[] =
    "usage: chain --url URL --out DIR --top DIR [--blocks N] [--accounts N] [--watched N]\n"
    "             [--positions N] [--risky N] [--busy-every K] [--tx-per-block N]\n"
    "Builds the benchmark chain on a fresh anvil at URL (automine on; left off afterwards)\n"
    "and writes DIR/chain.json (counts and addresses) and DIR/watchlist.ini.\n"
    "       chain --url URL --out DIR --top DIR --extend N [--interval-ms M]\n"
    "Adds N blocks of traffic (each with a watched transfer) to the chain DIR describes,\n"
    "printing \"mined BLOCK REALTIME_NS\" per block on stdout.\n";

int main(int argc, char **argv)
{
    chain c;
    memset(&c, 0, sizeof c);
    c.o = (opts){.blocks = 2000, .accounts = 1000, .watched = 100, .positions = 300, .risky = 30,
                 .busy_every = 1, .tx_per_block = 4, .seed = 11};
    static const struct option lo[] = {
        {"url", 1, 0, 'u'},       {"out", 1, 0, 'o'},      {"top", 1, 0, 't'},
        {"blocks", 1, 0, 'b'},    {"accounts", 1, 0, 'a'}, {"watched", 1, 0, 'w'},
        {"positions", 1, 0, 'p'}, {"risky", 1, 0, 'r'},    {"busy-every", 1, 0, 'k'},
        {"tx-per-block", 1, 0, 'x'}, {"extend", 1, 0, 'e'}, {"interval-ms", 1, 0, 'i'},
        {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
    int ch, rc = 1;
    while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        unsigned *u = ch == 'b' ? &c.o.blocks : ch == 'a' ? &c.o.accounts : ch == 'w' ? &c.o.watched
                    : ch == 'p' ? &c.o.positions : ch == 'r' ? &c.o.risky : ch == 'k' ? &c.o.busy_every
                    : ch == 'x' ? &c.o.tx_per_block : ch == 'e' ? &c.o.extend
                    : ch == 'i' ? &c.o.interval_ms : NULL;
        if (ch == 'u')
            c.o.url = optarg;
        else if (ch == 'o')
            c.o.out_dir = optarg;
        else if (ch == 't')
            c.o.top = optarg;
        else if (ch == 'h') {
            fputs(usage, stdout);
            return 0;
        } else if (!u || parse_u(optarg, u)) {
            fputs(usage, stderr);
            return 2;
        }
    }
    if (!c.o.url || !c.o.out_dir || !c.o.top || c.o.watched > c.o.positions ||
        c.o.positions > c.o.accounts || c.o.risky >= c.o.positions - c.o.watched + c.o.risky ||
        c.o.risky > c.o.positions / 2) {
        fputs(usage, stderr);
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    c.rng = c.o.seed;
    snprintf(c.node.url, sizeof c.node.url, "%s", c.o.url);
    if (!(c.acct = calloc(c.o.accounts, sizeof *c.acct)) ||
        !(c.nonce = calloc(c.o.accounts + N_EXCHANGES + 1, sizeof *c.nonce)))
        goto done;
    for (unsigned i = 0; i < c.o.accounts; i++)
        derive(&c.acct[i], "account", i);
    for (unsigned i = 0; i < N_EXCHANGES; i++)
        derive(&c.exch[i], "exchange", i);
    derive(&c.liquidator, "liquidator", 0);

    if (c.o.extend) {
        char q[40], p[64];
        cJSON *blk = NULL;
        if (load_built(&c)) {
            fprintf(stderr, "chain: cannot read %s/chain.json\n", c.o.out_dir);
            goto done;
        }
        free(c.acct);
        free(c.nonce);
        c.nonce = NULL;
        if (!(c.acct = calloc(c.o.accounts, sizeof *c.acct)) ||
            !(c.nonce = calloc(c.o.accounts + N_EXCHANGES + 1, sizeof *c.nonce)))
            goto done;
        for (unsigned i = 0; i < c.o.accounts; i++)
            derive(&c.acct[i], "account", i);
        c.rng = c.o.seed + 1;
        /* a loaded state mines at the wall clock, maybe before its head: go on from the head */
        if (!(blk = wt_anvil_rpc(&c.node, "eth_getBlockByNumber", "[\"latest\",false]")))
            goto done;
        cJSON *ts = cJSON_GetObjectItemCaseSensitive(blk, "timestamp");
        snprintf(q, sizeof q, "%s", cJSON_IsString(ts) ? ts->valuestring : "0x0");
        cJSON_Delete(blk);
        unsigned long long t = strtoull(q, NULL, 16);
        snprintf(p, sizeof p, "[%llu]", t + 12);
        if (wt_anvil_rpc_ok(&c.node, "evm_setNextBlockTimestamp", p) ||
            wt_anvil_rpc_ok(&c.node, "anvil_setBlockTimestampInterval", "[12]") ||
            wt_anvil_rpc_ok(&c.node, "anvil_autoImpersonateAccount", "[true]") ||
            wt_anvil_rpc_ok(&c.node, "evm_setAutomine", "[false]") || fetch_nonces(&c) ||
            extend(&c, c.o.extend, c.o.interval_ms))
            goto done;
        rc = 0;
        goto done;
    }
    rpc_client_opts ro;
    rpc_client_opts_default(&ro);
    ro.max_retries = 0;
    if (rpc_client_new(&c.rpc, &ro, &c.o.url, 1))
        goto done;
    char art[512], err[512];
    rpc_addr owner;
    int r;
    if ((r = trk_aave_artifacts_dir(art, sizeof art, c.o.top)) ||
        (r = trk_aave_account_at(c.rpc, &owner, 0)) ||
        (r = trk_aave_deploy(c.rpc, &c.m, err, sizeof err, art, &owner))) {
        fprintf(stderr, "chain: market: %s %s\n", rpc_strerror(r), err);
        goto done;
    }
    c.weth_price = c.m.reserve[TRK_AAVE_WETH].price;
    if (wt_anvil_install_multicall3(&c.node) ||
        wt_anvil_rpc_ok(&c.node, "anvil_setBlockTimestampInterval", "[12]") ||
        wt_anvil_rpc_ok(&c.node, "anvil_autoImpersonateAccount", "[true]") ||
        wt_anvil_rpc_ok(&c.node, "evm_setAutomine", "[false]"))
        goto done;
    fprintf(stderr, "chain: market and Multicall3 at block %" PRId64 "\n", wt_anvil_head(&c.node));
    if (fund(&c) || setup(&c))
        goto done;
    int64_t head = wt_anvil_head(&c.node);
    fprintf(stderr, "chain: accounts set up at block %" PRId64 "\n", head);
    if (head < 0 || traffic(&c, (uint64_t)head))
        goto done;
    head = wt_anvil_head(&c.node);
    uint64_t logs, wlogs;
    if (head < 0 || count_logs(&c, (uint64_t)head, &logs, &wlogs))
        goto done;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (write_files(&c, (uint64_t)head, logs, wlogs, secs))
        goto done;
    fprintf(stderr,
            "chain: %" PRId64 " blocks, %" PRIu64 " txs, %" PRIu64 " logs (%" PRIu64
            " of watched addresses), %.1f s\n",
            head, c.txs, logs, wlogs, secs);
    rc = 0;
done:
    if (rc)
        fprintf(stderr, "chain: failed%s%s\n", c.rpc ? ": " : "", c.rpc ? rpc_client_errmsg(c.rpc) : "");
    rpc_client_free(c.rpc);
    if (c.node.curl)
        curl_easy_cleanup(c.node.curl);
    c.node.curl = NULL;
    free(c.acct);
    free(c.nonce);
    free(c.batch);
    return rc;
}
