/*
 * JSON handlers of the members module under /api/v1/: log in and out, personal API tokens, me,
 * neighbourhoods, members, confirmation and roles. They share the operations, input specs and
 * authorisation of the pages; only the rendering differs.
 */
#include "members/members_pages.h"

#include "base/arena.h"
#include "base/config.h"
#include "base/util.h"
#include "http/input.h"
#include "db/db.h"

#include <stdlib.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static json_t *
hood_json(const struct members_hood *h)
{
    return json_pack("{s:s,s:s,s:s,s:s}", "slug", h->slug, "name", h->name, "description",
                     h->description ? h->description : "", "postcodes",
                     h->postcodes ? h->postcodes : "");
}

struct login_body {
    const char *login, *password;
};
static const struct noaber_field login_spec[] = {
    {"login", NOABER_F_LINE, 1, 1, 254, offsetof(struct login_body, login), NULL},
    {"password", NOABER_F_PASSWORD, 1, 0, 0, offsetof(struct login_body, password), NULL},
};

enum noaber_err
members_api_login(struct noaber_req *r)
{
    struct login_body in;
    struct noaber_input_errors errs;
    enum noaber_err e = noaber_input_parse(r, login_spec, N(login_spec), &in, &errs);
    if (e == NOABER_E_INVALID)
        return noaber_input_api_invalid(r, login_spec, N(login_spec), &errs);
    char token[65];
    struct members_login l = {in.login, in.password, r->client_ip};
    if (e == NOABER_OK)
        e = members_login(r->db, r->config, &l, token, &r->retry_minutes);
    if (e == NOABER_E_MFA_REQUIRED) /* finish with POST /api/v1/login/totp */
        noaber_resp_cookie(r, "noaber_mfa", token, 600);
    if (e != NOABER_OK)
        return e;
    noaber_resp_cookie(r, "noaber_session", token, (long)r->config->session_days * 86400);
    return noaber_resp_json(r, 200, json_pack("{s:b}", "ok", 1));
}

struct totp_body {
    const char *code;
};
static const struct noaber_field totp_spec[] = {
    {"code", NOABER_F_LINE, 1, 6, 20, offsetof(struct totp_body, code), NULL},
};

enum noaber_err
members_api_login_totp(struct noaber_req *r)
{
    struct totp_body in;
    struct noaber_input_errors errs;
    enum noaber_err e = noaber_input_parse(r, totp_spec, N(totp_spec), &in, &errs);
    if (e == NOABER_E_INVALID)
        return noaber_input_api_invalid(r, totp_spec, N(totp_spec), &errs);
    char token[65];
    if (e == NOABER_OK)
        e = members_login_totp(r->db, r->config, noaber_req_cookie(r, "noaber_mfa"), in.code, token,
                               &r->retry_minutes);
    if (e != NOABER_OK)
        return e;
    noaber_resp_cookie(r, "noaber_mfa", "", -1);
    noaber_resp_cookie(r, "noaber_session", token, (long)r->config->session_days * 86400);
    return noaber_resp_json(r, 200, json_pack("{s:b}", "ok", 1));
}

enum noaber_err
members_api_logout(struct noaber_req *r)
{
    if (r->session_token)
        members_logout(r->db, r->session_token);
    noaber_resp_cookie(r, "noaber_session", "", -1);
    return noaber_resp_json(r, 200, json_pack("{s:b}", "ok", 1));
}

struct token_body {
    const char *name;
};
static const struct noaber_field token_spec[] = {
    {"name", NOABER_F_LINE, 1, 1, 80, offsetof(struct token_body, name), NULL},
};

enum noaber_err
members_api_token_create(struct noaber_req *r)
{
    struct token_body in;
    struct noaber_input_errors errs;
    enum noaber_err e = noaber_input_parse(r, token_spec, N(token_spec), &in, &errs);
    if (e == NOABER_E_INVALID)
        return noaber_input_api_invalid(r, token_spec, N(token_spec), &errs);
    char token[65];
    if (e == NOABER_OK)
        e = members_token_create(r->db, r->actor.person_id, in.name, token);
    if (e != NOABER_OK)
        return e;
    return noaber_resp_json(r, 201, json_pack("{s:s,s:s}", "name", in.name, "token", token));
}

enum noaber_err
members_api_me(struct noaber_req *r)
{
    struct members_person p;
    struct members_hood *hoods;
    size_t n = 0;
    enum noaber_err e = members_person_get(r->db, r->actor.person_id, &p, r->arena);
    if (e == NOABER_OK)
        e = members_person_hoods(r->db, p.id, &hoods, &n, r->arena);
    if (e != NOABER_OK)
        return e;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *h = hood_json(&hoods[i]);
        json_object_set_new(h, "role", json_string(members_role_name(hoods[i].role)));
        json_object_set_new(h, "confirmed", json_boolean(hoods[i].confirmed));
        json_array_append_new(list, h);
    }
    return noaber_resp_json(r, 200,
                            json_pack("{s:I,s:s,s:s?,s:s?,s:s,s:s,s:b,s:b,s:o}", "id",
                                      (json_int_t)p.id, "display_name", p.display_name, "email",
                                      p.email, "username", p.username, "lang", p.lang, "channel",
                                      p.channel, "email_verified", p.email_verified, "is_admin",
                                      p.is_admin, "neighbourhoods", list));
}

static const char *const languages[] = {"nl", "en", NULL};
static const char *const channels[] = {"email", "inapp", "call", "letter", NULL};

struct me_body {
    const char *display_name, *lang, *channel;
};
static const struct noaber_field me_spec[] = {
    {"display_name", NOABER_F_LINE, 0, 2, 80, offsetof(struct me_body, display_name), NULL},
    {"lang", NOABER_F_CHOICE, 0, 0, 0, offsetof(struct me_body, lang), languages},
    {"channel", NOABER_F_CHOICE, 0, 0, 0, offsetof(struct me_body, channel), channels},
};

enum noaber_err
members_api_me_update(struct noaber_req *r)
{
    struct me_body in;
    struct noaber_input_errors errs;
    struct members_person p;
    enum noaber_err e = noaber_input_parse(r, me_spec, N(me_spec), &in, &errs);
    if (e == NOABER_E_INVALID)
        return noaber_input_api_invalid(r, me_spec, N(me_spec), &errs);
    if (e == NOABER_OK)
        e = members_person_get(r->db, r->actor.person_id, &p, r->arena);
    /* PATCH: what is not sent stays as it is. */
    if (e == NOABER_OK)
        e = members_set_prefs(r->db, p.id, *in.lang ? in.lang : p.lang,
                              *in.channel ? in.channel : p.channel,
                              *in.display_name ? in.display_name : p.display_name);
    return e == NOABER_OK ? members_api_me(r) : e;
}

enum noaber_err
members_api_hoods(struct noaber_req *r)
{
    struct members_hood *hoods;
    size_t n = 0;
    enum noaber_err e = members_hood_list(r->db, &r->actor, &hoods, &n, r->arena);
    if (e != NOABER_OK)
        return e;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, hood_json(&hoods[i]));
    return noaber_resp_json(r, 200, json_pack("{s:o}", "neighbourhoods", list));
}

enum noaber_err
members_api_hood(struct noaber_req *r)
{
    json_t *h = hood_json(&r->hood);
    json_object_set_new(h, "role", json_string(members_role_name(r->hood.role)));
    json_object_set_new(h, "confirmed", json_boolean(r->hood.confirmed));
    return noaber_resp_json(r, 200, h);
}

struct hood_body {
    const char *slug, *name, *description, *postcodes;
};
static const struct noaber_field hood_spec[] = {
    {"slug", NOABER_F_SLUG, 1, 0, 0, offsetof(struct hood_body, slug), NULL},
    {"name", NOABER_F_LINE, 1, 2, 80, offsetof(struct hood_body, name), NULL},
    {"description", NOABER_F_TEXT, 0, 0, 2000, offsetof(struct hood_body, description), NULL},
    {"postcodes", NOABER_F_LINE, 0, 0, 1000, offsetof(struct hood_body, postcodes), NULL},
};

enum noaber_err
members_api_hood_create(struct noaber_req *r)
{
    struct hood_body in;
    struct noaber_input_errors errs;
    enum noaber_err e = noaber_input_parse(r, hood_spec, N(hood_spec), &in, &errs);
    if (e == NOABER_E_INVALID)
        return noaber_input_api_invalid(r, hood_spec, N(hood_spec), &errs);
    struct members_hood_input h = {in.slug, in.name, in.description, in.postcodes};
    if (e == NOABER_OK)
        e = members_hood_create(r->db, &r->actor, &h, NULL);
    if (e != NOABER_OK)
        return e;
    struct members_hood out = {
        .slug = in.slug, .name = in.name, .description = in.description, .postcodes = in.postcodes};
    return noaber_resp_json(r, 201, hood_json(&out));
}

enum noaber_err
members_api_members(struct noaber_req *r)
{
    const char *off = noaber_req_query(r, "offset"), *lim = noaber_req_query(r, "limit");
    int pending = noaber_req_query(r, "pending") != NULL;
    struct members_member *list;
    size_t n = 0;
    int64_t total = 0;
    enum noaber_err e =
        members_list(r->db, &r->hood, pending, off ? strtoll(off, NULL, 10) : 0,
                     lim ? strtoll(lim, NULL, 10) : 50, &list, &n, &total, r->arena);
    if (e != NOABER_OK)
        return e;
    json_t *rows = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            rows, json_pack("{s:I,s:s,s:s?,s:s?,s:s,s:b}", "id", (json_int_t)list[i].p.id,
                            "display_name", list[i].p.display_name, "email", list[i].p.email,
                            "username", list[i].p.username, "role", members_role_name(list[i].role),
                            "confirmed", list[i].confirmed_at != 0));
    return noaber_resp_json(r, 200,
                            json_pack("{s:o,s:I}", "members", rows, "total", (json_int_t)total));
}

static const char *const roles[] = {"resident", "connector", "coordinator", "partner", NULL};

struct member_body {
    const char *display_name, *email, *username, *role;
};
static const struct noaber_field member_spec[] = {
    {"display_name", NOABER_F_LINE, 1, 2, 80, offsetof(struct member_body, display_name), NULL},
    {"email", NOABER_F_EMAIL, 0, 0, 0, offsetof(struct member_body, email), NULL},
    {"username", NOABER_F_USERNAME, 0, 0, 0, offsetof(struct member_body, username), NULL},
    {"role", NOABER_F_CHOICE, 1, 0, 0, offsetof(struct member_body, role), roles},
};

enum noaber_err
members_api_member_add(struct noaber_req *r)
{
    struct member_body in;
    struct noaber_input_errors errs;
    enum noaber_err e = noaber_input_parse(r, member_spec, N(member_spec), &in, &errs);
    if (e == NOABER_E_INVALID)
        return noaber_input_api_invalid(r, member_spec, N(member_spec), &errs);
    struct members_new_member m = {in.display_name, in.email, in.username,
                                   members_role_parse(in.role), r->hood.id};
    int64_t person = 0;
    if (e == NOABER_OK)
        e = members_add(r->db, &r->actor, &r->hood, &m, &person);
    if (e != NOABER_OK)
        return e;
    return noaber_resp_json(r, 201,
                            json_pack("{s:I,s:s}", "id", (json_int_t)person, "role", in.role));
}

enum noaber_err
members_api_confirm(struct noaber_req *r)
{
    enum noaber_err e = members_confirm(r->db, &r->actor, &r->hood, noaber_req_param_id(r, "id"));
    return e == NOABER_OK ? noaber_resp_json(r, 200, json_pack("{s:b}", "confirmed", 1)) : e;
}

struct role_body {
    const char *role;
};
static const char *const roles_or_none[] = {"resident", "connector", "coordinator",
                                            "partner",  "none",      NULL};
static const struct noaber_field role_spec[] = {
    {"role", NOABER_F_CHOICE, 1, 0, 0, offsetof(struct role_body, role), roles_or_none},
};

enum noaber_err
members_api_role(struct noaber_req *r)
{
    struct role_body in;
    struct noaber_input_errors errs;
    enum noaber_err e = noaber_input_parse(r, role_spec, N(role_spec), &in, &errs);
    if (e == NOABER_E_INVALID)
        return noaber_input_api_invalid(r, role_spec, N(role_spec), &errs);
    if (e == NOABER_OK)
        e = members_set_role(r->db, &r->actor, &r->hood, noaber_req_param_id(r, "id"),
                             members_role_parse(in.role));
    return e == NOABER_OK ? noaber_resp_json(r, 200, json_pack("{s:s}", "role", in.role)) : e;
}
