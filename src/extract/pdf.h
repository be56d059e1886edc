/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pdf.h: the text of a PDF (poppler): its text layer where there is one;
 * where there is none (a scanned document), each page rendered and read by
 * OCR, within LV_MAX_PDF_OCR_PAGES pages and LV_PDF_OCR_TIMEOUT_MS for all
 * of them. At most LV_MAX_PDF_PAGES pages are read.
 */
#ifndef LV_EXTRACT_PDF_H
#define LV_EXTRACT_PDF_H

#include <stddef.h>

#include "levee/levee.h"
#include "util/buf.h"

struct Pix;

/* Reads a rendered page (8-bit gray, 200 dpi) into out within timeout_ms;
 * the caller's OCR. Returns a levee status. */
typedef int (*lv_pdf_ocr_fn)(void *ud, struct Pix *page, int timeout_ms,
                             lv_buf *out, levee_error *err);

/* Appends the PDF's text to out, page by page, a form feed between pages.
 * Pages are OCRed (through ocr, when not NULL) when the text layer holds
 * fewer than LV_PDF_MIN_CHARS_PER_PAGE characters a page on average.
 * OUT: *ocr_pages, pages read by OCR. Returns LEVEE_OK; LEVEE_EINVAL for a
 * corrupt PDF; LEVEE_EIO for one that is encrypted with a password;
 * LEVEE_ETOOBIG when a page or time limit cut it short (out holds the
 * pages read); ocr's status; LEVEE_ENOMEM. */
int lv_pdf_text(const void *bytes, size_t n, lv_pdf_ocr_fn ocr, void *ud,
                lv_buf *out, int *ocr_pages, levee_error *err);

/* Below this many characters of text layer a page, on average, a PDF is
 * taken for a scan. */
#define LV_PDF_MIN_CHARS_PER_PAGE 16

#endif
