/*
 * The residents module's operations on a real SQLite database in a temporary file: assisted
 * intake with the consent given (and what it may not record without consent), machtigingen and
 * their end, acting for a resident (logged and shown to them), the CSV import (rows without
 * consent are listed, a broken file imports nothing), the caseload and "to contact this week",
 * withdrawing each consent and what stops with it, who may open a file and its notes (logged in
 * the access log), "who can help", and the report's suppression of small counts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/util.h"
#include "db/db.h"
#include "members/members.h"
#include "residents/residents.h"

#define T0 1900000000 /* the pinned clock: Sunday 2030-03-17 17:46 UTC */

struct who {
    int64_t id;
    struct members_actor a;
    struct members_hood h; /* "oost" as this person sees it */
};

struct fixture {
    char path[64];
    struct noaber_db *db;
    struct noaber_arena *arena;
    int64_t hood, west;
    struct who admin, kees, karin, carla, petra, rian, wim; /* wim: connector of "west" */
};

static void
as(struct fixture *f, struct who *w, const char *slug)
{
    w->a = (struct members_actor){.person_id = w->id, .is_admin = w == &f->admin};
    assert_int_equal(members_hood_by_slug(f->db, &w->a, slug, &w->h, f->arena), NOABER_OK);
}

static int64_t
add(struct fixture *f, const char *name, const char *email, enum members_role role,
    const struct members_hood *h)
{
    struct members_actor admin = {.person_id = f->admin.id, .is_admin = 1};
    struct members_new_member m = {name, email, NULL, role, h->id};
    int64_t id = 0;
    assert_int_equal(members_add(f->db, &admin, h, &m, &id), NOABER_OK);
    return id;
}

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    snprintf(f->path, sizeof f->path, "/tmp/noaber-residents-XXXXXX");
    int fd = mkstemp(f->path);
    close(fd);
    noaber_crypto_init();
    noaber_time_set(T0);
    if (noaber_db_open(f->path, &f->db) || noaber_db_migrate(f->db, NULL) || members_init(f->db))
        return -1;
    f->arena = noaber_arena_new(0);
    if (members_create_admin(f->db, "admin@example.nl", "Admin", "a good password", &f->admin.id))
        return -1;
    struct members_actor admin = {.person_id = f->admin.id, .is_admin = 1};
    struct members_hood_input oost = {"oost", "Oost", "", "3581,3582"};
    struct members_hood_input west = {"west", "West", "", "3531"};
    if (members_hood_create(f->db, &admin, &oost, &f->hood) ||
        members_hood_create(f->db, &admin, &west, &f->west))
        return -1;
    struct members_hood h, w;
    members_hood_by_slug(f->db, &admin, "oost", &h, f->arena);
    members_hood_by_slug(f->db, &admin, "west", &w, f->arena);
    f->kees.id = add(f, "Kees", "kees@example.nl", MEMBERS_R_CONNECTOR, &h);
    f->karin.id = add(f, "Karin", "karin@example.nl", MEMBERS_R_CONNECTOR, &h);
    f->carla.id = add(f, "Carla", "carla@example.nl", MEMBERS_R_COORDINATOR, &h);
    f->petra.id = add(f, "Petra", "petra@example.nl", MEMBERS_R_PARTNER, &h);
    f->rian.id = add(f, "Rian", "rian@example.nl", MEMBERS_R_RESIDENT, &h);
    f->wim.id = add(f, "Wim", "wim@example.nl", MEMBERS_R_CONNECTOR, &w);
    as(f, &f->admin, "oost");
    as(f, &f->kees, "oost");
    f->kees.a.display_name = "Kees"; /* as a session gives it */
    as(f, &f->karin, "oost");
    as(f, &f->carla, "oost");
    as(f, &f->petra, "oost");
    as(f, &f->rian, "oost");
    as(f, &f->wim, "oost"); /* Wim has no role in Oost */
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    noaber_time_set(0);
    noaber_db_close(f->db);
    noaber_arena_free(f->arena);
    char side[80];
    unlink(f->path);
    snprintf(side, sizeof side, "%s-wal", f->path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", f->path);
    unlink(side);
    free(f);
    return 0;
}

static int64_t
count(struct fixture *f, const char *sql, int64_t arg)
{
    int64_t n = -1;
    assert_int_equal(noaber_db_int(f->db, &n, NULL, sql, "i", arg), NOABER_OK);
    return n;
}

static int64_t
count0(struct fixture *f, const char *sql)
{
    int64_t n = -1;
    assert_int_equal(noaber_db_int(f->db, &n, NULL, sql, ""), NOABER_OK);
    return n;
}

static const char q_persons[] = "SELECT count(*) FROM persons";

/* Kees registers Bep at the door: the answers, spoken consent for everything, a health note,
 * a next contact date and a machtiging for himself until in 30 days. */
static int64_t
intake_bep(struct fixture *f, residents_cset consents, enum noaber_err want)
{
    struct residents_intake in = {
        .display_name = "Bep Jansen",
        .lang = "nl",
        .channel = "call",
        .place = "door",
        .profile = {.about = "Weduwe, 82, woont hier al 50 jaar.",
                    .wants = "Weer eens naar de markt.",
                    .abilities = "Breien, verhalen vertellen.",
                    .needs = "Iemand voor de boodschappen.",
                    .offers = "Sokken breien voor de buurt.",
                    .availability = "Ochtenden",
                    .phone = "030 1234567",
                    .postcode = "3581AB",
                    .house_number = "12a",
                    .skills_offered = "company",
                    .skills_wanted = "groceries,transport",
                    .visible = RESIDENTS_F_ABOUT | RESIDENTS_F_OFFERS},
        .consents = consents,
        .how = RESIDENTS_HOW_SPOKEN,
        .health_note = "Slecht ter been; rollator.",
        .next_contact_at = T0 + 2 * 86400,
        .authorise_until = T0 + 30 * 86400,
    };
    int64_t person = 0;
    assert_int_equal(residents_intake(f->db, &f->kees.a, &f->kees.h, &in, &person), want);
    return person;
}

#define ALL_CONSENTS 0xfu

static void
test_intake(void **state)
{
    struct fixture *f = *state;
    int64_t before = count0(f, q_persons);
    /* Answers without the consent 'profile': nothing is stored at all. */
    intake_bep(f, 1u << RESIDENTS_P_CONTACT, NOABER_E_CONSENT_REQUIRED);
    /* A health note without the consent 'health': refused too. */
    intake_bep(f, ALL_CONSENTS & ~(1u << RESIDENTS_P_HEALTH), NOABER_E_CONSENT_REQUIRED);
    assert_int_equal(count0(f, q_persons), before);
    /* A partner and an administrator hold no intakes. */
    struct residents_intake empty = {.display_name = "X", .how = RESIDENTS_HOW_SPOKEN};
    assert_int_equal(residents_intake(f->db, &f->petra.a, &f->petra.h, &empty, NULL),
                     NOABER_E_FORBIDDEN);
    assert_int_equal(residents_intake(f->db, &f->admin.a, &f->admin.h, &empty, NULL),
                     NOABER_E_FORBIDDEN);

    int64_t bep = intake_bep(f, ALL_CONSENTS, NOABER_OK);
    assert_true(bep > 0);
    assert_int_equal(count0(f, q_persons), before + 1);
    /* a confirmed resident with a made-up username, channel "call" */
    struct members_person p;
    assert_int_equal(members_person_get(f->db, bep, &p, f->arena), NOABER_OK);
    assert_string_equal(p.username, "bep.jansen");
    assert_string_equal(p.channel, "call");
    /* the account holds how calls and letters reach her: the calls list and letters read it */
    assert_string_equal(p.phone, "030 1234567");
    assert_int_equal(count0(f, "SELECT count(*) FROM persons WHERE postal_address = '3581 AB 12a'"),
                     1);
    struct members_hood *hoods;
    size_t n;
    assert_int_equal(members_person_hoods(f->db, bep, &hoods, &n, f->arena), NOABER_OK);
    assert_int_equal(n, 1);
    assert_true(hoods[0].confirmed);
    /* the consents as recorded: spoken, by Kees, now */
    struct residents_consent *c;
    assert_int_equal(residents_consents(f->db, bep, &c, &n, f->arena), NOABER_OK);
    assert_int_equal(n, 4);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(c[i].how, RESIDENTS_HOW_SPOKEN);
        assert_string_equal(c[i].recorded_by, "Kees");
        assert_int_equal(c[i].given_at, T0);
        assert_int_equal(c[i].withdrawn_at, 0);
    }
    /* health apart from the answers; the caseload line and the machtiging */
    assert_int_equal(count(f, "SELECT count(*) FROM health_notes WHERE person_id = ?", bep), 1);
    assert_int_equal(
        count(f, "SELECT count(*) FROM profiles WHERE person_id = ? AND about LIKE '%rollator%'",
              bep),
        0);
    assert_int_equal(count(f, "SELECT connector_id FROM caseload WHERE person_id = ?", bep),
                     f->kees.id);
    assert_int_equal(count(f, "SELECT ends_at FROM authorisations WHERE person_id = ?", bep),
                     T0 + 30 * 86400);
    assert_int_equal(count(f, "SELECT count(*) FROM intakes WHERE person_id = ?", bep), 1);
    /* a second Bep Jansen gets another username */
    int64_t bep2 = intake_bep(f, ALL_CONSENTS, NOABER_OK);
    assert_int_equal(members_person_get(f->db, bep2, &p, f->arena), NOABER_OK);
    assert_true(strncmp(p.username, "bep.jansen.", 11) == 0);
    /* someone with an account already is not taken in again */
    struct residents_intake known = {.display_name = "Rian",
                                     .email = "rian@example.nl",
                                     .lang = "nl",
                                     .channel = "inapp",
                                     .place = "door",
                                     .how = RESIDENTS_HOW_PAPER};
    assert_int_equal(residents_intake(f->db, &f->kees.a, &f->kees.h, &known, NULL),
                     NOABER_E_EMAIL_TAKEN);
    /* the login card's code is for a resident, made by staff who may print */
    char code[32];
    assert_int_equal(residents_card_code(f->db, &f->kees.a, &f->kees.h, bep, code), NOABER_OK);
    assert_int_equal(strlen(code), 14);
    assert_int_equal(residents_card_code(f->db, &f->petra.a, &f->petra.h, bep, code),
                     NOABER_E_FORBIDDEN);
    assert_int_equal(residents_card_code(f->db, &f->wim.a, &f->wim.h, bep, code),
                     NOABER_E_FORBIDDEN);
}

static void
test_file_access(void **state)
{
    struct fixture *f = *state;
    int64_t bep = intake_bep(f, ALL_CONSENTS, NOABER_OK);
    struct residents_file file;
    static const char q_access[] = "SELECT count(*) FROM access_log WHERE person_id = ?";
    int64_t logged = count(f, q_access, bep);
    /* Kees follows Bep: everything, notes and health included; the access is logged */
    assert_int_equal(residents_file_open(f->db, &f->kees.a, &f->kees.h, bep, &file, f->arena),
                     NOABER_OK);
    assert_int_equal(file.rel, RESIDENTS_REL_ASSIGNED);
    assert_string_equal(file.profile.house_number, "12a");
    assert_int_equal(file.nhealth, 1);
    assert_string_equal(file.profile.skills_wanted, "transport,groceries"); /* list order */
    assert_int_equal(count(f, q_access, bep), logged + 1);
    /* Karin, another connector: the profile and address, no notes and no health */
    assert_int_equal(residents_file_open(f->db, &f->karin.a, &f->karin.h, bep, &file, f->arena),
                     NOABER_OK);
    assert_int_equal(file.rel, RESIDENTS_REL_CONNECTOR);
    assert_string_equal(file.profile.postcode, "3581AB");
    assert_int_equal(file.nhealth, 0);
    assert_int_equal(file.nnotes, 0);
    assert_false(file.fields & RESIDENTS_F_NOTES);
    assert_int_equal(residents_note_add(f->db, &f->karin.a, &f->karin.h, bep, "Gebeld", 0),
                     NOABER_E_FORBIDDEN);
    /* Carla, the coordinator, reads and writes notes */
    assert_int_equal(residents_note_add(f->db, &f->carla.a, &f->carla.h, bep, "Langs geweest", 0),
                     NOABER_OK);
    assert_int_equal(residents_file_open(f->db, &f->carla.a, &f->carla.h, bep, &file, f->arena),
                     NOABER_OK);
    assert_int_equal(file.nnotes, 1);
    assert_string_equal(file.notes[0].author_name, "Carla");
    /* a partner, a neighbour, a connector of another neighbourhood, an administrator: nothing,
     * and nothing logged */
    int64_t now_logged = count(f, q_access, bep);
    struct who *refused[] = {&f->petra, &f->rian, &f->wim, &f->admin};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        assert_int_equal(
            residents_file_open(f->db, &refused[i]->a, &refused[i]->h, bep, &file, f->arena),
            NOABER_E_FORBIDDEN);
        assert_string_equal(file.profile.about ? file.profile.about : "", "");
    }
    assert_int_equal(count(f, q_access, bep), now_logged);
    /* Wim's own neighbourhood does not hold Bep either */
    struct who wim_west = f->wim;
    as(f, &wim_west, "west");
    assert_int_equal(residents_file_open(f->db, &wim_west.a, &wim_west.h, bep, &file, f->arena),
                     NOABER_E_FORBIDDEN);
}

static void
test_machtiging(void **state)
{
    struct fixture *f = *state;
    int64_t bep = intake_bep(f, ALL_CONSENTS, NOABER_OK);
    int64_t person = 0;
    enum residents_relation rel;
    /* Kees holds Bep's machtiging; Karin never had one */
    assert_int_equal(residents_subject(f->db, &f->kees.a, bep, &person, &rel), NOABER_OK);
    assert_int_equal(person, bep);
    assert_int_equal(rel, RESIDENTS_REL_ACTING);
    assert_int_equal(residents_subject(f->db, &f->karin.a, bep, &person, &rel), NOABER_E_FORBIDDEN);
    assert_int_equal(residents_subject(f->db, &f->kees.a, 0, &person, &rel), NOABER_OK);
    assert_int_equal(rel, RESIDENTS_REL_SELF);
    /* Kees changes Bep's profile in her name: logged, and she sees it */
    struct residents_profile_input in = {.availability = "Middagen"};
    assert_int_equal(residents_profile_save(f->db, &f->kees.a, bep, RESIDENTS_REL_ACTING, &in),
                     NOABER_OK);
    struct residents_file own;
    struct members_actor bep_actor = {.person_id = bep};
    assert_int_equal(residents_own_file(f->db, &bep_actor, bep, RESIDENTS_REL_SELF, &own, f->arena),
                     NOABER_OK);
    assert_string_equal(own.profile.availability, "Middagen");
    assert_string_equal(own.profile.about, "Weduwe, 82, woont hier al 50 jaar."); /* unchanged */
    assert_int_equal(own.nacted, 1);
    assert_string_equal(own.acted[0].action, "profile_saved");
    assert_string_equal(own.acted[0].connector_name, "Kees");
    /* an acting connector may not hand out machtigingen */
    assert_int_equal(residents_authorise(f->db, &f->kees.a, bep, RESIDENTS_REL_ACTING, f->karin.id,
                                         T0 + 86400, RESIDENTS_HOW_ONLINE),
                     NOABER_E_FORBIDDEN);
    /* Bep herself lets Karin act for her too, for a week: Karin is told */
    assert_int_equal(residents_authorise(f->db, &bep_actor, bep, RESIDENTS_REL_SELF, f->karin.id,
                                         T0 + 7 * 86400, RESIDENTS_HOW_ONLINE),
                     NOABER_OK);
    assert_int_equal(count(f,
                           "SELECT count(*) FROM messages WHERE person_id = ? AND kind = "
                           "'authorisation_given'",
                           f->karin.id),
                     1);
    /* only staff of her neighbourhood, never herself, never past two years */
    assert_int_equal(residents_authorise(f->db, &bep_actor, bep, RESIDENTS_REL_SELF, f->wim.id,
                                         T0 + 86400, RESIDENTS_HOW_ONLINE),
                     NOABER_E_BAD_CHOICE);
    assert_int_equal(residents_authorise(f->db, &bep_actor, bep, RESIDENTS_REL_SELF, f->rian.id,
                                         T0 + 86400, RESIDENTS_HOW_ONLINE),
                     NOABER_E_BAD_CHOICE);
    assert_int_equal(residents_authorise(f->db, &bep_actor, bep, RESIDENTS_REL_SELF, f->karin.id,
                                         T0 + 800 * 86400, RESIDENTS_HOW_ONLINE),
                     NOABER_E_BAD_DATE);
    assert_int_equal(residents_subject(f->db, &f->karin.a, bep, &person, &rel), NOABER_OK);
    /* after a week Karin's has ended, Kees's still runs */
    noaber_time_set(T0 + 7 * 86400);
    assert_int_equal(residents_subject(f->db, &f->karin.a, bep, &person, &rel),
                     NOABER_E_AUTHORISATION_ENDED);
    assert_int_equal(residents_subject(f->db, &f->kees.a, bep, &person, &rel), NOABER_OK);
    /* Bep ends Kees's machtiging early */
    int64_t id = count(f, "SELECT id FROM authorisations WHERE connector_id = ?", f->kees.id);
    assert_int_equal(residents_authorisation_revoke(f->db, &bep_actor, bep, RESIDENTS_REL_SELF, id),
                     NOABER_OK);
    assert_int_equal(residents_authorisation_revoke(f->db, &bep_actor, bep, RESIDENTS_REL_SELF, id),
                     NOABER_E_NOT_FOUND);
    assert_int_equal(residents_subject(f->db, &f->kees.a, bep, &person, &rel),
                     NOABER_E_AUTHORISATION_ENDED);
    /* a connector who leaves the neighbourhood loses the machtiging with it */
    noaber_time_set(T0);
    assert_int_equal(residents_authorise(f->db, &f->carla.a, bep, RESIDENTS_REL_COORDINATOR,
                                         f->karin.id, T0 + 86400, RESIDENTS_HOW_PAPER),
                     NOABER_OK);
    assert_int_equal(residents_subject(f->db, &f->karin.a, bep, &person, &rel), NOABER_OK);
    assert_int_equal(
        members_set_role(f->db, &f->carla.a, &f->carla.h, f->karin.id, MEMBERS_R_RESIDENT),
        NOABER_OK);
    assert_int_equal(residents_subject(f->db, &f->karin.a, bep, &person, &rel),
                     NOABER_E_AUTHORISATION_ENDED);
}

static void
test_consent_withdrawal(void **state)
{
    struct fixture *f = *state;
    int64_t bep = intake_bep(f, ALL_CONSENTS, NOABER_OK);
    struct members_actor bep_actor = {.person_id = bep};
    struct residents_helper *helpers;
    size_t n;
    /* Rian finds Bep under "company" with what Bep opened to neighbours */
    assert_int_equal(
        residents_help_search(f->db, &f->rian.a, &f->rian.h, "company", &helpers, &n, f->arena),
        NOABER_OK);
    assert_int_equal(n, 1);
    assert_string_equal(helpers[0].name, "Bep Jansen");
    assert_string_equal(helpers[0].offers, "Sokken breien voor de buurt.");
    assert_string_equal(helpers[0].phone, ""); /* not opened */
    assert_string_equal(helpers[0].availability, "");
    /* a partner may not search */
    assert_int_equal(
        residents_help_search(f->db, &f->petra.a, &f->petra.h, "company", &helpers, &n, f->arena),
        NOABER_E_FORBIDDEN);
    /* 'matching' withdrawn: gone from "who can help" at once */
    assert_int_equal(residents_consent_set(f->db, &bep_actor, bep, RESIDENTS_REL_SELF,
                                           RESIDENTS_P_MATCHING, 0, RESIDENTS_HOW_ONLINE),
                     NOABER_OK);
    assert_int_equal(
        residents_help_search(f->db, &f->rian.a, &f->rian.h, "company", &helpers, &n, f->arena),
        NOABER_OK);
    assert_int_equal(n, 0);
    /* 'health' withdrawn: the health notes are deleted, new ones refused */
    assert_int_equal(residents_consent_set(f->db, &bep_actor, bep, RESIDENTS_REL_SELF,
                                           RESIDENTS_P_HEALTH, 0, RESIDENTS_HOW_ONLINE),
                     NOABER_OK);
    assert_int_equal(count(f, "SELECT count(*) FROM health_notes WHERE person_id = ?", bep), 0);
    assert_int_equal(residents_health_add(f->db, &f->kees.a, &f->kees.h, bep, "x"),
                     NOABER_E_CONSENT_REQUIRED);
    /* 'contact' withdrawn: no next contact date, no notes, not "to contact this week" */
    assert_int_equal(residents_consent_set(f->db, &bep_actor, bep, RESIDENTS_REL_SELF,
                                           RESIDENTS_P_CONTACT, 0, RESIDENTS_HOW_ONLINE),
                     NOABER_OK);
    assert_int_equal(
        count(f, "SELECT count(*) FROM caseload WHERE person_id = ? AND next_contact_at IS NULL",
              bep),
        1);
    assert_int_equal(residents_note_add(f->db, &f->kees.a, &f->kees.h, bep, "Gebeld", 0),
                     NOABER_E_CONSENT_REQUIRED);
    assert_int_equal(residents_follow(f->db, &f->kees.a, &f->kees.h, bep, T0 + 86400),
                     NOABER_E_CONSENT_REQUIRED);
    /* 'profile' withdrawn: the five answers and the skills are deleted; saving them again
     * needs the consent again */
    assert_int_equal(residents_consent_set(f->db, &bep_actor, bep, RESIDENTS_REL_SELF,
                                           RESIDENTS_P_PROFILE, 0, RESIDENTS_HOW_ONLINE),
                     NOABER_OK);
    assert_int_equal(count(f,
                           "SELECT count(*) FROM profiles WHERE person_id = ? AND about = '' AND "
                           "wants = '' AND abilities = '' AND needs = '' AND offers = '' AND "
                           "availability = '' AND house_number = '12a'",
                           bep),
                     1);
    assert_int_equal(count(f, "SELECT count(*) FROM profile_skills WHERE person_id = ?", bep), 0);
    struct residents_profile_input in = {.about = "Nieuw"};
    assert_int_equal(residents_profile_save(f->db, &bep_actor, bep, RESIDENTS_REL_SELF, &in),
                     NOABER_E_CONSENT_REQUIRED);
    in.consent_profile = 1; /* the checkbox on the same form */
    assert_int_equal(residents_profile_save(f->db, &bep_actor, bep, RESIDENTS_REL_SELF, &in),
                     NOABER_OK);
    /* the history stays as proof: 4 given at intake, 4 withdrawn, 1 given again */
    struct residents_consent *c;
    assert_int_equal(residents_consents(f->db, bep, &c, &n, f->arena), NOABER_OK);
    assert_int_equal(n, 5);
    int withdrawn = 0;
    for (size_t i = 0; i < n; i++)
        withdrawn += c[i].withdrawn_at != 0;
    assert_int_equal(withdrawn, 4);
    /* withdrawing twice changes nothing; staff record only spoken or paper */
    assert_int_equal(residents_consent_set(f->db, &bep_actor, bep, RESIDENTS_REL_SELF,
                                           RESIDENTS_P_HEALTH, 0, RESIDENTS_HOW_ONLINE),
                     NOABER_OK);
    assert_int_equal(residents_consent_set(f->db, &f->kees.a, bep, RESIDENTS_REL_ASSIGNED,
                                           RESIDENTS_P_CONTACT, 1, RESIDENTS_HOW_ONLINE),
                     NOABER_E_BAD_CHOICE);
    assert_int_equal(residents_consent_set(f->db, &f->kees.a, bep, RESIDENTS_REL_ASSIGNED,
                                           RESIDENTS_P_CONTACT, 1, RESIDENTS_HOW_SPOKEN),
                     NOABER_OK);
    /* what staff record, Bep hears of, once; what she does herself, not */
    static const char q_told[] = "SELECT count(*) FROM messages WHERE person_id = ? AND kind = "
                                 "'consent_recorded' AND body LIKE 'Kees%'";
    assert_int_equal(count(f, q_told, bep), 1);
    assert_int_equal(count(f,
                           "SELECT count(*) FROM messages WHERE person_id = ? AND kind LIKE "
                           "'consent_%'",
                           bep),
                     1);
    assert_int_equal(residents_consent_set(f->db, &f->petra.a, bep, RESIDENTS_REL_PARTNER,
                                           RESIDENTS_P_CONTACT, 1, RESIDENTS_HOW_SPOKEN),
                     NOABER_E_FORBIDDEN);
}

static void
test_caseload(void **state)
{
    struct fixture *f = *state;
    /* A Wednesday: Bep's next contact (Tuesday, from the intake) is overdue, so due. */
    int64_t wed;
    assert_int_equal(residents_parse_date("2030-03-20", &wed), NOABER_OK);
    noaber_time_set(wed);
    int64_t bep = intake_bep(f, ALL_CONSENTS, NOABER_OK);
    int64_t bep2 = intake_bep(f, ALL_CONSENTS, NOABER_OK);
    assert_int_equal(residents_follow(f->db, &f->kees.a, &f->kees.h, bep2, wed + 7 * 86400),
                     NOABER_OK); /* next week */
    struct residents_case *cases, *un;
    size_t n, nun;
    assert_int_equal(residents_caseload(f->db, &f->kees.a, &f->kees.h, wed, 3600, &cases, &n, &un,
                                        &nun, f->arena),
                     NOABER_OK);
    assert_int_equal(n, 2);
    assert_int_equal(cases[0].person_id, bep); /* soonest first */
    assert_true(cases[0].due);
    assert_false(cases[1].due);
    assert_int_equal(nun, 1); /* Rian: nobody follows her */
    assert_int_equal(un[0].person_id, f->rian.id);
    /* Karin sees none of Kees's; she may take on Rian only with Rian's consent 'contact' */
    assert_int_equal(residents_caseload(f->db, &f->karin.a, &f->karin.h, wed, 3600, &cases, &n, &un,
                                        &nun, f->arena),
                     NOABER_OK);
    assert_int_equal(n, 0);
    assert_int_equal(residents_follow(f->db, &f->karin.a, &f->karin.h, f->rian.id, 0),
                     NOABER_E_CONSENT_REQUIRED);
    /* ... and not someone Kees follows */
    assert_int_equal(residents_follow(f->db, &f->karin.a, &f->karin.h, bep, 0), NOABER_E_FORBIDDEN);
    /* Kees hands Bep over to Karin, who is told and now reads the notes */
    assert_int_equal(residents_note_add(f->db, &f->kees.a, &f->kees.h, bep,
                                        "Boodschappen "
                                        "geregeld",
                                        wed + 14 * 86400),
                     NOABER_OK);
    assert_int_equal(residents_handover(f->db, &f->kees.a, &f->kees.h, bep, f->petra.id),
                     NOABER_E_BAD_CHOICE); /* a partner follows nobody */
    assert_int_equal(residents_handover(f->db, &f->karin.a, &f->karin.h, bep, f->karin.id),
                     NOABER_E_FORBIDDEN); /* only who follows her, or a coordinator */
    assert_int_equal(residents_handover(f->db, &f->kees.a, &f->kees.h, bep, f->karin.id),
                     NOABER_OK);
    assert_int_equal(count(f,
                           "SELECT count(*) FROM messages WHERE person_id = ? AND kind = "
                           "'resident_handed_over'",
                           f->karin.id),
                     1);
    struct residents_file file;
    assert_int_equal(residents_file_open(f->db, &f->karin.a, &f->karin.h, bep, &file, f->arena),
                     NOABER_OK);
    assert_int_equal(file.rel, RESIDENTS_REL_ASSIGNED);
    assert_int_equal(file.nnotes, 1);
    assert_int_equal(file.next_contact_at, wed + 14 * 86400);
    /* the coordinator sees every line */
    assert_int_equal(residents_caseload(f->db, &f->carla.a, &f->carla.h, wed, 3600, &cases, &n, &un,
                                        &nun, f->arena),
                     NOABER_OK);
    assert_int_equal(n, 2);
    /* a partner has no caseload */
    assert_int_equal(residents_caseload(f->db, &f->petra.a, &f->petra.h, wed, 3600, &cases, &n, &un,
                                        &nun, f->arena),
                     NOABER_E_FORBIDDEN);
}

static void
test_import(void **state)
{
    struct fixture *f = *state;
    struct residents_import_result res;
    int64_t before = count0(f, q_persons);
    /* A file that cannot be read imports nothing */
    const char *broken = "naam;e-mail;toestemming\n\"Jan;jan@example.org;ja\n";
    assert_int_equal(
        residents_import(f->db, &f->carla.a, &f->carla.h, broken, strlen(broken), &res, f->arena),
        NOABER_E_BAD_CSV);
    const char *nocol = "naam;e-mail\nJan;jan@example.org\n";
    assert_int_equal(
        residents_import(f->db, &f->carla.a, &f->carla.h, nocol, strlen(nocol), &res, f->arena),
        NOABER_E_BAD_CSV);
    assert_int_equal(count0(f, q_persons), before);
    const char *csv = "\xEF\xBB\xBFnaam;e-mail;telefoon;postcode;huisnummer;toestemming;"
                      "datum toestemming;hoe\r\n"
                      "Jan de Vries;jan@example.org;;3581 AB;3;ja;01-02-2030;papier\r\n"
                      "Els Bakker;;06 12345678;3582CD;14b;ja;2030-02-03;mondeling\r\n"
                      "Piet Zonder;piet@example.org;;3581AB;5;nee;;\r\n"
                      "Rian Dubbel;rian@example.nl;;3581AB;7;ja;2030-02-01;\r\n"
                      "Ver Weg;ver@example.org;;9999ZZ;1;ja;2030-02-01;\r\n"
                      "Jan Twee;JAN@example.org;;3581AB;3;ja;2030-02-01;\r\n";
    assert_int_equal(
        residents_import(f->db, &f->carla.a, &f->carla.h, csv, strlen(csv), &res, f->arena),
        NOABER_OK);
    assert_int_equal(res.n, 6);
    assert_int_equal(res.imported, 2);
    assert_int_equal(res.skipped, 4);
    static const enum noaber_err want[] = {NOABER_OK,
                                           NOABER_OK,
                                           NOABER_E_NO_CONSENT,
                                           NOABER_E_EMAIL_TAKEN,
                                           NOABER_E_POSTCODE_ELSEWHERE,
                                           NOABER_E_EMAIL_TAKEN};
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(res.lines[i].reason, want[i]);
        assert_int_equal(res.lines[i].line, i + 2);
    }
    assert_string_equal(res.lines[2].name, "Piet Zonder");
    assert_int_equal(count0(f, q_persons), before + 2);
    /* the consent as the cooperative recorded it: date and way */
    int64_t jan = res.lines[0].person_id, els = res.lines[1].person_id;
    int64_t feb1;
    assert_int_equal(residents_parse_date("2030-02-01", &feb1), NOABER_OK);
    char q[160];
    snprintf(q, sizeof q,
             "SELECT count(*) FROM consents WHERE person_id = ? AND how = 'paper' AND "
             "given_at = %lld",
             (long long)feb1);
    assert_int_equal(count(f, q, jan), 2);
    assert_int_equal(
        count(f, "SELECT count(*) FROM consents WHERE person_id = ? AND how = 'spoken'", els), 2);
    assert_int_equal(count0(f, "SELECT count(*) FROM persons WHERE email = 'piet@example.org'"), 0);
    struct members_person p;
    assert_int_equal(members_person_get(f->db, els, &p, f->arena), NOABER_OK);
    assert_string_equal(p.username, "els.bakker");
    assert_int_equal(
        count(f, "SELECT count(*) FROM profiles WHERE person_id = ? AND house_number = '14b'", els),
        1);
    /* only staff who may add members import */
    assert_int_equal(
        residents_import(f->db, &f->petra.a, &f->petra.h, csv, strlen(csv), &res, f->arena),
        NOABER_E_FORBIDDEN);
}

static void
test_report(void **state)
{
    struct fixture *f = *state;
    struct residents_report rep;
    /* one resident and few of anything: every count is suppressed */
    assert_int_equal(residents_report(f->db, &f->petra.h, T0, &rep, f->arena), NOABER_OK);
    assert_int_equal(rep.residents, -1);
    for (int i = 0; i < RESIDENTS_P__MAX; i++)
        assert_int_equal(rep.consents[i], -1);
    for (int i = 0; i < 5; i++)
        intake_bep(f, ALL_CONSENTS, NOABER_OK);
    assert_int_equal(residents_report(f->db, &f->petra.h, T0, &rep, f->arena), NOABER_OK);
    assert_int_equal(rep.residents, 6); /* Rian and five times Bep */
    assert_int_equal(rep.intakes_month, 5);
    assert_int_equal(rep.consents[RESIDENTS_P_HEALTH], 5);
    assert_int_equal(rep.followed, 5);
    int seen = 0;
    for (size_t i = 0; i < rep.nskills; i++) {
        if (strcmp(rep.skills[i].slug, "company") == 0) {
            assert_int_equal(rep.skills[i].offered, 5);
            assert_int_equal(rep.skills[i].wanted, -1);
            seen = 1;
        }
        if (strcmp(rep.skills[i].slug, "cooking") == 0)
            assert_int_equal(rep.skills[i].offered, -1); /* 0 is suppressed as well */
    }
    assert_true(seen);
}

static void
test_skills_list(void **state)
{
    struct fixture *f = *state;
    struct residents_skill *s;
    size_t n;
    assert_int_equal(residents_skills(f->db, 0, &s, &n, f->arena), NOABER_OK);
    assert_int_equal(n, 11);
    assert_string_equal(s[0].slug, "odd-jobs");
    assert_int_equal(residents_skill_add(f->db, &f->carla.a, "music", "Muziek", "Music"),
                     NOABER_E_FORBIDDEN);
    assert_int_equal(residents_skill_add(f->db, &f->admin.a, "music", "Muziek", "Music"),
                     NOABER_OK);
    assert_int_equal(residents_skill_add(f->db, &f->admin.a, "music", "Muziek", "Music"),
                     NOABER_E_SLUG_TAKEN);
    assert_int_equal(residents_skill_add(f->db, &f->admin.a, "Music!", "x", "x"),
                     NOABER_E_BAD_SLUG);
    assert_int_equal(residents_skills(f->db, 0, &s, &n, f->arena), NOABER_OK);
    assert_int_equal(n, 12);
    assert_string_equal(s[11].slug, "music"); /* at the end of the list */
    assert_int_equal(
        residents_skill_update(f->db, &f->admin.a, s[11].id, "Muziek maken", "Making music", 0),
        NOABER_OK);
    assert_int_equal(residents_skills(f->db, 0, &s, &n, f->arena), NOABER_OK);
    assert_int_equal(n, 11);
    assert_int_equal(residents_skills(f->db, 1, &s, &n, f->arena), NOABER_OK);
    assert_int_equal(n, 12);
    assert_string_equal(s[11].label_nl, "Muziek maken");
    assert_int_equal(residents_skill_update(f->db, &f->admin.a, 99999, "x", "x", 1),
                     NOABER_E_NOT_FOUND);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_intake, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_access, setup, teardown),
        cmocka_unit_test_setup_teardown(test_machtiging, setup, teardown),
        cmocka_unit_test_setup_teardown(test_consent_withdrawal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_caseload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report, setup, teardown),
        cmocka_unit_test_setup_teardown(test_skills_list, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
