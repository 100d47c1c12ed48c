/* tracker/err.c — the text of the tracker's error codes, generated from TRK_ERRORS so the
 * enum and the messages cannot drift apart. */
#include "tracker/err.h"

const char *trk_strerror(int err)
{
    switch (err) {
#define TRK_ERR_CASE_(name, code, text)                                                            \
    case code:                                                                                     \
        return text;
        TRK_ERRORS(TRK_ERR_CASE_)
#undef TRK_ERR_CASE_
    }
    return "unknown error";
}
