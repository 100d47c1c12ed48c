/* tests/tracker/test_artifact.c — the hardhat artifact loader and linker, on Aave's own
 * published artifacts (@aave/core-v3 1.19.3 in node_modules) and on small crafted files. */
#include <criterion/criterion.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rpc/hex.h"
#include "rpc/keccak.h"
#include "tracker/artifact.h"

#define ART WT_TOP "/node_modules/@aave/core-v3/artifacts/contracts/"
#define POOL ART "protocol/pool/Pool.sol/Pool.json"
#define CONFIGURATOR ART "protocol/pool/PoolConfigurator.sol/PoolConfigurator.json"
#define ORACLE ART "misc/AaveOracle.sol/AaveOracle.json"
#define MINTABLE ART "mocks/tokens/MintableERC20.sol/MintableERC20.json"

static const char *const pool_libs[] = {"SupplyLogic", "BorrowLogic", "LiquidationLogic",
                                        "EModeLogic",  "BridgeLogic", "FlashLoanLogic",
                                        "PoolLogic"};
#define N_POOL_LIBS (sizeof pool_libs / sizeof pool_libs[0])

/* Each library gets an address made of its index repeated, so a misplaced one shows. */
static void make_links(trk_link *l)
{
    for (size_t i = 0; i < N_POOL_LIBS; i++) {
        l[i].name = pool_libs[i];
        memset(l[i].addr.b, 0xa0 + (int)i, 20);
    }
}

static char tmpdir[64];

static void mk_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/wt_artifact_XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void rm_tmpdir(void)
{
    char path[128];
    for (int i = 0; i < 8; i++) {
        snprintf(path, sizeof path, "%s/a%d.json", tmpdir, i);
        unlink(path);
    }
    rmdir(tmpdir);
}

/* write_tmp: a crafted artifact file; returns its path (static buffer per slot). */
static const char *write_tmp(int slot, const char *text)
{
    static char paths[8][128];
    snprintf(paths[slot], sizeof paths[slot], "%s/a%d.json", tmpdir, slot);
    FILE *f = fopen(paths[slot], "w");
    cr_assert_not_null(f);
    cr_assert_eq(fputs(text, f) >= 0, 1);
    fclose(f);
    return paths[slot];
}

/* A 24-byte code: 2 bytes, a placeholder, 2 bytes; then the same library again. */
#define PH "__$0123456789abcdef0123456789abcdef01$__"
#define CRAFTED(bytecode, links)                                                                   \
    "{\"contractName\":\"T\",\"abi\":[{\"type\":\"function\",\"name\":\"f\",\"inputs\":[]}],"      \
    "\"bytecode\":\"" bytecode "\",\"linkReferences\":" links "}"

Test(artifact, linking_puts_each_address_at_every_offset_linkReferences_lists)
{
    trk_artifact *a = NULL;
    char err[TRK_ARTIFACT_ERR_MAX];
    cr_assert_eq(trk_artifact_load(&a, err, sizeof err, POOL), RPC_OK, "%s", err);
    trk_link links[N_POOL_LIBS];
    make_links(links);
    static uint8_t code[TRK_ARTIFACT_CODE_MAX];
    size_t len = 0;
    cr_assert_eq(trk_artifact_link(a, code, sizeof code, &len, err, sizeof err, links, N_POOL_LIBS),
                 RPC_OK, "%s", err);

    /* Read the JSON independently: every listed offset holds its library's address, and
     * every other byte is the published hex. */
    size_t n = 0;
    FILE *f = fopen(POOL, "rb");
    cr_assert_not_null(f);
    static char text[1 << 20];
    n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    cJSON *root = cJSON_Parse(text);
    cr_assert_not_null(root);
    const char *hex = cJSON_GetObjectItem(root, "bytecode")->valuestring;
    cr_assert_eq(len, (strlen(hex) - 2) / 2);
    static uint8_t linked_mask[TRK_ARTIFACT_CODE_MAX];
    memset(linked_mask, 0, sizeof linked_mask);
    size_t n_offsets = 0;
    const cJSON *file, *lib, *r;
    cJSON_ArrayForEach(file, cJSON_GetObjectItem(root, "linkReferences"))
    {
        cJSON_ArrayForEach(lib, file)
        {
            size_t i = 0;
            while (i < N_POOL_LIBS && strcmp(pool_libs[i], lib->string) != 0)
                i++;
            cr_assert_lt(i, N_POOL_LIBS, "unexpected library %s", lib->string);
            cJSON_ArrayForEach(r, lib)
            {
                size_t off = (size_t)cJSON_GetObjectItem(r, "start")->valueint;
                cr_assert_eq(memcmp(code + off, links[i].addr.b, 20), 0, "%s at %zu", lib->string,
                             off);
                memset(linked_mask + off, 1, 20);
                n_offsets++;
            }
        }
    }
    /* 6 BorrowLogic, 2 BridgeLogic, 1 EModeLogic, 2 FlashLoanLogic, 1 LiquidationLogic,
     * 6 PoolLogic, 5 SupplyLogic (the artifact's linkReferences) */
    cr_assert_eq(n_offsets, 23);
    for (size_t i = 0; i < len; i++) {
        if (linked_mask[i])
            continue;
        uint8_t b;
        size_t bl = 0;
        cr_assert_eq(
            rpc_hex_decode(&b, 1, &bl, (const char[]){'0', 'x', hex[2 + 2 * i], hex[3 + 2 * i]}, 4),
            RPC_OK);
        cr_assert_eq(code[i], b, "byte %zu", i);
    }
    cJSON_Delete(root);
    trk_artifact_free(a);
}

Test(artifact, a_library_missing_from_the_links_is_refused_and_no_code_is_returned)
{
    trk_artifact *a = NULL;
    char err[TRK_ARTIFACT_ERR_MAX];
    cr_assert_eq(trk_artifact_load(&a, err, sizeof err, POOL), RPC_OK, "%s", err);
    trk_link links[N_POOL_LIBS];
    make_links(links);
    links[5] = links[6]; /* FlashLoanLogic left out */
    static uint8_t code[TRK_ARTIFACT_CODE_MAX];
    size_t len = 99;
    cr_assert_eq(
        trk_artifact_link(a, code, sizeof code, &len, err, sizeof err, links, N_POOL_LIBS - 1),
        RPC_ENOTFOUND);
    cr_assert_eq(len, 0);
    cr_assert_not_null(strstr(err, "FlashLoanLogic"), "%s", err);
    cr_assert_not_null(strstr(err, "Pool.json"), "%s", err);
    trk_artifact_free(a);
}

Test(artifact, code_without_libraries_links_with_no_links_given)
{
    trk_artifact *a = NULL;
    char err[TRK_ARTIFACT_ERR_MAX];
    cr_assert_eq(trk_artifact_load(&a, err, sizeof err, ORACLE), RPC_OK, "%s", err);
    cr_assert_str_eq(trk_artifact_name(a), "AaveOracle");
    static uint8_t code[TRK_ARTIFACT_CODE_MAX];
    size_t len = 0;
    cr_assert_eq(trk_artifact_link(a, code, sizeof code, &len, err, sizeof err, NULL, 0), RPC_OK);
    cr_assert_eq(len, 4651);
    cr_assert_eq(code[0], 0x60); /* PUSH1, as every solc creation code starts */
    cr_assert_eq(trk_artifact_link(a, code, 4650, &len, err, sizeof err, NULL, 0), RPC_ETOO_LARGE);
    cr_assert_eq(len, 0);
    trk_artifact_free(a);
}

Test(artifact, a_crafted_artifact_links_both_of_its_placeholders, .init = mk_tmpdir,
     .fini = rm_tmpdir)
{
    const char *p = write_tmp(0, CRAFTED("0x6001" PH "6002" PH,
                                         "{\"x.sol\":{\"L\":[{\"start\":2,\"length\":20},"
                                         "{\"start\":24,\"length\":20}]}}"));
    trk_artifact *a = NULL;
    char err[TRK_ARTIFACT_ERR_MAX];
    cr_assert_eq(trk_artifact_load(&a, err, sizeof err, p), RPC_OK, "%s", err);
    trk_link l = {"L", {{0}}};
    for (int i = 0; i < 20; i++)
        l.addr.b[i] = (uint8_t)(i + 1);
    uint8_t code[64];
    size_t len = 0;
    cr_assert_eq(trk_artifact_link(a, code, sizeof code, &len, err, sizeof err, &l, 1), RPC_OK);
    cr_assert_eq(len, 44);
    cr_assert_eq(code[0], 0x60);
    cr_assert_eq(code[1], 0x01);
    cr_assert_eq(memcmp(code + 2, l.addr.b, 20), 0);
    cr_assert_eq(code[22], 0x60);
    cr_assert_eq(code[23], 0x02);
    cr_assert_eq(memcmp(code + 24, l.addr.b, 20), 0);
    trk_artifact_free(a);
}

Test(artifact, a_placeholder_linkReferences_does_not_list_is_refused_at_load, .init = mk_tmpdir,
     .fini = rm_tmpdir)
{
    /* The second placeholder is not listed: linking could never fill it. */
    const char *p = write_tmp(
        1, CRAFTED("0x6001" PH "6002" PH, "{\"x.sol\":{\"L\":[{\"start\":2,\"length\":20}]}}"));
    trk_artifact *a = (trk_artifact *)1;
    char err[TRK_ARTIFACT_ERR_MAX];
    cr_assert_eq(trk_artifact_load(&a, err, sizeof err, p), RPC_EHEX);
    cr_assert_null(a);
    cr_assert_not_null(strstr(err, p), "%s", err);
    cr_assert_not_null(strstr(err, "placeholder"), "%s", err);
}

Test(artifact, malformed_files_are_refused_with_the_file_named, .init = mk_tmpdir,
     .fini = rm_tmpdir)
{
    static const struct {
        const char *text;
        int rc;
    } cases[] = {
        {"{\"abi\":[], \"bytecode\":\"0x60\"", RPC_EJSON},  /* truncated JSON */
        {"{\"abi\":{}, \"bytecode\":\"0x60\"}", RPC_EJSON}, /* abi not an array */
        {"{\"abi\":[]}", RPC_EJSON},                        /* no bytecode */
        {"{\"abi\":[], \"bytecode\":\"0x6g\"}", RPC_EHEX},  /* non-hex digit */
        {"{\"abi\":[], \"bytecode\":\"0x600\"}", RPC_EHEX}, /* odd length */
        {"{\"abi\":[], \"bytecode\":\"6001\"}", RPC_EHEX},  /* no 0x */
        {CRAFTED("0x6001" PH, "{\"x.sol\":{\"L\":[{\"start\":1,\"length\":20}]}}"),
         RPC_EHEX}, /* offset not at the placeholder */
        {CRAFTED("0x6001" PH, "{\"x.sol\":{\"L\":[{\"start\":2,\"length\":19}]}}"),
         RPC_EJSON}, /* not 20 bytes */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *p = write_tmp((int)(i % 8), cases[i].text);
        trk_artifact *a = NULL;
        char err[TRK_ARTIFACT_ERR_MAX];
        cr_assert_eq(trk_artifact_load(&a, err, sizeof err, p), cases[i].rc, "case %zu: %s", i,
                     err);
        cr_assert_null(a);
        cr_assert_not_null(strstr(err, p), "case %zu: %s", i, err);
    }
}

Test(artifact, a_missing_file_is_not_found_and_named)
{
    trk_artifact *a = NULL;
    char err[TRK_ARTIFACT_ERR_MAX];
    cr_assert_eq(trk_artifact_load(&a, err, sizeof err, "/nonexistent/X.json"), RPC_ENOTFOUND);
    cr_assert_null(a);
    cr_assert_not_null(strstr(err, "/nonexistent/X.json"), "%s", err);
}

Test(artifact, signatures_expand_tuples_and_give_the_published_selector)
{
    trk_artifact *a = NULL;
    char err[TRK_ARTIFACT_ERR_MAX], sig[512];
    cr_assert_eq(trk_artifact_load(&a, err, sizeof err, CONFIGURATOR), RPC_OK, "%s", err);
    cr_assert_eq(trk_artifact_signature(a, sig, sizeof sig, "initReserves", -1), RPC_OK);
    cr_assert_str_eq(sig, "initReserves((address,address,address,uint8,address,address,address,"
                          "address,string,string,string,string,string,string,bytes)[])");
    /* 0x02fb45e6: viem 2.57.20 toFunctionSelector on the artifact's abi entry. */
    cr_assert_eq(rpc_keccak_selector(sig), 0x02fb45e6u);
    cr_assert_eq(trk_artifact_signature(a, sig, sizeof sig, "noSuchFunction", -1), RPC_ENOTFOUND);
    cr_assert_str_eq(sig, "");
    cr_assert_eq(trk_artifact_signature(a, sig, 20, "initReserves", -1), RPC_ETOO_LARGE);
    cr_assert_str_eq(sig, "");
    trk_artifact_free(a);

    cr_assert_eq(trk_artifact_load(&a, err, sizeof err, ORACLE), RPC_OK, "%s", err);
    cr_assert_eq(trk_artifact_signature(a, sig, sizeof sig, NULL, -1), RPC_OK);
    cr_assert_str_eq(sig, "(address,address[],address[],address,address,uint256)");
    trk_artifact_free(a);
}

Test(artifact, an_overloaded_name_needs_its_arity)
{
    trk_artifact *a = NULL;
    char err[TRK_ARTIFACT_ERR_MAX], sig[128];
    cr_assert_eq(trk_artifact_load(&a, err, sizeof err, MINTABLE), RPC_OK, "%s", err);
    cr_assert_eq(trk_artifact_signature(a, sig, sizeof sig, "mint", -1), RPC_EINVAL);
    cr_assert_eq(trk_artifact_signature(a, sig, sizeof sig, "mint", 2), RPC_OK);
    cr_assert_str_eq(sig, "mint(address,uint256)");
    cr_assert_eq(rpc_keccak_selector(sig), 0x40c10f19u); /* ERC-20 mint, widely published */
    cr_assert_eq(trk_artifact_signature(a, sig, sizeof sig, "mint", 1), RPC_OK);
    cr_assert_str_eq(sig, "mint(uint256)");
    cr_assert_eq(trk_artifact_signature(a, sig, sizeof sig, NULL, -1), RPC_OK);
    cr_assert_str_eq(sig, "(string,string,uint8)");
    trk_artifact_free(a);
}
