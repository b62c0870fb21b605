/*
 * Fuzz target for application/x-www-form-urlencoded bodies and query strings
 * (noaber_form_urlencoded in src/http/form.c), followed by the one input parser
 * (noaber_input_from_kv in src/http/input.c) over a spec with a field of every type. Beyond "no
 * crash, no leak, no undefined behaviour" it checks what the parsers promise: names and values
 * are valid UTF-8 without NUL, value_len is the value's length, at most NOABER_FORM_MAX_FIELDS
 * fields, a parsed list encoded again parses to the same list, and accepted fields have their
 * type's shape (fuzz/spec.h). Built and run by fuzz/run; seeds in fuzz/corpus/form/.
 */
#include "spec.h"

#include "base/arena.h"
#include "base/util.h"
#include "http/form.h"
#include "http/input.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
check_list(const struct noaber_kv *kv)
{
    int n = 0;
    for (; kv; kv = kv->next, n++) {
        if (!kv->name || !kv->value || strlen(kv->value) != kv->value_len)
            abort();
        if (!noaber_utf8_valid(kv->name, strlen(kv->name)) ||
            !noaber_utf8_valid(kv->value, kv->value_len))
            abort();
    }
    if (n > NOABER_FORM_MAX_FIELDS)
        abort();
}

/* Percent-encodes every byte that is not a letter or digit. */
static void
encode(struct noaber_buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
            noaber_buf_putc(b, (char)c);
        else
            noaber_buf_printf(b, "%%%02X", c);
    }
}

static void
round_trip(const struct noaber_kv *list)
{
    struct noaber_arena *a = noaber_arena_new(0);
    struct noaber_buf b;
    noaber_buf_init(&b, a);
    for (const struct noaber_kv *kv = list; kv; kv = kv->next) {
        if (kv != list)
            noaber_buf_putc(&b, '&');
        encode(&b, kv->name);
        noaber_buf_putc(&b, '=');
        encode(&b, kv->value);
    }
    struct noaber_kv *again;
    if (noaber_form_urlencoded(a, b.data ? b.data : "", b.len, &again) != NOABER_OK)
        abort();
    for (; list && again; list = list->next, again = again->next)
        if (strcmp(list->name, again->name) != 0 || strcmp(list->value, again->value) != 0)
            abort();
    if (list || again)
        abort();
    noaber_arena_free(a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct noaber_arena *a = noaber_arena_new(1 << 20);
    struct noaber_kv *kv;
    enum noaber_err e = noaber_form_urlencoded(a, (const char *)data, size, &kv);
    if (e == NOABER_OK) {
        check_list(kv);
        round_trip(kv);
        struct fuzz_body body;
        struct noaber_input_errors errs;
        memset(&body, 0, sizeof body);
        e = noaber_input_from_kv(a, kv, fuzz_spec, FUZZ_SPEC_N, &body, &errs);
        if (e != NOABER_E_TOO_LARGE)
            fuzz_spec_check(e, &body, &errs);
    } else if (e != NOABER_E_BAD_ENCODING && e != NOABER_E_TOO_LARGE) {
        abort();
    }
    noaber_arena_free(a);
    return 0;
}
