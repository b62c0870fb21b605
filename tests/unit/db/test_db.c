/*
 * The storage layer on SQLite: migrations (applied once, idempotent, recorded), the statement
 * cache, binding (NULL ids, a wrong type string refused before any argument is read), conflicts,
 * the transaction helper (rollback on error, retry under contention from several threads, a
 * scarce stock taken exactly once), the online backup and the integrity check.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/util.h"
#include "db/db.h"

static char path[64];

static int
setup(void **state)
{
    snprintf(path, sizeof path, "/tmp/noaber-db-XXXXXX");
    close(mkstemp(path));
    struct noaber_db *db;
    if (noaber_db_open(path, &db) != NOABER_OK)
        return -1;
    *state = db;
    return 0;
}

static void
remove_db(const char *p)
{
    char side[80];
    unlink(p);
    snprintf(side, sizeof side, "%s-wal", p);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", p);
    unlink(side);
}

static int
teardown(void **state)
{
    noaber_db_close(*state);
    remove_db(path);
    return 0;
}

static void
test_migrate(void **state)
{
    struct noaber_db *db = *state;
    int applied = 0, first = 0;
    assert_int_equal(noaber_db_schema_version(db), 0);
    assert_int_equal(noaber_db_migrate(db, &first), NOABER_OK);
    assert_true(first >= 1);
    assert_int_equal(noaber_db_schema_version(db), noaber_db_schema_latest());
    assert_int_equal(noaber_db_migrate(db, &applied), NOABER_OK);
    assert_int_equal(applied, 0);
    int64_t n;
    static const char *const q = "SELECT count(*) FROM schema_migrations";
    assert_int_equal(noaber_db_int(db, &n, NULL, q, ""), NOABER_OK);
    assert_int_equal(n, first); /* numbers may have gaps: one row per migration file */
    assert_true(noaber_db_integrity_ok(db));
}

static const char *const sql_create = "CREATE TABLE stock (id INTEGER PRIMARY KEY, left INTEGER "
                                      "NOT NULL, ref INTEGER, name TEXT UNIQUE)";
static const char *const sql_insert = "INSERT INTO stock (left, ref, name) VALUES (?, ?, ?)";
static const char *const sql_take =
    "UPDATE stock SET left = left - 1 WHERE id = 1 AND left > 0 RETURNING left";
static const char *const sql_left = "SELECT left FROM stock WHERE id = 1";
static const char *const sql_ref_null = "SELECT count(*) FROM stock WHERE ref IS NULL";

static void
test_bind(void **state)
{
    struct noaber_db *db = *state;
    assert_int_equal(noaber_db_run(db, sql_create, ""), NOABER_OK);
    assert_int_equal(noaber_db_run(db, sql_insert, "iIt", (int64_t)50, (int64_t)0, "a"), NOABER_OK);
    assert_int_equal(noaber_db_run(db, sql_insert, "iIt", (int64_t)1, (int64_t)7, "b"), NOABER_OK);
    int64_t n;
    assert_int_equal(noaber_db_int(db, &n, NULL, sql_ref_null, ""), NOABER_OK);
    assert_int_equal(n, 1);
    /* A duplicate is a conflict, not a crash; a wrong type string is refused. */
    assert_int_equal(noaber_db_run(db, sql_insert, "iIt", (int64_t)1, (int64_t)0, "a"),
                     NOABER_E_CONFLICT);
    assert_int_equal(noaber_db_run(db, sql_insert, "iI", (int64_t)1, (int64_t)0),
                     NOABER_E_INTERNAL);
    int found = 1;
    static const char *const none = "SELECT left FROM stock WHERE id = 99";
    assert_int_equal(noaber_db_int(db, &n, &found, none, ""), NOABER_OK);
    assert_false(found);
    assert_int_equal(noaber_db_int(db, &n, NULL, none, ""), NOABER_E_NOT_FOUND);
    /* Statements are cached: the same SQL many times, reusing one prepared statement. */
    for (int i = 0; i < 1000; i++)
        assert_int_equal(noaber_db_int(db, &n, NULL, sql_left, ""), NOABER_OK);
    assert_int_equal(n, 50);
    struct noaber_arena *a = noaber_arena_new(0);
    struct noaber_stmt *st;
    static const char *const names = "SELECT name, ref FROM stock ORDER BY id";
    assert_int_equal(noaber_db_query(db, &st, names, ""), NOABER_OK);
    int row;
    assert_int_equal(noaber_stmt_step(st, &row), NOABER_OK);
    assert_true(row);
    assert_string_equal(noaber_stmt_dup(st, 0, a), "a");
    assert_true(noaber_stmt_is_null(st, 1));
    noaber_stmt_reset(st);
    noaber_arena_free(a);
}

static enum noaber_err
failing_tx(struct noaber_db *db, void *ctx)
{
    (void)ctx;
    enum noaber_err e = noaber_db_run(db, sql_insert, "iIt", (int64_t)5, (int64_t)0, "gone");
    return e == NOABER_OK ? NOABER_E_INVALID : e;
}

static void
test_rollback(void **state)
{
    struct noaber_db *db = *state;
    assert_int_equal(noaber_db_run(db, sql_create, ""), NOABER_OK);
    assert_int_equal(noaber_db_tx(db, failing_tx, NULL), NOABER_E_INVALID);
    int64_t n;
    static const char *const q = "SELECT count(*) FROM stock";
    assert_int_equal(noaber_db_int(db, &n, NULL, q, ""), NOABER_OK);
    assert_int_equal(n, 0);
    assert_false(noaber_db_in_tx(db));
}

struct taker {
    pthread_t t;
    int taken, refused, errors;
};

static enum noaber_err
take_tx(struct noaber_db *db, void *ctx)
{
    int64_t left;
    int found = 0;
    enum noaber_err e = noaber_db_int(db, &left, &found, sql_take, "");
    *(int *)ctx = found;
    return e;
}

static void *
take_many(void *arg)
{
    struct taker *t = arg;
    struct noaber_db *db;
    if (noaber_db_open(path, &db) != NOABER_OK) {
        t->errors++;
        return NULL;
    }
    for (int i = 0; i < 25; i++) {
        int got = 0;
        enum noaber_err e = noaber_db_tx(db, take_tx, &got);
        if (e != NOABER_OK)
            t->errors++;
        else if (got)
            t->taken++;
        else
            t->refused++;
    }
    noaber_db_close(db);
    return NULL;
}

/* Eight threads with their own connections claim 200 times from a stock of 50: exactly 50
 * succeed, 150 are refused, none fails. */
static void
test_scarce_stock(void **state)
{
    struct noaber_db *db = *state;
    assert_int_equal(noaber_db_run(db, sql_create, ""), NOABER_OK);
    assert_int_equal(noaber_db_run(db, sql_insert, "iIt", (int64_t)50, (int64_t)0, "places"),
                     NOABER_OK);
    struct taker takers[8] = {{0}};
    for (int i = 0; i < 8; i++)
        pthread_create(&takers[i].t, NULL, take_many, &takers[i]);
    int taken = 0, refused = 0, errors = 0;
    for (int i = 0; i < 8; i++) {
        pthread_join(takers[i].t, NULL);
        taken += takers[i].taken;
        refused += takers[i].refused;
        errors += takers[i].errors;
    }
    assert_int_equal(errors, 0);
    assert_int_equal(taken, 50);
    assert_int_equal(refused, 150);
    int64_t left;
    assert_int_equal(noaber_db_int(db, &left, NULL, sql_left, ""), NOABER_OK);
    assert_int_equal(left, 0);
}

static void
test_backup(void **state)
{
    struct noaber_db *db = *state;
    assert_int_equal(noaber_db_migrate(db, NULL), NOABER_OK);
    assert_int_equal(noaber_db_run(db, sql_create, ""), NOABER_OK);
    assert_int_equal(noaber_db_run(db, sql_insert, "iIt", (int64_t)3, (int64_t)0, "x"), NOABER_OK);
    char to[64];
    snprintf(to, sizeof to, "/tmp/noaber-backup-XXXXXX");
    close(mkstemp(to));
    assert_int_equal(noaber_db_backup(db, to), NOABER_OK);
    struct noaber_db *copy;
    assert_int_equal(noaber_db_open(to, &copy), NOABER_OK);
    assert_true(noaber_db_integrity_ok(copy));
    int64_t left;
    assert_int_equal(noaber_db_int(copy, &left, NULL, sql_left, ""), NOABER_OK);
    assert_int_equal(left, 3);
    assert_int_equal(noaber_db_schema_version(copy), noaber_db_schema_latest());
    noaber_db_close(copy);
    remove_db(to);
    assert_int_equal(noaber_db_backup(db, "/nonexistent-dir/x.db"), NOABER_E_DB);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_migrate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bind, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rollback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scarce_stock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backup, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
