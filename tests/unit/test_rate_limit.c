/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_rate_limit.c: per-client token buckets (src/net/rate_limit.c): a
 * burst, then refusal with the wait until the next token; refill with
 * time; clients apart; no limit at rate 0; many more clients than buckets
 * without growth or error, the new ones starting full.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "levee/levee.h"
#include "net/rate_limit.h"
#include "util/limits.h"

#define TAKE(r, k, t, w) lv_rate_limit_take((r), (k), strlen(k), (t), (w))

static void test_burst_then_refused(void **state) {
  (void)state;
  lv_rate_limit *r;
  assert_int_equal(lv_rate_limit_new(2, 5, &r), LEVEE_OK);
  int wait = -1;
  int64_t t = 1000000;
  for (int i = 0; i < 5; i++)
    assert_true(TAKE(r, "10.0.0.1", t, &wait));
  assert_false(TAKE(r, "10.0.0.1", t, &wait));
  assert_int_equal(wait, 1); /* one token at 2 a second: half a second */
  /* Another client is not held back by the first. */
  assert_true(TAKE(r, "10.0.0.2", t, &wait));
  /* After 1.5 s, three tokens are back (2 a second, from empty). */
  t += 1500000;
  for (int i = 0; i < 3; i++)
    assert_true(TAKE(r, "10.0.0.1", t, &wait));
  assert_false(TAKE(r, "10.0.0.1", t, &wait));
  /* The bucket holds no more than its burst, however long idle. */
  t += 3600 * (int64_t)1000000;
  for (int i = 0; i < 5; i++)
    assert_true(TAKE(r, "10.0.0.1", t, &wait));
  assert_false(TAKE(r, "10.0.0.1", t, &wait));
  lv_rate_limit_free(r);
}

static void test_slow_rate_waits_longer(void **state) {
  (void)state;
  lv_rate_limit *r;
  assert_int_equal(lv_rate_limit_new(0.1, 1, &r), LEVEE_OK);
  int wait = 0;
  assert_true(TAKE(r, "a", 0, &wait));
  assert_false(TAKE(r, "a", 0, &wait));
  assert_int_equal(wait, 10);
  lv_rate_limit_free(r);
}

static void test_no_limit(void **state) {
  (void)state;
  lv_rate_limit *r = (lv_rate_limit *)1;
  assert_int_equal(lv_rate_limit_new(0, 0, &r), LEVEE_OK);
  assert_null(r);
  int wait = 0;
  for (int i = 0; i < 1000; i++)
    assert_true(TAKE(NULL, "x", 0, &wait));
}

static void test_many_clients(void **state) {
  (void)state;
  lv_rate_limit *r;
  assert_int_equal(lv_rate_limit_new(1, 1, &r), LEVEE_OK);
  int wait = 0;
  char key[32];
  /* Four times the table: every new client starts with its token. */
  for (int i = 0; i < 4 * LV_RATE_BUCKETS; i++) {
    snprintf(key, sizeof key, "c%d", i);
    assert_true(TAKE(r, key, i, &wait));
  }
  /* The last one is still known: refused. */
  assert_false(TAKE(r, key, 4 * LV_RATE_BUCKETS, &wait));
  lv_rate_limit_free(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_burst_then_refused),
      cmocka_unit_test(test_slow_rate_waits_longer),
      cmocka_unit_test(test_no_limit),
      cmocka_unit_test(test_many_clients),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
