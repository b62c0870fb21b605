/*
 * Delivery tests of the notify module against a real SMTP server on loopback: the fake server of
 * tests/smtp/fake_smtp.py (Debian's python3-aiosmtpd), which refuses a seeded fraction of RCPT
 * and DATA commands with a 4xx or 5xx and logs every message it accepts. With the clock moved
 * forward past the back-off between passes, they prove that every message is accepted exactly
 * once -- by one worker, and by two workers racing on one database file -- that refusals are
 * retried (5xx fewer times than 4xx), that a stale claim of a dead process is taken over and a
 * fresh one is not, that what arrives parses back to what was queued (encoded subject,
 * quoted-printable body, dot-stuffing left to libcurl, AUTH), and that the worker thread is woken
 * by notify_queue() and stops cleanly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/util.h"
#include "notify/notify_int.h"
#include "notify_test.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#define N_MESSAGES 200

/* ---- the server's log ------------------------------------------------------------------------ */

struct received {
    json_t **rec;
    size_t n;
};

static void
read_log(const char *path, struct received *r)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *line = NULL;
    size_t cap = 0;
    r->rec = NULL;
    r->n = 0;
    while (getline(&line, &cap, f) > 0) {
        json_error_t err;
        json_t *j = json_loads(line, 0, &err);
        if (!j)
            fail_msg("bad log line: %s", err.text);
        r->rec = realloc(r->rec, (r->n + 1) * sizeof *r->rec);
        r->rec[r->n++] = j;
    }
    free(line);
    fclose(f);
}

static void
free_log(struct received *r)
{
    for (size_t i = 0; i < r->n; i++)
        json_decref(r->rec[i]);
    free(r->rec);
}

static const char *
field(json_t *rec, const char *name)
{
    const char *s = json_string_value(json_object_get(rec, name));
    return s ? s : "";
}

/* How often the server accepted MESSAGE_ID. */
static int
times_received(const struct received *r, const char *message_id)
{
    int count = 0;
    for (size_t i = 0; i < r->n; i++)
        count += strcmp(field(r->rec[i], "message_id"), message_id) == 0;
    return count;
}

/* Every message in the database was accepted exactly once, and nothing else was. */
static void
assert_exactly_once(struct noaber_db *db, const char *log, size_t expect)
{
    struct received r;
    read_log(log, &r);
    assert_int_equal(r.n, expect);
    static const char sql[] = "SELECT message_id FROM messages ORDER BY id";
    struct noaber_stmt *st;
    int row = 0;
    size_t seen = 0;
    assert_int_equal(noaber_db_query(db, &st, sql, ""), NOABER_OK);
    while (noaber_stmt_step(st, &row) == NOABER_OK && row) {
        const char *id = noaber_stmt_text(st, 0);
        if (times_received(&r, id) != 1)
            fail_msg("%s was accepted %d times", id, times_received(&r, id));
        seen++;
    }
    noaber_stmt_reset(st);
    assert_int_equal(seen, expect);
    free_log(&r);
}

/* ---- fixture -----------------------------------------------------------------------------------
 */

struct fx {
    struct noaber_db *db;
    char path[64]; /* a database file, for tests with several connections */
    struct noaber_config cfg;
    struct t_smtp smtp;
    int have_smtp;
    int64_t hood;
    int64_t persons[20];
};

static void
fx_config(struct fx *f)
{
    noaber_config_defaults(&f->cfg);
    snprintf(f->cfg.public_url, sizeof f->cfg.public_url, "https://buurt.example.nl/");
    snprintf(f->cfg.smtp_host, sizeof f->cfg.smtp_host, "127.0.0.1");
    snprintf(f->cfg.smtp_from, sizeof f->cfg.smtp_from,
             "Buurtco\xc3\xb6peratie Noord <noreply@buurt.example.nl>");
    f->cfg.smtp_port = f->smtp.port;
    notify_init(&f->cfg);
}

/* A database (in memory, or in a file when FILE), persons with verified e-mail, and (when ARGS
 * is not NULL) the fake server started with ARGS. */
static struct fx *
fx_new(int file, const char *const *args)
{
    struct fx *f = calloc(1, sizeof *f);
    noaber_time_set(T_NOW);
    notify_policy_set(NULL);
    if (args) {
        t_smtp_start(&f->smtp, args);
        f->have_smtp = 1;
    }
    if (file) {
        snprintf(f->path, sizeof f->path, "/tmp/noaber-notify-db-XXXXXX");
        int fd = mkstemp(f->path);
        assert_true(fd >= 0);
        close(fd);
    }
    f->db = t_open(file ? f->path : ":memory:");
    fx_config(f);
    f->hood = t_hood(f->db, "noord");
    for (int i = 0; i < 20; i++) {
        char name[32], email[64];
        snprintf(name, sizeof name, "bewoner%02d", i);
        snprintf(email, sizeof email, "bewoner%02d@example.nl", i);
        f->persons[i] = t_person(f->db, name, email, 1, "email");
    }
    return f;
}

static void
fx_free(struct fx *f)
{
    noaber_db_close(f->db);
    if (f->have_smtp)
        t_smtp_stop(&f->smtp);
    if (f->path[0]) {
        char side[80];
        unlink(f->path);
        snprintf(side, sizeof side, "%s-wal", f->path);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", f->path);
        unlink(side);
    }
    noaber_time_set(0);
    notify_policy_set(NULL);
    free(f);
}

struct batch {
    struct fx *f;
    int from, count;
    const char *subject, *body, *link;
    int64_t last_row;
};

static enum noaber_err
queue_tx(struct noaber_db *db, void *vctx)
{
    struct batch *b = vctx;
    for (int i = b->from; i < b->from + b->count; i++) {
        char subject[64];
        snprintf(subject, sizeof subject, "Bericht %d", i);
        struct notify_msg m = {
            b->f->persons[i % 20],        b->f->hood, "test", b->subject ? b->subject : subject,
            b->body ? b->body : "Hallo.", b->link};
        enum noaber_err e = notify_queue(db, &m, &b->last_row);
        if (e != NOABER_OK)
            return e;
    }
    return NOABER_OK;
}

/* Queues COUNT messages (in transactions of 50) and hands back the last message row. */
static int64_t
queue_many(struct fx *f, int count)
{
    struct batch b = {f, 0, 0, NULL, NULL, NULL, 0};
    for (int i = 0; i < count; i += 50) {
        b.from = i;
        b.count = count - i < 50 ? count - i : 50;
        assert_int_equal(noaber_db_tx(f->db, queue_tx, &b), NOABER_OK);
    }
    return b.last_row;
}

static int64_t
count_status(struct noaber_db *db, const char *status)
{
    static const char sql_pending[] =
        "SELECT COUNT(*) FROM deliveries WHERE status = 'pending' AND id > ?";
    static const char sql_sent[] =
        "SELECT COUNT(*) FROM deliveries WHERE status = 'sent' AND id > ?";
    static const char sql_failed[] =
        "SELECT COUNT(*) FROM deliveries WHERE status = 'failed' AND id > ?";
    const char *sql = strcmp(status, "pending") == 0 ? sql_pending
                      : strcmp(status, "sent") == 0  ? sql_sent
                                                     : sql_failed;
    return t_int(db, sql, 0);
}

#define NEED_SMTP()                                                                                \
    do {                                                                                           \
        if (!t_smtp_available()) {                                                                 \
            print_message("skipped: " T_PYTHON " cannot import aiosmtpd "                          \
                          "(apt-get install python3-aiosmtpd)\n");                                 \
            skip();                                                                                \
        }                                                                                          \
    } while (0)

/* ---- exactly once through a flaky server --------------------------------------------------------
 */

static void
test_exactly_once(void **state)
{
    (void)state;
    NEED_SMTP();
    const char *args[] = {"--seed", "7", "--fail-rate", "0.3", "--hard-share", "0.3", NULL};
    struct fx *f = fx_new(0, args);
    struct notify_policy p;
    notify_policy_default(&p);
    p.max_attempts = 200; /* high enough that nothing is given up */
    p.max_hard = 200;
    p.max_delay = 3600;
    p.batch = 25;
    notify_policy_set(&p);
    queue_many(f, N_MESSAGES);
    struct notify_stats before, after;
    notify_stats(&before);

    int64_t now = T_NOW;
    int total_sent = 0, total_failed = 0, rounds = 0;
    while (count_status(f->db, "pending") > 0 && rounds < 60) {
        int sent = -1, failed = -1;
        assert_int_equal(notify_deliver_due(f->db, &f->cfg, "worker-a", &sent, &failed), NOABER_OK);
        total_sent += sent;
        total_failed += failed;
        now += 3601; /* past every back-off */
        noaber_time_set(now);
        rounds++;
    }
    notify_stats(&after);
    assert_int_equal(count_status(f->db, "pending"), 0);
    assert_int_equal(count_status(f->db, "sent"), N_MESSAGES);
    assert_int_equal(total_sent, N_MESSAGES);
    assert_int_equal(total_failed, 0);
    assert_int_equal(after.sent - before.sent, N_MESSAGES);
    assert_int_equal(after.failed - before.failed, 0);
    /* Refusals happened and were retried, 5xx ones included. */
    assert_true(after.retried - before.retried > 20);
    assert_true(rounds > 1);
    assert_true(t_int(f->db, "SELECT SUM(attempts) FROM deliveries WHERE id > ?", 0) > N_MESSAGES);
    assert_true(t_int(f->db, "SELECT COUNT(*) FROM deliveries WHERE hard_failures > ?", 0) > 0);
    assert_int_equal(t_int(f->db,
                           "SELECT COUNT(*) FROM deliveries WHERE claimed_by IS NOT NULL "
                           "AND id > ?",
                           0),
                     0);
    assert_exactly_once(f->db, f->smtp.log, N_MESSAGES);
    fx_free(f);
}

/* ---- two workers on one database
 * ----------------------------------------------------------------- */

struct racer {
    struct noaber_db *db;
    const struct noaber_config *cfg;
    const char *id;
    int sent;
    enum noaber_err e;
};

static void *
race(void *arg)
{
    struct racer *r = arg;
    int sent = 0;
    r->e = notify_deliver_due(r->db, r->cfg, r->id, &sent, NULL);
    r->sent += sent;
    return NULL;
}

static void
test_two_workers(void **state)
{
    (void)state;
    NEED_SMTP();
    const char *args[] = {"--seed", "11", "--fail-rate", "0.2", NULL};
    struct fx *f = fx_new(1, args);
    struct notify_policy p;
    notify_policy_default(&p);
    p.max_attempts = 200;
    p.max_hard = 200;
    p.max_delay = 3600;
    p.batch = 10;
    notify_policy_set(&p);
    queue_many(f, N_MESSAGES);

    struct racer r[2] = {{NULL, &f->cfg, "process-a", 0, NOABER_OK},
                         {NULL, &f->cfg, "process-b", 0, NOABER_OK}};
    for (int i = 0; i < 2; i++)
        assert_int_equal(noaber_db_open(f->path, &r[i].db), NOABER_OK);
    int64_t now = T_NOW;
    for (int rounds = 0; count_status(f->db, "pending") > 0 && rounds < 60; rounds++) {
        /* The clock is only moved while no worker runs. */
        pthread_t t[2];
        for (int i = 0; i < 2; i++)
            assert_int_equal(pthread_create(&t[i], NULL, race, &r[i]), 0);
        for (int i = 0; i < 2; i++) {
            pthread_join(t[i], NULL);
            assert_int_equal(r[i].e, NOABER_OK);
        }
        now += 3601;
        noaber_time_set(now);
    }
    for (int i = 0; i < 2; i++)
        noaber_db_close(r[i].db);
    print_message("process-a sent %d, process-b sent %d\n", r[0].sent, r[1].sent);
    assert_int_equal(count_status(f->db, "sent"), N_MESSAGES);
    assert_int_equal(r[0].sent + r[1].sent, N_MESSAGES);
    assert_true(r[0].sent > 0 && r[1].sent > 0); /* both took part */
    assert_exactly_once(f->db, f->smtp.log, N_MESSAGES);
    fx_free(f);
}

/* ---- 5xx is given up sooner than 4xx
 * -------------------------------------------------------------- */

/* Runs passes 7 hours apart until nothing is pending; hands back the total given up. */
static int
drain(struct fx *f, int max_rounds)
{
    int total_failed = 0;
    int64_t now = noaber_now();
    for (int i = 0; i < max_rounds && count_status(f->db, "pending") > 0; i++) {
        int failed = 0;
        assert_int_equal(notify_deliver_due(f->db, &f->cfg, "w", NULL, &failed), NOABER_OK);
        total_failed += failed;
        now += 7 * 3600;
        noaber_time_set(now);
    }
    return total_failed;
}

static void
test_give_up(void **state)
{
    (void)state;
    NEED_SMTP();
    struct notify_stats before, after;
    notify_stats(&before);
    const char *hard[] = {"--fail-rate", "1", "--hard-share", "1", NULL};
    struct fx *f = fx_new(0, hard);
    struct notify_policy p;
    notify_policy_default(&p); /* 15 attempts, 3 of them 5xx */
    int64_t row = queue_many(f, 1);
    assert_int_equal(drain(f, 20), 1);
    assert_int_equal(t_int(f->db, "SELECT attempts FROM deliveries WHERE message_row = ?", row),
                     p.max_hard);
    assert_int_equal(
        t_int(f->db, "SELECT hard_failures FROM deliveries WHERE message_row = ?", row), 3);
    assert_int_equal(count_status(f->db, "failed"), 1);
    int64_t code = t_int(f->db, "SELECT last_code FROM deliveries WHERE message_row = ?", row);
    assert_true(code >= 550 && code <= 554);
    struct notify_delivery *d;
    size_t n;
    struct noaber_arena *arena = noaber_arena_new(0);
    assert_int_equal(notify_deliveries_of(f->db, arena, row, &d, &n), NOABER_OK);
    assert_string_equal(d[0].status, "failed");
    assert_true(strlen(d[0].last_error) > 0);
    struct received r;
    read_log(f->smtp.log, &r);
    assert_int_equal(r.n, 0);
    free_log(&r);
    fx_free(f);

    /* Only 4xx: retried up to max_attempts. */
    const char *soft[] = {"--fail-rate", "1", "--hard-share", "0", NULL};
    f = fx_new(0, soft);
    p.max_attempts = 6;
    notify_policy_set(&p);
    row = queue_many(f, 1);
    assert_int_equal(drain(f, 20), 1);
    assert_int_equal(t_int(f->db, "SELECT attempts FROM deliveries WHERE message_row = ?", row), 6);
    assert_int_equal(
        t_int(f->db, "SELECT hard_failures FROM deliveries WHERE message_row = ?", row), 0);
    code = t_int(f->db, "SELECT last_code FROM deliveries WHERE message_row = ?", row);
    assert_true(code >= 450 && code <= 452);
    notify_stats(&after);
    assert_int_equal(after.failed - before.failed, 2);
    assert_int_equal(after.retried - before.retried, 2 + 5);
    fx_free(f);
    noaber_arena_free(arena);
}

/* ---- a dead process's claim
 * ----------------------------------------------------------------------- */

static void
test_stale_claim(void **state)
{
    (void)state;
    NEED_SMTP();
    const char *args[] = {NULL};
    struct fx *f = fx_new(0, args);
    queue_many(f, 3); /* rows 1, 2, 3 */
    static const char claim[] =
        "UPDATE deliveries SET claimed_by = ?, claimed_at = ? WHERE message_row = ?";
    /* Row 1 was claimed 1000 s ago by a process that died; row 2 10 s ago by one still busy. */
    assert_int_equal(noaber_db_run(f->db, claim, "tii", "dead-process", T_NOW - 1000, (int64_t)1),
                     NOABER_OK);
    assert_int_equal(noaber_db_run(f->db, claim, "tii", "busy-process", T_NOW - 10, (int64_t)2),
                     NOABER_OK);
    int sent = 0;
    assert_int_equal(notify_deliver_due(f->db, &f->cfg, "w", &sent, NULL), NOABER_OK);
    assert_int_equal(sent, 2); /* rows 1 and 3 */
    static const char status[] =
        "SELECT COUNT(*) FROM deliveries WHERE status = 'sent' AND message_row = ?";
    assert_int_equal(t_int(f->db, status, 1), 1);
    assert_int_equal(t_int(f->db, status, 2), 0);
    assert_int_equal(t_int(f->db, status, 3), 1);

    /* A worker that lost its claim cannot record an outcome over the new owner's. */
    int64_t id = t_int(f->db, "SELECT id FROM deliveries WHERE message_row = ?", 2);
    assert_int_equal(notify_store_mark_sent(f->db, id, "someone-else", T_NOW, 250),
                     NOABER_E_CONFLICT);
    int held = 1;
    assert_int_equal(notify_store_touch(f->db, id, "someone-else", T_NOW, &held), NOABER_OK);
    assert_false(held);

    /* Once the busy process's claim is stale too, it is taken over. */
    noaber_time_set(T_NOW + 301);
    assert_int_equal(notify_deliver_due(f->db, &f->cfg, "w", &sent, NULL), NOABER_OK);
    assert_int_equal(sent, 1);
    assert_int_equal(t_int(f->db, status, 2), 1);
    assert_exactly_once(f->db, f->smtp.log, 3);
    fx_free(f);
}

/* ---- what arrives
 * ------------------------------------------------------------------------------------ */

static void
test_content_and_auth(void **state)
{
    (void)state;
    NEED_SMTP();
    const char *args[] = {"--user", "noaber", "--password", "geheim", NULL};
    struct fx *f = fx_new(0, args);
    snprintf(f->cfg.smtp_user, sizeof f->cfg.smtp_user, "noaber");
    snprintf(f->cfg.smtp_password, sizeof f->cfg.smtp_password, "geheim");
    const char *subject = "Caf\xc3\xa9 de Buurt \xe2\x80\x94 de wandeling van zaterdag gaat niet "
                          "door \xf0\x9f\x8c\xb3 (regen)";
    char body[2048];
    char longline[301];
    memset(longline, 'w', 300);
    longline[300] = '\0';
    snprintf(body, sizeof body,
             "Hallo,\n.\n..twee punten\n.een punt\nformule: a = b\n%s\n"
             "Groet van de co\xc3\xb6peratie \xe2\x82\xac 5,-\nspaties aan het eind   \n",
             longline);
    struct batch b = {f, 0, 1, subject, body, "/events/12", 0};
    assert_int_equal(noaber_db_tx(f->db, queue_tx, &b), NOABER_OK);
    int sent = 0;
    assert_int_equal(notify_deliver_due(f->db, &f->cfg, NULL, &sent, NULL), NOABER_OK);
    assert_int_equal(sent, 1);

    struct received r;
    read_log(f->smtp.log, &r);
    assert_int_equal(r.n, 1);
    json_t *m = r.rec[0];
    struct noaber_arena *arena = noaber_arena_new(0);
    struct notify_message msg;
    assert_int_equal(notify_inbox_get(f->db, arena, f->persons[0], b.last_row, &msg), NOABER_OK);
    assert_string_equal(field(m, "message_id"), msg.message_id);
    assert_string_equal(field(m, "subject"), subject);
    char expect[2300];
    snprintf(expect, sizeof expect, "%s\nhttps://buurt.example.nl/events/12\n", body);
    assert_string_equal(field(m, "body"), expect); /* dots arrive once: libcurl stuffed them */
    assert_string_equal(field(m, "mail_from"), "noreply@buurt.example.nl");
    assert_string_equal(json_string_value(json_array_get(json_object_get(m, "rcpt_tos"), 0)),
                        "bewoner00@example.nl");
    assert_int_equal(json_array_size(json_object_get(m, "rcpt_tos")), 1);
    assert_string_equal(field(m, "to"), "bewoner00@example.nl");
    assert_string_equal(field(m, "from"),
                        "Buurtco\xc3\xb6peratie Noord <noreply@buurt.example.nl>");
    assert_string_equal(field(m, "date"), "Fri, 15 Jan 2027 08:00:00 +0000");
    assert_string_equal(field(m, "content_type"), "text/plain");
    assert_string_equal(field(m, "charset"), "utf-8");
    assert_int_equal(json_array_size(json_object_get(m, "defects")), 0);
    assert_int_equal(json_integer_value(json_object_get(m, "bare_lf")), 0);
    assert_true(json_integer_value(json_object_get(m, "max_line")) <= 78);
    assert_true(json_is_true(json_object_get(m, "authenticated")));
    free_log(&r);

    /* A wrong password: refused with 535, kept for a retry, counted as a 5xx. */
    snprintf(f->cfg.smtp_password, sizeof f->cfg.smtp_password, "fout");
    int64_t row = queue_many(f, 1);
    assert_int_equal(notify_deliver_due(f->db, &f->cfg, NULL, &sent, NULL), NOABER_OK);
    assert_int_equal(sent, 0);
    struct notify_delivery *d;
    size_t n;
    assert_int_equal(notify_deliveries_of(f->db, arena, row, &d, &n), NOABER_OK);
    assert_string_equal(d[0].status, "pending");
    assert_int_equal(d[0].last_code, 535);
    assert_int_equal(d[0].hard_failures, 1);
    assert_true(d[0].next_attempt_at > T_NOW);
    noaber_arena_free(arena);
    fx_free(f);
}

/* ---- no server, no settings
 * ---------------------------------------------------------------------- */

static void
test_unreachable_and_unconfigured(void **state)
{
    (void)state;
    struct fx *f = fx_new(0, NULL);
    int64_t row = queue_many(f, 1);
    /* No smtp_host: nothing happens, the mail waits. */
    f->cfg.smtp_host[0] = '\0';
    int sent = -1, failed = -1;
    assert_int_equal(notify_deliver_due(f->db, &f->cfg, "w", &sent, &failed), NOABER_OK);
    assert_int_equal(sent, 0);
    assert_int_equal(failed, 0);
    assert_int_equal(t_int(f->db, "SELECT attempts FROM deliveries WHERE message_row = ?", row), 0);

    /* A port where nobody listens: no reply at all, so a retry after the back-off. */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &len), 0);
    close(s);
    snprintf(f->cfg.smtp_host, sizeof f->cfg.smtp_host, "127.0.0.1");
    f->cfg.smtp_port = ntohs(a.sin_port);
    assert_int_equal(notify_deliver_due(f->db, &f->cfg, "w", &sent, &failed), NOABER_OK);
    assert_int_equal(sent, 0);
    assert_int_equal(failed, 0);
    struct noaber_arena *arena = noaber_arena_new(0);
    struct notify_delivery *d;
    size_t n;
    assert_int_equal(notify_deliveries_of(f->db, arena, row, &d, &n), NOABER_OK);
    assert_string_equal(d[0].status, "pending");
    assert_int_equal(d[0].attempts, 1);
    assert_int_equal(d[0].last_code, 0);
    assert_true(strlen(d[0].last_error) > 0);
    assert_true(d[0].next_attempt_at >= T_NOW + 22 && d[0].next_attempt_at <= T_NOW + 30);
    /* Not due yet: a second pass leaves it alone. */
    assert_int_equal(notify_deliver_due(f->db, &f->cfg, "w", &sent, &failed), NOABER_OK);
    assert_int_equal(t_int(f->db, "SELECT attempts FROM deliveries WHERE message_row = ?", row), 1);
    noaber_arena_free(arena);
    fx_free(f);
}

/* ---- the worker thread
 * ---------------------------------------------------------------------------- */

static void
test_worker_thread(void **state)
{
    (void)state;
    NEED_SMTP();
    const char *args[] = {NULL};
    struct fx *f = fx_new(1, args);
    noaber_time_set(0); /* the real clock: the thread's waits are real */
    struct notify_policy p;
    notify_policy_default(&p);
    p.poll_interval = 60; /* only a wake can make it deliver within the test */
    notify_policy_set(&p);
    struct noaber_dbpool *pool = noaber_dbpool_new(f->path);
    struct notify_worker *w = notify_worker_start(pool, &f->cfg, "thread-1");
    assert_non_null(w);
    usleep(200 * 1000); /* let its first pass find nothing and go to sleep */
    queue_many(f, 30);  /* notify_queue wakes it */
    int64_t t0 = noaber_mono_ms();
    while (count_status(f->db, "sent") < 30 && noaber_mono_ms() - t0 < 15000)
        usleep(50 * 1000);
    assert_int_equal(count_status(f->db, "sent"), 30);
    t0 = noaber_mono_ms();
    notify_worker_stop(w);
    assert_true(noaber_mono_ms() - t0 < 2000);
    noaber_dbpool_free(pool);
    assert_exactly_once(f->db, f->smtp.log, 30);
    notify_worker_stop(NULL);
    fx_free(f);
}

int
main(void)
{
    noaber_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exactly_once),
        cmocka_unit_test(test_two_workers),
        cmocka_unit_test(test_give_up),
        cmocka_unit_test(test_stale_claim),
        cmocka_unit_test(test_content_and_auth),
        cmocka_unit_test(test_unreachable_and_unconfigured),
        cmocka_unit_test(test_worker_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
