/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ocr.h: text from an image with Tesseract (chi_sim+eng), one engine per
 * thread. The engine loads its models once (about 0.1 s) and reads image
 * after image; a deadline bounds each.
 */
#ifndef LV_EXTRACT_OCR_H
#define LV_EXTRACT_OCR_H

#include "levee/levee.h"
#include "util/buf.h"

struct Pix;

typedef struct lv_ocr lv_ocr;

/* The models levee reads with, unless LEVEE_OCR_LANGUAGES names others
 * (Tesseract's form: "chi_sim+eng"). Simplified Chinese alone: its model
 * reads Latin letters and digits too, and on 88 generated phone photos it
 * read the marking of 31 of 44 marked pages against 29 for chi_sim+eng, in
 * 26% less time; with eng beside it, Tesseract took some bold marking
 * lines (机密★1年) for English and read them as Latin letters. */
#define LV_OCR_LANGUAGES "chi_sim"

/* Starts Tesseract with its models. OUT: *out. Returns LEVEE_OK, LEVEE_EIO
 * (the language data missing; err says what to install) or LEVEE_ENOMEM. */
int lv_ocr_new(lv_ocr **out, levee_error *err);
void lv_ocr_free(lv_ocr *o); /* accepts NULL */

/* Reads the text of pix (prepared by lv_image_for_ocr, or any image) and
 * appends it to out as UTF-8, lines as Tesseract found them. Stops at
 * timeout_ms: LEVEE_ETOOBIG, out holding nothing of this image. OUT:
 * *confidence, Tesseract's mean word confidence (0-100), when not NULL.
 * Returns LEVEE_OK, LEVEE_ETOOBIG, LEVEE_EIO (Tesseract failed) or the
 * status of appending to out. */
int lv_ocr_read(lv_ocr *o, struct Pix *pix, int timeout_ms, lv_buf *out,
                int *confidence, levee_error *err);

#endif
