/* store/internal.h — shared by the store's sources only: the handle, the named databases,
 * big-endian key helpers and the transaction wrappers that map LMDB's errors to ours.
 * Not part of the store's contract; other modules include store/store.h. */
#ifndef WT_STORE_INTERNAL_H
#define WT_STORE_INTERNAL_H

#include <lmdb.h>
#include <stdint.h>
#include <string.h>

#include "store/store.h"

/* Key layouts (all integers big-endian so LMDB's byte order is numeric order):
 *   meta       "schema" u32 | "chain_id" u64 | "genesis" 32 | "created" u64 | "outbox_next" u64
 *   cursor     "cursor" -> number u64 | hash 32
 *   blocks     number u64 -> hash 32 | parent 32
 *   snapshots  poskey 44 | block u64 -> position record
 *   snapblk    block u64 | poskey 44 -> ""          (rollback finds snapshots by block)
 *   poslatest  poskey 44 -> block u64               (latest snapshot per position)
 *   moves      seq u64 -> move record
 *   live       block u64 | seq u64 -> ""            (moves neither retracted nor retractions)
 *   idx_addr   address 20 | block u64 | seq u64 -> ""
 *   idx_entity len u8 | name | block u64 | seq u64 -> ""
 *   outbox     id u64 -> sink u32 | seq u64 | payload
 *   sent       seq u64 | sink u32 -> ""              (alerts delivered; a rollback that
 *                                                      retracts seq queues a retraction)
 * where poskey = address 20 | protocol u32 | asset 20. */
enum { POSKEY_LEN = 44, CURSOR_VAL_LEN = 40, BLOCK_VAL_LEN = 64, OUTBOX_HDR_LEN = 12 };

struct store {
    MDB_env *env;
    MDB_dbi meta, cursor, blocks, snaps, snapblk, poslatest, moves, live, idx_addr, idx_entity,
        outbox, sent;
    int has_sent; /* 0 for a reader of a store no writer of this version has opened yet */
    int readonly;
    size_t map_size, map_max;
    unsigned keep_blocks;
    char *data_path; /* dir/data.mdb, for the change notification */
    int notify_fd;   /* inotify descriptor, -1 until store_wait_moves needs it */
};

static inline void be_put64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

static inline uint64_t be_get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return v;
}

static inline void be_put32(uint8_t *p, uint32_t v)
{
    for (int i = 3; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

static inline uint32_t be_get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void poskey_put(uint8_t out[POSKEY_LEN], const store_pos_key *k)
{
    memcpy(out, k->address.b, 20);
    be_put32(out + 20, k->protocol);
    memcpy(out + 24, k->asset.b, 20);
}

static inline void poskey_get(store_pos_key *k, const uint8_t in[POSKEY_LEN])
{
    memcpy(k->address.b, in, 20);
    k->protocol = be_get32(in + 20);
    memcpy(k->asset.b, in + 24, 20);
}

/* store__err: maps an LMDB or errno code to a store code; store codes pass through. */
int store__err(int rc);

/* store__read_begin: a read transaction, adopting a map grown by another process.
 * Returns: 0 or a store error; *txn NULL on failure. */
int store__read_begin(store *s, MDB_txn **txn);

/* store__write: runs apply in a write transaction and commits; on a full map aborts,
 * grows the map and runs apply again (apply must depend only on arg and the store).
 * Returns: 0 or a store error (apply's own errors pass through). */
typedef int (*store__apply_fn)(store *s, MDB_txn *txn, void *arg);
int store__write(store *s, store__apply_fn apply, void *arg);

/* store__last_seq: the last key of the moves database, 0 if empty. */
int store__last_seq(store *s, MDB_txn *txn, uint64_t *seq);

/* store__load_move: reads and decodes move `seq`, setting STORE_MOVE_RETRACTED if it left
 * the live index; live is a cursor on it (faster for scans) or NULL.
 * Returns: 0; STORE_ENOTFOUND; record or LMDB errors. */
int store__load_move(store *s, MDB_txn *txn, MDB_cursor *live, store_move *m, uint64_t seq);
/* store__move_from_val: the same for a record already read (rec, of move seq). */
int store__move_from_val(store *s, MDB_txn *txn, MDB_cursor *live, store_move *m, uint64_t seq,
                         const MDB_val *rec);

/* store__put_indexes: writes the address/entity index entries of move m (seq set). */
int store__put_indexes(store *s, MDB_txn *txn, const store_move *m);

/* store__entity_key: len u8 | name into key (room for 1 + STORE_NAME_MAX + 16).
 * Returns: bytes written, or 0 if the name is too long. */
size_t store__entity_key(uint8_t *key, const char *name);

/* store__queue_alert: appends an outbox entry (sink, seq, payload[0..len)) with the next
 * outbox id. Returns an LMDB or store code. */
int store__queue_alert(store *s, MDB_txn *txn, uint32_t sink, uint64_t seq, const void *payload,
                       size_t len);

/* The payload the store gives the retraction alerts it queues itself. */
#define STORE__RETRACT_TAG "\xffretract"
enum { STORE__RETRACT_TAG_LEN = 8 };

#endif
