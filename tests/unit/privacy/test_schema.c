/*
 * The declarations against the real schema: a fresh database with every migration, walked
 * through sqlite_master and pragma table_info / foreign_key_list. Fails listing every column of
 * the database that no <module>_privacy.c declares and every declared column the database does
 * not have, and checks what the erasure relies on: a column with a foreign key to persons is a
 * REFERENCE or an ACTOR, ACTOR columns and the references of retained tables may be NULL, the
 * personal columns of retained tables are TEXT, pseudonym columns are TEXT NOT NULL DEFAULT '',
 * time columns used for the clean-up are integers. Also: the declaration rules catch broken
 * declarations.
 */
#include "privacy_test.h"

#include <strings.h>

static int
setup(void **state)
{
    struct world *w = calloc(1, sizeof *w);
    if (world_open(w))
        return -1;
    *state = w;
    return 0;
}

static int
teardown(void **state)
{
    struct world *w = *state;
    world_close(w);
    free(w);
    return 0;
}

static void
test_declarations_keep_the_rules(void **state)
{
    (void)state;
    struct noaber_buf b;
    noaber_buf_init(&b, NULL);
    int bad = privacy_check_declarations(&b);
    if (bad)
        fprintf(stderr, "%s", noaber_buf_str(&b));
    noaber_buf_release(&b);
    assert_int_equal(bad, 0);
    assert_true(privacy_table_count() >= 14);
}

static void
test_every_column_is_declared(void **state)
{
    struct world *w = *state;
    const char **tables = raw_tables(w);
    int undeclared = 0, missing = 0;
    for (size_t i = 0; tables[i]; i++) {
        const struct privacy_table *t = privacy_table_find(tables[i]);
        size_t n = 0;
        struct raw_column *cols = raw_columns(w, tables[i], &n);
        for (size_t c = 0; c < n; c++) {
            if (t && privacy_column_find(t, cols[c].name))
                continue;
            fprintf(stderr,
                    "column %s.%s is not declared: add it to its module's "
                    "<module>_privacy.c (see src/privacy/privacy.h)\n",
                    tables[i], cols[c].name);
            undeclared++;
        }
    }
    for (size_t i = 0; i < privacy_table_count(); i++) {
        const struct privacy_table *t = privacy_table_at(i);
        size_t n = 0, k;
        struct raw_column *cols = raw_columns(w, t->table, &n);
        for (const struct privacy_column *c = t->columns; c->name; c++) {
            for (k = 0; k < n && strcmp(cols[k].name, c->name) != 0; k++)
                ;
            if (k == n) {
                fprintf(stderr, "declared column %s.%s is not in the database\n", t->table,
                        c->name);
                missing++;
            }
        }
    }
    assert_int_equal(undeclared, 0);
    assert_int_equal(missing, 0);
}

static int
is_integer_type(const char *type)
{
    return strcasecmp(type, "BIGINT") == 0 || strcasecmp(type, "INTEGER") == 0;
}

static void
test_erasure_can_do_its_work(void **state)
{
    struct world *w = *state;
    int bad = 0;
    for (size_t i = 0; i < privacy_table_count(); i++) {
        const struct privacy_table *t = privacy_table_at(i);
        int retained = t->erase == PRIVACY_ERASE_PSEUDONYMISE;
        size_t n = 0;
        struct raw_column *cols = raw_columns(w, t->table, &n);
        for (size_t k = 0; k < n; k++) {
            const struct raw_column *rc = &cols[k];
            const struct privacy_column *c = privacy_column_find(t, rc->name);
            if (!c)
                continue; /* test_every_column_is_declared names it */
            const char *why = NULL;
            if (rc->fk_table && strcmp(rc->fk_table, "persons") == 0 &&
                c->kind != PRIVACY_REFERENCE && c->kind != PRIVACY_ACTOR)
                why = "refers to persons: declare it REFERENCE (the row is theirs) or ACTOR";
            else if (c->kind == PRIVACY_ACTOR && rc->notnull)
                why = "is an ACTOR column: erasure sets it to NULL, so it must allow NULL";
            else if (retained && c->kind == PRIVACY_REFERENCE && rc->notnull)
                why = "is a reference in a retained table: erasure sets it to NULL";
            else if (retained && (c->kind == PRIVACY_PERSONAL || c->kind == PRIVACY_SPECIAL) &&
                     strcasecmp(rc->type, "TEXT") != 0)
                why = "is personal in a retained table: erasure empties it, so it must be TEXT";
            else if (c->kind == PRIVACY_PSEUDONYM &&
                     (strcasecmp(rc->type, "TEXT") != 0 || !rc->notnull || !rc->dflt ||
                      strcmp(rc->dflt, "''") != 0))
                why = "is a pseudonym column: make it TEXT NOT NULL DEFAULT ''";
            if (why) {
                fprintf(stderr, "%s.%s %s\n", t->table, rc->name, why);
                bad++;
            }
        }
        const char *timecols[8] = {t->retention_column};
        size_t nt = 1;
        for (const struct privacy_rule *r = t->rules; r && r->column && nt < 8; r++)
            timecols[nt++] = r->column;
        for (size_t j = 0; j < nt; j++) {
            for (size_t k = 0; timecols[j] && k < n; k++)
                if (strcmp(cols[k].name, timecols[j]) == 0 && !is_integer_type(cols[k].type)) {
                    fprintf(stderr, "%s.%s is a clean-up time: make it BIGINT\n", t->table,
                            cols[k].name);
                    bad++;
                }
        }
    }
    assert_int_equal(bad, 0);
}

/* --- broken declarations are caught ---------------------------------------------------------- */

static const struct privacy_column ok_person_cols[] = {
    {"id", PRIVACY_REFERENCE, "the person"},
    {"email", PRIVACY_PERSONAL, "to log in"},
    {NULL},
};
static const struct privacy_column bad_cols[] = {
    {"id", PRIVACY_NOT_PERSONAL, NULL},
    {"person_id", PRIVACY_REFERENCE, NULL},   /* no purpose */
    {"made_by", PRIVACY_ACTOR, "who"},        /* no made_by_pseudonym in a retained table */
    {"Note; DROP", PRIVACY_PERSONAL, "text"}, /* not an identifier */
    {"id", PRIVACY_NOT_PERSONAL, NULL},       /* twice */
    {NULL},
};
static const struct privacy_link bad_links[] = {
    {"nope", "persons", "email", NULL},   /* undeclared column */
    {"id", "elsewhere", "id", NULL},      /* undeclared table */
    {"id", "persons", "email", "x'; --"}, /* a prefix that is not a plain word */
    {NULL},
};
static const struct privacy_rule bad_rules[] = {
    {"when_at", -1, "gone"},
    {NULL},
};
static const struct privacy_table fake_good[] = {
    {.table = "persons",
     .description = "people",
     .basis = "contract",
     .retention = "until erased",
     .erase = PRIVACY_ERASE_DELETE,
     .columns = ok_person_cols},
    {0},
};
static const struct privacy_table fake_bad[] = {
    {.table = "notes",
     .description = "notes",
     .basis = "because",
     .retention = "forever",
     .retention_column = "missing_at",
     .erase = PRIVACY_ERASE_PSEUDONYMISE,
     .columns = bad_cols,
     .links = bad_links,
     .rules = bad_rules},
    {.table = "persons",
     .description = "again",
     .basis = "contract",
     .retention = "until erased",
     .erase = PRIVACY_ERASE_DELETE,
     .columns = ok_person_cols},
    {0},
};

static void
test_broken_declarations_are_caught(void **state)
{
    (void)state;
    const struct privacy_table *const good[] = {fake_good, NULL};
    assert_int_equal(privacy_check_modules(good, NULL), 0);
    const struct privacy_table *const bad[] = {fake_good, fake_bad, NULL};
    struct noaber_buf b;
    noaber_buf_init(&b, NULL);
    int n = privacy_check_modules(bad, &b);
    const char *out = noaber_buf_str(&b);
    static const char *const expected[] = {
        "person_id is personal but has no purpose",
        "lacks the pseudonym column of made_by",
        "'Note; DROP' is not a plain identifier",
        "column id is declared twice",
        "no valid legal basis: 'because'",
        "retention column missing_at is not declared",
        "clean-up rule on undeclared column when_at",
        "clean-up rule tests undeclared column gone",
        "negative period",
        "retained table has a link",
        "link from undeclared column nope",
        "link to undeclared table elsewhere",
        "link prefix 'x'; --'",
        "persons: is declared twice",
    };
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
        if (!strstr(out, expected[i]))
            fail_msg("expected a problem \"%s\" in:\n%s", expected[i], out);
    assert_true(n >= (int)(sizeof expected / sizeof expected[0]));
    noaber_buf_release(&b);
    /* Without persons nothing can be erased. */
    const struct privacy_table *const none[] = {NULL};
    assert_int_equal(privacy_check_modules(none, NULL), 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_declarations_keep_the_rules),
        cmocka_unit_test_setup_teardown(test_every_column_is_declared, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erasure_can_do_its_work, setup, teardown),
        cmocka_unit_test(test_broken_declarations_are_caught),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
