/* tests/e2e/test_cli.c — the store-reading commands as real processes on a store filled
 * through store batches: tail (and tail -f beside a writer), export's golden CSV and
 * JSONL, RFC 4180 quoting, and every command's bad input with its exit code. */
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/e2e/cli_fixture.h"
#include "tests/support/cli.h"

static char *dir, *data, *wl;

/* The watchlist of the fixture: Trend Research and Binance (a watchlist name cannot hold
 * a quote; the store's can, which is what the CSV quoting needs). */
static const char wl_text[] = "[entity \"Trend Research\"]\naddress = " FX_WHALE "\n"
                              "[exchange \"Binance\"]\naddress = " FX_BINANCE "\n";

static void setup(void)
{
    dir = fx_tmpdir();
    char p[512];
    snprintf(p, sizeof p, "%s/data", dir);
    data = strdup(p);
    snprintf(p, sizeof p, "%s/w.ini", dir);
    wl = strdup(p);
    FILE *f = fopen(wl, "w");
    cr_assert_not_null(f);
    fputs(wl_text, f);
    cr_assert_eq(fclose(f), 0);
}

static void teardown(void)
{
    free(data);
    free(wl);
    fx_rm(dir);
}

TestSuite(cli, .init = setup, .fini = teardown,
          .timeout = 300); /* one value per binary: criterion leaks with mixed ones */

/* fill: blocks 21734012.. with moves 0..2, then 3..5 (two blocks of three). */
static void fill(void)
{
    store *s = fx_writer(data);
    fx_commit(s, 21734012, 0, 3, NULL, 0);
    fx_commit(s, 21734013, 3, 3, NULL, 0);
    store_close(s);
}

static wt_cli_out run_args(const char *const *args)
{
    wt_cli_out o;
    cr_assert_eq(wt_cli_run(&o, args, NULL, 30), 0);
    return o;
}
#define run(...) run_args((const char *const[]){__VA_ARGS__, NULL})

Test(cli, tail_prints_the_last_moves_like_an_analysts_post)
{
    fill();
    wt_cli_out o = run("tail", "-n", "3", "--data-dir", data, "--watchlists", wl);
    cr_assert_eq(o.status, 0, "%s", o.err);
    cr_expect(strstr(o.out, "2026-01-31 09:14:35  #21734013   Trend Research    repaid "
                            "30,000,000 0xdAC1…1ec7 on Aave V3  ($30,000,000)\n"),
              "%s", o.out);
    cr_expect(strstr(o.out, "\n                                                  "
                            " HF 1.41 -> 1.46   liq. ETH price $1,880 -> $1,830   0xbb53…\n"),
              "the HF line sits under the sentence");
    cr_expect(strstr(o.out, "deposited 1,234.5 ETH to Binance  ($3,703,500)   0xbb54…\n"),
              "exchange labels from the watchlist");
    cr_expect(strstr(o.out, "Fund \"A\", Ltd     received 5 ETH  ($15,000)   0xbb55…\n"));
    cr_expect_eq(strstr(o.out, "\033["), NULL, "no colours when stdout is not a terminal");
    cr_expect_str_eq(o.err, "");
    wt_cli_out_free(&o);
}

Test(cli, tail_filters_by_entity_kind_and_usd)
{
    fill();
    wt_cli_out o = run("tail", "--json", "--entity", FX_QUOTED, "--data-dir", data);
    cr_assert_eq(o.status, 0, "%s", o.err);
    int lines = 0;
    for (char *p = o.out; (p = strchr(p, '\n')); p++)
        lines++;
    cr_expect_eq(lines, 2);
    cr_expect(strstr(o.out, "\"entity\":\"Fund \\\"A\\\", Ltd\""));
    wt_cli_out_free(&o);
    o = run("tail", "--json", "--min-usd", "$1,000,000", "--kind", "repay", "--data-dir", data);
    cr_assert_eq(o.status, 0, "%s", o.err);
    cr_expect(strstr(o.out, "\"seq\":1,\"kind\":\"repay\""));
    cr_expect(strstr(o.out, "\"seq\":4,\"kind\":\"repay\""));
    cr_expect_eq(strstr(o.out, "exchange_deposit"), NULL);
    cr_expect(strstr(o.out, "\"amount\":\"30000000000000\""), "exact amounts as strings");
    wt_cli_out_free(&o);
}

Test(cli, tail_follow_shows_moves_and_retractions_as_another_process_commits)
{
    store *s = fx_writer(data);
    fx_commit(s, 21734012, 0, 3, NULL, 0);
    const char *args[] = {"tail", "-f", "-n", "1", "--json", "--data-dir", data, NULL};
    int fd;
    pid_t pid = wt_cli_spawn(&fd, args, NULL, NULL);
    cr_assert_gt(pid, 0);
    char buf[16384];
    size_t len = 0;
    cr_expect_eq(wt_read_until(fd, buf, sizeof buf, &len, 1, 10000), 1, "%s", buf);
    cr_expect(strstr(buf, "\"seq\":3,"), "-n 1 shows the last move first");
    fx_commit(s, 21734013, 3, 2, NULL, 0);
    cr_expect_eq(wt_read_until(fd, buf, sizeof buf, &len, 3, 10000), 3, "%s", buf);
    cr_expect(strstr(buf, "\"seq\":4,") && strstr(buf, "\"seq\":5,"));
    size_t retracted = 0;
    cr_assert_eq(store_rollback(s, &retracted, 21734012), 0);
    cr_assert_eq(retracted, 2);
    cr_expect_eq(wt_read_until(fd, buf, sizeof buf, &len, 5, 10000), 5, "%s", buf);
    cr_expect(strstr(buf, "\"kind\":\"retracted\"") && strstr(buf, "\"retracts\":4"), "%s", buf);
    kill(pid, SIGTERM);
    int st;
    cr_expect_eq(waitpid(pid, &st, 0), pid);
    cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "SIGTERM stops tail -f cleanly");
    close(fd);
    store_close(s);
}

/* The golden files: the first two moves. Written from the fixture's values by hand:
 * RFC 4180 needs CRLF, and the quoted entity doubles its quotes. */
static const char golden_csv[] =
    "seq,kind,entity,address,block,block_hash,time,tx_hash,log_index,protocol,asset,"
    "counterparty,amount,decimals,usd,hf_before,hf_after,liq_before,liq_after,retracts,"
    "retracted_kind,retracted,verified\r\n"
    "1,repay,Trend Research,0x28a55C4b4f9615FDE3CDAdDf6cc01FcF2E38A6b0,21734012,"
    "0xbb000000000000000000000000000000000000000000000000000000014ba27c,1769850863,"
    "0xbb500000000000000000000000000000000000000000000000000000014ba27c,0,1,"
    "0xdAC17F958D2ee523a2206206994597C13D831ec7,0x0000000000000000000000000000000000000000,"
    "30000000000000,6,3000000000000000,1410000000000000000,1460000000000000000,188000000000,"
    "183000000000,,,0,0\r\n"
    "3,transfer_in,\"Fund \"\"A\"\", Ltd\",0x1111111111111111111111111111111111111111,21734012,"
    "0xbb000000000000000000000000000000000000000000000000000000014ba27c,1769850863,"
    "0xbb520000000000000000000000000000000000000000000000000000014ba27c,2,0,"
    "0x0000000000000000000000000000000000000000,0x0000000000000000000000000000000000000000,"
    "5000000000000000000,18,1500000000000,,,,,,,0,0\r\n";

Test(cli, export_csv_matches_the_golden_file_with_rfc4180_quoting)
{
    fill();
    char out[600];
    snprintf(out, sizeof out, "%s/moves.csv", dir);
    const char *args[] = {"export", "--format",   "csv", "--to", "21734012", "--kind",
                          "repay",  "--data-dir", data,  "-o",   out,        NULL};
    wt_cli_out o;
    cr_assert_eq(wt_cli_run(&o, args, NULL, 30), 0);
    cr_assert_eq(o.status, 0, "%s", o.err);
    wt_cli_out_free(&o);
    const char *args2[] = {"export",     "--format", "csv", "--to", "21734012",
                           "--data-dir", data,       "-o",  out,    NULL};
    cr_assert_eq(wt_cli_run(&o, args2, NULL, 30), 0);
    cr_assert_eq(o.status, 0, "%s", o.err);
    cr_expect_eq(o.out_len, 0, "-o: nothing on stdout");
    wt_cli_out_free(&o);
    FILE *f = fopen(out, "rb");
    cr_assert_not_null(f);
    char got[8192];
    size_t n = fread(got, 1, sizeof got - 1, f);
    got[n] = '\0';
    fclose(f);
    /* row 2 (the deposit) is in between; check the header, row 1 and row 3 in order */
    const char *row3 = strstr(golden_csv, "3,transfer_in");
    size_t head_len = (size_t)(row3 - golden_csv);
    const char *dep = strstr(got, "\r\n2,exchange_deposit,");
    cr_assert_not_null(dep, "%s", got);
    const char *after = strstr(dep + 2, "\r\n");
    cr_assert_not_null(after);
    cr_expect_eq(memcmp(got, golden_csv, (size_t)(dep - got) + 2), 0, "%s", got);
    cr_expect_eq((size_t)(dep - got) + 2, head_len);
    cr_expect_str_eq(after + 2, row3);
}

/* fill_positions: the moves, then the account before and after the repay. */
static void fill_positions(void)
{
    store *s = fx_writer(data);
    fx_commit(s, 21734012, 0, 3, NULL, 0);
    fx_account(s, 21734020, "1410000000000000000", "188000000000", "60000000000000000",
               "30000000000000000");
    fx_account(s, 21734021, "1460000000000000000", "183000000000", "60000000000000000",
               "25000000000000000");
    store_close(s);
}

Test(cli, positions_show_the_latest_or_a_past_snapshot)
{
    fill_positions();
    wt_cli_out o = run("positions", "--data-dir", data, "--watchlists", wl);
    cr_assert_eq(o.status, 0, "%s", o.err);
    cr_log_info("%s", o.out);
    cr_expect(strstr(o.out, "ENTITY "), "a header row");
    cr_expect(strstr(o.out, "Trend Research    0x28a5…A6b0  Aave V3"));
    cr_expect(strstr(o.out, "$600,000,000"));
    cr_expect(strstr(o.out, "$250,000,000    1.46      $1,830    21734021\n"), "%s", o.out);
    cr_expect(strstr(o.out, "wallet       ETH                     198,000                   -"));
    wt_cli_out_free(&o);
    o = run("positions", "--at", "21734020", "--entity", "Trend Research", "--data-dir", data,
            "--watchlists", wl);
    cr_assert_eq(o.status, 0, "%s", o.err);
    cr_expect(strstr(o.out, "$300,000,000    1.41      $1,880    21734020\n"), "%s", o.out);
    wt_cli_out_free(&o);
    o = run("positions", "--at", "2026-01-31T09:16:00", "--data-dir", data);
    cr_assert_eq(o.status, 0, "%s", o.err);
    cr_expect(strstr(o.out, "1.41"), "09:16:00 is after block 21734020 (09:15:59)");
    cr_expect_eq(strstr(o.out, "1.46"), NULL);
    wt_cli_out_free(&o);
}

Test(cli, liqmap_bands_the_collateral_at_risk_and_writes_an_svg)
{
    fill_positions();
    char svg[600];
    snprintf(svg, sizeof svg, "%s/liq.svg", dir);
    wt_cli_out o =
        run("liqmap", "--band", "50", "--svg", svg, "--data-dir", data, "--watchlists", wl);
    cr_assert_eq(o.status, 0, "%s", o.err);
    cr_log_info("%s", o.out);
    cr_expect(strstr(o.out, "ETH now $3,000 (block 21734021)\n"), "%s", o.out);
    cr_expect(strstr(o.out, "$1,800 – $1,850"), "the line $1,830 in its $50 band");
    cr_expect(strstr(o.out, "600,000,000  Trend Research\n"));
    wt_cli_out_free(&o);
    size_t len;
    FILE *f = fopen(svg, "r");
    cr_assert_not_null(f);
    char buf[8192];
    len = fread(buf, 1, sizeof buf - 1, f);
    buf[len] = '\0';
    fclose(f);
    cr_expect(strncmp(buf, "<svg xmlns=", 11) == 0);
    cr_expect(strstr(buf, "Trend Research") && strstr(buf, "</svg>\n"));
}

Test(cli, chart_draws_hf_and_liquidation_line_with_the_moves_marked)
{
    fill_positions();
    char svg[600];
    snprintf(svg, sizeof svg, "%s/trend.svg", dir);
    wt_cli_out o =
        run("chart", "Trend Research", "--svg", svg, "--data-dir", data, "--watchlists", wl);
    cr_assert_eq(o.status, 0, "%s", o.err);
    cr_expect_eq(o.out_len, 0);
    wt_cli_out_free(&o);
    FILE *f = fopen(svg, "r");
    cr_assert_not_null(f);
    char buf[16384];
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    buf[len] = '\0';
    fclose(f);
    cr_expect(strstr(buf, "<polyline"), "the HF and line curves");
    cr_expect(strstr(buf, "liquidation (HF 1)"));
    cr_expect(strstr(buf, "stroke=\"#2e7d32\""), "the repay marked green");
    cr_expect(strstr(buf, "repaid 30,000,000"), "its sentence as the mark's title");
    o = run("chart", FX_QUOTED, "--svg", svg, "--data-dir", data);
    cr_expect_eq(o.status, 2, "not in the (default) watchlist, not an address: %s", o.err);
    wt_cli_out_free(&o);
}

Test(cli, history_lists_an_entitys_or_an_addresss_moves_in_a_range)
{
    fill();
    wt_cli_out o = run("history", "Trend Research", "--from", "21734013", "--json", "--data-dir",
                       data, "--watchlists", wl);
    cr_assert_eq(o.status, 0, "%s", o.err);
    cr_expect(strstr(o.out, "\"seq\":4,") && strstr(o.out, "\"seq\":5,"));
    cr_expect_eq(strstr(o.out, "\"seq\":1,"), NULL, "--from excludes block 21734012");
    cr_expect_eq(strstr(o.out, "\"seq\":6,"), NULL, "the fund's move is not Trend's");
    wt_cli_out_free(&o);
    o = run("history", FX_FUND, "--to", "2026-01-31T09:14:23", "--data-dir", data);
    cr_assert_eq(o.status, 0, "%s", o.err);
    cr_expect(strstr(o.out, "received 5 ETH"));
    cr_expect_eq(strstr(o.out, "09:14:35"), NULL);
    wt_cli_out_free(&o);
}

Test(cli, export_jsonl_is_one_object_per_line_with_exact_amounts)
{
    fill_positions();
    wt_cli_out o = run("export", "--format", "jsonl", "--entity", FX_QUOTED, "--data-dir", data);
    cr_assert_eq(o.status, 0, "%s", o.err);
    cr_expect_str_eq(o.out,
                     "{\"seq\":3,\"kind\":\"transfer_in\",\"entity\":\"Fund \\\"A\\\", Ltd\","
                     "\"address\":\"0x1111111111111111111111111111111111111111\","
                     "\"block\":21734012,\"block_hash\":\"0xbb000000000000000000000000000000000"
                     "000000000000000000000014ba27c\",\"time\":1769850863,\"tx_hash\":\"0xbb52"
                     "0000000000000000000000000000000000000000000000000000014ba27c\","
                     "\"log_index\":2,\"protocol\":0,\"verified\":false,\"asset\":\"0x0000000000000000000000000000"
                     "000000000000\",\"counterparty\":\"0x0000000000000000000000000000000000000"
                     "000\",\"amount\":\"5000000000000000000\",\"decimals\":18,"
                     "\"usd\":\"1500000000000\"}\n");
    wt_cli_out_free(&o);
    o = run("export", "--format", "jsonl", "--what", "positions", "--from", "21734021",
            "--data-dir", data);
    cr_assert_eq(o.status, 0, "%s", o.err);
    cr_expect(strstr(o.out, "\"hf\":\"1460000000000000000\""), "%s", o.out);
    cr_expect_eq(strstr(o.out, "1410000000000000000"), NULL, "--from 21734021 drops the older");
    wt_cli_out_free(&o);
}

/* One bad-input case: exit code, one line on stderr starting "whaletrack: ", no stdout. */
static void bad(int code, const char *const *args)
{
    wt_cli_out o;
    cr_assert_eq(wt_cli_run(&o, args, NULL, 30), 0);
    char cmd[256] = "";
    for (size_t i = 0; args[i]; i++) {
        strncat(cmd, args[i], sizeof cmd - strlen(cmd) - 2);
        strncat(cmd, " ", sizeof cmd - strlen(cmd) - 1);
    }
    cr_expect_eq(o.status, code, "%s: exit %d, want %d (%s)", cmd, o.status, code, o.err);
    cr_expect_eq(o.out_len, 0, "%s: nothing on stdout, got %s", cmd, o.out);
    cr_expect(strncmp(o.err, "whaletrack: ", 12) == 0, "%s: %s", cmd, o.err);
    char *nl = strchr(o.err, '\n');
    cr_expect(nl && nl[1] == '\0', "%s: one line, got %s", cmd, o.err);
    wt_cli_out_free(&o);
}
#define BAD(code, ...) bad(code, (const char *const[]){__VA_ARGS__, NULL})

Test(cli, bad_input_gets_one_line_and_its_exit_code_and_writes_nothing)
{
    fill_positions();
    char empty[600], other[600], out[600];
    snprintf(empty, sizeof empty, "%s/empty", dir);
    snprintf(out, sizeof out, "%s/never.csv", dir);
    cr_assert_eq(mkdir(empty, 0700), 0);
    snprintf(other, sizeof other, "%s/nothing-here", dir);
    const char *cmds[] = {"tail", "positions", "liqmap", "export"};
    for (size_t i = 0; i < 4; i++) {
        const char *f = i == 3 ? "--format" : "--data-dir", *v = i == 3 ? "csv" : data;
        BAD(2, cmds[i], "--no-such-flag", "--data-dir", data, f, v);
        BAD(3, cmds[i], f, v, "--data-dir", empty);
        BAD(3, cmds[i], f, v, "--data-dir", other);
        BAD(3, cmds[i], "--data-dir", data, "--chain-id", "10", f, v);
    }
    BAD(2, "tail", "-n", "ten", "--data-dir", data);
    BAD(2, "tail", "--kind", "repaid", "--data-dir", data);
    BAD(2, "tail", "--min-usd", "a lot", "--data-dir", data);
    BAD(2, "tail", "--entity", "Nobody", "--data-dir", data);
    BAD(2, "history", "0x28a55C4b4f9615FDE3CDAdDf6cc01FcF2E38A6B0", "--data-dir", data);
    BAD(2, "history", "Nobody", "--data-dir", data);
    BAD(2, "history", "--data-dir", data);
    BAD(2, "history", FX_FUND, "--from", "yesterday", "--data-dir", data);
    BAD(3, "history", FX_FUND, "--data-dir", empty);
    BAD(2, "positions", "--entity", "0x28a55c4b", "--data-dir", data);
    BAD(2, "positions", "--at", "noon", "--data-dir", data);
    BAD(2, "export", "--data-dir", data);
    BAD(2, "export", "--format", "xlsx", "--data-dir", data);
    BAD(2, "export", "--format", "csv", "--what", "trades", "--data-dir", data);
    BAD(2, "liqmap", "--band", "0", "--data-dir", data);
    BAD(2, "chart", "Trend Research", "--data-dir", data);
    BAD(2, "chart", "--svg", out, "--data-dir", data);
    BAD(3, "chart", FX_WHALE, "--svg", out, "--data-dir", empty);
    BAD(1, "chart", FX_FUND, "--svg", out, "--data-dir", data);
    BAD(2, "version", "--now");
    BAD(2, "deliver", "--bogus");
    BAD(2, "frobnicate");
    cr_expect_neq(access(out, F_OK), 0, "nothing written");
    BAD(1, "export", "--format", "csv", "--data-dir", data, "-o", "/nonexistent-dir/x.csv");
}

Test(cli, help_goes_to_stdout_with_exit_0_and_lists_the_exit_codes)
{
    const char *cmds[] = {"tail",  "positions", "history", "export", "liqmap",
                          "chart", "deliver",   "run",     "check",  "version"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        wt_cli_out o = run(cmds[i], "--help");
        cr_expect_eq(o.status, 0, "%s --help", cmds[i]);
        cr_expect(strstr(o.out, "usage: whaletrack") && strstr(o.out, "Exit codes:"),
                  "%s --help: %s", cmds[i], o.out);
        cr_expect_str_eq(o.err, "");
        wt_cli_out_free(&o);
    }
}
