/* tests/support/anvil.h — a real local chain for tests: the project's anvil binary on a free
 * loopback port, a raw JSON-RPC helper for setup calls (cheat codes, transactions from the
 * unlocked dev accounts), and Multicall3 at its canonical address.
 *
 * Lifetime: wt_anvil_start() forks anvil with PR_SET_PDEATHSIG(SIGKILL), so it dies with the
 * test process even on a crash; wt_anvil_stop() (SIGTERM, then SIGKILL, then waitpid) is
 * also run at exit for any anvil still up. Call wt_anvil_stop() from the test's fini so a
 * failing assertion still stops it:
 *
 *     static wt_anvil A;
 *     static void stop(void) { wt_anvil_stop(&A); }
 *     Test(client, answers, .fini = stop) { cr_assert(wt_anvil_start(&A, NULL) == 0); ... }
 *
 * Functions print why they failed on stderr and return -1 (or NULL); they never exit. */
#ifndef WT_TESTS_SUPPORT_ANVIL_H
#define WT_TESTS_SUPPORT_ANVIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

typedef struct wt_anvil {
    pid_t pid;      /* 0 when not running */
    int port;
    char url[64];   /* "http://127.0.0.1:PORT" */
    void *curl;     /* the setup helper's own connection */
    bool no_mining; /* started with no_mining: wt_anvil_send() mines itself */
} wt_anvil;

typedef struct wt_anvil_opts {
    unsigned block_time; /* seconds between blocks; 0 = automine (a block per transaction) */
    bool no_mining;      /* no blocks unless mined with wt_anvil_mine() */
    uint64_t chain_id;   /* 0 = anvil's 31337 */
    const char *load_state; /* a --dump-state file to start from, or NULL */
    const char *hardfork;   /* --hardfork ("london", "shanghai", "cancun", "prague"), NULL = latest */
} wt_anvil_opts;

/* The dev accounts anvil unlocks (mnemonic "test test ... junk"), lowercase hex. */
#define WT_ANVIL_ACCOUNTS 10
extern const char *const wt_anvil_account[WT_ANVIL_ACCOUNTS];

/* The canonical Multicall3 address, lowercase. */
#define WT_MULTICALL3 "0xca11bde05977b3631167028862be2a173976ca11"

/* wt_anvil_start: start anvil (node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil under
 * WT_TOP) on 127.0.0.1; anvil binds a free port itself (--port 0) and names it on its
 * stdout, so parallel tests never race for a port. Waits until it answers eth_chainId.
 * Returns 0, or -1 when it could not be started within ~30 s (after 3 tries).
 * Out: *a, running. In: o may be NULL for defaults. */
int wt_anvil_start(wt_anvil *a, const wt_anvil_opts *o);

/* wt_anvil_stop: SIGTERM, up to 3 s for it to exit, then SIGKILL; reaps it. Idempotent. */
void wt_anvil_stop(wt_anvil *a);

/* wt_anvil_rpc: one JSON-RPC call; params_json is an array text (NULL = []).
 * Returns the "result" (caller frees with cJSON_Delete()), or NULL on an error answer or a
 * transport failure (printed). */
cJSON *wt_anvil_rpc(wt_anvil *a, const char *method, const char *params_json);

/* wt_anvil_rpc_ok: wt_anvil_rpc() when only success matters. Returns 0 or -1. */
int wt_anvil_rpc_ok(wt_anvil *a, const char *method, const char *params_json);

/* wt_anvil_rpc_str: a call whose result is a string, copied into out[cap]. Returns 0 / -1. */
int wt_anvil_rpc_str(wt_anvil *a, char *out, size_t cap, const char *method,
                     const char *params_json);

/* wt_anvil_mine: mine n blocks (anvil_mine). Returns 0 / -1. */
int wt_anvil_mine(wt_anvil *a, unsigned n);

/* wt_anvil_set_balance / wt_anvil_set_code: anvil_setBalance(addr, wei_hex) and
 * anvil_setCode(addr, code_hex), hex with 0x. They change the head's state in place: the
 * state of earlier blocks only stays as it was once a later block is mined. Return 0 / -1. */
int wt_anvil_set_balance(wt_anvil *a, const char *addr, const char *wei_hex);
int wt_anvil_set_code(wt_anvil *a, const char *addr, const char *code_hex);

/* wt_anvil_head: the current block number, or -1. */
int64_t wt_anvil_head(wt_anvil *a);

/* wt_anvil_send: eth_sendTransaction from an unlocked account and wait for its receipt
 * (mining a block itself when the anvil was started with no_mining). to == NULL creates a contract; value_hex and
 * data_hex may be NULL. Returns 0 when the receipt has status 1, else -1.
 * Out: txhash[67] (may be NULL), contract[43] for creations (may be NULL). */
int wt_anvil_send(wt_anvil *a, const char *from, const char *to, const char *value_hex,
                  const char *data_hex, char txhash[67], char contract[43]);

/* wt_anvil_deploy: create a contract from initcode (hex with 0x, constructor args appended
 * by the caller). Returns 0 / -1. Out: addr[43]. */
int wt_anvil_deploy(wt_anvil *a, const char *from, const char *initcode_hex, char addr[43]);

/* wt_anvil_snapshot / wt_anvil_revert: evm_snapshot / evm_revert. id is "0x..". */
int wt_anvil_snapshot(wt_anvil *a, char id[32]);
int wt_anvil_revert(wt_anvil *a, const char *id);

/* wt_anvil_reorg: anvil_reorg(depth, []) — replace the last depth blocks with empty ones. */
int wt_anvil_reorg(wt_anvil *a, unsigned depth);

/* wt_anvil_install_multicall3: deploy viem's multicall3Bytecode (read from node_modules at
 * run time, nothing downloaded), read its runtime code and anvil_setCode it at
 * WT_MULTICALL3. Returns 0 / -1. */
int wt_anvil_install_multicall3(wt_anvil *a);

/* wt_read_file: the whole file at path, NUL-terminated. Returns a buffer the caller frees
 * with free(), or NULL. Out: *len (may be NULL). */
char *wt_read_file(const char *path, size_t *len);

/* wt_artifact_bytecode: the "bytecode" string of a hardhat artifact JSON at path (relative
 * paths are taken from WT_TOP). Returns a string the caller frees with free(), or NULL. */
char *wt_artifact_bytecode(const char *path);

#endif
