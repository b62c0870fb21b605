/*
 * Runs a store test written for SQLite, unchanged, on the test PostgreSQL cluster. The test's
 * source is compiled a second time (tests/pg/CMakeLists.txt) with noaber_db_open and
 * noaber_dbpool_new renamed to the two functions below, which hand the real ones a database of the
 * cluster in place of the SQLite target: a new one for every ":memory:", and one per file path, so
 * that several connections to the same file (a test's second process, a pool) meet in the same
 * database. Everything else, the stores' SQL included, is the real code on the real server. The
 * databases are dropped when the test program ends.
 */
#undef noaber_db_open
#undef noaber_dbpool_new

#include "db/db.h"
#include "pg_test.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum noaber_err t_pg_shim_open(const char *target, struct noaber_db **out);
struct noaber_dbpool *t_pg_shim_pool_new(const char *target);

struct mapped {
    char *path, *url;
    struct mapped *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct mapped *all;
static int registered;

static void
drop_all(void)
{
    while (all) {
        struct mapped *m = all;
        all = m->next;
        t_db_drop(m->url);
        free(m->path);
        free(m);
    }
}

/* The cluster's database for TARGET (owned by the map); NULL when it cannot be made. */
static const char *
url_for(const char *target)
{
    if (noaber_db_target_is_pg(target) || !t_pg_base())
        return target;
    pthread_mutex_lock(&lock);
    const char *url = NULL;
    int memory = strcmp(target, ":memory:") == 0;
    for (struct mapped *m = all; m && !memory && !url; m = m->next)
        if (m->path && strcmp(m->path, target) == 0)
            url = m->url;
    if (!url) {
        struct mapped *m = calloc(1, sizeof *m);
        if (m && (m->url = t_db_new("store"))) {
            m->path = memory ? NULL : strdup(target);
            m->next = all;
            all = m;
            url = m->url;
        } else {
            free(m);
        }
        if (!registered) {
            atexit(drop_all);
            registered = 1;
        }
    }
    pthread_mutex_unlock(&lock);
    return url;
}

enum noaber_err
t_pg_shim_open(const char *target, struct noaber_db **out)
{
    const char *url = url_for(target);
    if (!url) {
        *out = NULL;
        return NOABER_E_DB;
    }
    return noaber_db_open(url, out);
}

struct noaber_dbpool *
t_pg_shim_pool_new(const char *target)
{
    const char *url = url_for(target);
    return noaber_dbpool_new(url ? url : target);
}
