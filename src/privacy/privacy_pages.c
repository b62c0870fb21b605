/*
 * HTML handlers of the privacy module, all about the logged-in person themself: "Mijn gegevens"
 * (everything held about them, grouped by table under a translated heading, and the same as a
 * JSON download), who opened their file (the access log), and the erasure of their account,
 * which asks for the password again (or, for an account without password, the word VERWIJDER),
 * then logs out everywhere and goes to the home page.
 */
#include "privacy/privacy_pages.h"

#include "base/arena.h"
#include "http/input.h"
#include "view/i18n.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *
when(struct noaber_req *r, int64_t at)
{
    char buf[32];
    time_t t = (time_t)at;
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm))
        return "";
    const char *s = noaber_arena_strdup(r->arena, buf);
    return s ? s : "";
}

/* Times are epoch seconds in columns named "at" or "..._at": shown as a date. */
static int
is_time_column(const char *name)
{
    size_t n = strlen(name);
    return strcmp(name, "at") == 0 || (n > 3 && strcmp(name + n - 3, "_at") == 0);
}

static json_t *
field_json(struct noaber_req *r, const struct privacy_column *c, const char *v)
{
    const char *shown = v;
    if (v && c->kind == PRIVACY_SECRET)
        shown = noaber_req_tr(r, N_("(kept, but not shown)"));
    else if (v && *v && is_time_column(c->name))
        shown = when(r, strtoll(v, NULL, 10));
    /* A secret is "" when there is one: not empty, only not shown. */
    int empty = !v || (!*v && c->kind != PRIVACY_SECRET);
    return json_pack("{s:s,s:s,s:s,s:b}", "name", c->name, "value", shown ? shown : "", "why",
                     c->purpose ? noaber_req_tr(r, c->purpose) : "", "empty", empty);
}

static json_t *
rows_json(struct noaber_req *r, const struct privacy_export_table *t,
          const char *const *const *rows, size_t n, int acted)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *fields = json_array();
        for (size_t c = 0; c < t->ncols; c++)
            if (!acted || privacy_export_shown_when_acted(t->cols[c]))
                json_array_append_new(fields, field_json(r, t->cols[c], rows[i][c]));
        json_array_append_new(
            list, json_pack("{s:o,s:I}", "fields", fields, "number", (json_int_t)(i + 1)));
    }
    return list;
}

enum noaber_err
privacy_page_data(struct noaber_req *r)
{
    struct privacy_export x;
    enum noaber_err e = privacy_export(r->db, r->actor.person_id, &x, r->arena);
    if (e != NOABER_OK)
        return e;
    json_t *tables = json_array();
    for (size_t i = 0; i < x.ntables; i++) {
        const struct privacy_export_table *t = &x.tables[i];
        json_t *tj =
            json_pack("{s:s,s:s,s:o,s:I}", "heading", noaber_req_tr(r, t->decl->description),
                      "table", t->decl->table, "rows", rows_json(r, t, t->own, t->nown, 0), "count",
                      (json_int_t)t->nown);
        if (t->nacted)
            json_object_set_new(tj, "acted", rows_json(r, t, t->acted, t->nacted, 1));
        json_array_append_new(tables, tj);
    }
    json_t *ctx = json_pack("{s:s,s:s,s:o}", "title", noaber_req_tr(r, N_("My data")), "generated",
                            when(r, x.generated_at), "tables", tables);
    return noaber_resp_page(r, 200, "privacy/data", ctx);
}

enum noaber_err
privacy_page_data_json(struct noaber_req *r)
{
    struct privacy_export x;
    enum noaber_err e = privacy_export(r->db, r->actor.person_id, &x, r->arena);
    if (e == NOABER_OK)
        e = noaber_resp_json(r, 200, privacy_export_json(&x));
    if (e == NOABER_OK)
        noaber_resp_header(r, "Content-Disposition", "attachment; filename=\"noaber-export.json\"");
    return e;
}

enum noaber_err
privacy_page_access_log(struct noaber_req *r)
{
    const char *p = noaber_req_query(r, "page");
    int page = p ? atoi(p) : 1;
    if (page < 1 || page > 10000)
        page = 1;
    struct privacy_access *rows;
    size_t n = 0;
    int64_t total = 0;
    enum noaber_err e = privacy_access_list(r->db, r->actor.person_id, (int64_t)(page - 1) * 50, 50,
                                            &rows, &n, &total, r->arena);
    if (e != NOABER_OK)
        return e;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            list, json_pack("{s:s,s:s,s:s}", "when", when(r, rows[i].at), "viewer",
                            rows[i].viewer ? rows[i].viewer : "", "what",
                            rows[i].what && *rows[i].what ? noaber_req_tr(r, rows[i].what) : ""));
    json_t *ctx = json_pack("{s:s,s:o,s:I,s:I,s:I}", "title",
                            noaber_req_tr(r, N_("Who opened my file")), "entries", list, "total",
                            (json_int_t)total, "prev", (json_int_t)(page > 1 ? page - 1 : 0),
                            "next", (json_int_t)((int64_t)page * 50 < total ? page + 1 : 0));
    return noaber_resp_page(r, 200, "privacy/access_log", ctx);
}

/* --- erasure --------------------------------------------------------------------------------- */

struct erase_form {
    const char *password, *confirm;
};
static const struct noaber_field erase_spec[] = {
    {"password", NOABER_F_PASSWORD, 0, 0, 0, offsetof(struct erase_form, password), NULL},
    {"confirm", NOABER_F_LINE, 0, 0, 40, offsetof(struct erase_form, confirm), NULL},
};

static enum noaber_err
erase_page(struct noaber_req *r, int status, const struct erase_form *in,
           const struct noaber_input_errors *errs, enum noaber_err e)
{
    int has_password = 0, last_admin = 0;
    enum noaber_err ce = privacy_erase_check(r->db, r->actor.person_id, &has_password, &last_admin);
    if (ce != NOABER_OK)
        return ce;
    /* The word to type is Dutch on Dutch pages; VERWIJDER and DELETE are both accepted. */
    int nl = !r->lang || strcmp(r->lang, "nl") == 0;
    json_t *ctx = json_pack("{s:s,s:b,s:b,s:s}", "title", noaber_req_tr(r, N_("Erase my account")),
                            "has_password", has_password, "last_admin", last_admin, "word",
                            nl ? PRIVACY_CONFIRM_WORD : "DELETE");
    noaber_input_context(r, ctx, erase_spec, N(erase_spec), in, errs);
    if (e != NOABER_OK)
        json_object_set_new(ctx, "error", json_string(noaber_req_errmsg(r, e)));
    if (e == NOABER_E_RATE_LIMITED) {
        char *after = noaber_arena_printf(r->arena, "%d",
                                          (r->retry_minutes > 0 ? r->retry_minutes : 15) * 60);
        if (after)
            noaber_resp_header(r, "Retry-After", after);
    }
    return noaber_resp_page(r, status, "privacy/erase", ctx);
}

enum noaber_err
privacy_page_erase_form(struct noaber_req *r)
{
    struct erase_form in = {"", ""};
    return erase_page(r, 200, &in, NULL, NOABER_OK);
}

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
privacy_page_erase(struct noaber_req *r)
{
    struct erase_form in;
    struct noaber_input_errors errs;
    enum noaber_err e = noaber_input_parse(r, erase_spec, N(erase_spec), &in, &errs);
    if (e == NOABER_OK && !*in.password && !*in.confirm)
        e = nothing_typed(r, &errs);
    if (e == NOABER_E_INVALID)
        return erase_page(r, 422, &in, &errs, e);
    if (e == NOABER_OK)
        e = privacy_erase_confirmed(r->db, r->actor.person_id, in.password, in.confirm,
                                    &r->retry_minutes);
    if (e == NOABER_E_WRONG_PASSWORD || e == NOABER_E_CONFIRM_WORD) {
        memset(&errs, 0, sizeof errs);
        errs.field[e == NOABER_E_WRONG_PASSWORD ? 0 : 1] = e;
        errs.count = 1;
        return erase_page(r, noaber_err_status(e), &in, &errs, e);
    }
    if (e == NOABER_E_RATE_LIMITED || e == NOABER_E_LAST_ADMIN)
        return erase_page(r, noaber_err_status(e), &in, NULL, e);
    if (e != NOABER_OK)
        return e;
    noaber_resp_cookie(r, "noaber_session", "", -1);
    noaber_resp_flash(r, "erased");
    return noaber_resp_redirect(r, "/");
}
