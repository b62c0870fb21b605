/*
 * Tables behind err.h, generated from err.def.
 */
#include "base/err.h"

static const struct {
    int status;
    const char *name, *msg[NOABER_LANG__MAX];
} table[] = {
#define NOABER_ERR(name, status, nl, en) {status, #name, {nl, en}},
#include "base/err.def"
#undef NOABER_ERR
};

int
noaber_err_status(enum noaber_err e)
{
    return (unsigned)e < NOABER_E__MAX ? table[e].status : 500;
}

const char *
noaber_err_name(enum noaber_err e)
{
    return (unsigned)e < NOABER_E__MAX ? table[e].name : "INTERNAL";
}

const char *
noaber_err_msg(enum noaber_err e, enum noaber_lang lang)
{
    if ((unsigned)e >= NOABER_E__MAX)
        e = NOABER_E_INTERNAL;
    if ((unsigned)lang >= NOABER_LANG__MAX)
        lang = NOABER_LANG_EN;
    return table[e].msg[lang];
}

int
noaber_err_is_ours(enum noaber_err e)
{
    return noaber_err_status(e) >= 500;
}
