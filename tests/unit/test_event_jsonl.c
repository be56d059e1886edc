/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_event_jsonl.c: one JSON Lines event (spec/interface.md section 1) into
 * a levee_event (src/ingest/event_jsonl.c): every field, both forms of
 * time, the required fields and their messages, wrong types, unknown fields,
 * attachments with base64 data, and the limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "ingest/event_jsonl.h"
#include "levee/levee.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/json_reader.h"
#include "util/limits.h"

/* 2020-07-15T00:00:00Z */
#define T0 INT64_C(1594771200000)

typedef struct fixture {
  lv_json_doc doc;
  lv_arena arena;
  levee_event ev;
  levee_error err;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  if (!f)
    return -1;
  lv_json_doc_init(&f->doc);
  lv_arena_init(&f->arena, LV_MAX_ARENA_BYTES);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  lv_json_doc_cleanup(&f->doc);
  lv_arena_cleanup(&f->arena);
  free(f);
  return 0;
}

static int parse_len(fixture *f, const char *line, size_t len) {
  lv_arena_reset(&f->arena);
  memset(&f->err, 0, sizeof f->err);
  return lv_event_from_jsonl(&f->doc, line, len, &f->arena, &f->ev, &f->err);
}

static int parse(fixture *f, const char *line) {
  return parse_len(f, line, strlen(line));
}

static void parse_ok(fixture *f, const char *line) {
  int rc = parse(f, line);
  if (rc)
    fail_msg("%s\nshould parse: %s", line, f->err.message);
}

/* Expects status want and a message containing each of what (NULL-ended);
 * the event must stay untouched. */
static void parse_fails(fixture *f, const char *line, int want, ...) {
  memset(&f->ev, 0xA5, sizeof f->ev);
  levee_event before = f->ev;
  int rc = parse(f, line);
  if (rc != want)
    fail_msg("%s\nstatus %d (%s), want %d", line, rc, f->err.message, want);
  assert_int_equal(f->err.status, want);
  assert_memory_equal(&f->ev, &before, sizeof before);
  va_list ap;
  va_start(ap, want);
  for (const char *w; (w = va_arg(ap, const char *));)
    if (!strstr(f->err.message, w))
      fail_msg("%s\nmessage '%s' lacks '%s'", line, f->err.message, w);
  va_end(ap);
}

static void str_is(levee_str s, const char *want) {
  if (!want) {
    assert_null(s.ptr);
    return;
  }
  assert_non_null(s.ptr);
  if (s.len != strlen(want) || memcmp(s.ptr, want, s.len))
    fail_msg("'%.*s' != '%s'", (int)s.len, s.ptr, want);
}

/* --- a full event --------------------------------------------------------- */

static void test_full_event(void **state) {
  fixture *f = *state;
  const char *line =
      "{\"id\":\"e0001\",\"time\":1594771200000,\"channel\":\"wecom\","
      "\"conversation\":{\"id\":\"c9\",\"type\":\"group\",\"title\":"
      "\"\\u9500\\u552e\\u7fa4\",\"external\":true},"
      "\"sender\":{\"id\":\"u1\",\"name\":\"张三\",\"dept\":\"销售\","
      "\"role\":\"staff\"},"
      "\"recipients\":[{\"id\":\"u2\",\"name\":\"李四\",\"role\":\"customer\"},"
      "{\"id\":\"u3\",\"dept\":\"财务\"}],"
      "\"text\":\"机密★1年\\n见附件\","
      "\"attachments\":[{\"kind\":\"file\",\"name\":\"a.txt\",\"path\":"
      "\"docs/a.txt\",\"sha256\":\"ab12\",\"md5\":\"cd34\"},"
      "{\"kind\":\"image\",\"name\":\"b.txt\",\"data\":\"aGVsbG8gd29ybGQ=\"}],"
      "\"forwarded_from\":\"e0000\","
      "\"meta\":{\"source\":\"archive\",\"seq\":[1,2,{\"x\":null}]}}";
  parse_ok(f, line);
  const levee_event *ev = &f->ev;
  str_is(ev->id, "e0001");
  assert_int_equal(ev->time_ms, T0);
  str_is(ev->channel, "wecom");
  str_is(ev->conversation_id, "c9");
  str_is(ev->conversation_type, "group");
  str_is(ev->conversation_title, "销售群");
  assert_int_equal(ev->conversation_external, LEVEE_TRUE);
  str_is(ev->sender.id, "u1");
  str_is(ev->sender.name, "张三");
  str_is(ev->sender.dept, "销售");
  str_is(ev->sender.role, "staff");
  assert_int_equal(ev->n_recipients, 2);
  str_is(ev->recipients[0].id, "u2");
  str_is(ev->recipients[0].name, "李四");
  str_is(ev->recipients[0].role, "customer");
  str_is(ev->recipients[0].dept, NULL);
  str_is(ev->recipients[1].id, "u3");
  str_is(ev->recipients[1].dept, "财务");
  str_is(ev->recipients[1].role, NULL);
  str_is(ev->text, "机密★1年\n见附件");
  assert_int_equal(ev->n_attachments, 2);
  const levee_attachment *a = ev->attachments;
  str_is(a[0].kind, "file");
  str_is(a[0].name, "a.txt");
  str_is(a[0].path, "docs/a.txt");
  str_is(a[0].sha256, "ab12");
  str_is(a[0].md5, "cd34");
  str_is(a[0].data, NULL);
  str_is(a[0].text, NULL); /* extracted later, by the caller */
  str_is(a[1].kind, "image");
  str_is(a[1].data, "hello world");
  str_is(a[1].path, NULL);
  str_is(ev->forwarded_from, "e0000");
  /* Strings without escapes point into the line. */
  assert_true(ev->id.ptr > line && ev->id.ptr < line + strlen(line));
}

static void test_minimal_event(void **state) {
  fixture *f = *state;
  parse_ok(f, "{\"id\":\"m\",\"time\":0,\"channel\":\"sms\"}");
  const levee_event *ev = &f->ev;
  str_is(ev->id, "m");
  assert_int_equal(ev->time_ms, 0);
  str_is(ev->text, NULL);
  str_is(ev->conversation_id, NULL);
  str_is(ev->conversation_type, NULL);
  str_is(ev->sender.role, NULL);
  str_is(ev->forwarded_from, NULL);
  assert_int_equal(ev->conversation_external, LEVEE_UNKNOWN);
  assert_int_equal(ev->n_recipients, 0);
  assert_int_equal(ev->n_attachments, 0);
  /* Members may come in any order; null optional members are absent. */
  parse_ok(f, "{\"text\":null,\"channel\":\"qq\",\"conversation\":null,"
              "\"sender\":null,\"recipients\":null,\"attachments\":null,"
              "\"forwarded_from\":null,\"time\":5,\"id\":\"n\"}");
  str_is(f->ev.channel, "qq");
  str_is(f->ev.text, NULL);
  assert_int_equal(f->ev.time_ms, 5);
  /* Empty text is present, not absent; empty arrays are fine. */
  parse_ok(f, "{\"id\":\"e\",\"time\":0,\"channel\":\"qq\",\"text\":\"\","
              "\"recipients\":[],\"attachments\":[]}");
  str_is(f->ev.text, "");
  assert_int_equal(f->ev.n_recipients, 0);
  assert_int_equal(f->ev.n_attachments, 0);
}

static void test_text_escapes(void **state) {
  fixture *f = *state;
  parse_ok(f, "{\"id\":\"e\\\"1\",\"time\":0,\"channel\":\"wechat\","
              "\"text\":\"\\u79d8\\u5bc6\\u2605 \\ud83d\\ude00 \\ud800 "
              "\\t\\\\\"}");
  str_is(f->ev.id, "e\"1");
  str_is(f->ev.text, "秘密★ 😀 \xEF\xBF\xBD \t\\");
}

static void test_unknown_fields_ignored(void **state) {
  fixture *f = *state;
  parse_ok(f, "{\"ID\":\"no\",\"id\":\"yes\",\"time\":0,\"channel\":\"email\","
              "\"x-custom\":{\"id\":\"nested\",\"deep\":[[[{}]]]},"
              "\"priority\":5,\"tags\":[\"a\",\"b\"],\"flag\":true,"
              "\"conversation\":{\"members\":12,\"external\":false},"
              "\"sender\":{\"id\":\"s\",\"email\":\"a@b.c\"},"
              "\"attachments\":[{\"name\":\"x\",\"size\":100,\"mime\":\"t\"}],"
              "\"meta\":{\"anything\":[1,\"two\",null]}}");
  str_is(f->ev.id, "yes");
  str_is(f->ev.sender.id, "s");
  assert_int_equal(f->ev.conversation_external, LEVEE_FALSE);
  assert_int_equal(f->ev.n_attachments, 1);
  str_is(f->ev.attachments[0].name, "x");
}

/* The members are found by comparing key bytes a word at a time where the
 * line has room, in the order the spec lists them first. Each line here is
 * copied into a buffer of exactly its length, so that the sanitizers catch
 * any read past its end. */
static int parse_exact(fixture *f, const char *line, char **copy) {
  size_t n = strlen(line);
  *copy = malloc(n);
  assert_non_null(*copy);
  memcpy(*copy, line, n);
  return parse_len(f, *copy, n);
}

static void exact_ok(fixture *f, const char *line, char **copy) {
  int rc = parse_exact(f, line, copy);
  if (rc)
    fail_msg("%s\nshould parse: %s", line, f->err.message);
}

static void exact_fails(fixture *f, const char *line, int want,
                        const char *what) {
  char *copy;
  int rc = parse_exact(f, line, &copy);
  if (rc != want || !strstr(f->err.message, what))
    fail_msg("%s\nstatus %d (%s), want %d and '%s'", line, rc, f->err.message,
             want, what);
  free(copy);
}

static void test_member_lookup(void **state) {
  fixture *f = *state;
  char *c;
  /* Spec order, every member, then the reverse order. */
  exact_ok(f,
           "{\"id\":\"a\",\"time\":1,\"channel\":\"qq\",\"conversation\":{"
           "\"id\":\"g\",\"type\":\"group\",\"title\":\"T\",\"external\":true},"
           "\"sender\":{\"id\":\"s\",\"name\":\"N\",\"dept\":\"D\",\"role\":"
           "\"staff\"},\"recipients\":[{\"id\":\"r\"}],\"text\":\"x\","
           "\"attachments\":[],\"forwarded_from\":\"p\"}",
           &c);
  str_is(f->ev.conversation_title, "T");
  str_is(f->ev.sender.dept, "D");
  str_is(f->ev.recipients[0].id, "r");
  str_is(f->ev.forwarded_from, "p");
  assert_int_equal(f->ev.conversation_external, LEVEE_TRUE);
  free(c);
  exact_ok(f,
           "{\"forwarded_from\":\"p\",\"attachments\":[],\"text\":\"x\","
           "\"recipients\":[{\"role\":\"bot\",\"id\":\"r\"}],\"sender\":{"
           "\"role\":\"staff\",\"dept\":\"D\",\"name\":\"N\",\"id\":\"s\"},"
           "\"conversation\":{\"external\":false,\"title\":\"T\",\"type\":"
           "\"direct\",\"id\":\"g\"},\"channel\":\"qq\",\"time\":1,\"id\":"
           "\"a\"}",
           &c);
  str_is(f->ev.id, "a");
  str_is(f->ev.text, "x");
  str_is(f->ev.sender.name, "N");
  str_is(f->ev.recipients[0].role, "bot");
  str_is(f->ev.conversation_type, "direct");
  str_is(f->ev.forwarded_from, "p");
  assert_int_equal(f->ev.conversation_external, LEVEE_FALSE);
  free(c);
  /* The first of duplicate members counts; near misses of a name, and
   * names written with escapes, are other members. */
  exact_ok(f,
           "{\"id\":\"first\",\"timE\":\"x\",\"time\":2,\"channeL\":\"X\","
           "\"channel\":\"sms\",\"conversatioN\":5,\"conversation\":{"
           "\"id\":\"g\",\"typE\":1,\"type\":\"t\",\"id\":\"h\"},"
           "\"attachments\":[],\"forwarded_frOm\":5,\"forwarded_from\":\"f\","
           "\"i\":\"x\",\"ids\":\"x\",\"id\":\"second\",\"time\":3,"
           "\"channe\":\"x\",\"channels\":\"x\",\"forwarded_fro\":\"x\","
           "\"forwarded_fromm\":\"x\",\"\\u0074ext\":\"x\"}",
           &c);
  str_is(f->ev.id, "first");
  assert_int_equal(f->ev.time_ms, 2);
  str_is(f->ev.channel, "sms");
  str_is(f->ev.forwarded_from, "f");
  str_is(f->ev.text, NULL);
  str_is(f->ev.conversation_id, "g");
  str_is(f->ev.conversation_type, "t");
  free(c);
  exact_fails(f, "{\"\\u0069d\":\"a\",\"time\":0,\"channel\":\"qq\"}",
              LEVEE_EMISSING, "\"id\"");
  /* Members whose name is close to the end of the line. */
  exact_fails(f, "{\"iD\":1}", LEVEE_EMISSING, "\"id\"");
  exact_ok(f,
           "{\"id\":\"a\",\"time\":0,\"channel\":\"qq\",\"sender\":{},"
           "\"recipientS\":{}}",
           &c);
  free(c);
  exact_fails(f, "{\"time\":0,\"channel\":\"qq\",\"id\":1}", LEVEE_ESYNTAX,
              "\"id\" must be a string");
  exact_fails(f,
              "{\"id\":\"a\",\"time\":0,\"channel\":\"qq\",\"recipients\":{}}",
              LEVEE_ESYNTAX, "\"recipients\" must be an array");
  exact_fails(f, "{\"id\":\"a\",\"channel\":\"qq\",\"time\":null}",
              LEVEE_ESYNTAX, "\"time\" must be an RFC 3339");
  exact_ok(f, "{\"id\":\"a\",\"time\":0,\"channel\":\"qq\",\"sender\":{}}", &c);
  free(c);
}

static void test_channel_token(void **state) {
  fixture *f = *state;
  static const struct {
    const char *channel; /* as JSON */
    int ok;
  } cases[] = {
      {"\"q\"", 1},
      {"\"dingtalk\"", 1},
      {"\"dingtalK\"", 0},
      {"\"Dingtalk\"", 0},
      {"\"ding-ta.k\"", 1},
      {"\"ding_talk\"", 1},
      {"\"dingtalk9\"", 1},
      {"\"dingtalk!\"", 0},
      {"\"a/b\"", 0},
      {"\"\\u0071q\"", 1},
      {"\"q\\u0051\"", 0},
      {"\"\\u00e9\"", 0},
      {"\"\xE4\xB8\xAD\"", 0},
      {"\"abcdefghijklmnopqrstuvwxyz012345\"", 1},
      {"\"abcdefghijklmnopqrstuvwxyz0123456\"", 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char line[160];
    /* The channel in the middle of the line, and last. */
    for (int last = 0; last < 2; last++) {
      if (last)
        snprintf(line, sizeof line, "{\"id\":\"a\",\"time\":0,\"channel\":%s}",
                 cases[i].channel);
      else
        snprintf(line, sizeof line,
                 "{\"id\":\"a\",\"channel\":%s,\"time\":0,\"text\":\"x\"}",
                 cases[i].channel);
      if (cases[i].ok) {
        char *c;
        exact_ok(f, line, &c);
        free(c);
      } else
        exact_fails(f, line, LEVEE_ESYNTAX, "lowercase token");
    }
  }
}

/* --- time ----------------------------------------------------------------- */

static void time_is(fixture *f, const char *time_json, int64_t want) {
  char line[256];
  snprintf(line, sizeof line, "{\"id\":\"t\",\"time\":%s,\"channel\":\"qq\"}",
           time_json);
  parse_ok(f, line);
  if (f->ev.time_ms != want)
    fail_msg("time %s gave %lld, want %lld", time_json,
             (long long)f->ev.time_ms, (long long)want);
}

static void test_time_forms(void **state) {
  fixture *f = *state;
  time_is(f, "1594771200000", T0);
  time_is(f, "0", 0);
  time_is(f, "-86400000", -86400000);
  time_is(f, "1.5947712e12", T0);
  time_is(f, "\"2020-07-15T00:00:00Z\"", T0);
  time_is(f, "\"2020-07-15t00:00:00z\"", T0);
  time_is(f, "\"2020-07-15 00:00:00Z\"", T0);
  time_is(f, "\"2020-07-15T08:00:00+08:00\"", T0);
  time_is(f, "\"2020-07-14T19:30:00-04:30\"", T0);
  time_is(f, "\"2020-07-15T00:00:00+00:00\"", T0);
  time_is(f, "\"2020-07-15T00:00:00-00:00\"", T0);
  time_is(f, "\"2020-07-15T00:00:00.250Z\"", T0 + 250);
  time_is(f, "\"2020-07-15T08:00:00.5+08:00\"", T0 + 500);
  time_is(f, "\"2020-07-15T00:00:00.123456789Z\"", T0 + 123);
  time_is(f, "\"2020-07-15T00:00:00.07Z\"", T0 + 70);
  time_is(f, "\"1970-01-01T00:00:00Z\"", 0);
  time_is(f, "\"2000-02-29T12:00:00Z\"", INT64_C(951825600000));
  time_is(f, "\"2020-12-31T23:59:59.999Z\"", INT64_C(1609459199999));
  /* Around the inline cases: 9 to 16 digits as two 8-digit words, up to
   * 18 digit by digit. */
  time_is(f, "12345678", 12345678);
  time_is(f, "123456789", 123456789);
  time_is(f, "100000000", 100000000);
  time_is(f, "999999999999", INT64_C(999999999999));
  time_is(f, "1717171200323", INT64_C(1717171200323));
  time_is(f, "9007199254740993", INT64_C(9007199254740993));
  time_is(f, "9999999999999999", INT64_C(9999999999999999));
  time_is(f, "-1717171200323", INT64_C(-1717171200323));
  time_is(f, "12345678901e3", INT64_C(12345678901000));
  time_is(f, "1717171200.0", INT64_C(1717171200));
  time_is(f, "999999999999999999", INT64_C(999999999999999999));
  time_is(f, "1000000000000000000", INT64_C(1000000000000000000));
  time_is(f, "9223372036854775807", INT64_MAX);
  time_is(f, "-9223372036854775808", INT64_MIN);
  time_is(f, "-0", 0);
  time_is(f, "15e2", 1500);
  time_is(f, "1500.0", 1500);
}

static void test_time_invalid(void **state) {
  fixture *f = *state;
  parse_fails(f, "{\"id\":\"a\",\"time\":1717171200.5,\"channel\":\"qq\"}",
              LEVEE_ESYNTAX, "\"time\" must be integer", (char *)NULL);
  parse_fails(f,
              "{\"id\":\"a\",\"time\":99999999999999999999,\"channel\":\"qq\"}",
              LEVEE_ESYNTAX, "\"time\" must be integer", (char *)NULL);
  static const char *const bad[] = {
      "\"2020-07-15\"",
      "\"2020-07-15T00:00:00\"",      /* no offset */
      "\"2020-07-15T00:00Z\"",        /* no seconds */
      "\"2020-07-15T00:00:00+0800\"", /* offset without a colon */
      "\"2020-07-15T00:00:00+08\"",
      "\"2020-07-15T00:00:00.Z\"", /* empty fraction */
      "\"2020-13-01T00:00:00Z\"",  /* month 13 */
      "\"2020-00-10T00:00:00Z\"",
      "\"2020-07-32T00:00:00Z\"",
      "\"2020-07-15T24:00:00Z\"",
      "\"2020-07-15T00:60:00Z\"",
      "\"2020-07-15T00:00:00+24:00\"",
      "\"2020/07/15T00:00:00Z\"",
      "\"2020-07-15T00:00:00Zjunk\"",
      "\"20a0-07-15T00:00:00Z\"",
      "\" 2020-07-15T00:00:00Z\"",
      "\"yesterday\"",
      "\"\"",
      "\"1594771200000\"",
      "1.5",
      "1e300",
      "true",
      "null",
      "[1594771200000]",
      "{\"ms\":0}",
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    char line[256];
    snprintf(line, sizeof line, "{\"id\":\"t\",\"time\":%s,\"channel\":\"qq\"}",
             bad[i]);
    parse_fails(f, line, LEVEE_ESYNTAX, "\"time\"", (char *)NULL);
  }
}

static void test_rfc3339_direct(void **state) {
  (void)state;
  int64_t ms = 7;
  assert_int_equal(lv_parse_rfc3339("2020-07-15T08:00:00+08:00", 25, &ms),
                   LEVEE_OK);
  assert_int_equal(ms, T0);
  /* The length bounds the read: a valid prefix alone is not a date-time. */
  ms = 7;
  assert_int_equal(lv_parse_rfc3339("2020-07-15T08:00:00+08:00", 24, &ms),
                   LEVEE_ESYNTAX);
  assert_int_equal(lv_parse_rfc3339("2020-07-15T00:00:00Z", 19, &ms),
                   LEVEE_ESYNTAX);
  assert_int_equal(lv_parse_rfc3339("2020", 4, &ms), LEVEE_ESYNTAX);
  assert_int_equal(lv_parse_rfc3339("", 0, &ms), LEVEE_ESYNTAX);
  assert_int_equal(ms, 7); /* untouched on failure */
}

/* --- required fields ------------------------------------------------------ */

static void test_missing_required(void **state) {
  fixture *f = *state;
  parse_fails(f, "{\"time\":0,\"channel\":\"qq\",\"text\":\"x\"}",
              LEVEE_EMISSING, "\"id\"", "missing", (char *)NULL);
  parse_fails(f, "{\"id\":\"a\",\"channel\":\"qq\"}", LEVEE_EMISSING,
              "\"time\"", "missing", (char *)NULL);
  parse_fails(f, "{\"id\":\"a\",\"time\":0}", LEVEE_EMISSING, "\"channel\"",
              "missing", (char *)NULL);
  parse_fails(f, "{}", LEVEE_EMISSING, "\"id\"", (char *)NULL);
  /* A required field nested elsewhere is still missing at the top. */
  parse_fails(f, "{\"meta\":{\"id\":\"x\"},\"time\":0,\"channel\":\"qq\"}",
              LEVEE_EMISSING, "\"id\"", (char *)NULL);
  parse_fails(f, "{\"id\":\"a\",\"sender\":{\"time\":0},\"channel\":\"qq\"}",
              LEVEE_EMISSING, "\"time\"", (char *)NULL);
}

static void test_wrong_types(void **state) {
  fixture *f = *state;
  static const struct {
    const char *line;
    const char *field;
  } cases[] = {
      {"{\"id\":7,\"time\":0,\"channel\":\"qq\"}", "\"id\""},
      {"{\"id\":null,\"time\":0,\"channel\":\"qq\"}", "\"id\""},
      {"{\"id\":\"\",\"time\":0,\"channel\":\"qq\"}", "\"id\""},
      {"{\"id\":[\"a\"],\"time\":0,\"channel\":\"qq\"}", "\"id\""},
      {"{\"id\":\"a\",\"time\":true,\"channel\":\"qq\"}", "\"time\""},
      {"{\"id\":\"a\",\"time\":0,\"channel\":5}", "\"channel\""},
      {"{\"id\":\"a\",\"time\":0,\"channel\":\"WeChat\"}", "\"channel\""},
      {"{\"id\":\"a\",\"time\":0,\"channel\":\"we chat\"}", "\"channel\""},
      {"{\"id\":\"a\",\"time\":0,\"channel\":\"\"}", "\"channel\""},
      {"{\"id\":\"a\",\"time\":0,\"channel\":\"qq\",\"text\":5}", "\"text\""},
      {"{\"id\":\"a\",\"time\":0,\"channel\":\"qq\",\"text\":[\"x\"]}",
       "\"text\""},
      {"{\"id\":\"a\",\"time\":0,\"channel\":\"qq\",\"forwarded_from\":1}",
       "\"forwarded_from\""},
      {"{\"id\":\"a\",\"time\":0,\"channel\":\"qq\",\"conversation\":\"g\"}",
       "\"conversation\""},
      {"{\"id\":\"a\",\"time\":0,\"channel\":\"qq\",\"conversation\":"
       "{\"external\":\"yes\"}}",
       "\"conversation.external\""},
      {"{\"id\":\"a\",\"time\":0,\"channel\":\"qq\",\"conversation\":"
       "{\"external\":1}}",
       "\"conversation.external\""},
      {"{\"id\":\"a\",\"time\":0,\"channel\":\"qq\",\"conversation\":"
       "{\"type\":3}}",
       "\"type\""},
      {"{\"id\":\"a\",\"time\":0,\"channel\":\"qq\",\"sender\":[]}",
       "\"sender\""},
      {"{\"id\":\"a\",\"time\":0,\"channel\":\"qq\",\"sender\":{\"role\":1}}",
       "\"role\""},
      {"{\"id\":\"a\",\"time\":0,\"channel\":\"qq\",\"recipients\":{}}",
       "\"recipients\""},
      {"{\"id\":\"a\",\"time\":0,\"channel\":\"qq\",\"recipients\":[\"u\"]}",
       "\"recipients[]\""},
      {"{\"id\":\"a\",\"time\":0,\"channel\":\"qq\",\"attachments\":{}}",
       "\"attachments\""},
      {"{\"id\":\"a\",\"time\":0,\"channel\":\"qq\",\"attachments\":[{},3]}",
       "attachment 1"},
      {"{\"id\":\"a\",\"time\":0,\"channel\":\"qq\",\"attachments\":"
       "[{\"name\":[]}]}",
       "\"name\""},
      {"{\"id\":\"a\",\"time\":0,\"channel\":\"qq\",\"attachments\":"
       "[{\"data\":\"not base64!\"}]}",
       "base64"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    parse_fails(f, cases[i].line, LEVEE_ESYNTAX, cases[i].field, (char *)NULL);
}

static void test_not_an_event(void **state) {
  fixture *f = *state;
  parse_fails(f, "[{\"id\":\"a\",\"time\":0,\"channel\":\"qq\"}]",
              LEVEE_ESYNTAX, "object", (char *)NULL);
  parse_fails(f, "\"event\"", LEVEE_ESYNTAX, "object", (char *)NULL);
  parse_fails(f, "{\"id\":\"a\",\"time\":0,\"channel\":\"qq\"", LEVEE_ESYNTAX,
              "invalid JSON", (char *)NULL);
  parse_fails(f, "{\"id\":\"a\",\"time\":tru,\"channel\":\"qq\"}",
              LEVEE_ESYNTAX, "invalid JSON", (char *)NULL);
  parse_fails(f, "{\"id\":\"a\",\"time\":0,\"channel\":\"qq\"} {}",
              LEVEE_ESYNTAX, "invalid JSON", (char *)NULL);
  parse_fails(f, "", LEVEE_ESYNTAX, (char *)NULL);
}

/* --- conversation.external ------------------------------------------------ */

static void test_external(void **state) {
  fixture *f = *state;
  parse_ok(f, "{\"id\":\"a\",\"time\":0,\"channel\":\"qq\",\"conversation\":"
              "{\"external\":true}}");
  assert_int_equal(f->ev.conversation_external, LEVEE_TRUE);
  parse_ok(f, "{\"id\":\"a\",\"time\":0,\"channel\":\"qq\",\"conversation\":"
              "{\"external\":false}}");
  assert_int_equal(f->ev.conversation_external, LEVEE_FALSE);
  parse_ok(f, "{\"id\":\"a\",\"time\":0,\"channel\":\"qq\",\"conversation\":"
              "{\"type\":\"direct\"}}");
  assert_int_equal(f->ev.conversation_external, LEVEE_UNKNOWN);
  str_is(f->ev.conversation_type, "direct");
  parse_ok(f, "{\"id\":\"a\",\"time\":0,\"channel\":\"qq\",\"conversation\":"
              "{\"external\":null}}");
  assert_int_equal(f->ev.conversation_external, LEVEE_UNKNOWN);
  parse_ok(f, "{\"id\":\"a\",\"time\":0,\"channel\":\"qq\"}");
  assert_int_equal(f->ev.conversation_external, LEVEE_UNKNOWN);
  /* "external" outside the conversation means nothing. */
  parse_ok(f, "{\"id\":\"a\",\"time\":0,\"channel\":\"qq\",\"external\":true}");
  assert_int_equal(f->ev.conversation_external, LEVEE_UNKNOWN);
}

/* --- attachments and limits ----------------------------------------------- */

static void test_attachment_data(void **state) {
  fixture *f = *state;
  /* "机密★1年" in UTF-8, base64 with a line break (as \n) inside. */
  parse_ok(f, "{\"id\":\"a\",\"time\":0,\"channel\":\"email\",\"attachments\":["
              "{\"kind\":\"file\",\"data\":\"5py65a+G\\n4piFMeW5tA==\"},"
              "{\"kind\":\"file\",\"data\":\"\"},"
              "{\"kind\":\"file\",\"data\":\"AP8=\"},"
              "{\"kind\":\"file\",\"data\":null}]}");
  assert_int_equal(f->ev.n_attachments, 4);
  str_is(f->ev.attachments[0].data, "机密★1年");
  str_is(f->ev.attachments[1].data, "");
  assert_int_equal(f->ev.attachments[2].data.len, 2);
  assert_memory_equal(f->ev.attachments[2].data.ptr, "\x00\xFF", 2);
  str_is(f->ev.attachments[3].data, NULL);
  /* Bad base64: wrong alphabet, a cut quantum. */
  parse_fails(f,
              "{\"id\":\"a\",\"time\":0,\"channel\":\"email\",\"attachments\":"
              "[{\"data\":\"aGVsbG8\"},{\"data\":\"a-_b\"}]}",
              LEVEE_ESYNTAX, "attachment 0", "base64", (char *)NULL);
  parse_fails(f,
              "{\"id\":\"a\",\"time\":0,\"channel\":\"email\",\"attachments\":"
              "[{\"data\":\"aGVsbG8=\"},{\"data\":\"a-_b\"}]}",
              LEVEE_ESYNTAX, "attachment 1", "base64", (char *)NULL);
}

/* An event line with n attachments (or recipients). */
static char *with_items(const char *member, const char *item, int n) {
  lv_buf b;
  lv_buf_init(&b, 1u << 20);
  assert_int_equal(lv_buf_printf(&b,
                                 "{\"id\":\"x\",\"time\":0,\"channel\":"
                                 "\"qq\",\"%s\":[",
                                 member),
                   LEVEE_OK);
  for (int i = 0; i < n; i++)
    assert_int_equal(lv_buf_printf(&b, "%s%s", i ? "," : "", item), LEVEE_OK);
  assert_int_equal(lv_buf_puts(&b, "]}"), LEVEE_OK);
  return lv_buf_detach(&b, NULL);
}

static void test_too_many_attachments(void **state) {
  fixture *f = *state;
  char *ok = with_items("attachments", "{\"kind\":\"file\",\"data\":\"YQ==\"}",
                        LV_MAX_ATTACHMENTS);
  parse_ok(f, ok);
  assert_int_equal(f->ev.n_attachments, LV_MAX_ATTACHMENTS);
  str_is(f->ev.attachments[LV_MAX_ATTACHMENTS - 1].data, "a");
  free(ok);
  char *big =
      with_items("attachments", "{\"kind\":\"file\"}", LV_MAX_ATTACHMENTS + 1);
  parse_fails(f, big, LEVEE_ETOOBIG, "attachments", (char *)NULL);
  free(big);
}

static void test_too_many_recipients(void **state) {
  fixture *f = *state;
  char *ok = with_items("recipients", "{\"id\":\"r\"}", LV_MAX_RECIPIENTS);
  parse_ok(f, ok);
  assert_int_equal(f->ev.n_recipients, LV_MAX_RECIPIENTS);
  free(ok);
  char *big = with_items("recipients", "{}", LV_MAX_RECIPIENTS + 1);
  parse_fails(f, big, LEVEE_ETOOBIG, "recipients", (char *)NULL);
  free(big);
}

static void test_text_too_big(void **state) {
  fixture *f = *state;
  const char *head = "{\"id\":\"x\",\"time\":0,\"channel\":\"qq\",\"text\":\"";
  size_t hl = strlen(head), n = (size_t)LV_MAX_TEXT_BYTES + 1;
  char *line = malloc(hl + n + 3);
  assert_non_null(line);
  memcpy(line, head, hl);
  memset(line + hl, 'a', n);
  memcpy(line + hl + n, "\"}", 3);
  int rc = parse_len(f, line, hl + n + 2);
  assert_int_equal(rc, LEVEE_ETOOBIG);
  assert_non_null(strstr(f->err.message, "\"text\""));
  /* Exactly at the limit is fine. */
  memcpy(line + hl + n - 1, "\"}", 3);
  rc = parse_len(f, line, hl + n + 1);
  assert_int_equal(rc, LEVEE_OK);
  assert_int_equal(f->ev.text.len, LV_MAX_TEXT_BYTES);
  free(line);
}

static void test_reuse_across_lines(void **state) {
  fixture *f = *state;
  /* One doc and arena for a whole stream, as `levee scan` does. */
  for (int i = 0; i < 50; i++) {
    char line[160];
    snprintf(line, sizeof line,
             "{\"id\":\"e%d\",\"time\":%d,\"channel\":\"qq\",\"text\":"
             "\"n\\u00b0%d\"}",
             i, i, i);
    parse_ok(f, line);
    char want[32];
    snprintf(want, sizeof want, "e%d", i);
    str_is(f->ev.id, want);
    snprintf(want, sizeof want, "n°%d", i);
    str_is(f->ev.text, want);
    assert_int_equal(f->ev.time_ms, i);
  }
}

static int same_str(levee_str a, levee_str b) {
  return !a.ptr == !b.ptr && a.len == b.len &&
         (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

/* lv_event_from_jsonl and its general path agree on line; returns whether
 * the fast path took it (it makes no tokens). */
static int fast_agrees(fixture *f, const char *line) {
  size_t n = strlen(line);
  int rc = parse(f, line);
  int fast = rc == LEVEE_OK && f->doc.ntoks == 0;
  levee_event a = f->ev;
  levee_error e1 = f->err, e2 = {0};
  levee_event b;
  memset(&b, 0, sizeof b);
  int rc2 = lv_event_from_jsonl_general(&f->doc, line, n, &f->arena, &b, &e2);
  if (rc != rc2)
    fail_msg("%s\nstatus %d, general path %d", line, rc, rc2);
  if (rc) {
    assert_string_equal(e1.message, e2.message);
    return 0;
  }
  if (!(same_str(a.id, b.id) && a.time_ms == b.time_ms &&
        same_str(a.channel, b.channel) &&
        same_str(a.conversation_id, b.conversation_id) &&
        same_str(a.conversation_type, b.conversation_type) &&
        same_str(a.conversation_title, b.conversation_title) &&
        a.conversation_external == b.conversation_external &&
        same_str(a.sender.id, b.sender.id) &&
        same_str(a.sender.name, b.sender.name) &&
        same_str(a.sender.dept, b.sender.dept) &&
        same_str(a.sender.role, b.sender.role) && same_str(a.text, b.text) &&
        same_str(a.forwarded_from, b.forwarded_from) &&
        same_str(a.meta, b.meta) && a.n_recipients == b.n_recipients &&
        a.n_attachments == b.n_attachments))
    fail_msg("%s\nthe fast and general paths made different events", line);
  return fast;
}

/* Plain lines take the fast path over the structural index; it makes the
 * same events as the general path, and leaves it every line it does not
 * read whole, which then gets the general path's event or error. */
static void test_fast_path(void **state) {
  fixture *f = *state;
  static const char *const taken[] = {
      "{\"id\":\"m1\",\"time\":1717171200323,\"channel\":\"wecom\","
      "\"conversation\":{\"id\":\"g1\",\"type\":\"group\",\"external\":"
      "false},\"sender\":{\"id\":\"u1\",\"role\":\"staff\"},\"text\":"
      "\"机密文件 {a:[1,2]}\"}",
      " { \"text\" : \"x\" , \"channel\" : \"qq\" , \"time\" : 0 , \"id\" : "
      "\"m2\" } \r\n",
      "{\"id\":\"m3\",\"time\":\"2020-07-15T08:00:00+08:00\",\"channel\":"
      "\"dingtalk\",\"conversation\":null,\"sender\":null,\"text\":null,"
      "\"forwarded_from\":\"g2\"}",
      "{\"id\":\"m4\",\"time\":5,\"channel\":\"email\",\"conversation\":{"
      "\"external\":true,\"title\":\"客服\",\"type\":null},\"sender\":{}}",
      "{\"id\":\"m5\",\"time\":999999999999999999,\"channel\":\"a.b_c-9\","
      "\"conversation\":{}}",
      /* members not read are skipped, their grammar checked */
      "{\"id\":\"m1\",\"time\":1,\"channel\":\"qq\",\"extra\":{\"a\":[1]}}",
      "{\"meta\":{\"k\":[{},[],\"s\",-1.5e3,true,false,null,{\"x\":{\"y\":[]}}]"
      "},\"id\":\"m1\",\"time\":1,\"channel\":\"qq\",\"sender\":{\"x\":1,"
      "\"id\":\"u\"},\"conversation\":{\"y\":[2],\"type\":\"direct\"}}",
      "{\"id\":\"m1\",\"time\":1,\"channel\":\"qq\",\"meta\" : [ 1 , { } ] }",
  };
  static const char *const declined[] = {
      /* valid events the fast path leaves to the general one */
      "{\"id\":\"m1\",\"time\":1,\"channel\":\"qq\",\"meta\":[[[[[[[[[[[[["
      "[[[[[[[[]]]]]]]]]]]]]]]]]]]]}",
      "{\"id\":\"m1\",\"time\":1,\"channel\":\"qq\",\"text\":\"a\","
      "\"text\":\"b\"}",
      "{\"id\":\"m1\",\"time\":1.0e3,\"channel\":\"qq\"}",
      "{\"id\":\"m1\",\"time\":-5,\"channel\":\"qq\"}",
      "{\"id\":\"m\\u0031\",\"time\":1,\"channel\":\"qq\"}",
      "{\"id\":\"m1\",\"time\":1,\"channel\":\"qq\",\"recipients\":[{"
      "\"id\":\"u\"}]}",
      "{\"id\":\"m1\",\"time\":1,\"channel\":\"qq\",\"conversation\":{"
      "\"id\":\"g\",\"id\":\"h\"}}",
      /* errors */
      "{\"id\":\"m1\",\"time\":1,\"channel\":\"qq\",\"meta\":{\"a\":[1,]}}",
      "{\"id\":\"m1\",\"time\":1,\"channel\":\"qq\",\"meta\":{\"a\" 1}}",
      "{\"id\":\"m1\",\"time\":1,\"channel\":\"qq\",\"meta\":[1 2]}",
      "{\"id\":\"m1\",\"time\":1,\"channel\":\"qq\",\"meta\":tru}",
      "{\"id\":\"m1\",\"time\":1,\"channel\":\"qq\",\"meta\":{\"a\":1]}",
      "{\"id\":\"m1\",\"time\":1,\"channel\":\"qq\",\"meta\":01}",
      "{\"id\":\"m1\",\"time\":1,\"channel\":\"qq\",\"sender\":{\"x\":}}",
      "{}",
      "[]",
      "{\"id\":\"\",\"time\":1,\"channel\":\"qq\"}",
      "{\"id\":\"m1\",\"time\":1}",
      "{\"id\":\"m1\",\"time\":1,\"channel\":\"QQ\"}",
      "{\"id\":\"m1\",\"time\":01,\"channel\":\"qq\"}",
      "{\"id\":\"m1\",\"time\":1x,\"channel\":\"qq\"}",
      "{\"id\":\"m1\",\"time\":1,\"channel\":\"qq\",}",
      "{\"id\":\"m1\",\"time\":1,\"channel\":\"qq\"} x",
      "{\"id\":\"m1\",\"time\":1,\"channel\":\"qq\",\"text\":nul}",
      "{\"id\":\"m1\",\"time\":1,\"channel\":\"qq\",\"conversation\":{"
      "\"external\":\"yes\"}}",
      "{\"id\":\"m1\",\"time\":1,\"channel\":\"qq\",\"text\":5}",
      "{\"id\":\"m1\" \"time\":1,\"channel\":\"qq\"}",
      "{\"id\":\"m1\",\"time\":1,\"channel\":\"qq\"",
      "{\"id\":\"m1\",\"time\":\"yesterday\",\"channel\":\"qq\"}",
  };
  for (size_t i = 0; i < sizeof taken / sizeof *taken; i++)
    if (!fast_agrees(f, taken[i]))
      fail_msg("%s\nnot taken by the fast path", taken[i]);
  for (size_t i = 0; i < sizeof declined / sizeof *declined; i++)
    if (fast_agrees(f, declined[i]))
      fail_msg("%s\ntaken by the fast path", declined[i]);
}

/* "meta" is kept as its JSON text, whatever its type, by both paths;
 * null is absent. */
static void test_meta_kept(void **state) {
  fixture *f = *state;
  static const struct {
    const char *line, *meta;
  } cases[] = {
      {"{\"id\":\"a\",\"time\":1,\"channel\":\"qq\",\"meta\":{\"k\":[1,2],"
       "\"s\":\"v\"}}",
       "{\"k\":[1,2],\"s\":\"v\"}"},
      {"{\"meta\" :  [1, {\"a\":2}] "
       ",\"id\":\"a\",\"time\":1,\"channel\":\"qq\"}",
       "[1, {\"a\":2}]"},
      {"{\"id\":\"a\",\"time\":1,\"channel\":\"qq\",\"meta\":\"plain\"}",
       "\"plain\""},
      {"{\"id\":\"a\",\"time\":1,\"channel\":\"qq\",\"meta\":-1.5e3}",
       "-1.5e3"},
      /* an escape: the general path, the text as written */
      {"{\"id\":\"a\",\"time\":1,\"channel\":\"qq\",\"meta\":{\"e\":"
       "\"\\u4e2d\"}}",
       "{\"e\":\"\\u4e2d\"}"},
      {"{\"id\":\"a\",\"time\":1,\"channel\":\"qq\",\"meta\":null}", NULL},
      {"{\"id\":\"a\",\"time\":1,\"channel\":\"qq\"}", NULL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    levee_event ev;
    levee_error err = {0};
    const char *line = cases[i].line;
    assert_int_equal(
        lv_event_from_jsonl(&f->doc, line, strlen(line), &f->arena, &ev, &err),
        0);
    str_is(ev.meta, cases[i].meta);
    assert_int_equal(lv_event_from_jsonl_general(&f->doc, line, strlen(line),
                                                 &f->arena, &ev, &err),
                     0);
    str_is(ev.meta, cases[i].meta);
  }
}

/* lv_days_from_epoch agrees with timegm() on every day (and every day-of-
 * month up to 31, which rolls over) of years 0..2500 and 9990..9999. */
static void test_days_from_epoch(void **state) {
  (void)state;
  for (int y = 0; y <= 9999; y = y == 2500 ? 9990 : y + 1)
    for (int m = 1; m <= 12; m++)
      for (int d = 1; d <= 31; d++) {
        struct tm tm = {0};
        tm.tm_year = y - 1900;
        tm.tm_mon = m - 1;
        tm.tm_mday = d;
        int64_t want = (int64_t)timegm(&tm) / 86400;
        if (lv_days_from_epoch(y, m, d) != want)
          fail_msg("%04d-%02d-%02d: %lld days, timegm %lld", y, m, d,
                   (long long)lv_days_from_epoch(y, m, d), (long long)want);
      }
}

int main(void) {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
  const struct CMUnitTest tests[] = {
      T(test_full_event),
      T(test_minimal_event),
      T(test_text_escapes),
      T(test_unknown_fields_ignored),
      T(test_member_lookup),
      T(test_channel_token),
      T(test_time_forms),
      T(test_time_invalid),
      cmocka_unit_test(test_rfc3339_direct),
      T(test_missing_required),
      T(test_wrong_types),
      T(test_not_an_event),
      T(test_external),
      T(test_attachment_data),
      T(test_too_many_attachments),
      T(test_too_many_recipients),
      T(test_text_too_big),
      T(test_reuse_across_lines),
      T(test_fast_path),
      T(test_meta_kept),
      cmocka_unit_test(test_days_from_epoch),
  };
#undef T
  return cmocka_run_group_tests(tests, NULL, NULL);
}
