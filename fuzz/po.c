/*
 * Fuzz target for the .po loader (src/view/i18n.c): parses the input as a catalogue and, when it
 * parses, looks a few strings up and evaluates its plural rule for many n, which exercises the
 * Plural-Forms parser and evaluator. Carries an empty table of embedded files, so it links
 * without the generated asset table:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I src fuzz/po.c src/view/i18n.c \
 *     src/base/buf.c src/base/arena.c src/base/log.c src/base/util.c \
 *     $(pkg-config --cflags --libs libsodium) -o fuzz-po
 *   ./fuzz-po fuzz/corpus/po
 */
#include "base/assets.h"
#include "view/i18n.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const struct noaber_asset noaber_assets[] = {{0, 0, 0}};
const unsigned noaber_assets_count = 0;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    struct noaber_catalog *cat = noaber_po_parse((const char *)data, size, err, sizeof err);
    if (!cat) {
        if (strncmp(err, "line ", 5) != 0) /* every error names its line */
            abort();
        return 0;
    }
    static const char *const ids[] = {"", "a", "Hello", "one", "x"};
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
        if (!noaber_tr(cat, ids[i]) || !noaber_trp(cat, "ctx", ids[i]))
            abort();
    }
    for (long n = -2; n < 250; n++)
        if (!noaber_trn(cat, "one", "many", n))
            abort();
    if (!noaber_trn(cat, "one", "many", 1000000007L) || !noaber_i18n_code(cat))
        abort();
    (void)noaber_i18n_rtl(cat);
    noaber_catalog_free(cat);
    return 0;
}
