/*
 * The daily clean-up thread of the server: a while after start, and then every interval (an
 * hour), it claims the day's run of the job "privacy-retention" (noaber_db_job_claim: one claim
 * per UTC date across every process and server on the database) and, when the claim is its own,
 * runs privacy_retention_run() on its own connection from the pool and logs what it deleted. So
 * the clean-up runs once a day per database, also with several servers on one PostgreSQL
 * database. A clean stop: privacy_worker_stop() wakes it, waits for a run in progress to end and
 * joins it.
 */
#include "privacy/privacy_int.h"

#include "base/log.h"
#include "base/util.h"
#include "db/db.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

struct privacy_worker {
    pthread_t thread;
    struct noaber_dbpool *pool;
    int first_delay, interval;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int stop;
    atomic_uint runs, checks;
};

/* Waits SECONDS or until told to stop; 1 when told to stop. */
static int
wait_or_stop(struct privacy_worker *w, int seconds)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += seconds;
    pthread_mutex_lock(&w->lock);
    while (!w->stop) {
        int rc = pthread_cond_timedwait(&w->cond, &w->lock, &until);
        if (rc == ETIMEDOUT)
            break;
    }
    int stop = w->stop;
    pthread_mutex_unlock(&w->lock);
    return stop;
}

static void
run_once(struct privacy_worker *w)
{
    struct noaber_db *db = noaber_dbpool_get(w->pool);
    if (!db) {
        noaber_warn("privacy clean-up: no database connection");
        return;
    }
    size_t n = privacy_table_count();
    int64_t *deleted = calloc(n ? n : 1, sizeof *deleted);
    if (!deleted)
        return;
    enum noaber_err e = privacy_retention_run(db, noaber_now(), deleted);
    int64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (deleted[i])
            noaber_info("privacy clean-up: %lld rows past their retention period deleted from %s",
                        (long long)deleted[i], privacy_table_at(i)->table);
        total += deleted[i];
    }
    free(deleted);
    noaber_db_release(db);
    if (e != NOABER_OK)
        noaber_warn("privacy clean-up failed: %s", noaber_err_name(e));
    else
        noaber_info("privacy clean-up done: %lld rows deleted", (long long)total);
    atomic_fetch_add(&w->runs, 1);
}

/* Runs the clean-up when this process claims today's run. */
static void
run_if_due(struct privacy_worker *w)
{
    struct noaber_db *db = noaber_dbpool_get(w->pool);
    char day[16];
    time_t now = (time_t)noaber_now();
    struct tm tm;
    int mine = 0;
    if (db && gmtime_r(&now, &tm) && strftime(day, sizeof day, "%Y-%m-%d", &tm)) {
        enum noaber_err e = noaber_db_job_claim(db, "privacy-retention", day, &mine);
        if (e != NOABER_OK)
            noaber_warn("privacy clean-up: cannot claim today's run: %s", noaber_err_name(e));
    }
    atomic_fetch_add(&w->checks, 1);
    if (mine)
        run_once(w);
}

static void *
worker_main(void *arg)
{
    struct privacy_worker *w = arg;
    if (wait_or_stop(w, w->first_delay))
        return NULL;
    do
        run_if_due(w);
    while (!wait_or_stop(w, w->interval));
    return NULL;
}

struct privacy_worker *
privacy_worker_start(struct noaber_dbpool *pool, int first_delay, int interval)
{
    struct privacy_worker *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->pool = pool;
    w->first_delay = first_delay < 0 ? 0 : first_delay;
    w->interval = interval < 1 ? 3600 : interval;
    pthread_mutex_init(&w->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&w->cond, &attr);
    pthread_condattr_destroy(&attr);
    if (privacy_store_init() != NOABER_OK || pthread_create(&w->thread, NULL, worker_main, w)) {
        pthread_cond_destroy(&w->cond);
        pthread_mutex_destroy(&w->lock);
        free(w);
        return NULL;
    }
    return w;
}

void
privacy_worker_stop(struct privacy_worker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stop = 1;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->cond);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

unsigned
privacy_worker_runs(struct privacy_worker *w)
{
    return w ? atomic_load(&w->runs) : 0;
}

unsigned
privacy_worker_checks(struct privacy_worker *w)
{
    return w ? atomic_load(&w->checks) : 0;
}
