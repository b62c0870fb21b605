/*
 * The delivery worker: one thread per worker that runs the delivery pass of notify.c every
 * poll_interval seconds and soon after notify_worker_wake(), on its own database connection from
 * the pool. Waking is process-wide (one condition variable and a generation counter), so that
 * notify_queue() can wake the workers without knowing them. A woken worker waits a moment
 * before it claims: the wake comes from inside the queueing transaction, whose rows become
 * visible only at its commit; what a pass still misses, the next poll finds.
 */
#include "notify/notify_int.h"

#include "base/arena.h"
#include "base/config.h"
#include "base/log.h"
#include "base/util.h"
#include "db/db.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WAKE_DELAY_MS 100

struct notify_worker {
    pthread_t thread;
    struct noaber_dbpool *pool;
    struct noaber_config cfg;
    char id[128];
    atomic_int stop;
};

static pthread_once_t wake_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t wake_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake_cond;
static unsigned long wake_gen;

static void
wake_init(void)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&wake_cond, &attr);
    pthread_condattr_destroy(&attr);
}

void
notify_worker_wake(void)
{
    pthread_once(&wake_once, wake_init);
    pthread_mutex_lock(&wake_lock);
    wake_gen++;
    pthread_cond_broadcast(&wake_cond);
    pthread_mutex_unlock(&wake_lock);
}

void
notify_worker_default_id(char *out, size_t n)
{
    char host[64] = "", hex[9];
    if (gethostname(host, sizeof host - 1) != 0 || !host[0])
        snprintf(host, sizeof host, "localhost");
    noaber_random_hex(hex, 4);
    snprintf(out, n, "%s-%ld-%s", host, (long)getpid(), hex);
}

/* Waits until MS milliseconds have passed, the worker is told to stop, or (when WAKEABLE) the
 * wake generation moves past *SEEN. Returns 1 when woken. */
static int
wait_for(struct notify_worker *w, long ms, int wakeable, unsigned long *seen)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    int woken = 0;
    pthread_mutex_lock(&wake_lock);
    while (!atomic_load(&w->stop)) {
        if (wakeable && wake_gen != *seen) {
            woken = 1;
            break;
        }
        if (pthread_cond_timedwait(&wake_cond, &wake_lock, &until) == ETIMEDOUT)
            break;
    }
    *seen = wake_gen;
    pthread_mutex_unlock(&wake_lock);
    return woken;
}

static void *
run(void *arg)
{
    struct notify_worker *w = arg;
    struct notify_policy pol;
    unsigned long seen;
    pthread_mutex_lock(&wake_lock);
    seen = wake_gen;
    pthread_mutex_unlock(&wake_lock);
    noaber_info("notify: delivery worker %s started", w->id);
    while (!atomic_load(&w->stop)) {
        struct noaber_db *db = noaber_dbpool_get(w->pool);
        if (db) {
            int sent = 0, failed = 0;
            enum noaber_err e = notify_deliver_pass(db, &w->cfg, w->id, &w->stop, &sent, &failed);
            if (e != NOABER_OK)
                noaber_warn("notify: delivery pass failed: %s", noaber_err_name(e));
            noaber_db_release(db);
        }
        notify_policy_get(&pol);
        if (wait_for(w, pol.poll_interval * 1000L, 1, &seen))
            wait_for(w, WAKE_DELAY_MS, 0, &seen); /* let the queueing transaction commit */
    }
    noaber_info("notify: delivery worker %s stopped", w->id);
    return NULL;
}

struct notify_worker *
notify_worker_start(struct noaber_dbpool *pool, const struct noaber_config *cfg,
                    const char *worker_id)
{
    pthread_once(&wake_once, wake_init);
    notify_init(cfg);
    struct notify_worker *w = noaber_xcalloc(1, sizeof *w);
    w->pool = pool;
    w->cfg = *cfg;
    if (worker_id)
        snprintf(w->id, sizeof w->id, "%s", worker_id);
    else
        notify_worker_default_id(w->id, sizeof w->id);
    atomic_init(&w->stop, 0);
    if (pthread_create(&w->thread, NULL, run, w) != 0) {
        noaber_error("notify: cannot start the delivery worker");
        free(w);
        return NULL;
    }
    return w;
}

void
notify_worker_stop(struct notify_worker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&wake_lock);
    atomic_store(&w->stop, 1);
    pthread_cond_broadcast(&wake_cond);
    pthread_mutex_unlock(&wake_lock);
    pthread_join(w->thread, NULL);
    free(w);
}
