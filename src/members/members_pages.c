/*
 * HTML handlers of the members module: log in (password or one-time code), log out, register,
 * confirm e-mail, reset password, my account, the neighbourhood's home page, members and roles
 * for connectors and coordinators, and neighbourhoods for the administrator. Each handler reads:
 * parse input -> authorise -> operation -> render.
 */
#include "members/members_pages.h"

#include "base/arena.h"
#include "base/config.h"
#include "base/util.h"
#include "http/input.h"
#include "notify/notify.h"
#include "view/i18n.h"

#include <string.h>

#define SESSION_COOKIE "noaber_session"
#define MFA_COOKIE     "noaber_mfa"
#define N(a)           (sizeof(a) / sizeof((a)[0]))

static const char *const languages[] = {"nl", "en", NULL};
static const char *const channels[] = {"email", "inapp", "call", "letter", NULL};

/* The path to go to after logging in: only a local path, never another site. */
static const char *
next_path(struct noaber_req *r)
{
    const char *next = noaber_req_form(r, "next");
    if (!next)
        next = noaber_req_query(r, "next");
    if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\')
        return "/";
    return next;
}

static void
start_session(struct noaber_req *r, const char *token)
{
    noaber_resp_cookie(r, SESSION_COOKIE, token, (long)r->config->session_days * 86400);
}

/* A login form shown again with "too many attempts" says when to retry, as the error page does. */
static void
retry_after(struct noaber_req *r, enum noaber_err e)
{
    if (e != NOABER_E_RATE_LIMITED)
        return;
    char *v =
        noaber_arena_printf(r->arena, "%d", (r->retry_minutes > 0 ? r->retry_minutes : 15) * 60);
    if (v)
        noaber_resp_header(r, "Retry-After", v);
}

/* --- log in ---------------------------------------------------------------------------------- */

struct login_form {
    const char *login, *password;
};
static const struct noaber_field login_spec[] = {
    {"login", NOABER_F_LINE, 1, 1, 254, offsetof(struct login_form, login), NULL},
    {"password", NOABER_F_PASSWORD, 1, 0, 0, offsetof(struct login_form, password), NULL},
};

static enum noaber_err
login_page(struct noaber_req *r, int status, const struct login_form *in,
           const struct noaber_input_errors *errs, enum noaber_err e)
{
    json_t *ctx =
        json_pack("{s:s,s:s}", "title", noaber_req_tr(r, N_("Log in")), "next", next_path(r));
    noaber_input_context(r, ctx, login_spec, N(login_spec), in, errs);
    if (e != NOABER_OK)
        json_object_set_new(ctx, "error", json_string(noaber_req_errmsg(r, e)));
    retry_after(r, e);
    return noaber_resp_page(r, status, "members/login", ctx);
}

enum noaber_err
members_page_login_form(struct noaber_req *r)
{
    if (r->actor.person_id)
        return noaber_resp_redirect(r, next_path(r));
    struct login_form in = {"", ""};
    return login_page(r, 200, &in, NULL, NOABER_OK);
}

enum noaber_err
members_page_login(struct noaber_req *r)
{
    struct login_form in;
    struct noaber_input_errors errs;
    enum noaber_err e = noaber_input_parse(r, login_spec, N(login_spec), &in, &errs);
    if (e == NOABER_E_INVALID)
        return login_page(r, 422, &in, &errs, e);
    if (e != NOABER_OK)
        return e;
    char token[65];
    struct members_login l = {in.login, in.password, r->client_ip};
    e = members_login(r->db, r->config, &l, token, &r->retry_minutes);
    if (e == NOABER_E_BAD_LOGIN || e == NOABER_E_RATE_LIMITED)
        return login_page(r, noaber_err_status(e), &in, NULL, e);
    if (e == NOABER_E_MFA_REQUIRED) {
        /* The password was right; the waiting session has its own short-lived cookie. */
        noaber_resp_cookie(r, MFA_COOKIE, token, 600);
        struct noaber_buf b;
        noaber_buf_init(&b, r->arena);
        noaber_buf_puts(&b, "/login/totp?next=");
        noaber_buf_urlenc(&b, next_path(r));
        return noaber_resp_redirect(r, noaber_buf_str(&b));
    }
    if (e != NOABER_OK)
        return e;
    start_session(r, token);
    return noaber_resp_redirect(r, next_path(r));
}

/* --- the second step: a code from the app ----------------------------------------------------- */

struct totp_form {
    const char *code;
};
static const struct noaber_field totp_spec[] = {
    {"code", NOABER_F_LINE, 1, 6, 20, offsetof(struct totp_form, code), NULL},
};

static enum noaber_err
totp_page(struct noaber_req *r, int status, const struct totp_form *in,
          const struct noaber_input_errors *errs, enum noaber_err e)
{
    json_t *ctx = json_pack("{s:s,s:s}", "title", noaber_req_tr(r, N_("Code from your app")),
                            "next", next_path(r));
    noaber_input_context(r, ctx, totp_spec, N(totp_spec), in, errs);
    if (e != NOABER_OK)
        json_object_set_new(ctx, "error", json_string(noaber_req_errmsg(r, e)));
    retry_after(r, e);
    return noaber_resp_page(r, status, "members/login_totp", ctx);
}

enum noaber_err
members_page_totp_form(struct noaber_req *r)
{
    if (!noaber_req_cookie(r, MFA_COOKIE))
        return noaber_resp_redirect(r, "/login");
    struct totp_form in = {""};
    return totp_page(r, 200, &in, NULL, NOABER_OK);
}

enum noaber_err
members_page_totp_login(struct noaber_req *r)
{
    struct totp_form in;
    struct noaber_input_errors errs;
    enum noaber_err e = noaber_input_parse(r, totp_spec, N(totp_spec), &in, &errs);
    if (e == NOABER_E_INVALID)
        return totp_page(r, 422, &in, &errs, e);
    char token[65];
    if (e == NOABER_OK)
        e = members_login_totp(r->db, r->config, noaber_req_cookie(r, MFA_COOKIE), in.code, token,
                               &r->retry_minutes);
    if (e == NOABER_E_UNAUTHENTICATED) /* the ten minutes are over: start again */
        return noaber_resp_redirect(r, "/login");
    if (e == NOABER_E_BAD_TOTP || e == NOABER_E_RATE_LIMITED)
        return totp_page(r, noaber_err_status(e), &in, NULL, e);
    if (e != NOABER_OK)
        return e;
    noaber_resp_cookie(r, MFA_COOKIE, "", -1);
    start_session(r, token);
    return noaber_resp_redirect(r, next_path(r));
}

/* --- setting up the second factor ------------------------------------------------------------- */

static enum noaber_err
totp_setup_page(struct noaber_req *r, int status, const char *secret, enum noaber_err e)
{
    json_t *ctx = json_pack(
        "{s:s,s:b,s:b}", "title", noaber_req_tr(r, N_("Second step when logging in")), "enabled",
        r->actor.totp, "required", r->actor.is_staff && r->config->require_staff_2fa);
    if (secret) {
        struct members_person p;
        const char *who = "";
        if (members_person_get(r->db, r->actor.person_id, &p, r->arena) == NOABER_OK)
            who = p.email ? p.email : p.username ? p.username : "";
        struct noaber_buf uri;
        noaber_buf_init(&uri, r->arena);
        noaber_buf_puts(&uri, "otpauth://totp/Noaber:");
        noaber_buf_urlenc(&uri, who);
        noaber_buf_printf(&uri, "?secret=%s&issuer=Noaber&algorithm=SHA1&digits=6&period=%d",
                          secret, MEMBERS_TOTP_PERIOD);
        json_object_set_new(ctx, "secret", json_string(secret));
        json_object_set_new(ctx, "uri", json_string(noaber_buf_str(&uri)));
    }
    if (e != NOABER_OK)
        json_object_set_new(ctx, "error", json_string(noaber_req_errmsg(r, e)));
    return noaber_resp_page(r, status, "members/totp", ctx);
}

enum noaber_err
members_page_totp_setup(struct noaber_req *r)
{
    return totp_setup_page(r, 200, NULL, NOABER_OK);
}

enum noaber_err
members_page_totp_begin(struct noaber_req *r)
{
    char secret[40];
    enum noaber_err e = members_totp_begin(r->db, r->actor.person_id, secret);
    return e == NOABER_OK ? totp_setup_page(r, 200, secret, NOABER_OK) : e;
}

enum noaber_err
members_page_totp_enable(struct noaber_req *r)
{
    char recovery[10][16];
    const char *code = noaber_req_form(r, "code");
    enum noaber_err e = members_totp_enable(r->db, r->actor.person_id, code ? code : "", recovery);
    if (e == NOABER_E_BAD_TOTP)
        return totp_setup_page(r, 422, NULL, e);
    if (e != NOABER_OK)
        return e;
    json_t *codes = json_array();
    for (int i = 0; i < 10; i++)
        json_array_append_new(codes, json_string(recovery[i]));
    json_t *ctx = json_pack("{s:s,s:o}", "title", noaber_req_tr(r, N_("Your recovery codes")),
                            "codes", codes);
    return noaber_resp_page(r, 200, "members/totp_codes", ctx);
}

enum noaber_err
members_page_totp_disable(struct noaber_req *r)
{
    enum noaber_err e =
        members_totp_disable(r->db, r->config, &r->actor, noaber_req_form(r, "password"));
    if (e == NOABER_E_BAD_LOGIN || e == NOABER_E_MFA_SETUP_REQUIRED)
        return totp_setup_page(r, noaber_err_status(e), NULL, e);
    if (e != NOABER_OK)
        return e;
    noaber_resp_flash(r, "saved");
    return noaber_resp_redirect(r, "/account/totp");
}

struct code_form {
    const char *code;
};
static const struct noaber_field code_spec[] = {
    {"code", NOABER_F_LINE, 1, 4, 40, offsetof(struct code_form, code), NULL},
};

static enum noaber_err
code_page(struct noaber_req *r, int status, const struct code_form *in,
          const struct noaber_input_errors *errs, enum noaber_err e)
{
    json_t *ctx = json_pack("{s:s}", "title", noaber_req_tr(r, N_("Log in with a code")));
    noaber_input_context(r, ctx, code_spec, N(code_spec), in, errs);
    if (e != NOABER_OK)
        json_object_set_new(ctx, "error", json_string(noaber_req_errmsg(r, e)));
    retry_after(r, e);
    return noaber_resp_page(r, status, "members/login_code", ctx);
}

enum noaber_err
members_page_code_form(struct noaber_req *r)
{
    const char *code = noaber_req_query(r, "code");
    struct code_form in = {code ? code : ""};
    return code_page(r, 200, &in, NULL, NOABER_OK);
}

enum noaber_err
members_page_code_login(struct noaber_req *r)
{
    struct code_form in;
    struct noaber_input_errors errs;
    enum noaber_err e = noaber_input_parse(r, code_spec, N(code_spec), &in, &errs);
    if (e == NOABER_E_INVALID)
        return code_page(r, 422, &in, &errs, e);
    char token[65];
    if (e == NOABER_OK)
        e = members_login_code(r->db, r->config, in.code, r->client_ip, token, NULL,
                               &r->retry_minutes);
    if (e == NOABER_E_BAD_CODE || e == NOABER_E_RATE_LIMITED)
        return code_page(r, noaber_err_status(e), &in, NULL, e);
    if (e != NOABER_OK)
        return e;
    start_session(r, token);
    /* A code is for the first time or a forgotten password: go and choose one. */
    return noaber_resp_redirect(r, "/account#password");
}

enum noaber_err
members_page_logout(struct noaber_req *r)
{
    if (r->session_token)
        members_logout(r->db, r->session_token);
    noaber_resp_cookie(r, SESSION_COOKIE, "", -1);
    noaber_resp_flash(r, "logged_out");
    return noaber_resp_redirect(r, "/login");
}

enum noaber_err
members_page_logout_all(struct noaber_req *r)
{
    enum noaber_err e = members_logout_everywhere(r->db, r->actor.person_id);
    if (e != NOABER_OK)
        return e;
    noaber_resp_cookie(r, SESSION_COOKIE, "", -1);
    noaber_resp_flash(r, "logged_out_all");
    return noaber_resp_redirect(r, "/login");
}

/* --- register -------------------------------------------------------------------------------- */

struct register_form {
    const char *display_name, *email, *password, *password2, *postcode, *hood;
    int consent;
};
static const struct noaber_field register_spec[] = {
    {"display_name", NOABER_F_LINE, 1, 2, 80, offsetof(struct register_form, display_name), NULL},
    {"email", NOABER_F_EMAIL, 1, 0, 0, offsetof(struct register_form, email), NULL},
    {"password", NOABER_F_PASSWORD, 1, 0, 0, offsetof(struct register_form, password), NULL},
    {"password2", NOABER_F_PASSWORD, 1, 0, 0, offsetof(struct register_form, password2), NULL},
    {"postcode", NOABER_F_POSTCODE, 1, 0, 0, offsetof(struct register_form, postcode), NULL},
    {"hood", NOABER_F_SLUG, 0, 0, 0, offsetof(struct register_form, hood), NULL},
    {"consent", NOABER_F_BOOL, 0, 0, 0, offsetof(struct register_form, consent), NULL},
};
enum { F_REG_PASSWORD = 2, F_REG_PASSWORD2, F_REG_POSTCODE, F_REG_HOOD, F_REG_CONSENT };

static json_t *
hood_options(struct noaber_req *r, const char *selected)
{
    struct members_hood *hoods;
    size_t n = 0;
    json_t *list = json_array();
    if (members_hood_list(r->db, &r->actor, &hoods, &n, r->arena) != NOABER_OK)
        return list;
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_pack("{s:s,s:s,s:b}", "slug", hoods[i].slug, "name",
                                              hoods[i].name, "selected",
                                              selected && strcmp(selected, hoods[i].slug) == 0));
    return list;
}

/* A postcode of another neighbourhood: say which one, so the person can choose it. NULL when no
 * neighbourhood has it. */
static const char *
postcode_hood_message(struct noaber_req *r, const char *postcode)
{
    int64_t id = 0;
    struct members_hood *hoods;
    size_t n = 0;
    if (members_hood_for_postcode(r->db, postcode, &id) != NOABER_OK || !id ||
        members_hood_list(r->db, &r->actor, &hoods, &n, r->arena) != NOABER_OK)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (hoods[i].id == id) {
            const char *msg = noaber_req_tr(
                r,
                N_("This postcode does not belong to this neighbourhood but to {hood}. Choose that "
                   "one, or leave the choice open."));
            const char *at = strstr(msg, "{hood}");
            return at ? noaber_arena_printf(r->arena, "%.*s%s%s", (int)(at - msg), msg,
                                            hoods[i].name, at + 6)
                      : msg;
        }
    return NULL;
}

static enum noaber_err
register_page(struct noaber_req *r, int status, const struct register_form *in,
              const struct noaber_input_errors *errs, enum noaber_err e)
{
    json_t *ctx = json_pack("{s:s,s:o}", "title", noaber_req_tr(r, N_("Register")), "hoods",
                            hood_options(r, in->hood));
    noaber_input_context(r, ctx, register_spec, N(register_spec), in, errs);
    const char *where = errs && errs->field[F_REG_POSTCODE] == NOABER_E_POSTCODE_ELSEWHERE
                            ? postcode_hood_message(r, in->postcode)
                            : NULL;
    if (where)
        json_object_set_new(json_object_get(ctx, "errors"), "postcode", json_string(where));
    if (e != NOABER_OK)
        json_object_set_new(ctx, "error", json_string(noaber_req_errmsg(r, e)));
    return noaber_resp_page(r, status, "members/register", ctx);
}

enum noaber_err
members_page_register_form(struct noaber_req *r)
{
    struct register_form in = {"", "", "", "", "", noaber_req_query(r, "hood"), 0};
    return register_page(r, 200, &in, NULL, NOABER_OK);
}

/* The rules that tie fields together; each error lands on its own field. */
static void
register_checks(struct noaber_req *r, struct register_form *in, struct noaber_input_errors *errs,
                int64_t *hood_id)
{
    if (!errs->field[F_REG_PASSWORD] && members_check_password(in->password) != NOABER_OK)
        errs->field[F_REG_PASSWORD] = NOABER_E_WEAK_PASSWORD;
    if (!errs->field[F_REG_PASSWORD2] && strcmp(in->password, in->password2) != 0)
        errs->field[F_REG_PASSWORD2] = NOABER_E_PASSWORD_MISMATCH;
    if (!in->consent)
        errs->field[F_REG_CONSENT] = NOABER_E_REQUIRED;
    struct members_hood hood;
    *hood_id = 0;
    if (in->hood && *in->hood &&
        members_hood_by_slug(r->db, NULL, in->hood, &hood, r->arena) == NOABER_OK) {
        *hood_id = hood.id;
        if (!errs->field[F_REG_POSTCODE] && !members_postcode_in(hood.postcodes, in->postcode))
            errs->field[F_REG_POSTCODE] = NOABER_E_POSTCODE_ELSEWHERE;
    } else if (!errs->field[F_REG_POSTCODE]) {
        members_hood_for_postcode(r->db, in->postcode, hood_id);
        if (!*hood_id)
            errs->field[F_REG_HOOD] = NOABER_E_REQUIRED;
    }
    errs->count = 0;
    for (size_t i = 0; i < N(register_spec); i++)
        errs->count += errs->field[i] != NOABER_OK;
}

enum noaber_err
members_page_register(struct noaber_req *r)
{
    struct register_form in;
    struct noaber_input_errors errs;
    enum noaber_err e = noaber_input_parse(r, register_spec, N(register_spec), &in, &errs);
    if (e != NOABER_OK && e != NOABER_E_INVALID)
        return e;
    int64_t hood_id;
    register_checks(r, &in, &errs, &hood_id);
    if (errs.count)
        return register_page(r, 422, &in, &errs, NOABER_E_INVALID);
    /* A household may register a few people; a script registering hundreds is stopped. */
    e = members_throttle(r->db, "register", r->client_ip, 10, 3600, &r->retry_minutes);
    if (e == NOABER_E_RATE_LIMITED)
        return register_page(r, 429, &in, NULL, e);
    if (e != NOABER_OK)
        return e;
    struct members_registration reg = {in.display_name, in.email, in.password,
                                       in.postcode,     r->lang,  hood_id};
    int64_t person;
    e = members_register(r->db, r->config, &reg, &person);
    if (e == NOABER_E_EMAIL_TAKEN)
        return register_page(r, 409, &in, NULL, e);
    if (e != NOABER_OK)
        return e;
    char token[65];
    struct members_login l = {in.email, in.password, r->client_ip};
    if (members_login(r->db, r->config, &l, token, &r->retry_minutes) == NOABER_OK)
        start_session(r, token);
    noaber_resp_flash(r, "registered");
    return noaber_resp_redirect(r, "/");
}

/* --- e-mail verification and password reset ----------------------------------------------------
 */

enum noaber_err
members_page_verify_form(struct noaber_req *r)
{
    const char *code = noaber_req_query(r, "code");
    json_t *ctx =
        json_pack("{s:s,s:s}", "title", noaber_req_tr(r, N_("Confirm your e-mail address")), "code",
                  code ? code : "");
    return noaber_resp_page(r, 200, "members/verify", ctx);
}

enum noaber_err
members_page_verify(struct noaber_req *r)
{
    const char *code = noaber_req_form(r, "code");
    enum noaber_err e = members_verify_email(r->db, code ? code : "");
    if (e != NOABER_OK)
        return e;
    noaber_resp_flash(r, "email_verified");
    return noaber_resp_redirect(r, r->actor.person_id ? "/account" : "/login");
}

struct reset_form {
    const char *email;
};
static const struct noaber_field reset_spec[] = {
    {"email", NOABER_F_EMAIL, 1, 0, 0, offsetof(struct reset_form, email), NULL},
};

static enum noaber_err
reset_page(struct noaber_req *r, int status, const struct reset_form *in,
           const struct noaber_input_errors *errs)
{
    json_t *ctx = json_pack("{s:s}", "title", noaber_req_tr(r, N_("Forgot your password?")));
    noaber_input_context(r, ctx, reset_spec, N(reset_spec), in, errs);
    return noaber_resp_page(r, status, "members/reset", ctx);
}

enum noaber_err
members_page_reset_form(struct noaber_req *r)
{
    struct reset_form in = {""};
    return reset_page(r, 200, &in, NULL);
}

enum noaber_err
members_page_reset(struct noaber_req *r)
{
    struct reset_form in;
    struct noaber_input_errors errs;
    enum noaber_err e = noaber_input_parse(r, reset_spec, N(reset_spec), &in, &errs);
    if (e == NOABER_E_INVALID)
        return reset_page(r, 422, &in, &errs);
    if (e == NOABER_OK)
        e = members_throttle(r->db, "reset", r->client_ip, 5, 900, &r->retry_minutes);
    if (e == NOABER_OK)
        e = members_reset_request(r->db, r->config, in.email);
    if (e != NOABER_OK)
        return e;
    noaber_resp_flash(r, "reset_sent");
    return noaber_resp_redirect(r, "/login");
}

/* --- my account ------------------------------------------------------------------------------ */

struct prefs_form {
    const char *display_name, *lang, *channel;
};
static const struct noaber_field prefs_spec[] = {
    {"display_name", NOABER_F_LINE, 1, 2, 80, offsetof(struct prefs_form, display_name), NULL},
    {"lang", NOABER_F_CHOICE, 1, 0, 0, offsetof(struct prefs_form, lang), languages},
    {"channel", NOABER_F_CHOICE, 1, 0, 0, offsetof(struct prefs_form, channel), channels},
};

struct password_form {
    const char *password, *password2;
};
static const struct noaber_field password_spec[] = {
    {"password", NOABER_F_PASSWORD, 1, 0, 0, offsetof(struct password_form, password), NULL},
    {"password2", NOABER_F_PASSWORD, 1, 0, 0, offsetof(struct password_form, password2), NULL},
};

static enum noaber_err
account_page(struct noaber_req *r, int status, const struct prefs_form *prefs,
             const struct noaber_input_errors *prefs_errs,
             const struct noaber_input_errors *pw_errs)
{
    struct members_person p;
    enum noaber_err e = members_person_get(r->db, r->actor.person_id, &p, r->arena);
    if (e != NOABER_OK)
        return e;
    struct prefs_form current = {p.display_name, p.lang, p.channel};
    if (!prefs)
        prefs = &current;
    struct members_hood *hoods;
    size_t n = 0;
    e = members_person_hoods(r->db, p.id, &hoods, &n, r->arena);
    if (e != NOABER_OK)
        return e;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:b}", "slug", hoods[i].slug, "name",
                                              hoods[i].name, "role",
                                              noaber_req_tr(r, members_role_label(hoods[i].role)),
                                              "confirmed", hoods[i].confirmed));
    json_t *ctx = json_pack("{s:s,s:s?,s:s?,s:b,s:o,s:s,s:s,s:b}", "title",
                            noaber_req_tr(r, N_("My account")), "email", p.email, "username",
                            p.username, "email_verified", p.email_verified, "hoods", list, "lang",
                            prefs->lang, "channel", prefs->channel, "totp", r->actor.totp);
    noaber_input_context(r, ctx, prefs_spec, N(prefs_spec), prefs, prefs_errs);
    for (const char *const *c = channels; *c; c++)
        json_object_set_new(ctx, noaber_arena_printf(r->arena, "channel_%s", *c),
                            json_boolean(strcmp(prefs->channel, *c) == 0));
    if (pw_errs) {
        json_t *pw = json_object();
        noaber_input_context(r, pw, password_spec, N(password_spec), NULL, pw_errs);
        json_object_set(ctx, "pw_errors", json_object_get(pw, "errors"));
        json_decref(pw);
    }
    return noaber_resp_page(r, status, "members/account", ctx);
}

enum noaber_err
members_page_account(struct noaber_req *r)
{
    return account_page(r, 200, NULL, NULL, NULL);
}

enum noaber_err
members_page_account_save(struct noaber_req *r)
{
    struct prefs_form in;
    struct noaber_input_errors errs;
    enum noaber_err e = noaber_input_parse(r, prefs_spec, N(prefs_spec), &in, &errs);
    if (e == NOABER_E_INVALID)
        return account_page(r, 422, &in, &errs, NULL);
    if (e == NOABER_OK)
        e = members_set_prefs(r->db, r->actor.person_id, in.lang, in.channel, in.display_name);
    if (e != NOABER_OK)
        return e;
    noaber_resp_flash(r, "saved");
    return noaber_resp_redirect(r, "/account");
}

enum noaber_err
members_page_password_save(struct noaber_req *r)
{
    struct password_form in;
    struct noaber_input_errors errs;
    enum noaber_err e = noaber_input_parse(r, password_spec, N(password_spec), &in, &errs);
    if (e == NOABER_OK && members_check_password(in.password) != NOABER_OK)
        errs.field[0] = NOABER_E_WEAK_PASSWORD, errs.count++, e = NOABER_E_INVALID;
    if (e == NOABER_OK && strcmp(in.password, in.password2) != 0)
        errs.field[1] = NOABER_E_PASSWORD_MISMATCH, errs.count++, e = NOABER_E_INVALID;
    if (e == NOABER_E_INVALID)
        return account_page(r, 422, NULL, NULL, &errs);
    if (e == NOABER_OK)
        e = members_set_password(r->db, r->actor.person_id, in.password);
    if (e != NOABER_OK)
        return e;
    noaber_resp_flash(r, "password_set");
    return noaber_resp_redirect(r, "/account");
}

/* Language choice without an account: a cookie only, nothing in the database. */
enum noaber_err
members_page_language(struct noaber_req *r)
{
    const char *lang = noaber_req_form(r, "lang");
    if (!lang || !noaber_i18n_catalog(lang))
        return NOABER_E_BAD_CHOICE;
    if (r->actor.person_id) {
        struct members_person p;
        enum noaber_err e = members_person_get(r->db, r->actor.person_id, &p, r->arena);
        if (e == NOABER_OK)
            e = members_set_prefs(r->db, p.id, lang, p.channel, p.display_name);
        if (e != NOABER_OK)
            return e;
    }
    noaber_resp_cookie(r, "noaber_lang", lang, 365L * 86400);
    return noaber_resp_redirect(r, next_path(r));
}
