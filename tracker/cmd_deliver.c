/* tracker/cmd_deliver.c — `whaletrack deliver`: drains the outbox to the watchlist's
 * sinks when `run` is not running (run delivers by itself). Invariant: it opens the store
 * for writing only to mark alerts delivered; it never touches the cursor or the log. */
#include <getopt.h>
#include <signal.h>
#include <string.h>

#include "tracker/cmds.h"
#include "tracker/cmdutil.h"
#include "tracker/deliver.h"

static const char help_text[] =
    "usage: whaletrack deliver [--once] [--watchlists PATH] [--data-dir DIR]\n"
    "\n"
    "Sends the alerts waiting in the store's outbox to the sinks of the watchlist\n"
    "([sink] sections), in order per sink, retrying with backoff, and marks each one\n"
    "delivered in the store. `whaletrack run` does this by itself while it runs; use\n"
    "deliver when it is stopped (never beside it). Each alert carries an id\n"
    "(X-Whaletrack-Id) that stays the same across retries and restarts.\n"
    "\n"
    "  --once              exit when the outbox is empty (default: keep waiting)\n"
    "  --watchlists PATH   the watchlist with the sinks (default ./watchlists)\n"
    "  --data-dir DIR      the store (default as `whaletrack run`)\n"
    "\n"
    "Exit codes:\n"
    "  0  the outbox is empty (--once), or stopped by SIGINT or SIGTERM\n"
    "  1  the watchlist or the store failed\n"
    "  2  usage error\n"
    "  3  no store in the data dir\n";

static volatile sig_atomic_t stop_flag;

static void on_stop(int sig)
{
    (void)sig;
    stop_flag = 1;
}

/* open_writer: the store for marking alerts: its chain and genesis read first. */
static int open_writer(store **s, const char *dir)
{
    store_info info;
    int ex = trk_open_reader(s, dir, 0);
    if (ex)
        return ex;
    int rc = store_info_get(*s, &info);
    store_close(*s);
    *s = NULL;
    char def[1024], why[1024];
    if (!dir && trk_data_dir_default(def, sizeof def) == 0)
        dir = def;
    store_opts o = {0};
    o.chain_id = info.chain_id;
    o.genesis = info.genesis;
    if (rc || (rc = store_open(s, why, sizeof why, dir, &o))) {
        fprintf(stderr, "whaletrack: %s\n", rc ? store_strerror(rc) : why);
        return TRK_EXIT_FAIL;
    }
    return TRK_EXIT_OK;
}

int trk_cmd_deliver(int argc, char **argv)
{
    static const struct option lo[] = {
        {"help", no_argument, NULL, 'h'},
        {"once", no_argument, NULL, '1'},
        {"watchlists", required_argument, NULL, 'w'},
        {"data-dir", required_argument, NULL, 'd'},
        {NULL, 0, NULL, 0},
    };
    const char *dir = NULL, *wl_path = NULL;
    bool once = false;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", lo, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help_text, stdout);
            return TRK_EXIT_OK;
        case '1':
            once = true;
            break;
        case 'w':
            wl_path = optarg;
            break;
        case 'd':
            dir = optarg;
            break;
        default:
            return trk_usage("deliver", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return trk_usage("deliver", "unexpected argument '%s'", argv[optind]);
    wl_set *set = NULL;
    store *s = NULL;
    trk_deliver *d = NULL;
    int ex = trk_load_optional(&set, wl_path ? &wl_path : NULL, wl_path ? 1 : 0);
    if (ex)
        return ex;
    if (!set || wl_sink_count(set) == 0) {
        fprintf(stderr, "whaletrack: the watchlist has no [sink] section: nothing to deliver "
                        "to\n");
        wl_set_free(set);
        return TRK_EXIT_FAIL;
    }
    if ((ex = open_writer(&s, dir)))
        goto done;
    ex = TRK_EXIT_FAIL;
    if (trk_deliver_new(&d, s, set, (trk_lock){0})) {
        fprintf(stderr, "whaletrack: out of memory\n");
        goto done;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    while (!stop_flag) {
        long wait;
        if (trk_deliver_step(d, &wait))
            goto done;
        if (wait < 0 && once)
            break;
        store_info info;
        if (store_info_get(s, &info))
            goto done;
        /* new alerts come with new moves: wake on those, or when a retry is due */
        int rc = store_wait_moves(s, NULL, info.last_seq, wait < 0 || wait > 500 ? 500 : (int)wait);
        if (rc && rc != STORE_ETIMEOUT)
            goto done;
    }
    ex = TRK_EXIT_OK;
done:
    trk_deliver_free(d);
    store_close(s);
    wl_set_free(set);
    return ex;
}
