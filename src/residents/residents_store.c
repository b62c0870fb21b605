/*
 * All SQL of the residents module: skills, profiles and their skills, consents, machtigingen and
 * the acted-for log, intakes, the caseload, contact and health notes, "who can help" and the
 * counts of the report. Plain SQL that SQLite and PostgreSQL share, values always bound; rows are
 * mapped onto the caller's arena. Queries read members' tables (persons, memberships) only to
 * join names and neighbourhoods; members' rows are written through members.h alone.
 */
#include "residents/residents_int.h"

#include "base/arena.h"
#include "base/buf.h"
#include "db/db.h"

#include <string.h>

/* --- skills ----------------------------------------------------------------------------------- */

static const char sql_skills[] = "SELECT id, slug, label_nl, label_en, active, sort FROM skills "
                                 "WHERE active = 1 OR ? = 1 ORDER BY sort, slug";
static const char sql_skill_add[] =
    "INSERT INTO skills (slug, label_nl, label_en, sort, created_at) "
    "VALUES (?, ?, ?, (SELECT COALESCE(max(sort), 0) + 10 FROM skills), ?)";
static const char sql_skill_update[] =
    "UPDATE skills SET label_nl = ?, label_en = ?, active = ? WHERE id = ?";

enum noaber_err
residents_store_skills(struct noaber_db *db, int all, struct residents_skill **out, size_t *n,
                       struct noaber_arena *a)
{
    struct noaber_stmt *st;
    size_t cap = 0;
    int row = 0;
    *out = NULL;
    *n = 0;
    enum noaber_err e = noaber_db_query(db, &st, sql_skills, "d", all ? 1 : 0);
    while (e == NOABER_OK && (e = noaber_stmt_step(st, &row)) == NOABER_OK && row) {
        *out = noaber_arena_grow(a, *out, *n, &cap, sizeof **out);
        if (!*out)
            return NOABER_E_TOO_LARGE;
        struct residents_skill *s = &(*out)[(*n)++];
        s->id = noaber_stmt_int(st, 0);
        s->slug = noaber_stmt_str(st, 1, a);
        s->label_nl = noaber_stmt_str(st, 2, a);
        s->label_en = noaber_stmt_str(st, 3, a);
        s->active = (int)noaber_stmt_int(st, 4);
        s->sort = (int)noaber_stmt_int(st, 5);
        if (!s->slug || !s->label_nl || !s->label_en)
            e = NOABER_E_TOO_LARGE;
    }
    noaber_stmt_reset(st);
    return e;
}

enum noaber_err
residents_store_skill_add(struct noaber_db *db, const char *slug, const char *label_nl,
                          const char *label_en, int64_t now)
{
    return noaber_db_run(db, sql_skill_add, "ttti", slug, label_nl, label_en, now);
}

enum noaber_err
residents_store_skill_update(struct noaber_db *db, int64_t id, const char *label_nl,
                             const char *label_en, int active, int64_t *changed)
{
    enum noaber_err e =
        noaber_db_run(db, sql_skill_update, "ttdi", label_nl, label_en, active ? 1 : 0, id);
    *changed = e == NOABER_OK ? noaber_db_changes(db) : 0;
    return e;
}

/* --- profiles --------------------------------------------------------------------------------- */

static const char sql_profile[] =
    "SELECT p.id, p.display_name, p.email, p.username, p.lang, p.channel, f.about, f.wants, "
    "f.abilities, f.needs, f.offers, f.availability, p.phone, f.postcode, f.house_number, "
    "COALESCE(f.visible, 0), COALESCE(f.updated_at, 0), "
    "CASE WHEN f.person_id IS NULL THEN 0 ELSE 1 END "
    "FROM persons p LEFT JOIN profiles f ON f.person_id = p.id WHERE p.id = ?";
static const char sql_profile_skills[] =
    "SELECT s.slug, ps.offers, ps.wants FROM profile_skills ps JOIN skills s ON s.id = ps.skill_id "
    "WHERE ps.person_id = ? ORDER BY s.sort, s.slug";
static const char sql_profile_put[] =
    "INSERT INTO profiles (person_id, about, wants, abilities, needs, offers, availability, "
    "postcode, house_number, visible, updated_at, updated_by) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (person_id) DO UPDATE SET "
    "about = excluded.about, wants = excluded.wants, abilities = excluded.abilities, "
    "needs = excluded.needs, offers = excluded.offers, availability = excluded.availability, "
    "postcode = excluded.postcode, house_number = excluded.house_number, "
    "visible = excluded.visible, updated_at = excluded.updated_at, "
    "updated_by = excluded.updated_by";
static const char sql_profile_clear[] =
    "UPDATE profiles SET about = '', wants = '', abilities = '', needs = '', offers = '', "
    "availability = '', updated_at = ?, updated_by = ? WHERE person_id = ?";
static const char sql_skills_clear[] = "DELETE FROM profile_skills WHERE person_id = ?";
static const char sql_skill_put[] =
    "INSERT INTO profile_skills (person_id, skill_id, offers, wants) "
    "SELECT ?, id, ?, ? FROM skills WHERE slug = ?";

/* Appends SLUG to the comma-separated list in B. */
static void
list_add(struct noaber_buf *b, const char *slug)
{
    if (b->len)
        noaber_buf_putc(b, ',');
    noaber_buf_puts(b, slug);
}

static enum noaber_err
profile_skills(struct noaber_db *db, int64_t person, struct residents_profile *out,
               struct noaber_arena *a)
{
    struct noaber_stmt *st;
    struct noaber_buf offered, wanted;
    noaber_buf_init(&offered, a);
    noaber_buf_init(&wanted, a);
    int row = 0;
    enum noaber_err e = noaber_db_query(db, &st, sql_profile_skills, "i", person);
    while (e == NOABER_OK && (e = noaber_stmt_step(st, &row)) == NOABER_OK && row) {
        const char *slug = noaber_stmt_text(st, 0);
        if (noaber_stmt_int(st, 1))
            list_add(&offered, slug);
        if (noaber_stmt_int(st, 2))
            list_add(&wanted, slug);
    }
    noaber_stmt_reset(st);
    if (offered.failed || wanted.failed)
        return NOABER_E_TOO_LARGE;
    out->skills_offered = noaber_arena_strdup(a, noaber_buf_str(&offered));
    out->skills_wanted = noaber_arena_strdup(a, noaber_buf_str(&wanted));
    return e;
}

enum noaber_err
residents_store_profile(struct noaber_db *db, int64_t person, struct residents_profile *out,
                        struct noaber_arena *a)
{
    struct noaber_stmt *st;
    int row = 0;
    memset(out, 0, sizeof *out);
    enum noaber_err e = noaber_db_query(db, &st, sql_profile, "i", person);
    if (e == NOABER_OK)
        e = noaber_stmt_step(st, &row);
    if (e == NOABER_OK && !row)
        e = NOABER_E_NOT_FOUND;
    if (e == NOABER_OK) {
        out->person_id = noaber_stmt_int(st, 0);
        out->display_name = noaber_stmt_str(st, 1, a);
        out->email = noaber_stmt_str(st, 2, a);
        out->username = noaber_stmt_str(st, 3, a);
        out->lang = noaber_stmt_str(st, 4, a);
        out->channel = noaber_stmt_str(st, 5, a);
        out->about = noaber_stmt_str(st, 6, a);
        out->wants = noaber_stmt_str(st, 7, a);
        out->abilities = noaber_stmt_str(st, 8, a);
        out->needs = noaber_stmt_str(st, 9, a);
        out->offers = noaber_stmt_str(st, 10, a);
        out->availability = noaber_stmt_str(st, 11, a);
        out->phone = noaber_stmt_str(st, 12, a);
        out->postcode = noaber_stmt_str(st, 13, a);
        out->house_number = noaber_stmt_str(st, 14, a);
        out->visible = (unsigned)noaber_stmt_int(st, 15) & RESIDENTS_F_SHAREABLE;
        out->updated_at = noaber_stmt_int(st, 16);
        out->exists = (int)noaber_stmt_int(st, 17);
        if (!out->house_number || noaber_arena_overflowed(a))
            e = NOABER_E_TOO_LARGE;
    }
    noaber_stmt_reset(st);
    if (e == NOABER_OK)
        e = profile_skills(db, person, out, a);
    if (e == NOABER_OK)
        e = residents_store_consent_mask(db, person, &out->consents);
    return e;
}

enum noaber_err
residents_store_profile_put(struct noaber_db *db, const struct residents_profile *p, int64_t now,
                            int64_t by)
{
    return noaber_db_run(db, sql_profile_put, "ittttttttdiI", p->person_id, p->about, p->wants,
                         p->abilities, p->needs, p->offers, p->availability, p->postcode,
                         p->house_number, (int)(p->visible & RESIDENTS_F_SHAREABLE), now, by);
}

enum noaber_err
residents_store_profile_clear(struct noaber_db *db, int64_t person, int64_t now, int64_t by)
{
    enum noaber_err e = noaber_db_run(db, sql_profile_clear, "iIi", now, by, person);
    return e == NOABER_OK ? noaber_db_run(db, sql_skills_clear, "i", person) : e;
}

/* Inserts one skill of PERSON with its flags. */
static enum noaber_err
skill_put(struct noaber_db *db, int64_t person, const char *slug, size_t len, const char *offered,
          const char *wanted)
{
    char s[48];
    if (len >= sizeof s)
        return NOABER_E_UNKNOWN_SKILL;
    memcpy(s, slug, len);
    s[len] = '\0';
    return noaber_db_run(db, sql_skill_put, "iddt", person, residents_list_has(offered, s),
                         residents_list_has(wanted, s), s);
}

enum noaber_err
residents_store_skills_set(struct noaber_db *db, int64_t person, const char *offered,
                           const char *wanted)
{
    enum noaber_err e = noaber_db_run(db, sql_skills_clear, "i", person);
    /* Every slug of either list once: the offered ones, then the wanted ones not offered. */
    for (int pass = 0; pass < 2 && e == NOABER_OK; pass++) {
        const char *p = pass ? wanted : offered;
        while (e == NOABER_OK && p && *p) {
            const char *end = strchr(p, ',');
            size_t len = end ? (size_t)(end - p) : strlen(p);
            char s[48];
            int skip = len == 0 || len >= sizeof s;
            if (!skip && pass) {
                memcpy(s, p, len);
                s[len] = '\0';
                skip = residents_list_has(offered, s);
            }
            if (!skip)
                e = skill_put(db, person, p, len, offered, wanted);
            p = end ? end + 1 : p + len;
        }
    }
    return e;
}

/* --- consents --------------------------------------------------------------------------------- */

static const char sql_consents[] =
    "SELECT c.id, c.purpose, c.how, c.given_at, COALESCE(c.withdrawn_at, 0), "
    "COALESCE(r.display_name, ''), COALESCE(w.display_name, '') FROM consents c "
    "LEFT JOIN persons r ON r.id = c.recorded_by LEFT JOIN persons w ON w.id = c.withdrawn_by "
    "WHERE c.person_id = ? ORDER BY c.given_at DESC, c.id DESC";
static const char sql_consent_mask[] =
    "SELECT purpose FROM consents WHERE person_id = ? AND withdrawn_at IS NULL";
static const char sql_consent_give[] =
    "INSERT INTO consents (person_id, purpose, given_at, how, recorded_by) VALUES (?, ?, ?, ?, ?)";
static const char sql_consent_withdraw[] =
    "UPDATE consents SET withdrawn_at = ?, withdrawn_by = ? "
    "WHERE person_id = ? AND purpose = ? AND withdrawn_at IS NULL";

enum noaber_err
residents_store_consents(struct noaber_db *db, int64_t person, struct residents_consent **out,
                         size_t *n, struct noaber_arena *a)
{
    struct noaber_stmt *st;
    size_t cap = 0;
    int row = 0;
    *out = NULL;
    *n = 0;
    enum noaber_err e = noaber_db_query(db, &st, sql_consents, "i", person);
    while (e == NOABER_OK && (e = noaber_stmt_step(st, &row)) == NOABER_OK && row) {
        *out = noaber_arena_grow(a, *out, *n, &cap, sizeof **out);
        if (!*out)
            return NOABER_E_TOO_LARGE;
        struct residents_consent *c = &(*out)[(*n)++];
        c->id = noaber_stmt_int(st, 0);
        c->person_id = person;
        c->purpose = residents_purpose_parse(noaber_stmt_text(st, 1));
        c->how = residents_how_parse(noaber_stmt_text(st, 2));
        c->given_at = noaber_stmt_int(st, 3);
        c->withdrawn_at = noaber_stmt_int(st, 4);
        c->recorded_by = noaber_stmt_str(st, 5, a);
        c->withdrawn_by = noaber_stmt_str(st, 6, a);
        if (!c->recorded_by || !c->withdrawn_by)
            e = NOABER_E_TOO_LARGE;
    }
    noaber_stmt_reset(st);
    return e;
}

enum noaber_err
residents_store_consent_mask(struct noaber_db *db, int64_t person, residents_cset *out)
{
    struct noaber_stmt *st;
    int row = 0;
    *out = 0;
    enum noaber_err e = noaber_db_query(db, &st, sql_consent_mask, "i", person);
    while (e == NOABER_OK && (e = noaber_stmt_step(st, &row)) == NOABER_OK && row) {
        enum residents_purpose p = residents_purpose_parse(noaber_stmt_text(st, 0));
        if (p < RESIDENTS_P__MAX)
            *out |= 1u << p;
    }
    noaber_stmt_reset(st);
    return e;
}

enum noaber_err
residents_store_consent_give(struct noaber_db *db, int64_t person, enum residents_purpose p,
                             int64_t at, enum residents_how how, int64_t by)
{
    return noaber_db_run(db, sql_consent_give, "ititI", person, residents_purpose_name(p), at,
                         residents_how_name(how), by);
}

enum noaber_err
residents_store_consent_withdraw(struct noaber_db *db, int64_t person, enum residents_purpose p,
                                 int64_t at, int64_t by)
{
    return noaber_db_run(db, sql_consent_withdraw, "iIit", at, by, person,
                         residents_purpose_name(p));
}

/* --- machtigingen and the acted-for log ------------------------------------------------------- */

static const char sql_auth_add[] =
    "INSERT INTO authorisations (person_id, connector_id, granted_at, ends_at, how, recorded_by) "
    "VALUES (?, ?, ?, ?, ?, ?)";
static const char sql_auths[] =
    "SELECT a.id, a.connector_id, COALESCE(k.display_name, ''), a.granted_at, a.ends_at, "
    "COALESCE(a.revoked_at, 0), a.how FROM authorisations a "
    "LEFT JOIN persons k ON k.id = a.connector_id WHERE a.person_id = ? "
    "ORDER BY a.granted_at DESC, a.id DESC";
static const char sql_auth_check[] =
    "SELECT granted_at, ends_at, COALESCE(revoked_at, 0) FROM authorisations "
    "WHERE person_id = ? AND connector_id = ?";
static const char sql_auth_connector[] =
    "SELECT connector_id FROM authorisations WHERE id = ? AND person_id = ?";
static const char sql_auth_revoke[] = "UPDATE authorisations SET revoked_at = ?, revoked_by = ? "
                                      "WHERE id = ? AND person_id = ? AND revoked_at IS NULL";
static const char sql_acted_add[] = "INSERT INTO acted_for (at, connector_id, person_id, action, "
                                    "detail) VALUES (?, ?, ?, ?, ?)";
static const char sql_acted[] =
    "SELECT x.at, COALESCE(x.connector_id, 0), COALESCE(k.display_name, ''), x.action, x.detail "
    "FROM acted_for x LEFT JOIN persons k ON k.id = x.connector_id WHERE x.person_id = ? "
    "ORDER BY x.at DESC, x.id DESC LIMIT ?";

enum noaber_err
residents_store_auth_add(struct noaber_db *db, int64_t person, int64_t connector, int64_t granted,
                         int64_t ends, enum residents_how how, int64_t by)
{
    return noaber_db_run(db, sql_auth_add, "iiiitI", person, connector, granted, ends,
                         residents_how_name(how), by);
}

enum noaber_err
residents_store_auths(struct noaber_db *db, int64_t person, int64_t now,
                      struct residents_authorisation **out, size_t *n, struct noaber_arena *a)
{
    struct noaber_stmt *st;
    size_t cap = 0;
    int row = 0;
    *out = NULL;
    *n = 0;
    enum noaber_err e = noaber_db_query(db, &st, sql_auths, "i", person);
    while (e == NOABER_OK && (e = noaber_stmt_step(st, &row)) == NOABER_OK && row) {
        *out = noaber_arena_grow(a, *out, *n, &cap, sizeof **out);
        if (!*out)
            return NOABER_E_TOO_LARGE;
        struct residents_authorisation *x = &(*out)[(*n)++];
        x->id = noaber_stmt_int(st, 0);
        x->person_id = person;
        x->connector_id = noaber_stmt_int(st, 1);
        x->connector_name = noaber_stmt_str(st, 2, a);
        x->granted_at = noaber_stmt_int(st, 3);
        x->ends_at = noaber_stmt_int(st, 4);
        x->revoked_at = noaber_stmt_int(st, 5);
        x->how = residents_how_parse(noaber_stmt_text(st, 6));
        x->valid = residents_authorisation_valid(x->granted_at, x->ends_at, x->revoked_at, now);
        if (!x->connector_name)
            e = NOABER_E_TOO_LARGE;
    }
    noaber_stmt_reset(st);
    return e;
}

enum noaber_err
residents_store_auth_check(struct noaber_db *db, int64_t person, int64_t connector, int64_t now,
                           int *valid, int *any)
{
    struct noaber_stmt *st;
    int row = 0;
    *valid = *any = 0;
    enum noaber_err e = noaber_db_query(db, &st, sql_auth_check, "ii", person, connector);
    while (e == NOABER_OK && (e = noaber_stmt_step(st, &row)) == NOABER_OK && row) {
        *any = 1;
        if (residents_authorisation_valid(noaber_stmt_int(st, 0), noaber_stmt_int(st, 1),
                                          noaber_stmt_int(st, 2), now))
            *valid = 1;
    }
    noaber_stmt_reset(st);
    return e;
}

enum noaber_err
residents_store_auth_connector(struct noaber_db *db, int64_t id, int64_t person, int64_t *connector)
{
    int found = 0;
    *connector = 0;
    return noaber_db_int(db, connector, &found, sql_auth_connector, "ii", id, person);
}

enum noaber_err
residents_store_auth_revoke(struct noaber_db *db, int64_t id, int64_t person, int64_t at,
                            int64_t by, int64_t *changed)
{
    enum noaber_err e = noaber_db_run(db, sql_auth_revoke, "iIii", at, by, id, person);
    *changed = e == NOABER_OK ? noaber_db_changes(db) : 0;
    return e;
}

enum noaber_err
residents_store_acted_add(struct noaber_db *db, int64_t connector, int64_t person,
                          const char *action, const char *detail, int64_t at)
{
    return noaber_db_run(db, sql_acted_add, "iIitt", at, connector, person, action,
                         detail ? detail : "");
}

enum noaber_err
residents_store_acted(struct noaber_db *db, int64_t person, int64_t limit,
                      struct residents_acted **out, size_t *n, struct noaber_arena *a)
{
    struct noaber_stmt *st;
    size_t cap = 0;
    int row = 0;
    *out = NULL;
    *n = 0;
    enum noaber_err e = noaber_db_query(db, &st, sql_acted, "ii", person, limit);
    while (e == NOABER_OK && (e = noaber_stmt_step(st, &row)) == NOABER_OK && row) {
        *out = noaber_arena_grow(a, *out, *n, &cap, sizeof **out);
        if (!*out)
            return NOABER_E_TOO_LARGE;
        struct residents_acted *x = &(*out)[(*n)++];
        x->at = noaber_stmt_int(st, 0);
        x->connector_id = noaber_stmt_int(st, 1);
        x->connector_name = noaber_stmt_str(st, 2, a);
        x->action = noaber_stmt_str(st, 3, a);
        x->detail = noaber_stmt_str(st, 4, a);
        if (!x->connector_name || !x->action || !x->detail)
            e = NOABER_E_TOO_LARGE;
    }
    noaber_stmt_reset(st);
    return e;
}

/* --- intake, caseload, notes ------------------------------------------------------------------ */

static const char sql_intake_add[] = "INSERT INTO intakes (person_id, neighbourhood_id, "
                                     "recorded_by, place, at) VALUES (?, ?, ?, ?, ?)";
static const char sql_intake_last[] =
    "SELECT i.at, COALESCE(k.display_name, ''), i.place FROM intakes i "
    "LEFT JOIN persons k ON k.id = i.recorded_by WHERE i.person_id = ? AND i.neighbourhood_id = ? "
    "ORDER BY i.at DESC, i.id DESC LIMIT 1";
static const char sql_case_get[] =
    "SELECT COALESCE(c.connector_id, 0), c.since, COALESCE(c.next_contact_at, 0), "
    "COALESCE(k.display_name, '') FROM caseload c LEFT JOIN persons k ON k.id = c.connector_id "
    "WHERE c.person_id = ? AND c.neighbourhood_id = ?";
static const char sql_case_put[] =
    "INSERT INTO caseload (person_id, neighbourhood_id, connector_id, since, next_contact_at) "
    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (person_id, neighbourhood_id) DO UPDATE SET "
    "connector_id = excluded.connector_id, since = excluded.since, "
    "next_contact_at = excluded.next_contact_at";
static const char sql_case_clear_next[] =
    "UPDATE caseload SET next_contact_at = NULL WHERE person_id = ?";
#define CASE_COLUMNS                                                                               \
    "SELECT c.person_id, p.display_name, COALESCE(c.connector_id, 0), "                            \
    "COALESCE(k.display_name, ''), c.since, COALESCE(c.next_contact_at, 0), "                      \
    "CASE WHEN EXISTS (SELECT 1 FROM consents x WHERE x.person_id = c.person_id "                  \
    "AND x.purpose = 'contact' AND x.withdrawn_at IS NULL) THEN 1 ELSE 0 END "                     \
    "FROM caseload c JOIN persons p ON p.id = c.person_id "                                        \
    "LEFT JOIN persons k ON k.id = c.connector_id "
#define CASE_ORDER                                                                                 \
    " ORDER BY CASE WHEN c.next_contact_at IS NULL THEN 1 ELSE 0 END, c.next_contact_at, "         \
    "p.display_name, c.person_id LIMIT 1000"
static const char sql_cases_of[] =
    CASE_COLUMNS "WHERE c.neighbourhood_id = ? AND c.connector_id = ?" CASE_ORDER;
static const char sql_cases_all[] =
    CASE_COLUMNS "WHERE c.neighbourhood_id = ? AND c.connector_id IS NOT NULL" CASE_ORDER;
static const char sql_unfollowed[] =
    "SELECT p.id, p.display_name FROM memberships m JOIN persons p ON p.id = m.person_id "
    "WHERE m.neighbourhood_id = ? AND m.role = 'resident' AND m.confirmed_at IS NOT NULL "
    "AND NOT EXISTS (SELECT 1 FROM caseload c WHERE c.person_id = m.person_id "
    "AND c.neighbourhood_id = m.neighbourhood_id AND c.connector_id IS NOT NULL) "
    "ORDER BY p.display_name, p.id LIMIT 1000";
static const char sql_note_add[] = "INSERT INTO contact_notes (person_id, neighbourhood_id, "
                                   "author_id, at, text) VALUES (?, ?, ?, ?, ?)";
static const char sql_health_add[] = "INSERT INTO health_notes (person_id, neighbourhood_id, "
                                     "author_id, at, text) VALUES (?, ?, ?, ?, ?)";
static const char sql_notes[] =
    "SELECT n.id, n.at, COALESCE(n.author_id, 0), COALESCE(k.display_name, ''), n.text "
    "FROM contact_notes n LEFT JOIN persons k ON k.id = n.author_id "
    "WHERE n.person_id = ? AND n.neighbourhood_id = ? ORDER BY n.at DESC, n.id DESC LIMIT 200";
static const char sql_health[] =
    "SELECT n.id, n.at, COALESCE(n.author_id, 0), COALESCE(k.display_name, ''), n.text "
    "FROM health_notes n LEFT JOIN persons k ON k.id = n.author_id "
    "WHERE n.person_id = ? AND n.neighbourhood_id = ? ORDER BY n.at DESC, n.id DESC LIMIT 200";
static const char sql_health_delete[] = "DELETE FROM health_notes WHERE person_id = ?";

enum noaber_err
residents_store_intake_add(struct noaber_db *db, int64_t person, int64_t hood, int64_t by,
                           const char *place, int64_t at)
{
    return noaber_db_run(db, sql_intake_add, "iiIti", person, hood, by, place, at);
}

enum noaber_err
residents_store_intake_last(struct noaber_db *db, int64_t person, int64_t hood, int64_t *at,
                            const char **by, const char **place, struct noaber_arena *a)
{
    struct noaber_stmt *st;
    int row = 0;
    *at = 0;
    *by = *place = "";
    enum noaber_err e = noaber_db_query(db, &st, sql_intake_last, "ii", person, hood);
    if (e == NOABER_OK)
        e = noaber_stmt_step(st, &row);
    if (e == NOABER_OK && row) {
        *at = noaber_stmt_int(st, 0);
        *by = noaber_stmt_str(st, 1, a);
        *place = noaber_stmt_str(st, 2, a);
        if (!*by || !*place)
            e = NOABER_E_TOO_LARGE;
    }
    noaber_stmt_reset(st);
    return e;
}

enum noaber_err
residents_store_case_get(struct noaber_db *db, int64_t person, int64_t hood, int64_t *connector,
                         int64_t *since, int64_t *next, const char **connector_name, int *found,
                         struct noaber_arena *a)
{
    struct noaber_stmt *st;
    *found = 0;
    *connector = *since = *next = 0;
    *connector_name = "";
    enum noaber_err e = noaber_db_query(db, &st, sql_case_get, "ii", person, hood);
    if (e == NOABER_OK)
        e = noaber_stmt_step(st, found);
    if (e == NOABER_OK && *found) {
        *connector = noaber_stmt_int(st, 0);
        *since = noaber_stmt_int(st, 1);
        *next = noaber_stmt_int(st, 2);
        *connector_name = noaber_stmt_str(st, 3, a);
        if (!*connector_name)
            e = NOABER_E_TOO_LARGE;
    }
    noaber_stmt_reset(st);
    return e;
}

enum noaber_err
residents_store_case_put(struct noaber_db *db, int64_t person, int64_t hood, int64_t connector,
                         int64_t since, int64_t next)
{
    return noaber_db_run(db, sql_case_put, "iiIiI", person, hood, connector, since, next);
}

enum noaber_err
residents_store_case_clear_next(struct noaber_db *db, int64_t person)
{
    return noaber_db_run(db, sql_case_clear_next, "i", person);
}

static enum noaber_err
case_rows(struct noaber_stmt *st, enum noaber_err e, int full, struct residents_case **out,
          size_t *n, struct noaber_arena *a)
{
    size_t cap = 0;
    int row = 0;
    *out = NULL;
    *n = 0;
    while (e == NOABER_OK && (e = noaber_stmt_step(st, &row)) == NOABER_OK && row) {
        *out = noaber_arena_grow(a, *out, *n, &cap, sizeof **out);
        if (!*out) {
            noaber_stmt_reset(st);
            return NOABER_E_TOO_LARGE;
        }
        struct residents_case *c = &(*out)[(*n)++];
        memset(c, 0, sizeof *c);
        c->person_id = noaber_stmt_int(st, 0);
        c->name = noaber_stmt_str(st, 1, a);
        c->connector_name = "";
        if (full) {
            c->connector_id = noaber_stmt_int(st, 2);
            c->connector_name = noaber_stmt_str(st, 3, a);
            c->since = noaber_stmt_int(st, 4);
            c->next_contact_at = noaber_stmt_int(st, 5);
            c->contact_allowed = (int)noaber_stmt_int(st, 6);
        }
        if (!c->name || !c->connector_name)
            e = NOABER_E_TOO_LARGE;
    }
    noaber_stmt_reset(st);
    return e;
}

enum noaber_err
residents_store_cases(struct noaber_db *db, int64_t hood, int64_t connector,
                      struct residents_case **out, size_t *n, struct noaber_arena *a)
{
    struct noaber_stmt *st = NULL;
    enum noaber_err e = connector ? noaber_db_query(db, &st, sql_cases_of, "ii", hood, connector)
                                  : noaber_db_query(db, &st, sql_cases_all, "i", hood);
    if (e != NOABER_OK)
        return e;
    return case_rows(st, e, 1, out, n, a);
}

enum noaber_err
residents_store_unfollowed(struct noaber_db *db, int64_t hood, struct residents_case **out,
                           size_t *n, struct noaber_arena *a)
{
    struct noaber_stmt *st = NULL;
    enum noaber_err e = noaber_db_query(db, &st, sql_unfollowed, "i", hood);
    if (e != NOABER_OK)
        return e;
    return case_rows(st, e, 0, out, n, a);
}

enum noaber_err
residents_store_note_add(struct noaber_db *db, int health, int64_t person, int64_t hood,
                         int64_t author, const char *note, int64_t at)
{
    return noaber_db_run(db, health ? sql_health_add : sql_note_add, "iiIit", person, hood, author,
                         at, note);
}

enum noaber_err
residents_store_notes(struct noaber_db *db, int health, int64_t person, int64_t hood,
                      struct residents_note **out, size_t *n, struct noaber_arena *a)
{
    struct noaber_stmt *st;
    size_t cap = 0;
    int row = 0;
    *out = NULL;
    *n = 0;
    enum noaber_err e =
        noaber_db_query(db, &st, health ? sql_health : sql_notes, "ii", person, hood);
    while (e == NOABER_OK && (e = noaber_stmt_step(st, &row)) == NOABER_OK && row) {
        *out = noaber_arena_grow(a, *out, *n, &cap, sizeof **out);
        if (!*out)
            return NOABER_E_TOO_LARGE;
        struct residents_note *x = &(*out)[(*n)++];
        x->id = noaber_stmt_int(st, 0);
        x->at = noaber_stmt_int(st, 1);
        x->author_id = noaber_stmt_int(st, 2);
        x->author_name = noaber_stmt_str(st, 3, a);
        x->text = noaber_stmt_str(st, 4, a);
        if (!x->author_name || !x->text)
            e = NOABER_E_TOO_LARGE;
    }
    noaber_stmt_reset(st);
    return e;
}

enum noaber_err
residents_store_health_delete(struct noaber_db *db, int64_t person)
{
    return noaber_db_run(db, sql_health_delete, "i", person);
}

/* --- who can help, figures -------------------------------------------------------------------- */

static const char sql_helpers[] =
    "SELECT p.id, p.display_name, f.about, f.abilities, f.offers, f.availability, p.phone, "
    "COALESCE(f.visible, 0) FROM profile_skills ps JOIN skills s ON s.id = ps.skill_id "
    "JOIN persons p ON p.id = ps.person_id "
    "JOIN memberships m ON m.person_id = p.id AND m.neighbourhood_id = ? "
    "AND m.role IN ('resident', 'connector', 'coordinator') AND m.confirmed_at IS NOT NULL "
    "LEFT JOIN profiles f ON f.person_id = p.id "
    "WHERE s.slug = ? AND s.active = 1 AND ps.offers = 1 AND p.id <> ? "
    "AND EXISTS (SELECT 1 FROM consents c WHERE c.person_id = p.id AND c.purpose = 'matching' "
    "AND c.withdrawn_at IS NULL) ORDER BY p.display_name, p.id LIMIT 200";
static const char sql_count_residents[] =
    "SELECT count(*) FROM memberships WHERE neighbourhood_id = ? AND role = 'resident' "
    "AND confirmed_at IS NOT NULL";
static const char sql_count_profiles[] =
    "SELECT count(*) FROM memberships m JOIN profiles f ON f.person_id = m.person_id "
    "WHERE m.neighbourhood_id = ? AND m.role = 'resident'";
static const char sql_count_intakes[] =
    "SELECT count(*) FROM intakes WHERE neighbourhood_id = ? AND at >= ?";
static const char sql_count_followed[] =
    "SELECT count(*) FROM caseload WHERE neighbourhood_id = ? AND connector_id IS NOT NULL";
static const char sql_count_consents[] =
    "SELECT c.purpose, count(DISTINCT c.person_id) FROM consents c "
    "JOIN memberships m ON m.person_id = c.person_id AND m.neighbourhood_id = ? "
    "AND m.role = 'resident' WHERE c.withdrawn_at IS NULL GROUP BY c.purpose";
static const char sql_count_skills[] =
    "SELECT s.slug, s.label_nl, s.label_en, "
    "COALESCE(SUM(CASE WHEN ps.offers = 1 THEN 1 ELSE 0 END), 0), "
    "COALESCE(SUM(CASE WHEN ps.wants = 1 THEN 1 ELSE 0 END), 0) FROM skills s "
    "LEFT JOIN profile_skills ps ON ps.skill_id = s.id AND ps.person_id IN "
    "(SELECT person_id FROM memberships WHERE neighbourhood_id = ? AND role = 'resident') "
    "WHERE s.active = 1 GROUP BY s.id, s.slug, s.label_nl, s.label_en, s.sort "
    "ORDER BY s.sort, s.slug";

enum noaber_err
residents_store_helpers(struct noaber_db *db, int64_t hood, const char *skill, int64_t exclude,
                        struct residents_helper **out, size_t *n, struct noaber_arena *a)
{
    struct noaber_stmt *st;
    size_t cap = 0;
    int row = 0;
    *out = NULL;
    *n = 0;
    enum noaber_err e = noaber_db_query(db, &st, sql_helpers, "iti", hood, skill, exclude);
    while (e == NOABER_OK && (e = noaber_stmt_step(st, &row)) == NOABER_OK && row) {
        *out = noaber_arena_grow(a, *out, *n, &cap, sizeof **out);
        if (!*out)
            return NOABER_E_TOO_LARGE;
        struct residents_helper *h = &(*out)[(*n)++];
        h->person_id = noaber_stmt_int(st, 0);
        h->name = noaber_stmt_str(st, 1, a);
        h->about = noaber_stmt_str(st, 2, a);
        h->abilities = noaber_stmt_str(st, 3, a);
        h->offers = noaber_stmt_str(st, 4, a);
        h->availability = noaber_stmt_str(st, 5, a);
        h->phone = noaber_stmt_str(st, 6, a);
        h->fields = (unsigned)noaber_stmt_int(st, 7); /* the visible mask, filtered by caller */
        h->skills_offered = "";
        if (noaber_arena_overflowed(a))
            e = NOABER_E_TOO_LARGE;
    }
    noaber_stmt_reset(st);
    /* The skills each helper offers, for showing them. */
    for (size_t i = 0; e == NOABER_OK && i < *n; i++) {
        struct residents_profile p;
        e = profile_skills(db, (*out)[i].person_id, &p, a);
        if (e == NOABER_OK)
            (*out)[i].skills_offered = p.skills_offered ? p.skills_offered : "";
    }
    return e;
}

enum noaber_err
residents_store_report(struct noaber_db *db, int64_t hood, int64_t month_start,
                       struct residents_report *out, struct noaber_arena *a)
{
    memset(out, 0, sizeof *out);
    enum noaber_err e = noaber_db_int(db, &out->residents, NULL, sql_count_residents, "i", hood);
    if (e == NOABER_OK)
        e = noaber_db_int(db, &out->profiles, NULL, sql_count_profiles, "i", hood);
    if (e == NOABER_OK)
        e = noaber_db_int(db, &out->intakes_month, NULL, sql_count_intakes, "ii", hood,
                          month_start);
    if (e == NOABER_OK)
        e = noaber_db_int(db, &out->followed, NULL, sql_count_followed, "i", hood);
    struct noaber_stmt *st;
    int row = 0;
    if (e == NOABER_OK) {
        e = noaber_db_query(db, &st, sql_count_consents, "i", hood);
        while (e == NOABER_OK && (e = noaber_stmt_step(st, &row)) == NOABER_OK && row) {
            enum residents_purpose p = residents_purpose_parse(noaber_stmt_text(st, 0));
            if (p < RESIDENTS_P__MAX)
                out->consents[p] = noaber_stmt_int(st, 1);
        }
        noaber_stmt_reset(st);
    }
    size_t cap = 0;
    if (e == NOABER_OK) {
        e = noaber_db_query(db, &st, sql_count_skills, "i", hood);
        while (e == NOABER_OK && (e = noaber_stmt_step(st, &row)) == NOABER_OK && row) {
            out->skills =
                noaber_arena_grow(a, out->skills, out->nskills, &cap, sizeof *out->skills);
            if (!out->skills) {
                noaber_stmt_reset(st);
                return NOABER_E_TOO_LARGE;
            }
            struct residents_report_skill *s = &out->skills[out->nskills++];
            s->slug = noaber_stmt_str(st, 0, a);
            s->label_nl = noaber_stmt_str(st, 1, a);
            s->label_en = noaber_stmt_str(st, 2, a);
            s->offered = noaber_stmt_int(st, 3);
            s->wanted = noaber_stmt_int(st, 4);
            if (noaber_arena_overflowed(a))
                e = NOABER_E_TOO_LARGE;
        }
        noaber_stmt_reset(st);
    }
    return e;
}
