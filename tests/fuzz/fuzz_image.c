/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_image.c: libFuzzer target for the image path of attachments
 * (src/extract/image.c): format by magic bytes, Leptonica's decoders
 * behind levee's header check and pixel limits, and the preparation for
 * OCR (gray, scale, deskew).
 *
 * Each run checks: a decoded image is no larger than its limits allow and
 * the error path leaves *out alone; preparation of a decoded image (up to
 * a megapixel, to keep the fuzzer fast) succeeds with 8 bpp, or refuses
 * an image too thin to hold text.
 */
#include <leptonica/allheaders.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "extract/image.h"
#include "util/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "fuzz_image: invariant failed: %s (line %d)\n", #cond,   \
              __LINE__);                                                       \
      abort();                                                                 \
    }                                                                          \
  } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  PIX *pix = (PIX *)1; /* must stay untouched on failure */
  levee_error err = {0};
  int rc = lv_image_decode(data, size, &pix, &err);
  if (rc) {
    CHECK(pix == (PIX *)1);
    CHECK(rc == LEVEE_EINVAL || rc == LEVEE_ETOOBIG || rc == LEVEE_ENOMEM);
    CHECK(err.message[0] != '\0');
    return 0;
  }
  CHECK(lv_image_kind(data, size) != NULL);
  uint64_t pixels = (uint64_t)pixGetWidth(pix) * (uint64_t)pixGetHeight(pix);
  CHECK(pixels > 0 && pixels <= LV_MAX_DECODE_PIXELS);
  if (pixels <= 1000000) {
    PIX *page = NULL;
    rc = lv_image_for_ocr(pix, &page, &err);
    CHECK(rc == LEVEE_OK || rc == LEVEE_EINVAL); /* EINVAL: too thin */
    if (!rc) {
      CHECK(pixGetDepth(page) == 8);
      CHECK(pixGetWidth(page) >= 8 && pixGetHeight(page) >= 8);
    }
    pixDestroy(&page);
  }
  pixDestroy(&pix);
  return 0;
}
