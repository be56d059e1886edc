/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_alert_format.c: libFuzzer target for src/net/alert_format.c, the
 * part of the alert path that reads outside bytes: a receiver's answer
 * (lv_alert_answer: HTTP status and body, JSON of the robots or anything
 * else), and the event fields an alert copies into markdown, JSON and
 * syslog (sender names, titles, excerpts: any bytes).
 *
 * The first byte chooses: an answer (the next two bytes are the status,
 * the rest the body, read as each sink type), or an alert whose fields are
 * the rest split at NUL bytes. Besides the sanitizers' checks, each run
 * aborts when a reason is not terminated within its buffer, when a body is
 * not valid JSON, when markdown or a syslog message passes its bound or is
 * not valid UTF-8, when markdown holds a '<' (a mention or a tag), or when
 * a syslog message holds a line break.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/policy.h"
#include "levee/levee.h"
#include "net/alert_format.h"
#include "util/limits.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "fuzz_alert_format: invariant failed: %s (line %d)\n",   \
              #cond, __LINE__);                                                \
      abort();                                                                 \
    }                                                                          \
  } while (0)

static void answers(const uint8_t *data, size_t size) {
  if (size < 2)
    return;
  long status = (long)data[0] * 4 + data[1] % 4; /* 0..1023 */
  const char *body = (const char *)data + 2;
  size_t n = size - 2;
  for (int t = 0; t <= LV_SINK_SYSLOG; t++) {
    char why[48];
    memset(why, 'x', sizeof why);
    lv_alert_outcome o =
        lv_alert_answer((lv_sink_type)t, status, body, n, why, sizeof why);
    CHECK(o == LV_ALERT_DELIVERED || o == LV_ALERT_RETRY ||
          o == LV_ALERT_FAILED);
    CHECK(o == LV_ALERT_DELIVERED || memchr(why, '\0', sizeof why));
    if (status >= 500 && status <= 599)
      CHECK(o == LV_ALERT_RETRY);
  }
}

static void valid_json(const lv_buf *b) {
  json_error_t err;
  json_t *j = json_loadb(b->data, b->len, 0, &err);
  CHECK(j != NULL);
  json_decref(j);
}

static void alerts(const uint8_t *data, size_t size) {
  /* Fields: id, channel, sender id, name, dept, title, rule, category,
   * excerpts... */
  levee_str f[12] = {{0}};
  size_t nf = 0, at = 0;
  const char *s = (const char *)data;
  while (nf < 12 && at <= size) {
    const char *z = memchr(s + at, '\0', size - at);
    size_t len = z ? (size_t)(z - (s + at)) : size - at;
    f[nf++] = (levee_str){s + at, len};
    at += len + 1;
  }
  levee_event ev = {
      .id = f[0], .channel = f[1], .conversation_title = f[5], .time_ms = 0};
  /* the time: the first 8 bytes when there are, any int64 */
  if (size >= 8)
    memcpy(&ev.time_ms, data, 8);
  ev.sender.id = f[2];
  ev.sender.name = f[3];
  ev.sender.dept = f[4];
  /* The library's findings hold NUL-terminated strings. */
  char *str[12] = {0};
  for (size_t i = 6; i < nf; i++)
    str[i] = strndup(f[i].ptr ? f[i].ptr : "", f[i].len);
  levee_finding fi[4];
  size_t nfi = 0;
  for (size_t i = 8; i < nf && nfi < 4; i++)
    fi[nfi++] = (levee_finding){.rule = str[6] ? str[6] : "r",
                                .category = str[7] ? str[7] : "c",
                                .excerpt = str[i],
                                .action = LEVEE_ACTION_BLOCK};
  levee_verdict v = {.action = (levee_action)(size % 5),
                     .severity = (levee_severity)(size % 7 % 5),
                     .findings = fi,
                     .n_findings = nfi};
  size_t idx[4] = {0, 1, 2, 3};
  lv_alert *a = NULL;
  if (lv_alert_make(&ev, &v, idx, nfi, 1, &a))
    goto out;
  lv_alert_context c = {.console_url = str[9],
                        .hostname = str[10],
                        .pid = (int)size,
                        .now_ms = 1700000000000LL + (int64_t)size};
  if (c.console_url && !lv_alert_console_url_ok(c.console_url))
    c.console_url = NULL; /* the dispatcher refuses such */
  lv_buf md, url, body;
  lv_buf_init(&md, 1 << 20);
  lv_buf_init(&url, 1 << 20);
  lv_buf_init(&body, LV_ALERT_BODY_BYTES);
  for (int nl = 0; nl < 2; nl++) {
    lv_buf_reset(&md);
    CHECK(!lv_alert_format_markdown(a, &c, nl, nl ? "\n\n" : "\n", &md));
    CHECK(md.len <= LV_ALERT_MARKDOWN_BYTES);
    CHECK(lv_utf8_valid(md.data, md.len));
    CHECK(!memchr(md.data, '<', md.len));
  }
  lv_sink sinks[] = {
      {.name = "w", .type = LV_SINK_WEBHOOK, .url = "http://h/"},
      {.name = "x", .type = LV_SINK_WECOM, .url = "http://h/"},
      {.name = "d",
       .type = LV_SINK_DINGTALK,
       .url = "http://h/",
       .secret = "s"},
      {.name = "f", .type = LV_SINK_FEISHU, .url = "http://h/", .secret = "s"},
  };
  for (size_t k = 0; k < 4; k++) {
    lv_buf_reset(&url);
    lv_buf_reset(&body);
    CHECK(!lv_alert_format(&sinks[k], a, &c, &url, &body));
    valid_json(&body);
  }
  for (int summary = 0; summary < 2; summary++) {
    lv_alert *x = a, *sum = NULL;
    if (summary) {
      if (lv_alert_summary(a, size, (int64_t)size * 1000, &sum))
        break;
      x = sum;
    }
    lv_buf_reset(&body);
    CHECK(!lv_alert_format_syslog(x, &c, (int)(size % 24), &body));
    CHECK(body.len <= LV_ALERT_SYSLOG_BYTES);
    CHECK(lv_utf8_valid(body.data, body.len));
    CHECK(!memchr(body.data, '\n', body.len));
    CHECK(!memchr(body.data, '\r', body.len));
    lv_alert_free(sum);
  }
  lv_buf_cleanup(&md);
  lv_buf_cleanup(&url);
  lv_buf_cleanup(&body);
out:
  lv_alert_free(a);
  for (size_t i = 0; i < 12; i++)
    free(str[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  if (data[0] & 1)
    answers(data + 1, size - 1);
  else
    alerts(data + 1, size - 1);
  return 0;
}
