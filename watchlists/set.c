/* watchlists/set.c — the checks that need every file of a load (required keys, one
 * address in two places), the sorted indexes, and the read-only accessors.
 * Invariant: a finished set has no address twice: watched and labelled are sorted by
 * bytes, disjoint, and each index entry names its one owner. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/addr.h"
#include "rpc/u256.h"
#include "watchlists/wl_int.h"

static const char *const kind_text[] = {
#define WL_KIND_TEXT_(name, text) text,
    WL_KINDS(WL_KIND_TEXT_)
#undef WL_KIND_TEXT_
};

const char *wl_kind_name(enum wl_kind k)
{
    if ((unsigned)k >= WL_KIND_COUNT)
        return "?";
    return kind_text[k];
}

wl_set *wl_set_new(void)
{
    wl_set *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->rules.min_usd = rpc_u256_from_u64(UINT64_C(100000000000000)); /* $1,000,000 x 10^8 */
    s->rules.health_factor_warn = rpc_u256_from_u64(1300000000000000000u); /* 1.3 */
    s->rules.liquidation_price_move_bp = 200;
    s->rules.backfill_blocks = 7200; /* about one day of 12 s blocks */
    s->rpc.chain_id = 1;
    s->rpc.confirmations = 2;
    s->rpc.max_lag = 5;
    s->rpc.timeout_ms = 10000;
    return s;
}

void wl_set_free(wl_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nents; i++)
        free(s->ents[i].addrs);
    for (size_t i = 0; i < s->nexch; i++)
        free(s->exch[i].addrs);
    for (size_t i = 0; i < s->nprotos; i++) {
        free(s->protos[i].kv);
        free(s->protos[i].markets);
    }
    for (size_t i = 0; i < s->nsinks; i++) {
        free(s->sinks[i].kv);
    }
    free(s->ents);
    free(s->exch);
    free(s->protos);
    free(s->sinks);
    free(s->files);
    free(s->urls);
    free(s->occ);
    free(s->watched);
    free(s->watched_owner);
    free(s->labelled);
    free(s->label_owner);
    wl_arena_free(&s->arena);
    free(s);
}

static int cmp_occ(const void *pa, const void *pb)
{
    const struct wl_occ *a = pa, *b = pb;
    int c = memcmp(a->a.b, b->a.b, sizeof a->a.b);
    if (c)
        return c;
    if (a->file != b->file)
        return a->file < b->file ? -1 : 1;
    return a->line < b->line ? -1 : a->line > b->line;
}

static const char *owner_name(const wl_set *s, const struct wl_occ *o)
{
    return o->exchange ? s->exch[o->owner].pub.name : s->ents[o->owner].pub.name;
}

/* One address found again at o (later in load order) after its first place f. */
static int report_again(const wl_set *s, wl_errors *errs, const struct wl_occ *f,
                        const struct wl_occ *o)
{
    char addr[RPC_ADDR_HEX_LEN + 1];
    const char *what = f->exchange ? "exchange" : "entity";
    if (f->secret || o->secret) /* written as ${VAR} at one place: a secret */
        snprintf(addr, sizeof addr, "(from the environment)");
    else
        rpc_addr_format(addr, &o->a);
    if (f->exchange == o->exchange && f->owner == o->owner)
        return wl_errors_add(errs, s->files[o->file], o->file, o->line,
                             "address %s is listed twice in %s \"%s\" (first at %s:%u)", addr,
                             what, owner_name(s, f), s->files[f->file], f->line);
    return wl_errors_add(errs, s->files[o->file], o->file, o->line,
                         "address %s is also in %s \"%s\" (%s:%u)", addr, what,
                         owner_name(s, f), s->files[f->file], f->line);
}

static int cmp_addr_ix(const void *pa, const void *pb)
{
    return memcmp(pa, pb, sizeof(rpc_addr));
}

static int build_indexes(wl_set *s)
{
    size_t nw = 0, nl = 0;
    for (size_t i = 0; i < s->nocc; i++)
        s->occ[i].exchange ? nl++ : nw++;
    s->watched = malloc((nw ? nw : 1) * sizeof *s->watched);
    s->watched_owner = malloc((nw ? nw : 1) * sizeof *s->watched_owner);
    s->labelled = malloc((nl ? nl : 1) * sizeof *s->labelled);
    s->label_owner = malloc((nl ? nl : 1) * sizeof *s->label_owner);
    if (!s->watched || !s->watched_owner || !s->labelled || !s->label_owner)
        return WL_ENOMEM;
    /* occ is sorted by address and has no repeats (checked before), so the two
     * indexes come out sorted */
    for (size_t i = 0; i < s->nocc; i++) {
        const struct wl_occ *o = &s->occ[i];
        if (o->exchange) {
            s->labelled[s->nlabelled] = o->a;
            s->label_owner[s->nlabelled++] = o->owner;
        } else {
            s->watched[s->nwatched] = o->a;
            s->watched_owner[s->nwatched++] = o->owner;
        }
    }
    return WL_OK;
}

struct name_ref {
    const char *name, *what;
    uint32_t file, line;
};

static int cmp_name(const void *pa, const void *pb)
{
    const struct name_ref *a = pa, *b = pb;
    int c = strcmp(a->name, b->name);
    if (c)
        return c;
    if (a->file != b->file)
        return a->file < b->file ? -1 : 1;
    return a->line < b->line ? -1 : a->line > b->line;
}

/* Names are unique per kind: sort (n log n, 10,000 entities stay fast) and report each
 * later definition at its header, naming the first. */
static int check_names(const wl_set *s, wl_errors *errs, struct name_ref *v, size_t n)
{
    if (n > 1)
        qsort(v, n, sizeof *v, cmp_name);
    for (size_t i = 1, first = 0; i < n; i++) {
        if (strcmp(v[i].name, v[first].name) != 0) {
            first = i;
            continue;
        }
        if (wl_errors_add(errs, s->files[v[i].file], v[i].file, v[i].line,
                          "%s \"%s\" is already defined at %s:%u", v[i].what, v[i].name,
                          s->files[v[first].file], v[first].line))
            return WL_ENOMEM;
    }
    return WL_OK;
}

static int check_all_names(const wl_set *s, wl_errors *errs)
{
    size_t n = s->nents > s->nexch ? s->nents : s->nexch;
    n = n > s->nprotos ? n : s->nprotos;
    n = n > s->nsinks ? n : s->nsinks;
    struct name_ref *v = malloc((n ? n : 1) * sizeof *v);
    int rc = WL_OK;
    if (!v)
        return WL_ENOMEM;
    for (size_t i = 0; i < s->nents; i++)
        v[i] = (struct name_ref){s->ents[i].pub.name, "entity", s->ents[i].file,
                                 s->ents[i].pub.line};
    rc = check_names(s, errs, v, s->nents);
    for (size_t i = 0; rc == WL_OK && i < s->nexch; i++)
        v[i] = (struct name_ref){s->exch[i].pub.name, "exchange", s->exch[i].file,
                                 s->exch[i].pub.line};
    if (rc == WL_OK)
        rc = check_names(s, errs, v, s->nexch);
    for (size_t i = 0; rc == WL_OK && i < s->nprotos; i++)
        v[i] = (struct name_ref){s->protos[i].pub.name, "protocol", s->protos[i].file,
                                 s->protos[i].pub.line};
    if (rc == WL_OK)
        rc = check_names(s, errs, v, s->nprotos);
    for (size_t i = 0; rc == WL_OK && i < s->nsinks; i++)
        v[i] = (struct name_ref){s->sinks[i].pub.name, "sink", s->sinks[i].file,
                                 s->sinks[i].pub.line};
    if (rc == WL_OK)
        rc = check_names(s, errs, v, s->nsinks);
    free(v);
    return rc;
}

int wl_set_finish(wl_set *s, wl_errors *errs)
{
    if (check_all_names(s, errs))
        return WL_ENOMEM;
    for (size_t i = 0; i < s->nents; i++)
        if (s->ents[i].pub.naddrs == 0 && !s->ents[i].bad_addr &&
            wl_errors_add(errs, s->files[s->ents[i].file], s->ents[i].file,
                          s->ents[i].pub.line, "entity \"%s\" has no address",
                          s->ents[i].pub.name))
            return WL_ENOMEM;
    for (size_t i = 0; i < s->nexch; i++)
        if (s->exch[i].pub.naddrs == 0 && !s->exch[i].bad_addr &&
            wl_errors_add(errs, s->files[s->exch[i].file], s->exch[i].file,
                          s->exch[i].pub.line, "exchange \"%s\" has no address",
                          s->exch[i].pub.name))
            return WL_ENOMEM;
    for (size_t i = 0; i < s->nprotos; i++)
        if (wl_check_protocol(s, errs, &s->protos[i]))
            return WL_ENOMEM;
    for (size_t i = 0; i < s->nsinks; i++)
        if (wl_check_sink(s, errs, &s->sinks[i]))
            return WL_ENOMEM;
    if (s->has_rpc && s->rpc.nurls == 0 && !s->bad_url &&
        wl_errors_add(errs, s->files[s->rpc_file], s->rpc_file, s->rpc.line,
                      "[rpc] is missing required key 'url'"))
        return WL_ENOMEM;

    if (s->nocc > 1)
        qsort(s->occ, s->nocc, sizeof *s->occ, cmp_occ);
    for (size_t i = 0, first = 0; i < s->nocc; i++) {
        if (i == 0 || memcmp(s->occ[i].a.b, s->occ[first].a.b, 20) != 0) {
            first = i;
            continue;
        }
        if (report_again(s, errs, &s->occ[first], &s->occ[i]))
            return WL_ENOMEM;
    }
    for (size_t k = 0; k < WL_KIND_COUNT; k++)
        if (!(s->rules.overridden & (1u << k)))
            s->rules.min_usd_kind[k] = s->rules.min_usd;
    if (errs->n || errs->dropped)
        return WL_OK;
    return build_indexes(s);
}

size_t wl_file_count(const wl_set *s) { return s->nfiles; }
const char *wl_file_at(const wl_set *s, size_t i) { return i < s->nfiles ? s->files[i] : NULL; }
size_t wl_entity_count(const wl_set *s) { return s->nents; }
const wl_entity *wl_entity_at(const wl_set *s, size_t i)
{
    return i < s->nents ? &s->ents[i].pub : NULL;
}
size_t wl_exchange_count(const wl_set *s) { return s->nexch; }
const wl_exchange *wl_exchange_at(const wl_set *s, size_t i)
{
    return i < s->nexch ? &s->exch[i].pub : NULL;
}
size_t wl_protocol_count(const wl_set *s) { return s->nprotos; }
const wl_protocol *wl_protocol_at(const wl_set *s, size_t i)
{
    return i < s->nprotos ? &s->protos[i].pub : NULL;
}
const wl_rules *wl_rules_of(const wl_set *s) { return &s->rules; }
const wl_rpc *wl_rpc_of(const wl_set *s) { return s->has_rpc ? &s->rpc : NULL; }

const rpc_addr *wl_watched(const wl_set *s, size_t *n)
{
    *n = s->nwatched;
    return s->nwatched ? s->watched : NULL;
}

static const uint32_t *find(const rpc_addr *v, const uint32_t *owner, size_t n,
                            const rpc_addr *a)
{
    const rpc_addr *hit = n ? bsearch(a, v, n, sizeof *v, cmp_addr_ix) : NULL;
    return hit ? &owner[hit - v] : NULL;
}

const wl_entity *wl_entity_of(const wl_set *s, const rpc_addr *a)
{
    const uint32_t *o = find(s->watched, s->watched_owner, s->nwatched, a);
    return o ? &s->ents[*o].pub : NULL;
}

const wl_exchange *wl_exchange_of(const wl_set *s, const rpc_addr *a)
{
    const uint32_t *o = find(s->labelled, s->label_owner, s->nlabelled, a);
    return o ? &s->exch[*o].pub : NULL;
}
