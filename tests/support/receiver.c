/* tests/support/receiver.c — the loopback HTTP receiver of the sink tests: one thread
 * per connection (so a "slow" answer holds only its own), a mutex over the record. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>

#include <microhttpd.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/support/receiver.h"

struct wt_recv {
    struct MHD_Daemon *d;
    pthread_mutex_t mu;
    wt_req *v;
    size_t n, cap;
    char *script, *next; /* the modes not used yet */
};

struct conn {
    char *body;
    size_t len;
};

static void take_mode(wt_recv *r, char *mode, size_t cap)
{
    snprintf(mode, cap, "ok");
    if (!r->next || !*r->next)
        return;
    char *end = strchr(r->next, ',');
    size_t n = end ? (size_t)(end - r->next) : strlen(r->next);
    snprintf(mode, cap, "%.*s", (int)n, r->next);
    r->next += n + (end != NULL);
}

static enum MHD_Result on_req(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *size, void **con_cls)
{
    wt_recv *r = cls;
    struct conn *cn = *con_cls;
    (void)method;
    (void)version;
    if (!cn) {
        cn = calloc(1, sizeof *cn);
        if (!cn)
            return MHD_NO;
        *con_cls = cn;
        return MHD_YES;
    }
    if (*size) {
        char *g = realloc(cn->body, cn->len + *size + 1);
        if (!g)
            return MHD_NO;
        memcpy(g + cn->len, data, *size);
        cn->len += *size;
        g[cn->len] = '\0';
        cn->body = g;
        *size = 0;
        return MHD_YES;
    }
    char mode[32];
    wt_req q;
    memset(&q, 0, sizeof q);
    snprintf(q.path, sizeof q.path, "%s", url);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    q.at_ms = (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Whaletrack-Id");
    snprintf(q.id, sizeof q.id, "%s", h ? h : "");
    h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Whaletrack-Signature");
    snprintf(q.sig, sizeof q.sig, "%s", h ? h : "");
    q.body = cn->body ? cn->body : strdup("");
    cn->body = NULL;
    pthread_mutex_lock(&r->mu);
    take_mode(r, mode, sizeof mode);
    pthread_mutex_unlock(&r->mu);
    const char *answer = "{\"ok\":true}";
    char buf[160], ra[32] = "";
    q.status = 200;
    if (strcmp(mode, "500") == 0) {
        q.status = 500;
        answer = "{\"ok\":false}";
    } else if (strncmp(mode, "429:", 4) == 0) {
        q.status = 429;
        snprintf(ra, sizeof ra, "%s", mode + 4);
        snprintf(buf, sizeof buf,
                 "{\"ok\":false,\"error_code\":429,\"parameters\":{\"retry_after\":%s}}", ra);
        answer = buf;
    } else if (strcmp(mode, "slow") == 0) {
        struct timespec ts = {1, 500 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    pthread_mutex_lock(&r->mu);
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 64;
        wt_req *g = realloc(r->v, cap * sizeof *g);
        if (g)
            r->v = g, r->cap = cap;
    }
    if (r->n < r->cap)
        r->v[r->n++] = q;
    else
        free(q.body);
    pthread_mutex_unlock(&r->mu);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(answer), (void *)answer, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    if (ra[0])
        MHD_add_response_header(resp, "Retry-After", ra);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)q.status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    struct conn *cn = *con_cls;
    if (cn) {
        free(cn->body);
        free(cn);
    }
    *con_cls = NULL;
}

int wt_recv_start(wt_recv **out, unsigned *port, const char *script)
{
    wt_recv *r = calloc(1, sizeof *r);
    *out = NULL;
    if (!r)
        return -1;
    pthread_mutex_init(&r->mu, NULL);
    r->script = strdup(script ? script : "");
    r->next = r->script;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    r->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
                            NULL, NULL, on_req, r, MHD_OPTION_SOCK_ADDR, &sa,
                            MHD_OPTION_NOTIFY_COMPLETED, on_done, r, MHD_OPTION_END);
    if (!r->d) {
        free(r->script);
        free(r);
        return -1;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(r->d, MHD_DAEMON_INFO_BIND_PORT);
    *port = di ? di->port : 0;
    *out = r;
    return 0;
}

void wt_recv_stop(wt_recv *r)
{
    if (!r)
        return;
    MHD_stop_daemon(r->d);
    for (size_t i = 0; i < r->n; i++)
        free(r->v[i].body);
    free(r->v);
    free(r->script);
    pthread_mutex_destroy(&r->mu);
    free(r);
}

size_t wt_recv_count(wt_recv *r)
{
    pthread_mutex_lock(&r->mu);
    size_t n = r->n;
    pthread_mutex_unlock(&r->mu);
    return n;
}

int wt_recv_at(wt_recv *r, size_t i, wt_req *out)
{
    int rc = -1;
    pthread_mutex_lock(&r->mu);
    if (i < r->n) {
        *out = r->v[i];
        rc = 0;
    }
    pthread_mutex_unlock(&r->mu);
    return rc;
}
