/* tracker/filter.c — the one definition of which moves a filter lets through. A
 * retraction passes whenever the move it retracts would, so a reader never shows a move
 * and then hides that it was taken back. */
#include <string.h>

#include "rpc/u256.h"
#include "tracker/filter.h"

bool trk_filter_match(const trk_filter *f, const store_move *m)
{
    bool retraction = m->kind == STORE_KIND_RETRACTED;
    if (f->entity && strcmp(f->entity, m->entity) != 0)
        return false;
    if (f->kind && f->kind != m->kind && !(retraction && f->kind == m->retracted_kind))
        return false;
    if (f->has_min_usd && rpc_u256_cmp(&m->usd, &f->min_usd) < 0)
        return false;
    if (m->block < f->block_from || (f->block_to && m->block > f->block_to))
        return false;
    if (m->block_time < f->time_from || (f->time_to && m->block_time > f->time_to))
        return false;
    return true;
}
