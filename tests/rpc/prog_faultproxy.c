/* tests/rpc/prog_faultproxy.c — a fault-injecting HTTP/1.1 proxy in front of one JSON-RPC node,
 * for the client's fault tests: POST bodies go upstream through libcurl; scripted rules (from
 * --rule flags or POST /_ctl) turn chosen requests into faults and count what they served.
 * Invariant: a request no rule acts on gets the upstream's status and body unchanged.
 * HTTP/1.1 plumbing is in prog_faultproxy/http1.c, rules and counters in prog_faultproxy/rules.c.
 *
 * Usage: prog_faultproxy --upstream URL [--port N] [--rule "FAULT key=value ..."]...
 *        [--record FILE]: append every JSON-RPC request body forwarded upstream to FILE as
 *        "<length>\n<body>\n", in arrival order (bench/replay reads it back).
 * Prints "port N" on stdout once listening on 127.0.0.1. Control (not counted as traffic):
 *   GET /_ctl                 -> the stats JSON: requests (JSON-RPC HTTP requests), forwarded,
 *                                connections, upstream_errors, last_path (of the last JSON-RPC
 *                                request), calls {method: n}, faults
 *                                {fault: times served}, rules [{fault, matched, served}]
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
 *   edit method=M path=P [value=V]  in the answer to the request's first call of M whose
 *                                   "result" has P, the JSON value at P ("." = result itself;
 *                                   keys and array indexes joined by dots: "0.logs.1.data")
 *                                   becomes the string V, or without V has its last hex digit
 *                                   changed
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
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "tests/rpc/prog_faultproxy/http1.h"
#include "tests/rpc/prog_faultproxy/rules.h"

static const char *upstream_url;
static FILE *record_file; /* --record: bodies sent upstream, guarded by record_lock */
static pthread_mutex_t record_lock = PTHREAD_MUTEX_INITIALIZER;

/* record: append one request body to the --record file (a no-op without it). */
static void record(const char *body, size_t n)
{
    if (!record_file)
        return;
    pthread_mutex_lock(&record_lock);
    fprintf(record_file, "%zu\n", n);
    fwrite(body, 1, n, record_file);
    fputc('\n', record_file);
    fflush(record_file);
    pthread_mutex_unlock(&record_lock);
}

/* ---- one downstream connection ---- */

struct conn {
    wt_http_conn h;
    CURL *up; /* this connection's own upstream handle (keeps its connection alive) */
};

static size_t on_upstream_data(char *d, size_t sz, size_t n, void *ud)
{
    return wt_buf_add(ud, d, sz * n) ? 0 : sz * n;
}

/* upstream: POST body to the node; its status and body into *status, *out. */
static int upstream(struct conn *c, const char *body, size_t n, long *status, wt_buf *out)
{
    if (!c->up && !(c->up = curl_easy_init()))
        return -1;
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    if (!h)
        return -1;
    out->len = 0;
    curl_easy_reset(c->up);
    curl_easy_setopt(c->up, CURLOPT_URL, upstream_url);
    curl_easy_setopt(c->up, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c->up, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)n);
    curl_easy_setopt(c->up, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c->up, CURLOPT_WRITEFUNCTION, on_upstream_data);
    curl_easy_setopt(c->up, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(c->up, CURLOPT_TIMEOUT, 120L);
    curl_easy_setopt(c->up, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(c->up);
    curl_slist_free_all(h);
    if (rc != CURLE_OK)
        return -1;
    curl_easy_getinfo(c->up, CURLINFO_RESPONSE_CODE, status);
    fp_count(FP_FORWARDED);
    return 0;
}

/* upstream_head: the node's eth_blockNumber, for "latest"-style tags in log filters. */
static int upstream_head(struct conn *c, uint64_t *head)
{
    static const char q[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\"}";
    wt_buf out = {.limit = 4096};
    long st = 0;
    int rc = -1;
    if (upstream(c, q, sizeof q - 1, &st, &out) || st != 200)
        goto done;
    cJSON *a = cJSON_ParseWithLength(out.p, out.len);
    cJSON *r = cJSON_GetObjectItemCaseSensitive(a, "result");
    if (cJSON_IsString(r) && fp_parse_quantity(head, r->valuestring) == 0)
        rc = 0;
    cJSON_Delete(a);
done:
    free(out.p);
    return rc;
}

static int block_of(struct conn *c, cJSON *tag, uint64_t *out, uint64_t *head, bool *have_head)
{
    const char *s = cJSON_IsString(tag) ? tag->valuestring : "latest";
    if (fp_parse_quantity(out, s) == 0)
        return 0;
    if (!strcmp(s, "earliest"))
        return *out = 0, 0;
    if (!*have_head) {
        if (upstream_head(c, head))
            return -1;
        *have_head = true;
    }
    *out = *head;
    return 0;
}

static cJSON *refusal(const struct fp_rule *r, cJSON *id)
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
    if (!cJSON_IsString(m) || strcmp(m->valuestring, "eth_getLogs"))
        return false;
    cJSON *f = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(call, "params"), 0);
    if (!cJSON_IsObject(f) || cJSON_GetObjectItemCaseSensitive(f, "blockHash"))
        return false;
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
        if (cJSON_Compare(cJSON_GetObjectItemCaseSensitive(a, "id"), id, 1))
            return a;
    }
    return NULL;
}

/* apply_cap: refuse the over-cap eth_getLogs calls of req in ans (rewritten in place).
 * Returns how many were refused. */
static int apply_cap(struct conn *c, const struct fp_rule *r, cJSON *req, cJSON **ans)
{
    uint64_t head = 0;
    bool have_head = false;
    int refused = 0;
    bool batch = cJSON_IsArray(req);
    int n = batch ? cJSON_GetArraySize(req) : 1;
    for (int i = 0; i < n; i++) {
        cJSON *call = batch ? cJSON_GetArrayItem(req, i) : req;
        cJSON *m = cJSON_GetObjectItemCaseSensitive(call, "method");
        if (!cJSON_IsString(m) || strcmp(m->valuestring, "eth_getLogs"))
            continue;
        cJSON *id = cJSON_GetObjectItemCaseSensitive(call, "id");
        cJSON *a = batch ? find_by_id(*ans, id) : *ans;
        if (!a)
            continue;
        bool refuse;
        if (r->f == F_RANGE_CAP) {
            refuse = over_range(c, call, r->max, &head, &have_head);
        } else {
            cJSON *res = cJSON_GetObjectItemCaseSensitive(a, "result");
            refuse = cJSON_IsArray(res) && cJSON_GetArraySize(res) > r->max;
        }
        if (!refuse)
            continue;
        refused++;
        cJSON *e = refusal(r, id);
        if (batch) {
            int k = 0;
            cJSON *x;
            cJSON_ArrayForEach(x, *ans)
            {
                if (x == a)
                    break;
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
        char k[FP_NAME_CAP];
        memcpy(k, p, n);
        k[n] = '\0';
        *parent = cur;
        if (cJSON_IsArray(cur)) {
            int idx = 0;
            for (size_t i = 0; i < n && idx >= 0; i++)
                idx = (k[i] >= '0' && k[i] <= '9' && idx < 100000) ? idx * 10 + (k[i] - '0') : -1;
            cur = n && idx >= 0 ? cJSON_GetArrayItem(cur, idx) : NULL;
        } else {
            cur = cJSON_IsObject(cur) ? cJSON_GetObjectItemCaseSensitive(cur, k) : NULL;
        }
        p += n;
        if (*p == '.')
            p++;
    }
    return cur;
}

/* edit_answer: the edit and drop_item faults on the first call of r->method in req whose
 * result has r->path. */
static bool edit_answer(const struct fp_rule *r, cJSON *req, cJSON *ans)
{
    bool batch = cJSON_IsArray(req);
    int n = batch ? cJSON_GetArraySize(req) : 1;
    for (int i = 0; i < n; i++) {
        cJSON *call = batch ? cJSON_GetArrayItem(req, i) : req;
        cJSON *m = cJSON_GetObjectItemCaseSensitive(call, "method");
        if (!cJSON_IsString(m) || strcmp(m->valuestring, r->method))
            continue;
        cJSON *a = batch ? find_by_id(ans, cJSON_GetObjectItemCaseSensitive(call, "id")) : ans;
        cJSON *parent, *v = walk(cJSON_GetObjectItemCaseSensitive(a, "result"), r->path, &parent);
        if (!v)
            continue; /* e.g. an empty eth_getLogs answer: try the next call of M */
        if (r->f == F_DROP_ITEM) {
            if (!cJSON_IsArray(parent))
                return false;
            cJSON_Delete(cJSON_DetachItemViaPointer(parent, v));
            return true;
        }
        if (r->value[0]) {
            cJSON *nv = cJSON_CreateString(r->value);
            if (!parent)
                return cJSON_ReplaceItemInObjectCaseSensitive(a, "result", nv);
            if (cJSON_IsObject(parent)) /* keeps the member's name */
                return cJSON_ReplaceItemInObjectCaseSensitive(parent, v->string, nv);
            return cJSON_ReplaceItemViaPointer(parent, v, nv);
        }
        size_t len = cJSON_IsString(v) ? strlen(v->valuestring) : 0;
        if (len < 3)
            return false;
        char *d = &v->valuestring[len - 1]; /* 0<->1, 2<->3, ..., e<->f: still hex */
        if (*d >= '0' && *d <= '9')
            *d = (char)('0' + ((*d - '0') ^ 1));
        else if (*d >= 'a' && *d <= 'f')
            *d = (char)('a' + ((*d - 'a') ^ 1));
        else
            return false;
        return true;
    }
    return false;
}

/* no_method: replace the answer of every call of r->method with geth's "no such method". */
static bool no_method(const struct fp_rule *r, cJSON *req, cJSON **ans)
{
    bool batch = cJSON_IsArray(req), changed = false;
    int n = batch ? cJSON_GetArraySize(req) : 1;
    for (int i = 0; i < n; i++) {
        cJSON *call = batch ? cJSON_GetArrayItem(req, i) : req;
        cJSON *m = cJSON_GetObjectItemCaseSensitive(call, "method");
        if (!cJSON_IsString(m) || strcmp(m->valuestring, r->method))
            continue;
        cJSON *id = cJSON_GetObjectItemCaseSensitive(call, "id");
        cJSON *a = batch ? find_by_id(*ans, id) : *ans;
        if (!a)
            continue;
        cJSON *e = cJSON_CreateObject(), *eo = cJSON_CreateObject();
        char msg[FP_NAME_CAP + 64];
        snprintf(msg, sizeof msg, "the method %s does not exist/is not available", r->method);
        cJSON_AddStringToObject(e, "jsonrpc", "2.0");
        cJSON_AddItemToObject(e, "id", cJSON_Duplicate(id, 1));
        cJSON_AddNumberToObject(eo, "code", -32601);
        cJSON_AddStringToObject(eo, "message", msg);
        cJSON_AddItemToObject(e, "error", eo);
        if (batch) {
            cJSON_ReplaceItemViaPointer(*ans, a, e);
        } else {
            cJSON_Delete(*ans);
            *ans = e;
        }
        changed = true;
    }
    return changed;
}

/* rewrite: the answer-changing faults. Returns true when the answer was changed. */
static bool rewrite(struct conn *c, const struct fp_rule *r, cJSON *req, cJSON **ans, int *refused)
{
    bool batch = cJSON_IsArray(*ans);
    switch (r->f) {
    case F_WRONG_ID: {
        cJSON *o = batch ? cJSON_GetArrayItem(*ans, 0) : *ans;
        cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");
        if (!id)
            return false;
        cJSON *nid = cJSON_IsNumber(id) ? cJSON_CreateNumber(id->valuedouble + 1000003)
                                        : cJSON_CreateString("wrong-id");
        cJSON_ReplaceItemInObjectCaseSensitive(o, "id", nid);
        return true;
    }
    case F_REORDER: {
        int n = batch ? cJSON_GetArraySize(*ans) : 0;
        if (n < 2)
            return false;
        cJSON *rev = cJSON_CreateArray();
        for (int i = n - 1; i >= 0; i--)
            cJSON_AddItemToArray(rev, cJSON_DetachItemFromArray(*ans, i));
        cJSON_Delete(*ans);
        *ans = rev;
        return true;
    }
    case F_DROP_ONE: {
        int n = batch ? cJSON_GetArraySize(*ans) : 0;
        if (n < 1)
            return false;
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
            if (!cJSON_IsString(jm) || strcmp(jm->valuestring, m))
                continue;
            cJSON *a =
                batch ? find_by_id(*ans, cJSON_GetObjectItemCaseSensitive(call, "id")) : *ans;
            cJSON *res = cJSON_GetObjectItemCaseSensitive(a, "result");
            uint64_t v;
            if (!cJSON_IsString(res) || fp_parse_quantity(&v, res->valuestring))
                continue;
            if (r->f == F_CHAIN_ID)
                v = r->chain;
            else
                v = v > (uint64_t)r->lag ? v - (uint64_t)r->lag : 0;
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
        if (t.tv_sec - t0.tv_sec >= seconds)
            return;
        struct pollfd pfd = {.fd = c->h.fd, .events = POLLIN};
        int pr = poll(&pfd, 1, 100);
        if (pr > 0) {
            char tmp[512];
            ssize_t n = recv(c->h.fd, tmp, sizeof tmp, 0);
            if (n <= 0)
                return; /* the client gave up */
        }
    }
}

static const char html_page[] =
    "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
    "<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n";

/* serve_rpc: one JSON-RPC request. Returns 0 to keep the connection, -1 to close it. */
static int serve_rpc(struct conn *c, wt_http_request *rq)
{
    cJSON *req = cJSON_ParseWithLength(rq->body.p ? rq->body.p : "", rq->body.len);
    struct fp_rule r;
    memset(&r, 0, sizeof r); /* pick_rule fills it only when a rule acts */
    int ri = fp_pick(rq->path, req, &r);
    wt_buf out = {.limit = WT_HTTP_BODY_CAP};
    long st = 0;
    int rc = -1;
    cJSON *ans = NULL;
    char *text = NULL;

    if (ri >= 0) {
        char extra[64] = "";
        switch (r.f) {
        case F_HTTP:
            fp_served(ri);
            if (r.retry_after > 0)
                snprintf(extra, sizeof extra, "Retry-After: %ld\r\n", r.retry_after);
            rc = wt_http_respond(&c->h, r.status, "text/plain", extra, wt_http_reason(r.status),
                                 strlen(wt_http_reason(r.status)), strlen(wt_http_reason(r.status)),
                                 rq->keep_alive);
            goto done_keep;
        case F_HANG:
            fp_served(ri);
            hang(c, r.seconds);
            goto done;
        case F_HTML:
            fp_served(ri);
            rc = wt_http_respond(&c->h, r.status, "text/html", NULL, html_page,
                                 sizeof html_page - 1, sizeof html_page - 1, rq->keep_alive);
            goto done_keep;
        default:
            break;
        }
    }
    record(rq->body.p ? rq->body.p : "", rq->body.len);
    if (upstream(c, rq->body.p ? rq->body.p : "", rq->body.len, &st, &out)) {
        fp_count(FP_UPSTREAM_ERRORS);
        static const char msg[] = "upstream unreachable";
        rc = wt_http_respond(&c->h, 502, "text/plain", NULL, msg, sizeof msg - 1, sizeof msg - 1,
                             rq->keep_alive);
        goto done_keep;
    }
    if (ri >= 0) {
        switch (r.f) {
        case F_CLOSE_MID:
            fp_served(ri);
            wt_http_respond(&c->h, st, "application/json", NULL, out.p, out.len, out.len / 2, true);
            shutdown(c->h.fd, SHUT_RDWR);
            goto done;
        case F_TRUNCATE:
            fp_served(ri);
            rc = wt_http_respond(&c->h, st, "application/json", NULL, out.p, out.len / 2,
                                 out.len / 2, rq->keep_alive);
            goto done_keep;
        default:
            break;
        }
        ans = cJSON_ParseWithLength(out.p ? out.p : "", out.len);
        int refused = 0;
        if (ans && req && rewrite(c, &r, req, &ans, &refused)) {
            fp_served(ri);
            if (refused && r.style == S_HTTP413) {
                static const char msg[] = "Request Entity Too Large";
                rc = wt_http_respond(&c->h, 413, "text/plain", NULL, msg, sizeof msg - 1,
                                     sizeof msg - 1, rq->keep_alive);
                goto done_keep;
            }
            text = cJSON_PrintUnformatted(ans);
            if (!text)
                goto done;
            rc = wt_http_respond(&c->h, st, "application/json", NULL, text, strlen(text),
                                 strlen(text), rq->keep_alive);
            goto done_keep;
        }
    }
    rc = wt_http_respond(&c->h, st, "application/json", NULL, out.p, out.len, out.len,
                         rq->keep_alive);
done_keep:
    if (rc == 0 && !rq->keep_alive)
        rc = -1;
done:
    free(text);
    cJSON_Delete(ans);
    cJSON_Delete(req);
    free(out.p);
    return rc;
}

static void *conn_main(void *arg)
{
    struct conn c = {
        .h = {.fd = (int)(intptr_t)arg, .in = {.limit = WT_HTTP_HDR_CAP + WT_HTTP_BODY_CAP + 16}}};
    wt_http_request rq = {.body = {.limit = WT_HTTP_BODY_CAP}};
    int one = 1;
    setsockopt(c.h.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fp_count(FP_CONNECTIONS);
    while (wt_http_read_request(&c.h, &rq) == 0) {
        if (!strncmp(rq.path, "/_ctl", 5)) {
            int status;
            char *s = fp_control(rq.body.p ? rq.body.p : "", rq.body.len, &status);
            int rc = s ? wt_http_respond(&c.h, status, "application/json", NULL, s, strlen(s),
                                         strlen(s), rq.keep_alive)
                       : -1;
            free(s);
            if (rc || !rq.keep_alive)
                break;
            continue;
        }
        if (strcmp(rq.method, "POST")) {
            static const char msg[] = "POST JSON-RPC here";
            if (wt_http_respond(&c.h, 404, "text/plain", NULL, msg, sizeof msg - 1, sizeof msg - 1,
                                rq.keep_alive) ||
                !rq.keep_alive)
                break;
            continue;
        }
        if (serve_rpc(&c, &rq))
            break;
    }
    close(c.h.fd);
    if (c.up)
        curl_easy_cleanup(c.up);
    free(c.h.in.p);
    free(rq.body.p);
    return NULL;
}

static int usage(void)
{
    fputs("usage: prog_faultproxy --upstream URL [--port N] [--rule \"FAULT k=v ...\"]... "
          "[--record FILE]\n",
          stderr);
    return 2;
}

int main(int argc, char **argv)
{
    long port = 0;
    signal(SIGPIPE, SIG_IGN);
    if (curl_global_init(CURL_GLOBAL_DEFAULT))
        return 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--record") && i + 1 < argc) {
            if (!(record_file = fopen(argv[++i], "w"))) {
                fprintf(stderr, "prog_faultproxy: cannot write %s\n", argv[i]);
                return 2;
            }
        } else if (!strcmp(argv[i], "--upstream") && i + 1 < argc) {
            upstream_url = argv[++i];
        } else if (!strcmp(argv[i], "--port") && i + 1 < argc) {
            const char *v = argv[++i];
            char *end;
            errno = 0;
            port = strtol(v, &end, 10);
            if (errno || end == v || *end || port < 0 || port > 65535)
                return usage();
        } else if (!strcmp(argv[i], "--rule") && i + 1 < argc) {
            const char *v = argv[++i], *why = NULL;
            if (fp_rule_add(v, strlen(v), &why) < 0) {
                fprintf(stderr, "prog_faultproxy: bad rule \"%s\": %s\n", v, why);
                return 2;
            }
        } else {
            return usage();
        }
    }
    if (!upstream_url)
        return usage();

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
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            perror("prog_faultproxy: accept");
            return 1;
        }
        pthread_t t;
        pthread_attr_t at;
        pthread_attr_init(&at);
        pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&t, &at, conn_main, (void *)(intptr_t)fd))
            close(fd);
        pthread_attr_destroy(&at);
    }
}
