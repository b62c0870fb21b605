/*
 * Tests of the notify module's operations and store (src/notify/notify.c, notify_store.c) on an
 * in-memory SQLite database with the real migrations: queueing inside the caller's transaction
 * (and only there), the delivery each channel adds, rollback, field checks, the Message-ID, the
 * inbox (paging, unread count, reading only one's own messages), mails to bare addresses, the
 * connectors' call list per neighbourhood, print batches of letters, erasure, pruning and
 * requeueing. Persons and neighbourhoods are inserted with plain SQL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/util.h"
#include "notify/notify.h"
#include "notify_test.h"

#include <stdio.h>
#include <string.h>

struct fx {
    struct noaber_db *db;
    struct noaber_arena *arena;
    int64_t north, south;
    int64_t anna;  /* e-mail, verified */
    int64_t bram;  /* e-mail, not verified */
    int64_t cor;   /* in-app */
    int64_t dina;  /* call, lives in north */
    int64_t eva;   /* letter, lives in north */
    int64_t frits; /* connector in north */
    int64_t gert;  /* call, lives in south */
    int64_t hanna; /* letter, lives in south */
};

static int
setup(void **state)
{
    static struct fx f;
    memset(&f, 0, sizeof f);
    noaber_time_set(T_NOW);
    struct noaber_config cfg;
    noaber_config_defaults(&cfg);
    snprintf(cfg.public_url, sizeof cfg.public_url, "https://buurt.example.nl");
    notify_init(&cfg);
    f.db = t_open(":memory:");
    f.arena = noaber_arena_new(0);
    f.north = t_hood(f.db, "noord");
    f.south = t_hood(f.db, "zuid");
    f.anna = t_person(f.db, "anna", "anna@example.nl", 1, "email");
    f.bram = t_person(f.db, "bram", "bram@example.nl", 0, "email");
    f.cor = t_person(f.db, "cor", "cor@example.nl", 1, "inapp");
    f.dina = t_person(f.db, "dina", NULL, 0, "call");
    f.eva = t_person(f.db, "eva", NULL, 0, "letter");
    f.frits = t_person(f.db, "frits", "frits@example.nl", 1, "inapp");
    f.gert = t_person(f.db, "gert", NULL, 0, "call");
    f.hanna = t_person(f.db, "hanna", NULL, 0, "letter");
    t_member(f.db, f.dina, f.north, "resident");
    t_member(f.db, f.eva, f.north, "resident");
    t_member(f.db, f.frits, f.north, "connector");
    t_member(f.db, f.gert, f.south, "resident");
    t_member(f.db, f.hanna, f.south, "resident");
    *state = &f;
    return 0;
}

static int
teardown(void **state)
{
    struct fx *f = *state;
    noaber_arena_free(f->arena);
    noaber_db_close(f->db);
    noaber_time_set(0);
    return 0;
}

/* ---- queueing inside a transaction ------------------------------------------------------------
 */

struct q {
    struct notify_msg m;
    int64_t row;
    enum noaber_err fail_after; /* handed back after queueing, to force a rollback */
};

static enum noaber_err
queue_tx(struct noaber_db *db, void *vctx)
{
    struct q *c = vctx;
    enum noaber_err e = notify_queue(db, &c->m, &c->row);
    return e == NOABER_OK ? c->fail_after : e;
}

static int64_t
queue(struct fx *f, int64_t person, int64_t hood, const char *subject)
{
    struct q c = {
        {person, hood, "test_kind", subject, "Body text.\nSecond line.", "/x/1"}, 0, NOABER_OK};
    assert_int_equal(noaber_db_tx(f->db, queue_tx, &c), NOABER_OK);
    assert_true(c.row > 0);
    return c.row;
}

static int64_t
deliveries(struct fx *f, int64_t row, const char *channel)
{
    static const char sql_any[] = "SELECT COUNT(*) FROM deliveries WHERE message_row = ?";
    static const char sql_email[] =
        "SELECT COUNT(*) FROM deliveries WHERE message_row = ? AND channel = 'email'";
    static const char sql_call[] =
        "SELECT COUNT(*) FROM deliveries WHERE message_row = ? AND channel = 'call'";
    static const char sql_letter[] =
        "SELECT COUNT(*) FROM deliveries WHERE message_row = ? AND channel = 'letter'";
    const char *sql = !channel                        ? sql_any
                      : strcmp(channel, "email") == 0 ? sql_email
                      : strcmp(channel, "call") == 0  ? sql_call
                                                      : sql_letter;
    return t_int(f->db, sql, row);
}

static void
test_queue_routes(void **state)
{
    struct fx *f = *state;
    int64_t r;
    /* Every message is in the inbox; the channel adds at most one delivery. */
    r = queue(f, f->anna, 0, "Voor Anna");
    assert_int_equal(deliveries(f, r, NULL), 1);
    assert_int_equal(deliveries(f, r, "email"), 1);
    struct notify_delivery *d;
    size_t n;
    assert_int_equal(notify_deliveries_of(f->db, f->arena, r, &d, &n), NOABER_OK);
    assert_int_equal(n, 1);
    assert_string_equal(d[0].to_address, "anna@example.nl");
    assert_string_equal(d[0].status, "pending");
    assert_int_equal(d[0].next_attempt_at, T_NOW);
    assert_int_equal(d[0].attempts, 0);

    r = queue(f, f->bram, 0, "Voor Bram"); /* e-mail not verified: inbox only */
    assert_int_equal(deliveries(f, r, NULL), 0);
    r = queue(f, f->cor, 0, "Voor Cor");
    assert_int_equal(deliveries(f, r, NULL), 0);
    r = queue(f, f->dina, f->north, "Voor Dina");
    assert_int_equal(deliveries(f, r, "call"), 1);
    assert_int_equal(deliveries(f, r, NULL), 1);
    r = queue(f, f->eva, f->north, "Voor Eva");
    assert_int_equal(deliveries(f, r, "letter"), 1);
    assert_int_equal(deliveries(f, r, NULL), 1);
    for (int64_t p = f->anna; p <= f->hanna; p++) {
        int64_t total = 0;
        assert_int_equal(notify_inbox_count(f->db, p, &total, NULL), NOABER_OK);
        assert_int_equal(total, p == f->frits || p == f->gert || p == f->hanna ? 0 : 1);
    }
}

static void
test_queue_needs_transaction(void **state)
{
    struct fx *f = *state;
    struct notify_msg m = {f->anna, 0, "x", "Subject", "Body", NULL};
    int64_t before = t_int(f->db, "SELECT COUNT(*) FROM messages WHERE id > ?", 0);
    assert_int_equal(notify_queue(f->db, &m, NULL), NOABER_E_INTERNAL);
    assert_int_equal(t_int(f->db, "SELECT COUNT(*) FROM messages WHERE id > ?", 0), before);
}

static void
test_queue_rolls_back_with_cause(void **state)
{
    struct fx *f = *state;
    struct q c = {{f->anna, 0, "x", "Subject", "Body", NULL}, 0, NOABER_E_CONFLICT};
    assert_int_equal(noaber_db_tx(f->db, queue_tx, &c), NOABER_E_CONFLICT);
    assert_int_equal(t_int(f->db, "SELECT COUNT(*) FROM messages WHERE id > ?", 0), 0);
    assert_int_equal(t_int(f->db, "SELECT COUNT(*) FROM deliveries WHERE id > ?", 0), 0);
}

static enum noaber_err
queue_check(struct fx *f, int64_t person, const char *kind, const char *subject, const char *body,
            const char *link)
{
    struct q c = {{person, 0, kind, subject, body, link}, 0, NOABER_OK};
    return noaber_db_tx(f->db, queue_tx, &c);
}

static void
test_queue_checks_fields(void **state)
{
    struct fx *f = *state;
    char big[NOTIFY_SUBJECT_MAX + 2];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(queue_check(f, f->anna, "Bad Kind", "S", "B", NULL), NOABER_E_INVALID);
    assert_int_equal(queue_check(f, f->anna, "k", "S", "B", "https://evil.example/"),
                     NOABER_E_INVALID);
    assert_int_equal(queue_check(f, f->anna, "k", "S", "B", "//evil.example/"), NOABER_E_INVALID);
    assert_int_equal(queue_check(f, f->anna, "k", "\r\n ", "B", NULL), NOABER_E_INVALID);
    assert_int_equal(queue_check(f, f->anna, "k", NULL, "B", NULL), NOABER_E_INVALID);
    assert_int_equal(queue_check(f, f->anna, "k", big, "B", NULL), NOABER_E_TOO_LONG);
    assert_int_equal(queue_check(f, f->anna, "k", "S", "caf\xe9", NULL), NOABER_E_BAD_ENCODING);
    assert_int_equal(queue_check(f, f->anna, "k", "caf\xc3", "B", NULL), NOABER_E_BAD_ENCODING);
    assert_int_equal(queue_check(f, 99999, "k", "S", "B", NULL), NOABER_E_NOT_FOUND);
    assert_int_equal(queue_check(f, 0, "k", "S", "B", NULL), NOABER_E_NOT_FOUND);
    assert_int_equal(t_int(f->db, "SELECT COUNT(*) FROM messages WHERE id > ?", 0), 0);
    /* A subject over several lines is stored as one line. */
    assert_int_equal(queue_check(f, f->anna, "k", "Regel een\r\nBcc: x@y.nl", "B", NULL),
                     NOABER_OK);
    struct notify_message *rows;
    size_t n;
    assert_int_equal(notify_inbox_list(f->db, f->arena, f->anna, 0, 10, &rows, &n), NOABER_OK);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].subject, "Regel een  Bcc: x@y.nl");
}

static void
test_message_ids(void **state)
{
    struct fx *f = *state;
    char seen[20][300];
    for (int i = 0; i < 20; i++) {
        int64_t r = queue(f, f->cor, 0, "Hallo");
        struct notify_message m;
        assert_int_equal(notify_inbox_get(f->db, f->arena, f->cor, r, &m), NOABER_OK);
        char prefix[64];
        snprintf(prefix, sizeof prefix, "<msg-%lld-", (long long)r);
        assert_true(noaber_starts_with(m.message_id, prefix));
        const char *p = m.message_id + strlen(prefix);
        assert_int_equal(strspn(p, "0123456789abcdef"), 16);
        assert_string_equal(p + 16, "@buurt.example.nl>");
        for (int j = 0; j < i; j++)
            assert_string_not_equal(seen[j], m.message_id);
        snprintf(seen[i], sizeof seen[i], "%s", m.message_id);
    }
}

/* ---- the inbox ---------------------------------------------------------------------------------
 */

static void
test_inbox(void **state)
{
    struct fx *f = *state;
    int64_t rows_made[25];
    for (int i = 0; i < 25; i++) {
        char subject[32];
        snprintf(subject, sizeof subject, "Bericht %d", i);
        rows_made[i] = queue(f, f->cor, f->north, subject);
    }
    int64_t other = queue(f, f->frits, 0, "Voor Frits");

    struct notify_message *rows;
    size_t n;
    assert_int_equal(notify_inbox_list(f->db, f->arena, f->cor, 0, 10, &rows, &n), NOABER_OK);
    assert_int_equal(n, 10);
    assert_string_equal(rows[0].subject, "Bericht 24"); /* newest first */
    assert_string_equal(rows[9].subject, "Bericht 15");
    assert_int_equal(rows[0].person_id, f->cor);
    assert_int_equal(rows[0].neighbourhood_id, f->north);
    assert_string_equal(rows[0].kind, "test_kind");
    assert_string_equal(rows[0].body, "Body text.\nSecond line.");
    assert_string_equal(rows[0].link, "/x/1");
    assert_int_equal(rows[0].created_at, T_NOW);
    assert_int_equal(rows[0].read_at, 0);
    assert_int_equal(notify_inbox_list(f->db, f->arena, f->cor, 20, 10, &rows, &n), NOABER_OK);
    assert_int_equal(n, 5);
    assert_string_equal(rows[4].subject, "Bericht 0");
    assert_int_equal(notify_inbox_list(f->db, f->arena, f->cor, 30, 10, &rows, &n), NOABER_OK);
    assert_int_equal(n, 0);
    assert_int_equal(notify_inbox_list(f->db, f->arena, f->cor, -5, 100000, &rows, &n), NOABER_OK);
    assert_int_equal(n, 25); /* clamped, not refused */

    int64_t total = 0, unread = 0;
    assert_int_equal(notify_inbox_count(f->db, f->cor, &total, &unread), NOABER_OK);
    assert_int_equal(total, 25);
    assert_int_equal(unread, 25);

    /* Someone else's message can be neither read nor marked. */
    struct notify_message m;
    assert_int_equal(notify_inbox_get(f->db, f->arena, f->cor, other, &m), NOABER_E_NOT_FOUND);
    assert_int_equal(notify_inbox_mark_read(f->db, f->cor, other), NOABER_E_NOT_FOUND);
    assert_int_equal(notify_inbox_mark_read(f->db, f->cor, 123456), NOABER_E_NOT_FOUND);
    assert_int_equal(notify_inbox_count(f->db, f->frits, NULL, &unread), NOABER_OK);
    assert_int_equal(unread, 1);

    /* Reading one's own: the first time counts, later marks keep it. */
    noaber_time_set(T_NOW + 60);
    assert_int_equal(notify_inbox_mark_read(f->db, f->cor, rows_made[3]), NOABER_OK);
    noaber_time_set(T_NOW + 120);
    assert_int_equal(notify_inbox_mark_read(f->db, f->cor, rows_made[3]), NOABER_OK);
    assert_int_equal(notify_inbox_get(f->db, f->arena, f->cor, rows_made[3], &m), NOABER_OK);
    assert_int_equal(m.read_at, T_NOW + 60);
    assert_string_equal(m.subject, "Bericht 3");
    assert_int_equal(notify_inbox_count(f->db, f->cor, &total, &unread), NOABER_OK);
    assert_int_equal(unread, 24);

    int64_t marked = 0;
    assert_int_equal(notify_inbox_mark_all_read(f->db, f->cor, &marked), NOABER_OK);
    assert_int_equal(marked, 24);
    assert_int_equal(notify_inbox_count(f->db, f->cor, &total, &unread), NOABER_OK);
    assert_int_equal(unread, 0);
    assert_int_equal(total, 25);
    assert_int_equal(notify_inbox_count(f->db, f->frits, NULL, &unread), NOABER_OK);
    assert_int_equal(unread, 1); /* untouched */
}

/* ---- mails to an address ------------------------------------------------------------------------
 */

static enum noaber_err
email_to_tx(struct noaber_db *db, void *vctx)
{
    int64_t *row = vctx;
    return notify_queue_email_to(db, "nieuw@example.nl", "Bevestig je adres", "Klik hier.", row);
}

static void
test_email_to(void **state)
{
    struct fx *f = *state;
    int64_t row = 0, row2 = 0;
    assert_int_equal(notify_queue_email_to(f->db, "x@y.nl\r\nBcc: z@q.nl", "S", "B", &row),
                     NOABER_E_BAD_EMAIL);
    assert_int_equal(notify_queue_email_to(f->db, "geen-adres", "S", "B", &row),
                     NOABER_E_BAD_EMAIL);
    assert_int_equal(notify_queue_email_to(f->db, "x@y.nl", "", "B", &row), NOABER_E_INVALID);
    /* Outside a transaction it opens its own; inside it joins the caller's. */
    assert_int_equal(notify_queue_email_to(f->db, "beheer@example.nl", "Test", "Body", &row),
                     NOABER_OK);
    assert_int_equal(noaber_db_tx(f->db, email_to_tx, &row2), NOABER_OK);
    assert_true(row > 0 && row2 > row);
    struct notify_delivery *d;
    size_t n;
    assert_int_equal(notify_deliveries_of(f->db, f->arena, row2, &d, &n), NOABER_OK);
    assert_int_equal(n, 1);
    assert_string_equal(d[0].channel, "email");
    assert_string_equal(d[0].to_address, "nieuw@example.nl");
    /* In no inbox. */
    assert_int_equal(t_int(f->db,
                           "SELECT COUNT(*) FROM messages WHERE person_id IS NOT NULL "
                           "AND id > ?",
                           0),
                     0);
    assert_int_equal(t_int(f->db,
                           "SELECT COUNT(*) FROM messages WHERE person_id IS NULL AND "
                           "kind = 'email' AND id > ?",
                           0),
                     2);

    /* The administrator's test e-mail needs a mail server. */
    struct noaber_config cfg;
    noaber_config_defaults(&cfg);
    assert_int_equal(notify_test_email(f->db, &cfg, "beheer@example.nl", &row),
                     NOABER_E_MAIL_NOT_CONFIGURED);
    snprintf(cfg.smtp_host, sizeof cfg.smtp_host, "127.0.0.1");
    assert_int_equal(notify_test_email(f->db, &cfg, "beheer@example.nl", &row), NOABER_OK);
    assert_int_equal(notify_deliveries_of(f->db, f->arena, row, &d, &n), NOABER_OK);
    assert_int_equal(n, 1);
    assert_string_equal(d[0].to_address, "beheer@example.nl");
}

/* ---- the call list ------------------------------------------------------------------------------
 */

static void
test_calls(void **state)
{
    struct fx *f = *state;
    int64_t in_north = queue(f, f->dina, f->north, "Noord");
    int64_t no_hood = queue(f, f->dina, 0, "Zonder buurt");
    int64_t in_south = queue(f, f->gert, 0, "Zuid");
    queue(f, f->anna, f->north, "Geen telefoon"); /* e-mail: not on the list */

    struct notify_call *c;
    size_t n;
    assert_int_equal(notify_calls_pending(f->db, f->arena, f->north, &c, &n), NOABER_OK);
    assert_int_equal(n, 2);
    assert_int_equal(c[0].message_row, in_north);
    assert_int_equal(c[1].message_row, no_hood);
    assert_string_equal(c[0].display_name, "dina");
    assert_string_equal(c[0].phone, "06-dina");
    assert_string_equal(c[0].lang, "nl");
    assert_string_equal(c[0].subject, "Noord");
    assert_int_equal(c[0].neighbourhood_id, f->north);
    assert_int_equal(c[1].neighbourhood_id, 0);
    int64_t north_call = c[0].delivery_id, second = c[1].delivery_id;

    assert_int_equal(notify_calls_pending(f->db, f->arena, f->south, &c, &n), NOABER_OK);
    assert_int_equal(n, 1);
    assert_int_equal(c[0].message_row, in_south);
    int64_t south_call = c[0].delivery_id;
    assert_int_equal(notify_calls_pending(f->db, f->arena, 0, &c, &n), NOABER_OK);
    assert_int_equal(n, 3);

    /* A connector of north cannot tick off a call of south. */
    assert_int_equal(notify_call_handled(f->db, f->north, south_call, f->frits),
                     NOABER_E_NOT_FOUND);
    assert_int_equal(notify_call_handled(f->db, f->north, 99999, f->frits), NOABER_E_NOT_FOUND);
    noaber_time_set(T_NOW + 300);
    assert_int_equal(notify_call_handled(f->db, f->north, north_call, f->frits), NOABER_OK);
    assert_int_equal(notify_call_handled(f->db, f->north, north_call, f->frits), NOABER_E_CONFLICT);
    assert_int_equal(t_int(f->db, "SELECT handled_by FROM deliveries WHERE id = ?", north_call),
                     f->frits);
    assert_int_equal(t_int(f->db, "SELECT handled_at FROM deliveries WHERE id = ?", north_call),
                     T_NOW + 300);
    assert_int_equal(notify_calls_pending(f->db, f->arena, f->north, &c, &n), NOABER_OK);
    assert_int_equal(n, 1);
    assert_int_equal(c[0].delivery_id, second);
    /* Handled from the administrators' list (0), it leaves the neighbourhood's list too. */
    assert_int_equal(notify_call_handled(f->db, 0, second, f->frits), NOABER_OK);
    assert_int_equal(notify_calls_pending(f->db, f->arena, f->north, &c, &n), NOABER_OK);
    assert_int_equal(n, 0);
    assert_null(c);
}

/* ---- letters
 * ------------------------------------------------------------------------------------- */

static void
test_letters(void **state)
{
    struct fx *f = *state;
    int64_t a = queue(f, f->eva, f->north, "Brief een");
    int64_t b = queue(f, f->eva, 0, "Brief twee");
    int64_t s = queue(f, f->hanna, f->south, "Brief zuid");

    struct notify_letter *l;
    size_t n;
    assert_int_equal(notify_letters_pending(f->db, f->arena, f->north, &l, &n), NOABER_OK);
    assert_int_equal(n, 2);
    assert_string_equal(l[0].postal_address, "Dorpsstraat 1, eva");
    assert_string_equal(l[0].display_name, "eva");
    assert_int_equal(l[0].printed_batch, 0);

    int64_t batch = 0;
    assert_int_equal(notify_letters_print(f->db, f->arena, f->north, f->frits, &batch, &l, &n),
                     NOABER_OK);
    assert_true(batch > 0);
    assert_int_equal(n, 2);
    assert_int_equal(l[0].message_row, a);
    assert_int_equal(l[1].message_row, b);
    assert_int_equal(l[0].printed_batch, batch);
    assert_string_equal(l[1].subject, "Brief twee");
    assert_int_equal(t_int(f->db, "SELECT letters FROM letter_batches WHERE id = ?", batch), 2);
    assert_int_equal(t_int(f->db, "SELECT printed_by FROM letter_batches WHERE id = ?", batch),
                     f->frits);

    /* Printed letters are gone from the pending list; south's letter was not in north's batch. */
    assert_int_equal(notify_letters_pending(f->db, f->arena, f->north, &l, &n), NOABER_OK);
    assert_int_equal(n, 0);
    int64_t again = -1;
    assert_int_equal(notify_letters_print(f->db, f->arena, f->north, f->frits, &again, &l, &n),
                     NOABER_OK);
    assert_int_equal(again, 0);
    assert_int_equal(n, 0);
    assert_int_equal(t_int(f->db, "SELECT COUNT(*) FROM letter_batches WHERE id > ?", 0), 1);

    /* The batch can be printed again. */
    assert_int_equal(notify_letters_batch(f->db, f->arena, batch, &l, &n), NOABER_OK);
    assert_int_equal(n, 2);

    int64_t all = 0;
    assert_int_equal(notify_letters_print(f->db, f->arena, 0, 0, &all, &l, &n), NOABER_OK);
    assert_int_equal(n, 1);
    assert_int_equal(l[0].message_row, s);
    assert_true(all > batch);
}

/* ---- erasure, pruning, requeueing
 * ---------------------------------------------------------------- */

static void
test_erase_prune_requeue(void **state)
{
    struct fx *f = *state;
    int64_t r = queue(f, f->anna, 0, "Weg ermee");
    queue(f, f->dina, f->north, "Bel mij");
    /* Erasing a person takes their messages and deliveries with them. */
    assert_int_equal(noaber_db_run(f->db, "DELETE FROM persons WHERE id = ?", "i", f->anna),
                     NOABER_OK);
    assert_int_equal(t_int(f->db, "SELECT COUNT(*) FROM messages WHERE id = ?", r), 0);
    assert_int_equal(t_int(f->db, "SELECT COUNT(*) FROM deliveries WHERE message_row = ?", r), 0);

    /* Mails to bare addresses are pruned once finished and old enough, not while pending. */
    int64_t old_done = 0, old_pending = 0, fresh = 0;
    assert_int_equal(notify_queue_email_to(f->db, "a@x.nl", "S", "B", &old_done), NOABER_OK);
    assert_int_equal(notify_queue_email_to(f->db, "b@x.nl", "S", "B", &old_pending), NOABER_OK);
    assert_int_equal(noaber_db_run(f->db,
                                   "UPDATE deliveries SET status = 'sent' WHERE message_row = ?",
                                   "i", old_done),
                     NOABER_OK);
    noaber_time_set(T_NOW + 86400 * 40);
    assert_int_equal(notify_queue_email_to(f->db, "c@x.nl", "S", "B", &fresh), NOABER_OK);
    int64_t removed = -1;
    assert_int_equal(notify_prune(f->db, T_NOW + 86400 * 30, &removed), NOABER_OK);
    assert_int_equal(removed, 1);
    assert_int_equal(t_int(f->db, "SELECT COUNT(*) FROM messages WHERE id = ?", old_done), 0);
    assert_int_equal(t_int(f->db, "SELECT COUNT(*) FROM messages WHERE id = ?", old_pending), 1);
    assert_int_equal(t_int(f->db, "SELECT COUNT(*) FROM messages WHERE id = ?", fresh), 1);
    /* Person messages are never pruned. */
    assert_int_equal(t_int(f->db, "SELECT COUNT(*) FROM messages WHERE person_id = ?", f->dina), 1);

    /* Failed e-mail can be put back in the queue. */
    assert_int_equal(noaber_db_run(f->db,
                                   "UPDATE deliveries SET status = 'failed', attempts = 15, "
                                   "hard_failures = 3 WHERE message_row = ?",
                                   "i", old_pending),
                     NOABER_OK);
    int64_t count = 0;
    assert_int_equal(notify_requeue_failed(f->db, &count), NOABER_OK);
    assert_int_equal(count, 1);
    struct notify_delivery *d;
    size_t n;
    assert_int_equal(notify_deliveries_of(f->db, f->arena, old_pending, &d, &n), NOABER_OK);
    assert_string_equal(d[0].status, "pending");
    assert_int_equal(d[0].attempts, 0);
    assert_int_equal(d[0].hard_failures, 0);
    assert_int_equal(d[0].next_attempt_at, T_NOW + 86400 * 40);
}

int
main(void)
{
    noaber_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_queue_routes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queue_needs_transaction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queue_rolls_back_with_cause, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queue_checks_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_message_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inbox, setup, teardown),
        cmocka_unit_test_setup_teardown(test_email_to, setup, teardown),
        cmocka_unit_test_setup_teardown(test_calls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_letters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erase_prune_requeue, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
