
/* SPDX-License-Identifier: Apache-2.0 */
/*
 * alert.c: the alert dispatcher (alert.h): routes, aggregation windows,
 * the bounded queue, delivery threads with retries, counters and the ring
 * of undelivered alerts.
 *
 * One mutex guards everything shared. Submission routes and copies under
 * it and returns; a delivery thread takes an item off the queue under it,
 * formats and sends with it released, and settles the outcome under it
 * again. Threads sleep on one condition variable (CLOCK_MONOTONIC) until
 * an item is due, a window closes, or the dispatcher stops; whoever
 * changes the queue broadcasts.
 *
 * Memory is bounded: the queue (queue_max items, each an alert of bounded
 * fields and a copy of its sink's settings), the windows
 * (LV_ALERT_DEDUP_MAX, each with its last alert), the ring
 * (LV_ALERT_UNDELIVERED_MAX records) and the per-sink counters
 * (SINK_STATS_MAX names; more share one "(other)" entry).
 */
#include "net/alert.h"

#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/policy.h"
#include "net/alert_format.h"
#include "net/alert_send.h"
#include "util/clock.h"
#include "util/hash.h"
#include "util/json_writer.h"
#include "util/limits.h"

/* A policy's sinks are a bit set. */
_Static_assert(LV_MAX_ALERT_SINKS <= 64, "sinks must fit a uint64_t");

/* Sink names whose counters are kept apart; later names share one. */
#define SINK_STATS_MAX 256
/* Hash buckets of the windows: a power of two, twice their bound. */
#define WINDOW_BUCKETS (2 * LV_ALERT_DEDUP_MAX)
#define ERROR_BYTES 200

static int64_t wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --- counters per sink name ---------------------------------------------- */

typedef struct sink_stat {
  char *name;
  uint64_t submitted, aggregated, summaries, queued, delivered, retried, failed,
      dropped;
  uint64_t pending; /* queued or in flight */
  unsigned busy;    /* attempts in flight: at most one */
} sink_stat;

/* --- routes: a policy's alert settings, resolved once ------------------- */

typedef struct rule_route {
  const char *id; /* the policy's */
  uint64_t sinks; /* bit i: alerts.sinks[i] */
} rule_route;

typedef struct routes {
  levee_policy *policy; /* a reference; NULL: no sinks */
  rule_route *rules;    /* sorted by id */
  size_t n_rules;
  uint64_t defaults;
  size_t n_sinks;
  int64_t window_ms;
  sink_stat *st[LV_MAX_ALERT_SINKS]; /* each sink's counters */
} routes;

static int route_cmp(const void *x, const void *y) {
  return strcmp(((const rule_route *)x)->id, ((const rule_route *)y)->id);
}

static uint64_t sink_bits(const levee_policy *p, const lv_strlist *names) {
  uint64_t bits = 0;
  for (size_t i = 0; i < names->n; i++) {
    const lv_sink *s = lv_policy_sink(p, names->v[i]);
    if (s)
      bits |= (uint64_t)1 << (s - p->alerts.sinks);
  }
  return bits;
}

static void routes_free(routes *r) {
  if (!r)
    return;
  levee_policy_destroy(r->policy);
  free(r->rules);
  free(r);
}

/* The routes of p (NULL: none). Returns NULL when out of memory. */
static routes *routes_new(levee_policy *p) {
  routes *r = calloc(1, sizeof *r);
  if (!r)
    return NULL;
  if (!p)
    return r;
  r->policy = lv_policy_ref(p);
  r->n_sinks = p->alerts.n_sinks;
  r->window_ms = p->alerts.window_ms;
  r->defaults = sink_bits(p, &p->alerts.defaults);
  if (p->n_rules && !(r->rules = calloc(p->n_rules, sizeof *r->rules))) {
    routes_free(r);
    return NULL;
  }
  for (size_t i = 0; i < p->n_rules; i++) {
    const lv_rule *x = &p->rules[i];
    r->rules[i].id = x->id;
    r->rules[i].sinks = x->notify_set ? sink_bits(p, &x->notify) : r->defaults;
  }
  r->n_rules = p->n_rules;
  if (r->n_rules)
    qsort(r->rules, r->n_rules, sizeof *r->rules, route_cmp);
  return r;
}

/* The sinks of a finding of rule id: its rule's, else the defaults. */
static uint64_t route_of(const routes *r, const char *id) {
  if (!id || !r->n_rules)
    return r->defaults;
  rule_route key = {.id = id};
  const rule_route *x =
      bsearch(&key, r->rules, r->n_rules, sizeof *r->rules, route_cmp);
  return x ? x->sinks : r->defaults;
}

/* --- queue items ---------------------------------------------------------- */

typedef struct item {
  struct item *prev, *next;
  lv_sink sink; /* a copy of the settings it was routed with */
  sink_stat *st;
  lv_alert *alert;
  unsigned attempts; /* made so far */
  int64_t due_ms;    /* monotonic: not before */
  char error[ERROR_BYTES];
} item;

static void sink_cleanup(lv_sink *s) {
  free(s->name);
  free(s->url);
  free(s->secret);
  free(s->host);
  free(s->port);
}

static int dup_or_null(const char *s, char **out) {
  *out = s ? strdup(s) : NULL;
  return s && !*out ? LEVEE_ENOMEM : LEVEE_OK;
}

/* The settings an attempt needs, owned by the item. */
static int sink_copy(lv_sink *dst, const lv_sink *src) {
  *dst = (lv_sink){.type = src->type,
                   .tcp = src->tcp,
                   .facility = src->facility,
                   .excerpts = src->excerpts,
                   .line = src->line};
  if (dup_or_null(src->name, &dst->name) || dup_or_null(src->url, &dst->url) ||
      dup_or_null(src->secret, &dst->secret) ||
      dup_or_null(src->host, &dst->host) ||
      dup_or_null(src->port, &dst->port)) {
    sink_cleanup(dst);
    return LEVEE_ENOMEM;
  }
  return LEVEE_OK;
}

static void item_free(item *it) {
  if (!it)
    return;
  sink_cleanup(&it->sink);
  lv_alert_free(it->alert);
  free(it);
}

/* --- aggregation windows ------------------------------------------------- */

typedef struct window {
  struct window *hnext;         /* hash chain */
  struct window *older, *newer; /* by closing time, earliest first */
  uint64_t hash;
  char *key; /* "sender\0rule\0sink" */
  size_t key_len;
  const char *sink; /* in key */
  lv_sink_type type;
  int64_t closes_ms;
  int64_t window_ms;
  uint64_t count; /* alerts counted after the first */
  lv_alert *last; /* the last one counted */
} window;

/* --- undelivered alerts -------------------------------------------------- */

typedef struct lost {
  char *mem; /* the strings */
  const char *sink, *event_id, *rules, *sender_id, *sender_name, *error;
  lv_sink_type type;
  lv_alert_kind kind;
  int64_t time_ms, at_ms;
  uint64_t count;
  unsigned attempts;
  int failed; /* 1: failed after attempts; 0: dropped */
} lost;

/* --- the dispatcher ------------------------------------------------------ */

struct lv_alerts {
  pthread_mutex_t mu;
  pthread_cond_t changed; /* queue, windows, a sink freed, stop */
  /* options */
  size_t queue_max;
  unsigned max_attempts;
  int64_t backoff_first, backoff_max, timeout_ms;
  char *console_url;
  char hostname[256];
  int pid;
  routes *routes;
  /* the queue: waiting items, oldest first; items in flight are off it */
  item *head, *tail;
  size_t waiting, in_flight;
  /* windows */
  window **buckets;
  window *earliest, *latest;
  size_t n_windows;
  /* counters */
  lv_alerts_stats st;
  sink_stat *sinks[SINK_STATS_MAX];
  size_t n_sinks;
  sink_stat other; /* names past SINK_STATS_MAX */
  /* the ring of undelivered */
  lost *ring;
  size_t ring_next, ring_n;
  /* lifecycle */
  int stopping; /* no new submissions; threads leave once the queue empties */
  int aborted;  /* threads leave now */
  int stopped;
  atomic_int cancel; /* attempts in flight stop */
  pthread_t threads[LV_ALERT_MAX_THREADS];
  unsigned n_threads;
};

/* The counters of the sink named name (mutex held). */
static sink_stat *stat_of(lv_alerts *a, const char *name) {
  for (size_t i = 0; i < a->n_sinks; i++)
    if (!strcmp(a->sinks[i]->name, name))
      return a->sinks[i];
  if (a->n_sinks == SINK_STATS_MAX)
    return &a->other;
  sink_stat *s = calloc(1, sizeof *s);
  if (!s || !(s->name = strdup(name))) {
    free(s);
    return &a->other;
  }
  a->sinks[a->n_sinks++] = s;
  return s;
}

/* Points r's sinks at their counters (mutex held). */
static void routes_bind(lv_alerts *a, routes *r) {
  for (size_t i = 0; i < r->n_sinks; i++)
    r->st[i] = stat_of(a, r->policy->alerts.sinks[i].name);
}

/* Remembers an alert given up, and frees it (mutex held). */
static void remember(lv_alerts *a, const char *sink, lv_sink_type type,
                     lv_alert *al, unsigned attempts, int failed,
                     const char *error) {
  lv_buf rules;
  lv_buf_init(&rules, LV_ALERT_MAX_LIST * (LV_ALERT_FIELD_BYTES + 1));
  for (size_t i = 0; i < al->n_rules; i++)
    if ((i && lv_buf_putc(&rules, ',')) || lv_buf_puts(&rules, al->rules[i]))
      break;
  const char *src[6] = {
      sink,          al->event_id,    rules.data ? rules.data : "",
      al->sender_id, al->sender_name, error ? error : ""};
  size_t len[6], total = 0;
  for (int i = 0; i < 6; i++)
    total += (len[i] = strlen(src[i])) + 1;
  char *mem = malloc(total);
  if (mem) {
    lost *l = &a->ring[a->ring_next];
    free(l->mem);
    *l = (lost){.mem = mem,
                .type = type,
                .kind = al->kind,
                .time_ms = al->time_ms,
                .at_ms = wall_ms(),
                .count = al->count,
                .attempts = attempts,
                .failed = failed};
    const char **dst[6] = {&l->sink,      &l->event_id,    &l->rules,
                           &l->sender_id, &l->sender_name, &l->error};
    for (int i = 0; i < 6; i++) {
      memcpy(mem, src[i], len[i] + 1);
      *dst[i] = mem;
      mem += len[i] + 1;
    }
    a->ring_next = (a->ring_next + 1) % LV_ALERT_UNDELIVERED_MAX;
    if (a->ring_n < LV_ALERT_UNDELIVERED_MAX)
      a->ring_n++;
  }
  lv_buf_cleanup(&rules);
  lv_alert_free(al);
}

/* Counts an alert that will not be sent, remembers it, frees it. */
static void drop(lv_alerts *a, sink_stat *st, const char *sink,
                 lv_sink_type type, lv_alert *al, unsigned attempts,
                 const char *why) {
  a->st.dropped++;
  st->dropped++;
  remember(a, sink, type, al, attempts, 0, why);
}

/* Queues al for sink s (its settings copied), or drops it when the queue
 * is full (mutex held). Takes al. */
static void enqueue(lv_alerts *a, const lv_sink *s, sink_stat *st,
                    lv_alert *al) {
  if (a->aborted || a->stopped) {
    drop(a, st, s->name, s->type, al, 0, "levee stopped before it was sent");
    return;
  }
  if (a->waiting + a->in_flight >= a->queue_max) {
    drop(a, st, s->name, s->type, al, 0, "the alert queue was full");
    return;
  }
  /* Each sink of the policy has its share of the queue, so that one that
   * is down cannot fill it for the others. */
  size_t share = a->queue_max / (a->routes->n_sinks ? a->routes->n_sinks : 1);
  if (st->pending >= (share ? share : 1)) {
    drop(a, st, s->name, s->type, al, 0,
         "the sink's share of the alert queue was full");
    return;
  }
  item *it = calloc(1, sizeof *it);
  if (!it || sink_copy(&it->sink, s)) {
    free(it);
    drop(a, st, s->name, s->type, al, 0, "out of memory");
    return;
  }
  it->st = st;
  it->alert = al;
  it->prev = a->tail;
  if (a->tail)
    a->tail->next = it;
  else
    a->head = it;
  a->tail = it;
  a->waiting++;
  a->st.queued++;
  st->queued++;
  st->pending++;
  pthread_cond_broadcast(&a->changed);
}

static void unlink_item(lv_alerts *a, item *it) {
  if (it->prev)
    it->prev->next = it->next;
  else
    a->head = it->next;
  if (it->next)
    it->next->prev = it->prev;
  else
    a->tail = it->prev;
  it->prev = it->next = NULL;
  a->waiting--;
}

/* --- windows (mutex held) ------------------------------------------------ */

static void window_unlink(lv_alerts *a, window *w) {
  window **pp = &a->buckets[w->hash & (WINDOW_BUCKETS - 1)];
  while (*pp != w)
    pp = &(*pp)->hnext;
  *pp = w->hnext;
  if (w->older)
    w->older->newer = w->newer;
  else
    a->earliest = w->newer;
  if (w->newer)
    w->newer->older = w->older;
  else
    a->latest = w->older;
  a->n_windows--;
}

/* Closes w: its follow-up, when it counted any, goes to the sink of its
 * name in the policy of the moment. */
static void window_close(lv_alerts *a, window *w) {
  window_unlink(a, w);
  if (w->count && w->last) {
    routes *r = a->routes;
    const lv_sink *s = r->policy ? lv_policy_sink(r->policy, w->sink) : NULL;
    sink_stat *st = stat_of(a, w->sink);
    lv_alert *sum = NULL;
    a->st.summaries++;
    st->summaries++;
    if (lv_alert_summary(w->last, w->count, w->window_ms, &sum)) {
      a->st.dropped++;
      st->dropped++;
    } else if (!s)
      drop(a, st, w->sink, w->type, sum, 0,
           "its sink is no longer in the policy");
    else
      enqueue(a, s, st, sum);
  }
  lv_alert_free(w->last);
  free(w->key);
  free(w);
}

/* Closes the windows due by now; returns when the next one closes. */
static int64_t windows_sweep(lv_alerts *a, int64_t now) {
  while (a->earliest && a->earliest->closes_ms <= now)
    window_close(a, a->earliest);
  return a->earliest ? a->earliest->closes_ms : INT64_MAX;
}

static window *window_find(lv_alerts *a, const char *key, size_t n,
                           uint64_t h) {
  for (window *w = a->buckets[h & (WINDOW_BUCKETS - 1)]; w; w = w->hnext)
    if (w->hash == h && w->key_len == n && !memcmp(w->key, key, n))
      return w;
  return NULL;
}

/* Opens a window for key; the oldest closes first when all are open.
 * Returns NULL when out of memory (the alert is then simply sent). */
static window *window_open(lv_alerts *a, const char *key, size_t n, uint64_t h,
                           const lv_sink *sink, int64_t now, int64_t length) {
  if (a->n_windows >= LV_ALERT_DEDUP_MAX)
    window_close(a, a->earliest);
  window *w = calloc(1, sizeof *w);
  if (!w || !(w->key = malloc(n))) {
    free(w);
    return NULL;
  }
  memcpy(w->key, key, n);
  w->key_len = n;
  w->hash = h;
  w->sink = w->key + n - strlen(sink->name) - 1;
  w->type = sink->type;
  w->window_ms = length;
  w->closes_ms = now + length;
  w->hnext = a->buckets[h & (WINDOW_BUCKETS - 1)];
  a->buckets[h & (WINDOW_BUCKETS - 1)] = w;
  /* By closing time: from the latest back (windows of one length come in
   * order; a policy with another length may put one earlier). */
  window *after = a->latest;
  while (after && after->closes_ms > w->closes_ms)
    after = after->older;
  w->older = after;
  w->newer = after ? after->newer : a->earliest;
  if (w->newer)
    w->newer->older = w;
  else
    a->latest = w;
  if (after)
    after->newer = w;
  else
    a->earliest = w;
  a->n_windows++;
  return w;
}

/* --- submission ----------------------------------------------------------- */

/* The key "sender\0rule\0sink" in buf; its length, or 0 when too long. */
static size_t make_key(char *buf, size_t cap, levee_str sender,
                       const char *rule, const char *sink) {
  size_t r = strlen(rule) + 1, s = strlen(sink) + 1;
  if (sender.len + 1 + r + s > cap)
    return 0;
  memcpy(buf, sender.ptr, sender.len);
  buf[sender.len] = '\0';
  memcpy(buf + sender.len + 1, rule, r);
  memcpy(buf + sender.len + 1 + r, sink, s);
  return sender.len + 1 + r + s;
}

void lv_alerts_submit(lv_alerts *a, const levee_event *ev,
                      const levee_verdict *v) {
  if (!a || !ev || !v || v->action < LEVEE_ACTION_ALERT || !v->n_findings ||
      !v->findings)
    return;
  size_t nf = v->n_findings < LV_MAX_FINDINGS ? v->n_findings : LV_MAX_FINDINGS;
  uint64_t fsinks[LV_MAX_FINDINGS], any = 0;
  size_t idx[LV_MAX_FINDINGS], rule_idx[LV_MAX_FINDINGS];
  char key[3 * LV_ALERT_FIELD_BYTES + 3 * 64];
  /* Aggregation is by sender: its id, else its name. */
  levee_str sender = ev->sender.id.ptr && ev->sender.id.len ? ev->sender.id
                     : ev->sender.name.ptr && ev->sender.name.len
                         ? ev->sender.name
                         : (levee_str){NULL, 0};
  if (sender.len > LV_ALERT_FIELD_BYTES)
    sender.len = LV_ALERT_FIELD_BYTES;
  pthread_mutex_lock(&a->mu);
  routes *r = a->routes;
  int64_t now = lv_now_ms();
  for (size_t i = 0; i < nf; i++) {
    const levee_finding *f = &v->findings[i];
    fsinks[i] = f->action >= LEVEE_ACTION_ALERT && r->n_sinks
                    ? route_of(r, f->rule)
                    : 0;
    any |= fsinks[i];
  }
  for (size_t s = 0; any && s < r->n_sinks; s++) {
    uint64_t bit = (uint64_t)1 << s;
    if (!(any & bit))
      continue;
    const lv_sink *sink = &r->policy->alerts.sinks[s];
    sink_stat *st = r->st[s];
    lv_alert *al = NULL;
    a->st.submitted++;
    st->submitted++;
    /* The distinct rules of the findings routed here, each fresh (its
     * window opens now, or no aggregation) or counted. */
    size_t n_fresh = 0, n_rules = 0;
    for (size_t i = 0; i < nf; i++) {
      if (!(fsinks[i] & bit))
        continue;
      const char *rule = v->findings[i].rule ? v->findings[i].rule : "";
      int first = 1;
      for (size_t k = 0; first && k < n_rules; k++)
        first =
            strcmp(v->findings[rule_idx[k]].rule ? v->findings[rule_idx[k]].rule
                                                 : "",
                   rule) != 0;
      if (!first)
        continue;
      rule_idx[n_rules++] = i;
      /* The findings of this rule routed here. */
      size_t n_mine = 0, mine[LV_MAX_FINDINGS];
      for (size_t j = i; j < nf; j++)
        if ((fsinks[j] & bit) &&
            !strcmp(v->findings[j].rule ? v->findings[j].rule : "", rule))
          mine[n_mine++] = j;
      int fresh = 1;
      size_t kn = 0;
      if (!a->stopping && r->window_ms > 0 && sender.ptr &&
          (kn = make_key(key, sizeof key, sender, rule, sink->name))) {
        uint64_t h = lv_fnv1a(key, kn);
        window *w = window_find(a, key, kn, h);
        if (w && w->closes_ms <= now) {
          window_close(a, w);
          w = NULL;
        }
        if (w) {
          lv_alert *last = NULL;
          if (!lv_alert_make(ev, v, mine, n_mine, sink->excerpts, &last)) {
            lv_alert_free(w->last);
            w->last = last;
          }
          w->count++;
          fresh = 0;
        } else
          (void)window_open(a, key, kn, h, sink, now, r->window_ms);
      }
      if (fresh)
        for (size_t k = 0; k < n_mine; k++)
          idx[n_fresh++] = mine[k];
    }
    if (!n_fresh) {
      a->st.aggregated++;
      st->aggregated++;
      continue;
    }
    if (lv_alert_make(ev, v, idx, n_fresh, sink->excerpts, &al)) {
      a->st.dropped++;
      st->dropped++;
      continue;
    }
    if (a->stopping)
      drop(a, st, sink->name, sink->type, al, 0,
           "levee was stopping when it was made");
    else
      enqueue(a, sink, st, al);
  }
  pthread_mutex_unlock(&a->mu);
}

/* --- delivery ------------------------------------------------------------- */

/* The wait before attempt n + 1 (n >= 1 made): first * 2^(n-1), at most
 * max, drawn from the upper half (jitter spreads retries of many alerts
 * to one sink that came back). */
static int64_t backoff(const lv_alerts *a, unsigned n) {
  int64_t d = a->backoff_first;
  for (unsigned i = 1; i < n && d < a->backoff_max; i++)
    d *= 2;
  if (d > a->backoff_max)
    d = a->backoff_max;
  int64_t half = d / 2;
  uint32_t span = half >= UINT32_MAX ? UINT32_MAX - 1 : (uint32_t)half;
  return d - half + (int64_t)randombytes_uniform(span + 1);
}

/* The first item due whose sink has no attempt in flight; *next gets when
 * a waiting one falls due (INT64_MAX: none). */
static item *pick(lv_alerts *a, int64_t now, int64_t *next) {
  for (item *it = a->head; it; it = it->next) {
    if (it->due_ms > now) {
      if (it->due_ms < *next)
        *next = it->due_ms;
      continue;
    }
    if (!it->st->busy)
      return it;
  }
  return NULL;
}

/* Per thread: its HTTP client and buffers. */
typedef struct worker {
  lv_alert_http *http;
  lv_buf url, body, answer;
} worker;

/* One attempt, with the mutex released. */
static lv_alert_outcome attempt(lv_alerts *a, item *it, worker *w) {
  lv_alert_context c = {.console_url = a->console_url,
                        .hostname = a->hostname,
                        .pid = a->pid,
                        .now_ms = wall_ms()};
  lv_buf_reset(&w->url);
  lv_buf_reset(&w->body);
  lv_buf_reset(&w->answer);
  int rc = lv_alert_format(&it->sink, it->alert, &c, &w->url, &w->body);
  if (rc) {
    snprintf(it->error, sizeof it->error, "cannot make the message: %s",
             levee_strerror(rc));
    return LV_ALERT_FAILED;
  }
  if (it->sink.type == LV_SINK_SYSLOG)
    return lv_alert_syslog_send(it->sink.host, it->sink.port, it->sink.tcp,
                                w->body.data, w->body.len, a->timeout_ms,
                                &a->cancel, it->error, sizeof it->error)
               ? LV_ALERT_RETRY
               : LV_ALERT_DELIVERED;
  if (!w->http && lv_alert_http_new(&w->http)) {
    snprintf(it->error, sizeof it->error, "out of memory");
    return LV_ALERT_RETRY;
  }
  long status = 0;
  if (lv_alert_http_post(w->http, w->url.data, w->body.data, w->body.len,
                         a->timeout_ms, &a->cancel, &status, &w->answer,
                         it->error, sizeof it->error))
    return LV_ALERT_RETRY;
  return lv_alert_answer(it->sink.type, status, w->answer.data, w->answer.len,
                         it->error, sizeof it->error);
}

/* What follows an attempt (mutex held). */
static void settle(lv_alerts *a, item *it, lv_alert_outcome o) {
  sink_stat *st = it->st;
  a->in_flight--;
  st->busy--;
  if (o == LV_ALERT_RETRY && !a->aborted && it->attempts < a->max_attempts) {
    it->due_ms = lv_now_ms() + backoff(a, it->attempts);
    it->prev = a->tail;
    if (a->tail)
      a->tail->next = it;
    else
      a->head = it;
    a->tail = it;
    a->waiting++;
    return;
  }
  st->pending--;
  if (o == LV_ALERT_DELIVERED) {
    a->st.delivered++;
    st->delivered++;
    lv_alert_free(it->alert);
  } else if (o == LV_ALERT_RETRY && a->aborted) {
    char why[ERROR_BYTES + 64];
    snprintf(why, sizeof why, "levee stopped before it was delivered: %s",
             it->error);
    drop(a, st, it->sink.name, it->sink.type, it->alert, it->attempts, why);
  } else {
    a->st.failed++;
    st->failed++;
    remember(a, it->sink.name, it->sink.type, it->alert, it->attempts, 1,
             it->error);
  }
  it->alert = NULL;
  item_free(it);
}

static void wait_until(lv_alerts *a, int64_t when) {
  if (when == INT64_MAX) {
    pthread_cond_wait(&a->changed, &a->mu);
    return;
  }
  struct timespec ts = {.tv_sec = (time_t)(when / 1000),
                        .tv_nsec = (long)(when % 1000) * 1000000};
  pthread_cond_timedwait(&a->changed, &a->mu, &ts);
}

static void *worker_main(void *arg) {
  lv_alerts *a = arg;
  worker w = {.http = NULL};
  lv_buf_init(&w.url, LV_MAX_ALERT_URL_BYTES + 256);
  lv_buf_init(&w.body, LV_ALERT_BODY_BYTES);
  lv_buf_init(&w.answer, LV_ALERT_RESPONSE_BYTES);
  pthread_mutex_lock(&a->mu);
  for (;;) {
    int64_t now = lv_now_ms();
    int64_t next = windows_sweep(a, now);
    if (a->aborted || (a->stopping && !a->waiting))
      break;
    item *it = pick(a, now, &next);
    if (!it) {
      wait_until(a, next);
      continue;
    }
    unlink_item(a, it);
    a->in_flight++;
    it->st->busy++;
    if (it->attempts++) {
      a->st.retried++;
      it->st->retried++;
    }
    pthread_mutex_unlock(&a->mu);
    lv_alert_outcome o = attempt(a, it, &w);
    pthread_mutex_lock(&a->mu);
    settle(a, it, o);
    pthread_cond_broadcast(&a->changed);
  }
  pthread_mutex_unlock(&a->mu);
  lv_alert_http_free(w.http);
  lv_buf_cleanup(&w.url);
  lv_buf_cleanup(&w.body);
  lv_buf_cleanup(&w.answer);
  return NULL;
}

/* --- life ----------------------------------------------------------------- */

static int64_t or_default(int64_t v, int64_t d) {
  return v ? v : d;
}

int lv_alerts_new(const lv_alerts_options *opts, levee_policy *policy,
                  lv_alerts **out) {
  lv_alerts_options o = opts ? *opts : (lv_alerts_options){0};
  o.queue_max =
      (size_t)or_default((int64_t)o.queue_max, LV_ALERTS_QUEUE_DEFAULT);
  o.threads = (unsigned)or_default(o.threads, LV_ALERTS_THREADS_DEFAULT);
  o.max_attempts =
      (unsigned)or_default(o.max_attempts, LV_ALERTS_ATTEMPTS_DEFAULT);
  o.backoff_ms_first =
      or_default(o.backoff_ms_first, LV_ALERTS_BACKOFF_FIRST_MS);
  o.backoff_ms_max = or_default(o.backoff_ms_max, LV_ALERTS_BACKOFF_MAX_MS);
  o.timeout_ms = or_default(o.timeout_ms, LV_ALERTS_TIMEOUT_MS);
  if (o.queue_max > LV_ALERT_QUEUE_MAX || o.threads > LV_ALERT_MAX_THREADS ||
      o.max_attempts > LV_ALERT_MAX_ATTEMPTS || o.backoff_ms_first < 0 ||
      o.backoff_ms_max < o.backoff_ms_first || o.timeout_ms < 0 ||
      o.timeout_ms > 3600000 || o.backoff_ms_max > 24LL * 3600 * 1000 ||
      (o.console_url && !lv_alert_console_url_ok(o.console_url)))
    return LEVEE_EINVAL;
  if (sodium_init() < 0)
    return LEVEE_EIO;
  lv_alerts *a = calloc(1, sizeof *a);
  if (!a)
    return LEVEE_ENOMEM;
  int rc = LEVEE_ENOMEM;
  pthread_condattr_t ca;
  pthread_mutex_init(&a->mu, NULL);
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&a->changed, &ca);
  pthread_condattr_destroy(&ca);
  a->queue_max = o.queue_max;
  a->max_attempts = o.max_attempts;
  a->backoff_first = o.backoff_ms_first;
  a->backoff_max = o.backoff_ms_max;
  a->timeout_ms = o.timeout_ms;
  a->pid = (int)getpid();
  a->other.name = (char *)"(other)"; /* never freed */
  if (o.hostname)
    snprintf(a->hostname, sizeof a->hostname, "%s", o.hostname);
  else if (gethostname(a->hostname, sizeof a->hostname - 1))
    a->hostname[0] = '\0';
  if ((o.console_url && !(a->console_url = strdup(o.console_url))) ||
      !(a->buckets = calloc(WINDOW_BUCKETS, sizeof *a->buckets)) ||
      !(a->ring = calloc(LV_ALERT_UNDELIVERED_MAX, sizeof *a->ring)) ||
      !(a->routes = routes_new(policy)))
    goto fail;
  routes_bind(a, a->routes);
  /* Threads block every signal: the server's handlers stay on its own
   * threads, and a peer that closes cannot SIGPIPE the process. */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  for (unsigned i = 0; i < o.threads; i++) {
    if (pthread_create(&a->threads[i], NULL, worker_main, a)) {
      rc = LEVEE_EIO;
      break;
    }
    a->n_threads++;
  }
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (a->n_threads < o.threads) {
    lv_alerts_free(a, 0);
    return rc;
  }
  *out = a;
  return LEVEE_OK;
fail:
  lv_alerts_free(a, 0);
  return rc;
}

void lv_alerts_set_policy(lv_alerts *a, levee_policy *policy) {
  routes *r = routes_new(policy), *old;
  if (!r)
    return; /* out of memory: the old routes stay */
  pthread_mutex_lock(&a->mu);
  routes_bind(a, r);
  old = a->routes;
  a->routes = r;
  pthread_mutex_unlock(&a->mu);
  routes_free(old);
}

void lv_alerts_stats_get(lv_alerts *a, lv_alerts_stats *out) {
  pthread_mutex_lock(&a->mu);
  *out = a->st;
  out->pending = a->waiting + a->in_flight;
  out->windows = a->n_windows;
  pthread_mutex_unlock(&a->mu);
}

void lv_alerts_stop(lv_alerts *a, int64_t grace_ms) {
  pthread_mutex_lock(&a->mu);
  if (a->stopped) {
    pthread_mutex_unlock(&a->mu);
    return;
  }
  a->stopping = 1;
  while (a->earliest)
    window_close(a, a->earliest);
  pthread_cond_broadcast(&a->changed);
  int64_t deadline = lv_now_ms() + (grace_ms > 0 ? grace_ms : 0);
  while ((a->waiting || a->in_flight) && a->n_threads && lv_now_ms() < deadline)
    wait_until(a, deadline);
  a->aborted = 1;
  atomic_store(&a->cancel, 1);
  pthread_cond_broadcast(&a->changed);
  pthread_mutex_unlock(&a->mu);
  for (unsigned i = 0; i < a->n_threads; i++)
    pthread_join(a->threads[i], NULL);
  pthread_mutex_lock(&a->mu);
  a->n_threads = 0;
  while (a->head) {
    item *it = a->head;
    unlink_item(a, it);
    it->st->pending--;
    char why[ERROR_BYTES + 64];
    snprintf(why, sizeof why, "levee stopped before it was delivered%s%s",
             *it->error ? ": " : "", it->error);
    drop(a, it->st, it->sink.name, it->sink.type, it->alert, it->attempts, why);
    it->alert = NULL;
    item_free(it);
  }
  a->stopped = 1;
  pthread_mutex_unlock(&a->mu);
}

void lv_alerts_free(lv_alerts *a, int64_t grace_ms) {
  if (!a)
    return;
  lv_alerts_stop(a, grace_ms);
  routes_free(a->routes);
  free(a->buckets);
  if (a->ring)
    for (size_t i = 0; i < LV_ALERT_UNDELIVERED_MAX; i++)
      free(a->ring[i].mem);
  free(a->ring);
  for (size_t i = 0; i < a->n_sinks; i++) {
    free(a->sinks[i]->name);
    free(a->sinks[i]);
  }
  free(a->console_url);
  pthread_cond_destroy(&a->changed);
  pthread_mutex_destroy(&a->mu);
  free(a);
}

/* --- what the API and metrics show --------------------------------------- */

int lv_alerts_metrics_text(lv_alerts *a, lv_buf *out) {
  static const struct {
    const char *name, *help;
    size_t off;
  } counters[] = {
      {"submitted",
       "Alerts routed to a sink (one per event and sink), "
       "before aggregation.",
       offsetof(sink_stat, submitted)},
      {"aggregated", "Alerts counted in an open window instead of sent.",
       offsetof(sink_stat, aggregated)},
      {"summaries", "Follow-ups sent when a window closed with a count.",
       offsetof(sink_stat, summaries)},
      {"queued", "Alerts queued for delivery.", offsetof(sink_stat, queued)},
      {"delivered", "Alerts their sink accepted.",
       offsetof(sink_stat, delivered)},
      {"retried", "Delivery attempts after a failed one.",
       offsetof(sink_stat, retried)},
      {"failed", "Alerts given up after their attempts, or refused.",
       offsetof(sink_stat, failed)},
      {"dropped",
       "Alerts not sent: the queue was full, the sink left the "
       "policy, or levee stopped.",
       offsetof(sink_stat, dropped)},
  };
  int rc = 0;
  pthread_mutex_lock(&a->mu);
  const uint64_t total[] = {a->st.submitted, a->st.aggregated, a->st.summaries,
                            a->st.queued,    a->st.delivered,  a->st.retried,
                            a->st.failed,    a->st.dropped};
  for (size_t c = 0; !rc && c < sizeof counters / sizeof *counters; c++)
    rc = lv_buf_printf(out,
                       "# HELP levee_alerts_%s_total %s\n"
                       "# TYPE levee_alerts_%s_total counter\n"
                       "levee_alerts_%s_total %llu\n",
                       counters[c].name, counters[c].help, counters[c].name,
                       counters[c].name, (unsigned long long)total[c]);
  if (!rc)
    rc = lv_buf_printf(out,
                       "# HELP levee_alerts_pending Alerts queued or being "
                       "delivered.\n# TYPE levee_alerts_pending gauge\n"
                       "levee_alerts_pending %zu\n"
                       "# HELP levee_alerts_windows Aggregation windows "
                       "open.\n# TYPE levee_alerts_windows gauge\n"
                       "levee_alerts_windows %zu\n",
                       a->waiting + a->in_flight, a->n_windows);
  size_t n = a->n_sinks;
  int other = a->other.submitted || a->other.dropped;
  for (size_t c = 0; !rc && c < sizeof counters / sizeof *counters; c++) {
    rc = lv_buf_printf(out,
                       "# HELP levee_alerts_sink_%s_total %s By sink.\n"
                       "# TYPE levee_alerts_sink_%s_total counter\n",
                       counters[c].name, counters[c].help, counters[c].name);
    for (size_t i = 0; !rc && i < n + (size_t)other; i++) {
      const sink_stat *s = i < n ? a->sinks[i] : &a->other;
      rc = lv_buf_printf(
          out, "levee_alerts_sink_%s_total{sink=\"%s\"} %llu\n",
          counters[c].name, s->name,
          (unsigned long long)*(const uint64_t *)((const char *)s +
                                                  counters[c].off));
    }
  }
  if (!rc)
    rc = lv_buf_puts(out, "# HELP levee_alerts_sink_pending Alerts queued or "
                          "being delivered, by sink.\n"
                          "# TYPE levee_alerts_sink_pending gauge\n");
  for (size_t i = 0; !rc && i < n + (size_t)other; i++) {
    const sink_stat *s = i < n ? a->sinks[i] : &a->other;
    rc = lv_buf_printf(out, "levee_alerts_sink_pending{sink=\"%s\"} %llu\n",
                       s->name, (unsigned long long)s->pending);
  }
  pthread_mutex_unlock(&a->mu);
  return rc;
}

int lv_alerts_undelivered_json(lv_alerts *a, size_t limit, lv_buf *out) {
  lv_jw w;
  char when[32];
  lv_jw_init(&w, out);
  pthread_mutex_lock(&a->mu);
  size_t n = a->ring_n;
  if (limit && limit < n)
    n = limit;
  lv_jw_array_begin(&w);
  for (size_t k = 0; k < n; k++) {
    const lost *l = &a->ring[(a->ring_next + LV_ALERT_UNDELIVERED_MAX - 1 - k) %
                             LV_ALERT_UNDELIVERED_MAX];
    lv_jw_object_begin(&w);
    lv_jw_key(&w, "sink");
    lv_jw_cstring(&w, l->sink);
    lv_jw_key(&w, "sink_type");
    lv_jw_cstring(&w, lv_sink_type_name(l->type));
    lv_jw_key(&w, "kind");
    lv_jw_cstring(&w, l->kind == LV_ALERT_SUMMARY ? "summary" : "event");
    lv_jw_key(&w, "event_id");
    lv_jw_cstring(&w, l->event_id);
    lv_jw_key(&w, "rules");
    lv_jw_array_begin(&w);
    for (const char *p = l->rules; *p;) {
      size_t len = strcspn(p, ",");
      lv_jw_string(&w, p, len);
      p += len + (p[len] == ',');
    }
    lv_jw_array_end(&w);
    lv_jw_key(&w, "sender_id");
    lv_jw_cstring(&w, l->sender_id);
    lv_jw_key(&w, "sender_name");
    lv_jw_cstring(&w, l->sender_name);
    lv_alert_time_rfc3339(l->time_ms, when);
    lv_jw_key(&w, "time");
    lv_jw_cstring(&w, when);
    lv_jw_key(&w, "count");
    lv_jw_int(&w, (int64_t)l->count);
    lv_jw_key(&w, "attempts");
    lv_jw_int(&w, l->attempts);
    lv_jw_key(&w, "reason");
    lv_jw_cstring(&w, l->failed ? "failed" : "dropped");
    lv_jw_key(&w, "error");
    lv_jw_cstring(&w, l->error);
    lv_alert_time_rfc3339(l->at_ms, when);
    lv_jw_key(&w, "at");
    lv_jw_cstring(&w, when);
    lv_jw_object_end(&w);
  }
  lv_jw_array_end(&w);
  pthread_mutex_unlock(&a->mu);
  return lv_jw_status(&w);
}
