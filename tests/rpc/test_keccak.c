/* tests/rpc/test_keccak.c — keccak-256 against published vectors. */
#include <string.h>

#include <criterion/criterion.h>

#include "rpc/keccak.h"

static void hex32(char out[65], const uint8_t d[32])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[64] = '\0';
}

static void check(const char *msg, size_t n, const char *want)
{
    uint8_t d[32];
    char got[65];
    rpc_keccak256(d, (const uint8_t *)msg, n);
    hex32(got, d);
    cr_expect_str_eq(got, want, "keccak256(%zu bytes)", n);
}

/* Keccak-256 of "" is the empty-code hash of every Ethereum account without code
 * (Yellow Paper; any eth_getProof answer); "abc" from the Keccak team's KAT as used by
 * Ethereum clients; the topic0s from shared/reference/mainnet.md. */
Test(keccak, empty_input_gives_the_empty_code_hash)
{
    check("", 0, "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
}

Test(keccak, abc_matches_the_keccak_team_vector)
{
    check("abc", 3, "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
}

Test(keccak, transfer_topic_matches_mainnet)
{
    const char *s = "Transfer(address,address,uint256)";
    check(s, strlen(s), "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
}

Test(keccak, selector_is_the_first_four_bytes)
{
    cr_expect_eq(rpc_keccak_selector("balanceOf(address)"), 0x70a08231u);
    cr_expect_eq(rpc_keccak_selector("aggregate3((address,bool,bytes)[])"), 0x82ad56cbu);
    cr_expect_eq(rpc_keccak_selector("getUserAccountData(address)"), 0xbf92857cu);
}

/* Splitting the input at every point across the 136-byte block boundary must not change
 * the digest: the streaming path and the one-shot path agree. */
Test(keccak, incremental_updates_agree_with_one_shot_at_every_split)
{
    uint8_t msg[400], one[32], inc[32];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 131 + 7);
    for (size_t n = 0; n <= sizeof msg; n += 17) {
        rpc_keccak256(one, msg, n);
        for (size_t cut = 0; cut <= n; cut += 5) {
            rpc_keccak k;
            rpc_keccak_init(&k);
            rpc_keccak_update(&k, msg, cut);
            rpc_keccak_update(&k, msg + cut, n - cut);
            rpc_keccak_final(&k, inc);
            cr_assert_eq(memcmp(one, inc, 32), 0, "n=%zu cut=%zu", n, cut);
        }
    }
}

/* 136 bytes is exactly one rate block: padding goes into a block of its own. The digest
 * below is keccak256 of 136 'a' bytes, computed with viem's keccak256. */
Test(keccak, exactly_one_block_of_input)
{
    char msg[136];
    memset(msg, 'a', sizeof msg);
    check(msg, sizeof msg, "a6c4d403279fe3e0af03729caada8374b5ca54d8065329a3ebcaeb4b60aa386e");
}
