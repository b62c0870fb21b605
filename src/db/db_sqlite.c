/*
 * SQLite engine of db.h (see db_int.h for the table db.c calls). Each connection runs in WAL mode
 * with foreign keys on and a busy timeout. Write transactions begin IMMEDIATE so that two writers
 * never deadlock on a lock upgrade; SQLITE_BUSY that survives the busy timeout is mapped to
 * NOABER_E_DB_BUSY and noaber_db_tx() reruns the transaction. Named locks are not needed: a write
 * transaction already excludes every other writer, in this process and in others on the file.
 * Search uses FTS5 with the unicode61 tokenizer, which folds case and removes diacritics.
 */
#include "db/db_int.h"

#include "base/arena.h"
#include "base/log.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lite_db {
    struct noaber_db base;
    sqlite3 *conn;
};

struct lite_stmt {
    struct noaber_stmt base;
    sqlite3_stmt *s;
};

#define CONN(db) (((struct lite_db *)(db))->conn)
#define STMT(st) (((struct lite_stmt *)(st))->s)

static enum noaber_err
map_rc(sqlite3 *conn, int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
        return NOABER_OK;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return NOABER_E_DB_BUSY;
    case SQLITE_CONSTRAINT:
        return NOABER_E_CONFLICT;
    default:
        noaber_error("sqlite: %s (%d)", sqlite3_errmsg(conn), rc);
        return NOABER_E_DB;
    }
}

static enum noaber_err
lite_open(const char *target, struct noaber_db **out)
{
    static const char *const pragmas = "PRAGMA journal_mode=WAL;"
                                       "PRAGMA synchronous=NORMAL;"
                                       "PRAGMA foreign_keys=ON;"
                                       "PRAGMA temp_store=MEMORY;";
    struct lite_db *db = calloc(1, sizeof *db);
    if (!db)
        return NOABER_E_INTERNAL;
    db->base.ops = &noaber_db_sqlite_ops;
    int rc = sqlite3_open_v2(
        target, &db->conn, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        noaber_error("cannot open database %s: %s", target,
                     db->conn ? sqlite3_errmsg(db->conn) : "out of memory");
        sqlite3_close(db->conn);
        free(db);
        return NOABER_E_DB;
    }
    sqlite3_busy_timeout(db->conn, 5000);
    sqlite3_extended_result_codes(db->conn, 1);
    char *msg = NULL;
    if (sqlite3_exec(db->conn, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
        noaber_error("cannot set up database %s: %s", target, msg ? msg : "?");
        sqlite3_free(msg);
        sqlite3_close(db->conn);
        free(db);
        return NOABER_E_DB;
    }
    *out = &db->base;
    return NOABER_OK;
}

static void
lite_close(struct noaber_db *db)
{
    sqlite3_close(CONN(db));
    free(db);
}

static enum noaber_err
lite_stmt_new(struct noaber_db *db, const char *sql, struct noaber_stmt **out)
{
    struct lite_stmt *s = calloc(1, sizeof *s);
    if (!s)
        return NOABER_E_INTERNAL;
    int rc = sqlite3_prepare_v3(CONN(db), sql, -1, SQLITE_PREPARE_PERSISTENT, &s->s, NULL);
    if (rc != SQLITE_OK) {
        free(s);
        noaber_error("sqlite prepare: %s in: %s", sqlite3_errmsg(CONN(db)), sql);
        return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED ? NOABER_E_DB_BUSY
                                                                          : NOABER_E_DB;
    }
    *out = &s->base;
    return NOABER_OK;
}

static void
lite_stmt_free(struct noaber_stmt *st)
{
    sqlite3_finalize(STMT(st));
    free(st);
}

static void
lite_stmt_reset(struct noaber_stmt *st)
{
    sqlite3_reset(STMT(st));
    sqlite3_clear_bindings(STMT(st));
}

static int
lite_stmt_params(struct noaber_stmt *st)
{
    return sqlite3_bind_parameter_count(STMT(st));
}

static const char *
lite_stmt_sql(struct noaber_stmt *st)
{
    return sqlite3_sql(STMT(st));
}

static enum noaber_err
lite_bind_int(struct noaber_stmt *st, int i, int64_t v)
{
    return map_rc(CONN(st->db), sqlite3_bind_int64(STMT(st), i, v));
}

static enum noaber_err
lite_bind_text(struct noaber_stmt *st, int i, const char *v)
{
    int rc = v ? sqlite3_bind_text(STMT(st), i, v, -1, SQLITE_TRANSIENT)
               : sqlite3_bind_null(STMT(st), i);
    return map_rc(CONN(st->db), rc);
}

static enum noaber_err
lite_bind_null(struct noaber_stmt *st, int i)
{
    return map_rc(CONN(st->db), sqlite3_bind_null(STMT(st), i));
}

static enum noaber_err
lite_step(struct noaber_stmt *st, int *row)
{
    int rc = sqlite3_step(STMT(st));
    *row = rc == SQLITE_ROW;
    if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        return NOABER_OK;
    enum noaber_err e = map_rc(CONN(st->db), rc);
    sqlite3_reset(STMT(st));
    return e;
}

static int64_t
lite_col_int(struct noaber_stmt *st, int col)
{
    return sqlite3_column_int64(STMT(st), col);
}

static const char *
lite_col_text(struct noaber_stmt *st, int col, size_t *len)
{
    const char *t = (const char *)sqlite3_column_text(STMT(st), col);
    if (len)
        *len = t ? (size_t)sqlite3_column_bytes(STMT(st), col) : 0;
    return t;
}

static int
lite_col_null(struct noaber_stmt *st, int col)
{
    return sqlite3_column_type(STMT(st), col) == SQLITE_NULL;
}

static int
lite_col_count(struct noaber_stmt *st)
{
    return sqlite3_column_count(STMT(st));
}

static void
lite_release(struct noaber_db *db)
{
    for (sqlite3_stmt *s = sqlite3_next_stmt(CONN(db), NULL); s; s = sqlite3_next_stmt(CONN(db), s))
        if (sqlite3_stmt_busy(s))
            sqlite3_reset(s);
}

static int64_t
lite_changes(struct noaber_db *db)
{
    return sqlite3_changes64(CONN(db));
}

static enum noaber_err
lite_exec(struct noaber_db *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(CONN(db), sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY)
        noaber_error("sqlite: %s in: %.200s", msg ? msg : "?", sql);
    sqlite3_free(msg);
    if (rc == SQLITE_OK)
        return NOABER_OK;
    return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED ? NOABER_E_DB_BUSY
           : (rc & 0xff) == SQLITE_CONSTRAINT                         ? NOABER_E_CONFLICT
                                                                      : NOABER_E_DB;
}

/* --- dialect --------------------------------------------------------------------------------- */

/* @SEARCH_INDEX(table, key, col, ...)@: an external-content FTS5 table "<table>_fts" over the
 * columns, whose rowid is the key, kept in step by three triggers, and filled from the rows the
 * table already has. */
static void
search_index(const char *args, struct noaber_buf *out)
{
    char cols[18][64];
    size_t n = noaber_db_search_columns(args, cols, 18);
    if (n < 3) {
        noaber_buf_puts(out, "SELECT raise_search_index_needs_table_key_and_columns()");
        return;
    }
    const char *t = cols[0], *key = cols[1];
    char fts[80];
    snprintf(fts, sizeof fts, "%s_fts", t);
#define COLS(prefix)                                                                               \
    for (size_t i = 2; i < n; i++) {                                                               \
        noaber_buf_puts(out, ", " prefix);                                                         \
        noaber_db_quote_ident(out, cols[i]);                                                       \
    }
    noaber_buf_puts(out, "CREATE VIRTUAL TABLE ");
    noaber_db_quote_ident(out, fts);
    noaber_buf_puts(out, " USING fts5(");
    for (size_t i = 2; i < n; i++) {
        noaber_db_quote_ident(out, cols[i]);
        noaber_buf_puts(out, ", ");
    }
    noaber_buf_printf(out,
                      "content='%s', content_rowid='%s', "
                      "tokenize='unicode61 remove_diacritics 2');\n",
                      t, key);
    const char *const kinds[3] = {"ai", "ad", "au"};
    for (int k = 0; k < 3; k++) {
        noaber_buf_printf(out, "CREATE TRIGGER \"%s_%s\" AFTER %s ON ", fts, kinds[k],
                          k == 0   ? "INSERT"
                          : k == 1 ? "DELETE"
                                   : "UPDATE");
        noaber_db_quote_ident(out, t);
        noaber_buf_puts(out, " BEGIN ");
        if (k > 0) { /* remove the old row's words */
            noaber_buf_printf(out, "INSERT INTO \"%s\" (\"%s\", rowid", fts, fts);
            COLS("");
            noaber_buf_puts(out, ") VALUES ('delete', old.");
            noaber_db_quote_ident(out, key);
            COLS("old.");
            noaber_buf_puts(out, "); ");
        }
        if (k != 1) { /* add the new row's words */
            noaber_buf_printf(out, "INSERT INTO \"%s\" (rowid", fts);
            COLS("");
            noaber_buf_puts(out, ") VALUES (new.");
            noaber_db_quote_ident(out, key);
            COLS("new.");
            noaber_buf_puts(out, "); ");
        }
        noaber_buf_puts(out, "END;\n");
    }
    noaber_buf_printf(out, "INSERT INTO \"%s\" (\"%s\") VALUES ('rebuild')", fts, fts);
#undef COLS
}

static int
lite_macro(const char *name, const char *args, struct noaber_buf *out)
{
    if (strcmp(name, "ID") == 0) {
        noaber_buf_puts(out, "INTEGER PRIMARY KEY");
        return 1;
    }
    if (strcmp(name, "SEARCH_INDEX") == 0) {
        search_index(args, out);
        return 1;
    }
    return 0;
}

static void
lite_search_sql(const struct noaber_search_index *idx, struct noaber_buf *out)
{
    char fts[80];
    snprintf(fts, sizeof fts, "%s_fts", idx->table);
    noaber_buf_puts(out, "SELECT rowid FROM ");
    noaber_db_quote_ident(out, fts);
    noaber_buf_puts(out, " WHERE ");
    noaber_db_quote_ident(out, fts);
    noaber_buf_puts(out, " MATCH ? ORDER BY rank, rowid LIMIT ?");
}

/* Each word as an FTS5 string with a prefix star: "fiets"* "cafe"* (all must match). Words
 * hold only letters and digits, so no quote can end a string early. */
static void
lite_search_query(const char *const *words, size_t n, struct noaber_buf *out)
{
    for (size_t i = 0; i < n; i++)
        noaber_buf_printf(out, "%s\"%s\"*", i ? " " : "", words[i]);
}

/* --- backup, integrity ----------------------------------------------------------------------- */

static enum noaber_err
lite_backup(struct noaber_db *db, const char *to)
{
    sqlite3 *dst;
    if (sqlite3_open(to, &dst) != SQLITE_OK) {
        noaber_error("cannot open backup target %s: %s", to, sqlite3_errmsg(dst));
        sqlite3_close(dst);
        return NOABER_E_DB;
    }
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", CONN(db), "main");
    int rc = SQLITE_ERROR;
    if (b) {
        /* Copy in steps so that writers are only held up briefly; restart when they change the
         * source (SQLite handles that inside backup_step). */
        do {
            rc = sqlite3_backup_step(b, 256);
            if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
                sqlite3_sleep(20);
        } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
        sqlite3_backup_finish(b);
    }
    if (rc != SQLITE_DONE)
        noaber_error("backup to %s failed: %s", to, sqlite3_errmsg(dst));
    sqlite3_close(dst);
    return rc == SQLITE_DONE ? NOABER_OK : NOABER_E_DB;
}

static int
lite_integrity_ok(struct noaber_db *db)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(CONN(db), "PRAGMA integrity_check", -1, &s, NULL) != SQLITE_OK)
        return 0;
    int ok =
        sqlite3_step(s) == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(s, 0), "ok") == 0;
    sqlite3_finalize(s);
    return ok;
}

/* --- the table ------------------------------------------------------------------------------- */

const struct noaber_db_ops noaber_db_sqlite_ops = {
    .engine = NOABER_DB_SQLITE,
    .name = "sqlite",
    .open = lite_open,
    .close = lite_close,
    .stmt_new = lite_stmt_new,
    .stmt_free = lite_stmt_free,
    .stmt_reset = lite_stmt_reset,
    .stmt_params = lite_stmt_params,
    .stmt_sql = lite_stmt_sql,
    .bind_int = lite_bind_int,
    .bind_text = lite_bind_text,
    .bind_null = lite_bind_null,
    .step = lite_step,
    .col_int = lite_col_int,
    .col_text = lite_col_text,
    .col_null = lite_col_null,
    .col_count = lite_col_count,
    .release = lite_release,
    .changes = lite_changes,
    .exec = lite_exec,
    .begin = "BEGIN IMMEDIATE",
    .tx_tries = 8,
    .lock = NULL,
    .macro = lite_macro,
    .backup = lite_backup,
    .integrity_ok = lite_integrity_ok,
    /* Application tables: not SQLite's own, not FTS5 tables and their shadow tables. */
    .sql_tables = "SELECT name FROM sqlite_master t WHERE type = 'table' "
                  "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                  "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' AND NOT EXISTS ("
                  "SELECT 1 FROM sqlite_master v WHERE v.type = 'table' "
                  "AND v.sql LIKE 'CREATE VIRTUAL TABLE%' "
                  "AND substr(t.name, 1, length(v.name) + 1) = v.name || '_') ORDER BY name",
    .sql_columns = "SELECT name, CASE WHEN upper(type) LIKE '%TEXT%' OR upper(type) LIKE "
                   "'%CHAR%' OR upper(type) LIKE '%CLOB%' THEN 1 ELSE 0 END, pk, 0 "
                   "FROM pragma_table_info(?) ORDER BY cid",
    .sql_parents = "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?)",
    .binary_order = "",
    .search_sql = lite_search_sql,
    .search_query = lite_search_query,
};
