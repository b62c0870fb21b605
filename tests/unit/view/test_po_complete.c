/*
 * Translation completeness: every msgid the code uses has a Dutch translation in po/nl.po, and
 * po/nl.po holds nothing that nothing uses any more. Reads the source tree named by
 * NOABER_SOURCE (so it sees the working tree, not the copy compiled in):
 *   .html under templates/   {{_ "…"}} and {{_n "…" "…" path}}, found with the template parser;
 *   .c and .h under src/     N_("…"), noaber_tr(x, "…"), noaber_trn(x, "…", "…", n) and
 *                            noaber_trp(x, "ctx", "…") with string literals (adjacent ones
 *                            joined).
 * scripts/po-update extracts with the same rules and adds what is missing; the problems found
 * are printed one per line, so the fix is to run it and translate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/buf.h"
#include "view/i18n.h"
#include "view/tmpl.h"

#include <ctype.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct use {
    char *ctx, *id, *plural;
    char where[256];
};

static struct use *uses;
static size_t nuses, capuses;
static const char *root;
static int problems;

static void
add_use(const char *ctx, const char *id, const char *plural, const char *file, unsigned line)
{
    if (nuses == capuses) {
        capuses = capuses ? 2 * capuses : 256;
        uses = noaber_xrealloc(uses, capuses * sizeof *uses);
    }
    struct use *u = &uses[nuses++];
    u->ctx = ctx ? noaber_xstrdup(ctx) : NULL;
    u->id = noaber_xstrdup(id);
    u->plural = plural ? noaber_xstrdup(plural) : NULL;
    snprintf(u->where, sizeof u->where, "%s:%u", file, line);
}

static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct noaber_buf b;
    noaber_buf_init(&b, NULL);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        noaber_buf_append(&b, chunk, n);
    fclose(f);
    noaber_buf_append(&b, "", 0);
    *len = b.len;
    return b.data;
}

static int
ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* ---- templates ---------------------------------------------------------------------------- */

struct tmpl_file {
    const char *rel;
};

static void
on_template_msgid(void *ud, const char *msgid, const char *plural, unsigned line)
{
    const struct tmpl_file *tf = ud;
    add_use(NULL, msgid, plural, tf->rel, line);
}

static int
visit_template(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (type != FTW_F || !ends_with(path, ".html"))
        return 0;
    const char *rel = path + strlen(root) + 1;
    size_t len;
    char *src = slurp(path, &len);
    assert_non_null(src);
    char err[512];
    struct noaber_tmpl *t = noaber_tmpl_parse(rel, src, len, err, sizeof err);
    if (!t) {
        fprintf(stderr, "template error: %s\n", err);
        problems++;
    } else {
        struct tmpl_file tf = {rel};
        noaber_tmpl_each_msgid(t, on_template_msgid, &tf);
        noaber_tmpl_free(t);
    }
    free(src);
    return 0;
}

/* ---- C sources ----------------------------------------------------------------------------- */

/* Reads one or more adjacent C string literals at *P into B; 0 if no literal is there. */
static int
c_literal(const char **p, unsigned *line, struct noaber_buf *b)
{
    const char *s = *p;
    int got = 0;
    noaber_buf_reset(b);
    noaber_buf_append(b, "", 0);
    for (;;) {
        while (isspace((unsigned char)*s))
            *line += *s++ == '\n';
        if (*s != '"')
            break;
        s++;
        while (*s && *s != '"' && *s != '\n') {
            char c = *s++;
            if (c == '\\' && *s) {
                c = *s++;
                c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
            }
            noaber_buf_putc(b, c);
        }
        if (*s != '"')
            return 0;
        s++;
        got = 1;
    }
    *p = s;
    return got;
}

/* Skips one argument up to and past its top-level comma. */
static int
skip_arg(const char **p, unsigned *line)
{
    int depth = 0;
    for (const char *s = *p; *s; s++) {
        if (*s == '\n')
            ++*line;
        else if (*s == '(')
            depth++;
        else if (*s == ')' && depth-- == 0)
            return 0;
        else if (*s == ',' && depth == 0) {
            *p = s + 1;
            return 1;
        } else if (*s == '"')
            return 0;
    }
    return 0;
}

static int
expect_comma(const char **p, unsigned *line)
{
    while (isspace((unsigned char)**p))
        *line += *(*p)++ == '\n';
    if (**p != ',')
        return 0;
    ++*p;
    return 1;
}

static void
scan_c(const char *rel, const char *src)
{
    static const char *const names[] = {"N_", "noaber_tr", "noaber_trn", "noaber_trp"};
    struct noaber_buf a, b;
    noaber_buf_init(&a, NULL);
    noaber_buf_init(&b, NULL);
    unsigned line = 1;
    for (const char *s = src; *s; s++) {
        if (*s == '\n') {
            line++;
            continue;
        }
        if (s > src && (isalnum((unsigned char)s[-1]) || s[-1] == '_'))
            continue;
        size_t k;
        for (k = 0; k < 4; k++) {
            size_t n = strlen(names[k]);
            if (strncmp(s, names[k], n) == 0 && !(isalnum((unsigned char)s[n]) || s[n] == '_'))
                break;
        }
        if (k == 4)
            continue;
        const char *p = s + strlen(names[k]);
        unsigned l = line, at = line;
        while (isspace((unsigned char)*p))
            l += *p++ == '\n';
        if (*p++ != '(')
            continue;
        if (k == 0) {
            if (c_literal(&p, &l, &a))
                add_use(NULL, a.data, NULL, rel, at);
            continue;
        }
        if (!skip_arg(&p, &l) || !c_literal(&p, &l, &a))
            continue;
        if (k == 1)
            add_use(NULL, a.data, NULL, rel, at);
        else if (expect_comma(&p, &l) && c_literal(&p, &l, &b))
            add_use(k == 3 ? a.data : NULL, k == 3 ? b.data : a.data, k == 2 ? b.data : NULL, rel,
                    at);
    }
    noaber_buf_release(&a);
    noaber_buf_release(&b);
}

static int
visit_source(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (type != FTW_F || !(ends_with(path, ".c") || ends_with(path, ".h")))
        return 0;
    size_t len;
    char *src = slurp(path, &len);
    assert_non_null(src);
    scan_c(path + strlen(root) + 1, src);
    free(src);
    return 0;
}

/* ---- the catalogue -------------------------------------------------------------------------- */

struct po_entry {
    const char *ctx, *id, *plural;
    const char *const *str;
    unsigned nstr;
    int used;
};

struct po_list {
    struct po_entry *e;
    size_t n, cap;
};

static void
on_entry(void *ud, const char *ctx, const char *msgid, const char *plural,
         const char *const *msgstr, unsigned nstr)
{
    struct po_list *l = ud;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 256;
        l->e = noaber_xrealloc(l->e, l->cap * sizeof *l->e);
    }
    l->e[l->n++] = (struct po_entry){ctx, msgid, plural, msgstr, nstr, 0};
}

static int
same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static struct noaber_catalog *
load_po(const char *name)
{
    char path[4096], err[256];
    snprintf(path, sizeof path, "%s/po/%s", root, name);
    size_t len;
    char *src = slurp(path, &len);
    if (!src)
        fail_msg("cannot read %s", path);
    struct noaber_catalog *cat = noaber_po_parse(src, len, err, sizeof err);
    free(src);
    if (!cat)
        fail_msg("po/%s: %s", name, err);
    return cat;
}

static void
test_nl_po_is_complete_and_current(void **state)
{
    (void)state;
    root = getenv("NOABER_SOURCE");
    if (!root)
        skip();
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/templates", root);
    assert_int_equal(nftw(dir, visit_template, 16, 0), 0);
    snprintf(dir, sizeof dir, "%s/src", root);
    assert_int_equal(nftw(dir, visit_source, 16, 0), 0);

    struct noaber_catalog *nl = load_po("nl.po");
    struct noaber_catalog *en = load_po("en.po"); /* must at least be valid */
    struct po_list l = {0};
    noaber_catalog_each(nl, on_entry, &l);

    for (size_t i = 0; i < nuses; i++) {
        const struct use *u = &uses[i];
        struct po_entry *e = NULL;
        for (size_t k = 0; k < l.n && !e; k++)
            if (same(l.e[k].ctx, u->ctx) && strcmp(l.e[k].id, u->id) == 0)
                e = &l.e[k];
        if (!e) {
            fprintf(stderr, "po/nl.po lacks msgid \"%s\"%s%s (used at %s)\n", u->id,
                    u->ctx ? " in context " : "", u->ctx ? u->ctx : "", u->where);
            problems++;
            continue;
        }
        if (!e->used) {
            for (unsigned k = 0; k < e->nstr; k++) {
                if (!e->str[k][0]) {
                    fprintf(stderr,
                            "po/nl.po has no translation for msgid \"%s\"%s%s (used at %s)\n",
                            u->id, u->ctx ? " in context " : "", u->ctx ? u->ctx : "", u->where);
                    problems++;
                    break;
                }
            }
        }
        if (!same(e->plural, u->plural)) {
            fprintf(stderr, "po/nl.po: msgid \"%s\" has msgid_plural \"%s\", %s uses \"%s\"\n",
                    u->id, e->plural ? e->plural : "(none)", u->where,
                    u->plural ? u->plural : "(none)");
            problems++;
        }
        e->used = 1;
    }
    for (size_t k = 0; k < l.n; k++) {
        if (!l.e[k].used) {
            fprintf(stderr,
                    "po/nl.po has obsolete msgid \"%s\"%s%s: nothing uses it any more; "
                    "delete it from po/nl.po and po/en.po\n",
                    l.e[k].id, l.e[k].ctx ? " in context " : "", l.e[k].ctx ? l.e[k].ctx : "");
            problems++;
        }
    }
    int found = problems;
    free(l.e);
    noaber_catalog_free(nl);
    noaber_catalog_free(en);
    for (size_t i = 0; i < nuses; i++) {
        free(uses[i].ctx);
        free(uses[i].id);
        free(uses[i].plural);
    }
    free(uses);
    if (found)
        fail_msg("%d translation problem(s), listed above; run scripts/po-update, then translate "
                 "the new entries in po/nl.po",
                 found);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nl_po_is_complete_and_current),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
