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
pn_dist_free(struct panels_dist *d)
{
    free(d->prob);
    free(d->seats);
    free(d->profile_of);
    free(d->profile_size);
    memset(d, 0, sizeof(*d));
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

/* Profile of person i under dist, and its size: a person of their own without profiles. */
static int
profile(const struct panels_dist *d, int i)
{
    return d->profile_of ? d->profile_of[i] : i;
}

static int
profile_size(const struct panels_dist *d, int t)
{
    return d->profile_of ? d->profile_size[t] : 1;
}

void
panels_marginals(const struct panels_pool *pool, const struct panels_dist *dist, double *out)
{
    int np = dist->profile_of ? dist->nprofiles : pool->npeople;
    double *seat = calloc((size_t)np + 1, sizeof(double));
    for (int i = 0; i < pool->npeople; i++)
        out[i] = 0.0;
    if (!seat)
        return;
    for (int p = 0; p < dist->npanels; p++)
        for (int j = 0; j < dist->k; j++)
            seat[dist->seats[(long)p * dist->k + j]] += dist->prob[p];
    for (int i = 0; i < pool->npeople; i++) {
        int t = profile(dist, i);
        out[i] = seat[t] / profile_size(dist, t);
    }
    free(seat);
}

/* The profiles partition the pool into groups with equal values. */
static panels_err
check_profiles(const struct panels_pool *pool, const struct panels_dist *dist, int *first,
               struct panels_diag *diag)
{
    int nf = pool->nfeatures, np = dist->nprofiles;
    if (np < 1 || np > pool->npeople || !dist->profile_size) {
        DIAG("Controle: ongeldige profielen. / Check: invalid profiles.");
        return PANELS_E_INTERNAL;
    }
    int *cnt = calloc((size_t)np, sizeof(int));
    if (!cnt)
        return PANELS_E_NOMEM;
    for (int t = 0; t < np; t++)
        first[t] = -1;
    panels_err err = PANELS_OK;
    for (int i = 0; i < pool->npeople && !err; i++) {
        int t = dist->profile_of[i];
        if (t < 0 || t >= np) {
            DIAG("Controle: persoon %s zonder profiel. / Check: person %s has no profile.",
                 pool->ids[i], pool->ids[i]);
            err = PANELS_E_INTERNAL;
            break;
        }
        cnt[t]++;
        if (first[t] < 0)
            first[t] = i;
        else if (memcmp(pool->value_of + (long)i * nf, pool->value_of + (long)first[t] * nf,
                        (size_t)nf * sizeof(int)) != 0) {
            DIAG("Controle: profiel %d mengt verschillende kenmerken. / Check: profile %d mixes "
                 "different values.",
                 t + 1, t + 1);
            err = PANELS_E_INTERNAL;
        }
    }
    for (int t = 0; t < np && !err; t++)
        if (cnt[t] != dist->profile_size[t] || cnt[t] == 0) {
            DIAG("Controle: profiel %d heeft %d leden, niet %d. / Check: profile %d has %d "
                 "members, not %d.",
                 t + 1, cnt[t], dist->profile_size[t], t + 1, cnt[t], dist->profile_size[t]);
            err = PANELS_E_INTERNAL;
        }
    free(cnt);
    return err;
}

/* One panel: seats, quotas, households. x (nprofiles, zero on entry) is left zeroed. */
static panels_err
check_panel(const struct panels_pool *pool, const struct panels_dist *dist, int p, const int *first,
            const int *hh_first, const int *hh_people, int *x, int *count, struct panels_diag *diag)
{
    int k = pool->k, nf = pool->nfeatures, np = dist->profile_of ? dist->nprofiles : pool->npeople;
    const int *seats = dist->seats + (long)p * k;
    panels_err err = PANELS_OK;
    memset(count, 0, (size_t)pool->nvalues * sizeof(int));
    for (int j = 0; j < k && !err; j++) {
        int t = seats[j];
        if (t < 0 || t >= np || (j > 0 && t < seats[j - 1]) || ++x[t] > profile_size(dist, t)) {
            DIAG("Controle: panel %d heeft een ongeldige plaats. / Check: panel %d has an "
                 "invalid seat.",
                 p + 1, p + 1);
            err = PANELS_E_INTERNAL;
            break;
        }
        int who = dist->profile_of ? first[t] : t;
        for (int f = 0; f < nf; f++)
            count[pool->value_of[(long)who * nf + f]]++;
    }
    for (int v = 0; v < pool->nvalues && !err; v++)
        if (count[v] < pool->values[v].min || count[v] > pool->values[v].max) {
            const struct panels_value *val = &pool->values[v];
            DIAG("Controle: panel %d heeft %d mensen met %s = %s, quotum %d-%d. / Check: "
                 "panel %d has %d people with %s = %s, quota %d-%d.",
                 p + 1, count[v], val->feature_name, val->name, val->min, val->max, p + 1, count[v],
                 val->feature_name, val->name, val->min, val->max);
            err = PANELS_E_INTERNAL;
        }
    /* The most members of household h any draw can take: per profile, the smaller of its
     * seats and its members in h. */
    for (int h = 0; h < pool->nhouseholds && !err; h++) {
        int most = 0;
        for (int a = hh_first[h]; a < hh_first[h + 1]; a++) {
            int t = profile(dist, hh_people[a]), in_h = 0, seen = 0;
            for (int b = hh_first[h]; b < hh_first[h + 1]; b++) {
                if (profile(dist, hh_people[b]) != t)
                    continue;
                seen |= b < a;
                in_h++;
            }
            if (!seen)
                most += x[t] < in_h ? x[t] : in_h;
        }
        if (most > 1) {
            DIAG("Controle: panel %d kan twee mensen uit één huishouden hebben. / Check: "
                 "panel %d can have two people from one household.",
                 p + 1, p + 1);
            err = PANELS_E_INTERNAL;
        }
    }
    for (int j = 0; j < k; j++) {
        int t = seats[j];
        if (t >= 0 && t < np)
            x[t] = 0;
    }
    return err;
}

panels_err
panels_check(const struct panels_pool *pool, const struct panels_dist *dist,
             struct panels_diag *diag)
{
    int n = pool->npeople, nh = pool->nhouseholds;
    if (dist->k != pool->k || dist->npanels < 1) {
        DIAG("Controle: lege verdeling. / Check: empty distribution.");
        return PANELS_E_INTERNAL;
    }
    int *first = malloc((size_t)n * sizeof(int)), *x = calloc((size_t)n, sizeof(int));
    int *count = malloc((size_t)pool->nvalues * sizeof(int) + 1);
    int *hh_first = calloc((size_t)nh + 1, sizeof(int)),
        *hh_people = malloc((size_t)n * sizeof(int));
    panels_err err = PANELS_OK;
    if (!first || !x || !count || !hh_first || !hh_people) {
        err = PANELS_E_NOMEM;
        goto out;
    }
    if (dist->profile_of)
        err = check_profiles(pool, dist, first, diag);
    for (int i = 0; i < n; i++)
        if (pool->household[i] >= 0)
            hh_first[pool->household[i] + 1]++;
    for (int h = 0; h < nh; h++)
        hh_first[h + 1] += hh_first[h];
    for (int i = 0; i < n; i++) /* x serves as the fill count per household */
        if (pool->household[i] >= 0)
            hh_people[hh_first[pool->household[i]] + x[pool->household[i]]++] = i;
    memset(x, 0, (size_t)n * sizeof(int));
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
        err = check_panel(pool, dist, p, first, hh_first, hh_people, x, count, diag);
    }
    if (!err && fabs(sum - 1.0) > 1e-6) {
        DIAG("Controle: de kansen tellen op tot %.9f in plaats van 1. / Check: the probabilities "
             "add up to %.9f instead of 1.",
             sum, sum);
        err = PANELS_E_INTERNAL;
    }
out:
    free(first);
    free(x);
    free(count);
    free(hh_first);
    free(hh_people);
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

/* The byte stream of profile T: SHA-256(seed ":" T ":" 0), SHA-256(seed ":" T ":" 1), ... */
struct stream {
    const char *seed;
    int profile; /* 1-based, as published */
    long block;
    int used; /* 64-bit numbers taken from the current block, 4 when empty */
    unsigned char h[crypto_hash_sha256_BYTES];
};

static uint64_t
stream_next(struct stream *st)
{
    if (st->used == 4) {
        crypto_hash_sha256_state c;
        char tail[48];
        int len = snprintf(tail, sizeof(tail), ":%d:%ld", st->profile, st->block++);
        crypto_hash_sha256_init(&c);
        crypto_hash_sha256_update(&c, (const unsigned char *)st->seed, strlen(st->seed));
        crypto_hash_sha256_update(&c, (const unsigned char *)tail, (unsigned long long)len);
        crypto_hash_sha256_final(&c, st->h);
        st->used = 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | st->h[8 * st->used + i];
    st->used++;
    return v;
}

/* Uniform in [0, n) without bias: numbers below 2^64 mod n are skipped. */
static int
stream_below(struct stream *st, int n)
{
    uint64_t skip = (0 - (uint64_t)n) % (uint64_t)n, v;
    while ((v = stream_next(st)) < skip)
        ;
    return (int)(v % (uint64_t)n);
}

static int
icmp(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int
panels_draw(const char *seed, const struct panels_dist *dist, const double *prob, int npeople,
            int *selected)
{
    int k = dist->k, p = panels_draw_index(seed, prob, dist->npanels);
    const int *seats = dist->seats + (long)p * k;
    if (!dist->profile_of) {
        memcpy(selected, seats, (size_t)k * sizeof(int));
        return p;
    }
    int *members = malloc((size_t)npeople * sizeof(int));
    if (!members)
        return -1;
    if (sodium_init() < 0)
        abort();
    int n = 0;
    for (int j = 0; j < k;) {
        int t = seats[j], x = 0, m = 0;
        while (j < k && seats[j] == t) {
            j++;
            x++;
        }
        for (int i = 0; i < npeople; i++)
            if (dist->profile_of[i] == t)
                members[m++] = i;
        struct stream st = {.seed = seed, .profile = t + 1, .used = 4};
        for (int a = 0; a < x && a < m; a++) {
            int r = a + stream_below(&st, m - a), tmp = members[a];
            members[a] = members[r];
            members[r] = tmp;
            selected[n++] = members[a];
        }
    }
    free(members);
    qsort(selected, (size_t)n, sizeof(int), icmp);
    return p;
}

static double
now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Seats of a type-level distribution, with the profiles of pb. */
static panels_err
dist_from_types(const struct pn_problem *pb, const struct pn_tdist *td, struct panels_dist *out)
{
    int nt = pb->ntypes, k = pb->k, m = td->cols.n;
    memset(out, 0, sizeof(*out));
    out->k = k;
    out->nprofiles = nt;
    out->prob = malloc((size_t)m * sizeof(double) + 1);
    out->seats = malloc((size_t)m * (size_t)k * sizeof(int) + 1);
    out->profile_of = malloc((size_t)pb->npeople * sizeof(int));
    out->profile_size = malloc((size_t)nt * sizeof(int));
    if (!out->prob || !out->seats || !out->profile_of || !out->profile_size) {
        pn_dist_free(out);
        return PANELS_E_NOMEM;
    }
    memcpy(out->profile_of, pb->type_of, (size_t)pb->npeople * sizeof(int));
    memcpy(out->profile_size, pb->cnt, (size_t)nt * sizeof(int));
    double sum = 0.0;
    for (int p = 0; p < m; p++)
        sum += td->lambda[p] >= 1e-12 ? td->lambda[p] : 0.0;
    for (int p = 0; p < m; p++) {
        const int *x = td->cols.x + (long)p * nt;
        if (td->lambda[p] < 1e-12)
            continue; /* rounding noise of the walk or the LP */
        int *seat = out->seats + (long)out->npanels * k, n = 0;
        for (int t = 0; t < nt; t++)
            for (int c = 0; c < x[t] && n < k; c++)
                seat[n++] = t;
        if (n != k) {
            pn_dist_free(out);
            return PANELS_E_INTERNAL;
        }
        out->prob[out->npanels++] = td->lambda[p] / sum;
    }
    return PANELS_OK;
}

panels_err
panels_select(const struct panels_pool *pool, const struct panels_select_opts *opts,
              struct panels_result *res, struct panels_diag *diag)
{
    double t0 = now_seconds();
    struct pn_problem pb;
    struct pn_tdist td;
    memset(&td, 0, sizeof(td));
    memset(res, 0, sizeof(*res));
    panels_err err = pn_problem_build(pool, &pb);
    if (err)
        return err;
    res->stats.types = pb.ntypes;
    if (opts->algorithm == PANELS_LEGACY)
        err = pn_legacy(pool, &pb, opts->legacy_runs > 0 ? opts->legacy_runs : 1000, &td, diag);
    else
        err = pn_leximin(&pb, opts->algorithm == PANELS_MAXIMIN, opts, &td, &res->stats, diag);
    if (!err) {
        err = dist_from_types(&pb, &td, &res->dist);
        if (err == PANELS_E_INTERNAL)
            DIAG("Interne fout: een panel heeft niet k plaatsen. / Internal error: a panel does "
                 "not have k seats.");
    }
    pn_tdist_free(&td);
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
