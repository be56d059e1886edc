/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fts5_bigram.h: levee's search tokenizer (search_tokens.h) as an SQLite
 * FTS5 tokenizer, and the quoting of user search text into an FTS5 query.
 *
 * The SQLite back end of the audit store registers the tokenizer on each
 * connection it opens and indexes message text with
 *
 *   CREATE VIRTUAL TABLE t USING fts5(body, tokenize='levee_bigram');
 *
 * Chinese is indexed as unigrams with colocated bigrams, so queries of one,
 * two or more characters are answered from the index (FTS5's built-in
 * trigram tokenizer cannot answer two-character words from its index).
 *
 * Searching: user text must never reach MATCH as it stands, since FTS5
 * would read its quotes, AND/OR/NOT/NEAR, column filters (body:), * and ^
 * as query syntax. Pass it through lv_fts5_quote_query() and bind the
 * result:
 *
 *   char *q; size_t qlen;
 *   if (lv_fts5_quote_query(user, user_len, &q, &qlen) == LEVEE_OK && qlen)
 *     sqlite3_bind_text(st, 1, q, (int)qlen, free);    -- t MATCH ?1
 *
 * Each whitespace-separated piece of the text becomes one double-quoted
 * FTS5 phrase (so its characters must be adjacent, in order), and the
 * pieces are ANDed: 机密 文件 finds messages holding both 机密 and 文件,
 * 机密文件 only those holding the four characters together.
 */
#ifndef LV_STORE_FTS5_BIGRAM_H
#define LV_STORE_FTS5_BIGRAM_H

#include <stddef.h>

#include <sqlite3.h>

/* The name to use in tokenize='...'. */
#define LV_FTS5_BIGRAM_NAME "levee_bigram"

/* Registers the tokenizer LV_FTS5_BIGRAM_NAME with db (borrowed). It
 * takes no arguments. Must be called on every connection that uses a
 * table built with it, before the table's first use (also to read it:
 * queries and highlight() tokenize too). Returns LEVEE_OK, LEVEE_EINVAL
 * (db NULL), LEVEE_ESTORE when db has no FTS5 (or an fts5_api older than
 * version 2) or refuses the registration, or LEVEE_ENOMEM.
 *
 * Tables must keep FTS5's default detail=full: phrases of bigrams need
 * positions. */
int lv_fts5_bigram_register(sqlite3 *db) __attribute__((warn_unused_result));

/* Turns arbitrary user text[0..len) (borrowed; any bytes) into an FTS5
 * query string that FTS5 reads as plain text to search for: each piece
 * between whitespace (ASCII whitespace, NUL, U+00A0, U+3000) becomes a
 * phrase in double quotes, with any double quote in it doubled, and the
 * phrases are joined by spaces (FTS5's implicit AND). Pieces that hold no
 * token (only punctuation or symbols, such as "★" or "!!") are left out.
 * On success *out is the NUL-terminated query (owned by the caller, who
 * frees it with free()) and *out_len (if out_len is non-NULL) its length;
 * an empty string means there is nothing to search for (do not pass it to
 * MATCH, which rejects an empty query). Returns LEVEE_OK, LEVEE_EINVAL,
 * LEVEE_ETOOBIG (len over LV_MAX_SEARCH_QUERY_BYTES) or LEVEE_ENOMEM;
 * *out and *out_len are written only on success. */
int lv_fts5_quote_query(const char *text, size_t len, char **out,
                        size_t *out_len) __attribute__((warn_unused_result));

#endif
