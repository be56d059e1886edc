/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_engine.c: compiling policies into engines (src/core/engine.c), the
 * compiled-database cache, and inspecting events with a scanner
 * (scanner.c, mask.c, context.c, verdict.c): finding offsets that point at
 * the original bytes through normalization, masked excerpts, rule choice
 * and thresholds, redaction, keyword lists, attachments, and the verdict
 * JSON read back with jansson.
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

#include "levee/levee.h"
#include "util/buf.h"
#include "util/limits.h"
#include "util/utf8.h"

/* --- helpers -------------------------------------------------------------- */

static levee_policy *policy_from(const char *yaml) {
  levee_policy *p = NULL;
  levee_error err = {0};
  if (levee_policy_parse(yaml, strlen(yaml), "test.yaml", NULL, NULL, &p, &err))
    fail_msg("policy: %s", err.message);
  return p;
}

static levee_engine *compile(const levee_policy *p,
                             const levee_cache_ops *cache) {
  levee_engine *e = NULL;
  levee_error err = {0};
  if (levee_engine_compile(p, cache, &e, &err))
    fail_msg("compile: %s", err.message);
  assert_non_null(e);
  return e;
}

/* A scanner for a policy given as YAML; the scanner holds the only
 * references to engine and policy. */
static levee_scanner *scanner_for(const char *yaml) {
  levee_policy *p = policy_from(yaml);
  levee_engine *e = compile(p, NULL);
  levee_scanner *s = NULL;
  assert_int_equal(levee_scanner_create(e, &s), LEVEE_OK);
  levee_engine_unref(e);
  levee_policy_destroy(p);
  return s;
}

static levee_str S(const char *s) {
  levee_str r = {s, s ? strlen(s) : 0};
  return r;
}

static levee_event event(const char *channel, const char *text) {
  levee_event ev;
  memset(&ev, 0, sizeof ev);
  ev.id = S("e1");
  ev.time_ms = 1594771200000;
  ev.channel = S(channel);
  ev.conversation_type = S("direct");
  ev.conversation_external = LEVEE_FALSE;
  ev.sender.role = S("staff");
  ev.text = S(text);
  return ev;
}

static const levee_verdict *inspect(levee_scanner *s, const levee_event *ev) {
  const levee_verdict *v = NULL;
  assert_int_equal(levee_scanner_inspect(s, ev, &v), LEVEE_OK);
  assert_non_null(v);
  return v;
}

static const levee_finding *find(const levee_verdict *v, const char *cat) {
  for (size_t i = 0; i < v->n_findings; i++)
    if (!strcmp(v->findings[i].category, cat))
      return &v->findings[i];
  return NULL;
}

static const levee_finding *must_find(const levee_verdict *v, const char *cat) {
  const levee_finding *f = find(v, cat);
  if (!f) {
    char cats[512] = "";
    for (size_t i = 0; i < v->n_findings; i++)
      snprintf(cats + strlen(cats), sizeof cats - strlen(cats), " %s",
               v->findings[i].category);
    fail_msg("no %s finding; have:%s", cat, cats);
  }
  return f;
}

/* The finding covers exactly want in src. */
static void slice_is(const char *src, const levee_finding *f,
                     const char *want) {
  size_t n = f->end - f->start;
  if (n != strlen(want) || memcmp(src + f->start, want, n))
    fail_msg("finding %zu..%zu is '%.*s', want '%s'", f->start, f->end, (int)n,
             src + f->start, want);
}

/* --- the default engine, shared by several tests -------------------------- */

typedef struct shared {
  levee_policy *policy;
  levee_engine *engine;
  levee_scanner *scanner;
} shared;

static int setup_default(void **state) {
  shared *sh = calloc(1, sizeof *sh);
  levee_error err = {0};
  if (!sh || levee_policy_default(&sh->policy, &err) ||
      levee_engine_compile(sh->policy, NULL, &sh->engine, &err) ||
      levee_scanner_create(sh->engine, &sh->scanner))
    return -1;
  *state = sh;
  return 0;
}

static int teardown_default(void **state) {
  shared *sh = *state;
  levee_scanner_destroy(sh->scanner);
  levee_engine_unref(sh->engine);
  levee_policy_destroy(sh->policy);
  free(sh);
  return 0;
}

/* --- compile, references -------------------------------------------------- */

static void test_compile_default_and_refcount(void **state) {
  shared *sh = *state;
  assert_int_equal(levee_engine_from_cache(sh->engine), 0);
  /* Extra references come and go; the engine lives on. */
  assert_ptr_equal(levee_engine_ref(sh->engine), sh->engine);
  assert_ptr_equal(levee_engine_ref(sh->engine), sh->engine);
  levee_engine_unref(sh->engine);
  levee_engine_unref(sh->engine);
  levee_engine_unref(NULL);
  assert_null(levee_engine_ref(NULL));
  levee_event ev = event("wechat", "秘密★1年 关于调整有关人员的通知");
  const levee_verdict *v = inspect(sh->scanner, &ev);
  assert_int_equal(v->action, LEVEE_ACTION_BLOCK);
  /* A scanner keeps its engine (and the engine its policy) alive. */
  levee_policy *p = NULL;
  levee_error err = {0};
  assert_int_equal(levee_policy_default(&p, &err), LEVEE_OK);
  levee_engine *e = compile(p, NULL);
  levee_policy_destroy(p);
  levee_scanner *s1 = NULL, *s2 = NULL;
  assert_int_equal(levee_scanner_create(e, &s1), LEVEE_OK);
  assert_int_equal(levee_scanner_create(e, &s2), LEVEE_OK);
  levee_engine_unref(e);
  v = inspect(s1, &ev);
  assert_int_equal(v->action, LEVEE_ACTION_BLOCK);
  levee_scanner_destroy(s1);
  v = inspect(s2, &ev);
  assert_int_equal(v->action, LEVEE_ACTION_BLOCK);
  levee_scanner_destroy(s2);
  levee_scanner_destroy(NULL);
}

static void test_compile_errors_and_edge_policies(void **state) {
  (void)state;
  levee_engine *e = (levee_engine *)&e;
  levee_engine *const before = e;
  levee_error err = {0};
  assert_int_equal(levee_engine_compile(NULL, NULL, &e, &err), LEVEE_EINVAL);
  assert_ptr_equal(e, before);
  /* A policy no detector serves yet compiles to an engine that finds
   * nothing. */
  levee_scanner *s = scanner_for("version: 1\nrules:\n"
                                 "  - {id: p, match: {category: phishing}, "
                                 "action: block}\n");
  levee_event ev = event("wechat", "机密★1年 身份证11010519491231002X");
  const levee_verdict *v = inspect(s, &ev);
  assert_int_equal(v->action, LEVEE_ACTION_ALLOW);
  assert_int_equal(v->n_findings, 0);
  levee_scanner_destroy(s);
}

/* --- the cache ------------------------------------------------------------ */

typedef struct mem_cache {
  char key[80];
  char *blob;
  size_t len;
  int loads, stores, hits;
  int corrupt; /* how load damages what it returns (see load()) */
  size_t flip_at;
} mem_cache;

static int cache_load(void *ud, const char *key, char **out, size_t *out_len) {
  mem_cache *c = ud;
  c->loads++;
  if (!c->blob || strcmp(key, c->key))
    return 1;
  size_t len = c->len;
  char *p = malloc(len + 1);
  if (!p)
    return 1;
  memcpy(p, c->blob, len);
  switch (c->corrupt) {
  case 1: p[c->flip_at % len] ^= 0x5A; break; /* a damaged byte */
  case 2: len -= 1; break;                    /* cut short */
  case 3: p[0] = 'X'; break;                  /* wrong magic */
  case 4: p[len++] = 0; break;                /* a byte too many */
  case 5: len = 0; break;                     /* empty */
  case 6: len = 12; break;                    /* magic and a bit */
  default: break;
  }
  c->hits++;
  *out = p;
  *out_len = len;
  return 0;
}

static void cache_store(void *ud, const char *key, const char *data,
                        size_t len) {
  mem_cache *c = ud;
  c->stores++;
  free(c->blob);
  c->blob = malloc(len);
  assert_non_null(c->blob);
  memcpy(c->blob, data, len);
  c->len = len;
  snprintf(c->key, sizeof c->key, "%s", key);
}

static const char *const cache_policy =
    "version: 1\nrules:\n"
    "  - {id: m, match: {category: [classified.marking, pii.cn_mobile]}, "
    "action: block}\n";

/* The engine finds what it should, whether compiled or loaded. */
static void engine_works(levee_engine *e) {
  levee_scanner *s = NULL;
  assert_int_equal(levee_scanner_create(e, &s), LEVEE_OK);
  const char *text = "机密★5年，联系13912345678";
  levee_event ev = event("wechat", text);
  const levee_verdict *v = inspect(s, &ev);
  assert_int_equal(v->action, LEVEE_ACTION_BLOCK);
  assert_int_equal(v->n_findings, 2);
  slice_is(text, must_find(v, "classified.marking"), "机密★5年");
  slice_is(text, must_find(v, "pii.cn_mobile"), "13912345678");
  levee_scanner_destroy(s);
}

static void test_cache_store_then_load(void **state) {
  (void)state;
  levee_policy *p = policy_from(cache_policy);
  mem_cache mc = {0};
  levee_cache_ops ops = {1, cache_load, cache_store, &mc};
  /* First compile: a miss, then the databases are stored. */
  levee_engine *e1 = compile(p, &ops);
  assert_int_equal(levee_engine_from_cache(e1), 0);
  assert_int_equal(mc.loads, 1);
  assert_int_equal(mc.stores, 1);
  assert_int_equal(strlen(mc.key), 64);
  assert_int_equal(strspn(mc.key, "0123456789abcdef"), 64);
  assert_true(mc.len > 8);
  assert_memory_equal(mc.blob, "LVHSDB1\n", 8);
  engine_works(e1);
  char first_key[80];
  memcpy(first_key, mc.key, sizeof first_key);
  /* Second compile: served from the cache, nothing stored. */
  levee_engine *e2 = compile(p, &ops);
  assert_int_equal(levee_engine_from_cache(e2), 1);
  assert_int_equal(mc.loads, 2);
  assert_int_equal(mc.hits, 1);
  assert_int_equal(mc.stores, 1);
  engine_works(e2);
  levee_engine_unref(e1);
  levee_engine_unref(e2);
  /* Another policy has another key: a miss. */
  levee_policy *q = policy_from("version: 1\nrules:\n"
                                "  - {id: m, match: {category: pii.email}, "
                                "action: block}\n");
  levee_engine *e3 = compile(q, &ops);
  assert_int_equal(levee_engine_from_cache(e3), 0);
  assert_int_equal(mc.stores, 2);
  assert_string_not_equal(mc.key, first_key);
  levee_engine_unref(e3);
  /* The same policy again has the first key again. */
  levee_engine *e4 = compile(p, &ops);
  assert_int_equal(levee_engine_from_cache(e4), 0); /* the slot was replaced */
  assert_string_equal(mc.key, first_key);
  levee_engine_unref(e4);
  levee_policy_destroy(q);
  levee_policy_destroy(p);
  free(mc.blob);
}

static void test_cache_corrupt_falls_back(void **state) {
  (void)state;
  levee_policy *p = policy_from(cache_policy);
  mem_cache mc = {0};
  levee_cache_ops ops = {1, cache_load, cache_store, &mc};
  levee_engine_unref(compile(p, &ops));
  assert_int_equal(mc.stores, 1);
  size_t good_len = mc.len;
  for (int mode = 2; mode <= 6; mode++) {
    mc.corrupt = mode;
    levee_engine *e = compile(p, &ops);
    if (levee_engine_from_cache(e))
      fail_msg("corruption %d was served from the cache", mode);
    engine_works(e);
    levee_engine_unref(e);
    /* The fallback compile stores a fresh copy. */
    assert_int_equal(mc.len, good_len);
  }
  /* Damaged bytes: in the sizes, Hyperscan's magic and the (checksummed)
   * bytecode of either database. */
  mc.corrupt = 1;
  static const size_t where[] = {8, 9, 16, 17, 100, 1000, 5000, 20000};
  for (size_t i = 0; i < sizeof where / sizeof *where; i++) {
    mc.flip_at = where[i];
    levee_engine *e = compile(p, &ops);
    if (levee_engine_from_cache(e))
      fail_msg("a byte damaged at %zu was served from the cache", where[i]);
    engine_works(e);
    levee_engine_unref(e);
  }
  /* Anywhere else, a damaged byte either falls back to compiling or lands
   * where it changes nothing (Hyperscan leaves some header fields and
   * padding unchecked): the engine works either way. */
  for (size_t at = 8; at < good_len; at += 613) {
    mc.flip_at = at;
    levee_engine *e = compile(p, &ops);
    engine_works(e);
    levee_engine_unref(e);
  }
  mc.corrupt = 0;
  levee_engine *e = compile(p, &ops);
  assert_int_equal(levee_engine_from_cache(e), 1);
  engine_works(e);
  levee_engine_unref(e);
  levee_policy_destroy(p);
  free(mc.blob);
}

static void test_cache_ops_version(void **state) {
  (void)state;
  levee_policy *p = policy_from(cache_policy);
  mem_cache mc = {0};
  /* An unknown ops version is not used at all. */
  levee_cache_ops v2 = {2, cache_load, cache_store, &mc};
  levee_engine *e = compile(p, &v2);
  assert_int_equal(mc.loads + mc.stores, 0);
  levee_engine_unref(e);
  /* Store-only and load-only caches. */
  levee_cache_ops store_only = {1, NULL, cache_store, &mc};
  e = compile(p, &store_only);
  assert_int_equal(mc.stores, 1);
  assert_int_equal(levee_engine_from_cache(e), 0);
  levee_engine_unref(e);
  levee_cache_ops load_only = {1, cache_load, NULL, &mc};
  e = compile(p, &load_only);
  assert_int_equal(levee_engine_from_cache(e), 1);
  assert_int_equal(mc.stores, 1);
  engine_works(e);
  levee_engine_unref(e);
  levee_policy_destroy(p);
  free(mc.blob);
}

/* --- offsets into the original text --------------------------------------- */

static void test_offsets_through_normalization(void **state) {
  shared *sh = *state;
  static const struct {
    const char *text, *want;
  } cases[] = {
      {"请看：秘 密 ★ 1 年 的通知", "秘 密 ★ 1 年"},
      {"機密★2年 請傳達", "機密★2年"},
      {"前言 絕密★長期", "絕密★長期"},
      {"文件：绝\u200d密★长期", "绝\u200d密★长期"},
      {"机\u200b密\u200c★\u200d5\u2060年", "机\u200b密\u200c★\u200d5\u2060年"},
      {"编号ＡＢ　机密★１０年", "机密★１０年"},
      {"这份机密*1年的文件", "机密*1年"},
      {"ok 机　密　★　六个月", "机　密　★　六个月"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    levee_event ev = event("wechat", cases[i].text);
    const levee_verdict *v = inspect(sh->scanner, &ev);
    const levee_finding *f = must_find(v, "classified.marking");
    slice_is(cases[i].text, f, cases[i].want);
    assert_int_equal(f->source, -1);
    assert_string_equal(f->excerpt, cases[i].want);
    assert_string_equal(f->rule, "state-secret-marking");
  }
  /* Identifiers: full-width digits and separators stay in the slice. */
  const char *t = "电话：１３９ １２３４ ５６７８。";
  levee_event ev = event("wechat", t);
  const levee_verdict *v = inspect(sh->scanner, &ev);
  slice_is(t, must_find(v, "pii.cn_mobile"), "１３９ １２３４ ５６７８");
  t = "卡号 6222 0202 0000 0000 006，谢谢";
  ev = event("wechat", t);
  v = inspect(sh->scanner, &ev);
  slice_is(t, must_find(v, "pii.bank_card"), "6222 0202 0000 0000 006");
}

static void test_masked_excerpts(void **state) {
  shared *sh = *state;
  static const struct {
    const char *text, *cat, *slice, *excerpt;
  } cases[] = {
      {"身份证号：11010519491231002X", "pii.cn_resident_id",
       "11010519491231002X", "110105********002X"},
      {"证件号码 440305198001010013 请核对", "pii.cn_resident_id",
       "440305198001010013", "440305********0013"},
      {"银行卡 6225880137008000", "pii.bank_card", "6225880137008000",
       "6225********8000"},
      {"卡号 6222 0202 0000 0000 006", "pii.bank_card",
       "6222 0202 0000 0000 006", "6222 **** **** ***0 006"},
      {"手机 13912345678 微信同号", "pii.cn_mobile", "13912345678",
       "139****5678"},
      {"电话：+86 186-1234-5678", "pii.cn_mobile", "+86 186-1234-5678",
       "+86 1**-****-5678"},
      {"发我邮箱 zhang.san@example.com 谢谢", "pii.email",
       "zhang.san@example.com", "z****.***@e******.com"},
      {"统一社会信用代码 91110000600037341L", "pii.cn_uscc",
       "91110000600037341L", "911100********341L"},
      {"护照号码 E12345678", "pii.cn_passport", "E12345678", "E******78"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    levee_event ev = event("wechat", cases[i].text);
    const levee_verdict *v = inspect(sh->scanner, &ev);
    const levee_finding *f = must_find(v, cases[i].cat);
    slice_is(cases[i].text, f, cases[i].slice);
    assert_string_equal(f->excerpt, cases[i].excerpt);
    assert_string_equal(f->rule, "personal-data");
    assert_int_equal(f->action, LEVEE_ACTION_ALERT);
    assert_int_equal(f->severity, LEVEE_SEVERITY_LOW);
  }
}

/* --- rules ---------------------------------------------------------------- */

static void test_default_rule_choice(void **state) {
  shared *sh = *state;
  const char *text = "机密★1年 手机13912345678";
  /* Chat: the block rule beats the hold rule. */
  levee_event ev = event("wechat", text);
  const levee_verdict *v = inspect(sh->scanner, &ev);
  assert_int_equal(v->action, LEVEE_ACTION_BLOCK);
  assert_int_equal(v->severity, LEVEE_SEVERITY_CRITICAL);
  assert_string_equal(must_find(v, "classified.marking")->rule,
                      "state-secret-marking");
  assert_string_equal(must_find(v, "pii.cn_mobile")->rule, "personal-data");
  /* Email: only the hold rule applies to the marking. */
  ev = event("email", text);
  v = inspect(sh->scanner, &ev);
  assert_int_equal(v->action, LEVEE_ACTION_HOLD);
  assert_string_equal(must_find(v, "classified.marking")->rule,
                      "state-secret-marking-other");
  /* External group: of three alert rules the most severe wins. */
  ev = event("wechat", "手机13912345678");
  ev.conversation_type = S("group");
  ev.conversation_external = LEVEE_TRUE;
  v = inspect(sh->scanner, &ev);
  assert_int_equal(v->action, LEVEE_ACTION_ALERT);
  assert_int_equal(v->severity, LEVEE_SEVERITY_HIGH);
  assert_string_equal(must_find(v, "pii.cn_mobile")->rule,
                      "personal-data-external");
  ev.conversation_external = LEVEE_FALSE;
  v = inspect(sh->scanner, &ev);
  assert_int_equal(v->severity, LEVEE_SEVERITY_MEDIUM);
  assert_string_equal(must_find(v, "pii.cn_mobile")->rule,
                      "personal-data-group");
  /* A customer recipient makes it external. */
  levee_party cust = {S("c1"), S("客户"), S(NULL), S("customer")};
  ev.recipients = &cust;
  ev.n_recipients = 1;
  v = inspect(sh->scanner, &ev);
  assert_string_equal(must_find(v, "pii.cn_mobile")->rule,
                      "personal-data-external");
  /* Conduct: recorded (allow, info) inside, alerted with customers. */
  ev = event("wechat", "你是猪吗？听不懂？");
  v = inspect(sh->scanner, &ev);
  assert_int_equal(v->action, LEVEE_ACTION_ALLOW);
  assert_int_equal(v->n_findings, 1);
  assert_string_equal(v->findings[0].rule, "conduct-record");
  ev.recipients = &cust;
  ev.n_recipients = 1;
  v = inspect(sh->scanner, &ev);
  assert_int_equal(v->action, LEVEE_ACTION_ALERT);
  assert_string_equal(v->findings[0].rule, "conduct-customer");
  /* Nothing found: allow, info, no findings. */
  ev = event("wechat", "下午两点开会");
  v = inspect(sh->scanner, &ev);
  assert_int_equal(v->action, LEVEE_ACTION_ALLOW);
  assert_int_equal(v->severity, LEVEE_SEVERITY_INFO);
  assert_int_equal(v->n_findings, 0);
  assert_null(v->redacted_text);
  ev = event("wechat", NULL);
  v = inspect(sh->scanner, &ev);
  assert_int_equal(v->n_findings, 0);
}

static void test_strongest_rule_wins(void **state) {
  (void)state;
  levee_scanner *s = scanner_for(
      "version: 1\nrules:\n"
      "  - {id: alert-critical, match: {category: pii}, action: alert, "
      "severity: critical}\n"
      "  - {id: hold-low, match: {category: pii.cn_mobile}, action: hold, "
      "severity: low}\n"
      "  - {id: alert-high, match: {category: '*'}, action: alert, "
      "severity: high}\n"
      "  - {id: block-email, match: {category: pii, channel: email}, "
      "action: block, severity: medium}\n"
      "  - {id: first, match: {category: pii.email}, action: hold, "
      "severity: high}\n"
      "  - {id: second, match: {category: pii.email}, action: hold, "
      "severity: high}\n");
  /* A stronger action beats a higher severity. */
  levee_event ev = event("wechat", "手机13912345678");
  const levee_verdict *v = inspect(s, &ev);
  assert_string_equal(must_find(v, "pii.cn_mobile")->rule, "hold-low");
  assert_int_equal(v->action, LEVEE_ACTION_HOLD);
  assert_int_equal(v->severity, LEVEE_SEVERITY_LOW);
  /* Same action: the higher severity. */
  ev = event("wechat", "身份证11010519491231002X");
  v = inspect(s, &ev);
  assert_string_equal(must_find(v, "pii.cn_resident_id")->rule,
                      "alert-critical");
  assert_int_equal(v->severity, LEVEE_SEVERITY_CRITICAL);
  /* A channel condition brings in a stronger rule. */
  ev = event("email", "手机13912345678");
  v = inspect(s, &ev);
  assert_string_equal(must_find(v, "pii.cn_mobile")->rule, "block-email");
  assert_int_equal(v->action, LEVEE_ACTION_BLOCK);
  /* The verdict takes the strongest action and the highest severity of
   * its findings, which may come from different findings. */
  ev = event("wechat", "手机13912345678 身份证11010519491231002X");
  v = inspect(s, &ev);
  assert_int_equal(v->n_findings, 2);
  assert_int_equal(v->action, LEVEE_ACTION_HOLD);
  assert_int_equal(v->severity, LEVEE_SEVERITY_CRITICAL);
  /* A tie: the first rule keeps it. */
  ev = event("wechat", "邮箱 li.si@example.com");
  v = inspect(s, &ev);
  assert_string_equal(must_find(v, "pii.email")->rule, "first");
  levee_scanner_destroy(s);
}

static void test_threshold(void **state) {
  (void)state;
  /* 秘密★1年 is certain (1.0), 秘密女1年 an OCR look-alike (0.8) and
   * 秘密1年 a bare level and period (0.4). */
  levee_scanner *s = scanner_for(
      "version: 1\nrules:\n"
      "  - {id: strict, match: {category: classified}, threshold: 0.95, "
      "action: block}\n"
      "  - {id: exact, match: {category: classified}, threshold: 0.8, "
      "action: hold}\n"
      "  - {id: loose, match: {category: classified}, threshold: 0.3, "
      "action: alert}\n");
  levee_event ev = event("wechat", "秘密★1年");
  const levee_verdict *v = inspect(s, &ev);
  assert_string_equal(must_find(v, "classified.marking")->rule, "strict");
  assert_true(v->findings[0].confidence >= 0.95);
  ev = event("wechat", "秘密女1年");
  v = inspect(s, &ev);
  assert_string_equal(must_find(v, "classified.marking")->rule, "exact");
  ev = event("wechat", "秘密1年");
  v = inspect(s, &ev);
  assert_string_equal(must_find(v, "classified.marking")->rule, "loose");
  assert_true(v->findings[0].confidence >= 0.3 &&
              v->findings[0].confidence < 0.8);
  levee_scanner_destroy(s);
  /* Under the default threshold, the bare form is not reported at all. */
  s = scanner_for("version: 1\nrules:\n"
                  "  - {id: std, match: {category: classified}, "
                  "action: block}\n");
  ev = event("wechat", "秘密1年");
  v = inspect(s, &ev);
  assert_int_equal(v->n_findings, 0);
  assert_int_equal(v->action, LEVEE_ACTION_ALLOW);
  ev = event("wechat", "秘密女1年");
  v = inspect(s, &ev);
  assert_int_equal(v->n_findings, 1);
  levee_scanner_destroy(s);
}

/* Full-width identifiers are masked like ASCII ones: an excerpt never shows
 * the number in full. */
static void test_mask_full_width(void **state) {
  (void)state;
  levee_scanner *s = scanner_for("version: 1\nrules:\n"
                                 "  - {id: r, match: {category: pii}, "
                                 "action: alert}\n");
  levee_event ev = event("wechat", "身份证１１０１０５１９４９１２３１００２Ｘ "
                                   "邮箱 ａｂｃ＠ｅｘａｍｐｌｅ．ｃｏｍ");
  const levee_verdict *v = inspect(s, &ev);
  int ids = 0, emails = 0;
  for (size_t i = 0; i < v->n_findings; i++) {
    const char *x = v->findings[i].excerpt;
    if (!strcmp(v->findings[i].category, "pii.cn_resident_id")) {
      assert_string_equal(x, "１１０１０５********００２Ｘ");
      ids++;
    } else if (!strcmp(v->findings[i].category, "pii.email")) {
      assert_string_equal(x, "ａ**＠ｅ******．ｃｏｍ");
      emails++;
    }
  }
  assert_int_equal(ids, 1);
  assert_int_equal(emails, 1);
  levee_scanner_destroy(s);
}

static void test_redact(void **state) {
  (void)state;
  levee_scanner *s =
      scanner_for("version: 1\n"
                  "keyword_lists:\n"
                  "  - {name: projects, words: [北极星计划]}\n"
                  "rules:\n"
                  "  - {id: r, match: {category: [pii, keyword.projects]}, "
                  "action: redact}\n");
  const char *text =
      "电话13912345678，身份证11010519491231002X，项目北极星计划启动";
  levee_event ev = event("wechat", text);
  const levee_verdict *v = inspect(s, &ev);
  assert_int_equal(v->action, LEVEE_ACTION_REDACT);
  assert_int_equal(v->n_findings, 3);
  assert_non_null(v->redacted_text);
  /* Each character of a finding becomes one '*'. */
  assert_string_equal(v->redacted_text,
                      "电话***********，身份证****************"
                      "**，项目*****启动");
  slice_is(text, must_find(v, "keyword.projects"), "北极星计划");
  /* Without findings, nothing to redact and no redacted text. */
  ev = event("wechat", "项目启动");
  v = inspect(s, &ev);
  assert_int_equal(v->action, LEVEE_ACTION_ALLOW);
  assert_null(v->redacted_text);
  levee_scanner_destroy(s);
}

static void test_keyword_list(void **state) {
  (void)state;
  levee_scanner *s = scanner_for("version: 1\n"
                                 "keyword_lists:\n"
                                 "  - name: projects\n"
                                 "    words: [北极星计划, Aurora, 機密項目]\n"
                                 "rules:\n"
                                 "  - {id: kw, match: {category: "
                                 "keyword.projects}, action: alert}\n");
  static const struct {
    const char *text, *slice; /* slice NULL: no finding */
  } cases[] = {
      {"北极星计划下周启动", "北极星计划"},
      {"关于北极星計劃的安排", "北极星計劃"},
      {"北 极 星 计 划", "北 极 星 计 划"},
      {"Project AURORA kickoff", "AURORA"},
      {"ｐｒｏｊｅｃｔ　Ａｕｒｏｒａ", "Ａｕｒｏｒａ"},
      {"这是机密项目，别外传", "机密项目"},
      {"auroras are pretty", NULL},
      {"北极星的计划", NULL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    levee_event ev = event("wechat", cases[i].text);
    const levee_verdict *v = inspect(s, &ev);
    if (!cases[i].slice) {
      if (v->n_findings)
        fail_msg("'%s' should have no finding", cases[i].text);
      continue;
    }
    const levee_finding *f = must_find(v, "keyword.projects");
    slice_is(cases[i].text, f, cases[i].slice);
    assert_string_equal(f->rule, "kw");
    assert_int_equal(v->action, LEVEE_ACTION_ALERT);
  }
  levee_scanner_destroy(s);
}

/* --- batches ---------------------------------------------------------------
 */

typedef struct batch_seen {
  levee_scanner *single; /* the same policy, one event at a time */
  const levee_event *evs;
  size_t calls;
  int flagged[8]; /* events with a keyword.projects finding */
  int truncated[8];
} batch_seen;

static char *verdict_line(const levee_verdict *v) {
  char *buf = NULL;
  size_t len = 0, cap = 0;
  assert_int_equal(levee_verdict_json(v, &buf, &len, &cap), LEVEE_OK);
  return buf;
}

static void on_batch_verdict(void *ctx, size_t i, int status,
                             const levee_verdict *v) {
  batch_seen *seen = ctx;
  assert_int_equal(i, seen->calls);
  seen->calls++;
  assert_int_equal(status, LEVEE_OK);
  char *got = verdict_line(v);
  seen->flagged[i] = find(v, "keyword.projects") != NULL;
  seen->truncated[i] = v->truncated;
  char *want = verdict_line(inspect(seen->single, &seen->evs[i]));
  assert_string_equal(got, want);
  free(got);
  free(want);
}

/* A batch gives each event the verdict levee_scanner_inspect() gives it:
 * a keyword is found only inside one text, never across two; offsets are
 * the event's own; empty and absent texts, attachments and a text with
 * more candidates than the bound behave as alone. */
static void test_batch_same_as_single(void **state) {
  (void)state;
  static const char yaml[] = "version: 1\n"
                             "include_default: true\n"
                             "keyword_lists:\n"
                             "  - name: projects\n"
                             "    words: [北极星计划, x]\n"
                             "rules:\n"
                             "  - {id: kw, match: {category: "
                             "keyword.projects}, action: alert}\n";
  levee_scanner *batch = scanner_for(yaml);
  batch_seen seen = {scanner_for(yaml), NULL, 0, {0}, {0}};
  char *many = malloc(LV_MAX_CANDIDATES + 100);
  assert_non_null(many);
  memset(many, 'x', LV_MAX_CANDIDATES + 99);
  many[LV_MAX_CANDIDATES + 99] = '\0';
  levee_event evs[8];
  evs[0] = event("wechat", "下周启动北极星"); /* the keyword is split */
  evs[1] = event("wechat", "计划，别外传");   /* across these two texts */
  evs[2] = event("wechat", "");
  evs[3] = event("wechat", NULL);
  evs[4] = event("wechat", many);
  evs[5] = event("wechat", "北极星计划 绝密★1年 电话13800138000");
  evs[6] = event("wechat", "附件见下");
  levee_attachment at;
  memset(&at, 0, sizeof at);
  at.kind = S("file");
  at.text = S("北极星计划的附件");
  evs[6].attachments = &at;
  evs[6].n_attachments = 1;
  evs[7] = event("wechat", "北");
  seen.evs = evs;
  assert_int_equal(
      levee_scanner_inspect_batch(batch, evs, 8, on_batch_verdict, &seen),
      LEVEE_OK);
  assert_int_equal(seen.calls, 8);
  /* Only whole keywords inside one text: events 5 and 6 (its attachment).
   * Event 4's x's are candidates for the word "x", more than the bound
   * keeps, but none stands alone as a word. */
  for (size_t i = 0; i < 8; i++)
    assert_int_equal(seen.flagged[i], i == 5 || i == 6);
  assert_true(seen.truncated[4]);
  assert_false(seen.truncated[5]);
  /* An empty batch calls nothing. */
  seen.calls = 0;
  assert_int_equal(
      levee_scanner_inspect_batch(batch, evs, 0, on_batch_verdict, &seen),
      LEVEE_OK);
  assert_int_equal(seen.calls, 0);
  free(many);
  levee_scanner_destroy(batch);
  levee_scanner_destroy(seen.single);
}

/* --- attachments, order, limits ------------------------------------------- */

static void test_attachments(void **state) {
  shared *sh = *state;
  levee_attachment at[3];
  memset(at, 0, sizeof at);
  at[0].kind = S("file");
  at[0].text = S("无关内容，周报已提交");
  at[1].kind = S("image"); /* no text extracted */
  at[2].kind = S("file");
  const char *t2 = "名单：张三 身份证 11010519491231002X\n机密★1年";
  at[2].text = S(t2);
  levee_event ev = event("wechat", "见附件，手机13912345678");
  ev.attachments = at;
  ev.n_attachments = 3;
  const levee_verdict *v = inspect(sh->scanner, &ev);
  assert_int_equal(v->n_findings, 3);
  /* Text first, then attachments in order, each by start. */
  assert_int_equal(v->findings[0].source, -1);
  assert_string_equal(v->findings[0].category, "pii.cn_mobile");
  slice_is(ev.text.ptr, &v->findings[0], "13912345678");
  assert_int_equal(v->findings[1].source, 2);
  assert_string_equal(v->findings[1].category, "pii.cn_resident_id");
  slice_is(t2, &v->findings[1], "11010519491231002X");
  assert_int_equal(v->findings[2].source, 2);
  assert_string_equal(v->findings[2].category, "classified.marking");
  slice_is(t2, &v->findings[2], "机密★1年");
  assert_int_equal(v->action, LEVEE_ACTION_BLOCK);
  /* An event whose only text is in an attachment. */
  ev.text = S(NULL);
  at[0].text = S("机密★3年");
  ev.n_attachments = 1;
  v = inspect(sh->scanner, &ev);
  assert_int_equal(v->n_findings, 1);
  assert_int_equal(v->findings[0].source, 0);
  assert_int_equal(v->findings[0].start, 0);
  /* An attachment that could not be read: a finding of its own, saying
   * why, beside what its readable part showed; alert, low (the default
   * pack), whatever the channel. The reason is cut to an excerpt's size
   * at a character boundary. */
  at[1].error = S("jpeg image of 30000x30000 pixels, over the limit");
  at[2].text = S(NULL);
  at[2].error = S("docx: 压缩比过大，一个条目展开后超过限制。"
                  "docx: 压缩比过大，一个条目展开后超过限制。"
                  "docx: 压缩比过大，一个条目展开后超过限制。"
                  "docx: 压缩比过大，一个条目展开后超过限制。");
  ev.n_attachments = 3;
  ev.channel = S("email");
  v = inspect(sh->scanner, &ev);
  assert_int_equal(v->n_findings, 3);
  assert_string_equal(v->findings[0].category, "classified.marking");
  assert_int_equal(v->findings[1].source, 1);
  assert_string_equal(v->findings[1].category, "attachment.unreadable");
  assert_string_equal(v->findings[1].rule, "attachment-unreadable");
  assert_string_equal(v->findings[1].excerpt, at[1].error.ptr);
  assert_int_equal(v->findings[1].start, 0);
  assert_int_equal(v->findings[1].end, 0);
  assert_int_equal(v->findings[1].action, LEVEE_ACTION_ALERT);
  assert_int_equal(v->findings[1].severity, LEVEE_SEVERITY_LOW);
  assert_int_equal(v->findings[2].source, 2);
  size_t cut = strlen(v->findings[2].excerpt);
  assert_true(cut > 0 && cut <= LV_MAX_EXCERPT_BYTES);
  assert_memory_equal(v->findings[2].excerpt, at[2].error.ptr, cut);
  assert_true(lv_utf8_valid(v->findings[2].excerpt, cut));
  assert_int_equal(v->action, LEVEE_ACTION_HOLD); /* the marking, in email */
}

/* In an attachment's text (OCR, a document) a level word alone on its
 * line is a marking, as OCR leaves it when it loses the star and period;
 * and a phrase that names secret material in passing weighs less. In a
 * message neither holds. */
static void test_document_markings(void **state) {
  shared *sh = *state;
  static const struct {
    const char *text;
    int in_message, in_attachment; /* classified.marking expected */
  } c[] = {
      {"000420\n机密女\n北川区教育局文件\n北教发〔2022〕12号", 0, 1},
      {"000014\n  秘密  \n东湖区财政局文件", 0, 1},
      {"绝密 ★ 10年\n关于调整有关人员的通知", 1, 1},
      {"这是秘密的\n别说", 0, 0},
      {"各单位要对照《机密文件管理规定》开展自查", 1, 0},
      {"绝密级\n关于调整有关人员的通知", 1, 1},
      {"保密法规定绝密级如家秘密是最重要的国家秘密", 1, 0},
      {"绝密级国家秘密是最重要的国家秘密", 0, 0},
      /* OCR lost the star, the period stayed */
      {"   oo0TT1\n       绝密6个月\n加急\n东湖区卫生健康委员会", 0, 1},
      {"他说绝密6个月以后再公开", 0, 0},
      /* a stamped marking: OCR reads its frame as brackets and bars */
      {"[机密★1年|\n000930\n长丰县民政局文件", 1, 1},
      {"【 秘密 】\n000930\n长丰县民政局文件", 0, 1},
      {"| 绝密 长期 ]\n关于调整有关人员的通知", 1, 1},
      {"[秘密] 花园开放时间调整\n请周知", 0, 0},
  };
  for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
    levee_event ev = event("wechat", c[i].text);
    const levee_verdict *v = inspect(sh->scanner, &ev);
    int found = 0;
    for (size_t k = 0; k < v->n_findings; k++)
      found |= !strcmp(v->findings[k].category, "classified.marking");
    if (found != c[i].in_message)
      fail_msg("case %zu in a message: %d", i, found);
    levee_attachment at;
    memset(&at, 0, sizeof at);
    at.kind = S("image");
    at.text = S(c[i].text);
    ev.text = S(NULL);
    ev.attachments = &at;
    ev.n_attachments = 1;
    v = inspect(sh->scanner, &ev);
    found = 0;
    for (size_t k = 0; k < v->n_findings; k++)
      found |= !strcmp(v->findings[k].category, "classified.marking") &&
               v->findings[k].source == 0;
    assert_int_equal(found, c[i].in_attachment);
  }
}

/* What OCR makes of the star weighs as the star's look-alikes do (0.8),
 * more than some other character between level and period (0.6). */
static void test_ocr_star_lookalikes(void **state) {
  shared *sh = *state;
  static const char *const seen[] = {"机密妇1年", "秘密娘6个月", "绝密雪长期",
                                     "机密广1年", "秘密友1年",   "机密女1年"};
  for (size_t i = 0; i < sizeof seen / sizeof *seen; i++) {
    levee_event ev = event("wechat", seen[i]);
    const levee_verdict *v = inspect(sh->scanner, &ev);
    assert_int_equal(v->n_findings, 1);
    assert_true(v->findings[0].confidence > 0.79);
  }
  levee_event ev = event("wechat", "机密娃1年");
  const levee_verdict *v = inspect(sh->scanner, &ev);
  assert_int_equal(v->n_findings, 1);
  assert_true(v->findings[0].confidence < 0.7);
}

static void test_findings_truncated(void **state) {
  shared *sh = *state;
  lv_buf b;
  lv_buf_init(&b, 1u << 20);
  for (int i = 0; i < LV_MAX_FINDINGS + 44; i++)
    assert_int_equal(lv_buf_printf(&b, "user%d@example.com ", i), LEVEE_OK);
  levee_event ev = event("wechat", b.data);
  const levee_verdict *v = inspect(sh->scanner, &ev);
  assert_int_equal(v->n_findings, LV_MAX_FINDINGS);
  assert_true(v->truncated);
  for (size_t i = 1; i < v->n_findings; i++)
    assert_true(v->findings[i - 1].start < v->findings[i].start);
  slice_is(b.data, &v->findings[0], "user0@example.com");
  /* The next message starts afresh. */
  ev = event("wechat", "user1@example.com");
  v = inspect(sh->scanner, &ev);
  assert_int_equal(v->n_findings, 1);
  assert_false(v->truncated);
  lv_buf_cleanup(&b);
}

static void test_invalid_utf8_text(void **state) {
  shared *sh = *state;
  /* Bad bytes around a marking do not shift its offsets. */
  const char text[] = "\xFF\xFE 机密★1年 \xC0\x80 13912345678 \xE4\xB8";
  levee_event ev = event("wechat", NULL);
  ev.text.ptr = text;
  ev.text.len = sizeof text - 1;
  const levee_verdict *v = inspect(sh->scanner, &ev);
  slice_is(text, must_find(v, "classified.marking"), "机密★1年");
  slice_is(text, must_find(v, "pii.cn_mobile"), "13912345678");
}

/* --- verdict JSON --------------------------------------------------------- */

static json_t *verdict_json(const levee_verdict *v) {
  char *buf = NULL;
  size_t len = 0, cap = 0;
  assert_int_equal(levee_verdict_json(v, &buf, &len, &cap), LEVEE_OK);
  assert_true(len > 1 && buf[len - 1] == '\n');
  assert_null(memchr(buf, '\n', len - 1)); /* one line */
  json_error_t jerr;
  json_t *j = json_loadb(buf, len, 0, &jerr);
  if (!j)
    fail_msg("verdict JSON does not parse: %s\n%s", jerr.text, buf);
  free(buf);
  return j;
}

static void finding_json_is(json_t *jf, const levee_finding *f,
                            const char *source) {
  assert_true(json_is_object(jf));
  assert_string_equal(json_string_value(json_object_get(jf, "rule")), f->rule);
  assert_string_equal(json_string_value(json_object_get(jf, "category")),
                      f->category);
  assert_string_equal(json_string_value(json_object_get(jf, "source")), source);
  assert_int_equal(json_integer_value(json_object_get(jf, "start")), f->start);
  assert_int_equal(json_integer_value(json_object_get(jf, "end")), f->end);
  assert_string_equal(json_string_value(json_object_get(jf, "excerpt")),
                      f->excerpt);
  assert_string_equal(json_string_value(json_object_get(jf, "action")),
                      levee_action_name(f->action));
  assert_string_equal(json_string_value(json_object_get(jf, "severity")),
                      levee_severity_name(f->severity));
  json_t *c = json_object_get(jf, "confidence");
  assert_true(json_is_number(c));
  double d = json_number_value(c) - f->confidence;
  assert_true(d > -0.006 && d < 0.006);
}

static void test_verdict_json(void **state) {
  shared *sh = *state;
  levee_attachment at;
  memset(&at, 0, sizeof at);
  at.text = S("附件：机密★1年");
  levee_event ev =
      event("wechat", "身份证：11010519491231002X\n手机13912345678");
  ev.id = S("msg \"7\"\\中");
  ev.attachments = &at;
  ev.n_attachments = 1;
  const levee_verdict *v = inspect(sh->scanner, &ev);
  assert_int_equal(v->n_findings, 3);
  json_t *j = verdict_json(v);
  assert_string_equal(json_string_value(json_object_get(j, "id")),
                      "msg \"7\"\\中");
  assert_string_equal(json_string_value(json_object_get(j, "action")), "block");
  assert_string_equal(json_string_value(json_object_get(j, "severity")),
                      "critical");
  assert_null(json_object_get(j, "redacted_text"));
  assert_null(json_object_get(j, "truncated"));
  json_t *fs = json_object_get(j, "findings");
  assert_int_equal(json_array_size(fs), 3);
  finding_json_is(json_array_get(fs, 0), &v->findings[0], "text");
  finding_json_is(json_array_get(fs, 1), &v->findings[1], "text");
  finding_json_is(json_array_get(fs, 2), &v->findings[2], "attachment:0");
  assert_string_equal(
      json_string_value(json_object_get(json_array_get(fs, 0), "excerpt")),
      "110105********002X");
  assert_int_equal(
      json_integer_value(json_object_get(json_array_get(fs, 2), "start")),
      strlen("附件："));
  json_decref(j);

  /* An empty verdict, appended after another line in the same buffer. */
  char *buf = NULL;
  size_t len = 0, cap = 0;
  ev = event("qq", "你好");
  v = inspect(sh->scanner, &ev);
  assert_int_equal(levee_verdict_json(v, &buf, &len, &cap), LEVEE_OK);
  size_t first = len;
  assert_int_equal(levee_verdict_json(v, &buf, &len, &cap), LEVEE_OK);
  assert_int_equal(len, 2 * first);
  assert_memory_equal(buf, buf + first, first);
  json_error_t jerr;
  j = json_loadb(buf, first, 0, &jerr);
  assert_non_null(j);
  assert_string_equal(json_string_value(json_object_get(j, "action")), "allow");
  assert_string_equal(json_string_value(json_object_get(j, "severity")),
                      "info");
  assert_int_equal(json_array_size(json_object_get(j, "findings")), 0);
  json_decref(j);
  free(buf);
}

static void test_verdict_json_redacted_and_truncated(void **state) {
  (void)state;
  levee_scanner *s = scanner_for("version: 1\nrules:\n"
                                 "  - {id: r, match: {category: pii}, "
                                 "action: redact, severity: high}\n");
  lv_buf b;
  lv_buf_init(&b, 1u << 20);
  assert_int_equal(lv_buf_puts(&b, "\"引号\"\t"), LEVEE_OK);
  for (int i = 0; i < LV_MAX_FINDINGS + 1; i++)
    assert_int_equal(lv_buf_printf(&b, "u%d@example.com ", i), LEVEE_OK);
  levee_event ev = event("email", b.data);
  const levee_verdict *v = inspect(s, &ev);
  assert_true(v->truncated);
  json_t *j = verdict_json(v);
  assert_true(json_is_true(json_object_get(j, "truncated")));
  /* Findings past the limit are not listed, so redaction could leak them:
   * the verdict blocks instead, with no redacted text. */
  assert_string_equal(json_string_value(json_object_get(j, "action")), "block");
  assert_null(json_object_get(j, "redacted_text"));
  assert_null(v->redacted_text);
  assert_int_equal(json_array_size(json_object_get(j, "findings")),
                   LV_MAX_FINDINGS);
  json_decref(j);
  lv_buf_cleanup(&b);
  levee_scanner_destroy(s);
}

int main(void) {
  const struct CMUnitTest shared_tests[] = {
      cmocka_unit_test(test_compile_default_and_refcount),
      cmocka_unit_test(test_offsets_through_normalization),
      cmocka_unit_test(test_masked_excerpts),
      cmocka_unit_test(test_default_rule_choice),
      cmocka_unit_test(test_attachments),
      cmocka_unit_test(test_document_markings),
      cmocka_unit_test(test_ocr_star_lookalikes),
      cmocka_unit_test(test_findings_truncated),
      cmocka_unit_test(test_invalid_utf8_text),
      cmocka_unit_test(test_verdict_json),
  };
  const struct CMUnitTest own_tests[] = {
      cmocka_unit_test(test_compile_errors_and_edge_policies),
      cmocka_unit_test(test_cache_store_then_load),
      cmocka_unit_test(test_cache_corrupt_falls_back),
      cmocka_unit_test(test_cache_ops_version),
      cmocka_unit_test(test_strongest_rule_wins),
      cmocka_unit_test(test_threshold),
      cmocka_unit_test(test_redact),
      cmocka_unit_test(test_mask_full_width),
      cmocka_unit_test(test_keyword_list),
      cmocka_unit_test(test_batch_same_as_single),
      cmocka_unit_test(test_verdict_json_redacted_and_truncated),
  };
  int failed = cmocka_run_group_tests_name("default engine", shared_tests,
                                           setup_default, teardown_default);
  failed += cmocka_run_group_tests_name("own policies", own_tests, NULL, NULL);
  return failed;
}
