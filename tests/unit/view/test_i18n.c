/*
 * Tests of the translation catalogues (src/view/i18n.c): the embedded po/nl.po and po/en.po,
 * the .po parser on hand-written catalogues (contexts, continuations, escapes, fuzzy entries,
 * errors with line numbers), Plural-Forms rules of several languages, right-to-left detection
 * and Accept-Language negotiation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "view/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
setup(void **state)
{
    (void)state;
    return noaber_i18n_init();
}

static int
teardown(void **state)
{
    (void)state;
    noaber_i18n_shutdown();
    return 0;
}

static struct noaber_catalog *
parse_ok(const char *po)
{
    char err[256];
    struct noaber_catalog *cat = noaber_po_parse(po, strlen(po), err, sizeof err);
    if (!cat)
        fail_msg("parse failed: %s\n%s", err, po);
    return cat;
}

/* A catalogue with just a header holding FIELDS ("Language: ar\n…", escaped for .po). */
static struct noaber_catalog *
header_only(const char *fields)
{
    char po[1024];
    snprintf(po, sizeof po, "msgid \"\"\nmsgstr \"%s\"\n", fields);
    return parse_ok(po);
}

static void
test_embedded_catalogues(void **state)
{
    (void)state;
    const struct noaber_catalog *nl = noaber_i18n_catalog("nl");
    assert_non_null(nl);
    assert_ptr_equal(noaber_i18n_catalog("NL"), nl);
    assert_null(noaber_i18n_catalog("xx"));
    assert_null(noaber_i18n_catalog(NULL));
    assert_string_equal(noaber_i18n_code(nl), "nl");
    assert_string_equal(noaber_i18n_code(NULL), "en");
    assert_false(noaber_i18n_rtl(nl));
    assert_false(noaber_i18n_rtl(NULL));

    const char *const *codes;
    size_t n = noaber_i18n_languages(&codes);
    assert_true(n >= 2);
    for (size_t i = 1; i < n; i++)
        assert_true(strcmp(codes[i - 1], codes[i]) < 0);
    int has_nl = 0, has_en = 0;
    for (size_t i = 0; i < n; i++) {
        has_nl |= strcmp(codes[i], "nl") == 0;
        has_en |= strcmp(codes[i], "en") == 0;
    }
    assert_true(has_nl && has_en);
    assert_string_equal(noaber_i18n_native_name("nl"), "Nederlands");
    assert_string_equal(noaber_i18n_native_name("en"), "English");
    assert_string_equal(noaber_i18n_native_name("de"), "Deutsch");
    assert_string_equal(noaber_i18n_native_name("tlh"), "tlh");
    assert_int_equal(noaber_i18n_init(), 0); /* again: a no-op */
}

static void
test_lookups(void **state)
{
    (void)state;
    const struct noaber_catalog *nl = noaber_i18n_catalog("nl"), *en = noaber_i18n_catalog("en");
    assert_string_equal(noaber_tr(nl, "Hello, {name}!"), "Hallo, {name}!");
    assert_string_equal(noaber_tr(en, "Hello, {name}!"), "Hello, {name}!");
    assert_string_equal(noaber_tr(NULL, "Hello, {name}!"), "Hello, {name}!");
    const char *unknown = "Not in any catalogue";
    assert_ptr_equal(noaber_tr(nl, unknown), unknown);
    const char *one = "You have one new message.", *many = "You have {count} new messages.";
    assert_string_equal(noaber_trn(nl, one, many, 1), "Je hebt één nieuw bericht.");
    assert_string_equal(noaber_trn(nl, one, many, 0), "Je hebt {count} nieuwe berichten.");
    assert_string_equal(noaber_trn(nl, one, many, 2), "Je hebt {count} nieuwe berichten.");
    assert_string_equal(noaber_trn(nl, one, many, -1), "Je hebt één nieuw bericht.");
    assert_ptr_equal(noaber_trn(en, one, many, 1), one);
    assert_ptr_equal(noaber_trn(en, one, many, 7), many);
    assert_ptr_equal(noaber_trn(NULL, one, many, 0), many);
    const char *x = "x", *xs = "xs", *hello = "Hello, {name}!";
    assert_ptr_equal(noaber_trn(nl, x, xs, 1), x);
    assert_ptr_equal(noaber_trn(nl, x, xs, 2), xs);
    assert_ptr_equal(noaber_trp(nl, "menu", hello), hello);
}

static void
test_parser_features(void **state)
{
    (void)state;
    static const char po[] = "\xEF\xBB\xBF# translator comment\n"
                             "msgid \"\"\n"
                             "msgstr \"\"\n"
                             "\"Language: nl\\n\"\n"
                             "\"Plural-Forms: nplurals=2; plural=n != 1;\\n\"\n"
                             "\n"
                             "#. extracted comment\n"
                             "#: src/x.c:12\n"
                             "#, c-format\n"
                             "msgid \"Open\"\n"
                             "msgstr \"Open (bijvoeglijk)\"\n"
                             "\n"
                             "msgctxt \"verb\"\n"
                             "msgid \"Open\"\n"
                             "msgstr \"Openen\"\n"
                             "msgctxt \"noun\"\n"
                             "msgid \"Open\"\n"
                             "msgstr \"\"\n"
                             "\n"
                             "msgid \"\"\n"
                             "\"A long \"\n"
                             "\"text\"\n"
                             "msgstr \"\"\n"
                             "\"Een lange \"\n"
                             "  \"tekst\"\r\n"
                             "\n"
                             "msgid \"esc \\\"q\\\" \\\\ \\t \\n \\r\"\n"
                             "msgstr \"ok \\\"q\\\" \\\\ \\t \\n \\r\"\n"
                             "\n"
                             "#, fuzzy\n"
                             "msgid \"Fuzzy one\"\n"
                             "msgstr \"Vaag\"\n"
                             "\n"
                             "#, c-format, fuzzy\n"
                             "msgid \"Fuzzy two\"\n"
                             "msgstr \"Vaag twee\"\n"
                             "\n"
                             "#, fuzzyness-is-not-a-flag\n"
                             "msgid \"Kept\"\n"
                             "msgstr \"Bewaard\"\n"
                             "\n"
                             "#~ msgid \"Old\"\n"
                             "#~ msgstr \"Oud\"\n"
                             "msgid \"Empty\"\n"
                             "msgstr \"\"\n"
                             "msgid \"day\"\n"
                             "msgid_plural \"days\"\n"
                             "msgstr[0] \"dag\"\n"
                             "msgstr[1] \"\"\n"
                             "msgid \"last\"\n"
                             "msgstr \"laatst\"";
    struct noaber_catalog *cat = parse_ok(po);
    assert_string_equal(noaber_i18n_code(cat), "nl");
    assert_string_equal(noaber_tr(cat, "Open"), "Open (bijvoeglijk)");
    assert_string_equal(noaber_trp(cat, "verb", "Open"), "Openen");
    assert_string_equal(noaber_trp(cat, "noun", "Open"), "Open");
    assert_string_equal(noaber_trp(cat, "adjective", "Open"), "Open");
    assert_string_equal(noaber_trp(cat, NULL, "Open"), "Open (bijvoeglijk)");
    assert_string_equal(noaber_tr(cat, "A long text"), "Een lange tekst");
    assert_string_equal(noaber_tr(cat, "esc \"q\" \\ \t \n \r"), "ok \"q\" \\ \t \n \r");
    assert_string_equal(noaber_tr(cat, "Fuzzy one"), "Fuzzy one");
    assert_string_equal(noaber_tr(cat, "Fuzzy two"), "Fuzzy two");
    assert_string_equal(noaber_tr(cat, "Kept"), "Bewaard");
    assert_string_equal(noaber_tr(cat, "Old"), "Old");
    assert_string_equal(noaber_tr(cat, "Empty"), "Empty");
    assert_string_equal(noaber_trn(cat, "day", "days", 1), "dag");
    assert_string_equal(noaber_trn(cat, "day", "days", 3), "days"); /* empty form: fallback */
    assert_string_equal(noaber_tr(cat, "last"), "laatst");
    assert_string_equal(noaber_tr(cat, ""), "");
    noaber_catalog_free(cat);

    /* no header at all: Germanic plural, no code */
    cat = parse_ok("msgid \"a\"\nmsgid_plural \"as\"\nmsgstr[0] \"een\"\nmsgstr[1] \"veel\"\n");
    assert_string_equal(noaber_i18n_code(cat), "");
    assert_string_equal(noaber_trn(cat, "a", "as", 1), "een");
    assert_string_equal(noaber_trn(cat, "a", "as", 2), "veel");
    noaber_catalog_free(cat);
    cat = parse_ok("");
    assert_string_equal(noaber_tr(cat, "x"), "x");
    noaber_catalog_free(cat);
}

/* Parses a catalogue with RULE and checks the form index it picks for each n. */
static void
check_rule(const char *rule, const long *ns, const int *forms, size_t count)
{
    char po[1024];
    snprintf(po, sizeof po,
             "msgid \"\"\nmsgstr \"Plural-Forms: %s\\n\"\n\n"
             "msgid \"s\"\nmsgid_plural \"p\"\n"
             "msgstr[0] \"0\"\nmsgstr[1] \"1\"\nmsgstr[2] \"2\"\nmsgstr[3] \"3\"\n"
             "msgstr[4] \"4\"\nmsgstr[5] \"5\"\n",
             rule);
    struct noaber_catalog *cat = parse_ok(po);
    for (size_t i = 0; i < count; i++) {
        const char *got = noaber_trn(cat, "s", "p", ns[i]);
        if (got[0] != '0' + forms[i] || got[1])
            fail_msg("%s: n=%ld gave form %s, expected %d", rule, ns[i], got, forms[i]);
    }
    noaber_catalog_free(cat);
}

static void
test_plural_rules(void **state)
{
    (void)state;
    {
        static const long ns[] = {0, 1, 2, 3, 10, 11, 26, 99, 100, 101, 102, 103, 110, 111, 1000};
        static const int forms[] = {0, 1, 2, 3, 3, 4, 4, 4, 5, 5, 5, 3, 3, 4, 5};
        check_rule("nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 "
                   "? 3 : n%100>=11 ? 4 : 5);",
                   ns, forms, sizeof ns / sizeof *ns);
    }
    {
        static const long ns[] = {0, 1, 2, 3, 4, 5, 11, 12, 14, 21, 22, 24, 25, 112, 122, 1000};
        static const int forms[] = {2, 0, 1, 1, 1, 2, 2, 2, 2, 2, 1, 1, 2, 2, 1, 2};
        check_rule("nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && "
                   "(n%100<10 || n%100>=20) ? 1 : 2);",
                   ns, forms, sizeof ns / sizeof *ns);
    }
    {
        static const long ns[] = {0, 1, 2, 1000};
        static const int forms[] = {0, 0, 0, 0};
        check_rule("nplurals=1; plural=0;", ns, forms, 4);
    }
    {
        static const long ns[] = {0, 1, 2, 5};
        static const int forms[] = {1, 0, 1, 1};
        check_rule("nplurals=2; plural=(n != 1);", ns, forms, 4);
        check_rule("nplurals=2;plural=n!=1", ns, forms, 4);
    }
    {
        static const long ns[] = {0, 1, 2};
        static const int forms[] = {0, 0, 1};
        check_rule("nplurals=2; plural=(n > 1);", ns, forms, 3); /* French */
    }
    {
        /* Russian, and operators the common rules do not use: ! + - * / */
        static const long ns[] = {1, 2, 5, 11, 21, 22, 25};
        static const int forms[] = {0, 1, 2, 2, 0, 1, 2};
        check_rule("nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
                   "(n%100<10 || n%100>=20) ? 1 : 2);",
                   ns, forms, sizeof ns / sizeof *ns);
        static const long ms[] = {0, 1, 2, 3, 4, 7};
        static const int fs[] = {0, 1, 0, 1, 0, 1};
        check_rule("nplurals=2; plural=!(n/2*2 == n);", ms, fs, 6);
        static const int gs[] = {1, 0, 1, 1, 1, 1};
        check_rule("nplurals=2; plural=(n+1-2)*3 != 0;", ms, gs, 6);
    }
    {
        /* a rule that yields an index past nplurals uses form 0; division by zero gives 0 */
        static const long ns[] = {0, 1, 5};
        static const int forms[] = {0, 0, 0};
        check_rule("nplurals=2; plural=n+7;", ns, forms, 3);
        static const int zs[] = {0, 0, 0};
        check_rule("nplurals=2; plural=n/0 + n%0;", ns, zs, 3);
    }
}

static void
check_error(const char *po, const char *want)
{
    char err[256];
    struct noaber_catalog *cat = noaber_po_parse(po, strlen(po), err, sizeof err);
    if (cat) {
        noaber_catalog_free(cat);
        fail_msg("parsed, expected error '%s':\n%s", want, po);
    }
    if (strncmp(err, want, strlen(want)) != 0)
        fail_msg("error '%s', expected '%s…'", err, want);
}

static void
test_parse_errors(void **state)
{
    (void)state;
    check_error("msgid \"a\"\nmsgid \"b\"\nmsgstr \"\"\n", "line 2: msgid without msgstr");
    check_error("msgid \"a\"\n", "line 1: msgid without msgstr");
    check_error("\n\nmsgid \"a\nmsgstr \"\"\n", "line 3: unterminated string");
    check_error("msgid \"a\\x\"\nmsgstr \"\"\n", "line 1: unknown escape '\\x'");
    check_error("msgid a\nmsgstr \"\"\n", "line 1: expected a string");
    check_error("msgid \"a\" junk\nmsgstr \"\"\n", "line 1: unexpected text after the string");
    check_error("msgfoo \"a\"\n", "line 1: unknown keyword 'msgfoo'");
    check_error("msgstr \"a\"\n", "line 1: msgstr must follow msgid");
    check_error("\"a\"\n", "line 1: a string without a keyword");
    check_error("msgid \"a\"\nmsgstr[0] \"b\"\n", "line 2: msgstr[0] without msgid_plural");
    check_error("msgid \"a\"\nmsgid_plural \"b\"\nmsgstr \"c\"\n",
                "line 3: use msgstr[N] after msgid_plural");
    check_error("msgid \"a\"\nmsgid_plural \"b\"\nmsgstr[1] \"c\"\n",
                "line 1: msgstr[0] is missing");
    check_error("msgid \"a\"\nmsgid_plural \"b\"\nmsgstr[0] \"c\"\nmsgstr[0] \"d\"\n",
                "line 4: msgstr[0] out of range or repeated");
    check_error("msgid \"a\"\nmsgid_plural \"b\"\nmsgstr[10] \"c\"\n",
                "line 3: msgstr[10] out of range");
    check_error("msgid \"a\"\nmsgid_plural \"b\"\nmsgstr[x] \"c\"\n",
                "line 3: malformed msgstr[N]");
    check_error("msgid \"a\"\nmsgctxt \"c\"\nmsgstr \"\"\n",
                "line 2: msgctxt must come before msgid");
    check_error("msgctxt \"c\"\n", "line 1: msgctxt without msgid");
    check_error("msgid \"a\"\nmsgstr \"x\"\n\n# again\nmsgid \"a\"\nmsgstr \"y\"\n",
                "line 5: duplicate msgid (first on line 1)");
    check_error("msgid \"\"\nmsgstr \"Plural-Forms: nplurals=2; plural=n >;\\n\"\n",
                "line 1: cannot read the plural expression");
    check_error("msgid \"\"\nmsgstr \"Plural-Forms: nplurals=2; plural=(n != 1;\\n\"\n",
                "line 1: cannot read the plural expression");
    check_error("msgid \"\"\nmsgstr \"Plural-Forms: nplurals=2; plural=n & 1;\\n\"\n",
                "line 1: cannot read the plural expression");
    check_error("msgid \"\"\nmsgstr \"Plural-Forms: nplurals=0; plural=0;\\n\"\n",
                "line 1: nplurals must be 1 to 10");
    check_error("msgid \"\"\nmsgstr \"Plural-Forms: plural=0;\\n\"\n",
                "line 1: Plural-Forms needs nplurals= and plural=");
    check_error("msgid \"\"\nmsgstr \"Content-Type: text/plain; charset=ISO-8859-1\\n\"\n",
                "line 1: the charset must be UTF-8");
    check_error("msgid \"\"\nmsgstr \"Language: <script>\\n\"\n",
                "line 1: Language '<script>' is not a language code");
    check_error("msgid \"\"\nmsgstr \"\"\n\nmsgid \"\"\nmsgstr \"\"\n",
                "line 4: a second header entry");
    check_error("msgid \"caf\xe9\"\nmsgstr \"\"\n", "line 1: the file is not valid UTF-8");
    /* deep nesting and long expressions are refused, not a stack overflow */
    char po[4096] = "msgid \"\"\nmsgstr \"Plural-Forms: nplurals=2; plural=";
    for (int i = 0; i < 100; i++)
        strcat(po, "(");
    strcat(po, "n");
    for (int i = 0; i < 100; i++)
        strcat(po, ")");
    strcat(po, ";\\n\"\n");
    check_error(po, "line 1: cannot read the plural expression");
    strcpy(po, "msgid \"\"\nmsgstr \"Plural-Forms: nplurals=2; plural=n");
    for (int i = 0; i < 300; i++)
        strcat(po, "+n");
    strcat(po, ";\\n\"\n");
    check_error(po, "line 1: cannot read the plural expression");
}

static void
test_rtl(void **state)
{
    (void)state;
    static const struct {
        const char *fields;
        int rtl;
    } cases[] = {
        {"Language: ar\\n", 1},
        {"Language: he\\n", 1},
        {"Language: fa_IR\\n", 1},
        {"Language: ur-PK\\n", 1},
        {"Language: yi\\n", 1},
        {"Language: ps\\n", 1},
        {"Language: dv\\n", 1},
        {"Language: ku-Arab\\n", 1},
        {"Language: ku_Arab_IQ\\n", 1},
        {"Language: ku\\n", 0},
        {"Language: ku-Latn\\n", 0},
        {"Language: nl\\n", 0},
        {"Language: arn\\n", 0},
        {"Language: en\\n", 0},
        {"Language: xx\\nX-Direction: rtl\\n", 1},
        {"Language: xx\\nX-Direction: ltr\\n", 0},
        {"", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct noaber_catalog *cat = header_only(cases[i].fields);
        if (noaber_i18n_rtl(cat) != cases[i].rtl)
            fail_msg("'%s': rtl %d", cases[i].fields, noaber_i18n_rtl(cat));
        noaber_catalog_free(cat);
    }
}

static void
test_negotiate(void **state)
{
    (void)state;
    const char *fb = "nl";
    static const struct {
        const char *header, *want;
    } cases[] = {
        {"", "nl"},
        {"en", "en"},
        {"EN-us", "en"},
        {"en_GB", "en"},
        {"nl-NL,nl;q=0.9,en;q=0.8", "nl"},
        {"de-DE,de;q=0.9,en;q=0.5", "en"},
        {"fr", "nl"},
        {"en;q=0.5, nl;q=0.8", "nl"},
        {"en;q=0.5,nl;q=0.5", "en"},
        {"en-GB;q=0.9, nl;q=0", "en"},
        {"nl;q=0, en;q=0", "nl"},
        {"*", "nl"},
        {"de, *;q=0.5, en;q=0.4", "nl"},
        {"en;q=abc", "nl"},
        {"en;q=1.5", "nl"},
        {"en;foo=bar", "nl"},
        {"  en  ;  q=1.000 ", "en"},
        {"x-klingon;q=1, en-Latn-US;q=0.001", "en"},
        {",,,;;;===", "nl"},
        {"en-", "en"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *got = noaber_i18n_negotiate(cases[i].header, fb);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("'%s' gave %s, expected %s", cases[i].header, got, cases[i].want);
    }
    assert_ptr_equal(noaber_i18n_negotiate(NULL, fb), fb);
    const char *xx = "xx";
    assert_ptr_equal(noaber_i18n_negotiate("fr", xx), xx);
    /* a match hands back the catalogue's own code, not a pointer into the header */
    char header[] = "en-GB";
    const char *code = noaber_i18n_negotiate(header, fb);
    assert_ptr_equal(code, noaber_i18n_code(noaber_i18n_catalog("en")));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_embedded_catalogues), cmocka_unit_test(test_lookups),
        cmocka_unit_test(test_parser_features),     cmocka_unit_test(test_plural_rules),
        cmocka_unit_test(test_parse_errors),        cmocka_unit_test(test_rtl),
        cmocka_unit_test(test_negotiate),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
