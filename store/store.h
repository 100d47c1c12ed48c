/* store/store.h — whaletrack's on-disk state: one LMDB environment per data directory
 * holding the cursor, recent block hashes, position snapshots, the move log, its indexes
 * and the outbox. One writer commits batches atomically; any number of readers in other
 * processes read consistent snapshots beside it and never block it.
 *
 * Threads and processes: a `store` handle is used by one thread at a time (it may move
 * between threads). Open at most one handle per data directory per process (LMDB's rule:
 * a second environment on the same file in one process breaks its locks). */
#ifndef WT_STORE_STORE_H
#define WT_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "rpc/types.h"
#include "store/err.h"
#include "store/record.h"

enum { STORE_SCHEMA_VERSION = 1 };

typedef struct store store;

typedef struct store_opts {
    uint64_t chain_id;    /* writer: required; read-only: 0 accepts the stored chain */
    rpc_hash32 genesis;   /* checked with chain_id (ignored when chain_id is 0) */
    int readonly;         /* nonzero: queries only; the store must exist */
    size_t map_size;      /* initial map in bytes; 0 = 16 MiB. Grows by doubling when full */
    size_t map_max;       /* growth stops here (STORE_EMAPFULL); 0 = 1 TiB */
    unsigned keep_blocks; /* block hashes kept behind the cursor (reorg window); 0 = 1024 */
    int nosync;           /* nonzero: commits skip fsync. A killed process still loses nothing; a
                           * machine crash may lose the last commits, never consistency. Tests, bench */
} store_opts;

/* store_open: opens (a writer creates it if missing) the store in directory dir. An
 * existing data file is first checked through a read-only environment, so a foreign,
 * damaged or mismatched file is never written to.
 * Returns: 0; STORE_EINVAL (writer without chain_id); STORE_ENOTFOUND (read-only, no
 *   store); STORE_EFOREIGN; STORE_ECORRUPT; STORE_ESCHEMA; STORE_ECHAIN; STORE_EIO;
 *   STORE_EBUSY; STORE_ENOMEM; STORE_ELMDB.
 * Out: *out (close with store_close), NULL on failure; why[0..why_len) a one-line message
 *   naming the directory and what to do ("" on success); why may be NULL.
 * In: dir (created if missing, for a writer), opts. */
int store_open(store **out, char *why, size_t why_len, const char *dir,
               const store_opts *opts) STORE_WUR;

/* store_close: closes the handle; NULL is a no-op. */
void store_close(store *s);

typedef struct store_info {
    uint32_t schema;
    uint64_t chain_id;
    rpc_hash32 genesis;
    uint64_t created; /* unix seconds */
    int has_cursor;   /* 0 until the first batch with a cursor */
    uint64_t cursor_block;
    rpc_hash32 cursor_hash;
    uint64_t last_seq; /* 0 when the log is empty */
    uint64_t map_size; /* current map size in bytes */
} store_info;

/* store_info_get: reads meta, cursor and the last sequence number in one read transaction.
 * Returns: 0; STORE_EBUSY; STORE_ECORRUPT; STORE_ELMDB. Out: *info, zeroed on failure. */
int store_info_get(store *s, store_info *info) STORE_WUR;

/* store_block_get: the recorded hash and parent hash of block `number`.
 * Returns: 0; STORE_ENOTFOUND (never recorded or pruned); STORE_ECORRUPT; STORE_ELMDB.
 * Out: *hash, *parent (either may be NULL), zeroed on failure. */
int store_block_get(store *s, rpc_hash32 *hash, rpc_hash32 *parent, uint64_t number) STORE_WUR;

/* ---- Writing: one batch = one write transaction ---------------------------------- */

/* A batch is built in memory, then committed whole; it is kept intact by store_commit so a
 * commit can be retried. Not tied to a store; free with store_batch_free. */
typedef struct store_batch store_batch;

/* store_batch_new: an empty batch that refuses to grow past cap bytes (0 = 64 MiB).
 * Returns: 0; STORE_ENOMEM. Out: *out, NULL on failure. */
int store_batch_new(store_batch **out, size_t cap) STORE_WUR;
/* store_batch_free: frees the batch and its memory; NULL is a no-op. */
void store_batch_free(store_batch *b);
/* store_batch_reset: empties the batch for reuse, keeping its memory. */
void store_batch_reset(store_batch *b);

/* store_batch_cursor: the batch moves the cursor to (number, hash) when committed. */
void store_batch_cursor(store_batch *b, uint64_t number, const rpc_hash32 *hash);

/* store_batch_block: records a processed block's hash and parent hash.
 * Returns: 0; STORE_ETOO_LARGE (cap); STORE_ENOMEM. */
int store_batch_block(store_batch *b, uint64_t number, const rpc_hash32 *hash,
                      const rpc_hash32 *parent) STORE_WUR;

/* store_batch_snapshot: a position snapshot at p->block (replaces one at the same block).
 * Returns: 0; STORE_EINVAL (bad extra_len); STORE_ETOO_LARGE; STORE_ENOMEM. */
int store_batch_snapshot(store_batch *b, const store_pos_key *key,
                         const store_position *p) STORE_WUR;

/* store_batch_move: appends a move; its seq is assigned at commit, in batch order.
 * Returns: 0; STORE_EINVAL (bad entity name, or kind STORE_KIND_RETRACTED: retractions are
 *   written by store_rollback); STORE_ETOO_LARGE; STORE_ENOMEM.
 * Out: *index (may be NULL), the move's index in this batch, for store_batch_outbox. */
int store_batch_move(store_batch *b, size_t *index, const store_move *m) STORE_WUR;

/* store_batch_outbox: queues an alert for sink `sink` about move number move_index of this
 * batch, with an optional payload (the sink's own bytes, up to 4096).
 * Returns: 0; STORE_EINVAL (no such move index, or the 8 bytes the store tags its own
 *   retraction alerts with, "\xffretract"); STORE_ETOO_LARGE; STORE_ENOMEM. */
int store_batch_outbox(store_batch *b, uint32_t sink, size_t move_index, const void *payload,
                       size_t len) STORE_WUR;

/* store_commit: applies the batch in one write transaction: cursor, blocks, snapshots,
 * moves with their indexes, outbox; then prunes block hashes older than keep_blocks. If the
 * map is full, aborts, grows the map and retries.
 * Returns: 0; STORE_ERDONLY; STORE_ECURSOR (the cursor would not advance past the stored
 *   one); STORE_EMAPFULL (map_max reached); STORE_EDISKFULL; STORE_ETOO_LARGE (batch
 *   larger than one LMDB transaction); STORE_EIO; STORE_ELMDB. On any error nothing of
 *   the batch is stored.
 * Out: *first_seq (may be NULL): seq of the batch's first move (0 if it has none). */
int store_commit(store *s, uint64_t *first_seq, const store_batch *b) STORE_WUR;

/* store_rollback: undoes blocks above `block` for a reorg, in one write transaction:
 * deletes their block hashes and snapshots, appends one retraction for every move above
 * `block` not yet retracted (the moves stay in the log), sets the cursor to `block` with
 * its recorded hash. A no-op if the cursor is at or below `block`. Pending alerts stay
 * queued: a sink skips one whose move now reads STORE_MOVE_RETRACTED.
 * Returns: 0; STORE_ERDONLY; STORE_EREORG_DEEP (block's hash is not kept); STORE_EMAPFULL;
 *   STORE_EDISKFULL; STORE_EIO; STORE_ELMDB.
 * Out: *retracted (may be NULL): how many retractions were appended. */
int store_rollback(store *s, size_t *retracted, uint64_t block) STORE_WUR;

/* ---- Reading: each query is one read transaction, a consistent view -------------- */

/* Callbacks get borrowed records, valid during the call. Return 0 to go on, >0 to stop
 * (the query then returns 0), <0 to stop and have the query return that value. The read
 * transaction stays open meanwhile: keep callbacks short (an old reader keeps LMDB from
 * reusing pages, and the file grows). A callback must not use the same store handle. */
typedef int (*store_move_fn)(void *ctx, const store_move *m);
typedef int (*store_pos_fn)(void *ctx, const store_pos_key *key, const store_position *p);

/* store_moves_from: moves with seq >= from_seq in log order, at most max (0 = all).
 * Returns: 0; the callback's negative value; STORE_ECORRUPT; STORE_EVERSION;
 *   STORE_EBUSY; STORE_ELMDB. */
int store_moves_from(store *s, uint64_t from_seq, size_t max, store_move_fn fn,
                     void *ctx) STORE_WUR;

typedef struct store_range {
    uint64_t block_from, block_to; /* inclusive; to = 0 means no end */
    uint64_t time_from, time_to;   /* inclusive unix seconds; to = 0 means no end */
} store_range;

/* store_moves_by_address / store_moves_by_entity: moves of one address / entity whose
 * block and time fall in r, in (block, seq) order; retractions are included and retracted
 * moves carry STORE_MOVE_RETRACTED.
 * Returns: as store_moves_from; STORE_EINVAL for an entity name over STORE_NAME_MAX. */
int store_moves_by_address(store *s, const rpc_addr *address, const store_range *r,
                           store_move_fn fn, void *ctx) STORE_WUR;
int store_moves_by_entity(store *s, const char *entity, const store_range *r, store_move_fn fn,
                          void *ctx) STORE_WUR;

/* store_snapshot_history: snapshots of one position with block in [from, to] (to = 0: no
 * end), oldest first.
 * Returns: 0; the callback's negative value; STORE_ECORRUPT; STORE_EVERSION; STORE_ELMDB. */
int store_snapshot_history(store *s, const store_pos_key *key, uint64_t from, uint64_t to,
                           store_pos_fn fn, void *ctx) STORE_WUR;

/* store_snapshot_at: the position's latest snapshot at or before `block` (0 = latest).
 * Returns: 0; STORE_ENOTFOUND; STORE_ECORRUPT; STORE_EVERSION; STORE_ELMDB.
 * Out: *p, zeroed on failure. */
int store_snapshot_at(store *s, store_position *p, const store_pos_key *key,
                      uint64_t block) STORE_WUR;

/* store_snapshot_latest: the latest snapshot of every position, ordered by key; only
 * those of `address` if it is not NULL.
 * Returns: as store_snapshot_history. */
int store_snapshot_latest(store *s, const rpc_addr *address, store_pos_fn fn, void *ctx) STORE_WUR;

/* store_wait_moves: blocks until the log's last seq is above after_seq or timeout_ms
 * passes (-1 = no limit). Sleeps on a file-change notification of the data file (inotify),
 * re-checking at least every 250 ms in case one is missed; no busy polling.
 * Returns: 0; STORE_ETIMEOUT; STORE_EIO; STORE_EBUSY; STORE_ELMDB.
 * Out: *last_seq (may be NULL): the last seq seen (also on STORE_ETIMEOUT; 0 on errors). */
int store_wait_moves(store *s, uint64_t *last_seq, uint64_t after_seq, int timeout_ms) STORE_WUR;

/* ---- Outbox: alerts waiting for delivery ----------------------------------------- */

typedef struct store_alert {
    uint64_t id; /* increasing */
    uint32_t sink;
    uint64_t seq;           /* the move it is about */
    int retraction;         /* 1: take back the alert about seq that went out (its move was
                               retracted by a reorg after or during delivery); len is 0 */
    const uint8_t *payload; /* borrowed: valid during the callback */
    size_t len;
} store_alert;
typedef int (*store_alert_fn)(void *ctx, const store_alert *a);

/* store_outbox_take: pending alerts, oldest first, at most max (0 = all); only those for
 * `sink` unless sink is 0. They stay pending until store_outbox_done.
 * Returns: 0; the callback's negative value; STORE_ECORRUPT; STORE_ELMDB. */
int store_outbox_take(store *s, uint32_t sink, size_t max, store_alert_fn fn, void *ctx) STORE_WUR;

/* store_outbox_done: marks alert `id` delivered (removes it) and remembers that its move
 * went out to its sink, in one write transaction: a later store_rollback retracting the
 * move queues a retraction alert for that sink, and if the move is already retracted (a
 * reorg while the alert was on the wire) the retraction alert is queued at once.
 * Returns: 0; STORE_ENOTFOUND; STORE_ERDONLY; STORE_ECORRUPT; STORE_EMAPFULL;
 *   STORE_EDISKFULL; STORE_ELMDB. */
int store_outbox_done(store *s, uint64_t id) STORE_WUR;

/* store_outbox_drop: removes alert `id` without delivering it (a sink's rules skip its
 * move, or its move was retracted before it went out): no retraction will follow.
 * Returns: as store_outbox_done. */
int store_outbox_drop(store *s, uint64_t id) STORE_WUR;

#endif
