/*
 * panels_csv.c — libFuzzer target for the panels CSV parser and pool builder.
 *
 * The input is split at the first NUL byte into a features file and a people file; both are
 * parsed with panels_table_parse and, when they parse, combined with panels_pool_build for a
 * panel size taken from the first byte. Every path must return cleanly and free everything.
 */
#include "panels/panels.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *nul = memchr(text, '\0', size);
    size_t flen = nul ? (size_t)(nul - text) : size;
    struct panels_table ft, pt;
    struct panels_diag diag;
    if (panels_table_parse(text, flen, &ft, &diag) != PANELS_OK)
        return 0;
    if (nul && panels_table_parse(nul + 1, size - flen - 1, &pt, &diag) == PANELS_OK) {
        static const char *const hh[] = {"address", NULL};
        struct panels_pool_opts po = {.k = size ? 1 + data[0] % 8 : 1,
                                      .household_columns = (size & 1) ? hh : NULL};
        struct panels_pool pool;
        if (panels_pool_build(&ft, &pt, &po, &pool, &diag) == PANELS_OK) {
            (void)panels_pool_profiles(&pool);
            panels_pool_free(&pool);
        }
        panels_table_free(&pt);
    }
    panels_table_free(&ft);
    return 0;
}
