/* tracker/main.c — the whaletrack command: global options, then one subcommand.
 * Machine output goes to stdout; progress, logs and errors to stderr. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "tracker/cli.h"

static const char usage_text[] =
    "usage: whaletrack [--version] [--help] <command> [<args>]\n"
    "\n"
    "Follows the wallets of market-moving entities on Ethereum and reports their moves:\n"
    "collateral added or pulled, debt borrowed or repaid, funds sent to exchanges,\n"
    "health factors and liquidation prices, each with its on-chain evidence.\n"
    "\n"
    "Commands:\n"
    "%s"
    "\n"
    "Run 'whaletrack <command> --help' for a command's options.\n"
    "\n"
    "Exit codes:\n"
    "  0  success\n"
    "  1  the command ran and failed (a node, the store, a watchlist error)\n"
    "  2  usage error (unknown command or option, bad argument, unknown entity)\n"
    "  3  no store in the data directory (missing or empty), or a store of another chain\n";

static void print_usage(FILE *f)
{
    char list[2048];
    trk_cli_list_commands(list, sizeof list);
    fprintf(f, usage_text, list);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    int c;

    /* '+': stop at the first non-option, which is the subcommand. */
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            print_usage(stdout);
            return TRK_EXIT_OK;
        case 'V':
            printf("whaletrack %s\n", WT_VERSION);
            return TRK_EXIT_OK;
        default:
            fprintf(stderr, "whaletrack: unknown option '%s' (see whaletrack --help)\n",
                    argv[optind - 1]);
            return TRK_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        print_usage(stderr);
        return TRK_EXIT_USAGE;
    }
    return trk_cli_dispatch(argc - optind, argv + optind);
}
