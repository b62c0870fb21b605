/*
 * HTML handlers for neighbourhoods: the installation's home page (all neighbourhoods), one
 * neighbourhood's home (public part for everyone, the rest for confirmed members), the member
 * list with confirmation, adding a member, roles and login codes for connectors and
 * coordinators, and the administrator's page of neighbourhoods.
 */
#include "members/members_pages.h"

#include "base/arena.h"
#include "base/config.h"
#include "base/util.h"
#include "http/input.h"
#include "notify/notify.h"
#include "view/i18n.h"

#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const roles[] = {"resident", "connector", "coordinator", "partner", NULL};

static json_t *
hood_json(struct noaber_req *r, const struct members_hood *h)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:I}", "slug", h->slug, "name", h->name, "description",
                     h->description ? h->description : "", "postcodes",
                     h->postcodes ? h->postcodes : "", "members", (json_int_t)h->members);
}

enum noaber_err
members_page_home(struct noaber_req *r)
{
    struct members_hood *hoods, *mine = NULL;
    size_t n = 0, nmine = 0;
    enum noaber_err e = members_hood_list(r->db, &r->actor, &hoods, &n, r->arena);
    if (e == NOABER_OK && r->actor.person_id)
        e = members_person_hoods(r->db, r->actor.person_id, &mine, &nmine, r->arena);
    if (e != NOABER_OK)
        return e;
    json_t *list = json_array(), *my = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, hood_json(r, &hoods[i]));
    for (size_t i = 0; i < nmine; i++) {
        json_t *h = hood_json(r, &mine[i]);
        json_object_set_new(h, "role",
                            json_string(noaber_req_tr(r, members_role_label(mine[i].role))));
        json_object_set_new(h, "confirmed", json_boolean(mine[i].confirmed));
        json_array_append_new(my, h);
    }
    int64_t unread = 0;
    if (r->actor.person_id)
        notify_inbox_count(r->db, r->actor.person_id, NULL, &unread);
    json_t *ctx = json_pack("{s:s,s:o,s:o,s:I}", "title", noaber_req_tr(r, N_("Welcome to Noaber")),
                            "hoods", list, "mine", my, "unread", (json_int_t)unread);
    return noaber_resp_page(r, 200, "home", ctx);
}

enum noaber_err
members_page_hood(struct noaber_req *r)
{
    const struct members_hood *h = &r->hood;
    json_t *ctx = hood_json(r, h);
    json_object_set_new(ctx, "title", json_string(h->name));
    /* The neighbourhood-only part: the same authorisation as every other check. */
    enum noaber_err inside = members_can(&r->actor, MEMBERS_A_HOOD_MEMBERS, h);
    json_object_set_new(ctx, "inside", json_boolean(inside == NOABER_OK));
    json_object_set_new(ctx, "waiting", json_boolean(inside == NOABER_E_NOT_CONFIRMED));
    json_object_set_new(ctx, "is_member", json_boolean(h->role != MEMBERS_R_NONE));
    json_object_set_new(
        ctx, "can_members",
        json_boolean(members_can(&r->actor, MEMBERS_A_MEMBER_LIST, h) == NOABER_OK));
    static const struct {
        const char *key;
        enum members_action action;
    } cards[] = {{"can_calls", MEMBERS_A_CALL_LIST},        {"can_help", MEMBERS_A_HELP_SEARCH},
                 {"can_caseload", MEMBERS_A_RESIDENT_FILE}, {"can_intake", MEMBERS_A_INTAKE},
                 {"can_import", MEMBERS_A_MEMBER_CREATE},   {"can_reports", MEMBERS_A_REPORTS}};
    /* One card per task the person may do here, decided by the one authorisation function. */
    for (size_t i = 0; i < sizeof cards / sizeof cards[0]; i++)
        json_object_set_new(ctx, cards[i].key,
                            json_boolean(members_can(&r->actor, cards[i].action, h) == NOABER_OK));
    if (h->role != MEMBERS_R_NONE)
        json_object_set_new(ctx, "role",
                            json_string(noaber_req_tr(r, members_role_label(h->role))));
    return noaber_resp_page(r, 200, "members/hood", ctx);
}

/* --- members and roles ----------------------------------------------------------------------- */

static json_t *
member_json(struct noaber_req *r, const struct members_member *m)
{
    json_t *roles_json = json_array();
    for (const char *const *role = roles; *role; role++)
        json_array_append_new(
            roles_json, json_pack("{s:s,s:s,s:b}", "value", *role, "label",
                                  noaber_req_tr(r, members_role_label(members_role_parse(*role))),
                                  "selected", m->role == members_role_parse(*role)));
    return json_pack("{s:I,s:s,s:s?,s:s?,s:s,s:s,s:b,s:o}", "id", (json_int_t)m->p.id, "name",
                     m->p.display_name, "email", m->p.email, "username", m->p.username, "role",
                     members_role_name(m->role), "role_label",
                     noaber_req_tr(r, members_role_label(m->role)), "confirmed",
                     m->confirmed_at != 0, "roles", roles_json);
}

enum noaber_err
members_page_members(struct noaber_req *r)
{
    int pending = noaber_req_query(r, "pending") != NULL;
    const char *page_s = noaber_req_query(r, "page");
    int64_t page = page_s ? strtoll(page_s, NULL, 10) : 1, total = 0, per = 50;
    if (page < 1 || page > 100000)
        page = 1;
    struct members_member *list;
    size_t n = 0;
    enum noaber_err e =
        members_list(r->db, &r->hood, pending, (page - 1) * per, per, &list, &n, &total, r->arena);
    if (e != NOABER_OK)
        return e;
    json_t *rows = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(rows, member_json(r, &list[i]));
    json_t *ctx =
        json_pack("{s:s,s:o,s:I,s:b,s:b,s:b,s:b,s:I,s:I,s:I,s:s,s:s}", "title",
                  noaber_req_tr(r, N_("Members")), "members", rows, "total", (json_int_t)total,
                  "pending", pending, "can_confirm",
                  members_can(&r->actor, MEMBERS_A_MEMBER_CONFIRM, &r->hood) == NOABER_OK,
                  "can_roles", members_can(&r->actor, MEMBERS_A_ROLE_SET, &r->hood) == NOABER_OK,
                  "can_code", members_can(&r->actor, MEMBERS_A_MEMBER_CODE, &r->hood) == NOABER_OK,
                  "page", (json_int_t)page, "prev", (json_int_t)(page > 1 ? page - 1 : 0), "next",
                  (json_int_t)(page * per < total ? page + 1 : 0), "slug", r->hood.slug,
                  "hood_name", r->hood.name);
    return noaber_resp_page(r, 200, "members/members", ctx);
}

struct new_member_form {
    const char *display_name, *email, *username, *role;
};
static const struct noaber_field new_member_spec[] = {
    {"display_name", NOABER_F_LINE, 1, 2, 80, offsetof(struct new_member_form, display_name), NULL},
    {"email", NOABER_F_EMAIL, 0, 0, 0, offsetof(struct new_member_form, email), NULL},
    {"username", NOABER_F_USERNAME, 0, 0, 0, offsetof(struct new_member_form, username), NULL},
    {"role", NOABER_F_CHOICE, 1, 0, 0, offsetof(struct new_member_form, role), roles},
};

static enum noaber_err
new_member_page(struct noaber_req *r, int status, const struct new_member_form *in,
                const struct noaber_input_errors *errs, enum noaber_err e)
{
    json_t *role_opts = json_array();
    int can_roles = members_can(&r->actor, MEMBERS_A_ROLE_SET, &r->hood) == NOABER_OK;
    for (const char *const *role = roles; *role; role++)
        if (can_roles || strcmp(*role, "resident") == 0)
            json_array_append_new(
                role_opts,
                json_pack("{s:s,s:s,s:b}", "value", *role, "label",
                          noaber_req_tr(r, members_role_label(members_role_parse(*role))),
                          "selected", in->role && strcmp(in->role, *role) == 0));
    json_t *ctx = json_pack("{s:s,s:s,s:s,s:o}", "title", noaber_req_tr(r, N_("Add a member")),
                            "slug", r->hood.slug, "hood_name", r->hood.name, "roles", role_opts);
    noaber_input_context(r, ctx, new_member_spec, N(new_member_spec), in, errs);
    if (e != NOABER_OK)
        json_object_set_new(ctx, "error", json_string(noaber_req_errmsg(r, e)));
    return noaber_resp_page(r, status, "members/member_new", ctx);
}

enum noaber_err
members_page_member_new(struct noaber_req *r)
{
    struct new_member_form in = {"", "", "", "resident"};
    return new_member_page(r, 200, &in, NULL, NOABER_OK);
}

enum noaber_err
members_page_member_add(struct noaber_req *r)
{
    struct new_member_form in;
    struct noaber_input_errors errs;
    enum noaber_err e = noaber_input_parse(r, new_member_spec, N(new_member_spec), &in, &errs);
    if (e == NOABER_OK && !*in.email && !*in.username) {
        /* Someone without e-mail gets a username; one of the two is needed to log in. */
        errs.field[2] = NOABER_E_REQUIRED;
        errs.count++;
        e = NOABER_E_INVALID;
    }
    if (e == NOABER_E_INVALID)
        return new_member_page(r, 422, &in, &errs, e);
    if (e != NOABER_OK)
        return e;
    struct members_new_member m = {in.display_name, in.email, in.username,
                                   members_role_parse(in.role), r->hood.id};
    int64_t person;
    e = members_add(r->db, &r->actor, &r->hood, &m, &person);
    if (e == NOABER_E_EMAIL_TAKEN || e == NOABER_E_USERNAME_TAKEN || e == NOABER_E_ALREADY_MEMBER)
        return new_member_page(r, 409, &in, NULL, e);
    if (e != NOABER_OK)
        return e;
    noaber_resp_flash(r, "member_added");
    return noaber_resp_redirect(r, noaber_arena_printf(r->arena, "/n/%s/members", r->hood.slug));
}

enum noaber_err
members_page_confirm(struct noaber_req *r)
{
    int64_t person = noaber_req_param_id(r, "id");
    enum noaber_err e = members_confirm(r->db, &r->actor, &r->hood, person);
    if (e != NOABER_OK)
        return e;
    noaber_resp_flash(r, "confirmed");
    return noaber_resp_redirect(
        r, noaber_arena_printf(r->arena, "/n/%s/members?pending=1", r->hood.slug));
}

enum noaber_err
members_page_role(struct noaber_req *r)
{
    int64_t person = noaber_req_param_id(r, "id");
    const char *role_s = noaber_req_form(r, "role");
    enum members_role role = members_role_parse(role_s);
    if (!role_s || (role == MEMBERS_R_NONE && strcmp(role_s, "none") != 0))
        return NOABER_E_BAD_CHOICE;
    enum noaber_err e = members_set_role(r->db, &r->actor, &r->hood, person, role);
    if (e != NOABER_OK)
        return e;
    noaber_resp_flash(r, "role_set");
    return noaber_resp_redirect(r, noaber_arena_printf(r->arena, "/n/%s/members", r->hood.slug));
}

/* A printable page with the one-time code, to hand over on paper. */
enum noaber_err
members_page_code(struct noaber_req *r)
{
    int64_t person = noaber_req_param_id(r, "id");
    struct members_person p;
    char code[32];
    enum noaber_err e = members_person_get(r->db, person, &p, r->arena);
    if (e == NOABER_OK)
        e = members_make_code(r->db, &r->actor, &r->hood, person, code);
    if (e != NOABER_OK)
        return e;
    char *url = noaber_arena_printf(r->arena, "%s/login/code", r->config->public_url);
    json_t *ctx =
        json_pack("{s:s,s:s,s:s?,s:s,s:s,s:s,s:I}", "title", noaber_req_tr(r, N_("Login code")),
                  "name", p.display_name, "username", p.username, "code", code, "url",
                  url ? url : "", "slug", r->hood.slug, "days", (json_int_t)14);
    return noaber_resp_page(r, 200, "members/code", ctx);
}

/* --- administrator ---------------------------------------------------------------------------- */

struct hood_form {
    const char *slug, *name, *description, *postcodes;
};
static const struct noaber_field hood_spec[] = {
    {"slug", NOABER_F_SLUG, 1, 0, 0, offsetof(struct hood_form, slug), NULL},
    {"name", NOABER_F_LINE, 1, 2, 80, offsetof(struct hood_form, name), NULL},
    {"description", NOABER_F_TEXT, 0, 0, 2000, offsetof(struct hood_form, description), NULL},
    {"postcodes", NOABER_F_LINE, 0, 0, 1000, offsetof(struct hood_form, postcodes), NULL},
};

static enum noaber_err
admin_page(struct noaber_req *r, int status, const struct hood_form *in,
           const struct noaber_input_errors *errs, enum noaber_err e)
{
    struct members_hood *hoods;
    size_t n = 0;
    enum noaber_err le = members_hood_list(r->db, &r->actor, &hoods, &n, r->arena);
    if (le != NOABER_OK)
        return le;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, hood_json(r, &hoods[i]));
    json_t *ctx = json_pack("{s:s,s:o,s:b}", "title", noaber_req_tr(r, N_("Administration")),
                            "hoods", list, "smtp", r->config->smtp_host[0] != '\0');
    noaber_input_context(r, ctx, hood_spec, N(hood_spec), in, errs);
    if (e != NOABER_OK)
        json_object_set_new(ctx, "error", json_string(noaber_req_errmsg(r, e)));
    return noaber_resp_page(r, status, "members/admin", ctx);
}

enum noaber_err
members_page_admin(struct noaber_req *r)
{
    struct hood_form in = {"", "", "", ""};
    return admin_page(r, 200, &in, NULL, NOABER_OK);
}

enum noaber_err
members_page_hood_create(struct noaber_req *r)
{
    struct hood_form in;
    struct noaber_input_errors errs;
    enum noaber_err e = noaber_input_parse(r, hood_spec, N(hood_spec), &in, &errs);
    if (e == NOABER_E_INVALID)
        return admin_page(r, 422, &in, &errs, e);
    struct members_hood_input h = {in.slug, in.name, in.description, in.postcodes};
    if (e == NOABER_OK)
        e = members_hood_create(r->db, &r->actor, &h, NULL);
    if (e == NOABER_E_SLUG_TAKEN)
        return admin_page(r, 409, &in, NULL, e);
    if (e != NOABER_OK)
        return e;
    noaber_resp_flash(r, "hood_created");
    return noaber_resp_redirect(r, "/admin");
}

enum noaber_err
members_page_test_email(struct noaber_req *r)
{
    struct members_person p;
    enum noaber_err e = members_person_get(r->db, r->actor.person_id, &p, r->arena);
    if (e == NOABER_OK && (!p.email || !*p.email))
        e = NOABER_E_BAD_EMAIL;
    if (e == NOABER_OK)
        e = notify_test_email(r->db, r->config, p.email, NULL);
    if (e != NOABER_OK)
        return e;
    noaber_resp_flash(r, "test_mail");
    return noaber_resp_redirect(r, "/admin");
}
