/*
 * Members: accounts, sessions, login codes, neighbourhoods and roles per neighbourhood, and the
 * one authorisation function that decides every action. This header is the module's only public
 * face; the HTTP layer reaches sessions, login attempts and codes only through it.
 *
 * Roles are per neighbourhood (resident, connector, coordinator, partner); administrator is
 * installation-wide. A resident who registers is "unconfirmed" in their neighbourhood until a
 * connector or coordinator of that neighbourhood confirms that they live there; until then they
 * see only the public part of it.
 */
#ifndef NOABER_MEMBERS_MEMBERS_H
#define NOABER_MEMBERS_MEMBERS_H

#include "base/err.h"

#include <stddef.h>
#include <stdint.h>

struct noaber_arena;
struct noaber_db;
struct noaber_config;

enum members_role {
    MEMBERS_R_NONE,
    MEMBERS_R_RESIDENT,
    MEMBERS_R_CONNECTOR,
    MEMBERS_R_COORDINATOR,
    MEMBERS_R_PARTNER,
    MEMBERS_R__MAX
};

/* Every action the authorisation function decides. Hood actions are checked against the actor's
 * role in the route's neighbourhood. */
enum members_action {
    MEMBERS_A_PUBLIC,         /* anyone, also anonymous */
    MEMBERS_A_LOGGED_IN,      /* any logged-in person: own account, own messages */
    MEMBERS_A_HOOD_PUBLIC,    /* the public page of a neighbourhood */
    MEMBERS_A_HOOD_MEMBERS,   /* neighbourhood-only content: confirmed members, staff, admin */
    MEMBERS_A_MEMBER_LIST,    /* see the member list of a neighbourhood */
    MEMBERS_A_MEMBER_CONFIRM, /* confirm that a resident lives in the neighbourhood */
    MEMBERS_A_MEMBER_CREATE,  /* create an account for a resident (with or without e-mail) */
    MEMBERS_A_MEMBER_CODE,    /* print a one-time login code for a resident */
    MEMBERS_A_ROLE_SET,       /* give someone a role in the neighbourhood, or take it away */
    MEMBERS_A_CALL_LIST,      /* the connectors' call list */
    MEMBERS_A_HOOD_EDIT,      /* change a neighbourhood's name, description, postcodes */
    MEMBERS_A_REPORTS,        /* aggregated figures (partners see only these) */
    MEMBERS_A_ADMIN,          /* installation: neighbourhoods, administrators, test e-mail */
    MEMBERS_A_INTAKE,         /* register a resident at the door or by phone, with their consent */
    MEMBERS_A_RESIDENT_FILE,  /* open residents' files, notes and the caseload (src/residents/) */
    MEMBERS_A_HELP_SEARCH,    /* "who can help with ...": neighbours who opted in */
    MEMBERS_A__MAX
};

/* Who is asking. person_id 0 means anonymous. Strings live on the request's arena. */
struct members_actor {
    int64_t person_id;
    int is_admin;
    int is_staff; /* connector, coordinator or partner somewhere, or admin */
    const char *display_name;
    const char *lang;
    const char *session_hash; /* the stored hash of the session token, when logged in by cookie */
    const char *csrf;         /* the session's CSRF token */
    int totp;                 /* a second factor is set up */
};

/* A neighbourhood as a route sees it, with the actor's role in it. */
struct members_hood {
    int64_t id;
    const char *slug, *name, *description, *postcodes;
    enum members_role role; /* the actor's role here (NONE when not a member) */
    int confirmed;          /* the actor's residency has been confirmed */
    int64_t members;        /* number of members (filled by lists) */
};

struct members_person {
    int64_t id;
    const char *email, *username, *display_name, *lang, *channel, *phone;
    int is_admin, email_verified;
    int64_t created_at;
};

struct members_member { /* a person with their role in one neighbourhood */
    struct members_person p;
    enum members_role role;
    int64_t confirmed_at;
};

/* --- rules (members_rules.c, no I/O) --------------------------------------------------------- */

/* The one authorisation function: NOABER_OK, NOABER_E_UNAUTHENTICATED, NOABER_E_FORBIDDEN or
 * NOABER_E_NOT_CONFIRMED. HOOD may be NULL for actions outside a neighbourhood. */
enum noaber_err members_can(const struct members_actor *a, enum members_action action,
                            const struct members_hood *hood);
/* May ACTOR (with role ACTOR_ROLE in the neighbourhood) give role NEW_ROLE? */
enum noaber_err members_can_give_role(const struct members_actor *a, enum members_role actor_role,
                                      enum members_role new_role);
const char *members_role_name(enum members_role r);  /* "resident" … ("" for NONE) */
const char *members_role_label(enum members_role r); /* msgid: "Resident" … */
enum members_role members_role_parse(const char *s); /* NONE when unknown */
const char *members_action_name(enum members_action a);
/* Normalises and checks: e-mail (lower-cased, trimmed), username, password, slug, postcode
 * ("1234 ab" -> "1234AB"). Return NOABER_OK or the field's error code. */
enum noaber_err members_check_email(char *email);
enum noaber_err members_check_username(char *username);
enum noaber_err members_check_password(const char *password);
enum noaber_err members_check_slug(const char *slug);
enum noaber_err members_check_postcode(char *postcode);
/* 1 if the four digits of POSTCODE are in LIST ("1234,1235"); an empty list accepts all. */
int members_postcode_in(const char *list, const char *postcode);
/* Login attempts allowed in the window, per account name and per address. */
#define MEMBERS_LOGIN_WINDOW      (15 * 60)
#define MEMBERS_LOGIN_MAX_ACCOUNT 5
#define MEMBERS_LOGIN_MAX_ADDRESS 30
#define MEMBERS_LOGIN_MAX_CODES   10 /* wrong one-time codes per address */
/* Minutes until a new attempt is allowed, given the oldest attempt in the window. */
int members_retry_minutes(int64_t oldest, int64_t now);

/* --- second factor (members_totp.c) ---------------------------------------------------------- */

#define MEMBERS_TOTP_PERIOD 30
#define MEMBERS_TOTP_KEY    20 /* bytes of secret */
/* The six-digit code (0..999999) for time step STEP, or -1 on a crypto failure. */
int members_totp_code(const unsigned char *key, size_t keylen, int64_t step);
/* The time step CODE is valid for (within one step of NOW), when it is later than LAST_STEP;
 * 0 when it is not valid. */
int64_t members_totp_check(const unsigned char *key, size_t keylen, const char *code, int64_t now,
                           int64_t last_step);
/* Base32 (RFC 4648, no padding) of N bytes into OUT (size OUTN), for authenticator apps. */
void members_base32(const unsigned char *in, size_t n, char *out, size_t outn);

/* --- passwords (members_password.c) ----------------------------------------------------------- */

/* argon2id with libsodium's interactive limits; at most two hashes run at a time. */
enum noaber_err members_password_hash(const char *password, char out[128]);
int members_password_verify(const char *hash, const char *password);

/* --- sessions and CSRF (members.c) ------------------------------------------------------------ */

/* Loads the installation's secret (creating it on first use). Call once at start. */
enum noaber_err members_init(struct noaber_db *db);
/* Finds the session for TOKEN and fills A; refreshes last_seen at most once a minute (so most
 * views write nothing). NOABER_E_UNAUTHENTICATED when unknown or expired. */
enum noaber_err members_session_find(struct noaber_db *db, const struct noaber_config *cfg,
                                     const char *token, struct members_actor *a,
                                     struct noaber_arena *arena);
/* Finds the person for an API token (Authorization: Bearer). */
enum noaber_err members_token_find(struct noaber_db *db, const char *token, struct members_actor *a,
                                   struct noaber_arena *arena);
/* A stateless CSRF token for anonymous forms, bound to NONCE (kept in a cookie). */
void members_csrf_anon(const char *nonce, char out[160]);
int members_csrf_anon_ok(const char *nonce, const char *token);

/* --- operations (members.c); each runs its own transaction ------------------------------------ */

struct members_login {
    const char *login, *password, *client_ip;
};
/* Checks the password, the rate limits (NOABER_E_RATE_LIMITED with *retry_minutes) and creates a
 * session: TOKEN_OUT gets the cookie value (64 hex). When the person has a second factor the
 * session waits for it and the answer is NOABER_E_MFA_REQUIRED (TOKEN_OUT is still set): finish
 * with members_login_totp(). */
enum noaber_err members_login(struct noaber_db *db, const struct noaber_config *cfg,
                              const struct members_login *in, char token_out[65],
                              int *retry_minutes);
/* Rate limit for writes by anonymous visitors (registrations, reset requests): counts one
 * attempt for WHAT from ADDR and answers NOABER_E_RATE_LIMITED (with *retry_minutes) when ADDR
 * made MAX or more in the last WINDOW seconds. Page views are never limited. */
enum noaber_err members_throttle(struct noaber_db *db, const char *what, const char *addr, int max,
                                 int window, int *retry_minutes);
/* Logs in with a one-time code (purpose login or reset); marks the code used. */
enum noaber_err members_login_code(struct noaber_db *db, const struct noaber_config *cfg,
                                   const char *code, const char *client_ip, char token_out[65],
                                   int64_t *person_out, int *retry_minutes);
/* The second step: CODE (six digits from the app, or a recovery code) for the waiting session
 * TOKEN. On success the waiting session is replaced by a full one in NEW_TOKEN. Wrong codes count
 * towards the account's login limit. */
enum noaber_err members_login_totp(struct noaber_db *db, const struct noaber_config *cfg,
                                   const char *token, const char *code, char new_token[65],
                                   int *retry_minutes);
/* Starts setting up a second factor: a new secret, kept aside until confirmed. SECRET_B32 gets
 * it in base32 for the app (size 40). */
enum noaber_err members_totp_begin(struct noaber_db *db, int64_t person, char secret_b32[40]);
/* Confirms the set-up with a first CODE; hands back ten single-use recovery codes. */
enum noaber_err members_totp_enable(struct noaber_db *db, int64_t person, const char *code,
                                    char recovery[10][16]);
/* Removes the second factor after checking PASSWORD (not allowed when CFG requires it of
 * staff and the person is staff: NOABER_E_MFA_SETUP_REQUIRED). */
enum noaber_err members_totp_disable(struct noaber_db *db, const struct noaber_config *cfg,
                                     const struct members_actor *actor, const char *password);
enum noaber_err members_logout(struct noaber_db *db, const char *token);
enum noaber_err members_logout_everywhere(struct noaber_db *db, int64_t person_id);

struct members_registration {
    const char *display_name, *email, *password, *postcode, *lang;
    int64_t hood_id;
};
/* A resident registers themself: unconfirmed resident of the chosen neighbourhood; a
 * verification link is queued to their e-mail. */
enum noaber_err members_register(struct noaber_db *db, const struct noaber_config *cfg,
                                 const struct members_registration *in, int64_t *person_out);
/* Marks the e-mail verified for the code from the link. */
enum noaber_err members_verify_email(struct noaber_db *db, const char *code);

struct members_new_member {
    const char *display_name, *email, *username; /* email or username */
    enum members_role role;
    int64_t hood_id;
};
/* A connector or coordinator (or an administrator) adds a person to a neighbourhood. The
 * account is confirmed at once (the actor vouches for them). */
enum noaber_err members_add(struct noaber_db *db, const struct members_actor *actor,
                            const struct members_hood *hood, const struct members_new_member *in,
                            int64_t *person_out);
/* Gives PERSON the role ROLE in HOOD (NONE removes them from it). */
enum noaber_err members_set_role(struct noaber_db *db, const struct members_actor *actor,
                                 const struct members_hood *hood, int64_t person,
                                 enum members_role role);
enum noaber_err members_confirm(struct noaber_db *db, const struct members_actor *actor,
                                const struct members_hood *hood, int64_t person);
/* A one-time code for PERSON (a member of HOOD) with PURPOSE "login" or "reset", valid for
 * 14 days; CODE_OUT gets it in groups of four ("ABCD-EFGH-JKLM"). */
enum noaber_err members_make_code(struct noaber_db *db, const struct members_actor *actor,
                                  const struct members_hood *hood, int64_t person,
                                  char code_out[32]);
/* Password reset by e-mail: queues a link when the address is known; says nothing either way. */
enum noaber_err members_reset_request(struct noaber_db *db, const struct noaber_config *cfg,
                                      const char *email);
enum noaber_err members_set_password(struct noaber_db *db, int64_t person, const char *password);
enum noaber_err members_set_prefs(struct noaber_db *db, int64_t person, const char *lang,
                                  const char *channel, const char *display_name);
/* Whether LOGIN is already someone's e-mail address or username. Asked before making an account
 * inside a larger transaction, so that no statement fails there (on PostgreSQL a failed statement
 * ends the transaction). */
enum noaber_err members_login_taken(struct noaber_db *db, const char *login, int *taken);
/* A person without a login and without a neighbourhood, known only to reach them: a volunteer
 * who signed up for a panel with the code of a letter. EMAIL ("" or NULL: none) is taken as
 * verified when EMAIL_VERIFIED is set (the holder of the letter typed it). NOABER_E_EMAIL_TAKEN
 * when the address belongs to someone. Runs inside the caller's transaction, or in one of its
 * own. */
struct members_contact_new {
    const char *display_name, *email, *lang, *channel, *phone, *postal_address;
    int email_verified;
    int64_t created_by; /* 0: the person themself */
};
enum noaber_err members_contact_add(struct noaber_db *db, const struct members_contact_new *in,
                                    int64_t *person_out);
/* The person with this (lower-case) e-mail address; NOABER_E_NOT_FOUND when nobody has it. */
enum noaber_err members_person_by_email(struct noaber_db *db, const char *email, int64_t *id);
/* How calls and letters reach a person: phone number and postal address (NULL: unchanged). */
enum noaber_err members_set_contact(struct noaber_db *db, int64_t person, const char *phone,
                                    const char *postal_address);

/* Neighbourhoods. */
enum noaber_err members_hood_by_slug(struct noaber_db *db, const struct members_actor *actor,
                                     const char *slug, struct members_hood *out,
                                     struct noaber_arena *arena);
enum noaber_err members_hood_list(struct noaber_db *db, const struct members_actor *actor,
                                  struct members_hood **out, size_t *n, struct noaber_arena *arena);
struct members_hood_input {
    const char *slug, *name, *description, *postcodes;
};
enum noaber_err members_hood_create(struct noaber_db *db, const struct members_actor *actor,
                                    const struct members_hood_input *in, int64_t *id_out);
/* The neighbourhood whose postcode list holds POSTCODE; 0 when none. */
enum noaber_err members_hood_for_postcode(struct noaber_db *db, const char *postcode,
                                          int64_t *id_out);

/* People. */
enum noaber_err members_person_get(struct noaber_db *db, int64_t id, struct members_person *out,
                                   struct noaber_arena *arena);
/* The members of HOOD, optionally only unconfirmed ones, paged (OFFSET, LIMIT). */
enum noaber_err members_list(struct noaber_db *db, const struct members_hood *hood,
                             int unconfirmed_only, int64_t offset, int64_t limit,
                             struct members_member **out, size_t *n, int64_t *total,
                             struct noaber_arena *arena);
/* The neighbourhoods PERSON belongs to, with their role and confirmation. */
enum noaber_err members_person_hoods(struct noaber_db *db, int64_t person,
                                     struct members_hood **out, size_t *n,
                                     struct noaber_arena *arena);

/* A personal API token for PERSON named NAME; TOKEN_OUT gets it (shown once, stored hashed). */
enum noaber_err members_token_create(struct noaber_db *db, int64_t person, const char *name,
                                     char token_out[65]);

/* First administrator (command line) and the demo. */
/* Creates the demo installation (see members_demo.c) in an empty database. */
enum noaber_err members_demo(struct noaber_db *db, const char *password);
enum noaber_err members_create_admin(struct noaber_db *db, const char *email, const char *name,
                                     const char *password, int64_t *id_out);

#endif
