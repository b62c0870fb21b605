/*
 * Growable byte buffer (see buf.h) with the escapers every output format needs. HTML escaping
 * covers the single quote too (as kcgi does), so that a value is safe in either kind of quoted
 * attribute.
 */
#include "base/buf.h"

#include "base/arena.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
noaber_buf_init(struct noaber_buf *b, struct noaber_arena *arena)
{
    memset(b, 0, sizeof *b);
    b->arena = arena;
}

void
noaber_buf_release(struct noaber_buf *b)
{
    if (!b->arena)
        free(b->data);
    noaber_buf_init(b, b->arena);
}

void
noaber_buf_reset(struct noaber_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static int
grow(struct noaber_buf *b, size_t extra)
{
    if (b->failed)
        return 0;
    if (b->len + extra + 1 <= b->cap)
        return 1;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    if (b->arena) {
        char *d = noaber_arena_realloc(b->arena, b->data, b->len + (b->data ? 1 : 0), cap);
        if (!d) {
            b->failed = 1;
            return 0;
        }
        b->data = d;
    } else {
        b->data = noaber_xrealloc(b->data, cap);
    }
    b->cap = cap;
    return 1;
}

void
noaber_buf_append(struct noaber_buf *b, const char *s, size_t n)
{
    if (!grow(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void
noaber_buf_puts(struct noaber_buf *b, const char *s)
{
    if (s)
        noaber_buf_append(b, s, strlen(s));
}

void
noaber_buf_putc(struct noaber_buf *b, char c)
{
    noaber_buf_append(b, &c, 1);
}

void
noaber_buf_printf(struct noaber_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !grow(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void
noaber_buf_html(struct noaber_buf *b, const char *s)
{
    if (!s)
        return;
    const char *run = s;
    for (; *s; s++) {
        const char *rep;
        switch (*s) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            continue;
        }
        noaber_buf_append(b, run, (size_t)(s - run));
        noaber_buf_puts(b, rep);
        run = s + 1;
    }
    noaber_buf_append(b, run, (size_t)(s - run));
}

void
noaber_buf_urlenc(struct noaber_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            noaber_buf_putc(b, (char)c);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            noaber_buf_append(b, e, 3);
        }
    }
}

void
noaber_buf_json_str(struct noaber_buf *b, const char *s)
{
    noaber_buf_putc(b, '"');
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '"':
            noaber_buf_puts(b, "\\\"");
            break;
        case '\\':
            noaber_buf_puts(b, "\\\\");
            break;
        case '\n':
            noaber_buf_puts(b, "\\n");
            break;
        case '\r':
            noaber_buf_puts(b, "\\r");
            break;
        case '\t':
            noaber_buf_puts(b, "\\t");
            break;
        case '<':
            noaber_buf_puts(b, "\\u003c");
            break; /* safe inside <script> too */
        default:
            if (c < 0x20)
                noaber_buf_printf(b, "\\u%04x", c);
            else
                noaber_buf_putc(b, (char)c);
        }
    }
    noaber_buf_putc(b, '"');
}

const char *
noaber_buf_str(struct noaber_buf *b)
{
    return b->data ? b->data : "";
}
