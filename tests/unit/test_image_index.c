/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_image_index.c: multi-index hashing of perceptual hashes
 * (core/image_index.h) finds exactly what a scan of every hash finds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/image_index.h"
#include "levee/levee.h"

static uint64_t rng = 88172645463325252u;

static uint64_t next(void) { /* xorshift64 */
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

/* h with exactly d of its bits flipped */
static uint64_t flip(uint64_t h, unsigned d) {
  uint64_t mask = 0;
  while ((unsigned)__builtin_popcountll(mask) < d)
    mask |= (uint64_t)1 << (next() % 64);
  return h ^ mask;
}

static void test_same_as_scan(void **state) {
  (void)state;
  enum { N = 20000 };
  uint64_t *h = malloc(N * sizeof *h);
  lv_image_index *x;
  assert_int_equal(lv_image_index_new(&x), LEVEE_OK);
  for (uint32_t i = 0; i < N; i++) {
    /* some near-duplicates among them, as real registrations have */
    h[i] = i % 50 == 1 ? flip(h[i - 1], 1 + (unsigned)(next() % 9)) : next();
    assert_int_equal(lv_image_index_add(x, i, h[i]), LEVEE_OK);
  }
  assert_int_equal(lv_image_index_add(x, 0, 0), LEVEE_OK);
  assert_int_equal(lv_image_index_seal(x), LEVEE_OK);
  assert_int_equal(lv_image_index_add(x, 1, 1), LEVEE_EINVAL);
  assert_int_equal(lv_image_index_size(x), N + 1);
  lv_image_match m[64];
  size_t found;
  for (int q = 0; q < 400; q++) {
    unsigned max = (unsigned)(q % (LV_IMAGE_INDEX_MAX_DISTANCE + 1));
    uint64_t query =
        q % 2 ? flip(h[next() % N], (unsigned)(next() % 14)) : next();
    assert_int_equal(lv_image_index_match(x, query, max, m, 64, &found),
                     LEVEE_OK);
    size_t want = 0;
    for (uint32_t i = 0; i < N; i++)
      want += lv_hamming64(query, h[i]) <= max;
    want += lv_hamming64(query, 0) <= max;
    assert_int_equal(found, want < 64 ? want : 64);
    for (size_t k = 0; k < found; k++) {
      assert_true(m[k].distance <= max);
      assert_true(k == 0 || m[k - 1].distance <= m[k].distance);
    }
  }
  assert_int_equal(lv_image_index_match(x, 0, 16, m, 64, &found), LEVEE_EINVAL);
  lv_image_index_free(x);
  free(h);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_same_as_scan)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
