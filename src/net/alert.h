/* SPDX-License-Identifier: Apache-2.0 */
/*
 * alert.h: the alert dispatcher of levee serve. After an event and its
 * verdict are stored, the server hands them to lv_alerts_submit; the
 * dispatcher routes them to the policy's sinks (docs/POLICY.md "Alerts"),
 * folds repeats into counts, and delivers on threads of its own, so that
 * inspection never waits for a sink.
 *
 * Routing: each finding whose action is alert or above goes to the sinks
 * its rule's notify names, else to alerts.default (notify: [] sends
 * none). One event makes at most one alert per sink, carrying the rule
 * ids, categories and masked excerpts of the findings routed there
 * (alert_format.h says what an alert holds; never the message text).
 *
 * Aggregation: a (sender, rule, sink) key opens a window of the policy's
 * alerts.window (monotonic time of submission) with its first alert,
 * which is sent at once. Later alerts of that key in the window are only
 * counted (an alert whose every rule is counted is not sent); when the
 * window closes, one follow-up ("N more like this", kind summary) goes
 * out with the count and the last event counted. The sender is its id,
 * else its name; an event with neither is never aggregated. At most
 * LV_ALERT_DEDUP_MAX windows are open: past that the oldest closes early
 * (its follow-up sent). Window 0 turns aggregation off.
 *
 * Delivery: a bounded FIFO queue (queue_max alerts, of which each sink of
 * the policy may hold queue_max / sinks, so that a sink that is down
 * cannot take the room of the others; past either bound the new alert is
 * dropped and counted) served by `threads` delivery threads. One
 * attempt at a time per sink, so a sink that hangs holds one thread and
 * not all. An attempt is bounded by timeout_ms; one that fails with a
 * reason worth retrying (no answer, 5xx, 429, a robot's rate limit) is
 * tried again after an exponential backoff with jitter (backoff_ms_first
 * doubling up to backoff_ms_max, each wait drawn from its upper half), up
 * to max_attempts; a refusal that would not change (4xx, a bad key or
 * signature) fails at once. Alerts given up (failed after their attempts,
 * dropped for a full queue, for a sink no longer in the policy or at
 * stop) are counted per sink and remembered in a ring of the last
 * LV_ALERT_UNDELIVERED_MAX, for metrics and the API.
 *
 * Policy: the dispatcher holds a reference on its policy; a hot swap
 * (lv_alerts_set_policy) changes the routes and sinks of what is
 * submitted next. Alerts queued or in flight keep a copy of their sink's
 * settings and are delivered as they were routed; open windows keep
 * counting and their follow-ups go to the sink of that name in the policy
 * of the moment (dropped if it has none).
 *
 * Thread safety: every function may be called from any thread at any
 * time, except lv_alerts_free (once, by the owner, after the last call of
 * any other). lv_alerts_submit takes one mutex for the time it takes to
 * copy the alert; it never waits for the network, a thread or a full
 * queue. Delivery threads block every signal (SIGPIPE included).
 */
#ifndef LV_NET_ALERT_H
#define LV_NET_ALERT_H

#include <stddef.h>
#include <stdint.h>

#include "levee/levee.h"
#include "util/buf.h"

/* Defaults of lv_alerts_options, for fields left 0. */
#define LV_ALERTS_QUEUE_DEFAULT 1024
#define LV_ALERTS_THREADS_DEFAULT 2
#define LV_ALERTS_ATTEMPTS_DEFAULT 5
#define LV_ALERTS_BACKOFF_FIRST_MS 1000
#define LV_ALERTS_BACKOFF_MAX_MS 60000
#define LV_ALERTS_TIMEOUT_MS 5000
/* The longest console_url taken. */
#define LV_ALERTS_CONSOLE_URL_BYTES 512

typedef struct lv_alerts lv_alerts;

typedef struct lv_alerts_options {
  size_t queue_max;         /* alerts queued at most, in flight included;
                               0: LV_ALERTS_QUEUE_DEFAULT; at most
                               LV_ALERT_QUEUE_MAX */
  unsigned threads;         /* delivery threads; 0: 2; at most
                               LV_ALERT_MAX_THREADS */
  unsigned max_attempts;    /* per alert; 0: 5; at most LV_ALERT_MAX_ATTEMPTS */
  int64_t backoff_ms_first; /* wait before the 2nd attempt; 0: 1000 */
  int64_t backoff_ms_max;   /* longest wait; 0: 60000 */
  int64_t timeout_ms;       /* one attempt, all of it; 0: 5000 */
  const char *console_url;  /* alerts link to <console_url>/#/alerts/<event
                               id>; NULL: no link. Copied. An http(s) URL
                               of printable ASCII, at most
                               LV_ALERTS_CONSOLE_URL_BYTES, without spaces,
                               quotes, backslash, ( ) [ ] < > ` (else
                               LEVEE_EINVAL) */
  const char *hostname;     /* syslog HOSTNAME; NULL: gethostname(). Copied */
} lv_alerts_options;

/* Makes a dispatcher and starts its threads. opts may be NULL (all
 * defaults); policy may be NULL (no sinks until lv_alerts_set_policy); a
 * reference on it is taken. OUT: *out. Returns 0, LEVEE_EINVAL (an option
 * out of range), LEVEE_ENOMEM, or LEVEE_EIO (a thread could not start). */
int lv_alerts_new(const lv_alerts_options *opts, levee_policy *policy,
                  lv_alerts **out) __attribute__((warn_unused_result));

/* Routes what is submitted from now on by policy (a reference is taken;
 * the previous policy's is dropped; NULL: no sinks). Safe while deliveries
 * run. */
void lv_alerts_set_policy(lv_alerts *a, levee_policy *policy);

/* Called once an event and its verdict are stored (or after an inline
 * inspection): routes the findings at alert or above, counts or makes the
 * alerts, queues them, and returns. ev and v are only read, and only
 * during the call (what alerts need is copied). A verdict below alert
 * does nothing. After lv_alerts_stop, alerts are counted as dropped. */
void lv_alerts_submit(lv_alerts *a, const levee_event *ev,
                      const levee_verdict *v);

/* Counters since lv_alerts_new, over all sinks. An alert is one event's
 * message to one sink, or one follow-up. */
typedef struct lv_alerts_stats {
  uint64_t submitted;  /* alerts routed to a sink (before aggregation) */
  uint64_t aggregated; /* of those, counted in an open window, not sent */
  uint64_t summaries;  /* follow-ups made when windows closed */
  uint64_t queued;     /* alerts queued: sent ones and follow-ups */
  uint64_t delivered;  /* accepted by their sink */
  uint64_t retried;    /* attempts after a failed one */
  uint64_t failed;     /* given up: attempts used up, or refused */
  uint64_t dropped;    /* not sent: queue full, sink gone, stopped */
  uint64_t pending;    /* now: queued or in flight */
  uint64_t windows;    /* now: aggregation windows open */
} lv_alerts_stats;

void lv_alerts_stats_get(lv_alerts *a, lv_alerts_stats *out);

/* The counters as Prometheus text (format 0.0.4), appended to out:
 * levee_alerts_<counter>_total and levee_alerts_pending / _windows over
 * all sinks, and levee_alerts_sink_<counter>_total{sink="NAME"} per sink
 * name (names that sinks of earlier policies had included). Returns 0 or
 * out's error. */
int lv_alerts_metrics_text(lv_alerts *a, lv_buf *out)
    __attribute__((warn_unused_result));

/* The undelivered alerts remembered (at most LV_ALERT_UNDELIVERED_MAX),
 * newest first, at most limit of them (0: all), as a JSON array appended
 * to out. Each: {"sink","sink_type","kind","event_id","rules":[...],
 * "sender_id","sender_name","time" (the event's, RFC 3339),"count",
 * "attempts","reason" ("failed" | "dropped"),"error","at" (when it was
 * given up, RFC 3339)}. Returns 0 or out's error. */
int lv_alerts_undelivered_json(lv_alerts *a, size_t limit, lv_buf *out)
    __attribute__((warn_unused_result));

/* Stops: closes every window (queuing their follow-ups), lets the threads
 * deliver what is queued for at most grace_ms (attempts waiting for their
 * backoff past that are not made), then cancels attempts in flight (they
 * end within about a second), joins the threads, and counts what is left
 * as dropped. Idempotent; counters stay readable. */
void lv_alerts_stop(lv_alerts *a, int64_t grace_ms);

/* lv_alerts_stop(a, grace_ms), then frees everything and drops the policy
 * reference. Accepts NULL. */
void lv_alerts_free(lv_alerts *a, int64_t grace_ms);

#endif
