/* tests/fuzz/fuzz_store_record.c — libFuzzer over the store's record decoders.
 * Whatever decodes must re-encode and decode again to the same record (the decoder and
 * encoder agree); nothing may read outside the input or crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* exact-size copy, so ASan sees any read past the end */
    uint8_t *in = malloc(size ? size : 1);
    if (!in)
        return 0;
    memcpy(in, data, size);

    store_move m, m2;
    if (store_move_decode(&m, 7, in, size) == 0) {
        uint8_t buf[STORE_MOVE_ENC_MAX];
        size_t len;
        if (store_move_encode(buf, sizeof buf, &len, &m) == 0) {
            if (store_move_decode(&m2, 7, buf, len) != 0)
                abort();
            m.flags &= (uint16_t)~STORE_MOVE_RETRACTED; /* not written: a log flag */
            m2.flags &= (uint16_t)~STORE_MOVE_RETRACTED;
            if (memcmp(&m, &m2, sizeof m) != 0)
                abort();
        }
    }

    store_position p, p2;
    if (store_pos_decode(&p, 9, in, size) == 0) {
        uint8_t buf[STORE_POS_ENC_MAX];
        size_t len;
        if (store_pos_encode(buf, sizeof buf, &len, &p) == 0) {
            if (store_pos_decode(&p2, 9, buf, len) != 0 || memcmp(&p, &p2, sizeof p) != 0)
                abort();
        }
    }
    free(in);
    return 0;
}
