/*
 * panels_leximin.c — MAXIMIN and LEXIMIN by column generation over panels (Flanigan, Gölz,
 * Gupta, Hennig, Procaccia, Nature 2021), on GLPK, over profile types.
 *
 * The master LP chooses probabilities lambda_p for the panels generated so far:
 *     max z   s.t.  sum_p lambda_p x_pt / c_t - z >= 0     for every type t not yet fixed
 *                   sum_p lambda_p x_pt / c_t     >= f_t   for every fixed type t
 *                   sum_p lambda_p = 1,  lambda >= 0
 * Its row duals y_t >= 0 and mu (the convexity row) price a new panel: a panel x improves the
 * master when sum_t y_t x_t / c_t > mu, and the pricing MIP (panels_problem.c) finds the best
 * one. max_x sum y x / c - sum_fixed y f is a Lagrangian upper bound on the stage's optimum
 * and the master value a lower bound, so a stage ends exactly when the MIP proves no panel
 * beats mu. Then every type with a positive dual is fixed at the stage value (in every optimal
 * distribution they cannot do better) and the next stage raises the others. MAXIMIN stops
 * after the first stage.
 *
 * Speed comes from: types instead of people; a warm master (columns only accumulate and the
 * simplex restarts from the last basis); many diverse initial panels from the MIP with
 * seeded random weights that cover every type; pricing that stops at the first improving
 * panel and only runs to optimality when it must prove the stage optimal; pruning with the
 * best known panel as incumbent.
 */
#include "panels/panels_int.h"

#include <glpk.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DIAG(...)                                                                                  \
    do {                                                                                           \
        if (diag)                                                                                  \
            snprintf(diag->msg, sizeof(diag->msg), __VA_ARGS__);                                   \
    } while (0)

/* A panel must beat mu by this much to enter: below GLPK's tolerances it is noise. */
#define PRICE_TOL 1e-7
/* Duals above this mark a type as stuck at the stage value. */
#define FIX_TOL 1e-7
/* Fixed types may fall this far below their level, so later stages stay feasible. */
#define FIX_SLACK 1e-9
/* Weight of the previous duals in the smoothed duals used to search for panels. */
#define SMOOTH 0.5

struct master {
    const struct pn_problem *pb;
    glp_prob *lp;
    struct pn_cols cols;
    int *ind;
    double *val;
    double *y; /* ntypes duals */
    double mu;
    double *fixed; /* ntypes: level, or -1 while free */
};

static void
pn_master_free(struct master *m)
{
    if (m->lp)
        glp_delete_prob(m->lp);
    pn_cols_free(&m->cols);
    free(m->ind);
    free(m->val);
    free(m->y);
    free(m->fixed);
}

static int
master_init(struct master *m, const struct pn_problem *pb)
{
    int nt = pb->ntypes;
    memset(m, 0, sizeof(*m));
    m->pb = pb;
    m->cols.ntypes = nt;
    m->ind = malloc((size_t)(nt + 2) * sizeof(int));
    m->val = malloc((size_t)(nt + 2) * sizeof(double));
    m->y = malloc((size_t)nt * sizeof(double));
    m->fixed = malloc((size_t)nt * sizeof(double));
    if (!m->ind || !m->val || !m->y || !m->fixed)
        return -1;
    for (int t = 0; t < nt; t++)
        m->fixed[t] = -1.0;
    glp_term_out(GLP_OFF);
    m->lp = glp_create_prob();
    glp_set_obj_dir(m->lp, GLP_MAX);
    glp_add_rows(m->lp, nt + 1);
    for (int t = 0; t < nt; t++)
        glp_set_row_bnds(m->lp, t + 1, GLP_LO, 0.0, 0.0);
    glp_set_row_bnds(m->lp, nt + 1, GLP_FX, 1.0, 1.0);
    glp_add_cols(m->lp, 1); /* z */
    glp_set_col_bnds(m->lp, 1, GLP_LO, 0.0, 0.0);
    glp_set_obj_coef(m->lp, 1, 1.0);
    for (int t = 0; t < nt; t++) {
        m->ind[t + 1] = t + 1;
        m->val[t + 1] = -1.0;
    }
    glp_set_mat_col(m->lp, 1, nt, m->ind, m->val);
    return 0;
}

/* z takes part only in the rows of free types; fixed types get their level as bound. */
static void
master_set_fixed(struct master *m)
{
    int nt = m->pb->ntypes, len = 0;
    for (int t = 0; t < nt; t++) {
        if (m->fixed[t] < 0) {
            m->ind[++len] = t + 1;
            m->val[len] = -1.0;
            glp_set_row_bnds(m->lp, t + 1, GLP_LO, 0.0, 0.0);
        } else {
            double lb = m->fixed[t] - FIX_SLACK;
            glp_set_row_bnds(m->lp, t + 1, GLP_LO, lb > 0 ? lb : 0.0, 0.0);
        }
    }
    glp_set_mat_col(m->lp, 1, len, m->ind, m->val);
}

static int
master_add(struct master *m, const int *x)
{
    if (pn_cols_find(&m->cols, x) >= 0)
        return 0;
    if (pn_cols_add(&m->cols, x) < 0)
        return -1;
    int nt = m->pb->ntypes, len = 0;
    for (int t = 0; t < nt; t++)
        if (x[t]) {
            m->ind[++len] = t + 1;
            m->val[len] = (double)x[t] / m->pb->cnt[t];
        }
    m->ind[++len] = nt + 1;
    m->val[len] = 1.0;
    int j = glp_add_cols(m->lp, 1);
    glp_set_col_bnds(m->lp, j, GLP_LO, 0.0, 0.0);
    glp_set_mat_col(m->lp, j, len, m->ind, m->val);
    return 1;
}

/* Solve the master from its last basis; fill y and mu. Returns 0 or -1. */
static int
master_solve(struct master *m, struct panels_stats *st)
{
    glp_smcp sm;
    glp_init_smcp(&sm);
    sm.msg_lev = GLP_MSG_OFF;
    sm.meth = GLP_PRIMAL;
    int rc = glp_simplex(m->lp, &sm);
    if (rc != 0 || glp_get_status(m->lp) != GLP_OPT) {
        glp_std_basis(m->lp);
        sm.meth = GLP_DUALP;
        rc = glp_simplex(m->lp, &sm);
    }
    st->lp_solves++;
    if (rc != 0 || glp_get_status(m->lp) != GLP_OPT)
        return -1;
    int nt = m->pb->ntypes;
    for (int t = 0; t < nt; t++) {
        double d = -glp_get_row_dual(m->lp, t + 1);
        m->y[t] = d > 0 ? d : 0.0;
    }
    m->mu = glp_get_row_dual(m->lp, nt + 1);
    return 0;
}

/*
 * Initial panels: one from the MIP, then for every profile not yet on a panel a swap that
 * puts it on one (a short random walk first, for variety). Only when no swap works does the
 * MIP look for a panel with that profile, or show that none exists. Diverse panels make the
 * first master LP close to the answer, which saves many pricing rounds.
 */
static int
initial_panels(struct master *m, struct pn_pricer *pr, struct pn_local *loc,
               struct panels_stats *st, const struct panels_select_opts *opts)
{
    const struct pn_problem *pb = m->pb;
    int nt = pb->ntypes;
    double *w = malloc((size_t)nt * sizeof(double));
    char *covered = calloc((size_t)nt, 1);
    int *x = malloc((size_t)nt * sizeof(int));
    struct pn_cols found = {.ntypes = nt};
    struct pn_rng rng;
    int rc = 0, mip_budget = 40;
    if (!w || !covered || !x) {
        rc = -1;
        goto out;
    }
    pn_rng_seed(&rng, "noaber-panels-initial");
    for (int t = 0; t < nt; t++)
        w[t] = pn_rng_unit(&rng) / pb->cnt[t];
    double best;
    int r = pn_price(pr, w, -HUGE_VAL, 1, NULL, &found, &best);
    st->mip_calls++;
    if (r == 2 || (r >= 0 && found.n == 0)) {
        rc = 2;
        goto out;
    }
    if (r < 0) {
        rc = -1;
        goto out;
    }
    if (master_add(m, found.x) < 0) {
        rc = -1;
        goto out;
    }
    for (int t = 0; t < nt; t++)
        covered[t] = found.x[t] > 0;
    /*
     * Fill panels with uncovered profiles: insert one, repair the quotas by swaps, keep the
     * ones inserted so far, and start a new panel when the current one stops taking more.
     */
    int *keep = calloc((size_t)nt, sizeof(int));
    if (!keep) {
        rc = -1;
        goto out;
    }
    int next_b = 0, uncovered = 0;
    for (int t = 0; t < nt; t++)
        uncovered += !covered[t];
    while (uncovered > 0) {
        memcpy(x, m->cols.x + (long)(m->cols.n - 1) * nt, (size_t)nt * sizeof(int));
        memset(keep, 0, (size_t)nt * sizeof(int));
        int inserted = 0, fails = 0;
        for (int scan = 0; scan < nt && fails < 4 && inserted < pb->k; scan++) {
            int b = (next_b + scan) % nt;
            if (covered[b] || x[b] > 0)
                continue;
            if (pn_local_insert_repair(loc, x, b, keep, &rng)) {
                keep[b] = 1;
                inserted++;
            } else {
                fails++;
            }
        }
        if (!inserted) {
            /* No swap sequence helps: ask the MIP for a panel with the first uncovered. */
            int b = next_b;
            while (covered[b])
                b = (b + 1) % nt;
            if (mip_budget-- <= 0)
                break; /* left to column generation */
            for (int t = 0; t < nt; t++)
                w[t] = pn_rng_unit(&rng) / pb->cnt[t];
            found.n = 0;
            pn_pricer_force(pr, b, 1);
            r = pn_price(pr, w, -HUGE_VAL, 1, NULL, &found, &best);
            pn_pricer_force(pr, b, 0);
            st->mip_calls++;
            if (r < 0) {
                rc = -1;
                free(keep);
                goto out;
            }
            if (r == 2 || found.n == 0) {
                covered[b] = 1; /* no panel can hold b: it will get probability 0 */
                uncovered--;
                continue;
            }
            memcpy(x, found.x + (long)(found.n - 1) * nt, (size_t)nt * sizeof(int));
        }
        if (master_add(m, x) < 0) {
            rc = -1;
            free(keep);
            goto out;
        }
        for (int t = 0; t < nt; t++)
            if (x[t] && !covered[t]) {
                covered[t] = 1;
                uncovered--;
                next_b = t;
            }
        pn_progress(opts, "startpanelen / initial panels", 0.1 * (nt - uncovered) / nt);
    }
    free(keep);
out:
    pn_cols_free(&found);
    free(w);
    free(covered);
    free(x);
    return rc;
}

static const double *g_w; /* weights for by_weight_desc; the engine is single-threaded */

static int
by_weight_desc(const void *a, const void *b)
{
    double x = g_w[*(const int *)a], y = g_w[*(const int *)b];
    if (x != y)
        return x < y ? 1 : -1;
    return *(const int *)a - *(const int *)b;
}

/*
 * Heuristic pricing: steepest ascent by swaps from the panels the master uses. Adds every
 * panel worth more than mu + PRICE_TOL; returns how many were added, or -1.
 */
static int
local_pricing(struct master *m, struct pn_local *loc, const double *w, const double *wtrue,
              int *pos, int *x)
{
    const struct pn_problem *pb = m->pb;
    int nt = pb->ntypes, npos = 0, added = 0, tried = 0;
    for (int t = 0; t < nt; t++)
        if (w[t] > 0)
            pos[npos++] = t;
    g_w = w;
    qsort(pos, (size_t)npos, sizeof(int), by_weight_desc);
    int ncols = m->cols.n;
    for (int j = ncols - 1; j >= 0 && tried < 12; j--) {
        if (glp_get_col_prim(m->lp, j + 2) <= 0.0)
            continue;
        tried++;
        memcpy(x, m->cols.x + (long)j * nt, (size_t)nt * sizeof(int));
        pn_local_ascent(loc, x, w, pos, npos);
        double v = 0.0;
        for (int t = 0; t < nt; t++)
            v += wtrue[t] * x[t];
        if (v > m->mu + PRICE_TOL) {
            int a = master_add(m, x);
            if (a < 0)
                return -1;
            added += a;
        }
    }
    return added;
}

panels_err
pn_leximin(const struct pn_problem *pb, int maximin_only, const struct panels_select_opts *opts,
           struct pn_tdist *out, struct panels_stats *st, struct panels_diag *diag)
{
    int nt = pb->ntypes;
    struct master m;
    struct pn_pricer *pr = NULL;
    struct pn_cols found = {.ntypes = nt};
    double *w = malloc((size_t)nt * sizeof(double));
    double *ws = malloc((size_t)nt * sizeof(double)), *yc = malloc((size_t)nt * sizeof(double));
    int *pos = malloc((size_t)nt * sizeof(int)), *xs = malloc((size_t)nt * sizeof(int));
    struct pn_local *loc = pn_local_new(pb);
    panels_err err = PANELS_OK;
    memset(out, 0, sizeof(*out));
    if (master_init(&m, pb) < 0 || !w || !ws || !yc || !pos || !xs || !loc ||
        !(pr = pn_pricer_new(pb))) {
        err = PANELS_E_NOMEM;
        goto out;
    }
    int r = initial_panels(&m, pr, loc, st, opts);
    if (r == 2 || m.cols.n == 0) {
        err = PANELS_E_INFEASIBLE;
        DIAG("Fout: geen enkel panel voldoet aan alle quota. / Error: no panel satisfies all "
             "quotas.");
        goto out;
    }
    if (r < 0) {
        err = PANELS_E_INTERNAL;
        DIAG("Interne fout: de MIP-oplosser faalde. / Internal error: the MIP solver failed.");
        goto out;
    }
    int nfree = nt;
    int debug = getenv("NOABER_PANELS_DEBUG") ? atoi(getenv("NOABER_PANELS_DEBUG")) : 0;
    if (debug)
        fprintf(stderr, "dbg %.2fs initial cols=%d mips=%d types=%d\n",
                (double)clock() / CLOCKS_PER_SEC, m.cols.n, st->mip_calls, nt);
    while (nfree > 0) {
        master_set_fixed(&m);
        double z = 0.0;
        int have_center = 0;
        for (;;) {
            if (master_solve(&m, st) < 0) {
                err = PANELS_E_INTERNAL;
                DIAG("Interne fout: de LP-oplosser faalde. / Internal error: the LP solver "
                     "failed.");
                goto out;
            }
            z = glp_get_obj_val(m.lp);
            for (int t = 0; t < nt; t++)
                w[t] = m.y[t] / pb->cnt[t];
            /* Dual smoothing (Wentges): search with a mix of the previous and the current
             * duals, which jump around less; accept by the current duals. */
            if (!have_center)
                memcpy(yc, m.y, (size_t)nt * sizeof(double));
            for (int t = 0; t < nt; t++) {
                yc[t] = SMOOTH * yc[t] + (1.0 - SMOOTH) * m.y[t];
                ws[t] = yc[t] / pb->cnt[t];
            }
            have_center = 1;
            int lp_added = local_pricing(&m, loc, ws, w, pos, xs);
            if (lp_added == 0)
                lp_added = local_pricing(&m, loc, w, w, pos, xs);
            if (lp_added < 0) {
                err = PANELS_E_NOMEM;
                goto out;
            }
            if (lp_added > 0) {
                if (debug > 1)
                    fprintf(stderr, "dbg %.2fs local z=%.6f cols=%d\n",
                            (double)clock() / CLOCKS_PER_SEC, z, m.cols.n);
                continue;
            }
            /* Best panel among the basis columns prunes the search. */
            int inc = -1;
            double incv = -HUGE_VAL;
            for (int j = 0; j < m.cols.n; j++) {
                if (glp_get_col_prim(m.lp, j + 2) <= 0.0)
                    continue;
                double v = 0.0;
                const int *x = m.cols.x + (long)j * nt;
                for (int t = 0; t < nt; t++)
                    v += w[t] * x[t];
                if (v > incv) {
                    incv = v;
                    inc = j;
                }
            }
            found.n = 0;
            double best;
            r = pn_price(pr, w, m.mu + PRICE_TOL, 1, inc >= 0 ? m.cols.x + (long)inc * nt : NULL,
                         &found, &best);
            st->mip_calls++;
            if (r < 0 || r == 2) {
                err = PANELS_E_INTERNAL;
                DIAG("Interne fout: de MIP-oplosser faalde. / Internal error: the MIP solver "
                     "failed.");
                goto out;
            }
            int added = 0;
            for (int i = 0; i < found.n; i++) {
                int a = master_add(&m, found.x + (long)i * nt);
                if (a < 0) {
                    err = PANELS_E_NOMEM;
                    goto out;
                }
                added += a;
            }
            if (debug)
                fprintf(stderr,
                        "dbg %.2fs stage=%d cols=%d z=%.6f mu=%.6f best=%.6f found=%d r=%d\n",
                        (double)clock() / CLOCKS_PER_SEC, st->stages, m.cols.n, z, m.mu, best,
                        found.n, r);
            if (!added)
                break; /* the MIP proved that no panel beats mu: the stage is optimal */
        }
        st->stages++;
        if (maximin_only)
            break;
        /* Fix every free type whose dual is positive; at least the largest. */
        int tmax = -1, nfix = 0;
        for (int t = 0; t < nt; t++)
            if (m.fixed[t] < 0 && (tmax < 0 || m.y[t] > m.y[tmax]))
                tmax = t;
        for (int t = 0; t < nt; t++)
            if (m.fixed[t] < 0 && (m.y[t] > FIX_TOL || t == tmax)) {
                m.fixed[t] = z;
                nfix++;
            }
        nfree -= nfix;
        pn_progress(opts, "leximin", 0.1 + 0.9 * (nt - nfree) / nt);
    }
    /* The last master solution is the distribution. */
    out->cols.ntypes = nt;
    out->lambda = malloc((size_t)m.cols.n * sizeof(double));
    if (!out->lambda) {
        err = PANELS_E_NOMEM;
        goto out;
    }
    double sum = 0.0;
    for (int j = 0; j < m.cols.n; j++) {
        double l = glp_get_col_prim(m.lp, j + 2);
        if (l < 1e-10)
            continue;
        if (pn_cols_add(&out->cols, m.cols.x + (long)j * nt) < 0) {
            err = PANELS_E_NOMEM;
            goto out;
        }
        out->lambda[out->cols.n - 1] = l;
        sum += l;
    }
    for (int j = 0; j < out->cols.n; j++)
        out->lambda[j] /= sum;
    st->columns = m.cols.n;
out:
    if (err)
        pn_tdist_free(out);
    pn_cols_free(&found);
    pn_pricer_free(pr);
    pn_master_free(&m);
    pn_local_free(loc);
    free(w);
    free(pos);
    free(xs);
    free(ws);
    free(yc);
    return err;
}
