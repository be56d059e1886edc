/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_query.c: stored events as lists and counts, for the security admin:
 *
 *   GET /v1/alerts  stored events whose verdict is not allow, newest first,
 *                   each with its review status; ?status=open|confirmed|
 *                   dismissed|escalated keeps those; text=1 adds the
 *                   message and extracted texts (left out by default: an
 *                   officer opens the one alert she reviews, GET
 *                   /v1/events/{id})
 *   GET /v1/search  full-text search (q, Chinese of one character or more)
 *                   or, without q, a listing; texts with the matches
 *   GET /v1/stats   counts by day, category, department, channel, action
 *                   and severity (by=... picks some; or by sender: "name
 *                   (id)", for top senders and per-staff figures)
 *
 * Filters (all three): since, until (epoch ms, YYYY-MM-DD or RFC 3339),
 * channel, dept, sender, conversation, category (or a prefix ending in
 * '.'), action. Pages: limit (default 50, at most 200) and before (a
 * record number: the next page starts below the last one seen; the answer
 * says it as next_before).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/event_jsonl.h"
#include "net/api_int.h"
#include "net/review_index.h"
#include "core/mask.h"
#include "store/search_json.h"

#define PAGE_DEFAULT 50
#define PAGE_MAX 200
/* Pages a status filter reads at most to fill one. */
#define STATUS_PAGES 20

static levee_str arg(lv_call *c, const char *name) {
  const char *v = lv_http_query(c->rq, name);
  return (levee_str){v, v ? strlen(v) : 0};
}

/* The filters of the query string into q: 0, or -1 after answering 400. */
static int filters(lv_call *c, lv_search_request *q) {
  memset(q, 0, sizeof *q);
  q->since_ms = INT64_MIN;
  q->until_ms = INT64_MAX;
  q->channel = arg(c, "channel");
  q->sender_dept = arg(c, "dept");
  q->sender = arg(c, "sender");
  q->conversation = arg(c, "conversation");
  q->category = arg(c, "category");
  q->action = arg(c, "action");
  static const char *const times[] = {"since", "until"};
  for (int i = 0; i < 2; i++) {
    const char *v = lv_http_query(c->rq, times[i]);
    int64_t ms;
    if (!v)
      continue;
    if (lv_parse_when(v, &ms)) {
      char why[96];
      snprintf(why, sizeof why,
               "%s: epoch milliseconds, YYYY-MM-DD or RFC 3339", times[i]);
      lv_api_fail(c->rs, 400, why);
      return -1;
    }
    if (i == 0)
      q->since_ms = ms;
    else
      q->until_ms = ms;
  }
  const char *l = lv_http_query(c->rq, "limit");
  const char *b = lv_http_query(c->rq, "before");
  q->limit = PAGE_DEFAULT;
  char *end;
  if (l) {
    unsigned long long v = strtoull(l, &end, 10);
    if (!*l || *end || v < 1 || v > PAGE_MAX) {
      lv_api_fail(c->rs, 400, "limit must be a number from 1 to 200");
      return -1;
    }
    q->limit = v;
  }
  if (b) {
    unsigned long long v = strtoull(b, &end, 10);
    if (!*b || *end || v < 1) {
      lv_api_fail(c->rs, 400, "before must be a record number");
      return -1;
    }
    q->before_seq = v;
  }
  return 0;
}

/* The filters (and an unmasked answer), for the access record. */
static void note_filters(lv_call *c, const lv_search_request *q, int unmask) {
  lv_jw w;
  lv_buf_reset(&c->note);
  lv_jw_init(&w, &c->note);
  lv_jw_object_begin(&w);
  static const char *const keys[] = {
      "q",        "channel", "dept",  "sender", "conversation",
      "category", "action",  "since", "until",  "status",
      "by"};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    const char *v = lv_http_query(c->rq, keys[i]);
    if (v) {
      lv_jw_key(&w, keys[i]);
      lv_jw_cstring(&w, v);
    }
  }
  if (q->before_seq) {
    lv_jw_key(&w, "before");
    lv_jw_int(&w, (int64_t)q->before_seq);
  }
  if (unmask) {
    lv_jw_key(&w, "unmask");
    lv_jw_bool(&w, 1);
  }
  lv_jw_object_end(&w);
}

typedef struct page {
  lv_api *api;
  lv_jw *w;
  lv_buf scratch;
  int with_text, alerts;
  int status; /* a review status to keep, or -1 */
  uint64_t n, limit, last_seq, seen;
  lv_api_slot *slot;      /* a scanner, to find the personal data to mask; or
                             NULL: shown whole (?unmask=1) */
  lv_buf text, extracted; /* a hit's texts masked */
  lv_buf clean;           /* a text without the marks */
  size_t *map;            /* where each byte of clean is in text */
  size_t map_cap;
} page;

/* One of a hit's texts with its personal data masked, into to: the text
 * is inspected again as a message of its sender (without the search's
 * marks; personal data is found where the policy reports it), and each
 * pii.* span masked in place, every byte where it was, marks included. 0,
 * or -1 (no room: the text is then left out rather than shown whole). */
static int mask_text(page *p, const lv_search_hit *h, levee_str in, lv_buf *to,
                     levee_str *out) {
  lv_buf_reset(to);
  lv_buf_reset(&p->clean);
  if (lv_buf_append(to, in.ptr, in.len))
    return -1;
  if (in.len > p->map_cap) {
    size_t *m = realloc(p->map, in.len * sizeof *m);
    if (!m)
      return -1;
    p->map = m;
    p->map_cap = in.len;
  }
  size_t k = 0;
  for (size_t i = 0; i < in.len; i++)
    if (in.ptr[i] != LV_SEARCH_JSON_MARK_OPEN[0] &&
        in.ptr[i] != LV_SEARCH_JSON_MARK_CLOSE[0]) {
      if (lv_buf_putc(&p->clean, in.ptr[i]))
        return -1;
      p->map[k++] = i;
    }
  levee_event ev;
  memset(&ev, 0, sizeof ev);
  ev.id = h->id;
  ev.time_ms = h->time_ms;
  ev.channel = h->channel;
  ev.conversation_id = h->conversation_id;
  ev.sender.id = h->sender_id;
  ev.sender.dept = h->sender_dept;
  ev.text = (levee_str){p->clean.data ? p->clean.data : "", k};
  const levee_verdict *v;
  if (levee_scanner_inspect(p->slot->scanner, &ev, &v))
    return -1;
  char *cl = p->clean.data;
  if (k && to->data && cl &&
      lv_mask_findings(cl, k, v->findings, v->n_findings))
    for (size_t j = 0; j < k; j++)
      to->data[p->map[j]] = cl[j];
  *out = (levee_str){to->data, to->len};
  return 0;
}

static int on_hit(void *ud, const lv_search_hit *h) {
  page *p = ud;
  if (h->plan)
    return 0;
  p->seen++;
  p->last_seq = h->seq;
  lv_review_state rs;
  memset(&rs, 0, sizeof rs);
  if (p->alerts) {
    lv_reviews_get(p->api->o.reviews, h->id, &rs);
    if (p->status >= 0 && (int)rs.status != p->status)
      return 0;
  }
  if (p->n == p->limit)
    return 0;
  p->n++;
  lv_jw *w = p->w;
  lv_search_hit masked;
  if (p->with_text && p->slot) {
    masked = *h;
    if (h->text.ptr && mask_text(p, h, h->text, &p->text, &masked.text))
      masked.text = (levee_str){NULL, 0};
    if (h->extracted.ptr &&
        mask_text(p, h, h->extracted, &p->extracted, &masked.extracted))
      masked.extracted = (levee_str){NULL, 0};
    h = &masked;
  }
  if (!p->alerts) {
    lv_search_hit_json(w, h, p->with_text, &p->scratch);
    return lv_jw_status(w);
  }
  /* the hit, and its review inside the same object */
  lv_buf one;
  lv_buf_init(&one, (size_t)1 << 26);
  lv_jw ow;
  lv_jw_init(&ow, &one);
  lv_search_hit_json(&ow, h, p->with_text, &p->scratch);
  int rc = lv_jw_status(&ow);
  if (rc == 0 && one.len >= 2) {
    one.len--; /* the closing brace */
    rc = lv_buf_printf(&one, ",\"review\":{\"status\":\"%s\",\"reviews\":%u}}",
                       lv_review_status_name(rs.status), rs.reviews);
  }
  if (rc == 0)
    lv_jw_raw(w, one.data, one.len);
  lv_buf_cleanup(&one);
  return rc ? rc : lv_jw_status(w);
}

static void list(lv_call *c, int alerts) {
  lv_api *api = c->api;
  lv_search_request q;
  if (filters(c, &q))
    return;
  page p = {.api = api, .alerts = alerts, .status = -1};
  const char *t = lv_http_query(c->rq, "text");
  p.with_text = alerts ? t && !strcmp(t, "1") : !(t && !strcmp(t, "0"));
  if (alerts) {
    q.alerts_only = 1;
    const char *st = lv_http_query(c->rq, "status");
    if (st && (p.status = lv_review_status_parse(st)) < 0) {
      lv_api_fail(c->rs, 400,
                  "status: one of open, confirmed, dismissed, escalated");
      return;
    }
  } else {
    q.text = arg(c, "q");
    q.mark_open = LV_SEARCH_JSON_MARK_OPEN;
    q.mark_close = LV_SEARCH_JSON_MARK_CLOSE;
  }
  const char *um = lv_http_query(c->rq, "unmask");
  int unmask = um && !strcmp(um, "1");
  note_filters(c, &q, unmask); /* seeing personal data whole is recorded */
  lv_api_policy *pol = NULL;
  if (p.with_text && !unmask) {
    pol = lv_api_policy_get(api);
    if (!(p.slot = lv_api_slot_take(api, pol))) {
      lv_api_policy_put(pol);
      lv_api_busy(c, "busy: no inspection slot free");
      return;
    }
  }
  lv_buf_init(&p.text, (size_t)1 << 26);
  lv_buf_init(&p.extracted, (size_t)1 << 26);
  lv_buf_init(&p.clean, (size_t)1 << 26);
  lv_store *st = lv_api_reader_take(c);
  if (!st)
    goto out;
  lv_buf_init(&p.scratch, (size_t)1 << 26);
  lv_jw w;
  lv_api_json(c, &w);
  lv_jw_object_begin(&w);
  lv_jw_key(&w, alerts ? "alerts" : "hits");
  lv_jw_array_begin(&w);
  p.w = &w;
  p.limit = q.limit;
  levee_error err = {0};
  int rc = 0, more = 0;
  /* With a status to keep, read pages until this one is full. */
  for (int pages = 0; pages < (p.status >= 0 ? STATUS_PAGES : 1); pages++) {
    p.seen = 0;
    if ((rc = lv_store_search(st, &q, on_hit, &p, &err)))
      break;
    more = p.seen == q.limit;
    if (p.n == p.limit || !more)
      break;
    q.before_seq = p.last_seq;
  }
  lv_api_reader_give(api, st);
  lv_buf_cleanup(&p.scratch);
  if (rc) {
    lv_api_fail(c->rs, rc == LEVEE_EINVAL ? 400 : 500,
                err.message[0] ? err.message : levee_strerror(rc));
    goto out;
  }
  lv_jw_array_end(&w);
  lv_jw_key(&w, "next_before");
  if (more && p.last_seq)
    lv_jw_int(&w, (int64_t)p.last_seq);
  else
    lv_jw_null(&w);
  lv_jw_object_end(&w);
  lv_api_json_end(c, &w);
out:
  if (p.slot)
    lv_api_slot_give(api, p.slot);
  lv_api_policy_put(pol);
  lv_buf_cleanup(&p.text);
  lv_buf_cleanup(&p.extracted);
  lv_buf_cleanup(&p.clean);
  free(p.map);
}

void lv_api_alerts(lv_call *c) {
  list(c, 1);
}

void lv_api_search(lv_call *c) {
  list(c, 0);
}

/* --- GET /v1/stats -------------------------------------------------------- */

typedef struct counts {
  lv_jw *w;
} counts;

static int on_group(void *ud, levee_str key, uint64_t count) {
  counts *k = ud;
  if (!count)
    return 0; /* a plan line */
  lv_jw_object_begin(k->w);
  lv_jw_key(k->w, "key");
  if (key.ptr)
    lv_jw_string(k->w, key.ptr, key.len);
  else
    lv_jw_null(k->w);
  lv_jw_key(k->w, "count");
  lv_jw_int(k->w, (int64_t)count);
  lv_jw_object_end(k->w);
  return lv_jw_status(k->w);
}

/* One dimension's count: its groups as a JSON array into out. */
typedef struct dim_job {
  lv_stats_request q;
  lv_buf out;
  int rc;
  levee_error err;
} dim_job;

typedef struct worker_set {
  lv_store *st;
  dim_job *jobs;
  size_t n, first, step;
} worker_set;

static void *count_set(void *arg) {
  worker_set *ws = arg;
  for (size_t i = ws->first; i < ws->n; i += ws->step) {
    dim_job *j = &ws->jobs[i];
    lv_jw w;
    lv_jw_init(&w, &j->out);
    lv_jw_array_begin(&w);
    counts k = {&w};
    j->rc = lv_store_stats(ws->st, &j->q, on_group, &k, &j->err);
    lv_jw_array_end(&w);
    if (j->rc == 0)
      j->rc = lv_jw_status(&w);
  }
  return NULL;
}

void lv_api_stats(lv_call *c) {
  lv_api *api = c->api;
  lv_stats_request q;
  lv_stats_request_init(&q);
  if (filters(c, &q.filter))
    return;
  /* limit, when given, keeps each dimension's largest groups (top senders) */
  q.limit = lv_http_query(c->rq, "limit") ? q.filter.limit : 0;
  q.filter.limit = 0;
  const char *a = lv_http_query(c->rq, "alerts");
  q.filter.alerts_only = a && !strcmp(a, "1");
  const char *tz = lv_http_query(c->rq, "tz");
  if (tz) {
    char *end;
    long v = strtol(tz, &end, 10);
    if (!*tz || *end || v < -(long)LV_STATS_TZ_MAX_MIN ||
        v > (long)LV_STATS_TZ_MAX_MIN) {
      lv_api_fail(c->rs, 400, "tz: minutes east of UTC, -840 to 840");
      return;
    }
    q.tz_offset_min = (int)v;
  }
  /* The dimensions asked for (all by default). */
  lv_stats_by by[7];
  size_t n_by = 0;
  const char *b = lv_http_query(c->rq, "by");
  if (!b)
    b = "day,category,dept,channel,action,severity";
  for (const char *s = b; *s && n_by < 7;) {
    const char *comma = strchr(s, ',');
    size_t len = comma ? (size_t)(comma - s) : strlen(s);
    char name[16];
    if (len >= sizeof name || (snprintf(name, sizeof name, "%.*s", (int)len, s),
                               lv_stats_by_parse(name, &by[n_by]))) {
      lv_api_fail(c->rs, 400,
                  "by: day, category, dept, channel, action, severity or "
                  "sender, comma-separated");
      return;
    }
    n_by++;
    s += len + (comma != NULL);
  }
  note_filters(c, &q.filter, 0);
  /* The dimensions are counted side by side, each on a reader of its own
   * (as many as are free, at least one): an overview asks for five, and
   * on a store of a million events each may take a few hundred ms. */
  lv_store *readers[7];
  size_t n_readers = 0;
  if (!(readers[n_readers] = lv_api_reader_take(c)))
    return;
  n_readers++;
  while (n_readers < n_by &&
         (readers[n_readers] = lv_api_reader_try(c->api)) != NULL)
    n_readers++;
  dim_job jobs[7];
  pthread_t threads[7];
  int started[7] = {0};
  for (size_t i = 0; i < n_by; i++) {
    jobs[i] = (dim_job){.q = q};
    jobs[i].q.by = by[i];
    lv_buf_init(&jobs[i].out, (size_t)1 << 24);
  }
  /* Worker r counts dimensions r, r + n_readers, ...; worker 0 is this
   * thread. */
  worker_set set[7];
  for (size_t r = 0; r < n_readers; r++) {
    set[r] = (worker_set){.st = readers[r],
                          .jobs = jobs,
                          .n = n_by,
                          .first = r,
                          .step = n_readers};
    if (r > 0 && pthread_create(&threads[r], NULL, count_set, &set[r]) == 0)
      started[r] = 1;
    else if (r > 0) /* no thread: this one counts them too */
      count_set(&set[r]);
  }
  count_set(&set[0]);
  for (size_t r = 1; r < n_readers; r++)
    if (started[r])
      pthread_join(threads[r], NULL);
  for (size_t r = 0; r < n_readers; r++)
    lv_api_reader_give(api, readers[r]);
  int rc = 0;
  levee_error err = {0};
  for (size_t i = 0; i < n_by && rc == 0; i++)
    if (jobs[i].rc) {
      rc = jobs[i].rc;
      err = jobs[i].err;
    }
  lv_jw w;
  if (rc == 0) {
    lv_api_json(c, &w);
    lv_jw_object_begin(&w);
    lv_jw_key(&w, "tz_offset_min");
    lv_jw_int(&w, q.tz_offset_min);
    /* Where the reviews stand (all time): open alerts are the alerts less
     * the confirmed, dismissed and escalated. */
    uint64_t rv[LV_REVIEW_UNKNOWN + 1];
    lv_reviews_counts(api->o.reviews, rv);
    lv_jw_key(&w, "reviews");
    lv_jw_object_begin(&w);
    for (int s = LV_REVIEW_CONFIRMED; s <= LV_REVIEW_ESCALATED; s++) {
      lv_jw_key(&w, lv_review_status_name((lv_review_status)s));
      lv_jw_int(&w, (int64_t)rv[s]);
    }
    lv_jw_key(&w, "commented");
    lv_jw_int(&w, (int64_t)rv[LV_REVIEW_OPEN]);
    lv_jw_object_end(&w);
    for (size_t i = 0; i < n_by; i++) {
      lv_jw_key(&w, lv_stats_by_name(by[i]));
      lv_jw_raw(&w, jobs[i].out.data ? jobs[i].out.data : "[]",
                jobs[i].out.data ? jobs[i].out.len : 2);
    }
  }
  for (size_t i = 0; i < n_by; i++)
    lv_buf_cleanup(&jobs[i].out);
  if (rc) {
    lv_api_fail(c->rs, rc == LEVEE_ETOOBIG ? 422 : 500,
                rc == LEVEE_ETOOBIG
                    ? "too many groups: narrow the time or the filters"
                : err.message[0] ? err.message
                                 : levee_strerror(rc));
    return;
  }
  lv_jw_object_end(&w);
  lv_api_json_end(c, &w);
}
