/* tests/support/logemitter.c — deploy and call a hand-assembled log emitter on a test anvil.
 * Runtime code (27 bytes): n = calldata[0:32]; for (i = 0; i < n; i++) log1(0, 0, topic = i).
 * Every transaction is checked through its receipt before its block is reported. */
#include "tests/support/logemitter.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

/* init: CODECOPY the 0x1b runtime bytes that follow it (offset 0x0c) and RETURN them.
 * runtime: PUSH1 0 CALLDATALOAD PUSH1 0 | loop(5): DUP2 DUP2 LT ISZERO PUSH1 end JUMPI
 *          DUP1 PUSH1 0 PUSH1 0 LOG1 PUSH1 1 ADD PUSH1 loop JUMP | end(0x19): JUMPDEST STOP */
static const char emitter_code[] = "0x601b600c600039601b6000f3"
                                   "60003560005b818110156019578060006000a16001016005565b00";

int wt_emitter_deploy(wt_anvil *a, char addr[43])
{
    addr[0] = '\0';
    if (wt_anvil_deploy(a, wt_anvil_account[0], emitter_code, addr))
        return -1;
    for (int i = 2; i < 42; i++)
        if (addr[i] >= 'A' && addr[i] <= 'F')
            addr[i] = (char)(addr[i] - 'A' + 'a');
    return 0;
}

/* quantity: a "0x..." JSON-RPC quantity of at most 16 digits. */
static int quantity(uint64_t *v, const cJSON *j)
{
    const char *s = cJSON_IsString(j) ? j->valuestring : "";
    size_t n = strlen(s);
    *v = 0;
    if (n < 3 || n > 18 || s[0] != '0' || s[1] != 'x')
        return -1;
    for (size_t i = 2; i < n; i++) {
        char ch = s[i];
        int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
        if (d < 0)
            return -1;
        *v = *v * 16 + (uint64_t)d;
    }
    return 0;
}

int wt_emitter_emit(wt_anvil *a, const char *addr, unsigned n, uint64_t *block)
{
    char data[80], hash[67], q[80];
    int rc = -1;
    uint64_t b = 0;
    if (block)
        *block = 0;
    snprintf(data, sizeof data, "0x%064x", n);
    if (wt_anvil_send(a, wt_anvil_account[0], addr, NULL, data, hash, NULL))
        return -1;
    snprintf(q, sizeof q, "[\"%s\"]", hash);
    cJSON *rcpt = wt_anvil_rpc(a, "eth_getTransactionReceipt", q);
    cJSON *logs = cJSON_GetObjectItemCaseSensitive(rcpt, "logs");
    if (cJSON_IsArray(logs) && cJSON_GetArraySize(logs) == (int)n &&
        quantity(&b, cJSON_GetObjectItemCaseSensitive(rcpt, "blockNumber")) == 0) {
        if (block)
            *block = b;
        rc = 0;
    }
    cJSON_Delete(rcpt);
    return rc;
}
