/*
 * The processing register: docs/privacy.md must be exactly what `noaber privacy-register` makes
 * from the declarations, so that the committed register never drifts from the code. Also: every
 * declared table has its section, every personal column its line among the purposes, and the
 * output does not depend on anything but the declarations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "privacy/privacy.h"

static char *
read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap) {
            char *bigger = realloc(buf, cap *= 2);
            if (!bigger)
                free(buf);
            buf = bigger;
        }
    }
    if (!buf) {
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static void
test_committed_register_is_up_to_date(void **state)
{
    (void)state;
    const char *root = getenv("NOABER_SOURCE");
    assert_non_null(root);
    char path[1024];
    snprintf(path, sizeof path, "%s/docs/privacy.md", root);
    struct noaber_buf b;
    noaber_buf_init(&b, NULL);
    privacy_register_markdown(&b);
    size_t len = 0;
    char *committed = read_file(path, &len);
    if (!committed) {
        noaber_buf_release(&b);
        fail_msg("%s is missing: run `noaber privacy-register > docs/privacy.md`", path);
    }
    if (len != b.len || memcmp(committed, b.data, len) != 0) {
        /* Say where they part, so that the developer sees what changed. */
        size_t i = 0, line = 1;
        while (i < len && i < b.len && committed[i] == b.data[i])
            line += committed[i++] == '\n';
        fprintf(stderr,
                "docs/privacy.md is out of date (first difference on line %zu). The declarations "
                "changed: run `noaber privacy-register > docs/privacy.md` and commit it.\n",
                line);
        free(committed);
        noaber_buf_release(&b);
        fail();
    }
    free(committed);
    noaber_buf_release(&b);
}

static void
test_register_covers_every_declaration(void **state)
{
    (void)state;
    struct noaber_buf b, again;
    noaber_buf_init(&b, NULL);
    noaber_buf_init(&again, NULL);
    privacy_register_markdown(&b);
    privacy_register_markdown(&again);
    assert_string_equal(noaber_buf_str(&b), noaber_buf_str(&again));
    const char *md = noaber_buf_str(&b);
    assert_non_null(strstr(md, "# Processing register (verwerkingsregister)"));
    for (size_t i = 0; i < privacy_table_count(); i++) {
        const struct privacy_table *t = privacy_table_at(i);
        char want[200];
        snprintf(want, sizeof want, "### `%s`: ", t->table);
        if (!strstr(md, want))
            fail_msg("no section for %s", t->table);
        for (const struct privacy_column *c = t->columns; c->name; c++) {
            snprintf(want, sizeof want, "| `%s.%s` | ", t->table, c->name);
            if ((c->kind != PRIVACY_NOT_PERSONAL) != (strstr(md, want) != NULL))
                fail_msg("%s.%s: %s among the purposes", t->table, c->name,
                         c->kind != PRIVACY_NOT_PERSONAL ? "missing" : "wrongly");
        }
    }
    /* The retention periods (bewaartermijnen) are in words and as the clean-up does them. */
    assert_non_null(strstr(md, "deleted 1 day after `at`"));
    assert_non_null(strstr(md, "deleted once `expires_at` has passed"));
    assert_non_null(strstr(md, "deleted 30 days after `created_at` when `person_id` is empty"));
    assert_non_null(strstr(md, "deleted 5 years after `at`"));
    noaber_buf_release(&b);
    noaber_buf_release(&again);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_committed_register_is_up_to_date),
        cmocka_unit_test(test_register_covers_every_declaration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
