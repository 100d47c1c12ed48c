/* tests/store/test_env.c — opening a data directory (store/env.c): creation and meta,
 * refusal of other chains and schema versions, and foreign or damaged files, which must
 * come back as a clear error with the file left byte for byte as it was. */
#include <lmdb.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <criterion/criterion.h>

#include "helpers.h"
#include "store/store.h"

static char *dir;
static char path[512];

static void setup(void)
{
    dir = make_tmpdir();
    cr_assert_not_null(dir);
    snprintf(path, sizeof path, "%s/data.mdb", dir);
}

static void teardown(void)
{
    rm_tree(dir);
}

TestSuite(env, .init = setup, .fini = teardown);

static void write_blocks(const char *d, uint64_t from, uint64_t to)
{
    store *s;
    store_batch *b;
    store_opts o = writer_opts();
    cr_assert_eq(store_open(&s, NULL, 0, d, &o), 0);
    cr_assert_eq(store_batch_new(&b, 0), 0);
    for (uint64_t blk = from; blk <= to; blk++) {
        cr_assert_eq(gen_batch(b, blk), 0);
        cr_assert_eq(store_commit(s, NULL, b), 0);
    }
    store_batch_free(b);
    store_close(s);
}

/* Opens dir expecting err; checks the data file did not change and `why` names dir. */
static void expect_refused(const store_opts *o, int err, const char *why_part)
{
    size_t n0, n1;
    uint8_t *before = slurp(path, &n0);
    cr_assert_not_null(before);
    char lock[600];
    struct stat st;
    snprintf(lock, sizeof lock, "%s/lock.mdb", dir);
    int had_lock = stat(lock, &st) == 0;
    store *s = (store *)1;
    char why[512];
    int rc = store_open(&s, why, sizeof why, dir, o);
    cr_expect_eq(rc, err, "got %d (%s): %s", rc, store_strerror(rc), why);
    cr_expect_null(s);
    cr_expect(strstr(why, dir) != NULL, "message names the directory: %s", why);
    if (why_part)
        cr_expect(strstr(why, why_part) != NULL, "message has \"%s\": %s", why_part, why);
    uint8_t *after = slurp(path, &n1);
    cr_assert_not_null(after);
    cr_expect_eq(n0, n1, "file length unchanged");
    cr_expect(n0 == n1 && memcmp(before, after, n0) == 0, "file bytes unchanged");
    cr_expect_eq(stat(lock, &st) == 0, had_lock, "no lock file was created beside it");
    free(before);
    free(after);
}

Test(env, a_new_directory_becomes_an_empty_store_with_its_meta)
{
    char sub[600];
    snprintf(sub, sizeof sub, "%s/new", dir);
    store *s;
    store_info info;
    store_opts o = writer_opts();
    rpc_hash32 g = test_genesis();
    cr_assert_eq(store_open(&s, NULL, 0, sub, &o), 0);
    cr_assert_eq(store_info_get(s, &info), 0);
    cr_expect_eq(info.schema, STORE_SCHEMA_VERSION);
    cr_expect_eq(info.chain_id, TEST_CHAIN);
    cr_expect_arr_eq(&info.genesis, &g, 32);
    cr_expect(info.created > (uint64_t)time(NULL) - 60 && info.created <= (uint64_t)time(NULL));
    cr_expect_eq(info.has_cursor, 0);
    cr_expect_eq(info.last_seq, 0);
    cr_expect_geq(info.map_size, 16u << 20);
    store_close(s);
}

Test(env, reopening_a_store_keeps_its_meta_and_cursor)
{
    store *s;
    store_info a, b;
    store_opts o = writer_opts();
    write_blocks(dir, 1, 3);
    cr_assert_eq(store_open(&s, NULL, 0, dir, &o), 0);
    cr_assert_eq(store_info_get(s, &a), 0);
    store_close(s);
    o.readonly = 1;
    cr_assert_eq(store_open(&s, NULL, 0, dir, &o), 0);
    cr_assert_eq(store_info_get(s, &b), 0);
    store_close(s);
    cr_expect_eq(a.created, b.created);
    cr_expect_eq(b.has_cursor, 1);
    cr_expect_eq(b.cursor_block, 3);
    cr_expect_eq(b.last_seq, moves_in(1) + moves_in(2) + moves_in(3));
}

Test(env, a_reader_without_a_store_is_told_to_start_the_tracker)
{
    store *s = (store *)1;
    char why[512];
    store_opts o = {.readonly = 1};
    cr_expect_eq(store_open(&s, why, sizeof why, dir, &o), STORE_ENOTFOUND);
    cr_expect_null(s);
    cr_expect(strstr(why, "whaletrack run") != NULL, "%s", why);
}

Test(env, a_writer_must_name_its_chain)
{
    store *s = (store *)1;
    store_opts o = {0};
    cr_expect_eq(store_open(&s, NULL, 0, dir, &o), STORE_EINVAL);
    cr_expect_null(s);
}

Test(env, another_chain_id_is_refused_with_both_chains_named)
{
    write_blocks(dir, 1, 2);
    store_opts o = writer_opts();
    o.chain_id = 1;
    expect_refused(&o, STORE_ECHAIN, "chain 31337");
    o.readonly = 1;
    expect_refused(&o, STORE_ECHAIN, "chain 1 ");
}

Test(env, another_genesis_on_the_same_chain_id_is_refused)
{
    write_blocks(dir, 1, 2);
    store_opts o = writer_opts();
    o.genesis.b[31] ^= 1;
    expect_refused(&o, STORE_ECHAIN, "--data-dir");
}

Test(env, a_reader_that_names_no_chain_accepts_the_stored_one)
{
    write_blocks(dir, 1, 2);
    store *s;
    store_info info;
    store_opts o = {.readonly = 1};
    cr_assert_eq(store_open(&s, NULL, 0, dir, &o), 0);
    cr_assert_eq(store_info_get(s, &info), 0);
    cr_expect_eq(info.chain_id, TEST_CHAIN);
    store_close(s);
}

/* Rewrites the "schema" meta key with raw LMDB, as another version would have. */
static void set_schema(uint32_t v)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    MDB_val k = {6, "schema"}, val = {4, b};
    cr_assert_eq(mdb_env_create(&env), 0);
    cr_assert_eq(mdb_env_set_maxdbs(env, 16), 0);
    cr_assert_eq(mdb_env_open(env, dir, 0, 0600), 0);
    cr_assert_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
    cr_assert_eq(mdb_dbi_open(txn, "meta", 0, &dbi), 0);
    cr_assert_eq(mdb_put(txn, dbi, &k, &val, 0), 0);
    cr_assert_eq(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
}

Test(env, a_store_of_another_schema_version_is_refused_with_both_versions_named)
{
    write_blocks(dir, 1, 2);
    set_schema(2);
    store_opts o = writer_opts();
    expect_refused(&o, STORE_ESCHEMA, "schema 2");
    o.readonly = 1;
    expect_refused(&o, STORE_ESCHEMA, "reads schema 1");
}

Test(env, a_file_that_is_not_lmdb_is_refused_and_left_unchanged)
{
    char text[20000];
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = "not an LMDB file\n"[i % 17];
    cr_assert_eq(spit(path, text, sizeof text), 0);
    store_opts o = writer_opts();
    expect_refused(&o, STORE_EFOREIGN, NULL);
    o.readonly = 1;
    expect_refused(&o, STORE_EFOREIGN, NULL);
}

Test(env, an_lmdb_database_of_another_program_is_refused_and_left_unchanged)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_val k = {5, "hello"}, v = {5, "world"};
    cr_assert_eq(mdb_env_create(&env), 0);
    cr_assert_eq(mdb_env_open(env, dir, 0, 0600), 0);
    cr_assert_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
    cr_assert_eq(mdb_dbi_open(txn, NULL, 0, &dbi), 0);
    cr_assert_eq(mdb_put(txn, dbi, &k, &v, 0), 0);
    cr_assert_eq(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
    store_opts o = writer_opts();
    expect_refused(&o, STORE_EFOREIGN, "not a whaletrack store");
}

Test(env, a_store_with_garbled_meta_pages_is_refused_and_left_unchanged)
{
    write_blocks(dir, 1, 50);
    size_t n;
    uint8_t *data = slurp(path, &n);
    cr_assert_not_null(data);
    cr_assert_gt(n, 3 * 4096);
    for (size_t i = 0; i < 2 * 4096; i++)
        data[i] = (uint8_t)(0xa5 ^ i);
    cr_assert_eq(spit(path, data, n), 0);
    free(data);
    store_opts o = writer_opts();
    expect_refused(&o, STORE_EFOREIGN, NULL);
}

Test(env, a_truncated_store_is_refused_and_left_unchanged)
{
    write_blocks(dir, 1, 200);
    size_t n;
    uint8_t *data = slurp(path, &n);
    cr_assert_not_null(data);
    cr_assert_gt(n, 16 * 4096);
    cr_assert_eq(spit(path, data, 4 * 4096), 0);
    free(data);
    store_opts o = writer_opts();
    expect_refused(&o, STORE_ECORRUPT, "truncated");
    o.readonly = 1;
    expect_refused(&o, STORE_ECORRUPT, "truncated");
}

Test(env, an_empty_environment_left_by_a_crash_at_creation_becomes_a_store)
{
    MDB_env *env;
    cr_assert_eq(mdb_env_create(&env), 0);
    cr_assert_eq(mdb_env_open(env, dir, 0, 0600), 0);
    mdb_env_close(env);
    store *s;
    store_info info;
    store_opts o = writer_opts();
    cr_assert_eq(store_open(&s, NULL, 0, dir, &o), 0);
    cr_assert_eq(store_info_get(s, &info), 0);
    cr_expect_eq(info.chain_id, TEST_CHAIN);
    store_close(s);
}

Test(env, a_read_only_handle_refuses_every_write)
{
    write_blocks(dir, 1, 2);
    store *s;
    store_batch *b;
    store_opts o = {.readonly = 1};
    cr_assert_eq(store_open(&s, NULL, 0, dir, &o), 0);
    cr_assert_eq(store_batch_new(&b, 0), 0);
    cr_assert_eq(gen_batch(b, 3), 0);
    cr_expect_eq(store_commit(s, NULL, b), STORE_ERDONLY);
    cr_expect_eq(store_rollback(s, NULL, 1), STORE_ERDONLY);
    cr_expect_eq(store_outbox_done(s, 1), STORE_ERDONLY);
    store_batch_free(b);
    store_close(s);
}

Test(env, block_hashes_are_kept_for_the_reorg_window_only)
{
    store *s;
    store_batch *b;
    rpc_hash32 h, p, want = hash_of(30, 0), want_parent = hash_of(29, 0);
    store_opts o = writer_opts();
    o.keep_blocks = 10;
    cr_assert_eq(store_open(&s, NULL, 0, dir, &o), 0);
    cr_assert_eq(store_batch_new(&b, 0), 0);
    for (uint64_t blk = 1; blk <= 30; blk++) {
        cr_assert_eq(gen_batch(b, blk), 0);
        cr_assert_eq(store_commit(s, NULL, b), 0);
    }
    cr_expect_eq(store_block_get(s, &h, &p, 30), 0);
    cr_expect_arr_eq(&h, &want, 32);
    cr_expect_arr_eq(&p, &want_parent, 32);
    cr_expect_eq(store_block_get(s, &h, NULL, 20), 0);
    cr_expect_eq(store_block_get(s, &h, &p, 19), STORE_ENOTFOUND);
    rpc_hash32 zero = {{0}};
    cr_expect_arr_eq(&h, &zero, 32);
    store_batch_free(b);
    store_close(s);
}

Test(env, a_reader_of_a_store_copied_without_its_lock_file_gets_one)
{
    write_blocks(dir, 1, 3);
    char lock[600];
    struct stat st;
    snprintf(lock, sizeof lock, "%s/lock.mdb", dir);
    cr_assert_eq(unlink(lock), 0);
    store *s;
    store_info info;
    store_opts o = {.readonly = 1};
    cr_assert_eq(store_open(&s, NULL, 0, dir, &o), 0);
    cr_assert_eq(store_info_get(s, &info), 0);
    cr_expect_eq(info.cursor_block, 3);
    cr_expect_eq(stat(lock, &st), 0, "the reader runs with LMDB's locks");
    store_close(s);
}
