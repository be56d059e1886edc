/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api.h: levee serve's HTTP API (docs/openapi.yaml): the routes, over a
 * compiled engine, the registered documents and images, and the
 * extraction pool. Its handler is an lv_http_handler (http.h).
 *
 *   GET  /healthz      {"status":"ok","version":"..."}
 *   GET  /metrics      Prometheus text (metrics.h)
 *   POST /v1/inspect   one event (spec/interface.md section 1) in, its
 *                      verdict (section 2) out
 *
 * A client past its rate (rate_limit.h; by address) gets 429 with
 * Retry-After on the /v1 routes; /healthz and /metrics are not limited.
 *
 * An event's attachments are read through the extraction pool. A request
 * waits for them at most the policy's attachments.timeout; what is not read
 * by then, or not taken because the pool's queue is full, is reported as
 * attachment.unreadable with the reason, so the verdict never waits longer
 * and never silently leaves an attachment out. The server reads no files:
 * an attachment must come as data.
 */
#ifndef LV_NET_API_H
#define LV_NET_API_H

#include "core/policy.h"
#include "extract/pool.h"
#include "levee/levee.h"
#include "net/http.h"
#include "net/metrics.h"
#include "net/rate_limit.h"

typedef struct lv_api lv_api;

typedef struct lv_api_options {
  levee_engine *engine;     /* a reference is taken */
  levee_registry *registry; /* sealed, or NULL; a reference is taken */
  lv_attachment_policy attachments;
  lv_extract_pool *pool; /* borrowed; outlives the api */
  lv_rate_limit *limit;  /* per client, or NULL; borrowed */
} lv_api_options;

int lv_api_new(const lv_api_options *o, lv_api **out)
    __attribute__((warn_unused_result));
void lv_api_free(lv_api *api); /* accepts NULL */

/* The lv_http_handler: ud is the lv_api. */
void lv_api_handle(void *ud, const lv_http_request *rq, lv_http_response *rs);

/* Its counters. */
lv_metrics *lv_api_metrics(lv_api *api);

#endif
