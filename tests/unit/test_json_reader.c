/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_json_reader.c: the zero-copy JSON reader (src/util/json_reader.c):
 * valid documents and typed access, string unescaping (surrogate pairs,
 * lone surrogates, zero-copy when there is nothing to unescape), the
 * rejection of bad literals, trailing bytes and second top-level values,
 * the depth and token limits, and iteration over nested containers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "levee/levee.h"
#include "util/arena.h"
#include "util/json_reader.h"
#include "util/limits.h"

typedef struct fixture {
  lv_json_doc doc;
  lv_arena arena;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  if (!f)
    return -1;
  lv_json_doc_init(&f->doc);
  lv_arena_init(&f->arena, 1u << 20);
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

static int parse(fixture *f, const char *s, levee_error *err) {
  return lv_json_parse(&f->doc, s, strlen(s), err);
}

static void parse_ok(fixture *f, const char *s) {
  levee_error err = {0};
  int rc = parse(f, s, &err);
  if (rc)
    fail_msg("'%s' should parse: %s", s, err.message);
}

/* Parses s expecting failure with status want and a message containing
 * what (when what is not NULL). */
static void parse_bad(fixture *f, const char *s, size_t len, int want,
                      const char *what) {
  levee_error err = {0};
  int rc = lv_json_parse(&f->doc, s, len, &err);
  if (rc != want)
    fail_msg("'%.*s': status %d, want %d", (int)len, s, rc, want);
  assert_int_equal(err.status, want);
  assert_true(err.message[0] != '\0');
  if (what && !strstr(err.message, what))
    fail_msg("'%.*s': message '%s' lacks '%s'", (int)len, s, err.message, what);
  /* A failed parse leaves no tokens behind. */
  assert_int_equal(lv_json_type_of(&f->doc, 0), LV_JSON_INVALID);
}

/* The unescaped value of string token tok. */
static levee_str str_of(fixture *f, int tok) {
  levee_str s = {0};
  assert_int_equal(lv_json_string(&f->doc, tok, &f->arena, &s), LEVEE_OK);
  return s;
}

/* --- valid documents ------------------------------------------------------ */

static void test_object_members_and_types(void **state) {
  fixture *f = *state;
  parse_ok(f, " \r\n\t{\"a\": 1, \"b\" : \"x\", \"c\": [true, false, null], "
              "\"d\": {\"e\": -1.5e3}, \"f\": {}, \"g\": []}\n ");
  const lv_json_doc *d = &f->doc;
  assert_int_equal(lv_json_type_of(d, 0), LV_JSON_OBJECT);
  assert_int_equal(lv_json_size(d, 0), 6);
  int a = lv_json_get(d, 0, "a"), b = lv_json_get(d, 0, "b");
  int c = lv_json_get(d, 0, "c"), dd = lv_json_get(d, 0, "d");
  assert_int_equal(lv_json_type_of(d, a), LV_JSON_NUMBER);
  assert_int_equal(lv_json_type_of(d, b), LV_JSON_STRING);
  assert_int_equal(lv_json_type_of(d, c), LV_JSON_ARRAY);
  assert_int_equal(lv_json_type_of(d, dd), LV_JSON_OBJECT);
  assert_int_equal(lv_json_size(d, c), 3);
  int e = lv_json_get(d, dd, "e");
  levee_str raw = lv_json_raw(d, e);
  assert_int_equal(raw.len, 6);
  assert_memory_equal(raw.ptr, "-1.5e3", 6);
  int64_t v;
  assert_int_equal(lv_json_int64(d, e, &v), LEVEE_OK);
  assert_int_equal(v, -1500);
  int t = lv_json_first(d, c);
  assert_int_equal(lv_json_type_of(d, t), LV_JSON_TRUE);
  t = lv_json_next(d, c, t);
  assert_int_equal(lv_json_type_of(d, t), LV_JSON_FALSE);
  t = lv_json_next(d, c, t);
  assert_int_equal(lv_json_type_of(d, t), LV_JSON_NULL);
  assert_int_equal(lv_json_next(d, c, t), -1);
  /* Empty containers have no first member. */
  assert_int_equal(lv_json_first(d, lv_json_get(d, 0, "f")), -1);
  assert_int_equal(lv_json_first(d, lv_json_get(d, 0, "g")), -1);
  assert_int_equal(lv_json_size(d, lv_json_get(d, 0, "g")), 0);
  /* Absent keys, non-objects and out-of-range tokens. */
  assert_int_equal(lv_json_get(d, 0, "z"), -1);
  assert_int_equal(lv_json_get(d, 0, "A"), -1);
  assert_int_equal(lv_json_get(d, c, "a"), -1);
  assert_int_equal(lv_json_get(d, a, "a"), -1);
  assert_int_equal(lv_json_type_of(d, -1), LV_JSON_INVALID);
  assert_int_equal(lv_json_type_of(d, 1000), LV_JSON_INVALID);
  assert_int_equal(lv_json_size(d, 1000), 0);
  assert_int_equal(lv_json_first(d, -1), -1);
}

static void test_get_skips_nested_keys(void **state) {
  fixture *f = *state;
  /* "id" inside a nested value is not a member of the root. */
  parse_ok(f, "{\"x\":{\"id\":1,\"y\":[{\"id\":2}]},\"z\":[\"id\"],\"id\":3}");
  int64_t v;
  int t = lv_json_get(&f->doc, 0, "id");
  assert_int_equal(lv_json_int64(&f->doc, t, &v), LEVEE_OK);
  assert_int_equal(v, 3);
  int x = lv_json_get(&f->doc, 0, "x");
  assert_int_equal(lv_json_int64(&f->doc, lv_json_get(&f->doc, x, "id"), &v),
                   LEVEE_OK);
  assert_int_equal(v, 1);
  assert_int_equal(lv_json_get(&f->doc, x, "z"), -1);
  /* With a duplicate key, the first one counts. */
  parse_ok(f, "{\"k\":1,\"k\":2}");
  assert_int_equal(lv_json_int64(&f->doc, lv_json_get(&f->doc, 0, "k"), &v),
                   LEVEE_OK);
  assert_int_equal(v, 1);
}

static void test_iterate_nested(void **state) {
  fixture *f = *state;
  parse_ok(f, "{\"a\":[1,[2,3],{\"b\":[4,{\"c\":5}]},\"s\",[]],"
              "\"m\":{\"p\":{\"q\":{}},\"r\":null},\"n\":0}");
  const lv_json_doc *d = &f->doc;
  /* Root members in order. */
  static const char *const keys[] = {"a", "m", "n"};
  int i = 0;
  for (int k = lv_json_first(d, 0); k >= 0; k = lv_json_next(d, 0, k), i++) {
    assert_true(i < 3);
    assert_true(lv_json_string_eq(d, k, keys[i]));
  }
  assert_int_equal(i, 3);
  /* Elements of a, whatever their size. */
  static const lv_json_type types[] = {LV_JSON_NUMBER, LV_JSON_ARRAY,
                                       LV_JSON_OBJECT, LV_JSON_STRING,
                                       LV_JSON_ARRAY};
  int arr = lv_json_get(d, 0, "a");
  i = 0;
  for (int t = lv_json_first(d, arr); t >= 0; t = lv_json_next(d, arr, t), i++)
    assert_int_equal(lv_json_type_of(d, t), types[i]);
  assert_int_equal(i, 5);
  /* Into a nested object inside an array. */
  int third = lv_json_next(d, arr, lv_json_next(d, arr, lv_json_first(d, arr)));
  int b = lv_json_get(d, third, "b");
  assert_int_equal(lv_json_size(d, b), 2);
  int inner = lv_json_next(d, b, lv_json_first(d, b));
  int64_t v;
  assert_int_equal(lv_json_int64(d, lv_json_get(d, inner, "c"), &v), LEVEE_OK);
  assert_int_equal(v, 5);
  /* Members of m: p has a nested object, r follows it. */
  int m = lv_json_get(d, 0, "m");
  int p = lv_json_first(d, m);
  assert_true(lv_json_string_eq(d, p, "p"));
  int r = lv_json_next(d, m, p);
  assert_true(lv_json_string_eq(d, r, "r"));
  assert_int_equal(lv_json_type_of(d, r + 1), LV_JSON_NULL);
  assert_int_equal(lv_json_next(d, m, r), -1);
  /* skip steps over a whole subtree. */
  assert_int_equal(lv_json_skip(d, m), lv_json_get(d, 0, "n") - 1);
  assert_int_equal(lv_json_skip(d, 0), f->doc.ntoks);
}

static void test_top_level_string(void **state) {
  fixture *f = *state;
  parse_ok(f, "\"just a string\"");
  assert_int_equal(lv_json_type_of(&f->doc, 0), LV_JSON_STRING);
  levee_str s = str_of(f, 0);
  assert_int_equal(s.len, 13);
  parse_ok(f, "[]");
  assert_int_equal(lv_json_type_of(&f->doc, 0), LV_JSON_ARRAY);
  parse_ok(f, "5 ");
  assert_int_equal(lv_json_type_of(&f->doc, 0), LV_JSON_NUMBER);
}

/* --- strings -------------------------------------------------------------- */

static void test_zero_copy(void **state) {
  fixture *f = *state;
  const char *src = "{\"k\":\"机密★1年 plain\",\"e\":\"a\\nb\",\"z\":\"\"}";
  parse_ok(f, src);
  levee_str s = str_of(f, lv_json_get(&f->doc, 0, "k"));
  assert_ptr_equal(s.ptr, src + 6); /* points into the input */
  assert_int_equal(s.len, strlen("机密★1年 plain"));
  levee_str e = str_of(f, lv_json_get(&f->doc, 0, "e"));
  assert_true(e.ptr < src || e.ptr >= src + strlen(src)); /* a copy */
  assert_int_equal(e.len, 3);
  assert_memory_equal(e.ptr, "a\nb", 3);
  levee_str z = str_of(f, lv_json_get(&f->doc, 0, "z"));
  assert_non_null(z.ptr); /* present but empty */
  assert_int_equal(z.len, 0);
}

static void check_unescape(fixture *f, const char *json_str, const char *want,
                           size_t want_len) {
  char doc[256];
  snprintf(doc, sizeof doc, "{\"s\":\"%s\"}", json_str);
  parse_ok(f, doc);
  levee_str s = str_of(f, lv_json_get(&f->doc, 0, "s"));
  if (s.len != want_len || memcmp(s.ptr, want, want_len))
    fail_msg("\"%s\" unescaped to '%.*s' (%zu bytes)", json_str, (int)s.len,
             s.ptr, s.len);
}

static void test_unescape_simple(void **state) {
  fixture *f = *state;
  check_unescape(f, "a\\\"b\\\\c\\/d", "a\"b\\c/d", 7);
  check_unescape(f, "\\b\\f\\n\\r\\t", "\b\f\n\r\t", 5);
  check_unescape(f, "\\u0041\\u00e9\\u4e2d", "Aé中", 6);
  check_unescape(f, "\\u00E9\\u4E2D", "é中", 5);
  check_unescape(f, "x\\u0000y", "x\0y", 3);
  check_unescape(f, "\\u79d8\\u5bc6\\u2605\\u0031\\u5e74", "秘密★1年",
                 strlen("秘密★1年"));
}

static void test_unescape_surrogates(void **state) {
  fixture *f = *state;
  /* A pair is one code point outside the BMP. */
  check_unescape(f, "\\ud83d\\ude00", "😀", 4);
  check_unescape(f, "\\uD83D\\uDE00!", "😀!", 5);
  check_unescape(f, "\\udbff\\udfff", "\xF4\x8F\xBF\xBF", 4);
  /* Lone surrogates become U+FFFD. */
  check_unescape(f, "\\ud800", "\xEF\xBF\xBD", 3);
  check_unescape(f, "\\udc00", "\xEF\xBF\xBD", 3);
  check_unescape(f, "a\\ud800b",
                 "a\xEF\xBF\xBD"
                 "b",
                 5);
  /* A high surrogate followed by something other than a low one. */
  check_unescape(f, "\\ud800\\u0041",
                 "\xEF\xBF\xBD"
                 "A",
                 4);
  check_unescape(f, "\\ud800\\ud800", "\xEF\xBF\xBD\xEF\xBF\xBD", 6);
  check_unescape(f, "\\ud800\\n", "\xEF\xBF\xBD\n", 4);
  /* Low before high is two lone surrogates. */
  check_unescape(f, "\\ude00\\ud83d", "\xEF\xBF\xBD\xEF\xBF\xBD", 6);
}

static void test_bad_escapes(void **state) {
  fixture *f = *state;
  parse_bad(f, "{\"s\":\"\\x41\"}", 12, LEVEE_ESYNTAX, NULL);
  parse_bad(f, "{\"s\":\"\\u12\"}", 12, LEVEE_ESYNTAX, NULL);
  parse_bad(f, "{\"s\":\"\\u12G4\"}", 14, LEVEE_ESYNTAX, NULL);
  parse_bad(f, "{\"s\":\"abc}", 10, LEVEE_ESYNTAX, NULL);
  parse_bad(f, "{\"s\":\"a\\\"}", 10, LEVEE_ESYNTAX, NULL);
  /* A NUL byte inside a string ends the tokenizer's view: unterminated. */
  parse_bad(f, "{\"s\":\"a\0b\"}", 11, LEVEE_ESYNTAX, NULL);
  /* lv_json_string on a token that is not a string. */
  parse_ok(f, "[1]");
  levee_str s;
  assert_int_equal(lv_json_string(&f->doc, 1, &f->arena, &s), LEVEE_EINVAL);
  assert_int_equal(lv_json_string(&f->doc, 0, &f->arena, &s), LEVEE_EINVAL);
}

/* --- rejected documents --------------------------------------------------- */

static void test_bad_literals(void **state) {
  fixture *f = *state;
  static const char *const bad[] = {
      "{\"a\":tru}",  "{\"a\":truex}", "{\"a\":nul}",   "{\"a\":nulll}",
      "{\"a\":fals}", "{\"a\":1x}",    "{\"a\":-}",     "{\"a\":--1}",
      "{\"a\":01}",   "{\"a\":1.}",    "{\"a\":1.e5}",  "{\"a\":1e}",
      "{\"a\":1e+}",  "{\"a\":0x10}",  "[1-2]",         "[-a]",
      "[.5]",         "[+1]",          "[True]",        "[NaN]",
      "[Infinity]",   "[1,tru]",       "{\"a\":[nul]}",
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    parse_bad(f, bad[i], strlen(bad[i]), LEVEE_ESYNTAX, NULL);
  levee_error err = {0};
  assert_int_equal(parse(f, "{\"a\":1x}", &err), LEVEE_ESYNTAX);
  assert_non_null(strstr(err.message, "bad literal at offset 5"));
  /* The same literals, well formed. */
  static const char *const good[] = {
      "[true,false,null]",
      "[0]",
      "[-0]",
      "[1.5]",
      "[-1.25e-3]",
      "[1E+2]",
      "[1e10]",
      "[123456]",
      "[0.0]",
  };
  for (size_t i = 0; i < sizeof good / sizeof *good; i++)
    parse_ok(f, good[i]);
}

static void test_trailing_and_multiple_values(void **state) {
  fixture *f = *state;
  parse_bad(f, "{}{}", 4, LEVEE_ESYNTAX, "more than one value");
  parse_bad(f, "{} {\"a\":1}", 10, LEVEE_ESYNTAX, "more than one value");
  parse_bad(f, "[1] [2]", 7, LEVEE_ESYNTAX, "more than one value");
  parse_bad(f, "\"a\" \"b\"", 7, LEVEE_ESYNTAX, "more than one value");
  parse_bad(f, "{\"a\":1} 2 ", 10, LEVEE_ESYNTAX, "more than one value");
  parse_bad(f, "{} x", 4, LEVEE_ESYNTAX, NULL);
  parse_bad(f, "{}}", 3, LEVEE_ESYNTAX, NULL);
  parse_bad(f, "[[]]]", 5, LEVEE_ESYNTAX, NULL);
  parse_bad(f, "{}\0{}", 5, LEVEE_ESYNTAX, "trailing bytes at offset 2");
  parse_bad(f, "{\"a\":1}\0", 8, LEVEE_ESYNTAX, "trailing bytes");
  /* Whitespace after the value is fine. */
  parse_ok(f, "{} \t\r\n");
}

static void test_malformed_structure(void **state) {
  fixture *f = *state;
  static const char *const bad[] = {
      "",           " \n ",    "{",           "[",      "{\"a\":1",
      "{\"a\":[1}", "[}",      "{\"a\":1]}",  "{1:2}",  "{\"a\" 1}",
      "{\"a\",1}",  "[1:2]",   "{\"a\":1:2}", "{[]:1}", "{{}:1}",
      "'a'",        "{'a':1}", "[\"a\"",      "}",      "]",
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    parse_bad(f, bad[i], strlen(bad[i]), LEVEE_ESYNTAX, NULL);
  levee_error err = {0};
  assert_int_equal(parse(f, "{\"a\":[1,2", &err), LEVEE_ESYNTAX);
  assert_non_null(strstr(err.message, "unexpected end"));
  assert_int_equal(parse(f, "   ", &err), LEVEE_ESYNTAX);
  assert_non_null(strstr(err.message, "empty"));
}

/* --- the two paths ----------------------------------------------------- */

/* Parses s[0..len) by the byte-wise path and by path, and requires the same
 * status, message and tokens. Returns whether path took it whole. */
static int same_as_bytewise(fixture *f, const char *s, size_t len,
                            lv_json_path path) {
  lv_json_doc *d = &f->doc;
  levee_error want = {0}, got = {0};
  int want_rc = lv_json_parse_path(d, s, len, &want, LV_JSON_PATH_BYTEWISE);
  int n = d->ntoks;
  lv_json_tok *toks = malloc(sizeof *toks * (size_t)(n ? n : 1));
  assert_non_null(toks);
  if (n)
    memcpy(toks, d->toks, sizeof *toks * (size_t)n);
  int got_rc = lv_json_parse_path(d, s, len, &got, path);
  if (got_rc != want_rc || d->ntoks != n)
    fail_msg("path %d on '%.*s': status %d with %d tokens, byte-wise %d with "
             "%d",
             (int)path, (int)len, s, got_rc, d->ntoks, want_rc, n);
  assert_string_equal(got.message, want.message);
  for (int t = 0; t < n; t++)
    if (!lv_json_tok_eq(&toks[t], &d->toks[t]))
      fail_msg("path %d on '%.*s': token %d differs", (int)path, (int)len, s,
               t);
  free(toks);
  return d->indexed;
}

static void test_paths_agree(void **state) {
  fixture *f = *state;
  static const char *const docs[] = {
      /* valid */
      "{\"id\":\"m1\",\"time\":1717171200323,\"channel\":\"wecom\","
      "\"conversation\":{\"id\":\"g1\",\"type\":\"group\",\"external\":false},"
      "\"sender\":{\"id\":\"u1\",\"role\":\"staff\"},\"text\":\"机密文件 {x:1,}"
      " [y]\"}",
      "{ \"a\" : [ 1 , -2.5e+3 , true , false , null , \"\" , { } , [ ] ] }",
      "[0,-0,0.5,1E9,1e-9,123456789012345678901234567890]",
      "\"top\"",
      "12",
      "true",
      " null ",
      "{}",
      "[]",
      "[[[[{}]]]]",
      "{\"a\":{\"b\":{\"c\":[{\"d\":\"\\u6d4b\"}]}}}",
      "{\"tab\":\"a\\tb\",\"q\":\"say \\\"hi\\\"\"}",
      "\t{\"a\":1}\r\n",
      /* invalid */
      "",
      "  ",
      "{",
      "[",
      "{\"a\":1",
      "{\"a\":[1}",
      "[}",
      "{\"a\":1]}",
      "{1:2}",
      "{\"a\" 1}",
      "{\"a\",1}",
      "[1:2]",
      "{\"a\":1:2}",
      "{[]:1}",
      "[1 2]",
      "[1,]",
      "[,1]",
      "{\"a\":1,}",
      "[01]",
      "[1.]",
      "[.5]",
      "[1e]",
      "[-]",
      "[tru]",
      "[truex]",
      "[nul]",
      "[fals]",
      "[+1]",
      "[1\"a\"]",
      "[\"a\"1]",
      "[\"a\" \"b\"]",
      "{\"a\":x}",
      "\"open",
      "\"a\nb\"",
      "[\"a\\x\"]",
      "[\"\\u12\"]",
      "[1]x",
      "[1] [2]",
      "{} {}",
      "[\x01]",
      "{\"a\":1}\x0b",
      "[\"\x7f\xff\"]",
      "}",
      "]",
      ":",
      ",",
  };
  for (int p = LV_JSON_PATH_PORTABLE; p < LV_JSON_PATH_COUNT; p++) {
    if (!lv_json_path_available((lv_json_path)p))
      continue;
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) {
      /* Every byte at every place in a 64-byte block: lead with 0..70
       * spaces (a tab in between, so that control bytes get seen too). */
      size_t n = strlen(docs[i]);
      char *buf = malloc(n + 72);
      assert_non_null(buf);
      for (size_t lead = 0; lead <= 70; lead++) {
        memset(buf, ' ', lead);
        if (lead > 3)
          buf[lead / 2] = '\t';
        memcpy(buf + lead, docs[i], n);
        (void)same_as_bytewise(f, buf, lead + n, (lv_json_path)p);
      }
      free(buf);
    }
  }
}

/* The indexed path takes plain documents whole, and leaves escapes, control
 * bytes and errors to the byte-wise path. */
static void test_indexed_path_taken(void **state) {
  fixture *f = *state;
  const char *plain = "{\"id\":\"m1\",\"time\":17,\"text\":\"保密\"}";
  const char *escaped = "{\"id\":\"m1\",\"text\":\"a\\nb\"}";
  const char *wrong = "{\"id\":\"m1\",}";
  int vector_paths = 0;
  for (int p = LV_JSON_PATH_PORTABLE; p < LV_JSON_PATH_COUNT; p++) {
    if (!lv_json_path_available((lv_json_path)p)) {
      levee_error err = {0};
      assert_int_equal(lv_json_parse_path(&f->doc, plain, strlen(plain), &err,
                                          (lv_json_path)p),
                       LEVEE_EINVAL);
      continue;
    }
    vector_paths += p > LV_JSON_PATH_PORTABLE;
    assert_true(same_as_bytewise(f, plain, strlen(plain), (lv_json_path)p));
    assert_false(
        same_as_bytewise(f, escaped, strlen(escaped), (lv_json_path)p));
    assert_false(same_as_bytewise(f, wrong, strlen(wrong), (lv_json_path)p));
  }
#if defined(__x86_64__)
  assert_true(vector_paths >= 1); /* SSE2 is part of x86-64 */
#endif
  /* lv_json_parse takes the indexed path too. */
  parse_ok(f, plain);
  assert_true(f->doc.indexed);
}

/* Fills buf with a valid array of objects, about want bytes long, whose
 * strings (of every length up to 150 bytes, Chinese and structural bytes in
 * them) cross block boundaries everywhere. Returns the length. */
static size_t long_document(char *buf, size_t cap, size_t want) {
  static const char sample[] =
      "维护的数据，分类、分级与脱敏：{[,]}:key ends "
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy";
  size_t n = 0;
  buf[n++] = '[';
  for (int k = 0; n < want; k++)
    n += (size_t)snprintf(buf + n, cap - n,
                          "{\"k%d\":\"%.*s\",\"v\":[%d,%d.5,true]},", k,
                          k % 150, sample, k, -k);
  buf[n - 1] = ']'; /* in place of the last comma */
  return n;
}

/* Long documents, by every path: a valid one, one with a stray quote deep
 * inside, and one too long for the indexed path. */
static void test_paths_agree_long(void **state) {
  fixture *f = *state;
  size_t cap = 400000;
  char *buf = malloc(cap);
  assert_non_null(buf);
  for (int p = LV_JSON_PATH_PORTABLE; p < LV_JSON_PATH_COUNT; p++) {
    if (!lv_json_path_available((lv_json_path)p))
      continue;
    size_t n = long_document(buf, cap, 200000);
    assert_true(same_as_bytewise(f, buf, n, (lv_json_path)p));
    assert_true(f->doc.ntoks > 10000);
    buf[n / 2] = '"';
    assert_false(same_as_bytewise(f, buf, n, (lv_json_path)p));
    n = long_document(buf, cap, 300000);
    assert_false(same_as_bytewise(f, buf, n, (lv_json_path)p));
    assert_int_equal(lv_json_type_of(&f->doc, 0), LV_JSON_ARRAY);
  }
  free(buf);
}

/* --- limits --------------------------------------------------------------- */

static char *nested_arrays(int depth) {
  char *s = malloc((size_t)depth * 2 + 1);
  assert_non_null(s);
  memset(s, '[', (size_t)depth);
  memset(s + depth, ']', (size_t)depth);
  s[depth * 2] = '\0';
  return s;
}

static void test_depth_limit(void **state) {
  fixture *f = *state;
  char *ok = nested_arrays(LV_MAX_JSON_DEPTH);
  parse_ok(f, ok);
  assert_int_equal(f->doc.ntoks, LV_MAX_JSON_DEPTH);
  free(ok);
  for (int depth = LV_MAX_JSON_DEPTH + 2; depth <= 200; depth += 99) {
    char *deep = nested_arrays(depth);
    parse_bad(f, deep, strlen(deep), LEVEE_ETOOBIG, "nested deeper than");
    free(deep);
  }
  /* Deep nesting inside an otherwise ordinary event is refused too. */
  char buf[512];
  int o = snprintf(buf, sizeof buf, "{\"id\":\"x\",\"meta\":");
  for (int i = 0; i < 40; i++)
    buf[o++] = '[';
  for (int i = 0; i < 40; i++)
    buf[o++] = ']';
  buf[o++] = '}';
  buf[o] = '\0';
  parse_bad(f, buf, (size_t)o, LEVEE_ETOOBIG, NULL);
}

/* "[0,0,...]" with n elements (n + 1 tokens). */
static char *flat_array(size_t n) {
  char *s = malloc(n * 2 + 2);
  assert_non_null(s);
  size_t o = 0;
  s[o++] = '[';
  for (size_t i = 0; i < n; i++) {
    s[o++] = '0';
    s[o++] = i + 1 < n ? ',' : ']';
  }
  s[o] = '\0';
  return s;
}

static void test_token_limit(void **state) {
  fixture *f = *state;
  char *ok = flat_array(LV_MAX_JSON_TOKENS - 1);
  parse_ok(f, ok);
  assert_int_equal(f->doc.ntoks, LV_MAX_JSON_TOKENS);
  assert_int_equal(lv_json_size(&f->doc, 0), LV_MAX_JSON_TOKENS - 1);
  free(ok);
  char *big = flat_array(LV_MAX_JSON_TOKENS);
  parse_bad(f, big, strlen(big), LEVEE_ETOOBIG, "JSON tokens");
  free(big);
  /* The document is reusable after hitting the limit. */
  parse_ok(f, "{\"a\":[1,2]}");
  assert_int_equal(f->doc.ntoks, 5);
}

static void test_line_limit(void **state) {
  fixture *f = *state;
  levee_error err = {0};
  size_t n = (size_t)LV_MAX_LINE_BYTES + 1;
  char *line = malloc(n);
  assert_non_null(line);
  memset(line, ' ', n);
  memcpy(line, "{}", 2);
  assert_int_equal(lv_json_parse(&f->doc, line, n, &err), LEVEE_ETOOBIG);
  assert_int_equal(err.status, LEVEE_ETOOBIG);
  /* One byte less is within the limit. */
  assert_int_equal(lv_json_parse(&f->doc, line, n - 1, &err), LEVEE_OK);
  free(line);
}

static void test_int64(void **state) {
  fixture *f = *state;
  parse_ok(f, "[123,-5,1.5e3,1.5,9223372036854775807,9223372036854775808,"
              "1e300,-0,\"7\",1594771200000,2.0]");
  const lv_json_doc *d = &f->doc;
  int64_t v = 0;
  int t = lv_json_first(d, 0);
  assert_int_equal(lv_json_int64(d, t, &v), LEVEE_OK);
  assert_int_equal(v, 123);
  t = lv_json_next(d, 0, t);
  assert_int_equal(lv_json_int64(d, t, &v), LEVEE_OK);
  assert_int_equal(v, -5);
  t = lv_json_next(d, 0, t);
  assert_int_equal(lv_json_int64(d, t, &v), LEVEE_OK);
  assert_int_equal(v, 1500);
  t = lv_json_next(d, 0, t);
  v = 42;
  assert_int_equal(lv_json_int64(d, t, &v), LEVEE_EINVAL); /* 1.5 */
  assert_int_equal(v, 42);                                 /* untouched */
  t = lv_json_next(d, 0, t);
  assert_int_equal(lv_json_int64(d, t, &v), LEVEE_OK);
  assert_int_equal(v, INT64_MAX);
  t = lv_json_next(d, 0, t);
  assert_int_equal(lv_json_int64(d, t, &v), LEVEE_EINVAL); /* 2^63 */
  t = lv_json_next(d, 0, t);
  assert_int_equal(lv_json_int64(d, t, &v), LEVEE_EINVAL); /* 1e300 */
  t = lv_json_next(d, 0, t);
  assert_int_equal(lv_json_int64(d, t, &v), LEVEE_OK);
  assert_int_equal(v, 0);
  t = lv_json_next(d, 0, t);
  assert_int_equal(lv_json_int64(d, t, &v), LEVEE_EINVAL); /* a string */
  t = lv_json_next(d, 0, t);
  assert_int_equal(lv_json_int64(d, t, &v), LEVEE_OK);
  assert_int_equal(v, 1594771200000);
  t = lv_json_next(d, 0, t);
  assert_int_equal(lv_json_int64(d, t, &v), LEVEE_OK);
  assert_int_equal(v, 2);
  assert_int_equal(lv_json_next(d, 0, t), -1);
}

/* Separators and string bytes between tokens: each of these must fail. */
static void test_structure(void **state) {
  fixture *f = *state;
  static const char *const bad[] = {"[1 2]",
                                    "{\"a\":1 \"b\":2}",
                                    "{\"a\":}",
                                    "[1,]",
                                    "{,}",
                                    "{\"a\":1,}",
                                    "[,1]",
                                    "{\"a\"}",
                                    "[\"a\":1]",
                                    "[1,,2]",
                                    "{\"a\"::1}",
                                    "\"line\nbreak\"",
                                    "{\"a\":\"tab\there\"}"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    parse_bad(f, bad[i], strlen(bad[i]), LEVEE_ESYNTAX, "invalid JSON");
  parse_ok(f, "{\"a\":[1,2,{\"b\":null}],\"c\":\"x\",\"d\":{}}");
  parse_ok(f, " [ ] ");
  parse_ok(f, "{ \"a\" : [ 1 , 2 ] }");
}

static void test_doc_reuse(void **state) {
  fixture *f = *state;
  parse_ok(f, "{\"a\":{\"b\":[1,2,3]}}");
  assert_int_equal(f->doc.ntoks, 8);
  parse_ok(f, "[\"x\"]");
  assert_int_equal(f->doc.ntoks, 2);
  assert_int_equal(lv_json_type_of(&f->doc, 2), LV_JSON_INVALID);
  levee_error err = {0};
  assert_int_equal(parse(f, "[tru]", &err), LEVEE_ESYNTAX);
  assert_int_equal(f->doc.ntoks, 0);
  parse_ok(f, "{}");
  assert_int_equal(lv_json_get(&f->doc, 0, "a"), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_object_members_and_types, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_get_skips_nested_keys, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_iterate_nested, setup, teardown),
      cmocka_unit_test_setup_teardown(test_top_level_string, setup, teardown),
      cmocka_unit_test_setup_teardown(test_zero_copy, setup, teardown),
      cmocka_unit_test_setup_teardown(test_unescape_simple, setup, teardown),
      cmocka_unit_test_setup_teardown(test_unescape_surrogates, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_bad_escapes, setup, teardown),
      cmocka_unit_test_setup_teardown(test_bad_literals, setup, teardown),
      cmocka_unit_test_setup_teardown(test_trailing_and_multiple_values, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_malformed_structure, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_paths_agree, setup, teardown),
      cmocka_unit_test_setup_teardown(test_indexed_path_taken, setup, teardown),
      cmocka_unit_test_setup_teardown(test_paths_agree_long, setup, teardown),
      cmocka_unit_test_setup_teardown(test_depth_limit, setup, teardown),
      cmocka_unit_test_setup_teardown(test_token_limit, setup, teardown),
      cmocka_unit_test_setup_teardown(test_line_limit, setup, teardown),
      cmocka_unit_test_setup_teardown(test_int64, setup, teardown),
      cmocka_unit_test_setup_teardown(test_structure, setup, teardown),
      cmocka_unit_test_setup_teardown(test_doc_reuse, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
