/* SPDX-License-Identifier: Apache-2.0 */
/*
 * phash.c: the DCT perceptual hash of an image (phash.h).
 */
#include "extract/phash.h"

#include <leptonica/allheaders.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>

#include "util/error.h"

#define SIDE 32 /* the image is reduced to SIDE x SIDE */
#define LOW 8   /* and the LOW x LOW lowest frequencies hashed */

static double cosines[LOW][SIDE]; /* cos((2x + 1) u pi / 2N) */
static pthread_once_t cos_once = PTHREAD_ONCE_INIT;

static void make_cosines(void) {
  for (int u = 0; u < LOW; u++)
    for (int x = 0; x < SIDE; x++)
      cosines[u][x] = cos((2.0 * x + 1.0) * u * M_PI / (2.0 * SIDE));
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int lv_phash(struct Pix *src, uint64_t *out, levee_error *err) {
  if (pixGetWidth(src) < LOW || pixGetHeight(src) < LOW)
    return lv_error_set(err, LEVEE_EINVAL, "image too small to hash");
  pthread_once(&cos_once, make_cosines);
  PIX *gray = pixConvertTo8(src, 0);
  /* Area averaging down to SIDE x SIDE (a plain resample would alias). */
  PIX *small = gray ? pixScaleToSize(gray, SIDE, SIDE) : NULL;
  pixDestroy(&gray);
  if (!small || pixGetDepth(small) != 8) {
    pixDestroy(&small);
    return lv_error_set(err, LEVEE_ENOMEM, "out of memory hashing an image");
  }
  double v[SIDE][SIDE];
  l_uint32 *line = pixGetData(small);
  int wpl = pixGetWpl(small);
  for (int y = 0; y < SIDE; y++, line += wpl)
    for (int x = 0; x < SIDE; x++)
      v[y][x] = GET_DATA_BYTE(line, x);
  pixDestroy(&small);
  /* The separable DCT-II, only the LOW lowest frequencies each way. */
  double rows[SIDE][LOW], coef[LOW * LOW];
  for (int y = 0; y < SIDE; y++)
    for (int u = 0; u < LOW; u++) {
      double s = 0;
      for (int x = 0; x < SIDE; x++)
        s += v[y][x] * cosines[u][x];
      rows[y][u] = s;
    }
  for (int w = 0; w < LOW; w++)
    for (int u = 0; u < LOW; u++) {
      double s = 0;
      for (int y = 0; y < SIDE; y++)
        s += rows[y][u] * cosines[w][y];
      coef[w * LOW + u] = s;
    }
  double sorted[LOW * LOW - 1];
  for (int i = 1; i < LOW * LOW; i++)
    sorted[i - 1] = coef[i];
  qsort(sorted, LOW * LOW - 1, sizeof *sorted, by_value);
  double median = sorted[(LOW * LOW - 1) / 2];
  uint64_t h = 0;
  for (int i = 0; i < LOW * LOW; i++)
    if (coef[i] > median)
      h |= (uint64_t)1 << i;
  *out = h;
  return LEVEE_OK;
}

int lv_phash_variants(struct Pix *pix, uint64_t out[LV_PHASH_VARIANTS],
                      size_t *n, levee_error *err) {
  int rc = lv_phash(pix, &out[0], err);
  if (rc)
    return rc;
  *n = 1;
  int w = pixGetWidth(pix), h = pixGetHeight(pix);
  /* Each crop as its left, top, right and bottom margins, in percent. */
  static const int crops[LV_PHASH_VARIANTS - 1][4] = {
      {3, 3, 3, 3}, {6, 6, 6, 6}, /* the middle 94% and 88% */
      {0, 0, 6, 6}, {6, 0, 0, 6}, /* 94% from the top left, top right */
      {0, 6, 6, 0}, {6, 6, 0, 0}, /* ... from the bottom left, right */
  };
  for (int i = 0; i < LV_PHASH_VARIANTS - 1; i++) {
    int x0 = w * crops[i][0] / 100, y0 = h * crops[i][1] / 100;
    int cw = w - x0 - w * crops[i][2] / 100;
    int ch = h - y0 - h * crops[i][3] / 100;
    if (cw < SIDE || ch < SIDE)
      break; /* too small to crop: its own hash is all */
    BOX *box = boxCreate(x0, y0, cw, ch);
    PIX *part = box ? pixClipRectangle(pix, box, NULL) : NULL;
    boxDestroy(&box);
    if (!part)
      return lv_error_set(err, LEVEE_ENOMEM, "out of memory hashing an image");
    rc = lv_phash(part, &out[*n], err);
    pixDestroy(&part);
    if (rc)
      return rc;
    (*n)++;
  }
  return LEVEE_OK;
}
