/* tracker/artifact.h — compiled contracts from hardhat artifact JSON files (abi, bytecode,
 * linkReferences), as npm packages such as @aave/core-v3 ship them: creation code with its
 * library placeholders linked, and function signatures read from the abi. */
#ifndef WT_TRACKER_ARTIFACT_H
#define WT_TRACKER_ARTIFACT_H

#include <stddef.h>
#include <stdint.h>

#include "rpc/err.h"
#include "rpc/types.h"

/* A loaded artifact: immutable after trk_artifact_load(), so it may be shared by threads
 * that only read it. */
typedef struct trk_artifact trk_artifact;

/* A library address for linking, by the library's name ("BorrowLogic"). */
typedef struct trk_link {
    const char *name;
    rpc_addr addr;
} trk_link;

/* Largest creation code accepted (EIP-3860's initcode limit is 49,152 bytes). */
#define TRK_ARTIFACT_CODE_MAX 49152
/* Enough for every message these functions write (the path is cut to fit). */
#define TRK_ARTIFACT_ERR_MAX 512

/* trk_artifact_load: read and check a hardhat artifact JSON file: an "abi" array, a
 * "bytecode" string of "0x" + hex digits where only linkReferences' placeholders
 * ("__$...$__", 20 bytes each, at the listed byte offsets) are not hex, and no more than
 * TRK_ARTIFACT_CODE_MAX bytes.
 * Returns: RPC_OK; RPC_ENOTFOUND (cannot read the file); RPC_EJSON (not JSON, or a member
 *          missing or of the wrong type); RPC_EHEX (bytecode not hex outside the
 *          placeholders, or a placeholder not where linkReferences says);
 *          RPC_ETOO_LARGE (file over 16 MiB or code over TRK_ARTIFACT_CODE_MAX); RPC_ENOMEM.
 * Out:     *a, freed by the caller with trk_artifact_free(); NULL on error.
 *          err[errcap]: on error, one line naming the file and what is wrong; "" on success.
 * In:      path of the JSON file. */
RPC_WUR int trk_artifact_load(trk_artifact **a, char *err, size_t errcap, const char *path);

/* Largest file trk_read_file() reads. */
#define TRK_READ_FILE_MAX (16u << 20)

/* trk_read_file: the whole file at path, NUL-terminated (for artifacts and the other
 * npm-shipped files the local chain needs).
 * Returns: RPC_OK; RPC_ENOTFOUND (cannot open or read it); RPC_ETOO_LARGE (over
 *          TRK_READ_FILE_MAX); RPC_ENOMEM.
 * Out: *out, caller frees with free(); *len, its length without the NUL. NULL and 0 on
 *      error. */
RPC_WUR int trk_read_file(char **out, size_t *len, const char *path);

/* trk_artifact_free: release a. NULL is a no-op. */
void trk_artifact_free(trk_artifact *a);

/* trk_artifact_name: the artifact's "contractName" ("Pool"), or its path when it has none.
 * Borrowed, lives as long as a. */
const char *trk_artifact_name(const trk_artifact *a);

/* trk_artifact_link: the creation code with every library placeholder replaced by the
 * address of the library of that name in libs. Libraries the code does not use are ignored.
 * Returns: RPC_OK; RPC_ENOTFOUND (a library the code links is not in libs: nothing is
 *          returned, so unlinked code is never deployed); RPC_ETOO_LARGE (cap too small).
 * Out:     code[cap] holds *len bytes (*len = 0 on error); err[errcap] as in load.
 * In:      libs[0..n) (n may be 0). */
RPC_WUR int trk_artifact_link(const trk_artifact *a, uint8_t *code, size_t cap, size_t *len,
                              char *err, size_t errcap, const trk_link *libs, size_t n);

/* trk_artifact_signature: the canonical signature of an abi entry, tuples expanded:
 * "initReserves((address,...,bytes)[])"; for the constructor (name NULL) just the
 * parameter list "(address,uint256)" ("()" when the abi has no constructor).
 * arity < 0 matches any number of inputs; an overloaded name then needs arity.
 * Returns: RPC_OK; RPC_ENOTFOUND (no such function); RPC_EINVAL (several match);
 *          RPC_EJSON (an abi entry without a usable type); RPC_ETOO_LARGE (cap too small).
 * Out:     sig[cap], NUL-terminated ("" on error).
 * In:      name of the function, or NULL for the constructor. */
RPC_WUR int trk_artifact_signature(const trk_artifact *a, char *sig, size_t cap, const char *name,
                                   int arity);

#endif
