/* tracker/aave_local.h — a real Aave V3.0 market (@aave/core-v3 1.19.3's published
 * artifacts) deployed on a local anvil through rpc_client, and the transactions the demo and
 * the tests play on it. Every transaction is eth_sendTransaction from an account the node
 * holds unlocked (anvil's dev accounts); each call waits for the receipt and checks its
 * status. Nothing here is meant for a chain whose accounts are not the node's own.
 * The rpc_client should have max_retries 0: a retried eth_sendTransaction whose first
 * answer was lost would send the transaction twice. */
#ifndef WT_TRACKER_AAVE_LOCAL_H
#define WT_TRACKER_AAVE_LOCAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rpc/client.h"
#include "rpc/err.h"
#include "rpc/types.h"

/* The market's reserves, in the order initReserves lists them. */
enum trk_aave_asset {
    TRK_AAVE_WETH,   /* WETH9Mocked, 18 decimals, wrap ETH with deposit() */
    TRK_AAVE_USDT,   /* MintableERC20, 6 decimals, borrow-only (not collateral) */
    TRK_AAVE_USDC,   /* MintableERC20, 6 decimals */
    TRK_AAVE_WSTETH, /* MintableERC20, 18 decimals, an ETH-correlated collateral */
    TRK_AAVE_N_ASSETS
};

/* One reserve: its token, Aave's tokens for it, its price feed and risk parameters. */
typedef struct trk_aave_reserve {
    const char *symbol; /* static: "WETH", "USDT", "USDC", "wstETH" */
    unsigned decimals;
    rpc_addr asset;   /* the underlying token */
    rpc_addr a_token; /* read back from AaveProtocolDataProvider */
    rpc_addr stable_debt;
    rpc_addr variable_debt;
    rpc_addr feed;     /* the MockAggregator the oracle reads now */
    rpc_addr strategy; /* DefaultReserveInterestRateStrategy */
    uint64_t price;    /* the feed's answer at deployment, 8 decimals (USD) */
    unsigned ltv_bps, liq_threshold_bps, liq_bonus_bps, reserve_factor_bps;
} trk_aave_reserve;

/* Every address of a deployed market. Plain data: copy it freely. */
typedef struct trk_aave_market {
    rpc_addr owner;    /* pool admin, emergency admin, ACL admin, treasury */
    rpc_addr provider; /* PoolAddressesProvider */
    rpc_addr acl;      /* ACLManager */
    rpc_addr pool;     /* the Pool proxy: every Pool event comes from here */
    rpc_addr pool_impl;
    rpc_addr configurator; /* PoolConfigurator proxy */
    rpc_addr configurator_impl;
    rpc_addr oracle;        /* AaveOracle, base currency USD, unit 1e8 */
    rpc_addr data_provider; /* AaveProtocolDataProvider */
    rpc_addr a_token_impl, stable_debt_impl, variable_debt_impl;
    trk_aave_reserve reserve[TRK_AAVE_N_ASSETS];
    uint64_t first_block; /* block of the market's first transaction */
    uint64_t block;       /* block of its last: the market is complete from here on */
    unsigned n_tx;        /* transactions the deployment sent */
    uint64_t gas_used;    /* their gas, summed */
    char artifacts[512];  /* the artifacts directory (later feeds are deployed from it) */
} trk_aave_market;

/* A transaction sent by the functions below. */
typedef struct trk_aave_tx {
    rpc_hash32 hash;
    uint64_t block;
    uint64_t gas_used;
} trk_aave_tx;

/* getUserAccountData's six figures; base-currency values have 8 decimals (USD), health
 * factor 18 (UINT256_MAX without debt), ltv and threshold are basis points. */
typedef struct trk_aave_account {
    rpc_u256 collateral_base, debt_base, available_borrows_base;
    rpc_u256 liq_threshold_bps, ltv_bps, health_factor;
} trk_aave_account;

/* trk_aave_artifacts_dir: the artifacts directory under a project or install top
 * ("<top>/node_modules/@aave/core-v3/artifacts/contracts") into out[cap].
 * Returns: RPC_OK; RPC_ETOO_LARGE (out ("") is too small). */
RPC_WUR int trk_aave_artifacts_dir(char *out, size_t cap, const char *top);

/* trk_aave_account_at: the node's unlocked account number index (eth_accounts).
 * Returns: RPC_OK; RPC_ENOTFOUND (fewer accounts); an rpc_client_call() error; RPC_EJSON.
 * Out: *addr, zeroed on error. */
RPC_WUR int trk_aave_account_at(rpc_client *c, rpc_addr *addr, unsigned index);

/* trk_aave_deploy: deploy the whole market, owned by owner, in the order
 * shared/reference/local-chain.md gives, each transaction awaited and checked; then read
 * every reserve's aToken and debt tokens back from the data provider. On a fresh anvil the
 * addresses are the same every time.
 * Returns: RPC_OK; RPC_ENOTFOUND, RPC_EJSON, RPC_EHEX (an artifact missing or malformed);
 *          RPC_EREVERT (a transaction reverted or failed); RPC_ETIMEOUT (no receipt within
 *          30 s); any rpc_client_call() error; RPC_ENOMEM.
 * Out:     *m, complete on success, zeroed on error; err[errcap]: on error one line naming
 *          the step ("setPoolImpl: ...") and the cause, "" on success.
 * In:      artifacts: the artifacts directory (see trk_aave_artifacts_dir). */
RPC_WUR int trk_aave_deploy(rpc_client *c, trk_aave_market *m, char *err, size_t errcap,
                            const char *artifacts, const rpc_addr *owner);

/* ---- transactions on the market ------------------------------------------------------
 * Each sends from `from` (an unlocked account), waits for the receipt and checks it.
 * Returns: RPC_OK; RPC_EREVERT (the node refused it as reverting, or status 0; the node's
 *          message in rpc_client_errmsg() when it gave one); RPC_ETIMEOUT; RPC_EINVAL
 *          (asset out of range); any rpc_client_call() error.
 * Out:     *tx, the (last) transaction, zeroed on error. Amounts are in the token's smallest
 *          unit. Functions that need an allowance send approve(pool, amount) first. */

/* trk_aave_mint: give `to` amount of asset: WETH is wrapped from to's own ETH (deposit()),
 * the others are minted (MintableERC20.mint, open to anyone); to sends the transaction. */
RPC_WUR int trk_aave_mint(rpc_client *c, trk_aave_tx *tx, const trk_aave_market *m,
                          const rpc_addr *to, unsigned asset, const rpc_u256 *amount);
/* trk_aave_transfer: ERC-20 transfer(to, amount) of asset from `from`. */
RPC_WUR int trk_aave_transfer(rpc_client *c, trk_aave_tx *tx, const trk_aave_market *m,
                              const rpc_addr *from, unsigned asset, const rpc_addr *to,
                              const rpc_u256 *amount);
/* trk_aave_supply: approve + Pool.supply(asset, amount, from, 0). *tx is the supply. */
RPC_WUR int trk_aave_supply(rpc_client *c, trk_aave_tx *tx, const trk_aave_market *m,
                            const rpc_addr *from, unsigned asset, const rpc_u256 *amount);
/* trk_aave_borrow: Pool.borrow(asset, amount, 2 = variable, 0, from). */
RPC_WUR int trk_aave_borrow(rpc_client *c, trk_aave_tx *tx, const trk_aave_market *m,
                            const rpc_addr *from, unsigned asset, const rpc_u256 *amount);
/* trk_aave_repay: approve + Pool.repay(asset, amount, 2, from); UINT256_MAX repays all. */
RPC_WUR int trk_aave_repay(rpc_client *c, trk_aave_tx *tx, const trk_aave_market *m,
                           const rpc_addr *from, unsigned asset, const rpc_u256 *amount);
/* trk_aave_withdraw: Pool.withdraw(asset, amount, from); UINT256_MAX withdraws all. */
RPC_WUR int trk_aave_withdraw(rpc_client *c, trk_aave_tx *tx, const trk_aave_market *m,
                              const rpc_addr *from, unsigned asset, const rpc_u256 *amount);
/* trk_aave_liquidate: approve debt asset + Pool.liquidationCall(collateral, debt, user,
 * debt_to_cover, false): the liquidator `from` receives the underlying collateral. */
RPC_WUR int trk_aave_liquidate(rpc_client *c, trk_aave_tx *tx, const trk_aave_market *m,
                               const rpc_addr *from, unsigned collateral, unsigned debt,
                               const rpc_addr *user, const rpc_u256 *debt_to_cover);

/* trk_aave_set_price: move asset's price the visible way: deploy a new MockAggregator
 * answering price (8 decimals) and point the oracle at it with setAssetSources (owner
 * sends both; AssetSourceUpdated is emitted). *tx is setAssetSources; m->reserve[asset].feed
 * is the new feed on success (unchanged on error). */
RPC_WUR int trk_aave_set_price(rpc_client *c, trk_aave_tx *tx, trk_aave_market *m, unsigned asset,
                               uint64_t price);
/* trk_aave_set_price_silently: overwrite the current feed's answer (storage slot 0) with
 * anvil_setStorageAt: no transaction, no event, no new block.
 * Returns: RPC_OK; RPC_EINVAL; any rpc_client_call() error. */
RPC_WUR int trk_aave_set_price_silently(rpc_client *c, const trk_aave_market *m, unsigned asset,
                                        uint64_t price);

/* ---- reading ------------------------------------------------------------------------- */

/* trk_aave_account_data: Pool.getUserAccountData(user) at block (a number or
 * RPC_BLOCK_LATEST).
 * Returns: RPC_OK; RPC_EABI (a malformed answer); any rpc_eth_call() error.
 * Out: *out, zeroed on error. */
RPC_WUR int trk_aave_account_data(rpc_client *c, trk_aave_account *out, const trk_aave_market *m,
                                  const rpc_addr *user, uint64_t block);

/* trk_aave_asset_price: AaveOracle.getAssetPrice(asset) at block, 8 decimals.
 * Returns: as trk_aave_account_data, and RPC_EINVAL for an asset out of range. Out: *price. */
RPC_WUR int trk_aave_asset_price(rpc_client *c, rpc_u256 *price, const trk_aave_market *m,
                                 unsigned asset, uint64_t block);

/* trk_aave_write_protocol: the watchlist section of this market (issue 6's format):
 *     [protocol "aave-v3-local"]  kind, pool, oracle, data_provider, addresses_provider
 * with EIP-55 addresses and a comment naming the deployment block.
 * Returns: RPC_OK; RPC_ENOTFOUND (cannot write f: errno is set). In: f, open for writing. */
RPC_WUR int trk_aave_write_protocol(FILE *f, const trk_aave_market *m);

#endif
