/*
 * Settings of one Noaber process. Defaults work on a laptop; a config file ("key = value" lines,
 * '#' starts a comment) overrides them, NOABER_<KEY> environment variables override the file, and
 * command-line flags override both. Keys are the field names below (db, listen, public_url, ...).
 */
#ifndef NOABER_BASE_CONFIG_H
#define NOABER_BASE_CONFIG_H

#include <stddef.h>

#define NOABER_MAX_PROXIES 16

struct noaber_config {
    char db[512];         /* SQLite file path (or, later, a postgresql:// URL) */
    char listen[128];     /* HOST:PORT, default 127.0.0.1:8080 */
    char public_url[256]; /* how people reach us, e.g. https://buurt.example.nl; decides Secure */
    char trusted_proxies[512]; /* comma-separated IP addresses whose X-Forwarded-For we believe */
    int threads;               /* HTTP worker threads, default 4 */
    size_t max_body;           /* bytes, default 8 MiB */
    int request_timeout;       /* seconds a connection may stay idle, default 30 */
    int session_days;          /* a session ends after this many days without use, default 14 */
    int staff_idle_minutes;    /* sessions of staff end after this idle time, default 30 */
    int require_staff_2fa;     /* 1: connectors, coordinators, partners and administrators must
                                  log in with a second factor (TOTP); default 0 */
    char smtp_host[256];       /* empty: e-mail stays in the outbox and is logged */
    int smtp_port;             /* default 25 */
    char smtp_tls[16];         /* "none", "starttls" or "tls" */
    char smtp_user[128];
    char smtp_password[128];
    char smtp_from[256]; /* default noreply@localhost */
    char log_level[16];  /* debug, info, warn, error */
};

/* Fills C with the defaults. */
void noaber_config_defaults(struct noaber_config *c);
/* Reads FILE (if not NULL); returns 0, or -1 with a message in ERR (size ERRN). */
int noaber_config_load_file(struct noaber_config *c, const char *file, char *err, size_t errn);
/* Applies NOABER_* environment variables. Returns 0 or -1 with a message. */
int noaber_config_load_env(struct noaber_config *c, char *err, size_t errn);
/* Sets one key; returns 0, or -1 when the key is unknown or the value is invalid. */
int noaber_config_set(struct noaber_config *c, const char *key, const char *value);
/* 1 when public_url starts with https:// (cookies get Secure). */
int noaber_config_secure(const struct noaber_config *c);
/* 1 when ADDR is one of the trusted proxies. */
int noaber_config_trusts(const struct noaber_config *c, const char *addr);

#endif
