/*
 * Translation catalogues (see i18n.h): a .po loader, a Plural-Forms evaluator, the look-ups and
 * Accept-Language negotiation.
 *
 * A catalogue lives in one arena of its own: the entries, their strings, the compiled plural
 * rule and an open-addressing hash table over (msgctxt, msgid). Keys are hashed in parts
 * (context, \x04, msgid), so noaber_trp() never builds a key string. The Plural-Forms
 * expression is parsed once, by recursive descent over C's precedence levels, into at most
 * PLURAL_NODES nodes (which also bounds the depth of the evaluation), and evaluated on unsigned
 * long as GNU gettext does; a division by zero yields 0 instead of a signal.
 *
 * The loaded catalogues are a small array sorted by code, filled by noaber_i18n_init() and
 * read-only afterwards.
 */
#include "view/i18n.h"

#include "base/arena.h"
#include "base/assets.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/util.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_FORMS    10  /* msgstr[0..9]; Arabic needs 6 */
#define PLURAL_NODES 256 /* nodes of one compiled Plural-Forms expression */
#define PLURAL_DEPTH 64  /* parentheses and ?: nested at most this deep */

/* ------------------------------------------------------------------------------------------ */
/* Plural-Forms                                                                                */

enum pop {
    P_N,
    P_NUM,
    P_NOT,
    P_TERN,
    P_OR,
    P_AND,
    P_EQ,
    P_NE,
    P_LT,
    P_GT,
    P_LE,
    P_GE,
    P_ADD,
    P_SUB,
    P_MUL,
    P_DIV,
    P_MOD
};

struct pnode {
    unsigned char op;
    unsigned short a, b, c;
    unsigned long v;
};

struct pparse {
    const char *s;
    size_t pos, len;
    struct pnode *nodes;
    unsigned n;
    int depth;
};

static void
p_ws(struct pparse *p)
{
    while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t'))
        p->pos++;
}

/* Consumes TOK if it comes next (and, for one-character tokens like "<", is not the start of a
 * longer one like "<="). */
static int
p_eat(struct pparse *p, const char *tok)
{
    size_t n = strlen(tok);
    p_ws(p);
    if (p->len - p->pos < n || memcmp(p->s + p->pos, tok, n) != 0)
        return 0;
    if (n == 1 && p->pos + 1 < p->len && p->s[p->pos + 1] == '=' &&
        (tok[0] == '<' || tok[0] == '>' || tok[0] == '!' || tok[0] == '='))
        return 0;
    p->pos += n;
    return 1;
}

static int
p_node(struct pparse *p, enum pop op, int a, int b, int c)
{
    if (p->n == PLURAL_NODES || a < 0 || b < 0 || c < 0)
        return -1;
    p->nodes[p->n] = (struct pnode){(unsigned char)op, (unsigned short)a, (unsigned short)b,
                                    (unsigned short)c, 0};
    return (int)p->n++;
}

static int p_ternary(struct pparse *p);

static int
p_primary(struct pparse *p)
{
    p_ws(p);
    if (p->pos >= p->len)
        return -1;
    char c = p->s[p->pos];
    if (c == 'n') {
        p->pos++;
        return p_node(p, P_N, 0, 0, 0);
    }
    if (c >= '0' && c <= '9') {
        unsigned long v = 0;
        while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') {
            if (v > 100000000UL)
                return -1;
            v = v * 10 + (unsigned long)(p->s[p->pos++] - '0');
        }
        int k = p_node(p, P_NUM, 0, 0, 0);
        if (k >= 0)
            p->nodes[k].v = v;
        return k;
    }
    if (c == '(') {
        p->pos++;
        int k = p_ternary(p);
        return k >= 0 && p_eat(p, ")") ? k : -1;
    }
    if (c == '!') {
        p->pos++;
        if (++p->depth > PLURAL_DEPTH)
            return -1;
        int k = p_primary(p);
        p->depth--;
        return p_node(p, P_NOT, k, 0, 0);
    }
    return -1;
}

/* One left-associative binary level: OPS[i] is the token of OPCODES[i]. */
static int
p_binary(struct pparse *p, int (*next)(struct pparse *), const char *const *ops,
         const enum pop *opcodes, size_t nops)
{
    int left = next(p);
    while (left >= 0) {
        size_t i;
        for (i = 0; i < nops; i++)
            if (p_eat(p, ops[i]))
                break;
        if (i == nops)
            break;
        left = p_node(p, opcodes[i], left, next(p), 0);
    }
    return left;
}

static int
p_mul(struct pparse *p)
{
    static const char *const ops[] = {"*", "/", "%"};
    static const enum pop codes[] = {P_MUL, P_DIV, P_MOD};
    return p_binary(p, p_primary, ops, codes, 3);
}

static int
p_add(struct pparse *p)
{
    static const char *const ops[] = {"+", "-"};
    static const enum pop codes[] = {P_ADD, P_SUB};
    return p_binary(p, p_mul, ops, codes, 2);
}

static int
p_rel(struct pparse *p)
{
    static const char *const ops[] = {"<=", ">=", "<", ">"};
    static const enum pop codes[] = {P_LE, P_GE, P_LT, P_GT};
    return p_binary(p, p_add, ops, codes, 4);
}

static int
p_eq(struct pparse *p)
{
    static const char *const ops[] = {"==", "!="};
    static const enum pop codes[] = {P_EQ, P_NE};
    return p_binary(p, p_rel, ops, codes, 2);
}

static int
p_and(struct pparse *p)
{
    static const char *const ops[] = {"&&"};
    static const enum pop codes[] = {P_AND};
    return p_binary(p, p_eq, ops, codes, 1);
}

static int
p_or(struct pparse *p)
{
    static const char *const ops[] = {"||"};
    static const enum pop codes[] = {P_OR};
    return p_binary(p, p_and, ops, codes, 1);
}

static int
p_ternary(struct pparse *p)
{
    if (++p->depth > PLURAL_DEPTH)
        return -1;
    int k = p_or(p);
    if (k >= 0 && p_eat(p, "?")) {
        int a = p_ternary(p);
        int b = a >= 0 && p_eat(p, ":") ? p_ternary(p) : -1;
        k = p_node(p, P_TERN, k, a, b);
    }
    p->depth--;
    return k;
}

static unsigned long
p_eval(const struct pnode *nodes, int k, unsigned long n)
{
    const struct pnode *e = &nodes[k];
    unsigned long a = 0, b = 0;
    switch ((enum pop)e->op) {
    case P_N:
        return n;
    case P_NUM:
        return e->v;
    case P_NOT:
        return !p_eval(nodes, e->a, n);
    case P_TERN:
        return p_eval(nodes, e->a, n) ? p_eval(nodes, e->b, n) : p_eval(nodes, e->c, n);
    case P_OR:
        return p_eval(nodes, e->a, n) || p_eval(nodes, e->b, n);
    case P_AND:
        return p_eval(nodes, e->a, n) && p_eval(nodes, e->b, n);
    default:
        break;
    }
    a = p_eval(nodes, e->a, n);
    b = p_eval(nodes, e->b, n);
    switch ((enum pop)e->op) {
    case P_EQ:
        return a == b;
    case P_NE:
        return a != b;
    case P_LT:
        return a < b;
    case P_GT:
        return a > b;
    case P_LE:
        return a <= b;
    case P_GE:
        return a >= b;
    case P_ADD:
        return a + b;
    case P_SUB:
        return a - b;
    case P_MUL:
        return a * b;
    case P_DIV:
        return b ? a / b : 0;
    case P_MOD:
        return b ? a % b : 0;
    default:
        return 0;
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Catalogues                                                                                  */

struct entry {
    const char *ctx; /* NULL when the entry has no msgctxt */
    const char *id, *plural;
    const char **str;
    unsigned nstr, line;
    size_t ctxn, idn;
    uint64_t hash;
};

struct noaber_catalog {
    struct noaber_arena *arena;
    char code[32];
    char native[64];
    int rtl_header;
    int rtl;
    unsigned nplurals;
    struct pnode *plural; /* NULL: the Germanic rule n != 1 */
    int plural_root;
    struct entry *entries;
    size_t n;
    uint32_t *table; /* entry index + 1; 0 is an empty slot */
    size_t mask;
};

static uint64_t
fnv(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static uint64_t
key_hash(const char *ctx, size_t ctxn, const char *id, size_t idn)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    if (ctx) {
        h = fnv(h, ctx, ctxn);
        h = fnv(h, "\x04", 1);
    }
    return fnv(h, id, idn);
}

static const struct entry *
find(const struct noaber_catalog *cat, const char *ctx, const char *id)
{
    if (!cat || !cat->table || !id)
        return NULL;
    size_t ctxn = ctx ? strlen(ctx) : 0, idn = strlen(id);
    uint64_t h = key_hash(ctx, ctxn, id, idn);
    for (size_t i = h & cat->mask; cat->table[i]; i = (i + 1) & cat->mask) {
        const struct entry *e = &cat->entries[cat->table[i] - 1];
        if (e->hash == h && e->idn == idn && !e->ctx == !ctx && memcmp(e->id, id, idn) == 0 &&
            (!ctx || (e->ctxn == ctxn && memcmp(e->ctx, ctx, ctxn) == 0)))
            return e;
    }
    return NULL;
}

static int
lang_is_rtl(const char *code)
{
    static const char *const rtl[] = {"ar", "he", "fa", "ur", "yi", "ps", "dv"};
    size_t primary = strcspn(code, "-_");
    for (size_t i = 0; i < sizeof rtl / sizeof *rtl; i++)
        if (primary == strlen(rtl[i]) && strncasecmp(code, rtl[i], primary) == 0)
            return 1;
    /* Kurdish is written in Latin script (Kurmanji) or Arabic script (Sorani): only the
     * latter is right to left. */
    return strncasecmp(code, "ku", 2) == 0 && (code[2] == '-' || code[2] == '_') &&
           strncasecmp(code + 3, "arab", 4) == 0 &&
           (code[7] == '\0' || code[7] == '-' || code[7] == '_');
}

const char *
noaber_tr(const struct noaber_catalog *cat, const char *msgid)
{
    const struct entry *e = find(cat, NULL, msgid);
    return e && e->str[0][0] ? e->str[0] : msgid;
}

const char *
noaber_trp(const struct noaber_catalog *cat, const char *ctx, const char *msgid)
{
    const struct entry *e = find(cat, ctx, msgid);
    return e && e->str[0][0] ? e->str[0] : msgid;
}

static unsigned long
plural_index(const struct noaber_catalog *cat, unsigned long n)
{
    if (!cat->plural)
        return n != 1;
    unsigned long k = p_eval(cat->plural, cat->plural_root, n);
    return k < cat->nplurals ? k : 0;
}

const char *
noaber_trn(const struct noaber_catalog *cat, const char *msgid, const char *plural, long n)
{
    unsigned long un = n < 0 ? 0UL - (unsigned long)n : (unsigned long)n;
    const struct entry *e = find(cat, NULL, msgid);
    if (e && e->plural) {
        unsigned long k = plural_index(cat, un);
        if (k < e->nstr && e->str[k][0])
            return e->str[k];
    }
    return un == 1 ? msgid : plural;
}

const char *
noaber_i18n_code(const struct noaber_catalog *cat)
{
    return cat ? cat->code : "en";
}

int
noaber_i18n_rtl(const struct noaber_catalog *cat)
{
    return cat ? cat->rtl : 0;
}

void
noaber_catalog_free(struct noaber_catalog *cat)
{
    if (!cat)
        return;
    noaber_arena_free(cat->arena);
    free(cat->entries);
    free(cat->table);
    free(cat);
}

void
noaber_catalog_each(const struct noaber_catalog *cat,
                    void (*fn)(void *ud, const char *ctx, const char *msgid, const char *plural,
                               const char *const *msgstr, unsigned nstr),
                    void *ud)
{
    for (size_t i = 0; cat && i < cat->n; i++) {
        const struct entry *e = &cat->entries[i];
        fn(ud, e->ctx, e->id, e->plural, e->str, e->nstr);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* The .po parser                                                                              */

struct po {
    const char *s;
    size_t len, pos;
    unsigned line;
    char *err;
    size_t errn;
    struct noaber_catalog *cat;
    size_t cap;
    int have_header;
    /* the entry being read */
    struct noaber_buf ctx, id, plural, str[MAX_FORMS];
    int has_ctx, has_id, has_plural, has_str, fuzzy;
    unsigned seen; /* bit k: msgstr[k] read */
    unsigned entry_line;
    struct noaber_buf *cont; /* the string a "…" line continues */
};

static int po_fail(struct po *p, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
po_fail(struct po *p, unsigned line, const char *fmt, ...)
{
    if (p->err && p->errn) {
        int k = snprintf(p->err, p->errn, "line %u: ", line);
        if (k >= 0 && (size_t)k < p->errn) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(p->err + k, p->errn - (size_t)k, fmt, ap);
            va_end(ap);
        }
    }
    return -1;
}

/* Reads a "…" string at *I (within the line ending at END) and appends it, unescaped, to B. */
static int
po_string(struct po *p, size_t *i, size_t end, struct noaber_buf *b)
{
    while (*i < end && (p->s[*i] == ' ' || p->s[*i] == '\t'))
        (*i)++;
    if (*i >= end || p->s[*i] != '"')
        return po_fail(p, p->line, "expected a string in double quotes");
    size_t k = *i + 1, run = k;
    for (;;) {
        if (k >= end)
            return po_fail(p, p->line, "unterminated string");
        char c = p->s[k];
        if (c == '"')
            break;
        if (c != '\\') {
            k++;
            continue;
        }
        noaber_buf_append(b, p->s + run, k - run);
        if (k + 1 >= end)
            return po_fail(p, p->line, "unterminated string");
        switch (p->s[k + 1]) {
        case 'n':
            c = '\n';
            break;
        case 't':
            c = '\t';
            break;
        case 'r':
            c = '\r';
            break;
        case '"':
            c = '"';
            break;
        case '\\':
            c = '\\';
            break;
        default:
            return po_fail(p, p->line, "unknown escape '\\%c'", p->s[k + 1]);
        }
        noaber_buf_putc(b, c);
        k += 2;
        run = k;
    }
    noaber_buf_append(b, p->s + run, k - run);
    *i = k + 1;
    while (*i < end && (p->s[*i] == ' ' || p->s[*i] == '\t'))
        (*i)++;
    if (*i < end)
        return po_fail(p, p->line, "unexpected text after the string");
    return 0;
}

static void
po_reset(struct po *p)
{
    noaber_buf_reset(&p->ctx);
    noaber_buf_reset(&p->id);
    noaber_buf_reset(&p->plural);
    for (int k = 0; k < MAX_FORMS; k++)
        noaber_buf_reset(&p->str[k]);
    p->has_ctx = p->has_id = p->has_plural = p->has_str = p->fuzzy = 0;
    p->seen = 0;
    p->cont = NULL;
}

static const char *
po_dup(struct po *p, struct noaber_buf *b)
{
    return noaber_arena_strndup(p->cat->arena, noaber_buf_str(b), b->len);
}

static int
header_plural(struct po *p, const char *v)
{
    const char *np = strstr(v, "nplurals="), *pl = strstr(v, "plural=");
    if (!np || !pl)
        return po_fail(p, p->entry_line, "Plural-Forms needs nplurals= and plural=");
    char *end;
    unsigned long n = strtoul(np + 9, &end, 10);
    if (end == np + 9 || n < 1 || n > MAX_FORMS)
        return po_fail(p, p->entry_line, "nplurals must be 1 to %d", MAX_FORMS);
    pl += 7;
    struct pparse pp = {.s = pl, .len = strcspn(pl, ";\n")};
    pp.nodes = noaber_arena_alloc(p->cat->arena, PLURAL_NODES * sizeof *pp.nodes);
    int root = pp.nodes ? p_ternary(&pp) : -1;
    p_ws(&pp);
    if (root < 0 || pp.pos != pp.len)
        return po_fail(p, p->entry_line, "cannot read the plural expression '%.*s'",
                       (int)(pp.len > 80 ? 80 : pp.len), pl);
    p->cat->nplurals = (unsigned)n;
    p->cat->plural = pp.nodes;
    p->cat->plural_root = root;
    return 0;
}

/* Reads the header entry: "Field: value\n" lines. */
static int
po_header(struct po *p, const char *h)
{
    if (p->have_header)
        return po_fail(p, p->entry_line, "a second header entry");
    p->have_header = 1;
    while (*h) {
        size_t n = strcspn(h, "\n");
        char line[512];
        snprintf(line, sizeof line, "%.*s", (int)n, h);
        h += n + (h[n] == '\n');
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        *colon = '\0';
        char *key = noaber_trim(line), *val = noaber_trim(colon + 1);
        if (strcasecmp(key, "Language") == 0) {
            if (strlen(val) >= sizeof p->cat->code || strspn(val, "abcdefghijklmnopqrstuvwxyz"
                                                                  "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                                  "0123456789-_") != strlen(val))
                return po_fail(p, p->entry_line, "Language '%.40s' is not a language code", val);
            snprintf(p->cat->code, sizeof p->cat->code, "%s", val);
        } else if (strcasecmp(key, "Plural-Forms") == 0) {
            if (header_plural(p, val))
                return -1;
        } else if (strcasecmp(key, "X-Direction") == 0) {
            p->cat->rtl_header = strcasecmp(val, "rtl") == 0;
        } else if (strcasecmp(key, "X-Native-Name") == 0) {
            snprintf(p->cat->native, sizeof p->cat->native, "%s", val);
        } else if (strcasecmp(key, "Content-Type") == 0) {
            const char *cs = strstr(val, "charset=");
            if (cs && strcasecmp(cs + 8, "UTF-8") != 0 && strcmp(cs + 8, "CHARSET") != 0)
                return po_fail(p, p->entry_line, "the charset must be UTF-8");
        }
    }
    return 0;
}

/* Ends the entry being read: the header is applied, a fuzzy entry dropped, others kept. */
static int
po_finish(struct po *p)
{
    if (!p->has_id) {
        if (p->has_ctx)
            return po_fail(p, p->entry_line, "msgctxt without msgid");
        po_reset(p);
        return 0;
    }
    if (!p->has_str && !p->seen)
        return po_fail(p, p->entry_line, "msgid without msgstr");
    unsigned nstr = 1;
    if (p->has_plural) {
        while (nstr < MAX_FORMS && (p->seen >> nstr))
            nstr++;
        if (p->seen != (1u << nstr) - 1)
            return po_fail(p, p->entry_line, "msgstr[%u] is missing",
                           (unsigned)__builtin_ctz(~p->seen));
    }
    if (p->id.len == 0 && !p->has_ctx) {
        int rc = po_header(p, noaber_buf_str(&p->str[0]));
        po_reset(p);
        return rc;
    }
    if (p->fuzzy) {
        po_reset(p);
        return 0;
    }
    if (p->cat->n == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 64;
        p->cat->entries = noaber_xrealloc(p->cat->entries, p->cap * sizeof *p->cat->entries);
    }
    struct entry *e = &p->cat->entries[p->cat->n++];
    memset(e, 0, sizeof *e);
    e->ctx = p->has_ctx ? po_dup(p, &p->ctx) : NULL;
    e->ctxn = p->has_ctx ? p->ctx.len : 0;
    e->id = po_dup(p, &p->id);
    e->idn = p->id.len;
    e->plural = p->has_plural ? po_dup(p, &p->plural) : NULL;
    e->nstr = nstr;
    e->line = p->entry_line;
    e->str = noaber_arena_alloc(p->cat->arena, nstr * sizeof *e->str);
    if (!e->str || !e->id)
        return po_fail(p, p->entry_line, "the catalogue is too large");
    for (unsigned k = 0; k < nstr; k++)
        if (!(e->str[k] = po_dup(p, &p->str[k])))
            return po_fail(p, p->entry_line, "the catalogue is too large");
    e->hash = key_hash(e->ctx, e->ctxn, e->id, e->idn);
    po_reset(p);
    return 0;
}

/* A keyword line: msgctxt, msgid, msgid_plural, msgstr or msgstr[N], then a string. */
static int
po_keyword(struct po *p, size_t i, size_t end)
{
    size_t k = i;
    while (k < end && ((p->s[k] >= 'a' && p->s[k] <= 'z') || p->s[k] == '_'))
        k++;
    const char *w = p->s + i;
    size_t n = k - i;
    int starts = (n == 7 && memcmp(w, "msgctxt", 7) == 0) || (n == 5 && memcmp(w, "msgid", 5) == 0);
    if (starts && (p->has_str || p->seen) && po_finish(p))
        return -1;
    if (starts && !p->has_id && !p->has_ctx)
        p->entry_line = p->line;
    if (n == 7 && memcmp(w, "msgctxt", 7) == 0) {
        if (p->has_ctx || p->has_id)
            return po_fail(p, p->line, "msgctxt must come before msgid");
        p->has_ctx = 1;
        p->cont = &p->ctx;
    } else if (n == 5 && memcmp(w, "msgid", 5) == 0) {
        if (p->has_id)
            return po_fail(p, p->line, "msgid without msgstr");
        p->has_id = 1;
        p->cont = &p->id;
    } else if (n == 12 && memcmp(w, "msgid_plural", 12) == 0) {
        if (!p->has_id || p->has_plural || p->has_str || p->seen)
            return po_fail(p, p->line, "msgid_plural must follow msgid");
        p->has_plural = 1;
        p->cont = &p->plural;
    } else if (n == 6 && memcmp(w, "msgstr", 6) == 0 && k < end && p->s[k] == '[') {
        unsigned idx = 0;
        size_t d = k + 1;
        while (d < end && p->s[d] >= '0' && p->s[d] <= '9' && idx < 1000)
            idx = idx * 10 + (unsigned)(p->s[d++] - '0');
        if (d == k + 1 || d >= end || p->s[d] != ']')
            return po_fail(p, p->line, "malformed msgstr[N]");
        if (!p->has_plural)
            return po_fail(p, p->line, "msgstr[%u] without msgid_plural", idx);
        if (idx >= MAX_FORMS || (p->seen & (1u << idx)))
            return po_fail(p, p->line, "msgstr[%u] out of range or repeated", idx);
        p->seen |= 1u << idx;
        p->cont = &p->str[idx];
        k = d + 1;
    } else if (n == 6 && memcmp(w, "msgstr", 6) == 0) {
        if (!p->has_id || p->has_plural || p->has_str)
            return po_fail(p, p->line,
                           p->has_plural ? "use msgstr[N] after msgid_plural"
                                         : "msgstr must follow msgid");
        p->has_str = 1;
        p->cont = &p->str[0];
    } else {
        return po_fail(p, p->line, "unknown keyword '%.*s'", (int)(n ? (n > 20 ? 20 : n) : 1),
                       n ? w : p->s + i);
    }
    return po_string(p, &k, end, p->cont);
}

static int
po_line(struct po *p, size_t i, size_t end)
{
    while (i < end && (p->s[i] == ' ' || p->s[i] == '\t'))
        i++;
    if (i == end)
        return 0;
    if (p->s[i] == '#') {
        /* A comment after a complete entry belongs to the next one. */
        if ((p->has_str || p->seen) && po_finish(p))
            return -1;
        p->cont = NULL;
        if (i + 1 < end && p->s[i + 1] == ',') {
            /* flags: "#, fuzzy, c-format" */
            const char *f = p->s + i + 2, *fe = p->s + end;
            while (f < fe) {
                while (f < fe && (*f == ' ' || *f == ','))
                    f++;
                const char *w = f;
                while (f < fe && *f != ' ' && *f != ',')
                    f++;
                if (f - w == 5 && memcmp(w, "fuzzy", 5) == 0)
                    p->fuzzy = 1;
            }
        }
        return 0;
    }
    if (p->s[i] == '"') {
        if (!p->cont)
            return po_fail(p, p->line, "a string without a keyword before it");
        return po_string(p, &i, end, p->cont);
    }
    return po_keyword(p, i, end);
}

static int
build_table(struct po *p)
{
    struct noaber_catalog *cat = p->cat;
    size_t cap = 16;
    while (cap < 2 * cat->n)
        cap *= 2;
    cat->table = noaber_xcalloc(cap, sizeof *cat->table);
    cat->mask = cap - 1;
    for (size_t k = 0; k < cat->n; k++) {
        const struct entry *e = &cat->entries[k];
        size_t i;
        for (i = e->hash & cat->mask; cat->table[i]; i = (i + 1) & cat->mask) {
            const struct entry *o = &cat->entries[cat->table[i] - 1];
            if (o->hash == e->hash && o->idn == e->idn && !o->ctx == !e->ctx &&
                memcmp(o->id, e->id, e->idn) == 0 &&
                (!e->ctx || (o->ctxn == e->ctxn && memcmp(o->ctx, e->ctx, e->ctxn) == 0)))
                return po_fail(p, e->line, "duplicate msgid (first on line %u)", o->line);
        }
        cat->table[i] = (uint32_t)k + 1;
    }
    return 0;
}

struct noaber_catalog *
noaber_po_parse(const char *src, size_t len, char *err, size_t errn)
{
    struct po p = {.s = src, .len = len, .line = 1, .err = err, .errn = errn};
    if (err && errn)
        err[0] = '\0';
    p.cat = noaber_xcalloc(1, sizeof *p.cat);
    p.cat->arena = noaber_arena_new(0);
    p.cat->nplurals = 2;
    noaber_buf_init(&p.ctx, NULL);
    noaber_buf_init(&p.id, NULL);
    noaber_buf_init(&p.plural, NULL);
    for (int k = 0; k < MAX_FORMS; k++)
        noaber_buf_init(&p.str[k], NULL);
    int rc = 0;
    if (len > 0x7fffffff || !noaber_utf8_valid(src, len))
        rc = po_fail(&p, 1, "the file is not valid UTF-8 text");
    /* skip a byte order mark */
    if (rc == 0 && len >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0)
        p.pos = 3;
    while (rc == 0 && p.pos < len) {
        const char *nl = memchr(src + p.pos, '\n', len - p.pos);
        size_t end = nl ? (size_t)(nl - src) : len;
        size_t e = end > p.pos && src[end - 1] == '\r' ? end - 1 : end;
        rc = po_line(&p, p.pos, e);
        p.pos = end + 1;
        p.line++;
    }
    if (rc == 0)
        rc = po_finish(&p);
    if (rc == 0)
        rc = build_table(&p);
    noaber_buf_release(&p.ctx);
    noaber_buf_release(&p.id);
    noaber_buf_release(&p.plural);
    for (int k = 0; k < MAX_FORMS; k++)
        noaber_buf_release(&p.str[k]);
    if (rc != 0) {
        noaber_catalog_free(p.cat);
        return NULL;
    }
    p.cat->rtl = p.cat->rtl_header || lang_is_rtl(p.cat->code);
    return p.cat;
}

/* ------------------------------------------------------------------------------------------ */
/* The loaded catalogues                                                                       */

static struct noaber_catalog **cats;
static const char **codes;
static size_t ncats;

static int
cmp_cat(const void *a, const void *b)
{
    const struct noaber_catalog *const *x = a, *const *y = b;
    return strcmp((*x)->code, (*y)->code);
}

void
noaber_i18n_shutdown(void)
{
    for (size_t i = 0; i < ncats; i++)
        noaber_catalog_free(cats[i]);
    free(cats);
    free(codes);
    cats = NULL;
    codes = NULL;
    ncats = 0;
}

int
noaber_i18n_init(void)
{
    if (cats)
        return 0;
    cats = noaber_xcalloc(noaber_assets_count + 1, sizeof *cats);
    int rc = 0;
    for (unsigned i = 0; i < noaber_assets_count; i++) {
        const struct noaber_asset *a = &noaber_assets[i];
        size_t n = strlen(a->path);
        if (n < 7 || strncmp(a->path, "po/", 3) != 0 || strcmp(a->path + n - 3, ".po") != 0 ||
            n - 6 >= sizeof cats[0]->code)
            continue;
        char err[256];
        struct noaber_catalog *cat =
            noaber_po_parse((const char *)a->data, a->size, err, sizeof err);
        if (!cat) {
            noaber_error("%s: %s", a->path, err);
            rc = -1;
            continue;
        }
        snprintf(cat->code, sizeof cat->code, "%.*s", (int)(n - 6), a->path + 3);
        cat->rtl = cat->rtl_header || lang_is_rtl(cat->code);
        cats[ncats++] = cat;
    }
    if (rc != 0 || ncats == 0) {
        if (ncats == 0)
            noaber_error("no translations (po/<code>.po) are compiled in");
        noaber_i18n_shutdown();
        return -1;
    }
    qsort(cats, ncats, sizeof *cats, cmp_cat);
    codes = noaber_xcalloc(ncats, sizeof *codes);
    for (size_t i = 0; i < ncats; i++)
        codes[i] = cats[i]->code;
    return 0;
}

const struct noaber_catalog *
noaber_i18n_catalog(const char *lang)
{
    for (size_t i = 0; lang && i < ncats; i++)
        if (strcasecmp(cats[i]->code, lang) == 0)
            return cats[i];
    return NULL;
}

size_t
noaber_i18n_languages(const char *const **out)
{
    *out = codes;
    return ncats;
}

const char *
noaber_i18n_native_name(const char *code)
{
    static const char *const names[][2] = {
        {"ar", "العربية"},    {"de", "Deutsch"},     {"en", "English"}, {"es", "Español"},
        {"fa", "فارسی"},      {"fr", "Français"},    {"fy", "Frysk"},   {"it", "Italiano"},
        {"nl", "Nederlands"}, {"pap", "Papiamentu"}, {"pl", "Polski"},  {"pt", "Português"},
        {"ru", "Русский"},    {"so", "Soomaali"},    {"ti", "ትግርኛ"},    {"tr", "Türkçe"},
        {"uk", "Українська"}, {"zh", "中文"},
    };
    if (!code)
        return "";
    const struct noaber_catalog *cat = noaber_i18n_catalog(code);
    if (cat && cat->native[0])
        return cat->native;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcasecmp(code, names[i][0]) == 0)
            return names[i][1];
    return code;
}

/* The loaded catalogue that TAG (N bytes) or its shortest-by-hyphens prefix names. */
static const struct noaber_catalog *
match_tag(const char *tag, size_t n)
{
    char buf[64];
    if (n == 0 || n >= sizeof buf)
        return NULL;
    for (size_t i = 0; i < n; i++)
        buf[i] = tag[i] == '_' ? '-' : tag[i]; /* "nl_NL" as POSIX writes it */
    buf[n] = '\0';
    for (;;) {
        const struct noaber_catalog *cat = noaber_i18n_catalog(buf);
        if (cat)
            return cat;
        char *dash = strrchr(buf, '-');
        if (!dash)
            return NULL;
        *dash = '\0';
    }
}

/* Parses a q-value ("0.8", "1", "1.000") into thousandths; -1 if malformed. */
static int
qvalue(const char *s, size_t n)
{
    if (n == 0 || (s[0] != '0' && s[0] != '1'))
        return -1;
    int q = (s[0] - '0') * 1000, scale = 100;
    if (n == 1)
        return q;
    if (s[1] != '.' || n > 5)
        return -1;
    for (size_t i = 2; i < n; i++, scale /= 10) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        q += (s[i] - '0') * scale;
    }
    return q > 1000 ? -1 : q;
}

const char *
noaber_i18n_negotiate(const char *accept, const char *fallback)
{
    const char *best = NULL;
    int bestq = 0;
    while (accept && *accept) {
        size_t len = strcspn(accept, ",");
        const char *item = accept, *end = accept + len;
        accept = *end ? end + 1 : end;
        while (item < end && (*item == ' ' || *item == '\t'))
            item++;
        const char *semi = memchr(item, ';', (size_t)(end - item));
        const char *tend = semi ? semi : end;
        while (tend > item && (tend[-1] == ' ' || tend[-1] == '\t'))
            tend--;
        int q = 1000;
        if (semi) {
            const char *qs = semi + 1;
            while (qs < end && (*qs == ' ' || *qs == '\t'))
                qs++;
            if (end - qs < 2 || (qs[0] != 'q' && qs[0] != 'Q') || qs[1] != '=')
                continue;
            const char *qe = end;
            while (qe > qs + 2 && (qe[-1] == ' ' || qe[-1] == '\t'))
                qe--;
            q = qvalue(qs + 2, (size_t)(qe - qs - 2));
        }
        if (q <= bestq)
            continue;
        const char *code = NULL;
        if (tend - item == 1 && item[0] == '*') {
            code = fallback;
        } else {
            const struct noaber_catalog *cat = match_tag(item, (size_t)(tend - item));
            code = cat ? cat->code : NULL;
        }
        if (code) {
            best = code;
            bestq = q;
        }
    }
    return best ? best : fallback;
}
