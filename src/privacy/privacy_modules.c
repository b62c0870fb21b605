/*
 * The privacy declarations of every module, joined, as src/http/routes.c joins the route tables:
 * a module with tables of its own adds its <module>_privacy_tables array here. The privacy
 * module's own table, the access log, is declared here too.
 *
 * Order matters for erasure (privacy.h): rows are deleted module by module, table by table, in
 * this order, with `persons` last whatever its place.
 */
#include "privacy/privacy.h"
#include "view/i18n.h"

#include <stddef.h>

extern const struct privacy_table members_privacy_tables[];
extern const struct privacy_table notify_privacy_tables[];
extern const struct privacy_table residents_privacy_tables[];
extern const struct privacy_table panels_privacy_tables[];

/* Who opened whose personal file. Kept for five years, also after an erasure (with pseudonyms),
 * so that looking at files without reason can be found out afterwards. */
static const struct privacy_column access_cols[] = {
    {"id", PRIVACY_NOT_PERSONAL, NULL},
    {"at", PRIVACY_NOT_PERSONAL, NULL},
    {"viewer_id", PRIVACY_ACTOR, N_("who opened the file")},
    {"person_id", PRIVACY_REFERENCE, N_("whose file was opened")},
    {"what", PRIVACY_NOT_PERSONAL, NULL},
    {"viewer_pseudonym", PRIVACY_PSEUDONYM, N_("who opened the file, once that person is erased")},
    {"person_pseudonym", PRIVACY_PSEUDONYM, N_("whose file it was, once that person is erased")},
    {NULL},
};

static const struct privacy_table privacy_own_tables[] = {
    {
        .table = "access_log",
        .description = N_("Who opened your personal file"),
        .basis = "legal obligation",
        .retention = "5 years (security of processing, AVG art. 32); after an erasure with a "
                     "pseudonym instead of the person",
        .retention_column = "at",
        .retention_seconds = 5 * PRIVACY_YEAR,
        .erase = PRIVACY_ERASE_PSEUDONYMISE,
        .columns = access_cols,
    },
    {0},
};

/* Members first: the register then opens with the account. */
/* One module a line. */
/* clang-format off */
const struct privacy_table *const privacy_modules[] = {
    members_privacy_tables,
    residents_privacy_tables,
    panels_privacy_tables,
    notify_privacy_tables,
    privacy_own_tables,
    NULL,
};
/* clang-format on */
