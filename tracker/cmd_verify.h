/* tracker/cmd_verify.h — `whaletrack verify BLOCK`: check one block's header, transactions,
 * senders and receipts against the block hash, by hand. */
#ifndef WT_TRACKER_CMD_VERIFY_H
#define WT_TRACKER_CMD_VERIFY_H

/* trk_cmd_verify: run `verify BLOCK [--rpc URL]...` (argv[0] is "verify").
 * Returns: TRK_EXIT_OK (every check agrees; what was checked on stdout), TRK_EXIT_FAIL (a
 *          check disagrees, or the node failed: one line each on stderr), TRK_EXIT_USAGE. */
int trk_cmd_verify(int argc, char **argv);

#endif
