/*
 * All SQL of the members module: settings, sessions, login attempts, people, memberships,
 * neighbourhoods, one-time codes, API tokens and the audit log. Plain SQL that SQLite and
 * PostgreSQL share, values always bound. Rows are mapped onto the caller's arena.
 */
#include "members/members_store.h"

#include "base/arena.h"
#include "base/util.h"
#include "db/db.h"

#include <string.h>

/* --- settings -------------------------------------------------------------------------------- */

static const char *const sql_setting = "SELECT value FROM settings WHERE key = ?";
static const char *const sql_setting_put = "INSERT INTO settings (key, value) VALUES (?, ?) "
                                           "ON CONFLICT (key) DO UPDATE SET value = excluded.value";

enum noaber_err
members_store_setting(struct noaber_db *db, const char *key, char **value, struct noaber_arena *a)
{
    struct noaber_stmt *st;
    int row = 0;
    enum noaber_err e = noaber_db_query(db, &st, sql_setting, "t", key);
    if (e == NOABER_OK)
        e = noaber_stmt_step(st, &row);
    *value = e == NOABER_OK && row ? noaber_stmt_dup(st, 0, a) : NULL;
    noaber_stmt_reset(st);
    return e;
}

enum noaber_err
members_store_setting_put(struct noaber_db *db, const char *key, const char *value)
{
    return noaber_db_run(db, sql_setting_put, "tt", key, value);
}

/* --- sessions -------------------------------------------------------------------------------- */

static const char *const sql_session_add =
    "INSERT INTO sessions (token_hash, person_id, csrf, created_at, last_seen_at, expires_at, "
    "stage) VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char *const sql_session_find =
    "SELECT s.person_id, s.last_seen_at, s.expires_at, s.csrf, p.display_name, p.lang, "
    "p.is_admin, CASE WHEN EXISTS (SELECT 1 FROM memberships m WHERE m.person_id = p.id "
    "AND m.role IN ('connector', 'coordinator', 'partner')) THEN 1 ELSE 0 END, s.stage, "
    "CASE WHEN p.totp_enabled_at IS NULL THEN 0 ELSE 1 END "
    "FROM sessions s JOIN persons p ON p.id = s.person_id WHERE s.token_hash = ?";
static const char *const sql_session_touch =
    "UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE token_hash = ?";
static const char *const sql_session_del = "DELETE FROM sessions WHERE token_hash = ?";
static const char *const sql_session_del_person = "DELETE FROM sessions WHERE person_id = ?";

enum noaber_err
members_store_session_add(struct noaber_db *db, const char *hash, int64_t person, const char *csrf,
                          int64_t now, int64_t expires, int stage)
{
    return noaber_db_run(db, sql_session_add, "titiiid", hash, person, csrf, now, now, expires,
                         stage);
}

enum noaber_err
members_store_session_find(struct noaber_db *db, const char *hash, struct members_session_row *out,
                           int *found, struct noaber_arena *a)
{
    struct noaber_stmt *st;
    *found = 0;
    enum noaber_err e = noaber_db_query(db, &st, sql_session_find, "t", hash);
    if (e == NOABER_OK)
        e = noaber_stmt_step(st, found);
    if (e == NOABER_OK && *found) {
        out->person_id = noaber_stmt_int(st, 0);
        out->last_seen_at = noaber_stmt_int(st, 1);
        out->expires_at = noaber_stmt_int(st, 2);
        out->csrf = noaber_stmt_dup(st, 3, a);
        out->display_name = noaber_stmt_dup(st, 4, a);
        out->lang = noaber_stmt_dup(st, 5, a);
        out->is_admin = (int)noaber_stmt_int(st, 6);
        out->is_staff = out->is_admin || noaber_stmt_int(st, 7);
        out->stage = (int)noaber_stmt_int(st, 8);
        out->totp = (int)noaber_stmt_int(st, 9);
        if (!out->csrf || !out->display_name || !out->lang)
            e = NOABER_E_TOO_LARGE;
    }
    noaber_stmt_reset(st);
    return e;
}

enum noaber_err
members_store_session_touch(struct noaber_db *db, const char *hash, int64_t now, int64_t expires)
{
    return noaber_db_run(db, sql_session_touch, "iit", now, expires, hash);
}

enum noaber_err
members_store_session_del(struct noaber_db *db, const char *hash)
{
    return noaber_db_run(db, sql_session_del, "t", hash);
}

enum noaber_err
members_store_session_del_person(struct noaber_db *db, int64_t person)
{
    return noaber_db_run(db, sql_session_del_person, "i", person);
}

/* --- login attempts -------------------------------------------------------------------------- */

static const char *const sql_attempt_add = "INSERT INTO login_attempts (key, at) VALUES (?, ?)";
static const char *const sql_attempts =
    "SELECT count(*), min(at) FROM login_attempts WHERE key = ? AND at > ?";
static const char *const sql_attempts_clear = "DELETE FROM login_attempts WHERE key = ?";
static const char *const sql_attempts_prune = "DELETE FROM login_attempts WHERE at < ?";

enum noaber_err
members_store_attempt_add(struct noaber_db *db, const char *key, int64_t at)
{
    return noaber_db_run(db, sql_attempt_add, "ti", key, at);
}

enum noaber_err
members_store_attempts(struct noaber_db *db, const char *key, int64_t since, int64_t *count,
                       int64_t *oldest)
{
    struct noaber_stmt *st;
    int row = 0;
    enum noaber_err e = noaber_db_query(db, &st, sql_attempts, "ti", key, since);
    if (e == NOABER_OK)
        e = noaber_stmt_step(st, &row);
    *count = row ? noaber_stmt_int(st, 0) : 0;
    *oldest = row ? noaber_stmt_int(st, 1) : 0;
    noaber_stmt_reset(st);
    return e;
}

enum noaber_err
members_store_attempts_clear(struct noaber_db *db, const char *key)
{
    return noaber_db_run(db, sql_attempts_clear, "t", key);
}

enum noaber_err
members_store_attempts_prune(struct noaber_db *db, int64_t before)
{
    return noaber_db_run(db, sql_attempts_prune, "i", before);
}

/* --- people ---------------------------------------------------------------------------------- */

static const char *const sql_person_add =
    "INSERT INTO persons (email, username, display_name, password_hash, lang, is_admin, "
    "created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char *const sql_person_login =
    "SELECT id, password_hash FROM persons WHERE email = ? OR username = ?";
static const char *const sql_person =
    "SELECT id, email, username, display_name, lang, channel, phone, is_admin, "
    "email_verified_at, created_at FROM persons WHERE id = ?";
static const char *const sql_person_by_email = "SELECT id FROM persons WHERE email = ?";
static const char *const sql_password_set = "UPDATE persons SET password_hash = ? WHERE id = ?";
static const char *const sql_prefs_set =
    "UPDATE persons SET lang = ?, channel = ?, display_name = ? WHERE id = ?";
static const char *const sql_login_taken =
    "SELECT count(*) FROM persons WHERE email = ? OR username = ?";
static const char *const sql_contact_set =
    "UPDATE persons SET phone = COALESCE(?, phone), postal_address = COALESCE(?, postal_address) "
    "WHERE id = ?";
static const char *const sql_email_verified =
    "UPDATE persons SET email_verified_at = ? WHERE id = ? AND email_verified_at IS NULL";

enum noaber_err
members_store_person_add(struct noaber_db *db, const struct members_person_new *p, int64_t *id)
{
    const char *email = p->email && *p->email ? p->email : NULL;
    const char *username = p->username && *p->username ? p->username : NULL;
    return noaber_db_int(db, id, NULL, sql_person_add, "tttttdiI", email, username, p->display_name,
                         p->password_hash, p->lang ? p->lang : "nl", p->is_admin, p->now,
                         p->created_by);
}

enum noaber_err
members_store_person_login(struct noaber_db *db, const char *login, int64_t *id, char **hash,
                           struct noaber_arena *a)
{
    struct noaber_stmt *st;
    int row = 0;
    enum noaber_err e = noaber_db_query(db, &st, sql_person_login, "tt", login, login);
    if (e == NOABER_OK)
        e = noaber_stmt_step(st, &row);
    *id = row ? noaber_stmt_int(st, 0) : 0;
    *hash = row ? noaber_stmt_dup(st, 1, a) : NULL;
    noaber_stmt_reset(st);
    return e == NOABER_OK && !row ? NOABER_E_NOT_FOUND : e;
}

static void
person_row(struct noaber_stmt *st, struct members_person *p, struct noaber_arena *a)
{
    p->id = noaber_stmt_int(st, 0);
    p->email = noaber_stmt_dup(st, 1, a);
    p->username = noaber_stmt_dup(st, 2, a);
    p->display_name = noaber_stmt_dup(st, 3, a);
    p->lang = noaber_stmt_dup(st, 4, a);
    p->channel = noaber_stmt_dup(st, 5, a);
    p->phone = noaber_stmt_dup(st, 6, a);
    p->is_admin = (int)noaber_stmt_int(st, 7);
    p->email_verified = !noaber_stmt_is_null(st, 8);
    p->created_at = noaber_stmt_int(st, 9);
}

enum noaber_err
members_store_person(struct noaber_db *db, int64_t id, struct members_person *out,
                     struct noaber_arena *a)
{
    struct noaber_stmt *st;
    int row = 0;
    enum noaber_err e = noaber_db_query(db, &st, sql_person, "i", id);
    if (e == NOABER_OK)
        e = noaber_stmt_step(st, &row);
    if (e == NOABER_OK && row)
        person_row(st, out, a);
    noaber_stmt_reset(st);
    return e == NOABER_OK && !row ? NOABER_E_NOT_FOUND : e;
}

enum noaber_err
members_store_person_by_email(struct noaber_db *db, const char *email, int64_t *id)
{
    int found = 0;
    enum noaber_err e = noaber_db_int(db, id, &found, sql_person_by_email, "t", email);
    if (!found)
        *id = 0;
    return e;
}

enum noaber_err
members_store_password_set(struct noaber_db *db, int64_t id, const char *hash)
{
    return noaber_db_run(db, sql_password_set, "ti", hash, id);
}

enum noaber_err
members_store_prefs_set(struct noaber_db *db, int64_t id, const char *lang, const char *channel,
                        const char *display_name)
{
    return noaber_db_run(db, sql_prefs_set, "ttti", lang, channel, display_name, id);
}

enum noaber_err
members_store_login_taken(struct noaber_db *db, const char *login, int *taken)
{
    int64_t n = 0;
    enum noaber_err e = noaber_db_int(db, &n, NULL, sql_login_taken, "tt", login, login);
    *taken = n > 0;
    return e;
}

enum noaber_err
members_store_contact_set(struct noaber_db *db, int64_t id, const char *phone, const char *postal)
{
    return noaber_db_run(db, sql_contact_set, "tti", phone, postal, id);
}

enum noaber_err
members_store_email_verified(struct noaber_db *db, int64_t id, int64_t now)
{
    return noaber_db_run(db, sql_email_verified, "ii", now, id);
}

/* --- second factor -------------------------------------------------------------------------- */

static const char *const sql_totp =
    "SELECT totp_secret, totp_pending, totp_enabled_at, totp_last_step FROM persons WHERE id = ?";
static const char *const sql_totp_pending = "UPDATE persons SET totp_pending = ? WHERE id = ?";
static const char *const sql_totp_enable =
    "UPDATE persons SET totp_secret = totp_pending, totp_pending = NULL, totp_enabled_at = ?, "
    "totp_last_step = 0 WHERE id = ? AND totp_pending IS NOT NULL";
static const char *const sql_totp_disable =
    "UPDATE persons SET totp_secret = NULL, totp_pending = NULL, totp_enabled_at = NULL, "
    "totp_last_step = 0 WHERE id = ?";
static const char *const sql_totp_step =
    "UPDATE persons SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?";
static const char *const sql_recovery_add =
    "INSERT INTO recovery_codes (person_id, code_hash, created_at) VALUES (?, ?, ?)";
static const char *const sql_recovery_clear = "DELETE FROM recovery_codes WHERE person_id = ?";
static const char *const sql_recovery_take =
    "UPDATE recovery_codes SET used_at = ? WHERE person_id = ? AND code_hash = ? "
    "AND used_at IS NULL RETURNING id";

enum noaber_err
members_store_totp(struct noaber_db *db, int64_t person, struct members_totp_row *out,
                   struct noaber_arena *a)
{
    struct noaber_stmt *st;
    int row = 0;
    enum noaber_err e = noaber_db_query(db, &st, sql_totp, "i", person);
    if (e == NOABER_OK)
        e = noaber_stmt_step(st, &row);
    if (e == NOABER_OK && row) {
        out->secret = noaber_stmt_dup(st, 0, a);
        out->pending = noaber_stmt_dup(st, 1, a);
        out->enabled_at = noaber_stmt_int(st, 2);
        out->last_step = noaber_stmt_int(st, 3);
    }
    noaber_stmt_reset(st);
    return e == NOABER_OK && !row ? NOABER_E_NOT_FOUND : e;
}

enum noaber_err
members_store_totp_pending(struct noaber_db *db, int64_t person, const char *hex)
{
    return noaber_db_run(db, sql_totp_pending, "ti", hex, person);
}

enum noaber_err
members_store_totp_enable(struct noaber_db *db, int64_t person, int64_t now)
{
    return noaber_db_run(db, sql_totp_enable, "ii", now, person);
}

enum noaber_err
members_store_totp_disable(struct noaber_db *db, int64_t person)
{
    return noaber_db_run(db, sql_totp_disable, "i", person);
}

enum noaber_err
members_store_totp_step(struct noaber_db *db, int64_t person, int64_t step, int *changed)
{
    enum noaber_err e = noaber_db_run(db, sql_totp_step, "iii", step, person, step);
    *changed = e == NOABER_OK && noaber_db_changes(db) > 0;
    return e;
}

enum noaber_err
members_store_recovery_add(struct noaber_db *db, int64_t person, const char *hash, int64_t now)
{
    return noaber_db_run(db, sql_recovery_add, "iti", person, hash, now);
}

enum noaber_err
members_store_recovery_clear(struct noaber_db *db, int64_t person)
{
    return noaber_db_run(db, sql_recovery_clear, "i", person);
}

enum noaber_err
members_store_recovery_take(struct noaber_db *db, int64_t person, const char *hash, int64_t now,
                            int *found)
{
    int64_t id;
    return noaber_db_int(db, &id, found, sql_recovery_take, "iit", now, person, hash);
}

/* --- memberships ----------------------------------------------------------------------------- */

static const char *const sql_member_add =
    "INSERT INTO memberships (person_id, neighbourhood_id, role, confirmed_at, confirmed_by, "
    "created_at) VALUES (?, ?, ?, ?, ?, ?)";
static const char *const sql_member_role =
    "SELECT role, confirmed_at FROM memberships WHERE person_id = ? AND neighbourhood_id = ?";
static const char *const sql_member_set_role =
    "UPDATE memberships SET role = ? WHERE person_id = ? AND neighbourhood_id = ?";
static const char *const sql_member_del =
    "DELETE FROM memberships WHERE person_id = ? AND neighbourhood_id = ?";
static const char *const sql_member_confirm =
    "UPDATE memberships SET confirmed_at = ?, confirmed_by = ? "
    "WHERE person_id = ? AND neighbourhood_id = ? AND confirmed_at IS NULL";
static const char *const sql_members =
    "SELECT p.id, p.email, p.username, p.display_name, p.lang, p.channel, p.phone, p.is_admin, "
    "p.email_verified_at, p.created_at, m.role, m.confirmed_at "
    "FROM memberships m JOIN persons p ON p.id = m.person_id "
    "WHERE m.neighbourhood_id = ? AND (? = 0 OR m.confirmed_at IS NULL) "
    "ORDER BY p.display_name, p.id LIMIT ? OFFSET ?";
static const char *const sql_members_count =
    "SELECT count(*) FROM memberships WHERE neighbourhood_id = ? AND (? = 0 OR confirmed_at IS "
    "NULL)";
static const char *const sql_person_hoods =
    "SELECT n.id, n.slug, n.name, n.description, n.postcodes, m.role, m.confirmed_at "
    "FROM memberships m JOIN neighbourhoods n ON n.id = m.neighbourhood_id "
    "WHERE m.person_id = ? ORDER BY n.name";

enum noaber_err
members_store_member_add(struct noaber_db *db, int64_t person, int64_t hood, enum members_role role,
                         int64_t confirmed_at, int64_t confirmed_by, int64_t now)
{
    return noaber_db_run(db, sql_member_add, "iitIIi", person, hood, members_role_name(role),
                         confirmed_at, confirmed_by, now);
}

enum noaber_err
members_store_member_role(struct noaber_db *db, int64_t person, int64_t hood,
                          enum members_role *role, int64_t *confirmed_at)
{
    struct noaber_stmt *st;
    int row = 0;
    enum noaber_err e = noaber_db_query(db, &st, sql_member_role, "ii", person, hood);
    if (e == NOABER_OK)
        e = noaber_stmt_step(st, &row);
    *role = row ? members_role_parse(noaber_stmt_text(st, 0)) : MEMBERS_R_NONE;
    *confirmed_at = row ? noaber_stmt_int(st, 1) : 0;
    noaber_stmt_reset(st);
    return e;
}

enum noaber_err
members_store_member_set_role(struct noaber_db *db, int64_t person, int64_t hood,
                              enum members_role role)
{
    return noaber_db_run(db, sql_member_set_role, "tii", members_role_name(role), person, hood);
}

enum noaber_err
members_store_member_del(struct noaber_db *db, int64_t person, int64_t hood)
{
    return noaber_db_run(db, sql_member_del, "ii", person, hood);
}

enum noaber_err
members_store_member_confirm(struct noaber_db *db, int64_t person, int64_t hood, int64_t by,
                             int64_t now)
{
    return noaber_db_run(db, sql_member_confirm, "iiii", now, by, person, hood);
}

enum noaber_err
members_store_members(struct noaber_db *db, int64_t hood, int unconfirmed_only, int64_t offset,
                      int64_t limit, struct members_member **out, size_t *n, int64_t *total,
                      struct noaber_arena *a)
{
    enum noaber_err e =
        noaber_db_int(db, total, NULL, sql_members_count, "id", hood, unconfirmed_only);
    *n = 0;
    *out = NULL;
    if (e != NOABER_OK)
        return e;
    struct noaber_stmt *st;
    e = noaber_db_query(db, &st, sql_members, "idii", hood, unconfirmed_only, limit, offset);
    if (e != NOABER_OK)
        return e;
    *out = noaber_arena_alloc(a, (size_t)(limit > 0 ? limit : 1) * sizeof **out);
    if (!*out)
        return NOABER_E_TOO_LARGE;
    int row = 1;
    while ((int64_t)*n < limit && (e = noaber_stmt_step(st, &row)) == NOABER_OK && row) {
        struct members_member *m = &(*out)[(*n)++];
        person_row(st, &m->p, a);
        m->role = members_role_parse(noaber_stmt_text(st, 10));
        m->confirmed_at = noaber_stmt_int(st, 11);
    }
    noaber_stmt_reset(st);
    return e;
}

enum noaber_err
members_store_person_hoods(struct noaber_db *db, int64_t person, struct members_hood **out,
                           size_t *n, struct noaber_arena *a)
{
    struct noaber_stmt *st;
    size_t cap = 8;
    *n = 0;
    *out = noaber_arena_alloc(a, cap * sizeof **out);
    enum noaber_err e = noaber_db_query(db, &st, sql_person_hoods, "i", person);
    int row = 1;
    while (e == NOABER_OK && *out && (e = noaber_stmt_step(st, &row)) == NOABER_OK && row) {
        if (!(*out = noaber_arena_grow(a, *out, *n, &cap, sizeof **out)))
            break;
        struct members_hood *h = &(*out)[(*n)++];
        h->id = noaber_stmt_int(st, 0);
        h->slug = noaber_stmt_dup(st, 1, a);
        h->name = noaber_stmt_dup(st, 2, a);
        h->description = noaber_stmt_dup(st, 3, a);
        h->postcodes = noaber_stmt_dup(st, 4, a);
        h->role = members_role_parse(noaber_stmt_text(st, 5));
        h->confirmed = !noaber_stmt_is_null(st, 6);
    }
    if (e == NOABER_OK)
        noaber_stmt_reset(st);
    return *out ? e : NOABER_E_TOO_LARGE;
}

static const char *const sql_staff =
    "SELECT m.person_id, n.slug, n.name FROM memberships m "
    "JOIN neighbourhoods n ON n.id = m.neighbourhood_id "
    "WHERE m.neighbourhood_id = ? AND m.role IN ('connector', 'coordinator') ORDER BY m.person_id";

enum noaber_err
members_store_staff(struct noaber_db *db, int64_t hood, struct members_hood *out, int64_t **ids,
                    size_t *n, struct noaber_arena *a)
{
    struct noaber_stmt *st;
    size_t cap = 16;
    *n = 0;
    *ids = noaber_arena_alloc(a, cap * sizeof **ids);
    enum noaber_err e = noaber_db_query(db, &st, sql_staff, "i", hood);
    int row = 1;
    while (e == NOABER_OK && *ids && (e = noaber_stmt_step(st, &row)) == NOABER_OK && row) {
        if (!(*ids = noaber_arena_grow(a, *ids, *n, &cap, sizeof **ids)))
            break;
        (*ids)[(*n)++] = noaber_stmt_int(st, 0);
        if (!out->slug) {
            out->slug = noaber_stmt_dup(st, 1, a);
            out->name = noaber_stmt_dup(st, 2, a);
        }
    }
    if (e == NOABER_OK)
        noaber_stmt_reset(st);
    return *ids ? e : NOABER_E_TOO_LARGE;
}

/* --- neighbourhoods -------------------------------------------------------------------------- */

static const char *const sql_hood_add =
    "INSERT INTO neighbourhoods (slug, name, description, postcodes, created_at) "
    "VALUES (?, ?, ?, ?, ?) RETURNING id";
/* Page views read neighbourhoods without counting their members: a count over 100,000
 * memberships per view would cost more than the rest of the page. Only the administrator's list
 * counts. */
static const char *const sql_hood_by_slug =
    "SELECT id, slug, name, description, postcodes, 0 FROM neighbourhoods WHERE slug = ?";
static const char *const sql_hoods =
    "SELECT id, slug, name, description, postcodes, 0 FROM neighbourhoods ORDER BY name";
static const char *const sql_hoods_counted =
    "SELECT id, slug, name, description, postcodes, "
    "(SELECT count(*) FROM memberships m WHERE m.neighbourhood_id = n.id) "
    "FROM neighbourhoods n ORDER BY name";

static void
hood_row(struct noaber_stmt *st, struct members_hood *h, struct noaber_arena *a)
{
    h->id = noaber_stmt_int(st, 0);
    h->slug = noaber_stmt_dup(st, 1, a);
    h->name = noaber_stmt_dup(st, 2, a);
    h->description = noaber_stmt_dup(st, 3, a);
    h->postcodes = noaber_stmt_dup(st, 4, a);
    h->members = noaber_stmt_int(st, 5);
}

enum noaber_err
members_store_hood_add(struct noaber_db *db, const struct members_hood_input *in, int64_t now,
                       int64_t *id)
{
    return noaber_db_int(db, id, NULL, sql_hood_add, "tttti", in->slug, in->name,
                         in->description ? in->description : "", in->postcodes ? in->postcodes : "",
                         now);
}

enum noaber_err
members_store_hood_by_slug(struct noaber_db *db, const char *slug, struct members_hood *out,
                           int *found, struct noaber_arena *a)
{
    struct noaber_stmt *st;
    *found = 0;
    enum noaber_err e = noaber_db_query(db, &st, sql_hood_by_slug, "t", slug);
    if (e == NOABER_OK)
        e = noaber_stmt_step(st, found);
    if (e == NOABER_OK && *found)
        hood_row(st, out, a);
    noaber_stmt_reset(st);
    return e;
}

enum noaber_err
members_store_hoods(struct noaber_db *db, int with_counts, struct members_hood **out, size_t *n,
                    struct noaber_arena *a)
{
    struct noaber_stmt *st;
    size_t cap = 16;
    *n = 0;
    *out = noaber_arena_alloc(a, cap * sizeof **out);
    enum noaber_err e = noaber_db_query(db, &st, with_counts ? sql_hoods_counted : sql_hoods, "");
    int row = 1;
    while (e == NOABER_OK && *out && (e = noaber_stmt_step(st, &row)) == NOABER_OK && row) {
        if (!(*out = noaber_arena_grow(a, *out, *n, &cap, sizeof **out)))
            break;
        hood_row(st, &(*out)[(*n)++], a);
    }
    if (e == NOABER_OK)
        noaber_stmt_reset(st);
    return *out ? e : NOABER_E_TOO_LARGE;
}

/* --- codes, tokens, audit -------------------------------------------------------------------- */

static const char *const sql_code_add =
    "INSERT INTO codes (code_hash, person_id, purpose, created_by, created_at, expires_at) "
    "VALUES (?, ?, ?, ?, ?, ?)";
static const char *const sql_code_take =
    "UPDATE codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL AND expires_at > ? "
    "RETURNING person_id, purpose";
static const char *const sql_token_person = "SELECT person_id FROM api_tokens WHERE token_hash = ?";
static const char *const sql_token_add =
    "INSERT INTO api_tokens (person_id, name, token_hash, created_at) VALUES (?, ?, ?, ?)";
static const char *const sql_audit =
    "INSERT INTO audit_log (at, actor_id, action, subject_id, neighbourhood_id, detail) "
    "VALUES (?, ?, ?, ?, ?, ?)";

enum noaber_err
members_store_code_add(struct noaber_db *db, const char *hash, int64_t person, const char *purpose,
                       int64_t by, int64_t now, int64_t expires)
{
    return noaber_db_run(db, sql_code_add, "titIii", hash, person, purpose, by, now, expires);
}

enum noaber_err
members_store_code_take(struct noaber_db *db, const char *hash, int64_t now, int64_t *person,
                        char **purpose, int *found, struct noaber_arena *a)
{
    struct noaber_stmt *st;
    *found = 0;
    enum noaber_err e = noaber_db_query(db, &st, sql_code_take, "iti", now, hash, now);
    if (e == NOABER_OK)
        e = noaber_stmt_step(st, found);
    if (e == NOABER_OK && *found) {
        *person = noaber_stmt_int(st, 0);
        *purpose = noaber_stmt_dup(st, 1, a);
        /* Run the statement to its end so that the UPDATE is complete. */
        int more = 1;
        while (e == NOABER_OK && more)
            e = noaber_stmt_step(st, &more);
    }
    noaber_stmt_reset(st);
    return e;
}

enum noaber_err
members_store_token_person(struct noaber_db *db, const char *hash, int64_t *person, int *found)
{
    return noaber_db_int(db, person, found, sql_token_person, "t", hash);
}

enum noaber_err
members_store_token_add(struct noaber_db *db, int64_t person, const char *name, const char *hash,
                        int64_t now)
{
    return noaber_db_run(db, sql_token_add, "itti", person, name, hash, now);
}

enum noaber_err
members_store_audit(struct noaber_db *db, int64_t actor, const char *action, int64_t subject,
                    int64_t hood, const char *detail)
{
    return noaber_db_run(db, sql_audit, "iItIIt", noaber_now(), actor, action, subject, hood,
                         detail ? detail : "");
}
