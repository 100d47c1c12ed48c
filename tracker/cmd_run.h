/* tracker/cmd_run.h — `whaletrack run`: follow the chain and report moves as they commit. */
#ifndef WT_TRACKER_CMD_RUN_H
#define WT_TRACKER_CMD_RUN_H

/* trk_cmd_run: the run subcommand (argv[0] is "run"); see its --help.
 * Returns: TRK_EXIT_OK (stopped by a signal, --once or --until-block), TRK_EXIT_FAIL (the
 *          watchlist, node or store failed), TRK_EXIT_USAGE (bad option). */
int trk_cmd_run(int argc, char **argv);

#endif
