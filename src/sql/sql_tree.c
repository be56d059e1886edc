/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sql_tree.c: libpg_query's parse trees (JSON) read into flat tokens, and
 * the accessors the classifier uses on them (sql_int.h says the shape).
 *
 * Why not jansson: it builds a tree of hash tables, and measured 9.8 us to
 * load the 564-byte tree of a pgbench SELECT, four times the parse itself;
 * this reader takes about 0.3 us, and a tree of a few hundred tokens lives
 * in the caller's stack buffer. It does not build the structure of a
 * general JSON reader: the walk needs only where each token starts and
 * where its subtree ends. Open containers are chained through `next` while
 * reading, so there is no depth stack and no depth limit here; what walks
 * the tree recursively bounds its own depth.
 */
#include <stdlib.h>
#include <string.h>

#include "levee/levee.h"
#include "sql/sql_int.h"
#include "util/utf8.h"

#define NONE UINT32_MAX

void lv_sql_tree_init(lv_sql_tree *t, lv_sql_tok *buf, uint32_t cap) {
  memset(t, 0, sizeof *t);
  t->toks = buf;
  t->cap = buf ? cap : 0;
}

void lv_sql_tree_cleanup(lv_sql_tree *t) {
  if (t->owned)
    free(t->toks);
  t->toks = NULL;
  t->n = t->cap = 0;
  t->owned = 0;
}

static int grow(lv_sql_tree *t) {
  if (t->cap >= UINT32_MAX / 2)
    return LEVEE_ENOMEM;
  uint32_t cap = t->cap ? t->cap * 2 : 1024;
  lv_sql_tok *nt;
  if (t->owned) {
    nt = realloc(t->toks, (size_t)cap * sizeof *nt);
  } else {
    nt = malloc((size_t)cap * sizeof *nt);
    if (nt && t->n)
      memcpy(nt, t->toks, (size_t)t->n * sizeof *nt);
  }
  if (!nt)
    return LEVEE_ENOMEM;
  t->toks = nt;
  t->cap = cap;
  t->owned = 1;
  return LEVEE_OK;
}

static inline int scalar_end(char ch) {
  return ch == ',' || ch == '}' || ch == ']' || ch == ':' || ch == ' ' ||
         ch == '\n' || ch == '\t' || ch == '\r';
}

int lv_sql_tree_read(lv_sql_tree *t, const char *json, size_t len) {
  t->json = json;
  t->json_len = len;
  t->n = 0;
  if (len >= NONE)
    return LEVEE_ETOOBIG;
  uint32_t open = NONE; /* innermost open container */
  size_t p = 0;
  while (p < len) {
    char ch = json[p];
    if (ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r' || ch == ',' ||
        ch == ':') {
      p++;
      continue;
    }
    if (ch == '}' || ch == ']') {
      if (open == NONE || json[t->toks[open].pos] != (ch == '}' ? '{' : '['))
        return LEVEE_ESYNTAX;
      uint32_t parent = t->toks[open].next;
      t->toks[open].next = t->n;
      open = parent;
      p++;
      continue;
    }
    if (t->n == t->cap && grow(t) != LEVEE_OK)
      return LEVEE_ENOMEM;
    lv_sql_tok *k = &t->toks[t->n];
    k->pos = (uint32_t)p;
    if (ch == '{' || ch == '[') {
      k->next = open; /* chained until it closes */
      open = t->n++;
      p++;
      continue;
    }
    if (ch == '"') {
      /* the closing quote: the next one not escaped (memchr, as most bytes
       * of the tree are in names) */
      for (p++;;) {
        const char *q = memchr(json + p, '"', len - p);
        if (!q)
          return LEVEE_ESYNTAX;
        size_t at = (size_t)(q - json), bs = 0;
        while (at - bs > p && json[at - bs - 1] == '\\')
          bs++;
        p = at + 1;
        if (bs % 2 == 0)
          break;
      }
    } else if ((ch >= '0' && ch <= '9') || ch == '-' || ch == 't' ||
               ch == 'f' || ch == 'n') {
      while (p < len && !scalar_end(json[p]))
        p++;
    } else {
      return LEVEE_ESYNTAX;
    }
    k->next = ++t->n;
  }
  if (open != NONE || t->n == 0)
    return LEVEE_ESYNTAX;
  return LEVEE_OK;
}

/* The bytes after a string token's opening quote, up to its closing one. */
static const char *str_span(const lv_sql_tree *t, uint32_t i, size_t *len,
                            int *escaped) {
  const char *s = t->json + t->toks[i].pos + 1;
  const char *end = t->json + t->json_len;
  const char *p = s;
  int esc = 0;
  while (p < end && *p != '"') {
    if (*p == '\\') {
      esc = 1;
      p++;
    }
    p++;
  }
  if (p > end)
    p = end;
  *len = (size_t)(p - s);
  if (escaped)
    *escaped = esc;
  return s;
}

static int hexval(char ch) {
  if (ch >= '0' && ch <= '9')
    return ch - '0';
  if (ch >= 'a' && ch <= 'f')
    return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F')
    return ch - 'A' + 10;
  return -1;
}

static int32_t hex4(const char *p, const char *end) {
  if (end - p < 4)
    return -1;
  int32_t v = 0;
  for (int k = 0; k < 4; k++) {
    int h = hexval(p[k]);
    if (h < 0)
      return -1;
    v = v * 16 + h;
  }
  return v;
}

/* Unescapes s[0..n) into out (room for n bytes: no escape grows). */
static size_t unescape(const char *s, size_t n, char *out) {
  const char *p = s, *end = s + n;
  size_t o = 0;
  while (p < end) {
    if (*p != '\\' || p + 1 >= end) {
      out[o++] = *p++;
      continue;
    }
    char e = p[1];
    p += 2;
    switch (e) {
    case 'b': out[o++] = '\b'; break;
    case 'f': out[o++] = '\f'; break;
    case 'n': out[o++] = '\n'; break;
    case 'r': out[o++] = '\r'; break;
    case 't': out[o++] = '\t'; break;
    case 'u': {
      int32_t cp = hex4(p, end);
      if (cp < 0) {
        out[o++] = '?';
        break;
      }
      p += 4;
      if (cp >= 0xD800 && cp < 0xDC00 && end - p >= 6 && p[0] == '\\' &&
          p[1] == 'u') {
        int32_t lo = hex4(p + 2, end);
        if (lo >= 0xDC00 && lo < 0xE000) {
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          p += 6;
        }
      }
      if (cp >= 0xD800 && cp < 0xE000)
        cp = 0xFFFD;
      unsigned char u[4];
      int k = lv_utf8_encode(cp, u);
      for (int j = 0; j < k; j++)
        out[o++] = (char)u[j];
      break;
    }
    default: out[o++] = e; break; /* \" \\ \/ */
    }
  }
  return o;
}

const char *lv_sql_str(const lv_sql_tree *t, uint32_t i, lv_arena *a,
                       size_t *len) {
  if (lv_sql_tok_kind(t, i) != '"')
    return NULL;
  int esc;
  size_t n;
  const char *s = str_span(t, i, &n, &esc);
  if (!esc) {
    *len = n;
    return s;
  }
  char *out = lv_arena_alloc(a, n + 1);
  if (!out)
    return NULL;
  *len = unescape(s, n, out);
  out[*len] = '\0';
  return out;
}

void lv_sql_str_copy(const lv_sql_tree *t, uint32_t i, char *buf, size_t cap) {
  if (cap == 0)
    return;
  buf[0] = '\0';
  if (lv_sql_tok_kind(t, i) != '"')
    return;
  size_t n;
  int esc;
  const char *s = str_span(t, i, &n, &esc);
  char tmp[256];
  if (esc) {
    if (n > sizeof tmp)
      n = sizeof tmp; /* may cut an escape: this is for display */
    n = unescape(s, n, tmp);
    s = tmp;
  }
  if (n >= cap)
    n = lv_utf8_floor(s, cap - 1);
  memcpy(buf, s, n);
  buf[n] = '\0';
}

int lv_sql_str_eqn(const lv_sql_tree *t, uint32_t i, const char *want,
                   size_t wn) {
  if (lv_sql_tok_kind(t, i) != '"')
    return 0;
  size_t n;
  int esc;
  const char *s = str_span(t, i, &n, &esc);
  if (!esc)
    return n == wn && memcmp(s, want, n) == 0;
  if (n > 4 * wn + 16)
    return 0;
  char tmp[512];
  if (n > sizeof tmp)
    return 0;
  size_t m = unescape(s, n, tmp);
  return m == wn && memcmp(tmp, want, m) == 0;
}

/* Whether the key token m is key (keys are plain ASCII names). */
static int key_is(const lv_sql_tree *t, uint32_t m, const char *key,
                  size_t klen) {
  size_t pos = (size_t)t->toks[m].pos + 1;
  return pos + klen < t->json_len && t->json[pos - 1] == '"' &&
         memcmp(t->json + pos, key, klen) == 0 && t->json[pos + klen] == '"';
}

uint32_t lv_sql_getn(const lv_sql_tree *t, uint32_t obj, const char *key,
                     size_t klen) {
  if (lv_sql_tok_kind(t, obj) != '{')
    return 0;
  uint32_t end = t->toks[obj].next;
  for (uint32_t m = obj + 1; m + 1 < end; m = t->toks[m + 1].next)
    if (key_is(t, m, key, klen))
      return m + 1;
  return 0;
}

uint32_t lv_sql_node(const lv_sql_tree *t, uint32_t i, const char **name,
                     size_t *name_len) {
  if (lv_sql_tok_kind(t, i) != '{' || i + 2 >= t->n)
    return 0;
  if (t->toks[i + 2].next != t->toks[i].next) /* exactly one member */
    return 0;
  const char *k = t->json + t->toks[i + 1].pos;
  if (k[0] != '"' || k[1] < 'A' || k[1] > 'Z')
    return 0;
  const char *end = t->json + t->json_len;
  const char *q = k + 1;
  while (q < end && *q != '"')
    q++;
  *name = k + 1;
  *name_len = (size_t)(q - (k + 1));
  return i + 2;
}

uint32_t lv_sql_node_is(const lv_sql_tree *t, uint32_t i, const char *type) {
  const char *name;
  size_t len;
  uint32_t body = lv_sql_node(t, i, &name, &len);
  if (!body || len != strlen(type) || memcmp(name, type, len) != 0)
    return 0;
  return body;
}

uint32_t lv_sql_first(const lv_sql_tree *t, uint32_t arr) {
  if (lv_sql_tok_kind(t, arr) != '[' || t->toks[arr].next == arr + 1)
    return 0;
  return arr + 1;
}

uint32_t lv_sql_count(const lv_sql_tree *t, uint32_t arr) {
  uint32_t n = 0;
  for (uint32_t e = lv_sql_first(t, arr); e; e = lv_sql_after(t, arr, e))
    n++;
  return n;
}

int lv_sql_int(const lv_sql_tree *t, uint32_t i, int64_t *out) {
  char k = lv_sql_tok_kind(t, i);
  if (!((k >= '0' && k <= '9') || k == '-'))
    return 0;
  const char *p = t->json + t->toks[i].pos;
  const char *end = t->json + t->json_len;
  int neg = 0;
  if (*p == '-') {
    neg = 1;
    p++;
  }
  uint64_t v = 0;
  int digits = 0;
  while (p < end && *p >= '0' && *p <= '9') {
    if (v > (UINT64_C(1) << 62))
      return 0;
    v = v * 10 + (uint64_t)(*p++ - '0');
    digits++;
  }
  if (!digits || (p < end && (*p == '.' || *p == 'e' || *p == 'E')))
    return 0;
  *out = neg ? -(int64_t)v : (int64_t)v;
  return 1;
}

int lv_sql_bool(const lv_sql_tree *t, uint32_t i) {
  return lv_sql_tok_kind(t, i) == 't';
}

int lv_sql_contains(const lv_sql_tree *t, uint32_t i, const char *name) {
  if (i >= t->n)
    return 0;
  uint32_t nx = t->toks[i].next;
  size_t from = t->toks[i].pos;
  size_t to = nx < t->n ? t->toks[nx].pos : t->json_len;
  /* "Name": can only be a key: in a string value every quote is escaped,
   * and a value is never followed by a colon. */
  char pat[64]; /* a pattern for memmem, not a string */
  size_t nl = strlen(name);
  if (nl + 3 > sizeof pat)
    return 0;
  pat[0] = '"';
  // NOLINTNEXTLINE(bugprone-not-null-terminated-result)
  memcpy(pat + 1, name, nl);
  pat[nl + 1] = '"';
  pat[nl + 2] = ':';
  return to > from && memmem(t->json + from, to - from, pat, nl + 3) != NULL;
}

/* A scalar's or string's raw bytes. */
static const char *raw(const lv_sql_tree *t, uint32_t i, size_t *len) {
  if (lv_sql_tok_kind(t, i) == '"') {
    const char *s = str_span(t, i, len, NULL);
    return s;
  }
  const char *s = t->json + t->toks[i].pos;
  const char *end = t->json + t->json_len;
  const char *p = s;
  while (p < end && !scalar_end(*p))
    p++;
  *len = (size_t)(p - s);
  return s;
}

static int is_location(const lv_sql_tree *t, uint32_t m) {
  return key_is(t, m, "location", 8);
}

/* Whether the integer constants at two locations of the source are
 * written alike: an optional minus, blanks, digits. */
static int same_as_written(const lv_sql_tree *t, uint32_t la, uint32_t lb) {
  int64_t pa, pb;
  if (!t->src || !lv_sql_int(t, la, &pa) || !lv_sql_int(t, lb, &pb) || pa < 0 ||
      pb < 0 || (uint64_t)pa >= t->src_len || (uint64_t)pb >= t->src_len)
    return 0;
  const char *s = t->src, *end = t->src + t->src_len;
  const char *p = s + pa, *q = s + pb;
  int minus_p = *p == '-', minus_q = *q == '-';
  if (minus_p != minus_q)
    return 0;
  p += minus_p;
  q += minus_q;
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
    p++;
  while (q < end && (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r'))
    q++;
  size_t n = 0;
  while (p + n < end && q + n < end && p[n] >= '0' && p[n] <= '9' &&
         p[n] == q[n])
    n++;
  int dp = p + n < end && p[n] >= '0' && p[n] <= '9';
  int dq = q + n < end && q[n] >= '0' && q[n] <= '9';
  return n > 0 && !dp && !dq;
}

static int same(const lv_sql_tree *t, uint32_t a, uint32_t b, int depth) {
  if (depth > LV_SQL_MAX_EVAL_DEPTH || a >= t->n || b >= t->n)
    return 0;
  char ka = lv_sql_tok_kind(t, a), kb = lv_sql_tok_kind(t, b);
  if (ka != kb)
    return 0;
  if (ka == '{') {
    uint32_t ea = t->toks[a].next, eb = t->toks[b].next;
    uint32_t ma = a + 1, mb = b + 1;
    for (;;) {
      while (ma + 1 < ea && is_location(t, ma))
        ma = t->toks[ma + 1].next;
      while (mb + 1 < eb && is_location(t, mb))
        mb = t->toks[mb + 1].next;
      int da = ma + 1 >= ea, db = mb + 1 >= eb;
      if (da || db)
        return da && db;
      if (!same(t, ma, mb, depth + 1) || !same(t, ma + 1, mb + 1, depth + 1))
        return 0;
      /* libpg_query 15-4.0.0 prints every negative integer constant as
       * "ival": {}, as it prints 0: such constants are compared as written */
      if (key_is(t, ma, "ival", 4) && t->toks[ma + 1].next == ma + 2 &&
          lv_sql_tok_kind(t, ma + 1) == '{' &&
          !same_as_written(t, lv_sql_get(t, a, "location"),
                           lv_sql_get(t, b, "location")))
        return 0;
      ma = t->toks[ma + 1].next;
      mb = t->toks[mb + 1].next;
    }
  }
  if (ka == '[') {
    uint32_t ea = lv_sql_first(t, a), eb = lv_sql_first(t, b);
    while (ea && eb) {
      if (!same(t, ea, eb, depth + 1))
        return 0;
      ea = lv_sql_after(t, a, ea);
      eb = lv_sql_after(t, b, eb);
    }
    return !ea && !eb;
  }
  size_t la, lb;
  const char *ra = raw(t, a, &la), *rb = raw(t, b, &lb);
  return la == lb && memcmp(ra, rb, la) == 0;
}

int lv_sql_same(const lv_sql_tree *t, uint32_t a, uint32_t b) {
  return same(t, a, b, 0);
}

uint32_t lv_sql_last_name(const lv_sql_tree *t, uint32_t list) {
  uint32_t last = 0;
  for (uint32_t e = lv_sql_first(t, list); e; e = lv_sql_after(t, list, e))
    last = e;
  if (!last)
    return 0;
  uint32_t s = lv_sql_node_is(t, last, "String");
  return s ? lv_sql_get(t, s, "sval") : 0;
}
