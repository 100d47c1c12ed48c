/* tracker/cli.c — subcommand table and dispatch. Each command lives in its own
 * tracker/cmd_*.c and parses its own options with getopt_long. */
#include <stdio.h>
#include <string.h>

#include "tracker/cli.h"
#include "tracker/cmd_check.h"
#include "tracker/cmd_run.h"
#include "tracker/cmd_verify.h"

static int cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("whaletrack %s\n", WT_VERSION);
    return TRK_EXIT_OK;
}

struct command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
};

static const struct command commands[] = {
    {"version", "print the version and exit", cmd_version},
    {"run", "follow the chain and report the watched entities' moves", trk_cmd_run},
    {"check", "validate watchlist files and print a summary", trk_cmd_check},
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
