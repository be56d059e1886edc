/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_ocr.c: the time levee takes to read a photographed page, in three
 * steps (decode with its limits, preparation for OCR, Tesseract), and in
 * all through lv_extract as levee scan calls it (OCR text and QR codes),
 * after one warm-up that loads the OCR models. One thread; bench/ocr.sh
 * pins it to one CPU.
 *
 * usage: bench_ocr [--runs N] IMAGE
 * prints: OCR name=... runs=N decode_ms=... prepare_ms=... ocr_ms=...
 *         extract_ms=... (medians) init_ms=... chars=... confidence=...
 */
#include <leptonica/allheaders.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "extract/extract.h"
#include "extract/image.h"
#include "extract/ocr.h"
#include "util/arena.h"
#include "util/buf.h"

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, by_value);
  return v[n / 2];
}

static char *slurp(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  char *p = NULL;
  if (fseek(f, 0, SEEK_END) == 0) {
    long len = ftell(f);
    if (len > 0 && fseek(f, 0, SEEK_SET) == 0 && (p = malloc((size_t)len)) &&
        fread(p, 1, (size_t)len, f) != (size_t)len) {
      free(p);
      p = NULL;
    }
    *n = len > 0 ? (size_t)len : 0;
  }
  fclose(f);
  return p;
}

int main(int argc, char **argv) {
  int runs = 5, a = 1;
  if (a + 1 < argc && !strcmp(argv[a], "--runs")) {
    runs = atoi(argv[a + 1]);
    a += 2;
  }
  if (argc - a != 1 || runs < 1 || runs > 99) {
    fprintf(stderr, "usage: bench_ocr [--runs N] IMAGE\n");
    return 2;
  }
  lv_extract_single_thread_ocr();
  size_t n = 0;
  char *bytes = slurp(argv[a], &n);
  if (!bytes) {
    fprintf(stderr, "bench_ocr: cannot read %s\n", argv[a]);
    return 2;
  }
  levee_error err = {0};
  double t0 = now_ms();
  lv_ocr *ocr = NULL;
  if (lv_ocr_new(&ocr, &err)) {
    fprintf(stderr, "bench_ocr: %s\n", err.message);
    return 2;
  }
  double init_ms = now_ms() - t0;
  double dec[99], prep[99], rec[99], all[99];
  int conf = 0;
  size_t chars = 0;
  lv_buf text;
  lv_buf_init(&text, 1u << 24);
  for (int r = 0; r <= runs; r++) { /* run 0 warms up */
    PIX *pix = NULL, *page = NULL;
    double s0 = now_ms();
    if (lv_image_decode(bytes, n, &pix, &err)) {
      fprintf(stderr, "bench_ocr: %s\n", err.message);
      return 2;
    }
    double s1 = now_ms();
    if (lv_image_for_ocr(pix, &page, &err)) {
      fprintf(stderr, "bench_ocr: %s\n", err.message);
      return 2;
    }
    double s2 = now_ms();
    lv_buf_reset(&text);
    if (lv_ocr_read(ocr, page, 60000, &text, &conf, &err)) {
      fprintf(stderr, "bench_ocr: %s\n", err.message);
      return 2;
    }
    double s3 = now_ms();
    chars = text.len;
    pixDestroy(&page);
    pixDestroy(&pix);
    if (r) {
      dec[r - 1] = s1 - s0;
      prep[r - 1] = s2 - s1;
      rec[r - 1] = s3 - s2;
    }
  }
  /* The whole path, as levee scan takes it (its own OCR engine, loaded in
   * the warm-up run). */
  lv_extractor *x = NULL;
  lv_arena arena;
  lv_arena_init(&arena, 1u << 26);
  if (lv_extractor_new(&x))
    return 2;
  for (int r = 0; r <= runs; r++) {
    levee_str out;
    lv_extract_info info;
    lv_arena_reset(&arena);
    double s0 = now_ms();
    int rc = lv_extract(x, bytes, n, &arena, &out, &info, &err);
    double s1 = now_ms();
    if (rc) {
      fprintf(stderr, "bench_ocr: lv_extract: %s\n", err.message);
      return 2;
    }
    if (r)
      all[r - 1] = s1 - s0;
  }
  const char *name = strrchr(argv[a], '/');
  printf("OCR name=%s runs=%d decode_ms=%.1f prepare_ms=%.1f ocr_ms=%.1f "
         "extract_ms=%.1f init_ms=%.1f chars=%zu confidence=%d\n",
         name ? name + 1 : argv[a], runs, median(dec, runs), median(prep, runs),
         median(rec, runs), median(all, runs), init_ms, chars, conf);
  lv_extractor_free(x);
  lv_arena_cleanup(&arena);
  lv_buf_cleanup(&text);
  lv_ocr_free(ocr);
  free(bytes);
  return 0;
}
