/* tracker/cmd_tail.c — `whaletrack tail`: the last moves of the log, and with -f every new
 * one (retractions included) as `run` commits it in another process. Invariant: the store
 * is opened read-only, so tail can never disturb the writer; stdout carries moves only. */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "tracker/cmds.h"
#include "tracker/cmdutil.h"
#include "tracker/filter.h"
#include "tracker/format.h"

static const char help_text[] =
    "usage: whaletrack tail [-f] [-n N] [--entity E] [--kind K] [--min-usd X] [--json]\n"
    "                       [--data-dir DIR] [--watchlists PATH] [--chain-id N]\n"
    "\n"
    "Prints the last moves of the log (default 10), oldest first; with -f keeps printing\n"
    "new moves as `whaletrack run` commits them, and a RETRACTED line when a reorg takes\n"
    "one back. Safe beside a running tracker: the store is only read.\n"
    "\n"
    "  -f, --follow          wait for new moves (stop with Ctrl-C)\n"
    "  -n, --lines N         how many past moves to print first (0: none)\n"
    "  --entity NAME         only this entity's moves\n"
    "  --kind KIND           only moves of this kind (repay, exchange_deposit, ...)\n"
    "  --min-usd X           only moves worth at least $X (\"1,000,000\" or 1000000)\n"
    "  --json                one JSON object per line (exact amounts as strings)\n"
    "  --data-dir DIR        the store (default as `whaletrack run`)\n"
    "  --watchlists PATH     for exchange labels and entity names (default ./watchlists)\n"
    "  --chain-id N          refuse a store of another chain\n"
    "\n"
    "Colours only on a terminal; NO_COLOR turns them off.\n"
    "\n"
    "Exit codes:\n"
    "  0  success (with -f: stopped by SIGINT or SIGTERM)\n"
    "  1  the store could not be read, or stdout failed\n"
    "  2  usage error (unknown option, bad number, unknown entity or kind)\n"
    "  3  no store in the data dir, or a store of another chain\n";

static volatile sig_atomic_t stop_flag;

static void on_stop(int sig)
{
    (void)sig;
    stop_flag = 1;
}

struct ring {
    store_move *v;
    size_t cap, n, head; /* the last `cap` matches; head is the oldest when full */
    const trk_filter *f;
};

static int keep(void *ctx, const store_move *m)
{
    struct ring *r = ctx;
    if (!trk_filter_match(r->f, m) || r->cap == 0)
        return 0;
    if (r->n < r->cap) {
        r->v[r->n++] = *m;
    } else {
        r->v[r->head] = *m;
        r->head = (r->head + 1) % r->cap;
    }
    return 0;
}

struct out {
    const trk_filter *f;
    const wl_set *set;
    unsigned flags;
    bool json;
};

static int show(void *ctx, const store_move *m)
{
    struct out *o = ctx;
    if (!trk_filter_match(o->f, m))
        return 0;
    return trk_move_print(stdout, m, o->set, o->flags, o->json) ? -1 : 0;
}

static int has_move(void *ctx, const store_move *m)
{
    (void)m;
    *(bool *)ctx = true;
    return 1;
}

int trk_cmd_tail(int argc, char **argv)
{
    static const struct option lo[] = {
        {"help", no_argument, NULL, 'h'},
        {"follow", no_argument, NULL, 'f'},
        {"lines", required_argument, NULL, 'n'},
        {"entity", required_argument, NULL, 'e'},
        {"kind", required_argument, NULL, 'k'},
        {"min-usd", required_argument, NULL, 'u'},
        {"json", no_argument, NULL, 'j'},
        {"data-dir", required_argument, NULL, 'd'},
        {"watchlists", required_argument, NULL, 'w'},
        {"chain-id", required_argument, NULL, 'c'},
        {NULL, 0, NULL, 0},
    };
    trk_filter f;
    memset(&f, 0, sizeof f);
    bool follow = false, json = false;
    uint64_t lines = 10, chain = 0;
    const char *dir = NULL, *wl_path = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+hfn:", lo, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help_text, stdout);
            return TRK_EXIT_OK;
        case 'f':
            follow = true;
            break;
        case 'j':
            json = true;
            break;
        case 'd':
            dir = optarg;
            break;
        case 'w':
            wl_path = optarg;
            break;
        case 'e':
            f.entity = optarg;
            break;
        case 'n':
            if (trk_parse_u64(&lines, optarg) || lines > 1000000)
                return trk_usage("tail", "-n wants a number up to 1000000, not '%s'", optarg);
            break;
        case 'c':
            if (trk_parse_u64(&chain, optarg) || chain == 0)
                return trk_usage("tail", "--chain-id wants a chain number, not '%s'", optarg);
            break;
        case 'k':
            if (!(f.kind = trk_parse_kind(optarg)))
                return trk_usage("tail", "unknown move kind '%s'", optarg);
            break;
        case 'u':
            if (trk_parse_usd(&f.min_usd, optarg))
                return trk_usage("tail", "--min-usd wants a dollar amount, not '%s'", optarg);
            f.has_min_usd = true;
            break;
        default:
            return trk_usage("tail", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return trk_usage("tail", "unexpected argument '%s'", argv[optind]);

    wl_set *set = NULL;
    store *s = NULL;
    struct ring r = {0};
    int ex = trk_load_optional(&set, wl_path ? &wl_path : NULL, wl_path ? 1 : 0);
    if (ex)
        return ex;
    if ((ex = trk_open_reader(&s, dir, chain)))
        goto done;
    ex = TRK_EXIT_FAIL;
    if (f.entity) {
        const wl_entity *e;
        rpc_addr a;
        bool known = set && trk_resolve(&e, &a, set, f.entity) == 0 && e;
        if (!known && store_moves_by_entity(s, f.entity, &(store_range){0}, has_move, &known)) {
            fprintf(stderr, "whaletrack: cannot read the move log\n");
            goto done;
        }
        if (!known) {
            ex = trk_usage("tail", "unknown entity '%s'", f.entity);
            goto done;
        }
    }
    store_info info;
    if (store_info_get(s, &info)) {
        fprintf(stderr, "whaletrack: cannot read the store\n");
        goto done;
    }
    r.cap = (size_t)lines;
    r.f = &f;
    if (r.cap && !(r.v = malloc(r.cap * sizeof *r.v))) {
        fprintf(stderr, "whaletrack: out of memory for -n %zu\n", r.cap);
        goto done;
    }
    /* Without filters the last N moves are the last N seqs: no need to read the rest. */
    bool plain = !f.entity && !f.kind && !f.has_min_usd;
    uint64_t from = plain && info.last_seq > lines ? info.last_seq - lines + 1 : 1;
    if (r.cap && store_moves_from(s, from, 0, keep, &r)) {
        fprintf(stderr, "whaletrack: cannot read the move log\n");
        goto done;
    }
    struct out o = {&f, set, !json && trk_color(stdout) ? TRK_FMT_COLOR : 0, json};
    for (size_t i = 0; i < r.n; i++)
        if (show(&o, &r.v[(r.head + i) % r.n]))
            goto out_fail;
    if (fflush(stdout))
        goto out_fail;
    if (follow) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_stop;
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        uint64_t shown = info.last_seq;
        while (!stop_flag) {
            uint64_t last = 0;
            int rc = store_wait_moves(s, &last, shown, 500);
            if (rc == STORE_ETIMEOUT)
                continue;
            if (rc) {
                fprintf(stderr, "whaletrack: waiting for moves: %s\n", store_strerror(rc));
                goto done;
            }
            rc = store_moves_from(s, shown + 1, (size_t)(last - shown), show, &o);
            if (rc == -1)
                goto out_fail;
            if (rc) {
                fprintf(stderr, "whaletrack: cannot read the move log: %s\n", store_strerror(rc));
                goto done;
            }
            shown = last;
            if (fflush(stdout))
                goto out_fail;
        }
    }
    ex = TRK_EXIT_OK;
    goto done;
out_fail:
    fprintf(stderr, "whaletrack: cannot write to stdout\n");
    ex = TRK_EXIT_FAIL;
done:
    free(r.v);
    store_close(s);
    wl_set_free(set);
    return ex;
}
