/* tracker/cmd_liqmap.c — `whaletrack liqmap`: the collateral of every watched lending
 * account grouped by the ETH price band its liquidation line falls in, as a text histogram
 * and optionally an SVG chart. Invariant: sums are exact u256 USD (8 decimals); doubles
 * only size the bars. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/u256.h"
#include "tracker/cmds.h"
#include "tracker/cmdutil.h"
#include "tracker/svg.h"

static const char help_text[] =
    "usage: whaletrack liqmap [--band USD] [--svg FILE] [--data-dir DIR] [--watchlists PATH]\n"
    "\n"
    "Collateral at risk by ETH price: every watched lending account with debt is placed\n"
    "in the band of its liquidation line (the ETH price at which its health factor\n"
    "reaches 1, other prices held), and each band shows the collateral (USD, at the\n"
    "latest snapshot's oracle prices) that would be liquidated there, and whose it is.\n"
    "\n"
    "  --band USD     band width (default 100)\n"
    "  --svg FILE     also write the histogram as an SVG chart\n"
    "\n"
    "Exit codes:\n"
    "  0  success (also with nothing at risk)\n"
    "  1  the store could not be read, or FILE could not be written\n"
    "  2  usage error\n"
    "  3  no store in the data dir, or a store of another chain\n";

struct band {
    uint64_t ix; /* floor(liq_price / band) */
    rpc_u256 usd;
    char who[96]; /* entity names, comma-separated, truncated */
};

struct map {
    rpc_u256 width;
    struct band *v;
    size_t n, cap;
    const wl_set *set;
    rpc_u256 eth_price; /* the newest account snapshot's ETH price */
    uint64_t eth_block;
    int err;
};

static int add(void *ctx, const store_pos_key *k, const store_position *p)
{
    struct map *m = ctx;
    if (k->protocol == 0 || rpc_u256_is_zero(&p->liq_price) || rpc_u256_is_zero(&p->debt_usd))
        return 0;
    if (p->block >= m->eth_block && !rpc_u256_is_zero(&p->price) && p->decimals == 8)
        m->eth_price = p->price, m->eth_block = p->block;
    rpc_u256 q;
    if (rpc_u256_divmod(&q, NULL, &p->liq_price, &m->width) || !rpc_u256_fits_u64(&q))
        return 0;
    size_t i = 0;
    while (i < m->n && m->v[i].ix != q.w[0])
        i++;
    if (i == m->n) {
        if (m->n == m->cap) {
            size_t cap = m->cap ? 2 * m->cap : 16;
            struct band *g = realloc(m->v, cap * sizeof *g);
            if (!g)
                return -1;
            m->v = g;
            m->cap = cap;
        }
        memset(&m->v[m->n], 0, sizeof m->v[0]);
        m->v[m->n++].ix = q.w[0];
    }
    struct band *b = &m->v[i];
    rpc_u256 sum;
    if (rpc_u256_add(&sum, &b->usd, &p->collateral_usd) == RPC_OK)
        b->usd = sum;
    const wl_entity *e = m->set ? wl_entity_of(m->set, &k->address) : NULL;
    char name[64];
    if (e)
        snprintf(name, sizeof name, "%s", e->name);
    else {
        snprintf(name, sizeof name, "0x%02x%02x…", k->address.b[0], k->address.b[1]);
    }
    if (!strstr(b->who, name)) {
        size_t used = strlen(b->who);
        snprintf(b->who + used, sizeof b->who - used, "%s%s", used ? ", " : "", name);
    }
    return 0;
}

static int by_price_desc(const void *a, const void *b)
{
    const struct band *x = a, *y = b;
    return x->ix < y->ix ? 1 : x->ix > y->ix ? -1 : 0;
}

static void band_label(char *out, size_t cap, const struct map *m, uint64_t ix)
{
    rpc_u256 lo, hi, i = rpc_u256_from_u64(ix), i1 = rpc_u256_from_u64(ix + 1);
    char a[64], b[64];
    if (rpc_u256_mul(&lo, &i, &m->width) || rpc_u256_mul(&hi, &i1, &m->width) ||
        rpc_u256_format_units(a, sizeof a, &lo, 8, 0, NULL) ||
        rpc_u256_format_units(b, sizeof b, &hi, 8, 0, NULL)) {
        snprintf(out, cap, "?");
        return;
    }
    snprintf(out, cap, "$%s – $%s", a, b);
}

static int write_svg(const struct map *m, const char *path, double max)
{
    char label[160], usd[64];
    trk_outfile of;
    if (trk_outfile_open(&of, path))
        return -1;
    FILE *f = of.f;
    int row = 26, w = 900, h = 70 + row * (int)(m->n ? m->n : 1);
    trk_svg_open(f, w, h, "whaletrack liquidation map");
    trk_svg_text(f, 20, 30, "start", 16, "#111", "Collateral at risk by ETH liquidation price");
    for (size_t i = 0; i < m->n; i++) {
        double y = 50 + row * (double)i;
        double v = rpc_u256_to_double(&m->v[i].usd);
        double bw = max > 0 ? 480.0 * v / max : 0;
        band_label(label, sizeof label, m, m->v[i].ix);
        if (rpc_u256_format_units(usd, sizeof usd, &m->v[i].usd, 8, 0, NULL))
            snprintf(usd, sizeof usd, "?");
        trk_svg_text(f, 190, y + 16, "end", 12, "#333", label);
        fprintf(f,
                "<rect x=\"200\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"#d9534f\">"
                "<title>%s</title></rect>\n",
                y + 3, bw, row - 6, usd);
        char right[200];
        snprintf(right, sizeof right, "$%s  %s", usd, m->v[i].who);
        trk_svg_text(f, 208 + bw, y + 16, "start", 11, "#333", right);
    }
    (void)trk_svg_close(f); /* an error shows in the commit */
    return trk_outfile_commit(&of);
}

int trk_cmd_liqmap(int argc, char **argv)
{
    static const struct option lo[] = {
        {"help", no_argument, NULL, 'h'},
        {"band", required_argument, NULL, 'b'},
        {"svg", required_argument, NULL, 's'},
        {"data-dir", required_argument, NULL, 'd'},
        {"watchlists", required_argument, NULL, 'w'},
        {"chain-id", required_argument, NULL, 'c'},
        {NULL, 0, NULL, 0},
    };
    struct map m;
    memset(&m, 0, sizeof m);
    m.width = rpc_u256_from_u64(10000000000ull); /* $100 */
    const char *dir = NULL, *wl_path = NULL, *svg = NULL;
    uint64_t chain = 0;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", lo, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help_text, stdout);
            return TRK_EXIT_OK;
        case 'd':
            dir = optarg;
            break;
        case 'w':
            wl_path = optarg;
            break;
        case 's':
            svg = optarg;
            break;
        case 'b':
            if (trk_parse_usd(&m.width, optarg) || rpc_u256_is_zero(&m.width))
                return trk_usage("liqmap", "--band wants a dollar width above 0, not '%s'", optarg);
            break;
        case 'c':
            if (trk_parse_u64(&chain, optarg) || chain == 0)
                return trk_usage("liqmap", "--chain-id wants a chain number, not '%s'", optarg);
            break;
        default:
            return trk_usage("liqmap", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return trk_usage("liqmap", "unexpected argument '%s'", argv[optind]);
    wl_set *set = NULL;
    store *s = NULL;
    int ex = trk_load_optional(&set, wl_path ? &wl_path : NULL, wl_path ? 1 : 0);
    if (ex)
        return ex;
    m.set = set;
    if ((ex = trk_open_reader(&s, dir, chain)))
        goto done;
    ex = TRK_EXIT_FAIL;
    int rc = store_snapshot_latest(s, NULL, add, &m);
    if (rc) {
        fprintf(stderr, "whaletrack: cannot read the positions: %s\n",
                rc == -1 ? "out of memory" : store_strerror(rc));
        goto done;
    }
    if (m.n > 1)
        qsort(m.v, m.n, sizeof *m.v, by_price_desc);
    double max = 0;
    for (size_t i = 0; i < m.n; i++) {
        double v = rpc_u256_to_double(&m.v[i].usd);
        max = v > max ? v : max;
    }
    char label[160], usd[64], bar[3 * 40 + 40 + 1];
    if (!rpc_u256_is_zero(&m.eth_price) &&
        rpc_u256_format_units(usd, sizeof usd, &m.eth_price, 8, 2, NULL) == RPC_OK)
        printf("ETH now $%s (block %llu)\n", usd, (unsigned long long)m.eth_block);
    if (m.n == 0)
        printf("no watched lending position has debt: nothing at risk\n");
    for (size_t i = 0; i < m.n; i++) {
        band_label(label, sizeof label, &m, m.v[i].ix);
        if (rpc_u256_format_units(usd, sizeof usd, &m.v[i].usd, 8, 0, NULL))
            snprintf(usd, sizeof usd, "?");
        int w = max > 0 ? (int)(40.0 * rpc_u256_to_double(&m.v[i].usd) / max + 0.5) : 0;
        size_t bn = 0;
        for (int k = 0; k < 40; k++) { /* 40 columns; at least a sliver: the band has some */
            const char *cell = k < w ? "█" : k == 0 ? "▏" : " ";
            size_t cl = strlen(cell);
            memcpy(bar + bn, cell, cl);
            bn += cl;
        }
        bar[bn] = '\0';
        printf("%-24s %s %14s  %s\n", label, bar, usd, m.v[i].who);
    }
    if (fflush(stdout)) {
        fprintf(stderr, "whaletrack: cannot write to stdout\n");
        goto done;
    }
    if (svg && write_svg(&m, svg, max))
        goto done;
    ex = TRK_EXIT_OK;
done:
    free(m.v);
    store_close(s);
    wl_set_free(set);
    return ex;
}
