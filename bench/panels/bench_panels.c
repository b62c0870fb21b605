/*
 * bench_panels.c — time and fairness of the panel algorithms on the replication examples and
 * on hard synthetic pools.
 *
 * Prints, per instance and algorithm, the wall time, the minimum selection probability, the
 * number of distinct profiles and panels, the solver's work, and the machine's load average
 * when the run began (times depend on it). It asserts nothing about time: the figures are for
 * people. The hard pools follow issue 5: n = 2000 volunteers, eight
 * features whose values are skewed by self-selection (a few common, others rare), quotas at
 * the population share of k = 100 plus or minus 3, giving about 1,500 to 1,750 distinct
 * profiles. Everything is generated from fixed seeds, so runs are comparable; the seeds are
 * ones whose quotas can be met (with skew 1.0 and 1.5 many seeds give pools where they cannot,
 * which measures nothing). hard_skew1.0_e is one whose leximin the engine does not finish
 * within the cap yet (docs/panels.md): it stays here so that the figures show it.
 *
 * Every run has a cap on its wall time (--cap, default 90 s), so `make bench` cannot hang and
 * always shows every pool: a run that hits it prints "not finished within N s" with the upper
 * bound on the minimum probability (leximin over fractional panels), the minimum probability
 * the best distribution found so far had, and the gap between the two. A finished run prints
 * the bound and the gap too: 0 means the distribution is proven leximin-optimal at its lowest
 * level; with the tolerance (--tolerance, default the command line's 1 %) the engine may stop
 * a level once it is within that fraction of its proven bound, and the gap shows how far.
 * The cap only ever turns a run into "not finished": it never changes an answer.
 *
 * Usage: bench_panels [--help] [--quick] [--hard | --examples] [--only NAME] [--alg A]
 *                     [--cap S] [--tolerance F] [--synthetic SEED SKEW] [DATA_DIR]
 * --synthetic runs one extra pool from the generator (e.g. to look for new hard cases).
 * DATA_DIR defaults to tests/data/sortition (run from the repository root, as `make bench`).
 */
#include "panels/panels.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A tiny generator independent of the engine's internals (splitmix64). */
static uint64_t
next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double
unit(uint64_t *s)
{
    return (double)(next(s) >> 11) * 0x1.0p-53;
}

static double
normal(uint64_t *s)
{
    double u = unit(s) + 1e-12, v = unit(s);
    return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

struct text {
    char *buf;
    size_t len, cap;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#include <stdarg.h>
static void
put(struct text *t, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < t->cap - t->len) {
            t->len += (size_t)n;
            return;
        }
        t->cap = t->cap * 2 + 4096;
        t->buf = realloc(t->buf, t->cap);
        if (!t->buf)
            abort();
    }
}

/*
 * Hard synthetic pool: feature f has nv[f] values with population shares from a skewed
 * Dirichlet-like draw; self-selection multiplies each share by exp(skew * N(0,1)) in the
 * pool. Quotas: round(k * population share) +- 3.
 */
static void
synthetic(uint64_t seed, int n, int k, double skew, struct text *features, struct text *people)
{
    static const int nv[8] = {2, 5, 6, 3, 4, 3, 5, 4};
    double pop[8][8], pool[8][8];
    uint64_t s = seed;
    put(features, "feature,value,min,max\n");
    put(people, "id");
    for (int f = 0; f < 8; f++)
        put(people, ",f%d", f + 1);
    put(people, "\n");
    for (int f = 0; f < 8; f++) {
        double sp = 0.0, sq = 0.0;
        for (int v = 0; v < nv[f]; v++) {
            pop[f][v] = 0.3 + unit(&s);
            sp += pop[f][v];
        }
        for (int v = 0; v < nv[f]; v++) {
            pop[f][v] /= sp;
            pool[f][v] = pop[f][v] * exp(skew * normal(&s));
            sq += pool[f][v];
        }
        for (int v = 0; v < nv[f]; v++) {
            pool[f][v] /= sq;
            int target = (int)lround(k * pop[f][v]);
            int lo = target - 3 < 0 ? 0 : target - 3;
            put(features, "f%d,v%d,%d,%d\n", f + 1, v + 1, lo, target + 3);
        }
    }
    for (int i = 0; i < n; i++) {
        put(people, "p%04d", i + 1);
        for (int f = 0; f < 8; f++) {
            double u = unit(&s), c = 0.0;
            int v = 0;
            while (v < nv[f] - 1 && (c += pool[f][v]) <= u)
                v++;
            put(people, ",v%d", v + 1);
        }
        put(people, "\n");
    }
}

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

struct bench_opts {
    const char *only_alg;
    double time_limit;
    double tolerance;
};

/* Relative gap between the proven bound and what was reached (0 when both are 0). */
static double
gap(double bound, double reached)
{
    double g = bound > 0 ? (bound - reached) / bound : 0.0;
    return fabs(g) < 1e-9 ? 0.0 : g; /* rounding noise, not a gap */
}

/* The machine's one-minute load average (Linux), or -1: times depend on it, so every line
 * shows it as it was when the run began. */
static double
load_average(void)
{
    double l = -1.0;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &l) != 1)
            l = -1.0;
        fclose(f);
    }
    return l;
}

static int
run(const char *name, const struct panels_table *ft, const struct panels_table *pt, int k,
    const struct bench_opts *bo)
{
    struct panels_pool pool;
    struct panels_diag diag = {{0}};
    struct panels_pool_opts po = {.k = k};
    panels_err err = panels_pool_build(ft, pt, &po, &pool, &diag);
    if (err) {
        fprintf(stderr, "%s: %s\n", name, diag.msg);
        return 1;
    }
    int profiles = panels_pool_profiles(&pool);
    for (int alg = 0; alg < 3; alg++) {
        if (bo->only_alg && panels_algorithm_parse(bo->only_alg) != alg)
            continue;
        struct panels_select_opts so = {.algorithm = (enum panels_algorithm)alg,
                                        .time_limit = bo->time_limit,
                                        .tolerance = bo->tolerance};
        struct panels_result res;
        double load = load_average();
        double t0 = now();
        err = panels_select(&pool, &so, &res, &diag);
        double t = now() - t0;
        printf("%-18s %-8s n=%-5d k=%-4d profiles=%-5d time=%8.3f s  ", name,
               panels_algorithm_name(alg), pool.npeople, k, profiles, t);
        if (err == PANELS_E_TIMEOUT) {
            printf("not finished within %g s: bound=%.6f ", bo->time_limit, res.stats.bound);
            if (res.stats.reached > 0)
                printf("reached=%.6f gap=%.2f%%", res.stats.reached,
                       100.0 * gap(res.stats.bound, res.stats.reached));
            else
                printf("reached=none (no distribution yet)");
            printf(" mips=%d lps=%d", res.stats.mip_calls, res.stats.lp_solves);
        } else if (err) {
            printf("failed: %s", diag.msg);
        } else {
            printf("min_prob=%.6f", res.min_prob);
            if (alg != PANELS_LEGACY)
                printf(" bound=%.6f gap=%.3f%%", res.stats.bound,
                       100.0 * gap(res.stats.bound, res.min_prob));
            if (res.stats.higher_unproven)
                printf(" higher levels not proven (share=%.1f%%)", 100.0 * res.stats.share);
            printf("  panels=%-5d stages=%-3d columns=%-5d mips=%-4d lps=%d", res.dist.npanels,
                   res.stats.stages, res.stats.columns, res.stats.mip_calls, res.stats.lp_solves);
            panels_result_free(&res);
        }
        if (load >= 0)
            printf("  load=%.2f", load);
        printf("\n");
        fflush(stdout);
    }
    panels_pool_free(&pool);
    return 0;
}

static int
run_example(const char *dir, const char *name, int k, const struct bench_opts *bo)
{
    char fpath[1024], ppath[1024];
    snprintf(fpath, sizeof(fpath), "%s/%s/categories.csv", dir, name);
    snprintf(ppath, sizeof(ppath), "%s/%s/respondents.csv", dir, name);
    struct panels_table ft, pt;
    struct panels_diag diag = {{0}};
    if (panels_table_load(fpath, &ft, &diag) || panels_table_load(ppath, &pt, &diag)) {
        fprintf(stderr, "%s\n(run from the repository root or pass the data directory)\n",
                diag.msg);
        return 1;
    }
    int rc = run(name, &ft, &pt, k, bo);
    panels_table_free(&ft);
    panels_table_free(&pt);
    return rc;
}

static int
run_synthetic(const char *name, uint64_t seed, double skew, const struct bench_opts *bo)
{
    struct text f = {0}, p = {0};
    synthetic(seed, 2000, 100, skew, &f, &p);
    struct panels_table ft, pt;
    struct panels_diag diag = {{0}};
    int rc = 1;
    if (!panels_table_parse(f.buf, f.len, &ft, &diag)) {
        if (!panels_table_parse(p.buf, p.len, &pt, &diag)) {
            rc = run(name, &ft, &pt, 100, bo);
            panels_table_free(&pt);
        }
        panels_table_free(&ft);
    }
    free(f.buf);
    free(p.buf);
    return rc;
}

static void
usage(void)
{
    printf("usage: bench_panels [--quick] [--hard | --examples] [--only NAME] [--alg A] [--cap S]\n"
           "                    [--synthetic SEED SKEW] [DATA_DIR]\n"
           "Time and minimum probability of every algorithm on the replication examples and on\n"
           "hard synthetic pools (n = 2000, 8 skewed features, k = 100); all of them by default.\n"
           "  --quick           the examples and the first hard pool only\n"
           "  --hard            the hard synthetic pools only\n"
           "  --examples        the replication examples only\n"
           "  --only NAME       one instance (example_small_20, hard_skew1.0_a, ...)\n"
           "  --alg A           one algorithm: leximin, maximin or legacy\n"
           "  --cap S           wall-time cap per run in seconds (default 90; 0: none); a run\n"
           "                    that hits it prints \"not finished within S s\" with the bound\n"
           "  --time-limit S    the same as --cap\n"
           "  --tolerance F     stop a level within this fraction of its bound (default 0.01;\n"
           "                    0: exact)\n"
           "  --synthetic SEED SKEW  one extra pool from the generator\n"
           "  DATA_DIR          where the examples are (default tests/data/sortition)\n"
           "bound: upper bound on the minimum probability (leximin over fractional panels);\n"
           "gap: (bound - min_prob) / bound, 0 when the result is proven optimal.\n"
           "higher levels not proven: leximin's smallest probability is within the tolerance\n"
           "of the bound, but the higher ones stopped rising before reaching theirs; share: the\n"
           "smallest fraction of their target (a fractional leximin) any volunteer has.\n"
           "load: the machine's one-minute load average when the run began.\n");
}

int
main(int argc, char **argv)
{
    const char *dir = "tests/data/sortition", *only = NULL;
    struct bench_opts bo = {.time_limit = 90.0, .tolerance = PANELS_TOLERANCE_DEFAULT};
    int quick = 0, custom = 0, hard = 1, examples = 1;
    uint64_t custom_seed = 0;
    double custom_skew = 1.0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage();
            return 0;
        } else if (strcmp(argv[i], "--quick") == 0)
            quick = 1;
        else if (strcmp(argv[i], "--hard") == 0)
            examples = 0;
        else if (strcmp(argv[i], "--examples") == 0)
            hard = 0;
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            only = argv[++i];
        else if (strcmp(argv[i], "--alg") == 0 && i + 1 < argc)
            bo.only_alg = argv[++i];
        else if ((strcmp(argv[i], "--cap") == 0 || strcmp(argv[i], "--time-limit") == 0) &&
                 i + 1 < argc)
            bo.time_limit = atof(argv[++i]);
        else if (strcmp(argv[i], "--tolerance") == 0 && i + 1 < argc)
            bo.tolerance = atof(argv[++i]);
        else if (strcmp(argv[i], "--synthetic") == 0 && i + 2 < argc) {
            custom = 1;
            custom_seed = strtoull(argv[++i], NULL, 10);
            custom_skew = atof(argv[++i]);
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "bench_panels: unknown option %s\n", argv[i]);
            usage();
            return 2;
        } else
            dir = argv[i];
    }
    if (bo.only_alg && panels_algorithm_parse(bo.only_alg) < 0) {
        fprintf(stderr, "bench_panels: unknown algorithm %s\n", bo.only_alg);
        return 2;
    }
    int rc = 0;
    if (custom) {
        char name[64];
        snprintf(name, sizeof(name), "seed%llu_skew%.2f", (unsigned long long)custom_seed,
                 custom_skew);
        return run_synthetic(name, custom_seed, custom_skew, &bo);
    }
    if (examples && (!only || strcmp(only, "example_small_20") == 0))
        rc |= run_example(dir, "example_small_20", 20, &bo);
    if (examples && (!only || strcmp(only, "example_large_200") == 0))
        rc |= run_example(dir, "example_large_200", 200, &bo);
    static const struct {
        const char *name;
        uint64_t seed;
        double skew;
    } syn[] = {
        {"hard_skew1.0_a", 1, 1.0},  {"hard_skew1.0_b", 11, 1.0}, {"hard_skew0.6_c", 3, 0.6},
        {"hard_skew1.5_d", 30, 1.5}, {"hard_skew1.0_e", 8, 1.0},
    };
    for (size_t i = 0; i < sizeof(syn) / sizeof(syn[0]); i++) {
        if (!hard || (quick && i > 0) || (only && strcmp(only, syn[i].name) != 0))
            continue;
        rc |= run_synthetic(syn[i].name, syn[i].seed, syn[i].skew, &bo);
    }
    return rc;
}
