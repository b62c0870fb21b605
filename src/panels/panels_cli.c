/*
 * panels_cli.c — `noaber panel select`: files in, selection out.
 *
 * Reads the features and people files, builds and checks the pool, runs the chosen
 * algorithm, draws one panel from the published distribution with the seed, and only then
 * writes DIR/selected.csv, remaining.csv, probabilities.csv, profiles.csv, panels.csv,
 * draw.txt and (with --lottery) lottery.csv. Nothing is written when anything fails. When the
 * quotas admit no panel it explains the smallest change of mins and maxes that would. The
 * printed probabilities in panels.csv are what the draw uses, so the draw can be redone from
 * the files (docs/panels.md).
 */
#include "panels/panels_cli.h"
#include "panels/panels.h"

#include <errno.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const char usage_panel[] =
    "Gebruik / usage: noaber panel select --features F --people P --k N --out DIR [opties]\n"
    "\n"
    "Trekt een burgerpanel door loting uit vrijwilligers, binnen quota per kenmerk.\n"
    "Draws a citizens' panel by lot from volunteers, within quotas per feature.\n"
    "\n"
    "Subcommando's / subcommands:\n"
    "  select    kansen berekenen en een panel trekken / compute probabilities, draw a panel\n"
    "\n"
    "`noaber panel select --help` toont de opties / shows the options.\n";

static const char usage_select[] =
    "Gebruik / usage: noaber panel select --features F --people P --k N --out DIR\n"
    "        [--algorithm leximin|maximin|legacy] [--seed S] [--id-column id]\n"
    "        [--household-columns a,b] [--lottery N] [--time-limit S] [--tolerance P]\n"
    "\n"
    "  --features F     quota: feature,value,min,max[,min_flex,max_flex]\n"
    "                   of/or category,feature,min,max\n"
    "  --people P       vrijwilligers: id-kolom en een kolom per kenmerk /\n"
    "                   volunteers: an id column and one column per feature\n"
    "  --k N            panelgrootte / panel size\n"
    "  --algorithm A    leximin (standaard/default), maximin, legacy\n"
    "  --seed S         tekst waaruit de trekking volgt; zonder: willekeurig /\n"
    "                   text that determines the draw; without: random\n"
    "  --id-column C    naam van de id-kolom (standaard 'id'; zonder kolom: rijnummer) /\n"
    "                   id column (default 'id'; if absent: the data row number)\n"
    "  --household-columns a,b   hoogstens een persoon per huishouden /\n"
    "                   at most one person per household (key: these columns)\n"
    "  --lottery N      rond af op N gelijke loten (bv. 1000: 000-999) /\n"
    "                   round to a uniform lottery over N tickets\n"
    "  --time-limit S   stop met een foutmelding na S seconden (geen ander antwoord) /\n"
    "                   stop with an error after S seconds (never another answer)\n"
    "  --tolerance P    klaar als ieders kans hoogstens P procent onder een bewezen\n"
    "                   bovengrens ligt (0 tot 10, standaard 1; 0: exact) / done when\n"
    "                   everyone's chance is at most P percent below a proven upper bound;\n"
    "                   komt de berekening niet verder, dan ook als de kleinste kans\n"
    "                   hoogstens max(P, 5) procent lager is / when the computation stalls,\n"
    "                   also once the smallest is at most max(P, 5) percent below it\n"
    "  --out DIR        map voor selected.csv, remaining.csv, probabilities.csv,\n"
    "                   profiles.csv, panels.csv, draw.txt (en lottery.csv)\n"
    "\n"
    "Trekking / draw: u = eerste 8 bytes van SHA-256(seed) / 2^64; het gekozen panel is het\n"
    "eerste in panels.csv waarvan de lopende som van de kansen groter is dan u maal de som.\n"
    "Per profiel kiest SHA-256(seed:profiel:blok) wie de plaatsen krijgt (docs/panels.md).\n"
    "The panel of profiles as above; per profile SHA-256(seed:profile:block) picks who sits.\n"
    "With --lottery and a seed of digits below N, that ticket number is the panel.\n";

struct args {
    const char *features, *people, *out, *seed, *id_column, *households, *algorithm;
    int k, lottery, time_limit;
    double tolerance; /* percent */
};

static int
parse_int_arg(const char *s, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < 0 || v > 1000000000)
        return -1;
    *out = (int)v;
    return 0;
}

/* A percentage from 0 to 10, with a decimal point or a Dutch decimal comma. */
static int
parse_percent(const char *s, double *out)
{
    char buf[32], *end;
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof(buf) || strspn(s, "0123456789.,") != n)
        return -1;
    memcpy(buf, s, n + 1);
    char *comma = strchr(buf, ',');
    if (comma)
        *comma = '.';
    errno = 0;
    double v = strtod(buf, &end);
    if (*end || errno || !(v >= 0.0 && v <= 10.0))
        return -1;
    *out = v;
    return 0;
}

/* Returns 0 ok, 1 user error (message printed), 3 help printed. */
static int
parse_args(int argc, char **argv, struct args *a)
{
    memset(a, 0, sizeof(*a));
    a->k = -1;
    a->tolerance = 100.0 * PANELS_TOLERANCE_DEFAULT;
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i], *val = NULL;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs(usage_select, stdout);
            return 3;
        }
        static const char *const names[] = {"--features",          "--people",   "--k",
                                            "--algorithm",         "--seed",     "--id-column",
                                            "--household-columns", "--lottery",  "--out",
                                            "--time-limit",        "--tolerance"};
        int which = -1;
        size_t alen = strcspn(arg, "=");
        for (int n = 0; n < (int)(sizeof(names) / sizeof(names[0])); n++)
            if (strlen(names[n]) == alen && strncmp(arg, names[n], alen) == 0)
                which = n;
        if (which < 0) {
            fprintf(stderr,
                    "Fout: onbekende optie '%s'. / Error: unknown option '%s'.\n"
                    "Zie / see: noaber panel select --help\n",
                    arg, arg);
            return 1;
        }
        if (arg[alen] == '=')
            val = arg + alen + 1;
        else if (i + 1 < argc)
            val = argv[++i];
        else {
            fprintf(stderr, "Fout: %s mist een waarde. / Error: %s needs a value.\n", arg, arg);
            return 1;
        }
        switch (which) {
        case 0:
            a->features = val;
            break;
        case 1:
            a->people = val;
            break;
        case 2:
            if (parse_int_arg(val, &a->k) < 0 || a->k < 1) {
                fprintf(stderr,
                        "Fout: --k moet een positief geheel getal zijn, niet '%s'. / Error: --k "
                        "must be a positive whole number, not '%s'.\n",
                        val, val);
                return 1;
            }
            break;
        case 3:
            a->algorithm = val;
            break;
        case 4:
            a->seed = val;
            break;
        case 5:
            a->id_column = val;
            break;
        case 6:
            a->households = val;
            break;
        case 7:
            if (parse_int_arg(val, &a->lottery) < 0 || a->lottery < 1 || a->lottery > 1000000) {
                fprintf(stderr,
                        "Fout: --lottery moet tussen 1 en 1000000 liggen, niet '%s'. / Error: "
                        "--lottery must be between 1 and 1000000, not '%s'.\n",
                        val, val);
                return 1;
            }
            break;
        case 8:
            a->out = val;
            break;
        case 10:
            if (parse_percent(val, &a->tolerance) < 0) {
                fprintf(stderr,
                        "Fout: --tolerance moet een getal van 0 tot 10 (procent) zijn, niet '%s'. "
                        "/ Error: --tolerance must be a number from 0 to 10 (percent), not '%s'.\n",
                        val, val);
                return 1;
            }
            break;
        default:
            if (parse_int_arg(val, &a->time_limit) < 0 || a->time_limit < 1 ||
                a->time_limit > 604800) {
                fprintf(stderr,
                        "Fout: --time-limit moet tussen 1 en 604800 seconden liggen, niet '%s'. / "
                        "Error: --time-limit must be between 1 and 604800 seconds, not '%s'.\n",
                        val, val);
                return 1;
            }
            break;
        }
    }
    const char *missing = !a->features ? "--features"
                          : !a->people ? "--people"
                          : a->k < 0   ? "--k"
                          : !a->out    ? "--out"
                                       : NULL;
    if (missing) {
        fprintf(stderr,
                "Fout: %s ontbreekt. / Error: %s is missing.\nZie / see: noaber panel select "
                "--help\n",
                missing, missing);
        return 1;
    }
    if (a->algorithm && panels_algorithm_parse(a->algorithm) < 0) {
        fprintf(stderr,
                "Fout: onbekend algoritme '%s' (leximin, maximin, legacy). / Error: unknown "
                "algorithm '%s' (leximin, maximin, legacy).\n",
                a->algorithm, a->algorithm);
        return 1;
    }
    return 0;
}

/* ---- output ---------------------------------------------------------------------------- */

static void
put_field(FILE *fp, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, fp);
        return;
    }
    fputc('"', fp);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', fp);
        fputc(*s, fp);
    }
    fputc('"', fp);
}

static void
put_row(FILE *fp, char *const *fields, int n)
{
    for (int i = 0; i < n; i++) {
        if (i)
            fputc(',', fp);
        put_field(fp, fields[i]);
    }
    fputc('\n', fp);
}

static FILE *
open_out(const char *dir, const char *name, char *path, size_t pathlen)
{
    snprintf(path, pathlen, "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    if (!fp)
        fprintf(stderr, "Fout: kan '%s' niet schrijven (%s). / Error: cannot write '%s' (%s).\n",
                path, strerror(errno), path, strerror(errno));
    return fp;
}

static int
close_out(FILE *fp, const char *path)
{
    int bad = ferror(fp);
    if (fclose(fp) != 0 || bad) {
        fprintf(stderr, "Fout: schrijven naar '%s' mislukt. / Error: writing '%s' failed.\n", path,
                path);
        return -1;
    }
    return 0;
}

struct output {
    const struct args *a;
    const struct panels_table *people;
    const struct panels_pool *pool;
    const struct panels_result *res;
    const double *printed; /* the probabilities as printed in panels.csv */
    const int *selected;   /* k person indices */
    const int *tickets;    /* lottery: lottery * k, or NULL */
    int chosen;            /* panel number (0-based) or ticket */
    double u;
    char seed_hash[65];
    double lottery_loss;
};

static int
write_people(const struct output *o, const char *name, int want_selected)
{
    char path[4096];
    FILE *fp = open_out(o->a->out, name, path, sizeof(path));
    if (!fp)
        return -1;
    char *is_sel = calloc((size_t)o->pool->npeople, 1);
    if (!is_sel) {
        fclose(fp);
        return -1;
    }
    for (int j = 0; j < o->pool->k; j++)
        is_sel[o->selected[j]] = 1;
    put_row(fp, o->people->header, o->people->ncols);
    for (int i = 0; i < o->people->nrows; i++)
        if (is_sel[i] == want_selected)
            put_row(fp, o->people->cells + (long)i * o->people->ncols, o->people->ncols);
    free(is_sel);
    return close_out(fp, path);
}

static void
put_ticket_header(FILE *fp, int k)
{
    fputs("ticket", fp);
    for (int j = 0; j < k; j++)
        fprintf(fp, ",member_%d", j + 1);
    fputc('\n', fp);
}

static int
write_outputs(const struct output *o)
{
    const struct panels_pool *pool = o->pool;
    const struct panels_dist *d = &o->res->dist;
    char path[4096];
    int k = pool->k;
    if (mkdir(o->a->out, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "Fout: kan map '%s' niet maken (%s). / Error: cannot create '%s' (%s).\n",
                o->a->out, strerror(errno), o->a->out, strerror(errno));
        return -1;
    }
    if (write_people(o, "selected.csv", 1) < 0 || write_people(o, "remaining.csv", 0) < 0)
        return -1;
    FILE *fp = open_out(o->a->out, "probabilities.csv", path, sizeof(path));
    if (!fp)
        return -1;
    fputs("id,probability\n", fp);
    for (int i = 0; i < pool->npeople; i++) {
        double pr = o->res->person_prob[i];
        put_field(fp, pool->ids[i]);
        fprintf(fp, ",%.9f\n", pr < 0 ? 0.0 : pr);
    }
    if (close_out(fp, path) < 0)
        return -1;
    if (!(fp = open_out(o->a->out, "panels.csv", path, sizeof(path))))
        return -1;
    fputs("panel,probability", fp);
    for (int j = 0; j < k; j++)
        fprintf(fp, ",seat_%d", j + 1);
    fputc('\n', fp);
    for (int p = 0; p < d->npanels; p++) {
        fprintf(fp, "%d,%.12f", p + 1, o->printed[p]);
        for (int j = 0; j < k; j++)
            fprintf(fp, ",%d", d->seats[(long)p * k + j] + 1);
        fputc('\n', fp);
    }
    if (close_out(fp, path) < 0)
        return -1;
    if (!(fp = open_out(o->a->out, "profiles.csv", path, sizeof(path))))
        return -1;
    fputs("id,profile\n", fp);
    for (int i = 0; i < pool->npeople; i++) {
        put_field(fp, pool->ids[i]);
        fprintf(fp, ",%d\n", d->profile_of[i] + 1);
    }
    if (close_out(fp, path) < 0)
        return -1;
    if (o->tickets) {
        if (!(fp = open_out(o->a->out, "lottery.csv", path, sizeof(path))))
            return -1;
        int width = 1;
        for (int n = o->a->lottery - 1; n >= 10; n /= 10)
            width++;
        put_ticket_header(fp, k);
        for (int t = 0; t < o->a->lottery; t++) {
            fprintf(fp, "%0*d", width, t);
            for (int j = 0; j < k; j++) {
                fputc(',', fp);
                put_field(fp, pool->ids[o->tickets[(long)t * k + j]]);
            }
            fputc('\n', fp);
        }
        if (close_out(fp, path) < 0)
            return -1;
    }
    if (!(fp = open_out(o->a->out, "draw.txt", path, sizeof(path))))
        return -1;
    fprintf(fp, "algorithm: %s\nseed: %s\nsha256(seed): %s\n",
            o->a->algorithm ? o->a->algorithm : "leximin", o->a->seed, o->seed_hash);
    if (o->tickets)
        fprintf(fp, "lottery tickets: %d\nchosen ticket: %d\nlargest loss of probability: %.9f\n",
                o->a->lottery, o->chosen, o->lottery_loss);
    else
        fprintf(fp, "u: %.17f\nchosen panel: %d\n", o->u, o->chosen + 1);
    fprintf(fp, "minimum probability: %.9f\n", o->res->min_prob);
    if (o->res->stats.bound > 0)
        fprintf(fp, "upper bound on the minimum probability: %.9f\ntolerance: %g%%\n",
                o->res->stats.bound, o->a->tolerance);
    if (o->res->stats.higher_unproven)
        fprintf(fp, "higher levels: best found, not proven leximin\n");
    fprintf(fp, "panels: %d\nprofiles: %d\n", d->npanels, d->nprofiles);
    return close_out(fp, path);
}

/* ---- progress -------------------------------------------------------------------------- */

struct progress {
    struct timespec start;
    double last;
};

static double
since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (t.tv_nsec - t0->tv_nsec) * 1e-9;
}

static void
show_progress(void *arg, const char *phase, double fraction)
{
    struct progress *pg = arg;
    double s = since(&pg->start);
    if (s < 1.0 || s - pg->last < 1.0)
        return;
    pg->last = s;
    fprintf(stderr, "voortgang / progress: %s %3.0f%% (%.1f s)\n", phase, 100.0 * fraction, s);
}

/* ---- select ---------------------------------------------------------------------------- */

static int
exit_code(panels_err err)
{
    return err == PANELS_E_INTERNAL || err == PANELS_E_NOMEM ? 2 : 1;
}

static void
report_error(panels_err err, const struct panels_diag *diag)
{
    if (diag->msg[0])
        fprintf(stderr, "%s\n", diag->msg);
    else
        fprintf(stderr, "Fout / Error: %s\n", panels_strerror(err));
}

/* Explain infeasible quotas with the smallest relaxation. */
static void
explain_infeasible(const struct panels_pool *pool)
{
    struct panels_change *ch = NULL;
    int n = 0;
    struct panels_diag diag = {{0}};
    fprintf(stderr,
            "Fout: geen enkel panel van %d mensen voldoet aan alle quota. / Error: no "
            "panel of %d people satisfies all quotas.\n",
            pool->k, pool->k);
    panels_err err = panels_relax(pool, &ch, &n, &diag);
    if (err) {
        fprintf(stderr, "%s\n", diag.msg[0] ? diag.msg : panels_strerror(err));
        free(ch);
        return;
    }
    fprintf(stderr, "Kleinste aanpassing die het oplost / smallest change that fixes it:\n");
    for (int i = 0; i < n; i++) {
        const struct panels_value *v = &pool->values[ch[i].value];
        if (ch[i].is_max)
            fprintf(stderr,
                    "  - verhoog het maximum van %s = %s van %d naar %d / raise the max of %s = "
                    "%s from %d to %d\n",
                    v->feature_name, v->name, ch[i].from, ch[i].to, v->feature_name, v->name,
                    ch[i].from, ch[i].to);
        else
            fprintf(stderr,
                    "  - verlaag het minimum van %s = %s van %d naar %d / lower the min of %s = "
                    "%s from %d to %d\n",
                    v->feature_name, v->name, ch[i].from, ch[i].to, v->feature_name, v->name,
                    ch[i].from, ch[i].to);
    }
    free(ch);
}

static char **
split_columns(const char *list)
{
    size_t n = 2;
    for (const char *p = list; *p; p++)
        n += *p == ',';
    char **cols = calloc(n, sizeof(char *));
    if (!cols)
        return NULL;
    size_t i = 0;
    for (const char *p = list;;) {
        size_t len = strcspn(p, ",");
        while (len && (*p == ' '))
            p++, len--;
        while (len && p[len - 1] == ' ')
            len--;
        if (len) {
            cols[i] = strndup(p, len);
            if (!cols[i])
                break;
            i++;
        }
        p += strcspn(p, ",");
        if (!*p)
            break;
        p++;
    }
    return cols;
}

static int
cmd_select(int argc, char **argv)
{
    struct args a;
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc == 3 ? 0 : rc;
    struct progress pg = {.last = 0.0};
    clock_gettime(CLOCK_MONOTONIC, &pg.start);
    struct panels_diag diag = {{0}};
    struct panels_table ft = {0}, pt = {0};
    struct panels_pool pool = {0};
    struct panels_result res = {0};
    char **hcols = NULL, seedbuf[40];
    double *printed = NULL;
    int *tickets = NULL, *selected = NULL;
    panels_err err = panels_table_load(a.features, &ft, &diag);
    if (!err)
        err = panels_table_load(a.people, &pt, &diag);
    if (!err && a.households && !(hcols = split_columns(a.households)))
        err = PANELS_E_NOMEM;
    if (!err) {
        struct panels_pool_opts po = {
            .k = a.k, .id_column = a.id_column, .household_columns = (const char *const *)hcols};
        err = panels_pool_build(&ft, &pt, &po, &pool, &diag);
    }
    if (err) {
        report_error(err, &diag);
        rc = exit_code(err);
        goto out;
    }
    struct panels_select_opts so = {.algorithm = a.algorithm ? panels_algorithm_parse(a.algorithm)
                                                             : PANELS_LEXIMIN,
                                    .progress = show_progress,
                                    .progress_arg = &pg,
                                    .time_limit = a.time_limit,
                                    .tolerance = a.tolerance / 100.0};
    err = panels_select(&pool, &so, &res, &diag);
    if (err == PANELS_E_INFEASIBLE) {
        explain_infeasible(&pool);
        rc = 1;
        goto out;
    }
    if (err) {
        report_error(err, &diag);
        rc = exit_code(err);
        goto out;
    }
    if (!a.seed) {
        unsigned char rb[16];
        if (sodium_init() < 0) {
            rc = 2;
            goto out;
        }
        randombytes_buf(rb, sizeof(rb));
        for (int i = 0; i < 16; i++)
            snprintf(seedbuf + 2 * i, 3, "%02x", rb[i]);
        a.seed = seedbuf;
    }
    /* The draw uses the probabilities exactly as printed in panels.csv. */
    int np = res.dist.npanels, k = pool.k;
    printed = malloc((size_t)np * sizeof(double));
    if (!printed) {
        rc = 2;
        goto out;
    }
    for (int p = 0; p < np; p++) {
        char buf[64];
        snprintf(buf, sizeof(buf), "%.12f", res.dist.prob[p]);
        printed[p] = strtod(buf, NULL);
    }
    struct output o = {.a = &a, .people = &pt, .pool = &pool, .res = &res, .printed = printed};
    panels_sha256_hex(a.seed, strlen(a.seed), o.seed_hash);
    o.u = panels_seed_uniform(a.seed);
    if (a.lottery) {
        err = panels_lottery(&pool, &res.dist, a.lottery, &tickets, &o.lottery_loss, &diag);
        if (err) {
            report_error(err, &diag);
            rc = exit_code(err);
            goto out;
        }
        char *end;
        long t = strtol(a.seed, &end, 10);
        int digits = a.seed[0] >= '0' && a.seed[0] <= '9' && !*end;
        o.chosen = digits && t >= 0 && t < a.lottery ? (int)t : (int)floor(o.u * a.lottery);
        o.tickets = tickets;
        o.selected = tickets + (long)o.chosen * k;
    } else {
        selected = malloc((size_t)k * sizeof(int));
        if (!selected ||
            (o.chosen = panels_draw(a.seed, &res.dist, printed, pool.npeople, selected)) < 0) {
            rc = 2;
            goto out;
        }
        o.selected = selected;
    }
    if (write_outputs(&o) < 0) {
        rc = 1;
        goto out;
    }
    printf("algoritme / algorithm: %s\n", panels_algorithm_name(so.algorithm));
    printf("minimale kans / minimum probability: %.6f\n", res.min_prob);
    if (res.stats.bound > res.min_prob + 1e-9)
        printf("bewezen bovengrens / proven upper bound: %.6f (%.2f%% hoger / higher)\n",
               res.stats.bound, 100.0 * (res.stats.bound - res.min_prob) / res.stats.bound);
    if (res.stats.higher_unproven)
        printf("hogere kansen: de beste die gevonden zijn, niet bewezen de eerlijkste / higher "
               "chances: the best found, not proven leximin\n");
    printf("panels in de verdeling / panels in the distribution: %d\n", np);
    if (a.lottery)
        printf("lot / ticket: %d van/of %d (grootste verlies / largest loss %.6f)\n", o.chosen,
               a.lottery, o.lottery_loss);
    else
        printf("seed: %s -> panel %d\n", a.seed, o.chosen + 1);
    printf("tijd / time: %.2f s\n", since(&pg.start));
    rc = 0;
out:
    if (hcols)
        for (int i = 0; hcols[i]; i++)
            free(hcols[i]);
    free(hcols);
    free(printed);
    free(tickets);
    free(selected);
    panels_result_free(&res);
    panels_pool_free(&pool);
    panels_table_free(&ft);
    panels_table_free(&pt);
    return rc;
}

int
panels_cli_main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage_panel, argc < 2 ? stderr : stdout);
        return argc < 2 ? 1 : 0;
    }
    if (strcmp(argv[1], "select") == 0)
        return cmd_select(argc, argv);
    fprintf(stderr, "Fout: onbekend subcommando '%s'. / Error: unknown subcommand '%s'.\n%s",
            argv[1], argv[1], usage_panel);
    return 1;
}
