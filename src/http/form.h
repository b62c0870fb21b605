/*
 * Parsers for what a browser sends: application/x-www-form-urlencoded bodies and query strings,
 * multipart/form-data bodies (RFC 7578), and Cookie headers. Pure functions over bytes: the
 * results live on the arena, nothing else is touched, and every input (however hostile) either
 * parses or gives an error code. Field names and text values must be valid UTF-8 without NUL;
 * file parts may hold any bytes.
 */
#ifndef NOABER_HTTP_FORM_H
#define NOABER_HTTP_FORM_H

#include "http/http.h"

#define NOABER_FORM_MAX_FIELDS 256

/* Parses "a=1&b=x%20y" into a list (in order). NOABER_E_BAD_ENCODING on invalid UTF-8 or %00,
 * NOABER_E_TOO_LARGE past NOABER_FORM_MAX_FIELDS fields or when the arena is full. */
enum noaber_err noaber_form_urlencoded(struct noaber_arena *a, const char *s, size_t n,
                                       struct noaber_kv **out);
/* Parses a multipart body with the boundary from CONTENT_TYPE. NOABER_E_BAD_REQUEST when the
 * structure is broken. */
enum noaber_err noaber_form_multipart(struct noaber_arena *a, const char *content_type,
                                      const char *body, size_t n, struct noaber_kv **out);
/* Parses a Cookie header ("a=1; b=2"); malformed pairs are skipped. */
enum noaber_err noaber_cookies_parse(struct noaber_arena *a, const char *header,
                                     struct noaber_kv **out);
/* The first value of NAME in LIST, or NULL. */
const struct noaber_kv *noaber_kv_find(const struct noaber_kv *list, const char *name);

#endif
