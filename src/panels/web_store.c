/*
 * All SQL of the panels' web part: panels with their quotas and questions, the address list of
 * stage 1, response code hashes, volunteers and the runs of the draw. Plain SQL that SQLite and
 * PostgreSQL share, values always bound; rows are mapped onto the caller's arena. Volunteers'
 * names and contact details are read from persons (members' table) by a join; persons are
 * written through members alone.
 */
#include "panels/web_int.h"

#include "base/arena.h"
#include "db/db.h"

#include <string.h>

/* --- panels ----------------------------------------------------------------------------------- */

static const char sql_panel_add[] =
    "INSERT INTO panels (neighbourhood_id, title, purpose, k, reserves, code_key, created_at, "
    "created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char sql_quota_add[] =
    "INSERT INTO panel_quotas (panel_id, feature, value, min, max, sort) VALUES (?, ?, ?, ?, ?, ?)";
static const char sql_quota_set[] =
    "UPDATE panel_quotas SET min = ?, max = ? WHERE panel_id = ? AND feature = ? AND value = ?";
static const char sql_question_add[] =
    "INSERT INTO panel_questions (panel_id, feature, question, sort) VALUES (?, ?, ?, ?)";
#define PANEL_COLS                                                                                 \
    "SELECT p.id, p.neighbourhood_id, p.title, p.purpose, p.k, p.reserves, p.stage, "              \
    "p.addresses_total, p.invited, p.seed, p.seed_at, p.created_at, p.closed_at, p.drawn_at, "     \
    "p.published_at, "                                                                             \
    "(SELECT count(*) FROM panel_volunteers v WHERE v.panel_id = p.id), "                          \
    "(SELECT count(*) FROM panel_addresses d WHERE d.panel_id = p.id AND d.drawn = 0), "           \
    "(SELECT count(*) FROM panel_codes c WHERE c.panel_id = p.id AND c.used_at IS NOT NULL) "      \
    "FROM panels p "
static const char sql_panels[] =
    PANEL_COLS "WHERE p.neighbourhood_id = ? ORDER BY p.created_at DESC, p.id DESC";
static const char sql_panel[] = PANEL_COLS "WHERE p.id = ? AND (p.neighbourhood_id = ? OR ? = 0)";
static const char sql_quotas[] = "SELECT feature, value, min, max FROM panel_quotas "
                                 "WHERE panel_id = ? ORDER BY sort";
static const char sql_questions[] = "SELECT feature, question FROM panel_questions "
                                    "WHERE panel_id = ? ORDER BY sort";
static const char sql_run_latest[] =
    "SELECT id, status, runner, child_pid, dir, started_at, finished_at, message, distribution, "
    "draw, profiles FROM panel_runs WHERE panel_id = ? ORDER BY started_at DESC, id DESC LIMIT 1";
static const char sql_code_key[] = "SELECT code_key FROM panels WHERE id = ?";

enum noaber_err
web_store_panel_add(struct noaber_db *db, int64_t hood, const struct panels_new *in,
                    const char *code_key, int64_t now, int64_t by, int64_t *id)
{
    return noaber_db_int(db, id, NULL, sql_panel_add, "ittiitiI", hood, in->title, in->purpose,
                         in->k, in->reserves, code_key, now, by);
}

enum noaber_err
web_store_quota_add(struct noaber_db *db, int64_t panel, const struct panels_quota *q, int sort)
{
    return noaber_db_run(db, sql_quota_add, "ittddd", panel, q->feature, q->value, q->min, q->max,
                         sort);
}

enum noaber_err
web_store_quota_set(struct noaber_db *db, int64_t panel, const struct panels_quota *q)
{
    return noaber_db_run(db, sql_quota_set, "dditt", q->min, q->max, panel, q->feature, q->value);
}

enum noaber_err
web_store_question_add(struct noaber_db *db, int64_t panel, const struct panels_question *q,
                       int sort)
{
    return noaber_db_run(db, sql_question_add, "ittd", panel, q->feature, q->question, sort);
}

static void
panel_row(struct noaber_stmt *st, struct panels_panel *p, struct noaber_arena *a)
{
    memset(p, 0, sizeof *p);
    p->id = noaber_stmt_int(st, 0);
    p->neighbourhood_id = noaber_stmt_int(st, 1);
    p->title = noaber_stmt_str(st, 2, a);
    p->purpose = noaber_stmt_str(st, 3, a);
    p->k = (int)noaber_stmt_int(st, 4);
    p->reserves = (int)noaber_stmt_int(st, 5);
    p->stage = panels_stage_parse(noaber_stmt_text(st, 6));
    p->addresses_total = noaber_stmt_int(st, 7);
    p->invited = noaber_stmt_int(st, 8);
    p->seed = noaber_stmt_str(st, 9, a);
    p->seed_at = noaber_stmt_int(st, 10);
    p->created_at = noaber_stmt_int(st, 11);
    p->closed_at = noaber_stmt_int(st, 12);
    p->drawn_at = noaber_stmt_int(st, 13);
    p->published_at = noaber_stmt_int(st, 14);
    p->volunteers = noaber_stmt_int(st, 15);
    p->addresses_left = noaber_stmt_int(st, 16);
    p->codes_used = noaber_stmt_int(st, 17);
}

enum noaber_err
web_store_panels(struct noaber_db *db, int64_t hood, struct panels_panel **out, size_t *n,
                 struct noaber_arena *a)
{
    struct noaber_stmt *st;
    size_t cap = 0;
    int row = 0;
    *out = NULL;
    *n = 0;
    enum noaber_err e = noaber_db_query(db, &st, sql_panels, "i", hood);
    while (e == NOABER_OK && (e = noaber_stmt_step(st, &row)) == NOABER_OK && row) {
        if (!(*out = noaber_arena_grow(a, *out, *n, &cap, sizeof **out)))
            return NOABER_E_TOO_LARGE;
        panel_row(st, &(*out)[(*n)++], a);
    }
    return e;
}

static enum noaber_err
quotas(struct noaber_db *db, struct panels_panel *p, struct noaber_arena *a)
{
    struct noaber_stmt *st;
    size_t cap = 0;
    int row = 0;
    enum noaber_err e = noaber_db_query(db, &st, sql_quotas, "i", p->id);
    while (e == NOABER_OK && (e = noaber_stmt_step(st, &row)) == NOABER_OK && row) {
        if (!(p->quotas = noaber_arena_grow(a, p->quotas, p->nquotas, &cap, sizeof *p->quotas)))
            return NOABER_E_TOO_LARGE;
        struct panels_quota *q = &p->quotas[p->nquotas++];
        q->feature = noaber_stmt_str(st, 0, a);
        q->value = noaber_stmt_str(st, 1, a);
        q->min = (int)noaber_stmt_int(st, 2);
        q->max = (int)noaber_stmt_int(st, 3);
    }
    cap = 0;
    if (e == NOABER_OK)
        e = noaber_db_query(db, &st, sql_questions, "i", p->id);
    while (e == NOABER_OK && (e = noaber_stmt_step(st, &row)) == NOABER_OK && row) {
        if (!(p->questions =
                  noaber_arena_grow(a, p->questions, p->nquestions, &cap, sizeof *p->questions)))
            return NOABER_E_TOO_LARGE;
        struct panels_question *q = &p->questions[p->nquestions++];
        q->feature = noaber_stmt_str(st, 0, a);
        q->question = noaber_stmt_str(st, 1, a);
    }
    if (e == NOABER_OK && !(p->features = panels_features(p->quotas, p->nquotas, &p->nfeatures, a)))
        e = NOABER_E_TOO_LARGE;
    return e;
}

static enum noaber_err
latest_run(struct noaber_db *db, struct panels_panel *p, struct noaber_arena *a)
{
    struct noaber_stmt *st;
    int row = 0;
    enum noaber_err e = noaber_db_query(db, &st, sql_run_latest, "i", p->id);
    if (e == NOABER_OK)
        e = noaber_stmt_step(st, &row);
    if (e == NOABER_OK && row) {
        struct panels_run *r = &p->run;
        r->id = noaber_stmt_int(st, 0);
        r->status = noaber_stmt_str(st, 1, a);
        r->runner = noaber_stmt_str(st, 2, a);
        r->child_pid = noaber_stmt_int(st, 3);
        r->dir = noaber_stmt_str(st, 4, a);
        r->started_at = noaber_stmt_int(st, 5);
        r->finished_at = noaber_stmt_int(st, 6);
        r->message = noaber_stmt_str(st, 7, a);
        r->distribution = noaber_stmt_str(st, 8, a);
        r->draw = noaber_stmt_str(st, 9, a);
        r->profiles = noaber_stmt_str(st, 10, a);
    }
    noaber_stmt_reset(st);
    return e;
}

enum noaber_err
web_store_panel(struct noaber_db *db, int64_t hood, int64_t id, struct panels_panel *out,
                int *found, struct noaber_arena *a)
{
    struct noaber_stmt *st;
    int row = 0;
    *found = 0;
    enum noaber_err e = noaber_db_query(db, &st, sql_panel, "iii", id, hood, hood);
    if (e == NOABER_OK)
        e = noaber_stmt_step(st, &row);
    if (e == NOABER_OK && row)
        panel_row(st, out, a);
    noaber_stmt_reset(st);
    if (e != NOABER_OK || !row)
        return e;
    *found = 1;
    e = quotas(db, out, a);
    return e == NOABER_OK ? latest_run(db, out, a) : e;
}

enum noaber_err
web_store_code_key(struct noaber_db *db, int64_t id, char **key, struct noaber_arena *a)
{
    struct noaber_stmt *st;
    int row = 0;
    enum noaber_err e = noaber_db_query(db, &st, sql_code_key, "i", id);
    if (e == NOABER_OK)
        e = noaber_stmt_step(st, &row);
    *key = row ? noaber_stmt_dup(st, 0, a) : NULL;
    noaber_stmt_reset(st);
    return e == NOABER_OK && !*key ? NOABER_E_NOT_FOUND : e;
}

/* --- addresses and codes ---------------------------------------------------------------------- */

static const char sql_addr_clear[] = "DELETE FROM panel_addresses WHERE panel_id = ?";
static const char sql_addr_add[] = "INSERT INTO panel_addresses (panel_id, street, house_number, "
                                   "postcode, town) VALUES (?, ?, ?, ?, ?)";
static const char sql_addr_total[] = "UPDATE panels SET addresses_total = ? WHERE id = ?";
static const char sql_undrawn[] =
    "SELECT id FROM panel_addresses WHERE panel_id = ? AND drawn = 0 ORDER BY id";
static const char sql_addr_drawn[] = "UPDATE panel_addresses SET drawn = 1 WHERE id = ?";
static const char sql_invited[] = "UPDATE panels SET invited = invited + ? WHERE id = ?";
static const char sql_drawn[] = "SELECT id, street, house_number, postcode, town FROM "
                                "panel_addresses WHERE panel_id = ? AND drawn = 1 ORDER BY "
                                "postcode, street, house_number, id";
static const char sql_code_add[] =
    "INSERT INTO panel_codes (code_hash, panel_id, created_at) VALUES (?, ?, ?)";
static const char sql_code_find[] = "SELECT panel_id, used_at FROM panel_codes WHERE code_hash = ?";
static const char sql_code_use[] =
    "UPDATE panel_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL";
static const char sql_close[] = "UPDATE panels SET stage = 'closed', code_key = '', closed_at = ? "
                                "WHERE id = ? AND stage = 'open'";
static const char sql_seed[] = "UPDATE panels SET seed = ?, seed_at = ? WHERE id = ?";
static const char sql_k[] = "UPDATE panels SET k = ? WHERE id = ?";
static const char sql_details[] =
    "UPDATE panels SET title = ?, purpose = ?, reserves = ? WHERE id = ?";
static const char sql_stage_drawn[] =
    "UPDATE panels SET stage = 'drawn', drawn_at = ? WHERE id = ?";
static const char sql_stage_published[] =
    "UPDATE panels SET stage = 'published', published_at = ? WHERE id = ?";

enum noaber_err
web_store_addresses_clear(struct noaber_db *db, int64_t panel)
{
    return noaber_db_run(db, sql_addr_clear, "i", panel);
}

enum noaber_err
web_store_address_add(struct noaber_db *db, int64_t panel, const struct panels_address *ad)
{
    return noaber_db_run(db, sql_addr_add, "itttt", panel, ad->street, ad->house_number,
                         ad->postcode, ad->town);
}

enum noaber_err
web_store_panel_addresses(struct noaber_db *db, int64_t panel, int64_t total)
{
    return noaber_db_run(db, sql_addr_total, "ii", total, panel);
}

enum noaber_err
web_store_undrawn(struct noaber_db *db, int64_t panel, int64_t **ids, size_t *n,
                  struct noaber_arena *a)
{
    struct noaber_stmt *st;
    size_t cap = 0;
    int row = 0;
    *ids = NULL;
    *n = 0;
    enum noaber_err e = noaber_db_query(db, &st, sql_undrawn, "i", panel);
    while (e == NOABER_OK && (e = noaber_stmt_step(st, &row)) == NOABER_OK && row) {
        if (!(*ids = noaber_arena_grow(a, *ids, *n, &cap, sizeof **ids)))
            return NOABER_E_TOO_LARGE;
        (*ids)[(*n)++] = noaber_stmt_int(st, 0);
    }
    return e;
}

enum noaber_err
web_store_address_drawn(struct noaber_db *db, int64_t address)
{
    return noaber_db_run(db, sql_addr_drawn, "i", address);
}

enum noaber_err
web_store_panel_invited(struct noaber_db *db, int64_t panel, int64_t more)
{
    return noaber_db_run(db, sql_invited, "ii", more, panel);
}

enum noaber_err
web_store_drawn(struct noaber_db *db, int64_t panel, struct web_address_row **out, size_t *n,
                struct noaber_arena *a)
{
    struct noaber_stmt *st;
    size_t cap = 0;
    int row = 0;
    *out = NULL;
    *n = 0;
    enum noaber_err e = noaber_db_query(db, &st, sql_drawn, "i", panel);
    while (e == NOABER_OK && (e = noaber_stmt_step(st, &row)) == NOABER_OK && row) {
        if (!(*out = noaber_arena_grow(a, *out, *n, &cap, sizeof **out)))
            return NOABER_E_TOO_LARGE;
        struct web_address_row *r = &(*out)[(*n)++];
        r->id = noaber_stmt_int(st, 0);
        r->a.street = noaber_stmt_str(st, 1, a);
        r->a.house_number = noaber_stmt_str(st, 2, a);
        r->a.postcode = noaber_stmt_str(st, 3, a);
        r->a.town = noaber_stmt_str(st, 4, a);
    }
    return e;
}

enum noaber_err
web_store_code_add(struct noaber_db *db, const char *hash, int64_t panel, int64_t now)
{
    return noaber_db_run(db, sql_code_add, "tii", hash, panel, now);
}

enum noaber_err
web_store_code_find(struct noaber_db *db, const char *hash, int64_t *panel, int64_t *used_at,
                    int *found)
{
    struct noaber_stmt *st;
    int row = 0;
    enum noaber_err e = noaber_db_query(db, &st, sql_code_find, "t", hash);
    if (e == NOABER_OK)
        e = noaber_stmt_step(st, &row);
    *found = row;
    *panel = row ? noaber_stmt_int(st, 0) : 0;
    *used_at = row ? noaber_stmt_int(st, 1) : 0;
    noaber_stmt_reset(st);
    return e;
}

enum noaber_err
web_store_code_use(struct noaber_db *db, const char *hash, int64_t now, int64_t *changed)
{
    enum noaber_err e = noaber_db_run(db, sql_code_use, "it", now, hash);
    *changed = e == NOABER_OK ? noaber_db_changes(db) : 0;
    return e;
}

enum noaber_err
web_store_close(struct noaber_db *db, int64_t panel, int64_t now)
{
    /* The rows go, not a flag: after stage 1 nobody needs to know who lives where. */
    enum noaber_err e = noaber_db_run(db, sql_addr_clear, "i", panel);
    return e == NOABER_OK ? noaber_db_run(db, sql_close, "ii", now, panel) : e;
}

enum noaber_err
web_store_seed(struct noaber_db *db, int64_t panel, const char *seed, int64_t now)
{
    return noaber_db_run(db, sql_seed, "tii", seed, now, panel);
}

enum noaber_err
web_store_details(struct noaber_db *db, int64_t panel, const char *title, const char *purpose,
                  int64_t reserves)
{
    return noaber_db_run(db, sql_details, "ttii", title, purpose, reserves, panel);
}

enum noaber_err
web_store_k(struct noaber_db *db, int64_t panel, int64_t k)
{
    return noaber_db_run(db, sql_k, "ii", k, panel);
}

enum noaber_err
web_store_stage(struct noaber_db *db, int64_t panel, enum panels_stage stage, int64_t now)
{
    if (stage == PANELS_STAGE_DRAWN)
        return noaber_db_run(db, sql_stage_drawn, "ii", now, panel);
    if (stage == PANELS_STAGE_PUBLISHED)
        return noaber_db_run(db, sql_stage_published, "ii", now, panel);
    return NOABER_E_INTERNAL;
}

/* --- volunteers ------------------------------------------------------------------------------- */

static const char sql_vol_add[] =
    "INSERT INTO panel_volunteers (panel_id, number, person_id, answers, consent_at, consent_how, "
    "consent_by, created_at) VALUES (?, (SELECT COALESCE(max(number), 0) + 1 FROM "
    "panel_volunteers WHERE panel_id = ?), ?, ?, ?, ?, ?, ?) RETURNING number";
static const char sql_vol_of[] =
    "SELECT count(*) FROM panel_volunteers WHERE panel_id = ? AND person_id = ?";
static const char sql_vols[] =
    "SELECT v.id, v.number, v.person_id, p.display_name, p.email, p.phone, p.postal_address, "
    "p.lang, p.channel, v.answers, v.consent_at, v.consent_how, COALESCE(b.display_name, ''), "
    "v.status, v.reserve_rank, v.probability, v.profile FROM panel_volunteers v "
    "JOIN persons p ON p.id = v.person_id LEFT JOIN persons b ON b.id = v.consent_by "
    "WHERE v.panel_id = ? ORDER BY v.number";
static const char sql_vol_set[] = "UPDATE panel_volunteers SET status = ?, reserve_rank = ? "
                                  "WHERE panel_id = ? AND number = ?";
static const char sql_vol_result[] =
    "UPDATE panel_volunteers SET status = ?, reserve_rank = ?, probability = ?, profile = ? "
    "WHERE panel_id = ? AND number = ?";

enum noaber_err
web_store_volunteer_add(struct noaber_db *db, int64_t panel, int64_t person, const char *answers,
                        const char *how, int64_t by, int64_t now, int64_t *number)
{
    return noaber_db_int(db, number, NULL, sql_vol_add, "iiititIi", panel, panel, person, answers,
                         now, how, by, now);
}

enum noaber_err
web_store_volunteer_of(struct noaber_db *db, int64_t panel, int64_t person, int *found)
{
    int64_t n = 0;
    enum noaber_err e = noaber_db_int(db, &n, NULL, sql_vol_of, "ii", panel, person);
    *found = n > 0;
    return e;
}

enum noaber_err
web_store_volunteers(struct noaber_db *db, int64_t panel, struct panels_volunteer **out, size_t *n,
                     struct noaber_arena *a)
{
    struct noaber_stmt *st;
    size_t cap = 0;
    int row = 0;
    *out = NULL;
    *n = 0;
    enum noaber_err e = noaber_db_query(db, &st, sql_vols, "i", panel);
    while (e == NOABER_OK && (e = noaber_stmt_step(st, &row)) == NOABER_OK && row) {
        if (!(*out = noaber_arena_grow(a, *out, *n, &cap, sizeof **out)))
            return NOABER_E_TOO_LARGE;
        struct panels_volunteer *v = &(*out)[(*n)++];
        v->id = noaber_stmt_int(st, 0);
        v->number = noaber_stmt_int(st, 1);
        v->person_id = noaber_stmt_int(st, 2);
        v->name = noaber_stmt_str(st, 3, a);
        v->email = noaber_stmt_str(st, 4, a);
        v->phone = noaber_stmt_str(st, 5, a);
        v->postal = noaber_stmt_str(st, 6, a);
        v->lang = noaber_stmt_str(st, 7, a);
        v->channel = noaber_stmt_str(st, 8, a);
        v->answers = noaber_stmt_str(st, 9, a);
        v->consent_at = noaber_stmt_int(st, 10);
        v->consent_how = noaber_stmt_str(st, 11, a);
        v->consent_by = noaber_stmt_str(st, 12, a);
        v->status = panels_vstatus_parse(noaber_stmt_text(st, 13));
        v->reserve_rank = (int)noaber_stmt_int(st, 14);
        v->probability = noaber_stmt_str(st, 15, a);
        v->profile = noaber_stmt_int(st, 16);
    }
    return e;
}

enum noaber_err
web_store_volunteer_set(struct noaber_db *db, int64_t panel, int64_t number,
                        enum panels_vstatus status, int rank, const char *probability,
                        int64_t profile)
{
    if (!probability)
        return noaber_db_run(db, sql_vol_set, "tdii", panels_vstatus_name(status), rank, panel,
                             number);
    return noaber_db_run(db, sql_vol_result, "tdtiii", panels_vstatus_name(status), rank,
                         probability, profile, panel, number);
}

/* --- runs ------------------------------------------------------------------------------------- */

static const char sql_run_add[] = "INSERT INTO panel_runs (panel_id, status, runner, started_at, "
                                  "started_by) VALUES (?, 'running', ?, ?, ?) RETURNING id";
static const char sql_run_started[] = "UPDATE panel_runs SET child_pid = ?, dir = ? WHERE id = ?";
static const char sql_run_end[] =
    "UPDATE panel_runs SET status = ?, message = ?, distribution = ?, draw = ?, profiles = ?, "
    "finished_at = ? WHERE id = ? AND status = 'running'";

enum noaber_err
web_store_run_add(struct noaber_db *db, int64_t panel, const char *runner, int64_t now, int64_t by,
                  int64_t *id)
{
    return noaber_db_int(db, id, NULL, sql_run_add, "itiI", panel, runner, now, by);
}

enum noaber_err
web_store_run_started(struct noaber_db *db, int64_t run, int64_t pid, const char *dir)
{
    return noaber_db_run(db, sql_run_started, "iti", pid, dir, run);
}

enum noaber_err
web_store_run_end(struct noaber_db *db, int64_t run, const char *status, const char *message,
                  const char *distribution, const char *draw, const char *profiles, int64_t now,
                  int64_t *changed)
{
    enum noaber_err e = noaber_db_run(db, sql_run_end, "tttttii", status, message, distribution,
                                      draw, profiles, now, run);
    *changed = e == NOABER_OK ? noaber_db_changes(db) : 0;
    return e;
}
