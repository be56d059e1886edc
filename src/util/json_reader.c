/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json_reader.c: jsmn tokens plus bounds, typed access and unescaping.
 */
#define JSMN_STATIC
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#include <jsmn.h>

#include "util/json_reader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/limits.h"
#include "util/utf8.h"

#define TOKS(d) ((jsmntok_t *)(d)->toks)

void lv_json_doc_init(lv_json_doc *d) {
  memset(d, 0, sizeof *d);
}

void lv_json_doc_cleanup(lv_json_doc *d) {
  free(d->toks);
  free(d->aux);
  lv_json_doc_init(d);
}

static int is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* jsmn's strict mode checks only the first byte of a primitive; check the
 * whole of it so "tru" or "1x" are rejected as JSON would. */
static int primitive_ok(const char *s, size_t n) {
  if ((n == 4 && !memcmp(s, "true", 4)) || (n == 5 && !memcmp(s, "false", 5)) ||
      (n == 4 && !memcmp(s, "null", 4)))
    return 1;
  size_t i = 0;
  if (i < n && s[i] == '-')
    i++;
  if (i >= n)
    return 0;
  if (s[i] == '0')
    i++;
  else if (s[i] >= '1' && s[i] <= '9')
    while (i < n && s[i] >= '0' && s[i] <= '9')
      i++;
  else
    return 0;
  if (i < n && s[i] == '.') {
    size_t f = ++i;
    while (i < n && s[i] >= '0' && s[i] <= '9')
      i++;
    if (i == f)
      return 0;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < n && (s[i] == '+' || s[i] == '-'))
      i++;
    size_t e = i;
    while (i < n && s[i] >= '0' && s[i] <= '9')
      i++;
    if (i == e)
      return 0;
  }
  return i == n;
}

/* Whether src[a..b) is whitespace with exactly one sep in it (or none when
 * sep is 0). */
static int gap_ok(const char *src, int a, int b, char sep) {
  int seen = 0;
  for (int i = a; i < b; i++) {
    if (is_ws(src[i]))
      continue;
    if (sep && src[i] == sep && !seen) {
      seen = 1;
      continue;
    }
    return 0;
  }
  return seen == (sep != 0);
}

static int tok_begin(const jsmntok_t *t) {
  return t->start - (t->type == JSMN_STRING);
}
static int tok_end(const jsmntok_t *t) {
  return t->end + (t->type == JSMN_STRING);
}

/* jsmn checks tokens, not what lies between them: it takes [1 2],
 * {"a":1,} and raw control characters in strings. Check the separators
 * between siblings and the bytes of strings, in one pass. last[i] is where
 * the gap before token i's next child starts; cnt[i] counts its children. */
static int structure_ok(const lv_json_doc *d, int n, int *last, int *cnt,
                        int *bad_at) {
  const jsmntok_t *t = TOKS(d);
  const char *src = d->src;
  for (int i = 0; i < n; i++) {
    cnt[i] = 0;
    last[i] = t[i].type == JSMN_OBJECT || t[i].type == JSMN_ARRAY
                  ? t[i].start + 1
                  : tok_end(&t[i]);
    if (t[i].type == JSMN_STRING)
      for (int k = t[i].start; k < t[i].end; k++)
        if ((unsigned char)src[k] < 0x20) {
          *bad_at = k;
          return 0;
        }
  }
  for (int j = 1; j < n; j++) {
    int p = t[j].parent;
    char sep;
    if (t[p].type == JSMN_STRING) {
      sep = ':'; /* j is the value of key p, which must be in an object */
      if (t[p].parent < 0 || t[t[p].parent].type != JSMN_OBJECT) {
        *bad_at = tok_begin(&t[j]);
        return 0;
      }
    } else {
      sep = cnt[p] ? ',' : 0;
      if (t[p].type == JSMN_OBJECT &&
          (t[j].type != JSMN_STRING || t[j].size != 1)) {
        *bad_at = t[j].start;
        return 0;
      }
    }
    if (!gap_ok(src, last[p], tok_begin(&t[j]), sep)) {
      *bad_at = tok_begin(&t[j]);
      return 0;
    }
    cnt[p]++;
    last[p] = tok_end(&t[j]);
    if (t[p].type == JSMN_STRING)
      last[t[p].parent] = tok_end(&t[j]);
  }
  /* Only whitespace before each closing bracket. */
  for (int i = 0; i < n; i++)
    if ((t[i].type == JSMN_OBJECT || t[i].type == JSMN_ARRAY) &&
        !gap_ok(src, last[i], t[i].end - 1, 0)) {
      *bad_at = last[i];
      return 0;
    }
  return 1;
}

int lv_json_parse(lv_json_doc *d, const char *src, size_t len,
                  levee_error *err) {
  if (len > LV_MAX_LINE_BYTES)
    return lv_error_set(err, LEVEE_ETOOBIG, "JSON document over %u bytes",
                        LV_MAX_LINE_BYTES);
  d->src = src;
  d->len = len;
  d->ntoks = 0;
  if (!d->toks) {
    d->cap = 128;
    d->toks = malloc(sizeof(jsmntok_t) * (size_t)d->cap);
    d->aux = malloc(sizeof(int) * 2 * (size_t)d->cap);
    if (!d->toks || !d->aux)
      return lv_error_set(err, LEVEE_ENOMEM, "out of memory");
  }
  int n;
  for (;;) {
    jsmn_parser p;
    jsmn_init(&p);
    n = jsmn_parse(&p, src, len, TOKS(d), (unsigned)d->cap);
    if (n != JSMN_ERROR_NOMEM)
      break;
    if (d->cap >= LV_MAX_JSON_TOKENS)
      return lv_error_set(err, LEVEE_ETOOBIG, "more than %d JSON tokens",
                          LV_MAX_JSON_TOKENS);
    int cap = d->cap * 4 > LV_MAX_JSON_TOKENS ? LV_MAX_JSON_TOKENS : d->cap * 4;
    void *t = realloc(d->toks, sizeof(jsmntok_t) * (size_t)cap);
    if (!t)
      return lv_error_set(err, LEVEE_ENOMEM, "out of memory");
    d->toks = t;
    int *x = realloc(d->aux, sizeof(int) * 2 * (size_t)cap);
    if (!x)
      return lv_error_set(err, LEVEE_ENOMEM, "out of memory");
    d->aux = x;
    d->cap = cap;
  }
  if (n == JSMN_ERROR_PART)
    return lv_error_set(err, LEVEE_ESYNTAX, "invalid JSON: unexpected end");
  if (n < 0)
    return lv_error_set(err, LEVEE_ESYNTAX, "invalid JSON");
  if (n == 0)
    return lv_error_set(err, LEVEE_ESYNTAX, "invalid JSON: empty");
  jsmntok_t *t = TOKS(d);
  /* Exactly one top-level value, then only whitespace. */
  for (int i = 1; i < n; i++)
    if (t[i].parent < 0)
      return lv_error_set(err, LEVEE_ESYNTAX,
                          "invalid JSON: more than one value");
  for (size_t i = (size_t)t[0].end + (t[0].type == JSMN_STRING); i < len; i++)
    if (!is_ws(src[i]))
      return lv_error_set(err, LEVEE_ESYNTAX,
                          "invalid JSON: trailing bytes at offset %zu", i);
  /* Depth bound and whole-primitive checks. */
  for (int i = 0; i < n; i++) {
    if (t[i].type == JSMN_PRIMITIVE &&
        !primitive_ok(src + t[i].start, (size_t)(t[i].end - t[i].start)))
      return lv_error_set(err, LEVEE_ESYNTAX,
                          "invalid JSON: bad literal at offset %d", t[i].start);
    if (t[i].type == JSMN_OBJECT || t[i].type == JSMN_ARRAY) {
      int depth = 0; /* containers above this one; keys do not count */
      for (int p = t[i].parent; p >= 0; p = t[p].parent)
        if (t[p].type != JSMN_STRING && ++depth > LV_MAX_JSON_DEPTH)
          return lv_error_set(err, LEVEE_ETOOBIG, "JSON nested deeper than %d",
                              LV_MAX_JSON_DEPTH);
      /* Nesting is at most depth 32, so this walk is bounded. */
    }
  }
  int bad_at = 0;
  if (!structure_ok(d, n, d->aux, d->aux + d->cap, &bad_at))
    return lv_error_set(err, LEVEE_ESYNTAX, "invalid JSON at offset %d",
                        bad_at);
  d->ntoks = n;
  return LEVEE_OK;
}

lv_json_type lv_json_type_of(const lv_json_doc *d, int tok) {
  if (tok < 0 || tok >= d->ntoks)
    return LV_JSON_INVALID;
  const jsmntok_t *t = &TOKS(d)[tok];
  switch (t->type) {
  case JSMN_OBJECT: return LV_JSON_OBJECT;
  case JSMN_ARRAY: return LV_JSON_ARRAY;
  case JSMN_STRING: return LV_JSON_STRING;
  case JSMN_PRIMITIVE:
    switch (d->src[t->start]) {
    case 't': return LV_JSON_TRUE;
    case 'f': return LV_JSON_FALSE;
    case 'n': return LV_JSON_NULL;
    default: return LV_JSON_NUMBER;
    }
  default: return LV_JSON_INVALID;
  }
}

int lv_json_skip(const lv_json_doc *d, int tok) {
  const jsmntok_t *t = TOKS(d);
  int j = tok + 1;
  while (j < d->ntoks && t[j].start < t[tok].end)
    j++;
  return j;
}

int lv_json_size(const lv_json_doc *d, int tok) {
  if (tok < 0 || tok >= d->ntoks)
    return 0;
  return TOKS(d)[tok].size;
}

int lv_json_first(const lv_json_doc *d, int container) {
  if (container < 0 || container + 1 >= d->ntoks ||
      TOKS(d)[container].size == 0)
    return -1;
  return container + 1;
}

int lv_json_next(const lv_json_doc *d, int container, int tok) {
  const jsmntok_t *t = TOKS(d);
  /* For objects, tok is a key: step over the key and its value. */
  int j = t[container].type == JSMN_OBJECT ? lv_json_skip(d, tok + 1)
                                           : lv_json_skip(d, tok);
  if (j >= d->ntoks || t[j].parent != container)
    return -1;
  return j;
}

int lv_json_string_eq(const lv_json_doc *d, int tok, const char *key) {
  const jsmntok_t *t = &TOKS(d)[tok];
  size_t n = (size_t)(t->end - t->start);
  return t->type == JSMN_STRING && strlen(key) == n &&
         memcmp(d->src + t->start, key, n) == 0;
}

int lv_json_get(const lv_json_doc *d, int obj, const char *key) {
  if (lv_json_type_of(d, obj) != LV_JSON_OBJECT)
    return -1;
  for (int k = lv_json_first(d, obj); k >= 0; k = lv_json_next(d, obj, k))
    if (lv_json_string_eq(d, k, key))
      return k + 1 < d->ntoks ? k + 1 : -1;
  return -1;
}

levee_str lv_json_raw(const lv_json_doc *d, int tok) {
  const jsmntok_t *t = &TOKS(d)[tok];
  levee_str s = {d->src + t->start, (size_t)(t->end - t->start)};
  return s;
}

static int hex4(const char *s, unsigned *out) {
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    char c = s[i];
    v <<= 4;
    if (c >= '0' && c <= '9')
      v |= (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f')
      v |= (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      v |= (unsigned)(c - 'A' + 10);
    else
      return -1;
  }
  *out = v;
  return 0;
}

int lv_json_string(const lv_json_doc *d, int tok, lv_arena *a, levee_str *out) {
  if (lv_json_type_of(d, tok) != LV_JSON_STRING)
    return LEVEE_EINVAL;
  levee_str raw = lv_json_raw(d, tok);
  if (!memchr(raw.ptr, '\\', raw.len)) {
    *out = raw;
    return LEVEE_OK;
  }
  /* Unescaping never makes a string longer. */
  char *p = lv_arena_alloc(a, raw.len + 1);
  if (!p)
    return LEVEE_ENOMEM;
  size_t o = 0;
  for (size_t i = 0; i < raw.len; i++) {
    char c = raw.ptr[i];
    if (c != '\\') {
      p[o++] = c;
      continue;
    }
    if (++i >= raw.len)
      return LEVEE_ESYNTAX;
    switch (raw.ptr[i]) {
    case '"': p[o++] = '"'; break;
    case '\\': p[o++] = '\\'; break;
    case '/': p[o++] = '/'; break;
    case 'b': p[o++] = '\b'; break;
    case 'f': p[o++] = '\f'; break;
    case 'n': p[o++] = '\n'; break;
    case 'r': p[o++] = '\r'; break;
    case 't': p[o++] = '\t'; break;
    case 'u': {
      unsigned cp;
      if (i + 4 >= raw.len + 0 || hex4(raw.ptr + i + 1, &cp))
        return LEVEE_ESYNTAX;
      i += 4;
      if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 < raw.len + 0 &&
          raw.ptr[i + 1] == '\\' && raw.ptr[i + 2] == 'u') {
        unsigned lo;
        if (!hex4(raw.ptr + i + 3, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          i += 6;
        }
      }
      if (cp >= 0xD800 && cp <= 0xDFFF)
        cp = 0xFFFD; /* lone surrogate */
      o += (size_t)lv_utf8_encode((int32_t)cp, (unsigned char *)p + o);
      break;
    }
    default: return LEVEE_ESYNTAX;
    }
  }
  p[o] = '\0';
  out->ptr = p;
  out->len = o;
  return LEVEE_OK;
}

int lv_json_int64(const lv_json_doc *d, int tok, int64_t *out) {
  if (lv_json_type_of(d, tok) != LV_JSON_NUMBER)
    return LEVEE_EINVAL;
  levee_str r = lv_json_raw(d, tok);
  char tmp[32];
  if (r.len == 0 || r.len >= sizeof tmp)
    return LEVEE_EINVAL;
  memcpy(tmp, r.ptr, r.len);
  tmp[r.len] = '\0';
  char *end;
  errno = 0;
  long long v = strtoll(tmp, &end, 10);
  if (errno || *end) {
    /* Accept integral values written with a fraction or exponent. */
    double dv = strtod(tmp, &end);
    if (*end || dv != dv || dv < -9.2e18 || dv > 9.2e18 ||
        dv != (double)(long long)dv)
      return LEVEE_EINVAL;
    v = (long long)dv;
  }
  *out = v;
  return LEVEE_OK;
}
