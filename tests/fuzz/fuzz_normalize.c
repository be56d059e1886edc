/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_normalize.c: libFuzzer target for the normalizer (src/core/normalize.c).
 *
 * Any bytes go in. Besides the sanitizers' checks, every run verifies the
 * offset map's contract and aborts on a violation:
 *   - the output is valid UTF-8, NUL-terminated, at most LV_NORM_MAX_GROWTH
 *     times the input plus one fold;
 *   - map is non-decreasing, map[len] == orig_len, and every map entry is
 *     the start of a character of the original (as lv_utf8_decode steps
 *     through it, one byte per invalid byte);
 *   - every output character comes from one original character, and
 *     lv_norm_orig_start/lv_norm_orig_end give a well-formed span for it;
 *   - normalizing the same input again (with the buffers reused) gives the
 *     same result.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/normalize.h"
#include "levee/levee.h"
#include "util/limits.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "fuzz_normalize: invariant failed: %s (line %d)\n",      \
              #cond, __LINE__);                                                \
      abort();                                                                 \
    }                                                                          \
  } while (0)

static lv_norm norm; /* reused across runs, as a scanner would */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > LV_MAX_TEXT_BYTES)
    return 0;
  int rc = lv_normalize(&norm, (const char *)data, size);
  if (rc == LEVEE_ETOOBIG) {
    CHECK(norm.len == 0);
    return 0;
  }
  CHECK(rc == LEVEE_OK);
  const lv_norm *n = &norm;
  CHECK(n->orig_len == size);
  CHECK(n->len <= (size_t)LV_NORM_MAX_GROWTH * size + LV_NORM_FOLD_MAX);
  CHECK(n->text[n->len] == '\0');
  CHECK(lv_utf8_valid(n->text, n->len));
  CHECK(lv_norm_map(n) == n->map); /* the map is built on first use */
  CHECK(n->map[n->len] == size);

  /* Character starts of the original. */
  unsigned char *start = calloc(size + 1, 1);
  CHECK(start != NULL);
  for (size_t i = 0; i < size;) {
    int32_t cp;
    start[i] = 1;
    i += (size_t)lv_utf8_decode(data + i, size - i, &cp);
  }
  start[size] = 1;

  const unsigned char *t = (const unsigned char *)n->text;
  for (size_t o = 0; o < n->len;) {
    int32_t cp;
    int k = lv_utf8_decode(t + o, n->len - o, &cp);
    CHECK(cp >= 0);
    uint32_t at = n->map[o];
    CHECK(at < size && start[at]);
    CHECK(o == 0 || n->map[o - 1] <= at);
    for (int q = 1; q < k; q++)
      CHECK(n->map[o + (size_t)q] == at);
    size_t os = lv_norm_orig_start(n, o),
           oe = lv_norm_orig_end(n, o + (size_t)k);
    CHECK(os == at && os < oe && oe <= size && start[oe]);
    o += (size_t)k;
  }
  free(start);

  /* Same input, buffers reused: same output. */
  size_t len = n->len;
  char *copy = malloc(len + 1);
  CHECK(copy != NULL);
  memcpy(copy, n->text, len + 1);
  CHECK(lv_normalize(&norm, (const char *)data, size) == LEVEE_OK);
  CHECK(norm.len == len && memcmp(norm.text, copy, len) == 0);
  free(copy);
  return 0;
}
