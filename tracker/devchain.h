/* tracker/devchain.h — a local development chain: the project's pinned anvil (npm
 * @foundry-rs/anvil, under node_modules) on a free loopback port, and Multicall3 at its
 * canonical address. Used by `whaletrack demo` and by the tests (tests/support/anvil.h).
 *
 * Lifetime: trk_devchain_start() forks anvil with PR_SET_PDEATHSIG(SIGKILL), so it dies
 * with the process that started it, even on a crash (unless started detached); trk_devchain_stop() stops it by its
 * PID (SIGTERM, then SIGKILL) and reaps it. A trk_devchain belongs to one thread. */
#ifndef WT_TRACKER_DEVCHAIN_H
#define WT_TRACKER_DEVCHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "rpc/client.h"
#include "rpc/types.h"
#include "tracker/err.h"

/* A running anvil. Plain data; pid 0 when not running. */
typedef struct trk_devchain {
    pid_t pid;
    int port;
    char url[64]; /* "http://127.0.0.1:PORT" */
} trk_devchain;

typedef struct trk_devchain_opts {
    unsigned block_time;    /* seconds between blocks; 0 = automine (a block per transaction) */
    bool no_mining;         /* no blocks unless mined (anvil_mine) */
    uint64_t chain_id;      /* 0 = anvil's 31337 */
    const char *load_state; /* a --dump-state file to start from, or NULL */
    const char *hardfork;   /* --hardfork name, NULL = anvil's latest */
    bool detach;            /* outlive the starter: no parent-death signal, own session
                               (the demo's --keep); stop it by its pid */
} trk_devchain_opts;

/* trk_devchain_node_modules: where the project's npm tools are: $WHALETRACK_NODE_MODULES
 * if set, else <top>/node_modules for a binary at <top>/build/<name>/whaletrack (found
 * through /proc/self/exe). Checks that anvil is there.
 * Returns: TRK_OK; TRK_ETOOLS (not found: why[] says where it looked and to run
 *          ./scripts/setup); TRK_ETOO_LARGE (a path does not fit).
 * Out: out[cap], the directory ("" on error); why[whycap], one line on error. */
TRK_WUR int trk_devchain_node_modules(char *out, size_t cap, char *why, size_t whycap);

/* trk_devchain_start: start anvil (node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil) on
 * 127.0.0.1; it binds a free port itself (--port 0) and names it on its stdout, so parallel
 * users never race for a port. Waits until it answers eth_chainId; 3 tries of ~10 s.
 * Returns: TRK_OK; TRK_ETOOLS (no anvil binary); TRK_ESTART (it exited or never answered);
 *          TRK_ENOMEM.
 * Out: *d, running (zeroed on error); why[whycap], one line on error.
 * In: node_modules (see trk_devchain_node_modules); o may be NULL for defaults. */
TRK_WUR int trk_devchain_start(trk_devchain *d, char *why, size_t whycap,
                               const char *node_modules, const trk_devchain_opts *o);

/* trk_devchain_stop: SIGTERM, up to 3 s for it to exit, then SIGKILL; reaps it and zeroes
 * *d. Idempotent; safe on a zeroed struct. */
void trk_devchain_stop(trk_devchain *d);

/* trk_devchain_stop_child: the same for any child process of the caller (the demo's
 * tracker): SIGTERM, up to 3 s, then SIGKILL, and reap it. pid <= 0 is a no-op. */
void trk_devchain_stop_child(pid_t pid);

/* trk_devchain_install_multicall3: deploy viem's multicall3Bytecode (read from
 * node_modules/viem at run time) from the unlocked account `from` (one transaction, one
 * block), then anvil_setCode its runtime code at 0xcA11bde05977b3631167028862bE2a173976CA11.
 * mine: the chain was started with no_mining, so mine the deployment's block here.
 * Returns: TRK_OK; TRK_ETOOLS (viem's constants file missing or without the bytecode);
 *          TRK_ERPC (a call failed or the deployment reverted); TRK_ENOMEM.
 * Out: why[whycap], one line on error. In: c, a client of the dev chain. */
TRK_WUR int trk_devchain_install_multicall3(rpc_client *c, char *why, size_t whycap,
                                            const char *node_modules, const rpc_addr *from,
                                            bool mine);

#endif
