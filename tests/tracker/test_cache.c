/* tests/tracker/test_cache.c — the position cache: what is put is got back, exactly,
 * across growth; unknown keys are unknown; clear forgets. */
#include <string.h>

#include <criterion/criterion.h>

#include "rpc/u256.h"
#include "tracker/cache.h"

static store_pos_key key(uint32_t i, uint32_t proto)
{
    store_pos_key k;
    memset(&k, 0, sizeof k);
    memcpy(k.address.b, &i, sizeof i);
    k.protocol = proto;
    k.asset.b[0] = (uint8_t)(i * 7);
    return k;
}

Test(cache, twenty_thousand_keys_come_back_with_their_values_after_growing)
{
    trk_cache *c;
    cr_assert_eq(trk_cache_new(&c), 0);
    for (uint32_t i = 0; i < 20000; i++) {
        store_pos_key k = key(i, i % 3);
        rpc_u256 v = {{i, i * 3ull, 0, 1}};
        cr_assert_eq(trk_cache_put(c, &k, &v), 0);
    }
    cr_expect_eq(trk_cache_count(c), 20000);
    for (uint32_t i = 0; i < 20000; i++) {
        store_pos_key k = key(i, i % 3);
        rpc_u256 v;
        cr_assert(trk_cache_get(c, &v, &k));
        cr_assert(v.w[0] == i && v.w[1] == i * 3ull && v.w[3] == 1);
    }
    store_pos_key other = key(5, 2); /* 5 % 3 == 2: the same key */
    rpc_u256 v;
    cr_expect(trk_cache_get(c, &v, &other));
    other = key(5, 1); /* another protocol */
    cr_expect(!trk_cache_get(c, &v, &other));
    cr_expect(rpc_u256_is_zero(&v), "zeroed when unknown");
    trk_cache_clear(c);
    cr_expect_eq(trk_cache_count(c), 0);
    other = key(5, 2);
    cr_expect(!trk_cache_get(c, &v, &other));
    trk_cache_free(c);
}

Test(cache, putting_a_key_again_replaces_its_value)
{
    trk_cache *c;
    cr_assert_eq(trk_cache_new(&c), 0);
    store_pos_key k = key(1, 0);
    rpc_u256 a = rpc_u256_from_u64(1), b = rpc_u256_from_u64(2), v;
    cr_assert_eq(trk_cache_put(c, &k, &a), 0);
    cr_assert_eq(trk_cache_put(c, &k, &b), 0);
    cr_expect_eq(trk_cache_count(c), 1);
    cr_assert(trk_cache_get(c, &v, &k));
    cr_expect_eq(v.w[0], 2);
    trk_cache_free(c);
}
