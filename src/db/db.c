/*
 * The engine-independent half of db.h: noaber_db_open() picks SQLite or PostgreSQL from the
 * target, and every call goes through the engine's table of functions (db_int.h). Here live what
 * both engines share: the statement cache keyed by the SQL's address, binding by type letters,
 * the transaction helper with its bounded retries and back-off, named locks and job claims,
 * migrations with their dialect macros, the pool of one connection per thread and the counters
 * for /metrics. Copying between engines is in db_copy.c, search in db_search.c.
 */
#include "db/db_int.h"

#include "base/arena.h"
#include "base/assets.h"
#include "base/log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static atomic_ullong st_commits, st_retries, st_failures, st_queries;

struct noaber_db_interned {
    struct noaber_db_interned *next;
    char sql[];
};

int
noaber_db_target_is_pg(const char *target)
{
    return target &&
           (strncmp(target, "postgresql://", 13) == 0 || strncmp(target, "postgres://", 11) == 0);
}

void
noaber_db_target_safe(const char *target, char *out, size_t n)
{
    struct noaber_buf b;
    noaber_buf_init(&b, NULL);
    const char *p = target ? target : "";
    if (noaber_db_target_is_pg(p)) {
        const char *auth = strstr(p, "://") + 3;
        size_t host_at = strcspn(auth, "/?");
        const char *at = memchr(auth, '@', host_at);
        const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
        if (colon) { /* user:password@host */
            noaber_buf_append(&b, p, (size_t)(colon + 1 - p));
            noaber_buf_puts(&b, "***");
            p = at;
        }
        while (*p) {
            const char *pw = strstr(p, "password=");
            if (!pw) {
                noaber_buf_puts(&b, p);
                break;
            }
            noaber_buf_append(&b, p, (size_t)(pw + 9 - p));
            p = pw + 9;
            if (pw[-1] == '?' || pw[-1] == '&') { /* a parameter of its own, not "xpassword=" */
                noaber_buf_puts(&b, "***");
                p += strcspn(p, "&");
            }
        }
    } else {
        noaber_buf_puts(&b, p);
    }
    snprintf(out, n, "%s", b.data ? b.data : "");
    noaber_buf_release(&b);
}

enum noaber_err
noaber_db_open(const char *target, struct noaber_db **out)
{
    const struct noaber_db_ops *ops =
        noaber_db_target_is_pg(target) ? &noaber_db_pg_ops : &noaber_db_sqlite_ops;
    *out = NULL;
    return ops->open(target, out);
}

void
noaber_db_close(struct noaber_db *db)
{
    if (!db)
        return;
    for (int i = 0; i < NOABER_DB_CACHE_SLOTS; i++) {
        for (struct noaber_stmt *s = db->cache[i], *next; s; s = next) {
            next = s->next;
            db->ops->stmt_free(s);
        }
        db->cache[i] = NULL;
    }
    for (struct noaber_db_interned *s = db->interned, *next; s; s = next) {
        next = s->next;
        free(s);
    }
    db->interned = NULL;
    db->ops->close(db);
}

enum noaber_db_engine
noaber_db_engine(struct noaber_db *db)
{
    return db->ops->engine;
}

const char *
noaber_db_engine_name(struct noaber_db *db)
{
    return db->ops->name;
}

void
noaber_db_each_stmt(struct noaber_db *db, noaber_db_each_fn fn)
{
    for (int i = 0; i < NOABER_DB_CACHE_SLOTS; i++)
        for (struct noaber_stmt *s = db->cache[i]; s; s = s->next)
            fn(s);
}

const char *
noaber_db_intern(struct noaber_db *db, const char *sql)
{
    for (struct noaber_db_interned *s = db->interned; s; s = s->next)
        if (strcmp(s->sql, sql) == 0)
            return s->sql;
    size_t n = strlen(sql);
    struct noaber_db_interned *s = malloc(sizeof *s + n + 1);
    if (!s)
        return NULL;
    memcpy(s->sql, sql, n + 1);
    s->next = db->interned;
    db->interned = s;
    return s->sql;
}

void
noaber_db_quote_ident(struct noaber_buf *b, const char *name)
{
    noaber_buf_putc(b, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            noaber_buf_putc(b, '"');
        noaber_buf_putc(b, *p);
    }
    noaber_buf_putc(b, '"');
}

/* --- statements ------------------------------------------------------------------------------ */

static enum noaber_err
prepare(struct noaber_db *db, const char *sql, struct noaber_stmt **out)
{
    unsigned slot = (unsigned)(((uintptr_t)sql >> 3) % NOABER_DB_CACHE_SLOTS);
    for (struct noaber_stmt *s = db->cache[slot]; s; s = s->next) {
        if (s->key == sql) {
            db->ops->stmt_reset(s);
            *out = s;
            return NOABER_OK;
        }
    }
    struct noaber_stmt *s = NULL;
    enum noaber_err e = db->ops->stmt_new(db, sql, &s);
    if (e != NOABER_OK)
        return e;
    s->db = db;
    s->key = sql;
    s->next = db->cache[slot];
    db->cache[slot] = s;
    *out = s;
    return NOABER_OK;
}

enum noaber_err
noaber_db_prepare(struct noaber_db *db, const char *sql, struct noaber_stmt **out)
{
    atomic_fetch_add(&st_queries, 1);
    return prepare(db, sql, out);
}

static enum noaber_err
bind_va(struct noaber_stmt *st, const char *types, va_list ap)
{
    const struct noaber_db_ops *ops = st->db->ops;
    int n = ops->stmt_params(st), i = 0;
    if ((int)strlen(types ? types : "") != n) {
        /* Checked before any argument is read: a wrong type string is a bug, not a crash. */
        noaber_error("db: %zu bind types for %d placeholders in: %s", strlen(types ? types : ""), n,
                     ops->stmt_sql(st));
        return NOABER_E_INTERNAL;
    }
    for (const char *t = types ? types : ""; *t; t++) {
        enum noaber_err e;
        i++;
        switch (*t) {
        case 'i':
            e = ops->bind_int(st, i, va_arg(ap, int64_t));
            break;
        case 'd':
            e = ops->bind_int(st, i, va_arg(ap, int));
            break;
        case 'I': {
            int64_t v = va_arg(ap, int64_t);
            e = v ? ops->bind_int(st, i, v) : ops->bind_null(st, i);
            break;
        }
        case 't':
            e = ops->bind_text(st, i, va_arg(ap, const char *));
            break;
        case 'n':
            e = ops->bind_null(st, i);
            break;
        default:
            noaber_error("db: bad bind type '%c'", *t);
            return NOABER_E_INTERNAL;
        }
        if (e != NOABER_OK)
            return e;
    }
    return NOABER_OK;
}

enum noaber_err
noaber_db_query(struct noaber_db *db, struct noaber_stmt **st, const char *sql, const char *types,
                ...)
{
    enum noaber_err e = prepare(db, sql, st);
    if (e != NOABER_OK)
        return e;
    atomic_fetch_add(&st_queries, 1);
    va_list ap;
    va_start(ap, types);
    e = bind_va(*st, types, ap);
    va_end(ap);
    return e;
}

enum noaber_err
noaber_db_run(struct noaber_db *db, const char *sql, const char *types, ...)
{
    struct noaber_stmt *st;
    enum noaber_err e = prepare(db, sql, &st);
    if (e != NOABER_OK)
        return e;
    atomic_fetch_add(&st_queries, 1);
    va_list ap;
    va_start(ap, types);
    e = bind_va(st, types, ap);
    va_end(ap);
    int row = 1;
    while (e == NOABER_OK && row)
        e = db->ops->step(st, &row);
    db->ops->stmt_reset(st);
    return e;
}

enum noaber_err
noaber_db_int(struct noaber_db *db, int64_t *out, int *found, const char *sql, const char *types,
              ...)
{
    struct noaber_stmt *st;
    enum noaber_err e = prepare(db, sql, &st);
    if (e != NOABER_OK)
        return e;
    atomic_fetch_add(&st_queries, 1);
    va_list ap;
    va_start(ap, types);
    e = bind_va(st, types, ap);
    va_end(ap);
    int row = 0;
    if (e == NOABER_OK)
        e = db->ops->step(st, &row);
    if (e == NOABER_OK && row)
        *out = db->ops->col_int(st, 0);
    db->ops->stmt_reset(st);
    if (found)
        *found = row;
    else if (e == NOABER_OK && !row)
        e = NOABER_E_NOT_FOUND;
    return e;
}

int64_t
noaber_db_changes(struct noaber_db *db)
{
    return db->ops->changes(db);
}

enum noaber_err
noaber_stmt_step(struct noaber_stmt *st, int *row)
{
    return st->db->ops->step(st, row);
}

int64_t
noaber_stmt_int(struct noaber_stmt *st, int col)
{
    return st->db->ops->col_int(st, col);
}

const char *
noaber_stmt_text(struct noaber_stmt *st, int col)
{
    return st->db->ops->col_text(st, col, NULL);
}

int
noaber_stmt_is_null(struct noaber_stmt *st, int col)
{
    return st->db->ops->col_null(st, col);
}

char *
noaber_stmt_dup(struct noaber_stmt *st, int col, struct noaber_arena *arena)
{
    size_t n = 0;
    const char *t = st->db->ops->col_text(st, col, &n);
    return t ? noaber_arena_strndup(arena, t, n) : NULL;
}

const char *
noaber_stmt_str(struct noaber_stmt *st, int col, struct noaber_arena *arena)
{
    const char *s = noaber_stmt_dup(st, col, arena);
    return s ? s : "";
}

void
noaber_stmt_reset(struct noaber_stmt *st)
{
    st->db->ops->stmt_reset(st);
}

void
noaber_db_release(struct noaber_db *db)
{
    db->ops->release(db);
}

/* --- transactions ---------------------------------------------------------------------------- */

static void
backoff(int attempt)
{
    /* 1, 2, 4 … ms (at most 64) plus jitter of as much again, so that retrying writers drift
     * apart instead of colliding in step. */
    long base = 1L << (attempt < 6 ? attempt : 6);
    long us = base * 1000L + (rand() % (int)(base * 1000L));
    struct timespec ts = {us / 1000000L, (us % 1000000L) * 1000L};
    nanosleep(&ts, NULL);
}

enum noaber_err
noaber_db_tx(struct noaber_db *db, noaber_tx_fn fn, void *ctx)
{
    if (db->in_tx) /* nested: run inside the outer transaction */
        return fn(db, ctx);
    enum noaber_err e = NOABER_E_DB_BUSY;
    for (int attempt = 0; attempt < db->ops->tx_tries; attempt++) {
        if (attempt) {
            atomic_fetch_add(&st_retries, 1);
            backoff(attempt);
        }
        noaber_db_release(db); /* a pending read would pin an old snapshot */
        e = db->ops->exec(db, db->ops->begin);
        if (e != NOABER_OK)
            continue;
        db->in_tx = 1;
        e = fn(db, ctx);
        if (e == NOABER_OK)
            e = db->ops->exec(db, "COMMIT");
        if (e != NOABER_OK)
            db->ops->exec(db, "ROLLBACK");
        db->in_tx = 0;
        if (e != NOABER_E_DB_BUSY)
            break;
    }
    atomic_fetch_add(e == NOABER_OK ? &st_commits : &st_failures, 1);
    return e;
}

int
noaber_db_in_tx(struct noaber_db *db)
{
    return db->in_tx;
}

enum noaber_err
noaber_db_lock(struct noaber_db *db, const char *name)
{
    return db->ops->lock ? db->ops->lock(db, name, 1) : NOABER_OK;
}

enum noaber_err
noaber_db_unlock(struct noaber_db *db, const char *name)
{
    return db->ops->lock ? db->ops->lock(db, name, 0) : NOABER_OK;
}

struct job_ctx {
    const char *key, *period;
    int mine;
};

static enum noaber_err
job_tx(struct noaber_db *db, void *vctx)
{
    struct job_ctx *c = vctx;
    /* One statement decides: it writes the period only where it is not there yet. PostgreSQL
     * makes a second process wait for the first one's row and then finds the value equal; on
     * SQLite writers take turns anyway. The advisory lock (PostgreSQL) keeps the claim and the
     * caller's later work on the same name from interleaving with another claim. */
    static const char sql[] = "INSERT INTO settings (key, value) VALUES (?, ?) "
                              "ON CONFLICT (key) DO UPDATE SET value = excluded.value "
                              "WHERE settings.value <> excluded.value";
    static const char lock[] = "SELECT pg_advisory_xact_lock(hashtextextended("
                               "CAST(? AS TEXT) || current_schema(), 0))";
    enum noaber_err e = NOABER_OK;
    if (db->ops->engine == NOABER_DB_PG) {
        struct noaber_stmt *st;
        int row = 0;
        e = noaber_db_query(db, &st, lock, "t", c->key);
        if (e == NOABER_OK)
            e = noaber_stmt_step(st, &row);
        noaber_stmt_reset(st);
    }
    if (e == NOABER_OK)
        e = noaber_db_run(db, sql, "tt", c->key, c->period);
    c->mine = e == NOABER_OK && noaber_db_changes(db) > 0;
    return e;
}

enum noaber_err
noaber_db_job_claim(struct noaber_db *db, const char *name, const char *period, int *mine)
{
    char key[160];
    snprintf(key, sizeof key, "job:%s", name);
    struct job_ctx c = {key, period, 0};
    enum noaber_err e = noaber_db_tx(db, job_tx, &c);
    *mine = e == NOABER_OK && c.mine;
    return e;
}

/* --- migrations and dialect macros ----------------------------------------------------------- */

/* Expands the dialect macros of SQL: @NAME@ or @NAME(args)@ where the engine knows NAME; any
 * other '@' is copied as it is. The result is on the heap (NULL when out of memory). */
static char *
expand(const struct noaber_db_ops *ops, const char *sql)
{
    struct noaber_buf b;
    noaber_buf_init(&b, NULL);
    const char *p = sql;
    while (*p) {
        if (*p == '@') {
            const char *name = p + 1, *q = name;
            while ((*q >= 'A' && *q <= 'Z') || *q == '_')
                q++;
            const char *args = NULL, *args_end = NULL, *end = NULL;
            if (q > name && *q == '(') {
                args = q + 1;
                args_end = strchr(args, ')');
                if (args_end && args_end[1] == '@')
                    end = args_end + 2;
            } else if (q > name && *q == '@') {
                end = q + 1;
            }
            if (end) {
                char nm[32], av[512];
                size_t nl = (size_t)(q - name), al = args ? (size_t)(args_end - args) : 0;
                if (nl < sizeof nm && al < sizeof av) {
                    memcpy(nm, name, nl);
                    nm[nl] = '\0';
                    memcpy(av, args ? args : "", al);
                    av[al] = '\0';
                    if (ops->macro(nm, av, &b)) {
                        p = end;
                        continue;
                    }
                }
            }
        }
        noaber_buf_putc(&b, *p++);
    }
    if (b.failed) {
        noaber_buf_release(&b);
        return NULL;
    }
    return b.data
               ? b.data
               : noaber_xstrdup(""); /* noaber_buf without arena: the data is plain heap memory */
}

enum noaber_err
noaber_db_exec(struct noaber_db *db, const char *sql)
{
    char *x = expand(db->ops, sql);
    if (!x)
        return NOABER_E_INTERNAL;
    enum noaber_err e = db->ops->exec(db, x);
    free(x);
    return e;
}

static int
migration_number(const struct noaber_asset *a)
{
    const char *prefix = "src/db/migrations/";
    if (strncmp(a->path, prefix, strlen(prefix)) != 0)
        return 0;
    return atoi(a->path + strlen(prefix));
}

int
noaber_db_schema_latest(void)
{
    int latest = 0;
    for (unsigned i = 0; i < noaber_assets_count; i++) {
        int v = migration_number(&noaber_assets[i]);
        if (v > latest)
            latest = v;
    }
    return latest;
}

int
noaber_db_schema_version(struct noaber_db *db)
{
    int64_t v = 0;
    int found = 0;
    static const char *const sql = "SELECT COALESCE(max(version), 0) FROM schema_migrations";
    if (db->ops->exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY "
                          "KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)") != NOABER_OK)
        return -1;
    if (noaber_db_int(db, &v, &found, sql, "") != NOABER_OK)
        return -1;
    return (int)v;
}

struct apply_ctx {
    const struct noaber_asset *asset;
    int version, skipped;
};

static enum noaber_err
apply_one(struct noaber_db *db, void *vctx)
{
    struct apply_ctx *c = vctx;
    static const char *const done = "SELECT count(*) FROM schema_migrations WHERE version = ?";
    static const char *const record =
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)";
    /* Another process may have applied it since we looked (SQLite, where the lock is a no-op). */
    int64_t n = 0;
    enum noaber_err e = noaber_db_int(db, &n, NULL, done, "d", c->version);
    if (e != NOABER_OK || (c->skipped = n > 0))
        return e;
    e = noaber_db_exec(db, (const char *)c->asset->data);
    if (e == NOABER_OK)
        e = noaber_db_run(db, record, "dti", c->version, c->asset->path, (int64_t)time(NULL));
    return e;
}

static enum noaber_err
migrate_locked(struct noaber_db *db, int *applied)
{
    int have = noaber_db_schema_version(db), count = 0;
    if (have < 0)
        return NOABER_E_DB;
    if (have > noaber_db_schema_latest()) {
        noaber_error("database schema %d is newer than this program (%d): upgrade noaber", have,
                     noaber_db_schema_latest());
        return NOABER_E_DB;
    }
    /* Assets are sorted by path, so migrations come in number order. Every migration not yet
     * recorded is applied, also one numbered below the highest applied: branches that land in
     * another order than they were numbered must not leave a gap (apply_one skips what is
     * recorded, cheaply). */
    for (unsigned i = 0; i < noaber_assets_count; i++) {
        struct apply_ctx c = {&noaber_assets[i], migration_number(&noaber_assets[i]), 0};
        if (c.version == 0)
            continue;
        enum noaber_err e = noaber_db_tx(db, apply_one, &c);
        if (e != NOABER_OK) {
            noaber_error("migration %s failed", c.asset->path);
            return e;
        }
        if (!c.skipped) {
            noaber_info("applied migration %s", c.asset->path);
            count++;
        }
    }
    if (applied)
        *applied = count;
    return NOABER_OK;
}

enum noaber_err
noaber_db_migrate(struct noaber_db *db, int *applied)
{
    if (applied)
        *applied = 0;
    enum noaber_err e = noaber_db_lock(db, "migrate");
    if (e != NOABER_OK)
        return e;
    e = migrate_locked(db, applied);
    enum noaber_err u = noaber_db_unlock(db, "migrate");
    return e != NOABER_OK ? e : u;
}

/* --- backup, integrity, statistics ----------------------------------------------------------- */

enum noaber_err
noaber_db_backup(struct noaber_db *db, const char *to)
{
    return db->ops->backup(db, to);
}

int
noaber_db_integrity_ok(struct noaber_db *db)
{
    return db->ops->integrity_ok(db);
}

void
noaber_db_stats(struct noaber_db_stats *out)
{
    out->tx_commits = atomic_load(&st_commits);
    out->tx_retries = atomic_load(&st_retries);
    out->tx_failures = atomic_load(&st_failures);
    out->queries = atomic_load(&st_queries);
}

/* --- one connection per thread --------------------------------------------------------------- */

struct noaber_dbpool {
    char *target;
    pthread_key_t key;
    pthread_mutex_t lock;
    struct noaber_db **all;
    size_t n, cap;
};

struct noaber_dbpool *
noaber_dbpool_new(const char *target)
{
    struct noaber_dbpool *p = noaber_xcalloc(1, sizeof *p);
    p->target = noaber_xstrdup(target);
    pthread_key_create(&p->key, NULL);
    pthread_mutex_init(&p->lock, NULL);
    return p;
}

struct noaber_db *
noaber_dbpool_get(struct noaber_dbpool *p)
{
    struct noaber_db *db = pthread_getspecific(p->key);
    if (db)
        return db;
    if (noaber_db_open(p->target, &db) != NOABER_OK)
        return NULL;
    pthread_setspecific(p->key, db);
    pthread_mutex_lock(&p->lock);
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 16;
        p->all = noaber_xrealloc(p->all, p->cap * sizeof *p->all);
    }
    p->all[p->n++] = db;
    pthread_mutex_unlock(&p->lock);
    return db;
}

void
noaber_dbpool_free(struct noaber_dbpool *p)
{
    if (!p)
        return;
    /* Called after every worker thread has stopped. */
    for (size_t i = 0; i < p->n; i++)
        noaber_db_close(p->all[i]);
    pthread_key_delete(p->key);
    pthread_mutex_destroy(&p->lock);
    free(p->all);
    free(p->target);
    free(p);
}
