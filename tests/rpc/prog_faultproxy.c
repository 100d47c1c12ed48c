/* tests/rpc/prog_faultproxy.c — a fault-injecting HTTP/1.1 proxy in front of one JSON-RPC node,
 * for the client's fault tests: POST bodies go upstream through libcurl; scripted rules (from
 * --rule flags or POST /_ctl) turn chosen requests into faults and count what they served.
 * Invariant: a request no rule acts on gets the upstream's status and body unchanged.
 *
 * Usage: prog_faultproxy --upstream URL [--port N] [--rule "FAULT key=value ..."]...
 * Prints "port N" on stdout once listening on 127.0.0.1. Control (not counted as traffic):
 *   GET /_ctl                 -> the stats JSON
 *   POST /_ctl, one command a line: "reset" (rules and counters), "clear" (rules only),
 *   "stats", "rule FAULT [count=N] [skip=N] [method=M] [prob=P seed=S] [args]".
 * Faults and their args:
 *   http status=N [retry_after=S]   answer status N (plain-text body), no upstream call
 *   hang [seconds=S]                read the request, answer nothing for S s (default 30)
 *   close_mid_body                  send headers and half the upstream body, then close
 *   truncate                        send the first half of the upstream body (valid HTTP)
 *   html [status=N]                 an HTML error page (default status 200)
 *   wrong_id                        the answer (or a batch's first element) gets another id
 *   reorder                         a batch answer's elements reversed (legal JSON-RPC)
 *   drop_one                        a batch answer loses its last element
 *   chain_id chain=N                eth_chainId answers N
 *   stale_head lag=N                eth_blockNumber answers head - N
 *   range_cap max=N [style=S]       eth_getLogs over more than N blocks is refused
 *   results_cap max=N [style=S]     eth_getLogs whose real answer has more than N logs is refused
 *   edit method=M path=P [value=V]  in the answer to the request's first call of M, the JSON
 *                                   value at P in "result" ("." = result itself; keys and
 *                                   array indexes joined by dots: "0.logs.1.data") becomes the
 *                                   string V, or without V has its last hex digit changed
 *   drop_item method=M path=P       as edit, but the array element at P is removed
 *   no_method method=M              every call of M is answered with JSON-RPC error -32601
 *                                   "the method M does not exist/is not available" (geth's)
 * Refusal styles: infura (-32005 "query returned more than N results"), range (-32600 "block
 * range is too large"), quicknode (-32614 "eth_getLogs is limited to a N range"), alchemy
 * (-32602 "Log response size exceeded..."), http413 (HTTP 413 for the whole request).
 * The first rule (in order) that matches a request acts on it; a rule matches when its method
 * (explicit, or implied: chain_id, stale_head, *_cap) is among the request's calls, its skip is
 * used up, its count is not, and its seeded coin (prob) says yes. */
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <curl/curl.h>

#define HDR_CAP (64u * 1024u)
#define BODY_CAP (64u * 1024u * 1024u)
#define MAX_RULES 64
#define MAX_METHODS 64
#define NAME_CAP 64

enum fault {
    F_HTTP, F_HANG, F_CLOSE_MID, F_TRUNCATE, F_HTML, F_WRONG_ID, F_REORDER, F_DROP_ONE,
    F_CHAIN_ID, F_STALE_HEAD, F_RANGE_CAP, F_RESULTS_CAP, F_EDIT, F_DROP_ITEM, F_NO_METHOD, F_COUNT_
};
static const char *const fault_names[F_COUNT_] = {
    "http", "hang", "close_mid_body", "truncate", "html", "wrong_id", "reorder", "drop_one",
    "chain_id", "stale_head", "range_cap", "results_cap", "edit", "drop_item", "no_method"};

enum style { S_INFURA, S_RANGE, S_QUICKNODE, S_ALCHEMY, S_HTTP413, S_COUNT_ };
static const char *const style_names[S_COUNT_] = {"infura", "range", "quicknode", "alchemy",
                                                  "http413"};

struct rule {
    enum fault f;
    char method[NAME_CAP]; /* "" = any */
    char path[NAME_CAP];   /* edit, drop_item: where in the result */
    char value[NAME_CAP];  /* edit: the new string; "" = change the last hex digit */
    long count;            /* faults left to serve; -1 = unlimited */
    long skip;             /* matching requests still to let through */
    double prob;
    uint64_t rng;
    long status, retry_after, seconds, lag, max;
    uint64_t chain;
    enum style style;
    long matched, served;
};

struct method_count {
    char name[NAME_CAP];
    long n;
};

static struct {
    pthread_mutex_t mu;
    const char *upstream;
    struct rule rules[MAX_RULES];
    int nrules;
    struct method_count calls[MAX_METHODS];
    int ncalls;
    long requests, forwarded, connections, upstream_errors;
} g = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* A growable byte buffer with a hard cap. */
struct buf {
    char *p;
    size_t len, cap, limit;
};

static int buf_reserve(struct buf *b, size_t extra)
{
    if (extra > b->limit - b->len) return -1;
    if (b->len + extra + 1 <= b->cap) return 0;
    size_t ncap = b->cap ? b->cap : 4096;
    while (ncap < b->len + extra + 1) ncap *= 2;
    char *np = realloc(b->p, ncap);
    if (!np) return -1;
    b->p = np;
    b->cap = ncap;
    return 0;
}

static int buf_add(struct buf *b, const void *d, size_t n)
{
    if (buf_reserve(b, n)) return -1;
    memcpy(b->p + b->len, d, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

/* parse_long: a whole decimal string (optional '-'), no overflow. */
static int parse_long(long *out, const char *s, size_t n)
{
    size_t i = 0;
    bool neg = false;
    long v = 0;
    if (n > 0 && s[0] == '-') neg = true, i = 1;
    if (i == n) return -1;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        if (v > (LONG_MAX - (s[i] - '0')) / 10) return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = neg ? -v : v;
    return 0;
}

/* parse_quantity: a JSON-RPC "0x..." quantity into a uint64. */
static int parse_quantity(uint64_t *out, const char *s)
{
    if (!s || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || !s[2]) return -1;
    uint64_t v = 0;
    size_t i = 2;
    for (; s[i]; i++) {
        int d;
        char c = s[i];
        if (c >= '0' && c <= '9') d = c - '0';
        else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
        else return -1;
        if (i > 17) return -1; /* more than 16 digits */
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

static bool fault_implies_method(enum fault f, const char **m)
{
    switch (f) {
    case F_CHAIN_ID: *m = "eth_chainId"; return true;
    case F_STALE_HEAD: *m = "eth_blockNumber"; return true;
    case F_RANGE_CAP:
    case F_RESULTS_CAP: *m = "eth_getLogs"; return true;
    default: return false;
    }
}

/* parse_rule: "FAULT key=value ..." (without the leading "rule"). */
static int parse_rule(struct rule *r, const char *s, size_t n, const char **why)
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
        while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
        if (i == n) break;
        size_t st = i;
        while (i < n && s[i] != ' ' && s[i] != '\t') i++;
        const char *t = s + st;
        size_t tl = i - st;
        if (tok++ == 0) {
            int f;
            for (f = 0; f < F_COUNT_; f++)
                if (strlen(fault_names[f]) == tl && !memcmp(fault_names[f], t, tl)) break;
            if (f == F_COUNT_) return *why = "unknown fault", -1;
            r->f = (enum fault)f;
            continue;
        }
        const char *eq = memchr(t, '=', tl);
        if (!eq) return *why = "expected key=value", -1;
        size_t kl = (size_t)(eq - t), vl = tl - kl - 1;
        const char *v = eq + 1;
        char vz[NAME_CAP];
        if (vl >= sizeof vz) return *why = "value too long", -1;
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
                if (!strcmp(style_names[st2], vz)) break;
            if (st2 == S_COUNT_) return *why = "unknown style", -1;
            r->style = (enum style)st2;
        } else if (KEY("chain")) {
            uint64_t q;
            if (parse_quantity(&q, vz) == 0) r->chain = q;
            else if (parse_long(&lv, v, vl) == 0 && lv >= 0) r->chain = (uint64_t)lv;
            else return *why = "bad chain", -1;
        } else {
            if (parse_long(&lv, v, vl) || lv < 0) return *why = "bad number", -1;
            if (KEY("count")) r->count = lv;
            else if (KEY("skip")) r->skip = lv;
            else if (KEY("seed")) r->rng = (uint64_t)lv;
            else if (KEY("status")) r->status = lv;
            else if (KEY("retry_after")) r->retry_after = lv;
            else if (KEY("seconds")) r->seconds = lv;
            else if (KEY("lag")) r->lag = lv;
            else if (KEY("max")) r->max = lv;
            else return *why = "unknown key", -1;
        }
#undef KEY
    }
    if (tok == 0) return *why = "missing fault", -1;
    if (r->f == F_HTTP && (r->status < 100 || r->status > 599))
        return *why = "http needs status=100..599", -1;
    if ((r->f == F_RANGE_CAP || r->f == F_RESULTS_CAP) && r->max < 0)
        return *why = "caps need max=N", -1;
    if ((r->f == F_EDIT || r->f == F_DROP_ITEM) && (!r->method[0] || !r->path[0]))
        return *why = "edit and drop_item need method=M path=P", -1;
    if (r->f == F_NO_METHOD && !r->method[0])
        return *why = "no_method needs method=M", -1;
    if (r->f == F_HTML && r->status < 0) r->status = 200;
    if (r->style == S_COUNT_) r->style = r->f == F_RANGE_CAP ? S_RANGE : S_INFURA;
    return 0;
}

static void count_call(const char *m)
{
    for (int i = 0; i < g.ncalls; i++)
        if (!strcmp(g.calls[i].name, m)) {
            g.calls[i].n++;
            return;
        }
    if (g.ncalls == MAX_METHODS || strlen(m) >= NAME_CAP) return;
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
static int pick_rule(cJSON *req, struct rule *out)
{
    int pick = -1;
    pthread_mutex_lock(&g.mu);
    g.requests++;
    if (cJSON_IsArray(req)) {
        cJSON *e;
        cJSON_ArrayForEach(e, req)
        {
            cJSON *jm = cJSON_GetObjectItemCaseSensitive(e, "method");
            if (cJSON_IsString(jm)) count_call(jm->valuestring);
        }
    } else if (req) {
        cJSON *jm = cJSON_GetObjectItemCaseSensitive(req, "method");
        if (cJSON_IsString(jm)) count_call(jm->valuestring);
    }
    for (int i = 0; i < g.nrules && pick < 0; i++) {
        struct rule *r = &g.rules[i];
        const char *m = r->method[0] ? r->method : NULL;
        const char *implied;
        if (fault_implies_method(r->f, &implied) && !m) m = implied;
        if (m && (!req || !has_method(req, m))) continue;
        if (r->count == 0) continue;
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
static void served(int i)
{
    pthread_mutex_lock(&g.mu);
    if (i >= 0 && i < g.nrules) {
        g.rules[i].served++;
        if (g.rules[i].count > 0) g.rules[i].count--;
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
    for (int i = 0; i < g.ncalls; i++)
        cJSON_AddNumberToObject(calls, g.calls[i].name, (double)g.calls[i].n);
    for (int i = 0; i < g.nrules; i++) {
        cJSON *r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "fault", fault_names[g.rules[i].f]);
        cJSON_AddNumberToObject(r, "matched", (double)g.rules[i].matched);
        cJSON_AddNumberToObject(r, "served", (double)g.rules[i].served);
        cJSON_AddItemToArray(rules, r);
    }
    pthread_mutex_unlock(&g.mu);
    cJSON_AddItemToObject(o, "calls", calls);
    cJSON_AddItemToObject(o, "rules", rules);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

/* control: run the command lines of a POST /_ctl body; the answer is JSON, *status its code. */
static char *control(const char *body, size_t n, int *status)
{
    *status = 200;
    int last_rule = -1;
    bool want_stats = n == 0;
    size_t i = 0;
    while (i < n) {
        size_t st = i;
        while (i < n && body[i] != '\n') i++;
        size_t e = i++;
        while (e > st && (body[e - 1] == '\r' || body[e - 1] == ' ')) e--;
        while (st < e && body[st] == ' ') st++;
        const char *l = body + st;
        size_t ll = e - st;
        if (ll == 0) continue;
        if (ll == 5 && !memcmp(l, "reset", 5)) {
            pthread_mutex_lock(&g.mu);
            g.nrules = 0;
            g.ncalls = 0;
            g.requests = g.forwarded = g.connections = g.upstream_errors = 0;
            pthread_mutex_unlock(&g.mu);
        } else if (ll == 5 && !memcmp(l, "clear", 5)) {
            pthread_mutex_lock(&g.mu);
            g.nrules = 0;
            pthread_mutex_unlock(&g.mu);
        } else if (ll == 5 && !memcmp(l, "stats", 5)) {
            want_stats = true;
        } else if (ll > 5 && !memcmp(l, "rule ", 5)) {
            struct rule r;
            const char *why = NULL;
            if (parse_rule(&r, l + 5, ll - 5, &why)) goto bad;
            pthread_mutex_lock(&g.mu);
            if (g.nrules < MAX_RULES) {
                g.rules[g.nrules] = r;
                last_rule = g.nrules++;
            } else {
                why = "too many rules";
            }
            pthread_mutex_unlock(&g.mu);
            if (last_rule < 0) goto bad;
            continue;
        bad:;
            cJSON *o = cJSON_CreateObject();
            cJSON_AddFalseToObject(o, "ok");
            cJSON_AddStringToObject(o, "error", why ? why : "bad rule");
            char *s = cJSON_PrintUnformatted(o);
            cJSON_Delete(o);
            *status = 400;
            return s;
        } else {
            *status = 400;
            char *s = NULL;
            cJSON *o = cJSON_CreateObject();
            cJSON_AddFalseToObject(o, "ok");
            cJSON_AddStringToObject(o, "error", "unknown command");
            s = cJSON_PrintUnformatted(o);
            cJSON_Delete(o);
            return s;
        }
    }
    if (want_stats) return stats_json();
    cJSON *o = cJSON_CreateObject();
    cJSON_AddTrueToObject(o, "ok");
    if (last_rule >= 0) cJSON_AddNumberToObject(o, "rule", last_rule);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

/* ---- one downstream connection ---- */

struct conn {
    int fd;
    CURL *up;
    struct buf in; /* bytes read from the client, not yet consumed */
};

struct request {
    char method[16];
    char path[256];
    bool keep_alive;
    struct buf body;
};

static int send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* fill: read until the connection buffer holds at least want bytes. */
static int fill(struct conn *c, size_t want)
{
    while (c->in.len < want) {
        if (buf_reserve(&c->in, 16384)) return -1;
        ssize_t r = recv(c->fd, c->in.p + c->in.len, 16384, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        c->in.len += (size_t)r;
        c->in.p[c->in.len] = '\0';
    }
    return 0;
}

/* find_crlf: the offset of the next "\r\n" at or after from, reading more as needed. */
static int find_crlf(struct conn *c, size_t from, size_t limit, size_t *at)
{
    for (;;) {
        for (size_t i = from; i + 1 < c->in.len; i++)
            if (c->in.p[i] == '\r' && c->in.p[i + 1] == '\n') return *at = i, 0;
        if (c->in.len - from > limit) return -1;
        if (fill(c, c->in.len + 1)) return -1;
    }
}

static void consume(struct conn *c, size_t n)
{
    memmove(c->in.p, c->in.p + n, c->in.len - n);
    c->in.len -= n;
    if (c->in.p) c->in.p[c->in.len] = '\0';
}

static bool header_is(const char *line, size_t n, const char *name, const char **val, size_t *vl)
{
    size_t nl = strlen(name);
    if (n <= nl || line[nl] != ':' || strncasecmp(line, name, nl)) return false;
    size_t i = nl + 1;
    while (i < n && (line[i] == ' ' || line[i] == '\t')) i++;
    size_t e = n;
    while (e > i && (line[e - 1] == ' ' || line[e - 1] == '\t')) e--;
    *val = line + i;
    *vl = e - i;
    return true;
}

/* read_request: one HTTP/1.1 request (Content-Length or chunked body; answers
 * "Expect: 100-continue"). Returns 0, or -1 when the connection should end. */
static int read_request(struct conn *c, struct request *rq)
{
    size_t end = 0;
    rq->body.len = 0;
    /* the header block ends at the first empty line */
    size_t from = 0;
    for (;;) {
        size_t at;
        if (find_crlf(c, from, HDR_CAP, &at)) return -1;
        if (at == from && from > 0) {
            end = at + 2;
            break;
        }
        from = at + 2;
        if (from > HDR_CAP) return -1;
    }
    const char *p = c->in.p;
    size_t l0;
    for (l0 = 0; p[l0] != '\r'; l0++) {}
    const char *sp1 = memchr(p, ' ', l0);
    if (!sp1) return -1;
    const char *sp2 = memchr(sp1 + 1, ' ', (size_t)(p + l0 - sp1 - 1));
    if (!sp2) return -1;
    size_t ml = (size_t)(sp1 - p), pl = (size_t)(sp2 - sp1 - 1);
    if (ml >= sizeof rq->method || pl >= sizeof rq->path) return -1;
    memcpy(rq->method, p, ml);
    rq->method[ml] = '\0';
    memcpy(rq->path, sp1 + 1, pl);
    rq->path[pl] = '\0';
    rq->keep_alive = strncmp(sp2 + 1, "HTTP/1.0", 8) != 0;

    long clen = 0;
    bool chunked = false, expect = false;
    for (size_t i = l0 + 2; i + 2 < end;) {
        size_t e = i;
        while (p[e] != '\r') e++;
        const char *v;
        size_t vl;
        if (header_is(p + i, e - i, "content-length", &v, &vl)) {
            if (parse_long(&clen, v, vl) || clen < 0 || (unsigned long)clen > BODY_CAP) return -1;
        } else if (header_is(p + i, e - i, "transfer-encoding", &v, &vl)) {
            chunked = vl == 7 && !strncasecmp(v, "chunked", 7);
        } else if (header_is(p + i, e - i, "expect", &v, &vl)) {
            expect = vl == 12 && !strncasecmp(v, "100-continue", 12);
        } else if (header_is(p + i, e - i, "connection", &v, &vl)) {
            if (vl == 5 && !strncasecmp(v, "close", 5)) rq->keep_alive = false;
            if (vl == 10 && !strncasecmp(v, "keep-alive", 10)) rq->keep_alive = true;
        }
        i = e + 2;
    }
    consume(c, end);
    if (expect && c->in.len == 0 && (clen > 0 || chunked)) {
        static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
        if (send_all(c->fd, cont, sizeof cont - 1)) return -1;
    }
    if (!chunked) {
        if (fill(c, (size_t)clen)) return -1;
        if (buf_add(&rq->body, c->in.p, (size_t)clen)) return -1;
        consume(c, (size_t)clen);
        return 0;
    }
    for (;;) {
        size_t at;
        if (find_crlf(c, 0, 64, &at)) return -1;
        uint64_t sz = 0;
        size_t k;
        for (k = 0; k < at && c->in.p[k] != ';'; k++) {
            char ch = c->in.p[k];
            int d = ch >= '0' && ch <= '9' ? ch - '0'
                    : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                    : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                             : -1;
            if (d < 0 || sz > BODY_CAP) return -1;
            sz = sz * 16 + (uint64_t)d;
        }
        if (k == 0) return -1;
        consume(c, at + 2);
        if (sz == 0) break;
        if (sz > BODY_CAP || fill(c, (size_t)sz + 2)) return -1;
        if (buf_add(&rq->body, c->in.p, (size_t)sz)) return -1;
        consume(c, (size_t)sz + 2);
    }
    for (;;) { /* trailers, up to the empty line */
        size_t at;
        if (find_crlf(c, 0, HDR_CAP, &at)) return -1;
        consume(c, at + 2);
        if (at == 0) return 0;
    }
}

static const char *reason(long status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 413: return "Payload Too Large";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Status";
    }
}

/* respond: status line, headers and body[0..send_len) while announcing content_len bytes. */
static int respond(struct conn *c, long status, const char *ctype, const char *extra,
                   const char *body, size_t content_len, size_t send_len, bool keep_alive)
{
    char head[512];
    int hl = snprintf(head, sizeof head,
                      "HTTP/1.1 %ld %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s%s\r\n",
                      status, reason(status), ctype, content_len, extra ? extra : "",
                      keep_alive ? "" : "Connection: close\r\n");
    if (hl < 0 || (size_t)hl >= sizeof head) return -1;
    if (send_all(c->fd, head, (size_t)hl)) return -1;
    return send_len ? send_all(c->fd, body, send_len) : 0;
}

static size_t on_upstream_data(char *d, size_t sz, size_t n, void *ud)
{
    return buf_add(ud, d, sz * n) ? 0 : sz * n;
}

/* upstream: POST body to the node; its status and body into *status, *out. */
static int upstream(struct conn *c, const char *body, size_t n, long *status, struct buf *out)
{
    if (!c->up && !(c->up = curl_easy_init())) return -1;
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    if (!h) return -1;
    out->len = 0;
    curl_easy_reset(c->up);
    curl_easy_setopt(c->up, CURLOPT_URL, g.upstream);
    curl_easy_setopt(c->up, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c->up, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)n);
    curl_easy_setopt(c->up, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c->up, CURLOPT_WRITEFUNCTION, on_upstream_data);
    curl_easy_setopt(c->up, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(c->up, CURLOPT_TIMEOUT, 120L);
    curl_easy_setopt(c->up, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(c->up);
    curl_slist_free_all(h);
    if (rc != CURLE_OK) return -1;
    curl_easy_getinfo(c->up, CURLINFO_RESPONSE_CODE, status);
    pthread_mutex_lock(&g.mu);
    g.forwarded++;
    pthread_mutex_unlock(&g.mu);
    return 0;
}

/* upstream_head: the node's eth_blockNumber, for "latest"-style tags in log filters. */
static int upstream_head(struct conn *c, uint64_t *head)
{
    static const char q[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\"}";
    struct buf out = {.limit = 4096};
    long st = 0;
    int rc = -1;
    if (upstream(c, q, sizeof q - 1, &st, &out) || st != 200) goto done;
    cJSON *a = cJSON_ParseWithLength(out.p, out.len);
    cJSON *r = cJSON_GetObjectItemCaseSensitive(a, "result");
    if (cJSON_IsString(r) && parse_quantity(head, r->valuestring) == 0) rc = 0;
    cJSON_Delete(a);
done:
    free(out.p);
    return rc;
}

static int block_of(struct conn *c, cJSON *tag, uint64_t *out, uint64_t *head, bool *have_head)
{
    const char *s = cJSON_IsString(tag) ? tag->valuestring : "latest";
    if (parse_quantity(out, s) == 0) return 0;
    if (!strcmp(s, "earliest")) return *out = 0, 0;
    if (!*have_head) {
        if (upstream_head(c, head)) return -1;
        *have_head = true;
    }
    *out = *head;
    return 0;
}

static cJSON *refusal(const struct rule *r, cJSON *id)
{
    char msg[320];
    long code;
    switch (r->style) {
    case S_RANGE:
        code = -32600;
        snprintf(msg, sizeof msg, "block range is too large");
        break;
    case S_QUICKNODE:
        code = -32614;
        snprintf(msg, sizeof msg, "eth_getLogs is limited to a %ld range", r->max);
        break;
    case S_ALCHEMY:
        code = -32602;
        snprintf(msg, sizeof msg,
                 "Log response size exceeded. You can make eth_getLogs requests with up to a 2K "
                 "block range and no limit on the response size, or you can request any block "
                 "range with a cap of 10K logs in the response.");
        break;
    default:
        code = -32005;
        snprintf(msg, sizeof msg, "query returned more than %ld results", r->max);
        break;
    }
    cJSON *o = cJSON_CreateObject(), *e = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "jsonrpc", "2.0");
    cJSON_AddItemToObject(o, "id", id ? cJSON_Duplicate(id, 1) : cJSON_CreateNull());
    cJSON_AddNumberToObject(e, "code", (double)code);
    cJSON_AddStringToObject(e, "message", msg);
    cJSON_AddItemToObject(o, "error", e);
    return o;
}

/* over_range: does this eth_getLogs call span more than max blocks? */
static bool over_range(struct conn *c, cJSON *call, long max, uint64_t *head, bool *have_head)
{
    cJSON *m = cJSON_GetObjectItemCaseSensitive(call, "method");
    if (!cJSON_IsString(m) || strcmp(m->valuestring, "eth_getLogs")) return false;
    cJSON *f = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(call, "params"), 0);
    if (!cJSON_IsObject(f) || cJSON_GetObjectItemCaseSensitive(f, "blockHash")) return false;
    uint64_t from, to;
    if (block_of(c, cJSON_GetObjectItemCaseSensitive(f, "fromBlock"), &from, head, have_head) ||
        block_of(c, cJSON_GetObjectItemCaseSensitive(f, "toBlock"), &to, head, have_head))
        return false;
    return to >= from && to - from + 1 > (uint64_t)max;
}

static cJSON *find_by_id(cJSON *answers, cJSON *id)
{
    cJSON *a;
    cJSON_ArrayForEach(a, answers)
    {
        if (cJSON_Compare(cJSON_GetObjectItemCaseSensitive(a, "id"), id, 1)) return a;
    }
    return NULL;
}

/* apply_cap: refuse the over-cap eth_getLogs calls of req in ans (rewritten in place).
 * Returns how many were refused. */
static int apply_cap(struct conn *c, const struct rule *r, cJSON *req, cJSON **ans)
{
    uint64_t head = 0;
    bool have_head = false;
    int refused = 0;
    bool batch = cJSON_IsArray(req);
    int n = batch ? cJSON_GetArraySize(req) : 1;
    for (int i = 0; i < n; i++) {
        cJSON *call = batch ? cJSON_GetArrayItem(req, i) : req;
        cJSON *m = cJSON_GetObjectItemCaseSensitive(call, "method");
        if (!cJSON_IsString(m) || strcmp(m->valuestring, "eth_getLogs")) continue;
        cJSON *id = cJSON_GetObjectItemCaseSensitive(call, "id");
        cJSON *a = batch ? find_by_id(*ans, id) : *ans;
        if (!a) continue;
        bool refuse;
        if (r->f == F_RANGE_CAP) {
            refuse = over_range(c, call, r->max, &head, &have_head);
        } else {
            cJSON *res = cJSON_GetObjectItemCaseSensitive(a, "result");
            refuse = cJSON_IsArray(res) && cJSON_GetArraySize(res) > r->max;
        }
        if (!refuse) continue;
        refused++;
        cJSON *e = refusal(r, id);
        if (batch) {
            int k = 0;
            cJSON *x;
            cJSON_ArrayForEach(x, *ans)
            {
                if (x == a) break;
                k++;
            }
            cJSON_ReplaceItemInArray(*ans, k, e);
        } else {
            cJSON_Delete(*ans);
            *ans = e;
        }
    }
    return refused;
}

/* walk: the value at a dotted path under root ("." = root); *parent is its container. */
static cJSON *walk(cJSON *root, const char *path, cJSON **parent)
{
    cJSON *cur = root;
    *parent = NULL;
    const char *p = strcmp(path, ".") ? path : "";
    while (*p && cur) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        char k[NAME_CAP];
        long idx;
        memcpy(k, p, n);
        k[n] = '\0';
        *parent = cur;
        if (cJSON_IsArray(cur))
            cur = parse_long(&idx, k, n) == 0 && idx >= 0 ? cJSON_GetArrayItem(cur, (int)idx) : NULL;
        else
            cur = cJSON_IsObject(cur) ? cJSON_GetObjectItemCaseSensitive(cur, k) : NULL;
        p += n;
        if (*p == '.') p++;
    }
    return cur;
}

/* edit_answer: the edit and drop_item faults on the first call of r->method in req. */
static bool edit_answer(const struct rule *r, cJSON *req, cJSON *ans)
{
    bool batch = cJSON_IsArray(req);
    int n = batch ? cJSON_GetArraySize(req) : 1;
    for (int i = 0; i < n; i++) {
        cJSON *call = batch ? cJSON_GetArrayItem(req, i) : req;
        cJSON *m = cJSON_GetObjectItemCaseSensitive(call, "method");
        if (!cJSON_IsString(m) || strcmp(m->valuestring, r->method)) continue;
        cJSON *a = batch ? find_by_id(ans, cJSON_GetObjectItemCaseSensitive(call, "id")) : ans;
        cJSON *parent, *v = walk(cJSON_GetObjectItemCaseSensitive(a, "result"), r->path, &parent);
        if (!v) return false;
        if (r->f == F_DROP_ITEM) {
            if (!cJSON_IsArray(parent)) return false;
            cJSON_Delete(cJSON_DetachItemViaPointer(parent, v));
            return true;
        }
        if (r->value[0]) {
            cJSON *nv = cJSON_CreateString(r->value);
            if (!parent) return cJSON_ReplaceItemInObjectCaseSensitive(a, "result", nv);
            if (cJSON_IsObject(parent)) /* keeps the member's name */
                return cJSON_ReplaceItemInObjectCaseSensitive(parent, v->string, nv);
            return cJSON_ReplaceItemViaPointer(parent, v, nv);
        }
        size_t len = cJSON_IsString(v) ? strlen(v->valuestring) : 0;
        if (len < 3) return false;
        char *d = &v->valuestring[len - 1]; /* 0<->1, 2<->3, ..., e<->f: still hex */
        if (*d >= '0' && *d <= '9') *d = (char)('0' + ((*d - '0') ^ 1));
        else if (*d >= 'a' && *d <= 'f') *d = (char)('a' + ((*d - 'a') ^ 1));
        else return false;
        return true;
    }
    return false;
}

/* no_method: replace the answer of every call of r->method with geth's "no such method". */
static bool no_method(const struct rule *r, cJSON *req, cJSON **ans)
{
    bool batch = cJSON_IsArray(req), changed = false;
    int n = batch ? cJSON_GetArraySize(req) : 1;
    for (int i = 0; i < n; i++) {
        cJSON *call = batch ? cJSON_GetArrayItem(req, i) : req;
        cJSON *m = cJSON_GetObjectItemCaseSensitive(call, "method");
        if (!cJSON_IsString(m) || strcmp(m->valuestring, r->method)) continue;
        cJSON *id = cJSON_GetObjectItemCaseSensitive(call, "id");
        cJSON *e = cJSON_CreateObject(), *eo = cJSON_CreateObject();
        char msg[NAME_CAP + 64];
        snprintf(msg, sizeof msg, "the method %s does not exist/is not available", r->method);
        cJSON_AddStringToObject(e, "jsonrpc", "2.0");
        cJSON_AddItemToObject(e, "id", cJSON_Duplicate(id, 1));
        cJSON_AddNumberToObject(eo, "code", -32601);
        cJSON_AddStringToObject(eo, "message", msg);
        cJSON_AddItemToObject(e, "error", eo);
        cJSON *a = batch ? find_by_id(*ans, id) : *ans;
        if (batch && a) {
            cJSON_ReplaceItemViaPointer(*ans, a, e);
        } else if (!batch) {
            cJSON_Delete(*ans);
            *ans = e;
        } else {
            cJSON_Delete(e);
            continue;
        }
        changed = true;
    }
    return changed;
}

/* rewrite: the answer-changing faults. Returns true when the answer was changed. */
static bool rewrite(struct conn *c, const struct rule *r, cJSON *req, cJSON **ans, int *refused)
{
    bool batch = cJSON_IsArray(*ans);
    switch (r->f) {
    case F_WRONG_ID: {
        cJSON *o = batch ? cJSON_GetArrayItem(*ans, 0) : *ans;
        cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");
        if (!id) return false;
        cJSON *nid = cJSON_IsNumber(id) ? cJSON_CreateNumber(id->valuedouble + 1000003)
                                        : cJSON_CreateString("wrong-id");
        cJSON_ReplaceItemInObjectCaseSensitive(o, "id", nid);
        return true;
    }
    case F_REORDER: {
        int n = batch ? cJSON_GetArraySize(*ans) : 0;
        if (n < 2) return false;
        cJSON *rev = cJSON_CreateArray();
        for (int i = n - 1; i >= 0; i--)
            cJSON_AddItemToArray(rev, cJSON_DetachItemFromArray(*ans, i));
        cJSON_Delete(*ans);
        *ans = rev;
        return true;
    }
    case F_DROP_ONE: {
        int n = batch ? cJSON_GetArraySize(*ans) : 0;
        if (n < 1) return false;
        cJSON_DeleteItemFromArray(*ans, n - 1);
        return true;
    }
    case F_CHAIN_ID:
    case F_STALE_HEAD: {
        const char *m = r->f == F_CHAIN_ID ? "eth_chainId" : "eth_blockNumber";
        bool changed = false;
        int n = cJSON_IsArray(req) ? cJSON_GetArraySize(req) : 1;
        for (int i = 0; i < n; i++) {
            cJSON *call = cJSON_IsArray(req) ? cJSON_GetArrayItem(req, i) : req;
            cJSON *jm = cJSON_GetObjectItemCaseSensitive(call, "method");
            if (!cJSON_IsString(jm) || strcmp(jm->valuestring, m)) continue;
            cJSON *a = batch ? find_by_id(*ans, cJSON_GetObjectItemCaseSensitive(call, "id"))
                             : *ans;
            cJSON *res = cJSON_GetObjectItemCaseSensitive(a, "result");
            uint64_t v;
            if (!cJSON_IsString(res) || parse_quantity(&v, res->valuestring)) continue;
            if (r->f == F_CHAIN_ID) v = r->chain;
            else v = v > (uint64_t)r->lag ? v - (uint64_t)r->lag : 0;
            char hex[24];
            snprintf(hex, sizeof hex, "0x%llx", (unsigned long long)v);
            cJSON_ReplaceItemInObjectCaseSensitive(a, "result", cJSON_CreateString(hex));
            changed = true;
        }
        return changed;
    }
    case F_RANGE_CAP:
    case F_RESULTS_CAP:
        *refused = apply_cap(c, r, req, ans);
        return *refused > 0;
    case F_EDIT:
    case F_DROP_ITEM:
        return edit_answer(r, req, *ans);
    case F_NO_METHOD:
        return no_method(r, req, ans);
    default:
        return false;
    }
}

static void hang(struct conn *c, long seconds)
{
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (t.tv_sec - t0.tv_sec >= seconds) return;
        struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
        int pr = poll(&pfd, 1, 100);
        if (pr > 0) {
            char tmp[512];
            ssize_t n = recv(c->fd, tmp, sizeof tmp, 0);
            if (n <= 0) return; /* the client gave up */
        }
    }
}

static const char html_page[] =
    "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
    "<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n";

/* serve_rpc: one JSON-RPC request. Returns 0 to keep the connection, -1 to close it. */
static int serve_rpc(struct conn *c, struct request *rq)
{
    cJSON *req = cJSON_ParseWithLength(rq->body.p ? rq->body.p : "", rq->body.len);
    struct rule r;
    int ri = pick_rule(req, &r);
    struct buf out = {.limit = BODY_CAP};
    long st = 0;
    int rc = -1;
    cJSON *ans = NULL;
    char *text = NULL;

    if (ri >= 0) {
        char extra[64] = "";
        switch (r.f) {
        case F_HTTP:
            served(ri);
            if (r.retry_after > 0)
                snprintf(extra, sizeof extra, "Retry-After: %ld\r\n", r.retry_after);
            rc = respond(c, r.status, "text/plain", extra, reason(r.status),
                         strlen(reason(r.status)), strlen(reason(r.status)), rq->keep_alive);
            goto done_keep;
        case F_HANG:
            served(ri);
            hang(c, r.seconds);
            goto done;
        case F_HTML:
            served(ri);
            rc = respond(c, r.status, "text/html", NULL, html_page, sizeof html_page - 1,
                         sizeof html_page - 1, rq->keep_alive);
            goto done_keep;
        default:
            break;
        }
    }
    if (upstream(c, rq->body.p ? rq->body.p : "", rq->body.len, &st, &out)) {
        pthread_mutex_lock(&g.mu);
        g.upstream_errors++;
        pthread_mutex_unlock(&g.mu);
        static const char msg[] = "upstream unreachable";
        rc = respond(c, 502, "text/plain", NULL, msg, sizeof msg - 1, sizeof msg - 1,
                     rq->keep_alive);
        goto done_keep;
    }
    if (ri >= 0) {
        switch (r.f) {
        case F_CLOSE_MID:
            served(ri);
            respond(c, st, "application/json", NULL, out.p, out.len, out.len / 2, true);
            shutdown(c->fd, SHUT_RDWR);
            goto done;
        case F_TRUNCATE:
            served(ri);
            rc = respond(c, st, "application/json", NULL, out.p, out.len / 2, out.len / 2,
                         rq->keep_alive);
            goto done_keep;
        default:
            break;
        }
        ans = cJSON_ParseWithLength(out.p ? out.p : "", out.len);
        int refused = 0;
        if (ans && req && rewrite(c, &r, req, &ans, &refused)) {
            served(ri);
            if (refused && r.style == S_HTTP413) {
                static const char msg[] = "Request Entity Too Large";
                rc = respond(c, 413, "text/plain", NULL, msg, sizeof msg - 1, sizeof msg - 1,
                             rq->keep_alive);
                goto done_keep;
            }
            text = cJSON_PrintUnformatted(ans);
            if (!text) goto done;
            rc = respond(c, st, "application/json", NULL, text, strlen(text), strlen(text),
                         rq->keep_alive);
            goto done_keep;
        }
    }
    rc = respond(c, st, "application/json", NULL, out.p, out.len, out.len, rq->keep_alive);
done_keep:
    if (rc == 0 && !rq->keep_alive) rc = -1;
done:
    free(text);
    cJSON_Delete(ans);
    cJSON_Delete(req);
    free(out.p);
    return rc;
}

static void *conn_main(void *arg)
{
    struct conn c = {.fd = (int)(intptr_t)arg, .in = {.limit = HDR_CAP + BODY_CAP + 16}};
    struct request rq = {.body = {.limit = BODY_CAP}};
    int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    pthread_mutex_lock(&g.mu);
    g.connections++;
    pthread_mutex_unlock(&g.mu);
    while (read_request(&c, &rq) == 0) {
        if (!strncmp(rq.path, "/_ctl", 5)) {
            int status;
            char *s = control(rq.body.p ? rq.body.p : "", rq.body.len, &status);
            int rc = s ? respond(&c, status, "application/json", NULL, s, strlen(s), strlen(s),
                                 rq.keep_alive)
                       : -1;
            free(s);
            if (rc || !rq.keep_alive) break;
            continue;
        }
        if (strcmp(rq.method, "POST")) {
            static const char msg[] = "POST JSON-RPC here";
            if (respond(&c, 404, "text/plain", NULL, msg, sizeof msg - 1, sizeof msg - 1,
                        rq.keep_alive) ||
                !rq.keep_alive)
                break;
            continue;
        }
        if (serve_rpc(&c, &rq)) break;
    }
    close(c.fd);
    if (c.up) curl_easy_cleanup(c.up);
    free(c.in.p);
    free(rq.body.p);
    return NULL;
}

static int usage(void)
{
    fputs("usage: prog_faultproxy --upstream URL [--port N] [--rule \"FAULT k=v ...\"]...\n",
          stderr);
    return 2;
}

int main(int argc, char **argv)
{
    long port = 0;
    signal(SIGPIPE, SIG_IGN);
    if (curl_global_init(CURL_GLOBAL_DEFAULT)) return 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--upstream") && i + 1 < argc) {
            g.upstream = argv[++i];
        } else if (!strcmp(argv[i], "--port") && i + 1 < argc) {
            const char *v = argv[++i];
            if (parse_long(&port, v, strlen(v)) || port < 0 || port > 65535) return usage();
        } else if (!strcmp(argv[i], "--rule") && i + 1 < argc) {
            const char *v = argv[++i], *why = NULL;
            if (g.nrules == MAX_RULES || parse_rule(&g.rules[g.nrules], v, strlen(v), &why)) {
                fprintf(stderr, "prog_faultproxy: bad rule \"%s\": %s\n", v,
                        why ? why : "too many rules");
                return 2;
            }
            g.nrules++;
        } else {
            return usage();
        }
    }
    if (!g.upstream) return usage();

    int ls = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
        bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 64) ||
        getsockname(ls, (struct sockaddr *)&a, &al)) {
        perror("prog_faultproxy: listen");
        return 1;
    }
    printf("port %u\n", (unsigned)ntohs(a.sin_port));
    fflush(stdout);
    for (;;) {
        int fd = accept(ls, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            perror("prog_faultproxy: accept");
            return 1;
        }
        pthread_t t;
        pthread_attr_t at;
        pthread_attr_init(&at);
        pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&t, &at, conn_main, (void *)(intptr_t)fd)) close(fd);
        pthread_attr_destroy(&at);
    }
}
