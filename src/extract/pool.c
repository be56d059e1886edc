/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pool.c: the bounded extraction worker pool (pool.h).
 *
 * One mutex guards everything shared: the FIFO queue (a doubly linked list,
 * so a released job leaves it at once), the counters, each job's state and
 * reference count. Workers sleep on one condition variable until a job or
 * the stop arrives; each job has its own, on CLOCK_MONOTONIC, for its
 * waiters. The extraction itself, the copying of its text and the done
 * callbacks run with the mutex released.
 *
 * Lifetimes: the pool is reference-counted by its owner (dropped by
 * lv_extract_pool_free after the threads are joined) and by each job not
 * yet freed, so a job's mutex and counters outlive the owner's free. A job
 * is referenced by its caller and, while queued or running, by the pool;
 * the pool's reference is dropped after the done callback returns.
 */
#include "extract/pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/error.h"
#include "util/limits.h"

/* A job's life: queued, then running on a worker, then done (extracted,
 * failed or cancelled). Only done is final; cancellation goes from queued
 * to done directly. */
typedef enum job_state {
  JOB_QUEUED, /* on the pool's queue */
  JOB_RUNNING,
  JOB_DONE /* result set; never changes again */
} job_state;

struct lv_extract_job {
  lv_extract_pool *pool; /* a reference, dropped when the job is freed */
  lv_extract_job *prev;  /* queue links, while queued */
  lv_extract_job *next;
  pthread_cond_t completed; /* broadcast when the state becomes done */
  unsigned refs;            /* caller 1, pool 1 until its callback ran */
  job_state state;
  void *bytes; /* taken at submit; freed once run or cancelled */
  size_t n;
  lv_extract_done_fn done;
  void *ud;
  int64_t submitted_ms;
  lv_extract_result result; /* written once, before the state is done */
};

typedef struct worker {
  lv_extract_pool *pool;
  pthread_t thread;
  lv_extractor *x; /* this worker's alone */
  lv_arena arena;  /* reset after each job */
} worker;

struct lv_extract_pool {
  pthread_mutex_t mu;
  pthread_cond_t work;      /* workers: a job was queued, or stop */
  pthread_condattr_t clock; /* CLOCK_MONOTONIC, for the jobs' conditions */
  size_t refs;              /* the owner's and one per job */
  int stopping;
  lv_extract_job *head, *tail; /* jobs waiting to start, oldest first */
  size_t max_queued, max_queued_bytes;
  lv_extract_fn extract;
  lv_extract_pool_stats stats;
  worker *workers;
  unsigned n_workers;
  unsigned n_threads; /* started, to be joined */
};

/* --- references ----------------------------------------------------------- */

static void pool_destroy(lv_extract_pool *p) {
  pthread_cond_destroy(&p->work);
  pthread_condattr_destroy(&p->clock);
  pthread_mutex_destroy(&p->mu);
  free(p);
}

static void pool_unref(lv_extract_pool *p) {
  pthread_mutex_lock(&p->mu);
  int last = --p->refs == 0;
  pthread_mutex_unlock(&p->mu);
  if (last)
    pool_destroy(p);
}

/* Frees a job whose last reference was dropped (with the mutex released). */
static void job_destroy(lv_extract_job *j) {
  lv_extract_pool *p = j->pool;
  free(j->bytes);
  free((char *)j->result.text.ptr);
  pthread_cond_destroy(&j->completed);
  free(j);
  pool_unref(p);
}

/* Drops one reference on j; the mutex must not be held. */
static void job_unref(lv_extract_job *j) {
  lv_extract_pool *p = j->pool;
  pthread_mutex_lock(&p->mu);
  int last = --j->refs == 0;
  pthread_mutex_unlock(&p->mu);
  if (last)
    job_destroy(j);
}

/* --- the queue (mutex held) --------------------------------------------- */

static void enqueue(lv_extract_pool *p, lv_extract_job *j) {
  j->prev = p->tail;
  j->next = NULL;
  if (p->tail)
    p->tail->next = j;
  else
    p->head = j;
  p->tail = j;
  p->stats.queued++;
  p->stats.queued_bytes += j->n;
}

static void dequeue(lv_extract_pool *p, lv_extract_job *j) {
  if (j->prev)
    j->prev->next = j->next;
  else
    p->head = j->next;
  if (j->next)
    j->next->prev = j->prev;
  else
    p->tail = j->prev;
  j->prev = j->next = NULL;
  p->stats.queued--;
  p->stats.queued_bytes -= j->n;
}

/* --- completion ----------------------------------------------------------- */

/* Sets the result of a job taken off the queue that will not run, and wakes
 * its waiters (mutex held). The caller then calls finish(). */
static void cancel_locked(lv_extract_pool *p, lv_extract_job *j,
                          const char *why) {
  lv_extract_result *r = &j->result;
  r->status = LEVEE_ECANCELLED;
  r->queued_ms = lv_now_ms() - j->submitted_ms;
  lv_error_set(&r->err, LEVEE_ECANCELLED, "%s", why);
  free(j->bytes);
  j->bytes = NULL;
  j->state = JOB_DONE;
  p->stats.cancelled++;
  pthread_cond_broadcast(&j->completed);
}

/* The end of a completed job's time in the pool (mutex not held): its
 * callback, then the pool's reference goes. */
static void finish(lv_extract_job *j) {
  if (j->done)
    j->done(j->ud, j);
  job_unref(j);
}

/* --- workers -------------------------------------------------------------- */

/* Runs one job taken off the queue (mutex not held) and publishes its
 * result. */
static void run(worker *w, lv_extract_job *j) {
  lv_extract_pool *p = w->pool;
  lv_extract_result *r = &j->result;
  levee_str text = {NULL, 0};
  int64_t start = lv_now_ms();
  int rc =
      p->extract(w->x, j->bytes, j->n, &w->arena, &text, &r->info, &r->err);
  /* The text may live in the arena or borrow the job's bytes: copy it out
   * before both go. Its size is bounded by the extractor's limits. */
  if (text.ptr) {
    char *copy = malloc(text.len + 1);
    if (copy) {
      memcpy(copy, text.ptr, text.len);
      copy[text.len] = '\0';
      r->text.ptr = copy;
      r->text.len = text.len;
    } else if (!rc) {
      rc = lv_error_set(&r->err, LEVEE_ENOMEM, "out of memory");
    }
  }
  if (rc && !r->err.message[0])
    lv_error_set(&r->err, rc, "%s", levee_strerror(rc));
  r->err.status = rc;
  r->status = rc;
  r->extract_ms = lv_now_ms() - start;
  lv_arena_reset(&w->arena);
  free(j->bytes);
  j->bytes = NULL;

  pthread_mutex_lock(&p->mu);
  j->state = JOB_DONE;
  p->stats.running--;
  if (rc)
    p->stats.failed++;
  else
    p->stats.done++;
  pthread_cond_broadcast(&j->completed);
  pthread_mutex_unlock(&p->mu);
  finish(j);
}

static void *worker_main(void *arg) {
  worker *w = arg;
  lv_extract_pool *p = w->pool;
  pthread_mutex_lock(&p->mu);
  for (;;) {
    while (!p->head && !p->stopping)
      pthread_cond_wait(&p->work, &p->mu);
    if (p->stopping)
      break; /* the queue was cancelled by the stop */
    lv_extract_job *j = p->head;
    dequeue(p, j);
    j->state = JOB_RUNNING;
    j->result.queued_ms = lv_now_ms() - j->submitted_ms;
    p->stats.running++;
    pthread_mutex_unlock(&p->mu);
    run(w, j);
    pthread_mutex_lock(&p->mu);
  }
  pthread_mutex_unlock(&p->mu);
  return NULL;
}

/* --- the pool ------------------------------------------------------------- */

static unsigned default_workers(void) {
  long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  if (ncpu < 1)
    return 1;
  return ncpu > (long)LV_MAX_EXTRACT_WORKERS ? LV_MAX_EXTRACT_WORKERS
                                             : (unsigned)ncpu;
}

/* Makes p's locks; returns 0 or an errno. */
static int pool_init_sync(lv_extract_pool *p) {
  int e = pthread_mutex_init(&p->mu, NULL);
  if (e)
    return e;
  if ((e = pthread_condattr_init(&p->clock)))
    goto fail_mu;
  if ((e = pthread_condattr_setclock(&p->clock, CLOCK_MONOTONIC)) ||
      (e = pthread_cond_init(&p->work, NULL)))
    goto fail_attr;
  return 0;
fail_attr:
  pthread_condattr_destroy(&p->clock);
fail_mu:
  pthread_mutex_destroy(&p->mu);
  return e;
}

int lv_extract_pool_new(const lv_extract_pool_options *o,
                        lv_extract_pool **out) {
  lv_extract_pool_options d = {0};
  if (!o)
    o = &d;
  if (o->workers > LV_MAX_EXTRACT_WORKERS)
    return LEVEE_EINVAL;
  lv_extract_pool *p = calloc(1, sizeof *p);
  if (!p)
    return LEVEE_ENOMEM;
  if (pool_init_sync(p)) {
    free(p);
    return LEVEE_ENOMEM;
  }
  p->refs = 1;
  p->max_queued = o->max_queued ? o->max_queued : LV_EXTRACT_QUEUE_JOBS;
  p->max_queued_bytes =
      o->max_queued_bytes ? o->max_queued_bytes : LV_EXTRACT_QUEUE_BYTES;
  p->extract = o->extract ? o->extract : lv_extract;
  p->n_workers = o->workers ? o->workers : default_workers();
  int rc = LEVEE_OK;
  p->workers = calloc(p->n_workers, sizeof *p->workers);
  if (!p->workers) {
    rc = LEVEE_ENOMEM;
    goto out;
  }
  for (unsigned i = 0; i < p->n_workers; i++) {
    worker *w = &p->workers[i];
    w->pool = p;
    lv_arena_init(&w->arena, LV_MAX_ARENA_BYTES);
    if ((rc = lv_extractor_new(&w->x)))
      goto out;
  }
  for (; p->n_threads < p->n_workers; p->n_threads++) {
    worker *w = &p->workers[p->n_threads];
    if (pthread_create(&w->thread, NULL, worker_main, w)) {
      rc = LEVEE_EIO;
      goto out;
    }
  }
out:
  if (rc) {
    lv_extract_pool_free(p);
    return rc;
  }
  *out = p;
  return LEVEE_OK;
}

void lv_extract_pool_free(lv_extract_pool *p) {
  if (!p)
    return;
  /* Take every job not yet started off the queue, and cancel them here, so
   * their waiters learn it now rather than after the running jobs. */
  pthread_mutex_lock(&p->mu);
  p->stopping = 1;
  pthread_cond_broadcast(&p->work);
  lv_extract_job *cancelled = p->head;
  for (lv_extract_job *j = p->head; j; j = j->next)
    cancel_locked(p, j, "cancelled: the extraction pool stopped");
  p->head = p->tail = NULL;
  p->stats.queued = 0;
  p->stats.queued_bytes = 0;
  pthread_mutex_unlock(&p->mu);
  while (cancelled) {
    lv_extract_job *next = cancelled->next;
    finish(cancelled);
    cancelled = next;
  }
  for (unsigned i = 0; i < p->n_threads; i++)
    pthread_join(p->workers[i].thread, NULL);
  if (p->workers) {
    for (unsigned i = 0; i < p->n_workers; i++) {
      lv_extractor_free(p->workers[i].x);
      lv_arena_cleanup(&p->workers[i].arena);
    }
    free(p->workers);
  }
  pool_unref(p);
}

void lv_extract_pool_get_stats(lv_extract_pool *p, lv_extract_pool_stats *out) {
  pthread_mutex_lock(&p->mu);
  *out = p->stats;
  pthread_mutex_unlock(&p->mu);
}

/* --- jobs ----------------------------------------------------------------- */

int lv_extract_pool_submit(lv_extract_pool *p, void *bytes, size_t n,
                           lv_extract_done_fn done, void *ud,
                           lv_extract_job **out) {
  if (!p || !out || (!bytes && n))
    return LEVEE_EINVAL;
  if (n > p->max_queued_bytes)
    return LEVEE_ETOOBIG;
  lv_extract_job *j = calloc(1, sizeof *j);
  if (!j)
    return LEVEE_ENOMEM;
  if (pthread_cond_init(&j->completed, &p->clock)) {
    free(j);
    return LEVEE_ENOMEM;
  }
  j->pool = p;
  j->refs = 2; /* the caller's and the pool's */
  j->state = JOB_QUEUED;
  j->bytes = bytes;
  j->n = n;
  j->done = done;
  j->ud = ud;
  j->submitted_ms = lv_now_ms();

  int rc = LEVEE_OK;
  pthread_mutex_lock(&p->mu);
  if (p->stopping) {
    rc = LEVEE_EINVAL;
  } else if (p->stats.queued >= p->max_queued ||
             n > p->max_queued_bytes - p->stats.queued_bytes) {
    p->stats.rejected++;
    rc = LEVEE_EBUSY;
  } else {
    p->refs++;
    enqueue(p, j);
    pthread_cond_signal(&p->work);
  }
  pthread_mutex_unlock(&p->mu);
  if (rc) {
    pthread_cond_destroy(&j->completed);
    free(j); /* not its bytes: the caller keeps them */
    return rc;
  }
  *out = j;
  return LEVEE_OK;
}

/* The absolute CLOCK_MONOTONIC time ms from now; returns -1 when that is
 * too far to represent (then the wait has no limit). */
static int deadline_in(int64_t ms, struct timespec *ts) {
  if (ms / 1000 > (int64_t)1 << 31)
    return -1;
  clock_gettime(CLOCK_MONOTONIC, ts);
  ts->tv_sec += (time_t)(ms / 1000);
  ts->tv_nsec += (long)(ms % 1000) * 1000000L;
  if (ts->tv_nsec >= 1000000000L) {
    ts->tv_sec++;
    ts->tv_nsec -= 1000000000L;
  }
  return 0;
}

int lv_extract_job_wait(lv_extract_job *j, int64_t timeout_ms) {
  lv_extract_pool *p = j->pool;
  struct timespec deadline;
  int forever = timeout_ms < 0 ||
                (timeout_ms > 0 && deadline_in(timeout_ms, &deadline) < 0);
  int rc = LEVEE_OK;
  pthread_mutex_lock(&p->mu);
  while (j->state != JOB_DONE) {
    if (forever) {
      pthread_cond_wait(&j->completed, &p->mu);
    } else if (timeout_ms == 0 ||
               pthread_cond_timedwait(&j->completed, &p->mu, &deadline) ==
                   ETIMEDOUT) {
      if (j->state != JOB_DONE)
        rc = LEVEE_ETIMEOUT;
      break;
    }
  }
  pthread_mutex_unlock(&p->mu);
  return rc;
}

const lv_extract_result *lv_extract_job_result(const lv_extract_job *j) {
  lv_extract_pool *p = j->pool;
  pthread_mutex_lock(&p->mu);
  const lv_extract_result *r = j->state == JOB_DONE ? &j->result : NULL;
  pthread_mutex_unlock(&p->mu);
  return r;
}

void lv_extract_job_release(lv_extract_job *j) {
  if (!j)
    return;
  lv_extract_pool *p = j->pool;
  pthread_mutex_lock(&p->mu);
  if (j->state == JOB_QUEUED) {
    /* Nobody wants it any more: it leaves the queue without running. */
    dequeue(p, j);
    cancel_locked(p, j, "cancelled: released before it started");
    j->refs--; /* the caller's; the pool's goes in finish() */
    pthread_mutex_unlock(&p->mu);
    finish(j);
    return;
  }
  int last = --j->refs == 0;
  pthread_mutex_unlock(&p->mu);
  if (last)
    job_destroy(j);
}
