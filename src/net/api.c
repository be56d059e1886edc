/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api.c: levee serve's router (api.h): which route a request is for, who
 * sent it and whether that role may call it, its rate, and its access
 * record; and what the routes share: worker slots, read-only store
 * handles, the policy in force.
 *
 * A request takes a worker slot (a scanner, a JSON document and an arena,
 * one thread's at a time) from a free list, so an inspection allocates
 * nothing new once the server has warmed up; slots are made as the HTTP
 * workers first need them, never more than there are workers. A slot
 * whose scanner was made for a policy no longer in force gets a new one
 * the next time it is taken.
 *
 * Counted accesses. An integration calls POST /v1/inspect before every
 * message it sends: thousands of times a second. A record for each would
 * make the trail mostly these, and the store the bottleneck of the inline
 * check. Each is counted instead, by caller and address, and the store
 * writer's tick writes one access record a minute for each (how many, with
 * which outcomes, first and last), so the trail still says who inspected
 * how much, when and from where. Every other authenticated call is its own
 * record, committed before its answer leaves.
 */
#include "net/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "net/api_followup.h"
#include "net/alert.h"
#include "net/api_int.h"
#include "net/static_files.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/limits.h"

/* --- the policy in force -------------------------------------------------- */

int lv_api_policy_new(levee_policy *policy, levee_engine *engine,
                      uint64_t version, const char *yaml, size_t len,
                      lv_api_policy **out) {
  lv_api_policy *p = calloc(1, sizeof *p);
  if (!p)
    return LEVEE_ENOMEM;
  if (yaml) {
    if (!(p->yaml = malloc(len + 1))) {
      free(p);
      return LEVEE_ENOMEM;
    }
    memcpy(p->yaml, yaml, len);
    p->yaml[len] = '\0';
    p->yaml_len = len;
  }
  atomic_init(&p->refs, 1);
  p->policy = lv_policy_ref(policy);
  p->engine = levee_engine_ref(engine);
  p->version = version;
  *out = p;
  return LEVEE_OK;
}

void lv_api_policy_put(lv_api_policy *p) {
  if (!p || atomic_fetch_sub(&p->refs, 1) != 1)
    return;
  levee_engine_unref(p->engine);
  levee_policy_destroy(p->policy);
  free(p->yaml);
  free(p);
}

lv_api_policy *lv_api_policy_get(lv_api *api) {
  pthread_rwlock_rdlock(&api->policy_lock);
  lv_api_policy *p = api->current;
  atomic_fetch_add(&p->refs, 1);
  pthread_rwlock_unlock(&api->policy_lock);
  return p;
}

/* --- lifecycle ------------------------------------------------------------ */

int lv_api_new(const lv_api_options *o, lv_api **out) {
  lv_api *api = calloc(1, sizeof *api);
  if (!api)
    return LEVEE_ENOMEM;
  int rc = lv_api_policy_new(o->policy, o->engine, o->policy_version,
                             o->policy_yaml, o->policy_yaml_len, &api->current);
  if (rc) {
    free(api);
    return rc;
  }
  api->o = *o;
  api->o.registry = o->registry ? levee_registry_ref(o->registry) : NULL;
  api->n_readers = o->n_readers < 8 ? o->n_readers : 8;
  for (size_t i = 0; i < api->n_readers; i++)
    api->readers[i] = o->readers[i];
  lv_metrics_init(&api->metrics);
  pthread_rwlock_init(&api->policy_lock, NULL);
  pthread_mutex_init(&api->put_mu, NULL);
  pthread_mutex_init(&api->mu, NULL);
  pthread_mutex_init(&api->readers_mu, NULL);
  pthread_cond_init(&api->readers_cv, NULL);
  pthread_mutex_init(&api->count_mu, NULL);
  *out = api;
  return LEVEE_OK;
}

static void slot_free(lv_api_slot *s) {
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
  lv_api_policy_put(api->current);
  pthread_rwlock_destroy(&api->policy_lock);
  pthread_mutex_destroy(&api->put_mu);
  pthread_mutex_destroy(&api->mu);
  pthread_mutex_destroy(&api->readers_mu);
  pthread_cond_destroy(&api->readers_cv);
  pthread_mutex_destroy(&api->count_mu);
  levee_registry_unref(api->o.registry);
  free(api);
}

void lv_api_set_writer(lv_api *api, lv_store_writer *writer) {
  api->o.writer = writer;
}

void lv_api_set_followups(lv_api *api, struct lv_followups *f) {
  api->o.followups = f;
}

void lv_api_alerts_submit(lv_api *api, const levee_event *ev,
                          const levee_verdict *v) {
  if (api->o.alerts && v->action >= LEVEE_ACTION_ALERT)
    lv_alerts_submit(api->o.alerts, ev, v);
}

lv_metrics *lv_api_metrics(lv_api *api) {
  return &api->metrics;
}

/* --- slots ---------------------------------------------------------------- */

/* s's scanner for policy p (a new one when it was made for another). */
static int slot_ready(lv_api *api, lv_api_slot *s, lv_api_policy *p) {
  if (s->scanner && s->for_policy == p)
    return LEVEE_OK;
  levee_scanner_destroy(s->scanner);
  s->scanner = NULL;
  s->for_policy = NULL;
  int rc = levee_scanner_create(p->engine, &s->scanner);
  if (rc == 0 &&
      (rc = levee_scanner_set_registry(s->scanner, api->o.registry)) != 0) {
    levee_scanner_destroy(s->scanner);
    s->scanner = NULL;
  }
  if (rc == 0)
    s->for_policy = p;
  return rc;
}

lv_api_slot *lv_api_slot_take(lv_api *api, lv_api_policy *p) {
  pthread_mutex_lock(&api->mu);
  lv_api_slot *s = api->free_slots;
  if (s) {
    api->free_slots = s->next;
    pthread_mutex_unlock(&api->mu);
  } else {
    int full = api->n_all == LV_API_MAX_SLOTS;
    pthread_mutex_unlock(&api->mu);
    if (full || !(s = calloc(1, sizeof *s)))
      return NULL;
    lv_json_doc_init(&s->doc);
    lv_arena_init(&s->arena, LV_MAX_ARENA_BYTES);
    pthread_mutex_lock(&api->mu);
    if (api->n_all == LV_API_MAX_SLOTS) {
      pthread_mutex_unlock(&api->mu);
      slot_free(s);
      return NULL;
    }
    api->all[api->n_all++] = s;
    pthread_mutex_unlock(&api->mu);
  }
  if (slot_ready(api, s, p)) {
    lv_api_slot_give(api, s);
    return NULL;
  }
  return s;
}

void lv_api_slot_give(lv_api *api, lv_api_slot *s) {
  pthread_mutex_lock(&api->mu);
  s->next = api->free_slots;
  api->free_slots = s;
  pthread_mutex_unlock(&api->mu);
}

/* --- store readers -------------------------------------------------------- */

lv_store *lv_api_reader_take(lv_call *c) {
  lv_api *api = c->api;
  if (!api->n_readers) {
    lv_api_fail(c->rs, 404, "this server keeps no audit store");
    return NULL;
  }
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += 1;
  pthread_mutex_lock(&api->readers_mu);
  for (;;) {
    for (size_t i = 0; i < api->n_readers; i++)
      if (!api->reader_busy[i]) {
        api->reader_busy[i] = 1;
        pthread_mutex_unlock(&api->readers_mu);
        return api->readers[i];
      }
    if (pthread_cond_timedwait(&api->readers_cv, &api->readers_mu, &until))
      break;
  }
  pthread_mutex_unlock(&api->readers_mu);
  lv_api_busy(c, "busy: every reader of the store is in use");
  return NULL;
}

lv_store *lv_api_reader_try(lv_api *api) {
  lv_store *st = NULL;
  pthread_mutex_lock(&api->readers_mu);
  for (size_t i = 0; i < api->n_readers && !st; i++)
    if (!api->reader_busy[i]) {
      api->reader_busy[i] = 1;
      st = api->readers[i];
    }
  pthread_mutex_unlock(&api->readers_mu);
  return st;
}

void lv_api_reader_give(lv_api *api, lv_store *st) {
  pthread_mutex_lock(&api->readers_mu);
  for (size_t i = 0; i < api->n_readers; i++)
    if (api->readers[i] == st)
      api->reader_busy[i] = 0;
  pthread_cond_signal(&api->readers_cv);
  pthread_mutex_unlock(&api->readers_mu);
}

/* --- answers -------------------------------------------------------------- */

void lv_api_fail(lv_http_response *rs, int status, const char *why) {
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

void lv_api_busy(lv_call *c, const char *why) {
  lv_api_fail(c->rs, 503, why);
  c->rs->retry_after = 1;
  atomic_fetch_add_explicit(&c->api->metrics.busy, 1, memory_order_relaxed);
}

void lv_api_json(lv_call *c, lv_jw *w) {
  lv_buf_reset(c->rs->body);
  lv_jw_init(w, c->rs->body);
  c->rs->status = 200;
  c->rs->content_type = "application/json";
}

void lv_api_json_end(lv_call *c, lv_jw *w) {
  if (lv_jw_status(w) || lv_buf_putc(c->rs->body, '\n'))
    lv_api_fail(c->rs, 500, "the answer did not fit");
}

int lv_api_type_is(const char *type, const char *want) {
  if (!type)
    return 0;
  size_t n = strlen(want);
  return !strncasecmp(type, want, n) &&
         (type[n] == '\0' || type[n] == ';' || type[n] == ' ');
}

int lv_api_body(lv_call *c, lv_json_doc *doc) {
  if (!lv_api_type_is(c->rq->content_type, "application/json")) {
    lv_api_fail(c->rs, 415, "send application/json");
    return -1;
  }
  levee_error err = {0};
  if (lv_json_parse(doc, c->rq->body.ptr, c->rq->body.len, &err) ||
      lv_json_type_of(doc, 0) != LV_JSON_OBJECT) {
    lv_api_fail(c->rs, 400,
                err.message[0] ? err.message : "the body is not a JSON object");
    return -1;
  }
  return 0;
}

int lv_api_member(lv_call *c, const lv_json_doc *d, int obj, const char *key,
                  char *out, size_t cap) {
  lv_json_key k = {key, strlen(key)};
  int v;
  out[0] = '\0';
  if (lv_json_members(d, obj, &k, 1, &v))
    return -1;
  if (v < 0)
    return 0;
  levee_str s;
  if (lv_json_string(d, v, &c->arena, &s) || s.len >= cap ||
      memchr(s.ptr, '\0', s.len))
    return -1;
  memcpy(out, s.ptr, s.len);
  out[s.len] = '\0';
  return 1;
}

/* --- the trail ------------------------------------------------------------ */

lv_buf *lv_api_add_record(lv_call *c, const char *type, const char *outcome) {
  if (c->n_recs == sizeof c->recs / sizeof c->recs[0])
    return NULL;
  size_t i = c->n_recs++;
  c->recs[i].type = type;
  snprintf(c->recs[i].outcome, sizeof c->recs[i].outcome, "%s", outcome);
  lv_buf_init(&c->recs[i].detail, (size_t)1 << 24);
  return &c->recs[i].detail;
}

static const char *outcome_of(int status) {
  return status < 400 ? "ok" : status < 500 ? "refused" : "failed";
}

/* The call's access record's detail. */
static int access_detail(lv_call *c, lv_buf *out) {
  lv_jw w;
  lv_jw_init(&w, out);
  lv_jw_object_begin(&w);
  lv_jw_key(&w, "who");
  lv_jw_cstring(&w, c->who.name);
  lv_jw_key(&w, "role");
  lv_jw_cstring(&w, lv_account_role_name(c->who.role));
  lv_jw_key(&w, "via");
  lv_jw_cstring(&w, c->who.via);
  lv_jw_key(&w, "action");
  lv_jw_cstring(&w, c->action);
  if (c->target[0]) {
    lv_jw_key(&w, "target");
    lv_jw_cstring(&w, c->target);
  }
  lv_jw_key(&w, "from");
  lv_jw_cstring(&w, c->rq->client);
  lv_jw_key(&w, "status");
  lv_jw_int(&w, c->rs->status);
  if (c->note.len) {
    lv_jw_key(&w, "about");
    lv_jw_raw(&w, c->note.data, c->note.len);
  }
  lv_jw_object_end(&w);
  return lv_jw_status(&w);
}

int lv_api_commit(lv_call *c) {
  c->recorded = 1;
  lv_api *api = c->api;
  if (!api->o.writer) {
    if (!c->n_recs && !c->events.n)
      return 0; /* nothing to keep, nowhere to keep it */
    lv_api_fail(c->rs, 404, "this server keeps no audit store");
    return -1;
  }
  lv_buf access;
  lv_buf_init(&access, (size_t)1 << 20);
  int rc = access_detail(c, &access);
  if (rc) {
    lv_buf_cleanup(&access);
    lv_api_fail(c->rs, 500, "out of memory");
    return -1;
  }
  levee_str actor = {c->who.name, strlen(c->who.name)};
  lv_write_rec recs[5];
  size_t n = 0;
  for (size_t i = 0; i < c->n_recs; i++)
    recs[n++] = (lv_write_rec){
        .type = c->recs[i].type,
        .outcome = c->recs[i].outcome,
        .detail = {c->recs[i].detail.data, c->recs[i].detail.len}};
  /* A call without credentials (a sign-in) has its own record only. */
  if (c->authed)
    recs[n++] = (lv_write_rec){.type = "access",
                               .outcome = outcome_of(c->rs->status),
                               .detail = {access.data, access.len}};
  lv_write *w = &c->events;
  w->actor = actor;
  w->recs = recs;
  w->n_recs = n;
  rc = lv_store_writer_write(api->o.writer, w);
  lv_buf_cleanup(&access);
  if (rc == LEVEE_EBUSY || rc == LEVEE_ECANCELLED) {
    lv_api_busy(c, rc == LEVEE_EBUSY
                       ? "busy: too many writes are waiting for the store"
                       : "the server is stopping");
    return -1;
  }
  if (rc) {
    fprintf(stderr, "levee: serve: the audit store refused a write: %s\n",
            w->err.message[0] ? w->err.message : levee_strerror(rc));
    lv_api_fail(c->rs, 500, "the audit store could not record this");
    return -1;
  }
  for (size_t i = 0; i < c->n_recs; i++)
    c->recs[i].seq = recs[i].seq;
  atomic_fetch_add_explicit(&api->metrics.audit_records, 1,
                            memory_order_relaxed);
  return 0;
}

/* A counted access (api.c's header says why). */
static void count_access(lv_call *c) {
  lv_api *api = c->api;
  int64_t now = lv_store_now_ms();
  pthread_mutex_lock(&api->count_mu);
  lv_api_count *k = NULL;
  for (size_t i = 0; i < api->n_counts && !k; i++)
    if (!strcmp(api->counts[i].via, c->who.via) &&
        !strcmp(api->counts[i].who, c->who.name) &&
        !strcmp(api->counts[i].from, c->rq->client))
      k = &api->counts[i];
  if (!k && api->n_counts < LV_API_COUNTED) {
    k = &api->counts[api->n_counts++];
    memset(k, 0, sizeof *k);
    snprintf(k->via, sizeof k->via, "%s", c->who.via);
    snprintf(k->who, sizeof k->who, "%s", c->who.name);
    snprintf(k->from, sizeof k->from, "%s", c->rq->client);
    k->role = c->who.role;
    k->first_ms = now;
  }
  if (k) {
    int s = c->rs->status;
    if (s < 400)
      k->ok++;
    else if (s < 500)
      k->refused++;
    else
      k->failed++;
    k->last_ms = now;
  } else {
    api->counts_dropped++;
  }
  pthread_mutex_unlock(&api->count_mu);
}

int lv_api_write_counts(void *ud, lv_store *st, levee_error *err) {
  lv_api *api = ud;
  lv_api_count counts[LV_API_COUNTED];
  pthread_mutex_lock(&api->count_mu);
  size_t n = api->n_counts;
  uint64_t dropped = api->counts_dropped;
  memcpy(counts, api->counts, n * sizeof counts[0]);
  api->n_counts = 0;
  api->counts_dropped = 0;
  pthread_mutex_unlock(&api->count_mu);
  int rc = 0;
  lv_buf b;
  lv_buf_init(&b, 1 << 16);
  for (size_t i = 0; rc == 0 && i < n; i++) {
    lv_api_count *k = &counts[i];
    lv_jw w;
    lv_buf_reset(&b);
    lv_jw_init(&w, &b);
    lv_jw_object_begin(&w);
    lv_jw_key(&w, "who");
    lv_jw_cstring(&w, k->who);
    lv_jw_key(&w, "role");
    lv_jw_cstring(&w, lv_account_role_name(k->role));
    lv_jw_key(&w, "via");
    lv_jw_cstring(&w, k->via);
    lv_jw_key(&w, "action");
    lv_jw_cstring(&w, "POST /v1/inspect");
    lv_jw_key(&w, "from");
    lv_jw_cstring(&w, k->from);
    lv_jw_key(&w, "count");
    lv_jw_int(&w, (int64_t)(k->ok + k->refused + k->failed));
    lv_jw_key(&w, "ok");
    lv_jw_int(&w, (int64_t)k->ok);
    lv_jw_key(&w, "refused");
    lv_jw_int(&w, (int64_t)k->refused);
    lv_jw_key(&w, "failed");
    lv_jw_int(&w, (int64_t)k->failed);
    lv_jw_key(&w, "first_ms");
    lv_jw_int(&w, k->first_ms);
    lv_jw_key(&w, "last_ms");
    lv_jw_int(&w, k->last_ms);
    if (i == 0 && dropped) {
      lv_jw_key(&w, "uncounted");
      lv_jw_int(&w, (int64_t)dropped);
    }
    lv_jw_object_end(&w);
    uint64_t seq;
    if ((rc = lv_jw_status(&w)) == 0)
      rc = lv_store_add_record(st, (levee_str){k->who, strlen(k->who)},
                               "access", k->failed ? "failed" : "ok",
                               (levee_str){b.data, b.len}, &seq, err);
  }
  lv_buf_cleanup(&b);
  if (rc == 0)
    atomic_fetch_add_explicit(&api->metrics.audit_records, n,
                              memory_order_relaxed);
  return rc;
}

/* --- who is calling ------------------------------------------------------- */

#define ROLE(r) (1u << (r))
#define ANYONE 0u
#define ACCOUNT                                                                \
  (ROLE(LV_ACCOUNT_SYSTEM_ADMIN) | ROLE(LV_ACCOUNT_SECURITY_ADMIN) |           \
   ROLE(LV_ACCOUNT_AUDITOR))
#define SYSADMIN ROLE(LV_ACCOUNT_SYSTEM_ADMIN)
#define SECADMIN ROLE(LV_ACCOUNT_SECURITY_ADMIN)
#define AUDITOR ROLE(LV_ACCOUNT_AUDITOR)
#define INTEGRATION ROLE(LV_ROLE_INTEGRATION)

/* Finds who sent the request: a bearer token, else a session cookie.
 * 0 with c->who, or -1 (no credentials, or bad ones). */
static int identify(lv_call *c) {
  lv_auth *auth = c->api->o.auth;
  const char *h = c->rq->authorization;
  if (!auth)
    return -1;
  if (h) {
    if (strncasecmp(h, "Bearer ", 7) != 0)
      return -1;
    const char *t = h + 7;
    while (*t == ' ')
      t++;
    return lv_auth_token(auth, t, strlen(t), &c->who) == LEVEE_OK ? 0 : -1;
  }
  const char *cookie = lv_http_cookie(c->rq, LV_SESSION_COOKIE);
  if (!cookie ||
      lv_auth_session(auth, cookie, &c->who, NULL, lv_store_now_ms()))
    return -1;
  c->cookie = cookie;
  return 0;
}

/* --- routes --------------------------------------------------------------- */

typedef enum access_mode {
  REC_EACH,  /* an access record for each call */
  REC_COUNT, /* counted (inspect) */
  REC_NONE   /* not authenticated (healthz, metrics, sign-in) */
} access_mode;

typedef struct route {
  const char *method;
  const char *path; /* "{}" stands for one segment, the call's target */
  lv_route metric;
  unsigned roles; /* who may; ANYONE: no credentials needed */
  access_mode rec;
  int limited; /* counts against the caller's rate */
  void (*fn)(lv_call *c);
} route;

static void healthz(lv_call *c) {
  lv_jw w;
  lv_api_json(c, &w);
  lv_jw_object_begin(&w);
  lv_jw_key(&w, "status");
  lv_jw_cstring(&w, "ok");
  lv_jw_key(&w, "version");
  lv_jw_cstring(&w, levee_version());
  lv_jw_object_end(&w);
  lv_api_json_end(c, &w);
}

static void metrics(lv_call *c) {
  lv_api *api = c->api;
  lv_buf *b = c->rs->body;
  int rc = lv_metrics_render(&api->metrics, api->o.pool, b);
  if (rc == 0 && api->o.writer)
    rc = lv_buf_printf(b,
                       "# HELP levee_store_writes_queued Writes waiting for "
                       "the audit store.\n"
                       "# TYPE levee_store_writes_queued gauge\n"
                       "levee_store_writes_queued %zu\n",
                       lv_store_writer_queued(api->o.writer));
  if (rc == 0 && api->o.followups) {
    lv_followup_stats st;
    lv_followups_stats(api->o.followups, &st);
    rc = lv_buf_printf(
        b,
        "# HELP levee_followups_total Stored events whose attachments' "
        "verdict follows, by outcome.\n"
        "# TYPE levee_followups_total counter\n"
        "levee_followups_total{outcome=\"queued\"} %llu\n"
        "levee_followups_total{outcome=\"done\"} %llu\n"
        "levee_followups_total{outcome=\"failed\"} %llu\n",
        (unsigned long long)st.queued, (unsigned long long)st.done,
        (unsigned long long)st.failed);
  }
  if (rc == 0 && api->o.alerts)
    rc = lv_alerts_metrics_text(api->o.alerts, b);
  if (rc == 0 && api->o.auth)
    rc = lv_buf_printf(b,
                       "# HELP levee_sessions Signed-in sessions.\n"
                       "# TYPE levee_sessions gauge\nlevee_sessions %zu\n",
                       lv_auth_sessions(api->o.auth));
  if (rc) {
    lv_api_fail(c->rs, 500, "out of memory");
    return;
  }
  c->rs->status = 200;
  c->rs->content_type = "text/plain; version=0.0.4; charset=utf-8";
}

static const route routes[] = {
    {"GET", "/healthz", LV_ROUTE_HEALTHZ, ANYONE, REC_NONE, 0, healthz},
    {"GET", "/metrics", LV_ROUTE_METRICS, ANYONE, REC_NONE, 0, metrics},
    {"POST", "/v1/inspect", LV_ROUTE_INSPECT, INTEGRATION | SECADMIN, REC_COUNT,
     1, lv_api_inspect},
    {"POST", "/v1/events", LV_ROUTE_EVENTS, INTEGRATION | SECADMIN, REC_EACH, 1,
     lv_api_events},
    {"POST", "/v1/session", LV_ROUTE_SESSION, ANYONE, REC_NONE, 1,
     lv_api_login},
    {"GET", "/v1/session", LV_ROUTE_SESSION, ACCOUNT, REC_EACH, 1,
     lv_api_whoami},
    {"DELETE", "/v1/session", LV_ROUTE_SESSION, ACCOUNT, REC_EACH, 1,
     lv_api_logout},
    {"POST", "/v1/session/password", LV_ROUTE_SESSION, ACCOUNT, REC_EACH, 1,
     lv_api_password},
    {"GET", "/v1/accounts", LV_ROUTE_ACCOUNTS, SYSADMIN, REC_EACH, 1,
     lv_api_accounts},
    {"POST", "/v1/accounts", LV_ROUTE_ACCOUNTS, SYSADMIN, REC_EACH, 1,
     lv_api_accounts},
    {"POST", "/v1/accounts/{}/disable", LV_ROUTE_ACCOUNTS, SYSADMIN, REC_EACH,
     1, lv_api_account_op},
    {"POST", "/v1/accounts/{}/enable", LV_ROUTE_ACCOUNTS, SYSADMIN, REC_EACH, 1,
     lv_api_account_op},
    {"POST", "/v1/accounts/{}/reset", LV_ROUTE_ACCOUNTS, SYSADMIN, REC_EACH, 1,
     lv_api_account_op},
    {"GET", "/v1/tokens", LV_ROUTE_TOKENS, ACCOUNT, REC_EACH, 1, lv_api_tokens},
    {"POST", "/v1/tokens", LV_ROUTE_TOKENS, ACCOUNT, REC_EACH, 1,
     lv_api_tokens},
    {"DELETE", "/v1/tokens/{}", LV_ROUTE_TOKENS, ACCOUNT, REC_EACH, 1,
     lv_api_token_revoke},
    {"GET", "/v1/policy", LV_ROUTE_POLICY, SECADMIN | AUDITOR, REC_EACH, 1,
     lv_api_policy_get_route},
    {"PUT", "/v1/policy", LV_ROUTE_POLICY, SECADMIN, REC_EACH, 1,
     lv_api_policy_put_route},
    {"POST", "/v1/alerts/{}/review", LV_ROUTE_ALERTS, SECADMIN, REC_EACH, 1,
     lv_api_review},
    {"GET", "/v1/alerts", LV_ROUTE_ALERTS, SECADMIN, REC_EACH, 1,
     lv_api_alerts},
    {"GET", "/v1/search", LV_ROUTE_SEARCH, SECADMIN, REC_EACH, 1,
     lv_api_search},
    {"GET", "/v1/stats", LV_ROUTE_STATS, SECADMIN, REC_EACH, 1, lv_api_stats},
    {"GET", "/v1/alerts/undelivered", LV_ROUTE_ALERTS, SECADMIN | SYSADMIN,
     REC_EACH, 1, lv_api_undelivered},
    {"GET", "/v1/events/{}", LV_ROUTE_EVENT, SECADMIN, REC_EACH, 1,
     lv_api_event},
    {"GET", "/v1/trace/{}", LV_ROUTE_EVENT, SECADMIN, REC_EACH, 1,
     lv_api_trace},
    {"GET", "/v1/holds", LV_ROUTE_HOLDS, SECADMIN, REC_EACH, 1, lv_api_holds},
    {"POST", "/v1/holds/{}/approve", LV_ROUTE_HOLDS, SECADMIN, REC_EACH, 1,
     lv_api_hold_op},
    {"POST", "/v1/holds/{}/deny", LV_ROUTE_HOLDS, SECADMIN, REC_EACH, 1,
     lv_api_hold_op},
    {"GET", "/v1/audit", LV_ROUTE_AUDIT, AUDITOR, REC_EACH, 1, lv_api_audit},
    {"POST", "/v1/verify", LV_ROUTE_AUDIT, AUDITOR, REC_EACH, 1, lv_api_verify},
};

/* Whether path matches pattern; the "{}" segment into target. */
static int path_match(const char *pat, const char *path, char *target,
                      size_t cap) {
  while (*pat) {
    if (pat[0] == '{' && pat[1] == '}') {
      const char *end = strchr(path, '/');
      size_t n = end ? (size_t)(end - path) : strlen(path);
      if (n == 0 || n >= cap)
        return 0;
      memcpy(target, path, n);
      target[n] = '\0';
      path += n;
      pat += 2;
      continue;
    }
    if (*pat++ != *path++)
      return 0;
  }
  return *path == '\0';
}

/* The route of a request: exact, or NULL; *path_known says whether the
 * path is one of the API's (with another method: 405). */
static const route *find_route(const lv_http_request *rq, char *target,
                               size_t cap, int *path_known) {
  const char *m = !strcmp(rq->method, "HEAD") ? "GET" : rq->method;
  *path_known = 0;
  for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
    if (!path_match(routes[i].path, rq->path, target, cap))
      continue;
    *path_known = 1;
    if (!strcmp(routes[i].method, m))
      return &routes[i];
  }
  return NULL;
}

static int changes_something(const char *method) {
  return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

void lv_api_handle(void *ud, const lv_http_request *rq, lv_http_response *rs) {
  lv_api *api = ud;
  lv_call c;
  memset(&c, 0, sizeof c);
  c.api = api;
  c.rq = rq;
  c.rs = rs;
  lv_buf_init(&c.note, 1 << 16);
  lv_arena_init(&c.arena, (size_t)1 << 24);
  int known = 0;
  const route *r = find_route(rq, c.target, sizeof c.target, &known);
  lv_route metric = r ? r->metric : LV_ROUTE_OTHER;
  if (!r && known) {
    char why[64] = "use";
    char t[sizeof c.target];
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
      if (path_match(routes[i].path, rq->path, t, sizeof t) &&
          !strstr(why, routes[i].method))
        snprintf(why + strlen(why), sizeof why - strlen(why), "%s %s",
                 strlen(why) > 3 ? " or" : "", routes[i].method);
    lv_api_fail(rs, 405, why);
    goto out;
  }
  if (!r) {
    const char *data, *type;
    size_t len;
    int get = !strcmp(rq->method, "GET") || !strcmp(rq->method, "HEAD");
    if (get && strncmp(rq->path, "/v1/", 4) != 0 &&
        lv_static_find(api->o.console, rq->path, &data, &len, &type)) {
      metric = LV_ROUTE_CONSOLE;
      if (lv_buf_append(rs->body, data, len)) {
        lv_api_fail(rs, 500, "out of memory");
      } else {
        rs->status = 200;
        rs->content_type = type;
        rs->csp = LV_CONSOLE_CSP;
      }
      goto out;
    }
    lv_api_fail(rs, 404,
                !api->o.console && !strcmp(rq->path, "/")
                    ? "this server has no console (levee serve --console DIR)"
                    : "no such route");
    goto out;
  }
  snprintf(c.action, sizeof c.action, "%s %s", r->method, r->path);
  int authed = r->roles != ANYONE;
  if (authed && identify(&c)) {
    atomic_fetch_add_explicit(&api->metrics.unauthorized, 1,
                              memory_order_relaxed);
    lv_api_fail(rs, 401,
                "sign in (POST /v1/session) or send Authorization: Bearer "
                "<token>");
    goto out;
  }
  c.authed = authed;
  if (r->limited) {
    int wait = 0;
    /* By token when there is one (an integration behind a proxy shares
     * its address with others), else by address. */
    const char *key = c.who.token ? c.who.via : rq->client;
    if (!lv_rate_limit_take(api->o.limit, key, strlen(key), lv_now_us(),
                            &wait)) {
      lv_api_fail(rs, 429, "too many requests: slow down");
      rs->retry_after = wait;
      atomic_fetch_add_explicit(&api->metrics.rate_limited, 1,
                                memory_order_relaxed);
      goto out; /* not recorded: a flood would fill the trail */
    }
  }
  if (authed && !(r->roles & ROLE(c.who.role))) {
    atomic_fetch_add_explicit(&api->metrics.forbidden, 1, memory_order_relaxed);
    lv_api_fail(rs, 403, "your role may not do this");
  } else if (authed && c.who.must_change && r->fn != lv_api_password &&
             r->fn != lv_api_whoami && r->fn != lv_api_logout) {
    lv_api_fail(rs, 403,
                "change your one-time password first (POST "
                "/v1/session/password)");
  } else if (c.cookie && changes_something(r->method) &&
             !lv_auth_csrf_ok(api->o.auth, c.cookie,
                              lv_http_header(rq, "X-CSRF-Token"))) {
    atomic_fetch_add_explicit(&api->metrics.forbidden, 1, memory_order_relaxed);
    lv_api_fail(rs, 403,
                "missing or wrong X-CSRF-Token (GET /v1/session gives it)");
  } else {
    r->fn(&c);
  }
  if (authed && r->rec == REC_COUNT)
    count_access(&c);
  else if (authed && r->rec == REC_EACH && !c.recorded)
    (void)lv_api_commit(&c);
out:
  for (size_t i = 0; i < c.n_recs; i++)
    lv_buf_cleanup(&c.recs[i].detail);
  lv_buf_cleanup(&c.note);
  lv_arena_cleanup(&c.arena);
  lv_metrics_response(&api->metrics, metric, rs->status);
}
