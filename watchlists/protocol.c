/* watchlists/protocol.c — a [protocol] section's keys, checked once the whole section is
 * read (its kind may come after the addresses). Invariant: the public wl_protocol of a
 * set that loaded has every address its kind requires. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rpc/addr.h"
#include "watchlists/wl_int.h"

struct kind_def {
    const char *name;
    const char *keys[5]; /* keys of this kind, NULL-terminated; required ones first */
    size_t nrequired;
};

static const struct kind_def kinds[] = {
    [WL_PROTO_AAVE_V3] = {"aave-v3", {"pool", "oracle", "data_provider", "addresses_provider"},
                          3},
    [WL_PROTO_COMPOUND_V3] = {"compound-v3", {"comet"}, 1},
    [WL_PROTO_MORPHO_BLUE] = {"morpho-blue", {"morpho", "market"}, 1},
};
static const char *const kind_names[] = {"aave-v3", "compound-v3", "morpho-blue"};

const char *wl_proto_kind_name(enum wl_proto_kind k)
{
    if (k < WL_PROTO_AAVE_V3 || k > WL_PROTO_MORPHO_BLUE)
        return "?";
    return kinds[k].name;
}

WL_PRINTF(5, 6)
static int add(wl_errors *errs, struct wl_proto_b *p, wl_set *set, unsigned line,
               const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return wl_errors_add(errs, set->files[p->file], p->file, line, "%s", msg);
}

/* Where the value of each address key goes. */
static rpc_addr *slot(wl_protocol *pub, const char *key)
{
    if (!strcmp(key, "pool") || !strcmp(key, "comet") || !strcmp(key, "morpho"))
        return &pub->contract;
    if (!strcmp(key, "oracle"))
        return &pub->oracle;
    if (!strcmp(key, "data_provider"))
        return &pub->data_provider;
    return &pub->addresses_provider;
}

int wl_check_protocol(wl_set *set, wl_errors *errs, struct wl_proto_b *p)
{
    char msg[512];
    const struct wl_kv *kindkv = NULL;
    enum wl_proto_kind kind = 0;

    for (size_t i = 0; i < p->nkv; i++)
        if (strcmp(p->kv[i].key, "kind") == 0)
            kindkv = &p->kv[i];
    if (!kindkv)
        return add(errs, p, set, p->pub.line, "protocol \"%s\" is missing required key '%s'",
                   p->pub.name, "kind")
                   ? WL_ENOMEM
                   : WL_OK;
    for (int k = WL_PROTO_AAVE_V3; k <= WL_PROTO_MORPHO_BLUE; k++)
        if (strcmp(kindkv->value, kinds[k].name) == 0)
            kind = (enum wl_proto_kind)k;
    if (!kind) {
        const char *sug = wl_suggest(kindkv->value, kind_names, 3);
        int rc = sug ? add(errs, p, set, kindkv->line,
                           "kind: unknown protocol kind '%s' (did you mean '%s'?)",
                           kindkv->shown, sug)
                     : add(errs, p, set, kindkv->line,
                           "kind: unknown protocol kind '%s' (kinds: %s)", kindkv->shown,
                           "aave-v3, compound-v3, morpho-blue");
        return rc ? WL_ENOMEM : WL_OK;
    }
    p->pub.kind = kind;
    const struct kind_def *d = &kinds[kind];
    unsigned given[5] = {0};

    for (size_t i = 0; i < p->nkv; i++) {
        const struct wl_kv *kv = &p->kv[i];
        int k = -1;
        if (kv == kindkv)
            continue;
        for (int j = 0; j < 5 && d->keys[j]; j++)
            if (strcmp(kv->key, d->keys[j]) == 0)
                k = j;
        if (k < 0) {
            char keys[128] = "";
            size_t used = 0;
            for (int j = 0; j < 5 && d->keys[j]; j++) {
                int w = snprintf(keys + used, sizeof keys - used, "%s%s", j ? ", " : "",
                                 d->keys[j]);
                if (w > 0 && (size_t)w < sizeof keys - used)
                    used += (size_t)w;
            }
            if (add(errs, p, set, kv->line, "key '%s' does not apply to kind %s (keys: %s)",
                    kv->key, d->name, keys))
                return WL_ENOMEM;
            continue;
        }
        given[k] = kv->line;
        if (strcmp(kv->key, "market") == 0) {
            rpc_hash32 id;
            if (rpc_hash32_parse(&id, kv->value, strlen(kv->value)) != RPC_OK) {
                if (add(errs, p, set, kv->line,
                        "market: malformed market id '%s': expected 0x and 64 hex digits",
                        kv->shown))
                    return WL_ENOMEM;
                continue;
            }
            if (wl_grow((void **)&p->markets, &p->mcap, p->pub.nmarkets, sizeof *p->markets))
                return WL_ENOMEM;
            p->markets[p->pub.nmarkets++] = id;
            p->pub.markets = p->markets;
            continue;
        }
        if (wl_parse_addr(slot(&p->pub, kv->key), msg, sizeof msg, kv->value, kv->shown) &&
            add(errs, p, set, kv->line, "%s: %s", kv->key, msg))
            return WL_ENOMEM;
    }
    for (size_t j = 0; j < d->nrequired; j++)
        if (!given[j] && add(errs, p, set, p->pub.line,
                             "protocol \"%s\" is missing required key '%s'", p->pub.name,
                             d->keys[j]))
            return WL_ENOMEM;
    return WL_OK;
}
