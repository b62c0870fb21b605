/*
 * panels_pairs.c — exchanges of two members for two others that keep a face's exact quotas.
 *
 * On the face of the fractional leximin point most quotas are exact (25 of 32 on the hard
 * pools): every panel there has the same count of every such value, so swapping one member for
 * one other rarely works, and the steepest ascent by single swaps (panels_local.c) finds
 * almost no new panels. Two members a, b can leave for two others c, d exactly when both pairs
 * have the same counts on the exact values. A table of all pairs of types free on the face,
 * sorted by a hash of those counts, finds every such exchange of a panel by a lookup per pair
 * of its members; each candidate is then checked exactly (a hash collision costs a check,
 * never a wrong panel). Exchanges where c is a or d is b are single swaps, so the search
 * covers those too.
 */
#include "panels/panels_int.h"

#include <stdlib.h>
#include <string.h>

/* Above this many pairs the table would cost more memory (16 bytes each) than it saves. */
#define PAIRS_MAX 2500000L
/* At most this many candidates per lookup: a face with few exact quotas has huge buckets. */
#define BUCKET_MAX 512

struct pair {
    uint64_t h;
    int a, b;
};

struct pn_pairs {
    const struct pn_problem *pb;
    uint64_t *th; /* ntypes: hash of the type's exact values */
    struct pair *pr;
    long np;
    int *vc;    /* nvalues: counts of the current panel */
    int *hhc;   /* nhh: household members on the current panel */
    int *hh_of; /* ntypes: household or -1 */
    int *mem;   /* ntypes: scratch list of the panel's removable types */
};

static uint64_t
mix(uint64_t z)
{
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static int
by_hash(const void *x, const void *y)
{
    const struct pair *p = x, *q = y;
    if (p->h != q->h)
        return p->h < q->h ? -1 : 1;
    if (p->a != q->a)
        return p->a - q->a;
    return p->b - q->b;
}

void
pn_pairs_free(struct pn_pairs *p)
{
    if (!p)
        return;
    free(p->th);
    free(p->pr);
    free(p->vc);
    free(p->hhc);
    free(p->hh_of);
    free(p->mem);
    free(p);
}

struct pn_pairs *
pn_pairs_new(const struct pn_problem *pb, const struct pn_problem *key)
{
    int nt = pb->ntypes, nf = pb->nfeatures, nfree = 0, exact = 0;
    for (int v = 0; v < pb->nvalues; v++)
        exact += key->lo[v] == key->hi[v];
    for (int t = 0; t < nt; t++)
        nfree += pb->thi[t] > pb->tlo[t];
    long np = (long)nfree * (nfree + 1) / 2;
    if (exact == 0 || np > PAIRS_MAX || nfree < 2)
        return NULL;
    struct pn_pairs *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->pb = pb;
    p->th = calloc((size_t)nt, sizeof(uint64_t));
    p->pr = malloc((size_t)np * sizeof(struct pair));
    p->vc = malloc((size_t)pb->nvalues * sizeof(int));
    p->hhc = malloc((size_t)(pb->nhh + 1) * sizeof(int));
    p->hh_of = malloc((size_t)nt * sizeof(int));
    p->mem = malloc((size_t)nt * sizeof(int));
    if (!p->th || !p->pr || !p->vc || !p->hhc || !p->hh_of || !p->mem) {
        pn_pairs_free(p);
        return NULL;
    }
    for (int t = 0; t < nt; t++) {
        p->hh_of[t] = -1;
        for (int f = 0; f < nf; f++) {
            int v = pb->tval[(long)t * nf + f];
            if (key->lo[v] == key->hi[v])
                p->th[t] += mix((uint64_t)v + 1);
        }
    }
    for (int h = 0; h < pb->nhh; h++)
        for (int j = pb->hhfirst[h]; j < pb->hhfirst[h + 1]; j++)
            p->hh_of[pb->hhtypes[j]] = h;
    for (int a = 0; a < nt; a++) {
        if (pb->thi[a] <= pb->tlo[a])
            continue;
        if (pb->thi[a] - pb->tlo[a] >= 2)
            p->pr[p->np++] = (struct pair){p->th[a] + p->th[a], a, a};
        for (int b = a + 1; b < nt; b++)
            if (pb->thi[b] > pb->tlo[b])
                p->pr[p->np++] = (struct pair){p->th[a] + p->th[b], a, b};
    }
    qsort(p->pr, (size_t)p->np, sizeof(struct pair), by_hash);
    return p;
}

static void
load(struct pn_pairs *p, const int *x)
{
    const struct pn_problem *pb = p->pb;
    int nf = pb->nfeatures;
    memset(p->vc, 0, (size_t)pb->nvalues * sizeof(int));
    memset(p->hhc, 0, (size_t)(pb->nhh + 1) * sizeof(int));
    for (int t = 0; t < pb->ntypes; t++) {
        if (!x[t])
            continue;
        for (int f = 0; f < nf; f++)
            p->vc[pb->tval[(long)t * nf + f]] += x[t];
        if (p->hh_of[t] >= 0)
            p->hhc[p->hh_of[t]] += x[t];
    }
}

/* Add d (+1 or -1) seats of type t to x and the counts. */
static void
move(struct pn_pairs *p, int *x, int t, int d)
{
    const struct pn_problem *pb = p->pb;
    int nf = pb->nfeatures;
    x[t] += d;
    for (int f = 0; f < nf; f++)
        p->vc[pb->tval[(long)t * nf + f]] += d;
    if (p->hh_of[t] >= 0)
        p->hhc[p->hh_of[t]] += d;
}

/* Are the type bounds, the quotas and the household rule met where type t touches them? */
static int
ok_at(const struct pn_pairs *p, const int *x, int t)
{
    const struct pn_problem *pb = p->pb;
    int nf = pb->nfeatures;
    if (x[t] < pb->tlo[t] || x[t] > pb->thi[t])
        return 0;
    for (int f = 0; f < nf; f++) {
        int v = pb->tval[(long)t * nf + f];
        if (p->vc[v] < pb->lo[v] || p->vc[v] > pb->hi[v])
            return 0;
    }
    return p->hh_of[t] < 0 || p->hhc[p->hh_of[t]] <= 1;
}

/* Does x stay a panel of the face when a and b leave and c and d join? x is left unchanged. */
static int
exchange_ok(struct pn_pairs *p, int *x, int a, int b, int c, int d)
{
    move(p, x, a, -1);
    move(p, x, b, -1);
    move(p, x, c, 1);
    move(p, x, d, 1);
    int ok = ok_at(p, x, a) && ok_at(p, x, b) && ok_at(p, x, c) && ok_at(p, x, d);
    move(p, x, d, -1);
    move(p, x, c, -1);
    move(p, x, b, 1);
    move(p, x, a, 1);
    return ok;
}

/* First pair in the table with hash h. */
static long
lower_bound(const struct pn_pairs *p, uint64_t h)
{
    long lo = 0, hi = p->np;
    while (lo < hi) {
        long mid = lo + (hi - lo) / 2;
        if (p->pr[mid].h < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

double
pn_pairs_ascent(struct pn_pairs *p, int *x, const double *w)
{
    const struct pn_problem *pb = p->pb;
    int nt = pb->ntypes;
    load(p, x);
    for (int iter = 0; iter < 4 * pb->k + 16; iter++) {
        int nm = 0;
        for (int t = 0; t < nt; t++)
            if (x[t] > pb->tlo[t])
                p->mem[nm++] = t;
        double best = 1e-12;
        int ba = -1, bb = -1, bc = -1, bd = -1;
        for (int i = 0; i < nm; i++)
            for (int j = i; j < nm; j++) {
                int a = p->mem[i], b = p->mem[j];
                if (a == b && x[a] - pb->tlo[a] < 2)
                    continue;
                uint64_t h = p->th[a] + p->th[b];
                double out = w[a] + w[b];
                long q0 = lower_bound(p, h), end = q0 + BUCKET_MAX;
                if (end > p->np)
                    end = p->np;
                for (long q = q0; q < end && p->pr[q].h == h; q++) {
                    int c = p->pr[q].a, d = p->pr[q].b;
                    double gain = w[c] + w[d] - out;
                    if (gain <= best || (c == a && d == b))
                        continue;
                    if (exchange_ok(p, x, a, b, c, d)) {
                        best = gain;
                        ba = a;
                        bb = b;
                        bc = c;
                        bd = d;
                    }
                }
            }
        if (ba < 0)
            break;
        move(p, x, ba, -1);
        move(p, x, bb, -1);
        move(p, x, bc, 1);
        move(p, x, bd, 1);
    }
    double v = 0.0;
    for (int t = 0; t < nt; t++)
        v += w[t] * x[t];
    return v;
}
