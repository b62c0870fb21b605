/*
 * Look-up in the table of files compiled into the binary (see assets.h).
 */
#include "base/assets.h"

#include <string.h>

const struct noaber_asset *
noaber_asset_find(const char *path)
{
    unsigned lo = 0, hi = noaber_assets_count;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        int c = strcmp(path, noaber_assets[mid].path);
        if (c == 0)
            return &noaber_assets[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}
