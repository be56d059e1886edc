/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_alerts.c: alerts and their review in levee serve's API (security
 * admin):
 *
 *   POST /v1/alerts/{id}/review  {"decision","note"}: confirm, dismiss (a
 *                                false positive), escalate or comment on
 *                                the alert of stored event id. A review is
 *                                a "review" record of the audit trail; it
 *                                never changes or deletes the event, its
 *                                verdict or an earlier review.
 *   GET  /v1/alerts/undelivered  alerts the sinks did not take (failed
 *                                after their attempts, or dropped), newest
 *                                first: ?limit=N (default 100, at most
 *                                1000); security and system admins
 *   GET  /v1/events/{id}         a stored event with its verdict and, as
 *                                context, up to ?context=N (default 5, at
 *                                most 50) events before and after it in
 *                                its conversation, and its review status;
 *                                personal data (pii.* findings) masked in
 *                                the texts, every offset kept, unless
 *                                ?unmask=1, which the access record says
 *
 * An alert is a stored event whose verdict is not allow.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/alert.h"
#include "net/api_int.h"
#include "net/review_index.h"
#include "store/event_json.h"
#include "util/limits.h"

#define MAX_NOTE_BYTES 4000

/* The review state of an alert as JSON members. */
static void review_json(lv_jw *w, const lv_review_state *st) {
  lv_jw_key(w, "review");
  lv_jw_object_begin(w);
  lv_jw_key(w, "status");
  lv_jw_cstring(w, lv_review_status_name(st->status));
  lv_jw_key(w, "reviews");
  lv_jw_int(w, st->reviews);
  if (st->reviews) {
    lv_jw_key(w, "last_by");
    lv_jw_cstring(w, st->last_by);
    lv_jw_key(w, "last_ms");
    lv_jw_int(w, st->last_ms);
    lv_jw_key(w, "last_record");
    lv_jw_int(w, (int64_t)st->last_record);
  }
  lv_jw_object_end(w);
}

typedef struct found {
  int seen;
  char action[16];
} found;

static int on_alert(void *ud, const lv_stored_event *se) {
  found *f = ud;
  f->seen = 1;
  snprintf(f->action, sizeof f->action, "%.*s", (int)se->ev->action.len,
           se->ev->action.ptr);
  return 0;
}

void lv_api_review(lv_call *c) {
  lv_api *api = c->api;
  lv_json_doc doc;
  lv_json_doc_init(&doc);
  char decision[16], *note = NULL;
  if (lv_api_body(c, &doc))
    goto out;
  if (!(note = malloc(MAX_NOTE_BYTES + 1)))
    goto oom;
  if (lv_api_member(c, &doc, 0, "decision", decision, sizeof decision) != 1 ||
      lv_review_decision(decision) == -2) {
    lv_api_fail(c->rs, 400,
                "decision: one of confirm, dismiss, escalate, comment");
    goto out;
  }
  if (lv_api_member(c, &doc, 0, "note", note, MAX_NOTE_BYTES + 1) != 1 ||
      !note[0]) {
    lv_api_fail(c->rs, 400, "a review needs a note (at most 4000 bytes)");
    goto out;
  }
  /* The alert must be one. */
  lv_store *st = lv_api_reader_take(c);
  if (!st)
    goto out;
  found f = {0};
  uint64_t seq = 0;
  levee_error err = {0};
  levee_str id = {c->target, strlen(c->target)};
  int rc = lv_store_view(st, id, 0, 0, on_alert, &f, &seq, &err);
  lv_api_reader_give(api, st);
  if (rc == LEVEE_ENOTFOUND || (rc == 0 && !f.seen)) {
    lv_api_fail(c->rs, 404, "no stored event has this id");
    goto out;
  }
  if (rc) {
    lv_api_fail(c->rs, 500, err.message[0] ? err.message : "store error");
    goto out;
  }
  if (!strcmp(f.action, "allow")) {
    lv_api_fail(c->rs, 409, "this event was allowed: it is not an alert");
    goto out;
  }
  lv_buf *b = lv_api_add_record(c, "review", "ok");
  lv_jw w;
  lv_jw_init(&w, b);
  lv_jw_object_begin(&w);
  lv_jw_key(&w, "alert");
  lv_jw_string(&w, id.ptr, id.len);
  lv_jw_key(&w, "event_record");
  lv_jw_int(&w, (int64_t)seq);
  lv_jw_key(&w, "decision");
  lv_jw_cstring(&w, decision);
  lv_jw_key(&w, "note");
  lv_jw_cstring(&w, note);
  lv_jw_object_end(&w);
  if (lv_jw_status(&w))
    goto oom;
  (void)lv_buf_printf(&c->note, "{\"decision\":\"%s\"}", decision);
  c->rs->status = 200;
  if (lv_api_commit(c))
    goto out;
  int64_t now = lv_store_now_ms();
  lv_reviews_put(api->o.reviews, id, decision, c->who.name, now,
                 c->recs[0].seq);
  lv_review_state rs;
  lv_reviews_get(api->o.reviews, id, &rs);
  lv_api_json(c, &w);
  lv_jw_object_begin(&w);
  lv_jw_key(&w, "alert");
  lv_jw_string(&w, id.ptr, id.len);
  lv_jw_key(&w, "record");
  lv_jw_int(&w, (int64_t)c->recs[0].seq);
  review_json(&w, &rs);
  lv_jw_object_end(&w);
  lv_api_json_end(c, &w);
  goto out;
oom:
  lv_api_fail(c->rs, 500, "out of memory");
out:
  free(note);
  lv_json_doc_cleanup(&doc);
}

/* --- GET /v1/alerts/undelivered ------------------------------------------ */

void lv_api_undelivered(lv_call *c) {
  lv_api *api = c->api;
  const char *l = lv_http_query(c->rq, "limit");
  long limit = 100;
  if (l) {
    char *end;
    limit = strtol(l, &end, 10);
    if (!*l || *end || limit < 1 || limit > 1000) {
      lv_api_fail(c->rs, 400, "limit must be a number from 1 to 1000");
      return;
    }
  }
  lv_alerts_stats st;
  memset(&st, 0, sizeof st);
  if (api->o.alerts)
    lv_alerts_stats_get(api->o.alerts, &st);
  lv_buf *b = c->rs->body;
  lv_buf_reset(b);
  int rc = lv_buf_printf(
      b,
      "{\"pending\":%llu,\"delivered\":%llu,\"failed\":%llu,"
      "\"dropped\":%llu,\"undelivered\":",
      (unsigned long long)st.pending, (unsigned long long)st.delivered,
      (unsigned long long)st.failed, (unsigned long long)st.dropped);
  if (rc == 0)
    rc = api->o.alerts
             ? lv_alerts_undelivered_json(api->o.alerts, (size_t)limit, b)
             : lv_buf_puts(b, "[]");
  if (rc == 0)
    rc = lv_buf_puts(b, "}\n");
  if (rc) {
    lv_api_fail(c->rs, 500, "out of memory");
    return;
  }
  c->rs->status = 200;
  c->rs->content_type = "application/json";
}

/* --- GET /v1/events/{id} -------------------------------------------------- */

typedef struct view {
  lv_jw *w;
  lv_json_doc doc;
  levee_str id;
  lv_buf before, after, self;
  int seen;
  int mask; /* personal data masked (unless ?unmask=1) */
} view;

static int on_event(void *ud, const lv_stored_event *se) {
  view *v = ud;
  int self = se->ev->id.len == v->id.len &&
             !memcmp(se->ev->id.ptr, v->id.ptr, v->id.len);
  lv_buf *b = self ? &v->self : v->seen ? &v->after : &v->before;
  if (self)
    v->seen = 1;
  else if (b->len && lv_buf_putc(b, ','))
    return LEVEE_ETOOBIG;
  lv_jw w;
  lv_jw_init(&w, b);
  lv_stored_event_json_masked(&w, &v->doc, se, 1, v->mask);
  return lv_jw_status(&w);
}

void lv_api_event(lv_call *c) {
  lv_api *api = c->api;
  const char *ctx = lv_http_query(c->rq, "context");
  long context = 5;
  if (ctx) {
    char *end;
    context = strtol(ctx, &end, 10);
    if (!*ctx || *end || context < 0 || context > 50) {
      lv_api_fail(c->rs, 400, "context must be a number from 0 to 50");
      return;
    }
  }
  const char *um = lv_http_query(c->rq, "unmask");
  int unmask = um && !strcmp(um, "1");
  if (um && !unmask && strcmp(um, "0") != 0) {
    lv_api_fail(c->rs, 400, "unmask: 1 (show personal data) or 0");
    return;
  }
  /* Seeing personal data whole is an action of its own in the trail. */
  if (unmask)
    (void)lv_buf_puts(&c->note, "{\"unmask\":true}");
  lv_store *st = lv_api_reader_take(c);
  if (!st)
    return;
  view v = {.id = {c->target, strlen(c->target)}, .mask = !unmask};
  lv_json_doc_init(&v.doc);
  lv_buf_init(&v.before, (size_t)LV_MAX_REQUEST_BYTES * 8);
  lv_buf_init(&v.after, (size_t)LV_MAX_REQUEST_BYTES * 8);
  lv_buf_init(&v.self, (size_t)LV_MAX_REQUEST_BYTES * 8);
  uint64_t seq = 0;
  levee_error err = {0};
  int rc = lv_store_view(st, v.id, (size_t)context, (size_t)context, on_event,
                         &v, &seq, &err);
  lv_api_reader_give(api, st);
  if (rc == LEVEE_ENOTFOUND || (rc == 0 && !v.seen)) {
    lv_api_fail(c->rs, 404, "no stored event has this id");
  } else if (rc) {
    lv_api_fail(c->rs, 500, err.message[0] ? err.message : levee_strerror(rc));
  } else {
    lv_review_state rs;
    lv_reviews_get(api->o.reviews, v.id, &rs);
    lv_jw w;
    lv_api_json(c, &w);
    lv_jw_object_begin(&w);
    lv_jw_key(&w, "event");
    lv_jw_raw(&w, v.self.data, v.self.len);
    review_json(&w, &rs);
    lv_jw_key(&w, "before");
    lv_jw_array_begin(&w);
    if (v.before.len)
      lv_jw_raw(&w, v.before.data, v.before.len);
    lv_jw_array_end(&w);
    lv_jw_key(&w, "after");
    lv_jw_array_begin(&w);
    if (v.after.len)
      lv_jw_raw(&w, v.after.data, v.after.len);
    lv_jw_array_end(&w);
    lv_jw_object_end(&w);
    lv_api_json_end(c, &w);
  }
  lv_buf_cleanup(&v.before);
  lv_buf_cleanup(&v.after);
  lv_buf_cleanup(&v.self);
  lv_json_doc_cleanup(&v.doc);
}
