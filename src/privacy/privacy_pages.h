/*
 * The privacy module's HTTP handlers (pages and API) and its route table. Internal to
 * src/privacy/ and src/http/routes.c.
 */
#ifndef NOABER_PRIVACY_PAGES_H
#define NOABER_PRIVACY_PAGES_H

#include "http/http.h"
#include "privacy/privacy.h"

extern const struct noaber_route privacy_routes[];

/* privacy_pages.c */
enum noaber_err privacy_page_data(struct noaber_req *r);
enum noaber_err privacy_page_data_json(struct noaber_req *r);
enum noaber_err privacy_page_access_log(struct noaber_req *r);
enum noaber_err privacy_page_erase_form(struct noaber_req *r);
enum noaber_err privacy_page_erase(struct noaber_req *r);

/* privacy_api.c */
enum noaber_err privacy_api_export(struct noaber_req *r);
enum noaber_err privacy_api_erase(struct noaber_req *r);
enum noaber_err privacy_api_access_log(struct noaber_req *r);
/* The export as JSON: {"format", "person_id", "generated_at", "tables": {name: {"description",
 * "rows": [{column: value}], "acted": [...]}}}; values are strings or null. */
json_t *privacy_export_json(const struct privacy_export *x);

#endif
