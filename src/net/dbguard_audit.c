/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dbguard_audit.c: the database guard's writer of the audit trail
 * (dbguard_audit.h): a queue, one thread, group commits.
 */
#include "net/dbguard_audit.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* A queued record, its strings in the same allocation. */
typedef struct audit_rec {
  struct audit_rec *next;
  char *actor, *type, *outcome, *detail;
  size_t detail_len;
  char bytes[];
} audit_rec;

struct lv_dbguard_audit {
  lv_store *store;
  lv_dbguard_audit_notify notify;
  void *ud;
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  audit_rec *head, *tail;
  size_t queued;
  uint64_t next_ticket;   /* the last ticket given */
  uint64_t urgent_upto;   /* the last ticket someone waits for */
  struct timespec oldest; /* when the oldest queued record came */
  int stopping;
  int busy;
  _Atomic uint64_t durable;
  _Atomic uint64_t written;
  _Atomic(char *) failed;
};

/* At most this many records in one transaction. */
#define AUDIT_BATCH 4096

/* Whether the queue is to be written now: something waits for it, enough
 * gathered, or the oldest has waited long enough (else *until is when). */
static int due(lv_dbguard_audit *a, struct timespec *until) {
  if (a->urgent_upto > a->next_ticket - a->queued || a->stopping ||
      a->queued >= LV_DBGUARD_AUDIT_BATCH)
    return 1;
  *until = a->oldest;
  until->tv_nsec += LV_DBGUARD_AUDIT_GATHER_MS * 1000000L;
  if (until->tv_nsec >= 1000000000L) {
    until->tv_sec++;
    until->tv_nsec -= 1000000000L;
  }
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return now.tv_sec > until->tv_sec ||
         (now.tv_sec == until->tv_sec && now.tv_nsec >= until->tv_nsec);
}

static void rec_free(audit_rec *r) {
  free(r);
}

static void fail(lv_dbguard_audit *a, const levee_error *err) {
  char *msg = NULL;
  if (asprintf(&msg, "%s", err->message[0] ? err->message : "store error") < 0)
    msg = NULL;
  char *expected = NULL;
  if (!msg || !atomic_compare_exchange_strong(&a->failed, &expected, msg))
    free(msg);
}

static void *writer_main(void *arg) {
  lv_dbguard_audit *a = arg;
  /* lower than the event loop's (a thread's own nice value on Linux); a
   * failure leaves it as it is */
  (void)setpriority(PRIO_PROCESS, (id_t)gettid(), LV_DBGUARD_AUDIT_NICE);
  for (;;) {
    pthread_mutex_lock(&a->mu);
    struct timespec until;
    while ((!a->head && !a->stopping) || (a->head && !due(a, &until))) {
      if (a->head)
        pthread_cond_timedwait(&a->cv, &a->mu, &until);
      else
        pthread_cond_wait(&a->cv, &a->mu);
    }
    if (!a->head && a->stopping) {
      pthread_mutex_unlock(&a->mu);
      break;
    }
    /* Take up to a batch; the tickets of what is taken end at last. */
    audit_rec *batch = a->head, *end = a->head;
    size_t n = 1;
    while (end->next && n < AUDIT_BATCH)
      end = end->next, n++;
    a->head = end->next;
    if (!a->head)
      a->tail = NULL;
    end->next = NULL;
    a->queued -= n;
    uint64_t last = a->next_ticket - a->queued;
    if (a->head) /* the rest gathers anew */
      clock_gettime(CLOCK_MONOTONIC, &a->oldest);
    if (a->busy && a->queued < LV_DBGUARD_AUDIT_LOW)
      a->busy = 0;
    pthread_mutex_unlock(&a->mu);

    levee_error err = {0};
    int rc = atomic_load(&a->failed) ? -1 : lv_store_begin(a->store, &err);
    for (audit_rec *r = batch; !rc && r; r = r->next) {
      uint64_t seq;
      rc = lv_store_add_record(
          a->store, (levee_str){r->actor, strlen(r->actor)}, r->type,
          r->outcome, (levee_str){r->detail, r->detail_len}, &seq, &err);
    }
    if (!rc)
      rc = lv_store_commit(a->store, &err);
    else if (rc != -1)
      lv_store_rollback(a->store);
    if (rc && rc != -1) {
      fprintf(stderr, "levee dbguard: the audit trail cannot be written: %s\n",
              err.message);
      fail(a, &err);
    }
    if (!rc) {
      atomic_store(&a->written, atomic_load(&a->written) + n);
      atomic_store(&a->durable, last);
    }
    while (batch) {
      audit_rec *next = batch->next;
      rec_free(batch);
      batch = next;
    }
    if (a->notify)
      a->notify(a->ud);
  }
  return NULL;
}

int lv_dbguard_audit_start(lv_store *st, lv_dbguard_audit_notify notify,
                           void *ud, lv_dbguard_audit **out) {
  lv_dbguard_audit *a = calloc(1, sizeof *a);
  if (!a)
    return LEVEE_ENOMEM;
  a->store = st;
  a->notify = notify;
  a->ud = ud;
  pthread_mutex_init(&a->mu, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&a->cv, &ca);
  pthread_condattr_destroy(&ca);
  if (pthread_create(&a->thread, NULL, writer_main, a)) {
    pthread_mutex_destroy(&a->mu);
    pthread_cond_destroy(&a->cv);
    free(a);
    return LEVEE_EIO;
  }
  *out = a;
  return LEVEE_OK;
}

uint64_t lv_dbguard_audit_add(lv_dbguard_audit *a, const char *actor,
                              const char *type, const char *outcome,
                              const char *detail, size_t detail_len,
                              int urgent) {
  if (atomic_load(&a->failed))
    return 0;
  size_t la = strlen(actor) + 1, lt = strlen(type) + 1,
         lo = strlen(outcome) + 1;
  audit_rec *r = malloc(sizeof *r + la + lt + lo + detail_len + 1);
  if (!r)
    return 0;
  r->next = NULL;
  r->actor = memcpy(r->bytes, actor, la);
  r->type = memcpy(r->actor + la, type, lt);
  r->outcome = memcpy(r->type + lt, outcome, lo);
  r->detail = memcpy(r->outcome + lo, detail, detail_len);
  r->detail[detail_len] = '\0';
  r->detail_len = detail_len;
  pthread_mutex_lock(&a->mu);
  if (a->tail)
    a->tail->next = r;
  else {
    a->head = r;
    clock_gettime(CLOCK_MONOTONIC, &a->oldest);
  }
  a->tail = r;
  a->queued++;
  uint64_t ticket = ++a->next_ticket;
  if (a->queued > LV_DBGUARD_AUDIT_HIGH)
    a->busy = 1;
  /* the writer sleeps until the batch is due; wake it when it is now */
  if (urgent)
    a->urgent_upto = ticket;
  if (urgent || a->queued == 1 || a->queued == LV_DBGUARD_AUDIT_BATCH)
    pthread_cond_signal(&a->cv);
  pthread_mutex_unlock(&a->mu);
  return ticket;
}

uint64_t lv_dbguard_audit_durable(lv_dbguard_audit *a) {
  return atomic_load(&a->durable);
}

int lv_dbguard_audit_busy(lv_dbguard_audit *a) {
  pthread_mutex_lock(&a->mu);
  int b = a->busy;
  pthread_mutex_unlock(&a->mu);
  return b;
}

const char *lv_dbguard_audit_failed(lv_dbguard_audit *a) {
  return atomic_load(&a->failed);
}

uint64_t lv_dbguard_audit_written(lv_dbguard_audit *a) {
  return atomic_load(&a->written);
}

void lv_dbguard_audit_stop(lv_dbguard_audit *a) {
  if (!a)
    return;
  pthread_mutex_lock(&a->mu);
  a->stopping = 1;
  pthread_cond_signal(&a->cv);
  pthread_mutex_unlock(&a->mu);
  pthread_join(a->thread, NULL);
  pthread_mutex_destroy(&a->mu);
  pthread_cond_destroy(&a->cv);
  free(atomic_load(&a->failed));
  free(a);
}
