/*
 * noaber_db_copy() of db.h: moves a whole installation from one database to another, SQLite to
 * PostgreSQL or back (or between two of the same kind). The tables and their columns come from
 * the source's catalog (the engines' catalog queries are in their ops), the target is refused
 * when any of its tables holds a row, then migrated to the same schema (what its migrations
 * wrote, their own records included, is replaced by the source's rows). Tables are copied parents
 * first (the order follows the foreign keys; a table that refers to itself, like
 * persons.created_by, is copied in id order, which puts the referred row first). The source is read
 * in one transaction, so the copy is one consistent moment even if something writes meanwhile, and
 * the target is written in one transaction that commits only after its counts and checksums equal
 * the source's. Every value travels as text: both engines store it back in the column's type.
 *
 * The checksum of a table is SHA-256 over its rows in primary-key order (text keys compared byte
 * by byte on both engines), each row its columns as text separated by tabs and ended by a
 * newline, with NULL written as \N and backslash, tab and newline escaped.
 */
#include "db/db_int.h"

#include "base/arena.h"
#include "base/log.h"
#include "base/util.h"

#include <sodium.h>
#include <string.h>

#define MAX_TABLES  256
#define MAX_COLUMNS 128
#define MAX_PARENTS 32

struct column {
    char name[64];
    int is_text, pk, identity;
};

struct table {
    char name[64];
    struct column *cols;
    int ncols, done;
    char (*parents)[64];
    int nparents;
    int64_t rows;
    char sha[65];
};

struct copy {
    struct noaber_db *from, *to;
    struct noaber_arena *arena;
    struct table *tables;
    int ntables;
    int *order;
    noaber_copy_report_fn report;
    void *ctx;
};

static enum noaber_err
read_names(struct noaber_db *db, const char *sql, const char *arg, char (*out)[64], int max, int *n)
{
    struct noaber_stmt *st;
    enum noaber_err e =
        arg ? noaber_db_query(db, &st, sql, "t", arg) : noaber_db_query(db, &st, sql, "");
    int row = 1;
    *n = 0;
    while (e == NOABER_OK && (e = noaber_stmt_step(st, &row)) == NOABER_OK && row) {
        const char *name = noaber_stmt_text(st, 0);
        if (*n >= max || !name || strlen(name) >= 64) {
            noaber_error("copy: too many tables, columns or too long a name (%s)",
                         name ? name : "?");
            e = NOABER_E_DB;
            break;
        }
        snprintf(out[(*n)++], 64, "%s", name);
    }
    noaber_stmt_reset(st);
    return e;
}

static enum noaber_err
read_columns(struct noaber_db *db, struct table *t, struct noaber_arena *a)
{
    struct noaber_stmt *st;
    t->cols = noaber_arena_alloc(a, MAX_COLUMNS * sizeof *t->cols);
    if (!t->cols)
        return NOABER_E_TOO_LARGE;
    t->ncols = 0;
    enum noaber_err e = noaber_db_query(db, &st, db->ops->sql_columns, "t", t->name);
    int row = 1;
    while (e == NOABER_OK && (e = noaber_stmt_step(st, &row)) == NOABER_OK && row) {
        const char *name = noaber_stmt_text(st, 0);
        if (t->ncols >= MAX_COLUMNS || !name || strlen(name) >= 64) {
            e = NOABER_E_DB;
            break;
        }
        struct column *c = &t->cols[t->ncols++];
        snprintf(c->name, sizeof c->name, "%s", name);
        c->is_text = (int)noaber_stmt_int(st, 1);
        c->pk = (int)noaber_stmt_int(st, 2);
        c->identity = (int)noaber_stmt_int(st, 3);
    }
    noaber_stmt_reset(st);
    return e;
}

/* The catalog of DB: tables with columns (and, for the source, parents). */
static enum noaber_err
read_catalog(struct noaber_db *db, struct noaber_arena *a, int parents, struct table **out, int *n)
{
    char(*names)[64] = noaber_arena_alloc(a, MAX_TABLES * sizeof *names);
    if (!names)
        return NOABER_E_TOO_LARGE;
    enum noaber_err e = read_names(db, db->ops->sql_tables, NULL, names, MAX_TABLES, n);
    struct table *t = noaber_arena_alloc(a, (size_t)(*n ? *n : 1) * sizeof *t);
    if (!t)
        return NOABER_E_TOO_LARGE;
    memset(t, 0, (size_t)(*n ? *n : 1) * sizeof *t);
    for (int i = 0; e == NOABER_OK && i < *n; i++) {
        snprintf(t[i].name, sizeof t[i].name, "%s", names[i]);
        e = read_columns(db, &t[i], a);
        if (e == NOABER_OK && parents) {
            t[i].parents = noaber_arena_alloc(a, MAX_PARENTS * sizeof *t[i].parents);
            e = t[i].parents ? read_names(db, db->ops->sql_parents, t[i].name, t[i].parents,
                                          MAX_PARENTS, &t[i].nparents)
                             : NOABER_E_TOO_LARGE;
        }
    }
    *out = t;
    return e;
}

static struct table *
find(struct table *t, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(t[i].name, name) == 0)
            return &t[i];
    return NULL;
}

/* Parents before children; a reference to itself does not count. */
static enum noaber_err
order_tables(struct copy *c)
{
    c->order = noaber_arena_alloc(c->arena, (size_t)(c->ntables ? c->ntables : 1) * sizeof(int));
    if (!c->order)
        return NOABER_E_TOO_LARGE;
    for (int k = 0; k < c->ntables; k++) {
        int picked = -1;
        for (int i = 0; i < c->ntables && picked < 0; i++) {
            struct table *t = &c->tables[i];
            if (t->done)
                continue;
            int ready = 1;
            for (int p = 0; p < t->nparents && ready; p++) {
                struct table *parent = find(c->tables, c->ntables, t->parents[p]);
                ready = !parent || parent == t || parent->done;
            }
            if (ready)
                picked = i;
        }
        if (picked < 0) {
            noaber_error("copy: the foreign keys between tables form a cycle");
            return NOABER_E_DB;
        }
        c->tables[picked].done = 1;
        c->order[k] = picked;
    }
    return NOABER_OK;
}

/* SELECT of every column of T on DB, in primary-key order (all columns when it has none). */
static const char *
select_sql(struct noaber_db *db, const struct table *t)
{
    struct noaber_buf b;
    noaber_buf_init(&b, NULL);
    noaber_buf_puts(&b, "SELECT ");
    for (int i = 0; i < t->ncols; i++) {
        if (i)
            noaber_buf_puts(&b, ", ");
        noaber_db_quote_ident(&b, t->cols[i].name);
    }
    noaber_buf_puts(&b, " FROM ");
    noaber_db_quote_ident(&b, t->name);
    noaber_buf_puts(&b, " ORDER BY ");
    int keys = 0;
    for (int k = 1; k <= t->ncols; k++) {
        for (int i = 0; i < t->ncols; i++) {
            if (t->cols[i].pk != k)
                continue;
            noaber_buf_puts(&b, keys++ ? ", " : "");
            noaber_db_quote_ident(&b, t->cols[i].name);
            if (t->cols[i].is_text)
                noaber_buf_puts(&b, db->ops->binary_order);
        }
    }
    for (int i = 0; !keys && i < t->ncols; i++) {
        noaber_buf_puts(&b, i ? ", " : "");
        noaber_db_quote_ident(&b, t->cols[i].name);
        if (t->cols[i].is_text)
            noaber_buf_puts(&b, db->ops->binary_order);
    }
    const char *sql = b.data ? noaber_db_intern(db, b.data) : NULL;
    noaber_buf_release(&b);
    return sql;
}

static const char *
insert_sql(struct noaber_db *db, const struct table *t)
{
    struct noaber_buf b;
    noaber_buf_init(&b, NULL);
    noaber_buf_puts(&b, "INSERT INTO ");
    noaber_db_quote_ident(&b, t->name);
    noaber_buf_puts(&b, " (");
    for (int i = 0; i < t->ncols; i++) {
        noaber_buf_puts(&b, i ? ", " : "");
        noaber_db_quote_ident(&b, t->cols[i].name);
    }
    noaber_buf_puts(&b, ") VALUES (");
    for (int i = 0; i < t->ncols; i++)
        noaber_buf_puts(&b, i ? ", ?" : "?");
    noaber_buf_puts(&b, ")");
    const char *sql = b.data ? noaber_db_intern(db, b.data) : NULL;
    noaber_buf_release(&b);
    return sql;
}

static void
hash_row(crypto_hash_sha256_state *h, struct noaber_stmt *st, int ncols)
{
    for (int i = 0; i < ncols; i++) {
        if (i)
            crypto_hash_sha256_update(h, (const unsigned char *)"\t", 1);
        size_t n = 0;
        const char *v = st->db->ops->col_text(st, i, &n);
        if (!v || st->db->ops->col_null(st, i)) {
            crypto_hash_sha256_update(h, (const unsigned char *)"\\N", 2);
            continue;
        }
        size_t from = 0;
        for (size_t k = 0; k < n; k++) {
            const char *esc = v[k] == '\\'   ? "\\\\"
                              : v[k] == '\t' ? "\\t"
                              : v[k] == '\n' ? "\\n"
                                             : NULL;
            if (!esc)
                continue;
            crypto_hash_sha256_update(h, (const unsigned char *)v + from, k - from);
            crypto_hash_sha256_update(h, (const unsigned char *)esc, 2);
            from = k + 1;
        }
        crypto_hash_sha256_update(h, (const unsigned char *)v + from, n - from);
    }
    crypto_hash_sha256_update(h, (const unsigned char *)"\n", 1);
}

static void
hash_hex(crypto_hash_sha256_state *h, char out[65])
{
    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(h, d);
    noaber_hex(out, d, sizeof d);
}

/* Count and checksum of T on DB, read in its canonical order. */
static enum noaber_err
checksum(struct noaber_db *db, const struct table *t, int64_t *rows, char sha[65])
{
    const char *sql = select_sql(db, t);
    if (!sql)
        return NOABER_E_INTERNAL;
    struct noaber_stmt *st;
    enum noaber_err e = noaber_db_prepare(db, sql, &st);
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    *rows = 0;
    int row = 1;
    while (e == NOABER_OK && (e = db->ops->step(st, &row)) == NOABER_OK && row) {
        hash_row(&h, st, t->ncols);
        (*rows)++;
    }
    db->ops->stmt_reset(st);
    hash_hex(&h, sha);
    return e;
}

/* Copies T row by row, hashing the source's rows on the way. */
static enum noaber_err
copy_table(struct copy *c, struct table *t)
{
    const char *sel = select_sql(c->from, t), *ins = insert_sql(c->to, t);
    if (!sel || !ins)
        return NOABER_E_INTERNAL;
    const struct noaber_db_ops *fo = c->from->ops, *to = c->to->ops;
    struct noaber_stmt *src, *dst;
    enum noaber_err e = noaber_db_prepare(c->from, sel, &src);
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    t->rows = 0;
    int row = 1;
    while (e == NOABER_OK && (e = fo->step(src, &row)) == NOABER_OK && row) {
        hash_row(&h, src, t->ncols);
        e = noaber_db_prepare(c->to, ins, &dst);
        for (int i = 0; e == NOABER_OK && i < t->ncols; i++)
            e = fo->col_null(src, i) ? to->bind_null(dst, i + 1)
                                     : to->bind_text(dst, i + 1, fo->col_text(src, i, NULL));
        int more = 1;
        while (e == NOABER_OK && more)
            e = to->step(dst, &more);
        if (e == NOABER_OK)
            to->stmt_reset(dst);
        t->rows++;
    }
    fo->stmt_reset(src);
    hash_hex(&h, t->sha);
    if (e != NOABER_OK)
        noaber_error("copy: table %s failed at row %lld", t->name, (long long)t->rows);
    return e;
}

/* PostgreSQL: move each identity sequence past the highest copied id, so that the next row the
 * database numbers does not collide with a copied one. */
static enum noaber_err
set_sequences(struct noaber_db *db, const struct table *t)
{
    for (int i = 0; i < t->ncols; i++) {
        if (!t->cols[i].identity)
            continue;
        struct noaber_buf b, qt;
        noaber_buf_init(&b, NULL);
        noaber_buf_init(&qt, NULL);
        noaber_db_quote_ident(&qt, t->name);
        noaber_buf_puts(&b, "SELECT setval(pg_get_serial_sequence(CAST(? AS TEXT), CAST(? AS "
                            "TEXT)), m) FROM (SELECT max(");
        noaber_db_quote_ident(&b, t->cols[i].name);
        noaber_buf_puts(&b, ") AS m FROM ");
        noaber_db_quote_ident(&b, t->name);
        noaber_buf_puts(&b, ") x WHERE m IS NOT NULL");
        const char *sql = b.data ? noaber_db_intern(db, b.data) : NULL;
        enum noaber_err e =
            sql ? noaber_db_run(db, sql, "tt", qt.data, t->cols[i].name) : NOABER_E_INTERNAL;
        noaber_buf_release(&b);
        noaber_buf_release(&qt);
        if (e != NOABER_OK)
            return e;
    }
    return NOABER_OK;
}

static enum noaber_err
write_tx(struct noaber_db *to, void *vctx)
{
    struct copy *c = vctx;
    /* What the target's migrations wrote (their records, any seed rows) gives way to the
     * source's rows: children first. */
    enum noaber_err e = NOABER_OK;
    for (int k = c->ntables - 1; e == NOABER_OK && k >= 0; k--) {
        struct noaber_buf b;
        noaber_buf_init(&b, NULL);
        noaber_buf_puts(&b, "DELETE FROM ");
        noaber_db_quote_ident(&b, c->tables[c->order[k]].name);
        const char *sql = b.data ? noaber_db_intern(to, b.data) : NULL;
        noaber_buf_release(&b);
        e = sql ? noaber_db_run(to, sql, "") : NOABER_E_INTERNAL;
    }
    for (int k = 0; e == NOABER_OK && k < c->ntables; k++)
        e = copy_table(c, &c->tables[c->order[k]]);
    for (int k = 0; e == NOABER_OK && k < c->ntables; k++) {
        struct table *t = &c->tables[c->order[k]];
        int64_t rows = 0;
        char sha[65];
        e = checksum(to, t, &rows, sha);
        if (e == NOABER_OK && (rows != t->rows || strcmp(sha, t->sha) != 0)) {
            noaber_error("copy: table %s differs after copying: %lld rows (sha256 %s) in the "
                         "source, %lld (sha256 %s) in the target",
                         t->name, (long long)t->rows, t->sha, (long long)rows, sha);
            e = NOABER_E_DB;
        }
        if (e == NOABER_OK && to->ops->engine == NOABER_DB_PG)
            e = set_sequences(to, t);
    }
    return e;
}

static enum noaber_err
read_tx(struct noaber_db *from, void *vctx)
{
    struct copy *c = vctx;
    (void)from;
    return noaber_db_tx(c->to, write_tx, c);
}

/* Refuses a target with a row in any table (its migration records aside). */
static enum noaber_err
check_empty(struct noaber_db *to, struct noaber_arena *a)
{
    struct table *t = NULL;
    int n = 0;
    enum noaber_err e = read_catalog(to, a, 0, &t, &n);
    for (int i = 0; e == NOABER_OK && i < n; i++) {
        if (strcmp(t[i].name, "schema_migrations") == 0)
            continue;
        struct noaber_buf b;
        noaber_buf_init(&b, NULL);
        noaber_buf_puts(&b, "SELECT count(*) FROM (SELECT 1 FROM ");
        noaber_db_quote_ident(&b, t[i].name);
        noaber_buf_puts(&b, " LIMIT 1) x");
        const char *sql = b.data ? noaber_db_intern(to, b.data) : NULL;
        noaber_buf_release(&b);
        int64_t rows = 0;
        e = sql ? noaber_db_int(to, &rows, NULL, sql, "") : NOABER_E_INTERNAL;
        if (e == NOABER_OK && rows > 0) {
            noaber_error("copy: the target is not empty (table %s has rows)", t[i].name);
            e = NOABER_E_NOT_EMPTY;
        }
    }
    return e;
}

/* The target's tables and columns must be the source's; its identity columns are noted. */
static enum noaber_err
check_same_schema(struct copy *c)
{
    struct table *t = NULL;
    int n = 0;
    enum noaber_err e = read_catalog(c->to, c->arena, 0, &t, &n);
    for (int i = 0; e == NOABER_OK && i < c->ntables; i++) {
        struct table *s = &c->tables[i];
        const struct table *d = find(t, n, s->name);
        if (!d) {
            noaber_error("copy: the target has no table %s", s->name);
            return NOABER_E_DB;
        }
        for (int k = 0; k < s->ncols; k++) {
            int found = 0;
            for (int j = 0; j < d->ncols && !found; j++) {
                found = strcmp(d->cols[j].name, s->cols[k].name) == 0;
                if (found) /* which sequences to move is the target's business */
                    s->cols[k].identity = d->cols[j].identity;
            }
            if (!found) {
                noaber_error("copy: the target's table %s has no column %s", s->name,
                             s->cols[k].name);
                return NOABER_E_DB;
            }
        }
    }
    return e;
}

enum noaber_err
noaber_db_copy(struct noaber_db *from, struct noaber_db *to, noaber_copy_report_fn report,
               void *ctx)
{
    struct copy c = {from, to, noaber_arena_new(0), NULL, 0, NULL, report, ctx};
    enum noaber_err e = NOABER_OK;
    int version = noaber_db_schema_version(from);
    if (version != noaber_db_schema_latest()) {
        noaber_error("copy: the source is at schema version %d, this program at %d: run noaber "
                     "migrate on the source first (or use the matching noaber)",
                     version, noaber_db_schema_latest());
        e = NOABER_E_DB;
    }
    if (e == NOABER_OK)
        e = check_empty(to, c.arena);
    if (e == NOABER_OK)
        e = noaber_db_migrate(to, NULL);
    if (e == NOABER_OK)
        e = read_catalog(from, c.arena, 1, &c.tables, &c.ntables);
    if (e == NOABER_OK)
        e = check_same_schema(&c);
    if (e == NOABER_OK)
        e = order_tables(&c);
    if (e == NOABER_OK)
        e = noaber_db_tx(from, read_tx, &c);
    for (int k = 0; e == NOABER_OK && report && k < c.ntables; k++) {
        const struct table *t = &c.tables[c.order[k]];
        report(t->name, t->rows, t->sha, ctx);
    }
    noaber_arena_free(c.arena);
    return e;
}
