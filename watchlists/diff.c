/* watchlists/diff.c — what a reload changes in the watched addresses, and the reload
 * itself. Invariant: wl_reload swaps the running set only for one that loaded without
 * error; a failed reload leaves the caller's set and pointers into it untouched. */
#include <stdlib.h>
#include <string.h>

#include "watchlists/wl_int.h"

void wl_diff_free(wl_diff *d)
{
    if (!d)
        return;
    free(d->added);
    free(d->removed);
    free(d->names_);
    memset(d, 0, sizeof *d);
}

/* Walk two sorted address lists; fill the entries of a that b lacks. */
static size_t only_in(wl_diff_addr *out, const wl_set *a, const wl_set *b)
{
    size_t n = 0, j = 0;
    size_t nb = b ? b->nwatched : 0;
    for (size_t i = 0; i < a->nwatched; i++) {
        int c = 1;
        while (j < nb && (c = memcmp(b->watched[j].b, a->watched[i].b, 20)) < 0)
            j++;
        if (j < nb && c == 0)
            continue;
        if (out) {
            const wl_entity *e = &a->ents[a->watched_owner[i]].pub;
            out[n] = (wl_diff_addr){.addr = a->watched[i], .since = e->since, .entity = e->name};
        }
        n++;
    }
    return n;
}

/* Copy the entity names into storage the diff owns (entities repeat: one copy each). */
static int own_names(wl_diff *d)
{
    size_t total = 0;
    for (size_t i = 0; i < d->nadded; i++)
        total += strlen(d->added[i].entity) + 1;
    for (size_t i = 0; i < d->nremoved; i++)
        total += strlen(d->removed[i].entity) + 1;
    d->names_ = malloc(total ? total : 1);
    if (!d->names_)
        return -1;
    char *p = d->names_;
    const char *last = NULL, *copy = NULL;
    wl_diff_addr *lists[2] = {d->added, d->removed};
    size_t counts[2] = {d->nadded, d->nremoved};
    for (int l = 0; l < 2; l++) {
        for (size_t i = 0; i < counts[l]; i++) {
            const char *src = lists[l][i].entity;
            if (src != last) {
                size_t n = strlen(src) + 1;
                memcpy(p, src, n);
                last = src;
                copy = p;
                p += n;
            }
            lists[l][i].entity = copy;
        }
        last = NULL;
    }
    return 0;
}

int wl_diff_compute(wl_diff *d, const wl_set *old_set, const wl_set *new_set)
{
    memset(d, 0, sizeof *d);
    size_t na = only_in(NULL, new_set, old_set);
    size_t nr = old_set ? only_in(NULL, old_set, new_set) : 0;
    d->added = malloc((na ? na : 1) * sizeof *d->added);
    d->removed = malloc((nr ? nr : 1) * sizeof *d->removed);
    if (!d->added || !d->removed)
        goto oom;
    d->nadded = only_in(d->added, new_set, old_set);
    d->nremoved = old_set ? only_in(d->removed, old_set, new_set) : 0;
    if (own_names(d))
        goto oom;
    return WL_OK;
oom:
    wl_diff_free(d);
    return WL_ENOMEM;
}

int wl_reload(wl_set **cur, wl_diff *diff, wl_errors *errs, const char *const *paths,
              size_t npaths, const wl_load_opts *opts)
{
    wl_set *next = NULL;
    memset(diff, 0, sizeof *diff);
    int rc = wl_load(&next, errs, paths, npaths, opts);
    if (rc)
        return rc;
    rc = wl_diff_compute(diff, *cur, next);
    if (rc) {
        wl_set_free(next);
        return rc;
    }
    wl_set_free(*cur);
    *cur = next;
    return WL_OK;
}
