/*
 * HTML handlers of the residents module for a whole neighbourhood: "Who can help with ...?"
 * (residents and staff; neighbours who opted in, with what they chose to show), the caseload of
 * a connector with "to contact this week", the import of the cooperative's member list (CSV),
 * and the aggregated figures that partners may see (no postcodes, counts under 5 as "< 5").
 */
#include "residents/residents_int.h"

#include "base/arena.h"
#include "base/util.h"
#include "http/form.h"
#include "view/i18n.h"

#include <string.h>

/* --- who can help ----------------------------------------------------------------------------- */

enum noaber_err
residents_page_help(struct noaber_req *r)
{
    const char *skill = noaber_req_query(r, "skill");
    struct residents_skill *skills;
    size_t n = 0, nh = 0;
    enum noaber_err e = residents_skills(r->db, 0, &skills, &n, r->arena);
    if (e != NOABER_OK)
        return e;
    json_t *opts = json_array();
    const char *label = NULL;
    for (size_t i = 0; i < n; i++) {
        int sel = skill && strcmp(skill, skills[i].slug) == 0;
        const char *l =
            r->lang && strcmp(r->lang, "en") == 0 ? skills[i].label_en : skills[i].label_nl;
        if (sel)
            label = l;
        json_array_append_new(
            opts, json_pack("{s:s,s:s,s:b}", "value", skills[i].slug, "label", l, "selected", sel));
    }
    int status = 200;
    json_t *ctx = json_pack("{s:s,s:s,s:s,s:o}", "title", noaber_req_tr(r, N_("Who can help?")),
                            "slug", r->hood.slug, "hood_name", r->hood.name, "skills", opts);
    if (skill && *skill && !label) {
        status = 422;
        json_object_set_new(ctx, "error",
                            json_string(noaber_req_errmsg(r, NOABER_E_UNKNOWN_SKILL)));
    } else if (label) {
        struct residents_helper *h;
        e = residents_help_search(r->db, &r->actor, &r->hood, skill, &h, &nh, r->arena);
        if (e != NOABER_OK) {
            json_decref(ctx);
            return e;
        }
        json_t *list = json_array();
        for (size_t i = 0; i < nh; i++)
            json_array_append_new(
                list, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o}", "name", h[i].name, "about",
                                h[i].about, "abilities", h[i].abilities, "offers", h[i].offers,
                                "availability", h[i].availability, "phone", h[i].phone, "skills",
                                residents_skill_labels(r, h[i].skills_offered)));
        json_object_set_new(ctx, "helpers", list);
        json_object_set_new(ctx, "skill_label", json_string(label));
        json_object_set_new(ctx, "searched", json_true());
    }
    return noaber_resp_page(r, status, "residents/help", ctx);
}

/* --- the caseload ----------------------------------------------------------------------------- */

static json_t *
cases_json(struct noaber_req *r, const struct residents_case *c, size_t n, int due_only)
{
    json_t *list = json_array();
    int64_t now = noaber_now();
    for (size_t i = 0; i < n; i++) {
        if (due_only && !c[i].due)
            continue;
        json_array_append_new(
            list, json_pack("{s:I,s:s,s:s,s:s,s:s,s:b,s:b,s:b}", "id", (json_int_t)c[i].person_id,
                            "name", c[i].name, "connector", c[i].connector_name, "next",
                            residents_date_text(r, c[i].next_contact_at), "since",
                            residents_date_text(r, c[i].since), "due", c[i].due, "overdue",
                            c[i].due && c[i].next_contact_at < now - 86400, "contact",
                            c[i].contact_allowed));
    }
    return list;
}

enum noaber_err
residents_page_caseload(struct noaber_req *r)
{
    struct residents_case *cases, *un;
    size_t n = 0, nun = 0;
    int64_t now = noaber_now();
    enum noaber_err e = residents_caseload(
        r->db, &r->actor, &r->hood, now, residents_nl_offset(now), &cases, &n, &un, &nun, r->arena);
    if (e != NOABER_OK)
        return e;
    int coord = r->hood.role == MEMBERS_R_COORDINATOR;
    json_t *ctx = json_pack(
        "{s:s,s:s,s:s,s:o,s:o,s:o,s:b,s:b}", "title", noaber_req_tr(r, N_("Caseload")), "slug",
        r->hood.slug, "hood_name", r->hood.name, "due", cases_json(r, cases, n, 1), "all",
        cases_json(r, cases, n, 0), "unfollowed", cases_json(r, un, nun, 0), "coordinator", coord,
        "can_import", members_can(&r->actor, MEMBERS_A_MEMBER_CREATE, &r->hood) == NOABER_OK);
    return noaber_resp_page(r, 200, "residents/caseload", ctx);
}

/* --- import ----------------------------------------------------------------------------------- */

static enum noaber_err
import_page(struct noaber_req *r, int status, const struct residents_import_result *res,
            enum noaber_err e)
{
    json_t *ctx =
        json_pack("{s:s,s:s,s:s}", "title", noaber_req_tr(r, N_("Import the member list")), "slug",
                  r->hood.slug, "hood_name", r->hood.name);
    if (e != NOABER_OK)
        json_object_set_new(ctx, "error", json_string(noaber_req_errmsg(r, e)));
    if (res) {
        json_t *imported = json_array(), *skipped = json_array();
        for (size_t i = 0; i < res->n; i++) {
            const struct residents_import_line *l = &res->lines[i];
            json_t *o =
                json_pack("{s:I,s:s}", "line", (json_int_t)l->line, "name", l->name ? l->name : "");
            if (l->reason == NOABER_OK) {
                json_object_set_new(o, "id", json_integer(l->person_id));
                json_array_append_new(imported, o);
            } else {
                const char *why = l->reason == NOABER_E_EMAIL_TAKEN
                                      ? noaber_req_tr(r, N_("Already has an account: add them "
                                                            "under Members."))
                                      : noaber_req_errmsg(r, l->reason);
                json_object_set_new(o, "reason", json_string(why));
                json_array_append_new(skipped, o);
            }
        }
        json_object_set_new(ctx, "done", json_true());
        json_object_set_new(ctx, "imported", imported);
        json_object_set_new(ctx, "skipped", skipped);
        json_object_set_new(ctx, "n_imported", json_integer((json_int_t)res->imported));
        json_object_set_new(ctx, "n_skipped", json_integer((json_int_t)res->skipped));
    }
    return noaber_resp_page(r, status, "residents/import", ctx);
}

enum noaber_err
residents_page_import_form(struct noaber_req *r)
{
    return import_page(r, 200, NULL, NOABER_OK);
}

enum noaber_err
residents_page_import(struct noaber_req *r)
{
    const struct noaber_kv *file = noaber_req_file(r, "file");
    if (!file || !file->value_len)
        return import_page(r, 422, NULL, NOABER_E_REQUIRED);
    struct residents_import_result res;
    enum noaber_err e =
        residents_import(r->db, &r->actor, &r->hood, file->value, file->value_len, &res, r->arena);
    if (e == NOABER_E_BAD_CSV)
        return import_page(r, 422, NULL, e);
    if (e != NOABER_OK)
        return e;
    return import_page(r, 200, &res, NOABER_OK);
}

/* --- aggregated figures ----------------------------------------------------------------------- */

/* A count for people: "< 5" where it was suppressed. */
static json_t *
shown(int64_t n)
{
    return n < 0 ? json_string("< 5") : json_integer((json_int_t)n);
}

enum noaber_err
residents_page_reports(struct noaber_req *r)
{
    struct residents_report rep;
    enum noaber_err e = residents_report(r->db, &r->hood, noaber_now(), &rep, r->arena);
    if (e != NOABER_OK)
        return e;
    json_t *skills = json_array(), *consents = json_array();
    int en = r->lang && strcmp(r->lang, "en") == 0;
    for (size_t i = 0; i < rep.nskills; i++)
        json_array_append_new(
            skills, json_pack("{s:s,s:o,s:o}", "label",
                              en ? rep.skills[i].label_en : rep.skills[i].label_nl, "offered",
                              shown(rep.skills[i].offered), "wanted", shown(rep.skills[i].wanted)));
    for (int p = 0; p < RESIDENTS_P__MAX; p++)
        json_array_append_new(consents, json_pack("{s:s,s:o}", "label",
                                                  noaber_req_tr(r, residents_purpose_label(p)),
                                                  "count", shown(rep.consents[p])));
    json_t *ctx =
        json_pack("{s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o}", "title", noaber_req_tr(r, N_("Figures")),
                  "hood_name", r->hood.name, "residents", shown(rep.residents), "profiles",
                  shown(rep.profiles), "intakes", shown(rep.intakes_month), "followed",
                  shown(rep.followed), "skills", skills, "consents", consents);
    return noaber_resp_page(r, 200, "residents/reports", ctx);
}
