/* bench/rpc_bench.c — what the rpc client costs over bare HTTP: calls per second for single and
 * batched eth_call and eth_getLogs through rpc_client, and the same request bodies sent by a
 * bare libcurl loop on one reused connection (the lower bound), and that loop again parsing each
 * answer with cJSON (what is left once JSON must be read at all). Not a test: it prints figures.
 * Invariant: both sides send byte-identical bodies and check every answer is HTTP 200. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "rpc/addr.h"
#include "rpc/client.h"

/* echo: returns its first calldata word (PUSH1 0 CALLDATALOAD PUSH1 0 MSTORE PUSH1 32 PUSH1 0
 * RETURN) behind a CODECOPY/RETURN constructor. emitter: emits calldata-word-many LOG1 (the
 * same contract as tests/support/logemitter.c). */
static const char echo_code[] = "0x600b600c600039600b6000f360003560005260206000f3";
static const char emitter_code[] = "0x601b600c600039601b6000f3"
                                   "60003560005b818110156019578060006000a16001016005565b00";
static const char sender[] = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";

#define LOG_BLOCKS 20
#define LOGS_PER_BLOCK 25

static struct {
    const char *url;
    rpc_client *c;
    CURL *bare;
    struct curl_slist *hdrs;
    char *resp;
    size_t resp_len, resp_cap;
    rpc_addr echo, emitter;
    char echo_hex[43], emitter_hex[43];
    uint64_t head, log_from, log_to;
    uint64_t next_id;
    bool parse; /* the bare loop also parses each answer with cJSON (a second lower bound) */
} B;

static double clock_s(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char *what, int rc)
{
    fprintf(stderr, "rpc_bench: %s: %s (%s)\n", what, rpc_strerror(rc),
            B.c ? rpc_client_errmsg(B.c) : "");
    exit(1);
}

/* ---- setup through the client's raw calls ---- */

static cJSON *raw(const char *method, const char *params)
{
    cJSON *r = NULL;
    int rc = rpc_client_call(B.c, &r, method, params);
    if (rc)
        die(method, rc);
    return r;
}

/* send_tx: eth_sendTransaction and its successful receipt (caller deletes). */
static cJSON *send_tx(const char *to, const char *data, unsigned gas)
{
    char p[1024];
    int n = to ? snprintf(p, sizeof p,
                          "[{\"from\":\"%s\",\"to\":\"%s\",\"gas\":\"0x%x\",\"data\":\"%s\"}]",
                          sender, to, gas, data)
               : snprintf(p, sizeof p, "[{\"from\":\"%s\",\"data\":\"%s\"}]", sender, data);
    if (n < 0 || (size_t)n >= sizeof p)
        die("transaction too long", RPC_EINVAL);
    cJSON *h = raw("eth_sendTransaction", p);
    if (!cJSON_IsString(h))
        die("eth_sendTransaction gave no hash", RPC_EJSON);
    snprintf(p, sizeof p, "[\"%s\"]", h->valuestring);
    cJSON_Delete(h);
    for (int i = 0; i < 200; i++) {
        cJSON *r = raw("eth_getTransactionReceipt", p);
        if (cJSON_IsObject(r)) {
            cJSON *st = cJSON_GetObjectItemCaseSensitive(r, "status");
            if (!cJSON_IsString(st) || strcmp(st->valuestring, "0x1"))
                die("tx failed", RPC_EREVERT);
            return r;
        }
        cJSON_Delete(r);
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    die("no receipt", RPC_ENOTFOUND);
    return NULL;
}

static void deploy(const char *code, rpc_addr *a, char hex[43])
{
    cJSON *r = send_tx(NULL, code, 0);
    cJSON *ca = cJSON_GetObjectItemCaseSensitive(r, "contractAddress");
    if (!cJSON_IsString(ca) || strlen(ca->valuestring) != 42)
        die("no contract", RPC_EJSON);
    for (int i = 0; i < 42; i++) {
        char ch = ca->valuestring[i];
        hex[i] = ch >= 'A' && ch <= 'F' ? (char)(ch - 'A' + 'a') : ch;
    }
    hex[42] = '\0';
    cJSON_Delete(r);
    int rc = rpc_addr_parse(a, hex, 42);
    if (rc)
        die("contract address", rc);
}

static void setup(void)
{
    deploy(echo_code, &B.echo, B.echo_hex);
    deploy(emitter_code, &B.emitter, B.emitter_hex);
    for (int i = 0; i < LOG_BLOCKS; i++) {
        char data[80];
        snprintf(data, sizeof data, "0x%064x", LOGS_PER_BLOCK);
        cJSON *r = send_tx(B.emitter_hex, data, 100000 + 2000 * LOGS_PER_BLOCK);
        cJSON *bn = cJSON_GetObjectItemCaseSensitive(r, "blockNumber");
        uint64_t b = 0;
        const char *s = cJSON_IsString(bn) ? bn->valuestring : "";
        for (size_t k = 2; s[0] == '0' && s[1] == 'x' && s[k]; k++)
            b = b * 16 + (uint64_t)(s[k] <= '9' ? s[k] - '0' : (s[k] | 32) - 'a' + 10);
        if (i == 0)
            B.log_from = b;
        B.log_to = b;
        cJSON_Delete(r);
    }
    int rc = rpc_eth_block_number(B.c, &B.head);
    if (rc)
        die("eth_blockNumber", rc);
}

/* ---- the bare loop: same bodies, same headers, one reused connection ---- */

static size_t on_body(char *d, size_t sz, size_t n, void *ud)
{
    (void)ud;
    size_t k = sz * n;
    if (B.resp_len + k + 1 > B.resp_cap) {
        size_t nc = B.resp_cap ? B.resp_cap : 65536;
        while (nc < B.resp_len + k + 1)
            nc *= 2;
        char *p = realloc(B.resp, nc);
        if (!p)
            return 0;
        B.resp = p;
        B.resp_cap = nc;
    }
    memcpy(B.resp + B.resp_len, d, k);
    B.resp_len += k;
    return k;
}

static void bare_init(void)
{
    B.bare = curl_easy_init();
    B.hdrs = curl_slist_append(NULL, "Content-Type: application/json");
    B.hdrs = curl_slist_append(B.hdrs, "Accept: application/json");
    B.hdrs = curl_slist_append(B.hdrs, "Expect:");
    if (!B.bare || !B.hdrs)
        die("libcurl", RPC_ENOMEM);
    curl_easy_setopt(B.bare, CURLOPT_URL, B.url);
    curl_easy_setopt(B.bare, CURLOPT_HTTPHEADER, B.hdrs);
    curl_easy_setopt(B.bare, CURLOPT_POST, 1L);
    curl_easy_setopt(B.bare, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(B.bare, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(B.bare, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(B.bare, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(B.bare, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(B.bare, CURLOPT_WRITEFUNCTION, on_body);
}

static void bare_post(const char *body, size_t len)
{
    long st = 0;
    B.resp_len = 0;
    curl_easy_setopt(B.bare, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(B.bare, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    if (curl_easy_perform(B.bare) != CURLE_OK)
        die("bare POST", RPC_ECONNECT);
    curl_easy_getinfo(B.bare, CURLINFO_RESPONSE_CODE, &st);
    if (st != 200 || B.resp_len == 0)
        die("bare POST status", RPC_EHTTP);
    if (B.parse) {
        cJSON *o = cJSON_ParseWithLength(B.resp, B.resp_len);
        if (!o)
            die("bare answer is not JSON", RPC_EJSON);
        cJSON_Delete(o);
    }
}

/* A growable request text. */
struct text {
    char *p;
    size_t len, cap;
};

static void text_add(struct text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 4096;
        while (nc < t->len + n + 1)
            nc *= 2;
        char *p = realloc(t->p, nc);
        if (!p)
            die("out of memory", RPC_ENOMEM);
        t->p = p;
        t->cap = nc;
    }
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
}

/* The client's request shapes (rpc/client_json.c, rpc/client_eth.c), byte for byte. */
static void add_call(struct text *t, uint64_t word)
{
    char s[400];
    int n = snprintf(s, sizeof s,
                     "{\"jsonrpc\":\"2.0\",\"id\":%llu,\"method\":\"eth_call\",\"params\":[{\"to\":"
                     "\"%s\",\"data\":\"0x%064llx\"},\"0x%llx\"]}",
                     (unsigned long long)++B.next_id, B.echo_hex, (unsigned long long)word,
                     (unsigned long long)B.head);
    text_add(t, s, (size_t)n);
}

static void add_logs(struct text *t, uint64_t from, uint64_t to)
{
    char s[400];
    int n = snprintf(s, sizeof s,
                     "{\"jsonrpc\":\"2.0\",\"id\":%llu,\"method\":\"eth_getLogs\",\"params\":[{"
                     "\"fromBlock\":\"0x%llx\",\"toBlock\":\"0x%llx\",\"address\":[\"%s\"]}]}",
                     (unsigned long long)++B.next_id, (unsigned long long)from,
                     (unsigned long long)to, B.emitter_hex);
    text_add(t, s, (size_t)n);
}

/* ---- the cases: each does `reps` HTTP requests of `per` calls, client or bare ---- */

static void word32(uint8_t out[32], uint64_t v)
{
    memset(out, 0, 32);
    for (int i = 0; i < 8; i++)
        out[31 - i] = (uint8_t)(v >> (8 * i));
}

static void client_calls(int reps, int per)
{
    uint8_t data[32];
    for (int r = 0; r < reps; r++) {
        if (per == 1) {
            rpc_bytes ret;
            word32(data, (uint64_t)r);
            int rc = rpc_eth_call(B.c, &ret, B.head, &B.echo, data, 32);
            if (rc || ret.n != 32 || memcmp(ret.p, data, 32))
                die("eth_call", rc ? rc : RPC_EJSON);
            rpc_bytes_free(&ret);
            continue;
        }
        rpc_batch *b = NULL;
        int rc = rpc_batch_new(&b);
        for (int i = 0; rc == RPC_OK && i < per; i++) {
            word32(data, (uint64_t)i);
            rc = rpc_batch_add_call(b, NULL, B.head, &B.echo, data, 32);
        }
        if (rc == RPC_OK)
            rc = rpc_batch_send(B.c, b);
        for (int i = 0; rc == RPC_OK && i < per; i++) {
            rpc_bytes ret;
            rc = rpc_batch_take_bytes(b, (size_t)i, &ret);
            if (rc == RPC_OK && ret.n != 32)
                rc = RPC_EJSON;
            rpc_bytes_free(&ret);
        }
        rpc_batch_free(b);
        if (rc)
            die("batched eth_call", rc);
    }
}

static void bare_calls(int reps, int per)
{
    struct text t = {0};
    for (int r = 0; r < reps; r++) {
        t.len = 0;
        if (per > 1)
            text_add(&t, "[", 1);
        for (int i = 0; i < per; i++) {
            if (i)
                text_add(&t, ",", 1);
            add_call(&t, (uint64_t)(per == 1 ? r : i));
        }
        if (per > 1)
            text_add(&t, "]", 1);
        bare_post(t.p, t.len);
    }
    free(t.p);
}

static void client_logs(int reps, int per)
{
    rpc_log_filter f = {.addrs = &B.emitter, .n_addrs = 1};
    for (int r = 0; r < reps; r++) {
        if (per == 1) {
            rpc_logs l;
            f.from_block = B.log_from;
            f.to_block = B.log_to;
            int rc = rpc_eth_get_logs(B.c, &l, &f);
            if (rc || l.n != LOG_BLOCKS * LOGS_PER_BLOCK)
                die("eth_getLogs", rc ? rc : RPC_EJSON);
            rpc_logs_free(&l);
            continue;
        }
        rpc_batch *b = NULL;
        int rc = rpc_batch_new(&b);
        for (int i = 0; rc == RPC_OK && i < per; i++) {
            f.from_block = f.to_block = B.log_from + (uint64_t)i;
            rc = rpc_batch_add_logs(b, NULL, &f);
        }
        if (rc == RPC_OK)
            rc = rpc_batch_send(B.c, b);
        for (int i = 0; rc == RPC_OK && i < per; i++) {
            rpc_logs l;
            rc = rpc_batch_take_logs(b, (size_t)i, &l);
            if (rc == RPC_OK && l.n != LOGS_PER_BLOCK)
                rc = RPC_EJSON;
            rpc_logs_free(&l);
        }
        rpc_batch_free(b);
        if (rc)
            die("batched eth_getLogs", rc);
    }
}

static void bare_logs(int reps, int per)
{
    struct text t = {0};
    for (int r = 0; r < reps; r++) {
        t.len = 0;
        if (per > 1)
            text_add(&t, "[", 1);
        for (int i = 0; i < per; i++) {
            if (i)
                text_add(&t, ",", 1);
            if (per == 1)
                add_logs(&t, B.log_from, B.log_to);
            else
                add_logs(&t, B.log_from + (uint64_t)i, B.log_from + (uint64_t)i);
        }
        if (per > 1)
            text_add(&t, "]", 1);
        bare_post(t.p, t.len);
    }
    free(t.p);
}

struct bcase {
    const char *name;
    void (*client)(int reps, int per);
    void (*bare)(int reps, int per);
    int reps, per;
};

int main(int argc, char **argv)
{
    int rounds = 5;
    double scale = 1.0;
    const char *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--url") && i + 1 < argc) {
            B.url = argv[++i];
        } else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
            only = argv[++i];
        } else if (!strcmp(argv[i], "--quick")) {
            rounds = 2;
            scale = 0.2;
        } else {
            fprintf(stderr, "usage: rpc_bench --url URL [--quick] [--only TEXT]\n");
            return 2;
        }
    }
    if (!B.url) {
        fprintf(stderr, "usage: rpc_bench --url URL [--quick] [--only TEXT]\n");
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = rpc_client_new(&B.c, NULL, &B.url, 1);
    if (rc)
        die(rpc_client_new_errmsg(), rc);
    setup();
    bare_init();

    struct bcase cases[] = {
        {"eth_call, single", client_calls, bare_calls, 2000, 1},
        {"eth_call, batches of 100", client_calls, bare_calls, 40, 100},
        {"eth_getLogs, single (500 logs)", client_logs, bare_logs, 200, 1},
        {"eth_getLogs, batches of 20 (25 logs/call)", client_logs, bare_logs, 100, 20},
    };
    printf("rpc_bench: %s, %d rounds per case (best round kept), %d logs in %d blocks\n",
           rpc_client_endpoint_name(B.c, 0), rounds, LOG_BLOCKS * LOGS_PER_BLOCK, LOG_BLOCKS);
    printf("%-42s %6s %9s %9s %9s %7s %7s %8s %8s %8s\n", "case", "calls", "client/s", "bare/s",
           "+cJSON/s", "ratio", "vs+cJ", "cli us", "bare us", "+cJ us");
    double worst = 0;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        struct bcase *bc = &cases[k];
        if (only && !strstr(bc->name, only))
            continue;
        int reps = (int)(bc->reps * scale) > 0 ? (int)(bc->reps * scale) : 1;
        bc->client(reps / 10 + 1, bc->per); /* warm both connections */
        bc->bare(reps / 10 + 1, bc->per);
        /* wall time (best round) for calls/s; this process's CPU time (best round) for the
         * client's own cost per call, which the load of other processes does not inflate */
        double wall[3] = {1e30, 1e30, 1e30}, cpu[3] = {1e30, 1e30, 1e30};
        for (int r = 0; r < rounds; r++) { /* interleaved, so load from others hits all */
            for (int side = 0; side < 3; side++) {
                double w0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
                B.parse = side == 2;
                if (side == 0)
                    bc->client(reps, bc->per);
                else
                    bc->bare(reps, bc->per);
                double w = clock_s(CLOCK_MONOTONIC) - w0;
                double c = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
                if (w < wall[side])
                    wall[side] = w;
                if (c < cpu[side])
                    cpu[side] = c;
            }
        }
        double calls = (double)reps * bc->per;
        double ratio = wall[0] / wall[1];
        if (ratio > worst)
            worst = ratio;
        printf("%-42s %6.0f %9.0f %9.0f %9.0f %6.2fx %6.2fx %8.1f %8.1f %8.1f\n", bc->name, calls,
               calls / wall[0], calls / wall[1], calls / wall[2], ratio, wall[0] / wall[2],
               1e6 * cpu[0] / calls, 1e6 * cpu[1] / calls, 1e6 * cpu[2] / calls);
    }
    rpc_endpoint_stats st;
    rpc_client_stats(B.c, 0, &st);
    printf("ratio = client wall time / bare loop's; vs+cJ = against the bare loop that also parses "
           "with cJSON;\nus = CPU microseconds per call spent in this process (client, bare, bare "
           "+ cJSON).\n");
    printf("client: %llu calls in %llu HTTP round trips, %llu retries; worst ratio %.2fx "
           "(goal <= 1.20x)\n",
           (unsigned long long)st.calls, (unsigned long long)st.round_trips,
           (unsigned long long)st.retries, worst);
    rpc_client_free(B.c);
    curl_easy_cleanup(B.bare);
    curl_slist_free_all(B.hdrs);
    free(B.resp);
    curl_global_cleanup();
    return 0;
}
