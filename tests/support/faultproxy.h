/* tests/support/faultproxy.h — run tests/prog_faultproxy as a child process in front of a node,
 * script its faults, read its counters; plus a bare libcurl POST for checks that must not go
 * through the rpc client. Every started proxy is stopped by wt_proxy_stop (and dies with the
 * test process that started it, even when that process crashes). */
#ifndef WT_TESTS_FAULTPROXY_H
#define WT_TESTS_FAULTPROXY_H

#include <stddef.h>
#include <sys/types.h>

typedef struct wt_proxy {
    pid_t pid;     /* 0 when not running */
    unsigned port; /* loopback port it listens on */
    char url[64];  /* "http://127.0.0.1:PORT/" */
    char ctl[64];  /* "http://127.0.0.1:PORT/_ctl" */
} wt_proxy;

/* wt_proxy_start: start a proxy in front of upstream_url on a free loopback port.
 * Returns: 0; -1 when it could not be started (nothing is left running).
 * Out:     *p (zeroed on error). */
int wt_proxy_start(wt_proxy *p, const char *upstream_url) __attribute__((warn_unused_result));

/* wt_proxy_stop: stop the proxy and reap it; a no-op on a zeroed or stopped wt_proxy. */
void wt_proxy_stop(wt_proxy *p);

/* wt_proxy_ctl: POST command lines to /_ctl ("reset", "clear", "rule FAULT k=v ...",
 * "stats"; see prog_faultproxy.c).
 * Returns: 0 when the proxy accepted them; -1 otherwise.
 * Out:     *answer (may be NULL): the JSON answer, caller frees with free(). */
int wt_proxy_ctl(wt_proxy *p, char **answer, const char *commands)
    __attribute__((warn_unused_result));

/* wt_proxy_rule: add one rule ("http status=429 retry_after=1 count=2").
 * Returns: the rule's index (for wt_proxy_stat "served.N"), or -1 when refused. */
int wt_proxy_rule(wt_proxy *p, const char *rule) __attribute__((warn_unused_result));

/* wt_proxy_stat: one counter of the proxy: "requests" (JSON-RPC HTTP requests),
 * "forwarded" (sent upstream), "connections" (TCP connections accepted), "calls.METHOD"
 * (calls of that method, batch elements counted one by one), "faults.FAULT" (times that
 * fault class was served, all rules together), "served.N" / "matched.N" (rule N). Returns: the
 * value (0 for a method never called); -1 when unreadable. */
long wt_proxy_stat(wt_proxy *p, const char *key);

/* wt_proxy_last_path: the URL path of the last JSON-RPC request the proxy got (what a client
 * really sent, keys included), into out[cap]. Returns: 0; -1 when unreadable or too long. */
int wt_proxy_last_path(wt_proxy *p, char *out, size_t cap) __attribute__((warn_unused_result));

/* wt_http_post: POST body (application/json) with plain libcurl, no retry.
 * Returns: 0 when an HTTP answer arrived (any status); -1 on a transport error or timeout.
 * Out:     *status; *answer (may be NULL: discarded) NUL-terminated, caller frees with free();
 *          *retry_after (may be NULL): the Retry-After header in seconds, -1 when absent. */
int wt_http_post(const char *url, long timeout_ms, const char *body, long *status, char **answer,
                 long *retry_after) __attribute__((warn_unused_result));

/* wt_free_port: a loopback TCP port that was free a moment ago (for programs like anvil that
 * must be told a port). Returns: the port; 0 on error. */
unsigned wt_free_port(void);

#endif
