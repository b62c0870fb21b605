/*
 * Internal to the panels' web part: its storage functions (web_store.c holds all its SQL), the
 * child process of the draw (web_run.c), the letters (web_letters.c) and the HTTP handlers with
 * the route table (joined in src/http/routes.c). Stores neither begin nor commit; operations in
 * web.c own the transactions.
 */
#ifndef NOABER_PANELS_WEB_INT_H
#define NOABER_PANELS_WEB_INT_H

#include "http/http.h"
#include "http/input.h"
#include "panels/web.h"

struct noaber_catalog;

/* --- store ------------------------------------------------------------------------------------ */

enum noaber_err web_store_panel_add(struct noaber_db *db, int64_t hood, const struct panels_new *in,
                                    const char *code_key, int64_t now, int64_t by, int64_t *id);
enum noaber_err web_store_quota_add(struct noaber_db *db, int64_t panel,
                                    const struct panels_quota *q, int sort);
enum noaber_err web_store_quota_set(struct noaber_db *db, int64_t panel,
                                    const struct panels_quota *q);
enum noaber_err web_store_question_add(struct noaber_db *db, int64_t panel,
                                       const struct panels_question *q, int sort);
/* The panels of HOOD, newest first, with their counts. */
enum noaber_err web_store_panels(struct noaber_db *db, int64_t hood, struct panels_panel **out,
                                 size_t *n, struct noaber_arena *a);
/* Panel ID (of HOOD; 0: any) with counts, quotas, questions, latest run. *found 0 when none. */
enum noaber_err web_store_panel(struct noaber_db *db, int64_t hood, int64_t id,
                                struct panels_panel *out, int *found, struct noaber_arena *a);
/* The panel's code key (hex; "" once stage 1 is closed). */
enum noaber_err web_store_code_key(struct noaber_db *db, int64_t id, char **key,
                                   struct noaber_arena *a);
enum noaber_err web_store_addresses_clear(struct noaber_db *db, int64_t panel);
enum noaber_err web_store_address_add(struct noaber_db *db, int64_t panel,
                                      const struct panels_address *ad);
enum noaber_err web_store_panel_addresses(struct noaber_db *db, int64_t panel, int64_t total);
/* Row ids of the addresses not drawn yet. */
enum noaber_err web_store_undrawn(struct noaber_db *db, int64_t panel, int64_t **ids, size_t *n,
                                  struct noaber_arena *a);
enum noaber_err web_store_address_drawn(struct noaber_db *db, int64_t address);
enum noaber_err web_store_panel_invited(struct noaber_db *db, int64_t panel, int64_t more);
struct web_address_row {
    int64_t id;
    struct panels_address a;
};
enum noaber_err web_store_drawn(struct noaber_db *db, int64_t panel, struct web_address_row **out,
                                size_t *n, struct noaber_arena *a);
enum noaber_err web_store_code_add(struct noaber_db *db, const char *hash, int64_t panel,
                                   int64_t now);
/* The panel and use of code HASH: *found 0 when unknown. */
enum noaber_err web_store_code_find(struct noaber_db *db, const char *hash, int64_t *panel,
                                    int64_t *used_at, int *found);
/* Marks code HASH used; *changed 0 when it was used already. */
enum noaber_err web_store_code_use(struct noaber_db *db, const char *hash, int64_t now,
                                   int64_t *changed);
enum noaber_err web_store_close(struct noaber_db *db, int64_t panel, int64_t now);
enum noaber_err web_store_seed(struct noaber_db *db, int64_t panel, const char *seed, int64_t now);
/* The number of places (with new quotas, panels_quotas_update). */
enum noaber_err web_store_k(struct noaber_db *db, int64_t panel, int64_t k);
enum noaber_err web_store_details(struct noaber_db *db, int64_t panel, const char *title,
                                  const char *purpose, int64_t reserves);
enum noaber_err web_store_stage(struct noaber_db *db, int64_t panel, enum panels_stage stage,
                                int64_t now);
/* A volunteer with the next number; *number gets it. */
enum noaber_err web_store_volunteer_add(struct noaber_db *db, int64_t panel, int64_t person,
                                        const char *answers, const char *how, int64_t by,
                                        int64_t now, int64_t *number);
/* Whether PERSON volunteered for PANEL already. */
enum noaber_err web_store_volunteer_of(struct noaber_db *db, int64_t panel, int64_t person,
                                       int *found);
enum noaber_err web_store_volunteers(struct noaber_db *db, int64_t panel,
                                     struct panels_volunteer **out, size_t *n,
                                     struct noaber_arena *a);
/* PROBABILITY NULL leaves probability and profile as they are. */
enum noaber_err web_store_volunteer_set(struct noaber_db *db, int64_t panel, int64_t number,
                                        enum panels_vstatus status, int rank,
                                        const char *probability, int64_t profile);
enum noaber_err web_store_run_add(struct noaber_db *db, int64_t panel, const char *runner,
                                  int64_t now, int64_t by, int64_t *id);
enum noaber_err web_store_run_started(struct noaber_db *db, int64_t run, int64_t pid,
                                      const char *dir);
/* Ends run RUN (only while running: *changed 0 when someone else ended it). */
enum noaber_err web_store_run_end(struct noaber_db *db, int64_t run, const char *status,
                                  const char *message, const char *distribution, const char *draw,
                                  const char *profiles, int64_t now, int64_t *changed);

/* --- the child process (web_run.c) ------------------------------------------------------------ */

/* "host:pid" of this server process. */
const char *web_run_runner(void);
/* Writes the input files for panel P with volunteers V into a new temporary folder and starts
 * `/proc/self/exe panel select --algorithm ALGORITHM` there; *PID and *DIR (on A) describe it. */
enum noaber_err web_run_spawn(const struct panels_panel *p, const char *algorithm,
                              const struct panels_volunteer *v, size_t n, int64_t *pid,
                              const char **dir, struct noaber_arena *a);
/* What became of a running run: *state 0 still running, 1 finished (exit code in *code), -1 gone
 * (its server process is no longer there, or the child cannot be found). */
int web_run_poll(const struct panels_run *run, int *state, int *code);
/* Stops a child of this process that is still running (a draw past its time limit that did
 * not end by itself) and reaps it; a run of another process is left to that process. */
void web_run_stop(const struct panels_run *run);
/* Reads a finished run's files from DIR (on A). Any file missing: NULL. */
char *web_run_file(const char *dir, const char *name, struct noaber_arena *a);
/* Removes the run's folder and what is in it. */
void web_run_cleanup(const char *dir);

/* --- letters (web_letters.c) ------------------------------------------------------------------ */

struct web_letter {
    struct panels_address address;
    char code[16];
    const char *url; /* the sign-up link with the code */
};
enum noaber_err web_letters_pdf(const struct panels_panel *p, const char *hood_name,
                                const char *signup_url, const struct web_letter *l, size_t n,
                                const struct noaber_catalog *cat, struct noaber_buf *out);

/* --- HTTP ------------------------------------------------------------------------------------- */

extern const struct noaber_route panels_routes[];

/* Shared by the handlers (web_pages.c). */
int64_t web_panel_id(struct noaber_req *r);
json_t *web_panel_json(struct noaber_req *r, const struct panels_panel *p, int manager);
/* The neighbourhood's panels as a JSON array in *OUT (page and API); *MANAGER: the viewer
 * manages them. */
enum noaber_err web_panel_list_json(struct noaber_req *r, json_t **out, int *manager);
json_t *web_probabilities_json(const struct panels_volunteer *v, size_t n);

enum noaber_err panels_page_list(struct noaber_req *r);
enum noaber_err panels_page_new(struct noaber_req *r);
enum noaber_err panels_page_create(struct noaber_req *r);
enum noaber_err panels_page_show(struct noaber_req *r);
enum noaber_err panels_page_quotas(struct noaber_req *r);
enum noaber_err panels_page_details(struct noaber_req *r);
/* The fields of a panel's details, for the page and the API alike. */
struct panels_details_form {
    const char *title, *purpose;
    int64_t reserves;
};
#define PANELS_DETAILS_FIELDS 3
extern const struct noaber_field panels_details_spec[PANELS_DETAILS_FIELDS];
/* The draw's form and body: the algorithm, leximin (when absent) or maximin. */
struct panels_draw_form {
    const char *algorithm;
};
extern const struct noaber_field panels_draw_spec[1];
enum noaber_err panels_page_addresses(struct noaber_req *r);
enum noaber_err panels_page_invite(struct noaber_req *r);
enum noaber_err panels_page_letters(struct noaber_req *r);
enum noaber_err panels_page_close(struct noaber_req *r);
enum noaber_err panels_page_seed(struct noaber_req *r);
enum noaber_err panels_page_draw(struct noaber_req *r);
enum noaber_err panels_page_progress(struct noaber_req *r);
enum noaber_err panels_page_publish(struct noaber_req *r);
enum noaber_err panels_page_volunteers(struct noaber_req *r);
enum noaber_err panels_page_dropout(struct noaber_req *r);
enum noaber_err panels_page_reply_form(struct noaber_req *r);
enum noaber_err panels_page_reply(struct noaber_req *r);
enum noaber_err panels_page_result(struct noaber_req *r);
enum noaber_err panels_page_distribution(struct noaber_req *r);
enum noaber_err panels_page_signup_form(struct noaber_req *r);
enum noaber_err panels_page_signup(struct noaber_req *r);

enum noaber_err panels_api_list(struct noaber_req *r);
enum noaber_err panels_api_create(struct noaber_req *r);
enum noaber_err panels_api_get(struct noaber_req *r);
enum noaber_err panels_api_quotas(struct noaber_req *r);
enum noaber_err panels_api_details(struct noaber_req *r);
enum noaber_err panels_api_addresses(struct noaber_req *r);
enum noaber_err panels_api_invite(struct noaber_req *r);
enum noaber_err panels_api_close(struct noaber_req *r);
enum noaber_err panels_api_seed(struct noaber_req *r);
enum noaber_err panels_api_draw(struct noaber_req *r);
enum noaber_err panels_api_publish(struct noaber_req *r);
enum noaber_err panels_api_volunteers(struct noaber_req *r);
enum noaber_err panels_api_dropout(struct noaber_req *r);
enum noaber_err panels_api_result(struct noaber_req *r);
enum noaber_err panels_api_signup(struct noaber_req *r);

#endif
