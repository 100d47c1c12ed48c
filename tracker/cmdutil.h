/* tracker/cmdutil.h — what the store-reading commands (tail, positions, history, export,
 * liqmap, chart) share: the default data directory, opening the store read-only with one
 * clear line on failure, optional watchlists for entity names, and argument parsers. */
#ifndef WT_TRACKER_CMDUTIL_H
#define WT_TRACKER_CMDUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rpc/types.h"
#include "store/store.h"
#include "tracker/cli.h"
#include "tracker/err.h"
#include "watchlists/wl.h"

/* trk_data_dir_default: $WHALETRACK_DATA_DIR, else $XDG_DATA_HOME/whaletrack, else
 * $HOME/.local/share/whaletrack (what `run` uses without --data-dir).
 * Returns: 0; TRK_EINVAL (no HOME); TRK_ETOO_LARGE. Out: out[0..cap), "" on failure. */
int trk_data_dir_default(char *out, size_t cap) TRK_WUR;

/* trk_usage: prints "whaletrack: <msg> (see whaletrack <cmd> --help)" on stderr.
 * Returns: TRK_EXIT_USAGE, for `return trk_usage(...)`. */
int trk_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* trk_open_reader: opens the store in dir read-only (dir NULL: the default). chain_id 0
 * accepts any chain; otherwise a store of another chain is refused.
 * Returns: TRK_EXIT_OK; TRK_EXIT_NOSTORE (missing or empty dir, no store, another chain:
 *   one line on stderr); TRK_EXIT_FAIL (damaged or unreadable: one line on stderr).
 * Out: *s (store_close), NULL on failure. */
int trk_open_reader(store **s, const char *dir, uint64_t chain_id) TRK_WUR;

/* trk_load_optional: loads the watchlists at paths; with npaths 0, ./watchlists if it
 * exists (no set and no error when it does not): readers use it for names and labels.
 * Returns: TRK_EXIT_OK (*set may be NULL); TRK_EXIT_FAIL (errors printed on stderr).
 * Out: *set (wl_set_free) or NULL. */
int trk_load_optional(wl_set **set, const char *const *paths, size_t npaths) TRK_WUR;

/* trk_parse_u64: decimal digits only. Returns: 0; -1. Out: *v (0 on failure). */
int trk_parse_u64(uint64_t *v, const char *s) TRK_WUR;

/* trk_parse_usd: "1000000", "1,000,000", "2.5" or "$1,000" -> USD x 10^8.
 * Returns: 0; -1. Out: *v, zero on failure. */
int trk_parse_usd(rpc_u256 *v, const char *s) TRK_WUR;

/* trk_parse_time: "2026-01-31", "2026-01-31T09:14:23" or "2026-01-31 09:14:23" (UTC), or
 * "@UNIX". Returns: 0; -1. Out: *t, 0 on failure. */
int trk_parse_time(uint64_t *t, const char *s) TRK_WUR;

/* trk_parse_kind: a move kind's name ("repay"). Returns: the kind; 0 when unknown. */
unsigned trk_parse_kind(const char *s);

/* trk_color: whether f should get ANSI colours: a terminal and NO_COLOR unset or empty. */
bool trk_color(FILE *f);

/* trk_resolve: the entity called name (exact), or the address name if it parses as
 * one. Returns: 0 with *e set (entity) or *addr set (address, *e NULL); -1 when name is
 * neither. set may be NULL (then only addresses are found). */
int trk_resolve(const wl_entity **e, rpc_addr *addr, const wl_set *set, const char *name) TRK_WUR;

/* Position keys gathered from the latest snapshots (one small record per position). */
typedef struct trk_keys {
    store_pos_key *v; /* malloc'ed: free(v) */
    size_t n, cap;
} trk_keys;

/* trk_keys_collect: appends the key of every position with a snapshot, of the addresses
 * only[0..nonly) (nonly 0: every address); with lending, protocol positions only.
 * Returns: 0; a store error; -1 (out of memory). Out: ks grows (free ks->v also on error). */
int trk_keys_collect(trk_keys *ks, store *s, const rpc_addr *only, size_t nonly,
                     bool lending) TRK_WUR;

/* A file written whole or not at all: written as PATH.partial, renamed at the end. */
typedef struct trk_outfile {
    FILE *f;
    char tmp[4096];
    const char *path;
} trk_outfile;

/* trk_outfile_open: creates PATH.partial (refusing an existing one).
 * Returns: 0; -1 (one line on stderr). Out: *o; o->f to write to. */
int trk_outfile_open(trk_outfile *o, const char *path) TRK_WUR;
/* trk_outfile_commit: flushes, syncs, closes and renames into place; on any failure
 * removes the partial file. Returns: 0; -1 (one line on stderr). */
int trk_outfile_commit(trk_outfile *o) TRK_WUR;
/* trk_outfile_abort: closes and removes the partial file; a no-op after commit. */
void trk_outfile_abort(trk_outfile *o);

#endif
