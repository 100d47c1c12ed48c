/* tracker/metrics.c — the /metrics listener. Invariant: the listener's thread reads only
 * the published snapshot (under the mutex); endpoint names are the rpc client's redacted
 * forms, so no key in a URL can reach a scrape. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "tracker/metrics.h"

struct trk_metrics {
    struct MHD_Daemon *d;
    pthread_mutex_t mu;
    trk_metrics_snap snap;
};

__attribute__((format(printf, 4, 5))) static void add(char *out, size_t cap, size_t *n,
                                                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(*n < cap ? out + *n : NULL, *n < cap ? cap - *n : 0, fmt, ap);
    va_end(ap);
    if (w > 0)
        *n += (size_t)w;
}

static void metric(char *out, size_t cap, size_t *n, const char *name, const char *type,
                   const char *help, uint64_t v)
{
    add(out, cap, n, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n", name, help, name, type, name,
        (unsigned long long)v);
}

/* A label value: backslash, quote and newline escaped (the exposition format's rule). */
static void label(char *out, size_t cap, const char *s)
{
    size_t n = 0;
    for (; *s && n + 3 < cap; s++) {
        if (*s == '\\' || *s == '"')
            out[n++] = '\\';
        if (*s == '\n') {
            out[n++] = '\\';
            out[n++] = 'n';
            continue;
        }
        out[n++] = *s;
    }
    out[n] = '\0';
}

size_t trk_metrics_render(char *out, size_t cap, const trk_metrics_snap *s)
{
    size_t n = 0;
    if (cap)
        out[0] = '\0';
    uint64_t lag = s->head > s->cursor ? s->head - s->cursor : 0;
    metric(out, cap, &n, "whaletrack_head_lag_blocks", "gauge",
           "Blocks between the node's head and the store's cursor.", lag);
    metric(out, cap, &n, "whaletrack_head_block", "gauge", "The node's head block.", s->head);
    metric(out, cap, &n, "whaletrack_cursor_block", "gauge", "The last block committed.",
           s->cursor);
    metric(out, cap, &n, "whaletrack_blocks_processed_total", "counter",
           "Blocks committed since start.", s->blocks);
    metric(out, cap, &n, "whaletrack_moves_total", "counter", "Moves committed since start.",
           s->moves);
    metric(out, cap, &n, "whaletrack_reorgs_total", "counter", "Reorgs rolled back since start.",
           s->reorgs);
    metric(out, cap, &n, "whaletrack_move_log_last_seq", "gauge",
           "Sequence number of the last move in the log.", s->last_seq);
    metric(out, cap, &n, "whaletrack_store_size_bytes", "gauge", "Size of the store's data file.",
           s->store_bytes);
    metric(out, cap, &n, "whaletrack_outbox_depth", "gauge", "Alerts waiting for delivery.",
           s->outbox_depth);
    metric(out, cap, &n, "whaletrack_alerts_delivered_total", "counter", "Alerts a sink accepted.",
           s->alerts_delivered);
    metric(out, cap, &n, "whaletrack_alerts_retracted_total", "counter",
           "Retraction messages a sink accepted.", s->alerts_retracted);
    metric(out, cap, &n, "whaletrack_alerts_skipped_total", "counter",
           "Alerts dropped by a sink's rules or retracted before delivery.", s->alerts_skipped);
    metric(out, cap, &n, "whaletrack_alert_failures_total", "counter",
           "Failed delivery attempts (each is retried).", s->alert_failures);
    static const struct {
        const char *name, *type, *help;
    } eps[] = {
        {"whaletrack_rpc_requests_total", "counter", "HTTP requests to the endpoint."},
        {"whaletrack_rpc_calls_total", "counter", "JSON-RPC calls to the endpoint."},
        {"whaletrack_rpc_errors_total", "counter", "Failed requests and calls."},
        {"whaletrack_rpc_latency_seconds_sum", "counter", "Total HTTP request latency."},
        {"whaletrack_rpc_latency_seconds_count", "counter", "Requests timed."},
    };
    for (size_t k = 0; k < sizeof eps / sizeof eps[0]; k++) {
        add(out, cap, &n, "# HELP %s %s\n# TYPE %s %s\n", eps[k].name, eps[k].help, eps[k].name,
            eps[k].type);
        for (size_t i = 0; i < s->nendpoints && i < TRK_METRICS_ENDPOINTS; i++) {
            const struct trk_metrics_ep *e = &s->ep[i];
            char l[300];
            label(l, sizeof l, e->name);
            if (k == 3)
                add(out, cap, &n, "%s{endpoint=\"%s\"} %llu.%06llu\n", eps[k].name, l,
                    (unsigned long long)(e->latency_us_sum / 1000000),
                    (unsigned long long)(e->latency_us_sum % 1000000));
            else
                add(out, cap, &n, "%s{endpoint=\"%s\"} %llu\n", eps[k].name, l,
                    (unsigned long long)(k == 0   ? e->requests
                                         : k == 1 ? e->calls
                                         : k == 2 ? e->errors
                                                  : e->requests));
        }
    }
    return n;
}

static enum MHD_Result on_req(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *size, void **con_cls)
{
    trk_metrics *m = cls;
    (void)url;
    (void)version;
    (void)data;
    (void)size;
    (void)con_cls;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return MHD_NO;
    trk_metrics_snap snap;
    pthread_mutex_lock(&m->mu);
    snap = m->snap;
    pthread_mutex_unlock(&m->mu);
    size_t cap = 16384;
    char *buf = malloc(cap);
    if (!buf)
        return MHD_NO;
    size_t n = trk_metrics_render(buf, cap, &snap);
    if (n >= cap)
        n = cap - 1;
    struct MHD_Response *r = MHD_create_response_from_buffer(n, buf, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(buf);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "text/plain; version=0.0.4");
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

/* parse_addr: "host:port" (IPv4, "[v6]" or empty host) into a socket address. */
static int parse_addr(struct sockaddr_storage *ss, socklen_t *len, const char *addr)
{
    const char *colon = strrchr(addr, ':');
    char host[64];
    if (!colon || colon - addr >= (long)sizeof host)
        return -1;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || end == colon + 1 || port <= 0 || port > 65535)
        return -1;
    snprintf(host, sizeof host, "%.*s", (int)(colon - addr), addr);
    memset(ss, 0, sizeof *ss);
    if (host[0] == '[') {
        size_t hl = strlen(host);
        if (hl < 3 || host[hl - 1] != ']')
            return -1;
        host[hl - 1] = '\0';
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        *len = sizeof *a6;
        return inet_pton(AF_INET6, host + 1, &a6->sin6_addr) == 1 ? 0 : -1;
    }
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)port);
    *len = sizeof *a4;
    if (!host[0]) {
        a4->sin_addr.s_addr = htonl(INADDR_ANY);
        return 0;
    }
    return inet_pton(AF_INET, host, &a4->sin_addr) == 1 ? 0 : -1;
}

int trk_metrics_start(trk_metrics **out, char *why, size_t cap, const char *addr)
{
    struct sockaddr_storage ss;
    socklen_t len;
    *out = NULL;
    if (cap)
        why[0] = '\0';
    if (parse_addr(&ss, &len, addr)) {
        snprintf(why, cap, "--metrics wants HOST:PORT (127.0.0.1:9464), not '%s'", addr);
        return TRK_EINVAL;
    }
    trk_metrics *m = calloc(1, sizeof *m);
    if (!m)
        return TRK_ENOMEM;
    pthread_mutex_init(&m->mu, NULL);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    m->d = MHD_start_daemon(flags, 0, NULL, NULL, on_req, m, MHD_OPTION_SOCK_ADDR, &ss,
                            MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
    if (!m->d) {
        snprintf(why, cap,
                 "cannot listen on %s for --metrics (in use, or not an address "
                 "of this machine)",
                 addr);
        pthread_mutex_destroy(&m->mu);
        free(m);
        return TRK_EINVAL;
    }
    *out = m;
    return TRK_OK;
}

void trk_metrics_publish(trk_metrics *m, const trk_metrics_snap *snap)
{
    pthread_mutex_lock(&m->mu);
    m->snap = *snap;
    pthread_mutex_unlock(&m->mu);
}

void trk_metrics_stop(trk_metrics *m)
{
    if (!m)
        return;
    MHD_stop_daemon(m->d);
    pthread_mutex_destroy(&m->mu);
    free(m);
}
