/* tracker/aave.c — the aave-v3 decoder row (Aave V3 pools, SparkLend and the other forks
 * with the same events). Invariant: a log is claimed only when its emitter is an aave-v3
 * pool of the watchlist and its topics and data have the event's exact shape. */
#include <string.h>

#include "rpc/abi.h"
#include "tracker/lending_dec.h"

/* Supply(address,address,address,uint256,uint16) =
 * 0x2b627736bca15cd5381dcf80b0bf11fd197d01a037c52b927a881a10fb73ba61 */
#define T_AAVE_SUPPLY                                                                              \
    {                                                                                              \
        {                                                                                          \
            0x2b, 0x62, 0x77, 0x36, 0xbc, 0xa1, 0x5c, 0xd5, 0x38, 0x1d, 0xcf, 0x80, 0xb0, 0xbf,    \
                0x11, 0xfd, 0x19, 0x7d, 0x01, 0xa0, 0x37, 0xc5, 0x2b, 0x92, 0x7a, 0x88, 0x1a,      \
                0x10, 0xfb, 0x73, 0xba, 0x61                                                       \
        }                                                                                          \
    }
/* Withdraw(address,address,address,uint256) =
 * 0x3115d1449a7b732c986cba18244e897a450f61e1bb8d589cd2e69e6c8924f9f7 */
#define T_AAVE_WITHDRAW                                                                            \
    {                                                                                              \
        {                                                                                          \
            0x31, 0x15, 0xd1, 0x44, 0x9a, 0x7b, 0x73, 0x2c, 0x98, 0x6c, 0xba, 0x18, 0x24, 0x4e,    \
                0x89, 0x7a, 0x45, 0x0f, 0x61, 0xe1, 0xbb, 0x8d, 0x58, 0x9c, 0xd2, 0xe6, 0x9e,      \
                0x6c, 0x89, 0x24, 0xf9, 0xf7                                                       \
        }                                                                                          \
    }
/* Borrow(address,address,address,uint256,uint8,uint256,uint16) =
 * 0xb3d084820fb1a9decffb176436bd02558d15fac9b0ddfed8c465bc7359d7dce0 */
#define T_AAVE_BORROW                                                                              \
    {                                                                                              \
        {                                                                                          \
            0xb3, 0xd0, 0x84, 0x82, 0x0f, 0xb1, 0xa9, 0xde, 0xcf, 0xfb, 0x17, 0x64, 0x36, 0xbd,    \
                0x02, 0x55, 0x8d, 0x15, 0xfa, 0xc9, 0xb0, 0xdd, 0xfe, 0xd8, 0xc4, 0x65, 0xbc,      \
                0x73, 0x59, 0xd7, 0xdc, 0xe0                                                       \
        }                                                                                          \
    }
/* Repay(address,address,address,uint256,bool) =
 * 0xa534c8dbe71f871f9f3530e97a74601fea17b426cae02e1c5aee42c96c784051 */
#define T_AAVE_REPAY                                                                               \
    {                                                                                              \
        {                                                                                          \
            0xa5, 0x34, 0xc8, 0xdb, 0xe7, 0x1f, 0x87, 0x1f, 0x9f, 0x35, 0x30, 0xe9, 0x7a, 0x74,    \
                0x60, 0x1f, 0xea, 0x17, 0xb4, 0x26, 0xca, 0xe0, 0x2e, 0x1c, 0x5a, 0xee, 0x42,      \
                0xc9, 0x6c, 0x78, 0x40, 0x51                                                       \
        }                                                                                          \
    }
/* LiquidationCall(address,address,address,uint256,uint256,address,bool) =
 * 0xe413a321e8681d831f4dbccbca790d2952b56f977908e45be37335533e005286 */
#define T_AAVE_LIQUIDATION                                                                         \
    {                                                                                              \
        {                                                                                          \
            0xe4, 0x13, 0xa3, 0x21, 0xe8, 0x68, 0x1d, 0x83, 0x1f, 0x4d, 0xbc, 0xcb, 0xca, 0x79,    \
                0x0d, 0x29, 0x52, 0xb5, 0x6f, 0x97, 0x79, 0x08, 0xe4, 0x5b, 0xe3, 0x73, 0x35,      \
                0x53, 0x3e, 0x00, 0x52, 0x86                                                       \
        }                                                                                          \
    }
/* ReserveUsedAsCollateralEnabled(address,address) =
 * 0x00058a56ea94653cdf4f152d227ace22d4c00ad99e2a43f58cb7d9e3feb295f2 */
#define T_AAVE_COLL_ON                                                                             \
    {                                                                                              \
        {                                                                                          \
            0x00, 0x05, 0x8a, 0x56, 0xea, 0x94, 0x65, 0x3c, 0xdf, 0x4f, 0x15, 0x2d, 0x22, 0x7a,    \
                0xce, 0x22, 0xd4, 0xc0, 0x0a, 0xd9, 0x9e, 0x2a, 0x43, 0xf5, 0x8c, 0xb7, 0xd9,      \
                0xe3, 0xfe, 0xb2, 0x95, 0xf2                                                       \
        }                                                                                          \
    }
/* ReserveUsedAsCollateralDisabled(address,address) =
 * 0x44c58d81365b66dd4b1a7f36c25aa97b8c71c361ee4937adc1a00000227db5dd */
#define T_AAVE_COLL_OFF                                                                            \
    {                                                                                              \
        {                                                                                          \
            0x44, 0xc5, 0x8d, 0x81, 0x36, 0x5b, 0x66, 0xdd, 0x4b, 0x1a, 0x7f, 0x36, 0xc2, 0x5a,    \
                0xa9, 0x7b, 0x8c, 0x71, 0xc3, 0x61, 0xee, 0x49, 0x37, 0xad, 0xc1, 0xa0, 0x00,      \
                0x00, 0x22, 0x7d, 0xb5, 0xdd                                                       \
        }                                                                                          \
    }
/* FlashLoan(address,address,address,uint256,uint8,uint256,uint16) =
 * 0xefefaba5e921573100900a3ad9cf29f222d995fb3b6045797eaea7521bd8d6f0 */
#define T_AAVE_FLASHLOAN                                                                           \
    {                                                                                              \
        {                                                                                          \
            0xef, 0xef, 0xab, 0xa5, 0xe9, 0x21, 0x57, 0x31, 0x00, 0x90, 0x0a, 0x3a, 0xd9, 0xcf,    \
                0x29, 0xf2, 0x22, 0xd9, 0x95, 0xfb, 0x3b, 0x60, 0x45, 0x79, 0x7e, 0xae, 0xa7,      \
                0x52, 0x1b, 0xd8, 0xd6, 0xf0                                                       \
        }                                                                                          \
    }
/* UserEModeSet(address,uint8) = 0xd728da875fc88944cbf17638bcbe4af0eedaef63becd1d1c57cc097eb4608d84
 */
#define T_AAVE_EMODE                                                                               \
    {                                                                                              \
        {                                                                                          \
            0xd7, 0x28, 0xda, 0x87, 0x5f, 0xc8, 0x89, 0x44, 0xcb, 0xf1, 0x76, 0x38, 0xbc, 0xbe,    \
                0x4a, 0xf0, 0xee, 0xda, 0xef, 0x63, 0xbe, 0xcd, 0x1d, 0x1c, 0x57, 0xcc, 0x09,      \
                0x7e, 0xb4, 0x60, 0x8d, 0x84                                                       \
        }                                                                                          \
    }

/* Owner at topic 2: Supply, Borrow (onBehalfOf), Withdraw, Repay, collateral on/off (user). */
static const rpc_hash32 owner2[] = {T_AAVE_SUPPLY, T_AAVE_BORROW,  T_AAVE_WITHDRAW,
                                    T_AAVE_REPAY,  T_AAVE_COLL_ON, T_AAVE_COLL_OFF};
/* Owner at topic 3: LiquidationCall (user). */
static const rpc_hash32 owner3[] = {T_AAVE_LIQUIDATION};
/* Owner at topic 1: UserEModeSet (user), FlashLoan (target). */
static const rpc_hash32 owner1[] = {T_AAVE_EMODE, T_AAVE_FLASHLOAN};

static const rpc_hash32 t_supply = T_AAVE_SUPPLY, t_withdraw = T_AAVE_WITHDRAW,
                        t_borrow = T_AAVE_BORROW, t_repay = T_AAVE_REPAY,
                        t_liq = T_AAVE_LIQUIDATION, t_on = T_AAVE_COLL_ON, t_off = T_AAVE_COLL_OFF,
                        t_flash = T_AAVE_FLASHLOAN, t_emode = T_AAVE_EMODE;

static bool has_kind(const wl_set *set, enum wl_proto_kind k)
{
    for (size_t i = 0; set && i < wl_protocol_count(set); i++)
        if (wl_protocol_at(set, i)->kind == k)
            return true;
    return false;
}

static bool is_pool(const wl_set *set, const rpc_addr *a)
{
    for (size_t i = 0; set && i < wl_protocol_count(set); i++) {
        const wl_protocol *p = wl_protocol_at(set, i);
        if (p->kind == WL_PROTO_AAVE_V3 && !memcmp(p->contract.b, a->b, 20))
            return true;
    }
    return false;
}

/* The emitter is not in the filters (their address lists would have to outlive them):
 * the owner topics keep the answer small, and decode drops logs of other contracts. */
int trk_aave_filters(trk_filters *fs, uint16_t self, const trk_watch *w)
{
    if (!has_kind(w->set, WL_PROTO_AAVE_V3))
        return TRK_OK;
    size_t chunk = w->chunk ? w->chunk : 1000;
    static const struct {
        const rpc_hash32 *t0;
        size_t n, at;
    } shapes[] = {{owner2, 6, 2}, {owner3, 1, 3}, {owner1, 2, 1}};
    for (size_t s = 0; s < 3; s++)
        for (size_t i = 0; i < fs->nwords; i += chunk) {
            rpc_log_filter f;
            memset(&f, 0, sizeof f);
            f.topics[0] = shapes[s].t0;
            f.n_topics[0] = shapes[s].n;
            f.topics[shapes[s].at] = fs->words + i;
            f.n_topics[shapes[s].at] = fs->nwords - i < chunk ? fs->nwords - i : chunk;
            int rc = trk_filters_add(fs, self, &f);
            if (rc)
                return rc;
        }
    return TRK_OK;
}

static bool is(const rpc_log *log, const rpc_hash32 *t, size_t ntopics, size_t data_words)
{
    return !memcmp(&log->topics[0], t, 32) && log->n_topics == ntopics &&
           log->data_len == 32 * data_words;
}

int trk_aave_decode(trk_event *ev, bool *ok, const rpc_log *log, const trk_watch *w)
{
    memset(ev, 0, sizeof *ev);
    *ok = false;
    if (log->n_topics == 0 || !is_pool(w->set, &log->address))
        return TRK_OK;
    rpc_abi t, d;
    rpc_abi_init(&t, log->topics[0].b, 32 * log->n_topics);
    rpc_abi_init(&d, log->data, log->data_len);
    int rc = RPC_OK;
    if (is(log, &t_supply, 4, 2) || is(log, &t_borrow, 4, 4)) {
        ev->kind =
            !memcmp(&log->topics[0], &t_supply, 32) ? TRK_EV_LEND_SUPPLY : TRK_EV_LEND_BORROW;
        rc = rpc_abi_address(&ev->asset, &t, 1);
        if (!rc)
            rc = rpc_abi_address(&ev->from, &t, 2);
        if (!rc)
            rc = rpc_abi_address(&ev->to, &d, 0);
        if (!rc)
            rc = rpc_abi_uint(&ev->amount, &d, 1, 256);
    } else if (is(log, &t_withdraw, 4, 1) || is(log, &t_repay, 4, 2)) {
        ev->kind =
            !memcmp(&log->topics[0], &t_withdraw, 32) ? TRK_EV_LEND_WITHDRAW : TRK_EV_LEND_REPAY;
        rc = rpc_abi_address(&ev->asset, &t, 1);
        if (!rc)
            rc = rpc_abi_address(&ev->from, &t, 2);
        if (!rc)
            rc = rpc_abi_address(&ev->to, &t, 3);
        if (!rc)
            rc = rpc_abi_uint(&ev->amount, &d, 0, 256);
    } else if (is(log, &t_liq, 4, 4)) {
        ev->kind = TRK_EV_LEND_LIQUIDATED;
        rc = rpc_abi_address(&ev->asset, &t, 1);
        if (!rc)
            rc = rpc_abi_address(&ev->asset2, &t, 2);
        if (!rc)
            rc = rpc_abi_address(&ev->from, &t, 3);
        if (!rc)
            rc = rpc_abi_uint(&ev->amount2, &d, 0, 256);
        if (!rc)
            rc = rpc_abi_uint(&ev->amount, &d, 1, 256);
        if (!rc)
            rc = rpc_abi_address(&ev->to, &d, 2);
    } else if (is(log, &t_on, 3, 0) || is(log, &t_off, 3, 0)) {
        ev->kind = !memcmp(&log->topics[0], &t_on, 32) ? TRK_EV_LEND_COLL_ON : TRK_EV_LEND_COLL_OFF;
        rc = rpc_abi_address(&ev->asset, &t, 1);
        if (!rc)
            rc = rpc_abi_address(&ev->from, &t, 2);
    } else if (is(log, &t_emode, 2, 1)) {
        ev->kind = TRK_EV_LEND_EMODE;
        rc = rpc_abi_address(&ev->from, &t, 1);
        if (!rc)
            rc = rpc_abi_uint(&ev->amount, &d, 0, 8);
    } else if (is(log, &t_flash, 4, 4)) {
        ev->kind = TRK_EV_LEND_FLASHLOAN;
        rc = rpc_abi_address(&ev->from, &t, 1);
        if (!rc)
            rc = rpc_abi_address(&ev->asset, &t, 2);
        if (!rc)
            rc = rpc_abi_address(&ev->to, &d, 0);
        if (!rc)
            rc = rpc_abi_uint(&ev->amount, &d, 1, 256);
    } else {
        return TRK_OK; /* ReserveDataUpdated and the rest: not a position's event */
    }
    if (rc) {
        memset(ev, 0, sizeof *ev);
        return TRK_EDECODE;
    }
    ev->protocol = TRK_PROTO_AAVE_V3;
    *ok = true;
    return TRK_OK;
}
