/* tracker/snap.h — snapshots: the state of every touched position at one block, read with
 * Multicall3 aggregate3 eth_calls (getEthBalance for native ETH, balanceOf for tokens,
 * decimals once per token; lending decoders add their own probes). However many probes,
 * they go out as ceil(n / chunk) eth_calls inside one JSON-RPC batch: one round trip. */
#ifndef WT_TRACKER_SNAP_H
#define WT_TRACKER_SNAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rpc/client.h"
#include "rpc/types.h"
#include "store/record.h"
#include "tracker/err.h"
#include "tracker/event.h"

/* Multicall3's canonical address. */
extern const rpc_addr trk_multicall3;

enum trk_probe_what {
    TRK_PROBE_NATIVE = 1,   /* Multicall3.getEthBalance(key.address) -> wei */
    TRK_PROBE_BALANCE = 2,  /* key.asset.balanceOf(key.address) -> raw units */
    TRK_PROBE_DECIMALS = 3, /* key.asset.decimals() (key.address zero) */
    /* lending probes (getUserAccountData, position(), ...) are appended by issue 8 */
    TRK_PROBE_LENDING = 16, /* 16..31: read by tracker/lending.c, not stored by the poll */
};

/* Words of an answer kept in trk_probe_result.w (getReserveConfigurationData has 10). */
enum { TRK_PROBE_WORDS = 10 };

/* One read. key says which position the answer belongs to; the first 32-byte word of the
 * answer is its value for the built-in kinds. Plain data. */
struct trk_probe {
    store_pos_key key;
    uint8_t what; /* enum trk_probe_what */
    rpc_addr target;
    uint8_t data[68]; /* calldata: selector + up to two words */
    uint8_t len;
};

/* A growable list of probes. Zero-initialise; free with trk_probes_free. */
struct trk_probes {
    trk_probe *v;
    size_t n, cap;
};

/* The answer to one probe. */
typedef struct trk_probe_result {
    bool ok;        /* the inner call succeeded and returned at least one word */
    rpc_u256 value; /* its first word */
    uint8_t nw;     /* words of the answer kept in w (at most TRK_PROBE_WORDS) */
    rpc_u256 w[TRK_PROBE_WORDS]; /* its first nw words (w[0] == value) */
} trk_probe_result;

/* trk_probe_native / trk_probe_balance / trk_probe_decimals: append one probe.
 * Returns: 0; TRK_ENOMEM. */
int trk_probe_native(trk_probes *ps, const rpc_addr *account) TRK_WUR;
int trk_probe_balance(trk_probes *ps, const rpc_addr *token, const rpc_addr *account) TRK_WUR;
int trk_probe_decimals(trk_probes *ps, const rpc_addr *token) TRK_WUR;

/* trk_probe_call: append a probe of any kind: calldata data[0..len) (len <= 68) to target,
 * its answer filed under key. For the lending probes.
 * Returns: 0; TRK_ENOMEM; TRK_EINVAL (len > 68). */
int trk_probe_call(trk_probes *ps, uint8_t what, const store_pos_key *key, const rpc_addr *target,
                   const uint8_t *data, size_t len) TRK_WUR;

/* trk_probes_unique: sort by (what, key) and drop duplicates. */
void trk_probes_unique(trk_probes *ps);
void trk_probes_reset(trk_probes *ps);
void trk_probes_free(trk_probes *ps);

/* How a snapshot is read. Native balances are the bulk of it (every watched address):
 * with `reader` they go through a 26-byte balance reader installed by an eth_call state
 * override (32 bytes of calldata per address, 7x less than Multicall3's getEthBalance, so
 * 10,000 addresses fit in a node's request limit); without it, through Multicall3. */
typedef struct trk_snap_opts {
    size_t chunk;        /* probes per Multicall3 call (0 = 1000) */
    size_t reader_chunk; /* addresses per reader call (0 = 2000: gas of cold BALANCEs) */
    bool reader;         /* use the state-override reader for TRK_PROBE_NATIVE */
} trk_snap_opts;

/* trk_snap_add: queue the eth_calls of ps at `block` on batch b. ps must be
 * trk_probes_unique'd (native probes first).
 * Returns: 0; TRK_ENOMEM.
 * Out: *first, the batch index of the first call (the others follow). */
int trk_snap_add(rpc_batch *b, size_t *first, const trk_probes *ps, uint64_t block,
                 const trk_snap_opts *o) TRK_WUR;

/* trk_snap_take: read the answers of the calls queued by trk_snap_add.
 * Returns: 0; TRK_ERPC (a call failed: the node's error; *failed is its batch index);
 *   TRK_EDECODE (malformed answer).
 * Out: res[0..ps->n), one per probe (caller's array); zeroed on failure. */
int trk_snap_take(trk_probe_result *res, size_t *failed, rpc_batch *b, size_t first,
                  const trk_probes *ps, const trk_snap_opts *o) TRK_WUR;

#endif
