/* tests/support/tokens.h — tokens on a test anvil: Aave's MintableERC20 and WETH9Mocked
 * deployed from @aave/core-v3's artifacts, and the transactions the tracker tests play
 * (mint, transfer, wrap, unwrap, plain ETH sends). Every call waits for its receipt.
 * Functions print why they failed on stderr and return -1; they never exit. */
#ifndef WT_TESTS_TOKENS_H
#define WT_TESTS_TOKENS_H

#include <stdint.h>

#include "anvil.h"

/* wt_token_deploy: MintableERC20(name, symbol, decimals) from `from`.
 * Returns 0 / -1. Out: addr ("0x" + 40 lowercase digits). */
int wt_token_deploy(wt_anvil *a, const char *from, const char *name, const char *symbol,
                    unsigned decimals, char addr[43]) __attribute__((warn_unused_result));

/* wt_weth_deploy: WETH9Mocked. Returns 0 / -1. Out: addr. */
int wt_weth_deploy(wt_anvil *a, const char *from, char addr[43])
    __attribute__((warn_unused_result));

/* wt_token_call: `from` calls token.sig(args) where sig is a canonical signature whose
 * arguments are all addresses ("0x..") or uint256 decimal strings, in order; value_wei is
 * a decimal string or NULL. Returns 0 / -1. Out: txhash[67] (may be NULL). */
int wt_token_call(wt_anvil *a, const char *from, const char *token, const char *value_wei,
                  char txhash[67], const char *sig, int nargs, ...)
    __attribute__((warn_unused_result));

/* wt_eth_send: a plain ETH transfer of wei (decimal string). Returns 0 / -1.
 * Out: txhash[67] (may be NULL). */
int wt_eth_send(wt_anvil *a, const char *from, const char *to, const char *wei,
                char txhash[67]) __attribute__((warn_unused_result));

/* wt_tx_fee: gasUsed * effectiveGasPrice of a mined transaction, in wei.
 * Returns 0 / -1. Out: *fee. */
int wt_tx_fee(wt_anvil *a, const char *txhash, uint64_t *fee) __attribute__((warn_unused_result));

#endif
