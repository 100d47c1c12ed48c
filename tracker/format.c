/* tracker/format.c — text and JSON forms of a move. Invariant: every number printed is
 * the exact integer of the record (formatted with its decimals), never a double. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "rpc/addr.h"
#include "rpc/u256.h"
#include "tracker/diff.h"
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

void trk_move_text(char *out, size_t cap, const store_move *m, const wl_set *set)
{
    char when[32] = "", amount[160], asset[16], other[96] = "", tx[67];
    time_t t = (time_t)m->block_time;
    struct tm tm;
    if (gmtime_r(&t, &tm))
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    if (m->kind == STORE_KIND_RETRACTED) {
        snprintf(out, cap, "%s  #%llu  %s  RETRACTED move %llu (%s): its block left the chain "
                 "in a reorg", when, (unsigned long long)m->block, m->entity,
                 (unsigned long long)m->retracts, store_kind_name(m->retracted_kind));
        return;
    }
    if (rpc_u256_format_units(amount, sizeof amount, &m->amount, m->decimals, 6, NULL))
        snprintf(amount, sizeof amount, "?");
    if (is_zero_addr(&m->asset) && m->protocol == 0)
        snprintf(asset, sizeof asset, "ETH");
    else
        short_addr(asset, &m->asset);
    if (!is_zero_addr(&m->counterparty)) {
        const wl_exchange *ex = set ? wl_exchange_of(set, &m->counterparty) : NULL;
        char s[16];
        short_addr(s, &m->counterparty);
        bool out_kind = m->kind == STORE_KIND_TRANSFER_OUT ||
                        m->kind == STORE_KIND_EXCHANGE_DEPOSIT;
        snprintf(other, sizeof other, "  %s %s", out_kind ? "to" : "from", ex ? ex->name : s);
    }
    rpc_hash32_format(tx, &m->tx_hash);
    const char *kind = store_kind_name(m->kind);
    if (m->log_index == TRK_NO_LOG)
        snprintf(out, cap, "%s  #%llu  %s  %s  %s %s%s  (balance change, no log)", when,
                 (unsigned long long)m->block, m->entity, kind ? kind : "?", amount, asset,
                 other);
    else
        snprintf(out, cap, "%s  #%llu  %s  %s  %s %s%s  tx %.12s…%s", when,
                 (unsigned long long)m->block, m->entity, kind ? kind : "?", amount, asset,
                 other, tx, (m->flags & STORE_MOVE_VERIFIED) ? "  verified" : "");
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
