/*
 * HTML handlers of the residents module for the connectors and coordinators of a neighbourhood:
 * the assisted intake (a resident without an account, the answers to the five questions and the
 * consent given, how and by whom), a resident's file with what the viewer may see of it (notes
 * only for the assigned connector and the coordinators), recording consents and machtigingen
 * given by mouth or on paper, contact and health notes, following a resident and handing them
 * over, and the intake summary and login card as PDF. Every route here is checked for
 * MEMBERS_A_INTAKE or MEMBERS_A_RESIDENT_FILE first; the operations add the relationship check.
 */
#include "residents/residents_int.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/util.h"
#include "http/input.h"
#include "view/i18n.h"

#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const languages[] = {"nl", "en", NULL};
static const char *const channels[] = {"call", "letter", "inapp", "email", NULL};
static const char *const places[] = {"door", "phone", "infopoint", "elsewhere", NULL};
static const char *const hows[] = {"spoken", "paper", NULL};
static const char *const purposes[] = {"profile", "matching", "contact", "health", NULL};
static const char *const yes_no[] = {"1", "0", NULL};

static const char *
file_url(struct noaber_req *r, int64_t person, const char *anchor)
{
    return noaber_arena_printf(r->arena, "/n/%s/residents/%lld%s", r->hood.slug, (long long)person,
                               anchor ? anchor : "");
}

static void
field_error(struct noaber_input_errors *errs, const struct noaber_field *spec, size_t n,
            const char *name, enum noaber_err e)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(spec[i].name, name) == 0 && e != NOABER_OK && errs->field[i] == NOABER_OK) {
            errs->field[i] = e;
            errs->count++;
        }
}

static json_t *
options(struct noaber_req *r, const char *const *values, const char *const *labels,
        const char *selected)
{
    json_t *list = json_array();
    for (size_t i = 0; values[i]; i++)
        json_array_append_new(list, json_pack("{s:s,s:s,s:b}", "value", values[i], "label",
                                              noaber_req_tr(r, labels[i]), "selected",
                                              selected && strcmp(selected, values[i]) == 0));
    return list;
}

static const char *const channel_labels[] = {N_("A connector calls them"), N_("A letter on paper"),
                                             N_("Only in Noaber, under Messages"), N_("By e-mail")};
static const char *const place_labels[] = {N_("At the door"), N_("By phone"),
                                           N_("At the information point"), N_("Elsewhere")};
static const char *const how_labels[] = {N_("Spoken, to me"), N_("Signed on paper")};

/* --- intake ----------------------------------------------------------------------------------- */

struct intake_form {
    const char *display_name, *email, *username;
    char *phone;
    const char *postcode;
    char *house_number;
    const char *lang, *channel, *place;
    const char *about, *wants, *abilities, *needs, *offers, *availability;
    int show_about, show_wants, show_abilities, show_needs, show_offers, show_availability,
        show_phone;
    int consent_profile, consent_matching, consent_contact, consent_health;
    const char *consent_how, *health_note, *next_contact;
    int authorise;
    const char *authorise_until;
};
#define IF(name, type, req, max)                                                                   \
    {                                                                                              \
#name, type, req, 0, max, offsetof(struct intake_form, name), NULL                         \
    }
#define IC(name, list)                                                                             \
    {                                                                                              \
#name, NOABER_F_CHOICE, 1, 0, 0, offsetof(struct intake_form, name), list                  \
    }
static const struct noaber_field intake_spec[] = {
    {"display_name", NOABER_F_LINE, 1, 2, 80, offsetof(struct intake_form, display_name), NULL},
    IF(email, NOABER_F_EMAIL, 0, 0),
    IF(username, NOABER_F_USERNAME, 0, 0),
    IF(phone, NOABER_F_LINE, 0, 30),
    IF(postcode, NOABER_F_POSTCODE, 1, 0),
    IF(house_number, NOABER_F_LINE, 1, 10),
    IC(lang, languages),
    IC(channel, channels),
    IC(place, places),
    IF(about, NOABER_F_TEXT, 0, 2000),
    IF(wants, NOABER_F_TEXT, 0, 2000),
    IF(abilities, NOABER_F_TEXT, 0, 2000),
    IF(needs, NOABER_F_TEXT, 0, 2000),
    IF(offers, NOABER_F_TEXT, 0, 2000),
    IF(availability, NOABER_F_LINE, 0, 200),
    IF(show_about, NOABER_F_BOOL, 0, 0),
    IF(show_wants, NOABER_F_BOOL, 0, 0),
    IF(show_abilities, NOABER_F_BOOL, 0, 0),
    IF(show_needs, NOABER_F_BOOL, 0, 0),
    IF(show_offers, NOABER_F_BOOL, 0, 0),
    IF(show_availability, NOABER_F_BOOL, 0, 0),
    IF(show_phone, NOABER_F_BOOL, 0, 0),
    IF(consent_profile, NOABER_F_BOOL, 0, 0),
    IF(consent_matching, NOABER_F_BOOL, 0, 0),
    IF(consent_contact, NOABER_F_BOOL, 0, 0),
    IF(consent_health, NOABER_F_BOOL, 0, 0),
    IC(consent_how, hows),
    IF(health_note, NOABER_F_TEXT, 0, 2000),
    IF(next_contact, NOABER_F_LINE, 0, 20),
    IF(authorise, NOABER_F_BOOL, 0, 0),
    IF(authorise_until, NOABER_F_LINE, 0, 20),
};

static unsigned
intake_visible(const struct intake_form *f)
{
    return (f->show_about ? RESIDENTS_F_ABOUT : 0) | (f->show_wants ? RESIDENTS_F_WANTS : 0) |
           (f->show_abilities ? RESIDENTS_F_ABILITIES : 0) |
           (f->show_needs ? RESIDENTS_F_NEEDS : 0) | (f->show_offers ? RESIDENTS_F_OFFERS : 0) |
           (f->show_availability ? RESIDENTS_F_AVAILABILITY : 0) |
           (f->show_phone ? RESIDENTS_F_PHONE : 0);
}

static enum noaber_err
intake_page(struct noaber_req *r, int status, const struct intake_form *in,
            const struct noaber_input_errors *errs, const char *offered, const char *wanted,
            const char *error)
{
    json_t *ctx =
        json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:s}", "title",
                  noaber_req_tr(r, N_("Intake")), "slug", r->hood.slug, "hood_name", r->hood.name,
                  "skills", residents_skills_json(r, offered, wanted), "show",
                  residents_visible_json(intake_visible(in)), "channels",
                  options(r, channels, channel_labels, in->channel), "places",
                  options(r, places, place_labels, in->place), "hows",
                  options(r, hows, how_labels, in->consent_how), "consent",
                  json_pack("{s:b,s:b,s:b,s:b,s:b}", "profile", in->consent_profile, "matching",
                            in->consent_matching, "contact", in->consent_contact, "health",
                            in->consent_health, "authorise", in->authorise),
                  "postcodes", r->hood.postcodes ? r->hood.postcodes : "");
    noaber_input_context(r, ctx, intake_spec, N(intake_spec), in, errs);
    json_t *langs = json_array();
    for (const char *const *l = languages; *l; l++)
        json_array_append_new(langs, json_pack("{s:s,s:s,s:b}", "code", *l, "name",
                                               noaber_i18n_native_name(*l), "current",
                                               in->lang && strcmp(in->lang, *l) == 0));
    json_object_set_new(ctx, "langs", langs);
    if (error)
        json_object_set_new(ctx, "error", json_string(error));
    return noaber_resp_page(r, status, "residents/intake", ctx);
}

enum noaber_err
residents_page_intake_form(struct noaber_req *r)
{
    struct intake_form in;
    memset(&in, 0, sizeof in);
    in.display_name = in.email = in.username = in.postcode = in.about = in.wants = in.abilities =
        in.needs = in.offers = in.availability = in.health_note = in.next_contact =
            in.authorise_until = "";
    in.phone = in.house_number = "";
    in.lang = "nl";
    in.channel = "call";
    in.place = "door";
    in.consent_how = "spoken";
    return intake_page(r, 200, &in, NULL, "", "", NULL);
}

/* The rules between fields, each on its own field; the postcode message names the right
 * neighbourhood. Returns that message, or NULL. */
static const char *
intake_checks(struct noaber_req *r, struct intake_form *in, struct noaber_input_errors *errs,
              const char **offered, const char **wanted, int64_t *next, int64_t *until)
{
    const char *problem = NULL;
    const struct noaber_field *s = intake_spec;
    size_t n = N(intake_spec);
    if (*in->phone)
        field_error(errs, s, n, "phone", residents_check_phone(in->phone));
    if (*in->house_number)
        field_error(errs, s, n, "house_number", residents_check_house_number(in->house_number));
    if (*in->postcode && (problem = residents_postcode_problem(r, in->postcode, &r->hood)))
        field_error(errs, s, n, "postcode", NOABER_E_POSTCODE_ELSEWHERE);
    if (residents_skill_list(r, residents_form_list(r, "skills_offered"), offered) != NOABER_OK ||
        residents_skill_list(r, residents_form_list(r, "skills_wanted"), wanted) != NOABER_OK)
        errs->count++, problem = noaber_req_errmsg(r, NOABER_E_UNKNOWN_SKILL);
    *next = *until = 0;
    if (*in->next_contact)
        field_error(errs, s, n, "next_contact", residents_parse_date(in->next_contact, next));
    if (in->authorise)
        field_error(errs, s, n, "authorise_until",
                    residents_parse_date(in->authorise_until, until));
    /* What may be written down depends on the consent given in the conversation. */
    int answers = *in->about || *in->wants || *in->abilities || *in->needs || *in->offers ||
                  *in->availability || **offered || **wanted;
    if (answers && !in->consent_profile)
        field_error(errs, s, n, "consent_profile", NOABER_E_CONSENT_REQUIRED);
    if (*in->health_note && !in->consent_health)
        field_error(errs, s, n, "health_note", NOABER_E_CONSENT_REQUIRED);
    if (*next && !in->consent_contact)
        field_error(errs, s, n, "next_contact", NOABER_E_CONSENT_REQUIRED);
    if (in->consent_matching && !in->consent_profile)
        field_error(errs, s, n, "consent_matching", NOABER_E_CONSENT_REQUIRED);
    return problem;
}

enum noaber_err
residents_page_intake(struct noaber_req *r)
{
    struct intake_form in;
    struct noaber_input_errors errs;
    enum noaber_err e = noaber_input_parse(r, intake_spec, N(intake_spec), &in, &errs);
    if (e != NOABER_OK && e != NOABER_E_INVALID)
        return e;
    const char *offered = "", *wanted = "";
    int64_t next, until;
    const char *problem = intake_checks(r, &in, &errs, &offered, &wanted, &next, &until);
    if (errs.count)
        return intake_page(r, 422, &in, &errs, offered, wanted,
                           problem ? problem : noaber_req_errmsg(r, NOABER_E_INVALID));
    struct residents_intake it = {
        .display_name = in.display_name,
        .email = in.email,
        .username = in.username,
        .lang = in.lang,
        .channel = in.channel,
        .place = in.place,
        .profile = {.about = in.about,
                    .wants = in.wants,
                    .abilities = in.abilities,
                    .needs = in.needs,
                    .offers = in.offers,
                    .availability = in.availability,
                    .phone = in.phone,
                    .postcode = in.postcode,
                    .house_number = in.house_number,
                    .skills_offered = offered,
                    .skills_wanted = wanted,
                    .visible = intake_visible(&in)},
        .consents = (in.consent_profile ? 1u << RESIDENTS_P_PROFILE : 0) |
                    (in.consent_matching ? 1u << RESIDENTS_P_MATCHING : 0) |
                    (in.consent_contact ? 1u << RESIDENTS_P_CONTACT : 0) |
                    (in.consent_health ? 1u << RESIDENTS_P_HEALTH : 0),
        .how = residents_how_parse(in.consent_how),
        .health_note = in.health_note,
        .next_contact_at = next,
        .authorise_until = until,
    };
    int64_t person = 0;
    e = residents_intake(r->db, &r->actor, &r->hood, &it, &person);
    if (e == NOABER_E_EMAIL_TAKEN || e == NOABER_E_USERNAME_TAKEN) {
        field_error(&errs, intake_spec, N(intake_spec),
                    e == NOABER_E_EMAIL_TAKEN ? "email" : "username", e);
        return intake_page(r, 409, &in, &errs, offered, wanted,
                           noaber_req_tr(r, N_("This person already has an account. Add them "
                                               "to the neighbourhood under Members.")));
    }
    if (e == NOABER_E_BAD_DATE) {
        field_error(&errs, intake_spec, N(intake_spec), "authorise_until", e);
        return intake_page(r, 422, &in, &errs, offered, wanted, noaber_req_errmsg(r, e));
    }
    if (e != NOABER_OK)
        return e;
    return noaber_resp_redirect(r, noaber_arena_printf(r->arena, "/n/%s/residents/%lld?new=1",
                                                       r->hood.slug, (long long)person));
}

/* --- the file --------------------------------------------------------------------------------- */

static json_t *
notes_json(struct noaber_req *r, const struct residents_note *notes, size_t n)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_pack("{s:s,s:s,s:s}", "when",
                                              residents_date_text(r, notes[i].at), "who",
                                              notes[i].author_name, "text", notes[i].text));
    return list;
}

static json_t *
staff_options(struct noaber_req *r, int64_t except)
{
    struct members_member *staff;
    size_t n = 0;
    json_t *list = json_array();
    if (residents_staff(r->db, r->hood.id, &staff, &n, r->arena) != NOABER_OK)
        return list;
    for (size_t i = 0; i < n; i++)
        if (staff[i].p.id != except)
            json_array_append_new(list, json_pack("{s:I,s:s}", "id", (json_int_t)staff[i].p.id,
                                                  "name", staff[i].p.display_name));
    return list;
}

static json_t *
file_auths(struct noaber_req *r, const struct residents_file *f, int *i_may_act)
{
    json_t *list = json_array();
    *i_may_act = 0;
    for (size_t i = 0; i < f->nauths; i++) {
        const struct residents_authorisation *x = &f->auths[i];
        if (x->valid && x->connector_id == r->actor.person_id)
            *i_may_act = 1;
        json_array_append_new(list, json_pack("{s:I,s:s,s:s,s:s,s:b,s:b,s:s}", "id",
                                              (json_int_t)x->id, "connector", x->connector_name,
                                              "from", residents_date_text(r, x->granted_at),
                                              "until", residents_date_text(r, x->ends_at), "valid",
                                              x->valid, "revoked", x->revoked_at != 0, "how",
                                              noaber_req_tr(r, residents_how_label(x->how))));
    }
    return list;
}

static const char *
channel_label(const char *channel)
{
    for (size_t i = 0; channels[i]; i++)
        if (strcmp(channels[i], channel) == 0)
            return channel_labels[i];
    return "";
}

/* The file page; EXTRA (may be NULL) adds form values and errors after a refused post. */
static enum noaber_err
file_page(struct noaber_req *r, int status, int64_t person, json_t *extra)
{
    struct residents_file f;
    enum noaber_err e = residents_file_open(r->db, &r->actor, &r->hood, person, &f, r->arena);
    if (e != NOABER_OK) {
        json_decref(extra);
        return e;
    }
    const struct residents_profile *p = &f.profile;
    unsigned fl = f.fields;
    int may_act = 0;
    json_t *auths = file_auths(r, &f, &may_act);
    int assigned = f.rel == RESIDENTS_REL_ASSIGNED, coord = f.rel == RESIDENTS_REL_COORDINATOR;
    json_t *ctx = json_pack("{s:s,s:I,s:s,s:s,s:b,s:b,s:b,s:b}", "title", p->display_name, "id",
                            (json_int_t)person, "slug", r->hood.slug, "hood_name", r->hood.name,
                            "is_new", noaber_req_query(r, "new") != NULL, "may_act", may_act,
                            "can_notes", residents_may(f.rel, RESIDENTS_OP_NOTES) == NOABER_OK,
                            "can_print", residents_may(f.rel, RESIDENTS_OP_PRINT) == NOABER_OK);
    json_object_set_new(ctx, "profile",
                        json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "about",
                                  p->about, "wants", p->wants, "abilities", p->abilities, "needs",
                                  p->needs, "offers", p->offers, "availability", p->availability,
                                  "phone", p->phone, "postcode", p->postcode, "house_number",
                                  p->house_number, "email", p->email, "username", p->username,
                                  "channel", noaber_req_tr(r, channel_label(p->channel)), "lang",
                                  noaber_i18n_native_name(p->lang)));
    json_object_set_new(ctx, "offered", residents_skill_labels(r, p->skills_offered));
    json_object_set_new(ctx, "wanted", residents_skill_labels(r, p->skills_wanted));
    json_object_set_new(ctx, "consents",
                        residents_consents_json(r, f.consents, f.nconsents, p->consents));
    json_object_set_new(ctx, "auths", auths);
    json_object_set_new(ctx, "rid", json_integer((json_int_t)person)); /* inside loops over ids */
    json_object_set_new(ctx, "can_revoke",
                        json_boolean(residents_may(f.rel, RESIDENTS_OP_REVOKE) == NOABER_OK));
    json_object_set_new(ctx, "staff", staff_options(r, person));
    json_object_set_new(ctx, "until",
                        json_string(residents_date_text(r, noaber_now() + 90 * 86400)));
    json_object_set_new(ctx, "purposes",
                        options(r, purposes,
                                (const char *const[]){
                                    residents_purpose_label(RESIDENTS_P_PROFILE),
                                    residents_purpose_label(RESIDENTS_P_MATCHING),
                                    residents_purpose_label(RESIDENTS_P_CONTACT),
                                    residents_purpose_label(RESIDENTS_P_HEALTH),
                                },
                                NULL));
    json_object_set_new(ctx, "hows", options(r, hows, how_labels, "spoken"));
    json_t *acted = json_array();
    for (size_t i = 0; i < f.nacted; i++)
        json_array_append_new(
            acted, json_pack("{s:s,s:s,s:s}", "when", residents_date_text(r, f.acted[i].at), "who",
                             f.acted[i].connector_name, "what",
                             noaber_req_tr(r, residents_action_label(f.acted[i].action))));
    json_object_set_new(ctx, "acted", acted);
    /* the caseload: who follows them and when to contact them next */
    int contact = RESIDENTS_HAS(p->consents, RESIDENTS_P_CONTACT);
    json_object_set_new(
        ctx, "caseload",
        json_pack("{s:s,s:s,s:s,s:b,s:b,s:b,s:b}", "assigned", f.assigned ? f.assigned_name : "",
                  "next", residents_date_text(r, f.next_contact_at), "since",
                  residents_date_text(r, f.since), "contact", contact, "can_take",
                  contact && !f.assigned && (fl & RESIDENTS_F_CASELOAD), "can_plan",
                  contact && (assigned || coord), "can_handover", contact && (assigned || coord)));
    if (fl & RESIDENTS_F_NOTES)
        json_object_set_new(ctx, "notes", notes_json(r, f.notes, f.nnotes));
    json_object_set_new(ctx, "can_health", json_boolean((fl & RESIDENTS_F_HEALTH) != 0));
    json_object_set_new(ctx, "health_needs_consent",
                        json_boolean((assigned || coord) && !(fl & RESIDENTS_F_HEALTH)));
    if (fl & RESIDENTS_F_HEALTH)
        json_object_set_new(ctx, "health", notes_json(r, f.health, f.nhealth));
    if (f.intake_at)
        json_object_set_new(
            ctx, "intake",
            json_pack("{s:s,s:s}", "when", residents_date_text(r, f.intake_at), "by", f.intake_by));
    if (extra)
        json_object_update(ctx, extra);
    json_decref(extra);
    return noaber_resp_page(r, status, "residents/file", ctx);
}

enum noaber_err
residents_page_file(struct noaber_req *r)
{
    return file_page(r, 200, noaber_req_param_id(r, "id"), NULL);
}

/* After a refused post on the file page: the page again with MSG at the form ANCHOR. */
static enum noaber_err
file_error(struct noaber_req *r, int64_t person, enum noaber_err e, const char *form,
           const char *text)
{
    if (e == NOABER_E_FORBIDDEN || e == NOABER_E_NOT_FOUND || e == NOABER_E_UNAUTHENTICATED ||
        noaber_err_status(e) >= 500)
        return e;
    json_t *extra = json_object();
    json_object_set_new(extra, noaber_arena_printf(r->arena, "%s_error", form),
                        json_string(noaber_req_errmsg(r, e)));
    if (text)
        json_object_set_new(extra, noaber_arena_printf(r->arena, "%s_text", form),
                            json_string(text));
    return file_page(r, noaber_err_status(e), person, extra);
}

struct note_form {
    const char *text, *next_contact;
};
static const struct noaber_field note_spec[] = {
    {"text", NOABER_F_TEXT, 1, 1, 2000, offsetof(struct note_form, text), NULL},
    {"next_contact", NOABER_F_LINE, 0, 0, 20, offsetof(struct note_form, next_contact), NULL},
};

/* The first field error of a refused form, or E. */
static enum noaber_err
first_error(enum noaber_err e, const struct noaber_input_errors *errs, size_t n)
{
    for (size_t i = 0; e == NOABER_E_INVALID && i < n; i++)
        if (errs->field[i] != NOABER_OK)
            return errs->field[i];
    return e;
}

enum noaber_err
residents_page_note(struct noaber_req *r)
{
    int64_t person = noaber_req_param_id(r, "id"), next = 0;
    struct note_form in;
    struct noaber_input_errors errs;
    enum noaber_err e = noaber_input_parse(r, note_spec, N(note_spec), &in, &errs);
    e = first_error(e, &errs, N(note_spec));
    if (e == NOABER_OK && *in.next_contact)
        e = residents_parse_date(in.next_contact, &next);
    if (e == NOABER_OK)
        e = residents_note_add(r->db, &r->actor, &r->hood, person, in.text, next);
    if (e != NOABER_OK)
        return file_error(r, person, e, "note", in.text);
    noaber_resp_flash(r, "saved");
    return noaber_resp_redirect(r, file_url(r, person, "#notes"));
}

enum noaber_err
residents_page_health(struct noaber_req *r)
{
    int64_t person = noaber_req_param_id(r, "id");
    struct note_form in;
    struct noaber_input_errors errs;
    enum noaber_err e = noaber_input_parse(r, note_spec, 1, &in, &errs);
    e = first_error(e, &errs, 1);
    if (e == NOABER_OK)
        e = residents_health_add(r->db, &r->actor, &r->hood, person, in.text);
    if (e != NOABER_OK)
        return file_error(r, person, e, "health", in.text);
    noaber_resp_flash(r, "saved");
    return noaber_resp_redirect(r, file_url(r, person, "#health"));
}

struct record_form {
    const char *purpose, *give, *how;
};
static const struct noaber_field record_spec[] = {
    {"purpose", NOABER_F_CHOICE, 1, 0, 0, offsetof(struct record_form, purpose), purposes},
    {"give", NOABER_F_CHOICE, 1, 0, 0, offsetof(struct record_form, give), yes_no},
    {"how", NOABER_F_CHOICE, 1, 0, 0, offsetof(struct record_form, how), hows},
};

enum noaber_err
residents_page_file_consent(struct noaber_req *r)
{
    int64_t person = noaber_req_param_id(r, "id");
    struct record_form in;
    struct noaber_input_errors errs;
    enum residents_relation rel = RESIDENTS_REL_NONE;
    enum noaber_err e = noaber_input_parse(r, record_spec, N(record_spec), &in, &errs);
    e = first_error(e, &errs, N(record_spec));
    if (e == NOABER_OK)
        e = residents_relation_in(r->db, &r->actor, &r->hood, person, &rel);
    if (e == NOABER_OK)
        e = residents_consent_set(r->db, &r->actor, person, rel,
                                  residents_purpose_parse(in.purpose), strcmp(in.give, "1") == 0,
                                  residents_how_parse(in.how));
    if (e != NOABER_OK)
        return file_error(r, person, e, "consent", NULL);
    noaber_resp_flash(r, "saved");
    return noaber_resp_redirect(r, file_url(r, person, "#consents"));
}

struct record_auth_form {
    int64_t connector;
    const char *until, *how;
};
static const struct noaber_field record_auth_spec[] = {
    {"connector", NOABER_F_INT, 1, 1, INT32_MAX, offsetof(struct record_auth_form, connector),
     NULL},
    {"until", NOABER_F_LINE, 1, 0, 20, offsetof(struct record_auth_form, until), NULL},
    {"how", NOABER_F_CHOICE, 1, 0, 0, offsetof(struct record_auth_form, how), hows},
};

enum noaber_err
residents_page_file_authorise(struct noaber_req *r)
{
    int64_t person = noaber_req_param_id(r, "id"), until = 0;
    struct record_auth_form in;
    struct noaber_input_errors errs;
    enum residents_relation rel = RESIDENTS_REL_NONE;
    enum noaber_err e = noaber_input_parse(r, record_auth_spec, N(record_auth_spec), &in, &errs);
    e = first_error(e, &errs, N(record_auth_spec));
    if (e == NOABER_OK)
        e = residents_parse_date(in.until, &until);
    if (e == NOABER_OK)
        e = residents_relation_in(r->db, &r->actor, &r->hood, person, &rel);
    /* Staff only record here; the resident's own page is where they give it themself. */
    if (e == NOABER_OK && rel != RESIDENTS_REL_CONNECTOR && rel != RESIDENTS_REL_ASSIGNED &&
        rel != RESIDENTS_REL_COORDINATOR)
        e = NOABER_E_FORBIDDEN;
    if (e == NOABER_OK)
        e = residents_authorise(r->db, &r->actor, person, rel, in.connector, until,
                                residents_how_parse(in.how));
    if (e != NOABER_OK)
        return file_error(r, person, e, "auth", NULL);
    noaber_resp_flash(r, "saved");
    return noaber_resp_redirect(r, file_url(r, person, "#authorisations"));
}

enum noaber_err
residents_page_file_revoke(struct noaber_req *r)
{
    int64_t person = noaber_req_param_id(r, "id");
    enum residents_relation rel = RESIDENTS_REL_NONE;
    enum noaber_err e = residents_relation_in(r->db, &r->actor, &r->hood, person, &rel);
    if (e == NOABER_OK && rel != RESIDENTS_REL_ASSIGNED && rel != RESIDENTS_REL_COORDINATOR)
        e = NOABER_E_FORBIDDEN;
    if (e == NOABER_OK)
        e = residents_authorisation_revoke(r->db, &r->actor, person, rel,
                                           noaber_req_param_id(r, "aid"));
    if (e != NOABER_OK)
        return e;
    noaber_resp_flash(r, "saved");
    return noaber_resp_redirect(r, file_url(r, person, "#authorisations"));
}

struct follow_form {
    const char *next_contact;
};
static const struct noaber_field follow_spec[] = {
    {"next_contact", NOABER_F_LINE, 0, 0, 20, offsetof(struct follow_form, next_contact), NULL},
};

enum noaber_err
residents_page_follow(struct noaber_req *r)
{
    int64_t person = noaber_req_param_id(r, "id"), next = 0;
    struct follow_form in;
    struct noaber_input_errors errs;
    enum noaber_err e = noaber_input_parse(r, follow_spec, N(follow_spec), &in, &errs);
    e = first_error(e, &errs, N(follow_spec));
    if (e == NOABER_OK && *in.next_contact)
        e = residents_parse_date(in.next_contact, &next);
    if (e == NOABER_OK)
        e = residents_follow(r->db, &r->actor, &r->hood, person, next);
    if (e != NOABER_OK)
        return file_error(r, person, e, "follow", NULL);
    noaber_resp_flash(r, "saved");
    return noaber_resp_redirect(r, file_url(r, person, "#caseload"));
}

struct handover_form {
    int64_t to;
};
static const struct noaber_field handover_spec[] = {
    {"to", NOABER_F_INT, 1, 1, INT32_MAX, offsetof(struct handover_form, to), NULL},
};

enum noaber_err
residents_page_handover(struct noaber_req *r)
{
    int64_t person = noaber_req_param_id(r, "id");
    struct handover_form in;
    struct noaber_input_errors errs;
    enum noaber_err e = noaber_input_parse(r, handover_spec, N(handover_spec), &in, &errs);
    e = first_error(e, &errs, N(handover_spec));
    if (e == NOABER_OK)
        e = residents_handover(r->db, &r->actor, &r->hood, person, in.to);
    if (e != NOABER_OK)
        return file_error(r, person, e, "handover", NULL);
    noaber_resp_flash(r, "saved");
    return noaber_resp_redirect(r, file_url(r, person, "#caseload"));
}

/* --- paper: the intake summary and the login card --------------------------------------------- */

enum noaber_err
residents_page_intake_pdf(struct noaber_req *r)
{
    int64_t person = noaber_req_param_id(r, "id");
    struct residents_file f;
    enum noaber_err e = residents_file_open(r->db, &r->actor, &r->hood, person, &f, r->arena);
    if (e == NOABER_OK)
        e = residents_may(f.rel, RESIDENTS_OP_PRINT);
    struct residents_skill *skills = NULL;
    size_t n = 0;
    if (e == NOABER_OK)
        e = residents_skills(r->db, 1, &skills, &n, r->arena);
    if (e != NOABER_OK)
        return e;
    struct residents_summary s = {
        .file = &f,
        .hood_name = r->hood.name,
        .connector_name = f.intake_by && *f.intake_by ? f.intake_by : r->actor.display_name,
        .date = f.intake_at ? f.intake_at : noaber_now(),
        .skills = skills,
        .nskills = n};
    struct noaber_buf pdf;
    noaber_buf_init(&pdf, r->arena);
    /* On paper for the resident: in their language. */
    e = residents_pdf_intake(&s, noaber_i18n_catalog(f.profile.lang), &pdf);
    return e == NOABER_OK ? residents_resp_pdf(r, &pdf, "kennismaking.pdf") : e;
}

enum noaber_err
residents_page_card(struct noaber_req *r)
{
    int64_t person = noaber_req_param_id(r, "id");
    struct members_person p;
    char code[32];
    enum noaber_err e = members_person_get(r->db, person, &p, r->arena);
    if (e == NOABER_E_NOT_FOUND)
        e = NOABER_E_FORBIDDEN; /* ids tell nothing */
    if (e == NOABER_OK)
        e = residents_card_code(r->db, &r->actor, &r->hood, person, code);
    if (e != NOABER_OK)
        return e;
    struct noaber_buf url;
    noaber_buf_init(&url, r->arena);
    noaber_buf_printf(&url, "%s/login/code?code=", r->config->public_url);
    noaber_buf_urlenc(&url, code);
    struct residents_card card = {
        .name = p.display_name,
        .username = p.username && *p.username ? p.username : p.email,
        .code = code,
        .login_url = noaber_arena_printf(r->arena, "%s/login/code", r->config->public_url),
        .code_url = noaber_buf_str(&url),
        .hood_name = r->hood.name,
        .connector_name = r->actor.display_name,
        .days = 14,
    };
    struct noaber_buf pdf;
    noaber_buf_init(&pdf, r->arena);
    e = residents_pdf_card(&card, noaber_i18n_catalog(p.lang), &pdf);
    return e == NOABER_OK ? residents_resp_pdf(r, &pdf, "inlogkaart.pdf") : e;
}
