/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json_reader.c: a strict one-pass JSON tokenizer, typed access and
 * unescaping.
 *
 * The parser is a loop over three states (a value is due, a member key is
 * due, a value has ended) with an explicit stack of open containers, so
 * neither deep nesting nor long documents can exhaust the C stack. Most of
 * an event line is string bytes: those are scanned 16 at a time for the
 * three bytes that end the fast path (quote, backslash, control byte).
 */
#include "util/json_reader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "util/error.h"
#include "util/limits.h"
#include "util/utf8.h"

void lv_json_doc_init(lv_json_doc *d) {
  memset(d, 0, sizeof *d);
}

void lv_json_doc_cleanup(lv_json_doc *d) {
  free(d->toks);
  lv_json_doc_init(d);
}

static inline int is_ws(unsigned char c) {
  const uint64_t ws = 1ull << ' ' | 1ull << '\t' | 1ull << '\n' | 1ull << '\r';
  return c <= ' ' && ((ws >> c) & 1);
}

static inline int is_hex(unsigned char c) {
  return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* Where a string's fast path ends: the first quote, backslash or control
 * byte at or after p, or end; *quote tells whether it is the closing quote
 * (known from the comparison masks, without reading the byte again). Most
 * strings of an event are shorter than 16 bytes, so the tail is one 16-byte
 * load too when that load stays inside p's page (it cannot fault; bytes
 * past end are masked off). That load may read past the caller's buffer,
 * which AddressSanitizer would report, so this function is not
 * instrumented. */
__attribute__((no_sanitize("address"))) static inline const unsigned char *
string_stop(const unsigned char *p, const unsigned char *end, int *quote) {
#ifdef __SSE2__
  const __m128i q = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
  const __m128i ctl = _mm_set1_epi8(0x1F);
  for (;;) {
    size_t left = (size_t)(end - p);
    if (left < 16 && (left == 0 || ((uintptr_t)p & 4095) > 4096 - 16))
      break;
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    unsigned qbits = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, q));
    unsigned bits = qbits | (unsigned)_mm_movemask_epi8(_mm_or_si128(
                                _mm_cmpeq_epi8(v, bslash),
                                _mm_cmpeq_epi8(_mm_min_epu8(v, ctl), v)));
    if (left < 16)
      bits &= (1u << left) - 1;
    if (bits) {
      int k = __builtin_ctz(bits);
      *quote = (qbits >> k) & 1;
      return p + k;
    }
    if (left <= 16) {
      *quote = 0;
      return end;
    }
    p += 16;
  }
#endif
  while (p < end && *p != '"' && *p != '\\' && *p >= 0x20)
    p++;
  *quote = p < end && *p == '"';
  return p;
}

/* Whether s[0..n) is a whole JSON number or literal. */
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

static int grow(lv_json_doc *d, levee_error *err) {
  if (d->cap >= LV_MAX_JSON_TOKENS)
    return lv_error_set(err, LEVEE_ETOOBIG, "more than %d JSON tokens",
                        LV_MAX_JSON_TOKENS);
  int cap = d->cap ? d->cap * 4 : 128;
  if (cap > LV_MAX_JSON_TOKENS)
    cap = LV_MAX_JSON_TOKENS;
  lv_json_tok *t = realloc(d->toks, sizeof *t * (size_t)cap);
  if (!t)
    return lv_error_set(err, LEVEE_ENOMEM, "out of memory");
  d->toks = t;
  d->cap = cap;
  return LEVEE_OK;
}

/* Appends a token; its index, or -1 with err set. */
static inline int new_tok(lv_json_doc *d, lv_json_type type, size_t start,
                          levee_error *err) {
  if (d->ntoks == d->cap && grow(d, err))
    return -1;
  int i = d->ntoks++;
  lv_json_tok *t = &d->toks[i];
  t->start = (uint32_t)start;
  t->end = (uint32_t)start;
  t->next = i + 1;
  t->size = 0;
  t->type = (uint8_t)type;
  t->escaped = 0;
  return i;
}

/* Scans the string whose opening quote is at *pos into token tok; leaves
 * *pos after the closing quote. */
static inline __attribute__((always_inline)) int
scan_string(lv_json_doc *d, int tok, size_t *pos, levee_error *err) {
  const unsigned char *base = (const unsigned char *)d->src;
  const unsigned char *p = base + *pos + 1, *end = base + d->len;
  for (;;) {
    int quote;
    p = string_stop(p, end, &quote);
    if (quote)
      break;
    if (p == end)
      return lv_error_set(err, LEVEE_ESYNTAX, "invalid JSON: unexpected end");
    if (*p < 0x20)
      return lv_error_set(err, LEVEE_ESYNTAX,
                          "invalid JSON at offset %zu: control byte in a "
                          "string",
                          (size_t)(p - base));
    /* A backslash escape. */
    d->toks[tok].escaped = 1;
    if (end - p < 2)
      return lv_error_set(err, LEVEE_ESYNTAX, "invalid JSON: unexpected end");
    switch (p[1]) {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't': p += 2; break;
    case 'u':
      if (end - p < 6)
        return lv_error_set(err, LEVEE_ESYNTAX, "invalid JSON: unexpected end");
      if (!is_hex(p[2]) || !is_hex(p[3]) || !is_hex(p[4]) || !is_hex(p[5]))
        return lv_error_set(err, LEVEE_ESYNTAX,
                            "invalid JSON at offset %zu: bad \\u escape",
                            (size_t)(p - base));
      p += 6;
      break;
    default:
      return lv_error_set(err, LEVEE_ESYNTAX,
                          "invalid JSON at offset %zu: bad escape",
                          (size_t)(p - base));
    }
  }
  d->toks[tok].start = (uint32_t)(*pos + 1);
  d->toks[tok].end = (uint32_t)(p - base);
  *pos = (size_t)(p - base) + 1;
  return LEVEE_OK;
}

static inline int starts_value(unsigned char c) {
  return c == '{' || c == '[' || c == '"' || c == '-' ||
         (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n';
}

static int parse(lv_json_doc *d, levee_error *err) {
  const char *s = d->src;
  const size_t n = d->len;
  int stack[LV_MAX_JSON_DEPTH + 2]; /* open containers */
  int depth = 0;
  uint64_t arrays = 0; /* bit k: stack[k] is an array */
  _Static_assert(LV_MAX_JSON_DEPTH + 2 <= 64, "one bit per open container");
  size_t i = 0;
  while (i < n && is_ws((unsigned char)s[i]))
    i++;
  if (i == n)
    return lv_error_set(err, LEVEE_ESYNTAX, "invalid JSON: empty");

value: /* a value is due at i (after whitespace) */
  if (i == n)
    return lv_error_set(err, LEVEE_ESYNTAX, "invalid JSON: unexpected end");
  if (depth && ((arrays >> (depth - 1)) & 1))
    d->toks[stack[depth - 1]].size++;
  switch (s[i]) {
  case '{':
  case '[': {
    if (depth > LV_MAX_JSON_DEPTH)
      return lv_error_set(err, LEVEE_ETOOBIG, "JSON nested deeper than %d",
                          LV_MAX_JSON_DEPTH);
    int obj = s[i] == '{';
    int t = new_tok(d, obj ? LV_JSON_OBJECT : LV_JSON_ARRAY, i, err);
    if (t < 0)
      return err->status;
    arrays = obj ? arrays & ~(1ull << depth) : arrays | 1ull << depth;
    stack[depth++] = t;
    i++;
    while (i < n && is_ws((unsigned char)s[i]))
      i++;
    if (i < n && s[i] == (obj ? '}' : ']'))
      goto close;
    if (obj)
      goto key;
    goto value;
  }
  case '"': {
    int t = new_tok(d, LV_JSON_STRING, i, err);
    if (t < 0 || scan_string(d, t, &i, err))
      return err->status;
    goto after;
  }
  default: {
    /* A number or literal runs to the next delimiter. */
    size_t b = i;
    while (i < n && !is_ws((unsigned char)s[i]) && s[i] != ',' && s[i] != ']' &&
           s[i] != '}' && s[i] != ':')
      i++;
    if (i == b)
      return lv_error_set(err, LEVEE_ESYNTAX, "invalid JSON at offset %zu", b);
    if (!primitive_ok(s + b, i - b))
      return lv_error_set(err, LEVEE_ESYNTAX,
                          "invalid JSON: bad literal at offset %zu", b);
    lv_json_type ty = s[b] == 't'   ? LV_JSON_TRUE
                      : s[b] == 'f' ? LV_JSON_FALSE
                      : s[b] == 'n' ? LV_JSON_NULL
                                    : LV_JSON_NUMBER;
    int t = new_tok(d, ty, b, err);
    if (t < 0)
      return err->status;
    d->toks[t].end = (uint32_t)i;
    goto after;
  }
  }

key: /* a member key is due at i (after whitespace) */
  if (i == n)
    return lv_error_set(err, LEVEE_ESYNTAX, "invalid JSON: unexpected end");
  if (s[i] != '"')
    return lv_error_set(err, LEVEE_ESYNTAX, "invalid JSON at offset %zu", i);
  {
    int t = new_tok(d, LV_JSON_STRING, i, err);
    if (t < 0 || scan_string(d, t, &i, err))
      return err->status;
    d->toks[stack[depth - 1]].size++;
  }
  while (i < n && is_ws((unsigned char)s[i]))
    i++;
  if (i == n)
    return lv_error_set(err, LEVEE_ESYNTAX, "invalid JSON: unexpected end");
  if (s[i] != ':')
    return lv_error_set(err, LEVEE_ESYNTAX, "invalid JSON at offset %zu", i);
  i++;
  while (i < n && is_ws((unsigned char)s[i]))
    i++;
  goto value;

after: /* a value ended just before i */
  while (i < n && is_ws((unsigned char)s[i]))
    i++;
  if (depth == 0) {
    if (i == n)
      return LEVEE_OK;
    if (starts_value((unsigned char)s[i]))
      return lv_error_set(err, LEVEE_ESYNTAX,
                          "invalid JSON: more than one value");
    return lv_error_set(err, LEVEE_ESYNTAX,
                        "invalid JSON: trailing bytes at offset %zu", i);
  }
  if (i == n)
    return lv_error_set(err, LEVEE_ESYNTAX, "invalid JSON: unexpected end");
  if (s[i] == ',') {
    i++;
    while (i < n && is_ws((unsigned char)s[i]))
      i++;
    if (!((arrays >> (depth - 1)) & 1))
      goto key;
    goto value;
  }
  if (s[i] != (((arrays >> (depth - 1)) & 1) ? ']' : '}'))
    return lv_error_set(err, LEVEE_ESYNTAX, "invalid JSON at offset %zu", i);

close: /* s[i] closes the innermost container */
  depth--;
  d->toks[stack[depth]].end = (uint32_t)(i + 1);
  d->toks[stack[depth]].next = d->ntoks;
  i++;
  goto after;
}

int lv_json_parse(lv_json_doc *d, const char *src, size_t len,
                  levee_error *err) {
  d->src = src;
  d->len = len;
  d->ntoks = 0;
  if (len > LV_MAX_LINE_BYTES)
    return lv_error_set(err, LEVEE_ETOOBIG, "JSON document over %u bytes",
                        LV_MAX_LINE_BYTES);
  levee_error local;
  if (!err)
    err = &local;
  int rc = parse(d, err);
  if (rc)
    d->ntoks = 0;
  return rc;
}

int lv_json_skip(const lv_json_doc *d, int tok) {
  if (tok < 0 || tok >= d->ntoks)
    return d->ntoks;
  return d->toks[tok].next;
}

int lv_json_size(const lv_json_doc *d, int tok) {
  if (tok < 0 || tok >= d->ntoks)
    return 0;
  return d->toks[tok].size;
}

int lv_json_first(const lv_json_doc *d, int container) {
  if (container < 0 || container + 1 >= d->ntoks ||
      d->toks[container].size == 0)
    return -1;
  return container + 1;
}

int lv_json_next(const lv_json_doc *d, int container, int tok) {
  const lv_json_tok *t = d->toks;
  if (container < 0 || tok <= container || tok >= d->ntoks)
    return -1;
  /* For objects, tok is a key: step over the key and its value. */
  int j = t[container].type == LV_JSON_OBJECT ? t[tok + 1].next : t[tok].next;
  return j < t[container].next ? j : -1;
}

int lv_json_key_is(const lv_json_doc *d, int tok, const char *key, size_t n) {
  const lv_json_tok *t = &d->toks[tok];
  return t->type == LV_JSON_STRING && t->end - t->start == n &&
         memcmp(d->src + t->start, key, n) == 0;
}

int lv_json_string_eq(const lv_json_doc *d, int tok, const char *key) {
  return lv_json_key_is(d, tok, key, strlen(key));
}

int lv_json_get(const lv_json_doc *d, int obj, const char *key) {
  if (lv_json_type_of(d, obj) != LV_JSON_OBJECT)
    return -1;
  size_t n = strlen(key);
  for (int k = lv_json_first(d, obj); k >= 0; k = lv_json_next(d, obj, k))
    if (lv_json_key_is(d, k, key, n))
      return k + 1;
  return -1;
}

levee_str lv_json_raw(const lv_json_doc *d, int tok) {
  const lv_json_tok *t = &d->toks[tok];
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

int lv_json_unescape(const lv_json_doc *d, int tok, lv_arena *a,
                     levee_str *out) {
  if (lv_json_type_of(d, tok) != LV_JSON_STRING)
    return LEVEE_EINVAL;
  levee_str raw = lv_json_raw(d, tok);
  if (!d->toks[tok].escaped) {
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
  /* The common case, plain digits that fit: no copy, no strtoll. */
  size_t i = r.len && r.ptr[0] == '-';
  if (r.len - i >= 1 && r.len - i <= 18) {
    int64_t v = 0;
    size_t k = i;
    while (k < r.len && r.ptr[k] >= '0' && r.ptr[k] <= '9')
      v = v * 10 + (r.ptr[k++] - '0');
    if (k == r.len) {
      *out = i ? -v : v;
      return LEVEE_OK;
    }
  }
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
