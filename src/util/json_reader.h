/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json_reader.h: reading one JSON document (an event line, a WeCom record)
 * without building a tree.
 *
 * Tokenizing is done by jsmn (Debian libjsmn-dev), which allocates nothing
 * and runs at memory speed; this layer adds bounds, typed accessors and
 * string unescaping. Strings without escapes are returned zero-copy,
 * pointing into the input; others are unescaped into the caller's arena.
 * (jansson builds a tree of hash tables and measured 20x slower on event
 * lines; see docs/ARCHITECTURE.md.)
 */
#ifndef LV_UTIL_JSON_READER_H
#define LV_UTIL_JSON_READER_H

#include <stddef.h>
#include <stdint.h>

#include "levee/levee.h"
#include "util/arena.h"

typedef enum lv_json_type {
  LV_JSON_INVALID = 0,
  LV_JSON_OBJECT,
  LV_JSON_ARRAY,
  LV_JSON_STRING,
  LV_JSON_NUMBER,
  LV_JSON_TRUE,
  LV_JSON_FALSE,
  LV_JSON_NULL
} lv_json_type;

typedef struct lv_json_doc {
  const char *src; /* borrowed input */
  size_t len;
  void *toks; /* jsmntok_t[], owned, reused across parses */
  int *aux;   /* 2 * cap ints for the structure check, owned */
  int ntoks;  /* tokens in the current document */
  int cap;
} lv_json_doc;

void lv_json_doc_init(lv_json_doc *d);
void lv_json_doc_cleanup(lv_json_doc *d);

/* Tokenizes src[0..len) (borrowed until the next parse). The document must
 * be one JSON value, surrounded only by whitespace. On failure the reason is
 * written to err. Token 0 is the root. */
int lv_json_parse(lv_json_doc *d, const char *src, size_t len, levee_error *err)
    __attribute__((warn_unused_result));

lv_json_type lv_json_type_of(const lv_json_doc *d, int tok);
/* Index of the token after tok's whole subtree. */
int lv_json_skip(const lv_json_doc *d, int tok);
/* Number of members (object) or elements (array). */
int lv_json_size(const lv_json_doc *d, int tok);
/* The value token of member key in object obj, or -1. */
int lv_json_get(const lv_json_doc *d, int obj, const char *key);
/* Iteration: first element/member-key token of a container, then
 * lv_json_next(); members are key tokens whose value is key + 1. */
int lv_json_first(const lv_json_doc *d, int container);
int lv_json_next(const lv_json_doc *d, int container, int tok);

/* A string token's value, unescaped (into a when needed). */
int lv_json_string(const lv_json_doc *d, int tok, lv_arena *a, levee_str *out)
    __attribute__((warn_unused_result));
/* Whether a string token equals key exactly (no unescaping of key). */
int lv_json_string_eq(const lv_json_doc *d, int tok, const char *key);
/* The raw bytes of a token (for numbers and literals). */
levee_str lv_json_raw(const lv_json_doc *d, int tok);
/* An integral number token within int64 range. */
int lv_json_int64(const lv_json_doc *d, int tok, int64_t *out)
    __attribute__((warn_unused_result));

#endif
