/*
 * Operations of the notify module (see notify.h): queueing a message with its delivery inside the
 * caller's transaction, the inbox, the call list and the letters, and the delivery pass that
 * claims due e-mail, sends it over SMTP (notify_smtp.c) and records each outcome with the retry
 * rules of notify_rules.c. SQL lives in notify_store.c; the thread that runs the pass in the
 * server is in notify_worker.c. Process-wide state here: the Message-ID domain, the retry policy
 * and the counters for /metrics.
 */
#include "notify/notify_int.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/log.h"
#include "base/util.h"
#include "db/db.h"
#include "view/i18n.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static char msgid_host[256] = "localhost";
static pthread_mutex_t policy_lock = PTHREAD_MUTEX_INITIALIZER;
static struct notify_policy policy = {15, 3, 30, 6 * 3600, 300, 20, 60, 5};
static atomic_ullong st_sent, st_failed, st_retried;
static atomic_int warned_no_smtp;

void
notify_init(const struct noaber_config *cfg)
{
    notify_rules_msgid_host(msgid_host, sizeof msgid_host, cfg->public_url);
}

/* ---- queueing -------------------------------------------------------------------------------- */

/* Checks the fields of a message and copies its subject, made one line, into SUBJECT. */
static enum noaber_err
check_message(const char *kind, const char *subject, const char *body, const char *link,
              char subject_out[NOTIFY_SUBJECT_MAX + 1])
{
    if (!notify_rules_kind_ok(kind) || !subject || !body || !notify_rules_link_ok(link))
        return NOABER_E_INVALID;
    size_t sn = strlen(subject), bn = strlen(body);
    if (sn > NOTIFY_SUBJECT_MAX || bn > NOTIFY_BODY_MAX)
        return NOABER_E_TOO_LONG;
    if (!noaber_utf8_valid(subject, sn) || !noaber_utf8_valid(body, bn))
        return NOABER_E_BAD_ENCODING;
    notify_rules_one_line(subject_out, NOTIFY_SUBJECT_MAX + 1, subject);
    return *subject_out ? NOABER_OK : NOABER_E_INVALID;
}

enum noaber_err
notify_queue(struct noaber_db *db, const struct notify_msg *m, int64_t *message_row_out)
{
    /* Queued outside a transaction, a message could outlive a cause that was rolled back. */
    if (NEVER(!noaber_db_in_tx(db)))
        return NOABER_E_INTERNAL;
    char subject[NOTIFY_SUBJECT_MAX + 1];
    enum noaber_err e = check_message(m->kind, m->subject, m->body, m->link, subject);
    struct notify_person p;
    if (e == NOABER_OK)
        e = m->person_id > 0 ? notify_store_person(db, m->person_id, &p) : NOABER_E_NOT_FOUND;
    if (e != NOABER_OK)
        return e;
    int fallback = 0;
    enum notify_route r =
        notify_rules_route(p.channel, notify_rules_address_ok(p.email), &fallback);
    int64_t now = noaber_now(), row = 0;
    e = notify_store_insert_message(db, m->person_id, m->neighbourhood_id, m->kind, subject,
                                    m->body, m->link, msgid_host, now, &row);
    const char *channel = notify_rules_route_channel(r);
    if (e == NOABER_OK && channel)
        e = notify_store_insert_delivery(db, row, channel, r == NOTIFY_ROUTE_EMAIL ? p.email : "",
                                         now);
    if (e != NOABER_OK)
        return e;
    if (fallback)
        noaber_info("notify: person %lld chose channel '%s' without a verified e-mail address; "
                    "message %lld is in the inbox only",
                    (long long)m->person_id, p.channel, (long long)row);
    if (r == NOTIFY_ROUTE_EMAIL)
        notify_worker_wake();
    if (message_row_out)
        *message_row_out = row;
    return NOABER_OK;
}

/* MSG with "{name}", "{hood}", "{what}" and "{title}" replaced by VALS, on A. */
static const char *
fill(struct noaber_arena *a, const char *msg, const char *const vals[4])
{
    static const char *const keys[] = {"{name}", "{hood}", "{what}", "{title}"};
    struct noaber_buf b;
    noaber_buf_init(&b, a);
    for (const char *p = msg; *p;) {
        size_t k = 0, n = 0;
        while (k < 4 && strncmp(p, keys[k], n = strlen(keys[k])) != 0)
            k++;
        if (k < 4) {
            noaber_buf_puts(&b, vals[k] ? vals[k] : "");
            p += n;
        } else {
            noaber_buf_putc(&b, *p++);
        }
    }
    return b.failed ? msg : noaber_buf_str(&b);
}

enum noaber_err
notify_tell(struct noaber_db *db, int64_t person, int64_t neighbourhood_id, const char *kind,
            const char *subject, const char *body, const struct notify_vars *vars, const char *link)
{
    struct notify_person p;
    enum noaber_err e = notify_store_person(db, person, &p);
    if (e != NOABER_OK)
        return e;
    const struct noaber_catalog *cat = noaber_i18n_catalog(p.lang);
    struct noaber_arena *a = noaber_arena_new(1 << 16);
    const char *vals[4] = {vars ? vars->name : NULL, vars ? vars->hood : NULL,
                           vars && vars->what ? noaber_tr(cat, vars->what) : NULL,
                           vars ? vars->title : NULL};
    struct notify_msg m = {person,
                           neighbourhood_id,
                           kind,
                           fill(a, noaber_tr(cat, subject), vals),
                           fill(a, noaber_tr(cat, body), vals),
                           link};
    e = notify_queue(db, &m, NULL);
    noaber_arena_free(a);
    return e;
}

struct email_to_ctx {
    const char *address, *subject, *body;
    int64_t row;
};

static enum noaber_err
email_to_tx(struct noaber_db *db, void *vctx)
{
    struct email_to_ctx *c = vctx;
    int64_t now = noaber_now();
    enum noaber_err e = notify_store_insert_message(db, 0, 0, "email", c->subject, c->body, "",
                                                    msgid_host, now, &c->row);
    if (e == NOABER_OK)
        e = notify_store_insert_delivery(db, c->row, "email", c->address, now);
    return e;
}

enum noaber_err
notify_queue_email_to(struct noaber_db *db, const char *address, const char *subject,
                      const char *body, int64_t *message_row_out)
{
    if (!notify_rules_address_ok(address))
        return NOABER_E_BAD_EMAIL;
    char clean[NOTIFY_SUBJECT_MAX + 1];
    enum noaber_err e = check_message("email", subject, body, "", clean);
    struct email_to_ctx c = {address, clean, body, 0};
    if (e == NOABER_OK)
        e = noaber_db_tx(db, email_to_tx, &c); /* runs inside the caller's, if one is open */
    if (e != NOABER_OK)
        return e;
    notify_worker_wake();
    if (message_row_out)
        *message_row_out = c.row;
    return NOABER_OK;
}

enum noaber_err
notify_test_email(struct noaber_db *db, const struct noaber_config *cfg, const char *address,
                  int64_t *message_row_out)
{
    if (!cfg->smtp_host[0])
        return NOABER_E_MAIL_NOT_CONFIGURED;
    char date[40], body[1024];
    notify_rules_date(date, noaber_now());
    snprintf(body, sizeof body,
             "Dit is een testbericht van Noaber (%s).\n"
             "Krijg je dit bericht? Dan werkt het versturen van e-mail.\n\n"
             "This is a test message from Noaber (%s).\n"
             "If you receive it, sending e-mail works.\n\n"
             "Mailserver / mail server: %s:%d (%s)\n",
             cfg->public_url, cfg->public_url, cfg->smtp_host, cfg->smtp_port, cfg->smtp_tls);
    return notify_queue_email_to(db, address, "Testbericht van Noaber / Test message from Noaber",
                                 body, message_row_out);
}

/* ---- inbox ----------------------------------------------------------------------------------- */

enum noaber_err
notify_inbox_list(struct noaber_db *db, struct noaber_arena *arena, int64_t person_id, int offset,
                  int limit, struct notify_message **rows, size_t *n)
{
    *rows = NULL;
    *n = 0;
    if (limit < 1)
        limit = 1;
    if (limit > 200)
        limit = 200;
    if (offset < 0)
        offset = 0;
    return notify_store_inbox(db, arena, person_id, offset, limit, rows, n);
}

enum noaber_err
notify_inbox_count(struct noaber_db *db, int64_t person_id, int64_t *total, int64_t *unread)
{
    int64_t t = 0, u = 0;
    enum noaber_err e = notify_store_inbox_count(db, person_id, &t, &u);
    if (total)
        *total = t;
    if (unread)
        *unread = u;
    return e;
}

enum noaber_err
notify_inbox_get(struct noaber_db *db, struct noaber_arena *arena, int64_t person_id,
                 int64_t message_row, struct notify_message *out)
{
    int found = 0;
    memset(out, 0, sizeof *out);
    enum noaber_err e = notify_store_inbox_get(db, arena, person_id, message_row, out, &found);
    return e == NOABER_OK && !found ? NOABER_E_NOT_FOUND : e;
}

struct read_ctx {
    int64_t person_id, row, marked;
    int exists;
};

static enum noaber_err
mark_read_tx(struct noaber_db *db, void *vctx)
{
    struct read_ctx *c = vctx;
    return notify_store_mark_read(db, c->person_id, c->row, noaber_now(), &c->exists);
}

enum noaber_err
notify_inbox_mark_read(struct noaber_db *db, int64_t person_id, int64_t message_row)
{
    struct read_ctx c = {person_id, message_row, 0, 0};
    enum noaber_err e = noaber_db_tx(db, mark_read_tx, &c);
    return e == NOABER_OK && !c.exists ? NOABER_E_NOT_FOUND : e;
}

static enum noaber_err
mark_all_read_tx(struct noaber_db *db, void *vctx)
{
    struct read_ctx *c = vctx;
    return notify_store_mark_all_read(db, c->person_id, noaber_now(), &c->marked);
}

enum noaber_err
notify_inbox_mark_all_read(struct noaber_db *db, int64_t person_id, int64_t *marked)
{
    struct read_ctx c = {person_id, 0, 0, 0};
    enum noaber_err e = noaber_db_tx(db, mark_all_read_tx, &c);
    if (marked)
        *marked = e == NOABER_OK ? c.marked : 0;
    return e;
}

/* ---- deliveries ------------------------------------------------------------------------------ */

enum noaber_err
notify_deliveries_of(struct noaber_db *db, struct noaber_arena *arena, int64_t message_row,
                     struct notify_delivery **rows, size_t *n)
{
    return notify_store_deliveries_of(db, arena, message_row, rows, n);
}

struct count_ctx {
    int64_t arg, count;
};

static enum noaber_err
requeue_tx(struct noaber_db *db, void *vctx)
{
    struct count_ctx *c = vctx;
    return notify_store_requeue_failed(db, noaber_now(), &c->count);
}

enum noaber_err
notify_requeue_failed(struct noaber_db *db, int64_t *count)
{
    struct count_ctx c = {0, 0};
    enum noaber_err e = noaber_db_tx(db, requeue_tx, &c);
    if (count)
        *count = e == NOABER_OK ? c.count : 0;
    if (e == NOABER_OK && c.count > 0)
        notify_worker_wake();
    return e;
}

static enum noaber_err
prune_tx(struct noaber_db *db, void *vctx)
{
    struct count_ctx *c = vctx;
    return notify_store_prune(db, c->arg, &c->count);
}

enum noaber_err
notify_prune(struct noaber_db *db, int64_t before, int64_t *removed)
{
    struct count_ctx c = {before, 0};
    enum noaber_err e = noaber_db_tx(db, prune_tx, &c);
    if (removed)
        *removed = e == NOABER_OK ? c.count : 0;
    return e;
}

/* ---- call list ------------------------------------------------------------------------------- */

enum noaber_err
notify_calls_pending(struct noaber_db *db, struct noaber_arena *arena, int64_t neighbourhood_id,
                     struct notify_call **rows, size_t *n)
{
    return notify_store_calls(db, arena, neighbourhood_id, rows, n);
}

struct call_ctx {
    int64_t hood, delivery, connector;
    int state;
};

static enum noaber_err
call_handled_tx(struct noaber_db *db, void *vctx)
{
    struct call_ctx *c = vctx;
    return notify_store_call_handled(db, c->hood, c->delivery, c->connector, noaber_now(),
                                     &c->state);
}

enum noaber_err
notify_call_handled(struct noaber_db *db, int64_t neighbourhood_id, int64_t delivery_id,
                    int64_t connector_id)
{
    struct call_ctx c = {neighbourhood_id, delivery_id, connector_id, 0};
    enum noaber_err e = noaber_db_tx(db, call_handled_tx, &c);
    if (e != NOABER_OK)
        return e;
    return c.state == 1 ? NOABER_OK : c.state == 2 ? NOABER_E_CONFLICT : NOABER_E_NOT_FOUND;
}

/* ---- letters --------------------------------------------------------------------------------- */

enum noaber_err
notify_letters_pending(struct noaber_db *db, struct noaber_arena *arena, int64_t neighbourhood_id,
                       struct notify_letter **rows, size_t *n)
{
    return notify_store_letters_pending(db, arena, neighbourhood_id, rows, n);
}

struct print_ctx {
    int64_t hood, by, batch;
};

static enum noaber_err
print_tx(struct noaber_db *db, void *vctx)
{
    struct print_ctx *c = vctx;
    return notify_store_letters_mark(db, c->hood, c->by, noaber_now(), &c->batch);
}

enum noaber_err
notify_letters_print(struct noaber_db *db, struct noaber_arena *arena, int64_t neighbourhood_id,
                     int64_t printed_by, int64_t *batch_id, struct notify_letter **rows, size_t *n)
{
    struct print_ctx c = {neighbourhood_id, printed_by, 0};
    *batch_id = 0;
    *rows = NULL;
    *n = 0;
    enum noaber_err e = noaber_db_tx(db, print_tx, &c);
    if (e != NOABER_OK || c.batch == 0)
        return e;
    *batch_id = c.batch;
    return notify_store_letters_batch(db, arena, c.batch, rows, n);
}

enum noaber_err
notify_letters_batch(struct noaber_db *db, struct noaber_arena *arena, int64_t batch_id,
                     struct notify_letter **rows, size_t *n)
{
    return notify_store_letters_batch(db, arena, batch_id, rows, n);
}

/* ---- policy and counters --------------------------------------------------------------------- */

void
notify_policy_default(struct notify_policy *p)
{
    *p = (struct notify_policy){15, 3, 30, 6 * 3600, 300, 20, 60, 5};
}

void
notify_policy_set(const struct notify_policy *p)
{
    struct notify_policy v;
    if (p)
        v = *p;
    else
        notify_policy_default(&v);
    notify_rules_policy_clamp(&v);
    pthread_mutex_lock(&policy_lock);
    policy = v;
    pthread_mutex_unlock(&policy_lock);
}

void
notify_policy_get(struct notify_policy *out)
{
    pthread_mutex_lock(&policy_lock);
    *out = policy;
    pthread_mutex_unlock(&policy_lock);
}

void
notify_stats(struct notify_stats *out)
{
    out->sent = atomic_load(&st_sent);
    out->failed = atomic_load(&st_failed);
    out->retried = atomic_load(&st_retried);
}

/* ---- the delivery pass ----------------------------------------------------------------------- */

struct claim_ctx {
    struct noaber_arena *arena;
    const char *worker;
    int64_t now, stale_before;
    int limit;
    struct notify_claim *rows;
    size_t n;
};

static enum noaber_err
claim_tx(struct noaber_db *db, void *vctx)
{
    struct claim_ctx *c = vctx;
    return notify_store_claim(db, c->arena, c->worker, c->now, c->stale_before, c->limit, &c->rows,
                              &c->n);
}

struct outcome_ctx {
    const struct notify_claim *claim;
    const char *worker, *status, *error;
    int64_t now, next_at;
    int hard, code;
};

static enum noaber_err
sent_tx(struct noaber_db *db, void *vctx)
{
    struct outcome_ctx *c = vctx;
    return notify_store_mark_sent(db, c->claim->id, c->worker, c->now, c->code);
}

static enum noaber_err
failed_tx(struct noaber_db *db, void *vctx)
{
    struct outcome_ctx *c = vctx;
    return notify_store_mark_failed(db, c->claim->id, c->worker, c->status, c->next_at, c->hard,
                                    c->code, c->error);
}

struct pass {
    const struct noaber_config *cfg;
    const struct notify_policy *policy;
    const char *worker;
    char from[256];
    struct notify_smtp *smtp;
    int sent, failed;
};

/* Sends one claimed e-mail and records the outcome. */
static enum noaber_err
send_one(struct noaber_db *db, struct pass *ps, const struct notify_claim *c)
{
    /* Refresh the claim: from here the send takes at most send_timeout, well below the time after
     * which another process would take the claim for abandoned. */
    int held = 0;
    enum noaber_err e = notify_store_touch(db, c->id, ps->worker, noaber_now(), &held);
    if (e != NOABER_OK || !held)
        return e;
    char url[sizeof ps->cfg->public_url + NOTIFY_LINK_MAX + 1];
    url[0] = '\0';
    if (c->link[0]) {
        size_t n = strlen(ps->cfg->public_url);
        while (n > 0 && ps->cfg->public_url[n - 1] == '/')
            n--;
        snprintf(url, sizeof url, "%.*s%s", (int)n, ps->cfg->public_url, c->link);
    }
    struct notify_email mail = {ps->cfg->smtp_from, c->to,        c->subject, c->body, url,
                                c->message_id,      c->created_at};
    struct noaber_buf b;
    noaber_buf_init(&b, NULL);
    notify_rules_format(&b, &mail);
    long code = 0;
    char err[256] = "";
    int rc = notify_smtp_send(ps->smtp, ps->from, c->to, b.data, b.len, &code, err, sizeof err);
    noaber_buf_release(&b);

    struct outcome_ctx o = {c, ps->worker, NULL, err, noaber_now(), 0, 0, (int)code};
    if (rc == 0) {
        atomic_fetch_add(&st_sent, 1);
        ps->sent++;
        e = noaber_db_tx(db, sent_tx, &o);
        if (e == NOABER_E_CONFLICT) /* cannot happen while send_timeout < stale_after */
            noaber_error("notify: delivery %lld was sent but its claim had been taken over",
                         (long long)c->id);
        return e == NOABER_E_CONFLICT ? NOABER_OK : e;
    }
    /* Only a reply in 4xx or 5xx says anything about the message; other codes (the 250 of an
     * earlier command before the connection broke) count as "no reply". */
    long reply = code >= 400 && code <= 599 ? code : 0;
    o.hard = notify_rules_is_hard(reply);
    uint32_t rnd;
    noaber_random(&rnd, sizeof rnd);
    int give_up = 0;
    notify_rules_after_failure(ps->policy, c->attempts + 1, c->hard_failures + o.hard, o.now, rnd,
                               &give_up, &o.next_at);
    o.status = give_up ? "failed" : "pending";
    atomic_fetch_add(give_up ? &st_failed : &st_retried, 1);
    if (give_up)
        ps->failed++;
    noaber_log(give_up ? NOABER_LOG_WARN : NOABER_LOG_INFO,
               "notify: delivery %lld attempt %d failed (reply %ld): %s; %s", (long long)c->id,
               c->attempts + 1, code, err, give_up ? "given up" : "will retry");
    e = noaber_db_tx(db, failed_tx, &o);
    return e == NOABER_E_CONFLICT ? NOABER_OK : e;
}

enum noaber_err
notify_deliver_pass(struct noaber_db *db, const struct noaber_config *cfg, const char *worker_id,
                    const atomic_int *stop, int *sent, int *failed)
{
    if (sent)
        *sent = 0;
    if (failed)
        *failed = 0;
    if (!cfg->smtp_host[0]) {
        if (!atomic_exchange(&warned_no_smtp, 1))
            noaber_warn(
                "notify: no SMTP server configured (smtp_host): e-mail stays in the outbox");
        return NOABER_OK;
    }
    struct notify_policy pol;
    notify_policy_get(&pol);
    char generated[96];
    if (!worker_id) {
        notify_worker_default_id(generated, sizeof generated);
        worker_id = generated;
    }
    struct pass ps = {cfg, &pol, worker_id, "", NULL, 0, 0};
    notify_rules_envelope_from(ps.from, sizeof ps.from, cfg->smtp_from);
    enum noaber_err e = NOABER_OK;
    /* Claim a batch at a time until nothing is due: a failed attempt is due again only after its
     * back-off, so the loop ends. */
    while (e == NOABER_OK && !(stop && atomic_load(stop))) {
        int64_t now = noaber_now();
        struct claim_ctx c = {noaber_arena_new(0), worker_id, now, now - pol.stale_after,
                              pol.batch,           NULL,      0};
        e = noaber_db_tx(db, claim_tx, &c);
        if (e == NOABER_OK && c.n > 0 && !ps.smtp)
            ps.smtp = notify_smtp_open(cfg, pol.send_timeout);
        size_t i = 0;
        for (; e == NOABER_OK && i < c.n && !(stop && atomic_load(stop)); i++)
            e = send_one(db, &ps, &c.rows[i]);
        /* Stopping or a database error: give back what was not tried, so that another process
         * need not wait for the claims to go stale (best effort; they would anyway). */
        for (; i < c.n; i++)
            notify_store_release(db, c.rows[i].id, worker_id);
        size_t claimed = c.n;
        noaber_arena_free(c.arena);
        if (claimed == 0)
            break;
    }
    notify_smtp_close(ps.smtp);
    if (sent)
        *sent = ps.sent;
    if (failed)
        *failed = ps.failed;
    return e;
}

enum noaber_err
notify_deliver_due(struct noaber_db *db, const struct noaber_config *cfg, const char *worker_id,
                   int *sent, int *failed)
{
    return notify_deliver_pass(db, cfg, worker_id, NULL, sent, failed);
}
