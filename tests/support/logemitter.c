/* tests/support/logemitter.c — deploy and call a hand-assembled log emitter on anvil.
 * Runtime code (27 bytes): n = calldata[0:32]; for (i = 0; i < n; i++) log1(0, 0, topic = i).
 * Every transaction is sent by anvil's unlocked account 0 and checked through its receipt. */
#include "tests/support/logemitter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "tests/support/faultproxy.h"

/* init: CODECOPY the 0x1b runtime bytes that follow it (offset 0x0c) and RETURN them.
 * runtime: PUSH1 0 CALLDATALOAD PUSH1 0 | loop(5): DUP2 DUP2 LT ISZERO PUSH1 end JUMPI
 *          DUP1 PUSH1 0 PUSH1 0 LOG1 PUSH1 1 ADD PUSH1 loop JUMP | end(0x19): JUMPDEST STOP */
static const char emitter_code[] = "0x601b600c600039601b6000f3"
                                   "60003560005b818110156019578060006000a16001016005565b00";

static const char sender[] = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";

/* call: one JSON-RPC call; the result member (a duplicate, caller deletes) or NULL. */
static cJSON *call(const char *url, const char *method, const char *params)
{
    char body[1024];
    long status = 0;
    char *a = NULL;
    cJSON *o = NULL, *res = NULL;
    int n =
        snprintf(body, sizeof body,
                 "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"%s\",\"params\":%s}", method, params);
    if (n < 0 || (size_t)n >= sizeof body)
        return NULL;
    if (wt_http_post(url, 30000, body, &status, &a, NULL) || status != 200)
        goto done;
    o = cJSON_Parse(a);
    cJSON *r = cJSON_GetObjectItemCaseSensitive(o, "result");
    if (r && !cJSON_IsNull(r))
        res = cJSON_Duplicate(r, 1);
done:
    cJSON_Delete(o);
    free(a);
    return res;
}

/* send_tx: eth_sendTransaction, then the receipt (caller deletes), status checked. */
static cJSON *send_tx(const char *url, const char *tx_params)
{
    char params[512];
    cJSON *h = call(url, "eth_sendTransaction", tx_params), *rcpt = NULL;
    if (!cJSON_IsString(h))
        goto done;
    int n = snprintf(params, sizeof params, "[\"%s\"]", h->valuestring);
    if (n < 0 || (size_t)n >= sizeof params)
        goto done;
    /* automine mines at once, but the receipt can trail the hash by a moment */
    for (int i = 0; i < 100 && !rcpt; i++) {
        rcpt = call(url, "eth_getTransactionReceipt", params);
        if (!rcpt) {
            struct timespec ts = {0, 20 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    cJSON *st = cJSON_GetObjectItemCaseSensitive(rcpt, "status");
    if (!cJSON_IsString(st) || strcmp(st->valuestring, "0x1")) {
        cJSON_Delete(rcpt);
        rcpt = NULL;
    }
done:
    cJSON_Delete(h);
    return rcpt;
}

int wt_emitter_deploy(const char *url, char addr[43])
{
    char params[512];
    int rc = -1;
    addr[0] = '\0';
    int n = snprintf(params, sizeof params, "[{\"from\":\"%s\",\"data\":\"%s\"}]", sender,
                     emitter_code);
    if (n < 0 || (size_t)n >= sizeof params)
        return -1;
    cJSON *rcpt = send_tx(url, params);
    cJSON *ca = cJSON_GetObjectItemCaseSensitive(rcpt, "contractAddress");
    if (cJSON_IsString(ca) && strlen(ca->valuestring) == 42) {
        for (int i = 0; i < 42; i++) {
            char ch = ca->valuestring[i];
            addr[i] = (ch >= 'A' && ch <= 'F') ? (char)(ch - 'A' + 'a') : ch;
        }
        addr[42] = '\0';
        rc = 0;
    }
    cJSON_Delete(rcpt);
    return rc;
}

int wt_emitter_emit(const char *url, const char *addr, unsigned n, uint64_t *block)
{
    char params[512];
    int rc = -1;
    if (block)
        *block = 0;
    /* gas: ~1,000 per log on top of the base cost */
    int k = snprintf(params, sizeof params,
                     "[{\"from\":\"%s\",\"to\":\"%s\",\"gas\":\"0x%x\",\"data\":\"0x%064x\"}]",
                     sender, addr, 100000u + 2000u * n, n);
    if (k < 0 || (size_t)k >= sizeof params)
        return -1;
    cJSON *rcpt = send_tx(url, params);
    cJSON *logs = cJSON_GetObjectItemCaseSensitive(rcpt, "logs");
    cJSON *bn = cJSON_GetObjectItemCaseSensitive(rcpt, "blockNumber");
    if (cJSON_IsArray(logs) && cJSON_GetArraySize(logs) == (int)n && cJSON_IsString(bn)) {
        uint64_t v = 0;
        const char *s = bn->valuestring;
        rc = 0;
        if (s[0] != '0' || s[1] != 'x' || !s[2] || strlen(s) > 18)
            rc = -1;
        for (size_t i = 2; rc == 0 && s[i]; i++) {
            char ch = s[i];
            int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
            if (d < 0)
                rc = -1;
            v = v * 16 + (uint64_t)(d < 0 ? 0 : d);
        }
        if (rc == 0 && block)
            *block = v;
    }
    cJSON_Delete(rcpt);
    return rc;
}
