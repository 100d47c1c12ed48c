/* tests/fuzz/fuzz_tx.c — arbitrary bytes into the transaction decoder and sender
 * recovery. A decoded transaction's borrowed pointers stay inside the input and its
 * hash is keccak of the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/keccak.h"
#include "rpc/tx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                               \
    do {                                                                                       \
        if (!(c))                                                                              \
            abort();                                                                           \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rpc_tx tx;
    int rc = rpc_tx_decode(&tx, data, size);
    CHECK(rc == RPC_OK || rc == RPC_ETX || rc == RPC_ERLP);
    if (rc)
        return 0;
    CHECK(tx.type <= RPC_TX_SET_CODE && tx.y_parity <= 1);
    CHECK(tx.data >= data && tx.data + tx.data_len <= data + size);
    uint8_t h[32];
    rpc_keccak256(h, data, size);
    CHECK(memcmp(h, tx.hash.b, 32) == 0);
    rpc_addr from;
    rc = rpc_tx_sender(&from, &tx);
    CHECK(rc == RPC_OK || rc == RPC_ESIG);
    /* the decoder checked every authorization's shape, so each decodes */
    rpc_rlp_item item;
    size_t pos = 0, k = 0;
    while (rpc_rlp_next(&item, &pos, &tx.authorizations) == RPC_OK) {
        rpc_tx_auth a;
        CHECK(rpc_tx_auth_decode(&a, &item) == RPC_OK);
        rc = rpc_tx_auth_signer(&from, &a);
        CHECK(rc == RPC_OK || rc == RPC_ESIG);
        k++;
    }
    CHECK(k == tx.authorization_count);
    return 0;
}
