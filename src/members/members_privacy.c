/*
 * The privacy declarations of the members module's tables (and of schema_migrations, which the
 * storage layer keeps): for every column whether it is personal and why it is kept, and for every
 * table its legal basis, retention period and what erasure does (src/privacy/privacy.h). The
 * processing register docs/privacy.md, the export, the erasure and the daily clean-up are made
 * from these; tests/unit/privacy/ fails when a column of the database is not declared here or in
 * another module's <module>_privacy.c.
 */
#include "privacy/privacy.h"
#include "view/i18n.h"

#include <stddef.h>

static const struct privacy_column settings_cols[] = {
    {"key", PRIVACY_NOT_PERSONAL, NULL},
    {"value", PRIVACY_NOT_PERSONAL, NULL},
    {NULL},
};

static const struct privacy_column schema_cols[] = {
    {"version", PRIVACY_NOT_PERSONAL, NULL},
    {"name", PRIVACY_NOT_PERSONAL, NULL},
    {"applied_at", PRIVACY_NOT_PERSONAL, NULL},
    {NULL},
};

static const struct privacy_column hood_cols[] = {
    {"id", PRIVACY_NOT_PERSONAL, NULL},
    {"slug", PRIVACY_NOT_PERSONAL, NULL},
    {"name", PRIVACY_NOT_PERSONAL, NULL},
    {"description", PRIVACY_NOT_PERSONAL, NULL},
    {"postcodes", PRIVACY_NOT_PERSONAL, NULL},
    {"created_at", PRIVACY_NOT_PERSONAL, NULL},
    {NULL},
};

static const struct privacy_column person_cols[] = {
    {"id", PRIVACY_REFERENCE, N_("the number of your account")},
    {"email", PRIVACY_PERSONAL, N_("to log in and to send you the e-mail you asked for")},
    {"username", PRIVACY_PERSONAL, N_("to log in without an e-mail address")},
    {"display_name", PRIVACY_PERSONAL, N_("the name neighbours and connectors see")},
    {"password_hash", PRIVACY_SECRET, N_("to check your password (a hash, never the password)")},
    {"lang", PRIVACY_PERSONAL, N_("the language of pages and messages")},
    {"channel", PRIVACY_PERSONAL, N_("how you want to receive messages")},
    {"phone", PRIVACY_PERSONAL,
     N_("so that a connector can call you; neighbours see it only when you allow that")},
    {"postal_address", PRIVACY_PERSONAL, N_("to send you letters, when you chose that")},
    {"is_admin", PRIVACY_PERSONAL, N_("whether you administer this installation")},
    {"email_verified_at", PRIVACY_PERSONAL, N_("when you confirmed your e-mail address")},
    {"created_at", PRIVACY_PERSONAL, N_("when your account was made")},
    {"created_by", PRIVACY_ACTOR, N_("the connector who made the account, if not you")},
    {"totp_secret", PRIVACY_SECRET, N_("for the second login step with a code app")},
    {"totp_pending", PRIVACY_SECRET, N_("a code app being set up")},
    {"totp_enabled_at", PRIVACY_PERSONAL, N_("when you switched on the second login step")},
    {"totp_last_step", PRIVACY_SECRET, N_("so that a code from the app works only once")},
    {NULL},
};

static const struct privacy_column membership_cols[] = {
    {"person_id", PRIVACY_REFERENCE, N_("whose membership it is")},
    {"neighbourhood_id", PRIVACY_NOT_PERSONAL, NULL},
    {"role", PRIVACY_PERSONAL, N_("your role in the neighbourhood, which decides what you see")},
    {"confirmed_at", PRIVACY_PERSONAL, N_("when it was confirmed that you live there")},
    {"confirmed_by", PRIVACY_ACTOR, N_("the connector or coordinator who confirmed it")},
    {"created_at", PRIVACY_PERSONAL, N_("when you joined the neighbourhood")},
    {NULL},
};

static const struct privacy_column session_cols[] = {
    {"token_hash", PRIVACY_SECRET, N_("to recognise your login (a hash of the cookie)")},
    {"person_id", PRIVACY_REFERENCE, N_("who is logged in")},
    {"csrf", PRIVACY_SECRET, N_("to protect your forms against other websites")},
    {"created_at", PRIVACY_PERSONAL, N_("when you logged in")},
    {"last_seen_at", PRIVACY_PERSONAL, N_("when you last used the login, to end it after a while")},
    {"expires_at", PRIVACY_PERSONAL, N_("when the login ends")},
    {"stage", PRIVACY_NOT_PERSONAL, NULL},
    {NULL},
};

static const struct privacy_column attempt_cols[] = {
    {"id", PRIVACY_NOT_PERSONAL, NULL},
    {"key", PRIVACY_PERSONAL,
     N_("the login name or network address of an attempt, to stop people guessing passwords")},
    {"at", PRIVACY_PERSONAL, N_("when the attempt was made")},
    {NULL},
};

/* A failed login is counted under "login:" and the name typed; the erasure form counts its tries
 * under "erase:" and the person's id (privacy.c). */
static const struct privacy_link attempt_links[] = {
    {"key", "persons", "email", "login:"},
    {"key", "persons", "username", "login:"},
    {"key", "persons", "id", "erase:"},
    {NULL},
};

static const struct privacy_column code_cols[] = {
    {"code_hash", PRIVACY_SECRET, N_("to check a one-time code (a hash, never the code)")},
    {"person_id", PRIVACY_REFERENCE, N_("whose code it is")},
    {"purpose", PRIVACY_PERSONAL,
     N_("what the code is for: logging in, a new password, your e-mail address")},
    {"created_by", PRIVACY_ACTOR, N_("the connector who printed the code")},
    {"created_at", PRIVACY_PERSONAL, N_("when the code was made")},
    {"expires_at", PRIVACY_PERSONAL, N_("until when the code works")},
    {"used_at", PRIVACY_PERSONAL, N_("when the code was used")},
    {NULL},
};

static const struct privacy_column token_cols[] = {
    {"id", PRIVACY_NOT_PERSONAL, NULL},
    {"person_id", PRIVACY_REFERENCE, N_("whose key it is")},
    {"name", PRIVACY_PERSONAL, N_("the name you gave the key")},
    {"token_hash", PRIVACY_SECRET, N_("to check the key (a hash, never the key)")},
    {"created_at", PRIVACY_PERSONAL, N_("when you made the key")},
    {"last_used_at", PRIVACY_PERSONAL, N_("when the key was last used")},
    {NULL},
};

static const struct privacy_column recovery_cols[] = {
    {"id", PRIVACY_NOT_PERSONAL, NULL},
    {"person_id", PRIVACY_REFERENCE, N_("whose recovery code it is")},
    {"code_hash", PRIVACY_SECRET, N_("to check a recovery code (a hash, never the code)")},
    {"created_at", PRIVACY_PERSONAL, N_("when the recovery codes were made")},
    {"used_at", PRIVACY_PERSONAL, N_("when the recovery code was used")},
    {NULL},
};

/* The audit log is kept for five years, also after an erasure: who changed what, when, is needed
 * to answer for changes to roles and accounts. The time and the action stay; the person becomes
 * a pseudonym and the detail (a role, a code's purpose, a key's name) is emptied. */
static const struct privacy_column audit_cols[] = {
    {"id", PRIVACY_NOT_PERSONAL, NULL},
    {"at", PRIVACY_NOT_PERSONAL, NULL},
    {"actor_id", PRIVACY_ACTOR, N_("who did it")},
    {"action", PRIVACY_NOT_PERSONAL, NULL},
    {"subject_id", PRIVACY_REFERENCE, N_("whose account it was about")},
    {"neighbourhood_id", PRIVACY_NOT_PERSONAL, NULL},
    {"detail", PRIVACY_PERSONAL, N_("what was changed, in a word: a role, the name of a key")},
    {"actor_pseudonym", PRIVACY_PSEUDONYM, N_("who did it, once that person's data is erased")},
    {"subject_pseudonym", PRIVACY_PSEUDONYM, N_("whose account it was, once it is erased")},
    {NULL},
};

const struct privacy_table members_privacy_tables[] = {
    {
        .table = "persons",
        .description = N_("Your account"),
        .basis = "contract",
        .retention = "until your account is erased",
        .erase = PRIVACY_ERASE_DELETE,
        .columns = person_cols,
    },
    {
        .table = "settings",
        .description = N_("Settings of the installation"),
        .retention = "as long as the installation runs",
        .erase = PRIVACY_ERASE_DELETE,
        .columns = settings_cols,
    },
    {
        .table = "schema_migrations",
        .description = N_("Versions of the database layout"),
        .retention = "as long as the installation runs",
        .erase = PRIVACY_ERASE_DELETE,
        .columns = schema_cols,
    },
    {
        .table = "neighbourhoods",
        .description = N_("Neighbourhoods"),
        .retention = "as long as the neighbourhood takes part",
        .erase = PRIVACY_ERASE_DELETE,
        .columns = hood_cols,
    },
    {
        .table = "memberships",
        .description = N_("Your neighbourhoods and your role in each"),
        .basis = "contract",
        .retention = "until you leave the neighbourhood or your account is erased",
        .erase = PRIVACY_ERASE_DELETE,
        .columns = membership_cols,
    },
    {
        .table = "sessions",
        .description = N_("Where you are logged in"),
        .basis = "contract",
        .retention = "until the login ends (after 30 days, for staff after a short idle time)",
        .retention_column = "expires_at",
        .retention_seconds = 0,
        .erase = PRIVACY_ERASE_DELETE,
        .columns = session_cols,
    },
    {
        .table = "login_attempts",
        .description = N_("Failed login attempts"),
        .basis = "legitimate interest",
        .retention = "1 day",
        .retention_column = "at",
        .retention_seconds = PRIVACY_DAY,
        .erase = PRIVACY_ERASE_DELETE,
        .columns = attempt_cols,
        .links = attempt_links,
    },
    {
        .table = "codes",
        .description = N_("One-time codes for logging in and confirming"),
        .basis = "contract",
        .retention = "30 days after the code expired",
        .retention_column = "expires_at",
        .retention_seconds = 30 * PRIVACY_DAY,
        .erase = PRIVACY_ERASE_DELETE,
        .columns = code_cols,
    },
    {
        .table = "api_tokens",
        .description = N_("Your keys for programs that use the API"),
        .basis = "contract",
        .retention = "until you remove the key or your account is erased",
        .erase = PRIVACY_ERASE_DELETE,
        .columns = token_cols,
    },
    {
        .table = "recovery_codes",
        .description = N_("Recovery codes for the second login step"),
        .basis = "contract",
        .retention = "until new codes are made or your account is erased",
        .erase = PRIVACY_ERASE_DELETE,
        .columns = recovery_cols,
    },
    {
        .table = "audit_log",
        .description = N_("The log of changes to accounts and roles"),
        .basis = "legal obligation",
        .retention = "5 years (accountability, AVG art. 5(2) and 32); after an erasure with a "
                     "pseudonym instead of the person",
        .retention_column = "at",
        .retention_seconds = 5 * PRIVACY_YEAR,
        .erase = PRIVACY_ERASE_PSEUDONYMISE,
        .columns = audit_cols,
    },
    {0},
};
