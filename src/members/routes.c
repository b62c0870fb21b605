/*
 * The members module's route table: method, path pattern, handler, and the action the one
 * authorisation function checks before the handler runs. Routes under /n/{hood}/ are checked
 * against the person's role in that neighbourhood.
 */
#include "members/members_pages.h"

#define R(m, p, h, a)                                                                              \
    {                                                                                              \
        NOABER_##m, p, h, MEMBERS_A_##a                                                            \
    }

const struct noaber_route members_routes[] = {
    R(GET, "/", members_page_home, PUBLIC),
    R(GET, "/login", members_page_login_form, PUBLIC),
    R(POST, "/login", members_page_login, PUBLIC),
    R(GET, "/login/totp", members_page_totp_form, PUBLIC),
    R(POST, "/login/totp", members_page_totp_login, PUBLIC),
    R(GET, "/account/totp", members_page_totp_setup, LOGGED_IN),
    R(POST, "/account/totp/begin", members_page_totp_begin, LOGGED_IN),
    R(POST, "/account/totp/enable", members_page_totp_enable, LOGGED_IN),
    R(POST, "/account/totp/disable", members_page_totp_disable, LOGGED_IN),
    R(GET, "/login/code", members_page_code_form, PUBLIC),
    R(POST, "/login/code", members_page_code_login, PUBLIC),
    R(POST, "/logout", members_page_logout, PUBLIC),
    R(POST, "/logout/all", members_page_logout_all, LOGGED_IN),
    R(GET, "/register", members_page_register_form, PUBLIC),
    R(POST, "/register", members_page_register, PUBLIC),
    R(GET, "/verify", members_page_verify_form, PUBLIC),
    R(POST, "/verify", members_page_verify, PUBLIC),
    R(GET, "/password/reset", members_page_reset_form, PUBLIC),
    R(POST, "/password/reset", members_page_reset, PUBLIC),
    R(POST, "/language", members_page_language, PUBLIC),
    R(GET, "/account", members_page_account, LOGGED_IN),
    R(POST, "/account", members_page_account_save, LOGGED_IN),
    R(POST, "/account/password", members_page_password_save, LOGGED_IN),
    R(GET, "/n/{hood}", members_page_hood, HOOD_PUBLIC),
    R(GET, "/n/{hood}/members", members_page_members, MEMBER_LIST),
    R(GET, "/n/{hood}/members/new", members_page_member_new, MEMBER_CREATE),
    R(POST, "/n/{hood}/members", members_page_member_add, MEMBER_CREATE),
    R(POST, "/n/{hood}/members/{id}/confirm", members_page_confirm, MEMBER_CONFIRM),
    R(POST, "/n/{hood}/members/{id}/role", members_page_role, ROLE_SET),
    R(POST, "/n/{hood}/members/{id}/code", members_page_code, MEMBER_CODE),
    R(GET, "/admin", members_page_admin, ADMIN),
    R(POST, "/admin/neighbourhoods", members_page_hood_create, ADMIN),
    R(POST, "/admin/test-email", members_page_test_email, ADMIN),

    R(POST, "/api/v1/login", members_api_login, PUBLIC),
    R(POST, "/api/v1/login/totp", members_api_login_totp, PUBLIC),
    R(POST, "/api/v1/logout", members_api_logout, LOGGED_IN),
    R(POST, "/api/v1/tokens", members_api_token_create, LOGGED_IN),
    R(GET, "/api/v1/me", members_api_me, LOGGED_IN),
    R(PATCH, "/api/v1/me", members_api_me_update, LOGGED_IN),
    R(GET, "/api/v1/neighbourhoods", members_api_hoods, PUBLIC),
    R(POST, "/api/v1/neighbourhoods", members_api_hood_create, ADMIN),
    R(GET, "/api/v1/neighbourhoods/{hood}", members_api_hood, HOOD_PUBLIC),
    R(GET, "/api/v1/neighbourhoods/{hood}/members", members_api_members, MEMBER_LIST),
    R(POST, "/api/v1/neighbourhoods/{hood}/members", members_api_member_add, MEMBER_CREATE),
    R(POST, "/api/v1/neighbourhoods/{hood}/members/{id}/confirm", members_api_confirm,
      MEMBER_CONFIRM),
    R(PUT, "/api/v1/neighbourhoods/{hood}/members/{id}/role", members_api_role, ROLE_SET),
    {0, NULL, NULL, 0},
};
