/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pool.h: a bounded pool of extraction worker threads.
 *
 * OCR of a photo takes 0.4-2 s and a document can take longer; a text
 * verdict must never wait behind them. The server hands an attachment's
 * bytes to this pool and either waits for its text with a timeout (inline)
 * or gives the text verdict at once and the attachment's later, from the
 * job's done callback (follow-up). The pool only runs jobs; which of the
 * two a message gets is policy, decided by its caller.
 *
 * What it bounds: a fixed number of workers, each with one lv_extractor
 * (its OCR engine) and one per-job arena (reset between jobs); jobs waiting
 * to start, by count and by bytes. A submission past either bound is
 * refused with LEVEE_EBUSY (back-pressure) instead of growing a queue
 * without end. Memory in use is then at most the queued bytes, plus, per
 * worker, the job it runs and its arena (LV_MAX_ARENA_BYTES), plus the
 * texts of completed jobs their callers still hold.
 *
 * Jobs start in the order they were submitted (FIFO). Every wait sleeps on
 * a condition variable on CLOCK_MONOTONIC: no busy waiting, and no timeout
 * stretched or cut by a change of the wall clock.
 *
 * Ownership: a job is reference-counted between its caller (one reference,
 * dropped by lv_extract_job_release) and the pool (while it is queued or
 * running). A job holds a reference on the pool's shared state, so a
 * caller may wait on, read and release its jobs after lv_extract_pool_free
 * returned, and may release a job before, during or after its run.
 *
 * Thread safety: every function may be called from any thread, except that
 * lv_extract_pool_free must be called once, by the pool's owner, after its
 * last submit, and never from a done callback. Workers inherit the signal
 * mask of the thread that makes the pool.
 */
#ifndef LV_EXTRACT_POOL_H
#define LV_EXTRACT_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "extract/extract.h"
#include "levee/levee.h"
#include "util/arena.h"

typedef struct lv_extract_pool lv_extract_pool;
typedef struct lv_extract_job lv_extract_job;

/* The extraction a worker runs on a job's bytes: lv_extract, or a test's
 * own. Called on a worker thread with that worker's extractor and its
 * arena, reset between jobs; its contract is lv_extract's (text in a or
 * borrowed from bytes; info and err written). */
typedef int (*lv_extract_fn)(lv_extractor *x, const void *bytes, size_t n,
                             lv_arena *a, levee_str *text,
                             lv_extract_info *info, levee_error *err);

typedef struct lv_extract_pool_options {
  unsigned workers;        /* threads; 0: the number of CPUs, at most
                              LV_MAX_EXTRACT_WORKERS */
  size_t max_queued;       /* jobs waiting to start; 0: LV_EXTRACT_QUEUE_JOBS */
  size_t max_queued_bytes; /* their bytes; 0: LV_EXTRACT_QUEUE_BYTES */
  lv_extract_fn extract;   /* NULL: lv_extract */
} lv_extract_pool_options;

/* A completed job's outcome. */
typedef struct lv_extract_result {
  /* The extraction's status, or LEVEE_ECANCELLED when the job never ran
   * (released before it started, or the pool stopped first). */
  int status;
  /* malloc'd and owned by the job, NUL-terminated, valid until its last
   * reference goes; ptr NULL when the extraction gave no text. */
  levee_str text;
  /* As the extraction wrote it (lv_extract's kind and format are static
   * strings); zero when cancelled. */
  lv_extract_info info;
  levee_error err;    /* what happened, in words, when status != 0 */
  int64_t queued_ms;  /* from submit to start (or to cancellation) */
  int64_t extract_ms; /* running the extraction; 0 when cancelled */
} lv_extract_result;

/* Counters, for metrics. The first three are now; the rest since the pool
 * was made. */
typedef struct lv_extract_pool_stats {
  size_t queued;       /* jobs waiting to start */
  size_t queued_bytes; /* their bytes */
  size_t running;      /* jobs being extracted */
  uint64_t done;       /* extracted, status LEVEE_OK */
  uint64_t failed;     /* extracted, status an error */
  uint64_t rejected;   /* submissions refused with LEVEE_EBUSY */
  uint64_t cancelled;  /* completed as LEVEE_ECANCELLED */
} lv_extract_pool_stats;

/* Starts a pool. o may be NULL (every default). OUT: *out. Returns
 * LEVEE_OK; LEVEE_EINVAL for workers over LV_MAX_EXTRACT_WORKERS;
 * LEVEE_ENOMEM, or LEVEE_EIO when a thread cannot be started. */
int lv_extract_pool_new(const lv_extract_pool_options *o, lv_extract_pool **out)
    __attribute__((warn_unused_result));

/* Stops the pool: jobs not yet started complete at once as
 * LEVEE_ECANCELLED (their done callbacks run here, on this thread), running
 * ones finish (their callbacks on their workers); then the threads are
 * joined, so this returns once every job's callback has returned. Jobs the
 * callers still hold stay valid. Accepts NULL. */
void lv_extract_pool_free(lv_extract_pool *p);

/* Called exactly once per job when it completes (extracted, failed or
 * cancelled), after its result is set and its waiters are woken, with no
 * pool lock held: on the worker that ran it, or, for a job that never ran,
 * on the thread that cancelled it (in lv_extract_job_release or
 * lv_extract_pool_free). The job is valid during the call; the callback
 * may read its result, and may release the caller's reference if the
 * caller handed it over (follow-up delivery does; the caller must then not
 * touch the job after submit returns). */
typedef void (*lv_extract_done_fn)(void *ud, lv_extract_job *job);

/* Queues n bytes for extraction. bytes: a malloc'd buffer, taken by the
 * pool on success (freed once the job has run or was cancelled), kept by
 * the caller on failure.
 * done may be NULL. OUT: *out, a job reference the caller must release.
 * Returns LEVEE_OK; LEVEE_EBUSY when max_queued jobs or max_queued_bytes
 * bytes already wait (try again later, or give up on the attachment);
 * LEVEE_ETOOBIG when n alone is over max_queued_bytes (it would never
 * fit); LEVEE_EINVAL for bytes NULL with n > 0, or a pool that is
 * stopping; LEVEE_ENOMEM. */
int lv_extract_pool_submit(lv_extract_pool *p, void *bytes, size_t n,
                           lv_extract_done_fn done, void *ud,
                           lv_extract_job **out)
    __attribute__((warn_unused_result));

/* Waits until the job completes, at most timeout_ms milliseconds (< 0:
 * without limit; 0: only looks). Returns LEVEE_OK when it completed (its
 * result is then set), LEVEE_ETIMEOUT when not yet. */
int lv_extract_job_wait(lv_extract_job *j, int64_t timeout_ms)
    __attribute__((warn_unused_result));

/* The job's result once it completed, NULL before. Owned by the job; valid
 * until its last reference is dropped. */
const lv_extract_result *lv_extract_job_result(const lv_extract_job *j);

/* Drops the caller's reference (each job's exactly once). A job still
 * waiting to start is cancelled: taken off the queue at once (its bytes
 * freed, its slot free for others) and never run; its done callback runs
 * here, with status LEVEE_ECANCELLED. A running job finishes and is
 * freed after its callback. Accepts NULL. */
void lv_extract_job_release(lv_extract_job *j);

/* OUT: *out, the pool's counters now. */
void lv_extract_pool_get_stats(lv_extract_pool *p, lv_extract_pool_stats *out);

#endif
