/*
 * panels_legacy.c — the Sortition Foundation's greedy draw, kept for comparison.
 *
 * One draw fills the panel seat by seat: take the feature value whose unmet minimum is
 * largest relative to the volunteers still available with it, pick one of them uniformly at
 * random, then drop everyone whose value has reached its maximum and the rest of the chosen
 * person's household. A draw that gets stuck is retried. It is fast, but people whose profile
 * is common in the pool and whose values are rarely "most urgent" get almost no chance.
 *
 * To report probabilities like the other algorithms, legacy runs `runs` greedy draws with a
 * fixed internal seed and publishes their empirical distribution (each distinct panel with its
 * frequency); the public draw then picks from that list like for leximin.
 */
#include "panels/panels_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DIAG(...)                                                                                  \
    do {                                                                                           \
        if (diag)                                                                                  \
            snprintf(diag->msg, sizeof(diag->msg), __VA_ARGS__);                                   \
    } while (0)

struct greedy {
    const struct panels_pool *pool;
    int *list;              /* per value: remaining people with it, at list + vfirst[v] */
    int *vfirst;            /* nvalues + 1 */
    int *rem;               /* nvalues: remaining count */
    int *sel;               /* nvalues: selected count */
    int *pos;               /* npeople * nfeatures: position in the value's list */
    char *alive;            /* npeople */
    int *hfirst, *hmembers; /* households, CSR */
};

static void
greedy_remove(struct greedy *g, int i)
{
    const struct panels_pool *pool = g->pool;
    int nf = pool->nfeatures;
    if (!g->alive[i])
        return;
    g->alive[i] = 0;
    for (int f = 0; f < nf; f++) {
        int v = pool->value_of[(long)i * nf + f];
        int *l = g->list + g->vfirst[v];
        int at = g->pos[(long)i * nf + f], last = l[g->rem[v] - 1];
        l[at] = last;
        g->pos[(long)last * nf + f] = at;
        l[g->rem[v] - 1] = i;
        g->pos[(long)i * nf + f] = g->rem[v] - 1;
        g->rem[v]--;
    }
}

/* One greedy draw into panel (k people). Returns 0, or -1 when it got stuck. */
static int
greedy_draw(struct greedy *g, struct pn_rng *rng, int *panel)
{
    const struct panels_pool *pool = g->pool;
    int n = pool->npeople, nf = pool->nfeatures, nv = pool->nvalues;
    memset(g->alive, 1, (size_t)n);
    memset(g->sel, 0, (size_t)nv * sizeof(int));
    for (int v = 0; v < nv; v++)
        g->rem[v] = g->vfirst[v + 1] - g->vfirst[v];
    /* restore list order canonical so every draw starts from the same state */
    {
        int *fill = malloc((size_t)nv * sizeof(int));
        if (!fill)
            return -2;
        for (int v = 0; v < nv; v++)
            fill[v] = 0;
        for (int i = 0; i < n; i++)
            for (int f = 0; f < nf; f++) {
                int v = pool->value_of[(long)i * nf + f];
                g->list[g->vfirst[v] + fill[v]] = i;
                g->pos[(long)i * nf + f] = fill[v]++;
            }
        free(fill);
    }
    for (int v = 0; v < nv; v++)
        if (pool->values[v].max == 0)
            while (g->rem[v] > 0)
                greedy_remove(g, g->list[g->vfirst[v]]);
    for (int s = 0; s < pool->k; s++) {
        int best = -1;
        double ratio = 0.0;
        for (int v = 0; v < nv; v++) {
            if (g->rem[v] == 0) {
                if (g->sel[v] < pool->values[v].min)
                    return -1;
                continue;
            }
            double r = (double)(pool->values[v].min - g->sel[v]) / g->rem[v];
            if (best < 0 || r > ratio) {
                best = v;
                ratio = r;
            }
        }
        if (best < 0)
            return -1;
        int i = g->list[g->vfirst[best] + pn_rng_below(rng, g->rem[best])];
        panel[s] = i;
        greedy_remove(g, i);
        for (int f = 0; f < nf; f++)
            g->sel[pool->value_of[(long)i * nf + f]]++;
        int h = pool->household[i];
        if (h >= 0)
            for (int j = g->hfirst[h]; j < g->hfirst[h + 1]; j++)
                greedy_remove(g, g->hmembers[j]);
        for (int f = 0; f < nf; f++) {
            int v = pool->value_of[(long)i * nf + f];
            if (g->sel[v] >= pool->values[v].max)
                while (g->rem[v] > 0)
                    greedy_remove(g, g->list[g->vfirst[v]]);
        }
    }
    for (int v = 0; v < nv; v++)
        if (g->sel[v] < pool->values[v].min)
            return -1;
    return 0;
}

panels_err
pn_legacy(const struct panels_pool *pool, const struct pn_problem *pb, int runs,
          struct pn_tdist *out, struct panels_diag *diag)
{
    int n = pool->npeople, nf = pool->nfeatures, nv = pool->nvalues, k = pool->k;
    struct greedy g = {.pool = pool};
    panels_err err = PANELS_E_NOMEM;
    int *panels = malloc((size_t)runs * (size_t)k * sizeof(int));
    int *x = calloc((size_t)pb->ntypes, sizeof(int));
    memset(out, 0, sizeof(*out));
    out->cols.ntypes = pb->ntypes;
    g.list = malloc((size_t)n * (size_t)nf * sizeof(int));
    g.vfirst = calloc((size_t)nv + 1, sizeof(int));
    g.rem = malloc((size_t)nv * sizeof(int));
    g.sel = malloc((size_t)nv * sizeof(int));
    g.pos = malloc((size_t)n * (size_t)nf * sizeof(int));
    g.alive = malloc((size_t)n);
    g.hfirst = calloc((size_t)pool->nhouseholds + 1, sizeof(int));
    g.hmembers = malloc((size_t)n * sizeof(int));
    if (!panels || !x || !g.list || !g.vfirst || !g.rem || !g.sel || !g.pos || !g.alive ||
        !g.hfirst || !g.hmembers)
        goto out;
    for (int i = 0; i < n; i++)
        for (int f = 0; f < nf; f++)
            g.vfirst[pool->value_of[(long)i * nf + f] + 1]++;
    for (int v = 0; v < nv; v++)
        g.vfirst[v + 1] += g.vfirst[v];
    for (int i = 0; i < n; i++)
        if (pool->household[i] >= 0)
            g.hfirst[pool->household[i] + 1]++;
    for (int h = 0; h < pool->nhouseholds; h++)
        g.hfirst[h + 1] += g.hfirst[h];
    {
        int *fill = calloc((size_t)pool->nhouseholds + 1, sizeof(int));
        if (!fill)
            goto out;
        for (int i = 0; i < n; i++) {
            int h = pool->household[i];
            if (h >= 0)
                g.hmembers[g.hfirst[h] + fill[h]++] = i;
        }
        free(fill);
    }
    struct pn_rng rng;
    pn_rng_seed(&rng, "noaber-panels-legacy");
    for (int r = 0; r < runs; r++) {
        int tries = 0, rc;
        while ((rc = greedy_draw(&g, &rng, panels + (long)r * k)) == -1 && ++tries < 1000)
            ;
        if (rc == -2)
            goto out;
        if (rc != 0) {
            err = PANELS_E_INFEASIBLE;
            DIAG("Fout: de greedy-methode vindt geen panel dat aan alle quota voldoet. / Error: "
                 "the greedy method finds no panel that satisfies all quotas.");
            goto out;
        }
    }
    /* Draws with the same seats per profile are one panel of profiles; the draw gives every
     * member of a profile the same chance, as the greedy method does by symmetry. */
    out->lambda = malloc((size_t)runs * sizeof(double));
    if (!out->lambda)
        goto out;
    for (int r = 0; r < runs; r++) {
        for (int j = 0; j < k; j++)
            x[pb->type_of[panels[(long)r * k + j]]]++;
        int at = pn_cols_find(&out->cols, x);
        if (at >= 0) {
            out->lambda[at] += 1.0 / runs;
        } else {
            if (pn_cols_add(&out->cols, x) < 0)
                goto out;
            out->lambda[out->cols.n - 1] = 1.0 / runs;
        }
        for (int j = 0; j < k; j++)
            x[pb->type_of[panels[(long)r * k + j]]] = 0;
    }
    err = PANELS_OK;
out:
    if (err)
        pn_tdist_free(out);
    free(x);
    free(panels);
    free(g.list);
    free(g.vfirst);
    free(g.rem);
    free(g.sel);
    free(g.pos);
    free(g.alive);
    free(g.hfirst);
    free(g.hmembers);
    return err;
}
