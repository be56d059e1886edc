/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pdf.c: PDF text through poppler-glib, and pages rendered with cairo for
 * OCR when there is no text layer (pdf.h).
 */
#include "extract/pdf.h"

#include <cairo.h>
#include <leptonica/allheaders.h>
#include <poppler.h>
#include <string.h>

#include "util/clock.h"
#include "util/error.h"
#include "util/limits.h"
#include "util/utf8.h"

/* Pages are rendered at this resolution for OCR: 300 dpi, what scanners
 * and Tesseract's documentation assume (at 200 dpi a test page's marking
 * line was misread, at 150 and 300 it was not). */
#define RENDER_DPI 300.0
/* A page larger than this (in pixels at RENDER_DPI) is rendered smaller:
 * a poster-sized page must not take gigabytes. */
#define RENDER_MAX_PIXELS (12u * 1000u * 1000u)

/* Characters that are not white space, in UTF-8 text. */
static size_t visible_chars(const char *s) {
  size_t n = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if ((*p & 0xC0) != 0x80 && *p > ' ')
      n++;
  return n;
}

/* Page i rendered to 8-bit gray, or NULL. */
static PIX *render(PopplerPage *page) {
  double wpt = 0, hpt = 0;
  poppler_page_get_size(page, &wpt, &hpt);
  if (!(wpt > 0 && hpt > 0 && wpt < 1e5 && hpt < 1e5))
    return NULL;
  double scale = RENDER_DPI / 72.0;
  double px = wpt * scale * hpt * scale;
  if (px > RENDER_MAX_PIXELS)
    scale *= __builtin_sqrt(RENDER_MAX_PIXELS / px);
  int w = (int)(wpt * scale), h = (int)(hpt * scale);
  if (w < 1 || h < 1)
    return NULL;
  cairo_surface_t *surface =
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
  if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(surface);
    return NULL;
  }
  cairo_t *cr = cairo_create(surface);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_scale(cr, scale, scale);
  poppler_page_render(page, cr);
  cairo_destroy(cr);
  cairo_surface_flush(surface);
  PIX *pix = pixCreate(w, h, 8);
  if (pix) {
    const unsigned char *data = cairo_image_surface_get_data(surface);
    int stride = cairo_image_surface_get_stride(surface);
    l_uint32 *line = pixGetData(pix);
    int wpl = pixGetWpl(pix);
    for (int y = 0; y < h; y++, line += wpl) {
      const uint32_t *row =
          (const uint32_t *)(const void *)(data + (size_t)y * (size_t)stride);
      for (int x = 0; x < w; x++) {
        uint32_t p = row[x]; /* xRGB in a native-endian word */
        unsigned r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, b = p & 0xff;
        SET_DATA_BYTE(line, x, (r * 77 + g * 150 + b * 29) >> 8);
      }
    }
  }
  cairo_surface_destroy(surface);
  return pix;
}

int lv_pdf_text(const void *bytes, size_t n, lv_pdf_ocr_fn ocr, void *ud,
                lv_buf *out, int *ocr_pages, levee_error *err) {
  *ocr_pages = 0;
  GError *gerr = NULL;
  GBytes *gb = g_bytes_new_static(bytes, n);
  PopplerDocument *doc = poppler_document_new_from_bytes(gb, NULL, &gerr);
  if (!doc) {
    int encrypted = gerr && gerr->domain == POPPLER_ERROR &&
                    gerr->code == POPPLER_ERROR_ENCRYPTED;
    int rc =
        encrypted
            ? lv_error_set(err, LEVEE_EIO, "PDF encrypted with a password")
            : lv_error_set(err, LEVEE_EINVAL, "PDF that does not open (%s)",
                           gerr && gerr->message ? gerr->message : "corrupt");
    if (gerr)
      g_error_free(gerr);
    g_bytes_unref(gb);
    return rc;
  }
  int pages = poppler_document_get_n_pages(doc);
  int rc = LEVEE_OK, cut = 0;
  if (pages > LV_MAX_PDF_PAGES) {
    pages = LV_MAX_PDF_PAGES;
    cut = 1;
  }
  /* The text layer first. */
  size_t visible = 0, start = out->len;
  for (int i = 0; !rc && i < pages; i++) {
    PopplerPage *page = poppler_document_get_page(doc, i);
    if (!page)
      continue;
    char *text = poppler_page_get_text(page);
    if (text) {
      visible += visible_chars(text);
      if (i)
        rc = lv_buf_putc(out, '\f');
      if (!rc)
        rc = lv_buf_append(out, text, strlen(text));
      g_free(text);
    }
    g_object_unref(page);
  }
  if (rc)
    rc = lv_error_set(err, rc, "the PDF's text is over the limit");
  /* A scan: its pages through OCR instead. */
  if (!rc && ocr && pages > 0 &&
      visible < (size_t)pages * LV_PDF_MIN_CHARS_PER_PAGE) {
    lv_buf_truncate(out, start);
    int64_t deadline = lv_now_ms() + LV_PDF_OCR_TIMEOUT_MS;
    int n_ocr = pages < LV_MAX_PDF_OCR_PAGES ? pages : LV_MAX_PDF_OCR_PAGES;
    if (n_ocr < pages)
      cut = 1;
    for (int i = 0; !rc && i < n_ocr; i++) {
      int64_t left = deadline - lv_now_ms();
      if (left <= 0) {
        cut = 1;
        break;
      }
      PopplerPage *page = poppler_document_get_page(doc, i);
      PIX *pix = page ? render(page) : NULL;
      if (page)
        g_object_unref(page);
      if (!pix)
        continue;
      if (i)
        rc = lv_buf_putc(out, '\f');
      if (!rc)
        rc = ocr(ud, pix, (int)left, out, err);
      pixDestroy(&pix);
      if (!rc)
        (*ocr_pages)++;
    }
  }
  if (!rc && cut)
    rc = lv_error_set(err, LEVEE_ETOOBIG,
                      "PDF read in part: %d pages, at most %d read%s",
                      poppler_document_get_n_pages(doc),
                      *ocr_pages ? LV_MAX_PDF_OCR_PAGES : LV_MAX_PDF_PAGES,
                      *ocr_pages ? " by OCR, within the time allowed" : "");
  g_object_unref(doc);
  g_bytes_unref(gb);
  return rc;
}
