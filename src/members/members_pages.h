/*
 * The members module's HTTP handlers (pages and API) and its route table. Internal to
 * src/members/ and src/http/routes.c.
 */
#ifndef NOABER_MEMBERS_PAGES_H
#define NOABER_MEMBERS_PAGES_H

#include "http/http.h"

extern const struct noaber_route members_routes[];

/* members_pages.c */
enum noaber_err members_page_login_form(struct noaber_req *r);
enum noaber_err members_page_login(struct noaber_req *r);
enum noaber_err members_page_totp_form(struct noaber_req *r);
enum noaber_err members_page_totp_login(struct noaber_req *r);
enum noaber_err members_page_totp_setup(struct noaber_req *r);
enum noaber_err members_page_totp_begin(struct noaber_req *r);
enum noaber_err members_page_totp_enable(struct noaber_req *r);
enum noaber_err members_page_totp_disable(struct noaber_req *r);
enum noaber_err members_page_code_form(struct noaber_req *r);
enum noaber_err members_page_code_login(struct noaber_req *r);
enum noaber_err members_page_logout(struct noaber_req *r);
enum noaber_err members_page_logout_all(struct noaber_req *r);
enum noaber_err members_page_register_form(struct noaber_req *r);
enum noaber_err members_page_register(struct noaber_req *r);
enum noaber_err members_page_verify_form(struct noaber_req *r);
enum noaber_err members_page_verify(struct noaber_req *r);
enum noaber_err members_page_reset_form(struct noaber_req *r);
enum noaber_err members_page_reset(struct noaber_req *r);
enum noaber_err members_page_account(struct noaber_req *r);
enum noaber_err members_page_account_save(struct noaber_req *r);
enum noaber_err members_page_password_save(struct noaber_req *r);
enum noaber_err members_page_language(struct noaber_req *r);

/* members_hood_pages.c */
enum noaber_err members_page_home(struct noaber_req *r);
enum noaber_err members_page_hood(struct noaber_req *r);
enum noaber_err members_page_members(struct noaber_req *r);
enum noaber_err members_page_member_new(struct noaber_req *r);
enum noaber_err members_page_member_add(struct noaber_req *r);
enum noaber_err members_page_confirm(struct noaber_req *r);
enum noaber_err members_page_role(struct noaber_req *r);
enum noaber_err members_page_code(struct noaber_req *r);
enum noaber_err members_page_admin(struct noaber_req *r);
enum noaber_err members_page_hood_create(struct noaber_req *r);
enum noaber_err members_page_test_email(struct noaber_req *r);

/* members_api.c */
enum noaber_err members_api_hoods(struct noaber_req *r);
enum noaber_err members_api_hood(struct noaber_req *r);
enum noaber_err members_api_hood_create(struct noaber_req *r);
enum noaber_err members_api_me(struct noaber_req *r);
enum noaber_err members_api_me_update(struct noaber_req *r);
enum noaber_err members_api_members(struct noaber_req *r);
enum noaber_err members_api_member_add(struct noaber_req *r);
enum noaber_err members_api_confirm(struct noaber_req *r);
enum noaber_err members_api_role(struct noaber_req *r);
enum noaber_err members_api_login(struct noaber_req *r);
enum noaber_err members_api_login_totp(struct noaber_req *r);
enum noaber_err members_api_logout(struct noaber_req *r);
enum noaber_err members_api_token_create(struct noaber_req *r);

#endif
