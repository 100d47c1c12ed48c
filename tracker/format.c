/* tracker/format.c — text and JSON forms of a move. Invariant: every number printed is
 * the exact integer of the record (formatted with its decimals), never a double. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "rpc/addr.h"
#include "rpc/u256.h"
#include "tracker/diff.h"
#include "tracker/event.h"
#include "tracker/format.h"

static void short_addr(char out[16], const rpc_addr *a)
{
    char full[RPC_ADDR_HEX_LEN + 1];
    rpc_addr_format(full, a);
    snprintf(out, 16, "%.6s…%.4s", full, full + 38);
}

static bool is_zero_addr(const rpc_addr *a)
{
    static const rpc_addr zero;
    return memcmp(a, &zero, sizeof zero) == 0;
}

static const char *protocol_name(uint32_t p)
{
    switch (p) {
    case TRK_PROTO_AAVE_V3: return "Aave V3";
    case TRK_PROTO_MORPHO_BLUE: return "Morpho Blue";
    case TRK_PROTO_COMPOUND_V3: return "Compound V3";
    default: return NULL;
    }
}

/* The sentence of a kind: verb, then the preposition before a counterparty or protocol. */
static void phrase(const store_move *m, const char **verb, const char **prep)
{
    *prep = "on";
    switch (m->kind) {
    case STORE_KIND_TRANSFER_OUT: *verb = "sent"; *prep = "to"; break;
    case STORE_KIND_TRANSFER_IN: *verb = "received"; *prep = "from"; break;
    case STORE_KIND_EXCHANGE_DEPOSIT: *verb = "deposited"; *prep = "to"; break;
    case STORE_KIND_EXCHANGE_WITHDRAWAL: *verb = "withdrew"; *prep = "from"; break;
    case STORE_KIND_SUPPLY: *verb = "supplied"; break;
    case STORE_KIND_WITHDRAW: *verb = "withdrew"; *prep = "from"; break;
    case STORE_KIND_BORROW: *verb = "borrowed"; break;
    case STORE_KIND_REPAY: *verb = "repaid"; break;
    case STORE_KIND_LIQUIDATED: *verb = "was liquidated, losing"; break;
    case STORE_KIND_HEALTH_FACTOR: *verb = "health factor moved"; break;
    case STORE_KIND_LIQUIDATION_PRICE: *verb = "liquidation line moved"; break;
    case STORE_KIND_POSITION_OPENED: *verb = "opened a position"; break;
    case STORE_KIND_POSITION_CLOSED: *verb = "closed a position"; break;
    default: *verb = store_kind_name(m->kind); break;
    }
    if (!*verb)
        *verb = "?";
}

/* Kinds without an amount of their own: the figures are on the HF line. */
static bool no_amount(unsigned kind)
{
    return kind == STORE_KIND_HEALTH_FACTOR || kind == STORE_KIND_LIQUIDATION_PRICE ||
           kind == STORE_KIND_POSITION_OPENED || kind == STORE_KIND_POSITION_CLOSED;
}

static const char *kind_colour(unsigned kind)
{
    switch (kind) {
    case STORE_KIND_LIQUIDATED: case STORE_KIND_EXCHANGE_DEPOSIT: case STORE_KIND_BORROW:
    case STORE_KIND_WITHDRAW: case STORE_KIND_HEALTH_FACTOR:
        return "\033[31m"; /* red: risk up, or a likely sale */
    case STORE_KIND_REPAY: case STORE_KIND_SUPPLY: case STORE_KIND_EXCHANGE_WITHDRAWAL:
        return "\033[32m"; /* green: risk down */
    default:
        return "\033[36m";
    }
}

/* Appends to out at *used, truncating quietly. */
__attribute__((format(printf, 4, 5))) static void put(char *out, size_t cap, size_t *used,
                                                      const char *fmt, ...)
{
    if (*used >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out + *used, cap - *used, fmt, ap);
    va_end(ap);
    if (n > 0)
        *used = (size_t)n >= cap - *used ? cap - 1 : *used + (size_t)n;
}

static void fixed(char *out, size_t cap, const rpc_u256 *v, unsigned dec, unsigned frac)
{
    if (rpc_u256_format_units(out, cap, v, dec, frac, NULL))
        snprintf(out, cap, "?");
}

void trk_move_text(char *out, size_t cap, const store_move *m, const wl_set *set, unsigned flags)
{
    bool c = flags & TRK_FMT_COLOR;
    const char *B = c ? "\033[1m" : "", *D = c ? "\033[2m" : "", *R = c ? "\033[0m" : "";
    char when[32] = "", blk[24], amount[160], asset[16], usd[160], tx[67], s[16];
    size_t used = 0;
    if (cap == 0)
        return;
    out[0] = '\0';
    time_t t = (time_t)m->block_time;
    struct tm tm;
    if (gmtime_r(&t, &tm))
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(blk, sizeof blk, "#%llu", (unsigned long long)m->block);
    put(out, cap, &used, "%s  %-10s  %s%-16s%s  ", when, blk, B, m->entity, R);
    if (m->kind == STORE_KIND_RETRACTED) {
        const char *k = store_kind_name(m->retracted_kind);
        put(out, cap, &used, "%sRETRACTED%s move %llu (%s): its block left the chain in a reorg",
            c ? "\033[33;1m" : "", R, (unsigned long long)m->retracts, k ? k : "?");
        return;
    }
    const char *verb, *prep;
    phrase(m, &verb, &prep);
    if (is_zero_addr(&m->asset) && m->protocol == 0)
        snprintf(asset, sizeof asset, "ETH");
    else
        short_addr(asset, &m->asset);
    put(out, cap, &used, "%s%s%s", c ? kind_colour(m->kind) : "", verb, R);
    if (!no_amount(m->kind)) {
        fixed(amount, sizeof amount, &m->amount, m->decimals, m->decimals); /* exact */
        put(out, cap, &used, " %s %s", amount, asset);
    }
    const char *proto = protocol_name(m->protocol);
    if (!is_zero_addr(&m->counterparty) && m->protocol == 0) {
        const wl_exchange *ex = set ? wl_exchange_of(set, &m->counterparty) : NULL;
        short_addr(s, &m->counterparty);
        put(out, cap, &used, " %s %s", prep, ex ? ex->name : s);
    } else if (proto) {
        put(out, cap, &used, " %s %s", prep, proto);
    }
    if (!rpc_u256_is_zero(&m->usd) && !no_amount(m->kind)) {
        fixed(usd, sizeof usd, &m->usd, 8, 0);
        put(out, cap, &used, "  ($%s)", usd);
    }
    rpc_hash32_format(tx, &m->tx_hash);
    const char *ev = m->log_index == TRK_NO_LOG ? "(balance change, no log)" : NULL;
    if (m->flags & STORE_MOVE_HAS_HF) {
        char hb[64] = "-", ha[64] = "-", lb[64] = "-", la[64] = "-";
        if (!rpc_u256_is_zero(&m->hf_before))
            fixed(hb, sizeof hb, &m->hf_before, 18, 2);
        if (!rpc_u256_is_zero(&m->hf_after))
            fixed(ha, sizeof ha, &m->hf_after, 18, 2);
        if (!rpc_u256_is_zero(&m->liq_before))
            lb[0] = '$', fixed(lb + 1, sizeof lb - 1, &m->liq_before, 8, 0);
        if (!rpc_u256_is_zero(&m->liq_after))
            la[0] = '$', fixed(la + 1, sizeof la - 1, &m->liq_after, 8, 0);
        put(out, cap, &used, "\n%*sHF %s -> %s   liq. ETH price %s -> %s   ", 51, "", hb, ha,
            lb, la);
    } else {
        put(out, cap, &used, "   ");
    }
    if (ev)
        put(out, cap, &used, "%s%s%s", D, ev, R);
    else
        put(out, cap, &used, "%s%.6s…%s", D, tx, R);
    if (m->flags & STORE_MOVE_VERIFIED)
        put(out, cap, &used, "  verified");
}

static int add_addr(cJSON *o, const char *key, const rpc_addr *a)
{
    char s[RPC_ADDR_HEX_LEN + 1];
    rpc_addr_format(s, a);
    return cJSON_AddStringToObject(o, key, s) ? 0 : -1;
}

static int add_hash(cJSON *o, const char *key, const rpc_hash32 *h)
{
    char s[67];
    rpc_hash32_format(s, h);
    return cJSON_AddStringToObject(o, key, s) ? 0 : -1;
}

static int add_u256(cJSON *o, const char *key, const rpc_u256 *v)
{
    char s[RPC_U256_DEC_MAX];
    if (rpc_u256_format_dec(s, sizeof s, v))
        return -1;
    return cJSON_AddStringToObject(o, key, s) ? 0 : -1;
}

int trk_move_json(char **json, const store_move *m)
{
    *json = NULL;
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return TRK_ENOMEM;
    const char *kind = store_kind_name(m->kind);
    int bad = !cJSON_AddNumberToObject(o, "seq", (double)m->seq) ||
              !cJSON_AddStringToObject(o, "kind", kind ? kind : "?") ||
              !cJSON_AddStringToObject(o, "entity", m->entity);
    bad |= add_addr(o, "address", &m->address);
    bad |= !cJSON_AddNumberToObject(o, "block", (double)m->block);
    bad |= add_hash(o, "block_hash", &m->block_hash);
    bad |= !cJSON_AddNumberToObject(o, "time", (double)m->block_time);
    if (m->log_index == TRK_NO_LOG)
        bad |= !cJSON_AddNullToObject(o, "tx_hash") || !cJSON_AddNullToObject(o, "log_index");
    else
        bad |= add_hash(o, "tx_hash", &m->tx_hash) ||
               !cJSON_AddNumberToObject(o, "log_index", m->log_index);
    bad |= !cJSON_AddNumberToObject(o, "protocol", m->protocol);
    bad |= !cJSON_AddBoolToObject(o, "verified", (m->flags & STORE_MOVE_VERIFIED) != 0);
    bad |= add_addr(o, "asset", &m->asset);
    bad |= add_addr(o, "counterparty", &m->counterparty);
    bad |= add_u256(o, "amount", &m->amount);
    bad |= !cJSON_AddNumberToObject(o, "decimals", m->decimals);
    bad |= add_u256(o, "usd", &m->usd);
    if (m->flags & STORE_MOVE_HAS_HF)
        bad |= add_u256(o, "hf_before", &m->hf_before) || add_u256(o, "hf_after", &m->hf_after) ||
               add_u256(o, "liq_before", &m->liq_before) ||
               add_u256(o, "liq_after", &m->liq_after);
    if (m->kind == STORE_KIND_RETRACTED) {
        const char *rk = store_kind_name(m->retracted_kind);
        bad |= !cJSON_AddNumberToObject(o, "retracts", (double)m->retracts) ||
               !cJSON_AddStringToObject(o, "retracted_kind", rk ? rk : "?");
    }
    char *s = bad ? NULL : cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!s)
        return TRK_ENOMEM;
    *json = s;
    return TRK_OK;
}

int trk_move_print(FILE *f, const store_move *m, const wl_set *set, unsigned flags, bool json)
{
    if (json) {
        char *j;
        int rc = trk_move_json(&j, m);
        if (rc)
            return rc;
        fprintf(f, "%s\n", j);
        cJSON_free(j);
    } else {
        char line[1024];
        trk_move_text(line, sizeof line, m, set, flags);
        fprintf(f, "%s\n", line);
    }
    return ferror(f) ? TRK_EINVAL : TRK_OK;
}
