/* tests/support/logemitter.h — many real logs on a test anvil, cheaply: a 39-byte contract
 * whose every call emits N LOG1 entries (topic0 = 0, 1, ..., N-1, no data), sent from anvil's
 * first unlocked account through tests/support/anvil.h. For eth_getLogs tests. */
#ifndef WT_TESTS_LOGEMITTER_H
#define WT_TESTS_LOGEMITTER_H

#include <stdint.h>

#include "tests/support/anvil.h"

/* wt_emitter_deploy: deploy the emitter on a.
 * Returns: 0; -1 on any failure. Out: addr ("0x" + 40 lowercase digits). */
int wt_emitter_deploy(wt_anvil *a, char addr[43]) __attribute__((warn_unused_result));

/* wt_emitter_emit: one transaction to the emitter at addr that emits n logs; checks the
 * receipt holds exactly n logs.
 * Returns: 0; -1 on failure. Out: *block (may be NULL): the block that holds them. */
int wt_emitter_emit(wt_anvil *a, const char *addr, unsigned n, uint64_t *block)
    __attribute__((warn_unused_result));

#endif
