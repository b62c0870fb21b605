/*
 * The privacy module's route table: a person's own data, readable and as JSON, who opened their
 * file, and the erasure of their account. Every route is for the logged-in person about
 * themself; there is no route to another person's data here.
 */
#include "privacy/privacy_pages.h"

#define R(m, p, h, a)                                                                              \
    {                                                                                              \
        NOABER_##m, p, h, MEMBERS_A_##a                                                            \
    }

const struct noaber_route privacy_routes[] = {
    R(GET, "/account/data", privacy_page_data, LOGGED_IN),
    R(GET, "/account/data.json", privacy_page_data_json, LOGGED_IN),
    R(GET, "/account/access-log", privacy_page_access_log, LOGGED_IN),
    R(GET, "/account/erase", privacy_page_erase_form, LOGGED_IN),
    R(POST, "/account/erase", privacy_page_erase, LOGGED_IN),
    R(GET, "/api/v1/me/export", privacy_api_export, LOGGED_IN),
    R(DELETE, "/api/v1/me", privacy_api_erase, LOGGED_IN),
    R(GET, "/api/v1/me/access-log", privacy_api_access_log, LOGGED_IN),
    {0, NULL, NULL, 0},
};
