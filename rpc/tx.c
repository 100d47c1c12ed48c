/* rpc/tx.c — signed transaction decoding, hashing and sender recovery.
 * Invariant: a decoded rpc_tx only exists if every field had the shape its type demands;
 * its sighash is keccak over the canonical RLP of the unsigned fields, rebuilt from the
 * raw field encodings (canonical, since the RLP decoder admits nothing else). */
#include <assert.h>
#include <string.h>
#include <threads.h>

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "rpc/keccak.h"
#include "rpc/tx.h"

/* Position of each field in a type's RLP list; -1 when the type lacks it. The signature
 * (v or y parity, r, s) is always the last three fields. */
typedef struct layout {
    int nfields, chain_id, nonce, gas_price, prio_fee, max_fee, gas, to, value, data, access,
        blob_fee, blob_hashes, auth;
} layout;

static const layout LAYOUTS[5] = {
    /*      n  chain nonce gp  prio max gas to val data acc bfee bh auth */
    [0] = {9, -1, 0, 1, -1, -1, 2, 3, 4, 5, -1, -1, -1, -1},
    [1] = {11, 0, 1, 2, -1, -1, 3, 4, 5, 6, 7, -1, -1, -1},
    [2] = {12, 0, 1, -1, 2, 3, 4, 5, 6, 7, 8, -1, -1, -1},
    [3] = {14, 0, 1, -1, 2, 3, 4, 5, 6, 7, 8, 9, 10, -1},
    [4] = {13, 0, 1, -1, 2, 3, 4, 5, 6, 7, 8, -1, -1, 9},
};
#define MAX_FIELDS 14

/* secp256k1's group order n, and n/2 (EIP-2's bound on s), big-endian. */
static const uint8_t ORDER[32] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
static const uint8_t HALF_ORDER[32] = {
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0};

/* Field readers: any malformation of a field is RPC_ETX. */
static int get_u64(uint64_t *v, const rpc_rlp_item *it)
{
    return rpc_rlp_u64(v, it) ? RPC_ETX : RPC_OK;
}

static int get_u256(rpc_u256 *v, const rpc_rlp_item *it)
{
    return rpc_rlp_u256(v, it) ? RPC_ETX : RPC_OK;
}

/* A canonical integer of at most 32 bytes, left-padded into out (r and s). */
static int get_word(uint8_t out[32], const rpc_rlp_item *it)
{
    rpc_u256 tmp;
    if (rpc_rlp_u256(&tmp, it))
        return RPC_ETX;
    memset(out, 0, 32);
    memcpy(out + 32 - it->len, it->payload, it->len);
    return RPC_OK;
}

/* Walk the children of a list, checking each with fn; count them. */
static int each(size_t *count, const rpc_rlp_item *list, int (*fn)(const rpc_rlp_item *))
{
    rpc_rlp_item it;
    size_t pos = 0, k = 0;
    int rc;
    if (!list->is_list)
        return RPC_ETX;
    while ((rc = rpc_rlp_next(&it, &pos, list)) == RPC_OK) {
        if (fn(&it))
            return RPC_ETX;
        k++;
    }
    if (rc != RPC_ENOTFOUND)
        return RPC_ETX;
    *count = k;
    return RPC_OK;
}

static int is_hash32(const rpc_rlp_item *it)
{
    return !it->is_list && it->len == 32 ? RPC_OK : RPC_ETX;
}

/* [address, [key32, ...]] */
static int is_access_entry(const rpc_rlp_item *it)
{
    rpc_rlp_item f[2];
    size_t n, keys;
    if (rpc_rlp_items(f, 2, &n, it) || n != 2 || f[0].is_list || f[0].len != 20)
        return RPC_ETX;
    return each(&keys, &f[1], is_hash32);
}

/* [chain_id, address, nonce, y_parity, r, s] (EIP-7702); fills a when not NULL. */
static int auth_fields(rpc_tx_auth *a, const rpc_rlp_item *it)
{
    rpc_tx_auth tmp;
    rpc_rlp_item f[6];
    size_t n;
    uint64_t y;
    if (!a)
        a = &tmp;
    if (rpc_rlp_items(f, 6, &n, it) || n != 6)
        return RPC_ETX;
    if (get_u256(&a->chain_id, &f[0]) || f[1].is_list || f[1].len != 20 ||
        get_u64(&a->nonce, &f[2]) || get_u64(&y, &f[3]) || y > 0xff || get_word(a->r, &f[4]) ||
        get_word(a->s, &f[5]))
        return RPC_ETX;
    memcpy(a->address.b, f[1].payload, 20);
    a->y_parity = (uint8_t)y;
    /* the signed message: 0x05 (MAGIC) || rlp([chain_id, address, nonce]) */
    size_t payload = f[0].raw_len + f[1].raw_len + f[2].raw_len;
    uint8_t h[9], magic = 0x05;
    size_t hl = rpc_rlp_list_header(h, payload);
    rpc_keccak k;
    rpc_keccak_init(&k);
    rpc_keccak_update(&k, &magic, 1);
    rpc_keccak_update(&k, h, hl);
    for (int i = 0; i < 3; i++)
        rpc_keccak_update(&k, f[i].raw, f[i].raw_len);
    rpc_keccak_final(&k, a->sighash.b);
    return RPC_OK;
}

static int is_authorization(const rpc_rlp_item *it)
{
    return auth_fields(NULL, it);
}

/* keccak256([type ||] rlp([fields[0..nf), extra...])), without building the list. */
static void signing_hash(rpc_hash32 *out, int type, const rpc_rlp_item *f, size_t nf,
                         const uint8_t *extra, size_t extra_len)
{
    size_t payload = extra_len;
    for (size_t i = 0; i < nf; i++)
        payload += f[i].raw_len;
    uint8_t h[9];
    size_t hl = rpc_rlp_list_header(h, payload);
    rpc_keccak k;
    rpc_keccak_init(&k);
    if (type != RPC_TX_LEGACY) {
        uint8_t t = (uint8_t)type;
        rpc_keccak_update(&k, &t, 1);
    }
    rpc_keccak_update(&k, h, hl);
    for (size_t i = 0; i < nf; i++)
        rpc_keccak_update(&k, f[i].raw, f[i].raw_len);
    rpc_keccak_update(&k, extra, extra_len);
    rpc_keccak_final(&k, out->b);
}

/* Fill tx from the fields of a list of the given type. */
static int decode_fields(rpc_tx *tx, int type, const rpc_rlp_item *list)
{
    const layout *L = &LAYOUTS[type];
    rpc_rlp_item f[MAX_FIELDS];
    size_t n;
    if (rpc_rlp_items(f, MAX_FIELDS, &n, list) || n != (size_t)L->nfields)
        return RPC_ETX;
    for (size_t i = 0; i < n; i++) /* only the lists may be lists */
        if (f[i].is_list && (int)i != L->access && (int)i != L->blob_hashes && (int)i != L->auth)
            return RPC_ETX;

    tx->type = (uint8_t)type;
    if (L->chain_id >= 0 && get_u64(&tx->chain_id, &f[L->chain_id]))
        return RPC_ETX;
    tx->has_chain_id = L->chain_id >= 0;
    if (get_u64(&tx->nonce, &f[L->nonce]) || get_u64(&tx->gas_limit, &f[L->gas]) ||
        get_u256(&tx->value, &f[L->value]))
        return RPC_ETX;
    if (L->gas_price >= 0 && get_u256(&tx->gas_price, &f[L->gas_price]))
        return RPC_ETX;
    if (L->prio_fee >= 0 && (get_u256(&tx->max_priority_fee_per_gas, &f[L->prio_fee]) ||
                             get_u256(&tx->max_fee_per_gas, &f[L->max_fee])))
        return RPC_ETX;

    const rpc_rlp_item *to = &f[L->to];
    if (to->len == 20) {
        tx->has_to = true;
        memcpy(tx->to.b, to->payload, 20);
    } else if (to->len != 0 || type == RPC_TX_BLOB || type == RPC_TX_SET_CODE) {
        return RPC_ETX; /* types 3 and 4 cannot create contracts */
    }
    tx->data = f[L->data].payload;
    tx->data_len = f[L->data].len;

    if (L->access >= 0) {
        tx->access_list = f[L->access];
        if (each(&tx->access_list_count, &tx->access_list, is_access_entry))
            return RPC_ETX;
    }
    if (L->blob_fee >= 0) {
        tx->blob_hashes = f[L->blob_hashes];
        if (get_u256(&tx->max_fee_per_blob_gas, &f[L->blob_fee]) ||
            each(&tx->blob_hash_count, &tx->blob_hashes, is_hash32))
            return RPC_ETX;
    }
    if (L->auth >= 0) {
        tx->authorizations = f[L->auth];
        if (each(&tx->authorization_count, &tx->authorizations, is_authorization))
            return RPC_ETX;
    }

    uint64_t v;
    if (get_u64(&v, &f[n - 3]) || get_word(tx->r, &f[n - 2]) || get_word(tx->s, &f[n - 1]))
        return RPC_ETX;
    uint8_t extra[11];
    size_t extra_len = 0;
    if (type != RPC_TX_LEGACY) {
        if (v > 1)
            return RPC_ETX;
        tx->y_parity = (uint8_t)v;
    } else if (v == 27 || v == 28) {
        tx->y_parity = (uint8_t)(v - 27);
    } else if (v >= 35) { /* EIP-155: v = 35 + 2 * chain_id + y; sign [.., chain_id, 0, 0] */
        tx->has_chain_id = true;
        tx->chain_id = (v - 35) / 2;
        tx->y_parity = (uint8_t)((v - 35) % 2);
        extra_len = rpc_rlp_put_u64(extra, tx->chain_id);
        extra[extra_len++] = 0x80;
        extra[extra_len++] = 0x80;
    } else {
        return RPC_ETX;
    }
    signing_hash(&tx->sighash, type, f, n - 3, extra, extra_len);
    return RPC_OK;
}

int rpc_tx_decode(rpc_tx *tx, const uint8_t *raw, size_t n)
{
    assert(tx && (raw || n == 0));
    memset(tx, 0, sizeof *tx);
    if (n == 0)
        return RPC_ETX;
    int type = RPC_TX_LEGACY;
    const uint8_t *body = raw;
    size_t body_len = n;
    if (raw[0] < 0xc0) { /* EIP-2718: a type byte, then the payload */
        if (raw[0] < RPC_TX_ACCESS_LIST || raw[0] > RPC_TX_SET_CODE)
            return RPC_ETX;
        type = raw[0];
        body++;
        body_len--;
    }
    rpc_rlp_item list;
    int rc = rpc_rlp_decode(&list, body, body_len);
    if (rc == 0 && !list.is_list)
        rc = RPC_ETX;
    if (rc == 0)
        rc = decode_fields(tx, type, &list);
    if (rc) {
        memset(tx, 0, sizeof *tx);
        return rc;
    }
    rpc_keccak256(tx->hash.b, raw, n);
    return RPC_OK;
}

/* libsecp256k1's static context does recovery without precomputation or allocation and
 * is immutable, so threads share it; the library's self-test runs once before first use. */
static once_flag selftest_once = ONCE_FLAG_INIT;

static void selftest(void)
{
    secp256k1_selftest();
}

static bool is_zero32(const uint8_t b[32])
{
    uint8_t acc = 0;
    for (int i = 0; i < 32; i++)
        acc |= b[i];
    return acc == 0;
}

int rpc_tx_ecrecover(rpc_addr *from, const uint8_t hash32[32], const uint8_t r32[32],
                     const uint8_t s32[32], unsigned recid)
{
    assert(from && hash32 && r32 && s32);
    memset(from, 0, sizeof *from);
    if (recid > 3 || is_zero32(r32) || is_zero32(s32) || memcmp(r32, ORDER, 32) >= 0 ||
        memcmp(s32, ORDER, 32) >= 0)
        return RPC_ESIG;
    call_once(&selftest_once, selftest);
    const secp256k1_context *ctx = secp256k1_context_static;
    uint8_t rs[64];
    memcpy(rs, r32, 32);
    memcpy(rs + 32, s32, 32);
    secp256k1_ecdsa_recoverable_signature sig;
    secp256k1_pubkey pub;
    if (!secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &sig, rs, (int)recid) ||
        !secp256k1_ecdsa_recover(ctx, &pub, &sig, hash32))
        return RPC_ESIG;
    uint8_t ser[65], digest[32];
    size_t serlen = sizeof ser;
    if (!secp256k1_ec_pubkey_serialize(ctx, ser, &serlen, &pub, SECP256K1_EC_UNCOMPRESSED))
        return RPC_ESIG;
    rpc_keccak256(digest, ser + 1, 64); /* the address is keccak(x || y)[12..32) */
    memcpy(from->b, digest + 12, 20);
    return RPC_OK;
}

int rpc_tx_sender(rpc_addr *from, const rpc_tx *tx)
{
    assert(from && tx);
    if (memcmp(tx->s, HALF_ORDER, 32) > 0) { /* EIP-2 */
        memset(from, 0, sizeof *from);
        return RPC_ESIG;
    }
    return rpc_tx_ecrecover(from, tx->sighash.b, tx->r, tx->s, tx->y_parity);
}

int rpc_tx_auth_decode(rpc_tx_auth *a, const rpc_rlp_item *item)
{
    assert(a && item);
    memset(a, 0, sizeof *a);
    int rc = auth_fields(a, item);
    if (rc)
        memset(a, 0, sizeof *a);
    return rc;
}

int rpc_tx_auth_signer(rpc_addr *authority, const rpc_tx_auth *a)
{
    assert(authority && a);
    if (a->y_parity > 1 || memcmp(a->s, HALF_ORDER, 32) > 0) { /* EIP-7702 asks for low s */
        memset(authority, 0, sizeof *authority);
        return RPC_ESIG;
    }
    return rpc_tx_ecrecover(authority, a->sighash.b, a->r, a->s, a->y_parity);
}
