/* tracker/cmd_positions.c — `whaletrack positions`: every position's latest (or past)
 * snapshot as an aligned table: entity, address, protocol, asset, collateral, debt, USD
 * values, health factor and liquidation price. Invariant: read-only; figures are the
 * store's exact integers formatted with their decimals. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/addr.h"
#include "rpc/u256.h"
#include "tracker/cmds.h"
#include "tracker/cmdutil.h"
#include "tracker/event.h"

static const char help_text[] =
    "usage: whaletrack positions [--entity NAME|ADDRESS] [--at BLOCK|TIME]\n"
    "                            [--data-dir DIR] [--watchlists PATH] [--chain-id N]\n"
    "\n"
    "Prints each watched position as of the last block processed (or as of --at): wallet\n"
    "balances, and lending accounts with collateral and debt in USD (the protocol's\n"
    "oracle), health factor (HF) and the ETH price at which it would be liquidated.\n"
    "TIME is 2026-01-31[T09:14:23] (UTC) or @UNIXTIME. For machines: export --what positions.\n"
    "\n"
    "Exit codes:\n"
    "  0  success\n"
    "  1  the store could not be read\n"
    "  2  usage error (unknown option, bad --at, unknown entity or bad address)\n"
    "  3  no store in the data dir, or a store of another chain\n";

struct at_time {
    uint64_t t;
    bool found;
    store_position p;
};

static int before_time(void *ctx, const store_pos_key *k, const store_position *p)
{
    (void)k;
    struct at_time *a = ctx;
    if (p->block_time > a->t)
        return 1;
    a->p = *p;
    a->found = true;
    return 0;
}

static void money(char *out, size_t cap, const rpc_u256 *v, unsigned dec, unsigned frac,
                  const char *prefix)
{
    if (rpc_u256_is_zero(v)) {
        snprintf(out, cap, "-");
        return;
    }
    size_t n = (size_t)snprintf(out, cap, "%s", prefix);
    if (rpc_u256_format_units(out + n, cap - n, v, dec, frac, NULL))
        snprintf(out, cap, "?");
}

static const char *proto_name(uint32_t p)
{
    switch (p) {
    case TRK_PROTO_WALLET:
        return "wallet";
    case TRK_PROTO_AAVE_V3:
        return "Aave V3";
    case TRK_PROTO_MORPHO_BLUE:
        return "Morpho Blue";
    case TRK_PROTO_COMPOUND_V3:
        return "Compound V3";
    default:
        return "?";
    }
}

/* pad: s left-aligned in `width` columns (UTF-8: continuation bytes take none). */
static void pad(char *out, size_t cap, const char *s, size_t width)
{
    size_t cols = 0;
    for (const char *p = s; *p; p++)
        cols += ((unsigned char)*p & 0xC0) != 0x80;
    snprintf(out, cap, "%s%*s", s, (int)(cols < width ? width - cols : 0), "");
}

static void row(const wl_set *set, const store_pos_key *k, const store_position *p)
{
    char addr[RPC_ADDR_HEX_LEN + 1], asset[24], apad[40], coll[64], debt[64], cu[64], du[64],
        hf[32], liq[48];
    static const rpc_addr zero;
    const wl_entity *e = set ? wl_entity_of(set, &k->address) : NULL;
    rpc_addr_format(addr, &k->address);
    if (k->protocol == TRK_PROTO_WALLET && !memcmp(&k->asset, &zero, sizeof zero))
        snprintf(asset, sizeof asset, "ETH");
    else {
        char full[RPC_ADDR_HEX_LEN + 1];
        rpc_addr_format(full, &k->asset);
        snprintf(asset, sizeof asset, "%.6s…%.4s", full, full + 38);
    }
    money(coll, sizeof coll, &p->collateral, p->decimals, 4, "");
    money(debt, sizeof debt, &p->debt, p->decimals, 4, "");
    money(cu, sizeof cu, &p->collateral_usd, 8, 0, "$");
    money(du, sizeof du, &p->debt_usd, 8, 0, "$");
    money(hf, sizeof hf, &p->hf, 18, 2, "");
    money(liq, sizeof liq, &p->liq_price, 8, 0, "$");
    pad(apad, sizeof apad, asset, 11);
    printf("%-16.16s  %.6s…%.4s  %-11s  %s  %18s  %18s  %16s  %16s  %6s  %10s  %10llu\n",
           e ? e->name : "-", addr, addr + 38, proto_name(k->protocol), apad, coll, debt, cu, du,
           hf, liq, (unsigned long long)p->block);
}

int trk_cmd_positions(int argc, char **argv)
{
    static const struct option lo[] = {
        {"help", no_argument, NULL, 'h'},
        {"entity", required_argument, NULL, 'e'},
        {"at", required_argument, NULL, 'a'},
        {"data-dir", required_argument, NULL, 'd'},
        {"watchlists", required_argument, NULL, 'w'},
        {"chain-id", required_argument, NULL, 'c'},
        {NULL, 0, NULL, 0},
    };
    const char *dir = NULL, *wl_path = NULL, *who = NULL;
    uint64_t chain = 0, at_block = 0, at_time = 0;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", lo, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help_text, stdout);
            return TRK_EXIT_OK;
        case 'e':
            who = optarg;
            break;
        case 'd':
            dir = optarg;
            break;
        case 'w':
            wl_path = optarg;
            break;
        case 'a':
            if (trk_parse_u64(&at_block, optarg) && trk_parse_time(&at_time, optarg))
                return trk_usage("positions", "--at wants a block or a date, not '%s'", optarg);
            if ((at_block == 0 && at_time == 0))
                return trk_usage("positions", "--at wants a block above 0");
            break;
        case 'c':
            if (trk_parse_u64(&chain, optarg) || chain == 0)
                return trk_usage("positions", "--chain-id wants a chain number, not '%s'", optarg);
            break;
        default:
            return trk_usage("positions", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return trk_usage("positions", "unexpected argument '%s'", argv[optind]);
    wl_set *set = NULL;
    store *s = NULL;
    trk_keys ks = {0};
    const rpc_addr *only = NULL;
    size_t nonly = 0;
    rpc_addr one;
    int ex = trk_load_optional(&set, wl_path ? &wl_path : NULL, wl_path ? 1 : 0);
    if (ex)
        return ex;
    if (who) {
        const wl_entity *e;
        if (trk_resolve(&e, &one, set, who)) {
            ex = trk_usage("positions",
                           who[0] == '0' && who[1] == 'x' ? "'%s' is not an address"
                                                          : "unknown entity '%s'",
                           who);
            goto done;
        }
        only = e ? e->addrs : &one;
        nonly = e ? e->naddrs : 1;
    }
    if ((ex = trk_open_reader(&s, dir, chain)))
        goto done;
    ex = TRK_EXIT_FAIL;
    int rc = trk_keys_collect(&ks, s, only, nonly, false);
    if (rc) {
        fprintf(stderr, "whaletrack: cannot read the positions: %s\n",
                rc == -1 ? "out of memory" : store_strerror(rc));
        goto done;
    }
    printf("%-16s  %-11s  %-11s  %-11s  %18s  %18s  %16s  %16s  %6s  %10s  %10s\n", "ENTITY",
           "ADDRESS", "PROTOCOL", "ASSET", "COLLATERAL", "DEBT", "COLLATERAL USD", "DEBT USD", "HF",
           "LIQ. PRICE", "BLOCK");
    for (size_t i = 0; i < ks.n; i++) {
        store_position p;
        if (at_time) {
            struct at_time a = {.t = at_time};
            rc = store_snapshot_history(s, &ks.v[i], 0, 0, before_time, &a);
            if (rc)
                break;
            if (!a.found)
                continue;
            p = a.p;
        } else {
            rc = store_snapshot_at(s, &p, &ks.v[i], at_block);
            if (rc == STORE_ENOTFOUND) {
                rc = 0;
                continue;
            }
            if (rc)
                break;
        }
        row(set, &ks.v[i], &p);
    }
    if (rc || fflush(stdout)) {
        fprintf(stderr, "whaletrack: %s\n", rc ? store_strerror(rc) : "cannot write to stdout");
        goto done;
    }
    ex = TRK_EXIT_OK;
done:
    free(ks.v);
    store_close(s);
    wl_set_free(set);
    return ex;
}
