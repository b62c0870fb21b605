/*
 * The request pipeline after parsing: health and metrics, who is asking (API token or session
 * cookie), which language, the CSRF token for forms and its check on every unsafe method, the
 * route, the neighbourhood of a /n/{hood}/ route, the one authorisation check, the handler, and
 * turning an error code into an answer. An anonymous GET writes nothing to the database: no
 * session is made until someone logs in, and the anonymous CSRF token is stateless.
 */
#include "http/server.h"

#include "base/arena.h"
#include "base/config.h"
#include "base/util.h"
#include "db/db.h"
#include "http/form.h"
#include "view/i18n.h"

#include <stdlib.h>
#include <string.h>

#define SESSION_COOKIE "noaber_session"
#define NONCE_COOKIE   "noaber_nonce"
#define LANG_COOKIE    "noaber_lang"

static enum noaber_err
identify(struct noaber_req *r)
{
    if (r->authorization && strncmp(r->authorization, "Bearer ", 7) == 0) {
        r->by_api_token = 1;
        return members_token_find(r->db, r->authorization + 7, &r->actor, r->arena);
    }
    const char *token = noaber_req_cookie(r, SESSION_COOKIE);
    if (!token)
        return NOABER_OK;
    enum noaber_err e = members_session_find(r->db, r->config, token, &r->actor, r->arena);
    if (e == NOABER_E_UNAUTHENTICATED) {
        /* An expired or unknown session: drop the cookie and go on anonymously. */
        noaber_resp_cookie(r, SESSION_COOKIE, "", -1);
        memset(&r->actor, 0, sizeof r->actor);
        return NOABER_OK;
    }
    if (e == NOABER_OK)
        r->session_token = token;
    return e;
}

static void
choose_language(struct noaber_req *r)
{
    const char *want = r->actor.person_id ? r->actor.lang : noaber_req_cookie(r, LANG_COOKIE);
    const char *q = noaber_req_query(r, "lang");
    if (q && noaber_i18n_catalog(q))
        want = q;
    if (!want || !noaber_i18n_catalog(want))
        want = noaber_i18n_negotiate(r->accept_language, "nl");
    r->cat = noaber_i18n_catalog(want);
    r->lang = noaber_i18n_code(r->cat);
}

/* The token forms carry. Logged in: the session's own. Anonymous: an HMAC over a random nonce
 * that lives in a cookie, so no database row is needed before login. */
static void
prepare_csrf(struct noaber_req *r)
{
    if (r->actor.person_id) {
        r->csrf = r->actor.csrf;
        return;
    }
    const char *nonce = noaber_req_cookie(r, NONCE_COOKIE);
    if (!nonce || strlen(nonce) != 32) {
        char *fresh = noaber_arena_alloc(r->arena, 33);
        if (!fresh)
            return;
        noaber_random_hex(fresh, 16);
        noaber_resp_cookie(r, NONCE_COOKIE, fresh, 0);
        nonce = fresh;
    }
    char *tok = noaber_arena_alloc(r->arena, 160);
    if (tok)
        members_csrf_anon(nonce, tok);
    r->csrf = tok;
}

static int
csrf_ok(struct noaber_req *r)
{
    if (r->by_api_token)
        return 1; /* a bearer token is not sent by browsers on their own */
    /* A browser sends application/json across sites only after a CORS preflight, which we never
     * allow: a JSON body proves the request came from our own pages or a program. */
    if (r->is_api && r->json_body)
        return 1;
    const char *sent = r->csrf_header ? r->csrf_header : noaber_req_form(r, "csrf");
    if (!sent && r->json_body && json_is_object(r->json))
        sent = json_string_value(json_object_get(r->json, "csrf"));
    if (!sent)
        return 0;
    if (r->actor.person_id)
        return r->actor.csrf && noaber_streq_ct(sent, r->actor.csrf);
    const char *nonce = noaber_req_cookie(r, NONCE_COOKIE);
    return nonce && members_csrf_anon_ok(nonce, sent);
}

static enum noaber_err
builtin(struct noaber_req *r, int *handled)
{
    *handled = 1;
    if (strcmp(r->path, "/healthz") == 0) {
        int64_t one = 0;
        static const char *const ping = "SELECT 1";
        if (noaber_db_int(r->db, &one, NULL, ping, "") != NOABER_OK || one != 1)
            return noaber_resp_text(r, 503, "text/plain; charset=utf-8", "database unavailable\n");
        return noaber_resp_text(r, 200, "text/plain; charset=utf-8", "ok\n");
    }
    if (strcmp(r->path, "/metrics") == 0) {
        r->status = 200;
        r->content_type_out = "text/plain; version=0.0.4; charset=utf-8";
        noaber_metrics_render(&r->out);
        return NOABER_OK;
    }
    *handled = 0;
    return NOABER_OK;
}

/* Where the installation requires it, staff who see personal files must set up a second factor
 * before anything else: their own account pages and logging out stay open. */
static enum noaber_err
second_factor_ok(struct noaber_req *r)
{
    if (!r->actor.person_id || !r->actor.is_staff || r->actor.totp ||
        !r->config->require_staff_2fa || r->by_api_token)
        return NOABER_OK;
    if (noaber_starts_with(r->path, "/account/totp") || strcmp(r->path, "/logout") == 0 ||
        strcmp(r->path, "/language") == 0)
        return NOABER_OK;
    return NOABER_E_MFA_SETUP_REQUIRED;
}

static enum noaber_err
route(struct noaber_req *r, const struct noaber_router *rt)
{
    const struct noaber_route *route = NULL;
    switch (
        noaber_router_match(rt, r->method, r->path, r->arena, &route, r->param_names, r->params)) {
    case NOABER_MATCH_NONE:
        return NOABER_E_NOT_FOUND;
    case NOABER_MATCH_METHOD: {
        char allow[64];
        noaber_router_allowed(rt, r->path, allow, sizeof allow);
        noaber_resp_header(r, "Allow", allow);
        return NOABER_E_METHOD;
    }
    case NOABER_MATCH_OK:
        break;
    }
    if (r->method != NOABER_GET && r->method != NOABER_HEAD && !csrf_ok(r))
        return NOABER_E_CSRF;
    const char *slug = noaber_req_param(r, "hood");
    if (slug) {
        enum noaber_err e = members_hood_by_slug(r->db, &r->actor, slug, &r->hood, r->arena);
        if (e != NOABER_OK)
            return e;
    }
    enum noaber_err e = members_can(&r->actor, route->action, slug ? &r->hood : NULL);
    if (e == NOABER_OK)
        e = second_factor_ok(r);
    if (e != NOABER_OK)
        return e;
    return route->handler(r);
}

void
noaber_dispatch(struct noaber_req *r, const struct noaber_router *rt)
{
    int handled;
    enum noaber_err e = builtin(r, &handled);
    if (handled)
        return;
    e = identify(r);
    choose_language(r);
    if (e == NOABER_OK) {
        prepare_csrf(r);
        e = route(r, rt);
    }
    if (e == NOABER_OK)
        return;
    if (e == NOABER_E_MFA_SETUP_REQUIRED && !r->is_api && r->method == NOABER_GET) {
        noaber_resp_redirect(r, "/account/totp");
        return;
    }
    if (e == NOABER_E_UNAUTHENTICATED && !r->is_api && r->method == NOABER_GET) {
        struct noaber_buf b;
        noaber_buf_init(&b, r->arena);
        noaber_buf_puts(&b, "/login?next=");
        noaber_buf_urlenc(&b, r->path);
        noaber_resp_redirect(r, b.failed ? "/login" : noaber_buf_str(&b));
        return;
    }
    noaber_resp_error(r, e);
}

/* --- request accessors ---------------------------------------------------------------------- */

const char *
noaber_req_query(const struct noaber_req *r, const char *name)
{
    const struct noaber_kv *kv = noaber_kv_find(r->query, name);
    return kv ? kv->value : NULL;
}

const char *
noaber_req_form(const struct noaber_req *r, const char *name)
{
    const struct noaber_kv *kv = noaber_kv_find(r->form, name);
    return kv && !kv->filename ? kv->value : NULL;
}

const struct noaber_kv *
noaber_req_file(const struct noaber_req *r, const char *name)
{
    const struct noaber_kv *kv = noaber_kv_find(r->form, name);
    return kv && kv->filename ? kv : NULL;
}

const char *
noaber_req_cookie(const struct noaber_req *r, const char *name)
{
    const struct noaber_kv *kv = noaber_kv_find(r->cookies, name);
    return kv ? kv->value : NULL;
}

const char *
noaber_req_param(const struct noaber_req *r, const char *name)
{
    for (int i = 0; i < NOABER_MAX_PARAMS && r->param_names[i]; i++)
        if (strcmp(r->param_names[i], name) == 0)
            return r->params[i];
    return NULL;
}

/* V as a whole number written with up to 18 digits only; 0 otherwise. */
static int64_t
id_of(const char *v)
{
    if (!v || !*v || strlen(v) > 18)
        return 0;
    for (const char *p = v; *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    return strtoll(v, NULL, 10);
}

int64_t
noaber_req_param_id(const struct noaber_req *r, const char *name)
{
    return id_of(noaber_req_param(r, name));
}

int64_t
noaber_req_query_id(const struct noaber_req *r, const char *name)
{
    return id_of(noaber_req_query(r, name));
}

const char *
noaber_req_tr(const struct noaber_req *r, const char *msgid)
{
    return noaber_tr(r->cat, msgid);
}
