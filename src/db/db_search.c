/*
 * Full-text search of db.h (noaber_db_search): splits what a person typed into words, lets the
 * engine turn them into its own query (FTS5 strings with a prefix star on SQLite, a tsquery of
 * prefixes in the Dutch configuration with unaccent on PostgreSQL) and runs the engine's search
 * SQL for the index. That SQL is built once per connection and index and interned, so it is
 * prepared once and cached like a store's static strings. The indexes themselves come from the
 * @SEARCH_INDEX(...)@ dialect macro in a migration.
 */
#include "db/db_int.h"

#include "base/log.h"
#include "base/util.h"

#include <string.h>

#define MAX_WORDS 16
#define MAX_WORD  64

size_t
noaber_db_search_columns(const char *columns, char cols[][64], size_t max)
{
    size_t n = 0;
    const char *p = columns ? columns : "";
    while (*p && n < max) {
        while (*p == ' ' || *p == ',' || *p == '\t' || *p == '\n')
            p++;
        size_t k = 0;
        while (*p && *p != ',' && *p != ' ' && *p != '\t' && *p != '\n') {
            if (k < 63)
                cols[n][k++] = *p;
            p++;
        }
        cols[n][k] = '\0';
        if (k)
            n++;
    }
    return n;
}

/* Words: runs of ASCII letters and digits and of UTF-8 sequences (every byte >= 0x80), so that
 * "café" stays one word and quotes, stars, colons, dashes and parentheses are only separators. */
static int
word_byte(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static size_t
split_words(const char *q, char words[][MAX_WORD + 1], size_t max)
{
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)q;
    while (*p && n < max) {
        size_t k = 0;
        int cut = 0;
        for (; word_byte(*p); p++) {
            if (k < MAX_WORD)
                words[n][k++] = (char)*p;
            else
                cut = 1;
        }
        if (cut) { /* drop the last character, which the cut may have split */
            while (k > 0 && ((unsigned char)words[n][k - 1] & 0xc0) == 0x80)
                k--;
            if (k > 0 && (unsigned char)words[n][k - 1] >= 0xc0)
                k--;
        }
        words[n][k] = '\0';
        if (k)
            n++;
        while (*p && !word_byte(*p))
            p++;
    }
    return n;
}

enum noaber_err
noaber_db_search(struct noaber_db *db, const struct noaber_search_index *idx, const char *query,
                 int64_t *keys, size_t max, size_t *n)
{
    *n = 0;
    if (!query || !noaber_utf8_valid(query, strlen(query)))
        return NOABER_E_INVALID;
    char words[MAX_WORDS][MAX_WORD + 1];
    const char *list[MAX_WORDS];
    size_t nw = split_words(query, words, MAX_WORDS);
    if (nw == 0 || max == 0)
        return NOABER_OK;
    for (size_t i = 0; i < nw; i++)
        list[i] = words[i];

    struct noaber_buf b;
    noaber_buf_init(&b, NULL);
    db->ops->search_sql(idx, &b);
    const char *sql = b.data ? noaber_db_intern(db, b.data) : NULL;
    noaber_buf_release(&b);
    if (!sql)
        return NOABER_E_INTERNAL;
    db->ops->search_query(list, nw, &b);
    if (!b.data) {
        noaber_buf_release(&b);
        return NOABER_E_INTERNAL;
    }

    struct noaber_stmt *st;
    enum noaber_err e = noaber_db_query(db, &st, sql, "ti", b.data, (int64_t)max);
    int row = 1;
    while (e == NOABER_OK && *n < max && (e = noaber_stmt_step(st, &row)) == NOABER_OK && row)
        keys[(*n)++] = noaber_stmt_int(st, 0);
    if (e == NOABER_OK)
        noaber_stmt_reset(st);
    noaber_buf_release(&b);
    return e;
}
