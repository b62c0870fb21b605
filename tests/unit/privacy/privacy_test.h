/*
 * Shared by the privacy tests: a world in a temporary SQLite file (migrated, an administrator, a
 * neighbourhood), a filler that puts data about one person P into EVERY table that can refer to a
 * person, and a second connection through plain sqlite3 with which the tests look at the
 * database independently of the code under test.
 *
 * fill() goes through the real operations (registration, login, failed logins, codes, tokens,
 * roles, messages on each channel, the call list, the letter print run, the access log, the
 * erasure form's rate limit) and uses plain INSERTs where no operation exists yet (the phone
 * number, recovery codes, the residents module's tables). P acts on a second person R too, so that
 * every ACTOR column is filled. A module that adds a table which refers to a person adds its data
 * here: test_erase.c fails, naming the column, until it does.
 */
#ifndef NOABER_TESTS_PRIVACY_TEST_H
#define NOABER_TESTS_PRIVACY_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/util.h"
#include "db/db.h"
#include "members/members.h"
#include "notify/notify.h"
#include "privacy/privacy.h"

/* Not every test file uses every helper. */
#pragma GCC diagnostic ignored "-Wunused-function"

#define PASSWORD "een heel goed wachtwoord"

struct world {
    char path[64];
    struct noaber_db *db;
    struct noaber_config cfg;
    struct noaber_arena *arena;
    sqlite3 *raw;
    int64_t admin, hood;
    struct members_hood h;
};

/* One person P made by fill(), and the resident R that P acted on. */
struct subject {
    int64_t p, r;
    char email[80], username[40], name[80], phone[24], address[80];
    char r_email[80];
};

static int
world_open(struct world *w)
{
    memset(w, 0, sizeof *w);
    snprintf(w->path, sizeof w->path, "/tmp/noaber-privacy-XXXXXX");
    int fd = mkstemp(w->path);
    if (fd < 0)
        return -1;
    close(fd);
    noaber_crypto_init();
    noaber_config_defaults(&w->cfg);
    if (noaber_db_open(w->path, &w->db) || noaber_db_migrate(w->db, NULL) || members_init(w->db))
        return -1;
    w->arena = noaber_arena_new(0);
    if (members_create_admin(w->db, "beheer@example.nl", "Beheerder", PASSWORD, &w->admin))
        return -1;
    struct members_actor admin = {.person_id = w->admin, .is_admin = 1};
    struct members_hood_input in = {"lombok", "Lombok", "", "3531,3532"};
    if (members_hood_create(w->db, &admin, &in, &w->hood) ||
        members_hood_by_slug(w->db, &admin, "lombok", &w->h, w->arena))
        return -1;
    if (sqlite3_open_v2(w->path, &w->raw, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return -1;
    sqlite3_busy_timeout(w->raw, 5000);
    return 0;
}

static void
world_close(struct world *w)
{
    noaber_time_set(0);
    sqlite3_close(w->raw);
    noaber_db_close(w->db);
    noaber_arena_free(w->arena);
    char side[80];
    unlink(w->path);
    snprintf(side, sizeof side, "%s-wal", w->path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", w->path);
    unlink(side);
}

/* --- plain SQL through the second connection ------------------------------------------------- */

/* Runs SQL with up to two bound values (ints or texts, by TYPES "i", "t", "it" ...) and hands back
 * the first column of the first row as an integer. */
static int64_t
raw_int(struct world *w, const char *sql, const char *types, ...)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(w->raw, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("cannot prepare %s: %s", sql, sqlite3_errmsg(w->raw));
    va_list ap;
    va_start(ap, types);
    for (int i = 0; types && types[i]; i++) {
        if (types[i] == 'i')
            sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
        else
            sqlite3_bind_text(st, i + 1, va_arg(ap, const char *), -1, SQLITE_TRANSIENT);
    }
    va_end(ap);
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

/* Writes through the second connection (for the data no operation writes yet). */
static void
raw_exec(struct world *w, const char *sql)
{
    sqlite3 *rw;
    char *msg = NULL;
    assert_int_equal(sqlite3_open(w->path, &rw), SQLITE_OK);
    sqlite3_busy_timeout(rw, 5000);
    if (sqlite3_exec(rw, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(rw, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s in: %s", msg ? msg : sqlite3_errmsg(rw), sql);
    sqlite3_close(rw);
}

static void raw_execf(struct world *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
raw_execf(struct world *w, const char *fmt, ...)
{
    char sql[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    raw_exec(w, sql);
}

/* The tables of the database (not SQLite's own), as a NULL-terminated list on the world's arena.
 * Virtual full-text tables and their shadow tables are copies of declared columns: left out. */
static const char **
raw_tables(struct world *w)
{
    sqlite3_stmt *st;
    static const char sql[] =
        "SELECT name FROM sqlite_master m WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' AND NOT EXISTS (SELECT 1 FROM sqlite_master v "
        "WHERE v.type = 'table' AND v.sql LIKE 'CREATE VIRTUAL TABLE%' AND m.name LIKE v.name "
        "|| '\\_%' ESCAPE '\\') ORDER BY name";
    assert_int_equal(sqlite3_prepare_v2(w->raw, sql, -1, &st, NULL), SQLITE_OK);
    const char **out = noaber_arena_alloc(w->arena, 256 * sizeof *out);
    size_t n = 0;
    while (sqlite3_step(st) == SQLITE_ROW && n < 255)
        out[n++] = noaber_arena_strdup(w->arena, (const char *)sqlite3_column_text(st, 0));
    out[n] = NULL;
    sqlite3_finalize(st);
    return out;
}

struct raw_column {
    const char *name, *type;
    int notnull;
    const char *dflt;
    const char *fk_table; /* the table a foreign key of this column points to, or NULL */
    const char *fk_key;   /* and its column */
};

/* The columns of TABLE with their type and foreign keys; *n gets their count. */
static struct raw_column *
raw_columns(struct world *w, const char *table, size_t *n)
{
    char sql[200];
    sqlite3_stmt *st;
    struct raw_column *out = noaber_arena_alloc(w->arena, 128 * sizeof *out);
    *n = 0;
    snprintf(sql, sizeof sql,
             "SELECT name, type, \"notnull\", dflt_value FROM pragma_table_info('%s')", table);
    assert_int_equal(sqlite3_prepare_v2(w->raw, sql, -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW && *n < 128) {
        struct raw_column *c = &out[(*n)++];
        c->name = noaber_arena_strdup(w->arena, (const char *)sqlite3_column_text(st, 0));
        c->type = noaber_arena_strdup(w->arena, (const char *)sqlite3_column_text(st, 1));
        c->notnull = sqlite3_column_int(st, 2);
        c->dflt = noaber_arena_strdup(w->arena, (const char *)sqlite3_column_text(st, 3));
    }
    sqlite3_finalize(st);
    snprintf(sql, sizeof sql,
             "SELECT \"from\", \"table\", \"to\" FROM pragma_foreign_key_list('%s')", table);
    assert_int_equal(sqlite3_prepare_v2(w->raw, sql, -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        for (size_t i = 0; i < *n; i++) {
            if (strcmp(out[i].name, (const char *)sqlite3_column_text(st, 0)) != 0)
                continue;
            out[i].fk_table =
                noaber_arena_strdup(w->arena, (const char *)sqlite3_column_text(st, 1));
            const char *to = (const char *)sqlite3_column_text(st, 2);
            out[i].fk_key = noaber_arena_strdup(w->arena, to ? to : "id");
        }
    }
    sqlite3_finalize(st);
    return out;
}

/* --- filling every table that refers to a person --------------------------------------------- */

struct queue_ctx {
    const struct notify_msg *m;
};

static enum noaber_err
queue_tx(struct noaber_db *db, void *vctx)
{
    return notify_queue(db, ((struct queue_ctx *)vctx)->m, NULL);
}

static void
message_to(struct world *w, int64_t person, const char *channel, const char *name,
           const char *subject)
{
    assert_int_equal(members_set_prefs(w->db, person, "nl", channel, name), NOABER_OK);
    struct notify_msg m = {
        person,    w->hood, "privacy_test", subject, "Beste buur,\n\nDit is een bericht.\n",
        "/account"};
    struct queue_ctx c = {&m};
    assert_int_equal(noaber_db_tx(w->db, queue_tx, &c), NOABER_OK);
}

/* The residents module's tables, by plain INSERTs (its operations are not in place yet): P's own
 * rows, and rows about R in which P acted. */
static void
fill_residents(struct world *w, const struct subject *s, int64_t at)
{
    int64_t p = s->p, r = s->r, hood = w->hood;
    raw_execf(w,
              "INSERT INTO profiles (person_id, about, wants, abilities, needs, offers, "
              "availability, postcode, house_number, visible, updated_at, updated_by) "
              "VALUES (%lld, 'Ik ben %s', 'Meedoen', 'Koken', 'Hulp met de tuin', 'Soep', "
              "'dinsdag', '3531AB', '12', 0, %lld, %lld);"
              "INSERT INTO profiles (person_id, updated_at, updated_by) VALUES (%lld, %lld, %lld);"
              "INSERT INTO profile_skills (person_id, skill_id, offers, wants) "
              "SELECT %lld, id, 1, 0 FROM skills WHERE slug = 'cooking';",
              (long long)p, s->name, (long long)at, (long long)p, (long long)r, (long long)at,
              (long long)p, (long long)p);
    raw_execf(w,
              "INSERT INTO consents (person_id, purpose, given_at, how, recorded_by, withdrawn_at, "
              "withdrawn_by) VALUES (%lld, 'profile', %lld, 'online', %lld, NULL, NULL),"
              "(%lld, 'contact', %lld, 'spoken', %lld, %lld, %lld),"
              "(%lld, 'health', %lld, 'spoken', %lld, %lld, %lld);",
              (long long)p, (long long)at, (long long)p, (long long)p, (long long)at,
              (long long)w->admin, (long long)at, (long long)w->admin, (long long)r, (long long)at,
              (long long)p, (long long)at, (long long)p);
    raw_execf(w,
              "INSERT INTO authorisations (person_id, connector_id, granted_at, ends_at, how, "
              "recorded_by, revoked_at, revoked_by) VALUES "
              "(%lld, %lld, %lld, %lld, 'paper', %lld, NULL, NULL),"
              "(%lld, %lld, %lld, %lld, 'spoken', %lld, %lld, %lld);",
              (long long)p, (long long)w->admin, (long long)at, (long long)(at + 30 * 86400),
              (long long)w->admin, (long long)r, (long long)p, (long long)at,
              (long long)(at + 30 * 86400), (long long)p, (long long)at, (long long)p);
    raw_execf(w,
              "INSERT INTO acted_for (at, connector_id, person_id, action, detail) VALUES "
              "(%lld, %lld, %lld, 'profile_saved', 'over %s'), (%lld, %lld, %lld, "
              "'profile_viewed', '');"
              "INSERT INTO intakes (person_id, neighbourhood_id, recorded_by, place, at) VALUES "
              "(%lld, %lld, %lld, 'door', %lld), (%lld, %lld, %lld, 'phone', %lld);"
              "INSERT INTO caseload (person_id, neighbourhood_id, connector_id, since, "
              "next_contact_at) VALUES (%lld, %lld, %lld, %lld, NULL), (%lld, %lld, %lld, %lld, "
              "%lld);",
              (long long)at, (long long)w->admin, (long long)p, s->name, (long long)at,
              (long long)p, (long long)r, (long long)p, (long long)hood, (long long)w->admin,
              (long long)at, (long long)r, (long long)hood, (long long)p, (long long)at,
              (long long)p, (long long)hood, (long long)w->admin, (long long)at, (long long)r,
              (long long)hood, (long long)p, (long long)at, (long long)(at + 86400));
    raw_execf(w,
              "INSERT INTO contact_notes (person_id, neighbourhood_id, author_id, at, text) VALUES "
              "(%lld, %lld, %lld, %lld, 'Gebeld met %s'), (%lld, %lld, %lld, %lld, 'Gebeld');"
              "INSERT INTO health_notes (person_id, neighbourhood_id, author_id, at, text) VALUES "
              "(%lld, %lld, %lld, %lld, 'Slecht ter been'), (%lld, %lld, %lld, %lld, 'Suiker');",
              (long long)p, (long long)hood, (long long)w->admin, (long long)at, s->name,
              (long long)r, (long long)hood, (long long)p, (long long)at, (long long)p,
              (long long)hood, (long long)w->admin, (long long)at, (long long)r, (long long)hood,
              (long long)p, (long long)at);
}

/* The panels' web tables (src/panels/web_*.c), by plain INSERTs: P made a panel and started its
 * draw, volunteered for it, and entered R's reply on paper. */
static void
fill_panels(struct world *w, const struct subject *s, int64_t at)
{
    int64_t p = s->p, r = s->r;
    raw_execf(w,
              "INSERT INTO panels (neighbourhood_id, title, purpose, k, created_at, created_by) "
              "VALUES (%lld, 'Burgerpanel', 'Een test', 2, %lld, %lld);"
              "INSERT INTO panel_volunteers (panel_id, number, person_id, answers, consent_at, "
              "consent_how, consent_by, created_at) VALUES "
              "((SELECT max(id) FROM panels), 1, %lld, 'leeftijd=65+', %lld, 'online', NULL, %lld),"
              "((SELECT max(id) FROM panels), 2, %lld, 'leeftijd=16-34', %lld, 'paper', %lld, "
              "%lld);"
              "INSERT INTO panel_runs (panel_id, status, runner, started_at, started_by) VALUES "
              "((SELECT max(id) FROM panels), 'done', 'test:1', %lld, %lld);",
              (long long)w->hood, (long long)at, (long long)p, (long long)p, (long long)at,
              (long long)at, (long long)r, (long long)at, (long long)p, (long long)at,
              (long long)at, (long long)p);
}

/* Makes P (identifiers ending in TAG) and everything about them at time AT (noaber_now() is
 * pinned to it); P is a coordinator who makes R's account and acts for R. */
static void
fill(struct world *w, struct subject *s, const char *tag, int64_t at)
{
    memset(s, 0, sizeof *s);
    snprintf(s->email, sizeof s->email, "zeynep.%s@example.nl", tag);
    snprintf(s->username, sizeof s->username, "zeynep.%s", tag);
    snprintf(s->name, sizeof s->name, "Zeynep Vandersloot-%s", tag);
    snprintf(s->phone, sizeof s->phone, "06-5550%s", tag);
    snprintf(s->address, sizeof s->address, "Kanaalstraat 7%s, Utrecht", tag);
    snprintf(s->r_email, sizeof s->r_email, "rob.%s@example.nl", tag);
    noaber_time_set(at);

    /* P registers (a verification code, and a mail to the bare address), logs in, and fails to
     * log in with the address and with the username. */
    struct members_registration reg = {s->name, s->email, PASSWORD, "3531AB", "nl", w->hood};
    assert_int_equal(members_register(w->db, &w->cfg, &reg, &s->p), NOABER_OK);
    raw_execf(w,
              "UPDATE persons SET username = '%s', phone = '%s', postal_address = '%s', "
              "email_verified_at = %lld WHERE id = %lld",
              s->username, s->phone, s->address, (long long)at, (long long)s->p);
    char token[65];
    int retry = 0;
    struct members_login ok = {s->email, PASSWORD, "192.0.2.7"};
    assert_int_equal(members_login(w->db, &w->cfg, &ok, token, &retry), NOABER_OK);
    struct members_login bad1 = {s->email, "fout wachtwoord 1", "192.0.2.7"};
    struct members_login bad2 = {s->username, "fout wachtwoord 2", "192.0.2.7"};
    assert_int_equal(members_login(w->db, &w->cfg, &bad1, token, &retry), NOABER_E_BAD_LOGIN);
    assert_int_equal(members_login(w->db, &w->cfg, &bad2, token, &retry), NOABER_E_BAD_LOGIN);

    /* The administrator makes P a coordinator; P makes an API token named after themself. */
    struct members_actor admin = {.person_id = w->admin, .is_admin = 1, .is_staff = 1};
    assert_int_equal(members_set_role(w->db, &admin, &w->h, s->p, MEMBERS_R_COORDINATOR),
                     NOABER_OK);
    char key[65], tname[120];
    snprintf(tname, sizeof tname, "Laptop van %s", s->name);
    assert_int_equal(members_token_create(w->db, s->p, tname, key), NOABER_OK);
    raw_execf(w,
              "INSERT INTO recovery_codes (person_id, code_hash, created_at) VALUES (%lld, "
              "'hash-%s-1', %lld)",
              (long long)s->p, tag, (long long)at);

    /* P, as coordinator, adds resident R and prints a login code for them. */
    struct members_actor pa = {.person_id = s->p, .is_staff = 1, .display_name = s->name};
    struct members_hood ph;
    assert_int_equal(members_hood_by_slug(w->db, &pa, "lombok", &ph, w->arena), NOABER_OK);
    assert_int_equal(ph.role, MEMBERS_R_COORDINATOR);
    char rname[80];
    snprintf(rname, sizeof rname, "Rob Buurman-%s", tag);
    struct members_new_member rm = {rname, s->r_email, NULL, MEMBERS_R_RESIDENT, w->hood};
    assert_int_equal(members_add(w->db, &pa, &ph, &rm, &s->r), NOABER_OK);
    char code[32];
    assert_int_equal(members_make_code(w->db, &pa, &ph, s->r, code), NOABER_OK);

    /* Messages to P on every channel, their name in the subject. */
    static const char *const channels[] = {"email", "call", "letter", "inapp"};
    for (size_t i = 0; i < 4; i++) {
        char subject[160];
        snprintf(subject, sizeof subject, "Hallo %s (%s)", s->name, channels[i]);
        message_to(w, s->p, channels[i], s->name, subject);
    }
    /* R wants a call and a letter: P makes the call and prints the letters. */
    message_to(w, s->r, "call", rname, "Bericht voor Rob");
    message_to(w, s->r, "letter", rname, "Brief voor Rob");
    struct notify_call *calls;
    size_t n = 0;
    assert_int_equal(notify_calls_pending(w->db, w->arena, w->hood, &calls, &n), NOABER_OK);
    int handled = 0;
    for (size_t i = 0; i < n; i++)
        if (calls[i].person_id == s->r && !handled++)
            assert_int_equal(notify_call_handled(w->db, w->hood, calls[i].delivery_id, s->p),
                             NOABER_OK);
    assert_int_equal(handled, 1);
    int64_t batch = 0;
    struct notify_letter *letters;
    assert_int_equal(notify_letters_print(w->db, w->arena, w->hood, s->p, &batch, &letters, &n),
                     NOABER_OK);
    assert_true(batch > 0);

    /* The access log: P opens R's file; the administrator opens P's. */
    assert_int_equal(privacy_log_access(w->db, s->p, s->r, "resident profile"), NOABER_OK);
    assert_int_equal(privacy_log_access(w->db, w->admin, s->p, "resident profile"), NOABER_OK);
    /* A wrong password on the erasure form is counted (and nothing else happens). */
    assert_int_equal(privacy_erase_confirmed(w->db, s->p, "niet mijn wachtwoord", NULL, &retry),
                     NOABER_E_WRONG_PASSWORD);

    fill_residents(w, s, at);
    fill_panels(w, s, at);
}

#endif
