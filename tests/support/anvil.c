/* tests/support/anvil.c — start, drive and stop a real anvil for tests. Invariant: every
 * anvil started here is stopped by its own PID (fini, atexit, or the kernel's parent-death
 * signal), never by name, so parallel tests and other users' chains are left alone. */
#include "anvil.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#ifndef WT_TOP
#error "WT_TOP must name the repository root"
#endif

#define ANVIL_BIN WT_TOP "/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"
#define VIEM_CONTRACTS WT_TOP "/node_modules/viem/_cjs/constants/contracts.js"

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

/* ---- start / stop ----------------------------------------------------------------------- */

/* The port from anvil's "Listening on 127.0.0.1:PORT" line in its log file; 0 if not yet. */
static int listening_port(int fd)
{
    char text[8192];
    ssize_t n = pread(fd, text, sizeof text - 1, 0);
    if (n <= 0)
        return 0;
    text[n] = '\0';
    static const char key[] = "Listening on 127.0.0.1:";
    const char *p = strstr(text, key);
    if (!p)
        return 0;
    p += sizeof key - 1;
    int port = 0;
    while (*p >= '0' && *p <= '9' && port < 65536)
        port = port * 10 + (*p++ - '0');
    return (*p == '\n' || *p == '\r') && port > 0 && port < 65536 ? port : 0;
}

/* anvil binds port 0 itself (no race with other tests for a port) and says which it got
 * on stdout, which goes to an unlinked temporary file. */
static int start_once(wt_anvil *a, const wt_anvil_opts *o)
{
    char sbt[16], scid[24], logname[] = "/tmp/wt-anvil-XXXXXX";
    const char *argv[16];
    int k = 0;
    argv[k++] = ANVIL_BIN;
    argv[k++] = "--host";
    argv[k++] = "127.0.0.1";
    argv[k++] = "--port";
    argv[k++] = "0";
    if (o->no_mining) {
        argv[k++] = "--no-mining";
    } else if (o->block_time) {
        snprintf(sbt, sizeof sbt, "%u", o->block_time);
        argv[k++] = "--block-time";
        argv[k++] = sbt;
    }
    if (o->chain_id) {
        snprintf(scid, sizeof scid, "%llu", (unsigned long long)o->chain_id);
        argv[k++] = "--chain-id";
        argv[k++] = scid;
    }
    if (o->load_state) {
        argv[k++] = "--load-state";
        argv[k++] = o->load_state;
    }
    if (o->hardfork) {
        argv[k++] = "--hardfork";
        argv[k++] = o->hardfork;
    }
    argv[k] = NULL;

    int logfd = mkstemp(logname);
    if (logfd < 0) {
        fprintf(stderr, "anvil: cannot create a log file: %s\n", strerror(errno));
        return -1;
    }
    unlink(logname);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(logfd);
        return -1;
    }
    if (pid == 0) {
        /* only async-signal-safe calls until exec */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
            _exit(127);
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0)
            dup2(null, 0);
        dup2(logfd, 1);
        dup2(logfd, 2);
        execv(ANVIL_BIN, (char *const *)argv);
        _exit(127);
    }
    a->pid = pid;
    track(a, true);
    /* wait until it says where it listens and answers there, or dies */
    for (int i = 0; i < 1500; i++) {
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            a->pid = 0;
            track(a, false);
            close(logfd);
            fprintf(stderr, "anvil exited at start (status %d)\n", st);
            return -1;
        }
        if (!a->port && (a->port = listening_port(logfd)) > 0)
            snprintf(a->url, sizeof a->url, "http://127.0.0.1:%d", a->port);
        if (a->port) {
            cJSON *r = call(a, "eth_chainId", NULL, 500, true);
            if (r) {
                cJSON_Delete(r);
                close(logfd);
                return 0;
            }
        }
        sleep_ms(20);
    }
    close(logfd);
    fprintf(stderr, "anvil did not answer within 30 s\n");
    wt_anvil_stop(a);
    return -1;
}

int wt_anvil_start(wt_anvil *a, const wt_anvil_opts *o)
{
    wt_anvil_opts d;
    memset(&d, 0, sizeof d);
    memset(a, 0, sizeof *a);
    if (!o)
        o = &d;
    if (access(ANVIL_BIN, X_OK) != 0) {
        fprintf(stderr, "anvil: %s is missing (run scripts/setup)\n", ANVIL_BIN);
        return -1;
    }
    if (!atexit_set) {
        atexit(stop_all);
        atexit_set = true;
    }
    for (int tries = 0; tries < 3; tries++) {
        if (start_once(a, o) == 0) {
            a->no_mining = o->no_mining;
            return 0;
        }
        wt_anvil_stop(a); /* frees what the attempt left */
        memset(a, 0, sizeof *a);
    }
    fprintf(stderr, "anvil: could not start it\n");
    return -1;
}

void wt_anvil_stop(wt_anvil *a)
{
    if (a->pid > 0) {
        kill(a->pid, SIGTERM);
        int st;
        bool gone = false;
        for (int i = 0; i < 300 && !gone; i++) {
            pid_t r = waitpid(a->pid, &st, WNOHANG);
            gone = r == a->pid || (r < 0 && errno == ECHILD);
            if (!gone)
                sleep_ms(10);
        }
        if (!gone) {
            kill(a->pid, SIGKILL);
            while (waitpid(a->pid, &st, 0) < 0 && errno == EINTR) {
            }
        }
        a->pid = 0;
    }
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
    FILE *f = fopen(path, "rb");
    char *p = NULL;
    size_t n = 0, cap = 0;
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return NULL;
    }
    for (;;) {
        if (cap - n < 65536) {
            char *q = realloc(p, cap + 65536 + 1);
            if (!q) {
                free(p);
                fclose(f);
                return NULL;
            }
            p = q;
            cap += 65536;
        }
        size_t r = fread(p + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    fclose(f);
    p[n] = '\0';
    if (len)
        *len = n;
    return p;
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

/* The multicall3Bytecode constant out of viem's compiled constants file. */
static char *viem_multicall3(void)
{
    static const char key[] = "multicall3Bytecode = '";
    char *text = wt_read_file(VIEM_CONTRACTS, NULL);
    if (!text)
        return NULL;
    char *out = NULL, *p = strstr(text, key);
    if (p) {
        p += sizeof key - 1;
        char *q = strchr(p, '\'');
        if (q && q - p > 2 && p[0] == '0' && p[1] == 'x')
            out = strndup(p, (size_t)(q - p));
    }
    if (!out)
        fprintf(stderr, "%s: multicall3Bytecode not found\n", VIEM_CONTRACTS);
    free(text);
    return out;
}

int wt_anvil_install_multicall3(wt_anvil *a)
{
    int rc = -1;
    char addr[43];
    cJSON *code = NULL;
    char *init = viem_multicall3();
    if (!init || wt_anvil_deploy(a, wt_anvil_account[9], init, addr))
        goto done;
    char q[80];
    snprintf(q, sizeof q, "[\"%s\",\"latest\"]", addr);
    code = wt_anvil_rpc(a, "eth_getCode", q);
    if (!cJSON_IsString(code) || strlen(code->valuestring) < 4)
        goto done;
    rc = wt_anvil_set_code(a, WT_MULTICALL3, code->valuestring);
done:
    free(init);
    cJSON_Delete(code);
    return rc;
}
