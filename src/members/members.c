/*
 * The members module's operations: each opens its transaction with noaber_db_tx(), applies the
 * rules, calls the store, and queues any message in the same transaction (notify_queue). Sessions
 * and codes are stored as SHA-256 hashes: a copy of the database never lets anyone log in.
 */
#include "members/members.h"

#include "base/arena.h"
#include "base/config.h"
#include "base/log.h"
#include "base/util.h"
#include "db/db.h"
#include "members/members_store.h"
#include "notify/notify.h"
#include "view/i18n.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CODE_DAYS 14

static unsigned char secret[32];
static char dummy_hash[128]; /* verified against for unknown names, so timing tells nothing */

enum noaber_err
members_init(struct noaber_db *db)
{
    struct noaber_arena *a = noaber_arena_new(4096);
    char *hex = NULL;
    enum noaber_err e = members_store_setting(db, "secret", &hex, a);
    if (e == NOABER_OK && !hex) {
        char fresh[65];
        noaber_random_hex(fresh, 32);
        e = members_store_setting_put(db, "secret", fresh);
        if (e == NOABER_OK)
            e = members_store_setting(db, "secret", &hex, a);
    }
    if (e == NOABER_OK &&
        (!hex || sodium_hex2bin(secret, sizeof secret, hex, strlen(hex), NULL, NULL, NULL) != 0))
        e = NOABER_E_INTERNAL;
    noaber_arena_free(a);
    return e;
}

/* The dummy hash is made on the first login with an unknown name, not at start: argon2id takes
 * 64 MiB for a moment, which a server that only shows pages never needs to spend. */
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void
make_dummy(void)
{
    char pw[33];
    noaber_random_hex(pw, 16);
    if (members_password_hash(pw, dummy_hash) != NOABER_OK)
        dummy_hash[0] = '\0';
}

/* --- CSRF before login ------------------------------------------------------------------------ */

void
members_csrf_anon(const char *nonce, char out[160])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, secret, sizeof secret);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)"csrf:", 5);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)nonce, strlen(nonce));
    crypto_auth_hmacsha256_final(&st, mac);
    noaber_hex(out, mac, sizeof mac);
}

int
members_csrf_anon_ok(const char *nonce, const char *token)
{
    char want[160];
    members_csrf_anon(nonce, want);
    return noaber_streq_ct(want, token);
}

/* --- sessions -------------------------------------------------------------------------------- */

static int64_t
session_ttl(const struct noaber_config *cfg, int is_staff)
{
    /* Staff see personal files, often on shared computers at the information point: their
     * sessions end after a short idle time. */
    return is_staff ? (int64_t)cfg->staff_idle_minutes * 60 : (int64_t)cfg->session_days * 86400;
}

enum noaber_err
members_session_find(struct noaber_db *db, const struct noaber_config *cfg, const char *token,
                     struct members_actor *a, struct noaber_arena *arena)
{
    if (strlen(token) != 64)
        return NOABER_E_UNAUTHENTICATED;
    char *hash = noaber_arena_alloc(arena, 65);
    if (!hash)
        return NOABER_E_TOO_LARGE;
    noaber_sha256_hex(hash, token, 64);
    struct members_session_row row;
    int found;
    enum noaber_err e = members_store_session_find(db, hash, &row, &found, arena);
    if (e != NOABER_OK)
        return e;
    int64_t now = noaber_now();
    if (!found || row.expires_at <= now || row.stage != 0)
        return NOABER_E_UNAUTHENTICATED;
    /* Slide the expiry, but write at most once a minute so most page views write nothing. */
    if (now - row.last_seen_at >= 60)
        members_store_session_touch(db, hash, now, now + session_ttl(cfg, row.is_staff));
    a->person_id = row.person_id;
    a->is_admin = row.is_admin;
    a->is_staff = row.is_staff;
    a->display_name = row.display_name;
    a->lang = row.lang;
    a->csrf = row.csrf;
    a->session_hash = hash;
    a->totp = row.totp;
    return NOABER_OK;
}

enum noaber_err
members_token_find(struct noaber_db *db, const char *token, struct members_actor *a,
                   struct noaber_arena *arena)
{
    if (strlen(token) != 64)
        return NOABER_E_BAD_TOKEN;
    char hash[65];
    noaber_sha256_hex(hash, token, 64);
    int64_t person = 0;
    int found = 0;
    enum noaber_err e = members_store_token_person(db, hash, &person, &found);
    if (e != NOABER_OK)
        return e;
    if (!found)
        return NOABER_E_BAD_TOKEN;
    struct members_person p;
    e = members_store_person(db, person, &p, arena);
    if (e != NOABER_OK)
        return e;
    a->person_id = p.id;
    a->is_admin = p.is_admin;
    a->display_name = p.display_name;
    a->lang = p.lang;
    a->is_staff = p.is_admin; /* refined by the routes' own checks */
    return NOABER_OK;
}

/* A new session for PERSON. STAGE 1 is a session that waits for the second factor: it lives
 * ten minutes and opens nothing but the code form. */
static enum noaber_err
session_create(struct noaber_db *db, const struct noaber_config *cfg, int64_t person, int stage,
               char token_out[65])
{
    char hash[65], csrf[65];
    noaber_random_hex(token_out, 32);
    noaber_sha256_hex(hash, token_out, 64);
    noaber_random_hex(csrf, 32);
    int64_t now = noaber_now();
    /* The first lifetime is the short one; the first view with a known staff flag adjusts it. */
    return members_store_session_add(db, hash, person, csrf, now,
                                     now + (stage ? 600 : session_ttl(cfg, 0)), stage);
}

/* --- login ----------------------------------------------------------------------------------- */

struct login_ctx {
    const struct noaber_config *cfg;
    const struct members_login *in;
    char *token;
    int *retry;
    struct noaber_arena *arena;
    int ok;  /* password correct */
    int mfa; /* the second factor is still due */
};

/* NOABER_E_RATE_LIMITED with the minutes to wait when KEY had MAX failures in the window. */
static enum noaber_err
check_one(struct noaber_db *db, const char *key, int64_t max, int *retry)
{
    int64_t now = noaber_now(), n, oldest;
    enum noaber_err e = members_store_attempts(db, key, now - MEMBERS_LOGIN_WINDOW, &n, &oldest);
    if (e == NOABER_OK && n >= max) {
        *retry = members_retry_minutes(oldest, now);
        return NOABER_E_RATE_LIMITED;
    }
    return e;
}

static enum noaber_err
check_limits(struct noaber_db *db, const char *acct_key, const char *addr_key, int *retry)
{
    enum noaber_err e = check_one(db, acct_key, MEMBERS_LOGIN_MAX_ACCOUNT, retry);
    return e == NOABER_OK ? check_one(db, addr_key, MEMBERS_LOGIN_MAX_ADDRESS, retry) : e;
}

static enum noaber_err
login_tx(struct noaber_db *db, void *vctx)
{
    struct login_ctx *c = vctx;
    c->ok = 0, c->mfa = 0; /* a rerun after a busy database starts afresh */
    char *login = noaber_arena_strdup(c->arena, c->in->login ? c->in->login : "");
    if (!login)
        return NOABER_E_TOO_LARGE;
    noaber_ascii_lower(noaber_trim(login));
    char *acct = noaber_arena_printf(c->arena, "login:%s", login);
    char *addr =
        noaber_arena_printf(c->arena, "addr:%s", c->in->client_ip ? c->in->client_ip : "?");
    if (!acct || !addr)
        return NOABER_E_TOO_LARGE;
    enum noaber_err e = check_limits(db, acct, addr, c->retry);
    if (e != NOABER_OK)
        return e;
    int64_t person = 0;
    char *hash = NULL;
    e = members_store_person_login(db, login, &person, &hash, c->arena);
    if (e == NOABER_E_NOT_FOUND)
        e = NOABER_OK;
    if (e != NOABER_OK)
        return e;
    /* Verify even for unknown names (against a dummy), so timing does not tell who exists. The
     * hash runs inside the write transaction only because the attempt must be counted in it. */
    const char *pw = c->in->password ? c->in->password : "";
    if (!person || !hash)
        pthread_once(&dummy_once, make_dummy);
    c->ok = members_password_verify(person && hash ? hash : dummy_hash, pw) && person && hash;
    if (!c->ok) {
        e = members_store_attempt_add(db, acct, noaber_now());
        if (e == NOABER_OK)
            e = members_store_attempt_add(db, addr, noaber_now());
        return e; /* committed: the failed attempt must count */
    }
    e = members_store_attempts_clear(db, acct);
    struct members_totp_row totp = {0};
    if (e == NOABER_OK)
        e = members_store_totp(db, person, &totp, c->arena);
    c->mfa = totp.enabled_at != 0;
    if (e == NOABER_OK)
        e = session_create(db, c->cfg, person, c->mfa, c->token);
    if (e == NOABER_OK)
        e = members_store_audit(db, person, c->mfa ? "login_password" : "login", person, 0, "");
    return e;
}

enum noaber_err
members_login(struct noaber_db *db, const struct noaber_config *cfg, const struct members_login *in,
              char token_out[65], int *retry_minutes)
{
    struct noaber_arena *a = noaber_arena_new(16384);
    struct login_ctx c = {cfg, in, token_out, retry_minutes, a, 0, 0};
    enum noaber_err e = noaber_db_tx(db, login_tx, &c);
    noaber_arena_free(a);
    if (e == NOABER_OK && !c.ok)
        return NOABER_E_BAD_LOGIN;
    if (e == NOABER_OK && c.mfa)
        return NOABER_E_MFA_REQUIRED;
    return e;
}

struct code_login_ctx {
    const struct noaber_config *cfg;
    const char *code, *ip;
    char *token;
    int64_t person;
    int *retry;
    int ok;
    struct noaber_arena *arena;
};

/* Codes are typed by people from paper: ignore case, spaces and dashes. */
static void
code_hash(const char *code, char out[65])
{
    char norm[64];
    size_t k = 0;
    for (const char *p = code; *p && k < sizeof norm - 1; p++) {
        if (*p == '-' || *p == ' ')
            continue;
        norm[k++] = (char)((*p >= 'a' && *p <= 'z') ? *p - 32 : *p);
    }
    norm[k] = '\0';
    noaber_sha256_hex(out, norm, k);
}

static enum noaber_err
code_login_tx(struct noaber_db *db, void *vctx)
{
    struct code_login_ctx *c = vctx;
    c->ok = 0; /* a rerun after a busy database starts afresh */
    /* Wrong codes count per address under a key of their own: failed passwords of other
     * accounts at a shared computer (the information point) do not block a resident's code. */
    char *addr = noaber_arena_printf(c->arena, "code:%s", c->ip ? c->ip : "?");
    if (!addr)
        return NOABER_E_TOO_LARGE;
    /* Codes carry 60 random bits, but wrong guesses still count per address. */
    enum noaber_err e = check_one(db, addr, MEMBERS_LOGIN_MAX_CODES, c->retry);
    if (e != NOABER_OK)
        return e;
    char hash[65];
    code_hash(c->code, hash);
    char *purpose = NULL;
    int found = 0;
    e = members_store_code_take(db, hash, noaber_now(), &c->person, &purpose, &found, c->arena);
    if (e != NOABER_OK)
        return e;
    if (!found || !purpose || strcmp(purpose, "verify") == 0)
        return members_store_attempt_add(db, addr, noaber_now());
    c->ok = 1;
    e = session_create(db, c->cfg, c->person, 0, c->token);
    if (e == NOABER_OK)
        e = members_store_audit(db, c->person, "login_code", c->person, 0, purpose);
    return e;
}

enum noaber_err
members_login_code(struct noaber_db *db, const struct noaber_config *cfg, const char *code,
                   const char *client_ip, char token_out[65], int64_t *person_out,
                   int *retry_minutes)
{
    struct noaber_arena *a = noaber_arena_new(16384);
    struct code_login_ctx c = {cfg, code, client_ip, token_out, 0, retry_minutes, 0, a};
    enum noaber_err e = noaber_db_tx(db, code_login_tx, &c);
    noaber_arena_free(a);
    if (e == NOABER_OK && !c.ok)
        return NOABER_E_BAD_CODE;
    if (person_out)
        *person_out = c.person;
    return e;
}

static enum noaber_err
logout_tx(struct noaber_db *db, void *ctx)
{
    char hash[65];
    noaber_sha256_hex(hash, ctx, strlen(ctx));
    return members_store_session_del(db, hash);
}

enum noaber_err
members_logout(struct noaber_db *db, const char *token)
{
    return noaber_db_tx(db, logout_tx, (void *)token);
}

static enum noaber_err
logout_all_tx(struct noaber_db *db, void *ctx)
{
    return members_store_session_del_person(db, *(int64_t *)ctx);
}

enum noaber_err
members_logout_everywhere(struct noaber_db *db, int64_t person_id)
{
    return noaber_db_tx(db, logout_all_tx, &person_id);
}

/* --- registration and e-mail verification ----------------------------------------------------- */

struct register_ctx {
    const struct noaber_config *cfg;
    const struct members_registration *in;
    const char *hash;
    int64_t person;
};

/* A one-time code: 12 characters from an alphabet without look-alikes (no 0/O, 1/I/L), shown
 * in groups of four. 12 of 31 symbols carry 59 bits. */
static void
make_code(char out[32], char hash_out[65])
{
    static const char alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    char plain[13];
    for (int i = 0; i < 12; i++)
        plain[i] = alphabet[noaber_random_uniform(sizeof alphabet - 1)];
    plain[12] = '\0';
    snprintf(out, 32, "%.4s-%.4s-%.4s", plain, plain + 4, plain + 8);
    code_hash(plain, hash_out);
}

/* Queues a message to PERSON in their own language (notify_tell), with a link to HOOD's page.
 * SUBJECT and BODY are msgids in which "{hood}" stands for the neighbourhood's name. Runs inside
 * the caller's transaction. */
static enum noaber_err
tell(struct noaber_db *db, int64_t person, const struct members_hood *hood, const char *kind,
     const char *subject, const char *body)
{
    char link[128] = "";
    if (hood && hood->slug)
        snprintf(link, sizeof link, "/n/%s", hood->slug);
    struct notify_vars v = {.hood = hood ? hood->name : NULL};
    return notify_tell(db, person, hood ? hood->id : 0, kind, subject, body, &v,
                       *link ? link : NULL);
}

static enum noaber_err
queue_verification(struct noaber_db *db, const struct noaber_config *cfg, int64_t person,
                   const char *email, const char *lang)
{
    char code[32], hash[65];
    make_code(code, hash);
    int64_t now = noaber_now();
    enum noaber_err e = members_store_code_add(db, hash, person, "verify", 0, now, now + 7 * 86400);
    if (e != NOABER_OK)
        return e;
    char body[1024];
    int en = lang && strcmp(lang, "en") == 0;
    snprintf(body, sizeof body,
             en ? "Welcome to Noaber.\n\nPlease confirm your e-mail address with this link:\n"
                  "%s/verify?code=%s\n\nDid you not sign up? Then you can ignore this e-mail.\n"
                : "Welkom bij Noaber.\n\nBevestig je e-mailadres met deze link:\n"
                  "%s/verify?code=%s\n\nHeb je je niet aangemeld? Dan kun je deze e-mail "
                  "negeren.\n",
             cfg->public_url, code);
    return notify_queue_email_to(
        db, email, en ? "Confirm your e-mail address" : "Bevestig je e-mailadres", body, NULL);
}

static enum noaber_err
register_tx(struct noaber_db *db, void *vctx)
{
    struct register_ctx *c = vctx;
    const struct members_registration *in = c->in;
    int64_t existing = 0;
    enum noaber_err e = members_store_person_by_email(db, in->email, &existing);
    if (e != NOABER_OK)
        return e;
    if (existing)
        return NOABER_E_EMAIL_TAKEN;
    struct members_person_new p = {.email = in->email,
                                   .display_name = in->display_name,
                                   .password_hash = c->hash,
                                   .lang = in->lang,
                                   .now = noaber_now()};
    e = members_store_person_add(db, &p, &c->person);
    if (e == NOABER_E_CONFLICT)
        return NOABER_E_EMAIL_TAKEN;
    if (e == NOABER_OK)
        e = members_store_member_add(db, c->person, in->hood_id, MEMBERS_R_RESIDENT, 0, 0, p.now);
    if (e == NOABER_OK)
        e = members_store_audit(db, c->person, "register", c->person, in->hood_id, "");
    if (e == NOABER_OK)
        e = queue_verification(db, c->cfg, c->person, in->email, in->lang);
    if (e == NOABER_OK) {
        /* Tell the connectors and coordinators that someone waits for confirmation. */
        struct noaber_arena *a = noaber_arena_new(1 << 20);
        struct members_hood hood = {.id = in->hood_id};
        int64_t *staff = NULL;
        size_t n = 0;
        e = members_store_staff(db, in->hood_id, &hood, &staff, &n, a);
        for (size_t i = 0; e == NOABER_OK && i < n; i++)
            e = tell(db, staff[i], &hood, "member_registered",
                     N_("New resident to confirm in {hood}"),
                     N_("Someone registered as a resident of {hood}. Please check that they "
                        "live there and confirm them under Members."));
        noaber_arena_free(a);
    }
    return e;
}

enum noaber_err
members_register(struct noaber_db *db, const struct noaber_config *cfg,
                 const struct members_registration *in, int64_t *person_out)
{
    enum noaber_err e = members_check_password(in->password);
    if (e != NOABER_OK)
        return e;
    char hash[128];
    /* Hash before the transaction: the write lock is not held for the 50 ms argon2id takes. */
    e = members_password_hash(in->password, hash);
    if (e != NOABER_OK)
        return e;
    struct register_ctx c = {cfg, in, hash, 0};
    e = noaber_db_tx(db, register_tx, &c);
    if (e == NOABER_OK && person_out)
        *person_out = c.person;
    return e;
}

struct verify_ctx {
    const char *code;
    struct noaber_arena *arena;
};

static enum noaber_err
verify_tx(struct noaber_db *db, void *vctx)
{
    struct verify_ctx *c = vctx;
    char hash[65];
    code_hash(c->code, hash);
    int64_t person = 0;
    char *purpose = NULL;
    int found = 0;
    enum noaber_err e =
        members_store_code_take(db, hash, noaber_now(), &person, &purpose, &found, c->arena);
    if (e != NOABER_OK)
        return e;
    if (!found || !purpose || strcmp(purpose, "verify") != 0)
        return NOABER_E_BAD_CODE;
    return members_store_email_verified(db, person, noaber_now());
}

enum noaber_err
members_verify_email(struct noaber_db *db, const char *code)
{
    struct noaber_arena *a = noaber_arena_new(4096);
    struct verify_ctx c = {code, a};
    enum noaber_err e = noaber_db_tx(db, verify_tx, &c);
    noaber_arena_free(a);
    return e;
}

/* --- members and roles ----------------------------------------------------------------------- */

struct add_ctx {
    const struct members_actor *actor;
    const struct members_hood *hood;
    const struct members_new_member *in;
    int64_t person;
};

static enum noaber_err
add_tx(struct noaber_db *db, void *vctx)
{
    struct add_ctx *c = vctx;
    const struct members_new_member *in = c->in;
    int64_t now = noaber_now(), existing = 0;
    enum noaber_err e = NOABER_OK;
    if (in->email && *in->email)
        e = members_store_person_by_email(db, in->email, &existing);
    if (e != NOABER_OK)
        return e;
    if (existing) {
        /* A known person gets a role here too; the connector vouches for them. */
        enum members_role role;
        int64_t confirmed;
        e = members_store_member_role(db, existing, c->hood->id, &role, &confirmed);
        if (e == NOABER_OK && role != MEMBERS_R_NONE)
            return NOABER_E_ALREADY_MEMBER;
        c->person = existing;
    } else {
        struct members_person_new p = {.email = in->email,
                                       .username = in->username,
                                       .display_name = in->display_name,
                                       .lang = "nl",
                                       .created_by = c->actor->person_id,
                                       .now = now};
        e = members_store_person_add(db, &p, &c->person);
        if (e == NOABER_E_CONFLICT)
            return in->username && *in->username ? NOABER_E_USERNAME_TAKEN : NOABER_E_EMAIL_TAKEN;
    }
    if (e == NOABER_OK)
        e = members_store_member_add(db, c->person, c->hood->id, in->role, now, c->actor->person_id,
                                     now);
    if (e == NOABER_OK)
        e = members_store_audit(db, c->actor->person_id, "member_add", c->person, c->hood->id,
                                members_role_name(in->role));
    if (e == NOABER_OK)
        e = tell(db, c->person, c->hood, "member_added", N_("Welcome to {hood}"),
                 N_("You have been added to the neighbourhood {hood} in Noaber. Here you find "
                    "messages from your neighbourhood."));
    return e;
}

enum noaber_err
members_add(struct noaber_db *db, const struct members_actor *actor,
            const struct members_hood *hood, const struct members_new_member *in,
            int64_t *person_out)
{
    enum noaber_err e = members_can(actor, MEMBERS_A_MEMBER_CREATE, hood);
    if (e == NOABER_OK && in->role != MEMBERS_R_RESIDENT)
        e = members_can_give_role(actor, hood->role, in->role);
    if (e == NOABER_OK && (!in->email || !*in->email) && (!in->username || !*in->username))
        e = NOABER_E_REQUIRED;
    if (e != NOABER_OK)
        return e;
    struct add_ctx c = {actor, hood, in, 0};
    e = noaber_db_tx(db, add_tx, &c);
    if (e == NOABER_OK && person_out)
        *person_out = c.person;
    return e;
}

struct role_ctx {
    const struct members_actor *actor;
    const struct members_hood *hood;
    int64_t person;
    enum members_role role;
};

static enum noaber_err
role_tx(struct noaber_db *db, void *vctx)
{
    struct role_ctx *c = vctx;
    enum members_role old;
    int64_t confirmed;
    enum noaber_err e = members_store_member_role(db, c->person, c->hood->id, &old, &confirmed);
    if (e != NOABER_OK)
        return e;
    if (old == MEMBERS_R_NONE)
        return NOABER_E_NOT_FOUND;
    if (old == c->role)
        return NOABER_OK;
    if (c->role == MEMBERS_R_NONE)
        e = members_store_member_del(db, c->person, c->hood->id);
    else
        e = members_store_member_set_role(db, c->person, c->hood->id, c->role);
    /* Someone given a staff role is vouched for by the coordinator who gave it. */
    if (e == NOABER_OK && c->role != MEMBERS_R_NONE && !confirmed)
        e = members_store_member_confirm(db, c->person, c->hood->id, c->actor->person_id,
                                         noaber_now());
    if (e == NOABER_OK)
        e = members_store_audit(db, c->actor->person_id, "role_set", c->person, c->hood->id,
                                members_role_name(c->role));
    return e;
}

enum noaber_err
members_set_role(struct noaber_db *db, const struct members_actor *actor,
                 const struct members_hood *hood, int64_t person, enum members_role role)
{
    enum noaber_err e = members_can(actor, MEMBERS_A_ROLE_SET, hood);
    if (e == NOABER_OK)
        e = members_can_give_role(actor, hood->role, role);
    if (e != NOABER_OK)
        return e;
    /* A coordinator cannot lock themself out of their own neighbourhood by accident. */
    if (person == actor->person_id && !actor->is_admin && role != MEMBERS_R_COORDINATOR)
        return NOABER_E_FORBIDDEN;
    struct role_ctx c = {actor, hood, person, role};
    return noaber_db_tx(db, role_tx, &c);
}

static enum noaber_err
confirm_tx(struct noaber_db *db, void *vctx)
{
    struct role_ctx *c = vctx;
    enum members_role role;
    int64_t confirmed;
    enum noaber_err e = members_store_member_role(db, c->person, c->hood->id, &role, &confirmed);
    if (e != NOABER_OK)
        return e;
    if (role == MEMBERS_R_NONE)
        return NOABER_E_NOT_FOUND;
    if (confirmed)
        return NOABER_OK;
    e = members_store_member_confirm(db, c->person, c->hood->id, c->actor->person_id, noaber_now());
    if (e == NOABER_OK)
        e = members_store_audit(db, c->actor->person_id, "confirm", c->person, c->hood->id, "");
    if (e == NOABER_OK)
        e = tell(db, c->person, c->hood, "member_confirmed",
                 N_("You are confirmed as a resident of {hood}"),
                 N_("A connector or coordinator has confirmed that you live in {hood}. You now "
                    "see everything of your neighbourhood."));
    return e;
}

enum noaber_err
members_confirm(struct noaber_db *db, const struct members_actor *actor,
                const struct members_hood *hood, int64_t person)
{
    enum noaber_err e = members_can(actor, MEMBERS_A_MEMBER_CONFIRM, hood);
    if (e != NOABER_OK)
        return e;
    struct role_ctx c = {actor, hood, person, MEMBERS_R_RESIDENT};
    return noaber_db_tx(db, confirm_tx, &c);
}

struct code_ctx {
    const struct members_actor *actor;
    const struct members_hood *hood;
    int64_t person;
    char *code;
};

static enum noaber_err
code_tx(struct noaber_db *db, void *vctx)
{
    struct code_ctx *c = vctx;
    enum members_role role;
    int64_t confirmed;
    enum noaber_err e = members_store_member_role(db, c->person, c->hood->id, &role, &confirmed);
    if (e != NOABER_OK)
        return e;
    if (role == MEMBERS_R_NONE)
        return NOABER_E_NOT_FOUND;
    /* Codes are for residents: staff accounts carry personal files and use their password. */
    if (role != MEMBERS_R_RESIDENT)
        return NOABER_E_FORBIDDEN;
    char hash[65];
    make_code(c->code, hash);
    int64_t now = noaber_now();
    e = members_store_code_add(db, hash, c->person, "login", c->actor->person_id, now,
                               now + CODE_DAYS * 86400);
    if (e == NOABER_OK)
        e = members_store_audit(db, c->actor->person_id, "code", c->person, c->hood->id, "");
    return e;
}

enum noaber_err
members_make_code(struct noaber_db *db, const struct members_actor *actor,
                  const struct members_hood *hood, int64_t person, char code_out[32])
{
    enum noaber_err e = members_can(actor, MEMBERS_A_MEMBER_CODE, hood);
    if (e != NOABER_OK)
        return e;
    struct code_ctx c = {actor, hood, person, code_out};
    return noaber_db_tx(db, code_tx, &c);
}

/* --- passwords and preferences ---------------------------------------------------------------- */

struct reset_ctx {
    const struct noaber_config *cfg;
    const char *email;
};

static enum noaber_err
reset_tx(struct noaber_db *db, void *vctx)
{
    struct reset_ctx *c = vctx;
    int64_t person = 0;
    enum noaber_err e = members_store_person_by_email(db, c->email, &person);
    if (e != NOABER_OK || !person)
        return e; /* an unknown address gets the same answer: we do not tell who has an account */
    char code[32], hash[65];
    make_code(code, hash);
    int64_t now = noaber_now();
    e = members_store_code_add(db, hash, person, "reset", 0, now, now + 3600);
    if (e != NOABER_OK)
        return e;
    char body[1024];
    snprintf(body, sizeof body,
             "Je hebt gevraagd om een nieuw wachtwoord. Gebruik deze link binnen een uur:\n"
             "%s/login/code?code=%s\n\nYou asked for a new password. Use this link within an "
             "hour:\n%s/login/code?code=%s\n",
             c->cfg->public_url, code, c->cfg->public_url, code);
    return notify_queue_email_to(db, c->email, "Nieuw wachtwoord / New password", body, NULL);
}

enum noaber_err
members_reset_request(struct noaber_db *db, const struct noaber_config *cfg, const char *email)
{
    struct reset_ctx c = {cfg, email};
    return noaber_db_tx(db, reset_tx, &c);
}

struct pw_ctx {
    int64_t person;
    const char *hash;
};

static enum noaber_err
pw_tx(struct noaber_db *db, void *vctx)
{
    struct pw_ctx *c = vctx;
    enum noaber_err e = members_store_password_set(db, c->person, c->hash);
    if (e == NOABER_OK)
        e = members_store_audit(db, c->person, "password_set", c->person, 0, "");
    return e;
}

enum noaber_err
members_set_password(struct noaber_db *db, int64_t person, const char *password)
{
    enum noaber_err e = members_check_password(password);
    char hash[128];
    if (e == NOABER_OK)
        e = members_password_hash(password, hash);
    if (e != NOABER_OK)
        return e;
    struct pw_ctx c = {person, hash};
    return noaber_db_tx(db, pw_tx, &c);
}

struct prefs_ctx {
    int64_t person;
    const char *lang, *channel, *name;
};

static enum noaber_err
prefs_tx(struct noaber_db *db, void *vctx)
{
    struct prefs_ctx *c = vctx;
    return members_store_prefs_set(db, c->person, c->lang, c->channel, c->name);
}

enum noaber_err
members_set_prefs(struct noaber_db *db, int64_t person, const char *lang, const char *channel,
                  const char *display_name)
{
    struct prefs_ctx c = {person, lang, channel, display_name};
    return noaber_db_tx(db, prefs_tx, &c);
}

enum noaber_err
members_login_taken(struct noaber_db *db, const char *login, int *taken)
{
    return members_store_login_taken(db, login, taken);
}

struct contact_ctx {
    const struct members_contact_new *in;
    int64_t person;
};

static enum noaber_err
contact_tx(struct noaber_db *db, void *vctx)
{
    struct contact_ctx *c = vctx;
    const struct members_contact_new *in = c->in;
    const char *email = in->email && *in->email ? in->email : NULL;
    int64_t other = 0;
    enum noaber_err e = NOABER_OK;
    /* Asked first: on PostgreSQL a failed insert would end the caller's transaction. */
    if (email) {
        e = members_store_person_by_email(db, email, &other);
        if (e == NOABER_OK && other)
            return NOABER_E_EMAIL_TAKEN;
    }
    int64_t now = noaber_now();
    struct members_person_new np = {.email = email,
                                    .display_name = in->display_name,
                                    .lang = in->lang,
                                    .created_by = in->created_by,
                                    .now = now};
    if (e == NOABER_OK)
        e = members_store_person_add(db, &np, &c->person);
    if (e == NOABER_OK)
        e = members_store_prefs_set(db, c->person, in->lang, in->channel, in->display_name);
    if (e == NOABER_OK)
        e = members_store_contact_set(db, c->person, in->phone ? in->phone : "",
                                      in->postal_address ? in->postal_address : "");
    if (e == NOABER_OK && email && in->email_verified)
        e = members_store_email_verified(db, c->person, now);
    return e;
}

enum noaber_err
members_contact_add(struct noaber_db *db, const struct members_contact_new *in, int64_t *person_out)
{
    struct contact_ctx c = {in, 0};
    enum noaber_err e = noaber_db_tx(db, contact_tx, &c);
    if (e == NOABER_OK && person_out)
        *person_out = c.person;
    return e;
}

enum noaber_err
members_person_by_email(struct noaber_db *db, const char *email, int64_t *id)
{
    enum noaber_err e = members_store_person_by_email(db, email, id);
    return e == NOABER_OK && !*id ? NOABER_E_NOT_FOUND : e;
}

enum noaber_err
members_set_contact(struct noaber_db *db, int64_t person, const char *phone,
                    const char *postal_address)
{
    return members_store_contact_set(db, person, phone, postal_address);
}

/* --- neighbourhoods and people ---------------------------------------------------------------- */

enum noaber_err
members_hood_by_slug(struct noaber_db *db, const struct members_actor *actor, const char *slug,
                     struct members_hood *out, struct noaber_arena *arena)
{
    int found = 0;
    enum noaber_err e = members_store_hood_by_slug(db, slug, out, &found, arena);
    if (e == NOABER_OK && !found)
        return NOABER_E_NOT_FOUND;
    out->role = MEMBERS_R_NONE;
    out->confirmed = 0;
    if (e == NOABER_OK && actor && actor->person_id) {
        int64_t confirmed = 0;
        e = members_store_member_role(db, actor->person_id, out->id, &out->role, &confirmed);
        out->confirmed = confirmed != 0;
    }
    return e;
}

enum noaber_err
members_hood_list(struct noaber_db *db, const struct members_actor *actor,
                  struct members_hood **out, size_t *n, struct noaber_arena *arena)
{
    /* Member counts only for the administrator's overview. */
    return members_store_hoods(db, actor && actor->is_admin, out, n, arena);
}

struct hood_ctx {
    const struct members_actor *actor;
    const struct members_hood_input *in;
    int64_t id;
};

static enum noaber_err
hood_tx(struct noaber_db *db, void *vctx)
{
    struct hood_ctx *c = vctx;
    enum noaber_err e = members_store_hood_add(db, c->in, noaber_now(), &c->id);
    if (e == NOABER_E_CONFLICT)
        return NOABER_E_SLUG_TAKEN;
    if (e == NOABER_OK)
        e = members_store_audit(db, c->actor->person_id, "hood_create", 0, c->id, c->in->slug);
    return e;
}

enum noaber_err
members_hood_create(struct noaber_db *db, const struct members_actor *actor,
                    const struct members_hood_input *in, int64_t *id_out)
{
    enum noaber_err e = members_can(actor, MEMBERS_A_ADMIN, NULL);
    if (e == NOABER_OK)
        e = members_check_slug(in->slug);
    if (e != NOABER_OK)
        return e;
    struct hood_ctx c = {actor, in, 0};
    e = noaber_db_tx(db, hood_tx, &c);
    if (e == NOABER_OK && id_out)
        *id_out = c.id;
    return e;
}

enum noaber_err
members_hood_for_postcode(struct noaber_db *db, const char *postcode, int64_t *id_out)
{
    struct noaber_arena *a = noaber_arena_new(1 << 20);
    struct members_hood *hoods;
    size_t n;
    *id_out = 0;
    enum noaber_err e = members_store_hoods(db, 0, &hoods, &n, a);
    for (size_t i = 0; e == NOABER_OK && i < n && !*id_out; i++)
        if (hoods[i].postcodes[0] && members_postcode_in(hoods[i].postcodes, postcode))
            *id_out = hoods[i].id;
    noaber_arena_free(a);
    return e;
}

enum noaber_err
members_person_get(struct noaber_db *db, int64_t id, struct members_person *out,
                   struct noaber_arena *arena)
{
    return members_store_person(db, id, out, arena);
}

enum noaber_err
members_list(struct noaber_db *db, const struct members_hood *hood, int unconfirmed_only,
             int64_t offset, int64_t limit, struct members_member **out, size_t *n, int64_t *total,
             struct noaber_arena *arena)
{
    if (limit < 1 || limit > 500)
        limit = 50;
    if (offset < 0)
        offset = 0;
    return members_store_members(db, hood->id, unconfirmed_only, offset, limit, out, n, total,
                                 arena);
}

enum noaber_err
members_person_hoods(struct noaber_db *db, int64_t person, struct members_hood **out, size_t *n,
                     struct noaber_arena *arena)
{
    return members_store_person_hoods(db, person, out, n, arena);
}

struct admin_ctx {
    const char *email, *name, *hash;
    int64_t id;
};

static enum noaber_err
admin_tx(struct noaber_db *db, void *vctx)
{
    struct admin_ctx *c = vctx;
    struct members_person_new p = {.email = c->email,
                                   .display_name = c->name,
                                   .password_hash = c->hash,
                                   .lang = "nl",
                                   .is_admin = 1,
                                   .now = noaber_now()};
    enum noaber_err e = members_store_person_add(db, &p, &c->id);
    if (e == NOABER_E_CONFLICT)
        return NOABER_E_EMAIL_TAKEN;
    if (e == NOABER_OK)
        e = members_store_email_verified(db, c->id, p.now);
    if (e == NOABER_OK)
        e = members_store_audit(db, 0, "admin_create", c->id, 0, "");
    return e;
}

enum noaber_err
members_create_admin(struct noaber_db *db, const char *email, const char *name,
                     const char *password, int64_t *id_out)
{
    char *addr = noaber_xstrdup(email);
    enum noaber_err e = members_check_email(addr);
    if (e == NOABER_OK)
        e = members_check_password(password);
    char hash[128];
    if (e == NOABER_OK)
        e = members_password_hash(password, hash);
    struct admin_ctx c = {addr, name, hash, 0};
    if (e == NOABER_OK)
        e = noaber_db_tx(db, admin_tx, &c);
    free(addr);
    if (e == NOABER_OK && id_out)
        *id_out = c.id;
    return e;
}

struct token_ctx {
    int64_t person;
    const char *name, *hash;
};

static enum noaber_err
token_tx(struct noaber_db *db, void *vctx)
{
    struct token_ctx *c = vctx;
    enum noaber_err e = members_store_token_add(db, c->person, c->name, c->hash, noaber_now());
    if (e == NOABER_OK)
        e = members_store_audit(db, c->person, "token_create", c->person, 0, c->name);
    return e;
}

enum noaber_err
members_token_create(struct noaber_db *db, int64_t person, const char *name, char token_out[65])
{
    char hash[65];
    noaber_random_hex(token_out, 32);
    noaber_sha256_hex(hash, token_out, 64);
    struct token_ctx c = {person, name, hash};
    return noaber_db_tx(db, token_tx, &c);
}

struct throttle_ctx {
    const char *key;
    int max, window, *retry;
};

static enum noaber_err
throttle_tx(struct noaber_db *db, void *vctx)
{
    struct throttle_ctx *c = vctx;
    int64_t now = noaber_now(), n, oldest;
    enum noaber_err e = members_store_attempts(db, c->key, now - c->window, &n, &oldest);
    if (e == NOABER_OK && n >= c->max) {
        int64_t wait = oldest + c->window - now;
        *c->retry = wait > 0 ? (int)((wait + 59) / 60) : 1;
        return NOABER_E_RATE_LIMITED;
    }
    return e == NOABER_OK ? members_store_attempt_add(db, c->key, now) : e;
}

enum noaber_err
members_throttle(struct noaber_db *db, const char *what, const char *addr, int max, int window,
                 int *retry_minutes)
{
    char key[160];
    snprintf(key, sizeof key, "%s:%s", what, addr ? addr : "?");
    struct throttle_ctx c = {key, max, window, retry_minutes};
    return noaber_db_tx(db, throttle_tx, &c);
}

/* --- second factor --------------------------------------------------------------------------- */

struct totp_login_ctx {
    const struct noaber_config *cfg;
    const char *token, *code;
    char *new_token;
    int *retry;
    struct noaber_arena *arena;
    int ok;
};

/* Is CODE a recovery code of PERSON? Marks it used. Recovery codes are ten characters from the
 * code alphabet, typed like login codes (case, dashes and spaces do not matter). */
static enum noaber_err
take_recovery(struct noaber_db *db, int64_t person, const char *code, int *ok)
{
    char hash[65];
    code_hash(code, hash);
    return members_store_recovery_take(db, person, hash, noaber_now(), ok);
}

static enum noaber_err
totp_login_tx(struct noaber_db *db, void *vctx)
{
    struct totp_login_ctx *c = vctx;
    c->ok = 0; /* a rerun after a busy database starts afresh */
    char hash[65];
    noaber_sha256_hex(hash, c->token, strlen(c->token));
    struct members_session_row row;
    int found = 0;
    enum noaber_err e = members_store_session_find(db, hash, &row, &found, c->arena);
    if (e != NOABER_OK)
        return e;
    int64_t now = noaber_now();
    if (!found || row.stage != 1 || row.expires_at <= now)
        return NOABER_E_UNAUTHENTICATED;
    char *limit = noaber_arena_printf(c->arena, "totp:%lld", (long long)row.person_id);
    if (!limit)
        return NOABER_E_TOO_LARGE;
    e = check_one(db, limit, MEMBERS_LOGIN_MAX_ACCOUNT, c->retry);
    struct members_totp_row totp = {0};
    if (e == NOABER_OK)
        e = members_store_totp(db, row.person_id, &totp, c->arena);
    if (e != NOABER_OK)
        return e;
    unsigned char key[MEMBERS_TOTP_KEY];
    int step_ok = 0;
    if (totp.secret &&
        sodium_hex2bin(key, sizeof key, totp.secret, strlen(totp.secret), NULL, NULL, NULL) == 0) {
        int64_t step = members_totp_check(key, sizeof key, c->code, now, totp.last_step);
        if (step)
            e = members_store_totp_step(db, row.person_id, step, &step_ok);
    }
    sodium_memzero(key, sizeof key);
    if (e == NOABER_OK && !step_ok)
        e = take_recovery(db, row.person_id, c->code, &step_ok);
    if (e != NOABER_OK)
        return e;
    if (!step_ok)
        return members_store_attempt_add(db, limit, now); /* committed: wrong codes count */
    c->ok = 1;
    e = members_store_session_del(db, hash);
    if (e == NOABER_OK)
        e = members_store_attempts_clear(db, limit);
    if (e == NOABER_OK)
        e = session_create(db, c->cfg, row.person_id, 0, c->new_token);
    if (e == NOABER_OK)
        e = members_store_audit(db, row.person_id, "login", row.person_id, 0, "totp");
    return e;
}

enum noaber_err
members_login_totp(struct noaber_db *db, const struct noaber_config *cfg, const char *token,
                   const char *code, char new_token[65], int *retry_minutes)
{
    if (!token || strlen(token) != 64)
        return NOABER_E_UNAUTHENTICATED;
    struct noaber_arena *a = noaber_arena_new(16384);
    struct totp_login_ctx c = {cfg, token, code ? code : "", new_token, retry_minutes, a, 0};
    enum noaber_err e = noaber_db_tx(db, totp_login_tx, &c);
    noaber_arena_free(a);
    if (e == NOABER_OK && !c.ok)
        return NOABER_E_BAD_TOTP;
    return e;
}

struct totp_setup_ctx {
    int64_t person;
    const char *hex, *code;
    char (*recovery)[16];
    struct noaber_arena *arena;
    int ok;
};

static enum noaber_err
totp_begin_tx(struct noaber_db *db, void *vctx)
{
    struct totp_setup_ctx *c = vctx;
    return members_store_totp_pending(db, c->person, c->hex);
}

enum noaber_err
members_totp_begin(struct noaber_db *db, int64_t person, char secret_b32[40])
{
    unsigned char key[MEMBERS_TOTP_KEY];
    char hex[2 * MEMBERS_TOTP_KEY + 1];
    noaber_random(key, sizeof key);
    noaber_hex(hex, key, sizeof key);
    members_base32(key, sizeof key, secret_b32, 40);
    sodium_memzero(key, sizeof key);
    struct totp_setup_ctx c = {person, hex, NULL, NULL, NULL, 0};
    return noaber_db_tx(db, totp_begin_tx, &c);
}

static enum noaber_err
totp_enable_tx(struct noaber_db *db, void *vctx)
{
    struct totp_setup_ctx *c = vctx;
    struct members_totp_row totp = {0};
    enum noaber_err e = members_store_totp(db, c->person, &totp, c->arena);
    if (e != NOABER_OK)
        return e;
    unsigned char key[MEMBERS_TOTP_KEY];
    if (!totp.pending ||
        sodium_hex2bin(key, sizeof key, totp.pending, strlen(totp.pending), NULL, NULL, NULL) != 0)
        return NOABER_E_BAD_TOTP;
    int64_t now = noaber_now(), step = members_totp_check(key, sizeof key, c->code, now, 0);
    sodium_memzero(key, sizeof key);
    if (!step)
        return NOABER_E_BAD_TOTP;
    int changed;
    e = members_store_totp_enable(db, c->person, now);
    if (e == NOABER_OK)
        e = members_store_totp_step(db, c->person, step, &changed);
    if (e == NOABER_OK)
        e = members_store_recovery_clear(db, c->person);
    for (int i = 0; e == NOABER_OK && i < 10; i++) {
        static const char alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
        char plain[11], hash[65];
        for (int k = 0; k < 10; k++)
            plain[k] = alphabet[noaber_random_uniform(sizeof alphabet - 1)];
        plain[10] = '\0';
        snprintf(c->recovery[i], 16, "%.5s-%.5s", plain, plain + 5);
        code_hash(plain, hash);
        e = members_store_recovery_add(db, c->person, hash, now);
    }
    if (e == NOABER_OK)
        e = members_store_audit(db, c->person, "totp_enable", c->person, 0, "");
    return e;
}

enum noaber_err
members_totp_enable(struct noaber_db *db, int64_t person, const char *code, char recovery[10][16])
{
    struct noaber_arena *a = noaber_arena_new(4096);
    struct totp_setup_ctx c = {person, NULL, code ? code : "", recovery, a, 0};
    enum noaber_err e = noaber_db_tx(db, totp_enable_tx, &c);
    noaber_arena_free(a);
    return e;
}

struct totp_off_ctx {
    int64_t person;
};

static enum noaber_err
totp_disable_tx(struct noaber_db *db, void *vctx)
{
    struct totp_off_ctx *c = vctx;
    enum noaber_err e = members_store_totp_disable(db, c->person);
    if (e == NOABER_OK)
        e = members_store_recovery_clear(db, c->person);
    if (e == NOABER_OK)
        e = members_store_audit(db, c->person, "totp_disable", c->person, 0, "");
    return e;
}

enum noaber_err
members_totp_disable(struct noaber_db *db, const struct noaber_config *cfg,
                     const struct members_actor *actor, const char *password)
{
    if (actor->is_staff && cfg->require_staff_2fa)
        return NOABER_E_MFA_SETUP_REQUIRED;
    struct noaber_arena *a = noaber_arena_new(4096);
    int64_t id = 0;
    char *hash = NULL;
    struct members_person p;
    enum noaber_err e = members_store_person(db, actor->person_id, &p, a);
    if (e == NOABER_OK)
        e = members_store_person_login(db, p.email ? p.email : p.username, &id, &hash, a);
    int ok = e == NOABER_OK && hash && members_password_verify(hash, password ? password : "");
    noaber_arena_free(a);
    if (e != NOABER_OK)
        return e;
    if (!ok)
        return NOABER_E_BAD_LOGIN;
    struct totp_off_ctx c = {actor->person_id};
    return noaber_db_tx(db, totp_disable_tx, &c);
}
