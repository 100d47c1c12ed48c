/* tests/watchlists/wl_testutil.h — temp directories, files and a fake environment shared
 * by the watchlist tests (a header: the test glob builds every test_*.c on its own). */
#ifndef WT_TESTS_WL_TESTUTIL_H
#define WT_TESTS_WL_TESTUTIL_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "watchlists/wl.h"

/* A fake environment: the tests never depend on the real one. */
#define SECRET_URL "https://user:Zq7SECRETkey@rpc.example.org/v2/Zq7SECRET"
static inline const char *fake_getenv(void *ctx, const char *name)
{
    (void)ctx;
    if (strcmp(name, "ETH_RPC_URL") == 0)
        return SECRET_URL;
    if (strcmp(name, "BAD_URL") == 0)
        return "ftp://Zq7SECRET";
    if (strcmp(name, "WHALE") == 0)
        return "0x28a55C4b4f9615FDE3CDAdDf6cc01FcF2E38A6b0";
    if (strcmp(name, "EMPTY") == 0)
        return "";
    if (strcmp(name, "BLOCK") == 0)
        return "12x";
    return NULL;
}
static const wl_load_opts fake_env = {.getenv = fake_getenv};

/* tdir_new: a fresh directory under /tmp; caller frees with tdir_free. */
static inline char *tdir_new(void)
{
    char *d = strdup("/tmp/wltest.XXXXXX");
    cr_assert(d && mkdtemp(d), "mkdtemp");
    return d;
}

static inline void tdir_free(char *d)
{
    DIR *dir = opendir(d);
    if (dir) {
        for (struct dirent *e; (e = readdir(dir));) {
            char p[512];
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(p, sizeof p, "%s/%s", d, e->d_name);
            if (unlink(p) != 0)
                rmdir(p);
        }
        closedir(dir);
    }
    rmdir(d);
    free(d);
}

/* tpath: dir/name into a static-per-call buffer the caller provides. */
static inline const char *tpath(char *buf, size_t cap, const char *dir, const char *name)
{
    snprintf(buf, cap, "%s/%s", dir, name);
    return buf;
}

static inline void twrite(const char *dir, const char *name, const char *text)
{
    char p[512];
    FILE *f = fopen(tpath(p, sizeof p, dir, name), "wb");
    cr_assert(f, "open %s", p);
    cr_assert(fwrite(text, 1, strlen(text), f) == strlen(text));
    cr_assert(fclose(f) == 0);
}

/* tload_text: write text as dir/w.ini and load that one file with the fake env. */
static inline int tload_text(wl_set **set, wl_errors *errs, const char *dir, const char *text)
{
    char p[512];
    twrite(dir, "w.ini", text);
    const char *paths[] = {tpath(p, sizeof p, dir, "w.ini")};
    return wl_load(set, errs, paths, 1, &fake_env);
}

/* Lowercase 0x + 40 hex digits of n, for generated addresses. */
static inline void taddr_hex(char out[43], unsigned long n)
{
    snprintf(out, 43, "0x%040lx", n);
}

#endif
