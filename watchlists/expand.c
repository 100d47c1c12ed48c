/* watchlists/expand.c — ${NAME} in a value is replaced by the environment variable NAME;
 * "$$" stands for one "$"; any other "$" is kept. Invariant: the output is bounded by its
 * cap and never contains a variable's value when expansion fails (out is then ""). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "watchlists/wl_int.h"

#define MAX_VAR_NAME 64

static const char *process_getenv(void *ctx, const char *name)
{
    (void)ctx;
    return getenv(name);
}

static bool name_start(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool name_char(char c)
{
    return name_start(c) || (c >= '0' && c <= '9');
}

int wl_expand(char *out, size_t cap, bool *secret, char *msg, size_t msgcap, const char *in,
              wl_getenv_fn getenv_fn, void *getenv_ctx)
{
    size_t o = 0;
    const char *p = in;

    *secret = false;
    if (!getenv_fn)
        getenv_fn = process_getenv;
    if (cap == 0)
        return -1;
    while (*p) {
        const char *piece = p;
        size_t plen = 1;
        char name[MAX_VAR_NAME + 1];

        if (p[0] == '$' && p[1] == '$') {
            p += 2;
        } else if (p[0] == '$' && p[1] == '{') {
            const char *s = p + 2, *e = s;
            while (*e && *e != '}')
                e++;
            if (!*e) {
                snprintf(msg, msgcap, "unterminated '${' (write '$$' for a literal '$')");
                goto fail;
            }
            size_t n = (size_t)(e - s);
            bool ok = n > 0 && n <= MAX_VAR_NAME && name_start(s[0]);
            for (size_t i = 1; ok && i < n; i++)
                ok = name_char(s[i]);
            if (!ok) {
                snprintf(msg, msgcap, "bad variable name '${%.*s}': letters, digits and '_'",
                         (int)(n > MAX_VAR_NAME ? MAX_VAR_NAME : n), s);
                goto fail;
            }
            memcpy(name, s, n);
            name[n] = '\0';
            piece = getenv_fn(getenv_ctx, name);
            if (!piece) {
                snprintf(msg, msgcap, "undefined environment variable ${%s}", name);
                goto fail;
            }
            plen = strlen(piece);
            *secret = true;
            p = e + 1;
        } else {
            p++;
        }
        if (plen >= cap - o) {
            snprintf(msg, msgcap, "value longer than %zu bytes after expansion", cap - 1);
            goto fail;
        }
        memcpy(out + o, piece, plen);
        o += plen;
    }
    out[o] = '\0';
    return 0;
fail:
    memset(out, 0, o + 1); /* no partial secret left behind */
    *secret = false;
    return -1;
}
