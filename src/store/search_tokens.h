/* SPDX-License-Identifier: Apache-2.0 */
/*
 * search_tokens.h: the token stream of levee's full-text search, shared by
 * both audit-store back ends: SQLite feeds it to FTS5 (fts5_bigram.h) and
 * PostgreSQL stores the same tokens in a text[] column under a GIN index.
 *
 * A pure function over bytes. The text is first normalized with levee's
 * normalizer (core/normalize.h: NFKC + case folding, Traditional ->
 * Simplified, full-width -> ASCII, zero-width characters removed,
 * separators inside CJK runs dropped), so 機密, 机，密 and 机\u200d密 all
 * index and query as 机密. Then, on the normalized text:
 *
 *   - a run of CJK characters (the normalizer's LV_CC_CJK class: Han, and
 *     also kana, hangul and bopomofo, which are treated like Han because
 *     the normalizer drops the spaces between them too) gives one position
 *     per character. In DOCUMENT mode position i holds the unigram c[i]
 *     and, colocated with it, the bigram c[i]c[i+1] when c[i+1] is in the
 *     run: a one-character query finds the unigram, a longer one a phrase
 *     of bigrams at consecutive positions;
 *   - in QUERY mode each position holds one token, the longest the
 *     document has there: the bigram c[i]c[i+1], or for the last character
 *     of the run its unigram. So a run of one character is its unigram and
 *     a run of n >= 2 is its n - 1 bigrams followed by the unigram of its
 *     last character. That last unigram is implied by the bigram before it
 *     (a document's bigram c[i]c[i+1] is always followed by the unigram
 *     c[i+1]), so it changes no result, but it keeps the query's positions
 *     in step with the document's, which phrases that go on past the run
 *     need ("机密a", "转账500元"), and it makes FTS5's highlight() end on
 *     the run's last character (highlight() takes each position's span
 *     from its first token, here the unigram, so one-character matches are
 *     marked exactly too). It costs query time, as FTS5 reads the
 *     unigram's doclist: 2 to 10 times as long as the bigrams alone on the
 *     313,210 messages of the benchmark corpus, still under a millisecond;
 *   - a run of word characters (letters, digits and marks outside CJK, any
 *     script; already case-folded) is one word token, cut to
 *     LV_MAX_SEARCH_TOKEN_BYTES if longer (in both modes alike);
 *   - everything else (punctuation, spaces, symbols such as ★, emoji, the
 *     U+FFFD of invalid bytes) only separates tokens.
 *
 * Every token carries the byte span [start, end) of the original text it
 * came from, mapped back through the normalizer's offset map, so FTS5's
 * highlight() marks the original exactly. Spans are never empty; in
 * DOCUMENT mode starts never decrease.
 *
 * Bounds: a text longer than LV_MAX_TEXT_BYTES is tokenized up to that
 * many bytes (cut at a character boundary), as the scanner inspects it. A
 * text the normalizer refuses because it would grow past
 * LV_NORM_MAX_GROWTH times its size (long runs of ligatures such as
 * U+FDFA) is tokenized in windows of a few KiB normalized one by one,
 * windows that still grow too much giving no tokens, so that no message
 * can make itself unsearchable, or make indexing fail, by adding such
 * characters. Work is linear in the text; at most two tokens per
 * character.
 */
#ifndef LV_STORE_SEARCH_TOKENS_H
#define LV_STORE_SEARCH_TOKENS_H

#include <stddef.h>

#include "core/normalize.h"

/* The token stream's version: an index built with another version (or
 * with another normalizer, whose tables come from utf8proc and OpenCC)
 * must be rebuilt, as FTS5 removes a row by tokenizing it again. Bumped
 * whenever the stream defined above changes. */
#define LV_SEARCH_TOKENS_VERSION 1

typedef enum lv_search_mode {
  LV_SEARCH_DOCUMENT = 0, /* indexing: unigrams with colocated bigrams */
  LV_SEARCH_QUERY = 1     /* a query phrase: one token per position */
} lv_search_mode;

/* Receives one token: tok[0..tok_len) is normalized UTF-8 (borrowed, valid
 * only during the call, not NUL-terminated); [orig_start, orig_end) its
 * span in the original text. colocated is 1 when the token shares the
 * position of the token before it (DOCUMENT mode's bigrams), else 0.
 * Returns 0 to go on; any other value stops the tokenizer, which returns
 * it (use positive values, to tell them from levee's negative statuses). */
typedef int (*lv_search_token_fn)(void *ud, int colocated, const char *tok,
                                  size_t tok_len, size_t orig_start,
                                  size_t orig_end);

/* Tokenizes text[0..len) (any bytes; borrowed) in mode, calling fn(ud, ...)
 * for each token in order. Returns LEVEE_OK, the first nonzero value fn
 * returned, LEVEE_EINVAL (text NULL with len > 0, fn NULL, bad mode) or
 * LEVEE_ENOMEM. Allocates a normalizer for the call and frees it. */
int lv_search_tokens(const char *text, size_t len, int mode,
                     lv_search_token_fn fn, void *ud)
    __attribute__((warn_unused_result));

/* lv_search_tokens() with the caller's normalizer as scratch, so that
 * repeated calls reuse its buffers (scratch: initialized with
 * lv_norm_init(), borrowed; its contents are overwritten, and it refers
 * to text until the next call). One scratch per thread. */
int lv_search_tokens_in(lv_norm *scratch, const char *text, size_t len,
                        int mode, lv_search_token_fn fn, void *ud)
    __attribute__((warn_unused_result));

/* The length of the whitespace character at s[i] (i < len), or 0: where a
 * search query is cut into pieces (ASCII whitespace, NUL, U+00A0, U+3000),
 * the same for every back end. */
size_t lv_search_space_at(const unsigned char *s, size_t len, size_t i);

#endif
