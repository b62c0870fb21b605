/*
 * The residents module's pure rules, table by table: the viewer's relation to a resident, which
 * fields each relation sees (given the resident's choices and consents), what each relation may
 * do, machtigingen in time, skill lists, house and phone numbers, dates, the "to contact this
 * week" window, suppression of small counts, and the CSV import (parsing and row rules). The
 * expected answers are written out here, independently of residents_rules.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "residents/residents.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* --- relations -------------------------------------------------------------------------------- */

static void
test_relation(void **state)
{
    (void)state;
    static const struct {
        struct residents_rel_in in;
        enum residents_relation want;
    } cases[] = {
        {{0, 5, MEMBERS_R_COORDINATOR, 1, 1, 0, 0}, RESIDENTS_REL_NONE}, /* anonymous */
        {{5, 5, MEMBERS_R_RESIDENT, 1, 1, 0, 0}, RESIDENTS_REL_SELF},
        {{5, 5, MEMBERS_R_NONE, 0, 0, 0, 0}, RESIDENTS_REL_SELF}, /* own file anywhere */
        {{7, 5, MEMBERS_R_COORDINATOR, 1, 1, 0, 0}, RESIDENTS_REL_COORDINATOR},
        {{7, 5, MEMBERS_R_CONNECTOR, 1, 1, 0, 0}, RESIDENTS_REL_CONNECTOR},
        {{7, 5, MEMBERS_R_CONNECTOR, 1, 1, 8, 0}, RESIDENTS_REL_CONNECTOR}, /* 8 follows them */
        {{7, 5, MEMBERS_R_CONNECTOR, 1, 1, 7, 0}, RESIDENTS_REL_ASSIGNED},
        {{7, 5, MEMBERS_R_CONNECTOR, 1, 1, 7, 1}, RESIDENTS_REL_ASSIGNED},
        {{7, 5, MEMBERS_R_PARTNER, 1, 1, 0, 0}, RESIDENTS_REL_PARTNER},
        {{7, 5, MEMBERS_R_PARTNER, 1, 1, 7, 1}, RESIDENTS_REL_PARTNER}, /* never more */
        {{7, 5, MEMBERS_R_RESIDENT, 1, 1, 0, 0}, RESIDENTS_REL_NEIGHBOUR},
        {{7, 5, MEMBERS_R_RESIDENT, 0, 1, 0, 0}, RESIDENTS_REL_NONE}, /* not confirmed */
        {{7, 5, MEMBERS_R_RESIDENT, 1, 1, 0, 1}, RESIDENTS_REL_ACTING},
        /* the resident lives elsewhere: staff of this neighbourhood are nobody to them */
        {{7, 5, MEMBERS_R_COORDINATOR, 1, 0, 0, 0}, RESIDENTS_REL_NONE},
        {{7, 5, MEMBERS_R_CONNECTOR, 1, 0, 7, 0}, RESIDENTS_REL_NONE},
        {{7, 5, MEMBERS_R_CONNECTOR, 1, 0, 0, 1}, RESIDENTS_REL_ACTING},
        {{7, 5, MEMBERS_R_NONE, 0, 1, 0, 0}, RESIDENTS_REL_NONE}, /* e.g. an administrator */
    };
    for (size_t i = 0; i < N(cases); i++) {
        enum residents_relation got = residents_relation_of(&cases[i].in);
        if (got != cases[i].want)
            print_error("case %zu: got %s, want %s\n", i, residents_relation_name(got),
                        residents_relation_name(cases[i].want));
        assert_int_equal(got, cases[i].want);
    }
}

/* --- fields ----------------------------------------------------------------------------------- */

#define NAME  RESIDENTS_F_NAME
#define ABOUT RESIDENTS_F_ABOUT
#define WANTS RESIDENTS_F_WANTS
#define ABIL  RESIDENTS_F_ABILITIES
#define NEEDS RESIDENTS_F_NEEDS
#define OFFER RESIDENTS_F_OFFERS
#define AVAIL RESIDENTS_F_AVAILABILITY
#define SKILL RESIDENTS_F_SKILLS
#define PHONE RESIDENTS_F_PHONE
#define REACH RESIDENTS_F_REACH
#define ADDR  RESIDENTS_F_ADDRESS
#define CONS  RESIDENTS_F_CONSENTS
#define AUTH  RESIDENTS_F_AUTHORISATIONS
#define CASE  RESIDENTS_F_CASELOAD
#define NOTES RESIDENTS_F_NOTES
#define HLTH  RESIDENTS_F_HEALTH

#define C_ALL      0xfu
#define C_NONE     0u
#define C_MATCH    (1u << RESIDENTS_P_MATCHING)
#define C_NOHEALTH (C_ALL & ~(1u << RESIDENTS_P_HEALTH))

#define ANS_ (ABOUT | WANTS | ABIL | NEEDS | OFFER | AVAIL | SKILL)
#define OWN_ (NAME | ANS_ | PHONE | REACH | ADDR | CONS | AUTH)

static void
test_fields(void **state)
{
    (void)state;
    static const struct {
        enum residents_relation rel;
        unsigned visible;
        unsigned consents;
        unsigned want;
    } cases[] = {
        {RESIDENTS_REL_NONE, 0xffff, C_ALL, 0},
        {RESIDENTS_REL_PARTNER, 0xffff, C_ALL, 0},
        {RESIDENTS_REL_SELF, 0, C_ALL, OWN_},
        {RESIDENTS_REL_SELF, 0, C_NONE, OWN_},
        {RESIDENTS_REL_ACTING, 0, C_ALL, OWN_},
        /* neighbours: nothing without 'matching'; then name, skills and what was opened */
        {RESIDENTS_REL_NEIGHBOUR, ABOUT | PHONE, C_NONE, 0},
        {RESIDENTS_REL_NEIGHBOUR, ABOUT | PHONE, C_NOHEALTH & ~C_MATCH, 0},
        {RESIDENTS_REL_NEIGHBOUR, 0, C_MATCH, NAME | SKILL},
        {RESIDENTS_REL_NEIGHBOUR, ABOUT | PHONE, C_MATCH, NAME | SKILL | ABOUT | PHONE},
        /* never the address, notes or health, whatever the mask says */
        {RESIDENTS_REL_NEIGHBOUR, 0xffff, C_ALL, NAME | SKILL | ANS_ | PHONE},
        /* staff: all but notes for a connector who does not follow them */
        {RESIDENTS_REL_CONNECTOR, 0, C_ALL, OWN_ | CASE},
        {RESIDENTS_REL_ASSIGNED, 0, C_ALL, OWN_ | CASE | NOTES | HLTH},
        {RESIDENTS_REL_ASSIGNED, 0, C_NOHEALTH, OWN_ | CASE | NOTES},
        {RESIDENTS_REL_COORDINATOR, 0, C_ALL, OWN_ | CASE | NOTES | HLTH},
        {RESIDENTS_REL_COORDINATOR, 0, C_NONE, OWN_ | CASE | NOTES},
        {RESIDENTS_REL__MAX, 0xffff, C_ALL, 0},
    };
    for (size_t i = 0; i < N(cases); i++) {
        unsigned got = residents_fields(cases[i].rel, cases[i].visible, cases[i].consents);
        if (got != cases[i].want)
            print_error("case %zu (%s): got %#x, want %#x\n", i,
                        residents_relation_name(cases[i].rel), got, cases[i].want);
        assert_int_equal(got, cases[i].want);
    }
    /* the shareable fields never include the address, notes or health */
    assert_int_equal(RESIDENTS_F_SHAREABLE & (ADDR | NOTES | HLTH | CONS | AUTH | CASE), 0);
}

static void
test_may(void **state)
{
    (void)state;
    /*                       view edit rec notes hlth follow revoke print auth */
    static const unsigned char want[RESIDENTS_REL__MAX][RESIDENTS_OP__MAX] = {
        [RESIDENTS_REL_NONE] = {0, 0, 0, 0, 0, 0, 0, 0, 0},
        [RESIDENTS_REL_SELF] = {1, 1, 0, 0, 0, 0, 1, 0, 1},
        [RESIDENTS_REL_ACTING] = {1, 1, 0, 0, 0, 0, 1, 0, 0},
        [RESIDENTS_REL_NEIGHBOUR] = {0, 0, 0, 0, 0, 0, 0, 0, 0},
        [RESIDENTS_REL_CONNECTOR] = {1, 0, 1, 0, 0, 1, 0, 1, 1},
        [RESIDENTS_REL_ASSIGNED] = {1, 0, 1, 1, 1, 1, 1, 1, 1},
        [RESIDENTS_REL_COORDINATOR] = {1, 0, 1, 1, 1, 1, 1, 1, 1},
        [RESIDENTS_REL_PARTNER] = {0, 0, 0, 0, 0, 0, 0, 0, 0},
    };
    int failures = 0;
    for (int rel = 0; rel <= RESIDENTS_REL__MAX; rel++)
        for (int op = 0; op <= RESIDENTS_OP__MAX; op++) {
            int ok = rel < RESIDENTS_REL__MAX && op < RESIDENTS_OP__MAX && want[rel][op];
            enum noaber_err got =
                residents_may((enum residents_relation)rel, (enum residents_op)op);
            if (got != (ok ? NOABER_OK : NOABER_E_FORBIDDEN)) {
                print_error("relation %d op %d: got %d\n", rel, op, got);
                failures++;
            }
        }
    assert_int_equal(failures, 0);
}

static void
test_authorisation_valid(void **state)
{
    (void)state;
    assert_true(residents_authorisation_valid(100, 200, 0, 100));
    assert_true(residents_authorisation_valid(100, 200, 0, 199));
    assert_false(residents_authorisation_valid(100, 200, 0, 200));   /* ended */
    assert_false(residents_authorisation_valid(100, 200, 0, 99));    /* not yet */
    assert_false(residents_authorisation_valid(100, 200, 150, 120)); /* revoked */
}

static void
test_words(void **state)
{
    (void)state;
    for (int p = 0; p < RESIDENTS_P__MAX; p++) {
        assert_int_equal(residents_purpose_parse(residents_purpose_name(p)), p);
        assert_true(residents_purpose_label(p)[0] && residents_purpose_hint(p)[0]);
    }
    assert_int_equal(residents_purpose_parse("health"), RESIDENTS_P_HEALTH);
    assert_int_equal(residents_purpose_parse("Health"), RESIDENTS_P__MAX);
    assert_int_equal(residents_purpose_parse(NULL), RESIDENTS_P__MAX);
    for (int h = 0; h < RESIDENTS_HOW__MAX; h++)
        assert_int_equal(residents_how_parse(residents_how_name(h)), h);
    assert_int_equal(residents_how_parse("fax"), RESIDENTS_HOW__MAX);
    assert_string_equal(residents_purpose_name(RESIDENTS_P__MAX), "");
}

/* --- skills, numbers, dates ------------------------------------------------------------------- */

static void
test_skills(void **state)
{
    (void)state;
    struct noaber_arena *a = noaber_arena_new(0);
    static const char *const known[] = {"odd-jobs", "gardening", "transport", "company"};
    static const struct {
        const char *in;
        enum noaber_err err;
        const char *out;
    } cases[] = {
        {"", NOABER_OK, ""},
        {"gardening", NOABER_OK, "gardening"},
        {"company, gardening", NOABER_OK, "gardening,company"}, /* in the list's order */
        {"Gardening,gardening;;transport", NOABER_OK, "gardening,transport"},
        {" odd-jobs  company ", NOABER_OK, "odd-jobs,company"},
        {"gardening,flying", NOABER_E_UNKNOWN_SKILL, NULL},
        {"garden", NOABER_E_UNKNOWN_SKILL, NULL},
        {"gardening-x", NOABER_E_UNKNOWN_SKILL, NULL},
    };
    for (size_t i = 0; i < N(cases); i++) {
        char *out = NULL;
        assert_int_equal(residents_check_skills(cases[i].in, known, N(known), &out, a),
                         cases[i].err);
        if (cases[i].out)
            assert_string_equal(out, cases[i].out);
    }
    assert_true(residents_list_has("gardening,transport", "transport"));
    assert_false(residents_list_has("gardening,transport", "trans"));
    assert_false(residents_list_has(NULL, "x"));
    noaber_arena_free(a);
}

static void
test_numbers(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
        enum noaber_err err;
    } houses[] = {
        {"12", "12", NOABER_OK},
        {" 12A ", "12a", NOABER_OK},
        {"12-3", "12-3", NOABER_OK},
        {"7 bis", "7 bis", NOABER_OK},
        {"", NULL, NOABER_E_BAD_HOUSE_NUMBER},
        {"0", NULL, NOABER_E_BAD_HOUSE_NUMBER},
        {"A12", NULL, NOABER_E_BAD_HOUSE_NUMBER},
        {"12<b>", NULL, NOABER_E_BAD_HOUSE_NUMBER},
        {"12345678901", NULL, NOABER_E_BAD_HOUSE_NUMBER},
    };
    for (size_t i = 0; i < N(houses); i++) {
        char buf[64];
        snprintf(buf, sizeof buf, "%s", houses[i].in);
        assert_int_equal(residents_check_house_number(buf), houses[i].err);
        if (houses[i].out)
            assert_string_equal(buf, houses[i].out);
    }
    static const struct {
        const char *in;
        enum noaber_err err;
    } phones[] = {
        {"06 12345678", NOABER_OK},
        {"+31 6 1234 5678", NOABER_OK},
        {"(030) 123-4567", NOABER_OK},
        {"12345", NOABER_E_BAD_PHONE},
        {"06 1234567890123456", NOABER_E_BAD_PHONE},
        {"06-1234x5678", NOABER_E_BAD_PHONE},
        {"31+612345678", NOABER_E_BAD_PHONE},
    };
    for (size_t i = 0; i < N(phones); i++) {
        char buf[64];
        snprintf(buf, sizeof buf, "%s", phones[i].in);
        assert_int_equal(residents_check_phone(buf), phones[i].err);
    }
    assert_int_equal(residents_check_skill_slug("digital-help"), NOABER_OK);
    assert_int_equal(residents_check_skill_slug("Digital"), NOABER_E_BAD_SLUG);
    assert_int_equal(residents_check_skill_slug("-x"), NOABER_E_BAD_SLUG);
    assert_int_equal(residents_check_skill_slug("x"), NOABER_E_BAD_SLUG);
}

static void
test_dates(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        enum noaber_err err;
        const char *back;
    } cases[] = {
        {"2025-03-31", NOABER_OK, "2025-03-31"}, {"31-03-2025", NOABER_OK, "2025-03-31"},
        {"1/4/2025", NOABER_OK, "2025-04-01"},   {"29-02-2024", NOABER_OK, "2024-02-29"},
        {"1970-01-01", NOABER_OK, "1970-01-01"}, {" 2030-12-31 ", NOABER_OK, "2030-12-31"},
        {"1969-12-31", NOABER_OK, "1969-12-31"}, {"29-02-2025", NOABER_E_BAD_DATE, NULL},
        {"2025-13-01", NOABER_E_BAD_DATE, NULL}, {"2025-03-31x", NOABER_E_BAD_DATE, NULL},
        {"2025-03/31", NOABER_E_BAD_DATE, NULL}, {"", NOABER_E_BAD_DATE, NULL},
        {"morgen", NOABER_E_BAD_DATE, NULL},     {"31-04-2025", NOABER_E_BAD_DATE, NULL},
        {"1800-01-01", NOABER_E_BAD_DATE, NULL},
    };
    for (size_t i = 0; i < N(cases); i++) {
        int64_t t = 0;
        enum noaber_err e = residents_parse_date(cases[i].in, &t);
        if (e != cases[i].err)
            print_error("%s: got %d\n", cases[i].in, e);
        assert_int_equal(e, cases[i].err);
        if (cases[i].back) {
            char out[11];
            residents_format_date(t, out);
            assert_string_equal(out, cases[i].back);
            assert_int_equal(((t % 86400) + 86400) % 86400, 12 * 3600); /* noon UTC */
        }
    }
    int64_t t;
    assert_int_equal(residents_parse_date(NULL, &t), NOABER_E_BAD_DATE);
}

static void
test_week(void **state)
{
    (void)state;
    int64_t wed, mon, sun_late, next_mon;
    /* Wednesday 2025-03-12 noon UTC; that week ends on Monday 2025-03-17 00:00 local */
    assert_int_equal(residents_parse_date("2025-03-12", &wed), NOABER_OK);
    assert_int_equal(residents_parse_date("2025-03-10", &mon), NOABER_OK);
    assert_int_equal(residents_parse_date("2025-03-17", &next_mon), NOABER_OK);
    next_mon -= 12 * 3600; /* midnight UTC */
    assert_int_equal(residents_week_end(wed, 0), next_mon);
    assert_int_equal(residents_week_end(mon - 12 * 3600, 0), next_mon); /* Monday 00:00 */
    assert_int_equal(residents_week_end(next_mon - 1, 0), next_mon);    /* Sunday 23:59:59 */
    assert_int_equal(residents_week_end(next_mon, 0), next_mon + 7 * 86400);
    /* in the Netherlands (UTC+1) Monday starts an hour earlier in UTC */
    assert_int_equal(residents_week_end(wed, 3600), next_mon - 3600);
    sun_late = next_mon - 1800; /* Sunday 23:30 UTC = Monday 00:30 in UTC+1 */
    assert_int_equal(residents_week_end(sun_late, 3600), next_mon - 3600 + 7 * 86400);
    /* due: set, and before the end of the week (overdue counts) */
    assert_true(residents_contact_due(wed, wed, 3600));
    assert_true(residents_contact_due(wed - 30 * 86400, wed, 3600));
    assert_true(residents_contact_due(wed + 4 * 86400, wed, 0));  /* Sunday noon */
    assert_false(residents_contact_due(wed + 5 * 86400, wed, 0)); /* next Monday noon */
    assert_false(residents_contact_due(0, wed, 0));
}

static void
test_nl_offset(void **state)
{
    (void)state;
    int64_t d;
    /* 2025: summer time from Sunday 30 March 01:00 UTC to Sunday 26 October 01:00 UTC */
    assert_int_equal(residents_parse_date("2025-03-30", &d), NOABER_OK);
    d -= 12 * 3600; /* midnight UTC */
    assert_int_equal(residents_nl_offset(d + 3600 - 1), 3600);
    assert_int_equal(residents_nl_offset(d + 3600), 7200);
    assert_int_equal(residents_parse_date("2025-10-26", &d), NOABER_OK);
    d -= 12 * 3600;
    assert_int_equal(residents_nl_offset(d + 3600 - 1), 7200);
    assert_int_equal(residents_nl_offset(d + 3600), 3600);
    assert_int_equal(residents_parse_date("2025-01-15", &d), NOABER_OK);
    assert_int_equal(residents_nl_offset(d), 3600);
    assert_int_equal(residents_parse_date("2024-07-01", &d), NOABER_OK);
    assert_int_equal(residents_nl_offset(d), 7200);
}

static void
test_suppress(void **state)
{
    (void)state;
    assert_int_equal(residents_suppress(0), -1);
    assert_int_equal(residents_suppress(4), -1);
    assert_int_equal(residents_suppress(5), 5);
    assert_int_equal(residents_suppress(120), 120);
}

/* --- CSV -------------------------------------------------------------------------------------- */

static void
test_csv_parse(void **state)
{
    (void)state;
    struct noaber_arena *a = noaber_arena_new(0);
    struct residents_csv c;
    const char *semi = "\xEF\xBB\xBFnaam;e-mail;toestemming\r\n"
                       "\"Vries, Jan de\";jan@example.org;ja\r\n"
                       "\"Zeg \"\"Piet\"\"\";;nee\r\n"
                       ";;\r\n"
                       "\"Twee\nregels\";x@example.org;ja";
    assert_int_equal(residents_csv_parse(semi, strlen(semi), &c, a), NOABER_OK);
    assert_int_equal(c.nrows, 4); /* the empty row is dropped */
    assert_int_equal(c.ncols[0], 3);
    assert_string_equal(c.cells[0][0], "naam"); /* the BOM is gone */
    assert_string_equal(c.cells[1][0], "Vries, Jan de");
    assert_string_equal(c.cells[2][0], "Zeg \"Piet\"");
    assert_string_equal(c.cells[2][1], "");
    assert_string_equal(c.cells[3][0], "Twee\nregels");
    assert_string_equal(c.cells[3][2], "ja");
    const char *comma = "name,email,consent\n Ann , ann@example.org ,yes\n";
    assert_int_equal(residents_csv_parse(comma, strlen(comma), &c, a), NOABER_OK);
    assert_int_equal(c.nrows, 2);
    assert_string_equal(c.cells[1][0], "Ann"); /* unquoted cells are trimmed */
    assert_string_equal(c.cells[1][1], "ann@example.org");
    /* broken files: nothing to import */
    static const char *const bad[] = {
        "name,email\n\"open,x\n", "name,email\n\"a\"b,c\n", "", "\n\n", "na\xffme,x\n",
    };
    for (size_t i = 0; i < N(bad); i++)
        assert_int_equal(residents_csv_parse(bad[i], strlen(bad[i]), &c, a), NOABER_E_BAD_CSV);
    /* too many rows */
    struct noaber_buf b;
    noaber_buf_init(&b, a);
    noaber_buf_puts(&b, "name,phone,consent\n");
    for (int i = 0; i < RESIDENTS_IMPORT_MAX + 1; i++)
        noaber_buf_printf(&b, "P %d,0612345678,ja\n", i);
    assert_int_equal(residents_csv_parse(b.data, b.len, &c, a), NOABER_E_BAD_CSV);
    noaber_arena_free(a);
}

static void
test_import_header(void **state)
{
    (void)state;
    int cols[RESIDENTS_COL__MAX];
    char *h1[] = {"Naam",       "E-mail",      "Telefoon",          "Postcode",
                  "Huisnummer", "Toestemming", "Datum toestemming", "Hoe"};
    assert_int_equal(residents_import_header(h1, N(h1), cols), NOABER_OK);
    for (int i = 0; i < RESIDENTS_COL__MAX; i++)
        assert_int_equal(cols[i], i);
    char *h2[] = {"consent", "phone", "extra", "name", "consent_date", "house_number"};
    assert_int_equal(residents_import_header(h2, N(h2), cols), NOABER_OK);
    assert_int_equal(cols[RESIDENTS_COL_NAME], 3);
    assert_int_equal(cols[RESIDENTS_COL_EMAIL], -1);
    assert_int_equal(cols[RESIDENTS_COL_HOUSE_NUMBER], 5);
    char *h3[] = {"name", "email"}; /* no consent column: the file cannot be imported */
    assert_int_equal(residents_import_header(h3, N(h3), cols), NOABER_E_BAD_CSV);
    char *h4[] = {"name", "consent", "postcode"}; /* neither e-mail nor phone */
    assert_int_equal(residents_import_header(h4, N(h4), cols), NOABER_E_BAD_CSV);
}

static void
test_import_rows(void **state)
{
    (void)state;
    int cols[RESIDENTS_COL__MAX];
    char *h[] = {"name",         "email",   "phone",        "postcode",
                 "house_number", "consent", "consent_date", "how"};
    assert_int_equal(residents_import_header(h, N(h), cols), NOABER_OK);
    int64_t now;
    assert_int_equal(residents_parse_date("2025-06-01", &now), NOABER_OK);
    static const struct {
        const char *cells[8];
        enum noaber_err want;
    } cases[] = {
        {{"Jan", "Jan@Example.org", "", "3511 ab", "12A", "ja", "01-05-2025", "mondeling"},
         NOABER_OK},
        {{"Els", "", "06 12345678", "", "", "yes", "2025-05-01", ""}, NOABER_OK},
        {{"Piet", "piet@example.org", "", "", "", "nee", "2025-05-01", ""}, NOABER_E_NO_CONSENT},
        {{"Piet", "piet@example.org", "", "", "", "", "", ""}, NOABER_E_NO_CONSENT},
        /* no consent comes first, also when the row has other errors */
        {{"", "not an address", "", "9999ZZ", "", "no", "", ""}, NOABER_E_NO_CONSENT},
        {{"", "a@example.org", "", "", "", "ja", "2025-05-01", ""}, NOABER_E_REQUIRED},
        {{"Kim", "", "", "", "", "ja", "2025-05-01", ""}, NOABER_E_REQUIRED},
        {{"Kim", "kim@", "", "", "", "ja", "2025-05-01", ""}, NOABER_E_BAD_EMAIL},
        {{"Kim", "", "12", "", "", "ja", "2025-05-01", ""}, NOABER_E_BAD_PHONE},
        {{"Kim", "k@example.org", "", "35", "", "ja", "2025-05-01", ""}, NOABER_E_BAD_POSTCODE},
        {{"Kim", "k@example.org", "", "3581 KL", "", "ja", "2025-05-01", ""},
         NOABER_E_POSTCODE_ELSEWHERE},
        {{"Kim", "k@example.org", "", "", "x", "ja", "2025-05-01", ""}, NOABER_E_BAD_HOUSE_NUMBER},
        {{"Kim", "k@example.org", "", "", "", "ja", "", ""}, NOABER_E_BAD_DATE},
        {{"Kim", "k@example.org", "", "", "", "ja", "2026-01-01", ""}, NOABER_E_BAD_DATE},
        {{"Kim", "k@example.org", "", "", "", "ja", "2025-05-01", "per duif"}, NOABER_E_BAD_CHOICE},
    };
    for (size_t i = 0; i < N(cases); i++) {
        char buf[8][64];
        char *cells[8];
        for (int k = 0; k < 8; k++) {
            snprintf(buf[k], sizeof buf[k], "%s", cases[i].cells[k]);
            cells[k] = buf[k];
        }
        struct residents_import_row row;
        enum noaber_err got = residents_import_check(cells, 8, cols, "3511,3512", now, &row);
        if (got != cases[i].want)
            print_error("case %zu: got %d want %d\n", i, got, cases[i].want);
        assert_int_equal(got, cases[i].want);
        if (i == 0) {
            assert_string_equal(row.email, "jan@example.org");
            assert_string_equal(row.postcode, "3511AB");
            assert_string_equal(row.house_number, "12a");
            assert_int_equal(row.how, RESIDENTS_HOW_SPOKEN);
            char d[11];
            residents_format_date(row.consent_at, d);
            assert_string_equal(d, "2025-05-01");
        }
        if (i == 1) {
            assert_int_equal(row.how, RESIDENTS_HOW_IMPORT);
            assert_string_equal(row.email, "");
            assert_string_equal(row.phone, "06 12345678");
        }
    }
    /* a short row (fewer cells than columns) counts as empty cells */
    char *shortrow[] = {"Ann"};
    struct residents_import_row row;
    assert_int_equal(residents_import_check(shortrow, 1, cols, "", now, &row), NOABER_E_NO_CONSENT);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_relation),      cmocka_unit_test(test_fields),
        cmocka_unit_test(test_may),           cmocka_unit_test(test_authorisation_valid),
        cmocka_unit_test(test_words),         cmocka_unit_test(test_skills),
        cmocka_unit_test(test_numbers),       cmocka_unit_test(test_dates),
        cmocka_unit_test(test_week),          cmocka_unit_test(test_nl_offset),
        cmocka_unit_test(test_suppress),      cmocka_unit_test(test_csv_parse),
        cmocka_unit_test(test_import_header), cmocka_unit_test(test_import_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
