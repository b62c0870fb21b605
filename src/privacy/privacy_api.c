/*
 * JSON handlers of the privacy module under /api/v1/me: the export of everything held about the
 * person (the same document the page /account/data.json downloads), the erasure of their account
 * and who opened their file. They share the operations of the pages; only the rendering differs.
 */
#include "privacy/privacy_pages.h"

#include "base/arena.h"
#include "http/input.h"
#include "view/i18n.h"

#include <stdlib.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static json_t *
value_json(const char *v)
{
    return v ? json_string(v) : json_null();
}

json_t *
privacy_export_json(const struct privacy_export *x)
{
    json_t *tables = json_object();
    for (size_t i = 0; i < x->ntables; i++) {
        const struct privacy_export_table *t = &x->tables[i];
        json_t *own = json_array(), *acted = json_array();
        for (size_t r = 0; r < t->nown; r++) {
            json_t *row = json_object();
            for (size_t c = 0; c < t->ncols; c++)
                json_object_set_new(row, t->cols[c]->name, value_json(t->own[r][c]));
            json_array_append_new(own, row);
        }
        for (size_t r = 0; r < t->nacted; r++) {
            json_t *row = json_object();
            for (size_t c = 0; c < t->ncols; c++)
                if (privacy_export_shown_when_acted(t->cols[c]))
                    json_object_set_new(row, t->cols[c]->name, value_json(t->acted[r][c]));
            json_array_append_new(acted, row);
        }
        json_t *tj = json_pack("{s:s,s:o}", "description", t->decl->description, "rows", own);
        if (t->nacted)
            json_object_set_new(tj, "acted", acted);
        else
            json_decref(acted);
        json_object_set_new(tables, t->decl->table, tj);
    }
    return json_pack("{s:s,s:I,s:I,s:o}", "format", "noaber-export/1", "person_id",
                     (json_int_t)x->person_id, "generated_at", (json_int_t)x->generated_at,
                     "tables", tables);
}

enum noaber_err
privacy_api_export(struct noaber_req *r)
{
    struct privacy_export x;
    enum noaber_err e = privacy_export(r->db, r->actor.person_id, &x, r->arena);
    return e == NOABER_OK ? noaber_resp_json(r, 200, privacy_export_json(&x)) : e;
}

struct erase_body {
    const char *password, *confirm;
};
static const struct noaber_field erase_spec[] = {
    {"password", NOABER_F_PASSWORD, 0, 0, 0, offsetof(struct erase_body, password), NULL},
    {"confirm", NOABER_F_LINE, 0, 0, 40, offsetof(struct erase_body, confirm), NULL},
};

/* Neither a password nor the word: the one field this account confirms with is required. */
static enum noaber_err
nothing_typed(struct noaber_req *r, struct noaber_input_errors *errs)
{
    int has_password = 0, last_admin = 0;
    enum noaber_err e = privacy_erase_check(r->db, r->actor.person_id, &has_password, &last_admin);
    if (e != NOABER_OK)
        return e;
    errs->field[has_password ? 0 : 1] = NOABER_E_REQUIRED;
    errs->count = 1;
    return NOABER_E_INVALID;
}

enum noaber_err
privacy_api_erase(struct noaber_req *r)
{
    struct erase_body in;
    struct noaber_input_errors errs;
    enum noaber_err e = noaber_input_parse(r, erase_spec, N(erase_spec), &in, &errs);
    if (e == NOABER_OK && !*in.password && !*in.confirm)
        e = nothing_typed(r, &errs);
    if (e == NOABER_OK)
        e = privacy_erase_confirmed(r->db, r->actor.person_id, in.password, in.confirm,
                                    &r->retry_minutes);
    if (e == NOABER_E_WRONG_PASSWORD || e == NOABER_E_CONFIRM_WORD) {
        memset(&errs, 0, sizeof errs);
        errs.field[e == NOABER_E_WRONG_PASSWORD ? 0 : 1] = e;
        errs.count = 1;
    }
    if (e == NOABER_E_INVALID || e == NOABER_E_WRONG_PASSWORD || e == NOABER_E_CONFIRM_WORD)
        return noaber_resp_json(
            r, noaber_err_status(e),
            json_pack("{s:{s:s,s:s,s:o}}", "error", "code", noaber_err_name(e), "message",
                      noaber_req_errmsg(r, e), "fields",
                      noaber_input_json_errors(r, erase_spec, N(erase_spec), &errs)));
    if (e != NOABER_OK)
        return e;
    /* The sessions are gone with the account; the browser's cookie goes too. */
    noaber_resp_cookie(r, "noaber_session", "", -1);
    return noaber_resp_json(r, 200, json_pack("{s:b}", "erased", 1));
}

enum noaber_err
privacy_api_access_log(struct noaber_req *r)
{
    const char *off = noaber_req_query(r, "offset"), *lim = noaber_req_query(r, "limit");
    struct privacy_access *rows;
    size_t n = 0;
    int64_t total = 0;
    enum noaber_err e =
        privacy_access_list(r->db, r->actor.person_id, off ? strtoll(off, NULL, 10) : 0,
                            lim ? strtoll(lim, NULL, 10) : 50, &rows, &n, &total, r->arena);
    if (e != NOABER_OK)
        return e;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            list, json_pack("{s:I,s:I,s:s,s:s,s:s}", "id", (json_int_t)rows[i].id, "at",
                            (json_int_t)rows[i].at, "viewer", rows[i].viewer ? rows[i].viewer : "",
                            "what", rows[i].what ? rows[i].what : "", "what_label",
                            rows[i].what && *rows[i].what ? noaber_req_tr(r, rows[i].what) : ""));
    return noaber_resp_json(r, 200,
                            json_pack("{s:o,s:I}", "entries", list, "total", (json_int_t)total));
}
