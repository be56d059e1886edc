/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_audit.c: the auditor's routes of levee serve's API:
 *
 *   GET  /v1/audit   records of the trail that are not events: what every
 *                    account, token and command did (type=access by
 *                    default; login, account, token, policy, review,
 *                    search, view, export, purge, register, verify), oldest
 *                    first after a record number, with who, when, the
 *                    outcome and the detail
 *   POST /v1/verify  checks the whole log against its signed checkpoints
 *                    (as `levee verify` does) and answers what it found;
 *                    the result is a "verify" record (the last one is the
 *                    console's "last verify")
 *
 * Nothing here changes a record: no route of the API does. The auditor
 * reads the trail of the admins' actions; the admins' roles cannot call
 * these routes, and the auditor's own calls are records the same way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/json_reader.h"

#include "net/api_int.h"

static const char *const audit_types[] = {
    "access", "login",  "account", "token",    "policy", "review", "search",
    "view",   "export", "purge",   "register", "verify", "stats",  "verdict",
    "trace"};

static int known_type(const char *t) {
  for (size_t i = 0; i < sizeof audit_types / sizeof audit_types[0]; i++)
    if (!strcmp(audit_types[i], t))
      return 1;
  return 0;
}

/* A query argument as an unsigned number within [lo, hi]: 0 (def when
 * absent), or -1 after answering 400. */
static int arg_u64(lv_call *c, const char *name, uint64_t lo, uint64_t hi,
                   uint64_t def, uint64_t *out) {
  const char *s = lv_http_query(c->rq, name);
  *out = def;
  if (!s)
    return 0;
  char *end;
  unsigned long long v = strtoull(s, &end, 10);
  if (!*s || *end || v < lo || v > hi) {
    char why[128];
    snprintf(why, sizeof why, "%s must be a number from %llu to %llu", name,
             (unsigned long long)lo, (unsigned long long)hi);
    lv_api_fail(c->rs, 400, why);
    return -1;
  }
  *out = v;
  return 0;
}

typedef struct audit_page {
  uint64_t after, before, limit, n, last;
  const char *actor;
  int desc;        /* newest first: the last `limit` kept in a ring */
  lv_buf *ring;    /* limit rendered records */
  uint64_t *seqs;  /* their record numbers */
  uint64_t seen;   /* records rendered (desc: in all) */
  lv_json_doc doc; /* for taking secrets out of details */
  lv_arena arena;
} audit_page;

/* A record's detail, without what no one needs to read: the password
 * hashes of account records ("password" becomes "(argon2id hash)"). */
static void detail_json(audit_page *p, lv_jw *w, const lv_record_head *h,
                        levee_str detail) {
  if (!detail.ptr || !detail.len) {
    lv_jw_null(w);
    return;
  }
  int account = h->type.len == 7 && !memcmp(h->type.ptr, "account", 7);
  if (!account || lv_json_parse(&p->doc, detail.ptr, detail.len, NULL) ||
      lv_json_type_of(&p->doc, 0) != LV_JSON_OBJECT) {
    lv_jw_raw(w, detail.ptr, detail.len);
    return;
  }
  lv_arena_reset(&p->arena);
  lv_jw_object_begin(w);
  for (int k = lv_json_first(&p->doc, 0); k > 0;
       k = lv_json_next(&p->doc, 0, k)) {
    levee_str key, v;
    char name[64];
    if (lv_json_string(&p->doc, k, &p->arena, &key) || key.len >= sizeof name ||
        memchr(key.ptr, '\0', key.len))
      continue;
    memcpy(name, key.ptr, key.len);
    name[key.len] = '\0';
    lv_jw_key(w, name);
    if (!strcmp(name, "password"))
      lv_jw_cstring(w, "(argon2id hash)");
    else if (lv_json_type_of(&p->doc, k + 1) == LV_JSON_STRING &&
             lv_json_string(&p->doc, k + 1, &p->arena, &v) == 0)
      lv_jw_string(w, v.ptr, v.len);
    else
      lv_jw_raw(w, lv_json_raw(&p->doc, k + 1).ptr,
                lv_json_raw(&p->doc, k + 1).len);
  }
  lv_jw_object_end(w);
}

static void row_json(audit_page *p, lv_jw *w, const lv_record_head *h,
                     levee_str detail) {
  lv_jw_object_begin(w);
  lv_jw_key(w, "record");
  lv_jw_int(w, (int64_t)h->seq);
  lv_jw_key(w, "time_ms");
  lv_jw_int(w, h->time_ms);
  lv_jw_key(w, "actor");
  lv_jw_string(w, h->actor.ptr, h->actor.len);
  lv_jw_key(w, "type");
  lv_jw_string(w, h->type.ptr, h->type.len);
  lv_jw_key(w, "outcome");
  lv_jw_string(w, h->outcome.ptr, h->outcome.len);
  lv_jw_key(w, "detail");
  detail_json(p, w, h, detail);
  lv_jw_object_end(w);
}

static int audit_row(void *ud, const lv_record_head *h, levee_str detail) {
  audit_page *p = ud;
  if (h->seq <= p->after || (p->before && h->seq >= p->before))
    return 0;
  if (p->actor && (h->actor.len != strlen(p->actor) ||
                   memcmp(h->actor.ptr, p->actor, h->actor.len) != 0))
    return 0;
  if (!p->desc && p->n == p->limit)
    return 1; /* one more exists: the page is full */
  size_t slot = p->desc ? (size_t)(p->seen % p->limit) : (size_t)p->n;
  lv_buf *b = &p->ring[slot];
  lv_buf_reset(b);
  lv_jw w;
  lv_jw_init(&w, b);
  row_json(p, &w, h, detail);
  if (lv_jw_status(&w))
    return LEVEE_ENOMEM;
  p->seqs[slot] = h->seq;
  p->seen++;
  if (p->n < p->limit)
    p->n++;
  p->last = h->seq;
  return 0;
}

void lv_api_audit(lv_call *c) {
  const char *type = lv_http_query(c->rq, "type");
  const char *actor = lv_http_query(c->rq, "actor");
  const char *order = lv_http_query(c->rq, "order");
  uint64_t after, before, limit;
  if (!type)
    type = "access";
  if (!known_type(type)) {
    lv_api_fail(c->rs, 400,
                "type: one of access, login, account, token, policy, review, "
                "search, view, export, purge, register, verify, stats, "
                "verdict, trace");
    return;
  }
  if (order && strcmp(order, "asc") != 0 && strcmp(order, "desc") != 0) {
    lv_api_fail(c->rs, 400, "order: asc (oldest first) or desc");
    return;
  }
  if (arg_u64(c, "after", 0, UINT64_MAX, 0, &after) ||
      arg_u64(c, "before", 0, UINT64_MAX, 0, &before) ||
      arg_u64(c, "limit", 1, 1000, 100, &limit))
    return;
  audit_page p = {.after = after,
                  .before = before,
                  .limit = limit,
                  .actor = actor,
                  .desc = order && !strcmp(order, "desc")};
  p.ring = calloc(limit, sizeof *p.ring);
  p.seqs = calloc(limit, sizeof *p.seqs);
  if (!p.ring || !p.seqs) {
    free(p.ring);
    free(p.seqs);
    lv_api_fail(c->rs, 500, "out of memory");
    return;
  }
  for (uint64_t i = 0; i < limit; i++)
    lv_buf_init(&p.ring[i], (size_t)1 << 24);
  lv_json_doc_init(&p.doc);
  lv_arena_init(&p.arena, (size_t)1 << 20);
  lv_store *st = lv_api_reader_take(c);
  int rc = -1;
  levee_error err = {0};
  if (st) {
    (void)lv_buf_printf(&c->note, "{\"type\":\"%s\",\"after\":%llu}", type,
                        (unsigned long long)after);
    rc = lv_store_each_record(st, type, audit_row, &p, &err);
    lv_api_reader_give(c->api, st);
    if (rc < 0)
      lv_api_fail(c->rs, 500, err.message[0] ? err.message : "store error");
  }
  if (rc >= 0) {
    lv_jw w;
    lv_api_json(c, &w);
    lv_jw_object_begin(&w);
    lv_jw_key(&w, "records");
    lv_jw_array_begin(&w);
    uint64_t oldest = 0;
    for (uint64_t i = 0; i < p.n; i++) {
      /* asc: in order; desc: the ring from its newest back */
      size_t slot = p.desc ? (size_t)((p.seen - 1 - i) % p.limit) : (size_t)i;
      lv_jw_raw(&w, p.ring[slot].data, p.ring[slot].len);
      oldest = p.seqs[slot];
    }
    lv_jw_array_end(&w);
    lv_jw_key(&w, "next_after");
    if (!p.desc && rc == 1)
      lv_jw_int(&w, (int64_t)p.last);
    else
      lv_jw_null(&w);
    lv_jw_key(&w, "next_before");
    if (p.desc && p.seen > p.limit)
      lv_jw_int(&w, (int64_t)oldest);
    else
      lv_jw_null(&w);
    lv_jw_object_end(&w);
    lv_api_json_end(c, &w);
  }
  for (uint64_t i = 0; i < limit; i++)
    lv_buf_cleanup(&p.ring[i]);
  free(p.ring);
  free(p.seqs);
  lv_json_doc_cleanup(&p.doc);
  lv_arena_cleanup(&p.arena);
}

/* --- POST /v1/verify ------------------------------------------------------ */

#define MAX_PROBLEMS 100

typedef struct verify_out {
  lv_jw *w;
  uint64_t shown;
} verify_out;

static void on_problem(void *ud, const lv_verify_problem *p) {
  verify_out *o = ud;
  if (o->shown++ >= MAX_PROBLEMS)
    return;
  static const char *const kinds[] = {
      "altered",        "content_altered", "content_missing",
      "missing",        "inserted",        "log_mismatch",
      "bad_checkpoint", "wrong_key",       "unsigned_tail"};
  lv_jw *w = o->w;
  lv_jw_object_begin(w);
  lv_jw_key(w, "kind");
  lv_jw_cstring(w, (size_t)p->kind < sizeof kinds / sizeof kinds[0]
                       ? kinds[p->kind]
                       : "?");
  lv_jw_key(w, "from");
  lv_jw_int(w, (int64_t)p->seq);
  lv_jw_key(w, "to");
  lv_jw_int(w, (int64_t)p->seq_end);
  if (p->event_id.ptr) {
    lv_jw_key(w, "event");
    lv_jw_string(w, p->event_id.ptr, p->event_id.len);
  }
  lv_jw_key(w, "what");
  lv_jw_cstring(w, p->what ? p->what : "");
  lv_jw_object_end(w);
}

void lv_api_verify(lv_call *c) {
  lv_api *api = c->api;
  if (!api->o.public_key) {
    lv_api_fail(c->rs, 404, "this server keeps no audit store");
    return;
  }
  lv_store *st = lv_api_reader_take(c);
  if (!st)
    return;
  lv_jw w;
  lv_api_json(c, &w);
  lv_jw_object_begin(&w);
  lv_jw_key(&w, "problems");
  lv_jw_array_begin(&w);
  verify_out o = {.w = &w};
  lv_verify_summary sum;
  memset(&sum, 0, sizeof sum);
  levee_error err = {0};
  int rc = lv_store_verify(st, api->o.public_key, on_problem, &o, &sum, &err);
  lv_api_reader_give(api, st);
  if (rc) {
    lv_api_fail(c->rs, 500, err.message[0] ? err.message : "store error");
    return;
  }
  lv_jw_array_end(&w);
  lv_jw_key(&w, "ok");
  lv_jw_bool(&w, sum.problems == 0);
  lv_jw_key(&w, "records");
  lv_jw_int(&w, (int64_t)sum.records);
  lv_jw_key(&w, "events");
  lv_jw_int(&w, (int64_t)sum.events);
  lv_jw_key(&w, "checkpoints");
  lv_jw_int(&w, (int64_t)sum.checkpoints);
  lv_jw_key(&w, "problems_found");
  lv_jw_int(&w, (int64_t)sum.problems);
  lv_jw_key(&w, "unsigned_tail");
  lv_jw_int(&w, (int64_t)sum.unsigned_tail);
  lv_jw_key(&w, "content_deleted");
  lv_jw_int(&w, (int64_t)sum.content_deleted);
  lv_jw_key(&w, "records_expired");
  lv_jw_int(&w, (int64_t)sum.records_expired);
  lv_jw_object_end(&w);
  lv_api_json_end(c, &w);
  /* Its result is a record of its own: the console shows the last one. */
  lv_buf *d = lv_api_add_record(c, "verify", sum.problems ? "tampered" : "ok");
  if (!d || lv_buf_printf(d,
                          "{\"records\":%llu,\"events\":%llu,\"checkpoints\":"
                          "%llu,\"problems\":%llu,\"unsigned_tail\":%llu}",
                          (unsigned long long)sum.records,
                          (unsigned long long)sum.events,
                          (unsigned long long)sum.checkpoints,
                          (unsigned long long)sum.problems,
                          (unsigned long long)sum.unsigned_tail))
    lv_api_fail(c->rs, 500, "out of memory");
}
