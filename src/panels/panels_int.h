/*
 * panels_int.h — internals shared by the engine's files, not part of the public face.
 *
 * The solver never looks at single volunteers: people with the same feature profile are
 * interchangeable for the quotas, so they form one "type" with a count, and a panel is a
 * vector of counts per type. Members of a household of two or more are each their own type
 * (count 1), and a household row says at most one of them may sit on a panel. The pricing
 * MIP (panels_problem.c) finds the panel of greatest weight; the master LP and the leximin
 * stages live in panels_leximin.c, the walk in panels_walk.c, swaps and exchanges of two for
 * two in panels_local.c and panels_pairs.c; panels_select.c turns type-level panels back into
 * panels of people with exactly equal probabilities within each type.
 */
#ifndef NOABER_PANELS_INT_H
#define NOABER_PANELS_INT_H

#include "panels/panels.h"

#include <stdint.h>

struct pn_problem {
    int k, nfeatures, nvalues, ntypes, npeople;
    int *lo, *hi;   /* nvalues: quota bounds */
    int *cnt;       /* ntypes: people of each type */
    int *tval;      /* ntypes * nfeatures: value index per feature */
    int *tfirst;    /* ntypes + 1: members of type t are tpeople[tfirst[t] .. tfirst[t+1]) */
    int *tpeople;   /* npeople, ascending within each type */
    int *type_of;   /* npeople */
    int nhh;        /* households of two or more */
    int *hhfirst;   /* nhh + 1 */
    int *hhtypes;   /* the (singleton) types of each household */
    int *tlo, *thi; /* ntypes: seats a panel gives each type, 0 and cnt unless on a face */
};

panels_err pn_problem_build(const struct panels_pool *pool, struct pn_problem *pb);
void pn_problem_free(struct pn_problem *pb);

/*
 * The smallest face of the fractional panel polytope holding y: every quota that y meets
 * exactly becomes an equality and every type y leaves out or takes whole stays so. An exact
 * decomposition of y into panels uses only panels of this face. *face shares everything with
 * pb except lo, hi, tlo and thi; release it with pn_face_free. Errors: PANELS_E_NOMEM.
 */
panels_err pn_problem_face(const struct pn_problem *pb, const double *y, struct pn_problem *face);
void pn_face_free(struct pn_problem *face);

/* A growing set of type-level panels (columns). */
struct pn_cols {
    int ntypes;
    int n, cap;
    int *x; /* n * ntypes */
};

int pn_cols_add(struct pn_cols *c, const int *x); /* 0 ok, -1 out of memory; skips duplicates? no */
int pn_cols_find(const struct pn_cols *c, const int *x); /* index or -1 */
void pn_cols_free(struct pn_cols *c);

/* Sort the indices idx[0..n) by key[idx], ascending (desc: descending), ties by index. */
void pn_sort_by(int *idx, int n, const double *key, int desc);

/* CLOCK_MONOTONIC in seconds: only for time limits, which end a run with an error and never
 * change its answer. */
double pn_now(void);

/* Deterministic pseudo-random numbers (xoshiro256**), seeded from text with SHA-256. */
struct pn_rng {
    uint64_t s[4];
};

void pn_rng_seed(struct pn_rng *r, const char *text);
uint64_t pn_rng_next(struct pn_rng *r);
double pn_rng_unit(struct pn_rng *r);      /* [0,1) */
int pn_rng_below(struct pn_rng *r, int n); /* [0,n) */

/* ---- GLPK models ----------------------------------------------------------------------- */

struct glp_prob;
/* Adds the quota rows to P, which has the T type columns first and no rows yet: row 1 the panel
 * size (= k), rows 2.. one per feature value (min..max), then one per household (at most 1).
 * IND and VAL are scratch arrays of T + 1 entries. */
void pn_quota_rows(struct glp_prob *P, const struct pn_problem *pb, int *ind, double *val);

/* ---- pricing MIP ----------------------------------------------------------------------- */

struct pn_pricer;

struct pn_pricer *pn_pricer_new(const struct pn_problem *pb);
void pn_pricer_free(struct pn_pricer *pr);

/*
 * Maximise sum_t w[t] * x[t] over quota-feasible panels. Every integer solution found with
 * value > target goes into found (duplicates skipped). With stop_early, the search ends at the
 * first such solution; otherwise it runs to optimality. incumbent (may be NULL) is a known
 * feasible panel used to prune. Returns 0 when the search completed (so no panel exceeds
 * max(target, *best)), 1 when stopped early, 2 when infeasible, 3 when the deadline set with
 * pn_pricer_deadline passed (nothing proved), -1 on solver failure. *best receives the value
 * of the best solution found (or -inf).
 */
int pn_price(struct pn_pricer *pr, const double *w, double target, int stop_early,
             const int *incumbent, struct pn_cols *found, double *best);

/* CLOCK_MONOTONIC time (pn_now) after which pn_price gives up with 3; 0 for none. */
void pn_pricer_deadline(struct pn_pricer *pr, double deadline);

/* Require at least lo members of type t on every panel the pricer returns (0 to undo). */
void pn_pricer_force(struct pn_pricer *pr, int t, int lo);

/* ---- swaps between feasible panels (panels_local.c) ----------------------------------- */

struct pn_local;

struct pn_local *pn_local_new(const struct pn_problem *pb);
void pn_local_free(struct pn_local *l);

/* Put one member of type b on panel x, then repair broken quotas by swaps (never taking
 * off members counted in keep[]). 1 when x is feasible again; 0 leaves x unchanged. */
int pn_local_insert_repair(struct pn_local *l, int *x, int b, const int *keep, struct pn_rng *rng);

/*
 * Systematic sampling of a fractional panel y (sum k, 0 <= y <= cnt): pn_local_round_order
 * draws an order of the types (grouped by one random feature); pn_local_round_at then gives
 * integer counts x with sum k, each the floor or ceiling of y_t, for an offset u in [0,1).
 * Over u uniform, E[x_t] = y_t; offsets (i + U) / N for i < N give a batch in which every
 * type appears floor or ceil of N times its fractional part. x may break quotas.
 */
void pn_local_round_order(struct pn_local *l, struct pn_rng *rng);
void pn_local_round_at(struct pn_local *l, const double *y, double u, int *x, struct pn_rng *rng);

/* Repair x (sum k) by swaps until every quota and the household rule hold: 1 when done, 0
 * when it got stuck (x is then left in some intermediate state). */
int pn_local_repair(struct pn_local *l, int *x, struct pn_rng *rng);

/* Steepest ascent of sum w x by feasible swaps; pos: types with w > 0, by decreasing w.
 * Returns the final weight. */
double pn_local_ascent(struct pn_local *l, int *x, const double *w, const int *pos, int npos);
/* 1 when panel x (a real panel) lies in l's problem: every type within its seats on the face
 * and every quota met. */
int pn_local_holds(struct pn_local *l, const int *x);

/* ---- exchanges of two members for two others (panels_pairs.c) -------------------------- */

struct pn_pairs;

/* A table of every pair of types free in pb, by their counts on the exact quotas of the face
 * key (pb itself, or a face of pb); exchanges are checked against pb. NULL when key has no
 * exact quota, when the table would be too large (then single swaps are as good), or out of
 * memory. */
struct pn_pairs *pn_pairs_new(const struct pn_problem *pb, const struct pn_problem *key);
void pn_pairs_free(struct pn_pairs *p);

/* Steepest ascent of sum w x on the panel x of the face by exchanging one or two members for
 * one or two others; returns the final weight. */
double pn_pairs_ascent(struct pn_pairs *p, int *x, const double *w);

/* ---- leximin over the relaxed polytope (panels_frac.c) ------------------------------- */

/*
 * Leximin (or with maximin_only the first stage) of y_t / c_t over fractional panels: pi
 * (ntypes) receives the per-type probabilities, *stages the number of LPs. With relax > 0 the
 * types of the first stage are held at only 1 - relax times its value, which leaves the higher
 * stages room (a target for pools whose exact point real panels cannot reach). Returns 0, 2
 * when even fractional panels are impossible, -1 on solver failure or out of memory.
 */
int pn_frac_leximin(const struct pn_problem *pb, int maximin_only, double relax, double *pi,
                    int *stages);

/*
 * Bound for one stage of the staged algorithm over real panels: the largest z such that some
 * fractional panel gives every free type (fixed[t] < 0) at least z and every fixed type at
 * least fixed[t] - slack, as probabilities. No distribution over real panels does better, so
 * a stage whose master reaches the bound is optimal without a MIP. The LP is kept between
 * stages (only bounds change) and warm-started. u (ntypes) receives the duals of the free
 * types' rows: when real panels reach the bound, a type with a positive dual is at z in every
 * optimal distribution over real panels too (complementary slackness, since their expected
 * seat counts are a point of the LP). Returns 0, -1 on solver failure.
 */
struct pn_fbound;
struct pn_fbound *pn_fbound_new(const struct pn_problem *pb);
int pn_fbound_stage(struct pn_fbound *fb, const double *fixed, double slack, double *z, double *u);
void pn_fbound_free(struct pn_fbound *fb);

/* ---- algorithms ------------------------------------------------------------------------ */

/* Type-level distribution: cols with weights lambda (sum 1). */
struct pn_tdist {
    struct pn_cols cols;
    double *lambda;
};

void pn_tdist_free(struct pn_tdist *d);

/* Whether the leximin target has stalled: obj holds the master's objective after each of its n
 * solves so far; 1 when the last window of them rose by less than a small fraction
 * (panels_leximin.c). */
int pn_stalled(const double *obj, int n, int window);

/*
 * Carathéodory walk from the fractional panel y (in the polytope of pb): out (zeroed, with
 * cols.ntypes set) receives real panels and weights with sum_p lambda_p x_p = y - *left y',
 * where *left is the weight the walk could not place (0 when done; then the weights add up
 * to 1). At most max_steps MIPs; deadline is a CLOCK_MONOTONIC time in seconds, 0 for none.
 * Returns 0, 1 when the deadline passed, -1 out of memory.
 */
int pn_walk(const struct pn_problem *pb, const double *y, struct pn_rng *rng, int max_steps,
            double deadline, struct pn_tdist *out, double *left);

panels_err pn_leximin(const struct pn_problem *pb, int maximin_only,
                      const struct panels_select_opts *opts, struct pn_tdist *out,
                      struct panels_stats *st, struct panels_diag *diag);

panels_err pn_legacy(const struct panels_pool *pool, const struct pn_problem *pb, int runs,
                     struct pn_tdist *out, struct panels_diag *diag);

void pn_dist_free(struct panels_dist *d);

/* Report progress through opts (rate-limited by the caller). */
void pn_progress(const struct panels_select_opts *opts, const char *phase, double frac);

#endif
