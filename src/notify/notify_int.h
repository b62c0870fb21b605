/*
 * Inside the notify module: the pure rules (notify_rules.c), the SQL (notify_store.c), the SMTP
 * client (notify_smtp.c) and the delivery pass shared by notify.c and notify_worker.c. Other
 * modules include notify.h only; the module's own tests include this header too.
 */
#ifndef NOABER_NOTIFY_NOTIFY_INT_H
#define NOABER_NOTIFY_NOTIFY_INT_H

#include "notify/notify.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct noaber_buf;

/* ---- rules (notify_rules.c): no I/O, no database ----------------------------------------------
 */

/* What a person's channel adds to the inbox. */
enum notify_route {
    NOTIFY_ROUTE_INBOX, /* the inbox alone */
    NOTIFY_ROUTE_EMAIL,
    NOTIFY_ROUTE_CALL,
    NOTIFY_ROUTE_LETTER,
    NOTIFY_ROUTE__MAX
};

/* The route for a person whose channel is CHANNEL and who has (HAS_EMAIL nonzero) a verified,
 * usable e-mail address. *fallback is set to 1 when the person chose something they cannot get
 * (e-mail without address, an unknown channel), so the caller can note it. */
enum notify_route notify_rules_route(const char *channel, int has_email, int *fallback);
/* "email", "call", "letter" for the routes that add a delivery; NULL for the inbox alone. */
const char *notify_rules_route_channel(enum notify_route r);

/* Seconds to wait after ATTEMPTS (>= 1) failed attempts: base * 2^(attempts-1) capped at
 * max_delay, of which the last quarter is jitter chosen by RND (any value). */
int64_t notify_rules_backoff(const struct notify_policy *p, int attempts, uint32_t rnd);
/* 1 when CODE is a permanent SMTP refusal (5xx), which is retried fewer times. */
int notify_rules_is_hard(long code);
/* After a failed attempt: ATTEMPTS and HARD are the counts including this attempt. Sets
 * *give_up, and *next_at (when not giving up) to NOW plus the back-off. */
void notify_rules_after_failure(const struct notify_policy *p, int attempts, int hard, int64_t now,
                                uint32_t rnd, int *give_up, int64_t *next_at);
/* Clamps the fields of P to sane bounds (in place). */
void notify_rules_policy_clamp(struct notify_policy *p);

/* 1 for "[a-z0-9_.-]{1,NOTIFY_KIND_MAX}". */
int notify_rules_kind_ok(const char *kind);
/* 1 for "" or a relative URL: starts with one '/', printable ASCII without space, at most
 * NOTIFY_LINK_MAX bytes. */
int notify_rules_link_ok(const char *link);
/* 1 for a plain ASCII address local@domain of at most 254 bytes without white space, control
 * characters or any of <>()[],;:\" -- nothing that could break out of a header or an SMTP
 * command. */
int notify_rules_address_ok(const char *addr);
/* Copies IN to OUT (size N >= 1, truncated on a UTF-8 character boundary) with every control
 * character (CR and LF included) turned into a space and leading and trailing spaces removed:
 * a header value that cannot start a new header. */
void notify_rules_one_line(char *out, size_t n, const char *in);

/* The Message-ID domain from a public URL: "https://buurt.example.nl:8443/x" gives
 * "buurt.example.nl"; anything unusable gives "localhost". */
void notify_rules_msgid_host(char *out, size_t n, const char *public_url);
/* "<msg-<row>-<hex>@<host>>" into OUT (size N). */
void notify_rules_message_id(char *out, size_t n, int64_t row, const char *hex, const char *host);
/* "Tue, 24 Nov 2026 10:00:00 +0000" (RFC 5322, always UTC, English names). */
void notify_rules_date(char out[40], int64_t t);

/* Appends TEXT (UTF-8) as an unstructured header value that starts after "Subject: ": as is when
 * short printable ASCII, otherwise as RFC 2047 encoded-words (=?UTF-8?B?...?=), split on
 * character boundaries and folded so that no line passes 78 characters. */
void notify_rules_encode_header(struct noaber_buf *b, const char *text);
/* Appends BODY quoted-printable (RFC 2045) with CRLF line ends; LF, CRLF and lone CR all end a
 * line. Lines are at most 76 characters; a leading '.' is left for the SMTP client to stuff. */
void notify_rules_qp(struct noaber_buf *b, const char *body);
/* The address inside "Name <addr>", or FROM itself (one line), into OUT (size N). */
void notify_rules_envelope_from(char *out, size_t n, const char *from);

/* Everything one e-mail needs. */
struct notify_email {
    const char *from; /* cfg->smtp_from: "addr" or "Name <addr>" */
    const char *to;   /* a checked address */
    const char *subject;
    const char *body;
    const char *link_url;   /* absolute URL appended to the body, or NULL/"" */
    const char *message_id; /* with angle brackets */
    int64_t date;
};
/* Appends the whole RFC 5322 message (headers, blank line, quoted-printable body), CRLF line
 * ends, ready for the SMTP DATA phase (without dot-stuffing: libcurl does that). */
void notify_rules_format(struct noaber_buf *b, const struct notify_email *e);

/* ---- store (notify_store.c): all SQL of the module --------------------------------------------
 */

struct notify_person {
    char channel[16];
    char email[256]; /* "" when none or not verified */
    char lang[16];
};

/* The person's channel, verified e-mail and language; NOABER_E_NOT_FOUND when there is no such
 * person. */
enum noaber_err notify_store_person(struct noaber_db *db, int64_t person_id,
                                    struct notify_person *out);
/* Inserts a message row (PERSON_ID 0 = none) with a provisional Message-ID, then gives it the
 * final one built from its row id; *row gets the id. */
enum noaber_err notify_store_insert_message(struct noaber_db *db, int64_t person_id,
                                            int64_t neighbourhood_id, const char *kind,
                                            const char *subject, const char *body, const char *link,
                                            const char *host, int64_t now, int64_t *row);
/* Adds a pending delivery on CHANNEL ("email": TO is the address, due NOW). */
enum noaber_err notify_store_insert_delivery(struct noaber_db *db, int64_t message_row,
                                             const char *channel, const char *to, int64_t now);

enum noaber_err notify_store_inbox(struct noaber_db *db, struct noaber_arena *arena,
                                   int64_t person_id, int offset, int limit,
                                   struct notify_message **rows, size_t *n);
enum noaber_err notify_store_inbox_count(struct noaber_db *db, int64_t person_id, int64_t *total,
                                         int64_t *unread);
/* *found is 0 when the message is not PERSON's. */
enum noaber_err notify_store_inbox_get(struct noaber_db *db, struct noaber_arena *arena,
                                       int64_t person_id, int64_t row, struct notify_message *out,
                                       int *found);
/* *changed 1 when it was unread and is now read; *exists 1 when it is PERSON's at all. */
enum noaber_err notify_store_mark_read(struct noaber_db *db, int64_t person_id, int64_t row,
                                       int64_t now, int *exists);
enum noaber_err notify_store_mark_all_read(struct noaber_db *db, int64_t person_id, int64_t now,
                                           int64_t *marked);

enum noaber_err notify_store_deliveries_of(struct noaber_db *db, struct noaber_arena *arena,
                                           int64_t message_row, struct notify_delivery **rows,
                                           size_t *n);
enum noaber_err notify_store_requeue_failed(struct noaber_db *db, int64_t now, int64_t *count);
enum noaber_err notify_store_prune(struct noaber_db *db, int64_t before, int64_t *removed);

enum noaber_err notify_store_calls(struct noaber_db *db, struct noaber_arena *arena, int64_t hood,
                                   struct notify_call **rows, size_t *n);
/* *state: 0 not on HOOD's list, 1 handled now, 2 on the list but handled before. */
enum noaber_err notify_store_call_handled(struct noaber_db *db, int64_t hood, int64_t delivery,
                                          int64_t connector, int64_t now, int *state);

enum noaber_err notify_store_letters_pending(struct noaber_db *db, struct noaber_arena *arena,
                                             int64_t hood, struct notify_letter **rows, size_t *n);
/* Creates a batch of HOOD's pending letters; *batch 0 when none were pending. */
enum noaber_err notify_store_letters_mark(struct noaber_db *db, int64_t hood, int64_t by,
                                          int64_t now, int64_t *batch);
enum noaber_err notify_store_letters_batch(struct noaber_db *db, struct noaber_arena *arena,
                                           int64_t batch, struct notify_letter **rows, size_t *n);

/* One claimed e-mail delivery with what the message needs. */
struct notify_claim {
    int64_t id, message_row;
    int attempts, hard_failures;
    const char *to, *subject, *body, *link, *message_id;
    int64_t created_at;
};
/* Claims at most LIMIT due e-mail deliveries for WORKER at NOW (claims older than STALE_BEFORE
 * are taken over) with one UPDATE ... RETURNING, then reads their messages. Run it in a
 * transaction. */
enum noaber_err notify_store_claim(struct noaber_db *db, struct noaber_arena *arena,
                                   const char *worker, int64_t now, int64_t stale_before, int limit,
                                   struct notify_claim **rows, size_t *n);
/* Refreshes the claim just before sending; *held 0 when another worker has taken it over. */
enum noaber_err notify_store_touch(struct noaber_db *db, int64_t id, const char *worker,
                                   int64_t now, int *held);
enum noaber_err notify_store_mark_sent(struct noaber_db *db, int64_t id, const char *worker,
                                       int64_t now, int code);
/* Records a failed attempt: STATUS "pending" (retry at NEXT_AT) or "failed". HARD is 1 for a
 * 5xx refusal. */
enum noaber_err notify_store_mark_failed(struct noaber_db *db, int64_t id, const char *worker,
                                         const char *status, int64_t next_at, int hard, int code,
                                         const char *error);
/* Gives a claim back untouched (the worker is stopping). */
enum noaber_err notify_store_release(struct noaber_db *db, int64_t id, const char *worker);

/* ---- SMTP (notify_smtp.c) -----------------------------------------------------------------------
 */

struct notify_smtp;
/* A client for the server in CFG; one connection is kept open between messages. Never NULL. */
struct notify_smtp *notify_smtp_open(const struct noaber_config *cfg, int timeout);
/* Sends DATA (LEN bytes, a formatted message) from ENVELOPE_FROM to RCPT. Returns 0 when the server
 * accepted it, -1 otherwise with *code the server's last reply code (0 when it never answered)
 * and a message in ERR (size ERRN). */
int notify_smtp_send(struct notify_smtp *s, const char *envelope_from, const char *rcpt,
                     const char *data, size_t len, long *code, char *err, size_t errn);
void notify_smtp_close(struct notify_smtp *s);

/* ---- the delivery pass (notify.c), shared with the worker -------------------------------------
 */

/* As notify_deliver_due(), stopping between messages once *STOP (may be NULL) is nonzero. */
enum noaber_err notify_deliver_pass(struct noaber_db *db, const struct noaber_config *cfg,
                                    const char *worker_id, const atomic_int *stop, int *sent,
                                    int *failed);
/* "<hostname>-<pid>-<8 hex>" into OUT (size N). */
void notify_worker_default_id(char *out, size_t n);

#endif
