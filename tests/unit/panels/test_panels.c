/*
 * test_panels.c — the citizens' panel engine on small pools, checked against brute force.
 *
 * Small pools (n <= 12) let us enumerate every quota-feasible panel and compute the exact
 * leximin vector independently of the engine: repeatedly maximise the smallest free
 * probability over all panels with an LP, then fix exactly those people who cannot get more
 * (one LP per person, the textbook definition, no duals). The engine's probabilities must
 * match within 1e-6. Also: CSV dialects, every format error, households, the draw's
 * determinism, the lottery, infeasibility advice and the replication examples.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glpk.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panels/panels.h"
#include "panels/panels_int.h"

static void
parse_text(const char *text, struct panels_table *t)
{
    struct panels_diag d = {{0}};
    panels_err err = panels_table_parse(text, strlen(text), t, &d);
    if (err)
        fprintf(stderr, "%s\n", d.msg);
    assert_int_equal(err, PANELS_OK);
}

/* Build a pool from CSV texts; returns the error, fills diag. */
static panels_err
build(const char *features, const char *people, int k, const char *const *hh,
      struct panels_pool *pool, struct panels_diag *diag)
{
    struct panels_table ft, pt;
    parse_text(features, &ft);
    parse_text(people, &pt);
    struct panels_pool_opts po = {.k = k, .household_columns = hh};
    panels_err err = panels_pool_build(&ft, &pt, &po, pool, diag);
    panels_table_free(&ft);
    panels_table_free(&pt);
    return err;
}

/* ---- CSV ------------------------------------------------------------------------------- */

static void
test_csv_dialects(void **state)
{
    struct panels_table t;
    /* BOM, semicolons, quotes with separator and escaped quote, CRLF, no final newline */
    parse_text("\xEF\xBB\xBFid;name;x\r\n1;\"a;b\";\"say \"\"hi\"\"\"\r\n\r\n2;c;d", &t);
    assert_int_equal(t.ncols, 3);
    assert_int_equal(t.nrows, 2);
    assert_string_equal(t.header[0], "id");
    assert_string_equal(t.cells[1], "a;b");
    assert_string_equal(t.cells[2], "say \"hi\"");
    assert_string_equal(t.cells[5], "d");
    assert_int_equal(t.line[1], 4);
    panels_table_free(&t);
    /* quoted newline, missing trailing field */
    parse_text("a,b,c\n\"x\ny\",1\n", &t);
    assert_string_equal(t.cells[0], "x\ny");
    assert_string_equal(t.cells[2], "");
    panels_table_free(&t);
}

static void
test_csv_errors(void **state)
{
    struct panels_table t;
    struct panels_diag d = {{0}};
    const char *unterminated = "a,b\n\"x,1\n";
    assert_int_equal(panels_table_parse(unterminated, strlen(unterminated), &t, &d), PANELS_E_CSV);
    assert_non_null(strstr(d.msg, "quote"));
    const char *ragged = "a,b\n1,2,3\n";
    assert_int_equal(panels_table_parse(ragged, strlen(ragged), &t, &d), PANELS_E_CSV);
    assert_non_null(strstr(d.msg, "line 2"));
    assert_int_equal(panels_table_parse("", 0, &t, &d), PANELS_E_CSV);
    assert_int_equal(panels_table_load("/nonexistent/x.csv", &t, &d), PANELS_E_IO);
}

/* ---- format errors --------------------------------------------------------------------- */

static const char feats[] = "feature,value,min,max\n"
                            "gender,f,1,2\n"
                            "gender,m,1,2\n"
                            "age,young,0,2\n"
                            "age,old,1,3\n";

static const char people[] = "id,gender,age\n"
                             "a,f,young\n"
                             "b,f,old\n"
                             "c,m,young\n"
                             "d,m,old\n"
                             "e,m,old\n";

static void
expect_error(const char *f, const char *p, int k, panels_err want, const char *needle)
{
    struct panels_pool pool;
    struct panels_diag d = {{0}};
    panels_err err = build(f, p, k, NULL, &pool, &d);
    if (err != want)
        fprintf(stderr, "got %d: %s\n", err, d.msg);
    assert_int_equal(err, want);
    assert_non_null(strstr(d.msg, needle));
    assert_non_null(strstr(d.msg, "Fout"));
}

static void
test_format_errors(void **state)
{
    expect_error(feats, "id,gender,age\na,f,young\nb,x,old\n", 2, PANELS_E_UNKNOWN_VALUE,
                 "unknown value 'x' in column 'gender' (line 3)");
    expect_error(feats, "id,gender,age\na,f,young\na,m,old\n", 2, PANELS_E_DUP_ID,
                 "duplicate id 'a'");
    expect_error(feats, "id,gender\na,f\n", 1, PANELS_E_COLUMN_MISSING, "column 'age'");
    expect_error("feature,value,min,max\ngender,f,3,2\n", "id,gender\na,f\n", 1,
                 PANELS_E_MIN_GT_MAX, "min 3 is greater than max 2");
    expect_error(feats, people, 6, PANELS_E_K_RANGE, "panel size 6");
    expect_error(feats, "id,gender,age\n", 1, PANELS_E_EMPTY_POOL, "no volunteers");
    expect_error("feature,value,min,max\ngender,f,one,2\n", "id,gender\na,f\n", 1, PANELS_E_NUMBER,
                 "'one'");
    expect_error("feature,value,min\ngender,f,1\n", "id,gender\na,f\n", 1, PANELS_E_HEADER,
                 "feature,value,min,max");
    expect_error("feature,value,min,max\ng,f,0,1\ng,f,0,1\n", "id,g\na,f\n", 1, PANELS_E_DUP_QUOTA,
                 "listed twice");
}

static void
test_replication_format(void **state)
{
    struct panels_pool pool;
    struct panels_diag d = {{0}};
    /* category,feature,min,max; no id column: ids are data row numbers; an unmatched quota
     * row with min 0 is fine */
    panels_err err = build("category,feature,min,max\ngender,female,1,2\ngender,male,1,2\n"
                           "gender,other,0,1",
                           "gender\nfemale\nmale\nmale\n", 2, NULL, &pool, &d);
    assert_int_equal(err, PANELS_OK);
    assert_int_equal(pool.npeople, 3);
    assert_string_equal(pool.ids[2], "3");
    assert_int_equal(pool.nvalues, 3);
    assert_int_equal(panels_pool_profiles(&pool), 2);
    panels_pool_free(&pool);
}

/* ---- brute force leximin --------------------------------------------------------------- */

struct brute {
    int n, k, npanels, cap;
    int *panels; /* npanels * k */
};

static int
feasible(const struct panels_pool *pool, const int *mem)
{
    int count[64] = {0};
    for (int j = 0; j < pool->k; j++) {
        for (int f = 0; f < pool->nfeatures; f++)
            count[pool->value_of[mem[j] * pool->nfeatures + f]]++;
        for (int l = 0; l < j; l++)
            if (pool->household[mem[j]] >= 0 && pool->household[mem[j]] == pool->household[mem[l]])
                return 0;
    }
    for (int v = 0; v < pool->nvalues; v++)
        if (count[v] < pool->values[v].min || count[v] > pool->values[v].max)
            return 0;
    return 1;
}

static void
enumerate(const struct panels_pool *pool, struct brute *b, int *mem, int depth, int from)
{
    if (depth == pool->k) {
        if (!feasible(pool, mem))
            return;
        if (b->npanels == b->cap) {
            b->cap = b->cap ? 2 * b->cap : 64;
            b->panels = realloc(b->panels, (size_t)b->cap * pool->k * sizeof(int));
        }
        memcpy(b->panels + b->npanels * pool->k, mem, pool->k * sizeof(int));
        b->npanels++;
        return;
    }
    for (int i = from; i < pool->npeople; i++) {
        mem[depth] = i;
        enumerate(pool, b, mem, depth + 1, i + 1);
    }
}

/*
 * LP over all panels: variables lambda_p and z. Rows: one per person (pi_i - z >= 0 when free,
 * pi_i >= fixed when fixed), sum lambda = 1. obj_person >= 0 maximises that person's pi.
 */
static double
lex_lp(const struct panels_pool *pool, const struct brute *b, const double *fixed, double zmin,
       int obj_person)
{
    int n = pool->npeople, m = b->npanels, k = pool->k;
    glp_prob *P = glp_create_prob();
    glp_set_obj_dir(P, GLP_MAX);
    glp_add_rows(P, n + 1);
    glp_add_cols(P, m + 1);
    int *ind = malloc((n + 2) * sizeof(int));
    double *val = malloc((n + 2) * sizeof(double));
    for (int i = 0; i < n; i++) {
        if (fixed[i] >= 0)
            glp_set_row_bnds(P, i + 1, GLP_LO, fixed[i] - 1e-9, 0);
        else
            glp_set_row_bnds(P, i + 1, GLP_LO, 0, 0);
    }
    glp_set_row_bnds(P, n + 1, GLP_FX, 1, 1);
    for (int p = 0; p < m; p++) {
        for (int j = 0; j < k; j++) {
            ind[j + 1] = b->panels[p * k + j] + 1;
            val[j + 1] = 1;
        }
        ind[k + 1] = n + 1;
        val[k + 1] = 1;
        glp_set_mat_col(P, p + 1, k + 1, ind, val);
        glp_set_col_bnds(P, p + 1, GLP_LO, 0, 0);
    }
    int len = 0;
    for (int i = 0; i < n; i++)
        if (fixed[i] < 0) {
            ind[++len] = i + 1;
            val[len] = -1;
        }
    glp_set_mat_col(P, m + 1, len, ind, val);
    if (obj_person < 0) {
        glp_set_col_bnds(P, m + 1, GLP_LO, 0, 0);
        glp_set_obj_coef(P, m + 1, 1);
    } else {
        glp_set_col_bnds(P, m + 1, GLP_FX, zmin - 1e-9, zmin - 1e-9);
        for (int p = 0; p < m; p++)
            for (int j = 0; j < k; j++)
                if (b->panels[p * k + j] == obj_person)
                    glp_set_obj_coef(P, p + 1, 1);
    }
    glp_smcp sm;
    glp_init_smcp(&sm);
    sm.msg_lev = GLP_MSG_OFF;
    assert_int_equal(glp_simplex(P, &sm), 0);
    assert_int_equal(glp_get_status(P), GLP_OPT);
    double v = glp_get_obj_val(P);
    glp_delete_prob(P);
    free(ind);
    free(val);
    return v;
}

static void
brute_leximin(const struct panels_pool *pool, double *out)
{
    struct brute b = {0};
    int mem[16];
    enumerate(pool, &b, mem, 0, 0);
    assert_true(b.npanels > 0);
    int n = pool->npeople, nfree = n;
    for (int i = 0; i < n; i++)
        out[i] = -1;
    while (nfree > 0) {
        double z = lex_lp(pool, &b, out, 0, -1);
        int fixed_any = 0;
        double *snap = malloc(n * sizeof(double));
        memcpy(snap, out, n * sizeof(double));
        for (int i = 0; i < n; i++)
            if (snap[i] < 0 && lex_lp(pool, &b, snap, z, i) <= z + 1e-7) {
                out[i] = z;
                nfree--;
                fixed_any = 1;
            }
        free(snap);
        assert_true(fixed_any);
    }
    free(b.panels);
}

/* Returns the number of distinct probability levels of the exact leximin vector. */
static int
compare_with_brute(const char *f, const char *p, int k, const char *const *hh)
{
    struct panels_pool pool;
    struct panels_diag d = {{0}};
    assert_int_equal(build(f, p, k, hh, &pool, &d), PANELS_OK);
    double want[16];
    brute_leximin(&pool, want);
    struct panels_select_opts so = {.algorithm = PANELS_LEXIMIN};
    struct panels_result res;
    panels_err err = panels_select(&pool, &so, &res, &d);
    if (err)
        fprintf(stderr, "%s\n", d.msg);
    assert_int_equal(err, PANELS_OK);
    double sum = 0;
    for (int i = 0; i < pool.npeople; i++) {
        if (fabs(res.person_prob[i] - want[i]) > 1e-6)
            fprintf(stderr, "person %s: engine %.9f brute %.9f\n", pool.ids[i], res.person_prob[i],
                    want[i]);
        assert_true(fabs(res.person_prob[i] - want[i]) <= 1e-6);
        sum += res.person_prob[i];
    }
    assert_true(fabs(sum - k) < 1e-6);
    assert_int_equal(panels_check(&pool, &res.dist, &d), PANELS_OK);
    /* maximin reaches the same minimum */
    struct panels_result mx;
    so.algorithm = PANELS_MAXIMIN;
    assert_int_equal(panels_select(&pool, &so, &mx, &d), PANELS_OK);
    assert_true(fabs(mx.min_prob - res.min_prob) < 1e-6);
    panels_result_free(&mx);
    /* With the command line's tolerance: valid panels, the minimum within the tolerance of the
     * exact one, and the reported bound a true upper bound on it. */
    double wmin = 1.0;
    for (int i = 0; i < pool.npeople; i++)
        wmin = fmin(wmin, want[i]);
    for (int alg = PANELS_LEXIMIN; alg <= PANELS_MAXIMIN; alg++) {
        struct panels_result tr;
        struct panels_select_opts to = {.algorithm = (enum panels_algorithm)alg,
                                        .tolerance = PANELS_TOLERANCE_DEFAULT};
        assert_int_equal(panels_select(&pool, &to, &tr, &d), PANELS_OK);
        assert_int_equal(panels_check(&pool, &tr.dist, &d), PANELS_OK);
        /* within the tolerance, or, when the computation stalled, 5 % */
        assert_true(tr.min_prob >= (1.0 - fmax(PANELS_TOLERANCE_DEFAULT, 0.05)) * wmin - 1e-9);
        assert_true(tr.stats.bound >= wmin - 1e-9);
        /* only leximin may leave its higher levels unproven, and then says how far they got */
        assert_true(tr.stats.share > 0 && tr.stats.share <= 1.0);
        assert_true(!tr.stats.higher_unproven || (alg == PANELS_LEXIMIN && tr.stats.share < 1.0));
        double tsum = 0;
        for (int i = 0; i < pool.npeople; i++)
            tsum += tr.person_prob[i];
        assert_true(fabs(tsum - k) < 1e-6);
        panels_result_free(&tr);
    }
    panels_result_free(&res);
    int levels = 0;
    for (int i = 0; i < pool.npeople; i++) {
        int j = 0;
        while (j < i && fabs(want[j] - want[i]) > 1e-6)
            j++;
        levels += j == i;
    }
    panels_pool_free(&pool);
    return levels;
}

static void
test_leximin_small(void **state)
{
    compare_with_brute(feats, people, 2, NULL);
    compare_with_brute(feats, people, 3, NULL);
}

static void
test_leximin_two_levels(void **state)
{
    /* Skewed pool: the two young people are needed more often than the old ones. */
    int levels = compare_with_brute("feature,value,min,max\n"
                                    "age,young,2,2\nage,old,2,2\n"
                                    "gender,f,1,3\ngender,m,1,3\n"
                                    "place,north,1,3\nplace,south,0,3\n",
                                    "id,age,gender,place\n"
                                    "1,young,f,north\n2,young,m,south\n3,young,m,south\n"
                                    "4,old,f,north\n5,old,f,south\n6,old,m,north\n7,old,m,north\n"
                                    "8,old,f,north\n9,old,m,south\n10,young,f,south\n",
                                    4, NULL);
    assert_true(levels >= 2);
}

static void
test_leximin_households(void **state)
{
    static const char *const hh[] = {"address", NULL};
    const char *p = "id,gender,age,address\n"
                    "a,f,young,street 1\n"
                    "b,m,young,street 1\n"
                    "c,f,old,street 2\n"
                    "d,m,old,street 2\n"
                    "e,m,old,\n"
                    "f,f,young,\n"
                    "g,m,old,street 3\n";
    compare_with_brute(feats, p, 3, hh);
    struct panels_pool pool;
    struct panels_diag d = {{0}};
    assert_int_equal(build(feats, p, 3, hh, &pool, &d), PANELS_OK);
    assert_int_equal(pool.nhouseholds, 2); /* empty values never match; street 3 is alone */
    struct panels_select_opts so = {.algorithm = PANELS_LEGACY, .legacy_runs = 200};
    struct panels_result res;
    assert_int_equal(panels_select(&pool, &so, &res, &d), PANELS_OK);
    assert_int_equal(panels_check(&pool, &res.dist, &d), PANELS_OK);
    panels_result_free(&res);
    panels_pool_free(&pool);
}

static void
test_leximin_gap(void **state)
{
    /* A, B and C pairwise share a value with max 1, so a panel holds at most one of them,
     * yet fractional panels give each 1/2: the fractional leximin (0.4 for everyone) is out
     * of reach and the engine must find the real one (1/3 for A, B, C; 1/2 for D and E). */
    const char *f = "feature,value,min,max\nf1,y,0,1\nf1,n,0,2\nf2,y,0,1\nf2,n,0,2\n"
                    "f3,y,0,1\nf3,n,0,2\n";
    const char *p = "id,f1,f2,f3\nA,y,y,n\nB,y,n,y\nC,n,y,y\nD,n,n,n\nE,n,n,n\n";
    int levels = compare_with_brute(f, p, 2, NULL);
    assert_int_equal(levels, 2);
    /* the same with a household joining D and E: then only A, B, C can pair with them */
    static const char *const hh[] = {"h", NULL};
    const char *ph = "id,f1,f2,f3,h\nA,y,y,n,1\nB,y,n,y,2\nC,n,y,y,3\nD,n,n,n,4\n"
                     "E,n,n,n,4\nF,n,n,n,5\n";
    compare_with_brute(f, ph, 2, hh);
}

static void
test_random_small_pools(void **state)
{
    /* Deterministic pseudo-random pools of 10 people with 3 features. */
    uint64_t s = 12345;
    int multi = 0;
    for (int round = 0; round < 12; round++) {
        char p[1024], f[512];
        int len = snprintf(p, sizeof(p), "id,a,b,c\n");
        for (int i = 0; i < 10; i++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            int a = (s >> 33) % 2, b = (s >> 40) % 3, c = (s >> 50) % 2;
            len += snprintf(p + len, sizeof(p) - len, "%d,a%d,b%d,c%d\n", i + 1, a, b, c);
        }
        snprintf(f, sizeof(f),
                 "feature,value,min,max\na,a0,1,3\na,a1,1,3\nb,b0,0,2\nb,b1,1,2\nb,b2,0,2\n"
                 "c,c0,%d,3\nc,c1,0,3\n",
                 round % 3);
        struct panels_pool pool;
        struct panels_diag d = {{0}};
        assert_int_equal(build(f, p, 4, NULL, &pool, &d), PANELS_OK);
        struct panels_change *ch;
        int nch;
        struct brute b = {0};
        int mem[8];
        enumerate(&pool, &b, mem, 0, 0);
        free(b.panels);
        if (b.npanels == 0) {
            assert_int_equal(panels_relax(&pool, &ch, &nch, &d), PANELS_OK);
            assert_true(nch > 0);
            free(ch);
            panels_pool_free(&pool);
            continue;
        }
        panels_pool_free(&pool);
        multi += compare_with_brute(f, p, 4, NULL) > 1;
    }
    assert_true(multi > 0);
}

/* The type of pb whose values are va (feature 0) and vb (feature 1). */
static int
type_with(const struct pn_problem *pb, int va, int vb)
{
    for (int t = 0; t < pb->ntypes; t++)
        if (pb->tval[t * pb->nfeatures] == va && pb->tval[t * pb->nfeatures + 1] == vb)
            return t;
    return -1;
}

/*
 * Exchanges of two for two: with every quota exact, the panel {a0b0, a1b1} can become
 * {a0b1, a1b0} only by exchanging both members at once; single swaps cannot get there. A loose
 * third feature must stay within its bounds, and without any exact quota there is no table.
 */
static void
test_pair_exchanges(void **state)
{
    (void)state;
    const char *f = "feature,value,min,max\na,a0,1,1\na,a1,1,1\nb,b0,1,1\nb,b1,1,1\n"
                    "c,c0,0,2\nc,c1,0,1\n";
    const char *p = "id,a,b,c\n1,a0,b0,c0\n2,a1,b1,c0\n3,a0,b1,c1\n4,a1,b0,c1\n5,a1,b0,c0\n";
    struct panels_pool pool;
    struct panels_diag d = {{0}};
    assert_int_equal(build(f, p, 2, NULL, &pool, &d), PANELS_OK);
    struct pn_problem pb;
    assert_int_equal(pn_problem_build(&pool, &pb), PANELS_OK);
    int nt = pb.ntypes, t00 = type_with(&pb, 0, 2), t11 = type_with(&pb, 1, 3),
        t01 = type_with(&pb, 0, 3);
    assert_true(t00 >= 0 && t11 >= 0 && t01 >= 0);
    int *x = calloc((size_t)nt, sizeof(int));
    double *w = calloc((size_t)nt, sizeof(double));
    x[t00] = x[t11] = 1;
    /* a0b1 (c1) is worth most; with it, only a1b0 with c0 keeps c1 within its maximum of 1 */
    w[t01] = 3.0;
    for (int t = 0; t < nt; t++)
        if (pb.tval[t * 3] == 1 && pb.tval[t * 3 + 1] == 2)
            w[t] = pb.tval[t * 3 + 2] == 5 ? 2.0 : 1.0;
    struct pn_local *loc = pn_local_new(&pb);
    int pos[8], npos = 0;
    for (int t = 0; t < nt; t++)
        if (w[t] > 0)
            pos[npos++] = t;
    int *y = malloc((size_t)nt * sizeof(int));
    memcpy(y, x, (size_t)nt * sizeof(int));
    assert_true(pn_local_ascent(loc, y, w, pos, npos) == 0.0); /* no single swap works */
    struct pn_pairs *pr = pn_pairs_new(&pb, &pb);
    assert_non_null(pr);
    double v = pn_pairs_ascent(pr, x, w);
    assert_true(fabs(v - 4.0) < 1e-12); /* a0b1c1 + a1b0c0, not a1b0c1 (c1 over its max) */
    assert_int_equal(x[t00] + x[t11], 0);
    assert_int_equal(x[t01], 1);
    pn_pairs_free(pr);
    pn_local_free(loc);
    pn_problem_free(&pb);
    panels_pool_free(&pool);
    /* loose quotas only: nothing to look up */
    assert_int_equal(build("feature,value,min,max\na,a0,0,2\na,a1,0,2\n", "id,a\n1,a0\n2,a1\n", 1,
                           NULL, &pool, &d),
                     PANELS_OK);
    assert_int_equal(pn_problem_build(&pool, &pb), PANELS_OK);
    assert_null(pn_pairs_new(&pb, &pb));
    pn_problem_free(&pb);
    panels_pool_free(&pool);
    free(x);
    free(y);
    free(w);
}

/*
 * A time limit (benchmarks only) may end a run with PANELS_E_TIMEOUT and the bound, but never
 * change an answer: with a generous limit the probabilities are those without one.
 */
static void
test_time_limit_only_errors(void **state)
{
    uint64_t s = 777;
    char p[4096];
    int len = snprintf(p, sizeof(p), "id,a,b,c\n");
    for (int i = 0; i < 60; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        int a = (s >> 33) % 2, b = (s >> 40) % 3, c = (s >> 50) % 4;
        len += snprintf(p + len, sizeof(p) - len, "%d,a%d,b%d,c%d\n", i + 1, a, b, c);
    }
    const char *f = "feature,value,min,max\na,a0,3,5\na,a1,3,5\nb,b0,2,4\nb,b1,2,4\nb,b2,2,4\n"
                    "c,c0,1,3\nc,c1,1,3\nc,c2,1,3\nc,c3,1,3\n";
    struct panels_pool pool;
    struct panels_diag d = {{0}};
    assert_int_equal(build(f, p, 8, NULL, &pool, &d), PANELS_OK);
    struct panels_result ref, res;
    struct panels_select_opts so = {.algorithm = PANELS_LEXIMIN};
    assert_int_equal(panels_select(&pool, &so, &ref, &d), PANELS_OK);
    so.time_limit = 1e-9;
    panels_err err = panels_select(&pool, &so, &res, &d);
    assert_int_equal(err, PANELS_E_TIMEOUT);
    assert_true(res.stats.bound > 0 && res.stats.bound <= 1.0);
    assert_true(fabs(res.stats.bound - ref.min_prob) < 1e-6);
    /* the advice names maximin as the way out, unless that was the choice already */
    assert_non_null(strstr(d.msg, "kies maximin"));
    so.algorithm = PANELS_MAXIMIN;
    assert_int_equal(panels_select(&pool, &so, &res, &d), PANELS_E_TIMEOUT);
    assert_non_null(strstr(d.msg, "tijdslimiet"));
    assert_null(strstr(d.msg, "kies maximin"));
    so.algorithm = PANELS_LEXIMIN;
    so.time_limit = 600.0;
    assert_int_equal(panels_select(&pool, &so, &res, &d), PANELS_OK);
    for (int i = 0; i < pool.npeople; i++)
        assert_true(res.person_prob[i] == ref.person_prob[i]);
    assert_int_equal(res.dist.npanels, ref.dist.npanels);
    panels_result_free(&res);
    panels_result_free(&ref);
    panels_pool_free(&pool);
}

/* ---- infeasible quotas ----------------------------------------------------------------- */

static void
test_infeasible_relax(void **state)
{
    struct panels_pool pool;
    struct panels_diag d = {{0}};
    /* Only two women in the pool but at least three wanted. */
    assert_int_equal(build("feature,value,min,max\ngender,f,3,4\ngender,m,0,4\n",
                           "id,gender\n1,f\n2,f\n3,m\n4,m\n5,m\n", 4, NULL, &pool, &d),
                     PANELS_OK);
    struct panels_select_opts so = {.algorithm = PANELS_LEXIMIN};
    struct panels_result res;
    assert_int_equal(panels_select(&pool, &so, &res, &d), PANELS_E_INFEASIBLE);
    struct panels_change *ch;
    int n;
    assert_int_equal(panels_relax(&pool, &ch, &n, &d), PANELS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(ch[0].value, 0);
    assert_int_equal(ch[0].is_max, 0);
    assert_int_equal(ch[0].from, 3);
    assert_int_equal(ch[0].to, 2);
    free(ch);
    panels_pool_free(&pool);
    /* min_flex forbids that relaxation: then it is infeasible even relaxed */
    assert_int_equal(build("feature,value,min,max,min_flex,max_flex\ngender,f,3,4,3,4\n"
                           "gender,m,0,4,0,4\n",
                           "id,gender\n1,f\n2,f\n3,m\n4,m\n5,m\n", 4, NULL, &pool, &d),
                     PANELS_OK);
    assert_int_equal(panels_relax(&pool, &ch, &n, &d), PANELS_E_INFEASIBLE);
    free(ch);
    panels_pool_free(&pool);
}

/* ---- draw ------------------------------------------------------------------------------ */

static void
test_draw(void **state)
{
    /* SHA-256("abc") starts ba7816bf8f01cfea: u = 0xba7816bf8f01cfea / 2^64 ~ 0.7284 */
    double u = panels_seed_uniform("abc");
    assert_true(fabs(u - 0.72839491) < 1e-6);
    double prob[4] = {0.25, 0.25, 0.25, 0.25};
    assert_int_equal(panels_draw_index("abc", prob, 4), 2);
    double prob2[3] = {0.7, 0.0, 0.3};
    assert_int_equal(panels_draw_index("abc", prob2, 3), 2);
    char hex[65];
    panels_sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void
test_draw_fair_within_profile(void **state)
{
    /* One profile of five people with two seats, one of three with one seat: over many
     * seeds each member is drawn with probability 2/5 and 1/3, and the draw is a function
     * of the seed alone. */
    int profile_of[8] = {0, 0, 1, 0, 1, 0, 0, 1}, size[2] = {5, 3}, seats[3] = {0, 0, 1};
    double prob[1] = {1.0};
    struct panels_dist d = {.k = 3,
                            .npanels = 1,
                            .prob = prob,
                            .seats = seats,
                            .nprofiles = 2,
                            .profile_of = profile_of,
                            .profile_size = size};
    int hits[8] = {0}, sel[3], again[3];
    const int runs = 30000;
    for (int r = 0; r < runs; r++) {
        char seed[32];
        snprintf(seed, sizeof(seed), "seed %d", r);
        assert_int_equal(panels_draw(seed, &d, prob, 8, sel), 0);
        assert_true(sel[0] < sel[1] && sel[1] < sel[2]);
        for (int j = 0; j < 3; j++)
            hits[sel[j]]++;
        panels_draw(seed, &d, prob, 8, again);
        assert_memory_equal(sel, again, sizeof(sel));
    }
    for (int i = 0; i < 8; i++) {
        double want = profile_of[i] == 0 ? 0.4 : 1.0 / 3.0;
        assert_true(fabs((double)hits[i] / runs - want) < 0.015);
    }
}

static void
test_check_rejects(void **state)
{
    /* a and b share a household and a profile's values */
    static const char *const hh[] = {"address", NULL};
    struct panels_pool pool;
    struct panels_diag d = {{0}};
    assert_int_equal(build("feature,value,min,max\ng,f,0,2\ng,m,0,2\n",
                           "id,g,address\na,f,x\nb,f,x\nc,m,y\nd,m,z\n", 2, hh, &pool, &d),
                     PANELS_OK);
    int profile_of[4] = {0, 0, 1, 1}, size[2] = {2, 2}, seats[2] = {0, 1};
    double prob[1] = {1.0};
    struct panels_dist dist = {.k = 2,
                               .npanels = 1,
                               .prob = prob,
                               .seats = seats,
                               .nprofiles = 2,
                               .profile_of = profile_of,
                               .profile_size = size};
    assert_int_equal(panels_check(&pool, &dist, &d), PANELS_OK);
    seats[1] = 0; /* both seats of the household's profile: a draw could take a and b */
    assert_int_equal(panels_check(&pool, &dist, &d), PANELS_E_INTERNAL);
    assert_non_null(strstr(d.msg, "household"));
    seats[0] = 1;
    seats[1] = 1;
    profile_of[1] = 1; /* b (f) in the profile of c and d (m): mixed values */
    size[0] = 1;
    size[1] = 3;
    assert_int_equal(panels_check(&pool, &dist, &d), PANELS_E_INTERNAL);
    assert_non_null(strstr(d.msg, "mixes"));
    profile_of[1] = 0;
    size[0] = 2;
    size[1] = 2;
    prob[0] = 0.5; /* probabilities must add up to 1 */
    assert_int_equal(panels_check(&pool, &dist, &d), PANELS_E_INTERNAL);
    panels_pool_free(&pool);
}

static void
test_lottery(void **state)
{
    struct panels_pool pool;
    struct panels_diag d = {{0}};
    assert_int_equal(build(feats, people, 3, NULL, &pool, &d), PANELS_OK);
    struct panels_select_opts so = {.algorithm = PANELS_LEXIMIN};
    struct panels_result res;
    assert_int_equal(panels_select(&pool, &so, &res, &d), PANELS_OK);
    int *tickets;
    double loss;
    assert_int_equal(panels_lottery(&pool, &res.dist, 1000, &tickets, &loss, &d), PANELS_OK);
    assert_true(loss <= 0.002);
    double prob[1000];
    for (int i = 0; i < 1000; i++)
        prob[i] = 0.001;
    struct panels_dist lot = {.k = 3, .npanels = 1000, .prob = prob, .seats = tickets};
    assert_int_equal(panels_check(&pool, &lot, &d), PANELS_OK);
    free(tickets);
    panels_result_free(&res);
    panels_pool_free(&pool);
}

/* ---- the replication examples ---------------------------------------------------------- */

/*
 * The relaxed fractional leximin (the target on pools whose exact point real panels cannot
 * reach): the lowest level is held at 1 - relax of its value, and everyone above it gets at
 * least what the exact fractional leximin gives the least of them.
 */
static void
test_frac_relaxed(void **state)
{
    (void)state;
    struct panels_pool pool;
    struct panels_diag d = {{0}};
    assert_int_equal(build("feature,value,min,max\nage,young,2,2\nage,old,2,2\n"
                           "gender,f,1,3\ngender,m,1,3\nplace,north,1,3\nplace,south,0,3\n",
                           "id,age,gender,place\n1,young,f,north\n2,young,m,south\n"
                           "3,young,m,south\n4,old,f,north\n5,old,f,south\n6,old,m,north\n"
                           "7,old,m,north\n8,old,f,north\n9,old,m,south\n10,young,f,south\n",
                           4, NULL, &pool, &d),
                     PANELS_OK);
    struct pn_problem pb;
    assert_int_equal(pn_problem_build(&pool, &pb), PANELS_OK);
    int nt = pb.ntypes, st = 0;
    double *pi = calloc((size_t)nt, sizeof(double)), *pr = calloc((size_t)nt, sizeof(double));
    assert_int_equal(pn_frac_leximin(&pb, 0, 0.0, pi, &st), 0);
    assert_int_equal(pn_frac_leximin(&pb, 0, 0.1, pr, &st), 0);
    double z1 = 1.0, above = 1.0, seats = 0.0;
    for (int t = 0; t < nt; t++)
        z1 = fmin(z1, pi[t]);
    for (int t = 0; t < nt; t++) {
        if (pi[t] > z1 + 1e-9)
            above = fmin(above, pi[t]);
        seats += pr[t] * pb.cnt[t];
        assert_true(pr[t] >= 0.9 * z1 - 1e-9);
    }
    assert_true(above < 1.0); /* this pool has a level above the lowest */
    assert_true(fabs(seats - pb.k) < 1e-6);
    for (int t = 0; t < nt; t++)
        if (pi[t] > z1 + 1e-9)
            assert_true(pr[t] >= above - 1e-9);
    free(pi);
    free(pr);
    pn_problem_free(&pb);
    panels_pool_free(&pool);
}

/* The leximin target stops only when its objective has stopped rising: deterministic, by the
 * LP's values alone. */
static void
test_stalled(void **state)
{
    (void)state;
    double obj[40];
    for (int i = 0; i < 40; i++)
        obj[i] = 1.0 + 0.01 * i; /* rising by 1 % a solve */
    assert_false(pn_stalled(obj, 40, 10));
    assert_false(pn_stalled(obj, 3, 10));
    for (int i = 20; i < 40; i++)
        obj[i] = obj[19] + 1e-6 * (i - 19); /* then flat */
    assert_false(pn_stalled(obj, 25, 10));  /* the last solves still include the rise */
    assert_true(pn_stalled(obj, 31, 10));
    assert_true(pn_stalled(obj, 40, 10));
    assert_false(pn_stalled(obj, 31, 20)); /* a longer window still sees the rise */
    assert_true(pn_stalled(obj, 40, 20));
    double flat[5] = {1, 1, 1, 1, 1};
    assert_false(pn_stalled(flat, 5, 10)); /* too few solves to tell */
}

static void
test_example_small_20(void **state)
{
    const char *src = getenv("NOABER_SOURCE");
    char fp[1024], pp[1024];
    snprintf(fp, sizeof(fp), "%s/tests/data/sortition/example_small_20/categories.csv",
             src ? src : ".");
    snprintf(pp, sizeof(pp), "%s/tests/data/sortition/example_small_20/respondents.csv",
             src ? src : ".");
    struct panels_table ft, pt;
    struct panels_diag d = {{0}};
    if (panels_table_load(fp, &ft, &d) != PANELS_OK) {
        fprintf(stderr, "%s (set NOABER_SOURCE)\n", d.msg);
        skip();
    }
    assert_int_equal(panels_table_load(pp, &pt, &d), PANELS_OK);
    struct panels_pool pool;
    struct panels_pool_opts po = {.k = 20};
    assert_int_equal(panels_pool_build(&ft, &pt, &po, &pool, &d), PANELS_OK);
    assert_int_equal(pool.npeople, 200);
    for (int alg = 0; alg < 3; alg++) {
        struct panels_select_opts so = {.algorithm = alg, .legacy_runs = 300};
        struct panels_result res;
        assert_int_equal(panels_select(&pool, &so, &res, &d), PANELS_OK);
        if (alg != PANELS_LEGACY)
            assert_true(fabs(res.min_prob - 0.1) < 1e-6);
        else
            assert_true(res.min_prob < 0.1);
        panels_result_free(&res);
    }
    panels_pool_free(&pool);
    panels_table_free(&ft);
    panels_table_free(&pt);
}

int
main(void)
{
    glp_term_out(GLP_OFF);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_dialects),
        cmocka_unit_test(test_csv_errors),
        cmocka_unit_test(test_format_errors),
        cmocka_unit_test(test_replication_format),
        cmocka_unit_test(test_leximin_small),
        cmocka_unit_test(test_leximin_two_levels),
        cmocka_unit_test(test_leximin_households),
        cmocka_unit_test(test_leximin_gap),
        cmocka_unit_test(test_random_small_pools),
        cmocka_unit_test(test_pair_exchanges),
        cmocka_unit_test(test_time_limit_only_errors),
        cmocka_unit_test(test_infeasible_relax),
        cmocka_unit_test(test_draw),
        cmocka_unit_test(test_draw_fair_within_profile),
        cmocka_unit_test(test_check_rejects),
        cmocka_unit_test(test_lottery),
        cmocka_unit_test(test_stalled),
        cmocka_unit_test(test_frac_relaxed),
        cmocka_unit_test(test_example_small_20),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    glp_free_env();
    return rc;
}
