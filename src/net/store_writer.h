/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_writer.h: levee serve's one writer of the audit store. Requests
 * hand it events and records and wait; one thread writes whatever has
 * gathered in one transaction (a group commit), and every waiter is woken
 * only once that transaction is committed, so a request answers only
 * after what it stored is durable.
 *
 * The queue is bounded: a submit to a full queue gets LEVEE_EBUSY at once
 * (the API answers 503 with Retry-After), never a wait without end.
 *
 * A tick function, when set, runs on the writer's thread inside a
 * transaction of its own every tick_ms (the API writes its counted
 * accesses there) and once more when the writer stops.
 */
#ifndef LV_NET_STORE_WRITER_H
#define LV_NET_STORE_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "levee/levee.h"
#include "store/store.h"

typedef struct lv_store_writer lv_store_writer;

/* A record to write: type, outcome and canonical JSON detail. */
typedef struct lv_write_rec {
  const char *type, *outcome;
  levee_str detail;
  uint64_t seq; /* OUT */
} lv_write_rec;

/* What a request writes, all in one transaction: its events, then its
 * records; everything borrowed until the write returns. */
typedef struct lv_write {
  levee_str actor;
  const lv_evidence *ev;
  lv_content *content;
  size_t n;
  uint64_t *seqs; /* OUT: each event's record, 0 for one already stored */
  lv_write_rec *recs;
  size_t n_recs;
  /* the writer's */
  int status;
  levee_error err;
  int done;
  struct lv_write *next;
} lv_write;

/* Called on the writer's thread in an open transaction: add records with
 * lv_store_add_record. Nonzero rolls the transaction back. */
typedef int (*lv_store_tick_fn)(void *ud, lv_store *st, levee_error *err);

typedef struct lv_store_writer_options {
  lv_store *store;  /* borrowed; the writer is its only user until stop */
  size_t queue_max; /* writes waiting; 0: LV_STORE_WRITE_QUEUE */
  lv_store_tick_fn tick;
  void *tick_ud;
  int64_t tick_ms;
} lv_store_writer_options;

int lv_store_writer_start(const lv_store_writer_options *o,
                          lv_store_writer **out)
    __attribute__((warn_unused_result));

/* Writes w and waits until it is committed. Returns w's status:
 * LEVEE_OK, LEVEE_EBUSY (the queue is full: nothing was written),
 * LEVEE_ECANCELLED (the writer is stopping), or the store's error (in
 * w->err). */
int lv_store_writer_write(lv_store_writer *wr, lv_write *w);

/* Writes waiting (for metrics). */
size_t lv_store_writer_queued(lv_store_writer *wr);

/* Writes what is queued, runs the tick once more, stops the thread and
 * frees; the store stays open (the caller closes it, which writes the last
 * checkpoint). Accepts NULL. */
void lv_store_writer_stop(lv_store_writer *wr);

#endif
