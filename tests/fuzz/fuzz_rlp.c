/* tests/fuzz/fuzz_rlp.c — arbitrary bytes into the RLP decoder. Whatever decodes must
 * re-encode, through the public encoder, to exactly the input (the decoder admits only
 * canonical encodings), and every typed view must stay inside the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/rlp.h"
#include "rpc/u256.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                               \
    do {                                                                                       \
        if (!(c))                                                                              \
            abort();                                                                           \
    } while (0)

static void reencode(rpc_rlp_enc *e, const rpc_rlp_item *it, const uint8_t *lo, const uint8_t *hi)
{
    CHECK(it->raw >= lo && it->raw + it->raw_len <= hi);
    CHECK(it->payload >= it->raw && it->payload + it->len == it->raw + it->raw_len);
    if (!it->is_list) {
        uint64_t v;
        rpc_u256 u;
        uint8_t fixed[32];
        int rc = rpc_rlp_u64(&v, it);
        CHECK(rc == RPC_OK || rc == RPC_ERLP || rc == RPC_ETOO_LARGE);
        rc = rpc_rlp_u256(&u, it);
        CHECK(rc == RPC_OK || rc == RPC_ERLP || rc == RPC_ETOO_LARGE);
        if (it->len <= sizeof fixed)
            CHECK(rpc_rlp_fixed(fixed, it->len, it) == RPC_OK);
        rpc_rlp_enc_bytes(e, it->payload, it->len);
        return;
    }
    size_t mark = rpc_rlp_enc_list_begin(e), pos = 0;
    rpc_rlp_item child;
    int rc;
    while ((rc = rpc_rlp_next(&child, &pos, it)) == RPC_OK)
        reencode(e, &child, it->payload, it->payload + it->len);
    CHECK(rc == RPC_ENOTFOUND); /* a decoded tree has no malformed child */
    rpc_rlp_enc_list_end(e, mark);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rpc_rlp_item top;
    if (rpc_rlp_decode(&top, data, size) != RPC_OK)
        return 0;
    CHECK(top.raw == data && top.raw_len == size);
    rpc_rlp_enc e;
    rpc_rlp_enc_init(&e, size);
    reencode(&e, &top, data, data + size);
    const uint8_t *out;
    size_t n;
    CHECK(rpc_rlp_enc_finish(&e, &out, &n) == RPC_OK);
    CHECK(n == size && memcmp(out, data, size) == 0);
    rpc_rlp_enc_free(&e);

    if (top.is_list) {
        rpc_rlp_item kids[8];
        size_t k;
        int rc = rpc_rlp_items(kids, 8, &k, &top);
        CHECK(rc == RPC_OK || rc == RPC_ETOO_LARGE);
    }
    return 0;
}
