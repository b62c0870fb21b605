/*
 * Line-oriented logging to stderr (see log.h).
 */
#include "base/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static enum noaber_log_level min_level = NOABER_LOG_INFO;
static const char *const names[] = {"debug", "info", "warn", "error"};

void
noaber_log_set_level(enum noaber_log_level min)
{
    min_level = min;
}

static void
vlog(const char *level, const char *fmt, va_list ap)
{
    char line[2048];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    int n = (int)strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%SZ ", &tm);
    n += snprintf(line + n, sizeof line - (size_t)n, "%s ", level);
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    if (m < 0)
        m = 0;
    n += m;
    if (n > (int)sizeof line - 2)
        n = (int)sizeof line - 2;
    line[n++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, (size_t)n);
    (void)w;
}

void
noaber_log(enum noaber_log_level level, const char *fmt, ...)
{
    if (level < min_level)
        return;
    va_list ap;
    va_start(ap, fmt);
    vlog(names[level], fmt, ap);
    va_end(ap);
}

void
noaber_log_access(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog("access", fmt, ap);
    va_end(ap);
}
