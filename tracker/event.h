/* tracker/event.h — typed events decoded from logs, and the table of decoders by kind.
 *
 * A decoder is one row of a table: the eth_getLogs filters it needs for the watched set
 * (topic OR-lists, chunked, so the request count does not grow with the watchlist), how it
 * turns one of its logs into an event, and which snapshot reads (probes, tracker/snap.h)
 * an event calls for. erc20 and weth are built in; lending protocols (aave-v3,
 * morpho-blue, compound-v3) add rows without touching the poll loop. */
#ifndef WT_TRACKER_EVENT_H
#define WT_TRACKER_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rpc/client.h"
#include "rpc/types.h"
#include "tracker/err.h"
#include "watchlists/wl.h"

/* Protocol ids written in store_move.protocol / store_pos_key.protocol (on disk: append,
 * never renumber). 0 is the wallet itself: native ETH and plain token balances. */
enum trk_protocol { TRK_PROTO_WALLET = 0, TRK_PROTO_AAVE_V3 = 1, TRK_PROTO_MORPHO_BLUE = 2,
                    TRK_PROTO_COMPOUND_V3 = 3 };

enum trk_ev_kind {
    TRK_EV_TRANSFER = 1, /* ERC-20 Transfer(from, to, amount) */
    TRK_EV_WRAP = 2,     /* WETH Deposit(dst, wad): `to` wrapped amount of ETH */
    TRK_EV_UNWRAP = 3,   /* WETH Withdrawal(src, wad): `from` unwrapped amount */
    /* lending kinds are appended by their decoders (tracker/lending.h): from 16 on */
    TRK_EV_LEND_SUPPLY = 16,     /* Aave Supply, Morpho Supply (loan token lent) */
    TRK_EV_LEND_WITHDRAW = 17,   /* Aave Withdraw, Morpho Withdraw */
    TRK_EV_LEND_BORROW = 18,
    TRK_EV_LEND_REPAY = 19,
    TRK_EV_LEND_LIQUIDATED = 20, /* asset/amount: collateral seized; asset2/amount2: debt */
    TRK_EV_LEND_COLL_ON = 21,    /* Aave ReserveUsedAsCollateralEnabled */
    TRK_EV_LEND_COLL_OFF = 22,   /* Aave ReserveUsedAsCollateralDisabled */
    TRK_EV_LEND_EMODE = 23,      /* Aave UserEModeSet (amount: the category) */
    TRK_EV_LEND_FLASHLOAN = 24,  /* Aave FlashLoan (from: target) */
    TRK_EV_LEND_SUPPLY_COLL = 25,   /* Morpho SupplyCollateral */
    TRK_EV_LEND_WITHDRAW_COLL = 26, /* Morpho WithdrawCollateral */
};

/* One decoded event. Plain data; copy freely. */
typedef struct trk_event {
    uint16_t kind;      /* enum trk_ev_kind */
    uint16_t decoder;   /* row of the decoder table that produced it */
    uint32_t protocol;  /* enum trk_protocol */
    uint8_t decimals;   /* of asset; filled by the pipeline from the snapshot */
    rpc_addr contract;  /* the emitter */
    rpc_addr asset;     /* the token moved (the emitter for erc20/weth) */
    rpc_addr from, to;  /* transfer ends; wrap: to = the account; unwrap: from = the account */
    rpc_u256 amount;    /* raw token units */
    uint64_t block;
    uint32_t log_index;
    rpc_hash32 block_hash, tx_hash;
    /* lending events: from = the position's owner, to = the other party (caller, receiver,
     * repayer, liquidator; zero if none); asset2/amount2 the second leg of a liquidation
     * (the debt covered); market: Morpho's market id. */
    rpc_addr asset2;
    rpc_u256 amount2;
    rpc_hash32 market;
} trk_event;

/* What the filters are built for. Borrowed by the decoders during the call. */
typedef struct trk_watch {
    const rpc_addr *addrs; /* watched addresses, sorted, no duplicates */
    size_t naddrs;
    const rpc_addr *weth;  /* WETH9-style contracts (Deposit/Withdrawal) */
    size_t nweth;
    const wl_set *set;     /* protocols, for lending decoders */
    size_t chunk;          /* addresses per topic OR-list (0 = 1000) */
} trk_watch;

/* A set of eth_getLogs filters, each tagged with the decoder that reads its logs. The
 * block range of every filter is set by the poll (trk_filters_range). Owns its memory. */
typedef struct trk_filters {
    rpc_log_filter *v;
    uint16_t *decoder; /* decoder[i]: the table row of v[i] */
    size_t n, cap;
    rpc_hash32 *words; /* watched addresses as topic words, one copy shared by the filters */
    size_t nwords;
} trk_filters;

/* A snapshot read: one call inside the batch's Multicall3, whose answer becomes (part of)
 * the position `key` at the snapshot's block. See tracker/snap.h. */
typedef struct trk_probe trk_probe;
typedef struct trk_probes trk_probes;

/* One decoder. Functions may be NULL when a decoder has nothing to add there. */
typedef struct trk_decoder {
    const char *kind; /* "erc20", "weth", "aave-v3", ... */
    /* filters: append this decoder's filters for w (tag them with `self`).
     * Returns: 0; TRK_ENOMEM. */
    int (*filters)(trk_filters *fs, uint16_t self, const trk_watch *w);
    /* decode: a log -> *ev. Out: *ok false when the log is not one of its events (another
     * topic0, an ERC-721 Transfer that shares ERC-20's, a Deposit of a contract that is not
     * a known WETH). Returns: 0; TRK_EDECODE (its event, malformed: a wrong answer). */
    int (*decode)(trk_event *ev, bool *ok, const rpc_log *log, const trk_watch *w);
    /* probes: the snapshot reads that `account` (a watched end of ev) needs.
     * Returns: 0; TRK_ENOMEM. */
    int (*probes)(trk_probes *ps, const trk_event *ev, const rpc_addr *account);
} trk_decoder;

/* trk_decoders: the table. Out: *n rows. Returns: borrowed, static. */
const trk_decoder *trk_decoders(size_t *n);

/* trk_filters_build: every decoder's filters for w.
 * Returns: 0; TRK_ENOMEM. Out: *fs (free with trk_filters_free), zeroed on failure. */
int trk_filters_build(trk_filters *fs, const trk_watch *w) TRK_WUR;

/* trk_filters_range: set the block range [from, to] of every filter. */
void trk_filters_range(trk_filters *fs, uint64_t from, uint64_t to);

/* trk_filters_free: frees and zeroes; NULL or a zeroed set is a no-op. */
void trk_filters_free(trk_filters *fs);

/* trk_filters_add: append one filter (its list pointers are borrowed: they must outlive
 * fs, e.g. static topic0 arrays or fs->words). For decoders.
 * Returns: 0; TRK_ENOMEM. */
int trk_filters_add(trk_filters *fs, uint16_t decoder, const rpc_log_filter *f) TRK_WUR;

/* trk_decode_log: the log through the first decoder of the table that claims it. Filters
 * may be shared between decoders (one OR-list of topic0s), so logs are matched by their
 * content, not by the filter that brought them.
 * Returns: 0; TRK_EDECODE.
 * Out: *ev and *ok as trk_decoder.decode (ev zeroed when !ok). */
int trk_decode_log(trk_event *ev, bool *ok, const rpc_log *log, const trk_watch *w) TRK_WUR;

/* Topic0s of the built-in events. */
extern const rpc_hash32 trk_topic_transfer, trk_topic_deposit, trk_topic_withdrawal;

#endif
