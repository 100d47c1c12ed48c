/* tracker/format.h — a move as people and machines read it: one aligned line of text, or
 * one JSON object (a line of JSONL). Used by `run` as moves commit; tail/history reuse it. */
#ifndef WT_TRACKER_FORMAT_H
#define WT_TRACKER_FORMAT_H

#include <stddef.h>

#include "store/record.h"
#include "tracker/err.h"
#include "watchlists/wl.h"

/* trk_move_text: "2026-01-31 09:14:23  #21734012  Whale  exchange_deposit  120 of 0x5fbd…0aa3
 *   to Binance  tx 0x1a2b…" (UTC). Exchange labels come from set (may be NULL).
 * Out: out[0..cap), NUL-terminated, truncated to fit. */
void trk_move_text(char *out, size_t cap, const store_move *m, const wl_set *set);

/* trk_move_json: the move as one JSON object, no newline. Amounts are decimal strings of
 * the raw integers, with their decimals beside them; nothing passes through a double.
 * Returns: 0; TRK_ENOMEM. Out: *json, caller frees with cJSON_free(); NULL on failure. */
int trk_move_json(char **json, const store_move *m) TRK_WUR;

#endif
