/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_search_tokens.c: libFuzzer target for the full-text search
 * tokenizer (src/store/search_tokens.c) and the quoting of user search
 * text (lv_fts5_quote_query, src/store/fts5_bigram.c).
 *
 * Any bytes go in, tokenized in DOCUMENT and in QUERY mode. Besides the
 * sanitizers' checks, every run verifies the token stream's contract and
 * aborts on a violation:
 *   - every token is non-empty, valid UTF-8, at most
 *     LV_MAX_SEARCH_TOKEN_BYTES, and a bigram at most two characters;
 *   - its span [start, end) is non-empty and within the input, and
 *     begins and ends on character boundaries of the input;
 *   - in DOCUMENT mode starts never decrease, the first token is not
 *     colocated and a colocated token starts where the one before it does;
 *     QUERY mode has no colocated tokens;
 *   - the QUERY stream is the DOCUMENT stream with one token per position
 *     (the bigram where there is one), so both have as many positions;
 *   - stopping early returns the callback's value;
 *   - a quoted query (when the input is short enough) is balanced: it is
 *     empty or pieces in double quotes separated by single spaces, with
 *     every inner quote doubled; it is empty when the text has no token.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/normalize.h"
#include "levee/levee.h"
#include "store/fts5_bigram.h"
#include "store/search_tokens.h"
#include "util/limits.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "fuzz_search_tokens: invariant failed: %s (line %d)\n",  \
              #cond, __LINE__);                                                \
      abort();                                                                 \
    }                                                                          \
  } while (0)

/* What one tokenization saw. */
typedef struct run {
  int mode;
  size_t size;                /* input bytes */
  const unsigned char *start; /* start[i]: i begins a character */
  size_t tokens, positions;
  size_t last_start;
  size_t stop_at; /* return 7 at this token (1-based), or 0 */
} run;

static int on_token(void *ud, int colocated, const char *tok, size_t tok_len,
                    size_t s, size_t e) {
  run *r = ud;
  CHECK(tok != NULL && tok_len > 0);
  CHECK(lv_utf8_valid(tok, tok_len));
  CHECK(tok_len <= LV_MAX_SEARCH_TOKEN_BYTES);
  CHECK(!colocated || tok_len <= 8); /* a bigram: two characters */
  CHECK(s < e && e <= r->size);
  CHECK(r->start[s] && r->start[e]);
  if (r->mode == LV_SEARCH_DOCUMENT) {
    CHECK(r->tokens > 0 || !colocated);
    CHECK(r->tokens == 0 || s >= r->last_start);
    CHECK(!colocated || s == r->last_start);
  } else {
    CHECK(!colocated);
  }
  r->last_start = s;
  r->tokens++;
  r->positions += !colocated;
  return r->stop_at && r->tokens == r->stop_at ? 7 : 0;
}

static lv_norm scratch; /* reused across runs, as the FTS5 tokenizer does */

/* Checks a quoted query: "" or "..." ("..." )*, inner quotes doubled. */
static void check_quoted(const char *q, size_t len) {
  CHECK(strlen(q) == len);
  size_t i = 0;
  while (i < len) {
    if (i > 0) {
      CHECK(q[i] == ' ');
      i++;
    }
    CHECK(i < len && q[i] == '"');
    i++;
    size_t inner = 0;
    for (;;) {
      CHECK(i < len);
      if (q[i] == '"') {
        if (i + 1 < len && q[i + 1] == '"') {
          i += 2;
          inner++;
          continue;
        }
        i++;
        break;
      }
      i++;
      inner++;
    }
    CHECK(inner > 0);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > (1u << 20))
    return 0;
  unsigned char *start = calloc(size + 1, 1);
  CHECK(start != NULL);
  for (size_t i = 0; i < size;) {
    int32_t cp;
    start[i] = 1;
    i += (size_t)lv_utf8_decode(data + i, size - i, &cp);
  }
  start[size] = 1;

  const char *text = (const char *)data;
  run d = {LV_SEARCH_DOCUMENT, size, start, 0, 0, 0, 0};
  run q = {LV_SEARCH_QUERY, size, start, 0, 0, 0, 0};
  CHECK(lv_search_tokens_in(&scratch, text, size, LV_SEARCH_DOCUMENT, on_token,
                            &d) == LEVEE_OK);
  CHECK(lv_search_tokens(text, size, LV_SEARCH_QUERY, on_token, &q) ==
        LEVEE_OK);
  CHECK(q.tokens == q.positions && q.positions == d.positions);
  CHECK(d.tokens >= d.positions && d.tokens < 2 * d.positions + 1);

  if (d.tokens > 0) {
    run s = {LV_SEARCH_DOCUMENT, size, start, 0, 0, 0, 0};
    s.stop_at = 1 + size % d.tokens;
    CHECK(lv_search_tokens_in(&scratch, text, size, LV_SEARCH_DOCUMENT,
                              on_token, &s) == 7);
    CHECK(s.tokens == s.stop_at);
  }

  char *quoted = NULL;
  size_t qlen = 0;
  int rc = lv_fts5_quote_query(text, size, &quoted, &qlen);
  if (size > LV_MAX_SEARCH_QUERY_BYTES) {
    CHECK(rc == LEVEE_ETOOBIG && quoted == NULL);
  } else {
    CHECK(rc == LEVEE_OK && quoted != NULL);
    check_quoted(quoted, qlen);
    /* Pieces normalize on their own, and a piece's tokens are tokens of
     * the whole text, unless the whole grew too much to normalize in one
     * go (then some windows give none). */
    if (q.tokens == 0 && lv_normalize(&scratch, text, size) == LEVEE_OK)
      CHECK(qlen == 0);
    free(quoted);
  }
  free(start);
  return 0;
}
