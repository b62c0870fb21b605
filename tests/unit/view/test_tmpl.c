/*
 * Tests of the template engine (src/view/tmpl.c): escaping, URLs, sections, context look-up,
 * partials from templates/_test/, translations with placeholders and plurals, parse errors with
 * their line numbers, and the arena cap. Each test parses its template from a string with
 * noaber_tmpl_parse(), or renders an embedded fixture through the registry.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/buf.h"
#include "view/i18n.h"
#include "view/tmpl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *
ctx_of(const char *json)
{
    if (!json)
        return NULL;
    json_error_t je;
    json_t *ctx = json_loads(json, JSON_DECODE_ANY, &je);
    if (!ctx)
        fail_msg("bad JSON in test: %s: %s", json, je.text);
    return ctx;
}

/* Renders SRC with the context JSON in CAT; returns a heap copy of the output. */
static char *
render_cat(const char *src, const char *json, const struct noaber_catalog *cat,
           enum noaber_err want_err)
{
    char err[256];
    struct noaber_tmpl *t = noaber_tmpl_parse("test", src, strlen(src), err, sizeof err);
    if (!t)
        fail_msg("parse error: %s", err);
    json_t *ctx = ctx_of(json);
    struct noaber_buf b;
    noaber_buf_init(&b, NULL);
    enum noaber_err e = noaber_tmpl_exec(t, ctx, cat, &b);
    assert_int_equal(e, want_err);
    char *out = noaber_xstrdup(noaber_buf_str(&b));
    noaber_buf_release(&b);
    json_decref(ctx);
    noaber_tmpl_free(t);
    return out;
}

#define assert_renders(src, json, want)                                                            \
    do {                                                                                           \
        char *got_ = render_cat(src, json, NULL, NOABER_OK);                                       \
        assert_string_equal(got_, want);                                                           \
        free(got_);                                                                                \
    } while (0)

static char *
render_named(const char *name, const char *json, const struct noaber_catalog *cat)
{
    json_t *ctx = ctx_of(json);
    struct noaber_buf b;
    noaber_buf_init(&b, NULL);
    assert_int_equal(noaber_tmpl_render(name, ctx, cat, &b), NOABER_OK);
    char *out = noaber_xstrdup(noaber_buf_str(&b));
    noaber_buf_release(&b);
    json_decref(ctx);
    return out;
}

static int
setup(void **state)
{
    (void)state;
    return noaber_tmpl_init() || noaber_i18n_init();
}

static int
teardown(void **state)
{
    (void)state;
    noaber_tmpl_shutdown();
    noaber_i18n_shutdown();
    return 0;
}

static void
test_escapes_every_special_character(void **state)
{
    (void)state;
    assert_renders(
        "<p>{{v}}</p>", "{\"v\": \"<a href=\\\"x\\\" title='y'>Tom & Jerry</a>\"}",
        "<p>&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;Tom &amp; Jerry&lt;/a&gt;</p>");
    assert_renders("{{v}}", "{\"v\": \"&amp;\"}", "&amp;amp;");
    assert_renders("{{v}}", "{\"v\": \"plain text, é ü ñ\"}", "plain text, é ü ñ");
    /* in a quoted attribute neither kind of quote can break out */
    assert_renders("<input value=\"{{v}}\" alt='{{v}}'>", "{\"v\": \"\\\" onfocus='x\"}",
                   "<input value=\"&quot; onfocus=&#39;x\" alt='&quot; onfocus=&#39;x'>");
}

static void
test_value_kinds(void **state)
{
    (void)state;
    const char *ctx = "{\"s\": \"x\", \"i\": -42, \"big\": 9007199254740993, \"r\": 2.5, "
                      "\"t\": true, \"f\": false, \"n\": null, \"a\": [1], \"o\": {\"k\": 1}}";
    assert_renders("[{{s}}|{{i}}|{{big}}|{{r}}|{{t}}|{{f}}|{{n}}|{{missing}}|{{a}}|{{o}}]", ctx,
                   "[x|-42|9007199254740993|2.5|true|||||]");
    assert_renders("{{ s }}{{\ts\n}}", ctx, "xx");
    assert_renders("no tags at all", NULL, "no tags at all");
    assert_renders("{{missing}}", NULL, "");
    assert_renders("a } b { c }} d", NULL, "a } b { c }} d");
    assert_renders("{{! a comment with {{ braces and \"quotes\" }}after", NULL, "after");
}

static void
test_raw_html(void **state)
{
    (void)state;
    assert_renders("<div>{{raw_html body}}</div>", "{\"body\": \"<p>Hi &amp; bye</p>\"}",
                   "<div><p>Hi &amp; bye</p></div>");
    assert_renders("{{ raw_html  body }}", "{\"body\": 7}", "7");
    /* alone, the keywords are ordinary values with those names, escaped */
    assert_renders("{{url}} {{ raw_html }}", "{\"url\": \"<a>\", \"raw_html\": \"<b>\"}",
                   "&lt;a&gt; &lt;b&gt;");
    char *got = render_named("_test/layout", "{\"body\": \"<h1>x</h1>\"}", NULL);
    assert_string_equal(got, "<main><h1>x</h1></main>");
    free(got);
}

static void
test_url_allows_safe_urls(void **state)
{
    (void)state;
    static const char *const ok[][2] = {
        {"/events/12?tab=info&x=1", "/events/12?tab=info&amp;x=1"},
        {"?page=2", "?page=2"},
        {"#main", "#main"},
        {"", ""},
        {"page.html", "page.html"},
        {"../up/one", "../up/one"},
        {"/path:with:colons", "/path:with:colons"},
        {"a/b:c", "a/b:c"},
        {"x?y=javascript:1", "x?y=javascript:1"},
        {"http://example.org/", "http://example.org/"},
        {"HTTPS://example.org/a\"b", "HTTPS://example.org/a&quot;b"},
        {"mailto:info@buurt.nl", "mailto:info@buurt.nl"},
        {"tel:+31201234567", "tel:+31201234567"},
        {"//example.org/x", "//example.org/x"},
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        json_t *ctx = json_pack("{ss}", "u", ok[i][0]);
        char *json = json_dumps(ctx, 0);
        char *got = render_cat("<a href=\"{{url u}}\">", json, NULL, NOABER_OK);
        char want[256];
        snprintf(want, sizeof want, "<a href=\"%s\">", ok[i][1]);
        assert_string_equal(got, want);
        free(got);
        free(json);
        json_decref(ctx);
    }
}

static void
test_url_refuses_dangerous_schemes(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "\tjavascript:alert(1)",
        "\x01javascript:alert(1)",
        "java\nscript:alert(1)",
        "java\tscript:alert(1)",
        "javascript&colon;alert(1):x",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "data:image/png;base64,iVBOR",
        "file:///etc/passwd",
        "ftp://example.org",
        "foo:bar",
        "\xe2\x80\x8bjavascript:alert(1)",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        json_t *ctx = json_pack("{ss}", "u", bad[i]);
        char *json = json_dumps(ctx, 0);
        char *got = render_cat("<a href=\"{{url u}}\">", json, NULL, NOABER_OK);
        if (strcmp(got, "<a href=\"#\">") != 0)
            fail_msg("url %zu (%s) gave %s", i, bad[i], got);
        free(got);
        free(json);
        json_decref(ctx);
    }
    /* images may carry data:image URLs, links may not */
    const char *png = "data:image/png;base64,iVBOR";
    assert_true(noaber_url_allowed(png, strlen(png), 1));
    assert_false(noaber_url_allowed(png, strlen(png), 0));
    const char *svg = "data:image/svg+xml;base64,PHN2Zz4=";
    assert_false(noaber_url_allowed(svg, strlen(svg), 1));
    const char *jpeg = "DATA:IMAGE/JPEG,xyz";
    assert_true(noaber_url_allowed(jpeg, strlen(jpeg), 1));
    assert_false(noaber_url_allowed("data:image/png", 14, 1));
}

static void
test_section_over_array(void **state)
{
    (void)state;
    const char *ctx = "{\"items\": [{\"name\": \"a\"}, {\"name\": \"b\"}, {\"name\": \"c\"}], "
                      "\"tags\": [\"x\", \"<y>\", 3], \"none\": []}";
    assert_renders("{{#items}}{{@index}}/{{@number}}={{name}}{{#@first}}F{{/@first}}"
                   "{{#@last}}L{{/@last}}{{^@last}}, {{/@last}}{{/items}}",
                   ctx, "0/1=aF, 1/2=b, 2/3=cL");
    assert_renders("{{#tags}}[{{.}}]{{/tags}}", ctx, "[x][&lt;y&gt;][3]");
    assert_renders("{{#none}}never{{/none}}{{^none}}empty{{/none}}", ctx, "empty");
    assert_renders("{{^items}}never{{/items}}", ctx, "");
    /* @index belongs to the innermost array, through an object section */
    assert_renders("{{#rows}}{{#cell}}{{@index}}{{v}}{{/cell}}{{/rows}}",
                   "{\"rows\": [{\"cell\": {\"v\": \"a\"}}, {\"cell\": {\"v\": \"b\"}}]}", "0a1b");
    assert_renders("{{#outer}}{{#inner}}{{@index}}{{/inner}};{{/outer}}",
                   "{\"outer\": [{\"inner\": [1, 2]}, {\"inner\": [3]}]}", "01;0;");
    assert_renders("{{@index}}{{#@first}}x{{/@first}}", "{}", "");
}

static void
test_section_over_object_and_scalars(void **state)
{
    (void)state;
    assert_renders("{{#user}}{{name}} in {{city}}{{/user}}",
                   "{\"user\": {\"name\": \"Ans\"}, \"city\": \"Zwolle\"}", "Ans in Zwolle");
    static const struct {
        const char *v, *want;
    } cases[] = {
        {"true", "Y"}, {"false", "N"}, {"null", "N"}, {"\"\"", "N"},      {"\"x\"", "Y"},
        {"0", "N"},    {"1", "Y"},     {"-3", "Y"},   {"0.0", "N"},       {"2.5", "Y"},
        {"[]", "N"},   {"[0]", "Y"},   {"{}", "Y"},   {"{\"a\":0}", "Y"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char json[64];
        snprintf(json, sizeof json, "{\"v\": %s}", cases[i].v);
        char *got = render_cat("{{#v}}Y{{/v}}{{^v}}N{{/v}}", json, NULL, NOABER_OK);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("section over %s gave %s", cases[i].v, got);
        free(got);
    }
    assert_renders("{{#v}}Y{{/v}}{{^v}}N{{/v}}", "{}", "N");
    /* a scalar section pushes nothing: "." is still the object around it */
    assert_renders("{{#items}}{{#flag}}{{name}}{{/flag}}{{/items}}",
                   "{\"items\": [{\"name\": \"p\", \"flag\": \"yes\"}, {\"name\": \"q\"}]}", "p");
    assert_renders("{{#s}}[{{.}}]{{/s}}", "[\"outer\"]", "");
    assert_renders("{{#list}}{{#.}}<{{.}}>{{/.}}{{/list}}", "{\"list\": [\"a\", \"\", \"b\"]}",
                   "<a><b>");
}

static void
test_context_lookup(void **state)
{
    (void)state;
    const char *ctx = "{\"x\": \"root\", \"a\": {\"b\": {\"c\": \"deep\", \"x\": \"inner\"}}, "
                      "\"list\": [\"zero\", \"one\"], \"grid\": [[1, 2], [3, 4]]}";
    assert_renders("{{a.b.c}}|{{a.b.missing}}|{{a.missing.c}}|{{list.1}}|{{list.7}}|{{grid.1.0}}",
                   ctx, "deep|||one||3");
    assert_renders("{{#a}}{{#b}}{{x}}/{{c}}{{/b}}{{x}}{{/a}}", ctx, "inner/deeproot");
    assert_renders("{{list.x}}{{x.y}}", ctx, "");
    /* Mustache rule: the first frame with the first segment wins, even if the rest is missing */
    assert_renders("{{#inner}}[{{a.b}}]{{/inner}}",
                   "{\"a\": {\"b\": \"outer\"}, \"inner\": {\"a\": {}}}", "[]");
    assert_renders("{{#inner}}[{{a.b}}]{{/inner}}",
                   "{\"a\": {\"b\": \"outer\"}, \"inner\": {\"c\": 1}}", "[outer]");
    assert_renders("[{{.}}]", "{\"k\": 1}", "[]");
    assert_renders("[{{.}}]", "\"top\"", "[top]");
    assert_renders("[{{name}}]", "[1, 2]", "[]");
}

static void
test_partials(void **state)
{
    (void)state;
    assert_true(noaber_tmpl_exists("_test/card"));
    assert_false(noaber_tmpl_exists("_test/nope"));
    assert_false(noaber_tmpl_exists("_test"));
    assert_false(noaber_tmpl_exists("templates/_test/card.html"));
    assert_renders("{{#people}}{{> _test/card}}{{/people}}",
                   "{\"people\": [{\"name\": \"A&B\"}, {\"name\": \"C\"}]}",
                   "<b>A&amp;B</b><b>C</b>");
    assert_renders("{{ >  _test/card }}", "{\"name\": \"x\"}", "<b>x</b>");
    /* data-driven recursion is fine within the depth limit */
    char *tree = render_named(
        "_test/tree",
        "{\"name\": \"1\", \"children\": [{\"name\": \"1.1\", \"children\": [{\"name\": "
        "\"1.1.1\", \"children\": []}]}, {\"name\": \"1.2\", \"children\": false}]}",
        NULL);
    assert_string_equal(tree, "<li>1<ul><li>1.1<ul><li>1.1.1</li></ul></li><li>1.2</li></ul></li>");
    free(tree);
    /* endless recursion stops with an error at depth 16 */
    struct noaber_buf b;
    noaber_buf_init(&b, NULL);
    assert_int_equal(noaber_tmpl_render("_test/loop", NULL, NULL, &b), NOABER_E_INTERNAL);
    noaber_buf_release(&b);
    char *got = render_cat("before{{> _test/missing}}", NULL, NULL, NOABER_E_NOT_FOUND);
    free(got);
    assert_int_equal(noaber_tmpl_render("_test/nope", NULL, NULL, &b), NOABER_E_NOT_FOUND);
    noaber_buf_release(&b);
}

static void
test_partial_depth_limit_is_exact(void **state)
{
    (void)state;
    /* _test/tree nests one partial per level: 16 levels from the top render, 17 do not */
    for (int levels = 16; levels <= 17; levels++) {
        /* a leaf says it has no children: else {{#children}} would find its parent's */
        json_t *node = json_pack("{sss[]}", "name", "leaf", "children");
        for (int i = 1; i < levels; i++)
            node = json_pack("{sss[o]}", "name", "n", "children", node);
        struct noaber_buf b;
        noaber_buf_init(&b, NULL);
        char err[128];
        struct noaber_tmpl *t = noaber_tmpl_parse("top", "{{> _test/tree}}", 16, err, sizeof err);
        assert_non_null(t);
        assert_int_equal(noaber_tmpl_exec(t, node, NULL, &b),
                         levels <= 16 ? NOABER_OK : NOABER_E_INTERNAL);
        noaber_tmpl_free(t);
        noaber_buf_release(&b);
        json_decref(node);
    }
}

static void
test_translations_in_templates(void **state)
{
    (void)state;
    const struct noaber_catalog *nl = noaber_i18n_catalog("nl"), *en = noaber_i18n_catalog("en");
    assert_non_null(nl);
    assert_non_null(en);
    const char *one = "{\"name\": \"Fatima <3\", \"count\": 1}";
    const char *five = "{\"name\": \"Fatima\", \"count\": 5}";
    char *got = render_named("_test/i18n", one, nl);
    assert_string_equal(got, "<p>Hallo, Fatima &lt;3!</p><p>Je hebt één nieuw bericht.</p>");
    free(got);
    got = render_named("_test/i18n", five, nl);
    assert_string_equal(got, "<p>Hallo, Fatima!</p><p>Je hebt 5 nieuwe berichten.</p>");
    free(got);
    got = render_named("_test/i18n", "{\"name\": \"Jan\", \"count\": 0}", nl);
    assert_string_equal(got, "<p>Hallo, Jan!</p><p>Je hebt 0 nieuwe berichten.</p>");
    free(got);
    /* en.po leaves msgstr empty: the msgid, with the English plural rule */
    got = render_named("_test/i18n", one, en);
    assert_string_equal(got, "<p>Hello, Fatima &lt;3!</p><p>You have one new message.</p>");
    free(got);
    got = render_named("_test/i18n", five, NULL);
    assert_string_equal(got, "<p>Hello, Fatima!</p><p>You have 5 new messages.</p>");
    free(got);
    /* placeholders may move in the translation, and reach into objects */
    got = render_named("_test/places", "{\"link\": \"javascript:x\", \"count\": 3, \"total\": 20}",
                       nl);
    assert_string_equal(got, "<a href=\"#\">Open de pagina</a> (Nog 3 van de 20 plaatsen vrij)");
    free(got);
}

static void
test_translation_placeholders(void **state)
{
    (void)state;
    /* without a catalogue the msgid is the text; it is escaped as a whole */
    assert_renders("{{_ \"a < b & {x} > \\\"c\\\"\"}}", "{\"x\": \"<i>\"}",
                   "a &lt; b &amp; &lt;i&gt; &gt; &quot;c&quot;");
    assert_renders("{{_ \"{user.name} ({user.age})\"}}",
                   "{\"user\": {\"name\": \"Els\", \"age\": 81}}", "Els (81)");
    assert_renders("{{_ \"{ not one} {} {a b} {{x}} {x\"}}", "{\"x\": 1}",
                   "{ not one} {} {a b} {1} {x");
    assert_renders("{{#items}}{{_ \"{@number}. {name}\"}} {{/items}}",
                   "{\"items\": [{\"name\": \"a\"}, {\"name\": \"b\"}]}", "1. a 2. b ");
    assert_renders("{{_n \"{n} day\" \"{n} days\" n}}", "{\"n\": 1}", "1 day");
    assert_renders("{{_n \"{n} day\" \"{n} days\" n}}", "{\"n\": -1}", "-1 day");
    assert_renders("{{_n \"{n} day\" \"{n} days\" n}}", "{\"n\": 2.0}", "2 days");
    assert_renders("{{_n \"{n} day\" \"{n} days\" n}}", "{\"n\": \"1\"}", "1 days");
    assert_renders("{{_n \"one\" \"many\" missing}}", NULL, "many");
    assert_renders("{{ _  \"spaced\"  }}{{_\"tight\"}}", NULL, "spacedtight");
    assert_renders("{{_ \"tab\\there\\nnewline \\\\ back\"}}", NULL, "tab\there\nnewline \\ back");
}

static void
test_arabic_plurals_in_template(void **state)
{
    (void)state;
    static const char po[] = "msgid \"\"\n"
                             "msgstr \"\"\n"
                             "\"Language: ar\\n\"\n"
                             "\"Plural-Forms: nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : "
                             "n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);\\n\"\n"
                             "\n"
                             "msgid \"You have one new message.\"\n"
                             "msgid_plural \"You have {count} new messages.\"\n"
                             "msgstr[0] \"ليس لديك رسائل جديدة.\"\n"
                             "msgstr[1] \"لديك رسالة جديدة واحدة.\"\n"
                             "msgstr[2] \"لديك رسالتان جديدتان.\"\n"
                             "msgstr[3] \"لديك {count} رسائل جديدة.\"\n"
                             "msgstr[4] \"لديك {count} رسالة جديدة.\"\n"
                             "msgstr[5] \"لديك {count} رسالة جديدة!\"\n";
    char err[128];
    struct noaber_catalog *ar = noaber_po_parse(po, sizeof po - 1, err, sizeof err);
    if (!ar)
        fail_msg("%s", err);
    assert_true(noaber_i18n_rtl(ar));
    static const struct {
        int n;
        const char *want;
    } cases[] = {
        {0, "ليس لديك رسائل جديدة."},   {1, "لديك رسالة جديدة واحدة."},
        {2, "لديك رسالتان جديدتان."},   {3, "لديك 3 رسائل جديدة."},
        {10, "لديك 10 رسائل جديدة."},   {11, "لديك 11 رسالة جديدة."},
        {99, "لديك 99 رسالة جديدة."},   {100, "لديك 100 رسالة جديدة!"},
        {102, "لديك 102 رسالة جديدة!"}, {103, "لديك 103 رسائل جديدة."},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char json[64], want[256];
        snprintf(json, sizeof json, "{\"name\": \"x\", \"count\": %d}", cases[i].n);
        snprintf(want, sizeof want, "<p>Hello, x!</p><p>%s</p>", cases[i].want);
        char *got = render_named("_test/i18n", json, ar);
        assert_string_equal(got, want);
        free(got);
    }
    noaber_catalog_free(ar);
}

static void
check_parse_error(const char *src, const char *want)
{
    char err[256];
    struct noaber_tmpl *t = noaber_tmpl_parse("members/x", src, strlen(src), err, sizeof err);
    if (t) {
        noaber_tmpl_free(t);
        fail_msg("'%s' parsed, expected error %s", src, want);
    }
    if (strncmp(err, want, strlen(want)) != 0)
        fail_msg("'%s': error '%s', expected '%s…'", src, err, want);
}

static void
test_parse_errors_name_the_line(void **state)
{
    (void)state;
    check_parse_error("a\n{{#items}}\nb\n", "members/x:2: unclosed section 'items'");
    check_parse_error("{{#a}}\n{{#b}}\n{{/a}}", "members/x:3: 'a' closes 'b' opened on line 2");
    check_parse_error("x\n{{/a}}", "members/x:2: closing 'a' without an open section");
    check_parse_error("x\n\n{{{raw}}}", "members/x:3: {{{ does not exist");
    check_parse_error("{{&raw}}", "members/x:1: {{& does not exist");
    check_parse_error("\n{{_ \"abc}}", "members/x:2: unterminated string");
    check_parse_error("{{_ \"abc\ndef\"}}", "members/x:1: unterminated string");
    check_parse_error("{{_ \"a\\qb\"}}", "members/x:1: unknown escape '\\q'");
    check_parse_error("{{_ abc}}", "members/x:1: expected a string");
    check_parse_error("{{_n \"a\" \"b\"}}", "members/x:1: {{_n needs a path");
    check_parse_error("text {{name", "members/x:1: unterminated tag");
    check_parse_error("{{name}", "members/x:1: unterminated tag");
    check_parse_error("{{", "members/x:1: unterminated tag");
    check_parse_error("{{}}", "members/x:1: empty tag");
    check_parse_error("{{ a b }}", "members/x:1: unexpected 'b'");
    check_parse_error("{{%x}}", "members/x:1: unknown tag form starting with '%'");
    check_parse_error("{{#a..b}}{{/a..b}}", "members/x:1: 'a..b' is not a valid path");
    check_parse_error("{{a/b}}", "members/x:1: 'a/b' is not a valid path");
    check_parse_error("{{@nope}}", "members/x:1: '@nope' is not a valid path");
    check_parse_error("{{.a}}", "members/x:1: '.a' is not a valid path");
    check_parse_error("{{url \"x\"}}", "members/x:1: url needs a path");
    check_parse_error("{{raw_html <}}", "members/x:1: raw_html needs a path");
    check_parse_error("{{url a.}}", "members/x:1: 'a.' is not a valid path");
    check_parse_error("{{> }}", "members/x:1: {{> needs a template name");
    check_parse_error("{{> ../etc}}", "members/x:1: {{> needs a template name");
    check_parse_error("{{! never closed", "members/x:1: unterminated comment");
    /* lines are counted through multi-line comments and tags */
    check_parse_error("{{!\n\n}}\n{{\n#x\n}}", "members/x:4: unclosed section 'x'");
    /* nesting is bounded */
    char deep[64 * 7 + 64 * 7 + 16] = "";
    for (int i = 0; i < 65; i++)
        strcat(deep, "{{#a}}");
    check_parse_error(deep, "members/x:1: sections nested deeper than 64");
}

static void
test_nul_byte_is_rejected(void **state)
{
    (void)state;
    char err[128];
    assert_null(noaber_tmpl_parse("t", "a\0b", 3, err, sizeof err));
    assert_string_equal(err, "t:1: template contains a NUL byte");
    /* a template need not be NUL-terminated */
    struct noaber_tmpl *t = noaber_tmpl_parse("t", "{{x}}garbage", 5, err, sizeof err);
    assert_non_null(t);
    noaber_tmpl_free(t);
}

static void
count_msgid(void *ud, const char *msgid, const char *plural, unsigned line)
{
    char *acc = ud;
    char item[128];
    snprintf(item, sizeof item, "%u:%s|%s;", line, msgid, plural ? plural : "-");
    strcat(acc, item);
}

static void
test_each_msgid(void **state)
{
    (void)state;
    const char *src = "{{_ \"One\"}}\n{{#x}}{{_n \"a \\\"b\\\"\" \"c\" n}}{{/x}}\n{{_ \"Two\"}}";
    char err[128], acc[256] = "";
    struct noaber_tmpl *t = noaber_tmpl_parse("t", src, strlen(src), err, sizeof err);
    assert_non_null(t);
    noaber_tmpl_each_msgid(t, count_msgid, acc);
    assert_string_equal(acc, "1:One|-;2:a \"b\"|c;3:Two|-;");
    noaber_tmpl_free(t);
}

static void
test_arena_cap_gives_too_large(void **state)
{
    (void)state;
    struct noaber_arena *a = noaber_arena_new(4096);
    struct noaber_buf b;
    noaber_buf_init(&b, a);
    json_t *ctx = json_array();
    for (int i = 0; i < 2000; i++)
        json_array_append_new(ctx, json_string("0123456789"));
    json_t *root = json_pack("{so}", "xs", ctx);
    char err[64];
    struct noaber_tmpl *t = noaber_tmpl_parse("t", "{{#xs}}<{{.}}>{{/xs}}", 21, err, sizeof err);
    assert_non_null(t);
    assert_int_equal(noaber_tmpl_exec(t, root, NULL, &b), NOABER_E_TOO_LARGE);
    noaber_tmpl_free(t);
    json_decref(root);
    noaber_arena_free(a);
}

static void
test_runaway_loops_stop(void **state)
{
    (void)state;
    /* 40 nested sections over a two-element array would visit 2^40 nodes */
    char src[40 * 12 + 1] = "";
    for (int i = 0; i < 40; i++)
        strcat(src, "{{#a}}");
    for (int i = 0; i < 40; i++)
        strcat(src, "{{/a}}");
    char *got = render_cat(src, "{\"a\": [1, 2]}", NULL, NOABER_E_TOO_LARGE);
    free(got);
}

static void
test_init_is_idempotent(void **state)
{
    (void)state;
    assert_int_equal(noaber_tmpl_init(), 0);
    assert_true(noaber_tmpl_exists("_test/card"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escapes_every_special_character),
        cmocka_unit_test(test_value_kinds),
        cmocka_unit_test(test_raw_html),
        cmocka_unit_test(test_url_allows_safe_urls),
        cmocka_unit_test(test_url_refuses_dangerous_schemes),
        cmocka_unit_test(test_section_over_array),
        cmocka_unit_test(test_section_over_object_and_scalars),
        cmocka_unit_test(test_context_lookup),
        cmocka_unit_test(test_partials),
        cmocka_unit_test(test_partial_depth_limit_is_exact),
        cmocka_unit_test(test_translations_in_templates),
        cmocka_unit_test(test_translation_placeholders),
        cmocka_unit_test(test_arabic_plurals_in_template),
        cmocka_unit_test(test_parse_errors_name_the_line),
        cmocka_unit_test(test_nul_byte_is_rejected),
        cmocka_unit_test(test_each_msgid),
        cmocka_unit_test(test_arena_cap_gives_too_large),
        cmocka_unit_test(test_runaway_loops_stop),
        cmocka_unit_test(test_init_is_idempotent),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
