/* tests/e2e/test_run_live.c — `whaletrack run` on a real anvil with its readers beside it:
 * `tail -f` in another process shows each move as run commits it, run's alert thread
 * posts each move once to a loopback webhook, and --metrics answers with the series. */
#include <curl/curl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "tests/support/cli.h"
#include "tests/support/faultproxy.h"
#include "tests/support/receiver.h"
#include "tests/tracker/trk_testutil.h"

static world W;
static pid_t run_pid, tail_pid;
static wt_recv *R;

static void stop(void)
{
    pid_t *ps[] = {&run_pid, &tail_pid};
    for (size_t i = 0; i < 2; i++)
        if (*ps[i] > 0) {
            kill(*ps[i], SIGKILL);
            waitpid(*ps[i], NULL, 0);
            *ps[i] = 0;
        }
    wt_recv_stop(R);
    R = NULL;
    world_stop(&W);
}

struct body {
    char buf[32768];
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

static long http_get(const char *url, struct body *b)
{
    long status = 0;
    b->len = 0;
    b->buf[0] = '\0';
    CURL *h = curl_easy_init();
    cr_assert_not_null(h);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, b);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 5000L);
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(h);
    return status;
}

/* series: the value of a metric line "name value" or "name{...} value"; -1 if absent. */
static double series(const char *text, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = text; (p = strstr(p, name)); p += n)
        if ((p == text || p[-1] == '\n') && (p[n] == ' ' || p[n] == '{')) {
            const char *v = strchr(p, ' ');
            return v ? strtod(v + 1, NULL) : -1;
        }
    return -1;
}

Test(run_live, tail_follows_run_alerts_go_out_once_and_metrics_answer, .fini = stop, .timeout = 300)
{
    unsigned rport, mport = wt_free_port();
    cr_assert_eq(wt_recv_start(&R, &rport, "500"), 0);
    world_chain(&W, NULL);
    world_watchlist(&W, 0);
    char path[200];
    snprintf(path, sizeof path, "%s/sinks.ini", W.wl);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f,
            "[sink \"hook\"]\nkind = webhook\nurl = http://127.0.0.1:%u/w\n"
            "entities = Whale\ntimeout_ms = 2000\n",
            rport);
    cr_assert_eq(fclose(f), 0);
    char start[32], maddr[64], murl[96], log[200];
    snprintf(start, sizeof start, "%lld", (long long)wt_anvil_head(&W.A) + 1);
    snprintf(maddr, sizeof maddr, "127.0.0.1:%u", mport);
    snprintf(murl, sizeof murl, "http://%s/metrics", maddr);
    snprintf(log, sizeof log, "%s/run.log", W.dir);
    const char *args[] = {"run",   "--watchlists",    W.wl, "--data-dir",    W.data,      "--rpc",
                          W.A.url, "--confirmations", "0",  "--start-block", start,       "--weth",
                          W.weth,  "--poll-ms",       "20", "--json",        "--metrics", maddr,
                          NULL};
    int run_fd, tail_fd;
    run_pid = wt_cli_spawn(&run_fd, args, NULL, log);
    cr_assert_gt(run_pid, 0);
    /* tail -f needs the store: run has made it once its metrics show the node's head */
    static struct body b;
    for (int i = 0; i < 200 && series(b.buf, "whaletrack_head_block") <= 0; i++) {
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
        if (http_get(murl, &b) != 200)
            b.buf[0] = '\0';
    }
    cr_assert_gt(series(b.buf, "whaletrack_head_block"), 0, "run is up: %s", b.buf);
    const char *targs[] = {"tail", "-f", "-n", "0", "--json", "--data-dir", W.data, NULL};
    tail_pid = wt_cli_spawn(&tail_fd, targs, NULL, NULL);
    cr_assert_gt(tail_pid, 0);
    struct timespec settle = {0, 300 * 1000 * 1000};
    nanosleep(&settle, NULL);
    cr_assert_eq(wt_token_call(&W.A, WHALE_A, W.tok, NULL, NULL, "mint(uint256)", 1, "7000000"), 0);
    cr_assert_eq(wt_token_call(&W.A, WHALE_A, W.tok, NULL, NULL, "transfer(address,uint256)", 2,
                               EXCHANGE, "2000000"),
                 0);
    char buf[16384];
    size_t len = 0;
    cr_expect_eq(wt_read_until(tail_fd, buf, sizeof buf, &len, 2, 20000), 2, "%s", buf);
    cr_expect(strstr(buf, "\"kind\":\"transfer_in\"") &&
                  strstr(buf, "\"kind\":\"exchange_deposit\""),
              "%s", buf);
    /* the alert thread: a 500 first, then both moves, each once, in order */
    for (int i = 0; i < 200; i++) {
        size_t ok = 0;
        for (size_t k = 0; k < wt_recv_count(R); k++) {
            wt_req q;
            ok += wt_recv_at(R, k, &q) == 0 && q.status == 200;
        }
        if (ok >= 2)
            break;
        nanosleep(&settle, NULL);
    }
    wt_req q1, q2;
    cr_assert_eq(wt_recv_count(R), 3, "one 500, then two deliveries");
    cr_assert_eq(wt_recv_at(R, 1, &q1), 0);
    cr_assert_eq(wt_recv_at(R, 2, &q2), 0);
    cr_expect_str_eq(q1.id, "move-1");
    cr_expect_str_eq(q2.id, "move-2");
    cr_expect(strstr(q2.body, "deposited 2 ") && strstr(q2.body, "to Binance"), "%s", q2.body);
    cr_assert_eq(http_get(murl, &b), 200);
    cr_log_info("%s", b.buf);
    cr_expect_geq(series(b.buf, "whaletrack_moves_total"), 2);
    cr_expect_geq(series(b.buf, "whaletrack_blocks_processed_total"), 2);
    cr_expect_geq(series(b.buf, "whaletrack_head_lag_blocks"), 0);
    cr_expect_gt(series(b.buf, "whaletrack_store_size_bytes"), 0);
    cr_expect_geq(series(b.buf, "whaletrack_alerts_delivered_total"), 1);
    cr_expect_geq(series(b.buf, "whaletrack_alert_failures_total"), 1);
    cr_expect_geq(series(b.buf, "whaletrack_outbox_depth"), 0);
    cr_expect_gt(series(b.buf, "whaletrack_rpc_requests_total"), 0);
    cr_expect(strstr(b.buf, "whaletrack_rpc_latency_seconds_sum{endpoint=\"http://127.0.0.1"), "%s",
              b.buf);
    cr_expect(strstr(b.buf, "# TYPE whaletrack_moves_total counter\n"));
    kill(run_pid, SIGTERM);
    int st;
    cr_expect_eq(waitpid(run_pid, &st, 0), run_pid);
    run_pid = 0;
    cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    close(run_fd);
    close(tail_fd);
}
