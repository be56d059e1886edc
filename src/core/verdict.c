/* SPDX-License-Identifier: Apache-2.0 */
/*
 * verdict.c: a verdict as one line of JSON (spec/interface.md section 2).
 *
 * `levee scan` writes one of these per message, so this is the JSON
 * builder's work done in one step: the size of the line is bounded first,
 * one reservation covers it, and the line is written straight into the
 * buffer: constant fragments with memcpy, strings with lv_json_escape_into,
 * numbers with lv_json_fmt_*. The bytes are exactly those the lv_jw_* builder
 * writes for the same calls (tests/unit/test_verdict.c holds the builder
 * version as its reference and compares).
 *
 * Layout, members in this order, "redacted_text" and "truncated" only when
 * set, "registration" and "matched" only for a match of a registration
 * ("level" and "name" when it has them), "distance" only for an image's:
 *   {"id":"..."|null,"action":"...","severity":"...","findings":[
 *     {"rule":"...","category":"...","source":"text"|"attachment:N",
 *      "start":N,"end":N,"excerpt":"...","confidence":N.NN,
 *      "action":"...","severity":"...",
 *      "registration":{"id":N,"label":"...","level":"...","name":"..."},
 *      "matched":N.NN,"distance":N},...],
 *   "redacted_text":"...","truncated":true}\n
 */
#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "levee/levee.h"
#include "util/buf.h"
#include "util/json_writer.h"

/* The most the output buffer may hold. */
#define VERDICT_BUF_LIMIT ((size_t)1 << 30)
/* A line whose worst-case size passes this is measured exactly instead, so
 * that a long redacted text does not reserve six times its size. */
#define VERDICT_BOUND_MAX ((size_t)64 << 10)

/* Appends the constant fragment lit at p. */
#define PUT(p, lit)                                                            \
  (memcpy((p), (lit), sizeof(lit) - 1), (p) += sizeof(lit) - 1)
/* The length of a constant fragment. */
#define LEN(lit) (sizeof(lit) - 1)

/* Adds x to *acc, saturating: a saturated size fails the reservation. */
static inline void add(size_t *acc, size_t x) {
  *acc = x > SIZE_MAX - *acc ? SIZE_MAX : *acc + x;
}

/* The size of s[0..n) escaped (without quotes): exact, or the worst case. */
static size_t str_size(const char *s, size_t n, int exact) {
  if (exact)
    return lv_json_escaped_len(s, n);
  return n > SIZE_MAX / 6 ? SIZE_MAX : LV_JSON_ESCAPE_MAX(n);
}

static size_t cstr_size(const char *s, int exact) {
  return str_size(s, strlen(s), exact);
}

static char *put_str(char *p, const char *s, size_t n) {
  return p + lv_json_escape_into(p, s, n);
}

static char *put_cstr(char *p, const char *s) {
  return put_str(p, s, strlen(s));
}

/* An action or severity name: one of the spec's lowercase words
 * (policy.c), which JSON takes as they are. */
typedef struct name {
  const char *s;
  size_t n;
} name;

static name name_of(const char *s) {
  name r = {s, strlen(s)};
  assert(lv_json_escaped_len(r.s, r.n) == r.n);
  return r;
}

static char *put_name(char *p, name nm) {
  memcpy(p, nm.s, nm.n);
  return p + nm.n;
}

static char *put_int(char *p, int64_t v) {
  return p + lv_json_fmt_int(p, v);
}

/* The confidence as lv_jw_double(v, 2) writes it: non-finite values as 0. */
static double finite_or_zero(double v) {
  return isfinite(v) ? v : 0;
}

static size_t confidence_size(double v, int exact) {
  char tmp[LV_JSON_FIXED_MAX];
  v = finite_or_zero(v);
  if (fabs(v) < LV_JSON_FIXED_RANGE)
    return exact ? lv_json_fmt_fixed(tmp, v, 2) : LV_JSON_FIXED_MAX;
  int k = snprintf(NULL, 0, "%.2f", v); /* |v| >= 2^52: up to 312 bytes */
  return k > 0 ? (size_t)k : 0;
}

static char *put_confidence(char *p, double v) {
  v = finite_or_zero(v);
  size_t n = lv_json_fmt_fixed(p, v, 2);
  if (!n) {
    /* Room for these bytes and the NUL was reserved with the line. */
    int k = snprintf(NULL, 0, "%.2f", v);
    n = k > 0 ? (size_t)snprintf(p, (size_t)k + 1, "%.2f", v) : 0;
  }
  return p + n;
}

/* The members of a finding that matched a registration, from
 * ",\"registration\"" to the last: their size and the writer. */
static size_t match_size(const levee_finding *f, int exact) {
  const levee_registration *r = f->registration;
  char tmp[LV_JSON_INT_MAX];
  size_t n = LEN(",\"registration\":{\"id\":") + LEN(",\"label\":\"") +
             LEN("\"}") + LEN(",\"matched\":");
  add(&n, exact ? lv_json_fmt_int(tmp, (int64_t)r->id) : LV_JSON_INT_MAX);
  if (r->label.ptr)
    add(&n, str_size(r->label.ptr, r->label.len, exact));
  if (r->level.ptr)
    add(&n,
        LEN("\",\"level\":\"") + str_size(r->level.ptr, r->level.len, exact));
  if (r->name.ptr)
    add(&n, LEN("\",\"name\":\"") + str_size(r->name.ptr, r->name.len, exact));
  add(&n, confidence_size(f->matched, exact));
  if (f->distance >= 0)
    add(&n, LEN(",\"distance\":") +
                (exact ? lv_json_fmt_int(tmp, f->distance) : LV_JSON_INT_MAX));
  return n;
}

static char *put_match(char *p, const levee_finding *f) {
  const levee_registration *r = f->registration;
  PUT(p, ",\"registration\":{\"id\":");
  p = put_int(p, (int64_t)r->id);
  PUT(p, ",\"label\":\"");
  if (r->label.ptr)
    p = put_str(p, r->label.ptr, r->label.len);
  if (r->level.ptr) {
    PUT(p, "\",\"level\":\"");
    p = put_str(p, r->level.ptr, r->level.len);
  }
  if (r->name.ptr) {
    PUT(p, "\",\"name\":\"");
    p = put_str(p, r->name.ptr, r->name.len);
  }
  PUT(p, "\"}");
  PUT(p, ",\"matched\":");
  p = put_confidence(p, f->matched);
  if (f->distance >= 0) {
    PUT(p, ",\"distance\":");
    p = put_int(p, f->distance);
  }
  return p;
}

static size_t finding_size(const levee_finding *f, int exact) {
  char tmp[LV_JSON_INT_MAX];
  size_t n = LEN("{\"rule\":\"") + LEN("\",\"category\":\"") +
             LEN("\",\"source\":\"") + LEN("\",\"start\":") + LEN(",\"end\":") +
             LEN(",\"excerpt\":\"") + LEN("\",\"confidence\":") +
             LEN(",\"action\":\"") + LEN("\",\"severity\":\"") + LEN("\"}");
  add(&n, cstr_size(f->rule, exact));
  add(&n, cstr_size(f->category, exact));
  if (f->source < 0)
    add(&n, LEN("text"));
  else
    add(&n, LEN("attachment:") +
                (exact ? lv_json_fmt_int(tmp, f->source) : LV_JSON_INT_MAX));
  add(&n, exact ? lv_json_fmt_int(tmp, (int64_t)f->start) : LV_JSON_INT_MAX);
  add(&n, exact ? lv_json_fmt_int(tmp, (int64_t)f->end) : LV_JSON_INT_MAX);
  add(&n, cstr_size(f->excerpt, exact));
  add(&n, confidence_size(f->confidence, exact));
  add(&n, strlen(levee_action_name(f->action)));
  add(&n, strlen(levee_severity_name(f->severity)));
  if (f->registration)
    add(&n, match_size(f, exact));
  return n;
}

static char *put_finding(char *p, const levee_finding *f) {
  PUT(p, "{\"rule\":\"");
  p = put_cstr(p, f->rule);
  PUT(p, "\",\"category\":\"");
  p = put_cstr(p, f->category);
  PUT(p, "\",\"source\":\"");
  if (f->source < 0) {
    PUT(p, "text");
  } else {
    PUT(p, "attachment:");
    p = put_int(p, f->source);
  }
  PUT(p, "\",\"start\":");
  p = put_int(p, (int64_t)f->start);
  PUT(p, ",\"end\":");
  p = put_int(p, (int64_t)f->end);
  PUT(p, ",\"excerpt\":\"");
  p = put_cstr(p, f->excerpt);
  PUT(p, "\",\"confidence\":");
  p = put_confidence(p, f->confidence);
  PUT(p, ",\"action\":\"");
  p = put_name(p, name_of(levee_action_name(f->action)));
  PUT(p, "\",\"severity\":\"");
  p = put_name(p, name_of(levee_severity_name(f->severity)));
  PUT(p, "\"");
  if (f->registration)
    p = put_match(p, f);
  PUT(p, "}");
  return p;
}

/* The size of the whole line with its '\n': exact, or a bound that is never
 * less. act and sev name the verdict's action and severity. */
static size_t verdict_size(const levee_verdict *v, name act, name sev,
                           int exact) {
  size_t n = LEN("{\"id\":") + LEN(",\"action\":\"") +
             LEN("\",\"severity\":\"") + LEN("\",\"findings\":[") + LEN("]") +
             LEN("}\n");
  if (v->id.ptr)
    add(&n, LEN("\"\"") + str_size(v->id.ptr, v->id.len, exact));
  else
    add(&n, LEN("null"));
  add(&n, act.n);
  add(&n, sev.n);
  for (size_t i = 0; i < v->n_findings; i++)
    add(&n, (i > 0) + finding_size(&v->findings[i], exact));
  if (v->redacted_text)
    add(&n, LEN(",\"redacted_text\":\"") + LEN("\"") +
                cstr_size(v->redacted_text, exact));
  if (v->truncated)
    add(&n, LEN(",\"truncated\":true"));
  return n;
}

static char *put_verdict(char *p, const levee_verdict *v, name act, name sev) {
  PUT(p, "{\"id\":");
  if (v->id.ptr) {
    PUT(p, "\"");
    p = put_str(p, v->id.ptr, v->id.len);
    PUT(p, "\"");
  } else {
    PUT(p, "null");
  }
  PUT(p, ",\"action\":\"");
  p = put_name(p, act);
  PUT(p, "\",\"severity\":\"");
  p = put_name(p, sev);
  PUT(p, "\",\"findings\":[");
  for (size_t i = 0; i < v->n_findings; i++) {
    if (i > 0)
      PUT(p, ",");
    p = put_finding(p, &v->findings[i]);
  }
  PUT(p, "]");
  if (v->redacted_text) {
    PUT(p, ",\"redacted_text\":\"");
    p = put_cstr(p, v->redacted_text);
    PUT(p, "\"");
  }
  if (v->truncated)
    PUT(p, ",\"truncated\":true");
  PUT(p, "}\n");
  return p;
}

/* The usual verdict of a chat stream, 94% of those of the bench corpus:
 * "allow", "info", no findings. Everything after the id is one constant
 * (the names are levee_action_name's and levee_severity_name's, which the
 * assertion and tests/unit/test_verdict.c check). */
static const char allow_tail[] =
    "\",\"action\":\"allow\",\"severity\":\"info\",\"findings\":[]}\n";
/* Ids up to this long take that path: its bound is 6 bytes per id byte. */
#define ALLOW_ID_MAX 4096

static int is_plain_allow(const levee_verdict *v) {
  return v->action == LEVEE_ACTION_ALLOW &&
         v->severity == LEVEE_SEVERITY_INFO && v->n_findings == 0 &&
         !v->redacted_text && !v->truncated && v->id.ptr &&
         v->id.len <= ALLOW_ID_MAX;
}

/* Writes a verdict for which is_plain_allow() holds; 0 when the room could
 * not be reserved, for the general path to try. Skipping the sizes, the
 * name lookups (strlen) and the findings loop took bench_verdict from 23.4
 * to 13.3 ns per verdict of this kind (-p 0), 36 to 22.6 on its default
 * mix. */
static int put_plain_allow(lv_buf *b, const levee_verdict *v) {
  assert(!strcmp(levee_action_name(v->action), "allow") &&
         !strcmp(levee_severity_name(v->severity), "info"));
  if (lv_buf_reserve(b, LEN("{\"id\":\"") + LV_JSON_ESCAPE_MAX(v->id.len) +
                            LEN(allow_tail)) != LEVEE_OK)
    return 0;
  char *p = b->data + b->len;
  PUT(p, "{\"id\":\"");
  p = put_str(p, v->id.ptr, v->id.len);
  PUT(p, allow_tail);
  b->len = (size_t)(p - b->data);
  b->data[b->len] = '\0';
  return 1;
}

/* On failure nothing is appended (the buffer may have grown). */
int levee_verdict_json(const levee_verdict *v, char **buf, size_t *len,
                       size_t *cap) {
  lv_buf b = {*buf, *len, *cap, VERDICT_BUF_LIMIT};
  if (is_plain_allow(v) && put_plain_allow(&b, v)) {
    *buf = b.data;
    *len = b.len;
    *cap = b.cap;
    return LEVEE_OK;
  }
  name act = name_of(levee_action_name(v->action));
  name sev = name_of(levee_severity_name(v->severity));
  int exact = 0;
  size_t need = verdict_size(v, act, sev, 0);
  int rc = need <= VERDICT_BOUND_MAX ? lv_buf_reserve(&b, need) : LEVEE_ETOOBIG;
  if (rc == LEVEE_ETOOBIG) {
    /* Too big a bound, or one that does not fit where the line itself
     * might: measure the line and ask for exactly that. */
    exact = 1;
    need = verdict_size(v, act, sev, 1);
    rc = lv_buf_reserve(&b, need);
  }
  if (rc == LEVEE_OK) {
    char *start = b.data + b.len, *end = put_verdict(start, v, act, sev);
    assert(exact ? (size_t)(end - start) == need
                 : (size_t)(end - start) <= need);
    (void)exact;
    b.len += (size_t)(end - start);
    b.data[b.len] = '\0';
  }
  *buf = b.data;
  *len = b.len;
  *cap = b.cap;
  return rc;
}
