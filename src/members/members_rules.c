/*
 * The members module's rules, without I/O: the authorisation table (one row per action, one
 * column per role), role names, and the checks on e-mail addresses, usernames, passwords,
 * neighbourhood short names and postcodes. Everything here is tested by a table-driven unit test.
 */
#include "members/members.h"

#include "base/util.h"
#include "view/i18n.h"

#include <ctype.h>
#include <string.h>

/* Who may do what in a neighbourhood. Columns: no role (but logged in), resident (confirmed),
 * connector, coordinator, partner. Administrators are handled apart. An unconfirmed resident is
 * treated as "no role" for everything except the public page. */
static const struct {
    unsigned char role[MEMBERS_R__MAX];
    unsigned char admin;
} table[MEMBERS_A__MAX] = {
    /*                           none res con coo par   admin */
    [MEMBERS_A_PUBLIC] = {{1, 1, 1, 1, 1}, 1},
    [MEMBERS_A_LOGGED_IN] = {{1, 1, 1, 1, 1}, 1},
    [MEMBERS_A_HOOD_PUBLIC] = {{1, 1, 1, 1, 1}, 1},
    [MEMBERS_A_HOOD_MEMBERS] = {{0, 1, 1, 1, 1}, 1},
    [MEMBERS_A_MEMBER_LIST] = {{0, 0, 1, 1, 0}, 1},
    [MEMBERS_A_MEMBER_CONFIRM] = {{0, 0, 1, 1, 0}, 0},
    [MEMBERS_A_MEMBER_CREATE] = {{0, 0, 1, 1, 0}, 1},
    [MEMBERS_A_MEMBER_CODE] = {{0, 0, 1, 1, 0}, 0},
    [MEMBERS_A_ROLE_SET] = {{0, 0, 0, 1, 0}, 1},
    [MEMBERS_A_CALL_LIST] = {{0, 0, 1, 1, 0}, 0},
    [MEMBERS_A_HOOD_EDIT] = {{0, 0, 0, 1, 0}, 1},
    [MEMBERS_A_REPORTS] = {{0, 0, 0, 1, 1}, 1},
    [MEMBERS_A_ADMIN] = {{0, 0, 0, 0, 0}, 1},
    [MEMBERS_A_INTAKE] = {{0, 0, 1, 1, 0}, 0},
    [MEMBERS_A_RESIDENT_FILE] = {{0, 0, 1, 1, 0}, 0},
    [MEMBERS_A_HELP_SEARCH] = {{0, 1, 1, 1, 0}, 0},
};

enum noaber_err
members_can(const struct members_actor *a, enum members_action action,
            const struct members_hood *hood)
{
    if ((unsigned)action >= MEMBERS_A__MAX)
        return NOABER_E_FORBIDDEN;
    if (action == MEMBERS_A_PUBLIC || action == MEMBERS_A_HOOD_PUBLIC)
        return NOABER_OK;
    if (!a || !a->person_id)
        return NOABER_E_UNAUTHENTICATED;
    if (action == MEMBERS_A_LOGGED_IN)
        return NOABER_OK;
    if (a->is_admin && table[action].admin)
        return NOABER_OK;
    if (action == MEMBERS_A_ADMIN || !hood)
        return NOABER_E_FORBIDDEN;
    enum members_role role = hood->role;
    if ((unsigned)role >= MEMBERS_R__MAX)
        return NOABER_E_FORBIDDEN;
    if (role == MEMBERS_R_RESIDENT && !hood->confirmed)
        return action == MEMBERS_A_HOOD_MEMBERS ? NOABER_E_NOT_CONFIRMED : NOABER_E_FORBIDDEN;
    return table[action].role[role] ? NOABER_OK : NOABER_E_FORBIDDEN;
}

enum noaber_err
members_can_give_role(const struct members_actor *a, enum members_role actor_role,
                      enum members_role new_role)
{
    if ((unsigned)new_role >= MEMBERS_R__MAX)
        return NOABER_E_BAD_CHOICE;
    /* Administrators appoint anyone; a coordinator runs their own neighbourhood's roles. */
    if (a->is_admin || actor_role == MEMBERS_R_COORDINATOR)
        return NOABER_OK;
    return NOABER_E_FORBIDDEN;
}

static const char *const role_names[MEMBERS_R__MAX] = {"", "resident", "connector", "coordinator",
                                                       "partner"};
static const char *const role_labels[MEMBERS_R__MAX] = {
    N_("No role"), N_("Resident"), N_("Connector"), N_("Coordinator"), N_("Partner")};
static const char *const action_names[MEMBERS_A__MAX] = {
    "public",      "logged_in",      "hood_public",   "hood_members",
    "member_list", "member_confirm", "member_create", "member_code",
    "role_set",    "call_list",      "hood_edit",     "reports",
    "admin",       "intake",         "resident_file", "help_search"};

const char *
members_role_name(enum members_role r)
{
    return (unsigned)r < MEMBERS_R__MAX ? role_names[r] : "";
}

const char *
members_role_label(enum members_role r)
{
    return (unsigned)r < MEMBERS_R__MAX ? role_labels[r] : role_labels[0];
}

enum members_role
members_role_parse(const char *s)
{
    for (int i = 1; s && i < MEMBERS_R__MAX; i++)
        if (strcmp(s, role_names[i]) == 0)
            return (enum members_role)i;
    return MEMBERS_R_NONE;
}

const char *
members_action_name(enum members_action a)
{
    return (unsigned)a < MEMBERS_A__MAX ? action_names[a] : "?";
}

enum noaber_err
members_check_email(char *email)
{
    noaber_ascii_lower(noaber_trim(email));
    size_t n = strlen(email);
    const char *at = strchr(email, '@');
    if (n < 3 || n > 254 || !at || at == email || strchr(at + 1, '@'))
        return NOABER_E_BAD_EMAIL;
    const char *dot = strrchr(at, '.');
    if (!dot || dot == at + 1 || dot[1] == '\0')
        return NOABER_E_BAD_EMAIL;
    for (const char *p = email; *p; p++) {
        unsigned char c = (unsigned char)*p;
        /* No spaces, quotes, angle brackets or control characters: nothing that could break a
         * mail header. Non-ASCII (internationalised addresses) is allowed. */
        if (c <= ' ' || c == '"' || c == '<' || c == '>' || c == '(' || c == ')' || c == ',' ||
            c == ';' || c == ':' || c == '\\' || c == '[' || c == ']' || c == 0x7f)
            return NOABER_E_BAD_EMAIL;
    }
    return NOABER_OK;
}

enum noaber_err
members_check_username(char *u)
{
    noaber_ascii_lower(noaber_trim(u));
    size_t n = strlen(u);
    if (n < 3 || n > 32)
        return NOABER_E_BAD_USERNAME;
    for (const char *p = u; *p; p++)
        if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '.' || *p == '-' ||
              *p == '_'))
            return NOABER_E_BAD_USERNAME;
    return NOABER_OK;
}

enum noaber_err
members_check_password(const char *pw)
{
    if (!pw || noaber_utf8_len(pw) < 10)
        return NOABER_E_WEAK_PASSWORD;
    if (strlen(pw) > 1000)
        return NOABER_E_TOO_LONG;
    return NOABER_OK;
}

enum noaber_err
members_check_slug(const char *s)
{
    size_t n = strlen(s);
    if (n < 2 || n > 40 || s[0] == '-' || s[n - 1] == '-')
        return NOABER_E_BAD_SLUG;
    for (const char *p = s; *p; p++)
        if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-'))
            return NOABER_E_BAD_SLUG;
    /* Words the router uses itself. */
    if (strcmp(s, "new") == 0)
        return NOABER_E_BAD_SLUG;
    return NOABER_OK;
}

enum noaber_err
members_check_postcode(char *pc)
{
    char out[7];
    size_t k = 0;
    for (const char *p = pc; *p; p++) {
        if (*p == ' ')
            continue;
        if (k == 6)
            return NOABER_E_BAD_POSTCODE;
        out[k++] = (char)toupper((unsigned char)*p);
    }
    if (k != 6 || out[0] == '0')
        return NOABER_E_BAD_POSTCODE;
    for (int i = 0; i < 4; i++)
        if (!isdigit((unsigned char)out[i]))
            return NOABER_E_BAD_POSTCODE;
    for (int i = 4; i < 6; i++)
        if (!isupper((unsigned char)out[i]))
            return NOABER_E_BAD_POSTCODE;
    memcpy(pc, out, 6);
    pc[6] = '\0';
    return NOABER_OK;
}

int
members_postcode_in(const char *list, const char *pc)
{
    if (!list || !*list)
        return 1;
    for (const char *p = list; *p;) {
        while (*p == ',' || *p == ' ')
            p++;
        if (strncmp(p, pc, 4) == 0 && (p[4] == '\0' || p[4] == ',' || p[4] == ' '))
            return 1;
        while (*p && *p != ',')
            p++;
    }
    return 0;
}

int
members_retry_minutes(int64_t oldest, int64_t now)
{
    int64_t wait = oldest + MEMBERS_LOGIN_WINDOW - now;
    if (wait <= 0)
        return 1;
    return (int)((wait + 59) / 60);
}
