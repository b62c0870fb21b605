/*
 * JSON handlers of the residents module under /api/v1/: one's own profile and consents (and,
 * with acting_for, those of a resident who gave the caller a machtiging), the skill list, "who
 * can help", a resident's file for the staff of their neighbourhood, the caller's caseload and
 * the aggregated figures. They share the operations, rules and authorisation of the pages; only
 * the rendering differs. Lists of slugs and field names are comma-separated strings both ways,
 * so that a form post and a JSON body carry them alike.
 */
#include "residents/residents_int.h"

#include "base/arena.h"
#include "base/util.h"
#include "http/form.h"
#include "http/input.h"

#include <stdlib.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const languages[] = {"nl", "en", NULL};
static const char *const channels[] = {"inapp", "email", "call", "letter", NULL};
static const char *const purposes[] = {"profile", "matching", "contact", "health", NULL};

/* Whether the body names field NAME (a PATCH leaves absent fields as they are). */
static int
present(const struct noaber_req *r, const char *name)
{
    if (r->json_body)
        return json_is_object(r->json) && json_object_get(r->json, name) != NULL;
    return noaber_kv_find(r->form, name) != NULL;
}

static json_t *
consent_state(residents_cset c)
{
    json_t *o = json_object();
    for (int p = 0; p < RESIDENTS_P__MAX; p++)
        json_object_set_new(o, residents_purpose_name(p), json_boolean(RESIDENTS_HAS(c, p)));
    return o;
}

static json_t *
profile_json(struct noaber_req *r, const struct residents_profile *p)
{
    return json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,"
                     "s:o}",
                     "id", (json_int_t)p->person_id, "display_name", p->display_name, "email",
                     p->email, "username", p->username, "lang", p->lang, "channel", p->channel,
                     "about", p->about, "wants", p->wants, "abilities", p->abilities, "needs",
                     p->needs, "offers", p->offers, "availability", p->availability, "phone",
                     p->phone, "postcode", p->postcode, "house_number", p->house_number,
                     "skills_offered", p->skills_offered ? p->skills_offered : "", "skills_wanted",
                     p->skills_wanted ? p->skills_wanted : "", "visible",
                     residents_visible_list(r, p->visible), "consents", consent_state(p->consents));
}

static enum noaber_err
own_profile(struct noaber_req *r, int64_t person, enum residents_relation rel)
{
    struct residents_file f;
    enum noaber_err e = residents_own_file(r->db, &r->actor, person, rel, &f, r->arena);
    if (e != NOABER_OK)
        return e;
    json_t *o = profile_json(r, &f.profile);
    json_object_set_new(o, "acting", json_boolean(rel == RESIDENTS_REL_ACTING));
    return noaber_resp_json(r, 200, o);
}

enum noaber_err
residents_api_profile(struct noaber_req *r)
{
    int64_t person = 0;
    enum residents_relation rel = RESIDENTS_REL_NONE;
    enum noaber_err e =
        residents_subject(r->db, &r->actor, noaber_req_query_id(r, "acting_for"), &person, &rel);
    return e == NOABER_OK ? own_profile(r, person, rel) : e;
}

struct profile_body {
    const char *about, *wants, *abilities, *needs, *offers, *availability;
    char *phone;
    const char *postcode;
    char *house_number;
    const char *lang, *channel, *skills_offered, *skills_wanted, *visible;
    int64_t acting_for;
};
#define PB(name, type, max)                                                                        \
    {                                                                                              \
#name, type, 0, 0, max, offsetof(struct profile_body, name), NULL                          \
    }
static const struct noaber_field profile_spec[] = {
    PB(about, NOABER_F_TEXT, 2000),
    PB(wants, NOABER_F_TEXT, 2000),
    PB(abilities, NOABER_F_TEXT, 2000),
    PB(needs, NOABER_F_TEXT, 2000),
    PB(offers, NOABER_F_TEXT, 2000),
    PB(availability, NOABER_F_LINE, 200),
    PB(phone, NOABER_F_LINE, 30),
    PB(postcode, NOABER_F_POSTCODE, 0),
    PB(house_number, NOABER_F_LINE, 10),
    {"lang", NOABER_F_CHOICE, 0, 0, 0, offsetof(struct profile_body, lang), languages},
    {"channel", NOABER_F_CHOICE, 0, 0, 0, offsetof(struct profile_body, channel), channels},
    PB(skills_offered, NOABER_F_LINE, 1000),
    PB(skills_wanted, NOABER_F_LINE, 1000),
    PB(visible, NOABER_F_LINE, 200),
    PB(acting_for, NOABER_F_INT, 0),
};

static void
set_error(struct noaber_input_errors *errs, const char *name, enum noaber_err e)
{
    for (size_t i = 0; i < N(profile_spec); i++)
        if (strcmp(profile_spec[i].name, name) == 0 && e != NOABER_OK && !errs->field[i]) {
            errs->field[i] = e;
            errs->count++;
        }
}

enum noaber_err
residents_api_profile_update(struct noaber_req *r)
{
    struct profile_body in;
    struct noaber_input_errors errs;
    enum noaber_err e = noaber_input_parse(r, profile_spec, N(profile_spec), &in, &errs);
    if (e != NOABER_OK && e != NOABER_E_INVALID)
        return e;
    /* The rules beyond one field, each on its own field. */
    const char *offered = NULL, *wanted = NULL;
    unsigned visible = 0;
    if (*in.phone)
        set_error(&errs, "phone", residents_check_phone(in.phone));
    if (*in.house_number)
        set_error(&errs, "house_number", residents_check_house_number(in.house_number));
    if (present(r, "skills_offered"))
        set_error(&errs, "skills_offered", residents_skill_list(r, in.skills_offered, &offered));
    if (present(r, "skills_wanted"))
        set_error(&errs, "skills_wanted", residents_skill_list(r, in.skills_wanted, &wanted));
    set_error(&errs, "visible", residents_visible_parse(in.visible, &visible));
    if (errs.count)
        return noaber_input_api_invalid(r, profile_spec, N(profile_spec), &errs);
    int64_t person = 0;
    enum residents_relation rel = RESIDENTS_REL_NONE;
    e = residents_subject(r->db, &r->actor, in.acting_for, &person, &rel);
    if (e != NOABER_OK)
        return e;
    struct members_hood home;
    if (*in.postcode && residents_home_hood(r->db, person, &home, r->arena) == NOABER_OK &&
        residents_postcode_problem(r, in.postcode, &home)) {
        set_error(&errs, "postcode", NOABER_E_POSTCODE_ELSEWHERE);
        return noaber_input_api_invalid(r, profile_spec, N(profile_spec), &errs);
    }
    /* PATCH: only what was sent changes. */
#define SENT(f) (present(r, #f) ? in.f : NULL)
    struct residents_profile_input p = {SENT(about),
                                        SENT(wants),
                                        SENT(abilities),
                                        SENT(needs),
                                        SENT(offers),
                                        SENT(availability),
                                        SENT(phone),
                                        SENT(postcode),
                                        SENT(house_number),
                                        offered,
                                        wanted,
                                        *in.lang ? in.lang : NULL,
                                        *in.channel ? in.channel : NULL,
                                        visible,
                                        present(r, "visible"),
                                        0};
#undef SENT
    int any = 0;
    for (size_t i = 0; i < N(profile_spec) - 1; i++)
        any |= present(r, profile_spec[i].name);
    if (any)
        e = residents_profile_save(r->db, &r->actor, person, rel, &p);
    return e == NOABER_OK ? own_profile(r, person, rel) : e;
}

/* --- consents --------------------------------------------------------------------------------- */

static enum noaber_err
consents_answer(struct noaber_req *r, int64_t person, int status)
{
    struct residents_consent *c;
    size_t n = 0;
    residents_cset active = 0;
    struct residents_profile p;
    enum noaber_err e = residents_consents(r->db, person, &c, &n, r->arena);
    if (e != NOABER_OK)
        return e;
    json_t *history = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_pack("{s:s,s:I,s:s,s:s}", "purpose", residents_purpose_name(c[i].purpose),
                              "given_at", (json_int_t)c[i].given_at, "how",
                              residents_how_name(c[i].how), "recorded_by", c[i].recorded_by);
        json_object_set_new(o, "withdrawn_at",
                            c[i].withdrawn_at ? json_integer(c[i].withdrawn_at) : json_null());
        if (!c[i].withdrawn_at)
            active |= 1u << c[i].purpose;
        json_array_append_new(history, o);
    }
    (void)p;
    return noaber_resp_json(
        r, status, json_pack("{s:o,s:o}", "consents", consent_state(active), "history", history));
}

enum noaber_err
residents_api_consents(struct noaber_req *r)
{
    int64_t person = 0;
    enum residents_relation rel = RESIDENTS_REL_NONE;
    enum noaber_err e =
        residents_subject(r->db, &r->actor, noaber_req_query_id(r, "acting_for"), &person, &rel);
    return e == NOABER_OK ? consents_answer(r, person, 200) : e;
}

struct consent_body {
    const char *purpose;
    int64_t acting_for;
};
static const struct noaber_field consent_spec[] = {
    {"purpose", NOABER_F_CHOICE, 1, 0, 0, offsetof(struct consent_body, purpose), purposes},
    {"acting_for", NOABER_F_INT, 0, 0, 0, offsetof(struct consent_body, acting_for), NULL},
};

enum noaber_err
residents_api_consent_give(struct noaber_req *r)
{
    struct consent_body in;
    struct noaber_input_errors errs;
    enum noaber_err e = noaber_input_parse(r, consent_spec, N(consent_spec), &in, &errs);
    if (e == NOABER_E_INVALID)
        return noaber_input_api_invalid(r, consent_spec, N(consent_spec), &errs);
    int64_t person = 0;
    enum residents_relation rel = RESIDENTS_REL_NONE;
    if (e == NOABER_OK)
        e = residents_subject(r->db, &r->actor, in.acting_for, &person, &rel);
    if (e == NOABER_OK)
        e = residents_consent_set(r->db, &r->actor, person, rel,
                                  residents_purpose_parse(in.purpose), 1, RESIDENTS_HOW_ONLINE);
    return e == NOABER_OK ? consents_answer(r, person, 200) : e;
}

enum noaber_err
residents_api_consent_withdraw(struct noaber_req *r)
{
    enum residents_purpose purpose = residents_purpose_parse(noaber_req_param(r, "purpose"));
    int64_t person = 0;
    enum residents_relation rel = RESIDENTS_REL_NONE;
    enum noaber_err e =
        residents_subject(r->db, &r->actor, noaber_req_query_id(r, "acting_for"), &person, &rel);
    if (e == NOABER_OK && purpose == RESIDENTS_P__MAX)
        e = NOABER_E_NOT_FOUND;
    if (e == NOABER_OK)
        e = residents_consent_set(r->db, &r->actor, person, rel, purpose, 0, RESIDENTS_HOW_ONLINE);
    return e == NOABER_OK ? consents_answer(r, person, 200) : e;
}

/* --- skills, who can help --------------------------------------------------------------------- */

enum noaber_err
residents_api_skills(struct noaber_req *r)
{
    struct residents_skill *s;
    size_t n = 0;
    enum noaber_err e = residents_skills(r->db, 0, &s, &n, r->arena);
    if (e != NOABER_OK)
        return e;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_pack("{s:s,s:s,s:s}", "slug", s[i].slug, "label_nl",
                                              s[i].label_nl, "label_en", s[i].label_en));
    return noaber_resp_json(r, 200, json_pack("{s:o}", "skills", list));
}

enum noaber_err
residents_api_help(struct noaber_req *r)
{
    const char *skill = noaber_req_query(r, "skill");
    const char *norm = NULL;
    enum noaber_err e = skill && *skill ? residents_skill_list(r, skill, &norm) : NOABER_E_REQUIRED;
    if (e == NOABER_OK && (!norm || !*norm || strchr(norm, ',')))
        e = NOABER_E_UNKNOWN_SKILL; /* one skill at a time */
    if (e == NOABER_E_REQUIRED || e == NOABER_E_UNKNOWN_SKILL)
        return noaber_resp_json(
            r, 422,
            json_pack("{s:{s:s,s:s,s:{s:{s:s,s:s}}}}", "error", "code", "INVALID", "message",
                      noaber_req_errmsg(r, NOABER_E_INVALID), "fields", "skill", "code",
                      noaber_err_name(e), "message", noaber_req_errmsg(r, e)));
    struct residents_helper *h;
    size_t n = 0;
    if (e == NOABER_OK)
        e = residents_help_search(r->db, &r->actor, &r->hood, norm, &h, &n, r->arena);
    if (e != NOABER_OK)
        return e;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            list, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "id", (json_int_t)h[i].person_id,
                            "display_name", h[i].name, "skills_offered", h[i].skills_offered,
                            "about", h[i].about, "abilities", h[i].abilities, "offers", h[i].offers,
                            "availability", h[i].availability, "phone", h[i].phone));
    return noaber_resp_json(r, 200, json_pack("{s:s,s:o}", "skill", norm, "helpers", list));
}

/* --- staff: a file, the caseload, figures ----------------------------------------------------- */

static json_t *
notes_json(const struct residents_note *x, size_t n)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_pack("{s:I,s:s,s:s}", "at", (json_int_t)x[i].at, "author",
                                              x[i].author_name, "text", x[i].text));
    return list;
}

enum noaber_err
residents_api_resident(struct noaber_req *r)
{
    struct residents_file f;
    enum noaber_err e =
        residents_file_open(r->db, &r->actor, &r->hood, noaber_req_param_id(r, "id"), &f, r->arena);
    if (e != NOABER_OK)
        return e;
    json_t *o = profile_json(r, &f.profile);
    json_object_set_new(o, "relation", json_string(residents_relation_name(f.rel)));
    if (f.fields & RESIDENTS_F_CASELOAD)
        json_object_set_new(o, "caseload",
                            json_pack("{s:I,s:s,s:I,s:I}", "connector_id", (json_int_t)f.assigned,
                                      "connector", f.assigned ? f.assigned_name : "", "since",
                                      (json_int_t)f.since, "next_contact_at",
                                      (json_int_t)f.next_contact_at));
    if (f.fields & RESIDENTS_F_NOTES)
        json_object_set_new(o, "notes", notes_json(f.notes, f.nnotes));
    if (f.fields & RESIDENTS_F_HEALTH)
        json_object_set_new(o, "health_notes", notes_json(f.health, f.nhealth));
    return noaber_resp_json(r, 200, o);
}

static json_t *
cases_json(const struct residents_case *c, size_t n)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list,
                              json_pack("{s:I,s:s,s:I,s:s,s:I,s:I,s:b,s:b}", "id",
                                        (json_int_t)c[i].person_id, "display_name", c[i].name,
                                        "connector_id", (json_int_t)c[i].connector_id, "connector",
                                        c[i].connector_name, "since", (json_int_t)c[i].since,
                                        "next_contact_at", (json_int_t)c[i].next_contact_at, "due",
                                        c[i].due, "contact", c[i].contact_allowed));
    return list;
}

enum noaber_err
residents_api_caseload(struct noaber_req *r)
{
    struct residents_case *cases, *un;
    size_t n = 0, nun = 0;
    int64_t now = noaber_now();
    enum noaber_err e = residents_caseload(
        r->db, &r->actor, &r->hood, now, residents_nl_offset(now), &cases, &n, &un, &nun, r->arena);
    if (e != NOABER_OK)
        return e;
    return noaber_resp_json(
        r, 200,
        json_pack("{s:o,s:o}", "cases", cases_json(cases, n), "unfollowed", cases_json(un, nun)));
}

/* A count, or null when it is under RESIDENTS_MIN_COUNT. */
static json_t *
count_json(int64_t n)
{
    return n < 0 ? json_null() : json_integer((json_int_t)n);
}

enum noaber_err
residents_api_reports(struct noaber_req *r)
{
    struct residents_report rep;
    enum noaber_err e = residents_report(r->db, &r->hood, noaber_now(), &rep, r->arena);
    if (e != NOABER_OK)
        return e;
    json_t *skills = json_array(), *consents = json_object();
    for (size_t i = 0; i < rep.nskills; i++)
        json_array_append_new(skills, json_pack("{s:s,s:o,s:o}", "slug", rep.skills[i].slug,
                                                "offered", count_json(rep.skills[i].offered),
                                                "wanted", count_json(rep.skills[i].wanted)));
    for (int p = 0; p < RESIDENTS_P__MAX; p++)
        json_object_set_new(consents, residents_purpose_name(p), count_json(rep.consents[p]));
    return noaber_resp_json(
        r, 200,
        json_pack("{s:s,s:i,s:o,s:o,s:o,s:o,s:o,s:o}", "neighbourhood", r->hood.slug,
                  "suppressed_below", RESIDENTS_MIN_COUNT, "residents", count_json(rep.residents),
                  "profiles", count_json(rep.profiles), "intakes_this_month",
                  count_json(rep.intakes_month), "followed", count_json(rep.followed), "consents",
                  consents, "skills", skills));
}
