/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_followup.c: the verdicts that follow (api_followup.h): a queue of
 * stored events' lines and one worker that reads their attachments (the
 * extraction pool does the reading; the worker waits, so the HTTP workers
 * do not), inspects them whole and stores each verdict as a record.
 */
#include "net/api_followup.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "net/api_int.h"
#include "util/clock.h"
#include "util/limits.h"

typedef struct job {
  struct job *next;
  uint64_t record;
  char actor[64];
  size_t len;
  char line[]; /* len bytes */
} job;

struct lv_followups {
  lv_api *api;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  job *head, *tail;
  size_t jobs, bytes; /* queued or reserved */
  int stopping;
  int64_t stop_by;
  pthread_t thread;
  lv_followup_stats st;
};

int lv_followups_reserve(lv_followups *f, size_t n, size_t bytes) {
  pthread_mutex_lock(&f->mu);
  int ok = !f->stopping && f->jobs + n <= LV_EXTRACT_QUEUE_JOBS &&
           f->bytes + bytes <= LV_EXTRACT_QUEUE_BYTES;
  if (ok) {
    f->jobs += n;
    f->bytes += bytes;
  }
  pthread_mutex_unlock(&f->mu);
  return ok ? LEVEE_OK : LEVEE_EBUSY;
}

void lv_followups_release(lv_followups *f, size_t n, size_t bytes) {
  pthread_mutex_lock(&f->mu);
  f->jobs -= n;
  f->bytes -= bytes;
  pthread_mutex_unlock(&f->mu);
}

void lv_followups_submit(lv_followups *f, levee_str line, uint64_t record,
                         const char *actor) {
  job *j = malloc(sizeof *j + line.len);
  pthread_mutex_lock(&f->mu);
  if (!j) {
    f->jobs--;
    f->bytes -= line.len;
    f->st.failed++;
    pthread_mutex_unlock(&f->mu);
    fprintf(stderr,
            "levee: serve: record %llu: no memory to read its attachments "
            "later\n",
            (unsigned long long)record);
    return;
  }
  j->next = NULL;
  j->record = record;
  snprintf(j->actor, sizeof j->actor, "%s", actor);
  j->len = line.len;
  memcpy(j->line, line.ptr, line.len);
  if (f->tail)
    f->tail->next = j;
  else
    f->head = j;
  f->tail = j;
  f->st.queued++;
  pthread_cond_signal(&f->cv);
  pthread_mutex_unlock(&f->mu);
}

void lv_followups_stats(lv_followups *f, lv_followup_stats *out) {
  pthread_mutex_lock(&f->mu);
  *out = f->st;
  pthread_mutex_unlock(&f->mu);
}

/* Reads, inspects and records one job: 0, or -1. */
static int follow(lv_followups *f, job *j) {
  lv_api *api = f->api;
  lv_api_policy *p = lv_api_policy_get(api);
  lv_api_slot *s = NULL;
  for (int tries = 0; !(s = lv_api_slot_take(api, p)) && tries < 1000; tries++)
    usleep(10000); /* every slot busy: wait for one */
  lv_buf errbuf, detail;
  lv_buf_init(&errbuf, 1 << 16);
  lv_buf_init(&detail, (size_t)1 << 26);
  int rc = -1;
  if (!s)
    goto out;
  lv_http_request rq = {.method = "POST", .path = "/v1/events"};
  lv_http_response rs = {.body = &errbuf};
  lv_call c = {.api = api, .rq = &rq, .rs = &rs};
  lv_arena_init(&c.arena, 1 << 20);
  lv_arena_reset(&s->arena);
  levee_event ev;
  const levee_verdict *v = NULL;
  int late = 0;
  size_t len = 0;
  if (lv_api_inspect_line(&c, s, j->line, j->len, 0, LV_FOLLOWUP_WAIT_MS, &ev,
                          &v, &late) ||
      levee_verdict_json(v, &s->verdict, &len, &s->verdict_cap)) {
    lv_arena_cleanup(&c.arena);
    fprintf(stderr, "levee: serve: record %llu: its attachments: %.*s\n",
            (unsigned long long)j->record, (int)errbuf.len,
            errbuf.data ? errbuf.data : "");
    goto out;
  }
  lv_arena_cleanup(&c.arena);
  if (len && s->verdict[len - 1] == '\n')
    len--;
  lv_jw w;
  lv_jw_init(&w, &detail);
  lv_jw_object_begin(&w);
  lv_jw_key(&w, "event");
  lv_jw_string(&w, ev.id.ptr, ev.id.len);
  lv_jw_key(&w, "event_record");
  lv_jw_int(&w, (int64_t)j->record);
  lv_jw_key(&w, "verdict");
  lv_jw_raw(&w, s->verdict, len);
  lv_jw_object_end(&w);
  if (lv_jw_status(&w))
    goto out;
  lv_write_rec r = {.type = "verdict",
                    .outcome = levee_action_name(v->action),
                    .detail = {detail.data, detail.len}};
  lv_write wr = {
      .actor = {j->actor, strlen(j->actor)}, .recs = &r, .n_recs = 1};
  /* The writer's queue full: wait and try again, this is owed. */
  for (int tries = 0; tries < 600; tries++) {
    rc = lv_store_writer_write(api->o.writer, &wr);
    if (rc != LEVEE_EBUSY)
      break;
    usleep(100000);
  }
  if (rc) {
    fprintf(stderr, "levee: serve: record %llu: its verdict not stored: %s\n",
            (unsigned long long)j->record,
            wr.err.message[0] ? wr.err.message : levee_strerror(rc));
    rc = -1;
  } else {
    lv_api_alerts_submit(api, &ev, v);
  }
out:
  if (s)
    lv_api_slot_give(api, s);
  lv_api_policy_put(p);
  lv_buf_cleanup(&errbuf);
  lv_buf_cleanup(&detail);
  return rc;
}

static void *worker(void *arg) {
  lv_followups *f = arg;
  pthread_mutex_lock(&f->mu);
  for (;;) {
    while (!f->head && !f->stopping)
      pthread_cond_wait(&f->cv, &f->mu);
    if (!f->head || (f->stopping && lv_now_ms() > f->stop_by))
      break;
    job *j = f->head;
    f->head = j->next;
    if (!f->head)
      f->tail = NULL;
    pthread_mutex_unlock(&f->mu);
    int rc = follow(f, j);
    pthread_mutex_lock(&f->mu);
    f->jobs--;
    f->bytes -= j->len;
    if (rc)
      f->st.failed++;
    else
      f->st.done++;
    free(j);
  }
  /* Past the stop's deadline: say what is left. */
  for (job *j = f->head, *next; j; j = next) {
    next = j->next;
    fprintf(stderr,
            "levee: serve: stopped before reading the attachments of record "
            "%llu: send its event again for their verdict\n",
            (unsigned long long)j->record);
    f->st.failed++;
    free(j);
  }
  f->head = f->tail = NULL;
  pthread_mutex_unlock(&f->mu);
  return NULL;
}

int lv_followups_new(lv_api *api, lv_followups **out) {
  lv_followups *f = calloc(1, sizeof *f);
  if (!f)
    return LEVEE_ENOMEM;
  f->api = api;
  pthread_mutex_init(&f->mu, NULL);
  pthread_cond_init(&f->cv, NULL);
  if (pthread_create(&f->thread, NULL, worker, f)) {
    pthread_cond_destroy(&f->cv);
    pthread_mutex_destroy(&f->mu);
    free(f);
    return LEVEE_ENOMEM;
  }
  *out = f;
  return LEVEE_OK;
}

void lv_followups_free(lv_followups *f) {
  if (!f)
    return;
  pthread_mutex_lock(&f->mu);
  f->stopping = 1;
  f->stop_by = lv_now_ms() + LV_HTTP_DRAIN_MS;
  pthread_cond_signal(&f->cv);
  pthread_mutex_unlock(&f->mu);
  pthread_join(f->thread, NULL);
  pthread_cond_destroy(&f->cv);
  pthread_mutex_destroy(&f->mu);
  free(f);
}
