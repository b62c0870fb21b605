/*
 * The route tables of every module, joined. A new module adds its table here.
 */
#include "http/server.h"
#include "members/members_pages.h"
#include "notify/notify_pages.h"
#include "panels/web_int.h"
#include "privacy/privacy_pages.h"
#include "residents/residents_int.h"

/* One module a line. */
/* clang-format off */
const struct noaber_route *const noaber_route_tables[] = {
    members_routes,
    notify_routes,
    privacy_routes,
    residents_routes,
    panels_routes,
    NULL,
};
/* clang-format on */
