/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json_reader.h: reading one JSON document (an event line, a WeCom record)
 * without building a tree.
 *
 * The whole RFC 8259 grammar is checked (strict literals, numbers and
 * escapes; no control bytes in strings; nothing but whitespace around the
 * one value) and a flat array of tokens is made in document order, by one
 * of two paths that make the same tokens (lv_json_path): an indexed path
 * that first lists the structural bytes with vector compares, and a
 * byte-wise path for the rest. Strings without escapes are returned zero-copy,
 * pointing into the input; others are unescaped into the caller's arena. Depth,
 * token count and document size are bounded (util/limits.h).
 *
 * Why not a library: jansson (DESIGN.md) builds a tree of hash tables and
 * measured 20x slower on event lines; jsmn tokenizes without checking the
 * grammar between tokens, and it plus the checks it needed cost more than
 * the pattern scan itself. docs/ARCHITECTURE.md has the figures, and the
 * fuzz target fuzz_json_reader checks this reader against jansson.
 */
#ifndef LV_UTIL_JSON_READER_H
#define LV_UTIL_JSON_READER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

/* One token. Tokens are in document order; an object's members are a key
 * token (a string) followed by its value's tokens. */
typedef struct lv_json_tok {
  uint32_t start;  /* first byte (for strings: after the opening quote) */
  uint32_t end;    /* one past the last byte (strings: the closing quote) */
  int32_t next;    /* index of the first token after this one's subtree */
  int32_t size;    /* members (object) or elements (array); 0 otherwise */
  uint8_t type;    /* lv_json_type */
  uint8_t escaped; /* a string with at least one backslash escape */
} lv_json_tok;

typedef struct lv_json_doc {
  const char *src; /* borrowed input */
  size_t len;
  lv_json_tok *toks; /* owned, reused across parses */
  int ntoks;         /* tokens in the current document */
  int cap;
  uint32_t *index; /* owned: structural positions (the indexed path) */
  size_t index_cap;
  int indexed; /* the last parse was done by the indexed path */
} lv_json_doc;

/* How lv_json_parse reads a document. Both paths accept the same documents
 * and make the same tokens; the indexed path first finds the structural
 * bytes 16, 32 or 64 at a time and leaves to the byte-wise path any
 * document it does not take (escapes, control bytes, errors, very long
 * documents), so that error messages come from one place. Tests and the
 * fuzz target choose a path to compare them; lv_json_parse takes the best
 * one the CPU supports. */
typedef enum lv_json_path {
  LV_JSON_PATH_BEST = 0,
  LV_JSON_PATH_BYTEWISE,
  LV_JSON_PATH_PORTABLE, /* indexed, byte by byte in plain C */
  LV_JSON_PATH_SSE2,
  LV_JSON_PATH_AVX2,
  LV_JSON_PATH_AVX512,
  LV_JSON_PATH_AVX512VBMI2, /* AVX-512 with byte compress (Ice Lake, Zen 4) */
  LV_JSON_PATH_COUNT
} lv_json_path;

void lv_json_doc_init(lv_json_doc *d);
void lv_json_doc_cleanup(lv_json_doc *d);

/* Tokenizes src[0..len) (borrowed until the next parse). The document must
 * be one JSON value, surrounded only by whitespace. On failure the reason is
 * written to err and the document holds no tokens. Token 0 is the root. */
int lv_json_parse(lv_json_doc *d, const char *src, size_t len, levee_error *err)
    __attribute__((warn_unused_result));

/* lv_json_parse with a chosen path; LEVEE_EINVAL if this CPU lacks it. */
int lv_json_parse_path(lv_json_doc *d, const char *src, size_t len,
                       levee_error *err, lv_json_path path)
    __attribute__((warn_unused_result));
/* Whether this CPU (and build) can take the path. */
int lv_json_path_available(lv_json_path path);

/* The end of a structural index: no position equals it. */
#define LV_JSON_INDEX_END UINT32_MAX
/* The structural index of src[0..len) alone, for a parser that walks it
 * itself (the event parser's fast path): the offsets of every quote and of
 * every {}[]:, outside strings, in order, then LV_JSON_INDEX_END twice. A
 * string's bytes lie between its two quotes' positions. Nothing else is
 * checked: the walker must check the grammar. Returns 0 with *idx (owned by
 * d, valid until d's next use; d holds no tokens), or nonzero when the
 * indexed path does not take src (a backslash, a control byte other than
 * whitespace outside strings, an unterminated string, over 256 KiB): then
 * lv_json_parse reads it. */
int lv_json_index(lv_json_doc *d, const char *src, size_t len,
                  const uint32_t **idx) __attribute__((warn_unused_result));
/* Steps over the one JSON value that starts at byte *pi of s[0..n) (no
 * whitespace before it), whose structural index idx is at entry *pk (the
 * first entry at or after *pi), checking its grammar; leaves *pi and *pk just
 * after it. Returns nonzero, leaving them as they were, when the value is
 * out of grammar or nested deeper than half of LV_MAX_JSON_DEPTH. */
int lv_json_index_skip(const char *s, size_t n, const uint32_t *idx, size_t *pi,
                       size_t *pk) __attribute__((warn_unused_result));

static inline lv_json_type lv_json_type_of(const lv_json_doc *d, int tok) {
  return tok >= 0 && tok < d->ntoks ? (lv_json_type)d->toks[tok].type
                                    : LV_JSON_INVALID;
}
/* Index of the token after tok's whole subtree. */
int lv_json_skip(const lv_json_doc *d, int tok);
/* Number of members (object) or elements (array). */
int lv_json_size(const lv_json_doc *d, int tok);
/* The value token of member key in object obj, or -1. */
int lv_json_get(const lv_json_doc *d, int obj, const char *key);
/* A member name for lv_json_members(); LV_JSON_KEY("id") makes one. */
typedef struct lv_json_key {
  const char *name;
  size_t len;
} lv_json_key;
#define LV_JSON_KEY(s)                                                         \
  { (s), sizeof(s) - 1 }
/* One pass over object obj's members: out[k] is the value token of the
 * first member named keys[k] (raw bytes, no unescaping), or -1. Returns -1
 * when obj is not an object, else 0. */
static inline __attribute__((always_inline)) int
lv_json_members(const lv_json_doc *d, int obj, const lv_json_key *keys, int n,
                int *out) {
  /* Inline, so that with constant keys each comparison is a few loads. */
  for (int k = 0; k < n; k++)
    out[k] = -1;
  if (lv_json_type_of(d, obj) != LV_JSON_OBJECT)
    return -1;
  const lv_json_tok *t = d->toks;
  for (int m = obj + 1; m < t[obj].next; m = t[m + 1].next) {
    size_t len = t[m].end - t[m].start;
    const char *name = d->src + t[m].start;
    for (int k = 0; k < n; k++)
      if (keys[k].len == len && memcmp(keys[k].name, name, keys[k].len) == 0) {
        if (out[k] < 0)
          out[k] = m + 1; /* the first of duplicate members counts */
        break;
      }
  }
  return 0;
}
/* Iteration: first element/member-key token of a container, then
 * lv_json_next(); members are key tokens whose value is key + 1. */
int lv_json_first(const lv_json_doc *d, int container);
int lv_json_next(const lv_json_doc *d, int container, int tok);

/* A string token's value, unescaped into a when it has escapes. */
int lv_json_unescape(const lv_json_doc *d, int tok, lv_arena *a, levee_str *out)
    __attribute__((warn_unused_result));
/* The same, inline for the common string without escapes. */
__attribute__((warn_unused_result)) static inline int
lv_json_string(const lv_json_doc *d, int tok, lv_arena *a, levee_str *out) {
  if (tok >= 0 && tok < d->ntoks && d->toks[tok].type == LV_JSON_STRING &&
      !d->toks[tok].escaped) {
    out->ptr = d->src + d->toks[tok].start;
    out->len = d->toks[tok].end - d->toks[tok].start;
    return LEVEE_OK;
  }
  return lv_json_unescape(d, tok, a, out);
}
/* Whether a string token's raw bytes equal key[0..n) (no unescaping). */
int lv_json_key_is(const lv_json_doc *d, int tok, const char *key, size_t n);
/* Whether a string token equals key exactly (no unescaping of key). */
int lv_json_string_eq(const lv_json_doc *d, int tok, const char *key);
/* The raw bytes of a token (for numbers and literals). */
levee_str lv_json_raw(const lv_json_doc *d, int tok);
/* An integral number token within int64 range. */
int lv_json_int64(const lv_json_doc *d, int tok, int64_t *out)
    __attribute__((warn_unused_result));

/* Whether two tokens are the same (field by field: padding is not). */
static inline int lv_json_tok_eq(const lv_json_tok *a, const lv_json_tok *b) {
  return a->start == b->start && a->end == b->end && a->next == b->next &&
         a->size == b->size && a->type == b->type && a->escaped == b->escaped;
}

#endif
