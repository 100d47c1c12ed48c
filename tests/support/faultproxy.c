/* tests/support/faultproxy.c — start, script and stop tests/prog_faultproxy for tests.
 * Invariant: a wt_proxy with pid != 0 names a live child of this process that nothing else
 * reaps; the child gets SIGKILL if this process dies first (PR_SET_PDEATHSIG). */
#include "tests/support/faultproxy.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <curl/curl.h>

#define ANSWER_CAP (64u * 1024u * 1024u)

struct sink {
    char *p;
    size_t len;
    long retry_after;
};

static size_t on_data(char *d, size_t sz, size_t n, void *ud)
{
    struct sink *s = ud;
    size_t k = sz * n;
    if (k > ANSWER_CAP - s->len)
        return 0;
    char *np = realloc(s->p, s->len + k + 1);
    if (!np)
        return 0;
    memcpy(np + s->len, d, k);
    s->p = np;
    s->len += k;
    s->p[s->len] = '\0';
    return k;
}

static size_t on_header(char *d, size_t sz, size_t n, void *ud)
{
    struct sink *s = ud;
    size_t k = sz * n;
    static const char name[] = "retry-after:";
    if (k > sizeof name - 1 && !strncasecmp(d, name, sizeof name - 1)) {
        long v = 0;
        size_t i = sizeof name - 1;
        while (i < k && d[i] == ' ')
            i++;
        bool any = false;
        for (; i < k && d[i] >= '0' && d[i] <= '9' && v < 1000000; i++, any = true)
            v = v * 10 + (d[i] - '0');
        if (any)
            s->retry_after = v;
    }
    return k;
}

int wt_http_post(const char *url, long timeout_ms, const char *body, long *status, char **answer,
                 long *retry_after)
{
    struct sink s = {.retry_after = -1};
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    CURL *c = curl_easy_init();
    int rc = -1;
    *status = 0;
    if (answer)
        *answer = NULL;
    if (retry_after)
        *retry_after = -1;
    if (!c || !h)
        goto fail;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &s);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (curl_easy_perform(c) != CURLE_OK)
        goto fail;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    if (retry_after)
        *retry_after = s.retry_after;
    if (answer) {
        *answer = s.p ? s.p : strdup("");
        s.p = NULL;
    }
    rc = 0;
fail:
    free(s.p);
    curl_slist_free_all(h);
    if (c)
        curl_easy_cleanup(c);
    return rc;
}

unsigned wt_free_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t al = sizeof a;
    unsigned port = 0;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &al) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

/* read_port: the child's first stdout line, "port N", within 10 s. */
static int read_port(int fd, unsigned *port)
{
    char line[64];
    size_t n = 0;
    while (n < sizeof line - 1) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int pr = poll(&pfd, 1, 10000);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0)
            return -1;
        ssize_t r = read(fd, line + n, 1);
        if (r <= 0)
            return -1;
        if (line[n] == '\n')
            break;
        n++;
    }
    line[n] = '\0';
    if (n < 6 || memcmp(line, "port ", 5))
        return -1;
    unsigned v = 0;
    for (size_t i = 5; i < n; i++) {
        if (line[i] < '0' || line[i] > '9' || v > 65535)
            return -1;
        v = v * 10 + (unsigned)(line[i] - '0');
    }
    if (v == 0 || v > 65535)
        return -1;
    *port = v;
    return 0;
}

int wt_proxy_start(wt_proxy *p, const char *upstream_url)
{
    int fds[2];
    memset(p, 0, sizeof *p);
    if (pipe(fds))
        return -1;
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execl(WT_BUILD_DIR "/tests/prog_faultproxy", "prog_faultproxy", "--upstream", upstream_url,
              (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    p->pid = pid;
    int rc = read_port(fds[0], &p->port);
    close(fds[0]);
    if (rc) {
        wt_proxy_stop(p);
        return -1;
    }
    snprintf(p->url, sizeof p->url, "http://127.0.0.1:%u/", p->port);
    snprintf(p->ctl, sizeof p->ctl, "http://127.0.0.1:%u/_ctl", p->port);
    return 0;
}

void wt_proxy_stop(wt_proxy *p)
{
    if (p->pid > 0) {
        kill(p->pid, SIGKILL);
        while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR) {
        }
    }
    memset(p, 0, sizeof *p);
}

int wt_proxy_ctl(wt_proxy *p, char **answer, const char *commands)
{
    long status = 0;
    char *a = NULL;
    if (answer)
        *answer = NULL;
    if (p->pid <= 0 || wt_http_post(p->ctl, 10000, commands, &status, &a, NULL))
        return -1;
    if (status != 200) {
        free(a);
        return -1;
    }
    if (answer)
        *answer = a;
    else
        free(a);
    return 0;
}

int wt_proxy_rule(wt_proxy *p, const char *rule)
{
    char cmd[512], *a = NULL;
    int n = snprintf(cmd, sizeof cmd, "rule %s", rule);
    if (n < 0 || (size_t)n >= sizeof cmd || wt_proxy_ctl(p, &a, cmd))
        return -1;
    cJSON *o = cJSON_Parse(a);
    cJSON *r = cJSON_GetObjectItemCaseSensitive(o, "rule");
    int idx = cJSON_IsNumber(r) ? r->valueint : -1;
    cJSON_Delete(o);
    free(a);
    return idx;
}

long wt_proxy_stat(wt_proxy *p, const char *key)
{
    char *a = NULL;
    long v = -1;
    if (wt_proxy_ctl(p, &a, "stats"))
        return -1;
    cJSON *o = cJSON_Parse(a), *x = NULL;
    free(a);
    if (!strncmp(key, "calls.", 6) || !strncmp(key, "faults.", 7)) {
        const char *dot = strchr(key, '.');
        char group[8];
        memcpy(group, key, (size_t)(dot - key));
        group[dot - key] = '\0';
        x = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, group), dot + 1);
        if (!x && o)
            v = 0;
    } else if (!strncmp(key, "served.", 7) || !strncmp(key, "matched.", 8)) {
        const char *dot = strchr(key, '.');
        int idx = 0;
        for (const char *d = dot + 1; *d >= '0' && *d <= '9' && idx < 1000; d++)
            idx = idx * 10 + (*d - '0');
        cJSON *r = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(o, "rules"), idx);
        char field[8];
        size_t fl = (size_t)(dot - key);
        memcpy(field, key, fl);
        field[fl] = '\0';
        x = cJSON_GetObjectItemCaseSensitive(r, field);
    } else {
        x = cJSON_GetObjectItemCaseSensitive(o, key);
    }
    if (cJSON_IsNumber(x))
        v = (long)x->valuedouble;
    cJSON_Delete(o);
    return v;
}

int wt_proxy_last_path(wt_proxy *p, char *out, size_t cap)
{
    char *a = NULL;
    int rc = -1;
    out[0] = '\0';
    if (wt_proxy_ctl(p, &a, "stats"))
        return -1;
    cJSON *o = cJSON_Parse(a);
    free(a);
    cJSON *x = cJSON_GetObjectItemCaseSensitive(o, "last_path");
    if (cJSON_IsString(x) && strlen(x->valuestring) < cap) {
        memcpy(out, x->valuestring, strlen(x->valuestring) + 1);
        rc = 0;
    }
    cJSON_Delete(o);
    return rc;
}
