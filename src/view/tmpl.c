/*
 * The template engine (see tmpl.h for the language). A template is parsed once into a flat array
 * of nodes: text, value, section, partial, translation. A section node records the index just
 * past its body, so rendering walks the array with one loop per nesting level and never
 * allocates. Node strings point into the template's own copy of its source; string literals
 * ("msgid") are unescaped in place there, which is safe because unescaping never lengthens a
 * string and the tag has been read past when it happens.
 *
 * Rendering keeps a small stack of context frames on the caller's stack; lookups walk it from
 * the top (Mustache rules) with json_object_getn over the segments of the dotted path, so no
 * path is split or copied at render time. Output goes straight into the caller's buffer, escaped
 * run by run. The registry is a name-sorted array filled by noaber_tmpl_init() and read-only
 * afterwards, which is what makes concurrent rendering safe.
 */
#include "view/tmpl.h"

#include "base/arena.h"
#include "base/assets.h"
#include "base/buf.h"
#include "base/log.h"
#include "view/i18n.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NEST_MAX   64  /* sections open at once within one template */
#define FRAMES_MAX 128 /* context frames pushed at once during one render, partials included */
#define NAME_MAX_  200 /* longest partial name */
/* Nodes one render may visit. Nested sections over arrays multiply (64 levels over two-element
 * arrays would never end); a real page visits well under 100 000. */
#define VISITS_MAX 4000000UL

enum kind { K_TEXT, K_VAR, K_RAW, K_URL, K_SECTION, K_INVERTED, K_PARTIAL, K_TR, K_TRN };

struct node {
    unsigned char kind;
    unsigned line;
    size_t end;                        /* sections: index just past the body */
    const char *s;                     /* text, path, partial name, or msgid (NUL-terminated) */
    size_t n;                          /* length of s */
    const char *plural;                /* K_TRN: the plural msgid (NUL-terminated) */
    const char *cnt;                   /* K_TRN: the path of the count */
    size_t cntn;                       /* its length */
    const struct noaber_tmpl *partial; /* K_PARTIAL: resolved by init for registry templates */
};

struct noaber_tmpl {
    char *name;
    char *src; /* owned copy of the source; node strings point into it */
    struct node *nodes;
    size_t nnodes;
};

/* ------------------------------------------------------------------------------------------ */
/* Parsing                                                                                     */

struct parser {
    const char *name;
    char *s;
    size_t len, pos;
    unsigned line;
    struct node *nodes;
    size_t n, cap;
    size_t open[NEST_MAX];
    int depth;
    char *err;
    size_t errn;
};

static int fail(struct parser *p, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(struct parser *p, unsigned line, const char *fmt, ...)
{
    if (p->err && p->errn) {
        int k = snprintf(p->err, p->errn, "%s:%u: ", p->name, line);
        if (k >= 0 && (size_t)k < p->errn) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(p->err + k, p->errn - (size_t)k, fmt, ap);
            va_end(ap);
        }
    }
    return -1;
}

static struct node *
push_node(struct parser *p, enum kind kind, unsigned line)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 32;
        p->nodes = noaber_xrealloc(p->nodes, p->cap * sizeof *p->nodes);
    }
    struct node *nd = &p->nodes[p->n++];
    memset(nd, 0, sizeof *nd);
    nd->kind = (unsigned char)kind;
    nd->line = line;
    return nd;
}

/* The first "{{" or "}}" (C twice) in S[0..N), or NULL; memmem is a GNU extension. */
static const char *
find2(const char *s, size_t n, char c)
{
    for (const char *e = s + n; (s = memchr(s, c, (size_t)(e - s))) != NULL && s + 1 < e; s++)
        if (s[1] == c)
            return s;
    return NULL;
}

static int
is_word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.' || c == '@' || c == '/';
}

static int
is_seg_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

static int
word_is(const char *w, size_t n, const char *lit)
{
    return strlen(lit) == n && memcmp(w, lit, n) == 0;
}

/* A path is ".", one of the @ names, or dot-separated non-empty segments of [A-Za-z0-9_-]. */
static int
path_valid(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    if (n == 1 && s[0] == '.')
        return 1;
    if (s[0] == '@')
        return word_is(s, n, "@index") || word_is(s, n, "@number") || word_is(s, n, "@first") ||
               word_is(s, n, "@last");
    size_t seg = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.') {
            if (seg == 0)
                return 0;
            seg = 0;
        } else if (is_seg_char(s[i])) {
            seg++;
        } else {
            return 0;
        }
    }
    return seg > 0;
}

/* A partial name is like "dir/name": segments of [A-Za-z0-9_.-] between single slashes. */
static int
partial_name_valid(const char *s, size_t n)
{
    if (n == 0 || n > NAME_MAX_ || s[0] == '/' || s[n - 1] == '/')
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '@' || (s[i] == '/' && i + 1 < n && s[i + 1] == '/'))
            return 0;
        if (s[i] == '.' && i + 1 < n && s[i + 1] == '.')
            return 0;
    }
    return 1;
}

static void
skip_ws(struct parser *p)
{
    while (p->pos < p->len) {
        char c = p->s[p->pos];
        if (c == '\n')
            p->line++;
        else if (c != ' ' && c != '\t' && c != '\r')
            break;
        p->pos++;
    }
}

static void
read_word(struct parser *p, const char **w, size_t *n)
{
    *w = p->s + p->pos;
    while (p->pos < p->len && is_word_char(p->s[p->pos]))
        p->pos++;
    *n = (size_t)(p->s + p->pos - *w);
}

static int
expect_close(struct parser *p, unsigned line, const char *what)
{
    skip_ws(p);
    if (p->pos + 1 < p->len && p->s[p->pos] == '}' && p->s[p->pos + 1] == '}') {
        p->pos += 2;
        return 0;
    }
    if (!find2(p->s + p->pos, p->len - p->pos, '}'))
        return fail(p, line, "unterminated tag (no }} after %s)", what);
    return fail(p, line, "unexpected '%c' in %s tag (expected }})", p->s[p->pos], what);
}

/* Reads "…" at the current position, unescaping it in place; *OUT is NUL-terminated. */
static int
read_string(struct parser *p, unsigned line, const char **out)
{
    skip_ws(p);
    if (p->pos >= p->len || p->s[p->pos] != '"')
        return fail(p, line, "expected a string in double quotes");
    char *w = p->s + p->pos, *start = w;
    size_t r = p->pos + 1;
    for (;;) {
        if (r >= p->len || p->s[r] == '\n')
            return fail(p, line, "unterminated string");
        char c = p->s[r++];
        if (c == '"')
            break;
        if (c == '\\') {
            if (r >= p->len)
                return fail(p, line, "unterminated string");
            switch (p->s[r++]) {
            case '"':
                c = '"';
                break;
            case '\\':
                c = '\\';
                break;
            case 'n':
                c = '\n';
                break;
            case 't':
                c = '\t';
                break;
            default:
                return fail(p, line, "unknown escape '\\%c' in string", p->s[r - 1]);
            }
        }
        *w++ = c;
    }
    *w = '\0';
    p->pos = r;
    *out = start;
    return 0;
}

static int
read_path(struct parser *p, unsigned line, const char *what, const char **w, size_t *n)
{
    skip_ws(p);
    read_word(p, w, n);
    if (*n == 0)
        return fail(p, line, "%s needs a path", what);
    if (!path_valid(*w, *n))
        return fail(p, line, "'%.*s' is not a valid path", (int)(*n > 60 ? 60 : *n), *w);
    return 0;
}

static int
parse_section_open(struct parser *p, unsigned line, enum kind kind)
{
    const char *w;
    size_t n;
    if (read_path(p, line, kind == K_SECTION ? "{{#" : "{{^", &w, &n) ||
        expect_close(p, line, "section"))
        return -1;
    if (p->depth == NEST_MAX)
        return fail(p, line, "sections nested deeper than %d", NEST_MAX);
    struct node *nd = push_node(p, kind, line);
    nd->s = w;
    nd->n = n;
    p->open[p->depth++] = p->n - 1;
    return 0;
}

static int
parse_section_close(struct parser *p, unsigned line)
{
    const char *w;
    size_t n;
    if (read_path(p, line, "{{/", &w, &n) || expect_close(p, line, "closing"))
        return -1;
    if (p->depth == 0)
        return fail(p, line, "closing '%.*s' without an open section", (int)(n > 60 ? 60 : n), w);
    struct node *open = &p->nodes[p->open[p->depth - 1]];
    if (open->n != n || memcmp(open->s, w, n) != 0)
        return fail(p, line, "'%.*s' closes '%.*s' opened on line %u", (int)(n > 60 ? 60 : n), w,
                    (int)(open->n > 60 ? 60 : open->n), open->s, open->line);
    open->end = p->n;
    p->depth--;
    return 0;
}

static int
parse_word_tag(struct parser *p, unsigned line)
{
    const char *w;
    size_t n;
    read_word(p, &w, &n);
    if (n == 0) {
        if (p->pos >= p->len)
            return fail(p, line, "unterminated tag");
        if (p->s[p->pos] == '}')
            return fail(p, line, "empty tag");
        return fail(p, line, "unknown tag form starting with '%c'", p->s[p->pos]);
    }
    if (word_is(w, n, "_")) {
        const char *msgid;
        if (read_string(p, line, &msgid) || expect_close(p, line, "{{_"))
            return -1;
        struct node *nd = push_node(p, K_TR, line);
        nd->s = msgid;
        nd->n = strlen(msgid);
        return 0;
    }
    if (word_is(w, n, "_n")) {
        const char *one, *many, *cnt;
        size_t cntn;
        if (read_string(p, line, &one) || read_string(p, line, &many) ||
            read_path(p, line, "{{_n", &cnt, &cntn) || expect_close(p, line, "{{_n"))
            return -1;
        struct node *nd = push_node(p, K_TRN, line);
        nd->s = one;
        nd->n = strlen(one);
        nd->plural = many;
        nd->cnt = cnt;
        nd->cntn = cntn;
        return 0;
    }
    enum kind kind = K_VAR;
    const char *what = "value";
    if (word_is(w, n, "raw_html")) {
        kind = K_RAW;
        what = "raw_html";
    } else if (word_is(w, n, "url")) {
        kind = K_URL;
        what = "url";
    }
    if (kind != K_VAR) {
        /* {{url}} and {{raw_html}} alone are plain, escaped values with those names. */
        size_t save = p->pos;
        unsigned save_line = p->line;
        skip_ws(p);
        int alone = p->pos + 1 < p->len && p->s[p->pos] == '}' && p->s[p->pos + 1] == '}';
        p->pos = save;
        p->line = save_line;
        if (alone)
            kind = K_VAR, what = "value";
        else if (read_path(p, line, what, &w, &n))
            return -1;
    }
    if (kind == K_VAR && !path_valid(w, n))
        return fail(p, line, "'%.*s' is not a valid path", (int)(n > 60 ? 60 : n), w);
    if (expect_close(p, line, what))
        return -1;
    struct node *nd = push_node(p, kind, line);
    nd->s = w;
    nd->n = n;
    return 0;
}

/* Parses one tag; p->pos is just past its "{{". */
static int
parse_tag(struct parser *p)
{
    unsigned line = p->line;
    skip_ws(p);
    if (p->pos >= p->len)
        return fail(p, line, "unterminated tag");
    switch (p->s[p->pos]) {
    case '!': {
        const char *end = find2(p->s + p->pos, p->len - p->pos, '}');
        if (!end)
            return fail(p, line, "unterminated comment");
        for (const char *c = p->s + p->pos; c < end; c++)
            p->line += *c == '\n';
        p->pos = (size_t)(end - p->s) + 2;
        return 0;
    }
    case '{':
    case '&':
        return fail(p, line, "{{%c does not exist; raw output is {{raw_html path}}", p->s[p->pos]);
    case '#':
        p->pos++;
        return parse_section_open(p, line, K_SECTION);
    case '^':
        p->pos++;
        return parse_section_open(p, line, K_INVERTED);
    case '/':
        p->pos++;
        return parse_section_close(p, line);
    case '>': {
        const char *w;
        size_t n;
        p->pos++;
        skip_ws(p);
        read_word(p, &w, &n);
        if (!partial_name_valid(w, n))
            return fail(p, line, "{{> needs a template name like dir/name");
        if (expect_close(p, line, "partial"))
            return -1;
        struct node *nd = push_node(p, K_PARTIAL, line);
        nd->s = w;
        nd->n = n;
        return 0;
    }
    default:
        return parse_word_tag(p, line);
    }
}

static void
add_text(struct parser *p, size_t from, size_t to)
{
    if (to > from) {
        struct node *nd = push_node(p, K_TEXT, p->line);
        nd->s = p->s + from;
        nd->n = to - from;
    }
    for (size_t i = from; i < to; i++)
        p->line += p->s[i] == '\n';
}

struct noaber_tmpl *
noaber_tmpl_parse(const char *name, const char *src, size_t len, char *err, size_t errn)
{
    struct parser p = {.name = name, .len = len, .line = 1, .err = err, .errn = errn};
    if (err && errn)
        err[0] = '\0';
    p.s = noaber_xmalloc(len + 1);
    memcpy(p.s, src, len);
    p.s[len] = '\0';
    int rc = 0;
    if (memchr(p.s, '\0', len))
        rc = fail(&p, 1, "template contains a NUL byte");
    while (rc == 0 && p.pos < p.len) {
        const char *tag = find2(p.s + p.pos, p.len - p.pos, '{');
        size_t at = tag ? (size_t)(tag - p.s) : p.len;
        add_text(&p, p.pos, at);
        if (!tag)
            break;
        p.pos = at + 2;
        rc = parse_tag(&p);
    }
    if (rc == 0 && p.depth > 0) {
        const struct node *open = &p.nodes[p.open[p.depth - 1]];
        rc = fail(&p, open->line, "unclosed section '%.*s'", (int)(open->n > 60 ? 60 : open->n),
                  open->s);
    }
    if (rc != 0) {
        free(p.nodes);
        free(p.s);
        return NULL;
    }
    struct noaber_tmpl *t = noaber_xcalloc(1, sizeof *t);
    t->name = noaber_xstrdup(name);
    t->src = p.s;
    t->nodes = p.nodes;
    t->nnodes = p.n;
    return t;
}

void
noaber_tmpl_free(struct noaber_tmpl *t)
{
    if (!t)
        return;
    free(t->name);
    free(t->src);
    free(t->nodes);
    free(t);
}

void
noaber_tmpl_each_msgid(const struct noaber_tmpl *t,
                       void (*fn)(void *ud, const char *msgid, const char *plural, unsigned line),
                       void *ud)
{
    for (size_t i = 0; i < t->nnodes; i++) {
        const struct node *nd = &t->nodes[i];
        if (nd->kind == K_TR || nd->kind == K_TRN)
            fn(ud, nd->s, nd->kind == K_TRN ? nd->plural : NULL, nd->line);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* The registry                                                                                */

static struct noaber_tmpl **reg;
static size_t nreg;

static int
cmp_name(const char *s, size_t n, const char *name)
{
    size_t m = strlen(name);
    int c = memcmp(s, name, n < m ? n : m);
    if (c)
        return c;
    return n < m ? -1 : n > m;
}

static const struct noaber_tmpl *
reg_find(const char *s, size_t n)
{
    size_t lo = 0, hi = nreg;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_name(s, n, reg[mid]->name);
        if (c == 0)
            return reg[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

static int
cmp_tmpl(const void *a, const void *b)
{
    const struct noaber_tmpl *const *x = a, *const *y = b;
    return strcmp((*x)->name, (*y)->name);
}

void
noaber_tmpl_shutdown(void)
{
    for (size_t i = 0; i < nreg; i++)
        noaber_tmpl_free(reg[i]);
    free(reg);
    reg = NULL;
    nreg = 0;
}

/* Points every partial node at its template, so that rendering need not search. */
static int
link_partials(void)
{
    int rc = 0;
    for (size_t i = 0; i < nreg; i++) {
        for (size_t j = 0; j < reg[i]->nnodes; j++) {
            struct node *nd = &reg[i]->nodes[j];
            if (nd->kind != K_PARTIAL)
                continue;
            nd->partial = reg_find(nd->s, nd->n);
            if (!nd->partial) {
                noaber_error("template %s:%u: partial '%.*s' does not exist", reg[i]->name,
                             nd->line, (int)nd->n, nd->s);
                rc = -1;
            }
        }
    }
    return rc;
}

int
noaber_tmpl_init(void)
{
    static const char prefix[] = "templates/", suffix[] = ".html";
    const size_t pl = sizeof prefix - 1, sl = sizeof suffix - 1;
    if (reg)
        return 0;
    reg = noaber_xcalloc(noaber_assets_count + 1, sizeof *reg);
    int rc = 0;
    for (unsigned i = 0; i < noaber_assets_count; i++) {
        const struct noaber_asset *a = &noaber_assets[i];
        size_t n = strlen(a->path);
        if (n <= pl + sl || strncmp(a->path, prefix, pl) != 0 ||
            strcmp(a->path + n - sl, suffix) != 0)
            continue;
        char name[512], err[512];
        snprintf(name, sizeof name, "%.*s", (int)(n - pl - sl), a->path + pl);
        struct noaber_tmpl *t =
            noaber_tmpl_parse(name, (const char *)a->data, a->size, err, sizeof err);
        if (!t) {
            noaber_error("template %s", err);
            rc = -1;
            continue;
        }
        reg[nreg++] = t;
    }
    qsort(reg, nreg, sizeof *reg, cmp_tmpl);
    if (rc == 0)
        rc = link_partials();
    if (rc != 0) {
        noaber_tmpl_shutdown();
        return -1;
    }
    return 0;
}

int
noaber_tmpl_exists(const char *name)
{
    return name && reg_find(name, strlen(name)) != NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* URLs                                                                                        */

static int
eq_ci(const char *s, size_t n, const char *lit)
{
    if (strlen(lit) != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != lit[i])
            return 0;
    }
    return 1;
}

int
noaber_url_allowed(const char *url, size_t n, int data_images)
{
    static const char *const schemes[] = {"http", "https", "mailto", "tel"};
    static const char *const images[] = {"image/png", "image/gif", "image/jpeg", "image/webp"};
    size_t i = 0;
    /* The scheme is whatever precedes the first colon, unless a / ? or # comes first (then the
     * colon is part of a path, query or fragment of a relative URL). Whitelisting the exact
     * scheme refuses " javascript:", "java\tscript:" and "\x01javascript:" all at once. */
    while (i < n && url[i] != ':') {
        if (url[i] == '/' || url[i] == '?' || url[i] == '#')
            return 1;
        i++;
    }
    if (i == n)
        return 1;
    for (size_t k = 0; k < sizeof schemes / sizeof *schemes; k++)
        if (eq_ci(url, i, schemes[k]))
            return 1;
    if (data_images && eq_ci(url, i, "data")) {
        const char *rest = url + i + 1;
        size_t rn = n - i - 1;
        for (size_t k = 0; k < sizeof images / sizeof *images; k++) {
            size_t il = strlen(images[k]);
            if (rn > il && eq_ci(rest, il, images[k]) && (rest[il] == ';' || rest[il] == ','))
                return 1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Rendering                                                                                   */

struct frame {
    json_t *v;
    size_t idx, count; /* position in the array being iterated, when loop */
    int loop;
};

struct render {
    struct frame st[FRAMES_MAX];
    int sp;
    int depth; /* partials entered */
    unsigned long visits;
    const struct noaber_catalog *cat;
    struct noaber_buf *out;
};

enum vkind { V_NONE, V_JSON, V_INT, V_BOOL };

struct val {
    enum vkind k;
    json_t *j;
    long long i;
};

/* Appends N bytes at S with & < > " ' as entities (noaber_buf_html for a counted range). */
static void
esc(struct noaber_buf *b, const char *s, size_t n)
{
    const char *run = s, *end = s + n;
    for (; s < end; s++) {
        const char *rep;
        size_t rn;
        switch (*s) {
        case '&':
            rep = "&amp;", rn = 5;
            break;
        case '<':
            rep = "&lt;", rn = 4;
            break;
        case '>':
            rep = "&gt;", rn = 4;
            break;
        case '"':
            rep = "&quot;", rn = 6;
            break;
        case '\'':
            rep = "&#39;", rn = 5;
            break;
        default:
            continue;
        }
        noaber_buf_append(b, run, (size_t)(s - run));
        noaber_buf_append(b, rep, rn);
        run = s + 1;
    }
    noaber_buf_append(b, run, (size_t)(s - run));
}

static struct val
lookup_at(json_t *v, const char *s, size_t n)
{
    struct val r = {V_NONE, NULL, 0};
    /* s[0..n) is the rest of the path after the first segment, starting with '.' or empty */
    while (v && n > 0) {
        s++, n--;
        const char *dot = memchr(s, '.', n);
        size_t seg = dot ? (size_t)(dot - s) : n;
        if (json_is_object(v)) {
            v = json_object_getn(v, s, seg);
        } else if (json_is_array(v) && seg > 0 && seg < 10) {
            size_t idx = 0, k;
            for (k = 0; k < seg && s[k] >= '0' && s[k] <= '9'; k++)
                idx = idx * 10 + (size_t)(s[k] - '0');
            v = k == seg ? json_array_get(v, idx) : NULL;
        } else {
            v = NULL;
        }
        s += seg, n -= seg;
    }
    if (v) {
        r.k = V_JSON;
        r.j = v;
    }
    return r;
}

static struct val
lookup(const struct render *r, const char *s, size_t n)
{
    struct val v = {V_NONE, NULL, 0};
    if (n == 1 && s[0] == '.') {
        if (r->sp > 0) {
            v.k = V_JSON;
            v.j = r->st[r->sp - 1].v;
        }
        return v;
    }
    if (s[0] == '@') {
        for (int f = r->sp - 1; f >= 0; f--) {
            const struct frame *fr = &r->st[f];
            if (!fr->loop)
                continue;
            if (word_is(s, n, "@index"))
                v.k = V_INT, v.i = (long long)fr->idx;
            else if (word_is(s, n, "@number"))
                v.k = V_INT, v.i = (long long)fr->idx + 1;
            else if (word_is(s, n, "@first"))
                v.k = V_BOOL, v.i = fr->idx == 0;
            else
                v.k = V_BOOL, v.i = fr->idx + 1 == fr->count;
            break;
        }
        return v;
    }
    const char *dot = memchr(s, '.', n);
    size_t first = dot ? (size_t)(dot - s) : n;
    for (int f = r->sp - 1; f >= 0; f--) {
        json_t *o = r->st[f].v;
        if (!json_is_object(o))
            continue;
        json_t *hit = json_object_getn(o, s, first);
        if (hit)
            return lookup_at(hit, s + first, n - first);
    }
    return v;
}

static int
truthy(const struct val *v)
{
    switch (v->k) {
    case V_NONE:
        return 0;
    case V_INT:
    case V_BOOL:
        return v->i != 0;
    case V_JSON:
        break;
    }
    switch (json_typeof(v->j)) {
    case JSON_OBJECT:
        return 1;
    case JSON_ARRAY:
        return json_array_size(v->j) > 0;
    case JSON_STRING:
        return json_string_length(v->j) > 0;
    case JSON_INTEGER:
        return json_integer_value(v->j) != 0;
    case JSON_REAL:
        return json_real_value(v->j) != 0.0;
    case JSON_TRUE:
        return 1;
    case JSON_FALSE:
    case JSON_NULL:
        return 0;
    }
    return 0;
}

/* The text of a scalar value: a pointer into the JSON string or into TMP. */
static const char *
val_text(const struct val *v, char *tmp, size_t tmpn, size_t *n)
{
    *n = 0;
    if (v->k == V_INT || (v->k == V_JSON && json_is_integer(v->j))) {
        long long i = v->k == V_INT ? v->i : (long long)json_integer_value(v->j);
        int k = snprintf(tmp, tmpn, "%lld", i);
        *n = k > 0 ? (size_t)k : 0;
        return tmp;
    }
    if ((v->k == V_BOOL && v->i) || (v->k == V_JSON && json_is_true(v->j))) {
        *n = 4;
        return "true";
    }
    if (v->k != V_JSON)
        return "";
    if (json_is_string(v->j)) {
        *n = json_string_length(v->j);
        return json_string_value(v->j);
    }
    if (json_is_real(v->j)) {
        int k = snprintf(tmp, tmpn, "%g", json_real_value(v->j));
        *n = k > 0 ? (size_t)k : 0;
        return tmp;
    }
    return "";
}

static void
emit(struct render *r, const struct val *v, enum kind mode)
{
    char tmp[64];
    size_t n;
    const char *s = val_text(v, tmp, sizeof tmp, &n);
    if (mode == K_RAW)
        noaber_buf_append(r->out, s, n);
    else if (mode == K_URL && !noaber_url_allowed(s, n, 0))
        noaber_buf_putc(r->out, '#');
    else
        esc(r->out, s, n);
}

/* Writes a translated string, escaped, with {path} placeholders filled from the context. */
static void
fill(struct render *r, const char *s)
{
    for (;;) {
        const char *open = strchr(s, '{');
        if (!open) {
            esc(r->out, s, strlen(s));
            return;
        }
        const char *close = strchr(open + 1, '}');
        esc(r->out, s, (size_t)(open - s));
        if (close && path_valid(open + 1, (size_t)(close - open - 1))) {
            struct val v = lookup(r, open + 1, (size_t)(close - open - 1));
            emit(r, &v, K_VAR);
            s = close + 1;
        } else {
            noaber_buf_putc(r->out, '{');
            s = open + 1;
        }
    }
}

static long
count_of(const struct val *v)
{
    long long n = 0;
    if (v->k == V_INT)
        n = v->i;
    else if (v->k == V_JSON && json_is_integer(v->j))
        n = (long long)json_integer_value(v->j);
    else if (v->k == V_JSON && json_is_real(v->j)) {
        double d = json_real_value(v->j);
        n = d > 1e15 || d < -1e15 ? 0 : (long long)d;
    }
    if (n < 0)
        n = n == LLONG_MIN ? LLONG_MAX : -n;
    return n > LONG_MAX ? LONG_MAX : (long)n;
}

static enum noaber_err run(struct render *r, const struct noaber_tmpl *t, size_t from, size_t to);

static enum noaber_err
push(struct render *r, const struct noaber_tmpl *t, const struct node *nd, json_t *v)
{
    if (r->sp == FRAMES_MAX) {
        noaber_error("template %s:%u: contexts nested deeper than %d", t->name, nd->line,
                     FRAMES_MAX);
        return NOABER_E_INTERNAL;
    }
    r->st[r->sp++] = (struct frame){.v = v};
    return NOABER_OK;
}

static enum noaber_err
section(struct render *r, const struct noaber_tmpl *t, size_t i)
{
    const struct node *nd = &t->nodes[i];
    struct val v = lookup(r, nd->s, nd->n);
    enum noaber_err err = NOABER_OK;
    if (nd->kind == K_INVERTED)
        return truthy(&v) ? NOABER_OK : run(r, t, i + 1, nd->end);
    if (!truthy(&v))
        return NOABER_OK;
    if (v.k == V_JSON && json_is_array(v.j)) {
        size_t count = json_array_size(v.j);
        for (size_t k = 0; k < count && err == NOABER_OK; k++) {
            err = push(r, t, nd, json_array_get(v.j, k));
            if (err)
                break;
            struct frame *fr = &r->st[r->sp - 1];
            fr->loop = 1;
            fr->idx = k;
            fr->count = count;
            err = run(r, t, i + 1, nd->end);
            r->sp--;
        }
        return err;
    }
    if (v.k == V_JSON && json_is_object(v.j)) {
        err = push(r, t, nd, v.j);
        if (err == NOABER_OK) {
            err = run(r, t, i + 1, nd->end);
            r->sp--;
        }
        return err;
    }
    return run(r, t, i + 1, nd->end);
}

static enum noaber_err
partial(struct render *r, const struct noaber_tmpl *t, const struct node *nd)
{
    const struct noaber_tmpl *p = nd->partial ? nd->partial : reg_find(nd->s, nd->n);
    if (!p) {
        noaber_error("template %s:%u: partial '%.*s' does not exist", t->name, nd->line, (int)nd->n,
                     nd->s);
        return NOABER_E_NOT_FOUND;
    }
    if (r->depth == NOABER_TMPL_PARTIAL_DEPTH) {
        noaber_error("template %s:%u: partials nested deeper than %d", t->name, nd->line,
                     NOABER_TMPL_PARTIAL_DEPTH);
        return NOABER_E_INTERNAL;
    }
    r->depth++;
    enum noaber_err err = run(r, p, 0, p->nnodes);
    r->depth--;
    return err;
}

static enum noaber_err
run(struct render *r, const struct noaber_tmpl *t, size_t from, size_t to)
{
    enum noaber_err err = NOABER_OK;
    for (size_t i = from; i < to && err == NOABER_OK;) {
        const struct node *nd = &t->nodes[i];
        if (++r->visits > VISITS_MAX) {
            noaber_error("template %s:%u: more than %lu nodes rendered", t->name, nd->line,
                         VISITS_MAX);
            return NOABER_E_TOO_LARGE;
        }
        switch ((enum kind)nd->kind) {
        case K_TEXT:
            noaber_buf_append(r->out, nd->s, nd->n);
            break;
        case K_VAR:
        case K_RAW:
        case K_URL: {
            struct val v = lookup(r, nd->s, nd->n);
            emit(r, &v, (enum kind)nd->kind);
            break;
        }
        case K_SECTION:
        case K_INVERTED:
            err = section(r, t, i);
            i = nd->end;
            continue;
        case K_PARTIAL:
            err = partial(r, t, nd);
            break;
        case K_TR:
            fill(r, noaber_tr(r->cat, nd->s));
            break;
        case K_TRN: {
            struct val v = lookup(r, nd->cnt, nd->cntn);
            fill(r, noaber_trn(r->cat, nd->s, nd->plural, count_of(&v)));
            break;
        }
        }
        if (r->out->failed)
            return NOABER_E_TOO_LARGE;
        i++;
    }
    return err;
}

enum noaber_err
noaber_tmpl_exec(const struct noaber_tmpl *t, json_t *ctx, const struct noaber_catalog *cat,
                 struct noaber_buf *out)
{
    struct render r;
    r.sp = 0;
    r.depth = 0;
    r.visits = 0;
    r.cat = cat;
    r.out = out;
    if (ctx)
        r.st[r.sp++] = (struct frame){.v = ctx};
    enum noaber_err err = run(&r, t, 0, t->nnodes);
    if (err == NOABER_OK && out->failed)
        err = NOABER_E_TOO_LARGE;
    return err;
}

enum noaber_err
noaber_tmpl_render(const char *name, json_t *ctx, const struct noaber_catalog *cat,
                   struct noaber_buf *out)
{
    const struct noaber_tmpl *t = name ? reg_find(name, strlen(name)) : NULL;
    if (!t) {
        noaber_error("template '%s' does not exist", name ? name : "(null)");
        return NOABER_E_NOT_FOUND;
    }
    return noaber_tmpl_exec(t, ctx, cat, out);
}
