/* tracker/cmd_verify.c — `whaletrack verify BLOCK`: fetch one block's header, raw
 * transactions and receipts, run every check of rpc/verify.h on them and print each
 * result. Invariant: exit 0 only when every check ran and agreed; every check runs even
 * after one fails, so the report says all that disagreed. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rpc/addr.h"
#include "rpc/client.h"
#include "rpc/header.h"
#include "rpc/hex.h"
#include "rpc/verify.h"
#include "tracker/cli.h"
#include "tracker/cmd_verify.h"

static const char help_text[] =
    "usage: whaletrack verify [--rpc URL]... BLOCK\n"
    "\n"
    "Checks one block's data from a node against the block's own commitments and prints\n"
    "what it checked:\n"
    "  header        the fields hash to the block hash (every fork era up to Prague)\n"
    "  child         the next block, when there is one, names this hash as its parent\n"
    "  transactions  each raw transaction hashes to the hash the block lists, their trie\n"
    "                root is transactionsRoot, and each sender recovered from its signature\n"
    "                is the sender the node reports\n"
    "  receipts      one per transaction, blooms and gas agree with the header, logs are\n"
    "                numbered in block order, and their trie root is receiptsRoot\n"
    "BLOCK is a decimal number, a 0x quantity, or 'latest'.\n"
    "\n"
    "  --rpc URL   the node (repeatable: failover order; ${VAR} is read from the\n"
    "              environment); default http://127.0.0.1:8545\n"
    "\n"
    "Exit codes:\n"
    "  0  every check agrees\n"
    "  1  a check disagrees, or the node failed (one line each on stderr)\n"
    "  2  usage error\n";

enum { MAX_URLS = 8 };

static int usage(const char *what, const char *arg)
{
    if (arg)
        fprintf(stderr, "whaletrack: %s '%s' (see whaletrack verify --help)\n", what, arg);
    else
        fprintf(stderr, "whaletrack: %s (see whaletrack verify --help)\n", what);
    return TRK_EXIT_USAGE;
}

/* BLOCK: decimal, 0x quantity, or latest (RPC_BLOCK_LATEST). Returns 0 or -1. */
static int parse_block(uint64_t *v, const char *s)
{
    if (!strcmp(s, "latest")) {
        *v = RPC_BLOCK_LATEST;
        return 0;
    }
    if (rpc_hex_has_prefix(s, strlen(s)))
        return rpc_hex_quantity_u64(v, s, strlen(s)) == RPC_OK && *v < RPC_BLOCK_PENDING ? 0 : -1;
    char *end;
    errno = 0;
    if (!s[0] || s[0] < '0' || s[0] > '9')
        return -1;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno || *end || x >= RPC_BLOCK_PENDING)
        return -1;
    *v = x;
    return 0;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* One check's line on stdout; a failure also on stderr, naming endpoint and block. */
static void report(int rc, const rpc_verify_fail *f, const char *endpoint, const char *name,
                   const char *ok_text, int *failed)
{
    if (rc == RPC_OK) {
        printf("  %-13s ok    %s\n", name, ok_text);
        return;
    }
    printf("  %-13s FAIL  %s\n", name, f->what);
    fprintf(stderr, "whaletrack: verify: %s: block %llu: %s\n", endpoint,
            (unsigned long long)f->block, f->what);
    *failed = 1;
}

int trk_cmd_verify(int argc, char **argv)
{
    static const struct option lo[] = {
        {"help", no_argument, NULL, 'h'},
        {"rpc", required_argument, NULL, 'r'},
        {NULL, 0, NULL, 0},
    };
    const char *urls[MAX_URLS];
    size_t nurls = 0;
    int c;
    optind = 0; /* 0, not 1: glibc re-reads the optstring (main.c parsed with "+") */
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) { /* options may follow BLOCK */
        switch (c) {
        case 'h':
            fputs(help_text, stdout);
            return TRK_EXIT_OK;
        case 'r':
            if (nurls == MAX_URLS)
                return usage("too many --rpc", NULL);
            urls[nurls++] = optarg;
            break;
        default:
            return usage("unknown option", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return usage("which block? BLOCK is missing", NULL);
    if (optind + 1 < argc)
        return usage("unexpected argument", argv[optind + 1]);
    uint64_t block;
    if (parse_block(&block, argv[optind]))
        return usage("not a block number:", argv[optind]);
    if (!nurls)
        urls[nurls++] = "http://127.0.0.1:8545";

    int ret = TRK_EXIT_FAIL, failed = 0, rc;
    rpc_client *cl = NULL;
    rpc_verify_data d;
    rpc_block child;
    memset(&d, 0, sizeof d);
    memset(&child, 0, sizeof child);
    rpc_client_opts o;
    rpc_client_opts_default(&o);
    if ((rc = rpc_client_new(&cl, &o, urls, nurls))) {
        fprintf(stderr, "whaletrack: verify: %s\n", rpc_client_new_errmsg());
        goto out;
    }
    if (block == RPC_BLOCK_LATEST && (rc = rpc_eth_block_number(cl, &block))) {
        fprintf(stderr, "whaletrack: verify: %s\n", rpc_client_errmsg(cl));
        goto out;
    }
    double t0 = now_ms();
    if ((rc = rpc_verify_fetch(cl, &d, block, RPC_VERIFY_RECEIPTS | RPC_VERIFY_TXS))) {
        fprintf(stderr, "whaletrack: verify: block %llu: %s\n", (unsigned long long)block,
                rpc_client_errmsg(cl));
        goto out;
    }
    const char *ep = rpc_client_endpoint_name(cl, rpc_client_last_endpoint(cl));
    double t_fetch = now_ms() - t0;
    char hash[67], text[400];
    rpc_hash32_format(hash, &d.block.hash);
    const char *era = rpc_header_era(&d.block);
    printf("block %llu %s (%s era) from %s\n", (unsigned long long)block, hash,
           era ? era : "unknown", ep);

    rpc_verify_fail f;
    rc = rpc_verify_header(&f, &d.block, NULL);
    report(rc, &f, ep, "header", "its fields hash to the block hash", &failed);

    int crc = rpc_eth_get_block(cl, &child, block + 1);
    if (crc == RPC_ENOTFOUND) {
        printf("  %-13s -     no block %llu yet\n", "child", (unsigned long long)block + 1);
    } else if (crc) {
        f.block = block;
        snprintf(f.what, sizeof f.what, "fetching block %llu: %s", (unsigned long long)block + 1,
                 rpc_client_errmsg(cl));
        report(crc, &f, ep, "child", "", &failed);
    } else {
        rc = rpc_verify_header(&f, &d.block, &child);
        snprintf(text, sizeof text, "block %llu names it as its parent",
                 (unsigned long long)block + 1);
        report(rc, &f, ep, "child", text, &failed);
    }

    rc = rpc_verify_txs(&f, d.senders, &d.block, d.raw_txs, d.block.n_tx, &d.receipts);
    snprintf(text, sizeof text, "%zu transactions hash to their hashes and to transactionsRoot; "
             "%zu senders recovered agree with the node", d.block.n_tx, d.block.n_tx);
    report(rc, &f, ep, "transactions", text, &failed);

    rc = rpc_verify_receipts(&f, &d.block, &d.receipts);
    snprintf(text, sizeof text, "%zu receipts with %zu logs give receiptsRoot, logsBloom and "
             "gasUsed%s", d.receipts.n, d.n_logs,
             d.receipts_one_by_one ? " (fetched one by one)" : "");
    report(rc, &f, ep, "receipts", text, &failed);

    printf("  %-13s %llu calls, %llu round trips, %.1f ms to fetch, %.1f ms in all\n", "cost",
           (unsigned long long)d.calls, (unsigned long long)d.round_trips, t_fetch,
           now_ms() - t0);
    printf("%s\n", failed ? "verify: the node's answers DISAGREE with the block hash"
                          : "verify: every check agrees");
    ret = failed ? TRK_EXIT_FAIL : TRK_EXIT_OK;
out:
    rpc_block_free(&child);
    rpc_verify_data_free(&d);
    rpc_client_free(cl);
    return ret;
}
