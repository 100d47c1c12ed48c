/* rpc/abi.h — the Solidity contract ABI: read event data, topics and eth_call results,
 * and build calldata (Multicall3's aggregate3 included).
 *
 * Reading. An rpc_abi is a view of one tuple's head: word i of the head is at p + 32 i,
 * and the offsets found in it count from p. Read a field by its head index:
 *     rpc_abi r;  rpc_abi_init(&r, log_data, log_len);
 *     rpc_abi_uint(&amount, &r, 0, 256);            uint256 at head word 0
 *     rpc_abi_bytes(&p, &len, &r, 2);               bytes whose offset is word 2
 * A static tuple occupies consecutive head words (read its fields at their flat index);
 * a dynamic tuple or array is entered with rpc_abi_tuple / rpc_abi_array, which give a
 * new view. Event topics are words too: an array rpc_hash32 topics[k] is contiguous, so
 * rpc_abi_init(&t, topics[0].b, 32 * k) then rpc_abi_address(&a, &t, 1) reads topic 1.
 * Every read checks bounds and the padding its type demands: any violation is RPC_EABI,
 * never a read outside [data, data + n). Views and byte pointers borrow the caller's data.
 *
 * Writing. An rpc_abi_enc builds one tuple (optionally behind a 4-byte selector) into a
 * buffer capped by the caller. Fill head slots by index in any order; dynamic values go
 * to the tail in the order they are put (put them in head order for the canonical
 * encoding). Puts cannot be ignored by mistake: the first error sticks and
 * rpc_abi_enc_finish() returns it. One encoder per thread. */
#ifndef WT_RPC_ABI_H
#define WT_RPC_ABI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rpc/err.h"
#include "rpc/types.h"

/* A view of a tuple head (or of an array's elements). Copy freely. */
typedef struct rpc_abi {
    const uint8_t *p; /* start of the head; offsets are relative to it */
    size_t n;         /* bytes from p to the end of the data */
} rpc_abi;

/* rpc_abi_init: view data[0..n) as a tuple (a function's return values, a log's data).
 * For calldata, skip the 4-byte selector first. */
void rpc_abi_init(rpc_abi *r, const uint8_t *data, size_t n);

/* Static values at head word index. Each returns RPC_OK, or RPC_EABI when the word lies
 * outside the data or holds a value its type cannot: high bits set in a uint<bits> or an
 * address, bool other than 0 or 1, int<bits> not sign-extended, bytes<n> with non-zero
 * bytes after the first n. Out: the value, zeroed on error. bits is a multiple of 8 in
 * 8..256 (8..64 for rpc_abi_u64); n in 1..32: anything else is a caller error (assert;
 * RPC_EINVAL in release builds). */
RPC_WUR int rpc_abi_word(rpc_hash32 *w, const rpc_abi *r, size_t index); /* bytes32, any word */
RPC_WUR int rpc_abi_uint(rpc_u256 *v, const rpc_abi *r, size_t index, unsigned bits);
RPC_WUR int rpc_abi_u64(uint64_t *v, const rpc_abi *r, size_t index, unsigned bits);
/* int<bits> as sign and magnitude: -5 gives *neg = true, *mag = 5. */
RPC_WUR int rpc_abi_int(rpc_u256 *mag, bool *neg, const rpc_abi *r, size_t index, unsigned bits);
RPC_WUR int rpc_abi_address(rpc_addr *a, const rpc_abi *r, size_t index);
RPC_WUR int rpc_abi_bool(bool *b, const rpc_abi *r, size_t index);
RPC_WUR int rpc_abi_fixed_bytes(uint8_t *out, size_t n, const rpc_abi *r, size_t index);

/* rpc_abi_bytes: a bytes or string value whose offset is at head word index. Strings are
 *   returned as bytes: not NUL-terminated, UTF-8 not checked.
 * Returns: RPC_OK; RPC_EABI (offset or length word outside the data or >= 2^64, the
 *          value or its zero padding to a 32-byte boundary outside the data, non-zero
 *          padding; Solidity's decoder ignores dirty padding, this one does not).
 * Out:     *p, *len borrowing the data (*p non-NULL even when *len is 0); NULL, 0 on error. */
RPC_WUR int rpc_abi_bytes(const uint8_t **p, size_t *len, const rpc_abi *r, size_t index);

/* rpc_abi_tuple: enter the dynamic tuple (or dynamic fixed-size array T[k]) whose
 *   offset is at head word index.
 * Returns: RPC_OK; RPC_EABI (offset outside the data).
 * Out:     *sub, a view of its head; zeroed on error. */
RPC_WUR int rpc_abi_tuple(rpc_abi *sub, const rpc_abi *r, size_t index);

/* rpc_abi_array: enter the dynamic array T[] whose offset is at head word index.
 *   elem_words is the head size of one element in words: 1 for a one-word static T and for
 *   any dynamic T (its head slot is an offset), k for a static tuple of k words. Element j
 *   then starts at word j * elem_words of *elems (rpc_abi_tuple(&t, elems, j) for a
 *   dynamic element).
 * Returns: RPC_OK; RPC_EABI (offset or count outside the data, or count * elem_words
 *          words do not fit in the data).
 * Out:     *elems, a view of the elements' heads; *count. Zeroed on error.
 * In:      elem_words >= 1 (caller error otherwise). */
RPC_WUR int rpc_abi_array(rpc_abi *elems, size_t *count, const rpc_abi *r, size_t index,
                          size_t elem_words);

/* An encoder; see the top of this file. Initialise, put, finish, free (always). */
#define RPC_ABI_ENC_DEPTH 8 /* nesting of open tuples and arrays */
typedef struct rpc_abi_enc {
    uint8_t *buf;
    size_t len, alloc, max; /* len <= alloc <= max */
    int err;                /* first error, sticky */
    unsigned depth;         /* open frames; frame[0] is the top tuple */
    struct {
        size_t base;  /* offset in buf of the frame's head; offsets count from it */
        size_t words; /* head size in words */
    } frame[RPC_ABI_ENC_DEPTH];
} rpc_abi_enc;

/* rpc_abi_enc_init: start a tuple of `words` head words (zero-filled), behind the
 *   big-endian 4-byte selector for rpc_abi_enc_init_call. The whole encoding may not
 *   exceed max bytes. */
void rpc_abi_enc_init(rpc_abi_enc *e, size_t max, size_t words);
void rpc_abi_enc_init_call(rpc_abi_enc *e, size_t max, uint32_t selector, size_t words);

/* Puts into head slot index of the innermost open frame. Errors kept in e->err:
 * RPC_ETOO_LARGE (beyond max), RPC_ENOMEM, RPC_EINVAL (index outside the frame, bits not
 * allowed: caller errors, also asserted). */
void rpc_abi_put_word(rpc_abi_enc *e, size_t index, const rpc_hash32 *w);
void rpc_abi_put_uint(rpc_abi_enc *e, size_t index, const rpc_u256 *v);
void rpc_abi_put_u64(rpc_abi_enc *e, size_t index, uint64_t v);
void rpc_abi_put_i64(rpc_abi_enc *e, size_t index, int64_t v); /* sign-extended */
void rpc_abi_put_address(rpc_abi_enc *e, size_t index, const rpc_addr *a);
void rpc_abi_put_bool(rpc_abi_enc *e, size_t index, bool b);
/* bytes or string: the offset goes into the slot, length + data + padding to the tail. */
void rpc_abi_put_bytes(rpc_abi_enc *e, size_t index, const uint8_t *p, size_t n);
/* Open a dynamic tuple of `words` head words, or a T[] of count elements of elem_words
 * head words each, at slot index; puts then go into it until rpc_abi_close. */
void rpc_abi_open_tuple(rpc_abi_enc *e, size_t index, size_t words);
void rpc_abi_open_array(rpc_abi_enc *e, size_t index, size_t count, size_t elem_words);
void rpc_abi_close(rpc_abi_enc *e);

/* rpc_abi_enc_finish: the encoding.
 * Returns: RPC_OK; the first error of a put (see above).
 * Out:     *out, *outlen borrowed from e, valid until the next put or rpc_abi_enc_free;
 *          NULL, 0 on error. */
RPC_WUR int rpc_abi_enc_finish(rpc_abi_enc *e, const uint8_t **out, size_t *outlen);
void rpc_abi_enc_free(rpc_abi_enc *e);

/* Multicall3 (0xcA11bde05977b3631167028862bE2a173976CA11):
 * aggregate3((address target, bool allowFailure, bytes callData)[]) returns
 * ((bool success, bytes returnData)[]). */
#define RPC_ABI_SEL_AGGREGATE3 0x82ad56cbu

typedef struct rpc_abi_call3 {
    rpc_addr target;
    bool allow_failure;
    const uint8_t *data; /* calldata of the inner call, selector included */
    size_t len;
} rpc_abi_call3;

/* rpc_abi_encode_aggregate3: calldata for aggregate3(calls[0..n)).
 * Returns: RPC_OK; RPC_ETOO_LARGE (more than max bytes); RPC_ENOMEM.
 * Out:     e holds the calldata (rpc_abi_enc_finish gives it); the caller calls
 *          rpc_abi_enc_free(e) in every case. */
RPC_WUR int rpc_abi_encode_aggregate3(rpc_abi_enc *e, size_t max, const rpc_abi_call3 *calls,
                                      size_t n);

/* rpc_abi_decode_aggregate3: open aggregate3's return data.
 * Returns: RPC_OK; RPC_EABI (malformed).
 * Out:     *results, a view for rpc_abi_aggregate3_result; *count results. Zeroed on error.
 * In:      ret, n: the eth_call result bytes (borrowed by *results). */
RPC_WUR int rpc_abi_decode_aggregate3(rpc_abi *results, size_t *count, const uint8_t *ret,
                                      size_t n);

/* rpc_abi_aggregate3_result: result i (< count) of a decoded aggregate3.
 * Returns: RPC_OK; RPC_EABI (malformed, or i >= count).
 * Out:     *success; *data, *len: the inner call's return data (revert data when it
 *          failed), borrowed. Zeroed on error. */
RPC_WUR int rpc_abi_aggregate3_result(bool *success, const uint8_t **data, size_t *len,
                                      const rpc_abi *results, size_t count, size_t i);

#endif
