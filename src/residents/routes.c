/*
 * The residents module's route table: method, path pattern, handler, and the action the one
 * authorisation function checks before the handler runs (members_rules.c). Routes under
 * /n/{hood}/ are checked against the person's role in that neighbourhood; partners hold none of
 * these actions but MEMBERS_A_REPORTS, so every resident path answers them 403. Own-profile
 * routes are for anyone logged in; acting for someone else is decided by the operation.
 */
#include "residents/residents_int.h"

#define R(m, p, h, a)                                                                              \
    {                                                                                              \
        NOABER_##m, p, h, MEMBERS_A_##a                                                            \
    }

const struct noaber_route residents_routes[] = {
    R(GET, "/profile", residents_page_profile, LOGGED_IN),
    R(POST, "/profile", residents_page_profile_save, LOGGED_IN),
    R(POST, "/profile/consents", residents_page_consent, LOGGED_IN),
    R(POST, "/profile/authorisations", residents_page_authorise, LOGGED_IN),
    R(POST, "/profile/authorisations/{id}/revoke", residents_page_revoke, LOGGED_IN),
    R(GET, "/n/{hood}/help", residents_page_help, HELP_SEARCH),
    R(GET, "/n/{hood}/caseload", residents_page_caseload, RESIDENT_FILE),
    R(GET, "/n/{hood}/residents/new", residents_page_intake_form, INTAKE),
    R(POST, "/n/{hood}/residents", residents_page_intake, INTAKE),
    R(GET, "/n/{hood}/residents/{id}", residents_page_file, RESIDENT_FILE),
    R(POST, "/n/{hood}/residents/{id}/notes", residents_page_note, RESIDENT_FILE),
    R(POST, "/n/{hood}/residents/{id}/health", residents_page_health, RESIDENT_FILE),
    R(POST, "/n/{hood}/residents/{id}/consents", residents_page_file_consent, RESIDENT_FILE),
    R(POST, "/n/{hood}/residents/{id}/authorisations", residents_page_file_authorise,
      RESIDENT_FILE),
    R(POST, "/n/{hood}/residents/{id}/authorisations/{aid}/revoke", residents_page_file_revoke,
      RESIDENT_FILE),
    R(POST, "/n/{hood}/residents/{id}/follow", residents_page_follow, RESIDENT_FILE),
    R(POST, "/n/{hood}/residents/{id}/handover", residents_page_handover, RESIDENT_FILE),
    R(GET, "/n/{hood}/residents/{id}/intake.pdf", residents_page_intake_pdf, RESIDENT_FILE),
    R(POST, "/n/{hood}/residents/{id}/card", residents_page_card, RESIDENT_FILE),
    R(GET, "/n/{hood}/members/import", residents_page_import_form, MEMBER_CREATE),
    R(POST, "/n/{hood}/members/import", residents_page_import, MEMBER_CREATE),
    R(GET, "/n/{hood}/reports", residents_page_reports, REPORTS),
    R(GET, "/admin/skills", residents_page_skills, ADMIN),
    R(POST, "/admin/skills", residents_page_skill_add, ADMIN),
    R(POST, "/admin/skills/{id}", residents_page_skill_update, ADMIN),

    R(GET, "/api/v1/me/profile", residents_api_profile, LOGGED_IN),
    R(PATCH, "/api/v1/me/profile", residents_api_profile_update, LOGGED_IN),
    R(GET, "/api/v1/me/consents", residents_api_consents, LOGGED_IN),
    R(POST, "/api/v1/me/consents", residents_api_consent_give, LOGGED_IN),
    R(DELETE, "/api/v1/me/consents/{purpose}", residents_api_consent_withdraw, LOGGED_IN),
    R(GET, "/api/v1/skills", residents_api_skills, LOGGED_IN),
    R(GET, "/api/v1/neighbourhoods/{hood}/help", residents_api_help, HELP_SEARCH),
    R(GET, "/api/v1/neighbourhoods/{hood}/residents/{id}", residents_api_resident, RESIDENT_FILE),
    R(GET, "/api/v1/neighbourhoods/{hood}/caseload", residents_api_caseload, RESIDENT_FILE),
    R(GET, "/api/v1/neighbourhoods/{hood}/reports", residents_api_reports, REPORTS),
    {0, NULL, NULL, 0},
};
