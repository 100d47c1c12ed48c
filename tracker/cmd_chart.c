/* tracker/cmd_chart.c — `whaletrack chart ENTITY --svg FILE`: the entity's health factor
 * and liquidation line over time, each lending account a line, with its moves marked as
 * coloured rules (repays and supplies green, borrows, withdrawals and liquidations red), so
 * a deleveraging day stands out. Invariant: read-only on the store; FILE appears complete
 * or not at all. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rpc/u256.h"
#include "tracker/cmds.h"
#include "tracker/cmdutil.h"
#include "tracker/format.h"
#include "tracker/svg.h"

static const char help_text[] =
    "usage: whaletrack chart ENTITY|ADDRESS --svg FILE [--data-dir DIR] [--watchlists PATH]\n"
    "\n"
    "Draws the entity's health factor (top) and liquidation ETH price (bottom) from every\n"
    "snapshot of its lending accounts, with its moves marked where they happened.\n"
    "\n"
    "Exit codes:\n"
    "  0  the chart was written\n"
    "  1  the store could not be read, FILE could not be written, or the entity has no\n"
    "     lending history yet\n"
    "  2  usage error (no --svg, unknown entity or bad address)\n"
    "  3  no store in the data dir, or a store of another chain\n";

struct pt {
    double t, hf, liq;
    unsigned line; /* which account */
};

struct mark {
    double t;
    unsigned kind;
    bool retracted;
    char text[200];
};

struct data {
    struct pt *p;
    size_t np, capp;
    struct mark *m;
    size_t nm, capm;
    unsigned line;
};

static int grow(void **v, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return 0;
    size_t c = *cap ? 2 * *cap : 64;
    void *g = realloc(*v, c * elem);
    if (!g)
        return -1;
    *v = g;
    *cap = c;
    return 0;
}

static int add_pt(void *ctx, const store_pos_key *k, const store_position *p)
{
    (void)k;
    struct data *d = ctx;
    if (rpc_u256_is_zero(&p->hf) && rpc_u256_is_zero(&p->liq_price))
        return 0;
    if (grow((void **)&d->p, &d->capp, d->np, sizeof *d->p))
        return -1;
    d->p[d->np++] = (struct pt){(double)p->block_time, rpc_u256_to_double(&p->hf) / 1e18,
                                rpc_u256_to_double(&p->liq_price) / 1e8, d->line};
    return 0;
}

static int add_mark(void *ctx, const store_move *m)
{
    struct data *d = ctx;
    if (m->kind == STORE_KIND_RETRACTED)
        return 0;
    if (grow((void **)&d->m, &d->capm, d->nm, sizeof *d->m))
        return -1;
    struct mark *k = &d->m[d->nm++];
    k->t = (double)m->block_time;
    k->kind = m->kind;
    k->retracted = (m->flags & STORE_MOVE_RETRACTED) != 0;
    trk_move_text(k->text, sizeof k->text, m, NULL, 0);
    char *nl = strchr(k->text, '\n');
    if (nl)
        *nl = ' ';
    return 0;
}

static const char *mark_colour(unsigned kind)
{
    switch (kind) {
    case STORE_KIND_REPAY:
    case STORE_KIND_SUPPLY:
        return "#2e7d32";
    case STORE_KIND_BORROW:
    case STORE_KIND_WITHDRAW:
    case STORE_KIND_LIQUIDATED:
    case STORE_KIND_EXCHANGE_DEPOSIT:
        return "#c62828";
    default:
        return "#9e9e9e";
    }
}

/* One panel: lines of (t, v) per account, y from 0 to vmax. */
static void panel(FILE *f, const struct data *d, bool hf, double top, double height, double t0,
                  double t1, double vmax, const char *title)
{
    const double left = 80, width = 860;
    trk_svg_text(f, left, top - 8, "start", 13, "#111", title);
    fprintf(f,
            "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" "
            "stroke=\"#ccc\"/>\n",
            left, top, width, height);
    for (int i = 0; i <= 4; i++) {
        double v = vmax * i / 4, y = top + height - height * i / 4;
        char lab[32];
        snprintf(lab, sizeof lab, hf ? "%.2f" : "$%.0f", v);
        trk_svg_text(f, left - 6, y + 4, "end", 10, "#555", lab);
    }
    if (hf && vmax >= 1) {
        double y = top + height - height / vmax;
        fprintf(f,
                "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#c62828\" "
                "stroke-dasharray=\"6 4\"/>\n",
                left, left + width, y, y);
        trk_svg_text(f, left + width - 4, y - 4, "end", 10, "#c62828", "liquidation (HF 1)");
    }
    for (unsigned line = 0; line < d->line; line++) {
        fputs("<polyline fill=\"none\" stroke=\"#1565c0\" stroke-width=\"2\" points=\"", f);
        for (size_t i = 0; i < d->np; i++) {
            const struct pt *p = &d->p[i];
            double v = hf ? p->hf : p->liq;
            if (p->line != line || v <= 0)
                continue;
            double x = left + (t1 > t0 ? width * (p->t - t0) / (t1 - t0) : width / 2);
            double y = top + height - height * (v > vmax ? vmax : v) / vmax;
            fprintf(f, "%.1f,%.1f ", x, y);
        }
        fputs("\"/>\n", f);
    }
    for (size_t i = 0; i < d->nm; i++) {
        double x = left + (t1 > t0 ? width * (d->m[i].t - t0) / (t1 - t0) : width / 2);
        fprintf(f,
                "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"%s\" "
                "stroke-width=\"2\" opacity=\"%s\"><title>",
                x, x, top, top + height, mark_colour(d->m[i].kind),
                d->m[i].retracted ? "0.25" : "0.7");
        for (const char *s = d->m[i].text; *s; s++) /* the title is text: escape it */
            if (*s == '<')
                fputs("&lt;", f);
            else if (*s == '&')
                fputs("&amp;", f);
            else
                fputc(*s, f);
        fputs("</title></line>\n", f);
    }
}

static int write_chart(const struct data *d, const char *who, const char *path)
{
    double t0 = 0, t1 = 0, hmax = 2, lmax = 0;
    for (size_t i = 0; i < d->np; i++) {
        const struct pt *p = &d->p[i];
        t0 = i == 0 || p->t < t0 ? p->t : t0;
        t1 = i == 0 || p->t > t1 ? p->t : t1;
        hmax = p->hf > hmax ? p->hf : hmax;
        lmax = p->liq > lmax ? p->liq : lmax;
    }
    hmax = hmax > 10 ? 10 : hmax; /* a nearly debt-free account would flatten the rest */
    lmax = lmax > 0 ? lmax * 1.15 : 1;
    char title[200], a[32], b[32];
    trk_outfile of;
    if (trk_outfile_open(&of, path))
        return -1;
    FILE *f = of.f;
    snprintf(title, sizeof title, "%s: health factor and liquidation line", who);
    trk_svg_open(f, 1000, 560, title);
    trk_svg_text(f, 80, 28, "start", 16, "#111", title);
    panel(f, d, true, 60, 200, t0, t1, hmax, "Health factor");
    panel(f, d, false, 310, 200, t0, t1, lmax, "Liquidation ETH price (USD)");
    time_t ta = (time_t)t0, tb = (time_t)t1;
    struct tm tm;
    strftime(a, sizeof a, "%Y-%m-%d %H:%M", gmtime_r(&ta, &tm));
    strftime(b, sizeof b, "%Y-%m-%d %H:%M", gmtime_r(&tb, &tm));
    trk_svg_text(f, 80, 530, "start", 11, "#555", a);
    trk_svg_text(f, 940, 530, "end", 11, "#555", b);
    (void)trk_svg_close(f); /* an error shows in the commit */
    return trk_outfile_commit(&of);
}

int trk_cmd_chart(int argc, char **argv)
{
    static const struct option lo[] = {
        {"help", no_argument, NULL, 'h'},           {"svg", required_argument, NULL, 's'},
        {"data-dir", required_argument, NULL, 'd'}, {"watchlists", required_argument, NULL, 'w'},
        {"chain-id", required_argument, NULL, 'c'}, {NULL, 0, NULL, 0},
    };
    const char *dir = NULL, *wl_path = NULL, *svg = NULL;
    uint64_t chain = 0;
    int c;
    optind = 0; /* glibc: a full restart, so options may follow the ENTITY (permuted) */
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help_text, stdout);
            return TRK_EXIT_OK;
        case 's':
            svg = optarg;
            break;
        case 'd':
            dir = optarg;
            break;
        case 'w':
            wl_path = optarg;
            break;
        case 'c':
            if (trk_parse_u64(&chain, optarg) || chain == 0)
                return trk_usage("chart", "--chain-id wants a chain number, not '%s'", optarg);
            break;
        default:
            return trk_usage("chart", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return trk_usage("chart", optind < argc ? "one ENTITY or ADDRESS, not more"
                                                : "which ENTITY or ADDRESS?");
    if (!svg)
        return trk_usage("chart", "--svg FILE is required");
    const char *who = argv[optind];
    wl_set *set = NULL;
    store *s = NULL;
    struct data d;
    memset(&d, 0, sizeof d);
    trk_keys keys = {0};
    const wl_entity *e = NULL;
    rpc_addr one;
    int ex = trk_load_optional(&set, wl_path ? &wl_path : NULL, wl_path ? 1 : 0);
    if (ex)
        return ex;
    if (trk_resolve(&e, &one, set, who)) {
        ex = trk_usage(
            "chart",
            who[0] == '0' && who[1] == 'x' ? "'%s' is not an address" : "unknown entity '%s'", who);
        goto done;
    }
    if ((ex = trk_open_reader(&s, dir, chain)))
        goto done;
    ex = TRK_EXIT_FAIL;
    int rc = trk_keys_collect(&keys, s, e ? e->addrs : &one, e ? e->naddrs : 1, true);
    for (size_t i = 0; !rc && i < keys.n; i++, d.line++)
        rc = store_snapshot_history(s, &keys.v[i], 0, 0, add_pt, &d);
    store_range all = {0};
    if (!rc)
        rc = e ? store_moves_by_entity(s, e->name, &all, add_mark, &d)
               : store_moves_by_address(s, &one, &all, add_mark, &d);
    if (rc) {
        fprintf(stderr, "whaletrack: cannot read the store: %s\n",
                rc == -1 ? "out of memory" : store_strerror(rc));
        goto done;
    }
    if (d.np == 0) {
        fprintf(stderr, "whaletrack: %s has no lending history in the store yet\n", who);
        goto done;
    }
    if (write_chart(&d, e ? e->name : who, svg))
        goto done;
    ex = TRK_EXIT_OK;
done:
    free(d.p);
    free(d.m);
    free(keys.v);
    store_close(s);
    wl_set_free(set);
    return ex;
}
