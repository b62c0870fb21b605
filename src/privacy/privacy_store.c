/*
 * All SQL of the privacy module. Export, erasure and the retention clean-up are schema-driven:
 * their statements are built here, once per process, from the compiled-in declarations
 * (privacy_modules.c), and from nothing else. Every identifier in them -- table, column, link
 * target -- comes from those declarations and is checked to be a plain identifier
 * ([a-z_][a-z0-9_]*) before any statement is built; the only literals are the links' fixed
 * prefixes ("login:", checked to be [a-z0-9_:-]) and ''. Nothing a request sends ever becomes
 * SQL text: the person's id, the pseudonym and the clean-up's cut-off time are always bound. The
 * few fixed statements (the access log, the secret, the person's state) are `static const char`
 * strings as in every store.
 *
 * Which rows are a person's is one condition per table: its REFERENCE columns hold the person's
 * id, or a link's column holds a value from the person's rows of another table (privacy.h). The
 * condition follows links into other tables' conditions, never straight back to the table it came
 * from and at most three deep, so messages and deliveries, which find each other, end. The id is
 * bound once, as a one-row common table expression `me`, which SQLite and PostgreSQL both run:
 *   WITH me (id) AS (SELECT CAST(? AS BIGINT)) SELECT ... FROM deliveries WHERE
 *     message_row IN (SELECT s1.id FROM messages s1 WHERE s1.id IS NOT NULL AND
 *                     (s1.person_id IN (SELECT id FROM me)))
 *     OR to_address IN (SELECT s1.email FROM persons s1 WHERE ... (s1.id IN (SELECT id FROM me)))
 *
 * The db layer caches prepared statements by the address of their SQL text, so the built strings
 * are made once and kept for the life of the process (they stay reachable through `sqls`).
 */
#include "privacy/privacy_int.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/log.h"
#include "db/db.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 3

struct table_sql {
    char *own;     /* export: the person's rows (NULL: the table has none) */
    char *acted;   /* export: rows where the person acted (NULL: no ACTOR column) */
    char **actors; /* erasure step 1: one UPDATE per ACTOR column */
    size_t nactors;
    char **refs; /* erasure step 2 (PSEUDONYMISE tables): one UPDATE per REFERENCE column */
    size_t nrefs;
    char *del;        /* erasure step 3 (DELETE tables with a person's rows) */
    char **retention; /* clean-up: one DELETE per rule */
    size_t nretention;
    size_t ncols;
};

static struct table_sql *sqls;
static pthread_once_t sqls_once = PTHREAD_ONCE_INIT;
static enum noaber_err sqls_state = NOABER_E_INTERNAL;

int
privacy_identifier_ok(const char *s)
{
    if (!s || !*s || strlen(s) > 63 || !((*s >= 'a' && *s <= 'z') || *s == '_'))
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

static char *
take(struct noaber_buf *b)
{
    /* A heap buffer never fails (the allocator aborts on out-of-memory). */
    char *s = b->data ? b->data : noaber_xstrdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return s;
}

/* Appends the condition "this row (of T, named ALIAS, or unqualified when ALIAS is NULL) belongs
 * to the person in `me`", or nothing when T has no way to belong to one. FROM is the table the
 * condition was reached from, whose links back are not followed. Returns the number of parts. */
static int
cond(struct noaber_buf *b, const struct privacy_table *t, const char *alias, int depth,
     const char *from)
{
    int parts = 0;
    const char *q = alias ? alias : "", *dot = alias ? "." : "";
    for (const struct privacy_column *c = t->columns; c->name; c++) {
        if (c->kind != PRIVACY_REFERENCE)
            continue;
        noaber_buf_printf(b, "%s%s%s%s IN (SELECT id FROM me)", parts++ ? " OR " : "", q, dot,
                          c->name);
    }
    for (const struct privacy_link *l = t->links; l && l->column; l++) {
        const struct privacy_table *target = privacy_table_find(l->table);
        if (!target || depth >= MAX_DEPTH || (from && strcmp(l->table, from) == 0))
            continue;
        char sub[16];
        snprintf(sub, sizeof sub, "s%d", depth + 1);
        struct noaber_buf inner;
        noaber_buf_init(&inner, NULL);
        int n = cond(&inner, target, sub, depth + 1, t->table);
        if (n) {
            noaber_buf_printf(b, "%s%s%s%s IN (SELECT ", parts++ ? " OR " : "", q, dot, l->column);
            if (l->prefix)
                noaber_buf_printf(b, "'%s' || ", l->prefix);
            noaber_buf_printf(b, "%s.%s FROM %s %s WHERE %s.%s IS NOT NULL AND (%s))", sub, l->key,
                              l->table, sub, sub, l->key, noaber_buf_str(&inner));
        }
        noaber_buf_release(&inner);
    }
    return parts;
}

static const char with_me[] = "WITH me (id) AS (SELECT CAST(? AS BIGINT)) ";

static void
select_list(struct noaber_buf *b, const struct privacy_table *t, int acted)
{
    int first = 1;
    for (const struct privacy_column *c = t->columns; c->name; c++) {
        if (acted && !privacy_export_shown_when_acted(c))
            continue;
        noaber_buf_puts(b, first ? "" : ", ");
        first = 0;
        /* A secret never leaves the database: the export says only whether there is one. */
        if (c->kind == PRIVACY_SECRET)
            noaber_buf_printf(b, "CASE WHEN %s IS NULL THEN NULL ELSE '' END", c->name);
        else
            noaber_buf_puts(b, c->name);
    }
}

static void
build_export(struct table_sql *s, const struct privacy_table *t)
{
    struct noaber_buf b, where;
    noaber_buf_init(&b, NULL);
    noaber_buf_init(&where, NULL);
    int owned = cond(&where, t, NULL, 0, NULL);
    if (owned) {
        noaber_buf_puts(&b, with_me);
        noaber_buf_puts(&b, "SELECT ");
        select_list(&b, t, 0);
        noaber_buf_printf(&b, " FROM %s WHERE %s ORDER BY 1", t->table, noaber_buf_str(&where));
        s->own = take(&b);
    }
    int actors = 0;
    for (const struct privacy_column *c = t->columns; c->name; c++)
        actors += c->kind == PRIVACY_ACTOR;
    if (actors) {
        noaber_buf_puts(&b, with_me);
        noaber_buf_puts(&b, "SELECT ");
        select_list(&b, t, 1);
        noaber_buf_printf(&b, " FROM %s WHERE (", t->table);
        int k = 0;
        for (const struct privacy_column *c = t->columns; c->name; c++)
            if (c->kind == PRIVACY_ACTOR)
                noaber_buf_printf(&b, "%s%s IN (SELECT id FROM me)", k++ ? " OR " : "", c->name);
        noaber_buf_puts(&b, ")");
        /* CASE, not NOT: a condition that is NULL (an IN over a NULL) counts as "not theirs". */
        if (owned)
            noaber_buf_printf(&b, " AND CASE WHEN (%s) THEN 0 ELSE 1 END = 1",
                              noaber_buf_str(&where));
        noaber_buf_puts(&b, " ORDER BY 1");
        s->acted = take(&b);
    }
    if (owned && t->erase == PRIVACY_ERASE_DELETE) {
        noaber_buf_printf(&b, "%sDELETE FROM %s WHERE %s", with_me, t->table,
                          noaber_buf_str(&where));
        s->del = take(&b);
    }
    noaber_buf_release(&b);
    noaber_buf_release(&where);
}

static void
build_erase(struct table_sql *s, const struct privacy_table *t)
{
    int retained = t->erase == PRIVACY_ERASE_PSEUDONYMISE;
    size_t n = 0;
    for (const struct privacy_column *c = t->columns; c->name; c++)
        n++;
    s->actors = noaber_xcalloc(n ? n : 1, sizeof *s->actors);
    s->refs = noaber_xcalloc(n ? n : 1, sizeof *s->refs);
    struct noaber_buf b;
    noaber_buf_init(&b, NULL);
    for (const struct privacy_column *c = t->columns; c->name; c++) {
        char pseudo[80];
        if (c->kind != PRIVACY_ACTOR && (c->kind != PRIVACY_REFERENCE || !retained))
            continue;
        if (privacy_pseudonym_column(c->name, pseudo, sizeof pseudo) != 0)
            continue; /* privacy_check_declarations() reports it */
        noaber_buf_printf(&b, "UPDATE %s SET %s = NULL", t->table, c->name);
        if (retained)
            noaber_buf_printf(&b, ", %s = ?", pseudo);
        if (c->kind == PRIVACY_REFERENCE) {
            /* The row was about the person: what described them goes, the record of the act
             * stays. */
            for (const struct privacy_column *p = t->columns; p->name; p++)
                if (p->kind == PRIVACY_PERSONAL || p->kind == PRIVACY_SPECIAL)
                    noaber_buf_printf(&b, ", %s = ''", p->name);
        }
        noaber_buf_printf(&b, " WHERE %s = ?", c->name);
        if (c->kind == PRIVACY_ACTOR)
            s->actors[s->nactors++] = take(&b);
        else
            s->refs[s->nrefs++] = take(&b);
    }
    noaber_buf_release(&b);
}

static void
build_retention(struct table_sql *s, const struct privacy_table *t)
{
    size_t n = t->retention_column ? 1 : 0;
    for (const struct privacy_rule *r = t->rules; r && r->column; r++)
        n++;
    s->retention = noaber_xcalloc(n ? n : 1, sizeof *s->retention);
    struct noaber_buf b;
    noaber_buf_init(&b, NULL);
    if (t->retention_column) {
        noaber_buf_printf(&b, "DELETE FROM %s WHERE %s < ?", t->table, t->retention_column);
        s->retention[s->nretention++] = take(&b);
    }
    for (const struct privacy_rule *r = t->rules; r && r->column; r++) {
        noaber_buf_printf(&b, "DELETE FROM %s WHERE %s < ?", t->table, r->column);
        if (r->if_null)
            noaber_buf_printf(&b, " AND %s IS NULL", r->if_null);
        s->retention[s->nretention++] = take(&b);
    }
    noaber_buf_release(&b);
}

static void
build_all(void)
{
    struct noaber_buf problems;
    noaber_buf_init(&problems, NULL);
    if (privacy_check_declarations(&problems) != 0) {
        noaber_error("privacy declarations are broken:\n%s", noaber_buf_str(&problems));
        noaber_buf_release(&problems);
        return;
    }
    noaber_buf_release(&problems);
    size_t n = privacy_table_count();
    struct table_sql *all = noaber_xcalloc(n ? n : 1, sizeof *all);
    for (size_t i = 0; i < n; i++) {
        const struct privacy_table *t = privacy_table_at(i);
        for (const struct privacy_column *c = t->columns; c->name; c++)
            all[i].ncols++;
        build_export(&all[i], t);
        build_erase(&all[i], t);
        build_retention(&all[i], t);
    }
    sqls = all;
    sqls_state = NOABER_OK;
}

enum noaber_err
privacy_store_init(void)
{
    pthread_once(&sqls_once, build_all);
    return sqls_state;
}

/* --- export ---------------------------------------------------------------------------------- */

/* Reads every row of ST (NCOLS columns) onto A. When SHOWN is not NULL, the statement returns
 * only the columns i with SHOWN[i]; the others are NULL in the rows handed back. */
static enum noaber_err
collect(struct noaber_stmt *st, size_t ncols, const int *shown, const char ****rows, size_t *n,
        struct noaber_arena *a)
{
    size_t cap = 8;
    const char ***out = noaber_arena_alloc(a, cap * sizeof *out);
    enum noaber_err e = out ? NOABER_OK : NOABER_E_TOO_LARGE;
    *n = 0;
    int row = 1;
    while (e == NOABER_OK && (e = noaber_stmt_step(st, &row)) == NOABER_OK && row) {
        if (*n == cap) {
            out = noaber_arena_realloc(a, out, cap * sizeof *out, 2 * cap * sizeof *out);
            cap *= 2;
        }
        const char **vals = noaber_arena_alloc(a, ncols * sizeof *vals);
        if (!out || !vals) {
            e = NOABER_E_TOO_LARGE;
            break;
        }
        for (size_t c = 0, k = 0; c < ncols; c++)
            if (!shown || shown[c])
                vals[c] = noaber_stmt_dup(st, (int)k++, a);
        out[(*n)++] = vals;
    }
    noaber_stmt_reset(st);
    if (e == NOABER_OK && noaber_arena_overflowed(a))
        e = NOABER_E_TOO_LARGE;
    *rows = e == NOABER_OK ? out : NULL;
    if (e != NOABER_OK)
        *n = 0;
    return e;
}

enum noaber_err
privacy_store_own_rows(struct noaber_db *db, size_t table, int64_t person, const char ****rows,
                       size_t *n, struct noaber_arena *a)
{
    *rows = NULL;
    *n = 0;
    enum noaber_err e = privacy_store_init();
    if (e != NOABER_OK || !sqls[table].own)
        return e;
    struct noaber_stmt *st;
    e = noaber_db_query(db, &st, sqls[table].own, "i", person);
    return e == NOABER_OK ? collect(st, sqls[table].ncols, NULL, rows, n, a) : e;
}

enum noaber_err
privacy_store_acted_rows(struct noaber_db *db, size_t table, int64_t person, const char ****rows,
                         size_t *n, struct noaber_arena *a)
{
    *rows = NULL;
    *n = 0;
    enum noaber_err e = privacy_store_init();
    if (e != NOABER_OK || !sqls[table].acted)
        return e;
    const struct privacy_table *t = privacy_table_at(table);
    int *shown = noaber_arena_alloc(a, sqls[table].ncols * sizeof *shown);
    if (!shown)
        return NOABER_E_TOO_LARGE;
    for (size_t c = 0; c < sqls[table].ncols; c++)
        shown[c] = privacy_export_shown_when_acted(&t->columns[c]);
    struct noaber_stmt *st;
    e = noaber_db_query(db, &st, sqls[table].acted, "i", person);
    return e == NOABER_OK ? collect(st, sqls[table].ncols, shown, rows, n, a) : e;
}

/* --- erasure --------------------------------------------------------------------------------- */

enum noaber_err
privacy_store_erase_actors(struct noaber_db *db, size_t table, int64_t person,
                           const char *pseudonym, int64_t *changed)
{
    enum noaber_err e = privacy_store_init();
    int retained = privacy_table_at(table)->erase == PRIVACY_ERASE_PSEUDONYMISE;
    for (size_t k = 0; e == NOABER_OK && k < sqls[table].nactors; k++) {
        e = retained ? noaber_db_run(db, sqls[table].actors[k], "ti", pseudonym, person)
                     : noaber_db_run(db, sqls[table].actors[k], "i", person);
        if (e == NOABER_OK)
            *changed += noaber_db_changes(db);
    }
    return e;
}

enum noaber_err
privacy_store_erase_references(struct noaber_db *db, size_t table, int64_t person,
                               const char *pseudonym, int64_t *changed)
{
    enum noaber_err e = privacy_store_init();
    for (size_t k = 0; e == NOABER_OK && k < sqls[table].nrefs; k++) {
        e = noaber_db_run(db, sqls[table].refs[k], "ti", pseudonym, person);
        if (e == NOABER_OK)
            *changed += noaber_db_changes(db);
    }
    return e;
}

enum noaber_err
privacy_store_erase_rows(struct noaber_db *db, size_t table, int64_t person, int64_t *changed)
{
    enum noaber_err e = privacy_store_init();
    if (e != NOABER_OK || !sqls[table].del)
        return e;
    e = noaber_db_run(db, sqls[table].del, "i", person);
    if (e == NOABER_OK)
        *changed += noaber_db_changes(db);
    return e;
}

/* --- retention ------------------------------------------------------------------------------- */

size_t
privacy_store_rule_count(size_t table)
{
    return privacy_store_init() == NOABER_OK ? sqls[table].nretention : 0;
}

enum noaber_err
privacy_store_retention(struct noaber_db *db, size_t table, size_t rule, int64_t now,
                        int64_t *deleted)
{
    *deleted = 0;
    enum noaber_err e = privacy_store_init();
    if (e != NOABER_OK || rule >= sqls[table].nretention)
        return e;
    const struct privacy_table *t = privacy_table_at(table);
    int64_t seconds = t->retention_seconds;
    if (!t->retention_column || rule > 0)
        seconds = t->rules[t->retention_column ? rule - 1 : rule].seconds;
    e = noaber_db_run(db, sqls[table].retention[rule], "i", now - seconds);
    if (e == NOABER_OK)
        *deleted = noaber_db_changes(db);
    return e;
}

/* --- the person, the secret ------------------------------------------------------------------ */

static const char sql_person[] =
    "SELECT created_at, password_hash, is_admin, "
    "(SELECT count(*) FROM persons o WHERE o.is_admin = 1 AND o.id <> ?) FROM persons WHERE id = ?";
static const char sql_secret[] = "SELECT value FROM settings WHERE key = ?";

enum noaber_err
privacy_store_person(struct noaber_db *db, int64_t person, struct privacy_person_state *out,
                     int *found, struct noaber_arena *a)
{
    struct noaber_stmt *st;
    *found = 0;
    memset(out, 0, sizeof *out);
    enum noaber_err e = noaber_db_query(db, &st, sql_person, "ii", person, person);
    if (e == NOABER_OK)
        e = noaber_stmt_step(st, found);
    if (e == NOABER_OK && *found) {
        out->created_at = noaber_stmt_int(st, 0);
        out->has_password = !noaber_stmt_is_null(st, 1);
        out->password_hash = out->has_password ? noaber_stmt_dup(st, 1, a) : NULL;
        out->is_admin = noaber_stmt_int(st, 2) != 0;
        out->other_admins = noaber_stmt_int(st, 3);
        if (out->has_password && !out->password_hash)
            e = NOABER_E_TOO_LARGE;
    }
    noaber_stmt_reset(st);
    return e;
}

enum noaber_err
privacy_store_secret(struct noaber_db *db, char **hex, struct noaber_arena *a)
{
    struct noaber_stmt *st;
    int row = 0;
    *hex = NULL;
    enum noaber_err e = noaber_db_query(db, &st, sql_secret, "t", "secret");
    if (e == NOABER_OK)
        e = noaber_stmt_step(st, &row);
    if (e == NOABER_OK && row && !(*hex = noaber_stmt_dup(st, 0, a)))
        e = NOABER_E_TOO_LARGE;
    noaber_stmt_reset(st);
    return e;
}

/* --- the access log -------------------------------------------------------------------------- */

static const char sql_access_add[] =
    "INSERT INTO access_log (at, viewer_id, person_id, what) VALUES (?, ?, ?, ?)";
static const char sql_access_count[] = "SELECT count(*) FROM access_log WHERE person_id = ?";
static const char sql_access_list[] =
    "SELECT a.id, a.at, COALESCE(a.viewer_id, 0), COALESCE(p.display_name, a.viewer_pseudonym), "
    "a.what FROM access_log a LEFT JOIN persons p ON p.id = a.viewer_id WHERE a.person_id = ? "
    "ORDER BY a.at DESC, a.id DESC LIMIT ? OFFSET ?";

enum noaber_err
privacy_store_access_add(struct noaber_db *db, int64_t at, int64_t viewer, int64_t person,
                         const char *what)
{
    return noaber_db_run(db, sql_access_add, "iIIt", at, viewer, person, what);
}

enum noaber_err
privacy_store_access_list(struct noaber_db *db, int64_t person, int64_t offset, int64_t limit,
                          struct privacy_access **rows, size_t *n, int64_t *total,
                          struct noaber_arena *a)
{
    *rows = NULL;
    *n = 0;
    enum noaber_err e = noaber_db_int(db, total, NULL, sql_access_count, "i", person);
    struct noaber_stmt *st;
    if (e == NOABER_OK)
        e = noaber_db_query(db, &st, sql_access_list, "iii", person, limit, offset);
    if (e != NOABER_OK)
        return e;
    struct privacy_access *out = noaber_arena_alloc(a, (size_t)limit * sizeof *out);
    if (!out) {
        noaber_stmt_reset(st);
        return NOABER_E_TOO_LARGE;
    }
    int row = 1;
    while ((int64_t)*n < limit && (e = noaber_stmt_step(st, &row)) == NOABER_OK && row) {
        struct privacy_access *x = &out[(*n)++];
        x->id = noaber_stmt_int(st, 0);
        x->at = noaber_stmt_int(st, 1);
        x->viewer_id = noaber_stmt_int(st, 2);
        x->viewer = noaber_stmt_dup(st, 3, a);
        x->what = noaber_stmt_dup(st, 4, a);
    }
    noaber_stmt_reset(st);
    if (e == NOABER_OK && noaber_arena_overflowed(a))
        e = NOABER_E_TOO_LARGE;
    *rows = out;
    return e;
}
