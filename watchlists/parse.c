/* watchlists/parse.c — one file's text into the set under construction. libinih splits
 * "key = value" lines; our line reader in front of it counts lines (inih gives the
 * handler none), strips indentation (so no line is taken as a continuation), reads the
 * [section] headers itself and rejects lines inih would mis-read. Invariant: every
 * problem becomes one error at its file:line and parsing goes on to the end. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <ini.h>

#include "rpc/u256.h"

#include "watchlists/wl_int.h"

enum sec { SEC_NONE, SEC_ENTITY, SEC_EXCHANGE, SEC_PROTOCOL, SEC_RULES, SEC_RPC, SEC_SINK };
static const char *const sec_names[] = {"entity", "exchange", "protocol", "rules", "rpc",
                                        "sink"};
#define NSEC (sizeof sec_names / sizeof sec_names[0])

static const char *const entity_keys[] = {"address", "tags", "since"};
static const char *const exchange_keys[] = {"address"};
static const char *const protocol_keys[] = {"kind",   "pool",   "oracle", "data_provider",
                                            "addresses_provider", "comet", "morpho",
                                            "market"};
static const char *const rules_keys[] = {"min_usd", "health_factor_warn",
                                         "liquidation_price_move_pct", "backfill_blocks"};
static const char *const rpc_keys[] = {"url",      "chain_id",   "confirmations",
                                       "max_lag", "rate_limit", "timeout_ms"};
static const char *const sink_keys[] = {"kind",    "url",   "secret",   "token",     "chat_id",
                                        "command", "kinds", "entities", "min_usd", "timeout_ms"};
static const char *const kind_names[] = {
#define WL_KIND_NAME_(name, text) text,
    WL_KINDS(WL_KIND_NAME_)
#undef WL_KIND_NAME_
};

struct table {
    const char *const *keys;
    size_t n;
    const char *repeatable; /* the one key that may repeat, or NULL */
};
static const struct table tables[] = {
    [SEC_ENTITY] = {entity_keys, 3, "address"},
    [SEC_EXCHANGE] = {exchange_keys, 1, "address"},
    [SEC_PROTOCOL] = {protocol_keys, 8, "market"},
    [SEC_RULES] = {rules_keys, 4, NULL},
    [SEC_RPC] = {rpc_keys, 6, "url"},
    [SEC_SINK] = {sink_keys, 10, NULL},
};

#define NSEEN 32 /* rules: its keys, then 16 + kind for min_usd.<kind> */
_Static_assert(16 + WL_KIND_COUNT <= NSEEN, "a seen slot for every min_usd.<kind>");
_Static_assert(WL_KIND_COUNT <= 32, "rules.overridden is a 32-bit mask");

struct pctx {
    wl_set *set;
    wl_errors *errs;
    const wl_load_opts *opts;
    const char *path;
    unsigned file;
    const char *buf;
    size_t len, pos;
    unsigned line;
    enum sec sec;
    bool skip; /* keys of this section are ignored: its header was already reported */
    size_t ix; /* the current entity, exchange or protocol */
    unsigned seen[NSEEN];
    int rc; /* WL_ENOMEM once memory ran out: stop */
};

WL_PRINTF(2, 3) static void err(struct pctx *c, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (wl_errors_add(c->errs, c->path, c->file, c->line, "%s", msg))
        c->rc = WL_ENOMEM;
}

/* Where inih would stop scanning for one of chars: at one of them, or at an inline ';'
 * comment (a ';' after whitespace). Same rule as inih's find_chars_or_comment. */
static size_t scan(const char *s, size_t n, const char *chars)
{
    bool was_space = false;
    for (size_t i = 0; i < n; i++) {
        if (strchr(chars, s[i]) || (was_space && s[i] == ';'))
            return i;
        was_space = isspace((unsigned char)s[i]);
    }
    return n;
}

static const char *where(struct pctx *c, unsigned file, unsigned line, char *out, size_t cap)
{
    snprintf(out, cap, "%s:%u", c->set->files[file], line);
    return out;
}

/* ---- section headers ---- */

static bool name_ok(struct pctx *c, const char *kind, const char *name, size_t n)
{
    if (n == 0) {
        err(c, "empty name in [%s \"\"]", kind);
        return false;
    }
    if (n > WL_MAX_NAME) {
        err(c, "name \"%.*s\" is longer than %d characters", (int)n, name, WL_MAX_NAME);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f) {
            err(c, "control character in the name of [%s]", kind);
            return false;
        }
    }
    return true;
}

/* open_section: register a section that passed its header checks. */
static void open_section(struct pctx *c, enum sec sec, const char *name, size_t n)
{
    wl_set *s = c->set;
    char at[600];
    const char *nm = NULL;
    if (name && !(nm = wl_arena_strndup(&s->arena, name, n)))
        goto oom;
    switch (sec) {
    case SEC_ENTITY:
        if (wl_grow((void **)&s->ents, &s->capents, s->nents, sizeof *s->ents))
            goto oom;
        c->ix = s->nents++;
        s->ents[c->ix] = (struct wl_ent_b){
            .pub = {.name = nm, .since = WL_SINCE_NONE, .path = c->path, .line = c->line},
            .file = c->file};
        break;
    case SEC_EXCHANGE:
        if (wl_grow((void **)&s->exch, &s->capexch, s->nexch, sizeof *s->exch))
            goto oom;
        c->ix = s->nexch++;
        s->exch[c->ix] = (struct wl_exch_b){
            .pub = {.name = nm, .path = c->path, .line = c->line}, .file = c->file};
        break;
    case SEC_PROTOCOL:
        if (wl_grow((void **)&s->protos, &s->capprotos, s->nprotos, sizeof *s->protos))
            goto oom;
        c->ix = s->nprotos++;
        s->protos[c->ix] = (struct wl_proto_b){
            .pub = {.name = nm, .path = c->path, .line = c->line}, .file = c->file};
        break;
    case SEC_RULES:
        if (s->rules.path) {
            err(c, "[rules] is already defined at %s",
                where(c, s->rules_file, s->rules.line, at, sizeof at));
            return;
        }
        s->rules.path = c->path;
        s->rules.line = c->line;
        s->rules_file = c->file;
        break;
    case SEC_RPC:
        if (s->has_rpc) {
            err(c, "[rpc] is already defined at %s",
                where(c, s->rpc_file, s->rpc.line, at, sizeof at));
            return;
        }
        s->has_rpc = true;
        s->rpc.path = c->path;
        s->rpc.line = c->line;
        s->rpc_file = c->file;
        break;
    case SEC_SINK:
        if (wl_grow((void **)&s->sinks, &s->capsinks, s->nsinks, sizeof *s->sinks))
            goto oom;
        c->ix = s->nsinks++;
        s->sinks[c->ix] = (struct wl_sink_b){
            .pub = {.name = nm, .path = c->path, .line = c->line}, .file = c->file};
        break;
    case SEC_NONE:
        return;
    }
    c->sec = sec;
    c->skip = false;
    return;
oom:
    c->rc = WL_ENOMEM;
}

/* section_line: l[0] is '['; n > 0, no NUL, no leading space. */
static void section_line(struct pctx *c, const char *l, size_t n)
{
    size_t close = 1 + scan(l + 1, n - 1, "]");
    c->sec = SEC_NONE;
    c->skip = true;
    memset(c->seen, 0, sizeof c->seen);
    if (close >= n || l[close] != ']') {
        err(c, "section header without closing ']'");
        return;
    }
    for (size_t i = close + 1; i < n; i++) {
        if (l[i] == ';' || l[i] == '#')
            break;
        if (!isspace((unsigned char)l[i])) {
            err(c, "unexpected text after ']'");
            return;
        }
    }
    const char *h = l + 1;
    size_t hn = close - 1;
    while (hn && isspace((unsigned char)*h))
        h++, hn--;
    while (hn && isspace((unsigned char)h[hn - 1]))
        hn--;
    size_t kn = 0;
    while (kn < hn && !isspace((unsigned char)h[kn]) && h[kn] != '"')
        kn++;
    char kind[64];
    snprintf(kind, sizeof kind, "%.*s", (int)(kn < 63 ? kn : 63), h);
    const char *rest = h + kn;
    size_t rn = hn - kn;
    while (rn && isspace((unsigned char)*rest))
        rest++, rn--;

    enum sec sec = SEC_NONE;
    for (size_t i = 0; i < NSEC; i++)
        if (strcmp(kind, sec_names[i]) == 0 && kn < 63)
            sec = (enum sec)(i + 1);
    if (sec == SEC_NONE) {
        const char *sug = wl_suggest(kind, sec_names, NSEC);
        if (kn == 0)
            err(c, "empty section header");
        else if (sug)
            err(c, "unknown section [%s] (did you mean [%s]?)", kind, sug);
        else
            err(c, "unknown section [%s] (sections: entity, exchange, protocol, rules, rpc, "
                   "sink)",
                kind);
        return;
    }
    bool named = sec == SEC_ENTITY || sec == SEC_EXCHANGE || sec == SEC_PROTOCOL ||
                 sec == SEC_SINK;
    if (!named) {
        if (rn)
            err(c, "[%s] takes no name", kind);
        else
            open_section(c, sec, NULL, 0);
        return;
    }
    if (rn == 0) {
        err(c, "[%s] needs a name: [%s \"Name\"]", kind, kind);
        return;
    }
    if (rn < 2 || rest[0] != '"' || rest[rn - 1] != '"' || memchr(rest + 1, '"', rn - 2)) {
        err(c, "write the name of [%s] in double quotes: [%s \"Name\"]", kind, kind);
        return;
    }
    if (name_ok(c, kind, rest + 1, rn - 2))
        open_section(c, sec, rest + 1, rn - 2);
}

/* ---- the reader inih pulls lines from ---- */

static char *read_line(char *str, int num, void *stream)
{
    struct pctx *c = stream;
    if (c->rc || c->pos >= c->len || num < 4)
        return NULL;
    const char *l = c->buf + c->pos;
    const char *nl = memchr(l, '\n', c->len - c->pos);
    size_t n = nl ? (size_t)(nl - l) : c->len - c->pos;
    c->pos += n + (nl != NULL);
    c->line++;
    str[0] = '\0';
    if (c->line == 1 && n >= 3 && memcmp(l, "\xEF\xBB\xBF", 3) == 0)
        l += 3, n -= 3;
    while (n && isspace((unsigned char)*l))
        l++, n--;
    while (n && isspace((unsigned char)l[n - 1]))
        n--;
    if (n == 0 || *l == ';' || *l == '#')
        return str;
    if (memchr(l, '\0', n)) {
        err(c, "NUL byte in line");
    } else if (*l == '[') {
        section_line(c, l, n);
    } else if (n + 3 > (size_t)num) {
        err(c, "line too long (%zu characters; at most %d)", n, num - 3);
    } else if (scan(l, n, "=:") == n) {
        err(c, "expected 'key = value' or a [section] header");
    } else {
        memcpy(str, l, n);
        str[n] = '\n';
        str[n + 1] = '\0';
    }
    return str;
}

/* ---- keys ---- */

static int key_index(const struct table *t, const char *name)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->keys[i], name) == 0)
            return (int)i;
    return -1;
}

static void unknown_key(struct pctx *c, const struct table *t, const char *name)
{
    const char *sug = wl_suggest(name, t->keys, t->n);
    if (sug) {
        err(c, "unknown key '%s' in [%s] (did you mean '%s'?)", name, sec_names[c->sec - 1],
            sug);
        return;
    }
    char list[256] = "";
    size_t used = 0;
    for (size_t i = 0; i < t->n && used < sizeof list; i++) {
        int w = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", t->keys[i]);
        if (w > 0)
            used += (size_t)w;
    }
    err(c, "unknown key '%s' in [%s] (keys: %s)", name, sec_names[c->sec - 1], list);
}

/* seen_once: false (and an error) when a single-valued key repeats. */
static bool seen_once(struct pctx *c, unsigned slot, const char *name)
{
    if (c->seen[slot]) {
        err(c, "duplicate key '%s' (first at line %u)", name, c->seen[slot]);
        return false;
    }
    c->seen[slot] = c->line;
    return true;
}

static int add_occ(struct pctx *c, const rpc_addr *a, bool exchange, size_t owner, bool secret)
{
    wl_set *s = c->set;
    if (wl_grow((void **)&s->occ, &s->capocc, s->nocc, sizeof *s->occ))
        return -1;
    s->occ[s->nocc++] = (struct wl_occ){.a = *a,
                                        .exchange = exchange,
                                        .secret = secret,
                                        .owner = (uint32_t)owner,
                                        .file = c->file,
                                        .line = c->line};
    return 0;
}

/* A failed address line: the section's "has no address" check would only repeat it. */
static void mark_bad_addr(struct pctx *c, const char *name)
{
    if (c->sec == SEC_RPC && strcmp(name, "url") == 0)
        c->set->bad_url = true;
    if (strcmp(name, "address") != 0)
        return;
    if (c->sec == SEC_ENTITY)
        c->set->ents[c->ix].bad_addr = true;
    else if (c->sec == SEC_EXCHANGE)
        c->set->exch[c->ix].bad_addr = true;
}

static void set_tags(struct pctx *c, struct wl_ent_b *e, const char *v)
{
    size_t n = 1;
    for (const char *p = v; *p; p++)
        n += *p == ',';
    const char **tags = wl_arena_alloc(&c->set->arena, n * sizeof *tags);
    if (!tags) {
        c->rc = WL_ENOMEM;
        return;
    }
    size_t k = 0;
    for (const char *p = v;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *t = p;
        while (len && isspace((unsigned char)*t))
            t++, len--;
        while (len && isspace((unsigned char)t[len - 1]))
            len--;
        if (len == 0) {
            err(c, "tags: empty tag (tags are separated by single commas)");
            return;
        }
        if (!(tags[k++] = wl_arena_strndup(&c->set->arena, t, len))) {
            c->rc = WL_ENOMEM;
            return;
        }
        if (!end)
            break;
        p = end + 1;
    }
    e->tags = tags;
    e->pub.tags = tags;
    e->pub.ntags = k;
}

static void entity_key(struct pctx *c, int k, const char *name, const char *v,
                       const char *shown, bool secret)
{
    char msg[512];
    struct wl_ent_b *e = &c->set->ents[c->ix];
    if (k == 0) {
        rpc_addr a;
        if (wl_parse_addr(&a, msg, sizeof msg, v, shown)) {
            e->bad_addr = true;
            err(c, "%s", msg);
            return;
        }
        if (wl_grow((void **)&e->addrs, &e->cap, e->pub.naddrs, sizeof *e->addrs) ||
            add_occ(c, &a, false, c->ix, secret)) {
            c->rc = WL_ENOMEM;
            return;
        }
        e->addrs[e->pub.naddrs++] = a;
        e->pub.addrs = e->addrs;
    } else if (k == 1) {
        set_tags(c, e, v);
    } else if (wl_parse_u64(&e->pub.since, msg, sizeof msg, name, v, shown, 0,
                            UINT64_MAX - 1)) {
        e->pub.since = WL_SINCE_NONE;
        err(c, "%s", msg);
    }
}

static void exchange_key(struct pctx *c, const char *v, const char *shown, bool secret)
{
    char msg[512];
    struct wl_exch_b *x = &c->set->exch[c->ix];
    rpc_addr a;
    if (wl_parse_addr(&a, msg, sizeof msg, v, shown)) {
        x->bad_addr = true;
        err(c, "%s", msg);
        return;
    }
    if (wl_grow((void **)&x->addrs, &x->cap, x->pub.naddrs, sizeof *x->addrs) ||
        add_occ(c, &a, true, c->ix, secret)) {
        c->rc = WL_ENOMEM;
        return;
    }
    x->addrs[x->pub.naddrs++] = a;
    x->pub.addrs = x->addrs;
}

/* kv_key: keep a key of a section checked as a whole later ([protocol], [sink]). */
static void kv_key(struct pctx *c, struct wl_kv **v, size_t *n, size_t *cap, const char *name,
                   const char *val, const char *shown, bool secret)
{
    struct wl_arena *ar = &c->set->arena;
    if (wl_grow((void **)v, cap, *n, sizeof **v)) {
        c->rc = WL_ENOMEM;
        return;
    }
    struct wl_kv kv = {.key = wl_arena_strndup(ar, name, strlen(name)),
                       .value = wl_arena_strndup(ar, val, strlen(val)),
                       .shown = wl_arena_strndup(ar, shown, strlen(shown)),
                       .line = c->line,
                       .secret = secret};
    if (!kv.key || !kv.value || !kv.shown) {
        c->rc = WL_ENOMEM;
        return;
    }
    (*v)[(*n)++] = kv;
}

static void rules_key(struct pctx *c, int k, const char *name, const char *v,
                      const char *shown)
{
    char msg[512];
    wl_rules *r = &c->set->rules;
    rpc_u256 x;
    uint64_t u;
    switch (k) {
    case 0:
        if (wl_parse_fixed(&x, msg, sizeof msg, name, v, shown, WL_USD_DECIMALS))
            break;
        r->min_usd = x;
        return;
    case 1: {
        rpc_u256 one = rpc_u256_from_u64(1000000000000000000u);
        rpc_u256 hundred = {{0x6BC75E2D63100000u, 0x5u, 0, 0}}; /* 100 x 10^18 = 0x56bc...0 */
        if (wl_parse_fixed(&x, msg, sizeof msg, name, v, shown, WL_HF_DECIMALS))
            break;
        if (rpc_u256_cmp(&x, &one) <= 0 || rpc_u256_cmp(&x, &hundred) > 0) {
            snprintf(msg, sizeof msg, "%s: %s is out of range (above 1, at most 100)", name,
                     shown);
            break;
        }
        r->health_factor_warn = x;
        return;
    }
    case 2:
        if (wl_parse_fixed(&x, msg, sizeof msg, name, v, shown, 2))
            break;
        if (rpc_u256_is_zero(&x) || !rpc_u256_fits_u64(&x) || x.w[0] > 10000) {
            snprintf(msg, sizeof msg, "%s: %s is out of range (above 0, at most 100)", name,
                     shown);
            break;
        }
        r->liquidation_price_move_bp = (uint32_t)x.w[0];
        return;
    default:
        if (wl_parse_u64(&u, msg, sizeof msg, name, v, shown, 0, 100000000))
            break;
        r->backfill_blocks = u;
        return;
    }
    err(c, "%s", msg);
}

/* kind_of_key: for "min_usd.<kind>", the kind's index; -1 (and an error) for an unknown
 * kind; -2 when name is not of that form. */
static int kind_of_key(struct pctx *c, const char *name)
{
    static const char prefix[] = "min_usd.";
    if (strncmp(name, prefix, sizeof prefix - 1) != 0)
        return -2;
    const char *kind = name + sizeof prefix - 1;
    for (size_t k = 0; k < WL_KIND_COUNT; k++)
        if (strcmp(kind, kind_names[k]) == 0)
            return (int)k;
    const char *sug = wl_suggest(kind, kind_names, WL_KIND_COUNT);
    if (sug)
        err(c, "unknown move kind '%s' in '%s' (did you mean '%s'?)", kind, name, sug);
    else
        err(c, "unknown move kind '%s' in '%s' (kinds: transfer_out, transfer_in, "
               "exchange_deposit, exchange_withdrawal, supply, withdraw, borrow, repay, "
               "liquidated)",
            kind, name);
    return -1;
}

static void rules_kind_value(struct pctx *c, int kind, const char *name, const char *v,
                             const char *shown)
{
    char msg[512];
    wl_rules *r = &c->set->rules;
    if (wl_parse_fixed(&r->min_usd_kind[kind], msg, sizeof msg, name, v, shown,
                       WL_USD_DECIMALS)) {
        err(c, "%s", msg);
        return;
    }
    r->overridden |= 1u << kind;
}

static void rpc_key(struct pctx *c, int k, const char *name, const char *v, const char *shown,
                    bool secret)
{
    char msg[512];
    wl_set *s = c->set;
    uint64_t u = 0;
    static const uint64_t lo[] = {0, 1, 0, 0, 0, 100};
    static const uint64_t hi[] = {0, UINT64_MAX, 1000, 100000, 1000000, 600000};
    if (k == 0) {
        bool ok = strncmp(v, "http://", 7) == 0 || strncmp(v, "https://", 8) == 0;
        for (const char *p = v; ok && *p; p++)
            ok = (unsigned char)*p > 0x20 && *p != 0x7f;
        if (!ok) {
            err(c, "url: '%s' is not an http:// or https:// URL", shown);
            s->bad_url = true;
            return;
        }
        if (wl_grow((void **)&s->urls, &s->capurls, s->rpc.nurls, sizeof *s->urls)) {
            c->rc = WL_ENOMEM;
            return;
        }
        wl_rpc_url url = {.url = wl_arena_strndup(&s->arena, v, strlen(v)),
                          .shown = wl_arena_strndup(&s->arena, shown, strlen(shown)),
                          .secret = secret};
        if (!url.url || !url.shown) {
            c->rc = WL_ENOMEM;
            return;
        }
        s->urls[s->rpc.nurls++] = url;
        s->rpc.urls = s->urls;
        return;
    }
    if (wl_parse_u64(&u, msg, sizeof msg, name, v, shown, lo[k], hi[k])) {
        err(c, "%s", msg);
        return;
    }
    switch (k) {
    case 1:
        s->rpc.chain_id = u;
        break;
    case 2:
        s->rpc.confirmations = (uint32_t)u;
        break;
    case 3:
        s->rpc.max_lag = (uint32_t)u;
        break;
    case 4:
        s->rpc.rate_limit = (uint32_t)u;
        break;
    default:
        s->rpc.timeout_ms = (uint32_t)u;
        break;
    }
}

/* A value of this section came from the environment: summaries must not print them. */
static void mark_from_env(struct pctx *c, const char *name)
{
    wl_set *s = c->set;
    if (c->sec == SEC_ENTITY)
        s->ents[c->ix].pub.from_env = true;
    else if (c->sec == SEC_PROTOCOL)
        s->protos[c->ix].pub.from_env = true;
    else if (c->sec == SEC_SINK)
        s->sinks[c->ix].pub.from_env = true;
    else if (c->sec == SEC_RULES)
        s->rules.from_env = true;
    else if (c->sec == SEC_RPC && strcmp(name, "url") != 0) /* urls carry their own flag */
        s->rpc.from_env = true;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
    struct pctx *c = user;
    char v[WL_MAX_VALUE];
    char msg[512];
    bool secret;
    (void)section; /* the reader tracks sections; inih's copy is always "" */

    if (c->rc || c->skip)
        return 1;
    if (c->sec == SEC_NONE) {
        err(c, "key '%s' is outside any section", name);
        return 1;
    }
    if (!*name) {
        err(c, "missing key name before '='");
        return 1;
    }
    const struct table *t = &tables[c->sec];
    int k = key_index(t, name), kind = -2;
    if (k < 0 && c->sec == SEC_RULES && (kind = kind_of_key(c, name)) == -1)
        return 1;
    if (k < 0 && kind < 0) {
        unknown_key(c, t, name);
        return 1;
    }
    if (kind >= 0 && !seen_once(c, 16 + (unsigned)kind, name))
        return 1;
    if (k >= 0 && !(t->repeatable && strcmp(name, t->repeatable) == 0) &&
        !seen_once(c, (unsigned)k, name))
        return 1;
    if (wl_expand(v, sizeof v, &secret, msg, sizeof msg, value,
                  c->opts ? c->opts->getenv : NULL, c->opts ? c->opts->getenv_ctx : NULL)) {
        err(c, "%s: %s", name, msg);
        mark_bad_addr(c, name);
        return 1;
    }
    const char *shown = secret ? value : v;
    if (!*v) {
        err(c, "%s: empty value", name);
        mark_bad_addr(c, name);
        return 1;
    }
    if (secret)
        mark_from_env(c, name);
    switch (c->sec) {
    case SEC_ENTITY:
        entity_key(c, k, name, v, shown, secret);
        break;
    case SEC_EXCHANGE:
        exchange_key(c, v, shown, secret);
        break;
    case SEC_PROTOCOL: {
        struct wl_proto_b *p = &c->set->protos[c->ix];
        kv_key(c, &p->kv, &p->nkv, &p->cap, name, v, shown, secret);
        break;
    }
    case SEC_SINK: {
        struct wl_sink_b *sk = &c->set->sinks[c->ix];
        kv_key(c, &sk->kv, &sk->nkv, &sk->cap, name, v, shown, secret);
        break;
    }
    case SEC_RULES:
        if (k >= 0)
            rules_key(c, k, name, v, shown);
        else
            rules_kind_value(c, kind, name, v, shown);
        break;
    case SEC_RPC:
        rpc_key(c, k, name, v, shown, secret);
        break;
    default:
        break;
    }
    return 1;
}

int wl_parse_buffer(wl_set *set, wl_errors *errs, const char *path, unsigned file_ix,
                    const char *buf, size_t len, const wl_load_opts *opts)
{
    struct pctx c = {.set = set,
                     .errs = errs,
                     .opts = opts,
                     .path = path,
                     .file = file_ix,
                     .buf = buf,
                     .len = len,
                     .sec = SEC_NONE};
    int rc = ini_parse_stream(read_line, &c, on_key, &c);
    if (c.rc)
        return c.rc;
    if (rc != 0) /* our reader leaves inih nothing to reject: only its own malloc fails */
        return WL_ENOMEM;
    return WL_OK;
}
