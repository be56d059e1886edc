/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sql_classify.h: what a SQL text would do to a database, for the database
 * guard (levee dbguard). The text is parsed with PostgreSQL's own parser
 * (libpg_query) and the whole tree is walked, including CTEs, EXPLAIN
 * ANALYZE, COPY (query), PREPARE, DO bodies and function bodies (through
 * libpg_query's PL/pgSQL parser), rule actions, and dynamic EXECUTE whose
 * text can be resolved from constants.
 *
 * The result is a set of dbop.* categories (interface.md), each with the
 * reason a person can read ("DROP TABLE", "DELETE without WHERE"), per
 * statement, and the statement's libpg_query fingerprint for the audit trail.
 * Fail closed: a text that does not parse is LV_SQL_UNPARSABLE; dynamic SQL
 * whose text cannot be resolved is LV_SQL_UNRESOLVED.
 *
 * Pure function over bytes, no global state the caller sees; not
 * thread-safe against itself (libpg_query's lexer settings are per thread,
 * and are set for each call). Calls in different threads at once are fine:
 * all state is per call or per thread, and the thread's lexer setting is
 * restored before returning. One exception, process-wide: libpg_query
 * 15-4.0.0 leaks a few bytes each time its PL/pgSQL parser fails, so after
 * LV_SQL_MAX_PLPGSQL_FAILURES (src/sql/sql_int.h) failed PL/pgSQL bodies in
 * a process, PL/pgSQL bodies are reported unresolved without being parsed.
 *
 * The rules (what is destructive, always-true WHERE, what is resolved in
 * dynamic SQL) are spelled out in src/sql/sql_classify.c, sql_const.c and
 * sql_plpgsql.c.
 */
#ifndef LV_SQL_CLASSIFY_H
#define LV_SQL_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

/* Categories, as bits. */
#define LV_SQL_DESTRUCTIVE 0x01u /* dbop.destructive */
#define LV_SQL_PRIVILEGE 0x02u   /* dbop.privilege */
#define LV_SQL_EXFILTRATION                                                    \
  0x04u /* dbop.exfiltration: COPY TO a file or program, lo_export, server     \
           file reads */
#define LV_SQL_UNRESOLVED                                                      \
  0x08u /* dbop.unresolved: dynamic SQL whose text is not known */
#define LV_SQL_UNPARSABLE                                                      \
  0x10u /* dbop.unparsable: the parser refused the text, or it could not be    \
           converted */

/* The category name of one bit ("dbop.destructive"), or NULL. */
const char *lv_sql_category_name(unsigned bit);

/* Session settings that change how a text lexes (from ParameterStatus). */
typedef struct lv_sql_session {
  int standard_conforming_strings; /* 1 (the default) or 0 */
  const char *client_encoding; /* PostgreSQL's name ("UTF8", "GBK", "LATIN1",
                                  ...); NULL: UTF8 */
} lv_sql_session;
/* client_encoding: PostgreSQL's names and aliases, matched as PostgreSQL
 * matches them (case and non-alphanumerics aside: "utf-8", "win936",
 * "ShiftJIS"). Converted: UTF8, SQL_ASCII (bytes as they are), LATIN1-10,
 * ISO_8859_5-8, WIN866, WIN874, WIN1250-1258, KOI8R, KOI8U, EUC_CN,
 * EUC_JP, EUC_JIS_2004, EUC_KR, EUC_TW, GBK, GB18030, BIG5, SJIS, UHC. Not
 * converted (LV_SQL_UNPARSABLE "client encoding X is not supported"):
 * JOHAB and SHIFT_JIS_2004 (iconv turns 0x5C into a won or yen sign where
 * PostgreSQL keeps a backslash), MULE_INTERNAL, and names that are not
 * encodings. */

#define LV_SQL_REASON_MAX 96
#define LV_SQL_NAME_MAX 64 /* NAMEDATALEN */

typedef struct lv_sql_statement {
  /* the statement in result.text, blanks around it left out (a comment
   * before it is part of it) */
  size_t offset, len;
  unsigned ops;                   /* LV_SQL_* bits */
  char reason[LV_SQL_REASON_MAX]; /* of the first bit found; "" when ops is 0 */
  uint64_t fingerprint; /* libpg_query's fingerprint of the statement */
  /* PREPARE name AS ...: name (ops are the prepared statement's);
   * EXECUTE name: name; DEALLOCATE name / ALL: name or "" with deallocate_all.
   * Filled for the statement's own (top-level) PREPARE/EXECUTE, also inside
   * EXPLAIN ANALYZE EXECUTE and CREATE TABLE AS EXECUTE; an EXECUTE inside
   * nested SQL (a DO block's dynamic EXECUTE 'EXECUTE p') cannot be looked
   * up by the caller and is LV_SQL_UNRESOLVED instead. */
  char prepare[LV_SQL_NAME_MAX];
  char execute[LV_SQL_NAME_MAX];
  char deallocate[LV_SQL_NAME_MAX];
  int deallocate_all;
} lv_sql_statement;

typedef struct lv_sql_result {
  unsigned ops;                   /* the union over statements */
  char reason[LV_SQL_REASON_MAX]; /* the first statement's reason with ops */
  char *text; /* the text in UTF-8, NUL-terminated (owned) */
  size_t text_len;
  lv_sql_statement *stmts; /* owned; an empty text has none */
  size_t n_stmts;
  uint64_t fingerprint; /* of the first statement; 0 when none */
  /* 1: every node of the text is one whose verdict and fingerprint depend
   * only on the text's shape, not on the numbers in it (sql_cache.h) */
  int shape_only;
} lv_sql_result;

/* Classifies the SQL text (len bytes in the session's client encoding).
 * Returns 0 and fills *out (free with lv_sql_result_free), also for texts
 * that are refused (LV_SQL_UNPARSABLE with the parser's message as reason);
 * LEVEE_ENOMEM, or LEVEE_EINVAL for a text over LV_SQL_MAX_TEXT.
 * s may be NULL (standard_conforming_strings on, UTF8); text may be NULL
 * when len is 0. Reasons are UTF-8 (bytes that are not become '?').
 * A text that does not parse, or holds a NUL byte, is one statement
 * spanning the whole text, LV_SQL_UNPARSABLE, fingerprint 0. A text that
 * cannot be converted from the client encoding (or is not valid UTF-8 in
 * UTF8) has no statements and text "": ops LV_SQL_UNPARSABLE and the reason
 * are in the result only. An empty text, or only comments, has no
 * statements and ops 0. */
int lv_sql_classify(const char *text, size_t len, const lv_sql_session *s,
                    lv_sql_result *out);
/* 1 once this process has stopped parsing PL/pgSQL bodies (the
 * libpg_query leak above): they are reported unresolved from then on. */
int lv_sql_plpgsql_off(void);
void lv_sql_result_free(lv_sql_result *r);

#define LV_SQL_MAX_TEXT (4u << 20) /* 4 MiB */
#define LV_SQL_MAX_DEPTH 16        /* nested bodies and dynamic SQL */

#endif
