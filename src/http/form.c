/*
 * Form, multipart and cookie parsers (see form.h). They never trust a length or a count from the
 * input: everything is bounded by the body's size and NOABER_FORM_MAX_FIELDS.
 */
#include "http/form.h"

#include "base/arena.h"
#include "base/util.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static int
hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes %XX and '+' in S[0..n) onto the arena; NULL on a NUL byte or invalid UTF-8. */
static char *
decode(struct noaber_arena *a, const char *s, size_t n, size_t *len_out)
{
    char *d = noaber_arena_alloc(a, n + 1);
    if (!d)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            d[k++] = ' ';
        } else if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            d[k++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            d[k++] = s[i];
        }
    }
    d[k] = '\0';
    if (!noaber_utf8_valid(d, k))
        return NULL;
    if (len_out)
        *len_out = k;
    return d;
}

static void
append(struct noaber_kv ***tail, struct noaber_kv *kv)
{
    **tail = kv;
    *tail = &kv->next;
}

enum noaber_err
noaber_form_urlencoded(struct noaber_arena *a, const char *s, size_t n, struct noaber_kv **out)
{
    struct noaber_kv **tail = out;
    *out = NULL;
    int count = 0;
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && s[j] != '&' && s[j] != ';')
            j++;
        if (j > i) {
            const char *eq = memchr(s + i, '=', j - i);
            size_t klen = eq ? (size_t)(eq - (s + i)) : j - i;
            if (++count > NOABER_FORM_MAX_FIELDS)
                return NOABER_E_TOO_LARGE;
            struct noaber_kv *kv = noaber_arena_alloc(a, sizeof *kv);
            if (!kv)
                return NOABER_E_TOO_LARGE;
            kv->name = decode(a, s + i, klen, NULL);
            kv->value = eq ? decode(a, eq + 1, j - i - klen - 1, &kv->value_len) : "";
            if (!kv->name || !kv->value)
                return noaber_arena_overflowed(a) ? NOABER_E_TOO_LARGE : NOABER_E_BAD_ENCODING;
            append(&tail, kv);
        }
        i = j + 1;
    }
    return NOABER_OK;
}

/* Finds parameter NAME (e.g. boundary, name, filename) in a header value; on the arena. */
static char *
header_param(struct noaber_arena *a, const char *h, size_t hn, const char *name)
{
    size_t nl = strlen(name);
    for (size_t i = 0; i + nl < hn; i++) {
        if ((i == 0 || h[i - 1] == ';' || h[i - 1] == ' ' || h[i - 1] == '\t') &&
            strncasecmp(h + i, name, nl) == 0 && h[i + nl] == '=') {
            const char *v = h + i + nl + 1, *end = h + hn;
            if (v < end && *v == '"') {
                const char *q = memchr(v + 1, '"', (size_t)(end - v - 1));
                if (!q)
                    return NULL;
                return noaber_arena_strndup(a, v + 1, (size_t)(q - v - 1));
            }
            const char *e = v;
            while (e < end && *e != ';' && *e != ' ' && *e != '\t' && *e != '\r')
                e++;
            return noaber_arena_strndup(a, v, (size_t)(e - v));
        }
    }
    return NULL;
}

static const char *
find(const char *hay, size_t hn, const char *needle, size_t nn)
{
    return nn <= hn ? memmem(hay, hn, needle, nn) : NULL;
}

enum noaber_err
noaber_form_multipart(struct noaber_arena *a, const char *content_type, const char *body, size_t n,
                      struct noaber_kv **out)
{
    *out = NULL;
    struct noaber_kv **tail = out;
    char *boundary = header_param(a, content_type, strlen(content_type), "boundary");
    if (!boundary || !*boundary || strlen(boundary) > 200)
        return NOABER_E_BAD_REQUEST;
    char *delim = noaber_arena_printf(a, "--%s", boundary);
    if (!delim)
        return NOABER_E_TOO_LARGE;
    size_t dl = strlen(delim);
    const char *p = find(body, n, delim, dl), *end = body + n;
    if (!p)
        return NOABER_E_BAD_REQUEST;
    int count = 0;
    for (;;) {
        p += dl;
        if (end - p >= 2 && p[0] == '-' && p[1] == '-')
            return NOABER_OK; /* closing delimiter */
        if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
            return NOABER_E_BAD_REQUEST;
        p += 2;
        /* The part ends at the next delimiter; its headers end at the first blank line before
         * that, never in a later part. */
        char *next_delim = noaber_arena_printf(a, "\r\n%s", delim);
        if (!next_delim)
            return NOABER_E_TOO_LARGE;
        const char *pend = find(p - 2, (size_t)(end - (p - 2)), next_delim, dl + 2);
        if (!pend)
            return NOABER_E_BAD_REQUEST;
        const char *hend = find(p - 2, (size_t)(pend + 2 - (p - 2)), "\r\n\r\n", 4);
        if (!hend || hend + 4 > pend + 2)
            return NOABER_E_BAD_REQUEST;
        const char *data = hend + 4;
        const char *dend = data <= pend ? pend : NULL;
        if (!dend)
            return NOABER_E_BAD_REQUEST;
        if (++count > NOABER_FORM_MAX_FIELDS)
            return NOABER_E_TOO_LARGE;
        struct noaber_kv *kv = noaber_arena_alloc(a, sizeof *kv);
        if (!kv)
            return NOABER_E_TOO_LARGE;
        /* Headers of the part: Content-Disposition and Content-Type, one per CRLF line. */
        for (const char *h = p; h < hend;) {
            const char *le = find(h, (size_t)(hend - h), "\r\n", 2);
            if (!le)
                le = hend;
            size_t hl = (size_t)(le - h);
            if (hl > 20 && strncasecmp(h, "Content-Disposition:", 20) == 0) {
                kv->name = header_param(a, h, hl, "name");
                kv->filename = header_param(a, h, hl, "filename");
            } else if (hl > 13 && strncasecmp(h, "Content-Type:", 13) == 0) {
                const char *v = h + 13;
                while (v < le && (*v == ' ' || *v == '\t'))
                    v++;
                kv->content_type = noaber_arena_strndup(a, v, (size_t)(le - v));
            }
            h = le + 2;
        }
        if (!kv->name || !noaber_utf8_valid(kv->name, strlen(kv->name)))
            return NOABER_E_BAD_REQUEST;
        kv->value_len = (size_t)(dend - data);
        kv->value = noaber_arena_strndup(a, data, kv->value_len);
        if (!kv->value)
            return NOABER_E_TOO_LARGE;
        if (!kv->filename && !noaber_utf8_valid(kv->value, kv->value_len))
            return NOABER_E_BAD_ENCODING;
        if (kv->filename && !noaber_utf8_valid(kv->filename, strlen(kv->filename)))
            return NOABER_E_BAD_ENCODING;
        append(&tail, kv);
        p = dend + 2;
    }
}

enum noaber_err
noaber_cookies_parse(struct noaber_arena *a, const char *h, struct noaber_kv **out)
{
    *out = NULL;
    struct noaber_kv **tail = out;
    int count = 0;
    while (h && *h) {
        while (*h == ' ' || *h == ';' || *h == '\t')
            h++;
        const char *e = strchr(h, ';');
        size_t len = e ? (size_t)(e - h) : strlen(h);
        const char *eq = memchr(h, '=', len);
        if (eq && eq > h) {
            if (++count > 64)
                break;
            struct noaber_kv *kv = noaber_arena_alloc(a, sizeof *kv);
            if (!kv)
                return NOABER_E_TOO_LARGE;
            size_t nl = (size_t)(eq - h);
            while (nl && (h[nl - 1] == ' ' || h[nl - 1] == '\t'))
                nl--;
            const char *v = eq + 1;
            size_t vl = len - (size_t)(v - h);
            if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"')
                v++, vl -= 2;
            kv->name = noaber_arena_strndup(a, h, nl);
            kv->value = noaber_arena_strndup(a, v, vl);
            kv->value_len = vl;
            if (!kv->name || !kv->value)
                return NOABER_E_TOO_LARGE;
            append(&tail, kv);
        }
        h += len;
    }
    return NOABER_OK;
}

const struct noaber_kv *
noaber_kv_find(const struct noaber_kv *list, const char *name)
{
    for (; list; list = list->next)
        if (list->name && strcmp(list->name, name) == 0)
            return list;
    return NULL;
}
