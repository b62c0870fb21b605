/*
 * Messages (berichten): the module's only public face. Every message to a person is written with
 * notify_queue() inside the transaction of the change that causes it, so that a message exists
 * exactly when its cause was committed. The message always lands in the person's in-app inbox;
 * the channel the person chose (persons.channel) adds one delivery:
 *
 *   email   an e-mail over SMTP, sent by the delivery worker with retries and back-off; only to a
 *           verified address (persons.email_verified_at set), otherwise the inbox alone (logged)
 *   inapp   nothing more
 *   call    a line on the call list of the connectors of the message's neighbourhood (or, for a
 *           message without neighbourhood, of every neighbourhood the person belongs to)
 *   letter  a letter on paper in the next print batch
 *
 * Mails to an address without a (verified) person -- the e-mail verification link, the
 * administrator's test e-mail -- go through notify_queue_email_to(): a message row without
 * person, which no inbox shows, and one e-mail delivery.
 *
 * Every message carries a stable RFC 5322 Message-ID ("<msg-<row>-<16 hex>@<host of
 * public_url>>"), the same on every retry, so that a receiver can recognise a message it has
 * already seen. The worker claims deliveries with one UPDATE ... RETURNING that SQLite and
 * PostgreSQL both run, so several processes sharing one database never send a message twice.
 * The one case SMTP itself cannot close: the process dies after the server accepted a message and
 * before the acceptance was recorded; then the claim goes stale and the message is sent again,
 * with the same Message-ID.
 *
 * Memory: rows handed back live on the caller's arena. Errors are enum noaber_err.
 */
#ifndef NOABER_NOTIFY_NOTIFY_H
#define NOABER_NOTIFY_NOTIFY_H

#include "base/err.h"

#include <stddef.h>
#include <stdint.h>

struct noaber_arena;
struct noaber_config;
struct noaber_db;
struct noaber_dbpool;

/* Limits of a message's fields, in bytes. */
#define NOTIFY_KIND_MAX    40    /* [a-z0-9_.-]+ */
#define NOTIFY_SUBJECT_MAX 300   /* one line: CR, LF and other control characters become spaces */
#define NOTIFY_BODY_MAX    65536 /* plain text, UTF-8 */
#define NOTIFY_LINK_MAX    512   /* "" or a relative URL that starts with one '/' */

/* Sets the domain of new Message-IDs from cfg->public_url. Call once at start, before any thread
 * queues messages (notify_worker_start() calls it too); without it the domain is "localhost". */
void notify_init(const struct noaber_config *cfg);

/* ---- queueing -------------------------------------------------------------------------------- */

struct notify_msg {
    int64_t person_id;
    int64_t neighbourhood_id; /* 0 = none */
    const char *kind;         /* what caused it: "event_cancelled", "help_matched", ... */
    const char *subject;      /* one line */
    const char *body;         /* plain text; LF or CRLF line ends */
    const char *link;         /* relative URL ("/events/12") shown with the message, or NULL/"" */
};

/* Writes message M to the person's inbox and adds the delivery their channel asks for.
 * Must be called inside the caller's transaction (noaber_db_tx), so that the message is committed
 * or rolled back with its cause. *message_row_out (may be NULL) gets the inbox row's id.
 * Errors: NOABER_E_NOT_FOUND (no such person), NOABER_E_INVALID (kind, subject or link not
 * valid), NOABER_E_TOO_LONG, NOABER_E_BAD_ENCODING (not UTF-8), NOABER_E_DB / _DB_BUSY, and
 * NOABER_E_INTERNAL when called outside a transaction (a bug). Wakes the delivery worker when an
 * e-mail was queued (it waits briefly, so that the caller's commit comes first). */
enum noaber_err notify_queue(struct noaber_db *db, const struct notify_msg *m,
                             int64_t *message_row_out);

/* Queues a message to PERSON in their own language, like notify_queue (inside the caller's
 * transaction). SUBJECT, BODY and VARS->what are msgids (marked with N_() by the caller), looked
 * up in the person's catalogue; then "{name}", "{hood}", "{what}" and "{title}" in subject and
 * body are replaced by VARS (NULL or a NULL field: empty). */
struct notify_vars {
    const char *name, *hood, *what, *title;
};
enum noaber_err notify_tell(struct noaber_db *db, int64_t person, int64_t neighbourhood_id,
                            const char *kind, const char *subject, const char *body,
                            const struct notify_vars *vars, const char *link);

/* Queues one e-mail to ADDRESS that belongs to no inbox: the verification link to an address
 * not yet verified, the administrator's test e-mail. Runs in the caller's transaction when one is
 * open, otherwise in its own. The message row (person_id NULL, kind "email") gets a Message-ID
 * as every message does; *message_row_out (may be NULL) gets its id.
 * Errors: NOABER_E_BAD_EMAIL (ADDRESS not a plain ASCII address, or contains CR/LF, <, >, ...),
 * NOABER_E_INVALID, NOABER_E_TOO_LONG, NOABER_E_BAD_ENCODING, NOABER_E_DB / _DB_BUSY. */
enum noaber_err notify_queue_email_to(struct noaber_db *db, const char *address,
                                      const char *subject, const char *body,
                                      int64_t *message_row_out);

/* The administrator's "send a test e-mail" button: queues a short bilingual (Dutch, English) test
 * mail to ADDRESS and wakes the worker. NOABER_E_MAIL_NOT_CONFIGURED when cfg->smtp_host is
 * empty (nothing is queued then); otherwise as notify_queue_email_to(). Follow the outcome with
 * notify_deliveries_of(*message_row_out). */
enum noaber_err notify_test_email(struct noaber_db *db, const struct noaber_config *cfg,
                                  const char *address, int64_t *message_row_out);

/* ---- the in-app inbox ------------------------------------------------------------------------ */

struct notify_message {
    int64_t id; /* the message row */
    int64_t person_id;
    int64_t neighbourhood_id; /* 0 = none */
    const char *kind, *subject, *body, *link, *message_id;
    int64_t created_at;
    int64_t read_at; /* 0 = unread */
};

/* PERSON's messages, newest first: at most LIMIT (1..200, clamped) from OFFSET (>= 0). *rows
 * and *n are set (rows on ARENA; NULL when n is 0). NOABER_E_TOO_LARGE when the arena is full. */
enum noaber_err notify_inbox_list(struct noaber_db *db, struct noaber_arena *arena,
                                  int64_t person_id, int offset, int limit,
                                  struct notify_message **rows, size_t *n);
/* How many messages PERSON has in all and unread (either pointer may be NULL). */
enum noaber_err notify_inbox_count(struct noaber_db *db, int64_t person_id, int64_t *total,
                                   int64_t *unread);
/* One message, only when it is PERSON's own; NOABER_E_NOT_FOUND otherwise. */
enum noaber_err notify_inbox_get(struct noaber_db *db, struct noaber_arena *arena,
                                 int64_t person_id, int64_t message_row,
                                 struct notify_message *out);
/* Marks one of PERSON's own messages read (idempotent: the first read time stays).
 * NOABER_E_NOT_FOUND when it is not theirs or does not exist. */
enum noaber_err notify_inbox_mark_read(struct noaber_db *db, int64_t person_id,
                                       int64_t message_row);
/* Marks all of PERSON's messages read; *marked (may be NULL) gets how many changed. */
enum noaber_err notify_inbox_mark_all_read(struct noaber_db *db, int64_t person_id,
                                           int64_t *marked);

/* ---- deliveries of one message (e.g. to follow a test e-mail) ------------------------------- */

struct notify_delivery {
    int64_t id, message_row;
    const char *channel;    /* "email", "call", "letter" */
    const char *status;     /* "pending", "sent" (email), "failed" (email), "done" (call, letter) */
    const char *to_address; /* email: the address; "" otherwise */
    int attempts, hard_failures;
    int last_code;          /* SMTP reply code of the last attempt, 0 if none */
    const char *last_error; /* "" when none */
    int64_t next_attempt_at, sent_at, created_at; /* 0 = not set */
};

/* The deliveries of MESSAGE_ROW, oldest first (rows on ARENA). */
enum noaber_err notify_deliveries_of(struct noaber_db *db, struct noaber_arena *arena,
                                     int64_t message_row, struct notify_delivery **rows, size_t *n);
/* Puts every e-mail that failed for good back in the queue with fresh attempts (after the
 * administrator fixed the mail settings); *count (may be NULL) gets how many. */
enum noaber_err notify_requeue_failed(struct noaber_db *db, int64_t *count);
/* Deletes messages without person (they hold addresses and verification links) created before
 * BEFORE whose deliveries are all finished; *removed (may be NULL) gets how many. */
enum noaber_err notify_prune(struct noaber_db *db, int64_t before, int64_t *removed);

/* ---- the connectors' call list --------------------------------------------------------------- */

struct notify_call {
    int64_t delivery_id, message_row, person_id;
    int64_t neighbourhood_id; /* of the message; 0 = none (listed in each of the person's) */
    const char *display_name, *phone, *lang;
    const char *kind, *subject, *body, *link;
    int64_t created_at;
};

/* Pending calls for NEIGHBOURHOOD (0 = every neighbourhood, for administrators), oldest first:
 * messages of that neighbourhood, and messages without neighbourhood to its members. Whether
 * the viewer may see the list is the caller's check. */
enum noaber_err notify_calls_pending(struct noaber_db *db, struct noaber_arena *arena,
                                     int64_t neighbourhood_id, struct notify_call **rows,
                                     size_t *n);
/* Records that CONNECTOR_ID made the call DELIVERY_ID, which must be on NEIGHBOURHOOD's list
 * (0 = any). The call leaves every list. NOABER_E_NOT_FOUND when it is not on that list,
 * NOABER_E_CONFLICT when someone handled it already. */
enum noaber_err notify_call_handled(struct noaber_db *db, int64_t neighbourhood_id,
                                    int64_t delivery_id, int64_t connector_id);

/* ---- letters on paper ------------------------------------------------------------------------ */

struct notify_letter {
    int64_t delivery_id, message_row, person_id;
    int64_t neighbourhood_id;                         /* of the message; 0 = none */
    const char *display_name, *postal_address, *lang; /* postal_address may be "" */
    const char *kind, *subject, *body, *link;
    int64_t created_at;
    int64_t printed_batch; /* 0 = not printed yet */
};

/* Letters waiting for the next batch for NEIGHBOURHOOD (0 = all), oldest first. */
enum noaber_err notify_letters_pending(struct noaber_db *db, struct noaber_arena *arena,
                                       int64_t neighbourhood_id, struct notify_letter **rows,
                                       size_t *n);
/* Makes one print batch of every pending letter for NEIGHBOURHOOD (0 = all), recorded as printed
 * by PRINTED_BY (0 = unknown), and hands back its id and its letters; rendering them is the
 * caller's. When nothing is pending, *batch_id is 0 and *n 0. Letters are in exactly one batch,
 * also when two people print at the same moment. */
enum noaber_err notify_letters_print(struct noaber_db *db, struct noaber_arena *arena,
                                     int64_t neighbourhood_id, int64_t printed_by,
                                     int64_t *batch_id, struct notify_letter **rows, size_t *n);
/* The letters of an earlier batch, to print it again. */
enum noaber_err notify_letters_batch(struct noaber_db *db, struct noaber_arena *arena,
                                     int64_t batch_id, struct notify_letter **rows, size_t *n);

/* ---- delivery of e-mail ---------------------------------------------------------------------- */

/* How the worker retries (see notify_rules.c for the reasons). Times in seconds. */
struct notify_policy {
    int max_attempts;  /* give up after this many attempts in all (default 15, ~1.5 days) */
    int max_hard;      /* ... or after this many 5xx refusals (default 3) */
    int base_delay;    /* first retry after about this long (default 30) */
    int max_delay;     /* the back-off stops growing here (default 6 h) */
    int stale_after;   /* a claim this old belongs to a dead process (default 300) */
    int batch;         /* deliveries claimed at once (default 20) */
    int send_timeout;  /* one SMTP transaction, connecting included (default 60) */
    int poll_interval; /* the worker looks for due mail this often (default 5) */
};

/* The defaults above. */
void notify_policy_default(struct notify_policy *p);
/* Replaces the process-wide policy (NULL: the defaults). Call before workers start; values are
 * clamped to sane bounds, and send_timeout is kept below stale_after. */
void notify_policy_set(const struct notify_policy *p);
void notify_policy_get(struct notify_policy *out);

/* One synchronous pass: claims due e-mail deliveries as WORKER_ID (a name unique among the
 * processes sharing the database; NULL: a generated one), sends them over SMTP per CFG and
 * records each outcome, until nothing due is left. *sent gets the count delivered, *failed the
 * count given up for good in this pass (either may be NULL; retries scheduled for later count in
 * neither, see notify_stats). With cfg->smtp_host empty nothing is sent and e-mail stays pending
 * (logged once). For tests and command-line use; the server runs notify_worker_start(). */
enum noaber_err notify_deliver_due(struct noaber_db *db, const struct noaber_config *cfg,
                                   const char *worker_id, int *sent, int *failed);

struct notify_worker;
/* Starts the delivery thread: every poll_interval seconds, and soon after notify_worker_wake(), it
 * runs a pass as above on its own connection from POOL. CFG is copied; WORKER_ID is copied (NULL:
 * "<hostname>-<pid>-<random>"). Also calls notify_init(CFG). NULL if the thread cannot start. */
struct notify_worker *notify_worker_start(struct noaber_dbpool *pool,
                                          const struct noaber_config *cfg, const char *worker_id);
/* Wakes every worker of this process (cheap; notify_queue() calls it for e-mail). */
void notify_worker_wake(void);
/* Asks the worker to stop, lets it finish the message it is sending, joins and frees it (for
 * SIGTERM). Deliveries it had claimed but not sent are released. Call before
 * noaber_dbpool_free(). NULL is allowed. */
void notify_worker_stop(struct notify_worker *w);

/* Counters since start, for /metrics. */
struct notify_stats {
    uint64_t sent;    /* e-mails accepted by the SMTP server */
    uint64_t failed;  /* e-mails given up for good */
    uint64_t retried; /* attempts that failed and were scheduled again */
};
void notify_stats(struct notify_stats *out);

#endif
