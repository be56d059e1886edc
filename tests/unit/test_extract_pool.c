/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_extract_pool.c: the bounded extraction worker pool
 * (src/extract/pool.c). Plain text goes through the real lv_extract; the
 * rest uses an injected extraction that echoes its bytes and, for bytes
 * starting "SLOW", blocks at a gate the test opens, so that a worker's
 * being busy is under the test's control rather than a matter of timing.
 * Every wait in here is bounded (10 s), and the whole run by an alarm, so
 * a pool that loses a job fails the test instead of hanging it.
 */
#include <errno.h>
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

#include "extract/pool.h"
#include "util/clock.h"
#include "util/limits.h"

#define LONG_WAIT_MS 10000

/* --- the injected extraction ---------------------------------------------- */

static pthread_mutex_t gate_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cv = PTHREAD_COND_INITIALIZER;
static int gate_open;    /* SLOW jobs may finish */
static int slow_running; /* SLOW jobs blocked at the gate now */
static int calls;        /* fake_extract calls */

static int starts_with(const void *b, size_t n, const char *prefix) {
  size_t k = strlen(prefix);
  return n >= k && memcmp(b, prefix, k) == 0;
}

/* Echoes the bytes as text; "SLOW..." waits for the gate, "FAIL..." fails
 * as a corrupt file would. */
static int fake_extract(lv_extractor *x, const void *bytes, size_t n,
                        lv_arena *a, levee_str *text, lv_extract_info *info,
                        levee_error *err) {
  pthread_mutex_lock(&gate_mu);
  calls++;
  if (starts_with(bytes, n, "SLOW")) {
    slow_running++;
    pthread_cond_broadcast(&gate_cv);
    while (!gate_open)
      pthread_cond_wait(&gate_cv, &gate_mu);
    slow_running--;
    pthread_cond_broadcast(&gate_cv);
  }
  pthread_mutex_unlock(&gate_mu);
  memset(info, 0, sizeof *info);
  info->kind = "fake";
  if (starts_with(bytes, n, "FAIL")) {
    text->ptr = NULL;
    text->len = 0;
    err->status = LEVEE_EINVAL;
    snprintf(err->message, sizeof err->message, "a fake corrupt file");
    return LEVEE_EINVAL;
  }
  text->ptr = lv_arena_strndup(a, bytes, n);
  text->len = n;
  return text->ptr ? LEVEE_OK : LEVEE_ENOMEM;
}

static void open_gate(void) {
  pthread_mutex_lock(&gate_mu);
  gate_open = 1;
  pthread_cond_broadcast(&gate_cv);
  pthread_mutex_unlock(&gate_mu);
}

static int get_calls(void) {
  pthread_mutex_lock(&gate_mu);
  int c = calls;
  pthread_mutex_unlock(&gate_mu);
  return c;
}

static int get_slow_running(void) {
  pthread_mutex_lock(&gate_mu);
  int c = slow_running;
  pthread_mutex_unlock(&gate_mu);
  return c;
}

static void deadline_after(int64_t ms, struct timespec *ts) {
  clock_gettime(CLOCK_REALTIME, ts);
  ts->tv_sec += (time_t)(ms / 1000);
  ts->tv_nsec += (long)(ms % 1000) * 1000000L;
  if (ts->tv_nsec >= 1000000000L) {
    ts->tv_sec++;
    ts->tv_nsec -= 1000000000L;
  }
}

/* Waits until k SLOW jobs are blocked at the gate. */
static void await_slow_running(int k) {
  struct timespec dl;
  deadline_after(LONG_WAIT_MS, &dl);
  pthread_mutex_lock(&gate_mu);
  int e = 0;
  while (slow_running != k && e != ETIMEDOUT)
    e = pthread_cond_timedwait(&gate_cv, &gate_mu, &dl);
  int got = slow_running;
  pthread_mutex_unlock(&gate_mu);
  assert_int_equal(got, k);
}

/* --- done callbacks ------------------------------------------------------- */

typedef struct done_rec {
  int calls;
  int order; /* callbacks run before this one's, in all */
  int had_result;
  int status;
  char text[64];
  pthread_t thread;
} done_rec;

static pthread_mutex_t cb_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cb_cv = PTHREAD_COND_INITIALIZER;
static int cb_total;

static void on_done(void *ud, lv_extract_job *job) {
  done_rec *d = ud;
  const lv_extract_result *r = lv_extract_job_result(job);
  pthread_mutex_lock(&cb_mu);
  d->calls++;
  d->order = cb_total;
  d->had_result = r != NULL;
  d->status = r ? r->status : 12345;
  d->thread = pthread_self();
  if (r && r->text.ptr)
    snprintf(d->text, sizeof d->text, "%s", r->text.ptr);
  cb_total++;
  pthread_cond_broadcast(&cb_cv);
  pthread_mutex_unlock(&cb_mu);
}

/* Waits until n callbacks have run in all. */
static void await_callbacks(int n) {
  struct timespec dl;
  deadline_after(LONG_WAIT_MS, &dl);
  pthread_mutex_lock(&cb_mu);
  int e = 0;
  while (cb_total < n && e != ETIMEDOUT)
    e = pthread_cond_timedwait(&cb_cv, &cb_mu, &dl);
  int got = cb_total;
  pthread_mutex_unlock(&cb_mu);
  assert_int_equal(got, n);
}

static done_rec read_rec(const done_rec *d) {
  pthread_mutex_lock(&cb_mu);
  done_rec c = *d;
  pthread_mutex_unlock(&cb_mu);
  return c;
}

/* --- helpers -------------------------------------------------------------- */

static int setup(void **state) {
  pthread_mutex_lock(&gate_mu);
  gate_open = 0;
  slow_running = 0;
  calls = 0;
  pthread_mutex_unlock(&gate_mu);
  pthread_mutex_lock(&cb_mu);
  cb_total = 0;
  pthread_mutex_unlock(&cb_mu);
  return 0;
}

/* Opens the gate after every test, failed ones too, and waits until no
 * SLOW job blocks: a failed test leaves its pool behind, and its workers
 * must not stay at the gate and confuse the next test's counts. */
static int teardown(void **state) {
  open_gate();
  struct timespec dl;
  deadline_after(LONG_WAIT_MS, &dl);
  pthread_mutex_lock(&gate_mu);
  int e = 0;
  while (slow_running && e != ETIMEDOUT)
    e = pthread_cond_timedwait(&gate_cv, &gate_mu, &dl);
  int left = slow_running;
  pthread_mutex_unlock(&gate_mu);
  return left ? -1 : 0;
}

static lv_extract_pool *fake_pool(unsigned workers, size_t max_queued,
                                  size_t max_bytes) {
  lv_extract_pool_options o = {workers, max_queued, max_bytes, fake_extract};
  lv_extract_pool *p = NULL;
  assert_int_equal(lv_extract_pool_new(&o, &p), LEVEE_OK);
  assert_non_null(p);
  return p;
}

/* A malloc'd copy of s, for the pool to take. */
static void *dup_bytes(const void *s, size_t n) {
  void *b = malloc(n ? n : 1);
  assert_non_null(b);
  memcpy(b, s, n);
  return b;
}

/* Submits a copy of the string s; the submission must be accepted. */
static lv_extract_job *submit_str(lv_extract_pool *p, const char *s,
                                  done_rec *d) {
  lv_extract_job *j = NULL;
  void *b = dup_bytes(s, strlen(s));
  int rc = lv_extract_pool_submit(p, b, strlen(s), d ? on_done : NULL, d, &j);
  if (rc)
    free(b);
  assert_int_equal(rc, LEVEE_OK);
  assert_non_null(j);
  return j;
}

/* Submits n bytes of 'x' that must be refused with want; the caller keeps
 * the buffer (freed here: a pool that freed it too shows under ASan). */
static void submit_refused(lv_extract_pool *p, size_t n, int want) {
  lv_extract_job *j = NULL;
  void *b = malloc(n ? n : 1);
  assert_non_null(b);
  memset(b, 'x', n);
  assert_int_equal(lv_extract_pool_submit(p, b, n, NULL, NULL, &j), want);
  assert_null(j);
  free(b);
}

static void assert_job_text(lv_extract_job *j, int status, const char *text) {
  assert_int_equal(lv_extract_job_wait(j, LONG_WAIT_MS), LEVEE_OK);
  const lv_extract_result *r = lv_extract_job_result(j);
  assert_non_null(r);
  if (r->status != status)
    fprintf(stderr, "status %d: %s\n", r->status, r->err.message);
  assert_int_equal(r->status, status);
  if (text) {
    assert_non_null(r->text.ptr);
    assert_int_equal(r->text.len, strlen(text));
    assert_string_equal(r->text.ptr, text);
  } else {
    assert_null(r->text.ptr);
  }
}

/* --- tests ---------------------------------------------------------------- */

/* Plain text through the real lv_extract: UTF-8 as is, GB18030 decoded,
 * bytes of no format an error; the result owns its text. */
static void test_real_extract_text(void **state) {
  lv_extract_pool_options o = {.workers = 2};
  lv_extract_pool *p = NULL;
  assert_int_equal(lv_extract_pool_new(&o, &p), LEVEE_OK);

  const char *utf8 = "会议纪要：机密文件，下周一开会\n";
  /* "机密文件：下周一开会" in GB18030 (Python's codec). */
  static const char gb[] = "\xbb\xfa\xc3\xdc\xce\xc4\xbc\xfe\xa3\xba\xcf\xc2"
                           "\xd6\xdc\xd2\xbb\xbf\xaa\xbb\xe1";
  static const char junk[] = "\x00\x00\x00\x00\x80\x80\x80\x00\x01\x02";
  lv_extract_job *a = submit_str(p, utf8, NULL);
  lv_extract_job *b = NULL;
  void *gbb = dup_bytes(gb, sizeof gb - 1);
  assert_int_equal(
      lv_extract_pool_submit(p, gbb, sizeof gb - 1, NULL, NULL, &b), LEVEE_OK);
  lv_extract_job *c = NULL;
  void *jb = dup_bytes(junk, sizeof junk - 1);
  assert_int_equal(
      lv_extract_pool_submit(p, jb, sizeof junk - 1, NULL, NULL, &c), LEVEE_OK);

  assert_job_text(a, LEVEE_OK, utf8);
  const lv_extract_result *r = lv_extract_job_result(a);
  assert_string_equal(r->info.kind, "text");
  assert_string_equal(r->info.format, "utf-8");
  assert_true(r->queued_ms >= 0 && r->extract_ms >= 0);

  assert_job_text(b, LEVEE_OK, "机密文件：下周一开会");
  assert_string_equal(lv_extract_job_result(b)->info.format, "gb18030");

  assert_job_text(c, LEVEE_EENCODING, NULL);
  r = lv_extract_job_result(c);
  assert_int_equal(r->err.status, LEVEE_EENCODING);
  assert_true(r->err.message[0] != '\0');

  lv_extract_pool_stats st;
  lv_extract_pool_get_stats(p, &st);
  assert_int_equal(st.done, 2);
  assert_int_equal(st.failed, 1);
  assert_int_equal(st.queued + st.running + st.queued_bytes, 0);
  lv_extract_job_release(a);
  lv_extract_job_release(b);
  lv_extract_job_release(c);
  lv_extract_pool_free(p);
}

static void test_options(void **state) {
  lv_extract_pool_options o = {.workers = LV_MAX_EXTRACT_WORKERS + 1};
  lv_extract_pool *p = (lv_extract_pool *)&o; /* untouched on failure */
  assert_int_equal(lv_extract_pool_new(&o, &p), LEVEE_EINVAL);
  assert_ptr_equal(p, (lv_extract_pool *)&o);
  lv_extract_pool_free(NULL);
  lv_extract_job_release(NULL);
  assert_string_equal(levee_strerror(LEVEE_EBUSY), "too busy: try again later");
  assert_string_equal(levee_strerror(LEVEE_ETIMEOUT), "timed out");
  assert_string_equal(levee_strerror(LEVEE_ECANCELLED), "cancelled");

  /* Defaults: one worker per CPU at most, the queue bounds of limits.h. */
  p = NULL;
  assert_int_equal(lv_extract_pool_new(NULL, &p), LEVEE_OK);
  lv_extract_job *j = NULL;
  assert_int_equal(lv_extract_pool_submit(p, NULL, 1, NULL, NULL, &j),
                   LEVEE_EINVAL);
  /* Refused on its size before a byte is read, so a small buffer serves. */
  char one = 'x';
  assert_int_equal(lv_extract_pool_submit(p, &one, LV_EXTRACT_QUEUE_BYTES + 1,
                                          NULL, NULL, &j),
                   LEVEE_ETOOBIG);
  assert_null(j);
  lv_extract_pool_stats st;
  lv_extract_pool_get_stats(p, &st);
  assert_int_equal(st.rejected, 0); /* too big is not back-pressure */
  lv_extract_pool_free(p);
}

/* Waiting: a timeout while the job is blocked, success once it is free;
 * waiting on a job already done returns at once. */
static void test_wait_timeout(void **state) {
  lv_extract_pool *p = fake_pool(1, 0, 0);
  lv_extract_job *slow = submit_str(p, "SLOW1", NULL);
  await_slow_running(1);

  int64_t t0 = lv_now_ms();
  assert_int_equal(lv_extract_job_wait(slow, 60), LEVEE_ETIMEOUT);
  int64_t waited = lv_now_ms() - t0;
  assert_true(waited >= 59);
  assert_int_equal(lv_extract_job_wait(slow, 0), LEVEE_ETIMEOUT);
  assert_null(lv_extract_job_result(slow));

  open_gate();
  assert_int_equal(lv_extract_job_wait(slow, -1), LEVEE_OK);
  assert_job_text(slow, LEVEE_OK, "SLOW1");
  const lv_extract_result *r = lv_extract_job_result(slow);
  assert_string_equal(r->info.kind, "fake");
  assert_true(r->extract_ms >= 59); /* it sat at the gate that long */

  /* Done before the wait: no waiting at all. */
  lv_extract_job *fast = submit_str(p, "fast", NULL);
  assert_int_equal(lv_extract_job_wait(fast, -1), LEVEE_OK);
  assert_int_equal(lv_extract_job_wait(fast, 0), LEVEE_OK);
  t0 = lv_now_ms();
  assert_int_equal(lv_extract_job_wait(fast, LONG_WAIT_MS), LEVEE_OK);
  assert_true(lv_now_ms() - t0 < 1000);
  assert_job_text(fast, LEVEE_OK, "fast");

  /* A failure is a result like any other. */
  lv_extract_job *bad = submit_str(p, "FAIL", NULL);
  assert_job_text(bad, LEVEE_EINVAL, NULL);
  assert_string_equal(lv_extract_job_result(bad)->err.message,
                      "a fake corrupt file");
  lv_extract_pool_stats st;
  lv_extract_pool_get_stats(p, &st);
  assert_int_equal(st.done, 2);
  assert_int_equal(st.failed, 1);

  lv_extract_job_release(slow);
  lv_extract_job_release(fast);
  lv_extract_job_release(bad);
  lv_extract_pool_free(p);
}

/* N workers all busy with slow jobs: a text job waits, and completes as
 * soon as one frees. */
static void test_job_waits_for_free_worker(void **state) {
  lv_extract_pool *p = fake_pool(2, 0, 0);
  lv_extract_job *s1 = submit_str(p, "SLOW1", NULL);
  lv_extract_job *s2 = submit_str(p, "SLOW2", NULL);
  await_slow_running(2);
  lv_extract_job *fast = submit_str(p, "text", NULL);
  assert_int_equal(lv_extract_job_wait(fast, 100), LEVEE_ETIMEOUT);
  lv_extract_pool_stats st;
  lv_extract_pool_get_stats(p, &st);
  assert_int_equal(st.queued, 1);
  assert_int_equal(st.queued_bytes, 4);
  assert_int_equal(st.running, 2);

  open_gate();
  assert_job_text(fast, LEVEE_OK, "text");
  assert_job_text(s1, LEVEE_OK, "SLOW1");
  assert_job_text(s2, LEVEE_OK, "SLOW2");
  lv_extract_job_release(s1);
  lv_extract_job_release(s2);
  lv_extract_job_release(fast);
  lv_extract_pool_free(p);
}

/* N+1 workers, N slow jobs: the text job completes while the slow ones
 * still block. */
static void test_job_not_stuck_behind_slow(void **state) {
  lv_extract_pool *p = fake_pool(3, 0, 0);
  lv_extract_job *s1 = submit_str(p, "SLOW1", NULL);
  lv_extract_job *s2 = submit_str(p, "SLOW2", NULL);
  await_slow_running(2);
  lv_extract_job *fast = submit_str(p, "text", NULL);
  assert_job_text(fast, LEVEE_OK, "text");
  assert_int_equal(get_slow_running(), 2);
  assert_null(lv_extract_job_result(s1));
  assert_null(lv_extract_job_result(s2));

  open_gate();
  assert_job_text(s1, LEVEE_OK, "SLOW1");
  assert_job_text(s2, LEVEE_OK, "SLOW2");
  lv_extract_job_release(s1);
  lv_extract_job_release(s2);
  lv_extract_job_release(fast);
  lv_extract_pool_free(p);
}

/* Polling the result while the job completes on a worker: NULL until it
 * is done, then the whole result (TSan watches the hand-over). */
static void test_poll_result(void **state) {
  lv_extract_pool *p = fake_pool(2, 0, 0);
  for (int i = 0; i < 20; i++) {
    lv_extract_job *j = submit_str(p, "polled", NULL);
    const lv_extract_result *r;
    int64_t until = lv_now_ms() + LONG_WAIT_MS;
    while (!(r = lv_extract_job_result(j)) && lv_now_ms() < until) {
      struct timespec us = {0, 50000L};
      nanosleep(&us, NULL);
    }
    assert_non_null(r);
    assert_int_equal(lv_extract_job_wait(j, 0), LEVEE_OK);
    assert_job_text(j, LEVEE_OK, "polled");
    lv_extract_job_release(j);
  }
  lv_extract_pool_free(p);
}

/* Jobs start in the order they were submitted. */
static void test_fifo(void **state) {
  lv_extract_pool *p = fake_pool(1, 0, 0);
  done_rec ds = {0}, d[8] = {{0}};
  lv_extract_job *slow = submit_str(p, "SLOW", &ds);
  await_slow_running(1);
  lv_extract_job *j[8];
  char s[16];
  for (int i = 0; i < 8; i++) {
    snprintf(s, sizeof s, "job %d", i);
    j[i] = submit_str(p, s, &d[i]);
  }
  open_gate();
  await_callbacks(9);
  assert_int_equal(read_rec(&ds).order, 0);
  for (int i = 0; i < 8; i++) {
    assert_int_equal(read_rec(&d[i]).order, i + 1);
    lv_extract_job_release(j[i]);
  }
  lv_extract_job_release(slow);
  lv_extract_pool_free(p);
}

/* Back-pressure on the number of jobs waiting. */
static void test_backpressure_jobs(void **state) {
  lv_extract_pool *p = fake_pool(1, 3, 0);
  lv_extract_job *slow = submit_str(p, "SLOW", NULL);
  await_slow_running(1); /* running: no longer queued */
  lv_extract_job *q[3];
  for (int i = 0; i < 3; i++)
    q[i] = submit_str(p, "queued", NULL);
  submit_refused(p, 1, LEVEE_EBUSY);
  submit_refused(p, 0, LEVEE_EBUSY);
  lv_extract_pool_stats st;
  lv_extract_pool_get_stats(p, &st);
  assert_int_equal(st.queued, 3);
  assert_int_equal(st.running, 1);
  assert_int_equal(st.rejected, 2);

  open_gate();
  for (int i = 0; i < 3; i++) {
    assert_job_text(q[i], LEVEE_OK, "queued");
    lv_extract_job_release(q[i]);
  }
  lv_extract_pool_get_stats(p, &st);
  assert_int_equal(st.queued, 0);
  lv_extract_job *again = submit_str(p, "again", NULL);
  assert_job_text(again, LEVEE_OK, "again");
  lv_extract_pool_get_stats(p, &st);
  assert_int_equal(st.rejected, 2);
  assert_int_equal(st.done, 5);
  lv_extract_job_release(again);
  lv_extract_job_release(slow);
  lv_extract_pool_free(p);
}

/* Back-pressure on the bytes waiting: exactly the bound fits. */
static void test_backpressure_bytes(void **state) {
  lv_extract_pool *p = fake_pool(1, 100, 100);
  lv_extract_job *slow = submit_str(p, "SLOW", NULL);
  await_slow_running(1);
  char b60[61], b40[41];
  memset(b60, 'a', 60);
  b60[60] = '\0';
  memset(b40, 'b', 40);
  b40[40] = '\0';
  lv_extract_job *j60 = submit_str(p, b60, NULL);
  submit_refused(p, 41, LEVEE_EBUSY);
  lv_extract_job *j40 = submit_str(p, b40, NULL);
  lv_extract_pool_stats st;
  lv_extract_pool_get_stats(p, &st);
  assert_int_equal(st.queued_bytes, 100);
  submit_refused(p, 1, LEVEE_EBUSY);
  submit_refused(p, 101, LEVEE_ETOOBIG); /* could never fit */
  lv_extract_pool_get_stats(p, &st);
  assert_int_equal(st.rejected, 2);

  open_gate();
  assert_job_text(j60, LEVEE_OK, b60);
  assert_job_text(j40, LEVEE_OK, b40);
  lv_extract_pool_get_stats(p, &st);
  assert_int_equal(st.queued_bytes, 0);
  lv_extract_job *again = submit_str(p, b60, NULL);
  assert_job_text(again, LEVEE_OK, b60);
  lv_extract_job_release(again);
  lv_extract_job_release(j60);
  lv_extract_job_release(j40);
  lv_extract_job_release(slow);
  lv_extract_pool_free(p);
}

/* A job released before it started is never run; its slot frees at once;
 * its callback runs once, cancelled. A job released while it runs
 * finishes, and its callback still runs. */
static void test_release_before_start(void **state) {
  lv_extract_pool *p = fake_pool(1, 0, 0);
  done_rec ds = {0}, da = {0}, db = {0};
  lv_extract_job *slow = submit_str(p, "SLOW", &ds);
  await_slow_running(1);
  lv_extract_job *a = submit_str(p, "never", &da);
  lv_extract_job *b = submit_str(p, "after", &db);
  lv_extract_job_release(a);

  done_rec ra = read_rec(&da);
  assert_int_equal(ra.calls, 1);
  assert_true(ra.had_result);
  assert_int_equal(ra.status, LEVEE_ECANCELLED);
  assert_true(pthread_equal(ra.thread, pthread_self()));
  lv_extract_pool_stats st;
  lv_extract_pool_get_stats(p, &st);
  assert_int_equal(st.queued, 1);
  assert_int_equal(st.queued_bytes, 5);
  assert_int_equal(st.cancelled, 1);

  lv_extract_job_release(slow); /* while it runs */
  open_gate();
  assert_job_text(b, LEVEE_OK, "after");
  await_callbacks(3);
  assert_int_equal(get_calls(), 2); /* SLOW and "after", never "never" */
  assert_int_equal(read_rec(&ds).calls, 1);
  assert_int_equal(read_rec(&ds).status, LEVEE_OK);
  assert_string_equal(read_rec(&ds).text, "SLOW");
  assert_int_equal(read_rec(&da).calls, 1);
  assert_int_equal(read_rec(&db).calls, 1);
  lv_extract_pool_get_stats(p, &st);
  assert_int_equal(st.done, 2);
  assert_int_equal(st.cancelled, 1);
  lv_extract_job_release(b);
  lv_extract_pool_free(p);
}

static void *free_pool(void *arg) {
  lv_extract_pool_free(arg);
  return NULL;
}

/* Freeing the pool with jobs running and queued: the queued ones are
 * cancelled at once (while the running ones still block), the running ones
 * finish, every callback runs exactly once, and the callers' jobs stay
 * valid after the pool is gone. */
static void test_free_with_jobs_in_flight(void **state) {
  lv_extract_pool *p = fake_pool(2, 0, 0);
  done_rec ds[2] = {{0}}, dq[5] = {{0}};
  lv_extract_job *slow[2], *queued[5];
  slow[0] = submit_str(p, "SLOW0", &ds[0]);
  slow[1] = submit_str(p, "SLOW1", &ds[1]);
  await_slow_running(2);
  for (int i = 0; i < 5; i++)
    queued[i] = submit_str(p, "queued", &dq[i]);

  pthread_t freer;
  assert_int_equal(pthread_create(&freer, NULL, free_pool, p), 0);
  await_callbacks(5);
  assert_int_equal(get_slow_running(), 2);
  for (int i = 0; i < 5; i++) {
    done_rec r = read_rec(&dq[i]);
    assert_int_equal(r.calls, 1);
    assert_int_equal(r.status, LEVEE_ECANCELLED);
    assert_true(pthread_equal(r.thread, freer));
    assert_job_text(queued[i], LEVEE_ECANCELLED, NULL);
    assert_int_equal(lv_extract_job_result(queued[i])->extract_ms, 0);
  }
  for (int i = 0; i < 2; i++)
    assert_int_equal(read_rec(&ds[i]).calls, 0);

  open_gate();
  assert_int_equal(pthread_join(freer, NULL), 0);
  /* The pool is freed; its jobs are not. */
  assert_int_equal(get_calls(), 2);
  for (int i = 0; i < 2; i++) {
    done_rec r = read_rec(&ds[i]);
    assert_int_equal(r.calls, 1);
    assert_int_equal(r.status, LEVEE_OK);
    assert_false(pthread_equal(r.thread, pthread_self()));
    assert_false(pthread_equal(r.thread, freer));
    assert_job_text(slow[i], LEVEE_OK, i ? "SLOW1" : "SLOW0");
    lv_extract_job_release(slow[i]);
  }
  for (int i = 0; i < 5; i++) {
    assert_int_equal(read_rec(&dq[i]).calls, 1);
    lv_extract_job_release(queued[i]);
  }
  /* ASan's leak check at exit proves the last release freed the pool. */
}

/* The callback runs once per job, on a worker, with the result set. */
static void test_done_callback(void **state) {
  lv_extract_pool *p = fake_pool(2, 0, 0);
  done_rec d[11] = {{0}};
  lv_extract_job *j[11];
  char s[32];
  for (int i = 0; i < 10; i++) {
    snprintf(s, sizeof s, "job %d", i);
    j[i] = submit_str(p, s, &d[i]);
  }
  j[10] = submit_str(p, "FAIL", &d[10]);
  await_callbacks(11);
  for (int i = 0; i < 11; i++) {
    done_rec r = read_rec(&d[i]);
    assert_int_equal(r.calls, 1);
    assert_true(r.had_result);
    assert_false(pthread_equal(r.thread, pthread_self()));
    if (i < 10) {
      snprintf(s, sizeof s, "job %d", i);
      assert_int_equal(r.status, LEVEE_OK);
      assert_string_equal(r.text, s);
    } else {
      assert_int_equal(r.status, LEVEE_EINVAL);
    }
  }
  for (int i = 0; i < 11; i++)
    lv_extract_job_release(j[i]);
  lv_extract_pool_free(p);
  pthread_mutex_lock(&cb_mu);
  int total = cb_total;
  pthread_mutex_unlock(&cb_mu);
  assert_int_equal(total, 11); /* none ran twice, before or at free */
}

/* Several threads submitting many jobs, with a queue small enough to push
 * back: every job completes exactly once with its own text. */
#define SUBMITTERS 4
#define JOBS_EACH 500

typedef struct submitter {
  lv_extract_pool *pool;
  int id;
  done_rec *recs;
  int busy;  /* EBUSY answers */
  int wrong; /* other failures, checked by the main thread */
} submitter;

static void *submit_many(void *arg) {
  submitter *s = arg;
  lv_extract_job **jobs = calloc(JOBS_EACH, sizeof(lv_extract_job *));
  if (!jobs) {
    s->wrong++;
    return NULL;
  }
  char text[32];
  for (int i = 0; i < JOBS_EACH; i++) {
    int n = snprintf(text, sizeof text, "t%d-%d", s->id, i);
    for (;;) {
      char *b = malloc((size_t)n);
      if (!b) {
        s->wrong++;
        break;
      }
      memcpy(b, text, (size_t)n);
      int rc = lv_extract_pool_submit(s->pool, b, (size_t)n, on_done,
                                      &s->recs[i], &jobs[i]);
      if (rc == LEVEE_OK)
        break;
      free(b);
      if (rc != LEVEE_EBUSY) {
        s->wrong++;
        break;
      }
      s->busy++;
      /* Back-pressure: let the workers drain a little. */
      struct timespec ms = {0, 1000000L};
      nanosleep(&ms, NULL);
    }
  }
  for (int i = 0; i < JOBS_EACH; i++) {
    if (!jobs[i])
      continue;
    snprintf(text, sizeof text, "t%d-%d", s->id, i);
    const lv_extract_result *r = NULL;
    if (lv_extract_job_wait(jobs[i], LONG_WAIT_MS) ||
        !(r = lv_extract_job_result(jobs[i])) || r->status || !r->text.ptr ||
        strcmp(r->text.ptr, text) != 0)
      s->wrong++;
    lv_extract_job_release(jobs[i]);
  }
  free(jobs);
  return NULL;
}

static void test_many_submitters(void **state) {
  lv_extract_pool *p = fake_pool(2, 64, 0);
  open_gate();
  static done_rec recs[SUBMITTERS][JOBS_EACH];
  memset(recs, 0, sizeof recs);
  submitter s[SUBMITTERS];
  pthread_t t[SUBMITTERS];
  for (int i = 0; i < SUBMITTERS; i++) {
    s[i] = (submitter){p, i, recs[i], 0, 0};
    assert_int_equal(pthread_create(&t[i], NULL, submit_many, &s[i]), 0);
  }
  int busy = 0;
  for (int i = 0; i < SUBMITTERS; i++) {
    assert_int_equal(pthread_join(t[i], NULL), 0);
    assert_int_equal(s[i].wrong, 0);
    busy += s[i].busy;
  }
  await_callbacks(SUBMITTERS * JOBS_EACH);
  char text[32];
  for (int i = 0; i < SUBMITTERS; i++) {
    for (int k = 0; k < JOBS_EACH; k++) {
      done_rec r = read_rec(&recs[i][k]);
      snprintf(text, sizeof text, "t%d-%d", i, k);
      assert_int_equal(r.calls, 1);
      assert_int_equal(r.status, LEVEE_OK);
      assert_string_equal(r.text, text);
    }
  }
  lv_extract_pool_stats st;
  lv_extract_pool_get_stats(p, &st);
  assert_int_equal(st.done, SUBMITTERS * JOBS_EACH);
  assert_int_equal(st.rejected, (uint64_t)busy);
  assert_int_equal(st.failed + st.cancelled, 0);
  assert_int_equal(get_calls(), SUBMITTERS * JOBS_EACH);
  lv_extract_pool_free(p);
}

int main(void) {
  /* A wait without limit that never returns ends the run as a failure
   * (SIGALRM's default action) rather than hanging it. */
  alarm(120);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_real_extract_text, setup, teardown),
      cmocka_unit_test_setup_teardown(test_options, setup, teardown),
      cmocka_unit_test_setup_teardown(test_wait_timeout, setup, teardown),
      cmocka_unit_test_setup_teardown(test_job_waits_for_free_worker, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_job_not_stuck_behind_slow, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_poll_result, setup, teardown),
      cmocka_unit_test_setup_teardown(test_fifo, setup, teardown),
      cmocka_unit_test_setup_teardown(test_backpressure_jobs, setup, teardown),
      cmocka_unit_test_setup_teardown(test_backpressure_bytes, setup, teardown),
      cmocka_unit_test_setup_teardown(test_release_before_start, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_free_with_jobs_in_flight, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_done_callback, setup, teardown),
      cmocka_unit_test_setup_teardown(test_many_submitters, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
