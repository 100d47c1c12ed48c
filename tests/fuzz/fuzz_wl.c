/* tests/fuzz/fuzz_wl.c — libFuzzer over the watchlist parser and the ${VAR} expansion.
 * First byte even: the rest is one watchlist file; odd: the rest is one value to expand.
 * Checked beyond "no crash": every error is "path:line: msg" with a line inside the
 * file, no error ever prints a secret, a loaded set's indexes agree with its entities. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "watchlists/wl_int.h"

#define SECRET "Zq7SECRET"

static const char *fuzz_getenv(void *ctx, const char *name)
{
    (void)ctx;
    switch (name[0]) {
    case 'U':
        return "https://u:" SECRET "@rpc.example/";
    case 'A':
        return "0x9d8f3a91c2b7e6d54a3f2e1d0c9b8a7f6e5d4c3b"; /* never in any seed */
    case 'N':
        return "12" SECRET;
    case 'E':
        return "";
    default:
        return NULL;
    }
}

/* has_bytes: needle (NUL-terminated) occurs in buf[0..n). */
static bool has_bytes(const void *buf, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    const char *b = buf;
    for (size_t i = 0; k <= n && i <= n - k; i++)
        if (memcmp(b + i, needle, k) == 0)
            return true;
    return false;
}

static void check_set(const wl_set *set)
{
    size_t n;
    const rpc_addr *w = wl_watched(set, &n);
    for (size_t i = 0; i < n; i++) {
        if (i && memcmp(&w[i - 1], &w[i], 20) >= 0)
            abort(); /* watched must be strictly sorted */
        const wl_entity *e = wl_entity_of(set, &w[i]);
        if (!e || wl_exchange_of(set, &w[i]))
            abort(); /* one owner, and never also an exchange */
    }
    for (size_t i = 0; i < wl_entity_count(set); i++) {
        const wl_entity *e = wl_entity_at(set, i);
        if (e->naddrs == 0)
            abort();
        for (size_t k = 0; k < e->naddrs; k++)
            if (wl_entity_of(set, &e->addrs[k]) != e)
                abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const wl_load_opts opts = {.getenv = fuzz_getenv};
    if (size < 1 || size > 65536)
        return 0;
    /* the fuzzer learns SECRET from our own checks: text it typed may be echoed */
    bool typed = has_bytes(data, size, SECRET);
    if (data[0] & 1) {
        char in[4096], out[256], msg[512];
        bool secret;
        size_t n = size - 1 < sizeof in - 1 ? size - 1 : sizeof in - 1;
        memcpy(in, data + 1, n);
        in[n] = '\0';
        size_t cap = 1 + (data[0] >> 1) % sizeof out;
        if (wl_expand(out, cap, &secret, msg, sizeof msg, in, fuzz_getenv, NULL) == 0) {
            if (strlen(out) >= cap)
                abort();
        } else {
            if (out[0] != '\0' || secret || (!typed && strstr(msg, SECRET)))
                abort();
        }
        return 0;
    }
    wl_set *set = NULL;
    wl_errors errs = {0};
    int rc = wl_load_buffer(&set, &errs, "f.ini", (const char *)data + 1, size - 1, &opts);
    unsigned lines = 1;
    for (size_t i = 1; i < size; i++)
        lines += data[i] == '\n';
    if (rc == WL_OK) {
        if (!set || errs.n)
            abort();
        check_set(set);
    } else if (set || (rc == WL_EINVALID && errs.n == 0)) {
        abort();
    }
    for (size_t i = 0; i < errs.n; i++) {
        const wl_error *e = &errs.v[i];
        if (e->line > lines || strncmp(e->text, "f.ini:", 6) != 0 ||
            (!typed && strstr(e->text, SECRET)))
            abort();
        if (i && (e->line < errs.v[i - 1].line))
            abort(); /* in line order */
    }
    wl_errors_free(&errs);
    wl_set_free(set);
    return 0;
}
