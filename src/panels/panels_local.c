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
    int *hh_of; /* ntypes: household or -1 */
    int *vc;    /* nvalues: counts of the current panel */
    int *hhc;   /* nhh: members of each household on the panel */
    int *supp;  /* ntypes: scratch list of the panel's types */
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
    if (!l->hh_of || !l->vc || !l->hhc || !l->supp) {
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
