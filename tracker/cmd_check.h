/* tracker/cmd_check.h — `whaletrack check`: validate watchlist files. */
#ifndef WT_TRACKER_CMD_CHECK_H
#define WT_TRACKER_CMD_CHECK_H

/* trk_cmd_check: run `check [DIR|FILE...]` (argv[0] is "check").
 * Returns: TRK_EXIT_OK (valid; summary on stdout), TRK_EXIT_FAIL (errors on stderr as
 *          path:line: message), TRK_EXIT_USAGE (bad option). */
int trk_cmd_check(int argc, char **argv);

#endif
