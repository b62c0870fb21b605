/*
 * Fuzz target for multipart/form-data bodies (noaber_form_multipart in src/http/form.c),
 * followed by the one input parser over a spec with a field of every type (fuzz/spec.h). The
 * input's first line is the Content-Type header (where the boundary comes from), the rest the
 * body, so both are fuzzed together. Checks: every part has a UTF-8 name, text parts hold valid
 * UTF-8 of value_len bytes, file parts keep every byte (NUL included) and are NUL-terminated,
 * the value lies inside the body, and there are at most NOABER_FORM_MAX_FIELDS parts. Built and
 * run by fuzz/run; seeds in fuzz/corpus/multipart/.
 */
#include "spec.h"

#include "base/arena.h"
#include "base/util.h"
#include "http/form.h"
#include "http/input.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void
check_parts(const struct noaber_kv *kv, const char *body, size_t n)
{
    int count = 0;
    for (; kv; kv = kv->next, count++) {
        if (!kv->name || !kv->value || kv->value[kv->value_len] != '\0')
            abort();
        if (!noaber_utf8_valid(kv->name, strlen(kv->name)))
            abort();
        if (!kv->filename && !noaber_utf8_valid(kv->value, kv->value_len))
            abort();
        if (kv->filename && !noaber_utf8_valid(kv->filename, strlen(kv->filename)))
            abort();
        /* A part's bytes are a copy of bytes of the body. */
        if (kv->value_len > n || (kv->value_len && !memmem(body, n, kv->value, kv->value_len)))
            abort();
    }
    if (count > NOABER_FORM_MAX_FIELDS)
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *nl = memchr(data, '\n', size);
    if (!nl)
        return 0;
    struct noaber_arena *a = noaber_arena_new(1 << 20);
    size_t hl = (size_t)(nl - (const char *)data);
    char *ctype = noaber_arena_strndup(a, (const char *)data, hl); /* stops at a NUL, as a header */
    const char *body = nl + 1;
    size_t n = size - hl - 1;
    /* Like the server's copy of a body: exactly N bytes, so ASan sees any read past the end. */
    char *copy = malloc(n ? n : 1);
    if (n)
        memcpy(copy, body, n);
    struct noaber_kv *kv;
    enum noaber_err e = noaber_form_multipart(a, ctype, copy, n, &kv);
    if (e == NOABER_OK) {
        check_parts(kv, copy, n);
        struct fuzz_body fb;
        struct noaber_input_errors errs;
        memset(&fb, 0, sizeof fb);
        e = noaber_input_from_kv(a, kv, fuzz_spec, FUZZ_SPEC_N, &fb, &errs);
        if (e != NOABER_E_TOO_LARGE)
            fuzz_spec_check(e, &fb, &errs);
    } else if (e != NOABER_E_BAD_REQUEST && e != NOABER_E_BAD_ENCODING && e != NOABER_E_TOO_LARGE) {
        abort();
    }
    free(copy);
    noaber_arena_free(a);
    return 0;
}
