/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fts5_bigram.c: the FTS5 tokenizer "levee_bigram" over lv_search_tokens()
 * and the quoting of user search text (fts5_bigram.h).
 *
 * The SQLite back end's full-text index calls in here for every row it
 * indexes or deletes (FTS5_TOKENIZE_DOCUMENT), every query phrase
 * (FTS5_TOKENIZE_QUERY, with FTS5_TOKENIZE_PREFIX for a prefix query) and
 * every highlight() or snippet() (FTS5_TOKENIZE_AUX, which must see the
 * document's tokens and positions). The tokenizer keeps one normalizer as
 * scratch, so indexing does not allocate per row.
 */
#include "store/fts5_bigram.h"

#include <stdlib.h>

#include "levee/levee.h"
#include "store/search_tokens.h"
#include "util/buf.h"
#include "util/limits.h"

/* A scratch normalizer grown past this many bytes of text (by one very
 * long row) is released after the row rather than kept. */
#define SCRATCH_KEEP_BYTES (256u << 10)

/* The tokenizer instance FTS5 creates per table (Fts5Tokenizer is opaque
 * to FTS5; this is what our pointer points at). */
typedef struct bigram_tokenizer {
  lv_norm scratch; /* owned */
  int busy;        /* scratch is in use (a tokenization inside another) */
} bigram_tokenizer;

static int bigram_create(void *ctx, const char **argv, int argc,
                         Fts5Tokenizer **out) {
  if (argc > 0)
    return SQLITE_ERROR; /* no options */
  bigram_tokenizer *t = malloc(sizeof *t);
  if (!t)
    return SQLITE_NOMEM;
  lv_norm_init(&t->scratch);
  t->busy = 0;
  *out = (Fts5Tokenizer *)t;
  return SQLITE_OK;
}

static void bigram_delete(Fts5Tokenizer *tok) {
  bigram_tokenizer *t = (bigram_tokenizer *)tok;
  if (!t)
    return;
  lv_norm_cleanup(&t->scratch);
  free(t);
}

/* Where the tokens of one xTokenize call go. */
typedef struct fts5_sink {
  void *ctx;
  int (*xToken)(void *ctx, int tflags, const char *tok, int tok_len, int start,
                int end);
} fts5_sink;

/* lv_search_token_fn into FTS5's xToken. Offsets fit in an int: the text
 * came in with an int length. xToken's SQLite codes are >= 0, so they
 * cannot be mistaken for levee's statuses. */
static int to_fts5(void *ud, int colocated, const char *tok, size_t tok_len,
                   size_t start, size_t end) {
  const fts5_sink *k = ud;
  return k->xToken(k->ctx, colocated ? FTS5_TOKEN_COLOCATED : 0, tok,
                   (int)tok_len, (int)start, (int)end);
}

static int bigram_tokenize(Fts5Tokenizer *tok, void *ctx, int flags,
                           const char *text, int text_len,
                           int (*xToken)(void *, int, const char *, int, int,
                                         int)) {
  bigram_tokenizer *t = (bigram_tokenizer *)tok;
  /* PREFIX comes with QUERY; AUX (highlight, snippet) must see what
   * DOCUMENT indexed. */
  int mode = flags & FTS5_TOKENIZE_QUERY ? LV_SEARCH_QUERY : LV_SEARCH_DOCUMENT;
  fts5_sink sink = {ctx, xToken};
  size_t len = text_len > 0 ? (size_t)text_len : 0;
  int rc;
  if (t->busy) {
    rc = lv_search_tokens(text, len, mode, to_fts5, &sink);
  } else {
    t->busy = 1;
    rc = lv_search_tokens_in(&t->scratch, text, len, mode, to_fts5, &sink);
    t->busy = 0;
    if (t->scratch.cap > SCRATCH_KEEP_BYTES)
      lv_norm_cleanup(&t->scratch);
  }
  if (rc >= 0)
    return rc; /* SQLITE_OK, or what xToken returned */
  return rc == LEVEE_ENOMEM ? SQLITE_NOMEM : SQLITE_ERROR;
}

/* The fts5_api of db, or NULL: FTS5 hands it out through a pointer bound
 * to its fts5() SQL function. */
static fts5_api *fts5_api_of(sqlite3 *db) {
  fts5_api *api = NULL;
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) == SQLITE_OK &&
      sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL) ==
          SQLITE_OK)
    (void)sqlite3_step(st);
  sqlite3_finalize(st);
  return api;
}

int lv_fts5_bigram_register(sqlite3 *db) {
  static fts5_tokenizer methods = {bigram_create, bigram_delete,
                                   bigram_tokenize};
  if (!db)
    return LEVEE_EINVAL;
  fts5_api *api = fts5_api_of(db);
  if (!api || api->iVersion < 2)
    return LEVEE_ESTORE;
  int rc =
      api->xCreateTokenizer(api, LV_FTS5_BIGRAM_NAME, NULL, &methods, NULL);
  if (rc == SQLITE_NOMEM)
    return LEVEE_ENOMEM;
  return rc == SQLITE_OK ? LEVEE_OK : LEVEE_ESTORE;
}

/* --- quoting user text ---------------------------------------------------- */

/* Stops the tokenizer at the first token: the piece has one. */
static int found_token(void *ud, int colocated, const char *tok, size_t tok_len,
                       size_t start, size_t end) {
  return 1;
}

/* Appends s[0..n) as one FTS5 string: in double quotes, '"' doubled. */
static int put_quoted(lv_buf *b, const char *s, size_t n) {
  int rc = lv_buf_putc(b, '"');
  for (size_t i = 0; rc == LEVEE_OK && i < n; i++)
    rc = s[i] == '"' ? lv_buf_append(b, "\"\"", 2) : lv_buf_putc(b, s[i]);
  return rc ? rc : lv_buf_putc(b, '"');
}

int lv_fts5_quote_query(const char *text, size_t len, char **out,
                        size_t *out_len) {
  if ((!text && len > 0) || !out)
    return LEVEE_EINVAL;
  if (len > LV_MAX_SEARCH_QUERY_BYTES)
    return LEVEE_ETOOBIG;
  const unsigned char *s = (const unsigned char *)text;
  lv_norm scratch;
  lv_norm_init(&scratch);
  /* Each byte at most twice, plus two quotes and a space per piece (a
   * piece and its separator take two bytes or more). */
  lv_buf b;
  lv_buf_init(&b, 4 * len + 16);
  int rc = lv_buf_append(&b, "", 0); /* an empty query is "" */
  size_t i = 0;
  while (rc == LEVEE_OK && i < len) {
    size_t w = lv_search_space_at(s, len, i);
    if (w) {
      i += w;
      continue;
    }
    size_t j = i + 1;
    while (j < len && !lv_search_space_at(s, len, j))
      j++;
    rc = lv_search_tokens_in(&scratch, text + i, j - i, LV_SEARCH_QUERY,
                             found_token, NULL);
    if (rc == 1) {
      rc = b.len ? lv_buf_putc(&b, ' ') : LEVEE_OK;
      if (rc == LEVEE_OK)
        rc = put_quoted(&b, text + i, j - i);
    }
    i = j;
  }
  lv_norm_cleanup(&scratch);
  if (rc == LEVEE_OK)
    *out = lv_buf_detach(&b, out_len);
  lv_buf_cleanup(&b);
  return rc;
}
