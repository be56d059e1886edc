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
