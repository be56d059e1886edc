/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_dbguard_audit.c: the database guard's audit writer
 * (src/net/dbguard_audit.c) over a real store (SQLite, or PostgreSQL with
 * LEVEE_TEST_STORE_URL, store_fixture.h): tickets count up
 * from 1; records that gather are committed without anyone asking, and an
 * urgent one (a refusal waiting for it) becomes durable; the notify
 * callback runs after commits; stop writes what is queued; a reader then
 * sees exactly the records added, in order, with their actor.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "net/dbguard_audit.h"
#include "store/record.h"

#include "store_fixture.h"

static int setup(void **state) {
  return store_fixture_setup(state, "dbaudit");
}

static int teardown(void **state) {
  return store_fixture_teardown(state);
}

static atomic_int notified;
static void on_commit(void *ud) {
  (void)ud;
  atomic_fetch_add(&notified, 1);
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Waits (up to 5 s) until ticket t is durable; the seconds it took. */
static double wait_durable(lv_dbguard_audit *a, uint64_t t) {
  double t0 = now_s();
  while (lv_dbguard_audit_durable(a) < t && now_s() - t0 < 5)
    usleep(200);
  assert_true(lv_dbguard_audit_durable(a) >= t);
  return now_s() - t0;
}

typedef struct seen {
  int n;
  int in_order;
  int actor_ok;
} seen;

static int on_record(void *ud, const lv_record_head *h, levee_str detail) {
  seen *s = ud;
  char want[32];
  int len = snprintf(want, sizeof want, "{\"n\":%d}", s->n + 1);
  if (detail.len != (size_t)len || memcmp(detail.ptr, want, detail.len) != 0)
    s->in_order = 0;
  if (h->actor.len != 3 || memcmp(h->actor.ptr, "ops", 3) != 0)
    s->actor_ok = 0;
  s->n++;
  return 0;
}

static uint64_t add(lv_dbguard_audit *a, int n, int urgent) {
  char detail[32];
  int len = snprintf(detail, sizeof detail, "{\"n\":%d}", n);
  return lv_dbguard_audit_add(a, "ops", "dbop", urgent ? "refused" : "ok",
                              detail, (size_t)len, urgent);
}

static void test_tickets_and_commits(void **state) {
  fixture *f = *state;
  lv_store *st = store_fixture_open(f, 0);
  lv_dbguard_audit *a = NULL;
  atomic_store(&notified, 0);
  assert_int_equal(lv_dbguard_audit_start(st, on_commit, NULL, &a), 0);
  assert_null(lv_dbguard_audit_failed(a));
  /* tickets count up from 1 */
  int n = 0;
  for (uint64_t want = 1; want <= 2500; want++)
    assert_int_equal(add(a, ++n, 0), want);
  /* they are committed without anyone asking, within the gathering time
   * (generously: a loaded machine) */
  wait_durable(a, 2500);
  /* the callback runs after the commit is published: wait for it */
  double t0 = now_s();
  while (atomic_load(&notified) < 1 && now_s() - t0 < 5)
    usleep(200);
  assert_true(atomic_load(&notified) >= 1);
  /* an urgent record becomes durable (a generous bound: the test must
   * not fail on a loaded machine; the gathering time is 5 ms) */
  uint64_t t = add(a, ++n, 1);
  double urgent_s = wait_durable(a, t);
  assert_true(urgent_s < 2.0);
  /* a few more, then stop: what is queued is written */
  for (int i = 0; i < 10; i++)
    add(a, ++n, 0);
  assert_int_equal(lv_dbguard_audit_written(a) >= 2501, 1);
  lv_dbguard_audit_stop(a);
  levee_error err = {0};
  assert_int_equal(lv_store_close(st, &err), 0);

  lv_store *r = store_fixture_open(f, 1);
  seen s = {0, 1, 1};
  assert_int_equal(lv_store_each_record(r, "dbop", on_record, &s, &err), 0);
  assert_int_equal(s.n, n);
  assert_true(s.in_order);
  assert_true(s.actor_ok);
  assert_int_equal(lv_store_close(r, &err), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_tickets_and_commits, setup,
                                      teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
