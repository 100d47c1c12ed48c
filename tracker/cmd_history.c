/* tracker/cmd_history.c — `whaletrack history ENTITY|ADDRESS`: one entity's (or one
 * address's) moves in block order, retractions included, over an optional block or time
 * range. Invariant: read-only; stdout carries moves only. */
#include <getopt.h>
#include <string.h>

#include "rpc/addr.h"
#include "tracker/cmds.h"
#include "tracker/cmdutil.h"
#include "tracker/format.h"

static const char help_text[] =
    "usage: whaletrack history ENTITY|ADDRESS [--from BLOCK|TIME] [--to BLOCK|TIME] [--json]\n"
    "                          [--data-dir DIR] [--watchlists PATH] [--chain-id N]\n"
    "\n"
    "Prints every move of an entity (by its watchlist name) or of one address, oldest\n"
    "first, with the reorg retractions that took some back. TIME is 2026-01-31,\n"
    "2026-01-31T09:14:23 (UTC) or @UNIXTIME; both ends are inclusive.\n"
    "\n"
    "Exit codes:\n"
    "  0  success (also when there are no moves)\n"
    "  1  the store could not be read\n"
    "  2  usage error (unknown option, bad range, unknown entity or bad address)\n"
    "  3  no store in the data dir, or a store of another chain\n";

struct out {
    const wl_set *set;
    unsigned flags;
    bool json;
};

static int show(void *ctx, const store_move *m)
{
    struct out *o = ctx;
    return trk_move_print(stdout, m, o->set, o->flags, o->json) ? -1 : 0;
}

static int has_move(void *ctx, const store_move *m)
{
    (void)m;
    *(bool *)ctx = true;
    return 1;
}

static int point(store_range *r, bool to, const char *s)
{
    uint64_t v;
    if (trk_parse_u64(&v, s) == 0) {
        *(to ? &r->block_to : &r->block_from) = v;
        return 0;
    }
    if (trk_parse_time(&v, s))
        return -1;
    *(to ? &r->time_to : &r->time_from) = v;
    return 0;
}

int trk_cmd_history(int argc, char **argv)
{
    static const struct option lo[] = {
        {"help", no_argument, NULL, 'h'},           {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},       {"json", no_argument, NULL, 'j'},
        {"data-dir", required_argument, NULL, 'd'}, {"watchlists", required_argument, NULL, 'w'},
        {"chain-id", required_argument, NULL, 'c'}, {NULL, 0, NULL, 0},
    };
    store_range r = {0};
    const char *dir = NULL, *wl_path = NULL;
    uint64_t chain = 0;
    bool json = false;
    int c;
    optind = 0; /* glibc: a full restart, so options may follow the ENTITY (permuted) */
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help_text, stdout);
            return TRK_EXIT_OK;
        case 'j':
            json = true;
            break;
        case 'd':
            dir = optarg;
            break;
        case 'w':
            wl_path = optarg;
            break;
        case 'f':
        case 't':
            if (point(&r, c == 't', optarg))
                return trk_usage("history", "--%s wants a block or a date, not '%s'",
                                 c == 't' ? "to" : "from", optarg);
            break;
        case 'c':
            if (trk_parse_u64(&chain, optarg) || chain == 0)
                return trk_usage("history", "--chain-id wants a chain number, not '%s'", optarg);
            break;
        default:
            return trk_usage("history", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return trk_usage("history", optind < argc ? "one ENTITY or ADDRESS, not more"
                                                  : "which ENTITY or ADDRESS?");
    const char *who = argv[optind];
    wl_set *set = NULL;
    store *s = NULL;
    int ex = trk_load_optional(&set, wl_path ? &wl_path : NULL, wl_path ? 1 : 0);
    if (ex)
        return ex;
    const wl_entity *e = NULL;
    rpc_addr a;
    bool is_addr = false;
    if (trk_resolve(&e, &a, set, who) == 0)
        is_addr = e == NULL;
    else if (who[0] == '0' && (who[1] == 'x' || who[1] == 'X')) {
        ex = trk_usage("history",
                       "'%s' is not an address (0x and 40 hex digits, EIP-55 "
                       "checksum when mixed case)",
                       who);
        goto done;
    }
    if ((ex = trk_open_reader(&s, dir, chain)))
        goto done;
    ex = TRK_EXIT_FAIL;
    if (!e && !is_addr) { /* not in the watchlist: an entity the store has moves of? */
        bool known = false;
        if (store_moves_by_entity(s, who, &(store_range){0}, has_move, &known)) {
            fprintf(stderr, "whaletrack: cannot read the move log\n");
            goto done;
        }
        if (!known) {
            ex = trk_usage("history", "unknown entity '%s'", who);
            goto done;
        }
    }
    struct out o = {set, !json && trk_color(stdout) ? TRK_FMT_COLOR : 0, json};
    int rc = is_addr ? store_moves_by_address(s, &a, &r, show, &o)
                     : store_moves_by_entity(s, who, &r, show, &o);
    if (rc || fflush(stdout)) {
        fprintf(stderr, "whaletrack: %s\n",
                rc == -1 || !rc ? "cannot write to stdout" : store_strerror(rc));
        goto done;
    }
    ex = TRK_EXIT_OK;
done:
    store_close(s);
    wl_set_free(set);
    return ex;
}
