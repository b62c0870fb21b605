/*
 * Citizens' panels by lot, the web part: a coordinator creates a panel (purpose, size, quotas,
 * a question per feature), uploads stage 1's address list and draws the addresses that get an
 * invitation letter with a personal response code; recipients sign up with their code (or a
 * connector enters their paper reply); the coordinator closes stage 1 (the address list is
 * deleted), announces a seed, runs the selection as a child process (`noaber panel select`,
 * never in the server's threads: GLPK is not thread-safe), handles drop-outs with the reserve
 * list and publishes the probabilities. This header is the module's only public face; the
 * engine itself (panels.h, panels_*.c) knows nothing of servers or databases.
 *
 * Who may do what: the coordinators of the panel's neighbourhood and administrators manage it
 * (MEMBERS_A_HOOD_EDIT); connectors may enter paper replies (MEMBERS_A_INTAKE); the published
 * page is public and names nobody. Partners never see a volunteer.
 *
 * Memory: rows handed back live on the caller's arena. Errors are enum noaber_err.
 */
#ifndef NOABER_PANELS_WEB_H
#define NOABER_PANELS_WEB_H

#include "base/err.h"
#include "members/members.h"
#include "privacy/privacy.h"

#include <stddef.h>
#include <stdint.h>

struct noaber_arena;
struct noaber_buf;
struct noaber_config;
struct noaber_db;

/* --- limits ----------------------------------------------------------------------------------- */

#define PANELS_WEB_MAX_K        1000
#define PANELS_WEB_MAX_FEATURES 12
#define PANELS_WEB_MAX_VALUES   24    /* per feature */
#define PANELS_WEB_MAX_QUOTAS   120   /* rows of the quota table */
#define PANELS_WEB_MAX_ADDRESS  20000 /* rows of an address list */
#define PANELS_WEB_LETTERS_PART 500   /* letters per PDF (about 10 kB each): fits a request */
#define PANELS_WEB_DRAW_SECONDS 1800  /* a draw ends with a clear message after this long */
#define PANELS_WEB_DRAW_GRACE   600   /* ... and one still running this much later is stopped */
#define PANELS_WEB_CODE_LEN     8     /* characters of a response code, without the dash */
#define PANELS_WEB_CODE_WINDOW  (15 * 60)
#define PANELS_WEB_CODE_MAX     10 /* wrong codes per address in the window */

/* --- words ------------------------------------------------------------------------------------ */

enum panels_stage {
    PANELS_STAGE_OPEN,      /* stage 1: address list, letters, sign-up */
    PANELS_STAGE_CLOSED,    /* stage 1 closed: address list deleted; seed and draw */
    PANELS_STAGE_DRAWN,     /* the selection is done */
    PANELS_STAGE_PUBLISHED, /* the outcome is public */
    PANELS_STAGE__MAX
};
const char *panels_stage_name(enum panels_stage s);  /* "open" ... */
const char *panels_stage_label(enum panels_stage s); /* msgid */
enum panels_stage panels_stage_parse(const char *s); /* PANELS_STAGE__MAX when unknown */

enum panels_vstatus {
    PANELS_V_VOLUNTEER, /* signed up, not yet drawn */
    PANELS_V_SELECTED,
    PANELS_V_RESERVE,
    PANELS_V_NOT_SELECTED,
    PANELS_V_DROPPED,
    PANELS_V__MAX
};
const char *panels_vstatus_name(enum panels_vstatus s);  /* "selected" ... */
const char *panels_vstatus_label(enum panels_vstatus s); /* msgid */
enum panels_vstatus panels_vstatus_parse(const char *s);

/* --- rules (web_rules.c, no I/O) -------------------------------------------------------------- */

struct panels_quota {
    const char *feature, *value;
    int min, max;
};
struct panels_question {
    const char *feature, *question;
};

/* Parses quotas pasted as CSV in the Sortition Foundation's categories format: a header with
 * feature, value, min, max (also category/feature/min/max, Dutch kenmerk/waarde; min_flex and
 * max_flex are read and ignored), comma or semicolon, with or without BOM. Checks: every row
 * complete, 0 <= min <= max <= K, no value twice, at most the limits above, and for every
 * feature the sum of the mins at most K and of the maxes at least K. *LINE (may be NULL) gets
 * the 1-based line of the first problem. NOABER_E_BAD_QUOTAS, NOABER_E_BAD_CSV. */
enum noaber_err panels_quotas_parse(const char *text, int k, struct panels_quota **out, size_t *n,
                                    size_t *line, struct noaber_arena *a);
/* 1 when A and B hold the same (feature, value) pairs, in any order. */
int panels_quotas_same(const struct panels_quota *a, size_t na, const struct panels_quota *b,
                       size_t nb);
/* Questions as lines "feature: question" (or "feature,question"); every feature of the quotas
 * needs one (a missing one gets the feature's name as question). NOABER_E_BAD_QUOTAS when a line
 * names a feature that has no quota. */
enum noaber_err panels_questions_parse(const char *text, const struct panels_quota *q, size_t nq,
                                       struct panels_question **out, size_t *n,
                                       struct noaber_arena *a);
/* The distinct features of Q in order of first appearance; *n gets their number. */
const char **panels_features(const struct panels_quota *q, size_t nq, size_t *n,
                             struct noaber_arena *a);

struct panels_address {
    const char *street, *house_number, *postcode, *town;
};
/* Reads an address list: CSV with a header naming street, house number, postcode and town
 * (English or Dutch: straat, huisnummer, postcode, plaats/woonplaats), UTF-8 with or without BOM,
 * comma or semicolon. Every row is checked (postcode "1234 AB", a house number); the first
 * problem is handed back with its line in *LINE and nothing is returned: NOABER_E_BAD_CSV (the
 * file), NOABER_E_BAD_ADDRESS_COLUMNS, NOABER_E_BAD_POSTCODE, NOABER_E_BAD_HOUSE_NUMBER,
 * NOABER_E_REQUIRED (an empty street or town), NOABER_E_TOO_LARGE (more than
 * PANELS_WEB_MAX_ADDRESS rows), NOABER_E_EMPTY_LIST. */
enum noaber_err panels_addresses_parse(const char *text, size_t len, struct panels_address **out,
                                       size_t *n, size_t *line, struct noaber_arena *a);

/* A response code from KEY (32 bytes) and the address's row id: PANELS_WEB_CODE_LEN characters
 * of an alphabet without look-alikes (no 0, O, 1, I, L, U), shown as "ABCD-EFGH". OUT[16]. */
void panels_code_make(const unsigned char key[32], int64_t panel, int64_t address, char out[16]);
/* Normalises a typed code in place (upper case; spaces and dashes dropped); 0 when it cannot be
 * a code (a character outside the alphabet, or not PANELS_WEB_CODE_LEN of them). */
int panels_code_normalise(char *code);
/* SHA-256 hex of a normalised code. */
void panels_code_hash(const char *normalised, char out[65]);

/* Answers as stored: "feature=value" lines in the order of the features. Each answer must be a
 * value of that feature's quotas. NOABER_E_BAD_CHOICE (with *bad the feature) or
 * NOABER_E_REQUIRED (a feature without answer). ANSWERS[i] answers FEATURES[i]. */
enum noaber_err panels_answers_check(const struct panels_quota *q, size_t nq,
                                     const char *const *features, const char *const *answers,
                                     size_t nf, const char **bad);
char *panels_answers_encode(const char *const *features, const char *const *answers, size_t nf,
                            struct noaber_arena *a);
/* The value of FEATURE in ENCODED answers, on A; "" when absent. */
const char *panels_answer_of(const char *encoded, const char *feature, struct noaber_arena *a);

/* Uniform draw without replacement of M of N items: OUT[0..m) gets distinct indices in [0, n)
 * (libsodium randomness). M <= N. */
void panels_draw_uniform(size_t n, size_t m, size_t *out);

/* The order of the reserves: the volunteers not selected, sorted by SHA-256 of
 * "<seed>:reserve:<number>" (as 64 hex digits), ties by number. NUMBERS (N of them) is sorted
 * in place. */
void panels_reserve_order(const char *seed, int64_t *numbers, size_t n);

/* Counts per quota row of the people whose answers are ANSWERS (N encoded strings); COUNTS has
 * NQ entries. */
void panels_quota_counts(const struct panels_quota *q, size_t nq, const char *const *answers,
                         size_t n, int *counts, struct noaber_arena *a);
/* Which reserve replaces a dropped-out member: PANEL holds the encoded answers of the members who
 * stay (NP of them), RESERVES those of the reserves in their order (NR). The first reserve with
 * whom every quota holds; if none, the first with the same answers as DROPPED; else the first.
 * -1 when there is no reserve. *QUOTAS_OK says whether every quota holds with that reserve. */
long panels_next_reserve(const struct panels_quota *q, size_t nq, const char *const *panel,
                         size_t np, const char *dropped, const char *const *reserves, size_t nr,
                         int *quotas_ok, struct noaber_arena *a);

/* The engine's stderr as a coordinator reads it: progress lines dropped, each "Dutch / English"
 * line cut to the half of LANG ("nl" or "en"), the file's technical lines ("Fout: ...") kept.
 * On A. */
char *panels_engine_message(const char *stderr_text, const char *lang, struct noaber_arena *a);
/* From a draw's record (draw.txt): 1 when its minimum probability is below the proven upper
 * bound (the engine stopped within its tolerance), with both in *MIN and *BOUND; else 0. */
int panels_draw_gap(const char *draw, double *min, double *bound);
/* 1 when the record says that leximin's higher levels are the best found, not proven (the
 * engine's "higher levels: best found ..." line); else 0. */
int panels_draw_higher_unproven(const char *draw);

/* Server-rendered bar chart of probabilities (inline SVG, no script): one bar per volunteer
 * number, with the expected k/n line. VALUES in [0,1], N of them, LABELS their numbers. TITLE and
 * DESC are the accessible name and description (escaped here). Appends to OUT. */
void panels_svg_chart(struct noaber_buf *out, const double *values, const int64_t *labels, size_t n,
                      double fair, const char *title, const char *desc);

/* --- records ---------------------------------------------------------------------------------- */

struct panels_run {
    int64_t id;
    const char *status; /* running, done, failed */
    const char *runner, *dir, *message, *distribution, *draw;
    const char *profiles; /* profiles.csv of the draw: "id,profile" by volunteer number */
    int64_t child_pid, started_at, finished_at;
};

struct panels_panel {
    int64_t id, neighbourhood_id;
    const char *title, *purpose;
    int k, reserves;
    enum panels_stage stage;
    int64_t addresses_total, invited, addresses_left;
    const char *seed;
    int64_t seed_at, created_at, closed_at, drawn_at, published_at;
    int64_t volunteers, codes_used;
    struct panels_quota *quotas;
    size_t nquotas;
    struct panels_question *questions;
    size_t nquestions;
    const char **features; /* the distinct features, in order */
    size_t nfeatures;
    struct panels_run run; /* the latest run (id 0: none) */
};

struct panels_volunteer {
    int64_t id, number, person_id;
    const char *name, *email, *phone, *postal, *lang, *channel;
    const char *answers;
    int64_t consent_at;
    const char *consent_how, *consent_by;
    enum panels_vstatus status;
    int reserve_rank;
    const char *probability;
    int64_t profile;
};

/* --- operations (web.c); each runs its own transaction ---------------------------------------- */

struct panels_new {
    const char *title, *purpose, *quotas_csv, *questions;
    int64_t k, reserves;
};
/* Creates a panel of HOOD. NOABER_E_BAD_QUOTAS (*LINE the line), NOABER_E_INVALID. */
enum noaber_err panels_create(struct noaber_db *db, const struct members_actor *actor,
                              const struct members_hood *hood, const struct panels_new *in,
                              int64_t *id_out, size_t *line);
/* The panels of HOOD, newest first (quotas not filled). */
enum noaber_err panels_list(struct noaber_db *db, const struct members_actor *actor,
                            const struct members_hood *hood, struct panels_panel **out, size_t *n,
                            struct noaber_arena *a);
/* Panel ID of HOOD with its quotas, questions and latest run. Before it is read, a run that is
 * still marked running is looked after (web_run.c: finished child read in, dead server marked
 * failed). NOABER_E_NOT_FOUND. FOR_PUBLIC: only when published (anyone), else the actor must
 * manage it (or, with PAPER, may enter paper replies). */
enum panels_view { PANELS_VIEW_MANAGE, PANELS_VIEW_PAPER, PANELS_VIEW_PUBLIC };
enum noaber_err panels_get(struct noaber_db *db, const struct noaber_config *cfg,
                           const struct members_actor *actor, const struct members_hood *hood,
                           int64_t id, enum panels_view view, struct panels_panel *out,
                           struct noaber_arena *a);
/* Changes the minimums and maximums of the quotas until the panel is drawn, for example after a
 * draw failed on quotas that cannot all be met. QUOTAS_CSV is in the format of panels_create()
 * and holds exactly the same features and values, so that every volunteer's answers stay valid.
 * K, when not 0, is a new number of places (1 to PANELS_WEB_MAX_K, else NOABER_E_INVALID),
 * against which the quotas are checked: fewer volunteers than hoped for may call for a smaller
 * panel, and they stay with this one. NOABER_E_BAD_QUOTAS (*LINE the line, 0 when the values
 * differ), NOABER_E_STAGE (drawn), NOABER_E_CONFLICT (a draw is running). A changed min, max
 * or number of places withdraws an announced seed. */
enum noaber_err panels_quotas_update(struct noaber_db *db, const struct members_actor *actor,
                                     const struct members_hood *hood, int64_t id,
                                     const char *quotas_csv, int64_t k, size_t *line);
/* Uploads stage 1's address list (replacing one not yet drawn from). Nothing is stored on any
 * error. NOABER_E_STAGE when stage 1 is closed or letters were drawn. */
enum noaber_err panels_addresses_upload(struct noaber_db *db, const struct members_actor *actor,
                                        const struct members_hood *hood, int64_t id,
                                        const char *csv, size_t len, int64_t *count, size_t *line);
/* Draws COUNT more addresses uniformly at random from those not drawn yet and stores a response
 * code hash for each. NOABER_E_TOO_MANY when fewer are left. */
enum noaber_err panels_invite(struct noaber_db *db, const struct members_actor *actor,
                              const struct members_hood *hood, int64_t id, int64_t count);
/* The invitation letters of part PART (1-based: drawn addresses (PART-1) * PANELS_WEB_LETTERS_PART
 * and on, at most that many) as one PDF (appended to OUT), with the codes and QR codes of
 * PUBLIC_URL + /panel/signup?code=...; NOABER_E_STAGE once stage 1 is closed, NOABER_E_NOT_FOUND
 * for a part beyond the last. */
enum noaber_err panels_letters(struct noaber_db *db, const struct noaber_config *cfg,
                               const struct members_actor *actor, const struct members_hood *hood,
                               int64_t id, int64_t part, const char *lang, struct noaber_buf *out,
                               struct noaber_arena *a);
/* Closes stage 1: deletes the address rows and the code key; no more sign-ups. */
enum noaber_err panels_close_stage1(struct noaber_db *db, const struct members_actor *actor,
                                    const struct members_hood *hood, int64_t id);
/* Changes the title, the purpose and the number of reserves until the draw has an outcome; the
 * purpose only while nobody has signed up (volunteers consent to it); not k, for which the quotas
 * were made (a new panel then). NOABER_E_INVALID, NOABER_E_STAGE (drawn, or the purpose after a
 * sign-up), NOABER_E_CONFLICT (a draw is running). */
enum noaber_err panels_details_update(struct noaber_db *db, const struct members_actor *actor,
                                      const struct members_hood *hood, int64_t id,
                                      const char *title, const char *purpose, int64_t reserves);
/* Announces SEED (1..200 characters); NOABER_E_STAGE unless panels_seed_may_be_announced. */
enum noaber_err panels_seed(struct noaber_db *db, const struct members_actor *actor,
                            const struct members_hood *hood, int64_t id, const char *seed);
/* Is the panel's latest draw still marked running? */
int panels_draw_running(const struct panels_panel *p);
/* A seed may be announced once stage 1 is closed, while none is announced and no draw runs;
 * changing a min or max of the quotas withdraws it (panels_quotas_update). */
int panels_seed_may_be_announced(const struct panels_panel *p);
/* Starts the selection as a child process with ALGORITHM: "leximin" (also NULL or "") or
 * "maximin" (only the smallest chance as large as possible: a way out when leximin takes too
 * long). NOABER_E_INVALID (another algorithm), NOABER_E_STAGE (stage 1 open, or drawn),
 * NOABER_E_NO_SEED, NOABER_E_CONFLICT (a run is going), NOABER_E_TOO_FEW_VOLUNTEERS. */
enum noaber_err panels_draw_start(struct noaber_db *db, const struct noaber_config *cfg,
                                  const struct members_actor *actor,
                                  const struct members_hood *hood, int64_t id,
                                  const char *algorithm);
/* Waits (at most SECONDS) for the run of panel ID to end and reads it in (demo, tests). */
enum noaber_err panels_draw_wait(struct noaber_db *db, const struct noaber_config *cfg, int64_t id,
                                 int seconds);
/* Publishes the outcome. NOABER_E_STAGE unless drawn. */
enum noaber_err panels_publish(struct noaber_db *db, const struct members_actor *actor,
                               const struct members_hood *hood, int64_t id);
/* The volunteers of panel ID (managers only), by number. */
enum noaber_err panels_volunteers(struct noaber_db *db, const struct members_actor *actor,
                                  const struct members_hood *hood, int64_t id,
                                  struct panels_volunteer **out, size_t *n, struct noaber_arena *a);
/* Marks selected volunteer VID as dropped out; the next suitable reserve moves up (and is told).
 * *REPLACED gets the volunteer's number who moved up (0: none left), *QUOTAS_OK whether every
 * quota still holds. */
enum noaber_err panels_dropout(struct noaber_db *db, const struct members_actor *actor,
                               const struct members_hood *hood, int64_t id, int64_t vid,
                               int64_t *replaced, int *quotas_ok);

/* A sign-up, by the recipient online (CODE) or a connector entering a paper reply. */
struct panels_signup {
    const char *code;
    const char *name, *email, *phone, *postal, *lang;
    const char *const *answers; /* one per feature of the panel, in its order */
    size_t nanswers;
    int consent;
    const char *client_ip;
};
/* The panel a code belongs to (for the sign-up form): NOABER_E_BAD_CODE (wrong or used; counts
 * towards the rate limit), NOABER_E_RATE_LIMITED (*retry_minutes), NOABER_E_STAGE (stage 1
 * closed). */
enum noaber_err panels_code_panel(struct noaber_db *db, const char *code, const char *client_ip,
                                  int64_t *panel_id, int *retry_minutes);
/* Panel ID as the sign-up form needs it (no manager check; only while stage 1 is open). */
enum noaber_err panels_signup_panel(struct noaber_db *db, int64_t id, struct panels_panel *out,
                                    struct noaber_arena *a);
/* Signs up with a code. PAPER_HOOD NULL: online by ACTOR (may be anonymous); otherwise a paper
 * reply entered by ACTOR (a connector or coordinator of PAPER_HOOD) for panel PAPER_ID. Makes
 * an account without password for an anonymous volunteer. NOABER_E_CONSENT_REQUIRED,
 * NOABER_E_CONTACT_REQUIRED, NOABER_E_EMAIL_TAKEN (log in first), and those of
 * panels_code_panel(). *NUMBER_OUT gets the volunteer's number. */
enum noaber_err panels_signup(struct noaber_db *db, const struct members_actor *actor,
                              const struct members_hood *paper_hood, int64_t paper_id,
                              const struct panels_signup *in, int64_t *number_out,
                              int *retry_minutes);

/* The demo's panels in Binnenstad (after members_demo()): one published, with volunteers,
 * reserves and a run made by the real child process; one still in stage 1, which takes the
 * printed demo response code DEMA-2345. */
enum noaber_err panels_web_demo(struct noaber_db *db, const struct noaber_config *cfg);

/* --- privacy (web_privacy.c) ------------------------------------------------------------------ */

extern const struct privacy_table panels_privacy_tables[];

#endif
