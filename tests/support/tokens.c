/* tests/support/tokens.c — deploy and drive the ERC-20 and WETH mocks of @aave/core-v3 on a
 * test anvil, with calldata built by rpc/abi.h (nothing hand-assembled in hex). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/abi.h"
#include "rpc/addr.h"
#include "rpc/hex.h"
#include "rpc/keccak.h"
#include "rpc/u256.h"
#include "tokens.h"

#define ART "node_modules/@aave/core-v3/artifacts/contracts/mocks/tokens/"

static char *hex_of(const uint8_t *p, size_t n, const char *prefix)
{
    size_t pl = prefix ? strlen(prefix) : 0;
    size_t cap = pl + 2 * n + 3;
    char *out = malloc(cap);
    if (!out || rpc_hex_encode(out + pl, cap - pl, p, n) != RPC_OK) {
        free(out);
        return NULL;
    }
    if (pl) {
        memcpy(out, prefix, pl);
        memmove(out + pl, out + pl + 2, strlen(out + pl + 2) + 1); /* drop the inner 0x */
    }
    return out;
}

int wt_token_deploy(wt_anvil *a, const char *from, const char *name, const char *symbol,
                    unsigned decimals, char addr[43])
{
    char *code = wt_artifact_bytecode(ART "MintableERC20.sol/MintableERC20.json");
    if (!code)
        return -1;
    rpc_abi_enc e;
    rpc_abi_enc_init(&e, 4096, 3);
    rpc_abi_put_bytes(&e, 0, (const uint8_t *)name, strlen(name));
    rpc_abi_put_bytes(&e, 1, (const uint8_t *)symbol, strlen(symbol));
    rpc_abi_put_u64(&e, 2, decimals);
    const uint8_t *args;
    size_t n;
    int rc = -1;
    char *init = NULL;
    if (rpc_abi_enc_finish(&e, &args, &n) == RPC_OK && (init = hex_of(args, n, code)))
        rc = wt_anvil_deploy(a, from, init, addr);
    rpc_abi_enc_free(&e);
    free(init);
    free(code);
    return rc;
}

int wt_weth_deploy(wt_anvil *a, const char *from, char addr[43])
{
    char *code = wt_artifact_bytecode(ART "WETH9Mocked.sol/WETH9Mocked.json");
    if (!code)
        return -1;
    int rc = wt_anvil_deploy(a, from, code, addr);
    free(code);
    return rc;
}

static int wei_hex(char out[80], const char *wei)
{
    rpc_u256 v;
    if (rpc_u256_parse_dec(&v, wei, strlen(wei)) != RPC_OK ||
        rpc_u256_format_hex(out, 80, &v) != RPC_OK) {
        fprintf(stderr, "tokens: bad amount '%s'\n", wei);
        return -1;
    }
    return 0;
}

int wt_token_call(wt_anvil *a, const char *from, const char *token, const char *value_wei,
                  char txhash[67], const char *sig, int nargs, ...)
{
    rpc_abi_enc e;
    rpc_abi_enc_init_call(&e, 4096, rpc_keccak_selector(sig), (size_t)nargs);
    va_list ap;
    va_start(ap, nargs);
    int bad = 0;
    for (int i = 0; i < nargs; i++) {
        const char *arg = va_arg(ap, const char *);
        if (arg[0] == '0' && arg[1] == 'x') {
            rpc_addr ad;
            bad |= rpc_addr_parse(&ad, arg, strlen(arg)) != RPC_OK;
            rpc_abi_put_address(&e, (size_t)i, &ad);
        } else {
            rpc_u256 v;
            bad |= rpc_u256_parse_dec(&v, arg, strlen(arg)) != RPC_OK;
            rpc_abi_put_uint(&e, (size_t)i, &v);
        }
    }
    va_end(ap);
    const uint8_t *data;
    size_t n;
    int rc = -1;
    char *hex = NULL, val[80];
    if (!bad && rpc_abi_enc_finish(&e, &data, &n) == RPC_OK && (hex = hex_of(data, n, NULL)) &&
        (!value_wei || wei_hex(val, value_wei) == 0))
        rc = wt_anvil_send(a, from, token, value_wei ? val : NULL, hex, txhash, NULL);
    else
        fprintf(stderr, "tokens: cannot encode %s\n", sig);
    free(hex);
    rpc_abi_enc_free(&e);
    return rc;
}

int wt_eth_send(wt_anvil *a, const char *from, const char *to, const char *wei, char txhash[67])
{
    char val[80];
    if (wei_hex(val, wei))
        return -1;
    return wt_anvil_send(a, from, to, val, NULL, txhash, NULL);
}

int wt_tx_fee(wt_anvil *a, const char *txhash, uint64_t *fee)
{
    char q[80];
    snprintf(q, sizeof q, "[\"%s\"]", txhash);
    cJSON *r = wt_anvil_rpc(a, "eth_getTransactionReceipt", q);
    const cJSON *gu = cJSON_GetObjectItemCaseSensitive(r, "gasUsed");
    const cJSON *gp = cJSON_GetObjectItemCaseSensitive(r, "effectiveGasPrice");
    uint64_t u, p;
    int rc = -1;
    if (cJSON_IsString(gu) && cJSON_IsString(gp) &&
        rpc_hex_quantity_u64(&u, gu->valuestring, strlen(gu->valuestring)) == RPC_OK &&
        rpc_hex_quantity_u64(&p, gp->valuestring, strlen(gp->valuestring)) == RPC_OK) {
        *fee = u * p;
        rc = 0;
    }
    cJSON_Delete(r);
    return rc;
}
