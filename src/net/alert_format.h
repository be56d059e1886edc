/* SPDX-License-Identifier: Apache-2.0 */
/*
 * alert_format.h: what an alert says, and the five message bodies it is
 * sent as (src/net/alert.h routes and queues alerts; alert_send.h carries
 * the bytes).
 *
 * An lv_alert is a copy of what an alert may tell about one event: ids,
 * time, channel, sender, conversation title, the verdict's action and
 * severity, and the categories, rule ids and masked excerpts of the
 * findings routed to one sink. Never the message text: only the excerpts
 * the verdict already masked. Every field is bounded (util/limits.h) and
 * valid UTF-8 (invalid bytes become U+FFFD when copied), so the formats
 * below can promise their own bounds.
 *
 * Formats, all pure functions of an alert and a context (the wall-clock
 * time, so that tests are exact):
 *   webhook   a JSON object (docs/POLICY.md "Alerts" lists its fields)
 *   wecom     {"msgtype":"markdown","markdown":{"content":...}}
 *   dingtalk  {"msgtype":"markdown","markdown":{"title":...,"text":...}},
 *             the URL signed with timestamp and sign when the sink has a
 *             secret (HMAC-SHA256 of "timestamp\nsecret" keyed by secret)
 *   feishu    an interactive card whose body is lark_md markdown, with
 *             timestamp and sign fields when the sink has a secret
 *             (HMAC-SHA256 of nothing keyed by "timestamp\nsecret")
 *   syslog    RFC 5424: PRI from the facility and the severity, MSGID the
 *             action, the fields as STRUCTURED-DATA, a BOM and a UTF-8 MSG
 * Markdown: characters the robots read as markup or mentions
 * (\ ` * _ [ ] < > # ~ |) are written as their full-width forms, line
 * breaks as spaces; the text stays within LV_ALERT_MARKDOWN_BYTES.
 *
 * lv_alert_answer reads a receiver's answer (outside bytes: fuzzed by
 * tests/fuzz/fuzz_alert_format.c) to tell delivered, retry and failed.
 */
#ifndef LV_NET_ALERT_FORMAT_H
#define LV_NET_ALERT_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "core/policy.h"
#include "levee/levee.h"
#include "util/buf.h"
#include "util/limits.h"

typedef enum lv_alert_kind {
  LV_ALERT_EVENT = 0, /* one event: the first of its window */
  LV_ALERT_SUMMARY    /* "N more like this": what a window counted */
} lv_alert_kind;

/* One alert. Strings are NUL-terminated UTF-8, "" when the event had none,
 * never NULL; they live in the alert's own memory (lv_alert_free). */
typedef struct lv_alert {
  lv_alert_kind kind;
  const char *event_id; /* a summary: the last event counted */
  int64_t time_ms;      /* that event's time, epoch milliseconds */
  const char *channel;
  const char *sender_id;
  const char *sender_name;
  const char *sender_dept;
  const char *conversation; /* its title */
  levee_action action;      /* the verdict's */
  levee_severity severity;
  const char *categories[LV_ALERT_MAX_LIST]; /* distinct, in finding order */
  size_t n_categories;
  const char *rules[LV_ALERT_MAX_LIST]; /* distinct */
  size_t n_rules;
  const char *excerpts[LV_ALERT_MAX_EXCERPTS]; /* masked, distinct */
  size_t n_excerpts;
  uint64_t count;    /* events it stands for: 1, or a window's count */
  int64_t window_ms; /* a summary: the window's length */
  char *mem_;        /* the strings (private) */
} lv_alert;

/* An alert for ev and the findings v->findings[idx[0..n)] (their rules,
 * categories and, with excerpts, their excerpts). ev and v are only read.
 * OUT: *out (free with lv_alert_free). Returns 0 or LEVEE_ENOMEM. */
int lv_alert_make(const levee_event *ev, const levee_verdict *v,
                  const size_t *idx, size_t n, int excerpts, lv_alert **out)
    __attribute__((warn_unused_result));

/* A summary of count more alerts like last (the last one counted) in a
 * window of window_ms. OUT: *out. Returns 0 or LEVEE_ENOMEM. */
int lv_alert_summary(const lv_alert *last, uint64_t count, int64_t window_ms,
                     lv_alert **out) __attribute__((warn_unused_result));

void lv_alert_free(lv_alert *a); /* accepts NULL */

/* What the formats need besides the alert. */
typedef struct lv_alert_context {
  const char *console_url; /* "<console_url>/#/alerts/<event id>"; NULL:
                              no link */
  const char *hostname;    /* syslog HOSTNAME; NULL: "-" */
  int pid;                 /* syslog PROCID; 0: "-" */
  int64_t now_ms;          /* wall clock, epoch ms: syslog TIMESTAMP and
                              the robots' signatures */
} lv_alert_context;

/* Whether url may be a console_url: http:// or https://, at most 512
 * bytes of printable ASCII without spaces, quotes, backslashes or the
 * characters markdown links and tags use (( ) [ ] < > `). */
int lv_alert_console_url_ok(const char *url);

/* The generic webhook's JSON object. Appends to out; returns 0 or the
 * lv_buf's error. */
int lv_alert_format_json(const lv_alert *a, const lv_alert_context *c,
                         lv_buf *out) __attribute__((warn_unused_result));

/* The markdown text the robots show (WeCom and DingTalk with a heading,
 * Feishu's card without: its header has the title), lines separated by
 * newline ("\n"; DingTalk needs "\n\n"). At most LV_ALERT_MARKDOWN_BYTES
 * are appended: lines that do not fit are cut off and "..." says so; the
 * console link is always kept. */
int lv_alert_format_markdown(const lv_alert *a, const lv_alert_context *c,
                             int heading, const char *newline, lv_buf *out)
    __attribute__((warn_unused_result));

/* The one-line title (DingTalk's title, Feishu's card header). */
int lv_alert_format_title(const lv_alert *a, lv_buf *out)
    __attribute__((warn_unused_result));

/* The RFC 5424 message, at most LV_ALERT_SYSLOG_BYTES (the MSG part is cut
 * to fit, at a character boundary). facility 0..23. */
int lv_alert_format_syslog(const lv_alert *a, const lv_alert_context *c,
                           int facility, lv_buf *out)
    __attribute__((warn_unused_result));

/* The request for sink s: the URL to post to (url; a DingTalk URL signed
 * when s has a secret; empty for syslog) and the body (the syslog
 * message for syslog). Appends to url and body. */
int lv_alert_format(const lv_sink *s, const lv_alert *a,
                    const lv_alert_context *c, lv_buf *url, lv_buf *body)
    __attribute__((warn_unused_result));

/* The robots' signatures, base64 (44 characters and a NUL in out[48]).
 * DingTalk: HMAC-SHA256 keyed by secret of "<timestamp_ms>\n<secret>".
 * Feishu: HMAC-SHA256 keyed by "<timestamp_s>\n<secret>" of no bytes. */
void lv_alert_sign_dingtalk(const char *secret, int64_t timestamp_ms,
                            char out[48]);
void lv_alert_sign_feishu(const char *secret, int64_t timestamp_s,
                          char out[48]);

/* How an attempt ended. */
typedef enum lv_alert_outcome {
  LV_ALERT_DELIVERED = 0,
  LV_ALERT_RETRY, /* worth another attempt later: 5xx, 429, 408, a
                     robot's rate limit, no answer at all */
  LV_ALERT_FAILED /* another attempt would fail the same: 4xx, a robot's
                     refusal (bad key, bad signature, bad body) */
} lv_alert_outcome;

/* Reads an HTTP answer of sink type t: status, and body[0..n) (outside
 * bytes, any). The robots answer 200 with a JSON code: WeCom and DingTalk
 * "errcode", Feishu "code"; 0 is delivered. When not delivered, why gets a
 * short printable reason (at most why_len - 1 bytes and a NUL). */
lv_alert_outcome lv_alert_answer(lv_sink_type t, long status, const char *body,
                                 size_t n, char *why, size_t why_len);

/* Writes ms (epoch) as RFC 3339 UTC with milliseconds,
 * "2026-01-02T03:04:05.678Z", into out[32]. */
void lv_alert_time_rfc3339(int64_t ms, char out[32]);

#endif
