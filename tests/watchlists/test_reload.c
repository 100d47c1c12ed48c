/* tests/watchlists/test_reload.c — reload keeps the last good set on a bad edit, swaps on
 * a good one and reports which watched addresses were added and removed; the inotify
 * watcher reports the edits a tracker must reload for, and only those. */
#include <stdio.h>

#include <criterion/criterion.h>

#include "rpc/addr.h"
#include "tests/watchlists/wl_testutil.h"

#define B14 "0x28C6c06298d514Db089934071355E5743bf21d60"
#define B15 "0x21a31Ee1afC51d94C2eFcCAa2092aD1028285549"
#define B16 "0xDFd5293D8e347dFe59E90eFd55b2956a1343963d"
#define B17 "0x56Eddb7aa87536c09CCc2793473599fD21A8b17F"

static rpc_addr A(const char *s)
{
    rpc_addr a;
    cr_assert_eq(rpc_addr_parse(&a, s, strlen(s)), RPC_OK);
    return a;
}

static bool has(const wl_diff_addr *v, size_t n, const char *addr, const char *entity)
{
    rpc_addr a = A(addr);
    for (size_t i = 0; i < n; i++)
        if (memcmp(&v[i].addr, &a, 20) == 0)
            return !entity || strcmp(v[i].entity, entity) == 0;
    return false;
}

Test(reload, first_load_from_nothing_adds_every_address)
{
    char *d = tdir_new();
    wl_set *cur = NULL;
    wl_diff diff;
    wl_errors errs = {0};
    twrite(d, "w.ini", "[entity \"A\"]\naddress = " B14 "\naddress = " B15 "\nsince = 42\n");
    const char *paths[] = {d};
    cr_assert_eq(wl_reload(&cur, &diff, &errs, paths, 1, NULL), WL_OK);
    cr_assert_not_null(cur);
    cr_assert_eq(diff.nadded, 2);
    cr_expect_eq(diff.nremoved, 0);
    cr_expect(has(diff.added, 2, B14, "A") && has(diff.added, 2, B15, "A"));
    cr_expect_eq(diff.added[0].since, 42);
    cr_expect(memcmp(&diff.added[0].addr, &diff.added[1].addr, 20) < 0, "sorted");
    wl_diff_free(&diff);
    wl_set_free(cur);
    tdir_free(d);
}

Test(reload, a_valid_edit_swaps_and_lists_added_and_removed)
{
    char *d = tdir_new();
    wl_set *cur = NULL;
    wl_diff diff;
    wl_errors errs = {0};
    const char *paths[] = {d};
    twrite(d, "w.ini", "[entity \"A\"]\naddress = " B14 "\naddress = " B15 "\n"
                       "[entity \"B\"]\naddress = " B16 "\n");
    cr_assert_eq(wl_load(&cur, &errs, paths, 1, NULL), WL_OK);
    const wl_set *before = cur;

    /* B15 leaves, B17 arrives in a new entity with since, B16 moves from B to A */
    twrite(d, "w.ini", "[entity \"A\"]\naddress = " B14 "\naddress = " B16 "\n"
                       "[entity \"C\"]\naddress = " B17 "\nsince = 21_000_000\n");
    cr_assert_eq(wl_reload(&cur, &diff, &errs, paths, 1, NULL), WL_OK);
    cr_expect_neq(cur, before, "swapped");
    cr_expect_eq(errs.n, 0);
    cr_assert_eq(diff.nadded, 1);
    cr_expect(has(diff.added, 1, B17, "C"));
    cr_expect_eq(diff.added[0].since, 21000000);
    cr_assert_eq(diff.nremoved, 1);
    cr_expect(has(diff.removed, 1, B15, "A"), "the entity name outlives the old set");
    rpc_addr b16 = A(B16), b15 = A(B15);
    cr_expect_str_eq(wl_entity_of(cur, &b16)->name, "A");
    cr_expect_null(wl_entity_of(cur, &b15));
    wl_diff_free(&diff);
    wl_set_free(cur);
    tdir_free(d);
}

Test(reload, an_invalid_edit_keeps_the_old_set_and_reports)
{
    char *d = tdir_new();
    wl_set *cur = NULL;
    wl_diff diff;
    wl_errors errs = {0};
    char want[600];
    const char *paths[] = {d};
    twrite(d, "w.ini", "[entity \"A\"]\naddress = " B14 "\n");
    cr_assert_eq(wl_load(&cur, &errs, paths, 1, NULL), WL_OK);
    const wl_set *before = cur;

    twrite(d, "w.ini", "[entity \"A\"]\naddress = " B14 "\naddress = " B15 "\nsince = soon\n");
    memset(&diff, 0xff, sizeof diff);
    cr_assert_eq(wl_reload(&cur, &diff, &errs, paths, 1, NULL), WL_EINVALID);
    cr_expect_eq(cur, before, "the running set stays");
    cr_expect_eq(diff.nadded, 0);
    cr_expect_eq(diff.nremoved, 0);
    cr_expect_null(diff.added);
    cr_assert_eq(errs.n, 1);
    snprintf(want, sizeof want, "%s/w.ini:4: since: 'soon' is not a whole number", d);
    cr_expect_str_eq(errs.v[0].text, want);
    size_t n;
    (void)wl_watched(cur, &n);
    cr_expect_eq(n, 1, "the old set still answers");
    rpc_addr b14 = A(B14);
    cr_expect_str_eq(wl_entity_of(cur, &b14)->name, "A");

    /* fixing the file then reloads normally */
    twrite(d, "w.ini", "[entity \"A\"]\naddress = " B14 "\naddress = " B15 "\n");
    cr_assert_eq(wl_reload(&cur, &diff, &errs, paths, 1, NULL), WL_OK);
    cr_expect_eq(errs.n, 0, "errors of the failed reload are cleared");
    cr_expect_eq(diff.nadded, 1);
    wl_diff_free(&diff);
    wl_set_free(cur);
    tdir_free(d);
}

Test(reload, diff_of_identical_sets_is_empty)
{
    char *d = tdir_new();
    wl_set *a = NULL, *b = NULL;
    wl_diff diff;
    wl_errors errs = {0};
    const char *paths[] = {d};
    twrite(d, "w.ini", "[entity \"A\"]\naddress = " B14 "\n[exchange \"X\"]\naddress = " B15 "\n");
    cr_assert_eq(wl_load(&a, &errs, paths, 1, NULL), WL_OK);
    cr_assert_eq(wl_load(&b, &errs, paths, 1, NULL), WL_OK);
    cr_assert_eq(wl_diff_compute(&diff, a, b), WL_OK);
    cr_expect_eq(diff.nadded, 0);
    cr_expect_eq(diff.nremoved, 0);
    wl_diff_free(&diff);
    wl_diff_free(&diff); /* freeing twice is harmless: free zeroes */
    wl_set_free(a);
    wl_set_free(b);
    tdir_free(d);
}

/* ---- the watcher ---- */

static bool changed(wl_watcher *w)
{
    bool c = false;
    cr_assert_eq(wl_watcher_poll(w, &c), WL_OK);
    return c;
}

Test(watcher, reports_ini_writes_renames_and_deletes_in_a_directory)
{
    char *d = tdir_new();
    char from[600], to[600];
    wl_watcher *w;
    twrite(d, "a.ini", "[rules]\n");
    const char *paths[] = {d};
    cr_assert_eq(wl_watcher_open(&w, paths, 1), WL_OK);
    cr_assert_geq(wl_watcher_fd(w), 0);
    cr_expect_not(changed(w), "nothing yet");

    twrite(d, "a.ini", "[rules]\nmin_usd = 5\n");
    cr_expect(changed(w), "write + close of an .ini");
    cr_expect_not(changed(w), "events are drained by a poll");

    twrite(d, "notes.txt", "x");
    twrite(d, ".a.ini.swp", "x");
    cr_expect_not(changed(w), "other and hidden files are ignored");

    /* an editor's save: write a temporary, rename it over the file */
    twrite(d, "tmp.part", "[rules]\n");
    snprintf(from, sizeof from, "%s/tmp.part", d);
    snprintf(to, sizeof to, "%s/b.ini", d);
    cr_assert_eq(rename(from, to), 0);
    cr_expect(changed(w), "moved in");

    cr_assert_eq(unlink(to), 0);
    cr_expect(changed(w), "deleted");
    wl_watcher_close(w);
    tdir_free(d);
}

Test(watcher, a_watched_file_reports_only_itself)
{
    char *d = tdir_new();
    char p[512];
    wl_watcher *w;
    twrite(d, "mine.ini", "[rules]\n");
    const char *paths[] = {tpath(p, sizeof p, d, "mine.ini")};
    cr_assert_eq(wl_watcher_open(&w, paths, 1), WL_OK);
    twrite(d, "other.ini", "[rules]\n");
    cr_expect_not(changed(w));
    twrite(d, "mine.ini", "[rules]\nmin_usd = 1\n");
    cr_expect(changed(w));
    wl_watcher_close(w);
    tdir_free(d);
}

Test(watcher, a_missing_directory_fails_cleanly)
{
    wl_watcher *w = (wl_watcher *)1;
    const char *paths[] = {"/nonexistent-wl-dir/x.ini"};
    cr_expect_eq(wl_watcher_open(&w, paths, 1), WL_EWATCH);
    cr_expect_null(w);
    wl_watcher_close(NULL);
}
