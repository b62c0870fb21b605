/*
 * The residents module's paper: the login card (an A4 page with a card to cut out, the one-time
 * code in large letters, the login address and a QR code that opens it with the code filled in)
 * and the one-page intake summary a connector hands to a resident, both as PDF. Drawn with
 * cairo, text laid out by pango (DejaVu Sans, which has every letter Dutch needs), the QR code by
 * libqrencode (view/pdf.h). Plain structs in, bytes appended to a buffer out: no request, no
 * database.
 */
#include "residents/residents_int.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/log.h"
#include "view/i18n.h"
#include "view/pdf.h"

#include <cairo.h>
#include <stdio.h>
#include <string.h>

#define MM       NOABER_PDF_MM
#define A4_W     NOABER_PDF_A4_W
#define A4_H     NOABER_PDF_A4_H
#define MARGIN   (20 * MM)
#define BODY_W   (A4_W - 2 * MARGIN)
#define FONT     "DejaVu Sans"
#define FONTMONO "DejaVu Sans Mono"

/* Replaces {name}-style keys in MSG: KEYS and VALUES are N pairs. The result lives in OUT. */
static const char *
fill(char *out, size_t size, const char *msg, const char *const *keys, const char *const *values,
     size_t n)
{
    size_t k = 0;
    for (const char *p = msg; *p && k + 1 < size;) {
        size_t i;
        for (i = 0; i < n; i++) {
            size_t kl = strlen(keys[i]);
            if (p[0] == '{' && strncmp(p + 1, keys[i], kl) == 0 && p[1 + kl] == '}')
                break;
        }
        if (i < n) {
            for (const char *v = values[i]; *v && k + 1 < size; v++)
                out[k++] = *v;
            p += strlen(keys[i]) + 2;
        } else {
            out[k++] = *p++;
        }
    }
    out[k] = '\0';
    return out;
}

static enum noaber_err
finish(cairo_t *cr, cairo_surface_t *surface, struct noaber_buf *out)
{
    cairo_show_page(cr);
    return noaber_pdf_finish(cr, surface, out);
}

/* --- the login card --------------------------------------------------------------------------- */

enum noaber_err
residents_pdf_card(const struct residents_card *c, const struct noaber_catalog *cat,
                   struct noaber_buf *out)
{
    char line[1024], days[16];
    snprintf(days, sizeof days, "%d", c->days);
    const char *keys[] = {"name", "hood", "days", "url", "connector"};
    const char *vals[] = {c->name, c->hood_name ? c->hood_name : "", days, c->login_url,
                          c->connector_name ? c->connector_name : ""};
    cairo_surface_t *surface;
    cairo_t *cr = noaber_pdf_start(out, &surface, noaber_tr(cat, N_("Your login code for Noaber")));

    /* the card: a dashed line to cut along */
    double cx = MARGIN, cy = MARGIN, cw = BODY_W, ch = 105 * MM, pad = 8 * MM;
    cairo_save(cr);
    static const double dash[] = {6, 4};
    cairo_set_dash(cr, dash, 2, 0);
    cairo_set_line_width(cr, 0.8);
    cairo_rectangle(cr, cx, cy, cw, ch);
    cairo_stroke(cr);
    cairo_restore(cr);

    double qs = 42 * MM, tx = cx + pad, tw = cw - 3 * pad - qs, y = cy + pad;
    noaber_pdf_text(cr, FONT " Bold 18", tx, &y, tw,
                    noaber_tr(cat, N_("Your login code for Noaber")));
    y += 2 * MM;
    noaber_pdf_text(cr, FONT " 12", tx, &y, tw, c->name);
    if (c->hood_name && *c->hood_name)
        noaber_pdf_text(
            cr, FONT " 11", tx, &y, tw,
            fill(line, sizeof line, noaber_tr(cat, N_("Neighbourhood: {hood}")), keys, vals, 5));
    if (c->username && *c->username) {
        snprintf(line, sizeof line, "%s: %s", noaber_tr(cat, N_("Username")), c->username);
        noaber_pdf_text(cr, FONT " 11", tx, &y, tw, line);
    }
    y += 5 * MM;
    noaber_pdf_text(cr, FONT " 11", tx, &y, tw, noaber_tr(cat, N_("Login code")));
    noaber_pdf_text(cr, FONTMONO " Bold 26", tx, &y, tw + qs, c->code);
    y += 4 * MM;
    noaber_pdf_text(cr, FONT " 11", tx, &y, tw,
                    fill(line, sizeof line, noaber_tr(cat, N_("Go to {url}")), keys, vals, 5));
    const char *valid = noaber_trn(cat, "The code works once, within {days} day.",
                                   "The code works once, within {days} days.", c->days);
    noaber_pdf_text(cr, FONT " 10", tx, &y, tw, fill(line, sizeof line, valid, keys, vals, 5));

    /* the QR code opens the login page with the code filled in; the PDF links there too */
    double qx = cx + cw - pad - qs, qy = cy + pad;
    char attrs[700];
    snprintf(attrs, sizeof attrs, "rect=[%.1f %.1f %.1f %.1f] uri='%s'", qx, qy, qs, qs,
             c->code_url);
    cairo_tag_begin(cr, CAIRO_TAG_LINK, attrs);
    int qr_ok = noaber_pdf_qr(cr, c->code_url, qx, qy, qs) == 0;
    cairo_tag_end(cr, CAIRO_TAG_LINK);
    double sy = qy + qs + 2 * MM;
    if (qr_ok)
        noaber_pdf_text(cr, FONT " 8", qx, &sy, qs, noaber_tr(cat, N_("Scan with your phone")));

    /* below the card: what to do, step by step */
    y = cy + ch + 4 * MM;
    noaber_pdf_text(cr, FONT " 9", cx, &y, cw,
                    noaber_tr(cat, N_("Cut out the card along the dashed line.")));
    y += 10 * MM;
    noaber_pdf_text(cr, FONT " Bold 14", MARGIN, &y, BODY_W, noaber_tr(cat, N_("How to log in")));
    y += 2 * MM;
    static const char *const steps[] = {
        N_("1. Go to {url} on a computer, tablet or phone. Or scan the square code with your "
           "phone."),
        N_("2. Type the login code. Capital letters and dashes do not matter."),
        N_("3. Choose your own password. From then on you log in with your username or e-mail "
           "address and that password."),
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        noaber_pdf_text(cr, FONT " 12", MARGIN, &y, BODY_W,
                        fill(line, sizeof line, noaber_tr(cat, steps[i]), keys, vals, 5));
        y += 2 * MM;
    }
    y += 4 * MM;
    noaber_pdf_text(
        cr, FONT " 11", MARGIN, &y, BODY_W,
        noaber_tr(cat, N_("Keep this card for yourself: with the code, someone else could log "
                          "in as you.")));
    y += 2 * MM;
    if (c->connector_name && *c->connector_name)
        noaber_pdf_text(
            cr, FONT " 11", MARGIN, &y, BODY_W,
            fill(line, sizeof line,
                 noaber_tr(cat, N_("Need help? Ask {connector}, or come to the information "
                                   "point.")),
                 keys, vals, 5));
    return finish(cr, surface, out);
}

/* --- the intake summary ----------------------------------------------------------------------- */

struct page {
    cairo_t *cr;
    double y;
};

/* Starts a new page when H more points do not fit. */
static void
room(struct page *pg, double h)
{
    if (pg->y + h > A4_H - MARGIN) {
        cairo_show_page(pg->cr);
        pg->y = MARGIN;
    }
}

static void
block(struct page *pg, const char *font, const char *t)
{
    room(pg, noaber_pdf_text_height(pg->cr, font, BODY_W, t));
    noaber_pdf_text(pg->cr, font, MARGIN, &pg->y, BODY_W, t);
}

static void
heading(struct page *pg, const char *t)
{
    pg->y += 4 * MM;
    room(pg, 14 * MM); /* a heading never ends a page alone */
    block(pg, FONT " Bold 13", t);
    pg->y += 1 * MM;
}

/* T as a date for CAT: "31-03-2025" in Dutch, "2025-03-31" otherwise. */
static void
date_text(char out[11], int64_t t, const struct noaber_catalog *cat)
{
    char iso[11];
    residents_format_date(t, iso);
    if (strcmp(noaber_i18n_code(cat), "nl") == 0)
        snprintf(out, 11, "%.2s-%.2s-%.4s", iso + 8, iso + 5, iso);
    else
        memcpy(out, iso, 11);
}

/* The labels of a list of slugs, joined with commas, into OUT. */
static const char *
labels(char *out, size_t size, const char *list, const struct residents_summary *s,
       const struct noaber_catalog *cat)
{
    int en = strcmp(noaber_i18n_code(cat), "en") == 0;
    size_t k = 0;
    out[0] = '\0';
    for (size_t i = 0; i < s->nskills; i++)
        if (residents_list_has(list, s->skills[i].slug)) {
            const char *l = en ? s->skills[i].label_en : s->skills[i].label_nl;
            k += (size_t)snprintf(out + k, k < size ? size - k : 0, "%s%s", k ? ", " : "", l);
            if (k >= size)
                break;
        }
    return out;
}

enum noaber_err
residents_pdf_intake(const struct residents_summary *s, const struct noaber_catalog *cat,
                     struct noaber_buf *out)
{
    const struct residents_file *f = s->file;
    const struct residents_profile *p = &f->profile;
    char line[2048];
    const char *keys[] = {"name", "hood", "date", "connector"};
    char date[11];
    date_text(date, s->date, cat);
    const char *vals[] = {p->display_name, s->hood_name ? s->hood_name : "", date,
                          s->connector_name ? s->connector_name : ""};
    cairo_surface_t *surface;
    cairo_t *cr = noaber_pdf_start(out, &surface, noaber_tr(cat, N_("Intake summary")));
    struct page pg = {cr, MARGIN};

    block(&pg, FONT " Bold 18",
          fill(line, sizeof line, noaber_tr(cat, N_("Getting to know {name}")), keys, vals, 4));
    block(&pg, FONT " 10",
          fill(line, sizeof line, noaber_tr(cat, N_("{hood} · {date} · with {connector}")), keys,
               vals, 4));

    static const char *const questions[] = {N_("Who are you?"), N_("What do you want?"),
                                            N_("What can you do?"), N_("What do you need?"),
                                            N_("What can you offer?")};
    const char *answers[] = {p->about, p->wants, p->abilities, p->needs, p->offers};
    for (int i = 0; i < 5; i++) {
        heading(&pg, noaber_tr(cat, questions[i]));
        block(&pg, FONT " 11", answers[i]);
    }
    heading(&pg, noaber_tr(cat, N_("Skills and interests")));
    snprintf(line, sizeof line, "%s: ", noaber_tr(cat, N_("Can help with")));
    labels(line + strlen(line), sizeof line - strlen(line), p->skills_offered, s, cat);
    block(&pg, FONT " 11", line);
    snprintf(line, sizeof line, "%s: ", noaber_tr(cat, N_("Would like")));
    labels(line + strlen(line), sizeof line - strlen(line), p->skills_wanted, s, cat);
    block(&pg, FONT " 11", line);
    snprintf(line, sizeof line, "%s: %s", noaber_tr(cat, N_("Available")),
             *p->availability ? p->availability : "-");
    block(&pg, FONT " 11", line);

    heading(&pg, noaber_tr(cat, N_("How we reach you")));
    snprintf(line, sizeof line, "%s: %s", noaber_tr(cat, N_("Phone")), *p->phone ? p->phone : "-");
    block(&pg, FONT " 11", line);
    snprintf(line, sizeof line, "%s: %s %s", noaber_tr(cat, N_("Address")), p->postcode,
             p->house_number);
    block(&pg, FONT " 11", line);

    heading(&pg, noaber_tr(cat, N_("What you agreed to")));
    for (int purpose = 0; purpose < RESIDENTS_P__MAX; purpose++) {
        int yes = RESIDENTS_HAS(p->consents, purpose);
        snprintf(line, sizeof line, "%s: %s", noaber_tr(cat, residents_purpose_label(purpose)),
                 noaber_tr(cat, yes ? N_("yes") : N_("no")));
        block(&pg, FONT " 11", line);
    }
    for (size_t i = 0; i < f->nauths; i++)
        if (f->auths[i].valid) {
            char until[11];
            date_text(until, f->auths[i].ends_at, cat);
            const char *k2[] = {"connector", "date"};
            const char *v2[] = {f->auths[i].connector_name, until};
            block(&pg, FONT " 11",
                  fill(line, sizeof line,
                       noaber_tr(cat, N_("{connector} may act on your behalf until {date}.")), k2,
                       v2, 2));
        }

    heading(&pg, noaber_tr(cat, N_("Your data")));
    block(&pg, FONT " 10",
          noaber_tr(cat, N_("The cooperative keeps these answers to connect you with neighbours "
                            "and help. Only the connectors and coordinators of your neighbourhood "
                            "see your address. You can withdraw each consent at any time: tell "
                            "your connector, or do it yourself in Noaber under My profile. Then "
                            "we delete what rested on it. You may always ask what we keep about "
                            "you.")));
    return finish(cr, surface, out);
}
