/*
 * panels_select.c — the engine's entry point, its independent check and the public draw.
 *
 * panels_select() aggregates the pool into profile types, runs the chosen algorithm, turns
 * type-level panels into panels of people and refuses to hand back anything that
 * panels_check() rejects. panels_check() deliberately reads only the pool and the
 * person-level distribution, so a bug in the solver or in the aggregation cannot hide a
 * broken quota. The draw maps SHA-256 of the seed onto the cumulative probabilities, so it
 * can be redone by hand from the published files.
 */
#include "panels/panels_int.h"

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define DIAG(...)                                                                                  \
    do {                                                                                           \
        if (diag)                                                                                  \
            snprintf(diag->msg, sizeof(diag->msg), __VA_ARGS__);                                   \
    } while (0)

static const char *const alg_names[] = {"leximin", "maximin", "legacy"};

int
panels_algorithm_parse(const char *name)
{
    for (int i = 0; i < 3; i++)
        if (strcasecmp(name, alg_names[i]) == 0)
            return i;
    return -1;
}

const char *
panels_algorithm_name(enum panels_algorithm alg)
{
    return (unsigned)alg < 3 ? alg_names[alg] : "?";
}

void
pn_progress(const struct panels_select_opts *opts, const char *phase, double frac)
{
    if (opts && opts->progress)
        opts->progress(opts->progress_arg, phase, frac);
}

void
panels_result_free(struct panels_result *res)
{
    if (!res)
        return;
    pn_dist_free(&res->dist);
    free(res->person_prob);
    res->person_prob = NULL;
}

void
panels_marginals(const struct panels_pool *pool, const struct panels_dist *dist, double *out)
{
    for (int i = 0; i < pool->npeople; i++)
        out[i] = 0.0;
    for (int p = 0; p < dist->npanels; p++)
        for (int j = 0; j < dist->k; j++)
            out[dist->members[(long)p * dist->k + j]] += dist->prob[p];
}

panels_err
panels_check(const struct panels_pool *pool, const struct panels_dist *dist,
             struct panels_diag *diag)
{
    int k = pool->k, nf = pool->nfeatures;
    if (dist->k != k || dist->npanels < 1) {
        DIAG("Controle: lege verdeling. / Check: empty distribution.");
        return PANELS_E_INTERNAL;
    }
    int *count = malloc((size_t)pool->nvalues * sizeof(int));
    int *seen = malloc((size_t)pool->npeople * sizeof(int));
    int *hh = malloc((size_t)(pool->nhouseholds + 1) * sizeof(int));
    panels_err err = PANELS_OK;
    if (!count || !seen || !hh) {
        err = PANELS_E_NOMEM;
        goto out;
    }
    for (int i = 0; i < pool->npeople; i++)
        seen[i] = -1;
    for (int h = 0; h < pool->nhouseholds; h++)
        hh[h] = -1;
    double sum = 0.0;
    for (int p = 0; p < dist->npanels && !err; p++) {
        double pr = dist->prob[p];
        if (!(pr >= 0.0) || pr > 1.0 + 1e-9) {
            DIAG("Controle: panel %d heeft kans %g. / Check: panel %d has probability %g.", p + 1,
                 pr, p + 1, pr);
            err = PANELS_E_INTERNAL;
            break;
        }
        sum += pr;
        memset(count, 0, (size_t)pool->nvalues * sizeof(int));
        for (int j = 0; j < k; j++) {
            int i = dist->members[(long)p * k + j];
            if (i < 0 || i >= pool->npeople || seen[i] == p) {
                DIAG("Controle: panel %d noemt iemand dubbel of onbekend. / Check: panel %d "
                     "lists someone twice or unknown.",
                     p + 1, p + 1);
                err = PANELS_E_INTERNAL;
                break;
            }
            seen[i] = p;
            int h = pool->household[i];
            if (h >= 0) {
                if (hh[h] == p) {
                    DIAG("Controle: panel %d heeft twee mensen uit één huishouden. / Check: "
                         "panel %d has two people from one household.",
                         p + 1, p + 1);
                    err = PANELS_E_INTERNAL;
                    break;
                }
                hh[h] = p;
            }
            for (int f = 0; f < nf; f++)
                count[pool->value_of[(long)i * nf + f]]++;
        }
        for (int v = 0; v < pool->nvalues && !err; v++)
            if (count[v] < pool->values[v].min || count[v] > pool->values[v].max) {
                const struct panels_value *val = &pool->values[v];
                DIAG("Controle: panel %d heeft %d mensen met %s = %s, quotum %d-%d. / Check: "
                     "panel %d has %d people with %s = %s, quota %d-%d.",
                     p + 1, count[v], val->feature_name, val->name, val->min, val->max, p + 1,
                     count[v], val->feature_name, val->name, val->min, val->max);
                err = PANELS_E_INTERNAL;
            }
    }
    if (!err && fabs(sum - 1.0) > 1e-6) {
        DIAG("Controle: de kansen tellen op tot %.9f in plaats van 1. / Check: the probabilities "
             "add up to %.9f instead of 1.",
             sum, sum);
        err = PANELS_E_INTERNAL;
    }
out:
    free(count);
    free(seen);
    free(hh);
    return err;
}

double
panels_seed_uniform(const char *seed)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    if (sodium_init() < 0)
        abort();
    crypto_hash_sha256(h, (const unsigned char *)seed, strlen(seed));
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | h[i];
    return (double)(v >> 11) * 0x1.0p-53;
}

int
panels_draw_index(const char *seed, const double *prob, int n)
{
    double total = 0.0;
    for (int i = 0; i < n; i++)
        total += prob[i];
    double target = panels_seed_uniform(seed) * total, run = 0.0;
    int last = 0;
    for (int i = 0; i < n; i++) {
        if (prob[i] <= 0.0)
            continue;
        last = i;
        run += prob[i];
        if (run > target)
            return i;
    }
    return last;
}

static double
now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

panels_err
panels_select(const struct panels_pool *pool, const struct panels_select_opts *opts,
              struct panels_result *res, struct panels_diag *diag)
{
    double t0 = now_seconds();
    struct pn_problem pb;
    memset(res, 0, sizeof(*res));
    panels_err err = pn_problem_build(pool, &pb);
    if (err)
        return err;
    res->stats.types = pb.ntypes;
    if (opts->algorithm == PANELS_LEGACY) {
        err = pn_legacy(pool, opts->legacy_runs > 0 ? opts->legacy_runs : 1000, &res->dist, diag);
    } else {
        struct pn_tdist td;
        err = pn_leximin(&pb, opts->algorithm == PANELS_MAXIMIN, opts, &td, &res->stats, diag);
        if (!err) {
            err = pn_expand(&pb, &td, &res->dist);
            if (err == PANELS_E_INTERNAL)
                DIAG("Interne fout bij het uitschrijven van panels. / Internal error while "
                     "expanding panels.");
            pn_tdist_free(&td);
        }
    }
    pn_problem_free(&pb);
    if (!err)
        err = panels_check(pool, &res->dist, diag);
    if (!err) {
        res->person_prob = malloc((size_t)pool->npeople * sizeof(double));
        if (!res->person_prob)
            err = PANELS_E_NOMEM;
    }
    if (!err) {
        panels_marginals(pool, &res->dist, res->person_prob);
        res->min_prob = 1.0;
        for (int i = 0; i < pool->npeople; i++)
            if (res->person_prob[i] < res->min_prob)
                res->min_prob = res->person_prob[i];
    }
    if (err)
        panels_result_free(res);
    res->stats.seconds = now_seconds() - t0;
    return err;
}
