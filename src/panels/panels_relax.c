/*
 * panels_relax.c — when no panel satisfies the quotas, the smallest change that would.
 *
 * A MIP over the same profile types as the pricing problem, with a slack below every min and
 * above every max, minimises the total number of places the quotas move. Slacks stay within
 * min_flex and max_flex when the features file gives them (as in the Sortition Foundation's
 * tools), otherwise a min may drop to 0 and a max rise to k. The answer is a short list a
 * coordinator can act on: "lower the min of age = 16-24 from 12 to 9".
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

panels_err
panels_relax(const struct panels_pool *pool, struct panels_change **changes, int *nchanges,
             struct panels_diag *diag)
{
    struct pn_problem pb;
    *changes = NULL;
    *nchanges = 0;
    panels_err err = pn_problem_build(pool, &pb);
    if (err)
        return err;
    int nt = pb.ntypes, nv = pb.nvalues, k = pb.k;
    /* columns: x_t (nt), down_v (nv), up_v (nv) */
    int ncols = nt + 2 * nv;
    int *ind = malloc((size_t)(ncols + 1) * sizeof(int));
    double *val = malloc((size_t)(ncols + 1) * sizeof(double));
    if (!ind || !val) {
        free(ind);
        free(val);
        pn_problem_free(&pb);
        return PANELS_E_NOMEM;
    }
    glp_term_out(GLP_OFF);
    glp_prob *P = glp_create_prob();
    glp_set_obj_dir(P, GLP_MIN);
    glp_add_cols(P, ncols);
    for (int t = 0; t < nt; t++) {
        glp_set_col_kind(P, t + 1, GLP_IV);
        glp_set_col_bnds(P, t + 1, GLP_DB, 0.0, pb.cnt[t]);
    }
    for (int v = 0; v < nv; v++) {
        const struct panels_value *pv = &pool->values[v];
        int down = pv->min_flex >= 0 ? pv->min - pv->min_flex : pv->min;
        int up = pv->max_flex >= 0 ? pv->max_flex - pv->max : (k > pv->max ? k - pv->max : 0);
        if (down < 0)
            down = 0;
        if (up < 0)
            up = 0;
        glp_set_col_kind(P, nt + 1 + v, GLP_IV);
        glp_set_col_bnds(P, nt + 1 + v, down ? GLP_DB : GLP_FX, 0.0, down);
        glp_set_obj_coef(P, nt + 1 + v, 1.0);
        glp_set_col_kind(P, nt + nv + 1 + v, GLP_IV);
        glp_set_col_bnds(P, nt + nv + 1 + v, up ? GLP_DB : GLP_FX, 0.0, up);
        glp_set_obj_coef(P, nt + nv + 1 + v, 1.0);
    }
    glp_add_rows(P, 1 + 2 * nv + pb.nhh);
    for (int t = 0; t < nt; t++) {
        ind[t + 1] = t + 1;
        val[t + 1] = 1.0;
    }
    glp_set_mat_row(P, 1, nt, ind, val);
    glp_set_row_bnds(P, 1, GLP_FX, k, k);
    for (int v = 0; v < nv; v++) {
        int len = 0;
        for (int t = 0; t < nt; t++)
            for (int f = 0; f < pb.nfeatures; f++)
                if (pb.tval[(long)t * pb.nfeatures + f] == v) {
                    ind[++len] = t + 1;
                    val[len] = 1.0;
                }
        /* count + down >= min */
        ind[len + 1] = nt + 1 + v;
        val[len + 1] = 1.0;
        glp_set_mat_row(P, 2 + 2 * v, len + 1, ind, val);
        glp_set_row_bnds(P, 2 + 2 * v, GLP_LO, pb.lo[v], 0.0);
        /* count - up <= max */
        ind[len + 1] = nt + nv + 1 + v;
        val[len + 1] = -1.0;
        glp_set_mat_row(P, 3 + 2 * v, len + 1, ind, val);
        glp_set_row_bnds(P, 3 + 2 * v, GLP_UP, 0.0, pb.hi[v]);
    }
    for (int h = 0; h < pb.nhh; h++) {
        int len = 0;
        for (int j = pb.hhfirst[h]; j < pb.hhfirst[h + 1]; j++) {
            ind[++len] = pb.hhtypes[j] + 1;
            val[len] = 1.0;
        }
        glp_set_mat_row(P, 2 + 2 * nv + h, len, ind, val);
        glp_set_row_bnds(P, 2 + 2 * nv + h, GLP_UP, 0.0, 1.0);
    }
    glp_iocp io;
    glp_init_iocp(&io);
    io.msg_lev = GLP_MSG_OFF;
    io.presolve = GLP_ON;
    int rc = glp_intopt(P, &io);
    int st = glp_mip_status(P);
    if (rc == GLP_ENOPFS || rc == GLP_ENODFS || st == GLP_NOFEAS) {
        err = PANELS_E_INFEASIBLE;
        DIAG("Ook met alle toegestane ruimte (min_flex/max_flex) is er geen panel mogelijk; "
             "controleer k, de huishoudens en de flex-kolommen. / Even with all allowed slack "
             "(min_flex/max_flex) no panel is possible; check k, the households and the flex "
             "columns.");
        goto out;
    }
    if (rc != 0 || st != GLP_OPT) {
        err = PANELS_E_INTERNAL;
        DIAG("Interne fout: de MIP-oplosser faalde. / Internal error: the MIP solver failed.");
        goto out;
    }
    *changes = malloc((size_t)(2 * nv + 1) * sizeof(**changes));
    if (!*changes) {
        err = PANELS_E_NOMEM;
        goto out;
    }
    for (int v = 0; v < nv; v++) {
        int down = (int)lround(glp_mip_col_val(P, nt + 1 + v));
        int up = (int)lround(glp_mip_col_val(P, nt + nv + 1 + v));
        if (down > 0)
            (*changes)[(*nchanges)++] =
                (struct panels_change){v, 0, pool->values[v].min, pool->values[v].min - down};
        if (up > 0)
            (*changes)[(*nchanges)++] =
                (struct panels_change){v, 1, pool->values[v].max, pool->values[v].max + up};
    }
out:
    glp_delete_prob(P);
    free(ind);
    free(val);
    pn_problem_free(&pb);
    return err;
}
