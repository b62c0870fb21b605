/*
 * Fuzz target for JSON request bodies: the bytes are parsed as the server does it
 * (json_loadb with JSON_REJECT_DUPLICATES in src/http/server.c), then the one input parser
 * (noaber_input_parse in src/http/input.c) turns the object's members into fields of a spec with
 * a field of every type (fuzz/spec.h), and the per-field errors are rendered as the API's error
 * body and as a form's re-rendering context. Checks: a body that is not an object is refused
 * with NOABER_E_BAD_JSON, and accepted fields have their type's shape. Built and run by fuzz/run;
 * seeds in fuzz/corpus/json/.
 */
#include "spec.h"

#include "base/arena.h"
#include "http/http.h"
#include "http/input.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t jerr;
    json_t *root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return 0;
    struct noaber_req r;
    memset(&r, 0, sizeof r);
    r.arena = noaber_arena_new(1 << 20);
    r.json_body = 1;
    r.json = root;
    r.is_api = 1;
    r.lang = "nl";
    struct fuzz_body body;
    struct noaber_input_errors errs;
    memset(&body, 0, sizeof body);
    enum noaber_err e = noaber_input_parse(&r, fuzz_spec, FUZZ_SPEC_N, &body, &errs);
    if (!json_is_object(root)) {
        if (e != NOABER_E_BAD_JSON)
            abort();
    } else if (e != NOABER_E_TOO_LARGE) {
        fuzz_spec_check(e, &body, &errs);
        json_t *fields = noaber_input_json_errors(&r, fuzz_spec, FUZZ_SPEC_N, &errs);
        if (!fields || json_object_size(fields) != (size_t)errs.count)
            abort();
        json_decref(fields);
        json_t *ctx = json_object();
        noaber_input_context(&r, ctx, fuzz_spec, FUZZ_SPEC_N, &body, &errs);
        if (json_object_size(json_object_get(ctx, "errors")) != (size_t)errs.count)
            abort();
        json_decref(ctx);
    }
    json_decref(root);
    noaber_arena_free(r.arena);
    return 0;
}
