/*
 * panels_frac.c — leximin over the relaxed panel polytope, a bound and a target for the engine.
 *
 * Let P be the polytope of fractional panels over types: 0 <= y_t <= c_t, sum y = k, every
 * feature value's count within its min and max, at most one seat per household. Every
 * distribution over real panels has its expected seat counts in P (they are a convex
 * combination of integer points of P), so the leximin of pi_t = y_t / c_t over P is at least
 * as good as the real leximin, stage by stage. It costs only small LPs: one per stage, each
 * with one variable per type and one row per type, feature value and household, warm-started
 * from the previous stage's basis. When the engine then finds a distribution over real panels
 * that reaches this point (panels_leximin.c), that distribution is exactly leximin-optimal and
 * no pricing MIP has to prove anything.
 *
 * Stage LP:  max z  s.t.  y in P,  y_t / c_t - z >= 0 (free t),  y_t / c_t >= f_t (fixed t).
 * After each stage every free type with a positive dual is fixed at the stage value: by
 * complementary slackness it is at z in every optimal point.
 */
#include "panels/panels_int.h"

#include <glpk.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Duals above this fix a type at the stage value. */
#define FRAC_FIX_TOL 1e-9

/* Build the stage LP: columns y_1..y_T, z; rows: size, values, households, types. */
static glp_prob *
frac_build(const struct pn_problem *pb, int *ind, double *val)
{
    int nt = pb->ntypes;
    glp_prob *P = glp_create_prob();
    glp_set_obj_dir(P, GLP_MAX);
    glp_add_cols(P, nt + 1);
    for (int t = 0; t < nt; t++)
        glp_set_col_bnds(P, t + 1, pb->cnt[t] > 0 ? GLP_DB : GLP_FX, 0.0, pb->cnt[t]);
    glp_set_col_bnds(P, nt + 1, GLP_LO, 0.0, 0.0);
    glp_set_obj_coef(P, nt + 1, 1.0);
    int base = 1 + pb->nvalues + pb->nhh;
    pn_quota_rows(P, pb, ind, val);
    glp_add_rows(P, nt);
    for (int t = 0; t < nt; t++) {
        ind[1] = t + 1;
        val[1] = 1.0 / pb->cnt[t];
        ind[2] = nt + 1;
        val[2] = -1.0;
        glp_set_mat_row(P, base + t + 1, 2, ind, val);
        glp_set_row_bnds(P, base + t + 1, GLP_LO, 0.0, 0.0);
    }
    return P;
}

/* Type t is fixed at probability LEVEL: at least that many seats (clipped to [0, c_t]) become
 * a bound on y_t, and its row frees z. Only bounds change, so the basis stays valid. */
static void
frac_fix(glp_prob *P, const struct pn_problem *pb, int t, double level)
{
    double lb = pb->cnt[t] * level;
    lb = lb < 0 ? 0.0 : lb > pb->cnt[t] ? pb->cnt[t] : lb;
    glp_set_col_bnds(P, t + 1, lb < pb->cnt[t] ? GLP_DB : GLP_FX, lb, pb->cnt[t]);
    glp_set_row_bnds(P, 1 + pb->nvalues + pb->nhh + t + 1, GLP_FR, 0.0, 0.0);
}

static int
frac_solve(glp_prob *P)
{
    glp_smcp sm;
    glp_init_smcp(&sm);
    sm.msg_lev = GLP_MSG_OFF;
    sm.meth = GLP_PRIMAL;
    sm.tol_bnd = 1e-9;
    sm.tol_dj = 1e-9;
    /* Each stage starts from the last basis. The primal simplex can stall on these
     * degenerate LPs; past a generous iteration limit it restarts from a crash basis. */
    sm.it_lim = 20 * glp_get_num_rows(P) + 1000;
    int rc = glp_simplex(P, &sm);
    if (rc != 0 || glp_get_status(P) != GLP_OPT) {
        glp_adv_basis(P, 0);
        sm.it_lim = INT_MAX;
        rc = glp_simplex(P, &sm);
    }
    if (rc == GLP_ENOPFS || glp_get_status(P) == GLP_NOFEAS)
        return 2;
    return rc == 0 && glp_get_status(P) == GLP_OPT ? 0 : -1;
}

int
pn_frac_leximin(const struct pn_problem *pb, int maximin_only, double relax, double *pi,
                int *stages)
{
    int nt = pb->ntypes, base = 1 + pb->nvalues + pb->nhh;
    int *ind = malloc((size_t)(nt + 2) * sizeof(int));
    double *val = malloc((size_t)(nt + 2) * sizeof(double));
    int *row = malloc((size_t)nt * sizeof(int)); /* row of each free type, 0 once fixed */
    int rc = -1;
    glp_prob *P = NULL;
    *stages = 0;
    if (!ind || !val || !row)
        goto out;
    glp_term_out(GLP_OFF);
    P = frac_build(pb, ind, val);
    for (int t = 0; t < nt; t++)
        row[t] = base + t + 1;
    int nfree = nt;
    while (nfree > 0) {
        int r = frac_solve(P);
        if (r) {
            rc = r;
            goto out;
        }
        double z = glp_get_col_prim(P, nt + 1);
        (*stages)++;
        for (int t = 0; t < nt; t++)
            pi[t] = glp_get_col_prim(P, t + 1) / pb->cnt[t];
        /* Nobody can go above 1: at z = 1 every free type is done too. */
        if (maximin_only || z >= 1.0 - 1e-9)
            break;
        int tmax = -1;
        double dmax = -1.0;
        for (int t = 0; t < nt; t++) {
            double d = row[t] ? -glp_get_row_dual(P, row[t]) : -1.0;
            if (row[t] && d > dmax) {
                dmax = d;
                tmax = t;
            }
        }
        /*
         * A fixed type keeps its level as a lower bound on y_t and its row becomes free. Only
         * bounds change, so the basis stays valid and the current point feasible: the next
         * stage starts where this one ended.
         */
        for (int t = 0; t < nt; t++) {
            if (!row[t])
                continue;
            double d = -glp_get_row_dual(P, row[t]);
            if (d <= FRAC_FIX_TOL && t != tmax)
                continue;
            frac_fix(P, pb, t, *stages == 1 ? (1.0 - relax) * z : z);
            row[t] = 0;
            nfree--;
        }
    }
    rc = 0;
out:
    if (P)
        glp_delete_prob(P);
    free(ind);
    free(val);
    free(row);
    return rc;
}

/* ---- bounds for the stages over real panels -------------------------------------------- */

struct pn_fbound {
    const struct pn_problem *pb;
    glp_prob *P;
};

struct pn_fbound *
pn_fbound_new(const struct pn_problem *pb)
{
    int nt = pb->ntypes;
    struct pn_fbound *fb = calloc(1, sizeof(*fb));
    int *ind = malloc((size_t)(nt + 2) * sizeof(int));
    double *val = malloc((size_t)(nt + 2) * sizeof(double));
    if (fb && ind && val) {
        glp_term_out(GLP_OFF);
        fb->pb = pb;
        fb->P = frac_build(pb, ind, val);
    } else {
        free(fb);
        fb = NULL;
    }
    free(ind);
    free(val);
    return fb;
}

int
pn_fbound_stage(struct pn_fbound *fb, const double *fixed, double slack, double *z, double *u)
{
    const struct pn_problem *pb = fb->pb;
    int nt = pb->ntypes, base = 1 + pb->nvalues + pb->nhh;
    for (int t = 0; t < nt; t++)
        if (fixed[t] >= 0 && pb->cnt[t] > 0)
            frac_fix(fb->P, pb, t, fixed[t] - slack);
    if (frac_solve(fb->P))
        return -1;
    *z = glp_get_col_prim(fb->P, nt + 1);
    for (int t = 0; t < nt; t++) {
        double d = fixed[t] < 0 ? -glp_get_row_dual(fb->P, base + t + 1) : 0.0;
        u[t] = d > 0 ? d : 0.0;
    }
    return 0;
}

void
pn_fbound_free(struct pn_fbound *fb)
{
    if (!fb)
        return;
    glp_delete_prob(fb->P);
    free(fb);
}
