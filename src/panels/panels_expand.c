/*
 * panels_expand.c — from panels of profile counts to panels of people.
 *
 * The solver says "3 of the 40 people with profile t"; the published distribution must name
 * them, and everyone of profile t must get exactly the same probability. Lay the panels on
 * [0,1), panel p taking an interval of length lambda_p. For a type t with c members, take all
 * panels that give it x seats (0 < x < c) and join their intervals into one segment of length
 * D. At a point s of that segment, with u = s / D, the chosen members are
 *     floor((j + u) * c / x)  for j = 0 .. x-1,
 * which are x distinct members, and as u runs over [0,1) every member is chosen for exactly
 * x/c of the segment (McNaughton's wrap-around rule). The choice changes only at u = i*g/c,
 * g = gcd(x, c). Cutting [0,1) at all these points, for all types, gives panels of people
 * whose marginals are exactly the type-level probabilities. Types of one person need no cuts,
 * so pools with many distinct profiles stay small.
 */
#include "panels/panels_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void
pn_dist_free(struct panels_dist *d)
{
    free(d->prob);
    free(d->members);
    d->prob = NULL;
    d->members = NULL;
    d->npanels = 0;
}

static int
gcd(int a, int b)
{
    while (b) {
        int r = a % b;
        a = b;
        b = r;
    }
    return a;
}

static int
dcmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int
icmp(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Slot of (type t, seat count x) in the per-type arrays; types with c members use c+1. */
#define SLOT(t, x) (base[t] + (x))

panels_err
pn_expand(const struct pn_problem *pb, const struct pn_tdist *td, struct panels_dist *out)
{
    int nt = pb->ntypes, m = td->cols.n, k = pb->k;
    const int *X = td->cols.x;
    panels_err err = PANELS_E_NOMEM;
    memset(out, 0, sizeof(*out));
    out->k = k;
    long *base = malloc((size_t)(nt + 1) * sizeof(long));
    double *start = malloc((size_t)(m + 1) * sizeof(double));
    double *seglen = NULL, *segpos = NULL, *cuts = NULL;
    long ncuts = 0, capcuts = 0;
    if (!base || !start)
        goto out;
    base[0] = 0;
    for (int t = 0; t < nt; t++)
        base[t + 1] = base[t] + pb->cnt[t] + 1;
    seglen = calloc((size_t)base[nt], sizeof(double));
    segpos = calloc((size_t)base[nt], sizeof(double));
    if (!seglen || !segpos)
        goto out;
    start[0] = 0.0;
    for (int p = 0; p < m; p++)
        start[p + 1] = start[p] + td->lambda[p];
    for (int p = 0; p < m; p++)
        for (int t = 0; t < nt; t++)
            seglen[SLOT(t, X[(long)p * nt + t])] += td->lambda[p];
    /* Cut points: panel starts, and for each type and seat count the rotation steps. */
    for (int pass = 0; pass < 2; pass++) {
        ncuts = 0;
        for (int p = 0; p < m; p++) {
            if (pass)
                cuts[ncuts] = start[p];
            ncuts++;
        }
        for (int t = 0; t < nt; t++)
            for (long s = base[t]; s < base[t + 1]; s++)
                segpos[s] = 0.0;
        for (int p = 0; p < m; p++)
            for (int t = 0; t < nt; t++) {
                int c = pb->cnt[t], x = X[(long)p * nt + t];
                if (x == 0 || x == c)
                    continue;
                double D = seglen[SLOT(t, x)], lo = segpos[SLOT(t, x)], hi = lo + td->lambda[p];
                double step = D * gcd(x, c) / c;
                /* rotation steps i*step falling strictly inside this panel's piece */
                long i0 = (long)floor(lo / step) + 1, i1 = (long)ceil(hi / step) - 1;
                for (long i = i0; i <= i1; i++) {
                    if (pass)
                        cuts[ncuts] = start[p] + (i * step - lo);
                    ncuts++;
                }
                segpos[SLOT(t, x)] = hi;
            }
        if (!pass) {
            capcuts = ncuts + 1;
            cuts = malloc((size_t)capcuts * sizeof(double));
            if (!cuts)
                goto out;
        }
    }
    qsort(cuts, (size_t)ncuts, sizeof(double), dcmp);
    /* Merge cut points closer than 1e-12: such slivers are rounding noise. */
    long nc = 0;
    for (long i = 0; i < ncuts; i++)
        if (nc == 0 || cuts[i] - cuts[nc - 1] > 1e-12)
            cuts[nc++] = cuts[i];
    cuts[nc] = 1.0;
    out->prob = malloc((size_t)nc * sizeof(double));
    out->members = malloc((size_t)nc * (size_t)k * sizeof(int));
    if (!out->prob || !out->members)
        goto out;
    for (int t = 0; t < nt; t++)
        for (long s = base[t]; s < base[t + 1]; s++)
            segpos[s] = 0.0;
    int p = 0;
    for (long i = 0; i < nc; i++) {
        double a = cuts[i], b = i + 1 < nc ? cuts[i + 1] : start[m];
        if (b > start[m])
            b = start[m];
        double mid = 0.5 * (a + b);
        while (p + 1 < m && start[p + 1] <= mid) {
            for (int t = 0; t < nt; t++)
                segpos[SLOT(t, X[(long)p * nt + t])] += td->lambda[p];
            p++;
        }
        int *mem = out->members + (long)out->npanels * k, n = 0;
        for (int t = 0; t < nt && n <= k; t++) {
            int c = pb->cnt[t], x = X[(long)p * nt + t];
            const int *people = pb->tpeople + pb->tfirst[t];
            if (x == c) {
                for (int j = 0; j < c && n < k; j++)
                    mem[n++] = people[j];
                continue;
            }
            if (x == 0)
                continue;
            double D = seglen[SLOT(t, x)];
            double u = (segpos[SLOT(t, x)] + (mid - start[p])) / D;
            u -= floor(u);
            for (int j = 0; j < x && n < k; j++) {
                int idx = (int)floor((j + u) * c / x);
                if (idx >= c)
                    idx = c - 1;
                mem[n++] = people[idx];
            }
        }
        if (n != k) {
            err = PANELS_E_INTERNAL;
            goto out;
        }
        qsort(mem, (size_t)k, sizeof(int), icmp);
        out->prob[out->npanels++] = b - a;
    }
    /* Normalise away the rounding of the cut positions. */
    {
        double s = 0.0;
        for (int i = 0; i < out->npanels; i++)
            s += out->prob[i];
        for (int i = 0; i < out->npanels; i++)
            out->prob[i] /= s;
    }
    err = PANELS_OK;
out:
    if (err)
        pn_dist_free(out);
    free(base);
    free(start);
    free(seglen);
    free(segpos);
    free(cuts);
    return err;
}
