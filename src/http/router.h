/*
 * Router: matches a method and a decoded path against the joined route tables of every module.
 * Patterns are split on '/'; a segment is either literal or a {name} parameter that matches one
 * non-empty segment. Literal segments win over parameters, so "/n/new" beats "/n/{hood}".
 */
#ifndef NOABER_HTTP_ROUTER_H
#define NOABER_HTTP_ROUTER_H

#include "http/http.h"

struct noaber_router;

/* A router over the NULL-terminated list of route tables TABLES (each ends with a route whose
 * pattern is NULL). The tables must outlive the router. */
struct noaber_router *noaber_router_new(const struct noaber_route *const *tables);
void noaber_router_free(struct noaber_router *rt);

enum noaber_match { NOABER_MATCH_OK, NOABER_MATCH_NONE, NOABER_MATCH_METHOD };
/* Finds the route for METHOD and PATH; on a match fills names/values (up to
 * NOABER_MAX_PARAMS, values on ARENA) and *route. HEAD matches GET routes. */
enum noaber_match noaber_router_match(const struct noaber_router *rt, enum noaber_method method,
                                      const char *path, struct noaber_arena *arena,
                                      const struct noaber_route **route, const char **names,
                                      const char **values);
/* The methods routes allow on PATH, as "GET, HEAD, POST" in OUT (size N); "" when none. */
void noaber_router_allowed(const struct noaber_router *rt, const char *path, char *out, size_t n);
/* Every route, in table order, for the OpenAPI check and `noaber routes`. */
size_t noaber_router_count(const struct noaber_router *rt);
const struct noaber_route *noaber_router_at(const struct noaber_router *rt, size_t i);
const char *noaber_method_name(enum noaber_method m);
/* NOABER_METHOD__MAX when unknown. */
enum noaber_method noaber_method_parse(const char *s);

#endif
