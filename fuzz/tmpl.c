/*
 * Fuzz target for the template engine (src/view/tmpl.c): parses the input as a template and, when
 * it parses, renders it against a small fixed context in Dutch and in the source language, into
 * an arena-capped buffer. The target carries its own table of embedded files (two partials, one
 * of them recursive, and a Dutch catalogue), so it links without the generated asset table:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I src fuzz/tmpl.c src/view/tmpl.c \
 *     src/view/i18n.c src/base/buf.c src/base/arena.c src/base/log.c src/base/util.c \
 *     $(pkg-config --cflags --libs jansson libsodium) -o fuzz-tmpl
 *   ./fuzz-tmpl -close_fd_mask=2 fuzz/corpus/tmpl
 * (close_fd_mask=2 silences the error log lines that refused templates write.)
 */
#include "base/arena.h"
#include "base/assets.h"
#include "base/buf.h"
#include "view/i18n.h"
#include "view/tmpl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ASSET(p, s)                                                                                \
    {                                                                                              \
        p, (const unsigned char *)s, sizeof s - 1                                                  \
    }
const struct noaber_asset noaber_assets[] = {
    ASSET("po/nl.po", "msgid \"\"\nmsgstr \"Language: nl\\nPlural-Forms: nplurals=2; "
                      "plural=(n != 1);\\n\"\n\nmsgid \"Hello {name}\"\nmsgstr \"Hallo {name}\"\n\n"
                      "msgid \"{n} item\"\nmsgid_plural \"{n} items\"\nmsgstr[0] \"{n} ding\"\n"
                      "msgstr[1] \"{n} dingen\"\n"),
    ASSET("templates/f/card.html", "<b>{{name}}</b>{{#items}}{{> f/card}}{{/items}}"),
    ASSET("templates/f/self.html", "{{> f/self}}"),
    {0, 0, 0},
};
const unsigned noaber_assets_count = 3;

static const char context[] =
    "{\"name\": \"<Ans & \\\"Bert\\\">\", \"n\": 3, \"one\": 1, \"r\": 2.5, \"t\": true, "
    "\"f\": false, \"z\": null, \"empty\": \"\", \"url\": \"javascript:alert(1)\", "
    "\"link\": \"/events?x=1&y=2\", \"html\": \"<p>hi</p>\", "
    "\"items\": [{\"name\": \"a\", \"items\": []}, {\"name\": \"b\", \"items\": [{\"name\": \"c\", "
    "\"items\": []}]}], "
    "\"user\": {\"name\": \"Els\", \"address\": {\"city\": \"Zwolle\"}}, \"list\": [1, \"two\", "
    "3.5]}";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static json_t *ctx;
    static const struct noaber_catalog *nl;
    if (!ctx) {
        ctx = json_loads(context, 0, NULL);
        if (!ctx || noaber_tmpl_init() != 0 || noaber_i18n_init() != 0)
            abort();
        nl = noaber_i18n_catalog("nl");
    }
    char err[256];
    struct noaber_tmpl *t = noaber_tmpl_parse("fuzz", (const char *)data, size, err, sizeof err);
    if (!t) {
        if (!memchr(err, ':', sizeof err)) /* every error names the template and line */
            abort();
        return 0;
    }
    for (int pass = 0; pass < 2; pass++) {
        struct noaber_arena *a = noaber_arena_new(1 << 20);
        struct noaber_buf b;
        noaber_buf_init(&b, a);
        enum noaber_err e = noaber_tmpl_exec(t, ctx, pass ? nl : NULL, &b);
        if (e == NOABER_OK && b.len && strlen(b.data) != b.len)
            abort(); /* the context holds no NUL, so neither may the page */
        noaber_arena_free(a);
    }
    noaber_tmpl_free(t);
    return 0;
}
