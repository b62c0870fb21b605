/*
 * Fuzz target for the members module's normalisers and checks (src/members/members_rules.c):
 * e-mail addresses, usernames, passwords, neighbourhood short names, Dutch postcodes, the
 * postcode list of a neighbourhood and role names. The input up to its first NUL is given to
 * each check on a copy of its own. Checks: what a check accepts has the documented shape, and
 * checking an accepted (normalised) value again accepts it unchanged. Built and run by fuzz/run;
 * seeds in fuzz/corpus/members_checks/.
 */
#include "base/util.h"
#include "members/members.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Runs CHECK on a fresh heap copy of S (exactly as long as it is, for ASan); *OUT gets the
 * normalised copy when it was accepted, to be freed by the caller. */
static enum noaber_err
run(enum noaber_err (*check)(char *), const char *s, char **out)
{
    char *c = strdup(s);
    enum noaber_err e = check(c);
    if (e == NOABER_OK && out)
        *out = c;
    else
        free(c);
    return e;
}

static void
idempotent(enum noaber_err (*check)(char *), const char *v)
{
    char *again = NULL;
    if (run(check, v, &again) != NOABER_OK || strcmp(again, v) != 0)
        abort();
    free(again);
}

static int
only(const char *s, const char *extra)
{
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || strchr(extra, *s)))
            return 0;
    return 1;
}

static enum noaber_err
check_slug(char *s)
{
    return members_check_slug(s);
}

static enum noaber_err
check_password(char *s)
{
    return members_check_password(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = strndup((const char *)data, size);
    char *v = NULL;

    if (run(members_check_email, s, &v) == NOABER_OK) {
        const char *at = strchr(v, '@');
        if (!at || strchr(at + 1, '@') || strlen(v) > 254 || strpbrk(v, " <>\"\r\n,;"))
            abort();
        for (const char *p = v; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                abort();
        idempotent(members_check_email, v);
        free(v);
    }
    v = NULL;
    if (run(members_check_username, s, &v) == NOABER_OK) {
        if (strlen(v) < 3 || strlen(v) > 32 || !only(v, "._-"))
            abort();
        idempotent(members_check_username, v);
        free(v);
    }
    v = NULL;
    if (run(check_slug, s, &v) == NOABER_OK) {
        size_t n = strlen(v);
        if (n < 2 || n > 40 || !only(v, "-") || v[0] == '-' || v[n - 1] == '-' || strcmp(s, v))
            abort();
        free(v);
    }
    v = NULL;
    if (run(members_check_postcode, s, &v) == NOABER_OK) {
        if (strlen(v) != 6 || v[0] == '0' || !isdigit((unsigned char)v[0]) ||
            !isdigit((unsigned char)v[3]) || !isupper((unsigned char)v[4]) ||
            !isupper((unsigned char)v[5]))
            abort();
        idempotent(members_check_postcode, v);
        /* A postcode is in a list that names its four digits, and any list when it is empty. */
        char list[16];
        memcpy(list, v, 4);
        strcpy(list + 4, ",9999");
        if (!members_postcode_in(list, v) || !members_postcode_in("", v))
            abort();
        (void)members_postcode_in(s, v); /* the input as a neighbourhood's list */
        free(v);
    }
    enum noaber_err pw = run(check_password, s, NULL);
    if (pw == NOABER_OK && (noaber_utf8_len(s) < 10 || strlen(s) > 1000))
        abort();
    enum members_role role = members_role_parse(s);
    if (role != MEMBERS_R_NONE && strcmp(members_role_name(role), s) != 0)
        abort();
    free(s);
    return 0;
}
