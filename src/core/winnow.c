/* SPDX-License-Identifier: Apache-2.0 */
/*
 * winnow.c: k-gram hashes and winnowing over a normalized text (winnow.h).
 */
#include "core/winnow.h"

#include "levee/levee.h"
#include "util/utf8.h"

/* Letters, digits and CJK characters; not punctuation, spaces or symbols.
 * The normalized text is NFKC and case-folded, so ASCII and CJK cover what
 * matters; other scripts' letters count too. */
static int kept(int32_t cp) {
  if (cp < 0x80)
    return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z');
  if (cp >= 0x2000 && cp <= 0x2BFF)
    return 0; /* punctuation, arrows, shapes, stars (★ and what OCR makes) */
  if (cp >= 0x3000 && cp <= 0x303F)
    return 0; /* CJK punctuation */
  if (cp >= 0xFF00 && cp <= 0xFFEF)
    return 0; /* full-width forms left by NFKC */
  if (cp >= 0xFE30 && cp <= 0xFE4F)
    return 0; /* CJK compatibility forms */
  return cp >= 0xA0;
}

/* The last finalizer of SplitMix64: spreads a 64-bit value's bits. */
static uint64_t mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9u;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebu;
  return x ^ (x >> 31);
}

typedef struct gram_char {
  int32_t cp;
  uint32_t start, end; /* its bytes in the normalized text */
} gram_char;

int lv_winnow(const lv_norm *text, lv_buf *out) {
  const unsigned char *t = (const unsigned char *)text->text;
  gram_char ring[LV_WINNOW_K];
  size_t nchars = 0;
  /* The hashes of the last w k-grams, with where each k-gram lies. */
  lv_fingerprint win[LV_WINNOW_W];
  size_t ngrams = 0;
  size_t last_kept = SIZE_MAX; /* the k-gram number last kept */
  for (size_t i = 0; i < text->len;) {
    int32_t cp;
    int len = lv_utf8_decode(t + i, text->len - i, &cp);
    if (len <= 0)
      len = 1, cp = -1;
    size_t at = i;
    i += (size_t)len;
    if (!kept(cp))
      continue;
    ring[nchars % LV_WINNOW_K] = (gram_char){cp, (uint32_t)at, (uint32_t)i};
    nchars++;
    if (nchars < LV_WINNOW_K)
      continue;
    /* The k-gram ending here: FNV-1a over its code points, then mixed. */
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t k = 0; k < LV_WINNOW_K; k++) {
      uint32_t c = (uint32_t)ring[(nchars + k) % LV_WINNOW_K].cp;
      for (int b = 0; b < 4; b++) {
        h ^= (c >> (8 * b)) & 0xff;
        h *= 0x100000001b3u;
      }
    }
    const gram_char *first = &ring[nchars % LV_WINNOW_K];
    win[ngrams % LV_WINNOW_W] =
        (lv_fingerprint){mix(h), first->start, (uint32_t)i};
    ngrams++;
    if (ngrams < LV_WINNOW_W)
      continue;
    /* The window of the last w k-grams: its minimum, rightmost of equals. */
    size_t best = ngrams - 1;
    for (size_t g = ngrams - LV_WINNOW_W; g < ngrams; g++)
      if (win[g % LV_WINNOW_W].hash <= win[best % LV_WINNOW_W].hash)
        best = g;
    if (best != last_kept) {
      last_kept = best;
      int rc =
          lv_buf_append(out, &win[best % LV_WINNOW_W], sizeof(lv_fingerprint));
      if (rc)
        return rc;
    }
  }
  /* A text shorter than one window: its smallest k-gram stands for it. */
  if (ngrams > 0 && ngrams < LV_WINNOW_W) {
    size_t best = 0;
    for (size_t g = 0; g < ngrams; g++)
      if (win[g].hash <= win[best].hash)
        best = g;
    return lv_buf_append(out, &win[best], sizeof(lv_fingerprint));
  }
  return LEVEE_OK;
}
