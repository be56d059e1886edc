/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_alert_format.c: what an alert holds and its five message bodies
 * (src/net/alert_format.c): bounds and UTF-8 of the copied fields, the
 * webhook JSON, the WeCom, DingTalk and Feishu markdown messages (their
 * markup escaped, their length bounded), the robots' signatures against
 * vectors computed with Python's hmac, the RFC 5424 syslog message to the
 * byte, and the reading of receivers' answers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/policy.h"
#include "net/alert_format.h"
#include "util/buf.h"
#include "util/limits.h"
#include "util/utf8.h"

#define S(lit) ((levee_str){(lit), sizeof(lit) - 1})

/* 2023-11-14T22:13:20.123Z */
#define EVENT_MS 1700000000123LL
/* 2024-01-01T00:00:00.000Z */
#define NOW_MS 1704067200000LL

static levee_event sample_event(void) {
  levee_event ev = {0};
  ev.id = S("e0001");
  ev.time_ms = EVENT_MS;
  ev.channel = S("wecom");
  ev.conversation_title = S("项目群");
  ev.sender.id = S("zhangsan");
  ev.sender.name = S("张三");
  ev.sender.dept = S("财务部");
  ev.text = S("SECRET-FULL-TEXT 机密★1年 13812345678");
  return ev;
}

static levee_finding findings[] = {
    {.rule = "classified-block",
     .category = "classified.marking",
     .excerpt = "机密★1年",
     .action = LEVEE_ACTION_BLOCK,
     .severity = LEVEE_SEVERITY_CRITICAL},
    {.rule = "pii-alert",
     .category = "pii.cn_mobile",
     .excerpt = "138****5678",
     .action = LEVEE_ACTION_ALERT,
     .severity = LEVEE_SEVERITY_MEDIUM},
    {.rule = "classified-block",
     .category = "classified.marking",
     .excerpt = "机密★1年", /* the same excerpt twice: listed once */
     .action = LEVEE_ACTION_BLOCK,
     .severity = LEVEE_SEVERITY_CRITICAL},
};

static levee_verdict sample_verdict(void) {
  levee_verdict v = {0};
  v.id = S("e0001");
  v.action = LEVEE_ACTION_BLOCK;
  v.severity = LEVEE_SEVERITY_CRITICAL;
  v.findings = findings;
  v.n_findings = 3;
  return v;
}

static lv_alert *sample_alert(void) {
  levee_event ev = sample_event();
  levee_verdict v = sample_verdict();
  size_t idx[] = {0, 1, 2};
  lv_alert *a = NULL;
  assert_int_equal(lv_alert_make(&ev, &v, idx, 3, 1, &a), LEVEE_OK);
  return a;
}

static const lv_alert_context ctx = {.console_url = "https://levee.example/",
                                     .hostname = "audit-01",
                                     .pid = 4242,
                                     .now_ms = NOW_MS};

static json_t *parse_json(const lv_buf *b) {
  json_error_t err;
  json_t *j = json_loadb(b->data, b->len, 0, &err);
  if (!j)
    fail_msg("not JSON (%s): %.*s", err.text, (int)b->len, b->data);
  return j;
}

static const char *jstr(json_t *o, const char *path) {
  /* "a.b.c" */
  char buf[128];
  snprintf(buf, sizeof buf, "%s", path);
  json_t *cur = o;
  for (char *tok = strtok(buf, "."); tok && cur; tok = strtok(NULL, "."))
    cur = json_object_get(cur, tok);
  if (!json_is_string(cur))
    fail_msg("%s is not a string", path);
  return json_string_value(cur);
}

/* --- making alerts -------------------------------------------------------- */

static void test_make(void **state) {
  (void)state;
  lv_alert *a = sample_alert();
  assert_int_equal(a->kind, LV_ALERT_EVENT);
  assert_string_equal(a->event_id, "e0001");
  assert_int_equal(a->time_ms, EVENT_MS);
  assert_string_equal(a->sender_name, "张三");
  assert_string_equal(a->sender_dept, "财务部");
  assert_string_equal(a->conversation, "项目群");
  assert_int_equal(a->action, LEVEE_ACTION_BLOCK);
  assert_int_equal(a->n_rules, 2);
  assert_string_equal(a->rules[0], "classified-block");
  assert_string_equal(a->rules[1], "pii-alert");
  assert_int_equal(a->n_categories, 2);
  assert_int_equal(a->n_excerpts, 2);
  assert_string_equal(a->excerpts[1], "138****5678");
  assert_int_equal(a->count, 1);

  /* A subset of the findings, without excerpts. */
  levee_event ev = sample_event();
  levee_verdict v = sample_verdict();
  size_t idx[] = {1, 99 /* out of range: skipped */};
  lv_alert *b = NULL;
  assert_int_equal(lv_alert_make(&ev, &v, idx, 2, 0, &b), LEVEE_OK);
  assert_int_equal(b->n_rules, 1);
  assert_string_equal(b->rules[0], "pii-alert");
  assert_int_equal(b->n_excerpts, 0);

  /* A summary copies and counts. */
  lv_alert *s = NULL;
  assert_int_equal(lv_alert_summary(a, 7, 600000, &s), LEVEE_OK);
  lv_alert_free(a);
  assert_int_equal(s->kind, LV_ALERT_SUMMARY);
  assert_int_equal(s->count, 7);
  assert_int_equal(s->window_ms, 600000);
  assert_string_equal(s->event_id, "e0001");
  assert_string_equal(s->excerpts[0], "机密★1年");
  lv_alert_free(s);
  lv_alert_free(b);
  lv_alert_free(NULL);
}

/* Fields are cut at a character boundary and made valid UTF-8; lists and
 * excerpts are bounded; absent fields are "". */
static void test_make_bounds(void **state) {
  (void)state;
  char name[1000];
  size_t n = 0;
  while (n + 3 <= 900) {
    memcpy(name + n, "中", 3);
    n += 3;
  }
  levee_event ev = {0};
  ev.sender.name = (levee_str){name, n};
  ev.conversation_title = S("a\xff\xfe"
                            "b");
  levee_finding f[40];
  char cats[40][32], rules[40][32], exc[40][300];
  for (int i = 0; i < 40; i++) {
    snprintf(cats[i], sizeof cats[i], "keyword.c%d", i);
    snprintf(rules[i], sizeof rules[i], "rule-%d", i);
    memset(exc[i], 'x', 299);
    exc[i][299] = '\0';
    exc[i][0] = (char)('A' + i % 26);
    f[i] = (levee_finding){.rule = rules[i],
                           .category = cats[i],
                           .excerpt = exc[i],
                           .action = LEVEE_ACTION_ALERT};
  }
  levee_verdict v = {
      .action = LEVEE_ACTION_ALERT, .findings = f, .n_findings = 40};
  size_t idx[40];
  for (size_t i = 0; i < 40; i++)
    idx[i] = i;
  lv_alert *a = NULL;
  assert_int_equal(lv_alert_make(&ev, &v, idx, 40, 1, &a), LEVEE_OK);
  assert_true(strlen(a->sender_name) <= LV_ALERT_FIELD_BYTES);
  assert_true(strlen(a->sender_name) > LV_ALERT_FIELD_BYTES - 3);
  assert_int_equal(strlen(a->sender_name) % 3, 0);
  assert_string_equal(a->conversation, "a\xEF\xBF\xBD\xEF\xBF\xBD"
                                       "b");
  assert_string_equal(a->event_id, "");
  assert_string_equal(a->sender_id, "");
  assert_int_equal(a->n_rules, LV_ALERT_MAX_LIST);
  assert_int_equal(a->n_categories, LV_ALERT_MAX_LIST);
  assert_int_equal(a->n_excerpts, LV_ALERT_MAX_EXCERPTS);
  for (size_t i = 0; i < a->n_excerpts; i++)
    assert_int_equal(strlen(a->excerpts[i]), LV_MAX_EXCERPT_BYTES);
  lv_alert_free(a);
}

/* --- the webhook ---------------------------------------------------------- */

static void test_json(void **state) {
  (void)state;
  lv_alert *a = sample_alert();
  lv_buf b;
  lv_buf_init(&b, LV_ALERT_BODY_BYTES);
  assert_int_equal(lv_alert_format_json(a, &ctx, &b), LEVEE_OK);
  json_t *j = parse_json(&b);
  assert_string_equal(jstr(j, "source"), "levee");
  assert_string_equal(jstr(j, "kind"), "event");
  assert_string_equal(jstr(j, "event_id"), "e0001");
  assert_string_equal(jstr(j, "time"), "2023-11-14T22:13:20.123Z");
  assert_int_equal(json_integer_value(json_object_get(j, "time_ms")), EVENT_MS);
  assert_string_equal(jstr(j, "channel"), "wecom");
  assert_string_equal(jstr(j, "sender.id"), "zhangsan");
  assert_string_equal(jstr(j, "sender.name"), "张三");
  assert_string_equal(jstr(j, "sender.dept"), "财务部");
  assert_string_equal(jstr(j, "conversation.title"), "项目群");
  assert_string_equal(jstr(j, "action"), "block");
  assert_string_equal(jstr(j, "severity"), "critical");
  json_t *ex = json_object_get(j, "excerpts");
  assert_int_equal(json_array_size(ex), 2);
  assert_string_equal(json_string_value(json_array_get(ex, 0)), "机密★1年");
  assert_int_equal(json_array_size(json_object_get(j, "rules")), 2);
  assert_int_equal(json_array_size(json_object_get(j, "categories")), 2);
  assert_int_equal(json_integer_value(json_object_get(j, "count")), 1);
  assert_null(json_object_get(j, "window_ms"));
  assert_string_equal(jstr(j, "console_url"),
                      "https://levee.example/#/alerts/e0001");
  /* Never the message text. */
  assert_null(strstr(b.data, "SECRET-FULL-TEXT"));
  json_decref(j);

  /* A summary, an event id that needs percent-encoding, no console. */
  lv_alert *s = NULL;
  assert_int_equal(lv_alert_summary(a, 4, 600000, &s), LEVEE_OK);
  s->event_id = "e 1/ä"; /* points at a literal: only read below */
  lv_buf_reset(&b);
  assert_int_equal(lv_alert_format_json(s, &ctx, &b), LEVEE_OK);
  j = parse_json(&b);
  assert_string_equal(jstr(j, "kind"), "summary");
  assert_int_equal(json_integer_value(json_object_get(j, "count")), 4);
  assert_int_equal(json_integer_value(json_object_get(j, "window_ms")), 600000);
  assert_string_equal(jstr(j, "console_url"),
                      "https://levee.example/#/alerts/e%201%2F%C3%A4");
  json_decref(j);
  lv_alert_context none = ctx;
  none.console_url = NULL;
  lv_buf_reset(&b);
  assert_int_equal(lv_alert_format_json(s, &none, &b), LEVEE_OK);
  j = parse_json(&b);
  assert_null(json_object_get(j, "console_url"));
  json_decref(j);
  lv_alert_free(s);
  lv_alert_free(a);
  lv_buf_cleanup(&b);
}

/* --- the robots ----------------------------------------------------------- */

static lv_sink robot(lv_sink_type t, const char *url, const char *secret) {
  return (lv_sink){.name = "r",
                   .type = t,
                   .url = (char *)url,
                   .secret = (char *)secret,
                   .excerpts = 1};
}

static void test_wecom(void **state) {
  (void)state;
  lv_alert *a = sample_alert();
  lv_sink s =
      robot(LV_SINK_WECOM,
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K", NULL);
  lv_buf url, body;
  lv_buf_init(&url, 8192);
  lv_buf_init(&body, LV_ALERT_BODY_BYTES);
  assert_int_equal(lv_alert_format(&s, a, &ctx, &url, &body), LEVEE_OK);
  assert_string_equal(url.data,
                      "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K");
  json_t *j = parse_json(&body);
  assert_string_equal(jstr(j, "msgtype"), "markdown");
  const char *md = jstr(j, "markdown.content");
  assert_true(
      !strncmp(md, "### levee 告警：拦截 block（严重 critical）\n",
               strlen("### levee 告警：拦截 block（严重 critical）\n")));
  assert_non_null(strstr(md, "\n**事件**：e0001\n"));
  assert_non_null(strstr(md, "\n**时间**：2023-11-15 06:13:20（北京时间）\n"));
  assert_non_null(strstr(md, "\n**发送人**：张三（zhangsan） · 财务部\n"));
  assert_non_null(strstr(md, "\n**会话**：项目群\n"));
  assert_non_null(
      strstr(md, "\n**类别**：classified.marking, pii.cn_mobile\n"));
  assert_non_null(strstr(md, "\n**规则**：classified-block, pii-alert\n"));
  /* the masked excerpt's stars are not markup */
  assert_non_null(strstr(md, "\n> 138＊＊＊＊5678\n"));
  const char *link = "[在控制台查看](https://levee.example/#/alerts/e0001)";
  assert_string_equal(md + strlen(md) - strlen(link), link);
  assert_true(strlen(md) <= LV_ALERT_MARKDOWN_BYTES);
  json_decref(j);
  lv_alert_free(a);
  lv_buf_cleanup(&url);
  lv_buf_cleanup(&body);
}

/* What a sender controls cannot mention, link, quote or break lines. */
static void test_markdown_escape(void **state) {
  (void)state;
  levee_event ev = sample_event();
  ev.sender.name = S("<@all>**x**[a](http://e)`#|~\\_");
  ev.conversation_title = S("line1\nline2\r> quote");
  levee_verdict v = sample_verdict();
  size_t idx[] = {0};
  lv_alert *a = NULL;
  assert_int_equal(lv_alert_make(&ev, &v, idx, 1, 1, &a), LEVEE_OK);
  lv_buf b;
  lv_buf_init(&b, LV_ALERT_MARKDOWN_BYTES + 1);
  assert_int_equal(lv_alert_format_markdown(a, &ctx, 1, "\n", &b), LEVEE_OK);
  assert_non_null(strstr(
      b.data, "**发送人**：＜@all＞＊＊x＊＊［a］(http://e)｀＃｜～＼＿（"));
  assert_non_null(strstr(b.data, "**会话**：line1 line2 ＞ quote\n"));
  assert_null(strstr(b.data, "<@all>"));
  lv_alert_free(a);
  lv_buf_cleanup(&b);
}

/* However long the fields, the markdown keeps its bound, stays UTF-8,
 * says it was cut, and keeps the console link. */
static void test_markdown_bound(void **state) {
  (void)state;
  char big[5][LV_MAX_EXCERPT_BYTES + 1];
  levee_finding f[5];
  for (int i = 0; i < 5; i++) {
    memset(big[i], '*', LV_MAX_EXCERPT_BYTES); /* 3 bytes each escaped */
    big[i][LV_MAX_EXCERPT_BYTES] = '\0';
    big[i][0] = (char)('a' + i);
    f[i] = (levee_finding){.rule = "r",
                           .category = "pii.cn_mobile",
                           .excerpt = big[i],
                           .action = LEVEE_ACTION_ALERT};
  }
  char longname[LV_ALERT_FIELD_BYTES];
  memset(longname, '#', sizeof longname);
  levee_event ev = sample_event();
  ev.sender.name = (levee_str){longname, sizeof longname};
  ev.conversation_title = (levee_str){longname, sizeof longname};
  levee_verdict v = {
      .action = LEVEE_ACTION_ALERT, .findings = f, .n_findings = 5};
  size_t idx[] = {0, 1, 2, 3, 4};
  lv_alert *a = NULL;
  assert_int_equal(lv_alert_make(&ev, &v, idx, 5, 1, &a), LEVEE_OK);
  const char *nls[] = {"\n", "\n\n"};
  for (int k = 0; k < 2; k++) {
    lv_buf b;
    lv_buf_init(&b, 1 << 20);
    assert_int_equal(lv_alert_format_markdown(a, &ctx, 1, nls[k], &b),
                     LEVEE_OK);
    assert_true(b.len <= LV_ALERT_MARKDOWN_BYTES);
    assert_true(b.len > LV_ALERT_MARKDOWN_BYTES / 2);
    assert_true(lv_utf8_valid(b.data, b.len));
    assert_non_null(strstr(b.data, "……"));
    assert_non_null(strstr(b.data, "](https://levee.example/#/alerts/e0001)"));
    lv_buf_cleanup(&b);
  }
  /* The syslog message too. */
  lv_buf b;
  lv_buf_init(&b, 1 << 20);
  assert_int_equal(lv_alert_format_syslog(a, &ctx, 4, &b), LEVEE_OK);
  assert_true(b.len <= LV_ALERT_SYSLOG_BYTES);
  assert_true(lv_utf8_valid(b.data, b.len));
  lv_buf_cleanup(&b);
  lv_alert_free(a);
}

static void test_signatures(void **state) {
  (void)state;
  char sig[48];
  /* Vectors: Python's base64.b64encode(hmac.new(key, msg, sha256)). */
  lv_alert_sign_dingtalk("SECtest", 1700000000000LL, sig);
  assert_string_equal(sig, "aZLLrriXgn05YbwaGR7knYsLeJADjr9NwLaNNKpxh4g=");
  lv_alert_sign_feishu("test-secret", 1599360473LL, sig);
  assert_string_equal(sig, "wSds2BzzFIIGf/WrhUO+NI1q/9j+FRJd3JNHKAq0NZY=");
}

static void test_dingtalk(void **state) {
  (void)state;
  lv_alert *a = sample_alert();
  lv_sink s =
      robot(LV_SINK_DINGTALK,
            "https://oapi.dingtalk.com/robot/send?access_token=abc", "SECtest");
  lv_alert_context c = ctx;
  c.now_ms = 1700000000000LL;
  lv_buf url, body;
  lv_buf_init(&url, 8192);
  lv_buf_init(&body, LV_ALERT_BODY_BYTES);
  assert_int_equal(lv_alert_format(&s, a, &c, &url, &body), LEVEE_OK);
  assert_string_equal(url.data,
                      "https://oapi.dingtalk.com/robot/send?access_token=abc"
                      "&timestamp=1700000000000"
                      "&sign=aZLLrriXgn05YbwaGR7knYsLeJADjr9NwLaNNKpxh4g%3D");
  json_t *j = parse_json(&body);
  assert_string_equal(jstr(j, "msgtype"), "markdown");
  assert_string_equal(jstr(j, "markdown.title"),
                      "levee 告警：拦截 block（严重 critical）");
  const char *text = jstr(j, "markdown.text");
  assert_non_null(strstr(text, "\n\n**事件**：e0001\n\n"));
  json_decref(j);
  /* Without a secret the URL is as given; with no query, '?' starts it. */
  s.secret = NULL;
  lv_buf_reset(&url);
  lv_buf_reset(&body);
  assert_int_equal(lv_alert_format(&s, a, &c, &url, &body), LEVEE_OK);
  assert_string_equal(url.data,
                      "https://oapi.dingtalk.com/robot/send?access_token=abc");
  s.url = "http://127.0.0.1:1/x";
  s.secret = "SECtest";
  lv_buf_reset(&url);
  lv_buf_reset(&body);
  assert_int_equal(lv_alert_format(&s, a, &c, &url, &body), LEVEE_OK);
  assert_true(!strncmp(url.data, "http://127.0.0.1:1/x?timestamp=", 31));
  lv_alert_free(a);
  lv_buf_cleanup(&url);
  lv_buf_cleanup(&body);
}

static void test_feishu(void **state) {
  (void)state;
  lv_alert *a = sample_alert();
  lv_sink s =
      robot(LV_SINK_FEISHU, "https://open.feishu.cn/open-apis/bot/v2/hook/T",
            "test-secret");
  lv_alert_context c = ctx;
  c.now_ms = 1599360473999LL;
  lv_buf url, body;
  lv_buf_init(&url, 8192);
  lv_buf_init(&body, LV_ALERT_BODY_BYTES);
  assert_int_equal(lv_alert_format(&s, a, &c, &url, &body), LEVEE_OK);
  assert_string_equal(url.data,
                      "https://open.feishu.cn/open-apis/bot/v2/hook/T");
  json_t *j = parse_json(&body);
  assert_string_equal(jstr(j, "timestamp"), "1599360473");
  assert_string_equal(jstr(j, "sign"),
                      "wSds2BzzFIIGf/WrhUO+NI1q/9j+FRJd3JNHKAq0NZY=");
  assert_string_equal(jstr(j, "msg_type"), "interactive");
  assert_string_equal(jstr(j, "card.header.title.tag"), "plain_text");
  assert_string_equal(jstr(j, "card.header.title.content"),
                      "levee 告警：拦截 block（严重 critical）");
  assert_string_equal(jstr(j, "card.header.template"), "red");
  json_t *el = json_array_get(
      json_object_get(json_object_get(j, "card"), "elements"), 0);
  assert_string_equal(jstr(el, "tag"), "div");
  assert_string_equal(jstr(el, "text.tag"), "lark_md");
  const char *md = jstr(el, "text.content");
  assert_true(!strncmp(md, "**事件**：e0001\n", strlen("**事件**：e0001\n")));
  json_decref(j);
  /* Without a secret: no timestamp or sign. */
  s.secret = NULL;
  lv_buf_reset(&body);
  lv_buf_reset(&url);
  assert_int_equal(lv_alert_format(&s, a, &c, &url, &body), LEVEE_OK);
  j = parse_json(&body);
  assert_null(json_object_get(j, "sign"));
  assert_null(json_object_get(j, "timestamp"));
  json_decref(j);
  lv_alert_free(a);
  lv_buf_cleanup(&url);
  lv_buf_cleanup(&body);
}

/* A summary says how many more, in which window, and which event last. */
static void test_summary_markdown(void **state) {
  (void)state;
  lv_alert *a = sample_alert(), *s = NULL;
  assert_int_equal(lv_alert_summary(a, 4, 600000, &s), LEVEE_OK);
  lv_buf b;
  lv_buf_init(&b, LV_ALERT_MARKDOWN_BYTES + 1);
  assert_int_equal(lv_alert_format_markdown(s, &ctx, 1, "\n", &b), LEVEE_OK);
  assert_true(
      !strncmp(b.data,
               "### levee 告警汇总：另有 4 条同类告警（10 分钟内）\n"
               "**次数**：另有 4 条（10 分钟内，首条已单独告警）\n"
               "**最近事件**：e0001\n",
               strlen("### levee 告警汇总：另有 4 条同类告警（10 "
                      "分钟内）\n**次数**：另有 4 条（10 "
                      "分钟内，首条已单独告警）\n**最近事件**：e0001\n")));
  lv_buf_cleanup(&b);
  lv_alert_free(s);
  lv_alert_free(a);
}

/* --- syslog --------------------------------------------------------------- */

static void test_syslog(void **state) {
  (void)state;
  lv_alert *a = sample_alert();
  lv_buf b;
  lv_buf_init(&b, 1 << 16);
  assert_int_equal(lv_alert_format_syslog(a, &ctx, 4, &b), LEVEE_OK);
  /* auth (4) * 8 + Critical (2) = 34 */
  const char *want =
      "<34>1 2024-01-01T00:00:00.000Z audit-01 levee 4242 block "
      "[levee@32473 kind=\"event\" event=\"e0001\" "
      "time=\"2023-11-14T22:13:20.123Z\" channel=\"wecom\" "
      "sender_id=\"zhangsan\" sender=\"张三\" dept=\"财务部\" "
      "conversation=\"项目群\" action=\"block\" severity=\"critical\" "
      "categories=\"classified.marking,pii.cn_mobile\" "
      "rules=\"classified-block,pii-alert\" count=\"1\"] "
      "\xEF\xBB\xBF"
      "block critical: event e0001 from 张三 (zhangsan) in 项目群 on wecom: "
      "classified.marking, pii.cn_mobile by classified-block, pii-alert; "
      "excerpts: 机密★1年 | 138****5678";
  assert_int_equal(b.len, strlen(want));
  assert_memory_equal(b.data, want, b.len);
  lv_alert_free(a);

  /* SD-PARAM escaping ('"', '\', ']'), control bytes, the hostname, the
   * severities, a facility, no pid. */
  levee_event ev = sample_event();
  ev.sender.name = S("a\"b\\c]d\ne");
  levee_verdict v = sample_verdict();
  v.severity = LEVEE_SEVERITY_LOW;
  v.action = LEVEE_ACTION_ALERT;
  size_t idx[] = {1};
  assert_int_equal(lv_alert_make(&ev, &v, idx, 1, 0, &a), LEVEE_OK);
  lv_alert_context c = ctx;
  c.hostname = "bad host\x01";
  c.pid = 0;
  lv_buf_reset(&b);
  assert_int_equal(lv_alert_format_syslog(a, &c, 16, &b), LEVEE_OK);
  /* local0 (16) * 8 + Notice (5) = 133 */
  assert_true(!strncmp(b.data,
                       "<133>1 2024-01-01T00:00:00.000Z badhost levee - alert "
                       "[levee@32473 ",
                       strlen("<133>1 2024-01-01T00:00:00.000Z badhost levee - "
                              "alert [levee@32473 ")));
  assert_non_null(strstr(b.data, " sender=\"a\\\"b\\\\c\\]d e\" "));
  assert_non_null(strstr(b.data, "from a\"b\\c]d e (zhangsan)"));
  assert_null(strchr(b.data, '\n'));
  struct {
    levee_severity s;
    const char *pri;
  } sev[] = {{LEVEE_SEVERITY_INFO, "<38>"},
             {LEVEE_SEVERITY_MEDIUM, "<36>"},
             {LEVEE_SEVERITY_HIGH, "<35>"}};
  for (size_t i = 0; i < 3; i++) {
    a->severity = sev[i].s;
    lv_buf_reset(&b);
    assert_int_equal(lv_alert_format_syslog(a, &c, 4, &b), LEVEE_OK);
    assert_true(!strncmp(b.data, sev[i].pri, strlen(sev[i].pri)));
  }
  lv_alert_free(a);
  lv_buf_cleanup(&b);
}

/* --- answers -------------------------------------------------------------- */

static void test_answer(void **state) {
  (void)state;
  char why[128];
#define ANSWER(t, st, body)                                                    \
  lv_alert_answer((t), (st), (body), strlen(body), why, sizeof why)
  assert_int_equal(ANSWER(LV_SINK_WEBHOOK, 200, "anything"),
                   LV_ALERT_DELIVERED);
  assert_int_equal(ANSWER(LV_SINK_WEBHOOK, 204, ""), LV_ALERT_DELIVERED);
  assert_int_equal(ANSWER(LV_SINK_WEBHOOK, 500, ""), LV_ALERT_RETRY);
  assert_string_equal(why, "HTTP 500");
  assert_int_equal(ANSWER(LV_SINK_WEBHOOK, 503, ""), LV_ALERT_RETRY);
  assert_int_equal(ANSWER(LV_SINK_WEBHOOK, 429, ""), LV_ALERT_RETRY);
  assert_int_equal(ANSWER(LV_SINK_WEBHOOK, 408, ""), LV_ALERT_RETRY);
  assert_int_equal(ANSWER(LV_SINK_WEBHOOK, 404, ""), LV_ALERT_FAILED);
  assert_string_equal(why, "HTTP 404");
  assert_int_equal(ANSWER(LV_SINK_WEBHOOK, 301, ""), LV_ALERT_FAILED);
  assert_int_equal(
      ANSWER(LV_SINK_WECOM, 200, "{\"errcode\":0,\"errmsg\":\"ok\"}"),
      LV_ALERT_DELIVERED);
  assert_int_equal(ANSWER(LV_SINK_WECOM, 200,
                          "{\"errcode\":93000,\"errmsg\":\"invalid webhook "
                          "url\\n\"}"),
                   LV_ALERT_FAILED);
  assert_string_equal(why, "errcode 93000: invalid webhook url ");
  assert_int_equal(
      ANSWER(LV_SINK_WECOM, 200, "{\"errcode\":45009,\"errmsg\":\"limit\"}"),
      LV_ALERT_RETRY);
  assert_int_equal(
      ANSWER(LV_SINK_DINGTALK, 200, "{\"errcode\":0,\"errmsg\":\"ok\"}"),
      LV_ALERT_DELIVERED);
  assert_int_equal(ANSWER(LV_SINK_DINGTALK, 200,
                          "{\"errcode\":310000,\"errmsg\":\"sign not "
                          "match\"}"),
                   LV_ALERT_FAILED);
  assert_int_equal(ANSWER(LV_SINK_DINGTALK, 200,
                          "{\"errcode\":130101,\"errmsg\":\"send too fast\"}"),
                   LV_ALERT_RETRY);
  assert_int_equal(ANSWER(LV_SINK_FEISHU, 200,
                          "{\"code\":0,\"msg\":\"success\",\"data\":{}}"),
                   LV_ALERT_DELIVERED);
  assert_int_equal(ANSWER(LV_SINK_FEISHU, 200,
                          "{\"code\":19021,\"msg\":\"sign match fail\"}"),
                   LV_ALERT_FAILED);
  assert_string_equal(why, "code 19021: sign match fail");
  assert_int_equal(
      ANSWER(LV_SINK_FEISHU, 200, "{\"code\":11232,\"msg\":\"frequency\"}"),
      LV_ALERT_RETRY);
  /* Feishu's code, not WeCom's: errcode alone is no answer of Feishu's. */
  assert_int_equal(ANSWER(LV_SINK_FEISHU, 200, "{\"errcode\":0}"),
                   LV_ALERT_FAILED);
  assert_int_equal(ANSWER(LV_SINK_WECOM, 200, "<html>proxy</html>"),
                   LV_ALERT_FAILED);
  assert_true(!strncmp(why, "not a robot's answer: <html>", 28));
  assert_int_equal(ANSWER(LV_SINK_WECOM, 200, "{\"errcode\":\"0\"}"),
                   LV_ALERT_FAILED);
  assert_int_equal(ANSWER(LV_SINK_WECOM, 200, ""), LV_ALERT_FAILED);
  assert_int_equal(ANSWER(LV_SINK_WECOM, 502, "{\"errcode\":0}"),
                   LV_ALERT_RETRY);
  /* A tiny why is still terminated. */
  char tiny[4];
  lv_alert_answer(LV_SINK_WEBHOOK, 500, "", 0, tiny, sizeof tiny);
  assert_string_equal(tiny, "HTT");
#undef ANSWER
}

static void test_time(void **state) {
  (void)state;
  char t[32];
  lv_alert_time_rfc3339(0, t);
  assert_string_equal(t, "1970-01-01T00:00:00.000Z");
  lv_alert_time_rfc3339(EVENT_MS, t);
  assert_string_equal(t, "2023-11-14T22:13:20.123Z");
  lv_alert_time_rfc3339(-1, t);
  assert_string_equal(t, "1969-12-31T23:59:59.999Z");
  lv_alert_time_rfc3339(253402300799999LL, t);
  assert_string_equal(t, "9999-12-31T23:59:59.999Z");
  lv_alert_time_rfc3339(-30610224000000LL, t);
  assert_string_equal(t, "1000-01-01T00:00:00.000Z");
  /* out of range, to the extremes of int64: the epoch */
  lv_alert_time_rfc3339(INT64_MIN, t);
  assert_string_equal(t, "1970-01-01T00:00:00.000Z");
  lv_alert_time_rfc3339(INT64_MAX, t);
  assert_string_equal(t, "1970-01-01T00:00:00.000Z");
  lv_alert_time_rfc3339(253402300800000LL, t);
  assert_string_equal(t, "1970-01-01T00:00:00.000Z");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_make),
      cmocka_unit_test(test_make_bounds),
      cmocka_unit_test(test_json),
      cmocka_unit_test(test_wecom),
      cmocka_unit_test(test_markdown_escape),
      cmocka_unit_test(test_markdown_bound),
      cmocka_unit_test(test_signatures),
      cmocka_unit_test(test_dingtalk),
      cmocka_unit_test(test_feishu),
      cmocka_unit_test(test_summary_markdown),
      cmocka_unit_test(test_syslog),
      cmocka_unit_test(test_answer),
      cmocka_unit_test(test_time),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
