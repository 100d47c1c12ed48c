/* tests/rpc/test_client.c — the JSON-RPC client (rpc/client*.c, rpc/transport.c) against a
 * real anvil: every typed call, batches of 1 to 1,000, the chain id check, failover, head
 * lag, counters, and that a URL's key never shows in a message. Each test starts its own
 * anvil and stops it in its fini, pass or fail. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rpc/addr.h"
#include "rpc/client.h"
#include "rpc/hex.h"
#include "rpc/keccak.h"
#include "rpc/u256.h"
#include "tests/support/anvil.h"

static wt_anvil A, B;
static rpc_client *C;
static pid_t canned_pid;

static void stop(void)
{
    rpc_client_free(C);
    C = NULL;
    wt_anvil_stop(&A);
    wt_anvil_stop(&B);
    if (canned_pid > 0) {
        kill(canned_pid, SIGKILL);
        waitpid(canned_pid, NULL, 0);
        canned_pid = 0;
    }
}

/* A loopback HTTP server (a child process) for answers anvil never gives: eth_chainId gets
 * chain 1; every other request gets status and body, where "%ID%" in body becomes the
 * request's id. Returns its URL in url[64]; stopped in stop(). */
static void serve(int c, int status, const char *body)
{
    char req[65536];
    size_t got = 0;
    ssize_t r;
    /* read until the body is in: headers end, then Content-Length bytes */
    while ((r = read(c, req + got, sizeof req - 1 - got)) > 0) {
        got += (size_t)r;
        req[got] = '\0';
        char *h = strstr(req, "\r\n\r\n"), *cl = strstr(req, "Content-Length:");
        if (h && cl && got >= (size_t)(h + 4 - req) + strtoul(cl + 15, NULL, 10))
            break;
    }
    char id[24] = "0";
    char *ip = strstr(req, "\"id\":");
    if (ip) {
        size_t k = 0;
        for (ip += 5; k + 1 < sizeof id && *ip >= '0' && *ip <= '9'; ip++)
            id[k++] = *ip;
        id[k] = '\0';
    }
    char out[2048], resp[2600];
    if (strstr(req, "eth_chainId")) {
        status = 200;
        snprintf(out, sizeof out, "{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":\"0x1\"}", id);
    } else {
        const char *m = strstr(body, "%ID%");
        if (m)
            snprintf(out, sizeof out, "%.*s%s%s", (int)(m - body), body, id, m + 4);
        else
            snprintf(out, sizeof out, "%s", body);
    }
    int n = snprintf(resp, sizeof resp,
                     "HTTP/1.1 %d Whatever\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                     status, strlen(out), out);
    if (n > 0 && write(c, resp, (size_t)n) < 0)
        _exit(1);
    close(c);
}

static void canned_server(char url[64], int status, const char *body)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert_geq(fd, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof sa;
    cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    cr_assert_eq(listen(fd, 8), 0);
    cr_assert_eq(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
    snprintf(url, 64, "http://127.0.0.1:%d", ntohs(sa.sin_port));
    pid_t parent = getpid();
    canned_pid = fork();
    cr_assert_geq(canned_pid, 0);
    if (canned_pid == 0) {
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
            _exit(1);
        for (;;) {
            int c = accept(fd, NULL, NULL);
            if (c < 0)
                _exit(1);
            serve(c, status, body);
        }
    }
    close(fd);
}

static rpc_client *client_on(const char *url, uint64_t chain_id)
{
    rpc_client_opts o;
    rpc_client_opts_default(&o);
    o.chain_id = chain_id;
    o.max_batch = 1000;
    o.backoff_base_ms = 10;
    o.max_retries = 2;
    rpc_client *c = NULL;
    const char *urls[1] = {url};
    cr_assert_eq(rpc_client_new(&c, &o, urls, 1), RPC_OK, "%s", rpc_client_new_errmsg());
    return c;
}

static void start(void)
{
    cr_assert_eq(wt_anvil_start(&A, NULL), 0, "anvil did not start");
    C = client_on(A.url, 31337);
}

static rpc_addr addr_of(const char *hex)
{
    rpc_addr a;
    cr_assert_eq(rpc_addr_parse(&a, hex, strlen(hex)), RPC_OK, "bad address %s", hex);
    return a;
}

static rpc_hash32 hash_of(const char *hex)
{
    rpc_hash32 h;
    cr_assert_eq(rpc_hash32_parse(&h, hex, strlen(hex)), RPC_OK, "bad hash %s", hex);
    return h;
}

/* A field of a raw JSON object, as a string (asserts it is one). */
static const char *jstr(const cJSON *o, const char *name)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, name);
    cr_assert(cJSON_IsString(j), "field %s missing", name);
    return j->valuestring;
}

static uint64_t jqty(const cJSON *o, const char *name)
{
    uint64_t v;
    const char *s = jstr(o, name);
    cr_assert_eq(rpc_hex_quantity_u64(&v, s, strlen(s)), RPC_OK);
    return v;
}

static void assert_hash_eq(const rpc_hash32 *h, const char *hex)
{
    rpc_hash32 w = hash_of(hex);
    cr_assert_eq(memcmp(h, &w, 32), 0, "hash differs from %s", hex);
}

/* calldata hex for f(address,uint256) */
static void calldata_addr_u256(char out[139], const char *sig, const char *addr, uint64_t v)
{
    uint32_t sel = rpc_keccak_selector(sig);
    snprintf(out, 139, "0x%08x000000000000000000000000%s%064llx", sel, addr + 2,
             (unsigned long long)v);
}

/* Deploy @aave/core-v3's MintableERC20("Test", "TST", 18). */
static void deploy_token(char addr[43])
{
    char *code =
        wt_artifact_bytecode("node_modules/@aave/core-v3/artifacts/contracts/mocks/tokens/"
                             "MintableERC20.sol/MintableERC20.json");
    cr_assert(code);
    static const char args[] =
        "0000000000000000000000000000000000000000000000000000000000000060"
        "00000000000000000000000000000000000000000000000000000000000000a0"
        "0000000000000000000000000000000000000000000000000000000000000012"
        "0000000000000000000000000000000000000000000000000000000000000004"
        "5465737400000000000000000000000000000000000000000000000000000000"
        "0000000000000000000000000000000000000000000000000000000000000003"
        "5453540000000000000000000000000000000000000000000000000000000000";
    size_t n = strlen(code) + sizeof args;
    char *init = malloc(n);
    cr_assert(init);
    snprintf(init, n, "%s%s", code, args);
    free(code);
    int rc = wt_anvil_deploy(&A, wt_anvil_account[0], init, addr);
    free(init);
    cr_assert_eq(rc, 0, "token deployment failed");
}

static void mint(const char *token, const char *from, const char *to, uint64_t v, char tx[67])
{
    char data[139];
    calldata_addr_u256(data, "mint(address,uint256)", to, v);
    /* MintableERC20.mint(address,uint256) is callable by anyone */
    cr_assert_eq(wt_anvil_send(&A, from, token, NULL, data, tx, NULL), 0);
}

/* ---- simple typed calls --------------------------------------------------------------- */

Test(client, reads_the_chain_id_and_the_head, .fini = stop)
{
    start();
    uint64_t id, head;
    cr_assert_eq(rpc_eth_chain_id(C, &id), RPC_OK, "%s", rpc_client_errmsg(C));
    cr_assert_eq(id, 31337);
    cr_assert_eq(wt_anvil_mine(&A, 7), 0);
    cr_assert_eq(rpc_eth_block_number(C, &head), RPC_OK, "%s", rpc_client_errmsg(C));
    cr_assert_eq(head, 7);
    cr_assert_str_eq(rpc_client_errmsg(C), "");
}

Test(client, decodes_every_header_field_of_a_block, .fini = stop)
{
    start();
    char tx[67];
    cr_assert_eq(wt_anvil_send(&A, wt_anvil_account[0], wt_anvil_account[1], "0x1", NULL, tx,
                               NULL), 0);
    rpc_block b;
    cr_assert_eq(rpc_eth_get_block(C, &b, 1), RPC_OK, "%s", rpc_client_errmsg(C));
    cJSON *raw = wt_anvil_rpc(&A, "eth_getBlockByNumber", "[\"0x1\",false]");
    cr_assert(raw);
    assert_hash_eq(&b.hash, jstr(raw, "hash"));
    assert_hash_eq(&b.parent_hash, jstr(raw, "parentHash"));
    assert_hash_eq(&b.ommers_hash, jstr(raw, "sha3Uncles"));
    assert_hash_eq(&b.state_root, jstr(raw, "stateRoot"));
    assert_hash_eq(&b.transactions_root, jstr(raw, "transactionsRoot"));
    assert_hash_eq(&b.receipts_root, jstr(raw, "receiptsRoot"));
    assert_hash_eq(&b.mix_hash, jstr(raw, "mixHash"));
    rpc_addr miner = addr_of(jstr(raw, "miner"));
    cr_assert_eq(memcmp(&b.miner, &miner, 20), 0);
    cr_assert_eq(b.number, 1);
    cr_assert_eq(b.timestamp, jqty(raw, "timestamp"));
    cr_assert_eq(b.gas_limit, jqty(raw, "gasLimit"));
    cr_assert_eq(b.gas_used, jqty(raw, "gasUsed"));
    cr_assert_eq(b.gas_used, 21000);
    /* anvil 1.7.1 runs Prague: every optional field is there */
    unsigned all = RPC_BLOCK_HAS_BASE_FEE | RPC_BLOCK_HAS_WITHDRAWALS_ROOT |
                   RPC_BLOCK_HAS_BLOB_GAS_USED | RPC_BLOCK_HAS_EXCESS_BLOB_GAS |
                   RPC_BLOCK_HAS_PARENT_BEACON_ROOT | RPC_BLOCK_HAS_REQUESTS_HASH;
    cr_assert_eq(b.has, all, "has = %#x", b.has);
    cr_assert_eq(b.base_fee.w[0], jqty(raw, "baseFeePerGas"));
    assert_hash_eq(&b.withdrawals_root, jstr(raw, "withdrawalsRoot"));
    assert_hash_eq(&b.requests_hash, jstr(raw, "requestsHash"));
    assert_hash_eq(&b.parent_beacon_root, jstr(raw, "parentBeaconBlockRoot"));
    uint8_t bloom[256];
    const char *bs = jstr(raw, "logsBloom");
    cr_assert_eq(rpc_hex_decode_fixed(bloom, 256, bs, strlen(bs)), RPC_OK);
    cr_assert_eq(memcmp(bloom, b.logs_bloom, 256), 0);
    cr_assert_eq(b.n_tx, 1);
    assert_hash_eq(&b.tx_hashes[0], tx);

    rpc_block g;
    cr_assert_eq(rpc_eth_get_block(C, &g, 0), RPC_OK);
    cr_assert_eq(memcmp(&g.hash, &b.parent_hash, 32), 0, "block 1's parent is not block 0");
    cr_assert_eq(g.n_tx, 0);
    rpc_block_free(&g);
    rpc_block_free(&b);
    cJSON_Delete(raw);
}

Test(client, a_block_beyond_the_head_is_not_found, .fini = stop)
{
    start();
    rpc_block b;
    cr_assert_eq(rpc_eth_get_block(C, &b, 1000), RPC_ENOTFOUND);
    cr_assert_eq(b.n_tx, 0);
    cr_assert_eq(b.number, 0);
    cr_assert(strstr(rpc_client_errmsg(C), "not found"), "%s", rpc_client_errmsg(C));
    cr_assert_eq(rpc_eth_get_block(C, &b, RPC_BLOCK_LATEST), RPC_OK);
    cr_assert_eq(b.number, 0);
    rpc_block_free(&b);
}

Test(client, reads_a_balance_at_a_block, .fini = stop)
{
    start();
    cr_assert_eq(wt_anvil_mine(&A, 2), 0); /* anvil cheats rewrite the head state in place */
    rpc_addr who = addr_of("0x00000000000000000000000000000000000000b1");
    cr_assert_eq(wt_anvil_rpc_ok(&A, "anvil_setBalance",
                                 "[\"0x00000000000000000000000000000000000000b1\","
                                 "\"0x1234567890abcdef1234567890\"]"), 0);
    cr_assert_eq(wt_anvil_mine(&A, 1), 0);
    rpc_u256 wei, want;
    cr_assert_eq(rpc_u256_parse_hex(&want, "0x1234567890abcdef1234567890", 28), RPC_OK);
    cr_assert_eq(rpc_eth_get_balance(C, &wei, &who, RPC_BLOCK_LATEST), RPC_OK);
    cr_assert_eq(rpc_u256_cmp(&wei, &want), 0);
    cr_assert_eq(rpc_eth_get_balance(C, &wei, &who, 1), RPC_OK);
    cr_assert(rpc_u256_is_zero(&wei), "block 1 had no balance yet");
}

/* Runtime code: PUSH32 w, PUSH1 0, MSTORE, PUSH1 32, PUSH1 0, RETURN (f3) or REVERT (fd). */
static void set_word_contract(const char *addr, const char *word64, bool revert)
{
    char p[300];
    snprintf(p, sizeof p, "[\"%s\",\"0x7f%s60005260206000%s\"]", addr, word64,
             revert ? "fd" : "f3");
    cr_assert_eq(wt_anvil_rpc_ok(&A, "anvil_setCode", p), 0);
}

Test(client, eth_call_returns_the_bytes_or_the_revert_data, .fini = stop)
{
    start();
    cr_assert_eq(wt_anvil_mine(&A, 2), 0); /* anvil cheats rewrite the head state in place */
    static const char w[] = "00000000000000000000000000000000000000000000000000000000cafef00d";
    set_word_contract("0x00000000000000000000000000000000000000c1", w, false);
    set_word_contract("0x00000000000000000000000000000000000000c2", w, true);
    cr_assert_eq(wt_anvil_mine(&A, 1), 0);
    rpc_addr ok = addr_of("0x00000000000000000000000000000000000000c1");
    rpc_addr bad = addr_of("0x00000000000000000000000000000000000000c2");
    rpc_bytes r;
    uint8_t data[4] = {1, 2, 3, 4};
    cr_assert_eq(rpc_eth_call(C, &r, RPC_BLOCK_LATEST, &ok, data, 4), RPC_OK, "%s",
                 rpc_client_errmsg(C));
    cr_assert_eq(r.n, 32);
    cr_assert_eq(r.p[28], 0xca);
    cr_assert_eq(r.p[31], 0x0d);
    rpc_bytes_free(&r);

    cr_assert_eq(rpc_eth_call(C, &r, RPC_BLOCK_LATEST, &bad, NULL, 0), RPC_EREVERT);
    cr_assert_null(r.p);
    size_t n;
    const uint8_t *rd = rpc_client_revert_data(C, &n);
    cr_assert_eq(n, 32);
    cr_assert_eq(rd[31], 0x0d);

    /* at block 1 the code was not there: an empty answer, no revert */
    cr_assert_eq(rpc_eth_call(C, &r, 1, &ok, NULL, 0), RPC_OK);
    cr_assert_eq(r.n, 0);
    rd = rpc_client_revert_data(C, &n);
    cr_assert_eq(n, 0);
}

Test(client, reads_receipts_one_by_one_and_by_block, .fini = stop)
{
    start();
    char token[43], tx[67];
    deploy_token(token);
    mint(token, wt_anvil_account[0], wt_anvil_account[2], 5000, tx);
    rpc_hash32 h = hash_of(tx);
    rpc_receipt r;
    cr_assert_eq(rpc_eth_get_receipt(C, &r, &h), RPC_OK, "%s", rpc_client_errmsg(C));
    cr_assert_eq(memcmp(&r.tx_hash, &h, 32), 0);
    cr_assert(r.has_status);
    cr_assert_eq(r.status, 1);
    cr_assert(r.has_to);
    rpc_addr t = addr_of(token), from = addr_of(wt_anvil_account[0]);
    cr_assert_eq(memcmp(&r.to, &t, 20), 0);
    cr_assert_eq(memcmp(&r.from, &from, 20), 0);
    cr_assert_eq(r.block_number, 2, "block %llu", (unsigned long long)r.block_number);
    cr_assert_eq(r.type, 2);
    cr_assert_eq(r.logs.n, 1);
    rpc_hash32 transfer = rpc_keccak_topic("Transfer(address,address,uint256)");
    cr_assert_eq(memcmp(&r.logs.v[0].topics[0], &transfer, 32), 0);
    cr_assert_eq(r.logs.v[0].data_len, 32);
    cr_assert_eq(r.logs.v[0].data[30], 5000 >> 8);

    rpc_receipts rs;
    cr_assert_eq(rpc_eth_get_block_receipts(C, &rs, 2), RPC_OK, "%s", rpc_client_errmsg(C));
    cr_assert_eq(rs.n, 1);
    cr_assert_eq(memcmp(&rs.v[0].tx_hash, &h, 32), 0);
    cr_assert_eq(rs.v[0].cumulative_gas_used, r.cumulative_gas_used);
    cr_assert_eq(memcmp(rs.v[0].logs_bloom, r.logs_bloom, 256), 0);
    rpc_receipts_free(&rs);
    rpc_receipt_free(&r);

    rpc_hash32 none = {{0x42}};
    cr_assert_eq(rpc_eth_get_receipt(C, &r, &none), RPC_ENOTFOUND);
    cr_assert_eq(r.logs.n, 0);
}

Test(client, filters_logs_by_address_and_topic_or_lists, .fini = stop)
{
    start();
    char token[43], other[43];
    deploy_token(token);
    deploy_token(other);
    for (int i = 1; i <= 3; i++)
        mint(token, wt_anvil_account[0], wt_anvil_account[i], (uint64_t)i, NULL);
    mint(other, wt_anvil_account[0], wt_anvil_account[1], 99, NULL);
    int64_t head = wt_anvil_head(&A);
    cr_assert_gt(head, 0);

    rpc_addr t = addr_of(token);
    rpc_hash32 transfer = rpc_keccak_topic("Transfer(address,address,uint256)");
    /* topic 2 (to) is account 1 or account 3 */
    rpc_hash32 to[2];
    memset(to, 0, sizeof to);
    rpc_addr a1 = addr_of(wt_anvil_account[1]), a3 = addr_of(wt_anvil_account[3]);
    memcpy(to[0].b + 12, a1.b, 20);
    memcpy(to[1].b + 12, a3.b, 20);
    rpc_log_filter f;
    memset(&f, 0, sizeof f);
    f.from_block = 0;
    f.to_block = (uint64_t)head;
    f.addrs = &t;
    f.n_addrs = 1;
    f.topics[0] = &transfer;
    f.n_topics[0] = 1;
    f.topics[2] = to;
    f.n_topics[2] = 2;
    rpc_logs l;
    cr_assert_eq(rpc_eth_get_logs(C, &l, &f), RPC_OK, "%s", rpc_client_errmsg(C));
    cr_assert_eq(l.n, 2, "got %zu logs", l.n);
    cr_assert_eq(memcmp(&l.v[0].topics[2], &to[0], 32), 0);
    cr_assert_eq(memcmp(&l.v[1].topics[2], &to[1], 32), 0);
    cr_assert_lt(l.v[0].block_number, l.v[1].block_number);
    cr_assert_eq(l.v[1].data[31], 3);
    cr_assert_not(l.v[0].removed);
    rpc_logs_free(&l);

    /* no address filter: every Transfer, both tokens, in block order */
    f.addrs = NULL;
    f.n_addrs = 0;
    f.n_topics[2] = 0;
    cr_assert_eq(rpc_eth_get_logs(C, &l, &f), RPC_OK);
    cr_assert_eq(l.n, 4);
    for (size_t i = 1; i < l.n; i++)
        cr_assert_lt(l.v[i - 1].block_number, l.v[i].block_number);
    rpc_logs_free(&l);
}

/* ---- batches ---------------------------------------------------------------------------- */

/* n calls of eth_getBlockByNumber for blocks 0, 1, ... 99, 0, 1, ... (mining is slow in
 * anvil: 1,000 blocks take seconds, so 100 blocks are asked over and over) */
static void batch_of_blocks(size_t n)
{
    rpc_batch *b;
    cr_assert_eq(rpc_batch_new(&b), RPC_OK);
    for (size_t i = 0; i < n; i++) {
        size_t idx;
        cr_assert_eq(rpc_batch_add_block(b, &idx, i % 100), RPC_OK);
        cr_assert_eq(idx, i);
    }
    rpc_endpoint_stats s0, s1;
    rpc_client_stats(C, 0, &s0);
    cr_assert_eq(rpc_batch_send(C, b), RPC_OK, "%s", rpc_client_errmsg(C));
    rpc_client_stats(C, 0, &s1);
    cr_assert_eq(s1.round_trips - s0.round_trips, 1, "batch of %zu took %llu requests", n,
                 (unsigned long long)(s1.round_trips - s0.round_trips));
    cr_assert_eq(s1.calls - s0.calls, n);
    rpc_hash32 prev;
    for (size_t i = 0; i < n; i++) {
        rpc_block blk;
        cr_assert_eq(rpc_batch_status(b, i), RPC_OK);
        cr_assert_eq(rpc_batch_take_block(b, i, &blk), RPC_OK);
        cr_assert_eq(blk.number, i % 100);
        if (i % 100)
            cr_assert_eq(memcmp(&blk.parent_hash, &prev, 32), 0, "chain broken at %zu", i);
        prev = blk.hash;
        rpc_block_free(&blk);
        cr_assert_eq(rpc_batch_take_block(b, i, &blk), RPC_EINVAL, "taken twice");
    }
    rpc_batch_free(b);
}

Test(client, batches_of_1_10_100_and_1000_blocks_take_one_request_each, .fini = stop)
{
    start();
    cr_assert_eq(wt_anvil_mine(&A, 99), 0);
    uint64_t id;
    cr_assert_eq(rpc_eth_chain_id(C, &id), RPC_OK); /* first contact out of the way */
    batch_of_blocks(1);
    batch_of_blocks(10);
    batch_of_blocks(100);
    batch_of_blocks(1000);
}

Test(client, a_big_batch_is_split_by_max_batch, .fini = stop)
{
    cr_assert_eq(wt_anvil_start(&A, NULL), 0);
    rpc_client_opts o;
    rpc_client_opts_default(&o);
    o.max_batch = 7;
    const char *urls[1] = {A.url};
    cr_assert_eq(rpc_client_new(&C, &o, urls, 1), RPC_OK);
    rpc_batch *b;
    cr_assert_eq(rpc_batch_new(&b), RPC_OK);
    for (int i = 0; i < 20; i++)
        cr_assert_eq(rpc_batch_add_block_number(b, NULL), RPC_OK);
    cr_assert_eq(rpc_batch_send(C, b), RPC_OK);
    rpc_endpoint_stats s;
    rpc_client_stats(C, 0, &s);
    cr_assert_eq(s.round_trips, 1 + 3, "chain id check + ceil(20/7) requests, got %llu",
                 (unsigned long long)s.round_trips);
    for (int i = 0; i < 20; i++) {
        uint64_t v = 1;
        cr_assert_eq(rpc_batch_get_u64(b, (size_t)i, &v), RPC_OK);
        cr_assert_eq(v, 0);
    }
    rpc_batch_free(b);
}

Test(client, one_batch_mixes_blocks_logs_calls_balances_and_errors, .fini = stop)
{
    start();
    char token[43], tx[67];
    deploy_token(token);
    mint(token, wt_anvil_account[0], wt_anvil_account[4], 77, tx);
    set_word_contract("0x00000000000000000000000000000000000000c2",
                      "00000000000000000000000000000000000000000000000000000000000000ee", true);
    cr_assert_eq(wt_anvil_mine(&A, 1), 0);
    rpc_addr t = addr_of(token), acct = addr_of(wt_anvil_account[4]);
    rpc_addr rev = addr_of("0x00000000000000000000000000000000000000c2");
    rpc_hash32 h = hash_of(tx);
    rpc_log_filter f;
    memset(&f, 0, sizeof f);
    f.to_block = 3;
    f.addrs = &t;
    f.n_addrs = 1;
    uint8_t bal_of[36] = {0x70, 0xa0, 0x82, 0x31};
    memcpy(bal_of + 16, t.b, 20);

    rpc_batch *b;
    cr_assert_eq(rpc_batch_new(&b), RPC_OK);
    size_t i_head, i_blk, i_logs, i_call, i_rev, i_bal, i_rcpt, i_raw, i_bad;
    cr_assert_eq(rpc_batch_add_block_number(b, &i_head), RPC_OK);
    cr_assert_eq(rpc_batch_add_block(b, &i_blk, 2), RPC_OK);
    cr_assert_eq(rpc_batch_add_logs(b, &i_logs, &f), RPC_OK);
    cr_assert_eq(rpc_batch_add_call(b, &i_call, RPC_BLOCK_LATEST, &t, bal_of, 36), RPC_OK);
    cr_assert_eq(rpc_batch_add_call(b, &i_rev, RPC_BLOCK_LATEST, &rev, NULL, 0), RPC_OK);
    cr_assert_eq(rpc_batch_add_balance(b, &i_bal, &acct, RPC_BLOCK_LATEST), RPC_OK);
    cr_assert_eq(rpc_batch_add_receipt(b, &i_rcpt, &h), RPC_OK);
    cr_assert_eq(rpc_batch_add_raw(b, &i_raw, "eth_getCode", "[\"0x00000000000000000000000000"
                                                             "000000000000c2\",\"latest\"]"),
                 RPC_OK);
    cr_assert_eq(rpc_batch_add_raw(b, &i_bad, "whaletrack_noSuchMethod", NULL), RPC_OK);
    cr_assert_eq(rpc_batch_add_raw(b, NULL, "eth_call", "not json"), RPC_EINVAL);
    cr_assert_eq(rpc_batch_size(b), 9);
    cr_assert_eq(rpc_batch_status(b, 0), RPC_EINVAL, "not sent yet");

    cr_assert_eq(rpc_batch_send(C, b), RPC_OK, "%s", rpc_client_errmsg(C));
    uint64_t head;
    cr_assert_eq(rpc_batch_get_u64(b, i_head, &head), RPC_OK);
    cr_assert_eq(head, 3, "head %llu", (unsigned long long)head);
    rpc_block blk;
    cr_assert_eq(rpc_batch_take_block(b, i_blk, &blk), RPC_OK);
    cr_assert_eq(blk.number, 2);
    cr_assert_eq(memcmp(&blk.tx_hashes[0], &h, 32), 0);
    rpc_block_free(&blk);
    rpc_logs l;
    cr_assert_eq(rpc_batch_take_logs(b, i_logs, &l), RPC_OK);
    cr_assert_eq(l.n, 1);
    rpc_logs_free(&l);
    rpc_bytes r;
    cr_assert_eq(rpc_batch_take_bytes(b, i_call, &r), RPC_OK);
    cr_assert_eq(r.n, 32);
    cr_assert_eq(r.p[31], 0, "the token itself holds nothing");
    rpc_bytes_free(&r);
    cr_assert_eq(rpc_batch_status(b, i_rev), RPC_EREVERT);
    cr_assert_eq(rpc_batch_take_bytes(b, i_rev, &r), RPC_EREVERT);
    size_t rn;
    const uint8_t *rd = rpc_batch_revert_data(b, i_rev, &rn);
    cr_assert_eq(rn, 32);
    cr_assert_eq(rd[31], 0xee);
    rpc_u256 wei;
    cr_assert_eq(rpc_batch_get_u256(b, i_bal, &wei), RPC_OK);
    cr_assert_not(rpc_u256_is_zero(&wei));
    rpc_receipt rc;
    cr_assert_eq(rpc_batch_take_receipt(b, i_rcpt, &rc), RPC_OK);
    cr_assert_eq(rc.logs.n, 1);
    rpc_receipt_free(&rc);
    cJSON *code;
    cr_assert_eq(rpc_batch_take_raw(b, i_raw, &code), RPC_OK);
    cr_assert(cJSON_IsString(code));
    cr_assert_eq(strncmp(code->valuestring, "0x7f", 4), 0);
    cJSON_Delete(code);
    cr_assert_eq(rpc_batch_status(b, i_bad), RPC_ENOMETHOD);
    /* asking for the wrong kind is a caller mistake, reported, nothing moved */
    cr_assert_eq(rpc_batch_take_logs(b, i_blk, &l), RPC_EINVAL);
    rpc_batch_free(b);
}

Test(client, a_raw_call_returns_the_result_as_json, .fini = stop)
{
    start();
    cJSON *r;
    cr_assert_eq(rpc_client_call(C, &r, "web3_clientVersion", NULL), RPC_OK);
    cr_assert(cJSON_IsString(r));
    cr_assert(strstr(r->valuestring, "anvil"), "%s", r->valuestring);
    cJSON_Delete(r);
    cr_assert_eq(rpc_client_call(C, &r, "whaletrack_noSuchMethod", "[]"), RPC_ENOMETHOD);
    cr_assert_null(r);
    cr_assert(strstr(rpc_client_errmsg(C), "whaletrack_noSuchMethod"), "%s",
              rpc_client_errmsg(C));
    cr_assert_eq(rpc_client_call(C, &r, "bad method", "[]"), RPC_EINVAL);
    cr_assert_eq(rpc_client_call(C, &r, "eth_call", "[oops"), RPC_EINVAL);
}

/* ---- endpoints -------------------------------------------------------------------------- */

Test(client, an_endpoint_of_another_chain_is_a_fatal_error_naming_it, .fini = stop)
{
    cr_assert_eq(wt_anvil_start(&A, NULL), 0);
    C = client_on(A.url, 1);
    uint64_t head;
    cr_assert_eq(rpc_eth_block_number(C, &head), RPC_ECHAIN);
    cr_assert_eq(head, 0);
    const char *m = rpc_client_errmsg(C);
    cr_assert(strstr(m, A.url), "%s", m);
    cr_assert(strstr(m, "31337") && strstr(m, "expected chain 1"), "%s", m);
    rpc_endpoint_stats s;
    rpc_client_stats(C, 0, &s);
    cr_assert_eq(s.err_chain, 1);
    cr_assert_eq(s.round_trips, 1, "only the chain id was asked");
    cr_assert_eq(rpc_eth_block_number(C, &head), RPC_ECHAIN, "stays fatal");
}

Test(client, a_key_in_a_url_never_appears_in_messages, .fini = stop)
{
    cr_assert_eq(wt_anvil_start(&A, NULL), 0);
    static const char key[] = "s3cr3tK3yZZ9";
    cr_assert_eq(setenv("WT_TEST_RPC_KEY", key, 1), 0);
    char good[128], dead[128];
    snprintf(good, sizeof good, "%s/?apikey=${WT_TEST_RPC_KEY}", A.url);
    snprintf(dead, sizeof dead, "http://user:%s@127.0.0.1:1/v3/${WT_TEST_RPC_KEY}", key);

    C = client_on(good, 1); /* wrong chain: a message naming the endpoint */
    uint64_t v;
    cr_assert_eq(rpc_eth_chain_id(C, &v), RPC_ECHAIN);
    char want[128];
    snprintf(want, sizeof want, "%s/\xe2\x80\xa6", A.url);
    cr_assert_str_eq(rpc_client_endpoint_name(C, 0), want);
    cr_assert(strstr(rpc_client_errmsg(C), want), "%s", rpc_client_errmsg(C));
    cr_assert_null(strstr(rpc_client_errmsg(C), key), "%s", rpc_client_errmsg(C));
    rpc_client_free(C);

    C = client_on(dead, 0); /* connection refused, with retries */
    cr_assert_eq(rpc_eth_chain_id(C, &v), RPC_ECONNECT);
    cr_assert(strstr(rpc_client_errmsg(C), "http://127.0.0.1:1/"), "%s", rpc_client_errmsg(C));
    cr_assert_null(strstr(rpc_client_errmsg(C), key), "%s", rpc_client_errmsg(C));
    cr_assert_null(strstr(rpc_client_errmsg(C), "user"), "%s", rpc_client_errmsg(C));
    cr_assert_null(strstr(rpc_client_endpoint_name(C, 0), key));
    rpc_client_free(C);
    C = NULL;

    const char *unset[1] = {"https://example.invalid/${WT_TEST_NOT_SET_ANYWHERE}"};
    cr_assert_eq(rpc_client_new(&C, NULL, unset, 1), RPC_EINVAL);
    cr_assert_null(C);
    cr_assert(strstr(rpc_client_new_errmsg(), "WT_TEST_NOT_SET_ANYWHERE"), "%s",
              rpc_client_new_errmsg());
    const char *ftp[1] = {"ftp://example.invalid/"};
    cr_assert_eq(rpc_client_new(&C, NULL, ftp, 1), RPC_EINVAL);
}

Test(client, a_dead_endpoint_fails_over_to_the_next, .fini = stop)
{
    cr_assert_eq(wt_anvil_start(&A, NULL), 0);
    rpc_client_opts o;
    rpc_client_opts_default(&o);
    o.backoff_base_ms = 5000; /* the dead one cools down longer than this test runs; */
    o.backoff_max_ms = 5000;  /* failing over to the live one needs no wait at all */
    o.connect_timeout_ms = 1000;
    const char *urls[2] = {"http://127.0.0.1:1", A.url};
    cr_assert_eq(rpc_client_new(&C, &o, urls, 2), RPC_OK);
    uint64_t head;
    for (int i = 0; i < 3; i++)
        cr_assert_eq(rpc_eth_chain_id(C, &head), RPC_OK, "%s", rpc_client_errmsg(C));
    rpc_endpoint_stats s0, s1;
    rpc_client_stats(C, 0, &s0);
    rpc_client_stats(C, 1, &s1);
    cr_assert_eq(s0.err_connect, 1, "the dead one was tried once, then left cooling");
    cr_assert_eq(s1.calls, 4, "chain id check + 3 calls on the live one");
    cr_assert_eq(s1.retries, 1, "the first call there was a retry");
    cr_assert_gt(s1.bytes_in, 0);
    cr_assert_gt(s1.bytes_out, 0);
    cr_assert_gt(s1.latency_us_sum, 0);
    cr_assert_geq(s1.latency_us_sum, s1.latency_us_max);
}

Test(client, an_endpoint_lagging_the_best_head_is_not_used, .fini = stop)
{
    cr_assert_eq(wt_anvil_start(&A, NULL), 0);
    cr_assert_eq(wt_anvil_start(&B, NULL), 0);
    cr_assert_eq(wt_anvil_mine(&A, 3), 0);
    cr_assert_eq(wt_anvil_mine(&B, 20), 0);
    rpc_client_opts o;
    rpc_client_opts_default(&o);
    o.head_lag_max = 5;
    const char *urls[2] = {A.url, B.url};
    cr_assert_eq(rpc_client_new(&C, &o, urls, 2), RPC_OK);
    uint64_t head;
    cr_assert_eq(rpc_eth_block_number(C, &head), RPC_OK, "%s", rpc_client_errmsg(C));
    cr_assert_eq(head, 20);
    rpc_endpoint_stats s0, s1;
    rpc_client_stats(C, 0, &s0);
    rpc_client_stats(C, 1, &s1);
    cr_assert(s0.lagging);
    cr_assert_not(s1.lagging);
    cr_assert_eq(s0.head, 3);
    /* later calls go to the endpoint that is not lagging */
    rpc_block b;
    cr_assert_eq(rpc_eth_get_block(C, &b, 20), RPC_OK, "%s", rpc_client_errmsg(C));
    rpc_block_free(&b);
    /* once it catches up, it is used again */
    cr_assert_eq(wt_anvil_mine(&A, 15), 0);
    cr_assert_eq(rpc_eth_block_number(C, &head), RPC_OK);
    rpc_client_stats(C, 0, &s0);
    cr_assert_not(s0.lagging);
}

Test(client, an_answer_over_the_size_cap_is_refused, .fini = stop)
{
    cr_assert_eq(wt_anvil_start(&A, NULL), 0);
    rpc_client_opts o;
    rpc_client_opts_default(&o);
    o.max_response = 600;
    const char *urls[1] = {A.url};
    cr_assert_eq(rpc_client_new(&C, &o, urls, 1), RPC_OK);
    rpc_block b;
    cr_assert_eq(rpc_eth_get_block(C, &b, 0), RPC_ETOO_LARGE);
    cr_assert(strstr(rpc_client_errmsg(C), "cap"), "%s", rpc_client_errmsg(C));
    rpc_endpoint_stats s;
    rpc_client_stats(C, 0, &s);
    cr_assert_eq(s.err_too_large, 1);
    uint64_t head;
    cr_assert_eq(rpc_eth_block_number(C, &head), RPC_OK, "small answers still pass");
}

Test(client, the_rate_limit_spaces_requests, .fini = stop)
{
    cr_assert_eq(wt_anvil_start(&A, NULL), 0);
    rpc_client_opts o;
    rpc_client_opts_default(&o);
    o.rate_per_sec = 50;
    o.rate_burst = 1;
    const char *urls[1] = {A.url};
    cr_assert_eq(rpc_client_new(&C, &o, urls, 1), RPC_OK);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    uint64_t head;
    for (int i = 0; i < 10; i++) /* 11 requests with the chain check: >= 10 intervals */
        cr_assert_eq(rpc_eth_block_number(C, &head), RPC_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    cr_assert_geq(s, 0.19, "11 requests at 50/s took only %.3f s", s);
}

/* ---- contract: bad arguments, no network needed ----------------------------------------- */

Test(client, bad_endpoint_lists_are_refused_with_a_reason)
{
    rpc_client *c = (rpc_client *)1;
    const char *none[1] = {NULL};
    const char *notaurl[1] = {"not a url"};
    const char *badvar[1] = {"http://h/${}"};
    const char *two[2] = {"http://127.0.0.1:1", "gopher://127.0.0.1:1"};
    cr_assert_eq(rpc_client_new(&c, NULL, NULL, 0), RPC_EINVAL);
    cr_assert_null(c);
    cr_assert_eq(rpc_client_new(&c, NULL, none, 1), RPC_EINVAL);
    cr_assert_eq(rpc_client_new(&c, NULL, notaurl, 1), RPC_EINVAL);
    cr_assert(strstr(rpc_client_new_errmsg(), "endpoint 1"), "%s", rpc_client_new_errmsg());
    cr_assert_eq(rpc_client_new(&c, NULL, badvar, 1), RPC_EINVAL);
    cr_assert_eq(rpc_client_new(&c, NULL, two, 2), RPC_EINVAL);
    cr_assert(strstr(rpc_client_new_errmsg(), "endpoint 2"), "%s", rpc_client_new_errmsg());
    cr_assert_null(c);
}

Test(client, bad_arguments_are_refused_before_any_request, .fini = stop)
{
    C = client_on("http://127.0.0.1:1", 0);
    rpc_log_filter f;
    memset(&f, 0, sizeof f);
    f.from_block = 9;
    f.to_block = 8;
    rpc_logs l;
    cr_assert_eq(rpc_eth_get_logs(C, &l, &f), RPC_EINVAL);
    f.from_block = 0;
    f.n_addrs = 1; /* but no list */
    cr_assert_eq(rpc_eth_get_logs(C, &l, &f), RPC_EINVAL);
    f.n_addrs = 0;
    f.n_topics[1] = 2;
    cr_assert_eq(rpc_eth_get_logs(C, &l, &f), RPC_EINVAL);
    rpc_bytes r;
    uint8_t d[1] = {0};
    cr_assert_eq(rpc_eth_call(C, &r, RPC_BLOCK_LATEST, NULL, d, 1), RPC_EINVAL);
    rpc_addr to = {{0}};
    cr_assert_eq(rpc_eth_call(C, &r, RPC_BLOCK_LATEST, &to, NULL, 1), RPC_EINVAL);
    cJSON *j;
    cr_assert_eq(rpc_client_call(C, &j, "", NULL), RPC_EINVAL);
    cr_assert_eq(rpc_client_call(C, &j, "eth_call", "\"a string\""), RPC_EINVAL);
    rpc_batch *b;
    cr_assert_eq(rpc_batch_new(&b), RPC_OK);
    cr_assert_eq(rpc_batch_add_logs(b, NULL, &f), RPC_EINVAL);
    cr_assert_eq(rpc_batch_size(b), 0, "nothing added on a refusal");
    cr_assert_eq(rpc_batch_status(b, 0), RPC_EINVAL);
    cr_assert_eq(rpc_batch_send(C, b), RPC_OK, "an empty batch sends nothing");
    rpc_batch_free(b);
    rpc_endpoint_stats s;
    rpc_client_stats(C, 0, &s);
    cr_assert_eq(s.round_trips, 0);
}

Test(client, a_json_rpc_error_sent_with_a_4xx_status_is_read_as_the_answer, .fini = stop)
{
    char url[64];
    canned_server(url, 400,
                  "{\"jsonrpc\":\"2.0\",\"id\":%ID%,\"error\":{\"code\":-32602,\"message\":"
                  "\"Log response size exceeded. You can make eth_getLogs requests with up to a "
                  "2K block range\"}}");
    C = client_on(url, 1);
    rpc_log_filter f;
    memset(&f, 0, sizeof f);
    f.to_block = 100;
    rpc_logs l;
    cr_assert_eq(rpc_eth_get_logs(C, &l, &f), RPC_ERANGE, "%s", rpc_client_errmsg(C));
    cr_assert(strstr(rpc_client_errmsg(C), "Log response size exceeded"), "%s",
              rpc_client_errmsg(C));
    rpc_endpoint_stats s;
    rpc_client_stats(C, 0, &s);
    cr_assert_eq(s.round_trips, 2, "the chain check and one refusal, not retried");
}

Test(client, a_4xx_without_a_json_rpc_body_is_an_http_error, .fini = stop)
{
    char url[64];
    canned_server(url, 403, "{\"message\":\"invalid key\"}");
    C = client_on(url, 1);
    rpc_log_filter f;
    memset(&f, 0, sizeof f);
    rpc_logs l;
    cr_assert_eq(rpc_eth_get_logs(C, &l, &f), RPC_EHTTP);
    cr_assert(strstr(rpc_client_errmsg(C), "HTTP 403"), "%s", rpc_client_errmsg(C));
    rpc_endpoint_stats s;
    rpc_client_stats(C, 0, &s);
    cr_assert_eq(s.err_http, 3, "tried 1 + max_retries times");
}
