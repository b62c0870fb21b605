/*
 * The input spec the form, multipart and JSON fuzz targets run their parsed input through: one
 * field of every type of src/http/input.h, required and optional, with and without bounds, so
 * that every branch of the one input parser is reached from every body format. Also the checks
 * that hold for whatever the parser accepted (fuzz_spec_check): a field without an error has a
 * value of its type's shape. Included by fuzz/form.c, fuzz/multipart.c and fuzz/json.c only.
 */
#ifndef NOABER_FUZZ_SPEC_H
#define NOABER_FUZZ_SPEC_H

#include "base/util.h"
#include "http/input.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct fuzz_body {
    const char *line, *text, *email, *username, *password, *choice, *slug, *postcode, *name;
    int64_t n, any;
    int flag;
};

static const char *const fuzz_choices[] = {"resident", "connector", "", NULL};

static const struct noaber_field fuzz_spec[] = {
    {"line", NOABER_F_LINE, 1, 2, 80, offsetof(struct fuzz_body, line), NULL},
    {"text", NOABER_F_TEXT, 0, 0, 0, offsetof(struct fuzz_body, text), NULL},
    {"email", NOABER_F_EMAIL, 0, 0, 0, offsetof(struct fuzz_body, email), NULL},
    {"username", NOABER_F_USERNAME, 0, 0, 0, offsetof(struct fuzz_body, username), NULL},
    {"password", NOABER_F_PASSWORD, 0, 0, 0, offsetof(struct fuzz_body, password), NULL},
    {"choice", NOABER_F_CHOICE, 0, 0, 0, offsetof(struct fuzz_body, choice), fuzz_choices},
    {"slug", NOABER_F_SLUG, 0, 0, 0, offsetof(struct fuzz_body, slug), NULL},
    {"postcode", NOABER_F_POSTCODE, 0, 0, 0, offsetof(struct fuzz_body, postcode), NULL},
    {"n", NOABER_F_INT, 0, -5, 1000, offsetof(struct fuzz_body, n), NULL},
    {"any", NOABER_F_INT, 0, 0, 0, offsetof(struct fuzz_body, any), NULL},
    {"flag", NOABER_F_BOOL, 0, 0, 0, offsetof(struct fuzz_body, flag), NULL},
    {"name", NOABER_F_LINE, 0, 0, 0, offsetof(struct fuzz_body, name), NULL},
};
#define FUZZ_SPEC_N (sizeof fuzz_spec / sizeof fuzz_spec[0])

static int
fuzz_all_of(const char *s, const char *set)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || strchr(set, *s)))
            return 0;
    return 1;
}

/* Aborts unless every field the parser accepted (no error in ERRS) has the shape its type
 * promises; the count of errors must match the return code E. */
static void
fuzz_spec_check(enum noaber_err e, const struct fuzz_body *b,
                const struct noaber_input_errors *errs)
{
    int count = 0;
    for (size_t i = 0; i < FUZZ_SPEC_N; i++)
        count += errs->field[i] != NOABER_OK;
    if (count != errs->count || (e == NOABER_OK) != (count == 0))
        abort();
    if (e != NOABER_OK && e != NOABER_E_INVALID)
        abort();
    /* The required field has a value unless it was refused. */
    if (errs->field[0] == NOABER_OK &&
        (noaber_utf8_len(b->line) < 2 || noaber_utf8_len(b->line) > 80))
        abort();
    /* Text fields (their index in the spec): set, trimmed, and valid UTF-8 when accepted (a
     * refused value is only shown back in the form, which drops what is not UTF-8). */
    const struct {
        const char *v;
        int i;
    } texts[] = {{b->line, 0},   {b->text, 1}, {b->email, 2},    {b->username, 3},
                 {b->choice, 5}, {b->slug, 6}, {b->postcode, 7}, {b->name, 11}};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        const char *v = texts[i].v;
        if (!v)
            abort();
        size_t n = strlen(v); /* trimmed: no blank at either end */
        if (n && (isspace((unsigned char)v[0]) || isspace((unsigned char)v[n - 1])))
            abort();
        if (errs->field[texts[i].i] == NOABER_OK && !noaber_utf8_valid(v, n))
            abort();
    }
    if (errs->field[2] == NOABER_OK && *b->email &&
        (!strchr(b->email, '@') || strlen(b->email) > 254 || strpbrk(b->email, " <>\"\r\n")))
        abort();
    for (const char *p = b->email; *p; p++)
        if (errs->field[2] == NOABER_OK && *p >= 'A' && *p <= 'Z')
            abort();
    if (errs->field[3] == NOABER_OK && *b->username &&
        (strlen(b->username) < 3 || strlen(b->username) > 32 || !fuzz_all_of(b->username, "._-")))
        abort();
    if (errs->field[6] == NOABER_OK && *b->slug &&
        (strlen(b->slug) < 2 || strlen(b->slug) > 40 || !fuzz_all_of(b->slug, "-")))
        abort();
    if (errs->field[7] == NOABER_OK && *b->postcode &&
        (strlen(b->postcode) != 6 || b->postcode[0] < '1' || b->postcode[0] > '9' ||
         !isupper((unsigned char)b->postcode[4]) || !isupper((unsigned char)b->postcode[5])))
        abort();
    if (errs->field[8] == NOABER_OK && (b->n < -5 || b->n > 1000))
        abort();
    if (errs->field[5] == NOABER_OK && *b->choice && strcmp(b->choice, "resident") != 0 &&
        strcmp(b->choice, "connector") != 0)
        abort();
    if (b->flag != 0 && b->flag != 1)
        abort();
}

#endif
