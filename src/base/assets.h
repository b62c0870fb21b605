/*
 * Files compiled into the binary: templates, static files, translations and migrations. The table
 * is generated at build time by cmake/embed.cmake from the source tree; paths are relative to the
 * source root ("templates/base/layout.html", "static/noaber.css", "po/nl.po",
 * "src/db/migrations/0001_base.sql") and the table is sorted by path.
 */
#ifndef NOABER_BASE_ASSETS_H
#define NOABER_BASE_ASSETS_H

#include <stddef.h>

struct noaber_asset {
    const char *path;
    const unsigned char *data; /* NUL-terminated for convenience; size excludes the NUL */
    size_t size;
};

extern const struct noaber_asset noaber_assets[];
extern const unsigned noaber_assets_count;

/* Returns the asset at exactly PATH, or NULL. Binary search over the sorted table. */
const struct noaber_asset *noaber_asset_find(const char *path);

#endif
