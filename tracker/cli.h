/* tracker/cli.h — the subcommand table of the whaletrack binary. */
#ifndef WT_TRACKER_CLI_H
#define WT_TRACKER_CLI_H

#include <stddef.h>

/* Exit codes of every whaletrack command (documented in --help and README). */
enum trk_exit {
    TRK_EXIT_OK = 0,    /* success */
    TRK_EXIT_FAIL = 1,  /* ran and failed: node, store, watchlist */
    TRK_EXIT_USAGE = 2, /* unknown command or option, bad argument */
    TRK_EXIT_NOSTORE = 3, /* no store in the data dir (missing, empty), or another chain's */
};

/* trk_cli_dispatch: run the subcommand argv[0] with its arguments.
 * Returns: an enum trk_exit value; unknown commands print one line to stderr and give
 *          TRK_EXIT_USAGE. */
int trk_cli_dispatch(int argc, char **argv);

/* trk_cli_list_commands: the "  name  summary\n" lines of every command, NUL-terminated
 * and truncated to cap. */
void trk_cli_list_commands(char *out, size_t cap);

#endif
