/*
 * The retention clean-up, driven by the declarations: the same person's data made twice, once six
 * years ago and once an hour ago (privacy_test.h), then the clean-up at "now". For every table with
 * a clean-up rule, rows past their period (counted here with plain SQL from the declared column
 * and period) are gone and every other row is still there; each rule must have had rows on both
 * sides, so a new rule without test data fails. Also the server's daily thread: it runs the
 * clean-up on its own connection, once a day per database, and stops cleanly.
 */
#include "privacy_test.h"

#define NOW (noaber_now())

static struct subject OLD, NEW;

static int
setup(void **state)
{
    struct world *w = calloc(1, sizeof *w);
    if (world_open(w))
        return -1;
    int64_t now = noaber_now();
    fill(w, &OLD, "o", now - 6 * PRIVACY_YEAR);
    fill(w, &NEW, "n", now - 3600);
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

/* The condition "some rule deletes this row" of T at NOW, or of rule K alone (K >= 0). */
static void
past(char *out, size_t n, const struct privacy_table *t, int64_t now, int k)
{
    size_t used = 0;
    int i = 0;
    out[0] = '\0';
    if (t->retention_column) {
        if (k < 0 || k == i)
            used += (size_t)snprintf(out + used, n - used, "%s(%s < %lld)", used ? " OR " : "",
                                     t->retention_column, (long long)(now - t->retention_seconds));
        i++;
    }
    for (const struct privacy_rule *r = t->rules; r && r->column; r++, i++) {
        if (k >= 0 && k != i)
            continue;
        used +=
            (size_t)snprintf(out + used, n - used, "%s(%s < %lld%s%s%s)", used ? " OR " : "",
                             r->column, (long long)(now - r->seconds), r->if_null ? " AND " : "",
                             r->if_null ? r->if_null : "", r->if_null ? " IS NULL" : "");
    }
}

static int64_t
count_where(struct world *w, const char *table, const char *cond, int negate)
{
    char sql[600];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE %s(%s)", table, negate ? "NOT " : "",
             cond);
    return raw_int(w, sql, NULL);
}

static void
test_rows_past_their_period_go(void **state)
{
    struct world *w = *state;
    int64_t now = NOW;
    size_t n = privacy_table_count();
    int64_t kept[64], deleted[64];
    assert_true(n < 64);
    int rules = 0, missing = 0;
    for (size_t i = 0; i < n; i++) {
        const struct privacy_table *t = privacy_table_at(i);
        char cond[600];
        past(cond, sizeof cond, t, now, -1);
        kept[i] = cond[0] ? count_where(w, t->table, cond, 1) : -1;
        if (!cond[0])
            continue;
        /* Each rule has rows to delete, and the table rows to keep. */
        for (int k = 0;; k++) {
            char one[600];
            past(one, sizeof one, t, now, k);
            if (!one[0])
                break;
            rules++;
            if (count_where(w, t->table, one, 0) < 1) {
                fprintf(stderr,
                        "no row of %s is past the clean-up rule %s: add old data to "
                        "fill() in tests/unit/privacy/privacy_test.h\n",
                        t->table, one);
                missing++;
            }
        }
        if (kept[i] < 1) {
            fprintf(stderr, "no row of %s is within its retention period: add recent data\n",
                    t->table);
            missing++;
        }
    }
    assert_int_equal(missing, 0);
    assert_true(rules >= 10);

    int64_t new_msgs = raw_int(w, "SELECT count(*) FROM messages WHERE person_id = ?", "i", NEW.p);
    assert_true(new_msgs >= 4);
    assert_int_equal(privacy_retention_run(w->db, now, deleted), NOABER_OK);
    int64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        const struct privacy_table *t = privacy_table_at(i);
        char cond[600];
        past(cond, sizeof cond, t, now, -1);
        total += deleted[i];
        if (!cond[0]) {
            assert_int_equal(deleted[i], 0);
            continue;
        }
        if (count_where(w, t->table, cond, 0) != 0)
            fail_msg("%s still has rows past their period (%s)", t->table, cond);
        if (count_where(w, t->table, cond, 1) != kept[i])
            fail_msg("%s lost rows within their period", t->table);
    }
    assert_true(total > 20);
    /* The recent person is whole: they still log in, and their messages are there. */
    assert_int_equal(raw_int(w, "SELECT count(*) FROM messages WHERE person_id = ?", "i", NEW.p),
                     new_msgs);
    assert_int_equal(raw_int(w, "SELECT count(*) FROM sessions WHERE person_id = ?", "i", OLD.p),
                     0);
    assert_int_equal(raw_int(w, "SELECT count(*) FROM sessions WHERE person_id = ?", "i", NEW.p),
                     1);
    /* A second run finds nothing more. */
    assert_int_equal(privacy_retention_run(w->db, now, deleted), NOABER_OK);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(deleted[i], 0);
}

static void
test_daily_thread(void **state)
{
    struct world *w = *state;
    int64_t before = raw_int(w, "SELECT count(*) FROM audit_log", NULL);
    struct noaber_dbpool *pool = noaber_dbpool_new(w->path);
    /* Not yet: it waits for its first delay, and stops at once when asked. */
    struct privacy_worker *idle = privacy_worker_start(pool, 3600, 86400);
    assert_non_null(idle);
    privacy_worker_stop(idle);
    assert_int_equal(raw_int(w, "SELECT count(*) FROM audit_log", NULL), before);

    struct privacy_worker *pw = privacy_worker_start(pool, 0, 3600);
    assert_non_null(pw);
    for (int i = 0; i < 400 && privacy_worker_runs(pw) < 1; i++)
        usleep(50 * 1000);
    assert_int_equal(privacy_worker_runs(pw), 1);
    privacy_worker_stop(pw);
    /* Today's run is taken: a second server's thread checks, and leaves it. */
    struct privacy_worker *other = privacy_worker_start(pool, 0, 3600);
    assert_non_null(other);
    for (int i = 0; i < 400 && privacy_worker_checks(other) < 1; i++)
        usleep(50 * 1000);
    assert_int_equal(privacy_worker_checks(other), 1);
    assert_int_equal(privacy_worker_runs(other), 0);
    privacy_worker_stop(other);
    noaber_dbpool_free(pool);
    int64_t after = raw_int(w, "SELECT count(*) FROM audit_log", NULL);
    assert_true(after < before);
    assert_int_equal(raw_int(w, "SELECT count(*) FROM audit_log WHERE at < ?", "i",
                             noaber_now() - 5 * PRIVACY_YEAR),
                     0);
    privacy_worker_stop(NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rows_past_their_period_go, setup, teardown),
        cmocka_unit_test_setup_teardown(test_daily_thread, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
