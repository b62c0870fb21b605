/*
 * A4 PDF drawing shared by the modules' paper (see pdf.h).
 */
#include "view/pdf.h"

#include "base/buf.h"
#include "base/log.h"

#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <qrencode.h>

static cairo_status_t
write_buf(void *closure, const unsigned char *data, unsigned int length)
{
    struct noaber_buf *b = closure;
    noaber_buf_append(b, (const char *)data, length);
    return b->failed ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

cairo_t *
noaber_pdf_start(struct noaber_buf *out, cairo_surface_t **surface, const char *title)
{
    *surface =
        cairo_pdf_surface_create_for_stream(write_buf, out, NOABER_PDF_A4_W, NOABER_PDF_A4_H);
    cairo_pdf_surface_set_metadata(*surface, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(*surface, CAIRO_PDF_METADATA_CREATOR, "Noaber");
    cairo_t *cr = cairo_create(*surface);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    return cr;
}

enum noaber_err
noaber_pdf_finish(cairo_t *cr, cairo_surface_t *surface, struct noaber_buf *out)
{
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

static PangoLayout *
layout_of(cairo_t *cr, const char *font, double w, const char *t)
{
    PangoLayout *layout = pango_cairo_create_layout(cr);
    PangoFontDescription *fd = pango_font_description_from_string(font);
    pango_layout_set_font_description(layout, fd);
    pango_layout_set_width(layout, (int)(w * PANGO_SCALE));
    pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_text(layout, t && *t ? t : "-", -1);
    pango_font_description_free(fd);
    return layout;
}

void
noaber_pdf_text(cairo_t *cr, const char *font, double x, double *y, double w, const char *t)
{
    PangoLayout *layout = layout_of(cr, font, w, t);
    cairo_move_to(cr, x, *y);
    pango_cairo_show_layout(cr, layout);
    int pw, ph;
    pango_layout_get_size(layout, &pw, &ph);
    *y += (double)ph / PANGO_SCALE;
    g_object_unref(layout);
}

double
noaber_pdf_text_height(cairo_t *cr, const char *font, double w, const char *t)
{
    PangoLayout *layout = layout_of(cr, font, w, t);
    int pw, ph;
    pango_layout_get_size(layout, &pw, &ph);
    g_object_unref(layout);
    return (double)ph / PANGO_SCALE;
}

int
noaber_pdf_qr(cairo_t *cr, const char *data, double x, double y, double size)
{
    QRcode *q = QRcode_encodeString(data, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!q)
        return -1;
    int quiet = 4, n = q->width + 2 * quiet;
    double m = size / n;
    cairo_save(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, x, y, size, size);
    cairo_fill(cr);
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
