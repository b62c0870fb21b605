/*
 * The HTTP layer's face to handlers. A request is parsed by server.c into struct noaber_req (all
 * of it on the request's arena), routed by method and path pattern (router.c), authorised for the
 * route's action (members_can), and handed to the route's handler. A handler fills the response
 * through the helpers below and returns NOABER_OK, or returns an error code that this layer turns
 * into an error page in the person's language (or a JSON error under /api/).
 *
 * A handler reads: parse input (input.h) -> authorise -> call the module's operation -> render.
 */
#ifndef NOABER_HTTP_HTTP_H
#define NOABER_HTTP_HTTP_H

#include "base/buf.h"
#include "base/err.h"
#include "members/members.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct noaber_arena;
struct noaber_db;
struct noaber_config;
struct noaber_dbpool;
struct noaber_catalog;

enum noaber_method {
    NOABER_GET,
    NOABER_HEAD,
    NOABER_POST,
    NOABER_PUT,
    NOABER_PATCH,
    NOABER_DELETE,
    NOABER_METHOD__MAX
};

struct noaber_kv {
    const char *name, *value;
    size_t value_len;     /* bytes (an uploaded file may hold NUL bytes) */
    const char *filename; /* multipart file parts only */
    const char *content_type;
    struct noaber_kv *next;
};

#define NOABER_MAX_PARAMS 4

struct noaber_req {
    struct noaber_arena *arena;
    struct noaber_db *db; /* this worker thread's connection */
    const struct noaber_config *config;
    enum noaber_method method;
    const char *path; /* decoded path, without the query */
    const char *param_names[NOABER_MAX_PARAMS];
    const char *params[NOABER_MAX_PARAMS]; /* values of {name} segments in the route pattern */
    struct noaber_kv *query, *form, *cookies;
    const char *body; /* raw body (NUL-terminated), body_len bytes */
    size_t body_len;
    const char *content_type;
    const char *client_ip; /* X-Forwarded-For only from a trusted proxy */
    const char *user_agent;
    const char *authorization, *accept_language, *csrf_header, *if_none_match; /* headers */
    int is_api;    /* path under /api/: answer in JSON */
    int json_body; /* the body is application/json */
    json_t *json;  /* parsed JSON body (owned; freed with the request) */

    /* who is asking */
    struct members_actor actor; /* person_id 0 when anonymous */
    const char *session_token;  /* the raw cookie token, when logged in by cookie */
    int by_api_token;           /* authenticated with Authorization: Bearer */
    const char *csrf;           /* the token to put in forms */
    const char *lang;           /* "nl", "en", … */
    const struct noaber_catalog *cat;
    struct members_hood hood; /* the neighbourhood of a /n/{hood}/ route (id 0: none) */
    int retry_minutes;        /* for NOABER_E_RATE_LIMITED's message */
    const char *flash;        /* the notice to show on this page (a msgid) */

    /* the response */
    int status;
    struct noaber_buf out;
    const char *content_type_out;
    struct noaber_kv *headers_out;
};

typedef enum noaber_err (*noaber_handler)(struct noaber_req *r);

struct noaber_route {
    enum noaber_method method;
    const char *pattern; /* "/n/{hood}/members/{id}": literal segments and {name} parameters */
    noaber_handler handler;
    enum members_action action; /* checked before the handler runs; MEMBERS_A_PUBLIC for none */
};

/* --- request --------------------------------------------------------------------------------- */

/* A query or form value (first of that name), or NULL. */
const char *noaber_req_query(const struct noaber_req *r, const char *name);
const char *noaber_req_form(const struct noaber_req *r, const char *name);
const struct noaber_kv *noaber_req_file(const struct noaber_req *r, const char *name);
const char *noaber_req_cookie(const struct noaber_req *r, const char *name);
/* The value of the route parameter NAME, or NULL. */
const char *noaber_req_param(const struct noaber_req *r, const char *name);
/* Parses a route parameter as a positive integer id; 0 when it is not one. */
int64_t noaber_req_param_id(const struct noaber_req *r, const char *name);
/* The same for the query parameter NAME. */
int64_t noaber_req_query_id(const struct noaber_req *r, const char *name);
/* A translated string in the request's language. */
const char *noaber_req_tr(const struct noaber_req *r, const char *msgid);
/* The message of E in the request's language (with RATE_LIMITED's minutes filled in by caller). */
const char *noaber_req_errmsg(const struct noaber_req *r, enum noaber_err e);

/* --- response -------------------------------------------------------------------------------- */

void noaber_resp_header(struct noaber_req *r, const char *name, const char *value);
/* Sets a cookie: HttpOnly, SameSite=Lax, Path=/, Secure when public_url is https. MAX_AGE
 * seconds; 0 = a session cookie; -1 = delete. */
void noaber_resp_cookie(struct noaber_req *r, const char *name, const char *value, long max_age);
/* 303 See Other to URL (a path on this site). */
enum noaber_err noaber_resp_redirect(struct noaber_req *r, const char *url);
/* Renders templates/NAME.html with CTX inside the base layout, in the person's language, with
 * the layout's own context (who is logged in, the CSRF token, navigation, language) added under
 * "app". Takes the reference to CTX. */
enum noaber_err noaber_resp_page(struct noaber_req *r, int status, const char *name, json_t *ctx);
/* Answers with JSON (takes the reference to BODY). */
enum noaber_err noaber_resp_json(struct noaber_req *r, int status, json_t *body);
/* Plain text. */
enum noaber_err noaber_resp_text(struct noaber_req *r, int status, const char *content_type,
                                 const char *text);
/* Sets a one-time notice shown on the next page ("saved", "logged_out", …: a key from
 * the fixed list in pages.c; anything else is ignored). */
void noaber_resp_flash(struct noaber_req *r, const char *key);
/* Renders the error page or JSON error for E, with optional per-field errors (JSON only). */
enum noaber_err noaber_resp_error(struct noaber_req *r, enum noaber_err e);

/* --- server ---------------------------------------------------------------------------------- */

struct noaber_server;
/* Starts listening on cfg->listen with the given route tables. NULL on error (logged). */
struct noaber_server *noaber_server_start(const struct noaber_config *cfg,
                                          struct noaber_dbpool *pool);
/* Stops accepting, lets running requests finish, frees everything. */
void noaber_server_stop(struct noaber_server *s);
/* The port actually bound (useful with port 0). */
int noaber_server_port(const struct noaber_server *s);

#endif
