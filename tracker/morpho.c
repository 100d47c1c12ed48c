/* tracker/morpho.c — the morpho-blue decoder row. Invariant: a log is claimed only when its
 * emitter is a morpho-blue contract of the watchlist, its market is one the watchlist
 * names (or the protocol names none: every market), and its shape is the event's exact
 * one (shared/reference/mainnet.md §2: the owner is onBehalf, or borrower in Liquidate). */
#include <string.h>

#include "rpc/abi.h"
#include "tracker/lending_dec.h"

/* Supply(bytes32,address,address,uint256,uint256) =
 * 0xedf8870433c83823eb071d3df1caa8d008f12f6440918c20d75a3602cda30fe0 */
#define T_MB_SUPPLY                                                                                \
    {                                                                                              \
        {                                                                                          \
            0xed, 0xf8, 0x87, 0x04, 0x33, 0xc8, 0x38, 0x23, 0xeb, 0x07, 0x1d, 0x3d, 0xf1, 0xca,    \
                0xa8, 0xd0, 0x08, 0xf1, 0x2f, 0x64, 0x40, 0x91, 0x8c, 0x20, 0xd7, 0x5a, 0x36,      \
                0x02, 0xcd, 0xa3, 0x0f, 0xe0                                                       \
        }                                                                                          \
    }
/* Withdraw(bytes32,address,address,address,uint256,uint256) =
 * 0xa56fc0ad5702ec05ce63666221f796fb62437c32db1aa1aa075fc6484cf58fbf */
#define T_MB_WITHDRAW                                                                              \
    {                                                                                              \
        {                                                                                          \
            0xa5, 0x6f, 0xc0, 0xad, 0x57, 0x02, 0xec, 0x05, 0xce, 0x63, 0x66, 0x62, 0x21, 0xf7,    \
                0x96, 0xfb, 0x62, 0x43, 0x7c, 0x32, 0xdb, 0x1a, 0xa1, 0xaa, 0x07, 0x5f, 0xc6,      \
                0x48, 0x4c, 0xf5, 0x8f, 0xbf                                                       \
        }                                                                                          \
    }
/* Borrow(bytes32,address,address,address,uint256,uint256) =
 * 0x570954540bed6b1304a87dfe815a5eda4a648f7097a16240dcd85c9b5fd42a43 */
#define T_MB_BORROW                                                                                \
    {                                                                                              \
        {                                                                                          \
            0x57, 0x09, 0x54, 0x54, 0x0b, 0xed, 0x6b, 0x13, 0x04, 0xa8, 0x7d, 0xfe, 0x81, 0x5a,    \
                0x5e, 0xda, 0x4a, 0x64, 0x8f, 0x70, 0x97, 0xa1, 0x62, 0x40, 0xdc, 0xd8, 0x5c,      \
                0x9b, 0x5f, 0xd4, 0x2a, 0x43                                                       \
        }                                                                                          \
    }
/* Repay(bytes32,address,address,uint256,uint256) =
 * 0x52acb05cebbd3cd39715469f22afbf5a17496295ef3bc9bb5944056c63ccaa09 */
#define T_MB_REPAY                                                                                 \
    {                                                                                              \
        {                                                                                          \
            0x52, 0xac, 0xb0, 0x5c, 0xeb, 0xbd, 0x3c, 0xd3, 0x97, 0x15, 0x46, 0x9f, 0x22, 0xaf,    \
                0xbf, 0x5a, 0x17, 0x49, 0x62, 0x95, 0xef, 0x3b, 0xc9, 0xbb, 0x59, 0x44, 0x05,      \
                0x6c, 0x63, 0xcc, 0xaa, 0x09                                                       \
        }                                                                                          \
    }
/* SupplyCollateral(bytes32,address,address,uint256) =
 * 0xa3b9472a1399e17e123f3c2e6586c23e504184d504de59cdaa2b375e880c6184 */
#define T_MB_SUPPLY_COLL                                                                           \
    {                                                                                              \
        {                                                                                          \
            0xa3, 0xb9, 0x47, 0x2a, 0x13, 0x99, 0xe1, 0x7e, 0x12, 0x3f, 0x3c, 0x2e, 0x65, 0x86,    \
                0xc2, 0x3e, 0x50, 0x41, 0x84, 0xd5, 0x04, 0xde, 0x59, 0xcd, 0xaa, 0x2b, 0x37,      \
                0x5e, 0x88, 0x0c, 0x61, 0x84                                                       \
        }                                                                                          \
    }
/* WithdrawCollateral(bytes32,address,address,address,uint256) =
 * 0xe80ebd7cc9223d7382aab2e0d1d6155c65651f83d53c8b9b06901d167e321142 */
#define T_MB_WITHDRAW_COLL                                                                         \
    {                                                                                              \
        {                                                                                          \
            0xe8, 0x0e, 0xbd, 0x7c, 0xc9, 0x22, 0x3d, 0x73, 0x82, 0xaa, 0xb2, 0xe0, 0xd1, 0xd6,    \
                0x15, 0x5c, 0x65, 0x65, 0x1f, 0x83, 0xd5, 0x3c, 0x8b, 0x9b, 0x06, 0x90, 0x1d,      \
                0x16, 0x7e, 0x32, 0x11, 0x42                                                       \
        }                                                                                          \
    }
/* Liquidate(bytes32,address,address,uint256,uint256,uint256,uint256,uint256) =
 * 0xa4946ede45d0c6f06a0f5ce92c9ad3b4751452d2fe0e25010783bcab57a67e41 */
#define T_MB_LIQUIDATE                                                                             \
    {                                                                                              \
        {                                                                                          \
            0xa4, 0x94, 0x6e, 0xde, 0x45, 0xd0, 0xc6, 0xf0, 0x6a, 0x0f, 0x5c, 0xe9, 0x2c, 0x9a,    \
                0xd3, 0xb4, 0x75, 0x14, 0x52, 0xd2, 0xfe, 0x0e, 0x25, 0x01, 0x07, 0x83, 0xbc,      \
                0xab, 0x57, 0xa6, 0x7e, 0x41                                                       \
        }                                                                                          \
    }

/* Owner (onBehalf / borrower) at topic 3, caller at topic 2. */
static const rpc_hash32 owner3[] = {T_MB_SUPPLY, T_MB_REPAY, T_MB_SUPPLY_COLL, T_MB_LIQUIDATE};
/* Owner at topic 2, receiver at topic 3; caller in the data. */
static const rpc_hash32 owner2[] = {T_MB_WITHDRAW, T_MB_BORROW, T_MB_WITHDRAW_COLL};

static const rpc_hash32 t_supply = T_MB_SUPPLY, t_withdraw = T_MB_WITHDRAW, t_borrow = T_MB_BORROW,
                        t_repay = T_MB_REPAY, t_scoll = T_MB_SUPPLY_COLL,
                        t_wcoll = T_MB_WITHDRAW_COLL, t_liq = T_MB_LIQUIDATE;

/* The watchlist's morpho-blue protocol at address a, NULL if none. */
static const wl_protocol *morpho_at(const wl_set *set, const rpc_addr *a)
{
    for (size_t i = 0; set && i < wl_protocol_count(set); i++) {
        const wl_protocol *p = wl_protocol_at(set, i);
        if (p->kind == WL_PROTO_MORPHO_BLUE && (!a || !memcmp(p->contract.b, a->b, 20)))
            return p;
    }
    return NULL;
}

int trk_morpho_filters(trk_filters *fs, uint16_t self, const trk_watch *w)
{
    if (!morpho_at(w->set, NULL))
        return TRK_OK;
    size_t chunk = w->chunk ? w->chunk : 1000;
    for (int s = 0; s < 2; s++)
        for (size_t i = 0; i < fs->nwords; i += chunk) {
            rpc_log_filter f;
            memset(&f, 0, sizeof f);
            f.topics[0] = s == 0 ? owner3 : owner2;
            f.n_topics[0] = s == 0 ? 4 : 3;
            size_t at = s == 0 ? 3 : 2;
            f.topics[at] = fs->words + i;
            f.n_topics[at] = fs->nwords - i < chunk ? fs->nwords - i : chunk;
            int rc = trk_filters_add(fs, self, &f);
            if (rc)
                return rc;
        }
    return TRK_OK;
}

static bool is(const rpc_log *log, const rpc_hash32 *t, size_t data_words)
{
    return !memcmp(&log->topics[0], t, 32) && log->n_topics == 4 &&
           log->data_len == 32 * data_words;
}

static bool market_watched(const wl_protocol *p, const rpc_hash32 *id)
{
    if (p->nmarkets == 0)
        return true;
    for (size_t i = 0; i < p->nmarkets; i++)
        if (!memcmp(p->markets[i].b, id->b, 32))
            return true;
    return false;
}

int trk_morpho_decode(trk_event *ev, bool *ok, const rpc_log *log, const trk_watch *w)
{
    memset(ev, 0, sizeof *ev);
    *ok = false;
    const wl_protocol *p = log->n_topics == 4 ? morpho_at(w->set, &log->address) : NULL;
    if (!p || !market_watched(p, &log->topics[1]))
        return TRK_OK;
    rpc_abi t, d;
    rpc_abi_init(&t, log->topics[0].b, 32 * 4);
    rpc_abi_init(&d, log->data, log->data_len);
    int rc;
    /* topic-3 owners: Supply, Repay (assets, shares), SupplyCollateral (assets), Liquidate */
    bool supply = is(log, &t_supply, 2), repay = is(log, &t_repay, 2);
    if (supply || repay || is(log, &t_scoll, 1)) {
        ev->kind = supply  ? TRK_EV_LEND_SUPPLY
                   : repay ? TRK_EV_LEND_REPAY
                           : TRK_EV_LEND_SUPPLY_COLL;
        rc = rpc_abi_address(&ev->to, &t, 2);
        if (!rc)
            rc = rpc_abi_address(&ev->from, &t, 3);
        if (!rc)
            rc = rpc_abi_uint(&ev->amount, &d, 0, 256);
        if (!rc && log->data_len == 64)
            rc = rpc_abi_uint(&ev->amount2, &d, 1, 256); /* shares */
    } else if (is(log, &t_liq, 5)) {
        ev->kind = TRK_EV_LEND_LIQUIDATED;
        rc = rpc_abi_address(&ev->to, &t, 2);
        if (!rc)
            rc = rpc_abi_address(&ev->from, &t, 3);
        if (!rc)
            rc = rpc_abi_uint(&ev->amount2, &d, 0, 256); /* repaid assets (debt covered) */
        if (!rc)
            rc = rpc_abi_uint(&ev->amount, &d, 2, 256); /* seized collateral */
    } else {
        /* topic-2 owners: Withdraw, Borrow (caller, assets, shares), WithdrawCollateral */
        bool wd = is(log, &t_withdraw, 3), bo = is(log, &t_borrow, 3);
        if (!wd && !bo && !is(log, &t_wcoll, 2))
            return TRK_OK; /* AccrueInterest, CreateMarket, ...: not a position's event */
        ev->kind = wd ? TRK_EV_LEND_WITHDRAW : bo ? TRK_EV_LEND_BORROW : TRK_EV_LEND_WITHDRAW_COLL;
        rc = rpc_abi_address(&ev->from, &t, 2);
        if (!rc)
            rc = rpc_abi_address(&ev->to, &t, 3); /* the receiver */
        if (!rc)
            rc = rpc_abi_uint(&ev->amount, &d, 1, 256);
        if (!rc && log->data_len == 96)
            rc = rpc_abi_uint(&ev->amount2, &d, 2, 256); /* shares */
    }
    if (rc) {
        memset(ev, 0, sizeof *ev);
        return TRK_EDECODE;
    }
    ev->market = log->topics[1];
    ev->protocol = TRK_PROTO_MORPHO_BLUE;
    *ok = true;
    return TRK_OK;
}
