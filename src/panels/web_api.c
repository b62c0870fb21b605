/*
 * JSON handlers of the panels' web part under /api/v1/: the same operations, rules and
 * authorisation as the pages, only the rendering differs. Files travel as text in the JSON body
 * (the address list and the quotas as CSV, as a spreadsheet saves them); the answers of a sign-up
 * as one line "feature=value; feature=value", so that one input spec reads every field.
 */
#include "panels/web_int.h"

#include "base/arena.h"
#include "base/util.h"
#include "http/input.h"

#include <stdlib.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* An error with the line of the file it was found on. */
static enum noaber_err
error_at(struct noaber_req *r, enum noaber_err e, size_t line)
{
    json_t *err =
        json_pack("{s:s,s:s}", "code", noaber_err_name(e), "message", noaber_req_errmsg(r, e));
    if (line)
        json_object_set_new(err, "line", json_integer((json_int_t)line));
    return noaber_resp_json(r, noaber_err_status(e), json_pack("{s:o}", "error", err));
}

static enum noaber_err
panel_answer_of(struct noaber_req *r, int64_t id, int status)
{
    struct panels_panel p = {0};
    enum noaber_err e =
        panels_get(r->db, r->config, &r->actor, &r->hood, id, PANELS_VIEW_MANAGE, &p, r->arena);
    if (e != NOABER_OK)
        return e;
    json_t *o = web_panel_json(r, &p, 1);
    json_t *run = json_null();
    if (p.run.id)
        run = json_pack("{s:I,s:s,s:s}", "id", (json_int_t)p.run.id, "status", p.run.status,
                        "message",
                        strcmp(p.run.status, "failed") == 0
                            ? panels_engine_message(p.run.message, r->lang, r->arena)
                            : "");
    json_object_set_new(o, "run", run);
    return noaber_resp_json(r, status, o);
}

static enum noaber_err
panel_answer(struct noaber_req *r, int status)
{
    return panel_answer_of(r, web_panel_id(r), status);
}

enum noaber_err
panels_api_list(struct noaber_req *r)
{
    json_t *list;
    int manager;
    enum noaber_err e = web_panel_list_json(r, &list, &manager);
    return e == NOABER_OK ? noaber_resp_json(r, 200, json_pack("{s:o}", "panels", list)) : e;
}

struct create_body {
    const char *title, *purpose, *quotas, *questions;
    int64_t k, reserves;
};
static const struct noaber_field create_spec[] = {
    {"title", NOABER_F_LINE, 1, 1, 120, offsetof(struct create_body, title), NULL},
    {"purpose", NOABER_F_TEXT, 1, 1, 2000, offsetof(struct create_body, purpose), NULL},
    {"k", NOABER_F_INT, 1, 1, PANELS_WEB_MAX_K, offsetof(struct create_body, k), NULL},
    {"reserves", NOABER_F_INT, 0, 0, PANELS_WEB_MAX_K, offsetof(struct create_body, reserves),
     NULL},
    {"quotas", NOABER_F_TEXT, 1, 1, 20000, offsetof(struct create_body, quotas), NULL},
    {"questions", NOABER_F_TEXT, 0, 0, 8000, offsetof(struct create_body, questions), NULL},
};

enum noaber_err
panels_api_create(struct noaber_req *r)
{
    struct create_body in;
    struct noaber_input_errors errs;
    enum noaber_err e = noaber_input_parse(r, create_spec, N(create_spec), &in, &errs);
    if (e == NOABER_E_INVALID)
        return noaber_input_api_invalid(r, create_spec, N(create_spec), &errs);
    struct panels_new pn = {in.title, in.purpose, in.quotas, in.questions, in.k, in.reserves};
    int64_t id = 0;
    size_t line = 0;
    if (e == NOABER_OK)
        e = panels_create(r->db, &r->actor, &r->hood, &pn, &id, &line);
    if (e == NOABER_E_BAD_QUOTAS)
        return error_at(r, e, line);
    if (e != NOABER_OK)
        return e;
    return panel_answer_of(r, id, 201);
}

enum noaber_err
panels_api_get(struct noaber_req *r)
{
    return panel_answer(r, 200);
}

struct quotas_body {
    const char *quotas;
    int64_t k;
};
static const struct noaber_field quotas_spec[] = {
    {"quotas", NOABER_F_TEXT, 1, 1, 20000, offsetof(struct quotas_body, quotas), NULL},
    {"k", NOABER_F_INT, 0, 1, PANELS_WEB_MAX_K, offsetof(struct quotas_body, k), NULL},
};

enum noaber_err
panels_api_quotas(struct noaber_req *r)
{
    struct quotas_body in;
    struct noaber_input_errors errs;
    enum noaber_err e = noaber_input_parse(r, quotas_spec, N(quotas_spec), &in, &errs);
    if (e == NOABER_E_INVALID)
        return noaber_input_api_invalid(r, quotas_spec, N(quotas_spec), &errs);
    size_t line = 0;
    if (e == NOABER_OK)
        e = panels_quotas_update(r->db, &r->actor, &r->hood, web_panel_id(r), in.quotas, in.k,
                                 &line);
    if (e == NOABER_E_BAD_QUOTAS)
        return error_at(r, e, line);
    return e == NOABER_OK ? panel_answer(r, 200) : e;
}

struct addresses_body {
    const char *csv;
};
static const struct noaber_field addresses_spec[] = {
    {"csv", NOABER_F_TEXT, 1, 1, 4000000, offsetof(struct addresses_body, csv), NULL},
};

enum noaber_err
panels_api_addresses(struct noaber_req *r)
{
    struct addresses_body in;
    struct noaber_input_errors errs;
    enum noaber_err e = noaber_input_parse(r, addresses_spec, N(addresses_spec), &in, &errs);
    if (e == NOABER_E_INVALID)
        return noaber_input_api_invalid(r, addresses_spec, N(addresses_spec), &errs);
    size_t line = 0;
    int64_t count = 0;
    if (e == NOABER_OK)
        e = panels_addresses_upload(r->db, &r->actor, &r->hood, web_panel_id(r), in.csv,
                                    strlen(in.csv), &count, &line);
    if (e != NOABER_OK && noaber_err_status(e) == 422)
        return error_at(r, e, line);
    return e == NOABER_OK ? panel_answer(r, 200) : e;
}

struct invite_body {
    int64_t count;
};
static const struct noaber_field invite_spec[] = {
    {"count", NOABER_F_INT, 1, 1, PANELS_WEB_MAX_ADDRESS, offsetof(struct invite_body, count),
     NULL},
};

enum noaber_err
panels_api_invite(struct noaber_req *r)
{
    struct invite_body in;
    struct noaber_input_errors errs;
    enum noaber_err e = noaber_input_parse(r, invite_spec, N(invite_spec), &in, &errs);
    if (e == NOABER_E_INVALID)
        return noaber_input_api_invalid(r, invite_spec, N(invite_spec), &errs);
    if (e == NOABER_OK)
        e = panels_invite(r->db, &r->actor, &r->hood, web_panel_id(r), in.count);
    return e == NOABER_OK ? panel_answer(r, 200) : e;
}

enum noaber_err
panels_api_close(struct noaber_req *r)
{
    enum noaber_err e = panels_close_stage1(r->db, &r->actor, &r->hood, web_panel_id(r));
    return e == NOABER_OK ? panel_answer(r, 200) : e;
}

enum noaber_err
panels_api_details(struct noaber_req *r)
{
    struct panels_details_form in;
    struct noaber_input_errors errs;
    enum noaber_err e =
        noaber_input_parse(r, panels_details_spec, PANELS_DETAILS_FIELDS, &in, &errs);
    if (e == NOABER_E_INVALID)
        return noaber_input_api_invalid(r, panels_details_spec, PANELS_DETAILS_FIELDS, &errs);
    if (e == NOABER_OK)
        e = panels_details_update(r->db, &r->actor, &r->hood, web_panel_id(r), in.title, in.purpose,
                                  in.reserves);
    return e == NOABER_OK ? panel_answer(r, 200) : e;
}

struct seed_body {
    const char *seed;
};
static const struct noaber_field seed_spec[] = {
    {"seed", NOABER_F_LINE, 1, 1, 200, offsetof(struct seed_body, seed), NULL},
};

enum noaber_err
panels_api_seed(struct noaber_req *r)
{
    struct seed_body in;
    struct noaber_input_errors errs;
    enum noaber_err e = noaber_input_parse(r, seed_spec, N(seed_spec), &in, &errs);
    if (e == NOABER_E_INVALID)
        return noaber_input_api_invalid(r, seed_spec, N(seed_spec), &errs);
    if (e == NOABER_OK)
        e = panels_seed(r->db, &r->actor, &r->hood, web_panel_id(r), in.seed);
    return e == NOABER_OK ? panel_answer(r, 200) : e;
}

enum noaber_err
panels_api_draw(struct noaber_req *r)
{
    struct panels_draw_form in;
    struct noaber_input_errors errs;
    enum noaber_err e = noaber_input_parse(r, panels_draw_spec, N(panels_draw_spec), &in, &errs);
    if (e == NOABER_E_INVALID)
        return noaber_input_api_invalid(r, panels_draw_spec, N(panels_draw_spec), &errs);
    if (e == NOABER_OK)
        e = panels_draw_start(r->db, r->config, &r->actor, &r->hood, web_panel_id(r), in.algorithm);
    return e == NOABER_OK ? panel_answer(r, 202) : e;
}

enum noaber_err
panels_api_publish(struct noaber_req *r)
{
    enum noaber_err e = panels_publish(r->db, &r->actor, &r->hood, web_panel_id(r));
    return e == NOABER_OK ? panel_answer(r, 200) : e;
}

enum noaber_err
panels_api_volunteers(struct noaber_req *r)
{
    struct panels_volunteer *v;
    size_t n = 0;
    enum noaber_err e =
        panels_volunteers(r->db, &r->actor, &r->hood, web_panel_id(r), &v, &n, r->arena);
    if (e != NOABER_OK)
        return e;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o =
            json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:i,s:s,s:s}", "id", (json_int_t)v[i].id,
                      "number", (json_int_t)v[i].number, "name", v[i].name, "email", v[i].email,
                      "phone", v[i].phone, "postal_address", v[i].postal, "status",
                      panels_vstatus_name(v[i].status), "reserve_rank", v[i].reserve_rank,
                      "probability", v[i].probability, "answers", v[i].answers);
        json_array_append_new(list, o);
    }
    return noaber_resp_json(r, 200, json_pack("{s:o}", "volunteers", list));
}

enum noaber_err
panels_api_dropout(struct noaber_req *r)
{
    int64_t replaced = 0;
    int ok = 0;
    enum noaber_err e = panels_dropout(r->db, &r->actor, &r->hood, web_panel_id(r),
                                       noaber_req_param_id(r, "vid"), &replaced, &ok);
    if (e != NOABER_OK)
        return e;
    return noaber_resp_json(
        r, 200, json_pack("{s:I,s:b}", "replaced_by", (json_int_t)replaced, "quotas_met", ok));
}

enum noaber_err
panels_api_result(struct noaber_req *r)
{
    struct panels_panel p = {0};
    struct panels_volunteer *v = NULL;
    size_t n = 0;
    enum noaber_err e = panels_get(r->db, r->config, &r->actor, &r->hood, web_panel_id(r),
                                   PANELS_VIEW_PUBLIC, &p, r->arena);
    if (e == NOABER_OK)
        e = web_store_volunteers(r->db, p.id, &v, &n, r->arena);
    if (e != NOABER_OK)
        return e;
    json_t *o = web_panel_json(r, &p, 0);
    json_object_set_new(o, "probabilities", web_probabilities_json(v, n));
    json_object_set_new(o, "distribution", json_string(p.run.distribution));
    json_object_set_new(o, "draw", json_string(p.run.draw));
    json_object_set_new(o, "profiles", json_string(p.run.profiles));
    return noaber_resp_json(r, 200, o);
}

struct signup_body {
    const char *code, *name, *email, *phone, *postal, *lang, *answers, *consent;
};
static const char *const langs[] = {"nl", "en", NULL};
/* A checkbox or a JSON boolean (true arrives as "1"); anything else is an error, so that a
 * mistyped field does not quietly count as "no". */
static const char *const yes_no[] = {"1", "0", "true", "false", "on", NULL};
static const struct noaber_field signup_spec[] = {
    {"code", NOABER_F_LINE, 1, 1, 20, offsetof(struct signup_body, code), NULL},
    {"answers", NOABER_F_LINE, 1, 1, 2000, offsetof(struct signup_body, answers), NULL},
    {"consent", NOABER_F_CHOICE, 0, 0, 0, offsetof(struct signup_body, consent), yes_no},
    {"name", NOABER_F_LINE, 0, 0, 120, offsetof(struct signup_body, name), NULL},
    {"email", NOABER_F_LINE, 0, 0, 254, offsetof(struct signup_body, email), NULL},
    {"phone", NOABER_F_LINE, 0, 0, 30, offsetof(struct signup_body, phone), NULL},
    {"postal_address", NOABER_F_LINE, 0, 0, 300, offsetof(struct signup_body, postal), NULL},
    {"lang", NOABER_F_CHOICE, 0, 0, 0, offsetof(struct signup_body, lang), langs},
};

/* "feature=value; feature=value" in the order of FEATURES; missing ones stay "". */
static const char **
answers_of(struct noaber_req *r, const char *line, const char *const *features, size_t nf)
{
    const char **out = noaber_arena_alloc(r->arena, (nf + 1) * sizeof *out);
    char *copy = noaber_arena_strdup(r->arena, line);
    if (!out || !copy)
        return NULL;
    for (size_t f = 0; f < nf; f++)
        out[f] = "";
    for (char *save = NULL, *part = strtok_r(copy, ";", &save); part;
         part = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(part, '=');
        if (!eq)
            continue;
        *eq = '\0';
        const char *k = noaber_trim(part), *v = noaber_trim(eq + 1);
        for (size_t f = 0; f < nf; f++)
            if (strcmp(features[f], k) == 0)
                out[f] = v;
    }
    return out;
}

enum noaber_err
panels_api_signup(struct noaber_req *r)
{
    struct signup_body in;
    struct noaber_input_errors errs;
    enum noaber_err e = noaber_input_parse(r, signup_spec, N(signup_spec), &in, &errs);
    if (e == NOABER_E_INVALID)
        return noaber_input_api_invalid(r, signup_spec, N(signup_spec), &errs);
    int64_t panel = 0, number = 0;
    struct panels_panel p = {0};
    if (e == NOABER_OK)
        e = panels_code_panel(r->db, in.code, r->client_ip, &panel, &r->retry_minutes);
    if (e == NOABER_OK)
        e = panels_signup_panel(r->db, panel, &p, r->arena);
    const char **answers =
        e == NOABER_OK ? answers_of(r, in.answers, p.features, p.nfeatures) : NULL;
    if (e == NOABER_OK && !answers)
        e = NOABER_E_TOO_LARGE;
    if (e == NOABER_OK) {
        struct panels_signup s = {in.code,
                                  in.name,
                                  in.email,
                                  in.phone,
                                  in.postal,
                                  *in.lang ? in.lang : "nl",
                                  answers,
                                  p.nfeatures,
                                  strcmp(in.consent, "1") == 0 || strcmp(in.consent, "true") == 0 ||
                                      strcmp(in.consent, "on") == 0,
                                  r->client_ip};
        e = panels_signup(r->db, &r->actor, NULL, 0, &s, &number, &r->retry_minutes);
    }
    if (e != NOABER_OK)
        return e;
    return noaber_resp_json(r, 201,
                            json_pack("{s:I,s:s}", "number", (json_int_t)number, "panel", p.title));
}
