/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sql_const.c: evaluating constant expressions of a parse tree, for two
 * questions the classifier asks (sql_classify.c, sql_plpgsql.c):
 *
 * 1. Does a WHERE (or MERGE's join condition) let every row through?
 *    lv_sql_always_true says yes when
 *    - the expression evaluates to true: constants (1=1, 'a'='a', 2>1, NOT
 *      false, 1::bool, 'yes'::boolean, coalesce(true, x), x OR true, ...)
 *      and tautologies over the row: x = x, x >= x, x IS NOT DISTINCT FROM
 *      x, x LIKE '%', p OR NOT p, x IS NULL OR x IS NOT NULL, a < b OR a >=
 *      b (these ignore rows where x is NULL: the intent is plain); or
 *    - it does not refer to the row at all (no column reference, no WHERE
 *      CURRENT OF) and is not provably false or null: such a condition is
 *      the same for every row, so the statement changes all rows or none
 *      (random() < 2, $1, current_user = 'app', EXISTS (SELECT 1)).
 *    It says no when the result is false or null, or depends on the row in
 *    a way not listed. A contradiction (x <> x, p AND NOT p) counts as
 *    false only when its operands call no function and hold no subquery
 *    (random() <> random() is not false).
 *
 * 2. What text does a dynamic EXECUTE (or dblink, set_config) get? Literals
 *    (E'' and dollar-quoted strings arrive unescaped from the lexer), ||,
 *    concat, concat_ws, format (%s %I %L %%, positions, widths), upper,
 *    lower, replace, chr, quote_ident, quote_literal, quote_nullable,
 *    btrim/ltrim/rtrim, substr/substring, left, right, repeat, reverse,
 *    translate, split_part, array_to_string of an ARRAY[...], decode,
 *    encode, convert_from, convert_to, casts, CASE, coalesce, NULLIF, and
 *    PL/pgSQL variables that hold known values (lv_sql_env).
 *
 * Anything else is unknown, never guessed. quote_ident follows PostgreSQL
 * exactly (keywords from libpg_query's own list), as the quoting decides
 * whether a word is read as a keyword.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "levee/levee.h"
#include "sql/sql_int.h"
#include "util/utf8.h"

/* PostgreSQL's keyword list, in the static libpg_query (the layout of the
 * list is not needed: only its address is passed). */
struct ScanKeywordList;
extern const struct ScanKeywordList ScanKeywords;
extern const uint8_t ScanKeywordCategories[];
int ScanKeywordLookup(const char *str, const struct ScanKeywordList *keywords);
#define UNRESERVED_KEYWORD 0

#define MAX_ARGS 64

static void ev(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t e, lv_sql_val *o,
               int depth);

static void v_unknown(lv_sql_val *o) {
  memset(o, 0, sizeof *o);
}
static void v_null(lv_sql_val *o) {
  memset(o, 0, sizeof *o);
  o->kind = LV_SQL_V_NULL;
}
static void v_bool(lv_sql_val *o, int b) {
  memset(o, 0, sizeof *o);
  o->kind = LV_SQL_V_BOOL;
  o->b = b != 0;
}
static void v_int(lv_sql_val *o, int64_t i) {
  memset(o, 0, sizeof *o);
  o->kind = LV_SQL_V_INT;
  o->i = i;
}
static void v_float(lv_sql_val *o, double f) {
  memset(o, 0, sizeof *o);
  o->kind = LV_SQL_V_FLOAT;
  o->f = f;
}
static void v_str(lv_sql_val *o, const char *s, size_t n) {
  memset(o, 0, sizeof *o);
  o->kind = LV_SQL_V_STR;
  o->s = s;
  o->len = n;
}
static void v_bytes(lv_sql_val *o, const char *s, size_t n) {
  v_str(o, s, n);
  o->kind = LV_SQL_V_BYTES;
}

/* --- a string builder (malloc'd, then moved to the arena) ---------------- */

typedef struct sb {
  char *p;
  size_t n, cap;
  int fail;
} sb;

static void sb_add(sb *b, const char *s, size_t n) {
  if (b->fail)
    return;
  if (n > LV_SQL_MAX_TEXT || b->n + n > LV_SQL_MAX_TEXT) {
    b->fail = 1;
    return;
  }
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->n + n + 1)
      cap *= 2;
    char *np = realloc(b->p, cap);
    if (!np) {
      b->fail = 1;
      return;
    }
    b->p = np;
    b->cap = cap;
  }
  if (n)
    memcpy(b->p + b->n, s, n);
  b->n += n;
}

static void sb_ch(sb *b, char ch) {
  sb_add(b, &ch, 1);
}

/* Moves the built string into the arena as a text value (or unknown). */
static void sb_done(lv_sql_ctx *c, sb *b, lv_sql_val *o, int bytes) {
  char *s = b->fail ? NULL : lv_arena_alloc(&c->arena, b->n + 1);
  if (s) {
    if (b->n)
      memcpy(s, b->p, b->n);
    s[b->n] = '\0';
    if (bytes)
      v_bytes(o, s, b->n);
    else
      v_str(o, s, b->n);
  } else {
    v_unknown(o);
  }
  free(b->p);
  memset(b, 0, sizeof *b);
}

/* --- conversions --------------------------------------------------------- */

static int is_ws(char ch) {
  return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' ||
         ch == '\v';
}

static char lower_ascii(char ch) {
  return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

/* A value's text form (what ::text gives). 1: *s,*n set; 0: not known. */
static int text_of(lv_sql_ctx *c, const lv_sql_val *v, const char **s,
                   size_t *n) {
  switch (v->kind) {
  case LV_SQL_V_STR:
    *s = v->s;
    *n = v->len;
    return 1;
  case LV_SQL_V_BOOL:
    *s = v->b ? "true" : "false";
    *n = strlen(*s);
    return 1;
  case LV_SQL_V_INT: {
    char *buf = lv_arena_alloc(&c->arena, 24);
    if (!buf)
      return 0;
    *n = (size_t)snprintf(buf, 24, "%lld", (long long)v->i);
    *s = buf;
    return 1;
  }
  case LV_SQL_V_FLOAT:
    /* a numeric literal prints as written, unless in exponent form */
    if (v->s && !memchr(v->s, 'e', v->len) && !memchr(v->s, 'E', v->len)) {
      *s = v->s;
      *n = v->len;
      return 1;
    }
    return 0;
  default: return 0;
  }
}

/* PostgreSQL's boolean input: true, yes, on, 1 and their unique prefixes. */
static int parse_bool(const char *s, size_t n, int *out) {
  while (n && is_ws(*s)) {
    s++;
    n--;
  }
  while (n && is_ws(s[n - 1]))
    n--;
  if (n == 0 || n > 5)
    return 0;
  char w[6];
  for (size_t k = 0; k < n; k++)
    w[k] = lower_ascii(s[k]);
  w[n] = '\0';
  static const struct {
    const char *word;
    size_t min;
    int val;
  } words[] = {{"true", 1, 1}, {"false", 1, 0}, {"yes", 1, 1}, {"no", 1, 0},
               {"on", 2, 1},   {"off", 2, 0},   {"1", 1, 1},   {"0", 1, 0}};
  for (size_t k = 0; k < sizeof words / sizeof words[0]; k++)
    if (n >= words[k].min && n <= strlen(words[k].word) &&
        strncmp(words[k].word, w, n) == 0) {
      *out = words[k].val;
      return 1;
    }
  return 0;
}

/* A string as a number: 1 int, 2 float, 0 not a number. */
static int parse_num(const char *s, size_t n, int64_t *i, double *f) {
  char buf[64];
  while (n && is_ws(*s)) {
    s++;
    n--;
  }
  while (n && is_ws(s[n - 1]))
    n--;
  if (n == 0 || n >= sizeof buf)
    return 0;
  memcpy(buf, s, n);
  buf[n] = '\0';
  char *end;
  long long ll = strtoll(buf, &end, 10);
  if (*end == '\0' &&
      (buf[0] == '-' || buf[0] == '+' || (buf[0] >= '0' && buf[0] <= '9'))) {
    *i = ll;
    return 1;
  }
  for (size_t k = 0; k < n; k++)
    if (!strchr("0123456789.eE+-", buf[k]))
      return 0; /* no inf, nan, hex */
  double d = strtod(buf, &end);
  if (*end != '\0' || !isfinite(d))
    return 0;
  *f = d;
  return 2;
}

static int as_double(const lv_sql_val *v, double *d) {
  if (v->kind == LV_SQL_V_INT) {
    *d = (double)v->i;
    return 1;
  }
  if (v->kind == LV_SQL_V_FLOAT) {
    *d = v->f;
    return 1;
  }
  return 0;
}

/* A string literal meeting a number or a boolean is read as one (an
 * unknown-typed literal takes the other side's type). */
static void coerce_pair(lv_sql_val *a, lv_sql_val *b) {
  lv_sql_val *s = NULL, *other = NULL;
  if (a->kind == LV_SQL_V_STR && b->kind != LV_SQL_V_STR) {
    s = a;
    other = b;
  } else if (b->kind == LV_SQL_V_STR && a->kind != LV_SQL_V_STR) {
    s = b;
    other = a;
  }
  if (!s)
    return;
  if (other->kind == LV_SQL_V_BOOL) {
    int bv;
    if (parse_bool(s->s, s->len, &bv))
      v_bool(s, bv);
    else
      v_unknown(s);
  } else if (other->kind == LV_SQL_V_INT || other->kind == LV_SQL_V_FLOAT) {
    int64_t i;
    double f;
    int r = parse_num(s->s, s->len, &i, &f);
    if (r == 1)
      v_int(s, i);
    else if (r == 2)
      v_float(s, f);
    else
      v_unknown(s);
  }
}

/* Compares two known, non-null values: -1, 0, 1; 2: unequal but order
 * unknown (text order depends on the collation); -2: not comparable. */
static int compare(lv_sql_val a, lv_sql_val b) {
  coerce_pair(&a, &b);
  if (a.kind == LV_SQL_V_UNKNOWN || b.kind == LV_SQL_V_UNKNOWN)
    return -2;
  if (a.kind == LV_SQL_V_INT && b.kind == LV_SQL_V_INT)
    return a.i < b.i ? -1 : a.i > b.i;
  double x, y;
  if (as_double(&a, &x) && as_double(&b, &y))
    return x < y ? -1 : x > y;
  if (a.kind == LV_SQL_V_BOOL && b.kind == LV_SQL_V_BOOL)
    return a.b < b.b ? -1 : a.b > b.b;
  if ((a.kind == LV_SQL_V_STR && b.kind == LV_SQL_V_STR) ||
      (a.kind == LV_SQL_V_BYTES && b.kind == LV_SQL_V_BYTES)) {
    if (a.len == b.len && memcmp(a.s, b.s, a.len) == 0)
      return 0;
    return 2;
  }
  return -2;
}

static int vals_equal(const lv_sql_val *a, const lv_sql_val *b) {
  if (a->kind != b->kind)
    return 0;
  switch (a->kind) {
  case LV_SQL_V_UNKNOWN:
  case LV_SQL_V_NULL: return 1;
  case LV_SQL_V_BOOL: return a->b == b->b;
  case LV_SQL_V_INT: return a->i == b->i;
  case LV_SQL_V_FLOAT: return a->f == b->f;
  default: return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
  }
}

/* --- UTF-8 character steps ----------------------------------------------- */

/* Bytes of the character at s[0..n) (invalid bytes count one each). */
static size_t ch_len(const char *s, size_t n) {
  int32_t cp;
  int k = lv_utf8_decode((const unsigned char *)s, n, &cp);
  return k > 0 ? (size_t)k : 1;
}

static size_t ch_count(const char *s, size_t n) {
  size_t count = 0;
  for (size_t p = 0; p < n; p += ch_len(s + p, n - p))
    count++;
  return count;
}

/* Byte offset of character index k (clamped to n). */
static size_t ch_offset(const char *s, size_t n, size_t k) {
  size_t p = 0;
  while (k-- > 0 && p < n)
    p += ch_len(s + p, n - p);
  return p < n ? p : n;
}

/* --- quoting, as PostgreSQL quotes ---------------------------------------- */

static void quote_ident_into(sb *b, const char *s, size_t n) {
  int safe = n > 0 && ((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_');
  for (size_t k = 0; safe && k < n; k++)
    safe = (s[k] >= 'a' && s[k] <= 'z') || (s[k] >= '0' && s[k] <= '9') ||
           s[k] == '_';
  if (safe && n < 64) {
    char w[64];
    memcpy(w, s, n);
    w[n] = '\0';
    int kw = ScanKeywordLookup(w, &ScanKeywords);
    if (kw >= 0 && ScanKeywordCategories[kw] != UNRESERVED_KEYWORD)
      safe = 0;
  }
  if (safe) {
    sb_add(b, s, n);
    return;
  }
  sb_ch(b, '"');
  for (size_t k = 0; k < n; k++) {
    if (s[k] == '"')
      sb_ch(b, '"');
    sb_ch(b, s[k]);
  }
  sb_ch(b, '"');
}

static void quote_literal_into(sb *b, const char *s, size_t n) {
  if (memchr(s, '\\', n))
    sb_ch(b, 'E');
  sb_ch(b, '\'');
  for (size_t k = 0; k < n; k++) {
    if (s[k] == '\'' || s[k] == '\\')
      sb_ch(b, s[k]);
    sb_ch(b, s[k]);
  }
  sb_ch(b, '\'');
}

/* --- functions ----------------------------------------------------------- */

/* Argument k as text: 1 known (s, n), 0 NULL, -1 not known. */
static int arg_text(lv_sql_ctx *c, const lv_sql_val *args, int nargs, int k,
                    const char **s, size_t *n) {
  if (k >= nargs)
    return -1;
  if (args[k].kind == LV_SQL_V_NULL)
    return 0;
  return text_of(c, &args[k], s, n) ? 1 : -1;
}

static int arg_int(const lv_sql_val *args, int nargs, int k, int64_t *i) {
  if (k >= nargs)
    return -1;
  if (args[k].kind == LV_SQL_V_NULL)
    return 0;
  if (args[k].kind == LV_SQL_V_INT) {
    *i = args[k].i;
    return 1;
  }
  if (args[k].kind == LV_SQL_V_STR) {
    double f;
    return parse_num(args[k].s, args[k].len, i, &f) == 1 ? 1 : -1;
  }
  return -1;
}

static void fn_format(lv_sql_ctx *c, const lv_sql_val *args, int nargs,
                      lv_sql_val *o) {
  const char *f;
  size_t fn;
  int r = arg_text(c, args, nargs, 0, &f, &fn);
  if (r <= 0) {
    if (r == 0)
      v_null(o);
    else
      v_unknown(o);
    return;
  }
  sb b = {0};
  int next_arg = 1;
  for (size_t p = 0; p < fn && !b.fail;) {
    if (f[p] != '%') {
      sb_ch(&b, f[p++]);
      continue;
    }
    p++;
    if (p < fn && f[p] == '%') {
      sb_ch(&b, '%');
      p++;
      continue;
    }
    /* [n$][-][width]type */
    size_t q = p;
    int64_t num = 0;
    while (q < fn && f[q] >= '0' && f[q] <= '9' && num < 100000)
      num = num * 10 + (f[q++] - '0');
    int argpos = 0;
    if (q > p && q < fn && f[q] == '$') {
      argpos = (int)num;
      p = q + 1;
    }
    int left = 0;
    while (p < fn && f[p] == '-') {
      left = 1;
      p++;
    }
    int64_t width = 0;
    if (p < fn && f[p] == '*') {
      b.fail = 1; /* width from an argument: not followed */
      break;
    }
    while (p < fn && f[p] >= '0' && f[p] <= '9' && width < 100000)
      width = width * 10 + (f[p++] - '0');
    if (p >= fn) {
      b.fail = 1;
      break;
    }
    char type = f[p++];
    int k = argpos ? argpos : next_arg;
    next_arg = k + 1;
    if (k < 1 || k >= nargs || (type != 's' && type != 'I' && type != 'L')) {
      b.fail = 1;
      break;
    }
    const char *s;
    size_t n;
    int ar = arg_text(c, args, nargs, k, &s, &n);
    if (ar < 0 || (ar == 0 && type == 'I')) {
      b.fail = 1;
      break;
    }
    sb item = {0};
    if (ar == 0 && type == 'L')
      sb_add(&item, "NULL", 4);
    else if (ar == 0)
      ;
    else if (type == 's')
      sb_add(&item, s, n);
    else if (type == 'I')
      quote_ident_into(&item, s, n);
    else
      quote_literal_into(&item, s, n);
    if (item.fail) {
      b.fail = 1;
      free(item.p);
      break;
    }
    size_t chars = ch_count(item.p ? item.p : "", item.n);
    size_t pad = (size_t)width > chars ? (size_t)width - chars : 0;
    if (!left)
      for (size_t k2 = 0; k2 < pad; k2++)
        sb_ch(&b, ' ');
    sb_add(&b, item.p ? item.p : "", item.n);
    if (left)
      for (size_t k2 = 0; k2 < pad; k2++)
        sb_ch(&b, ' ');
    free(item.p);
  }
  sb_done(c, &b, o, 0);
}

static int b64val(char ch) {
  if (ch >= 'A' && ch <= 'Z')
    return ch - 'A';
  if (ch >= 'a' && ch <= 'z')
    return ch - 'a' + 26;
  if (ch >= '0' && ch <= '9')
    return ch - '0' + 52;
  if (ch == '+')
    return 62;
  if (ch == '/')
    return 63;
  return -1;
}

static int hexdig(char ch) {
  if (ch >= '0' && ch <= '9')
    return ch - '0';
  ch = lower_ascii(ch);
  if (ch >= 'a' && ch <= 'f')
    return ch - 'a' + 10;
  return -1;
}

/* decode(text, 'hex' | 'base64' | 'escape') */
static void fn_decode(lv_sql_ctx *c, const char *s, size_t n, const char *fmt,
                      size_t fl, lv_sql_val *o) {
  sb b = {0};
  if (fl == 3 && strncmp(fmt, "hex", 3) == 0) {
    size_t p = 0;
    while (p < n && !b.fail) {
      if (is_ws(s[p])) {
        p++;
        continue;
      }
      int h = hexdig(s[p]), l = p + 1 < n ? hexdig(s[p + 1]) : -1;
      if (h < 0 || l < 0)
        b.fail = 1;
      else
        sb_ch(&b, (char)(h * 16 + l));
      p += 2;
    }
  } else if (fl == 6 && strncmp(fmt, "base64", 6) == 0) {
    uint32_t acc = 0;
    int bits = 0;
    for (size_t p = 0; p < n && !b.fail; p++) {
      if (is_ws(s[p]) || s[p] == '=')
        continue;
      int v = b64val(s[p]);
      if (v < 0) {
        b.fail = 1;
        break;
      }
      acc = (acc << 6) | (uint32_t)v;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        sb_ch(&b, (char)((acc >> bits) & 0xFF));
      }
    }
  } else if (fl == 6 && strncmp(fmt, "escape", 6) == 0) {
    for (size_t p = 0; p < n && !b.fail;) {
      if (s[p] != '\\') {
        sb_ch(&b, s[p++]);
      } else if (p + 1 < n && s[p + 1] == '\\') {
        sb_ch(&b, '\\');
        p += 2;
      } else if (p + 3 < n && s[p + 1] >= '0' && s[p + 1] <= '3' &&
                 s[p + 2] >= '0' && s[p + 2] <= '7' && s[p + 3] >= '0' &&
                 s[p + 3] <= '7') {
        sb_ch(&b, (char)((s[p + 1] - '0') * 64 + (s[p + 2] - '0') * 8 +
                         (s[p + 3] - '0')));
        p += 4;
      } else {
        b.fail = 1;
      }
    }
  } else {
    b.fail = 1;
  }
  sb_done(c, &b, o, 1);
}

/* bytea's text input: '\x4142' (hex) or the escape format. */
static void bytea_in(lv_sql_ctx *c, const char *s, size_t n, lv_sql_val *o) {
  if (n >= 2 && s[0] == '\\' && s[1] == 'x')
    fn_decode(c, s + 2, n - 2, "hex", 3, o);
  else
    fn_decode(c, s, n, "escape", 6, o);
}

static void fn_encode(lv_sql_ctx *c, const char *s, size_t n, const char *fmt,
                      size_t fl, lv_sql_val *o) {
  static const char hx[] = "0123456789abcdef";
  static const char b64[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  sb b = {0};
  if (fl == 3 && strncmp(fmt, "hex", 3) == 0) {
    for (size_t p = 0; p < n; p++) {
      sb_ch(&b, hx[(unsigned char)s[p] >> 4]);
      sb_ch(&b, hx[(unsigned char)s[p] & 15]);
    }
  } else if (fl == 6 && strncmp(fmt, "base64", 6) == 0) {
    for (size_t p = 0; p < n; p += 3) {
      uint32_t v = (uint32_t)(unsigned char)s[p] << 16;
      if (p + 1 < n)
        v |= (uint32_t)(unsigned char)s[p + 1] << 8;
      if (p + 2 < n)
        v |= (unsigned char)s[p + 2];
      sb_ch(&b, b64[(v >> 18) & 63]);
      sb_ch(&b, b64[(v >> 12) & 63]);
      sb_ch(&b, p + 1 < n ? b64[(v >> 6) & 63] : '=');
      sb_ch(&b, p + 2 < n ? b64[v & 63] : '=');
      if ((p / 3 + 1) % 19 == 0 && p + 3 < n)
        sb_ch(&b, '\n'); /* PostgreSQL breaks lines at 76 characters */
    }
  } else {
    b.fail = 1;
  }
  sb_done(c, &b, o, 0);
}

/* convert_from(bytes, encoding): UTF8 and SQL_ASCII as they are, LATIN1
 * mapped; others are not followed. */
static void fn_convert_from(lv_sql_ctx *c, const lv_sql_val *bytes,
                            const char *enc, size_t el, lv_sql_val *o) {
  char e[16];
  size_t k = 0;
  for (size_t p = 0; p < el && k + 1 < sizeof e; p++)
    if (enc[p] != '_' && enc[p] != '-')
      e[k++] = lower_ascii(enc[p]);
  e[k] = '\0';
  if (strcmp(e, "utf8") == 0 || strcmp(e, "unicode") == 0 ||
      strcmp(e, "sqlascii") == 0) {
    if (!lv_utf8_valid(bytes->s, bytes->len) ||
        memchr(bytes->s, '\0', bytes->len)) {
      v_unknown(o);
      return;
    }
    v_str(o, bytes->s, bytes->len);
    return;
  }
  if (strcmp(e, "latin1") == 0 || strcmp(e, "iso88591") == 0) {
    sb b = {0};
    for (size_t p = 0; p < bytes->len; p++) {
      unsigned char ch = (unsigned char)bytes->s[p];
      if (ch == 0) {
        b.fail = 1;
        break;
      }
      unsigned char u[4];
      int n = lv_utf8_encode(ch, u);
      sb_add(&b, (const char *)u, (size_t)n);
    }
    sb_done(c, &b, o, 0);
    return;
  }
  v_unknown(o);
}

/* A cast, or a function named after a type (text(1), bool('t')). Returns 0
 * when type is not one followed. */
static int cast_to(lv_sql_ctx *c, lv_sql_val v, const char *type,
                   int64_t typmod, lv_sql_val *o) {
  static const char *const texts[] = {"text", "varchar", "name"};
  static const char *const ints[] = {"int2",     "int4",   "int8", "integer",
                                     "smallint", "bigint", "int"};
  static const char *const floats[] = {"numeric", "float4", "float8", "decimal",
                                       "real"};
  int is_text = 0, is_int = 0, is_float = 0;
  for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++)
    is_text |= strcmp(type, texts[k]) == 0;
  for (size_t k = 0; k < sizeof ints / sizeof ints[0]; k++)
    is_int |= strcmp(type, ints[k]) == 0;
  for (size_t k = 0; k < sizeof floats / sizeof floats[0]; k++)
    is_float |= strcmp(type, floats[k]) == 0;
  int is_bool = strcmp(type, "bool") == 0 || strcmp(type, "boolean") == 0;
  int is_bytea = strcmp(type, "bytea") == 0;
  if (!is_text && !is_int && !is_float && !is_bool && !is_bytea)
    return 0;
  if (v.kind == LV_SQL_V_NULL || v.kind == LV_SQL_V_UNKNOWN) {
    *o = v;
    return 1;
  }
  v_unknown(o);
  if (is_text) {
    const char *s;
    size_t n;
    if (v.kind == LV_SQL_V_BYTES || !text_of(c, &v, &s, &n))
      return 1;
    size_t limit = strcmp(type, "name") == 0 ? 63 : SIZE_MAX;
    if (strcmp(type, "varchar") == 0 && typmod > 0)
      n = ch_offset(s, n, (size_t)typmod);
    else if (n > limit)
      n = lv_utf8_floor(s, limit);
    v_str(o, s, n);
  } else if (is_bool) {
    int b;
    if (v.kind == LV_SQL_V_BOOL)
      *o = v;
    else if (v.kind == LV_SQL_V_INT)
      v_bool(o, v.i != 0);
    else if (v.kind == LV_SQL_V_STR && parse_bool(v.s, v.len, &b))
      v_bool(o, b);
  } else if (is_int) {
    int64_t i;
    double f;
    if (v.kind == LV_SQL_V_INT)
      *o = v;
    else if (v.kind == LV_SQL_V_BOOL)
      v_int(o, v.b);
    else if (v.kind == LV_SQL_V_FLOAT && fabs(v.f) < 9e18)
      v_int(o, (int64_t)llround(v.f));
    else if (v.kind == LV_SQL_V_STR && parse_num(v.s, v.len, &i, &f) == 1)
      v_int(o, i);
  } else if (is_float) {
    double d;
    int64_t i;
    if (as_double(&v, &d))
      v_float(o, d);
    else if (v.kind == LV_SQL_V_STR) {
      int r = parse_num(v.s, v.len, &i, &d);
      if (r == 1)
        v_float(o, (double)i);
      else if (r == 2)
        v_float(o, d);
    }
  } else if (is_bytea) {
    if (v.kind == LV_SQL_V_BYTES)
      *o = v;
    else if (v.kind == LV_SQL_V_STR)
      bytea_in(c, v.s, v.len, o);
  }
  return 1;
}

static void trim(const char *s, size_t n, const char *set, size_t sn, int left,
                 int right, size_t *from, size_t *to) {
  size_t a = 0, z = n;
  /* characters of set, which may be multibyte */
  while (left && a < z) {
    size_t cl = ch_len(s + a, z - a);
    int found = 0;
    for (size_t p = 0; p < sn && !found; p += ch_len(set + p, sn - p))
      found = ch_len(set + p, sn - p) == cl && memcmp(set + p, s + a, cl) == 0;
    if (!found)
      break;
    a += cl;
  }
  while (right && z > a) {
    size_t b = z - 1;
    while (b > a && ((unsigned char)s[b] & 0xC0) == 0x80)
      b--;
    size_t cl = z - b;
    int found = 0;
    for (size_t p = 0; p < sn && !found; p += ch_len(set + p, sn - p))
      found = ch_len(set + p, sn - p) == cl && memcmp(set + p, s + b, cl) == 0;
    if (!found)
      break;
    z = b;
  }
  *from = a;
  *to = z;
}

/* Functions of one or more text arguments that return text; all strict. */
static void fn_text(lv_sql_ctx *c, const char *fn, const lv_sql_val *args,
                    int nargs, lv_sql_val *o) {
  const char *s[3] = {0};
  size_t n[3] = {0};
  int ntext = nargs < 3 ? nargs : 3;
  v_unknown(o);
  /* which arguments are text, by function */
  int want = 1;
  if (!strcmp(fn, "replace") || !strcmp(fn, "translate") ||
      !strcmp(fn, "split_part"))
    want = strcmp(fn, "split_part") ? 3 : 2;
  else if (!strcmp(fn, "btrim") || !strcmp(fn, "ltrim") || !strcmp(fn, "rtrim"))
    want = nargs >= 2 ? 2 : 1;
  for (int k = 0; k < want; k++) {
    if (k >= ntext)
      return;
    int r = arg_text(c, args, nargs, k, &s[k], &n[k]);
    if (r < 0)
      return;
    if (r == 0) {
      v_null(o);
      return;
    }
  }
  sb b = {0};
  if (!strcmp(fn, "upper") || !strcmp(fn, "lower")) {
    int up = fn[0] == 'u';
    for (size_t p = 0; p < n[0]; p++) {
      char ch = s[0][p];
      if (up && ch >= 'a' && ch <= 'z')
        ch = (char)(ch - 'a' + 'A');
      else if (!up)
        ch = lower_ascii(ch);
      sb_ch(&b, ch);
    }
  } else if (!strcmp(fn, "replace")) {
    if (n[1] == 0) {
      sb_add(&b, s[0], n[0]);
    } else {
      for (size_t p = 0; p < n[0];) {
        if (p + n[1] <= n[0] && memcmp(s[0] + p, s[1], n[1]) == 0) {
          sb_add(&b, s[2], n[2]);
          p += n[1];
        } else {
          sb_ch(&b, s[0][p++]);
        }
      }
    }
  } else if (!strcmp(fn, "reverse")) {
    for (size_t z = n[0]; z > 0;) {
      size_t a = z - 1;
      while (a > 0 && ((unsigned char)s[0][a] & 0xC0) == 0x80)
        a--;
      sb_add(&b, s[0] + a, z - a);
      z = a;
    }
  } else if (!strcmp(fn, "quote_ident")) {
    quote_ident_into(&b, s[0], n[0]);
  } else if (!strcmp(fn, "quote_literal") || !strcmp(fn, "quote_nullable")) {
    quote_literal_into(&b, s[0], n[0]);
  } else if (!strcmp(fn, "btrim") || !strcmp(fn, "ltrim") ||
             !strcmp(fn, "rtrim")) {
    size_t a, z;
    trim(s[0], n[0], nargs >= 2 ? s[1] : " ", nargs >= 2 ? n[1] : 1,
         fn[0] != 'r', fn[0] != 'l', &a, &z);
    sb_add(&b, s[0] + a, z - a);
  } else if (!strcmp(fn, "translate")) {
    for (size_t p = 0; p < n[0];) {
      size_t cl = ch_len(s[0] + p, n[0] - p);
      size_t idx = 0, q = 0;
      int found = 0;
      for (; q < n[1]; q += ch_len(s[1] + q, n[1] - q), idx++)
        if (ch_len(s[1] + q, n[1] - q) == cl &&
            memcmp(s[1] + q, s[0] + p, cl) == 0) {
          found = 1;
          break;
        }
      if (!found) {
        sb_add(&b, s[0] + p, cl);
      } else {
        size_t t0 = ch_offset(s[2], n[2], idx);
        if (t0 < n[2])
          sb_add(&b, s[2] + t0, ch_len(s[2] + t0, n[2] - t0));
      }
      p += cl;
    }
  } else if (!strcmp(fn, "split_part")) {
    int64_t field;
    if (arg_int(args, nargs, 2, &field) != 1 || field == 0 || n[1] == 0) {
      b.fail = 1;
    } else {
      /* fields by the delimiter; negative counts from the end */
      size_t starts[256], ends[256], nf = 0, from = 0;
      for (size_t p = 0; p + n[1] <= n[0] && nf < 255;) {
        if (memcmp(s[0] + p, s[1], n[1]) == 0) {
          starts[nf] = from;
          ends[nf++] = p;
          p += n[1];
          from = p;
        } else {
          p++;
        }
      }
      starts[nf] = from;
      ends[nf++] = n[0];
      int64_t k = field > 0 ? field - 1 : (int64_t)nf + field;
      if (k >= 0 && (size_t)k < nf)
        sb_add(&b, s[0] + starts[k], ends[k] - starts[k]);
      else
        sb_add(&b, "", 0);
    }
  } else {
    b.fail = 1;
  }
  sb_done(c, &b, o, 0);
}

static void eval_args(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t args,
                      lv_sql_val *vals, int *nargs, int depth) {
  int k = 0;
  for (uint32_t e = lv_sql_first(t, args); e; e = lv_sql_after(t, args, e)) {
    if (k == MAX_ARGS) {
      *nargs = -1;
      return;
    }
    uint32_t named = lv_sql_node_is(t, e, "NamedArgExpr");
    ev(c, t, named ? lv_sql_get(t, named, "arg") : e, &vals[k++], depth + 1);
  }
  *nargs = k;
}

static void ev_func(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                    lv_sql_val *o, int depth) {
  v_unknown(o);
  if (lv_sql_get(t, body, "over") || lv_sql_get(t, body, "agg_star") ||
      lv_sql_get(t, body, "agg_order") || lv_sql_get(t, body, "agg_filter") ||
      lv_sql_get(t, body, "func_variadic"))
    return;
  uint32_t name = lv_sql_last_name(t, lv_sql_get(t, body, "funcname"));
  char fn[32];
  lv_sql_str_copy(t, name, fn, sizeof fn);
  if (!fn[0])
    return;
  uint32_t args = lv_sql_get(t, body, "args");
  /* array_to_string(ARRAY[...], sep[, null]) reads the array's elements */
  if (!strcmp(fn, "array_to_string")) {
    uint32_t arr = lv_sql_first(t, args);
    uint32_t ab = arr ? lv_sql_node_is(t, arr, "A_ArrayExpr") : 0;
    uint32_t sep = arr ? lv_sql_after(t, args, arr) : 0;
    if (!ab || !sep || lv_sql_after(t, args, sep))
      return;
    lv_sql_val sv;
    ev(c, t, sep, &sv, depth + 1);
    const char *ss;
    size_t sn;
    if (sv.kind == LV_SQL_V_NULL) {
      v_null(o);
      return;
    }
    if (!text_of(c, &sv, &ss, &sn))
      return;
    sb b = {0};
    int first = 1;
    uint32_t elems = lv_sql_get(t, ab, "elements");
    for (uint32_t e = lv_sql_first(t, elems); e && !b.fail;
         e = lv_sql_after(t, elems, e)) {
      lv_sql_val ev_;
      ev(c, t, e, &ev_, depth + 1);
      const char *es;
      size_t en;
      if (ev_.kind == LV_SQL_V_NULL)
        continue;
      if (!text_of(c, &ev_, &es, &en)) {
        b.fail = 1;
        break;
      }
      if (!first)
        sb_add(&b, ss, sn);
      sb_add(&b, es, en);
      first = 0;
    }
    sb_done(c, &b, o, 0);
    return;
  }
  lv_sql_val vals[MAX_ARGS];
  int nargs = 0;
  eval_args(c, t, args, vals, &nargs, depth);
  if (nargs < 0)
    return;
  if (nargs == 1 && cast_to(c, vals[0], fn, -1, o))
    return;
  if (!strcmp(fn, "concat") || !strcmp(fn, "concat_ws")) {
    int ws = fn[6] == '_';
    const char *sep = "";
    size_t sepn = 0;
    if (ws) {
      int r = arg_text(c, vals, nargs, 0, &sep, &sepn);
      if (r <= 0) {
        if (r == 0)
          v_null(o);
        return;
      }
    }
    sb b = {0};
    int first = 1;
    for (int k = ws; k < nargs && !b.fail; k++) {
      const char *s;
      size_t n;
      int r = arg_text(c, vals, nargs, k, &s, &n);
      if (r == 0)
        continue;
      if (r < 0) {
        b.fail = 1;
        break;
      }
      if (!first)
        sb_add(&b, sep, sepn);
      sb_add(&b, s, n);
      first = 0;
    }
    sb_done(c, &b, o, 0);
    return;
  }
  if (!strcmp(fn, "format")) {
    fn_format(c, vals, nargs, o);
    return;
  }
  if (!strcmp(fn, "quote_nullable") && nargs == 1 &&
      vals[0].kind == LV_SQL_V_NULL) {
    v_str(o, "NULL", 4);
    return;
  }
  if (!strcmp(fn, "chr") && nargs == 1) {
    int64_t cp;
    int r = arg_int(vals, nargs, 0, &cp);
    if (r == 0) {
      v_null(o);
    } else if (r == 1 && cp > 0 && cp <= 0x10FFFF &&
               !(cp >= 0xD800 && cp < 0xE000)) {
      char *buf = lv_arena_alloc(&c->arena, 4);
      if (buf)
        v_str(o, buf,
              (size_t)lv_utf8_encode((int32_t)cp, (unsigned char *)buf));
    }
    return;
  }
  if ((!strcmp(fn, "substr") || !strcmp(fn, "substring") ||
       !strcmp(fn, "left") || !strcmp(fn, "right") || !strcmp(fn, "repeat")) &&
      nargs >= 2 && nargs <= 3) {
    const char *s;
    size_t n;
    int64_t a, len = 0;
    int r = arg_text(c, vals, nargs, 0, &s, &n);
    int ra = arg_int(vals, nargs, 1, &a);
    int rl = nargs == 3 ? arg_int(vals, nargs, 2, &len) : 1;
    if (r == 0 || ra == 0 || rl == 0) {
      v_null(o);
      return;
    }
    if (r < 0 || ra < 0 || rl < 0 || (fn[0] != 's' && nargs == 3))
      return;
    size_t chars = ch_count(s, n);
    if (!strcmp(fn, "repeat")) {
      sb b = {0};
      for (int64_t k = 0; k < a && !b.fail; k++)
        sb_add(&b, s, n);
      sb_done(c, &b, o, 0);
      return;
    }
    int64_t from, to; /* character positions, 0-based, [from, to) */
    if (fn[0] == 'l') {
      from = 0;
      to = a >= 0 ? a : (int64_t)chars + a;
    } else if (fn[0] == 'r') {
      to = (int64_t)chars;
      from = a >= 0 ? (int64_t)chars - a : -a;
    } else {
      if (nargs == 3 && len < 0)
        return; /* negative length: an error */
      from = a - 1;
      to = nargs == 3 ? a - 1 + len : (int64_t)chars;
    }
    if (from < 0)
      from = 0;
    if (to > (int64_t)chars)
      to = (int64_t)chars;
    if (to < from)
      to = from;
    size_t bf = ch_offset(s, n, (size_t)from), bt = ch_offset(s, n, (size_t)to);
    v_str(o, s + bf, bt - bf);
    return;
  }
  if ((!strcmp(fn, "decode") || !strcmp(fn, "encode") ||
       !strcmp(fn, "convert_from") || !strcmp(fn, "convert_to")) &&
      nargs == 2) {
    if (vals[0].kind == LV_SQL_V_NULL || vals[1].kind == LV_SQL_V_NULL) {
      v_null(o);
      return;
    }
    const char *f;
    size_t fl;
    if (vals[1].kind != LV_SQL_V_STR)
      return;
    f = vals[1].s;
    fl = vals[1].len;
    char lf[8];
    if (fl < sizeof lf) {
      for (size_t k = 0; k < fl; k++)
        lf[k] = lower_ascii(f[k]);
      f = lf;
    }
    lv_sql_val a = vals[0];
    if (fn[0] == 'd') {
      if (a.kind == LV_SQL_V_STR)
        fn_decode(c, a.s, a.len, f, fl, o);
    } else if (fn[0] == 'e') {
      if (a.kind == LV_SQL_V_STR) /* an unknown literal read as bytea */
        bytea_in(c, a.s, a.len, &a);
      if (a.kind == LV_SQL_V_BYTES)
        fn_encode(c, a.s, a.len, f, fl, o);
    } else if (!strcmp(fn, "convert_from")) {
      if (a.kind == LV_SQL_V_STR)
        bytea_in(c, a.s, a.len, &a);
      if (a.kind == LV_SQL_V_BYTES)
        fn_convert_from(c, &a, vals[1].s, vals[1].len, o);
    } else {
      char e[16];
      size_t k = 0;
      for (size_t p = 0; p < vals[1].len && k + 1 < sizeof e; p++)
        if (vals[1].s[p] != '_' && vals[1].s[p] != '-')
          e[k++] = lower_ascii(vals[1].s[p]);
      e[k] = '\0';
      if (a.kind == LV_SQL_V_STR && strcmp(e, "utf8") == 0)
        v_bytes(o, a.s, a.len);
    }
    return;
  }
  fn_text(c, fn, vals, nargs, o);
}

/* --- operators ----------------------------------------------------------- */

/* Whether an operand can be taken as the same value on both sides: no
 * function call (random()) and no subquery. */
static int stable(const lv_sql_tree *t, uint32_t e) {
  return !lv_sql_contains(t, e, "FuncCall") &&
         !lv_sql_contains(t, e, "SubLink");
}

static void op_name(const lv_sql_tree *t, uint32_t body, char *op, size_t cap) {
  memset(op, 0, cap);
  uint32_t s = lv_sql_last_name(t, lv_sql_get(t, body, "name"));
  if (s)
    lv_sql_str_copy(t, s, op, cap);
}

static void like_match(const lv_sql_val *s, const lv_sql_val *p, int icase,
                       lv_sql_val *o);

/* + - * / % */
static int is_arith(const char *op) {
  return op[0] != '\0' && op[1] == '\0' && strchr("+-*/%", op[0]) != NULL;
}

static void arith(const char *op, lv_sql_val a, lv_sql_val b, lv_sql_val *o) {
  coerce_pair(&a, &b);
  v_unknown(o);
  if (a.kind == LV_SQL_V_INT && b.kind == LV_SQL_V_INT) {
    int64_t r;
    int bad = 0;
    switch (op[0]) {
    case '+': bad = __builtin_add_overflow(a.i, b.i, &r); break;
    case '-': bad = __builtin_sub_overflow(a.i, b.i, &r); break;
    case '*': bad = __builtin_mul_overflow(a.i, b.i, &r); break;
    case '/':
    case '%':
      if (b.i == 0 || (a.i == INT64_MIN && b.i == -1))
        return;
      r = op[0] == '/' ? a.i / b.i : a.i % b.i;
      break;
    default: return;
    }
    if (!bad)
      v_int(o, r);
    return;
  }
  double x, y;
  if (!as_double(&a, &x) || !as_double(&b, &y))
    return;
  double r;
  switch (op[0]) {
  case '+': r = x + y; break;
  case '-': r = x - y; break;
  case '*': r = x * y; break;
  case '/':
    if (y == 0)
      return;
    r = x / y;
    break;
  default: return;
  }
  if (isfinite(r))
    v_float(o, r);
}

/* Comparison by operator; TRUE/FALSE/NULL or unknown. */
static void cmp_op(const char *op, const lv_sql_val *a, const lv_sql_val *b,
                   lv_sql_val *o) {
  v_unknown(o);
  if (a->kind == LV_SQL_V_UNKNOWN || b->kind == LV_SQL_V_UNKNOWN) {
    v_unknown(o);
    return;
  }
  if (a->kind == LV_SQL_V_NULL || b->kind == LV_SQL_V_NULL) {
    v_null(o);
    return;
  }
  int r = compare(*a, *b);
  if (r == -2) {
    v_unknown(o);
    return;
  }
  if (!strcmp(op, "="))
    v_bool(o, r == 0);
  else if (!strcmp(op, "<>"))
    v_bool(o, r != 0);
  else if (r == 2) /* text order: the collation decides */
    return;
  else if (!strcmp(op, "<"))
    v_bool(o, r < 0);
  else if (!strcmp(op, ">"))
    v_bool(o, r > 0);
  else if (!strcmp(op, "<="))
    v_bool(o, r <= 0);
  else if (!strcmp(op, ">="))
    v_bool(o, r >= 0);
}

static int is_cmp(const char *op) {
  return !strcmp(op, "=") || !strcmp(op, "<>") || !strcmp(op, "<") ||
         !strcmp(op, ">") || !strcmp(op, "<=") || !strcmp(op, ">=");
}

static void ev_aexpr(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                     lv_sql_val *o, int depth) {
  v_unknown(o);
  char op[16];
  op_name(t, body, op, sizeof op);
  uint32_t kind = lv_sql_get(t, body, "kind");
  uint32_t le = lv_sql_get(t, body, "lexpr"), re = lv_sql_get(t, body, "rexpr");
  lv_sql_val a = {0}, b = {0};
  if (lv_sql_str_eq(t, kind, "AEXPR_OP")) {
    if (!re)
      return;
    ev(c, t, re, &b, depth + 1);
    if (!le) { /* prefix operator */
      if (!strcmp(op, "-") && b.kind == LV_SQL_V_INT && b.i != INT64_MIN)
        v_int(o, -b.i);
      else if (!strcmp(op, "-") && b.kind == LV_SQL_V_FLOAT)
        v_float(o, -b.f);
      else if (!strcmp(op, "+") &&
               (b.kind == LV_SQL_V_INT || b.kind == LV_SQL_V_FLOAT))
        *o = b;
      else if (b.kind == LV_SQL_V_NULL)
        v_null(o);
      return;
    }
    ev(c, t, le, &a, depth + 1);
    if (is_cmp(op)) {
      cmp_op(op, &a, &b, o);
      if (o->kind == LV_SQL_V_UNKNOWN && lv_sql_same(t, le, re)) {
        /* x = x: every row (where x is not null) */
        if (!strcmp(op, "=") || !strcmp(op, "<=") || !strcmp(op, ">="))
          v_bool(o, 1);
        else if (stable(t, le))
          v_bool(o, 0);
      }
      return;
    }
    if (!strcmp(op, "||")) {
      if (a.kind == LV_SQL_V_NULL || b.kind == LV_SQL_V_NULL) {
        v_null(o);
        return;
      }
      const char *s1, *s2;
      size_t n1, n2;
      if (a.kind == LV_SQL_V_BYTES || b.kind == LV_SQL_V_BYTES ||
          !text_of(c, &a, &s1, &n1) || !text_of(c, &b, &s2, &n2))
        return;
      sb sbuf = {0};
      sb_add(&sbuf, s1, n1);
      sb_add(&sbuf, s2, n2);
      sb_done(c, &sbuf, o, 0);
      return;
    }
    if (!strcmp(op, "~~") || !strcmp(op, "!~~") || !strcmp(op, "~~*") ||
        !strcmp(op, "!~~*")) {
      like_match(&a, &b, strchr(op, '*') != NULL, o);
      if (o->kind == LV_SQL_V_BOOL && op[0] == '!')
        o->b = !o->b;
      return;
    }
    if (a.kind == LV_SQL_V_NULL || b.kind == LV_SQL_V_NULL) {
      if (is_arith(op))
        v_null(o);
      return;
    }
    if (is_arith(op))
      arith(op, a, b, o);
    return;
  }
  if (lv_sql_str_eq(t, kind, "AEXPR_DISTINCT") ||
      lv_sql_str_eq(t, kind, "AEXPR_NOT_DISTINCT")) {
    int distinct = lv_sql_str_eq(t, kind, "AEXPR_DISTINCT");
    ev(c, t, le, &a, depth + 1);
    ev(c, t, re, &b, depth + 1);
    if (a.kind == LV_SQL_V_NULL || b.kind == LV_SQL_V_NULL) {
      if (a.kind != LV_SQL_V_UNKNOWN && b.kind != LV_SQL_V_UNKNOWN)
        v_bool(o, (a.kind == b.kind) != distinct);
    } else {
      cmp_op("=", &a, &b, o);
      if (o->kind == LV_SQL_V_BOOL && distinct)
        o->b = !o->b;
    }
    if (o->kind == LV_SQL_V_UNKNOWN && lv_sql_same(t, le, re) &&
        (!distinct || stable(t, le)))
      v_bool(o, !distinct);
    return;
  }
  if (lv_sql_str_eq(t, kind, "AEXPR_NULLIF")) {
    ev(c, t, le, &a, depth + 1);
    ev(c, t, re, &b, depth + 1);
    lv_sql_val eq;
    cmp_op("=", &a, &b, &eq);
    if (a.kind == LV_SQL_V_NULL)
      v_null(o);
    else if (eq.kind == LV_SQL_V_BOOL)
      eq.b ? v_null(o) : (void)(*o = a);
    else if (b.kind == LV_SQL_V_NULL)
      *o = a;
    return;
  }
  if (lv_sql_str_eq(t, kind, "AEXPR_IN")) {
    int neg = !strcmp(op, "<>");
    uint32_t list = lv_sql_node_is(t, re, "List");
    uint32_t items = list ? lv_sql_get(t, list, "items") : 0;
    if (!items)
      return;
    ev(c, t, le, &a, depth + 1);
    int any_null = 0, any_unknown = 0, found = 0;
    for (uint32_t e = lv_sql_first(t, items); e && !found;
         e = lv_sql_after(t, items, e)) {
      ev(c, t, e, &b, depth + 1);
      lv_sql_val r;
      cmp_op("=", &a, &b, &r);
      if (r.kind == LV_SQL_V_UNKNOWN && lv_sql_same(t, le, e))
        v_bool(&r, 1);
      if (r.kind == LV_SQL_V_BOOL && r.b)
        found = 1;
      else if (r.kind == LV_SQL_V_NULL)
        any_null = 1;
      else if (r.kind != LV_SQL_V_BOOL)
        any_unknown = 1;
    }
    if (found)
      v_bool(o, !neg);
    else if (any_unknown)
      v_unknown(o);
    else if (any_null)
      v_null(o);
    else
      v_bool(o, neg);
    return;
  }
  if (lv_sql_str_eq(t, kind, "AEXPR_LIKE") ||
      lv_sql_str_eq(t, kind, "AEXPR_ILIKE")) {
    ev(c, t, le, &a, depth + 1);
    ev(c, t, re, &b, depth + 1);
    like_match(&a, &b, lv_sql_str_eq(t, kind, "AEXPR_ILIKE"), o);
    if (o->kind == LV_SQL_V_BOOL && op[0] == '!')
      o->b = !o->b;
    return;
  }
  int sym = lv_sql_str_eq(t, kind, "AEXPR_BETWEEN_SYM") ||
            lv_sql_str_eq(t, kind, "AEXPR_NOT_BETWEEN_SYM");
  int neg = lv_sql_str_eq(t, kind, "AEXPR_NOT_BETWEEN") ||
            lv_sql_str_eq(t, kind, "AEXPR_NOT_BETWEEN_SYM");
  if (sym || neg || lv_sql_str_eq(t, kind, "AEXPR_BETWEEN")) {
    uint32_t list = lv_sql_node_is(t, re, "List");
    uint32_t items = list ? lv_sql_get(t, list, "items") : 0;
    uint32_t lo = lv_sql_first(t, items);
    uint32_t hi = lo ? lv_sql_after(t, items, lo) : 0;
    if (!hi)
      return;
    lv_sql_val l, h, r1, r2;
    ev(c, t, le, &a, depth + 1);
    ev(c, t, lo, &l, depth + 1);
    ev(c, t, hi, &h, depth + 1);
    if (sym) {
      lv_sql_val sw;
      cmp_op(">", &l, &h, &sw);
      if (sw.kind != LV_SQL_V_BOOL)
        return;
      if (sw.b) {
        lv_sql_val tmp = l;
        l = h;
        h = tmp;
      }
    }
    cmp_op(">=", &a, &l, &r1);
    cmp_op("<=", &a, &h, &r2);
    if ((r1.kind == LV_SQL_V_BOOL && !r1.b) ||
        (r2.kind == LV_SQL_V_BOOL && !r2.b))
      v_bool(o, neg);
    else if (r1.kind == LV_SQL_V_BOOL && r2.kind == LV_SQL_V_BOOL)
      v_bool(o, !neg);
    else if (r1.kind == LV_SQL_V_NULL || r2.kind == LV_SQL_V_NULL)
      v_null(o);
    return;
  }
}

/* LIKE with constants; a pattern of only % matches every non-null string,
 * even an unknown one. */
static int like_rec(const char *s, size_t n, const char *p, size_t m, int icase,
                    int depth) {
  if (depth > 10000)
    return -1;
  size_t i = 0, j = 0;
  while (j < m) {
    char pc = p[j];
    if (pc == '%') {
      while (j < m && p[j] == '%')
        j++;
      if (j == m)
        return 1;
      for (size_t k = i; k <= n; k++) {
        int r = like_rec(s + k, n - k, p + j, m - j, icase, depth + 1);
        if (r != 0)
          return r;
      }
      return 0;
    }
    if (i >= n)
      return 0;
    if (pc == '_') {
      i += ch_len(s + i, n - i);
      j += ch_len(p + j, m - j);
      continue;
    }
    if (pc == '\\' && j + 1 < m)
      pc = p[++j];
    char sc = s[i];
    if (icase) {
      sc = lower_ascii(sc);
      pc = lower_ascii(pc);
    }
    if (sc != pc)
      return 0;
    i++;
    j++;
  }
  return i == n;
}

static void like_match(const lv_sql_val *s, const lv_sql_val *p, int icase,
                       lv_sql_val *o) {
  v_unknown(o);
  if (s->kind == LV_SQL_V_NULL || p->kind == LV_SQL_V_NULL) {
    v_null(o);
    return;
  }
  if (p->kind != LV_SQL_V_STR)
    return;
  int all_pct = p->len > 0;
  for (size_t k = 0; k < p->len; k++)
    all_pct &= p->s[k] == '%';
  if (s->kind == LV_SQL_V_UNKNOWN) {
    if (all_pct)
      v_bool(o, 1);
    return;
  }
  if (s->kind != LV_SQL_V_STR || p->len > 4096 || s->len > 65536)
    return;
  int r = like_rec(s->s, s->len, p->s, p->len, icase, 0);
  if (r >= 0)
    v_bool(o, r);
}

/* --- boolean logic ------------------------------------------------------- */

/* Whether a and b are exact complements (one is true where the other is
 * not, nulls aside): p and NOT p, x IS NULL and x IS NOT NULL, x op y and
 * x negated-op y, p IS TRUE and p IS NOT TRUE. */
static int complement(const lv_sql_tree *t, uint32_t a, uint32_t b) {
  uint32_t ba, bb;
  if ((bb = lv_sql_node_is(t, b, "BoolExpr")) &&
      lv_sql_str_eq(t, lv_sql_get(t, bb, "boolop"), "NOT_EXPR")) {
    uint32_t inner = lv_sql_first(t, lv_sql_get(t, bb, "args"));
    if (inner && lv_sql_same(t, a, inner))
      return 1;
  }
  if ((ba = lv_sql_node_is(t, a, "BoolExpr")) &&
      lv_sql_str_eq(t, lv_sql_get(t, ba, "boolop"), "NOT_EXPR")) {
    uint32_t inner = lv_sql_first(t, lv_sql_get(t, ba, "args"));
    if (inner && lv_sql_same(t, b, inner))
      return 1;
  }
  static const char *const pairs[][2] = {{"IS_NULL", "IS_NOT_NULL"},
                                         {"IS_TRUE", "IS_NOT_TRUE"},
                                         {"IS_FALSE", "IS_NOT_FALSE"},
                                         {"IS_UNKNOWN", "IS_NOT_UNKNOWN"}};
  const char *kinds[2][2] = {{"NullTest", "nulltesttype"},
                             {"BooleanTest", "booltesttype"}};
  for (int k = 0; k < 2; k++) {
    ba = lv_sql_node_is(t, a, kinds[k][0]);
    bb = lv_sql_node_is(t, b, kinds[k][0]);
    if (!ba || !bb ||
        !lv_sql_same(t, lv_sql_get(t, ba, "arg"), lv_sql_get(t, bb, "arg")))
      continue;
    uint32_t ta = lv_sql_get(t, ba, kinds[k][1]);
    uint32_t tb = lv_sql_get(t, bb, kinds[k][1]);
    for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++)
      if ((lv_sql_str_eq(t, ta, pairs[p][0]) &&
           lv_sql_str_eq(t, tb, pairs[p][1])) ||
          (lv_sql_str_eq(t, ta, pairs[p][1]) &&
           lv_sql_str_eq(t, tb, pairs[p][0])))
        return 1;
  }
  ba = lv_sql_node_is(t, a, "A_Expr");
  bb = lv_sql_node_is(t, b, "A_Expr");
  if (ba && bb && lv_sql_str_eq(t, lv_sql_get(t, ba, "kind"), "AEXPR_OP") &&
      lv_sql_str_eq(t, lv_sql_get(t, bb, "kind"), "AEXPR_OP") &&
      lv_sql_same(t, lv_sql_get(t, ba, "lexpr"), lv_sql_get(t, bb, "lexpr")) &&
      lv_sql_same(t, lv_sql_get(t, ba, "rexpr"), lv_sql_get(t, bb, "rexpr"))) {
    char oa[8], ob[8];
    op_name(t, ba, oa, sizeof oa);
    op_name(t, bb, ob, sizeof ob);
    static const char *const neg[][2] = {{"=", "<>"}, {"<", ">="}, {">", "<="}};
    for (size_t p = 0; p < sizeof neg / sizeof neg[0]; p++)
      if ((!strcmp(oa, neg[p][0]) && !strcmp(ob, neg[p][1])) ||
          (!strcmp(oa, neg[p][1]) && !strcmp(ob, neg[p][0])))
        return 1;
  }
  return 0;
}

static void ev_bool(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                    lv_sql_val *o, int depth) {
  v_unknown(o);
  uint32_t op = lv_sql_get(t, body, "boolop");
  uint32_t args = lv_sql_get(t, body, "args");
  if (lv_sql_str_eq(t, op, "NOT_EXPR")) {
    lv_sql_val a;
    ev(c, t, lv_sql_first(t, args), &a, depth + 1);
    if (a.kind == LV_SQL_V_BOOL)
      v_bool(o, !a.b);
    else if (a.kind == LV_SQL_V_NULL)
      v_null(o);
    return;
  }
  int is_and = lv_sql_str_eq(t, op, "AND_EXPR");
  if (!is_and && !lv_sql_str_eq(t, op, "OR_EXPR"))
    return;
  /* AND: any false is false; OR: any true is true. */
  int decided = 0, any_null = 0, any_unknown = 0;
  for (uint32_t e = lv_sql_first(t, args); e; e = lv_sql_after(t, args, e)) {
    lv_sql_val a;
    ev(c, t, e, &a, depth + 1);
    if (a.kind == LV_SQL_V_BOOL && a.b == !is_and)
      decided = 1;
    else if (a.kind == LV_SQL_V_NULL)
      any_null = 1;
    else if (a.kind != LV_SQL_V_BOOL)
      any_unknown = 1;
    if (decided)
      break;
  }
  if (!decided && any_unknown) {
    /* p OR NOT p; p AND NOT p (only when p is stable) */
    for (uint32_t e = lv_sql_first(t, args); e && !decided;
         e = lv_sql_after(t, args, e))
      for (uint32_t f = lv_sql_after(t, args, e); f && !decided;
           f = lv_sql_after(t, args, f))
        if (complement(t, e, f) && (!is_and || (stable(t, e) && stable(t, f))))
          decided = 1;
  }
  if (decided)
    v_bool(o, !is_and);
  else if (any_unknown)
    v_unknown(o);
  else if (any_null)
    v_null(o);
  else
    v_bool(o, is_and);
}

/* --- nodes --------------------------------------------------------------- */

/* libpg_query 15-4.0.0 prints every negative integer constant as "ival":
 * {}, as it prints 0. The text at the constant's location tells them
 * apart: digits are 0; a minus sign, blanks and digits (the grammar folds
 * "- 12" into one constant) are that negative number; anything else ("-(1)")
 * is unknown. */
static void negative_const(const char *s, size_t n, lv_sql_val *o) {
  v_unknown(o);
  size_t p = 0;
  int neg = 0;
  if (p < n && s[p] == '-') {
    neg = 1;
    p++;
    while (p < n && is_ws(s[p]))
      p++;
  }
  size_t d0 = p;
  uint64_t v = 0;
  while (p < n && s[p] >= '0' && s[p] <= '9' && v < (UINT64_C(1) << 62))
    v = v * 10 + (uint64_t)(s[p++] - '0');
  if (p == d0 ||
      (p < n && (s[p] == '.' || s[p] == 'e' || s[p] == 'E' || s[p] == '_' ||
                 (s[p] >= '0' && s[p] <= '9') || (s[p] >= 'a' && s[p] <= 'z') ||
                 (s[p] >= 'A' && s[p] <= 'Z'))))
    return;
  if (!neg && v != 0)
    return; /* not what this is about */
  v_int(o, neg ? -(int64_t)v : 0);
}

static void ev_const(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                     lv_sql_val *o) {
  uint32_t k;
  v_unknown(o);
  if (lv_sql_bool(t, lv_sql_get(t, body, "isnull"))) {
    v_null(o);
  } else if ((k = lv_sql_get(t, body, "ival"))) {
    int64_t x;
    uint32_t v = lv_sql_get(t, k, "ival");
    if (v && lv_sql_int(t, v, &x)) {
      v_int(o, x);
    } else if (!v) {
      int64_t loc = -1;
      uint32_t l = lv_sql_get(t, body, "location");
      if (l && lv_sql_int(t, l, &loc) && t->src && loc >= 0 &&
          (uint64_t)loc < t->src_len)
        negative_const(t->src + loc, t->src_len - (size_t)loc, o);
    }
  } else if ((k = lv_sql_get(t, body, "fval"))) {
    size_t n;
    const char *s = lv_sql_str(t, lv_sql_get(t, k, "fval"), &c->arena, &n);
    int64_t i = 0;
    double f = 0;
    int r = s ? parse_num(s, n, &i, &f) : 0;
    if (r) {
      v_float(o, r == 1 ? (double)i : f);
      o->s = s; /* as written, for its text form */
      o->len = n;
    }
  } else if ((k = lv_sql_get(t, body, "boolval"))) {
    v_bool(o, lv_sql_bool(t, lv_sql_get(t, k, "boolval")));
  } else if ((k = lv_sql_get(t, body, "sval"))) {
    uint32_t v = lv_sql_get(t, k, "sval");
    size_t n = 0;
    const char *s = v ? lv_sql_str(t, v, &c->arena, &n) : "";
    if (s)
      v_str(o, s, n);
  }
}

static void ev_cast(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                    lv_sql_val *o, int depth) {
  v_unknown(o);
  uint32_t tn = lv_sql_get(t, body, "typeName");
  if (!tn || lv_sql_get(t, tn, "arrayBounds"))
    return;
  char type[32];
  lv_sql_str_copy(t, lv_sql_last_name(t, lv_sql_get(t, tn, "names")), type,
                  sizeof type);
  int64_t typmod = -1;
  uint32_t mods = lv_sql_get(t, tn, "typmods");
  if (mods) {
    lv_sql_val m;
    ev(c, t, lv_sql_first(t, mods), &m, depth + 1);
    if (m.kind != LV_SQL_V_INT || lv_sql_count(t, mods) != 1)
      return;
    typmod = m.i;
  }
  if (!strcmp(type, "bpchar") || !strcmp(type, "char"))
    return; /* blank-padded: not followed */
  lv_sql_val a;
  ev(c, t, lv_sql_get(t, body, "arg"), &a, depth + 1);
  if (!cast_to(c, a, type, typmod, o))
    v_unknown(o);
}

static int env_find(const lv_sql_env *env, const char *s, size_t n) {
  if (!env)
    return -1;
  for (int k = 0; k < env->n; k++)
    if (strlen(env->names[k]) == n && memcmp(env->names[k], s, n) == 0)
      return k;
  return -1;
}

/* A column reference that names a PL/pgSQL variable: its index, or -1. */
static int colref_var(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body) {
  uint32_t fields = lv_sql_get(t, body, "fields");
  if (!c->env || lv_sql_count(t, fields) != 1)
    return -1;
  uint32_t s = lv_sql_node_is(t, lv_sql_first(t, fields), "String");
  uint32_t v = s ? lv_sql_get(t, s, "sval") : 0;
  size_t n;
  const char *name = v ? lv_sql_str(t, v, &c->arena, &n) : NULL;
  return name ? env_find(c->env, name, n) : -1;
}

static void ev_colref(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                      lv_sql_val *o) {
  v_unknown(o);
  int k = colref_var(c, t, body);
  if (k < 0)
    return;
  const lv_sql_valset *set = &c->env->sets[k];
  if (set->top || set->n == 0)
    return;
  if (set->n == 1)
    *o = set->v[0];
  else if (c->env->choice[k] >= 0 && c->env->choice[k] < set->n)
    *o = set->v[c->env->choice[k]];
}

static void ev(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t e, lv_sql_val *o,
               int depth) {
  v_unknown(o);
  if (depth > LV_SQL_MAX_EVAL_DEPTH || !e)
    return;
  const char *name;
  size_t nl;
  uint32_t body = lv_sql_node(t, e, &name, &nl);
  if (!body)
    return;
#define IS(s) (nl == sizeof(s) - 1 && memcmp(name, s, nl) == 0)
  if (IS("A_Const")) {
    ev_const(c, t, body, o);
  } else if (IS("TypeCast")) {
    ev_cast(c, t, body, o, depth);
  } else if (IS("A_Expr")) {
    ev_aexpr(c, t, body, o, depth);
  } else if (IS("BoolExpr")) {
    ev_bool(c, t, body, o, depth);
  } else if (IS("FuncCall")) {
    ev_func(c, t, body, o, depth);
  } else if (IS("ColumnRef")) {
    ev_colref(c, t, body, o);
  } else if (IS("NamedArgExpr") || IS("CollateClause")) {
    ev(c, t, lv_sql_get(t, body, "arg"), o, depth + 1);
  } else if (IS("NullTest")) {
    lv_sql_val a;
    ev(c, t, lv_sql_get(t, body, "arg"), &a, depth + 1);
    int isnull =
        lv_sql_str_eq(t, lv_sql_get(t, body, "nulltesttype"), "IS_NULL");
    if (a.kind != LV_SQL_V_UNKNOWN)
      v_bool(o, (a.kind == LV_SQL_V_NULL) == isnull);
  } else if (IS("BooleanTest")) {
    lv_sql_val a;
    ev(c, t, lv_sql_get(t, body, "arg"), &a, depth + 1);
    uint32_t bt = lv_sql_get(t, body, "booltesttype");
    if (a.kind == LV_SQL_V_STR) {
      int b;
      if (parse_bool(a.s, a.len, &b))
        v_bool(&a, b);
    }
    if (a.kind != LV_SQL_V_BOOL && a.kind != LV_SQL_V_NULL)
      return;
    int isnull = a.kind == LV_SQL_V_NULL, tv = !isnull && a.b,
        fv = !isnull && !a.b;
    if (lv_sql_str_eq(t, bt, "IS_TRUE"))
      v_bool(o, tv);
    else if (lv_sql_str_eq(t, bt, "IS_NOT_TRUE"))
      v_bool(o, !tv);
    else if (lv_sql_str_eq(t, bt, "IS_FALSE"))
      v_bool(o, fv);
    else if (lv_sql_str_eq(t, bt, "IS_NOT_FALSE"))
      v_bool(o, !fv);
    else if (lv_sql_str_eq(t, bt, "IS_UNKNOWN"))
      v_bool(o, isnull);
    else if (lv_sql_str_eq(t, bt, "IS_NOT_UNKNOWN"))
      v_bool(o, !isnull);
  } else if (IS("CoalesceExpr")) {
    uint32_t args = lv_sql_get(t, body, "args");
    for (uint32_t a = lv_sql_first(t, args); a; a = lv_sql_after(t, args, a)) {
      lv_sql_val v;
      ev(c, t, a, &v, depth + 1);
      if (v.kind == LV_SQL_V_NULL)
        continue;
      *o = v; /* a known value, or unknown (which may be null) */
      return;
    }
    v_null(o);
  } else if (IS("CaseExpr")) {
    uint32_t arg = lv_sql_get(t, body, "arg");
    lv_sql_val av;
    if (arg)
      ev(c, t, arg, &av, depth + 1);
    uint32_t whens = lv_sql_get(t, body, "args");
    for (uint32_t w = lv_sql_first(t, whens); w;
         w = lv_sql_after(t, whens, w)) {
      uint32_t cw = lv_sql_node_is(t, w, "CaseWhen");
      if (!cw)
        return;
      lv_sql_val cond;
      ev(c, t, lv_sql_get(t, cw, "expr"), &cond, depth + 1);
      if (arg) {
        lv_sql_val eq;
        cmp_op("=", &av, &cond, &eq);
        cond = eq;
      }
      if (cond.kind == LV_SQL_V_BOOL && cond.b) {
        ev(c, t, lv_sql_get(t, cw, "result"), o, depth + 1);
        return;
      }
      if (cond.kind != LV_SQL_V_BOOL && cond.kind != LV_SQL_V_NULL)
        return;
    }
    uint32_t dflt = lv_sql_get(t, body, "defresult");
    if (dflt)
      ev(c, t, dflt, o, depth + 1);
    else
      v_null(o);
  }
#undef IS
}

void lv_sql_eval(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t e,
                 lv_sql_val *out) {
  ev(c, t, e, out, 0);
}

/* Whether e refers to the row: a column reference that is not a PL/pgSQL
 * variable (nor a field of a record variable), or WHERE CURRENT OF. */
static int row_ref(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t e) {
  if (lv_sql_contains(t, e, "CurrentOfExpr"))
    return 1;
  if (!lv_sql_contains(t, e, "ColumnRef"))
    return 0;
  if (!c->env)
    return 1;
  uint32_t end = t->toks[e].next;
  for (uint32_t i = e; i < end; i++) {
    uint32_t body = lv_sql_node_is(t, i, "ColumnRef");
    if (!body)
      continue;
    uint32_t f = lv_sql_first(t, lv_sql_get(t, body, "fields"));
    uint32_t s = f ? lv_sql_node_is(t, f, "String") : 0;
    uint32_t v = s ? lv_sql_get(t, s, "sval") : 0;
    size_t n;
    const char *name = v ? lv_sql_str(t, v, &c->arena, &n) : NULL;
    if (!name || env_find(c->env, name, n) < 0)
      return 1;
  }
  return 0;
}

int lv_sql_always_true(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t e) {
  lv_sql_val v;
  ev(c, t, e, &v, 0);
  switch (v.kind) {
  case LV_SQL_V_BOOL: return v.b;
  case LV_SQL_V_STR: {
    int b; /* WHERE 'yes': the literal is read as a boolean */
    return parse_bool(v.s, v.len, &b) && b;
  }
  case LV_SQL_V_UNKNOWN: return !row_ref(c, t, e);
  default: return 0; /* null; numbers are an error in a WHERE */
  }
}

/* --- several values ------------------------------------------------------ */

void lv_sql_eval_set(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t e,
                     lv_sql_valset *set) {
  set->top = 0;
  set->n = 0;
  /* the variables of e that have more than one possible value */
  int vars[8], nv = 0;
  long combos = 1;
  if (c->env && lv_sql_contains(t, e, "ColumnRef")) {
    uint32_t end = t->toks[e].next;
    for (uint32_t i = e; i < end; i++) {
      uint32_t body = lv_sql_node_is(t, i, "ColumnRef");
      int k = body ? colref_var(c, t, body) : -1;
      if (k < 0 || c->env->sets[k].top || c->env->sets[k].n < 2)
        continue;
      int seen = 0;
      for (int j = 0; j < nv; j++)
        seen |= vars[j] == k;
      if (seen)
        continue;
      if (nv == 8) {
        set->top = 1;
        return;
      }
      vars[nv++] = k;
      combos *= c->env->sets[k].n;
      if (combos > LV_SQL_MAX_VARIANTS) {
        set->top = 1;
        return;
      }
    }
  }
  for (long combo = 0; combo < combos && !set->top; combo++) {
    long rest = combo;
    for (int j = 0; j < nv; j++) {
      int n = c->env->sets[vars[j]].n;
      c->env->choice[vars[j]] = (int)(rest % n);
      rest /= n;
    }
    lv_sql_val v;
    ev(c, t, e, &v, 0);
    if (v.kind == LV_SQL_V_UNKNOWN) {
      set->top = 1;
      break;
    }
    int dup = 0;
    for (int k = 0; k < set->n && !dup; k++)
      dup = vals_equal(&set->v[k], &v);
    if (dup)
      continue;
    if (set->n == LV_SQL_MAX_VALUES) {
      set->top = 1;
      break;
    }
    set->v[set->n++] = v;
  }
  for (int j = 0; j < nv; j++)
    c->env->choice[vars[j]] = -1;
}

int lv_sql_eval_texts(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t e,
                      lv_sql_val *out, int cap) {
  lv_sql_valset set;
  lv_sql_eval_set(c, t, e, &set);
  if (set.top)
    return -1;
  int n = 0;
  for (int k = 0; k < set.n; k++) {
    if (set.v[k].kind == LV_SQL_V_NULL)
      continue;
    if (set.v[k].kind != LV_SQL_V_STR || n == cap)
      return -1;
    out[n++] = set.v[k];
  }
  return n;
}
