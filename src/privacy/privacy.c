/*
 * The privacy module's operations: the joined declarations and the rules they must keep, a
 * person's export, their erasure (one transaction over every declared table, see privacy.h), the
 * erasure the person asks for themself (password or confirmation word, rate-limited), the access
 * log of personal files, and the retention clean-up. The SQL is in privacy_store.c; the register
 * in privacy_register.c; the daily thread in privacy_worker.c.
 */
#include "privacy/privacy_int.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/util.h"
#include "db/db.h"
#include "members/members.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* --- the declarations ------------------------------------------------------------------------ */

static const struct privacy_table **flat;
static size_t nflat;
static pthread_once_t flat_once = PTHREAD_ONCE_INIT;

static void
flatten(void)
{
    size_t n = 0, k = 0;
    for (const struct privacy_table *const *m = privacy_modules; *m; m++)
        for (const struct privacy_table *t = *m; t->table; t++)
            n++;
    flat = noaber_xcalloc(n ? n : 1, sizeof *flat);
    for (const struct privacy_table *const *m = privacy_modules; *m; m++)
        for (const struct privacy_table *t = *m; t->table; t++)
            flat[k++] = t;
    nflat = n;
}

size_t
privacy_table_count(void)
{
    pthread_once(&flat_once, flatten);
    return nflat;
}

const struct privacy_table *
privacy_table_at(size_t i)
{
    return i < privacy_table_count() ? flat[i] : NULL;
}

const struct privacy_table *
privacy_table_find(const char *table)
{
    for (size_t i = 0; table && i < privacy_table_count(); i++)
        if (strcmp(flat[i]->table, table) == 0)
            return flat[i];
    return NULL;
}

static size_t
table_index(const char *table)
{
    for (size_t i = 0; i < privacy_table_count(); i++)
        if (strcmp(flat[i]->table, table) == 0)
            return i;
    return (size_t)-1;
}

const struct privacy_column *
privacy_column_find(const struct privacy_table *t, const char *name)
{
    for (const struct privacy_column *c = t && name ? t->columns : NULL; c && c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

int
privacy_table_is_personal_data(const struct privacy_table *t)
{
    if (t->links && t->links[0].column)
        return 1;
    for (const struct privacy_column *c = t->columns; c->name; c++)
        if (c->kind == PRIVACY_REFERENCE)
            return 1;
    return 0;
}

const char *
privacy_kind_name(enum privacy_kind k)
{
    static const char *const names[PRIVACY_KIND__MAX] = {
        "not personal",    "personal", "special category (health)", "the person",
        "who acted on it", "secret",   "pseudonym after erasure",
    };
    return (unsigned)k < PRIVACY_KIND__MAX ? names[k] : "?";
}

int
privacy_pseudonym_column(const char *col, char *out, size_t n)
{
    size_t len = strlen(col);
    if (len > 3 && strcmp(col + len - 3, "_id") == 0)
        len -= 3;
    int w = snprintf(out, n, "%.*s_pseudonym", (int)len, col);
    return w < 0 || (size_t)w >= n ? -1 : 0;
}

int
privacy_export_shown_when_acted(const struct privacy_column *c)
{
    return c->kind == PRIVACY_NOT_PERSONAL || c->kind == PRIVACY_ACTOR;
}

/* --- checking the declarations --------------------------------------------------------------- */

static int
problem(struct noaber_buf *out, const char *table, const char *fmt, const char *arg)
{
    if (out) {
        noaber_buf_printf(out, "%s: ", table ? table : "(table without name)");
        noaber_buf_printf(out, fmt, arg ? arg : "(null)");
        noaber_buf_putc(out, '\n');
    }
    return 1;
}

static const struct privacy_table *
find_in(const struct privacy_table *const *modules, const char *name)
{
    for (const struct privacy_table *const *m = modules; name && *m; m++)
        for (const struct privacy_table *t = *m; t->table; t++)
            if (strcmp(t->table, name) == 0)
                return t;
    return NULL;
}

static int
basis_ok(const char *b)
{
    static const char *const bases[] = {"consent",         "contract",    "legal obligation",
                                        "vital interests", "public task", "legitimate interest"};
    for (size_t i = 0; b && i < sizeof bases / sizeof bases[0]; i++)
        if (strcmp(b, bases[i]) == 0)
            return 1;
    return 0;
}

static int
prefix_ok(const char *p)
{
    size_t n = strlen(p);
    if (n < 1 || n > 32)
        return 0;
    for (; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == ':' ||
              *p == '-'))
            return 0;
    return 1;
}

static int
check_columns(const struct privacy_table *t, struct noaber_buf *out)
{
    int bad = 0, personal = 0;
    for (const struct privacy_column *c = t->columns; c && c->name; c++) {
        if (!privacy_identifier_ok(c->name))
            bad += problem(out, t->table, "column name '%s' is not a plain identifier", c->name);
        for (const struct privacy_column *d = t->columns; d != c; d++)
            if (strcmp(d->name, c->name) == 0)
                bad += problem(out, t->table, "column %s is declared twice", c->name);
        if ((unsigned)c->kind >= PRIVACY_KIND__MAX)
            bad += problem(out, t->table, "column %s has no valid kind", c->name);
        if (c->kind != PRIVACY_NOT_PERSONAL) {
            personal = 1;
            if (!c->purpose || !*c->purpose)
                bad += problem(out, t->table, "column %s is personal but has no purpose", c->name);
        }
        if (c->kind == PRIVACY_PSEUDONYM && t->erase != PRIVACY_ERASE_PSEUDONYMISE)
            bad += problem(out, t->table, "pseudonym column %s in a table that is not retained",
                           c->name);
        char pseudo[80];
        if (t->erase == PRIVACY_ERASE_PSEUDONYMISE &&
            (c->kind == PRIVACY_REFERENCE || c->kind == PRIVACY_ACTOR)) {
            const struct privacy_column *p =
                privacy_pseudonym_column(c->name, pseudo, sizeof pseudo) == 0
                    ? privacy_column_find(t, pseudo)
                    : NULL;
            if (!p || p->kind != PRIVACY_PSEUDONYM)
                bad += problem(out, t->table, "retained table lacks the pseudonym column of %s",
                               c->name);
        }
    }
    if (!t->columns || !t->columns[0].name)
        bad += problem(out, t->table, "%s", "declares no columns");
    if (personal && (!t->retention || !*t->retention))
        bad +=
            problem(out, t->table, "%s", "has personal columns but no retention period in words");
    if (personal && !basis_ok(t->basis))
        bad +=
            problem(out, t->table, "has personal columns but no valid legal basis: '%s'", t->basis);
    if (!personal && t->basis)
        bad += problem(out, t->table, "has a legal basis ('%s') but nothing personal", t->basis);
    return bad;
}

static int
check_rules(const struct privacy_table *const *modules, const struct privacy_table *t,
            struct noaber_buf *out)
{
    int bad = 0;
    if (t->retention_column && !privacy_column_find(t, t->retention_column))
        bad += problem(out, t->table, "retention column %s is not declared", t->retention_column);
    if (t->retention_seconds < 0)
        bad += problem(out, t->table, "%s", "has a negative retention period");
    for (const struct privacy_rule *r = t->rules; r && r->column; r++) {
        if (!privacy_column_find(t, r->column))
            bad += problem(out, t->table, "clean-up rule on undeclared column %s", r->column);
        if (r->if_null && !privacy_column_find(t, r->if_null))
            bad += problem(out, t->table, "clean-up rule tests undeclared column %s", r->if_null);
        if (r->seconds < 0)
            bad += problem(out, t->table, "clean-up rule on %s has a negative period", r->column);
    }
    for (const struct privacy_link *l = t->links; l && l->column; l++) {
        const struct privacy_table *target = find_in(modules, l->table);
        if (t->erase == PRIVACY_ERASE_PSEUDONYMISE)
            bad += problem(out, t->table, "retained table has a link (%s)", l->column);
        if (!privacy_column_find(t, l->column))
            bad += problem(out, t->table, "link from undeclared column %s", l->column);
        if (!target)
            bad += problem(out, t->table, "link to undeclared table %s", l->table);
        else if (!l->key || !privacy_column_find(target, l->key))
            bad += problem(out, t->table, "link to an undeclared column of %s", l->table);
        if (l->prefix && !prefix_ok(l->prefix))
            bad += problem(out, t->table, "link prefix '%s' is not [a-z0-9_:-]{1,32}", l->prefix);
    }
    return bad;
}

int
privacy_check_modules(const struct privacy_table *const *modules, struct noaber_buf *out)
{
    int bad = 0;
    for (const struct privacy_table *const *m = modules; *m; m++) {
        for (const struct privacy_table *t = *m; t->table; t++) {
            if (!privacy_identifier_ok(t->table))
                bad += problem(out, t->table, "%s", "the table name is not a plain identifier");
            if (find_in(modules, t->table) != t)
                bad += problem(out, t->table, "%s", "is declared twice");
            if (!t->description || !*t->description)
                bad += problem(out, t->table, "%s", "has no description");
            if (t->erase != PRIVACY_ERASE_DELETE && t->erase != PRIVACY_ERASE_PSEUDONYMISE)
                bad += problem(out, t->table, "%s", "has no valid erasure");
            bad += check_columns(t, out);
            bad += check_rules(modules, t, out);
        }
    }
    const struct privacy_table *persons = find_in(modules, "persons");
    const struct privacy_column *id = privacy_column_find(persons, "id");
    if (!persons || !id || id->kind != PRIVACY_REFERENCE || persons->erase != PRIVACY_ERASE_DELETE)
        bad += problem(out, "persons", "%s",
                       "must be declared, with its id a REFERENCE, and be erased by deleting");
    return bad;
}

int
privacy_check_declarations(struct noaber_buf *out)
{
    return privacy_check_modules(privacy_modules, out);
}

/* --- export ---------------------------------------------------------------------------------- */

enum noaber_err
privacy_export(struct noaber_db *db, int64_t person_id, struct privacy_export *out,
               struct noaber_arena *arena)
{
    memset(out, 0, sizeof *out);
    struct privacy_person_state state;
    int found = 0;
    enum noaber_err e = privacy_store_init();
    if (e == NOABER_OK)
        e = privacy_store_person(db, person_id, &state, &found, arena);
    if (e == NOABER_OK && !found)
        e = NOABER_E_NOT_FOUND;
    if (e != NOABER_OK)
        return e;
    size_t n = privacy_table_count();
    out->person_id = person_id;
    out->generated_at = noaber_now();
    out->tables = noaber_arena_alloc(arena, n * sizeof *out->tables);
    if (!out->tables)
        return NOABER_E_TOO_LARGE;
    for (size_t i = 0; e == NOABER_OK && i < n; i++) {
        struct privacy_export_table *x = &out->tables[out->ntables];
        const char ***own = NULL, ***acted = NULL;
        e = privacy_store_own_rows(db, i, person_id, &own, &x->nown, arena);
        if (e == NOABER_OK)
            e = privacy_store_acted_rows(db, i, person_id, &acted, &x->nacted, arena);
        if (e != NOABER_OK || x->nown + x->nacted == 0)
            continue;
        x->decl = flat[i];
        x->own = (const char *const *const *)own;
        x->acted = (const char *const *const *)acted;
        for (const struct privacy_column *c = flat[i]->columns; c->name; c++)
            x->ncols++;
        const struct privacy_column **cols = noaber_arena_alloc(arena, x->ncols * sizeof *cols);
        if (!cols)
            return NOABER_E_TOO_LARGE;
        for (size_t c = 0; c < x->ncols; c++)
            cols[c] = &flat[i]->columns[c];
        x->cols = cols;
        out->ntables++;
    }
    return e;
}

/* --- erasure --------------------------------------------------------------------------------- */

static enum noaber_err
pseudonym_of(struct noaber_db *db, int64_t person, int64_t created_at, char out[20])
{
    struct noaber_arena *a = noaber_arena_new(4096);
    char *hex = NULL;
    unsigned char key[32];
    enum noaber_err e = privacy_store_secret(db, &hex, a);
    if (e == NOABER_OK &&
        (!hex || sodium_hex2bin(key, sizeof key, hex, strlen(hex), NULL, NULL, NULL) != 0))
        e = NOABER_E_INTERNAL; /* members_init() makes the secret at every start */
    noaber_arena_free(a);
    if (e != NOABER_OK)
        return e;
    char msg[80];
    int len =
        snprintf(msg, sizeof msg, "pseudonym:%lld:%lld", (long long)person, (long long)created_at);
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, sizeof key);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, (unsigned long long)len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_memzero(key, sizeof key);
    memcpy(out, "erased-", 7);
    noaber_hex(out + 7, mac, 6);
    return NOABER_OK;
}

enum noaber_err
privacy_pseudonym(struct noaber_db *db, int64_t person_id, char out[PRIVACY_PSEUDONYM_SIZE])
{
    struct noaber_arena *a = noaber_arena_new(4096);
    struct privacy_person_state s;
    int found = 0;
    enum noaber_err e = privacy_store_person(db, person_id, &s, &found, a);
    noaber_arena_free(a);
    if (e == NOABER_OK && !found)
        e = NOABER_E_NOT_FOUND;
    return e == NOABER_OK ? pseudonym_of(db, person_id, s.created_at, out) : e;
}

struct erase_ctx {
    int64_t person, changed;
};

static enum noaber_err
erase_tx(struct noaber_db *db, void *vctx)
{
    struct erase_ctx *c = vctx;
    struct noaber_arena *a = noaber_arena_new(4096);
    struct privacy_person_state s;
    int found = 0;
    char pseudonym[PRIVACY_PSEUDONYM_SIZE];
    c->changed = 0; /* the transaction may run again */
    enum noaber_err e = privacy_store_person(db, c->person, &s, &found, a);
    noaber_arena_free(a);
    if (e == NOABER_OK && !found)
        e = NOABER_E_NOT_FOUND;
    /* An installation without administrator cannot be run any more. */
    if (e == NOABER_OK && s.is_admin && s.other_admins == 0)
        e = NOABER_E_LAST_ADMIN;
    if (e == NOABER_OK)
        e = pseudonym_of(db, c->person, s.created_at, pseudonym);
    size_t n = privacy_table_count(), persons = table_index("persons");
    for (size_t i = 0; e == NOABER_OK && i < n; i++)
        e = privacy_store_erase_actors(db, i, c->person, pseudonym, &c->changed);
    for (size_t i = 0; e == NOABER_OK && i < n; i++)
        if (flat[i]->erase == PRIVACY_ERASE_PSEUDONYMISE)
            e = privacy_store_erase_references(db, i, c->person, pseudonym, &c->changed);
    for (size_t i = 0; e == NOABER_OK && i < n; i++)
        if (i != persons)
            e = privacy_store_erase_rows(db, i, c->person, &c->changed);
    if (e == NOABER_OK)
        e = privacy_store_erase_rows(db, persons, c->person, &c->changed);
    return e;
}

enum noaber_err
privacy_erase(struct noaber_db *db, int64_t person_id, int64_t *changed)
{
    enum noaber_err e = privacy_store_init();
    struct erase_ctx c = {person_id, 0};
    if (e == NOABER_OK)
        e = noaber_db_tx(db, erase_tx, &c);
    if (changed)
        *changed = e == NOABER_OK ? c.changed : 0;
    return e;
}

enum noaber_err
privacy_erase_check(struct noaber_db *db, int64_t person_id, int *has_password, int *last_admin)
{
    struct noaber_arena *a = noaber_arena_new(4096);
    struct privacy_person_state s;
    int found = 0;
    enum noaber_err e = privacy_store_person(db, person_id, &s, &found, a);
    noaber_arena_free(a);
    if (e == NOABER_OK && !found)
        e = NOABER_E_NOT_FOUND;
    *has_password = e == NOABER_OK && s.has_password;
    *last_admin = e == NOABER_OK && s.is_admin && s.other_admins == 0;
    return e;
}

static int
confirm_word_ok(const char *confirm)
{
    if (!confirm)
        return 0;
    char *w = noaber_xstrdup(confirm);
    noaber_trim(w);
    int ok = strcasecmp(w, PRIVACY_CONFIRM_WORD) == 0 || strcasecmp(w, "DELETE") == 0;
    free(w);
    return ok;
}

enum noaber_err
privacy_erase_confirmed(struct noaber_db *db, int64_t person_id, const char *password,
                        const char *confirm, int *retry_minutes)
{
    /* Someone at a computer left logged in must not be able to guess the password here: the tries
     * are counted per account, in login_attempts, which the erasure itself then clears. */
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)person_id);
    enum noaber_err e = members_throttle(db, "erase", id, 5, 15 * 60, retry_minutes);
    if (e != NOABER_OK)
        return e;
    struct noaber_arena *a = noaber_arena_new(4096);
    struct privacy_person_state s;
    int found = 0;
    e = privacy_store_person(db, person_id, &s, &found, a);
    if (e == NOABER_OK && !found)
        e = NOABER_E_NOT_FOUND;
    if (e == NOABER_OK && s.has_password &&
        (!password || !*password || !members_password_verify(s.password_hash, password)))
        e = NOABER_E_WRONG_PASSWORD;
    if (e == NOABER_OK && !s.has_password && !confirm_word_ok(confirm))
        e = NOABER_E_CONFIRM_WORD;
    noaber_arena_free(a);
    return e == NOABER_OK ? privacy_erase(db, person_id, NULL) : e;
}

/* --- the access log -------------------------------------------------------------------------- */

struct access_ctx {
    int64_t viewer, person;
    const char *what;
};

static enum noaber_err
access_tx(struct noaber_db *db, void *vctx)
{
    struct access_ctx *c = vctx;
    return privacy_store_access_add(db, noaber_now(), c->viewer, c->person, c->what);
}

enum noaber_err
privacy_log_access(struct noaber_db *db, int64_t viewer_id, int64_t person_id, const char *what)
{
    size_t len = what ? strlen(what) : 0;
    if (viewer_id <= 0 || person_id <= 0 || len == 0 || len > 80)
        return NOABER_E_INVALID;
    for (const char *p = what; *p; p++)
        if (*p < 0x20 || *p > 0x7e)
            return NOABER_E_INVALID;
    if (viewer_id == person_id)
        return NOABER_OK;
    struct access_ctx c = {viewer_id, person_id, what};
    return noaber_db_tx(db, access_tx, &c); /* inline when the caller's transaction is open */
}

enum noaber_err
privacy_access_list(struct noaber_db *db, int64_t person_id, int64_t offset, int64_t limit,
                    struct privacy_access **rows, size_t *n, int64_t *total,
                    struct noaber_arena *arena)
{
    if (limit < 1 || limit > 500)
        limit = 50;
    if (offset < 0)
        offset = 0;
    return privacy_store_access_list(db, person_id, offset, limit, rows, n, total, arena);
}

/* --- retention ------------------------------------------------------------------------------- */

struct retention_ctx {
    size_t table, rule;
    int64_t now, deleted;
};

static enum noaber_err
retention_tx(struct noaber_db *db, void *vctx)
{
    struct retention_ctx *c = vctx;
    return privacy_store_retention(db, c->table, c->rule, c->now, &c->deleted);
}

enum noaber_err
privacy_retention_run(struct noaber_db *db, int64_t now, int64_t *deleted)
{
    enum noaber_err e = privacy_store_init();
    size_t n = privacy_table_count();
    for (size_t i = 0; deleted && i < n; i++)
        deleted[i] = 0;
    /* One transaction per rule: a large clean-up never holds the write lock for long. */
    for (size_t i = 0; e == NOABER_OK && i < n; i++) {
        for (size_t r = 0; e == NOABER_OK && r < privacy_store_rule_count(i); r++) {
            struct retention_ctx c = {i, r, now, 0};
            e = noaber_db_tx(db, retention_tx, &c);
            if (e == NOABER_OK && deleted)
                deleted[i] += c.deleted;
        }
    }
    return e;
}
