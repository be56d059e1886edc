/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api.h: levee serve's HTTP API (docs/openapi.yaml): the routes, over the
 * policy in force, the registered documents and images, the extraction
 * pool, the audit store and the accounts. Its handler is an
 * lv_http_handler (http.h).
 *
 * Who may call what (三员分立; auth.h says how callers prove who they are):
 *   anyone            GET /healthz, GET /metrics, POST /v1/session
 *   any account       GET, DELETE /v1/session, POST /v1/session/password,
 *                     GET, POST /v1/tokens (its own), DELETE /v1/tokens/{n}
 *   integration       POST /v1/inspect, POST /v1/events
 *   system admin      /v1/accounts..., integrations' tokens
 *   security admin    POST /v1/inspect, /v1/events, /v1/alerts...,
 *                     GET /v1/events/{id}, /v1/search, /v1/stats,
 *                     GET, PUT /v1/policy
 *   auditor           GET /v1/audit, POST /v1/verify, GET /v1/policy
 * Every call by a signed-in account or a token is an access record in the
 * audit trail (who, what, when, from where, the outcome), committed before
 * the answer leaves; calls of /v1/inspect, tens of thousands a second, are
 * counted instead, one record a minute for each caller and address.
 *
 * A client past its rate (rate_limit.h; by token, else by address) gets
 * 429 with Retry-After on the /v1 routes; a full queue (inspection slots,
 * attachment readers, the store's writer) gets 503 with Retry-After.
 *
 * An event's attachments are read through the extraction pool. A request
 * waits for them at most the policy's attachments.timeout; what is not read
 * by then is reported as attachment.unreadable with the reason, so the
 * verdict never waits longer and never silently leaves an attachment out.
 * The server reads no files: an attachment must come as data.
 */
#ifndef LV_NET_API_H
#define LV_NET_API_H

#include "core/policy.h"
#include "extract/pool.h"
#include "levee/levee.h"
#include "net/http.h"
#include "net/metrics.h"
#include "net/rate_limit.h"
#include "store/store.h"

typedef struct lv_api lv_api;

typedef struct lv_api_options {
  levee_policy *policy;    /* in force at start; a reference is taken */
  levee_engine *engine;    /* compiled from it; a reference is taken */
  uint64_t policy_version; /* its record in the store, or 0 */
  const char *policy_yaml; /* its text (copied), or NULL */
  size_t policy_yaml_len;
  const levee_cache_ops *cache;   /* compiles of a PUT policy; or NULL */
  levee_registry *registry;       /* sealed, or NULL; a reference is taken */
  lv_extract_pool *pool;          /* borrowed; outlives the api */
  lv_rate_limit *limit;           /* per client, or NULL; borrowed */
  struct lv_auth *auth;           /* accounts, tokens, sessions; borrowed */
  struct lv_store_writer *writer; /* the store's writer; borrowed */
  lv_store **readers;             /* read-only handles of the store; borrowed */
  size_t n_readers;               /* at most 8 */
  const uint8_t *public_key;      /* the store's, for verify (32 bytes) */
  struct lv_reviews *reviews;     /* alerts' review status; borrowed */
  struct lv_followups *followups; /* verdicts that follow; borrowed */
  struct lv_alerts *alerts;       /* the alert sinks' dispatcher, or NULL;
                                     borrowed */
  const struct lv_static *console; /* the console's files, or NULL;
                                      borrowed */
  const char *dbguard_control; /* a levee dbguard's approvals socket, or
                                  NULL (api_holds.c); borrowed */
} lv_api_options;

int lv_api_new(const lv_api_options *o, lv_api **out)
    __attribute__((warn_unused_result));
void lv_api_free(lv_api *api); /* accepts NULL */

/* The lv_http_handler: ud is the lv_api. */
void lv_api_handle(void *ud, const lv_http_request *rq, lv_http_response *rs);

/* The store's writer, once started (it calls lv_api_write_counts, so it
 * starts after the api); before the server takes requests. */
void lv_api_set_writer(lv_api *api, struct lv_store_writer *writer);
/* The follow-up worker, likewise (it calls the api). */
void lv_api_set_followups(lv_api *api, struct lv_followups *f);

/* Its counters. */
lv_metrics *lv_api_metrics(lv_api *api);

/* The store writer's tick (store_writer.h): writes the counted accesses
 * of /v1/inspect as records. ud is the lv_api. */
int lv_api_write_counts(void *ud, lv_store *st, levee_error *err);

#endif
