/* bench/naive.c — the poller users write first, as the benchmark's second peer: for every
 * block and every watched address, eth_getBalance, Pool.getUserAccountData and balanceOf on
 * two tokens, one JSON-RPC call per HTTP request, through the project's rpc client (so its
 * counters give the calls and round trips). Invariant: it asks the node about every address
 * at every block it covers, and prints only the figures, one JSON object on stdout. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rpc/addr.h"
#include "rpc/client.h"
#include "rpc/keccak.h"

enum { MAX_ADDRS = 100000 };

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end)
        return -1;
    *out = v;
    return 0;
}

/* read_addrs: up to max addresses from f, one per line ("0x" + 40 hex). */
static size_t read_addrs(FILE *f, rpc_addr *out, size_t max)
{
    char line[128];
    size_t n = 0;
    while (n < max && fgets(line, sizeof line, f)) {
        size_t len = strcspn(line, "\r\n");
        if (len == 42 && rpc_addr_parse(&out[n], line, len) == 0)
            n++;
    }
    return n;
}

/* call_addr: to.sig(addr) at block, one HTTP request. */
static int call_addr(rpc_client *c, uint64_t block, const rpc_addr *to, uint32_t sel,
                     const rpc_addr *a)
{
    uint8_t data[36] = {0};
    data[0] = (uint8_t)(sel >> 24);
    data[1] = (uint8_t)(sel >> 16);
    data[2] = (uint8_t)(sel >> 8);
    data[3] = (uint8_t)sel;
    memcpy(data + 16, a->b, 20);
    rpc_bytes ret;
    int rc = rpc_eth_call(c, &ret, block, to, data, sizeof data);
    rpc_bytes_free(&ret);
    return rc;
}

static const char usage[] =
    "usage: naive --url URL --pool ADDR --token ADDR --token ADDR --addrs FILE --n N\n"
    "             --from B --to B\n"
    "For each block from..to: eth_blockNumber, then for each of the first N addresses of FILE\n"
    "(addresses derived from a fixed seed fill up to N): eth_getBalance,\n"
    "getUserAccountData and two balanceOf at that block. Prints one JSON object.\n";

int main(int argc, char **argv)
{
    const char *url = NULL, *addrs_path = NULL;
    rpc_addr pool, tok[2];
    unsigned ntok = 0;
    uint64_t n = 0, from = 0, to = 0;
    bool have_pool = false, have_from = false, have_to = false;
    static const struct option lo[] = {{"url", 1, 0, 'u'},  {"pool", 1, 0, 'p'},
                                       {"token", 1, 0, 't'}, {"addrs", 1, 0, 'a'},
                                       {"n", 1, 0, 'n'},     {"from", 1, 0, 'f'},
                                       {"to", 1, 0, 'T'},    {"help", 0, 0, 'h'},
                                       {0, 0, 0, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        int bad = 0;
        switch (ch) {
        case 'u': url = optarg; break;
        case 'a': addrs_path = optarg; break;
        case 'p': bad = rpc_addr_parse(&pool, optarg, strlen(optarg)); have_pool = !bad; break;
        case 't':
            bad = ntok >= 2 || rpc_addr_parse(&tok[ntok], optarg, strlen(optarg));
            ntok += !bad;
            break;
        case 'n': bad = parse_u64(optarg, &n) || n == 0 || n > MAX_ADDRS; break;
        case 'f': bad = parse_u64(optarg, &from); have_from = !bad; break;
        case 'T': bad = parse_u64(optarg, &to); have_to = !bad; break;
        case 'h': fputs(usage, stdout); return 0;
        default: bad = 1;
        }
        if (bad) {
            fputs(usage, stderr);
            return 2;
        }
    }
    if (!url || !addrs_path || !have_pool || ntok != 2 || !n || !have_from || !have_to || to < from) {
        fputs(usage, stderr);
        return 2;
    }
    int rc = 1;
    rpc_client *c = NULL;
    rpc_addr *addrs = calloc(n, sizeof *addrs);
    FILE *f = fopen(addrs_path, "r");
    if (!addrs || !f) {
        fprintf(stderr, "naive: cannot read %s\n", addrs_path);
        goto done;
    }
    size_t have = read_addrs(f, addrs, n);
    for (size_t i = have; i < n; i++) { /* inactive addresses to reach N */
        char s[48];
        uint8_t h[32];
        int k = snprintf(s, sizeof s, "whaletrack-bench/extra/%zu", i);
        rpc_keccak256(h, (const uint8_t *)s, (size_t)k);
        memcpy(addrs[i].b, h + 12, 20);
    }
    rpc_client_opts o;
    rpc_client_opts_default(&o);
    if (rpc_client_new(&c, &o, &url, 1))
        goto done;
    const uint32_t sel_acct = rpc_keccak_selector("getUserAccountData(address)");
    const uint32_t sel_bal = rpc_keccak_selector("balanceOf(address)");
    double t0 = now_s();
    for (uint64_t b = from; b <= to; b++) {
        uint64_t head;
        int r = rpc_eth_block_number(c, &head);
        for (size_t i = 0; !r && i < n; i++) {
            rpc_u256 wei;
            r = rpc_eth_get_balance(c, &wei, &addrs[i], b);
            if (!r)
                r = call_addr(c, b, &pool, sel_acct, &addrs[i]);
            for (unsigned t = 0; !r && t < 2; t++)
                r = call_addr(c, b, &tok[t], sel_bal, &addrs[i]);
        }
        if (r) {
            fprintf(stderr, "naive: block %" PRIu64 ": %s\n", b, rpc_client_errmsg(c));
            goto done;
        }
    }
    double secs = now_s() - t0;
    rpc_endpoint_stats st;
    rpc_client_stats(c, 0, &st);
    uint64_t blocks = to - from + 1;
    printf("{\"addresses\": %" PRIu64 ", \"blocks\": %" PRIu64 ", \"seconds\": %.3f, "
           "\"calls\": %" PRIu64 ", \"round_trips\": %" PRIu64 ", \"calls_per_block\": %.1f, "
           "\"round_trips_per_block\": %.1f, \"ms_per_block\": %.2f}\n",
           n, blocks, secs, st.calls, st.round_trips, (double)st.calls / (double)blocks,
           (double)st.round_trips / (double)blocks, secs * 1000.0 / (double)blocks);
    rc = 0;
done:
    if (f)
        fclose(f);
    free(addrs);
    rpc_client_free(c);
    return rc;
}
