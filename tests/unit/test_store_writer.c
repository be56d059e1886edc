/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_store_writer.c: levee serve's store writer (src/net/store_writer.c)
 * over a real SQLite store: writes from many threads are committed and
 * each waiter is answered only after its commit (the records are there
 * for a reader when the write returns); a second writer of the same store
 * waits for the first to close (the log's state is the writer's); a full
 * queue answers LEVEE_EBUSY at
 * once; the tick runs, and runs once more at stop; the log verifies afterwards.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "net/store_writer.h"

typedef struct fixture {
  char dir[64], key[96], location[96];
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  snprintf(f->dir, sizeof f->dir, "/tmp/levee-test-writer-XXXXXX");
  if (!mkdtemp(f->dir))
    return -1;
  snprintf(f->key, sizeof f->key, "%s/store.key", f->dir);
  snprintf(f->location, sizeof f->location, "%s/data", f->dir);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
  if (system(cmd) != 0)
    return -1;
  free(f);
  return 0;
}

static lv_store *open_store(fixture *f, int read_only) {
  lv_store_options o = {.location = f->location,
                        .key_path = f->key,
                        .create = !read_only,
                        .read_only = read_only};
  lv_store *s = NULL;
  levee_error err = {0};
  int rc = lv_store_open(&o, &s, NULL, &err);
  if (rc)
    fprintf(stderr, "open: %s\n", err.message);
  assert_int_equal(rc, 0);
  return s;
}

typedef struct counter {
  const char *type;
  int n;
} counter;

static int count(void *ud, const lv_record_head *h, levee_str detail) {
  (void)h, (void)detail;
  ((counter *)ud)->n++;
  return 0;
}

static int records(lv_store *st, const char *type) {
  counter c = {type, 0};
  levee_error err = {0};
  assert_int_equal(lv_store_each_record(st, type, count, &c, &err), 0);
  return c.n;
}

typedef struct worker {
  lv_store_writer *wr;
  lv_store *reader;
  int id, ok, seen_after;
} worker;

static void *write_some(void *arg) {
  worker *w = arg;
  for (int i = 0; i < 20; i++) {
    char detail[64];
    snprintf(detail, sizeof detail, "{\"w\":%d,\"i\":%d}", w->id, i);
    lv_write_rec r = {
        .type = "test", .outcome = "ok", .detail = {detail, strlen(detail)}};
    lv_write wr = {.actor = {"t", 1}, .recs = &r, .n_recs = 1};
    if (lv_store_writer_write(w->wr, &wr) == LEVEE_OK && r.seq > 0)
      w->ok++;
  }
  return NULL;
}

static int ticks;
static int tick(void *ud, lv_store *st, levee_error *err) {
  (void)ud;
  ticks++;
  uint64_t seq;
  return lv_store_add_record(st, (levee_str){"t", 1}, "tick", "ok",
                             (levee_str){"{}", 2}, &seq, err);
}

static void test_group_commit(void **state) {
  fixture *f = *state;
  lv_store *st = open_store(f, 0);
  lv_store *reader = open_store(f, 1);
  lv_store_writer *wr;
  lv_store_writer_options o = {.store = st, .tick = tick, .tick_ms = 50};
  ticks = 0;
  assert_int_equal(lv_store_writer_start(&o, &wr), LEVEE_OK);
  worker w[8];
  pthread_t t[8];
  for (int i = 0; i < 8; i++) {
    w[i] = (worker){.wr = wr, .id = i};
    assert_int_equal(pthread_create(&t[i], NULL, write_some, &w[i]), 0);
  }
  for (int i = 0; i < 8; i++) {
    pthread_join(t[i], NULL);
    assert_int_equal(w[i].ok, 20);
  }
  /* every write returned after its commit: all there for a reader */
  assert_int_equal(records(reader, "test"), 160);

  lv_write_rec good = {.type = "test", .outcome = "ok", .detail = {"{}", 2}};
  lv_write wg = {.actor = {"t", 1}, .recs = &good, .n_recs = 1};
  assert_int_equal(lv_store_writer_write(wr, &wg), LEVEE_OK);
  assert_int_equal(records(reader, "test"), 161);

  usleep(120 * 1000);
  lv_store_writer_stop(wr);
  assert_true(ticks >= 2); /* at least one on time, and one at stop */
  assert_int_equal(records(reader, "tick"), ticks);

  levee_error err = {0};
  assert_int_equal(lv_store_close(reader, &err), 0);
  assert_int_equal(lv_store_close(st, &err), 0);
  /* the log verifies */
  lv_store_options vo = {.location = f->location, .key_path = f->key};
  lv_store *check = NULL;
  lv_store_opened info;
  assert_int_equal(lv_store_open(&vo, &check, &info, &err), 0);
  uint8_t pub[32];
  for (int i = 0; i < 32; i++) {
    unsigned v;
    sscanf(info.public_key + 2 * i, "%2x", &v);
    pub[i] = (uint8_t)v;
  }
  lv_verify_summary sum;
  memset(&sum, 0, sizeof sum);
  assert_int_equal(lv_store_verify(check, pub, NULL, NULL, &sum, &err), 0);
  assert_int_equal(sum.problems, 0);
  assert_true(sum.records >= 161);
  assert_int_equal(lv_store_close(check, &err), 0);
}

typedef struct blocker {
  lv_store_writer *wr;
  int status;
} blocker;

static int slow_tick(void *ud, lv_store *st, levee_error *err) {
  (void)ud, (void)st, (void)err;
  usleep(300 * 1000);
  return 0;
}

static void *write_one(void *arg) {
  blocker *b = arg;
  lv_write_rec r = {.type = "test", .outcome = "ok", .detail = {"{}", 2}};
  lv_write w = {.actor = {"t", 1}, .recs = &r, .n_recs = 1};
  b->status = lv_store_writer_write(b->wr, &w);
  return NULL;
}

static void test_full_queue(void **state) {
  fixture *f = *state;
  lv_store *st = open_store(f, 0);
  lv_store_writer *wr;
  /* a tick that holds the writer, so writes queue up behind it */
  lv_store_writer_options o = {
      .store = st, .queue_max = 2, .tick = slow_tick, .tick_ms = 1};
  assert_int_equal(lv_store_writer_start(&o, &wr), LEVEE_OK);
  usleep(50 * 1000); /* the writer is in its tick */
  blocker b[2] = {{wr, -1}, {wr, -1}};
  pthread_t t[2];
  for (int i = 0; i < 2; i++)
    assert_int_equal(pthread_create(&t[i], NULL, write_one, &b[i]), 0);
  usleep(50 * 1000);
  assert_int_equal(lv_store_writer_queued(wr), 2);
  lv_write_rec r = {.type = "test", .outcome = "ok", .detail = {"{}", 2}};
  lv_write w = {.actor = {"t", 1}, .recs = &r, .n_recs = 1};
  assert_int_equal(lv_store_writer_write(wr, &w), LEVEE_EBUSY);
  for (int i = 0; i < 2; i++) {
    pthread_join(t[i], NULL);
    assert_int_equal(b[i].status, LEVEE_OK);
  }
  lv_store_writer_stop(wr);
  levee_error err = {0};
  assert_int_equal(records(st, "test"), 2);
  assert_int_equal(lv_store_close(st, &err), 0);
}

typedef struct opener {
  fixture *f;
  lv_store *st;
  int rc;
  int64_t waited_ms;
} opener;

static void *open_second(void *arg) {
  opener *o = arg;
  lv_store_options so = {
      .location = o->f->location, .key_path = o->f->key, .create = 1};
  levee_error err = {0};
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  o->rc = lv_store_open(&so, &o->st, NULL, &err);
  clock_gettime(CLOCK_MONOTONIC, &b);
  o->waited_ms =
      (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
  return NULL;
}

static void test_one_writer(void **state) {
  fixture *f = *state;
  lv_store *first = open_store(f, 0);
  lv_store *reader = open_store(f, 1); /* readers take no lock */
  opener o = {.f = f};
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, open_second, &o), 0);
  usleep(400 * 1000);
  levee_error err = {0};
  assert_null(o.st); /* still waiting */
  assert_int_equal(lv_store_close(first, &err), 0);
  pthread_join(t, NULL);
  assert_int_equal(o.rc, 0);
  assert_true(o.waited_ms >= 350);
  assert_int_equal(lv_store_close(o.st, &err), 0);
  assert_int_equal(lv_store_close(reader, &err), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_group_commit, setup, teardown),
      cmocka_unit_test_setup_teardown(test_full_queue, setup, teardown),
      cmocka_unit_test_setup_teardown(test_one_writer, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
