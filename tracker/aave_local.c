/* tracker/aave_local.c — deploy a real Aave V3.0 market from @aave/core-v3's artifacts on a
 * local anvil, and play transactions on it. Invariant: a transaction counts as done only
 * once its receipt is in with status 1; the first failure stops a deployment, which then
 * hands back nothing (the chain keeps whatever was mined, the caller drops the node). */
#include "tracker/aave_local.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rpc/abi.h"
#include "rpc/addr.h"
#include "rpc/hex.h"
#include "rpc/keccak.h"
#include "rpc/u256.h"
#include "tracker/artifact.h"

#define RECEIPT_WAIT_MS 30000
#define CALLDATA_MAX (64u << 10)
/* Every transaction carries this gas limit instead of the node's estimate: an estimate made
 * in one second is too low when the block lands in the next and Aave accrues interest on
 * the way (a borrow then runs out of gas). Under EIP-7825's cap of 2^24; initReserves of
 * four reserves, the largest, uses 9.1 M. */
#define TX_GAS "0xf42400" /* 16,000,000 */
#define ARTIFACTS_SUBDIR "/node_modules/@aave/core-v3/artifacts/contracts"

/* ---- values for calldata ------------------------------------------------------------- */

/* One ABI argument of a call or constructor: a one-word value, a string, or an address[]. */
typedef struct arg {
    enum { A_ADDR, A_UINT, A_BOOL, A_STR, A_ADDRS } kind;
    const rpc_addr *addr; /* A_ADDR; A_ADDRS: n of them */
    rpc_u256 u;           /* A_UINT */
    bool b;               /* A_BOOL */
    const char *s;        /* A_STR */
    size_t n;             /* A_ADDRS */
} arg;

#define ADDR(p) ((arg){.kind = A_ADDR, .addr = (p)})
#define U64(v) ((arg){.kind = A_UINT, .u = rpc_u256_from_u64(v)})
#define U256(v) ((arg){.kind = A_UINT, .u = (v)})
#define BOOL(v) ((arg){.kind = A_BOOL, .b = (v)})
#define STR(v) ((arg){.kind = A_STR, .s = (v)})
#define ADDRS(p, k) ((arg){.kind = A_ADDRS, .addr = (p), .n = (k)})

/* put_args: args[0..n) into the open top frame of e, head order. */
static void put_args(rpc_abi_enc *e, const arg *args, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (args[i].kind) {
        case A_ADDR:
            rpc_abi_put_address(e, i, args[i].addr);
            break;
        case A_UINT:
            rpc_abi_put_uint(e, i, &args[i].u);
            break;
        case A_BOOL:
            rpc_abi_put_bool(e, i, args[i].b);
            break;
        case A_STR:
            rpc_abi_put_bytes(e, i, (const uint8_t *)args[i].s, strlen(args[i].s));
            break;
        case A_ADDRS:
            rpc_abi_open_array(e, i, args[i].n, 1);
            for (size_t j = 0; j < args[i].n; j++)
                rpc_abi_put_address(e, j, &args[i].addr[j]);
            rpc_abi_close(e);
            break;
        }
    }
}

/* ---- sending ------------------------------------------------------------------------- */

/* Progress of a run of transactions: counts for the deployment, the step for messages. */
typedef struct run {
    rpc_client *c;
    const char *step;
    char *err;
    size_t errcap;
    unsigned n_tx;
    uint64_t gas, first_block, last_block;
} run;

static void failf(run *r, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* failf: the run's error line: "step: what: rpc error (node message)"; keeps the first. */
static void failf(run *r, int rc, const char *fmt, ...)
{
    if (!r->err || r->errcap == 0 || r->err[0])
        return;
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    if (vsnprintf(what, sizeof what, fmt, ap) < 0)
        what[0] = '\0';
    va_end(ap);
    const char *msg = rpc_client_errmsg(r->c);
    if (snprintf(r->err, r->errcap, "%s: %s: %s%s%s%s", r->step, what, rpc_strerror(rc),
                 *msg ? " (" : "", msg, *msg ? ")" : "") < 0)
        r->err[0] = '\0';
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static long elapsed_ms(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000L + (t.tv_nsec - t0->tv_nsec) / 1000000L;
}

/* wait_receipt: poll until the node has the receipt (anvil answers eth_sendTransaction
 * before it has mined the block) and check its status. */
static int wait_receipt(run *r, trk_aave_tx *tx, rpc_addr *created, const rpc_hash32 *hash)
{
    rpc_receipt rec = {0};
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long pause = 1;
    int rc;
    while ((rc = rpc_eth_get_receipt(r->c, &rec, hash)) == RPC_ENOTFOUND) {
        if (elapsed_ms(&t0) > RECEIPT_WAIT_MS) {
            rc = RPC_ETIMEOUT;
            break;
        }
        sleep_ms(pause);
        pause = pause < 50 ? pause * 2 : pause;
    }
    char h[67];
    rpc_hash32_format(h, hash);
    if (rc) {
        failf(r, rc, "receipt of %s", h);
        return rc;
    }
    if (!rec.has_status || rec.status != 1 || (created && !rec.has_contract_address)) {
        failf(r, RPC_EREVERT, "transaction %s failed in block %llu", h,
              (unsigned long long)rec.block_number);
        rpc_receipt_free(&rec);
        return RPC_EREVERT;
    }
    tx->hash = *hash;
    tx->block = rec.block_number;
    tx->gas_used = rec.gas_used;
    if (created)
        *created = rec.contract_address;
    if (r->n_tx++ == 0)
        r->first_block = rec.block_number;
    r->last_block = rec.block_number;
    r->gas += rec.gas_used;
    rpc_receipt_free(&rec);
    return RPC_OK;
}

/* send_tx: eth_sendTransaction {from, to (NULL: create), value (NULL: none), data} and
 * wait for it. Out: *tx; *created for a creation (may be NULL otherwise). */
static int send_tx(run *r, trk_aave_tx *tx, rpc_addr *created, const rpc_addr *from,
                   const rpc_addr *to, const rpc_u256 *value, const uint8_t *data, size_t len)
{
    memset(tx, 0, sizeof *tx);
    char fromh[RPC_ADDR_HEX_LEN + 1], toh[RPC_ADDR_HEX_LEN + 1] = "", valh[67] = "";
    rpc_addr_format_lower(fromh, from);
    if (to)
        rpc_addr_format_lower(toh, to);
    if (value && rpc_u256_format_hex(valh, sizeof valh, value) != RPC_OK)
        return RPC_EINVAL; /* cannot happen: 67 always suffices */
    size_t cap = 2 * len + 256;
    char *json = malloc(cap);
    if (!json)
        return RPC_ENOMEM;
    int n = snprintf(json, cap, "[{\"from\":\"%s\",\"gas\":\"" TX_GAS "\"%s%s%s%s%s%s,\"data\":\"",
                     fromh, to ? ",\"to\":\"" : "", toh, to ? "\"" : "",
                     value ? ",\"value\":\"" : "", valh, value ? "\"" : "");
    int rc = RPC_ETOO_LARGE;
    if (n < 0 || (size_t)n >= cap)
        goto fail;
    rc = rpc_hex_encode(json + n, cap - (size_t)n, data, len);
    if (rc)
        goto fail;
    size_t used = (size_t)n + strlen(json + n);
    if (cap - used < 4) {
        rc = RPC_ETOO_LARGE;
        goto fail;
    }
    memcpy(json + used, "\"}]", 4);
    cJSON *res = NULL;
    rc = rpc_client_call(r->c, &res, "eth_sendTransaction", json);
    if (rc) {
        failf(r, rc, "eth_sendTransaction");
        goto fail;
    }
    rpc_hash32 hash;
    rc = cJSON_IsString(res) ? rpc_hash32_parse(&hash, res->valuestring, strlen(res->valuestring))
                             : RPC_EJSON;
    cJSON_Delete(res);
    if (rc) {
        rc = RPC_EJSON;
        failf(r, rc, "eth_sendTransaction answered no transaction hash");
        goto fail;
    }
    rc = wait_receipt(r, tx, created, &hash);
fail:
    free(json);
    if (rc)
        memset(tx, 0, sizeof *tx);
    return rc;
}

/* encode_call: calldata of sig(args) in e (the caller frees e in every case). */
static int encode_call(rpc_abi_enc *e, const uint8_t **data, size_t *len, const char *sig,
                       const arg *args, size_t n)
{
    rpc_abi_enc_init_call(e, CALLDATA_MAX, rpc_keccak_selector(sig), n);
    put_args(e, args, n);
    return rpc_abi_enc_finish(e, data, len);
}

/* send_call: from calls to.sig(args) (value may be NULL). */
static int send_call(run *r, trk_aave_tx *tx, const rpc_addr *from, const rpc_addr *to,
                     const rpc_u256 *value, const char *sig, const arg *args, size_t n)
{
    rpc_abi_enc e;
    const uint8_t *data;
    size_t len;
    int rc = encode_call(&e, &data, &len, sig, args, n);
    if (rc)
        failf(r, rc, "encoding %s", sig);
    else
        rc = send_tx(r, tx, NULL, from, to, value, data, len);
    rpc_abi_enc_free(&e);
    return rc;
}

/* view_call: the return data of to.sig(args) at block. Out: *ret, caller frees. */
static int view_call(rpc_client *c, rpc_bytes *ret, const rpc_addr *to, uint64_t block,
                     const char *sig, const arg *args, size_t n)
{
    memset(ret, 0, sizeof *ret);
    rpc_abi_enc e;
    const uint8_t *data;
    size_t len;
    int rc = encode_call(&e, &data, &len, sig, args, n);
    if (rc == RPC_OK)
        rc = rpc_eth_call(c, ret, block, to, data, len);
    rpc_abi_enc_free(&e);
    return rc;
}

/* view_addr: an address-returning view (getPool(), ...). */
static int view_addr(run *r, rpc_addr *out, const rpc_addr *to, const char *sig)
{
    rpc_bytes ret;
    int rc = view_call(r->c, &ret, to, RPC_BLOCK_LATEST, sig, NULL, 0);
    if (rc == RPC_OK) {
        rpc_abi v;
        rpc_abi_init(&v, ret.p, ret.n);
        rc = rpc_abi_address(out, &v, 0);
    }
    if (rc)
        failf(r, rc, "%s", sig);
    rpc_bytes_free(&ret);
    return rc;
}

/* ---- deployment ---------------------------------------------------------------------- */

#define N_LIBS 8

typedef struct deployer {
    run r;
    const char *dir;
    const rpc_addr *owner;
    trk_link libs[N_LIBS];
    size_t n_libs;
} deployer;

/* deploy: create the contract of artifact file (relative to the artifacts directory), its
 * libraries linked from d->libs, its constructor arguments checked against ctor_sig. */
static int deploy(deployer *d, rpc_addr *out, const char *file, const char *ctor_sig,
                  const arg *args, size_t n)
{
    memset(out, 0, sizeof *out);
    d->r.step = file;
    char path[1024], sig[512];
    trk_artifact *a = NULL;
    uint8_t *buf = NULL;
    rpc_abi_enc e;
    memset(&e, 0, sizeof e); /* rpc_abi_enc_free() of a zeroed encoder is a no-op */
    if (n) /* a zero-word encoder would memset through a NULL buffer (rpc/abi.c append) */
        rpc_abi_enc_init(&e, CALLDATA_MAX, n);
    int rc = RPC_ETOO_LARGE;
    int pn = snprintf(path, sizeof path, "%s/%s", d->dir, file);
    if (pn < 0 || (size_t)pn >= sizeof path) {
        failf(&d->r, rc, "path too long");
        goto fail;
    }
    rc = trk_artifact_load(&a, d->r.err, d->r.errcap, path);
    if (rc)
        goto fail;
    rc = trk_artifact_signature(a, sig, sizeof sig, NULL, -1);
    if (rc == RPC_OK && strcmp(sig, ctor_sig) != 0)
        rc = RPC_EABI;
    if (rc) {
        failf(&d->r, rc, "constructor is %s, expected %s", sig, ctor_sig);
        goto fail;
    }
    put_args(&e, args, n);
    const uint8_t *ctor;
    size_t ctor_len = 0, code_len = 0;
    rc = n ? rpc_abi_enc_finish(&e, &ctor, &ctor_len) : RPC_OK;
    if (rc) {
        failf(&d->r, rc, "encoding the constructor arguments");
        goto fail;
    }
    rc = RPC_ENOMEM;
    buf = malloc(TRK_ARTIFACT_CODE_MAX + ctor_len);
    if (!buf)
        goto fail;
    rc = trk_artifact_link(a, buf, TRK_ARTIFACT_CODE_MAX, &code_len, d->r.err, d->r.errcap, d->libs,
                           d->n_libs);
    if (rc)
        goto fail;
    if (ctor_len)
        memcpy(buf + code_len, ctor, ctor_len);
    trk_aave_tx tx;
    rc = send_tx(&d->r, &tx, out, d->owner, NULL, NULL, buf, code_len + ctor_len);
fail:
    rpc_abi_enc_free(&e);
    free(buf);
    trk_artifact_free(a);
    return rc;
}

/* deploy_lib: deploy logic library `name` and add it to the links. */
static int deploy_lib(deployer *d, const char *name, const char *file)
{
    if (d->n_libs == N_LIBS)
        return RPC_EINVAL;
    trk_link *l = &d->libs[d->n_libs];
    int rc = deploy(d, &l->addr, file, "()", NULL, 0);
    if (rc == RPC_OK) {
        l->name = name;
        d->n_libs++;
    }
    return rc;
}

/* own: owner calls to.sig(args) as deployment step sig. */
static int own(deployer *d, const rpc_addr *to, const char *sig, const arg *args, size_t n)
{
    trk_aave_tx tx;
    d->r.step = sig;
    return send_call(&d->r, &tx, d->owner, to, NULL, sig, args, n);
}

/* The market's reserves: token, feed price, risk parameters (basis points), rate curve. */
static const struct reserve_spec {
    const char *symbol, *name;
    unsigned decimals;
    uint64_t price;
    unsigned ltv, lt, bonus, factor;
    bool stable_curve;
} specs[TRK_AAVE_N_ASSETS] = {
    [TRK_AAVE_WETH] = {"WETH", "Wrapped Ether", 18, 300000000000u, 8000, 8250, 10500, 1000, false},
    [TRK_AAVE_USDT] = {"USDT", "Tether USD", 6, 100000000u, 0, 0, 0, 1000, true},
    [TRK_AAVE_USDC] = {"USDC", "USD Coin", 6, 100000000u, 7700, 8000, 10450, 1000, true},
    [TRK_AAVE_WSTETH] = {"wstETH", "Wrapped liquid staked Ether 2.0", 18, 350000000000u, 7500, 7900,
                         10600, 1500, false},
};

#define ART_PROVIDER "protocol/configuration/PoolAddressesProvider.sol/PoolAddressesProvider.json"
#define ART_ACL "protocol/configuration/ACLManager.sol/ACLManager.json"
#define ART_POOL "protocol/pool/Pool.sol/Pool.json"
#define ART_CONFIGURATOR "protocol/pool/PoolConfigurator.sol/PoolConfigurator.json"
#define ART_DATA_PROVIDER "misc/AaveProtocolDataProvider.sol/AaveProtocolDataProvider.json"
#define ART_ORACLE "misc/AaveOracle.sol/AaveOracle.json"
#define ART_WETH "mocks/tokens/WETH9Mocked.sol/WETH9Mocked.json"
#define ART_ERC20 "mocks/tokens/MintableERC20.sol/MintableERC20.json"
#define ART_FEED "mocks/oracle/CLAggregators/MockAggregator.sol/MockAggregator.json"
#define ART_ATOKEN "protocol/tokenization/AToken.sol/AToken.json"
#define ART_SDEBT "protocol/tokenization/StableDebtToken.sol/StableDebtToken.json"
#define ART_VDEBT "protocol/tokenization/VariableDebtToken.sol/VariableDebtToken.json"
#define ART_STRATEGY                                                                               \
    "protocol/pool/DefaultReserveInterestRateStrategy.sol/DefaultReserveInterestRateStrategy.json"
#define LOGIC(n) "protocol/libraries/logic/" n ".sol/" n ".json"

/* ray_bps: a rate in basis points as a ray (1e27 = 100 %): bps * 1e23. */
static rpc_u256 ray_bps(unsigned bps)
{
    rpc_u256 r = rpc_u256_from_u64(bps), k = rpc_u256_from_u64(100000000000000000ull); /* 1e17 */
    rpc_u256 m = rpc_u256_from_u64(1000000);                                           /* 1e6 */
    if (rpc_u256_mul(&r, &r, &k) || rpc_u256_mul(&r, &r, &m))
        return rpc_u256_from_u64(0); /* cannot happen for bps < 2^32 */
    return r;
}

/* Two rate curves in basis points, in the constructor's order after the provider: optimal
 * usage, base variable rate, variable slopes 1 and 2, stable slopes 1 and 2, base stable
 * offset, stable excess offset, optimal stable-to-total debt. Volatile assets kink at 45 %,
 * stablecoins at 90 % (the shape of Aave's own mainnet curves). */
static const unsigned curves[2][9] = {
    {4500, 0, 400, 30000, 700, 30000, 200, 800, 2000}, /* volatile */
    {9000, 0, 400, 6000, 50, 6000, 100, 800, 2000},    /* stable */
};

/* deploy_strategy: a DefaultReserveInterestRateStrategy on curve 0 or 1. */
static int deploy_strategy(deployer *d, rpc_addr *out, const trk_aave_market *m, bool stable)
{
    arg a[10] = {ADDR(&m->provider)};
    for (int i = 0; i < 9; i++)
        a[i + 1] = U256(ray_bps(curves[stable][i]));
    return deploy(d, out, ART_STRATEGY,
                  "(address,uint256,uint256,uint256,uint256,uint256,uint256,uint256,uint256,"
                  "uint256)",
                  a, 10);
}

/* init_reserves: PoolConfigurator.initReserves with every reserve, one transaction. */
static int init_reserves(deployer *d, trk_aave_market *m)
{
    static const char sig[] = "initReserves((address,address,address,uint8,address,address,"
                              "address,address,string,string,string,string,string,string,"
                              "bytes)[])";
    d->r.step = "initReserves";
    rpc_abi_enc e;
    rpc_abi_enc_init_call(&e, CALLDATA_MAX, rpc_keccak_selector(sig), 1);
    rpc_abi_open_array(&e, 0, TRK_AAVE_N_ASSETS, 1);
    char names[6][64];
    const rpc_addr zero = {{0}};
    for (size_t i = 0; i < TRK_AAVE_N_ASSETS; i++) {
        const trk_aave_reserve *r = &m->reserve[i];
        const char *s = r->symbol;
        if (snprintf(names[0], 64, "Aave Local %s", s) < 0 ||
            snprintf(names[1], 64, "aLoc%s", s) < 0 ||
            snprintf(names[2], 64, "Aave Local Variable Debt %s", s) < 0 ||
            snprintf(names[3], 64, "variableDebtLoc%s", s) < 0 ||
            snprintf(names[4], 64, "Aave Local Stable Debt %s", s) < 0 ||
            snprintf(names[5], 64, "stableDebtLoc%s", s) < 0)
            names[0][0] = '\0';
        rpc_abi_open_tuple(&e, i, 15);
        const arg a[15] = {ADDR(&m->a_token_impl),
                           ADDR(&m->stable_debt_impl),
                           ADDR(&m->variable_debt_impl),
                           U64(r->decimals),
                           ADDR(&r->strategy),
                           ADDR(&r->asset),
                           ADDR(&m->owner),
                           ADDR(&zero),
                           STR(names[0]),
                           STR(names[1]),
                           STR(names[2]),
                           STR(names[3]),
                           STR(names[4]),
                           STR(names[5]),
                           STR("")};
        put_args(&e, a, 15);
        rpc_abi_close(&e);
    }
    rpc_abi_close(&e);
    const uint8_t *data;
    size_t len;
    trk_aave_tx tx;
    int rc = rpc_abi_enc_finish(&e, &data, &len);
    if (rc)
        failf(&d->r, rc, "encoding");
    else
        rc = send_tx(&d->r, &tx, NULL, d->owner, &m->configurator, NULL, data, len);
    rpc_abi_enc_free(&e);
    return rc;
}

/* read_tokens: each reserve's aToken and debt tokens from the data provider. */
static int read_tokens(deployer *d, trk_aave_market *m)
{
    d->r.step = "getReserveTokensAddresses";
    for (size_t i = 0; i < TRK_AAVE_N_ASSETS; i++) {
        trk_aave_reserve *r = &m->reserve[i];
        rpc_bytes ret;
        const arg a[] = {ADDR(&r->asset)};
        int rc = view_call(d->r.c, &ret, &m->data_provider, RPC_BLOCK_LATEST,
                           "getReserveTokensAddresses(address)", a, 1);
        if (rc == RPC_OK) {
            rpc_abi v;
            rpc_abi_init(&v, ret.p, ret.n);
            rc = rpc_abi_address(&r->a_token, &v, 0);
            if (rc == RPC_OK)
                rc = rpc_abi_address(&r->stable_debt, &v, 1);
            if (rc == RPC_OK)
                rc = rpc_abi_address(&r->variable_debt, &v, 2);
        }
        rpc_bytes_free(&ret);
        if (rc) {
            failf(&d->r, rc, "%s", r->symbol);
            return rc;
        }
    }
    return RPC_OK;
}

/* The body of trk_aave_deploy; every step returns at the first failure. */
static int deploy_market(deployer *d, trk_aave_market *m)
{
    const rpc_addr *o = d->owner;
    rpc_addr zero = {{0}};
    int rc;
#define TRY(x)                                                                                     \
    do {                                                                                           \
        if ((rc = (x)))                                                                            \
            return rc;                                                                             \
    } while (0)
    TRY(deploy(d, &m->provider, ART_PROVIDER, "(string,address)",
               (arg[]){STR("Aave Local Market"), ADDR(o)}, 2));
    TRY(own(d, &m->provider, "setACLAdmin(address)", (arg[]){ADDR(o)}, 1));
    TRY(deploy(d, &m->acl, ART_ACL, "(address)", (arg[]){ADDR(&m->provider)}, 1));
    TRY(own(d, &m->provider, "setACLManager(address)", (arg[]){ADDR(&m->acl)}, 1));
    TRY(own(d, &m->acl, "addPoolAdmin(address)", (arg[]){ADDR(o)}, 1));
    TRY(own(d, &m->acl, "addEmergencyAdmin(address)", (arg[]){ADDR(o)}, 1));
    /* BorrowLogic before FlashLoanLogic, which links it. */
    static const char *const libs[N_LIBS][2] = {
        {"SupplyLogic", LOGIC("SupplyLogic")},
        {"BorrowLogic", LOGIC("BorrowLogic")},
        {"LiquidationLogic", LOGIC("LiquidationLogic")},
        {"EModeLogic", LOGIC("EModeLogic")},
        {"BridgeLogic", LOGIC("BridgeLogic")},
        {"PoolLogic", LOGIC("PoolLogic")},
        {"FlashLoanLogic", LOGIC("FlashLoanLogic")},
        {"ConfiguratorLogic", LOGIC("ConfiguratorLogic")},
    };
    for (size_t i = 0; i < N_LIBS; i++)
        TRY(deploy_lib(d, libs[i][0], libs[i][1]));
    TRY(deploy(d, &m->pool_impl, ART_POOL, "(address)", (arg[]){ADDR(&m->provider)}, 1));
    TRY(own(d, &m->pool_impl, "initialize(address)", (arg[]){ADDR(&m->provider)}, 1));
    TRY(own(d, &m->provider, "setPoolImpl(address)", (arg[]){ADDR(&m->pool_impl)}, 1));
    TRY(view_addr(&d->r, &m->pool, &m->provider, "getPool()"));
    TRY(deploy(d, &m->configurator_impl, ART_CONFIGURATOR, "()", NULL, 0));
    TRY(own(d, &m->provider, "setPoolConfiguratorImpl(address)",
            (arg[]){ADDR(&m->configurator_impl)}, 1));
    TRY(view_addr(&d->r, &m->configurator, &m->provider, "getPoolConfigurator()"));
    TRY(deploy(d, &m->data_provider, ART_DATA_PROVIDER, "(address)", (arg[]){ADDR(&m->provider)},
               1));
    TRY(own(d, &m->provider, "setPoolDataProvider(address)", (arg[]){ADDR(&m->data_provider)}, 1));

    rpc_addr assets[TRK_AAVE_N_ASSETS], feeds[TRK_AAVE_N_ASSETS];
    for (size_t i = 0; i < TRK_AAVE_N_ASSETS; i++) {
        const struct reserve_spec *s = &specs[i];
        trk_aave_reserve *r = &m->reserve[i];
        r->symbol = s->symbol;
        r->decimals = s->decimals;
        r->price = s->price;
        r->ltv_bps = s->ltv;
        r->liq_threshold_bps = s->lt;
        r->liq_bonus_bps = s->bonus;
        r->reserve_factor_bps = s->factor;
        if (i == TRK_AAVE_WETH)
            TRY(deploy(d, &r->asset, ART_WETH, "()", NULL, 0));
        else
            TRY(deploy(d, &r->asset, ART_ERC20, "(string,string,uint8)",
                       (arg[]){STR(s->name), STR(s->symbol), U64(s->decimals)}, 3));
        assets[i] = r->asset;
    }
    for (size_t i = 0; i < TRK_AAVE_N_ASSETS; i++) {
        TRY(deploy(d, &m->reserve[i].feed, ART_FEED, "(int256)", (arg[]){U64(specs[i].price)}, 1));
        feeds[i] = m->reserve[i].feed;
    }
    TRY(deploy(d, &m->oracle, ART_ORACLE, "(address,address[],address[],address,address,uint256)",
               (arg[]){ADDR(&m->provider), ADDRS(assets, TRK_AAVE_N_ASSETS),
                       ADDRS(feeds, TRK_AAVE_N_ASSETS), ADDR(&zero), ADDR(&zero), U64(100000000)},
               6));
    TRY(own(d, &m->provider, "setPriceOracle(address)", (arg[]){ADDR(&m->oracle)}, 1));
    TRY(deploy(d, &m->a_token_impl, ART_ATOKEN, "(address)", (arg[]){ADDR(&m->pool)}, 1));
    TRY(deploy(d, &m->stable_debt_impl, ART_SDEBT, "(address)", (arg[]){ADDR(&m->pool)}, 1));
    TRY(deploy(d, &m->variable_debt_impl, ART_VDEBT, "(address)", (arg[]){ADDR(&m->pool)}, 1));
    rpc_addr curve[2]; /* volatile, stable: shared by the reserves of their kind */
    TRY(deploy_strategy(d, &curve[0], m, false));
    TRY(deploy_strategy(d, &curve[1], m, true));
    for (size_t i = 0; i < TRK_AAVE_N_ASSETS; i++)
        m->reserve[i].strategy = curve[specs[i].stable_curve];
    TRY(init_reserves(d, m));
    for (size_t i = 0; i < TRK_AAVE_N_ASSETS; i++) {
        const trk_aave_reserve *r = &m->reserve[i];
        if (r->ltv_bps)
            TRY(own(d, &m->configurator,
                    "configureReserveAsCollateral(address,uint256,uint256,"
                    "uint256)",
                    (arg[]){ADDR(&r->asset), U64(r->ltv_bps), U64(r->liq_threshold_bps),
                            U64(r->liq_bonus_bps)},
                    4));
        TRY(own(d, &m->configurator, "setReserveBorrowing(address,bool)",
                (arg[]){ADDR(&r->asset), BOOL(true)}, 2));
        TRY(own(d, &m->configurator, "setReserveFactor(address,uint256)",
                (arg[]){ADDR(&r->asset), U64(r->reserve_factor_bps)}, 2));
    }
    TRY(read_tokens(d, m));
#undef TRY
    return RPC_OK;
}

int trk_aave_deploy(rpc_client *c, trk_aave_market *m, char *err, size_t errcap,
                    const char *artifacts, const rpc_addr *owner)
{
    memset(m, 0, sizeof *m);
    if (errcap)
        err[0] = '\0';
    deployer d = {
        .r = {.c = c, .step = "", .err = err, .errcap = errcap}, .dir = artifacts, .owner = owner};
    int rc = RPC_ETOO_LARGE;
    int n = snprintf(m->artifacts, sizeof m->artifacts, "%s", artifacts);
    if (n < 0 || (size_t)n >= sizeof m->artifacts) {
        failf(&d.r, rc, "artifacts directory name too long");
        goto fail;
    }
    m->owner = *owner;
    rc = deploy_market(&d, m);
    if (rc)
        goto fail;
    m->first_block = d.r.first_block;
    m->block = d.r.last_block;
    m->n_tx = d.r.n_tx;
    m->gas_used = d.r.gas;
    return RPC_OK;
fail:
    if (errcap && !err[0] && snprintf(err, errcap, "%s: %s", d.r.step, rpc_strerror(rc)) < 0)
        err[0] = '\0';
    memset(m, 0, sizeof *m);
    return rc;
}

int trk_aave_artifacts_dir(char *out, size_t cap, const char *top)
{
    int n = snprintf(out, cap, "%s" ARTIFACTS_SUBDIR, top);
    if (n < 0 || (size_t)n >= cap) {
        if (cap)
            out[0] = '\0';
        return RPC_ETOO_LARGE;
    }
    return RPC_OK;
}

int trk_aave_account_at(rpc_client *c, rpc_addr *addr, unsigned index)
{
    memset(addr, 0, sizeof *addr);
    cJSON *res = NULL;
    int rc = rpc_client_call(c, &res, "eth_accounts", NULL);
    if (rc)
        return rc;
    const cJSON *a = NULL;
    if (!cJSON_IsArray(res))
        rc = RPC_EJSON;
    else if (index >= (unsigned)cJSON_GetArraySize(res) ||
             !(a = cJSON_GetArrayItem(res, (int)index)))
        rc = RPC_ENOTFOUND;
    else if (!cJSON_IsString(a) ||
             rpc_addr_parse(addr, a->valuestring, strlen(a->valuestring)) != RPC_OK)
        rc = RPC_EJSON;
    cJSON_Delete(res);
    return rc;
}

/* ---- transactions -------------------------------------------------------------------- */

static run quiet_run(rpc_client *c)
{
    return (run){.c = c, .step = ""};
}

static const rpc_addr *asset_addr(const trk_aave_market *m, unsigned asset)
{
    return asset < TRK_AAVE_N_ASSETS ? &m->reserve[asset].asset : NULL;
}

/* bad_asset: zero *tx; true when asset is not one of the market's. */
static bool bad_asset(trk_aave_tx *tx, unsigned asset)
{
    memset(tx, 0, sizeof *tx);
    return asset >= TRK_AAVE_N_ASSETS;
}

/* pool_tx: from sends sig(args) to the pool, after approve(pool, amount) on the token of
 * `approved` unless that is TRK_AAVE_N_ASSETS (no approval needed). */
static int pool_tx(rpc_client *c, trk_aave_tx *tx, const trk_aave_market *m, const rpc_addr *from,
                   unsigned approved, const rpc_u256 *amount, const char *sig, const arg *args,
                   size_t n)
{
    run r = quiet_run(c);
    if (approved < TRK_AAVE_N_ASSETS) {
        int rc = send_call(&r, tx, from, asset_addr(m, approved), NULL, "approve(address,uint256)",
                           (arg[]){ADDR(&m->pool), U256(*amount)}, 2);
        if (rc)
            return rc;
    }
    return send_call(&r, tx, from, &m->pool, NULL, sig, args, n);
}

int trk_aave_mint(rpc_client *c, trk_aave_tx *tx, const trk_aave_market *m, const rpc_addr *to,
                  unsigned asset, const rpc_u256 *amount)
{
    if (bad_asset(tx, asset))
        return RPC_EINVAL;
    run r = quiet_run(c);
    if (asset == TRK_AAVE_WETH)
        return send_call(&r, tx, to, asset_addr(m, asset), amount, "deposit()", NULL, 0);
    return send_call(&r, tx, to, asset_addr(m, asset), NULL, "mint(address,uint256)",
                     (arg[]){ADDR(to), U256(*amount)}, 2);
}

int trk_aave_transfer(rpc_client *c, trk_aave_tx *tx, const trk_aave_market *m,
                      const rpc_addr *from, unsigned asset, const rpc_addr *to,
                      const rpc_u256 *amount)
{
    if (bad_asset(tx, asset))
        return RPC_EINVAL;
    run r = quiet_run(c);
    return send_call(&r, tx, from, asset_addr(m, asset), NULL, "transfer(address,uint256)",
                     (arg[]){ADDR(to), U256(*amount)}, 2);
}

int trk_aave_supply(rpc_client *c, trk_aave_tx *tx, const trk_aave_market *m, const rpc_addr *from,
                    unsigned asset, const rpc_u256 *amount)
{
    if (bad_asset(tx, asset))
        return RPC_EINVAL;
    return pool_tx(c, tx, m, from, asset, amount, "supply(address,uint256,address,uint16)",
                   (arg[]){ADDR(asset_addr(m, asset)), U256(*amount), ADDR(from), U64(0)}, 4);
}

int trk_aave_borrow(rpc_client *c, trk_aave_tx *tx, const trk_aave_market *m, const rpc_addr *from,
                    unsigned asset, const rpc_u256 *amount)
{
    if (bad_asset(tx, asset))
        return RPC_EINVAL;
    return pool_tx(
        c, tx, m, from, TRK_AAVE_N_ASSETS, NULL, "borrow(address,uint256,uint256,uint16,address)",
        (arg[]){ADDR(asset_addr(m, asset)), U256(*amount), U64(2), U64(0), ADDR(from)}, 5);
}

int trk_aave_repay(rpc_client *c, trk_aave_tx *tx, const trk_aave_market *m, const rpc_addr *from,
                   unsigned asset, const rpc_u256 *amount)
{
    if (bad_asset(tx, asset))
        return RPC_EINVAL;
    return pool_tx(c, tx, m, from, asset, amount, "repay(address,uint256,uint256,address)",
                   (arg[]){ADDR(asset_addr(m, asset)), U256(*amount), U64(2), ADDR(from)}, 4);
}

int trk_aave_withdraw(rpc_client *c, trk_aave_tx *tx, const trk_aave_market *m,
                      const rpc_addr *from, unsigned asset, const rpc_u256 *amount)
{
    if (bad_asset(tx, asset))
        return RPC_EINVAL;
    return pool_tx(c, tx, m, from, TRK_AAVE_N_ASSETS, NULL, "withdraw(address,uint256,address)",
                   (arg[]){ADDR(asset_addr(m, asset)), U256(*amount), ADDR(from)}, 3);
}

int trk_aave_liquidate(rpc_client *c, trk_aave_tx *tx, const trk_aave_market *m,
                       const rpc_addr *from, unsigned collateral, unsigned debt,
                       const rpc_addr *user, const rpc_u256 *debt_to_cover)
{
    if (bad_asset(tx, collateral) || bad_asset(tx, debt))
        return RPC_EINVAL;
    return pool_tx(c, tx, m, from, debt, debt_to_cover,
                   "liquidationCall(address,address,address,uint256,bool)",
                   (arg[]){ADDR(asset_addr(m, collateral)), ADDR(asset_addr(m, debt)), ADDR(user),
                           U256(*debt_to_cover), BOOL(false)},
                   5);
}

int trk_aave_set_price(rpc_client *c, trk_aave_tx *tx, trk_aave_market *m, unsigned asset,
                       uint64_t price)
{
    if (bad_asset(tx, asset))
        return RPC_EINVAL;
    deployer d = {.r = quiet_run(c), .dir = m->artifacts, .owner = &m->owner};
    rpc_addr feed;
    int rc = deploy(&d, &feed, ART_FEED, "(int256)", (arg[]){U64(price)}, 1);
    if (rc)
        return rc;
    rc = send_call(&d.r, tx, &m->owner, &m->oracle, NULL, "setAssetSources(address[],address[])",
                   (arg[]){ADDRS(asset_addr(m, asset), 1), ADDRS(&feed, 1)}, 2);
    if (rc == RPC_OK)
        m->reserve[asset].feed = feed;
    return rc;
}

int trk_aave_set_price_silently(rpc_client *c, const trk_aave_market *m, unsigned asset,
                                uint64_t price)
{
    if (asset >= TRK_AAVE_N_ASSETS)
        return RPC_EINVAL;
    char feed[RPC_ADDR_HEX_LEN + 1], word[67], params[160];
    uint8_t be[32];
    rpc_u256 p = rpc_u256_from_u64(price);
    rpc_u256_to_be32(be, &p);
    rpc_addr_format_lower(feed, &m->reserve[asset].feed);
    int rc = rpc_hex_encode(word, sizeof word, be, sizeof be);
    if (rc)
        return rc;
    int n = snprintf(params, sizeof params, "[\"%s\",\"0x0\",\"%s\"]", feed, word);
    if (n < 0 || (size_t)n >= sizeof params)
        return RPC_ETOO_LARGE;
    cJSON *res = NULL;
    rc = rpc_client_call(c, &res, "anvil_setStorageAt", params);
    cJSON_Delete(res);
    return rc;
}

/* ---- reading ------------------------------------------------------------------------- */

int trk_aave_account_data(rpc_client *c, trk_aave_account *out, const trk_aave_market *m,
                          const rpc_addr *user, uint64_t block)
{
    memset(out, 0, sizeof *out);
    rpc_bytes ret;
    int rc =
        view_call(c, &ret, &m->pool, block, "getUserAccountData(address)", (arg[]){ADDR(user)}, 1);
    if (rc == RPC_OK) {
        rpc_abi v;
        rpc_abi_init(&v, ret.p, ret.n);
        rpc_u256 *f[6] = {&out->collateral_base,   &out->debt_base, &out->available_borrows_base,
                          &out->liq_threshold_bps, &out->ltv_bps,   &out->health_factor};
        for (size_t i = 0; i < 6 && rc == RPC_OK; i++)
            rc = rpc_abi_uint(f[i], &v, i, 256);
        if (rc == RPC_OK && ret.n != 6 * 32)
            rc = RPC_EABI;
    }
    rpc_bytes_free(&ret);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

int trk_aave_asset_price(rpc_client *c, rpc_u256 *price, const trk_aave_market *m, unsigned asset,
                         uint64_t block)
{
    memset(price, 0, sizeof *price);
    if (asset >= TRK_AAVE_N_ASSETS)
        return RPC_EINVAL;
    rpc_bytes ret;
    int rc = view_call(c, &ret, &m->oracle, block, "getAssetPrice(address)",
                       (arg[]){ADDR(asset_addr(m, asset))}, 1);
    if (rc == RPC_OK) {
        rpc_abi v;
        rpc_abi_init(&v, ret.p, ret.n);
        rc = ret.n == 32 ? rpc_abi_uint(price, &v, 0, 256) : RPC_EABI;
    }
    rpc_bytes_free(&ret);
    return rc;
}

int trk_aave_write_protocol(FILE *f, const trk_aave_market *m)
{
    char pool[RPC_ADDR_HEX_LEN + 1], oracle[RPC_ADDR_HEX_LEN + 1];
    char dp[RPC_ADDR_HEX_LEN + 1], prov[RPC_ADDR_HEX_LEN + 1];
    rpc_addr_format(pool, &m->pool);
    rpc_addr_format(oracle, &m->oracle);
    rpc_addr_format(dp, &m->data_provider);
    rpc_addr_format(prov, &m->provider);
    int n = fprintf(f,
                    "; The local chain's Aave V3.0 market (@aave/core-v3 1.19.3), deployed by\n"
                    "; whaletrack in blocks %llu-%llu. Generated: edits are overwritten.\n"
                    "[protocol \"aave-v3-local\"]\n"
                    "kind               = aave-v3\n"
                    "pool               = %s\n"
                    "oracle             = %s\n"
                    "data_provider      = %s\n"
                    "addresses_provider = %s\n",
                    (unsigned long long)m->first_block, (unsigned long long)m->block, pool, oracle,
                    dp, prov);
    if (n < 0 || fflush(f) != 0 || ferror(f))
        return RPC_ENOTFOUND;
    return RPC_OK;
}
