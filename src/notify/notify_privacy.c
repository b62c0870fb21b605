/*
 * The privacy declarations of the notify module's tables (messages, deliveries, letter_batches):
 * for every column whether it is personal and why it is kept, and for every table its legal
 * basis, retention period and what erasure does (src/privacy/privacy.h). A message belongs to its
 * person; a mail to a bare address (the e-mail verification link, a password reset) has no person
 * and is found through its delivery's address, so messages comes before deliveries here.
 */
#include "privacy/privacy.h"
#include "view/i18n.h"

#include <stddef.h>

static const struct privacy_column message_cols[] = {
    {"id", PRIVACY_NOT_PERSONAL, NULL},
    {"person_id", PRIVACY_REFERENCE, N_("whose inbox the message is in")},
    {"neighbourhood_id", PRIVACY_NOT_PERSONAL, NULL},
    {"kind", PRIVACY_NOT_PERSONAL, NULL},
    {"subject", PRIVACY_PERSONAL, N_("the subject of a message to you")},
    {"body", PRIVACY_PERSONAL, N_("the text of a message to you")},
    {"link", PRIVACY_NOT_PERSONAL, NULL},
    {"message_id", PRIVACY_NOT_PERSONAL, NULL},
    {"created_at", PRIVACY_PERSONAL, N_("when the message was sent")},
    {"read_at", PRIVACY_PERSONAL, N_("when you read the message")},
    {NULL},
};

/* Address-only mails: the message whose delivery went to the person's address. */
static const struct privacy_link message_links[] = {
    {"id", "deliveries", "message_row", NULL},
    {NULL},
};

/* Mails to an address only (verification links, password resets) are deleted after 30 days,
 * as notify_prune() does; messages to a person after two years. */
static const struct privacy_rule message_rules[] = {
    {"created_at", 30 * PRIVACY_DAY, "person_id"},
    {NULL},
};

static const struct privacy_column delivery_cols[] = {
    {"id", PRIVACY_NOT_PERSONAL, NULL},
    {"message_row", PRIVACY_NOT_PERSONAL, NULL},
    {"channel", PRIVACY_PERSONAL, N_("how the message reached you: e-mail, a call or a letter")},
    {"status", PRIVACY_NOT_PERSONAL, NULL},
    {"to_address", PRIVACY_PERSONAL, N_("the e-mail address the message was sent to")},
    {"attempts", PRIVACY_NOT_PERSONAL, NULL},
    {"next_attempt_at", PRIVACY_NOT_PERSONAL, NULL},
    {"claimed_by", PRIVACY_NOT_PERSONAL, NULL},
    {"claimed_at", PRIVACY_NOT_PERSONAL, NULL},
    {"sent_at", PRIVACY_NOT_PERSONAL, NULL},
    {"last_error", PRIVACY_PERSONAL,
     N_("the last answer of the mail server, which may name the address")},
    {"hard_failures", PRIVACY_NOT_PERSONAL, NULL},
    {"last_code", PRIVACY_NOT_PERSONAL, NULL},
    {"handled_by", PRIVACY_ACTOR, N_("the connector who made the call")},
    {"handled_at", PRIVACY_NOT_PERSONAL, NULL},
    {"printed_batch", PRIVACY_NOT_PERSONAL, NULL},
    {"created_at", PRIVACY_NOT_PERSONAL, NULL},
    {NULL},
};

static const struct privacy_link delivery_links[] = {
    {"message_row", "messages", "id", NULL},
    {"to_address", "persons", "email", NULL},
    {NULL},
};

static const struct privacy_column batch_cols[] = {
    {"id", PRIVACY_NOT_PERSONAL, NULL},
    {"neighbourhood_id", PRIVACY_NOT_PERSONAL, NULL},
    {"printed_by", PRIVACY_ACTOR, N_("the connector who printed the letters")},
    {"printed_at", PRIVACY_NOT_PERSONAL, NULL},
    {"letters", PRIVACY_NOT_PERSONAL, NULL},
    {NULL},
};

const struct privacy_table notify_privacy_tables[] = {
    {
        .table = "messages",
        .description = N_("Messages to you"),
        .basis = "contract",
        .retention = "2 years after sending; mail to an address only (e-mail confirmation, new "
                     "password): 30 days",
        .retention_column = "created_at",
        .retention_seconds = 2 * PRIVACY_YEAR,
        .erase = PRIVACY_ERASE_DELETE,
        .columns = message_cols,
        .links = message_links,
        .rules = message_rules,
    },
    {
        .table = "deliveries",
        .description = N_("How messages reached you: e-mails, calls and letters"),
        .basis = "contract",
        .retention = "as long as its message (2 years after sending)",
        .retention_column = "created_at",
        .retention_seconds = 2 * PRIVACY_YEAR,
        .erase = PRIVACY_ERASE_DELETE,
        .columns = delivery_cols,
        .links = delivery_links,
    },
    {
        .table = "letter_batches",
        .description = N_("Print runs of letters on paper"),
        .basis = "legitimate interest",
        .retention = "2 years after printing",
        .retention_column = "printed_at",
        .retention_seconds = 2 * PRIVACY_YEAR,
        .erase = PRIVACY_ERASE_DELETE,
        .columns = batch_cols,
    },
    {0},
};
