/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json_reader.c: a strict JSON tokenizer, typed access and unescaping.
 *
 * Two paths make the same tokens. The indexed path (most event lines)
 * first classifies the document 64 bytes at a time with vector compares
 * (AVX-512, AVX2 or SSE2, chosen at run time) into bit masks of quotes and
 * of the six structural bytes, works out from the quotes which bytes are
 * inside strings (a prefix XOR), and lists the positions of every quote
 * and of every structural byte outside strings. A walk over that list then
 * checks the grammar and makes the tokens: a string is two consecutive
 * positions, and only numbers and literals are read byte by byte. Any
 * document the indexed path does not take whole (a backslash escape, a
 * control byte, anything out of grammar, a very long document) is read
 * again by the byte-wise path, so that every error message comes from one
 * place.
 *
 * The byte-wise path is a loop over three states (a value is due, a member
 * key is due, a value has ended) with an explicit stack of open
 * containers, so neither deep nesting nor long documents can exhaust the C
 * stack. Its strings are scanned 16 bytes at a time for the three bytes
 * that end the fast path (quote, backslash, control byte).
 */
#include "util/json_reader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define LV_JSON_X86 1
#endif

#include "util/error.h"
#include "util/limits.h"
#include "util/utf8.h"

void lv_json_doc_init(lv_json_doc *d) {
  memset(d, 0, sizeof *d);
}

void lv_json_doc_cleanup(lv_json_doc *d) {
  free(d->toks);
  free(d->index);
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

static int parse_bytewise(lv_json_doc *d, levee_error *err) {
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

/* --- the indexed path ------------------------------------------------ */

/* Longer documents go to the byte-wise path: the index costs four bytes per
 * input byte, and long documents are rare (emails with attachments). */
#define INDEXED_MAX_BYTES ((size_t)256 << 10)
/* The index's end: no position equals it, so every "is the next structural
 * byte here" test fails past the last one. */
#define INDEX_END LV_JSON_INDEX_END

/* Bit k of the result is the XOR of bits 0..k of x: for the quote mask, the
 * bytes from an opening quote up to (not including) its closing quote. */
static inline uint64_t prefix_xor(uint64_t x) {
  x ^= x << 1;
  x ^= x << 2;
  x ^= x << 4;
  x ^= x << 8;
  x ^= x << 16;
  x ^= x << 32;
  return x;
}

typedef struct index_state {
  uint32_t *out;      /* where the next position goes */
  uint64_t in_string; /* all ones when the last block ended inside a string */
} index_state;

/* Whether a block's backslashes and control bytes (odd) send the document
 * to the byte-wise path: any backslash does (escapes are rare and need
 * checking and unescaping), and so does a control byte other than
 * whitespace outside strings (it is an error). */
static int odd_bytes_refused(const unsigned char *blk, uint64_t odd,
                             uint64_t in_string) {
  if (odd & in_string)
    return 1;
  for (; odd; odd &= odd - 1) {
    unsigned char c = blk[__builtin_ctzll(odd)];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
      return 1;
  }
  return 0;
}

/* Lists one 64-byte block's structural positions, given its masks: quote
 * (every '"'), op (the bytes {}[]:, and a few control bytes that odd also
 * has) and odd (backslashes and bytes below 0x20). Returns nonzero to give
 * the document to the byte-wise path. Inlined into each vector variant, so
 * that the bit operations get that variant's instructions. */
static inline __attribute__((always_inline)) int
take_block(index_state *st, const unsigned char *blk, uint32_t base,
           uint64_t quote, uint64_t op, uint64_t odd) {
  uint64_t in = prefix_xor(quote) ^ st->in_string;
  st->in_string = (uint64_t)((int64_t)in >> 63);
  if (odd && odd_bytes_refused(blk, odd, in))
    return 1;
  uint64_t bits = quote | (op & ~in);
  uint32_t *o = st->out;
  for (; bits; bits &= bits - 1)
    *o++ = base + (uint32_t)__builtin_ctzll(bits);
  st->out = o;
  return 0;
}

/* The portable variant: byte by byte. */
static int index_portable(const unsigned char *s, size_t n, index_state *st) {
  for (size_t at = 0; at < n; at += 64) {
    uint64_t quote = 0, op = 0, odd = 0;
    size_t len = n - at < 64 ? n - at : 64;
    for (size_t k = 0; k < len; k++) {
      unsigned char c = s[at + k];
      quote |= (uint64_t)(c == '"') << k;
      odd |= (uint64_t)(c < 0x20 || c == '\\') << k;
      op |= (uint64_t)(c == '{' || c == '}' || c == '[' || c == ']' ||
                       c == ':' || c == ',')
            << k;
    }
    if (take_block(st, s + at, (uint32_t)at, quote, op, odd))
      return 1;
  }
  return st->in_string != 0;
}

#ifdef LV_JSON_X86
/* The 64-byte block at s + at, or at the end of s[0..n) a copy of what is
 * left in pad, padded with spaces, so that whole vectors can be loaded. */
static inline const unsigned char *block_at(const unsigned char *s, size_t n,
                                            size_t at, unsigned char *pad) {
  if (n - at >= 64)
    return s + at;
  memset(pad, ' ', 64);
  memcpy(pad, s + at, n - at);
  return pad;
}

/* A block's masks from 16-byte pieces. '{' and '[' become 0x7B and '}' and
 * ']' 0x7D once 0x20 is set; ':' and ',' keep their value (and so do 0x1A
 * and 0x0C, control bytes that odd catches anyway). */
__attribute__((target("sse2"))) static inline uint64_t
masks16(__m128i v, uint64_t *op, uint64_t *odd) {
  __m128i lo = _mm_or_si128(v, _mm_set1_epi8(0x20));
  __m128i o =
      _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(lo, _mm_set1_epi8(0x7B)),
                                _mm_cmpeq_epi8(lo, _mm_set1_epi8(0x7D))),
                   _mm_or_si128(_mm_cmpeq_epi8(lo, _mm_set1_epi8(':')),
                                _mm_cmpeq_epi8(lo, _mm_set1_epi8(','))));
  __m128i ctl = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);
  __m128i bad = _mm_or_si128(ctl, _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
  *op = (uint64_t)(unsigned)_mm_movemask_epi8(o);
  *odd = (uint64_t)(unsigned)_mm_movemask_epi8(bad);
  return (uint64_t)(unsigned)_mm_movemask_epi8(
      _mm_cmpeq_epi8(v, _mm_set1_epi8('"')));
}

__attribute__((target("sse2"))) static int
index_sse2(const unsigned char *s, size_t n, index_state *st) {
  unsigned char pad[64];
  for (size_t at = 0; at < n; at += 64) {
    const unsigned char *blk = block_at(s, n, at, pad);
    uint64_t quote = 0, op = 0, odd = 0;
    for (int k = 0; k < 4; k++) {
      uint64_t o, d;
      __m128i v = _mm_loadu_si128(
          (const __m128i *)(const void *)(blk + 16 * (size_t)k));
      quote |= masks16(v, &o, &d) << (16 * k);
      op |= o << (16 * k);
      odd |= d << (16 * k);
    }
    if (take_block(st, blk, (uint32_t)at, quote, op, odd))
      return 1;
  }
  return st->in_string != 0;
}

__attribute__((target("avx2,bmi,popcnt"))) static inline uint64_t
masks32(__m256i v, uint64_t *op, uint64_t *odd) {
  __m256i lo = _mm256_or_si256(v, _mm256_set1_epi8(0x20));
  __m256i o = _mm256_or_si256(
      _mm256_or_si256(_mm256_cmpeq_epi8(lo, _mm256_set1_epi8(0x7B)),
                      _mm256_cmpeq_epi8(lo, _mm256_set1_epi8(0x7D))),
      _mm256_or_si256(_mm256_cmpeq_epi8(lo, _mm256_set1_epi8(':')),
                      _mm256_cmpeq_epi8(lo, _mm256_set1_epi8(','))));
  __m256i ctl =
      _mm256_cmpeq_epi8(_mm256_min_epu8(v, _mm256_set1_epi8(0x1F)), v);
  __m256i bad =
      _mm256_or_si256(ctl, _mm256_cmpeq_epi8(v, _mm256_set1_epi8('\\')));
  *op = (uint32_t)_mm256_movemask_epi8(o);
  *odd = (uint32_t)_mm256_movemask_epi8(bad);
  return (uint32_t)_mm256_movemask_epi8(
      _mm256_cmpeq_epi8(v, _mm256_set1_epi8('"')));
}

__attribute__((target("avx2,bmi,popcnt"))) static int
index_avx2(const unsigned char *s, size_t n, index_state *st) {
  unsigned char pad[64];
  for (size_t at = 0; at < n; at += 64) {
    const unsigned char *blk = block_at(s, n, at, pad);
    uint64_t op0, odd0, op1, odd1;
    uint64_t q0 = masks32(
        _mm256_loadu_si256((const __m256i *)(const void *)blk), &op0, &odd0);
    uint64_t q1 =
        masks32(_mm256_loadu_si256((const __m256i *)(const void *)(blk + 32)),
                &op1, &odd1);
    if (take_block(st, blk, (uint32_t)at, q0 | q1 << 32, op0 | op1 << 32,
                   odd0 | odd1 << 32))
      return 1;
  }
  return st->in_string != 0;
}

/* The structural bits of the 64-byte block at s + at (fewer bytes at the
 * end of s[0..n): the block is loaded with a mask, which reads nothing past
 * the document and so cannot fault, with spaces in the lanes past its end),
 * carrying the in-string state in st; nonzero to refuse the document.
 * Inlined into both AVX-512 variants. */
__attribute__((target("avx512f,avx512bw,bmi,popcnt"),
               always_inline)) static inline int
bits512(const unsigned char *s, size_t n, size_t at, index_state *st,
        uint64_t *bits) {
  const __m512i space = _mm512_set1_epi8(' ');
  __m512i v;
  if (n - at >= 64)
    v = _mm512_loadu_si512((const void *)(s + at));
  else
    v = _mm512_mask_loadu_epi8(space, (1ull << (n - at)) - 1, s + at);
  __m512i lo = _mm512_or_si512(v, _mm512_set1_epi8(0x20));
  uint64_t quote = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('"'));
  uint64_t op = _mm512_cmpeq_epi8_mask(lo, _mm512_set1_epi8(0x7B)) |
                _mm512_cmpeq_epi8_mask(lo, _mm512_set1_epi8(0x7D)) |
                _mm512_cmpeq_epi8_mask(lo, _mm512_set1_epi8(':')) |
                _mm512_cmpeq_epi8_mask(lo, _mm512_set1_epi8(','));
  uint64_t odd = _mm512_cmplt_epu8_mask(v, space) |
                 _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\\'));
  uint64_t in = prefix_xor(quote) ^ st->in_string;
  st->in_string = (uint64_t)((int64_t)in >> 63);
  /* Only bytes before n can be odd: the padding is spaces. */
  if (odd && odd_bytes_refused(s + at, odd, in))
    return 1;
  *bits = quote | (op & ~in);
  return 0;
}

/* AVX-512: positions are written 16 at a time by compressing a vector of
 * offsets under each 16-bit quarter of the mask (the index has room for the
 * overshoot), which costs a third of the bit-by-bit loop. */
__attribute__((target("avx512f,avx512bw,bmi,popcnt"))) static int
index_avx512(const unsigned char *s, size_t n, index_state *st) {
  const __m512i iota =
      _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  for (size_t at = 0; at < n; at += 64) {
    uint64_t bits;
    if (bits512(s, n, at, st, &bits))
      return 1;
    __m512i pos = _mm512_add_epi32(iota, _mm512_set1_epi32((int)at));
    for (int q = 0; q < 4 && bits; q++, bits >>= 16) {
      __mmask16 k = (__mmask16)bits;
      _mm512_storeu_si512((void *)st->out, _mm512_maskz_compress_epi32(k, pos));
      st->out += __builtin_popcount(k);
      pos = _mm512_add_epi32(pos, _mm512_set1_epi32(16));
    }
  }
  return st->in_string != 0;
}

/* The same, writing the positions with one byte compress (VBMI2) and a
 * widening of each 16 of them, instead of a dword compress per 16 bytes of
 * input: 0.044 -> 0.037 s for the tokenizer over the bench corpus. */
__attribute__((target("avx512f,avx512bw,avx512vbmi2,bmi,popcnt"))) static int
index_avx512vbmi2(const unsigned char *s, size_t n, index_state *st) {
  static const unsigned char offsets[64] = {
      0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
      16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
      32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47,
      48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63};
  const __m512i iota = _mm512_loadu_si512((const void *)offsets);
  for (size_t at = 0; at < n; at += 64) {
    uint64_t bits;
    if (bits512(s, n, at, st, &bits))
      return 1;
    __m512i packed = _mm512_maskz_compress_epi8(bits, iota);
    __m512i base = _mm512_set1_epi32((int)at);
    int count = __builtin_popcountll(bits);
    for (int q = 0; q < count; q += 16) {
      __m128i part;
      switch (q) {
      case 0: part = _mm512_castsi512_si128(packed); break;
      case 16: part = _mm512_extracti32x4_epi32(packed, 1); break;
      case 32: part = _mm512_extracti32x4_epi32(packed, 2); break;
      default: part = _mm512_extracti32x4_epi32(packed, 3); break;
      }
      _mm512_storeu_si512((void *)(st->out + q),
                          _mm512_add_epi32(_mm512_cvtepu8_epi32(part), base));
    }
    st->out += count;
  }
  return st->in_string != 0;
}
#endif

/* The end of the number or literal at s[i], or i if there is none there;
 * its type in *type. Only the value's own bytes are read: what follows it
 * is the grammar walk's to check. */
static inline size_t scalar_end(const char *s, size_t i, size_t n,
                                lv_json_type *type) {
  size_t j = i;
  switch (s[i]) {
  case 't':
    *type = LV_JSON_TRUE;
    return n - i >= 4 && !memcmp(s + i, "true", 4) ? i + 4 : i;
  case 'f':
    *type = LV_JSON_FALSE;
    return n - i >= 5 && !memcmp(s + i, "false", 5) ? i + 5 : i;
  case 'n':
    *type = LV_JSON_NULL;
    return n - i >= 4 && !memcmp(s + i, "null", 4) ? i + 4 : i;
  case '-': j++; break;
  default: break;
  }
  *type = LV_JSON_NUMBER;
  if (j == n)
    return i;
  if (s[j] == '0')
    j++;
  else if (s[j] >= '1' && s[j] <= '9')
    while (++j < n && s[j] >= '0' && s[j] <= '9')
      ;
  else
    return i;
  if (j < n && s[j] == '.') {
    size_t f = ++j;
    while (j < n && s[j] >= '0' && s[j] <= '9')
      j++;
    if (j == f)
      return i;
  }
  if (j < n && (s[j] == 'e' || s[j] == 'E')) {
    if (++j < n && (s[j] == '+' || s[j] == '-'))
      j++;
    size_t e = j;
    while (j < n && s[j] >= '0' && s[j] <= '9')
      j++;
    if (j == e)
      return i;
  }
  return j;
}

/* The grammar walk over the index idx (ending with INDEX_END) of s[0..n):
 * one value from byte *pi (not whitespace) and index entry *pk, in the same
 * states as parse_bytewise, with the next structural byte known in
 * advance. With make set, it makes the value's tokens at toks (room for
 * every token: parse_indexed made sure) as parse_bytewise does and returns
 * their end in *end_tok; else it only checks. Containers may nest depth_max
 * deep. Leaves *pi and *pk just after the value; returns nonzero, having
 * made no promise about the tokens, when the value is out of grammar or
 * nested deeper. Inlined into its two callers, each with a constant make,
 * so that the checking walk carries no token code. */
static inline __attribute__((always_inline)) int
walk_value(const char *s, size_t n, const uint32_t *idx, size_t *pi, size_t *pk,
           int depth_max, const int make, lv_json_tok *toks,
           lv_json_tok **end_tok) {
  lv_json_tok *tok = toks;              /* the next token */
  int stack[LV_MAX_JSON_DEPTH + 2];     /* open containers' tokens */
  int32_t count[LV_MAX_JSON_DEPTH + 2]; /* and their members or elements */
  int depth = 0;
  uint64_t arrays = 0;     /* bit d: the container at depth d is an array */
  size_t i = *pi, k = *pk; /* invariant: i <= idx[k] */
#define SKIP_WS()                                                              \
  while (i != idx[k] && i < n && is_ws((unsigned char)s[i]))                   \
  i++
#define NEW_TOK(type, start, stop)                                             \
  do {                                                                         \
    if (make) {                                                                \
      *tok = (lv_json_tok){(uint32_t)(start),         (uint32_t)(stop),        \
                           (int32_t)(tok - toks) + 1, 0,                       \
                           (uint8_t)(type),           0};                      \
      tok++;                                                                   \
    }                                                                          \
  } while (0)
value: /* array elements are counted before they get here */
  if (i == n)
    return 1;
  if (i == idx[k]) {
    switch (s[i]) {
    case '"':
      NEW_TOK(LV_JSON_STRING, i + 1, idx[k + 1]);
      i = (size_t)idx[k + 1] + 1;
      k += 2;
      goto after;
    case '{':
    case '[': {
      if (depth >= depth_max)
        return 1;
      int obj = s[i] == '{';
      arrays = obj ? arrays & ~(1ull << depth) : arrays | 1ull << depth;
      count[depth] = 0;
      stack[depth++] = make ? (int)(tok - toks) : 0;
      NEW_TOK(obj ? LV_JSON_OBJECT : LV_JSON_ARRAY, i, i);
      i++;
      k++;
      SKIP_WS();
      if (i == idx[k] && s[i] == (obj ? '}' : ']'))
        goto close;
      if (obj)
        goto key;
      count[depth - 1]++;
      goto value;
    }
    default: return 1;
    }
  } else {
    lv_json_type type;
    size_t e = scalar_end(s, i, n, &type);
    if (e == i)
      return 1;
    NEW_TOK(type, i, e);
    i = e;
    goto after;
  }

key:
  if (i != idx[k] || s[i] != '"')
    return 1;
  NEW_TOK(LV_JSON_STRING, i + 1, idx[k + 1]);
  count[depth - 1]++;
  i = (size_t)idx[k + 1] + 1;
  k += 2;
  SKIP_WS();
  if (i != idx[k] || s[i] != ':')
    return 1;
  i++;
  k++;
  SKIP_WS();
  goto value;

after:
  if (depth == 0) {
    *pi = i;
    *pk = k;
    if (make)
      *end_tok = tok;
    return 0;
  }
  SKIP_WS();
  if (i != idx[k])
    return 1;
  if (s[i] == ',') {
    i++;
    k++;
    SKIP_WS();
    if (!((arrays >> (depth - 1)) & 1))
      goto key;
    count[depth - 1]++;
    goto value;
  }
  if (s[i] != (((arrays >> (depth - 1)) & 1) ? ']' : '}'))
    return 1;

close:
  depth--;
  if (make) {
    toks[stack[depth]].end = (uint32_t)(i + 1);
    toks[stack[depth]].next = (int32_t)(tok - toks);
    toks[stack[depth]].size = count[depth];
  }
  i++;
  k++;
  goto after;
#undef NEW_TOK
#undef SKIP_WS
}

/* The whole document by walk_value, making d's tokens: one value with
 * only whitespace around it. Nonzero to give it to the byte-wise path. */
static int walk_index(lv_json_doc *d, const uint32_t *idx) {
  const char *s = d->src;
  size_t n = d->len, i = 0, k = 0;
  lv_json_tok *end;
  while (i < n && is_ws((unsigned char)s[i]))
    i++;
  if (walk_value(s, n, idx, &i, &k, LV_MAX_JSON_DEPTH + 1, 1, d->toks, &end))
    return 1;
  while (i < n && is_ws((unsigned char)s[i]))
    i++;
  if (i != n)
    return 1;
  d->ntoks = (int)(end - d->toks);
  return 0;
}

/* Lists s[0..n)'s structural positions at st->out (which it advances);
 * nonzero to leave the document to the byte-wise path. */
typedef int (*index_fn)(const unsigned char *s, size_t n, index_state *st);

static index_fn index_for(lv_json_path path) {
  switch (path) {
  case LV_JSON_PATH_PORTABLE: return index_portable;
#ifdef LV_JSON_X86
  case LV_JSON_PATH_SSE2: return index_sse2;
  case LV_JSON_PATH_AVX2: return index_avx2;
  case LV_JSON_PATH_AVX512: return index_avx512;
  case LV_JSON_PATH_AVX512VBMI2: return index_avx512vbmi2;
#endif
  default: return NULL;
  }
}

int lv_json_path_available(lv_json_path path) {
  switch (path) {
  case LV_JSON_PATH_BEST:
  case LV_JSON_PATH_BYTEWISE:
  case LV_JSON_PATH_PORTABLE: return 1;
#ifdef LV_JSON_X86
  case LV_JSON_PATH_SSE2: return __builtin_cpu_supports("sse2");
  case LV_JSON_PATH_AVX2:
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") &&
           __builtin_cpu_supports("popcnt");
  case LV_JSON_PATH_AVX512:
    return __builtin_cpu_supports("avx512f") &&
           __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("bmi") && __builtin_cpu_supports("popcnt");
  case LV_JSON_PATH_AVX512VBMI2:
    return lv_json_path_available(LV_JSON_PATH_AVX512) &&
           __builtin_cpu_supports("avx512vbmi2");
#endif
  default: return 0;
  }
}

/* The best path this CPU has, found once. */
static lv_json_path best_path(void) {
  /* 0 until known; relaxed atomics, as every thread finds the same. */
  static int best;
  int b = __atomic_load_n(&best, __ATOMIC_RELAXED);
  if (!b) {
    b = LV_JSON_PATH_PORTABLE;
    for (int p = LV_JSON_PATH_COUNT - 1; p > LV_JSON_PATH_PORTABLE; p--)
      if (lv_json_path_available((lv_json_path)p)) {
        b = p;
        break;
      }
    __atomic_store_n(&best, b, __ATOMIC_RELAXED);
  }
  return (lv_json_path)b;
}

/* Tokenizes d's document by the indexed path; nonzero to leave it to the
 * byte-wise path. */
/* Builds d's structural index by index; the number of positions, or
 * SIZE_MAX to leave the document to the byte-wise path. */
static size_t build_index(lv_json_doc *d, index_fn index) {
  if (d->len > INDEXED_MAX_BYTES)
    return SIZE_MAX;
  /* Every byte a position, then the end, and room for a 16-position store
   * past the last. */
  size_t want = d->len + 18;
  if (want > d->index_cap) {
    size_t cap = d->index_cap ? d->index_cap : 1024;
    while (cap < want)
      cap *= 2;
    uint32_t *ix = realloc(d->index, cap * sizeof *ix);
    if (!ix)
      return SIZE_MAX;
    d->index = ix;
    d->index_cap = cap;
  }
  index_state st = {d->index, 0};
  if (index((const unsigned char *)d->src, d->len, &st))
    return SIZE_MAX;
  st.out[0] = st.out[1] = INDEX_END;
  return (size_t)(st.out - d->index);
}

static int parse_indexed(lv_json_doc *d, index_fn index) {
  size_t m = build_index(d, index);
  if (m == SIZE_MAX)
    return 1;
  /* Room for every token: each takes a structural position (a string two)
   * but numbers and literals, and each of those comes after one of its own
   * (a colon, comma or bracket) or starts the document. */
  size_t most = m + 1;
  if (most > LV_MAX_JSON_TOKENS)
    return 1;
  while ((size_t)d->cap < most)
    if (grow(d, NULL))
      return 1;
  return walk_index(d, d->index);
}

int lv_json_index_skip(const char *s, size_t n, const uint32_t *idx, size_t *pi,
                       size_t *pk) {
  /* Well within the reader's depth bound, whatever the caller's. */
  return walk_value(s, n, idx, pi, pk, LV_MAX_JSON_DEPTH / 2, 0, NULL, NULL);
}

int lv_json_index(lv_json_doc *d, const char *src, size_t len,
                  const uint32_t **idx) {
  d->src = src;
  d->len = len;
  d->ntoks = 0;
  d->indexed = 0;
  index_fn index = index_for(best_path());
  if (!index || build_index(d, index) == SIZE_MAX)
    return 1;
  *idx = d->index;
  return 0;
}

int lv_json_parse_path(lv_json_doc *d, const char *src, size_t len,
                       levee_error *err, lv_json_path path) {
  d->src = src;
  d->len = len;
  d->ntoks = 0;
  d->indexed = 0;
  if (len > LV_MAX_LINE_BYTES)
    return lv_error_set(err, LEVEE_ETOOBIG, "JSON document over %u bytes",
                        LV_MAX_LINE_BYTES);
  if (path == LV_JSON_PATH_BEST)
    path = best_path();
  else if (!lv_json_path_available(path))
    return lv_error_set(err, LEVEE_EINVAL, "JSON path %d not available",
                        (int)path);
  index_fn index = index_for(path);
  if (index) {
    if (parse_indexed(d, index) == 0) {
      d->indexed = 1;
      return LEVEE_OK;
    }
    d->ntoks = 0;
  }
  levee_error local;
  if (!err)
    err = &local;
  int rc = parse_bytewise(d, err);
  if (rc)
    d->ntoks = 0;
  return rc;
}

int lv_json_parse(lv_json_doc *d, const char *src, size_t len,
                  levee_error *err) {
  return lv_json_parse_path(d, src, len, err, LV_JSON_PATH_BEST);
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
