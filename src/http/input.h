/*
 * Input specs: every form and JSON body a handler accepts is described by a static table of
 * fields (name, type, required, bounds, offset into a plain struct). One parser fills the struct
 * from the request's form (urlencoded or multipart) or JSON body, normalises values, checks every
 * rule, records one error per field for re-rendering the form, and ignores undeclared fields.
 */
#ifndef NOABER_HTTP_INPUT_H
#define NOABER_HTTP_INPUT_H

#include "http/http.h"

#include <stddef.h>

enum noaber_ftype {
    NOABER_F_LINE,     /* one line of text: no control characters; trimmed */
    NOABER_F_TEXT,     /* multi-line text: newlines and tabs allowed; trimmed */
    NOABER_F_INT,      /* an integer within [min, max]; the struct member is int64_t */
    NOABER_F_EMAIL,    /* an e-mail address, lower-cased */
    NOABER_F_USERNAME, /* 3..32 of [a-z0-9._-], lower-cased */
    NOABER_F_PASSWORD, /* kept exactly as typed (no trimming); length checked by the module */
    NOABER_F_CHOICE,   /* one of CHOICES */
    NOABER_F_BOOL,     /* a checkbox: present and not "0"/"false" is 1; the member is int */
    NOABER_F_SLUG,     /* 2..40 of [a-z0-9-] */
    NOABER_F_POSTCODE, /* Dutch postcode "1234 AB", normalised to "1234AB" */
};

struct noaber_field {
    const char *name;
    enum noaber_ftype type;
    int required;
    long min, max; /* length in characters for text types, value for INT; 0,0: defaults */
    size_t offset; /* of a const char * (text types) or int64_t (INT) or int (BOOL) */
    const char *const *choices; /* NULL-terminated, for CHOICE */
};

#define NOABER_MAX_FIELDS 32

struct noaber_input_errors {
    enum noaber_err field[NOABER_MAX_FIELDS]; /* NOABER_OK where the field is fine */
    int count;
};

/* Fills OUT from the request according to SPEC (N fields, at most NOABER_MAX_FIELDS). Returns
 * NOABER_OK or NOABER_E_INVALID with the per-field errors in ERRS. Text members point into the
 * request's arena; absent optional fields are "" (text), 0 (numbers). */
enum noaber_err noaber_input_parse(struct noaber_req *r, const struct noaber_field *spec, size_t n,
                                   void *out, struct noaber_input_errors *errs);
/* The same over a plain list of name/value pairs (for tests and fuzzing). */
enum noaber_err noaber_input_from_kv(struct noaber_arena *a, const struct noaber_kv *kv,
                                     const struct noaber_field *spec, size_t n, void *out,
                                     struct noaber_input_errors *errs);
/* Adds to CTX: "values" {name: value as entered} and "errors" {name: message} for re-rendering
 * a form, in the request's language. */
void noaber_input_context(struct noaber_req *r, json_t *ctx, const struct noaber_field *spec,
                          size_t n, const void *in, const struct noaber_input_errors *errs);
/* Adds all field errors as {"fields":{name:message}} to a JSON error body. */
json_t *noaber_input_json_errors(struct noaber_req *r, const struct noaber_field *spec, size_t n,
                                 const struct noaber_input_errors *errs);
/* The API's answer to refused fields: 422 {"error":{"code":"INVALID","message":…,"fields":…}}. */
enum noaber_err noaber_input_api_invalid(struct noaber_req *r, const struct noaber_field *spec,
                                         size_t n, const struct noaber_input_errors *errs);

#endif
