/* SPDX-License-Identifier: Apache-2.0 */
/*
 * metrics.h: what levee serve counts, and its Prometheus text exposition
 * (GET /metrics, text format 0.0.4). Counters are atomics: workers add to
 * them without locks.
 */
#ifndef LV_NET_METRICS_H
#define LV_NET_METRICS_H

#include <stdatomic.h>
#include <stdint.h>

#include "extract/pool.h"
#include "levee/levee.h"
#include "util/buf.h"

typedef enum lv_route {
  LV_ROUTE_HEALTHZ,
  LV_ROUTE_INSPECT,
  LV_ROUTE_METRICS,
  LV_ROUTE_OTHER,
  LV_ROUTE_EVENTS,
  LV_ROUTE_SESSION,
  LV_ROUTE_ACCOUNTS,
  LV_ROUTE_TOKENS,
  LV_ROUTE_ALERTS,
  LV_ROUTE_EVENT,
  LV_ROUTE_SEARCH,
  LV_ROUTE_STATS,
  LV_ROUTE_POLICY,
  LV_ROUTE_AUDIT,
  LV_ROUTE_CONSOLE,
  LV_ROUTE_HOLDS,
  LV_ROUTE_COUNT
} lv_route;

/* Latency buckets of an inspection, in seconds (le). */
#define LV_METRICS_BUCKETS 12

typedef struct lv_metrics {
  /* responses by route and status class (1xx..5xx: index 0..4) */
  atomic_uint_fast64_t responses[LV_ROUTE_COUNT][5];
  atomic_uint_fast64_t verdicts[LEVEE_ACTION_BLOCK + 1]; /* by action */
  atomic_uint_fast64_t findings;
  atomic_uint_fast64_t inspect_bucket[LV_METRICS_BUCKETS + 1]; /* +Inf last */
  atomic_uint_fast64_t inspect_us_sum;
  atomic_uint_fast64_t attachments_late;    /* not read within the wait */
  atomic_uint_fast64_t attachments_refused; /* the queue was full */
  atomic_uint_fast64_t rate_limited;        /* answered 429 */
  atomic_uint_fast64_t busy;                /* answered 503: a queue full */
  atomic_uint_fast64_t unauthorized;        /* answered 401 */
  atomic_uint_fast64_t forbidden;           /* answered 403 */
  atomic_uint_fast64_t events_stored;       /* by POST /v1/events */
  atomic_uint_fast64_t policy_swaps;        /* policies put in force */
  atomic_uint_fast64_t audit_records;       /* access records written */
} lv_metrics;

void lv_metrics_init(lv_metrics *m);
void lv_metrics_response(lv_metrics *m, lv_route r, int status);
void lv_metrics_inspection(lv_metrics *m, const levee_verdict *v,
                           int64_t micros);

/* The exposition, with the extraction pool's gauges when pool is not
 * NULL. Returns 0 or LEVEE_ENOMEM / LEVEE_ETOOBIG from out. */
int lv_metrics_render(lv_metrics *m, lv_extract_pool *pool, lv_buf *out);

#endif
