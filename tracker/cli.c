/* tracker/cli.c — subcommand table and dispatch. Each command lives in its own
 * tracker/cmd_*.c and parses its own options with getopt_long. */
#include <stdio.h>
#include <string.h>

#include "tracker/cli.h"
#include "tracker/cmd_check.h"
#include "tracker/cmd_demo.h"
#include "tracker/cmd_run.h"
#include "tracker/cmd_verify.h"
#include "tracker/cmds.h"

static int cmd_version(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: whaletrack version\n\nPrints the version.\n\nExit codes:\n"
               "  0  success\n  2  usage error\n");
        return TRK_EXIT_OK;
    }
    if (argc > 1) {
        fprintf(stderr, "whaletrack: version takes no argument, not '%s' (see whaletrack "
                "version --help)\n", argv[1]);
        return TRK_EXIT_USAGE;
    }
    printf("whaletrack %s\n", WT_VERSION);
    return TRK_EXIT_OK;
}

struct command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
};

static const struct command commands[] = {
    {"demo", "play a whale's deleveraging day on a local chain and follow it live", trk_cmd_demo},
    {"version", "print the version and exit", cmd_version},
    {"run", "follow the chain and report the watched entities' moves", trk_cmd_run},
    {"chart", "an entity's HF and liquidation line over time, moves marked (SVG)",
     trk_cmd_chart},
    {"check", "validate watchlist files and print a summary", trk_cmd_check},
    {"deliver", "send the outbox's alerts to the sinks (when run is stopped)", trk_cmd_deliver},
    {"export", "write moves or positions as CSV or JSON lines", trk_cmd_export},
    {"history", "one entity's or address's moves over a block or time range", trk_cmd_history},
    {"liqmap", "collateral at risk by ETH liquidation price band (text, --svg)",
     trk_cmd_liqmap},
    {"positions", "positions now or at a past block: collateral, debt, HF, liq. price",
     trk_cmd_positions},
    {"tail", "print the latest moves; -f follows the log as run commits", trk_cmd_tail},
    {"verify", "check one block's data against its block hash", trk_cmd_verify},
};

void trk_cli_list_commands(char *out, size_t cap)
{
    size_t used = 0;
    if (cap == 0)
        return;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        int n = snprintf(out + used, cap - used, "  %-10s %s\n", commands[i].name,
                         commands[i].summary);
        if (n < 0 || (size_t)n >= cap - used)
            return;
        used += (size_t)n;
    }
}

int trk_cli_dispatch(int argc, char **argv)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[0], commands[i].name) == 0)
            return commands[i].run(argc, argv);
    fprintf(stderr, "whaletrack: '%s' is not a command (see whaletrack --help)\n", argv[0]);
    return TRK_EXIT_USAGE;
}
