/*
 * The members module's operations on a real SQLite database in a temporary file: registration,
 * login and its rate limits, sessions and their expiry, one-time codes (used once), residency
 * confirmation, roles, neighbourhoods and the messages these operations queue.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/util.h"
#include "db/db.h"
#include "members/members.h"
#include "notify/notify.h"

struct fixture {
    char path[64];
    struct noaber_db *db;
    struct noaber_config cfg;
    struct noaber_arena *arena;
    int64_t admin, hood;
    struct members_hood h;
};

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    snprintf(f->path, sizeof f->path, "/tmp/noaber-members-XXXXXX");
    int fd = mkstemp(f->path);
    close(fd);
    noaber_crypto_init();
    noaber_config_defaults(&f->cfg);
    if (noaber_db_open(f->path, &f->db) || noaber_db_migrate(f->db, NULL) || members_init(f->db))
        return -1;
    f->arena = noaber_arena_new(0);
    if (members_create_admin(f->db, "admin@example.nl", "Admin", "a good password", &f->admin))
        return -1;
    struct members_actor admin = {.person_id = f->admin, .is_admin = 1};
    struct members_hood_input in = {"oost", "Oost", "", "3581,3582"};
    if (members_hood_create(f->db, &admin, &in, &f->hood))
        return -1;
    if (members_hood_by_slug(f->db, &admin, "oost", &f->h, f->arena))
        return -1;
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    noaber_time_set(0);
    noaber_db_close(f->db);
    noaber_arena_free(f->arena);
    char side[80];
    unlink(f->path);
    snprintf(side, sizeof side, "%s-wal", f->path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", f->path);
    unlink(side);
    free(f);
    return 0;
}

static int64_t
count(struct fixture *f, const char *sql)
{
    int64_t n = -1;
    assert_int_equal(noaber_db_int(f->db, &n, NULL, sql, ""), NOABER_OK);
    return n;
}

static void
test_register_and_login(void **state)
{
    struct fixture *f = *state;
    struct members_registration reg = {
        "Rian", "rian@example.nl", "een lang wachtwoord", "3581AB", "nl", f->hood};
    int64_t person;
    assert_int_equal(members_register(f->db, &f->cfg, &reg, &person), NOABER_OK);
    /* One verification e-mail, queued in the same transaction. */
    static const char *const q_mail = "SELECT count(*) FROM deliveries WHERE channel = 'email'";
    assert_int_equal(count(f, q_mail), 1);
    assert_int_equal(members_register(f->db, &f->cfg, &reg, NULL), NOABER_E_EMAIL_TAKEN);
    assert_int_equal(count(f, q_mail), 1); /* nothing changed */

    char token[65];
    int retry = 0;
    struct members_login ok = {"RIAN@example.nl ", "een lang wachtwoord", "10.0.0.1"};
    assert_int_equal(members_login(f->db, &f->cfg, &ok, token, &retry), NOABER_OK);
    struct members_actor a;
    assert_int_equal(members_session_find(f->db, &f->cfg, token, &a, f->arena), NOABER_OK);
    assert_int_equal(a.person_id, person);
    assert_false(a.is_staff);
    /* The resident is unconfirmed: public page yes, neighbourhood-only content not yet. */
    struct members_hood h;
    assert_int_equal(members_hood_by_slug(f->db, &a, "oost", &h, f->arena), NOABER_OK);
    assert_int_equal(h.role, MEMBERS_R_RESIDENT);
    assert_false(h.confirmed);
    assert_int_equal(members_can(&a, MEMBERS_A_HOOD_MEMBERS, &h), NOABER_E_NOT_CONFIRMED);
    /* A connector confirms; the resident gets a message. */
    struct members_actor admin = {.person_id = f->admin, .is_admin = 1};
    struct members_new_member con = {"Kees", "kees@example.nl", NULL, MEMBERS_R_CONNECTOR, f->hood};
    int64_t kees;
    assert_int_equal(members_add(f->db, &admin, &f->h, &con, &kees), NOABER_OK);
    struct members_actor ka = {.person_id = kees};
    struct members_hood kh;
    members_hood_by_slug(f->db, &ka, "oost", &kh, f->arena);
    assert_int_equal(kh.role, MEMBERS_R_CONNECTOR);
    int64_t unread_before = 0, unread_after = 0;
    notify_inbox_count(f->db, person, NULL, &unread_before);
    assert_int_equal(members_confirm(f->db, &ka, &kh, person), NOABER_OK);
    notify_inbox_count(f->db, person, NULL, &unread_after);
    assert_int_equal(unread_after, unread_before + 1);
    members_hood_by_slug(f->db, &a, "oost", &h, f->arena);
    assert_int_equal(members_can(&a, MEMBERS_A_HOOD_MEMBERS, &h), NOABER_OK);
    /* Log out: the session is gone. */
    assert_int_equal(members_logout(f->db, token), NOABER_OK);
    assert_int_equal(members_session_find(f->db, &f->cfg, token, &a, f->arena),
                     NOABER_E_UNAUTHENTICATED);
}

static void
test_rate_limit(void **state)
{
    struct fixture *f = *state;
    char token[65];
    int retry = 0;
    struct members_login bad = {"admin@example.nl", "wrong password!", "10.0.0.2"};
    noaber_time_set(1800000000);
    for (int i = 0; i < MEMBERS_LOGIN_MAX_ACCOUNT; i++)
        assert_int_equal(members_login(f->db, &f->cfg, &bad, token, &retry), NOABER_E_BAD_LOGIN);
    assert_int_equal(members_login(f->db, &f->cfg, &bad, token, &retry), NOABER_E_RATE_LIMITED);
    assert_int_equal(retry, MEMBERS_LOGIN_WINDOW / 60);
    struct members_login good = {"admin@example.nl", "a good password", "10.0.0.2"};
    assert_int_equal(members_login(f->db, &f->cfg, &good, token, &retry), NOABER_E_RATE_LIMITED);
    /* After the window the account may try again. */
    noaber_time_set(1800000000 + MEMBERS_LOGIN_WINDOW + 1);
    assert_int_equal(members_login(f->db, &f->cfg, &good, token, &retry), NOABER_OK);
    /* Unknown names count too, and answer the same as a wrong password. */
    struct members_login ghost = {"nobody@example.nl", "whatever pw", "10.0.0.3"};
    assert_int_equal(members_login(f->db, &f->cfg, &ghost, token, &retry), NOABER_E_BAD_LOGIN);
}

static void
test_session_expiry(void **state)
{
    struct fixture *f = *state;
    char token[65];
    int retry;
    noaber_time_set(1900000000);
    struct members_login good = {"admin@example.nl", "a good password", "10.0.0.4"};
    assert_int_equal(members_login(f->db, &f->cfg, &good, token, &retry), NOABER_OK);
    struct members_actor a;
    assert_int_equal(members_session_find(f->db, &f->cfg, token, &a, f->arena), NOABER_OK);
    /* An administrator is staff: the short idle time applies after the first view. */
    noaber_time_set(1900000000 + 120);
    assert_int_equal(members_session_find(f->db, &f->cfg, token, &a, f->arena), NOABER_OK);
    noaber_time_set(1900000000 + 120 + f->cfg.staff_idle_minutes * 60 + 1);
    assert_int_equal(members_session_find(f->db, &f->cfg, token, &a, f->arena),
                     NOABER_E_UNAUTHENTICATED);
    assert_int_equal(members_session_find(f->db, &f->cfg, "short", &a, f->arena),
                     NOABER_E_UNAUTHENTICATED);
}

static void
test_codes_once(void **state)
{
    struct fixture *f = *state;
    struct members_actor admin = {.person_id = f->admin, .is_admin = 1};
    struct members_new_member bep = {"Bep", NULL, "bep.jansen", MEMBERS_R_RESIDENT, f->hood};
    int64_t person;
    assert_int_equal(members_add(f->db, &admin, &f->h, &bep, &person), NOABER_OK);
    assert_int_equal(members_add(f->db, &admin, &f->h, &bep, NULL), NOABER_E_USERNAME_TAKEN);
    /* An administrator is not a connector: codes are the connectors' and coordinators' work. */
    char code[32];
    assert_int_equal(members_make_code(f->db, &admin, &f->h, person, code), NOABER_E_FORBIDDEN);
    struct members_hood as_coord = f->h;
    as_coord.role = MEMBERS_R_COORDINATOR;
    as_coord.confirmed = 1;
    struct members_actor coord = {.person_id = f->admin};
    assert_int_equal(members_make_code(f->db, &coord, &as_coord, person, code), NOABER_OK);
    assert_int_equal(strlen(code), 14);
    char token[65], lower[32];
    int retry;
    int64_t who = 0;
    for (size_t i = 0; i <= strlen(code); i++)
        lower[i] = (char)(code[i] >= 'A' && code[i] <= 'Z' ? code[i] + 32 : code[i]);
    assert_int_equal(members_login_code(f->db, &f->cfg, lower, "10.0.0.5", token, &who, &retry),
                     NOABER_OK);
    assert_int_equal(who, person);
    assert_int_equal(members_login_code(f->db, &f->cfg, code, "10.0.0.5", token, &who, &retry),
                     NOABER_E_BAD_CODE);
    /* Expired codes do not work either. */
    assert_int_equal(members_make_code(f->db, &coord, &as_coord, person, code), NOABER_OK);
    noaber_time_set(noaber_now() + 15 * 86400);
    assert_int_equal(members_login_code(f->db, &f->cfg, code, "10.0.0.6", token, &who, &retry),
                     NOABER_E_BAD_CODE);
    noaber_time_set(0);
    /* Staff do not get codes. */
    struct members_new_member k = {"K", "k@example.nl", NULL, MEMBERS_R_CONNECTOR, f->hood};
    int64_t kid;
    assert_int_equal(members_add(f->db, &admin, &f->h, &k, &kid), NOABER_OK);
    assert_int_equal(members_make_code(f->db, &coord, &as_coord, kid, code), NOABER_E_FORBIDDEN);
}

static void
test_roles(void **state)
{
    struct fixture *f = *state;
    struct members_actor admin = {.person_id = f->admin, .is_admin = 1};
    struct members_new_member c = {"Carla", "carla@example.nl", NULL, MEMBERS_R_COORDINATOR,
                                   f->hood};
    int64_t carla, res;
    assert_int_equal(members_add(f->db, &admin, &f->h, &c, &carla), NOABER_OK);
    struct members_actor ca = {.person_id = carla};
    struct members_hood ch;
    members_hood_by_slug(f->db, &ca, "oost", &ch, f->arena);
    struct members_new_member r = {"Res", "res@example.nl", NULL, MEMBERS_R_RESIDENT, f->hood};
    assert_int_equal(members_add(f->db, &ca, &ch, &r, &res), NOABER_OK);
    assert_int_equal(members_add(f->db, &ca, &ch, &r, NULL), NOABER_E_ALREADY_MEMBER);
    assert_int_equal(members_set_role(f->db, &ca, &ch, res, MEMBERS_R_CONNECTOR), NOABER_OK);
    /* The connector cannot hand out roles. */
    struct members_actor ra = {.person_id = res};
    struct members_hood rh;
    members_hood_by_slug(f->db, &ra, "oost", &rh, f->arena);
    assert_int_equal(rh.role, MEMBERS_R_CONNECTOR);
    assert_int_equal(members_set_role(f->db, &ra, &rh, carla, MEMBERS_R_RESIDENT),
                     NOABER_E_FORBIDDEN);
    /* A coordinator cannot demote themself by accident. */
    assert_int_equal(members_set_role(f->db, &ca, &ch, carla, MEMBERS_R_RESIDENT),
                     NOABER_E_FORBIDDEN);
    assert_int_equal(members_set_role(f->db, &ca, &ch, res, MEMBERS_R_NONE), NOABER_OK);
    members_hood_by_slug(f->db, &ra, "oost", &rh, f->arena);
    assert_int_equal(rh.role, MEMBERS_R_NONE);
    assert_int_equal(members_set_role(f->db, &ca, &ch, res, MEMBERS_R_RESIDENT),
                     NOABER_E_NOT_FOUND);
    /* Every change is in the audit log. */
    assert_true(count(f, "SELECT count(*) FROM audit_log WHERE action = 'role_set'") >= 2);
}

static void
test_hoods(void **state)
{
    struct fixture *f = *state;
    struct members_actor admin = {.person_id = f->admin, .is_admin = 1};
    struct members_actor nobody = {.person_id = 999};
    struct members_hood_input dup = {"oost", "Oost 2", "", ""};
    assert_int_equal(members_hood_create(f->db, &admin, &dup, NULL), NOABER_E_SLUG_TAKEN);
    struct members_hood_input bad = {"Bad Slug", "X", "", ""};
    assert_int_equal(members_hood_create(f->db, &admin, &bad, NULL), NOABER_E_BAD_SLUG);
    struct members_hood_input west = {"west", "West", "", "1011"};
    assert_int_equal(members_hood_create(f->db, &nobody, &west, NULL), NOABER_E_FORBIDDEN);
    int64_t id;
    assert_int_equal(members_hood_for_postcode(f->db, "3582ZZ", &id), NOABER_OK);
    assert_int_equal(id, f->hood);
    assert_int_equal(members_hood_for_postcode(f->db, "9999ZZ", &id), NOABER_OK);
    assert_int_equal(id, 0);
    struct members_hood h;
    assert_int_equal(members_hood_by_slug(f->db, NULL, "nowhere", &h, f->arena),
                     NOABER_E_NOT_FOUND);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_register_and_login, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rate_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_expiry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_codes_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hoods, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
