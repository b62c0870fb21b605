/*
 * Translations: gettext .po catalogues read by our own small loader from the .po files in po/
 * compiled into the binary (libc gettext needs installed locales and setlocale is per process,
 * neither of which suits a server answering each request in its own language). msgids are
 * English, the source language; po/nl.po is complete because Dutch is the default language,
 * po/en.po may leave msgstr empty (the msgid is then used).
 *
 * The loader understands comments, msgctxt, msgid, msgid_plural, msgstr, msgstr[n], strings
 * continued on following lines, the escapes \n \t \r \" \\, and the header entry (msgid "")
 * with the fields Language, Plural-Forms (any C-like expression in n with ?: || && == != < > <=
 * >= + - * / % ! and parentheses), X-Direction (rtl) and X-Native-Name. Entries flagged
 * "#, fuzzy" are skipped (the header is read even when fuzzy, as msgfmt does); "#~" obsolete
 * entries are comments.
 *
 * After noaber_i18n_init() everything is read-only: look-ups are thread-safe and the strings
 * handed back live until noaber_i18n_shutdown().
 */
#ifndef NOABER_VIEW_I18N_H
#define NOABER_VIEW_I18N_H

#include <stddef.h>

/* Marks a string literal for extraction into po/ (scripts/po-update); expands to the string. */
#define N_(s) s

struct noaber_catalog;

/* Loads every embedded po/<code>.po (the code is the file name). 0, or -1 after logging each
 * error ("po/nl.po:12: ..."); then no catalogue is loaded. Calling it again returns 0. */
int noaber_i18n_init(void);
void noaber_i18n_shutdown(void);

/* The catalogue for LANG ("nl", "en"; case-insensitive), or NULL if there is none. */
const struct noaber_catalog *noaber_i18n_catalog(const char *lang);
/* The catalogue's language code ("nl"): the file name for embedded catalogues, the header's
 * Language field for parsed ones ("" if it has none). CAT NULL gives "en" (the msgids). */
const char *noaber_i18n_code(const struct noaber_catalog *cat);
/* 1 if CAT's language is written right to left: its primary subtag is ar, he, fa, ur, yi, ps or
 * dv, it is ku-Arab, or its header says "X-Direction: rtl". 0 for NULL. */
int noaber_i18n_rtl(const struct noaber_catalog *cat);

/* MSGID translated; MSGID itself when CAT is NULL or lacks it or leaves it empty. */
const char *noaber_tr(const struct noaber_catalog *cat, const char *msgid);
/* The plural form CAT's Plural-Forms rule picks for N; without a (non-empty) translation,
 * MSGID when N == 1 and PLURAL otherwise. */
const char *noaber_trn(const struct noaber_catalog *cat, const char *msgid, const char *plural,
                       long n);
/* MSGID in context CTX (msgctxt); MSGID when missing. */
const char *noaber_trp(const struct noaber_catalog *cat, const char *ctx, const char *msgid);

/*
 * Picks a loaded language from an Accept-Language header: the highest q-value wins (ties: the
 * earlier one), q=0 excludes, "nl-NL" matches "nl" (the tag is shortened at hyphens until a
 * catalogue matches), "*" stands for FALLBACK. Returns the catalogue's code (valid until
 * shutdown), or FALLBACK itself when nothing matches or the header is NULL or malformed.
 */
const char *noaber_i18n_negotiate(const char *accept_language, const char *fallback);

/* Sets *CODES to the loaded language codes, sorted, and returns how many there are. */
size_t noaber_i18n_languages(const char *const **codes);
/* The language's own name for itself ("Nederlands", "English"): the catalogue's X-Native-Name,
 * else a built-in name for well-known codes, else CODE itself. */
const char *noaber_i18n_native_name(const char *code);

/* For tests and fuzzing: parses LEN bytes at SRC as a .po file. Returns a catalogue the caller
 * frees with noaber_catalog_free, or NULL with "line N: message" in ERR (size ERRN). */
struct noaber_catalog *noaber_po_parse(const char *src, size_t len, char *err, size_t errn);
/* Frees CAT; NULL is allowed. Never pass a catalogue from noaber_i18n_catalog(). */
void noaber_catalog_free(struct noaber_catalog *cat);

/* For tests: calls FN for every translated entry of CAT (CTX NULL when it has none; NSTR
 * strings in MSGSTR, 1 unless it has a plural). Used by the completeness test. */
void noaber_catalog_each(const struct noaber_catalog *cat,
                         void (*fn)(void *ud, const char *ctx, const char *msgid,
                                    const char *plural, const char *const *msgstr, unsigned nstr),
                         void *ud);

#endif
