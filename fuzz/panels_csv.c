/*
 * Fuzz target for the panels engine's CSV reader (panels_table_parse in src/panels/panels_csv.c)
 * and for building a pool from a features file and a people file (panels_pool_build in
 * src/panels/panels_pool.c), the two steps every uploaded or exported spreadsheet goes through
 * before any solving. The input is "features CSV \0 k people CSV": without a NUL the whole input
 * is one CSV file for the reader alone. Checks: a parsed table is rectangular with non-NULL
 * cells and ascending line numbers, every header name is found by panels_table_column, and a
 * built pool's indices all point inside it. Failures must carry a message. Built and run by
 * fuzz/run; seeds in fuzz/corpus/panels_csv/ (from tests/data/sortition/).
 */
#include "panels/panels.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void
check_table(const struct panels_table *t)
{
    if (t->ncols < 1 || t->nrows < 0 || !t->header)
        abort();
    for (int c = 0; c < t->ncols; c++) {
        if (!t->header[c])
            abort();
        int found = panels_table_column(t, t->header[c]);
        if (found < 0 || found > c)
            abort(); /* the first column of that name, or an earlier one equal to it */
    }
    for (int r = 0; r < t->nrows; r++) {
        if (t->line[r] < 2 || (r && t->line[r] <= t->line[r - 1]))
            abort();
        for (int c = 0; c < t->ncols; c++)
            if (!t->cells[(long)r * t->ncols + c])
                abort();
    }
}

/* Parses DATA; 1 with *T filled when it is a table. */
static int
parse(const char *data, size_t n, struct panels_table *t)
{
    struct panels_diag diag = {{0}};
    /* An exact-size heap copy, so that ASan sees any read past the end. */
    char *copy = malloc(n ? n : 1);
    memcpy(copy, data, n);
    panels_err err = panels_table_parse(copy, n, t, &diag);
    free(copy);
    if (err != PANELS_OK) {
        if ((err != PANELS_E_CSV && err != PANELS_E_NOMEM) || !diag.msg[0])
            abort();
        return 0;
    }
    check_table(t);
    return 1;
}

static void
check_pool(const struct panels_pool *p)
{
    if (p->npeople < 1 || p->nfeatures < 1 || p->nvalues < p->nfeatures)
        abort();
    for (int f = 0; f < p->nfeatures; f++)
        if (p->features[f].first_value < 0 ||
            p->features[f].first_value + p->features[f].nvalues > p->nvalues)
            abort();
    for (int i = 0; i < p->npeople; i++) {
        if (!p->ids[i] || p->household[i] < -1 || p->household[i] >= p->nhouseholds)
            abort();
        for (int f = 0; f < p->nfeatures; f++) {
            int v = p->value_of[(long)i * p->nfeatures + f];
            if (v < p->features[f].first_value ||
                v >= p->features[f].first_value + p->features[f].nvalues)
                abort();
        }
    }
    if (panels_pool_profiles(p) < 1 || panels_pool_profiles(p) > p->npeople)
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *d = (const char *)data;
    const char *nul = memchr(d, '\0', size);
    struct panels_table a = {0}, b = {0};
    if (!nul) {
        if (parse(d, size, &a))
            panels_table_free(&a);
        return 0;
    }
    size_t fn = (size_t)(nul - d);
    if (fn + 2 > size)
        return 0;
    int k = (unsigned char)nul[1] % 32;
    if (parse(d, fn, &a) && parse(nul + 2, size - fn - 2, &b)) {
        static const char *const households[] = {"address", "household", NULL};
        struct panels_pool_opts opts = {k, NULL, (size & 1) ? households : NULL};
        struct panels_pool pool;
        struct panels_diag diag = {{0}};
        panels_err err = panels_pool_build(&a, &b, &opts, &pool, &diag);
        if (err == PANELS_OK) {
            if (pool.k != k)
                abort();
            check_pool(&pool);
        } else if (!diag.msg[0] && err != PANELS_E_NOMEM) {
            abort();
        }
        panels_pool_free(&pool);
    }
    panels_table_free(&a);
    panels_table_free(&b);
    return 0;
}
