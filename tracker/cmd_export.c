/* tracker/cmd_export.c — `whaletrack export`: the move log or the position snapshots as
 * CSV (RFC 4180: header row, CRLF, fields with a comma, quote or line break quoted and
 * their quotes doubled) or JSONL (one object per line, exact amounts as decimal strings).
 * Invariant: rows stream from the store one at a time (constant memory), and a failed
 * export leaves no partial -o file behind (written beside it, renamed at the end). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "rpc/addr.h"
#include "rpc/u256.h"
#include "tracker/cmds.h"
#include "tracker/cmdutil.h"
#include "tracker/filter.h"
#include "tracker/format.h"

static const char help_text[] =
    "usage: whaletrack export --format csv|jsonl [--what moves|positions] [filters]\n"
    "                         [-o FILE] [--data-dir DIR] [--chain-id N]\n"
    "\n"
    "Writes the move log (default) or every position snapshot for spreadsheets and\n"
    "notebooks: CSV with a header row (RFC 4180 quoting), or JSON lines. Amounts are exact\n"
    "integers as decimal strings with their decimals beside them; USD values have 8\n"
    "decimals (100000000 = $1), health factors 18. Streams: any size, constant memory.\n"
    "\n"
    "  --format csv|jsonl     required\n"
    "  --what moves|positions default moves\n"
    "  --entity NAME, --kind KIND, --min-usd X      filters of moves\n"
    "  --from BLOCK|TIME, --to BLOCK|TIME          a block number, 2026-01-31[T09:14:23]\n"
    "                                              (UTC) or @UNIXTIME; inclusive\n"
    "  -o, --output FILE      write FILE (complete or not at all) instead of stdout\n"
    "\n"
    "Exit codes:\n"
    "  0  success\n"
    "  1  the store could not be read, or the output could not be written\n"
    "  2  usage error\n"
    "  3  no store in the data dir, or a store of another chain\n";

struct exp {
    FILE *f;
    bool csv;
    const trk_filter *flt;
};

/* csv_field: one field, quoted when it holds a comma, quote, CR or LF (RFC 4180 2.6-2.7). */
static void csv_field(FILE *f, const char *s, bool last)
{
    if (strpbrk(s, ",\"\r\n")) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
    fputs(last ? "\r\n" : ",", f);
}

static void dec(char out[RPC_U256_DEC_MAX], const rpc_u256 *v)
{
    if (rpc_u256_format_dec(out, RPC_U256_DEC_MAX, v))
        out[0] = '\0';
}

static const char move_header[] =
    "seq,kind,entity,address,block,block_hash,time,tx_hash,log_index,protocol,asset,"
    "counterparty,amount,decimals,usd,hf_before,hf_after,liq_before,liq_after,retracts,"
    "retracted_kind,retracted,verified\r\n";

static int move_csv(FILE *f, const store_move *m)
{
    char a[RPC_ADDR_HEX_LEN + 1], h[67], n[32], v[RPC_U256_DEC_MAX];
    const char *k = store_kind_name(m->kind);
    snprintf(n, sizeof n, "%llu", (unsigned long long)m->seq);
    csv_field(f, n, false);
    csv_field(f, k ? k : "", false);
    csv_field(f, m->entity, false);
    rpc_addr_format(a, &m->address);
    csv_field(f, a, false);
    snprintf(n, sizeof n, "%llu", (unsigned long long)m->block);
    csv_field(f, n, false);
    rpc_hash32_format(h, &m->block_hash);
    csv_field(f, h, false);
    snprintf(n, sizeof n, "%llu", (unsigned long long)m->block_time);
    csv_field(f, n, false);
    bool nolog = m->log_index == UINT32_MAX;
    rpc_hash32_format(h, &m->tx_hash);
    csv_field(f, nolog ? "" : h, false);
    snprintf(n, sizeof n, "%u", m->log_index);
    csv_field(f, nolog ? "" : n, false);
    snprintf(n, sizeof n, "%u", m->protocol);
    csv_field(f, n, false);
    rpc_addr_format(a, &m->asset);
    csv_field(f, a, false);
    rpc_addr_format(a, &m->counterparty);
    csv_field(f, a, false);
    dec(v, &m->amount);
    csv_field(f, v, false);
    snprintf(n, sizeof n, "%u", m->decimals);
    csv_field(f, n, false);
    dec(v, &m->usd);
    csv_field(f, v, false);
    const rpc_u256 *hfl[] = {&m->hf_before, &m->hf_after, &m->liq_before, &m->liq_after};
    for (size_t i = 0; i < 4; i++) {
        dec(v, hfl[i]);
        csv_field(f, (m->flags & STORE_MOVE_HAS_HF) ? v : "", false);
    }
    bool r = m->kind == STORE_KIND_RETRACTED;
    const char *rk = store_kind_name(m->retracted_kind);
    snprintf(n, sizeof n, "%llu", (unsigned long long)m->retracts);
    csv_field(f, r ? n : "", false);
    csv_field(f, r && rk ? rk : "", false);
    csv_field(f, (m->flags & STORE_MOVE_RETRACTED) ? "1" : "0", false);
    csv_field(f, (m->flags & STORE_MOVE_VERIFIED) ? "1" : "0", true);
    return ferror(f) ? -1 : 0;
}

static int on_move(void *ctx, const store_move *m)
{
    struct exp *e = ctx;
    if (!trk_filter_match(e->flt, m))
        return 0;
    if (e->csv)
        return move_csv(e->f, m);
    return trk_move_print(e->f, m, NULL, 0, true) ? -1 : 0;
}

static const char pos_header[] =
    "address,protocol,asset,block,time,decimals,collateral,debt,price,hf,liq_threshold,"
    "liq_price,collateral_usd,debt_usd\r\n";

static int pos_row(struct exp *e, const store_pos_key *k, const store_position *p)
{
    char a[RPC_ADDR_HEX_LEN + 1], as[RPC_ADDR_HEX_LEN + 1], n[4][32];
    char v[8][RPC_U256_DEC_MAX];
    rpc_addr_format(a, &k->address);
    rpc_addr_format(as, &k->asset);
    snprintf(n[0], 32, "%u", k->protocol);
    snprintf(n[1], 32, "%llu", (unsigned long long)p->block);
    snprintf(n[2], 32, "%llu", (unsigned long long)p->block_time);
    snprintf(n[3], 32, "%u", p->decimals);
    const rpc_u256 *x[] = {&p->collateral,    &p->debt,      &p->price,          &p->hf,
                           &p->liq_threshold, &p->liq_price, &p->collateral_usd, &p->debt_usd};
    for (size_t i = 0; i < 8; i++)
        dec(v[i], x[i]);
    if (e->csv) {
        const char *row[] = {a,    n[0], as,   n[1], n[2], n[3], v[0],
                             v[1], v[2], v[3], v[4], v[5], v[6], v[7]};
        for (size_t i = 0; i < 14; i++)
            csv_field(e->f, row[i], i == 13);
        return ferror(e->f) ? -1 : 0;
    }
    cJSON *o = cJSON_CreateObject();
    static const char *const names[] = {"collateral",    "debt",      "price",          "hf",
                                        "liq_threshold", "liq_price", "collateral_usd", "debt_usd"};
    bool bad = !o || !cJSON_AddStringToObject(o, "address", a) ||
               !cJSON_AddNumberToObject(o, "protocol", k->protocol) ||
               !cJSON_AddStringToObject(o, "asset", as) ||
               !cJSON_AddNumberToObject(o, "block", (double)p->block) ||
               !cJSON_AddNumberToObject(o, "time", (double)p->block_time) ||
               !cJSON_AddNumberToObject(o, "decimals", p->decimals);
    for (size_t i = 0; !bad && i < 8; i++)
        bad = !cJSON_AddStringToObject(o, names[i], v[i]);
    char *s = bad ? NULL : cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!s)
        return -1;
    fprintf(e->f, "%s\n", s);
    cJSON_free(s);
    return ferror(e->f) ? -1 : 0;
}

static int on_snap(void *ctx, const store_pos_key *k, const store_position *p)
{
    struct exp *e = ctx;
    if (p->block < e->flt->block_from || (e->flt->block_to && p->block > e->flt->block_to))
        return 0;
    if (p->block_time < e->flt->time_from || (e->flt->time_to && p->block_time > e->flt->time_to))
        return 0;
    return pos_row(e, k, p);
}

/* parse_point: a block number, or a time (see trk_parse_time). */
static int parse_point(uint64_t *block, uint64_t *time, const char *s)
{
    *block = 0;
    *time = 0;
    if (trk_parse_u64(block, s) == 0)
        return 0;
    return trk_parse_time(time, s);
}

int trk_cmd_export(int argc, char **argv)
{
    static const struct option lo[] = {
        {"help", no_argument, NULL, 'h'},           {"format", required_argument, NULL, 'F'},
        {"what", required_argument, NULL, 'W'},     {"entity", required_argument, NULL, 'e'},
        {"kind", required_argument, NULL, 'k'},     {"min-usd", required_argument, NULL, 'u'},
        {"from", required_argument, NULL, 'f'},     {"to", required_argument, NULL, 't'},
        {"output", required_argument, NULL, 'o'},   {"data-dir", required_argument, NULL, 'd'},
        {"chain-id", required_argument, NULL, 'c'}, {NULL, 0, NULL, 0},
    };
    trk_filter flt;
    memset(&flt, 0, sizeof flt);
    const char *format = NULL, *what = "moves", *out_path = NULL, *dir = NULL;
    uint64_t chain = 0, b, t;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+ho:", lo, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help_text, stdout);
            return TRK_EXIT_OK;
        case 'F':
            format = optarg;
            break;
        case 'W':
            what = optarg;
            break;
        case 'e':
            flt.entity = optarg;
            break;
        case 'o':
            out_path = optarg;
            break;
        case 'd':
            dir = optarg;
            break;
        case 'k':
            if (!(flt.kind = trk_parse_kind(optarg)))
                return trk_usage("export", "unknown move kind '%s'", optarg);
            break;
        case 'u':
            if (trk_parse_usd(&flt.min_usd, optarg))
                return trk_usage("export", "--min-usd wants a dollar amount, not '%s'", optarg);
            flt.has_min_usd = true;
            break;
        case 'f':
        case 't':
            if (parse_point(&b, &t, optarg))
                return trk_usage("export", "--%s wants a block or a date, not '%s'",
                                 c == 'f' ? "from" : "to", optarg);
            if (c == 'f')
                flt.block_from = b, flt.time_from = t;
            else
                flt.block_to = b, flt.time_to = t;
            break;
        case 'c':
            if (trk_parse_u64(&chain, optarg) || chain == 0)
                return trk_usage("export", "--chain-id wants a chain number, not '%s'", optarg);
            break;
        default:
            return trk_usage("export", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return trk_usage("export", "unexpected argument '%s'", argv[optind]);
    if (!format)
        return trk_usage("export", "--format csv|jsonl is required");
    if (strcmp(format, "csv") && strcmp(format, "jsonl"))
        return trk_usage("export", "unknown format '%s' (csv or jsonl)", format);
    bool moves = strcmp(what, "moves") == 0;
    if (!moves && strcmp(what, "positions"))
        return trk_usage("export", "--what is moves or positions, not '%s'", what);
    if (!moves && (flt.entity || flt.kind || flt.has_min_usd))
        return trk_usage("export", "--entity, --kind and --min-usd filter moves only");

    store *s = NULL;
    FILE *f = stdout;
    trk_outfile of = {0};
    trk_keys keys = {0};
    int ex = trk_open_reader(&s, dir, chain);
    if (ex)
        return ex;
    ex = TRK_EXIT_FAIL;
    if (out_path) {
        if (trk_outfile_open(&of, out_path))
            goto done;
        f = of.f;
    }
    struct exp e = {f, format[0] == 'c', &flt};
    int rc;
    if (moves) {
        if (e.csv)
            fputs(move_header, f);
        rc = store_moves_from(s, 1, 0, on_move, &e);
    } else {
        if (e.csv)
            fputs(pos_header, f);
        rc = trk_keys_collect(&keys, s, NULL, 0, false);
        for (size_t i = 0; !rc && i < keys.n; i++)
            rc = store_snapshot_history(s, &keys.v[i], 0, 0, on_snap, &e);
    }
    if (rc || fflush(f) || ferror(f)) {
        fprintf(stderr, "whaletrack: export failed: %s\n",
                rc && rc != -1 ? store_strerror(rc) : "cannot write the output");
        goto done;
    }
    if (out_path && trk_outfile_commit(&of))
        goto done;
    ex = TRK_EXIT_OK;
done:
    trk_outfile_abort(&of);
    free(keys.v);
    store_close(s);
    return ex;
}
