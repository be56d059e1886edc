/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_inspect.c: the inspection routes of levee serve's API:
 *
 *   POST /v1/inspect  one event (spec/interface.md section 1, JSON) in, its
 *                     verdict (section 2) out; nothing is stored
 *   POST /v1/events   events as JSON Lines (application/x-ndjson) in, at
 *                     most LV_MAX_EVENTS_BATCH; each is inspected, and all
 *                     are stored in one transaction, with the caller's
 *                     access record; the answer, their verdicts, leaves
 *                     only once that transaction is committed. A batch with
 *                     a line levee cannot read is refused whole (400,
 *                     naming the line), so a caller that retries it after
 *                     a fix loses and doubles nothing (an event whose id is
 *                     already stored is not stored again).
 *
 * Attachments come as base64 data and are read through the extraction
 * pool (api.h says how long a request waits). A pool whose queue is full
 * answers 503: the caller retries later, rather than getting a verdict
 * that did not look at its attachment.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ingest/event_jsonl.h"
#include "net/api_followup.h"
#include "net/api_int.h"
#include "store/evidence.h"
#include "util/clock.h"
#include "util/limits.h"

static void set_error(levee_attachment *at, lv_arena *a, const char *why) {
  char *c = lv_arena_strndup(a, why, strlen(why));
  at->error = (levee_str){c, c ? strlen(c) : 0};
}

/* Reads ev's attachments through the pool, waiting at most wait_ms for
 * all of them; ev->attachments becomes a copy in a; *late is set when one
 * was not read in time. Returns LEVEE_OK, LEVEE_ENOMEM when a has no room
 * for the copy, or LEVEE_EBUSY when the pool's queue is full (nothing is
 * left waiting). */
static int read_attachments(lv_api *api, int64_t wait_ms, levee_event *ev,
                            lv_arena *a, int *late) {
  size_t n = ev->n_attachments;
  levee_attachment *at = lv_arena_alloc(a, n * sizeof *at);
  lv_extract_job **jobs = lv_arena_alloc(a, n * sizeof(lv_extract_job *));
  if (!at || !jobs)
    return LEVEE_ENOMEM;
  memcpy(at, ev->attachments, n * sizeof *at);
  ev->attachments = at;
  int busy = 0;
  for (size_t i = 0; i < n; i++) {
    jobs[i] = NULL;
    if (busy || at[i].text.ptr)
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
    int rc = lv_extract_pool_submit(api->o.pool, copy, at[i].data.len, NULL,
                                    NULL, &jobs[i]);
    if (rc) {
      free(copy);
      jobs[i] = NULL;
      if (rc == LEVEE_EBUSY) {
        atomic_fetch_add_explicit(&api->metrics.attachments_refused, 1,
                                  memory_order_relaxed);
        busy = 1;
      } else {
        set_error(&at[i], a, levee_strerror(rc));
      }
    }
  }
  int64_t deadline = lv_now_ms() + wait_ms;
  for (size_t i = 0; i < n; i++) {
    if (!jobs[i])
      continue;
    int64_t left = deadline - lv_now_ms();
    if (busy) {
      /* Given up: the job is cancelled if it has not started. */
    } else if (lv_extract_job_wait(jobs[i], left > 0 ? left : 0) != LEVEE_OK) {
      atomic_fetch_add_explicit(&api->metrics.attachments_late, 1,
                                memory_order_relaxed);
      *late = 1;
      char why[128];
      snprintf(why, sizeof why,
               "not read within %lld ms (the policy's attachments.timeout)",
               (long long)wait_ms);
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
  return busy ? LEVEE_EBUSY : LEVEE_OK;
}

int lv_api_inspect_line(lv_call *c, lv_api_slot *s, const char *line,
                        size_t len, size_t line_no, int64_t wait_ms,
                        levee_event *ev, const levee_verdict **v, int *late) {
  levee_error err = {0};
  int rc = lv_event_from_jsonl(&s->doc, line, len, &s->arena, ev, &err);
  if (rc) {
    char why[sizeof err.message + 32];
    snprintf(why, sizeof why, "%s%.0zu%s%s", line_no ? "line " : "", line_no,
             line_no ? ": " : "",
             err.message[0] ? err.message : levee_strerror(rc));
    lv_api_fail(c->rs,
                rc == LEVEE_ENOMEM    ? 500
                : rc == LEVEE_ETOOBIG ? 413
                                      : 400,
                why);
    return -1;
  }
  *late = 0;
  if (ev->n_attachments && wait_ms >= 0 &&
      (rc = read_attachments(c->api, wait_ms, ev, &s->arena, late))) {
    if (rc == LEVEE_EBUSY)
      lv_api_busy(c, "busy: too many attachments are waiting to be read");
    else
      lv_api_fail(c->rs, 500, levee_strerror(rc));
    return -1;
  }
  if ((rc = levee_scanner_inspect(s->scanner, ev, v))) {
    lv_api_fail(c->rs, 500, levee_strerror(rc));
    return -1;
  }
  return 0;
}

void lv_api_inspect(lv_call *c) {
  lv_api *api = c->api;
  if (!lv_api_type_is(c->rq->content_type, "application/json")) {
    lv_api_fail(c->rs, 415, "send the event as application/json");
    return;
  }
  lv_api_policy *p = lv_api_policy_get(api);
  lv_api_slot *s = lv_api_slot_take(api, p);
  if (!s) {
    lv_api_policy_put(p);
    lv_api_busy(c, "busy: no inspection slot free");
    return;
  }
  int64_t t0 = lv_now_us();
  lv_arena_reset(&s->arena);
  levee_event ev;
  const levee_verdict *v = NULL;
  size_t len = 0;
  int rc;
  int late;
  if (lv_api_inspect_line(c, s, c->rq->body.ptr, c->rq->body.len, 0,
                          p->policy->attachments.timeout_ms, &ev, &v,
                          &late) == 0) {
    if ((rc = levee_verdict_json(v, &s->verdict, &len, &s->verdict_cap)) ||
        (rc = lv_buf_append(c->rs->body, s->verdict, len))) {
      lv_api_fail(c->rs, 500, levee_strerror(rc));
    } else {
      lv_metrics_inspection(&api->metrics, v, lv_now_us() - t0);
      lv_api_alerts_submit(api, &ev, v);
      c->rs->status = 200;
      c->rs->content_type = "application/json";
    }
  }
  lv_api_slot_give(api, s);
  lv_api_policy_put(p);
}

/* --- POST /v1/events ------------------------------------------------------ */

static int is_ndjson(const char *type) {
  return lv_api_type_is(type, "application/x-ndjson") ||
         lv_api_type_is(type, "application/jsonl") ||
         lv_api_type_is(type, "application/json-lines");
}

/* The digests of attachments that came as data, where the caller gave
 * none: the store keeps them, and the trace of a forwarded file follows
 * them (as levee ingest does). */
static int attachment_digests(const levee_event *ev, lv_evidence *e,
                              lv_arena *a) {
  for (size_t i = 0; i < e->n_attachments && i < ev->n_attachments; i++) {
    const levee_attachment *at = &ev->attachments[i];
    lv_ev_attachment *d = &e->attachments[i];
    if (!at->data.ptr || (d->sha256.ptr && d->md5.ptr))
      continue;
    char sha[65], md5[33];
    lv_evidence_digests(at->data.ptr, at->data.len, sha, md5);
    if (!d->sha256.ptr && sha[0]) {
      char *p = lv_arena_strndup(a, sha, 64);
      if (!p)
        return LEVEE_ENOMEM;
      d->sha256 = (levee_str){p, 64};
    }
    if (!d->md5.ptr && md5[0]) {
      char *p = lv_arena_strndup(a, md5, 32);
      if (!p)
        return LEVEE_ENOMEM;
      d->md5 = (levee_str){p, 32};
    }
  }
  return LEVEE_OK;
}

void lv_api_events(lv_call *c) {
  lv_api *api = c->api;
  if (!is_ndjson(c->rq->content_type)) {
    lv_api_fail(c->rs, 415,
                "send the events as JSON Lines (application/x-ndjson)");
    return;
  }
  if (!api->o.writer) {
    lv_api_fail(c->rs, 404, "this server keeps no audit store");
    return;
  }
  /* Count the lines first: the batch's bound, and room for each. */
  const char *b = c->rq->body.ptr, *end = b + c->rq->body.len;
  size_t n = 0;
  for (const char *q = b; q < end;) {
    const char *nl = memchr(q, '\n', (size_t)(end - q));
    const char *e = nl ? nl : end;
    const char *t = q;
    while (t < e && (*t == ' ' || *t == '\t' || *t == '\r'))
      t++;
    n += t < e;
    q = nl ? nl + 1 : end;
  }
  if (n == 0) {
    lv_api_fail(c->rs, 400, "no events: send one JSON object a line");
    return;
  }
  if (n > LV_MAX_EVENTS_BATCH) {
    char why[96];
    snprintf(why, sizeof why, "%zu events: at most %u a request", n,
             LV_MAX_EVENTS_BATCH);
    lv_api_fail(c->rs, 413, why);
    return;
  }
  lv_api_policy *p = lv_api_policy_get(api);
  lv_api_slot *s = lv_api_slot_take(api, p);
  if (!s) {
    lv_api_policy_put(p);
    lv_api_busy(c, "busy: no inspection slot free");
    return;
  }
  lv_arena_reset(&s->arena);
  lv_evidence *evs = lv_arena_alloc(&s->arena, n * sizeof *evs);
  lv_content *contents = lv_arena_alloc(&s->arena, n * sizeof *contents);
  uint64_t *seqs = lv_arena_alloc(&s->arena, n * sizeof *seqs);
  /* Events whose attachments' verdict follows: their lines. */
  levee_str *later = lv_arena_alloc(&s->arena, n * sizeof *later);
  int follow_up = p->policy->attachments.verdict == LV_ATTACHMENTS_FOLLOW_UP;
  size_t n_later = 0, later_bytes = 0, reserved = 0, reserved_bytes = 0;
  lv_buf verdicts;
  lv_buf_init(&verdicts, (size_t)LV_MAX_REQUEST_BYTES * 4);
  if (!evs || !contents || !seqs || !later) {
    lv_api_fail(c->rs, 500, "out of memory");
    goto out;
  }
  size_t k = 0, line_no = 0;
  for (const char *q = b; q < end;) {
    const char *nl = memchr(q, '\n', (size_t)(end - q));
    const char *e = nl ? nl : end;
    line_no++;
    const char *t = q;
    while (t < e && (*t == ' ' || *t == '\t' || *t == '\r'))
      t++;
    q = nl ? nl + 1 : end;
    if (t == e)
      continue;
    levee_event ev;
    const levee_verdict *v = NULL;
    int64_t t0 = lv_now_us();
    int late = 0;
    if (lv_api_inspect_line(c, s, t, (size_t)(e - t), line_no,
                            follow_up ? -1 : p->policy->attachments.timeout_ms,
                            &ev, &v, &late))
      goto out;
    int has_data = 0;
    for (size_t i = 0; i < ev.n_attachments; i++)
      has_data |= ev.attachments[i].data.ptr != NULL;
    later[k] = (levee_str){NULL, 0};
    if (has_data && (follow_up || late)) {
      later[k] = (levee_str){t, (size_t)(e - t)};
      n_later++;
      later_bytes += (size_t)(e - t);
    }
    size_t len = 0;
    int rc = levee_verdict_json(v, &s->verdict, &len, &s->verdict_cap);
    if (rc == 0 && len && s->verdict[len - 1] == '\n')
      len--;
    if (rc ||
        (rc = lv_evidence_from(&ev, v, &s->arena, &evs[k], &contents[k])) ||
        (rc = attachment_digests(&ev, &evs[k], &s->arena)) ||
        (rc = lv_buf_puts(&verdicts, k ? "," : "[")) ||
        (rc = lv_buf_append(&verdicts, s->verdict, len))) {
      lv_api_fail(c->rs, rc == LEVEE_ETOOBIG ? 413 : 500, levee_strerror(rc));
      goto out;
    }
    lv_metrics_inspection(&api->metrics, v, lv_now_us() - t0);
    /* Alerted as inspected: a batch that then fails to be stored is sent
     * again by its caller, and the repeat falls in the same alert's
     * window (policy alerts.window). */
    lv_api_alerts_submit(api, &ev, v);
    k++;
  }
  if (lv_buf_putc(&verdicts, ']')) {
    lv_api_fail(c->rs, 413, "the verdicts do not fit an answer");
    goto out;
  }
  /* Room for the follow-ups first: an event stored whose attachments'
   * verdict could not follow would be half done. */
  if (n_later && lv_followups_reserve(api->o.followups, n_later, later_bytes)) {
    lv_api_busy(c, "busy: too many attachments are waiting to be read");
    goto out;
  }
  reserved = n_later;
  reserved_bytes = later_bytes;
  c->events.ev = evs;
  c->events.content = contents;
  c->events.n = k;
  c->events.seqs = seqs;
  (void)lv_buf_printf(&c->note, "{\"events\":%zu}", k);
  c->rs->status = 200; /* what the access record says, if committed */
  if (lv_api_commit(c))
    goto out;
  size_t dup = 0;
  for (size_t i = 0; i < k; i++) {
    dup += seqs[i] == 0;
    if (later[i].ptr && seqs[i]) {
      lv_followups_submit(api->o.followups, later[i], seqs[i], c->who.name);
      reserved--;
      reserved_bytes -= later[i].len;
    }
  }
  atomic_fetch_add_explicit(&api->metrics.events_stored, k - dup,
                            memory_order_relaxed);
  lv_jw w;
  lv_api_json(c, &w);
  lv_jw_object_begin(&w);
  lv_jw_key(&w, "stored");
  lv_jw_int(&w, (int64_t)(k - dup));
  lv_jw_key(&w, "duplicates");
  lv_jw_int(&w, (int64_t)dup);
  lv_jw_key(&w, "records");
  lv_jw_array_begin(&w);
  for (size_t i = 0; i < k; i++)
    lv_jw_int(&w, (int64_t)seqs[i]);
  lv_jw_array_end(&w);
  lv_jw_key(&w, "verdicts");
  lv_jw_raw(&w, verdicts.data, verdicts.len);
  lv_jw_key(&w, "pending");
  lv_jw_array_begin(&w);
  for (size_t i = 0; i < k; i++)
    if (later[i].ptr && seqs[i])
      lv_jw_string(&w, evs[i].id.ptr, evs[i].id.len);
  lv_jw_array_end(&w);
  lv_jw_object_end(&w);
  lv_api_json_end(c, &w);
out:
  if (reserved)
    lv_followups_release(api->o.followups, reserved, reserved_bytes);
  c->events.n = 0;
  lv_buf_cleanup(&verdicts);
  lv_api_slot_give(api, s);
  lv_api_policy_put(p);
}
