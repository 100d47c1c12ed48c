/* rpc/addr.c — addresses and 32-byte hashes as text, with EIP-55 checksums.
 * Invariant: a mixed-case address is accepted only when every letter's case equals the
 * EIP-55 case (keccak-256 of the lowercase hex digits, nibble >= 8 -> uppercase). */
#include <assert.h>
#include <string.h>

#include "rpc/addr.h"
#include "rpc/hex.h"
#include "rpc/keccak.h"

/* eip55_mask: upper[i] is 1 when hex digit i of the address is uppercase in EIP-55. */
static void eip55_mask(uint8_t upper[40], const char lower40[40])
{
    uint8_t h[32];
    rpc_keccak256(h, (const uint8_t *)lower40, 40);
    for (int i = 0; i < 40; i++) {
        uint8_t nib = (i % 2 == 0) ? (uint8_t)(h[i / 2] >> 4) : (uint8_t)(h[i / 2] & 15);
        upper[i] = nib >= 8;
    }
}

void rpc_addr_format_lower(char out[RPC_ADDR_HEX_LEN + 1], const rpc_addr *a)
{
    assert(out != NULL && a != NULL);
    static const char digits[] = "0123456789abcdef";
    out[0] = '0';
    out[1] = 'x';
    for (int i = 0; i < 20; i++) {
        out[2 + 2 * i] = digits[a->b[i] >> 4];
        out[3 + 2 * i] = digits[a->b[i] & 15];
    }
    out[RPC_ADDR_HEX_LEN] = '\0';
}

void rpc_addr_format(char out[RPC_ADDR_HEX_LEN + 1], const rpc_addr *a)
{
    uint8_t upper[40];
    rpc_addr_format_lower(out, a);
    eip55_mask(upper, out + 2);
    for (int i = 0; i < 40; i++)
        if (upper[i] && out[2 + i] >= 'a' && out[2 + i] <= 'f')
            out[2 + i] = (char)(out[2 + i] - 'a' + 'A');
}

int rpc_addr_parse(rpc_addr *a, const char *s, size_t slen)
{
    assert(a != NULL);
    assert(s != NULL || slen == 0);
    int rc = rpc_hex_decode_fixed(a->b, sizeof a->b, s, slen);
    if (rc != RPC_OK)
        return rc; /* a is zeroed by rpc_hex_decode_fixed */
    bool has_lower = false, has_upper = false;
    for (size_t i = 2; i < slen; i++) {
        has_lower |= (s[i] >= 'a' && s[i] <= 'f');
        has_upper |= (s[i] >= 'A' && s[i] <= 'F');
    }
    if (!(has_lower && has_upper))
        return RPC_OK; /* all-lowercase or all-uppercase: no checksum to check */
    char lower[RPC_ADDR_HEX_LEN + 1];
    uint8_t upper[40];
    rpc_addr_format_lower(lower, a);
    eip55_mask(upper, lower + 2);
    for (int i = 0; i < 40; i++) {
        char c = s[2 + i];
        bool is_upper = c >= 'A' && c <= 'F';
        bool is_letter = is_upper || (c >= 'a' && c <= 'f');
        if (is_letter && is_upper != (bool)upper[i]) {
            memset(a, 0, sizeof *a);
            return RPC_ECHECKSUM;
        }
    }
    return RPC_OK;
}

int rpc_hash32_parse(rpc_hash32 *h, const char *s, size_t slen)
{
    assert(h != NULL);
    return rpc_hex_decode_fixed(h->b, sizeof h->b, s, slen);
}

void rpc_hash32_format(char out[67], const rpc_hash32 *h)
{
    assert(out != NULL && h != NULL);
    /* 67 = 2 + 64 + 1 is exactly what rpc_hex_encode needs, so it cannot fail. */
    int rc = rpc_hex_encode(out, 67, h->b, sizeof h->b);
    assert(rc == RPC_OK);
    (void)rc;
}
