/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rate_limit.h: per-client token buckets for levee serve (429 with
 * Retry-After past a client's rate).
 *
 * A client is its API token when it sends one, else its address. Each has
 * a bucket of `burst` tokens, refilled at `rate` a second; a request takes
 * one. The buckets live in a fixed table (LV_RATE_BUCKETS, open addressing
 * by a hash of the key, a few probes): a table that is full forgets the
 * bucket idle longest among those probed, so memory stays flat however
 * many clients come, and a forgotten client starts with a full bucket.
 * One mutex per stripe of the table keeps workers from waiting on each
 * other.
 */
#ifndef LV_NET_RATE_LIMIT_H
#define LV_NET_RATE_LIMIT_H

#include <stddef.h>
#include <stdint.h>

typedef struct lv_rate_limit lv_rate_limit;

/* rate: requests a second for each client (0: no limit, and NULL is
 * returned in *out with LEVEE_OK); burst: how many may come at once. */
int lv_rate_limit_new(double rate, double burst, lv_rate_limit **out);
void lv_rate_limit_free(lv_rate_limit *r); /* accepts NULL */

/* Takes a token from key's bucket at now_us (monotonic microseconds): 1
 * when there was one, else 0 and *retry_after_s, the seconds until there
 * is (at least 1). A NULL limiter allows everything. */
int lv_rate_limit_take(lv_rate_limit *r, const char *key, size_t len,
                       int64_t now_us, int *retry_after_s);

#endif
