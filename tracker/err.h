/* tracker/err.h — the tracker's error codes, one table for the enum and trk_strerror().
 * Codes are negative, 0 is success. Append new codes at the end; never renumber. */
#ifndef WT_TRACKER_ERR_H
#define WT_TRACKER_ERR_H

#define TRK_ERRORS(X)                                                                              \
    X(TRK_OK, 0, "success")                                                                        \
    X(TRK_EINVAL, -1, "invalid argument")                                                          \
    X(TRK_ENOMEM, -2, "out of memory")                                                             \
    X(TRK_ERPC, -3, "the node did not answer usefully (after retries and failover)")               \
    X(TRK_ESTORE, -4, "the store failed")                                                          \
    X(TRK_EDECODE, -5, "a node answer could not be decoded")                                       \
    X(TRK_EREORG_DEEP, -6, "reorg deeper than the configured maximum; nothing was rolled back "    \
                           "(rerun with --allow-deep-reorg to accept it)")                         \
    X(TRK_EHEAD, -7, "the node's head is far below the cursor: not a reorg (a syncing or "         \
                     "wrong endpoint); use another endpoint")                                      \
    X(TRK_ERACE, -8, "the node's answers disagree (the chain moved during a poll); retried")       \
    X(TRK_ETOO_LARGE, -9, "too large")                                                             \
    X(TRK_EVERIFY, -10, "a node's answer disagrees with the chain's own commitments "              \
                        "(--verify); nothing was stored")                                          \
    X(TRK_ETOOLS, -11, "a local development tool is missing (run ./scripts/setup)")                \
    X(TRK_ESTART, -12, "a local process could not be started")

enum trk_err {
#define TRK_ERR_ENUM_(name, code, text) name = (code),
    TRK_ERRORS(TRK_ERR_ENUM_)
#undef TRK_ERR_ENUM_
};

/* trk_strerror: a static English description of a tracker error code.
 * Returns: never NULL; "unknown error" for a code not in the table. */
const char *trk_strerror(int err);

#if defined(__GNUC__)
#define TRK_WUR __attribute__((warn_unused_result))
#else
#define TRK_WUR
#endif

#endif
