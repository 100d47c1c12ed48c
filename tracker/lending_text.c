/* tracker/lending_text.c — the lending part of a move's text line: USD value, health
 * factor and liquidation line before -> after ("$3,000,000  HF 1.41 -> 1.46  liq. $1,880.00
 * -> $1,830.00"). Invariant: formatted from the record's integers (rpc_u256_format_units),
 * never through a double; HF 2^256-1 (no debt) is "inf", a line of 0 is "none". */
#include <stdio.h>
#include <string.h>

#include "rpc/u256.h"
#include "tracker/lending.h"

static void hf_text(char *out, size_t cap, const rpc_u256 *hf)
{
    rpc_u256 max;
    memset(&max, 0xff, sizeof max);
    if (!rpc_u256_cmp(hf, &max))
        snprintf(out, cap, "inf");
    else if (rpc_u256_format_units(out, cap, hf, 18, 2, NULL))
        snprintf(out, cap, "?");
}

static void usd_text(char *out, size_t cap, const rpc_u256 *v)
{
    char n[160];
    if (rpc_u256_is_zero(v))
        snprintf(out, cap, "none");
    else if (rpc_u256_format_units(n, sizeof n, v, 8, 2, NULL))
        snprintf(out, cap, "?");
    else
        snprintf(out, cap, "$%s", n);
}

void trk_lending_text(char *out, size_t cap, const store_move *m)
{
    char usd[168] = "", hb[168], ha[168], lb[168], la[168];
    if (cap)
        out[0] = '\0';
    if (!(m->flags & STORE_MOVE_HAS_HF) || !cap)
        return;
    if (!rpc_u256_is_zero(&m->usd))
        usd_text(usd, sizeof usd, &m->usd);
    hf_text(hb, sizeof hb, &m->hf_before);
    hf_text(ha, sizeof ha, &m->hf_after);
    usd_text(lb, sizeof lb, &m->liq_before);
    usd_text(la, sizeof la, &m->liq_after);
    snprintf(out, cap, "%s%s  HF %s -> %s  liq. %s -> %s", usd[0] ? "  " : "", usd, hb, ha, lb, la);
}
