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

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <qrencode.h>
#include <stdio.h>
#include <string.h>

#define MM     (72.0 / 25.4)
#define A4_W   (210 * MM)
#define A4_H   (297 * MM)
#define MARGIN (22 * MM)
#define BODY_W (A4_W - 2 * MARGIN)
#define FONT   "DejaVu Sans"
#define MONO   "DejaVu Sans Mono"

static cairo_status_t
write_buf(void *closure, const unsigned char *data, unsigned int length)
{
    struct noaber_buf *b = closure;
    noaber_buf_append(b, (const char *)data, length);
    return b->failed ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

static void
text(cairo_t *cr, const char *font, double x, double *y, double w, const char *t)
{
    PangoLayout *layout = pango_cairo_create_layout(cr);
    PangoFontDescription *fd = pango_font_description_from_string(font);
    pango_layout_set_font_description(layout, fd);
    pango_layout_set_width(layout, (int)(w * PANGO_SCALE));
    pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_text(layout, t && *t ? t : "-", -1);
    cairo_move_to(cr, x, *y);
    pango_cairo_show_layout(cr, layout);
    int pw, ph;
    pango_layout_get_size(layout, &pw, &ph);
    *y += (double)ph / PANGO_SCALE;
    pango_font_description_free(fd);
    g_object_unref(layout);
}

static int
qr(cairo_t *cr, const char *data, double x, double y, double size)
{
    QRcode *q = QRcode_encodeString(data, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!q)
        return -1;
    int quiet = 4, n = q->width + 2 * quiet;
    double m = size / n;
    cairo_save(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (int row = 0; row < q->width; row++)
        for (int col = 0; col < q->width; col++)
            if (q->data[row * q->width + col] & 1)
                cairo_rectangle(cr, x + (col + quiet) * m, y + (row + quiet) * m, m, m);
    cairo_fill(cr);
    cairo_restore(cr);
    QRcode_free(q);
    return 0;
}

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
    text(cr, FONT " 11", x, &y, 85 * MM, noaber_tr(cat, N_("To the residents of")));
    snprintf(line, sizeof line, "%s %s\n%s  %s", l->address.street, l->address.house_number,
             l->address.postcode, l->address.town);
    text(cr, FONT " 11", x, &y, 85 * MM, line);
    y = 95 * MM;
    text(cr, FONT " Bold 17", x, &y, BODY_W,
         fill(line, sizeof line, noaber_tr(cat, N_("Invitation: {title}")), p->title, hood, signup,
              p->k));
    y += 4 * MM;
    text(cr, FONT " 11", x, &y, BODY_W,
         fill(line, sizeof line,
              noaber_tr(cat, N_("Dear resident, the neighbourhood cooperative of {hood} is "
                                "setting up a citizens' panel of {k} people. Your address was "
                                "drawn by lot. Everyone who lives here and is 16 or older may "
                                "sign up.")),
              p->title, hood, signup, p->k));
    y += 3 * MM;
    text(cr, FONT " Bold 11", x, &y, BODY_W, noaber_tr(cat, N_("What is it about?")));
    text(cr, FONT " 11", x, &y, BODY_W, p->purpose);
    y += 3 * MM;
    text(cr, FONT " 11", x, &y, BODY_W,
         noaber_tr(cat, N_("From everyone who signs up, the panel is drawn by lot, so that it "
                           "looks like the neighbourhood: young and old, from every street. "
                           "Every volunteer has a fair chance.")));
    y += 6 * MM;
    double top = y, qs = 38 * MM;
    text(cr, FONT " Bold 12", x, &y, BODY_W - qs - 8 * MM, noaber_tr(cat, N_("How to sign up")));
    text(cr, FONT " 11", x, &y, BODY_W - qs - 8 * MM,
         fill(line, sizeof line,
              noaber_tr(cat, N_("Go to {url} and type your response code. Or scan the square "
                                "code with your phone. No internet? Call or visit the "
                                "information point: a connector fills it in with you.")),
              p->title, hood, signup, p->k));
    y += 3 * MM;
    text(cr, FONT " 11", x, &y, BODY_W - qs - 8 * MM, noaber_tr(cat, N_("Your response code")));
    text(cr, MONO " Bold 24", x, &y, BODY_W - qs - 8 * MM, l->code);
    double qx = MARGIN + BODY_W - qs;
    char attrs[700];
    snprintf(attrs, sizeof attrs, "rect=[%.1f %.1f %.1f %.1f] uri='%s'", qx, top, qs, qs, l->url);
    cairo_tag_begin(cr, CAIRO_TAG_LINK, attrs);
    qr(cr, l->url, qx, top, qs);
    cairo_tag_end(cr, CAIRO_TAG_LINK);
    y = (y > top + qs ? y : top + qs) + 8 * MM;
    text(cr, FONT " 9", x, &y, BODY_W,
         noaber_tr(cat, N_("The code works once. We keep your address only until the sign-up "
                           "closes; then the address list is deleted.")));
}

enum noaber_err
web_letters_pdf(const struct panels_panel *p, const char *hood_name, const char *signup_url,
                const struct web_letter *l, size_t n, const struct noaber_catalog *cat,
                struct noaber_buf *out)
{
    cairo_surface_t *surface = cairo_pdf_surface_create_for_stream(write_buf, out, A4_W, A4_H);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE,
                                   noaber_tr(cat, N_("Invitation letters")));
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Noaber");
    cairo_t *cr = cairo_create(surface);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    for (size_t i = 0; i < n; i++) {
        letter(cr, p, hood_name ? hood_name : "", signup_url ? signup_url : "", &l[i], cat);
        cairo_show_page(cr);
    }
    if (n == 0)
        cairo_show_page(cr);
    cairo_status_t st = cairo_status(cr);
    cairo_destroy(cr);
    cairo_surface_finish(surface);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(surface);
    cairo_surface_destroy(surface);
    if (out->failed)
        return NOABER_E_TOO_LARGE;
    if (st != CAIRO_STATUS_SUCCESS) {
        noaber_error("pdf: %s", cairo_status_to_string(st));
        return NOABER_E_INTERNAL;
    }
    return NOABER_OK;
}
