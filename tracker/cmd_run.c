/* tracker/cmd_run.c — `whaletrack run`: load the watchlists, open the node and the store,
 * and step the pipeline until told to stop, printing every committed move (retractions
 * included) on stdout. Invariant: it stops only between steps, so a signal never splits a
 * batch; SIGHUP and edits of the watchlist files reload it between steps too. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <sys/stat.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "rpc/addr.h"
#include "rpc/client.h"
#include "store/store.h"
#include "tracker/cli.h"
#include "tracker/cmd_run.h"
#include "tracker/alerts.h"
#include "tracker/cmdutil.h"
#include "tracker/deliver.h"
#include "tracker/metrics.h"
#include "tracker/format.h"
#include "tracker/pipe.h"
#include "watchlists/wl.h"

static const char help_text[] =
    "usage: whaletrack run [--watchlists DIR] [--data-dir DIR] [options]\n"
    "\n"
    "Follows the chain and turns the watched addresses' activity into moves: token and\n"
    "ETH transfers, deposits to and withdrawals from labelled exchanges. Each move is\n"
    "printed on stdout as it is committed to the store (one line, or one JSON object per\n"
    "line with --json); progress and errors go to stderr. Stop with SIGINT or SIGTERM: the\n"
    "batch in progress is either committed whole or not at all; a restart continues from\n"
    "the cursor with no gap and no duplicate. SIGHUP, or editing a watchlist file,\n"
    "reloads the watchlists (an invalid edit is reported and the last good one kept);\n"
    "addresses added are first backfilled from their entity's since, then followed.\n"
    "\n"
    "  --watchlists PATH     a watchlist directory or file (repeatable; default ./watchlists)\n"
    "  --data-dir DIR        the store (created if missing); default $WHALETRACK_DATA_DIR,\n"
    "                        else $XDG_DATA_HOME/whaletrack, else ~/.local/share/whaletrack\n"
    "  --rpc URL             a node (repeatable: failover order); default: the watchlist's [rpc]\n"
    "  --confirmations N     blocks on top before a block is processed (default: [rpc], 2)\n"
    "  --once                process everything available, then exit\n"
    "  --until-block N       process up to block N, then exit\n"
    "  --start-block N       first block of a new store (default: the entities' since)\n"
    "  --json                JSON lines on stdout\n"
    "  --weth ADDR           a WETH9-style contract (repeatable; mainnet's is known)\n"
    "  --batch-blocks N      most blocks per batch while catching up (default 100)\n"
    "  --native-every N      read every watched ETH balance every N blocks (default 1)\n"
    "  --max-reorg N         deepest reorg rolled back (default 128)\n"
    "  --allow-deep-reorg    roll back deeper than --max-reorg (up to the store's window)\n"
    "  --poll-ms N           wait between polls at the head (default 1000)\n"
    "  --no-state-override   read ETH balances through Multicall3 only\n"
    "  --verify              check every block header used against its hash and, for blocks\n"
    "                        with moves from logs, the receipts root, the transactions root,\n"
    "                        the senders and that eth_getLogs left no matching log out (one\n"
    "                        more round trip per batch with such moves); verified moves are\n"
    "                        marked; a disagreement stops the run (exit 1), never a move\n"
    "  --metrics HOST:PORT   serve Prometheus metrics at http://HOST:PORT/metrics\n"
    "  --no-alerts           queue alerts for the [sink]s but do not send them (send them\n"
    "                        later with `whaletrack deliver`, once run has stopped)\n"
    "\n"
    "Alerts: every move is queued for each [sink] of the watchlist in the same commit, and\n"
    "a thread sends them (retries with backoff; marked delivered in the store after the\n"
    "sink accepted; a retraction follows an alert whose move a reorg took back).\n"
    "\n"
    "Exit codes:\n"
    "  0  stopped by a signal, --once or --until-block\n"
    "  1  the watchlist, the node or the store failed (the message says which)\n"
    "  2  usage error\n";

static volatile sig_atomic_t stop_flag, hup_flag;

static void on_stop(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void on_hup(int sig)
{
    (void)sig;
    hup_flag = 1;
}

enum { MAX_PATHS = 16, MAX_URLS = 8, MAX_WETH = 8 };

struct opts {
    const char *paths[MAX_PATHS];
    size_t npaths;
    const char *urls[MAX_URLS];
    size_t nurls;
    const char *data_dir;
    bool json, once, conf_set;
    uint64_t until;
    trk_config cfg;
    rpc_addr weth[MAX_WETH];
    size_t nweth;
    long poll_ms;
    const char *metrics;
    bool no_alerts;
};

static int parse_u64(uint64_t *v, const char *s)
{
    char *end;
    errno = 0;
    if (!s[0] || s[0] == '-')
        return -1;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *v = x;
    return 0;
}

/* usage: one line "whaletrack: <what> '<arg>'" on stderr; arg may be NULL. */
static int usage(const char *what, const char *arg)
{
    if (arg)
        fprintf(stderr, "whaletrack: %s '%s' (see whaletrack run --help)\n", what, arg);
    else
        fprintf(stderr, "whaletrack: %s (see whaletrack run --help)\n", what);
    return TRK_EXIT_USAGE;
}

static int parse(struct opts *o, int argc, char **argv)
{
    static const struct option lo[] = {
        {"help", no_argument, NULL, 'h'},          {"watchlists", required_argument, NULL, 'w'},
        {"data-dir", required_argument, NULL, 'd'}, {"rpc", required_argument, NULL, 'r'},
        {"confirmations", required_argument, NULL, 'c'}, {"once", no_argument, NULL, '1'},
        {"until-block", required_argument, NULL, 'u'}, {"start-block", required_argument, NULL, 's'},
        {"json", no_argument, NULL, 'j'},          {"weth", required_argument, NULL, 'W'},
        {"batch-blocks", required_argument, NULL, 'b'}, {"native-every", required_argument, NULL, 'n'},
        {"max-reorg", required_argument, NULL, 'm'}, {"allow-deep-reorg", no_argument, NULL, 'D'},
        {"poll-ms", required_argument, NULL, 'p'}, {"no-state-override", no_argument, NULL, 'S'},
        {"verify", no_argument, NULL, 'V'},
        {"metrics", required_argument, NULL, 'M'}, {"no-alerts", no_argument, NULL, 'A'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    trk_config_default(&o->cfg);
    o->until = UINT64_MAX;
    o->poll_ms = 1000;
    int c;
    uint64_t v;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", lo, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help_text, stdout);
            return -1;
        case 'w':
            if (o->npaths == MAX_PATHS)
                return usage("too many --watchlists", NULL);
            o->paths[o->npaths++] = optarg;
            break;
        case 'd': o->data_dir = optarg; break;
        case 'r':
            if (o->nurls == MAX_URLS)
                return usage("too many --rpc", NULL);
            o->urls[o->nurls++] = optarg;
            break;
        case '1': o->once = true; break;
        case 'j': o->json = true; break;
        case 'D': o->cfg.allow_deep_reorg = true; break;
        case 'S': o->cfg.no_state_override = true; break;
        case 'V': o->cfg.verify = true; break;
        case 'M': o->metrics = optarg; break;
        case 'A': o->no_alerts = true; break;
        case 'W':
            if (o->nweth == MAX_WETH || rpc_addr_parse(&o->weth[o->nweth], optarg, strlen(optarg)))
                return usage("bad --weth", optarg);
            o->nweth++;
            break;
        case 'c': case 'u': case 's': case 'b': case 'n': case 'm': case 'p':
            if (parse_u64(&v, optarg))
                return usage("not a number:", optarg);
            if (c == 'c') {
                if (v > UINT32_MAX)
                    return usage("--confirmations too large:", optarg);
                o->cfg.confirmations = (uint32_t)v;
                o->conf_set = true;
            } else if (c == 'u') {
                o->until = v;
            } else if (c == 's') {
                o->cfg.start_block = v;
            } else if (c == 'b') {
                o->cfg.batch_blocks = v ? v : 1;
            } else if (c == 'n') {
                if (v > UINT32_MAX)
                    return usage("--native-every too large:", optarg);
                o->cfg.native_every = (uint32_t)v;
            } else if (c == 'm') {
                o->cfg.max_reorg = v ? v : 1;
            } else {
                o->poll_ms = v > 60000 ? 60000 : (long)v;
            }
            break;
        default:
            return usage("unknown option", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return usage("unexpected argument", argv[optind]);
    static char def_dir[1024];
    if (!o->data_dir && trk_data_dir_default(def_dir, sizeof def_dir))
        return usage("no default data directory (no HOME): give --data-dir", NULL);
    if (!o->data_dir)
        o->data_dir = def_dir;
    if (!o->npaths)
        o->paths[o->npaths++] = "watchlists";
    o->cfg.last_block = o->until;
    return 0;
}

static void print_errors(const wl_errors *e)
{
    for (size_t i = 0; i < e->n; i++)
        fprintf(stderr, "%s\n", e->v[i].text);
    if (e->dropped)
        fprintf(stderr, "whaletrack: ... and %zu more errors\n", e->dropped);
}

struct printer {
    const wl_set *set;
    bool json, color;
    int err;
};

static int print_move(void *ctx, const store_move *m)
{
    struct printer *pr = ctx;
    if (pr->json) {
        char *j;
        if (trk_move_json(&j, m))
            return pr->err = -1;
        printf("%s\n", j);
        cJSON_free(j);
    } else {
        char line[512];
        trk_move_text(line, sizeof line, m, pr->set, pr->color ? TRK_FMT_COLOR : 0);
        printf("%s\n", line);
    }
    return 0;
}

/* Everything committed after *printed, on stdout; *printed advances. */
static int print_new(store *s, uint64_t *printed, const wl_set *set, bool json)
{
    store_info info;
    if (store_info_get(s, &info))
        return -1;
    if (info.last_seq <= *printed)
        return 0;
    struct printer pr = {set, json, !json && trk_color(stdout), 0};
    if (store_moves_from(s, *printed + 1, 0, print_move, &pr) || pr.err)
        return -1;
    fflush(stdout);
    *printed = info.last_seq;
    return 0;
}

/* The figures of a scrape, read after a step (the caller holds the store). */
static void snap_fill(trk_metrics_snap *m, store *s, rpc_client *c, trk_alerts *a,
                      const char *data_dir)
{
    store_info info;
    struct stat sb;
    char path[4096];
    if (store_info_get(s, &info) == 0) {
        m->cursor = info.has_cursor ? info.cursor_block : 0;
        m->last_seq = info.last_seq;
    }
    snprintf(path, sizeof path, "%s/data.mdb", data_dir);
    m->store_bytes = stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
    if (a) {
        trk_deliver_stats ds;
        trk_alerts_stats(a, &ds);
        m->outbox_depth = ds.pending;
        m->alerts_delivered = ds.delivered;
        m->alerts_retracted = ds.retracted;
        m->alerts_skipped = ds.skipped;
        m->alert_failures = ds.failures;
    }
    m->nendpoints = rpc_client_endpoints(c);
    if (m->nendpoints > TRK_METRICS_ENDPOINTS)
        m->nendpoints = TRK_METRICS_ENDPOINTS;
    for (size_t i = 0; i < m->nendpoints; i++) {
        rpc_endpoint_stats es;
        rpc_client_stats(c, i, &es);
        struct trk_metrics_ep *e = &m->ep[i];
        snprintf(e->name, sizeof e->name, "%s", rpc_client_endpoint_name(c, i));
        e->requests = es.round_trips;
        e->calls = es.calls;
        e->errors = es.err_timeout + es.err_connect + es.err_http + es.err_ratelimit +
                    es.err_json + es.err_node + es.err_too_large + es.err_chain;
        e->latency_us_sum = es.latency_us_sum;
    }
}

static pthread_mutex_t store_mu = PTHREAD_MUTEX_INITIALIZER;

static const rpc_addr mainnet_weth = {{0xc0, 0x2a, 0xaa, 0x39, 0xb2, 0x23, 0xfe, 0x8d, 0x0a, 0x0e,
                                       0x5c, 0x4f, 0x27, 0xea, 0xd9, 0x08, 0x3c, 0x75, 0x6c, 0xc2}};

static int reload(wl_set **set, trk_pipe *p, const struct opts *o)
{
    wl_diff d;
    wl_errors errs = {0};
    int rc = wl_reload(set, &d, &errs, o->paths, o->npaths, NULL);
    if (rc) {
        print_errors(&errs);
        fprintf(stderr, "whaletrack: the watchlist has errors; keeping the last good one\n");
        wl_errors_free(&errs);
        return 0;
    }
    rc = trk_pipe_set_watchlist(p, *set); /* at once: the old set was freed */
    fprintf(stderr, "whaletrack: watchlist reloaded: %zu addresses added, %zu removed%s\n",
            d.nadded, d.nremoved,
            d.nadded ? " (added addresses are backfilled from their since first)" : "");
    wl_diff_free(&d);
    wl_errors_free(&errs);
    return rc;
}

static void wait_ms(wl_watcher *w, long ms)
{
    struct pollfd pfd = {w ? wl_watcher_fd(w) : -1, POLLIN, 0};
    (void)poll(&pfd, w ? 1 : 0, (int)ms);
}

static int open_all(const struct opts *o, wl_set **set, rpc_client **c, store **s)
{
    wl_errors errs = {0};
    int rc = wl_load(set, &errs, o->paths, o->npaths, NULL);
    if (rc) {
        print_errors(&errs);
        fprintf(stderr, "whaletrack: %s\n", wl_strerror(rc));
        wl_errors_free(&errs);
        return -1;
    }
    const wl_rpc *wr = wl_rpc_of(*set);
    const char *urls[MAX_URLS];
    size_t n = o->nurls;
    memcpy(urls, o->urls, n * sizeof *urls);
    for (size_t i = 0; !n && wr && i < wr->nurls && i < MAX_URLS; i++)
        urls[i] = wr->urls[i].url, n = i + 1;
    if (!n) {
        fprintf(stderr, "whaletrack: no node: give --rpc URL or an [rpc] url\n");
        return -1;
    }
    rpc_client_opts co;
    rpc_client_opts_default(&co);
    co.max_batch = 5000;
    if (wr && !o->nurls) {
        co.chain_id = wr->chain_id;
        co.timeout_ms = wr->timeout_ms;
        co.rate_per_sec = wr->rate_limit;
        co.head_lag_max = wr->max_lag;
    }
    if (rpc_client_new(c, &co, urls, n)) {
        fprintf(stderr, "whaletrack: %s\n", rpc_client_new_errmsg());
        return -1;
    }
    uint64_t chain;
    rpc_block g = {0};
    if ((rc = rpc_eth_chain_id(*c, &chain)) || (rc = rpc_eth_get_block(*c, &g, 0))) {
        fprintf(stderr, "whaletrack: the node: %s (%s)\n", rpc_strerror(rc),
                rpc_client_errmsg(*c));
        return -1;
    }
    store_opts so = {0};
    so.chain_id = chain;
    so.genesis = g.hash;
    rpc_block_free(&g);
    char why[512];
    if (store_open(s, why, sizeof why, o->data_dir, &so)) {
        fprintf(stderr, "whaletrack: %s\n", why);
        return -1;
    }
    return 0;
}

int trk_cmd_run(int argc, char **argv)
{
    struct opts o;
    int rc = parse(&o, argc, argv);
    if (rc)
        return rc < 0 ? TRK_EXIT_OK : rc;
    wl_set *set = NULL;
    rpc_client *c = NULL;
    store *s = NULL;
    trk_pipe *p = NULL;
    wl_watcher *w = NULL;
    trk_alerts *alerts = NULL;
    trk_metrics *metrics = NULL;
    trk_metrics_snap msnap;
    memset(&msnap, 0, sizeof msnap);
    uint32_t sink_ids[64];
    size_t nsinks = 0;
    int exit_code = TRK_EXIT_FAIL;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = on_hup;
    sigaction(SIGHUP, &sa, NULL);
    if (open_all(&o, &set, &c, &s))
        goto done;
    const wl_rpc *wr = wl_rpc_of(set);
    if (!o.conf_set)
        o.cfg.confirmations = wr ? wr->confirmations : 2;
    uint64_t chain = 0;
    if (rpc_eth_chain_id(c, &chain) == RPC_OK && chain == 1 && o.nweth < MAX_WETH)
        o.weth[o.nweth++] = mainnet_weth;
    o.cfg.weth = o.weth;
    o.cfg.nweth = o.nweth;
    trk_sink_ids(sink_ids, 64, &nsinks, set);
    o.cfg.sinks = sink_ids;
    o.cfg.nsinks = nsinks;
    if (o.metrics) {
        char why[256];
        if (trk_metrics_start(&metrics, why, sizeof why, o.metrics)) {
            fprintf(stderr, "whaletrack: %s\n", why);
            goto done;
        }
    }
    if ((rc = trk_pipe_new(&p, &o.cfg, trk_io_rpc(c), s, set))) {
        fprintf(stderr, "whaletrack: %s: %s\n", trk_strerror(rc), trk_pipe_why(p));
        goto done;
    }
    if (nsinks && !o.no_alerts && trk_alerts_start(&alerts, s, &store_mu, o.paths, o.npaths)) {
        fprintf(stderr, "whaletrack: cannot start the alert thread\n");
        goto done;
    }
    if (wl_watcher_open(&w, o.paths, o.npaths))
        fprintf(stderr, "whaletrack: cannot watch the watchlist files; reload with SIGHUP\n");
    store_info info;
    if (store_info_get(s, &info)) {
        fprintf(stderr, "whaletrack: cannot read the store\n");
        goto done;
    }
    uint64_t printed = info.last_seq;
    time_t last_progress = 0;
    unsigned failures = 0;
    while (!stop_flag) {
        bool changed = false;
        if (w && wl_watcher_poll(w, &changed) == WL_OK && changed)
            hup_flag = 1;
        if (hup_flag) {
            hup_flag = 0;
            pthread_mutex_lock(&store_mu);
            rc = reload(&set, p, &o);
            pthread_mutex_unlock(&store_mu);
            if (rc) {
                fprintf(stderr, "whaletrack: out of memory on reload\n");
                goto done;
            }
            trk_alerts_reload(alerts);
        }
        trk_step st;
        pthread_mutex_lock(&store_mu);
        rc = trk_pipe_step(p, &st);
        int prc = rc == TRK_OK ? print_new(s, &printed, set, o.json) : 0;
        if (rc == TRK_OK && metrics) {
            if (!st.idle && !st.reorg)
                msnap.blocks += st.to - st.from + 1, msnap.moves += st.moves;
            msnap.reorgs += st.reorg;
            msnap.head = st.head;
            snap_fill(&msnap, s, c, alerts, o.data_dir);
            trk_metrics_publish(metrics, &msnap);
        }
        pthread_mutex_unlock(&store_mu);
        if (rc == TRK_OK) {
            failures = 0;
            if (prc) {
                fprintf(stderr, "whaletrack: cannot read the move log\n");
                goto done;
            }
            if (st.caught_up)
                fprintf(stderr, "whaletrack: backfilled %zu added addresses: %zu moves\n",
                        st.caught_up, st.moves);
            if (!st.idle)
                trk_alerts_kick(alerts);
            if (st.reorg)
                fprintf(stderr, "whaletrack: reorg: rolled back to block %llu, %zu moves "
                        "retracted\n", (unsigned long long)st.ancestor, st.retracted);
            time_t now = time(NULL);
            if (!st.idle && !st.reorg && !st.caught_up && now != last_progress) {
                fprintf(stderr, "whaletrack: block %llu of %llu\n", (unsigned long long)st.to,
                        (unsigned long long)st.head);
                last_progress = now;
            }
            if (st.idle) {
                pthread_mutex_lock(&store_mu);
                prc = store_info_get(s, &info);
                pthread_mutex_unlock(&store_mu);
                if (prc)
                    goto done;
                bool reached = info.has_cursor && o.until != UINT64_MAX &&
                               info.cursor_block >= o.until;
                if (o.once || reached) {
                    exit_code = TRK_EXIT_OK;
                    goto done;
                }
                wait_ms(w, o.poll_ms);
            }
            continue;
        }
        if (rc == TRK_ERACE)
            continue;
        fprintf(stderr, "whaletrack: %s: %s\n", trk_strerror(rc), trk_pipe_why(p));
        if (rc == TRK_ERPC || rc == TRK_EDECODE || rc == TRK_EHEAD) {
            /* the client already retried and failed over; wait, then poll again */
            failures++;
            wait_ms(NULL, failures > 5 ? 5000 : 200L * failures);
            continue;
        }
        goto done;
    }
    exit_code = TRK_EXIT_OK;
done:
    trk_alerts_stop(alerts);
    trk_metrics_stop(metrics);
    wl_watcher_close(w);
    trk_pipe_free(p);
    store_close(s);
    rpc_client_free(c);
    wl_set_free(set);
    return exit_code;
}
