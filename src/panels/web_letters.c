/*
 * The invitation letters of stage 1 as one PDF: a page per drawn address, with the address where
 * a window envelope shows it, what the panel is for, the personal response code in large letters
 * and a QR code that opens the sign-up page with the code filled in. Drawn with cairo, text laid
 * out by pango (DejaVu Sans), the QR code by libqrencode, as residents_pdf.c draws the login
 * card. Plain structs in, bytes out: no request, no database.
 */
#include "panels/web_int.h"

#include "base/buf.h"
#include "base/log.h"
#include "view/i18n.h"
#include "view/pdf.h"

#include <cairo.h>
#include <stdio.h>
#include <string.h>

#define MM     NOABER_PDF_MM
#define A4_W   NOABER_PDF_A4_W
#define A4_H   NOABER_PDF_A4_H
#define MARGIN (22 * MM)
#define BODY_W (A4_W - 2 * MARGIN)
#define FONT   "DejaVu Sans"
#define MONO   "DejaVu Sans Mono"

/* MSG (translated) with {title}, {hood}, {url} and {k} filled in, into OUT. */
static const char *
fill(char *out, size_t size, const char *msg, const char *title, const char *hood, const char *url,
     int k)
{
    char kbuf[16];
    snprintf(kbuf, sizeof kbuf, "%d", k);
    const char *keys[] = {"{title}", "{hood}", "{url}", "{k}"};
    const char *vals[] = {title, hood, url, kbuf};
    size_t o = 0;
    for (const char *p = msg; *p && o + 1 < size;) {
        size_t i;
        for (i = 0; i < 4; i++)
            if (strncmp(p, keys[i], strlen(keys[i])) == 0)
                break;
        if (i < 4) {
            for (const char *v = vals[i]; *v && o + 1 < size; v++)
                out[o++] = *v;
            p += strlen(keys[i]);
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
    return out;
}

static void
letter(cairo_t *cr, const struct panels_panel *p, const char *hood, const char *signup,
       const struct web_letter *l, const struct noaber_catalog *cat)
{
    char line[4096];
    double y = 45 * MM, x = MARGIN;
    /* the address, where a window envelope shows it */
    noaber_pdf_text(cr, FONT " 11", x, &y, 85 * MM, noaber_tr(cat, N_("To the residents of")));
    snprintf(line, sizeof line, "%s %s\n%s  %s", l->address.street, l->address.house_number,
             l->address.postcode, l->address.town);
    noaber_pdf_text(cr, FONT " 11", x, &y, 85 * MM, line);
    y = 95 * MM;
    noaber_pdf_text(cr, FONT " Bold 17", x, &y, BODY_W,
                    fill(line, sizeof line, noaber_tr(cat, N_("Invitation: {title}")), p->title,
                         hood, signup, p->k));
    y += 4 * MM;
    noaber_pdf_text(
        cr, FONT " 11", x, &y, BODY_W,
        fill(line, sizeof line,
             noaber_tr(cat, N_("Dear resident, the neighbourhood cooperative of {hood} is "
                               "setting up a citizens' panel of {k} people. Your address was "
                               "drawn by lot. Everyone who lives here and is 16 or older may "
                               "sign up.")),
             p->title, hood, signup, p->k));
    y += 3 * MM;
    noaber_pdf_text(cr, FONT " Bold 11", x, &y, BODY_W, noaber_tr(cat, N_("What is it about?")));
    noaber_pdf_text(cr, FONT " 11", x, &y, BODY_W, p->purpose);
    y += 3 * MM;
    noaber_pdf_text(
        cr, FONT " 11", x, &y, BODY_W,
        noaber_tr(cat, N_("From everyone who signs up, the panel is drawn by lot, so that it "
                          "looks like the neighbourhood: young and old, from every street. "
                          "Every volunteer has a fair chance.")));
    y += 6 * MM;
    double top = y, qs = 38 * MM;
    noaber_pdf_text(cr, FONT " Bold 12", x, &y, BODY_W - qs - 8 * MM,
                    noaber_tr(cat, N_("How to sign up")));
    noaber_pdf_text(
        cr, FONT " 11", x, &y, BODY_W - qs - 8 * MM,
        fill(line, sizeof line,
             noaber_tr(cat, N_("Go to {url} and type your response code. Or scan the square "
                               "code with your phone. No internet? Call or visit the "
                               "information point: a connector fills it in with you.")),
             p->title, hood, signup, p->k));
    y += 3 * MM;
    noaber_pdf_text(cr, FONT " 11", x, &y, BODY_W - qs - 8 * MM,
                    noaber_tr(cat, N_("Your response code")));
    noaber_pdf_text(cr, MONO " Bold 24", x, &y, BODY_W - qs - 8 * MM, l->code);
    double qx = MARGIN + BODY_W - qs;
    char attrs[700];
    snprintf(attrs, sizeof attrs, "rect=[%.1f %.1f %.1f %.1f] uri='%s'", qx, top, qs, qs, l->url);
    cairo_tag_begin(cr, CAIRO_TAG_LINK, attrs);
    noaber_pdf_qr(cr, l->url, qx, top, qs);
    cairo_tag_end(cr, CAIRO_TAG_LINK);
    y = (y > top + qs ? y : top + qs) + 8 * MM;
    noaber_pdf_text(
        cr, FONT " 9", x, &y, BODY_W,
        noaber_tr(cat, N_("The code works once. We keep your address only until the sign-up "
                          "closes; then the address list is deleted.")));
}

enum noaber_err
web_letters_pdf(const struct panels_panel *p, const char *hood_name, const char *signup_url,
                const struct web_letter *l, size_t n, const struct noaber_catalog *cat,
                struct noaber_buf *out)
{
    cairo_surface_t *surface;
    cairo_t *cr = noaber_pdf_start(out, &surface, noaber_tr(cat, N_("Invitation letters")));
    for (size_t i = 0; i < n; i++) {
        letter(cr, p, hood_name ? hood_name : "", signup_url ? signup_url : "", &l[i], cat);
        cairo_show_page(cr);
    }
    if (n == 0)
        cairo_show_page(cr);
    return noaber_pdf_finish(cr, surface, out);
}
