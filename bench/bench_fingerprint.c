/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_fingerprint.c: registered fingerprints, looked up.
 *
 * Documents: 10,000 documents of 25 consecutive corpus messages each are
 * registered (winnowed into one doc_index); 1,000 queries are timed, from
 * the text to its matches (normalize, winnow, look up): half of them a
 * paragraph of 120 characters copied from a registered document into
 * other text, half unrelated documents made of messages that were not
 * registered. Reports the median and p99 time per query, and how many
 * copies were found and unrelated texts matched.
 *
 * Images: 100,000 perceptual hashes registered (FINGERPRINT_IMAGES to
 * change it; 400 of pictures made here, the rest random), 10,000 lookups
 * within LV_IMAGE_MATCH_DISTANCE timed, beside comparing every registered
 * hash. And the false-match rate: the distances between 400 unrelated
 * pictures (79,800 pairs) at thresholds 6 to 15, beside the largest
 * distance of their copies (resized, JPEG 40, cropped 4%, turned 1 degree
 * and reframed, brightened); then the same as levee register keeps them,
 * each with its crops' hashes (extract/phash.h, 159,600 ordered pairs).
 *
 * usage: bench_fingerprint CORPUS.jsonl
 */
#include <leptonica/allheaders.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_corpus.h"
#include "core/doc_index.h"
#include "core/image_index.h"
#include "core/normalize.h"
#include "core/registry.h"
#include "core/winnow.h"
#include "extract/phash.h"
#include "util/buf.h"

enum {
  DOCS = 10000,
  PER_DOC = 25,
  QUERIES = 1000,
  PICTURES = 400,
  LOOKUPS = 10000
};

/* Registered image hashes: 100,000, or FINGERPRINT_IMAGES. */
static uint32_t IMAGES = 100000;

static uint64_t rng = 0x2545f4914f6cdd1du;

static uint64_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static double uniform(void) {
  return (double)(next() >> 11) / 9007199254740992.0;
}

/* The text of messages [first, first + count), one per line. */
static void join(const bc_corpus *c, size_t first, size_t count, lv_buf *b) {
  lv_buf_reset(b);
  for (size_t i = first; i < first + count && i < c->n; i++)
    if (c->events[i].text.ptr &&
        (lv_buf_append(b, c->events[i].text.ptr, c->events[i].text.len) ||
         lv_buf_putc(b, '\n')))
      exit(2);
}

static int by_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void documents(const bc_corpus *c) {
  if (c->n < (size_t)(DOCS + QUERIES / 2) * PER_DOC) {
    fprintf(stderr, "bench_fingerprint: corpus too small\n");
    exit(2);
  }
  lv_norm norm;
  lv_norm_init(&norm);
  lv_buf text, fp;
  lv_buf_init(&text, 1u << 24);
  lv_buf_init(&fp, 1u << 26);
  lv_doc_index *x;
  if (lv_doc_index_new(&x))
    exit(2);
  double t0 = bc_now();
  size_t prints = 0;
  for (uint32_t d = 0; d < DOCS; d++) {
    join(c, (size_t)d * PER_DOC, PER_DOC, &text);
    lv_buf_reset(&fp);
    if (lv_normalize(&norm, text.data, text.len) || lv_winnow(&norm, &fp) ||
        lv_doc_index_add(x, d, (lv_fingerprint *)(void *)fp.data,
                         fp.len / sizeof(lv_fingerprint)))
      exit(2);
    prints += fp.len / sizeof(lv_fingerprint);
  }
  lv_doc_index_seal(x);
  double build = bc_now() - t0;
  double times[QUERIES];
  size_t found_copies = 0, false_matches = 0;
  lv_buf q;
  lv_buf_init(&q, 1u << 24);
  for (int i = 0; i < QUERIES; i++) {
    int copy = i % 2 == 0;
    uint32_t d = (uint32_t)(next() % DOCS);
    /* unrelated: messages after the registered ones */
    size_t other = (size_t)DOCS * PER_DOC + (size_t)(i / 2) * PER_DOC;
    join(c, other, PER_DOC, &text);
    lv_buf_reset(&q);
    if (copy) {
      /* 120 characters (360 bytes of CJK text, cut at a character) of
       * registered document d, between halves of the other text */
      lv_buf src;
      lv_buf_init(&src, 1u << 24);
      join(c, (size_t)d * PER_DOC, PER_DOC, &src);
      size_t from = src.len > 400 ? (size_t)(next() % (src.len - 400)) : 0;
      while (from < src.len && ((unsigned char)src.data[from] & 0xC0) == 0x80)
        from++;
      size_t to = from + 360 < src.len ? from + 360 : src.len;
      while (to < src.len && ((unsigned char)src.data[to] & 0xC0) == 0x80)
        to++;
      if (lv_buf_append(&q, text.data, text.len / 2) ||
          lv_buf_append(&q, src.data + from, to - from) ||
          lv_buf_append(&q, text.data + text.len / 2, text.len - text.len / 2))
        exit(2);
      lv_buf_cleanup(&src);
    } else if (lv_buf_append(&q, text.data, text.len)) {
      exit(2);
    }
    lv_doc_match m[8];
    size_t found = 0;
    uint64_t s = bc_now_ns();
    lv_buf_reset(&fp);
    if (lv_normalize(&norm, q.data, q.len) || lv_winnow(&norm, &fp) ||
        lv_doc_index_match(x, (lv_fingerprint *)(void *)fp.data,
                           fp.len / sizeof(lv_fingerprint), m, 8, &found))
      exit(2);
    times[i] = (double)(bc_now_ns() - s) / 1e6;
    int hit = 0;
    for (size_t k = 0; k < found; k++)
      hit |= m[k].id == d;
    if (copy)
      found_copies += hit;
    else
      false_matches += found > 0;
  }
  qsort(times, QUERIES, sizeof *times, by_double);
  printf("FINGERPRINT kind=document registered=%d fingerprints=%zu "
         "build_s=%.2f query_median_ms=%.3f query_p99_ms=%.3f "
         "copies_found=%zu/%d unrelated_matched=%zu/%d\n",
         DOCS, prints, build, times[QUERIES / 2], times[QUERIES * 99 / 100],
         found_copies, QUERIES / 2, false_matches, QUERIES / 2);
  lv_doc_index_free(x);
  lv_buf_cleanup(&q);
  lv_buf_cleanup(&text);
  lv_buf_cleanup(&fp);
  lv_norm_cleanup(&norm);
}

/* A picture as test_phash makes them: gradient, soft blobs, shapes. */
static PIX *picture(void) {
  enum { W = 320, H = 240 };
  double bx[9], by[9], br[9], bv[9];
  for (int i = 0; i < 9; i++) {
    bx[i] = uniform() * W;
    by[i] = uniform() * H;
    br[i] = 20 + uniform() * 80;
    bv[i] = uniform() * 160 - 80;
  }
  double gx = uniform() - 0.5, gy = uniform() - 0.5;
  PIX *pix = pixCreate(W, H, 8);
  l_uint32 *line = pixGetData(pix);
  int wpl = pixGetWpl(pix);
  for (int y = 0; y < H; y++, line += wpl)
    for (int x = 0; x < W; x++) {
      double v = 128 + gx * x * 0.6 + gy * y * 0.6;
      for (int i = 0; i < 9; i++) {
        double dx = x - bx[i], dy = y - by[i];
        v += bv[i] * exp(-(dx * dx + dy * dy) / (2 * br[i] * br[i]));
      }
      SET_DATA_BYTE(line, x, v < 0 ? 0 : v > 255 ? 255 : (int)v);
    }
  for (int i = 0; i < 14; i++) {
    int w = 10 + (int)(uniform() * 100), h = 10 + (int)(uniform() * 75);
    BOX *b =
        boxCreate((int)(uniform() * (W - w)), (int)(uniform() * (H - h)), w, h);
    pixSetInRectArbitrary(pix, b, (l_uint32)(uniform() * 255));
    boxDestroy(&b);
  }
  return pix;
}

static uint64_t hash_of(PIX *pix) {
  uint64_t h = 0;
  levee_error err = {0};
  if (lv_phash(pix, &h, &err))
    exit(2);
  return h;
}

static PIX *jpeg_again(PIX *pix, int quality) {
  l_uint8 *data = NULL;
  size_t n = 0;
  if (pixWriteMemJpeg(&data, &n, pix, quality, 0))
    exit(2);
  PIX *out = pixReadMem(data, n);
  lept_free(data);
  return out;
}

/* The nearest of registered picture j's hashes (its own and its crops',
 * as levee register keeps them) to hash q. */
static unsigned nearest(const uint64_t (*hv)[LV_PHASH_VARIANTS],
                        const size_t *nv, int j, uint64_t q) {
  unsigned best = 64;
  for (size_t k = 0; k < nv[j]; k++) {
    unsigned d = lv_hamming64(q, hv[j][k]);
    if (d < best)
      best = d;
  }
  return best;
}

static void images(void) {
  uint64_t *h = malloc(PICTURES * sizeof *h);
  uint64_t(*hv)[LV_PHASH_VARIANTS] = malloc(PICTURES * sizeof *hv);
  size_t *nv = malloc(PICTURES * sizeof *nv);
  unsigned copy_max = 0, kind_max[5] = {0}, over12[5] = {0};
  unsigned vkind_max[5] = {0}, vover12[5] = {0};
  for (int i = 0; i < PICTURES; i++) {
    PIX *pix = picture();
    h[i] = hash_of(pix);
    levee_error err = {0};
    if (lv_phash_variants(pix, hv[i], &nv[i], &err))
      exit(2);
    if (i < 100) { /* copies of the first hundred */
      PIX *v[5];
      v[0] = pixScale(pix, 0.5f, 0.5f);
      v[1] = jpeg_again(pix, 40);
      BOX *b = boxCreate(6, 5, 307, 230);
      v[2] = pixClipRectangle(pix, b, NULL);
      boxDestroy(&b);
      PIX *t =
          pixRotate(pix, 0.0175f, L_ROTATE_AREA_MAP, L_BRING_IN_WHITE, 0, 0);
      b = boxCreate(pixGetWidth(t) / 50, pixGetHeight(t) / 50,
                    pixGetWidth(t) * 96 / 100, pixGetHeight(t) * 96 / 100);
      v[3] = pixClipRectangle(t, b, NULL);
      boxDestroy(&b);
      pixDestroy(&t);
      v[4] = pixCopy(NULL, pix); /* brighter */
      pixAddConstantGray(v[4], 12);
      for (int k = 0; k < 5; k++) {
        uint64_t c = hash_of(v[k]);
        unsigned d = lv_hamming64(h[i], c);
        if (d > copy_max)
          copy_max = d;
        if (d > kind_max[k])
          kind_max[k] = d;
        over12[k] += d > 12;
        unsigned dv = nearest(hv, nv, i, c);
        if (dv > vkind_max[k])
          vkind_max[k] = dv;
        vover12[k] += dv > 12;
        pixDestroy(&v[k]);
      }
    }
    pixDestroy(&pix);
  }
  unsigned long within[16] = {0}, pairs = 0;
  for (int i = 0; i < PICTURES; i++)
    for (int j = i + 1; j < PICTURES; j++, pairs++) {
      unsigned d = lv_hamming64(h[i], h[j]);
      for (unsigned t = 6; t < 16; t++)
        within[t] += d <= t;
    }
  printf("PHASH_FMR pictures=%d pairs=%lu copies_max_distance=%u", PICTURES,
         pairs, copy_max);
  static const char *const names[5] = {"resized", "jpeg40", "cropped4",
                                       "turned1_reframed", "brighter"};
  for (int k = 0; k < 5; k++)
    printf(" %s_max=%u %s_over12=%u/100", names[k], kind_max[k], names[k],
           over12[k]);
  for (unsigned t = 6; t < 16; t++)
    printf(" within_%u=%lu", t, within[t]);
  printf("\n");
  /* As registered: a picture's own hash against every other's hashes and
   * its crops' (ordered pairs, since the crops are one side's). */
  unsigned long vwithin[16] = {0}, vpairs = 0;
  for (int i = 0; i < PICTURES; i++)
    for (int j = 0; j < PICTURES; j++) {
      if (i == j)
        continue;
      vpairs++;
      unsigned d = nearest(hv, nv, j, h[i]);
      for (unsigned t = 6; t < 16; t++)
        vwithin[t] += d <= t;
    }
  printf("PHASH_VARIANTS_FMR pictures=%d ordered_pairs=%lu", PICTURES, vpairs);
  for (int k = 0; k < 5; k++)
    printf(" %s_max=%u %s_over12=%u/100", names[k], vkind_max[k], names[k],
           vover12[k]);
  for (unsigned t = 6; t < 16; t++)
    printf(" within_%u=%lu", t, vwithin[t]);
  printf("\n");
  free(hv);
  free(nv);
  lv_image_index *x;
  if (lv_image_index_new(&x))
    exit(2);
  for (uint32_t i = 0; i < IMAGES; i++)
    if (lv_image_index_add(x, i, i < PICTURES ? h[i] : next()))
      exit(2);
  double t0 = bc_now();
  lv_image_index_seal(x);
  double build = bc_now() - t0;
  double *times = malloc(LOOKUPS * sizeof *times);
  size_t hits = 0;
  for (int i = 0; i < LOOKUPS; i++) {
    uint64_t q =
        i % 2 ? h[next() % PICTURES] ^ ((uint64_t)1 << (next() % 64)) : next();
    lv_image_match m[8];
    size_t found = 0;
    uint64_t s = bc_now_ns();
    if (lv_image_index_match(x, q, LV_IMAGE_MATCH_DISTANCE, m, 8, &found))
      exit(2);
    times[i] = (double)(bc_now_ns() - s) / 1e6;
    hits += found > 0;
  }
  qsort(times, LOOKUPS, sizeof *times, by_double);
  /* The baseline: every registered hash compared (what the index saves). */
  uint64_t *all = malloc(IMAGES * sizeof *all);
  for (uint32_t i = 0; i < IMAGES; i++)
    all[i] = i < PICTURES ? h[i] : next();
  double *scan = malloc(LOOKUPS * sizeof *scan);
  size_t scan_hits = 0;
  for (int i = 0; i < LOOKUPS; i++) {
    uint64_t q = h[next() % PICTURES] ^ ((uint64_t)1 << (next() % 64));
    uint64_t s = bc_now_ns();
    size_t n = 0;
    for (uint32_t k = 0; k < IMAGES; k++)
      n += lv_hamming64(q, all[k]) <= LV_IMAGE_MATCH_DISTANCE;
    scan[i] = (double)(bc_now_ns() - s) / 1e6;
    scan_hits += n > 0;
  }
  qsort(scan, LOOKUPS, sizeof *scan, by_double);
  printf("FINGERPRINT kind=image registered=%u build_s=%.3f "
         "query_median_ms=%.4f query_p99_ms=%.4f found=%zu/%d "
         "baseline_scan_median_ms=%.4f baseline_found=%zu/%d\n",
         IMAGES, build, times[LOOKUPS / 2], times[LOOKUPS * 99 / 100], hits,
         LOOKUPS, scan[LOOKUPS / 2], scan_hits, LOOKUPS);
  free(scan);
  free(all);
  free(times);
  free(h);
  lv_image_index_free(x);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: bench_fingerprint CORPUS.jsonl\n");
    return 2;
  }
  setMsgSeverity(L_SEVERITY_NONE);
  const char *images_env = getenv("FINGERPRINT_IMAGES");
  if (images_env && atol(images_env) > PICTURES)
    IMAGES = (uint32_t)atol(images_env);
  bc_corpus c;
  if (bc_corpus_load(argv[1], &c))
    return 2;
  documents(&c);
  images();
  bc_corpus_free(&c);
  return 0;
}
