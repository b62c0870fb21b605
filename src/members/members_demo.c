/*
 * The demo installation that `noaber demo` and `make run` create: a city cooperative with three
 * neighbourhoods, one account for each role (all with the same password), a few residents waiting
 * for confirmation, a resident without e-mail, and a welcome message in each inbox.
 */
#include "members/members.h"

#include "base/arena.h"
#include "base/log.h"
#include "base/util.h"
#include "db/db.h"
#include "members/members_store.h"
#include "notify/notify.h"
#include "view/i18n.h"

#include <stdio.h>
#include <string.h>

static const struct members_hood_input demo_hoods[] = {
    {"binnenstad", "Binnenstad",
     "De oude binnenstad: burenhulp, het wijkinformatiepunt in de "
     "bibliotheek en de wandelgroep op dinsdag.",
     "3511,3512"},
    {"oost", "Oost", "Wijk Oost met het buurthuis aan de Biltstraat.", "3581,3582,3583"},
    {"zuilen", "Zuilen", "Dorp in de stad: moestuin, repaircafé en de buurtbus.", "3554,3555"},
};

static const struct {
    const char *email, *name;
    enum members_role role; /* in binnenstad */
} demo_people[] = {
    {"coordinator@demo.noaber.nl", "Carla Coördinator", MEMBERS_R_COORDINATOR},
    {"connector@demo.noaber.nl", "Kees Buurtassistent", MEMBERS_R_CONNECTOR},
    {"partner@demo.noaber.nl", "Petra Huisartsenpraktijk", MEMBERS_R_PARTNER},
    {"resident@demo.noaber.nl", "Rian Bewoner", MEMBERS_R_RESIDENT},
};

static enum noaber_err
verified_tx(struct noaber_db *db, void *ctx)
{
    return members_store_email_verified(db, *(int64_t *)ctx, noaber_now());
}

static enum noaber_err
welcome_tx(struct noaber_db *db, void *ctx)
{
    const int64_t *ids = ctx;
    return notify_tell(db, ids[0], ids[1], "welcome", N_("Welcome to Noaber"),
                       N_("Welcome! Here you find the messages of your neighbourhood: about "
                          "neighbour help, activities and the neighbourhood fund."),
                       NULL, "/");
}

static enum noaber_err
pending_tx(struct noaber_db *db, void *ctx)
{
    const int64_t *ids = ctx; /* person, hood */
    return members_store_member_add(db, ids[0], ids[1], MEMBERS_R_RESIDENT, 0, 0, noaber_now());
}

enum noaber_err
members_demo(struct noaber_db *db, const char *password)
{
    int64_t admin_id, hood_ids[3];
    enum noaber_err e =
        members_create_admin(db, "admin@demo.noaber.nl", "Anne Beheerder", password, &admin_id);
    if (e != NOABER_OK)
        return e;
    struct members_actor admin = {.person_id = admin_id, .is_admin = 1};
    for (int i = 0; i < 3 && e == NOABER_OK; i++)
        e = members_hood_create(db, &admin, &demo_hoods[i], &hood_ids[i]);
    struct members_hood hood = {.id = hood_ids[0], .slug = "binnenstad", .name = "Binnenstad"};
    for (size_t i = 0; e == NOABER_OK && i < sizeof demo_people / sizeof demo_people[0]; i++) {
        struct members_new_member m = {demo_people[i].name, demo_people[i].email, NULL,
                                       demo_people[i].role, hood.id};
        int64_t id;
        e = members_add(db, &admin, &hood, &m, &id);
        if (e == NOABER_OK)
            e = members_set_password(db, id, password);
        if (e == NOABER_OK)
            e = noaber_db_tx(db, verified_tx, &id);
        int64_t ids[2] = {id, hood.id};
        if (e == NOABER_OK)
            e = noaber_db_tx(db, welcome_tx, ids);
    }
    /* Residents who registered themselves and wait for a connector, and one without e-mail. */
    static const char *const waiting[][2] = {{"Mohamed El Amrani", "mohamed@demo.noaber.nl"},
                                             {"Joke de Vries", "joke@demo.noaber.nl"}};
    for (int i = 0; e == NOABER_OK && i < 2; i++) {
        struct members_person_new p = {.email = waiting[i][1],
                                       .display_name = waiting[i][0],
                                       .lang = "nl",
                                       .now = noaber_now()};
        int64_t ids[2] = {0, hood.id};
        e = members_store_person_add(db, &p, &ids[0]);
        if (e == NOABER_OK)
            e = noaber_db_tx(db, pending_tx, ids);
    }
    if (e == NOABER_OK) {
        struct members_actor coord = {.person_id = admin_id, .is_admin = 1};
        struct members_new_member m = {"Bep Jansen", NULL, "bep.jansen", MEMBERS_R_RESIDENT,
                                       hood.id};
        e = members_add(db, &coord, &hood, &m, NULL);
    }
    return e;
}
