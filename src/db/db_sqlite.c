/*
 * SQLite backend of db.h. Each connection runs in WAL mode with foreign keys on and a busy
 * timeout, keeps its prepared statements in a small hash table keyed by the address of the SQL
 * text, and counts its transactions for /metrics. Write transactions begin IMMEDIATE so that two
 * writers never deadlock on a lock upgrade; SQLITE_BUSY that survives the busy timeout is mapped to
 * NOABER_E_DB_BUSY and noaber_db_tx() reruns the transaction.
 */
#include "db/db.h"

#include "base/arena.h"
#include "base/assets.h"
#include "base/log.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CACHE_SLOTS 512
#define TX_TRIES    8

struct noaber_stmt {
    sqlite3_stmt *s;
    const char *key; /* the caller's SQL pointer */
    struct noaber_stmt *next;
};

struct noaber_db {
    sqlite3 *conn;
    int in_tx;
    struct noaber_stmt *cache[CACHE_SLOTS];
};

static atomic_ullong st_commits, st_retries, st_failures, st_queries;

static enum noaber_err
map_rc(struct noaber_db *db, int rc)
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
        noaber_error("sqlite: %s (%d)", sqlite3_errmsg(db->conn), rc);
        return NOABER_E_DB;
    }
}

enum noaber_err
noaber_db_open(const char *target, struct noaber_db **out)
{
    static const char *const pragmas = "PRAGMA journal_mode=WAL;"
                                       "PRAGMA synchronous=NORMAL;"
                                       "PRAGMA foreign_keys=ON;"
                                       "PRAGMA temp_store=MEMORY;";
    *out = NULL;
    struct noaber_db *db = calloc(1, sizeof *db);
    if (!db)
        return NOABER_E_INTERNAL;
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
    *out = db;
    return NOABER_OK;
}

void
noaber_db_close(struct noaber_db *db)
{
    if (!db)
        return;
    for (int i = 0; i < CACHE_SLOTS; i++) {
        for (struct noaber_stmt *s = db->cache[i], *next; s; s = next) {
            next = s->next;
            sqlite3_finalize(s->s);
            free(s);
        }
    }
    sqlite3_close(db->conn);
    free(db);
}

static enum noaber_err
prepare(struct noaber_db *db, const char *sql, struct noaber_stmt **out)
{
    unsigned slot = (unsigned)(((uintptr_t)sql >> 3) % CACHE_SLOTS);
    for (struct noaber_stmt *s = db->cache[slot]; s; s = s->next) {
        if (s->key == sql) {
            sqlite3_reset(s->s);
            sqlite3_clear_bindings(s->s);
            *out = s;
            return NOABER_OK;
        }
    }
    struct noaber_stmt *s = calloc(1, sizeof *s);
    if (!s)
        return NOABER_E_INTERNAL;
    int rc = sqlite3_prepare_v3(db->conn, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->s, NULL);
    if (rc != SQLITE_OK) {
        free(s);
        noaber_error("sqlite prepare: %s in: %s", sqlite3_errmsg(db->conn), sql);
        return map_rc(db, rc) == NOABER_E_DB_BUSY ? NOABER_E_DB_BUSY : NOABER_E_DB;
    }
    s->key = sql;
    s->next = db->cache[slot];
    db->cache[slot] = s;
    *out = s;
    return NOABER_OK;
}

static enum noaber_err
bind_va(struct noaber_db *db, struct noaber_stmt *st, const char *types, va_list ap)
{
    int n = sqlite3_bind_parameter_count(st->s), i = 0;
    if ((int)strlen(types ? types : "") != n) {
        /* Checked before any argument is read: a wrong type string is a bug, not a crash. */
        noaber_error("db: %zu bind types for %d placeholders in: %s", strlen(types ? types : ""), n,
                     sqlite3_sql(st->s));
        return NOABER_E_INTERNAL;
    }
    for (const char *t = types ? types : ""; *t; t++) {
        int rc;
        i++;
        switch (*t) {
        case 'i':
            rc = sqlite3_bind_int64(st->s, i, va_arg(ap, int64_t));
            break;
        case 'd':
            rc = sqlite3_bind_int64(st->s, i, va_arg(ap, int));
            break;
        case 'I': {
            int64_t v = va_arg(ap, int64_t);
            rc = v ? sqlite3_bind_int64(st->s, i, v) : sqlite3_bind_null(st->s, i);
            break;
        }
        case 't': {
            const char *v = va_arg(ap, const char *);
            rc = v ? sqlite3_bind_text(st->s, i, v, -1, SQLITE_TRANSIENT)
                   : sqlite3_bind_null(st->s, i);
            break;
        }
        case 'n':
            rc = sqlite3_bind_null(st->s, i);
            break;
        default:
            noaber_error("db: bad bind type '%c'", *t);
            return NOABER_E_INTERNAL;
        }
        if (rc != SQLITE_OK)
            return map_rc(db, rc);
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
    e = bind_va(db, *st, types, ap);
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
    e = bind_va(db, st, types, ap);
    va_end(ap);
    int row = 1;
    while (e == NOABER_OK && row)
        e = noaber_stmt_step(st, &row);
    sqlite3_reset(st->s);
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
    e = bind_va(db, st, types, ap);
    va_end(ap);
    int row = 0;
    if (e == NOABER_OK)
        e = noaber_stmt_step(st, &row);
    if (e == NOABER_OK && row)
        *out = sqlite3_column_int64(st->s, 0);
    sqlite3_reset(st->s);
    if (found)
        *found = row;
    else if (e == NOABER_OK && !row)
        e = NOABER_E_NOT_FOUND;
    return e;
}

int64_t
noaber_db_changes(struct noaber_db *db)
{
    return sqlite3_changes64(db->conn);
}

enum noaber_err
noaber_stmt_step(struct noaber_stmt *st, int *row)
{
    int rc = sqlite3_step(st->s);
    *row = rc == SQLITE_ROW;
    if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        return NOABER_OK;
    enum noaber_err e = map_rc(&(struct noaber_db){.conn = sqlite3_db_handle(st->s)}, rc);
    sqlite3_reset(st->s);
    return e;
}

int64_t
noaber_stmt_int(struct noaber_stmt *st, int col)
{
    return sqlite3_column_int64(st->s, col);
}

const char *
noaber_stmt_text(struct noaber_stmt *st, int col)
{
    return (const char *)sqlite3_column_text(st->s, col);
}

int
noaber_stmt_is_null(struct noaber_stmt *st, int col)
{
    return sqlite3_column_type(st->s, col) == SQLITE_NULL;
}

char *
noaber_stmt_dup(struct noaber_stmt *st, int col, struct noaber_arena *arena)
{
    const char *t = noaber_stmt_text(st, col);
    return t ? noaber_arena_strndup(arena, t, (size_t)sqlite3_column_bytes(st->s, col)) : NULL;
}

void
noaber_stmt_reset(struct noaber_stmt *st)
{
    sqlite3_reset(st->s);
}

void
noaber_db_release(struct noaber_db *db)
{
    for (sqlite3_stmt *s = sqlite3_next_stmt(db->conn, NULL); s; s = sqlite3_next_stmt(db->conn, s))
        if (sqlite3_stmt_busy(s))
            sqlite3_reset(s);
}

static enum noaber_err
exec(struct noaber_db *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db->conn, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY)
        noaber_error("sqlite: %s in: %.200s", msg ? msg : "?", sql);
    sqlite3_free(msg);
    return rc == SQLITE_OK ? NOABER_OK : map_rc(db, rc);
}

static void
backoff(int attempt)
{
    /* 1, 2, 4 … ms plus jitter, so that two retrying writers drift apart. */
    struct timespec ts = {0, (long)((1L << attempt) * 1000000L + (rand() % 1000) * 1000L)};
    nanosleep(&ts, NULL);
}

enum noaber_err
noaber_db_tx(struct noaber_db *db, noaber_tx_fn fn, void *ctx)
{
    if (db->in_tx) /* nested: run inside the outer transaction */
        return fn(db, ctx);
    enum noaber_err e = NOABER_E_DB_BUSY;
    for (int attempt = 0; attempt < TX_TRIES; attempt++) {
        if (attempt) {
            atomic_fetch_add(&st_retries, 1);
            backoff(attempt);
        }
        noaber_db_release(db); /* a pending read would pin an old snapshot */
        e = exec(db, "BEGIN IMMEDIATE");
        if (e != NOABER_OK)
            continue;
        db->in_tx = 1;
        e = fn(db, ctx);
        if (e == NOABER_OK)
            e = exec(db, "COMMIT");
        if (e != NOABER_OK)
            exec(db, "ROLLBACK");
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

/* --- migrations ------------------------------------------------------------------------------ */

static const char *const dialect[][2] = {
    {"@ID@", "INTEGER PRIMARY KEY"},
};

static char *
expand(const char *sql)
{
    size_t cap = strlen(sql) * 2 + 64, n = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    while (*sql) {
        size_t i, m = 0;
        for (i = 0; i < sizeof dialect / sizeof dialect[0]; i++) {
            m = strlen(dialect[i][0]);
            if (strncmp(sql, dialect[i][0], m) == 0)
                break;
        }
        if (i < sizeof dialect / sizeof dialect[0]) {
            size_t r = strlen(dialect[i][1]);
            if (n + r + 1 > cap) {
                char *bigger = realloc(out, cap = cap * 2 + r);
                if (!bigger) {
                    free(out);
                    return NULL;
                }
                out = bigger;
            }
            memcpy(out + n, dialect[i][1], r);
            n += r;
            sql += m;
        } else {
            if (n + 2 > cap) {
                char *bigger = realloc(out, cap *= 2);
                if (!bigger) {
                    free(out);
                    return NULL;
                }
                out = bigger;
            }
            out[n++] = *sql++;
        }
    }
    out[n] = '\0';
    return out;
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
    static const char *const sql = "SELECT max(version) FROM schema_migrations";
    if (exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                 "name TEXT NOT NULL, applied_at INTEGER NOT NULL)") != NOABER_OK)
        return -1;
    if (noaber_db_int(db, &v, &found, sql, "") != NOABER_OK)
        return -1;
    return (int)v;
}

struct apply_ctx {
    const struct noaber_asset *asset;
    int version;
};

static enum noaber_err
apply_one(struct noaber_db *db, void *vctx)
{
    struct apply_ctx *c = vctx;
    static const char *const record =
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)";
    char *sql = expand((const char *)c->asset->data);
    if (!sql)
        return NOABER_E_INTERNAL;
    enum noaber_err e = exec(db, sql);
    free(sql);
    if (e == NOABER_OK)
        e = noaber_db_run(db, record, "dti", c->version, c->asset->path, (int64_t)time(NULL));
    return e;
}

enum noaber_err
noaber_db_migrate(struct noaber_db *db, int *applied)
{
    int have = noaber_db_schema_version(db), count = 0;
    if (have < 0)
        return NOABER_E_DB;
    if (have > noaber_db_schema_latest()) {
        noaber_error("database schema %d is newer than this program (%d): upgrade noaber", have,
                     noaber_db_schema_latest());
        return NOABER_E_DB;
    }
    /* Assets are sorted by path, so migrations come in number order. */
    for (unsigned i = 0; i < noaber_assets_count; i++) {
        struct apply_ctx c = {&noaber_assets[i], migration_number(&noaber_assets[i])};
        if (c.version <= have)
            continue;
        enum noaber_err e = noaber_db_tx(db, apply_one, &c);
        if (e != NOABER_OK) {
            noaber_error("migration %s failed", c.asset->path);
            return e;
        }
        noaber_info("applied migration %s", c.asset->path);
        count++;
    }
    if (applied)
        *applied = count;
    return NOABER_OK;
}

/* --- backup, integrity ----------------------------------------------------------------------- */

enum noaber_err
noaber_db_backup(struct noaber_db *db, const char *to)
{
    sqlite3 *dst;
    if (sqlite3_open(to, &dst) != SQLITE_OK) {
        noaber_error("cannot open backup target %s: %s", to, sqlite3_errmsg(dst));
        sqlite3_close(dst);
        return NOABER_E_DB;
    }
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", db->conn, "main");
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

int
noaber_db_integrity_ok(struct noaber_db *db)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db->conn, "PRAGMA integrity_check", -1, &s, NULL) != SQLITE_OK)
        return 0;
    int ok =
        sqlite3_step(s) == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(s, 0), "ok") == 0;
    sqlite3_finalize(s);
    return ok;
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
