/* watchlists/load.c — turns the paths of a load (files, directories of *.ini) into file
 * texts for the parser, then finishes the set. Invariant: a load gives a complete set and
 * no errors, or no set and at least one error; the same file is never read twice. */
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "watchlists/wl_int.h"

struct seen_file {
    dev_t dev;
    ino_t ino;
};

struct load {
    wl_set *set;
    wl_errors *errs;
    const wl_load_opts *opts;
    struct seen_file *seen;
    size_t nseen, capseen;
    bool io; /* a path could not be read */
};

static int io_error(struct load *L, const char *path, const char *what, const char *why)
{
    L->io = true;
    if (wl_errors_add(L->errs, path, (unsigned)L->set->nfiles, 0, "%s%s", what, why))
        return WL_ENOMEM;
    return WL_OK;
}

static int load_file(struct load *L, const char *path)
{
    wl_set *s = L->set;
    struct stat st;
    char *buf = NULL;
    int rc = WL_OK;
    FILE *f = fopen(path, "rb");
    if (!f)
        return io_error(L, path, "cannot read: ", strerror(errno));
    if (fstat(fileno(f), &st) != 0) {
        rc = io_error(L, path, "cannot read: ", strerror(errno));
        goto out;
    }
    for (size_t i = 0; i < L->nseen; i++)
        if (L->seen[i].dev == st.st_dev && L->seen[i].ino == st.st_ino)
            goto out; /* named twice (a directory and one of its files): read once */
    if (wl_grow((void **)&L->seen, &L->capseen, L->nseen, sizeof *L->seen)) {
        rc = WL_ENOMEM;
        goto out;
    }
    L->seen[L->nseen++] = (struct seen_file){st.st_dev, st.st_ino};
    if (!S_ISREG(st.st_mode)) {
        rc = io_error(L, path, "not a regular file", "");
        goto out;
    }
    if (st.st_size > (off_t)WL_MAX_FILE_BYTES) {
        rc = io_error(L, path, "file larger than 16 MiB", "");
        goto out;
    }
    size_t cap = (size_t)st.st_size + 1, len = 0;
    buf = malloc(cap);
    if (!buf) {
        rc = WL_ENOMEM;
        goto out;
    }
    while (len < cap) { /* a file that grew while read is cut at its stat size + 1 */
        size_t got = fread(buf + len, 1, cap - len, f);
        if (got == 0)
            break;
        len += got;
    }
    if (ferror(f)) {
        rc = io_error(L, path, "cannot read: ", strerror(errno ? errno : EIO));
        goto out;
    }
    if (len > WL_MAX_FILE_BYTES) {
        rc = io_error(L, path, "file larger than 16 MiB", "");
        goto out;
    }
    if (wl_grow((void **)&s->files, &s->capfiles, s->nfiles, sizeof *s->files)) {
        rc = WL_ENOMEM;
        goto out;
    }
    const char *name = wl_arena_strndup(&s->arena, path, strlen(path));
    if (!name) {
        rc = WL_ENOMEM;
        goto out;
    }
    unsigned ix = (unsigned)s->nfiles;
    s->files[s->nfiles++] = name;
    rc = wl_parse_buffer(s, L->errs, name, ix, buf, len, L->opts);
out:
    free(buf);
    fclose(f);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_ini(const char *name)
{
    size_t n = strlen(name);
    return name[0] != '.' && n > 4 && strcmp(name + n - 4, ".ini") == 0;
}

static int load_dir(struct load *L, const char *dir)
{
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = WL_OK;
    DIR *d = opendir(dir);
    if (!d)
        return io_error(L, dir, "cannot read directory: ", strerror(errno));
    for (struct dirent *e; (e = readdir(d));) {
        if (!is_ini(e->d_name))
            continue;
        size_t dl = strlen(dir), nl = strlen(e->d_name);
        bool slash = dl && dir[dl - 1] == '/';
        char *p = malloc(dl + 1 + nl + 1);
        if (!p || wl_grow((void **)&names, &cap, n, sizeof *names)) {
            free(p);
            rc = WL_ENOMEM;
            goto out;
        }
        memcpy(p, dir, dl);
        if (!slash)
            p[dl++] = '/';
        memcpy(p + dl, e->d_name, nl + 1);
        names[n++] = p;
    }
    if (n == 0) {
        rc = io_error(L, dir, "no .ini files in this directory", "");
        goto out;
    }
    qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n && rc == WL_OK; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISDIR(st.st_mode))
            continue; /* a directory named like "x.ini" is not a watchlist */
        rc = load_file(L, names[i]);
    }
out:
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    closedir(d);
    return rc;
}

int wl_load(wl_set **out, wl_errors *errs, const char *const *paths, size_t npaths,
            const wl_load_opts *opts)
{
    struct load L = {.errs = errs, .opts = opts};
    int rc = WL_OK;

    assert(out && errs && (paths || npaths == 0));
    *out = NULL;
    wl_errors_free(errs);
    if (npaths == 0)
        return WL_EINVAL;
    L.set = wl_set_new();
    if (!L.set)
        return WL_ENOMEM;
    for (size_t i = 0; i < npaths && rc == WL_OK; i++) {
        struct stat st;
        if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode))
            rc = load_dir(&L, paths[i]);
        else
            rc = load_file(&L, paths[i]);
    }
    if (rc == WL_OK) /* even after errors: report every problem of the load at once */
        rc = wl_set_finish(L.set, errs);
    free(L.seen);
    wl_errors_sort(errs);
    if (rc == WL_OK && (errs->n || errs->dropped))
        rc = L.io ? WL_EIO : WL_EINVALID;
    if (rc) {
        wl_set_free(L.set);
        return rc;
    }
    *out = L.set;
    return WL_OK;
}

int wl_load_buffer(wl_set **out, wl_errors *errs, const char *name, const char *buf,
                   size_t len, const wl_load_opts *opts)
{
    *out = NULL;
    wl_errors_free(errs);
    wl_set *s = wl_set_new();
    if (!s)
        return WL_ENOMEM;
    int rc = WL_ENOMEM;
    const char *path = wl_arena_strndup(&s->arena, name, strlen(name));
    if (path && !wl_grow((void **)&s->files, &s->capfiles, 0, sizeof *s->files)) {
        s->files[s->nfiles++] = path;
        rc = wl_parse_buffer(s, errs, path, 0, buf, len, opts);
    }
    if (rc == WL_OK)
        rc = wl_set_finish(s, errs);
    wl_errors_sort(errs);
    if (rc == WL_OK && (errs->n || errs->dropped))
        rc = WL_EINVALID;
    if (rc) {
        wl_set_free(s);
        return rc;
    }
    *out = s;
    return WL_OK;
}
