/* tests/rpc/prog_faultproxy/http1.c — HTTP/1.1 requests in, responses out, for the fault proxy.
 * Invariant: c->in holds exactly the bytes received and not yet consumed, so requests
 * pipelined on a kept-alive connection are read one after the other, none lost. */
#include "tests/rpc/prog_faultproxy/http1.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

int wt_buf_reserve(wt_buf *b, size_t extra)
{
    if (extra > b->limit - b->len)
        return -1;
    if (b->len + extra + 1 <= b->cap)
        return 0;
    size_t ncap = b->cap ? b->cap : 4096;
    while (ncap < b->len + extra + 1)
        ncap *= 2;
    char *np = realloc(b->p, ncap);
    if (!np)
        return -1;
    b->p = np;
    b->cap = ncap;
    return 0;
}

int wt_buf_add(wt_buf *b, const void *d, size_t n)
{
    if (wt_buf_reserve(b, n))
        return -1;
    memcpy(b->p + b->len, d, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

/* parse_len: a Content-Length value: decimal digits only, at most WT_HTTP_BODY_CAP. */
static int parse_len(size_t *out, const char *s, size_t n)
{
    size_t v = 0;
    if (n == 0 || n > 12)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (size_t)(s[i] - '0');
    }
    if (v > WT_HTTP_BODY_CAP)
        return -1;
    *out = v;
    return 0;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* fill: read until the connection buffer holds at least want bytes. */
static int fill(wt_http_conn *c, size_t want)
{
    while (c->in.len < want) {
        if (wt_buf_reserve(&c->in, 16384))
            return -1;
        ssize_t r = recv(c->fd, c->in.p + c->in.len, 16384, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        c->in.len += (size_t)r;
        c->in.p[c->in.len] = '\0';
    }
    return 0;
}

/* find_crlf: the offset of the next "\r\n" at or after from, reading more as needed. */
static int find_crlf(wt_http_conn *c, size_t from, size_t limit, size_t *at)
{
    for (;;) {
        for (size_t i = from; i + 1 < c->in.len; i++)
            if (c->in.p[i] == '\r' && c->in.p[i + 1] == '\n')
                return *at = i, 0;
        if (c->in.len - from > limit)
            return -1;
        if (fill(c, c->in.len + 1))
            return -1;
    }
}

static void consume(wt_http_conn *c, size_t n)
{
    memmove(c->in.p, c->in.p + n, c->in.len - n);
    c->in.len -= n;
    if (c->in.p)
        c->in.p[c->in.len] = '\0';
}

static bool header_is(const char *line, size_t n, const char *name, const char **val, size_t *vl)
{
    size_t nl = strlen(name);
    if (n <= nl || line[nl] != ':' || strncasecmp(line, name, nl))
        return false;
    size_t i = nl + 1;
    while (i < n && (line[i] == ' ' || line[i] == '\t'))
        i++;
    size_t e = n;
    while (e > i && (line[e - 1] == ' ' || line[e - 1] == '\t'))
        e--;
    *val = line + i;
    *vl = e - i;
    return true;
}

int wt_http_read_request(wt_http_conn *c, wt_http_request *rq)
{
    size_t end = 0;
    rq->body.len = 0;
    /* the header block ends at the first empty line */
    size_t from = 0;
    for (;;) {
        size_t at;
        if (find_crlf(c, from, WT_HTTP_HDR_CAP, &at))
            return -1;
        if (at == from && from > 0) {
            end = at + 2;
            break;
        }
        from = at + 2;
        if (from > WT_HTTP_HDR_CAP)
            return -1;
    }
    const char *p = c->in.p;
    size_t l0;
    for (l0 = 0; p[l0] != '\r'; l0++) {
    }
    const char *sp1 = memchr(p, ' ', l0);
    if (!sp1)
        return -1;
    const char *sp2 = memchr(sp1 + 1, ' ', (size_t)(p + l0 - sp1 - 1));
    if (!sp2)
        return -1;
    size_t ml = (size_t)(sp1 - p), pl = (size_t)(sp2 - sp1 - 1);
    if (ml >= sizeof rq->method || pl >= sizeof rq->path)
        return -1;
    memcpy(rq->method, p, ml);
    rq->method[ml] = '\0';
    memcpy(rq->path, sp1 + 1, pl);
    rq->path[pl] = '\0';
    rq->keep_alive = strncmp(sp2 + 1, "HTTP/1.0", 8) != 0;

    size_t clen = 0;
    bool chunked = false, expect = false;
    for (size_t i = l0 + 2; i + 2 < end;) {
        size_t e = i;
        while (p[e] != '\r')
            e++;
        const char *v;
        size_t vl;
        if (header_is(p + i, e - i, "content-length", &v, &vl)) {
            if (parse_len(&clen, v, vl))
                return -1;
        } else if (header_is(p + i, e - i, "transfer-encoding", &v, &vl)) {
            chunked = vl == 7 && !strncasecmp(v, "chunked", 7);
        } else if (header_is(p + i, e - i, "expect", &v, &vl)) {
            expect = vl == 12 && !strncasecmp(v, "100-continue", 12);
        } else if (header_is(p + i, e - i, "connection", &v, &vl)) {
            if (vl == 5 && !strncasecmp(v, "close", 5))
                rq->keep_alive = false;
            if (vl == 10 && !strncasecmp(v, "keep-alive", 10))
                rq->keep_alive = true;
        }
        i = e + 2;
    }
    consume(c, end);
    if (expect && c->in.len == 0 && (clen > 0 || chunked)) {
        static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
        if (send_all(c->fd, cont, sizeof cont - 1))
            return -1;
    }
    if (!chunked) {
        if (fill(c, clen))
            return -1;
        if (wt_buf_add(&rq->body, c->in.p, clen))
            return -1;
        consume(c, clen);
        return 0;
    }
    for (;;) {
        size_t at;
        if (find_crlf(c, 0, 64, &at))
            return -1;
        uint64_t sz = 0;
        size_t k;
        for (k = 0; k < at && c->in.p[k] != ';'; k++) {
            char ch = c->in.p[k];
            int d = ch >= '0' && ch <= '9'   ? ch - '0'
                    : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                    : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                             : -1;
            if (d < 0 || sz > WT_HTTP_BODY_CAP)
                return -1;
            sz = sz * 16 + (uint64_t)d;
        }
        if (k == 0)
            return -1;
        consume(c, at + 2);
        if (sz == 0)
            break;
        if (sz > WT_HTTP_BODY_CAP || fill(c, (size_t)sz + 2))
            return -1;
        if (wt_buf_add(&rq->body, c->in.p, (size_t)sz))
            return -1;
        consume(c, (size_t)sz + 2);
    }
    for (;;) { /* trailers, up to the empty line */
        size_t at;
        if (find_crlf(c, 0, WT_HTTP_HDR_CAP, &at))
            return -1;
        consume(c, at + 2);
        if (at == 0)
            return 0;
    }
}

const char *wt_http_reason(long status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 413:
        return "Payload Too Large";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return "Status";
    }
}

int wt_http_respond(wt_http_conn *c, long status, const char *ctype, const char *extra,
                    const char *body, size_t content_len, size_t send_len, bool keep_alive)
{
    char head[512];
    int hl = snprintf(head, sizeof head,
                      "HTTP/1.1 %ld %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s%s\r\n",
                      status, wt_http_reason(status), ctype, content_len, extra ? extra : "",
                      keep_alive ? "" : "Connection: close\r\n");
    if (hl < 0 || (size_t)hl >= sizeof head)
        return -1;
    if (send_all(c->fd, head, (size_t)hl))
        return -1;
    return send_len ? send_all(c->fd, body, send_len) : 0;
}
