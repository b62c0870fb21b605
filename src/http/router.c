/*
 * Router (see router.h). Routes are few (tens to a few hundred); each is pre-split into segments
 * once, and a request is matched by walking the list and comparing segments, preferring the route
 * with the most literal segments so that the order of tables does not matter.
 */
#include "http/router.h"

#include "base/arena.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SEGS 12

struct compiled {
    const struct noaber_route *route;
    int nseg, literals;
    struct {
        const char *s;
        size_t len;
        int is_param;
    } seg[MAX_SEGS];
};

struct noaber_router {
    struct compiled *routes;
    size_t n;
};

static const char *const method_names[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"};

const char *
noaber_method_name(enum noaber_method m)
{
    return (unsigned)m < NOABER_METHOD__MAX ? method_names[m] : "?";
}

enum noaber_method
noaber_method_parse(const char *s)
{
    for (int i = 0; i < NOABER_METHOD__MAX; i++)
        if (strcmp(s, method_names[i]) == 0)
            return (enum noaber_method)i;
    return NOABER_METHOD__MAX;
}

/* Splits PATH into segments: "/a/b/" -> "a", "b" (a trailing slash is ignored). */
static int
split(const char *path, const char **segs, size_t *lens, int max)
{
    int n = 0;
    const char *p = path;
    while (*p == '/')
        p++;
    while (*p) {
        const char *e = strchr(p, '/');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (n == max)
            return -1;
        segs[n] = p;
        lens[n++] = len;
        p += len;
        while (*p == '/')
            p++;
    }
    return n;
}

struct noaber_router *
noaber_router_new(const struct noaber_route *const *tables)
{
    struct noaber_router *rt = noaber_xcalloc(1, sizeof *rt);
    size_t cap = 0;
    for (; *tables; tables++) {
        for (const struct noaber_route *r = *tables; r->pattern; r++) {
            if (rt->n == cap) {
                cap = cap ? cap * 2 : 64;
                rt->routes = noaber_xrealloc(rt->routes, cap * sizeof *rt->routes);
            }
            struct compiled *c = &rt->routes[rt->n++];
            memset(c, 0, sizeof *c);
            c->route = r;
            const char *segs[MAX_SEGS];
            size_t lens[MAX_SEGS];
            c->nseg = split(r->pattern, segs, lens, MAX_SEGS);
            for (int i = 0; i < c->nseg; i++) {
                c->seg[i].is_param = segs[i][0] == '{';
                c->seg[i].s = c->seg[i].is_param ? segs[i] + 1 : segs[i];
                c->seg[i].len = c->seg[i].is_param ? lens[i] - 2 : lens[i];
                c->literals += !c->seg[i].is_param;
            }
        }
    }
    return rt;
}

void
noaber_router_free(struct noaber_router *rt)
{
    if (!rt)
        return;
    free(rt->routes);
    free(rt);
}

static int
matches(const struct compiled *c, int n, const char **segs, const size_t *lens)
{
    if (c->nseg != n)
        return 0;
    for (int i = 0; i < n; i++) {
        if (c->seg[i].is_param)
            continue;
        if (c->seg[i].len != lens[i] || memcmp(c->seg[i].s, segs[i], lens[i]) != 0)
            return 0;
    }
    return 1;
}

enum noaber_match
noaber_router_match(const struct noaber_router *rt, enum noaber_method method, const char *path,
                    struct noaber_arena *arena, const struct noaber_route **route,
                    const char **names, const char **values)
{
    const char *segs[MAX_SEGS];
    size_t lens[MAX_SEGS];
    int n = split(path, segs, lens, MAX_SEGS);
    if (n < 0)
        return NOABER_MATCH_NONE;
    enum noaber_method want = method == NOABER_HEAD ? NOABER_GET : method;
    const struct compiled *best = NULL;
    int path_known = 0;
    for (size_t i = 0; i < rt->n; i++) {
        const struct compiled *c = &rt->routes[i];
        if (!matches(c, n, segs, lens))
            continue;
        path_known = 1;
        if (c->route->method == want && (!best || c->literals > best->literals))
            best = c;
    }
    if (!best)
        return path_known ? NOABER_MATCH_METHOD : NOABER_MATCH_NONE;
    int k = 0;
    for (int i = 0; i < n && k < NOABER_MAX_PARAMS; i++) {
        if (!best->seg[i].is_param)
            continue;
        names[k] = noaber_arena_strndup(arena, best->seg[i].s, best->seg[i].len);
        values[k] = noaber_arena_strndup(arena, segs[i], lens[i]);
        if (!names[k] || !values[k])
            return NOABER_MATCH_NONE;
        k++;
    }
    *route = best->route;
    return NOABER_MATCH_OK;
}

void
noaber_router_allowed(const struct noaber_router *rt, const char *path, char *out, size_t n)
{
    const char *segs[MAX_SEGS];
    size_t lens[MAX_SEGS];
    int nseg = split(path, segs, lens, MAX_SEGS), seen[NOABER_METHOD__MAX] = {0};
    for (size_t i = 0; nseg >= 0 && i < rt->n; i++)
        if (matches(&rt->routes[i], nseg, segs, lens))
            seen[rt->routes[i].route->method] = 1;
    seen[NOABER_HEAD] = seen[NOABER_GET];
    size_t k = 0;
    out[0] = '\0';
    for (int m = 0; m < NOABER_METHOD__MAX; m++)
        if (seen[m] && k < n)
            k += (size_t)snprintf(out + k, n - k, "%s%s", k ? ", " : "", method_names[m]);
}

size_t
noaber_router_count(const struct noaber_router *rt)
{
    return rt->n;
}

const struct noaber_route *
noaber_router_at(const struct noaber_router *rt, size_t i)
{
    return i < rt->n ? rt->routes[i].route : NULL;
}
