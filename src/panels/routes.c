/*
 * The route table of the panels' web part: method, path pattern, handler, and the action the one
 * authorisation function checks before the handler runs. Managing a panel is for the coordinators
 * of its neighbourhood and administrators (MEMBERS_A_HOOD_EDIT: exactly those); the list is also
 * for connectors (MEMBERS_A_MEMBER_LIST), who enter paper replies (MEMBERS_A_INTAKE). The
 * operations check again, with the panel's own neighbourhood. Sign-up and the published outcome
 * are public.
 */
#include "panels/web_int.h"

#define R(m, p, h, a)                                                                              \
    {                                                                                              \
        NOABER_##m, p, h, MEMBERS_A_##a                                                            \
    }

const struct noaber_route panels_routes[] = {
    R(GET, "/panel/signup", panels_page_signup_form, PUBLIC),
    R(POST, "/panel/signup", panels_page_signup, PUBLIC),
    R(GET, "/n/{hood}/panels", panels_page_list, MEMBER_LIST),
    R(GET, "/n/{hood}/panels/new", panels_page_new, HOOD_EDIT),
    R(POST, "/n/{hood}/panels", panels_page_create, HOOD_EDIT),
    R(GET, "/n/{hood}/panels/{id}", panels_page_show, HOOD_EDIT),
    R(POST, "/n/{hood}/panels/{id}/quotas", panels_page_quotas, HOOD_EDIT),
    R(POST, "/n/{hood}/panels/{id}/details", panels_page_details, HOOD_EDIT),
    R(POST, "/n/{hood}/panels/{id}/addresses", panels_page_addresses, HOOD_EDIT),
    R(POST, "/n/{hood}/panels/{id}/invitations", panels_page_invite, HOOD_EDIT),
    R(GET, "/n/{hood}/panels/{id}/letters.pdf", panels_page_letters, HOOD_EDIT),
    R(POST, "/n/{hood}/panels/{id}/close", panels_page_close, HOOD_EDIT),
    R(POST, "/n/{hood}/panels/{id}/seed", panels_page_seed, HOOD_EDIT),
    R(POST, "/n/{hood}/panels/{id}/draw", panels_page_draw, HOOD_EDIT),
    R(GET, "/n/{hood}/panels/{id}/draw", panels_page_progress, HOOD_EDIT),
    R(POST, "/n/{hood}/panels/{id}/publish", panels_page_publish, HOOD_EDIT),
    R(GET, "/n/{hood}/panels/{id}/volunteers", panels_page_volunteers, HOOD_EDIT),
    R(POST, "/n/{hood}/panels/{id}/volunteers/{vid}/dropout", panels_page_dropout, HOOD_EDIT),
    R(GET, "/n/{hood}/panels/{id}/reply", panels_page_reply_form, INTAKE),
    R(POST, "/n/{hood}/panels/{id}/reply", panels_page_reply, INTAKE),
    R(GET, "/n/{hood}/panels/{id}/result", panels_page_result, HOOD_PUBLIC),
    R(GET, "/n/{hood}/panels/{id}/distribution.csv", panels_page_distribution, HOOD_PUBLIC),

    R(POST, "/api/v1/panels/signup", panels_api_signup, PUBLIC),
    R(GET, "/api/v1/neighbourhoods/{hood}/panels", panels_api_list, MEMBER_LIST),
    R(POST, "/api/v1/neighbourhoods/{hood}/panels", panels_api_create, HOOD_EDIT),
    R(GET, "/api/v1/neighbourhoods/{hood}/panels/{id}", panels_api_get, HOOD_EDIT),
    R(POST, "/api/v1/neighbourhoods/{hood}/panels/{id}/quotas", panels_api_quotas, HOOD_EDIT),
    R(POST, "/api/v1/neighbourhoods/{hood}/panels/{id}/details", panels_api_details, HOOD_EDIT),
    R(POST, "/api/v1/neighbourhoods/{hood}/panels/{id}/addresses", panels_api_addresses, HOOD_EDIT),
    R(POST, "/api/v1/neighbourhoods/{hood}/panels/{id}/invitations", panels_api_invite, HOOD_EDIT),
    R(POST, "/api/v1/neighbourhoods/{hood}/panels/{id}/close", panels_api_close, HOOD_EDIT),
    R(POST, "/api/v1/neighbourhoods/{hood}/panels/{id}/seed", panels_api_seed, HOOD_EDIT),
    R(POST, "/api/v1/neighbourhoods/{hood}/panels/{id}/draw", panels_api_draw, HOOD_EDIT),
    R(POST, "/api/v1/neighbourhoods/{hood}/panels/{id}/publish", panels_api_publish, HOOD_EDIT),
    R(GET, "/api/v1/neighbourhoods/{hood}/panels/{id}/volunteers", panels_api_volunteers,
      HOOD_EDIT),
    R(POST, "/api/v1/neighbourhoods/{hood}/panels/{id}/volunteers/{vid}/dropout",
      panels_api_dropout, HOOD_EDIT),
    R(GET, "/api/v1/neighbourhoods/{hood}/panels/{id}/result", panels_api_result, HOOD_PUBLIC),
    {0, NULL, NULL, 0},
};
