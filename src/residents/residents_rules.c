/*
 * The residents module's rules, without I/O: the names of purposes and ways of consenting, who
 * stands in which relation to a resident, which fields of a file each relation sees (given the
 * resident's own choices and consents) and what each relation may do, machtigingen in time,
 * skill lists, house and phone numbers, dates as people type them, the "to contact this week"
 * window, suppression of small counts, and the rules of a CSV import. Everything here is tested
 * table by table in tests/unit/residents/test_rules.c.
 */
#include "residents/residents.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/util.h"
#include "view/i18n.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* --- words ------------------------------------------------------------------------------------ */

static const char *const purpose_names[RESIDENTS_P__MAX] = {"profile", "matching", "contact",
                                                            "health"};
static const char *const purpose_labels[RESIDENTS_P__MAX] = {
    N_("Keep my answers and skills"), N_("Neighbours may find me"),
    N_("A connector may contact me"), N_("Keep notes about my health")};
static const char *const purpose_hints[RESIDENTS_P__MAX] = {
    N_("The cooperative keeps your answers to the five questions, your skills and when you are "
       "available, to connect you with neighbours."),
    N_("Neighbours find you under \"Who can help?\" with the skills you offer, and see what you "
       "chose to show them."),
    N_("A connector keeps in touch with you and writes short notes about your contact."),
    N_("Your connector may write down what you tell about your health, so that they can help you "
       "better. These notes are kept apart and only your connector and the coordinators read "
       "them.")};
static const char *const how_names[RESIDENTS_HOW__MAX] = {"online", "spoken", "paper", "import"};
static const char *const how_labels[RESIDENTS_HOW__MAX] = {
    N_("online, by the resident"), N_("spoken, to a connector"), N_("on paper"),
    N_("from the cooperative's member list")};
static const char *const relation_names[RESIDENTS_REL__MAX] = {
    "none", "self", "acting", "neighbour", "connector", "assigned", "coordinator", "partner"};

const char *
residents_purpose_name(enum residents_purpose p)
{
    return (unsigned)p < RESIDENTS_P__MAX ? purpose_names[p] : "";
}

const char *
residents_purpose_label(enum residents_purpose p)
{
    return (unsigned)p < RESIDENTS_P__MAX ? purpose_labels[p] : "";
}

const char *
residents_purpose_hint(enum residents_purpose p)
{
    return (unsigned)p < RESIDENTS_P__MAX ? purpose_hints[p] : "";
}

enum residents_purpose
residents_purpose_parse(const char *s)
{
    for (int i = 0; s && i < RESIDENTS_P__MAX; i++)
        if (strcmp(s, purpose_names[i]) == 0)
            return (enum residents_purpose)i;
    return RESIDENTS_P__MAX;
}

const char *
residents_how_name(enum residents_how h)
{
    return (unsigned)h < RESIDENTS_HOW__MAX ? how_names[h] : "";
}

const char *
residents_how_label(enum residents_how h)
{
    return (unsigned)h < RESIDENTS_HOW__MAX ? how_labels[h] : "";
}

enum residents_how
residents_how_parse(const char *s)
{
    for (int i = 0; s && i < RESIDENTS_HOW__MAX; i++)
        if (strcmp(s, how_names[i]) == 0)
            return (enum residents_how)i;
    return RESIDENTS_HOW__MAX;
}

const char *
residents_relation_name(enum residents_relation r)
{
    return (unsigned)r < RESIDENTS_REL__MAX ? relation_names[r] : "none";
}

/* --- who sees what ---------------------------------------------------------------------------- */

enum residents_relation
residents_relation_of(const struct residents_rel_in *in)
{
    if (!in->viewer || !in->subject)
        return RESIDENTS_REL_NONE;
    if (in->viewer == in->subject)
        return RESIDENTS_REL_SELF;
    enum residents_relation rel = RESIDENTS_REL_NONE;
    if (in->subject_member) {
        switch (in->viewer_role) {
        case MEMBERS_R_COORDINATOR:
            rel = RESIDENTS_REL_COORDINATOR;
            break;
        case MEMBERS_R_CONNECTOR:
            rel = in->assigned == in->viewer ? RESIDENTS_REL_ASSIGNED : RESIDENTS_REL_CONNECTOR;
            break;
        case MEMBERS_R_PARTNER:
            /* A partner is never more than that, whatever else they hold. */
            return RESIDENTS_REL_PARTNER;
        case MEMBERS_R_RESIDENT:
            rel = in->viewer_confirmed ? RESIDENTS_REL_NEIGHBOUR : RESIDENTS_REL_NONE;
            break;
        default:
            break;
        }
    }
    /* A machtiging counts where no stronger relation does. */
    if (in->acting && (rel == RESIDENTS_REL_NONE || rel == RESIDENTS_REL_NEIGHBOUR))
        rel = RESIDENTS_REL_ACTING;
    return rel;
}

#define ANSWERS                                                                                    \
    (RESIDENTS_F_ABOUT | RESIDENTS_F_WANTS | RESIDENTS_F_ABILITIES | RESIDENTS_F_NEEDS |           \
     RESIDENTS_F_OFFERS | RESIDENTS_F_AVAILABILITY | RESIDENTS_F_SKILLS)
#define OWN                                                                                        \
    (RESIDENTS_F_NAME | ANSWERS | RESIDENTS_F_PHONE | RESIDENTS_F_REACH | RESIDENTS_F_ADDRESS |    \
     RESIDENTS_F_CONSENTS | RESIDENTS_F_AUTHORISATIONS)
#define STAFF (OWN | RESIDENTS_F_CASELOAD)
#define CLOSE (STAFF | RESIDENTS_F_NOTES | RESIDENTS_F_HEALTH)

/* What each relation sees at most. Notes and health notes: only the assigned connector and the
 * coordinators. The resident reads their notes through their data export (art. 15), not here. */
static const unsigned relation_fields[RESIDENTS_REL__MAX] = {
    [RESIDENTS_REL_NONE] = 0,
    [RESIDENTS_REL_SELF] = OWN,
    [RESIDENTS_REL_ACTING] = OWN,
    [RESIDENTS_REL_NEIGHBOUR] = RESIDENTS_F_NAME | RESIDENTS_F_SKILLS | RESIDENTS_F_SHAREABLE,
    [RESIDENTS_REL_CONNECTOR] = STAFF,
    [RESIDENTS_REL_ASSIGNED] = CLOSE,
    [RESIDENTS_REL_COORDINATOR] = CLOSE,
    [RESIDENTS_REL_PARTNER] = 0,
};

unsigned
residents_fields(enum residents_relation rel, unsigned visible, residents_cset consents)
{
    if ((unsigned)rel >= RESIDENTS_REL__MAX)
        return 0;
    unsigned f = relation_fields[rel];
    if (rel == RESIDENTS_REL_NEIGHBOUR) {
        /* Neighbours see nothing unless the resident wants to be found, then what they opened. */
        if (!RESIDENTS_HAS(consents, RESIDENTS_P_MATCHING))
            return 0;
        f &= RESIDENTS_F_NAME | RESIDENTS_F_SKILLS | (visible & RESIDENTS_F_SHAREABLE);
    }
    if (!RESIDENTS_HAS(consents, RESIDENTS_P_HEALTH))
        f &= ~(unsigned)RESIDENTS_F_HEALTH;
    return f;
}

/* Who may do what. Columns: view edit record notes health follow revoke print authorise. */
static const unsigned char may[RESIDENTS_REL__MAX][RESIDENTS_OP__MAX] = {
    /*                                 vw ed rc nt hl fo rv pr au */
    [RESIDENTS_REL_NONE] = {0, 0, 0, 0, 0, 0, 0, 0, 0},
    [RESIDENTS_REL_SELF] = {1, 1, 0, 0, 0, 0, 1, 0, 1},
    /* Acting for someone is doing what they could do, except handing out machtigingen. */
    [RESIDENTS_REL_ACTING] = {1, 1, 0, 0, 0, 0, 1, 0, 0},
    [RESIDENTS_REL_NEIGHBOUR] = {0, 0, 0, 0, 0, 0, 0, 0, 0},
    /* Any connector of the neighbourhood may take on a resident nobody follows (the operation
     * checks that), record what a resident said and print their papers. */
    [RESIDENTS_REL_CONNECTOR] = {1, 0, 1, 0, 0, 1, 0, 1, 1},
    [RESIDENTS_REL_ASSIGNED] = {1, 0, 1, 1, 1, 1, 1, 1, 1},
    [RESIDENTS_REL_COORDINATOR] = {1, 0, 1, 1, 1, 1, 1, 1, 1},
    [RESIDENTS_REL_PARTNER] = {0, 0, 0, 0, 0, 0, 0, 0, 0},
};

enum noaber_err
residents_may(enum residents_relation rel, enum residents_op op)
{
    if ((unsigned)rel >= RESIDENTS_REL__MAX || (unsigned)op >= RESIDENTS_OP__MAX)
        return NOABER_E_FORBIDDEN;
    return may[rel][op] ? NOABER_OK : NOABER_E_FORBIDDEN;
}

int
residents_authorisation_valid(int64_t granted_at, int64_t ends_at, int64_t revoked_at, int64_t now)
{
    return !revoked_at && granted_at <= now && now < ends_at;
}

/* --- skills, numbers and dates ---------------------------------------------------------------- */

/* The next item of a list separated by commas or white space: [*start, *end). */
static int
next_item(const char **p, const char **start, size_t *len)
{
    const char *s = *p;
    while (*s == ',' || *s == ' ' || *s == '\t' || *s == ';')
        s++;
    if (!*s)
        return 0;
    const char *e = s;
    while (*e && *e != ',' && *e != ' ' && *e != '\t' && *e != ';')
        e++;
    *start = s;
    *len = (size_t)(e - s);
    *p = e;
    return 1;
}

int
residents_list_has(const char *list, const char *slug)
{
    const char *p = list ? list : "", *s;
    size_t n, want = strlen(slug);
    while (next_item(&p, &s, &n))
        if (n == want && strncmp(s, slug, n) == 0)
            return 1;
    return 0;
}

enum noaber_err
residents_check_skills(const char *list, const char *const *known, size_t n, char **out,
                       struct noaber_arena *arena)
{
    const char *p = list ? list : "", *s;
    size_t len;
    unsigned char *seen = noaber_arena_alloc(arena, n + 1);
    if (!seen)
        return NOABER_E_TOO_LARGE;
    while (next_item(&p, &s, &len)) {
        size_t i;
        for (i = 0; i < n; i++)
            if (strlen(known[i]) == len && strncasecmp(known[i], s, len) == 0)
                break;
        if (i == n)
            return NOABER_E_UNKNOWN_SKILL;
        seen[i] = 1;
    }
    struct noaber_buf b;
    noaber_buf_init(&b, arena);
    for (size_t i = 0; i < n; i++)
        if (seen[i]) {
            if (b.len)
                noaber_buf_putc(&b, ',');
            noaber_buf_puts(&b, known[i]);
        }
    if (b.failed)
        return NOABER_E_TOO_LARGE;
    *out = noaber_arena_strdup(arena, noaber_buf_str(&b));
    return *out ? NOABER_OK : NOABER_E_TOO_LARGE;
}

enum noaber_err
residents_check_house_number(char *s)
{
    noaber_trim(s);
    size_t n = strlen(s);
    if (n == 0 || n > 10 || !isdigit((unsigned char)s[0]) || s[0] == '0')
        return NOABER_E_BAD_HOUSE_NUMBER;
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != ' ')
            return NOABER_E_BAD_HOUSE_NUMBER;
    for (char *p = s; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return NOABER_OK;
}

enum noaber_err
residents_check_phone(char *s)
{
    noaber_trim(s);
    int digits = 0;
    for (const char *p = s; *p; p++) {
        if (isdigit((unsigned char)*p))
            digits++;
        else if (*p != ' ' && *p != '-' && *p != '(' && *p != ')' && !(*p == '+' && p == s))
            return NOABER_E_BAD_PHONE;
    }
    return digits >= 6 && digits <= 15 && strlen(s) <= 30 ? NOABER_OK : NOABER_E_BAD_PHONE;
}

enum noaber_err
residents_check_skill_slug(const char *s)
{
    size_t n = strlen(s);
    if (n < 2 || n > 40 || s[0] == '-' || s[n - 1] == '-')
        return NOABER_E_BAD_SLUG;
    for (const char *p = s; *p; p++)
        if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-'))
            return NOABER_E_BAD_SLUG;
    return NOABER_OK;
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian; H. Hinnant's algorithm). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int
days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

enum noaber_err
residents_parse_date(const char *s, int64_t *out)
{
    int a, b, c, used = 0;
    char sep1, sep2;
    if (!s || sscanf(s, " %d%c%d%c%d %n", &a, &sep1, &b, &sep2, &c, &used) != 5 ||
        s[used] != '\0' || sep1 != sep2 || (sep1 != '-' && sep1 != '/' && sep1 != '.'))
        return NOABER_E_BAD_DATE;
    int y, m, d;
    if (a >= 1000) /* 2025-03-31 */
        y = a, m = b, d = c;
    else /* 31-03-2025, the Dutch way */
        d = a, m = b, y = c;
    if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return NOABER_E_BAD_DATE;
    *out = days_from_civil(y, (unsigned)m, (unsigned)d) * 86400 + 12 * 3600;
    return NOABER_OK;
}

void
residents_format_date(int64_t t, char out[11])
{
    /* civil_from_days, the inverse of days_from_civil */
    int64_t z = (t >= 0 ? t : t - 86399) / 86400 + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%04d-%02u-%02u", (int)(y % 10000), m, d);
    memcpy(out, tmp, 10);
    out[10] = '\0';
}

/* Midnight UTC of the last Sunday of month M of year Y. */
static int64_t
last_sunday(int y, int m)
{
    int64_t days = days_from_civil(y, (unsigned)m, (unsigned)days_in_month(y, m));
    int64_t dow = ((days + 4) % 7 + 7) % 7; /* Sunday is 0 */
    return (days - dow) * 86400;
}

int64_t
residents_nl_offset(int64_t now)
{
    char day[11];
    residents_format_date(now, day);
    int y = (day[0] - '0') * 1000 + (day[1] - '0') * 100 + (day[2] - '0') * 10 + (day[3] - '0');
    /* Summer time in the EU: from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last
     * Sunday of October. */
    int64_t start = last_sunday(y, 3) + 3600, end = last_sunday(y, 10) + 3600;
    return now >= start && now < end ? 7200 : 3600;
}

int64_t
residents_week_end(int64_t now, int64_t offset)
{
    int64_t local = now + offset;
    int64_t days = (local >= 0 ? local : local - 86399) / 86400;
    int64_t dow = ((days + 3) % 7 + 7) % 7; /* 1970-01-01 was a Thursday; Monday is 0 */
    return (days - dow + 7) * 86400 - offset;
}

int
residents_contact_due(int64_t next_contact_at, int64_t now, int64_t offset)
{
    return next_contact_at != 0 && next_contact_at < residents_week_end(now, offset);
}

int64_t
residents_suppress(int64_t count)
{
    return count < RESIDENTS_MIN_COUNT ? -1 : count;
}

/* --- CSV -------------------------------------------------------------------------------------- */

struct csv_state {
    struct noaber_arena *a;
    struct residents_csv *out;
    size_t cap;
    char **row;
    size_t nrow, caprow;
    struct noaber_buf cell;
};

static int
add_cell(struct csv_state *s, int quoted)
{
    if (s->nrow == s->caprow) {
        size_t cap = s->caprow ? 2 * s->caprow : 16;
        char **bigger =
            noaber_arena_realloc(s->a, s->row, s->caprow * sizeof *s->row, cap * sizeof *s->row);
        if (!bigger)
            return -1;
        s->row = bigger;
        s->caprow = cap;
    }
    char *v = noaber_arena_strdup(s->a, noaber_buf_str(&s->cell));
    if (!v || s->cell.failed)
        return -1;
    if (!quoted)
        noaber_trim(v);
    s->row[s->nrow++] = v;
    noaber_buf_reset(&s->cell);
    return 0;
}

/* Ends a row; rows whose every cell is empty are dropped (spreadsheets leave them at the end). */
static int
add_row(struct csv_state *s)
{
    int empty = 1;
    for (size_t i = 0; i < s->nrow; i++)
        if (s->row[i][0])
            empty = 0;
    if (!empty) {
        struct residents_csv *o = s->out;
        if (o->nrows >= RESIDENTS_IMPORT_MAX + 1)
            return -2;
        if (o->nrows == s->cap) {
            size_t cap = s->cap ? 2 * s->cap : 64;
            size_t *nc =
                noaber_arena_realloc(s->a, o->ncols, s->cap * sizeof *nc, cap * sizeof *nc);
            char ***cells =
                noaber_arena_realloc(s->a, o->cells, s->cap * sizeof *cells, cap * sizeof *cells);
            if (!nc || !cells)
                return -1;
            o->ncols = nc;
            o->cells = cells;
            s->cap = cap;
        }
        o->ncols[o->nrows] = s->nrow;
        o->cells[o->nrows++] = s->row;
    }
    s->row = NULL;
    s->nrow = s->caprow = 0;
    return 0;
}

/* The separator of the header line: a semicolon when it has more of them than commas (Dutch
 * spreadsheets write semicolons, since the comma is their decimal sign). */
static char
separator(const char *p, const char *end)
{
    int commas = 0, semis = 0, quoted = 0;
    for (; p < end && (quoted || (*p != '\n' && *p != '\r')); p++) {
        if (*p == '"')
            quoted = !quoted;
        else if (!quoted && *p == ',')
            commas++;
        else if (!quoted && *p == ';')
            semis++;
    }
    return semis > commas ? ';' : ',';
}

enum noaber_err
residents_csv_parse(const char *text, size_t len, struct residents_csv *out,
                    struct noaber_arena *arena)
{
    memset(out, 0, sizeof *out);
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        text += 3, len -= 3;
    if (!noaber_utf8_valid(text, len))
        return NOABER_E_BAD_CSV;
    struct csv_state s = {.a = arena, .out = out};
    noaber_buf_init(&s.cell, arena);
    const char *p = text, *end = text + len;
    char sep = separator(p, end);
    int quoted = 0, rc = 0;
    while (p < end && rc == 0) {
        if (*p == '"' && s.cell.len == 0 && !quoted) {
            /* a quoted cell: up to the closing quote, "" is one quote */
            p++;
            for (;;) {
                if (p >= end)
                    return NOABER_E_BAD_CSV;
                if (*p == '"' && p + 1 < end && p[1] == '"') {
                    noaber_buf_putc(&s.cell, '"');
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    noaber_buf_putc(&s.cell, *p++);
                }
            }
            quoted = 1;
            /* only white space may follow before the separator or the end of the line */
            while (p < end && (*p == ' ' || *p == '\t'))
                p++;
            if (p < end && *p != sep && *p != '\n' && *p != '\r')
                return NOABER_E_BAD_CSV;
            continue;
        }
        if (*p == sep) {
            rc = add_cell(&s, quoted);
            quoted = 0;
            p++;
        } else if (*p == '\n' || *p == '\r') {
            rc = add_cell(&s, quoted);
            if (rc == 0)
                rc = add_row(&s);
            quoted = 0;
            p += (*p == '\r' && p + 1 < end && p[1] == '\n') ? 2 : 1;
        } else {
            noaber_buf_putc(&s.cell, *p++);
        }
    }
    if (rc == 0 && (s.cell.len || s.nrow || quoted)) {
        rc = add_cell(&s, quoted);
        if (rc == 0)
            rc = add_row(&s);
    }
    if (rc == -2 || out->nrows == 0)
        return NOABER_E_BAD_CSV;
    return rc == 0 ? NOABER_OK : NOABER_E_TOO_LARGE;
}

/* Header names: lower case with spaces, hyphens and underscores left out. */
static const struct {
    const char *name;
    enum residents_col col;
} col_names[] = {
    {"name", RESIDENTS_COL_NAME},
    {"naam", RESIDENTS_COL_NAME},
    {"fullname", RESIDENTS_COL_NAME},
    {"volledigenaam", RESIDENTS_COL_NAME},
    {"email", RESIDENTS_COL_EMAIL},
    {"emailadres", RESIDENTS_COL_EMAIL},
    {"emailaddress", RESIDENTS_COL_EMAIL},
    {"mail", RESIDENTS_COL_EMAIL},
    {"phone", RESIDENTS_COL_PHONE},
    {"telephone", RESIDENTS_COL_PHONE},
    {"telefoon", RESIDENTS_COL_PHONE},
    {"telefoonnummer", RESIDENTS_COL_PHONE},
    {"tel", RESIDENTS_COL_PHONE},
    {"postcode", RESIDENTS_COL_POSTCODE},
    {"postalcode", RESIDENTS_COL_POSTCODE},
    {"housenumber", RESIDENTS_COL_HOUSE_NUMBER},
    {"huisnummer", RESIDENTS_COL_HOUSE_NUMBER},
    {"consent", RESIDENTS_COL_CONSENT},
    {"toestemming", RESIDENTS_COL_CONSENT},
    {"consentdate", RESIDENTS_COL_CONSENT_DATE},
    {"datumtoestemming", RESIDENTS_COL_CONSENT_DATE},
    {"toestemmingdatum", RESIDENTS_COL_CONSENT_DATE},
    {"how", RESIDENTS_COL_HOW},
    {"consenthow", RESIDENTS_COL_HOW},
    {"hoe", RESIDENTS_COL_HOW},
    {"manier", RESIDENTS_COL_HOW},
};

enum noaber_err
residents_import_header(char *const *header, size_t n, int cols[RESIDENTS_COL__MAX])
{
    for (int i = 0; i < RESIDENTS_COL__MAX; i++)
        cols[i] = -1;
    for (size_t i = 0; i < n; i++) {
        char key[40];
        size_t k = 0;
        for (const char *p = header[i]; *p && k < sizeof key - 1; p++)
            if (*p != ' ' && *p != '-' && *p != '_')
                key[k++] = (char)tolower((unsigned char)*p);
        key[k] = '\0';
        for (size_t j = 0; j < N(col_names); j++)
            if (strcmp(key, col_names[j].name) == 0 && cols[col_names[j].col] < 0)
                cols[col_names[j].col] = (int)i;
    }
    if (cols[RESIDENTS_COL_NAME] < 0 || cols[RESIDENTS_COL_CONSENT] < 0 ||
        (cols[RESIDENTS_COL_EMAIL] < 0 && cols[RESIDENTS_COL_PHONE] < 0))
        return NOABER_E_BAD_CSV;
    return NOABER_OK;
}

/* The cell of column C, or NULL when the row has no such column. */
static char *
cell(char **cells, size_t n, const int cols[RESIDENTS_COL__MAX], enum residents_col c)
{
    return cols[c] >= 0 && (size_t)cols[c] < n ? cells[cols[c]] : NULL;
}

static int
is_yes(const char *v)
{
    static const char *const yes[] = {"yes", "ja", "1", "true", "y", "j", "x", "waar"};
    for (size_t i = 0; i < N(yes); i++)
        if (strcasecmp(v, yes[i]) == 0)
            return 1;
    return 0;
}

static enum residents_how
how_of(const char *v)
{
    static const struct {
        const char *word;
        enum residents_how how;
    } words[] = {
        {"", RESIDENTS_HOW_IMPORT},
        {"spoken", RESIDENTS_HOW_SPOKEN},
        {"mondeling", RESIDENTS_HOW_SPOKEN},
        {"telefonisch", RESIDENTS_HOW_SPOKEN},
        {"paper", RESIDENTS_HOW_PAPER},
        {"papier", RESIDENTS_HOW_PAPER},
        {"schriftelijk", RESIDENTS_HOW_PAPER},
        {"online", RESIDENTS_HOW_ONLINE},
        {"email", RESIDENTS_HOW_ONLINE},
        {"e-mail", RESIDENTS_HOW_ONLINE},
    };
    for (size_t i = 0; i < N(words); i++)
        if (strcasecmp(v, words[i].word) == 0)
            return words[i].how;
    return RESIDENTS_HOW__MAX;
}

enum noaber_err
residents_import_check(char **cells, size_t n, const int cols[RESIDENTS_COL__MAX],
                       const char *postcodes, int64_t now, struct residents_import_row *out)
{
    memset(out, 0, sizeof *out);
    /* No recorded consent comes first: such a row is never imported, whatever else it holds. */
    const char *consent = cell(cells, n, cols, RESIDENTS_COL_CONSENT);
    if (!consent || !is_yes(consent))
        return NOABER_E_NO_CONSENT;
    char *name = cell(cells, n, cols, RESIDENTS_COL_NAME);
    char *email = cell(cells, n, cols, RESIDENTS_COL_EMAIL);
    char *phone = cell(cells, n, cols, RESIDENTS_COL_PHONE);
    char *pc = cell(cells, n, cols, RESIDENTS_COL_POSTCODE);
    char *nr = cell(cells, n, cols, RESIDENTS_COL_HOUSE_NUMBER);
    const char *date = cell(cells, n, cols, RESIDENTS_COL_CONSENT_DATE);
    const char *how = cell(cells, n, cols, RESIDENTS_COL_HOW);
    int has_email = email && *email, has_phone = phone && *phone;
    if (!name || !*name || noaber_utf8_len(name) > 80 || (!has_email && !has_phone))
        return NOABER_E_REQUIRED;
    if (has_email && members_check_email(email) != NOABER_OK)
        return NOABER_E_BAD_EMAIL;
    if (has_phone && residents_check_phone(phone) != NOABER_OK)
        return NOABER_E_BAD_PHONE;
    if (pc && *pc) {
        if (members_check_postcode(pc) != NOABER_OK)
            return NOABER_E_BAD_POSTCODE;
        if (!members_postcode_in(postcodes, pc))
            return NOABER_E_POSTCODE_ELSEWHERE;
    }
    if (nr && *nr && residents_check_house_number(nr) != NOABER_OK)
        return NOABER_E_BAD_HOUSE_NUMBER;
    /* A consent is recorded when we know when it was given; not in the future. */
    if (residents_parse_date(date, &out->consent_at) != NOABER_OK || out->consent_at > now + 86400)
        return NOABER_E_BAD_DATE;
    out->how = how_of(how ? how : "");
    if (out->how == RESIDENTS_HOW__MAX)
        return NOABER_E_BAD_CHOICE;
    out->name = name;
    out->email = has_email ? email : "";
    out->phone = has_phone ? phone : "";
    out->postcode = pc ? pc : "";
    out->house_number = nr ? nr : "";
    return NOABER_OK;
}
