/*
 * HTML handlers of the residents module for a resident's own pages: "My profile" with the five
 * questions, skills, how to reach them, their address, what neighbours may see, their consents
 * (give and withdraw), their machtigingen and what was done on their behalf. A connector with
 * the resident's machtiging opens the same pages with ?acting_for=<id> (a hidden field in every
 * form); every such view and change is logged and shown to the resident. Also the
 * administrator's page of the shared skill list, and the helpers the other handlers share.
 * Each handler reads: parse input -> authorise -> operation -> render.
 */
#include "residents/residents_int.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/util.h"
#include "http/input.h"
#include "view/i18n.h"

#include <stdlib.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const languages[] = {"nl", "en", NULL};
static const char *const channels[] = {"inapp", "email", "call", "letter", NULL};
static const char *const purposes[] = {"profile", "matching", "contact", "health", NULL};
static const char *const yes_no[] = {"1", "0", NULL};

/* --- shared helpers --------------------------------------------------------------------------- */

const char *
residents_date_text(struct noaber_req *r, int64_t t)
{
    if (!t)
        return "";
    char iso[11];
    residents_format_date(t, iso);
    if (r->lang && strcmp(r->lang, "en") == 0)
        return noaber_arena_strdup(r->arena, iso);
    /* Dutch: 31-03-2025 */
    return noaber_arena_printf(r->arena, "%.2s-%.2s-%.4s", iso + 8, iso + 5, iso);
}

const char *
residents_form_list(struct noaber_req *r, const char *name)
{
    struct noaber_buf b;
    noaber_buf_init(&b, r->arena);
    for (const struct noaber_kv *kv = r->form; kv; kv = kv->next)
        if (!kv->filename && strcmp(kv->name, name) == 0 && kv->value) {
            if (b.len)
                noaber_buf_putc(&b, ',');
            noaber_buf_puts(&b, kv->value);
        }
    return b.failed ? "" : noaber_arena_strdup(r->arena, noaber_buf_str(&b));
}

enum noaber_err
residents_skill_list(struct noaber_req *r, const char *list, const char **out)
{
    struct residents_skill *skills;
    size_t n = 0;
    enum noaber_err e = residents_skills(r->db, 0, &skills, &n, r->arena);
    if (e != NOABER_OK)
        return e;
    const char **known = noaber_arena_alloc(r->arena, (n + 1) * sizeof *known);
    if (!known)
        return NOABER_E_TOO_LARGE;
    for (size_t i = 0; i < n; i++)
        known[i] = skills[i].slug;
    char *norm = NULL;
    e = residents_check_skills(list, known, n, &norm, r->arena);
    *out = norm;
    return e;
}

static const char *
skill_label(struct noaber_req *r, const struct residents_skill *s)
{
    return r->lang && strcmp(r->lang, "en") == 0 ? s->label_en : s->label_nl;
}

json_t *
residents_skills_json(struct noaber_req *r, const char *offered, const char *wanted)
{
    struct residents_skill *skills;
    size_t n = 0;
    json_t *list = json_array();
    if (residents_skills(r->db, 0, &skills, &n, r->arena) != NOABER_OK)
        return list;
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_pack("{s:s,s:s,s:b,s:b}", "slug", skills[i].slug, "label",
                                              skill_label(r, &skills[i]), "offered",
                                              residents_list_has(offered, skills[i].slug), "wanted",
                                              residents_list_has(wanted, skills[i].slug)));
    return list;
}

json_t *
residents_skill_labels(struct noaber_req *r, const char *list)
{
    struct residents_skill *skills;
    size_t n = 0;
    json_t *out = json_array();
    if (!list || !*list || residents_skills(r->db, 1, &skills, &n, r->arena) != NOABER_OK)
        return out;
    for (size_t i = 0; i < n; i++)
        if (residents_list_has(list, skills[i].slug))
            json_array_append_new(out, json_string(skill_label(r, &skills[i])));
    return out;
}

static const struct {
    const char *name;
    unsigned bit;
} shareable[] = {
    {"about", RESIDENTS_F_ABOUT},         {"wants", RESIDENTS_F_WANTS},
    {"abilities", RESIDENTS_F_ABILITIES}, {"needs", RESIDENTS_F_NEEDS},
    {"offers", RESIDENTS_F_OFFERS},       {"availability", RESIDENTS_F_AVAILABILITY},
    {"phone", RESIDENTS_F_PHONE},
};

enum noaber_err
residents_visible_parse(const char *list, unsigned *out)
{
    *out = 0;
    const char *p = list ? list : "";
    while (*p) {
        while (*p == ',' || *p == ' ')
            p++;
        size_t len = strcspn(p, ", ");
        if (!len)
            break;
        size_t i;
        for (i = 0; i < N(shareable); i++)
            if (strlen(shareable[i].name) == len && strncmp(shareable[i].name, p, len) == 0)
                break;
        if (i == N(shareable))
            return NOABER_E_BAD_CHOICE;
        *out |= shareable[i].bit;
        p += len;
    }
    return NOABER_OK;
}

json_t *
residents_visible_json(unsigned mask)
{
    json_t *o = json_object();
    for (size_t i = 0; i < N(shareable); i++)
        json_object_set_new(o, shareable[i].name, json_boolean(mask & shareable[i].bit));
    return o;
}

const char *
residents_visible_list(struct noaber_req *r, unsigned mask)
{
    struct noaber_buf b;
    noaber_buf_init(&b, r->arena);
    for (size_t i = 0; i < N(shareable); i++)
        if (mask & shareable[i].bit) {
            if (b.len)
                noaber_buf_putc(&b, ',');
            noaber_buf_puts(&b, shareable[i].name);
        }
    return b.failed ? "" : noaber_arena_strdup(r->arena, noaber_buf_str(&b));
}

const char *
residents_postcode_problem(struct noaber_req *r, const char *postcode,
                           const struct members_hood *hood)
{
    if (!postcode || !*postcode || !hood || !hood->id ||
        members_postcode_in(hood->postcodes, postcode))
        return NULL;
    /* Say where it does belong: that helps more than "wrong". */
    int64_t other = 0;
    struct members_hood *hoods;
    size_t n = 0;
    if (members_hood_for_postcode(r->db, postcode, &other) == NOABER_OK && other &&
        members_hood_list(r->db, &r->actor, &hoods, &n, r->arena) == NOABER_OK)
        for (size_t i = 0; i < n; i++)
            if (hoods[i].id == other) {
                const char *msg = noaber_req_tr(
                    r, N_("This postcode belongs to the neighbourhood {hood}, not to this one."));
                const char *at = strstr(msg, "{hood}");
                if (at)
                    return noaber_arena_printf(r->arena, "%.*s%s%s", (int)(at - msg), msg,
                                               hoods[i].name, at + 6);
            }
    return noaber_req_tr(r, N_("This postcode does not belong to any of our neighbourhoods."));
}

json_t *
residents_consents_json(struct noaber_req *r, const struct residents_consent *c, size_t n,
                        residents_cset active)
{
    json_t *list = json_array();
    for (int p = 0; p < RESIDENTS_P__MAX; p++) {
        const struct residents_consent *last = NULL;
        for (size_t i = 0; i < n; i++)
            if (c[i].purpose == (enum residents_purpose)p &&
                (!last || c[i].given_at > last->given_at))
                last = &c[i];
        json_t *o = json_pack("{s:s,s:s,s:s,s:b}", "purpose", residents_purpose_name(p), "label",
                              noaber_req_tr(r, residents_purpose_label(p)), "hint",
                              noaber_req_tr(r, residents_purpose_hint(p)), "active",
                              RESIDENTS_HAS(active, p));
        if (last) {
            json_object_set_new(o, "since", json_string(residents_date_text(r, last->given_at)));
            json_object_set_new(o, "how",
                                json_string(noaber_req_tr(r, residents_how_label(last->how))));
            json_object_set_new(o, "recorded_by", json_string(last->recorded_by));
            if (last->withdrawn_at)
                json_object_set_new(o, "withdrawn",
                                    json_string(residents_date_text(r, last->withdrawn_at)));
        }
        json_array_append_new(list, o);
    }
    return list;
}

const char *
residents_action_label(const char *action)
{
    static const char *const labels[][2] = {
        {"profile_viewed", N_("looked at your profile")},
        {"profile_saved", N_("changed your profile")},
        {"consent_given", N_("gave a consent for you")},
        {"consent_withdrawn", N_("withdrew a consent for you")},
        {"authorisation_revoked", N_("ended a machtiging for you")},
    };
    for (size_t i = 0; i < N(labels); i++)
        if (strcmp(labels[i][0], action) == 0)
            return labels[i][1];
    return action;
}

enum noaber_err
residents_resp_pdf(struct noaber_req *r, const struct noaber_buf *pdf, const char *filename)
{
    if (pdf->failed)
        return NOABER_E_TOO_LARGE;
    r->status = 200;
    r->content_type_out = "application/pdf";
    noaber_resp_header(r, "Content-Disposition",
                       noaber_arena_printf(r->arena, "inline; filename=\"%s\"", filename));
    noaber_buf_reset(&r->out);
    noaber_buf_append(&r->out, pdf->data, pdf->len);
    return r->out.failed ? NOABER_E_TOO_LARGE : NOABER_OK;
}

static int
field_index(const struct noaber_field *spec, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(spec[i].name, name) == 0)
            return (int)i;
    return 0;
}

/* Sets the error of field NAME (when it has none yet). */
static void
field_error(struct noaber_input_errors *errs, const struct noaber_field *spec, size_t n,
            const char *name, enum noaber_err e)
{
    int i = field_index(spec, n, name);
    if (e != NOABER_OK && errs->field[i] == NOABER_OK) {
        errs->field[i] = e;
        errs->count++;
    }
}

/* --- my profile ------------------------------------------------------------------------------- */

struct profile_form {
    const char *about, *wants, *abilities, *needs, *offers, *availability;
    char *phone;
    const char *postcode;
    char *house_number;
    const char *lang, *channel;
    int show_about, show_wants, show_abilities, show_needs, show_offers, show_availability,
        show_phone, consent_profile;
    int64_t acting_for;
};
#define PF(name, type, max)                                                                        \
    {                                                                                              \
#name, type, 0, 0, max, offsetof(struct profile_form, name), NULL                          \
    }
static const struct noaber_field profile_spec[] = {
    PF(about, NOABER_F_TEXT, 2000),
    PF(wants, NOABER_F_TEXT, 2000),
    PF(abilities, NOABER_F_TEXT, 2000),
    PF(needs, NOABER_F_TEXT, 2000),
    PF(offers, NOABER_F_TEXT, 2000),
    PF(availability, NOABER_F_LINE, 200),
    PF(phone, NOABER_F_LINE, 30),
    PF(postcode, NOABER_F_POSTCODE, 0),
    PF(house_number, NOABER_F_LINE, 10),
    {"lang", NOABER_F_CHOICE, 1, 0, 0, offsetof(struct profile_form, lang), languages},
    {"channel", NOABER_F_CHOICE, 1, 0, 0, offsetof(struct profile_form, channel), channels},
    PF(show_about, NOABER_F_BOOL, 0),
    PF(show_wants, NOABER_F_BOOL, 0),
    PF(show_abilities, NOABER_F_BOOL, 0),
    PF(show_needs, NOABER_F_BOOL, 0),
    PF(show_offers, NOABER_F_BOOL, 0),
    PF(show_availability, NOABER_F_BOOL, 0),
    PF(show_phone, NOABER_F_BOOL, 0),
    PF(consent_profile, NOABER_F_BOOL, 0),
    PF(acting_for, NOABER_F_INT, 0),
};

static unsigned
form_visible(const struct profile_form *f)
{
    return (f->show_about ? RESIDENTS_F_ABOUT : 0) | (f->show_wants ? RESIDENTS_F_WANTS : 0) |
           (f->show_abilities ? RESIDENTS_F_ABILITIES : 0) |
           (f->show_needs ? RESIDENTS_F_NEEDS : 0) | (f->show_offers ? RESIDENTS_F_OFFERS : 0) |
           (f->show_availability ? RESIDENTS_F_AVAILABILITY : 0) |
           (f->show_phone ? RESIDENTS_F_PHONE : 0);
}

static void
form_from_profile(struct profile_form *f, const struct residents_profile *p, int64_t acting_for)
{
    memset(f, 0, sizeof *f);
    f->about = p->about;
    f->wants = p->wants;
    f->abilities = p->abilities;
    f->needs = p->needs;
    f->offers = p->offers;
    f->availability = p->availability;
    f->phone = (char *)p->phone; /* shown only, never changed */
    f->postcode = p->postcode;
    f->house_number = (char *)p->house_number;
    f->lang = p->lang;
    f->channel = p->channel;
    f->show_about = !!(p->visible & RESIDENTS_F_ABOUT);
    f->show_wants = !!(p->visible & RESIDENTS_F_WANTS);
    f->show_abilities = !!(p->visible & RESIDENTS_F_ABILITIES);
    f->show_needs = !!(p->visible & RESIDENTS_F_NEEDS);
    f->show_offers = !!(p->visible & RESIDENTS_F_OFFERS);
    f->show_availability = !!(p->visible & RESIDENTS_F_AVAILABILITY);
    f->show_phone = !!(p->visible & RESIDENTS_F_PHONE);
    f->acting_for = acting_for;
}

/* The "?acting_for=" of the page, or "" for one's own. */
static const char *
acting_query(struct noaber_req *r, int64_t person, enum residents_relation rel)
{
    return rel == RESIDENTS_REL_ACTING
               ? noaber_arena_printf(r->arena, "?acting_for=%lld", (long long)person)
               : "";
}

static json_t *
auths_json(struct noaber_req *r, const struct residents_file *file)
{
    json_t *list = json_array();
    for (size_t i = 0; i < file->nauths; i++) {
        const struct residents_authorisation *x = &file->auths[i];
        json_array_append_new(list, json_pack("{s:I,s:s,s:s,s:s,s:b,s:b,s:s}", "id",
                                              (json_int_t)x->id, "connector", x->connector_name,
                                              "from", residents_date_text(r, x->granted_at),
                                              "until", residents_date_text(r, x->ends_at), "valid",
                                              x->valid, "revoked", x->revoked_at != 0, "how",
                                              noaber_req_tr(r, residents_how_label(x->how))));
    }
    return list;
}

static json_t *
acted_json(struct noaber_req *r, const struct residents_file *file)
{
    json_t *list = json_array();
    for (size_t i = 0; i < file->nacted; i++) {
        const struct residents_acted *x = &file->acted[i];
        const char *what = noaber_req_tr(r, residents_action_label(x->action));
        if (*x->detail && residents_purpose_parse(x->detail) < RESIDENTS_P__MAX)
            what = noaber_arena_printf(
                r->arena, "%s: %s", what,
                noaber_req_tr(r, residents_purpose_label(residents_purpose_parse(x->detail))));
        json_array_append_new(list,
                              json_pack("{s:s,s:s,s:s}", "when", residents_date_text(r, x->at),
                                        "who", x->connector_name, "what", what ? what : ""));
    }
    return list;
}

/* The connectors and coordinators PERSON may authorise: those of their first neighbourhood. */
static json_t *
staff_json(struct noaber_req *r, int64_t person)
{
    struct members_hood home;
    struct members_member *staff;
    size_t n = 0;
    json_t *list = json_array();
    if (residents_home_hood(r->db, person, &home, r->arena) != NOABER_OK || !home.id ||
        residents_staff(r->db, home.id, &staff, &n, r->arena) != NOABER_OK)
        return list;
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_pack("{s:I,s:s,s:s}", "id", (json_int_t)staff[i].p.id,
                                              "name", staff[i].p.display_name, "role",
                                              noaber_req_tr(r, members_role_label(staff[i].role))));
    return list;
}

static enum noaber_err
profile_page(struct noaber_req *r, int status, int64_t person, enum residents_relation rel,
             const struct profile_form *in, const struct noaber_input_errors *errs,
             const char *offered, const char *wanted, const char *error)
{
    struct residents_file file;
    enum noaber_err e = residents_own_file(r->db, &r->actor, person, rel, &file, r->arena);
    if (e != NOABER_OK)
        return e;
    const struct residents_profile *p = &file.profile;
    struct profile_form current;
    if (!in) {
        form_from_profile(&current, p, rel == RESIDENTS_REL_ACTING ? person : 0);
        in = &current;
        offered = p->skills_offered;
        wanted = p->skills_wanted;
    }
    int acting = rel == RESIDENTS_REL_ACTING;
    json_t *ctx = json_pack(
        "{s:s,s:b,s:I,s:s,s:s,s:o,s:o,s:b,s:o,s:o,s:o,s:o,s:s}", "title",
        acting ? p->display_name : noaber_req_tr(r, N_("My profile")), "acting", acting,
        "acting_for", (json_int_t)(acting ? person : 0), "name", p->display_name, "query",
        acting_query(r, person, rel), "skills", residents_skills_json(r, offered, wanted), "show",
        residents_visible_json(form_visible(in)), "consent_profile_active",
        RESIDENTS_HAS(p->consents, RESIDENTS_P_PROFILE), "consents",
        residents_consents_json(r, file.consents, file.nconsents, p->consents), "auths",
        auths_json(r, &file), "acted", acted_json(r, &file), "staff", staff_json(r, person),
        "until", residents_date_text(r, noaber_now() + 90 * 86400));
    noaber_input_context(r, ctx, profile_spec, N(profile_spec), in, errs);
    json_t *langs = json_array();
    for (const char *const *l = languages; *l; l++)
        json_array_append_new(langs, json_pack("{s:s,s:s,s:b}", "code", *l, "name",
                                               noaber_i18n_native_name(*l), "current",
                                               in->lang && strcmp(in->lang, *l) == 0));
    json_object_set_new(ctx, "langs", langs);
    for (const char *const *c = channels; *c; c++)
        json_object_set_new(ctx, noaber_arena_printf(r->arena, "channel_%s", *c),
                            json_boolean(in->channel && strcmp(in->channel, *c) == 0));
    if (error)
        json_object_set_new(ctx, "error", json_string(error));
    return noaber_resp_page(r, status, "residents/profile", ctx);
}

enum noaber_err
residents_page_profile(struct noaber_req *r)
{
    int64_t person = 0;
    enum residents_relation rel = RESIDENTS_REL_NONE;
    enum noaber_err e =
        residents_subject(r->db, &r->actor, noaber_req_query_id(r, "acting_for"), &person, &rel);
    if (e != NOABER_OK)
        return e;
    return profile_page(r, 200, person, rel, NULL, NULL, NULL, NULL, NULL);
}

/* The checks that need more than one field or the database; each error lands on its field. */
static const char *
profile_checks(struct noaber_req *r, struct profile_form *in, struct noaber_input_errors *errs,
               int64_t person, const char **offered, const char **wanted)
{
    const char *problem = NULL;
    if (*in->phone)
        field_error(errs, profile_spec, N(profile_spec), "phone", residents_check_phone(in->phone));
    if (*in->house_number)
        field_error(errs, profile_spec, N(profile_spec), "house_number",
                    residents_check_house_number(in->house_number));
    struct members_hood home;
    if (*in->postcode && !errs->field[field_index(profile_spec, N(profile_spec), "postcode")] &&
        residents_home_hood(r->db, person, &home, r->arena) == NOABER_OK &&
        (problem = residents_postcode_problem(r, in->postcode, &home)) != NULL)
        field_error(errs, profile_spec, N(profile_spec), "postcode", NOABER_E_POSTCODE_ELSEWHERE);
    const char *error = NULL;
    if (residents_skill_list(r, residents_form_list(r, "skills_offered"), offered) != NOABER_OK ||
        residents_skill_list(r, residents_form_list(r, "skills_wanted"), wanted) != NOABER_OK) {
        error = noaber_req_errmsg(r, NOABER_E_UNKNOWN_SKILL);
        errs->count++;
    }
    return problem ? problem : error;
}

enum noaber_err
residents_page_profile_save(struct noaber_req *r)
{
    struct profile_form in;
    struct noaber_input_errors errs;
    enum noaber_err e = noaber_input_parse(r, profile_spec, N(profile_spec), &in, &errs);
    if (e != NOABER_OK && e != NOABER_E_INVALID)
        return e;
    int64_t person = 0;
    enum residents_relation rel = RESIDENTS_REL_NONE;
    e = residents_subject(r->db, &r->actor, in.acting_for, &person, &rel);
    if (e != NOABER_OK)
        return e;
    const char *offered = "", *wanted = "";
    const char *problem = profile_checks(r, &in, &errs, person, &offered, &wanted);
    if (errs.count)
        return profile_page(r, 422, person, rel, &in, &errs, offered, wanted,
                            problem ? problem : noaber_req_errmsg(r, NOABER_E_INVALID));
    struct residents_profile_input p = {in.about,
                                        in.wants,
                                        in.abilities,
                                        in.needs,
                                        in.offers,
                                        in.availability,
                                        in.phone,
                                        in.postcode,
                                        in.house_number,
                                        offered,
                                        wanted,
                                        in.lang,
                                        in.channel,
                                        form_visible(&in),
                                        1,
                                        in.consent_profile};
    e = residents_profile_save(r->db, &r->actor, person, rel, &p);
    if (e == NOABER_E_CONSENT_REQUIRED) {
        field_error(&errs, profile_spec, N(profile_spec), "consent_profile", e);
        return profile_page(r, 409, person, rel, &in, &errs, offered, wanted,
                            noaber_req_tr(r, N_("Your answers and skills are kept only with your "
                                                "consent. Tick the box under the questions.")));
    }
    if (e != NOABER_OK)
        return e;
    noaber_resp_flash(r, "saved");
    return noaber_resp_redirect(
        r, noaber_arena_printf(r->arena, "/profile%s", acting_query(r, person, rel)));
}

struct consent_form {
    const char *purpose, *give;
    int64_t acting_for;
};
static const struct noaber_field consent_spec[] = {
    {"purpose", NOABER_F_CHOICE, 1, 0, 0, offsetof(struct consent_form, purpose), purposes},
    {"give", NOABER_F_CHOICE, 1, 0, 0, offsetof(struct consent_form, give), yes_no},
    {"acting_for", NOABER_F_INT, 0, 0, 0, offsetof(struct consent_form, acting_for), NULL},
};

enum noaber_err
residents_page_consent(struct noaber_req *r)
{
    struct consent_form in;
    struct noaber_input_errors errs;
    enum noaber_err e = noaber_input_parse(r, consent_spec, N(consent_spec), &in, &errs);
    int64_t person = 0;
    enum residents_relation rel = RESIDENTS_REL_NONE;
    if (e == NOABER_OK)
        e = residents_subject(r->db, &r->actor, in.acting_for, &person, &rel);
    if (e == NOABER_OK)
        e = residents_consent_set(r->db, &r->actor, person, rel,
                                  residents_purpose_parse(in.purpose), strcmp(in.give, "1") == 0,
                                  RESIDENTS_HOW_ONLINE);
    if (e != NOABER_OK)
        return e;
    noaber_resp_flash(r, "saved");
    return noaber_resp_redirect(
        r, noaber_arena_printf(r->arena, "/profile%s#consents", acting_query(r, person, rel)));
}

struct authorise_form {
    int64_t connector;
    const char *until;
    int64_t acting_for;
};
static const struct noaber_field authorise_spec[] = {
    {"connector", NOABER_F_INT, 1, 1, INT32_MAX, offsetof(struct authorise_form, connector), NULL},
    {"until", NOABER_F_LINE, 1, 0, 20, offsetof(struct authorise_form, until), NULL},
    {"acting_for", NOABER_F_INT, 0, 0, 0, offsetof(struct authorise_form, acting_for), NULL},
};

enum noaber_err
residents_page_authorise(struct noaber_req *r)
{
    struct authorise_form in;
    struct noaber_input_errors errs;
    enum noaber_err e = noaber_input_parse(r, authorise_spec, N(authorise_spec), &in, &errs);
    if (e != NOABER_OK && e != NOABER_E_INVALID)
        return e;
    int64_t person = 0, until = 0;
    enum residents_relation rel = RESIDENTS_REL_NONE;
    enum noaber_err se = residents_subject(r->db, &r->actor, in.acting_for, &person, &rel);
    if (se != NOABER_OK)
        return se;
    if (e == NOABER_OK)
        e = residents_parse_date(in.until, &until);
    if (e == NOABER_OK)
        e = residents_authorise(r->db, &r->actor, person, rel, in.connector, until,
                                RESIDENTS_HOW_ONLINE);
    if (e == NOABER_E_BAD_DATE || e == NOABER_E_BAD_CHOICE || e == NOABER_E_INVALID)
        return profile_page(r, noaber_err_status(e), person, rel, NULL, NULL, NULL, NULL,
                            noaber_req_errmsg(r, e));
    if (e != NOABER_OK)
        return e;
    noaber_resp_flash(r, "saved");
    return noaber_resp_redirect(r, "/profile#authorisations");
}

enum noaber_err
residents_page_revoke(struct noaber_req *r)
{
    int64_t person = 0, acting_for = 0;
    const char *v = noaber_req_form(r, "acting_for");
    if (v && *v)
        acting_for = strtoll(v, NULL, 10);
    enum residents_relation rel = RESIDENTS_REL_NONE;
    enum noaber_err e = residents_subject(r->db, &r->actor, acting_for, &person, &rel);
    if (e == NOABER_OK)
        e = residents_authorisation_revoke(r->db, &r->actor, person, rel,
                                           noaber_req_param_id(r, "id"));
    if (e != NOABER_OK)
        return e;
    noaber_resp_flash(r, "saved");
    return noaber_resp_redirect(r, noaber_arena_printf(r->arena, "/profile%s#authorisations",
                                                       acting_query(r, person, rel)));
}

/* --- the skill list (administrators) ---------------------------------------------------------- */

struct skill_form {
    const char *slug, *label_nl, *label_en;
    int active;
};
static const struct noaber_field skill_spec[] = {
    {"slug", NOABER_F_SLUG, 1, 0, 0, offsetof(struct skill_form, slug), NULL},
    {"label_nl", NOABER_F_LINE, 1, 2, 60, offsetof(struct skill_form, label_nl), NULL},
    {"label_en", NOABER_F_LINE, 1, 2, 60, offsetof(struct skill_form, label_en), NULL},
    {"active", NOABER_F_BOOL, 0, 0, 0, offsetof(struct skill_form, active), NULL},
};

static enum noaber_err
skills_page(struct noaber_req *r, int status, const struct skill_form *in,
            const struct noaber_input_errors *errs, enum noaber_err e)
{
    struct residents_skill *skills;
    size_t n = 0;
    enum noaber_err le = residents_skills(r->db, 1, &skills, &n, r->arena);
    if (le != NOABER_OK)
        return le;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_pack("{s:I,s:s,s:s,s:s,s:b}", "id",
                                              (json_int_t)skills[i].id, "slug", skills[i].slug,
                                              "label_nl", skills[i].label_nl, "label_en",
                                              skills[i].label_en, "active", skills[i].active));
    json_t *ctx = json_pack("{s:s,s:o}", "title", noaber_req_tr(r, N_("Skills and interests")),
                            "skills", list);
    noaber_input_context(r, ctx, skill_spec, N(skill_spec), in, errs);
    if (e != NOABER_OK)
        json_object_set_new(ctx, "error", json_string(noaber_req_errmsg(r, e)));
    return noaber_resp_page(r, status, "residents/skills", ctx);
}

enum noaber_err
residents_page_skills(struct noaber_req *r)
{
    struct skill_form in = {"", "", "", 1};
    return skills_page(r, 200, &in, NULL, NOABER_OK);
}

enum noaber_err
residents_page_skill_add(struct noaber_req *r)
{
    struct skill_form in;
    struct noaber_input_errors errs;
    enum noaber_err e = noaber_input_parse(r, skill_spec, N(skill_spec), &in, &errs);
    if (e == NOABER_E_INVALID)
        return skills_page(r, 422, &in, &errs, e);
    if (e == NOABER_OK)
        e = residents_skill_add(r->db, &r->actor, in.slug, in.label_nl, in.label_en);
    if (e == NOABER_E_SLUG_TAKEN)
        return skills_page(r, 409, &in, NULL, e);
    if (e != NOABER_OK)
        return e;
    noaber_resp_flash(r, "saved");
    return noaber_resp_redirect(r, "/admin/skills");
}

enum noaber_err
residents_page_skill_update(struct noaber_req *r)
{
    struct skill_form in;
    struct noaber_input_errors errs;
    /* The short name stays what it is: profiles refer to it. */
    enum noaber_err e = noaber_input_parse(r, skill_spec + 1, N(skill_spec) - 1, &in, &errs);
    if (e == NOABER_E_INVALID) {
        struct skill_form empty = {"", "", "", 1};
        return skills_page(r, 422, &empty, NULL, e);
    }
    if (e == NOABER_OK)
        e = residents_skill_update(r->db, &r->actor, noaber_req_param_id(r, "id"), in.label_nl,
                                   in.label_en, in.active);
    if (e != NOABER_OK)
        return e;
    noaber_resp_flash(r, "saved");
    return noaber_resp_redirect(r, "/admin/skills");
}
