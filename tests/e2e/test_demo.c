/* tests/e2e/test_demo.c — `whaletrack demo` as a real process: with --json its stdout is
 * exactly the day's move sequence (kinds, entities, amounts), every health factor it shows
 * is the one Aave's getUserAccountData gives at the move's block (read from the chain the
 * demo leaves running with --keep), and without --keep, or on SIGINT, it leaves no chain. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "tests/tracker/trk_testutil.h"
#include "tracker/aave_local.h"

static pid_t demo_pid;  /* the demo process, while it runs */
static pid_t chain_pid; /* the anvil a --keep demo left behind */
static char dir[64];

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* stop_pid: SIGTERM, then SIGKILL after 3 s; pid need not be our child. */
static void stop_pid(pid_t pid)
{
    kill(pid, SIGTERM);
    for (int i = 0; i < 300; i++) {
        waitpid(pid, NULL, WNOHANG);
        if (kill(pid, 0) != 0 && errno == ESRCH)
            return;
        sleep_ms(10);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, WNOHANG);
}

static void stop(void)
{
    if (demo_pid > 0) {
        kill(demo_pid, SIGKILL);
        waitpid(demo_pid, NULL, 0);
        demo_pid = 0;
    }
    if (chain_pid > 0) {
        stop_pid(chain_pid);
        chain_pid = 0;
    }
}

/* spawn_demo: whaletrack demo --data-dir <dir>/data ARGS..., stdout to <dir>/out, stderr to
 * <dir>/err. */
static pid_t spawn_demo(const char *a1, const char *a2, const char *a3, const char *a4)
{
    snprintf(dir, sizeof dir, "/tmp/demotest.XXXXXX");
    cr_assert(mkdtemp(dir));
    char data[96], out[96], err[96];
    snprintf(data, sizeof data, "%s/data", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(err, sizeof err, "%s/err", dir);
    const char *argv[12] = {WT_BUILD_DIR "/whaletrack", "demo", "--data-dir", data};
    size_t n = 4;
    const char *extra[4] = {a1, a2, a3, a4};
    for (size_t i = 0; i < 4 && extra[i]; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
            _exit(127);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    demo_pid = pid;
    return pid;
}

static int wait_demo(int timeout_s)
{
    for (int i = 0; i < timeout_s * 100; i++) {
        int st;
        if (waitpid(demo_pid, &st, WNOHANG) == demo_pid) {
            demo_pid = 0;
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        }
        sleep_ms(10);
    }
    cr_assert_fail("the demo did not exit within %d s", timeout_s);
    return -1;
}

static char *slurp(const char *name)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *t = wt_read_file(path, NULL);
    cr_assert(t, "%s", path);
    return t;
}

/* after: the text following key in s, copied up to the first of stop chars, into out. */
static void after(char *out, size_t cap, const char *s, const char *key, const char *stops)
{
    const char *p = strstr(s, key);
    cr_assert(p, "the narration says '%s': %s", key, s);
    p += strlen(key);
    size_t n = strcspn(p, stops);
    cr_assert(n < cap);
    memcpy(out, p, n);
    out[n] = '\0';
}

/* answers: a JSON-RPC node answers at url. */
static bool answers(const char *url)
{
    rpc_client_opts co;
    rpc_client_opts_default(&co);
    co.max_retries = 0;
    co.timeout_ms = 1000;
    rpc_client *c;
    const char *urls[1] = {url};
    cr_assert_eq(rpc_client_new(&c, &co, urls, 1), RPC_OK);
    uint64_t id;
    bool ok = rpc_eth_chain_id(c, &id) == RPC_OK;
    rpc_client_free(c);
    return ok;
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    cr_assert(cJSON_IsString(v), "member %s", k);
    return v->valuestring;
}

/* The day's moves as the tracker must report them. Amounts are raw integers: WETH has 18
 * decimals, USDT 6. The seized WETH is Aave 3.0's LiquidationLogic on the demo's numbers:
 * 14,000,000 USDT at $1 over WETH at $1,650 = 8,484.848484848484848484 WETH (floor, 18
 * decimals), times the 105 % bonus, half up: 8,909.090909090909090908 WETH. */
static const struct want {
    const char *kind, *entity, *amount;
} want[] = {
    {"position_opened", "Trend Research", "0"},
    {"collateral_enabled", "Trend Research", "0"},
    {"supply", "Trend Research", "20000000000000000000000"},
    {"borrow", "Trend Research", "34000000000000"},
    {"position_opened", "7 Siblings", "0"},
    {"collateral_enabled", "7 Siblings", "0"},
    {"supply", "7 Siblings", "8000000000000000000000"},
    {"borrow", "7 Siblings", "10000000000000"},
    {"exchange_deposit", "Trend Research", "3000000000000000000000"},
    {"health_factor", "Trend Research", "0"}, /* ETH at $2,600, silently: HF under 1.3 */
    {"repay", "Trend Research", "6000000000000"},
    {"supply", "7 Siblings", "4000000000000000000000"},
    {"health_factor", "Trend Research", "0"}, /* ETH at $1,650: under 1 */
    {"liquidated", "Trend Research", "8909090909090909090908"},
    {"liquidated", "Trend Research", "14000000000000"},
};

Test(demo, json_gives_the_days_moves_exactly_with_aaves_own_health_factors, .fini = stop,
     .timeout = 300)
{
    spawn_demo("--json", "--speed", "0", "--keep");
    int rc = wait_demo(240);
    char *err = slurp("err"), *out = slurp("out");
    cr_assert_eq(rc, 0, "exit status; stderr:\n%s", err);
    char pid_s[16], url[64];
    after(pid_s, sizeof pid_s, err, "anvil pid ", ")");
    after(url, sizeof url, err, "still running at ", " ");
    char *end;
    chain_pid = (pid_t)strtol(pid_s, &end, 10);
    cr_assert(chain_pid > 0 && *end == '\0');

    rpc_client_opts co;
    rpc_client_opts_default(&co);
    rpc_client *c;
    const char *urls[1] = {url};
    cr_assert_eq(rpc_client_new(&c, &co, urls, 1), RPC_OK);
    /* the market's addresses from the watchlist the demo wrote; WETH from the first supply */
    char wlpath[96];
    snprintf(wlpath, sizeof wlpath, "%s/data/watchlists", dir);
    const char *paths[1] = {wlpath};
    wl_set *set = NULL;
    wl_errors errs = {0};
    cr_assert_eq(wl_load(&set, &errs, paths, 1, NULL), WL_OK);
    wl_errors_free(&errs);
    cr_assert_eq(wl_protocol_count(set), 1);
    trk_aave_market m;
    memset(&m, 0, sizeof m);
    m.pool = wl_protocol_at(set, 0)->contract;
    m.oracle = wl_protocol_at(set, 0)->oracle;
    wl_set_free(set);
    const char *weth = strstr(out, "\"kind\":\"supply\"");
    cr_assert(weth && (weth = strstr(weth, "\"asset\":\"")));
    weth += strlen("\"asset\":\"");
    cr_assert_eq(rpc_addr_parse(&m.reserve[TRK_AAVE_WETH].asset, weth, 42), RPC_OK);

    size_t n = 0, checked_hf = 0, checked_liq = 0;
    char *save = out, *line;
    uint64_t last_seq = 0;
    while ((line = strsep(&save, "\n")) && *line) {
        cr_assert(n < sizeof want / sizeof want[0], "more moves than the day has: %s", line);
        cJSON *j = cJSON_Parse(line);
        cr_assert(j, "stdout holds only JSON lines: %s", line);
        const cJSON *seq = cJSON_GetObjectItemCaseSensitive(j, "seq");
        cr_assert(cJSON_IsNumber(seq) && (uint64_t)seq->valuedouble == last_seq + 1,
                  "moves in log order");
        last_seq++;
        cr_expect_str_eq(str(j, "kind"), want[n].kind, "move %zu", n + 1);
        cr_expect_str_eq(str(j, "entity"), want[n].entity, "move %zu", n + 1);
        cr_expect_str_eq(str(j, "amount"), want[n].amount, "move %zu (%s)", n + 1, want[n].kind);
        /* every health factor shown is the protocol's own at that block */
        const cJSON *hfj = cJSON_GetObjectItemCaseSensitive(j, "hf_after");
        const char *hf = cJSON_IsString(hfj) ? hfj->valuestring : "0";
        if (strcmp(hf, "0") != 0) {
            rpc_addr who;
            const char *a = str(j, "address");
            cr_assert_eq(rpc_addr_parse(&who, a, strlen(a)), RPC_OK);
            const cJSON *b = cJSON_GetObjectItemCaseSensitive(j, "block");
            cr_assert(cJSON_IsNumber(b));
            trk_aave_account acc;
            cr_assert_eq(trk_aave_account_data(c, &acc, &m, &who, (uint64_t)b->valuedouble),
                         RPC_OK);
            char chain_hf[RPC_U256_DEC_MAX];
            cr_assert_eq(rpc_u256_format_dec(chain_hf, sizeof chain_hf, &acc.health_factor),
                         RPC_OK);
            cr_expect_str_eq(hf, chain_hf, "move %zu (%s): HF against getUserAccountData", n + 1,
                             want[n].kind);
            checked_hf++;
            /* the liquidation line: WETH the only collateral, USDT the only debt, so HF = 1
             * at price * debt / (collateral * threshold); the tracker rounds it up */
            const char *liq = str(j, "liq_after");
            rpc_u256 got, price, num, den, want_line, one = rpc_u256_from_u64(1);
            cr_assert_eq(rpc_u256_parse_dec(&got, liq, strlen(liq)), RPC_OK);
            if (!rpc_u256_is_zero(&acc.debt_base)) {
                cr_assert_eq(trk_aave_asset_price(c, &price, &m, TRK_AAVE_WETH,
                                                  (uint64_t)b->valuedouble), RPC_OK);
                rpc_u256 bps = rpc_u256_from_u64(10000);
                cr_assert_eq(rpc_u256_mul(&num, &price, &bps), RPC_OK);
                cr_assert_eq(rpc_u256_mul(&den, &acc.collateral_base, &acc.liq_threshold_bps),
                             RPC_OK);
                cr_assert_eq(rpc_u256_muldiv(&want_line, &acc.debt_base, &num, &den), RPC_OK);
                rpc_u256 hi;
                cr_assert_eq(rpc_u256_add(&hi, &want_line, &one), RPC_OK);
                char wl_s[RPC_U256_DEC_MAX];
                cr_assert_eq(rpc_u256_format_dec(wl_s, sizeof wl_s, &want_line), RPC_OK);
                cr_expect(rpc_u256_cmp(&got, &want_line) >= 0 && rpc_u256_cmp(&got, &hi) <= 0,
                          "move %zu (%s): liquidation line %s, the chain's figures give %s",
                          n + 1, want[n].kind, liq, wl_s);
                checked_liq++;
            }
        }
        cJSON_Delete(j);
        n++;
    }
    cr_expect_eq(n, sizeof want / sizeof want[0], "the whole day: %zu moves", n);
    cr_expect(checked_hf >= 8, "health factors were checked (%zu)", checked_hf);
    cr_expect(checked_liq >= 8, "liquidation lines were checked (%zu)", checked_liq);
    cr_expect(strstr(err, "[10/10]"), "the narration goes to stderr");
    rpc_client_free(c);
    free(err);
    free(out);
}

Test(demo, without_keep_it_leaves_no_chain_running, .fini = stop, .timeout = 300)
{
    spawn_demo("--speed", "0", NULL, NULL);
    int rc = wait_demo(240);
    char *out = slurp("out");
    cr_assert_eq(rc, 0, "exit status; stdout:\n%s", out);
    char full[80];
    after(full, sizeof full, out, "Chain ", " "); /* "Chain http://127.0.0.1:PORT: ..." */
    full[strlen(full) - 1] = '\0';                 /* the trailing ':' */
    cr_expect(strncmp(full, "http://127.0.0.1:", 17) == 0);
    cr_expect(!answers(full), "the chain at %s was stopped", full);
    cr_expect(strstr(out, "[10/10]") && strstr(out, "was liquidated"), "text mode shows the day");
    cr_expect(strstr(out, "$ whaletrack positions") && strstr(out, "$ whaletrack liqmap"),
              "then positions and liqmap:\n%s", out);
    cr_expect(strstr(out, "HF 1.26 -> 1.53"), "the repay lifts the HF (analyst's line):\n%s", out);
    char svg[96];
    snprintf(svg, sizeof svg, "%s/data/trend-research.svg", dir);
    char *chart = wt_read_file(svg, NULL);
    cr_expect(chart && strstr(chart, "<svg"), "the entity chart is an SVG");
    free(chart);
    free(out);
}

Test(demo, sigint_stops_it_cleanly_and_stops_the_chain, .fini = stop, .timeout = 300)
{
    spawn_demo("--speed", "10", NULL, NULL);
    char *out = NULL;
    for (int i = 0; i < 24000; i++) { /* until the first step is shown (at most 240 s) */
        free(out);
        char path[128];
        snprintf(path, sizeof path, "%s/out", dir);
        out = access(path, R_OK) == 0 ? wt_read_file(path, NULL) : NULL; /* not made yet */
        if (out && strstr(out, "[1/10]"))
            break;
        sleep_ms(10);
    }
    cr_assert(out && strstr(out, "[1/10]"), "the day began:\n%s", out ? out : "");
    char full[80];
    after(full, sizeof full, out, "Chain ", " ");
    full[strlen(full) - 1] = '\0';
    cr_assert(answers(full), "the chain runs during the day");
    kill(demo_pid, SIGINT);
    cr_expect_eq(wait_demo(30), 0, "Ctrl-C is a clean exit");
    cr_expect(!answers(full), "the chain at %s was stopped", full);
    free(out);
    out = slurp("out");
    cr_expect(strstr(out, "Interrupted"), "it says it stopped:\n%s", out);
    cr_expect(!strstr(out, "[10/10]"), "the day did not go on");
    free(out);
}
