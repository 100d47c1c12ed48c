/* tracker/cmd_demo.h — `whaletrack demo`: a local chain with a real Aave V3 market, a
 * whale's deleveraging day played on it, and the tracker (a `whaletrack run` child)
 * following it live. */
#ifndef WT_TRACKER_CMD_DEMO_H
#define WT_TRACKER_CMD_DEMO_H

/* trk_cmd_demo: the demo subcommand (argv[0] is "demo"); see its --help.
 * Returns: TRK_EXIT_OK (the day was played, or it was interrupted by SIGINT/SIGTERM),
 *          TRK_EXIT_FAIL (a tool missing, the chain, the tracker or the store failed),
 *          TRK_EXIT_USAGE (bad option). Everything it started is stopped before it
 *          returns, except the chain with --keep after a complete day. */
int trk_cmd_demo(int argc, char **argv);

#endif
