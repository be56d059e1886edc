/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_int.h: what the files of levee serve's API share: the server's
 * state, one call's context, and the helpers every route uses. api.c
 * routes a request and checks who sent it; each api_*.c answers its
 * routes.
 */
#ifndef LV_NET_API_INT_H
#define LV_NET_API_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "net/api.h"
#include "net/auth.h"
#include "net/store_writer.h"
#include "util/arena.h"
#include "util/json_reader.h"
#include "util/json_writer.h"

/* Slots: one per HTTP worker is enough; the margin is for none. */
#define LV_API_MAX_SLOTS ((size_t)LV_MAX_HTTP_WORKERS * 2)

/* The policy in force, and what was compiled from it: replaced whole by a
 * PUT /v1/policy; a request holds a reference for as long as it uses it. */
typedef struct lv_api_policy {
  atomic_int refs;
  levee_policy *policy;
  levee_engine *engine;
  uint64_t version; /* its policy record's number in the store; 0: none */
  char *yaml;       /* its text */
  size_t yaml_len;
} lv_api_policy;

typedef struct lv_api_slot {
  levee_scanner *scanner;
  const lv_api_policy *for_policy; /* the policy its scanner was made for */
  lv_json_doc doc;
  lv_arena arena;
  char *verdict; /* levee_verdict_json's buffer, reused */
  size_t verdict_cap;
  struct lv_api_slot *next; /* in the free list */
} lv_api_slot;

/* Accesses of a counted route (inspect), by who and from where, written
 * as one record a minute (api.c says why). */
#define LV_API_COUNTED 256
typedef struct lv_api_count {
  char via[80], who[64], from[64];
  lv_account_role role;
  uint64_t ok, refused, failed;
  int64_t first_ms, last_ms;
} lv_api_count;

struct lv_api {
  lv_api_options o;
  pthread_rwlock_t policy_lock;
  lv_api_policy *current;
  pthread_mutex_t put_mu; /* one policy PUT at a time */
  lv_metrics metrics;
  pthread_mutex_t mu;
  lv_api_slot *free_slots;
  lv_api_slot *all[LV_API_MAX_SLOTS];
  size_t n_all;
  /* read-only store handles for queries */
  pthread_mutex_t readers_mu;
  pthread_cond_t readers_cv;
  lv_store *readers[8];
  int reader_busy[8];
  size_t n_readers;
  /* counted accesses */
  pthread_mutex_t count_mu;
  lv_api_count counts[LV_API_COUNTED];
  size_t n_counts;
  uint64_t counts_dropped;
};

/* One request as it is answered. */
typedef struct lv_call {
  lv_api *api;
  const lv_http_request *rq;
  lv_http_response *rs;
  lv_principal who;
  int authed;
  const char *cookie; /* the session cookie, when signed in by it */
  char action[96];    /* "POST /v1/alerts/{id}/review" */
  char target[160];   /* the {id}, or "" */
  /* records to write with this call's access record, in one transaction */
  struct {
    const char *type;
    char outcome[16];
    lv_buf detail;
    uint64_t seq; /* its record, once committed */
  } recs[4];
  size_t n_recs;
  lv_write events; /* events to write (POST /v1/events), or n = 0 */
  int recorded;    /* lv_api_commit ran */
  lv_buf note;     /* what the access record says "about": a JSON value,
                      or empty */
  lv_arena arena;  /* the call's, for unescaped strings and the like */
} lv_call;

/* --- answers -------------------------------------------------------------- */

/* {"error":"why"} with status. */
void lv_api_fail(lv_http_response *rs, int status, const char *why);
/* 503 with Retry-After: 1, counted. */
void lv_api_busy(lv_call *c, const char *why);
/* Starts a JSON answer: status 200, application/json, a writer on the
 * body. */
void lv_api_json(lv_call *c, lv_jw *w);
/* Ends it: a newline, or 500 when the writer failed. */
void lv_api_json_end(lv_call *c, lv_jw *w);

/* Whether a Content-Type is want (parameters after ';' allowed): 1 or 0. */
int lv_api_type_is(const char *type, const char *want);

/* The request's JSON body parsed into the call's document: 0, or -1 after
 * answering 415 / 400. */
int lv_api_body(lv_call *c, lv_json_doc *doc);

/* A string member of the object at node obj, copied into out (cap with its
 * NUL): 1 found, 0 absent, -1 not a string or too long. */
int lv_api_member(lv_call *c, const lv_json_doc *d, int obj, const char *key,
                  char *out, size_t cap);

/* --- the trail ------------------------------------------------------------ */

/* Adds a record of type to write with the call's access record; detail is
 * filled by the caller into the returned buffer (canonical JSON). NULL
 * when the call has no room (a bug: at most 4). */
lv_buf *lv_api_add_record(lv_call *c, const char *type, const char *outcome);

/* Writes the call's records, its events and its access record in one
 * transaction and waits for the commit. 0, or -1 after answering 503
 * (the writer's queue is full) or 500. Called by a route that must know
 * its writes are durable before it answers (or changes what the server
 * holds); the router calls it for every other authenticated call. */
int lv_api_commit(lv_call *c);

/* --- the store ------------------------------------------------------------ */

/* A read-only handle of the store, waited for at most a second; NULL after
 * answering 503 (or 404 when the server has no store). */
lv_store *lv_api_reader_take(lv_call *c);
void lv_api_reader_give(lv_api *api, lv_store *st);
/* A free read-only handle at once, or NULL (none free). */
lv_store *lv_api_reader_try(lv_api *api);

/* --- the policy ----------------------------------------------------------- */

lv_api_policy *lv_api_policy_get(lv_api *api); /* a reference */
void lv_api_policy_put(lv_api_policy *p);      /* drops one */
int lv_api_policy_new(levee_policy *policy, levee_engine *engine,
                      uint64_t version, const char *yaml, size_t len,
                      lv_api_policy **out);

/* A slot whose scanner is for the policy in force, or NULL (all busy). */
lv_api_slot *lv_api_slot_take(lv_api *api, lv_api_policy *p);
void lv_api_slot_give(lv_api *api, lv_api_slot *s);

/* Inspects one event line with slot s into *v, waiting at most wait_ms
 * for its attachments (-1: not reading them); *late when one was not read
 * in time. 0, or -1 after answering. line_no > 0 names the line in
 * errors. */
int lv_api_inspect_line(lv_call *c, lv_api_slot *s, const char *line,
                        size_t len, size_t line_no, int64_t wait_ms,
                        levee_event *ev, const levee_verdict **v, int *late);

/* An event and its verdict to the alert sinks (when there are any). */
void lv_api_alerts_submit(lv_api *api, const levee_event *ev,
                          const levee_verdict *v);

/* --- routes (one file each) ----------------------------------------------- */

void lv_api_inspect(lv_call *c);          /* POST /v1/inspect */
void lv_api_events(lv_call *c);           /* POST /v1/events */
void lv_api_login(lv_call *c);            /* POST /v1/session */
void lv_api_whoami(lv_call *c);           /* GET /v1/session */
void lv_api_logout(lv_call *c);           /* DELETE /v1/session */
void lv_api_password(lv_call *c);         /* POST /v1/session/password */
void lv_api_accounts(lv_call *c);         /* GET, POST /v1/accounts */
void lv_api_account_op(lv_call *c);       /* POST /v1/accounts/{name}/{op} */
void lv_api_tokens(lv_call *c);           /* GET, POST /v1/tokens */
void lv_api_token_revoke(lv_call *c);     /* DELETE /v1/tokens/{name} */
void lv_api_policy_get_route(lv_call *c); /* GET /v1/policy */
void lv_api_policy_put_route(lv_call *c); /* PUT /v1/policy */
void lv_api_review(lv_call *c);           /* POST /v1/alerts/{id}/review */
void lv_api_event(lv_call *c);            /* GET /v1/events/{id} */
void lv_api_undelivered(lv_call *c);
void lv_api_trace(lv_call *c);      /* GET /v1/trace/{id} */
void lv_api_holds(lv_call *c);      /* GET /v1/holds */
void lv_api_hold_op(lv_call *c);    /* POST /v1/holds/{id}/approve|deny */
void lv_api_alerts(lv_call *c); /* GET /v1/alerts */
void lv_api_search(lv_call *c); /* GET /v1/search */
void lv_api_stats(lv_call *c);
/* GET /v1/stats */             /* GET /v1/alerts/undelivered */
void lv_api_audit(lv_call *c);  /* GET /v1/audit */
void lv_api_verify(lv_call *c); /* POST /v1/verify */

#endif
