/*
 * Residents: the resident's profile around the five questions (wie ben jij? wat wil je? wat kun
 * je? wat heb je nodig? wat heb je te bieden?), the shared list of skills and interests, consent
 * per purpose, and the connectors' work: assisted intake with the consent given, acting for a
 * resident with their machtiging, the import of a cooperative's member list, the caseload with
 * contact notes, health notes kept apart, "who can help with ...", and aggregated figures for
 * partners. This header is the module's only public face.
 *
 * Who sees what follows from the viewer's relation to the resident (residents_relation_of) and
 * the resident's own choices and consents (residents_fields); both are pure rules in
 * residents_rules.c. The coarse check per route is members_can() with the route's action; the
 * operations here add the relationship check (own neighbourhood; notes only for the assigned
 * connector and the coordinators) before anything is read or changed. Partners never see a
 * personal file: every resident path answers them 403, and reports suppress counts under 5.
 *
 * Memory: rows handed back live on the caller's arena. Errors are enum noaber_err.
 */
#ifndef NOABER_RESIDENTS_RESIDENTS_H
#define NOABER_RESIDENTS_RESIDENTS_H

#include "base/err.h"
#include "members/members.h"
#include "privacy/privacy.h"

#include <stddef.h>
#include <stdint.h>

struct noaber_arena;
struct noaber_config;
struct noaber_db;

/* --- words ------------------------------------------------------------------------------------ */

/* The purposes a resident consents to, each on its own and withdrawable at any time. */
enum residents_purpose {
    RESIDENTS_P_PROFILE,  /* keep the answers to the five questions, skills and availability */
    RESIDENTS_P_MATCHING, /* neighbours may find them under "who can help" */
    RESIDENTS_P_CONTACT,  /* a connector may contact them (the caseload) */
    RESIDENTS_P_HEALTH,   /* keep health notes (special-category data) */
    RESIDENTS_P__MAX
};
/* How a consent or a machtiging was given. */
enum residents_how {
    RESIDENTS_HOW_ONLINE, /* by the resident themself, logged in */
    RESIDENTS_HOW_SPOKEN, /* said to a connector, who recorded it */
    RESIDENTS_HOW_PAPER,  /* signed on paper */
    RESIDENTS_HOW_IMPORT, /* as recorded in the cooperative's own member list */
    RESIDENTS_HOW__MAX
};

const char *residents_purpose_name(enum residents_purpose p);  /* "profile" ... */
const char *residents_purpose_label(enum residents_purpose p); /* msgid */
const char *residents_purpose_hint(enum residents_purpose p);  /* msgid: what it allows */
/* RESIDENTS_P__MAX when unknown. */
enum residents_purpose residents_purpose_parse(const char *s);
const char *residents_how_name(enum residents_how h);  /* "spoken" ... */
const char *residents_how_label(enum residents_how h); /* msgid */
enum residents_how residents_how_parse(const char *s); /* RESIDENTS_HOW__MAX when unknown */

/* The fields of a resident's file, as bits of a mask. */
enum residents_field {
    RESIDENTS_F_NAME = 1u << 0,
    RESIDENTS_F_ABOUT = 1u << 1,     /* who are you? */
    RESIDENTS_F_WANTS = 1u << 2,     /* what do you want? */
    RESIDENTS_F_ABILITIES = 1u << 3, /* what can you do? */
    RESIDENTS_F_NEEDS = 1u << 4,     /* what do you need? */
    RESIDENTS_F_OFFERS = 1u << 5,    /* what can you offer? */
    RESIDENTS_F_AVAILABILITY = 1u << 6,
    RESIDENTS_F_SKILLS = 1u << 7,
    RESIDENTS_F_PHONE = 1u << 8,
    RESIDENTS_F_REACH = 1u << 9,    /* channel and language */
    RESIDENTS_F_ADDRESS = 1u << 10, /* postcode and house number */
    RESIDENTS_F_CONSENTS = 1u << 11,
    RESIDENTS_F_AUTHORISATIONS = 1u << 12, /* machtigingen and what was done on their behalf */
    RESIDENTS_F_CASELOAD = 1u << 13,       /* who follows them, next contact */
    RESIDENTS_F_NOTES = 1u << 14,          /* contact notes */
    RESIDENTS_F_HEALTH = 1u << 15,         /* health notes */
};
/* The fields a resident may open to the neighbours of their neighbourhood (the profile's
 * `visible` mask holds only these); everything else never reaches a neighbour. */
#define RESIDENTS_F_SHAREABLE                                                                      \
    (RESIDENTS_F_ABOUT | RESIDENTS_F_WANTS | RESIDENTS_F_ABILITIES | RESIDENTS_F_NEEDS |           \
     RESIDENTS_F_OFFERS | RESIDENTS_F_AVAILABILITY | RESIDENTS_F_PHONE)

/* How the viewer stands to the resident. */
enum residents_relation {
    RESIDENTS_REL_NONE,        /* no relation: sees nothing (also administrators) */
    RESIDENTS_REL_SELF,        /* the resident */
    RESIDENTS_REL_ACTING,      /* a connector with the resident's valid machtiging */
    RESIDENTS_REL_NEIGHBOUR,   /* a confirmed resident of the same neighbourhood */
    RESIDENTS_REL_CONNECTOR,   /* a connector of the neighbourhood, not the assigned one */
    RESIDENTS_REL_ASSIGNED,    /* the connector who follows the resident (caseload) */
    RESIDENTS_REL_COORDINATOR, /* a coordinator of the neighbourhood */
    RESIDENTS_REL_PARTNER,     /* a partner in the neighbourhood: aggregates only */
    RESIDENTS_REL__MAX
};
const char *residents_relation_name(enum residents_relation r);

/* What a viewer may do with a resident's file, decided by residents_may(). */
enum residents_op {
    RESIDENTS_OP_VIEW,      /* open the file (fields per residents_fields) */
    RESIDENTS_OP_EDIT,      /* change profile and preferences, give or withdraw consent */
    RESIDENTS_OP_RECORD,    /* record a consent or machtiging given by mouth or on paper */
    RESIDENTS_OP_NOTES,     /* read and write contact notes */
    RESIDENTS_OP_HEALTH,    /* read and write health notes (with the consent 'health') */
    RESIDENTS_OP_FOLLOW,    /* set the next contact date, hand over to another connector */
    RESIDENTS_OP_REVOKE,    /* end a machtiging */
    RESIDENTS_OP_PRINT,     /* print the intake summary and a login card */
    RESIDENTS_OP_AUTHORISE, /* let a connector act for the resident (not by the one acting) */
    RESIDENTS_OP__MAX
};

/* --- rules (residents_rules.c, no I/O) -------------------------------------------------------- */

struct residents_rel_in {
    int64_t viewer, subject;
    enum members_role viewer_role; /* in the neighbourhood (NONE: not a member there) */
    int viewer_confirmed;          /* the viewer's residency there is confirmed */
    int subject_member;            /* the subject belongs to the neighbourhood */
    int64_t assigned;              /* the connector who follows the subject there (0: none) */
    int acting;                    /* the viewer holds a valid machtiging of the subject */
};
/* The viewer's relation to the subject in one neighbourhood. */
enum residents_relation residents_relation_of(const struct residents_rel_in *in);

/* Bit set of active consents: 1u << enum residents_purpose. */
typedef unsigned residents_cset;
#define RESIDENTS_HAS(c, p) (((c) >> (p)) & 1u)

/* The fields (enum residents_field bits) a viewer with relation REL sees of a resident who chose
 * VISIBLE (a subset of RESIDENTS_F_SHAREABLE) and holds the consents CONSENTS. Neighbours see the
 * name, the skills offered and what the resident opened to them, and only with the consent
 * 'matching'; health notes need the consent 'health'. */
unsigned residents_fields(enum residents_relation rel, unsigned visible, residents_cset consents);
/* NOABER_OK or NOABER_E_FORBIDDEN: may a viewer with relation REL do OP? */
enum noaber_err residents_may(enum residents_relation rel, enum residents_op op);

/* A valid machtiging: granted, not revoked and not ended at NOW. */
int residents_authorisation_valid(int64_t granted_at, int64_t ends_at, int64_t revoked_at,
                                  int64_t now);

/* Checks and normalises a list of skill slugs separated by commas (or spaces) against the
 * active slugs KNOWN (N of them): lower-cased, duplicates dropped, in the order of KNOWN.
 * *OUT gets the normalised list on ARENA. NOABER_E_UNKNOWN_SKILL for a slug not in the list. */
enum noaber_err residents_check_skills(const char *list, const char *const *known, size_t n,
                                       char **out, struct noaber_arena *arena);
/* 1 if SLUG is in the comma-separated LIST. */
int residents_list_has(const char *list, const char *slug);
/* A house number: digits, optionally a letter or an addition ("12", "12a", "12-3", "12 bis"),
 * at most 10 characters; trims in place. NOABER_OK, NOABER_E_BAD_HOUSE_NUMBER. */
enum noaber_err residents_check_house_number(char *s);
/* A phone number: 6 to 15 digits, spaces, hyphens, brackets and a leading +; trims in place.
 * NOABER_OK, NOABER_E_BAD_PHONE. */
enum noaber_err residents_check_phone(char *s);
/* A skill's short name: 2..40 of [a-z0-9-]. */
enum noaber_err residents_check_skill_slug(const char *s);

/* A date as people type it: "2025-03-31", "31-03-2025" or "31/3/2025". *OUT gets noon UTC of
 * that day (so that the date is the same in every time zone of Europe). NOABER_E_BAD_DATE. */
enum noaber_err residents_parse_date(const char *s, int64_t *out);
/* "2025-03-31" for T (UTC), into OUT[11]. */
void residents_format_date(int64_t t, char out[11]);
/* The offset of Dutch local time from UTC at NOW: 3600 in winter, 7200 in summer time. */
int64_t residents_nl_offset(int64_t now);
/* The end of the week (Monday 00:00 of the next week, local time at UTC offset OFFSET seconds)
 * that holds NOW. */
int64_t residents_week_end(int64_t now, int64_t offset);
/* "To contact this week": a next contact date is set and falls before the end of this week
 * (overdue dates included). */
int residents_contact_due(int64_t next_contact_at, int64_t now, int64_t offset);

/* Aggregates shown to partners: counts under this are shown as "< 5". */
#define RESIDENTS_MIN_COUNT 5
/* COUNT, or -1 when it must be suppressed. */
int64_t residents_suppress(int64_t count);

/* --- CSV import rules ------------------------------------------------------------------------- */

/* One CSV file split into rows of fields (on ARENA). UTF-8 with or without BOM; comma or
 * semicolon, whichever the header line uses; fields may be quoted ("" is a quote); CRLF or LF.
 * NOABER_E_BAD_CSV when it is not valid UTF-8, a quote is not closed, or it has more than
 * RESIDENTS_IMPORT_MAX rows. */
#define RESIDENTS_IMPORT_MAX 5000
struct residents_csv {
    size_t nrows;
    size_t *ncols;
    char ***cells; /* cells[row][col] */
};
enum noaber_err residents_csv_parse(const char *text, size_t len, struct residents_csv *out,
                                    struct noaber_arena *arena);

/* The columns an import reads, found by name in the header (English or Dutch, any case). */
enum residents_col {
    RESIDENTS_COL_NAME,
    RESIDENTS_COL_EMAIL,
    RESIDENTS_COL_PHONE,
    RESIDENTS_COL_POSTCODE,
    RESIDENTS_COL_HOUSE_NUMBER,
    RESIDENTS_COL_CONSENT,
    RESIDENTS_COL_CONSENT_DATE,
    RESIDENTS_COL_HOW,
    RESIDENTS_COL__MAX
};
/* Maps HEADER (N cells) to column positions (-1: absent). NOABER_E_BAD_CSV when a column the
 * import needs (name, consent, and email or phone) is missing. */
enum noaber_err residents_import_header(char *const *header, size_t n,
                                        int cols[RESIDENTS_COL__MAX]);

struct residents_import_row {
    const char *name, *email, *phone, *postcode, *house_number;
    int64_t consent_at;
    enum residents_how how;
};
/* Checks one data row against the rules of an import into a neighbourhood with postcode areas
 * POSTCODES: a name; an e-mail address or a phone number; a postcode in the neighbourhood (when
 * given); consent recorded (yes, ja, 1, true, y, j) with its date. NOABER_OK fills OUT (strings
 * point into CELLS, normalised in place); otherwise the code says why the row is skipped:
 * NOABER_E_NO_CONSENT, NOABER_E_REQUIRED (name or contact missing), NOABER_E_BAD_EMAIL,
 * NOABER_E_BAD_POSTCODE, NOABER_E_POSTCODE_ELSEWHERE, NOABER_E_BAD_DATE,
 * NOABER_E_BAD_HOUSE_NUMBER, NOABER_E_BAD_CHOICE (how). NOW: consent dates after it are wrong. */
enum noaber_err residents_import_check(char **cells, size_t n, const int cols[RESIDENTS_COL__MAX],
                                       const char *postcodes, int64_t now,
                                       struct residents_import_row *out);

/* --- records ---------------------------------------------------------------------------------- */

struct residents_skill {
    int64_t id;
    const char *slug, *label_nl, *label_en;
    int active, sort;
};

struct residents_profile {
    int64_t person_id;
    int exists; /* a profile row is stored */
    /* from the person's account (the phone too: calls and letters read it from there) */
    const char *display_name, *email, *username, *lang, *channel, *phone;
    /* the profile */
    const char *about, *wants, *abilities, *needs, *offers, *availability;
    const char *postcode, *house_number;
    unsigned visible;                           /* subset of RESIDENTS_F_SHAREABLE */
    const char *skills_offered, *skills_wanted; /* comma-separated slugs */
    int64_t updated_at;
    residents_cset consents;
};

struct residents_consent {
    int64_t id, person_id;
    enum residents_purpose purpose;
    enum residents_how how;
    int64_t given_at, withdrawn_at;
    const char *recorded_by, *withdrawn_by; /* names ("" when unknown) */
};

struct residents_authorisation {
    int64_t id, person_id, connector_id;
    const char *connector_name, *person_name;
    int64_t granted_at, ends_at, revoked_at;
    enum residents_how how;
    int valid; /* at the time it was read */
};

struct residents_acted {
    int64_t at, connector_id;
    const char *connector_name, *action, *detail;
};

struct residents_note {
    int64_t id, at, author_id;
    const char *author_name, *text;
};

struct residents_case { /* one line of a caseload */
    int64_t person_id, connector_id;
    const char *name, *connector_name;
    int64_t since, next_contact_at;
    int due;             /* to contact this week */
    int contact_allowed; /* the consent 'contact' is active */
};

/* A resident's file as one viewer may see it: fields outside FIELDS are empty. */
struct residents_file {
    enum residents_relation rel;
    unsigned fields;
    struct residents_profile profile;
    struct residents_consent *consents;
    size_t nconsents;
    struct residents_authorisation *auths;
    size_t nauths;
    struct residents_acted *acted;
    size_t nacted;
    struct residents_note *notes, *health;
    size_t nnotes, nhealth;
    int64_t assigned, next_contact_at, since; /* the caseload in this neighbourhood */
    const char *assigned_name;
    int64_t intake_at;
    const char *intake_by, *intake_place;
};

/* --- operations (residents.c); each runs its own transaction ---------------------------------- */

/* The shared skill list (ALL: also inactive ones), by sort order. */
enum noaber_err residents_skills(struct noaber_db *db, int all, struct residents_skill **out,
                                 size_t *n, struct noaber_arena *arena);
/* Administrators keep the list: add a skill, change its labels or switch it off. */
enum noaber_err residents_skill_add(struct noaber_db *db, const struct members_actor *actor,
                                    const char *slug, const char *label_nl, const char *label_en);
enum noaber_err residents_skill_update(struct noaber_db *db, const struct members_actor *actor,
                                       int64_t id, const char *label_nl, const char *label_en,
                                       int active);

/* Whose profile an own-profile request is about: the actor, or (ACTING_FOR set) the resident
 * who gave the actor a valid machtiging. *REL gets RESIDENTS_REL_SELF or _ACTING.
 * NOABER_E_AUTHORISATION_ENDED when the machtiging has ended or was revoked, FORBIDDEN when
 * there never was one. */
enum noaber_err residents_subject(struct noaber_db *db, const struct members_actor *actor,
                                  int64_t acting_for, int64_t *person,
                                  enum residents_relation *rel);

/* The profile of PERSON as seen by the resident or the connector acting for them (REL SELF or
 * ACTING, from residents_subject). Acting views are written to the resident's acted-for log. */
enum noaber_err residents_own_file(struct noaber_db *db, const struct members_actor *actor,
                                   int64_t person, enum residents_relation rel,
                                   struct residents_file *out, struct noaber_arena *arena);

struct residents_profile_input {
    const char *about, *wants, *abilities, *needs, *offers, *availability;
    const char *phone, *postcode, *house_number; /* NULL: leave as it is */
    const char *skills_offered, *skills_wanted;  /* normalised lists; NULL: leave */
    const char *lang, *channel;                  /* NULL: leave */
    unsigned visible;
    int set_visible;     /* 0: leave visible as it is */
    int consent_profile; /* give the consent 'profile' now (a checkbox on the same form) */
};
/* Saves PERSON's profile (REL SELF or ACTING). A NULL text field is left as it is. Answers to
 * the five questions, availability and skills are kept only with the consent 'profile':
 * NOABER_E_CONSENT_REQUIRED otherwise. */
enum noaber_err residents_profile_save(struct noaber_db *db, const struct members_actor *actor,
                                       int64_t person, enum residents_relation rel,
                                       const struct residents_profile_input *in);

/* Gives (GIVE 1) or withdraws (0) PERSON's consent for PURPOSE, recorded by ACTOR with HOW.
 * REL SELF or ACTING (how is then "online") or a staff relation (from residents_file_open's
 * checks, how "spoken" or "paper"). Withdrawing stops what relied on it at once: 'profile'
 * deletes the answers, availability and skills; 'matching' hides them from "who can help";
 * 'contact' clears the next contact dates; 'health' deletes the health notes. Giving an active
 * consent again, or withdrawing one not given, changes nothing. */
enum noaber_err residents_consent_set(struct noaber_db *db, const struct members_actor *actor,
                                      int64_t person, enum residents_relation rel,
                                      enum residents_purpose purpose, int give,
                                      enum residents_how how);
enum noaber_err residents_consents(struct noaber_db *db, int64_t person,
                                   struct residents_consent **out, size_t *n,
                                   struct noaber_arena *arena);

/* The resident PERSON (REL SELF, or staff recording it: RECORD) lets CONNECTOR (a connector or
 * coordinator of a neighbourhood PERSON belongs to) act for them until ENDS_AT. */
enum noaber_err residents_authorise(struct noaber_db *db, const struct members_actor *actor,
                                    int64_t person, enum residents_relation rel, int64_t connector,
                                    int64_t ends_at, enum residents_how how);
/* Ends machtiging ID of PERSON (REL SELF, ACTING for one's own, ASSIGNED or COORDINATOR). */
enum noaber_err residents_authorisation_revoke(struct noaber_db *db,
                                               const struct members_actor *actor, int64_t person,
                                               enum residents_relation rel, int64_t id);
/* The connectors and coordinators of HOOD (for choosing whom to authorise or hand over to). */
enum noaber_err residents_staff(struct noaber_db *db, int64_t hood, struct members_member **out,
                                size_t *n, struct noaber_arena *arena);
/* The first neighbourhood PERSON belongs to (by name); OUT->id 0 when none. */
enum noaber_err residents_home_hood(struct noaber_db *db, int64_t person, struct members_hood *out,
                                    struct noaber_arena *arena);

/* Opens PERSON's file in HOOD for the actor (a connector or coordinator there; the route has
 * checked MEMBERS_A_RESIDENT_FILE). NOABER_E_FORBIDDEN when PERSON is not a member of HOOD.
 * Writes the access to the access log. OUT holds only the fields the actor may see. */
enum noaber_err residents_file_open(struct noaber_db *db, const struct members_actor *actor,
                                    const struct members_hood *hood, int64_t person,
                                    struct residents_file *out, struct noaber_arena *arena);
/* The relation only (no access logged), for the checks of a staff action. */
enum noaber_err residents_relation_in(struct noaber_db *db, const struct members_actor *actor,
                                      const struct members_hood *hood, int64_t person,
                                      enum residents_relation *rel);

/* A contact note by the assigned connector or a coordinator; NEXT_CONTACT_AT (0: leave)
 * sets the next contact date (needs the consent 'contact'). */
enum noaber_err residents_note_add(struct noaber_db *db, const struct members_actor *actor,
                                   const struct members_hood *hood, int64_t person,
                                   const char *text, int64_t next_contact_at);
/* A health note: only with the consent 'health'. */
enum noaber_err residents_health_add(struct noaber_db *db, const struct members_actor *actor,
                                     const struct members_hood *hood, int64_t person,
                                     const char *text);
/* Takes PERSON into the actor's caseload (when nobody follows them) or sets the next contact
 * date (the assigned connector or a coordinator). NEXT_CONTACT_AT 0: none. */
enum noaber_err residents_follow(struct noaber_db *db, const struct members_actor *actor,
                                 const struct members_hood *hood, int64_t person,
                                 int64_t next_contact_at);
/* Hands PERSON over to connector TO (a connector or coordinator of HOOD); TO is told. */
enum noaber_err residents_handover(struct noaber_db *db, const struct members_actor *actor,
                                   const struct members_hood *hood, int64_t person, int64_t to);

/* The actor's caseload in HOOD (coordinators: everyone followed there, and every resident
 * nobody follows in *unfollowed). NOW and OFFSET decide "this week". */
enum noaber_err residents_caseload(struct noaber_db *db, const struct members_actor *actor,
                                   const struct members_hood *hood, int64_t now, int64_t offset,
                                   struct residents_case **out, size_t *n,
                                   struct residents_case **unfollowed, size_t *nun,
                                   struct noaber_arena *arena);

/* Assisted intake: a connector registers a resident who may have no account. */
struct residents_intake {
    const char *display_name, *email, *username; /* no e-mail and no username: one is made */
    const char *lang, *channel;
    const char *place; /* door, phone, infopoint, elsewhere */
    struct residents_profile_input profile;
    residents_cset consents; /* the purposes consented to in the conversation */
    enum residents_how how;  /* spoken or paper */
    const char *health_note; /* only with the consent 'health' */
    int64_t next_contact_at; /* 0: none */
    int64_t authorise_until; /* 0: no machtiging for the connector */
};
/* Creates the person (a confirmed resident of HOOD), their profile, the consents as recorded,
 * the intake, the caseload line (with the consent 'contact') and the machtiging, in one
 * transaction. Needs at least the consent 'profile' when answers are recorded. */
enum noaber_err residents_intake(struct noaber_db *db, const struct members_actor *actor,
                                 const struct members_hood *hood, struct residents_intake *in,
                                 int64_t *person_out);

/* A new one-time login code for the login card of PERSON (a resident of HOOD). */
enum noaber_err residents_card_code(struct noaber_db *db, const struct members_actor *actor,
                                    const struct members_hood *hood, int64_t person,
                                    char code_out[32]);

/* Import of the cooperative's member list: every row with a recorded consent becomes a confirmed
 * resident of HOOD with the consents 'profile' and 'contact' as recorded; rows without consent
 * or with errors are listed with the reason and not imported. A file that cannot be read
 * (NOABER_E_BAD_CSV) imports nothing. */
struct residents_import_line {
    size_t line; /* in the file, 1 = header */
    const char *name;
    enum noaber_err reason; /* NOABER_OK: imported */
    int64_t person_id;
};
struct residents_import_result {
    struct residents_import_line *lines;
    size_t n, imported, skipped;
};
enum noaber_err residents_import(struct noaber_db *db, const struct members_actor *actor,
                                 const struct members_hood *hood, const char *csv, size_t len,
                                 struct residents_import_result *out, struct noaber_arena *arena);

/* "Who can help with SKILL": residents of HOOD who offer it and gave the consent 'matching',
 * with the fields they opened to neighbours (the viewer left out). */
struct residents_helper {
    int64_t person_id;
    const char *name;
    unsigned fields;
    const char *about, *abilities, *offers, *availability, *phone, *skills_offered;
};
enum noaber_err residents_help_search(struct noaber_db *db, const struct members_actor *actor,
                                      const struct members_hood *hood, const char *skill,
                                      struct residents_helper **out, size_t *n,
                                      struct noaber_arena *arena);

/* Aggregated figures of HOOD; every count is suppressed (-1) under RESIDENTS_MIN_COUNT. */
struct residents_report_skill {
    const char *slug, *label_nl, *label_en;
    int64_t offered, wanted;
};
struct residents_report {
    int64_t residents, profiles, intakes_month, followed;
    int64_t consents[RESIDENTS_P__MAX];
    struct residents_report_skill *skills;
    size_t nskills;
};
enum noaber_err residents_report(struct noaber_db *db, const struct members_hood *hood, int64_t now,
                                 struct residents_report *out, struct noaber_arena *arena);

/* --- privacy (residents_privacy.c) ------------------------------------------------------------ */

/* Every column of the module's tables, NULL-terminated by a table whose name is NULL. */
extern const struct privacy_table residents_privacy_tables[];

#endif
