/*
 * The processing register (verwerkingsregister, AVG art. 30) in Markdown, made from the
 * declarations alone: `noaber privacy-register` prints it, docs/privacy.md is its committed copy,
 * and tests/unit/privacy/test_register.c fails when that copy is out of date. Output depends on
 * nothing but the declarations, so it is the same on every machine.
 */
#include "privacy/privacy_int.h"

#include "base/buf.h"

#include <string.h>

/* Text in a Markdown table cell: a '|' would end the cell. */
static void
cell(struct noaber_buf *b, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '|')
            noaber_buf_putc(b, '\\');
        noaber_buf_putc(b, *s == '\n' ? ' ' : *s);
    }
}

static void
duration(struct noaber_buf *b, int64_t s)
{
    if (s >= PRIVACY_YEAR && s % PRIVACY_YEAR == 0)
        noaber_buf_printf(b, "%lld year%s", (long long)(s / PRIVACY_YEAR),
                          s == PRIVACY_YEAR ? "" : "s");
    else if (s >= PRIVACY_DAY && s % PRIVACY_DAY == 0)
        noaber_buf_printf(b, "%lld day%s", (long long)(s / PRIVACY_DAY),
                          s == PRIVACY_DAY ? "" : "s");
    else
        noaber_buf_printf(b, "%lld seconds", (long long)s);
}

static void
cleanup(struct noaber_buf *b, const struct privacy_table *t)
{
    int any = 0;
    if (t->retention_column) {
        if (t->retention_seconds == 0) {
            noaber_buf_printf(b, "deleted once `%s` has passed", t->retention_column);
        } else {
            noaber_buf_puts(b, "deleted ");
            duration(b, t->retention_seconds);
            noaber_buf_printf(b, " after `%s`", t->retention_column);
        }
        any = 1;
    }
    for (const struct privacy_rule *r = t->rules; r && r->column; r++) {
        noaber_buf_puts(b, any ? "; " : "");
        noaber_buf_puts(b, "deleted ");
        duration(b, r->seconds);
        noaber_buf_printf(b, " after `%s`", r->column);
        if (r->if_null)
            noaber_buf_printf(b, " when `%s` is empty", r->if_null);
        any = 1;
    }
    if (!any)
        noaber_buf_puts(b, "none: kept as long as the retention period above says");
}

static void
belongs(struct noaber_buf *b, const struct privacy_table *t)
{
    int k = 0;
    for (const struct privacy_column *c = t->columns; c->name; c++)
        if (c->kind == PRIVACY_REFERENCE)
            noaber_buf_printf(b, "%s`%s` is the person", k++ ? "; " : "", c->name);
    for (const struct privacy_link *l = t->links; l && l->column; l++)
        noaber_buf_printf(b, "%s`%s` holds %s%s%s`%s.%s` of the person's rows", k++ ? "; " : "",
                          l->column, l->prefix ? "`" : "", l->prefix ? l->prefix : "",
                          l->prefix ? "` and " : "", l->table, l->key);
    if (!k)
        noaber_buf_puts(b, "no row belongs to a person");
}

static void
purposes(struct noaber_buf *b)
{
    noaber_buf_puts(b, "## Purposes and retention periods (doelen en bewaartermijnen)\n\n"
                       "| Purpose (doel) | Where | Legal basis (grondslag) | "
                       "Retention period (bewaartermijn) |\n|---|---|---|---|\n");
    size_t n = privacy_table_count();
    for (size_t i = 0; i < n; i++) {
        const struct privacy_table *t = privacy_table_at(i);
        for (const struct privacy_column *c = t->columns; c->name; c++) {
            if (c->kind == PRIVACY_NOT_PERSONAL)
                continue;
            noaber_buf_puts(b, "| ");
            cell(b, c->purpose);
            noaber_buf_printf(b, " | `%s.%s` | ", t->table, c->name);
            cell(b, t->basis);
            noaber_buf_puts(b, " | ");
            cell(b, t->retention);
            noaber_buf_puts(b, " |\n");
        }
    }
    noaber_buf_putc(b, '\n');
}

static void
table(struct noaber_buf *b, const struct privacy_table *t)
{
    noaber_buf_printf(b, "### `%s`: ", t->table);
    cell(b, t->description);
    noaber_buf_puts(b, "\n\n");
    noaber_buf_printf(b, "- Legal basis (grondslag): %s\n",
                      t->basis ? t->basis : "none needed: nothing in it is personal");
    noaber_buf_puts(b, "- Retention period (bewaartermijn): ");
    cell(b, t->retention ? t->retention : "none needed: nothing in it is personal");
    noaber_buf_puts(b, "\n- Daily clean-up: ");
    cleanup(b, t);
    noaber_buf_puts(b, "\n- Rows of a person: ");
    belongs(b, t);
    noaber_buf_printf(b, "\n- On erasure: %s\n\n",
                      t->erase == PRIVACY_ERASE_PSEUDONYMISE
                          ? "legally retained: the person's id becomes NULL and the pseudonym "
                            "column beside it gets their pseudonym; personal text is emptied"
                      : privacy_table_is_personal_data(t)
                          ? "the person's rows are deleted; where they only acted, their id "
                            "becomes NULL"
                          : "nothing is deleted; where the person acted, their id becomes NULL");
    noaber_buf_puts(b, "| Column | Kind | Purpose (doel) |\n|---|---|---|\n");
    for (const struct privacy_column *c = t->columns; c->name; c++) {
        noaber_buf_printf(b, "| `%s` | %s | ", c->name, privacy_kind_name(c->kind));
        cell(b, c->purpose ? c->purpose : "");
        noaber_buf_puts(b, " |\n");
    }
    noaber_buf_putc(b, '\n');
}

void
privacy_register_markdown(struct noaber_buf *b)
{
    noaber_buf_puts(
        b,
        "# Processing register (verwerkingsregister)\n\n"
        "<!-- Generated by `noaber privacy-register` from the declarations in "
        "src/*/*_privacy.c and src/privacy/privacy_modules.c. Do not edit by hand: change the "
        "declarations, then run `noaber privacy-register > docs/privacy.md`. "
        "tests/unit/privacy/test_register.c fails when this file is out of date. -->\n\n"
        "This is the register of processing (AVG art. 30) of a Noaber installation. Every column "
        "of every table in the database is declared once in the code: personal or not, and if "
        "personal why it is kept (purpose), on which legal basis and for how long (retention "
        "period). A test fails on any column that is not declared. From the same declarations "
        "Noaber makes a person's export (art. 15 and 20: *Mijn gegevens*, `GET "
        "/api/v1/me/export`), their erasure (art. 17: *Account verwijderen*, `DELETE "
        "/api/v1/me`) and the daily clean-up of what has passed its retention period (`noaber "
        "maintenance`, and the server once a day).\n\n"
        "The cooperative that runs the installation is the controller "
        "(*verwerkingsverantwoordelijke*); "
        "it adds its own name, contact details and processors to this register.\n\n"
        "Kinds of column: *the person* (the row is that person's: it is in their export and "
        "goes with their erasure), *who acted on it* (a connector who made, confirmed or handled "
        "something for someone else: erasure empties it), *personal*, *special category "
        "(health)*, *secret* (a hash of a password, token or code: never in an export), "
        "*pseudonym after erasure*, *not personal*.\n\n"
        "Erasure (*recht op vergetelheid*): the person's rows are deleted in every table, except "
        "in the legally retained logs (the audit log and the access log, kept 5 years), where the "
        "person's id is replaced by a pseudonym: `erased-` and 12 hex characters of an HMAC of the "
        "id under the installation's secret, the same for all their rows, so the log still shows "
        "which entries were one person, but not who. An installation's last administrator cannot "
        "be erased.\n\n");
    purposes(b);
    noaber_buf_puts(b, "## Tables\n\n");
    for (size_t i = 0; i < privacy_table_count(); i++)
        table(b, privacy_table_at(i));
}
