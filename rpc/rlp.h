/* rpc/rlp.h — Ethereum's Recursive Length Prefix (Yellow Paper, appendix B).
 *
 * Decoding is strict: only the canonical encoding of a value is accepted, so a decoded
 * item's raw bytes can be hashed or re-emitted as they are. Rejected (RPC_ERLP): a single
 * byte < 0x80 wrapped as a string (0x81 0x05), the long form for a payload shorter than
 * 56 bytes, a length with leading zero bytes, any length reaching past its enclosing
 * item, trailing bytes after the top item, nesting deeper than RPC_RLP_MAX_DEPTH.
 * Decoded items borrow the caller's input: they are valid while that buffer is.
 *
 * Encoding appends to a growable buffer whose maximum size the caller chooses. Appends
 * cannot be ignored by mistake: the first error sticks, later appends do nothing, and
 * rpc_rlp_enc_finish() reports it. */
#ifndef WT_RPC_RLP_H
#define WT_RPC_RLP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rpc/err.h"
#include "rpc/types.h"

/* Deepest list nesting the decoder follows (a typed transaction needs 4). */
#define RPC_RLP_MAX_DEPTH 16

/* One decoded item. Every pointer borrows the decoded input. */
typedef struct rpc_rlp_item {
    const uint8_t *raw;     /* the whole encoding: header + payload */
    size_t raw_len;
    const uint8_t *payload; /* a string's bytes, or a list's concatenated items */
    size_t len;
    bool is_list;
} rpc_rlp_item;

/* rpc_rlp_decode: decode the single item that spans in[0..n) exactly, and validate the
 *   whole tree below it (every nested header, length and depth).
 * Returns: RPC_OK; RPC_ERLP (empty input, non-canonical, out of bounds, trailing bytes,
 *          deeper than RPC_RLP_MAX_DEPTH).
 * Out:     *item, borrowing in; zeroed on error.
 * In:      in, n: the encoding (in may be NULL when n is 0). */
RPC_WUR int rpc_rlp_decode(rpc_rlp_item *item, const uint8_t *in, size_t n);

/* rpc_rlp_items: the direct children of a list item, in order.
 * Returns: RPC_OK; RPC_ERLP (item is not a list, or a child header is malformed);
 *          RPC_ETOO_LARGE (more than max children).
 * Out:     out[0..*count) borrowing the list's input; *count = 0 on error.
 * In:      list: an item from rpc_rlp_decode or from another call of this function;
 *          out, max: room for max items. */
RPC_WUR int rpc_rlp_items(rpc_rlp_item *out, size_t max, size_t *count, const rpc_rlp_item *list);

/* rpc_rlp_next: walk a list's children one at a time (for lists of unknown length).
 *   Start with *pos = 0; each call yields the child at *pos and advances it.
 * Returns: RPC_OK (a child in *child); RPC_ENOTFOUND (no more children); RPC_ERLP (list
 *          is not a list, or the child's header is malformed).
 * Out:     *child borrowing the list's input; zeroed unless RPC_OK. */
RPC_WUR int rpc_rlp_next(rpc_rlp_item *child, size_t *pos, const rpc_rlp_item *list);

/* Typed views of a string item. Integers are canonical: big-endian without leading zero
 * bytes, zero is the empty string (so 0x00 is rejected as an integer).
 * Returns: RPC_OK; RPC_ERLP (a list, a leading zero, or not exactly n bytes for
 *          rpc_rlp_fixed); RPC_ETOO_LARGE (does not fit: > 8 bytes for u64, > 32 for u256).
 * Out:     the value; zeroed on error. */
RPC_WUR int rpc_rlp_u64(uint64_t *v, const rpc_rlp_item *item);
RPC_WUR int rpc_rlp_u256(rpc_u256 *v, const rpc_rlp_item *item);
RPC_WUR int rpc_rlp_fixed(uint8_t *out, size_t n, const rpc_rlp_item *item);

/* rpc_rlp_list_header: write the header of a list whose payload is len bytes.
 * Returns: the header's length, 1..9. Out: out[0..return). Lets a caller hash a list
 * without building it: keccak(header || raw items). */
size_t rpc_rlp_list_header(uint8_t out[9], size_t len);

/* rpc_rlp_put_u64: write the canonical encoding of the integer v (0 -> 0x80).
 * Returns: its length, 1..9. Out: out[0..return). */
size_t rpc_rlp_put_u64(uint8_t out[9], uint64_t v);

/* An encoder. Owns its buffer; one thread at a time. Initialise with rpc_rlp_enc_init,
 * release with rpc_rlp_enc_free (always, also after an error). */
typedef struct rpc_rlp_enc {
    uint8_t *buf;
    size_t len;   /* bytes written */
    size_t alloc; /* bytes allocated */
    size_t max;   /* cap chosen by the caller */
    int err;      /* first error, sticky */
} rpc_rlp_enc;

/* rpc_rlp_enc_init: an empty encoder that will not grow beyond max bytes. No allocation. */
void rpc_rlp_enc_init(rpc_rlp_enc *e, size_t max);

/* Appends. An error (RPC_ETOO_LARGE beyond max, RPC_ENOMEM) is kept in e->err. */
void rpc_rlp_enc_bytes(rpc_rlp_enc *e, const uint8_t *p, size_t n); /* a string */
void rpc_rlp_enc_u64(rpc_rlp_enc *e, uint64_t v);                   /* a canonical integer */
void rpc_rlp_enc_u256(rpc_rlp_enc *e, const rpc_u256 *v);
void rpc_rlp_enc_raw(rpc_rlp_enc *e, const uint8_t *p, size_t n); /* bytes as they are,
                                                                   * e.g. an item's raw */
/* A list: mark = rpc_rlp_enc_list_begin(e); append its items; rpc_rlp_enc_list_end(e, mark).
 * Lists nest; each end must match the latest unmatched begin. */
size_t rpc_rlp_enc_list_begin(rpc_rlp_enc *e);
void rpc_rlp_enc_list_end(rpc_rlp_enc *e, size_t mark);

/* rpc_rlp_enc_finish: the encoding so far.
 * Returns: RPC_OK; the first append error (RPC_ETOO_LARGE, RPC_ENOMEM).
 * Out:     *out, *outlen: borrowed from e, valid until the next append or
 *          rpc_rlp_enc_free; NULL and 0 on error. */
RPC_WUR int rpc_rlp_enc_finish(rpc_rlp_enc *e, const uint8_t **out, size_t *outlen);

/* rpc_rlp_enc_free: release the buffer; e may be initialised again. */
void rpc_rlp_enc_free(rpc_rlp_enc *e);

#endif
