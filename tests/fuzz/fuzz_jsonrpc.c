/* tests/fuzz/fuzz_jsonrpc.c — libFuzzer target for the JSON-RPC answer parser and result
 * decoders (rpc_jsonrpc_parse). Input: byte 0 picks single (even) or batch (odd) and the
 * number of calls, bytes 1..3 the kinds of the calls; the rest is the answer body.
 * Checks the parser's promise: either every call is answered or none keeps a result. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/client_int.h"

static int prep(rpc_call *k, unsigned kind)
{
    static const rpc_addr addr = {{0x11}};
    static const rpc_hash32 topic = {{0xaa}};
    rpc_log_filter f;
    switch (kind % 8) {
    case 0:
        return rpc_call_init(k, RPC_K_U64, "eth_blockNumber", "[]");
    case 1:
        return rpc_call_prep_balance(k, &addr, 5);
    case 2:
        return rpc_call_prep_block(k, 7);
    case 3:
        memset(&f, 0, sizeof f);
        f.from_block = 1;
        f.to_block = 9;
        f.addrs = kind & 8 ? &addr : NULL;
        f.n_addrs = kind & 8 ? 1 : 0;
        f.topics[0] = &topic;
        f.n_topics[0] = kind & 16 ? 1 : 0;
        return rpc_call_prep_logs(k, &f);
    case 4:
        return rpc_call_prep_call(k, RPC_BLOCK_LATEST, &addr, NULL, 0);
    case 5:
        return rpc_call_prep_receipt(k, &topic);
    case 6:
        return rpc_call_prep_block_receipts(k, 7);
    default:
        return rpc_call_init(k, RPC_K_RAW, "eth_getCode", "[]");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    bool batch = data[0] & 1;
    size_t n = batch ? 1 + (data[0] >> 1) % 3 : 1;
    rpc_call k[3];
    memset(k, 0, sizeof k);
    for (size_t i = 0; i < n; i++) {
        if (prep(&k[i], data[1 + i]) != RPC_OK)
            abort();
        k[i].id = 1 + i;
    }
    char err[300];
    int rc = rpc_jsonrpc_parse(k, n, batch, (const char *)data + 4, size - 4, err, sizeof err);
    for (size_t i = 0; i < n; i++) {
        if ((rc == RPC_OK) != k[i].answered)
            abort(); /* a partly used answer */
        if (k[i].answered && k[i].status == RPC_OK && k[i].kind == RPC_K_LOGS) {
            const rpc_logs *l = &k[i].r.logs;
            for (size_t j = 0; j < l->n; j++)
                if (l->v[j].block_number < 1 || l->v[j].block_number > 9 ||
                    (j && l->v[j - 1].block_number > l->v[j].block_number))
                    abort(); /* a log outside the range, or out of order */
        }
        rpc_call_free(&k[i]);
    }
    return 0;
}
