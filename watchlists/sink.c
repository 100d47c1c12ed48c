/* watchlists/sink.c — a [sink "name"] section's keys, checked once the whole file set is
 * read (its entities = list names entities of any file). Invariant: a sink of a set that
 * loaded has every key its kind needs, no key of another kind, and an id no other sink
 * of the set shares. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rpc/u256.h"
#include "watchlists/wl_int.h"

static const char *const kind_names[] = {"webhook", "telegram", "discord", "command"};

/* Keys each kind takes beside kind, kinds, entities, min_usd and timeout_ms; required
 * ones first. */
static const struct {
    const char *keys[3];
    size_t nrequired;
} kind_keys[] = {
    [WL_SINK_WEBHOOK] = {{"url", "secret"}, 1},
    [WL_SINK_TELEGRAM] = {{"token", "chat_id"}, 2},
    [WL_SINK_DISCORD] = {{"url"}, 1},
    [WL_SINK_COMMAND] = {{"command"}, 1},
};

/* Every move kind a sink may ask for (the store's names). */
static const char *const move_kinds[] = {"transfer_out",
                                         "transfer_in",
                                         "exchange_deposit",
                                         "exchange_withdrawal",
                                         "supply",
                                         "withdraw",
                                         "borrow",
                                         "repay",
                                         "liquidated",
                                         "health_factor",
                                         "liquidation_price",
                                         "position_opened",
                                         "position_closed",
                                         "collateral_enabled",
                                         "collateral_disabled"};
#define NMOVE_KINDS (sizeof move_kinds / sizeof move_kinds[0])

const char *wl_sink_kind_name(enum wl_sink_kind k)
{
    if (k < WL_SINK_WEBHOOK || k > WL_SINK_COMMAND)
        return "?";
    return kind_names[k - 1];
}

size_t wl_sink_count(const wl_set *s)
{
    return s->nsinks;
}

const wl_sink *wl_sink_at(const wl_set *s, size_t i)
{
    return i < s->nsinks ? &s->sinks[i].pub : NULL;
}

WL_PRINTF(5, 6)
static int add(wl_errors *errs, wl_set *set, const struct wl_sink_b *k, unsigned line,
               const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return wl_errors_add(errs, set->files[k->file], k->file, line, "%s", msg) ? WL_ENOMEM : 0;
}

/* FNV-1a of the name, never 0 (0 means "every sink" to the outbox). */
static uint32_t name_id(const char *name)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h ? h : 1;
}

/* split: words of v separated by sep (',' lists; ' ' the command line, where "..."
 * groups words and \" is a quote) into a NULL-terminated arena array.
 * Returns: the count, or -1 (OOM: *out NULL) / -2 (an empty item or an open quote). */
static long split(wl_set *set, const char ***out, const char *v, char sep)
{
    size_t n = strlen(v), cnt = 0;
    char *buf = wl_arena_alloc(&set->arena, n + 1);
    const char **w = wl_arena_alloc(&set->arena, (n / 2 + 2) * sizeof *w);
    *out = NULL;
    if (!buf || !w)
        return -1;
    const char *p = v;
    char *o = buf;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        w[cnt++] = o;
        bool q = false;
        for (; *p && (q || (*p != sep && !(sep == ' ' && *p == '\t'))); p++) {
            if (sep == ' ' && *p == '"') {
                q = !q;
                continue;
            }
            if (sep == ' ' && *p == '\\' && p[1] == '"')
                p++;
            *o++ = *p;
        }
        if (q)
            return -2;
        while (o > w[cnt - 1] && (o[-1] == ' ' || o[-1] == '\t'))
            o--;
        if (o == w[cnt - 1] && sep == ',')
            return -2;
        *o++ = '\0';
        if (*p == sep)
            p++;
        else if (!*p)
            break;
    }
    w[cnt] = NULL;
    *out = w;
    return (long)cnt;
}

static bool entity_exists(const wl_set *set, const char *name)
{
    for (size_t i = 0; i < set->nents; i++)
        if (strcmp(set->ents[i].pub.name, name) == 0)
            return true;
    return false;
}

static int check_list(wl_set *set, wl_errors *errs, struct wl_sink_b *k, const struct wl_kv *kv)
{
    wl_sink *p = &k->pub;
    const char **w;
    bool kinds = strcmp(kv->key, "kinds") == 0;
    long n = split(set, &w, kv->value, ',');
    if (n == -1)
        return WL_ENOMEM;
    if (n < 0)
        return add(errs, set, k, kv->line,
                   "%s: empty item (items are separated by single "
                   "commas)",
                   kv->key);
    for (long i = 0; i < n; i++) {
        if (kinds) {
            bool ok = false;
            for (size_t j = 0; j < NMOVE_KINDS; j++)
                ok |= strcmp(w[i], move_kinds[j]) == 0;
            const char *sug = ok ? NULL : wl_suggest(w[i], move_kinds, NMOVE_KINDS);
            if (!ok && add(errs, set, k, kv->line, "kinds: unknown move kind '%s'%s%s%s",
                           kv->secret ? kv->shown : w[i], sug ? " (did you mean '" : "",
                           sug ? sug : "", sug ? "'?)" : ""))
                return WL_ENOMEM;
        } else if (!entity_exists(set, w[i])) {
            if (add(errs, set, k, kv->line, "entities: no entity \"%s\" in the watchlist",
                    kv->secret ? kv->shown : w[i]))
                return WL_ENOMEM;
        }
    }
    if (kinds)
        p->kinds = w, p->nkinds = (size_t)n;
    else
        p->entities = w, p->nentities = (size_t)n;
    return WL_OK;
}

static int check_value(wl_set *set, wl_errors *errs, struct wl_sink_b *k, const struct wl_kv *kv)
{
    wl_sink *p = &k->pub;
    char msg[512];
    if (!strcmp(kv->key, "kinds") || !strcmp(kv->key, "entities"))
        return check_list(set, errs, k, kv);
    if (!strcmp(kv->key, "min_usd")) {
        if (wl_parse_fixed(&p->min_usd, msg, sizeof msg, kv->key, kv->value, kv->shown,
                           WL_USD_DECIMALS))
            return add(errs, set, k, kv->line, "%s", msg);
        return WL_OK;
    }
    if (!strcmp(kv->key, "timeout_ms")) {
        uint64_t u;
        if (wl_parse_u64(&u, msg, sizeof msg, kv->key, kv->value, kv->shown, 100, 600000))
            return add(errs, set, k, kv->line, "%s", msg);
        p->timeout_ms = (uint32_t)u;
        return WL_OK;
    }
    if (!strcmp(kv->key, "url")) {
        bool ok = !strncmp(kv->value, "http://", 7) || !strncmp(kv->value, "https://", 8);
        for (const char *c = kv->value; ok && *c; c++)
            ok = (unsigned char)*c > 0x20 && *c != 0x7f;
        if (!ok)
            return add(errs, set, k, kv->line, "url: '%s' is not an http:// or https:// URL",
                       kv->shown);
        p->url = kv->value;
        p->url_shown = kv->shown;
    } else if (!strcmp(kv->key, "secret")) {
        p->secret = kv->value;
    } else if (!strcmp(kv->key, "token")) {
        if (!kv->secret)
            return add(errs, set, k, kv->line,
                       "token: write it as ${VAR} and keep the bot "
                       "token in the environment");
        p->token = kv->value;
    } else if (!strcmp(kv->key, "chat_id")) {
        p->chat_id = kv->value;
    } else if (!strcmp(kv->key, "command")) {
        const char **w;
        long n = split(set, &w, kv->value, ' ');
        if (n == -1)
            return WL_ENOMEM;
        if (n <= 0)
            return add(errs, set, k, kv->line, "command: unbalanced \" in '%s'", kv->shown);
        p->argv = w;
        p->argc = (size_t)n;
    }
    return WL_OK;
}

int wl_check_sink(wl_set *set, wl_errors *errs, struct wl_sink_b *k)
{
    wl_sink *p = &k->pub;
    const struct wl_kv *kindkv = NULL;
    p->id = name_id(p->name);
    p->timeout_ms = 10000;
    for (size_t i = 0; i < k->nkv; i++)
        if (strcmp(k->kv[i].key, "kind") == 0)
            kindkv = &k->kv[i];
    if (!kindkv)
        return add(errs, set, k, p->line, "sink \"%s\" is missing required key 'kind'", p->name);
    for (int j = WL_SINK_WEBHOOK; j <= WL_SINK_COMMAND; j++)
        if (strcmp(kindkv->value, kind_names[j - 1]) == 0)
            p->kind = (enum wl_sink_kind)j;
    if (!p->kind) {
        const char *sug = wl_suggest(kindkv->value, kind_names, 4);
        if (sug)
            return add(errs, set, k, kindkv->line,
                       "kind: unknown sink kind '%s' (did you mean '%s'?)", kindkv->shown, sug);
        return add(errs, set, k, kindkv->line,
                   "kind: unknown sink kind '%s' (kinds: webhook, telegram, discord, command)",
                   kindkv->shown);
    }
    unsigned given[3] = {0};
    for (size_t i = 0; i < k->nkv; i++) {
        const struct wl_kv *kv = &k->kv[i];
        if (kv == kindkv)
            continue;
        bool common = !strcmp(kv->key, "kinds") || !strcmp(kv->key, "entities") ||
                      !strcmp(kv->key, "min_usd") || !strcmp(kv->key, "timeout_ms");
        int own = -1;
        for (int j = 0; j < 3 && kind_keys[p->kind].keys[j]; j++)
            if (!strcmp(kv->key, kind_keys[p->kind].keys[j]))
                own = j;
        if (!common && own < 0) {
            if (add(errs, set, k, kv->line, "key '%s' does not apply to a %s sink", kv->key,
                    kind_names[p->kind - 1]))
                return WL_ENOMEM;
            continue;
        }
        if (own >= 0)
            given[own] = kv->line;
        if (check_value(set, errs, k, kv))
            return WL_ENOMEM;
    }
    for (size_t j = 0; j < kind_keys[p->kind].nrequired; j++)
        if (!given[j] && add(errs, set, k, p->line, "sink \"%s\" is missing required key '%s'",
                             p->name, kind_keys[p->kind].keys[j]))
            return WL_ENOMEM;
    for (size_t i = 0; i < set->nsinks && &set->sinks[i] != k; i++)
        if (set->sinks[i].pub.id == p->id && strcmp(set->sinks[i].pub.name, p->name) != 0 &&
            add(errs, set, k, p->line, "sink \"%s\" has the same id as sink \"%s\"; rename one",
                p->name, set->sinks[i].pub.name))
            return WL_ENOMEM;
    return WL_OK;
}
