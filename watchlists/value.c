/* watchlists/value.c — the typed values of a watchlist line: addresses (EIP-55 checked),
 * whole numbers and exact fixed-point decimals, and "did you mean" suggestions.
 * Invariant: a failed parse zeroes its output and writes one message that quotes only
 * the printable form of the value (its file text when it came from the environment). */
#include <stdio.h>
#include <string.h>

#include "rpc/addr.h"
#include "rpc/u256.h"
#include "watchlists/wl_int.h"

int wl_parse_addr(rpc_addr *a, char *msg, size_t msgcap, const char *s, const char *shown)
{
    int rc = rpc_addr_parse(a, s, strlen(s));
    if (rc == RPC_OK)
        return 0;
    memset(a, 0, sizeof *a);
    if (rc == RPC_ECHECKSUM)
        snprintf(msg, msgcap,
                 "address %s fails its EIP-55 checksum (mistyped? copy it again, or write it "
                 "in lowercase to skip the check)",
                 shown);
    else
        snprintf(msg, msgcap, "malformed address '%s': expected 0x and 40 hex digits", shown);
    return -1;
}

/* clean_number: copy s without its '_' separators into out. Grammar: digits, '_' only
 * between two digits, then (when frac) an optional '.' followed by digits. */
static int clean_number(char *out, size_t cap, const char *s, bool frac)
{
    size_t o = 0;
    bool dot = false, prev_digit = false;
    for (const char *p = s; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            prev_digit = true;
        } else if (*p == '_' && prev_digit && p[1] >= '0' && p[1] <= '9') {
            continue;
        } else if (*p == '.' && frac && !dot && prev_digit && p[1] >= '0' && p[1] <= '9') {
            dot = true;
            prev_digit = false;
        } else {
            return -1;
        }
        if (o + 1 >= cap)
            return -2;
        out[o++] = *p;
    }
    if (o == 0)
        return -1;
    out[o] = '\0';
    return 0;
}

int wl_parse_u64(uint64_t *v, char *msg, size_t msgcap, const char *key, const char *s,
                 const char *shown, uint64_t min, uint64_t max)
{
    char buf[96];
    rpc_u256 u;
    *v = 0;
    int c = clean_number(buf, sizeof buf, s, false);
    if (c == -1) {
        snprintf(msg, msgcap, "%s: '%s' is not a whole number", key, shown);
        return -1;
    }
    if (c == -2 || rpc_u256_parse_dec(&u, buf, strlen(buf)) != RPC_OK ||
        !rpc_u256_fits_u64(&u) || u.w[0] < min || u.w[0] > max) {
        snprintf(msg, msgcap, "%s: %s is out of range (%llu to %llu)", key, shown,
                 (unsigned long long)min, (unsigned long long)max);
        return -1;
    }
    *v = u.w[0];
    return 0;
}

int wl_parse_fixed(rpc_u256 *v, char *msg, size_t msgcap, const char *key, const char *s,
                   const char *shown, unsigned decimals)
{
    char buf[160];
    memset(v, 0, sizeof *v);
    int c = clean_number(buf, sizeof buf, s, true);
    if (c == -1) {
        snprintf(msg, msgcap, "%s: '%s' is not a number (digits, '_' separators, one '.')",
                 key, shown);
        return -1;
    }
    int rc = c == -2 ? RPC_EOVERFLOW : rpc_u256_parse_units(v, buf, strlen(buf), decimals);
    if (rc == RPC_OK)
        return 0;
    memset(v, 0, sizeof *v);
    if (rc == RPC_EDECIMAL)
        snprintf(msg, msgcap, "%s: '%s' has more than %u decimal places", key, shown,
                 decimals);
    else
        snprintf(msg, msgcap, "%s: '%s' is too large", key, shown);
    return -1;
}

/* Optimal string alignment distance (insert, delete, substitute, swap neighbours). */
size_t wl_edit_distance(const char *a, const char *b)
{
    enum { MAXW = 64 };
    size_t n = strlen(a), m = strlen(b);
    size_t d[MAXW + 1][MAXW + 1];
    if (n > MAXW || m > MAXW)
        return (size_t)-1;
    for (size_t i = 0; i <= n; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            size_t best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best)
                best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[n][m];
}

const char *wl_suggest(const char *word, const char *const *cands, size_t n)
{
    const char *best = NULL;
    size_t bestd = (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        size_t d = wl_edit_distance(word, cands[i]);
        if (d < bestd) {
            bestd = d;
            best = cands[i];
        }
    }
    /* close enough: at most 2 edits, and fewer than half the candidate's letters */
    if (best && bestd <= 2 && bestd * 2 < strlen(best))
        return best;
    return NULL;
}
