/*
 * PostgreSQL engine of db.h over libpq (see db_int.h for the table db.c calls). A store's SQL is
 * the same text as on SQLite: its `?` placeholders become $1, $2 ... once, when the statement is
 * first seen on a connection, and it is prepared under a name of its own (PQprepare) and cached by
 * the address of the SQL like on SQLite. Every value is sent as text and PostgreSQL infers the
 * parameter types from the statement; results come back as text, whole (a store's queries are
 * bounded by LIMIT), and noaber_stmt_int() reads booleans as 1 and 0.
 *
 * Write transactions are SERIALIZABLE; a serialisation failure (40001), a deadlock (40P01) or a
 * lock that could not be had (55P03) is NOABER_E_DB_BUSY, which noaber_db_tx() answers by running
 * the transaction again, and a constraint violation (class 23) is NOABER_E_CONFLICT. A connection
 * that broke is re-established on the next error, and its statements are prepared again. Named
 * locks are session advisory locks keyed by a hash of the name and the schema. Notices (for
 * example "relation already exists, skipping") are not logged.
 */
#include "db/db_int.h"

#include "base/arena.h"
#include "base/log.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BOOLOID 16

struct pg_db {
    struct noaber_db base;
    PGconn *conn;
    int64_t changes;
    unsigned next_id;
    int active; /* statements holding a result */
};

struct pg_stmt {
    struct noaber_stmt base;
    char name[24];
    char *sql; /* with $n placeholders */
    int nparams, prepared;
    long *offs;          /* per parameter: offset of its text in buf, -1 for NULL */
    const char **values; /* filled from offs when run */
    char *buf;
    size_t len, cap;
    PGresult *res;
    int row, nrows;
};

#define PGDB(db) ((struct pg_db *)(db))
#define PGST(st) ((struct pg_stmt *)(st))
#define CONN(db) (PGDB(db)->conn)

static void
quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static void
forget_prepared(struct noaber_stmt *st)
{
    PGST(st)->prepared = 0;
}

/* Maps a failed result to a code; re-establishes a connection that broke. */
static enum noaber_err
pg_error(struct noaber_db *db, const PGresult *res, const char *sql)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (PQstatus(CONN(db)) == CONNECTION_BAD) {
        noaber_error("postgresql: connection lost (%s); reconnecting", PQerrorMessage(CONN(db)));
        PQreset(CONN(db));
        noaber_db_each_stmt(db, forget_prepared);
        return NOABER_E_DB;
    }
    if (state &&
        (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0))
        return NOABER_E_DB_BUSY;
    if (state && strncmp(state, "23", 2) == 0)
        return NOABER_E_CONFLICT;
    const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(CONN(db));
    int len = (int)strlen(msg);
    while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
        len--;
    noaber_error("postgresql: %.*s (SQLSTATE %s) in: %.300s", len, msg, state ? state : "?", sql);
    return NOABER_E_DB;
}

static enum noaber_err
pg_open(const char *target, struct noaber_db **out)
{
    /* The URL comes last so that what it says (its own connect_timeout, say) wins. */
    static const char *const keys[] = {"fallback_application_name", "connect_timeout", "dbname",
                                       NULL};
    const char *values[] = {"noaber", "10", target, NULL};
    struct pg_db *db = calloc(1, sizeof *db);
    if (!db)
        return NOABER_E_INTERNAL;
    db->base.ops = &noaber_db_pg_ops;
    db->conn = PQconnectdbParams(keys, values, 1);
    if (!db->conn || PQstatus(db->conn) != CONNECTION_OK) {
        const char *msg = db->conn ? PQerrorMessage(db->conn) : "out of memory";
        int len = (int)strlen(msg);
        while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
            len--;
        noaber_error("cannot connect to PostgreSQL: %.*s", len, msg);
        PQfinish(db->conn);
        free(db);
        return NOABER_E_DB;
    }
    PQsetNoticeProcessor(db->conn, quiet, NULL);
    *out = &db->base;
    return NOABER_OK;
}

static void
pg_close(struct noaber_db *db)
{
    PQfinish(CONN(db));
    free(db);
}

/* SQL with `?` numbered $1, $2 ... for libpq; a `?` inside a quoted string, a quoted name or a
 * comment stays as it is. *N gets the count. */
static char *
number_placeholders(const char *sql, int *n)
{
    struct noaber_buf b;
    noaber_buf_init(&b, NULL);
    *n = 0;
    for (const char *p = sql; *p; p++) {
        if (*p == '\'' || *p == '"') { /* '' and "" inside restart the same kind of quote */
            const char *end = strchr(p + 1, *p);
            size_t len = end ? (size_t)(end - p) + 1 : strlen(p);
            noaber_buf_append(&b, p, len);
            p += len - 1;
        } else if (p[0] == '-' && p[1] == '-') {
            size_t len = strcspn(p, "\n");
            noaber_buf_append(&b, p, len);
            p += len - 1;
        } else if (*p == '?') {
            noaber_buf_printf(&b, "$%d", ++*n);
        } else {
            noaber_buf_putc(&b, *p);
        }
    }
    return b.data ? b.data : noaber_xstrdup("");
}

static enum noaber_err
do_prepare(struct pg_stmt *s)
{
    PGresult *res = PQprepare(CONN(s->base.db), s->name, s->sql, s->nparams, NULL);
    enum noaber_err e = NOABER_OK;
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        e = pg_error(s->base.db, res, s->sql);
    else
        s->prepared = 1;
    PQclear(res);
    return e;
}

static void
clear_result(struct pg_stmt *s)
{
    if (s->res) {
        PQclear(s->res);
        s->res = NULL;
        PGDB(s->base.db)->active--;
    }
}

static void
pg_stmt_free(struct noaber_stmt *st)
{
    struct pg_stmt *s = PGST(st);
    clear_result(s);
    free(s->sql);
    free(s->offs);
    free(s->values);
    free(s->buf);
    free(s);
}

static void
pg_stmt_reset(struct noaber_stmt *st)
{
    struct pg_stmt *s = PGST(st);
    clear_result(s);
    s->len = 0;
    for (int i = 0; i < s->nparams; i++)
        s->offs[i] = -1;
}

static enum noaber_err
pg_stmt_new(struct noaber_db *db, const char *sql, struct noaber_stmt **out)
{
    struct pg_stmt *s = calloc(1, sizeof *s);
    if (!s)
        return NOABER_E_INTERNAL;
    s->base.db = db;
    s->sql = number_placeholders(sql, &s->nparams);
    s->offs = calloc((size_t)s->nparams + 1, sizeof *s->offs);
    s->values = calloc((size_t)s->nparams + 1, sizeof *s->values);
    if (!s->offs || !s->values) {
        pg_stmt_free(&s->base);
        return NOABER_E_INTERNAL;
    }
    snprintf(s->name, sizeof s->name, "n%u", ++PGDB(db)->next_id);
    enum noaber_err e = do_prepare(s);
    if (e != NOABER_OK) {
        pg_stmt_free(&s->base);
        return e;
    }
    pg_stmt_reset(&s->base);
    *out = &s->base;
    return NOABER_OK;
}

static int
pg_stmt_params(struct noaber_stmt *st)
{
    return PGST(st)->nparams;
}

static const char *
pg_stmt_sql(struct noaber_stmt *st)
{
    return PGST(st)->sql;
}

static enum noaber_err
put(struct pg_stmt *s, int i, const char *v, size_t n)
{
    if (i < 1 || i > s->nparams)
        return NOABER_E_INTERNAL;
    if (s->len + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 128;
        while (cap < s->len + n + 1)
            cap *= 2;
        s->buf = noaber_xrealloc(s->buf, cap);
        s->cap = cap;
    }
    memcpy(s->buf + s->len, v, n);
    s->buf[s->len + n] = '\0';
    s->offs[i - 1] = (long)s->len;
    s->len += n + 1;
    return NOABER_OK;
}

static enum noaber_err
pg_bind_int(struct noaber_stmt *st, int i, int64_t v)
{
    char num[24];
    int n = snprintf(num, sizeof num, "%lld", (long long)v);
    return put(PGST(st), i, num, (size_t)n);
}

static enum noaber_err
pg_bind_text(struct noaber_stmt *st, int i, const char *v)
{
    if (!v) {
        PGST(st)->offs[i - 1] = -1;
        return NOABER_OK;
    }
    return put(PGST(st), i, v, strlen(v));
}

static enum noaber_err
pg_bind_null(struct noaber_stmt *st, int i)
{
    PGST(st)->offs[i - 1] = -1;
    return NOABER_OK;
}

static int
counts_changes(const char *status)
{
    return strncmp(status, "INSERT", 6) == 0 || strncmp(status, "UPDATE", 6) == 0 ||
           strncmp(status, "DELETE", 6) == 0 || strncmp(status, "MERGE", 5) == 0;
}

static enum noaber_err
pg_step(struct noaber_stmt *st, int *row)
{
    struct pg_stmt *s = PGST(st);
    struct pg_db *db = PGDB(st->db);
    *row = 0;
    if (!s->res) {
        if (!s->prepared) {
            enum noaber_err e = do_prepare(s);
            if (e != NOABER_OK)
                return e;
        }
        for (int i = 0; i < s->nparams; i++)
            s->values[i] = s->offs[i] < 0 ? NULL : s->buf + s->offs[i];
        PGresult *res = PQexecPrepared(db->conn, s->name, s->nparams, s->values, NULL, NULL, 0);
        ExecStatusType status = PQresultStatus(res);
        if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
            enum noaber_err e = pg_error(st->db, res, s->sql);
            PQclear(res);
            return e;
        }
        if (counts_changes(PQcmdStatus(res)))
            db->changes = strtoll(PQcmdTuples(res), NULL, 10);
        s->res = res;
        s->row = -1;
        s->nrows = PQntuples(res);
        db->active++;
    }
    if (s->row < s->nrows)
        s->row++;
    *row = s->row < s->nrows;
    return NOABER_OK;
}

static int
on_row(const struct pg_stmt *s, int col)
{
    return s->res && s->row >= 0 && s->row < s->nrows && col >= 0 && col < PQnfields(s->res);
}

static int64_t
pg_col_int(struct noaber_stmt *st, int col)
{
    struct pg_stmt *s = PGST(st);
    if (!on_row(s, col) || PQgetisnull(s->res, s->row, col))
        return 0;
    const char *v = PQgetvalue(s->res, s->row, col);
    if (PQftype(s->res, col) == BOOLOID)
        return v[0] == 't';
    return strtoll(v, NULL, 10);
}

static const char *
pg_col_text(struct noaber_stmt *st, int col, size_t *len)
{
    struct pg_stmt *s = PGST(st);
    if (len)
        *len = 0;
    if (!on_row(s, col) || PQgetisnull(s->res, s->row, col))
        return NULL;
    const char *v = PQgetvalue(s->res, s->row, col);
    if (PQftype(s->res, col) == BOOLOID) /* as SQLite would give it: 1 or 0 */
        v = v[0] == 't' ? "1" : "0";
    if (len)
        *len = strlen(v);
    return v;
}

static int
pg_col_null(struct noaber_stmt *st, int col)
{
    struct pg_stmt *s = PGST(st);
    return !on_row(s, col) || PQgetisnull(s->res, s->row, col);
}

static int
pg_col_count(struct noaber_stmt *st)
{
    return PGST(st)->res ? PQnfields(PGST(st)->res) : 0;
}

static void
release_one(struct noaber_stmt *st)
{
    clear_result(PGST(st));
}

static void
pg_release(struct noaber_db *db)
{
    if (PGDB(db)->active > 0)
        noaber_db_each_stmt(db, release_one);
}

static int64_t
pg_changes(struct noaber_db *db)
{
    return PGDB(db)->changes;
}

static enum noaber_err
pg_exec(struct noaber_db *db, const char *sql)
{
    PGresult *res = PQexec(CONN(db), sql);
    ExecStatusType status = PQresultStatus(res);
    enum noaber_err e = NOABER_OK;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        e = pg_error(db, res, sql);
    PQclear(res);
    return e;
}

static enum noaber_err
pg_lock(struct noaber_db *db, const char *name, int take)
{
    static const char lock[] = "SELECT pg_advisory_lock(hashtextextended("
                               "CAST(? AS TEXT) || current_schema(), 0))";
    static const char unlock[] = "SELECT pg_advisory_unlock(hashtextextended("
                                 "CAST(? AS TEXT) || current_schema(), 0))";
    char key[160];
    snprintf(key, sizeof key, "noaber:%s:", name);
    struct noaber_stmt *st;
    int row = 0;
    enum noaber_err e = noaber_db_query(db, &st, take ? lock : unlock, "t", key);
    if (e == NOABER_OK)
        e = noaber_stmt_step(st, &row);
    noaber_stmt_reset(st);
    return e;
}

/* --- dialect --------------------------------------------------------------------------------- */

/* The document of a search index: its columns joined by spaces, in the configuration noaber_nl.
 * The index and the search must spell it the same way for the index to be used. */
static void
tsvector(char cols[][64], size_t from, size_t n, struct noaber_buf *out)
{
    noaber_buf_puts(out, "to_tsvector('noaber_nl'::regconfig, ");
    for (size_t i = from; i < n; i++) {
        noaber_buf_puts(out, i > from ? " || ' ' || coalesce(" : "coalesce(");
        noaber_db_quote_ident(out, cols[i]);
        noaber_buf_puts(out, ", '')");
    }
    noaber_buf_puts(out, ")");
}

/* The configuration noaber_nl: Dutch stemming after unaccent, made once per schema. The
 * extension's dictionary is found in whatever schema the extension lives in. */
static const char search_config[] =
    "CREATE EXTENSION IF NOT EXISTS unaccent;\n"
    "DO $noaber$ DECLARE s text; BEGIN\n"
    "  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'noaber_nl'\n"
    "                 AND cfgnamespace = to_regnamespace(current_schema())::oid) THEN\n"
    "    SELECT n.nspname INTO s FROM pg_ts_dict d JOIN pg_namespace n ON n.oid = "
    "d.dictnamespace\n"
    "      WHERE d.dictname = 'unaccent' LIMIT 1;\n"
    "    CREATE TEXT SEARCH CONFIGURATION noaber_nl (COPY = pg_catalog.dutch);\n"
    "    EXECUTE format('ALTER TEXT SEARCH CONFIGURATION noaber_nl ALTER MAPPING FOR "
    "asciihword, asciiword, hword_asciipart, hword, hword_part, word WITH %I.unaccent, "
    "dutch_stem', s);\n"
    "  END IF;\n"
    "END $noaber$;\n";

static int
pg_macro(const char *name, const char *args, struct noaber_buf *out)
{
    if (strcmp(name, "ID") == 0) {
        noaber_buf_puts(out, "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY");
        return 1;
    }
    if (strcmp(name, "SEARCH_INDEX") == 0) {
        char cols[18][64], idx[80];
        size_t n = noaber_db_search_columns(args, cols, 18);
        if (n < 3) {
            noaber_buf_puts(out, "SELECT raise_search_index_needs_table_key_and_columns()");
            return 1;
        }
        snprintf(idx, sizeof idx, "%s_fts", cols[0]);
        noaber_buf_puts(out, search_config);
        noaber_buf_puts(out, "CREATE INDEX ");
        noaber_db_quote_ident(out, idx);
        noaber_buf_puts(out, " ON ");
        noaber_db_quote_ident(out, cols[0]);
        noaber_buf_puts(out, " USING GIN ((");
        tsvector(cols, 2, n, out);
        noaber_buf_puts(out, "))");
        return 1;
    }
    return 0;
}

static void
pg_search_sql(const struct noaber_search_index *idx, struct noaber_buf *out)
{
    char cols[16][64];
    size_t n = noaber_db_search_columns(idx->columns, cols, 16);
    noaber_buf_puts(out, "SELECT ");
    noaber_db_quote_ident(out, idx->key);
    noaber_buf_puts(out, " FROM ");
    noaber_db_quote_ident(out, idx->table);
    noaber_buf_puts(out, ", to_tsquery('noaber_nl'::regconfig, ?) q WHERE ");
    tsvector(cols, 0, n, out);
    noaber_buf_puts(out, " @@ q ORDER BY ts_rank(");
    tsvector(cols, 0, n, out);
    noaber_buf_puts(out, ", q) DESC, ");
    noaber_db_quote_ident(out, idx->key);
    noaber_buf_puts(out, " LIMIT ?");
}

/* Each word as a quoted prefix: 'fiets':* & 'cafe':* . Words hold only letters and digits, so
 * no quote can end a lexeme early. */
static void
pg_search_query(const char *const *words, size_t n, struct noaber_buf *out)
{
    for (size_t i = 0; i < n; i++)
        noaber_buf_printf(out, "%s'%s':*", i ? " & " : "", words[i]);
}

/* --- backup, integrity ----------------------------------------------------------------------- */

static enum noaber_err
pg_backup(struct noaber_db *db, const char *to)
{
    (void)db;
    (void)to;
    noaber_error("backup: this is a PostgreSQL database; back it up with pg_dump (and WAL "
                 "archiving), see docs/operations.md");
    return NOABER_E_DB;
}

static int
pg_integrity_ok(struct noaber_db *db)
{
    return PQstatus(CONN(db)) == CONNECTION_OK && pg_exec(db, "SELECT 1") == NOABER_OK;
}

/* --- the table ------------------------------------------------------------------------------- */

#define IN_SCHEMA "relnamespace = to_regnamespace(current_schema())::oid"

const struct noaber_db_ops noaber_db_pg_ops = {
    .engine = NOABER_DB_PG,
    .name = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .stmt_new = pg_stmt_new,
    .stmt_free = pg_stmt_free,
    .stmt_reset = pg_stmt_reset,
    .stmt_params = pg_stmt_params,
    .stmt_sql = pg_stmt_sql,
    .bind_int = pg_bind_int,
    .bind_text = pg_bind_text,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .col_int = pg_col_int,
    .col_text = pg_col_text,
    .col_null = pg_col_null,
    .col_count = pg_col_count,
    .release = pg_release,
    .changes = pg_changes,
    .exec = pg_exec,
    .begin = "BEGIN ISOLATION LEVEL SERIALIZABLE",
    /* Serialisation failures come in bursts under contention: more tries than SQLite needs. */
    .tx_tries = 20,
    .lock = pg_lock,
    .macro = pg_macro,
    .backup = pg_backup,
    .integrity_ok = pg_integrity_ok,
    .sql_tables = "SELECT relname FROM pg_class WHERE relkind IN ('r', 'p') AND " IN_SCHEMA
                  " ORDER BY relname",
    .sql_columns =
        "SELECT a.attname, CASE WHEN t.typcategory = 'S' THEN 1 ELSE 0 END, "
        "COALESCE((SELECT k.n FROM pg_index i, unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) "
        "WHERE i.indrelid = a.attrelid AND i.indisprimary AND k.attnum = a.attnum), 0), "
        "CASE WHEN a.attidentity <> '' THEN 1 ELSE 0 END "
        "FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
        "WHERE a.attrelid = (SELECT oid FROM pg_class WHERE relname = ? AND " IN_SCHEMA ") "
        "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
    .sql_parents = "SELECT DISTINCT p.relname FROM pg_constraint k "
                   "JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid "
                   "WHERE k.contype = 'f' AND c.relname = ? AND c." IN_SCHEMA,
    .binary_order = " COLLATE \"C\"",
    .search_sql = pg_search_sql,
    .search_query = pg_search_query,
};
