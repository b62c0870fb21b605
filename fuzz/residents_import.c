/*
 * Fuzz target for the member-list import of the residents module (src/residents/residents_rules.c):
 * the CSV reader, the header mapping and the check of every data row, exactly as
 * residents_import() uses them before anything is written. Checks: the parsed table stays inside
 * the row limit, every row has at least one cell, every cell is a string, and a row the check
 * accepts has a name, an e-mail address or a phone number, and a consent date not after NOW.
 * Built and run by fuzz/run; seeds in fuzz/corpus/residents_import/.
 */
#include "base/arena.h"
#include "residents/residents.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW 1800000000 /* 2027-01-15: a fixed clock, so that a finding replays */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct noaber_arena *a = noaber_arena_new(64 * 1024);
    struct residents_csv csv;
    if (residents_csv_parse((const char *)data, size, &csv, a) == NOABER_OK && csv.nrows) {
        if (csv.nrows > RESIDENTS_IMPORT_MAX + 1)
            abort();
        int cols[RESIDENTS_COL__MAX];
        if (residents_import_header(csv.cells[0], csv.ncols[0], cols) == NOABER_OK) {
            for (size_t i = 1; i < csv.nrows; i++) {
                if (csv.ncols[i] == 0)
                    abort();
                for (size_t j = 0; j < csv.ncols[i]; j++)
                    if (!csv.cells[i][j])
                        abort();
                struct residents_import_row row;
                if (residents_import_check(csv.cells[i], csv.ncols[i], cols, "3531,3532", NOW,
                                           &row) != NOABER_OK)
                    continue;
                if (!row.name || !*row.name || (!*row.email && !*row.phone) || row.consent_at > NOW)
                    abort();
            }
        }
    }
    noaber_arena_free(a);
    return 0;
}
