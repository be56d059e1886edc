/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sql_cache.c: the shape cache (sql_cache.h). A text's shape is computed
 * in one pass (lv_sql_shape); a slot of a direct-mapped table holds one
 * shape and what the classifier said of it: its fingerprint and where the
 * statement starts and ends (the blanks and semicolons around it hold no
 * number, so their lengths are the same for every text of the shape).
 *
 * Why a shape decides the tokens: PostgreSQL 15's lexer (scan.l) reads
 * integer, decimal and real literals with patterns of {digit}+ and
 * {digit}*, never a fixed number of digits, so a run of digits of any
 * length or value matches the same rule, and a digit run that follows a
 * letter, a digit, `_` or `$` is part of a name or a parameter and stays
 * in the shape. Quotes, backslashes, comments and dollar quoting, the
 * places where the lexer reads characters differently, are not in the
 * language; nor are bytes over 0x7F, so the client encoding cannot change
 * a character's end.
 *
 * Why a tree of these nodes classifies the same for every text of the
 * shape: none has a handler in sql_classify.c that looks at a constant
 * (a FuncCall the classifier has a rule for marks the statement beyond
 * its shape there), and in none of them does the grammar (gram.y) turn a
 * number into anything but an A_Const, which libpg_query's fingerprint
 * leaves out. Not here, for that reason: TypeName (float(p) picks float4
 * or float8 by p; array bounds are Integer nodes), SQLValueFunction
 * (current_time(p)), and every statement other than SELECT.
 */
#include "sql/sql_cache.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "levee/levee.h"
#include "sql/sql_int.h"
#include "util/hash.h"

/* The shape's mark for a number: a byte not in the language. */
#define NUMBER_MARK '\x01'

/* Sorted (strcmp order) for bsearch. */
static const char *const shape_nodes[] = {
    "A_ArrayExpr",   "A_Const",         "A_Expr",     "A_Indices",
    "A_Indirection", "A_Star",          "Alias",      "BoolExpr",
    "BooleanTest",   "CaseExpr",        "CaseWhen",   "CoalesceExpr",
    "ColumnRef",     "CommonTableExpr", "FuncCall",   "JoinExpr",
    "List",          "LockingClause",   "MinMaxExpr", "NullTest",
    "ParamRef",      "RangeSubselect",  "RangeVar",   "ResTarget",
    "RowExpr",       "SelectStmt",      "SortBy",     "String",
    "SubLink",       "WindowDef",       "WithClause",
};

int lv_sql_shape_node(const char *name, size_t len) {
  size_t lo = 0, hi = sizeof shape_nodes / sizeof shape_nodes[0];
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    const char *s = shape_nodes[mid];
    size_t sl = strlen(s);
    int cmp = memcmp(s, name, sl < len ? sl : len);
    if (cmp == 0)
      cmp = sl < len ? -1 : sl > len ? 1 : 0;
    if (cmp == 0)
      return 1;
    if (cmp < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return 0;
}

static int is_digit(unsigned char ch) {
  return ch >= '0' && ch <= '9';
}

static int is_letter(unsigned char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}

/* A byte that continues a name or a parameter ($1): digits after it are
 * part of that token. */
static int continues_name(unsigned char ch) {
  return is_letter(ch) || is_digit(ch) || ch == '$';
}

size_t lv_sql_shape(const char *text, size_t len, char *key, size_t cap) {
  const unsigned char *p = (const unsigned char *)text;
  size_t k = 0;
  for (size_t i = 0; i < len;) {
    unsigned char ch = p[i];
    if (k >= cap)
      return 0;
    if (is_digit(ch) && (i == 0 || !continues_name(p[i - 1]))) {
      while (i < len && is_digit(p[i]))
        i++;
      key[k++] = NUMBER_MARK;
      continue;
    }
    unsigned char next = i + 1 < len ? p[i + 1] : 0;
    if (is_letter(ch) || is_digit(ch) || ch == ' ' || ch == '\t' ||
        ch == '\n' || ch == '\r') {
      /* a name, digits within it, blanks */
    } else if (ch == '$') {
      if (!is_digit(next)) /* $$ and $tag$ quote */
        return 0;
    } else if (ch == '-' || ch == '/') {
      if (next == (ch == '-' ? '-' : '*')) /* a comment */
        return 0;
    } else if (!strchr("(),.;=<>+*%:[]^|&~!@#?", ch) || ch == '\0') {
      return 0; /* quotes, backslash, braces, controls, bytes over 0x7F */
    }
    key[k++] = (char)ch;
    i++;
  }
  return k;
}

typedef struct slot {
  uint64_t hash;
  char *key; /* NULL: empty */
  size_t key_len;
  uint64_t fingerprint;
  size_t lead, tail; /* bytes before and after the statement */
} slot;

struct lv_sql_cache {
  slot slots[LV_SQL_CACHE_SLOTS];
  lv_sql_cache_stats stats;
};

lv_sql_cache *lv_sql_cache_new(void) {
  return calloc(1, sizeof(lv_sql_cache));
}

void lv_sql_cache_free(lv_sql_cache *cache) {
  if (!cache)
    return;
  for (size_t i = 0; i < LV_SQL_CACHE_SLOTS; i++)
    free(cache->slots[i].key);
  free(cache);
}

void lv_sql_cache_stats_get(const lv_sql_cache *cache,
                            lv_sql_cache_stats *out) {
  memset(out, 0, sizeof *out);
  if (cache)
    *out = cache->stats;
}

/* The encodings in which the language's bytes are the characters they are
 * in ASCII and need no conversion (the names the server reports). */
static int plain_encoding(const lv_sql_session *s) {
  const char *e = s ? s->client_encoding : NULL;
  return !e || strcasecmp(e, "UTF8") == 0 || strcasecmp(e, "SQL_ASCII") == 0;
}

static int has_digit(const char *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (is_digit((unsigned char)p[i]))
      return 1;
  return 0;
}

static int answer(const slot *sl, const char *text, size_t len,
                  lv_sql_result *out) {
  lv_sql_result r;
  memset(&r, 0, sizeof r);
  r.text = malloc(len + 1);
  r.stmts = calloc(1, sizeof *r.stmts);
  if (!r.text || !r.stmts) {
    lv_sql_result_free(&r);
    return LEVEE_ENOMEM;
  }
  memcpy(r.text, text, len);
  r.text[len] = '\0';
  r.text_len = len;
  r.n_stmts = 1;
  r.stmts[0].offset = sl->lead;
  r.stmts[0].len = len - sl->lead - sl->tail;
  r.stmts[0].fingerprint = sl->fingerprint;
  r.fingerprint = sl->fingerprint;
  r.shape_only = 1;
  *out = r;
  return LEVEE_OK;
}

/* Remembers r for the shape key if it holds for the shape. */
static void remember(lv_sql_cache *cache, slot *sl, uint64_t h, const char *key,
                     size_t key_len, const lv_sql_result *r) {
  if (!r->shape_only || r->ops || r->n_stmts != 1)
    return;
  const lv_sql_statement *st = &r->stmts[0];
  if (st->ops || st->prepare[0] || st->execute[0] || st->deallocate[0] ||
      st->deallocate_all || st->offset + st->len > r->text_len)
    return;
  size_t lead = st->offset, tail = r->text_len - st->offset - st->len;
  if (has_digit(r->text, lead) || has_digit(r->text + r->text_len - tail, tail))
    return;
  char *copy = malloc(key_len);
  if (!copy)
    return; /* not remembered: classified again next time */
  memcpy(copy, key, key_len);
  free(sl->key);
  sl->hash = h;
  sl->key = copy;
  sl->key_len = key_len;
  sl->fingerprint = st->fingerprint;
  sl->lead = lead;
  sl->tail = tail;
  cache->stats.stored++;
}

int lv_sql_classify_cached(lv_sql_cache *cache, const char *text, size_t len,
                           const lv_sql_session *s, lv_sql_result *out) {
  if (!cache || !out || (!text && len) || len > LV_SQL_MAX_TEXT ||
      !plain_encoding(s))
    return lv_sql_classify(text, len, s, out);
  char key[LV_SQL_CACHE_KEY_MAX];
  size_t key_len = len ? lv_sql_shape(text, len, key, sizeof key) : 0;
  if (!key_len) {
    cache->stats.other++;
    return lv_sql_classify(text, len, s, out);
  }
  uint64_t h = lv_fnv1a(key, key_len);
  slot *sl = &cache->slots[h % LV_SQL_CACHE_SLOTS];
  if (sl->key && sl->hash == h && sl->key_len == key_len &&
      memcmp(sl->key, key, key_len) == 0) {
    int rc = answer(sl, text, len, out);
    if (rc == LEVEE_OK)
      cache->stats.hits++;
    return rc;
  }
  cache->stats.misses++;
  int rc = lv_sql_classify(text, len, s, out);
  if (rc == LEVEE_OK)
    remember(cache, sl, h, key, key_len, out);
  return rc;
}
