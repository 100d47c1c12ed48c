/* tracker/event.c — the decoder table and the built-in decoders (erc20, weth). Invariant:
 * filters never name watched addresses one request each: they are OR-lists of at most
 * `chunk` topic words, so a watchlist of n addresses costs ceil(n / chunk) filters. */
#include <stdlib.h>
#include <string.h>

#include "rpc/abi.h"
#include "tracker/grow.h"
#include "tracker/event.h"
#include "tracker/lending_dec.h"
#include "tracker/snap.h"

/* keccak256 of the signatures (shared/reference/mainnet.md §2; checked against
 * rpc_keccak_topic in tests/tracker/test_event.c). */
#define TOPIC_TRANSFER_ {{0xdd, 0xf2, 0x52, 0xad, 0x1b, 0xe2, 0xc8, 0x9b, 0x69, 0xc2, 0xb0, \
    0x68, 0xfc, 0x37, 0x8d, 0xaa, 0x95, 0x2b, 0xa7, 0xf1, 0x63, 0xc4, \
    0xa1, 0x16, 0x28, 0xf5, 0x5a, 0x4d, 0xf5, 0x23, 0xb3, 0xef}}
const rpc_hash32 trk_topic_transfer = TOPIC_TRANSFER_;
#define TOPIC_DEPOSIT_ {{0xe1, 0xff, 0xfc, 0xc4, 0x92, 0x3d, 0x04, 0xb5, 0x59, 0xf4, 0xd2, \
    0x9a, 0x8b, 0xfc, 0x6c, 0xda, 0x04, 0xeb, 0x5b, 0x0d, 0x3c, 0x46, \
    0x07, 0x51, 0xc2, 0x40, 0x2c, 0x5c, 0x5c, 0xc9, 0x10, 0x9c}}
#define TOPIC_WITHDRAWAL_ {{0x7f, 0xcf, 0x53, 0x2c, 0x15, 0xf0, 0xa6, 0xdb, 0x0b, 0xd6, 0xd0, \
    0xe0, 0x38, 0xbe, 0xa7, 0x1d, 0x30, 0xd8, 0x08, 0xc7, 0xd9, 0x8c, \
    0xb3, 0xbf, 0x72, 0x68, 0xa9, 0x5b, 0xf5, 0x08, 0x1b, 0x65}}
const rpc_hash32 trk_topic_deposit = TOPIC_DEPOSIT_;
const rpc_hash32 trk_topic_withdrawal = TOPIC_WITHDRAWAL_;

static size_t chunk_of(const trk_watch *w)
{
    return w->chunk ? w->chunk : 1000;
}

int trk_filters_add(trk_filters *fs, uint16_t decoder, const rpc_log_filter *f)
{
    size_t cap = fs->cap; /* two arrays, one capacity */
    void *grown = trk_grow(fs->v, &cap, fs->n, sizeof *fs->v);
    if (!grown)
        return TRK_ENOMEM;
    fs->v = grown;
    size_t dcap = fs->cap;
    grown = trk_grow(fs->decoder, &dcap, fs->n, sizeof *fs->decoder);
    if (!grown)
        return TRK_ENOMEM;
    fs->decoder = grown;
    fs->cap = cap < dcap ? cap : dcap;
    fs->v[fs->n] = *f;
    fs->decoder[fs->n] = decoder;
    fs->n++;
    return TRK_OK;
}

/* erc20: Transfer with the watched words in topic 1 (from), then in topic 2 (to). With
 * WETH contracts known, the topic-1 filters also ask for Deposit and Withdrawal (their
 * topic 1 is the owner): one OR-list of three topic0s instead of a third set of filters,
 * which keeps a 10,000-address poll inside a node's request size limit. */
static const rpc_hash32 side1_topics[3] = {TOPIC_TRANSFER_, TOPIC_DEPOSIT_, TOPIC_WITHDRAWAL_};

static int erc20_filters(trk_filters *fs, uint16_t self, const trk_watch *w)
{
    size_t chunk = chunk_of(w);
    for (int side = 1; side <= 2; side++)
        for (size_t i = 0; i < fs->nwords; i += chunk) {
            rpc_log_filter f = {0};
            f.topics[0] = side == 1 ? side1_topics : &trk_topic_transfer;
            f.n_topics[0] = side == 1 && w->nweth ? 3 : 1;
            f.topics[side] = fs->words + i;
            f.n_topics[side] = fs->nwords - i < chunk ? fs->nwords - i : chunk;
            int rc = trk_filters_add(fs, self, &f);
            if (rc)
                return rc;
        }
    return TRK_OK;
}

static int erc20_decode(trk_event *ev, bool *ok, const rpc_log *log, const trk_watch *w)
{
    (void)w;
    memset(ev, 0, sizeof *ev);
    *ok = false;
    /* ERC-721's Transfer has the same topic0 with the token id indexed (4 topics). */
    if (log->n_topics != 3 || memcmp(&log->topics[0], &trk_topic_transfer, 32) != 0)
        return TRK_OK;
    if (log->data_len != 32)
        return TRK_OK; /* not an ERC-20 Transfer shape: not ours */
    rpc_abi t, d;
    rpc_abi_init(&t, log->topics[0].b, 32 * 3);
    rpc_abi_init(&d, log->data, log->data_len);
    if (rpc_abi_address(&ev->from, &t, 1) || rpc_abi_address(&ev->to, &t, 2) ||
        rpc_abi_uint(&ev->amount, &d, 0, 256)) {
        memset(ev, 0, sizeof *ev);
        return TRK_EDECODE;
    }
    ev->kind = TRK_EV_TRANSFER;
    ev->protocol = TRK_PROTO_WALLET;
    *ok = true;
    return TRK_OK;
}

/* A token balance is read for the watched end of a transfer (the snapshot). */
static int wallet_probes(trk_probes *ps, const trk_event *ev, const rpc_addr *account)
{
    int rc = trk_probe_balance(ps, &ev->asset, account);
    if (rc == TRK_OK)
        rc = trk_probe_native(ps, account);
    return rc;
}


static int weth_decode(trk_event *ev, bool *ok, const rpc_log *log, const trk_watch *w)
{
    memset(ev, 0, sizeof *ev);
    *ok = false;
    bool known = false;
    for (size_t i = 0; i < w->nweth && !known; i++)
        known = !memcmp(w->weth[i].b, log->address.b, 20);
    if (!known)
        return TRK_OK;
    bool dep = memcmp(&log->topics[0], &trk_topic_deposit, 32) == 0;
    bool wd = memcmp(&log->topics[0], &trk_topic_withdrawal, 32) == 0;
    if (log->n_topics != 2 || (!dep && !wd) || log->data_len != 32)
        return TRK_OK;
    rpc_abi t, d;
    rpc_addr who;
    rpc_abi_init(&t, log->topics[0].b, 32 * 2);
    rpc_abi_init(&d, log->data, log->data_len);
    if (rpc_abi_address(&who, &t, 1) || rpc_abi_uint(&ev->amount, &d, 0, 256)) {
        memset(ev, 0, sizeof *ev);
        return TRK_EDECODE;
    }
    ev->kind = dep ? TRK_EV_WRAP : TRK_EV_UNWRAP;
    if (dep)
        ev->to = who;
    else
        ev->from = who;
    ev->protocol = TRK_PROTO_WALLET;
    *ok = true;
    return TRK_OK;
}

static const trk_decoder table[] = {
    {"erc20", erc20_filters, erc20_decode, wallet_probes},
    {"weth", NULL, weth_decode, wallet_probes}, /* its logs come with erc20's filters */
    /* lending rows (tracker/aave.c, tracker/morpho.c): their snapshot reads are planned
     * by tracker/lending.c for the whole position, not per event, so no probes here */
    {"aave-v3", trk_aave_filters, trk_aave_decode, NULL},
    {"morpho-blue", trk_morpho_filters, trk_morpho_decode, NULL},
    /* compound-v3 comes here (no Comet to test against offline yet) */
};

const trk_decoder *trk_decoders(size_t *n)
{
    *n = sizeof table / sizeof table[0];
    return table;
}

int trk_filters_build(trk_filters *fs, const trk_watch *w)
{
    memset(fs, 0, sizeof *fs);
    if (w->naddrs) {
        fs->words = calloc(w->naddrs, sizeof *fs->words);
        if (!fs->words)
            return TRK_ENOMEM;
        for (size_t i = 0; i < w->naddrs; i++)
            memcpy(fs->words[i].b + 12, w->addrs[i].b, 20);
        fs->nwords = w->naddrs;
    }
    size_t n;
    const trk_decoder *d = trk_decoders(&n);
    for (size_t i = 0; fs->nwords && i < n; i++) {
        if (!d[i].filters)
            continue;
        int rc = d[i].filters(fs, (uint16_t)i, w);
        if (rc) {
            trk_filters_free(fs);
            return rc;
        }
    }
    return TRK_OK;
}

void trk_filters_range(trk_filters *fs, uint64_t from, uint64_t to)
{
    for (size_t i = 0; i < fs->n; i++) {
        fs->v[i].from_block = from;
        fs->v[i].to_block = to;
    }
}

void trk_filters_free(trk_filters *fs)
{
    if (!fs)
        return;
    free(fs->v);
    free(fs->decoder);
    free(fs->words);
    memset(fs, 0, sizeof *fs);
}

int trk_decode_log(trk_event *ev, bool *ok, const rpc_log *log, const trk_watch *w)
{
    size_t n;
    const trk_decoder *d = trk_decoders(&n);
    memset(ev, 0, sizeof *ev);
    *ok = false;
    if (log->n_topics == 0)
        return TRK_OK;
    for (size_t i = 0; i < n; i++) {
        int rc = d[i].decode(ev, ok, log, w);
        if (rc)
            return rc;
        if (!*ok)
            continue;
        ev->decoder = (uint16_t)i;
        ev->contract = log->address;
        if (ev->protocol == TRK_PROTO_WALLET)
            ev->asset = log->address;
        ev->block = log->block_number;
        ev->log_index = (uint32_t)log->log_index;
        ev->block_hash = log->block_hash;
        ev->tx_hash = log->tx_hash;
        return TRK_OK;
    }
    return TRK_OK;
}
