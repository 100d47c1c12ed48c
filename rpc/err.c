/* rpc/err.c — text for the rpc error table in err.h. */
#include "rpc/err.h"

const char *rpc_strerror(int err)
{
    switch (err) {
#define RPC_ERR_CASE_(name, code, text) \
    case (code):                        \
        return text;
        RPC_ERRORS(RPC_ERR_CASE_)
#undef RPC_ERR_CASE_
    }
    return "unknown error";
}
