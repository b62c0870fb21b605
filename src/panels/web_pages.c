/*
 * HTML handlers of the panels' web part: the list and the new-panel form, the panel's own page
 * with what can be done in its stage (address list, letters, closing stage 1, the seed, the
 * draw), the draw's progress page, the volunteers with drop-outs, the connectors' paper reply,
 * the public sign-up with a response code, and the public outcome with the chart. Each reads
 * parse -> operation (which authorises) -> render.
 */
#include "panels/web_int.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/util.h"
#include "http/form.h"
#include "http/input.h"
#include "view/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

int64_t
web_panel_id(struct noaber_req *r)
{
    return noaber_req_param_id(r, "id");
}

/* T as "31-03-2025 14:05" (nl) or "2025-03-31 14:05" (en), UTC; "" for 0. */
static const char *
when(struct noaber_req *r, int64_t t)
{
    if (!t)
        return "";
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    char buf[40];
    strftime(buf, sizeof buf,
             r->lang && strcmp(r->lang, "en") == 0 ? "%Y-%m-%d %H:%M UTC" : "%d-%m-%Y %H:%M UTC",
             &tm);
    return noaber_arena_strdup(r->arena, buf);
}

static json_t *
quotas_json(const struct panels_panel *p)
{
    json_t *list = json_array();
    for (size_t i = 0; i < p->nquotas; i++)
        json_array_append_new(list, json_pack("{s:s,s:s,s:i,s:i}", "feature", p->quotas[i].feature,
                                              "value", p->quotas[i].value, "min", p->quotas[i].min,
                                              "max", p->quotas[i].max));
    return list;
}

json_t *
web_panel_json(struct noaber_req *r, const struct panels_panel *p, int manager)
{
    json_t *o = json_pack("{s:I,s:s,s:s,s:i,s:i,s:s,s:s,s:s,s:s,s:o}", "id", (json_int_t)p->id,
                          "title", p->title, "purpose", p->purpose, "k", p->k, "reserves",
                          p->reserves, "stage", panels_stage_name(p->stage), "stage_label",
                          noaber_req_tr(r, panels_stage_label(p->stage)), "seed", p->seed,
                          "seed_at", when(r, p->seed_at), "quotas", quotas_json(p));
    if (manager) {
        json_object_set_new(o, "addresses", json_integer(p->addresses_total));
        json_object_set_new(o, "addresses_left", json_integer(p->addresses_left));
        json_object_set_new(o, "invited", json_integer(p->invited));
        json_object_set_new(o, "volunteers", json_integer(p->volunteers));
        json_object_set_new(o, "codes_used", json_integer(p->codes_used));
    }
    return o;
}

json_t *
web_probabilities_json(const struct panels_volunteer *v, size_t n)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        double pr = strtod(v[i].probability, NULL);
        char pct[32];
        snprintf(pct, sizeof pct, "%.1f%%", 100.0 * pr);
        json_array_append_new(
            list, json_pack("{s:I,s:I,s:s,s:s,s:b}", "number", (json_int_t)v[i].number, "profile",
                            (json_int_t)v[i].profile, "probability", v[i].probability, "percent",
                            pct, "selected",
                            v[i].status == PANELS_V_SELECTED || v[i].status == PANELS_V_DROPPED));
    }
    return list;
}

static const char *
url(struct noaber_req *r, const char *tail)
{
    return noaber_arena_printf(r->arena, "/n/%s/panels/%lld%s", r->hood.slug,
                               (long long)web_panel_id(r), tail);
}

/* --- list and new ----------------------------------------------------------------------------- */

enum noaber_err
web_panel_list_json(struct noaber_req *r, json_t **out, int *manager)
{
    struct panels_panel *p;
    size_t n = 0;
    enum noaber_err e = panels_list(r->db, &r->actor, &r->hood, &p, &n, r->arena);
    if (e != NOABER_OK)
        return e;
    *manager = members_can(&r->actor, MEMBERS_A_HOOD_EDIT, &r->hood) == NOABER_OK;
    *out = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(*out, web_panel_json(r, &p[i], *manager));
    return NOABER_OK;
}

enum noaber_err
panels_page_list(struct noaber_req *r)
{
    json_t *list;
    int manager;
    enum noaber_err e = web_panel_list_json(r, &list, &manager);
    if (e != NOABER_OK)
        return e;
    json_t *ctx = json_pack("{s:s,s:s,s:s,s:o,s:b}", "title",
                            noaber_req_tr(r, N_("Citizens' panels")), "slug", r->hood.slug,
                            "hood_name", r->hood.name, "panels", list, "manager", manager);
    return noaber_resp_page(r, 200, "panels/list", ctx);
}

struct new_form {
    const char *title, *purpose, *quotas, *questions;
    int64_t k, reserves;
};

static const struct noaber_field new_spec[] = {
    {"title", NOABER_F_LINE, 1, 1, 120, offsetof(struct new_form, title), NULL},
    {"purpose", NOABER_F_TEXT, 1, 1, 2000, offsetof(struct new_form, purpose), NULL},
    {"k", NOABER_F_INT, 1, 1, PANELS_WEB_MAX_K, offsetof(struct new_form, k), NULL},
    {"reserves", NOABER_F_INT, 0, 0, PANELS_WEB_MAX_K, offsetof(struct new_form, reserves), NULL},
    {"quotas", NOABER_F_TEXT, 1, 1, 20000, offsetof(struct new_form, quotas), NULL},
    {"questions", NOABER_F_TEXT, 0, 0, 8000, offsetof(struct new_form, questions), NULL},
};

static enum noaber_err
new_page(struct noaber_req *r, int status, const struct new_form *in,
         const struct noaber_input_errors *errs, const char *error)
{
    json_t *ctx = json_pack("{s:s,s:s,s:s}", "title", noaber_req_tr(r, N_("New citizens' panel")),
                            "slug", r->hood.slug, "hood_name", r->hood.name);
    if (in)
        noaber_input_context(r, ctx, new_spec, N(new_spec), in, errs);
    else
        json_object_set_new(
            ctx, "values",
            json_pack("{s:s,s:s,s:s}", "reserves", "5", "quotas",
                      "feature,value,min,max\nleeftijd,16-34,2,5\nleeftijd,35-64,3,6\n"
                      "leeftijd,65+,2,5\n",
                      "questions", "leeftijd: Hoe oud ben je?"));
    if (error)
        json_object_set_new(ctx, "error", json_string(error));
    return noaber_resp_page(r, status, "panels/new", ctx);
}

enum noaber_err
panels_page_new(struct noaber_req *r)
{
    return new_page(r, 200, NULL, NULL, NULL);
}

enum noaber_err
panels_page_create(struct noaber_req *r)
{
    struct new_form in;
    struct noaber_input_errors errs;
    enum noaber_err e = noaber_input_parse(r, new_spec, N(new_spec), &in, &errs);
    if (e == NOABER_E_INVALID)
        return new_page(r, 422, &in, &errs, noaber_req_errmsg(r, e));
    struct panels_new pn = {in.title, in.purpose, in.quotas, in.questions, in.k, in.reserves};
    int64_t id = 0;
    size_t line = 0;
    e = panels_create(r->db, &r->actor, &r->hood, &pn, &id, &line);
    if (e == NOABER_E_BAD_QUOTAS || e == NOABER_E_INVALID) {
        const char *msg = noaber_req_errmsg(r, e);
        if (line)
            msg = noaber_arena_printf(r->arena, "%s (%s %zu)", msg, noaber_req_tr(r, N_("line")),
                                      line);
        return new_page(r, 422, &in, &errs, msg);
    }
    if (e != NOABER_OK)
        return e;
    noaber_resp_flash(r, "saved");
    return noaber_resp_redirect(
        r, noaber_arena_printf(r->arena, "/n/%s/panels/%lld", r->hood.slug, (long long)id));
}

/* --- the panel's page ------------------------------------------------------------------------- */

/* The run's message in the viewer's words. */
static const char *
run_message(struct noaber_req *r, const struct panels_run *run)
{
    if (strcmp(run->message, "server") == 0)
        return noaber_req_tr(r, N_("The server was restarted during the draw. Start the draw "
                                   "again: the result is the same, because it follows from the "
                                   "seed."));
    if (strcmp(run->message, "timeout") == 0 || strcmp(run->message, "spawn") == 0 ||
        strcmp(run->message, "files") == 0 || strcmp(run->message, "exit") == 0)
        return noaber_req_tr(r, N_("The draw stopped without a result. Try again; if it keeps "
                                   "failing, ask your administrator."));
    return panels_engine_message(run->message, r->lang, r->arena);
}

/* The letters come in parts of PANELS_WEB_LETTERS_PART: [{part, from, to}] for INVITED. */
static json_t *
letter_parts(int64_t invited)
{
    json_t *a = json_array();
    for (int64_t from = 1; from <= invited; from += PANELS_WEB_LETTERS_PART) {
        int64_t to = from + PANELS_WEB_LETTERS_PART - 1;
        json_array_append_new(a, json_pack("{s:I,s:I,s:I}", "part",
                                           (json_int_t)((from - 1) / PANELS_WEB_LETTERS_PART + 1),
                                           "from", (json_int_t)from, "to",
                                           (json_int_t)(to < invited ? to : invited)));
    }
    return a;
}

static json_t *
run_json(struct noaber_req *r, const struct panels_run *run)
{
    if (!run->id)
        return json_null();
    int failed = strcmp(run->status, "failed") == 0;
    return json_pack("{s:I,s:s,s:b,s:b,s:b,s:s,s:s,s:s}", "id", (json_int_t)run->id, "status",
                     run->status, "running", strcmp(run->status, "running") == 0, "done",
                     strcmp(run->status, "done") == 0, "failed", failed, "started",
                     when(r, run->started_at), "finished", when(r, run->finished_at), "message",
                     failed ? run_message(r, run) : "");
}

static void draw_notes(struct noaber_req *r, json_t *ctx, const char *draw);

static enum noaber_err
show(struct noaber_req *r, int status, const char *tmpl, const char *error)
{
    struct panels_panel p = {0};
    enum noaber_err e = panels_get(r->db, r->config, &r->actor, &r->hood, web_panel_id(r),
                                   PANELS_VIEW_MANAGE, &p, r->arena);
    if (e != NOABER_OK)
        return e;
    json_t *ctx =
        json_pack("{s:s,s:s,s:s,s:o,s:o}", "title", p.title, "slug", r->hood.slug, "hood_name",
                  r->hood.name, "panel", web_panel_json(r, &p, 1), "run", run_json(r, &p.run));
    json_object_set_new(ctx, "base", json_string(url(r, "")));
    json_object_set_new(ctx, "open", json_boolean(p.stage == PANELS_STAGE_OPEN));
    json_object_set_new(ctx, "can_upload",
                        json_boolean(p.stage == PANELS_STAGE_OPEN && p.invited == 0));
    json_object_set_new(ctx, "can_invite",
                        json_boolean(p.stage == PANELS_STAGE_OPEN && p.addresses_left > 0));
    json_object_set_new(ctx, "can_letters",
                        json_boolean(p.stage == PANELS_STAGE_OPEN && p.invited > 0));
    json_object_set_new(ctx, "letter_parts",
                        letter_parts(p.stage == PANELS_STAGE_OPEN ? p.invited : 0));
    json_object_set_new(ctx, "can_seed", json_boolean(panels_seed_may_be_announced(&p)));
    json_object_set_new(ctx, "can_details",
                        json_boolean(p.stage < PANELS_STAGE_DRAWN && !panels_draw_running(&p)));
    json_object_set_new(
        ctx, "can_draw",
        json_boolean(p.stage == PANELS_STAGE_CLOSED && p.seed[0] && !panels_draw_running(&p)));
    json_object_set_new(ctx, "drawn", json_boolean(p.stage >= PANELS_STAGE_DRAWN));
    json_object_set_new(ctx, "can_quotas",
                        json_boolean(p.stage < PANELS_STAGE_DRAWN && !panels_draw_running(&p)));
    struct noaber_buf csv;
    noaber_buf_init(&csv, r->arena);
    noaber_buf_puts(&csv, "feature,value,min,max\n");
    for (size_t i = 0; i < p.nquotas; i++)
        noaber_buf_printf(&csv, "%s,%s,%d,%d\n", p.quotas[i].feature, p.quotas[i].value,
                          p.quotas[i].min, p.quotas[i].max);
    json_object_set_new(ctx, "quotas_csv", json_string(noaber_buf_str(&csv)));
    json_object_set_new(ctx, "can_publish", json_boolean(p.stage == PANELS_STAGE_DRAWN));
    json_object_set_new(ctx, "published", json_boolean(p.stage == PANELS_STAGE_PUBLISHED));
    if (p.run.id && strcmp(p.run.status, "done") == 0)
        draw_notes(r, ctx, p.run.draw);
    if (error)
        json_object_set_new(ctx, "error", json_string(error));
    if (strcmp(tmpl, "panels/progress") == 0 && panels_draw_running(&p) &&
        noaber_req_query(r, "auto"))
        json_object_set_new(ctx, "refresh", json_integer(3));
    return noaber_resp_page(r, status, tmpl, ctx);
}

enum noaber_err
panels_page_show(struct noaber_req *r)
{
    return show(r, 200, "panels/show", NULL);
}

/* After an action: back to the panel's page with the notice, or the page again with the error
 * when the person can fix it. */
static enum noaber_err
after(struct noaber_req *r, enum noaber_err e, const char *next)
{
    if (e == NOABER_OK) {
        noaber_resp_flash(r, "saved");
        return noaber_resp_redirect(r, url(r, next));
    }
    int status = noaber_err_status(e);
    if (status == 422 || status == 409)
        return show(r, status, "panels/show", noaber_req_errmsg(r, e));
    return e;
}

/* A whole number of at most six digits from a form field; -1 when it is anything else. */
static int64_t
form_count(const char *v)
{
    return v && *v && strlen(v) < 7 && strspn(v, "0123456789") == strlen(v) ? strtoll(v, NULL, 10)
                                                                            : -1;
}

enum noaber_err
panels_page_quotas(struct noaber_req *r)
{
    size_t line = 0;
    /* the number of places: absent keeps it; anything but a whole number is refused */
    const char *v = noaber_req_form(r, "k");
    int64_t k = v && *v ? form_count(v) : 0;
    enum noaber_err e = k < 0 ? NOABER_E_INVALID
                              : panels_quotas_update(r->db, &r->actor, &r->hood, web_panel_id(r),
                                                     noaber_req_form(r, "quotas"), k, &line);
    if (e == NOABER_E_BAD_QUOTAS && line) {
        const char *msg = noaber_arena_printf(r->arena, "%s (%s %zu)", noaber_req_errmsg(r, e),
                                              noaber_req_tr(r, N_("line")), line);
        return show(r, 422, "panels/show", msg);
    }
    if (e == NOABER_E_BAD_QUOTAS)
        return show(r, 422, "panels/show",
                    noaber_req_tr(r, N_("Change only the minimums and maximums: the features "
                                        "and values must stay the same, because volunteers "
                                        "answered them.")));
    return after(r, e, "");
}

enum noaber_err
panels_page_addresses(struct noaber_req *r)
{
    const struct noaber_kv *file = noaber_req_file(r, "file");
    if (!file || !file->value_len)
        return after(r, NOABER_E_EMPTY_LIST, "");
    int64_t count = 0;
    size_t line = 0;
    enum noaber_err e = panels_addresses_upload(r->db, &r->actor, &r->hood, web_panel_id(r),
                                                file->value, file->value_len, &count, &line);
    if (e != NOABER_OK && line && noaber_err_status(e) == 422) {
        const char *msg = noaber_arena_printf(r->arena, "%s (%s %zu)", noaber_req_errmsg(r, e),
                                              noaber_req_tr(r, N_("line")), line);
        return show(r, 422, "panels/show", msg);
    }
    return after(r, e, "");
}

enum noaber_err
panels_page_invite(struct noaber_req *r)
{
    int64_t count = form_count(noaber_req_form(r, "count"));
    enum noaber_err e = count > 0
                            ? panels_invite(r->db, &r->actor, &r->hood, web_panel_id(r), count)
                            : NOABER_E_INVALID;
    return after(r, e, "");
}

enum noaber_err
panels_page_letters(struct noaber_req *r)
{
    /* without one, part 1; a malformed one is 0, which no part has */
    int64_t part = noaber_req_query(r, "part") ? noaber_req_query_id(r, "part") : 1;
    /* straight into the response: a copy would need the request's memory twice */
    noaber_buf_reset(&r->out);
    enum noaber_err e = panels_letters(r->db, r->config, &r->actor, &r->hood, web_panel_id(r), part,
                                       r->lang, &r->out, r->arena);
    if (e == NOABER_OK && r->out.failed)
        e = NOABER_E_TOO_LARGE;
    if (e != NOABER_OK) {
        noaber_buf_reset(&r->out);
        return e;
    }
    r->status = 200;
    r->content_type_out = "application/pdf";
    noaber_resp_header(r, "Content-Disposition",
                       noaber_arena_printf(r->arena,
                                           "attachment; filename=\"uitnodigingen-%lld.pdf\"",
                                           (long long)part));
    noaber_resp_header(r, "Cache-Control", "no-store");
    return NOABER_OK;
}

enum noaber_err
panels_page_close(struct noaber_req *r)
{
    return after(r, panels_close_stage1(r->db, &r->actor, &r->hood, web_panel_id(r)), "");
}

const struct noaber_field panels_details_spec[PANELS_DETAILS_FIELDS] = {
    {"title", NOABER_F_LINE, 1, 1, 120, offsetof(struct panels_details_form, title), NULL},
    {"purpose", NOABER_F_TEXT, 1, 1, 2000, offsetof(struct panels_details_form, purpose), NULL},
    {"reserves", NOABER_F_INT, 1, 0, PANELS_WEB_MAX_K,
     offsetof(struct panels_details_form, reserves), NULL},
};

enum noaber_err
panels_page_details(struct noaber_req *r)
{
    struct panels_details_form in;
    struct noaber_input_errors errs;
    enum noaber_err e =
        noaber_input_parse(r, panels_details_spec, PANELS_DETAILS_FIELDS, &in, &errs);
    if (e == NOABER_OK)
        e = panels_details_update(r->db, &r->actor, &r->hood, web_panel_id(r), in.title, in.purpose,
                                  in.reserves);
    return after(r, e, "");
}

enum noaber_err
panels_page_seed(struct noaber_req *r)
{
    const char *seed = noaber_req_form(r, "seed");
    char *s = noaber_arena_strdup(r->arena, seed ? seed : "");
    if (!s)
        return NOABER_E_TOO_LARGE;
    return after(r, panels_seed(r->db, &r->actor, &r->hood, web_panel_id(r), noaber_trim(s)), "");
}

static const char *const algorithms[] = {"leximin", "maximin", NULL};
const struct noaber_field panels_draw_spec[1] = {
    {"algorithm", NOABER_F_CHOICE, 0, 0, 0, offsetof(struct panels_draw_form, algorithm),
     algorithms},
};

enum noaber_err
panels_page_draw(struct noaber_req *r)
{
    struct panels_draw_form in;
    struct noaber_input_errors errs;
    enum noaber_err e = noaber_input_parse(r, panels_draw_spec, N(panels_draw_spec), &in, &errs);
    if (e == NOABER_OK)
        e = panels_draw_start(r->db, r->config, &r->actor, &r->hood, web_panel_id(r), in.algorithm);
    return after(r, e, "/draw");
}

enum noaber_err
panels_page_progress(struct noaber_req *r)
{
    return show(r, 200, "panels/progress", NULL);
}

enum noaber_err
panels_page_publish(struct noaber_req *r)
{
    return after(r, panels_publish(r->db, &r->actor, &r->hood, web_panel_id(r)), "");
}

/* --- volunteers ------------------------------------------------------------------------------- */

static json_t *
volunteers_json(struct noaber_req *r, const struct panels_panel *p,
                const struct panels_volunteer *v, size_t n)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *answers = json_array();
        for (size_t f = 0; f < p->nfeatures; f++)
            json_array_append_new(
                answers, json_pack("{s:s,s:s}", "feature", p->features[f], "value",
                                   panels_answer_of(v[i].answers, p->features[f], r->arena)));
        const char *contact = *v[i].email ? v[i].email : *v[i].phone ? v[i].phone : v[i].postal;
        json_array_append_new(
            list,
            json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:i,s:b,s:o,s:s,s:s}", "id", (json_int_t)v[i].id,
                      "number", (json_int_t)v[i].number, "name", v[i].name, "contact", contact,
                      "status", panels_vstatus_name(v[i].status), "status_label",
                      noaber_req_tr(r, panels_vstatus_label(v[i].status)), "reserve_rank",
                      v[i].reserve_rank, "selected", v[i].status == PANELS_V_SELECTED, "answers",
                      answers, "consent", when(r, v[i].consent_at), "consent_how",
                      v[i].consent_how));
    }
    return list;
}

enum noaber_err
panels_page_volunteers(struct noaber_req *r)
{
    struct panels_panel p = {0};
    struct panels_volunteer *v;
    size_t n = 0;
    enum noaber_err e = panels_get(r->db, r->config, &r->actor, &r->hood, web_panel_id(r),
                                   PANELS_VIEW_MANAGE, &p, r->arena);
    if (e == NOABER_OK)
        e = panels_volunteers(r->db, &r->actor, &r->hood, p.id, &v, &n, r->arena);
    if (e != NOABER_OK)
        return e;
    json_t *ctx = json_pack(
        "{s:s,s:s,s:s,s:o,s:o,s:s,s:b}", "title", noaber_req_tr(r, N_("Volunteers")), "slug",
        r->hood.slug, "hood_name", r->hood.name, "panel", web_panel_json(r, &p, 1), "volunteers",
        volunteers_json(r, &p, v, n), "base", url(r, ""), "drawn", p.stage >= PANELS_STAGE_DRAWN);
    const char *moved = noaber_req_query(r, "moved");
    if (moved && strcmp(moved, "0") != 0)
        json_object_set_new(ctx, "moved", json_string(moved));
    if (moved && strcmp(moved, "0") == 0)
        json_object_set_new(ctx, "nobody_left", json_true());
    if (moved && noaber_req_query(r, "quotas"))
        json_object_set_new(ctx, "quotas_broken", json_true());
    return noaber_resp_page(r, 200, "panels/volunteers", ctx);
}

enum noaber_err
panels_page_dropout(struct noaber_req *r)
{
    int64_t replaced = 0;
    int ok = 0;
    enum noaber_err e = panels_dropout(r->db, &r->actor, &r->hood, web_panel_id(r),
                                       noaber_req_param_id(r, "vid"), &replaced, &ok);
    if (e != NOABER_OK)
        return e;
    noaber_resp_flash(r, "saved");
    return noaber_resp_redirect(
        r, url(r, noaber_arena_printf(r->arena, "/volunteers?moved=%lld%s", (long long)replaced,
                                      ok ? "" : "&quotas=broken")));
}

/* --- sign-up and paper replies ---------------------------------------------------------------- */

static json_t *
questions_json(struct noaber_req *r, const struct panels_panel *p, const char *const *chosen)
{
    json_t *list = json_array();
    for (size_t f = 0; f < p->nfeatures; f++) {
        const char *q = p->features[f];
        for (size_t i = 0; i < p->nquestions; i++)
            if (strcmp(p->questions[i].feature, p->features[f]) == 0)
                q = p->questions[i].question;
        json_t *opts = json_array();
        for (size_t i = 0; i < p->nquotas; i++)
            if (strcmp(p->quotas[i].feature, p->features[f]) == 0)
                json_array_append_new(
                    opts,
                    json_pack("{s:s,s:s,s:b}", "value", p->quotas[i].value, "id",
                              noaber_arena_printf(r->arena, "a%zu-%zu", f, i), "checked",
                              chosen && chosen[f] && strcmp(chosen[f], p->quotas[i].value) == 0));
        json_array_append_new(list, json_pack("{s:s,s:s,s:o}", "name",
                                              noaber_arena_printf(r->arena, "answer_%zu", f),
                                              "question", q, "options", opts));
    }
    return list;
}

/* The form: with PANEL the questions (the code was right), else only the code field. */
static enum noaber_err
signup_page(struct noaber_req *r, int status, const struct panels_panel *p, const char *action,
            const char *code, const char *const *chosen, const char *error)
{
    json_t *ctx = json_pack("{s:s,s:s,s:s}", "title",
                            p ? p->title : noaber_req_tr(r, N_("Sign up for a citizens' panel")),
                            "action", action, "code", code ? code : "");
    if (p) {
        json_object_set_new(ctx, "panel", web_panel_json(r, p, 0));
        json_object_set_new(ctx, "questions", questions_json(r, p, chosen));
        json_object_set_new(ctx, "logged_in", json_boolean(r->actor.person_id != 0));
    }
    json_object_set_new(ctx, "paper", json_boolean(strcmp(action, "/panel/signup") != 0));
    const char *f[] = {"name", "email", "phone", "postal", "lang"};
    json_t *values = json_object();
    for (size_t i = 0; i < N(f); i++) {
        const char *v = noaber_req_form(r, f[i]);
        json_object_set_new(values, f[i],
                            json_string(v && noaber_utf8_valid(v, strlen(v)) ? v : ""));
    }
    json_object_set_new(ctx, "values", values);
    json_object_set_new(ctx, "lang_en", json_boolean(r->lang && strcmp(r->lang, "en") == 0));
    if (error)
        json_object_set_new(ctx, "error", json_string(error));
    return noaber_resp_page(r, status, "panels/signup", ctx);
}

static enum noaber_err
signup_error(struct noaber_req *r, enum noaber_err e)
{
    r->retry_minutes = r->retry_minutes ? r->retry_minutes : 1;
    return e;
}

enum noaber_err
panels_page_signup_form(struct noaber_req *r)
{
    const char *code = noaber_req_query(r, "code");
    if (!code || !*code)
        return signup_page(r, 200, NULL, "/panel/signup", NULL, NULL, NULL);
    int64_t panel = 0;
    struct panels_panel p = {0};
    enum noaber_err e = panels_code_panel(r->db, code, r->client_ip, &panel, &r->retry_minutes);
    if (e == NOABER_OK)
        e = panels_signup_panel(r->db, panel, &p, r->arena);
    if (e == NOABER_E_BAD_CODE || e == NOABER_E_STAGE)
        return signup_page(r, noaber_err_status(e), NULL, "/panel/signup", code, NULL,
                           noaber_req_errmsg(r, e));
    if (e != NOABER_OK)
        return signup_error(r, e);
    return signup_page(r, 200, &p, "/panel/signup", code, NULL, NULL);
}

/* Reads the sign-up form into IN; the answers by feature index (answer_0, answer_1, ...). */
static void
signup_read(struct noaber_req *r, size_t nf, struct panels_signup *in)
{
    const char **answers = noaber_arena_alloc(r->arena, (nf + 1) * sizeof *answers);
    for (size_t f = 0; answers && f < nf; f++) {
        const char *v = noaber_req_form(r, noaber_arena_printf(r->arena, "answer_%zu", f));
        answers[f] = v ? v : "";
    }
    const char *c = noaber_req_form(r, "consent");
    const char *lang = noaber_req_form(r, "lang");
    *in = (struct panels_signup){noaber_req_form(r, "code"),
                                 noaber_req_form(r, "name"),
                                 noaber_req_form(r, "email"),
                                 noaber_req_form(r, "phone"),
                                 noaber_req_form(r, "postal"),
                                 lang && strcmp(lang, "en") == 0 ? "en" : "nl",
                                 answers,
                                 answers ? nf : 0,
                                 c && *c && strcmp(c, "0") != 0,
                                 r->client_ip};
    for (const char **s = &in->code; s <= &in->postal; s++) {
        char *t = noaber_arena_strdup(r->arena, *s ? *s : "");
        *s = t ? noaber_trim(t) : "";
    }
}

static enum noaber_err
signup_post(struct noaber_req *r, const struct members_hood *paper_hood, const char *action)
{
    const char *code = noaber_req_form(r, "code");
    if (!code || !*code)
        return signup_page(r, 422, NULL, action, NULL, NULL,
                           noaber_req_errmsg(r, NOABER_E_BAD_CODE));
    int64_t panel = 0;
    struct panels_panel p = {0};
    enum noaber_err e = panels_code_panel(r->db, code, r->client_ip, &panel, &r->retry_minutes);
    if (e == NOABER_OK && paper_hood && panel != web_panel_id(r))
        e = NOABER_E_BAD_CODE;
    if (e == NOABER_OK)
        e = panels_signup_panel(r->db, panel, &p, r->arena);
    if (e == NOABER_E_BAD_CODE || e == NOABER_E_STAGE)
        return signup_page(r, noaber_err_status(e), NULL, action, code, NULL,
                           noaber_req_errmsg(r, e));
    if (e != NOABER_OK)
        return signup_error(r, e);
    if (!noaber_req_form(r, "step")) /* only the code was sent: now the questions */
        return signup_page(r, 200, &p, action, code, NULL, NULL);
    struct panels_signup in;
    signup_read(r, p.nfeatures, &in);
    int64_t number = 0;
    e = panels_signup(r->db, &r->actor, paper_hood, panel, &in, &number, &r->retry_minutes);
    if (e == NOABER_OK) {
        json_t *ctx = json_pack("{s:s,s:s,s:b,s:s?}", "title", noaber_req_tr(r, N_("Thank you!")),
                                "panel_title", p.title, "paper", paper_hood != NULL, "back",
                                paper_hood ? url(r, "/reply") : NULL);
        return noaber_resp_page(r, 200, "panels/thanks", ctx);
    }
    if (noaber_err_status(e) == 422 || noaber_err_status(e) == 409)
        return signup_page(r, noaber_err_status(e), &p, action, code, in.answers,
                           e == NOABER_E_INVALID
                               ? noaber_req_tr(r, N_("Please answer every question."))
                               : noaber_req_errmsg(r, e));
    return signup_error(r, e);
}

enum noaber_err
panels_page_signup(struct noaber_req *r)
{
    return signup_post(r, NULL, "/panel/signup");
}

enum noaber_err
panels_page_reply_form(struct noaber_req *r)
{
    struct panels_panel p = {0};
    enum noaber_err e = panels_get(r->db, r->config, &r->actor, &r->hood, web_panel_id(r),
                                   PANELS_VIEW_PAPER, &p, r->arena);
    if (e == NOABER_OK && p.stage != PANELS_STAGE_OPEN)
        e = NOABER_E_STAGE;
    if (e != NOABER_OK)
        return e;
    return signup_page(r, 200, NULL, url(r, "/reply"), NULL, NULL, NULL);
}

enum noaber_err
panels_page_reply(struct noaber_req *r)
{
    struct panels_panel p = {0};
    enum noaber_err e = panels_get(r->db, r->config, &r->actor, &r->hood, web_panel_id(r),
                                   PANELS_VIEW_PAPER, &p, r->arena);
    if (e != NOABER_OK)
        return e;
    return signup_post(r, &r->hood, url(r, "/reply"));
}

/* --- the published outcome -------------------------------------------------------------------- */

/* MSG with each of KEYS replaced by its value, on the request's arena. */
static const char *
fill(struct noaber_req *r, const char *msg, const char *const *keys, const char *const *vals,
     size_t n)
{
    struct noaber_buf b;
    noaber_buf_init(&b, r->arena);
    noaber_buf_puts(&b, "");
    for (const char *p = msg; *p;) {
        size_t i = 0;
        while (i < n && strncmp(p, keys[i], strlen(keys[i])) != 0)
            i++;
        if (i < n) {
            noaber_buf_puts(&b, vals[i]);
            p += strlen(keys[i]);
        } else {
            noaber_buf_putc(&b, *p++);
        }
    }
    return b.failed ? msg : b.data;
}

/* What the draw's record says about how close it came to the best (the engine stopped within
 * its tolerance, or leximin's higher levels are the best found), as "bound_note" and
 * "higher_note" of CTX; nothing for an exact draw. */
static void
draw_notes(struct noaber_req *r, json_t *ctx, const char *draw)
{
    double dmin, dbound;
    if (panels_draw_gap(draw, &dmin, &dbound)) {
        char pgap[24], pbound[24];
        snprintf(pgap, sizeof pgap, "%.2f%%", 100 * (dbound - dmin) / dbound);
        snprintf(pbound, sizeof pbound, "%.4f%%", 100 * dbound);
        const char *gk[] = {"{gap}", "{bound}"}, *gv[] = {pgap, pbound};
        json_object_set_new(
            ctx, "bound_note",
            json_string(fill(r,
                             noaber_req_tr(r, N_("The smallest chance is at most {gap} lower than "
                                                 "the best that any division could give (that "
                                                 "best is at most {bound}). Working out the exact "
                                                 "best would have taken very long.")),
                             gk, gv, 2)));
    }
    if (panels_draw_higher_unproven(draw))
        json_object_set_new(
            ctx, "higher_note",
            json_string(noaber_req_tr(r, N_("The higher chances are the best we found. It is "
                                            "not proven that they cannot be fairer."))));
}

enum noaber_err
panels_page_result(struct noaber_req *r)
{
    struct panels_panel p = {0};
    enum noaber_err e = panels_get(r->db, r->config, &r->actor, &r->hood, web_panel_id(r),
                                   PANELS_VIEW_PUBLIC, &p, r->arena);
    struct panels_volunteer *v = NULL;
    size_t n = 0;
    if (e == NOABER_OK)
        e = web_store_volunteers(r->db, p.id, &v, &n, r->arena);
    if (e != NOABER_OK)
        return e;
    double *val = noaber_arena_alloc(r->arena, (n + 1) * sizeof *val);
    int64_t *lab = noaber_arena_alloc(r->arena, (n + 1) * sizeof *lab);
    if (!val || !lab)
        return NOABER_E_TOO_LARGE;
    double lo = 1, hi = 0;
    for (size_t i = 0; i < n; i++) {
        val[i] = strtod(v[i].probability, NULL);
        lab[i] = v[i].number;
        lo = val[i] < lo ? val[i] : lo;
        hi = val[i] > hi ? val[i] : hi;
    }
    double fair = n ? (double)p.k / (double)n : 0;
    char pn[24], plo[24], phi[24], pfair[24];
    snprintf(pn, sizeof pn, "%zu", n);
    snprintf(plo, sizeof plo, "%.1f%%", 100 * (n ? lo : 0));
    snprintf(phi, sizeof phi, "%.1f%%", 100 * hi);
    snprintf(pfair, sizeof pfair, "%.1f%%", 100 * fair);
    const char *keys[] = {"{n}", "{min}", "{max}", "{fair}"}, *vals[] = {pn, plo, phi, pfair};
    const char *desc = fill(r,
                            noaber_req_tr(r, N_("{n} volunteers; the smallest chance is {min}, "
                                                "the largest {max}. An equal share for "
                                                "everyone would be {fair} (the dashed line). "
                                                "The table below holds the same numbers.")),
                            keys, vals, 4);
    struct noaber_buf svg;
    noaber_buf_init(&svg, r->arena);
    panels_svg_chart(&svg, val, lab, n, fair,
                     noaber_req_tr(r, N_("Chance of being selected, per volunteer")), desc);
    json_t *ctx = json_pack("{s:s,s:s,s:s,s:o,s:o,s:s,s:s,s:s,s:s,s:s}", "title", p.title, "slug",
                            r->hood.slug, "hood_name", r->hood.name, "panel",
                            web_panel_json(r, &p, 0), "probabilities", web_probabilities_json(v, n),
                            "chart", noaber_buf_str(&svg), "desc", desc, "drawn_at",
                            when(r, p.drawn_at), "draw", p.run.draw, "base", url(r, ""));
    json_object_set_new(ctx, "volunteers", json_integer((json_int_t)n));
    draw_notes(r, ctx, p.run.draw);
    return noaber_resp_page(r, 200, "panels/result", ctx);
}

enum noaber_err
panels_page_distribution(struct noaber_req *r)
{
    struct panels_panel p = {0};
    enum noaber_err e = panels_get(r->db, r->config, &r->actor, &r->hood, web_panel_id(r),
                                   PANELS_VIEW_PUBLIC, &p, r->arena);
    if (e != NOABER_OK)
        return e;
    noaber_resp_header(r, "Content-Disposition", "attachment; filename=\"panels.csv\"");
    return noaber_resp_text(r, 200, "text/csv; charset=utf-8", p.run.distribution);
}
