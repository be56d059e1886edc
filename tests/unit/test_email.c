/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_email.c: MIME messages to events (src/ingest/event_email.c).
 * Encoded samples (base64, quoted-printable, RFC 2047) were produced with
 * Python's email codecs from the strings the assertions expect; people and
 * addresses are invented.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ingest/event_email.h"
#include "util/limits.h"

static lv_arena arena;
static levee_error err;

static int setup(void **state) {
  lv_arena_init(&arena, LV_MAX_ARENA_BYTES);
  return 0;
}

static int teardown(void **state) {
  lv_arena_cleanup(&arena);
  return 0;
}

static const levee_str FILE_ID = {"mail.eml", 8};
static const levee_str NO_ID = {NULL, 0};

static int parse_id(const char *msg, levee_str id, levee_event *ev) {
  lv_arena_reset(&arena);
  memset(&err, 0, sizeof err);
  memset(ev, 0, sizeof *ev);
  int rc = lv_event_from_email(msg, strlen(msg), id, &arena, ev, &err);
  if (rc)
    fprintf(stderr, "rc %d: %s\n", rc, err.message);
  return rc;
}

static int parse(const char *msg, levee_event *ev) {
  return parse_id(msg, FILE_ID, ev);
}

#define assert_str(s, want)                                                    \
  do {                                                                         \
    levee_str s_ = (s);                                                        \
    const char *w_ = (want);                                                   \
    if (!w_) {                                                                 \
      if (s_.ptr) {                                                            \
        fprintf(stderr, "got [%.*s], want absent\n", (int)s_.len, s_.ptr);     \
        fail();                                                                \
      }                                                                        \
    } else if (!s_.ptr || s_.len != strlen(w_) ||                              \
               memcmp(s_.ptr, w_, s_.len)) {                                   \
      fprintf(stderr, "got [%.*s], want [%s]\n", s_.ptr ? (int)s_.len : 6,     \
              s_.ptr ? s_.ptr : "(null)", w_);                                 \
      fail();                                                                  \
    }                                                                          \
  } while (0)

static void test_utf8_plain(void **state) {
  static const char msg[] =
      "From: =?UTF-8?B?5byg5LiJ?= <zhangsan@example.com>\r\n"
      "To: Li Si <lisi@example.org>\r\n"
      "Subject: =?UTF-8?B?5a2j5bqm5oql6KGo?=\r\n"
      "Date: Mon, 15 Jan 2024 10:30:00 +0800\r\n"
      "Message-ID: <20240115103000.1234@example.com>\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n"
      "Content-Transfer-Encoding: 8bit\r\n"
      "\r\n"
      "附件是季度报表，请查收。\r\n"
      "张三\r\n";
  levee_event ev;
  assert_int_equal(parse(msg, &ev), LEVEE_OK);
  assert_str(ev.id, "mail.eml");
  assert_int_equal(ev.time_ms, 1705285800000LL);
  assert_str(ev.channel, "email");
  assert_str(ev.sender.id, "zhangsan@example.com");
  assert_str(ev.sender.name, "张三");
  assert_int_equal(ev.n_recipients, 1);
  assert_str(ev.recipients[0].id, "lisi@example.org");
  assert_str(ev.recipients[0].name, "Li Si");
  assert_str(ev.conversation_type, "direct");
  assert_str(ev.conversation_id, "20240115103000.1234@example.com");
  assert_str(ev.conversation_title, "季度报表");
  assert_int_equal(ev.conversation_external, LEVEE_UNKNOWN);
  assert_str(ev.text, "季度报表\n附件是季度报表，请查收。\n张三");
  assert_int_equal(ev.n_attachments, 0);
}

static void test_gbk_base64_and_gb2312_subject(void **state) {
  /* Subject "王镕：内部通知" labelled gb2312 though 镕 is only in GBK; body
   * "秘密★1年\r\n请王镕于周五前提交材料。\r\n" in GBK, base64. */
  static const char msg[] =
      "From: office@example.gov.cn\n"
      "To: wang@example.gov.cn\n"
      "Subject: =?gb2312?B?zfXpRqO6xNqyv82o1qo=?=\n"
      "Date: Tue, 16 Jan 2024 09:00:00 +0800\n"
      "MIME-Version: 1.0\n"
      "Content-Type: text/plain; charset=\"gbk\"\n"
      "Content-Transfer-Encoding: base64\n"
      "\n"
      "w9jD3KHvMcTqDQrH68316UbT2tbczuXHsMzhvbuyxMHPoaMNCg==\n";
  levee_event ev;
  assert_int_equal(parse(msg, &ev), LEVEE_OK);
  assert_str(ev.text, "王镕：内部通知\n秘密★1年\n请王镕于周五前提交材料。");
  assert_str(ev.sender.id, "office@example.gov.cn");
  assert_str(ev.sender.name, NULL);
}

static void test_gb2312_quoted_printable(void **state) {
  /* "会议改到三楼。\r\n内部资料 严禁外传\r\n" in GB2312, quoted-printable. */
  static const char msg[] =
      "From: a@example.com\n"
      "To: b@example.com\n"
      "Subject: notice\n"
      "Content-Type: text/plain; charset=GB2312\n"
      "Content-Transfer-Encoding: quoted-printable\n"
      "\n"
      "=BB=E1=D2=E9=B8=C4=B5=BD=C8=FD=C2=A5=A1=A3\n"
      "=C4=DA=B2=BF=D7=CA=C1=CF =D1=CF=BD=FB=CD=E2=B4=AB\n";
  levee_event ev;
  assert_int_equal(parse(msg, &ev), LEVEE_OK);
  assert_str(ev.text, "notice\n会议改到三楼。\n内部资料 严禁外传");
  assert_int_equal(ev.time_ms, 0);      /* no Date */
  assert_str(ev.conversation_id, NULL); /* no Message-ID, no References */
}

static void test_raw_8bit_gbk_subject(void **state) {
  static const char msg[] = "From: a@example.com\n"
                            "Subject: \xb1\xa8\xbc\xdb\xb5\xa5\n"
                            "\n"
                            "see attached\n";
  levee_event ev;
  assert_int_equal(parse(msg, &ev), LEVEE_OK);
  assert_str(ev.text, "报价单\nsee attached");
  assert_int_equal(ev.n_recipients, 0);
  assert_null(ev.recipients);
}

static void test_alternative_prefers_plain(void **state) {
  static const char msg[] =
      "From: a@example.com\n"
      "To: b@example.com\n"
      "Subject: alt\n"
      "MIME-Version: 1.0\n"
      "Content-Type: multipart/alternative; boundary=\"b1\"\n"
      "\n"
      "--b1\n"
      "Content-Type: text/plain; charset=utf-8\n"
      "\n"
      "这是纯文本版本\n"
      "--b1\n"
      "Content-Type: text/html; charset=gbk\n"
      "Content-Transfer-Encoding: base64\n"
      "\n"
      "PHA+1eLKx0hUTUyw5rG+PC9wPg==\n"
      "--b1--\n";
  levee_event ev;
  assert_int_equal(parse(msg, &ev), LEVEE_OK);
  assert_str(ev.text, "alt\n这是纯文本版本");
  assert_int_equal(ev.n_attachments, 0);
}

static void test_html_only(void **state) {
  static const char msg[] =
      "From: a@example.com\n"
      "To: b@example.com\n"
      "Subject: html\n"
      "Content-Type: multipart/alternative; boundary=\"b2\"\n"
      "\n"
      "--b2\n"
      "Content-Type: text/html; charset=gbk\n"
      "Content-Transfer-Encoding: base64\n"
      "\n"
      "PHA+1eLKx0hUTUyw5rG+PC9wPg==\n"
      "--b2\n"
      "Content-Type: text/html; charset=utf-8\n"
      "\n"
      "<html><head><style>p { color: red; }</style>\n"
      "<script>var x = '<b>';</script></head>\n"
      "<body><!-- hidden --><p>合同&nbsp;金额：&#165;12,000 &amp; 税</p>\n"
      "<div>第二行<br>第三行</div>  a  &lt;b&gt; &#x4e2d; &bogus; 1 < 2"
      "</body></html>\n"
      "--b2--\n";
  levee_event ev;
  assert_int_equal(parse(msg, &ev), LEVEE_OK);
  assert_str(ev.text, "html\n这是HTML版本\n合同\xc2\xa0金额：¥12,000 & 税\n"
                      "第二行\n第三行\na <b> 中 &bogus; 1 < 2");
}

static void test_html_entities_out_of_range(void **state) {
  /* Found by fuzz_email: a numeric reference of many digits overflowed. */
  static const char msg[] = "From: a@example.com\n"
                            "Content-Type: text/html\n"
                            "\n"
                            "a&#x8e2DDDDD;b&#99999999;c&#0;d&#xD800;e"
                            "&#x123456789;\n";
  levee_event ev;
  assert_int_equal(parse(msg, &ev), LEVEE_OK);
  /* Eight digits at most: a longer reference stays as it is. */
  assert_str(ev.text, "a\xef\xbf\xbd"
                      "b\xef\xbf\xbd"
                      "c\xef\xbf\xbd"
                      "d\xef\xbf\xbd"
                      "e&#x123456789;");
}

static void test_attachments(void **state) {
  static const char msg[] =
      "From: \"Sales\" <sales@example.com>\n"
      "To: buyer@example.net\n"
      "Subject: files\n"
      "Content-Type: multipart/mixed; boundary=\"m\"\n"
      "\n"
      "--m\n"
      "Content-Type: text/plain; charset=utf-8\n"
      "\n"
      "见附件\n"
      "--m\n"
      "Content-Type: image/png; name=\"photo.png\"\n"
      "Content-Transfer-Encoding: base64\n"
      "\n"
      "iVBORw0KGgoAAAANSUhEUg==\n"
      "--m\n"
      "Content-Type: application/pdf\n"
      "Content-Disposition: attachment;\n"
      " filename*=UTF-8''%E5%90%88%E5%90%8C.pdf\n"
      "Content-Transfer-Encoding: base64\n"
      "\n"
      "JVBERi0xLjQK\n"
      "--m\n"
      "Content-Type: text/plain; charset=utf-8\n"
      "Content-Disposition: attachment; filename=\"notes.txt\"\n"
      "\n"
      "attached text is not the body\n"
      "--m\n"
      "Content-Type: application/octet-stream\n"
      "\n"
      "xx\n"
      "--m--\n";
  levee_event ev;
  assert_int_equal(parse(msg, &ev), LEVEE_OK);
  assert_str(ev.text, "files\n见附件");
  assert_int_equal(ev.n_attachments, 4);
  assert_str(ev.attachments[0].kind, "image");
  assert_str(ev.attachments[0].name, "photo.png");
  /* Each part's bytes, decoded from base64 (or as they are). */
  assert_int_equal(ev.attachments[0].data.len, 16);
  assert_memory_equal(ev.attachments[0].data.ptr, "\x89PNG\r\n\x1a\n", 8);
  assert_str(ev.attachments[1].kind, "file");
  assert_str(ev.attachments[1].name, "合同.pdf");
  assert_str(ev.attachments[1].data, "%PDF-1.4\n");
  assert_str(ev.attachments[2].kind, "file");
  assert_str(ev.attachments[2].name, "notes.txt");
  assert_str(ev.attachments[2].data, "attached text is not the body");
  assert_str(ev.attachments[3].kind, "file");
  assert_str(ev.attachments[3].name, NULL);
}

static void test_recipients_group_thread(void **state) {
  static const char msg[] =
      "From: Boss <boss@example.com>, other@example.com\n"
      "To: Team: a@example.com, \"B\" <b@example.com>;\n"
      "Cc: c@example.com\n"
      "Bcc: d@example.com\n"
      "Subject: Re: plan\n"
      "Message-ID: <reply-2@example.com>\n"
      "In-Reply-To: <reply-1@example.com>\n"
      "References: <root@example.com> <reply-1@example.com>\n"
      "\n"
      "ok\n";
  levee_event ev;
  assert_int_equal(parse(msg, &ev), LEVEE_OK);
  assert_str(ev.sender.id, "boss@example.com");
  assert_str(ev.sender.name, "Boss");
  assert_int_equal(ev.n_recipients, 4);
  assert_str(ev.recipients[0].id, "a@example.com");
  assert_str(ev.recipients[1].id, "b@example.com");
  assert_str(ev.recipients[1].name, "B");
  assert_str(ev.recipients[2].id, "c@example.com");
  assert_str(ev.recipients[3].id, "d@example.com");
  assert_str(ev.conversation_type, "group");
  assert_str(ev.conversation_id, "root@example.com");
  assert_str(ev.text, "Re: plan\nok");
}

/* A message of parts around a large body: head, then body_len bytes of
 * fill, then tail. Returns a malloc'd NUL-terminated message. */
static char *with_big_part(const char *head, size_t body_len,
                           const char *tail) {
  size_t h = strlen(head), t = strlen(tail);
  char *m = malloc(h + body_len + t + 1);
  assert_non_null(m);
  memcpy(m, head, h);
  for (size_t i = 0; i < body_len; i++)
    m[h + i] = (i % 64 == 63) ? '\n' : 'x';
  memcpy(m + h + body_len, tail, t + 1);
  return m;
}

static void test_big_html_beside_plain(void **state) {
  /* 5 MB of HTML is more text than an event may carry, but with a plain
   * version it is never used; without one, the message is too big. */
  size_t big = (size_t)LV_MAX_TEXT_BYTES + (1u << 20);
  char *alt = with_big_part(
      "From: a@example.com\nSubject: news\n"
      "Content-Type: multipart/alternative; boundary=q\n\n"
      "--q\nContent-Type: text/html; charset=utf-8\n\n<p>",
      big,
      "</p>\n--q\nContent-Type: text/plain; charset=utf-8\n\nshort\n"
      "--q--\n");
  levee_event ev;
  assert_int_equal(parse(alt, &ev), LEVEE_OK);
  assert_str(ev.text, "news\nshort");
  free(alt);
  char *html = with_big_part("From: a@example.com\nSubject: news\n"
                             "Content-Type: text/html; charset=utf-8\n\n",
                             big, "\n");
  assert_int_equal(parse(html, &ev), LEVEE_ETOOBIG);
  assert_string_equal(err.message, "email: text over 4194304 bytes");
  free(html);
  char *plain = with_big_part("From: a@example.com\n\n", big, "\n");
  assert_int_equal(parse(plain, &ev), LEVEE_ETOOBIG);
  free(plain);
}

static void test_forwarded_message(void **state) {
  static const char msg[] = "From: a@example.com\n"
                            "To: b@example.com\n"
                            "Subject: Fwd: 工资表\n"
                            "Content-Type: multipart/mixed; boundary=\"f\"\n"
                            "\n"
                            "--f\n"
                            "Content-Type: text/plain; charset=utf-8\n"
                            "\n"
                            "转给你看看\n"
                            "--f\n"
                            "Content-Type: message/rfc822\n"
                            "\n"
                            "From: hr@example.com\n"
                            "Subject: =?UTF-8?B?5a2j5bqm5oql6KGo?=\n"
                            "Content-Type: text/plain; charset=utf-8\n"
                            "\n"
                            "内部资料 严禁外传\n"
                            "--f--\n";
  levee_event ev;
  assert_int_equal(parse(msg, &ev), LEVEE_OK);
  assert_str(ev.text, "Fwd: 工资表\n转给你看看\n季度报表\n内部资料 严禁外传");
  assert_int_equal(ev.n_attachments, 0);
}

static void test_id_fallback(void **state) {
  static const char with_mid[] = "From: a@example.com\n"
                                 "Message-ID: <m-1@example.com>\n"
                                 "\n"
                                 "x\n";
  levee_event ev;
  assert_int_equal(parse_id(with_mid, NO_ID, &ev), LEVEE_OK);
  assert_str(ev.id, "m-1@example.com");
  assert_str(ev.text, "x"); /* no Subject: body only */
  static const char without[] = "From: a@example.com\n\nx\n";
  assert_int_equal(parse_id(without, NO_ID, &ev), LEVEE_EMISSING);
  assert_string_equal(err.message,
                      "email: no id given and no Message-ID header");
}

static void test_bounds(void **state) {
  levee_event ev;
  memset(&ev, 0x5A, sizeof ev);
  lv_arena_reset(&arena);
  assert_int_equal(lv_event_from_email("", 0, FILE_ID, &arena, &ev, &err),
                   LEVEE_ESYNTAX);
  assert_int_equal(ev.time_ms, 0x5A5A5A5A5A5A5A5ALL); /* untouched */

  /* More parts than LV_MAX_MIME_PARTS. */
  size_t cap = 64 * 1024;
  char *msg = malloc(cap);
  assert_non_null(msg);
  size_t o = (size_t)snprintf(msg, cap,
                              "From: a@example.com\nSubject: many\n"
                              "Content-Type: multipart/mixed; boundary=z\n\n");
  for (int i = 0; i < LV_MAX_MIME_PARTS + 1; i++)
    o += (size_t)snprintf(msg + o, cap - o,
                          "--z\nContent-Type: text/plain\n\n%d\n", i);
  o += (size_t)snprintf(msg + o, cap - o, "--z--\n");
  assert_int_equal(lv_event_from_email(msg, o, FILE_ID, &arena, &ev, &err),
                   LEVEE_ETOOBIG);
  assert_string_equal(err.message, "email: more than 512 MIME parts");

  /* Deep nesting of multiparts. */
  o = (size_t)snprintf(msg, cap, "From: a@example.com\n");
  for (int i = 0; i < LV_MAX_MIME_DEPTH + 2; i++)
    o += (size_t)snprintf(msg + o, cap - o,
                          "Content-Type: multipart/mixed; boundary=d%d\n\n"
                          "--d%d\n",
                          i, i);
  o += (size_t)snprintf(msg + o, cap - o, "Content-Type: text/plain\n\nx\n");
  assert_int_equal(lv_event_from_email(msg, o, FILE_ID, &arena, &ev, &err),
                   LEVEE_ETOOBIG);
  assert_string_equal(err.message, "email: MIME parts nested deeper than 32");
  free(msg);

  /* Over LV_MAX_EMAIL_BYTES: refused before parsing. */
  size_t big = (size_t)LV_MAX_EMAIL_BYTES + 1;
  char *huge = calloc(1, big);
  assert_non_null(huge);
  assert_int_equal(lv_event_from_email(huge, big, FILE_ID, &arena, &ev, &err),
                   LEVEE_ETOOBIG);
  free(huge);
}

/* Reads a file of the repository (tests run from its root). */
static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  char *buf = malloc(1 << 20);
  assert_non_null(buf);
  *len = fread(buf, 1, 1 << 20, f);
  fclose(f);
  return buf;
}

static void test_demo_notice(void **state) {
  size_t len;
  char *msg = slurp("demo/notice.eml", &len);
  levee_event ev;
  lv_arena_reset(&arena);
  assert_int_equal(lv_event_from_email(msg, len, FILE_ID, &arena, &ev, &err),
                   LEVEE_OK);
  assert_str(
      ev.text,
      "关于开展年度保密检查的通知\n"
      "秘密★1年\n"
      "\n"
      "各科室：\n"
      "    根据年度工作安排，定于下月上旬开展保密自查。请各科室于本月25日前\n"
      "完成涉密载体清点，填写附表后报办公室。\n"
      "    本通知仅限内部传阅，不得通过互联网邮箱转发。\n"
      "\n"
      "示例单位办公室");
  assert_str(ev.sender.id, "office@example.gov.cn");
  assert_str(ev.sender.name, "办公室");
  assert_int_equal(ev.n_recipients, 2);
  assert_str(ev.conversation_type, "group");
  assert_int_equal(ev.time_ms, 1718586900000LL);
  free(msg);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_utf8_plain),
      cmocka_unit_test(test_gbk_base64_and_gb2312_subject),
      cmocka_unit_test(test_gb2312_quoted_printable),
      cmocka_unit_test(test_raw_8bit_gbk_subject),
      cmocka_unit_test(test_alternative_prefers_plain),
      cmocka_unit_test(test_html_only),
      cmocka_unit_test(test_html_entities_out_of_range),
      cmocka_unit_test(test_attachments),
      cmocka_unit_test(test_recipients_group_thread),
      cmocka_unit_test(test_forwarded_message),
      cmocka_unit_test(test_big_html_beside_plain),
      cmocka_unit_test(test_id_fallback),
      cmocka_unit_test(test_bounds),
      cmocka_unit_test(test_demo_notice),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
