/*
 * The demo's citizens' panels, made through the same operations as the web pages: one published
 * panel in Binnenstad (letters drawn, volunteers signed up with their codes, stage 1 closed, a
 * seed, the draw by the real child process, reserves), one still in stage 1, with the printed
 * demo response code DEMA-2345 for trying the sign-up page (and DEMB-2345, which the browser
 * test's keyboard-only sign-up uses), and one ready for its draw (stage 1 closed, the seed
 * announced), so that a coordinator can try the draw.
 */
#include "panels/web_int.h"

#include "base/arena.h"
#include "base/log.h"
#include "base/util.h"
#include "db/db.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const char *const streets[] = {"Oudegracht", "Lange Nieuwstraat", "Twijnstraat", "Lijnmarkt",
                                      "Zadelstraat"};
static const char *const names[] = {
    "Anouk de Boer", "Bram Visser",     "Chantal Bakker", "Daan Smit",     "Esra Yilmaz",
    "Fenna Mulder",  "Gerrit de Wit",   "Hanna Bos",      "Ismail Ouali",  "Joke Vos",
    "Kees Peters",   "Lotte Hendriks",  "Mustafa Kaya",   "Noor van Dijk", "Otto Dekker",
    "Priya Ramdin",  "Quinten Brouwer", "Rosa Jansen",    "Sem de Graaf",  "Tineke Koster",
    "Umut Demir",    "Vera Meijer"};
static const char *const ages[] = {"16-34", "35-64", "65+"};
static const char *const genders[] = {"vrouw", "man", "anders"};

#define QUOTAS                                                                                     \
    "feature,value,min,max\n"                                                                      \
    "leeftijd,16-34,2,2\nleeftijd,35-64,2,2\nleeftijd,65+,2,2\n"                                   \
    "geslacht,vrouw,2,3\ngeslacht,man,2,3\ngeslacht,anders,0,1\n"
#define QUESTIONS "leeftijd: Hoe oud ben je?\ngeslacht: Wat is je geslacht?\n"

static char *
addresses(int n, int first_number)
{
    char *csv = noaber_xmalloc((size_t)n * 80 + 64);
    size_t o = (size_t)sprintf(csv, "straat;huisnummer;postcode;plaats\n");
    for (int i = 0; i < n; i++)
        o += (size_t)sprintf(csv + o, "%s;%d;%d%s;Utrecht\n", streets[i % 5], first_number + i,
                             3511 + i % 2, i % 3 ? "AB" : "CD");
    return csv;
}

/* Two known codes: DEMA-2345 to try the sign-up page, DEMB-2345 for the keyboard-only test. */
static enum noaber_err
code_tx(struct noaber_db *db, void *ctx)
{
    static const char *const codes[] = {"DEMA2345", "DEMB2345"};
    enum noaber_err e = NOABER_OK;
    for (size_t i = 0; e == NOABER_OK && i < sizeof codes / sizeof codes[0]; i++) {
        char hash[65];
        panels_code_hash(codes[i], hash);
        e = web_store_code_add(db, hash, *(int64_t *)ctx, noaber_now());
    }
    return e;
}

/* Signs up N volunteers with the codes of panel ID's letters. */
static enum noaber_err
sign_up(struct noaber_db *db, const struct members_actor *nobody, int64_t id, int n, int from,
        struct noaber_arena *a)
{
    char *hex = NULL;
    unsigned char key[32];
    size_t got = 0, nrows = 0;
    struct web_address_row *rows;
    enum noaber_err e = web_store_code_key(db, id, &hex, a);
    if (e == NOABER_OK && sodium_hex2bin(key, 32, hex, 64, NULL, &got, NULL) != 0)
        e = NOABER_E_INTERNAL;
    if (e == NOABER_OK)
        e = web_store_drawn(db, id, &rows, &nrows, a);
    for (int i = 0; e == NOABER_OK && i < n && (size_t)i < nrows; i++) {
        char code[16], email[80], phone[20];
        panels_code_make(key, id, rows[i].id, code);
        const char *name = names[(from + i) % 22];
        snprintf(email, sizeof email, "vrijwilliger%d@demo.noaber.nl", from + i);
        snprintf(phone, sizeof phone, "06 1234 %04d", from + i);
        const char *answers[] = {ages[(i * 7 + from) % 3], genders[i % 9 == 8 ? 2 : i % 2]};
        struct panels_signup s = {code,
                                  name,
                                  i % 4 == 3 ? "" : email,
                                  i % 4 == 3 ? phone : "",
                                  i % 8 == 7
                                      ? noaber_arena_printf(a, "%s %s\n%s %s", rows[i].a.street,
                                                            rows[i].a.house_number,
                                                            rows[i].a.postcode, rows[i].a.town)
                                      : "",
                                  i % 5 == 4 ? "en" : "nl",
                                  answers,
                                  2,
                                  1,
                                  "127.0.0.1"};
        int retry = 0;
        e = panels_signup(db, nobody, NULL, 0, &s, NULL, &retry);
    }
    sodium_memzero(key, sizeof key);
    /* The demo's volunteers read their messages in the app: none of them lands on the
     * connectors' call list, in the letters batch or in a mail queue of the tests. */
    struct panels_volunteer *v;
    size_t nv = 0;
    if (e == NOABER_OK)
        e = web_store_volunteers(db, id, &v, &nv, a);
    for (size_t i = 0; e == NOABER_OK && i < nv; i++)
        e = members_set_prefs(db, v[i].person_id, v[i].lang, "inapp", v[i].name);
    return e;
}

/* A panel with letters to LETTERS of NADDR addresses (house numbers from FIRST) and the first
 * VOLUNTEERS of them signed up (names from FROM on). */
static enum noaber_err
demo_panel(struct noaber_db *db, const struct members_actor *actor, const struct members_hood *hood,
           const struct panels_new *in, int naddr, int first, int letters, int volunteers, int from,
           int64_t *id, struct noaber_arena *a)
{
    struct members_actor nobody = {0};
    enum noaber_err e = panels_create(db, actor, hood, in, id, NULL);
    char *csv = addresses(naddr, first);
    if (e == NOABER_OK)
        e = panels_addresses_upload(db, actor, hood, *id, csv, strlen(csv), NULL, NULL);
    free(csv);
    if (e == NOABER_OK)
        e = panels_invite(db, actor, hood, *id, letters);
    if (e == NOABER_OK)
        e = sign_up(db, &nobody, *id, volunteers, from, a);
    return e;
}

enum noaber_err
panels_web_demo(struct noaber_db *db, const struct noaber_config *cfg)
{
    struct noaber_arena *a = noaber_arena_new(16u << 20);
    int64_t coord = 0, id = 0, id2 = 0, id3 = 0;
    struct members_hood hood;
    struct members_actor admin = {.person_id = 0, .is_admin = 0};
    enum noaber_err e = members_person_by_email(db, "coordinator@demo.noaber.nl", &coord);
    if (e == NOABER_OK)
        e = members_hood_by_slug(db, &admin, "binnenstad", &hood, a);
    struct members_actor actor = {.person_id = coord, .display_name = "Carla Coördinator"};
    hood.role = MEMBERS_R_COORDINATOR;
    hood.confirmed = 1;
    struct panels_new groen = {
        "Burgerpanel Groen in de buurt",
        "Het burgerpanel bedenkt in drie avonden hoe de binnenstad groener en koeler wordt, en "
        "kiest welke plannen het wijkfonds betaalt.",
        QUOTAS,
        QUESTIONS,
        6,
        3};
    if (e == NOABER_OK)
        e = demo_panel(db, &actor, &hood, &groen, 40, 1, 30, 20, 1, &id, a);
    if (e == NOABER_OK)
        e = panels_close_stage1(db, &actor, &hood, id);
    if (e == NOABER_OK)
        e = panels_seed(db, &actor, &hood, id, "Staatsloterij 10 januari: 4-17-23-31-38-42");
    if (e == NOABER_OK)
        e = panels_draw_start(db, cfg, &actor, &hood, id, "leximin");
    if (e == NOABER_OK)
        e = panels_draw_wait(db, cfg, id, 120);
    if (e == NOABER_OK)
        e = panels_publish(db, &actor, &hood, id);

    struct panels_new top = {"Burgertop Binnenstad 2027",
                             "De burgertop geeft de gemeente advies over de drukte in de "
                             "binnenstad: verkeer, terrassen en rust.",
                             QUOTAS,
                             QUESTIONS,
                             6,
                             2};
    if (e == NOABER_OK)
        e = demo_panel(db, &actor, &hood, &top, 60, 101, 25, 3, 30, &id2, a);
    if (e == NOABER_OK)
        e = noaber_db_tx(db, code_tx, &id2);

    struct panels_new ready = {"Burgerpanel Speelplekken",
                               "Het burgerpanel kiest waar in de binnenstad nieuwe speelplekken "
                               "komen.",
                               QUOTAS,
                               QUESTIONS,
                               6,
                               2};
    if (e == NOABER_OK)
        e = demo_panel(db, &actor, &hood, &ready, 30, 201, 24, 16, 50, &id3, a);
    if (e == NOABER_OK)
        e = panels_close_stage1(db, &actor, &hood, id3);
    if (e == NOABER_OK)
        e = panels_seed(db, &actor, &hood, id3, "Staatsloterij 10 maart: 2-9-15-27-33-40");
    if (e != NOABER_OK)
        noaber_error("demo: the citizens' panels could not be made: %s", noaber_err_name(e));
    noaber_arena_free(a);
    return e;
}
