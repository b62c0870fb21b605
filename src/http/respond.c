/*
 * Building answers: headers, cookies, redirects, JSON, and HTML pages rendered inside the base
 * layout in the person's language. Error answers (the one place where an error code becomes a
 * response) are here too: an error page for people, {"error":{"code","message"}} for the API.
 */
#include "http/server.h"

#include "base/arena.h"
#include "base/config.h"
#include "base/util.h"
#include "view/i18n.h"
#include "view/tmpl.h"

#include <string.h>

/* Notices after a redirect: the cookie holds only one of these keys, never text. */
static const char *const flashes[][2] = {
    {"saved", N_("Your changes have been saved.")},
    {"logged_out", N_("You have logged out.")},
    {"logged_out_all", N_("You have logged out on all devices.")},
    {"registered", N_("Welcome! A connector or coordinator will confirm that you live in the "
                      "neighbourhood. Until then you see only the public part.")},
    {"confirmed", N_("The resident has been confirmed.")},
    {"member_added", N_("The member has been added.")},
    {"role_set", N_("The role has been changed.")},
    {"hood_created", N_("The neighbourhood has been added.")},
    {"reset_sent", N_("If we know this address, we have sent a link to it.")},
    {"password_set", N_("Your new password has been saved.")},
    {"email_verified", N_("Your e-mail address has been confirmed.")},
    {"test_mail", N_("The test e-mail is in the outbox.")},
    {"call_done", N_("The call has been marked as done.")},
    {"erased", N_("Your account and your data have been erased.")},
};

void
noaber_resp_header(struct noaber_req *r, const char *name, const char *value)
{
    struct noaber_kv *kv = noaber_arena_alloc(r->arena, sizeof *kv);
    if (!kv)
        return;
    kv->name = name;
    kv->value = noaber_arena_strdup(r->arena, value);
    kv->next = r->headers_out;
    r->headers_out = kv;
}

void
noaber_resp_cookie(struct noaber_req *r, const char *name, const char *value, long max_age)
{
    const char *secure = noaber_config_secure(r->config) ? "; Secure" : "";
    char *v;
    if (max_age < 0)
        v = noaber_arena_printf(r->arena, "%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax%s", name,
                                secure);
    else if (max_age == 0)
        v = noaber_arena_printf(r->arena, "%s=%s; Path=/; HttpOnly; SameSite=Lax%s", name, value,
                                secure);
    else
        v = noaber_arena_printf(r->arena, "%s=%s; Path=/; Max-Age=%ld; HttpOnly; SameSite=Lax%s",
                                name, value, max_age, secure);
    if (v)
        noaber_resp_header(r, "Set-Cookie", v);
}

void
noaber_resp_flash(struct noaber_req *r, const char *key)
{
    for (size_t i = 0; i < sizeof flashes / sizeof flashes[0]; i++)
        if (strcmp(flashes[i][0], key) == 0)
            noaber_resp_cookie(r, "noaber_flash", key, 300);
}

/* The notice for the flash cookie, if any; the cookie is cleared. */
static const char *
take_flash(struct noaber_req *r)
{
    const char *key = noaber_req_cookie(r, "noaber_flash");
    if (!key)
        return NULL;
    noaber_resp_cookie(r, "noaber_flash", "", -1);
    for (size_t i = 0; i < sizeof flashes / sizeof flashes[0]; i++)
        if (strcmp(flashes[i][0], key) == 0)
            return noaber_req_tr(r, flashes[i][1]);
    return NULL;
}

enum noaber_err
noaber_resp_redirect(struct noaber_req *r, const char *url)
{
    /* Only paths on this site: never an open redirect. */
    if (!url || url[0] != '/' || url[1] == '/' || url[1] == '\\')
        url = "/";
    r->status = 303;
    noaber_resp_header(r, "Location", url);
    noaber_buf_reset(&r->out);
    return NOABER_OK;
}

enum noaber_err
noaber_resp_json(struct noaber_req *r, int status, json_t *body)
{
    char *s = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(body);
    if (!s)
        return NOABER_E_INTERNAL;
    r->status = status;
    r->content_type_out = "application/json";
    noaber_buf_reset(&r->out);
    noaber_buf_puts(&r->out, s);
    noaber_buf_putc(&r->out, '\n');
    free(s);
    return r->out.failed ? NOABER_E_TOO_LARGE : NOABER_OK;
}

enum noaber_err
noaber_resp_text(struct noaber_req *r, int status, const char *content_type, const char *text)
{
    r->status = status;
    r->content_type_out = content_type;
    noaber_buf_reset(&r->out);
    noaber_buf_puts(&r->out, text);
    return NOABER_OK;
}

/* The layout's own context: who is logged in, the CSRF token, language, navigation. */
static json_t *
app_context(struct noaber_req *r)
{
    json_t *app = json_object();
    json_object_set_new(app, "lang", json_string(r->lang ? r->lang : "nl"));
    json_object_set_new(app, "dir", json_string(noaber_i18n_rtl(r->cat) ? "rtl" : "ltr"));
    json_object_set_new(app, "csrf", json_string(r->csrf ? r->csrf : ""));
    json_object_set_new(app, "path", json_string(r->path ? r->path : "/"));
    json_object_set_new(app, "version", json_string(NOABER_VERSION));
    const char *flash = r->flash ? r->flash : take_flash(r);
    if (flash)
        json_object_set_new(app, "flash", json_string(flash));
    if (r->actor.person_id) {
        json_object_set_new(
            app, "user",
            json_pack("{s:s,s:b,s:b}", "name", r->actor.display_name ? r->actor.display_name : "",
                      "is_admin", r->actor.is_admin, "is_staff", r->actor.is_staff));
    }
    if (r->hood.id)
        json_object_set_new(app, "hood",
                            json_pack("{s:s,s:s}", "slug", r->hood.slug, "name", r->hood.name));
    json_t *langs = json_array();
    const char *const *codes;
    size_t n = noaber_i18n_languages(&codes);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(langs, json_pack("{s:s,s:s,s:b}", "code", codes[i], "name",
                                               noaber_i18n_native_name(codes[i]), "current",
                                               r->lang && strcmp(codes[i], r->lang) == 0));
    json_object_set_new(app, "languages", langs);
    return app;
}

enum noaber_err
noaber_resp_page(struct noaber_req *r, int status, const char *name, json_t *ctx)
{
    json_object_set_new(ctx, "app", app_context(r));
    struct noaber_buf body;
    noaber_buf_init(&body, r->arena);
    enum noaber_err e = noaber_tmpl_render(name, ctx, r->cat, &body);
    if (e == NOABER_OK) {
        json_object_set_new(ctx, "body", json_string(noaber_buf_str(&body)));
        noaber_buf_reset(&r->out);
        e = noaber_tmpl_render("layout", ctx, r->cat, &r->out);
    }
    json_decref(ctx);
    if (e != NOABER_OK)
        return e;
    r->status = status;
    r->content_type_out = "text/html; charset=utf-8";
    return NOABER_OK;
}

const char *
noaber_req_errmsg(const struct noaber_req *r, enum noaber_err e)
{
    int nl = !r->lang || strcmp(r->lang, "nl") == 0;
    const char *msg = nl ? noaber_err_msg(e, NOABER_LANG_NL)
                         : noaber_tr(r->cat, noaber_err_msg(e, NOABER_LANG_EN));
    if (e == NOABER_E_RATE_LIMITED) {
        char *m = noaber_arena_printf(r->arena, msg, r->retry_minutes > 0 ? r->retry_minutes : 15);
        return m ? m : msg;
    }
    return msg;
}

enum noaber_err
noaber_resp_error(struct noaber_req *r, enum noaber_err e)
{
    int status = noaber_err_status(e);
    if (e == NOABER_E_RATE_LIMITED) {
        char *after = noaber_arena_printf(r->arena, "%d",
                                          (r->retry_minutes > 0 ? r->retry_minutes : 15) * 60);
        if (after)
            noaber_resp_header(r, "Retry-After", after);
    }
    const char *msg = noaber_req_errmsg(r, e);
    if (r->is_api)
        return noaber_resp_json(
            r, status,
            json_pack("{s:{s:s,s:s}}", "error", "code", noaber_err_name(e), "message", msg));
    json_t *ctx = json_pack("{s:i,s:s,s:s}", "status", status, "message", msg, "title",
                            noaber_req_tr(r, status == 404   ? N_("Page not found")
                                             : status == 403 ? N_("Not allowed")
                                             : status >= 500 ? N_("Something went wrong")
                                                             : N_("That did not work")));
    if (noaber_resp_page(r, status, "errors/error", ctx) != NOABER_OK)
        noaber_resp_text(r, status, "text/plain; charset=utf-8", msg);
    return NOABER_OK;
}

void
noaber_resp_security_headers(struct noaber_req *r)
{
    noaber_resp_header(r, "Content-Security-Policy",
                       "default-src 'self'; script-src 'self'; style-src 'self'; "
                       "img-src 'self' data:; form-action 'self'; base-uri 'none'; "
                       "object-src 'none'; frame-ancestors 'none'");
    noaber_resp_header(r, "X-Content-Type-Options", "nosniff");
    noaber_resp_header(r, "Referrer-Policy", "same-origin");
    noaber_resp_header(r, "X-Frame-Options", "DENY");
    noaber_resp_header(r, "Permissions-Policy", "camera=(), microphone=(), geolocation=()");
    if (noaber_config_secure(r->config))
        noaber_resp_header(r, "Strict-Transport-Security", "max-age=31536000");
    if (r->actor.person_id)
        noaber_resp_header(r, "Cache-Control", "private, no-store");
}
