/*
 * Unit tests of src/base/: the arena (alignment, zeroing, cap, large blocks), the buffer and its
 * escapers (HTML, URL, JSON), UTF-8 validation, the error registry and the settings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/err.h"
#include "base/util.h"

#include <stdio.h>
#include <unistd.h>

static void
test_arena(void **state)
{
    (void)state;
    struct noaber_arena *a = noaber_arena_new(1 << 20);
    for (int i = 1; i < 2000; i += 37) {
        unsigned char *p = noaber_arena_alloc(a, (size_t)i);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        for (int k = 0; k < i; k++)
            assert_int_equal(p[k], 0);
        memset(p, 0xab, (size_t)i);
    }
    char *big = noaber_arena_alloc(a, 100000); /* its own chunk */
    assert_non_null(big);
    char *s = noaber_arena_printf(a, "%s-%d", "x", 42);
    assert_string_equal(s, "x-42");
    assert_string_equal(noaber_arena_strndup(a, "abcdef", 3), "abc");
    assert_null(noaber_arena_strdup(a, NULL));
    assert_false(noaber_arena_overflowed(a));
    /* Past the cap: refused, remembered, and later small requests are refused too. */
    assert_null(noaber_arena_alloc(a, 2 << 20));
    assert_true(noaber_arena_overflowed(a));
    assert_null(noaber_arena_alloc(a, 8));
    noaber_arena_free(a);
}

static void
test_buf_escape(void **state)
{
    (void)state;
    struct noaber_arena *a = noaber_arena_new(0);
    struct noaber_buf b;
    noaber_buf_init(&b, a);
    noaber_buf_html(&b, "<script>alert('x') & \"y\"</script>");
    assert_string_equal(noaber_buf_str(&b),
                        "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;");
    noaber_buf_reset(&b);
    noaber_buf_urlenc(&b, "a b/c?d=é");
    assert_string_equal(noaber_buf_str(&b), "a%20b%2Fc%3Fd%3D%C3%A9");
    noaber_buf_reset(&b);
    noaber_buf_json_str(&b, "q\"\\\n</script>\x01");
    assert_string_equal(noaber_buf_str(&b), "\"q\\\"\\\\\\n\\u003c/script>\\u0001\"");
    for (int i = 0; i < 10000; i++)
        noaber_buf_printf(&b, "%d,", i);
    assert_false(b.failed);
    noaber_arena_free(a);
    /* A capped arena: the buffer fails once and stays failed. */
    a = noaber_arena_new(1024);
    noaber_buf_init(&b, a);
    for (int i = 0; i < 1000; i++)
        noaber_buf_puts(&b, "0123456789");
    assert_true(b.failed);
    noaber_arena_free(a);
}

static void
test_utf8(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int ok;
    } cases[] = {
        {"plain", 1},        {"caf\xc3\xa9", 1},
        {"\xe2\x82\xac", 1}, {"\xf0\x9f\x98\x80", 1},
        {"\xc3", 0},         {"\xc0\xaf", 0},                         /* overlong */
        {"\xed\xa0\x80", 0}, /* surrogate */ {"\xf4\x90\x80\x80", 0}, /* > U+10FFFF */
        {"\xff", 0},         {"a\x80", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(noaber_utf8_valid(cases[i].s, strlen(cases[i].s)), cases[i].ok);
    assert_false(noaber_utf8_valid("a\0b", 3));
    assert_int_equal(noaber_utf8_len("caf\xc3\xa9"), 4);
}

static void
test_err_registry(void **state)
{
    (void)state;
    for (int e = 0; e < NOABER_E__MAX; e++) {
        int st = noaber_err_status((enum noaber_err)e);
        assert_true(st >= 200 && st < 600);
        assert_true(strlen(noaber_err_msg((enum noaber_err)e, NOABER_LANG_NL)) > 3);
        assert_true(strlen(noaber_err_msg((enum noaber_err)e, NOABER_LANG_EN)) > 3);
        assert_true(strlen(noaber_err_name((enum noaber_err)e)) > 1);
    }
    assert_int_equal(noaber_err_status(NOABER_E_CSRF), 403);
    assert_int_equal(noaber_err_status(NOABER_E_RATE_LIMITED), 429);
    assert_string_equal(noaber_err_name(NOABER_E_NOT_FOUND), "NOT_FOUND");
    assert_true(noaber_err_is_ours(NOABER_E_DB));
    assert_false(noaber_err_is_ours(NOABER_E_INVALID));
    assert_non_null(strstr(noaber_err_msg(NOABER_E_RATE_LIMITED, NOABER_LANG_NL),
                           "Te veel pogingen, probeer het over %d minuten opnieuw"));
}

static void
test_config(void **state)
{
    (void)state;
    struct noaber_config c;
    noaber_config_defaults(&c);
    assert_string_equal(c.listen, "127.0.0.1:8080");
    assert_false(noaber_config_secure(&c));
    assert_int_equal(noaber_config_set(&c, "public_url", "https://buurt.example.nl"), 0);
    assert_true(noaber_config_secure(&c));
    assert_int_equal(noaber_config_set(&c, "threads", "0"), -1);
    assert_int_equal(noaber_config_set(&c, "threads", "8"), 0);
    assert_int_equal(c.threads, 8);
    assert_int_equal(noaber_config_set(&c, "nonsense", "1"), -1);
    assert_int_equal(noaber_config_set(&c, "smtp_tls", "maybe"), -1);
    assert_int_equal(noaber_config_set(&c, "trusted_proxies", "10.0.0.1, 127.0.0.1"), 0);
    assert_true(noaber_config_trusts(&c, "127.0.0.1"));
    assert_false(noaber_config_trusts(&c, "127.0.0.2"));
    assert_false(noaber_config_trusts(&c, "10.0.0.11"));

    char path[] = "/tmp/noaber-config-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "# a comment\nlisten = 0.0.0.0:9000\n\nsession_days=30 # trailing\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    char err[256];
    assert_int_equal(noaber_config_load_file(&c, path, err, sizeof err), 0);
    assert_string_equal(c.listen, "0.0.0.0:9000");
    assert_int_equal(c.session_days, 30);
    setenv("NOABER_LISTEN", "127.0.0.1:7000", 1);
    assert_int_equal(noaber_config_load_env(&c, err, sizeof err), 0);
    assert_string_equal(c.listen, "127.0.0.1:7000");
    unsetenv("NOABER_LISTEN");
    FILE *f = fopen(path, "w");
    fputs("bogus line\n", f);
    fclose(f);
    assert_int_equal(noaber_config_load_file(&c, path, err, sizeof err), -1);
    assert_non_null(strstr(err, ":1:"));
    unlink(path);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena),  cmocka_unit_test(test_buf_escape),
        cmocka_unit_test(test_utf8),   cmocka_unit_test(test_err_registry),
        cmocka_unit_test(test_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
