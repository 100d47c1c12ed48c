/* store/record.h — the two records the store keeps: a move (one entry of the log) and a
 * position snapshot. Both are plain structs in memory and versioned, compact byte strings
 * on disk; encode/decode are pure functions, usable without a store. */
#ifndef WT_STORE_RECORD_H
#define WT_STORE_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "rpc/types.h"
#include "store/err.h"

/* Move kinds. The numbers are written to disk: append, never renumber. */
#define STORE_KINDS(X)                                                                             \
    X(STORE_KIND_TRANSFER_OUT, 1, "transfer_out")                                                  \
    X(STORE_KIND_TRANSFER_IN, 2, "transfer_in")                                                    \
    X(STORE_KIND_EXCHANGE_DEPOSIT, 3, "exchange_deposit")                                          \
    X(STORE_KIND_EXCHANGE_WITHDRAWAL, 4, "exchange_withdrawal")                                    \
    X(STORE_KIND_SUPPLY, 5, "supply")                                                              \
    X(STORE_KIND_WITHDRAW, 6, "withdraw")                                                          \
    X(STORE_KIND_BORROW, 7, "borrow")                                                              \
    X(STORE_KIND_REPAY, 8, "repay")                                                                \
    X(STORE_KIND_LIQUIDATED, 9, "liquidated")                                                      \
    X(STORE_KIND_HEALTH_FACTOR, 10, "health_factor")                                               \
    X(STORE_KIND_LIQUIDATION_PRICE, 11, "liquidation_price")                                       \
    X(STORE_KIND_POSITION_OPENED, 12, "position_opened")                                           \
    X(STORE_KIND_POSITION_CLOSED, 13, "position_closed")                                           \
    X(STORE_KIND_RETRACTED, 14, "retracted")                                                      \
    X(STORE_KIND_COLLATERAL_ENABLED, 15, "collateral_enabled")                                    \
    X(STORE_KIND_COLLATERAL_DISABLED, 16, "collateral_disabled")

enum store_kind {
#define STORE_KIND_ENUM_(name, code, text) name = (code),
    STORE_KINDS(STORE_KIND_ENUM_)
#undef STORE_KIND_ENUM_
};

/* store_kind_name: the kind's snake_case name ("repay"). Returns: NULL for an unknown kind. */
const char *store_kind_name(unsigned kind);

/* Move flags (on disk: append, never renumber). */
enum {
    STORE_MOVE_VERIFIED = 1u << 0, /* header, receipts root and senders were checked */
    STORE_MOVE_HAS_HF = 1u << 1,   /* hf_* and liq_* are meaningful (a lending position) */
    /* Not stored: set by the store's queries on a move that a later entry retracted
     * and that was still retracted when the read began. */
    STORE_MOVE_RETRACTED = 1u << 15,
};

enum { STORE_NAME_MAX = 64 }; /* bytes of an entity name, without the NUL */

/* A move. Amounts are raw integers (amount with `decimals`); usd and liq_* are USD with
 * 8 decimals (1e8 = $1); hf_* are WAD (1e18 = 1.0). A retraction (kind
 * STORE_KIND_RETRACTED) is a copy of the move it retracts with `retracts` = that move's seq
 * and `retracted_kind` = its kind; for other kinds both are 0. Copy freely. */
typedef struct store_move {
    uint64_t seq; /* position in the log, from 1; assigned by store_commit */
    uint16_t kind;
    uint16_t flags;
    uint8_t severity; /* the tracker's scale; the store does not interpret it */
    uint8_t decimals;
    uint32_t protocol; /* the tracker's protocol id; 0 = none */
    uint32_t log_index;
    uint64_t block;
    uint64_t block_time; /* unix seconds */
    rpc_hash32 block_hash;
    rpc_hash32 tx_hash;
    rpc_addr address;      /* the watched address that moved */
    rpc_addr asset;        /* token; zero address for native ETH */
    rpc_addr counterparty; /* other side (exchange, liquidator); zero if none */
    rpc_u256 amount;
    rpc_u256 usd;
    rpc_u256 hf_before, hf_after;
    rpc_u256 liq_before, liq_after;
    uint64_t retracts;
    uint16_t retracted_kind;
    char entity[STORE_NAME_MAX + 1]; /* NUL-terminated */
} store_move;

/* Where a position lives: an address's holding of one asset in one protocol. */
typedef struct store_pos_key {
    rpc_addr address;
    uint32_t protocol;
    rpc_addr asset;
} store_pos_key;

enum { STORE_EXTRA_MAX = 256 };

/* A position snapshot at one block. Same units as store_move; `extra` holds up to
 * STORE_EXTRA_MAX opaque bytes the tracker may need (protocol-specific figures). */
typedef struct store_position {
    uint64_t block; /* from the key; encode ignores it */
    uint64_t block_time;
    uint8_t decimals;
    uint8_t flags;             /* the tracker's */
    rpc_u256 collateral, debt; /* raw */
    rpc_u256 price;            /* USD 1e8 per whole token */
    rpc_u256 hf;               /* WAD, 0 = no debt */
    rpc_u256 liq_threshold;    /* basis points */
    rpc_u256 liq_price;        /* USD 1e8 */
    rpc_u256 collateral_usd, debt_usd;
    uint16_t extra_len;
    uint8_t extra[STORE_EXTRA_MAX];
} store_position;

/* Upper bounds of an encoded record, for callers' buffers. */
enum { STORE_MOVE_ENC_MAX = 512, STORE_POS_ENC_MAX = 640 };

/* store_move_encode: writes the current version of m into buf.
 * Returns: 0; STORE_EINVAL if the entity name is longer than STORE_NAME_MAX or not
 *   NUL-terminated within the array; STORE_ETOO_LARGE if cap is too small.
 * Out: buf[0..*len) (the caller's buffer), *len (0 on failure).
 * In: m (seq and STORE_MOVE_RETRACTED are not written: seq is the record's key). */
int store_move_encode(uint8_t *buf, size_t cap, size_t *len, const store_move *m) STORE_WUR;

/* store_move_decode: reads a record of any version this build knows.
 * Returns: 0; STORE_EVERSION for an unknown version; STORE_ERECORD if malformed.
 * Out: *m, zeroed on failure. In: seq (the record's key), buf[0..len). */
int store_move_decode(store_move *m, uint64_t seq, const uint8_t *buf, size_t len) STORE_WUR;

/* store_pos_encode / store_pos_decode: the same for a position snapshot.
 * Returns: as the move functions; encode gives STORE_EINVAL if extra_len > STORE_EXTRA_MAX.
 * Out: *p zeroed on failure; p->block = block. */
int store_pos_encode(uint8_t *buf, size_t cap, size_t *len, const store_position *p) STORE_WUR;
int store_pos_decode(store_position *p, uint64_t block, const uint8_t *buf, size_t len) STORE_WUR;

#endif
