/*
 * Error codes (generated from err.def) and their HTTP status, name and messages. Fallible
 * functions return enum noaber_err and hand results back through out-parameters; a sequence of
 * steps carries one err and goes on only while it is NOABER_OK.
 */
#ifndef NOABER_BASE_ERR_H
#define NOABER_BASE_ERR_H

enum noaber_err {
#define NOABER_ERR(name, status, nl, en) NOABER_E_##name,
#include "base/err.def"
#undef NOABER_ERR
    NOABER_E__MAX
};
#define NOABER_OK NOABER_E_OK

/* Languages with a message of their own in err.def. Other languages use English. */
enum noaber_lang { NOABER_LANG_NL, NOABER_LANG_EN, NOABER_LANG__MAX };

int noaber_err_status(enum noaber_err e);
/* "NOT_FOUND", the stable name used as the JSON error code. */
const char *noaber_err_name(enum noaber_err e);
/* The message in LANG; may contain one %d (only RATE_LIMITED, the minutes). */
const char *noaber_err_msg(enum noaber_err e, enum noaber_lang lang);
/* True for codes that mean "the server has a problem" (5xx), false for "the client sent bad data".
 */
int noaber_err_is_ours(enum noaber_err e);

#endif
