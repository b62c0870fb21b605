/*
 * Internal to the residents module: its storage functions (residents_store.c holds all its SQL),
 * the PDF renderer (residents_pdf.c) and the HTTP handlers with the route table (joined in
 * src/http/routes.c). Stores neither begin nor commit; operations in residents.c own the
 * transactions.
 */
#ifndef NOABER_RESIDENTS_INT_H
#define NOABER_RESIDENTS_INT_H

#include "http/http.h"
#include "residents/residents.h"

struct noaber_buf;
struct noaber_catalog;

/* --- store: skills ---------------------------------------------------------------------------- */

enum noaber_err residents_store_skills(struct noaber_db *db, int all, struct residents_skill **out,
                                       size_t *n, struct noaber_arena *a);
/* NOABER_E_CONFLICT when the slug exists. */
enum noaber_err residents_store_skill_add(struct noaber_db *db, const char *slug,
                                          const char *label_nl, const char *label_en, int64_t now);
/* *changed 0 when there is no such skill. */
enum noaber_err residents_store_skill_update(struct noaber_db *db, int64_t id, const char *label_nl,
                                             const char *label_en, int active, int64_t *changed);

/* --- store: profiles -------------------------------------------------------------------------- */

/* PERSON's account fields and profile (OUT->exists 0 when no profile row), with their skills
 * (comma-separated slugs) and active consents. NOABER_E_NOT_FOUND when there is no person. */
enum noaber_err residents_store_profile(struct noaber_db *db, int64_t person,
                                        struct residents_profile *out, struct noaber_arena *a);
/* Writes every profile field of P (insert or update); the phone is the account's (members). */
enum noaber_err residents_store_profile_put(struct noaber_db *db, const struct residents_profile *p,
                                            int64_t now, int64_t by);
/* Deletes the answers, availability and skills (the consent 'profile' was withdrawn). */
enum noaber_err residents_store_profile_clear(struct noaber_db *db, int64_t person, int64_t now,
                                              int64_t by);
/* Replaces PERSON's skills by the slugs of the two normalised lists. */
enum noaber_err residents_store_skills_set(struct noaber_db *db, int64_t person,
                                           const char *offered, const char *wanted);

/* --- store: consents -------------------------------------------------------------------------- */

enum noaber_err residents_store_consents(struct noaber_db *db, int64_t person,
                                         struct residents_consent **out, size_t *n,
                                         struct noaber_arena *a);
enum noaber_err residents_store_consent_mask(struct noaber_db *db, int64_t person,
                                             residents_cset *out);
enum noaber_err residents_store_consent_give(struct noaber_db *db, int64_t person,
                                             enum residents_purpose p, int64_t at,
                                             enum residents_how how, int64_t by);
enum noaber_err residents_store_consent_withdraw(struct noaber_db *db, int64_t person,
                                                 enum residents_purpose p, int64_t at, int64_t by);

/* --- store: machtigingen and the acted-for log ------------------------------------------------ */

enum noaber_err residents_store_auth_add(struct noaber_db *db, int64_t person, int64_t connector,
                                         int64_t granted, int64_t ends, enum residents_how how,
                                         int64_t by);
/* PERSON's machtigingen, newest first (VALID filled for NOW). */
enum noaber_err residents_store_auths(struct noaber_db *db, int64_t person, int64_t now,
                                      struct residents_authorisation **out, size_t *n,
                                      struct noaber_arena *a);
/* Whether CONNECTOR holds a valid machtiging of PERSON at NOW (*valid), or ever held one
 * (*any). */
enum noaber_err residents_store_auth_check(struct noaber_db *db, int64_t person, int64_t connector,
                                           int64_t now, int *valid, int *any);
/* The connector of machtiging ID of PERSON (0 when there is none). */
enum noaber_err residents_store_auth_connector(struct noaber_db *db, int64_t id, int64_t person,
                                               int64_t *connector);
enum noaber_err residents_store_auth_revoke(struct noaber_db *db, int64_t id, int64_t person,
                                            int64_t at, int64_t by, int64_t *changed);
enum noaber_err residents_store_acted_add(struct noaber_db *db, int64_t connector, int64_t person,
                                          const char *action, const char *detail, int64_t at);
enum noaber_err residents_store_acted(struct noaber_db *db, int64_t person, int64_t limit,
                                      struct residents_acted **out, size_t *n,
                                      struct noaber_arena *a);

/* --- store: intake, caseload, notes ----------------------------------------------------------- */

enum noaber_err residents_store_intake_add(struct noaber_db *db, int64_t person, int64_t hood,
                                           int64_t by, const char *place, int64_t at);
/* The last intake of PERSON in HOOD: *at 0 when none. */
enum noaber_err residents_store_intake_last(struct noaber_db *db, int64_t person, int64_t hood,
                                            int64_t *at, const char **by, const char **place,
                                            struct noaber_arena *a);
enum noaber_err residents_store_case_get(struct noaber_db *db, int64_t person, int64_t hood,
                                         int64_t *connector, int64_t *since, int64_t *next,
                                         const char **connector_name, int *found,
                                         struct noaber_arena *a);
/* Insert or update the caseload line; NEXT 0 stores no date. */
enum noaber_err residents_store_case_put(struct noaber_db *db, int64_t person, int64_t hood,
                                         int64_t connector, int64_t since, int64_t next);
/* Clears every next contact date of PERSON (the consent 'contact' was withdrawn). */
enum noaber_err residents_store_case_clear_next(struct noaber_db *db, int64_t person);
/* The caseload of HOOD: of CONNECTOR, or everyone's (CONNECTOR 0). */
enum noaber_err residents_store_cases(struct noaber_db *db, int64_t hood, int64_t connector,
                                      struct residents_case **out, size_t *n,
                                      struct noaber_arena *a);
/* Confirmed residents of HOOD whom nobody follows. */
enum noaber_err residents_store_unfollowed(struct noaber_db *db, int64_t hood,
                                           struct residents_case **out, size_t *n,
                                           struct noaber_arena *a);
/* HEALTH 0: contact_notes, 1: health_notes. */
enum noaber_err residents_store_note_add(struct noaber_db *db, int health, int64_t person,
                                         int64_t hood, int64_t author, const char *text,
                                         int64_t at);
enum noaber_err residents_store_notes(struct noaber_db *db, int health, int64_t person,
                                      int64_t hood, struct residents_note **out, size_t *n,
                                      struct noaber_arena *a);
enum noaber_err residents_store_health_delete(struct noaber_db *db, int64_t person);

/* --- store: who can help, figures ------------------------------------------------------------- */

enum noaber_err residents_store_helpers(struct noaber_db *db, int64_t hood, const char *skill,
                                        int64_t exclude, struct residents_helper **out, size_t *n,
                                        struct noaber_arena *a);
/* Counts for the report (not yet suppressed). */
enum noaber_err residents_store_report(struct noaber_db *db, int64_t hood, int64_t month_start,
                                       struct residents_report *out, struct noaber_arena *a);

/* --- PDF (residents_pdf.c) -------------------------------------------------------------------- */

struct residents_card {
    const char *name, *username, *code, *login_url, *code_url, *hood_name, *connector_name;
    int days; /* the code works this many days */
};
/* The login card: an A4 page with a card to cut out, the code in large letters and a QR code of
 * CODE_URL. Texts in catalogue CAT. Appends the PDF to OUT. */
enum noaber_err residents_pdf_card(const struct residents_card *c, const struct noaber_catalog *cat,
                                   struct noaber_buf *out);
/* The one-page intake summary of FILE (as the connector sees it), in CAT. */
struct residents_summary {
    const struct residents_file *file;
    const char *hood_name, *connector_name;
    int64_t date;
    const struct residents_skill *skills; /* the skill list, for labels */
    size_t nskills;
};
enum noaber_err residents_pdf_intake(const struct residents_summary *s,
                                     const struct noaber_catalog *cat, struct noaber_buf *out);

/* --- HTTP (residents_pages.c, residents_file_pages.c, residents_hood_pages.c, residents_api.c,
 * routes.c) ----------------------------------------------------------------------------------- */

/* Helpers shared by the handlers (residents_pages.c). */
/* T as a date in the request's language ("31-03-2025", "2025-03-31"); "" for 0. */
const char *residents_date_text(struct noaber_req *r, int64_t t);
/* Every value of the form field NAME (checkboxes), joined with commas, on the arena. */
const char *residents_form_list(struct noaber_req *r, const char *name);
/* Checks and normalises a list of skill slugs against the active skills. */
enum noaber_err residents_skill_list(struct noaber_req *r, const char *list, const char **out);
/* The active skills as [{slug, label, offered, wanted}] with the two lists ticked. */
json_t *residents_skills_json(struct noaber_req *r, const char *offered, const char *wanted);
/* The labels of a comma-separated list of slugs, in the request's language. */
json_t *residents_skill_labels(struct noaber_req *r, const char *list);
/* The visible mask from a list of field names ("about,offers,phone"); NOABER_E_BAD_CHOICE. */
enum noaber_err residents_visible_parse(const char *list, unsigned *out);
/* {about: bool, ...} of the shareable fields in MASK. */
json_t *residents_visible_json(unsigned mask);
/* The names of the shareable fields in MASK as a list ("about,offers"), on the arena. */
const char *residents_visible_list(struct noaber_req *r, unsigned mask);
/* When POSTCODE does not belong to HOOD: a message naming the neighbourhood it belongs to (or
 * saying that none does); NULL when it is fine. */
const char *residents_postcode_problem(struct noaber_req *r, const char *postcode,
                                       const struct members_hood *hood);
/* [{purpose, label, hint, active, since, how}] of the purposes, from a list of consents. */
json_t *residents_consents_json(struct noaber_req *r, const struct residents_consent *c, size_t n,
                                residents_cset active);
/* Label msgid of an acted-for action ("profile_saved"). */
const char *residents_action_label(const char *action);
/* The PDF as the answer, with a file name. */
enum noaber_err residents_resp_pdf(struct noaber_req *r, const struct noaber_buf *pdf,
                                   const char *filename);

extern const struct noaber_route residents_routes[];

enum noaber_err residents_page_profile(struct noaber_req *r);
enum noaber_err residents_page_profile_save(struct noaber_req *r);
enum noaber_err residents_page_consent(struct noaber_req *r);
enum noaber_err residents_page_authorise(struct noaber_req *r);
enum noaber_err residents_page_revoke(struct noaber_req *r);
enum noaber_err residents_page_help(struct noaber_req *r);
enum noaber_err residents_page_intake_form(struct noaber_req *r);
enum noaber_err residents_page_intake(struct noaber_req *r);
enum noaber_err residents_page_file(struct noaber_req *r);
enum noaber_err residents_page_note(struct noaber_req *r);
enum noaber_err residents_page_health(struct noaber_req *r);
enum noaber_err residents_page_file_consent(struct noaber_req *r);
enum noaber_err residents_page_file_authorise(struct noaber_req *r);
enum noaber_err residents_page_file_revoke(struct noaber_req *r);
enum noaber_err residents_page_follow(struct noaber_req *r);
enum noaber_err residents_page_handover(struct noaber_req *r);
enum noaber_err residents_page_intake_pdf(struct noaber_req *r);
enum noaber_err residents_page_card(struct noaber_req *r);
enum noaber_err residents_page_caseload(struct noaber_req *r);
enum noaber_err residents_page_import_form(struct noaber_req *r);
enum noaber_err residents_page_import(struct noaber_req *r);
enum noaber_err residents_page_reports(struct noaber_req *r);
enum noaber_err residents_page_skills(struct noaber_req *r);
enum noaber_err residents_page_skill_add(struct noaber_req *r);
enum noaber_err residents_page_skill_update(struct noaber_req *r);

enum noaber_err residents_api_profile(struct noaber_req *r);
enum noaber_err residents_api_profile_update(struct noaber_req *r);
enum noaber_err residents_api_consents(struct noaber_req *r);
enum noaber_err residents_api_consent_give(struct noaber_req *r);
enum noaber_err residents_api_consent_withdraw(struct noaber_req *r);
enum noaber_err residents_api_skills(struct noaber_req *r);
enum noaber_err residents_api_help(struct noaber_req *r);
enum noaber_err residents_api_resident(struct noaber_req *r);
enum noaber_err residents_api_caseload(struct noaber_req *r);
enum noaber_err residents_api_reports(struct noaber_req *r);

#endif
