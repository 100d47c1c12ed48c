/* tests/e2e/test_alerts.c — alerts from the outbox to real sinks: a loopback HTTP receiver
 * (500s, timeouts, 429 with retry_after), `whaletrack deliver` killed with SIGKILL and
 * restarted, the command sink, retractions, rules, and secrets kept out of the logs. */
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/e2e/cli_fixture.h"
#include "tests/support/cli.h"
#include "tests/support/receiver.h"
#include "tracker/sink.h"
#include "watchlists/wl.h"

static char *dir, *data, *wl;
static wt_recv *R;
static unsigned port;

static void setup(void)
{
    dir = fx_tmpdir();
    char p[512];
    snprintf(p, sizeof p, "%s/data", dir);
    data = strdup(p);
    snprintf(p, sizeof p, "%s/w.ini", dir);
    wl = strdup(p);
}

static void teardown(void)
{
    wt_recv_stop(R);
    R = NULL;
    free(data);
    free(wl);
    fx_rm(dir);
}

TestSuite(alerts, .init = setup, .fini = teardown,
          .timeout = 300); /* one value per binary: criterion leaks with mixed ones */

/* write_wl: the watchlist text (printf-style), then the id of its first sink. */
__attribute__((format(printf, 1, 2))) static uint32_t write_wl(const char *fmt, ...)
{
    va_list ap;
    FILE *f = fopen(wl, "w");
    cr_assert_not_null(f);
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    cr_assert_eq(fclose(f), 0);
    wl_set *set = NULL;
    wl_errors errs = {0};
    const char *paths[] = {wl};
    setenv("HOOK_URL", "http://127.0.0.1:1/unused", 0);
    setenv("TG_TOKEN", "123:unused", 0);
    int rc = wl_load(&set, &errs, paths, 1, NULL);
    for (size_t i = 0; i < errs.n; i++)
        cr_log_error("%s", errs.v[i].text);
    cr_assert_eq(rc, 0);
    uint32_t id = wl_sink_at(set, 0)->id;
    wl_set_free(set);
    wl_errors_free(&errs);
    return id;
}

/* fill: n moves, one block each, queued for sink. */
static void fill(unsigned n, uint32_t sink)
{
    store *s = fx_writer(data);
    for (unsigned i = 0; i < n; i++)
        fx_commit(s, 21734012 + i, i, 1, &sink, 1);
    store_close(s);
}

static wt_cli_out deliver(const char *const *env)
{
    const char *args[] = {"deliver", "--once", "--watchlists", wl, "--data-dir", data, NULL};
    wt_cli_out o;
    cr_assert_eq(wt_cli_run(&o, args, env, 90), 0);
    return o;
}

static int count(void *ctx, const store_alert *a)
{
    (void)a;
    (*(size_t *)ctx)++;
    return 0;
}

static size_t outbox_left(void)
{
    store *s;
    char why[256];
    store_opts o = {0};
    o.readonly = 1;
    cr_assert_eq(store_open(&s, why, sizeof why, data, &o), 0, "%s", why);
    size_t n = 0;
    cr_assert_eq(store_outbox_take(s, 0, 0, count, &n), 0);
    store_close(s);
    return n;
}

/* check_once_in_order: the distinct ids the receiver accepted (2xx), in order of first
 * arrival, are exactly prefix-1..prefix-n; each accepted body carries its id and, with a
 * key, a valid signature. Returns how many requests repeated an accepted id. */
static size_t check_once_in_order(const char *prefix, unsigned n, const char *key)
{
    char seen[512][64];
    size_t nseen = 0, dups = 0;
    for (size_t i = 0; i < wt_recv_count(R); i++) {
        wt_req q;
        cr_assert_eq(wt_recv_at(R, i, &q), 0);
        if (q.status != 200)
            continue;
        cJSON *j = cJSON_Parse(q.body);
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "id");
        cr_assert(cJSON_IsString(id), "%s", q.body);
        cr_expect_str_eq(id->valuestring, q.id, "the body's id is the header's");
        cJSON_Delete(j);
        if (key) {
            char want[80], hex[65];
            trk_hmac_sha256_hex(hex, key, q.body, strlen(q.body));
            snprintf(want, sizeof want, "sha256=%s", hex);
            cr_expect_str_eq(q.sig, want);
        }
        bool dup = false;
        for (size_t k = 0; k < nseen; k++)
            dup |= strcmp(seen[k], q.id) == 0;
        if (dup) {
            dups++;
            continue;
        }
        cr_assert_lt(nseen, 512);
        snprintf(seen[nseen++], 64, "%s", q.id);
    }
    cr_assert_eq(nseen, n, "%zu distinct alerts arrived, want %u", nseen, n);
    for (unsigned i = 0; i < n; i++) {
        char want[64];
        snprintf(want, sizeof want, "%s-%u", prefix, i + 1);
        cr_expect_str_eq(seen[i], want, "alert %u out of order", i);
    }
    return dups;
}

Test(alerts, a_webhook_gets_each_move_once_and_in_order_through_500s_timeouts_and_429s)
{
    cr_assert_eq(wt_recv_start(&R, &port, "500,slow,ok,429:1,500,ok"), 0);
    uint32_t id = write_wl("[sink \"hook\"]\nkind = webhook\nurl = http://127.0.0.1:%u/hook\n"
                           "secret = k3y\ntimeout_ms = 500\n",
                           port);
    fill(6, id);
    wt_cli_out o = deliver(NULL);
    cr_assert_eq(o.status, 0, "%s", o.err);
    cr_log_info("%s", o.err);
    check_once_in_order("move", 6, "k3y");
    cr_expect_eq(outbox_left(), 0, "every alert marked delivered");
    cr_expect(strstr(o.err, "sink \"hook\": alert about move 1 failed: HTTP status 500"));
    cr_expect(strstr(o.err, "HTTP status 429"));
    wt_cli_out_free(&o);
    size_t before = wt_recv_count(R);
    o = deliver(NULL);
    cr_expect_eq(o.status, 0);
    cr_expect_eq(wt_recv_count(R), before, "a second run sends nothing again");
    wt_cli_out_free(&o);
}

Test(alerts, each_move_arrives_once_across_kill_9_of_the_deliverer)
{
    cr_assert_eq(wt_recv_start(&R, &port, "ok,500,ok,ok,500,ok,ok,ok,500"), 0);
    uint32_t id =
        write_wl("[sink \"hook\"]\nkind = webhook\nurl = http://127.0.0.1:%u/hook\n", port);
    fill(40, id);
    srand(7);
    const char *args[] = {"deliver", "--watchlists", wl, "--data-dir", data, NULL};
    for (int round = 0; round < 25 && outbox_left() > 0; round++) {
        int fd;
        pid_t pid = wt_cli_spawn(&fd, args, NULL, NULL);
        cr_assert_gt(pid, 0);
        struct timespec ts = {0, (long)(rand() % 40 + 5) * 1000 * 1000};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        close(fd);
    }
    wt_cli_out o = deliver(NULL);
    cr_assert_eq(o.status, 0, "%s", o.err);
    wt_cli_out_free(&o);
    size_t dups = check_once_in_order("move", 40, NULL);
    cr_log_info("%zu duplicates at the wire (same id), none recorded", dups);
    cr_expect_eq(outbox_left(), 0);
}

Test(alerts, telegram_waits_the_retry_after_it_asked_for_and_its_token_stays_out_of_logs)
{
    cr_assert_eq(wt_recv_start(&R, &port, "429:2"), 0);
    char api[64];
    snprintf(api, sizeof api, "WHALETRACK_TELEGRAM_API=http://127.0.0.1:%u", port);
    uint32_t id = write_wl("[sink \"tg\"]\nkind = telegram\ntoken = ${TG_TOKEN}\n"
                           "chat_id = -1001\n");
    fill(1, id);
    const char *env[] = {api, "TG_TOKEN=777:SeCrEtToKeN", NULL};
    wt_cli_out o = deliver(env);
    cr_assert_eq(o.status, 0, "%s", o.err);
    cr_assert_eq(wt_recv_count(R), 2);
    wt_req a, b;
    cr_assert_eq(wt_recv_at(R, 0, &a), 0);
    cr_assert_eq(wt_recv_at(R, 1, &b), 0);
    cr_expect_geq(b.at_ms - a.at_ms, 1900, "retried after %lld ms", b.at_ms - a.at_ms);
    cr_expect_str_eq(b.path, "/bot777:SeCrEtToKeN/sendMessage");
    cr_expect(strstr(b.body, "\"chat_id\":\"-1001\""));
    cr_expect(strstr(b.body, "repaid 30,000,000"), "%s", b.body);
    cr_expect(strstr(o.err, "sink \"tg\""));
    cr_expect_eq(strstr(o.err, "SeCrEtToKeN"), NULL, "%s", o.err);
    wt_cli_out_free(&o);
}

Test(alerts, a_webhook_url_from_the_environment_stays_out_of_logs)
{
    cr_assert_eq(wt_recv_start(&R, &port, "500"), 0);
    char url[128];
    snprintf(url, sizeof url, "HOOK_URL=http://127.0.0.1:%u/h/SeCrEtPaTh", port);
    uint32_t id = write_wl("[sink \"hook\"]\nkind = webhook\nurl = ${HOOK_URL}\n");
    fill(1, id);
    const char *env[] = {url, NULL};
    wt_cli_out o = deliver(env);
    cr_assert_eq(o.status, 0, "%s", o.err);
    cr_expect(strstr(o.err, "HTTP status 500"));
    cr_expect_eq(strstr(o.err, "SeCrEtPaTh"), NULL, "%s", o.err);
    wt_cli_out_free(&o);
    /* a refused connection's curl message names the URL: it is scrubbed too */
    wt_recv_stop(R);
    R = NULL;
    store *s = fx_writer(data);
    fx_commit(s, 21734013, 1, 1, &id, 1);
    store_close(s);
    const char *args[] = {"deliver", "--watchlists", wl, "--data-dir", data, NULL};
    char errpath[600];
    snprintf(errpath, sizeof errpath, "%s/err.log", dir);
    int fd;
    pid_t pid = wt_cli_spawn(&fd, args, env, errpath);
    sleep(2);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    close(fd);
    size_t len;
    FILE *f = fopen(errpath, "r");
    cr_assert_not_null(f);
    char log[8192];
    len = fread(log, 1, sizeof log - 1, f);
    log[len] = '\0';
    fclose(f);
    cr_expect(strstr(log, "failed"), "%s", log);
    cr_expect_eq(strstr(log, "SeCrEtPaTh"), NULL, "%s", log);
}

Test(alerts, the_command_sink_gets_the_move_as_json_on_stdin_without_a_shell)
{
    char out[600];
    snprintf(out, sizeof out, "%s/got.jsonl", dir);
    uint32_t id = write_wl("[sink \"cmd\"]\nkind = command\ncommand = /usr/bin/tee -a %s\n", out);
    fill(3, id);
    wt_cli_out o = deliver(NULL);
    cr_assert_eq(o.status, 0, "%s", o.err);
    wt_cli_out_free(&o);
    FILE *f = fopen(out, "r");
    cr_assert_not_null(f);
    char line[4096];
    for (unsigned i = 1; i <= 3; i++) {
        cr_assert_not_null(fgets(line, sizeof line, f), "line %u", i);
        cJSON *j = cJSON_Parse(line);
        cr_assert_not_null(j, "%s", line);
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "move");
        const cJSON *seq = cJSON_GetObjectItemCaseSensitive(m, "seq");
        cr_expect(cJSON_IsNumber(seq) && seq->valueint == (int)i);
        cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(j, "type")->valuestring, "move");
        cJSON_Delete(j);
    }
    cr_expect_null(fgets(line, sizeof line, f));
    fclose(f);
}

Test(alerts, a_reorg_after_delivery_sends_a_retraction_and_rules_filter_moves)
{
    cr_assert_eq(wt_recv_start(&R, &port, ""), 0);
    uint32_t id = write_wl("[sink \"hook\"]\nkind = webhook\nurl = http://127.0.0.1:%u/\n"
                           "kinds = repay, transfer_in\n",
                           port);
    store *s = fx_writer(data);
    fx_commit(s, 21734012, 0, 3, &id, 1); /* repay, exchange_deposit, transfer_in */
    fx_commit(s, 21734013, 3, 1, &id, 1); /* repay */
    store_close(s);
    wt_cli_out o = deliver(NULL);
    cr_assert_eq(o.status, 0, "%s", o.err);
    wt_cli_out_free(&o);
    cr_assert_eq(wt_recv_count(R), 3, "the deposit is not among the sink's kinds");
    s = fx_writer(data);
    cr_assert_eq(store_rollback(s, NULL, 21734012), 0);
    store_close(s);
    o = deliver(NULL);
    cr_assert_eq(o.status, 0, "%s", o.err);
    wt_cli_out_free(&o);
    cr_assert_eq(wt_recv_count(R), 4);
    wt_req q;
    cr_assert_eq(wt_recv_at(R, 3, &q), 0);
    cr_expect_str_eq(q.id, "retract-4");
    cr_expect(strstr(q.body, "\"type\":\"retraction\""));
    cr_expect(strstr(q.body, "RETRACTED"));
    cr_expect_eq(outbox_left(), 0);
}
