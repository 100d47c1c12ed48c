/* tests/support/anvil.c — start, drive and stop a real anvil for tests (starting and stopping
 * is tracker/devchain.c's; this adds the raw setup calls). Invariant: every
 * anvil started here is stopped by its own PID (fini, atexit, or the kernel's parent-death
 * signal), never by name, so parallel tests and other users' chains are left alone. */
#include "anvil.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "rpc/addr.h"
#include "tracker/artifact.h"
#include "tracker/devchain.h"

#ifndef WT_TOP
#error "WT_TOP must name the repository root"
#endif

#define NODE_MODULES WT_TOP "/node_modules"

const char *const wt_anvil_account[WT_ANVIL_ACCOUNTS] = {
    "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266", "0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
    "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc", "0x90f79bf6eb2c4f870365e785982e1f101e93b906",
    "0x15d34aaf54267db7d7c367839aaf71a00a2c6a65", "0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc",
    "0x976ea74026e726554db657fa54763abd0c3a0aa9", "0x14dc79964da2c08b23698b3d3cc7ca32193d9955",
    "0x23618e81e3f5cdf7f54c3d65f7fbc0abf5b21e8f", "0xa0ee7a142d267c1f36714e4a8f75612f20a79720",
};

/* Anvils still running in this process, stopped at exit if a test forgot. */
#define MAX_LIVE 8
static wt_anvil *live[MAX_LIVE];
static bool atexit_set;

static void stop_all(void)
{
    for (int i = 0; i < MAX_LIVE; i++)
        if (live[i])
            wt_anvil_stop(live[i]);
}

static void track(wt_anvil *a, bool on)
{
    for (int i = 0; i < MAX_LIVE; i++) {
        if (on && !live[i]) {
            live[i] = a;
            return;
        }
        if (!on && live[i] == a)
            live[i] = NULL;
    }
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* ---- raw JSON-RPC --------------------------------------------------------------------- */

typedef struct buf {
    char *p;
    size_t n;
} buf;

static size_t on_data(char *p, size_t size, size_t nmemb, void *ud)
{
    buf *b = ud;
    size_t n = size * nmemb;
    char *q = realloc(b->p, b->n + n + 1);
    if (!q)
        return 0;
    memcpy(q + b->n, p, n);
    b->n += n;
    q[b->n] = '\0';
    b->p = q;
    return n;
}

/* POST body; the answer's JSON, or NULL. quiet: no message on a transport failure. */
static cJSON *post(wt_anvil *a, const char *body, long timeout_ms, bool quiet)
{
    if (!a->curl) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        a->curl = curl_easy_init();
        if (!a->curl)
            return NULL;
    }
    CURL *h = a->curl;
    buf b = {NULL, 0};
    struct curl_slist *hd = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, a->url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    CURLcode cc = curl_easy_perform(h);
    curl_slist_free_all(hd);
    cJSON *j = NULL;
    if (cc != CURLE_OK) {
        if (!quiet)
            fprintf(stderr, "anvil %s: %s\n", a->url, curl_easy_strerror(cc));
    } else if (!(j = cJSON_Parse(b.p ? b.p : ""))) {
        fprintf(stderr, "anvil %s: answer is not JSON: %.200s\n", a->url, b.p ? b.p : "");
    }
    free(b.p);
    return j;
}

static cJSON *call(wt_anvil *a, const char *method, const char *params, long timeout_ms,
                   bool quiet)
{
    const char *p = params ? params : "[]";
    size_t n = strlen(method) + strlen(p) + 64;
    char *body = malloc(n);
    if (!body)
        return NULL;
    snprintf(body, n, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"%s\",\"params\":%s}", method, p);
    cJSON *ans = post(a, body, timeout_ms, quiet);
    free(body);
    if (!ans)
        return NULL;
    cJSON *res = cJSON_DetachItemFromObjectCaseSensitive(ans, "result");
    if (!res && !quiet) {
        char *e = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(ans, "error"));
        fprintf(stderr, "anvil %s: %s failed: %s\n", a->url, method, e ? e : "(no error)");
        free(e);
    }
    cJSON_Delete(ans);
    return res;
}

cJSON *wt_anvil_rpc(wt_anvil *a, const char *method, const char *params_json)
{
    return call(a, method, params_json, 60000, false);
}

int wt_anvil_rpc_ok(wt_anvil *a, const char *method, const char *params_json)
{
    cJSON *r = wt_anvil_rpc(a, method, params_json);
    cJSON_Delete(r);
    return r ? 0 : -1;
}

int wt_anvil_rpc_str(wt_anvil *a, char *out, size_t cap, const char *method,
                     const char *params_json)
{
    cJSON *r = wt_anvil_rpc(a, method, params_json);
    int rc = -1;
    if (cJSON_IsString(r) && strlen(r->valuestring) < cap) {
        memcpy(out, r->valuestring, strlen(r->valuestring) + 1);
        rc = 0;
    } else if (r) {
        fprintf(stderr, "anvil: %s: result is not a string that fits\n", method);
    }
    cJSON_Delete(r);
    if (rc && cap)
        out[0] = '\0';
    return rc;
}

/* ---- start / stop: tracker/devchain.c does the work ------------------------------------ */

int wt_anvil_start(wt_anvil *a, const wt_anvil_opts *o)
{
    trk_devchain_opts d;
    trk_devchain dc;
    char why[512];
    memset(&d, 0, sizeof d);
    memset(a, 0, sizeof *a);
    if (o) {
        d.block_time = o->block_time;
        d.no_mining = o->no_mining;
        d.chain_id = o->chain_id;
        d.load_state = o->load_state;
        d.hardfork = o->hardfork;
    }
    if (!atexit_set) {
        atexit(stop_all);
        atexit_set = true;
    }
    if (trk_devchain_start(&dc, why, sizeof why, NODE_MODULES, &d) != TRK_OK) {
        fprintf(stderr, "anvil: %s\n", why);
        return -1;
    }
    a->pid = dc.pid;
    a->port = dc.port;
    memcpy(a->url, dc.url, sizeof a->url);
    a->no_mining = d.no_mining;
    track(a, true);
    return 0;
}

void wt_anvil_stop(wt_anvil *a)
{
    trk_devchain dc;
    memset(&dc, 0, sizeof dc);
    dc.pid = a->pid;
    trk_devchain_stop(&dc);
    a->pid = 0;
    track(a, false);
    if (a->curl) {
        curl_easy_cleanup(a->curl);
        a->curl = NULL;
    }
}

/* ---- chain helpers ---------------------------------------------------------------------- */

int wt_anvil_mine(wt_anvil *a, unsigned n)
{
    char p[48];
    snprintf(p, sizeof p, "[\"0x%x\"]", n);
    return wt_anvil_rpc_ok(a, "anvil_mine", p);
}

/* A call of method with two string params. */
static int two_strings(wt_anvil *a, const char *method, const char *x, const char *y)
{
    size_t n = strlen(x) + strlen(y) + 16;
    char *p = malloc(n);
    if (!p)
        return -1;
    snprintf(p, n, "[\"%s\",\"%s\"]", x, y);
    int rc = wt_anvil_rpc_ok(a, method, p);
    free(p);
    return rc;
}

int wt_anvil_set_balance(wt_anvil *a, const char *addr, const char *wei_hex)
{
    return two_strings(a, "anvil_setBalance", addr, wei_hex);
}

int wt_anvil_set_code(wt_anvil *a, const char *addr, const char *code_hex)
{
    return two_strings(a, "anvil_setCode", addr, code_hex);
}

int64_t wt_anvil_head(wt_anvil *a)
{
    char s[32];
    if (wt_anvil_rpc_str(a, s, sizeof s, "eth_blockNumber", NULL))
        return -1;
    char *end = NULL;
    long long v = strtoll(s + 2, &end, 16);
    return (end && *end == '\0' && s[0] == '0' && s[1] == 'x') ? v : -1;
}

int wt_anvil_send(wt_anvil *a, const char *from, const char *to, const char *value_hex,
                  const char *data_hex, char txhash[67], char contract[43])
{
    int rc = -1;
    cJSON *tx = cJSON_CreateObject(), *params = cJSON_CreateArray(), *rcpt = NULL;
    char *ptext = NULL, hash[67];
    if (!tx || !params)
        goto done;
    cJSON_AddStringToObject(tx, "from", from);
    if (to)
        cJSON_AddStringToObject(tx, "to", to);
    if (value_hex)
        cJSON_AddStringToObject(tx, "value", value_hex);
    if (data_hex)
        cJSON_AddStringToObject(tx, "data", data_hex);
    cJSON_AddItemToArray(params, tx);
    tx = NULL;
    ptext = cJSON_PrintUnformatted(params);
    if (!ptext || wt_anvil_rpc_str(a, hash, sizeof hash, "eth_sendTransaction", ptext))
        goto done;
    char q[80];
    snprintf(q, sizeof q, "[\"%s\"]", hash);
    if (a->no_mining && wt_anvil_mine(a, 1))
        goto done;
    /* automine answers before the block is in; with a block time it comes later */
    for (int i = 0; i < 3000 && !cJSON_IsObject(rcpt); i++) {
        cJSON_Delete(rcpt);
        rcpt = wt_anvil_rpc(a, "eth_getTransactionReceipt", q);
        if (!cJSON_IsObject(rcpt))
            sleep_ms(10);
    }
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(rcpt, "status");
    if (!cJSON_IsString(st) || strcmp(st->valuestring, "0x1") != 0) {
        fprintf(stderr, "anvil: transaction %s failed\n", hash);
        goto done;
    }
    if (txhash)
        memcpy(txhash, hash, 67);
    if (contract) {
        const cJSON *ca = cJSON_GetObjectItemCaseSensitive(rcpt, "contractAddress");
        if (!cJSON_IsString(ca) || strlen(ca->valuestring) != 42)
            goto done;
        memcpy(contract, ca->valuestring, 43);
    }
    rc = 0;
done:
    cJSON_Delete(tx);
    cJSON_Delete(params);
    cJSON_Delete(rcpt);
    free(ptext);
    return rc;
}

int wt_anvil_deploy(wt_anvil *a, const char *from, const char *initcode_hex, char addr[43])
{
    return wt_anvil_send(a, from, NULL, NULL, initcode_hex, NULL, addr);
}

int wt_anvil_snapshot(wt_anvil *a, char id[32])
{
    return wt_anvil_rpc_str(a, id, 32, "evm_snapshot", NULL);
}

int wt_anvil_revert(wt_anvil *a, const char *id)
{
    char p[64];
    snprintf(p, sizeof p, "[\"%s\"]", id);
    cJSON *r = wt_anvil_rpc(a, "evm_revert", p);
    int rc = cJSON_IsTrue(r) ? 0 : -1;
    cJSON_Delete(r);
    return rc;
}

int wt_anvil_reorg(wt_anvil *a, unsigned depth)
{
    char p[48];
    snprintf(p, sizeof p, "[%u,[]]", depth);
    return wt_anvil_rpc_ok(a, "anvil_reorg", p);
}

/* ---- files and contracts ------------------------------------------------------------------ */

char *wt_read_file(const char *path, size_t *len)
{
    char *text;
    size_t n;
    if (trk_read_file(&text, &n, path) != RPC_OK) {
        fprintf(stderr, "cannot open %s\n", path);
        return NULL;
    }
    if (len)
        *len = n;
    return text;
}

char *wt_artifact_bytecode(const char *path)
{
    char full[1024];
    if (path[0] == '/')
        snprintf(full, sizeof full, "%s", path);
    else
        snprintf(full, sizeof full, "%s/%s", WT_TOP, path);
    size_t n;
    char *text = wt_read_file(full, &n);
    if (!text)
        return NULL;
    cJSON *j = cJSON_ParseWithLength(text, n);
    free(text);
    const cJSON *bc = cJSON_GetObjectItemCaseSensitive(j, "bytecode");
    char *out = cJSON_IsString(bc) ? strdup(bc->valuestring) : NULL;
    if (!out)
        fprintf(stderr, "%s: no bytecode string\n", full);
    cJSON_Delete(j);
    return out;
}

int wt_anvil_install_multicall3(wt_anvil *a)
{
    rpc_client_opts co;
    rpc_client *c = NULL;
    const char *urls[1] = {a->url};
    char why[512];
    rpc_client_opts_default(&co);
    co.max_retries = 0; /* a transaction is sent: never twice */
    if (rpc_client_new(&c, &co, urls, 1) != RPC_OK)
        return -1;
    rpc_addr from;
    int rc = rpc_addr_parse(&from, wt_anvil_account[9], strlen(wt_anvil_account[9])) == RPC_OK
                 ? trk_devchain_install_multicall3(c, why, sizeof why, NODE_MODULES, &from,
                                                   a->no_mining)
                 : TRK_EINVAL;
    rpc_client_free(c);
    if (rc)
        fprintf(stderr, "anvil: %s\n", why);
    return rc ? -1 : 0;
}
