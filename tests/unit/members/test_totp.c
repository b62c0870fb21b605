/*
 * The second factor: TOTP against the test vectors of RFC 6238 (SHA-1), base32 as authenticator
 * apps read it, and the whole flow on SQLite: set up, confirm, log in with password then code,
 * a code works only once, recovery codes work once, wrong codes are rate-limited, and an
 * installation that requires it keeps staff from switching it off.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/util.h"
#include "db/db.h"
#include "members/members.h"

static const unsigned char rfc_key[] = "12345678901234567890";

static void
test_rfc6238_vectors(void **state)
{
    (void)state;
    static const struct {
        int64_t t;
        int code;
    } v[] = {{59, 287082},       {1111111109, 81804},  {1111111111, 50471},
             {1234567890, 5924}, {2000000000, 279037}, {20000000000, 353130}};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        assert_int_equal(members_totp_code(rfc_key, 20, v[i].t / MEMBERS_TOTP_PERIOD), v[i].code);
    char b32[40];
    members_base32(rfc_key, 20, b32, sizeof b32);
    assert_string_equal(b32, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    /* A window of one step either way, never a step already used, typed with spaces. */
    assert_int_equal(members_totp_check(rfc_key, 20, "287 082", 59, 0), 1);
    assert_int_equal(members_totp_check(rfc_key, 20, "287082", 59 + 30, 0), 1);
    assert_int_equal(members_totp_check(rfc_key, 20, "287082", 59 + 90, 0), 0);
    assert_int_equal(members_totp_check(rfc_key, 20, "287082", 59, 1), 0);
    assert_int_equal(members_totp_check(rfc_key, 20, "28708", 59, 0), 0);
    assert_int_equal(members_totp_check(rfc_key, 20, "2870823", 59, 0), 0);
    assert_int_equal(members_totp_check(rfc_key, 20, "28708x", 59, 0), 0);
}

static int64_t
current_code(struct noaber_db *db, int64_t person, const char *column)
{
    static const char *const q_secret = "SELECT totp_secret FROM persons WHERE id = ?";
    static const char *const q_pending = "SELECT totp_pending FROM persons WHERE id = ?";
    struct noaber_stmt *st;
    int row;
    assert_int_equal(
        noaber_db_query(db, &st, strcmp(column, "pending") ? q_secret : q_pending, "i", person),
        NOABER_OK);
    assert_int_equal(noaber_stmt_step(st, &row), NOABER_OK);
    assert_true(row);
    unsigned char key[20];
    const char *hex = noaber_stmt_text(st, 0);
    assert_non_null(hex);
    assert_int_equal(sodium_hex2bin(key, sizeof key, hex, strlen(hex), NULL, NULL, NULL), 0);
    noaber_stmt_reset(st);
    return members_totp_code(key, sizeof key, noaber_now() / MEMBERS_TOTP_PERIOD);
}

static void
test_flow(void **state)
{
    (void)state;
    char path[] = "/tmp/noaber-totp-XXXXXX";
    close(mkstemp(path));
    struct noaber_db *db;
    struct noaber_config cfg;
    noaber_config_defaults(&cfg);
    assert_int_equal(noaber_crypto_init(), 0);
    assert_int_equal(noaber_db_open(path, &db), NOABER_OK);
    assert_int_equal(noaber_db_migrate(db, NULL), NOABER_OK);
    assert_int_equal(members_init(db), NOABER_OK);
    int64_t admin;
    assert_int_equal(members_create_admin(db, "a@example.nl", "A", "a good password", &admin),
                     NOABER_OK);
    noaber_time_set(1900000000);

    char secret[40], recovery[10][16], code[8], token[65], full[65];
    int retry = 0;
    assert_int_equal(members_totp_begin(db, admin, secret), NOABER_OK);
    assert_int_equal(strlen(secret), 32);
    assert_int_equal(members_totp_enable(db, admin, "000000", recovery), NOABER_E_BAD_TOTP);
    snprintf(code, sizeof code, "%06d", (int)current_code(db, admin, "pending"));
    assert_int_equal(members_totp_enable(db, admin, code, recovery), NOABER_OK);

    /* The password alone now opens only the waiting session. */
    struct members_login l = {"a@example.nl", "a good password", "10.1.1.1"};
    assert_int_equal(members_login(db, &cfg, &l, token, &retry), NOABER_E_MFA_REQUIRED);
    struct noaber_arena *a = noaber_arena_new(0);
    struct members_actor who;
    assert_int_equal(members_session_find(db, &cfg, token, &who, a), NOABER_E_UNAUTHENTICATED);
    /* The code used to switch it on does not work again in the same step. */
    assert_int_equal(members_login_totp(db, &cfg, token, code, full, &retry), NOABER_E_BAD_TOTP);
    noaber_time_set(1900000000 + MEMBERS_TOTP_PERIOD);
    snprintf(code, sizeof code, "%06d", (int)current_code(db, admin, "secret"));
    assert_int_equal(members_login_totp(db, &cfg, token, code, full, &retry), NOABER_OK);
    assert_int_equal(members_session_find(db, &cfg, full, &who, a), NOABER_OK);
    assert_true(who.totp);
    /* The waiting session is gone: its token cannot be used twice. */
    assert_int_equal(members_login_totp(db, &cfg, token, code, full, &retry),
                     NOABER_E_UNAUTHENTICATED);

    /* A recovery code works once, in any case and with or without its dash. */
    assert_int_equal(members_login(db, &cfg, &l, token, &retry), NOABER_E_MFA_REQUIRED);
    char lower[16];
    for (size_t i = 0; i <= strlen(recovery[3]); i++)
        lower[i] = (char)(recovery[3][i] >= 'A' && recovery[3][i] <= 'Z' ? recovery[3][i] + 32
                                                                         : recovery[3][i]);
    assert_int_equal(members_login_totp(db, &cfg, token, lower, full, &retry), NOABER_OK);
    assert_int_equal(members_login(db, &cfg, &l, token, &retry), NOABER_E_MFA_REQUIRED);
    assert_int_equal(members_login_totp(db, &cfg, token, recovery[3], full, &retry),
                     NOABER_E_BAD_TOTP);
    /* Wrong codes are limited like passwords. */
    for (int i = 1; i < MEMBERS_LOGIN_MAX_ACCOUNT; i++)
        assert_int_equal(members_login_totp(db, &cfg, token, "111111", full, &retry),
                         NOABER_E_BAD_TOTP);
    assert_int_equal(members_login_totp(db, &cfg, token, "111111", full, &retry),
                     NOABER_E_RATE_LIMITED);

    /* Switching it off needs the password, and is refused where staff must keep it. */
    struct members_actor me = {.person_id = admin, .is_admin = 1, .is_staff = 1, .totp = 1};
    cfg.require_staff_2fa = 1;
    assert_int_equal(members_totp_disable(db, &cfg, &me, "a good password"),
                     NOABER_E_MFA_SETUP_REQUIRED);
    cfg.require_staff_2fa = 0;
    assert_int_equal(members_totp_disable(db, &cfg, &me, "wrong password"), NOABER_E_BAD_LOGIN);
    assert_int_equal(members_totp_disable(db, &cfg, &me, "a good password"), NOABER_OK);
    noaber_time_set(1900000000 + MEMBERS_LOGIN_WINDOW + 100);
    assert_int_equal(members_login(db, &cfg, &l, token, &retry), NOABER_OK);

    noaber_time_set(0);
    noaber_arena_free(a);
    noaber_db_close(db);
    char side[64];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc6238_vectors),
        cmocka_unit_test(test_flow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
