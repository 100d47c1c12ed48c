/* tests/watchlists/test_bundled.c — the watchlists shipped in the repository load cleanly
 * with the expected contents, and 10,000 generated addresses load (time printed). */
#include <stdio.h>
#include <time.h>

#include <criterion/criterion.h>

#include "rpc/addr.h"
#include "tests/watchlists/wl_testutil.h"

static rpc_addr A(const char *s)
{
    rpc_addr a;
    cr_assert_eq(rpc_addr_parse(&a, s, strlen(s)), RPC_OK);
    return a;
}

static wl_set *load_paths(const char *const *paths, size_t n)
{
    wl_set *set = NULL;
    wl_errors errs = {0};
    int rc = wl_load(&set, &errs, paths, n, NULL);
    for (size_t i = 0; i < errs.n; i++)
        cr_log_error("%s", errs.v[i].text);
    cr_assert_eq(rc, WL_OK, "%s", wl_strerror(rc));
    return set;
}

Test(bundled, default_directory_has_exchanges_protocols_and_rules)
{
    const char *paths[] = {WT_TOP "/watchlists"};
    wl_set *set = load_paths(paths, 1);
    cr_expect_eq(wl_file_count(set), 3, "exchanges, protocols-mainnet, rules; not examples/");
    cr_expect_eq(wl_entity_count(set), 0);

    static const char *const names[] = {"Binance", "OKX", "Coinbase", "Bybit"};
    static const size_t counts[] = {13, 6, 8, 2};
    cr_assert_eq(wl_exchange_count(set), 4);
    for (size_t i = 0; i < 4; i++) {
        cr_expect_str_eq(wl_exchange_at(set, i)->name, names[i]);
        cr_expect_eq(wl_exchange_at(set, i)->naddrs, counts[i], "%s", names[i]);
    }
    rpc_addr b14 = A("0x28C6c06298d514Db089934071355E5743bf21d60");
    rpc_addr bybit = A("0xf89d7b9c864f589bbF53a82105107622B35EaA40");
    cr_expect_str_eq(wl_exchange_of(set, &b14)->name, "Binance");
    cr_expect_str_eq(wl_exchange_of(set, &bybit)->name, "Bybit");

    size_t kinds[4] = {0};
    cr_assert_eq(wl_protocol_count(set), 11);
    for (size_t i = 0; i < wl_protocol_count(set); i++)
        kinds[wl_protocol_at(set, i)->kind]++;
    cr_expect_eq(kinds[WL_PROTO_AAVE_V3], 4, "Core, Lido, EtherFi, Spark");
    cr_expect_eq(kinds[WL_PROTO_COMPOUND_V3], 6);
    cr_expect_eq(kinds[WL_PROTO_MORPHO_BLUE], 1);
    const wl_protocol *core = wl_protocol_at(set, 0);
    rpc_addr pool = A("0x87870Bca3F3fD6335C3F4ce8392D69350B4fA4E2");
    cr_expect_str_eq(core->name, "Aave V3 Core");
    cr_expect(memcmp(&core->contract, &pool, 20) == 0);

    const wl_rules *r = wl_rules_of(set);
    cr_expect_not_null(r->path);
    cr_expect_eq(r->overridden, 1u << WL_KIND_EXCHANGE_DEPOSIT);
    cr_expect_eq(r->min_usd_kind[WL_KIND_EXCHANGE_DEPOSIT].w[0], UINT64_C(50000000000000));
    cr_expect_null(wl_rpc_of(set));
    wl_set_free(set);
}

Test(bundled, seed_example_merges_with_the_default_directory)
{
    const char *paths[] = {WT_TOP "/watchlists", WT_TOP "/watchlists/examples/seed.ini"};
    wl_set *set = load_paths(paths, 2);
    static const char *const names[] = {"Trend Research", "7 Siblings", "1011 whale"};
    static const size_t counts[] = {4, 3, 3};
    cr_assert_eq(wl_entity_count(set), 3);
    for (size_t i = 0; i < 3; i++) {
        cr_expect_str_eq(wl_entity_at(set, i)->name, names[i]);
        cr_expect_eq(wl_entity_at(set, i)->naddrs, counts[i]);
    }
    size_t n;
    (void)wl_watched(set, &n);
    cr_expect_eq(n, 10);
    rpc_addr og = A("0xb317D2BC2D3d2Df5Fa441B5bAE0AB9d8b07283ae");
    cr_expect_str_eq(wl_entity_of(set, &og)->name, "1011 whale");
    cr_expect_eq(wl_entity_at(set, 0)->since, 24300000);
    wl_set_free(set);
}

/* load_generated: 10,000 checksummed addresses, per_entity to an entity, one file;
 * prints the load time, then checks every address resolves to the entity holding it. */
static void load_generated(unsigned long per_entity)
{
    char *d = tdir_new();
    char p[512], hex[43], sum[RPC_ADDR_HEX_LEN + 1];
    FILE *f = fopen(tpath(p, sizeof p, d, "big.ini"), "w");
    cr_assert(f);
    for (unsigned long i = 0; i < 10000; i++) {
        if (i % per_entity == 0)
            fprintf(f, "[entity \"whale %lu\"]\nsince = %lu\n", i / per_entity, 20000000 + i);
        /* spread the addresses over the first bytes so sorting has work to do */
        taddr_hex(hex, (i * 2654435761u) % 4294967291u);
        memcpy(hex + 2, "9f3a", 4);
        hex[6] = "0123456789abcdef"[i % 16];
        rpc_addr a = A(hex);
        rpc_addr_format(sum, &a);
        fprintf(f, "address = %s\n", sum);
    }
    cr_assert_eq(fclose(f), 0);

    const char *paths[] = {p};
    struct timespec t0, t1, c0, c1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    wl_set *set = load_paths(paths, 1);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    double cpu = (double)(c1.tv_sec - c0.tv_sec) * 1e3 + (double)(c1.tv_nsec - c0.tv_nsec) / 1e6;
    /* a figure for the record, not an assertion: shared CI machines vary too much */
    fprintf(stderr,
            "watchlists: loaded 10,000 checksummed addresses (%lu per entity) in %.1f ms "
            "(%.1f ms CPU)\n",
            per_entity, ms, cpu);

    size_t n;
    const rpc_addr *w = wl_watched(set, &n);
    cr_assert_eq(n, 10000);
    cr_assert_eq(wl_entity_count(set), 10000 / per_entity);
    for (size_t i = 0; i < n; i++) {
        const wl_entity *e = wl_entity_of(set, &w[i]);
        cr_assert_not_null(e);
        bool found = false;
        for (size_t k = 0; k < e->naddrs; k++)
            found |= memcmp(&e->addrs[k], &w[i], 20) == 0;
        cr_assert(found, "owner of address %zu holds it", i);
    }
    wl_set_free(set);
    tdir_free(d);
}

Test(bundled, ten_thousand_addresses_in_a_thousand_entities_load_and_resolve, .timeout = 60)
{
    load_generated(10);
}

Test(bundled, ten_thousand_entities_of_one_address_load_and_resolve, .timeout = 60)
{
    load_generated(1);
}
