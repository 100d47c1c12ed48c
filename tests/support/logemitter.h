/* tests/support/logemitter.h — many real logs on a local anvil, cheaply: a 39-byte contract
 * whose every call emits N LOG1 entries (topic0 = 0, 1, ..., N-1, no data), sent from anvil's
 * first unlocked account. For eth_getLogs tests that need hundreds of logs. */
#ifndef WT_TESTS_LOGEMITTER_H
#define WT_TESTS_LOGEMITTER_H

#include <stdint.h>

/* wt_emitter_deploy: deploy the emitter on the anvil at url (automine on).
 * Returns: 0; -1 on any failure. Out: addr ("0x" + 40 lowercase digits). */
int wt_emitter_deploy(const char *url, char addr[43]) __attribute__((warn_unused_result));

/* wt_emitter_emit: one transaction to the emitter that emits n logs.
 * Returns: 0; -1 on failure. Out: *block (may be NULL): the block that holds them. */
int wt_emitter_emit(const char *url, const char *addr, unsigned n, uint64_t *block)
    __attribute__((warn_unused_result));

#endif
