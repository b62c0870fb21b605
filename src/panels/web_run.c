/*
 * The draw as a child process. The server never runs the selection in its own threads: GLPK
 * keeps global state, is not thread-safe, and aborts the whole process on an internal error. So
 * a run writes the quotas and the volunteers (by pseudonymous number, with their answers) into a
 * temporary folder and starts `/proc/self/exe panel select ...` there with posix_spawn (safe in a
 * threaded process: nothing runs between fork and exec), its stdout and stderr going to files in
 * the folder. The run's row records "host:pid" of the server process and the child's pid.
 *
 * Nobody waits in a thread: whoever looks at the panel next (its page refreshes itself while the
 * draw runs, and the API's GET does the same) polls the child with waitpid(WNOHANG). Only the
 * process that started a child can reap it, so a run of another process is left alone while that
 * process lives, and marked failed when it does not (a server restarted during a draw): the
 * coordinator can then start again. Exit codes are remembered in a small table under a mutex, so
 * that two requests polling at once both learn the one exit code that waitpid hands out.
 */
#include "panels/web_int.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    pid_t pid;
    int code;
} reaped[64];
static unsigned nreaped;
static char runner[300];

/* Keeps the exit code of a child reaped here (with lock held) for the others who poll it. */
static void
remember(pid_t pid, int code)
{
    reaped[nreaped % 64].pid = pid;
    reaped[nreaped % 64].code = code;
    nreaped++;
}

const char *
web_run_runner(void)
{
    pthread_mutex_lock(&lock);
    if (!runner[0]) {
        char host[256] = "localhost";
        if (gethostname(host, sizeof host - 1) != 0)
            strcpy(host, "localhost");
        host[sizeof host - 1] = '\0';
        snprintf(runner, sizeof runner, "%s:%ld", host, (long)getpid());
    }
    pthread_mutex_unlock(&lock);
    return runner;
}

/* A CSV field: quoted when it holds a separator, quote or line end. */
static void
field(FILE *fp, const char *s)
{
    if (!strpbrk(s, ",;\"\r\n")) {
        fputs(s, fp);
        return;
    }
    fputc('"', fp);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', fp);
        fputc(*s, fp);
    }
    fputc('"', fp);
}

static int
write_inputs(const char *dir, const struct panels_panel *p, const struct panels_volunteer *v,
             size_t n, struct noaber_arena *a)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/features.csv", dir);
    FILE *fp = fopen(path, "w");
    if (!fp)
        return -1;
    fputs("feature,value,min,max\n", fp);
    for (size_t i = 0; i < p->nquotas; i++) {
        field(fp, p->quotas[i].feature);
        fputc(',', fp);
        field(fp, p->quotas[i].value);
        fprintf(fp, ",%d,%d\n", p->quotas[i].min, p->quotas[i].max);
    }
    int bad = fclose(fp) != 0;
    snprintf(path, sizeof path, "%s/people.csv", dir);
    if (bad || !(fp = fopen(path, "w")))
        return -1;
    fputs("id", fp);
    for (size_t f = 0; f < p->nfeatures; f++) {
        fputc(',', fp);
        field(fp, p->features[f]);
    }
    fputc('\n', fp);
    for (size_t i = 0; i < n; i++) {
        fprintf(fp, "%lld", (long long)v[i].number);
        for (size_t f = 0; f < p->nfeatures; f++) {
            fputc(',', fp);
            field(fp, panels_answer_of(v[i].answers, p->features[f], a));
        }
        fputc('\n', fp);
    }
    return fclose(fp) != 0 ? -1 : 0;
}

enum noaber_err
web_run_spawn(const struct panels_panel *p, const char *algorithm, const struct panels_volunteer *v,
              size_t n, int64_t *pid, const char **dir_out, struct noaber_arena *a)
{
    const char *tmp = getenv("TMPDIR");
    char *dir = noaber_arena_printf(a, "%s/noaber-panel-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!dir || !mkdtemp(dir)) {
        noaber_error("panels: cannot make a folder for the draw: %s", strerror(errno));
        return NOABER_E_INTERNAL;
    }
    *dir_out = dir;
    if (write_inputs(dir, p, v, n, a) != 0) {
        noaber_error("panels: cannot write the draw's input in %s", dir);
        web_run_cleanup(dir);
        return NOABER_E_INTERNAL;
    }
    char *features = noaber_arena_printf(a, "%s/features.csv", dir);
    char *people = noaber_arena_printf(a, "%s/people.csv", dir);
    char *out = noaber_arena_printf(a, "%s/out", dir);
    char *so = noaber_arena_printf(a, "%s/stdout.txt", dir);
    char *se = noaber_arena_printf(a, "%s/stderr.txt", dir);
    char *k = noaber_arena_printf(a, "%d", p->k);
    char *limit = noaber_arena_printf(a, "%d", PANELS_WEB_DRAW_SECONDS);
    char *seed = noaber_arena_strdup(a, p->seed), *alg = noaber_arena_strdup(a, algorithm);
    if (!features || !people || !out || !so || !se || !k || !seed || !limit || !alg)
        return NOABER_E_TOO_LARGE;
    /* the time limit only ever ends a draw with an error that says what to do, never with
     * another outcome */
    char *argv[] = {"noaber", "panel",        "select", "--features",  features, "--people",
                    people,   "--k",          k,        "--seed",      seed,     "--out",
                    out,      "--time-limit", limit,    "--algorithm", alg,      NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, so, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, se, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_t child = 0;
    int rc = posix_spawn(&child, "/proc/self/exe", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        noaber_error("panels: cannot start the draw: %s", strerror(rc));
        web_run_cleanup(dir);
        return NOABER_E_INTERNAL;
    }
    noaber_info("panels: draw of panel %lld started as process %ld in %s", (long long)p->id,
                (long)child, dir);
    *pid = child;
    return NOABER_OK;
}

int
web_run_poll(const struct panels_run *run, int *state, int *code)
{
    const char *me = web_run_runner();
    *code = -1;
    if (strcmp(run->runner, me) != 0) {
        /* Another process started it: alive, leave it; gone (same host, no such process), the
         * draw died with it. A runner on another host is trusted to finish its own run. */
        const char *colon = strrchr(run->runner, ':');
        size_t hl = colon ? (size_t)(colon - run->runner) : 0;
        const char *mycolon = strrchr(me, ':');
        int same_host =
            colon && mycolon && (size_t)(mycolon - me) == hl && strncmp(run->runner, me, hl) == 0;
        long other = colon ? strtol(colon + 1, NULL, 10) : 0;
        *state = same_host && other > 0 && kill((pid_t)other, 0) != 0 && errno == ESRCH ? -1 : 0;
        return 0;
    }
    if (run->child_pid <= 0) { /* the row was made, the child never started */
        *state = -1;
        return 0;
    }
    pid_t pid = (pid_t)run->child_pid;
    pthread_mutex_lock(&lock);
    *state = -1;
    unsigned have = nreaped < 64 ? nreaped : 64;
    for (unsigned i = 0; i < have; i++)
        if (reaped[i].pid == pid) {
            *state = 1;
            *code = reaped[i].code;
        }
    if (*state != 1) {
        int st = 0;
        pid_t w = waitpid(pid, &st, WNOHANG);
        if (w == 0) {
            *state = 0;
        } else if (w == pid) {
            *state = 1;
            *code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
            remember(pid, *code);
        }
    }
    pthread_mutex_unlock(&lock);
    return 0;
}

void
web_run_stop(const struct panels_run *run)
{
    if (strcmp(run->runner, web_run_runner()) != 0 || run->child_pid <= 0)
        return;
    pid_t pid = (pid_t)run->child_pid;
    pthread_mutex_lock(&lock);
    int st = 0;
    if (kill(pid, SIGKILL) == 0 && waitpid(pid, &st, 0) == pid) {
        remember(pid, 128 + SIGKILL);
    }
    pthread_mutex_unlock(&lock);
}

char *
web_run_file(const char *dir, const char *name, struct noaber_arena *a)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    struct noaber_buf b;
    noaber_buf_init(&b, a);
    noaber_buf_puts(&b, "");
    char chunk[8192];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0)
        noaber_buf_append(&b, chunk, got);
    fclose(fp);
    return b.failed ? NULL : b.data;
}

static void
remove_tree(const char *dir, int depth)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *de;
        while ((de = readdir(d)) != NULL) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            char path[4200];
            snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
            struct stat sb;
            if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode) && depth < 2)
                remove_tree(path, depth + 1);
            else
                unlink(path);
        }
        closedir(d);
    }
    rmdir(dir);
}

void
web_run_cleanup(const char *dir)
{
    /* Only folders this module made: a run's dir always starts so. */
    if (dir && *dir && strstr(dir, "/noaber-panel-"))
        remove_tree(dir, 0);
}
