/* tracker/format.h — a move as people and machines read it: one aligned line of text, or
 * one JSON object (a line of JSONL). Used by `run` as moves commit; tail/history reuse it. */
#ifndef WT_TRACKER_FORMAT_H
#define WT_TRACKER_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "store/record.h"
#include "tracker/err.h"
#include "watchlists/wl.h"

enum { TRK_FMT_COLOR = 1 }; /* flags of trk_move_text: ANSI colours (a terminal only) */

/* trk_move_text: the move as an analyst's post (UTC; DESIGN.md "The move"):
 *   "2026-01-31 09:14:23  #21734012    Trend Research    repaid 30,000,000 USDT on Aave V3
 *    ($30,000,000)   0x5e1f…"
 * and, for a lending move, a second line "HF 1.41 -> 1.46   liq. ETH price $1,880 ->
 * $1,830   0x5e1f…" aligned under the sentence. Exchange labels come from set (may be
 * NULL). Amounts are exact, with thousands separators.
 * Out: out[0..cap), NUL-terminated, no final newline, truncated to fit. */
void trk_move_text(char *out, size_t cap, const store_move *m, const wl_set *set,
                   unsigned flags);

/* trk_move_json: the move as one JSON object, no newline. Amounts are decimal strings of
 * the raw integers, with their decimals beside them; nothing passes through a double.
 * Returns: 0; TRK_ENOMEM. Out: *json, caller frees with cJSON_free(); NULL on failure. */
int trk_move_json(char **json, const store_move *m) TRK_WUR;

/* trk_move_print: one move on f, as trk_move_text (flags) or, when json, trk_move_json,
 * then a newline.
 * Returns: 0; TRK_ENOMEM; TRK_EINVAL (f is in error: a closed pipe, a full disk). */
int trk_move_print(FILE *f, const store_move *m, const wl_set *set, unsigned flags,
                   bool json) TRK_WUR;

#endif
