/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_phash.c: the perceptual hash (extract/phash.h) in both directions:
 * a resized, re-compressed, slightly cropped, brightened or
 * re-photographed (turned and reframed) copy of an image stays within
 * 12 bits of it (MATCH); other images do not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <leptonica/allheaders.h>
#include <math.h>

#include "core/image_index.h"
#include "extract/phash.h"

/* The distance under which two hashes are taken for the same image (the
 * value levee registers with; docs/ARCHITECTURE.md gives its measured
 * false-match rate). */
#define MATCH 12

static uint64_t rng;

static double uniform(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (double)(rng >> 11) / 9007199254740992.0;
}

/* A picture: a gradient, soft blobs of light and shade, and coloured
 * shapes, 640x480; seed makes it. */
static PIX *picture(uint64_t seed) {
  rng = seed * 0x9e3779b97f4a7c15u + 1;
  enum { W = 640, H = 480, BLOBS = 9 };
  double bx[BLOBS], by[BLOBS], br[BLOBS], bv[BLOBS];
  for (int i = 0; i < BLOBS; i++) {
    bx[i] = uniform() * W;
    by[i] = uniform() * H;
    br[i] = 40 + uniform() * 160;
    bv[i] = uniform() * 160 - 80;
  }
  double gx = uniform() - 0.5, gy = uniform() - 0.5;
  PIX *pix = pixCreate(W, H, 32);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) {
      double v = 128 + gx * x * 0.3 + gy * y * 0.3;
      for (int i = 0; i < BLOBS; i++) {
        double dx = x - bx[i], dy = y - by[i];
        v += bv[i] * exp(-(dx * dx + dy * dy) / (2 * br[i] * br[i]));
      }
      int g = v < 0 ? 0 : v > 255 ? 255 : (int)v;
      composeRGBPixel(g, (g * 3) / 4 + 30, 255 - g,
                      (l_uint32 *)pixGetData(pix) +
                          (size_t)y * (size_t)pixGetWpl(pix) + (size_t)x);
    }
  /* Shapes with edges, as pictures have (windows, text blocks, a logo). */
  for (int i = 0; i < 14; i++) {
    int w = 20 + (int)(uniform() * 200), h = 20 + (int)(uniform() * 150);
    BOX *b =
        boxCreate((int)(uniform() * (W - w)), (int)(uniform() * (H - h)), w, h);
    int r = (int)(uniform() * 255), g = (int)(uniform() * 255),
        bl = (int)(uniform() * 255);
    l_uint32 colour;
    composeRGBPixel(r, g, bl, &colour);
    pixSetInRectArbitrary(pix, b, colour);
    boxDestroy(&b);
  }
  return pix;
}

static uint64_t hash_of(PIX *pix) {
  uint64_t h = 0;
  levee_error err = {0};
  assert_int_equal(lv_phash(pix, &h, &err), LEVEE_OK);
  return h;
}

static PIX *jpeg_again(PIX *pix, int quality) {
  l_uint8 *data = NULL;
  size_t n = 0;
  assert_int_equal(pixWriteMemJpeg(&data, &n, pix, quality, 0), 0);
  PIX *out = pixReadMem(data, n);
  lept_free(data);
  return out;
}

static void test_copies_match(void **state) {
  (void)state;
  for (uint64_t seed = 1; seed <= 12; seed++) {
    PIX *pix = picture(seed);
    uint64_t h = hash_of(pix);
    PIX *v[6];
    v[0] = pixScale(pix, 0.45f, 0.45f);     /* resized */
    v[1] = jpeg_again(pix, 40);             /* re-compressed */
    BOX *box = boxCreate(13, 10, 614, 460); /* cropped 4% */
    v[2] = pixClipRectangle(pix, box, NULL);
    boxDestroy(&box);
    /* re-photographed: turned a degree, and framed a little tighter */
    PIX *turned =
        pixRotate(pix, 0.0175f, L_ROTATE_AREA_MAP, L_BRING_IN_WHITE, 0, 0);
    box = boxCreate(
        pixGetWidth(turned) * 2 / 100, pixGetHeight(turned) * 2 / 100,
        pixGetWidth(turned) * 96 / 100, pixGetHeight(turned) * 96 / 100);
    v[3] = pixClipRectangle(turned, box, NULL);
    boxDestroy(&box);
    pixDestroy(&turned);
    v[4] = pixMultConstantColor(pix, 1.08f, 1.08f, 1.08f); /* brighter */
    PIX *small = pixScale(pix, 0.6f, 0.6f); /* all of it at once */
    v[5] = jpeg_again(small, 55);
    pixDestroy(&small);
    for (int i = 0; i < 6; i++) {
      assert_non_null(v[i]);
      unsigned d = lv_hamming64(h, hash_of(v[i]));
      if (d > MATCH)
        fail_msg("seed %llu, copy %d: distance %u", (unsigned long long)seed, i,
                 d);
      pixDestroy(&v[i]);
    }
    pixDestroy(&pix);
  }
}

static void test_others_differ(void **state) {
  (void)state;
  enum { N = 60 };
  uint64_t h[N];
  for (int i = 0; i < N; i++) {
    PIX *pix = picture(1000 + (uint64_t)i);
    h[i] = hash_of(pix);
    pixDestroy(&pix);
  }
  int close = 0;
  for (int i = 0; i < N; i++)
    for (int j = i + 1; j < N; j++)
      close += lv_hamming64(h[i], h[j]) <= MATCH;
  assert_int_equal(close, 0);
}

static void test_small_refused(void **state) {
  (void)state;
  PIX *pix = pixCreate(7, 100, 8);
  uint64_t h = 0;
  levee_error err = {0};
  assert_int_equal(lv_phash(pix, &h, &err), LEVEE_EINVAL);
  pixDestroy(&pix);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_copies_match),
      cmocka_unit_test(test_others_differ),
      cmocka_unit_test(test_small_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
