/* SPDX-License-Identifier: Apache-2.0 */
/*
 * trace.c: following the copies of a stored event's content through the
 * trace index (trace.h), then the graph over them (trace_graph.c).
 *
 * Breadth first from the traced event: each copy found is looked up in
 * turn by what it holds (the id it was forwarded from and its own id, its
 * attachments' digests, its images' hash blocks, its fingerprints), every
 * event found that way is read (once) and kept as a copy when
 * lv_trace_link_of says it is one. So a photo re-encoded at every hop is
 * followed hop by hop even when the last is far from the first. What one
 * copy's lookup already asked is not asked again for the next (a digest,
 * an image hash, a fingerprint's events are kept), which makes a chain of
 * identical forwards cost one lookup.
 */
#include "store/trace.h"

#include <stdlib.h>
#include <string.h>

#include "core/image_index.h"
#include "store/store_backend.h"
#include "store/trace_graph.h"
#include "util/error.h"
#include "util/limits.h"

/* Events' fields, fingerprints and the copies found live in one arena:
 * bounded, since at most LV_MAX_TRACE_CANDIDATES events are read. */
#define TRACE_ARENA_BYTES ((size_t)1 << 30)

/* --- a map of 64-bit keys to 64-bit values ------------------------------ */

typedef struct u64slot {
  uint64_t key, val; /* key 0: empty */
} u64slot;

typedef struct u64map {
  u64slot *slots;
  size_t n, cap; /* cap: a power of two */
  int has_zero;  /* key 0, kept apart */
  uint64_t zero;
} u64map;

static uint64_t mix64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  return h ^ (h >> 33);
}

static void map_free(u64map *m) {
  free(m->slots);
  memset(m, 0, sizeof *m);
}

static u64slot *map_slot(const u64map *m, uint64_t k) {
  if (!m->cap)
    return NULL;
  for (size_t i = mix64(k) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
    if (m->slots[i].key == k)
      return &m->slots[i];
    if (!m->slots[i].key)
      return NULL;
  }
}

/* The value of k: 1 with *v, or 0. */
static int map_get(const u64map *m, uint64_t k, uint64_t *v) {
  if (!k) {
    *v = m->zero;
    return m->has_zero;
  }
  const u64slot *p = map_slot(m, k);
  if (p)
    *v = p->val;
  return p != NULL;
}

/* Places k (not in m, and m has room) in its slot. */
static void map_place(u64map *m, uint64_t k, uint64_t v) {
  size_t i = mix64(k) & (m->cap - 1);
  while (m->slots[i].key)
    i = (i + 1) & (m->cap - 1);
  m->slots[i] = (u64slot){k, v};
  m->n++;
}

static int map_put(u64map *m, uint64_t k, uint64_t v) {
  if (!k) {
    m->has_zero = 1;
    m->zero = v;
    return LEVEE_OK;
  }
  u64slot *p = map_slot(m, k);
  if (p) {
    p->val = v;
    return LEVEE_OK;
  }
  if ((m->n + 1) * 2 > m->cap) {
    size_t ncap = m->cap ? m->cap * 2 : 1024;
    u64map g = {calloc(ncap, sizeof(u64slot)), 0, ncap, m->has_zero, m->zero};
    if (!g.slots)
      return LEVEE_ENOMEM;
    for (size_t i = 0; i < m->cap; i++)
      if (m->slots[i].key)
        map_place(&g, m->slots[i].key, m->slots[i].val);
    map_free(m);
    *m = g;
  }
  map_place(m, k, v);
  return LEVEE_OK;
}

static void map_clear(u64map *m) {
  if (m->cap)
    memset(m->slots, 0, m->cap * sizeof *m->slots);
  m->n = 0;
  m->has_zero = 0;
}

static uint64_t str_key(int kind, levee_str s) {
  uint64_t h = 1469598103934665603ull ^ (uint64_t)kind;
  for (size_t i = 0; i < s.len; i++)
    h = (h ^ (unsigned char)s.ptr[i]) * 1099511628211ull;
  return mix64(h);
}

/* --- the tracer ----------------------------------------------------------- */

/* A growing list of 64-bit values. */
typedef struct u64list {
  uint64_t *v;
  size_t n, cap;
} u64list;

static int list_add(u64list *l, uint64_t x) {
  if (l->n == l->cap) {
    size_t ncap = l->cap ? l->cap * 2 : 256;
    uint64_t *v = realloc(l->v, ncap * sizeof *v);
    if (!v)
      return LEVEE_ENOMEM;
    l->v = v;
    l->cap = ncap;
  }
  l->v[l->n++] = x;
  return LEVEE_OK;
}

typedef struct tracer {
  const lv_store_backend *be;
  void *db;
  levee_error *err;
  lv_arena arena;
  lv_trace_event **known; /* every event read (NULL: gone) */
  size_t n_known, cap_known;
  u64map seen;            /* seq -> index into known */
  lv_trace_found *copies; /* in the order found */
  size_t n_copies, cap_copies;
  u64map copy_of;     /* seq -> index into copies + 1 */
  u64map asked;       /* digests, ids and image hashes looked up already */
  u64map postings;    /* fingerprint -> offset << 16 | count, into post */
  u64list post;       /* the events of each fingerprint, back to back */
  u64map members;     /* (conversation, person) -> 1 + taking part */
  size_t member_asks; /* of the store */
  u64map texts;       /* the fingerprint sets looked up already */
  int truncated;      /* there may be more copies than found */
  int full;           /* a bound was reached: no more copies are looked for */
  /* One copy's lookups. */
  u64list cand;   /* events to examine */
  u64list pairs;  /* (fingerprint, event) pairs found */
  u64map counts;  /* event -> fingerprints shared */
  uint64_t phash; /* the hash whose blocks are being looked up */
} tracer;

static void tracer_free(tracer *t) {
  lv_arena_cleanup(&t->arena);
  free(t->known);
  free(t->copies);
  map_free(&t->seen);
  map_free(&t->copy_of);
  map_free(&t->asked);
  map_free(&t->postings);
  map_free(&t->members);
  map_free(&t->texts);
  map_free(&t->counts);
  free(t->post.v);
  free(t->cand.v);
  free(t->pairs.v);
}

static int oom(tracer *t) {
  return lv_error_set(t->err, LEVEE_ENOMEM, "the trace: out of memory");
}

/* The event of record seq, read once: *out NULL when it is gone (its
 * evidence expired), or when LV_MAX_TRACE_CANDIDATES were read already
 * (the trace is truncated). */
static int fetch(tracer *t, uint64_t seq, lv_trace_event **out) {
  uint64_t at;
  *out = NULL;
  if (map_get(&t->seen, seq, &at)) {
    *out = t->known[at];
    return LEVEE_OK;
  }
  if (t->n_known >= LV_MAX_TRACE_CANDIDATES) {
    t->truncated = t->full = 1;
    return LEVEE_OK;
  }
  if (t->n_known == t->cap_known) {
    size_t ncap = t->cap_known ? t->cap_known * 2 : 256;
    lv_trace_event **k = realloc(t->known, ncap * sizeof(lv_trace_event *));
    if (!k)
      return oom(t);
    t->known = k;
    t->cap_known = ncap;
  }
  lv_trace_event *e = lv_arena_alloc(&t->arena, sizeof *e);
  if (!e)
    return oom(t);
  int rc = t->be->trace_event(t->db, seq, &t->arena, e, t->err);
  if (rc == LEVEE_ENOTFOUND) { /* expired: not a copy, not an error */
    e = NULL;
    rc = LEVEE_OK;
    if (t->err)
      memset(t->err, 0, sizeof *t->err);
  }
  if (rc)
    return rc;
  if (e)
    lv_trace_event_sort(e);
  if (map_put(&t->seen, seq, t->n_known))
    return oom(t);
  t->known[t->n_known++] = e;
  *out = e;
  return LEVEE_OK;
}

static int add_copy(tracer *t, lv_trace_event *e, size_t from,
                    lv_trace_link link) {
  if (t->n_copies == t->cap_copies) {
    size_t ncap = t->cap_copies ? t->cap_copies * 2 : 64;
    lv_trace_found *c = realloc(t->copies, ncap * sizeof *c);
    if (!c)
      return oom(t);
    t->copies = c;
    t->cap_copies = ncap;
  }
  t->copies[t->n_copies] = (lv_trace_found){e, from, link};
  if (map_put(&t->copy_of, e->seq, ++t->n_copies))
    return oom(t);
  return LEVEE_OK;
}

static int found_cand(void *ud, uint64_t seq, uint64_t value) {
  (void)value;
  return list_add(&((tracer *)ud)->cand, seq);
}

static int found_near(void *ud, uint64_t seq, uint64_t phash) {
  tracer *t = ud;
  if (lv_hamming64(phash, t->phash) > LV_TRACE_IMAGE_DISTANCE)
    return LEVEE_OK;
  return list_add(&t->cand, seq);
}

static int found_pair(void *ud, uint64_t seq, uint64_t fp) {
  tracer *t = ud;
  int rc = list_add(&t->pairs, fp);
  return rc ? rc : list_add(&t->pairs, seq);
}

/* Looks up the strings not asked before (kind tells them apart), each
 * event found into the candidates. */
static int lookup_strs(tracer *t, lv_trace_by by, const levee_str *strs,
                       size_t n) {
  levee_str want[LV_MAX_ATTACHMENTS];
  size_t k = 0;
  for (size_t i = 0; i < n && k < LV_MAX_ATTACHMENTS; i++) {
    uint64_t key = str_key((int)by, strs[i]), v;
    if (!strs[i].ptr || map_get(&t->asked, key, &v))
      continue;
    if (map_put(&t->asked, key, 1))
      return oom(t);
    want[k++] = strs[i];
  }
  if (!k)
    return LEVEE_OK;
  lv_trace_lookup q = {by, want, NULL, k, LV_MAX_TRACE_POSTING};
  size_t before = t->cand.n;
  int rc = t->be->trace_find(t->db, &q, found_cand, t, t->err);
  /* As many as one key may give: that key may have had more. */
  if (!rc && t->cand.n - before >= LV_MAX_TRACE_POSTING)
    t->truncated = 1;
  return rc;
}

static int cmp_pair(const void *a, const void *b) {
  const uint64_t *x = a, *y = b;
  if (x[0] != y[0])
    return x[0] < y[0] ? -1 : 1;
  return (x[1] > y[1]) - (x[1] < y[1]);
}

/* The fingerprints of e not looked up before: looked up now, and their
 * events kept (postings). */
static int lookup_fps(tracer *t, const lv_trace_event *e) {
  u64list want = {0};
  uint64_t v;
  int rc = LEVEE_OK;
  for (size_t i = 0; !rc && i < e->n_fps; i++)
    if (!map_get(&t->postings, e->fps[i], &v))
      rc = list_add(&want, e->fps[i]);
  if (rc || !want.n) {
    free(want.v);
    return rc ? oom(t) : LEVEE_OK;
  }
  t->pairs.n = 0;
  lv_trace_lookup q = {LV_TRACE_BY_FP, NULL, want.v, want.n,
                       LV_MAX_TRACE_POSTING};
  rc = t->be->trace_find(t->db, &q, found_pair, t, t->err);
  if (rc) {
    free(want.v);
    return rc;
  }
  /* By fingerprint, then event: each fingerprint's events back to back. */
  size_t np = t->pairs.n / 2;
  qsort(t->pairs.v, np, 2 * sizeof *t->pairs.v, cmp_pair);
  for (size_t i = 0; !rc && i < want.n; i++)
    rc = map_put(&t->postings, want.v[i], (uint64_t)t->post.n << 16);
  for (size_t i = 0; !rc && i < np;) {
    uint64_t fp = t->pairs.v[2 * i], off = t->post.n, count = 0;
    for (; !rc && i < np && t->pairs.v[2 * i] == fp; i++)
      if (count < LV_MAX_TRACE_POSTING &&
          (count == 0 || t->pairs.v[2 * i + 1] != t->pairs.v[2 * i - 1]) &&
          !(rc = list_add(&t->post, t->pairs.v[2 * i + 1])))
        count++;
    if (count >= LV_MAX_TRACE_POSTING)
      t->truncated = 1; /* more events share it than were read */
    if (!rc)
      rc = map_put(&t->postings, fp, off << 16 | count);
  }
  free(want.v);
  return rc ? oom(t) : LEVEE_OK;
}

/* The events that share at least LV_TRACE_TEXT_MIN_SHARED of e's
 * fingerprints, into the candidates. */
static int text_candidates(tracer *t, const lv_trace_event *e) {
  /* A copy whose fingerprints are those of one looked up before (the same
   * text forwarded) has the same candidates, which were examined: not
   * again, or a text forwarded ten thousand times would cost the square. */
  uint64_t set = 0x74657874ull, v;
  for (size_t i = 0; i < e->n_fps; i++) /* sorted: one order */
    set = mix64(set ^ e->fps[i]);
  if (!e->n_fps || map_get(&t->texts, set, &v))
    return LEVEE_OK;
  if (map_put(&t->texts, set, 1))
    return oom(t);
  int rc = lookup_fps(t, e);
  if (rc)
    return rc;
  map_clear(&t->counts);
  for (size_t i = 0; i < e->n_fps; i++) {
    uint64_t p, c;
    if (!map_get(&t->postings, e->fps[i], &p))
      continue;
    const uint64_t *seqs = t->post.v + (p >> 16);
    for (size_t k = 0; k < (p & 0xffff); k++) {
      if (!map_get(&t->counts, seqs[k], &c))
        c = 0;
      if (map_put(&t->counts, seqs[k], c + 1))
        return oom(t);
      if (c + 1 == LV_TRACE_TEXT_MIN_SHARED && list_add(&t->cand, seqs[k]))
        return oom(t);
    }
  }
  return LEVEE_OK;
}

/* The events whose images' hashes are within LV_TRACE_IMAGE_DISTANCE of
 * e's, into the candidates (by multi-index hashing: trace_index.h). */
static int image_candidates(tracer *t, const lv_trace_event *e) {
  uint64_t keys[LV_TRACE_PROBE_KEYS];
  uint32_t k32[LV_TRACE_PROBE_KEYS];
  for (size_t i = 0; i < e->n_images; i++) {
    uint64_t h = e->images[i].phash, v;
    uint64_t key = mix64(h ^ 0x696d616765ull);
    if (map_get(&t->asked, key, &v))
      continue;
    if (map_put(&t->asked, key, 1))
      return oom(t);
    size_t n;
    lv_trace_probe_keys(h, LV_TRACE_IMAGE_DISTANCE, k32, &n);
    for (size_t j = 0; j < n; j++)
      keys[j] = k32[j];
    t->phash = h;
    lv_trace_lookup q = {LV_TRACE_BY_BLOCK, NULL, keys, n,
                         LV_MAX_TRACE_POSTING};
    size_t before = t->cand.n;
    int rc = t->be->trace_find(t->db, &q, found_near, t, t->err);
    if (rc)
      return rc;
    /* The image's own blocks came whole unless one reached the bound. */
    if (t->cand.n - before >= LV_MAX_TRACE_POSTING)
      t->truncated = 1;
  }
  return LEVEE_OK;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* Copy number i: every event its lookups find, examined in record order. */
static int expand(tracer *t, size_t i) {
  const lv_trace_event *e = t->copies[i].ev;
  int rc;
  t->cand.n = 0;
  if ((e->forwarded_from.ptr &&
       (rc = lookup_strs(t, LV_TRACE_BY_ID, &e->forwarded_from, 1))) ||
      (rc = lookup_strs(t, LV_TRACE_BY_FORWARDED, &e->id, 1)) ||
      (rc = lookup_strs(t, LV_TRACE_BY_SHA256, e->sha256, e->n_sha256)) ||
      (rc = lookup_strs(t, LV_TRACE_BY_MD5, e->md5, e->n_md5)) ||
      (rc = image_candidates(t, e)) || (rc = text_candidates(t, e)))
    return rc;
  qsort(t->cand.v, t->cand.n, sizeof *t->cand.v, cmp_u64);
  for (size_t k = 0; k < t->cand.n; k++) {
    uint64_t seq = t->cand.v[k], v;
    if ((k && seq == t->cand.v[k - 1]) || map_get(&t->copy_of, seq, &v))
      continue;
    if (t->n_copies >= LV_MAX_TRACE_COPIES) {
      t->truncated = t->full = 1;
      break;
    }
    lv_trace_event *c;
    if ((rc = fetch(t, seq, &c)))
      return rc;
    lv_trace_link link;
    if (c && lv_trace_link_of(e, c, &link) && (rc = add_copy(t, c, i, link)))
      return rc;
  }
  return LEVEE_OK;
}

/* Membership, asked of the store once per (conversation, person). */
static int member_of(void *ud, levee_str conversation, levee_str person,
                     int *member) {
  tracer *t = ud;
  uint64_t key = str_key(1, conversation) ^ mix64(str_key(2, person)), v;
  if (map_get(&t->members, key, &v)) {
    *member = v == 2;
    return LEVEE_OK;
  }
  if (t->member_asks >= LV_MAX_TRACE_MEMBER_ASKS) {
    *member = 0; /* not asked: the copies' own senders and recipients */
    return LEVEE_OK;
  }
  t->member_asks++;
  int rc = t->be->trace_member(t->db, conversation, person, member, t->err);
  if (!rc && map_put(&t->members, key, *member ? 2 : 1))
    rc = oom(t);
  return rc;
}

static int first_copy(tracer *t, levee_str id) {
  uint64_t seq = 0;
  lv_trace_lookup q = {LV_TRACE_BY_ID, &id, NULL, 1, 1};
  t->cand.n = 0;
  int rc = t->be->trace_find(t->db, &q, found_cand, t, t->err);
  if (rc)
    return rc;
  if (t->cand.n)
    seq = t->cand.v[0];
  lv_trace_event *e = NULL;
  if (seq && (rc = fetch(t, seq, &e)))
    return rc;
  if (!e)
    return lv_error_set(t->err, LEVEE_ENOTFOUND, "no stored event has the id");
  return add_copy(t, e, 0, (lv_trace_link){LV_TRACE_NONE, 1.0, 0, 0});
}

int lv_store_trace(lv_store *s, levee_str id, lv_trace_graph **out,
                   levee_error *err) {
  tracer t;
  memset(&t, 0, sizeof t);
  t.err = err;
  lv_store_backend_of(s, &t.be, &t.db);
  lv_arena_init(&t.arena, TRACE_ARENA_BYTES);
  lv_trace_graph *g = NULL;
  int rc = first_copy(&t, id);
  for (size_t i = 0; !rc && i < t.n_copies && !t.full; i++)
    rc = expand(&t, i);
  if (!rc && !(g = calloc(1, sizeof *g))) {
    oom(&t);
    rc = LEVEE_ENOMEM;
  }
  if (!rc && g) {
    lv_arena_init(&g->arena, TRACE_ARENA_BYTES);
    g->truncated = t.truncated;
    g->candidates = t.n_known;
    rc = lv_trace_graph_build(g, t.copies, t.n_copies, member_of, &t);
    if (rc == LEVEE_ENOMEM)
      oom(&t);
  }
  tracer_free(&t);
  if (rc) {
    lv_trace_graph_free(g);
    return rc;
  }
  *out = g;
  return LEVEE_OK;
}

void lv_trace_graph_free(lv_trace_graph *g) {
  if (!g)
    return;
  lv_arena_cleanup(&g->arena);
  free(g);
}
