/* tracker/cmdutil.c — helpers of the store-reading commands. Invariant: every failure is
 * one line on stderr starting "whaletrack: ", and nothing is written to stdout or disk. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rpc/addr.h"
#include "rpc/u256.h"
#include "tracker/cmdutil.h"

int trk_data_dir_default(char *out, size_t cap)
{
    const char *d = getenv("WHALETRACK_DATA_DIR"), *x = getenv("XDG_DATA_HOME");
    const char *h = getenv("HOME");
    int n;
    out[0] = '\0';
    if (d && *d)
        n = snprintf(out, cap, "%s", d);
    else if (x && *x)
        n = snprintf(out, cap, "%s/whaletrack", x);
    else if (h && *h)
        n = snprintf(out, cap, "%s/.local/share/whaletrack", h);
    else
        return TRK_EINVAL;
    if (n < 0 || (size_t)n >= cap) {
        out[0] = '\0';
        return TRK_ETOO_LARGE;
    }
    return TRK_OK;
}

int trk_usage(const char *cmd, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "whaletrack: %s (see whaletrack %s --help)\n", msg, cmd);
    return TRK_EXIT_USAGE;
}

int trk_open_reader(store **s, const char *dir, uint64_t chain_id)
{
    char def[1024], why[1024];
    *s = NULL;
    if (!dir) {
        if (trk_data_dir_default(def, sizeof def)) {
            fprintf(stderr, "whaletrack: no data directory: give --data-dir DIR\n");
            return TRK_EXIT_NOSTORE;
        }
        dir = def;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr,
                "whaletrack: %s: no such data directory (give --data-dir, or start "
                "`whaletrack run` first)\n",
                dir);
        return TRK_EXIT_NOSTORE;
    }
    store_opts o = {0};
    o.readonly = 1;
    int rc = store_open(s, why, sizeof why, dir, &o);
    if (rc) {
        fprintf(stderr, "whaletrack: %s\n", why);
        return rc == STORE_ENOTFOUND || rc == STORE_EFOREIGN ? TRK_EXIT_NOSTORE : TRK_EXIT_FAIL;
    }
    store_info info;
    if ((rc = store_info_get(*s, &info))) {
        fprintf(stderr, "whaletrack: %s: %s\n", dir, store_strerror(rc));
        goto fail;
    }
    if (chain_id && info.chain_id != chain_id) {
        fprintf(stderr,
                "whaletrack: %s: holds chain %llu, not chain %llu; use the data dir "
                "of chain %llu\n",
                dir, (unsigned long long)info.chain_id, (unsigned long long)chain_id,
                (unsigned long long)chain_id);
        store_close(*s);
        *s = NULL;
        return TRK_EXIT_NOSTORE;
    }
    return TRK_EXIT_OK;
fail:
    store_close(*s);
    *s = NULL;
    return TRK_EXIT_FAIL;
}

int trk_load_optional(wl_set **set, const char *const *paths, size_t npaths)
{
    static const char *const def[] = {"watchlists"};
    struct stat st;
    *set = NULL;
    if (!npaths) {
        if (stat(def[0], &st) != 0)
            return TRK_EXIT_OK;
        paths = def;
        npaths = 1;
    }
    wl_errors errs = {0};
    int rc = wl_load(set, &errs, paths, npaths, NULL);
    if (rc == WL_OK)
        return TRK_EXIT_OK;
    for (size_t i = 0; i < errs.n; i++)
        fprintf(stderr, "%s\n", errs.v[i].text);
    fprintf(stderr, "whaletrack: %s\n", wl_strerror(rc));
    wl_errors_free(&errs);
    return TRK_EXIT_FAIL;
}

int trk_parse_u64(uint64_t *v, const char *s)
{
    char *end;
    *v = 0;
    if (!s[0] || s[0] < '0' || s[0] > '9')
        return -1;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *v = x;
    return 0;
}

int trk_parse_usd(rpc_u256 *v, const char *s)
{
    char buf[100];
    size_t n = 0;
    memset(v, 0, sizeof *v);
    if (*s == '$')
        s++;
    for (; *s; s++) {
        if (*s == ',' || *s == '_')
            continue;
        if (n + 1 >= sizeof buf)
            return -1;
        buf[n++] = *s;
    }
    if (rpc_u256_parse_units(v, buf, n, WL_USD_DECIMALS) != RPC_OK) {
        memset(v, 0, sizeof *v);
        return -1;
    }
    return 0;
}

static int digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int trk_parse_time(uint64_t *t, const char *s)
{
    *t = 0;
    if (s[0] == '@')
        return trk_parse_u64(t, s + 1);
    size_t n = strlen(s);
    int y, mo, d, h = 0, mi = 0, se = 0;
    if ((n != 10 && n != 19) || s[4] != '-' || s[7] != '-' || digits(s, 4, &y) ||
        digits(s + 5, 2, &mo) || digits(s + 8, 2, &d))
        return -1;
    if (n == 19 && ((s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':' ||
                    digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) || digits(s + 17, 2, &se)))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60 || y < 1970)
        return -1;
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = se};
    time_t x = timegm(&tm);
    if (x < 0)
        return -1;
    *t = (uint64_t)x;
    return 0;
}

unsigned trk_parse_kind(const char *s)
{
    for (unsigned k = 1; k < 64; k++) {
        const char *n = store_kind_name(k);
        if (n && strcmp(n, s) == 0)
            return k;
    }
    return 0;
}

bool trk_color(FILE *f)
{
    const char *nc = getenv("NO_COLOR");
    return isatty(fileno(f)) && !(nc && *nc);
}

int trk_resolve(const wl_entity **e, rpc_addr *addr, const wl_set *set, const char *name)
{
    *e = NULL;
    memset(addr, 0, sizeof *addr);
    for (size_t i = 0; set && i < wl_entity_count(set); i++) {
        const wl_entity *x = wl_entity_at(set, i);
        if (strcmp(x->name, name) == 0) {
            *e = x;
            return 0;
        }
    }
    if (rpc_addr_parse(addr, name, strlen(name)) == RPC_OK)
        return 0;
    return -1;
}

struct collect {
    trk_keys *ks;
    bool lending;
};

static int add_key(void *ctx, const store_pos_key *k, const store_position *p)
{
    (void)p;
    struct collect *c = ctx;
    trk_keys *ks = c->ks;
    if (c->lending && k->protocol == 0)
        return 0;
    if (ks->n == ks->cap) {
        size_t cap = ks->cap ? 2 * ks->cap : 64;
        store_pos_key *g = realloc(ks->v, cap * sizeof *g);
        if (!g)
            return -1;
        ks->v = g;
        ks->cap = cap;
    }
    ks->v[ks->n++] = *k;
    return 0;
}

int trk_keys_collect(trk_keys *ks, store *s, const rpc_addr *only, size_t nonly, bool lending)
{
    struct collect c = {ks, lending};
    if (nonly == 0)
        return store_snapshot_latest(s, NULL, add_key, &c);
    int rc = 0;
    for (size_t i = 0; !rc && i < nonly; i++)
        rc = store_snapshot_latest(s, &only[i], add_key, &c);
    return rc;
}

int trk_outfile_open(trk_outfile *o, const char *path)
{
    memset(o, 0, sizeof *o);
    o->path = path;
    int n = snprintf(o->tmp, sizeof o->tmp, "%s.partial", path);
    if (n < 0 || (size_t)n >= sizeof o->tmp || !(o->f = fopen(o->tmp, "wx"))) {
        fprintf(stderr, "whaletrack: cannot create %s.partial: %s\n", path,
                n > 0 && (size_t)n < sizeof o->tmp ? strerror(errno) : "path too long");
        o->tmp[0] = '\0';
        return -1;
    }
    return 0;
}

int trk_outfile_commit(trk_outfile *o)
{
    int bad = fflush(o->f) != 0 || ferror(o->f) || fsync(fileno(o->f)) != 0;
    bad |= fclose(o->f) != 0;
    o->f = NULL;
    if (bad || rename(o->tmp, o->path)) {
        fprintf(stderr, "whaletrack: cannot write %s\n", o->path);
        unlink(o->tmp);
        o->tmp[0] = '\0';
        return -1;
    }
    o->tmp[0] = '\0';
    return 0;
}

void trk_outfile_abort(trk_outfile *o)
{
    if (o->f)
        fclose(o->f);
    o->f = NULL;
    if (o->tmp[0])
        unlink(o->tmp);
    o->tmp[0] = '\0';
}
