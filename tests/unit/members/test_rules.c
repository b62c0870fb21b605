/*
 * The authorisation table, tested cell by cell: every kind of actor (anonymous, logged in without
 * a role, unconfirmed resident, resident, connector, coordinator, partner, administrator) against
 * every action, with the expected answer written out here independently of members_rules.c.
 * Also the field checks (e-mail, username, password, slug, postcode) and the rate-limit minutes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "members/members.h"

enum who { ANON, NOROLE, UNCONF, RES, CON, COO, PAR, ADM, WHO__MAX };
static const char *const who_names[] = {"anonymous", "no role",     "unconfirmed", "resident",
                                        "connector", "coordinator", "partner",     "admin"};

#define O NOABER_OK
#define U NOABER_E_UNAUTHENTICATED
#define F NOABER_E_FORBIDDEN
#define C NOABER_E_NOT_CONFIRMED

static const enum noaber_err expected[MEMBERS_A__MAX][WHO__MAX] = {
    /*                            anon norole unconf res con coo par adm */
    [MEMBERS_A_PUBLIC] = {O, O, O, O, O, O, O, O},
    [MEMBERS_A_LOGGED_IN] = {U, O, O, O, O, O, O, O},
    [MEMBERS_A_HOOD_PUBLIC] = {O, O, O, O, O, O, O, O},
    [MEMBERS_A_HOOD_MEMBERS] = {U, F, C, O, O, O, O, O},
    [MEMBERS_A_MEMBER_LIST] = {U, F, F, F, O, O, F, O},
    [MEMBERS_A_MEMBER_CONFIRM] = {U, F, F, F, O, O, F, F},
    [MEMBERS_A_MEMBER_CREATE] = {U, F, F, F, O, O, F, O},
    [MEMBERS_A_MEMBER_CODE] = {U, F, F, F, O, O, F, F},
    [MEMBERS_A_ROLE_SET] = {U, F, F, F, F, O, F, O},
    [MEMBERS_A_CALL_LIST] = {U, F, F, F, O, O, F, F},
    [MEMBERS_A_HOOD_EDIT] = {U, F, F, F, F, O, F, O},
    [MEMBERS_A_REPORTS] = {U, F, F, F, F, O, O, O},
    [MEMBERS_A_ADMIN] = {U, F, F, F, F, F, F, O},
    [MEMBERS_A_INTAKE] = {U, F, F, F, O, O, F, F},
    [MEMBERS_A_RESIDENT_FILE] = {U, F, F, F, O, O, F, F},
    [MEMBERS_A_HELP_SEARCH] = {U, F, F, O, O, O, F, F},
};

static void
actor_for(enum who w, struct members_actor *a, struct members_hood *h)
{
    memset(a, 0, sizeof *a);
    memset(h, 0, sizeof *h);
    h->id = 7;
    h->slug = "oost";
    a->person_id = w == ANON ? 0 : 42;
    a->is_admin = w == ADM;
    static const enum members_role roles[] = {
        MEMBERS_R_NONE,      MEMBERS_R_NONE,        MEMBERS_R_RESIDENT, MEMBERS_R_RESIDENT,
        MEMBERS_R_CONNECTOR, MEMBERS_R_COORDINATOR, MEMBERS_R_PARTNER,  MEMBERS_R_NONE};
    h->role = roles[w];
    h->confirmed = w != UNCONF && h->role != MEMBERS_R_NONE;
}

static void
test_table(void **state)
{
    (void)state;
    int failures = 0;
    for (int act = 0; act < MEMBERS_A__MAX; act++) {
        for (int w = 0; w < WHO__MAX; w++) {
            struct members_actor a;
            struct members_hood h;
            actor_for((enum who)w, &a, &h);
            enum noaber_err got = members_can(&a, (enum members_action)act, &h);
            if (got != expected[act][w]) {
                print_error("%s as %s: got %d, want %d\n",
                            members_action_name((enum members_action)act), who_names[w], got,
                            expected[act][w]);
                failures++;
            }
        }
    }
    assert_int_equal(failures, 0);
}

static void
test_without_hood(void **state)
{
    (void)state;
    struct members_actor coord = {.person_id = 5};
    /* A hood action without a neighbourhood is refused to everyone but an administrator. */
    assert_int_equal(members_can(&coord, MEMBERS_A_MEMBER_LIST, NULL), NOABER_E_FORBIDDEN);
    struct members_actor admin = {.person_id = 1, .is_admin = 1};
    assert_int_equal(members_can(&admin, MEMBERS_A_MEMBER_LIST, NULL), NOABER_OK);
    assert_int_equal(members_can(&admin, MEMBERS_A_ADMIN, NULL), NOABER_OK);
    assert_int_equal(members_can(&admin, (enum members_action)999, NULL), NOABER_E_FORBIDDEN);
    /* A coordinator elsewhere has no role here. */
    struct members_hood other = {.id = 8, .role = MEMBERS_R_NONE};
    assert_int_equal(members_can(&coord, MEMBERS_A_ROLE_SET, &other), NOABER_E_FORBIDDEN);
}

static void
test_give_role(void **state)
{
    (void)state;
    struct members_actor a = {.person_id = 5};
    assert_int_equal(members_can_give_role(&a, MEMBERS_R_COORDINATOR, MEMBERS_R_PARTNER),
                     NOABER_OK);
    assert_int_equal(members_can_give_role(&a, MEMBERS_R_CONNECTOR, MEMBERS_R_CONNECTOR),
                     NOABER_E_FORBIDDEN);
    a.is_admin = 1;
    assert_int_equal(members_can_give_role(&a, MEMBERS_R_NONE, MEMBERS_R_COORDINATOR), NOABER_OK);
    assert_int_equal(members_can_give_role(&a, MEMBERS_R_NONE, (enum members_role)77),
                     NOABER_E_BAD_CHOICE);
    for (int r = 1; r < MEMBERS_R__MAX; r++)
        assert_int_equal(members_role_parse(members_role_name((enum members_role)r)), r);
    assert_int_equal(members_role_parse("king"), MEMBERS_R_NONE);
}

static void
test_checks(void **state)
{
    (void)state;
    char buf[300];
    static const struct {
        const char *in, *out;
        enum noaber_err e;
    } emails[] = {
        {"  Jan@Example.NL ", "jan@example.nl", NOABER_OK},
        {"a@b.c", "a@b.c", NOABER_OK},
        {"no-at.example.nl", NULL, NOABER_E_BAD_EMAIL},
        {"a@b", NULL, NOABER_E_BAD_EMAIL},
        {"a@@b.nl", NULL, NOABER_E_BAD_EMAIL},
        {"a b@c.nl", NULL, NOABER_E_BAD_EMAIL},
        {"a@c.nl\r\nBcc: x@y.z", NULL, NOABER_E_BAD_EMAIL},
        {"<a@c.nl>", NULL, NOABER_E_BAD_EMAIL},
    };
    for (size_t i = 0; i < sizeof emails / sizeof emails[0]; i++) {
        snprintf(buf, sizeof buf, "%s", emails[i].in);
        assert_int_equal(members_check_email(buf), emails[i].e);
        if (emails[i].out)
            assert_string_equal(buf, emails[i].out);
    }
    snprintf(buf, sizeof buf, "Bep.Jansen");
    assert_int_equal(members_check_username(buf), NOABER_OK);
    assert_string_equal(buf, "bep.jansen");
    snprintf(buf, sizeof buf, "ab");
    assert_int_equal(members_check_username(buf), NOABER_E_BAD_USERNAME);
    snprintf(buf, sizeof buf, "bep jansen");
    assert_int_equal(members_check_username(buf), NOABER_E_BAD_USERNAME);
    assert_int_equal(members_check_password("kort"), NOABER_E_WEAK_PASSWORD);
    assert_int_equal(members_check_password("tien tekens"), NOABER_OK);
    assert_int_equal(members_check_password("ééééééééé"), NOABER_E_WEAK_PASSWORD); /* 9 chars */
    assert_int_equal(members_check_slug("oud-zuid"), NOABER_OK);
    assert_int_equal(members_check_slug("Oud"), NOABER_E_BAD_SLUG);
    assert_int_equal(members_check_slug("-x"), NOABER_E_BAD_SLUG);
    assert_int_equal(members_check_slug("new"), NOABER_E_BAD_SLUG);
    snprintf(buf, sizeof buf, "3511 ab");
    assert_int_equal(members_check_postcode(buf), NOABER_OK);
    assert_string_equal(buf, "3511AB");
    static const char *const bad_pc[] = {"0511AB", "351AB", "3511A", "3511ABC", "ABCD12", ""};
    for (size_t i = 0; i < sizeof bad_pc / sizeof bad_pc[0]; i++) {
        snprintf(buf, sizeof buf, "%s", bad_pc[i]);
        assert_int_equal(members_check_postcode(buf), NOABER_E_BAD_POSTCODE);
    }
    assert_true(members_postcode_in("3511,3512", "3512XY"));
    assert_false(members_postcode_in("3511,3512", "3513XY"));
    assert_false(members_postcode_in("35111", "3511XY"));
    assert_true(members_postcode_in("", "9999ZZ"));
}

static void
test_retry_minutes(void **state)
{
    (void)state;
    assert_int_equal(members_retry_minutes(1000, 1000), MEMBERS_LOGIN_WINDOW / 60);
    assert_int_equal(members_retry_minutes(1000, 1000 + MEMBERS_LOGIN_WINDOW - 61), 2);
    assert_int_equal(members_retry_minutes(1000, 1000 + MEMBERS_LOGIN_WINDOW + 5), 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),         cmocka_unit_test(test_without_hood),
        cmocka_unit_test(test_give_role),     cmocka_unit_test(test_checks),
        cmocka_unit_test(test_retry_minutes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
