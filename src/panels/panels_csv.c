/*
 * panels_csv.c — reading the features and people files, and the engine's error messages.
 *
 * Coordinators export these files from spreadsheets, so the parser accepts what Dutch exports
 * produce: a UTF-8 byte order mark, ';' instead of ',' as separator, CRLF line ends, quoted
 * fields with embedded separators, quotes ("") and newlines, and a missing final newline. The
 * separator is decided once, from the header line. Fields are kept exactly as written
 * (unquoted, not trimmed) so selected.csv can repeat the input unchanged; comparisons trim
 * blanks elsewhere. This file is also the target of fuzz/panels_csv.c.
 */
#include "panels/panels.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const messages[PANELS_E__MAX] = {
    [PANELS_OK] = "gelukt / ok",
    [PANELS_E_NOMEM] = "onvoldoende geheugen / out of memory",
    [PANELS_E_IO] = "bestand niet te lezen of te schrijven / file could not be read or written",
    [PANELS_E_USAGE] = "ongeldige opdracht / invalid command line",
    [PANELS_E_CSV] = "ongeldig CSV-bestand / malformed CSV file",
    [PANELS_E_HEADER] = "kenmerkenbestand mist kolommen / features file lacks columns",
    [PANELS_E_NUMBER] = "geen geheel getal / not a whole number",
    [PANELS_E_MIN_GT_MAX] = "minimum groter dan maximum / min greater than max",
    [PANELS_E_DUP_QUOTA] = "quotum dubbel opgegeven / quota given twice",
    [PANELS_E_COLUMN_MISSING] = "kolom ontbreekt / column missing",
    [PANELS_E_UNKNOWN_VALUE] = "onbekende waarde / unknown value",
    [PANELS_E_DUP_ID] = "dubbel id / duplicate id",
    [PANELS_E_EMPTY_POOL] = "geen vrijwilligers / no volunteers",
    [PANELS_E_K_RANGE] = "panelgrootte past niet bij de pool / panel size does not fit the pool",
    [PANELS_E_INFEASIBLE] = "quota zijn onhaalbaar / quotas are infeasible",
    [PANELS_E_INTERNAL] = "interne fout / internal error",
    [PANELS_E_TIMEOUT] = "tijdslimiet bereikt / time limit reached",
};

const char *
panels_strerror(panels_err err)
{
    if ((int)err < 0 || err >= PANELS_E__MAX || !messages[err])
        return "onbekende fout / unknown error";
    return messages[err];
}

void
panels_table_free(struct panels_table *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->ncols; i++)
        free(t->header ? t->header[i] : NULL);
    if (t->cells)
        for (long i = 0; i < (long)t->nrows * t->ncols; i++)
            free(t->cells[i]);
    free(t->header);
    free(t->cells);
    free(t->line);
    memset(t, 0, sizeof(*t));
}

/* Growing list of field strings for the row being read. */
struct fields {
    char **v;
    int n, cap;
};

static int
fields_push(struct fields *f, const char *s, size_t len)
{
    if (f->n == f->cap) {
        int cap = f->cap ? f->cap * 2 : 16;
        char **v = realloc(f->v, (size_t)cap * sizeof(*v));
        if (!v)
            return -1;
        f->v = v;
        f->cap = cap;
    }
    char *copy = malloc(len + 1);
    if (!copy)
        return -1;
    memcpy(copy, s, len);
    copy[len] = '\0';
    f->v[f->n++] = copy;
    return 0;
}

static void
fields_clear(struct fields *f)
{
    for (int i = 0; i < f->n; i++)
        free(f->v[i]);
    f->n = 0;
}

/* Separator of the header line: ';' when it has more unquoted ';' than ','. */
static char
detect_separator(const char *p, const char *end)
{
    int commas = 0, semis = 0, quoted = 0;
    for (; p < end && (quoted || (*p != '\n' && *p != '\r')); p++) {
        if (*p == '"')
            quoted = !quoted;
        else if (!quoted && *p == ',')
            commas++;
        else if (!quoted && *p == ';')
            semis++;
    }
    return semis > commas ? ';' : ',';
}

/*
 * Read one record starting at *pp into f. Returns 1 when a record was read, 0 at end of input,
 * -1 on an unterminated quote, -2 out of memory. *lines counts newlines consumed.
 */
static int
read_record(const char **pp, const char *end, char sep, struct fields *f, char **buf,
            size_t *bufcap, int *lines)
{
    const char *p = *pp;
    if (p >= end)
        return 0;
    for (;;) {
        size_t n = 0;
        int quoted = 0;
        /* A field is quoted only when the quote opens it (after optional blanks). */
        const char *q = p;
        while (q < end && (*q == ' ' || *q == '\t'))
            q++;
        if (q < end && *q == '"') {
            quoted = 1;
            p = q + 1;
        }
        for (;;) {
            if (p >= end) {
                if (quoted)
                    return -1;
                break;
            }
            char c = *p;
            if (quoted) {
                if (c == '"') {
                    if (p + 1 < end && p[1] == '"') {
                        p += 2;
                    } else {
                        quoted = 0;
                        p++;
                        /* Text after a closing quote is kept, as spreadsheets do. */
                        continue;
                    }
                    c = '"';
                } else {
                    if (c == '\n')
                        (*lines)++;
                    p++;
                }
            } else {
                if (c == sep || c == '\n' || c == '\r')
                    break;
                p++;
            }
            if (n + 1 >= *bufcap) {
                size_t cap = *bufcap * 2 + 64;
                char *b = realloc(*buf, cap);
                if (!b)
                    return -2;
                *buf = b;
                *bufcap = cap;
            }
            (*buf)[n++] = c;
        }
        if (fields_push(f, *buf ? *buf : "", n) < 0)
            return -2;
        if (p < end && *p == sep) {
            p++;
            continue;
        }
        /* End of record: swallow one line end (CRLF, LF or a lone CR). */
        if (p < end && *p == '\r')
            p++;
        if (p < end && *p == '\n')
            p++;
        (*lines)++;
        *pp = p;
        return 1;
    }
}

static int
record_blank(const struct fields *f)
{
    for (int i = 0; i < f->n; i++)
        for (const char *s = f->v[i]; *s; s++)
            if (!isspace((unsigned char)*s))
                return 0;
    return 1;
}

panels_err
panels_table_parse(const char *data, size_t len, struct panels_table *out, struct panels_diag *diag)
{
    struct fields f = {0};
    char *buf = NULL;
    size_t bufcap = 0;
    const char *p = data, *end = data + len;
    panels_err err = PANELS_OK;
    long cap = 0;
    int lines = 0;

    memset(out, 0, sizeof(*out));
    if (len >= 3 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB &&
        (unsigned char)p[2] == 0xBF)
        p += 3;
    char sep = detect_separator(p, end);
    for (;;) {
        int line0 = lines + 1;
        fields_clear(&f);
        int r = read_record(&p, end, sep, &f, &buf, &bufcap, &lines);
        if (r == 0)
            break;
        if (r == -2) {
            err = PANELS_E_NOMEM;
            goto out;
        }
        if (r == -1) {
            err = PANELS_E_CSV;
            if (diag)
                snprintf(diag->msg, sizeof(diag->msg),
                         "Fout: aanhalingsteken niet gesloten vanaf regel %d. / Error: "
                         "unterminated quote starting on line %d.",
                         line0, line0);
            goto out;
        }
        if (record_blank(&f))
            continue;
        if (!out->header) {
            out->header = f.v;
            out->ncols = f.n;
            f.v = NULL;
            f.n = f.cap = 0;
            continue;
        }
        /* Spreadsheets drop trailing empty cells; anything longer is an error. */
        while (f.n > out->ncols && f.v[f.n - 1][0] == '\0')
            free(f.v[--f.n]);
        if (f.n > out->ncols) {
            err = PANELS_E_CSV;
            if (diag)
                snprintf(diag->msg, sizeof(diag->msg),
                         "Fout: regel %d heeft %d velden, de kopregel %d. / Error: line %d has "
                         "%d fields, the header has %d.",
                         line0, f.n, out->ncols, line0, f.n, out->ncols);
            goto out;
        }
        while (f.n < out->ncols)
            if (fields_push(&f, "", 0) < 0) {
                err = PANELS_E_NOMEM;
                goto out;
            }
        if (out->nrows == cap) {
            long ncap = cap ? cap * 2 : 64;
            char **cells = realloc(out->cells, (size_t)(ncap * out->ncols) * sizeof(char *) + 1);
            if (!cells) {
                err = PANELS_E_NOMEM;
                goto out;
            }
            out->cells = cells;
            int *ln = realloc(out->line, (size_t)ncap * sizeof(int));
            if (!ln) {
                err = PANELS_E_NOMEM;
                goto out;
            }
            out->line = ln;
            cap = ncap;
        }
        memcpy(out->cells + (long)out->nrows * out->ncols, f.v,
               (size_t)out->ncols * sizeof(char *));
        out->line[out->nrows] = line0;
        out->nrows++;
        f.n = 0;
    }
    if (!out->header) {
        err = PANELS_E_CSV;
        if (diag)
            snprintf(diag->msg, sizeof(diag->msg),
                     "Fout: het bestand is leeg. / Error: the file is empty.");
    }
out:
    fields_clear(&f);
    free(f.v);
    free(buf);
    if (err != PANELS_OK)
        panels_table_free(out);
    return err;
}

panels_err
panels_table_load(const char *path, struct panels_table *out, struct panels_diag *diag)
{
    memset(out, 0, sizeof(*out));
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        if (diag)
            snprintf(diag->msg, sizeof(diag->msg),
                     "Fout: kan '%s' niet openen (%s). / Error: cannot open '%s' (%s).", path,
                     strerror(errno), path, strerror(errno));
        return PANELS_E_IO;
    }
    size_t cap = 1 << 16, len = 0;
    char *data = malloc(cap);
    panels_err err = PANELS_OK;
    while (data) {
        size_t r = fread(data + len, 1, cap - len, fp);
        len += r;
        if (len < cap)
            break;
        cap *= 2;
        char *d = realloc(data, cap);
        if (!d) {
            free(data);
            data = NULL;
        } else {
            data = d;
        }
    }
    if (!data)
        err = PANELS_E_NOMEM;
    else if (ferror(fp)) {
        err = PANELS_E_IO;
        if (diag)
            snprintf(diag->msg, sizeof(diag->msg),
                     "Fout: kan '%s' niet lezen. / Error: cannot read '%s'.", path, path);
    }
    fclose(fp);
    if (err == PANELS_OK) {
        err = panels_table_parse(data, len, out, diag);
        if (err == PANELS_E_CSV && diag) {
            char tmp[sizeof(diag->msg)];
            snprintf(tmp, sizeof(tmp), "%.200s: %.800s", path, diag->msg);
            memcpy(diag->msg, tmp, sizeof(tmp));
        }
    }
    free(data);
    return err;
}

/* Compare ignoring ASCII case and blanks around b. */
static int
loose_equal(const char *a, const char *b)
{
    while (isspace((unsigned char)*b))
        b++;
    size_t lb = strlen(b);
    while (lb && isspace((unsigned char)b[lb - 1]))
        lb--;
    while (isspace((unsigned char)*a))
        a++;
    size_t la = strlen(a);
    while (la && isspace((unsigned char)a[la - 1]))
        la--;
    if (la != lb)
        return 0;
    for (size_t i = 0; i < la; i++)
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
            return 0;
    return 1;
}

int
panels_table_column(const struct panels_table *t, const char *name)
{
    for (int i = 0; i < t->ncols; i++)
        if (strcmp(t->header[i], name) == 0)
            return i;
    for (int i = 0; i < t->ncols; i++)
        if (loose_equal(t->header[i], name))
            return i;
    return -1;
}
