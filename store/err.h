/* store/err.h — the store module's error codes, one table for the enum and store_strerror().
 * Codes are negative, 0 is success. Append new codes at the end; never renumber. */
#ifndef WT_STORE_ERR_H
#define WT_STORE_ERR_H

#define STORE_ERRORS(X)                                                                            \
    X(STORE_OK, 0, "success")                                                                      \
    X(STORE_EINVAL, -1, "invalid argument")                                                        \
    X(STORE_ENOMEM, -2, "out of memory")                                                           \
    X(STORE_EIO, -3, "I/O error on the data directory")                                            \
    X(STORE_ENOTFOUND, -4, "not found")                                                            \
    X(STORE_EFOREIGN, -5,                                                                          \
      "the data directory holds something that is not a whaletrack store; "                        \
      "choose an empty --data-dir")                                                                \
    X(STORE_ECORRUPT, -6,                                                                          \
      "the store is damaged; restore a backup or start over in a new "                             \
      "--data-dir")                                                                                \
    X(STORE_ESCHEMA, -7,                                                                           \
      "the store was written by another schema version; use the matching "                         \
      "whaletrack or a new --data-dir")                                                            \
    X(STORE_ECHAIN, -8,                                                                            \
      "the store belongs to another chain; use the right node or a new "                           \
      "--data-dir")                                                                                \
    X(STORE_EMAPFULL, -9, "the store reached its size limit; raise the limit")                     \
    X(STORE_EDISKFULL, -10,                                                                        \
      "the disk is full (or a file size limit was hit); nothing of the "                           \
      "failed batch was stored; free space and restart")                                           \
    X(STORE_ETOO_LARGE, -11, "too large (batch, record or buffer)")                                \
    X(STORE_ERECORD, -12, "malformed record")                                                      \
    X(STORE_EVERSION, -13, "record of an unknown version")                                         \
    X(STORE_ECURSOR, -14, "batch does not advance the cursor; roll back first")                    \
    X(STORE_EREORG_DEEP, -15,                                                                      \
      "reorg deeper than the blocks the store keeps; resync in a new "                             \
      "--data-dir")                                                                                \
    X(STORE_ETIMEOUT, -16, "timed out")                                                            \
    X(STORE_ERDONLY, -17, "the store was opened read-only")                                        \
    X(STORE_EBUSY, -18, "too many readers or the store is locked")                                 \
    X(STORE_ELMDB, -19, "unexpected LMDB error")

enum store_err {
#define STORE_ERR_ENUM_(name, code, text) name = (code),
    STORE_ERRORS(STORE_ERR_ENUM_)
#undef STORE_ERR_ENUM_
};

/* store_strerror: a static English description of a store error code.
 * Returns: never NULL; "unknown error" for a code not in the table. */
const char *store_strerror(int err);

#if defined(__GNUC__)
#define STORE_WUR __attribute__((warn_unused_result))
#else
#define STORE_WUR
#endif

#endif
