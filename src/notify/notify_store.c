/*
 * All SQL of the notify module: the inbox (`messages`), the outbox (`deliveries`) and the print
 * batches of letters (`letter_batches`), see src/db/migrations/0002_notify.sql. Every statement
 * is written once in the subset SQLite and PostgreSQL share and bound through db.h. The store
 * never begins or commits: notify.c owns the transactions. Rows are mapped onto the caller's
 * arena.
 *
 * Claiming e-mail for delivery is one UPDATE ... WHERE id IN (SELECT ... LIMIT ?) ... RETURNING:
 * the claim condition (free, or claimed longer ago than the stale limit) stands both in the
 * subquery, which picks the rows, and in the outer WHERE, which PostgreSQL re-checks on the newest
 * version of a row it had to wait for. So when two processes race for the same rows, the second
 * skips what the first took instead of taking it again; on SQLite writers are serialised anyway.
 */
#include "notify/notify_int.h"

#include "base/arena.h"
#include "base/log.h"
#include "base/util.h"
#include "db/db.h"

#include <stdio.h>
#include <string.h>

/* The messages a neighbourhood's lists show: its own, and those without neighbourhood to its
 * members. The neighbourhood is bound three times; 0 means every neighbourhood. */
#define HOOD_SCOPE                                                                                 \
    "(? = 0 OR m.neighbourhood_id = ? OR (m.neighbourhood_id IS NULL AND EXISTS ("                 \
    "SELECT 1 FROM memberships ms WHERE ms.person_id = m.person_id "                               \
    "AND ms.neighbourhood_id = ?)))"

static const char sql_person[] =
    "SELECT channel, COALESCE(email, ''), COALESCE(email_verified_at, 0), lang FROM persons "
    "WHERE id = ?";
static const char sql_insert_message[] =
    "INSERT INTO messages (person_id, neighbourhood_id, kind, subject, body, link, message_id, "
    "created_at) VALUES (NULLIF(?, 0), NULLIF(?, 0), ?, ?, ?, ?, ?, ?) RETURNING id";
static const char sql_set_message_id[] = "UPDATE messages SET message_id = ? WHERE id = ?";
static const char sql_insert_delivery[] =
    "INSERT INTO deliveries (message_row, channel, to_address, next_attempt_at, created_at) "
    "VALUES (?, ?, ?, ?, ?)";

#define MESSAGE_COLS                                                                               \
    "SELECT id, person_id, COALESCE(neighbourhood_id, 0), kind, subject, body, link, message_id, " \
    "created_at, COALESCE(read_at, 0) FROM messages "
static const char sql_inbox[] =
    MESSAGE_COLS "WHERE person_id = ? ORDER BY id DESC LIMIT ? OFFSET ?";
static const char sql_inbox_get[] = MESSAGE_COLS "WHERE id = ? AND person_id = ?";
static const char sql_inbox_count[] =
    "SELECT COUNT(*), COALESCE(SUM(CASE WHEN read_at IS NULL THEN 1 ELSE 0 END), 0) "
    "FROM messages WHERE person_id = ?";
static const char sql_mark_read[] =
    "UPDATE messages SET read_at = ? WHERE id = ? AND person_id = ? AND read_at IS NULL";
static const char sql_message_exists[] =
    "SELECT COUNT(*) FROM messages WHERE id = ? AND person_id = ?";
static const char sql_mark_all_read[] =
    "UPDATE messages SET read_at = ? WHERE person_id = ? AND read_at IS NULL";

static const char sql_deliveries_of[] =
    "SELECT id, message_row, channel, status, to_address, attempts, hard_failures, last_code, "
    "last_error, next_attempt_at, COALESCE(sent_at, 0), created_at FROM deliveries "
    "WHERE message_row = ? ORDER BY id";
static const char sql_requeue_failed[] =
    "UPDATE deliveries SET status = 'pending', attempts = 0, hard_failures = 0, "
    "next_attempt_at = ?, claimed_by = NULL, claimed_at = NULL "
    "WHERE channel = 'email' AND status = 'failed'";
static const char sql_prune[] =
    "DELETE FROM messages WHERE person_id IS NULL AND created_at < ? AND NOT EXISTS ("
    "SELECT 1 FROM deliveries d WHERE d.message_row = messages.id AND d.status = 'pending')";

static const char sql_calls[] =
    "SELECT d.id, m.id, m.person_id, COALESCE(m.neighbourhood_id, 0), p.display_name, p.phone, "
    "p.lang, m.kind, m.subject, m.body, m.link, m.created_at "
    "FROM deliveries d JOIN messages m ON m.id = d.message_row JOIN persons p ON p.id = "
    "m.person_id "
    "WHERE d.channel = 'call' AND d.status = 'pending' AND " HOOD_SCOPE " ORDER BY d.id";
static const char sql_call_handled[] =
    "UPDATE deliveries SET status = 'done', handled_by = NULLIF(?, 0), handled_at = ? "
    "WHERE id = ? AND channel = 'call' AND status = 'pending' AND message_row IN ("
    "SELECT m.id FROM messages m WHERE " HOOD_SCOPE ")";
static const char sql_call_in_scope[] =
    "SELECT COUNT(*) FROM deliveries d JOIN messages m ON m.id = d.message_row "
    "WHERE d.id = ? AND d.channel = 'call' AND " HOOD_SCOPE;

#define LETTER_COLS                                                                                \
    "SELECT d.id, m.id, m.person_id, COALESCE(m.neighbourhood_id, 0), p.display_name, "            \
    "p.postal_address, p.lang, m.kind, m.subject, m.body, m.link, m.created_at, "                  \
    "COALESCE(d.printed_batch, 0) FROM deliveries d JOIN messages m ON m.id = d.message_row "      \
    "JOIN persons p ON p.id = m.person_id "
static const char sql_letters_pending[] = LETTER_COLS
    "WHERE d.channel = 'letter' AND d.status = 'pending' AND " HOOD_SCOPE " ORDER BY d.id";
static const char sql_letters_batch[] = LETTER_COLS "WHERE d.printed_batch = ? ORDER BY d.id";
static const char sql_batch_insert[] =
    "INSERT INTO letter_batches (neighbourhood_id, printed_by, printed_at) "
    "VALUES (NULLIF(?, 0), NULLIF(?, 0), ?) RETURNING id";
static const char sql_batch_mark[] =
    "UPDATE deliveries SET status = 'done', printed_batch = ? "
    "WHERE channel = 'letter' AND status = 'pending' AND message_row IN ("
    "SELECT m.id FROM messages m WHERE " HOOD_SCOPE ")";
static const char sql_batch_count[] = "UPDATE letter_batches SET letters = ? WHERE id = ?";
static const char sql_batch_delete[] = "DELETE FROM letter_batches WHERE id = ?";

static const char sql_claim[] =
    "UPDATE deliveries SET claimed_by = ?, claimed_at = ? WHERE id IN ("
    "SELECT id FROM deliveries WHERE channel = 'email' AND status = 'pending' "
    "AND next_attempt_at <= ? AND (claimed_by IS NULL OR claimed_at < ?) ORDER BY id LIMIT ?) "
    "AND status = 'pending' AND (claimed_by IS NULL OR claimed_at < ?) "
    "RETURNING id, message_row, to_address, attempts, hard_failures";
static const char sql_claimed_message[] =
    "SELECT subject, body, link, message_id, created_at FROM messages WHERE id = ?";
static const char sql_touch[] = "UPDATE deliveries SET claimed_at = ? "
                                "WHERE id = ? AND claimed_by = ? AND status = 'pending'";
static const char sql_mark_sent[] =
    "UPDATE deliveries SET status = 'sent', sent_at = ?, attempts = attempts + 1, last_code = ?, "
    "last_error = '', claimed_by = NULL, claimed_at = NULL WHERE id = ? AND claimed_by = ?";
static const char sql_mark_failed[] =
    "UPDATE deliveries SET status = ?, attempts = attempts + 1, hard_failures = hard_failures + ?, "
    "next_attempt_at = ?, last_code = ?, last_error = ?, claimed_by = NULL, claimed_at = NULL "
    "WHERE id = ? AND claimed_by = ?";
static const char sql_release[] =
    "UPDATE deliveries SET claimed_by = NULL, claimed_at = NULL WHERE id = ? AND claimed_by = ?";

/* ---- helpers --------------------------------------------------------------------------------- */

/* Steps ST to the end, mapping each row with MAP into a growing array. */
typedef void (*map_fn)(struct noaber_stmt *st, struct noaber_arena *arena, void *row);

static enum noaber_err
collect(struct noaber_stmt *st, struct noaber_arena *arena, map_fn map, size_t size, void **rows,
        size_t *n)
{
    void *all = NULL;
    size_t cap = 0, count = 0;
    enum noaber_err e;
    int row = 0;
    while ((e = noaber_stmt_step(st, &row)) == NOABER_OK && row) {
        all = noaber_arena_grow(arena, all, count, &cap, size);
        if (!all) {
            e = NOABER_E_TOO_LARGE;
            break;
        }
        map(st, arena, (char *)all + count * size);
        count++;
    }
    noaber_stmt_reset(st);
    if (e == NOABER_OK && noaber_arena_overflowed(arena))
        e = NOABER_E_TOO_LARGE;
    *rows = e == NOABER_OK ? all : NULL;
    *n = e == NOABER_OK ? count : 0;
    return e;
}

/* ---- queueing -------------------------------------------------------------------------------- */

enum noaber_err
notify_store_person(struct noaber_db *db, int64_t person_id, struct notify_person *out)
{
    struct noaber_stmt *st;
    int row = 0;
    enum noaber_err e = noaber_db_query(db, &st, sql_person, "i", person_id);
    if (e == NOABER_OK)
        e = noaber_stmt_step(st, &row);
    if (e == NOABER_OK && !row)
        e = NOABER_E_NOT_FOUND;
    if (e == NOABER_OK) {
        const char *channel = noaber_stmt_text(st, 0), *email = noaber_stmt_text(st, 1);
        snprintf(out->channel, sizeof out->channel, "%s", channel ? channel : "");
        int verified = noaber_stmt_int(st, 2) != 0;
        snprintf(out->email, sizeof out->email, "%s", verified && email ? email : "");
        const char *lang = noaber_stmt_text(st, 3);
        snprintf(out->lang, sizeof out->lang, "%s", lang ? lang : "");
    }
    noaber_stmt_reset(st);
    return e;
}

enum noaber_err
notify_store_insert_message(struct noaber_db *db, int64_t person_id, int64_t neighbourhood_id,
                            const char *kind, const char *subject, const char *body,
                            const char *link, const char *host, int64_t now, int64_t *row)
{
    /* The Message-ID carries the row id, which exists only after the insert: insert with a
     * random provisional one (unique as well), then set the final one. */
    char hex[33], provisional[40], msgid[300];
    noaber_random_hex(hex, 16);
    snprintf(provisional, sizeof provisional, "<%s>", hex);
    struct noaber_stmt *st;
    int found = 0;
    enum noaber_err e =
        noaber_db_query(db, &st, sql_insert_message, "iittttti", person_id, neighbourhood_id, kind,
                        subject, body, link ? link : "", provisional, now);
    if (e == NOABER_OK)
        e = noaber_stmt_step(st, &found);
    if (e == NOABER_OK && found)
        *row = noaber_stmt_int(st, 0);
    noaber_stmt_reset(st);
    if (e == NOABER_OK && NEVER(!found))
        e = NOABER_E_DB;
    if (e != NOABER_OK)
        return e;
    hex[16] = '\0'; /* 64 random bits beside the row id are plenty */
    notify_rules_message_id(msgid, sizeof msgid, *row, hex, host);
    return noaber_db_run(db, sql_set_message_id, "ti", msgid, *row);
}

enum noaber_err
notify_store_insert_delivery(struct noaber_db *db, int64_t message_row, const char *channel,
                             const char *to, int64_t now)
{
    return noaber_db_run(db, sql_insert_delivery, "ittii", message_row, channel, to ? to : "", now,
                         now);
}

/* ---- inbox ----------------------------------------------------------------------------------- */

static void
map_message(struct noaber_stmt *st, struct noaber_arena *arena, void *row)
{
    struct notify_message *m = row;
    m->id = noaber_stmt_int(st, 0);
    m->person_id = noaber_stmt_int(st, 1);
    m->neighbourhood_id = noaber_stmt_int(st, 2);
    m->kind = noaber_stmt_str(st, 3, arena);
    m->subject = noaber_stmt_str(st, 4, arena);
    m->body = noaber_stmt_str(st, 5, arena);
    m->link = noaber_stmt_str(st, 6, arena);
    m->message_id = noaber_stmt_str(st, 7, arena);
    m->created_at = noaber_stmt_int(st, 8);
    m->read_at = noaber_stmt_int(st, 9);
}

enum noaber_err
notify_store_inbox(struct noaber_db *db, struct noaber_arena *arena, int64_t person_id, int offset,
                   int limit, struct notify_message **rows, size_t *n)
{
    struct noaber_stmt *st;
    enum noaber_err e = noaber_db_query(db, &st, sql_inbox, "idd", person_id, limit, offset);
    if (e != NOABER_OK)
        return e;
    return collect(st, arena, map_message, sizeof **rows, (void **)rows, n);
}

enum noaber_err
notify_store_inbox_count(struct noaber_db *db, int64_t person_id, int64_t *total, int64_t *unread)
{
    struct noaber_stmt *st;
    int row = 0;
    enum noaber_err e = noaber_db_query(db, &st, sql_inbox_count, "i", person_id);
    if (e == NOABER_OK)
        e = noaber_stmt_step(st, &row);
    if (e == NOABER_OK && row) {
        *total = noaber_stmt_int(st, 0);
        *unread = noaber_stmt_int(st, 1);
    } else {
        *total = *unread = 0;
    }
    noaber_stmt_reset(st);
    return e;
}

enum noaber_err
notify_store_inbox_get(struct noaber_db *db, struct noaber_arena *arena, int64_t person_id,
                       int64_t id, struct notify_message *out, int *found)
{
    struct noaber_stmt *st;
    *found = 0;
    enum noaber_err e = noaber_db_query(db, &st, sql_inbox_get, "ii", id, person_id);
    if (e == NOABER_OK)
        e = noaber_stmt_step(st, found);
    if (e == NOABER_OK && *found)
        map_message(st, arena, out);
    noaber_stmt_reset(st);
    if (e == NOABER_OK && noaber_arena_overflowed(arena))
        e = NOABER_E_TOO_LARGE;
    return e;
}

enum noaber_err
notify_store_mark_read(struct noaber_db *db, int64_t person_id, int64_t id, int64_t now,
                       int *exists)
{
    enum noaber_err e = noaber_db_run(db, sql_mark_read, "iii", now, id, person_id);
    if (e != NOABER_OK)
        return e;
    if (noaber_db_changes(db) > 0) {
        *exists = 1;
        return NOABER_OK;
    }
    int64_t count = 0;
    e = noaber_db_int(db, &count, NULL, sql_message_exists, "ii", id, person_id);
    *exists = count > 0;
    return e;
}

enum noaber_err
notify_store_mark_all_read(struct noaber_db *db, int64_t person_id, int64_t now, int64_t *marked)
{
    enum noaber_err e = noaber_db_run(db, sql_mark_all_read, "ii", now, person_id);
    *marked = e == NOABER_OK ? noaber_db_changes(db) : 0;
    return e;
}

/* ---- deliveries of a message ------------------------------------------------------------------
 */

static void
map_delivery(struct noaber_stmt *st, struct noaber_arena *arena, void *row)
{
    struct notify_delivery *d = row;
    d->id = noaber_stmt_int(st, 0);
    d->message_row = noaber_stmt_int(st, 1);
    d->channel = noaber_stmt_str(st, 2, arena);
    d->status = noaber_stmt_str(st, 3, arena);
    d->to_address = noaber_stmt_str(st, 4, arena);
    d->attempts = (int)noaber_stmt_int(st, 5);
    d->hard_failures = (int)noaber_stmt_int(st, 6);
    d->last_code = (int)noaber_stmt_int(st, 7);
    d->last_error = noaber_stmt_str(st, 8, arena);
    d->next_attempt_at = noaber_stmt_int(st, 9);
    d->sent_at = noaber_stmt_int(st, 10);
    d->created_at = noaber_stmt_int(st, 11);
}

enum noaber_err
notify_store_deliveries_of(struct noaber_db *db, struct noaber_arena *arena, int64_t message_row,
                           struct notify_delivery **rows, size_t *n)
{
    struct noaber_stmt *st;
    enum noaber_err e = noaber_db_query(db, &st, sql_deliveries_of, "i", message_row);
    if (e != NOABER_OK)
        return e;
    return collect(st, arena, map_delivery, sizeof **rows, (void **)rows, n);
}

enum noaber_err
notify_store_requeue_failed(struct noaber_db *db, int64_t now, int64_t *count)
{
    enum noaber_err e = noaber_db_run(db, sql_requeue_failed, "i", now);
    *count = e == NOABER_OK ? noaber_db_changes(db) : 0;
    return e;
}

enum noaber_err
notify_store_prune(struct noaber_db *db, int64_t before, int64_t *removed)
{
    enum noaber_err e = noaber_db_run(db, sql_prune, "i", before);
    *removed = e == NOABER_OK ? noaber_db_changes(db) : 0;
    return e;
}

/* ---- call list ------------------------------------------------------------------------------- */

static void
map_call(struct noaber_stmt *st, struct noaber_arena *arena, void *row)
{
    struct notify_call *c = row;
    c->delivery_id = noaber_stmt_int(st, 0);
    c->message_row = noaber_stmt_int(st, 1);
    c->person_id = noaber_stmt_int(st, 2);
    c->neighbourhood_id = noaber_stmt_int(st, 3);
    c->display_name = noaber_stmt_str(st, 4, arena);
    c->phone = noaber_stmt_str(st, 5, arena);
    c->lang = noaber_stmt_str(st, 6, arena);
    c->kind = noaber_stmt_str(st, 7, arena);
    c->subject = noaber_stmt_str(st, 8, arena);
    c->body = noaber_stmt_str(st, 9, arena);
    c->link = noaber_stmt_str(st, 10, arena);
    c->created_at = noaber_stmt_int(st, 11);
}

enum noaber_err
notify_store_calls(struct noaber_db *db, struct noaber_arena *arena, int64_t hood,
                   struct notify_call **rows, size_t *n)
{
    struct noaber_stmt *st;
    enum noaber_err e = noaber_db_query(db, &st, sql_calls, "iii", hood, hood, hood);
    if (e != NOABER_OK)
        return e;
    return collect(st, arena, map_call, sizeof **rows, (void **)rows, n);
}

enum noaber_err
notify_store_call_handled(struct noaber_db *db, int64_t hood, int64_t delivery, int64_t connector,
                          int64_t now, int *state)
{
    *state = 0;
    enum noaber_err e =
        noaber_db_run(db, sql_call_handled, "iiiiii", connector, now, delivery, hood, hood, hood);
    if (e != NOABER_OK)
        return e;
    if (noaber_db_changes(db) > 0) {
        *state = 1;
        return NOABER_OK;
    }
    int64_t count = 0;
    e = noaber_db_int(db, &count, NULL, sql_call_in_scope, "iiii", delivery, hood, hood, hood);
    if (e == NOABER_OK && count > 0)
        *state = 2;
    return e;
}

/* ---- letters --------------------------------------------------------------------------------- */

static void
map_letter(struct noaber_stmt *st, struct noaber_arena *arena, void *row)
{
    struct notify_letter *l = row;
    l->delivery_id = noaber_stmt_int(st, 0);
    l->message_row = noaber_stmt_int(st, 1);
    l->person_id = noaber_stmt_int(st, 2);
    l->neighbourhood_id = noaber_stmt_int(st, 3);
    l->display_name = noaber_stmt_str(st, 4, arena);
    l->postal_address = noaber_stmt_str(st, 5, arena);
    l->lang = noaber_stmt_str(st, 6, arena);
    l->kind = noaber_stmt_str(st, 7, arena);
    l->subject = noaber_stmt_str(st, 8, arena);
    l->body = noaber_stmt_str(st, 9, arena);
    l->link = noaber_stmt_str(st, 10, arena);
    l->created_at = noaber_stmt_int(st, 11);
    l->printed_batch = noaber_stmt_int(st, 12);
}

enum noaber_err
notify_store_letters_pending(struct noaber_db *db, struct noaber_arena *arena, int64_t hood,
                             struct notify_letter **rows, size_t *n)
{
    struct noaber_stmt *st;
    enum noaber_err e = noaber_db_query(db, &st, sql_letters_pending, "iii", hood, hood, hood);
    if (e != NOABER_OK)
        return e;
    return collect(st, arena, map_letter, sizeof **rows, (void **)rows, n);
}

enum noaber_err
notify_store_letters_mark(struct noaber_db *db, int64_t hood, int64_t by, int64_t now,
                          int64_t *batch)
{
    /* The batch row first: its id, assigned by the database, names the batch on both engines,
     * and the UPDATE takes only letters still pending, so two batches never share a letter. */
    struct noaber_stmt *st;
    int found = 0;
    *batch = 0;
    enum noaber_err e = noaber_db_query(db, &st, sql_batch_insert, "iii", hood, by, now);
    if (e == NOABER_OK)
        e = noaber_stmt_step(st, &found);
    int64_t id = found ? noaber_stmt_int(st, 0) : 0;
    noaber_stmt_reset(st);
    if (e == NOABER_OK && NEVER(!found))
        e = NOABER_E_DB;
    if (e == NOABER_OK)
        e = noaber_db_run(db, sql_batch_mark, "iiii", id, hood, hood, hood);
    if (e != NOABER_OK)
        return e;
    int64_t letters = noaber_db_changes(db);
    if (letters == 0)
        return noaber_db_run(db, sql_batch_delete, "i", id);
    *batch = id;
    return noaber_db_run(db, sql_batch_count, "ii", letters, id);
}

enum noaber_err
notify_store_letters_batch(struct noaber_db *db, struct noaber_arena *arena, int64_t batch,
                           struct notify_letter **rows, size_t *n)
{
    struct noaber_stmt *st;
    enum noaber_err e = noaber_db_query(db, &st, sql_letters_batch, "i", batch);
    if (e != NOABER_OK)
        return e;
    return collect(st, arena, map_letter, sizeof **rows, (void **)rows, n);
}

/* ---- claiming and recording e-mail ----------------------------------------------------------- */

static void
map_claim(struct noaber_stmt *st, struct noaber_arena *arena, void *row)
{
    struct notify_claim *c = row;
    c->id = noaber_stmt_int(st, 0);
    c->message_row = noaber_stmt_int(st, 1);
    c->to = noaber_stmt_str(st, 2, arena);
    c->attempts = (int)noaber_stmt_int(st, 3);
    c->hard_failures = (int)noaber_stmt_int(st, 4);
}

enum noaber_err
notify_store_claim(struct noaber_db *db, struct noaber_arena *arena, const char *worker,
                   int64_t now, int64_t stale_before, int limit, struct notify_claim **rows,
                   size_t *n)
{
    struct noaber_stmt *st;
    enum noaber_err e = noaber_db_query(db, &st, sql_claim, "tiiidi", worker, now, now,
                                        stale_before, limit, stale_before);
    if (e == NOABER_OK)
        e = collect(st, arena, map_claim, sizeof **rows, (void **)rows, n);
    for (size_t i = 0; e == NOABER_OK && i < *n; i++) {
        struct notify_claim *c = &(*rows)[i];
        int found = 0;
        e = noaber_db_query(db, &st, sql_claimed_message, "i", c->message_row);
        if (e == NOABER_OK)
            e = noaber_stmt_step(st, &found);
        if (e == NOABER_OK && NEVER(!found)) /* deliveries cascade with their message */
            e = NOABER_E_DB;
        if (e == NOABER_OK) {
            c->subject = noaber_stmt_str(st, 0, arena);
            c->body = noaber_stmt_str(st, 1, arena);
            c->link = noaber_stmt_str(st, 2, arena);
            c->message_id = noaber_stmt_str(st, 3, arena);
            c->created_at = noaber_stmt_int(st, 4);
        }
        noaber_stmt_reset(st);
    }
    if (e == NOABER_OK && noaber_arena_overflowed(arena))
        e = NOABER_E_TOO_LARGE;
    return e;
}

enum noaber_err
notify_store_touch(struct noaber_db *db, int64_t id, const char *worker, int64_t now, int *held)
{
    enum noaber_err e = noaber_db_run(db, sql_touch, "iit", now, id, worker);
    *held = e == NOABER_OK && noaber_db_changes(db) > 0;
    return e;
}

enum noaber_err
notify_store_mark_sent(struct noaber_db *db, int64_t id, const char *worker, int64_t now, int code)
{
    enum noaber_err e = noaber_db_run(db, sql_mark_sent, "idit", now, code, id, worker);
    if (e == NOABER_OK && noaber_db_changes(db) == 0)
        e = NOABER_E_CONFLICT;
    return e;
}

enum noaber_err
notify_store_mark_failed(struct noaber_db *db, int64_t id, const char *worker, const char *status,
                         int64_t next_at, int hard, int code, const char *error)
{
    enum noaber_err e = noaber_db_run(db, sql_mark_failed, "tdidtit", status, hard, next_at, code,
                                      error, id, worker);
    if (e == NOABER_OK && noaber_db_changes(db) == 0)
        e = NOABER_E_CONFLICT;
    return e;
}

enum noaber_err
notify_store_release(struct noaber_db *db, int64_t id, const char *worker)
{
    return noaber_db_run(db, sql_release, "it", id, worker);
}
