/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rate_limit.c: per-client token buckets (rate_limit.h).
 */
#include "net/rate_limit.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "levee/levee.h"
#include "util/hash.h"
#include "util/limits.h"

#define STRIPES 64 /* mutexes; a bucket's is its slot's index mod this */
#define PROBES 8   /* slots looked at for a key */

typedef struct bucket {
  uint64_t key;    /* a hash of the client's key; 0: free */
  double tokens;   /* left */
  int64_t last_us; /* when tokens was last brought up to date */
} bucket;

struct lv_rate_limit {
  double rate, burst;
  bucket *slots; /* LV_RATE_BUCKETS */
  pthread_mutex_t mu[STRIPES];
};

int lv_rate_limit_new(double rate, double burst, lv_rate_limit **out) {
  *out = NULL;
  if (!(rate > 0))
    return LEVEE_OK;
  lv_rate_limit *r = calloc(1, sizeof *r);
  if (!r || !(r->slots = calloc(LV_RATE_BUCKETS, sizeof *r->slots))) {
    free(r);
    return LEVEE_ENOMEM;
  }
  r->rate = rate;
  r->burst = burst >= 1 ? burst : 1;
  for (int i = 0; i < STRIPES; i++)
    pthread_mutex_init(&r->mu[i], NULL);
  *out = r;
  return LEVEE_OK;
}

void lv_rate_limit_free(lv_rate_limit *r) {
  if (!r)
    return;
  for (int i = 0; i < STRIPES; i++)
    pthread_mutex_destroy(&r->mu[i]);
  free(r->slots);
  free(r);
}

/* FNV-1a, then mixed; never 0 (0 marks a free slot). */
static uint64_t hash_key(const char *key, size_t len) {
  uint64_t h = lv_fnv1a(key, len);
  h ^= h >> 31;
  h *= 0x7fb5d329728ea185u;
  h ^= h >> 27;
  return h ? h : 1;
}

int lv_rate_limit_take(lv_rate_limit *r, const char *key, size_t len,
                       int64_t now_us, int *retry_after_s) {
  if (!r)
    return 1;
  uint64_t h = hash_key(key, len);
  /* The probes stay within one stripe's slots: home, home + STRIPES, ... */
  size_t home = (size_t)(h % LV_RATE_BUCKETS);
  pthread_mutex_t *mu = &r->mu[home % STRIPES];
  pthread_mutex_lock(mu);
  bucket *b = NULL, *oldest = NULL;
  for (size_t p = 0; p < PROBES; p++) {
    bucket *c = &r->slots[(home + p * STRIPES) % LV_RATE_BUCKETS];
    if (c->key == h) {
      b = c;
      break;
    }
    if (!oldest || c->key == 0 ||
        (oldest->key != 0 && c->last_us < oldest->last_us))
      oldest = c;
  }
  if (!b) { /* a new client, or one forgotten: a full bucket */
    b = oldest;
    *b = (bucket){h, r->burst, now_us};
  }
  double elapsed = (double)(now_us - b->last_us) / 1e6;
  if (elapsed > 0) {
    b->tokens = fmin(r->burst, b->tokens + elapsed * r->rate);
    b->last_us = now_us;
  }
  int ok = b->tokens >= 1;
  if (ok)
    b->tokens -= 1;
  else
    *retry_after_s = (int)ceil((1 - b->tokens) / r->rate);
  pthread_mutex_unlock(mu);
  if (!ok && *retry_after_s < 1)
    *retry_after_s = 1;
  return ok;
}
