/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api.c: levee serve's routes (api.h).
 *
 * A request takes a worker slot (a scanner, a JSON document and an arena,
 * one thread's at a time) from a free list, so an inspection allocates
 * nothing new once the server has warmed up; slots are made as the HTTP
 * workers first need them, never more than there are workers.
 */
#include "net/api.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ingest/event_jsonl.h"
#include "util/arena.h"
#include "util/clock.h"
#include "util/json_reader.h"
#include "util/json_writer.h"
#include "util/limits.h"

/* Slots: one per HTTP worker is enough; the margin is for none. */
#define MAX_SLOTS ((size_t)LV_MAX_HTTP_WORKERS * 2)

typedef struct slot {
  levee_scanner *scanner;
  lv_json_doc doc;
  lv_arena arena;
  char *verdict; /* levee_verdict_json's buffer, reused */
  size_t verdict_cap;
  struct slot *next; /* in the free list */
} slot;

struct lv_api {
  levee_engine *engine;
  levee_registry *registry;
  lv_attachment_policy attachments;
  lv_extract_pool *pool;
  lv_rate_limit *limit;
  lv_metrics metrics;
  pthread_mutex_t mu;
  slot *free_slots;
  slot *all[MAX_SLOTS];
  size_t n_all;
};

int lv_api_new(const lv_api_options *o, lv_api **out) {
  lv_api *api = calloc(1, sizeof *api);
  if (!api)
    return LEVEE_ENOMEM;
  api->engine = levee_engine_ref(o->engine);
  api->registry = o->registry ? levee_registry_ref(o->registry) : NULL;
  api->attachments = o->attachments;
  api->pool = o->pool;
  api->limit = o->limit;
  lv_metrics_init(&api->metrics);
  pthread_mutex_init(&api->mu, NULL);
  *out = api;
  return LEVEE_OK;
}

static void slot_free(slot *s) {
  if (!s)
    return;
  levee_scanner_destroy(s->scanner);
  lv_json_doc_cleanup(&s->doc);
  lv_arena_cleanup(&s->arena);
  free(s->verdict);
  free(s);
}

void lv_api_free(lv_api *api) {
  if (!api)
    return;
  for (size_t i = 0; i < api->n_all; i++)
    slot_free(api->all[i]);
  pthread_mutex_destroy(&api->mu);
  levee_registry_unref(api->registry);
  levee_engine_unref(api->engine);
  free(api);
}

lv_metrics *lv_api_metrics(lv_api *api) {
  return &api->metrics;
}

static slot *slot_take(lv_api *api) {
  pthread_mutex_lock(&api->mu);
  slot *s = api->free_slots;
  if (s) {
    api->free_slots = s->next;
    pthread_mutex_unlock(&api->mu);
    return s;
  }
  int full = api->n_all == MAX_SLOTS;
  pthread_mutex_unlock(&api->mu);
  if (full || !(s = calloc(1, sizeof *s)))
    return NULL;
  lv_json_doc_init(&s->doc);
  lv_arena_init(&s->arena, LV_MAX_ARENA_BYTES);
  if (levee_scanner_create(api->engine, &s->scanner) ||
      levee_scanner_set_registry(s->scanner, api->registry)) {
    slot_free(s);
    return NULL;
  }
  pthread_mutex_lock(&api->mu);
  if (api->n_all == MAX_SLOTS) {
    pthread_mutex_unlock(&api->mu);
    slot_free(s);
    return NULL;
  }
  api->all[api->n_all++] = s;
  pthread_mutex_unlock(&api->mu);
  return s;
}

static void slot_give(lv_api *api, slot *s) {
  pthread_mutex_lock(&api->mu);
  s->next = api->free_slots;
  api->free_slots = s;
  pthread_mutex_unlock(&api->mu);
}

/* --- responses ------------------------------------------------------------ */

/* {"error":"why"} with status. */
static void fail(lv_http_response *rs, int status, const char *why) {
  lv_jw w;
  lv_buf_reset(rs->body);
  lv_jw_init(&w, rs->body);
  lv_jw_object_begin(&w);
  lv_jw_key(&w, "error");
  lv_jw_cstring(&w, why);
  lv_jw_object_end(&w);
  (void)lv_buf_putc(rs->body, '\n');
  rs->status = status;
  rs->content_type = "application/json";
}

static void healthz(lv_http_response *rs) {
  lv_jw w;
  lv_jw_init(&w, rs->body);
  lv_jw_object_begin(&w);
  lv_jw_key(&w, "status");
  lv_jw_cstring(&w, "ok");
  lv_jw_key(&w, "version");
  lv_jw_cstring(&w, levee_version());
  lv_jw_object_end(&w);
  (void)lv_buf_putc(rs->body, '\n');
  rs->status = 200;
  rs->content_type = "application/json";
}

static void metrics(lv_api *api, lv_http_response *rs) {
  if (lv_metrics_render(&api->metrics, api->pool, rs->body)) {
    fail(rs, 500, "out of memory");
    return;
  }
  rs->status = 200;
  rs->content_type = "text/plain; version=0.0.4; charset=utf-8";
}

/* --- attachments ---------------------------------------------------------- */

static void set_error(levee_attachment *at, lv_arena *a, const char *why) {
  char *c = lv_arena_strndup(a, why, strlen(why));
  at->error = (levee_str){c, c ? strlen(c) : 0};
}

/* Reads ev's attachments through the pool, waiting at most the policy's
 * timeout for all of them; ev->attachments becomes a copy in a. Returns
 * LEVEE_OK, or LEVEE_ENOMEM when a has no room for the copy. */
static int read_attachments(lv_api *api, levee_event *ev, lv_arena *a) {
  size_t n = ev->n_attachments;
  levee_attachment *at = lv_arena_alloc(a, n * sizeof *at);
  lv_extract_job **jobs = lv_arena_alloc(a, n * sizeof(lv_extract_job *));
  if (!at || !jobs)
    return LEVEE_ENOMEM;
  memcpy(at, ev->attachments, n * sizeof *at);
  ev->attachments = at;
  for (size_t i = 0; i < n; i++) {
    jobs[i] = NULL;
    if (at[i].text.ptr)
      continue; /* its text came with it */
    if (!at[i].data.ptr) {
      if (at[i].path.ptr)
        set_error(&at[i], a,
                  "levee serve reads no files: send the bytes as data");
      continue;
    }
    void *copy = malloc(at[i].data.len ? at[i].data.len : 1);
    if (!copy) {
      set_error(&at[i], a, "not read: out of memory");
      continue;
    }
    memcpy(copy, at[i].data.ptr, at[i].data.len);
    int rc = lv_extract_pool_submit(api->pool, copy, at[i].data.len, NULL, NULL,
                                    &jobs[i]);
    if (rc) {
      free(copy);
      jobs[i] = NULL;
      if (rc == LEVEE_EBUSY)
        atomic_fetch_add_explicit(&api->metrics.attachments_refused, 1,
                                  memory_order_relaxed);
      set_error(&at[i], a,
                rc == LEVEE_EBUSY
                    ? "not read: too many attachments are waiting to be read"
                    : levee_strerror(rc));
    }
  }
  int64_t deadline = lv_now_ms() + api->attachments.timeout_ms;
  for (size_t i = 0; i < n; i++) {
    if (!jobs[i])
      continue;
    int64_t left = deadline - lv_now_ms();
    if (lv_extract_job_wait(jobs[i], left > 0 ? left : 0) != LEVEE_OK) {
      atomic_fetch_add_explicit(&api->metrics.attachments_late, 1,
                                memory_order_relaxed);
      char why[128];
      snprintf(why, sizeof why,
               "not read within %lld ms (the policy's attachments.timeout)",
               (long long)api->attachments.timeout_ms);
      set_error(&at[i], a, why);
    } else {
      const lv_extract_result *r = lv_extract_job_result(jobs[i]);
      if (r->text.ptr) {
        char *t = lv_arena_strndup(a, r->text.ptr, r->text.len);
        at[i].text = (levee_str){t, t ? r->text.len : 0};
      }
      at[i].has_phash = r->info.has_phash;
      at[i].phash = r->info.phash;
      if (r->status && r->status != LEVEE_EENCODING)
        set_error(&at[i], a,
                  r->err.message[0] ? r->err.message
                                    : levee_strerror(r->status));
    }
    lv_extract_job_release(jobs[i]);
  }
  return LEVEE_OK;
}

/* --- POST /v1/inspect ----------------------------------------------------- */

static int is_json(const char *type) {
  if (!type)
    return 0;
  size_t n = strlen("application/json");
  return !strncasecmp(type, "application/json", n) &&
         (type[n] == '\0' || type[n] == ';' || type[n] == ' ');
}

static void inspect(lv_api *api, const lv_http_request *rq,
                    lv_http_response *rs) {
  if (!is_json(rq->content_type)) {
    fail(rs, 415, "send the event as application/json");
    return;
  }
  slot *s = slot_take(api);
  if (!s) {
    fail(rs, 503, "busy: no inspection slot free");
    rs->retry_after = 1;
    return;
  }
  int64_t t0 = lv_now_us();
  lv_arena_reset(&s->arena);
  levee_event ev;
  levee_error err = {0};
  int rc = lv_event_from_jsonl(&s->doc, rq->body.ptr, rq->body.len, &s->arena,
                               &ev, &err);
  if (rc) {
    fail(rs,
         rc == LEVEE_ENOMEM    ? 500
         : rc == LEVEE_ETOOBIG ? 413
                               : 400,
         err.message[0] ? err.message : levee_strerror(rc));
    slot_give(api, s);
    return;
  }
  const levee_verdict *v = NULL;
  size_t len = 0;
  if ((ev.n_attachments && (rc = read_attachments(api, &ev, &s->arena))) ||
      (rc = levee_scanner_inspect(s->scanner, &ev, &v)) ||
      (rc = levee_verdict_json(v, &s->verdict, &len, &s->verdict_cap)) ||
      (rc = lv_buf_append(rs->body, s->verdict, len))) {
    fail(rs, 500, levee_strerror(rc));
  } else {
    lv_metrics_inspection(&api->metrics, v, lv_now_us() - t0);
    rs->status = 200;
    rs->content_type = "application/json";
  }
  slot_give(api, s);
}

/* --- routing -------------------------------------------------------------- */

void lv_api_handle(void *ud, const lv_http_request *rq, lv_http_response *rs) {
  lv_api *api = ud;
  lv_route route = LV_ROUTE_OTHER;
  int get = !strcmp(rq->method, "GET") || !strcmp(rq->method, "HEAD");
  if (!strcmp(rq->path, "/healthz")) {
    route = LV_ROUTE_HEALTHZ;
    if (get)
      healthz(rs);
    else
      fail(rs, 405, "use GET");
  } else if (!strcmp(rq->path, "/metrics")) {
    route = LV_ROUTE_METRICS;
    if (get)
      metrics(api, rs);
    else
      fail(rs, 405, "use GET");
  } else if (!strcmp(rq->path, "/v1/inspect")) {
    route = LV_ROUTE_INSPECT;
    int wait = 0;
    if (!lv_rate_limit_take(api->limit, rq->client, strlen(rq->client),
                            lv_now_us(), &wait)) {
      fail(rs, 429, "too many requests: slow down");
      rs->retry_after = wait;
      atomic_fetch_add_explicit(&api->metrics.rate_limited, 1,
                                memory_order_relaxed);
    } else if (!strcmp(rq->method, "POST")) {
      inspect(api, rq, rs);
    } else {
      fail(rs, 405, "use POST");
    }
  } else {
    fail(rs, 404, "no such route");
  }
  lv_metrics_response(&api->metrics, route, rs->status);
}
