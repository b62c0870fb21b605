/*
 * panels_local.c — cheap moves between feasible panels: swap one person for another.
 *
 * The pricing MIP is exact but costs milliseconds to seconds; most of the panels column
 * generation needs can be found by swapping one member for someone of another profile while
 * every quota and the household rule still hold. Two uses: covering every profile with some
 * panel at the start (so the first master LP already gives everyone a chance), and a
 * steepest-ascent search on the dual weights that finds improving panels; only when it gets
 * stuck does the exact MIP run, and that MIP is what proves a stage optimal.
 */
#include "panels/panels_int.h"

#include <stdlib.h>
#include <string.h>

struct pn_local {
    const struct pn_problem *pb;
    int *hh_of;   /* ntypes: household or -1 */
    int *vc;      /* nvalues: counts of the current panel */
    int *hhc;     /* nhh: members of each household on the panel */
    int *supp;    /* ntypes: scratch list of the panel's types */
    int *saved;   /* ntypes: panel before a failed repair */
    int *gd, *gi; /* nvalues: violation change when a count goes down / up */
};

struct pn_local *
pn_local_new(const struct pn_problem *pb)
{
    struct pn_local *l = calloc(1, sizeof(*l));
    if (!l)
        return NULL;
    l->pb = pb;
    l->hh_of = malloc((size_t)pb->ntypes * sizeof(int));
    l->vc = malloc((size_t)pb->nvalues * sizeof(int));
    l->hhc = malloc((size_t)(pb->nhh + 1) * sizeof(int));
    l->supp = malloc((size_t)pb->ntypes * sizeof(int));
    l->saved = malloc((size_t)pb->ntypes * sizeof(int));
    l->gd = malloc((size_t)pb->nvalues * sizeof(int));
    l->gi = malloc((size_t)pb->nvalues * sizeof(int));
    if (!l->hh_of || !l->vc || !l->hhc || !l->supp || !l->saved || !l->gd || !l->gi) {
        pn_local_free(l);
        return NULL;
    }
    for (int t = 0; t < pb->ntypes; t++)
        l->hh_of[t] = -1;
    for (int h = 0; h < pb->nhh; h++)
        for (int j = pb->hhfirst[h]; j < pb->hhfirst[h + 1]; j++)
            l->hh_of[pb->hhtypes[j]] = h;
    return l;
}

void
pn_local_free(struct pn_local *l)
{
    if (!l)
        return;
    free(l->hh_of);
    free(l->vc);
    free(l->hhc);
    free(l->supp);
    free(l->saved);
    free(l->gd);
    free(l->gi);
    free(l);
}

static void
load(struct pn_local *l, const int *x)
{
    const struct pn_problem *pb = l->pb;
    int nf = pb->nfeatures;
    memset(l->vc, 0, (size_t)pb->nvalues * sizeof(int));
    memset(l->hhc, 0, (size_t)(pb->nhh + 1) * sizeof(int));
    for (int t = 0; t < pb->ntypes; t++)
        if (x[t]) {
            for (int f = 0; f < nf; f++)
                l->vc[pb->tval[(long)t * nf + f]] += x[t];
            if (l->hh_of[t] >= 0)
                l->hhc[l->hh_of[t]] += x[t];
        }
}

/* Can one member of type a make way for one of type b (a != b)? */
static int
swap_ok(const struct pn_local *l, const int *x, int a, int b)
{
    const struct pn_problem *pb = l->pb;
    int nf = pb->nfeatures;
    if (x[b] >= pb->cnt[b] || x[a] <= 0)
        return 0;
    int hb = l->hh_of[b];
    if (hb >= 0 && l->hhc[hb] - (l->hh_of[a] == hb) >= 1)
        return 0;
    const int *va = pb->tval + (long)a * nf, *vb = pb->tval + (long)b * nf;
    for (int f = 0; f < nf; f++) {
        if (va[f] == vb[f])
            continue;
        if (l->vc[va[f]] - 1 < pb->lo[va[f]] || l->vc[vb[f]] + 1 > pb->hi[vb[f]])
            return 0;
    }
    return 1;
}

static void
apply(struct pn_local *l, int *x, int a, int b)
{
    const struct pn_problem *pb = l->pb;
    int nf = pb->nfeatures;
    x[a]--;
    x[b]++;
    for (int f = 0; f < nf; f++) {
        l->vc[pb->tval[(long)a * nf + f]]--;
        l->vc[pb->tval[(long)b * nf + f]]++;
    }
    if (l->hh_of[a] >= 0)
        l->hhc[l->hh_of[a]]--;
    if (l->hh_of[b] >= 0)
        l->hhc[l->hh_of[b]]++;
}

int
pn_local_insert(struct pn_local *l, int *x, int b, struct pn_rng *rng)
{
    const struct pn_problem *pb = l->pb;
    load(l, x);
    /* start at a random member so repeated calls spread over the panel */
    int nt = pb->ntypes, start = pn_rng_below(rng, nt);
    for (int i = 0; i < nt; i++) {
        int a = (start + i) % nt;
        if (a != b && x[a] && swap_ok(l, x, a, b)) {
            apply(l, x, a, b);
            return 1;
        }
    }
    return 0;
}

/* Quota violation of the loaded counts. */
static int
violation(const struct pn_local *l)
{
    const struct pn_problem *pb = l->pb;
    int v = 0;
    for (int i = 0; i < pb->nvalues; i++)
        v += l->vc[i] < pb->lo[i]   ? pb->lo[i] - l->vc[i]
             : l->vc[i] > pb->hi[i] ? l->vc[i] - pb->hi[i]
                                    : 0;
    return v;
}

/* Change of the violation when the count of value v goes down (dec) or up (inc) by one. */
static int
dec_gain(const struct pn_local *l, int v)
{
    return l->vc[v] > l->pb->hi[v] ? -1 : l->vc[v] <= l->pb->lo[v] ? 1 : 0;
}

static int
inc_gain(const struct pn_local *l, int v)
{
    return l->vc[v] < l->pb->lo[v] ? -1 : l->vc[v] >= l->pb->hi[v] ? 1 : 0;
}

/* Households are kept by never adding a member whose household is already on the panel. */
static int
hh_free(const struct pn_local *l, int a, int b)
{
    int hb = l->hh_of[b];
    return hb < 0 || l->hhc[hb] - (l->hh_of[a] == hb) < 1;
}

int
pn_local_insert_repair(struct pn_local *l, int *x, int b, const int *keep, struct pn_rng *rng)
{
    const struct pn_problem *pb = l->pb;
    int nt = pb->ntypes, nf = pb->nfeatures;
    int *saved = l->saved;
    if (x[b] >= pb->cnt[b])
        return 0;
    memcpy(saved, x, (size_t)nt * sizeof(int));
    load(l, x);
    /* make room: the member whose removal leaves the smallest violation */
    int best = -1, bestd = 1 << 30, ties = 0;
    for (int a = 0; a < nt; a++) {
        if (!x[a] || a == b || x[a] <= keep[a] || !hh_free(l, a, b))
            continue;
        int d = 0;
        const int *va = pb->tval + (long)a * nf, *vb = pb->tval + (long)b * nf;
        for (int f = 0; f < nf; f++)
            if (va[f] != vb[f])
                d += dec_gain(l, va[f]) + inc_gain(l, vb[f]);
        if (d < bestd || (d == bestd && pn_rng_below(rng, ++ties + 1) == 0)) {
            if (d < bestd)
                ties = 0;
            bestd = d;
            best = a;
        }
    }
    if (best < 0)
        return 0;
    apply(l, x, best, b);
    int viol = violation(l), nsupp = 0;
    int *gd = l->gd, *gi = l->gi;
    for (int step = 0; viol > 0 && step < 10; step++) {
        /* First improving swap, scanning from a random place: violations are usually one
         * or two places, and many swaps fix them. */
        for (int v = 0; v < pb->nvalues; v++) {
            gd[v] = dec_gain(l, v);
            gi[v] = inc_gain(l, v);
        }
        nsupp = 0;
        for (int t = 0; t < nt; t++)
            if (x[t] > keep[t] + (t == b))
                l->supp[nsupp++] = t;
        if (!nsupp)
            break;
        int bc = -1, bd = -1, bdelta = 0;
        int i0 = pn_rng_below(rng, nsupp), d0 = pn_rng_below(rng, nt);
        for (int ii = 0; ii < nsupp && bc < 0; ii++) {
            int c = l->supp[(i0 + ii) % nsupp];
            const int *vc = pb->tval + (long)c * nf;
            for (int dd = 0; dd < nt; dd++) {
                int d = d0 + dd < nt ? d0 + dd : d0 + dd - nt;
                if (d == c || x[d] >= pb->cnt[d])
                    continue;
                const int *vd = pb->tval + (long)d * nf;
                int delta = 0;
                for (int f = 0; f < nf; f++)
                    if (vc[f] != vd[f])
                        delta += gd[vc[f]] + gi[vd[f]];
                if (delta < 0 && hh_free(l, c, d)) {
                    bdelta = delta;
                    bc = c;
                    bd = d;
                    break;
                }
            }
        }
        if (bc < 0)
            break;
        apply(l, x, bc, bd);
        viol += bdelta;
    }
    if (viol > 0 || violation(l) > 0) {
        memcpy(x, saved, (size_t)nt * sizeof(int));
        return 0;
    }
    return 1;
}

int
pn_local_random_walk(struct pn_local *l, int *x, int steps, struct pn_rng *rng)
{
    const struct pn_problem *pb = l->pb;
    int nt = pb->ntypes, done = 0;
    load(l, x);
    for (int s = 0; s < steps * 20 && done < steps; s++) {
        int a = pn_rng_below(rng, nt), b = pn_rng_below(rng, nt);
        if (a != b && x[a] && swap_ok(l, x, a, b)) {
            apply(l, x, a, b);
            done++;
        }
    }
    return done;
}

double
pn_local_ascent(struct pn_local *l, int *x, const double *w, const int *pos, int npos)
{
    const struct pn_problem *pb = l->pb;
    int nt = pb->ntypes;
    int *supp = l->supp, ns = 0;
    load(l, x);
    for (int iter = 0; iter < 4 * pb->k + 16; iter++) {
        int ba = -1, bb = -1;
        ns = 0;
        for (int t = 0; t < nt; t++)
            if (x[t])
                supp[ns++] = t;
        double bd = 1e-12;
        /* pos lists the types of positive weight by decreasing weight: only they can gain */
        for (int i = 0; i < npos; i++) {
            int b = pos[i];
            if (x[b] >= pb->cnt[b])
                continue;
            if (w[b] <= bd)
                break;
            for (int j = 0; j < ns; j++) {
                int a = supp[j];
                if (a == b || w[b] - w[a] <= bd)
                    continue;
                if (swap_ok(l, x, a, b)) {
                    bd = w[b] - w[a];
                    ba = a;
                    bb = b;
                }
            }
        }
        if (ba < 0)
            break;
        apply(l, x, ba, bb);
    }
    double v = 0.0;
    for (int t = 0; t < nt; t++)
        v += w[t] * x[t];
    return v;
}
