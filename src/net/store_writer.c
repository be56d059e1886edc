/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_writer.c: the one writer of levee serve's audit store
 * (store_writer.h): a bounded queue and a thread that commits what
 * gathered as one transaction.
 *
 * When a transaction fails, it is rolled back and its writes are tried
 * again one transaction each, so that one write the store refuses fails
 * alone and the others are not lost with it.
 */
#include "net/store_writer.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/clock.h"
#include "util/error.h"
#include "util/limits.h"

struct lv_store_writer {
  lv_store *store;
  size_t queue_max, queued;
  lv_write *head, *tail;
  int stopping;
  lv_store_tick_fn tick;
  void *tick_ud;
  int64_t tick_ms, next_tick;
  pthread_mutex_t mu;
  pthread_cond_t work, done;
  pthread_t thread;
};

/* Adds one write in the open transaction. */
static int add(lv_store *st, lv_write *w) {
  for (size_t i = 0; i < w->n; i++) {
    int rc = lv_store_add_event(st, w->actor, &w->ev[i], &w->content[i],
                                &w->seqs[i], &w->err);
    if (rc)
      return rc;
  }
  for (size_t i = 0; i < w->n_recs; i++) {
    lv_write_rec *r = &w->recs[i];
    int rc = lv_store_add_record(st, w->actor, r->type, r->outcome, r->detail,
                                 &r->seq, &w->err);
    if (rc)
      return rc;
  }
  return LEVEE_OK;
}

/* Writes the writes of list in one transaction: the status for all. */
static int write_group(lv_store *st, lv_write *list) {
  levee_error err = {0};
  int rc = lv_store_begin(st, &err);
  for (lv_write *w = list; rc == 0 && w; w = w->next)
    if ((rc = add(st, w)))
      err = w->err;
  if (rc == 0)
    rc = lv_store_commit(st, &err);
  if (rc) {
    lv_store_rollback(st);
    for (lv_write *w = list; w; w = w->next)
      if (!w->err.message[0])
        w->err = err;
  }
  return rc;
}

static void run_tick(lv_store_writer *wr) {
  levee_error err = {0};
  int rc = lv_store_begin(wr->store, &err);
  if (rc == 0 && (rc = wr->tick(wr->tick_ud, wr->store, &err)) == 0)
    rc = lv_store_commit(wr->store, &err);
  if (rc) {
    lv_store_rollback(wr->store);
    fprintf(stderr, "levee: serve: writing the counted accesses: %s\n",
            err.message[0] ? err.message : levee_strerror(rc));
  }
}

static void *writer_main(void *arg) {
  lv_store_writer *wr = arg;
  pthread_mutex_lock(&wr->mu);
  for (;;) {
    while (!wr->head && !wr->stopping &&
           !(wr->tick && lv_now_ms() >= wr->next_tick)) {
      if (wr->tick) {
        int64_t at = wr->next_tick;
        struct timespec ts = {at / 1000, (long)(at % 1000) * 1000000L};
        pthread_cond_timedwait(&wr->work, &wr->mu, &ts);
      } else {
        pthread_cond_wait(&wr->work, &wr->mu);
      }
    }
    if (!wr->head && wr->stopping)
      break;
    /* Take up to a group's worth. */
    lv_write *list = wr->head, *last = list;
    size_t n = 0;
    if (list) {
      n = 1;
      while (last->next && n < LV_STORE_WRITE_GROUP) {
        last = last->next;
        n++;
      }
      wr->head = last->next;
      if (!wr->head)
        wr->tail = NULL;
      last->next = NULL;
      wr->queued -= n;
    }
    int tick_due = wr->tick && lv_now_ms() >= wr->next_tick;
    pthread_mutex_unlock(&wr->mu);

    if (list && write_group(wr->store, list) != 0) {
      /* Again, one at a time, so only the write at fault fails. */
      for (lv_write *w = list; w; w = w->next) {
        lv_write *next = w->next;
        w->next = NULL;
        memset(&w->err, 0, sizeof w->err);
        w->status = write_group(wr->store, w);
        w->next = next;
      }
    } else {
      for (lv_write *w = list; w; w = w->next)
        w->status = LEVEE_OK;
    }
    if (tick_due) {
      run_tick(wr);
      wr->next_tick = lv_now_ms() + wr->tick_ms;
    }

    pthread_mutex_lock(&wr->mu);
    for (lv_write *w = list; w;) {
      lv_write *next = w->next;
      w->done = 1; /* w may be gone once its waiter sees this */
      w = next;
    }
    if (list)
      pthread_cond_broadcast(&wr->done);
  }
  pthread_mutex_unlock(&wr->mu);
  if (wr->tick)
    run_tick(wr);
  return NULL;
}

int lv_store_writer_start(const lv_store_writer_options *o,
                          lv_store_writer **out) {
  lv_store_writer *wr = calloc(1, sizeof *wr);
  if (!wr)
    return LEVEE_ENOMEM;
  wr->store = o->store;
  wr->queue_max = o->queue_max ? o->queue_max : LV_STORE_WRITE_QUEUE;
  wr->tick = o->tick;
  wr->tick_ud = o->tick_ud;
  wr->tick_ms = o->tick_ms > 0 ? o->tick_ms : 60000;
  wr->next_tick = lv_now_ms() + wr->tick_ms;
  pthread_mutex_init(&wr->mu, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&wr->work, &ca);
  pthread_condattr_destroy(&ca);
  pthread_cond_init(&wr->done, NULL);
  if (pthread_create(&wr->thread, NULL, writer_main, wr)) {
    pthread_cond_destroy(&wr->work);
    pthread_cond_destroy(&wr->done);
    pthread_mutex_destroy(&wr->mu);
    free(wr);
    return LEVEE_ENOMEM;
  }
  *out = wr;
  return LEVEE_OK;
}

int lv_store_writer_write(lv_store_writer *wr, lv_write *w) {
  w->next = NULL;
  w->done = 0;
  w->status = LEVEE_OK;
  memset(&w->err, 0, sizeof w->err);
  pthread_mutex_lock(&wr->mu);
  if (wr->stopping) {
    pthread_mutex_unlock(&wr->mu);
    return w->status = LEVEE_ECANCELLED;
  }
  if (wr->queued >= wr->queue_max) {
    pthread_mutex_unlock(&wr->mu);
    return w->status = LEVEE_EBUSY;
  }
  if (wr->tail)
    wr->tail->next = w;
  else
    wr->head = w;
  wr->tail = w;
  wr->queued++;
  pthread_cond_signal(&wr->work);
  while (!w->done)
    pthread_cond_wait(&wr->done, &wr->mu);
  pthread_mutex_unlock(&wr->mu);
  return w->status;
}

size_t lv_store_writer_queued(lv_store_writer *wr) {
  pthread_mutex_lock(&wr->mu);
  size_t n = wr->queued;
  pthread_mutex_unlock(&wr->mu);
  return n;
}

void lv_store_writer_stop(lv_store_writer *wr) {
  if (!wr)
    return;
  pthread_mutex_lock(&wr->mu);
  wr->stopping = 1;
  pthread_cond_signal(&wr->work);
  pthread_mutex_unlock(&wr->mu);
  pthread_join(wr->thread, NULL);
  pthread_cond_destroy(&wr->work);
  pthread_cond_destroy(&wr->done);
  pthread_mutex_destroy(&wr->mu);
  free(wr);
}
