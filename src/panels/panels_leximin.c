/*
 * panels_leximin.c — MAXIMIN and LEXIMIN by column generation over panels (Flanigan, Gölz,
 * Gupta, Hennig, Procaccia, Nature 2021), on GLPK, over profile types.
 *
 * First the leximin over fractional panels (panels_frac.c): a handful of small LPs give, for
 * every type, a probability pi_t that no distribution over real panels can beat in the
 * leximin order. Then column generation looks for real panels that reach that point: the
 * master LP
 *     max s   s.t.  sum_p lambda_p x_pt / (c_t pi_t) - s >= 0   for every type t, pi_t > 0
 *                   sum_p lambda_p = 1,  lambda >= 0,  s <= 1
 * reaches s = 1 exactly when the panels found so far give everyone their pi_t, and then the
 * distribution is leximin-optimal: s <= 1 is an exact stopping bound known in advance, so no
 * pricing MIP has to prove anything. For MAXIMIN the target is the fractional maximin value
 * for everyone. Initial panels are many seeded roundings of the fractional point (systematic
 * sampling, then swaps that repair quotas and households), which puts the first master close
 * to the target; new panels come from steepest ascent by swaps on the (smoothed) dual prices,
 * and only when that fails from the pricing MIP (panels_problem.c).
 *
 * Real panels may fall short of the fractional point (an integrality gap: it happens in tiny
 * pools, and with households). The pricing MIP proves that when it finds no improving panel
 * while s < 1; then the classic staged algorithm runs on the panels found so far: a master
 *     max z   s.t.  sum_p lambda_p x_pt / c_t - z >= 0     for every type t not yet fixed
 *                   sum_p lambda_p x_pt / c_t     >= f_t   for every fixed type t
 *                   sum_p lambda_p = 1,  lambda >= 0
 * whose stage ends when the MIP proves that no panel beats the convexity dual mu, or when z
 * reaches the stage's bound over fractional panels (pn_fbound_stage), after which every type
 * with a positive dual is fixed at the stage value.
 *
 * With a tolerance (panels_select_opts.tolerance) the target master also stops once every
 * type has at least 1 - tolerance of its target, and a stage once z is within that fraction of
 * its proven bound: on pools where the exact proof takes very long, the smallest probability
 * is then proven within the tolerance of the best possible.
 *
 * Everything is deterministic: the random numbers come from a fixed seed, and a time limit
 * exists only for benchmarks.
 */
#include "panels/panels_int.h"

#include <glpk.h>
#include <limits.h>
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
/* s this close to 1: the fractional target is reached. */
#define TARGET_TOL 1e-9
/* Pairs of members the exchange search may look up in one round, over all its starts. */
#define PAIR_BUDGET 500000L
/* The target has stalled when its objective rose less than STALL_RISE (relative) over the last
 * STALL_SOLVES master solves. It then stops if the smallest probability is within the
 * tolerance, or STALL_GAP if that is larger, of the bound, and says how far it is. */
#define STALL_SOLVES 10
/* ... and over STALL_SOLVES_HELD once the relaxed target holds its lowest level (reach_target):
 * then only the others are left, and a pool they do not stall on is proven instead of
 * labelled (pool e with 1,500 initial roundings: 98.6 % of their level with 10, reached with
 * 20); a pool whose lowest level never gets there (seed 15) is not kept waiting. */
#define STALL_SOLVES_HELD 20
#define STALL_RISE        3e-4
#define STALL_GAP         0.05
/* Each level of the leximin target weighs this much less than the one below it. */
#define LEVEL_WEIGHT 16.0
/* ... but never less than this, well above the LP's tolerances. */
#define LEVEL_WEIGHT_MIN 1e-5
/* master_prune: more than PRUNE_AT panels per row of the master, down to PRUNE_TO. */
#define PRUNE_AT 4
#define PRUNE_TO 3
/* The relaxed target (pn_leximin) holds its lowest level at 1 - RELAX_SHARE * tolerance of the
 * bound and gives the master the rest of the tolerance as margin on it; its master has two
 * levels, the lowest weighing RELAXED_WEIGHT times more than all others together. */
#define RELAX_SHARE    0.75
#define RELAXED_WEIGHT 1000.0

/* ---- the master LP --------------------------------------------------------------------- */

struct master {
    const struct pn_problem *pb;
    glp_prob *lp;
    struct pn_cols cols;
    int *ind;
    double *val;
    double *scale; /* ntypes: coefficient of one seat in the type's row; 0: the row is free */
    double *y;     /* ntypes: row duals (>= 0) */
    double *w;     /* ntypes: price of one seat, y * scale */
    double mu;     /* dual of the convexity row */
    double *fixed; /* ntypes: level, or -1 while free (staged algorithm) */
    int nlev;      /* columns 1..nlev are the levels' s (one but for the leximin target) */
    int solved;    /* 1 after the first solve: later ones start from its basis */
    int pruned;    /* panels dropped by master_prune */
};

static void
master_free(struct master *m)
{
    if (m->lp)
        glp_delete_prob(m->lp);
    pn_cols_free(&m->cols);
    free(m->ind);
    free(m->val);
    free(m->scale);
    free(m->y);
    free(m->w);
    free(m->fixed);
    memset(m, 0, sizeof(*m));
}

/*
 * A master over the given row scales; z lies in [0, zmax] (zmax <= 0: no upper bound). With
 * lvl (ntypes), the leximin target gets one s per level of the fractional point (nlev),
 * lowest first, and the objective weighs each level ratio times less than the one below
 * (LEVEL_WEIGHT; RELAXED_WEIGHT for the relaxed target's two levels): the master gives the
 * lowest probabilities priority, as leximin does, instead of trading them against the higher
 * ones. Without lvl, column 1 is z in every row and columns 2..nlev are empty, for the later
 * stages of the staged algorithm (master_stage).
 */
static int
master_init(struct master *m, const struct pn_problem *pb, const double *scale, double zmax,
            const int *lvl, int nlev, double ratio)
{
    int nt = pb->ntypes;
    memset(m, 0, sizeof(*m));
    m->pb = pb;
    m->cols.ntypes = nt;
    m->nlev = nlev > 1 ? nlev : 1;
    m->ind = malloc((size_t)(nt + 2) * sizeof(int));
    m->val = malloc((size_t)(nt + 2) * sizeof(double));
    m->scale = malloc((size_t)nt * sizeof(double));
    m->y = calloc((size_t)nt, sizeof(double));
    m->w = calloc((size_t)nt, sizeof(double));
    m->fixed = malloc((size_t)nt * sizeof(double));
    if (!m->ind || !m->val || !m->scale || !m->y || !m->w || !m->fixed)
        return -1;
    memcpy(m->scale, scale, (size_t)nt * sizeof(double));
    for (int t = 0; t < nt; t++)
        m->fixed[t] = -1.0;
    m->lp = glp_create_prob();
    glp_set_obj_dir(m->lp, GLP_MAX);
    glp_add_rows(m->lp, nt + 1);
    for (int t = 0; t < nt; t++)
        glp_set_row_bnds(m->lp, t + 1, scale[t] > 0 ? GLP_LO : GLP_FR, 0.0, 0.0);
    glp_set_row_bnds(m->lp, nt + 1, GLP_FX, 1.0, 1.0);
    glp_add_cols(m->lp, m->nlev); /* z, or s per level */
    double weight = 1.0;
    for (int l = 0; l < m->nlev; l++, weight = fmax(weight / ratio, LEVEL_WEIGHT_MIN)) {
        int len = 0;
        if (!lvl && l > 0) {
            glp_set_col_bnds(m->lp, l + 1, GLP_FX, 0.0, 0.0);
            continue;
        }
        for (int t = 0; t < nt; t++)
            if (scale[t] > 0 && (!lvl || lvl[t] == l)) {
                m->ind[++len] = t + 1;
                m->val[len] = -1.0;
            }
        if (len == 0) /* a level whose rows are all left out is met by every panel */
            glp_set_col_bnds(m->lp, l + 1, GLP_FX, zmax > 0 ? zmax : 0.0, zmax > 0 ? zmax : 0.0);
        else if (zmax > 0)
            glp_set_col_bnds(m->lp, l + 1, GLP_DB, 0.0, zmax);
        else
            glp_set_col_bnds(m->lp, l + 1, GLP_LO, 0.0, 0.0);
        glp_set_obj_coef(m->lp, l + 1, weight);
        glp_set_mat_col(m->lp, l + 1, len, m->ind, m->val);
    }
    return 0;
}

/* The smallest s of any level: 1 when the target is reached. */
static double
master_s(const struct master *m)
{
    double s = 1.0;
    for (int l = 0; l < m->nlev; l++) {
        double v = glp_get_col_prim(m->lp, l + 1);
        if (v < s)
            s = v;
    }
    return s;
}

/*
 * Stage s > 0 of the staged algorithm maximises, in column s + 1, how far the free types rise
 * above the level reached so far. The last stage's column is fixed at its value (less
 * FIX_SLACK, so that later stages stay feasible) and leaves the objective; the new one enters
 * the rows of the free types. A fixed type's row thus says "at least its level", a free
 * type's "at least the level plus the new z". Only bounds and an empty nonbasic column change,
 * so the last basis stays valid and feasible and the next solve goes on from it (changing z's
 * column instead cost GLPK 5-100 s per stage on a hard pool). Returns the level so far.
 */
static double
master_stage(struct master *m, int s)
{
    int nt = m->pb->ntypes, len = 0;
    double v = glp_get_col_prim(m->lp, s) - FIX_SLACK, level = 0.0;
    glp_set_col_bnds(m->lp, s, GLP_FX, v > 0 ? v : 0.0, v > 0 ? v : 0.0);
    glp_set_obj_coef(m->lp, s, 0.0);
    for (int j = 1; j <= s; j++)
        level += glp_get_col_ub(m->lp, j);
    for (int t = 0; t < nt; t++)
        if (m->fixed[t] < 0 && m->scale[t] > 0) {
            m->ind[++len] = t + 1;
            m->val[len] = -1.0;
        }
    glp_set_mat_col(m->lp, s + 1, len, m->ind, m->val);
    glp_set_col_bnds(m->lp, s + 1, GLP_LO, 0.0, 0.0);
    glp_set_obj_coef(m->lp, s + 1, 1.0);
    return level;
}

/* Add panel x unless it is there already: 1 added, 0 known, -1 out of memory. */
static int
master_add(struct master *m, const int *x)
{
    if (pn_cols_find(&m->cols, x) >= 0)
        return 0;
    if (pn_cols_add(&m->cols, x) < 0)
        return -1;
    int nt = m->pb->ntypes, len = 0;
    for (int t = 0; t < nt; t++)
        if (x[t] && m->scale[t] > 0) {
            m->ind[++len] = t + 1;
            m->val[len] = x[t] * m->scale[t];
        }
    m->ind[++len] = nt + 1;
    m->val[len] = 1.0;
    int j = glp_add_cols(m->lp, 1);
    glp_set_col_bnds(m->lp, j, GLP_LO, 0.0, 0.0);
    glp_set_mat_col(m->lp, j, len, m->ind, m->val);
    return 1;
}

/*
 * Solve the master from its last basis; fill y, w and mu. Returns 0, -2 when GLPK failed, -3
 * when the deadline (0 for none) passed. The first solve starts from GLPK's crash basis: from
 * the all-slack basis the primal simplex stalls for minutes on these degenerate LPs. A warm
 * start that stalls anyway gets the same treatment.
 */
static int
master_solve(struct master *m, struct panels_stats *st, double deadline)
{
    glp_smcp sm;
    glp_init_smcp(&sm);
    sm.msg_lev = GLP_MSG_OFF;
    sm.meth = GLP_PRIMAL;
    if (deadline > 0) {
        double left = deadline - pn_now();
        if (left <= 0)
            return -3;
        sm.tm_lim = left > 1e6 ? INT_MAX : (int)(left * 1000.0) + 1;
    }
    if (!m->solved) {
        glp_scale_prob(m->lp, GLP_SF_AUTO);
        glp_adv_basis(m->lp, 0);
        m->solved = 1;
    } else {
        sm.it_lim = 20 * m->pb->ntypes + 2000;
    }
    int rc = glp_simplex(m->lp, &sm);
    if (rc == GLP_ETMLIM)
        return -3;
    if (rc != 0 || glp_get_status(m->lp) != GLP_OPT) {
        glp_adv_basis(m->lp, 0);
        sm.it_lim = INT_MAX;
        rc = glp_simplex(m->lp, &sm);
    }
    st->lp_solves++;
    if (rc == GLP_ETMLIM)
        return -3;
    if (rc != 0 || glp_get_status(m->lp) != GLP_OPT)
        return -2;
    int nt = m->pb->ntypes;
    for (int t = 0; t < nt; t++) {
        double d = m->scale[t] > 0 ? -glp_get_row_dual(m->lp, t + 1) : 0.0;
        m->y[t] = d > 0 ? d : 0.0;
        m->w[t] = m->y[t] * m->scale[t];
    }
    m->mu = glp_get_row_dual(m->lp, nt + 1);
    return 0;
}

/*
 * Keep the master small: with more than PRUNE_AT panels per row, drop the unused panels whose
 * reduced cost is the most negative, down to PRUNE_TO per row. Only nonbasic columns go, so
 * GLPK's basis stays valid and the solution the same; a dropped panel that pays again is
 * found again. Returns how many went, -1 out of memory.
 */
static int
master_prune(struct master *m)
{
    int nt = m->pb->ntypes, n = m->cols.n, rows = 1;
    for (int t = 0; t < nt; t++)
        rows += m->scale[t] > 0;
    if (n <= PRUNE_AT * rows)
        return 0;
    int *cand = malloc((size_t)n * sizeof(int)), *num = malloc((size_t)(n + 1) * sizeof(int));
    double *rc = malloc((size_t)n * sizeof(double));
    char *drop = calloc((size_t)n, 1);
    if (!cand || !num || !rc || !drop) {
        free(cand);
        free(num);
        free(rc);
        free(drop);
        return -1;
    }
    int nc = 0;
    for (int j = 0; j < n; j++) {
        int c = j + 1 + m->nlev;
        rc[j] = glp_get_col_dual(m->lp, c);
        if (glp_get_col_stat(m->lp, c) != GLP_BS)
            cand[nc++] = j;
    }
    pn_sort_by(cand, nc, rc, 0);
    int ndrop = n - PRUNE_TO * rows;
    if (ndrop > nc)
        ndrop = nc;
    for (int i = 0; i < ndrop; i++) {
        drop[cand[i]] = 1;
        num[i + 1] = cand[i] + 1 + m->nlev;
    }
    if (ndrop > 0)
        glp_del_cols(m->lp, ndrop, num);
    int k = 0;
    for (int j = 0; j < n; j++)
        if (!drop[j]) {
            if (k != j)
                memcpy(m->cols.x + (long)k * nt, m->cols.x + (long)j * nt,
                       (size_t)nt * sizeof(int));
            k++;
        }
    m->cols.n = k;
    m->pruned += ndrop;
    free(cand);
    free(num);
    free(rc);
    free(drop);
    return ndrop;
}

/* Smallest probability of any type under the master's current solution. */
static double
master_min_prob(const struct master *m)
{
    const struct pn_problem *pb = m->pb;
    int nt = pb->ntypes;
    double *p = calloc((size_t)nt, sizeof(double)), mn = 1.0;
    if (!p)
        return 0.0;
    for (int j = 0; j < m->cols.n; j++) {
        double l = glp_get_col_prim(m->lp, j + 1 + m->nlev);
        if (l <= 0)
            continue;
        const int *x = m->cols.x + (long)j * nt;
        for (int t = 0; t < nt; t++)
            p[t] += l * x[t];
    }
    for (int t = 0; t < nt; t++)
        if (p[t] / pb->cnt[t] < mn)
            mn = p[t] / pb->cnt[t];
    free(p);
    return mn;
}

/* ---- shared state of one run ----------------------------------------------------------- */

struct engine {
    const struct pn_problem *pb;
    const struct panels_select_opts *opts;
    struct panels_stats *st;
    struct pn_pricer *pr;
    struct pn_local *loc;
    struct pn_pairs *pairs; /* NULL when the face has no exact quota */
    struct pn_rng rng;
    double deadline; /* wall clock, 0 for none */
    double t0;       /* start, for debug output */
    int debug;
    double *ws, *yc; /* smoothed prices, smoothing centre */
    int *pos, *xs;
    struct pn_cols found;
};

static int
engine_init(struct engine *e, const struct pn_problem *pb, const struct pn_problem *key,
            const struct panels_select_opts *opts, struct panels_stats *st, double deadline)
{
    int nt = pb->ntypes;
    memset(e, 0, sizeof(*e));
    e->pb = pb;
    e->opts = opts;
    e->st = st;
    e->found.ntypes = nt;
    e->deadline = deadline;
    e->t0 = pn_now();
    const char *dbg = getenv("NOABER_PANELS_DEBUG");
    e->debug = dbg ? atoi(dbg) : 0;
    pn_rng_seed(&e->rng, "noaber-panels-initial");
    e->ws = malloc((size_t)nt * sizeof(double));
    e->yc = malloc((size_t)nt * sizeof(double));
    e->pos = malloc((size_t)nt * sizeof(int));
    e->xs = malloc((size_t)nt * sizeof(int));
    e->loc = pn_local_new(pb);
    e->pr = pn_pricer_new(pb);
    e->pairs = pn_pairs_new(pb, key);
    if (e->pr)
        pn_pricer_deadline(e->pr, deadline);
    return e->ws && e->yc && e->pos && e->xs && e->loc && e->pr ? 0 : -1;
}

static void
engine_free(struct engine *e)
{
    pn_cols_free(&e->found);
    pn_pricer_free(e->pr);
    pn_local_free(e->loc);
    pn_pairs_free(e->pairs);
    free(e->ws);
    free(e->yc);
    free(e->pos);
    free(e->xs);
    memset(e, 0, sizeof(*e));
}

static int
timed_out(const struct engine *e)
{
    return e->deadline > 0 && pn_now() > e->deadline;
}

static void
debug_line(const struct engine *e, const char *what, const struct master *m, double z)
{
    if (e->debug)
        fprintf(stderr, "dbg %.2fs %s cols=%d z=%.9f mu=%.9f lps=%d mips=%d\n", pn_now() - e->t0,
                what, m->cols.n, z, m->mu, e->st->lp_solves, e->st->mip_calls);
}

/* ---- panels to start from -------------------------------------------------------------- */

/* Put the uncovered type b on a copy of some panel by swaps; 1 when added, 0 when no swap
 * sequence works, -1 out of memory. */
static int
cover_by_swaps(struct engine *e, struct master *m, int b, int *keep)
{
    int nt = e->pb->ntypes, n = m->cols.n;
    memset(keep, 0, (size_t)nt * sizeof(int));
    for (int tries = 0; tries < 8 && n > 0; tries++) {
        memcpy(e->xs, m->cols.x + (long)pn_rng_below(&e->rng, n) * nt, (size_t)nt * sizeof(int));
        if (pn_local_insert_repair(e->loc, e->xs, b, keep, &e->rng))
            return master_add(m, e->xs) < 0 ? -1 : 1;
    }
    return 0;
}

/*
 * Panels to start from: batches of systematic samples of the fractional panel y, repaired by
 * swaps. Within a batch the offsets are evenly spread, so every type is on about N times its
 * fractional seat count of the N panels: the first master LP is already close to the target.
 * Then, with cover, every type that should get a chance but is on no panel yet is put on one
 * by swaps, or by the MIP (forced to take it; when even that fails, no panel can hold it);
 * without, pricing does that (for the relaxed target of pn_leximin: on pool e 120 MIPs at
 * the master's prices instead of 217 forced ones). Returns 0, 2 when no panel exists at all,
 * 3 when the deadline passed, -1 out of memory, -2 solver failure.
 */
static int
initial_panels(struct engine *e, struct master *m, const double *y, int want, int cover)
{
    const struct pn_problem *pb = e->pb;
    int nt = pb->ntypes;
    double ymin = 1.0;
    for (int t = 0; t < nt; t++)
        if (y[t] > 1e-9 && y[t] - floor(y[t]) > 1e-9 && y[t] - floor(y[t]) < ymin)
            ymin = y[t] - floor(y[t]);
    int batch = (int)ceil(1.0 / ymin);
    if (batch > want)
        batch = want;
    if (batch < 8)
        batch = 8;
    /* bounded by attempts: in small pools most roundings repeat a known panel */
    for (int tries = 0; m->cols.n < want && tries < 4 * want + 20; tries += batch) {
        if (timed_out(e))
            return 3;
        pn_local_round_order(e->loc, &e->rng);
        double u0 = pn_rng_unit(&e->rng);
        for (int i = 0; i < batch; i++) {
            pn_local_round_at(e->loc, y, (i + u0) / batch, e->xs, &e->rng);
            if (!pn_local_repair(e->loc, e->xs, &e->rng))
                continue;
            if (master_add(m, e->xs) < 0)
                return -1;
        }
    }
    double best;
    if (m->cols.n == 0) {
        for (int t = 0; t < nt; t++)
            e->ws[t] = pn_rng_unit(&e->rng) / pb->cnt[t];
        e->found.n = 0;
        int r = pn_price(e->pr, e->ws, -HUGE_VAL, 1, NULL, &e->found, &best);
        e->st->mip_calls++;
        if (r == 3)
            return 3;
        if (r == 2 || (r >= 0 && e->found.n == 0))
            return 2;
        if (r < 0)
            return -2;
        if (master_add(m, e->found.x) < 0)
            return -1;
    }
    if (!cover)
        return 0;
    /* Cover every type that has a row. */
    char *covered = calloc((size_t)nt, 1);
    int *keep = malloc((size_t)nt * sizeof(int)), rc = 0;
    if (!covered || !keep) {
        rc = -1;
        goto out;
    }
    for (int j = 0; j < m->cols.n; j++)
        for (int t = 0; t < nt; t++)
            covered[t] |= m->cols.x[(long)j * nt + t] > 0;
    for (int b = 0; b < nt && rc == 0; b++) {
        if ((b & 63) == 0 && timed_out(e)) {
            rc = 3;
            break;
        }
        if (covered[b] || m->scale[b] <= 0 || pb->thi[b] == 0)
            continue;
        int a = cover_by_swaps(e, m, b, keep);
        if (a == 0) {
            for (int t = 0; t < nt; t++)
                e->ws[t] = pn_rng_unit(&e->rng) / pb->cnt[t];
            e->found.n = 0;
            pn_pricer_force(e->pr, b, 1);
            int r = pn_price(e->pr, e->ws, -HUGE_VAL, 1, NULL, &e->found, &best);
            pn_pricer_force(e->pr, b, 0);
            e->st->mip_calls++;
            if (r == 3)
                rc = 3;
            else if (r < 0)
                rc = -2;
            else if (r != 2 && e->found.n > 0)
                a = master_add(m, e->found.x + (long)(e->found.n - 1) * nt);
        }
        if (a < 0)
            rc = -1;
        if (a > 0) {
            const int *x = m->cols.x + (long)(m->cols.n - 1) * nt;
            for (int t = 0; t < nt; t++)
                covered[t] |= x[t] > 0;
        }
    }
out:
    free(covered);
    free(keep);
    return rc;
}

/* ---- pricing --------------------------------------------------------------------------- */

/*
 * Heuristic pricing: steepest ascent by swaps on the weights w from the panels the master
 * uses. Adds every panel worth more than mu + PRICE_TOL at the true prices wtrue; returns
 * how many were added, or -1.
 */
static int
local_pricing(struct engine *e, struct master *m, const double *w, const double *wtrue)
{
    const struct pn_problem *pb = e->pb;
    int nt = pb->ntypes, npos = 0, added = 0, tried = 0, *pos = e->pos, *x = e->xs;
    for (int t = 0; t < nt; t++)
        if (w[t] > 0)
            pos[npos++] = t;
    pn_sort_by(pos, npos, w, 1);
    /* Exchanges are cheap on a face with few free seats: start from every panel in use, up to
     * about PAIR_BUDGET pairs of members per round. */
    int limit = 12;
    if (e->pairs) {
        long seats = pb->k;
        for (int t = 0; t < nt; t++)
            seats -= pb->tlo[t];
        long per = seats * (seats + 1) / 2 + 1;
        if (PAIR_BUDGET / per > limit)
            limit = (int)(PAIR_BUDGET / per);
    }
    for (int j = m->cols.n - 1; j >= 0 && tried < limit; j--) {
        if (glp_get_col_prim(m->lp, j + 1 + m->nlev) <= 0.0)
            continue;
        tried++;
        memcpy(x, m->cols.x + (long)j * nt, (size_t)nt * sizeof(int));
        pn_local_ascent(e->loc, x, w, pos, npos);
        if (e->pairs)
            pn_pairs_ascent(e->pairs, x, w);
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

/*
 * One round of pricing: heuristics on smoothed and true prices first, then the MIP, stopped
 * at its first improving panel. Returns the number of panels added, 0 when the MIP proved
 * that no panel beats mu, -1 out of memory, -2 solver failure, -3 when the deadline passed.
 */
static int
price_round(struct engine *e, struct master *m, int *have_center)
{
    int nt = e->pb->ntypes;
    /* Dual smoothing (Wentges): search with a mix of the previous and the current prices,
     * which jump around less; accept by the current prices. */
    if (!*have_center)
        memcpy(e->yc, m->w, (size_t)nt * sizeof(double));
    for (int t = 0; t < nt; t++) {
        e->yc[t] = SMOOTH * e->yc[t] + (1.0 - SMOOTH) * m->w[t];
        e->ws[t] = e->yc[t];
    }
    *have_center = 1;
    int added = local_pricing(e, m, e->ws, m->w);
    if (added == 0)
        added = local_pricing(e, m, m->w, m->w);
    if (added != 0)
        return added;
    /* The best panel among those in use prunes the search. */
    int inc = -1;
    double incv = -HUGE_VAL;
    for (int j = 0; j < m->cols.n; j++) {
        if (glp_get_col_prim(m->lp, j + 1 + m->nlev) <= 0.0)
            continue;
        double v = 0.0;
        const int *x = m->cols.x + (long)j * nt;
        for (int t = 0; t < nt; t++)
            v += m->w[t] * x[t];
        if (v > incv) {
            incv = v;
            inc = j;
        }
    }
    e->found.n = 0;
    double best;
    int r = pn_price(e->pr, m->w, m->mu + PRICE_TOL, 1,
                     inc >= 0 ? m->cols.x + (long)inc * nt : NULL, &e->found, &best);
    e->st->mip_calls++;
    if (r == 3)
        return -3;
    if (r < 0 || r == 2)
        return -2;
    for (int i = 0; i < e->found.n; i++) {
        int a = master_add(m, e->found.x + (long)i * nt);
        if (a < 0)
            return -1;
        added += a;
    }
    if (e->debug)
        fprintf(stderr, "dbg %.2fs mip mu=%.9f best=%.9f found=%d r=%d\n", pn_now() - e->t0, m->mu,
                best, e->found.n, r);
    return added;
}

/* ---- reaching the fractional target ---------------------------------------------------- */

/*
 * Has the target stalled? obj holds the objective of every master solve so far (n of them);
 * stalled when it rose less than STALL_RISE (relative) over the last window solves.
 * Deterministic: it looks at the LP's values only, never at the clock.
 */
int
pn_stalled(const double *obj, int n, int window)
{
    if (n <= window)
        return 0;
    double now = obj[n - 1], then = obj[n - 1 - window];
    return now - then < STALL_RISE * fabs(now);
}

/* Returns 0 when the target is reached, or when every level's s is within the tolerance tol
 * (every type then has at least 1 - tol of its probability in the fractional leximin, which
 * no distribution beats in the leximin order), 1 when it cannot be, 3 on timeout, 4 when the
 * target stalled (with a tolerance) while the smallest probability was within tol or
 * STALL_GAP of the bound (it is then proven that close; leximin's higher levels are the best
 * found), -1 out of memory, -2 solver failure. Stopping once only the lowest level was within
 * tol and going on in stages finished no pool sooner, and on one (skew 1.0 seed 20) the
 * stages' LPs failed. */
static int
reach_target(struct engine *e, struct master *m, double tol, double bound, int relaxed)
{
    int have_center = 0, n = 0, cap = 0, r = 0, fixed_now = 0;
    double *obj = NULL, shown = 0.0; /* progress never goes back */
    /* the share of its level the relaxed target's lowest level needs: (1 - tol) of the bound */
    double need = (1.0 - tol) / (1.0 - RELAX_SHARE * tol) + 1e-6; /* above the LP's tolerances */
    for (;;) {
        int ms = master_solve(m, e->st, e->deadline);
        if (ms < 0) {
            r = ms == -3 ? 3 : -2;
            break;
        }
        double s = master_s(m);
        if (e->debug > 1)
            debug_line(e, "target", m, s);
        /* Once the relaxed target's lowest level has what it needs, it is held there and the
         * master serves only the others: raising it further only took from them. The
         * objective changes, so the stall rule starts over. */
        if (relaxed && glp_get_col_type(m->lp, 1) != GLP_FX && glp_get_col_prim(m->lp, 1) >= need) {
            glp_set_col_bnds(m->lp, 1, GLP_FX, need, need);
            glp_set_obj_coef(m->lp, 1, 0.0);
            fixed_now = 1;
            n = 0;
        }
        /* a relaxed target (pn_leximin) counts only with the minimum within tol of the bound */
        if (s >= 1.0 - TARGET_TOL && !relaxed)
            break;
        if (tol > 0 && s >= 1.0 - tol && (!relaxed || master_min_prob(m) >= (1.0 - tol) * bound))
            break;
        if (n == cap) {
            double *o = realloc(obj, (size_t)(cap = 2 * cap + 64) * sizeof(double));
            if (!o) {
                r = -1;
                break;
            }
            obj = o;
        }
        if (!fixed_now)
            obj[n++] = glp_get_obj_val(m->lp);
        fixed_now = 0;
        int window =
            relaxed && glp_get_col_type(m->lp, 1) == GLP_FX ? STALL_SOLVES_HELD : STALL_SOLVES;
        if (tol > 0 && pn_stalled(obj, n, window) &&
            master_min_prob(m) >= (1.0 - fmax(tol, STALL_GAP)) * bound) {
            if (e->debug)
                debug_line(e, "target stalled", m, s);
            r = 4;
            break;
        }
        if (timed_out(e)) {
            r = 3;
            break;
        }
        shown = fmax(shown, s);
        pn_progress(e->opts, "panels zoeken / searching panels", 0.1 + 0.9 * shown);
        if (master_prune(m) < 0) {
            r = -1;
            break;
        }
        int added = price_round(e, m, &have_center);
        if (added < 0) {
            r = added == -3 ? 3 : added;
            break;
        }
        if (added == 0) {
            if (e->debug)
                debug_line(e, "target not reachable", m, s);
            r = 1;
            break;
        }
    }
    free(obj);
    return r;
}

/* ---- the staged algorithm, when real panels cannot reach the target -------------------- */

/*
 * Stages over real panels. Each stage ends when its master reaches the stage's fractional
 * bound (optimal, no MIP needed), comes within the tolerance tol of it, or when the MIP over
 * all panels proves that no panel beats mu. New panels come from the face of the fractional
 * leximin first (engine face, whose exchanges are cheap; may be NULL) and, once its MIP finds
 * nothing there, from all panels (engine full). Returns 0, 3 on timeout, -1 out of memory,
 * -2 solver failure.
 */
static int
staged(struct engine *face, struct engine *full, struct master *m, int maximin_only, double tol)
{
    const struct pn_problem *pb = full->pb;
    struct engine *e = face ? face : full;
    int nt = pb->ntypes, nfree = nt;
    struct pn_fbound *fb = pn_fbound_new(pb);
    double *u = malloc((size_t)nt * sizeof(double));
    if (!fb || !u) {
        pn_fbound_free(fb);
        free(u);
        return -1;
    }
    int r = 0;
    e->st->stages = 0;
    for (int s = 0; nfree > 0; s++) {
        double base = s > 0 ? master_stage(m, s) : 0.0, z = 0.0, b = 1.0;
        if (pn_fbound_stage(fb, m->fixed, FIX_SLACK, &b, u)) {
            r = -2;
            break;
        }
        if (e->debug)
            fprintf(stderr, "dbg %.2fs stage %d: bound=%.9f free=%d\n", pn_now() - e->t0,
                    e->st->stages + 1, b, nfree);
        int have_center = 0;
        for (;;) {
            int ms = master_solve(m, e->st, e->deadline);
            if (ms < 0) {
                r = ms == -3 ? 3 : -2;
                break;
            }
            z = base + glp_get_obj_val(m->lp);
            if (e->debug > 1)
                debug_line(e, "stage", m, z);
            if (z >= b - TARGET_TOL || z >= (1.0 - tol) * b)
                break; /* at the bound, or close enough */
            int added = timed_out(e) ? -3 : price_round(e, m, &have_center);
            if (added < 0) {
                r = added == -3 ? 3 : added;
                break;
            }
            if (!added && e == face) {
                e = full; /* no panel on the face beats mu: look among all panels */
                have_center = 0;
                continue;
            }
            if (!added)
                break; /* the MIP proved that no panel beats mu: the stage is optimal */
        }
        if (r)
            break;
        e->st->stages++;
        if (e->debug)
            fprintf(stderr, "dbg %.2fs stage %d done: z=%.9f bound=%.9f free=%d cols=%d\n",
                    pn_now() - e->t0, e->st->stages, z, b, nfree, m->cols.n);
        if (maximin_only)
            break;
        /*
         * Fix every free type whose dual is positive; at least the largest. At the bound the
         * bound's LP has the right duals (pn_fbound_stage); otherwise those of the master,
         * which the MIP's proof makes right (or which are as good as a stage within the
         * tolerance gets).
         */
        const double *d = z >= b - TARGET_TOL ? u : m->y;
        int tmax = -1, nfix = 0;
        for (int t = 0; t < nt; t++)
            if (m->fixed[t] < 0 && (tmax < 0 || d[t] > d[tmax]))
                tmax = t;
        for (int t = 0; t < nt; t++)
            if (m->fixed[t] < 0 && (d[t] > FIX_TOL || t == tmax)) {
                m->fixed[t] = z;
                nfix++;
            }
        nfree -= nfix;
        pn_progress(e->opts, "leximin", 0.1 + 0.9 * (nt - nfree) / nt);
    }
    pn_fbound_free(fb);
    free(u);
    return r;
}

/* ---- the whole run --------------------------------------------------------------------- */

static int
by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Level of every type: the rank of its probability among the distinct values of pi (equal
 * within 1e-9), lowest 0. Returns the number of levels, -1 out of memory. */
static int
levels(const double *pi, int nt, int *lvl)
{
    double *v = malloc((size_t)nt * sizeof(double));
    if (!v)
        return -1;
    memcpy(v, pi, (size_t)nt * sizeof(double));
    qsort(v, (size_t)nt, sizeof(double), by_value);
    int n = 0;
    for (int i = 0; i < nt; i++)
        if (n == 0 || v[i] > v[n - 1] + 1e-9)
            v[n++] = v[i];
    for (int t = 0; t < nt; t++) {
        int lo = 0, hi = n - 1;
        while (lo < hi) { /* the last distinct value <= pi[t] + 1e-9 */
            int mid = (lo + hi + 1) / 2;
            if (v[mid] <= pi[t] + 1e-9)
                lo = mid;
            else
                hi = mid - 1;
        }
        lvl[t] = lo;
    }
    free(v);
    return n;
}

/* The master's solution as a type-level distribution. */
static panels_err
take_solution(const struct master *m, struct pn_tdist *out)
{
    int nt = m->pb->ntypes;
    out->cols.ntypes = nt;
    out->lambda = malloc((size_t)(m->cols.n + 1) * sizeof(double));
    if (!out->lambda)
        return PANELS_E_NOMEM;
    double sum = 0.0;
    for (int j = 0; j < m->cols.n; j++) {
        double l = glp_get_col_prim(m->lp, j + 1 + m->nlev);
        if (l < 1e-10)
            continue;
        if (pn_cols_add(&out->cols, m->cols.x + (long)j * nt) < 0)
            return PANELS_E_NOMEM;
        out->lambda[out->cols.n - 1] = l;
        sum += l;
    }
    for (int j = 0; j < out->cols.n; j++)
        out->lambda[j] /= sum;
    return PANELS_OK;
}

/*
 * How far the walk's mixture misses y: the largest difference of any type's probability, with
 * the unplaced weight dropped and the rest scaled up to 1. Large (1) when too much is left.
 */
static double
walk_deviation(const struct pn_problem *pb, struct pn_tdist *wd, const double *y, double left)
{
    int nt = pb->ntypes;
    if (left > 1e-9 || wd->cols.n == 0)
        return 1.0;
    double sum = 0.0, dev = 0.0;
    for (int j = 0; j < wd->cols.n; j++)
        sum += wd->lambda[j];
    for (int j = 0; j < wd->cols.n; j++)
        wd->lambda[j] /= sum;
    double *p = calloc((size_t)nt, sizeof(double));
    if (!p)
        return 1.0;
    for (int j = 0; j < wd->cols.n; j++)
        for (int t = 0; t < nt; t++)
            p[t] += wd->lambda[j] * wd->cols.x[(long)j * nt + t];
    for (int t = 0; t < nt; t++)
        if (fabs(p[t] - y[t]) / pb->cnt[t] > dev)
            dev = fabs(p[t] - y[t]) / pb->cnt[t];
    free(p);
    return dev;
}

static panels_err
solver_error(int r, int maximin_only, struct panels_diag *diag)
{
    if (r == -1)
        return PANELS_E_NOMEM;
    if (r == 3) {
        DIAG("Fout: de loting is niet binnen de tijdslimiet klaar. De quota vragen een panel dat "
             "met deze vrijwilligers heel moeilijk te halen is; verruim ze een beetje en probeer "
             "het opnieuw%s. / Error: the draw did not finish within the time limit. The quotas "
             "ask for a panel that is very hard to reach with these volunteers; widen them a "
             "little and try again%s.",
             maximin_only ? "" : ", of kies maximin in plaats van leximin: dat is sneller klaar",
             maximin_only ? "" : ", or choose maximin instead of leximin: it finishes sooner");
        return PANELS_E_TIMEOUT;
    }
    DIAG("Interne fout: de LP- of MIP-oplosser faalde. / Internal error: the LP or MIP solver "
         "failed.");
    return PANELS_E_INTERNAL;
}

/*
 * Column generation's target from the fractional leximin pi: seats y, the rows' scales (for
 * maximin every type aims at zmin), the levels (for the relaxed target two: the lowest and
 * all others), and the smallest face of y with its engine and master. Returns 0, -1 out of
 * memory.
 */
static int
target_setup(const struct pn_problem *pb, int maximin_only, int relaxed, const double *pi,
             double zmin, double *y, double *scale, int *lvl, struct pn_problem *face,
             struct engine *e, struct master *m, const struct panels_select_opts *opts,
             struct panels_stats *st, double deadline)
{
    int nt = pb->ntypes;
    for (int t = 0; t < nt; t++) {
        double target = maximin_only ? zmin : pi[t];
        y[t] = pi[t] * pb->cnt[t];
        scale[t] = target > 1e-12 ? 1.0 / (pb->cnt[t] * target) : 0.0;
    }
    /* Only panels on the face of y can have weight in an exact decomposition. */
    if (pn_problem_face(pb, y, face))
        return -1;
    /* A type every panel of the face holds alike meets its row whenever s <= 1: without those
     * rows (86 of 1,492 on a hard pool, but most of each column) the master LP is far smaller. */
    for (int t = 0; t < nt; t++)
        if (face->tlo[t] == face->thi[t] && face->tlo[t] * scale[t] >= 1.0 - 1e-9)
            scale[t] = 0.0;
    int nlev = maximin_only ? 0 : levels(pi, nt, lvl);
    if (relaxed && nlev > 2) {
        for (int t = 0; t < nt; t++)
            lvl[t] = lvl[t] > 0;
        nlev = 2;
    }
    if (nlev < 0 || engine_init(e, face, face, opts, st, deadline) < 0 ||
        master_init(m, face, scale, 1.0, maximin_only ? NULL : lvl, nlev,
                    relaxed ? RELAXED_WEIGHT : LEVEL_WEIGHT) < 0)
        return -1;
    return 0;
}

static void
target_free(struct pn_problem *face, struct engine *e, struct master *m)
{
    master_free(m);
    engine_free(e);
    if (face->lo)
        pn_face_free(face);
    memset(face, 0, sizeof(*face));
}

panels_err
pn_leximin(const struct pn_problem *pb, int maximin_only, const struct panels_select_opts *opts,
           struct pn_tdist *out, struct panels_stats *st, struct panels_diag *diag)
{
    int nt = pb->ntypes;
    struct engine e, full;
    struct master m = {0}, m2 = {0};
    struct pn_problem face = {0};
    double *pi = malloc((size_t)nt * sizeof(double));
    double *y = malloc((size_t)nt * sizeof(double));
    double *scale = malloc((size_t)nt * sizeof(double));
    int *lvl = malloc((size_t)nt * sizeof(int));
    panels_err err = PANELS_OK;
    memset(out, 0, sizeof(*out));
    st->share = 1.0;
    glp_term_out(GLP_OFF);
    memset(&e, 0, sizeof(e));
    memset(&full, 0, sizeof(full));
    double tol = opts && opts->tolerance > 0 ? fmin(opts->tolerance, 0.1) : 0.0;
    if (!pi || !y || !scale || !lvl) {
        err = PANELS_E_NOMEM;
        goto out;
    }
    int fstages = 0;
    double t0 = pn_now();
    double deadline = opts && opts->time_limit > 0 ? t0 + opts->time_limit : 0.0;
    int r = pn_frac_leximin(pb, 0, 0.0, pi, &fstages);
    if (getenv("NOABER_PANELS_DEBUG"))
        fprintf(stderr, "dbg frac leximin: %d stages, %.3f s\n", fstages, pn_now() - t0);
    if (r == 2) {
        err = PANELS_E_INFEASIBLE;
        DIAG("Fout: geen enkel panel voldoet aan alle quota. / Error: no panel satisfies all "
             "quotas.");
        goto out;
    }
    if (r < 0) {
        err = solver_error(-2, maximin_only, diag);
        goto out;
    }
    double zmin = 1.0;
    for (int t = 0; t < nt; t++)
        if (pi[t] < zmin)
            zmin = pi[t];
    st->bound = zmin;
    /* Leximin aims at the fractional leximin point; maximin at its value for everyone. */
    if (target_setup(pb, maximin_only, 0, pi, zmin, y, scale, lvl, &face, &e, &m, opts, st,
                     deadline) < 0) {
        err = PANELS_E_NOMEM;
        goto out;
    }
    /* The walk usually writes y as a mixture of real panels outright. */
    double left = 1.0;
    int relaxed = 0;
    {
        struct pn_tdist wd = {.cols = {.ntypes = nt}};
        int wr = pn_walk(pb, y, &e.rng, 4 * nt + 100, e.deadline, &wd, &left);
        if (wr != 0) {
            pn_tdist_free(&wd);
            err = solver_error(wr < 0 ? -1 : 3, maximin_only, diag);
            goto out;
        }
        double dev = walk_deviation(pb, &wd, y, left);
        if (e.debug)
            fprintf(stderr, "dbg %.3fs walk: %d panels, left %.3g, deviation %.3g\n", pn_now() - t0,
                    wd.cols.n, left, dev);
        if (dev <= 1e-9) {
            st->stages = fstages;
            st->columns = wd.cols.n;
            st->reached = zmin;
            *out = wd;
            goto out;
        }
        /*
         * Real panels do not reach y. When the walk left more than the tolerance of it, leximin
         * aims instead at the leximin over fractional panels whose lowest level is held at
         * 1 - RELAX_SHARE * tolerance of its value: on the hardest pools the higher levels are
         * very sensitive to the lowest one (pool e: with the lowest level 0.5 % lower, the
         * bound of the next one goes from 0.098 to 0.217), and the tolerance allows that
         * trade, as it allows a stage of the staged algorithm to end within it. The target
         * counts as reached with the smallest probability within the tolerance of the bound
         * and every other within the tolerance of its level; its master has two levels, the
         * lowest and all others together (reach_target holds the lowest once it has enough),
         * so that it raises the worst-off of the others rather than a sum of their levels.
         */
        if (!maximin_only && tol > 0 && left > tol &&
            pn_frac_leximin(pb, 0, RELAX_SHARE * tol, pi, &fstages) == 0) {
            target_free(&face, &e, &m);
            relaxed = 1;
            if (target_setup(pb, 0, 1, pi, zmin, y, scale, lvl, &face, &e, &m, opts, st, deadline) <
                0) {
                pn_tdist_free(&wd);
                err = PANELS_E_NOMEM;
                goto out;
            }
        }
        /* the walk's panels lie on the face of y; for the relaxed target, those on its face */
        int bad = 0;
        for (int j = 0; !bad && j < wd.cols.n; j++) {
            const int *x = wd.cols.x + (long)j * nt;
            if (!relaxed || pn_local_holds(e.loc, x))
                bad = master_add(&m, x) < 0;
        }
        pn_tdist_free(&wd);
        if (bad) {
            err = PANELS_E_NOMEM;
            goto out;
        }
    }
    /*
     * When the walk got stuck with almost all of y placed, its panels are nearly a solution
     * and the master needs only a few more; roundings of y would only make its LPs larger.
     */
    r = initial_panels(&e, &m, y, left < 1e-6 && !relaxed ? 0 : nt / 2 + 20, !relaxed);
    if (e.debug) {
        int eqv = 0, fx0 = 0, fxc = 0;
        for (int v = 0; v < pb->nvalues; v++)
            eqv += face.lo[v] == face.hi[v];
        for (int t = 0; t < nt; t++) {
            fx0 += face.thi[t] == 0;
            fxc += face.tlo[t] == pb->cnt[t];
        }
        fprintf(stderr, "dbg face: %d of %d quotas exact, %d types out, %d types in\n", eqv,
                pb->nvalues, fx0, fxc);
    }
    if (e.debug)
        fprintf(stderr, "dbg %.2fs frac stages=%d bound=%.9f initial cols=%d types=%d\n",
                pn_now() - t0, fstages, zmin, m.cols.n, nt);
    if (r == 2) {
        err = PANELS_E_INFEASIBLE;
        DIAG("Fout: geen enkel panel voldoet aan alle quota. / Error: no panel satisfies all "
             "quotas.");
        goto out;
    }
    if (r < 0 || r == 3) {
        err = solver_error(r, maximin_only, diag);
        goto out;
    }
    r = reach_target(&e, &m, tol, zmin, relaxed);
    if (r == 0 || r == 4) {
        st->stages = fstages;
        st->columns = m.cols.n + m.pruned;
        st->reached = master_min_prob(&m);
        st->higher_unproven = r == 4 && !maximin_only;
        if (st->higher_unproven)
            st->share = master_s(&m);
        err = take_solution(&m, out);
        goto out;
    }
    if (r != 1) {
        st->reached = m.lp && m.cols.n ? master_min_prob(&m) : 0.0;
        err = solver_error(r, maximin_only, diag);
        goto out;
    }
    /* An integrality gap: the staged algorithm, starting from every panel found so far. */
    for (int t = 0; t < nt; t++)
        scale[t] = 1.0 / pb->cnt[t];
    if (engine_init(&full, pb, &face, opts, st, deadline) < 0 ||
        master_init(&m2, pb, scale, 0.0, NULL, maximin_only ? 1 : nt, LEVEL_WEIGHT) < 0) {
        err = PANELS_E_NOMEM;
        goto out;
    }
    for (int j = 0; j < m.cols.n; j++)
        if (master_add(&m2, m.cols.x + (long)j * nt) < 0) {
            err = PANELS_E_NOMEM;
            goto out;
        }
    r = staged(&e, &full, &m2, maximin_only, tol);
    st->columns = m2.cols.n + m.pruned;
    st->reached = master_min_prob(&m2);
    if (r != 0) {
        err = solver_error(r, maximin_only, diag);
        goto out;
    }
    err = take_solution(&m2, out);
out:
    if (err)
        pn_tdist_free(out);
    master_free(&m2);
    engine_free(&full);
    target_free(&face, &e, &m);
    free(pi);
    free(y);
    free(scale);
    free(lvl);
    return err;
}
