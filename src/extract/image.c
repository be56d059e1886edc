/* SPDX-License-Identifier: Apache-2.0 */
/*
 * image.c: bounded image decoding and OCR preparation with Leptonica
 * (image.h).
 */
#include "extract/image.h"

#include <leptonica/allheaders.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "extract/sniff.h"
#include "util/error.h"
#include "util/limits.h"

/* Leptonica reports errors on stderr as it goes; levee reports its own,
 * once, with the attachment they concern. Set once per process. */
static pthread_once_t quiet_once = PTHREAD_ONCE_INIT;

static void quiet(void) {
  setMsgSeverity(L_SEVERITY_NONE);
}

int lv_image_decode(const void *bytes, size_t n, struct Pix **out,
                    levee_error *err) {
  pthread_once(&quiet_once, quiet);
  const char *kind = lv_image_kind(bytes, n);
  if (!kind)
    return lv_error_set(err, LEVEE_EINVAL, "not an image levee reads");
  l_int32 format = 0, w = 0, h = 0, bps = 0, spp = 0, cmap = 0;
  if (pixReadHeaderMem(bytes, n, &format, &w, &h, &bps, &spp, &cmap) ||
      w <= 0 || h <= 0)
    return lv_error_set(err, LEVEE_EINVAL, "%s image with an unreadable header",
                        kind);
  uint64_t pixels = (uint64_t)w * (uint64_t)h;
  if (pixels > LV_MAX_IMAGE_PIXELS)
    return lv_error_set(err, LEVEE_ETOOBIG,
                        "%s image of %dx%d pixels, over the limit of %u", kind,
                        (int)w, (int)h, (unsigned)LV_MAX_IMAGE_PIXELS);
  PIX *pix = NULL;
  if (format == IFF_JFIF_JPEG) {
    /* libjpeg scales while it decodes: 1/2, 1/4 or 1/8. */
    l_int32 reduction = 1, warnings = 0;
    while (reduction < 8 &&
           pixels / ((uint64_t)reduction * reduction) > LV_MAX_DECODE_PIXELS)
      reduction *= 2;
    pix = pixReadMemJpeg(bytes, n, 0, reduction, &warnings, 0);
  } else {
    if (pixels > LV_MAX_DECODE_PIXELS)
      return lv_error_set(err, LEVEE_ETOOBIG,
                          "%s image of %dx%d pixels, over the limit of %u for "
                          "this format",
                          kind, (int)w, (int)h, (unsigned)LV_MAX_DECODE_PIXELS);
    pix = pixReadMem(bytes, n);
  }
  if (!pix)
    return lv_error_set(err, LEVEE_EINVAL,
                        "%s image of %dx%d pixels that does not decode "
                        "(corrupt or truncated)",
                        kind, (int)w, (int)h);
  /* What was decoded must be what the header said (or its reduction). */
  if ((uint64_t)pixGetWidth(pix) * (uint64_t)pixGetHeight(pix) > pixels) {
    pixDestroy(&pix);
    return lv_error_set(err, LEVEE_EINVAL,
                        "%s image larger than its header says", kind);
  }
  *out = pix;
  return LEVEE_OK;
}

/* Replaces *pix with next, a new image made from it (NULL: out of
 * memory, *pix kept). */
static int step(PIX **pix, PIX *next) {
  if (!next)
    return LEVEE_ENOMEM;
  pixDestroy(pix);
  *pix = next;
  return LEVEE_OK;
}

int lv_image_for_ocr(struct Pix *src, struct Pix **out, levee_error *err) {
  pthread_once(&quiet_once, quiet);
  PIX *pix = pixConvertTo8(src, 0);
  int rc = pix ? LEVEE_OK : LEVEE_ENOMEM;
  if (!rc) {
    l_int32 w = pixGetWidth(pix), h = pixGetHeight(pix);
    l_int32 side = w > h ? w : h;
    float scale = 1.0f;
    if (side > LV_OCR_MAX_SIDE)
      scale = (float)LV_OCR_MAX_SIDE / (float)side;
    else if (side < 1600)
      scale = side * 2 < 1600 ? 2.0f : 1600.0f / (float)side;
    if (scale != 1.0f)
      rc = step(&pix, pixScaleGrayLI(pix, scale, scale));
  }
  if (!rc) {
    l_float32 angle = 0, conf = 0;
    PIX *straight = pixDeskewGeneral(pix, 0, 0.0f, 0.0f, 0, 0, &angle, &conf);
    if (straight)
      rc = step(&pix, straight);
  }
  if (rc) {
    pixDestroy(&pix);
    return lv_error_set(err, rc, "out of memory preparing an image for OCR");
  }
  *out = pix;
  return LEVEE_OK;
}
