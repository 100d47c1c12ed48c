/* bench/tracker_bench.c — what following the chain costs: backfill blocks/s and moves/s over
 * a local chain with steady ERC-20 traffic, peak RSS with 10,000 watched addresses, and head
 * latency (block mined -> its move committed, p50/p99). Not a test: it prints figures.
 * bench/tracker starts a --no-mining anvil and runs the three modes as separate processes
 * (so each RSS figure is its own). Invariant: the chain is built once per anvil, by --build. */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "rpc/abi.h"
#include "rpc/addr.h"
#include "rpc/client.h"
#include "rpc/hex.h"
#include "rpc/keccak.h"
#include "store/store.h"
#include "tracker/pipe.h"
#include "watchlists/wl.h"

/* anvil's unlocked dev accounts 0..9; 1..5 are watched ("Bench"), 9 is an exchange. */
static const char *const dev_acct[10] = {
    "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266", "0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
    "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc", "0x90f79bf6eb2c4f870365e785982e1f101e93b906",
    "0x15d34aaf54267db7d7c367839aaf71a00a2c6a65", "0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc",
    "0x976ea74026e726554db657fa54763abd0c3a0aa6", "0x14dc79964da2c08b23698b3d3cc7ca32193d9955",
    "0x23618e81e3f5cdf7f54c3d65f7fbc0abf5ae56b3", "0xa0ee7a142d267c1f36714e4a8f75612f20a79720"};

static const char *url;
static char token[43];
static bool verify;          /* --verify: the pipeline's cfg.verify (run --verify) */
static uint64_t batch_blocks; /* --batch-blocks: 1 = block by block, as at the head */

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char *what, rpc_client *c)
{
    fprintf(stderr, "tracker_bench: %s%s%s\n", what, c ? ": " : "", c ? rpc_client_errmsg(c) : "");
    exit(1);
}

static rpc_client *client(void)
{
    rpc_client *c;
    rpc_client_opts o;
    rpc_client_opts_default(&o);
    o.max_batch = 5000;
    const char *u[1] = {url};
    if (rpc_client_new(&c, &o, u, 1))
        die("client", NULL);
    return c;
}

static char *call_str(rpc_client *c, const char *method, const char *params)
{
    cJSON *r;
    if (rpc_client_call(c, &r, method, params))
        die(method, c);
    char *s = cJSON_IsString(r) ? strdup(r->valuestring) : NULL;
    cJSON_Delete(r);
    return s;
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    if (p)
        p[n] = '\0';
    fclose(f);
    return p;
}

/* A mined transaction's receipt field "contractAddress". */
static void deploy(rpc_client *c, const char *code, char out[43])
{
    size_t n = strlen(code) + 128;
    char *q = malloc(n);
    snprintf(q, n, "[{\"from\":\"%s\",\"data\":\"%s\",\"gas\":\"0x1c9c380\"}]", dev_acct[0], code);
    char *tx = call_str(c, "eth_sendTransaction", q);
    free(q);
    cJSON *r;
    if (rpc_client_call(c, &r, "evm_mine", NULL))
        die("evm_mine", c);
    cJSON_Delete(r);
    char p[96];
    snprintf(p, sizeof p, "[\"%s\"]", tx);
    if (rpc_client_call(c, &r, "eth_getTransactionReceipt", p))
        die("receipt", c);
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(r, "contractAddress");
    if (!cJSON_IsString(a))
        die("no contract address", NULL);
    snprintf(out, 43, "%s", a->valuestring);
    cJSON_Delete(r);
    free(tx);
}

static void install_multicall3(rpc_client *c)
{
    char *js = read_all(WT_TOP "/node_modules/viem/_cjs/constants/contracts.js");
    char *p = js ? strstr(js, "multicall3Bytecode = '") : NULL;
    if (!p)
        die("viem's multicall3Bytecode not found", NULL);
    p += strlen("multicall3Bytecode = '");
    *strchr(p, '\'') = '\0';
    char at[43];
    deploy(c, p, at);
    free(js);
    char q[96];
    snprintf(q, sizeof q, "[\"%s\",\"latest\"]", at);
    char *code = call_str(c, "eth_getCode", q);
    size_t n = strlen(code) + 128;
    char *s = malloc(n);
    snprintf(s, n, "[\"0xca11bde05977b3631167028862be2a173976ca11\",\"%s\"]", code);
    cJSON *r;
    if (rpc_client_call(c, &r, "anvil_setCode", s))
        die("anvil_setCode", c);
    cJSON_Delete(r);
    free(s);
    free(code);
}

static void deploy_token(rpc_client *c)
{
    char *text = read_all(WT_TOP "/node_modules/@aave/core-v3/artifacts/contracts/mocks/tokens/"
                                 "MintableERC20.sol/MintableERC20.json");
    cJSON *j = text ? cJSON_Parse(text) : NULL;
    const cJSON *bc = cJSON_GetObjectItemCaseSensitive(j, "bytecode");
    if (!cJSON_IsString(bc))
        die("MintableERC20 artifact", NULL);
    rpc_abi_enc e;
    rpc_abi_enc_init(&e, 4096, 3);
    rpc_abi_put_bytes(&e, 0, (const uint8_t *)"Bench", 5);
    rpc_abi_put_bytes(&e, 1, (const uint8_t *)"BNC", 3);
    rpc_abi_put_u64(&e, 2, 6);
    const uint8_t *args;
    size_t n;
    if (rpc_abi_enc_finish(&e, &args, &n))
        die("encode", NULL);
    size_t len = strlen(bc->valuestring);
    char *code = malloc(len + 2 * n + 3);
    memcpy(code, bc->valuestring, len);
    char *hex = malloc(2 * n + 3);
    if (rpc_hex_encode(hex, 2 * n + 3, args, n))
        die("hex", NULL);
    memcpy(code + len, hex + 2, 2 * n + 1);
    deploy(c, code, token);
    free(hex);
    free(code);
    rpc_abi_enc_free(&e);
    cJSON_Delete(j);
    free(text);
}

/* calldata of token.sig(addr, amount) or token.mint(amount) as hex. */
static void calldata(char *out, size_t cap, const char *to, uint64_t amount)
{
    if (to)
        snprintf(out, cap, "0x%08x000000000000000000000000%s%064llx",
                 rpc_keccak_selector("transfer(address,uint256)"), to + 2,
                 (unsigned long long)amount);
    else
        snprintf(out, cap, "0x%08x%064llx", rpc_keccak_selector("mint(uint256)"),
                 (unsigned long long)amount);
}

/* One block: txs transactions (from account i to account j) and evm_mine. */
static void block_of(rpc_client *c, unsigned txs, unsigned *seed, bool mint)
{
    rpc_batch *b;
    if (rpc_batch_new(&b))
        die("batch", NULL);
    for (unsigned k = 0; k < txs; k++) {
        unsigned from = mint ? k % 10 : (unsigned)rand_r(seed) % 10;
        unsigned to = (from + 1 + (unsigned)rand_r(seed) % 9) % 10;
        char data[160], q[512];
        calldata(data, sizeof data, mint ? NULL : dev_acct[to], mint ? 1000000000000000ull
                                                                  : 1 + (unsigned)rand_r(seed) % 1000000);
        snprintf(q, sizeof q, "[{\"from\":\"%s\",\"to\":\"%s\",\"data\":\"%s\",\"gas\":\"0x30d40\"}]",
                 dev_acct[from], token, data);
        if (rpc_batch_add_raw(b, NULL, "eth_sendTransaction", q))
            die("batch add", NULL);
    }
    if (rpc_batch_send(c, b))
        die("send", c);
    rpc_batch_free(b);
    cJSON *r;
    if (rpc_client_call(c, &r, "evm_mine", NULL))
        die("evm_mine", c);
    cJSON_Delete(r);
}

static uint64_t head(rpc_client *c)
{
    uint64_t h;
    if (rpc_eth_block_number(c, &h))
        die("head", c);
    return h;
}

/* A watchlist directory: Bench = accounts 1..5 (+ filler made-up addresses), Exchange = 9. */
static void watchlist(const char *dir, size_t filler)
{
    char path[256];
    snprintf(path, sizeof path, "%s/w.ini", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        die("watchlist file", NULL);
    fprintf(f, "[entity \"Bench\"]\nsince = 0\n");
    for (int i = 1; i <= 5; i++)
        fprintf(f, "address = %s\n", dev_acct[i]);
    for (size_t i = 0; i < filler; i++)
        fprintf(f, "address = 0x%08zx%032x\n", i + 1, 0xbe4c4u);
    fprintf(f, "\n[exchange \"Exchange\"]\naddress = %s\n", dev_acct[9]);
    fclose(f);
}

struct tracker {
    char dir[64];
    rpc_client *c;
    store *s;
    wl_set *set;
    trk_pipe *p;
};

static void tracker_open(struct tracker *t, size_t filler, uint64_t start)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/trkbench.XXXXXX");
    if (!mkdtemp(t->dir))
        die("mkdtemp", NULL);
    watchlist(t->dir, filler);
    t->c = client();
    rpc_block g = {0};
    if (rpc_eth_get_block(t->c, &g, 0))
        die("genesis", t->c);
    store_opts so = {0};
    so.chain_id = 31337;
    so.genesis = g.hash;
    rpc_block_free(&g);
    char data[96], why[256];
    snprintf(data, sizeof data, "%s/data", t->dir);
    if (store_open(&t->s, why, sizeof why, data, &so))
        die(why, NULL);
    wl_errors e = {0};
    const char *paths[1] = {t->dir};
    if (wl_load(&t->set, &e, paths, 1, NULL))
        die(e.n ? e.v[0].text : "watchlist", NULL);
    trk_config cfg;
    trk_config_default(&cfg);
    cfg.confirmations = 0;
    cfg.start_block = start;
    cfg.verify = verify;
    if (batch_blocks)
        cfg.batch_blocks = batch_blocks;
    if (trk_pipe_new(&t->p, &cfg, trk_io_rpc(t->c), t->s, t->set))
        die("pipe", NULL);
}

static void tracker_close(struct tracker *t)
{
    trk_pipe_free(t->p);
    wl_set_free(t->set);
    store_close(t->s);
    rpc_client_free(t->c);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
    if (system(cmd))
        fprintf(stderr, "tracker_bench: could not remove %s\n", t->dir);
}

/* Steps until idle; returns moves committed. */
static size_t follow(struct tracker *t, size_t *steps)
{
    size_t moves = 0;
    *steps = 0;
    for (;;) {
        trk_step st;
        int rc = trk_pipe_step(t->p, &st);
        if (rc == TRK_ERACE)
            continue;
        if (rc)
            die(trk_pipe_why(t->p), NULL);
        if (st.idle)
            return moves;
        moves += st.moves;
        (*steps)++;
    }
}

static long rss_kib(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

static int mode_build(unsigned blocks, unsigned per_block)
{
    rpc_client *c = client();
    install_multicall3(c);
    deploy_token(c);
    unsigned seed = 7;
    block_of(c, 10, &seed, true); /* every account mints */
    uint64_t first = head(c) + 1;
    double t0 = now_s();
    for (unsigned i = 0; i < blocks; i++)
        block_of(c, per_block, &seed, false);
    printf("chain: token %s, blocks %llu..%llu, %u transfers a block, built in %.1f s\n", token,
           (unsigned long long)first, (unsigned long long)head(c), per_block, now_s() - t0);
    FILE *f = fopen("/tmp/trkbench.chain", "w");
    if (!f)
        die("chain file", NULL);
    fprintf(f, "%s %llu\n", token, (unsigned long long)first);
    fclose(f);
    rpc_client_free(c);
    return 0;
}

static uint64_t chain_start(void)
{
    char *s = read_all("/tmp/trkbench.chain");
    if (!s || strlen(s) < 44)
        die("run --build first", NULL);
    memcpy(token, s, 42);
    token[42] = '\0';
    uint64_t first = strtoull(s + 43, NULL, 10);
    free(s);
    return first;
}

static int mode_backfill(size_t filler)
{
    uint64_t first = chain_start();
    struct tracker t;
    tracker_open(&t, filler, first);
    uint64_t last = head(t.c);
    rpc_endpoint_stats s0, s1;
    rpc_client_stats(t.c, 0, &s0);
    double t0 = now_s();
    size_t steps, moves = follow(&t, &steps);
    double dt = now_s() - t0;
    rpc_client_stats(t.c, 0, &s1);
    uint64_t blocks = last - first + 1;
    printf("backfill%s: %zu watched addresses, %llu blocks, %zu moves in %.2f s: %.0f blocks/s, "
           "%.0f moves/s, %llu round trips and %llu calls (%zu batches), peak RSS %ld KiB\n",
           verify ? " --verify" : "", 5 + filler, (unsigned long long)blocks, moves, dt,
           (double)blocks / dt, (double)moves / dt,
           (unsigned long long)(s1.round_trips - s0.round_trips),
           (unsigned long long)(s1.calls - s0.calls), steps, rss_kib());
    tracker_close(&t);
    return 0;
}

struct miner {
    unsigned n;
    double *mined; /* by block - base */
    uint64_t base;
};

static void *mine_loop(void *arg)
{
    struct miner *m = arg;
    rpc_client *c = client();
    unsigned seed = 11;
    for (unsigned i = 0; i < m->n; i++) {
        struct timespec ts = {0, 30 * 1000 * 1000};
        nanosleep(&ts, NULL);
        block_of(c, 2, &seed, false);
        m->mined[i] = now_s(); /* block base + 1 + i exists from here on */
    }
    rpc_client_free(c);
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int mode_latency(unsigned n, long poll_ms)
{
    uint64_t first = chain_start();
    struct tracker t;
    tracker_open(&t, 0, first);
    size_t steps;
    follow(&t, &steps); /* catch up first */
    struct miner m = {n, calloc(n, sizeof(double)), head(t.c)};
    double *done = calloc(n, sizeof(double));
    pthread_t th;
    pthread_create(&th, NULL, mine_loop, &m);
    unsigned seen = 0;
    while (seen < n) {
        trk_step st;
        int rc = trk_pipe_step(t.p, &st);
        if (rc == TRK_ERACE)
            continue;
        if (rc)
            die(trk_pipe_why(t.p), NULL);
        if (st.idle) {
            struct timespec ts = {0, poll_ms * 1000 * 1000};
            nanosleep(&ts, NULL);
            continue;
        }
        double now = now_s();
        for (uint64_t b = st.from; b <= st.to; b++)
            if (b > m.base && b - m.base - 1 < n) {
                done[b - m.base - 1] = now;
                seen++;
            }
    }
    pthread_join(th, NULL);
    double *lat = calloc(n, sizeof(double));
    for (unsigned i = 0; i < n; i++)
        lat[i] = (done[i] - m.mined[i]) * 1000.0;
    qsort(lat, n, sizeof *lat, cmp_double);
    printf("head latency: %u blocks, poll every %ld ms: p50 %.1f ms, p99 %.1f ms, max %.1f ms "
           "(block mined -> its moves committed)\n",
           n, poll_ms, lat[n / 2], lat[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1], lat[n - 1]);
    free(lat);
    free(done);
    free(m.mined);
    tracker_close(&t);
    return 0;
}

int main(int argc, char **argv)
{
    const char *mode = "backfill";
    unsigned blocks = 1000, per_block = 5, n = 200;
    size_t filler = 0;
    long poll_ms = 5;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--url") && i + 1 < argc)
            url = argv[++i];
        else if (!strcmp(argv[i], "--mode") && i + 1 < argc)
            mode = argv[++i];
        else if (!strcmp(argv[i], "--blocks") && i + 1 < argc)
            blocks = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--per-block") && i + 1 < argc)
            per_block = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--filler") && i + 1 < argc)
            filler = strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--samples") && i + 1 < argc)
            n = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--poll-ms") && i + 1 < argc)
            poll_ms = strtol(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--verify"))
            verify = true;
        else if (!strcmp(argv[i], "--batch-blocks") && i + 1 < argc)
            batch_blocks = strtoull(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "usage: tracker_bench --url URL [--mode build|backfill|latency] "
                            "[--blocks N] [--per-block N] [--filler N] [--samples N] "
                            "[--poll-ms N] [--verify] [--batch-blocks N]\n");
            return 2;
        }
    }
    if (!url)
        die("--url is required", NULL);
    if (!strcmp(mode, "build"))
        return mode_build(blocks, per_block);
    if (!strcmp(mode, "backfill"))
        return mode_backfill(filler);
    if (!strcmp(mode, "latency"))
        return mode_latency(n ? n : 1, poll_ms);
    die("unknown mode", NULL);
    return 2;
}
