/*
 * The storage layer's inside: the table of functions through which db.c (the engine-independent
 * half of db.h: dispatch on the target, the statement cache, transactions with retries,
 * migrations and dialect macros, locks, the pool, copy and search) drives an engine, db_sqlite.c
 * or db_pg.c. Modules never include this file.
 *
 * An engine's connection starts with a struct noaber_db and its statements with a struct
 * noaber_stmt (the engine casts to its own type). db.c owns the cache: it asks the engine for a
 * new statement the first time it sees an SQL address and keeps it until the connection closes.
 */
#ifndef NOABER_DB_DB_INT_H
#define NOABER_DB_DB_INT_H

#include "base/buf.h"
#include "db/db.h"

#include <stdarg.h>
#include <stddef.h>

#define NOABER_DB_CACHE_SLOTS 512

struct noaber_db_ops;

struct noaber_stmt {
    struct noaber_db *db;
    const char *key; /* the caller's SQL pointer */
    struct noaber_stmt *next;
};

struct noaber_db_interned;

struct noaber_db {
    const struct noaber_db_ops *ops;
    int in_tx;
    struct noaber_stmt *cache[NOABER_DB_CACHE_SLOTS];
    struct noaber_db_interned *interned; /* SQL that db.c builds at run time, see db_intern() */
};

struct noaber_db_ops {
    enum noaber_db_engine engine;
    const char *name;
    enum noaber_err (*open)(const char *target, struct noaber_db **out);
    void (*close)(struct noaber_db *db); /* after db.c has freed every statement */

    /* A new prepared statement for SQL (with `?` placeholders); its count of placeholders is
     * known from here on. */
    enum noaber_err (*stmt_new)(struct noaber_db *db, const char *sql, struct noaber_stmt **out);
    void (*stmt_free)(struct noaber_stmt *st);
    /* Forgets bindings and any result, so that the statement can run again. */
    void (*stmt_reset)(struct noaber_stmt *st);
    int (*stmt_params)(struct noaber_stmt *st);
    const char *(*stmt_sql)(struct noaber_stmt *st);
    /* One value per call; I is 1-based. TEXT NULL binds SQL NULL. */
    enum noaber_err (*bind_int)(struct noaber_stmt *st, int i, int64_t v);
    enum noaber_err (*bind_text)(struct noaber_stmt *st, int i, const char *v);
    enum noaber_err (*bind_null)(struct noaber_stmt *st, int i);
    enum noaber_err (*step)(struct noaber_stmt *st, int *row);
    int64_t (*col_int)(struct noaber_stmt *st, int col);
    const char *(*col_text)(struct noaber_stmt *st, int col, size_t *len);
    int (*col_null)(struct noaber_stmt *st, int col);
    int (*col_count)(struct noaber_stmt *st);
    /* Resets every statement that still holds a result or a read lock. */
    void (*release)(struct noaber_db *db);
    int64_t (*changes)(struct noaber_db *db);
    /* Runs statements without parameters, several separated by ';'. BUSY errors are not logged. */
    enum noaber_err (*exec)(struct noaber_db *db, const char *sql);

    /* Transactions: the statement that opens a write transaction, and how often to try one. */
    const char *begin;
    int tx_tries;
    /* Session-wide named locks across processes; NULL where the engine needs none. */
    enum noaber_err (*lock)(struct noaber_db *db, const char *name, int take);

    /* Expands the dialect macro NAME with ARGS (comma-separated, may be empty) into OUT; returns
     * 0 when NAME is not a macro. */
    int (*macro)(const char *name, const char *args, struct noaber_buf *out);

    enum noaber_err (*backup)(struct noaber_db *db, const char *to);
    int (*integrity_ok)(struct noaber_db *db);

    /* The catalog, for copy: every application table (name); the columns of one table (name,
     * 1 if text, position in the primary key or 0, 1 if the database assigns it); the tables one
     * table refers to (name). */
    const char *sql_tables, *sql_columns, *sql_parents;
    /* Appended to a text column in ORDER BY, so that both engines sort text byte by byte. */
    const char *binary_order;

    /* Search: the SQL that returns the keys of INDEX best first, with two parameters (the
     * engine's query and the limit), and the engine's query for the words of what was typed. */
    void (*search_sql)(const struct noaber_search_index *idx, struct noaber_buf *out);
    void (*search_query)(const char *const *words, size_t n, struct noaber_buf *out);
};

extern const struct noaber_db_ops noaber_db_sqlite_ops;
extern const struct noaber_db_ops noaber_db_pg_ops;

/* Called by an engine after it re-established a lost connection: every cached statement must be
 * prepared again. */
typedef void (*noaber_db_each_fn)(struct noaber_stmt *st);
void noaber_db_each_stmt(struct noaber_db *db, noaber_db_each_fn fn);

/* The cached statement for SQL, reset, without binding anything: for db.c's own callers that
 * bind through the ops one value at a time. */
enum noaber_err noaber_db_prepare(struct noaber_db *db, const char *sql, struct noaber_stmt **out);

/* A copy of SQL owned by DB and kept until it closes, the same pointer for the same text: SQL
 * built at run time can then be cached by its address like a store's static strings. NULL when
 * out of memory. */
const char *noaber_db_intern(struct noaber_db *db, const char *sql);

/* The columns of the search index's text, split at commas and trimmed, into COLS (at most MAX,
 * each at most 63 bytes); returns the count. */
size_t noaber_db_search_columns(const char *columns, char cols[][64], size_t max);

/* "name" with double quotes doubled, for identifiers read from the catalog. */
void noaber_db_quote_ident(struct noaber_buf *b, const char *name);

#endif
