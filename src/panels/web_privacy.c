/*
 * The panels' web tables declared for privacy by design (see src/privacy/privacy.h). A
 * volunteer's row belongs to them through person_id: their export shows their answers, consent
 * and outcome, and their erasure deletes the row (the published distribution names numbers, not
 * people). The address list of stage 1 describes households, not accounts: it is kept only until
 * stage 1 closes, when its rows are deleted.
 */
#include "panels/web.h"
#include "view/i18n.h"

#define P(name, why)                                                                               \
    {                                                                                              \
        name, PRIVACY_PERSONAL, why                                                                \
    }
#define NP(name)                                                                                   \
    {                                                                                              \
        name, PRIVACY_NOT_PERSONAL, NULL                                                           \
    }
#define END                                                                                        \
    {                                                                                              \
        NULL, PRIVACY_NOT_PERSONAL, NULL                                                           \
    }

static const struct privacy_column panels_cols[] = {
    NP("id"),
    NP("neighbourhood_id"),
    NP("title"),
    NP("purpose"),
    NP("k"),
    NP("reserves"),
    NP("stage"),
    {"code_key", PRIVACY_SECRET, N_("makes the response codes of the letters")},
    NP("addresses_total"),
    NP("invited"),
    NP("seed"),
    NP("seed_at"),
    NP("created_at"),
    {"created_by", PRIVACY_ACTOR, N_("the coordinator who made the panel")},
    NP("closed_at"),
    NP("drawn_at"),
    NP("published_at"),
    END};

static const struct privacy_column quotas_cols[] = {
    NP("panel_id"), NP("feature"), NP("value"), NP("min"), NP("max"), NP("sort"), END};

static const struct privacy_column questions_cols[] = {NP("panel_id"), NP("feature"),
                                                       NP("question"), NP("sort"), END};

static const struct privacy_column addresses_cols[] = {
    NP("id"),
    NP("panel_id"),
    P("street", N_("to send an invitation letter to an address drawn by lot")),
    P("house_number", N_("to send an invitation letter to an address drawn by lot")),
    P("postcode", N_("to send an invitation letter to an address drawn by lot")),
    P("town", N_("to send an invitation letter to an address drawn by lot")),
    NP("drawn"),
    END};

static const struct privacy_column codes_cols[] = {
    {"code_hash", PRIVACY_SECRET, N_("checks a response code without keeping it")},
    NP("panel_id"),
    NP("created_at"),
    NP("used_at"),
    END};

static const struct privacy_column volunteers_cols[] = {
    NP("id"),
    NP("panel_id"),
    P("number", N_("the pseudonymous number under which the probability is published")),
    {"person_id", PRIVACY_REFERENCE, N_("who signed up")},
    P("answers", N_("the answers to the panel's questions, to draw a panel that looks like the "
                    "neighbourhood")),
    P("consent_at", N_("proof of when consent was given")),
    P("consent_how", N_("proof of how consent was given (online or on paper)")),
    {"consent_by", PRIVACY_ACTOR, N_("the connector who entered a reply on paper")},
    P("status", N_("the outcome of the draw for this volunteer")),
    P("reserve_rank", N_("the place on the reserve list")),
    P("probability", N_("the chance this volunteer had to be selected")),
    P("profile", N_("the group of volunteers with the same answers, published by number so that "
                    "anyone can check the draw")),
    NP("created_at"),
    END};

static const struct privacy_column runs_cols[] = {
    NP("id"),           NP("panel_id"),
    NP("status"),       NP("runner"),
    NP("child_pid"),    NP("dir"),
    NP("started_at"),   {"started_by", PRIVACY_ACTOR, N_("the coordinator who started the draw")},
    NP("finished_at"),  NP("message"),
    NP("distribution"), NP("draw"),
    NP("profiles"),     END};

#define TABLE(t, desc, why, keep, cols)                                                            \
    {                                                                                              \
        .table = t, .description = desc, .basis = why, .retention = keep,                          \
        .erase = PRIVACY_ERASE_DELETE, .columns = cols,                                            \
    }

const struct privacy_table panels_privacy_tables[] = {
    TABLE("panels", N_("Citizens' panels"), "legitimate interest",
          "as long as the panel exists; the code key until stage 1 is closed", panels_cols),
    TABLE("panel_quotas", N_("The quotas of a citizens' panel"), NULL, NULL, quotas_cols),
    TABLE("panel_questions", N_("The questions of a citizens' panel"), NULL, NULL, questions_cols),
    TABLE("panel_addresses", N_("Addresses drawn for the invitations of a citizens' panel"),
          "legitimate interest", "until stage 1 of the panel is closed (the rows are deleted)",
          addresses_cols),
    TABLE("panel_codes", N_("Response codes of the invitation letters"), "legitimate interest",
          "as long as the panel exists", codes_cols),
    TABLE("panel_volunteers", N_("Your sign-up for a citizens' panel"), "consent",
          "until the account is removed; the published probability under a number stays",
          volunteers_cols),
    TABLE("panel_runs", N_("The draws of a citizens' panel"), "legitimate interest",
          "as long as the panel exists", runs_cols),
    {0},
};
