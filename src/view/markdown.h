/*
 * Markdown to HTML for text residents and coordinators write (descriptions of activities,
 * proposals, library articles), through cmark (CommonMark). The output is safe to insert with
 * {{raw_html }}: raw HTML in the input is dropped (cmark's safe mode, the default since 0.29),
 * and every link and image URL must pass noaber_url_allowed() (images may also be
 * data:image/png, gif, jpeg or webp), else it is emptied. Invalid UTF-8 is replaced by U+FFFD.
 */
#ifndef NOABER_VIEW_MARKDOWN_H
#define NOABER_VIEW_MARKDOWN_H

#include "base/err.h"

struct noaber_buf;

/* Appends the HTML of MD (NUL-terminated; NULL is the empty text) to OUT. Returns NOABER_OK, or
 * NOABER_E_TOO_LARGE if OUT could not grow. Thread-safe. */
enum noaber_err noaber_markdown_html(const char *md, struct noaber_buf *out);

#endif
