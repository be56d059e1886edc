/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_wecom.c: WeCom chat-archive records to events
 * (src/ingest/event_wecom.c). Records follow the published message format
 * (会话内容存档 消息格式); ids and contents are invented.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ingest/event_wecom.h"
#include "util/limits.h"

#define EXT_A "wmJSb5CgAA4aWXWndJspQGpJMDbsMwMA" /* an external contact */
#define EXT_B "woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA"

static lv_arena arena;
static lv_json_doc doc;
static levee_error err;

static int setup(void **state) {
  lv_arena_init(&arena, LV_MAX_ARENA_BYTES);
  lv_json_doc_init(&doc);
  return 0;
}

static int teardown(void **state) {
  lv_json_doc_cleanup(&doc);
  lv_arena_cleanup(&arena);
  return 0;
}

static int parse(const char *rec, levee_event *ev) {
  lv_arena_reset(&arena);
  memset(&err, 0, sizeof err);
  memset(ev, 0, sizeof *ev);
  int rc = lv_event_from_wecom(&doc, rec, strlen(rec), &arena, ev, &err);
  if (rc)
    fprintf(stderr, "rc %d: %s\n", rc, err.message);
  return rc;
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

static void test_text_direct_external(void **state) {
  levee_event ev;
  assert_int_equal(
      parse("{\"msgid\":\"5702551662099334532_1619511584_external\","
            "\"action\":\"send\",\"from\":\"zhangli\",\"tolist\":[\"" EXT_A
            "\"],\"roomid\":\"\",\"msgtime\":1700000000123,"
            "\"msgtype\":\"text\",\"text\":{\"content\":\"您好，这个疗程"
            "可以直接转我微信，比店里便宜\"}}",
            &ev),
      LEVEE_OK);
  assert_str(ev.id, "5702551662099334532_1619511584_external");
  assert_int_equal(ev.time_ms, 1700000000123LL);
  assert_str(ev.channel, "wecom");
  assert_str(ev.conversation_type, "direct");
  assert_str(ev.conversation_id, EXT_A "|zhangli");
  assert_int_equal(ev.conversation_external, LEVEE_TRUE);
  assert_str(ev.sender.id, "zhangli");
  assert_str(ev.sender.role, "staff");
  assert_int_equal(ev.n_recipients, 1);
  assert_str(ev.recipients[0].id, EXT_A);
  assert_str(ev.recipients[0].role, "customer");
  assert_str(ev.text, "您好，这个疗程可以直接转我微信，比店里便宜");
  assert_int_equal(ev.n_attachments, 0);
  assert_null(ev.attachments);
}

static void test_direct_id_is_symmetric(void **state) {
  levee_event a, b;
  assert_int_equal(
      parse("{\"msgid\":\"m1\",\"action\":\"send\",\"from\":\"" EXT_B
            "\",\"tolist\":[\"wangfang\"],\"roomid\":\"\",\"msgtime\":1,"
            "\"msgtype\":\"text\",\"text\":{\"content\":\"在吗\"}}",
            &a),
      LEVEE_OK);
  char id[128];
  snprintf(id, sizeof id, "%.*s", (int)a.conversation_id.len,
           a.conversation_id.ptr);
  assert_string_equal(id, "wangfang|" EXT_B);
  assert_str(a.sender.role, "customer");
  assert_int_equal(
      parse("{\"msgid\":\"m2\",\"action\":\"send\",\"from\":\"wangfang\","
            "\"tolist\":[\"" EXT_B "\"],\"roomid\":\"\",\"msgtime\":2,"
            "\"msgtype\":\"text\",\"text\":{\"content\":\"在的\"}}",
            &b),
      LEVEE_OK);
  assert_str(b.conversation_id, id);
}

static void test_group_internal(void **state) {
  levee_event ev;
  assert_int_equal(
      parse("{\"msgid\":\"CAQQluDa4QUY0On2rYSAgAMgzPrShAE=\","
            "\"action\":\"send\",\"from\":\"XuJinSheng\",\"tolist\":"
            "[\"icefog\",\"lisi\"],\"roomid\":\"wrjc7bDwYAAAbJnMqCdYhrPKkq"
            "Wqjxcg\",\"msgtime\":1547087894783,\"msgtype\":\"text\","
            "\"text\":{\"content\":\"下午三点开会\\n带上报表\"}}",
            &ev),
      LEVEE_OK);
  assert_str(ev.conversation_type, "group");
  assert_str(ev.conversation_id, "wrjc7bDwYAAAbJnMqCdYhrPKkqWqjxcg");
  assert_int_equal(ev.conversation_external, LEVEE_FALSE);
  assert_int_equal(ev.n_recipients, 2);
  assert_str(ev.recipients[0].id, "icefog");
  assert_str(ev.recipients[1].id, "lisi");
  assert_str(ev.recipients[1].role, "staff");
  /* Escaped text is unescaped. */
  assert_str(ev.text, "下午三点开会\n带上报表");
}

static void test_group_with_external_member(void **state) {
  levee_event ev;
  assert_int_equal(
      parse("{\"msgid\":\"g2\",\"action\":\"send\",\"from\":\"zhangli\","
            "\"tolist\":[\"lisi\",\"" EXT_B "\",\"wbXx9aBAAAm2\"],"
            "\"roomid\":\"wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA\",\"msgtime\":5,"
            "\"msgtype\":\"text\",\"text\":{\"content\":\"\\u4f60\\u597d\"}}",
            &ev),
      LEVEE_OK);
  assert_int_equal(ev.conversation_external, LEVEE_TRUE);
  assert_str(ev.recipients[2].role, "bot");
  assert_str(ev.text, "你好");
}

static void test_image(void **state) {
  levee_event ev;
  assert_int_equal(
      parse("{\"msgid\":\"img1\",\"action\":\"send\",\"from\":\"zhangli\","
            "\"tolist\":[\"lisi\"],\"roomid\":\"\",\"msgtime\":1700000000000,"
            "\"msgtype\":\"image\",\"image\":{\"md5sum\":"
            "\"50de8e5ae8ffe4f1df7a93841f71993a\",\"filesize\":70961,"
            "\"sdkfileid\":\"CtYBMzA2OTAyMDEwMjA0NjIzMDYwMDIwMTAwMDIwNGJi\"}}",
            &ev),
      LEVEE_OK);
  assert_str(ev.text, NULL);
  assert_int_equal(ev.n_attachments, 1);
  assert_str(ev.attachments[0].kind, "image");
  assert_str(ev.attachments[0].name, NULL);
  assert_str(ev.attachments[0].md5, "50de8e5ae8ffe4f1df7a93841f71993a");
  assert_str(ev.attachments[0].data, NULL);
}

static void test_file(void **state) {
  levee_event ev;
  assert_int_equal(
      parse("{\"msgid\":\"f1\",\"action\":\"send\",\"from\":\"zhangli\","
            "\"tolist\":[\"" EXT_A "\"],\"roomid\":\"\",\"msgtime\":7,"
            "\"msgtype\":\"file\",\"file\":{\"md5sum\":"
            "\"18e93fc2ea884df23b3b2d3b8667b9f0\",\"filename\":"
            "\"2024年客户名单.xlsx\",\"fileext\":\"xlsx\",\"filesize\":"
            "18371,\"sdkfileid\":\"EtQBMzA2OTAyMDEwMjA0NjIz\"}}",
            &ev),
      LEVEE_OK);
  assert_str(ev.text, "2024年客户名单.xlsx");
  assert_int_equal(ev.n_attachments, 1);
  assert_str(ev.attachments[0].kind, "file");
  assert_str(ev.attachments[0].name, "2024年客户名单.xlsx");
  assert_str(ev.attachments[0].md5, "18e93fc2ea884df23b3b2d3b8667b9f0");
}

static void test_voice_video_emotion(void **state) {
  levee_event ev;
  assert_int_equal(
      parse("{\"msgid\":\"v1\",\"action\":\"send\",\"from\":\"a\","
            "\"tolist\":[\"b\"],\"roomid\":\"\",\"msgtime\":7,"
            "\"msgtype\":\"voice\",\"voice\":{\"md5sum\":\"9db09c7fa627c9e5"
            "3f17736c786a74d5\",\"voice_size\":6810,\"play_length\":10,"
            "\"sdkfileid\":\"kcyZjZqOXhETGYxajB2Zkp\"}}",
            &ev),
      LEVEE_OK);
  assert_str(ev.attachments[0].kind, "file");
  assert_str(ev.attachments[0].md5, "9db09c7fa627c9e53f17736c786a74d5");
  assert_int_equal(
      parse("{\"msgid\":\"e1\",\"action\":\"send\",\"from\":\"a\","
            "\"tolist\":[\"b\"],\"roomid\":\"\",\"msgtime\":7,"
            "\"msgtype\":\"emotion\",\"emotion\":{\"type\":1,\"width\":290,"
            "\"height\":290,\"imagesize\":962,\"md5sum\":\"b178de3b1d11fd1d"
            "8d8a8f5d1c4e1f2a\",\"sdkfileid\":\"Cs4BMzA2\"}}",
            &ev),
      LEVEE_OK);
  assert_str(ev.attachments[0].kind, "image");
  assert_str(ev.text, NULL);
}

static void test_link_weapp_location_card(void **state) {
  levee_event ev;
  assert_int_equal(
      parse("{\"msgid\":\"l1\",\"action\":\"send\",\"from\":\"a\","
            "\"tolist\":[\"b\"],\"roomid\":\"\",\"msgtime\":7,"
            "\"msgtype\":\"link\",\"link\":{\"title\":\"会员价目表\","
            "\"description\":\"私人渠道优惠\",\"link_url\":"
            "\"https://pay.example.cn/p?id=1\",\"image_url\":"
            "\"https://img.example.cn/1.png\"}}",
            &ev),
      LEVEE_OK);
  assert_str(ev.text,
             "会员价目表\n私人渠道优惠\nhttps://pay.example.cn/p?id=1");
  assert_int_equal(
      parse("{\"msgid\":\"w1\",\"action\":\"send\",\"from\":\"a\","
            "\"tolist\":[\"b\"],\"roomid\":\"\",\"msgtime\":7,"
            "\"msgtype\":\"weapp\",\"weapp\":{\"title\":\"预约到店\","
            "\"description\":\"填写手机号\",\"username\":\"gh_0f3c2\","
            "\"displayname\":\"美丽约\"}}",
            &ev),
      LEVEE_OK);
  assert_str(ev.text, "预约到店\n填写手机号\n美丽约");
  assert_int_equal(
      parse("{\"msgid\":\"p1\",\"action\":\"send\",\"from\":\"a\","
            "\"tolist\":[\"b\"],\"roomid\":\"\",\"msgtime\":7,"
            "\"msgtype\":\"location\",\"location\":{\"longitude\":113.3,"
            "\"latitude\":23.1,\"address\":\"广东省广州市天河区体育西路\","
            "\"title\":\"某咖啡馆\",\"zoom\":15}}",
            &ev),
      LEVEE_OK);
  assert_str(ev.text, "某咖啡馆\n广东省广州市天河区体育西路");
  assert_int_equal(
      parse("{\"msgid\":\"c1\",\"action\":\"send\",\"from\":\"a\","
            "\"tolist\":[\"b\"],\"roomid\":\"\",\"msgtime\":7,"
            "\"msgtype\":\"card\",\"card\":{\"corpname\":\"某某美容有限公司\","
            "\"userid\":\"zhangli\"}}",
            &ev),
      LEVEE_OK);
  assert_str(ev.text, "某某美容有限公司");
}

static void test_markdown_news_docmsg_under_other_keys(void **state) {
  levee_event ev;
  assert_int_equal(
      parse("{\"msgid\":\"md\",\"action\":\"send\",\"from\":\"wbA1\","
            "\"tolist\":[\"a\"],\"roomid\":\"wr1\",\"msgtime\":7,"
            "\"msgtype\":\"markdown\",\"info\":{\"content\":\"**本周业绩**\"}}",
            &ev),
      LEVEE_OK);
  assert_str(ev.text, "**本周业绩**");
  assert_str(ev.sender.role, "bot");
  assert_int_equal(
      parse("{\"msgid\":\"nw\",\"action\":\"send\",\"from\":\"wbA1\","
            "\"tolist\":[\"a\"],\"roomid\":\"wr1\",\"msgtime\":7,"
            "\"msgtype\":\"news\",\"info\":{\"item\":[{\"title\":\"新品上市\","
            "\"description\":\"限时五折\",\"url\":\"https://e.example.cn/a\","
            "\"picurl\":\"https://e.example.cn/a.png\"},{\"title\":\"第二条\"}"
            "]}}",
            &ev),
      LEVEE_OK);
  assert_str(ev.text, "新品上市\n限时五折\nhttps://e.example.cn/a\n第二条");
  assert_int_equal(
      parse("{\"msgid\":\"dm\",\"action\":\"send\",\"from\":\"a\","
            "\"tolist\":[\"b\"],\"roomid\":\"\",\"msgtime\":7,"
            "\"msgtype\":\"docmsg\",\"doc\":{\"title\":\"客户资料汇总\","
            "\"doc_creator\":\"a\",\"link_url\":"
            "\"https://doc.weixin.qq.com/txdoc/excel?docid=x\"}}",
            &ev),
      LEVEE_OK);
  assert_str(ev.text,
             "客户资料汇总\nhttps://doc.weixin.qq.com/txdoc/excel?docid=x");
}

static void test_vote_meeting_todo(void **state) {
  levee_event ev;
  assert_int_equal(
      parse("{\"msgid\":\"vt\",\"action\":\"send\",\"from\":\"a\","
            "\"tolist\":[\"b\"],\"roomid\":\"wr1\",\"msgtime\":7,"
            "\"msgtype\":\"vote\",\"votetitle\":\"团建地点\",\"voteitem\":"
            "[\"爬山\",\"露营\"],\"votetype\":101,\"voteid\":\"2037\"}",
            &ev),
      LEVEE_OK);
  assert_str(ev.text, "团建地点\n爬山\n露营");
  assert_int_equal(
      parse("{\"msgid\":\"mt\",\"action\":\"send\",\"from\":\"a\","
            "\"tolist\":[\"b\"],\"roomid\":\"wr1\",\"msgtime\":7,"
            "\"msgtype\":\"meeting\",\"meeting\":{\"topic\":\"季度复盘\","
            "\"starttime\":1600000000,\"endtime\":1600003600,\"address\":"
            "\"三楼会议室\",\"remarks\":\"带电脑\",\"meetingtype\":101}}",
            &ev),
      LEVEE_OK);
  assert_str(ev.text, "季度复盘\n三楼会议室\n带电脑");
  assert_int_equal(
      parse("{\"msgid\":\"td\",\"action\":\"send\",\"from\":\"a\","
            "\"tolist\":[\"b\"],\"roomid\":\"wr1\",\"msgtime\":7,"
            "\"msgtype\":\"todo\",\"todo\":{\"title\":\"测试待办\","
            "\"content\":\"整理客户回访表\"}}",
            &ev),
      LEVEE_OK);
  assert_str(ev.text, "测试待办\n整理客户回访表");
}

static void test_mixed(void **state) {
  levee_event ev;
  assert_int_equal(
      parse("{\"msgid\":\"DAQQluDa4QUY0On4kYSABAMgzPrShAE=\",\"action\":"
            "\"send\",\"from\":\"HeMiao\",\"tolist\":[\"HeChangTian\","
            "\"LiuZeYu\"],\"roomid\":\"wr_tZ2BwAAUwHpYMwy9cIWqnlU3Hzqfg\","
            "\"msgtime\":1577414359072,\"msgtype\":\"mixed\",\"mixed\":{"
            "\"item\":[{\"type\":\"text\",\"content\":\"{\\\"content\\\":"
            "\\\"你好[微笑]\\\\n\\\"}\"},{\"type\":\"image\",\"content\":"
            "\"{\\\"md5sum\\\":\\\"368b6c18c82e6441bfd89b343e9d2429\\\","
            "\\\"filesize\\\":13177,\\\"sdkfileid\\\":\\\"CtYBMzA2OTAy\\\"}\"},"
            "{\"type\":\"text\",\"content\":\"{\\\"content\\\":\\\"看图\\\"}\"}"
            "]}}",
            &ev),
      LEVEE_OK);
  assert_str(ev.text, "你好[微笑]\n\n看图");
  assert_int_equal(ev.n_attachments, 1);
  assert_str(ev.attachments[0].kind, "image");
  assert_str(ev.attachments[0].md5, "368b6c18c82e6441bfd89b343e9d2429");
}

static void test_mixed_plain_and_object_content(void **state) {
  /* Re-serialised records: content as plain text or as an object. */
  levee_event ev;
  assert_int_equal(
      parse("{\"msgid\":\"mx\",\"action\":\"send\",\"from\":\"a\","
            "\"tolist\":[\"b\"],\"roomid\":\"\",\"msgtime\":7,"
            "\"msgtype\":\"mixed\",\"mixed\":{\"item\":[{\"type\":\"text\","
            "\"content\":\"纯文本\"},{\"type\":\"image\",\"content\":"
            "{\"md5sum\":\"aa\"}}]}}",
            &ev),
      LEVEE_OK);
  assert_str(ev.text, "纯文本");
  assert_str(ev.attachments[0].md5, "aa");
}

static void test_chatrecord_nested(void **state) {
  /* A forwarded chat record holding text, a file, a mixed message and a
   * chat record of its own (content is JSON in a string at every level). */
  levee_event ev;
  assert_int_equal(
      parse("{\"msgid\":\"11354299838102555191_1603875658\",\"action\":"
            "\"send\",\"from\":\"ken\",\"tolist\":[\"icef\"],\"roomid\":\"\","
            "\"msgtime\":1603875657905,\"msgtype\":\"chatrecord\","
            "\"chatrecord\":{\"title\":\"群聊的聊天记录\",\"item\":["
            "{\"type\":\"ChatRecordText\",\"msgtime\":1603875610,"
            "\"content\":\"{\\\"content\\\":\\\"机密★文件别外传\\\"}\","
            "\"from_chatroom\":true},"
            "{\"type\":\"ChatRecordFile\",\"msgtime\":1603875620,"
            "\"content\":\"{\\\"filename\\\":\\\"报价.pdf\\\",\\\"md5sum\\\":"
            "\\\"0f1e\\\"}\",\"from_chatroom\":true},"
            "{\"type\":\"ChatRecordMixed\",\"msgtime\":1603875630,"
            "\"content\":\"{\\\"item\\\":[{\\\"type\\\":\\\"text\\\","
            "\\\"content\\\":\\\"{\\\\\\\"content\\\\\\\":\\\\\\\"混合里的字"
            "\\\\\\\"}\\\"}]}\",\"from_chatroom\":false},"
            "{\"type\":\"ChatRecordChatRecord\",\"msgtime\":1603875640,"
            "\"content\":\"{\\\"title\\\":\\\"内层记录\\\",\\\"item\\\":[{"
            "\\\"type\\\":\\\"ChatRecordText\\\",\\\"content\\\":\\\"{"
            "\\\\\\\"content\\\\\\\":\\\\\\\"最里层\\\\\\\"}\\\"}]}\","
            "\"from_chatroom\":false}]}}",
            &ev),
      LEVEE_OK);
  assert_str(ev.text, "群聊的聊天记录\n机密★文件别外传\n报价.pdf\n混合里的字\n"
                      "内层记录\n最里层");
  assert_int_equal(ev.n_attachments, 1);
  assert_str(ev.attachments[0].name, "报价.pdf");
  assert_str(ev.attachments[0].md5, "0f1e");
}

/* JSON-escapes s (quotes and backslashes) into a new malloc'd string. */
static char *json_escape(const char *s) {
  size_t n = strlen(s);
  char *o = malloc(2 * n + 1), *p = o;
  assert_non_null(o);
  for (; *s; s++) {
    if (*s == '"' || *s == '\\')
      *p++ = '\\';
    *p++ = *s;
  }
  *p = '\0';
  return o;
}

/* A chatrecord whose innermost text sits levels JSON-in-string levels down. */
static char *nested_record(int levels) {
  char *content = strdup("{\"content\":\"深处\"}");
  for (int i = 1; i < levels; i++) {
    char *esc = json_escape(content);
    size_t n = strlen(esc) + 128;
    char *next = malloc(n);
    snprintf(
        next, n,
        "{\"title\":\"t\",\"item\":[{\"type\":\"%s\",\"content\":\"%s\"}]}",
        i == 1 ? "ChatRecordText" : "ChatRecordChatRecord", esc);
    free(esc);
    free(content);
    content = next;
  }
  char *esc = json_escape(content);
  size_t n = strlen(esc) + 256;
  char *rec = malloc(n);
  snprintf(rec, n,
           "{\"msgid\":\"deep\",\"action\":\"send\",\"from\":\"a\","
           "\"tolist\":[\"b\"],\"roomid\":\"\",\"msgtime\":7,\"msgtype\":"
           "\"chatrecord\",\"chatrecord\":{\"item\":[{\"type\":\"%s\","
           "\"content\":\"%s\"}]}}",
           levels == 1 ? "ChatRecordText" : "ChatRecordChatRecord", esc);
  free(esc);
  free(content);
  return rec;
}

static void test_nesting_bound(void **state) {
  levee_event ev;
  char *ok = nested_record(LV_MAX_WECOM_NESTING);
  assert_int_equal(parse(ok, &ev), LEVEE_OK);
  assert_str(ev.text, "t\nt\nt\nt\nt\nt\nt\n深处");
  free(ok);
  char *deep = nested_record(LV_MAX_WECOM_NESTING + 1);
  assert_int_equal(parse(deep, &ev), LEVEE_ETOOBIG);
  assert_string_equal(err.message, "wecom: chat records nested deeper than 8");
  free(deep);
}

static void test_recall(void **state) {
  levee_event ev;
  assert_int_equal(
      parse("{\"msgid\":\"15775510700152506326_1603875615\",\"action\":"
            "\"recall\",\"from\":\"kenshawtan\",\"tolist\":[\"wmUu0zBgAALV7Z"
            "ymkcMyxvtTR4IHGJdb\"],\"roomid\":\"\",\"msgtime\":1603875615510,"
            "\"msgtype\":\"revoke\",\"revoke\":{\"pre_msgid\":"
            "\"14822339130656386894_1603875600\"}}",
            &ev),
      LEVEE_OK);
  assert_str(ev.id, "15775510700152506326_1603875615");
  assert_int_equal(ev.time_ms, 1603875615510LL);
  assert_str(ev.text, NULL);
  assert_int_equal(ev.conversation_external, LEVEE_TRUE);
  assert_str(ev.sender.id, "kenshawtan");
  assert_int_equal(ev.n_recipients, 1);
}

static void test_switch(void **state) {
  levee_event ev;
  assert_int_equal(parse("{\"msgid\":\"125289002219525886280\",\"action\":"
                         "\"switch\",\"time\":1554119421840,\"user\":"
                         "\"XuJinSheng\"}",
                         &ev),
                   LEVEE_OK);
  assert_str(ev.id, "125289002219525886280");
  assert_int_equal(ev.time_ms, 1554119421840LL);
  assert_str(ev.channel, "wecom");
  assert_str(ev.sender.id, "XuJinSheng");
  assert_str(ev.text, NULL);
  assert_str(ev.conversation_type, NULL);
  assert_int_equal(ev.conversation_external, LEVEE_UNKNOWN);
}

static void test_external_by_msgid_suffix(void **state) {
  levee_event ev;
  assert_int_equal(
      parse("{\"msgid\":\"1_2_external\",\"action\":\"send\",\"from\":"
            "\"zhangsan\",\"tolist\":[\"lisi\"],\"roomid\":\"\",\"msgtime\":1,"
            "\"msgtype\":\"text\",\"text\":{\"content\":\"x\"}}",
            &ev),
      LEVEE_OK);
  assert_int_equal(ev.conversation_external, LEVEE_TRUE);
  assert_str(ev.sender.role, "staff");
}

static void test_unknown_msgtype(void **state) {
  levee_event ev;
  assert_int_equal(
      parse("{\"msgid\":\"u1\",\"action\":\"send\",\"from\":\"a\","
            "\"tolist\":[\"b\"],\"roomid\":\"\",\"msgtime\":1,\"msgtype\":"
            "\"future_type\",\"future_type\":{\"title\":\"新类型\","
            "\"value\":3}}",
            &ev),
      LEVEE_OK);
  assert_str(ev.text, "新类型");
}

static void expect_error(const char *rec, int rc, const char *msg) {
  levee_event ev;
  memset(&ev, 0x5A, sizeof ev);
  lv_arena_reset(&arena);
  memset(&err, 0, sizeof err);
  assert_int_equal(
      lv_event_from_wecom(&doc, rec, strlen(rec), &arena, &ev, &err), rc);
  assert_string_equal(err.message, msg);
  assert_int_equal(ev.time_ms, 0x5A5A5A5A5A5A5A5ALL); /* untouched */
}

static void test_errors(void **state) {
  expect_error("{\"action\":\"send\",\"msgtime\":1}", LEVEE_EMISSING,
               "wecom: record has no msgid");
  expect_error("{\"msgid\":\"\",\"msgtime\":1}", LEVEE_EMISSING,
               "wecom: record has no msgid");
  expect_error("{\"msgid\":\"x\",\"action\":\"send\",\"from\":\"a\"}",
               LEVEE_EMISSING, "wecom: record has no msgtime");
  expect_error("{\"msgid\":\"x\",\"msgtime\":null}", LEVEE_EMISSING,
               "wecom: record has no msgtime");
  expect_error("{\"msgid\":\"x\",\"action\":\"switch\",\"user\":\"a\"}",
               LEVEE_EMISSING, "wecom: record has no msgtime");
  expect_error("{\"msgid\":12,\"msgtime\":1}", LEVEE_ESYNTAX,
               "wecom: msgid: expected a string");
  expect_error("{\"msgid\":\"x\",\"msgtime\":\"1700000000000\"}", LEVEE_ESYNTAX,
               "wecom: msgtime: expected an integer (epoch milliseconds)");
  expect_error("{\"msgid\":\"x\",\"msgtime\":1.5}", LEVEE_ESYNTAX,
               "wecom: msgtime: expected an integer (epoch milliseconds)");
  expect_error("{\"msgid\":\"x\",\"msgtime\":1,\"tolist\":\"lisi\"}",
               LEVEE_ESYNTAX, "wecom: tolist: expected an array");
  expect_error("{\"msgid\":\"x\",\"msgtime\":1,\"tolist\":[1]}", LEVEE_ESYNTAX,
               "wecom: tolist: expected a string");
  expect_error("{\"msgid\":\"x\",\"msgtime\":1,\"msgtype\":\"text\","
               "\"text\":\"hello\"}",
               LEVEE_ESYNTAX, "wecom: text: expected an object");
  expect_error("{\"msgid\":\"x\",\"msgtime\":1,\"msgtype\":\"text\","
               "\"text\":{\"content\":5}}",
               LEVEE_ESYNTAX, "wecom: content: expected a string");
  expect_error("{\"msgid\":\"x\",\"msgtime\":1,\"msgtype\":\"mixed\","
               "\"mixed\":{\"item\":{}}}",
               LEVEE_ESYNTAX, "wecom: item: expected an array");
  expect_error("[1,2]", LEVEE_ESYNTAX, "wecom: record is not a JSON object");
  expect_error("{\"msgid\":", LEVEE_ESYNTAX, "invalid JSON: unexpected end");
}

static void test_attachment_and_recipient_caps(void **state) {
  /* 70 images in one mixed message, 1100 recipients. */
  size_t cap = 200000;
  char *rec = malloc(cap);
  assert_non_null(rec);
  size_t o = (size_t)snprintf(rec, cap,
                              "{\"msgid\":\"big\",\"action\":\"send\","
                              "\"from\":\"a\",\"roomid\":\"wr1\","
                              "\"msgtime\":1,\"tolist\":[");
  for (int i = 0; i < 1100; i++)
    o += (size_t)snprintf(rec + o, cap - o, "%s\"u%d\"", i ? "," : "", i);
  o += (size_t)snprintf(rec + o, cap - o,
                        "],\"msgtype\":\"mixed\",\"mixed\":{\"item\":[");
  for (int i = 0; i < 70; i++)
    o += (size_t)snprintf(rec + o, cap - o,
                          "%s{\"type\":\"image\",\"content\":"
                          "\"{\\\"md5sum\\\":\\\"%d\\\"}\"}",
                          i ? "," : "", i);
  snprintf(rec + o, cap - o, "]}}");
  levee_event ev;
  assert_int_equal(parse(rec, &ev), LEVEE_OK);
  assert_int_equal(ev.n_recipients, LV_MAX_RECIPIENTS);
  assert_str(ev.recipients[LV_MAX_RECIPIENTS - 1].id, "u1023");
  assert_int_equal(ev.n_attachments, LV_MAX_ATTACHMENTS);
  assert_str(ev.attachments[63].md5, "63");
  free(rec);
}

/* demo/wecom.json: every line maps; the order-diversion (飞单) message and
 * the team group message come out as the demo means them. */
static void test_demo_file(void **state) {
  FILE *f = fopen("demo/wecom.json", "rb");
  assert_non_null(f);
  char line[4096];
  int n = 0;
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = '\0';
    levee_event ev;
    assert_int_equal(parse(line, &ev), LEVEE_OK);
    n++;
    if (n == 2) {
      assert_str(ev.text, "店里标价3980。你别在店里下单，加我私人微信，直接转我"
                          "个人账户2680就行，我私下给你做，别跟店长说哈");
      assert_str(ev.sender.role, "staff");
      assert_str(ev.recipients[0].role, "customer");
      assert_str(ev.conversation_type, "direct");
      assert_str(ev.conversation_id,
                 "LiXiaoMei|wmK2x9CgAAbC7dPqRzYw3uVnT5eHfJ8A");
      assert_int_equal(ev.conversation_external, LEVEE_TRUE);
    }
    if (n == 3)
      assert_str(ev.attachments[0].kind, "image");
    if (n == 5) {
      assert_str(ev.conversation_type, "group");
      assert_int_equal(ev.conversation_external, LEVEE_FALSE);
      assert_str(ev.text, "明天早上九点例会，记得带上本月的客户回访表。");
    }
  }
  fclose(f);
  assert_int_equal(n, 6);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_text_direct_external),
      cmocka_unit_test(test_direct_id_is_symmetric),
      cmocka_unit_test(test_group_internal),
      cmocka_unit_test(test_group_with_external_member),
      cmocka_unit_test(test_image),
      cmocka_unit_test(test_file),
      cmocka_unit_test(test_voice_video_emotion),
      cmocka_unit_test(test_link_weapp_location_card),
      cmocka_unit_test(test_markdown_news_docmsg_under_other_keys),
      cmocka_unit_test(test_vote_meeting_todo),
      cmocka_unit_test(test_mixed),
      cmocka_unit_test(test_mixed_plain_and_object_content),
      cmocka_unit_test(test_chatrecord_nested),
      cmocka_unit_test(test_nesting_bound),
      cmocka_unit_test(test_recall),
      cmocka_unit_test(test_switch),
      cmocka_unit_test(test_external_by_msgid_suffix),
      cmocka_unit_test(test_unknown_msgtype),
      cmocka_unit_test(test_errors),
      cmocka_unit_test(test_attachment_and_recipient_caps),
      cmocka_unit_test(test_demo_file),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
