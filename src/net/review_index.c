/* SPDX-License-Identifier: Apache-2.0 */
/*
 * review_index.c: alerts' review status in memory (review_index.h): a hash
 * table of event ids, chained, behind a read-write lock.
 */
#include "net/review_index.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/limits.h"

#define BUCKETS 65536u /* a power of two */

typedef struct entry {
  struct entry *next;
  lv_review_state st;
  size_t len;
  char id[]; /* len bytes */
} entry;

struct lv_reviews {
  pthread_rwlock_t lock;
  entry **buckets;
  size_t n;
  int full_said;
  uint64_t by_status[LV_REVIEW_UNKNOWN + 1];
};

static const char *const status_names[] = {"open", "confirmed", "dismissed",
                                           "escalated", "unknown"};

const char *lv_review_status_name(lv_review_status s) {
  return (size_t)s < sizeof status_names / sizeof status_names[0]
             ? status_names[s]
             : "?";
}

int lv_review_status_parse(const char *s) {
  for (int i = 0; i <= LV_REVIEW_ESCALATED; i++)
    if (!strcmp(s, status_names[i]))
      return i;
  return -1;
}

int lv_review_decision(const char *d) {
  if (!strcmp(d, "confirm"))
    return LV_REVIEW_CONFIRMED;
  if (!strcmp(d, "dismiss"))
    return LV_REVIEW_DISMISSED;
  if (!strcmp(d, "escalate"))
    return LV_REVIEW_ESCALATED;
  if (!strcmp(d, "comment"))
    return -1;
  return -2;
}

int lv_reviews_new(lv_reviews **out) {
  lv_reviews *r = calloc(1, sizeof *r);
  if (!r || !(r->buckets = calloc(BUCKETS, sizeof(entry *)))) {
    free(r);
    return LEVEE_ENOMEM;
  }
  pthread_rwlock_init(&r->lock, NULL);
  *out = r;
  return LEVEE_OK;
}

void lv_reviews_free(lv_reviews *r) {
  if (!r)
    return;
  for (size_t i = 0; i < BUCKETS; i++)
    for (entry *e = r->buckets[i], *next; e; e = next) {
      next = e->next;
      free(e);
    }
  free(r->buckets);
  pthread_rwlock_destroy(&r->lock);
  free(r);
}

/* FNV-1a. */
static size_t bucket_of(levee_str id) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < id.len; i++)
    h = (h ^ (unsigned char)id.ptr[i]) * 1099511628211ull;
  return (size_t)(h & (BUCKETS - 1));
}

static entry *find(lv_reviews *r, levee_str id, size_t b) {
  for (entry *e = r->buckets[b]; e; e = e->next)
    if (e->len == id.len && !memcmp(e->id, id.ptr, id.len))
      return e;
  return NULL;
}

void lv_reviews_put(lv_reviews *r, levee_str id, const char *decision,
                    const char *by, int64_t ms, uint64_t record) {
  int d = lv_review_decision(decision);
  if (d == -2)
    return;
  size_t b = bucket_of(id);
  pthread_rwlock_wrlock(&r->lock);
  entry *e = find(r, id, b);
  if (!e) {
    if (r->n >= LV_MAX_REVIEWED_ALERTS ||
        !(e = calloc(1, sizeof *e + id.len))) {
      if (!r->full_said++)
        fprintf(stderr,
                "levee: serve: %zu alerts reviewed: the status of alerts "
                "reviewed from now on is shown as unknown (GET "
                "/v1/audit?type=review has them)\n",
                r->n);
      pthread_rwlock_unlock(&r->lock);
      return;
    }
    memcpy(e->id, id.ptr, id.len);
    e->len = id.len;
    r->by_status[LV_REVIEW_OPEN]++;
    e->next = r->buckets[b];
    r->buckets[b] = e;
    r->n++;
  }
  if (d >= 0) { /* a comment leaves the status */
    r->by_status[e->st.status]--;
    e->st.status = (lv_review_status)d;
    r->by_status[e->st.status]++;
  }
  e->st.reviews++;
  snprintf(e->st.last_by, sizeof e->st.last_by, "%s", by);
  e->st.last_ms = ms;
  e->st.last_record = record;
  pthread_rwlock_unlock(&r->lock);
}

void lv_reviews_get(lv_reviews *r, levee_str id, lv_review_state *out) {
  memset(out, 0, sizeof *out);
  size_t b = bucket_of(id);
  pthread_rwlock_rdlock(&r->lock);
  entry *e = find(r, id, b);
  if (e)
    *out = e->st;
  else if (r->full_said)
    out->status = LV_REVIEW_UNKNOWN;
  pthread_rwlock_unlock(&r->lock);
}

void lv_reviews_counts(lv_reviews *r, uint64_t out[LV_REVIEW_UNKNOWN + 1]) {
  pthread_rwlock_rdlock(&r->lock);
  memcpy(out, r->by_status, sizeof r->by_status);
  pthread_rwlock_unlock(&r->lock);
}
