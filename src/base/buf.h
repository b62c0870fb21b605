/*
 * Growable byte buffer for building output: HTML pages, JSON, CSV, e-mail. A buffer either lives
 * on an arena (it grows by copying within the arena, freed with it) or on the heap (arena NULL;
 * free with noaber_buf_release). Appends never fail on the heap; on an arena a refused allocation
 * sets `failed` and later appends are ignored, so a caller checks once at the end.
 */
#ifndef NOABER_BASE_BUF_H
#define NOABER_BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct noaber_arena;

struct noaber_buf {
    char *data; /* always NUL-terminated once anything is appended */
    size_t len, cap;
    struct noaber_arena *arena;
    int failed;
};

void noaber_buf_init(struct noaber_buf *b, struct noaber_arena *arena);
void noaber_buf_release(struct noaber_buf *b);
void noaber_buf_reset(struct noaber_buf *b);
void noaber_buf_append(struct noaber_buf *b, const char *s, size_t n);
void noaber_buf_puts(struct noaber_buf *b, const char *s);
void noaber_buf_putc(struct noaber_buf *b, char c);
void noaber_buf_printf(struct noaber_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends S with & < > " ' replaced by entities (safe in element content and quoted attributes). */
void noaber_buf_html(struct noaber_buf *b, const char *s);
/* Appends S percent-encoded for a URL query value or path segment (RFC 3986 unreserved kept). */
void noaber_buf_urlenc(struct noaber_buf *b, const char *s);
/* Appends S as a JSON string literal with quotes. */
void noaber_buf_json_str(struct noaber_buf *b, const char *s);
/* The contents as a C string ("" when empty). */
const char *noaber_buf_str(struct noaber_buf *b);

#endif
