/* tests/e2e/test_cli.c — the store-reading commands as real processes on a store filled
 * through store batches: tail (and tail -f beside a writer), export's golden CSV and
 * JSONL, RFC 4180 quoting, and every command's bad input with its exit code. */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/e2e/cli_fixture.h"
#include "tests/support/cli.h"

static char *dir, *data, *wl;

/* The watchlist of the fixture: Trend Research and Binance (a watchlist name cannot hold
 * a quote; the store's can, which is what the CSV quoting needs). */
static const char wl_text[] =
    "[entity \"Trend Research\"]\naddress = " FX_WHALE "\n"
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

TestSuite(cli, .init = setup, .fini = teardown, .timeout = 60);

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
    "retracted_kind,retracted\r\n"
    "1,repay,Trend Research,0x28a55C4b4f9615FDE3CDAdDf6cc01FcF2E38A6b0,21734012,"
    "0xbb000000000000000000000000000000000000000000000000000000014ba27c,1769850863,"
    "0xbb500000000000000000000000000000000000000000000000000000014ba27c,0,1,"
    "0xdAC17F958D2ee523a2206206994597C13D831ec7,0x0000000000000000000000000000000000000000,"
    "30000000000000,6,3000000000000000,1410000000000000000,1460000000000000000,188000000000,"
    "183000000000,,,0\r\n"
    "3,transfer_in,\"Fund \"\"A\"\", Ltd\",0x1111111111111111111111111111111111111111,21734012,"
    "0xbb000000000000000000000000000000000000000000000000000000014ba27c,1769850863,"
    "0xbb520000000000000000000000000000000000000000000000000000014ba27c,2,0,"
    "0x0000000000000000000000000000000000000000,0x0000000000000000000000000000000000000000,"
    "5000000000000000000,18,1500000000000,,,,,,,0\r\n";

Test(cli, export_csv_matches_the_golden_file_with_rfc4180_quoting)
{
    fill();
    char out[600];
    snprintf(out, sizeof out, "%s/moves.csv", dir);
    const char *args[] = {"export", "--format", "csv", "--to", "21734012", "--kind",
                          "repay", "--data-dir", data, "-o", out, NULL};
    wt_cli_out o;
    cr_assert_eq(wt_cli_run(&o, args, NULL, 30), 0);
    cr_assert_eq(o.status, 0, "%s", o.err);
    wt_cli_out_free(&o);
    const char *args2[] = {"export", "--format", "csv", "--to", "21734012", "--data-dir",
                           data, "-o", out, NULL};
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
