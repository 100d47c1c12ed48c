/* tests/support/receiver.h — an HTTP receiver on loopback (libmicrohttpd) that records
 * every request and answers from a script of failure modes, for the sink tests. */
#ifndef WT_TESTS_RECEIVER_H
#define WT_TESTS_RECEIVER_H

#include <stddef.h>

typedef struct wt_recv wt_recv;

/* One request as it arrived. */
typedef struct wt_req {
    char path[256];
    char id[64];     /* X-Whaletrack-Id, "" if none */
    char sig[96];    /* X-Whaletrack-Signature, "" if none */
    char *body;      /* NUL-terminated */
    int status;      /* what the receiver answered */
    long long at_ms; /* when it arrived (CLOCK_MONOTONIC) */
} wt_req;

/* wt_recv_start: a receiver on 127.0.0.1, a free port. script: answers for the first
 * requests, comma-separated: "ok" (200), "500", "slow" (200 after 1.5 s), "429:N" (429
 * with Telegram's {"parameters":{"retry_after":N}} and Retry-After: N); then "ok".
 * Returns: 0; -1. Out: *r, *port. */
int wt_recv_start(wt_recv **r, unsigned *port, const char *script);
void wt_recv_stop(wt_recv *r); /* NULL is a no-op */

/* wt_recv_count: requests recorded so far. wt_recv_at: request i (copied into *out; its
 * body is the receiver's, valid until wt_recv_stop). Returns 0, or -1 if i is past the end. */
size_t wt_recv_count(wt_recv *r);
int wt_recv_at(wt_recv *r, size_t i, wt_req *out);

#endif
