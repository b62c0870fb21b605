/*
 * Helpers shared by the notify tests (header only: every tests/unit/<mod>/test_*.c is its own
 * binary): a migrated SQLite database with neighbourhoods and persons inserted by plain SQL, a
 * few one-value queries, and the fake SMTP server of tests/smtp/fake_smtp.py started on a free
 * loopback port with Debian's /usr/bin/python3.
 */
#ifndef NOABER_TESTS_NOTIFY_TEST_H
#define NOABER_TESTS_NOTIFY_TEST_H

#include "base/util.h"
#include "db/db.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define T_NOW 1800000000LL /* 2027-01-15, the pinned clock */

static inline struct noaber_db *
t_open(const char *target)
{
    struct noaber_db *db = NULL;
    assert_int_equal(noaber_db_open(target, &db), NOABER_OK);
    assert_int_equal(noaber_db_migrate(db, NULL), NOABER_OK);
    return db;
}

static inline int64_t
t_hood(struct noaber_db *db, const char *slug)
{
    static const char sql[] =
        "INSERT INTO neighbourhoods (slug, name, created_at) VALUES (?, ?, ?) RETURNING id";
    struct noaber_stmt *st;
    int row = 0;
    assert_int_equal(noaber_db_query(db, &st, sql, "tti", slug, slug, (int64_t)T_NOW), NOABER_OK);
    assert_int_equal(noaber_stmt_step(st, &row), NOABER_OK);
    assert_true(row);
    int64_t id = noaber_stmt_int(st, 0);
    noaber_stmt_reset(st);
    return id;
}

/* A person; EMAIL may be NULL, VERIFIED 0 leaves email_verified_at NULL. */
static inline int64_t
t_person(struct noaber_db *db, const char *name, const char *email, int verified,
         const char *channel)
{
    static const char sql[] =
        "INSERT INTO persons (email, display_name, channel, phone, postal_address, "
        "email_verified_at, created_at) VALUES (?, ?, ?, ?, ?, NULLIF(?, 0), ?) RETURNING id";
    char phone[32], address[64];
    snprintf(phone, sizeof phone, "06-%s", name);
    snprintf(address, sizeof address, "Dorpsstraat 1, %s", name);
    struct noaber_stmt *st;
    int row = 0;
    assert_int_equal(noaber_db_query(db, &st, sql, "tttttii", email, name, channel, phone, address,
                                     (int64_t)(verified ? T_NOW : 0), (int64_t)T_NOW),
                     NOABER_OK);
    assert_int_equal(noaber_stmt_step(st, &row), NOABER_OK);
    assert_true(row);
    int64_t id = noaber_stmt_int(st, 0);
    noaber_stmt_reset(st);
    return id;
}

static inline void
t_member(struct noaber_db *db, int64_t person, int64_t hood, const char *role)
{
    static const char sql[] = "INSERT INTO memberships (person_id, neighbourhood_id, role, "
                              "created_at) VALUES (?, ?, ?, ?)";
    assert_int_equal(noaber_db_run(db, sql, "iiti", person, hood, role, (int64_t)T_NOW), NOABER_OK);
}

/* The first column of a one-row query with one integer argument. */
static inline int64_t
t_int(struct noaber_db *db, const char *sql, int64_t arg)
{
    int64_t v = -1;
    assert_int_equal(noaber_db_int(db, &v, NULL, sql, "i", arg), NOABER_OK);
    return v;
}

/* ---- the fake SMTP server ------------------------------------------------------------------ */

#define T_PYTHON "/usr/bin/python3"

struct t_smtp {
    pid_t pid;
    int in; /* its stdin: closing it stops the server too */
    int port;
    char log[128];
};

/* 1 when Debian's aiosmtpd can be imported. */
static inline int
t_smtp_available(void)
{
    return access(T_PYTHON, X_OK) == 0 &&
           system(T_PYTHON " -c 'import aiosmtpd' >/dev/null 2>&1") == 0;
}

/* Starts the server with extra arguments ARGS (NULL-terminated, may be NULL). */
static inline void
t_smtp_start(struct t_smtp *s, const char *const *args)
{
    const char *root = getenv("NOABER_SOURCE");
    char script[1024];
    snprintf(script, sizeof script, "%s/tests/smtp/fake_smtp.py", root ? root : ".");
    snprintf(s->log, sizeof s->log, "/tmp/noaber-notify-smtp-XXXXXX");
    int fd = mkstemp(s->log);
    assert_true(fd >= 0);
    close(fd);
    int in[2], out[2];
    assert_int_equal(pipe(in), 0);
    assert_int_equal(pipe(out), 0);
    const char *argv[32] = {T_PYTHON, script, "--log", s->log};
    int argc = 4;
    for (int i = 0; args && args[i] && argc < 30; i++)
        argv[argc++] = args[i];
    argv[argc] = NULL;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        execv(T_PYTHON, (char *const *)argv);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    s->pid = pid;
    s->in = in[1];
    char line[64];
    size_t n = 0;
    while (n + 1 < sizeof line) { /* "PORT <n>\n" */
        ssize_t r = read(out[0], line + n, 1);
        if (r <= 0 || line[n] == '\n')
            break;
        n++;
    }
    line[n] = '\0';
    close(out[0]);
    if (sscanf(line, "PORT %d", &s->port) != 1)
        fail_msg("fake SMTP server did not start (got '%s')", line);
}

static inline void
t_smtp_stop(struct t_smtp *s)
{
    int status;
    kill(s->pid, SIGTERM);
    close(s->in);
    while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
        ;
    unlink(s->log);
}

#endif
