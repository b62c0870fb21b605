/*
 * Internal to the members module: its storage functions (members_store.c holds all its SQL).
 * Stores neither begin nor commit; operations in members.c own the transactions.
 */
#ifndef NOABER_MEMBERS_STORE_H
#define NOABER_MEMBERS_STORE_H

#include "members/members.h"

enum noaber_err members_store_setting(struct noaber_db *db, const char *key, char **value,
                                      struct noaber_arena *a);
enum noaber_err members_store_setting_put(struct noaber_db *db, const char *key, const char *value);

/* Sessions. */
/* STAGE 1: the password was right, the second factor is still due. */
enum noaber_err members_store_session_add(struct noaber_db *db, const char *hash, int64_t person,
                                          const char *csrf, int64_t now, int64_t expires,
                                          int stage);
struct members_session_row {
    int64_t person_id, last_seen_at, expires_at;
    int is_admin, is_staff, stage, totp;
    char *display_name, *lang, *csrf;
};
enum noaber_err members_store_session_find(struct noaber_db *db, const char *hash,
                                           struct members_session_row *out, int *found,
                                           struct noaber_arena *a);
enum noaber_err members_store_session_touch(struct noaber_db *db, const char *hash, int64_t now,
                                            int64_t expires);
enum noaber_err members_store_session_del(struct noaber_db *db, const char *hash);
enum noaber_err members_store_session_del_person(struct noaber_db *db, int64_t person);

/* Login attempts. */
enum noaber_err members_store_attempt_add(struct noaber_db *db, const char *key, int64_t at);
enum noaber_err members_store_attempts(struct noaber_db *db, const char *key, int64_t since,
                                       int64_t *count, int64_t *oldest);
enum noaber_err members_store_attempts_clear(struct noaber_db *db, const char *key);
enum noaber_err members_store_attempts_prune(struct noaber_db *db, int64_t before);

/* People. */
struct members_person_new {
    const char *email, *username, *display_name, *password_hash, *lang;
    int is_admin;
    int64_t created_by, now;
};
enum noaber_err members_store_person_add(struct noaber_db *db, const struct members_person_new *p,
                                         int64_t *id);
enum noaber_err members_store_person_login(struct noaber_db *db, const char *login, int64_t *id,
                                           char **hash, struct noaber_arena *a);
enum noaber_err members_store_person(struct noaber_db *db, int64_t id, struct members_person *out,
                                     struct noaber_arena *a);
enum noaber_err members_store_person_by_email(struct noaber_db *db, const char *email, int64_t *id);
enum noaber_err members_store_password_set(struct noaber_db *db, int64_t id, const char *hash);
enum noaber_err members_store_prefs_set(struct noaber_db *db, int64_t id, const char *lang,
                                        const char *channel, const char *display_name);
enum noaber_err members_store_login_taken(struct noaber_db *db, const char *login, int *taken);
/* NULL leaves a field as it is. */
enum noaber_err members_store_contact_set(struct noaber_db *db, int64_t id, const char *phone,
                                          const char *postal);
enum noaber_err members_store_email_verified(struct noaber_db *db, int64_t id, int64_t now);

/* Second factor. */
struct members_totp_row {
    char *secret, *pending; /* hex; NULL when none */
    int64_t enabled_at, last_step;
};
enum noaber_err members_store_totp(struct noaber_db *db, int64_t person,
                                   struct members_totp_row *out, struct noaber_arena *a);
enum noaber_err members_store_totp_pending(struct noaber_db *db, int64_t person, const char *hex);
enum noaber_err members_store_totp_enable(struct noaber_db *db, int64_t person, int64_t now);
enum noaber_err members_store_totp_disable(struct noaber_db *db, int64_t person);
/* Records STEP as used; 0 rows changed when a later step was used already (a replay). */
enum noaber_err members_store_totp_step(struct noaber_db *db, int64_t person, int64_t step,
                                        int *changed);
enum noaber_err members_store_recovery_add(struct noaber_db *db, int64_t person, const char *hash,
                                           int64_t now);
enum noaber_err members_store_recovery_clear(struct noaber_db *db, int64_t person);
/* Marks an unused recovery code of PERSON used, exactly once; *found says whether it was. */
enum noaber_err members_store_recovery_take(struct noaber_db *db, int64_t person, const char *hash,
                                            int64_t now, int *found);

/* Memberships. */
enum noaber_err members_store_member_add(struct noaber_db *db, int64_t person, int64_t hood,
                                         enum members_role role, int64_t confirmed_at,
                                         int64_t confirmed_by, int64_t now);
enum noaber_err members_store_member_role(struct noaber_db *db, int64_t person, int64_t hood,
                                          enum members_role *role, int64_t *confirmed_at);
enum noaber_err members_store_member_set_role(struct noaber_db *db, int64_t person, int64_t hood,
                                              enum members_role role);
enum noaber_err members_store_member_del(struct noaber_db *db, int64_t person, int64_t hood);
enum noaber_err members_store_member_confirm(struct noaber_db *db, int64_t person, int64_t hood,
                                             int64_t by, int64_t now);
enum noaber_err members_store_members(struct noaber_db *db, int64_t hood, int unconfirmed_only,
                                      int64_t offset, int64_t limit, struct members_member **out,
                                      size_t *n, int64_t *total, struct noaber_arena *a);
enum noaber_err members_store_person_hoods(struct noaber_db *db, int64_t person,
                                           struct members_hood **out, size_t *n,
                                           struct noaber_arena *a);

/* The connectors and coordinators of HOOD (ids on A), and the neighbourhood's slug and name. */
enum noaber_err members_store_staff(struct noaber_db *db, int64_t hood, struct members_hood *out,
                                    int64_t **ids, size_t *n, struct noaber_arena *a);

/* Neighbourhoods. */
enum noaber_err members_store_hood_add(struct noaber_db *db, const struct members_hood_input *in,
                                       int64_t now, int64_t *id);
enum noaber_err members_store_hood_by_slug(struct noaber_db *db, const char *slug,
                                           struct members_hood *out, int *found,
                                           struct noaber_arena *a);
/* Every neighbourhood by name; WITH_COUNTS fills members (a count per neighbourhood). */
enum noaber_err members_store_hoods(struct noaber_db *db, int with_counts,
                                    struct members_hood **out, size_t *n, struct noaber_arena *a);

/* One-time codes. */
enum noaber_err members_store_code_add(struct noaber_db *db, const char *hash, int64_t person,
                                       const char *purpose, int64_t by, int64_t now,
                                       int64_t expires);
/* Marks the code used and hands back its person and purpose, exactly once: two concurrent
 * redemptions of one code cannot both succeed. */
enum noaber_err members_store_code_take(struct noaber_db *db, const char *hash, int64_t now,
                                        int64_t *person, char **purpose, int *found,
                                        struct noaber_arena *a);

/* API tokens. */
enum noaber_err members_store_token_person(struct noaber_db *db, const char *hash, int64_t *person,
                                           int *found);
enum noaber_err members_store_token_add(struct noaber_db *db, int64_t person, const char *name,
                                        const char *hash, int64_t now);

/* The audit log: who did what to whom. */
enum noaber_err members_store_audit(struct noaber_db *db, int64_t actor, const char *action,
                                    int64_t subject, int64_t hood, const char *detail);

#endif
