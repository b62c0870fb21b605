/*
 * HTML templates: a small Mustache-like language, compiled once into a flat node array and
 * rendered many times from a jansson context. Pages hand a template a context built for it,
 * never a store row. Every template under templates/ is compiled into the binary and parsed by
 * noaber_tmpl_init() at start; after that the registry is read-only and rendering is
 * thread-safe (each render keeps its state on the caller's stack and writes only to OUT).
 *
 * Syntax (white space inside a tag is allowed: `{{ name }}`):
 *   {{path}}            the value HTML-escaped (& < > " ' become entities). Strings as they are,
 *                       integers "%lld", reals "%g", true "true"; false, null, missing, arrays and
 *                       objects print nothing.
 *   {{raw_html path}}   the value unescaped. Only for HTML the view layer made itself (rendered
 *                       Markdown, a rendered body inside a layout).
 *   {{url path}}        for href and src: relative URLs (starting with /, ?, # or without a
 *                       scheme), http:, https:, mailto: and tel: pass; any other scheme (also
 *                       with leading spaces, control characters or mixed case) becomes "#";
 *                       then HTML-escaped.
 *   {{#path}}…{{/path}} section. Array: once per element, the element pushed as context, with
 *                       @index (0-based), @number (1-based), @first and @last. Object: once,
 *                       pushed. true, a non-empty string, a non-zero number: once, nothing
 *                       pushed. false, null, missing, [], "" and 0: not at all.
 *   {{^path}}…{{/path}} inverted section: rendered exactly when {{#path}} would render nothing.
 *                       Sections nest at most 64 deep within one template; {{/path}} must repeat
 *                       the opening path exactly.
 *   {{> dir/name}}      partial: templates/dir/name.html with the current context stack; at most
 *                       16 partials deep (deeper is an error at render time).
 *   {{_ "msgid"}}       msgid translated through the catalogue, then escaped. In the TRANSLATED
 *                       text, {name} or {a.b} is replaced by that context value, escaped.
 *   {{_n "one item" "{count} items" count}}
 *                       the plural form the catalogue's rule picks for the integer at path count.
 *   {{! comment }}      nothing.
 * Paths: name, a.b.c (an all-digit segment indexes an array), "." (the current item), @index,
 * @number, @first, @last (of the innermost array section). The first segment is looked up from
 * the innermost context outwards: the first object that has that key wins (Mustache rules).
 * Inside strings, \" \\ \n and \t are escapes. White space outside tags is kept as it is.
 * {{url}} and {{raw_html}} without a path are ordinary escaped values named "url"/"raw_html".
 * Triple mustaches ({{{x}}}) and {{&x}} do not exist: raw output has the one greppable tag.
 */
#ifndef NOABER_VIEW_TMPL_H
#define NOABER_VIEW_TMPL_H

#include "base/err.h"

#include <jansson.h>
#include <stddef.h>

struct noaber_buf;
struct noaber_catalog;
struct noaber_tmpl;

/* Partials may nest this deep; one more is NOABER_E_INTERNAL at render time. */
#define NOABER_TMPL_PARTIAL_DEPTH 16

/*
 * Parses every embedded .html file under templates/ into the registry; a template's name is its
 * path without "templates/" and ".html" ("members/login"). Also checks that every partial a
 * template names exists. Returns 0, or -1 after logging every error ("members/login:12: unclosed
 * section 'items'"); then the registry stays empty. Calling it again while initialised returns 0.
 * Not thread-safe: call once at start, before serving.
 */
int noaber_tmpl_init(void);
/* Frees the registry. Templates from noaber_tmpl_parse() stay valid. */
void noaber_tmpl_shutdown(void);
/* 1 if the registry has a template NAME, else 0. */
int noaber_tmpl_exists(const char *name);

/*
 * Renders template NAME with context CTX (NULL: an empty context) in catalogue CAT (NULL: the
 * source language, i.e. the msgids themselves) by appending to OUT. Returns NOABER_OK;
 * NOABER_E_NOT_FOUND if there is no template NAME or a partial it names is missing;
 * NOABER_E_TOO_LARGE if OUT could not grow (arena cap) or the render visited more than 4
 * million nodes (runaway nested loops); NOABER_E_INTERNAL if partials nest
 * deeper than NOABER_TMPL_PARTIAL_DEPTH or contexts deeper than the render stack (logged). On
 * an error OUT holds a partial page: the caller discards it.
 */
enum noaber_err noaber_tmpl_render(const char *name, json_t *ctx, const struct noaber_catalog *cat,
                                   struct noaber_buf *out);

/*
 * For tests and fuzzing: parses LEN bytes at SRC (need not be NUL-terminated) as a template
 * called NAME. Partials resolve at render time against the registry built by noaber_tmpl_init
 * (missing: NOABER_E_NOT_FOUND). Returns a template the caller frees with noaber_tmpl_free, or
 * NULL with "NAME:LINE: message" in ERR (size ERRN) on a parse error.
 */
struct noaber_tmpl *noaber_tmpl_parse(const char *name, const char *src, size_t len, char *err,
                                      size_t errn);
/* Renders T as noaber_tmpl_render does. */
enum noaber_err noaber_tmpl_exec(const struct noaber_tmpl *t, json_t *ctx,
                                 const struct noaber_catalog *cat, struct noaber_buf *out);
/* Frees T; NULL is allowed. Never pass a template from the registry. */
void noaber_tmpl_free(struct noaber_tmpl *t);

/*
 * Calls FN once for every {{_ }} and {{_n }} tag of T, in order: MSGID, PLURAL (NULL for {{_ }})
 * and the tag's line. The strings live as long as T. Used by the translation completeness test.
 */
void noaber_tmpl_each_msgid(const struct noaber_tmpl *t,
                            void (*fn)(void *ud, const char *msgid, const char *plural,
                                       unsigned line),
                            void *ud);

/*
 * 1 if the N bytes at URL may go into href or src: relative (no scheme before the first / ? or
 * #), or the scheme (case-insensitive, nothing else before the colon) is http, https, mailto or
 * tel. With DATA_IMAGES set, data:image/png, gif, jpeg and webp pass too (for <img src>).
 * Shared by {{url }} and the Markdown renderer.
 */
int noaber_url_allowed(const char *url, size_t n, int data_images);

#endif
