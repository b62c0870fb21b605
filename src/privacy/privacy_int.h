/*
 * Inside the privacy module: its storage functions (privacy_store.c holds all its SQL, most of it
 * built once from the declarations) shared by the operations (privacy.c), the register
 * (privacy_register.c) and the clean-up thread (privacy_worker.c). Tables are named by their
 * index in privacy_table_at(). Stores neither begin nor commit; the operations own the
 * transactions.
 */
#ifndef NOABER_PRIVACY_INT_H
#define NOABER_PRIVACY_INT_H

#include "privacy/privacy.h"

/* 1 for a valid SQL identifier as the declarations may use: [a-z_][a-z0-9_]{0,62}. */
int privacy_identifier_ok(const char *s);

/* Builds every statement from the declarations, once per process (thread-safe). The statements
 * live as long as the process: the db layer caches prepared statements by the address of their
 * text. NOABER_E_INTERNAL (logged) when the declarations break the rules. */
enum noaber_err privacy_store_init(void);

/* Rows of TABLE that belong to PERSON: values of every declared column (SECRET columns as "" or
 * NULL), on ARENA. */
enum noaber_err privacy_store_own_rows(struct noaber_db *db, size_t table, int64_t person,
                                       const char ****rows, size_t *n, struct noaber_arena *a);
/* Rows of TABLE where PERSON only acted: values of the shown columns (privacy.h), NULL in the
 * others. */
enum noaber_err privacy_store_acted_rows(struct noaber_db *db, size_t table, int64_t person,
                                         const char ****rows, size_t *n, struct noaber_arena *a);

/* The erasure's three steps for TABLE (privacy.h); *changed is increased by the rows touched. */
enum noaber_err privacy_store_erase_actors(struct noaber_db *db, size_t table, int64_t person,
                                           const char *pseudonym, int64_t *changed);
enum noaber_err privacy_store_erase_references(struct noaber_db *db, size_t table, int64_t person,
                                               const char *pseudonym, int64_t *changed);
enum noaber_err privacy_store_erase_rows(struct noaber_db *db, size_t table, int64_t person,
                                         int64_t *changed);

/* The clean-up rules of TABLE (0: its retention_column, 1..: its rules); *count gets how many
 * there are. Rule RULE deletes the rows older than NOW minus its period; *deleted gets how many. */
size_t privacy_store_rule_count(size_t table);
enum noaber_err privacy_store_retention(struct noaber_db *db, size_t table, size_t rule,
                                        int64_t now, int64_t *deleted);

/* What erasure needs to know of a person. *found 0 when there is no such person. */
struct privacy_person_state {
    int64_t created_at;
    int is_admin, has_password;
    int64_t other_admins;
    char *password_hash; /* on the arena; NULL when the account has none */
};
enum noaber_err privacy_store_person(struct noaber_db *db, int64_t person,
                                     struct privacy_person_state *out, int *found,
                                     struct noaber_arena *a);
/* The installation's secret (settings "secret", hex), on A; NULL when missing. */
enum noaber_err privacy_store_secret(struct noaber_db *db, char **hex, struct noaber_arena *a);

/* The access log. */
enum noaber_err privacy_store_access_add(struct noaber_db *db, int64_t at, int64_t viewer,
                                         int64_t person, const char *what);
enum noaber_err privacy_store_access_list(struct noaber_db *db, int64_t person, int64_t offset,
                                          int64_t limit, struct privacy_access **rows, size_t *n,
                                          int64_t *total, struct noaber_arena *a);

#endif
