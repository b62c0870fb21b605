/*
 * panels_walk.c — writing a fractional panel as a mixture of real panels (a Carathéodory walk).
 *
 * The leximin over fractional panels gives a point y of the polytope P (panels_frac.c); the
 * engine needs real panels x_1, x_2, ... and weights with sum_i a_i x_i = y. The walk: take
 * a real panel x on the smallest face of P that holds y (it must meet every quota that y
 * meets exactly, leave out every type y leaves out, take whole every type y takes whole),
 * then move from x through y as far as P allows: y = a x + (1 - a) y', where y' is on a
 * smaller face, since one more bound or quota became exact. Repeat with y'. After at most
 * dim P + 1 steps the point is a real panel itself and the walk is done.
 *
 * P has fractional corners, so the walk can get stuck on a face without real panels; then the
 * panels found so far still decompose most of y, and column generation (panels_leximin.c)
 * finishes the job. Each step asks the MIP for any real panel on the face (the first one it
 * finds), preferring types with a large share of y still to place, which keeps steps long.
 */
#include "panels/panels_int.h"

#include <glpk.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A bound or quota this close to y is exact. */
#define WALK_TOL 1e-9
/* MIP steps in a row that needed a larger sub-MIP before the walk starts with that size. */
#define SUB_RUN 8

struct walk {
    const struct pn_problem *pb;
    glp_prob *mip;
    int *cand;    /* ntypes: neighbourhood of the sub-MIP */
    double *dj;   /* ntypes: |reduced cost| */
    int *ind;     /* ntypes + 2 */
    double *val;  /* ntypes + 2 */
    char *sel;    /* ntypes: in the sub-MIP */
    int *hh_of;   /* ntypes: household or -1 */
    double *rowv; /* nvalues + nhh: current counts of y per value and household */
    int *xv;      /* nvalues + nhh: counts of the chosen panel */
    int *x;
    int stop;
    double deadline; /* CLOCK_MONOTONIC seconds, 0 for none */
    int timed_out;
    struct pn_problem face; /* bounds of the current face, for the swaps */
    struct pn_local *loc;   /* swaps within face */
    double *xl;             /* ntypes: the LP corner */
    int nswap, nmip;        /* steps whose panel came from swaps / from a MIP */
    int sub_start, sub_run; /* the MIPs start with this many types; steps in a row that
                             * needed more than sub_start */
};

static void
first_solution(glp_tree *T, void *info)
{
    struct walk *w = info;
    int reason = glp_ios_reason(T);
    if (reason == GLP_IBINGO && w->stop)
        glp_ios_terminate(T);
    else if (reason == GLP_ISELECT && w->deadline > 0 && pn_now() > w->deadline) {
        w->timed_out = 1;
        glp_ios_terminate(T);
    }
}

/* Runs the MIP P (its LP solved) depth first until its first integer solution: 1 when it has
 * one (read it with glp_mip_col_val), 0 when it has none or the time ran out. */
static int
first_panel(struct walk *w, glp_prob *P)
{
    glp_iocp io;
    glp_init_iocp(&io);
    io.msg_lev = GLP_MSG_OFF;
    io.cb_func = first_solution;
    io.cb_info = w;
    io.bt_tech = GLP_BT_DFS;
    io.mip_gap = 1.0;
    w->stop = 1;
    int rc = glp_intopt(P, &io), st = glp_mip_status(P);
    return !w->timed_out && (rc == 0 || rc == GLP_ESTOP || rc == GLP_EMIPGAP) &&
           (st == GLP_OPT || st == GLP_FEAS);
}

static glp_prob *
walk_build(const struct pn_problem *pb, int *ind, double *val)
{
    int nt = pb->ntypes;
    glp_prob *P = glp_create_prob();
    glp_set_obj_dir(P, GLP_MAX);
    glp_add_cols(P, nt);
    for (int t = 0; t < nt; t++)
        glp_set_col_kind(P, t + 1, GLP_IV);
    /* the rows' bounds are set per face (walk_face) */
    pn_quota_rows(P, pb, ind, val);
    return P;
}

/* Bounds of the smallest face holding y; returns 1 when y is a real panel itself. */
static int
walk_face(struct walk *w, const double *y, struct pn_rng *rng)
{
    const struct pn_problem *pb = w->pb;
    int nt = pb->ntypes, nf = pb->nfeatures, nv = pb->nvalues, integral = 1;
    glp_prob *P = w->mip;
    memset(w->rowv, 0, (size_t)(nv + pb->nhh) * sizeof(double));
    for (int t = 0; t < nt; t++) {
        double lo = pb->tlo[t], hi = pb->thi[t];
        if (y[t] <= lo + WALK_TOL)
            hi = lo;
        else if (y[t] >= hi - WALK_TOL)
            lo = hi;
        glp_set_col_bnds(P, t + 1, lo < hi ? GLP_DB : GLP_FX, lo, hi);
        w->face.tlo[t] = (int)lo;
        w->face.thi[t] = (int)hi;
        if (fabs(y[t] - floor(y[t] + 0.5)) > WALK_TOL)
            integral = 0;
        /* prefer types with much of their share still to place: long steps */
        glp_set_obj_coef(P, t + 1, y[t] / pb->cnt[t] * (1.0 + 0.05 * pn_rng_unit(rng)));
        for (int f = 0; f < nf; f++)
            w->rowv[pb->tval[(long)t * nf + f]] += y[t];
    }
    for (int h = 0; h < pb->nhh; h++)
        for (int j = pb->hhfirst[h]; j < pb->hhfirst[h + 1]; j++)
            w->rowv[nv + h] += y[pb->hhtypes[j]];
    for (int v = 0; v < nv; v++) {
        double lo = pb->lo[v], hi = pb->hi[v];
        if (w->rowv[v] <= lo + 1e-8)
            hi = lo;
        else if (w->rowv[v] >= hi - 1e-8)
            lo = hi;
        glp_set_row_bnds(P, 2 + v, lo < hi ? GLP_DB : GLP_FX, lo, hi);
        w->face.lo[v] = (int)lo;
        w->face.hi[v] = (int)hi;
    }
    for (int h = 0; h < pb->nhh; h++) {
        if (w->rowv[nv + h] >= 1.0 - 1e-8)
            glp_set_row_bnds(P, 2 + nv + h, GLP_FX, 1.0, 1.0);
        else
            glp_set_row_bnds(P, 2 + nv + h, GLP_UP, 0.0, 1.0);
    }
    return integral;
}

/*
 * A small MIP around the LP corner: types with a fractional value and the m types free on
 * the face with the smallest reduced costs may move, all others keep their (whole) LP value.
 * Branch and bound on a few hundred variables is far cheaper than on all of them. Returns 0
 * with a panel in w->x, 1 when this neighbourhood holds none.
 */
static int
walk_sub(struct walk *w, int m)
{
    const struct pn_problem *pb = w->pb;
    glp_prob *P = w->mip;
    int nt = pb->ntypes, nf = pb->nfeatures, nv = pb->nvalues, nc = 0, nfree = 0;
    int *cand = w->cand;
    for (int t = 0; t < nt; t++) {
        double v = glp_get_col_prim(P, t + 1);
        w->x[t] = (int)floor(v + 0.5);
        if (glp_get_col_type(P, t + 1) == GLP_FX)
            continue;
        if (fabs(v - w->x[t]) > 1e-9) {
            w->dj[t] = -1.0; /* fractional: always in */
        } else {
            w->dj[t] = fabs(glp_get_col_dual(P, t + 1));
        }
        cand[nfree++] = t;
    }
    pn_sort_by(cand, nfree, w->dj, 0);
    nc = nfree < m ? nfree : m;
    if (nc > 0 && w->dj[cand[nc - 1]] < 0)
        nc = nfree; /* more fractional values than m: take every free one */
    glp_prob *S = glp_create_prob();
    glp_set_obj_dir(S, GLP_MAX);
    glp_add_cols(S, nc);
    glp_add_rows(S, 1 + nv + pb->nhh);
    double *fixed = w->dj; /* reuse: row sums of the fixed part */
    char *sel = w->sel;
    const int *hh_of = w->hh_of;
    for (int i = 0; i < nc; i++)
        sel[cand[i]] = 1;
    for (int r = 0; r < 1 + nv + pb->nhh; r++)
        fixed[r] = 0.0;
    int hbase = 1 + nv;
    for (int t = 0; t < nt; t++) {
        if (sel[t] || !w->x[t])
            continue;
        fixed[0] += w->x[t];
        for (int f = 0; f < nf; f++)
            fixed[1 + pb->tval[(long)t * nf + f]] += w->x[t];
        if (hh_of[t] >= 0)
            fixed[hbase + hh_of[t]] += w->x[t];
    }
    for (int i = 0; i < nc; i++) {
        int t = cand[i], len = 0;
        glp_set_col_kind(S, i + 1, GLP_IV);
        double lo = glp_get_col_lb(P, t + 1), hi = glp_get_col_ub(P, t + 1);
        glp_set_col_bnds(S, i + 1, lo < hi ? GLP_DB : GLP_FX, lo, hi);
        glp_set_obj_coef(S, i + 1, glp_get_obj_coef(P, t + 1));
        w->ind[++len] = 1;
        w->val[len] = 1.0;
        for (int f = 0; f < nf; f++) {
            w->ind[++len] = 2 + pb->tval[(long)t * nf + f];
            w->val[len] = 1.0;
        }
        if (hh_of[t] >= 0) {
            w->ind[++len] = 1 + hbase + hh_of[t];
            w->val[len] = 1.0;
        }
        glp_set_mat_col(S, i + 1, len, w->ind, w->val);
    }
    for (int r = 0; r < 1 + nv + pb->nhh; r++) {
        int type = glp_get_row_type(P, r + 1);
        double lo = glp_get_row_lb(P, r + 1) - fixed[r], hi = glp_get_row_ub(P, r + 1) - fixed[r];
        if (type == GLP_UP)
            glp_set_row_bnds(S, r + 1, GLP_UP, 0.0, hi);
        else
            glp_set_row_bnds(S, r + 1, type, lo, hi);
    }
    for (int i = 0; i < nc; i++)
        sel[cand[i]] = 0;
    glp_smcp sm;
    glp_init_smcp(&sm);
    sm.msg_lev = GLP_MSG_OFF;
    int rc = glp_simplex(S, &sm), found = 1;
    if (rc == 0 && glp_get_status(S) == GLP_OPT) {
        if (first_panel(w, S)) {
            for (int i = 0; i < nc; i++)
                w->x[cand[i]] = (int)lround(glp_mip_col_val(S, i + 1));
            found = 0;
        }
    }
    glp_delete_prob(S);
    return found;
}

/*
 * The cheap way from the LP corner to a panel: the corner has at most as many fractional
 * values as the LP has rows; round them by systematic sampling and repair the quotas by swaps
 * within the face's bounds. The swaps know households only as "at most one", so a household
 * the face takes whole is checked afterwards. Returns 0 with a panel in w->x, 1 when the swaps
 * did not get there (a small MIP then does). Half of the steps or so end here.
 */
static int
walk_swaps(struct walk *w, struct pn_rng *rng)
{
    const struct pn_problem *pb = w->pb;
    int nt = pb->ntypes, nv = pb->nvalues;
    for (int t = 0; t < nt; t++) {
        double v = glp_get_col_prim(w->mip, t + 1);
        /* exactly on the face's bounds, whatever the LP's rounding */
        if (v < w->face.tlo[t])
            v = w->face.tlo[t];
        if (v > w->face.thi[t])
            v = w->face.thi[t];
        w->xl[t] = v;
    }
    pn_local_round_order(w->loc, rng);
    pn_local_round_at(w->loc, w->xl, pn_rng_unit(rng), w->x, rng);
    if (!pn_local_repair(w->loc, w->x, rng))
        return 1;
    /*
     * Only a panel that is the corner rounded, with no swaps on top: the corner's direction
     * (much of the share still to place, see walk_face) keeps the walk's steps long, and
     * panels further from it make the walk longer than the MIPs they save.
     */
    double dist = 0.0;
    int nfrac = 0;
    for (int t = 0; t < nt; t++) {
        dist += fabs(w->x[t] - w->xl[t]);
        nfrac += fabs(w->xl[t] - floor(w->xl[t] + 0.5)) > 1e-9;
    }
    if (dist > nfrac + 1e-6)
        return 1;
    for (int h = 0; h < pb->nhh; h++) {
        if (w->rowv[nv + h] < 1.0 - 1e-8)
            continue;
        int on = 0;
        for (int j = pb->hhfirst[h]; j < pb->hhfirst[h + 1]; j++)
            on += w->x[pb->hhtypes[j]];
        if (on != 1)
            return 1;
    }
    return 0;
}

/* Any real panel on the current face into w->x: 0, or 1 when there is none (or GLPK failed). */
static int
walk_panel(struct walk *w, struct pn_rng *rng)
{
    glp_prob *P = w->mip;
    glp_smcp sm;
    glp_init_smcp(&sm);
    sm.msg_lev = GLP_MSG_OFF;
    sm.meth = GLP_DUALP;
    int rc = glp_simplex(P, &sm);
    if (rc != 0) {
        glp_adv_basis(P, 0);
        rc = glp_simplex(P, &sm);
    }
    if (rc != 0 || glp_get_status(P) != GLP_OPT)
        return 1;
    if (walk_swaps(w, rng) == 0) {
        w->nswap++;
        return 0;
    }
    w->nmip++;
    /* On a hard face every step needs the larger MIP: after SUB_RUN such steps in a row, start
     * there instead of failing first with the smaller ones (on a hard pool, 4 of 14 s). */
    for (int m = w->sub_start; m <= 1024 && !w->timed_out; m *= 4)
        if (walk_sub(w, m) == 0) {
            w->sub_run = m > w->sub_start ? w->sub_run + 1 : 0;
            if (w->sub_run >= SUB_RUN) {
                w->sub_start = m;
                w->sub_run = 0;
            }
            return 0;
        }
    if (w->timed_out)
        return 1;
    if (!first_panel(w, P))
        return 1;
    for (int t = 0; t < w->pb->ntypes; t++)
        w->x[t] = (int)lround(glp_mip_col_val(P, t + 1));
    return 0;
}

/* Largest a with (y - a x) / (1 - a) in P. */
static double
walk_step(struct walk *w, const double *y)
{
    const struct pn_problem *pb = w->pb;
    int nt = pb->ntypes, nf = pb->nfeatures, nv = pb->nvalues;
    const int *x = w->x;
    double a = 1.0;
    for (int t = 0; t < nt; t++) {
        if (x[t] > pb->tlo[t] && y[t] - pb->tlo[t] < a * (x[t] - pb->tlo[t]))
            a = (y[t] - pb->tlo[t]) / (x[t] - pb->tlo[t]);
        if (x[t] < pb->thi[t] && pb->thi[t] - y[t] < a * (pb->thi[t] - x[t]))
            a = (pb->thi[t] - y[t]) / (pb->thi[t] - x[t]);
    }
    memset(w->xv, 0, (size_t)(nv + pb->nhh) * sizeof(int));
    for (int t = 0; t < nt; t++)
        if (x[t])
            for (int f = 0; f < nf; f++)
                w->xv[pb->tval[(long)t * nf + f]] += x[t];
    for (int h = 0; h < pb->nhh; h++)
        for (int j = pb->hhfirst[h]; j < pb->hhfirst[h + 1]; j++)
            w->xv[nv + h] += x[pb->hhtypes[j]];
    for (int r = 0; r < nv + pb->nhh; r++) {
        double lo = r < nv ? pb->lo[r] : 0.0, hi = r < nv ? pb->hi[r] : 1.0;
        double cur = w->rowv[r];
        int b = w->xv[r];
        if (b > lo && cur - lo < a * (b - lo))
            a = (cur - lo) / (b - lo);
        if (b < hi && hi - cur < a * (hi - b))
            a = (hi - cur) / (hi - b);
    }
    return a < 0.0 ? 0.0 : a;
}

/* Add x with weight a to the walk's output, merging with an equal panel. */
static int
walk_add(struct pn_tdist *out, int *cap, const int *x, double a)
{
    int j = pn_cols_find(&out->cols, x);
    if (j >= 0) {
        out->lambda[j] += a;
        return 0;
    }
    if (out->cols.n == *cap) {
        int ncap = *cap ? 2 * *cap : 256;
        double *nl = realloc(out->lambda, (size_t)ncap * sizeof(double));
        if (!nl)
            return -1;
        out->lambda = nl;
        *cap = ncap;
    }
    if (pn_cols_add(&out->cols, x) < 0)
        return -1;
    out->lambda[out->cols.n - 1] = a;
    return 0;
}

int
pn_walk(const struct pn_problem *pb, const double *y0, struct pn_rng *rng, int max_steps,
        double deadline, struct pn_tdist *out, double *left)
{
    int cap = 0;
    int nt = pb->ntypes, rc = -1;
    struct walk w = {.pb = pb, .sub_start = 64};
    double *y = malloc((size_t)nt * sizeof(double));
    int *ind = malloc((size_t)(nt + 2) * sizeof(int));
    double *val = malloc((size_t)(nt + 2) * sizeof(double));
    w.rowv = malloc((size_t)(pb->nvalues + pb->nhh) * sizeof(double));
    w.xv = malloc((size_t)(pb->nvalues + pb->nhh) * sizeof(int));
    w.x = malloc((size_t)nt * sizeof(int));
    w.cand = malloc((size_t)nt * sizeof(int));
    w.dj = malloc((size_t)(nt + pb->nvalues + pb->nhh + 1) * sizeof(double));
    w.ind = ind;
    w.val = val;
    w.sel = calloc((size_t)nt, 1);
    w.hh_of = malloc((size_t)nt * sizeof(int));
    w.xl = malloc((size_t)nt * sizeof(double));
    w.face = *pb;
    w.face.lo = malloc((size_t)pb->nvalues * sizeof(int));
    w.face.hi = malloc((size_t)pb->nvalues * sizeof(int));
    w.face.tlo = malloc((size_t)nt * sizeof(int));
    w.face.thi = malloc((size_t)nt * sizeof(int));
    *left = 1.0;
    if (!y || !ind || !val || !w.rowv || !w.xv || !w.x || !w.cand || !w.dj || !w.sel || !w.hh_of ||
        !w.xl || !w.face.lo || !w.face.hi || !w.face.tlo || !w.face.thi)
        goto out;
    w.loc = pn_local_new(&w.face);
    if (!w.loc)
        goto out;
    for (int t = 0; t < nt; t++)
        w.hh_of[t] = -1;
    for (int h = 0; h < pb->nhh; h++)
        for (int j = pb->hhfirst[h]; j < pb->hhfirst[h + 1]; j++)
            w.hh_of[pb->hhtypes[j]] = h;
    memcpy(y, y0, (size_t)nt * sizeof(double));
    w.mip = walk_build(pb, ind, val);
    w.deadline = deadline;
    rc = 0;
    for (int step = 0; step < max_steps; step++) {
        if (deadline > 0 && pn_now() > deadline) {
            rc = 1;
            break;
        }
        if (walk_face(&w, y, rng)) {
            for (int t = 0; t < nt; t++)
                w.x[t] = (int)floor(y[t] + 0.5);
            if (walk_add(out, &cap, w.x, *left) < 0)
                rc = -1;
            *left = 0.0;
            break;
        }
        if (walk_panel(&w, rng)) {
            if (w.timed_out) {
                rc = 1;
                break;
            }
            if (getenv("NOABER_PANELS_DEBUG")) {
                int nfr = 0, nq = 0;
                for (int t = 0; t < nt; t++)
                    nfr += glp_get_col_type(w.mip, t + 1) != GLP_FX;
                for (int v = 0; v < pb->nvalues; v++)
                    nq += glp_get_row_type(w.mip, v + 2) != GLP_FX;
                fprintf(stderr,
                        "dbg walk stuck at step %d: %d free types, %d loose quotas, left %g\n",
                        step, nfr, nq, *left);
            }
            break; /* stuck on a face without real panels */
        }
        double a = walk_step(&w, y);
        if (walk_add(out, &cap, w.x, a * *left) < 0) {
            rc = -1;
            break;
        }
        if (a <= 1e-12) {
            break; /* numerically stuck */
        }
        if (a >= 1.0 - 1e-12) {
            out->lambda[out->cols.n - 1] += (1.0 - a) * *left;
            *left = 0.0;
            break;
        }
        for (int t = 0; t < nt; t++) {
            double v = (y[t] - a * w.x[t]) / (1.0 - a);
            if (v < pb->tlo[t] + 1e-12)
                v = pb->tlo[t];
            if (v > pb->thi[t] - 1e-12)
                v = pb->thi[t];
            y[t] = v;
        }
        *left *= 1.0 - a;
    }
out:
    if (w.mip)
        glp_delete_prob(w.mip);
    free(y);
    free(ind);
    free(val);
    free(w.rowv);
    free(w.xv);
    free(w.x);
    free(w.cand);
    free(w.dj);
    free(w.sel);
    free(w.hh_of);
    free(w.xl);
    pn_local_free(w.loc);
    free(w.face.lo);
    free(w.face.hi);
    free(w.face.tlo);
    free(w.face.thi);
    if (getenv("NOABER_PANELS_DEBUG"))
        fprintf(stderr, "dbg walk: %d panels by swaps, %d by a MIP\n", w.nswap, w.nmip);
    return rc;
}
