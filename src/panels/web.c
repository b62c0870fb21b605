/*
 * Operations of the panels' web part: each checks who may do it, runs one transaction over the
 * rules (web_rules.c) and the store (web_store.c), and queues the messages it causes in that same
 * transaction. The draw's child process is started and looked after through web_run.c.
 *
 * Volunteers are persons: a recipient who signs up without being logged in gets an account
 * without password (as a connector's intake makes one), holding their name and how to reach
 * them, so that messages reach them through the outbox (e-mail, a call from a connector, or a
 * letter) and export and erasure cover them like anyone else. Persons are made through
 * members.h (members_contact_add).
 */
#include "panels/web_int.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/log.h"
#include "base/util.h"
#include "db/db.h"
#include "notify/notify.h"
#include "view/i18n.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static enum noaber_err
may_manage(const struct members_actor *actor, const struct members_hood *hood)
{
    return members_can(actor, MEMBERS_A_HOOD_EDIT, hood);
}

static enum noaber_err
may_enter_paper(const struct members_actor *actor, const struct members_hood *hood)
{
    enum noaber_err e = members_can(actor, MEMBERS_A_INTAKE, hood);
    return e == NOABER_OK ? e : may_manage(actor, hood);
}

static int
text_ok(const char *s, size_t min, size_t max, int lines)
{
    size_t n = s ? strlen(s) : 0;
    if (n < min || n > max || !noaber_utf8_valid(s ? s : "", n))
        return 0;
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++)
        if ((*p < 0x20 && !(lines && (*p == '\n' || *p == '\r' || *p == '\t'))) || *p == 0x7f)
            return 0;
    return 1;
}

/* --- create, list, get ------------------------------------------------------------------------ */

struct create_ctx {
    const struct members_hood *hood;
    const struct panels_new *in;
    const struct panels_quota *q;
    size_t nq;
    const struct panels_question *qs;
    size_t nqs;
    int64_t by, id;
};

static enum noaber_err
create_tx(struct noaber_db *db, void *vc)
{
    struct create_ctx *c = vc;
    unsigned char key[32];
    char hex[65];
    noaber_random(key, sizeof key);
    noaber_hex(hex, key, sizeof key);
    enum noaber_err e =
        web_store_panel_add(db, c->hood->id, c->in, hex, noaber_now(), c->by, &c->id);
    for (size_t i = 0; e == NOABER_OK && i < c->nq; i++)
        e = web_store_quota_add(db, c->id, &c->q[i], (int)i);
    for (size_t i = 0; e == NOABER_OK && i < c->nqs; i++)
        e = web_store_question_add(db, c->id, &c->qs[i], (int)i);
    sodium_memzero(key, sizeof key);
    return e;
}

enum noaber_err
panels_create(struct noaber_db *db, const struct members_actor *actor,
              const struct members_hood *hood, const struct panels_new *in, int64_t *id_out,
              size_t *line)
{
    enum noaber_err e = may_manage(actor, hood);
    if (e != NOABER_OK)
        return e;
    if (!text_ok(in->title, 1, 120, 0) || !text_ok(in->purpose, 1, 2000, 1) || in->k < 1 ||
        in->k > PANELS_WEB_MAX_K || in->reserves < 0 || in->reserves > PANELS_WEB_MAX_K)
        return NOABER_E_INVALID;
    struct noaber_arena *a = noaber_arena_new(1 << 20);
    struct create_ctx c = {hood, in, NULL, 0, NULL, 0, actor->person_id, 0};
    e = panels_quotas_parse(in->quotas_csv, (int)in->k, (struct panels_quota **)&c.q, &c.nq, line,
                            a);
    if (e == NOABER_OK)
        e = panels_questions_parse(in->questions, c.q, c.nq, (struct panels_question **)&c.qs,
                                   &c.nqs, a);
    if (e == NOABER_E_BAD_CSV || e == NOABER_E_EMPTY_LIST || e == NOABER_E_TOO_LARGE)
        e = NOABER_E_BAD_QUOTAS;
    if (e == NOABER_OK)
        e = noaber_db_tx(db, create_tx, &c);
    if (e == NOABER_OK && id_out)
        *id_out = c.id;
    noaber_arena_free(a);
    return e;
}

enum noaber_err
panels_list(struct noaber_db *db, const struct members_actor *actor,
            const struct members_hood *hood, struct panels_panel **out, size_t *n,
            struct noaber_arena *a)
{
    enum noaber_err e = may_enter_paper(actor, hood);
    return e == NOABER_OK ? web_store_panels(db, hood->id, out, n, a) : e;
}

/* --- looking after a draw --------------------------------------------------------------------- */

struct finish_ctx {
    const struct panels_panel *p;
    const char *status, *message, *distribution, *draw;
    const char *probs, *selected, *profiles; /* CSV texts of a finished draw; NULL: failed */
    struct noaber_arena *a;
    int applied;
};

/* The numbers in the first column of CSV TEXT (after its header). */
static int64_t *
first_column(const char *text, size_t *n, struct noaber_arena *a)
{
    size_t cap = 16;
    int64_t *out = noaber_arena_alloc(a, cap * sizeof *out);
    *n = 0;
    if (!out)
        return NULL;
    const char *p = text ? strchr(text, '\n') : NULL;
    while (p && *++p) {
        if (*n == cap) {
            out = noaber_arena_realloc(a, out, cap * sizeof *out, 2 * cap * sizeof *out);
            cap *= 2;
            if (!out)
                return NULL;
        }
        out[(*n)++] = strtoll(p, NULL, 10);
        p = strchr(p, '\n');
    }
    return out;
}

/* The probability of NUMBER in probabilities.csv ("id,probability" lines), on A. */
static const char *
probability_of(const char *probs, int64_t number, struct noaber_arena *a)
{
    char key[32];
    int kl = snprintf(key, sizeof key, "\n%lld,", (long long)number);
    const char *at = strstr(probs, key);
    if (!at)
        return "0";
    at += kl;
    size_t len = strcspn(at, "\r\n");
    return noaber_arena_strndup(a, at, len);
}

/* Queues a message about panel P to volunteer V in their language; {title} is the panel's. */
static enum noaber_err
tell(struct noaber_db *db, const struct panels_volunteer *v, const struct panels_panel *p,
     const char *kind, const char *subject, const char *body)
{
    struct notify_vars vars = {.title = p->title};
    return notify_tell(db, v->person_id, p->neighbourhood_id, kind, subject, body, &vars, "");
}

static enum noaber_err
tell_outcome(struct noaber_db *db, const struct panels_volunteer *v, const struct panels_panel *p,
             enum panels_vstatus s)
{
    if (s == PANELS_V_SELECTED)
        return tell(db, v, p, "panel_selected", N_("You have been selected for {title}"),
                    N_("Good news: you have been drawn by lot for {title}. The coordinator will "
                       "contact you soon about the dates. Thank you for taking part!"));
    if (s == PANELS_V_RESERVE)
        return tell(db, v, p, "panel_reserve", N_("You are a reserve for {title}"),
                    N_("You have not been drawn for {title}, but you are on the reserve list. If "
                       "someone drops out, you may be asked to take their place. Thank you for "
                       "signing up!"));
    return tell(db, v, p, "panel_not_selected", N_("The draw for {title}"),
                N_("The draw for {title} has taken place. This time you have not been drawn. "
                   "Thank you very much for signing up! On the public page of the panel you can "
                   "see that the draw was fair."));
}

static enum noaber_err
finish_tx(struct noaber_db *db, void *vc)
{
    struct finish_ctx *c = vc;
    const struct panels_panel *p = c->p;
    int64_t changed = 0;
    c->applied = 0;
    enum noaber_err e =
        web_store_run_end(db, p->run.id, c->status, c->message, c->distribution, c->draw,
                          c->profiles ? c->profiles : "", noaber_now(), &changed);
    if (e != NOABER_OK || !changed || !c->probs)
        return e; /* failed, or another request read the outcome in first */
    struct panels_volunteer *v;
    size_t n = 0, nsel = 0;
    e = web_store_volunteers(db, p->id, &v, &n, c->a);
    int64_t *sel = e == NOABER_OK ? first_column(c->selected, &nsel, c->a) : NULL;
    int64_t *rest = e == NOABER_OK ? noaber_arena_alloc(c->a, (n + 1) * sizeof *rest) : NULL;
    if (e == NOABER_OK && (!sel || !rest))
        e = NOABER_E_TOO_LARGE;
    if (e == NOABER_OK && nsel != (size_t)p->k) {
        noaber_error("panels: the draw of panel %lld selected %zu, not %d", (long long)p->id, nsel,
                     p->k);
        return NOABER_E_INTERNAL;
    }
    size_t nrest = 0;
    for (size_t i = 0; e == NOABER_OK && i < n; i++) {
        int is_sel = 0;
        for (size_t j = 0; j < nsel; j++)
            is_sel |= sel[j] == v[i].number;
        if (!is_sel)
            rest[nrest++] = v[i].number;
    }
    /* The reserves: the volunteers not drawn, in the order of SHA-256("<seed>:reserve:<n>"),
     * the first p->reserves of them (docs/panels.md, "Reserves"). */
    if (e == NOABER_OK)
        panels_reserve_order(p->seed, rest, nrest);
    for (size_t i = 0; e == NOABER_OK && i < n; i++) {
        enum panels_vstatus s = PANELS_V_NOT_SELECTED;
        int rank = 0;
        for (size_t j = 0; j < nsel; j++)
            if (sel[j] == v[i].number)
                s = PANELS_V_SELECTED;
        for (size_t j = 0; s != PANELS_V_SELECTED && j < nrest && j < (size_t)p->reserves; j++)
            if (rest[j] == v[i].number) {
                s = PANELS_V_RESERVE;
                rank = (int)j + 1;
            }
        e = web_store_volunteer_set(
            db, p->id, v[i].number, s, rank, probability_of(c->probs, v[i].number, c->a),
            strtoll(probability_of(c->profiles, v[i].number, c->a), NULL, 10));
        if (e == NOABER_OK)
            e = tell_outcome(db, &v[i], p, s);
    }
    if (e == NOABER_OK)
        e = web_store_stage(db, p->id, PANELS_STAGE_DRAWN, noaber_now());
    c->applied = e == NOABER_OK;
    return e;
}

/* A run marked running: read it in when its child has ended, mark it failed when it can no
 * longer end. Writes only when something changed. */
static enum noaber_err
look_after(struct noaber_db *db, const struct panels_panel *p, struct noaber_arena *a)
{
    int state = 0, code = -1;
    web_run_poll(&p->run, &state, &code);
    /* The child stops itself after PANELS_WEB_DRAW_SECONDS; one that hangs past that (and a
     * run of another server process that never reports) is given up on a little later. */
    if (state == 0 &&
        noaber_now() - p->run.started_at < PANELS_WEB_DRAW_SECONDS + PANELS_WEB_DRAW_GRACE)
        return NOABER_OK;
    if (state == 0)
        web_run_stop(&p->run);
    struct finish_ctx c = {p, "failed", "", "", "", NULL, NULL, NULL, a, 0};
    if (state == 0 || state < 0) {
        c.message = state == 0 ? "timeout" : "server";
    } else if (code != 0) {
        const char *err = web_run_file(p->run.dir, "stderr.txt", a);
        c.message = err && *err ? err : "exit";
    } else {
        c.status = "done";
        c.message = web_run_file(p->run.dir, "stdout.txt", a);
        c.distribution = web_run_file(p->run.dir, "out/panels.csv", a);
        c.draw = web_run_file(p->run.dir, "out/draw.txt", a);
        c.probs = web_run_file(p->run.dir, "out/probabilities.csv", a);
        c.selected = web_run_file(p->run.dir, "out/selected.csv", a);
        c.profiles = web_run_file(p->run.dir, "out/profiles.csv", a);
        if (!c.message || !c.distribution || !c.draw || !c.probs || !c.selected || !c.profiles) {
            c = (struct finish_ctx){p, "failed", "files", "", "", NULL, NULL, NULL, a, 0};
        }
    }
    enum noaber_err e = noaber_db_tx(db, finish_tx, &c);
    if (e == NOABER_OK)
        web_run_cleanup(p->run.dir);
    return e;
}

static enum noaber_err
load(struct noaber_db *db, int64_t hood, int64_t id, struct panels_panel *out,
     struct noaber_arena *a)
{
    int found = 0;
    enum noaber_err e = web_store_panel(db, hood, id, out, &found, a);
    if (e == NOABER_OK && !found)
        return NOABER_E_NOT_FOUND;
    if (e == NOABER_OK && panels_draw_running(out)) {
        e = look_after(db, out, a);
        if (e == NOABER_OK)
            e = web_store_panel(db, hood, id, out, &found, a);
    }
    return e;
}

/* Panel ID of HOOD into *P, for those who manage HOOD's panels only. */
static enum noaber_err
load_managed(struct noaber_db *db, const struct members_actor *actor,
             const struct members_hood *hood, int64_t id, struct panels_panel *p,
             struct noaber_arena *a)
{
    enum noaber_err e = may_manage(actor, hood);
    return e == NOABER_OK ? load(db, hood->id, id, p, a) : e;
}

enum noaber_err
panels_get(struct noaber_db *db, const struct noaber_config *cfg, const struct members_actor *actor,
           const struct members_hood *hood, int64_t id, enum panels_view view,
           struct panels_panel *out, struct noaber_arena *a)
{
    (void)cfg;
    enum noaber_err e = view == PANELS_VIEW_MANAGE  ? may_manage(actor, hood)
                        : view == PANELS_VIEW_PAPER ? may_enter_paper(actor, hood)
                                                    : NOABER_OK;
    if (e != NOABER_OK)
        return e;
    if (view == PANELS_VIEW_PUBLIC) { /* an anonymous GET writes nothing: no look_after */
        int found = 0;
        e = web_store_panel(db, hood->id, id, out, &found, a);
        if (e == NOABER_OK && (!found || out->stage != PANELS_STAGE_PUBLISHED))
            e = NOABER_E_NOT_FOUND;
        return e;
    }
    return load(db, hood->id, id, out, a);
}

struct quotas_ctx {
    int64_t panel, k; /* k: the new number of places, 0 to keep it */
    const struct panels_quota *q;
    size_t n;
    int clear_seed;
};

static enum noaber_err
quotas_tx(struct noaber_db *db, void *vc)
{
    struct quotas_ctx *c = vc;
    enum noaber_err e = NOABER_OK;
    for (size_t i = 0; e == NOABER_OK && i < c->n; i++)
        e = web_store_quota_set(db, c->panel, &c->q[i]);
    if (e == NOABER_OK && c->k)
        e = web_store_k(db, c->panel, c->k);
    return e == NOABER_OK && c->clear_seed ? web_store_seed(db, c->panel, "", 0) : e;
}

/* Does any min or max of Q differ from OLD (the same features and values)? */
static int
quotas_moved(const struct panels_quota *q, size_t n, const struct panels_quota *old, size_t nold)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < nold; j++)
            if (strcmp(q[i].feature, old[j].feature) == 0 &&
                strcmp(q[i].value, old[j].value) == 0 &&
                (q[i].min != old[j].min || q[i].max != old[j].max))
                return 1;
    return 0;
}

enum noaber_err
panels_quotas_update(struct noaber_db *db, const struct members_actor *actor,
                     const struct members_hood *hood, int64_t id, const char *quotas_csv, int64_t k,
                     size_t *line)
{
    if (k < 0 || k > PANELS_WEB_MAX_K)
        return NOABER_E_INVALID;
    struct noaber_arena *a = noaber_arena_new(1 << 20);
    struct panels_panel p = {0};
    struct quotas_ctx c = {id, 0, NULL, 0, 0};
    enum noaber_err e = load_managed(db, actor, hood, id, &p, a);
    if (e == NOABER_OK && k && k != p.k)
        c.k = k;
    /* Once a draw has an outcome its quotas are part of it; before that (also after a draw
     * that failed) the coordinator may still relax them. */
    if (e == NOABER_OK && p.stage >= PANELS_STAGE_DRAWN)
        e = NOABER_E_STAGE;
    if (e == NOABER_OK && panels_draw_running(&p))
        e = NOABER_E_CONFLICT;
    if (e == NOABER_OK) {
        e = panels_quotas_parse(quotas_csv, (int)(c.k ? c.k : p.k), (struct panels_quota **)&c.q,
                                &c.n, line, a);
        if (e == NOABER_E_BAD_CSV || e == NOABER_E_EMPTY_LIST || e == NOABER_E_TOO_LARGE)
            e = NOABER_E_BAD_QUOTAS;
    }
    if (e == NOABER_OK && !panels_quotas_same(c.q, c.n, p.quotas, p.nquotas)) {
        e = NOABER_E_BAD_QUOTAS;
        if (line)
            *line = 0;
    }
    /* A seed known before the quotas are final would let someone choose quotas that give the
     * panel they want: a change of a min or max withdraws the seed, to be announced anew. */
    if (e == NOABER_OK)
        c.clear_seed = p.seed[0] && (c.k || quotas_moved(c.q, c.n, p.quotas, p.nquotas));
    if (e == NOABER_OK)
        e = noaber_db_tx(db, quotas_tx, &c);
    noaber_arena_free(a);
    return e;
}

struct details_ctx {
    int64_t panel, reserves;
    const char *title, *purpose;
};

static enum noaber_err
details_tx(struct noaber_db *db, void *vc)
{
    struct details_ctx *c = vc;
    return web_store_details(db, c->panel, c->title, c->purpose, c->reserves);
}

enum noaber_err
panels_details_update(struct noaber_db *db, const struct members_actor *actor,
                      const struct members_hood *hood, int64_t id, const char *title,
                      const char *purpose, int64_t reserves)
{
    struct noaber_arena *a = noaber_arena_new(1 << 20);
    struct panels_panel p = {0};
    enum noaber_err e = load_managed(db, actor, hood, id, &p, a);
    if (e == NOABER_OK && (!text_ok(title, 1, 120, 0) || !text_ok(purpose, 1, 2000, 1) ||
                           reserves < 0 || reserves > PANELS_WEB_MAX_K))
        e = NOABER_E_INVALID;
    /* after the draw the reserves are ranked and the outcome names the panel as it was; and
     * volunteers consented to the purpose as it was when they signed up */
    if (e == NOABER_OK &&
        (p.stage >= PANELS_STAGE_DRAWN || (p.volunteers > 0 && strcmp(purpose, p.purpose) != 0)))
        e = NOABER_E_STAGE;
    if (e == NOABER_OK && panels_draw_running(&p))
        e = NOABER_E_CONFLICT;
    struct details_ctx c = {id, reserves, title, purpose};
    if (e == NOABER_OK)
        e = noaber_db_tx(db, details_tx, &c);
    noaber_arena_free(a);
    return e;
}

/* --- stage 1 ---------------------------------------------------------------------------------- */

struct upload_ctx {
    int64_t panel;
    const struct panels_address *ad;
    size_t n;
};

static enum noaber_err
upload_tx(struct noaber_db *db, void *vc)
{
    struct upload_ctx *c = vc;
    enum noaber_err e = web_store_addresses_clear(db, c->panel);
    for (size_t i = 0; e == NOABER_OK && i < c->n; i++)
        e = web_store_address_add(db, c->panel, &c->ad[i]);
    return e == NOABER_OK ? web_store_panel_addresses(db, c->panel, (int64_t)c->n) : e;
}

enum noaber_err
panels_addresses_upload(struct noaber_db *db, const struct members_actor *actor,
                        const struct members_hood *hood, int64_t id, const char *csv, size_t len,
                        int64_t *count, size_t *line)
{
    struct noaber_arena *a = noaber_arena_new(64u << 20);
    struct panels_panel p = {0};
    enum noaber_err e = load_managed(db, actor, hood, id, &p, a);
    if (e == NOABER_OK && (p.stage != PANELS_STAGE_OPEN || p.invited > 0))
        e = NOABER_E_STAGE;
    struct upload_ctx c = {id, NULL, 0};
    if (e == NOABER_OK)
        e = panels_addresses_parse(csv, len, (struct panels_address **)&c.ad, &c.n, line, a);
    if (e == NOABER_OK)
        e = noaber_db_tx(db, upload_tx, &c);
    if (count)
        *count = e == NOABER_OK ? (int64_t)c.n : 0;
    noaber_arena_free(a);
    return e;
}

struct invite_ctx {
    int64_t panel, count;
    unsigned char key[32];
    struct noaber_arena *a;
};

static enum noaber_err
invite_tx(struct noaber_db *db, void *vc)
{
    struct invite_ctx *c = vc;
    int64_t *ids;
    size_t n = 0;
    enum noaber_err e = web_store_undrawn(db, c->panel, &ids, &n, c->a);
    if (e == NOABER_OK && (size_t)c->count > n)
        return NOABER_E_TOO_MANY;
    size_t *pick =
        e == NOABER_OK ? noaber_arena_alloc(c->a, (size_t)c->count * sizeof *pick) : NULL;
    if (e == NOABER_OK && !pick)
        return NOABER_E_TOO_LARGE;
    if (e == NOABER_OK)
        panels_draw_uniform(n, (size_t)c->count, pick);
    int64_t now = noaber_now();
    for (int64_t i = 0; e == NOABER_OK && i < c->count; i++) {
        char code[16], hash[65];
        int64_t address = ids[pick[i]];
        panels_code_make(c->key, c->panel, address, code);
        panels_code_normalise(code);
        panels_code_hash(code, hash);
        e = web_store_address_drawn(db, address);
        if (e == NOABER_OK)
            e = web_store_code_add(db, hash, c->panel, now);
    }
    return e == NOABER_OK ? web_store_panel_invited(db, c->panel, c->count) : e;
}

static int
key_of(const char *hex, unsigned char key[32])
{
    size_t got = 0;
    return hex && strlen(hex) == 64 && sodium_hex2bin(key, 32, hex, 64, NULL, &got, NULL) == 0 &&
           got == 32;
}

enum noaber_err
panels_invite(struct noaber_db *db, const struct members_actor *actor,
              const struct members_hood *hood, int64_t id, int64_t count)
{
    struct noaber_arena *a = noaber_arena_new(16u << 20);
    struct panels_panel p = {0};
    struct invite_ctx c = {id, count, {0}, a};
    char *hex = NULL;
    enum noaber_err e = load_managed(db, actor, hood, id, &p, a);
    if (e == NOABER_OK && p.stage != PANELS_STAGE_OPEN)
        e = NOABER_E_STAGE;
    if (e == NOABER_OK && (count < 1 || count > PANELS_WEB_MAX_ADDRESS))
        e = NOABER_E_INVALID;
    if (e == NOABER_OK && count > p.addresses_left)
        e = NOABER_E_TOO_MANY;
    if (e == NOABER_OK)
        e = web_store_code_key(db, id, &hex, a);
    if (e == NOABER_OK && !key_of(hex, c.key))
        e = NOABER_E_STAGE;
    if (e == NOABER_OK)
        e = noaber_db_tx(db, invite_tx, &c);
    sodium_memzero(c.key, sizeof c.key);
    noaber_arena_free(a);
    return e;
}

enum noaber_err
panels_letters(struct noaber_db *db, const struct noaber_config *cfg,
               const struct members_actor *actor, const struct members_hood *hood, int64_t id,
               int64_t part, const char *lang, struct noaber_buf *out, struct noaber_arena *a)
{
    struct panels_panel p = {0};
    char *hex = NULL;
    unsigned char key[32];
    enum noaber_err e = load_managed(db, actor, hood, id, &p, a);
    if (e == NOABER_OK && (p.stage != PANELS_STAGE_OPEN || p.invited == 0))
        e = NOABER_E_STAGE;
    if (e == NOABER_OK)
        e = web_store_code_key(db, id, &hex, a);
    if (e == NOABER_OK && !key_of(hex, key))
        e = NOABER_E_STAGE;
    struct web_address_row *rows = NULL;
    size_t n = 0;
    if (e == NOABER_OK)
        e = web_store_drawn(db, id, &rows, &n, a);
    /* one part of the letters: all of them would not fit in a request's memory */
    size_t first = part >= 1 && part <= PANELS_WEB_MAX_ADDRESS
                       ? (size_t)(part - 1) * PANELS_WEB_LETTERS_PART
                       : SIZE_MAX;
    if (e == NOABER_OK && (first == SIZE_MAX || (first >= n && first > 0)))
        e = NOABER_E_NOT_FOUND;
    if (e == NOABER_OK && n > 0) {
        rows += first;
        n = n - first < PANELS_WEB_LETTERS_PART ? n - first : PANELS_WEB_LETTERS_PART;
    }
    struct web_letter *l = e == NOABER_OK ? noaber_arena_alloc(a, (n + 1) * sizeof *l) : NULL;
    if (e == NOABER_OK && !l)
        e = NOABER_E_TOO_LARGE;
    const char *base = cfg && cfg->public_url[0] ? cfg->public_url : "http://127.0.0.1:8080";
    size_t bl = strlen(base);
    while (bl && base[bl - 1] == '/')
        bl--;
    for (size_t i = 0; e == NOABER_OK && i < n; i++) {
        l[i].address = rows[i].a;
        panels_code_make(key, id, rows[i].id, l[i].code);
        l[i].url = noaber_arena_printf(a, "%.*s/panel/signup?code=%s", (int)bl, base, l[i].code);
        if (!l[i].url)
            e = NOABER_E_TOO_LARGE;
    }
    sodium_memzero(key, sizeof key);
    const char *signup = noaber_arena_printf(a, "%.*s/panel/signup", (int)bl, base);
    if (e == NOABER_OK)
        e = web_letters_pdf(&p, hood->name, signup, l, n, noaber_i18n_catalog(lang), out);
    return e;
}

struct close_ctx {
    int64_t panel;
};

static enum noaber_err
close_tx(struct noaber_db *db, void *vc)
{
    return web_store_close(db, ((struct close_ctx *)vc)->panel, noaber_now());
}

enum noaber_err
panels_close_stage1(struct noaber_db *db, const struct members_actor *actor,
                    const struct members_hood *hood, int64_t id)
{
    struct noaber_arena *a = noaber_arena_new(1 << 20);
    struct panels_panel p = {0};
    enum noaber_err e = load_managed(db, actor, hood, id, &p, a);
    if (e == NOABER_OK && p.stage != PANELS_STAGE_OPEN)
        e = NOABER_E_STAGE;
    struct close_ctx c = {id};
    if (e == NOABER_OK)
        e = noaber_db_tx(db, close_tx, &c);
    noaber_arena_free(a);
    return e;
}

/* --- the seed and the draw -------------------------------------------------------------------- */

struct seed_ctx {
    int64_t panel;
    const char *seed;
};

int
panels_draw_running(const struct panels_panel *p)
{
    return p->run.id && strcmp(p->run.status, "running") == 0;
}

int
panels_seed_may_be_announced(const struct panels_panel *p)
{
    /* Only once the volunteers are known (stage 1 closed) and the quotas are final, and once:
     * whoever knows the seed must not be able to change what the draw starts from. */
    return p->stage == PANELS_STAGE_CLOSED && !p->seed[0] && !panels_draw_running(p);
}

static enum noaber_err
seed_tx(struct noaber_db *db, void *vc)
{
    struct seed_ctx *c = vc;
    /* Checked again inside the transaction: nobody announced one in between. */
    struct panels_panel p = {0};
    int found = 0;
    struct noaber_arena *a = noaber_arena_new(1 << 20);
    enum noaber_err e = web_store_panel(db, 0, c->panel, &p, &found, a);
    int ok = found && panels_seed_may_be_announced(&p);
    noaber_arena_free(a);
    if (e == NOABER_OK && !ok)
        return NOABER_E_STAGE;
    return e == NOABER_OK ? web_store_seed(db, c->panel, c->seed, noaber_now()) : e;
}

enum noaber_err
panels_seed(struct noaber_db *db, const struct members_actor *actor,
            const struct members_hood *hood, int64_t id, const char *seed)
{
    struct noaber_arena *a = noaber_arena_new(1 << 20);
    struct panels_panel p = {0};
    enum noaber_err e = load_managed(db, actor, hood, id, &p, a);
    if (e == NOABER_OK && !text_ok(seed, 1, 200, 0))
        e = NOABER_E_INVALID;
    if (e == NOABER_OK && !panels_seed_may_be_announced(&p))
        e = NOABER_E_STAGE;
    struct seed_ctx c = {id, seed};
    if (e == NOABER_OK)
        e = noaber_db_tx(db, seed_tx, &c);
    noaber_arena_free(a);
    return e;
}

struct run_ctx {
    int64_t panel, by, run, pid;
    const char *dir, *status, *message;
};

static enum noaber_err
run_add_tx(struct noaber_db *db, void *vc)
{
    struct run_ctx *c = vc;
    return web_store_run_add(db, c->panel, web_run_runner(), noaber_now(), c->by, &c->run);
}

static enum noaber_err
run_started_tx(struct noaber_db *db, void *vc)
{
    struct run_ctx *c = vc;
    if (c->status) {
        int64_t changed;
        return web_store_run_end(db, c->run, c->status, c->message, "", "", "", noaber_now(),
                                 &changed);
    }
    return web_store_run_started(db, c->run, c->pid, c->dir);
}

enum noaber_err
panels_draw_start(struct noaber_db *db, const struct noaber_config *cfg,
                  const struct members_actor *actor, const struct members_hood *hood, int64_t id,
                  const char *algorithm)
{
    (void)cfg;
    if (!algorithm || !*algorithm)
        algorithm = "leximin";
    if (strcmp(algorithm, "leximin") != 0 && strcmp(algorithm, "maximin") != 0)
        return NOABER_E_INVALID;
    struct noaber_arena *a = noaber_arena_new(16u << 20);
    struct panels_panel p = {0};
    struct panels_volunteer *v = NULL;
    size_t n = 0;
    enum noaber_err e = load_managed(db, actor, hood, id, &p, a);
    if (e == NOABER_OK && p.stage != PANELS_STAGE_CLOSED)
        e = NOABER_E_STAGE;
    if (e == NOABER_OK && !p.seed[0])
        e = NOABER_E_NO_SEED;
    if (e == NOABER_OK && panels_draw_running(&p))
        e = NOABER_E_CONFLICT;
    if (e == NOABER_OK)
        e = web_store_volunteers(db, id, &v, &n, a);
    if (e == NOABER_OK && n < (size_t)p.k)
        e = NOABER_E_TOO_FEW_VOLUNTEERS;
    /* The run's row first, so that a crash right after the start is still on record; the
     * unique index on running runs keeps a second start out, also on another server. */
    struct run_ctx c = {id, actor->person_id, 0, 0, "", NULL, NULL};
    if (e == NOABER_OK)
        e = noaber_db_tx(db, run_add_tx, &c);
    if (e == NOABER_OK) {
        enum noaber_err s = web_run_spawn(&p, algorithm, v, n, &c.pid, &c.dir, a);
        if (s != NOABER_OK) {
            c.status = "failed";
            c.message = "spawn";
        }
        e = noaber_db_tx(db, run_started_tx, &c);
    }
    noaber_arena_free(a);
    return e;
}

enum noaber_err
panels_draw_wait(struct noaber_db *db, const struct noaber_config *cfg, int64_t id, int seconds)
{
    (void)cfg;
    enum noaber_err e = NOABER_OK;
    for (int i = 0; e == NOABER_OK && i < seconds * 20; i++) {
        struct noaber_arena *a = noaber_arena_new(16u << 20);
        struct panels_panel p = {0};
        e = load(db, 0, id, &p, a);
        int running = e == NOABER_OK && panels_draw_running(&p);
        noaber_arena_free(a);
        if (!running)
            return e;
        usleep(50000);
    }
    return e == NOABER_OK ? NOABER_E_TIMEOUT : e;
}

static enum noaber_err
publish_tx(struct noaber_db *db, void *vc)
{
    return web_store_stage(db, *(int64_t *)vc, PANELS_STAGE_PUBLISHED, noaber_now());
}

enum noaber_err
panels_publish(struct noaber_db *db, const struct members_actor *actor,
               const struct members_hood *hood, int64_t id)
{
    struct noaber_arena *a = noaber_arena_new(1 << 20);
    struct panels_panel p = {0};
    enum noaber_err e = load_managed(db, actor, hood, id, &p, a);
    if (e == NOABER_OK && p.stage != PANELS_STAGE_DRAWN)
        e = NOABER_E_STAGE;
    if (e == NOABER_OK)
        e = noaber_db_tx(db, publish_tx, &id);
    noaber_arena_free(a);
    return e;
}

enum noaber_err
panels_volunteers(struct noaber_db *db, const struct members_actor *actor,
                  const struct members_hood *hood, int64_t id, struct panels_volunteer **out,
                  size_t *n, struct noaber_arena *a)
{
    struct panels_panel p = {0};
    enum noaber_err e = load_managed(db, actor, hood, id, &p, a);
    return e == NOABER_OK ? web_store_volunteers(db, id, out, n, a) : e;
}

/* --- drop-outs -------------------------------------------------------------------------------- */

struct dropout_ctx {
    const struct panels_panel *p;
    int64_t vid, replaced;
    int quotas_ok;
    struct noaber_arena *a;
};

static enum noaber_err
dropout_tx(struct noaber_db *db, void *vc)
{
    struct dropout_ctx *c = vc;
    struct panels_volunteer *v;
    size_t n = 0;
    c->replaced = 0;
    c->quotas_ok = 0;
    enum noaber_err e = web_store_volunteers(db, c->p->id, &v, &n, c->a);
    if (e != NOABER_OK)
        return e;
    const struct panels_volunteer *gone = NULL;
    const char **stay = noaber_arena_alloc(c->a, (n + 1) * sizeof *stay);
    const char **res = noaber_arena_alloc(c->a, (n + 1) * sizeof *res);
    const struct panels_volunteer **resv = noaber_arena_alloc(c->a, (n + 1) * sizeof *resv);
    if (!stay || !res || !resv)
        return NOABER_E_TOO_LARGE;
    size_t ns = 0, nr = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i].id == c->vid)
            gone = &v[i];
        else if (v[i].status == PANELS_V_SELECTED)
            stay[ns++] = v[i].answers;
    }
    if (!gone)
        return NOABER_E_NOT_FOUND;
    if (gone->status != PANELS_V_SELECTED)
        return NOABER_E_STAGE;
    /* reserves in their rank order */
    for (int rank = 1; rank <= c->p->reserves + 1 && nr < n; rank++)
        for (size_t i = 0; i < n; i++)
            if (v[i].status == PANELS_V_RESERVE && v[i].reserve_rank == rank) {
                resv[nr] = &v[i];
                res[nr++] = v[i].answers;
            }
    e = web_store_volunteer_set(db, c->p->id, gone->number, PANELS_V_DROPPED, 0, NULL, 0);
    long pick = panels_next_reserve(c->p->quotas, c->p->nquotas, stay, ns, gone->answers, res, nr,
                                    &c->quotas_ok, c->a);
    if (e == NOABER_OK && pick >= 0) {
        const struct panels_volunteer *up = resv[pick];
        e = web_store_volunteer_set(db, c->p->id, up->number, PANELS_V_SELECTED, 0, NULL, 0);
        if (e == NOABER_OK)
            e = tell(db, up, c->p, "panel_selected", N_("You have been selected for {title}"),
                     N_("Someone on the panel {title} has dropped out, and you were next on the "
                        "reserve list. You now have a place on the panel. The coordinator will "
                        "contact you soon."));
        c->replaced = up->number;
    }
    return e;
}

enum noaber_err
panels_dropout(struct noaber_db *db, const struct members_actor *actor,
               const struct members_hood *hood, int64_t id, int64_t vid, int64_t *replaced,
               int *quotas_ok)
{
    struct noaber_arena *a = noaber_arena_new(4u << 20);
    struct panels_panel p = {0};
    enum noaber_err e = load_managed(db, actor, hood, id, &p, a);
    if (e == NOABER_OK && p.stage < PANELS_STAGE_DRAWN)
        e = NOABER_E_STAGE;
    struct dropout_ctx c = {&p, vid, 0, 0, a};
    if (e == NOABER_OK)
        e = noaber_db_tx(db, dropout_tx, &c);
    if (replaced)
        *replaced = c.replaced;
    if (quotas_ok)
        *quotas_ok = c.quotas_ok;
    noaber_arena_free(a);
    return e;
}

/* --- sign-up ---------------------------------------------------------------------------------- */

enum noaber_err
panels_code_panel(struct noaber_db *db, const char *code, const char *client_ip, int64_t *panel_id,
                  int *retry_minutes)
{
    char norm[64], hash[65];
    int64_t used = 0;
    int found = 0;
    *panel_id = 0;
    snprintf(norm, sizeof norm, "%s", code ? code : "");
    enum noaber_err e = NOABER_OK;
    if (panels_code_normalise(norm)) {
        panels_code_hash(norm, hash);
        e = web_store_code_find(db, hash, panel_id, &used, &found);
    }
    if (e != NOABER_OK)
        return e;
    if (!found || used) {
        /* Only wrong codes count: a household typing its own code is never held up, and a
         * guesser meets the limit after a few tries (docs/panels.md). */
        e = members_throttle(db, "panel-code", client_ip, PANELS_WEB_CODE_MAX,
                             PANELS_WEB_CODE_WINDOW, retry_minutes);
        return e == NOABER_OK ? NOABER_E_BAD_CODE : e;
    }
    return NOABER_OK;
}

enum noaber_err
panels_signup_panel(struct noaber_db *db, int64_t id, struct panels_panel *out,
                    struct noaber_arena *a)
{
    int found = 0;
    enum noaber_err e = web_store_panel(db, 0, id, out, &found, a);
    if (e == NOABER_OK && !found)
        return NOABER_E_NOT_FOUND;
    return e == NOABER_OK && out->stage != PANELS_STAGE_OPEN ? NOABER_E_STAGE : e;
}

struct signup_ctx {
    const struct members_actor *actor;
    const struct panels_signup *in;
    const struct panels_panel *p;
    const char *hash, *answers, *email, *channel, *how;
    int paper;
    int64_t number;
};

static enum noaber_err
signup_tx(struct noaber_db *db, void *vc)
{
    struct signup_ctx *c = vc;
    const struct panels_signup *in = c->in;
    int64_t changed = 0, person = 0, now = noaber_now();
    enum noaber_err e = web_store_code_use(db, c->hash, now, &changed);
    if (e == NOABER_OK && !changed)
        return NOABER_E_BAD_CODE;
    if (e != NOABER_OK)
        return e;
    if (!c->paper && c->actor->person_id) {
        int dup = 0;
        person = c->actor->person_id;
        e = web_store_volunteer_of(db, c->p->id, person, &dup);
        if (e == NOABER_OK && dup)
            return NOABER_E_CONFLICT;
    } else {
        /* The address was typed by the holder of a code that came by post; a typo reaches a
         * stranger with at most the outcome of the draw, which names nobody else. */
        struct members_contact_new nc = {.display_name = in->name,
                                         .email = c->email,
                                         .lang = in->lang,
                                         .channel = c->channel,
                                         .phone = in->phone,
                                         .postal_address = in->postal,
                                         .email_verified = 1,
                                         .created_by = c->actor->person_id};
        e = members_contact_add(db, &nc, &person);
    }
    if (e == NOABER_OK)
        e = web_store_volunteer_add(db, c->p->id, person, c->answers, c->how,
                                    c->paper ? c->actor->person_id : 0, now, &c->number);
    return e;
}

/* Checks the form of a sign-up; fills the normalised e-mail and channel. */
static enum noaber_err
signup_check(const struct panels_signup *in, const struct panels_panel *p, int logged_in,
             char *email, size_t emailn, const char **channel)
{
    const char *bad = NULL;
    if (!in->consent)
        return NOABER_E_PANEL_CONSENT;
    if (in->nanswers != p->nfeatures ||
        panels_answers_check(p->quotas, p->nquotas, p->features, in->answers, p->nfeatures, &bad) !=
            NOABER_OK)
        return NOABER_E_INVALID;
    snprintf(email, emailn, "%s", in->email ? in->email : "");
    noaber_trim(email);
    if (logged_in)
        return NOABER_OK;
    if (!text_ok(in->name, 1, 120, 0))
        return NOABER_E_REQUIRED;
    if (*email && members_check_email(email) != NOABER_OK)
        return NOABER_E_BAD_EMAIL;
    if (!text_ok(in->phone, 0, 30, 0) || !text_ok(in->postal, 0, 300, 1))
        return NOABER_E_INVALID;
    if (!*email && !*in->phone && !*in->postal)
        return NOABER_E_CONTACT_REQUIRED;
    *channel = *email ? "email" : *in->phone ? "call" : "letter";
    return NOABER_OK;
}

enum noaber_err
panels_signup(struct noaber_db *db, const struct members_actor *actor,
              const struct members_hood *paper_hood, int64_t paper_id,
              const struct panels_signup *in, int64_t *number_out, int *retry_minutes)
{
    struct noaber_arena *a = noaber_arena_new(1 << 20);
    struct panels_panel p = {0};
    int64_t panel = 0;
    char email[260], norm[64], hash[65];
    const char *channel = "inapp";
    enum noaber_err e = paper_hood ? may_enter_paper(actor, paper_hood) : NOABER_OK;
    if (e == NOABER_OK)
        e = panels_code_panel(db, in->code, in->client_ip, &panel, retry_minutes);
    if (e == NOABER_OK && paper_hood && panel != paper_id)
        e = NOABER_E_BAD_CODE; /* a code of another panel */
    if (e == NOABER_OK)
        e = panels_signup_panel(db, panel, &p, a);
    if (e == NOABER_OK && paper_hood && p.neighbourhood_id != paper_hood->id)
        e = NOABER_E_NOT_FOUND;
    int logged_in = !paper_hood && actor->person_id;
    if (e == NOABER_OK)
        e = signup_check(in, &p, logged_in, email, sizeof email, &channel);
    struct signup_ctx c = {actor,
                           in,
                           &p,
                           hash,
                           NULL,
                           email,
                           channel,
                           paper_hood ? "paper" : "online",
                           paper_hood != NULL,
                           0};
    if (e == NOABER_OK) {
        snprintf(norm, sizeof norm, "%s", in->code);
        panels_code_normalise(norm);
        panels_code_hash(norm, hash);
        c.answers = panels_answers_encode(p.features, in->answers, p.nfeatures, a);
        e = c.answers ? noaber_db_tx(db, signup_tx, &c) : NOABER_E_TOO_LARGE;
    }
    if (e == NOABER_OK && number_out)
        *number_out = c.number;
    noaber_arena_free(a);
    return e;
}
