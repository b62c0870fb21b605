/*
 * The storage layer on either engine: on SQLite as unit_db_test_engines, and on the test
 * PostgreSQL cluster as unit_db_test_engines_pg (NOABER_TEST_PG set, see tests/pg/). The same
 * assertions hold on both: migrations run once when six connections start at once, binding and
 * types (booleans read as 1/0, NULL ids, a `?` in a string literal), conflicts, rollback, a stock
 * of 50 places taken exactly 50 times by 8 threads with read-then-write transactions, a one-time
 * login code redeemed exactly once by 8 threads, a daily job claimed once, named locks,
 * full-text search (accents, case, prefixes, updates and deletes, hostile syntax), and copying a
 * whole installation SQLite -> this engine -> SQLite with equal checksums, sequences past the
 * copied ids, and a non-empty target refused.
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

#include "../../pg/pg_test.h"
#include "base/arena.h"
#include "base/config.h"
#include "base/util.h"
#include "db/db.h"
#include "members/members.h"

struct fx {
    char *target;
    struct noaber_db *db;
};

static int
setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    f->target = t_db_new("engines");
    if (!f->target || noaber_db_open(f->target, &f->db) != NOABER_OK)
        return -1;
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fx *f = *state;
    noaber_db_close(f->db);
    t_db_drop(f->target);
    free(f);
    return 0;
}

static int64_t
one(struct noaber_db *db, const char *sql)
{
    int64_t v = -1;
    assert_int_equal(noaber_db_int(db, &v, NULL, sql, ""), NOABER_OK);
    return v;
}

static void
test_engine(void **state)
{
    struct fx *f = *state;
    assert_int_equal(noaber_db_engine(f->db), t_pg_base() ? NOABER_DB_PG : NOABER_DB_SQLITE);
    assert_int_equal(noaber_db_target_is_pg("postgres://x/y"), 1);
    assert_int_equal(noaber_db_target_is_pg("/var/lib/noaber/postgresql.db"), 0);
    assert_true(noaber_db_integrity_ok(f->db));
    char safe[256];
    noaber_db_target_safe("postgresql://noaber:geheim@db.example.nl:5432/noaber?sslmode=require",
                          safe, sizeof safe);
    assert_string_equal(safe, "postgresql://noaber:***@db.example.nl:5432/noaber?sslmode=require");
    noaber_db_target_safe("postgresql://noaber@/x?host=/tmp/s&password=geheim", safe, sizeof safe);
    assert_null(strstr(safe, "geheim"));
    noaber_db_target_safe("/var/lib/noaber/noaber.db", safe, sizeof safe);
    assert_string_equal(safe, "/var/lib/noaber/noaber.db");
    if (t_pg_base()) /* pg_dump is the tool there, and the message says so */
        assert_int_equal(noaber_db_backup(f->db, "/tmp/never-written.db"), NOABER_E_DB);
}

/* --- migrations ------------------------------------------------------------------------------ */

struct migrator {
    pthread_t t;
    const char *target;
    int applied;
    enum noaber_err e;
};

static void *
migrate_one(void *arg)
{
    struct migrator *m = arg;
    struct noaber_db *db;
    m->e = noaber_db_open(m->target, &db);
    if (m->e == NOABER_OK) {
        m->e = noaber_db_migrate(db, &m->applied);
        noaber_db_close(db);
    }
    return NULL;
}

/* Six processes' worth of connections start on a fresh database at once: each migration is
 * applied once in all, every one of them succeeds. */
static void
test_migrate_at_once(void **state)
{
    struct fx *f = *state;
    struct migrator m[6];
    memset(m, 0, sizeof m);
    for (int i = 0; i < 6; i++) {
        m[i].target = f->target;
        pthread_create(&m[i].t, NULL, migrate_one, &m[i]);
    }
    int applied = 0;
    for (int i = 0; i < 6; i++) {
        pthread_join(m[i].t, NULL);
        assert_int_equal(m[i].e, NOABER_OK);
        applied += m[i].applied;
    }
    int64_t files = one(f->db, "SELECT count(*) FROM schema_migrations");
    assert_true(files >= 2);
    assert_int_equal(applied, files);
    assert_int_equal(noaber_db_schema_version(f->db), noaber_db_schema_latest());
    int again = -1;
    assert_int_equal(noaber_db_migrate(f->db, &again), NOABER_OK);
    assert_int_equal(again, 0);
}

/* --- binding, types, conflicts --------------------------------------------------------------- */

static const char fixture[] =
    "CREATE TABLE places (id @ID@, name TEXT NOT NULL UNIQUE, remaining BIGINT NOT NULL "
    "CHECK (remaining >= 0), ref BIGINT, note TEXT);\n"
    "CREATE TABLE claims (id @ID@, place_id BIGINT NOT NULL REFERENCES places(id), who TEXT "
    "NOT NULL, at BIGINT NOT NULL)";
static const char sql_place[] =
    "INSERT INTO places (name, remaining, ref, note) VALUES (?, ?, ?, ?) RETURNING id";

static int64_t
add_place(struct noaber_db *db, const char *name, int64_t remaining)
{
    int64_t id = 0;
    assert_int_equal(noaber_db_int(db, &id, NULL, sql_place, "tiIn", name, remaining, (int64_t)0),
                     NOABER_OK);
    return id;
}

static void
test_bind(void **state)
{
    struct fx *f = *state;
    struct noaber_db *db = f->db;
    assert_int_equal(noaber_db_exec(db, fixture), NOABER_OK);
    int64_t a = add_place(db, "a", 50);
    int64_t id = 0;
    assert_int_equal(
        noaber_db_int(db, &id, NULL, sql_place, "tdIt", "b", 1, (int64_t)7, "tab\there 'q' ?"),
        NOABER_OK);
    assert_true(id > a);
    static const char sql_row[] = "SELECT name, remaining, ref, note, "
                                  "EXISTS (SELECT 1 FROM places WHERE remaining > 10), "
                                  "remaining = 1, 'a?b' FROM places WHERE id = ?";
    struct noaber_arena *ar = noaber_arena_new(0);
    struct noaber_stmt *st;
    int row = 0;
    assert_int_equal(noaber_db_query(db, &st, sql_row, "i", id), NOABER_OK);
    assert_int_equal(noaber_stmt_step(st, &row), NOABER_OK);
    assert_true(row);
    assert_string_equal(noaber_stmt_dup(st, 0, ar), "b");
    assert_int_equal(noaber_stmt_int(st, 1), 1);
    assert_int_equal(noaber_stmt_int(st, 2), 7);
    assert_string_equal(noaber_stmt_text(st, 3), "tab\there 'q' ?");
    assert_int_equal(noaber_stmt_int(st, 4), 1); /* a boolean on PostgreSQL */
    assert_int_equal(noaber_stmt_int(st, 5), 1);
    assert_string_equal(noaber_stmt_text(st, 5), "1");
    assert_string_equal(noaber_stmt_text(st, 6), "a?b");
    assert_int_equal(noaber_stmt_step(st, &row), NOABER_OK);
    assert_false(row);
    noaber_stmt_reset(st);
    assert_int_equal(noaber_db_query(db, &st, sql_row, "i", a), NOABER_OK);
    assert_int_equal(noaber_stmt_step(st, &row), NOABER_OK);
    assert_true(noaber_stmt_is_null(st, 2));
    assert_true(noaber_stmt_is_null(st, 3));
    assert_null(noaber_stmt_dup(st, 3, ar));
    assert_int_equal(noaber_stmt_int(st, 2), 0);
    assert_int_equal(noaber_stmt_int(st, 5), 0);
    noaber_stmt_reset(st);
    noaber_arena_free(ar);

    /* CAST makes a bare parameter's type known to PostgreSQL; SQLite accepts the same text. */
    static const char sql_cast[] = "SELECT CAST(? AS BIGINT) + 1";
    int64_t v = 0;
    assert_int_equal(noaber_db_int(db, &v, NULL, sql_cast, "i", (int64_t)41), NOABER_OK);
    assert_int_equal(v, 42);
    static const char sql_big[] = "SELECT remaining FROM places WHERE remaining < ? AND id = ?";
    assert_int_equal(noaber_db_int(db, &v, NULL, sql_big, "ii", (int64_t)1 << 40, a), NOABER_OK);
    assert_int_equal(v, 50);

    /* Unique, check and foreign-key violations are conflicts; the connection goes on. */
    assert_int_equal(noaber_db_int(db, &v, NULL, sql_place, "tiIn", "a", (int64_t)1, (int64_t)0),
                     NOABER_E_CONFLICT);
    assert_int_equal(noaber_db_int(db, &v, NULL, sql_place, "tiIn", "c", (int64_t)-1, (int64_t)0),
                     NOABER_E_CONFLICT);
    static const char sql_claim[] = "INSERT INTO claims (place_id, who, at) VALUES (?, ?, ?)";
    assert_int_equal(noaber_db_run(db, sql_claim, "iti", (int64_t)999, "x", (int64_t)1),
                     NOABER_E_CONFLICT);
    assert_int_equal(noaber_db_run(db, sql_claim, "iti", a, "x", (int64_t)1), NOABER_OK);
    assert_int_equal(noaber_db_changes(db), 1);
    static const char sql_dec[] = "UPDATE places SET remaining = remaining - 1 WHERE remaining > ?";
    assert_int_equal(noaber_db_run(db, sql_dec, "i", (int64_t)0), NOABER_OK);
    assert_int_equal(noaber_db_changes(db), 2);
    /* A SELECT leaves the count of the last change alone, as on SQLite. */
    assert_int_equal(one(db, "SELECT count(*) FROM places"), 2);
    assert_int_equal(noaber_db_changes(db), 2);
    /* A wrong type string is refused before any argument is read. */
    assert_int_equal(noaber_db_run(db, sql_claim, "it", a, "x"), NOABER_E_INTERNAL);
    int found = 1;
    static const char none[] = "SELECT id FROM places WHERE name = ?";
    assert_int_equal(noaber_db_int(db, &v, &found, none, "t", "nobody"), NOABER_OK);
    assert_false(found);
    assert_int_equal(noaber_db_int(db, &v, NULL, none, "t", "nobody"), NOABER_E_NOT_FOUND);
    /* Cached: the same statement many times. */
    for (int i = 0; i < 500; i++)
        assert_int_equal(noaber_db_int(db, &v, NULL, none, "t", "a"), NOABER_OK);
    assert_int_equal(v, a);
    /* A statement with an error in it is an error, not a crash. */
    static const char bad[] = "SELEKT 1";
    assert_int_equal(noaber_db_run(db, bad, ""), NOABER_E_DB);
}

static enum noaber_err
failing_tx(struct noaber_db *db, void *ctx)
{
    (void)ctx;
    add_place(db, "gone", 5);
    return NOABER_E_INVALID;
}

static enum noaber_err
conflict_tx(struct noaber_db *db, void *ctx)
{
    (void)ctx;
    add_place(db, "kept-out", 5);
    int64_t v;
    return noaber_db_int(db, &v, NULL, sql_place, "tiIn", "kept-out", (int64_t)1, (int64_t)0);
}

static void
test_rollback(void **state)
{
    struct fx *f = *state;
    assert_int_equal(noaber_db_exec(f->db, fixture), NOABER_OK);
    assert_int_equal(noaber_db_tx(f->db, failing_tx, NULL), NOABER_E_INVALID);
    assert_int_equal(noaber_db_tx(f->db, conflict_tx, NULL), NOABER_E_CONFLICT);
    assert_int_equal(one(f->db, "SELECT count(*) FROM places"), 0);
    assert_false(noaber_db_in_tx(f->db));
    add_place(f->db, "after", 1); /* the connection is usable again */
    assert_int_equal(one(f->db, "SELECT count(*) FROM places"), 1);
}

/* --- scarce things taken exactly once -------------------------------------------------------- */

struct taker {
    pthread_t t;
    const char *target;
    int64_t place;
    int taken, refused, errors, n;
};

struct take_ctx {
    int64_t place;
    const char *who;
    int got;
};

/* Read, decide, write: the way a module checks "is there a place left" before it books one. Only
 * a transaction that runs as if alone makes this safe under contention. */
static enum noaber_err
take_tx(struct noaber_db *db, void *vctx)
{
    struct take_ctx *c = vctx;
    static const char left[] = "SELECT remaining FROM places WHERE id = ?";
    static const char dec[] = "UPDATE places SET remaining = ? WHERE id = ?";
    static const char book[] = "INSERT INTO claims (place_id, who, at) VALUES (?, ?, ?)";
    int64_t n = 0;
    c->got = 0;
    enum noaber_err e = noaber_db_int(db, &n, NULL, left, "i", c->place);
    if (e != NOABER_OK || n <= 0)
        return e;
    e = noaber_db_run(db, dec, "ii", n - 1, c->place);
    if (e == NOABER_OK)
        e = noaber_db_run(db, book, "iti", c->place, c->who, noaber_now());
    c->got = e == NOABER_OK;
    return e;
}

static void *
take_many(void *arg)
{
    struct taker *t = arg;
    struct noaber_db *db;
    if (noaber_db_open(t->target, &db) != NOABER_OK) {
        t->errors++;
        return NULL;
    }
    for (int i = 0; i < t->n; i++) {
        char who[32];
        snprintf(who, sizeof who, "t%p-%d", (void *)t, i);
        struct take_ctx c = {t->place, who, 0};
        enum noaber_err e = noaber_db_tx(db, take_tx, &c);
        if (e != NOABER_OK)
            t->errors++;
        else if (c.got)
            t->taken++;
        else
            t->refused++;
    }
    noaber_db_close(db);
    return NULL;
}

static void
test_scarce_stock(void **state)
{
    struct fx *f = *state;
    assert_int_equal(noaber_db_exec(f->db, fixture), NOABER_OK);
    int64_t place = add_place(f->db, "places", 50);
    add_place(f->db, "elsewhere", 3);
    struct taker takers[8];
    memset(takers, 0, sizeof takers);
    for (int i = 0; i < 8; i++) {
        takers[i].target = f->target;
        takers[i].place = place;
        takers[i].n = 25;
        pthread_create(&takers[i].t, NULL, take_many, &takers[i]);
    }
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
    assert_int_equal(one(f->db, "SELECT count(*) FROM claims"), 50);
    assert_int_equal(one(f->db, "SELECT sum(remaining) FROM places"), 3);
    struct noaber_db_stats s;
    noaber_db_stats(&s);
    assert_true(s.tx_commits >= 200);
}

struct redeemer {
    pthread_t t;
    const char *target, *code;
    const struct noaber_config *cfg;
    int ok, bad, other;
    int64_t who;
};

static void *
redeem(void *arg)
{
    struct redeemer *r = arg;
    struct noaber_db *db;
    if (noaber_db_open(r->target, &db) != NOABER_OK) {
        r->other++;
        return NULL;
    }
    char token[65], ip[32];
    int retry = 0;
    snprintf(ip, sizeof ip, "10.1.0.%d", (int)(((uintptr_t)r >> 4) % 200));
    enum noaber_err e = members_login_code(db, r->cfg, r->code, ip, token, &r->who, &retry);
    if (e == NOABER_OK)
        r->ok++;
    else if (e == NOABER_E_BAD_CODE)
        r->bad++;
    else
        r->other++;
    noaber_db_close(db);
    return NULL;
}

/* One printed login code, typed on eight devices at the same moment: one gets in. */
static void
test_login_code_once(void **state)
{
    struct fx *f = *state;
    struct noaber_config cfg;
    noaber_config_defaults(&cfg);
    assert_int_equal(noaber_db_migrate(f->db, NULL), NOABER_OK);
    assert_int_equal(members_init(f->db), NOABER_OK);
    int64_t admin = 0, hood = 0, bep = 0;
    assert_int_equal(
        members_create_admin(f->db, "admin@example.nl", "Admin", "a good password", &admin),
        NOABER_OK);
    struct members_actor as_admin = {.person_id = admin, .is_admin = 1};
    struct members_hood_input in = {"oost", "Oost", "", ""};
    assert_int_equal(members_hood_create(f->db, &as_admin, &in, &hood), NOABER_OK);
    struct noaber_arena *ar = noaber_arena_new(0);
    struct members_hood h;
    assert_int_equal(members_hood_by_slug(f->db, &as_admin, "oost", &h, ar), NOABER_OK);
    struct members_new_member m = {"Bep", NULL, "bep.jansen", MEMBERS_R_RESIDENT, hood};
    assert_int_equal(members_add(f->db, &as_admin, &h, &m, &bep), NOABER_OK);
    h.role = MEMBERS_R_COORDINATOR;
    h.confirmed = 1;
    struct members_actor coord = {.person_id = admin};
    char code[32];
    for (int round = 0; round < 3; round++) {
        assert_int_equal(members_make_code(f->db, &coord, &h, bep, code), NOABER_OK);
        struct redeemer r[8];
        memset(r, 0, sizeof r);
        for (int i = 0; i < 8; i++) {
            r[i].target = f->target;
            r[i].code = code;
            r[i].cfg = &cfg;
            pthread_create(&r[i].t, NULL, redeem, &r[i]);
        }
        int ok = 0, bad = 0, other = 0;
        for (int i = 0; i < 8; i++) {
            pthread_join(r[i].t, NULL);
            ok += r[i].ok;
            bad += r[i].bad;
            other += r[i].other;
            if (r[i].ok)
                assert_int_equal(r[i].who, bep);
        }
        assert_int_equal(other, 0);
        assert_int_equal(ok, 1);
        assert_int_equal(bad, 7);
    }
    static const char sessions[] = "SELECT count(*) FROM sessions WHERE person_id = ?";
    int64_t n = 0;
    assert_int_equal(noaber_db_int(f->db, &n, NULL, sessions, "i", bep), NOABER_OK);
    assert_int_equal(n, 3);
    noaber_arena_free(ar);
}

/* --- jobs and locks -------------------------------------------------------------------------- */

struct claimer {
    pthread_t t;
    const char *target, *period;
    int mine;
    enum noaber_err e;
};

static void *
claim(void *arg)
{
    struct claimer *c = arg;
    struct noaber_db *db;
    c->e = noaber_db_open(c->target, &db);
    if (c->e == NOABER_OK) {
        c->e = noaber_db_job_claim(db, "prune", c->period, &c->mine);
        noaber_db_close(db);
    }
    return NULL;
}

static int
claim_at_once(const char *target, const char *period)
{
    struct claimer c[6];
    memset(c, 0, sizeof c);
    for (int i = 0; i < 6; i++) {
        c[i].target = target;
        c[i].period = period;
        pthread_create(&c[i].t, NULL, claim, &c[i]);
    }
    int mine = 0;
    for (int i = 0; i < 6; i++) {
        pthread_join(c[i].t, NULL);
        assert_int_equal(c[i].e, NOABER_OK);
        mine += c[i].mine;
    }
    return mine;
}

static void
test_job_claim(void **state)
{
    struct fx *f = *state;
    assert_int_equal(noaber_db_migrate(f->db, NULL), NOABER_OK);
    assert_int_equal(claim_at_once(f->target, "2027-01-15"), 1);
    assert_int_equal(claim_at_once(f->target, "2027-01-15"), 0);
    assert_int_equal(claim_at_once(f->target, "2027-01-16"), 1);
    int mine = 0;
    assert_int_equal(noaber_db_job_claim(f->db, "other", "2027-01-16", &mine), NOABER_OK);
    assert_int_equal(mine, 1);
}

struct locker {
    pthread_t t;
    const char *target;
    int64_t got_at;
};

static void *
lock_late(void *arg)
{
    struct locker *l = arg;
    struct noaber_db *db;
    if (noaber_db_open(l->target, &db) != NOABER_OK)
        return NULL;
    if (noaber_db_lock(db, "report") == NOABER_OK) {
        l->got_at = noaber_mono_ms();
        noaber_db_unlock(db, "report");
    }
    noaber_db_close(db);
    return NULL;
}

/* On PostgreSQL a second connection waits for the lock; on SQLite the lock is no wait at all. */
static void
test_lock(void **state)
{
    struct fx *f = *state;
    assert_int_equal(noaber_db_lock(f->db, "report"), NOABER_OK);
    struct locker l = {0};
    l.target = f->target;
    pthread_create(&l.t, NULL, lock_late, &l);
    usleep(300 * 1000);
    int64_t released = noaber_mono_ms();
    assert_int_equal(noaber_db_unlock(f->db, "report"), NOABER_OK);
    pthread_join(l.t, NULL);
    assert_true(l.got_at > 0);
    if (t_pg_base())
        assert_true(l.got_at >= released);
}

/* --- search ---------------------------------------------------------------------------------- */

static const char notes[] = "CREATE TABLE notes (id @ID@, title TEXT NOT NULL, body TEXT);\n"
                            "@SEARCH_INDEX(notes, id, title, body)@;\n";
static const struct noaber_search_index notes_idx = {"notes", "id", "title, body"};

static size_t
search(struct noaber_db *db, const char *q, int64_t *keys)
{
    size_t n = 99;
    assert_int_equal(noaber_db_search(db, &notes_idx, q, keys, 10, &n), NOABER_OK);
    return n;
}

static void
test_search(void **state)
{
    struct fx *f = *state;
    struct noaber_db *db = f->db;
    static const char add[] = "INSERT INTO notes (title, body) VALUES (?, ?) RETURNING id";
    /* One row before the index exists: the index takes in what is already there. */
    assert_int_equal(noaber_db_exec(db, "CREATE TABLE notes (id @ID@, title TEXT NOT NULL, "
                                        "body TEXT)"),
                     NOABER_OK);
    int64_t cafe, fiets, taal, leeg, k[10];
    assert_int_equal(noaber_db_int(db, &cafe, NULL, add, "tt", "Café de Buren",
                                   "Koffie op zaterdag in het buurthuis"),
                     NOABER_OK);
    assert_int_equal(noaber_db_exec(db, "@SEARCH_INDEX(notes, id, title, body)@"), NOABER_OK);
    assert_int_equal(noaber_db_int(db, &fiets, NULL, add, "tt", "Fietsen repareren",
                                   "Samen fietsen maken in de schuur; fiets mee, fietsbel ook"),
                     NOABER_OK);
    assert_int_equal(noaber_db_int(db, &taal, NULL, add, "tt", "Taalcafé",
                                   "Nederlands oefenen met een fiets-vriend"),
                     NOABER_OK);
    assert_int_equal(noaber_db_int(db, &leeg, NULL, add, "tn", "Oproep zonder tekst"), NOABER_OK);

    assert_int_equal(search(db, "cafe", k), 1); /* accents and case do not matter */
    assert_int_equal(k[0], cafe);
    assert_int_equal(search(db, "CAFÉ", k), 1);
    assert_int_equal(search(db, "buurt", k), 1); /* the start of a word */
    assert_int_equal(search(db, "koffie zaterdag", k), 1);
    assert_int_equal(search(db, "koffie fiets", k), 0); /* every word must occur */
    assert_int_equal(search(db, "fiets", k), 2);        /* most mentions first */
    assert_int_equal(k[0], fiets);
    assert_int_equal(k[1], taal);
    assert_int_equal(search(db, "oproep", k), 1); /* a NULL column is no hindrance */
    assert_int_equal(k[0], leeg);
    /* Search syntax of either engine is only punctuation here. */
    const char *hostile[] = {
        "\"fiets",   "fiets*",      "fiets OR koffie", "(fiets",
        "fiets:*",   "!fiets",      "fiets & | !",     "'; DROP TABLE notes; --",
        "NEAR(a b)", "title:fiets", "-fiets",          "fiets\\",
        "^fiets"};
    for (size_t i = 0; i < sizeof hostile / sizeof *hostile; i++) {
        size_t n = 99;
        assert_int_equal(noaber_db_search(db, &notes_idx, hostile[i], k, 10, &n), NOABER_OK);
        assert_true(n <= 2);
    }
    assert_int_equal(search(db, "", k), 0);
    assert_int_equal(search(db, " ,.;!? ", k), 0);
    size_t n = 0;
    assert_int_equal(noaber_db_search(db, &notes_idx, "caf\xc3", k, 10, &n), NOABER_E_INVALID);
    assert_int_equal(noaber_db_search(db, &notes_idx, "fiets", k, 1, &n), NOABER_OK);
    assert_int_equal(n, 1);
    /* Changes reach the index. */
    static const char edit[] = "UPDATE notes SET title = ? WHERE id = ?";
    static const char del[] = "DELETE FROM notes WHERE id = ?";
    assert_int_equal(noaber_db_run(db, edit, "ti", "Theehuis de Buren", cafe), NOABER_OK);
    assert_int_equal(search(db, "cafe", k), 0);
    assert_int_equal(search(db, "theehuis", k), 1);
    assert_int_equal(noaber_db_run(db, del, "i", fiets), NOABER_OK);
    assert_int_equal(search(db, "fiets", k), 1);
    assert_int_equal(k[0], taal);
    if (t_pg_base()) /* Dutch stemming: the plural finds the singular */
        assert_int_equal(search(db, "fietsen", k), 1);
}

/* --- copy ------------------------------------------------------------------------------------ */

struct report {
    int tables;
    int64_t rows;
    char names[64][64], sha[64][65];
};

static void
on_table(const char *table, int64_t rows, const char *sha256, void *ctx)
{
    struct report *r = ctx;
    if (r->tables < 64) {
        snprintf(r->names[r->tables], 64, "%s", table);
        snprintf(r->sha[r->tables], 65, "%s", sha256);
    }
    r->tables++;
    r->rows += rows;
}

/* An installation with the demo city, odd text, NULLs, messages and a search fixture. */
static void
fill_source(struct noaber_db *db)
{
    assert_int_equal(noaber_db_migrate(db, NULL), NOABER_OK);
    assert_int_equal(members_init(db), NOABER_OK);
    assert_int_equal(members_demo(db, "demo-wachtwoord"), NOABER_OK);
    static const char odd[] = "INSERT INTO settings (key, value) VALUES (?, ?)";
    const char *keys[] = {"Zebra", "apple", "Äpfel", "a\tb", "a\\b", "z\nline", "_", "é"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        assert_int_equal(noaber_db_run(db, odd, "tt", keys[i], "waarde\t\\N\n'\"€"), NOABER_OK);
    static const char del[] = "DELETE FROM neighbourhoods WHERE slug = 'zuilen'";
    assert_int_equal(noaber_db_run(db, del, ""), NOABER_OK); /* a gap in the ids */
    assert_int_equal(noaber_db_exec(db, notes), NOABER_OK);
    static const char add[] = "INSERT INTO notes (title, body) VALUES (?, ?)";
    assert_int_equal(noaber_db_run(db, add, "tt", "Café", "koffie"), NOABER_OK);
    assert_int_equal(noaber_db_run(db, add, "tn", "Fietsen"), NOABER_OK);
}

static void
test_copy(void **state)
{
    struct fx *f = *state; /* f->db: this engine's empty target */
    char *src_path = NULL, *back_path = NULL;
    src_path = malloc(64);
    back_path = malloc(64);
    snprintf(src_path, 64, "/tmp/noaber-copy-src-XXXXXX");
    close(mkstemp(src_path));
    snprintf(back_path, 64, "/tmp/noaber-copy-back-XXXXXX");
    close(mkstemp(back_path));
    struct noaber_db *src, *back;
    assert_int_equal(noaber_db_open(src_path, &src), NOABER_OK);
    assert_int_equal(noaber_db_open(back_path, &back), NOABER_OK);
    fill_source(src);
    /* The search fixture is not a migration: the targets get the empty table beforehand (an
     * empty table does not make a target non-empty). */
    assert_int_equal(noaber_db_exec(f->db, notes), NOABER_OK);
    assert_int_equal(noaber_db_exec(back, notes), NOABER_OK);

    struct report there = {0}, again = {0};
    assert_int_equal(noaber_db_copy(src, f->db, on_table, &there), NOABER_OK);
    assert_true(there.tables >= 10);
    assert_true(there.rows > 30);
    for (int i = 0; i < there.tables && i < 64; i++)
        assert_int_equal(strlen(there.sha[i]), 64);
    /* ... and back again: the same tables, rows and checksums. */
    assert_int_equal(noaber_db_copy(f->db, back, on_table, &again), NOABER_OK);
    assert_int_equal(again.tables, there.tables);
    assert_int_equal(again.rows, there.rows);
    for (int i = 0; i < there.tables && i < 64; i++) {
        int match = 0;
        for (int j = 0; j < again.tables && j < 64; j++)
            if (strcmp(there.names[i], again.names[j]) == 0)
                match = strcmp(there.sha[i], again.sha[j]) == 0 ? 1 : -1;
        assert_int_equal(match, 1);
    }
    /* The copy works as an installation: a new row gets the next id, the search finds. */
    int64_t top = one(src, "SELECT max(id) FROM neighbourhoods"), id = 0;
    static const char hood[] = "INSERT INTO neighbourhoods (slug, name, created_at) "
                               "VALUES (?, ?, ?) RETURNING id";
    assert_int_equal(noaber_db_int(f->db, &id, NULL, hood, "tti", "nieuw", "Nieuw", (int64_t)1),
                     NOABER_OK);
    assert_int_equal(id, top + 1);
    int64_t k[4];
    assert_int_equal(search(f->db, "cafe", k), 1);
    assert_int_equal(search(back, "fiets", k), 1);
    assert_int_equal(one(back, "SELECT count(*) FROM persons"), one(src, "SELECT count(*) FROM "
                                                                         "persons"));
    /* A target with rows is refused, and keeps what it had. */
    struct report none = {0};
    assert_int_equal(noaber_db_copy(src, f->db, on_table, &none), NOABER_E_NOT_EMPTY);
    assert_int_equal(none.tables, 0);
    assert_int_equal(one(f->db, "SELECT count(*) FROM neighbourhoods WHERE slug = 'nieuw'"), 1);
    noaber_db_close(src);
    noaber_db_close(back);
    t_db_drop(src_path);
    t_db_drop(back_path);
}

int
main(void)
{
    noaber_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_engine, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bind, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rollback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scarce_stock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_login_code_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_job_claim, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copy, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
