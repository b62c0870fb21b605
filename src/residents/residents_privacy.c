/*
 * The residents module's tables declared for privacy by design (see src/privacy/privacy.h):
 * every column with whether it is personal, why it is kept, the legal basis of each table and
 * how long rows stay. From these come the processing register, a resident's export, their
 * erasure and the daily clean-up. Health notes are the one table of special-category data.
 */
#include "residents/residents.h"
#include "view/i18n.h"

#define YEAR PRIVACY_YEAR

#define P(name, why)                                                                               \
    {                                                                                              \
        name, PRIVACY_PERSONAL, why                                                                \
    }
#define REF(name, why)                                                                             \
    {                                                                                              \
        name, PRIVACY_REFERENCE, why                                                               \
    }
#define ACT(name, why)                                                                             \
    {                                                                                              \
        name, PRIVACY_ACTOR, why                                                                   \
    }
#define NP(name)                                                                                   \
    {                                                                                              \
        name, PRIVACY_NOT_PERSONAL, NULL                                                           \
    }
#define END                                                                                        \
    {                                                                                              \
        NULL, PRIVACY_NOT_PERSONAL, NULL                                                           \
    }

static const struct privacy_column skills_cols[] = {NP("id"),         NP("slug"),   NP("label_nl"),
                                                    NP("label_en"),   NP("active"), NP("sort"),
                                                    NP("created_at"), END};

static const struct privacy_column profiles_cols[] = {
    REF("person_id", N_("whose profile it is")),
    P("about", N_("the answer to 'who are you?', to connect the resident with neighbours")),
    P("wants", N_("the answer to 'what do you want?'")),
    P("abilities", N_("the answer to 'what can you do?'")),
    P("needs", N_("the answer to 'what do you need?'")),
    P("offers", N_("the answer to 'what can you offer?'")),
    P("availability", N_("when the resident can help or be visited")),
    P("postcode", N_("to confirm residency in the neighbourhood; shown only to its connectors and "
                     "coordinators")),
    P("house_number", N_("to confirm residency and to visit; shown only to the connectors and "
                         "coordinators of the neighbourhood")),
    P("visible", N_("the resident's own choice of what neighbours may see")),
    NP("updated_at"),
    ACT("updated_by", N_("who last changed the profile (the resident or a connector acting for "
                         "them)")),
    END};

static const struct privacy_column profile_skills_cols[] = {
    REF("person_id", N_("whose skills they are")), NP("skill_id"),
    P("offers", N_("the resident can help others with this")),
    P("wants", N_("the resident would like help with this or to take part")), END};

static const struct privacy_column consents_cols[] = {
    NP("id"),
    REF("person_id", N_("who gave the consent")),
    P("purpose", N_("what the consent is for")),
    P("given_at", N_("proof of when consent was given")),
    P("how", N_("proof of how consent was given (online, spoken, on paper, imported)")),
    ACT("recorded_by", N_("who recorded the consent")),
    P("withdrawn_at", N_("when the consent was withdrawn")),
    ACT("withdrawn_by", N_("who recorded the withdrawal")),
    END};

static const struct privacy_column authorisations_cols[] = {
    NP("id"),
    REF("person_id", N_("the resident who gives the machtiging")),
    REF("connector_id", N_("the connector who may act for them")),
    P("granted_at", N_("from when the connector may act")),
    P("ends_at", N_("until when the connector may act")),
    P("how", N_("how the resident gave it")),
    ACT("recorded_by", N_("who recorded the machtiging")),
    P("revoked_at", N_("when it was ended early")),
    ACT("revoked_by", N_("who ended it")),
    END};

static const struct privacy_column acted_for_cols[] = {
    NP("id"),
    P("at", N_("when it was done")),
    ACT("connector_id", N_("the connector who acted")),
    REF("person_id", N_("the resident in whose name it was done")),
    P("action", N_("what was done, shown to the resident")),
    P("detail", N_("what was done, shown to the resident")),
    END};

static const struct privacy_column intakes_cols[] = {
    NP("id"),
    REF("person_id", N_("the resident")),
    NP("neighbourhood_id"),
    ACT("recorded_by", N_("the connector who held the intake")),
    P("place", N_("where the intake was held (door, phone, information point)")),
    P("at", N_("when the intake was held")),
    END};

static const struct privacy_column caseload_cols[] = {
    REF("person_id", N_("the resident who is followed")),
    NP("neighbourhood_id"),
    ACT("connector_id", N_("the connector who follows them")),
    P("since", N_("since when")),
    P("next_contact_at", N_("when the connector plans to contact them next")),
    END};

static const struct privacy_column notes_cols[] = {
    NP("id"),
    REF("person_id", N_("the resident the note is about")),
    NP("neighbourhood_id"),
    ACT("author_id", N_("who wrote the note")),
    P("at", N_("when")),
    P("text", N_("a short note of a contact, read by the assigned connector and the coordinators")),
    END};

static const struct privacy_column health_cols[] = {
    NP("id"),
    REF("person_id", N_("the resident the note is about")),
    NP("neighbourhood_id"),
    ACT("author_id", N_("who wrote the note")),
    P("at", N_("when")),
    {"text", PRIVACY_SPECIAL,
     N_("what the resident told about their health, so that the connector can help them "
        "better")},
    END};

#define TABLE(t, desc, why, keep, col, secs, cols)                                                 \
    {                                                                                              \
        .table = t, .description = desc, .basis = why, .retention = keep, .retention_column = col, \
        .retention_seconds = secs, .erase = PRIVACY_ERASE_DELETE, .columns = cols,                 \
    }

const struct privacy_table residents_privacy_tables[] = {
    TABLE("skills", N_("The list of skills and interests"), NULL, NULL, NULL, 0, skills_cols),
    TABLE("profile_skills", N_("Skills you offer or want"), "consent",
          "until the consent 'profile' is withdrawn or the account is removed", NULL, 0,
          profile_skills_cols),
    TABLE("profiles", N_("Your profile: the five questions, availability, phone and address"),
          "consent",
          "until the account is removed; the answers until the consent 'profile' is withdrawn",
          NULL, 0, profiles_cols),
    TABLE("consents", N_("Your consents"), "legal obligation",
          "as long as the account exists; a withdrawn consent 3 years after the withdrawal "
          "(proof of consent, AVG art. 7)",
          "withdrawn_at", 3 * YEAR, consents_cols),
    TABLE("authorisations", N_("Connectors who may act for you (machtigingen)"), "consent",
          "2 years after its end date", "ends_at", 2 * YEAR, authorisations_cols),
    TABLE("acted_for", N_("What a connector did on your behalf"), "legitimate interest", "2 years",
          "at", 2 * YEAR, acted_for_cols),
    TABLE("intakes", N_("Your intake conversations"), "legitimate interest",
          "until the account is removed", NULL, 0, intakes_cols),
    TABLE("caseload", N_("The connector who follows you"), "consent",
          "until the resident leaves the neighbourhood or the account is removed", NULL, 0,
          caseload_cols),
    TABLE("contact_notes", N_("Notes of your contacts with a connector"), "consent", "2 years",
          "at", 2 * YEAR, notes_cols),
    TABLE("health_notes", N_("Notes about your health"), "consent",
          "2 years, and at once when the consent 'health' is withdrawn (AVG art. 9)", "at",
          2 * YEAR, health_cols),
    {0},
};
