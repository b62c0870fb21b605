/*
 * Export and erasure, driven by the schema: a person P with data in every table that can refer
 * to a person (privacy_test.h), then
 *   - every REFERENCE and ACTOR column of every declared table holds P in some row (so a table
 *     added without test data fails here, naming the column);
 *   - the export holds every row that is about P, found independently of the code under test:
 *     through the schema's foreign keys to persons, any text that names P (e-mail, username,
 *     name, phone, address), and rows whose foreign key points to such a row; rows where P only
 *     acted are there with their non-personal columns;
 *   - after erasure no column that refers to persons holds P's id, no column of any table
 *     contains P's e-mail, username, name, phone or address, the retained logs still have their
 *     rows with P's pseudonym, and other people's data is untouched;
 *   - the last administrator cannot be erased; a wrong password, a missing confirmation word and
 *     too many tries change nothing; the access log shows who looked.
 */
#include "privacy_test.h"

static struct subject S;

static int
setup(void **state)
{
    struct world *w = calloc(1, sizeof *w);
    if (world_open(w))
        return -1;
    fill(w, &S, "a", noaber_now());
    noaber_time_set(0);
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

/* --- every row of every table, read through the second connection ---------------------------- */

struct table_rows {
    const char *name;
    const struct privacy_table *decl;
    struct raw_column *cols;
    size_t ncols, nrows;
    const char ***rows;
    int *about, *acted;
};

static const char *
cell(struct world *w, sqlite3_stmt *st, int c)
{
    const unsigned char *t = sqlite3_column_text(st, c);
    return t ? noaber_arena_strdup(w->arena, (const char *)t) : NULL;
}

static int
names_p(const char *v)
{
    const char *ids[] = {S.email, S.username, S.name, S.phone, S.address};
    for (size_t i = 0; v && i < sizeof ids / sizeof ids[0]; i++)
        if (strstr(v, ids[i]))
            return 1;
    return 0;
}

static struct table_rows *
load(struct world *w, size_t *count)
{
    const char **tables = raw_tables(w);
    size_t n = 0;
    while (tables[n])
        n++;
    struct table_rows *all = noaber_arena_alloc(w->arena, n * sizeof *all);
    char p[24];
    snprintf(p, sizeof p, "%lld", (long long)S.p);
    for (size_t i = 0; i < n; i++) {
        struct table_rows *t = &all[i];
        t->name = tables[i];
        t->decl = privacy_table_find(t->name);
        t->cols = raw_columns(w, t->name, &t->ncols);
        t->rows = noaber_arena_alloc(w->arena, 1000 * sizeof *t->rows);
        t->about = noaber_arena_alloc(w->arena, 1000 * sizeof *t->about);
        t->acted = noaber_arena_alloc(w->arena, 1000 * sizeof *t->acted);
        char sql[200];
        sqlite3_stmt *st;
        snprintf(sql, sizeof sql, "SELECT * FROM %s", t->name);
        assert_int_equal(sqlite3_prepare_v2(w->raw, sql, -1, &st, NULL), SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW && t->nrows < 1000) {
            const char **row = noaber_arena_alloc(w->arena, t->ncols * sizeof *row);
            for (size_t c = 0; c < t->ncols; c++) {
                row[c] = cell(w, st, (int)c);
                const struct privacy_column *d = privacy_column_find(t->decl, t->cols[c].name);
                int is_p = row[c] && strcmp(row[c], p) == 0;
                int to_persons = t->cols[c].fk_table && strcmp(t->cols[c].fk_table, "persons") == 0;
                if (is_p && d && d->kind == PRIVACY_ACTOR)
                    t->acted[t->nrows] = 1;
                else if (is_p && (to_persons || (d && d->kind == PRIVACY_REFERENCE)))
                    t->about[t->nrows] = 1;
                if (names_p(row[c]))
                    t->about[t->nrows] = 1;
            }
            t->rows[t->nrows++] = row;
        }
        sqlite3_finalize(st);
    }
    /* Rows that point by foreign key to a row about P are about P too (a delivery of P's
     * message). */
    for (int pass = 0, changed = 1; changed && pass < 4; pass++) {
        changed = 0;
        for (size_t i = 0; i < n; i++)
            for (size_t c = 0; c < all[i].ncols; c++) {
                const struct raw_column *col = &all[i].cols[c];
                if (!col->fk_table || strcmp(col->fk_table, "persons") == 0)
                    continue;
                for (size_t j = 0; j < n; j++) {
                    if (strcmp(all[j].name, col->fk_table) != 0)
                        continue;
                    size_t k = 0;
                    while (k < all[j].ncols && strcmp(all[j].cols[k].name, col->fk_key) != 0)
                        k++;
                    for (size_t r = 0; k < all[j].ncols && r < all[i].nrows; r++)
                        for (size_t pr = 0; !all[i].about[r] && pr < all[j].nrows; pr++)
                            if (all[j].about[pr] && all[i].rows[r][c] && all[j].rows[pr][k] &&
                                strcmp(all[i].rows[r][c], all[j].rows[pr][k]) == 0)
                                all[i].about[r] = changed = 1;
                }
            }
    }
    *count = n;
    return all;
}

static int
same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Is ROW (in the database's column order) among ROWS of the export (declaration order)? Secret
 * columns are not compared (the export never holds them); in acted rows only the shown ones. */
static int
in_export(const struct table_rows *t, const char **row, const struct privacy_export_table *x,
          const char *const *const *rows, size_t n, int acted)
{
    for (size_t r = 0; r < n; r++) {
        int match = 1;
        for (size_t c = 0; match && c < t->ncols; c++) {
            size_t k = 0;
            while (k < x->ncols && strcmp(x->cols[k]->name, t->cols[c].name) != 0)
                k++;
            if (k == x->ncols)
                return 0; /* an undeclared column: test_schema names it */
            if (x->cols[k]->kind == PRIVACY_SECRET ||
                (acted && !privacy_export_shown_when_acted(x->cols[k])))
                continue;
            match = same(rows[r][k], row[c]);
        }
        if (match)
            return 1;
    }
    return 0;
}

static const struct privacy_export_table *
export_table(const struct privacy_export *x, const char *name)
{
    for (size_t i = 0; i < x->ntables; i++)
        if (strcmp(x->tables[i].decl->table, name) == 0)
            return &x->tables[i];
    return NULL;
}

/* --- tests ----------------------------------------------------------------------------------- */

static void
test_every_column_that_refers_to_a_person_has_data(void **state)
{
    struct world *w = *state;
    int missing = 0;
    for (size_t i = 0; i < privacy_table_count(); i++) {
        const struct privacy_table *t = privacy_table_at(i);
        for (const struct privacy_column *c = t->columns; c->name; c++) {
            if (c->kind != PRIVACY_REFERENCE && c->kind != PRIVACY_ACTOR)
                continue;
            char sql[200];
            snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE %s = ?", t->table, c->name);
            if (raw_int(w, sql, "i", S.p) < 1) {
                fprintf(stderr,
                        "no row of %s.%s refers to the test person: add data for it to "
                        "fill() in tests/unit/privacy/privacy_test.h\n",
                        t->table, c->name);
                missing++;
            }
        }
    }
    assert_int_equal(missing, 0);
}

static void
test_export_holds_every_row_about_the_person(void **state)
{
    struct world *w = *state;
    struct privacy_export x;
    assert_int_equal(privacy_export(w->db, S.p, &x, w->arena), NOABER_OK);
    assert_int_equal(x.person_id, S.p);
    size_t n = 0, checked = 0;
    struct table_rows *all = load(w, &n);
    int missing = 0;
    for (size_t i = 0; i < n; i++) {
        const struct table_rows *t = &all[i];
        const struct privacy_export_table *xt = export_table(&x, t->name);
        for (size_t r = 0; r < t->nrows; r++) {
            if (!t->about[r] && !t->acted[r])
                continue;
            checked++;
            int found =
                xt && (in_export(t, t->rows[r], xt, xt->own, xt->nown, 0) ||
                       (!t->about[r] && in_export(t, t->rows[r], xt, xt->acted, xt->nacted, 1)));
            if (!found) {
                fprintf(stderr, "%s: a row %s P is not in the export\n", t->name,
                        t->about[r] ? "about" : "acted on by");
                missing++;
            }
        }
    }
    assert_int_equal(missing, 0);
    assert_true(checked > 40);
    /* Each table a person's rows are found in through a link only shows up too. */
    for (size_t i = 0; i < privacy_table_count(); i++) {
        const struct privacy_table *t = privacy_table_at(i);
        if (privacy_table_is_personal_data(t) && !export_table(&x, t->table))
            fail_msg("%s has rows about the person but is not in the export", t->table);
    }
    /* Secrets are never exported; the messages are. */
    const struct privacy_export_table *persons = export_table(&x, "persons");
    assert_non_null(persons);
    assert_int_equal(persons->nown, 1);
    for (size_t c = 0; c < persons->ncols; c++)
        if (persons->cols[c]->kind == PRIVACY_SECRET && persons->own[0][c])
            assert_string_equal(persons->own[0][c], "");
    const struct privacy_export_table *msgs = export_table(&x, "messages");
    assert_non_null(msgs);
    assert_true(msgs->nown >= 5); /* four channels, the welcome, the address-only mail */
}

static int64_t
count_refs(struct world *w, const char *table, const char *col, int64_t id)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE %s = ?", table, col);
    return raw_int(w, sql, "i", id);
}

static void
test_erasure_leaves_nothing_that_identifies_the_person(void **state)
{
    struct world *w = *state;
    char pseudonym[PRIVACY_PSEUDONYM_SIZE];
    assert_int_equal(privacy_pseudonym(w->db, S.p, pseudonym), NOABER_OK);
    /* How many rows of each retained table referred to P, per column. */
    int64_t before[64] = {0};
    size_t k = 0;
    for (size_t i = 0; i < privacy_table_count(); i++) {
        const struct privacy_table *t = privacy_table_at(i);
        for (const struct privacy_column *c = t->columns; c->name; c++)
            if (t->erase == PRIVACY_ERASE_PSEUDONYMISE &&
                (c->kind == PRIVACY_REFERENCE || c->kind == PRIVACY_ACTOR) && k < 64)
                before[k++] = count_refs(w, t->table, c->name, S.p);
    }
    int64_t persons = raw_int(w, "SELECT count(*) FROM persons", NULL);
    int64_t r_msgs = count_refs(w, "messages", "person_id", S.r);
    int retry = 0;
    assert_int_equal(privacy_erase_confirmed(w->db, S.p, PASSWORD, NULL, &retry), NOABER_OK);

    /* (a) nothing refers to P's id any more: not the declared columns, not any foreign key. */
    size_t n = 0;
    struct table_rows *all = load(w, &n);
    int left = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t c = 0; c < all[i].ncols; c++) {
            const struct privacy_column *d = privacy_column_find(all[i].decl, all[i].cols[c].name);
            int refers =
                (all[i].cols[c].fk_table && strcmp(all[i].cols[c].fk_table, "persons") == 0) ||
                (d && (d->kind == PRIVACY_REFERENCE || d->kind == PRIVACY_ACTOR));
            if (refers && count_refs(w, all[i].name, all[i].cols[c].name, S.p)) {
                fprintf(stderr, "%s.%s still holds the erased person's id\n", all[i].name,
                        all[i].cols[c].name);
                left++;
            }
        }
        /* (b) no text anywhere names P. */
        for (size_t r = 0; r < all[i].nrows; r++)
            for (size_t c = 0; c < all[i].ncols; c++)
                if (names_p(all[i].rows[r][c])) {
                    fprintf(stderr, "%s.%s still names the erased person: %s\n", all[i].name,
                            all[i].cols[c].name, all[i].rows[r][c]);
                    left++;
                }
    }
    assert_int_equal(left, 0);

    /* (c) the retained logs keep their rows, with the pseudonym. */
    k = 0;
    for (size_t i = 0; i < privacy_table_count(); i++) {
        const struct privacy_table *t = privacy_table_at(i);
        for (const struct privacy_column *c = t->columns; c->name; c++) {
            if (t->erase != PRIVACY_ERASE_PSEUDONYMISE ||
                (c->kind != PRIVACY_REFERENCE && c->kind != PRIVACY_ACTOR) || k >= 64)
                continue;
            char pcol[80], sql[200];
            assert_int_equal(privacy_pseudonym_column(c->name, pcol, sizeof pcol), 0);
            snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE %s = ?", t->table, pcol);
            assert_true(before[k] > 0);
            assert_int_equal(raw_int(w, sql, "t", pseudonym), before[k]);
            k++;
        }
    }
    assert_int_equal(raw_int(w,
                             "SELECT count(*) FROM audit_log WHERE action = 'token_create' "
                             "AND subject_pseudonym = ? AND detail = ''",
                             "t", pseudonym),
                     1);

    /* (d) other people's data stays. */
    assert_int_equal(raw_int(w, "SELECT count(*) FROM persons", NULL), persons - 1);
    assert_int_equal(count_refs(w, "messages", "person_id", S.r), r_msgs);
    assert_int_equal(count_refs(w, "persons", "id", S.r), 1);
    assert_int_equal(count_refs(w, "persons", "id", w->admin), 1);
    assert_int_equal(
        raw_int(w, "SELECT count(*) FROM persons WHERE id = ? AND created_by IS NULL", "i", S.r),
        1);
    /* P is logged out everywhere, and the login fails. */
    assert_int_equal(count_refs(w, "sessions", "person_id", S.p), 0);
    char token[65];
    struct members_login l = {S.email, PASSWORD, "192.0.2.9"};
    assert_int_equal(members_login(w->db, &w->cfg, &l, token, &retry), NOABER_E_BAD_LOGIN);
    struct privacy_export x;
    assert_int_equal(privacy_export(w->db, S.p, &x, w->arena), NOABER_E_NOT_FOUND);
}

static void
test_last_administrator_stays(void **state)
{
    struct world *w = *state;
    int64_t persons = raw_int(w, "SELECT count(*) FROM persons", NULL);
    int64_t changed = -1;
    assert_int_equal(privacy_erase(w->db, w->admin, &changed), NOABER_E_LAST_ADMIN);
    assert_int_equal(changed, 0);
    int retry = 0;
    assert_int_equal(privacy_erase_confirmed(w->db, w->admin, PASSWORD, NULL, &retry),
                     NOABER_E_LAST_ADMIN);
    int has_pw = 0, last = 0;
    assert_int_equal(privacy_erase_check(w->db, w->admin, &has_pw, &last), NOABER_OK);
    assert_true(has_pw);
    assert_true(last);
    assert_int_equal(raw_int(w, "SELECT count(*) FROM persons", NULL), persons);
    /* With a second administrator the first may go. */
    raw_execf(w, "UPDATE persons SET is_admin = 1 WHERE id = %lld", (long long)S.r);
    assert_int_equal(privacy_erase_check(w->db, w->admin, &has_pw, &last), NOABER_OK);
    assert_false(last);
    assert_int_equal(privacy_erase(w->db, w->admin, &changed), NOABER_OK);
    assert_true(changed > 0);
    assert_int_equal(privacy_erase(w->db, w->admin, &changed), NOABER_E_NOT_FOUND);
}

static void
test_wrong_confirmation_changes_nothing(void **state)
{
    struct world *w = *state;
    int64_t persons = raw_int(w, "SELECT count(*) FROM persons", NULL);
    int retry = 0;
    /* fill() used one try; three more wrong ones change nothing ... */
    assert_int_equal(privacy_erase_confirmed(w->db, S.p, "", NULL, &retry),
                     NOABER_E_WRONG_PASSWORD);
    assert_int_equal(privacy_erase_confirmed(w->db, S.p, NULL, PRIVACY_CONFIRM_WORD, &retry),
                     NOABER_E_WRONG_PASSWORD);
    assert_int_equal(privacy_erase_confirmed(w->db, S.p, "bijna goed", NULL, &retry),
                     NOABER_E_WRONG_PASSWORD);
    assert_int_equal(raw_int(w, "SELECT count(*) FROM persons", NULL), persons);
    assert_int_equal(count_refs(w, "sessions", "person_id", S.p), 1);
    /* ... but after the fifth, even the right password waits. */
    assert_int_equal(privacy_erase_confirmed(w->db, S.p, "nog steeds fout", NULL, &retry),
                     NOABER_E_WRONG_PASSWORD);
    assert_int_equal(privacy_erase_confirmed(w->db, S.p, PASSWORD, NULL, &retry),
                     NOABER_E_RATE_LIMITED);
    assert_true(retry >= 1 && retry <= 15);
    assert_int_equal(raw_int(w, "SELECT count(*) FROM persons", NULL), persons);

    /* An account without password confirms with the word, in any case. */
    struct members_actor pa = {.person_id = S.p, .is_staff = 1};
    struct members_hood ph;
    assert_int_equal(members_hood_by_slug(w->db, &pa, "lombok", &ph, w->arena), NOABER_OK);
    struct members_new_member bep = {"Bep Zonder Mail", NULL, "bep.zonder", MEMBERS_R_RESIDENT,
                                     w->hood};
    int64_t b = 0;
    assert_int_equal(members_add(w->db, &pa, &ph, &bep, &b), NOABER_OK);
    int has_pw = 1, last = 1;
    assert_int_equal(privacy_erase_check(w->db, b, &has_pw, &last), NOABER_OK);
    assert_false(has_pw);
    assert_false(last);
    assert_int_equal(privacy_erase_confirmed(w->db, b, NULL, "ja", &retry), NOABER_E_CONFIRM_WORD);
    assert_int_equal(privacy_erase_confirmed(w->db, b, "iets", NULL, &retry),
                     NOABER_E_CONFIRM_WORD);
    assert_int_equal(count_refs(w, "persons", "id", b), 1);
    assert_int_equal(privacy_erase_confirmed(w->db, b, NULL, " verwijder ", &retry), NOABER_OK);
    assert_int_equal(count_refs(w, "persons", "id", b), 0);
    /* The counted tries went with the account. */
    assert_int_equal(
        raw_int(w, "SELECT count(*) FROM login_attempts WHERE key = 'erase:' || ?", "i", b), 0);
}

static void
test_pseudonym(void **state)
{
    struct world *w = *state;
    char a[PRIVACY_PSEUDONYM_SIZE], b[PRIVACY_PSEUDONYM_SIZE], c[PRIVACY_PSEUDONYM_SIZE];
    assert_int_equal(privacy_pseudonym(w->db, S.p, a), NOABER_OK);
    assert_int_equal(privacy_pseudonym(w->db, S.p, b), NOABER_OK);
    assert_int_equal(privacy_pseudonym(w->db, S.r, c), NOABER_OK);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    assert_int_equal(strlen(a), 19);
    assert_memory_equal(a, "erased-", 7);
    for (size_t i = 7; i < 19; i++)
        assert_non_null(strchr("0123456789abcdef", a[i]));
    assert_int_equal(privacy_pseudonym(w->db, 999999, a), NOABER_E_NOT_FOUND);
    char col[40];
    assert_int_equal(privacy_pseudonym_column("actor_id", col, sizeof col), 0);
    assert_string_equal(col, "actor_pseudonym");
    assert_int_equal(privacy_pseudonym_column("printed_by", col, sizeof col), 0);
    assert_string_equal(col, "printed_by_pseudonym");
}

static void
test_access_log(void **state)
{
    struct world *w = *state;
    assert_int_equal(privacy_log_access(w->db, S.p, S.r, ""), NOABER_E_INVALID);
    assert_int_equal(privacy_log_access(w->db, S.p, S.r, "line\nbreak"), NOABER_E_INVALID);
    assert_int_equal(privacy_log_access(w->db, 0, S.r, "intake"), NOABER_E_INVALID);
    /* Looking at one's own file is not recorded. */
    int64_t before = raw_int(w, "SELECT count(*) FROM access_log", NULL);
    assert_int_equal(privacy_log_access(w->db, S.r, S.r, "intake"), NOABER_OK);
    assert_int_equal(raw_int(w, "SELECT count(*) FROM access_log", NULL), before);
    assert_int_equal(privacy_log_access(w->db, S.p, S.r, "intake"), NOABER_OK);
    struct privacy_access *rows;
    size_t n = 0;
    int64_t total = 0;
    assert_int_equal(privacy_access_list(w->db, S.r, 0, 10, &rows, &n, &total, w->arena),
                     NOABER_OK);
    assert_int_equal(total, 2);
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].viewer, S.name);
    assert_int_equal(rows[0].viewer_id, S.p);
    /* Once the viewer is erased, R still sees that someone looked, under the pseudonym. */
    char pseudonym[PRIVACY_PSEUDONYM_SIZE];
    assert_int_equal(privacy_pseudonym(w->db, S.p, pseudonym), NOABER_OK);
    assert_int_equal(privacy_erase(w->db, S.p, NULL), NOABER_OK);
    assert_int_equal(privacy_access_list(w->db, S.r, 0, 10, &rows, &n, &total, w->arena),
                     NOABER_OK);
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].viewer, pseudonym);
    assert_string_equal(rows[1].viewer, pseudonym);
    assert_int_equal(rows[0].viewer_id, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_column_that_refers_to_a_person_has_data, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_export_holds_every_row_about_the_person, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_erasure_leaves_nothing_that_identifies_the_person,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_last_administrator_stays, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_confirmation_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pseudonym, setup, teardown),
        cmocka_unit_test_setup_teardown(test_access_log, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
