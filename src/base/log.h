/*
 * Logging to stderr, one line per event: "2026-11-24T10:00:00Z level message". The access log
 * (one line per request) goes through the same function with level "access". Thread-safe: each
 * line is written with one call.
 */
#ifndef NOABER_BASE_LOG_H
#define NOABER_BASE_LOG_H

enum noaber_log_level { NOABER_LOG_DEBUG, NOABER_LOG_INFO, NOABER_LOG_WARN, NOABER_LOG_ERROR };

void noaber_log_set_level(enum noaber_log_level min);
void noaber_log(enum noaber_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void noaber_log_access(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define noaber_info(...)  noaber_log(NOABER_LOG_INFO, __VA_ARGS__)
#define noaber_warn(...)  noaber_log(NOABER_LOG_WARN, __VA_ARGS__)
#define noaber_error(...) noaber_log(NOABER_LOG_ERROR, __VA_ARGS__)
#define noaber_debug(...) noaber_log(NOABER_LOG_DEBUG, __VA_ARGS__)

/* A defensive check that tests cannot reach (as SQLite's NEVER): logs where it happened. */
#define NEVER(x)                                                                                   \
    ((x) ? (noaber_log(NOABER_LOG_ERROR, "bug: %s at %s:%d", #x, __FILE__, __LINE__), 1) : 0)

#endif
