/* SPDX-License-Identifier: Apache-2.0 */
/*
 * extract_module.c: the extraction module's entry (extract_module.h):
 * recognise the format of an attachment that is no plain text, then hand
 * the bytes to the reader for it. Built into levee-extract.so.
 */
#include "extract/extract_module.h"

#include <leptonica/allheaders.h>
#include <stdlib.h>
#include <string.h>

#include "extract/image.h"
#include "extract/phash.h"
#include "extract/ocr.h"
#include "extract/office.h"
#include "extract/pdf.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/error.h"

typedef struct state {
  lv_ocr *ocr;    /* loaded with the first image */
  int ocr_status; /* its loading failed: this, with ocr_message */
  char ocr_message[sizeof(((levee_error *)0)->message)];
  lv_buf text; /* what is being extracted */
} state;

static int state_new(void **out) {
  state *x = calloc(1, sizeof *x);
  if (!x)
    return LEVEE_ENOMEM;
  lv_buf_init(&x->text, LV_MAX_EXTRACT_TEXT_BYTES);
  *out = x;
  return LEVEE_OK;
}

static void state_free(void *p) {
  state *x = p;
  if (!x)
    return;
  lv_ocr_free(x->ocr);
  lv_buf_cleanup(&x->text);
  free(x);
}

/* The thread's OCR engine, loaded once; a failure to load is remembered,
 * so that a machine without Tesseract says so once per image, quickly. */
static int ocr_engine(state *x, levee_error *err) {
  if (x->ocr)
    return LEVEE_OK;
  if (x->ocr_status)
    return lv_error_set(err, x->ocr_status, "%s", x->ocr_message);
  levee_error e = {0};
  int rc = lv_ocr_new(&x->ocr, &e);
  if (rc) {
    x->ocr_status = rc;
    snprintf(x->ocr_message, sizeof x->ocr_message, "%s", e.message);
    return lv_error_set(err, rc, "%s", e.message);
  }
  return LEVEE_OK;
}

typedef struct qr_ctx {
  lv_buf *text;
  lv_extract_info *info;
} qr_ctx;

static int on_code(void *ud, const char *payload, size_t len) {
  qr_ctx *q = ud;
  if (q->info->n_codes < LV_MAX_QR_CODES)
    q->info->codes[q->info->n_codes++] = lv_qr_classify(payload, len);
  int rc = q->text->len ? lv_buf_putc(q->text, '\n') : LEVEE_OK;
  if (!rc)
    rc = lv_buf_puts(q->text, "QR: ");
  if (!rc)
    rc = lv_buf_append(q->text, payload, len);
  return rc;
}

/* OCR text, then the QR codes. */
static int image_text(state *x, const void *bytes, size_t n,
                      lv_extract_info *info, levee_error *err) {
  PIX *pix = NULL, *page = NULL;
  int rc = lv_image_decode(bytes, n, &pix, err);
  /* The hash of the image as it came (upright), for registered images;
   * one too small to hash has none. */
  levee_error herr = {0};
  if (!rc && lv_phash(pix, &info->phash, &herr) == LEVEE_OK)
    info->has_phash = 1;
  if (!rc)
    rc = ocr_engine(x, err);
  if (!rc)
    rc = lv_image_for_ocr(pix, &page, err);
  if (!rc) {
    info->ocr = 1;
    rc = lv_ocr_read(x->ocr, page, LV_OCR_TIMEOUT_MS, &x->text,
                     &info->ocr_confidence, err);
  }
  /* Codes are read from the image as it came: binarizing can break the
   * finer modules of a code. Also when OCR failed: a code is evidence. */
  if (pix) {
    qr_ctx q = {&x->text, info};
    levee_error qerr = {0};
    int qrc = lv_qr_decode(pix, on_code, &q, &qerr);
    if (qrc && !rc)
      rc = lv_error_set(err, qrc, "%s", qerr.message);
  }
  pixDestroy(&page);
  pixDestroy(&pix);
  return rc;
}

/* A rendered PDF page through the thread's OCR (lv_pdf_ocr_fn). */
static int pdf_page_ocr(void *ud, PIX *page, int timeout_ms, lv_buf *out,
                        levee_error *err) {
  state *x = ud;
  PIX *ready = NULL;
  int rc = ocr_engine(x, err);
  if (!rc)
    rc = lv_image_for_ocr(page, &ready, err);
  if (!rc)
    rc = lv_ocr_read(x->ocr, ready,
                     timeout_ms < LV_OCR_TIMEOUT_MS ? timeout_ms
                                                    : LV_OCR_TIMEOUT_MS,
                     out, NULL, err);
  pixDestroy(&ready);
  return rc;
}

static int extract(void *p, const void *bytes, size_t n, lv_arena *a,
                   levee_str *text, lv_extract_info *info, levee_error *err) {
  state *x = p;
  int64_t start = lv_now_ms();
  memset(info, 0, sizeof *info);
  text->ptr = NULL;
  text->len = 0;
  lv_buf_reset(&x->text);
  int rc;
  const char *image = lv_image_kind(bytes, n);
  const char *office = image ? NULL : lv_office_kind(bytes, n);
  if (image) {
    info->kind = "image";
    info->format = image;
    rc = image_text(x, bytes, n, info, err);
  } else if (office) {
    info->kind = info->format = office;
    rc = lv_office_text(bytes, n, &x->text, err);
  } else if (n >= 5 && !memcmp(bytes, "%PDF-", 5)) {
    info->kind = info->format = "pdf";
    int pages = 0;
    rc = lv_pdf_text(bytes, n, pdf_page_ocr, x, &x->text, &pages, err);
    info->ocr = pages > 0;
  } else {
    rc = lv_error_set(err, LEVEE_EENCODING, "a file of no format levee reads");
  }
  if (x->text.len) {
    char *copy = lv_arena_strndup(a, x->text.data, x->text.len);
    if (copy) {
      text->ptr = copy;
      text->len = x->text.len;
    } else if (!rc) {
      rc = lv_error_set(err, LEVEE_ENOMEM, "out of memory");
    }
  }
  info->ms = lv_now_ms() - start;
  return rc;
}

static int image_hashes(const void *bytes, size_t n,
                        uint64_t hashes[LV_PHASH_VARIANTS], size_t *count,
                        levee_error *err) {
  PIX *pix = NULL;
  int rc = lv_image_decode(bytes, n, &pix, err);
  if (!rc)
    rc = lv_phash_variants(pix, hashes, count, err);
  pixDestroy(&pix);
  return rc;
}

/* The module's one export. */
__attribute__((
    visibility("default"))) extern const lv_extract_module lv_extract_module_v2;
const lv_extract_module lv_extract_module_v2 = {
    .version = LV_EXTRACT_MODULE_VERSION,
    .state_new = state_new,
    .state_free = state_free,
    .extract = extract,
    .image_hashes = image_hashes,
};
