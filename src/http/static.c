/*
 * Static files (CSS, the little JavaScript there is, icons) served from the binary under
 * /static/. Each gets a strong ETag computed once at start, so a browser revalidates with
 * If-None-Match and gets 304. Paths are looked up exactly in the asset table: "..", "%2e" and
 * friends simply find nothing.
 */
#include "http/server.h"

#include "base/arena.h"
#include "base/assets.h"
#include "base/util.h"
#include "view/i18n.h"

#include <string.h>

static char (*etags)[20];

void
noaber_static_init(void)
{
    if (etags)
        return;
    etags = noaber_xcalloc(noaber_assets_count + 1, sizeof *etags);
    for (unsigned i = 0; i < noaber_assets_count; i++) {
        char hex[65];
        noaber_sha256_hex(hex, (const char *)noaber_assets[i].data, noaber_assets[i].size);
        snprintf(etags[i], sizeof etags[i], "\"%.16s\"", hex);
    }
}

static const char *
content_type(const char *path)
{
    static const char *const types[][2] = {
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".txt", "text/plain; charset=utf-8"},
        {".woff2", "font/woff2"},
        {".html", "text/html; charset=utf-8"},
    };
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i][0]) == 0)
            return types[i][1];
    return "application/octet-stream";
}

int
noaber_static_serve(struct noaber_req *r)
{
    if (!noaber_starts_with(r->path, "/static/"))
        return 0;
    char *name = noaber_arena_printf(r->arena, "static/%s", r->path + 8);
    const struct noaber_asset *a = name ? noaber_asset_find(name) : NULL;
    if (a && r->method != NOABER_GET && r->method != NOABER_HEAD)
        noaber_resp_header(r, "Allow", "GET, HEAD");
    if (!a || (r->method != NOABER_GET && r->method != NOABER_HEAD)) {
        r->lang = "nl";
        r->cat = noaber_i18n_catalog("nl");
        noaber_resp_error(r, a ? NOABER_E_METHOD : NOABER_E_NOT_FOUND);
        return 1;
    }
    const char *etag = etags ? etags[a - noaber_assets] : "\"0\"";
    noaber_resp_header(r, "ETag", etag);
    noaber_resp_header(r, "Cache-Control", "public, max-age=3600");
    if (r->if_none_match && strstr(r->if_none_match, etag)) {
        r->status = 304;
        return 1;
    }
    r->status = 200;
    r->content_type_out = content_type(a->path);
    noaber_buf_append(&r->out, (const char *)a->data, a->size);
    return 1;
}
