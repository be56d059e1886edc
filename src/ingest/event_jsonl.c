/* SPDX-License-Identifier: Apache-2.0 */
/*
 * event_jsonl.c: the levee event JSON (spec/interface.md section 1) into a
 * levee_event. This is the hot path of `levee scan`. Plain lines take a
 * fast path over the JSON reader's structural index (event_from_index);
 * the others are tokenized, and the tokens walked once per object
 * (walk_members). Strings without escapes are used in place.
 */
#include "ingest/event_jsonl.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "util/error.h"
#include "util/limits.h"

static int digits(const char *s, size_t n, int *out) {
  int v = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 0;
}

/* floor(a / b) for b > 0. */
static int64_t floor_div(int64_t a, int64_t b) {
  return a / b - (a % b < 0);
}

/* Leap years among years 1..y-1 of the proleptic Gregorian calendar
 * (negative below year 1, so that differences come out right). */
static int64_t leaps_before(int64_t y) {
  return floor_div(y - 1, 4) - floor_div(y - 1, 100) + floor_div(y - 1, 400);
}

int64_t lv_days_from_epoch(int y, int m, int d) {
  static const int before[12] = {0,   31,  59,  90,  120, 151,
                                 181, 212, 243, 273, 304, 334};
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return ((int64_t)y - 1970) * 365 + leaps_before(y) - leaps_before(1970) +
         before[m - 1] + (m > 2 && leap) + d - 1;
}

int lv_parse_rfc3339(const char *s, size_t n, int64_t *out_ms) {
  int Y, M, D, h, m, sec;
  if (n < 19 || s[4] != '-' || s[7] != '-' ||
      (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' ||
      s[16] != ':' || digits(s, 4, &Y) || digits(s + 5, 2, &M) ||
      digits(s + 8, 2, &D) || digits(s + 11, 2, &h) || digits(s + 14, 2, &m) ||
      digits(s + 17, 2, &sec))
    return LEVEE_ESYNTAX;
  if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60)
    return LEVEE_ESYNTAX;
  size_t i = 19;
  int ms = 0;
  if (i < n && s[i] == '.') {
    int scale = 100;
    size_t f = ++i;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
      ms += (s[i] - '0') * scale;
      scale /= 10;
      i++;
    }
    if (i == f)
      return LEVEE_ESYNTAX;
  }
  int offset = 0;
  if (i < n && (s[i] == 'Z' || s[i] == 'z'))
    i++;
  else if (i + 6 == n && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
    int oh, om;
    if (digits(s + i + 1, 2, &oh) || digits(s + i + 4, 2, &om) || oh > 23 ||
        om > 59)
      return LEVEE_ESYNTAX;
    offset = (oh * 60 + om) * 60 * (s[i] == '+' ? 1 : -1);
    i += 6;
  } else
    return LEVEE_ESYNTAX;
  if (i != n)
    return LEVEE_ESYNTAX;
  /* As timegm() would have it (a day past the month's end rolls over, a
   * leap second is the next minute's first), without its cost: 1.3% of
   * `levee scan` on the bench corpus, where one event in ten has a string
   * time. */
  int64_t t = lv_days_from_epoch(Y, M, D) * 86400 + h * 3600 + m * 60 + sec;
  *out_ms = (t - offset) * 1000 + ms;
  return LEVEE_OK;
}

/* --- finding an object's members ---------------------------------------
 *
 * The walk below does what lv_json_members() does (one pass; raw key bytes,
 * no unescaping; the first of duplicate members counts), faster for the way
 * event lines look: producers write the members of every line in the same
 * order. Each key is first compared with the key expected next (the one
 * after the last found; the tables list keys in the spec's order), which on
 * the usual line is one predictable comparison per member instead of a
 * jump on the key's length; only other keys take the full search. The
 * comparison is one or two masked 8-byte loads where the line has room
 * after the key's start, else memcmp. With the string, number and channel
 * steps inlined below, bench_parse went from 82.4 to 77.8 ms CPU on the
 * 313,210-event bench corpus (15 ns less per event). Trying the key after
 * the expected one as well, before the full search, cost 1.5 ms. */

/* A member name, zero-padded to 16 bytes for the word comparison. */
typedef struct walk_key {
  char name[16];
  size_t len;
} walk_key;
#define WALK_KEY(s)                                                            \
  { (s), sizeof(s) - 1 }

static inline uint64_t load64(const char *p) {
  uint64_t x;
  memcpy(&x, p, sizeof x);
  return x;
}

/* A word whose first n (0..8) bytes in memory order are 0xFF, the rest 0. */
static inline uint64_t head_mask(size_t n) {
  static const unsigned char ff[16] = {0xFF, 0xFF, 0xFF, 0xFF,
                                       0xFF, 0xFF, 0xFF, 0xFF};
  return load64((const char *)ff + 8 - n);
}

/* Whether the n bytes at s (with lim - s readable) are key k. */
static inline int key_is(const char *s, size_t n, const char *lim,
                         const walk_key *k) {
  if (n != k->len)
    return 0;
  if (n <= 8 && lim - s >= 8)
    return (load64(s) & head_mask(n)) == load64(k->name);
  if (lim - s >= 16)
    return (((load64(s) & head_mask(8)) ^ load64(k->name)) |
            ((load64(s + 8) & head_mask(n - 8)) ^ load64(k->name + 8))) == 0;
  return memcmp(s, k->name, n) == 0;
}

/* out[k]: the value token of the first member of object obj named keys[k],
 * or -1. Returns -1 when obj is not an object, else 0. */
static inline __attribute__((always_inline)) int
walk_members(const lv_json_doc *d, int obj, const walk_key *keys, int nk,
             int *out) {
  for (int k = 0; k < nk; k++)
    out[k] = -1;
  if (lv_json_type_of(d, obj) != LV_JSON_OBJECT)
    return -1;
  const lv_json_tok *t = d->toks;
  const char *src = d->src, *lim = d->src + d->len;
  int want = 0; /* the key expected next */
  for (int m = obj + 1; m < t[obj].next; m = t[m + 1].next) {
    const char *s = src + t[m].start;
    size_t n = t[m].end - t[m].start;
    int k = want;
    if (k >= nk || !key_is(s, n, lim, &keys[k])) {
      /* Unrolled over the constant table: compares with constants. */
      for (k = 0; k < nk; k++)
        if (keys[k].len == n && memcmp(s, keys[k].name, n) == 0)
          break;
      if (k == nk)
        continue;
    }
    if (out[k] < 0)
      out[k] = m + 1;
    want = k + 1;
  }
  return 0;
}

/* --- values ------------------------------------------------------------ */

/* Kept out of line: the messages for a member of the wrong type. */
static __attribute__((noinline, cold)) int not_string(levee_error *err,
                                                      const char *key) {
  return lv_error_set(err, LEVEE_ESYNTAX, "\"%s\" must be a string", key);
}

static __attribute__((noinline, cold)) int bad_escape(levee_error *err, int rc,
                                                      const char *key) {
  return lv_error_set(err, rc, "\"%s\": bad string escape", key);
}

/* An optional string value at token t (-1 when absent): absent or null
 * leaves *out absent. */
static inline __attribute__((always_inline)) int
opt_string(lv_json_doc *d, int t, const char *key, lv_arena *a, levee_str *out,
           levee_error *err) {
  if (t < 0)
    return LEVEE_OK;
  const lv_json_tok *x = &d->toks[t];
  if (x->type == LV_JSON_STRING && !x->escaped) {
    out->ptr = d->src + x->start;
    out->len = x->end - x->start;
    return LEVEE_OK;
  }
  if (x->type == LV_JSON_NULL)
    return LEVEE_OK;
  if (x->type != LV_JSON_STRING)
    return not_string(err, key);
  int rc = lv_json_unescape(d, t, a, out);
  return rc ? bad_escape(err, rc, key) : LEVEE_OK;
}

static const walk_key party_keys[] = {WALK_KEY("id"), WALK_KEY("name"),
                                      WALK_KEY("dept"), WALK_KEY("role")};

static inline __attribute__((always_inline)) int
party(lv_json_doc *d, int obj, const char *what, lv_arena *a, levee_party *p,
      levee_error *err) {
  int m[4];
  if (walk_members(d, obj, party_keys, 4, m))
    return lv_error_set(err, LEVEE_ESYNTAX, "\"%s\" must be an object", what);
  int rc;
  if ((rc = opt_string(d, m[0], "id", a, &p->id, err)) ||
      (rc = opt_string(d, m[1], "name", a, &p->name, err)) ||
      (rc = opt_string(d, m[2], "dept", a, &p->dept, err)) ||
      (rc = opt_string(d, m[3], "role", a, &p->role, err)))
    return rc;
  return LEVEE_OK;
}

/* Bytes of a channel token: a-z, 0-9, '_', '-', '.'. */
/* clang-format off */
static const unsigned char token_byte[256] = {
    ['-'] = 1, ['.'] = 1, ['_'] = 1,
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1,
    ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
    ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
    ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
    ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
    ['y'] = 1, ['z'] = 1,
};
/* clang-format on */

/* With 8 bytes readable at s.ptr (room: the bytes that may be read there),
 * a channel of up to 8 bytes is checked without a loop whose length varies
 * from line to line (its exit mispredicted on most lines). */
static inline int is_token(levee_str s, size_t room) {
  if (s.len == 0 || s.len > 32)
    return 0;
  unsigned ok = 1;
  if (s.len <= 8 && room >= 8) {
    for (size_t i = 0; i < 8; i++)
      ok &= token_byte[(unsigned char)s.ptr[i]] | (i >= s.len);
    return (int)ok;
  }
  for (size_t i = 0; i < s.len; i++)
    ok &= token_byte[(unsigned char)s.ptr[i]];
  return (int)ok;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* The value of eight decimal digits loaded as a word (the first digit in
 * the low byte), or -1 when a byte is not a digit. A byte b is a digit when
 * both b and b + 6 have 3 as their high nibble. Then neighbours are joined,
 * the lower address being the higher-order part: bytes into 2-digit values
 * in 16-bit lanes, those into 4-digit values in 32-bit lanes, and those
 * into the result; no lane overflows into the next. */
static inline int64_t digits8(uint64_t x) {
  const uint64_t ones = 0x0101010101010101u;
  if (((x & (ones * 0xF0)) | (((x + ones * 6) & (ones * 0xF0)) >> 4)) !=
      ones * 0x33)
    return -1;
  x -= ones * '0';
  x = (x * 10 + (x >> 8)) & 0x00FF00FF00FF00FFu;
  x = (x * 100 + (x >> 16)) & 0x0000FFFF0000FFFFu;
  return (int64_t)((x & 0xFFFFFFFFu) * 10000 + (x >> 32));
}
#endif

/* lv_json_int64 of a number token, with its common case inline: up to 16
 * plain digits. A 13-digit epoch time in milliseconds is two overlapping
 * 8-digit words (the second with its first three digits made '0') instead
 * of a chain of 13 multiply-adds: bench_parse 78.9 -> 78.1 ms. */
static inline __attribute__((always_inline)) int int64_of(const lv_json_doc *d,
                                                          int t, int64_t *out) {
  const lv_json_tok *x = &d->toks[t];
  const char *s = d->src + x->start;
  size_t n = x->end - x->start;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if (n > 8 && n <= 16) {
    static const int64_t pow10[] = {1,      10,      100,      1000,     10000,
                                    100000, 1000000, 10000000, 100000000};
    const uint64_t zeros = 0x3030303030303030u;
    uint64_t seen = head_mask(16 - n); /* bytes of the first word */
    int64_t hi = digits8(load64(s));
    int64_t lo = digits8((load64(s + n - 8) & ~seen) | (zeros & seen));
    if ((hi | lo) >= 0) {
      *out = hi * pow10[n - 8] + lo;
      return LEVEE_OK;
    }
  }
#endif
  if (n >= 1 && n <= 18 && s[0] != '-') {
    int64_t v = 0;
    size_t k = 0;
    while (k < n && (unsigned)(s[k] - '0') < 10)
      v = v * 10 + (s[k++] - '0');
    if (k == n) {
      *out = v;
      return LEVEE_OK;
    }
  }
  return lv_json_int64(d, t, out);
}

static const walk_key attachment_keys[] = {WALK_KEY("kind"), WALK_KEY("name"),
                                           WALK_KEY("path"), WALK_KEY("sha256"),
                                           WALK_KEY("md5"),  WALK_KEY("data")};

static int attachments(lv_json_doc *d, int arr, lv_arena *a, levee_event *ev,
                       levee_error *err) {
  if (lv_json_type_of(d, arr) != LV_JSON_ARRAY)
    return lv_error_set(err, LEVEE_ESYNTAX, "\"attachments\" must be an array");
  int n = lv_json_size(d, arr);
  if (n > LV_MAX_ATTACHMENTS)
    return lv_error_set(err, LEVEE_ETOOBIG, "more than %d attachments",
                        LV_MAX_ATTACHMENTS);
  if (n == 0)
    return LEVEE_OK;
  levee_attachment *at = lv_arena_alloc(a, (size_t)n * sizeof *at);
  if (!at)
    return lv_error_set(err, LEVEE_ENOMEM, "out of memory");
  memset(at, 0, (size_t)n * sizeof *at);
  size_t k = 0;
  for (int t = lv_json_first(d, arr); t >= 0; t = lv_json_next(d, arr, t)) {
    levee_attachment *x = &at[k++];
    if (lv_json_type_of(d, t) != LV_JSON_OBJECT)
      return lv_error_set(err, LEVEE_ESYNTAX,
                          "attachment %zu must be an object", k - 1);
    levee_str b64 = {0};
    int m[6], rc;
    (void)walk_members(d, t, attachment_keys, 6, m);
    if ((rc = opt_string(d, m[0], "kind", a, &x->kind, err)) ||
        (rc = opt_string(d, m[1], "name", a, &x->name, err)) ||
        (rc = opt_string(d, m[2], "path", a, &x->path, err)) ||
        (rc = opt_string(d, m[3], "sha256", a, &x->sha256, err)) ||
        (rc = opt_string(d, m[4], "md5", a, &x->md5, err)) ||
        (rc = opt_string(d, m[5], "data", a, &b64, err)))
      return rc;
    if (b64.ptr) {
      if (b64.len / 4 * 3 > LV_MAX_FILE_BYTES)
        return lv_error_set(err, LEVEE_ETOOBIG,
                            "attachment %zu: data over %u bytes", k - 1,
                            LV_MAX_FILE_BYTES);
      size_t cap = b64.len / 4 * 3 + 3, len = 0;
      unsigned char *bin = lv_arena_alloc(a, cap);
      if (!bin)
        return lv_error_set(err, LEVEE_ENOMEM, "out of memory");
      if (sodium_base642bin(bin, cap, b64.ptr, b64.len, " \r\n", &len, NULL,
                            sodium_base64_VARIANT_ORIGINAL) != 0)
        return lv_error_set(err, LEVEE_ESYNTAX,
                            "attachment %zu: \"data\" is not base64", k - 1);
      x->data.ptr = (const char *)bin;
      x->data.len = len;
    }
  }
  ev->attachments = at;
  ev->n_attachments = k;
  return LEVEE_OK;
}

/* The event's members (spec/interface.md section 1), found in one pass;
 * in the spec's order, which walk_members() expects. */
enum {
  K_ID,
  K_TIME,
  K_CHANNEL,
  K_CONVERSATION,
  K_SENDER,
  K_RECIPIENTS,
  K_TEXT,
  K_ATTACHMENTS,
  K_FORWARDED_FROM,
  K_META,
  N_EVENT_KEYS
};
static const walk_key event_keys[N_EVENT_KEYS] = {
    [K_ID] = WALK_KEY("id"),
    [K_TIME] = WALK_KEY("time"),
    [K_CHANNEL] = WALK_KEY("channel"),
    [K_CONVERSATION] = WALK_KEY("conversation"),
    [K_SENDER] = WALK_KEY("sender"),
    [K_RECIPIENTS] = WALK_KEY("recipients"),
    [K_TEXT] = WALK_KEY("text"),
    [K_ATTACHMENTS] = WALK_KEY("attachments"),
    [K_FORWARDED_FROM] = WALK_KEY("forwarded_from"),
    [K_META] = WALK_KEY("meta"),
};
static const walk_key conversation_keys[] = {
    WALK_KEY("id"), WALK_KEY("type"), WALK_KEY("title"), WALK_KEY("external")};

/* The JSON text of token t (a value of any type), as written in line. */
static levee_str meta_text(const lv_json_doc *d, int t, const char *line,
                           size_t len) {
  const lv_json_tok *k = &d->toks[t];
  size_t start = k->start, end = k->end;
  if (k->type == LV_JSON_STRING) { /* the token excludes the quotes */
    start--;
    end++;
  }
  if (start > end || end > len)
    return (levee_str){NULL, 0};
  return (levee_str){line + start, end - start};
}

/* --- the fast path: straight from the structural index -----------------
 *
 * Most event lines are plain: no escapes, the members read here each once
 * and of the usual types, and perhaps others (such as "meta") that are
 * skipped. Those are read straight from the JSON reader's structural index
 * (lv_json_index: the positions of quotes and structural bytes), checking
 * the grammar on the way (lv_json_index_skip for the skipped members),
 * without making tokens and walking them again. Any other line
 * (recipients or attachments, a duplicate, a value of another type,
 * anything out of grammar) is declined and read by the general path below,
 * which alone reports errors; fuzz_jsonl_event checks that both make the same
 * event from every line the fast path takes. */

typedef struct fast {
  const char *s;
  size_t n;
  const uint32_t *idx; /* ends with LV_JSON_INDEX_END */
  size_t i, k;         /* the byte, and the next index entry: i <= idx[k] */
} fast;

static inline int fast_is_ws(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/* Skips whitespace (none when i is at the next structural byte). */
static inline void fast_ws(fast *f) {
  if (f->i != f->idx[f->k])
    while (f->i < f->n && fast_is_ws(f->s[f->i]))
      f->i++;
}

/* Whether the next structural byte, c, is at i; steps over it. */
static inline int fast_at(fast *f, char c) {
  if (f->i != f->idx[f->k] || f->s[f->i] != c)
    return 0;
  f->i++;
  f->k++;
  return 1;
}

/* A string value at i (its two quotes are consecutive index entries). */
static inline int fast_string(fast *f, levee_str *out) {
  if (f->i != f->idx[f->k] || f->s[f->i] != '"')
    return 1;
  size_t end = f->idx[f->k + 1];
  out->ptr = f->s + f->i + 1;
  out->len = end - f->i - 1;
  f->i = end + 1;
  f->k += 2;
  return 0;
}

/* The literal lit[0..n) at i. What follows it is fast_next's to check. */
static inline int fast_literal(fast *f, const char *lit, size_t n) {
  if (f->n - f->i < n || memcmp(f->s + f->i, lit, n) != 0)
    return 1;
  f->i += n;
  return 0;
}

/* A string, or null (leaving out absent). */
static inline int fast_opt_string(fast *f, levee_str *out) {
  return f->i == f->idx[f->k] ? fast_string(f, out)
                              : fast_literal(f, "null", 4);
}

/* A member name at i and its colon: the name's bytes, whitespace skipped. */
static inline int fast_key(fast *f, const char **name, size_t *len) {
  levee_str k;
  if (fast_string(f, &k))
    return 1;
  *name = k.ptr;
  *len = k.len;
  fast_ws(f);
  if (!fast_at(f, ':'))
    return 1;
  fast_ws(f);
  return 0;
}

/* After a member's value: 0 for a comma (more members follow), 2 for the
 * closing brace, 1 for anything else. */
static inline int fast_next(fast *f) {
  fast_ws(f);
  if (fast_at(f, ','))
    return fast_ws(f), 0;
  return fast_at(f, '}') ? 2 : 1;
}

/* The opening brace of an object: 0, 2 for an empty object, 1 if there is
 * none. */
static inline int fast_open(fast *f) {
  if (!fast_at(f, '{'))
    return 1;
  fast_ws(f);
  return fast_at(f, '}') ? 2 : 0;
}

/* Which of keys[0..nk) name is, trying want (the one after the last found)
 * first; -1 for none. */
static inline int fast_which(const fast *f, const char *name, size_t len,
                             const walk_key *keys, int nk, int want) {
  if (want < nk && key_is(name, len, f->s + f->n, &keys[want]))
    return want;
  for (int k = 0; k < nk; k++)
    if (keys[k].len == len && memcmp(name, keys[k].name, len) == 0)
      return k;
  return -1;
}

/* Integer epoch milliseconds: up to 18 plain digits (others, such as 1e12,
 * take the general path), or an RFC 3339 string. */
static inline int fast_time(fast *f, int64_t *out) {
  if (f->i == f->idx[f->k]) {
    levee_str t;
    return fast_string(f, &t) || lv_parse_rfc3339(t.ptr, t.len, out);
  }
  const char *p = f->s + f->i;
  size_t j = 0, room = f->n - f->i;
  int64_t v = 0;
  while (j < room && j < 18 && (unsigned)(p[j] - '0') < 10)
    v = v * 10 + (p[j++] - '0');
  if (j == 0 || (p[0] == '0' && j > 1) ||
      (j < room && (unsigned)(p[j] - '0') < 10))
    return 1; /* none, a leading zero, or more than 18 digits */
  f->i += j;
  *out = v;
  return 0;
}

/* A member object (null leaves it absent) of string members named keys,
 * into strs, and for conversations the boolean "external". */
static int fast_object(fast *f, const walk_key *keys, int nk,
                       levee_str *const *strs, int bool_key,
                       levee_tristate *b) {
  if (fast_literal(f, "null", 4) == 0)
    return 0;
  int r = fast_open(f);
  if (r)
    return r == 2 ? 0 : 1;
  unsigned seen = 0;
  int want = 0;
  do {
    const char *name;
    size_t len;
    if (fast_key(f, &name, &len))
      return 1;
    int key = fast_which(f, name, len, keys, nk, want);
    if (key < 0) {
      if (lv_json_index_skip(f->s, f->n, f->idx, &f->i, &f->k))
        return 1;
      continue; /* a member not read: skipped, as the general path does */
    }
    if (seen >> key & 1)
      return 1;
    seen |= 1u << key;
    want = key + 1;
    if (key != bool_key) {
      if (fast_opt_string(f, strs[key]))
        return 1;
    } else if (fast_literal(f, "true", 4) == 0)
      *b = LEVEE_TRUE;
    else if (fast_literal(f, "false", 5) == 0)
      *b = LEVEE_FALSE;
    else if (fast_literal(f, "null", 4))
      return 1;
  } while ((r = fast_next(f)) == 0);
  return r == 2 ? 0 : 1;
}

/* The event of line s[0..n) with structural index idx, or 1 to leave the
 * line to the general path. */
static int event_from_index(const char *s, size_t n, const uint32_t *idx,
                            levee_event *out) {
  fast f = {s, n, idx, 0, 0};
  levee_event ev;
  memset(&ev, 0, sizeof ev);
  ev.conversation_external = LEVEE_UNKNOWN;
  levee_str *const conversation[] = {&ev.conversation_id, &ev.conversation_type,
                                     &ev.conversation_title, NULL};
  levee_str *const sender[] = {&ev.sender.id, &ev.sender.name, &ev.sender.dept,
                               &ev.sender.role};
  unsigned seen = 0;
  int want = 0, r;
  fast_ws(&f);
  if (fast_open(&f))
    return 1; /* not an object, or an empty one */
  do {
    const char *name;
    size_t len;
    if (fast_key(&f, &name, &len))
      return 1;
    int key = fast_which(&f, name, len, event_keys, N_EVENT_KEYS, want);
    if (key < 0) {
      if (lv_json_index_skip(s, n, idx, &f.i, &f.k))
        return 1;
      continue; /* unknown members: skipped, as the general path does */
    }
    if (seen >> key & 1)
      return 1;
    seen |= 1u << key;
    want = key + 1;
    switch (key) {
    case K_ID:
      if (fast_string(&f, &ev.id) || ev.id.len == 0)
        return 1;
      break;
    case K_TIME:
      if (fast_time(&f, &ev.time_ms))
        return 1;
      break;
    case K_CHANNEL:
      if (fast_string(&f, &ev.channel) ||
          !is_token(ev.channel, (size_t)(s + n - ev.channel.ptr)))
        return 1;
      break;
    case K_CONVERSATION:
      if (fast_object(&f, conversation_keys, 4, conversation, 3,
                      &ev.conversation_external))
        return 1;
      break;
    case K_SENDER:
      if (fast_object(&f, party_keys, 4, sender, -1, NULL))
        return 1;
      break;
    case K_TEXT:
      if (fast_opt_string(&f, &ev.text) || ev.text.len > LV_MAX_TEXT_BYTES)
        return 1;
      break;
    case K_FORWARDED_FROM:
      if (fast_opt_string(&f, &ev.forwarded_from))
        return 1;
      break;
    case K_META: {
      /* Kept as written (this path has no escapes), never interpreted. */
      size_t start = f.i;
      if (lv_json_index_skip(s, n, idx, &f.i, &f.k))
        return 1;
      if (!(f.i - start == 4 && !memcmp(s + start, "null", 4)))
        ev.meta = (levee_str){s + start, f.i - start};
      break;
    }
    default: return 1; /* recipients and attachments */
    }
  } while ((r = fast_next(&f)) == 0);
  if (r != 2)
    return 1;
  while (f.i < n && fast_is_ws(s[f.i]))
    f.i++;
  const unsigned required = 1u << K_ID | 1u << K_TIME | 1u << K_CHANNEL;
  if (f.i != n || (seen & required) != required)
    return 1;
  *out = ev;
  return 0;
}

int lv_event_from_jsonl(lv_json_doc *d, const char *line, size_t len,
                        lv_arena *a, levee_event *out, levee_error *err) {
  const uint32_t *idx;
  if (lv_json_index(d, line, len, &idx) == 0 &&
      event_from_index(line, len, idx, out) == 0)
    return LEVEE_OK;
  return lv_event_from_jsonl_general(d, line, len, a, out, err);
}

/* --- the general path ---------------------------------------------------- */

int lv_event_from_jsonl_general(lv_json_doc *d, const char *line, size_t len,
                                lv_arena *a, levee_event *out,
                                levee_error *err) {
  int rc = lv_json_parse(d, line, len, err);
  if (rc)
    return rc;
  if (lv_json_type_of(d, 0) != LV_JSON_OBJECT)
    return lv_error_set(err, LEVEE_ESYNTAX, "an event must be a JSON object");
  levee_event ev;
  memset(&ev, 0, sizeof ev);
  ev.conversation_external = LEVEE_UNKNOWN;
  int m[N_EVENT_KEYS];
  (void)walk_members(d, 0, event_keys, N_EVENT_KEYS, m);

  int t = m[K_ID];
  if (t < 0)
    return lv_error_set(err, LEVEE_EMISSING, "missing required field \"id\"");
  if (lv_json_type_of(d, t) != LV_JSON_STRING)
    return lv_error_set(err, LEVEE_ESYNTAX, "\"id\" must be a string");
  if ((rc = lv_json_string(d, t, a, &ev.id)))
    return lv_error_set(err, rc, "\"id\": bad string escape");
  if (ev.id.len == 0)
    return lv_error_set(err, LEVEE_ESYNTAX, "\"id\" must not be empty");

  t = m[K_TIME];
  if (t < 0)
    return lv_error_set(err, LEVEE_EMISSING, "missing required field \"time\"");
  if (lv_json_type_of(d, t) == LV_JSON_NUMBER) {
    if (int64_of(d, t, &ev.time_ms))
      return lv_error_set(err, LEVEE_ESYNTAX,
                          "\"time\" must be integer epoch milliseconds");
  } else if (lv_json_type_of(d, t) == LV_JSON_STRING) {
    levee_str s;
    if (lv_json_string(d, t, a, &s) ||
        lv_parse_rfc3339(s.ptr, s.len, &ev.time_ms))
      return lv_error_set(err, LEVEE_ESYNTAX,
                          "\"time\" is not an RFC 3339 date-time");
  } else
    return lv_error_set(err, LEVEE_ESYNTAX,
                        "\"time\" must be an RFC 3339 string or epoch "
                        "milliseconds");

  t = m[K_CHANNEL];
  if (t < 0)
    return lv_error_set(err, LEVEE_EMISSING,
                        "missing required field \"channel\"");
  if (lv_json_type_of(d, t) != LV_JSON_STRING ||
      lv_json_string(d, t, a, &ev.channel) ||
      !is_token(ev.channel,
                d->toks[t].escaped ? 0 : line + len - ev.channel.ptr))
    return lv_error_set(err, LEVEE_ESYNTAX,
                        "\"channel\" must be a lowercase token such as "
                        "\"wechat\"");

  if ((rc = opt_string(d, m[K_TEXT], "text", a, &ev.text, err)) ||
      (rc = opt_string(d, m[K_FORWARDED_FROM], "forwarded_from", a,
                       &ev.forwarded_from, err)))
    return rc;
  if (ev.text.len > LV_MAX_TEXT_BYTES)
    return lv_error_set(err, LEVEE_ETOOBIG, "\"text\" over %u bytes",
                        LV_MAX_TEXT_BYTES);
  t = m[K_META];
  if (t >= 0 && lv_json_type_of(d, t) != LV_JSON_NULL)
    ev.meta = meta_text(d, t, line, len);

  t = m[K_CONVERSATION];
  if (t >= 0 && lv_json_type_of(d, t) != LV_JSON_NULL) {
    int c[4];
    if (walk_members(d, t, conversation_keys, 4, c))
      return lv_error_set(err, LEVEE_ESYNTAX,
                          "\"conversation\" must be an object");
    if ((rc = opt_string(d, c[0], "id", a, &ev.conversation_id, err)) ||
        (rc = opt_string(d, c[1], "type", a, &ev.conversation_type, err)) ||
        (rc = opt_string(d, c[2], "title", a, &ev.conversation_title, err)))
      return rc;
    int x = c[3];
    if (x >= 0) {
      lv_json_type ty = lv_json_type_of(d, x);
      if (ty == LV_JSON_TRUE || ty == LV_JSON_FALSE)
        ev.conversation_external =
            ty == LV_JSON_TRUE ? LEVEE_TRUE : LEVEE_FALSE;
      else if (ty != LV_JSON_NULL)
        return lv_error_set(err, LEVEE_ESYNTAX,
                            "\"conversation.external\" must be true or false");
    }
  }
  t = m[K_SENDER];
  if (t >= 0 && lv_json_type_of(d, t) != LV_JSON_NULL &&
      (rc = party(d, t, "sender", a, &ev.sender, err)))
    return rc;
  t = m[K_RECIPIENTS];
  if (t >= 0 && lv_json_type_of(d, t) != LV_JSON_NULL) {
    if (lv_json_type_of(d, t) != LV_JSON_ARRAY)
      return lv_error_set(err, LEVEE_ESYNTAX,
                          "\"recipients\" must be an array");
    int n = lv_json_size(d, t);
    if (n > LV_MAX_RECIPIENTS)
      return lv_error_set(err, LEVEE_ETOOBIG, "more than %d recipients",
                          LV_MAX_RECIPIENTS);
    if (n > 0) {
      levee_party *r = lv_arena_alloc(a, (size_t)n * sizeof *r);
      if (!r)
        return lv_error_set(err, LEVEE_ENOMEM, "out of memory");
      memset(r, 0, (size_t)n * sizeof *r);
      size_t k = 0;
      for (int x = lv_json_first(d, t); x >= 0; x = lv_json_next(d, t, x))
        if ((rc = party(d, x, "recipients[]", a, &r[k++], err)))
          return rc;
      ev.recipients = r;
      ev.n_recipients = k;
    }
  }
  t = m[K_ATTACHMENTS];
  if (t >= 0 && lv_json_type_of(d, t) != LV_JSON_NULL &&
      (rc = attachments(d, t, a, &ev, err)))
    return rc;
  *out = ev;
  return LEVEE_OK;
}

int lv_parse_when(const char *s, int64_t *out_ms) {
  size_t n = strlen(s);
  if (n && n < 19 && strspn(s, "0123456789") == n) {
    int64_t v = 0;
    for (size_t i = 0; i < n; i++)
      v = v * 10 + (s[i] - '0');
    *out_ms = v;
    return 0;
  }
  if (n == 10) { /* YYYY-MM-DD: midnight, China Standard Time */
    char full[40];
    snprintf(full, sizeof full, "%sT00:00:00+08:00", s);
    return lv_parse_rfc3339(full, strlen(full), out_ms) ? -1 : 0;
  }
  return lv_parse_rfc3339(s, n, out_ms) ? -1 : 0;
}
