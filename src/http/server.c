/*
 * The libmicrohttpd daemon: epoll with a pool of worker threads, a per-request arena and body
 * buffer, limits on body size, connection count and idle time, and one access-log line per
 * request. MHD calls on_request several times per request (headers, body pieces, end); the
 * request is parsed and dispatched on the last call, and everything it allocated is freed in
 * on_completed.
 */
#include "http/server.h"

#include "base/arena.h"
#include "base/config.h"
#include "base/log.h"
#include "base/util.h"
#include "db/db.h"
#include "http/form.h"
#include "view/i18n.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>

#define ARENA_CAP ((size_t)32 * 1024 * 1024)
/* MHD's memory per connection, for the request line, headers and the answer's headers: 16 KiB
 * holds a browser's request with all its cookies, and a thousand open connections then take
 * 16 MiB (MHD's default took 128 KiB each). */
#define CONNECTION_MEMORY ((size_t)16 * 1024)

struct noaber_server {
    struct MHD_Daemon *daemon;
    const struct noaber_config *cfg;
    struct noaber_dbpool *pool;
    struct noaber_router *router;
    int port;
};

struct conn_state {
    struct noaber_arena *arena;
    struct noaber_buf body;
    int started; /* on_request has seen this request */
    int bad_uri; /* the raw URI holds an encoded NUL, which MHD's decoding would cut at */
    int too_large;
    int64_t started_us;
    /* What the access log needs once the answer is queued: the request's arena is freed then,
     * so that a thousand slow clients do not each hold a rendered page's worth of memory. */
    int answered, status;
    size_t bytes;
    char line[320]; /* "ip method path" */
};

static int64_t
now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static enum MHD_Result
collect(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    struct noaber_req *r = cls;
    struct noaber_kv *kv = noaber_arena_alloc(r->arena, sizeof *kv);
    if (!kv || !key)
        return MHD_YES;
    kv->name = noaber_arena_strdup(r->arena, key);
    kv->value = noaber_arena_strdup(r->arena, value ? value : "");
    kv->value_len = kv->value ? strlen(kv->value) : 0;
    if (!kv->name || !kv->value)
        return MHD_YES;
    struct noaber_kv **list = kind == MHD_GET_ARGUMENT_KIND ? &r->query : &r->cookies;
    kv->next = *list;
    *list = kv;
    return MHD_YES;
}

static const char *
client_ip(struct MHD_Connection *c, const struct noaber_config *cfg, struct noaber_arena *a)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char host[64] = "?";
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, host,
                      sizeof host);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, host,
                      sizeof host);
    }
    /* Believe X-Forwarded-For only from a proxy we were told to trust; take its last hop. */
    const char *xff = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-For");
    if (xff && noaber_config_trusts(cfg, host)) {
        const char *last = strrchr(xff, ',');
        char *v = noaber_arena_strdup(a, last ? last + 1 : xff);
        if (v && *noaber_trim(v) && strlen(v) < 64)
            return v;
    }
    return noaber_arena_strdup(a, host);
}

/* Fills the request from what MHD parsed, then parses the body by its type. */
static enum noaber_err
parse(struct noaber_server *s, struct MHD_Connection *c, const char *url, const char *method,
      struct conn_state *cs, struct noaber_req *r)
{
    r->arena = cs->arena;
    r->config = s->cfg;
    r->status = 200;
    noaber_buf_init(&r->out, r->arena);
    r->method = noaber_method_parse(method);
    r->path = noaber_arena_strdup(r->arena, url);
    r->client_ip = client_ip(c, s->cfg, r->arena);
    r->user_agent = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "User-Agent");
    r->content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    r->authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    r->accept_language = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept-Language");
    r->csrf_header = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
    r->if_none_match = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
    r->is_api = noaber_starts_with(url, "/api/");
    if (!r->path)
        return NOABER_E_TOO_LARGE;
    if (!noaber_utf8_valid(r->path, strlen(r->path)))
        return NOABER_E_BAD_ENCODING;
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect, r);
    const char *cookie = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Cookie");
    if (cookie && noaber_cookies_parse(r->arena, cookie, &r->cookies) != NOABER_OK)
        return NOABER_E_TOO_LARGE;
    for (struct noaber_kv *q = r->query; q; q = q->next)
        if (!noaber_utf8_valid(q->name, strlen(q->name)) ||
            !noaber_utf8_valid(q->value, q->value_len))
            return NOABER_E_BAD_ENCODING;
    for (struct noaber_kv *k = r->cookies; k; k = k->next)
        if (!noaber_utf8_valid(k->name, strlen(k->name)) ||
            !noaber_utf8_valid(k->value, k->value_len))
            return NOABER_E_BAD_ENCODING;
    if (cs->bad_uri)
        return NOABER_E_BAD_ENCODING;
    if (r->method == NOABER_METHOD__MAX)
        return NOABER_E_METHOD;
    if (cs->too_large)
        return NOABER_E_TOO_LARGE;
    r->body = noaber_buf_str(&cs->body);
    r->body_len = cs->body.len;
    if (!r->body_len)
        return NOABER_OK;
    const char *ct = r->content_type ? r->content_type : "";
    if (strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0)
        return noaber_form_urlencoded(r->arena, r->body, r->body_len, &r->form);
    if (strncasecmp(ct, "multipart/form-data", 19) == 0)
        return noaber_form_multipart(r->arena, ct, r->body, r->body_len, &r->form);
    if (strncasecmp(ct, "application/json", 16) == 0) {
        json_error_t jerr;
        r->json_body = 1;
        r->json = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &jerr);
        return r->json ? NOABER_OK : NOABER_E_BAD_JSON;
    }
    return NOABER_E_MEDIA_TYPE;
}

static enum MHD_Result
respond(struct MHD_Connection *c, struct noaber_req *r)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        r->out.len, r->out.data ? r->out.data : (char *)"", MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    for (struct noaber_kv *h = r->headers_out; h; h = h->next)
        MHD_add_response_header(resp, h->name, h->value);
    if (r->content_type_out)
        MHD_add_response_header(resp, "Content-Type", r->content_type_out);
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ok;
}

static struct conn_state *
new_state(void)
{
    struct conn_state *cs = noaber_xcalloc(1, sizeof *cs);
    cs->arena = noaber_arena_new(ARENA_CAP);
    noaber_buf_init(&cs->body, NULL);
    cs->started_us = now_us();
    return cs;
}

/* Called by MHD with the raw request URI before it decodes it: the one place where an encoded
 * NUL ("%00") is still visible. The state made here is the request's from now on. */
static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    struct conn_state *cs = new_state();
    for (const char *p = uri; p && (p = strchr(p, '%')); p++)
        if (p[1] == '0' && p[2] == '0')
            cs->bad_uri = 1;
    (void)cls, (void)c;
    return cs;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
           const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    struct noaber_server *s = cls;
    struct conn_state *cs = *con_cls;
    if (!cs->started) {
        cs->started = 1;
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > s->cfg->max_body)
            cs->too_large = 1;
        *con_cls = cs;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!cs->too_large && cs->body.len + *upload_size <= s->cfg->max_body)
            noaber_buf_append(&cs->body, upload, *upload_size);
        else
            cs->too_large = 1;
        *upload_size = 0;
        return MHD_YES;
    }
    struct noaber_req *r = noaber_arena_alloc(cs->arena, sizeof *r);
    if (!r)
        return MHD_NO;
    enum noaber_err e = parse(s, c, url, method, cs, r);
    r->db = noaber_dbpool_get(s->pool);
    if (e == NOABER_OK && !r->db)
        e = NOABER_E_UNAVAILABLE;
    if (e != NOABER_OK) {
        r->path = r->path ? r->path : "/";
        r->lang = "nl";
        r->cat = noaber_i18n_catalog("nl");
        noaber_resp_error(r, e);
    } else if (!noaber_static_serve(r)) {
        noaber_dispatch(r, s->router);
    }
    if (r->db)
        noaber_db_release(r->db);
    noaber_resp_security_headers(r);
    (void)version;
    enum MHD_Result ok = respond(c, r); /* MHD copies the body and headers */
    cs->answered = 1;
    cs->status = r->status;
    cs->bytes = r->out.len;
    snprintf(cs->line, sizeof cs->line, "%s %s %.240s", r->client_ip ? r->client_ip : "?",
             noaber_method_name(r->method), r->path ? r->path : "?");
    if (r->json)
        json_decref(r->json);
    noaber_buf_release(&cs->body);
    noaber_arena_free(cs->arena);
    cs->arena = NULL;
    return ok;
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
    struct conn_state *cs = *con_cls;
    if (!cs)
        return;
    int64_t us = now_us() - cs->started_us;
    noaber_metrics_request(cs->answered ? cs->status : 0, us);
    /* The access log never holds query strings: they may carry codes or tokens. */
    if (cs->answered)
        noaber_log_access("%s %d %zu %.1fms", cs->line, cs->status, cs->bytes, (double)us / 1000.0);
    else if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
        noaber_log_access("- - - aborted (%d)", (int)toe);
    noaber_buf_release(&cs->body);
    noaber_arena_free(cs->arena);
    free(cs);
    *con_cls = NULL;
    (void)cls;
    (void)c;
}

static void
on_connection(void *cls, struct MHD_Connection *c, void **socket_ctx,
              enum MHD_ConnectionNotificationCode code)
{
    noaber_metrics_connections(code == MHD_CONNECTION_NOTIFY_STARTED ? 1 : -1);
    (void)cls, (void)c, (void)socket_ctx;
}

static void
raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max > 65536 ? 65536 : rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            noaber_warn("cannot raise the open-files limit");
    }
}

static int
parse_listen(const char *listen, struct sockaddr_in *sa)
{
    char host[128];
    const char *colon = strrchr(listen, ':');
    if (!colon || (size_t)(colon - listen) >= sizeof host)
        return -1;
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    long port = strtol(colon + 1, NULL, 10);
    if (port < 0 || port > 65535)
        return -1;
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof host, "127.0.0.1");
    return inet_pton(AF_INET, *host ? host : "0.0.0.0", &sa->sin_addr) == 1 ? 0 : -1;
}

struct noaber_server *
noaber_server_start(const struct noaber_config *cfg, struct noaber_dbpool *pool)
{
    struct sockaddr_in sa;
    if (parse_listen(cfg->listen, &sa) != 0) {
        noaber_error("cannot understand listen address '%s' (want HOST:PORT)", cfg->listen);
        return NULL;
    }
    raise_nofile();
    noaber_static_init();
    struct noaber_server *s = noaber_xcalloc(1, sizeof *s);
    s->cfg = cfg;
    s->pool = pool;
    s->router = noaber_router_new(noaber_route_tables);
    s->daemon = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_TURBO, 0, NULL, NULL,
        on_request, s, MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)cfg->threads, MHD_OPTION_CONNECTION_LIMIT, (unsigned)4096,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->request_timeout,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)0, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)CONNECTION_MEMORY, MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_NOTIFY_CONNECTION, on_connection,
        s, MHD_OPTION_URI_LOG_CALLBACK, on_uri, s, MHD_OPTION_END);
    if (!s->daemon) {
        noaber_error("cannot listen on %s (in use, or not allowed?)", cfg->listen);
        noaber_router_free(s->router);
        free(s);
        return NULL;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : ntohs(sa.sin_port);
    return s;
}

void
noaber_server_stop(struct noaber_server *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->daemon);
    noaber_router_free(s->router);
    free(s);
}

int
noaber_server_port(const struct noaber_server *s)
{
    return s->port;
}
