/* tracker/cmd_check.c — `whaletrack check [DIR|FILE...]`: loads the watchlists exactly as
 * the tracker does, then prints a summary to stdout, or every error to stderr as
 * "path:line: message". Secrets from ${VAR} are shown only as their file text. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "rpc/addr.h"
#include "rpc/u256.h"
#include "tracker/cli.h"
#include "tracker/cmd_check.h"
#include "watchlists/wl.h"

static const char help_text[] =
    "usage: whaletrack check [--help] [DIR|FILE...]\n"
    "\n"
    "Validates watchlist files as the tracker loads them and prints a summary: files,\n"
    "entities, watched addresses, exchanges, protocols, rules, alert sinks and RPC\n"
    "endpoints.\n"
    "A DIR stands for its *.ini files (sorted by name, not subdirectories); all paths\n"
    "are merged into one watchlist. Default: ./watchlists\n"
    "Errors go to stderr, one per line, as path:line: message.\n"
    "Values written ${VAR} come from the environment and are never printed.\n"
    "\n"
    "Exit codes:\n"
    "  0  the watchlist is valid\n"
    "  1  the watchlist has errors (or a path could not be read)\n"
    "  2  usage error\n";

static void fixed(char *out, size_t cap, const rpc_u256 *v, unsigned decimals, unsigned frac)
{
    if (rpc_u256_format_units(out, cap, v, decimals, frac, NULL) != RPC_OK)
        snprintf(out, cap, "?");
}

static void print_rules(const wl_rules *r)
{
    char buf[160];
    if (r->from_env) {
        printf("rules      %s:%u  (values from the environment, not shown)\n", r->path,
               r->line);
        return;
    }
    fixed(buf, sizeof buf, &r->min_usd, WL_USD_DECIMALS, 2);
    if (r->path)
        printf("rules      %s:%u\n", r->path, r->line);
    else
        printf("rules      (defaults: no [rules] section)\n");
    printf("  min_usd                     $%s\n", buf);
    for (int k = 0; k < WL_KIND_COUNT; k++) {
        if (!(r->overridden & (1u << k)))
            continue;
        fixed(buf, sizeof buf, &r->min_usd_kind[k], WL_USD_DECIMALS, 2);
        printf("  min_usd.%-19s $%s\n", wl_kind_name((enum wl_kind)k), buf);
    }
    fixed(buf, sizeof buf, &r->health_factor_warn, WL_HF_DECIMALS, 4);
    printf("  health_factor_warn          %s\n", buf);
    rpc_u256 bp = rpc_u256_from_u64(r->liquidation_price_move_bp);
    fixed(buf, sizeof buf, &bp, 2, 2);
    printf("  liquidation_price_move_pct  %s %%\n", buf);
    printf("  backfill_blocks             %llu\n", (unsigned long long)r->backfill_blocks);
}

/* The sinks, without a secret: URLs as written in the file (${VAR} stays ${VAR}), no
 * token, no HMAC key. */
static void print_sinks(const wl_set *set)
{
    char buf[160];
    if (wl_sink_count(set) == 0)
        return;
    printf("sinks      %zu\n", wl_sink_count(set));
    for (size_t i = 0; i < wl_sink_count(set); i++) {
        const wl_sink *k = wl_sink_at(set, i);
        printf("  %-24s %-9s", k->name, wl_sink_kind_name(k->kind));
        if (k->kind == WL_SINK_WEBHOOK || k->kind == WL_SINK_DISCORD)
            printf(" %s%s", k->url_shown, k->secret ? "  signed" : "");
        else if (k->kind == WL_SINK_TELEGRAM)
            printf(" (bot token from the environment)");
        else if (k->from_env)
            printf(" (command from the environment, not shown)");
        else
            for (size_t a = 0; a < k->argc; a++)
                printf(" %s", k->argv[a]);
        if (k->from_env) { /* a rule may be the secret: show none of them */
            printf("  (values from the environment, not shown)\n");
            continue;
        }
        for (size_t j = 0; j < k->nkinds; j++)
            printf("%s%s", j ? ", " : "  kinds ", k->kinds[j]);
        for (size_t j = 0; j < k->nentities; j++)
            printf("%s%s", j ? ", " : "  entities ", k->entities[j]);
        if (!rpc_u256_is_zero(&k->min_usd)) {
            fixed(buf, sizeof buf, &k->min_usd, WL_USD_DECIMALS, 2);
            printf("  min_usd $%s", buf);
        }
        printf("\n");
    }
}

static void print_summary(const wl_set *set)
{
    char addr[RPC_ADDR_HEX_LEN + 1];
    size_t nwatched, nlabelled = 0;
    (void)wl_watched(set, &nwatched);

    printf("files      %zu\n", wl_file_count(set));
    for (size_t i = 0; i < wl_file_count(set); i++)
        printf("  %s\n", wl_file_at(set, i));

    printf("entities   %zu (%zu addresses watched)\n", wl_entity_count(set), nwatched);
    for (size_t i = 0; i < wl_entity_count(set); i++) {
        const wl_entity *e = wl_entity_at(set, i);
        printf("  %-24s %3zu address%s", e->name, e->naddrs, e->naddrs == 1 ? "  " : "es");
        if (e->from_env) {
            printf("  (values from the environment, not shown)\n");
            continue;
        }
        if (e->since != WL_SINCE_NONE)
            printf("  since %llu", (unsigned long long)e->since);
        for (size_t t = 0; t < e->ntags; t++)
            printf("%s%s", t ? ", " : "  tags ", e->tags[t]);
        printf("\n");
    }

    for (size_t i = 0; i < wl_exchange_count(set); i++)
        nlabelled += wl_exchange_at(set, i)->naddrs;
    printf("exchanges  %zu (%zu addresses labelled)\n", wl_exchange_count(set), nlabelled);
    for (size_t i = 0; i < wl_exchange_count(set); i++) {
        const wl_exchange *x = wl_exchange_at(set, i);
        printf("  %-24s %3zu address%s\n", x->name, x->naddrs, x->naddrs == 1 ? "" : "es");
    }

    printf("protocols  %zu\n", wl_protocol_count(set));
    for (size_t i = 0; i < wl_protocol_count(set); i++) {
        const wl_protocol *p = wl_protocol_at(set, i);
        rpc_addr_format(addr, &p->contract);
        printf("  %-24s %-12s %s", p->name, wl_proto_kind_name(p->kind),
               p->from_env ? "(from the environment)" : addr);
        if (p->kind == WL_PROTO_MORPHO_BLUE)
            printf("  %zu market%s%s", p->nmarkets, p->nmarkets == 1 ? "" : "s",
                   p->nmarkets ? "" : " (all)");
        printf("\n");
    }

    print_rules(wl_rules_of(set));
    print_sinks(set);

    const wl_rpc *rpc = wl_rpc_of(set);
    if (!rpc) {
        printf("rpc        (none: no [rpc] section)\n");
        return;
    }
    if (rpc->from_env)
        printf("rpc        %zu endpoint%s  (settings from the environment, not shown)\n",
               rpc->nurls, rpc->nurls == 1 ? "" : "s");
    else
        printf("rpc        %zu endpoint%s, chain_id %llu, confirmations %u, max_lag %u, "
               "rate_limit %u/s, timeout_ms %u\n",
               rpc->nurls, rpc->nurls == 1 ? "" : "s", (unsigned long long)rpc->chain_id,
               rpc->confirmations, rpc->max_lag, rpc->rate_limit, rpc->timeout_ms);
    for (size_t i = 0; i < rpc->nurls; i++)
        printf("  %s%s\n", rpc->urls[i].shown,
               rpc->urls[i].secret ? "  (from the environment, not shown)" : "");
}

int trk_cmd_check(int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    static const char *const default_paths[] = {"watchlists"};
    int c;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            fputs(help_text, stdout);
            return TRK_EXIT_OK;
        }
        fprintf(stderr, "whaletrack: check: unknown option '%s' (see whaletrack check --help)\n",
                argv[optind - 1]);
        return TRK_EXIT_USAGE;
    }
    const char *const *paths = default_paths;
    size_t npaths = 1;
    if (optind < argc) {
        paths = (const char *const *)(argv + optind);
        npaths = (size_t)(argc - optind);
    }

    wl_set *set = NULL;
    wl_errors errs = {0};
    int rc = wl_load(&set, &errs, paths, npaths, NULL);
    if (rc == WL_OK) {
        print_summary(set);
        wl_set_free(set);
        return TRK_EXIT_OK;
    }
    for (size_t i = 0; i < errs.n; i++)
        fprintf(stderr, "%s\n", errs.v[i].text);
    if (errs.dropped)
        fprintf(stderr, "whaletrack: check: %zu more errors not shown\n", errs.dropped);
    if (errs.n == 0)
        fprintf(stderr, "whaletrack: check: %s\n", wl_strerror(rc));
    wl_errors_free(&errs);
    return TRK_EXIT_FAIL;
}
