/* tracker/liq.c — the liquidation line as an exact 256-bit computation.
 * Values are kept WAD-scaled (value * 1e18 / 10^decimals) so that thresholds (WAD) and
 * debts compare in the same unit; only the final division rounds, toward the safe side
 * (the reported line is never below the true one for BELOW, never above it for ABOVE). */
#include <string.h>

#include "rpc/u256.h"
#include "tracker/liq.h"

/* value of an asset in base units, WAD-scaled: amount * price * 1e18 / 10^decimals */
static int asset_value(rpc_u256 *v, const struct trk_liq_asset *a)
{
    rpc_u256 wad = rpc_u256_pow10(18), unit = rpc_u256_pow10(a->decimals), ap;
    if (rpc_u256_mul(&ap, &a->amount, &a->price))
        return -1;
    return rpc_u256_muldiv(v, &ap, &wad, &unit) ? -1 : 0;
}

static int acc_add(rpc_u256 *sum, const rpc_u256 *x)
{
    return rpc_u256_add(sum, sum, x) ? -1 : 0;
}

int trk_liq_compute(struct trk_liq *out, const struct trk_liq_asset *assets, size_t n,
                    const rpc_u256 *eth_price)
{
    rpc_u256 ce = {{0}}, co = {{0}}, de = {{0}}, dox = {{0}}, wad = rpc_u256_pow10(18);
    memset(out, 0, sizeof *out);

    for (size_t i = 0; i < n; i++) {
        const struct trk_liq_asset *a = &assets[i];
        rpc_u256 v;
        if (a->decimals > 36 || asset_value(&v, a))
            goto fail;
        if (a->debt) {
            if (acc_add(a->eth ? &de : &dox, &v))
                goto fail;
        } else {
            rpc_u256 w;
            if (rpc_u256_muldiv(&w, &v, &a->lt_wad, &wad) || acc_add(a->eth ? &ce : &co, &w))
                goto fail;
        }
    }
    if (rpc_u256_add(&out->coll_lt, &ce, &co) || rpc_u256_add(&out->debt, &de, &dox))
        goto fail;

    if (rpc_u256_is_zero(&out->debt)) {
        memset(&out->hf_wad, 0xff, sizeof out->hf_wad);
        out->kind = TRK_LIQ_NONE;
        return 0;
    }
    if (rpc_u256_muldiv(&out->hf_wad, &out->coll_lt, &wad, &out->debt))
        memset(&out->hf_wad, 0xff, sizeof out->hf_wad); /* beyond 2^256 / 1e18: "infinite" */

    int c = rpc_u256_cmp(&ce, &de);
    int o = rpc_u256_cmp(&dox, &co);
    rpc_u256 num, den;
    if (c > 0) { /* net long ETH: HF falls with ETH */
        if (o <= 0) {
            out->kind = TRK_LIQ_NONE; /* other collateral alone covers other debt */
            return 0;
        }
        if (rpc_u256_sub(&num, &dox, &co) || rpc_u256_sub(&den, &ce, &de))
            goto fail;
        out->kind = TRK_LIQ_BELOW;
        /* round up, so the line is never reported below the true one; P * num fits
         * 256 bits for any real position (2^256 / 1e46), else floor is the best we have */
        rpc_u256 prod, q, m;
        if (rpc_u256_mul(&prod, eth_price, &num) == 0) {
            if (rpc_u256_divmod(&q, &m, &prod, &den))
                goto fail;
            if (!rpc_u256_is_zero(&m)) {
                rpc_u256 one = rpc_u256_from_u64(1);
                if (rpc_u256_add(&q, &q, &one))
                    goto fail;
            }
        } else if (rpc_u256_muldiv(&q, eth_price, &num, &den)) {
            goto fail;
        }
        out->price = q;
        return 0;
    }
    if (c < 0) { /* net short ETH: HF falls as ETH rises */
        if (o >= 0) {
            out->kind = TRK_LIQ_NOW;
            return 0;
        }
        if (rpc_u256_sub(&num, &co, &dox) || rpc_u256_sub(&den, &de, &ce))
            goto fail;
        out->kind = TRK_LIQ_ABOVE;
        if (rpc_u256_muldiv(&out->price, eth_price, &num, &den)) /* floor: no higher than true */
            goto fail;
        return 0;
    }
    out->kind = o > 0 ? TRK_LIQ_NOW : TRK_LIQ_NONE; /* no net ETH exposure */
    return 0;

fail:
    memset(out, 0, sizeof *out);
    return -1;
}
