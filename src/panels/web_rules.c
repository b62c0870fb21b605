/*
 * The rules of the panels' web part, without I/O: quotas pasted in the Sortition Foundation's
 * categories format, the questions per feature, the address list of stage 1, response codes,
 * answers, the uniform draw of addresses, the order of the reserves and who moves up when a
 * member drops out, the engine's messages in a coordinator's words, and the probability chart as
 * inline SVG. Files are parsed with the engine's own CSV reader (panels_table_parse), so that
 * what a coordinator pastes is read exactly as `noaber panel select` reads it. Tested in
 * tests/unit/panels_web/.
 */
#include "panels/web.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/util.h"
#include "members/members.h"
#include "panels/panels.h"
#include "view/i18n.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- words ------------------------------------------------------------------------------------ */

static const char *const stage_names[PANELS_STAGE__MAX] = {"open", "closed", "drawn", "published"};
static const char *const stage_labels[PANELS_STAGE__MAX] = {
    N_("Stage 1: invitations and sign-up"), N_("Stage 1 closed: ready for the draw"), N_("Drawn"),
    N_("Published")};
static const char *const vstatus_names[PANELS_V__MAX] = {"volunteer", "selected", "reserve",
                                                         "not_selected", "dropped"};
static const char *const vstatus_labels[PANELS_V__MAX] = {
    N_("Signed up"), N_("Selected"), N_("Reserve"), N_("Not selected"), N_("Dropped out")};

const char *
panels_stage_name(enum panels_stage s)
{
    return (unsigned)s < PANELS_STAGE__MAX ? stage_names[s] : "";
}

const char *
panels_stage_label(enum panels_stage s)
{
    return (unsigned)s < PANELS_STAGE__MAX ? stage_labels[s] : "";
}

enum panels_stage
panels_stage_parse(const char *s)
{
    for (int i = 0; s && i < PANELS_STAGE__MAX; i++)
        if (strcmp(s, stage_names[i]) == 0)
            return (enum panels_stage)i;
    return PANELS_STAGE__MAX;
}

const char *
panels_vstatus_name(enum panels_vstatus s)
{
    return (unsigned)s < PANELS_V__MAX ? vstatus_names[s] : "";
}

const char *
panels_vstatus_label(enum panels_vstatus s)
{
    return (unsigned)s < PANELS_V__MAX ? vstatus_labels[s] : "";
}

enum panels_vstatus
panels_vstatus_parse(const char *s)
{
    for (int i = 0; s && i < PANELS_V__MAX; i++)
        if (strcmp(s, vstatus_names[i]) == 0)
            return (enum panels_vstatus)i;
    return PANELS_V__MAX;
}

/* --- CSV helpers ------------------------------------------------------------------------------ */

/* Column of the first of NAMES (NULL-terminated) that the header has, or -1. */
static int
column(const struct panels_table *t, const char *const *names)
{
    for (; *names; names++) {
        int c = panels_table_column(t, *names);
        if (c >= 0)
            return c;
    }
    return -1;
}

/* A trimmed copy of a cell on A. */
static char *
cell(const struct panels_table *t, int row, int col, struct noaber_arena *a)
{
    char *s = noaber_arena_strdup(a, t->cells[(size_t)row * (size_t)t->ncols + (size_t)col]);
    return s ? noaber_trim(s) : NULL;
}

/* A whole number 0..1000000 written with digits only; -1 otherwise. */
static long
count_of(const char *s)
{
    if (!*s || strlen(s) > 7 || strspn(s, "0123456789") != strlen(s))
        return -1;
    return strtol(s, NULL, 10);
}

static int
line_ok(const char *s, size_t max)
{
    if (!*s || strlen(s) > max || !noaber_utf8_valid(s, strlen(s)))
        return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return 0;
    return 1;
}

/* --- quotas and questions --------------------------------------------------------------------- */

static enum noaber_err
quotas_check(const struct panels_quota *q, size_t n, int k, size_t *bad)
{
    /* Per feature, the mins must leave room and the maxes must fill the panel, or no panel of
     * k people can meet them; the engine would say so too, but only at the draw, too late. */
    for (size_t i = 0; i < n; i++) {
        long sum_min = 0, sum_max = 0;
        int first = 1;
        for (size_t j = 0; j < n; j++) {
            if (strcmp(q[j].feature, q[i].feature) != 0)
                continue;
            if (j < i)
                first = 0;
            if (j != i && strcmp(q[j].value, q[i].value) == 0) {
                *bad = j > i ? j : i;
                return NOABER_E_BAD_QUOTAS;
            }
            sum_min += q[j].min;
            sum_max += q[j].max;
        }
        if (first && (sum_min > k || sum_max < k)) {
            *bad = i;
            return NOABER_E_BAD_QUOTAS;
        }
    }
    return NOABER_OK;
}

enum noaber_err
panels_quotas_parse(const char *text, int k, struct panels_quota **out, size_t *n, size_t *line,
                    struct noaber_arena *a)
{
    static const char *const f_names[] = {"feature", "kenmerk", "category", "categorie", NULL};
    static const char *const v_names[] = {"value", "waarde", NULL};
    static const char *const v_alt[] = {"feature", "kenmerk", NULL}; /* category,feature,... */
    static const char *const min_names[] = {"min", "minimum", NULL};
    static const char *const max_names[] = {"max", "maximum", NULL};
    struct panels_table t = {0};
    size_t dummy = 0;
    line = line ? line : &dummy;
    *line = 1;
    *out = NULL;
    *n = 0;
    size_t len = text ? strlen(text) : 0;
    if (!len || !noaber_utf8_valid(text, len))
        return NOABER_E_BAD_CSV;
    if (panels_table_parse(text, len, &t, NULL) != PANELS_OK)
        return NOABER_E_BAD_CSV;
    enum noaber_err e = NOABER_OK;
    int cf = column(&t, f_names), cv = column(&t, v_names), cmin = column(&t, min_names),
        cmax = column(&t, max_names);
    if (cv < 0 && panels_table_column(&t, "category") >= 0) { /* category,feature,min,max */
        cf = panels_table_column(&t, "category");
        cv = column(&t, v_alt);
    }
    if (cf < 0 || cv < 0 || cmin < 0 || cmax < 0 || cf == cv)
        e = NOABER_E_BAD_QUOTAS;
    else if (t.nrows == 0)
        e = NOABER_E_EMPTY_LIST;
    else if (t.nrows > PANELS_WEB_MAX_QUOTAS)
        e = NOABER_E_TOO_LARGE;
    struct panels_quota *q = NULL;
    if (e == NOABER_OK && !(q = noaber_arena_alloc(a, (size_t)t.nrows * sizeof *q)))
        e = NOABER_E_TOO_LARGE;
    for (int r = 0; e == NOABER_OK && r < t.nrows; r++) {
        *line = (size_t)t.line[r];
        q[r].feature = cell(&t, r, cf, a);
        q[r].value = cell(&t, r, cv, a);
        const char *mn = cell(&t, r, cmin, a), *mx = cell(&t, r, cmax, a);
        if (!q[r].feature || !q[r].value || !mn || !mx)
            e = NOABER_E_TOO_LARGE;
        else if (!line_ok(q[r].feature, 60) || !line_ok(q[r].value, 60) ||
                 strchr(q[r].feature, '=') || strchr(q[r].value, '\n'))
            e = NOABER_E_BAD_QUOTAS;
        else {
            long lo = count_of(mn), hi = count_of(mx);
            if (lo < 0 || hi < 0 || lo > hi || lo > k)
                e = NOABER_E_BAD_QUOTAS;
            q[r].min = (int)lo;
            q[r].max = (int)(hi > k ? k : hi);
        }
    }
    if (e == NOABER_OK) {
        size_t nf = 0, bad = 0;
        const char **f = panels_features(q, (size_t)t.nrows, &nf, a);
        if (!f)
            e = NOABER_E_TOO_LARGE;
        else if (nf > PANELS_WEB_MAX_FEATURES)
            e = NOABER_E_BAD_QUOTAS;
        else if ((e = quotas_check(q, (size_t)t.nrows, k, &bad)) != NOABER_OK)
            *line = (size_t)t.line[bad];
    }
    if (e == NOABER_OK) {
        *out = q;
        *n = (size_t)t.nrows;
        *line = 0;
    }
    panels_table_free(&t);
    return e;
}

int
panels_quotas_same(const struct panels_quota *a, size_t na, const struct panels_quota *b, size_t nb)
{
    if (na != nb)
        return 0;
    /* Values are unique per feature (panels_quotas_parse), so one inclusion is enough. */
    for (size_t i = 0; i < na; i++) {
        size_t j = 0;
        while (j < nb &&
               !(strcmp(a[i].feature, b[j].feature) == 0 && strcmp(a[i].value, b[j].value) == 0))
            j++;
        if (j == nb)
            return 0;
    }
    return 1;
}

const char **
panels_features(const struct panels_quota *q, size_t nq, size_t *n, struct noaber_arena *a)
{
    const char **f = noaber_arena_alloc(a, (nq + 1) * sizeof *f);
    *n = 0;
    if (!f)
        return NULL;
    for (size_t i = 0; i < nq; i++) {
        size_t j = 0;
        while (j < *n && strcmp(f[j], q[i].feature) != 0)
            j++;
        if (j == *n)
            f[(*n)++] = q[i].feature;
    }
    return f;
}

enum noaber_err
panels_questions_parse(const char *text, const struct panels_quota *q, size_t nq,
                       struct panels_question **out, size_t *n, struct noaber_arena *a)
{
    size_t nf = 0;
    const char **f = panels_features(q, nq, &nf, a);
    struct panels_question *qs = f ? noaber_arena_alloc(a, (nf + 1) * sizeof *qs) : NULL;
    char *copy = noaber_arena_strdup(a, text ? text : "");
    if (!qs || !copy)
        return NOABER_E_TOO_LARGE;
    for (size_t i = 0; i < nf; i++)
        qs[i] = (struct panels_question){f[i], f[i]};
    for (char *save = NULL, *l = strtok_r(copy, "\r\n", &save); l;
         l = strtok_r(NULL, "\r\n", &save)) {
        char *sep = strchr(l, ':');
        if (!sep)
            sep = strchr(l, ',');
        if (!sep) {
            if (*noaber_trim(l))
                return NOABER_E_BAD_QUOTAS;
            continue;
        }
        *sep = '\0';
        const char *feature = noaber_trim(l), *question = noaber_trim(sep + 1);
        size_t i = 0;
        while (i < nf && strcmp(f[i], feature) != 0)
            i++;
        if (i == nf || !line_ok(question, 300))
            return NOABER_E_BAD_QUOTAS;
        qs[i].question = question;
    }
    *out = qs;
    *n = nf;
    return NOABER_OK;
}

/* --- addresses -------------------------------------------------------------------------------- */

enum noaber_err
panels_addresses_parse(const char *text, size_t len, struct panels_address **out, size_t *n,
                       size_t *line, struct noaber_arena *a)
{
    static const char *const c_street[] = {"street", "straat", "straatnaam", NULL};
    static const char *const c_number[] = {
        "house number", "house_number", "housenumber", "huisnummer", "nummer", "number", NULL};
    static const char *const c_postcode[] = {"postcode", "postal code", "zip", NULL};
    static const char *const c_town[] = {"town", "city", "plaats", "woonplaats", "place", NULL};
    struct panels_table t = {0};
    size_t dummy = 0;
    line = line ? line : &dummy;
    *line = 1;
    *out = NULL;
    *n = 0;
    if (!text || !len || !noaber_utf8_valid(text, len) || memchr(text, '\0', len))
        return NOABER_E_BAD_CSV;
    if (panels_table_parse(text, len, &t, NULL) != PANELS_OK)
        return NOABER_E_BAD_CSV;
    enum noaber_err e = NOABER_OK;
    int cs = column(&t, c_street), cn = column(&t, c_number), cp = column(&t, c_postcode),
        ct = column(&t, c_town);
    if (cs < 0 || cn < 0 || cp < 0 || ct < 0)
        e = NOABER_E_BAD_ADDRESS_COLUMNS;
    else if (t.nrows == 0)
        e = NOABER_E_EMPTY_LIST;
    else if (t.nrows > PANELS_WEB_MAX_ADDRESS)
        e = NOABER_E_TOO_LARGE;
    struct panels_address *ad = NULL;
    if (e == NOABER_OK && !(ad = noaber_arena_alloc(a, (size_t)t.nrows * sizeof *ad)))
        e = NOABER_E_TOO_LARGE;
    for (int r = 0; e == NOABER_OK && r < t.nrows; r++) {
        *line = (size_t)t.line[r];
        char *street = cell(&t, r, cs, a), *num = cell(&t, r, cn, a), *pc = cell(&t, r, cp, a),
             *town = cell(&t, r, ct, a);
        if (!street || !num || !pc || !town)
            e = NOABER_E_TOO_LARGE;
        else if (!line_ok(street, 120) || !line_ok(town, 80))
            e = NOABER_E_REQUIRED;
        else if (members_check_postcode(pc) != NOABER_OK)
            e = NOABER_E_BAD_POSTCODE;
        else if (!line_ok(num, 10) || !isdigit((unsigned char)num[0]))
            e = NOABER_E_BAD_HOUSE_NUMBER;
        else
            ad[r] = (struct panels_address){street, num, pc, town};
    }
    if (e == NOABER_OK) {
        *out = ad;
        *n = (size_t)t.nrows;
        *line = 0;
    }
    panels_table_free(&t);
    return e;
}

/* --- response codes --------------------------------------------------------------------------- */

/* 30 characters that are not mistaken for each other on paper or when read aloud. */
static const char code_alphabet[] = "ABCDEFGHJKMNPQRSTVWXYZ23456789";

void
panels_code_make(const unsigned char key[32], int64_t panel, int64_t address, char out[16])
{
    unsigned char msg[16], mac[crypto_auth_hmacsha256_BYTES];
    for (int i = 0; i < 8; i++) {
        msg[i] = (unsigned char)((uint64_t)panel >> (8 * i));
        msg[8 + i] = (unsigned char)((uint64_t)address >> (8 * i));
    }
    crypto_auth_hmacsha256(mac, msg, sizeof msg, key);
    size_t k = 0;
    for (int i = 0; i < PANELS_WEB_CODE_LEN; i++) {
        if (i == PANELS_WEB_CODE_LEN / 2)
            out[k++] = '-';
        /* two bytes per character: the bias of 65536 mod 30 is below 0.05 % */
        unsigned v = (unsigned)mac[2 * i] << 8 | mac[2 * i + 1];
        out[k++] = code_alphabet[v % (sizeof code_alphabet - 1)];
    }
    out[k] = '\0';
}

int
panels_code_normalise(char *code)
{
    size_t k = 0;
    for (const char *p = code; *p; p++) {
        if (*p == '-' || *p == ' ' || *p == '\t')
            continue;
        char c = (char)toupper((unsigned char)*p);
        if (!strchr(code_alphabet, c) || k >= PANELS_WEB_CODE_LEN)
            return 0;
        code[k++] = c;
    }
    code[k] = '\0';
    return k == PANELS_WEB_CODE_LEN;
}

void
panels_code_hash(const char *normalised, char out[65])
{
    char buf[64];
    snprintf(buf, sizeof buf, "panel:%s", normalised);
    noaber_sha256_hex(out, buf, strlen(buf));
}

/* --- answers ---------------------------------------------------------------------------------- */

enum noaber_err
panels_answers_check(const struct panels_quota *q, size_t nq, const char *const *features,
                     const char *const *answers, size_t nf, const char **bad)
{
    for (size_t i = 0; i < nf; i++) {
        *bad = features[i];
        if (!answers[i] || !*answers[i])
            return NOABER_E_REQUIRED;
        size_t j = 0;
        while (j < nq &&
               !(strcmp(q[j].feature, features[i]) == 0 && strcmp(q[j].value, answers[i]) == 0))
            j++;
        if (j == nq)
            return NOABER_E_BAD_CHOICE;
    }
    *bad = NULL;
    return NOABER_OK;
}

char *
panels_answers_encode(const char *const *features, const char *const *answers, size_t nf,
                      struct noaber_arena *a)
{
    struct noaber_buf b;
    noaber_buf_init(&b, a);
    noaber_buf_puts(&b, "");
    for (size_t i = 0; i < nf; i++)
        noaber_buf_printf(&b, "%s=%s\n", features[i], answers[i]);
    return b.failed ? NULL : b.data;
}

const char *
panels_answer_of(const char *encoded, const char *feature, struct noaber_arena *a)
{
    size_t fl = strlen(feature);
    for (const char *p = encoded; p && *p;) {
        const char *end = strchr(p, '\n');
        size_t ll = end ? (size_t)(end - p) : strlen(p);
        if (ll > fl && strncmp(p, feature, fl) == 0 && p[fl] == '=') {
            const char *v = noaber_arena_strndup(a, p + fl + 1, ll - fl - 1);
            return v ? v : "";
        }
        p = end ? end + 1 : NULL;
    }
    return "";
}

/* --- draws ------------------------------------------------------------------------------------ */

void
panels_draw_uniform(size_t n, size_t m, size_t *out)
{
    /* A partial Fisher-Yates shuffle: every m-subset equally likely, in a random order. */
    size_t *idx = noaber_xmalloc((n ? n : 1) * sizeof *idx);
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    for (size_t i = 0; i < m && i < n; i++) {
        size_t j = i + (size_t)noaber_random_uniform((uint32_t)(n - i));
        size_t t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
        out[i] = idx[i];
    }
    free(idx);
}

struct keyed {
    char key[65];
    int64_t number;
};

static int
keyed_cmp(const void *x, const void *y)
{
    const struct keyed *a = x, *b = y;
    int c = strcmp(a->key, b->key);
    return c ? c : (a->number > b->number) - (a->number < b->number);
}

void
panels_reserve_order(const char *seed, int64_t *numbers, size_t n)
{
    struct keyed *k = noaber_xmalloc((n ? n : 1) * sizeof *k);
    for (size_t i = 0; i < n; i++) {
        char buf[300];
        snprintf(buf, sizeof buf, "%s:reserve:%lld", seed, (long long)numbers[i]);
        noaber_sha256_hex(k[i].key, buf, strlen(buf));
        k[i].number = numbers[i];
    }
    qsort(k, n, sizeof *k, keyed_cmp);
    for (size_t i = 0; i < n; i++)
        numbers[i] = k[i].number;
    free(k);
}

void
panels_quota_counts(const struct panels_quota *q, size_t nq, const char *const *answers, size_t n,
                    int *counts, struct noaber_arena *a)
{
    for (size_t j = 0; j < nq; j++) {
        counts[j] = 0;
        for (size_t i = 0; i < n; i++)
            if (strcmp(panels_answer_of(answers[i], q[j].feature, a), q[j].value) == 0)
                counts[j]++;
    }
}

long
panels_next_reserve(const struct panels_quota *q, size_t nq, const char *const *panel, size_t np,
                    const char *dropped, const char *const *reserves, size_t nr, int *quotas_ok,
                    struct noaber_arena *a)
{
    *quotas_ok = 0;
    if (nr == 0)
        return -1;
    int *base = noaber_arena_alloc(a, (nq + 1) * sizeof *base);
    int *with = noaber_arena_alloc(a, (nq + 1) * sizeof *with);
    if (!base || !with)
        return 0;
    panels_quota_counts(q, nq, panel, np, base, a);
    for (size_t r = 0; r < nr; r++) {
        panels_quota_counts(q, nq, &reserves[r], 1, with, a);
        size_t j = 0;
        while (j < nq && base[j] + with[j] >= q[j].min && base[j] + with[j] <= q[j].max)
            j++;
        if (j == nq) {
            *quotas_ok = 1;
            return (long)r;
        }
    }
    for (size_t r = 0; r < nr; r++)
        if (strcmp(reserves[r], dropped) == 0)
            return (long)r;
    return 0;
}

/* --- the engine's words ----------------------------------------------------------------------- */

char *
panels_engine_message(const char *text, const char *lang, struct noaber_arena *a)
{
    struct noaber_buf b;
    noaber_buf_init(&b, a);
    noaber_buf_puts(&b, "");
    int en = lang && strcmp(lang, "en") == 0;
    for (const char *p = text ? text : ""; *p;) {
        const char *end = strchr(p, '\n');
        size_t ll = end ? (size_t)(end - p) : strlen(p);
        char *l = noaber_arena_strndup(a, p, ll);
        p = end ? end + 1 : p + ll;
        if (!l)
            break;
        noaber_trim(l);
        if (!*l || strstr(l, "progress") || strstr(l, "Sanitizer") || strncmp(l, "==", 2) == 0)
            continue;
        /* "Dutch / English": one half. A line of the engine's explanation keeps its leading
         * "- " so that the list of changes stays a list. */
        char *sep = strstr(l, " / ");
        const char *show = l;
        if (sep) {
            *sep = '\0';
            show = en ? sep + 3 : l;
            if (en && l[0] == '-' && l[1] == ' ')
                noaber_buf_puts(&b, "- ");
        }
        /* the Dutch half of "Fout / Error: x" is just "Fout" */
        if (!en && strcmp(show, "Fout") == 0 && sep) {
            const char *colon = strchr(sep + 3, ':');
            show = colon ? colon + 1 : sep + 3;
            while (*show == ' ')
                show++;
        }
        noaber_buf_puts(&b, show);
        noaber_buf_putc(&b, '\n');
    }
    return b.failed ? NULL : b.data;
}

/* What follows "KEY: " at the start of a line of RECORD, or NULL. */
static const char *
record_value(const char *record, const char *key)
{
    size_t kl = strlen(key);
    const char *p = record;
    while (p && *p) {
        if (strncmp(p, key, kl) == 0 && p[kl] == ':' && p[kl + 1] == ' ')
            return p + kl + 2;
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return NULL;
}

/* The number after "KEY: " at the start of a line of RECORD, or -1. */
static double
record_number(const char *record, const char *key)
{
    const char *v = record_value(record, key);
    if (!v)
        return -1.0;
    char *end;
    double x = strtod(v, &end);
    return end != v && x >= 0 && x <= 1 ? x : -1.0;
}

int
panels_draw_gap(const char *draw, double *min, double *bound)
{
    *min = record_number(draw, "minimum probability");
    *bound = record_number(draw, "upper bound on the minimum probability");
    return *min >= 0 && *bound > *min + 1e-9;
}

int
panels_draw_higher_unproven(const char *draw)
{
    const char *v = record_value(draw, "higher levels");
    return v && strncmp(v, "best found", 10) == 0;
}

/* --- the chart -------------------------------------------------------------------------------- */

void
panels_svg_chart(struct noaber_buf *out, const double *values, const int64_t *labels, size_t n,
                 double fair, const char *title, const char *desc)
{
    /* Sorted bars would hide who is who; the chart keeps the order of the numbers, as the table
     * beside it does. Width grows with n so that each bar stays visible; the viewBox scales it
     * down on a phone. */
    const double left = 44, top = 12, height = 200, bottom = 30;
    double bar = n > 200 ? 3 : n > 60 ? 6 : 12, width = left + (double)n * bar + 12;
    if (width < 320)
        width = 320;
    noaber_buf_printf(out,
                      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" "
                      "viewBox=\"0 0 %.0f %.0f\" aria-labelledby=\"chart-title chart-desc\">",
                      width, top + height + bottom);
    noaber_buf_puts(out, "<title id=\"chart-title\">");
    noaber_buf_html(out, title);
    noaber_buf_puts(out, "</title><desc id=\"chart-desc\">");
    noaber_buf_html(out, desc);
    noaber_buf_puts(out, "</desc>");
    for (int t = 0; t <= 4; t++) {
        double y = top + height - height * t / 4.0;
        noaber_buf_printf(out,
                          "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#bbb\" "
                          "stroke-width=\"0.5\"/><text x=\"%.0f\" y=\"%.1f\" font-size=\"10\" "
                          "text-anchor=\"end\" fill=\"#222\">%d%%</text>",
                          left, width - 8, y, y, left - 4, y + 3, t * 25);
    }
    /* A number under a bar where there is room: every bar up to 12, then every 5th, 20th, 50th. */
    size_t step = n <= 12 ? 1 : n <= 60 ? 5 : n <= 200 ? 20 : 50;
    for (size_t i = 0; i < n; i++) {
        double v = values[i] < 0 ? 0 : values[i] > 1 ? 1 : values[i];
        double h = v * height, x = left + (double)i * bar;
        noaber_buf_printf(out,
                          "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                          "fill=\"#1d5c8c\"/>",
                          x + 0.5, top + height - h, bar - 1, h);
        if (i == 0 || (i + 1) % step == 0)
            noaber_buf_printf(out,
                              "<text x=\"%.1f\" y=\"%.0f\" font-size=\"9\" text-anchor=\"middle\" "
                              "fill=\"#222\">%lld</text>",
                              x + bar / 2, top + height + 12, (long long)labels[i]);
    }
    if (fair > 0 && fair <= 1) {
        double y = top + height - fair * height;
        noaber_buf_printf(
            out,
            "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#a4161a\" "
            "stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>",
            left, width - 8, y, y);
    }
    noaber_buf_puts(out, "</svg>");
}
