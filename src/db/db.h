/*
 * The storage interface every module's store uses. One struct noaber_db is one connection, used
 * by one thread at a time; the server keeps one per worker thread (noaber_dbpool). Statements are
 * prepared once per connection and cached by the address of their SQL text, so a store passes the
 * same `static const char` string every time. SQL is the subset SQLite and PostgreSQL share, with
 * `?` placeholders; times are UTC epoch seconds in integers; there are no booleans.
 *
 * Binding uses a type string, one letter per `?`:
 *   'i' int64_t, 'd' int (promoted), 't' const char * (NULL binds SQL NULL), 'n' NULL (no
 * argument), 'I' int64_t id where 0 binds SQL NULL ("no such reference").
 *
 * Transactions: an operation that writes calls noaber_db_tx(), which opens a write transaction
 * (BEGIN IMMEDIATE on SQLite), runs the callback, commits, and reruns the whole callback a
 * bounded number of times when the database reports it is busy or a serialisation failure. The
 * callback must therefore have no effects outside the database before it returns.
 *
 * Migrations are the numbered files src/db/migrations/NNNN_name.sql compiled into the binary.
 * Where the schema must differ between engines, a migration uses a dialect macro, expanded here:
 *   @ID@    an integer primary key that the database assigns (INTEGER PRIMARY KEY on SQLite)
 */
#ifndef NOABER_DB_DB_H
#define NOABER_DB_DB_H

#include "base/err.h"

#include <stdint.h>

struct noaber_arena;
struct noaber_db;
struct noaber_stmt;

/* Opens (creating if needed) the database at TARGET. Returns NOABER_E_DB with a log line on error.
 */
enum noaber_err noaber_db_open(const char *target, struct noaber_db **out);
void noaber_db_close(struct noaber_db *db);

/* Applies every migration not yet applied, each in its own transaction. *applied gets the count
 * (may be NULL). */
enum noaber_err noaber_db_migrate(struct noaber_db *db, int *applied);
/* The highest migration applied (0 for an empty database). */
int noaber_db_schema_version(struct noaber_db *db);
/* The highest migration compiled into this binary. */
int noaber_db_schema_latest(void);

/* Prepares SQL (cached) and binds the arguments described by TYPES. The statement stays valid
 * until the next noaber_db_query() with the same SQL on this connection. */
enum noaber_err noaber_db_query(struct noaber_db *db, struct noaber_stmt **st, const char *sql,
                                const char *types, ...);
/* Runs SQL with arguments to completion (no rows expected). */
enum noaber_err noaber_db_run(struct noaber_db *db, const char *sql, const char *types, ...);
/* Rows changed by the last INSERT/UPDATE/DELETE. */
int64_t noaber_db_changes(struct noaber_db *db);

/* Steps ST: *row is 1 when a row is ready, 0 when done. A unique or foreign-key violation gives
 * NOABER_E_CONFLICT, a busy database NOABER_E_DB_BUSY. */
enum noaber_err noaber_stmt_step(struct noaber_stmt *st, int *row);
/* Columns of the current row, 0-based. Text is valid until the next step; NULL for SQL NULL. */
int64_t noaber_stmt_int(struct noaber_stmt *st, int col);
const char *noaber_stmt_text(struct noaber_stmt *st, int col);
int noaber_stmt_is_null(struct noaber_stmt *st, int col);
/* A copy of a text column on ARENA; NULL for SQL NULL. */
char *noaber_stmt_dup(struct noaber_stmt *st, int col, struct noaber_arena *arena);

/* Resets ST so that it holds no read lock; stores call it when they stop reading early. */
void noaber_stmt_reset(struct noaber_stmt *st);
/* Resets every statement still running on DB (the server calls it at the end of a request). */
void noaber_db_release(struct noaber_db *db);

/* Runs a one-row query and hands back its first column as an integer. *found is 0 when there
 * was no row (FOUND may be NULL, then a missing row gives NOABER_E_NOT_FOUND). */
enum noaber_err noaber_db_int(struct noaber_db *db, int64_t *out, int *found, const char *sql,
                              const char *types, ...);

typedef enum noaber_err (*noaber_tx_fn)(struct noaber_db *db, void *ctx);
/* Runs FN inside a write transaction with bounded retries (see above). A code other than
 * NOABER_OK from FN rolls back and is handed back. */
enum noaber_err noaber_db_tx(struct noaber_db *db, noaber_tx_fn fn, void *ctx);
/* 1 while a transaction is open on DB. */
int noaber_db_in_tx(struct noaber_db *db);

/* Copies the live database to the file TO with SQLite's online backup (safe while serving). */
enum noaber_err noaber_db_backup(struct noaber_db *db, const char *to);
/* Runs the engine's integrity check; 1 if sound. */
int noaber_db_integrity_ok(struct noaber_db *db);

/* One connection per thread, opened on first use. */
struct noaber_dbpool;
struct noaber_dbpool *noaber_dbpool_new(const char *target);
/* The calling thread's connection, or NULL when it cannot be opened. */
struct noaber_db *noaber_dbpool_get(struct noaber_dbpool *pool);
void noaber_dbpool_free(struct noaber_dbpool *pool);

/* Statistics for /metrics. */
struct noaber_db_stats {
    uint64_t tx_commits, tx_retries, tx_failures, queries;
};
void noaber_db_stats(struct noaber_db_stats *out);

#endif
