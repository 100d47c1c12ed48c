/* tests/rpc/prog_faultproxy/http1.h — the server side of HTTP/1.1 that the fault proxy needs:
 * read one request from a kept-alive connection (Content-Length or chunked bodies, Expect:
 * 100-continue), write one response whose announced and sent lengths may differ on purpose.
 * A connection belongs to one thread. Nothing here knows JSON-RPC. */
#ifndef WT_TESTS_HTTP1_H
#define WT_TESTS_HTTP1_H

#include <stdbool.h>
#include <stddef.h>

#define WT_HTTP_HDR_CAP (64u * 1024u)          /* request line and headers */
#define WT_HTTP_BODY_CAP (64u * 1024u * 1024u) /* a request or upstream body */

/* A growable byte buffer, always NUL-terminated, that never grows past limit bytes. */
typedef struct wt_buf {
    char *p;
    size_t len, cap, limit;
} wt_buf;

/* wt_buf_reserve: room for extra more bytes (and the NUL).
 * Returns: 0; -1 past the limit or out of memory. */
int wt_buf_reserve(wt_buf *b, size_t extra) __attribute__((warn_unused_result));

/* wt_buf_add: append d[0..n). Returns: 0; -1 as wt_buf_reserve. */
int wt_buf_add(wt_buf *b, const void *d, size_t n) __attribute__((warn_unused_result));

/* One accepted connection: its socket and the bytes read but not yet used (a pipelined
 * request may already be in there). in.limit must be set by the caller. */
typedef struct wt_http_conn {
    int fd;
    wt_buf in;
} wt_http_conn;

typedef struct wt_http_request {
    char method[16];
    char path[256];
    bool keep_alive; /* HTTP/1.1 default, or "Connection:" said so */
    wt_buf body;     /* body.limit set by the caller; refilled by each read */
} wt_http_request;

/* wt_http_read_request: read the next request of c into *rq.
 * Returns: 0; -1 when the connection should end (closed, malformed, over a cap). */
int wt_http_read_request(wt_http_conn *c, wt_http_request *rq) __attribute__((warn_unused_result));

/* wt_http_respond: a status line, Content-Type ctype, Content-Length content_len, the extra
 * header lines (each ending "\r\n", may be NULL), "Connection: close" unless keep_alive, then
 * body[0..send_len). send_len < content_len makes a body cut short.
 * Returns: 0; -1 when the peer is gone. */
int wt_http_respond(wt_http_conn *c, long status, const char *ctype, const char *extra,
                    const char *body, size_t content_len, size_t send_len, bool keep_alive);

/* wt_http_reason: the reason phrase of a status ("Too Many Requests"); never NULL. */
const char *wt_http_reason(long status);

#endif
