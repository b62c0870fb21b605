/*
 * panels_problem.c — the aggregated problem the solvers work on, and its pricing MIP.
 *
 * Volunteers with the same profile become one type with a count (see panels_int.h). The
 * pricing MIP has one integer variable per type (0..count), one row fixing the panel size,
 * one row per feature value holding its min and max, and one row per household. It answers
 * "which quota-feasible panel has the largest total weight?", the question column generation
 * asks with the dual prices of the master LP. The GLPK problem is built once and only its
 * objective changes between calls, so each LP relaxation starts from the previous basis.
 * Also here: a small seeded random number generator, so nothing depends on the clock.
 */
#include "panels/panels_int.h"

#include <glpk.h>
#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double
pn_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- random numbers -------------------------------------------------------------------- */

void
panels_sha256_hex(const char *text, size_t len, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    if (sodium_init() < 0)
        abort(); /* libsodium cannot run at all: nothing sensible to do */
    crypto_hash_sha256(h, (const unsigned char *)text, len);
    for (int i = 0; i < 32; i++) {
        static const char hex[] = "0123456789abcdef";
        out[2 * i] = hex[h[i] >> 4];
        out[2 * i + 1] = hex[h[i] & 15];
    }
    out[64] = '\0';
}

void
pn_rng_seed(struct pn_rng *r, const char *text)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    if (sodium_init() < 0)
        abort();
    crypto_hash_sha256(h, (const unsigned char *)text, strlen(text));
    for (int i = 0; i < 4; i++) {
        r->s[i] = 0;
        for (int j = 0; j < 8; j++)
            r->s[i] = r->s[i] << 8 | h[8 * i + j];
    }
    if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3]))
        r->s[0] = 1;
}

static uint64_t
rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t
pn_rng_next(struct pn_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double
pn_rng_unit(struct pn_rng *r)
{
    return (double)(pn_rng_next(r) >> 11) * 0x1.0p-53;
}

int
pn_rng_below(struct pn_rng *r, int n)
{
    return n <= 1 ? 0 : (int)(pn_rng_unit(r) * n);
}

/* ---- columns --------------------------------------------------------------------------- */

int
pn_cols_add(struct pn_cols *c, const int *x)
{
    if (c->n == c->cap) {
        int cap = c->cap ? c->cap * 2 : 64;
        int *nx = realloc(c->x, (size_t)cap * (size_t)c->ntypes * sizeof(int));
        if (!nx)
            return -1;
        c->x = nx;
        c->cap = cap;
    }
    memcpy(c->x + (long)c->n * c->ntypes, x, (size_t)c->ntypes * sizeof(int));
    c->n++;
    return 0;
}

int
pn_cols_find(const struct pn_cols *c, const int *x)
{
    for (int i = c->n - 1; i >= 0; i--)
        if (memcmp(c->x + (long)i * c->ntypes, x, (size_t)c->ntypes * sizeof(int)) == 0)
            return i;
    return -1;
}

static const double *g_key; /* pn_sort_by's keys; the engine is single-threaded */
static int g_desc;

static int
by_key(const void *a, const void *b)
{
    int i = *(const int *)a, j = *(const int *)b;
    double x = g_key[i], y = g_key[j];
    if (x != y)
        return (x < y) != g_desc ? -1 : 1;
    return i - j;
}

void
pn_sort_by(int *idx, int n, const double *key, int desc)
{
    g_key = key;
    g_desc = desc != 0;
    qsort(idx, (size_t)n, sizeof(int), by_key);
}

void
pn_cols_free(struct pn_cols *c)
{
    free(c->x);
    c->x = NULL;
    c->n = c->cap = 0;
}

void
pn_tdist_free(struct pn_tdist *d)
{
    pn_cols_free(&d->cols);
    free(d->lambda);
    d->lambda = NULL;
}

/* ---- aggregation ----------------------------------------------------------------------- */

struct pref {
    const int *vals;
    int nf;
    int person;
    int alone; /* 0 for members of a household: they never merge */
};

static int
pref_cmp(const void *a, const void *b)
{
    const struct pref *x = a, *y = b;
    if (x->alone != y->alone)
        return y->alone - x->alone;
    if (x->alone) {
        int c = memcmp(x->vals, y->vals, (size_t)x->nf * sizeof(int));
        if (c)
            return c;
    }
    return x->person - y->person;
}

void
pn_problem_free(struct pn_problem *pb)
{
    free(pb->lo);
    free(pb->hi);
    free(pb->cnt);
    free(pb->tval);
    free(pb->tfirst);
    free(pb->tpeople);
    free(pb->type_of);
    free(pb->hhfirst);
    free(pb->hhtypes);
    free(pb->tlo);
    free(pb->thi);
    memset(pb, 0, sizeof(*pb));
}

panels_err
pn_problem_build(const struct panels_pool *pool, struct pn_problem *pb)
{
    int n = pool->npeople, nf = pool->nfeatures;
    memset(pb, 0, sizeof(*pb));
    pb->k = pool->k;
    pb->nfeatures = nf;
    pb->nvalues = pool->nvalues;
    pb->npeople = n;
    struct pref *refs = malloc((size_t)n * sizeof(*refs));
    pb->lo = malloc((size_t)pool->nvalues * sizeof(int));
    pb->hi = malloc((size_t)pool->nvalues * sizeof(int));
    pb->cnt = malloc((size_t)n * sizeof(int));
    pb->tval = malloc((size_t)n * (size_t)nf * sizeof(int));
    pb->tfirst = malloc((size_t)(n + 1) * sizeof(int));
    pb->tpeople = malloc((size_t)n * sizeof(int));
    pb->type_of = malloc((size_t)n * sizeof(int));
    pb->hhfirst = malloc((size_t)(pool->nhouseholds + 1) * sizeof(int));
    pb->hhtypes = malloc((size_t)n * sizeof(int));
    pb->tlo = calloc((size_t)n, sizeof(int));
    pb->thi = malloc((size_t)n * sizeof(int));
    if (!refs || !pb->lo || !pb->hi || !pb->cnt || !pb->tval || !pb->tfirst || !pb->tpeople ||
        !pb->type_of || !pb->hhfirst || !pb->hhtypes || !pb->tlo || !pb->thi) {
        free(refs);
        pn_problem_free(pb);
        return PANELS_E_NOMEM;
    }
    for (int v = 0; v < pool->nvalues; v++) {
        pb->lo[v] = pool->values[v].min;
        pb->hi[v] = pool->values[v].max;
    }
    for (int i = 0; i < n; i++)
        refs[i] = (struct pref){pool->value_of + (long)i * nf, nf, i, pool->household[i] < 0};
    qsort(refs, (size_t)n, sizeof(*refs), pref_cmp);
    /* Group runs of equal profiles; then renumber types by their first member so the type
     * order follows the people file (deterministic and easy to read in a debugger). */
    int *first = malloc((size_t)n * sizeof(int));
    int *order = malloc((size_t)n * sizeof(int));
    int *tmp_type = malloc((size_t)n * sizeof(int));
    if (!first || !order || !tmp_type) {
        free(first);
        free(order);
        free(tmp_type);
        free(refs);
        pn_problem_free(pb);
        return PANELS_E_NOMEM;
    }
    int nt = 0;
    for (int i = 0; i < n; i++) {
        int same = i > 0 && refs[i].alone && refs[i - 1].alone &&
                   memcmp(refs[i].vals, refs[i - 1].vals, (size_t)nf * sizeof(int)) == 0;
        if (!same)
            first[nt++] = refs[i].person;
        tmp_type[refs[i].person] = nt - 1;
    }
    /* first[] holds each type's smallest person index (refs sorted by person within a run). */
    for (int t = 0; t < nt; t++)
        order[t] = t;
    /* insertion by first member: types are few enough (<= n) and this runs once */
    int *rank = malloc((size_t)nt * sizeof(int));
    if (!rank) {
        free(first);
        free(order);
        free(tmp_type);
        free(refs);
        pn_problem_free(pb);
        return PANELS_E_NOMEM;
    }
    {
        /* counting sort on first member (a permutation of distinct person indices) */
        int *pos = malloc((size_t)n * sizeof(int));
        if (pos) {
            for (int i = 0; i < n; i++)
                pos[i] = -1;
            for (int t = 0; t < nt; t++)
                pos[first[t]] = t;
            int r = 0;
            for (int i = 0; i < n; i++)
                if (pos[i] >= 0)
                    rank[pos[i]] = r++;
            free(pos);
        } else {
            for (int t = 0; t < nt; t++)
                rank[t] = t;
        }
    }
    pb->ntypes = nt;
    memset(pb->cnt, 0, (size_t)nt * sizeof(int));
    for (int i = 0; i < n; i++) {
        int t = rank[tmp_type[i]];
        pb->type_of[i] = t;
        pb->cnt[t]++;
        memcpy(pb->tval + (long)t * nf, pool->value_of + (long)i * nf, (size_t)nf * sizeof(int));
    }
    pb->tfirst[0] = 0;
    for (int t = 0; t < nt; t++)
        pb->tfirst[t + 1] = pb->tfirst[t] + pb->cnt[t];
    memcpy(pb->thi, pb->cnt, (size_t)nt * sizeof(int));
    for (int t = 0; t < nt; t++)
        order[t] = pb->tfirst[t];
    for (int i = 0; i < n; i++)
        pb->tpeople[order[pb->type_of[i]]++] = i;
    /* Households: CSR of member types. */
    pb->nhh = pool->nhouseholds;
    memset(pb->hhfirst, 0, (size_t)(pb->nhh + 1) * sizeof(int));
    for (int i = 0; i < n; i++)
        if (pool->household[i] >= 0)
            pb->hhfirst[pool->household[i] + 1]++;
    for (int h = 0; h < pb->nhh; h++)
        pb->hhfirst[h + 1] += pb->hhfirst[h];
    for (int h = 0; h < pb->nhh; h++)
        order[h] = pb->hhfirst[h];
    for (int i = 0; i < n; i++)
        if (pool->household[i] >= 0)
            pb->hhtypes[order[pool->household[i]]++] = pb->type_of[i];
    free(rank);
    free(first);
    free(order);
    free(tmp_type);
    free(refs);
    return PANELS_OK;
}

panels_err
pn_problem_face(const struct pn_problem *pb, const double *y, struct pn_problem *face)
{
    int nt = pb->ntypes, nv = pb->nvalues, nf = pb->nfeatures;
    *face = *pb;
    face->lo = malloc((size_t)nv * sizeof(int));
    face->hi = malloc((size_t)nv * sizeof(int));
    face->tlo = malloc((size_t)nt * sizeof(int));
    face->thi = malloc((size_t)nt * sizeof(int));
    double *cnt = calloc((size_t)nv, sizeof(double));
    if (!face->lo || !face->hi || !face->tlo || !face->thi || !cnt) {
        free(cnt);
        pn_face_free(face);
        return PANELS_E_NOMEM;
    }
    for (int t = 0; t < nt; t++) {
        face->tlo[t] = pb->tlo[t];
        face->thi[t] = pb->thi[t];
        if (y[t] <= pb->tlo[t] + 1e-7)
            face->thi[t] = pb->tlo[t];
        else if (y[t] >= pb->thi[t] - 1e-7)
            face->tlo[t] = pb->thi[t];
        for (int f = 0; f < nf; f++)
            cnt[pb->tval[(long)t * nf + f]] += y[t];
    }
    for (int v = 0; v < nv; v++) {
        face->lo[v] = pb->lo[v];
        face->hi[v] = pb->hi[v];
        if (cnt[v] <= pb->lo[v] + 1e-7)
            face->hi[v] = pb->lo[v];
        else if (cnt[v] >= pb->hi[v] - 1e-7)
            face->lo[v] = pb->hi[v];
    }
    free(cnt);
    return PANELS_OK;
}

void
pn_face_free(struct pn_problem *face)
{
    free(face->lo);
    free(face->hi);
    free(face->tlo);
    free(face->thi);
    memset(face, 0, sizeof(*face));
}

int
panels_pool_profiles(const struct panels_pool *pool)
{
    struct pn_problem pb;
    if (pn_problem_build(pool, &pb) != PANELS_OK)
        return -1;
    int nt = pb.ntypes;
    pn_problem_free(&pb);
    return nt;
}

/* ---- pricing --------------------------------------------------------------------------- */

struct pn_pricer {
    const struct pn_problem *pb;
    glp_prob *mip;
    int *x;       /* scratch: one integer solution */
    double *heur; /* 1-based incumbent for glp_ios_heur_sol */
    /* per call */
    const double *w;
    double target;
    int stop_early;
    int have_incumbent;
    struct pn_cols *found;
    double best;
    double deadline; /* CLOCK_MONOTONIC seconds, 0 for none */
    int timed_out;
};

void
pn_quota_rows(glp_prob *P, const struct pn_problem *pb, int *ind, double *val)
{
    int nt = pb->ntypes, nf = pb->nfeatures;
    glp_add_rows(P, 1 + pb->nvalues + pb->nhh);
    for (int t = 0; t < nt; t++) {
        ind[t + 1] = t + 1;
        val[t + 1] = 1.0;
    }
    glp_set_mat_row(P, 1, nt, ind, val);
    glp_set_row_bnds(P, 1, GLP_FX, pb->k, pb->k);
    for (int v = 0; v < pb->nvalues; v++) {
        int len = 0;
        for (int t = 0; t < nt; t++)
            for (int f = 0; f < nf; f++)
                if (pb->tval[(long)t * nf + f] == v) {
                    ind[++len] = t + 1;
                    val[len] = 1.0;
                }
        glp_set_mat_row(P, 2 + v, len, ind, val);
        glp_set_row_bnds(P, 2 + v, pb->lo[v] == pb->hi[v] ? GLP_FX : GLP_DB, pb->lo[v], pb->hi[v]);
    }
    for (int h = 0; h < pb->nhh; h++) {
        int len = 0;
        for (int j = pb->hhfirst[h]; j < pb->hhfirst[h + 1]; j++) {
            ind[++len] = pb->hhtypes[j] + 1;
            val[len] = 1.0;
        }
        glp_set_mat_row(P, 2 + pb->nvalues + h, len, ind, val);
        glp_set_row_bnds(P, 2 + pb->nvalues + h, GLP_UP, 0.0, 1.0);
    }
}

struct pn_pricer *
pn_pricer_new(const struct pn_problem *pb)
{
    struct pn_pricer *pr = calloc(1, sizeof(*pr));
    int nt = pb->ntypes;
    int *ind = malloc((size_t)(nt + 2) * sizeof(int));
    double *val = malloc((size_t)(nt + 2) * sizeof(double));
    if (!pr || !ind || !val)
        goto fail;
    pr->pb = pb;
    pr->x = malloc((size_t)nt * sizeof(int));
    pr->heur = malloc((size_t)(nt + 1) * sizeof(double));
    if (!pr->x || !pr->heur)
        goto fail;
    glp_term_out(GLP_OFF);
    glp_prob *P = pr->mip = glp_create_prob();
    glp_set_obj_dir(P, GLP_MAX);
    glp_add_cols(P, nt);
    for (int t = 0; t < nt; t++) {
        glp_set_col_kind(P, t + 1, GLP_IV);
        glp_set_col_bnds(P, t + 1, pb->tlo[t] < pb->thi[t] ? GLP_DB : GLP_FX, pb->tlo[t],
                         pb->thi[t]);
    }
    pn_quota_rows(P, pb, ind, val);
    glp_adv_basis(P, 0);
    free(ind);
    free(val);
    return pr;
fail:
    free(ind);
    free(val);
    pn_pricer_free(pr);
    return NULL;
}

void
pn_pricer_free(struct pn_pricer *pr)
{
    if (!pr)
        return;
    if (pr->mip)
        glp_delete_prob(pr->mip);
    free(pr->x);
    free(pr->heur);
    free(pr);
}

void
pn_pricer_deadline(struct pn_pricer *pr, double deadline)
{
    pr->deadline = deadline;
}

void
pn_pricer_force(struct pn_pricer *pr, int t, int lo)
{
    int c = pr->pb->thi[t];
    if (lo < pr->pb->tlo[t])
        lo = pr->pb->tlo[t];
    if (lo >= c)
        glp_set_col_bnds(pr->mip, t + 1, GLP_FX, c, c);
    else
        glp_set_col_bnds(pr->mip, t + 1, GLP_DB, lo, c);
}

/* Read the current integer solution of P into pr->x; returns its weight. */
static double
read_solution(struct pn_pricer *pr, glp_prob *P)
{
    double v = 0.0;
    for (int t = 0; t < pr->pb->ntypes; t++) {
        pr->x[t] = (int)lround(glp_mip_col_val(P, t + 1));
        v += pr->w[t] * pr->x[t];
    }
    return v;
}

static void
price_callback(glp_tree *T, void *info)
{
    struct pn_pricer *pr = info;
    switch (glp_ios_reason(T)) {
    case GLP_ISELECT:
        if (pr->deadline > 0 && pn_now() > pr->deadline) {
            pr->timed_out = 1;
            glp_ios_terminate(T);
        }
        break;
    case GLP_IHEUR:
        if (pr->have_incumbent) {
            pr->have_incumbent = 0;
            glp_ios_heur_sol(T, pr->heur);
        }
        break;
    case GLP_IBINGO: {
        double v = read_solution(pr, glp_ios_get_prob(T));
        if (v > pr->best)
            pr->best = v;
        if (v > pr->target && pr->found && pn_cols_find(pr->found, pr->x) < 0) {
            if (pn_cols_add(pr->found, pr->x) < 0) {
                glp_ios_terminate(T);
                break;
            }
            if (pr->stop_early)
                glp_ios_terminate(T);
        }
        break;
    }
    default:
        break;
    }
}

int
pn_price(struct pn_pricer *pr, const double *w, double target, int stop_early, const int *incumbent,
         struct pn_cols *found, double *best)
{
    glp_prob *P = pr->mip;
    int nt = pr->pb->ntypes;
    for (int t = 0; t < nt; t++)
        glp_set_obj_coef(P, t + 1, w[t]);
    pr->w = w;
    pr->target = target;
    pr->stop_early = stop_early;
    pr->found = found;
    pr->best = -HUGE_VAL;
    pr->have_incumbent = 0;
    pr->timed_out = 0;
    if (incumbent) {
        pr->heur[0] = 0.0;
        for (int t = 0; t < nt; t++)
            pr->heur[t + 1] = incumbent[t];
        pr->have_incumbent = 1;
    }
    glp_smcp sm;
    glp_init_smcp(&sm);
    sm.msg_lev = GLP_MSG_OFF;
    sm.presolve = GLP_OFF;
    int rc = glp_simplex(P, &sm);
    if (rc != 0) {
        /* A stale basis can upset the simplex: rebuild it once and retry. */
        glp_adv_basis(P, 0);
        rc = glp_simplex(P, &sm);
    }
    if (rc == GLP_ENOPFS || (rc == 0 && glp_get_status(P) == GLP_NOFEAS))
        return 2;
    if (rc != 0 || glp_get_status(P) != GLP_OPT)
        return -1;
    glp_iocp io;
    glp_init_iocp(&io);
    io.msg_lev = GLP_MSG_OFF;
    io.presolve = GLP_OFF;
    io.cb_func = price_callback;
    io.cb_info = pr;
    io.mip_gap = 0.0;
    /* Most fractional variable: Driebeck-Tomlin evaluates a simplex tableau row per candidate,
     * which with 1,500 types took half of column generation's time; with this rule a round
     * costs a third to a half as much (docs/panels.md). */
    io.br_tech = GLP_BR_MFV;
    io.bt_tech = GLP_BT_BLB;
    rc = glp_intopt(P, &io);
    *best = pr->best;
    if (pr->timed_out)
        return 3;
    if (rc == GLP_ESTOP)
        return 1;
    if (rc == GLP_ENOPFS || glp_mip_status(P) == GLP_NOFEAS)
        return 2;
    if (rc != 0)
        return -1;
    /* The optimum may equal the incumbent we supplied, which GLPK does not report. */
    if (glp_mip_status(P) == GLP_OPT) {
        double v = read_solution(pr, P);
        if (v > *best)
            *best = v;
        if (v > target && found && pn_cols_find(found, pr->x) < 0 && pn_cols_add(found, pr->x) < 0)
            return -1;
    }
    return 0;
}
