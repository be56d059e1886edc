/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ocr.c: Tesseract through its C API (ocr.h).
 */
#include "extract/ocr.h"

#include <stdlib.h>
#include <string.h>

#include <tesseract/capi.h>
#include "util/clock.h"
#include "util/error.h"

struct lv_ocr {
  TessBaseAPI *api;
};

int lv_ocr_new(lv_ocr **out, levee_error *err) {
  lv_ocr *o = calloc(1, sizeof *o);
  if (!o || !(o->api = TessBaseAPICreate())) {
    free(o);
    return lv_error_set(err, LEVEE_ENOMEM, "out of memory starting OCR");
  }
  /* Tesseract's own messages go nowhere: levee reports per attachment. */
  (void)TessBaseAPISetVariable(o->api, "debug_file", "/dev/null");
  /* NULL: Tesseract's data directory, or TESSDATA_PREFIX. LSTM only: the
   * models Debian ships for chi_sim are LSTM models. */
  const char *languages = getenv("LEVEE_OCR_LANGUAGES");
  if (!languages || !*languages)
    languages = LV_OCR_LANGUAGES;
  if (TessBaseAPIInit2(o->api, NULL, languages, OEM_LSTM_ONLY) != 0) {
    lv_ocr_free(o);
    return lv_error_set(err, LEVEE_EIO,
                        "Tesseract %s cannot load the models %s: install "
                        "tesseract-ocr-chi-sim (and the others named), or set "
                        "TESSDATA_PREFIX",
                        TessVersion(), languages);
  }
  (void)TessBaseAPISetVariable(o->api, "debug_file", "/dev/null");
  /* Sauvola's adaptive threshold (Tesseract 5.3: 2), for photos with
   * shadows and uneven light; the default global Otsu loses a dark
   * corner. */
  (void)TessBaseAPISetVariable(o->api, "thresholding_method", "2");
  /* One block of text, not Tesseract's page layout analysis: the layout
   * analysis dropped the lone marking line at a page's top (机密★1年) and
   * the header block of a telegram. On 60 generated phone photos it read
   * 28 of 30 marked pages against 19 (docs/ARCHITECTURE.md). */
  TessBaseAPISetPageSegMode(o->api, PSM_SINGLE_BLOCK);
  *out = o;
  return LEVEE_OK;
}

void lv_ocr_free(lv_ocr *o) {
  if (!o)
    return;
  if (o->api) {
    TessBaseAPIEnd(o->api);
    TessBaseAPIDelete(o->api);
  }
  free(o);
}

int lv_ocr_read(lv_ocr *o, struct Pix *pix, int timeout_ms, lv_buf *out,
                int *confidence, levee_error *err) {
  ETEXT_DESC *monitor = TessMonitorCreate();
  if (!monitor)
    return lv_error_set(err, LEVEE_ENOMEM, "out of memory starting OCR");
  TessBaseAPISetImage2(o->api, pix);
  /* Photos carry no reliable resolution; 300 is what Tesseract assumes
   * for text of the size lv_image_for_ocr scales to, and saying so keeps
   * it from guessing (and from saying it guessed). */
  TessBaseAPISetSourceResolution(o->api, 300);
  int64_t start = lv_now_ms();
  TessMonitorSetDeadlineMSecs(monitor, timeout_ms);
  int failed = TessBaseAPIRecognize(o->api, monitor) != 0;
  int rc = LEVEE_OK;
  if (failed && lv_now_ms() - start >= timeout_ms)
    rc =
        lv_error_set(err, LEVEE_ETOOBIG, "OCR stopped after %d ms", timeout_ms);
  else if (failed)
    rc = lv_error_set(err, LEVEE_EIO, "OCR failed on this image");
  if (!rc) {
    char *text = TessBaseAPIGetUTF8Text(o->api);
    if (text) {
      rc = lv_buf_append(out, text, strlen(text));
      TessDeleteText(text);
      if (rc)
        lv_error_set(err, rc, "the image's text is over the limit");
    }
    if (confidence)
      *confidence = TessBaseAPIMeanTextConf(o->api);
  }
  TessBaseAPIClear(o->api);
  TessMonitorDelete(monitor);
  return rc;
}
