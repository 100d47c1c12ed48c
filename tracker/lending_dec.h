/* tracker/lending_dec.h — the decoder rows of the lending protocols (Aave V3 and its forks,
 * Morpho Blue) for tracker/event.c's table. Internal to the tracker module. Each decoder
 * claims only logs emitted by a contract of its kind named in the watchlist; the
 * position's owner goes to ev->from (see trk_event). */
#ifndef WT_TRACKER_LENDING_DEC_H
#define WT_TRACKER_LENDING_DEC_H

#include "tracker/event.h"

/* trk_aave_filters / trk_morpho_filters: the decoder's eth_getLogs filters, the watched
 * owners as topic OR-lists of at most w->chunk words (none when the watchlist names no
 * protocol of the kind). Returns: 0; TRK_ENOMEM. */
int trk_aave_filters(trk_filters *fs, uint16_t self, const trk_watch *w) TRK_WUR;
int trk_morpho_filters(trk_filters *fs, uint16_t self, const trk_watch *w) TRK_WUR;

/* trk_aave_decode / trk_morpho_decode: as trk_decoder.decode.
 * Returns: 0; TRK_EDECODE (one of its events, malformed). Out: *ev, *ok. */
int trk_aave_decode(trk_event *ev, bool *ok, const rpc_log *log, const trk_watch *w) TRK_WUR;
int trk_morpho_decode(trk_event *ev, bool *ok, const rpc_log *log, const trk_watch *w) TRK_WUR;

#endif
