/*
 * panels_pool.c — from two parsed CSV files to a checked pool of volunteers.
 *
 * The features file comes in two dialects: the Sortition Foundation's and the
 * `sortition-algorithms` package's `feature,value,min,max[,min_flex,max_flex]`, and the
 * replication data's `category,feature,min,max` (there "category" is the feature and "feature"
 * the value). The people file has an id column (or none: then the id is the 1-based data row)
 * and one column per feature. Every mistake a coordinator can make in these files is caught
 * here, with the row and column in the message, before any solver runs. Volunteers keep the
 * order of the people file: person i is data row i.
 */
#include "panels/panels.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DIAG(...)                                                                                  \
    do {                                                                                           \
        if (diag)                                                                                  \
            snprintf(diag->msg, sizeof(diag->msg), __VA_ARGS__);                                   \
    } while (0)

/* Copy of s without surrounding blanks; NULL on out of memory. */
static char *
trimmed(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    char *c = malloc(n + 1);
    if (c) {
        memcpy(c, s, n);
        c[n] = '\0';
    }
    return c;
}

/* Equal after trimming blanks around a (b is already trimmed); icase ignores ASCII case. */
static int
same_text(const char *a, const char *b, int icase)
{
    while (isspace((unsigned char)*a))
        a++;
    size_t la = strlen(a), lb = strlen(b);
    while (la && isspace((unsigned char)a[la - 1]))
        la--;
    if (la != lb)
        return 0;
    for (size_t i = 0; i < la; i++) {
        int x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (icase) {
            x = tolower(x);
            y = tolower(y);
        }
        if (x != y)
            return 0;
    }
    return 1;
}

static int
parse_int(const char *s, int *out)
{
    while (isspace((unsigned char)*s))
        s++;
    if (!*s)
        return -1;
    errno = 0;
    char *end;
    long v = strtol(s, &end, 10);
    /* Spreadsheets sometimes write whole numbers as 9.0 */
    if (*end == '.' || *end == ',') {
        const char *z = end + 1;
        while (*z == '0')
            z++;
        end = (char *)z;
    }
    while (isspace((unsigned char)*end))
        end++;
    if (*end || errno || v < INT_MIN / 2 || v > INT_MAX / 2)
        return -1;
    *out = (int)v;
    return 0;
}

void
panels_pool_free(struct panels_pool *pool)
{
    if (!pool)
        return;
    for (int f = 0; f < pool->nfeatures; f++)
        free(pool->features[f].name);
    for (int v = 0; v < pool->nvalues; v++)
        free(pool->values[v].name);
    for (int i = 0; i < pool->npeople; i++)
        free(pool->ids ? pool->ids[i] : NULL);
    free(pool->features);
    free(pool->values);
    free(pool->ids);
    free(pool->value_of);
    free(pool->household);
    memset(pool, 0, sizeof(*pool));
}

/* Read the quota rows into pool->features and pool->values (grouped by feature). */
static panels_err
read_features(const struct panels_table *t, struct panels_pool *pool, struct panels_diag *diag)
{
    int cf = panels_table_column(t, "feature"), cv = panels_table_column(t, "value");
    int ccat = panels_table_column(t, "category");
    if (cv < 0 && ccat >= 0) { /* replication dialect: category,feature,min,max */
        cv = cf;
        cf = ccat;
    }
    int cmin = panels_table_column(t, "min"), cmax = panels_table_column(t, "max");
    int cminf = panels_table_column(t, "min_flex"), cmaxf = panels_table_column(t, "max_flex");
    if (cf < 0 || cv < 0 || cmin < 0 || cmax < 0) {
        DIAG("Fout: het kenmerkenbestand moet de kolommen feature,value,min,max (of "
             "category,feature,min,max) hebben. / Error: the features file must have the columns "
             "feature,value,min,max (or category,feature,min,max).");
        return PANELS_E_HEADER;
    }
    if (t->nrows == 0) {
        DIAG("Fout: het kenmerkenbestand bevat geen quota. / Error: the features file has no "
             "quotas.");
        return PANELS_E_HEADER;
    }
    pool->values = calloc((size_t)t->nrows, sizeof(*pool->values));
    pool->features = calloc((size_t)t->nrows, sizeof(*pool->features));
    int *feat_of_row = calloc((size_t)t->nrows, sizeof(int));
    if (!pool->values || !pool->features || !feat_of_row) {
        free(feat_of_row);
        return PANELS_E_NOMEM;
    }
    panels_err err = PANELS_OK;
    /* Features in order of first appearance. */
    for (int r = 0; r < t->nrows && !err; r++) {
        const char *fname = t->cells[(long)r * t->ncols + cf];
        int f = 0;
        while (f < pool->nfeatures && !same_text(fname, pool->features[f].name, 0))
            f++;
        if (f == pool->nfeatures) {
            pool->features[f].name = trimmed(fname);
            if (!pool->features[f].name) {
                err = PANELS_E_NOMEM;
                break;
            }
            if (!pool->features[f].name[0]) {
                DIAG("Fout: lege kenmerknaam in het kenmerkenbestand (regel %d). / Error: empty "
                     "feature name in the features file (line %d).",
                     t->line[r], t->line[r]);
                err = PANELS_E_HEADER;
            }
            pool->nfeatures++;
        }
        feat_of_row[r] = f;
    }
    for (int f = 0; f < pool->nfeatures && !err; f++) {
        pool->features[f].first_value = pool->nvalues;
        for (int r = 0; r < t->nrows && !err; r++) {
            if (feat_of_row[r] != f)
                continue;
            const char *const *row = (const char *const *)t->cells + (long)r * t->ncols;
            struct panels_value *v = &pool->values[pool->nvalues];
            v->feature = f;
            v->feature_name = pool->features[f].name;
            v->min_flex = v->max_flex = -1;
            v->name = trimmed(row[cv]);
            if (!v->name) {
                err = PANELS_E_NOMEM;
                break;
            }
            pool->nvalues++;
            for (int w = pool->features[f].first_value; w < pool->nvalues - 1; w++)
                if (strcmp(pool->values[w].name, v->name) == 0) {
                    DIAG("Fout: waarde '%s' van kenmerk '%s' staat twee keer in het "
                         "kenmerkenbestand (regel %d). / Error: value '%s' of feature '%s' is "
                         "listed twice (line %d).",
                         v->name, v->feature_name, t->line[r], v->name, v->feature_name,
                         t->line[r]);
                    err = PANELS_E_DUP_QUOTA;
                }
            const int cols[4] = {cmin, cmax, cminf, cmaxf};
            int *dst[4] = {&v->min, &v->max, &v->min_flex, &v->max_flex};
            for (int j = 0; j < 4 && !err; j++) {
                if (cols[j] < 0)
                    continue;
                const char *s = row[cols[j]];
                if (j >= 2 && strspn(s, " \t") == strlen(s))
                    continue; /* empty flex: not given */
                if (parse_int(s, dst[j]) < 0 || *dst[j] < 0) {
                    DIAG("Fout: '%s' in kolom '%s' (regel %d) is geen geheel getal >= 0. / "
                         "Error: '%s' in column '%s' (line %d) is not a whole number >= 0.",
                         s, t->header[cols[j]], t->line[r], s, t->header[cols[j]], t->line[r]);
                    err = PANELS_E_NUMBER;
                }
            }
            if (!err && v->min > v->max) {
                DIAG("Fout: minimum %d is groter dan maximum %d voor %s = %s (regel %d). / "
                     "Error: min %d is greater than max %d for %s = %s (line %d).",
                     v->min, v->max, v->feature_name, v->name, t->line[r], v->min, v->max,
                     v->feature_name, v->name, t->line[r]);
                err = PANELS_E_MIN_GT_MAX;
            }
        }
        pool->features[f].nvalues = pool->nvalues - pool->features[f].first_value;
    }
    free(feat_of_row);
    return err;
}

struct idref {
    const char *id;
    int row;
};

static int
idref_cmp(const void *a, const void *b)
{
    const struct idref *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : x->row - y->row;
}

/* Ids: trimmed text of the id column, or row numbers; refuses duplicates and empty ids. */
static panels_err
read_ids(const struct panels_table *t, int cid, struct panels_pool *pool, struct panels_diag *diag)
{
    if (t->nrows <= 0)
        return PANELS_E_EMPTY_POOL;
    pool->ids = calloc((size_t)t->nrows, sizeof(char *));
    if (!pool->ids)
        return PANELS_E_NOMEM;
    for (int r = 0; r < t->nrows; r++) {
        char num[16];
        snprintf(num, sizeof(num), "%d", r + 1);
        pool->ids[r] = cid >= 0 ? trimmed(t->cells[(long)r * t->ncols + cid]) : strdup(num);
        if (!pool->ids[r])
            return PANELS_E_NOMEM;
        if (!pool->ids[r][0]) {
            DIAG("Fout: leeg id in kolom '%s' (regel %d). / Error: empty id in column '%s' "
                 "(line %d).",
                 t->header[cid], t->line[r], t->header[cid], t->line[r]);
            return PANELS_E_DUP_ID;
        }
    }
    struct idref *refs = malloc((size_t)t->nrows * sizeof(*refs));
    if (!refs)
        return PANELS_E_NOMEM;
    for (int r = 0; r < t->nrows; r++)
        refs[r] = (struct idref){pool->ids[r], r};
    qsort(refs, (size_t)t->nrows, sizeof(*refs), idref_cmp);
    panels_err err = PANELS_OK;
    for (int r = 1; r < t->nrows; r++)
        if (strcmp(refs[r - 1].id, refs[r].id) == 0) {
            int l1 = t->line[refs[r - 1].row], l2 = t->line[refs[r].row];
            DIAG("Fout: id '%s' komt twee keer voor (regels %d en %d). / Error: duplicate id "
                 "'%s' (lines %d and %d).",
                 refs[r].id, l1, l2, refs[r].id, l1, l2);
            err = PANELS_E_DUP_ID;
            break;
        }
    free(refs);
    return err;
}

/* Each volunteer's value per feature; every value must be listed in the features file. */
static panels_err
read_values(const struct panels_table *t, struct panels_pool *pool, struct panels_diag *diag)
{
    for (int f = 0; f < pool->nfeatures; f++) {
        struct panels_feature *ft = &pool->features[f];
        ft->column = panels_table_column(t, ft->name);
        if (ft->column < 0) {
            DIAG("Fout: kolom '%s' ontbreekt in het bestand met vrijwilligers. / Error: column "
                 "'%s' is missing from the people file.",
                 ft->name, ft->name);
            return PANELS_E_COLUMN_MISSING;
        }
    }
    pool->value_of = malloc((size_t)t->nrows * (size_t)pool->nfeatures * sizeof(int));
    if (!pool->value_of)
        return PANELS_E_NOMEM;
    for (int r = 0; r < t->nrows; r++)
        for (int f = 0; f < pool->nfeatures; f++) {
            const struct panels_feature *ft = &pool->features[f];
            const char *s = t->cells[(long)r * t->ncols + ft->column];
            int found = -1;
            for (int pass = 0; pass < 2 && found < 0; pass++)
                for (int v = ft->first_value; v < ft->first_value + ft->nvalues; v++)
                    if (same_text(s, pool->values[v].name, pass)) {
                        found = v;
                        break;
                    }
            if (found < 0) {
                DIAG("Fout: onbekende waarde '%s' in kolom '%s' (regel %d); die waarde staat niet "
                     "in het kenmerkenbestand. / Error: unknown value '%s' in column '%s' (line "
                     "%d); it is not in the features file.",
                     s, ft->name, t->line[r], s, ft->name, t->line[r]);
                return PANELS_E_UNKNOWN_VALUE;
            }
            pool->value_of[(long)r * pool->nfeatures + f] = found;
        }
    return PANELS_OK;
}

struct hhref {
    char *key;
    int row;
};

static int
hhref_cmp(const void *a, const void *b)
{
    const struct hhref *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : x->row - y->row;
}

/* Households: people sharing the tuple of the named columns; an empty value never matches. */
static panels_err
read_households(const struct panels_table *t, const char *const *cols, struct panels_pool *pool,
                struct panels_diag *diag)
{
    pool->household = malloc((size_t)t->nrows * sizeof(int));
    if (!pool->household)
        return PANELS_E_NOMEM;
    for (int r = 0; r < t->nrows; r++)
        pool->household[r] = -1;
    int ncols = 0;
    while (cols && cols[ncols])
        ncols++;
    if (ncols == 0)
        return PANELS_OK;
    int *idx = malloc((size_t)ncols * sizeof(int));
    struct hhref *refs = calloc((size_t)t->nrows, sizeof(*refs));
    panels_err err = PANELS_OK;
    int nrefs = 0;
    if (!idx || !refs) {
        err = PANELS_E_NOMEM;
        goto out;
    }
    for (int c = 0; c < ncols; c++) {
        idx[c] = panels_table_column(t, cols[c]);
        if (idx[c] < 0) {
            DIAG("Fout: huishoudkolom '%s' ontbreekt in het bestand met vrijwilligers. / Error: "
                 "household column '%s' is missing from the people file.",
                 cols[c], cols[c]);
            err = PANELS_E_COLUMN_MISSING;
            goto out;
        }
    }
    for (int r = 0; r < t->nrows; r++) {
        size_t len = 1;
        int empty = 0;
        for (int c = 0; c < ncols; c++) {
            char *v = trimmed(t->cells[(long)r * t->ncols + idx[c]]);
            if (!v) {
                err = PANELS_E_NOMEM;
                goto out;
            }
            empty |= v[0] == '\0';
            len += strlen(v) + 1;
            free(v);
        }
        if (empty)
            continue;
        char *key = malloc(len);
        if (!key) {
            err = PANELS_E_NOMEM;
            goto out;
        }
        key[0] = '\0';
        for (int c = 0; c < ncols; c++) {
            char *v = trimmed(t->cells[(long)r * t->ncols + idx[c]]);
            if (!v) {
                free(key);
                err = PANELS_E_NOMEM;
                goto out;
            }
            strcat(key, v);
            strcat(key, "\x1f");
            free(v);
        }
        refs[nrefs++] = (struct hhref){key, r};
    }
    qsort(refs, (size_t)nrefs, sizeof(*refs), hhref_cmp);
    for (int a = 0; a < nrefs;) {
        int b = a + 1;
        while (b < nrefs && strcmp(refs[a].key, refs[b].key) == 0)
            b++;
        if (b - a >= 2) {
            for (int j = a; j < b; j++)
                pool->household[refs[j].row] = pool->nhouseholds;
            pool->nhouseholds++;
        }
        a = b;
    }
out:
    for (int r = 0; r < nrefs; r++)
        free(refs[r].key);
    free(refs);
    free(idx);
    return err;
}

panels_err
panels_pool_build(const struct panels_table *features, const struct panels_table *people,
                  const struct panels_pool_opts *opts, struct panels_pool *pool,
                  struct panels_diag *diag)
{
    memset(pool, 0, sizeof(*pool));
    pool->k = opts->k;
    panels_err err = read_features(features, pool, diag);
    if (err)
        goto out;
    int cid = panels_table_column(people, opts->id_column ? opts->id_column : "id");
    if (cid < 0 && opts->id_column) {
        DIAG("Fout: id-kolom '%s' ontbreekt in het bestand met vrijwilligers. / Error: id "
             "column '%s' is missing from the people file.",
             opts->id_column, opts->id_column);
        err = PANELS_E_COLUMN_MISSING;
        goto out;
    }
    pool->id_from_row = cid < 0;
    if (people->nrows == 0) {
        DIAG("Fout: het bestand met vrijwilligers bevat niemand. / Error: the people file has no "
             "volunteers.");
        err = PANELS_E_EMPTY_POOL;
        goto out;
    }
    err = read_ids(people, cid, pool, diag);
    pool->npeople = people->nrows; /* so that panels_pool_free releases the ids */
    if (err)
        goto out;
    err = read_values(people, pool, diag);
    if (err)
        goto out;
    err = read_households(people, opts->household_columns, pool, diag);
    if (err)
        goto out;
    if (pool->k < 1 || pool->k > pool->npeople) {
        DIAG("Fout: panelgrootte %d moet tussen 1 en het aantal vrijwilligers (%d) liggen. / "
             "Error: panel size %d must be between 1 and the number of volunteers (%d).",
             pool->k, pool->npeople, pool->k, pool->npeople);
        err = PANELS_E_K_RANGE;
    }
out:
    if (err)
        panels_pool_free(pool);
    return err;
}
