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

#include <math.h>
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
    int *vfirst;  /* nvalues + 1: types with value v are vtypes[vfirst[v] .. vfirst[v+1]) */
    int *vtypes;
    int *order;       /* ntypes: scratch for rounding */
    double *key;      /* ntypes: scratch for rounding */
    int *vfeat;       /* nvalues: the feature of each value (-1: no type has it) */
    char *frozen;     /* nfeatures: no member may swap its value for another (pn_local_ascent) */
    int *fdown, *fup; /* nfeatures: scratch for mark_frozen */
    uint64_t *sig;    /* ntypes: scratch, members' values on the frozen features, hashed */
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
    int nf = pb->nfeatures, nt = pb->ntypes;
    l->vfirst = calloc((size_t)pb->nvalues + 1, sizeof(int));
    l->vtypes = malloc((size_t)nt * (size_t)nf * sizeof(int) + 1);
    l->order = malloc((size_t)nt * sizeof(int));
    l->key = malloc((size_t)nt * sizeof(double));
    l->vfeat = malloc((size_t)pb->nvalues * sizeof(int) + 1);
    l->frozen = malloc((size_t)nf + 1);
    l->sig = malloc((size_t)nt * sizeof(uint64_t));
    l->fdown = malloc((size_t)nf * sizeof(int) + 1);
    l->fup = malloc((size_t)nf * sizeof(int) + 1);
    if (!l->hh_of || !l->vc || !l->hhc || !l->supp || !l->saved || !l->gd || !l->gi || !l->vfirst ||
        !l->vtypes || !l->order || !l->key || !l->vfeat || !l->frozen || !l->sig || !l->fdown ||
        !l->fup) {
        pn_local_free(l);
        return NULL;
    }
    for (int v = 0; v < pb->nvalues; v++)
        l->vfeat[v] = -1;
    for (int t = 0; t < nt; t++)
        for (int f = 0; f < nf; f++)
            l->vfeat[pb->tval[(long)t * nf + f]] = f;
    for (long i = 0; i < (long)nt * nf; i++)
        l->vfirst[pb->tval[i] + 1]++;
    for (int v = 0; v < pb->nvalues; v++)
        l->vfirst[v + 1] += l->vfirst[v];
    for (int v = 0; v < pb->nvalues; v++)
        l->gd[v] = l->vfirst[v];
    for (int t = 0; t < nt; t++)
        for (int f = 0; f < nf; f++)
            l->vtypes[l->gd[pb->tval[(long)t * nf + f]]++] = t;
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
    free(l->vfirst);
    free(l->vtypes);
    free(l->order);
    free(l->key);
    free(l->vfeat);
    free(l->frozen);
    free(l->sig);
    free(l->fdown);
    free(l->fup);
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
    if (x[b] >= pb->thi[b] || x[a] <= pb->tlo[a])
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

int
pn_local_holds(struct pn_local *l, const int *x)
{
    const struct pn_problem *pb = l->pb;
    for (int t = 0; t < pb->ntypes; t++)
        if (x[t] < pb->tlo[t] || x[t] > pb->thi[t])
            return 0;
    load(l, x);
    return violation(l) == 0;
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
    if (x[b] >= pb->thi[b])
        return 0;
    memcpy(saved, x, (size_t)nt * sizeof(int));
    load(l, x);
    /* make room: the member whose removal leaves the smallest violation */
    int best = -1, bestd = 1 << 30, ties = 0;
    for (int a = 0; a < nt; a++) {
        if (x[a] <= pb->tlo[a] || a == b || x[a] <= keep[a] || !hh_free(l, a, b))
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
            if (x[t] > keep[t] + (t == b) && x[t] > pb->tlo[t])
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
                if (d == c || x[d] >= pb->thi[d])
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

/*
 * Mark the features on which no swap can change a member's value: every pair of a value that
 * may go down (count above its min) and another that may go up (count below its max) is
 * missing. On a face with many exact quotas most features are so; a swap must then keep the
 * member's value on each of them.
 */
static void
mark_frozen(struct pn_local *l)
{
    const struct pn_problem *pb = l->pb;
    int nf = pb->nfeatures;
    int *down = l->fdown, *up = l->fup; /* per feature: a value that may go down / up, -1
                                         * none, -2 several */
    for (int f = 0; f < nf; f++)
        down[f] = up[f] = -1;
    for (int v = 0; v < pb->nvalues; v++) {
        int f = l->vfeat[v];
        if (f < 0)
            continue;
        if (l->vc[v] > pb->lo[v])
            down[f] = down[f] == -1 ? v : -2;
        if (l->vc[v] < pb->hi[v])
            up[f] = up[f] == -1 ? v : -2;
    }
    for (int f = 0; f < nf; f++)
        l->frozen[f] = down[f] == -1 || up[f] == -1 || (down[f] >= 0 && down[f] == up[f]);
}

/* Type t's values on the frozen features, hashed (FNV-1a): equal for any two types that
 * agree there. */
static uint64_t
frozen_sig(const struct pn_local *l, int t)
{
    const struct pn_problem *pb = l->pb;
    int nf = pb->nfeatures;
    uint64_t h = 1469598103934665603ULL;
    for (int f = 0; f < nf; f++)
        if (l->frozen[f]) {
            h ^= (uint64_t)(pb->tval[(long)t * nf + f] + 1);
            h *= 1099511628211ULL;
        }
    return h;
}

double
pn_local_ascent(struct pn_local *l, int *x, const double *w, const int *pos, int npos)
{
    const struct pn_problem *pb = l->pb;
    int nt = pb->ntypes;
    int *supp = l->supp, ns = 0;
    uint64_t *sig = l->sig;
    load(l, x);
    for (int iter = 0; iter < 4 * pb->k + 16; iter++) {
        int ba = -1, bb = -1;
        /* The members by their values on the frozen features, then by type: a swap can only
         * bring in someone with the same values there, so each b looks at that group alone,
         * in the order of types as before (the same panel comes out, sooner). */
        mark_frozen(l);
        ns = 0;
        for (int t = 0; t < nt; t++) {
            if (!x[t])
                continue;
            uint64_t s = frozen_sig(l, t);
            int j = ns++;
            while (j > 0 && sig[j - 1] > s) {
                supp[j] = supp[j - 1];
                sig[j] = sig[j - 1];
                j--;
            }
            supp[j] = t;
            sig[j] = s;
        }
        double bd = 1e-12;
        /* pos lists the types of positive weight by decreasing weight: only they can gain */
        for (int i = 0; i < npos; i++) {
            int b = pos[i];
            if (x[b] >= pb->thi[b])
                continue;
            if (w[b] <= bd)
                break;
            uint64_t s = frozen_sig(l, b);
            int lo = 0, hi = ns; /* the first member whose signature is not below s */
            while (lo < hi) {
                int mid = (lo + hi) / 2;
                if (sig[mid] < s)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            for (int j = lo; j < ns && sig[j] == s; j++) {
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

/* ---- rounding a fractional panel -------------------------------------------------------- */

/* Households of two or more members on the panel beyond the first. */
static int
hh_excess(const struct pn_local *l)
{
    int e = 0;
    for (int h = 0; h < l->pb->nhh; h++)
        e += l->hhc[h] > 1 ? l->hhc[h] - 1 : 0;
    return e;
}

/* Change of quota violation plus household excess when one c leaves and one d joins. */
static int
swap_delta(const struct pn_local *l, int c, int d)
{
    const struct pn_problem *pb = l->pb;
    int nf = pb->nfeatures, delta = 0;
    const int *vc = pb->tval + (long)c * nf, *vd = pb->tval + (long)d * nf;
    for (int f = 0; f < nf; f++)
        if (vc[f] != vd[f])
            delta += dec_gain(l, vc[f]) + inc_gain(l, vd[f]);
    int hc = l->hh_of[c], hd = l->hh_of[d];
    if (hc != hd) {
        if (hc >= 0 && l->hhc[hc] > 1)
            delta--;
        if (hd >= 0 && l->hhc[hd] >= 1)
            delta++;
    }
    return delta;
}

static int
has_value(const struct pn_problem *pb, int t, int v)
{
    const int *tv = pb->tval + (long)t * pb->nfeatures;
    for (int f = 0; f < pb->nfeatures; f++)
        if (tv[f] == v)
            return 1;
    return 0;
}

/*
 * One repair step aimed at one broken constraint: a value below its min brings in someone
 * with it, a value above its max sends someone with it away, a household with two members on
 * the panel sends one away. The first swap that lowers the total violation wins; failing
 * that, a swap that keeps it (at most `sideways` of those). Returns the change or 1 when
 * nothing helps.
 */
static int
repair_step(struct pn_local *l, int *x, struct pn_rng *rng, int allow_sideways)
{
    const struct pn_problem *pb = l->pb;
    int nt = pb->ntypes, nv = pb->nvalues;
    int v0 = pn_rng_below(rng, nv), bad = -1, under = 0, hh = -1;
    for (int i = 0; i < nv && bad < 0; i++) {
        int v = (v0 + i) % nv;
        if (l->vc[v] < pb->lo[v] || l->vc[v] > pb->hi[v]) {
            bad = v;
            under = l->vc[v] < pb->lo[v];
        }
    }
    if (bad < 0)
        for (int h = 0; h < pb->nhh && hh < 0; h++)
            if (l->hhc[h] > 1)
                hh = h;
    if (bad < 0 && hh < 0)
        return 0;
    int ns = 0;
    for (int t = 0; t < nt; t++)
        if (x[t] > pb->tlo[t] &&
            (bad < 0 || (under ? !has_value(pb, t, bad) : has_value(pb, t, bad))) &&
            (hh < 0 || l->hh_of[t] == hh))
            l->supp[ns++] = t;
    if (!ns)
        return 1;
    /* candidates to join: with the value when under, anyone else otherwise */
    const int *cand = NULL;
    int ncand = nt;
    if (bad >= 0 && under) {
        cand = l->vtypes + l->vfirst[bad];
        ncand = l->vfirst[bad + 1] - l->vfirst[bad];
    }
    int i0 = pn_rng_below(rng, ns), j0 = pn_rng_below(rng, ncand), sc = -1, sd = -1;
    for (int ii = 0; ii < ns; ii++) {
        int c = l->supp[(i0 + ii) % ns];
        for (int jj = 0; jj < ncand; jj++) {
            int j = j0 + jj < ncand ? j0 + jj : j0 + jj - ncand;
            int d = cand ? cand[j] : j;
            if (d == c || x[d] >= pb->thi[d])
                continue;
            if (bad >= 0 && !under && has_value(pb, d, bad))
                continue;
            int delta = swap_delta(l, c, d);
            if (delta < 0) {
                apply(l, x, c, d);
                return delta;
            }
            if (delta == 0 && sc < 0 && allow_sideways) {
                sc = c;
                sd = d;
            }
        }
    }
    if (sc < 0)
        return 1;
    apply(l, x, sc, sd);
    return 0;
}

int
pn_local_repair(struct pn_local *l, int *x, struct pn_rng *rng)
{
    load(l, x);
    int viol = violation(l) + hh_excess(l), sideways = 8;
    for (int step = 0; viol > 0 && step < 8 * l->pb->k + 64; step++) {
        int d = repair_step(l, x, rng, sideways > 0);
        if (d > 0)
            return 0;
        if (d == 0)
            sideways--;
        viol += d;
    }
    return viol == 0 && violation(l) == 0 && hh_excess(l) == 0;
}

void
pn_local_round_order(struct pn_local *l, struct pn_rng *rng)
{
    const struct pn_problem *pb = l->pb;
    int nt = pb->ntypes, nf = pb->nfeatures, *order = l->order;
    /* Types in random order, then grouped by the value of one random feature (a stable
     * counting sort), so that feature's counts stay within one of their expectation. */
    for (int t = 0; t < nt; t++)
        order[t] = t;
    for (int t = nt - 1; t > 0; t--) {
        int j = pn_rng_below(rng, t + 1), tmp = order[t];
        order[t] = order[j];
        order[j] = tmp;
    }
    int f = pn_rng_below(rng, nf), *pos = l->gd; /* nvalues scratch */
    for (int v = 0; v < pb->nvalues; v++)
        pos[v] = 0;
    for (int t = 0; t < nt; t++)
        pos[pb->tval[(long)t * nf + f]]++;
    for (int v = 1; v < pb->nvalues; v++)
        pos[v] += pos[v - 1];
    for (int i = nt - 1; i >= 0; i--) {
        int t = order[i];
        l->saved[--pos[pb->tval[(long)t * nf + f]]] = t;
    }
    memcpy(order, l->saved, (size_t)nt * sizeof(int));
}

void
pn_local_round_at(struct pn_local *l, const double *y, double u, int *x, struct pn_rng *rng)
{
    const struct pn_problem *pb = l->pb;
    int nt = pb->ntypes;
    /* systematic sampling along the order: points u, u+1, u+2, ... */
    double acc = 0.0;
    int sum = 0;
    for (int i = 0; i < nt; i++) {
        int t = l->order[i];
        double fl = floor(y[t]);
        double fr = y[t] - fl;
        if (fr > 1.0 - 1e-9) {
            fl += 1.0;
            fr = 0.0;
        }
        if (fr < 1e-9)
            fr = 0.0;
        int n = (int)(ceil(acc + fr - u) - ceil(acc - u));
        acc += fr;
        x[t] = (int)fl + n;
        if (x[t] > pb->thi[t])
            x[t] = pb->thi[t];
        if (x[t] < pb->tlo[t])
            x[t] = pb->tlo[t];
        sum += x[t];
    }
    /* rounding noise in the sum of y: adjust at random places */
    while (sum != pb->k) {
        int t = pn_rng_below(rng, nt);
        if (sum < pb->k && x[t] < pb->thi[t]) {
            x[t]++;
            sum++;
        } else if (sum > pb->k && x[t] > pb->tlo[t]) {
            x[t]--;
            sum--;
        }
    }
}
