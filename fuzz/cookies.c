/*
 * Fuzz target for Cookie headers (noaber_cookies_parse in src/http/form.c). A header cannot hold
 * a NUL, so the input is cut at its first NUL. Checks: the parser always succeeds (malformed
 * pairs are skipped, never refused) on an arena large enough, keeps at most 64 cookies, and every
 * cookie it returns has a non-empty name without '=' or ';', a value without ';', value_len equal
 * to the value's length, and both are pieces of the header. Built and run by fuzz/run; seeds in
 * fuzz/corpus/cookies/.
 */
#include "base/arena.h"
#include "http/form.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *h = malloc(size + 1);
    memcpy(h, data, size);
    h[size] = '\0';
    struct noaber_arena *a = noaber_arena_new(0);
    struct noaber_kv *kv;
    if (noaber_cookies_parse(a, h, &kv) != NOABER_OK)
        abort();
    int count = 0;
    for (; kv; kv = kv->next, count++) {
        if (!kv->name || !kv->value || !*kv->name || strlen(kv->value) != kv->value_len)
            abort();
        if (strpbrk(kv->name, "=;") || strchr(kv->value, ';'))
            abort();
        if (!strstr(h, kv->name) || !strstr(h, kv->value))
            abort();
        /* The name is what the browser sent, without the blanks around it. */
        if (kv->name[0] == ' ' || kv->name[0] == '\t' || kv->name[strlen(kv->name) - 1] == ' ' ||
            kv->name[strlen(kv->name) - 1] == '\t')
            abort();
        const struct noaber_kv *first = noaber_kv_find(kv, kv->name);
        if (first != kv)
            abort(); /* noaber_kv_find finds the first of a name */
    }
    if (count > 64)
        abort();
    noaber_arena_free(a);
    free(h);
    return 0;
}
