/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_image.c: bounded image decoding and OCR preparation
 * (extract/image.h): formats by their bytes, the pixel limits checked
 * before decoding, corrupt images refused, a page made ready for OCR.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <leptonica/allheaders.h>

#include "extract/image.h"
#include "util/limits.h"

/* An image of w x h with a dark bar, encoded as format. */
static l_uint8 *encode(int w, int h, int depth, int format, size_t *n) {
  PIX *pix = pixCreate(w, h, depth);
  assert_non_null(pix);
  pixSetAll(pix); /* black for 1 bpp, white otherwise */
  if (depth > 1)
    pixSetAllArbitrary(pix, depth == 32 ? 0xf0f0f000 : 240);
  BOX *bar = boxCreate(w / 4, h / 3, w / 2, h / 6 + 1);
  pixClearInRect(pix, bar); /* white for 1 bpp, black otherwise */
  boxDestroy(&bar);
  l_uint8 *data = NULL;
  assert_int_equal(pixWriteMem(&data, n, pix, format), 0);
  pixDestroy(&pix);
  return data;
}

static void test_kinds(void **state) {
  (void)state;
  assert_string_equal(lv_image_kind("\xff\xd8\xff\xe0", 4), "jpeg");
  assert_string_equal(lv_image_kind("\x89PNG\r\n\x1a\n", 8), "png");
  assert_string_equal(lv_image_kind("RIFF\0\0\0\0WEBPVP8 ", 16), "webp");
  assert_string_equal(lv_image_kind("II*\0", 4), "tiff");
  assert_string_equal(lv_image_kind("MM\0*", 4), "tiff");
  assert_string_equal(lv_image_kind("GIF89a", 6), "gif");
  assert_null(lv_image_kind("\x89PNG", 4)); /* too short for its magic */
  assert_null(lv_image_kind("RIFF\0\0\0\0WAVE", 12));
  assert_null(lv_image_kind("BM", 2));
  assert_null(lv_image_kind("机密★1年", strlen("机密★1年")));
  assert_null(lv_image_kind("", 0));
  assert_null(lv_image_kind(NULL, 0));
}

/* Each format levee reads decodes to the size it was written at. */
static void test_decode_formats(void **state) {
  (void)state;
  static const struct {
    int format, depth;
    const char *kind;
  } f[] = {{IFF_PNG, 8, "png"},      {IFF_JFIF_JPEG, 32, "jpeg"},
           {IFF_TIFF_G4, 1, "tiff"}, {IFF_BMP, 8, "bmp"},
           {IFF_GIF, 8, "gif"},      {IFF_WEBP, 32, "webp"}};
  for (size_t i = 0; i < sizeof f / sizeof *f; i++) {
    size_t n;
    l_uint8 *data = encode(300, 200, f[i].depth, f[i].format, &n);
    assert_string_equal(lv_image_kind(data, n), f[i].kind);
    PIX *pix = NULL;
    levee_error err = {0};
    assert_int_equal(lv_image_decode(data, n, &pix, &err), LEVEE_OK);
    assert_int_equal(pixGetWidth(pix), 300);
    assert_int_equal(pixGetHeight(pix), 200);
    pixDestroy(&pix);
    lept_free(data);
  }
}

/* A table-free CRC-32 (the PNG one), to forge headers. */
static uint32_t crc32_of(const uint8_t *p, size_t n) {
  uint32_t c = 0xffffffffu;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++)
      c = c & 1 ? (c >> 1) ^ 0xedb88320u : c >> 1;
  }
  return c ^ 0xffffffffu;
}

static void put_be32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

/* A real PNG whose header then claims w x h: the limit is checked before
 * any pixel is decoded, so nothing of that size is ever allocated. */
static void test_pixel_limits_before_decoding(void **state) {
  (void)state;
  size_t n;
  l_uint8 *data = encode(64, 64, 8, IFF_PNG, &n);
  /* IHDR: length(4) type(4) at 8, width at 16, height at 20, CRC at 29 */
  assert_memory_equal(data + 12, "IHDR", 4);
  put_be32(data + 16, 20000);
  put_be32(data + 20, 20000); /* 400 M pixels */
  put_be32(data + 29, crc32_of(data + 12, 17));
  PIX *pix = NULL;
  levee_error err = {0};
  assert_int_equal(lv_image_decode(data, n, &pix, &err), LEVEE_ETOOBIG);
  assert_null(pix);
  assert_non_null(strstr(err.message, "20000x20000"));
  /* Under the header limit but over the decoding limit, not a JPEG. */
  put_be32(data + 16, 6000);
  put_be32(data + 20, 5000); /* 30 M pixels */
  put_be32(data + 29, crc32_of(data + 12, 17));
  assert_int_equal(lv_image_decode(data, n, &pix, &err), LEVEE_ETOOBIG);
  assert_non_null(strstr(err.message, "this format"));
  /* Claims a little more than it holds: decoding fails, cleanly. */
  put_be32(data + 16, 640);
  put_be32(data + 20, 640);
  put_be32(data + 29, crc32_of(data + 12, 17));
  assert_int_equal(lv_image_decode(data, n, &pix, &err), LEVEE_EINVAL);
  assert_null(pix);
  lept_free(data);
}

/* A large JPEG is decoded at a reduced size, not refused. */
static void test_large_jpeg_reduced(void **state) {
  (void)state;
  size_t n;
  l_uint8 *data = encode(6000, 5000, 8, IFF_JFIF_JPEG, &n);
  PIX *pix = NULL;
  levee_error err = {0};
  assert_int_equal(lv_image_decode(data, n, &pix, &err), LEVEE_OK);
  assert_true((uint64_t)pixGetWidth(pix) * pixGetHeight(pix) <=
              LV_MAX_DECODE_PIXELS);
  assert_int_equal(pixGetWidth(pix), 3000);
  pixDestroy(&pix);
  lept_free(data);
}

/* Truncated or damaged images: an error that says so, never a crash. */
static void test_corrupt(void **state) {
  (void)state;
  static const int formats[] = {IFF_PNG, IFF_JFIF_JPEG, IFF_GIF,
                                IFF_BMP, IFF_WEBP,      IFF_TIFF_G4};
  for (size_t i = 0; i < sizeof formats / sizeof *formats; i++) {
    size_t n;
    l_uint8 *data =
        encode(200, 150, formats[i] == IFF_TIFF_G4 ? 1 : 8, formats[i], &n);
    for (size_t cut = 1; cut < n; cut += n / 7 + 1) {
      PIX *pix = NULL;
      levee_error err = {0};
      int rc = lv_image_decode(data, cut, &pix, &err);
      if (rc == LEVEE_OK) { /* some decoders pad a truncated image */
        pixDestroy(&pix);
        continue;
      }
      assert_true(rc == LEVEE_EINVAL || rc == LEVEE_ETOOBIG);
      assert_null(pix);
      assert_true(err.message[0] != '\0');
    }
    /* Garbage after a valid magic. */
    memset(data + 16, 0x5a, n - 16 > 64 ? 64 : n - 16);
    PIX *pix = NULL;
    levee_error err = {0};
    if (lv_image_decode(data, n, &pix, &err) == LEVEE_OK)
      pixDestroy(&pix);
    lept_free(data);
  }
  PIX *pix = NULL;
  levee_error err = {0};
  assert_int_equal(lv_image_decode("not an image", 12, &pix, &err),
                   LEVEE_EINVAL);
}

/* Prepared for OCR: 8-bit gray, small pages scaled up, large ones down,
 * the strokes of a page (thin dark lines, like lines of text) still dark
 * and the paper light. */
static void test_for_ocr(void **state) {
  (void)state;
  static const struct {
    int w, h, want_w;
  } c[] = {{600, 400, 1200},
           {1000, 700, 1600},
           {2000, 1500, 2000},
           {8000, 1000, LV_OCR_MAX_SIDE}};
  for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
    PIX *pix = pixCreate(c[i].w, c[i].h, 32);
    pixSetAllArbitrary(pix, 0xe8e0d000); /* off-white paper */
    int stroke = c[i].h / 100 + 2;
    for (int y = c[i].h / 5; y < c[i].h * 4 / 5; y += stroke * 5) {
      BOX *line = boxCreate(c[i].w / 4, y, c[i].w / 2, stroke);
      pixClearInRect(pix, line);
      boxDestroy(&line);
    }
    PIX *page = NULL;
    levee_error err = {0};
    assert_int_equal(lv_image_for_ocr(pix, &page, &err), LEVEE_OK);
    assert_int_equal(pixGetDepth(page), 8);
    int w = pixGetWidth(page);
    assert_true(w >= c[i].want_w - 2 && w <= c[i].want_w + 2);
    double s = (double)w / c[i].w;
    l_uint32 on = 255, off = 0, corner = 0;
    int y0 = c[i].h / 5 + stroke / 2;
    pixGetPixel(page, w / 2, (int)(y0 * s), &on);
    pixGetPixel(page, w / 2, (int)((y0 + stroke * 2.5) * s), &off);
    pixGetPixel(page, 3, 3, &corner);
    assert_true(on < 64);      /* dark: a stroke */
    assert_true(off > 192);    /* light: between strokes */
    assert_true(corner > 192); /* light: the paper */
    pixDestroy(&page);
    pixDestroy(&pix);
  }
}

/* Dark rectangle on pix (8 bpp). */
static void dark(PIX *pix, int x, int y, int w, int h) {
  BOX *b = boxCreate(x, y, w, h);
  pixSetInRectArbitrary(pix, b, 20);
  boxDestroy(&b);
}

/* The frame of a stamp (a box around a word, slightly wider than tall or
 * more) is painted out, what it framed kept; a boxed character (a square)
 * and a solid bar are no frames. */
static void test_for_ocr_frames(void **state) {
  (void)state;
  PIX *pix = pixCreate(1800, 1000, 8); /* no scaling: side over 1600 */
  pixSetAllArbitrary(pix, 235);
  /* the stamp: 240x100, 4-pixel border, two "characters" inside */
  dark(pix, 1200, 100, 240, 4);
  dark(pix, 1200, 196, 240, 4);
  dark(pix, 1200, 100, 4, 100);
  dark(pix, 1436, 100, 4, 100);
  dark(pix, 1240, 125, 60, 50);
  dark(pix, 1330, 125, 60, 50);
  /* a boxed character: a 90x90 square outline */
  dark(pix, 300, 500, 90, 4);
  dark(pix, 300, 586, 90, 4);
  dark(pix, 300, 500, 4, 90);
  dark(pix, 386, 500, 4, 90);
  /* a rule under a header: a solid bar */
  dark(pix, 200, 400, 1400, 6);
  PIX *page = NULL;
  levee_error err = {0};
  assert_int_equal(lv_image_for_ocr(pix, &page, &err), LEVEE_OK);
  assert_int_equal(pixGetWidth(page), 1800);
  l_uint32 v = 0;
  pixGetPixel(page, 1320, 102, &v); /* the stamp's top edge: gone */
  assert_true(v > 192);
  pixGetPixel(page, 1202, 150, &v); /* its left edge: gone */
  assert_true(v > 192);
  pixGetPixel(page, 1270, 150, &v); /* what it framed: kept */
  assert_true(v < 64);
  pixGetPixel(page, 345, 502, &v); /* the boxed character: kept */
  assert_true(v < 64);
  pixGetPixel(page, 900, 403, &v); /* the rule: kept */
  assert_true(v < 64);
  pixDestroy(&page);
  pixDestroy(&pix);
}

/* An image too small or too thin to hold a line of text is refused, not
 * scaled to nothing. */
static void test_for_ocr_degenerate(void **state) {
  (void)state;
  static const int dims[][2] = {{45336, 1}, {1, 3000}, {3, 3}, {60000, 40}};
  for (size_t i = 0; i < sizeof dims / sizeof *dims; i++) {
    PIX *pix = pixCreate(dims[i][0], dims[i][1], 8);
    assert_non_null(pix);
    PIX *page = NULL;
    levee_error err = {0};
    assert_int_equal(lv_image_for_ocr(pix, &page, &err), LEVEE_EINVAL);
    assert_null(page);
    assert_non_null(strstr(err.message, "too small or too thin"));
    pixDestroy(&pix);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_kinds),
      cmocka_unit_test(test_decode_formats),
      cmocka_unit_test(test_pixel_limits_before_decoding),
      cmocka_unit_test(test_large_jpeg_reduced),
      cmocka_unit_test(test_corrupt),
      cmocka_unit_test(test_for_ocr),
      cmocka_unit_test(test_for_ocr_degenerate),
      cmocka_unit_test(test_for_ocr_frames),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
