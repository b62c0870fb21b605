/*
 * panels.h — the public face of the citizens' panel engine (issue 5).
 *
 * A pool of volunteers, each with one value per feature (age band, gender, place, ...), and
 * quotas per feature value are turned into a probability distribution over panels of size k
 * that all satisfy the quotas. The default algorithm, LEXIMIN (Flanigan et al., Nature 2021),
 * maximises the smallest selection probability, then the second smallest, and so on; MAXIMIN
 * stops after the first step and LEGACY is the Sortition Foundation's greedy draw, kept for
 * comparison. One panel is then drawn from the published distribution with a documented
 * function of a seed string, so anyone can check the draw afterwards.
 *
 * The engine is plain C on GLPK and libsodium: no server, no database. GLPK is not
 * thread-safe and aborts on internal errors, so the server runs it only in a child process
 * through the command line (panels_cli.h). Memory handed back is owned by the caller and
 * released with the matching *_free function.
 */
#ifndef NOABER_PANELS_H
#define NOABER_PANELS_H

#include <stddef.h>
#include <stdint.h>

/* Error codes. panels_strerror() gives a short generic message in Dutch and English; the
 * details (row, column, value) go into a struct panels_diag when the caller passes one. */
typedef enum panels_err {
    PANELS_OK = 0,
    PANELS_E_NOMEM,          /* out of memory */
    PANELS_E_IO,             /* a file could not be read or written */
    PANELS_E_USAGE,          /* bad command-line arguments */
    PANELS_E_CSV,            /* malformed CSV: unterminated quote, ragged row, empty file */
    PANELS_E_HEADER,         /* features file lacks feature/value/min/max columns */
    PANELS_E_NUMBER,         /* min, max or flex is not a whole number */
    PANELS_E_MIN_GT_MAX,     /* a quota with min > max */
    PANELS_E_DUP_QUOTA,      /* the same feature value twice in the features file */
    PANELS_E_COLUMN_MISSING, /* a feature, id or household column missing in the people file */
    PANELS_E_UNKNOWN_VALUE,  /* a volunteer's value that the features file does not list */
    PANELS_E_DUP_ID,         /* two volunteers with the same id */
    PANELS_E_EMPTY_POOL,     /* no volunteers */
    PANELS_E_K_RANGE,        /* k < 1 or k larger than the pool */
    PANELS_E_INFEASIBLE,     /* no panel satisfies all quotas (see panels_relax) */
    PANELS_E_INTERNAL,       /* a bug or a solver failure: never a user's fault */
    PANELS_E_TIMEOUT,        /* panels_select_opts.time_limit reached (benchmarks) */
    PANELS_E__MAX
} panels_err;

/* Free-text details of the last error, Dutch first then English. */
struct panels_diag {
    char msg[1024];
};

/* Short message for an error code, "Dutch / English". Never NULL. */
const char *panels_strerror(panels_err err);

/* ---- CSV ------------------------------------------------------------------------------- */

/* A parsed CSV file: a header and rows of equal length. Fields are unquoted, untrimmed. */
struct panels_table {
    int ncols;
    int nrows;
    char **header; /* ncols strings */
    char **cells;  /* nrows * ncols strings, row-major */
    int *line;     /* nrows: 1-based line number of each row in the file, for messages */
};

/*
 * Parse CSV text: UTF-8 with or without BOM, separator ',' or ';' (whichever the header line
 * uses more often outside quotes), double-quoted fields with "" escapes, LF or CRLF line ends,
 * with or without a final newline. Blank lines are skipped. Every row must have as many
 * fields as the header (trailing empty fields may be missing). On success *out owns its
 * memory (panels_table_free). Errors: PANELS_E_CSV, PANELS_E_NOMEM.
 */
panels_err panels_table_parse(const char *data, size_t len, struct panels_table *out,
                              struct panels_diag *diag);

/* Read a whole file and parse it with panels_table_parse. Errors: also PANELS_E_IO. */
panels_err panels_table_load(const char *path, struct panels_table *out, struct panels_diag *diag);

/* Release a table; safe on a zeroed table. */
void panels_table_free(struct panels_table *t);

/* Column index of name (exact, then ignoring case and surrounding blanks), or -1. */
int panels_table_column(const struct panels_table *t, const char *name);

/* ---- the pool -------------------------------------------------------------------------- */

struct panels_value {
    char *feature_name; /* shared text of its feature (owned by the feature) */
    char *name;
    int feature;
    int min, max;
    int min_flex, max_flex; /* how far a relaxation may go; -1 when not given */
};

struct panels_feature {
    char *name;
    int column;      /* column in the people file */
    int first_value; /* values of a feature are consecutive in panels_pool.values */
    int nvalues;
};

struct panels_pool {
    int k;
    int nfeatures;
    struct panels_feature *features;
    int nvalues;
    struct panels_value *values;
    int npeople;
    char **ids;     /* npeople ids (row numbers as text when the file has no id column) */
    int *value_of;  /* npeople * nfeatures: index into values */
    int *household; /* npeople: household number, -1 when alone or without a key */
    int nhouseholds;
    int id_from_row; /* 1 when ids are 1-based data row numbers */
};

struct panels_pool_opts {
    int k;
    const char *id_column; /* NULL: "id", or row numbers if the file has no such column */
    const char *const *household_columns; /* NULL-terminated list or NULL */
};

/*
 * Build a pool from a parsed features file and people file. Accepts the features formats
 * `feature,value,min,max[,min_flex,max_flex]` and `category,feature,min,max`. Checks every
 * value, id, column, quota and k; on error nothing is allocated and *diag tells which row and
 * column. Errors: PANELS_E_HEADER, _NUMBER, _MIN_GT_MAX, _DUP_QUOTA, _COLUMN_MISSING,
 * _UNKNOWN_VALUE, _DUP_ID, _EMPTY_POOL, _K_RANGE, _NOMEM.
 */
panels_err panels_pool_build(const struct panels_table *features, const struct panels_table *people,
                             const struct panels_pool_opts *opts, struct panels_pool *pool,
                             struct panels_diag *diag);

/* Release a pool; safe on a zeroed pool. */
void panels_pool_free(struct panels_pool *pool);

/* Number of distinct feature profiles (volunteers who are interchangeable for the quotas). */
int panels_pool_profiles(const struct panels_pool *pool);

/* ---- selection ------------------------------------------------------------------------- */

enum panels_algorithm {
    PANELS_LEXIMIN = 0,
    PANELS_MAXIMIN,
    PANELS_LEGACY,
};

/* Name "leximin"/"maximin"/"legacy" to algorithm; returns -1 when unknown. */
int panels_algorithm_parse(const char *name);
const char *panels_algorithm_name(enum panels_algorithm alg);

/*
 * A distribution over panels of profiles. Volunteers with the same value for every feature
 * form one profile, except that members of a household of two or more are each a profile of
 * their own; all members of a profile are interchangeable for the quotas. A panel says how
 * many seats each profile gets: seats[p*k .. p*k+k-1] lists the profile of every seat of
 * panel p, ascending. Which members take a profile's seats is left to the draw
 * (panels_draw), which gives each of them exactly the same chance, so the distribution stays
 * small: at most one panel more than there are profiles. With profile_of == NULL every
 * person is a profile of their own and seats are person indices (lottery tickets, tests).
 */
struct panels_dist {
    int k;
    int npanels;
    double *prob;      /* npanels, sum 1 */
    int *seats;        /* npanels * k: profile numbers (0-based), ascending per panel */
    int nprofiles;     /* profiles */
    int *profile_of;   /* npeople: profile of each person, numbered in order of first
                        * appearance in the people file; or NULL (see above) */
    int *profile_size; /* nprofiles: members of each profile */
};

struct panels_stats {
    int types;      /* distinct profiles (after splitting households) */
    int stages;     /* leximin levels fixed */
    int columns;    /* panels generated */
    int mip_calls;  /* pricing MIPs solved */
    int lp_solves;  /* master LP solves */
    double seconds; /* wall time of panels_select (for display only) */
    /* Upper bound on the smallest probability (leximin over fractional panels) and the
     * smallest probability of the best distribution found; equal up to 1e-9 when finished,
     * and what a run stopped by its time limit had reached. */
    double bound;
    double reached;
    /* Leximin only, with a tolerance: 1 when its target (a leximin over fractional panels)
     * stopped rising before every volunteer had 1 - tolerance of their chance in it, while its
     * smallest probability was proven close to the bound (see panels_select_opts.tolerance).
     * The higher probabilities are then the best found, not proven leximin; share is the
     * smallest fraction of its target any volunteer has (1 when higher_unproven is 0). */
    int higher_unproven;
    double share;
};

/* Called now and then during a long computation; done/total is a rough fraction. */
typedef void (*panels_progress_fn)(void *arg, const char *phase, double fraction);

struct panels_select_opts {
    enum panels_algorithm algorithm;
    int legacy_runs;             /* legacy: number of greedy draws (default 1000) */
    panels_progress_fn progress; /* may be NULL */
    void *progress_arg;
    double time_limit; /* seconds of wall time, 0 for none: a safeguard (the server's draws,
                        * benchmarks) that only ever ends a run with PANELS_E_TIMEOUT, since a
                        * result must never depend on the machine's speed */
    /* Leximin may stop once every volunteer has at least 1 - tolerance times their chance in
     * the leximin over fractional panels (which no distribution beats), maximin once its
     * minimum is within this fraction of that bound, and a stage of the staged algorithm once
     * it is within this fraction of its own bound (0: exact, the default of a zeroed struct;
     * the command line and the server use PANELS_TOLERANCE_DEFAULT). Pools whose fractional
     * leximin is a mixture of real panels (most) are solved exactly whatever this is. At most
     * 0.1. With a tolerance, a computation whose progress stalls (by the LP's values, never
     * the clock) also ends, once its smallest probability is proven within the tolerance or
     * 5 %, whichever is larger, of the bound (stats.bound and stats.reached say how close;
     * for leximin stats.higher_unproven). */
    double tolerance;
};

/* The command line's and the server's tolerance: every stage within 1 % of its bound. */
#define PANELS_TOLERANCE_DEFAULT 0.01

struct panels_result {
    struct panels_dist dist;
    double *person_prob; /* npeople */
    double min_prob;
    struct panels_stats stats;
};

/*
 * Compute the distribution over panels for pool with the chosen algorithm. The result does
 * not depend on any seed: heuristics use a fixed internal seed, so the distribution can be
 * published before the public draw. Every panel is checked with panels_check before it is
 * handed back. Errors: PANELS_E_INFEASIBLE (use panels_relax to explain), PANELS_E_NOMEM,
 * PANELS_E_INTERNAL, PANELS_E_TIMEOUT (only with a time limit; res->stats then tells how
 * far it got, and res holds no distribution).
 */
panels_err panels_select(const struct panels_pool *pool, const struct panels_select_opts *opts,
                         struct panels_result *res, struct panels_diag *diag);

void panels_result_free(struct panels_result *res);

/*
 * Independent check, sharing no code with the solver: the profiles partition the pool into
 * groups of people with equal values; every panel gives each profile at most as many seats as
 * it has members, k in all, meets every min and max, and meets the household rule whichever
 * members the draw takes (for every household, the sum over profiles of the smaller of the
 * profile's seats and its members in that household is at most 1); probabilities are >= 0 and
 * add up to 1 (so selection probabilities add up to k) within 1e-6. Returns PANELS_OK or
 * PANELS_E_INTERNAL with the first problem in *diag.
 */
panels_err panels_check(const struct panels_pool *pool, const struct panels_dist *dist,
                        struct panels_diag *diag);

/* Selection probability of every person under dist (out: npeople doubles): the sum over
 * panels of probability times the profile's seats over its members. */
void panels_marginals(const struct panels_pool *pool, const struct panels_dist *dist, double *out);

/* ---- the draw -------------------------------------------------------------------------- */

/*
 * The public draw: u = (first 8 bytes of SHA-256(seed) as a big-endian integer) / 2^64, and
 * the chosen panel is the first whose running sum of probabilities exceeds u times the sum of
 * all probabilities, panels in their published order. prob must be the published (printed)
 * probabilities. Returns the 0-based panel index.
 */
int panels_draw_index(const char *seed, const double *prob, int n);

/* u in [0,1) as used by panels_draw_index. */
double panels_seed_uniform(const char *seed);

/*
 * The whole public draw (docs/panels.md). First the panel, by panels_draw_index on prob (the
 * printed probabilities of dist's panels). Then for every profile t with x seats on it and m
 * members, x members by a partial Fisher-Yates shuffle of the members in people-file order:
 * for j = 0 .. x-1 swap member j with member j + r, r uniform in [0, m - j). The uniform
 * numbers come from the byte stream SHA-256(seed ":" T ":" 0), SHA-256(seed ":" T ":" 1), ...
 * (T the 1-based profile number in decimal) read as big-endian 64-bit numbers v; a number
 * below 2^64 mod (m - j) is skipped, otherwise r = v mod (m - j). So each member of t is on
 * the panel with probability x / m exactly. selected (k person indices, ascending) receives
 * the panel; npeople is the pool size. Returns the panel index, or -1 out of memory.
 */
int panels_draw(const char *seed, const struct panels_dist *dist, const double *prob, int npeople,
                int *selected);

/*
 * Round dist (with profiles) to a uniform lottery over n tickets: tickets[i*k ... i*k+k-1]
 * are the people on ticket i, ascending. The counts per panel are chosen (by MIP, floors and
 * ceilings of n * probability) to keep each profile's loss of probability as small as
 * possible; within a profile the seats are shared round-robin so people differ by at most one
 * ticket. *tickets is malloc'ed. *max_loss is the largest loss of any person's probability.
 * Errors: _NOMEM, _INTERNAL.
 */
panels_err panels_lottery(const struct panels_pool *pool, const struct panels_dist *dist, int n,
                          int **tickets, double *max_loss, struct panels_diag *diag);

/* ---- infeasible quotas ----------------------------------------------------------------- */

struct panels_change {
    int value;  /* index into pool->values */
    int is_max; /* 0: lower the min, 1: raise the max */
    int from, to;
};

/*
 * Called when the quotas admit no panel: finds, with a MIP, the smallest total change of
 * mins and maxes (within min_flex/max_flex when given) that makes them feasible. *changes is
 * malloc'ed; *nchanges may be 0 when k itself is the problem. Errors: PANELS_E_INFEASIBLE
 * when even the relaxation fails, _NOMEM, _INTERNAL.
 */
panels_err panels_relax(const struct panels_pool *pool, struct panels_change **changes,
                        int *nchanges, struct panels_diag *diag);

/* ---- SHA-256 helper -------------------------------------------------------------------- */

/* Hex SHA-256 of text (65 bytes incl. NUL). Calls sodium_init(). */
void panels_sha256_hex(const char *text, size_t len, char out[65]);

#endif
