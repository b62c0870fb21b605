/*
 * PDF pages on paper (A4) with cairo, text laid out by pango, QR codes by libqrencode: the small
 * set of drawing calls that the login card, the intake summary and the invitation letters share.
 * The document is written into a struct noaber_buf. Pango and fontconfig keep caches for the
 * life of the process on purpose (tests/lsan.supp).
 */
#ifndef NOABER_VIEW_PDF_H
#define NOABER_VIEW_PDF_H

#include "base/err.h"

#include <cairo.h>

struct noaber_buf;

#define NOABER_PDF_MM   (72.0 / 25.4) /* points per millimetre */
#define NOABER_PDF_A4_W (210 * NOABER_PDF_MM)
#define NOABER_PDF_A4_H (297 * NOABER_PDF_MM)

/* Starts an A4 PDF document written into OUT, with TITLE in its metadata; *SURFACE is for
 * noaber_pdf_finish. The pen is near-black. */
cairo_t *noaber_pdf_start(struct noaber_buf *out, cairo_surface_t **surface, const char *title);
/* Ends the document (the caller has shown its last page) and frees CR and SURFACE:
 * NOABER_E_TOO_LARGE when OUT ran full, NOABER_E_INTERNAL when cairo failed (logged). */
enum noaber_err noaber_pdf_finish(cairo_t *cr, cairo_surface_t *surface, struct noaber_buf *out);
/* Draws T ("-" when empty) at (X, *Y) wrapped to width W in FONT ("DejaVu Sans Bold 12"), and
 * moves *Y below it. */
void noaber_pdf_text(cairo_t *cr, const char *font, double x, double *y, double w, const char *t);
/* The height noaber_pdf_text would take, to decide on a new page. */
double noaber_pdf_text_height(cairo_t *cr, const char *font, double w, const char *t);
/* A QR code of DATA, SIZE points square with its quiet zone, top left at (X, Y); -1 when DATA
 * cannot be encoded. */
int noaber_pdf_qr(cairo_t *cr, const char *data, double x, double y, double size);

#endif
