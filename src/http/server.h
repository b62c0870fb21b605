/*
 * Internal to src/http/: the pieces server.c joins. Not for modules.
 */
#ifndef NOABER_HTTP_SERVER_H
#define NOABER_HTTP_SERVER_H

#include "http/http.h"
#include "http/router.h"

#include <stdint.h>

/* The route tables of every module, NULL-terminated (routes.c). */
extern const struct noaber_route *const noaber_route_tables[];

/* Runs the request pipeline on a parsed request: identity, language, CSRF, route, authorise,
 * handler, error rendering (dispatch.c). */
void noaber_dispatch(struct noaber_req *r, const struct noaber_router *rt);

/* Static files compiled into the binary, with ETag (static.c). 1 if PATH was a static path. */
int noaber_static_serve(struct noaber_req *r);
void noaber_static_init(void);

/* Counters for /metrics (metrics.c). */
void noaber_metrics_request(int status, int64_t micros);
void noaber_metrics_connections(int delta);
void noaber_metrics_render(struct noaber_buf *out);

/* Security headers every answer carries (respond.c). */
void noaber_resp_security_headers(struct noaber_req *r);

#endif
