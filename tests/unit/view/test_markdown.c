/*
 * Tests of Markdown rendering (src/view/markdown.c): ordinary Markdown comes out as HTML, and
 * nothing a hostile author writes comes out as a script, an event-handler attribute or a
 * dangerous URL. The checks read the output as HTML: every tag is inspected for "on…="
 * attributes and every href and src value must pass the same whitelist as {{url }}.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/buf.h"
#include "view/markdown.h"
#include "view/tmpl.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char *
md(const char *src)
{
    struct noaber_buf b;
    noaber_buf_init(&b, NULL);
    assert_int_equal(noaber_markdown_html(src, &b), NOABER_OK);
    char *out = noaber_xstrdup(noaber_buf_str(&b));
    noaber_buf_release(&b);
    return out;
}

static void
assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("expected '%s' in:\n%s", needle, hay);
}

/* Decodes the few entities cmark writes in attributes, so the check sees what a browser does. */
static void
attr_decode(const char *s, size_t n, char *out, size_t outn)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < outn; i++) {
        if (s[i] == '&' && strncmp(s + i, "&amp;", 5) == 0)
            out[o++] = '&', i += 4;
        else if (s[i] == '&' && strncmp(s + i, "&quot;", 6) == 0)
            out[o++] = '"', i += 5;
        else
            out[o++] = s[i];
    }
    out[o] = '\0';
}

/* Reads the attributes of the tag whose name starts at NAME (the tag ends at END) as a browser
 * would: name, then optionally = and a quoted or unquoted value. */
static void
check_attributes(const char *src, const char *html, const char *name, const char *end)
{
    const char *a = name;
    while (a < end && !isspace((unsigned char)*a) && *a != '/')
        a++;
    while (a < end) {
        while (a < end && (isspace((unsigned char)*a) || *a == '/'))
            a++;
        const char *an = a;
        while (a < end && !isspace((unsigned char)*a) && *a != '=' && *a != '/')
            a++;
        size_t anl = (size_t)(a - an);
        const char *v = "", *ve = v;
        if (a < end && *a == '=') {
            a++;
            if (*a == '"' || *a == '\'') {
                char q = *a++;
                v = a;
                while (a < end && *a != q)
                    a++;
                ve = a++;
            } else {
                v = a;
                while (a < end && !isspace((unsigned char)*a))
                    a++;
                ve = a;
            }
        }
        if (anl > 2 && strncasecmp(an, "on", 2) == 0)
            fail_msg("event attribute %.*s from %s:\n%s", (int)anl, an, src, html);
        if ((anl == 4 && strncasecmp(an, "href", 4) == 0) ||
            (anl == 3 && strncasecmp(an, "src", 3) == 0)) {
            char url[512];
            attr_decode(v, (size_t)(ve - v), url, sizeof url);
            if (!noaber_url_allowed(url, strlen(url), anl == 3))
                fail_msg("URL '%s' from %s:\n%s", url, src, html);
            if (strcasestr(url, "script:"))
                fail_msg("script URL '%s' from %s:\n%s", url, src, html);
        }
    }
}

/* Fails if any tag in HTML has an on* attribute, is a script/iframe/object/embed/style tag, or
 * has an href or src the URL whitelist refuses. */
static void
assert_harmless(const char *src, const char *html)
{
    static const char *const banned[] = {"script", "iframe", "object", "embed", "style", "svg",
                                         "math",   "form",   "base",   "meta",  "link"};
    for (const char *t = strchr(html, '<'); t; t = strchr(t + 1, '<')) {
        const char *end = strchr(t, '>');
        if (!end)
            fail_msg("unterminated tag for %s:\n%s", src, html);
        if (t[1] == '!') /* <!-- raw HTML omitted --> */
            continue;
        const char *name = t + 1 + (t[1] == '/');
        for (size_t i = 0; i < sizeof banned / sizeof *banned; i++) {
            size_t bl = strlen(banned[i]);
            if (strncasecmp(name, banned[i], bl) == 0 && !isalnum((unsigned char)name[bl]))
                fail_msg("tag <%s> from %s:\n%s", banned[i], src, html);
        }
        check_attributes(src, html, name, end);
    }
}

static void
test_markdown_basics(void **state)
{
    (void)state;
    char *h = md("# Buurtfeest\n\nOp *zaterdag* om **14:00**.\n\n- koffie\n- taart\n");
    assert_contains(h, "<h1>Buurtfeest</h1>");
    assert_contains(h, "<em>zaterdag</em>");
    assert_contains(h, "<strong>14:00</strong>");
    assert_contains(h, "<li>koffie</li>");
    free(h);
    h = md("a < b & c > \"d\"");
    assert_string_equal(h, "<p>a &lt; b &amp; c &gt; &quot;d&quot;</p>\n");
    free(h);
    h = md(NULL);
    assert_string_equal(h, "");
    free(h);
    h = md("`<script>alert(1)</script>`");
    assert_string_equal(h, "<p><code>&lt;script&gt;alert(1)&lt;/script&gt;</code></p>\n");
    free(h);
}

static void
test_markdown_keeps_safe_links(void **state)
{
    (void)state;
    char *h = md("[site](https://buurt.example/a?b=1&c=2) [mail](mailto:info@buurt.nl) "
                 "[tel](tel:+31201234567) [page](/events/3) [anchor](#top) "
                 "![logo](data:image/png;base64,iVBORw0KGgo=)");
    assert_contains(h, "<a href=\"https://buurt.example/a?b=1&amp;c=2\">site</a>");
    assert_contains(h, "<a href=\"mailto:info@buurt.nl\">mail</a>");
    assert_contains(h, "<a href=\"tel:+31201234567\">tel</a>");
    assert_contains(h, "<a href=\"/events/3\">page</a>");
    assert_contains(h, "<a href=\"#top\">anchor</a>");
    assert_contains(h, "<img src=\"data:image/png;base64,iVBORw0KGgo=\" alt=\"logo\" />");
    free(h);
}

static void
test_markdown_hostile_input(void **state)
{
    (void)state;
    static const char *const hostile[] = {
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        "text <script>alert(1)</script> inline",
        "<img src=x onerror=alert(1)>",
        "a <img src=x onerror=alert(1)> b",
        "<svg onload=alert(1)>",
        "<div onmouseover=\"alert(1)\">hover</div>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<iframe src=\"https://evil.example\"></iframe>",
        "<style>body{display:none}</style>",
        "[x](javascript:alert(1))",
        "[x](JAVASCRIPT:alert(1))",
        "[x](java&#115;cript:alert(1))",
        "[x](&#x20;javascript:alert(1))",
        "[x](<java\tscript:alert(1)>)",
        "[x](\x01javascript:alert(1))",
        "[x](  javascript:alert(1))",
        "<javascript:alert(1)>",
        "[x](vbscript:msgbox(1))",
        "[x](file:///etc/passwd)",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
        "![x](javascript:alert(1))",
        "[x][r]\n\n[r]: javascript:alert(1)",
        "[x](foo:bar)",
        "[x](https://ok.example \"title\\\" onmouseover=\\\"alert(1)\")",
        "![a\" onerror=\"alert(1)](https://ok.example/i.png)",
        "<!-- <script>alert(1)</script> -->",
        "<![CDATA[<script>alert(1)</script>]]>",
        "<?php echo 1; ?>",
        "<details open ontoggle=alert(1)>",
        "```html\n<script>alert(1)</script>\n```",
    };
    for (size_t i = 0; i < sizeof hostile / sizeof *hostile; i++) {
        char *h = md(hostile[i]);
        assert_harmless(hostile[i], h);
        free(h);
    }
}

static void
test_markdown_urls_are_emptied(void **state)
{
    (void)state;
    char *h = md("[x](foo:bar) [y](javascript:alert(1)) ![z](data:text/html,x)");
    assert_contains(h, "<a href=\"\">x</a>");
    assert_contains(h, "<a href=\"\">y</a>");
    assert_contains(h, "<img src=\"\" alt=\"z\" />");
    free(h);
}

static void
test_markdown_invalid_utf8_is_replaced(void **state)
{
    (void)state;
    char *h = md("caf\xe9 \xff\xfe ok");
    assert_contains(h, "\xef\xbf\xbd");
    assert_null(strstr(h, "\xff"));
    free(h);
}

static void
test_markdown_arena_cap(void **state)
{
    (void)state;
    struct noaber_arena *a = noaber_arena_new(1024);
    struct noaber_buf b;
    noaber_buf_init(&b, a);
    char *text = malloc(20001);
    memset(text, 'x', 20000);
    text[20000] = '\0';
    assert_int_equal(noaber_markdown_html(text, &b), NOABER_E_TOO_LARGE);
    free(text);
    noaber_arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_markdown_basics),
        cmocka_unit_test(test_markdown_keeps_safe_links),
        cmocka_unit_test(test_markdown_hostile_input),
        cmocka_unit_test(test_markdown_urls_are_emptied),
        cmocka_unit_test(test_markdown_invalid_utf8_is_replaced),
        cmocka_unit_test(test_markdown_arena_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
