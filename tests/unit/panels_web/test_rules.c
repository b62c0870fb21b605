/*
 * The rules of the panels' web part (src/panels/web_rules.c), without server or database: quotas
 * pasted in the Sortition Foundation's format and their checks, questions, the address list of
 * stage 1 with its errors by line, response codes, answers, the uniform draw, the order of the
 * reserves, who moves up after a drop-out, the engine's messages in one language, and the chart.
 * The expected answers are written out here, independently of the code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/util.h"
#include "panels/web.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct noaber_arena *arena;

static int
setup(void **state)
{
    (void)state;
    arena = noaber_arena_new(8u << 20);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    noaber_arena_free(arena);
    return 0;
}

/* --- quotas ----------------------------------------------------------------------------------- */

static void
test_quotas(void **state)
{
    (void)state;
    struct panels_quota *q;
    size_t n = 0, line = 0;
    /* BOM, semicolons, CRLF, flex columns, no final newline */
    assert_int_equal(panels_quotas_parse("\xef\xbb\xbf"
                                         "feature;value;min;max;min_flex;max_flex\r\n"
                                         "age;16-34;1;3;0;5\r\nage;35+;2;4;0;5\r\n"
                                         "sex;f;2;3;0;4\r\nsex;m;2;3;0;4",
                                         5, &q, &n, &line, arena),
                     NOABER_OK);
    assert_int_equal(n, 4);
    assert_string_equal(q[1].feature, "age");
    assert_string_equal(q[1].value, "35+");
    assert_int_equal(q[1].min, 2);
    assert_int_equal(q[1].max, 4);
    assert_int_equal(line, 0);
    size_t nf = 0;
    const char **f = panels_features(q, n, &nf, arena);
    assert_int_equal(nf, 2);
    assert_string_equal(f[0], "age");
    assert_string_equal(f[1], "sex");
    /* the replication format: category,feature,min,max */
    assert_int_equal(panels_quotas_parse("category,feature,min,max\nage,young,0,2\nage,old,0,2\n",
                                         2, &q, &n, &line, arena),
                     NOABER_OK);
    assert_string_equal(q[0].feature, "age");
    assert_string_equal(q[0].value, "young");

    static const struct {
        const char *csv;
        int k;
        enum noaber_err want;
        size_t line;
    } bad[] = {
        {"feature,value,min,max\nage,young,3,2\n", 5, NOABER_E_BAD_QUOTAS, 2},  /* min > max */
        {"feature,value,min,max\nage,young,1,x\n", 5, NOABER_E_BAD_QUOTAS, 2},  /* not a number */
        {"feature,value,min,max\nage,young,-1,2\n", 5, NOABER_E_BAD_QUOTAS, 2}, /* negative */
        {"feature,value,min,max\nage,a,0,5\nage,a,0,5\n", 5, NOABER_E_BAD_QUOTAS, 3}, /* twice */
        {"feature,value,min,max\nage,a,3,5\nage,b,3,5\n", 5, NOABER_E_BAD_QUOTAS, 2}, /* mins */
        {"feature,value,min,max\nage,a,0,1\nage,b,0,2\n", 5, NOABER_E_BAD_QUOTAS, 2}, /* maxes */
        {"feature,value,min,max\nage,a,6,6\n", 5, NOABER_E_BAD_QUOTAS, 2}, /* min above k */
        {"name,min,max\nx,1,2\n", 5, NOABER_E_BAD_QUOTAS, 1},              /* columns */
        {"feature,value,min,max\n", 5, NOABER_E_EMPTY_LIST, 1},
        {"feature,value,min,max\n\"age,a,0,5\n", 5, NOABER_E_BAD_CSV, 1},  /* open quote */
        {"feature,value,min,max\nage,\xff,0,5\n", 5, NOABER_E_BAD_CSV, 1}, /* not UTF-8 */
        {"", 5, NOABER_E_BAD_CSV, 1},
    };
    for (size_t i = 0; i < N(bad); i++) {
        line = 0;
        enum noaber_err e = panels_quotas_parse(bad[i].csv, bad[i].k, &q, &n, &line, arena);
        if (e != bad[i].want || line != bad[i].line)
            fail_msg("case %zu: %d line %zu, wanted %d line %zu", i, e, line, bad[i].want,
                     bad[i].line);
    }
}

static void
test_quotas_same(void **state)
{
    (void)state;
    struct panels_quota a[] = {{"age", "young", 0, 2}, {"age", "old", 0, 2}, {"sex", "f", 1, 2}};
    struct panels_quota b[] = {{"sex", "f", 0, 3}, {"age", "old", 1, 1}, {"age", "young", 2, 2}};
    struct panels_quota c[] = {{"sex", "m", 0, 3}, {"age", "old", 1, 1}, {"age", "young", 2, 2}};
    assert_true(panels_quotas_same(a, 3, b, 3)); /* mins and maxes may differ, order too */
    assert_false(panels_quotas_same(a, 3, c, 3));
    assert_false(panels_quotas_same(a, 3, b, 2));
}

static void
test_questions(void **state)
{
    (void)state;
    struct panels_quota q[] = {{"age", "young", 0, 2}, {"age", "old", 0, 2}, {"sex", "f", 0, 2}};
    struct panels_question *qs;
    size_t n = 0;
    assert_int_equal(panels_questions_parse("age: How old are you?\n\n", q, 3, &qs, &n, arena),
                     NOABER_OK);
    assert_int_equal(n, 2);
    assert_string_equal(qs[0].question, "How old are you?");
    assert_string_equal(qs[1].question, "sex"); /* none given: the feature's name */
    assert_int_equal(panels_questions_parse("place: Where?", q, 3, &qs, &n, arena),
                     NOABER_E_BAD_QUOTAS);
    assert_int_equal(panels_questions_parse("just words", q, 3, &qs, &n, arena),
                     NOABER_E_BAD_QUOTAS);
}

/* --- addresses -------------------------------------------------------------------------------- */

static void
test_addresses(void **state)
{
    (void)state;
    struct panels_address *ad;
    size_t n = 0, line = 0;
    const char ok[] = "\xef\xbb\xbfStraat;Huisnummer;Postcode;Woonplaats\r\n"
                      "Oudegracht;12a;3511 ab;Utrecht\r\n"
                      "\"Lange Nieuwstraat; achter\";7;3512CD;Utrecht";
    assert_int_equal(panels_addresses_parse(ok, strlen(ok), &ad, &n, &line, arena), NOABER_OK);
    assert_int_equal(n, 2);
    assert_string_equal(ad[0].postcode, "3511AB");
    assert_string_equal(ad[0].house_number, "12a");
    assert_string_equal(ad[1].street, "Lange Nieuwstraat; achter");
    const char en[] = "street,house number,postcode,town\nBiltstraat,1,3581 AA,Utrecht\n";
    assert_int_equal(panels_addresses_parse(en, strlen(en), &ad, &n, &line, arena), NOABER_OK);
    assert_int_equal(n, 1);

    static const struct {
        const char *csv;
        enum noaber_err want;
        size_t line;
    } bad[] = {
        {"straat,postcode,plaats\nA,3511AB,U\n", NOABER_E_BAD_ADDRESS_COLUMNS, 1},
        {"straat,huisnummer,postcode,plaats\n", NOABER_E_EMPTY_LIST, 1},
        {"straat,huisnummer,postcode,plaats\nA,1,3511AB,U\nB,2,35XX,U\n", NOABER_E_BAD_POSTCODE, 3},
        {"straat,huisnummer,postcode,plaats\nA,x,3511AB,U\n", NOABER_E_BAD_HOUSE_NUMBER, 2},
        {"straat,huisnummer,postcode,plaats\n,1,3511AB,U\n", NOABER_E_REQUIRED, 2},
        {"straat,huisnummer,postcode,plaats\nA,1,3511AB,\n", NOABER_E_REQUIRED, 2},
        {"straat,huisnummer,postcode,plaats\n\"A,1,3511AB,U\n", NOABER_E_BAD_CSV, 1},
        {"straat,huisnummer,postcode,plaats\nA\xc3,1,3511AB,U\n", NOABER_E_BAD_CSV, 1},
    };
    for (size_t i = 0; i < N(bad); i++) {
        line = 0;
        enum noaber_err e =
            panels_addresses_parse(bad[i].csv, strlen(bad[i].csv), &ad, &n, &line, arena);
        if (e != bad[i].want || line != bad[i].line)
            fail_msg("case %zu: %d line %zu, wanted %d line %zu", i, e, line, bad[i].want,
                     bad[i].line);
        assert_int_equal(n, 0); /* nothing handed back on an error */
    }
}

/* --- codes and answers ------------------------------------------------------------------------ */

static void
test_codes(void **state)
{
    (void)state;
    unsigned char key[32] = {1, 2, 3};
    char a[16], b[16], c[16];
    panels_code_make(key, 7, 100, a);
    panels_code_make(key, 7, 100, b);
    panels_code_make(key, 7, 101, c);
    assert_string_equal(a, b); /* the letters can be printed again */
    assert_string_not_equal(a, c);
    assert_int_equal(strlen(a), 9);
    assert_int_equal(a[4], '-');
    for (const char *p = a; *p; p++)
        assert_null(strchr("01ILOU", *p));
    char typed[32];
    snprintf(typed, sizeof typed, " %c%c%c%c %c%c%c%c ", a[0] + 32 * (a[0] >= 'A'), a[1], a[2],
             a[3], a[5], a[6], a[7], a[8]);
    assert_true(panels_code_normalise(typed));
    char plain[16];
    snprintf(plain, sizeof plain, "%.4s%.4s", a, a + 5);
    assert_string_equal(typed, plain);
    char h1[65], h2[65];
    panels_code_hash(typed, h1);
    panels_code_hash(plain, h2);
    assert_string_equal(h1, h2);
    assert_int_equal(strlen(h1), 64);
    static const char *const bad[] = {"",          "ABCD",      "ABCD-EFGH-J",
                                      "ABCD-EFG0", "ABCD-EF1H", "ÅBCD-EFGH"};
    for (size_t i = 0; i < N(bad); i++) {
        char t[32];
        snprintf(t, sizeof t, "%s", bad[i]);
        assert_false(panels_code_normalise(t));
    }
}

static void
test_answers(void **state)
{
    (void)state;
    struct panels_quota q[] = {{"age", "young", 0, 2}, {"age", "old", 0, 2}, {"sex", "f", 0, 2}};
    const char *f[] = {"age", "sex"};
    const char *good[] = {"old", "f"}, *wrong[] = {"old", "x"}, *missing[] = {"", "f"};
    const char *bad = NULL;
    assert_int_equal(panels_answers_check(q, 3, f, good, 2, &bad), NOABER_OK);
    assert_int_equal(panels_answers_check(q, 3, f, wrong, 2, &bad), NOABER_E_BAD_CHOICE);
    assert_string_equal(bad, "sex");
    assert_int_equal(panels_answers_check(q, 3, f, missing, 2, &bad), NOABER_E_REQUIRED);
    assert_string_equal(bad, "age");
    char *enc = panels_answers_encode(f, good, 2, arena);
    assert_string_equal(enc, "age=old\nsex=f\n");
    assert_string_equal(panels_answer_of(enc, "sex", arena), "f");
    assert_string_equal(panels_answer_of(enc, "age", arena), "old");
    assert_string_equal(panels_answer_of(enc, "ag", arena), "");
}

/* --- draws ------------------------------------------------------------------------------------ */

static void
test_draw_uniform(void **state)
{
    (void)state;
    /* distinct, in range; and over many draws every item is about equally often chosen */
    int seen[10] = {0};
    for (int round = 0; round < 3000; round++) {
        size_t out[3];
        panels_draw_uniform(10, 3, out);
        for (int i = 0; i < 3; i++) {
            assert_true(out[i] < 10);
            for (int j = 0; j < i; j++)
                assert_true(out[i] != out[j]);
            seen[out[i]]++;
        }
    }
    for (int i = 0; i < 10; i++) /* expected 900 each; 6 standard deviations either side */
        assert_in_range(seen[i], 750, 1050);
    size_t all[5];
    panels_draw_uniform(5, 5, all);
    int mask = 0;
    for (int i = 0; i < 5; i++)
        mask |= 1 << all[i];
    assert_int_equal(mask, 31);
}

static void
test_reserve_order(void **state)
{
    (void)state;
    int64_t numbers[] = {4, 9, 1, 7, 12};
    panels_reserve_order("lotto 1-2-3", numbers, N(numbers));
    /* SHA-256("lotto 1-2-3:reserve:<n>") in hex, sorted: worked out with sha256sum */
    char prev[65] = "", h[65], buf[64];
    for (size_t i = 0; i < N(numbers); i++) {
        snprintf(buf, sizeof buf, "lotto 1-2-3:reserve:%lld", (long long)numbers[i]);
        noaber_sha256_hex(h, buf, strlen(buf));
        assert_true(strcmp(prev, h) < 0);
        snprintf(prev, sizeof prev, "%s", h);
    }
    int64_t again[] = {12, 7, 1, 9, 4};
    panels_reserve_order("lotto 1-2-3", again, N(again));
    assert_memory_equal(numbers, again, sizeof again); /* the input order does not matter */
    int64_t other[] = {4, 9, 1, 7, 12};
    panels_reserve_order("lotto 1-2-4", other, N(other));
    assert_memory_not_equal(numbers, other, sizeof other);
}

static void
test_next_reserve(void **state)
{
    (void)state;
    struct panels_quota q[] = {{"sex", "f", 2, 2}, {"sex", "m", 1, 1}};
    /* a panel of 3 (2 f, 1 m); an f drops out: the first reserve that is an f moves up */
    const char *stay[] = {"sex=f\n", "sex=m\n"};
    const char *reserves[] = {"sex=m\n", "sex=f\n", "sex=f\n"};
    int ok = 0;
    assert_int_equal(panels_next_reserve(q, 2, stay, 2, "sex=f\n", reserves, 3, &ok, arena), 1);
    assert_true(ok);
    /* no reserve keeps the quotas: the first with the same answers, else the first */
    const char *only_m[] = {"sex=m\n", "sex=m\n"};
    assert_int_equal(panels_next_reserve(q, 2, stay, 2, "sex=f\n", only_m, 2, &ok, arena), 0);
    assert_false(ok);
    struct panels_quota q3[] = {{"sex", "f", 2, 2}, {"sex", "m", 1, 1}, {"sex", "x", 0, 0}};
    const char *xs[] = {"sex=x\n", "sex=f\n"};
    const char *stay2[] = {"sex=f\n", "sex=f\n"};
    assert_int_equal(panels_next_reserve(q3, 3, stay2, 2, "sex=m\n", xs, 2, &ok, arena), 0);
    assert_false(ok);
    assert_int_equal(panels_next_reserve(q, 2, stay, 2, "sex=f\n", reserves, 0, &ok, arena), -1);
}

/* --- words and the chart ---------------------------------------------------------------------- */

static void
test_engine_message(void **state)
{
    (void)state;
    const char *err =
        "voortgang / progress: leximin  40% (1.2 s)\n"
        "Fout: geen enkel panel van 4 mensen voldoet aan alle quota. / Error: no panel of 4 "
        "people satisfies all quotas.\n"
        "Kleinste aanpassing die het oplost / smallest change that fixes it:\n"
        "  - verlaag het minimum van sex = f van 3 naar 2 / lower the min of sex = f from 3 to 2\n";
    assert_string_equal(panels_engine_message(err, "nl", arena),
                        "Fout: geen enkel panel van 4 mensen voldoet aan alle quota.\n"
                        "Kleinste aanpassing die het oplost\n"
                        "- verlaag het minimum van sex = f van 3 naar 2\n");
    assert_string_equal(panels_engine_message(err, "en", arena),
                        "Error: no panel of 4 people satisfies all quotas.\n"
                        "smallest change that fixes it:\n"
                        "- lower the min of sex = f from 3 to 2\n");
    assert_string_equal(panels_engine_message("Fout / Error: te weinig geheugen\n", "nl", arena),
                        "te weinig geheugen\n");
}

static void
test_draw_gap(void **state)
{
    (void)state;
    double mn, bd;
    const char *within = "algorithm: leximin\nseed: 7\nminimum probability: 0.001328612\n"
                         "upper bound on the minimum probability: 0.001340495\ntolerance: 1%\n";
    assert_int_equal(panels_draw_gap(within, &mn, &bd), 1);
    assert_true(fabs(mn - 0.001328612) < 1e-12 && fabs(bd - 0.001340495) < 1e-12);
    /* exact: the bound is reached; an older record has no bound; nothing, or nonsense */
    assert_int_equal(panels_draw_gap("minimum probability: 0.1\n"
                                     "upper bound on the minimum probability: 0.100000000\n",
                                     &mn, &bd),
                     0);
    assert_int_equal(panels_draw_gap("minimum probability: 0.1\npanels: 3\n", &mn, &bd), 0);
    assert_int_equal(panels_draw_gap("", &mn, &bd), 0);
    assert_int_equal(panels_draw_gap(NULL, &mn, &bd), 0);
    assert_int_equal(panels_draw_gap("minimum probability: x\n"
                                     "upper bound on the minimum probability: 0.2\n",
                                     &mn, &bd),
                     0);
}

static void
test_draw_higher_unproven(void **state)
{
    (void)state;
    assert_int_equal(panels_draw_higher_unproven(
                         "minimum probability: 0.001333\ntolerance: 1%\nhigher levels: best "
                         "found, not proven leximin\npanels: 1217\n"),
                     1);
    assert_int_equal(panels_draw_higher_unproven("minimum probability: 0.1\npanels: 3\n"), 0);
    assert_int_equal(panels_draw_higher_unproven("note: higher levels: best found\n"), 0);
    assert_int_equal(panels_draw_higher_unproven(""), 0);
    assert_int_equal(panels_draw_higher_unproven(NULL), 0);
}

static void
test_chart(void **state)
{
    (void)state;
    struct noaber_buf b;
    noaber_buf_init(&b, arena);
    double v[] = {0.25, 0.5, 1.5, -1};
    int64_t l[] = {1, 2, 3, 4};
    panels_svg_chart(&b, v, l, 4, 0.4, "Kans <per> vrijwilliger", "Vier & meer");
    const char *s = noaber_buf_str(&b);
    assert_non_null(strstr(s, "role=\"img\""));
    assert_non_null(strstr(s, "<title id=\"chart-title\">Kans &lt;per&gt; vrijwilliger</title>"));
    assert_non_null(strstr(s, "Vier &amp; meer"));
    assert_null(strstr(s, "<script"));
    /* four bars, clamped to [0, 1]: heights 50, 100, 200 and 0 */
    int bars = 0;
    for (const char *p = s; (p = strstr(p, "<rect")); p++)
        bars++;
    assert_int_equal(bars, 4);
    assert_non_null(strstr(s, "height=\"200.0\""));
    assert_non_null(strstr(s, "height=\"0.0\""));
    assert_non_null(strstr(s, "stroke-dasharray"));
}

static void
test_words(void **state)
{
    (void)state;
    for (int i = 0; i < PANELS_STAGE__MAX; i++)
        assert_int_equal(panels_stage_parse(panels_stage_name(i)), i);
    for (int i = 0; i < PANELS_V__MAX; i++)
        assert_int_equal(panels_vstatus_parse(panels_vstatus_name(i)), i);
    assert_int_equal(panels_stage_parse("nope"), PANELS_STAGE__MAX);
    assert_int_equal(panels_vstatus_parse(NULL), PANELS_V__MAX);
}

int
main(void)
{
    noaber_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quotas),       cmocka_unit_test(test_quotas_same),
        cmocka_unit_test(test_questions),    cmocka_unit_test(test_addresses),
        cmocka_unit_test(test_codes),        cmocka_unit_test(test_answers),
        cmocka_unit_test(test_draw_uniform), cmocka_unit_test(test_reserve_order),
        cmocka_unit_test(test_next_reserve), cmocka_unit_test(test_engine_message),
        cmocka_unit_test(test_chart),        cmocka_unit_test(test_words),
        cmocka_unit_test(test_draw_gap),     cmocka_unit_test(test_draw_higher_unproven),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
