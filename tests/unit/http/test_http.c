/*
 * Unit tests of src/http/ without a server: the router (literal beats parameter, 405 vs 404,
 * parameters, trailing slashes, HEAD), the form, multipart and cookie parsers on well-formed and
 * hostile input, and the input specs that fill plain structs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "base/arena.h"
#include "http/form.h"
#include "http/input.h"
#include "http/router.h"

static enum noaber_err
h_a(struct noaber_req *r)
{
    (void)r;
    return NOABER_OK;
}

static enum noaber_err
h_b(struct noaber_req *r)
{
    (void)r;
    return NOABER_OK;
}

static const struct noaber_route table1[] = {
    {NOABER_GET, "/", h_a, MEMBERS_A_PUBLIC},
    {NOABER_GET, "/n/{hood}", h_a, MEMBERS_A_HOOD_PUBLIC},
    {NOABER_GET, "/n/{hood}/members/{id}", h_a, MEMBERS_A_MEMBER_LIST},
    {NOABER_POST, "/n/{hood}/members", h_a, MEMBERS_A_MEMBER_CREATE},
    {0, NULL, NULL, 0},
};
static const struct noaber_route table2[] = {
    {NOABER_GET, "/n/new", h_b, MEMBERS_A_ADMIN},
    {0, NULL, NULL, 0},
};

static void
test_router(void **state)
{
    (void)state;
    const struct noaber_route *const tables[] = {table1, table2, NULL};
    struct noaber_router *rt = noaber_router_new(tables);
    struct noaber_arena *a = noaber_arena_new(0);
    const struct noaber_route *route;
    const char *names[NOABER_MAX_PARAMS] = {0}, *values[NOABER_MAX_PARAMS] = {0};
    assert_int_equal(noaber_router_count(rt), 5);
    assert_int_equal(noaber_router_match(rt, NOABER_GET, "/", a, &route, names, values),
                     NOABER_MATCH_OK);
    assert_ptr_equal(route, &table1[0]);
    assert_int_equal(noaber_router_match(rt, NOABER_GET, "/n/oost/", a, &route, names, values),
                     NOABER_MATCH_OK);
    assert_string_equal(names[0], "hood");
    assert_string_equal(values[0], "oost");
    assert_int_equal(noaber_router_match(rt, NOABER_HEAD, "/n/new", a, &route, names, values),
                     NOABER_MATCH_OK);
    assert_ptr_equal(route->handler, h_b); /* the literal wins, whatever the table order */
    assert_int_equal(
        noaber_router_match(rt, NOABER_GET, "/n/oost/members/42", a, &route, names, values),
        NOABER_MATCH_OK);
    assert_string_equal(values[1], "42");
    assert_int_equal(noaber_router_match(rt, NOABER_DELETE, "/n/oost", a, &route, names, values),
                     NOABER_MATCH_METHOD);
    assert_int_equal(noaber_router_match(rt, NOABER_GET, "/n/oost/x", a, &route, names, values),
                     NOABER_MATCH_NONE);
    assert_int_equal(noaber_router_match(rt, NOABER_GET, "/a/b/c/d/e/f/g/h/i/j/k/l/m/n", a, &route,
                                         names, values),
                     NOABER_MATCH_NONE);
    assert_int_equal(noaber_method_parse("PATCH"), NOABER_PATCH);
    assert_int_equal(noaber_method_parse("BREW"), NOABER_METHOD__MAX);
    noaber_arena_free(a);
    noaber_router_free(rt);
}

static void
test_urlencoded(void **state)
{
    (void)state;
    struct noaber_arena *a = noaber_arena_new(0);
    struct noaber_kv *kv;
    const char *body = "name=Jan+de+Vries&email=jan%40example.nl&empty=&flag&x=%3Cb%3E";
    assert_int_equal(noaber_form_urlencoded(a, body, strlen(body), &kv), NOABER_OK);
    assert_string_equal(noaber_kv_find(kv, "name")->value, "Jan de Vries");
    assert_string_equal(noaber_kv_find(kv, "email")->value, "jan@example.nl");
    assert_string_equal(noaber_kv_find(kv, "empty")->value, "");
    assert_string_equal(noaber_kv_find(kv, "flag")->value, "");
    assert_string_equal(noaber_kv_find(kv, "x")->value, "<b>");
    assert_null(noaber_kv_find(kv, "nope"));
    /* A truncated escape stays literal; %00 and invalid UTF-8 are refused. */
    assert_int_equal(noaber_form_urlencoded(a, "a=%4", 4, &kv), NOABER_OK);
    assert_string_equal(kv->value, "%4");
    assert_int_equal(noaber_form_urlencoded(a, "a=%00", 5, &kv), NOABER_E_BAD_ENCODING);
    assert_int_equal(noaber_form_urlencoded(a, "a=%C3%28", 8, &kv), NOABER_E_BAD_ENCODING);
    assert_int_equal(noaber_form_urlencoded(a, "a=\xff", 3, &kv), NOABER_E_BAD_ENCODING);
    /* Too many fields. */
    struct noaber_buf b;
    noaber_buf_init(&b, a);
    for (int i = 0; i < NOABER_FORM_MAX_FIELDS + 1; i++)
        noaber_buf_printf(&b, "f%d=1&", i);
    assert_int_equal(noaber_form_urlencoded(a, b.data, b.len, &kv), NOABER_E_TOO_LARGE);
    noaber_arena_free(a);
}

static void
test_multipart(void **state)
{
    (void)state;
    struct noaber_arena *a = noaber_arena_new(0);
    struct noaber_kv *kv;
    const char *ct = "multipart/form-data; boundary=XyZ";
    const char body[] = "--XyZ\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nRian\r\n"
                        "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
                        "filename=\"a.csv\"\r\nContent-Type: text/csv\r\n\r\nid\0,x\r\n"
                        "--XyZ--\r\n";
    assert_int_equal(noaber_form_multipart(a, ct, body, sizeof body - 1, &kv), NOABER_OK);
    assert_string_equal(noaber_kv_find(kv, "name")->value, "Rian");
    const struct noaber_kv *f = noaber_kv_find(kv, "file");
    assert_string_equal(f->filename, "a.csv");
    assert_string_equal(f->content_type, "text/csv");
    assert_int_equal(f->value_len, 5); /* binary content keeps its NUL */
    static const char *const broken[] = {
        "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end",
        "--XyZ\r\n\r\nno name\r\n--XyZ--",
        "garbage",
        "--XyZ",
        "--XyZ\r\nContent-Disposition: form-data; name=\"a\"",
    };
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++)
        assert_int_equal(noaber_form_multipart(a, ct, broken[i], strlen(broken[i]), &kv),
                         NOABER_E_BAD_REQUEST);
    assert_int_equal(noaber_form_multipart(a, "multipart/form-data", body, sizeof body - 1, &kv),
                     NOABER_E_BAD_REQUEST);
    noaber_arena_free(a);
}

static void
test_cookies(void **state)
{
    (void)state;
    struct noaber_arena *a = noaber_arena_new(0);
    struct noaber_kv *kv;
    assert_int_equal(noaber_cookies_parse(a, "a=1; b=\"two\";c=; =bad; junk; d = 4", &kv),
                     NOABER_OK);
    assert_string_equal(noaber_kv_find(kv, "a")->value, "1");
    assert_string_equal(noaber_kv_find(kv, "b")->value, "two");
    assert_string_equal(noaber_kv_find(kv, "c")->value, "");
    assert_string_equal(noaber_kv_find(kv, "d")->value, " 4");
    assert_null(noaber_kv_find(kv, "junk"));
    noaber_arena_free(a);
}

struct person_form {
    const char *name, *email, *postcode, *kind;
    int64_t age;
    int agree;
};
static const char *const kinds[] = {"a", "b", NULL};
static const struct noaber_field spec[] = {
    {"name", NOABER_F_LINE, 1, 2, 10, offsetof(struct person_form, name), NULL},
    {"email", NOABER_F_EMAIL, 0, 0, 0, offsetof(struct person_form, email), NULL},
    {"postcode", NOABER_F_POSTCODE, 0, 0, 0, offsetof(struct person_form, postcode), NULL},
    {"kind", NOABER_F_CHOICE, 1, 0, 0, offsetof(struct person_form, kind), kinds},
    {"age", NOABER_F_INT, 0, 0, 130, offsetof(struct person_form, age), NULL},
    {"agree", NOABER_F_BOOL, 0, 0, 0, offsetof(struct person_form, agree), NULL},
};

static void
test_input(void **state)
{
    (void)state;
    struct noaber_arena *a = noaber_arena_new(0);
    struct noaber_kv *kv;
    struct person_form f;
    struct noaber_input_errors errs;
    const char *good = "name=+Rian+&email=Rian@Example.NL&postcode=3511+ab&kind=b&age=70&agree=1&"
                       "undeclared=x";
    noaber_form_urlencoded(a, good, strlen(good), &kv);
    assert_int_equal(noaber_input_from_kv(a, kv, spec, 6, &f, &errs), NOABER_OK);
    assert_string_equal(f.name, "Rian");
    assert_string_equal(f.email, "rian@example.nl");
    assert_string_equal(f.postcode, "3511AB");
    assert_int_equal(f.age, 70);
    assert_int_equal(f.agree, 1);
    const char *bad = "name=x&email=nope&postcode=12345&kind=c&age=old";
    noaber_form_urlencoded(a, bad, strlen(bad), &kv);
    assert_int_equal(noaber_input_from_kv(a, kv, spec, 6, &f, &errs), NOABER_E_INVALID);
    assert_int_equal(errs.field[0], NOABER_E_TOO_SHORT);
    assert_int_equal(errs.field[1], NOABER_E_BAD_EMAIL);
    assert_int_equal(errs.field[2], NOABER_E_BAD_POSTCODE);
    assert_int_equal(errs.field[3], NOABER_E_BAD_CHOICE);
    assert_int_equal(errs.field[4], NOABER_E_NOT_A_NUMBER);
    assert_int_equal(errs.field[5], NOABER_OK);
    assert_int_equal(errs.count, 5);
    const char *missing = "name=abcdefghijkl&age=200&email=a%0Ab@c.d";
    noaber_form_urlencoded(a, missing, strlen(missing), &kv);
    assert_int_equal(noaber_input_from_kv(a, kv, spec, 6, &f, &errs), NOABER_E_INVALID);
    assert_int_equal(errs.field[0], NOABER_E_TOO_LONG);
    assert_int_equal(errs.field[1], NOABER_E_BAD_EMAIL); /* no header injection */
    assert_int_equal(errs.field[3], NOABER_E_REQUIRED);
    assert_int_equal(errs.field[4], NOABER_E_OUT_OF_RANGE);
    const char *ctrl = "name=a%07bc&kind=a";
    noaber_form_urlencoded(a, ctrl, strlen(ctrl), &kv);
    assert_int_equal(noaber_input_from_kv(a, kv, spec, 6, &f, &errs), NOABER_E_INVALID);
    assert_int_equal(errs.field[0], NOABER_E_BAD_ENCODING);
    noaber_arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_router),    cmocka_unit_test(test_urlencoded),
        cmocka_unit_test(test_multipart), cmocka_unit_test(test_cookies),
        cmocka_unit_test(test_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
