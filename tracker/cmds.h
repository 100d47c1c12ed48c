/* tracker/cmds.h — the store-reading subcommands (tracker/cmd_<name>.c). Each takes
 * argv[0] = its name and returns an enum trk_exit value; see each one's --help. */
#ifndef WT_TRACKER_CMDS_H
#define WT_TRACKER_CMDS_H

int trk_cmd_tail(int argc, char **argv);      /* the move log, -f follows it */
int trk_cmd_positions(int argc, char **argv); /* positions now or at a block/time */
int trk_cmd_history(int argc, char **argv);   /* one entity's or address's moves */
int trk_cmd_export(int argc, char **argv);    /* moves or positions as CSV or JSONL */
int trk_cmd_liqmap(int argc, char **argv);    /* collateral at risk by ETH price band */
int trk_cmd_chart(int argc, char **argv);     /* HF and liquidation line as SVG */
int trk_cmd_deliver(int argc, char **argv);   /* send pending alerts to the sinks */

#endif
