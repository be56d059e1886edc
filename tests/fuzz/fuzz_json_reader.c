/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_json_reader.c: libFuzzer target that checks levee's JSON reader
 * (src/util/json_reader.c) against jansson, the JSON library DESIGN.md
 * names, on the same bytes.
 *
 * Both parse every input. Where the two are meant to agree, they must:
 * the same documents accepted and refused, and for accepted ones the same
 * tree (types, array lengths, object members, unescaped strings). They
 * differ on purpose only where levee's reader is more lenient or more
 * bounded, and those inputs are left out of the comparison:
 *   - invalid UTF-8 (levee reads it, the normalizer turns it to U+FFFD);
 *   - lone surrogate escapes (levee decodes them to U+FFFD);
 *   - numbers outside double or int64 range (levee keeps them as text);
 *   - documents deeper or larger than levee's limits (util/limits.h);
 *   - raw NUL bytes, where jansson stops reading as if the input ended
 *     (levee refuses them: a NUL is neither whitespace nor allowed in a
 *     string).
 * Duplicate keys are compared on the first occurrence only (levee's
 * lv_json_get returns the first, jansson keeps the last).
 *
 * Before that, every path of levee's reader this CPU has (the byte-wise
 * one and the indexed ones, lv_json_path) must give the same status,
 * message and tokens; and lv_json_index_skip over the whole document must
 * accept what the reader accepts (but for nesting past its bound).
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "levee/levee.h"
#include "util/arena.h"
#include "util/json_reader.h"
#include "util/limits.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "fuzz_json_reader: disagreement: %s (line %d)\n", #cond, \
              __LINE__);                                                       \
      abort();                                                                 \
    }                                                                          \
  } while (0)

static lv_json_doc doc;
static lv_arena arena;
static int ready;

static void same_tree(int tok, const json_t *j) {
  switch (lv_json_type_of(&doc, tok)) {
  case LV_JSON_OBJECT: {
    CHECK(json_is_object(j));
    /* Each name unescaped once (the arena is bounded), then compared. */
    size_t n = (size_t)lv_json_size(&doc, tok), m = 0, distinct = 0;
    levee_str *names = malloc((n ? n : 1) * sizeof *names);
    int *values = malloc((n ? n : 1) * sizeof *values);
    CHECK(names && values);
    for (int k = lv_json_first(&doc, tok); k >= 0;
         k = lv_json_next(&doc, tok, k)) {
      CHECK(m < n);
      CHECK(lv_json_string(&doc, k, &arena, &names[m]) == LEVEE_OK);
      values[m++] = k + 1;
    }
    CHECK(m == n);
    for (size_t a = 0; a < n; a++) {
      size_t first = 0, count = 0;
      for (size_t b = 0; b < n; b++)
        if (names[b].len == names[a].len &&
            !memcmp(names[b].ptr, names[a].ptr, names[a].len)) {
          if (!count)
            first = b;
          count++;
        }
      if (first != a)
        continue; /* a later copy of a name already compared */
      distinct++;
      const json_t *v = json_object_getn(j, names[a].ptr, names[a].len);
      CHECK(v != NULL);
      if (count == 1) /* duplicates: levee keeps the first, jansson the last */
        same_tree(values[a], v);
    }
    CHECK(distinct == json_object_size(j));
    free(names);
    free(values);
    break;
  }
  case LV_JSON_ARRAY: {
    CHECK(json_is_array(j));
    CHECK((size_t)lv_json_size(&doc, tok) == json_array_size(j));
    size_t i = 0;
    for (int e = lv_json_first(&doc, tok); e >= 0;
         e = lv_json_next(&doc, tok, e))
      same_tree(e, json_array_get(j, i++));
    CHECK(i == json_array_size(j));
    break;
  }
  case LV_JSON_STRING: {
    CHECK(json_is_string(j));
    levee_str s;
    CHECK(lv_json_string(&doc, tok, &arena, &s) == LEVEE_OK);
    CHECK(s.len == json_string_length(j));
    CHECK(memcmp(s.ptr, json_string_value(j), s.len) == 0);
    break;
  }
  case LV_JSON_NUMBER: CHECK(json_is_number(j)); break;
  case LV_JSON_TRUE: CHECK(json_is_true(j)); break;
  case LV_JSON_FALSE: CHECK(json_is_false(j)); break;
  case LV_JSON_NULL: CHECK(json_is_null(j)); break;
  default: CHECK(!"a token of no type");
  }
}

/* Inputs where the two readers differ by design (see the head comment). */
static int lenient_by_design(const json_error_t *e) {
  return strstr(e->text, "Unicode") || strstr(e->text, "too big") ||
         strstr(e->text, "overflow") || strstr(e->text, "NUL") ||
         strstr(e->text, "UTF-8");
}

/* Every path agrees with the byte-wise one on s[0..size). */
static void paths_agree(const char *s, size_t size) {
  static lv_json_doc other;
  static lv_json_tok *want;
  static size_t want_cap;
  levee_error e1 = {0}, e2 = {0};
  int rc = lv_json_parse_path(&doc, s, size, &e1, LV_JSON_PATH_BYTEWISE);
  size_t n = (size_t)doc.ntoks;
  if (n > want_cap) {
    free(want);
    want = malloc(n * sizeof *want);
    CHECK(want);
    want_cap = n;
  }
  if (n)
    memcpy(want, doc.toks, n * sizeof *want);
  for (int p = LV_JSON_PATH_PORTABLE; p < LV_JSON_PATH_COUNT; p++) {
    if (!lv_json_path_available((lv_json_path)p))
      continue;
    memset(&e2, 0, sizeof e2);
    CHECK(lv_json_parse_path(&other, s, size, &e2, (lv_json_path)p) == rc);
    CHECK(strcmp(e1.message, e2.message) == 0);
    CHECK((size_t)other.ntoks == n);
    for (size_t t = 0; t < n; t++)
      CHECK(lv_json_tok_eq(&want[t], &other.toks[t]));
  }
}

/* lv_json_index_skip over the whole document accepts what the reader does
 * (up to its shallower depth bound). */
static void skip_agrees(const char *s, size_t size) {
  static lv_json_doc ix;
  const uint32_t *idx;
  if (lv_json_index(&ix, s, size, &idx))
    return;
  size_t i = 0, k = 0;
  while (i < size &&
         (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') &&
         i != idx[k])
    i++;
  int ok = i < size && lv_json_index_skip(s, size, idx, &i, &k) == 0;
  while (ok && i < size &&
         (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
    i++;
  ok = ok && i == size;
  levee_error e = {0};
  int rc = lv_json_parse_path(&doc, s, size, &e, LV_JSON_PATH_BYTEWISE);
  if (ok)
    CHECK(rc == LEVEE_OK);
  else if (rc == LEVEE_OK) {
    /* Only nesting past the skip's bound may make it refuse. */
    int depth = 0, most = 0;
    for (size_t j = 0; idx[j] != LV_JSON_INDEX_END; j++) {
      char c = s[idx[j]];
      depth += (c == '{' || c == '[') - (c == '}' || c == ']');
      most = depth > most ? depth : most;
    }
    CHECK(most > LV_MAX_JSON_DEPTH / 2);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!ready) {
    lv_json_doc_init(&doc);
    lv_arena_init(&arena, 1u << 22);
    ready = 1;
  }
  lv_arena_reset(&arena);
  const char *s = (const char *)data;
  paths_agree(s, size);
  skip_agrees(s, size);
  levee_error err = {0};
  int rc = lv_json_parse(&doc, s, size, &err);
  CHECK(rc == LEVEE_OK || err.message[0] != '\0');
  if (rc == LEVEE_OK) {
    /* Every token lies inside the input and subtrees nest. */
    for (int i = 0; i < doc.ntoks; i++) {
      CHECK(doc.toks[i].start <= doc.toks[i].end && doc.toks[i].end <= size);
      CHECK(doc.toks[i].next > i && doc.toks[i].next <= doc.ntoks);
    }
  }
  if (rc == LEVEE_ETOOBIG || !lv_utf8_valid(s, size) || memchr(s, 0, size))
    return 0;
  json_error_t jerr;
  json_t *j = json_loadb(s, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
  if (!j) {
    if (rc == LEVEE_OK && !lenient_by_design(&jerr)) {
      fprintf(stderr, "levee accepted what jansson refused: %s\n", jerr.text);
      CHECK(!"accepted");
    }
    return 0;
  }
  if (rc != LEVEE_OK) {
    fprintf(stderr, "levee refused what jansson accepted: %s\n", err.message);
    json_decref(j);
    CHECK(!"refused");
  }
  same_tree(0, j);
  json_decref(j);
  return 0;
}
