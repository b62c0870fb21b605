/*
 * The one input parser (see input.h). For JSON bodies the object's members are turned into
 * name/value pairs first (numbers and booleans as their text), so that the same rules apply to a
 * form post and an API call.
 */
#include "http/input.h"

#include "base/arena.h"
#include "base/log.h"
#include "base/util.h"
#include "http/form.h"
#include "members/members.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int
has_control(const char *s, int allow_newlines)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == 0x7f || (c < 0x20 && !(allow_newlines && (c == '\n' || c == '\r' || c == '\t'))))
            return 1;
    }
    return 0;
}

static enum noaber_err
check_text(char *v, const struct noaber_field *f, int multi)
{
    if (has_control(v, multi))
        return NOABER_E_BAD_ENCODING;
    size_t len = noaber_utf8_len(v);
    long max = f->max ? f->max : (multi ? 10000 : 200);
    if ((long)len > max)
        return NOABER_E_TOO_LONG;
    if (f->min && (long)len < f->min)
        return NOABER_E_TOO_SHORT;
    return NOABER_OK;
}

static enum noaber_err
one_field(struct noaber_arena *a, const struct noaber_field *f, const char *raw, void *out)
{
    char **text = (char **)(void *)((char *)out + f->offset);
    if (f->type == NOABER_F_BOOL) {
        *(int *)(void *)((char *)out + f->offset) =
            raw && *raw && strcmp(raw, "0") != 0 && strcmp(raw, "false") != 0;
        return NOABER_OK;
    }
    char *v = noaber_arena_strdup(a, raw ? raw : "");
    if (!v)
        return NOABER_E_TOO_LARGE;
    if (f->type != NOABER_F_PASSWORD)
        noaber_trim(v);
    if (f->type == NOABER_F_INT)
        *(int64_t *)(void *)((char *)out + f->offset) = 0;
    else
        *text = v;
    if (!*v)
        return f->required ? NOABER_E_REQUIRED : NOABER_OK;
    switch (f->type) {
    case NOABER_F_LINE:
        return check_text(v, f, 0);
    case NOABER_F_TEXT:
        return check_text(v, f, 1);
    case NOABER_F_PASSWORD:
        return strlen(v) > 1000 ? NOABER_E_TOO_LONG : NOABER_OK;
    case NOABER_F_INT: {
        char *end;
        errno = 0;
        long long n = strtoll(v, &end, 10);
        if (errno || *end || end == v)
            return NOABER_E_NOT_A_NUMBER;
        if ((f->min || f->max) && (n < f->min || n > f->max))
            return NOABER_E_OUT_OF_RANGE;
        *(int64_t *)(void *)((char *)out + f->offset) = n;
        return NOABER_OK;
    }
    case NOABER_F_EMAIL:
        return members_check_email(v);
    case NOABER_F_USERNAME:
        return members_check_username(v);
    case NOABER_F_SLUG:
        return members_check_slug(v);
    case NOABER_F_POSTCODE:
        return members_check_postcode(v);
    case NOABER_F_CHOICE:
        for (const char *const *c = f->choices; c && *c; c++)
            if (strcmp(*c, v) == 0)
                return NOABER_OK;
        return NOABER_E_BAD_CHOICE;
    case NOABER_F_BOOL:
        break;
    }
    return NOABER_OK;
}

enum noaber_err
noaber_input_from_kv(struct noaber_arena *a, const struct noaber_kv *kv,
                     const struct noaber_field *spec, size_t n, void *out,
                     struct noaber_input_errors *errs)
{
    memset(errs, 0, sizeof *errs);
    if (NEVER(n > NOABER_MAX_FIELDS))
        return NOABER_E_INTERNAL;
    for (size_t i = 0; i < n; i++) {
        const struct noaber_kv *v = noaber_kv_find(kv, spec[i].name);
        if (v && v->filename) /* an uploaded file is never a text field */
            v = NULL;
        enum noaber_err e = one_field(a, &spec[i], v ? v->value : NULL, out);
        if (e == NOABER_E_TOO_LARGE)
            return e;
        errs->field[i] = e;
        errs->count += e != NOABER_OK;
    }
    return errs->count ? NOABER_E_INVALID : NOABER_OK;
}

/* The JSON body's members as name/value pairs (objects and arrays are skipped). */
static struct noaber_kv *
json_kv(struct noaber_arena *a, json_t *obj)
{
    struct noaber_kv *head = NULL;
    const char *key;
    json_t *val;
    json_object_foreach(obj, key, val)
    {
        const char *text = NULL;
        if (json_is_string(val))
            text = json_string_value(val);
        else if (json_is_integer(val))
            text = noaber_arena_printf(a, "%" JSON_INTEGER_FORMAT, json_integer_value(val));
        else if (json_is_true(val))
            text = "1";
        else if (json_is_false(val))
            text = "0";
        if (!text)
            continue;
        struct noaber_kv *kv = noaber_arena_alloc(a, sizeof *kv);
        if (!kv)
            return head;
        kv->name = key;
        kv->value = text;
        kv->value_len = strlen(text);
        kv->next = head;
        head = kv;
    }
    return head;
}

enum noaber_err
noaber_input_parse(struct noaber_req *r, const struct noaber_field *spec, size_t n, void *out,
                   struct noaber_input_errors *errs)
{
    const struct noaber_kv *kv = r->form;
    if (r->json_body) {
        if (!json_is_object(r->json))
            return NOABER_E_BAD_JSON;
        kv = json_kv(r->arena, r->json);
    }
    return noaber_input_from_kv(r->arena, kv, spec, n, out, errs);
}

static const char *
field_text(const struct noaber_field *f, const void *in)
{
    if (f->type == NOABER_F_PASSWORD || f->type == NOABER_F_BOOL || f->type == NOABER_F_INT)
        return NULL;
    return *(const char *const *)(const void *)((const char *)in + f->offset);
}

void
noaber_input_context(struct noaber_req *r, json_t *ctx, const struct noaber_field *spec, size_t n,
                     const void *in, const struct noaber_input_errors *errs)
{
    json_t *values = json_object(), *errors = json_object();
    for (size_t i = 0; i < n; i++) {
        const char *v = field_text(&spec[i], in);
        if (spec[i].type == NOABER_F_INT) {
            const struct noaber_kv *raw = noaber_kv_find(r->form, spec[i].name);
            v = raw ? raw->value : NULL;
        }
        if (v)
            json_object_set_new(values, spec[i].name, json_string(v));
        if (errs && errs->field[i] != NOABER_OK)
            json_object_set_new(errors, spec[i].name,
                                json_string(noaber_req_errmsg(r, errs->field[i])));
    }
    json_object_set_new(ctx, "values", values);
    json_object_set_new(ctx, "errors", errors);
}

json_t *
noaber_input_json_errors(struct noaber_req *r, const struct noaber_field *spec, size_t n,
                         const struct noaber_input_errors *errs)
{
    json_t *fields = json_object();
    for (size_t i = 0; i < n; i++)
        if (errs->field[i] != NOABER_OK)
            json_object_set_new(fields, spec[i].name,
                                json_pack("{s:s,s:s}", "code", noaber_err_name(errs->field[i]),
                                          "message", noaber_req_errmsg(r, errs->field[i])));
    return fields;
}

enum noaber_err
noaber_input_api_invalid(struct noaber_req *r, const struct noaber_field *spec, size_t n,
                         const struct noaber_input_errors *errs)
{
    return noaber_resp_json(r, 422,
                            json_pack("{s:{s:s,s:s,s:o}}", "error", "code", "INVALID", "message",
                                      noaber_req_errmsg(r, NOABER_E_INVALID), "fields",
                                      noaber_input_json_errors(r, spec, n, errs)));
}
