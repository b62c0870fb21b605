/*
 * Fuzz target for Accept-Language headers (noaber_i18n_negotiate in src/view/i18n.c), which
 * every request goes through to pick its language. The catalogues are the real ones compiled
 * into the binary (po/<code>.po). A header cannot hold a NUL, so the input is cut at its first NUL.
 * Checks: the answer is the fallback itself or the code of a loaded catalogue, and the same
 * header gives the same answer. Built and run by fuzz/run; seeds in
 * fuzz/corpus/accept_language/.
 */
#include "view/i18n.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const *codes;
    static size_t ncodes;
    if (!codes) {
        if (noaber_i18n_init() != 0)
            abort();
        ncodes = noaber_i18n_languages(&codes);
        if (ncodes < 1)
            abort();
    }
    char *h = strndup((const char *)data, size);
    static const char fallback[] = "nl";
    const char *got = noaber_i18n_negotiate(h, fallback);
    int known = got == fallback;
    for (size_t i = 0; i < ncodes && !known; i++)
        known = got == codes[i] || strcmp(got, codes[i]) == 0;
    if (!known || strcmp(noaber_i18n_negotiate(h, fallback), got) != 0)
        abort();
    free(h);
    return 0;
}
