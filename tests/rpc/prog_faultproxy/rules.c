/* tests/rpc/prog_faultproxy/rules.c — the fault proxy's rules and counters: parsing "rule ..."
 * lines, choosing the rule that acts on a request, and the stats JSON of /_ctl.
 * Invariant: every read or write of the rules and counters holds g.mu. */
#include "tests/rpc/prog_faultproxy/rules.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RULES 64
#define MAX_METHODS 64

static const char *const fault_names[F_COUNT_] = {
    "http",    "hang",     "close_mid_body", "truncate",   "html",      "wrong_id",
    "reorder", "drop_one", "chain_id",       "stale_head", "range_cap", "results_cap",
    "edit",    "drop_item", "no_method"};
static const char *const style_names[S_COUNT_] = {"infura", "range", "quicknode", "alchemy",
                                                  "http413"};

struct method_count {
    char name[FP_NAME_CAP];
    long n;
};

static struct {
    pthread_mutex_t mu;
    struct fp_rule rules[MAX_RULES];
    int nrules;
    struct method_count calls[MAX_METHODS];
    int ncalls;
    long requests, forwarded, connections, upstream_errors;
    char last_path[256]; /* of the last JSON-RPC request: tests check what a client sent */
} g = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* parse_long: a whole decimal string (optional '-'), no overflow. */
static int parse_long(long *out, const char *s, size_t n)
{
    size_t i = 0;
    bool neg = false;
    long v = 0;
    if (n > 0 && s[0] == '-')
        neg = true, i = 1;
    if (i == n)
        return -1;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        if (v > (LONG_MAX - (s[i] - '0')) / 10)
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = neg ? -v : v;
    return 0;
}

int fp_parse_quantity(uint64_t *out, const char *s)
{
    if (!s || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || !s[2])
        return -1;
    uint64_t v = 0;
    size_t i = 2;
    for (; s[i]; i++) {
        int d;
        char c = s[i];
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        if (i > 17)
            return -1; /* more than 16 digits */
        v = (v << 4) | (uint64_t)d;
    }
    *out = v;
    return 0;
}

static uint64_t xorshift(uint64_t *s)
{
    uint64_t x = *s ? *s : 0x9e3779b97f4a7c15u;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return x;
}

/* ---- rules and stats (all under g.mu) ---- */

static bool fault_implies_method(enum fp_fault f, const char **m)
{
    switch (f) {
    case F_CHAIN_ID:
        *m = "eth_chainId";
        return true;
    case F_STALE_HEAD:
        *m = "eth_blockNumber";
        return true;
    case F_RANGE_CAP:
    case F_RESULTS_CAP:
        *m = "eth_getLogs";
        return true;
    default:
        return false;
    }
}

/* parse_rule: "FAULT key=value ..." (without the leading "rule"). */
static int parse_rule(struct fp_rule *r, const char *s, size_t n, const char **why)
{
    memset(r, 0, sizeof *r);
    r->count = -1;
    r->prob = 1.0;
    r->seconds = 30;
    r->status = -1;
    r->style = S_COUNT_;
    r->max = -1;
    size_t i = 0;
    int tok = 0;
    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        if (i == n)
            break;
        size_t st = i;
        while (i < n && s[i] != ' ' && s[i] != '\t')
            i++;
        const char *t = s + st;
        size_t tl = i - st;
        if (tok++ == 0) {
            int f;
            for (f = 0; f < F_COUNT_; f++)
                if (strlen(fault_names[f]) == tl && !memcmp(fault_names[f], t, tl))
                    break;
            if (f == F_COUNT_)
                return *why = "unknown fault", -1;
            r->f = (enum fp_fault)f;
            continue;
        }
        const char *eq = memchr(t, '=', tl);
        if (!eq)
            return *why = "expected key=value", -1;
        size_t kl = (size_t)(eq - t), vl = tl - kl - 1;
        const char *v = eq + 1;
        char vz[FP_NAME_CAP];
        if (vl >= sizeof vz)
            return *why = "value too long", -1;
        memcpy(vz, v, vl);
        vz[vl] = '\0';
#define KEY(name) (kl == sizeof(name) - 1 && !memcmp(t, name, kl))
        long lv = 0;
        if (KEY("method")) {
            memcpy(r->method, vz, vl + 1);
        } else if (KEY("path")) {
            memcpy(r->path, vz, vl + 1);
        } else if (KEY("value")) {
            memcpy(r->value, vz, vl + 1);
        } else if (KEY("prob")) {
            char *end;
            errno = 0;
            r->prob = strtod(vz, &end);
            if (errno || end != vz + vl || !(r->prob >= 0.0 && r->prob <= 1.0))
                return *why = "prob must be in [0, 1]", -1;
        } else if (KEY("style")) {
            int st2;
            for (st2 = 0; st2 < S_COUNT_; st2++)
                if (!strcmp(style_names[st2], vz))
                    break;
            if (st2 == S_COUNT_)
                return *why = "unknown style", -1;
            r->style = (enum fp_style)st2;
        } else if (KEY("chain")) {
            uint64_t q;
            if (fp_parse_quantity(&q, vz) == 0)
                r->chain = q;
            else if (parse_long(&lv, v, vl) == 0 && lv >= 0)
                r->chain = (uint64_t)lv;
            else
                return *why = "bad chain", -1;
        } else {
            if (parse_long(&lv, v, vl) || lv < 0)
                return *why = "bad number", -1;
            if (KEY("count"))
                r->count = lv;
            else if (KEY("skip"))
                r->skip = lv;
            else if (KEY("seed"))
                r->rng = (uint64_t)lv;
            else if (KEY("status"))
                r->status = lv;
            else if (KEY("retry_after"))
                r->retry_after = lv;
            else if (KEY("seconds"))
                r->seconds = lv;
            else if (KEY("lag"))
                r->lag = lv;
            else if (KEY("max"))
                r->max = lv;
            else
                return *why = "unknown key", -1;
        }
#undef KEY
    }
    if (tok == 0)
        return *why = "missing fault", -1;
    if (r->f == F_HTTP && (r->status < 100 || r->status > 599))
        return *why = "http needs status=100..599", -1;
    if ((r->f == F_RANGE_CAP || r->f == F_RESULTS_CAP) && r->max < 0)
        return *why = "caps need max=N", -1;
    if ((r->f == F_EDIT || r->f == F_DROP_ITEM) && (!r->method[0] || !r->path[0]))
        return *why = "edit and drop_item need method=M path=P", -1;
    if (r->f == F_NO_METHOD && !r->method[0])
        return *why = "no_method needs method=M", -1;
    if (r->f == F_HTML && r->status < 0)
        r->status = 200;
    if (r->style == S_COUNT_)
        r->style = r->f == F_RANGE_CAP ? S_RANGE : S_INFURA;
    return 0;
}

static void count_call(const char *m)
{
    for (int i = 0; i < g.ncalls; i++)
        if (!strcmp(g.calls[i].name, m)) {
            g.calls[i].n++;
            return;
        }
    if (g.ncalls == MAX_METHODS || strlen(m) >= FP_NAME_CAP)
        return;
    memcpy(g.calls[g.ncalls].name, m, strlen(m) + 1);
    g.calls[g.ncalls++].n = 1;
}

static bool has_method(cJSON *req, const char *m)
{
    if (cJSON_IsArray(req)) {
        cJSON *e;
        cJSON_ArrayForEach(e, req) if (has_method(e, m)) return true;
        return false;
    }
    cJSON *jm = cJSON_GetObjectItemCaseSensitive(req, "method");
    return cJSON_IsString(jm) && !strcmp(jm->valuestring, m);
}

/* pick_rule: count the request's calls and choose the rule that acts on it (a copy in *out).
 * Returns the rule's index or -1. */
int fp_pick(const char *path, cJSON *req, struct fp_rule *out)
{
    int pick = -1;
    pthread_mutex_lock(&g.mu);
    g.requests++;
    snprintf(g.last_path, sizeof g.last_path, "%s", path);
    if (cJSON_IsArray(req)) {
        cJSON *e;
        cJSON_ArrayForEach(e, req)
        {
            cJSON *jm = cJSON_GetObjectItemCaseSensitive(e, "method");
            if (cJSON_IsString(jm))
                count_call(jm->valuestring);
        }
    } else if (req) {
        cJSON *jm = cJSON_GetObjectItemCaseSensitive(req, "method");
        if (cJSON_IsString(jm))
            count_call(jm->valuestring);
    }
    for (int i = 0; i < g.nrules && pick < 0; i++) {
        struct fp_rule *r = &g.rules[i];
        const char *m = r->method[0] ? r->method : NULL;
        const char *implied;
        if (fault_implies_method(r->f, &implied) && !m)
            m = implied;
        if (m && (!req || !has_method(req, m)))
            continue;
        if (r->count == 0)
            continue;
        if (r->skip > 0) {
            r->skip--;
            continue;
        }
        if (r->prob < 1.0 && (double)(xorshift(&r->rng) >> 11) / 9007199254740992.0 >= r->prob)
            continue;
        r->matched++;
        pick = i;
        *out = *r;
    }
    pthread_mutex_unlock(&g.mu);
    return pick;
}

/* served: the picked rule did act; it uses up one of its count. */
void fp_served(int i)
{
    pthread_mutex_lock(&g.mu);
    if (i >= 0 && i < g.nrules) {
        g.rules[i].served++;
        if (g.rules[i].count > 0)
            g.rules[i].count--;
    }
    pthread_mutex_unlock(&g.mu);
}

static char *stats_json(void)
{
    cJSON *o = cJSON_CreateObject(), *calls = cJSON_CreateObject(), *rules = cJSON_CreateArray();
    pthread_mutex_lock(&g.mu);
    cJSON_AddNumberToObject(o, "requests", (double)g.requests);
    cJSON_AddNumberToObject(o, "forwarded", (double)g.forwarded);
    cJSON_AddNumberToObject(o, "connections", (double)g.connections);
    cJSON_AddNumberToObject(o, "upstream_errors", (double)g.upstream_errors);
    cJSON_AddStringToObject(o, "last_path", g.last_path);
    for (int i = 0; i < g.ncalls; i++)
        cJSON_AddNumberToObject(calls, g.calls[i].name, (double)g.calls[i].n);
    for (int i = 0; i < g.nrules; i++) {
        cJSON *r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "fault", fault_names[g.rules[i].f]);
        cJSON_AddNumberToObject(r, "matched", (double)g.rules[i].matched);
        cJSON_AddNumberToObject(r, "served", (double)g.rules[i].served);
        cJSON_AddItemToArray(rules, r);
    }
    cJSON *faults = cJSON_CreateObject();
    for (int f = 0; f < F_COUNT_; f++) {
        long n = 0;
        for (int i = 0; i < g.nrules; i++)
            if (g.rules[i].f == (enum fp_fault)f)
                n += g.rules[i].served;
        if (n)
            cJSON_AddNumberToObject(faults, fault_names[f], (double)n);
    }
    pthread_mutex_unlock(&g.mu);
    cJSON_AddItemToObject(o, "calls", calls);
    cJSON_AddItemToObject(o, "faults", faults);
    cJSON_AddItemToObject(o, "rules", rules);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

static char *ctl_answer(bool ok, const char *error, int rule)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "ok", ok);
    if (error)
        cJSON_AddStringToObject(o, "error", error);
    if (rule >= 0)
        cJSON_AddNumberToObject(o, "rule", rule);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

/* control: run the command lines of a POST /_ctl body in order, stopping at the first bad
 * one (the lines before it stay done); the answer is JSON, *status its HTTP status. */
char *fp_control(const char *body, size_t n, int *status)
{
    *status = 200;
    int last_rule = -1;
    bool want_stats = n == 0;
    size_t i = 0;
    while (i < n) {
        size_t st = i;
        while (i < n && body[i] != '\n')
            i++;
        size_t e = i++;
        while (e > st && (body[e - 1] == '\r' || body[e - 1] == ' '))
            e--;
        while (st < e && body[st] == ' ')
            st++;
        const char *l = body + st;
        size_t ll = e - st;
        if (ll == 0)
            continue;
        if (ll == 5 && !memcmp(l, "reset", 5)) {
            pthread_mutex_lock(&g.mu);
            g.nrules = 0;
            g.ncalls = 0;
            g.requests = g.forwarded = g.connections = g.upstream_errors = 0;
            g.last_path[0] = '\0';
            pthread_mutex_unlock(&g.mu);
        } else if (ll == 5 && !memcmp(l, "clear", 5)) {
            pthread_mutex_lock(&g.mu);
            g.nrules = 0;
            pthread_mutex_unlock(&g.mu);
        } else if (ll == 5 && !memcmp(l, "stats", 5)) {
            want_stats = true;
        } else if (ll > 5 && !memcmp(l, "rule ", 5)) {
            const char *why = NULL;
            int added = fp_rule_add(l + 5, ll - 5, &why);
            if (added < 0) {
                *status = 400;
                return ctl_answer(false, why, -1);
            }
            last_rule = added;
        } else {
            *status = 400;
            return ctl_answer(false, "unknown command", -1);
        }
    }
    return want_stats ? stats_json() : ctl_answer(true, NULL, last_rule);
}

int fp_rule_add(const char *text, size_t n, const char **why)
{
    struct fp_rule r;
    int added = -1;
    if (parse_rule(&r, text, n, why))
        return -1;
    pthread_mutex_lock(&g.mu);
    if (g.nrules < MAX_RULES) {
        g.rules[g.nrules] = r;
        added = g.nrules++;
    }
    pthread_mutex_unlock(&g.mu);
    if (added < 0)
        *why = "too many rules";
    return added;
}

void fp_count(enum fp_counter which)
{
    pthread_mutex_lock(&g.mu);
    if (which == FP_FORWARDED)
        g.forwarded++;
    else if (which == FP_UPSTREAM_ERRORS)
        g.upstream_errors++;
    else
        g.connections++;
    pthread_mutex_unlock(&g.mu);
}
