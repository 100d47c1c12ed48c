/* tracker/cmd_demo.c — `whaletrack demo`: anvil + a real Aave V3 market + a watchlist, a
 * `whaletrack run` child following the chain, and a scripted deleveraging day played as real
 * transactions. Invariant: the moves shown are read from the store the child commits (the
 * same log `tail` reads), never composed here; whatever is started is stopped on every
 * exit path (only the chain outlives a complete day, with --keep). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "rpc/addr.h"
#include "rpc/client.h"
#include "rpc/err.h"
#include "rpc/u256.h"
#include "store/store.h"
#include "tracker/aave_local.h"
#include "tracker/cli.h"
#include "tracker/cmd_demo.h"
#include "tracker/devchain.h"
#include "tracker/format.h"
#include "watchlists/wl.h"

static const char help_text[] =
    "usage: whaletrack demo [--speed SECONDS] [--keep] [--json] [--data-dir DIR]\n"
    "\n"
    "Starts a local chain (anvil, from the project's node_modules) with a real Aave V3\n"
    "market, writes a watchlist for it, starts `whaletrack run` on it, and plays a whale's\n"
    "deleveraging day as real transactions: a leveraged supply and borrow, a deposit to an\n"
    "exchange, the ETH price falling (in the open and silently), a partial repay, collateral\n"
    "added on the dip, and a liquidation. The tracker's moves are shown as they commit.\n"
    "\n"
    "  --speed SECONDS   pause between the day's steps (default 1; 0 = no pause)\n"
    "  --keep            leave the chain running afterwards and print how to stop it\n"
    "  --json            moves as JSON lines on stdout; the narration goes to stderr\n"
    "  --data-dir DIR    where the store and the watchlist go (a new or empty directory;\n"
    "                    default: a new /tmp/whaletrack-demo.XXXXXX, kept afterwards)\n"
    "\n"
    "Needs the npm tools of ./scripts/setup (anvil, @aave/core-v3, viem); looks for them in\n"
    "node_modules beside the build directory, or in $WHALETRACK_NODE_MODULES.\n"
    "\n"
    "Exit codes:\n"
    "  0  the day was played (or interrupted with Ctrl-C)\n"
    "  1  a tool is missing, or the chain, the tracker or the store failed\n"
    "  2  usage error\n";

static volatile sig_atomic_t stop_flag;

static void on_stop(int sig)
{
    (void)sig;
    stop_flag = 1;
}

/* The dev accounts the demo gives roles to (anvil's eth_accounts order). */
enum { ACC_OWNER = 0, ACC_TREND_A = 1, ACC_TREND_B = 2, ACC_SIBLINGS = 3, ACC_LENDER = 4,
       ACC_LIQUIDATOR = 5, ACC_BINANCE = 7, ACC_MULTICALL = 9, N_ACC = 10 };

enum op { OP_MINT, OP_SUPPLY, OP_BORROW, OP_REPAY, OP_TRANSFER, OP_PRICE, OP_PRICE_SILENTLY,
          OP_LIQUIDATE };

/* One transaction (or silent price write) of the day. */
struct action {
    enum op op;
    unsigned who;   /* account index */
    unsigned asset; /* enum trk_aave_asset */
    uint64_t whole; /* amount in whole tokens; the price in dollars for OP_PRICE* */
    unsigned to;    /* OP_TRANSFER: the receiving account; OP_LIQUIDATE: the user */
};

/* A step of the day: what the narrator says, then its actions. */
struct step {
    const char *say;
    struct action act[3];
    size_t n;
};

#define A(...) {__VA_ARGS__}
static const struct step day[] = {
    {"09:00  Trend Research wraps 20,000 ETH and supplies it to Aave V3 (ETH at $3,000)",
     {A(OP_MINT, ACC_TREND_A, TRK_AAVE_WETH, 20000, 0),
      A(OP_SUPPLY, ACC_TREND_A, TRK_AAVE_WETH, 20000, 0)}, 2},
    {"09:05  ... and borrows 34,000,000 USDT against it: the leveraged long",
     {A(OP_BORROW, ACC_TREND_A, TRK_AAVE_USDT, 34000000, 0)}, 1},
    {"09:20  7 Siblings supplies 8,000 WETH and borrows 10,000,000 USDT",
     {A(OP_MINT, ACC_SIBLINGS, TRK_AAVE_WETH, 8000, 0),
      A(OP_SUPPLY, ACC_SIBLINGS, TRK_AAVE_WETH, 8000, 0),
      A(OP_BORROW, ACC_SIBLINGS, TRK_AAVE_USDT, 10000000, 0)}, 3},
    {"10:40  Trend Research's second wallet sends 3,000 WETH to Binance: a likely sale",
     {A(OP_MINT, ACC_TREND_B, TRK_AAVE_WETH, 3000, 0),
      A(OP_TRANSFER, ACC_TREND_B, TRK_AAVE_WETH, 3000, ACC_BINANCE)}, 2},
    {"11:30  ETH falls to $2,800 (the oracle gets a new feed: a transaction, an event)",
     {A(OP_PRICE, 0, TRK_AAVE_WETH, 2800, 0)}, 1},
    {"13:10  ETH slides to $2,600 with no transaction at all (the feed's answer changes)",
     {A(OP_PRICE_SILENTLY, 0, TRK_AAVE_WETH, 2600, 0)}, 1},
    {"13:45  Trend Research repays 6,000,000 USDT: its liquidation line drops away",
     {A(OP_REPAY, ACC_TREND_A, TRK_AAVE_USDT, 6000000, 0)}, 1},
    {"14:20  7 Siblings buys the dip: 4,000 more WETH as collateral",
     {A(OP_MINT, ACC_SIBLINGS, TRK_AAVE_WETH, 4000, 0),
      A(OP_SUPPLY, ACC_SIBLINGS, TRK_AAVE_WETH, 4000, 0)}, 2},
    {"16:00  ETH breaks down to $1,650, below Trend Research's liquidation line",
     {A(OP_PRICE, 0, TRK_AAVE_WETH, 1650, 0)}, 1},
    {"16:01  A liquidator repays 14,000,000 USDT of Trend Research's debt and seizes WETH",
     {A(OP_MINT, ACC_LIQUIDATOR, TRK_AAVE_USDT, 14000000, 0),
      A(OP_LIQUIDATE, ACC_LIQUIDATOR, TRK_AAVE_USDT, 14000000, ACC_TREND_A)}, 2},
};
#undef A

struct opts {
    double speed;
    bool keep, json;
    const char *data_dir;
};

/* Everything the demo started, for the one cleanup path. */
struct demo {
    struct opts o;
    FILE *say;        /* narration: stdout, or stderr with --json */
    char nm[4096];    /* node_modules */
    char exe[4096];   /* this binary */
    char dir[4096];   /* the data dir (the store) */
    char wldir[4200]; /* its watchlists/ */
    trk_devchain chain;
    rpc_client *c;
    trk_aave_market m;
    rpc_addr acc[N_ACC];
    pid_t run_pid;
    store *s;
    wl_set *set;
    uint64_t start;   /* the tracker's first block */
    uint64_t printed; /* last move seq shown */
    size_t shown;     /* moves shown */
    bool color;       /* stdout is a terminal */
};

static void narrate(struct demo *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void narrate(struct demo *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(d->say, fmt, ap);
    va_end(ap);
    fflush(d->say);
}

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("whaletrack: demo: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return -1;
}

static int usage(const char *what, const char *arg)
{
    fprintf(stderr, "whaletrack: %s '%s' (see whaletrack demo --help)\n", what, arg);
    return TRK_EXIT_USAGE;
}

static int parse(struct opts *o, int argc, char **argv)
{
    static const struct option lo[] = {
        {"help", no_argument, NULL, 'h'},      {"speed", required_argument, NULL, 's'},
        {"keep", no_argument, NULL, 'k'},      {"json", no_argument, NULL, 'j'},
        {"data-dir", required_argument, NULL, 'd'}, {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->speed = 1.0;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+h", lo, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help_text, stdout);
            return -1;
        case 's': {
            char *end;
            errno = 0;
            o->speed = strtod(optarg, &end);
            if (errno || end == optarg || *end || !(o->speed >= 0 && o->speed <= 60))
                return usage("--speed wants seconds from 0 to 60, not", optarg);
            break;
        }
        case 'k': o->keep = true; break;
        case 'j': o->json = true; break;
        case 'd': o->data_dir = optarg; break;
        default: return usage("unknown option", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return usage("unexpected argument", argv[optind]);
    return 0;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL); /* a signal cuts it short: the caller checks stop_flag */
}

/* pause: sleep the step pause in slices, returning early on a signal. */
static void pause_step(const struct demo *d)
{
    long ms = lround(d->o.speed * 1000.0);
    for (long t = 0; t < ms && !stop_flag; t += 50)
        sleep_ms(ms - t < 50 ? ms - t : 50);
}

static rpc_u256 units(uint64_t whole, unsigned decimals)
{
    rpc_u256 r = rpc_u256_from_u64(whole), ten = rpc_u256_from_u64(10);
    for (unsigned i = 0; i < decimals; i++)
        if (rpc_u256_mul(&r, &r, &ten) != RPC_OK)
            return rpc_u256_from_u64(0); /* cannot happen: the day's amounts are small */
    return r;
}

/* ---- setting up --------------------------------------------------------------------- */

static int prepare_dir(struct demo *d)
{
    if (d->o.data_dir) {
        if (snprintf(d->dir, sizeof d->dir, "%s", d->o.data_dir) >= (int)sizeof d->dir)
            return fail("--data-dir is too long");
        if (mkdir(d->dir, 0700) != 0 && errno != EEXIST)
            return fail("cannot create %s: %s", d->dir, strerror(errno));
        char probe[4200];
        snprintf(probe, sizeof probe, "%s/data.mdb", d->dir);
        if (access(probe, F_OK) == 0)
            return fail("%s already holds a store (of another chain): give a new directory",
                        d->dir);
    } else {
        const char *tmp = getenv("TMPDIR");
        snprintf(d->dir, sizeof d->dir, "%s/whaletrack-demo.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(d->dir))
            return fail("cannot create a directory in %s: %s", tmp && *tmp ? tmp : "/tmp",
                        strerror(errno));
    }
    snprintf(d->wldir, sizeof d->wldir, "%s/watchlists", d->dir);
    if (mkdir(d->wldir, 0700) != 0 && errno != EEXIST)
        return fail("cannot create %s: %s", d->wldir, strerror(errno));
    return 0;
}

static int rpc_ok(struct demo *d, const char *method, const char *params)
{
    cJSON *r = NULL;
    int rc = rpc_client_call(d->c, &r, method, params);
    cJSON_Delete(r);
    if (rc)
        return fail("%s: %s (%s)", method, rpc_strerror(rc), rpc_client_errmsg(d->c));
    return 0;
}

/* set_eth: anvil_setBalance(account i, whole ETH). */
static int set_eth(struct demo *d, unsigned i, uint64_t whole)
{
    char h[RPC_ADDR_HEX_LEN + 1], v[80], p[160];
    rpc_u256 wei = units(whole, 18);
    rpc_addr_format_lower(h, &d->acc[i]);
    if (rpc_u256_format_hex(v, sizeof v, &wei) != RPC_OK)
        return fail("a balance does not format");
    snprintf(p, sizeof p, "[\"%s\",\"%s\"]", h, v);
    return rpc_ok(d, "anvil_setBalance", p);
}

static int start_chain(struct demo *d)
{
    char why[1024];
    trk_devchain_opts co;
    memset(&co, 0, sizeof co);
    co.detach = d->o.keep;
    if (trk_devchain_node_modules(d->nm, sizeof d->nm, why, sizeof why) ||
        trk_devchain_start(&d->chain, why, sizeof why, d->nm, &co))
        return fail("%s", why);
    rpc_client_opts ro;
    rpc_client_opts_default(&ro);
    ro.max_retries = 0; /* aave_local.h: a retried send could send a transaction twice */
    const char *urls[1] = {d->chain.url};
    if (rpc_client_new(&d->c, &ro, urls, 1) != RPC_OK)
        return fail("%s", rpc_client_new_errmsg());
    for (unsigned i = 0; i < N_ACC; i++)
        if (trk_aave_account_at(d->c, &d->acc[i], i) != RPC_OK)
            return fail("the chain has no dev account %u", i);
    /* with automine a fast script's blocks would share one timestamp: space them */
    if (rpc_ok(d, "anvil_setBlockTimestampInterval", "[12]"))
        return -1;
    if (trk_devchain_install_multicall3(d->c, why, sizeof why, d->nm, &d->acc[ACC_MULTICALL],
                                        false))
        return fail("%s", why);
    char art[1024], err[1024];
    /* artifacts_dir joins top + "/node_modules/..."; the demo knows node_modules itself */
    static const char nm_suffix[] = "/node_modules";
    size_t nml = strlen(d->nm);
    char top[4096];
    if (nml >= sizeof nm_suffix && strcmp(d->nm + nml - (sizeof nm_suffix - 1), nm_suffix) == 0)
        snprintf(top, sizeof top, "%.*s", (int)(nml - (sizeof nm_suffix - 1)), d->nm);
    else
        return fail("%s: expected a directory named node_modules", d->nm);
    if (trk_aave_artifacts_dir(art, sizeof art, top) != RPC_OK)
        return fail("the artifacts path is too long");
    if (access(art, R_OK) != 0)
        return fail("Aave's artifacts are missing (%s): run ./scripts/setup", art);
    if (set_eth(d, ACC_TREND_A, 25000) || set_eth(d, ACC_SIBLINGS, 15000) ||
        set_eth(d, ACC_TREND_B, 5000))
        return -1;
    if (trk_aave_deploy(d->c, &d->m, err, sizeof err, art, &d->acc[ACC_OWNER]) != RPC_OK)
        return fail("deploying Aave V3: %s", err);
    /* the market's lenders, before the tracker starts: USDT to borrow */
    trk_aave_tx tx;
    rpc_u256 usdt = units(60000000, 6);
    if (trk_aave_mint(d->c, &tx, &d->m, &d->acc[ACC_LENDER], TRK_AAVE_USDT, &usdt) ||
        trk_aave_supply(d->c, &tx, &d->m, &d->acc[ACC_LENDER], TRK_AAVE_USDT, &usdt))
        return fail("the lender's USDT supply: %s", rpc_client_errmsg(d->c));
    return 0;
}

static int write_watchlist(struct demo *d)
{
    char path[4300], a[3][RPC_ADDR_HEX_LEN + 1], ex[RPC_ADDR_HEX_LEN + 1];
    snprintf(path, sizeof path, "%s/demo.ini", d->wldir);
    FILE *f = fopen(path, "w");
    if (!f)
        return fail("cannot write %s: %s", path, strerror(errno));
    rpc_addr_format(a[0], &d->acc[ACC_TREND_A]);
    rpc_addr_format(a[1], &d->acc[ACC_TREND_B]);
    rpc_addr_format(a[2], &d->acc[ACC_SIBLINGS]);
    rpc_addr_format(ex, &d->acc[ACC_BINANCE]);
    fprintf(f,
            "; Written by `whaletrack demo` for its local chain (anvil, chain id 31337).\n"
            "; The addresses are anvil's dev accounts playing the seed's roles.\n\n"
            "[rpc]\nurl = %s\nchain_id = 31337\nconfirmations = 0\n\n"
            "[entity \"Trend Research\"]\naddress = %s\naddress = %s\ntags = fund, eth-long, aave\n"
            "since = 0\n\n"
            "[entity \"7 Siblings\"]\naddress = %s\ntags = accumulator, eth-long\nsince = 0\n\n"
            "[exchange \"Binance\"]\naddress = %s\n\n"
            "[rules]\nmin_usd = 100_000\nhealth_factor_warn = 1.3\n"
            "liquidation_price_move_pct = 2\n\n",
            d->chain.url, a[0], a[1], a[2], ex);
    int rc = trk_aave_write_protocol(f, &d->m) == RPC_OK ? 0 : -1;
    if (fclose(f) != 0 || rc)
        return fail("cannot write %s", path);
    wl_errors errs = {0};
    const char *paths[1] = {d->wldir};
    int wrc = wl_load(&d->set, &errs, paths, 1, NULL);
    if (wrc) {
        fail("the demo's watchlist: %s", errs.n ? errs.v[0].text : wl_strerror(wrc));
        wl_errors_free(&errs);
        return -1;
    }
    wl_errors_free(&errs);
    return 0;
}

/* start_tracker: `whaletrack run` on the chain from the block after the setup; its stdout
 * is not needed (the demo shows the moves from the store), its stderr goes to run.log. */
static int start_tracker(struct demo *d)
{
    uint64_t head;
    if (rpc_eth_block_number(d->c, &head) != RPC_OK)
        return fail("eth_blockNumber: %s", rpc_client_errmsg(d->c));
    char start[24], weth[RPC_ADDR_HEX_LEN + 1], log[4300];
    d->start = head + 1;
    snprintf(start, sizeof start, "%llu", (unsigned long long)d->start);
    rpc_addr_format(weth, &d->m.reserve[TRK_AAVE_WETH].asset);
    snprintf(log, sizeof log, "%s/run.log", d->dir);
    ssize_t n = readlink("/proc/self/exe", d->exe, sizeof d->exe - 1);
    if (n <= 0)
        return fail("cannot find the whaletrack binary: %s", strerror(errno));
    d->exe[n] = '\0';
    const char *argv[] = {d->exe, "run", "--watchlists", d->wldir, "--data-dir", d->dir,
                          "--start-block", start, "--weth", weth, "--poll-ms", "20",
                          "--batch-blocks", "1", NULL};
    int logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (logfd < 0)
        return fail("cannot write %s: %s", log, strerror(errno));
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(logfd);
        return fail("fork: %s", strerror(errno));
    }
    if (pid == 0) {
        if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent)
            _exit(127);
        int null = open("/dev/null", O_RDWR);
        if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(logfd, 2) < 0)
            _exit(127);
        execv(d->exe, (char *const *)argv);
        _exit(127);
    }
    close(logfd);
    d->run_pid = pid;
    return 0;
}

static void stop_tracker(struct demo *d)
{
    trk_devchain_stop_child(d->run_pid);
    d->run_pid = 0;
}

/* tracker_alive: false (and reaped) once the run child has exited. */
static bool tracker_alive(struct demo *d)
{
    int st;
    if (d->run_pid > 0 && waitpid(d->run_pid, &st, WNOHANG) == d->run_pid) {
        d->run_pid = 0;
        fail("the tracker exited (status %d); see %s/run.log", st, d->dir);
        return false;
    }
    return d->run_pid > 0;
}

/* ---- showing the moves -------------------------------------------------------------- */

static int show_move(void *ctx, const store_move *m)
{
    struct demo *d = ctx;
    if (!d->o.json)
        fputs("    ", stdout);
    if (trk_move_print(stdout, m, d->set, d->color ? TRK_FMT_COLOR : 0, d->o.json))
        return -1;
    d->shown++;
    return 0;
}

/* catch_up: wait until the tracker's cursor reaches the chain's head (and its store
 * exists), then show every move committed since the last call. */
static int catch_up(struct demo *d)
{
    uint64_t head;
    if (rpc_eth_block_number(d->c, &head) != RPC_OK)
        return fail("eth_blockNumber: %s", rpc_client_errmsg(d->c));
    for (int i = 0; !stop_flag; i++) {
        if (!tracker_alive(d))
            return -1;
        if (!d->s) {
            char why[512];
            store_opts so = {0};
            so.readonly = 1;
            if (store_open(&d->s, why, sizeof why, d->dir, &so))
                d->s = NULL;
        }
        store_info info;
        if (d->s && store_info_get(d->s, &info) == 0 &&
            ((info.has_cursor && info.cursor_block >= head) || head < d->start)) {
            if (info.last_seq > d->printed &&
                store_moves_from(d->s, d->printed + 1, 0, show_move, d))
                return fail("cannot read the move log in %s", d->dir);
            d->printed = info.last_seq;
            fflush(stdout);
            return 0;
        }
        if (i > 6000) /* 60 s: a sanitizer build on a loaded machine is slow, not this slow */
            return fail("the tracker did not reach block %llu within 60 s; see %s/run.log",
                        (unsigned long long)head, d->dir);
        sleep_ms(10);
    }
    return 0;
}

/* ---- the day ------------------------------------------------------------------------ */

static int act(struct demo *d, const struct action *a)
{
    trk_aave_tx tx;
    const rpc_addr *who = &d->acc[a->who];
    rpc_u256 amt = units(a->whole, d->m.reserve[a->asset].decimals);
    int rc;
    switch (a->op) {
    case OP_MINT: rc = trk_aave_mint(d->c, &tx, &d->m, who, a->asset, &amt); break;
    case OP_SUPPLY: rc = trk_aave_supply(d->c, &tx, &d->m, who, a->asset, &amt); break;
    case OP_BORROW: rc = trk_aave_borrow(d->c, &tx, &d->m, who, a->asset, &amt); break;
    case OP_REPAY: rc = trk_aave_repay(d->c, &tx, &d->m, who, a->asset, &amt); break;
    case OP_TRANSFER:
        rc = trk_aave_transfer(d->c, &tx, &d->m, who, a->asset, &d->acc[a->to], &amt);
        break;
    case OP_PRICE:
        rc = trk_aave_set_price(d->c, &tx, &d->m, a->asset, a->whole * 100000000u);
        break;
    case OP_PRICE_SILENTLY:
        rc = trk_aave_set_price_silently(d->c, &d->m, a->asset, a->whole * 100000000u);
        /* the new answer is in the head's state; a block makes it a block's */
        if (rc == RPC_OK && rpc_ok(d, "anvil_mine", "[1]"))
            return -1;
        break;
    case OP_LIQUIDATE:
        rc = trk_aave_liquidate(d->c, &tx, &d->m, who, TRK_AAVE_WETH, a->asset, &d->acc[a->to],
                                &amt);
        break;
    default: rc = RPC_EINVAL; break;
    }
    if (rc)
        return fail("a transaction of the day failed: %s (%s)", rpc_strerror(rc),
                    rpc_client_errmsg(d->c));
    return 0;
}

static int play(struct demo *d)
{
    size_t n = sizeof day / sizeof day[0];
    for (size_t i = 0; i < n && !stop_flag; i++) {
        narrate(d, "\n[%zu/%zu] %s\n", i + 1, n, day[i].say);
        for (size_t k = 0; k < day[i].n && !stop_flag; k++)
            if (act(d, &day[i].act[k]))
                return -1;
        if (catch_up(d))
            return -1;
        if (i + 1 < n)
            pause_step(d);
    }
    return 0;
}

/* run_cmd: this binary with args (NULL-terminated, after the command name), its stdout on
 * the narration's stream; waits for it. Returns its exit status, or -1. */
static int run_cmd(struct demo *d, const char *const *args)
{
    const char *argv[16];
    size_t n = 0;
    argv[n++] = d->exe;
    for (; *args && n < 15; args++)
        argv[n++] = *args;
    argv[n] = NULL;
    fflush(stdout);
    fflush(stderr);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0)
        return fail("fork: %s", strerror(errno));
    if (pid == 0) {
        if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent)
            _exit(127);
        if (d->say == stderr && dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
            _exit(127);
        execv(d->exe, (char *const *)argv);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* epilogue: what the store now holds, through the commands a user would type. */
static int epilogue(struct demo *d)
{
    char svg[4300];
    snprintf(svg, sizeof svg, "%s/trend-research.svg", d->dir);
    narrate(d, "\n$ whaletrack positions\n");
    if (run_cmd(d, (const char *[]){"positions", "--data-dir", d->dir, "--watchlists", d->wldir,
                                    NULL}))
        return fail("positions failed");
    narrate(d, "\n$ whaletrack liqmap --band 250\n");
    if (run_cmd(d, (const char *[]){"liqmap", "--band", "250", "--data-dir", d->dir,
                                    "--watchlists", d->wldir, NULL}))
        return fail("liqmap failed");
    if (run_cmd(d, (const char *[]){"chart", "Trend Research", "--svg", svg, "--data-dir", d->dir,
                                    "--watchlists", d->wldir, NULL}))
        return fail("chart failed");
    narrate(d, "\nTrend Research's health factor and liquidation line: %s\n", svg);
    return 0;
}

static void cleanup(struct demo *d, bool keep_chain)
{
    stop_tracker(d);
    store_close(d->s);
    d->s = NULL;
    rpc_client_free(d->c);
    d->c = NULL;
    wl_set_free(d->set);
    d->set = NULL;
    if (!keep_chain)
        trk_devchain_stop(&d->chain);
}

int trk_cmd_demo(int argc, char **argv)
{
    struct demo d;
    memset(&d, 0, sizeof d);
    int rc = parse(&d.o, argc, argv);
    if (rc)
        return rc < 0 ? TRK_EXIT_OK : rc;
    d.say = d.o.json ? stderr : stdout;
    d.color = !d.o.json && isatty(STDOUT_FILENO);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop; /* no SA_RESTART: waits return early and check the flag */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = SIG_IGN; /* a closed stdout is an error to report, not a silent death */
    sigaction(SIGPIPE, &sa, NULL);

    int exit_code = TRK_EXIT_FAIL;
    if (prepare_dir(&d))
        goto done;
    narrate(&d, "whaletrack demo: starting a local chain (anvil) and deploying Aave V3 ...\n");
    if (start_chain(&d) || stop_flag)
        goto done;
    if (write_watchlist(&d) || start_tracker(&d))
        goto done;
    char pool[RPC_ADDR_HEX_LEN + 1];
    rpc_addr_format(pool, &d.m.pool);
    narrate(&d, "Chain %s: Aave V3 deployed in %u transactions (blocks %llu-%llu), Pool %s.\n"
                "Watching Trend Research (2 addresses) and 7 Siblings; Binance is labelled.\n"
                "Tracker: whaletrack run --data-dir %s (its log: %s/run.log)\n",
            d.chain.url, d.m.n_tx, (unsigned long long)d.m.first_block,
            (unsigned long long)d.m.block, pool, d.dir, d.dir);
    if (catch_up(&d) || play(&d))
        goto done;
    if (stop_flag) {
        narrate(&d, "\nInterrupted: stopping the tracker and the chain.\n");
        exit_code = TRK_EXIT_OK;
        goto done;
    }
    stop_tracker(&d);
    narrate(&d, "\nThe day is over: %zu moves, each read from the chain by the tracker.\n",
            d.shown);
    if (epilogue(&d))
        goto done;
    narrate(&d, "\nThe store is in %s, the watchlist in %s. Try:\n"
                "  whaletrack tail -n 5 --data-dir %s --watchlists %s\n"
                "  whaletrack history \"7 Siblings\" --data-dir %s --watchlists %s\n"
                "  whaletrack export --format csv --data-dir %s\n",
            d.dir, d.wldir, d.dir, d.wldir, d.dir, d.wldir, d.dir);
    exit_code = TRK_EXIT_OK;
done:
    cleanup(&d, exit_code == TRK_EXIT_OK && d.o.keep && !stop_flag);
    if (exit_code == TRK_EXIT_OK && d.o.keep && d.chain.pid > 0)
        narrate(&d, "The chain is still running at %s (anvil pid %d); stop it with: kill %d\n"
                    "Follow it: %s run --watchlists %s --data-dir %s\n",
                d.chain.url, (int)d.chain.pid, (int)d.chain.pid, d.exe, d.wldir, d.dir);
    return exit_code;
}
