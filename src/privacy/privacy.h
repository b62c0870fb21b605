/*
 * Privacy by design (AVG/GDPR): every column of every table is declared once, here or in its
 * module's <module>_privacy.c, with whether it is personal and, if so, its purpose, legal basis
 * and retention period. From these declarations come the processing register
 * (docs/privacy.md, `noaber privacy-register`), a person's export (art. 15/20), their erasure
 * (art. 17: delete, or in legally retained tables replace the person by a pseudonym), the daily
 * retention clean-up (`noaber maintenance`), and a test that fails on any undeclared column.
 *
 * A module declares its tables as a {0}-terminated array of struct privacy_table named
 * <module>_privacy_tables; src/privacy/privacy_modules.c joins the arrays of every module, as
 * src/http/routes.c joins route tables. Write the tables with designated initializers
 * (.table = ..., .columns = ...), so that fields added later need no change; a column is
 * {"name", KIND, "purpose"}.
 *
 * Which rows are a person's. A row belongs to person P when one of its REFERENCE columns holds P's
 * id, or when one of its links (struct privacy_link) points into the rows of P in another table:
 * deliveries.message_row into P's messages, deliveries.to_address into P's e-mail address. Rows
 * where P only appears in an ACTOR column (the connector who made an account, confirmed a
 * membership, handled a call) belong to someone else: P's export shows only the row's
 * non-personal columns, and erasure only removes P from them.
 *
 * Erasure runs in one transaction:
 *   1. every ACTOR column holding P's id becomes NULL (in a PSEUDONYMISE table: NULL, and its
 *      pseudonym column gets P's pseudonym);
 *   2. in PSEUDONYMISE tables (legally retained: the audit log, the access log) every REFERENCE
 *      column holding P's id becomes NULL, its pseudonym column gets P's pseudonym, and the row's
 *      PERSONAL and SPECIAL columns (which must be TEXT there) become '';
 *   3. the rows of P in DELETE tables are deleted, in declaration order, `persons` last. So a
 *      table whose rows are found through a link to another table comes before it (messages,
 *      which finds its address-only mails through deliveries, before deliveries), and a table
 *      that others point to without ON DELETE CASCADE comes after them.
 * The pseudonym column of a reference column "x_id" is "x_pseudonym" (of "x": "x_pseudonym"),
 * declared PRIVACY_PSEUDONYM, TEXT NOT NULL DEFAULT ''. A pseudonym is "erased-" and 12 hex
 * characters of an HMAC under the installation's secret: the same for every row of one person,
 * so a retained log still shows which entries were one person, but not who.
 *
 * privacy_check_declarations() and the schema test (tests/unit/privacy/test_schema.c) hold the
 * declarations to these rules; SQL is built from the declarations only (privacy_store.c).
 */
#ifndef NOABER_PRIVACY_PRIVACY_H
#define NOABER_PRIVACY_PRIVACY_H

#include "base/err.h"

#include <stddef.h>
#include <stdint.h>

struct noaber_arena;
struct noaber_buf;
struct noaber_db;
struct noaber_dbpool;

enum privacy_kind {
    PRIVACY_NOT_PERSONAL, /* says nothing about a person (ids of things, settings, counts) */
    PRIVACY_PERSONAL,     /* identifies or describes a person */
    PRIVACY_SPECIAL,      /* special category (health): own tables, few roles */
    PRIVACY_REFERENCE,    /* refers to a person (persons.id): follows the person on erasure */
    /* Added with issue 6: */
    PRIVACY_ACTOR,     /* a person who acted on someone else's row (created, confirmed, handled
                          it): set to NULL on their erasure (the column must allow NULL) */
    PRIVACY_SECRET,    /* a credential or its hash: kept for security, left out of exports */
    PRIVACY_PSEUDONYM, /* receives the pseudonym of an erased person (see above) */
    PRIVACY_KIND__MAX
};

struct privacy_column {
    const char *name;
    enum privacy_kind kind;
    const char *purpose; /* why it is kept (every kind but NOT_PERSONAL), in English, marked
                            for translation with N_() so that the readable export can show it
                            translated; NULL for NOT_PERSONAL */
};

enum privacy_erase {
    PRIVACY_ERASE_DELETE,      /* rows about the person are deleted */
    PRIVACY_ERASE_PSEUDONYMISE /* legally retained: the person is replaced by a pseudonym */
};

/* Added with issue 6. A further way in which a row belongs to a person: COLUMN holds PREFIX
 * (may be NULL) followed by the value of column KEY of a row of TABLE that belongs to the person.
 * {"message_row", "messages", "id"}: the deliveries of the person's messages.
 * {"to_address", "persons", "email"}: mail to the person's address.
 * {"key", "persons", "email", "login:"}: failed logins with the person's address.
 * PREFIX is a fixed word of [a-z0-9_:-] (checked), written into the SQL as a literal. */
struct privacy_link {
    const char *column, *table, *key, *prefix;
};

/* Added with issue 6. A further clean-up rule for part of a table's rows: rows whose COLUMN
 * (epoch seconds) is more than SECONDS ago and whose IF_NULL column is NULL are deleted. */
struct privacy_rule {
    const char *column;
    int64_t seconds;
    const char *if_null;
};

struct privacy_table {
    const char *table;
    const char *description;      /* what a row is, in English, marked with N_(): the heading
                                     of the readable export */
    const char *basis;            /* legal basis: "consent", "contract", "legitimate interest",
                                     "legal obligation", or NULL when nothing is personal */
    const char *retention;        /* in words, for the register ("until the account is removed");
                                     may be NULL when nothing is personal */
    const char *retention_column; /* a time column (epoch seconds), or NULL: no clean-up */
    int64_t retention_seconds;    /* rows whose retention_column is more than this long ago are
                                     deleted by the daily clean-up (0: as soon as it has passed) */
    enum privacy_erase erase;
    const struct privacy_column *columns; /* terminated by {NULL} */
    /* Added with issue 6 (optional): */
    const struct privacy_link *links; /* terminated by {NULL}; not in PSEUDONYMISE tables */
    const struct privacy_rule *rules; /* further clean-up rules, terminated by {NULL} */
};

#define PRIVACY_DAY  ((int64_t)86400)
#define PRIVACY_YEAR ((int64_t)365 * 86400)

/* --- the declarations (privacy.c) ----------------------------------------------------------- */

/* Every module's array, joined (privacy_modules.c): NULL-terminated. */
extern const struct privacy_table *const privacy_modules[];

/* The declared tables in order (modules in privacy_modules[] order, tables in array order). */
size_t privacy_table_count(void);
const struct privacy_table *privacy_table_at(size_t i);
/* The declaration of TABLE, or NULL; of its column NAME, or NULL. */
const struct privacy_table *privacy_table_find(const char *table);
const struct privacy_column *privacy_column_find(const struct privacy_table *t, const char *name);
/* 1 when rows of T can belong to a person (a REFERENCE column or a link). */
int privacy_table_is_personal_data(const struct privacy_table *t);
/* "not personal", "personal", "special category", "reference to the person", ... */
const char *privacy_kind_name(enum privacy_kind k);
/* The name of the pseudonym column of reference column COL ("actor_id" -> "actor_pseudonym")
 * in OUT (size N); 0, or -1 when it does not fit. */
int privacy_pseudonym_column(const char *col, char *out, size_t n);

/* Checks the declarations against the rules above (names are identifiers, each table and column
 * once, purposes and bases where something is personal, retention and link columns declared,
 * pseudonym columns present, no links in PSEUDONYMISE tables, `persons` with REFERENCE `id`).
 * Appends one line per problem to PROBLEMS (may be NULL) and returns their count. */
int privacy_check_declarations(struct noaber_buf *problems);
/* The same over other declarations, joined as privacy_modules is (for tests). */
int privacy_check_modules(const struct privacy_table *const *modules, struct noaber_buf *problems);

/* The processing register (verwerkingsregister) in Markdown, as committed in docs/privacy.md. */
void privacy_register_markdown(struct noaber_buf *out);

/* --- export (art. 15 and 20) ----------------------------------------------------------------- */

struct privacy_export_table {
    const struct privacy_table *decl;
    size_t ncols;
    const struct privacy_column *const *cols; /* every declared column, in declaration order */
    /* Rows of the person: one value per column (NULL for SQL NULL; SECRET columns hold "" or
     * NULL, never the secret). */
    const char *const *const *own;
    size_t nown;
    /* Rows where the person only acted: values of the NOT_PERSONAL and ACTOR columns (acted[i][c]
     * is NULL for every other column, and for SQL NULL). */
    const char *const *const *acted;
    size_t nacted;
};

struct privacy_export {
    int64_t person_id, generated_at;
    struct privacy_export_table *tables; /* only tables with rows */
    size_t ntables;
};

/* Everything held about PERSON_ID, on ARENA. Values are text, the same on every engine.
 * NOABER_E_NOT_FOUND when there is no such person, NOABER_E_TOO_LARGE when the arena is full. */
enum noaber_err privacy_export(struct noaber_db *db, int64_t person_id, struct privacy_export *out,
                               struct noaber_arena *arena);
/* 1 when column C of an acted row is shown (NOT_PERSONAL or ACTOR). */
int privacy_export_shown_when_acted(const struct privacy_column *c);

/* --- erasure (art. 17) ----------------------------------------------------------------------- */

#define PRIVACY_PSEUDONYM_SIZE 20 /* "erased-" + 12 hex + NUL */

/* The pseudonym of PERSON_ID (who must still exist): "erased-" and 12 hex of an HMAC-SHA256 of
 * the id and the account's creation time under the installation's secret (the creation time
 * keeps two accounts apart that the database gave the same id). */
enum noaber_err privacy_pseudonym(struct noaber_db *db, int64_t person_id,
                                  char out[PRIVACY_PSEUDONYM_SIZE]);

/* Erases PERSON_ID as described at the top, in one transaction. NOABER_E_NOT_FOUND when there
 * is no such person, NOABER_E_LAST_ADMIN when they are the only administrator (nothing changes
 * then). *changed (may be NULL) gets the number of rows deleted or changed. */
enum noaber_err privacy_erase(struct noaber_db *db, int64_t person_id, int64_t *changed);

/* What the erasure form needs to know: whether the person has a password (else they confirm by
 * typing PRIVACY_CONFIRM_WORD) and whether they are the only administrator. */
enum noaber_err privacy_erase_check(struct noaber_db *db, int64_t person_id, int *has_password,
                                    int *last_admin);
#define PRIVACY_CONFIRM_WORD "VERWIJDER"

/* The person asks for their own erasure: at most 5 tries per 15 minutes
 * (NOABER_E_RATE_LIMITED, *retry_minutes), then PASSWORD must be theirs
 * (NOABER_E_WRONG_PASSWORD), or for an account without password CONFIRM must be
 * PRIVACY_CONFIRM_WORD or "DELETE", in any case (NOABER_E_CONFIRM_WORD); then privacy_erase(). */
enum noaber_err privacy_erase_confirmed(struct noaber_db *db, int64_t person_id,
                                        const char *password, const char *confirm,
                                        int *retry_minutes);

/* --- the access log -------------------------------------------------------------------------- */

/* Records that VIEWER_ID opened the personal file WHAT of PERSON_ID (for other modules: call it
 * whenever staff open a resident's profile, intake, notes ...). WHAT names the kind of file, never
 * a person: a short English phrase marked for translation with N_(), such as "resident profile"
 * (printable ASCII, at most 80 bytes; NOABER_E_INVALID otherwise), shown translated to the
 * person. A person opening their own
 * file is not recorded. Runs in the caller's transaction when one is open, else in its own. */
enum noaber_err privacy_log_access(struct noaber_db *db, int64_t viewer_id, int64_t person_id,
                                   const char *what);

struct privacy_access {
    int64_t id, at;
    int64_t viewer_id;  /* 0 once the viewer was erased */
    const char *viewer; /* their display name, or their pseudonym once erased */
    const char *what;   /* the msgid given to privacy_log_access() */
};
/* Who opened PERSON_ID's files, newest first: at most LIMIT (1..500) from OFFSET, and *total. */
enum noaber_err privacy_access_list(struct noaber_db *db, int64_t person_id, int64_t offset,
                                    int64_t limit, struct privacy_access **rows, size_t *n,
                                    int64_t *total, struct noaber_arena *arena);

/* --- retention ------------------------------------------------------------------------------- */

/* Deletes every row past its retention period at time NOW (each table's retention_column and
 * rules), one transaction per rule. DELETED (may be NULL; privacy_table_count() entries) gets
 * the rows deleted per table. */
enum noaber_err privacy_retention_run(struct noaber_db *db, int64_t now, int64_t *deleted);

struct privacy_worker;
/* Starts the daily clean-up thread: FIRST_DELAY seconds after start and then every INTERVAL
 * seconds it claims the day's run (noaber_db_job_claim, "privacy-retention" and the UTC date) and,
 * when the claim is its own, runs privacy_retention_run() on its own connection from POOL. So the
 * clean-up runs once a day per database, however many servers share it. NULL when the thread
 * cannot start. */
struct privacy_worker *privacy_worker_start(struct noaber_dbpool *pool, int first_delay,
                                            int interval);
/* Stops the thread (waiting for a run in progress), joins and frees it. NULL is allowed. */
void privacy_worker_stop(struct privacy_worker *w);
/* Clean-ups run, and claims tried, by W since start (for tests). */
unsigned privacy_worker_runs(struct privacy_worker *w);
unsigned privacy_worker_checks(struct privacy_worker *w);

#endif
