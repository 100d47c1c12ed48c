/* rpc/client.c — the endpoint set: ${VAR} expansion and redaction, chain id check on first
 * contact, token-bucket rate limits, retries with jittered exponential backoff honouring
 * Retry-After, failover, head-lag tracking, counters. Invariant: a URL is printed only in
 * its redacted form, and every message is scrubbed of the secrets it was built from. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "rpc/client_int.h"

#define MAX_SECRETS 8

typedef struct endpoint {
    char *url; /* expanded: may hold a key, never printed */
    char name[200];
    char *secrets[MAX_SECRETS]; /* substrings scrubbed from every message */
    size_t n_secrets;
    rpc_transport tr;
    bool chain_checked, chain_bad;
    uint64_t cool_until_us;
    double tokens;
    uint64_t tokens_at_us;
    rpc_endpoint_stats st;
} endpoint;

struct rpc_client {
    rpc_client_opts o;
    endpoint *ep;
    size_t n;
    uint64_t chain_id;
    uint64_t next_id;
    uint64_t rng;
    size_t last_ep;
    rpc_sbuf req;
    rpc_bytes revert;
    char err[600];
};

static _Thread_local char new_err[300];

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void sleep_us(uint64_t us)
{
    struct timespec ts = {(time_t)(us / 1000000u), (long)(us % 1000000u) * 1000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static uint64_t rnd(rpc_client *c)
{
    uint64_t x = c->rng; /* xorshift64 */
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return c->rng = x;
}

void rpc_client_opts_default(rpc_client_opts *o)
{
    memset(o, 0, sizeof *o);
    o->connect_timeout_ms = 5000;
    o->timeout_ms = 30000;
    o->max_response = (size_t)256 << 20;
    o->max_batch = 500;
    o->max_retries = 4;
    o->backoff_base_ms = 100;
    o->backoff_max_ms = 5000;
    o->retry_after_max_ms = 30000;
    o->rate_per_sec = 0;
    o->rate_burst = 10;
    o->head_lag_max = 5;
}

/* ---- messages ---------------------------------------------------------------------- */

static void scrub(const rpc_client *c, char *msg)
{
    for (size_t i = 0; i < c->n; i++) {
        const endpoint *e = &c->ep[i];
        for (size_t s = 0; s < e->n_secrets; s++) {
            size_t sl = strlen(e->secrets[s]);
            char *p;
            while (sl && (p = strstr(msg, e->secrets[s])) != NULL) {
                /* "…" is 3 bytes of UTF-8; secrets are at least 4 */
                memcpy(p, "\xe2\x80\xa6", 3);
                memmove(p + 3, p + sl, strlen(p + sl) + 1);
            }
        }
    }
}

void rpc_client_set_err(rpc_client *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
    scrub(c, c->err);
}

const char *rpc_client_errmsg(const rpc_client *c)
{
    return c->err;
}

const char *rpc_client_new_errmsg(void)
{
    return new_err;
}

size_t rpc_client_endpoints(const rpc_client *c)
{
    return c->n;
}

const char *rpc_client_endpoint_name(const rpc_client *c, size_t i)
{
    return i < c->n ? c->ep[i].name : "";
}

size_t rpc_client_last_endpoint(const rpc_client *c)
{
    return c->last_ep;
}

void rpc_client_stats(const rpc_client *c, size_t i, rpc_endpoint_stats *out)
{
    if (i < c->n)
        *out = c->ep[i].st;
    else
        memset(out, 0, sizeof *out);
}

const uint8_t *rpc_client_revert_data(const rpc_client *c, size_t *len)
{
    *len = c->revert.n;
    return c->revert.p;
}

void rpc_client_set_revert(rpc_client *c, rpc_bytes *r)
{
    rpc_bytes_free(&c->revert);
    c->revert = *r;
    r->p = NULL;
    r->n = 0;
}

/* ---- construction ------------------------------------------------------------------ */

static int add_secret(endpoint *e, const char *s, size_t n)
{
    if (n < 4 || e->n_secrets == MAX_SECRETS)
        return RPC_OK; /* too short to scrub without mangling ordinary text */
    char *d = strndup(s, n);
    if (!d)
        return RPC_ENOMEM;
    e->secrets[e->n_secrets++] = d;
    return RPC_OK;
}

/* Expand ${VAR} in url into e->url, remembering the values as secrets. */
static int expand(endpoint *e, size_t idx, const char *url)
{
    rpc_sbuf s;
    rpc_sbuf_init(&s, 8192);
    int rc = RPC_OK;
    for (const char *p = url; *p && rc == RPC_OK;) {
        if (p[0] == '$' && p[1] == '{') {
            const char *q = p + 2;
            while ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') ||
                   (*q >= '0' && *q <= '9') || *q == '_')
                q++;
            size_t vl = (size_t)(q - (p + 2));
            if (*q != '}' || vl == 0 || vl > 100) {
                snprintf(new_err, sizeof new_err, "endpoint %zu: malformed ${...} in its URL",
                         idx + 1);
                rc = RPC_EINVAL;
                break;
            }
            char var[101];
            memcpy(var, p + 2, vl);
            var[vl] = '\0';
            const char *val = getenv(var);
            if (!val || !*val) {
                snprintf(new_err, sizeof new_err,
                         "endpoint %zu: environment variable %s is not set", idx + 1, var);
                rc = RPC_EINVAL;
                break;
            }
            rc = rpc_sbuf_adds(&s, val);
            if (rc == RPC_OK)
                rc = add_secret(e, val, strlen(val));
            p = q + 1;
        } else {
            rc = rpc_sbuf_add(&s, p, 1);
            p++;
        }
    }
    if (rc == RPC_OK && s.len == 0)
        rc = RPC_EINVAL;
    if (rc != RPC_OK) {
        rpc_sbuf_free(&s);
        if (rc == RPC_ETOO_LARGE)
            rc = RPC_EINVAL;
        return rc;
    }
    e->url = s.p;
    return RPC_OK;
}

/* Build e->name = scheme://host[:port][/…] and note path, query and credentials as secrets. */
static int redact(endpoint *e, size_t idx)
{
    int rc = RPC_EINVAL;
    char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *query = NULL, *user = NULL,
         *pass = NULL;
    CURLU *u = curl_url();
    if (!u)
        return RPC_ENOMEM;
    if (curl_url_set(u, CURLUPART_URL, e->url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
        (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)) {
        snprintf(new_err, sizeof new_err, "endpoint %zu: not an http(s) URL", idx + 1);
        goto done;
    }
    (void)curl_url_get(u, CURLUPART_PORT, &port, 0);
    (void)curl_url_get(u, CURLUPART_PATH, &path, 0);
    (void)curl_url_get(u, CURLUPART_QUERY, &query, 0);
    (void)curl_url_get(u, CURLUPART_USER, &user, 0);
    (void)curl_url_get(u, CURLUPART_PASSWORD, &pass, 0);
    bool more = (path && strcmp(path, "/") != 0) || query || user || pass;
    snprintf(e->name, sizeof e->name, "%s://%s%s%s%s", scheme, host, port ? ":" : "",
             port ? port : "", more ? "/\xe2\x80\xa6" : "");
    rc = RPC_OK;
    if (path && strlen(path) > 1)
        rc = add_secret(e, path + 1, strlen(path + 1));
    if (rc == RPC_OK && query)
        rc = add_secret(e, query, strlen(query));
    if (rc == RPC_OK && user)
        rc = add_secret(e, user, strlen(user));
    if (rc == RPC_OK && pass)
        rc = add_secret(e, pass, strlen(pass));
done:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(path);
    curl_free(query);
    curl_free(user);
    curl_free(pass);
    curl_url_cleanup(u);
    return rc;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void)
{
    (void)curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void free_endpoint(endpoint *e)
{
    rpc_transport_free(&e->tr);
    free(e->url);
    for (size_t s = 0; s < e->n_secrets; s++)
        free(e->secrets[s]);
    memset(e, 0, sizeof *e);
}

void rpc_client_free(rpc_client *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        free_endpoint(&c->ep[i]);
    free(c->ep);
    rpc_sbuf_free(&c->req);
    rpc_bytes_free(&c->revert);
    free(c);
}

int rpc_client_new(rpc_client **out, const rpc_client_opts *opts, const char *const *urls,
                   size_t n)
{
    int rc = RPC_ENOMEM;
    *out = NULL;
    new_err[0] = '\0';
    if (n == 0 || !urls) {
        snprintf(new_err, sizeof new_err, "no endpoint given");
        return RPC_EINVAL;
    }
    pthread_once(&curl_once, curl_init_once);
    rpc_client *c = calloc(1, sizeof *c);
    if (!c)
        return RPC_ENOMEM;
    if (opts)
        c->o = *opts;
    else
        rpc_client_opts_default(&c->o);
    if (c->o.max_batch == 0)
        c->o.max_batch = 1;
    if (c->o.rate_burst < 1)
        c->o.rate_burst = 1;
    c->chain_id = c->o.chain_id;
    c->next_id = 1;
    c->rng = (now_us() ^ (uint64_t)(uintptr_t)c) | 1;
    rpc_sbuf_init(&c->req, SIZE_MAX / 2);
    c->ep = calloc(n, sizeof *c->ep);
    if (!c->ep)
        goto fail;
    for (size_t i = 0; i < n; i++, c->n++) {
        endpoint *e = &c->ep[i];
        if (!urls[i]) {
            snprintf(new_err, sizeof new_err, "endpoint %zu: no URL", i + 1);
            rc = RPC_EINVAL;
            goto fail;
        }
        if ((rc = expand(e, i, urls[i])) != RPC_OK || (rc = redact(e, i)) != RPC_OK ||
            (rc = rpc_transport_init(&e->tr, e->url, c->o.connect_timeout_ms, c->o.timeout_ms,
                                     c->o.max_response)) != RPC_OK) {
            c->n++; /* free this one too */
            goto fail;
        }
        e->tokens = c->o.rate_burst;
        e->tokens_at_us = now_us();
    }
    *out = c;
    return RPC_OK;
fail:
    if (rc == RPC_ENOMEM && !new_err[0])
        snprintf(new_err, sizeof new_err, "out of memory");
    rpc_client_free(c);
    return rc;
}

/* ---- one attempt on one endpoint -------------------------------------------------- */

static void rate_wait(rpc_client *c, endpoint *e)
{
    if (c->o.rate_per_sec <= 0)
        return;
    uint64_t t = now_us();
    e->tokens += (double)(t - e->tokens_at_us) * c->o.rate_per_sec / 1e6;
    if (e->tokens > c->o.rate_burst)
        e->tokens = c->o.rate_burst;
    e->tokens_at_us = t;
    if (e->tokens < 1) {
        uint64_t wait = (uint64_t)((1 - e->tokens) * 1e6 / c->o.rate_per_sec) + 1;
        sleep_us(wait);
        e->tokens = 1;
        e->tokens_at_us = now_us();
    }
    e->tokens -= 1;
}

/* Outcome of one attempt. */
typedef struct attempt_res {
    int rc;
    bool retry;          /* worth another attempt (maybe elsewhere) */
    bool sent;           /* an HTTP request went out */
    long retry_after_ms; /* -1 when none */
} attempt_res;

static void count_err(endpoint *e, int rc)
{
    switch (rc) {
    case RPC_ETIMEOUT:
        e->st.err_timeout++;
        break;
    case RPC_ECONNECT:
        e->st.err_connect++;
        break;
    case RPC_EHTTP:
        e->st.err_http++;
        break;
    case RPC_ERATELIMIT:
        e->st.err_ratelimit++;
        break;
    case RPC_EJSON:
        e->st.err_json++;
        break;
    case RPC_ETOO_LARGE:
        e->st.err_too_large++;
        break;
    case RPC_ECHAIN:
        e->st.err_chain++;
        break;
    default:
        e->st.err_node++;
        break;
    }
}

/* A 4xx body that is a well-formed JSON-RPC answer with at least one error object. The
 * calls are left unanswered; the caller parses the body again when this says yes. */
static bool http_error_answer(rpc_call *calls, size_t n, bool batch, const rpc_transport *tr)
{
    char why[300];
    if (!tr->resp.p || tr->resp.len == 0)
        return false;
    int rc = rpc_jsonrpc_parse(calls, n, batch, tr->resp.p, tr->resp.len, why, sizeof why);
    bool any_error = rc != RPC_OK && rc != RPC_EJSON && rc != RPC_ENOMEM; /* one error object */
    for (size_t i = 0; rc == RPC_OK && i < n; i++)
        any_error = any_error || calls[i].status != RPC_OK;
    for (size_t i = 0; i < n; i++)
        rpc_call_clear_result(&calls[i]);
    return any_error;
}

/* POST the request in c->req to e and parse the answer into calls. */
static attempt_res attempt(rpc_client *c, endpoint *e, rpc_call *calls, size_t n, bool batch,
                           bool is_retry)
{
    attempt_res a = {RPC_OK, false, true, -1};
    rpc_http_result h;
    rate_wait(c, e);
    e->st.round_trips++;
    e->st.calls += n;
    if (is_retry)
        e->st.retries++;
    a.rc = rpc_transport_post(&e->tr, &h, c->req.p, c->req.len);
    e->st.bytes_in += h.bytes_in;
    e->st.bytes_out += h.bytes_out;
    e->st.latency_us_sum += h.latency_us;
    if (h.latency_us > e->st.latency_us_max)
        e->st.latency_us_max = h.latency_us;
    if (a.rc != RPC_OK) {
        count_err(e, a.rc);
        if (a.rc == RPC_ETOO_LARGE)
            rpc_client_set_err(c, "%s: answer larger than the %zu-byte cap", e->name,
                               c->o.max_response);
        else
            rpc_client_set_err(c, "%s: %s", e->name, h.what);
        a.retry = a.rc == RPC_ETIMEOUT || a.rc == RPC_ECONNECT;
        return a;
    }
    char why[300];
    if (h.status >= 400 && h.status <= 499 && h.status != 429 && h.status != 413 &&
        http_error_answer(calls, n, batch, &e->tr)) {
        /* some providers send JSON-RPC error objects (a refused log range...) with a 4xx
         * status: the answer itself says what went wrong, read it as a 200 */
        h.status = 200;
    }
    if (h.status < 200 || h.status > 299) {
        bool logs = n == 1 && strcmp(calls[0].method, "eth_getLogs") == 0;
        a.retry_after_ms = h.retry_after_ms;
        if (h.status == 429) {
            a.rc = RPC_ERATELIMIT;
            a.retry = true;
        } else if (h.status == 413) {
            a.rc = logs ? RPC_ERANGE : RPC_ETOO_LARGE;
        } else {
            /* 5xx are transient; other codes (401, 403, 404...) are this endpoint's
             * problem: another endpoint may serve, so they fail over too */
            a.rc = RPC_EHTTP;
            a.retry = true;
        }
        count_err(e, a.rc == RPC_ERANGE ? RPC_ENODE : a.rc);
        rpc_client_set_err(c, "%s: HTTP %ld", e->name, h.status);
        return a;
    }
    a.rc = rpc_jsonrpc_parse(calls, n, batch, e->tr.resp.p ? e->tr.resp.p : "", e->tr.resp.len,
                             why, sizeof why);
    if (a.rc != RPC_OK) {
        count_err(e, a.rc);
        rpc_client_set_err(c, "%s: %s", e->name, why);
        a.retry = a.rc == RPC_EJSON || a.rc == RPC_ERATELIMIT;
        return a;
    }
    for (size_t i = 0; i < n; i++) {
        if (calls[i].status == RPC_OK || calls[i].status == RPC_ENOTFOUND)
            continue;
        count_err(e, calls[i].status);
        if (calls[i].status == RPC_ERATELIMIT) {
            rpc_client_set_err(c, "%s: %s: %s", e->name, calls[i].method,
                               calls[i].node_msg ? calls[i].node_msg : "rate limited");
            a.rc = RPC_ERATELIMIT;
            a.retry = true;
        }
    }
    if (a.rc != RPC_OK) {
        for (size_t i = 0; i < n; i++)
            rpc_call_clear_result(&calls[i]);
    }
    return a;
}

/* Check e's chain id once; on a mismatch the endpoint is out for good. */
static attempt_res check_chain(rpc_client *c, endpoint *e, bool is_retry)
{
    attempt_res a = {RPC_OK, false, false, -1};
    if (e->chain_checked)
        return a;
    rpc_call k;
    a.rc = rpc_call_init(&k, RPC_K_U64, "eth_chainId", "[]");
    if (a.rc != RPC_OK)
        return a;
    k.id = c->next_id++;
    rpc_sbuf_reset(&c->req);
    a.rc = rpc_jsonrpc_request(&c->req, &k, 1, false);
    if (a.rc == RPC_OK)
        a = attempt(c, e, &k, 1, false, is_retry);
    if (a.rc == RPC_OK && k.status != RPC_OK) {
        rpc_client_set_err(c, "%s: eth_chainId: %s", e->name,
                           k.node_msg ? k.node_msg : rpc_strerror(k.status));
        a.rc = k.status == RPC_ENOTFOUND ? RPC_ENODE : k.status;
        a.retry = true; /* a node that cannot say its chain: try elsewhere */
    }
    if (a.rc == RPC_OK) {
        uint64_t id = k.r.u64;
        if (c->chain_id == 0) {
            c->chain_id = id;
        } else if (id != c->chain_id) {
            e->chain_bad = true;
            e->st.err_chain++;
            rpc_client_set_err(c, "%s serves chain %llu, expected chain %llu", e->name,
                               (unsigned long long)id, (unsigned long long)c->chain_id);
            a.rc = RPC_ECHAIN;
            a.retry = false;
        }
        if (a.rc == RPC_OK)
            e->chain_checked = true;
    }
    rpc_call_free(&k);
    return a;
}

/* Choose an endpoint: the first usable in order, preferring those not lagging; when all
 * are cooling down, wait for the first to come back. -1 when none can serve. */
static long pick(rpc_client *c, long only)
{
    for (;;) {
        uint64_t t = now_us(), soonest = UINT64_MAX;
        long lag_ok = -1;
        for (size_t i = 0; i < c->n; i++) {
            endpoint *e = &c->ep[i];
            if (e->chain_bad || (only >= 0 && (size_t)only != i))
                continue;
            if (e->cool_until_us > t) {
                if (e->cool_until_us < soonest)
                    soonest = e->cool_until_us;
                continue;
            }
            if (!e->st.lagging)
                return (long)i;
            if (lag_ok < 0)
                lag_ok = (long)i;
        }
        if (lag_ok >= 0)
            return lag_ok;
        if (soonest == UINT64_MAX)
            return -1;
        sleep_us(soonest - t);
    }
}

static uint64_t backoff_us(rpc_client *c, unsigned attempt_no, long retry_after_ms)
{
    uint64_t d = c->o.backoff_base_ms;
    for (unsigned i = 1; i < attempt_no && d < c->o.backoff_max_ms; i++)
        d *= 2;
    if (d > c->o.backoff_max_ms)
        d = c->o.backoff_max_ms;
    d *= 1000;
    d = d / 2 + (d ? rnd(c) % (d / 2 + 1) : 0); /* "equal jitter": [d/2, d] */
    if (retry_after_ms >= 0) {
        uint64_t ra = (uint64_t)(retry_after_ms < (long)c->o.retry_after_max_ms
                                     ? retry_after_ms
                                     : (long)c->o.retry_after_max_ms) * 1000;
        if (ra > d)
            d = ra;
    }
    return d;
}

/* The retry loop, optionally pinned to one endpoint (only >= 0) and to one attempt. */
static int exchange(rpc_client *c, rpc_call *calls, size_t n, bool batch, long only,
                    unsigned max_retries)
{
    c->err[0] = '\0';
    rpc_bytes_free(&c->revert);
    int last = RPC_ENOENDPOINT;
    for (unsigned tries = 0;; tries++) {
        long i = pick(c, only);
        if (i < 0) {
            if (last != RPC_ENOENDPOINT)
                return last;
            bool all_bad = true;
            for (size_t j = 0; j < c->n; j++)
                all_bad = all_bad && c->ep[j].chain_bad;
            if (all_bad)
                rpc_client_set_err(c, "every endpoint serves another chain than %llu",
                                   (unsigned long long)c->chain_id);
            else
                rpc_client_set_err(c, "no endpoint can serve");
            return all_bad ? RPC_ECHAIN : RPC_ENOENDPOINT;
        }
        endpoint *e = &c->ep[i];
        c->last_ep = (size_t)i;
        attempt_res a = check_chain(c, e, tries > 0);
        if (a.rc == RPC_OK) {
            bool is_retry = tries > 0 && !a.sent; /* one retry counted per attempt */
            for (size_t j = 0; j < n; j++)
                calls[j].id = c->next_id++;
            rpc_sbuf_reset(&c->req);
            a.rc = rpc_jsonrpc_request(&c->req, calls, n, batch);
            if (a.rc == RPC_OK)
                a = attempt(c, e, calls, n, batch, is_retry);
            else
                rpc_client_set_err(c, "cannot build the request: %s", rpc_strerror(a.rc));
        }
        if (a.rc == RPC_OK) {
            c->err[0] = '\0'; /* a success after retries leaves no stale message */
            return RPC_OK;
        }
        last = a.rc;
        if (a.rc == RPC_ECHAIN)
            return RPC_ECHAIN; /* fatal: the configuration is wrong */
        if (!a.retry)
            return a.rc;
        if (tries >= max_retries) {
            size_t l = strlen(c->err);
            snprintf(c->err + l, sizeof c->err - l, " (gave up after %u attempts)", tries + 1);
            return a.rc;
        }
        e->cool_until_us = now_us() + backoff_us(c, tries + 1, a.retry_after_ms);
    }
}

int rpc_client_exchange(rpc_client *c, rpc_call *calls, size_t n, bool batch)
{
    return exchange(c, calls, n, batch, -1, c->o.max_retries);
}

/* ---- single calls -------------------------------------------------------------------- */

/* After a successful exchange of one call: its own status, with the client's message. */
static int finish(rpc_client *c, rpc_call *k)
{
    if (k->status == RPC_OK)
        return RPC_OK;
    const char *name = c->ep[c->last_ep].name;
    if (k->status == RPC_ENOTFOUND)
        rpc_client_set_err(c, "%s: %s: not found", name, k->method);
    else
        rpc_client_set_err(c, "%s: %s: %s", name, k->method,
                           k->node_msg ? k->node_msg : rpc_strerror(k->status));
    if (k->status == RPC_EREVERT) {
        c->revert = k->revert;
        k->revert.p = NULL;
        k->revert.n = 0;
    }
    return k->status;
}

/* Run one prepared call; on RPC_OK k->r holds the result, owned by the caller. */
static int run1(rpc_client *c, rpc_call *k, int prep_rc)
{
    if (prep_rc != RPC_OK) {
        rpc_client_set_err(c, "bad arguments: %s", rpc_strerror(prep_rc));
        return prep_rc;
    }
    int rc = rpc_client_exchange(c, k, 1, false);
    if (rc == RPC_OK)
        rc = finish(c, k);
    if (rc == RPC_OK)
        k->taken = true; /* the caller owns k->r now */
    return rc;
}

int rpc_client_call(rpc_client *c, cJSON **result, const char *method, const char *params_json)
{
    rpc_call k;
    *result = NULL;
    int rc = rpc_call_init(&k, RPC_K_RAW, method, params_json);
    if (rc == RPC_OK && params_json) {
        cJSON *p = cJSON_Parse(params_json);
        if (!cJSON_IsArray(p) && !cJSON_IsObject(p))
            rc = RPC_EINVAL;
        cJSON_Delete(p);
    }
    rc = run1(c, &k, rc);
    if (rc == RPC_OK)
        *result = k.r.raw;
    rpc_call_free(&k);
    return rc;
}

int rpc_eth_chain_id(rpc_client *c, uint64_t *id)
{
    rpc_call k;
    *id = 0;
    int rc = run1(c, &k, rpc_call_init(&k, RPC_K_U64, "eth_chainId", "[]"));
    if (rc == RPC_OK)
        *id = k.r.u64;
    rpc_call_free(&k);
    return rc;
}

int rpc_eth_block_number(rpc_client *c, uint64_t *number)
{
    rpc_call k;
    *number = 0;
    int rc = rpc_call_init(&k, RPC_K_U64, "eth_blockNumber", "[]");
    if (rc != RPC_OK)
        return rc;
    if (c->n > 1) {
        /* ask every endpoint once, then keep the best head and flag the laggards */
        uint64_t best = 0;
        bool any = false;
        uint64_t t = now_us();
        for (size_t i = 0; i < c->n; i++) {
            endpoint *e = &c->ep[i];
            if (e->chain_bad || e->cool_until_us > t)
                continue;
            /* an endpoint found on another chain here is out for good (chain_bad, counted
             * in err_chain); a call that would need it gets RPC_ECHAIN */
            int xrc = exchange(c, &k, 1, false, (long)i, 0);
            if (xrc == RPC_OK && k.status == RPC_OK) {
                e->st.head = k.r.u64;
                if (!any || e->st.head > best)
                    best = e->st.head;
                any = true;
            } else if (xrc == RPC_OK || xrc == RPC_ECHAIN) {
                /* answered with an error, or wrong chain: leave it out of the head */
            } else {
                e->cool_until_us = now_us() + backoff_us(c, 1, -1);
            }
            rpc_call_clear_result(&k);
        }
        if (any) {
            for (size_t i = 0; i < c->n; i++) {
                endpoint *e = &c->ep[i];
                e->st.lagging = e->st.head + c->o.head_lag_max < best;
            }
            c->err[0] = '\0';
            *number = best;
            rpc_call_free(&k);
            return RPC_OK;
        }
    }
    rc = run1(c, &k, RPC_OK);
    if (rc == RPC_OK) {
        *number = k.r.u64;
        c->ep[c->last_ep].st.head = k.r.u64;
    }
    rpc_call_free(&k);
    return rc;
}

int rpc_eth_get_block(rpc_client *c, rpc_block *b, uint64_t block)
{
    rpc_call k;
    memset(b, 0, sizeof *b);
    int rc = run1(c, &k, rpc_call_prep_block(&k, block));
    if (rc == RPC_OK)
        *b = k.r.block;
    rpc_call_free(&k);
    return rc;
}

int rpc_eth_get_logs(rpc_client *c, rpc_logs *logs, const rpc_log_filter *f)
{
    rpc_call k;
    memset(logs, 0, sizeof *logs);
    int rc = run1(c, &k, rpc_call_prep_logs(&k, f));
    if (rc == RPC_OK)
        *logs = k.r.logs;
    rpc_call_free(&k);
    return rc;
}

int rpc_eth_call(rpc_client *c, rpc_bytes *ret, uint64_t block, const rpc_addr *to,
                 const uint8_t *data, size_t len)
{
    rpc_call k;
    memset(ret, 0, sizeof *ret);
    int rc = run1(c, &k, rpc_call_prep_call(&k, block, to, data, len));
    if (rc == RPC_OK)
        *ret = k.r.bytes;
    rpc_call_free(&k);
    return rc;
}

int rpc_eth_get_balance(rpc_client *c, rpc_u256 *wei, const rpc_addr *addr, uint64_t block)
{
    rpc_call k;
    memset(wei, 0, sizeof *wei);
    int rc = run1(c, &k, rpc_call_prep_balance(&k, addr, block));
    if (rc == RPC_OK)
        *wei = k.r.u256;
    rpc_call_free(&k);
    return rc;
}

int rpc_eth_get_receipt(rpc_client *c, rpc_receipt *r, const rpc_hash32 *tx)
{
    rpc_call k;
    memset(r, 0, sizeof *r);
    int rc = run1(c, &k, rpc_call_prep_receipt(&k, tx));
    if (rc == RPC_OK)
        *r = k.r.receipt;
    rpc_call_free(&k);
    return rc;
}

int rpc_eth_get_block_receipts(rpc_client *c, rpc_receipts *rs, uint64_t block)
{
    rpc_call k;
    memset(rs, 0, sizeof *rs);
    int rc = run1(c, &k, rpc_call_prep_block_receipts(&k, block));
    if (rc == RPC_OK)
        *rs = k.r.receipts;
    rpc_call_free(&k);
    return rc;
}

/* ---- batches ------------------------------------------------------------------------- */

int rpc_client_send_calls(rpc_client *c, rpc_call *v, size_t n)
{
    size_t i = 0;
    c->err[0] = '\0';
    while (i < n) {
        if (v[i].answered) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && !v[j].answered && j - i < c->o.max_batch)
            j++;
        int rc = rpc_client_exchange(c, &v[i], j - i, true);
        if (rc != RPC_OK)
            return rc;
        i = j;
    }
    return RPC_OK;
}
