/* tracker/sink.c — the wire side of alerts: libcurl POSTs and fork/exec of a command.
 * Invariant: a URL or token never appears in a result's text (they are scrubbed from
 * curl's messages), and a command never goes through a shell. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <nettle/hmac.h>

#include "tracker/sink.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
    (void)curl_global_init(CURL_GLOBAL_DEFAULT);
}

void trk_hmac_sha256_hex(char hex[65], const char *key, const void *data, size_t len)
{
    struct hmac_sha256_ctx ctx;
    uint8_t d[SHA256_DIGEST_SIZE];
    hmac_sha256_set_key(&ctx, strlen(key), (const uint8_t *)key);
    hmac_sha256_update(&ctx, len, data);
    hmac_sha256_digest(&ctx, sizeof d, d);
    for (size_t i = 0; i < sizeof d; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

/* scrub: every occurrence of secret in s becomes "***". */
static void scrub(char *s, const char *secret)
{
    size_t n = secret ? strlen(secret) : 0;
    char *p;
    if (n < 4)
        return;
    while ((p = strstr(s, secret))) {
        memcpy(p, "***", 3);
        memmove(p + 3, p + n, strlen(p + n) + 1);
    }
}

struct body {
    char buf[4096];
    size_t len;
};

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
    struct body *b = ctx;
    size_t k = size * n, room = sizeof b->buf - 1 - b->len;
    memcpy(b->buf + b->len, p, k < room ? k : room);
    b->len += k < room ? k : room;
    b->buf[b->len] = '\0';
    return k;
}

static long retry_after_header(CURL *h)
{
    struct curl_header *hd;
    if (curl_easy_header(h, "Retry-After", 0, CURLH_HEADER, -1, &hd) != CURLHE_OK)
        return 0;
    char *end;
    long s = strtol(hd->value, &end, 10);
    return end != hd->value && s > 0 && s < 3600 ? s * 1000 : 0;
}

/* Telegram's 429: {"ok":false,"error_code":429,"parameters":{"retry_after":N}}. */
static long retry_after_telegram(const char *body)
{
    cJSON *j = cJSON_Parse(body);
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(j, "parameters");
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(p, "retry_after");
    long ms = cJSON_IsNumber(r) && r->valuedouble > 0 && r->valuedouble < 3600
                  ? (long)(r->valuedouble * 1000)
                  : 0;
    cJSON_Delete(j);
    return ms;
}

static int post(trk_send *out, const wl_sink *k, const char *url, const char *body, const char *id,
                const char *sig)
{
    char hid[160], hsig[100], err[CURL_ERROR_SIZE] = "";
    struct curl_slist *hs = NULL, *t;
    struct body resp = {.len = 0};
    pthread_once(&curl_once, curl_init_once);
    CURL *h = curl_easy_init();
    if (!h)
        return TRK_ENOMEM;
    snprintf(hid, sizeof hid, "X-Whaletrack-Id: %s", id);
    int bad = !(t = curl_slist_append(hs, "Content-Type: application/json")) || !(hs = t);
    bad = bad || !(t = curl_slist_append(hs, hid)) || !(hs = t);
    if (!bad && sig) {
        snprintf(hsig, sizeof hsig, "X-Whaletrack-Signature: sha256=%s", sig);
        bad = !(t = curl_slist_append(hs, hsig)) || !(hs = t);
    }
    if (bad) {
        curl_slist_free_all(hs);
        curl_easy_cleanup(h);
        return TRK_ENOMEM;
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hs);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)k->timeout_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, err);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK) {
        snprintf(out->why, sizeof out->why, "%s", err[0] ? err : curl_easy_strerror(rc));
    } else if (status >= 200 && status < 300) {
        out->delivered = true;
    } else {
        snprintf(out->why, sizeof out->why, "HTTP status %ld", status);
        if (status == 429)
            out->retry_after_ms = k->kind == WL_SINK_TELEGRAM ? retry_after_telegram(resp.buf) : 0;
        if (status == 429 && !out->retry_after_ms)
            out->retry_after_ms = retry_after_header(h);
    }
    scrub(out->why, url);
    scrub(out->why, k->token);
    scrub(out->why, k->secret);
    curl_slist_free_all(hs);
    curl_easy_cleanup(h);
    return TRK_OK;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* run_command: argv with json on stdin, stdout and stderr to /dev/null; killed at the
 * timeout. */
static void run_command(trk_send *out, const wl_sink *k, const char *json)
{
    int in[2];
    if (pipe(in)) {
        snprintf(out->why, sizeof out->why, "pipe: %s", strerror(errno));
        return;
    }
    (void)fcntl(in[1], F_SETFD, FD_CLOEXEC); /* else the program holds the write end: no EOF */
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(out->why, sizeof out->why, "fork: %s", strerror(errno));
        close(in[0]);
        close(in[1]);
        return;
    }
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        if (dup2(in[0], 0) < 0 || null < 0 || dup2(null, 1) < 0)
            _exit(126);
        signal(SIGPIPE, SIG_DFL);
        execvp(k->argv[0], (char *const *)k->argv);
        _exit(127);
    }
    close(in[0]);
    int64_t deadline = now_ms() + k->timeout_ms;
    size_t len = strlen(json) + 1, off = 0; /* with the NUL's place taken by a newline */
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    (void)fcntl(in[1], F_SETFL, O_NONBLOCK);
    while (off < len && now_ms() < deadline) {
        struct pollfd p = {in[1], POLLOUT, 0};
        if (poll(&p, 1, 50) <= 0)
            continue;
        ssize_t w = off < len - 1 ? write(in[1], json + off, len - 1 - off) : write(in[1], "\n", 1);
        if (w < 0 && errno != EAGAIN && errno != EINTR)
            break; /* the program closed its stdin: its exit status decides */
        if (w > 0)
            off += (size_t)w;
    }
    close(in[1]);
    signal(SIGPIPE, old);
    int st = 0;
    for (;;) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            break;
        if (r < 0 && errno != EINTR)
            break;
        if (now_ms() >= deadline) {
            kill(pid, SIGKILL);
            (void)waitpid(pid, &st, 0);
            snprintf(out->why, sizeof out->why, "the command did not exit within %u ms",
                     k->timeout_ms);
            return;
        }
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        out->delivered = true;
    else if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
        snprintf(out->why, sizeof out->why, "cannot run %s", k->argv[0]);
    else if (WIFEXITED(st))
        snprintf(out->why, sizeof out->why, "the command exited with status %d", WEXITSTATUS(st));
    else
        snprintf(out->why, sizeof out->why, "the command was killed by signal %d", WTERMSIG(st));
}

static char *text_body(const char *key, const char *text, const char *chat_id)
{
    cJSON *o = cJSON_CreateObject();
    char *s = NULL;
    if (o && (!chat_id || cJSON_AddStringToObject(o, "chat_id", chat_id)) &&
        cJSON_AddStringToObject(o, key, text))
        s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

int trk_sink_send(trk_send *out, const wl_sink *k, const trk_alert_msg *msg)
{
    memset(out, 0, sizeof *out);
    char sig[65], url[2048];
    int rc = TRK_OK;
    char *body = NULL;
    switch (k->kind) {
    case WL_SINK_WEBHOOK:
        if (k->secret)
            trk_hmac_sha256_hex(sig, k->secret, msg->json, strlen(msg->json));
        return post(out, k, k->url, msg->json, msg->id, k->secret ? sig : NULL);
    case WL_SINK_DISCORD:
        if (!(body = text_body("content", msg->text, NULL)))
            return TRK_ENOMEM;
        rc = post(out, k, k->url, body, msg->id, NULL);
        break;
    case WL_SINK_TELEGRAM: {
        const char *api = getenv("WHALETRACK_TELEGRAM_API");
        snprintf(url, sizeof url, "%s/bot%s/sendMessage",
                 api && *api ? api : "https://api.telegram.org", k->token);
        if (!(body = text_body("text", msg->text, k->chat_id)))
            return TRK_ENOMEM;
        rc = post(out, k, url, body, msg->id, NULL);
        break;
    }
    case WL_SINK_COMMAND:
        run_command(out, k, msg->json);
        break;
    default:
        snprintf(out->why, sizeof out->why, "unknown sink kind");
    }
    cJSON_free(body);
    return rc;
}
