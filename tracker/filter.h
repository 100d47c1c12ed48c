/* tracker/filter.h — which moves a reader shows: by entity, kind, USD value and block or
 * time range; shared by tail, history and export so they agree on what a filter means. */
#ifndef WT_TRACKER_FILTER_H
#define WT_TRACKER_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include "store/record.h"

/* Zero-initialise: everything passes. Plain data; strings borrowed. */
typedef struct trk_filter {
    const char *entity; /* exact name, or NULL */
    unsigned kind;      /* a store kind, or 0; a retraction matches its retracted kind */
    bool has_min_usd;
    rpc_u256 min_usd;              /* USD x 10^8 (a retraction carries its move's value) */
    uint64_t block_from, block_to; /* inclusive; to 0 = no end */
    uint64_t time_from, time_to;   /* unix seconds inclusive; to 0 = no end */
} trk_filter;

/* trk_filter_match: whether move m passes every condition of f. */
bool trk_filter_match(const trk_filter *f, const store_move *m);

#endif
