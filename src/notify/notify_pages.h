/*
 * The messages module's HTTP handlers and route table (internal; joined in src/http/routes.c).
 */
#ifndef NOABER_NOTIFY_PAGES_H
#define NOABER_NOTIFY_PAGES_H

#include "http/http.h"

extern const struct noaber_route notify_routes[];

enum noaber_err notify_page_inbox(struct noaber_req *r);
enum noaber_err notify_page_message(struct noaber_req *r);
enum noaber_err notify_page_read_all(struct noaber_req *r);
enum noaber_err notify_page_calls(struct noaber_req *r);
enum noaber_err notify_page_call_done(struct noaber_req *r);
enum noaber_err notify_page_letters(struct noaber_req *r);
enum noaber_err notify_page_letters_print(struct noaber_req *r);
enum noaber_err notify_api_inbox(struct noaber_req *r);
enum noaber_err notify_api_read(struct noaber_req *r);

#endif
