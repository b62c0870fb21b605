/*
 * HTML and JSON handlers of the messages module: the in-app inbox (list, one message, mark all
 * read), the connectors' call list of a neighbourhood, and the letters waiting to be printed.
 * Reading one's own messages is all a person can do here; the call list is for the connectors
 * and coordinators of that neighbourhood only.
 */
#include "notify/notify_pages.h"

#include "base/arena.h"
#include "notify/notify.h"
#include "view/i18n.h"

#include <stdlib.h>
#include <time.h>

static json_t *
message_json(const struct notify_message *m)
{
    char when[32];
    time_t t = (time_t)m->created_at;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
    return json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:I,s:b}", "id", (json_int_t)m->id, "kind", m->kind,
                     "subject", m->subject, "body", m->body, "link", m->link ? m->link : "", "when",
                     when, "created_at", (json_int_t)m->created_at, "unread", m->read_at == 0);
}

static enum noaber_err
inbox(struct noaber_req *r, json_t **list, int64_t *total, int64_t *unread, int *page)
{
    const char *p = noaber_req_query(r, "page");
    *page = p ? atoi(p) : 1;
    if (*page < 1 || *page > 10000)
        *page = 1;
    struct notify_message *rows;
    size_t n = 0;
    enum noaber_err e = notify_inbox_count(r->db, r->actor.person_id, total, unread);
    if (e == NOABER_OK)
        e = notify_inbox_list(r->db, r->arena, r->actor.person_id, (*page - 1) * 25, 25, &rows, &n);
    if (e != NOABER_OK)
        return e;
    *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(*list, message_json(&rows[i]));
    return NOABER_OK;
}

enum noaber_err
notify_page_inbox(struct noaber_req *r)
{
    json_t *list;
    int64_t total = 0, unread = 0;
    int page;
    enum noaber_err e = inbox(r, &list, &total, &unread, &page);
    if (e != NOABER_OK)
        return e;
    json_t *ctx = json_pack("{s:s,s:o,s:I,s:I,s:I,s:I}", "title", noaber_req_tr(r, N_("Messages")),
                            "messages", list, "total", (json_int_t)total, "unread",
                            (json_int_t)unread, "prev", (json_int_t)(page > 1 ? page - 1 : 0),
                            "next", (json_int_t)(page * 25 < total ? page + 1 : 0));
    return noaber_resp_page(r, 200, "notify/inbox", ctx);
}

enum noaber_err
notify_page_message(struct noaber_req *r)
{
    struct notify_message m;
    int64_t id = noaber_req_param_id(r, "id");
    /* Only one's own message is found: another person's id gives 404, not 403, so ids tell
     * nothing. Opening it marks it read (a logged-in view may write). */
    enum noaber_err e = notify_inbox_get(r->db, r->arena, r->actor.person_id, id, &m);
    if (e == NOABER_OK && !m.read_at)
        e = notify_inbox_mark_read(r->db, r->actor.person_id, id);
    if (e != NOABER_OK)
        return e;
    json_t *ctx = message_json(&m);
    json_object_set_new(ctx, "title", json_string(m.subject));
    return noaber_resp_page(r, 200, "notify/message", ctx);
}

enum noaber_err
notify_page_read_all(struct noaber_req *r)
{
    enum noaber_err e = notify_inbox_mark_all_read(r->db, r->actor.person_id, NULL);
    return e == NOABER_OK ? noaber_resp_redirect(r, "/messages") : e;
}

enum noaber_err
notify_page_calls(struct noaber_req *r)
{
    struct notify_call *calls;
    size_t n = 0;
    enum noaber_err e = notify_calls_pending(r->db, r->arena, r->hood.id, &calls, &n);
    if (e != NOABER_OK)
        return e;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            list, json_pack("{s:I,s:s,s:s,s:s,s:s}", "id", (json_int_t)calls[i].delivery_id, "name",
                            calls[i].display_name, "phone", calls[i].phone ? calls[i].phone : "",
                            "subject", calls[i].subject, "body", calls[i].body));
    json_t *ctx = json_pack("{s:s,s:o,s:s,s:s}", "title", noaber_req_tr(r, N_("Call list")),
                            "calls", list, "slug", r->hood.slug, "hood_name", r->hood.name);
    return noaber_resp_page(r, 200, "notify/calls", ctx);
}

enum noaber_err
notify_page_call_done(struct noaber_req *r)
{
    enum noaber_err e =
        notify_call_handled(r->db, r->hood.id, noaber_req_param_id(r, "id"), r->actor.person_id);
    if (e != NOABER_OK)
        return e;
    noaber_resp_flash(r, "call_done");
    return noaber_resp_redirect(r, noaber_arena_printf(r->arena, "/n/%s/calls", r->hood.slug));
}

static json_t *
letters_json(const struct notify_letter *rows, size_t n)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            list, json_pack("{s:I,s:s,s:s,s:s,s:s,s:b}", "id", (json_int_t)rows[i].delivery_id,
                            "name", rows[i].display_name, "address",
                            rows[i].postal_address ? rows[i].postal_address : "", "subject",
                            rows[i].subject, "body", rows[i].body, "no_address",
                            !rows[i].postal_address || !*rows[i].postal_address));
    return list;
}

/* Letters on paper for residents who asked for them: the list, and one batch to print. */
enum noaber_err
notify_page_letters(struct noaber_req *r)
{
    struct notify_letter *rows;
    size_t n = 0;
    enum noaber_err e = notify_letters_pending(r->db, r->arena, r->hood.id, &rows, &n);
    if (e != NOABER_OK)
        return e;
    json_t *ctx =
        json_pack("{s:s,s:o,s:s,s:s}", "title", noaber_req_tr(r, N_("Letters")), "letters",
                  letters_json(rows, n), "slug", r->hood.slug, "hood_name", r->hood.name);
    return noaber_resp_page(r, 200, "notify/letters", ctx);
}

enum noaber_err
notify_page_letters_print(struct noaber_req *r)
{
    struct notify_letter *rows;
    size_t n = 0;
    int64_t batch = 0;
    /* Each letter is in exactly one batch, also when two people press the button at once. */
    enum noaber_err e =
        notify_letters_print(r->db, r->arena, r->hood.id, r->actor.person_id, &batch, &rows, &n);
    if (e != NOABER_OK)
        return e;
    json_t *ctx = json_pack("{s:s,s:o,s:I,s:I,s:s,s:s}", "title", noaber_req_tr(r, N_("Letters")),
                            "letters", letters_json(rows, n), "batch", (json_int_t)batch, "count",
                            (json_int_t)n, "slug", r->hood.slug, "hood_name", r->hood.name);
    return noaber_resp_page(r, 200, "notify/letters_print", ctx);
}

enum noaber_err
notify_api_inbox(struct noaber_req *r)
{
    json_t *list;
    int64_t total = 0, unread = 0;
    int page;
    enum noaber_err e = inbox(r, &list, &total, &unread, &page);
    if (e != NOABER_OK)
        return e;
    return noaber_resp_json(r, 200,
                            json_pack("{s:o,s:I,s:I}", "messages", list, "total", (json_int_t)total,
                                      "unread", (json_int_t)unread));
}

enum noaber_err
notify_api_read(struct noaber_req *r)
{
    enum noaber_err e =
        notify_inbox_mark_read(r->db, r->actor.person_id, noaber_req_param_id(r, "id"));
    return e == NOABER_OK ? noaber_resp_json(r, 200, json_pack("{s:b}", "read", 1)) : e;
}

#define R(m, p, h, a)                                                                              \
    {                                                                                              \
        NOABER_##m, p, h, MEMBERS_A_##a                                                            \
    }

const struct noaber_route notify_routes[] = {
    R(GET, "/messages", notify_page_inbox, LOGGED_IN),
    R(GET, "/messages/{id}", notify_page_message, LOGGED_IN),
    R(POST, "/messages/read-all", notify_page_read_all, LOGGED_IN),
    R(GET, "/n/{hood}/calls", notify_page_calls, CALL_LIST),
    R(POST, "/n/{hood}/calls/{id}/done", notify_page_call_done, CALL_LIST),
    R(GET, "/n/{hood}/letters", notify_page_letters, CALL_LIST),
    R(POST, "/n/{hood}/letters/print", notify_page_letters_print, CALL_LIST),
    R(GET, "/api/v1/messages", notify_api_inbox, LOGGED_IN),
    R(POST, "/api/v1/messages/{id}/read", notify_api_read, LOGGED_IN),
    {0, NULL, NULL, 0},
};
