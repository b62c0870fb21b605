/*
 * panels_lottery.c — rounding a distribution to a public lottery of N equal tickets.
 *
 * A distribution with irrational-looking probabilities can only be drawn with a computer.
 * For a draw with three ten-sided dice, panel p gets a_p of N tickets (here N = 1000), where
 * a_p is nLambda_p rounded down or up and the a_p add up to N. Which panels round up is
 * chosen by a MIP that minimises the largest loss of any profile's expected number of seats
 * (Flanigan, Gölz, Gupta, Hennig, Procaccia, "Fair sortition made transparent", 2021, do the
 * same with a different rounding). The search is capped by a node count, never by time, so
 * the result is the same on every machine. Seats of a profile go round-robin over its members
 * in ticket order, so two people of one profile differ by at most one ticket.
 */
#include "panels/panels_int.h"

#include <glpk.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DIAG(...)                                                                                  \
    do {                                                                                           \
        if (diag)                                                                                  \
            snprintf(diag->msg, sizeof(diag->msg), __VA_ARGS__);                                   \
    } while (0)

#define NODE_LIMIT 5000

static int
icmp(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

struct round_cb {
    int nodes;
    double *heur; /* 1-based start solution */
    int give;
};

static void
round_callback(glp_tree *T, void *info)
{
    struct round_cb *cb = info;
    switch (glp_ios_reason(T)) {
    case GLP_IHEUR:
        if (cb->give) {
            cb->give = 0;
            glp_ios_heur_sol(T, cb->heur);
        }
        break;
    case GLP_ISELECT:
        if (++cb->nodes > NODE_LIMIT)
            glp_ios_terminate(T);
        break;
    default:
        break;
    }
}

/*
 * Choose integer ticket counts a (m panels of type-level counts X with weights lam) adding
 * up to n. Starts from largest-remainder rounding and improves it with the MIP.
 */
static int
round_counts(const struct pn_problem *pb, const int *X, const double *lam, int m, int n, int *a)
{
    int nt = pb->ntypes;
    /* largest remainder */
    int total = 0;
    for (int p = 0; p < m; p++) {
        a[p] = (int)floor(lam[p] * n + 1e-9);
        total += a[p];
    }
    while (total < n) {
        int best = -1;
        double bestf = -1.0;
        for (int p = 0; p < m; p++) {
            double f = lam[p] * n - a[p];
            if (f > bestf) {
                bestf = f;
                best = p;
            }
        }
        a[best]++;
        total++;
    }
    /* MIP: rows are types; columns are a_p and D. */
    glp_term_out(GLP_OFF);
    glp_prob *P = glp_create_prob();
    int *ind = malloc((size_t)(m + 2) * sizeof(int));
    double *val = malloc((size_t)(m + 2) * sizeof(double));
    double *heur = malloc((size_t)(m + 2) * sizeof(double));
    if (!ind || !val || !heur) {
        glp_delete_prob(P);
        free(ind);
        free(val);
        free(heur);
        return -1;
    }
    glp_set_obj_dir(P, GLP_MIN);
    glp_add_cols(P, m + 1);
    for (int p = 0; p < m; p++) {
        double lo = floor(lam[p] * n + 1e-9), hi = ceil(lam[p] * n - 1e-9);
        if (hi < lo)
            hi = lo;
        glp_set_col_kind(P, p + 1, GLP_IV);
        glp_set_col_bnds(P, p + 1, hi > lo ? GLP_DB : GLP_FX, lo, hi);
    }
    glp_set_col_bnds(P, m + 1, GLP_FR, 0.0, 0.0); /* D: largest loss in tickets per person */
    glp_set_obj_coef(P, m + 1, 1.0);
    glp_add_rows(P, nt + 1);
    for (int p = 0; p < m; p++) {
        ind[p + 1] = p + 1;
        val[p + 1] = 1.0;
    }
    glp_set_mat_row(P, 1, m, ind, val);
    glp_set_row_bnds(P, 1, GLP_FX, n, n);
    for (int t = 0; t < nt; t++) {
        int len = 0;
        double want = 0.0;
        for (int p = 0; p < m; p++) {
            int x = X[(long)p * nt + t];
            if (x) {
                ind[++len] = p + 1;
                val[len] = (double)x / pb->cnt[t];
                want += lam[p] * n * x / pb->cnt[t];
            }
        }
        ind[++len] = m + 1;
        val[len] = 1.0;
        glp_set_mat_row(P, t + 2, len, ind, val);
        glp_set_row_bnds(P, t + 2, GLP_LO, want, 0.0);
    }
    glp_smcp sm;
    glp_init_smcp(&sm);
    sm.msg_lev = GLP_MSG_OFF;
    int ok = glp_simplex(P, &sm) == 0 && glp_get_status(P) == GLP_OPT;
    if (ok) {
        /* start solution: the largest-remainder rounding with its D */
        double D = -HUGE_VAL;
        for (int t = 0; t < nt; t++) {
            double have = 0.0, want = 0.0;
            for (int p = 0; p < m; p++) {
                int x = X[(long)p * nt + t];
                have += (double)a[p] * x / pb->cnt[t];
                want += lam[p] * n * x / pb->cnt[t];
            }
            if (want - have > D)
                D = want - have;
        }
        heur[0] = 0.0;
        for (int p = 0; p < m; p++)
            heur[p + 1] = a[p];
        heur[m + 1] = D;
        struct round_cb cb = {.heur = heur, .give = 1};
        glp_iocp io;
        glp_init_iocp(&io);
        io.msg_lev = GLP_MSG_OFF;
        io.cb_func = round_callback;
        io.cb_info = &cb;
        io.mip_gap = 1e-6;
        int rc = glp_intopt(P, &io);
        int st = glp_mip_status(P);
        if ((rc == 0 || rc == GLP_ESTOP) && (st == GLP_OPT || st == GLP_FEAS) &&
            glp_mip_obj_val(P) < D - 1e-9) {
            int sum = 0;
            for (int p = 0; p < m; p++)
                sum += (int)lround(glp_mip_col_val(P, p + 1));
            if (sum == n)
                for (int p = 0; p < m; p++)
                    a[p] = (int)lround(glp_mip_col_val(P, p + 1));
        }
    }
    glp_delete_prob(P);
    free(ind);
    free(val);
    free(heur);
    return 0;
}

panels_err
panels_lottery(const struct panels_pool *pool, const struct panels_dist *dist, int n,
               int **tickets_out, double *max_loss, struct panels_diag *diag)
{
    struct pn_problem pb;
    int k = pool->k, np = dist->npanels;
    *tickets_out = NULL;
    panels_err err = pn_problem_build(pool, &pb);
    if (err)
        return err;
    int nt = pb.ntypes, m = np;
    int *X = NULL, *a = NULL, *ptr = NULL, *tickets = NULL;
    double *marg = NULL, *tick = NULL;
    const double *lam = dist->prob;
    /* dist comes from panels_select on the same pool, so its profiles are pb's types */
    if (!dist->profile_of || dist->nprofiles != nt ||
        memcmp(dist->profile_of, pb.type_of, (size_t)pool->npeople * sizeof(int)) != 0) {
        err = PANELS_E_INTERNAL;
        DIAG("Interne fout: de verdeling past niet bij de pool. / Internal error: the "
             "distribution does not match the pool.");
        goto out;
    }
    err = PANELS_E_NOMEM;
    X = calloc((size_t)np * (size_t)nt, sizeof(int));
    if (!X)
        goto out;
    for (int p = 0; p < np; p++)
        for (int j = 0; j < k; j++)
            X[(long)p * nt + dist->seats[(long)p * k + j]]++;
    a = malloc((size_t)m * sizeof(int));
    ptr = calloc((size_t)nt, sizeof(int));
    tickets = malloc((size_t)n * (size_t)k * sizeof(int));
    marg = malloc((size_t)pool->npeople * sizeof(double));
    tick = malloc((size_t)n * sizeof(double));
    if (!a || !ptr || !tickets || !marg || !tick)
        goto out;
    if (round_counts(&pb, X, lam, m, n, a) < 0)
        goto out;
    int tno = 0;
    for (int p = 0; p < m; p++)
        for (int r = 0; r < a[p]; r++, tno++) {
            int *mem = tickets + (long)tno * k, cnt = 0;
            for (int t = 0; t < nt; t++)
                for (int s = 0; s < X[(long)p * nt + t]; s++) {
                    mem[cnt++] = pb.tpeople[pb.tfirst[t] + ptr[t]];
                    ptr[t] = (ptr[t] + 1) % pb.cnt[t];
                }
            qsort(mem, (size_t)k, sizeof(int), icmp);
        }
    for (int t = 0; t < n; t++)
        tick[t] = 1.0 / n;
    {
        struct panels_dist lot = {.k = k, .npanels = n, .prob = tick, .seats = tickets};
        err = panels_check(pool, &lot, diag);
        if (err)
            goto out;
        panels_marginals(pool, &lot, marg);
    }
    {
        double *want = malloc((size_t)pool->npeople * sizeof(double));
        if (!want) {
            err = PANELS_E_NOMEM;
            goto out;
        }
        panels_marginals(pool, dist, want);
        *max_loss = 0.0;
        for (int i = 0; i < pool->npeople; i++)
            if (want[i] - marg[i] > *max_loss)
                *max_loss = want[i] - marg[i];
        free(want);
    }
    *tickets_out = tickets;
    tickets = NULL;
    err = PANELS_OK;
out:
    if (err == PANELS_E_NOMEM)
        DIAG("Fout: onvoldoende geheugen. / Error: out of memory.");
    pn_problem_free(&pb);
    free(X);
    free(a);
    free(ptr);
    free(tickets);
    free(marg);
    free(tick);
    return err;
}
