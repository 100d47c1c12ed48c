/* watchlists/err.c — the module's error table and the list of errors a load collects.
 * Invariant: each kept error is one allocation holding path and "path:line: msg"; the
 * list keeps at most WL_MAX_ERRORS and counts the rest in dropped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "watchlists/wl_int.h"

const char *wl_strerror(int err)
{
    switch (err) {
#define WL_ERR_CASE_(name, code, text) \
    case (code):                       \
        return text;
        WL_ERRORS(WL_ERR_CASE_)
#undef WL_ERR_CASE_
    default:
        return "unknown error";
    }
}

void wl_errors_free(wl_errors *errs)
{
    if (!errs)
        return;
    for (size_t i = 0; i < errs->n; i++)
        free((void *)errs->v[i].path); /* path heads the error's one allocation */
    free(errs->v);
    memset(errs, 0, sizeof *errs);
}

int wl_errors_add(wl_errors *e, const char *path, unsigned file_ix, unsigned line,
                  const char *fmt, ...)
{
    char msg[1024];
    char where[32];
    va_list ap;
    size_t plen, wlen, mlen;
    char *block;

    if (e->n >= WL_MAX_ERRORS) {
        e->dropped++;
        return 0;
    }
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n < 0)
        msg[0] = '\0';
    if (line)
        snprintf(where, sizeof where, ":%u: ", line);
    else
        snprintf(where, sizeof where, ": ");
    plen = strlen(path);
    wlen = strlen(where);
    mlen = strlen(msg);
    if (wl_grow((void **)&e->v, &e->cap, e->n, sizeof *e->v))
        return -1;
    /* one block: path NUL text NUL, where text = path where msg */
    block = malloc(plen + 1 + plen + wlen + mlen + 1);
    if (!block)
        return -1;
    memcpy(block, path, plen + 1);
    char *text = block + plen + 1;
    memcpy(text, path, plen);
    memcpy(text + plen, where, wlen);
    memcpy(text + plen + wlen, msg, mlen + 1);
    e->v[e->n] = (wl_error){.path = block,
                            .line = line,
                            .msg = text + plen + wlen,
                            .text = text,
                            .file_ix = file_ix,
                            .seq = e->n};
    e->n++;
    return 0;
}

static int cmp_error(const void *pa, const void *pb)
{
    const wl_error *a = pa, *b = pb;
    if (a->file_ix != b->file_ix)
        return a->file_ix < b->file_ix ? -1 : 1;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void wl_errors_sort(wl_errors *e)
{
    if (e->n > 1)
        qsort(e->v, e->n, sizeof *e->v, cmp_error);
}
