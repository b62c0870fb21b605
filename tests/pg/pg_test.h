/*
 * Fresh databases for tests that run on either engine (header only). Without NOABER_TEST_PG a
 * target is a new SQLite file in /tmp; with NOABER_TEST_PG set to the URL of the test cluster
 * (tests/pg/cluster, which ctest starts once per run), it is a new database in that cluster,
 * created and dropped over libpq. The cluster is thrown away after the run, but databases are
 * still dropped so that a long run does not fill the disk.
 */
#ifndef NOABER_TESTS_PG_TEST_H
#define NOABER_TESTS_PG_TEST_H

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The cluster's URL, or NULL when the tests run on SQLite. */
static inline const char *
t_pg_base(void)
{
    const char *u = getenv("NOABER_TEST_PG");
    return u && *u ? u : NULL;
}

/* BASE with its database name replaced by NAME (postgresql://user@host/NAME?params). */
static inline void
t_pg_url(const char *base, const char *name, char *out, size_t n)
{
    const char *auth = strstr(base, "://");
    const char *slash = auth ? strchr(auth + 3, '/') : NULL;
    if (!slash) {
        snprintf(out, n, "%s", base);
        return;
    }
    const char *rest = slash + 1 + strcspn(slash + 1, "?");
    snprintf(out, n, "%.*s/%s%s", (int)(slash - base), base, name, rest);
}

/* Runs one statement on the cluster's maintenance database; 0 on success. */
static inline int
t_pg_admin(const char *sql)
{
    PGconn *c = PQconnectdb(t_pg_base());
    int ok = PQstatus(c) == CONNECTION_OK;
    if (ok) {
        PGresult *r = PQexec(c, sql);
        ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        if (!ok)
            fprintf(stderr, "t_pg_admin: %s: %s", sql, PQresultErrorMessage(r));
        PQclear(r);
    } else {
        fprintf(stderr, "t_pg_admin: %s", PQerrorMessage(c));
    }
    PQfinish(c);
    return ok ? 0 : -1;
}

/* A new, empty database: a malloc'd target to hand to noaber_db_open(). NULL on failure. */
static inline char *
t_db_new(const char *tag)
{
    static unsigned counter;
    char *target = malloc(512);
    if (!target)
        return NULL;
    if (!t_pg_base()) {
        snprintf(target, 512, "/tmp/noaber-%s-XXXXXX", tag);
        int fd = mkstemp(target);
        if (fd < 0) {
            free(target);
            return NULL;
        }
        close(fd);
        return target;
    }
    char name[96], sql[160];
    snprintf(name, sizeof name, "t_%s_%ld_%u", tag, (long)getpid(), ++counter);
    snprintf(sql, sizeof sql, "CREATE DATABASE \"%s\"", name);
    if (t_pg_admin(sql) != 0) {
        free(target);
        return NULL;
    }
    t_pg_url(t_pg_base(), name, target, 512);
    return target;
}

/* Removes the database TARGET (a file and its companions, or a database of the cluster) and
 * frees TARGET. */
static inline void
t_db_drop(char *target)
{
    if (!target)
        return;
    if (strncmp(target, "postgresql://", 13) == 0 && t_pg_base()) {
        const char *slash = strchr(target + 13, '/');
        char name[128] = "", sql[200];
        if (slash)
            snprintf(name, sizeof name, "%.*s", (int)strcspn(slash + 1, "?"), slash + 1);
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", name);
        t_pg_admin(sql);
    } else {
        char side[600];
        unlink(target);
        snprintf(side, sizeof side, "%s-wal", target);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", target);
        unlink(side);
    }
    free(target);
}

#endif
