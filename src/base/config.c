/*
 * Settings (see config.h): defaults, then the file, then the environment.
 */
#include "base/config.h"

#include "base/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum kind { STR, INT, SIZE };

static const struct field {
    const char *key;
    enum kind kind;
    size_t off, len;
    long min, max;
} fields[] = {
#define S(k)                                                                                       \
    {                                                                                              \
#k, STR, offsetof(struct noaber_config, k), sizeof(((struct noaber_config *)0)->k), 0, 0   \
    }
#define I(k, lo, hi)                                                                               \
    {                                                                                              \
#k, INT, offsetof(struct noaber_config, k), 0, lo, hi                                      \
    }
    S(db),
    S(listen),
    S(public_url),
    S(trusted_proxies),
    I(threads, 1, 256),
    {"max_body", SIZE, offsetof(struct noaber_config, max_body), 0, 1024, 1L << 30},
    I(request_timeout, 1, 3600),
    I(session_days, 1, 365),
    I(staff_idle_minutes, 1, 24 * 60),
    I(require_staff_2fa, 0, 1),
    S(smtp_host),
    I(smtp_port, 1, 65535),
    S(smtp_tls),
    S(smtp_user),
    S(smtp_password),
    S(smtp_from),
    S(log_level),
#undef S
#undef I
};

void
noaber_config_defaults(struct noaber_config *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->db, sizeof c->db, "noaber.db");
    snprintf(c->listen, sizeof c->listen, "127.0.0.1:8080");
    snprintf(c->public_url, sizeof c->public_url, "http://127.0.0.1:8080");
    c->threads = 4;
    c->max_body = 8u << 20;
    c->request_timeout = 30;
    c->session_days = 14;
    c->staff_idle_minutes = 30;
    c->smtp_port = 25;
    snprintf(c->smtp_tls, sizeof c->smtp_tls, "none");
    snprintf(c->smtp_from, sizeof c->smtp_from, "noreply@localhost");
    snprintf(c->log_level, sizeof c->log_level, "info");
}

int
noaber_config_set(struct noaber_config *c, const char *key, const char *value)
{
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const struct field *f = &fields[i];
        if (strcmp(f->key, key) != 0)
            continue;
        char *dst = (char *)c + f->off;
        if (f->kind == STR) {
            if (strlen(value) >= f->len)
                return -1;
            memcpy(dst, value, strlen(value) + 1);
            if (strcmp(key, "smtp_tls") == 0 && strcmp(value, "none") &&
                strcmp(value, "starttls") && strcmp(value, "tls"))
                return -1;
            return 0;
        }
        char *end;
        errno = 0;
        long v = strtol(value, &end, 10);
        if (errno || end == value || *end || v < f->min || v > f->max)
            return -1;
        if (f->kind == INT)
            *(int *)(void *)dst = (int)v;
        else
            *(size_t *)(void *)dst = (size_t)v;
        return 0;
    }
    return -1;
}

int
noaber_config_load_file(struct noaber_config *c, const char *file, char *err, size_t errn)
{
    if (!file)
        return 0;
    FILE *f = fopen(file, "r");
    if (!f) {
        snprintf(err, errn, "cannot open config file %s: %s", file, strerror(errno));
        return -1;
    }
    char line[1024];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        noaber_trim(line);
        if (!*line)
            continue;
        char *eq = strchr(line, '=');
        if (!eq) {
            snprintf(err, errn, "%s:%d: expected key = value", file, lineno);
            rc = -1;
            break;
        }
        *eq = '\0';
        char *key = noaber_trim(line), *value = noaber_trim(eq + 1);
        if (noaber_config_set(c, key, value) != 0) {
            snprintf(err, errn, "%s:%d: unknown key or invalid value for '%s'", file, lineno, key);
            rc = -1;
            break;
        }
    }
    fclose(f);
    return rc;
}

int
noaber_config_load_env(struct noaber_config *c, char *err, size_t errn)
{
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        char name[64] = "NOABER_";
        size_t n = strlen(name);
        for (const char *k = fields[i].key; *k && n < sizeof name - 1; k++)
            name[n++] = (char)toupper((unsigned char)*k);
        name[n] = '\0';
        const char *v = getenv(name);
        if (v && noaber_config_set(c, fields[i].key, v) != 0) {
            snprintf(err, errn, "invalid value in %s", name);
            return -1;
        }
    }
    return 0;
}

int
noaber_config_secure(const struct noaber_config *c)
{
    return noaber_starts_with(c->public_url, "https://");
}

int
noaber_config_trusts(const struct noaber_config *c, const char *addr)
{
    size_t n = strlen(addr);
    for (const char *p = c->trusted_proxies; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *e = p;
        while (*e && *e != ',' && *e != ' ')
            e++;
        if ((size_t)(e - p) == n && n && strncmp(p, addr, n) == 0)
            return 1;
        p = e;
    }
    return 0;
}
