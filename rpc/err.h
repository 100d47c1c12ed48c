/* rpc/err.h — the rpc module's error codes, one table for the enum and rpc_strerror().
 * Codes are negative, 0 is success. Append new codes at the end; never renumber. */
#ifndef WT_RPC_ERR_H
#define WT_RPC_ERR_H

#define RPC_ERRORS(X)                                                    \
    X(RPC_OK, 0, "success")                                              \
    X(RPC_EINVAL, -1, "invalid argument")                                \
    X(RPC_EHEX, -2, "malformed hex string")                              \
    X(RPC_ETOO_LARGE, -3, "value too large for its destination")         \
    X(RPC_ECHECKSUM, -4, "address fails its EIP-55 checksum")            \
    X(RPC_EOVERFLOW, -5, "arithmetic overflow")                          \
    X(RPC_EDIVZERO, -6, "division by zero")                              \
    X(RPC_EDECIMAL, -7, "malformed decimal number")                      \
    X(RPC_EABI, -8, "malformed ABI data")                                \
    X(RPC_ERLP, -9, "malformed RLP data")                                \
    X(RPC_ESIG, -10, "invalid or unrecoverable signature")               \
    X(RPC_ETX, -11, "malformed or unsupported transaction")              \
    X(RPC_ENOMEM, -12, "out of memory")                                  \
    X(RPC_EJSON, -13, "malformed JSON-RPC answer")                       \
    X(RPC_EHTTP, -14, "HTTP error")                                      \
    X(RPC_ETIMEOUT, -15, "request timed out")                            \
    X(RPC_ECONNECT, -16, "connection failed")                            \
    X(RPC_ERATELIMIT, -17, "rate limited")                               \
    X(RPC_ENODE, -18, "the node answered with an error")                 \
    X(RPC_ECHAIN, -19, "endpoint serves another chain")                  \
    X(RPC_ERANGE, -20, "log query refused: range or result too large")   \
    X(RPC_ENOENDPOINT, -21, "no healthy endpoint")                       \
    X(RPC_EREVERT, -22, "call reverted")                                 \
    X(RPC_ENOTFOUND, -23, "not found")                                   \
    X(RPC_ENOMETHOD, -24, "the node does not offer this method")         \
    X(RPC_EMISMATCH, -25, "answer disagrees with the chain's commitments") \
    X(RPC_EFORK, -26, "header fields of no known fork")

enum rpc_err {
#define RPC_ERR_ENUM_(name, code, text) name = (code),
    RPC_ERRORS(RPC_ERR_ENUM_)
#undef RPC_ERR_ENUM_
};

/* rpc_strerror: a static English description of an rpc error code.
 * Returns: never NULL; "unknown error" for a code not in the table. */
const char *rpc_strerror(int err);

#if defined(__GNUC__)
#define RPC_WUR __attribute__((warn_unused_result))
#else
#define RPC_WUR
#endif

#endif
