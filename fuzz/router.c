/*
 * Fuzz target for the router (src/http/router.c) over the real route tables of every module
 * (noaber_route_tables, src/http/routes.c). The input's first byte picks the method (including
 * one that is not a method at all), the rest up to a NUL is the decoded path, as the server hands
 * it over. Checks what the router promises: a match is a route of the asked method (HEAD finding
 * GET routes), HEAD and GET match alike, parameter values are non-empty single segments, putting
 * the values back into the route's pattern matches the same route with the same values, and
 * "wrong method" is only answered when some route has that path. Built and run by fuzz/run;
 * seeds in fuzz/corpus/router/.
 */
#include "base/arena.h"
#include "base/buf.h"
#include "http/router.h"
#include "http/server.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static struct noaber_router *rt;

/* The pattern of ROUTE with {name} segments replaced by VALUES, on the arena. */
static const char *
fill(struct noaber_arena *a, const char *pattern, const char *const *values)
{
    struct noaber_buf b;
    noaber_buf_init(&b, a);
    int k = 0;
    for (const char *p = pattern; *p;) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            if (!close || k >= NOABER_MAX_PARAMS)
                abort();
            noaber_buf_puts(&b, values[k++]);
            p = close + 1;
        } else {
            noaber_buf_putc(&b, *p++);
        }
    }
    return noaber_buf_str(&b);
}

static int
param_count(const char *pattern)
{
    int n = 0;
    for (; *pattern; pattern++)
        n += *pattern == '{';
    return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!rt)
        rt = noaber_router_new(noaber_route_tables);
    if (size < 1)
        return 0;
    enum noaber_method m = (enum noaber_method)(data[0] % (NOABER_METHOD__MAX + 1));
    struct noaber_arena *a = noaber_arena_new(0);
    const char *path = noaber_arena_strndup(a, (const char *)data + 1, size - 1);
    const struct noaber_route *route = NULL, *route2 = NULL;
    const char *names[NOABER_MAX_PARAMS] = {0}, *values[NOABER_MAX_PARAMS] = {0};
    const char *names2[NOABER_MAX_PARAMS] = {0}, *values2[NOABER_MAX_PARAMS] = {0};
    enum noaber_match r = noaber_router_match(rt, m, path, a, &route, names, values);
    if (m == NOABER_HEAD || m == NOABER_GET) {
        enum noaber_method other = m == NOABER_HEAD ? NOABER_GET : NOABER_HEAD;
        const struct noaber_route *r3 = NULL;
        const char *n3[NOABER_MAX_PARAMS], *v3[NOABER_MAX_PARAMS];
        if (noaber_router_match(rt, other, path, a, &r3, n3, v3) != r || r3 != route)
            abort();
    }
    if (r == NOABER_MATCH_OK) {
        if (!route || route->method != (m == NOABER_HEAD ? NOABER_GET : m))
            abort();
        int np = param_count(route->pattern);
        for (int i = 0; i < np && i < NOABER_MAX_PARAMS; i++)
            if (!names[i] || !values[i] || !*values[i] || strchr(values[i], '/'))
                abort();
        const char *again = fill(a, route->pattern, values);
        if (noaber_router_match(rt, m, again, a, &route2, names2, values2) != NOABER_MATCH_OK ||
            route2 != route)
            abort();
        for (int i = 0; i < np && i < NOABER_MAX_PARAMS; i++)
            if (strcmp(values[i], values2[i]) != 0 || strcmp(names[i], names2[i]) != 0)
                abort();
    } else if (r == NOABER_MATCH_METHOD) {
        /* Some other method knows this path. */
        int known = 0;
        for (int o = 0; o < NOABER_METHOD__MAX && !known; o++)
            known = noaber_router_match(rt, (enum noaber_method)o, path, a, &route2, names2,
                                        values2) == NOABER_MATCH_OK;
        if (!known)
            abort();
    } else if (r != NOABER_MATCH_NONE) {
        abort();
    }
    noaber_arena_free(a);
    return 0;
}
