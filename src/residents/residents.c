/*
 * The residents module's operations: each decides who may do it (the viewer's relation to the
 * resident, from residents_rules.c, on top of the route's members_can check), opens its
 * transaction with noaber_db_tx(), calls the store, and queues any message in the same
 * transaction (notify_queue). Accounts and memberships are made through members.h; opening a
 * resident's file is written to the access log (privacy_log_access); what a connector does in a
 * resident's name goes to the acted-for log the resident sees.
 */
#include "residents/residents_int.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/util.h"
#include "db/db.h"
#include "notify/notify.h"
#include "privacy/privacy.h"
#include "view/i18n.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define AUTH_MAX_DAYS 731 /* a machtiging ends within two years; the resident can renew it */
#define ACTED_SHOWN   50

/* --- small helpers ---------------------------------------------------------------------------- */

static int
is_staff_rel(enum residents_relation rel)
{
    return rel == RESIDENTS_REL_CONNECTOR || rel == RESIDENTS_REL_ASSIGNED ||
           rel == RESIDENTS_REL_COORDINATOR;
}

/* PERSON's role in neighbourhood HOOD (NONE when not a member). */
static enum noaber_err
role_in(struct noaber_db *db, int64_t person, int64_t hood, enum members_role *role, int *confirmed)
{
    struct noaber_arena *a = noaber_arena_new(1 << 20);
    struct members_hood *hoods;
    size_t n = 0;
    *role = MEMBERS_R_NONE;
    *confirmed = 0;
    enum noaber_err e = members_person_hoods(db, person, &hoods, &n, a);
    for (size_t i = 0; e == NOABER_OK && i < n; i++)
        if (hoods[i].id == hood) {
            *role = hoods[i].role;
            *confirmed = hoods[i].confirmed;
        }
    noaber_arena_free(a);
    return e;
}

/* Whether STAFF is a connector or coordinator in a neighbourhood PERSON belongs to. */
static enum noaber_err
serves(struct noaber_db *db, int64_t staff, int64_t person, int *yes)
{
    struct noaber_arena *a = noaber_arena_new(1 << 20);
    struct members_hood *mine, *theirs;
    size_t nm = 0, nt = 0;
    *yes = 0;
    enum noaber_err e = members_person_hoods(db, staff, &mine, &nm, a);
    if (e == NOABER_OK)
        e = members_person_hoods(db, person, &theirs, &nt, a);
    for (size_t i = 0; e == NOABER_OK && i < nm; i++)
        for (size_t j = 0; j < nt; j++)
            if (mine[i].id == theirs[j].id &&
                (mine[i].role == MEMBERS_R_CONNECTOR || mine[i].role == MEMBERS_R_COORDINATOR))
                *yes = 1;
    noaber_arena_free(a);
    return e;
}

/* Queues a message to PERSON in their own language (notify_tell); inside the caller's
 * transaction. */
static enum noaber_err
tell(struct noaber_db *db, int64_t person, const struct members_hood *hood, const char *kind,
     const char *subject, const char *body, const char *name, const char *what, const char *link)
{
    struct notify_vars v = {.name = name, .hood = hood ? hood->name : NULL, .what = what};
    return notify_tell(db, person, hood ? hood->id : 0, kind, subject, body, &v, link);
}

/* Empties the fields of P the viewer may not see, so that nothing leaks by accident. */
static void
blank(struct residents_profile *p, unsigned fields)
{
    if (!(fields & RESIDENTS_F_ABOUT))
        p->about = "";
    if (!(fields & RESIDENTS_F_WANTS))
        p->wants = "";
    if (!(fields & RESIDENTS_F_ABILITIES))
        p->abilities = "";
    if (!(fields & RESIDENTS_F_NEEDS))
        p->needs = "";
    if (!(fields & RESIDENTS_F_OFFERS))
        p->offers = "";
    if (!(fields & RESIDENTS_F_AVAILABILITY))
        p->availability = "";
    if (!(fields & RESIDENTS_F_SKILLS))
        p->skills_offered = p->skills_wanted = "";
    if (!(fields & RESIDENTS_F_PHONE))
        p->phone = "";
    if (!(fields & RESIDENTS_F_ADDRESS))
        p->postcode = p->house_number = "";
    if (!(fields & RESIDENTS_F_REACH))
        p->channel = p->lang = p->email = p->username = "";
    if (!(fields & RESIDENTS_F_NAME))
        p->display_name = "";
}

static int
has_answers(const struct residents_profile *p)
{
    return *p->about || *p->wants || *p->abilities || *p->needs || *p->offers || *p->availability ||
           (p->skills_offered && *p->skills_offered) || (p->skills_wanted && *p->skills_wanted);
}

/* --- skills ----------------------------------------------------------------------------------- */

enum noaber_err
residents_skills(struct noaber_db *db, int all, struct residents_skill **out, size_t *n,
                 struct noaber_arena *arena)
{
    return residents_store_skills(db, all, out, n, arena);
}

struct skill_ctx {
    const char *slug, *nl, *en;
    int64_t id;
    int active;
};

static enum noaber_err
skill_add_tx(struct noaber_db *db, void *vctx)
{
    struct skill_ctx *c = vctx;
    enum noaber_err e = residents_store_skill_add(db, c->slug, c->nl, c->en, noaber_now());
    return e == NOABER_E_CONFLICT ? NOABER_E_SLUG_TAKEN : e;
}

enum noaber_err
residents_skill_add(struct noaber_db *db, const struct members_actor *actor, const char *slug,
                    const char *label_nl, const char *label_en)
{
    enum noaber_err e = members_can(actor, MEMBERS_A_ADMIN, NULL);
    if (e == NOABER_OK)
        e = residents_check_skill_slug(slug);
    if (e != NOABER_OK)
        return e;
    struct skill_ctx c = {slug, label_nl, label_en, 0, 1};
    return noaber_db_tx(db, skill_add_tx, &c);
}

static enum noaber_err
skill_update_tx(struct noaber_db *db, void *vctx)
{
    struct skill_ctx *c = vctx;
    int64_t changed = 0;
    enum noaber_err e = residents_store_skill_update(db, c->id, c->nl, c->en, c->active, &changed);
    return e == NOABER_OK && !changed ? NOABER_E_NOT_FOUND : e;
}

enum noaber_err
residents_skill_update(struct noaber_db *db, const struct members_actor *actor, int64_t id,
                       const char *label_nl, const char *label_en, int active)
{
    enum noaber_err e = members_can(actor, MEMBERS_A_ADMIN, NULL);
    if (e != NOABER_OK)
        return e;
    struct skill_ctx c = {NULL, label_nl, label_en, id, active};
    return noaber_db_tx(db, skill_update_tx, &c);
}

/* --- whose profile: the resident or the connector acting for them ----------------------------- */

enum noaber_err
residents_subject(struct noaber_db *db, const struct members_actor *actor, int64_t acting_for,
                  int64_t *person, enum residents_relation *rel)
{
    if (!actor || !actor->person_id)
        return NOABER_E_UNAUTHENTICATED;
    if (!acting_for || acting_for == actor->person_id) {
        *person = actor->person_id;
        *rel = RESIDENTS_REL_SELF;
        return NOABER_OK;
    }
    int valid = 0, any = 0, yes = 0;
    enum noaber_err e =
        residents_store_auth_check(db, acting_for, actor->person_id, noaber_now(), &valid, &any);
    /* The machtiging counts only while the connector still serves the resident's neighbourhood. */
    if (e == NOABER_OK && valid)
        e = serves(db, actor->person_id, acting_for, &yes);
    if (e != NOABER_OK)
        return e;
    if (!valid || !yes)
        return any ? NOABER_E_AUTHORISATION_ENDED : NOABER_E_FORBIDDEN;
    *person = acting_for;
    *rel = RESIDENTS_REL_ACTING;
    return NOABER_OK;
}

struct log_ctx {
    int64_t actor, person;
    const char *action, *detail, *what;
};

static enum noaber_err
log_tx(struct noaber_db *db, void *vctx)
{
    struct log_ctx *c = vctx;
    enum noaber_err e = NOABER_OK;
    if (c->action)
        e = residents_store_acted_add(db, c->actor, c->person, c->action, c->detail, noaber_now());
    if (e == NOABER_OK && c->what)
        e = privacy_log_access(db, c->actor, c->person, c->what);
    return e;
}

enum noaber_err
residents_own_file(struct noaber_db *db, const struct members_actor *actor, int64_t person,
                   enum residents_relation rel, struct residents_file *out,
                   struct noaber_arena *arena)
{
    if (rel != RESIDENTS_REL_SELF && rel != RESIDENTS_REL_ACTING)
        return NOABER_E_FORBIDDEN;
    memset(out, 0, sizeof *out);
    out->rel = rel;
    enum noaber_err e = residents_store_profile(db, person, &out->profile, arena);
    if (e == NOABER_OK)
        e = residents_store_consents(db, person, &out->consents, &out->nconsents, arena);
    if (e == NOABER_OK)
        e = residents_store_auths(db, person, noaber_now(), &out->auths, &out->nauths, arena);
    if (e == NOABER_OK)
        e = residents_store_acted(db, person, ACTED_SHOWN, &out->acted, &out->nacted, arena);
    if (e != NOABER_OK)
        return e;
    out->fields = residents_fields(rel, out->profile.visible, out->profile.consents);
    blank(&out->profile, out->fields);
    if (rel == RESIDENTS_REL_ACTING) {
        struct log_ctx c = {actor->person_id, person, "profile_viewed", "", N_("resident profile")};
        e = noaber_db_tx(db, log_tx, &c);
    }
    return e;
}

/* --- saving a profile ------------------------------------------------------------------------- */

struct save_ctx {
    const struct members_actor *actor;
    int64_t person;
    enum residents_relation rel;
    const struct residents_profile_input *in;
    struct noaber_arena *arena;
};

/* Stores the profile; the phone and the postal address go to the account, where calls and
 * letters (notify) read them. A Dutch letter arrives with postcode and house number alone. */
static enum noaber_err
profile_put(struct noaber_db *db, const struct residents_profile *p, int64_t now, int64_t by)
{
    enum noaber_err e = residents_store_profile_put(db, p, now, by);
    if (e != NOABER_OK)
        return e;
    char postal[64] = "";
    if (strlen(p->postcode) == 6 && *p->house_number)
        snprintf(postal, sizeof postal, "%.4s %.2s %.20s", p->postcode, p->postcode + 4,
                 p->house_number);
    return members_set_contact(db, p->person_id, p->phone ? p->phone : "", postal);
}

#define TAKE(field)                                                                                \
    if (in->field)                                                                                 \
    p.field = in->field

static enum noaber_err
save_tx(struct noaber_db *db, void *vctx)
{
    struct save_ctx *c = vctx;
    const struct residents_profile_input *in = c->in;
    struct residents_profile p;
    enum noaber_err e = residents_store_profile(db, c->person, &p, c->arena);
    if (e != NOABER_OK)
        return e;
    TAKE(about);
    TAKE(wants);
    TAKE(abilities);
    TAKE(needs);
    TAKE(offers);
    TAKE(availability);
    TAKE(phone);
    TAKE(postcode);
    TAKE(house_number);
    TAKE(skills_offered);
    TAKE(skills_wanted);
    if (in->set_visible)
        p.visible = in->visible & RESIDENTS_F_SHAREABLE;
    int64_t now = noaber_now(), by = c->actor->person_id;
    if (in->consent_profile && !RESIDENTS_HAS(p.consents, RESIDENTS_P_PROFILE)) {
        e = residents_store_consent_give(db, c->person, RESIDENTS_P_PROFILE, now,
                                         RESIDENTS_HOW_ONLINE, by);
        p.consents |= 1u << RESIDENTS_P_PROFILE;
    }
    /* The answers rest on the consent 'profile': without it they are not kept. */
    if (e == NOABER_OK && has_answers(&p) && !RESIDENTS_HAS(p.consents, RESIDENTS_P_PROFILE))
        return NOABER_E_CONSENT_REQUIRED;
    if (e == NOABER_OK)
        e = profile_put(db, &p, now, by);
    if (e == NOABER_OK && (in->skills_offered || in->skills_wanted))
        e = residents_store_skills_set(db, c->person, p.skills_offered, p.skills_wanted);
    if (e == NOABER_OK && (in->lang || in->channel))
        e = members_set_prefs(db, c->person, in->lang ? in->lang : p.lang,
                              in->channel ? in->channel : p.channel, p.display_name);
    if (e == NOABER_OK && c->rel == RESIDENTS_REL_ACTING)
        e = residents_store_acted_add(db, by, c->person, "profile_saved", "", now);
    return e;
}

enum noaber_err
residents_profile_save(struct noaber_db *db, const struct members_actor *actor, int64_t person,
                       enum residents_relation rel, const struct residents_profile_input *in)
{
    enum noaber_err e = residents_may(rel, RESIDENTS_OP_EDIT);
    if (e != NOABER_OK)
        return e;
    struct noaber_arena *a = noaber_arena_new(1 << 20);
    struct save_ctx c = {actor, person, rel, in, a};
    e = noaber_db_tx(db, save_tx, &c);
    noaber_arena_free(a);
    return e;
}

/* --- consent ---------------------------------------------------------------------------------- */

struct consent_ctx {
    const struct members_actor *actor;
    int64_t person;
    enum residents_relation rel;
    enum residents_purpose purpose;
    int give;
    enum residents_how how;
};

/* What stops when a consent is withdrawn: the data that rested on it goes at once. */
static enum noaber_err
withdraw_effects(struct noaber_db *db, int64_t person, enum residents_purpose p, int64_t now,
                 int64_t by)
{
    switch (p) {
    case RESIDENTS_P_PROFILE:
        return residents_store_profile_clear(db, person, now, by);
    case RESIDENTS_P_CONTACT:
        return residents_store_case_clear_next(db, person);
    case RESIDENTS_P_HEALTH:
        return residents_store_health_delete(db, person);
    case RESIDENTS_P_MATCHING: /* "who can help" asks for the consent on every search */
    case RESIDENTS_P__MAX:
        break;
    }
    return NOABER_OK;
}

static enum noaber_err
consent_tx(struct noaber_db *db, void *vctx)
{
    struct consent_ctx *c = vctx;
    residents_cset active;
    int64_t now = noaber_now(), by = c->actor->person_id;
    enum noaber_err e = residents_store_consent_mask(db, c->person, &active);
    if (e != NOABER_OK)
        return e;
    int has = RESIDENTS_HAS(active, c->purpose);
    if (c->give == has)
        return NOABER_OK; /* nothing to change */
    if (c->give)
        e = residents_store_consent_give(db, c->person, c->purpose, now, c->how, by);
    else {
        e = residents_store_consent_withdraw(db, c->person, c->purpose, now, by);
        if (e == NOABER_OK)
            e = withdraw_effects(db, c->person, c->purpose, now, by);
    }
    if (e == NOABER_OK && c->rel == RESIDENTS_REL_ACTING)
        e = residents_store_acted_add(db, by, c->person,
                                      c->give ? "consent_given" : "consent_withdrawn",
                                      residents_purpose_name(c->purpose), now);
    /* Recorded by a connector or coordinator: the resident hears of it, and can undo it. */
    if (e == NOABER_OK && c->rel != RESIDENTS_REL_SELF && c->rel != RESIDENTS_REL_ACTING)
        e = tell(db, c->person, NULL, c->give ? "consent_recorded" : "consent_withdrawal_recorded",
                 c->give ? N_("Your consent has been noted") : N_("Your withdrawal has been noted"),
                 c->give ? N_("{name} noted that you agree to this: {what}. You can see your "
                              "consents on the page 'My profile' and withdraw them at any time.")
                         : N_("{name} noted that you no longer agree to this: {what}. What relied "
                              "on it has stopped. You can see your consents on the page 'My "
                              "profile'."),
                 c->actor->display_name, residents_purpose_label(c->purpose), "/profile");
    return e;
}

enum noaber_err
residents_consent_set(struct noaber_db *db, const struct members_actor *actor, int64_t person,
                      enum residents_relation rel, enum residents_purpose purpose, int give,
                      enum residents_how how)
{
    if ((unsigned)purpose >= RESIDENTS_P__MAX || (unsigned)how >= RESIDENTS_HOW__MAX)
        return NOABER_E_BAD_CHOICE;
    enum noaber_err e;
    if (rel == RESIDENTS_REL_SELF || rel == RESIDENTS_REL_ACTING) {
        e = residents_may(rel, RESIDENTS_OP_EDIT);
        how = RESIDENTS_HOW_ONLINE;
    } else {
        /* Staff record what the resident said or signed; they never decide it themselves. */
        e = residents_may(rel, RESIDENTS_OP_RECORD);
        if (e == NOABER_OK && how != RESIDENTS_HOW_SPOKEN && how != RESIDENTS_HOW_PAPER)
            e = NOABER_E_BAD_CHOICE;
    }
    if (e != NOABER_OK)
        return e;
    struct consent_ctx c = {actor, person, rel, purpose, give != 0, how};
    return noaber_db_tx(db, consent_tx, &c);
}

enum noaber_err
residents_consents(struct noaber_db *db, int64_t person, struct residents_consent **out, size_t *n,
                   struct noaber_arena *arena)
{
    return residents_store_consents(db, person, out, n, arena);
}

/* --- machtigingen ----------------------------------------------------------------------------- */

struct auth_ctx {
    const struct members_actor *actor;
    int64_t person, connector, ends, id;
    enum residents_relation rel;
    enum residents_how how;
};

static enum noaber_err
auth_tx(struct noaber_db *db, void *vctx)
{
    struct auth_ctx *c = vctx;
    int64_t now = noaber_now();
    enum noaber_err e = residents_store_auth_add(db, c->person, c->connector, now, c->ends, c->how,
                                                 c->actor->person_id);
    struct members_person p;
    struct noaber_arena *a = noaber_arena_new(1 << 16);
    if (e == NOABER_OK)
        e = members_person_get(db, c->person, &p, a);
    if (e == NOABER_OK) {
        char until[11];
        residents_format_date(c->ends, until);
        char *link = noaber_arena_printf(a, "/profile?acting_for=%lld", (long long)c->person);
        const char *name = noaber_arena_printf(a, "%s (%s)", p.display_name, until);
        e = tell(db, c->connector, NULL, "authorisation_given",
                 N_("{name} lets you act on their behalf"),
                 N_("{name} has given you a machtiging: you may act on their behalf in Noaber. "
                    "Everything you do for them is shown to them."),
                 name, NULL, link);
    }
    noaber_arena_free(a);
    return e;
}

enum noaber_err
residents_authorise(struct noaber_db *db, const struct members_actor *actor, int64_t person,
                    enum residents_relation rel, int64_t connector, int64_t ends_at,
                    enum residents_how how)
{
    enum noaber_err e = residents_may(rel, RESIDENTS_OP_AUTHORISE);
    if (e != NOABER_OK)
        return e;
    if (rel == RESIDENTS_REL_SELF)
        how = RESIDENTS_HOW_ONLINE;
    else if (how != RESIDENTS_HOW_SPOKEN && how != RESIDENTS_HOW_PAPER)
        return NOABER_E_BAD_CHOICE;
    int64_t now = noaber_now();
    if (ends_at <= now || ends_at > now + AUTH_MAX_DAYS * 86400LL)
        return NOABER_E_BAD_DATE;
    int yes = 0;
    if (connector == person)
        return NOABER_E_BAD_CHOICE;
    e = serves(db, connector, person, &yes);
    if (e == NOABER_OK && !yes)
        e = NOABER_E_BAD_CHOICE; /* only a connector or coordinator of their neighbourhood */
    if (e != NOABER_OK)
        return e;
    struct auth_ctx c = {actor, person, connector, ends_at, 0, rel, how};
    return noaber_db_tx(db, auth_tx, &c);
}

static enum noaber_err
revoke_tx(struct noaber_db *db, void *vctx)
{
    struct auth_ctx *c = vctx;
    int64_t changed = 0, now = noaber_now();
    enum noaber_err e =
        residents_store_auth_revoke(db, c->id, c->person, now, c->actor->person_id, &changed);
    if (e == NOABER_OK && !changed)
        return NOABER_E_NOT_FOUND;
    if (e == NOABER_OK && c->rel == RESIDENTS_REL_ACTING)
        e = residents_store_acted_add(db, c->actor->person_id, c->person, "authorisation_revoked",
                                      "", now);
    return e;
}

enum noaber_err
residents_authorisation_revoke(struct noaber_db *db, const struct members_actor *actor,
                               int64_t person, enum residents_relation rel, int64_t id)
{
    enum noaber_err e = residents_may(rel, RESIDENTS_OP_REVOKE);
    if (e != NOABER_OK)
        return e;
    struct auth_ctx c = {actor, person, 0, 0, id, rel, RESIDENTS_HOW_ONLINE};
    return noaber_db_tx(db, revoke_tx, &c);
}

enum noaber_err
residents_staff(struct noaber_db *db, int64_t hood, struct members_member **out, size_t *n,
                struct noaber_arena *arena)
{
    struct members_hood h = {.id = hood};
    struct members_member *all;
    size_t total_n = 0;
    int64_t total = 0;
    enum noaber_err e = members_list(db, &h, 0, 0, 500, &all, &total_n, &total, arena);
    *n = 0;
    *out = NULL;
    if (e != NOABER_OK)
        return e;
    *out = noaber_arena_alloc(arena, (total_n + 1) * sizeof **out);
    if (!*out)
        return NOABER_E_TOO_LARGE;
    for (size_t i = 0; i < total_n; i++)
        if (all[i].role == MEMBERS_R_CONNECTOR || all[i].role == MEMBERS_R_COORDINATOR)
            (*out)[(*n)++] = all[i];
    return NOABER_OK;
}

enum noaber_err
residents_home_hood(struct noaber_db *db, int64_t person, struct members_hood *out,
                    struct noaber_arena *arena)
{
    struct members_hood *hoods;
    size_t n = 0;
    memset(out, 0, sizeof *out);
    enum noaber_err e = members_person_hoods(db, person, &hoods, &n, arena);
    if (e == NOABER_OK && n)
        *out = hoods[0];
    return e;
}

/* --- a resident's file, for staff ------------------------------------------------------------- */

enum noaber_err
residents_relation_in(struct noaber_db *db, const struct members_actor *actor,
                      const struct members_hood *hood, int64_t person, enum residents_relation *rel)
{
    struct residents_rel_in in = {.viewer = actor ? actor->person_id : 0,
                                  .subject = person,
                                  .viewer_role = hood->role,
                                  .viewer_confirmed = hood->confirmed};
    enum members_role role;
    int confirmed, found = 0, any = 0;
    int64_t since, next;
    const char *name;
    *rel = RESIDENTS_REL_NONE;
    if (!in.viewer || person <= 0)
        return NOABER_E_FORBIDDEN;
    struct noaber_arena *a = noaber_arena_new(1 << 16);
    enum noaber_err e = role_in(db, person, hood->id, &role, &confirmed);
    in.subject_member = role != MEMBERS_R_NONE;
    if (e == NOABER_OK && in.subject_member)
        e = residents_store_case_get(db, person, hood->id, &in.assigned, &since, &next, &name,
                                     &found, a);
    if (e == NOABER_OK && in.subject_member)
        e = residents_store_auth_check(db, person, in.viewer, noaber_now(), &in.acting, &any);
    noaber_arena_free(a);
    if (e == NOABER_OK)
        *rel = residents_relation_of(&in);
    return e;
}

/* The relation, answering FORBIDDEN unless the viewer may do OP. */
static enum noaber_err
check(struct noaber_db *db, const struct members_actor *actor, const struct members_hood *hood,
      int64_t person, enum residents_op op, enum residents_relation *rel)
{
    enum noaber_err e = residents_relation_in(db, actor, hood, person, rel);
    if (e == NOABER_OK && !is_staff_rel(*rel) && *rel != RESIDENTS_REL_SELF)
        e = NOABER_E_FORBIDDEN; /* the neighbourhood's pages are for its staff */
    return e == NOABER_OK ? residents_may(*rel, op) : e;
}

enum noaber_err
residents_file_open(struct noaber_db *db, const struct members_actor *actor,
                    const struct members_hood *hood, int64_t person, struct residents_file *out,
                    struct noaber_arena *arena)
{
    memset(out, 0, sizeof *out);
    enum noaber_err e = check(db, actor, hood, person, RESIDENTS_OP_VIEW, &out->rel);
    if (e != NOABER_OK)
        return e;
    struct residents_profile *p = &out->profile;
    e = residents_store_profile(db, person, p, arena);
    if (e != NOABER_OK)
        return e;
    out->fields = residents_fields(out->rel, p->visible, p->consents);
    unsigned f = out->fields;
    int found = 0;
    if (f & RESIDENTS_F_CONSENTS)
        e = residents_store_consents(db, person, &out->consents, &out->nconsents, arena);
    if (e == NOABER_OK && (f & RESIDENTS_F_AUTHORISATIONS))
        e = residents_store_auths(db, person, noaber_now(), &out->auths, &out->nauths, arena);
    if (e == NOABER_OK && (f & RESIDENTS_F_AUTHORISATIONS))
        e = residents_store_acted(db, person, ACTED_SHOWN, &out->acted, &out->nacted, arena);
    if (e == NOABER_OK && (f & RESIDENTS_F_CASELOAD))
        e = residents_store_case_get(db, person, hood->id, &out->assigned, &out->since,
                                     &out->next_contact_at, &out->assigned_name, &found, arena);
    if (e == NOABER_OK && (f & RESIDENTS_F_NOTES))
        e = residents_store_notes(db, 0, person, hood->id, &out->notes, &out->nnotes, arena);
    if (e == NOABER_OK && (f & RESIDENTS_F_HEALTH))
        e = residents_store_notes(db, 1, person, hood->id, &out->health, &out->nhealth, arena);
    if (e == NOABER_OK)
        e = residents_store_intake_last(db, person, hood->id, &out->intake_at, &out->intake_by,
                                        &out->intake_place, arena);
    if (e != NOABER_OK)
        return e;
    blank(p, f);
    struct log_ctx c = {actor->person_id, person, NULL, NULL, N_("resident file")};
    return person == actor->person_id ? NOABER_OK : noaber_db_tx(db, log_tx, &c);
}

/* --- notes and the caseload ------------------------------------------------------------------- */

struct note_ctx {
    const struct members_actor *actor;
    const struct members_hood *hood;
    int64_t person, next, to;
    const char *text;
    int health;
    enum residents_relation rel;
};

static enum noaber_err
need_consent(struct noaber_db *db, int64_t person, enum residents_purpose p)
{
    residents_cset c;
    enum noaber_err e = residents_store_consent_mask(db, person, &c);
    return e == NOABER_OK && !RESIDENTS_HAS(c, p) ? NOABER_E_CONSENT_REQUIRED : e;
}

/* Sets the next contact date of PERSON in the caseload, keeping who follows them. */
static enum noaber_err
set_next(struct noaber_db *db, struct note_ctx *c, int64_t connector_if_none)
{
    int64_t connector = 0, since = 0, next = 0;
    const char *name;
    int found = 0;
    struct noaber_arena *a = noaber_arena_new(1 << 16);
    enum noaber_err e = residents_store_case_get(db, c->person, c->hood->id, &connector, &since,
                                                 &next, &name, &found, a);
    noaber_arena_free(a);
    if (e != NOABER_OK)
        return e;
    if (!found || !connector) {
        connector = connector_if_none;
        since = noaber_now();
    }
    return residents_store_case_put(db, c->person, c->hood->id, connector, since, c->next);
}

static enum noaber_err
note_tx(struct noaber_db *db, void *vctx)
{
    struct note_ctx *c = vctx;
    enum noaber_err e =
        need_consent(db, c->person, c->health ? RESIDENTS_P_HEALTH : RESIDENTS_P_CONTACT);
    if (e == NOABER_OK)
        e = residents_store_note_add(db, c->health, c->person, c->hood->id, c->actor->person_id,
                                     c->text, noaber_now());
    if (e == NOABER_OK && c->next)
        e = set_next(db, c, 0);
    return e;
}

enum noaber_err
residents_note_add(struct noaber_db *db, const struct members_actor *actor,
                   const struct members_hood *hood, int64_t person, const char *text,
                   int64_t next_contact_at)
{
    enum residents_relation rel;
    enum noaber_err e = check(db, actor, hood, person, RESIDENTS_OP_NOTES, &rel);
    if (e == NOABER_OK && (!text || !*text))
        e = NOABER_E_REQUIRED;
    if (e != NOABER_OK)
        return e;
    struct note_ctx c = {actor, hood, person, next_contact_at, 0, text, 0, rel};
    return noaber_db_tx(db, note_tx, &c);
}

enum noaber_err
residents_health_add(struct noaber_db *db, const struct members_actor *actor,
                     const struct members_hood *hood, int64_t person, const char *text)
{
    enum residents_relation rel;
    enum noaber_err e = check(db, actor, hood, person, RESIDENTS_OP_HEALTH, &rel);
    if (e == NOABER_OK && (!text || !*text))
        e = NOABER_E_REQUIRED;
    if (e != NOABER_OK)
        return e;
    struct note_ctx c = {actor, hood, person, 0, 0, text, 1, rel};
    return noaber_db_tx(db, note_tx, &c);
}

static enum noaber_err
follow_tx(struct noaber_db *db, void *vctx)
{
    struct note_ctx *c = vctx;
    int64_t connector = 0, since = 0, next = 0;
    const char *name;
    int found = 0;
    struct noaber_arena *a = noaber_arena_new(1 << 16);
    enum noaber_err e = need_consent(db, c->person, RESIDENTS_P_CONTACT);
    if (e == NOABER_OK)
        e = residents_store_case_get(db, c->person, c->hood->id, &connector, &since, &next, &name,
                                     &found, a);
    noaber_arena_free(a);
    if (e != NOABER_OK)
        return e;
    /* A connector takes on only someone nobody follows; whoever follows them keeps them. */
    if (connector && connector != c->actor->person_id && c->rel == RESIDENTS_REL_CONNECTOR)
        return NOABER_E_FORBIDDEN;
    if (!connector) {
        connector = c->actor->person_id;
        since = noaber_now();
    }
    return residents_store_case_put(db, c->person, c->hood->id, connector, since, c->next);
}

enum noaber_err
residents_follow(struct noaber_db *db, const struct members_actor *actor,
                 const struct members_hood *hood, int64_t person, int64_t next_contact_at)
{
    enum residents_relation rel;
    enum noaber_err e = check(db, actor, hood, person, RESIDENTS_OP_FOLLOW, &rel);
    if (e != NOABER_OK)
        return e;
    struct note_ctx c = {actor, hood, person, next_contact_at, 0, NULL, 0, rel};
    return noaber_db_tx(db, follow_tx, &c);
}

static enum noaber_err
handover_tx(struct noaber_db *db, void *vctx)
{
    struct note_ctx *c = vctx;
    int64_t connector = 0, since = 0, next = 0;
    const char *name;
    int found = 0;
    struct noaber_arena *a = noaber_arena_new(1 << 16);
    struct members_person p;
    enum noaber_err e = residents_store_case_get(db, c->person, c->hood->id, &connector, &since,
                                                 &next, &name, &found, a);
    if (e == NOABER_OK)
        e = residents_store_case_put(db, c->person, c->hood->id, c->to, noaber_now(), next);
    if (e == NOABER_OK)
        e = members_person_get(db, c->person, &p, a);
    if (e == NOABER_OK && c->to != c->actor->person_id) {
        char *link =
            noaber_arena_printf(a, "/n/%s/residents/%lld", c->hood->slug, (long long)c->person);
        e = tell(db, c->to, c->hood, "resident_handed_over",
                 N_("{name} has been handed over to you"),
                 N_("You now follow {name} in {hood}. Their file and the notes of earlier "
                    "contacts are in Noaber."),
                 p.display_name, NULL, link);
    }
    noaber_arena_free(a);
    return e;
}

enum noaber_err
residents_handover(struct noaber_db *db, const struct members_actor *actor,
                   const struct members_hood *hood, int64_t person, int64_t to)
{
    enum residents_relation rel;
    enum noaber_err e = check(db, actor, hood, person, RESIDENTS_OP_FOLLOW, &rel);
    /* Only who follows them, or a coordinator, hands a resident over. */
    if (e == NOABER_OK && rel != RESIDENTS_REL_ASSIGNED && rel != RESIDENTS_REL_COORDINATOR)
        e = NOABER_E_FORBIDDEN;
    enum members_role role = MEMBERS_R_NONE;
    int confirmed = 0;
    if (e == NOABER_OK)
        e = role_in(db, to, hood->id, &role, &confirmed);
    if (e == NOABER_OK && role != MEMBERS_R_CONNECTOR && role != MEMBERS_R_COORDINATOR)
        e = NOABER_E_BAD_CHOICE;
    if (e == NOABER_OK)
        e = need_consent(db, person, RESIDENTS_P_CONTACT);
    if (e != NOABER_OK)
        return e;
    struct note_ctx c = {actor, hood, person, 0, to, NULL, 0, rel};
    return noaber_db_tx(db, handover_tx, &c);
}

enum noaber_err
residents_caseload(struct noaber_db *db, const struct members_actor *actor,
                   const struct members_hood *hood, int64_t now, int64_t offset,
                   struct residents_case **out, size_t *n, struct residents_case **unfollowed,
                   size_t *nun, struct noaber_arena *arena)
{
    enum noaber_err e = members_can(actor, MEMBERS_A_RESIDENT_FILE, hood);
    if (e != NOABER_OK)
        return e;
    /* A coordinator oversees everyone followed in the neighbourhood; a connector their own. */
    int64_t whose = hood->role == MEMBERS_R_COORDINATOR ? 0 : actor->person_id;
    e = residents_store_cases(db, hood->id, whose, out, n, arena);
    if (e == NOABER_OK)
        e = residents_store_unfollowed(db, hood->id, unfollowed, nun, arena);
    for (size_t i = 0; e == NOABER_OK && i < *n; i++)
        (*out)[i].due = (*out)[i].contact_allowed &&
                        residents_contact_due((*out)[i].next_contact_at, now, offset);
    return e;
}

/* --- intake ----------------------------------------------------------------------------------- */

/* A username for someone without e-mail, from their name: "jan.de.vries", or with a number when
 * that is taken. Letters outside ASCII are left out. */
static enum noaber_err
make_username(struct noaber_db *db, const char *name, char out[40])
{
    char base[24];
    size_t k = 0;
    for (const char *p = name; *p && k < sizeof base - 1; p++) {
        unsigned char ch = (unsigned char)*p;
        if (isalnum(ch) && ch < 0x80)
            base[k++] = (char)tolower(ch);
        else if ((ch == ' ' || ch == '.' || ch == '-') && k && base[k - 1] != '.')
            base[k++] = '.';
    }
    while (k && base[k - 1] == '.')
        k--;
    base[k] = '\0';
    if (k < 3)
        snprintf(base, sizeof base, "bewoner");
    enum noaber_err e = NOABER_OK;
    for (int attempt = 0; attempt < 20 && e == NOABER_OK; attempt++) {
        if (attempt == 0)
            snprintf(out, 40, "%s", base);
        else
            snprintf(out, 40, "%s.%u", base, 10 + noaber_random_uniform(9990));
        int taken = 1;
        e = members_login_taken(db, out, &taken);
        if (e == NOABER_OK && !taken)
            return NOABER_OK;
    }
    return e == NOABER_OK ? NOABER_E_USERNAME_TAKEN : e;
}

struct intake_ctx {
    const struct members_actor *actor;
    const struct members_hood *hood;
    struct residents_intake *in;
    int64_t person;
    char username[40];
};

static enum noaber_err
intake_tx(struct noaber_db *db, void *vctx)
{
    struct intake_ctx *c = vctx;
    struct residents_intake *in = c->in;
    int64_t now = noaber_now(), by = c->actor->person_id;
    int taken = 0;
    const char *email = in->email && *in->email ? in->email : NULL;
    const char *username = in->username && *in->username ? in->username : NULL;
    enum noaber_err e = NOABER_OK;
    /* An intake makes a new account: someone who has one already is added under Members. */
    if (email)
        e = members_login_taken(db, email, &taken);
    if (e == NOABER_OK && taken)
        return NOABER_E_EMAIL_TAKEN;
    if (e == NOABER_OK && username)
        e = members_login_taken(db, username, &taken);
    if (e == NOABER_OK && taken)
        return NOABER_E_USERNAME_TAKEN;
    if (e == NOABER_OK && !email && !username) {
        e = make_username(db, in->display_name, c->username);
        username = c->username;
    }
    struct members_new_member m = {in->display_name, email, username, MEMBERS_R_RESIDENT,
                                   c->hood->id};
    if (e == NOABER_OK)
        e = members_add(db, c->actor, c->hood, &m, &c->person);
    if (e == NOABER_OK)
        e = members_set_prefs(db, c->person, in->lang, in->channel, in->display_name);
    const struct residents_profile_input *pi = &in->profile;
    struct residents_profile p = {.person_id = c->person,
                                  .about = pi->about ? pi->about : "",
                                  .wants = pi->wants ? pi->wants : "",
                                  .abilities = pi->abilities ? pi->abilities : "",
                                  .needs = pi->needs ? pi->needs : "",
                                  .offers = pi->offers ? pi->offers : "",
                                  .availability = pi->availability ? pi->availability : "",
                                  .phone = pi->phone ? pi->phone : "",
                                  .postcode = pi->postcode ? pi->postcode : "",
                                  .house_number = pi->house_number ? pi->house_number : "",
                                  .visible = pi->visible & RESIDENTS_F_SHAREABLE,
                                  .skills_offered = pi->skills_offered ? pi->skills_offered : "",
                                  .skills_wanted = pi->skills_wanted ? pi->skills_wanted : ""};
    if (e == NOABER_OK)
        e = profile_put(db, &p, now, by);
    if (e == NOABER_OK)
        e = residents_store_skills_set(db, c->person, p.skills_offered, p.skills_wanted);
    for (int i = 0; e == NOABER_OK && i < RESIDENTS_P__MAX; i++)
        if (RESIDENTS_HAS(in->consents, i))
            e = residents_store_consent_give(db, c->person, (enum residents_purpose)i, now, in->how,
                                             by);
    if (e == NOABER_OK)
        e = residents_store_intake_add(db, c->person, c->hood->id, by, in->place, now);
    if (e == NOABER_OK && RESIDENTS_HAS(in->consents, RESIDENTS_P_CONTACT))
        e = residents_store_case_put(db, c->person, c->hood->id, by, now, in->next_contact_at);
    if (e == NOABER_OK && in->health_note && *in->health_note)
        e = residents_store_note_add(db, 1, c->person, c->hood->id, by, in->health_note, now);
    if (e == NOABER_OK && in->authorise_until)
        e = residents_store_auth_add(db, c->person, by, now, in->authorise_until, in->how, by);
    return e;
}

enum noaber_err
residents_intake(struct noaber_db *db, const struct members_actor *actor,
                 const struct members_hood *hood, struct residents_intake *in, int64_t *person_out)
{
    enum noaber_err e = members_can(actor, MEMBERS_A_INTAKE, hood);
    if (e != NOABER_OK)
        return e;
    if (!in->display_name || !*in->display_name)
        return NOABER_E_REQUIRED;
    if (in->how != RESIDENTS_HOW_SPOKEN && in->how != RESIDENTS_HOW_PAPER)
        return NOABER_E_BAD_CHOICE;
    /* What the conversation may record depends on what the resident agreed to. */
    struct residents_profile answers = {
        .about = in->profile.about ? in->profile.about : "",
        .wants = in->profile.wants ? in->profile.wants : "",
        .abilities = in->profile.abilities ? in->profile.abilities : "",
        .needs = in->profile.needs ? in->profile.needs : "",
        .offers = in->profile.offers ? in->profile.offers : "",
        .availability = in->profile.availability ? in->profile.availability : "",
        .skills_offered = in->profile.skills_offered,
        .skills_wanted = in->profile.skills_wanted};
    if (has_answers(&answers) && !RESIDENTS_HAS(in->consents, RESIDENTS_P_PROFILE))
        return NOABER_E_CONSENT_REQUIRED;
    if (in->health_note && *in->health_note && !RESIDENTS_HAS(in->consents, RESIDENTS_P_HEALTH))
        return NOABER_E_CONSENT_REQUIRED;
    if (in->next_contact_at && !RESIDENTS_HAS(in->consents, RESIDENTS_P_CONTACT))
        return NOABER_E_CONSENT_REQUIRED;
    int64_t now = noaber_now();
    if (in->authorise_until &&
        (in->authorise_until <= now || in->authorise_until > now + AUTH_MAX_DAYS * 86400LL))
        return NOABER_E_BAD_DATE;
    struct intake_ctx c = {actor, hood, in, 0, ""};
    e = noaber_db_tx(db, intake_tx, &c);
    if (e == NOABER_OK && person_out)
        *person_out = c.person;
    return e;
}

enum noaber_err
residents_card_code(struct noaber_db *db, const struct members_actor *actor,
                    const struct members_hood *hood, int64_t person, char code_out[32])
{
    enum residents_relation rel;
    enum noaber_err e = check(db, actor, hood, person, RESIDENTS_OP_PRINT, &rel);
    return e == NOABER_OK ? members_make_code(db, actor, hood, person, code_out) : e;
}

/* --- import ----------------------------------------------------------------------------------- */

struct import_ctx {
    const struct members_actor *actor;
    const struct members_hood *hood;
    struct residents_csv *csv;
    int cols[RESIDENTS_COL__MAX];
    struct residents_import_result *out;
    struct noaber_arena *arena;
};

/* One checked row: a new account, its profile, the consents as the cooperative recorded them,
 * and an intake of kind "import". A known address is skipped (listed), not changed. */
static enum noaber_err
import_one(struct noaber_db *db, struct import_ctx *c, const struct residents_import_row *row,
           struct residents_import_line *line)
{
    int taken = 0;
    char username[40];
    enum noaber_err e = NOABER_OK;
    if (*row->email)
        e = members_login_taken(db, row->email, &taken);
    if (e != NOABER_OK)
        return e;
    if (taken) {
        line->reason = NOABER_E_EMAIL_TAKEN;
        return NOABER_OK;
    }
    if (!*row->email)
        e = make_username(db, row->name, username);
    struct members_new_member m = {row->name, *row->email ? row->email : NULL,
                                   *row->email ? NULL : username, MEMBERS_R_RESIDENT, c->hood->id};
    if (e == NOABER_OK)
        e = members_add(db, c->actor, c->hood, &m, &line->person_id);
    int64_t now = noaber_now(), by = c->actor->person_id;
    struct residents_profile p = {.person_id = line->person_id,
                                  .about = "",
                                  .wants = "",
                                  .abilities = "",
                                  .needs = "",
                                  .offers = "",
                                  .availability = "",
                                  .phone = row->phone,
                                  .postcode = row->postcode,
                                  .house_number = row->house_number};
    if (e == NOABER_OK)
        e = profile_put(db, &p, now, by);
    if (e == NOABER_OK)
        e = residents_store_consent_give(db, line->person_id, RESIDENTS_P_PROFILE, row->consent_at,
                                         row->how, by);
    if (e == NOABER_OK)
        e = residents_store_consent_give(db, line->person_id, RESIDENTS_P_CONTACT, row->consent_at,
                                         row->how, by);
    if (e == NOABER_OK)
        e = residents_store_intake_add(db, line->person_id, c->hood->id, by, "import", now);
    return e;
}

static enum noaber_err
import_tx(struct noaber_db *db, void *vctx)
{
    struct import_ctx *c = vctx;
    struct residents_import_result *out = c->out;
    out->n = out->imported = out->skipped = 0;
    enum noaber_err e = NOABER_OK;
    int64_t now = noaber_now();
    for (size_t i = 1; e == NOABER_OK && i < c->csv->nrows; i++) {
        struct residents_import_line *line = &out->lines[out->n++];
        struct residents_import_row row;
        memset(line, 0, sizeof *line);
        line->line = i + 1;
        /* Checking normalises cells in place; a rerun of the transaction sees them normalised,
         * which the checks accept again. */
        line->reason = residents_import_check(c->csv->cells[i], c->csv->ncols[i], c->cols,
                                              c->hood->postcodes, now, &row);
        int cname = c->cols[RESIDENTS_COL_NAME];
        line->name = (size_t)cname < c->csv->ncols[i] ? c->csv->cells[i][cname] : "";
        if (line->reason == NOABER_OK)
            e = import_one(db, c, &row, line);
        if (line->reason == NOABER_OK)
            out->imported++;
        else
            out->skipped++;
    }
    return e;
}

enum noaber_err
residents_import(struct noaber_db *db, const struct members_actor *actor,
                 const struct members_hood *hood, const char *csv, size_t len,
                 struct residents_import_result *out, struct noaber_arena *arena)
{
    memset(out, 0, sizeof *out);
    enum noaber_err e = members_can(actor, MEMBERS_A_MEMBER_CREATE, hood);
    if (e != NOABER_OK)
        return e;
    struct residents_csv parsed;
    struct import_ctx c = {actor, hood, &parsed, {0}, out, arena};
    e = residents_csv_parse(csv, len, &parsed, arena);
    if (e == NOABER_OK)
        e = residents_import_header(parsed.cells[0], parsed.ncols[0], c.cols);
    if (e != NOABER_OK)
        return e;
    out->lines = noaber_arena_alloc(arena, parsed.nrows * sizeof *out->lines);
    if (!out->lines)
        return NOABER_E_TOO_LARGE;
    return noaber_db_tx(db, import_tx, &c);
}

/* --- who can help, figures -------------------------------------------------------------------- */

enum noaber_err
residents_help_search(struct noaber_db *db, const struct members_actor *actor,
                      const struct members_hood *hood, const char *skill,
                      struct residents_helper **out, size_t *n, struct noaber_arena *arena)
{
    *out = NULL;
    *n = 0;
    enum noaber_err e = members_can(actor, MEMBERS_A_HELP_SEARCH, hood);
    if (e != NOABER_OK)
        return e;
    e = residents_store_helpers(db, hood->id, skill, actor->person_id, out, n, arena);
    /* Everyone sees the helpers as a neighbour does: what each chose to show, nothing more. */
    for (size_t i = 0; e == NOABER_OK && i < *n; i++) {
        struct residents_helper *h = &(*out)[i];
        h->fields =
            residents_fields(RESIDENTS_REL_NEIGHBOUR, h->fields, 1u << RESIDENTS_P_MATCHING);
        if (!(h->fields & RESIDENTS_F_ABOUT))
            h->about = "";
        if (!(h->fields & RESIDENTS_F_ABILITIES))
            h->abilities = "";
        if (!(h->fields & RESIDENTS_F_OFFERS))
            h->offers = "";
        if (!(h->fields & RESIDENTS_F_AVAILABILITY))
            h->availability = "";
        if (!(h->fields & RESIDENTS_F_PHONE))
            h->phone = "";
    }
    return e;
}

enum noaber_err
residents_report(struct noaber_db *db, const struct members_hood *hood, int64_t now,
                 struct residents_report *out, struct noaber_arena *arena)
{
    char day[11];
    int64_t start;
    residents_format_date(now, day);
    memcpy(day + 8, "01", 3);
    if (residents_parse_date(day, &start) != NOABER_OK)
        return NOABER_E_INTERNAL;
    enum noaber_err e = residents_store_report(db, hood->id, start - 12 * 3600, out, arena);
    if (e != NOABER_OK)
        return e;
    /* No count under 5 leaves this function: small numbers point at people. */
    out->residents = residents_suppress(out->residents);
    out->profiles = residents_suppress(out->profiles);
    out->intakes_month = residents_suppress(out->intakes_month);
    out->followed = residents_suppress(out->followed);
    for (int i = 0; i < RESIDENTS_P__MAX; i++)
        out->consents[i] = residents_suppress(out->consents[i]);
    for (size_t i = 0; i < out->nskills; i++) {
        out->skills[i].offered = residents_suppress(out->skills[i].offered);
        out->skills[i].wanted = residents_suppress(out->skills[i].wanted);
    }
    return NOABER_OK;
}
