/* SPDX-License-Identifier: Apache-2.0 */
/*
 * doc_index.c: registered documents' fingerprints, sorted by hash
 * (doc_index.h).
 */
#include "core/doc_index.h"

#include <stdlib.h>
#include <string.h>

#include "levee/levee.h"

typedef struct entry {
  uint64_t hash;
  uint32_t id;
} entry;

struct lv_doc_index {
  entry *v;
  size_t n, cap;
  uint32_t *total; /* fingerprints per document, by id */
  size_t n_total;
  size_t documents;
  int sealed;
  int scattered; /* lv_doc_index_accept_scattered */
};

int lv_doc_index_new(lv_doc_index **out) {
  lv_doc_index *x = calloc(1, sizeof *x);
  if (!x)
    return LEVEE_ENOMEM;
  *out = x;
  return LEVEE_OK;
}

void lv_doc_index_free(lv_doc_index *x) {
  if (!x)
    return;
  free(x->v);
  free(x->total);
  free(x);
}

static int by_hash_then_id(const void *a, const void *b) {
  const entry *x = a, *y = b;
  if (x->hash != y->hash)
    return x->hash < y->hash ? -1 : 1;
  return (x->id > y->id) - (x->id < y->id);
}

int lv_doc_index_add(lv_doc_index *x, uint32_t id, const lv_fingerprint *fp,
                     size_t n) {
  if (x->sealed)
    return LEVEE_EINVAL;
  if (id >= x->n_total) {
    size_t cap =
        (size_t)id + 1 > x->n_total * 2 ? (size_t)id + 1 : x->n_total * 2;
    uint32_t *t = realloc(x->total, cap * sizeof *t);
    if (!t)
      return LEVEE_ENOMEM;
    memset(t + x->n_total, 0, (cap - x->n_total) * sizeof *t);
    x->total = t;
    x->n_total = cap;
  }
  if (x->n + n > x->cap) {
    size_t cap = x->cap ? x->cap : 1024;
    while (cap < x->n + n)
      cap *= 2;
    entry *v = realloc(x->v, cap * sizeof *v);
    if (!v)
      return LEVEE_ENOMEM;
    x->v = v;
    x->cap = cap;
  }
  size_t first = x->n;
  for (size_t i = 0; i < n; i++)
    x->v[x->n++] = (entry){fp[i].hash, id};
  /* Duplicates within the document count once. */
  qsort(x->v + first, x->n - first, sizeof *x->v, by_hash_then_id);
  size_t o = first;
  for (size_t i = first; i < x->n; i++)
    if (o == first || x->v[i].hash != x->v[o - 1].hash)
      x->v[o++] = x->v[i];
  x->total[id] += (uint32_t)(o - first);
  x->n = o;
  x->documents++;
  return LEVEE_OK;
}

int lv_doc_index_seal(lv_doc_index *x) {
  if (x->n > 1)
    qsort(x->v, x->n, sizeof *x->v, by_hash_then_id);
  x->sealed = 1;
  return LEVEE_OK;
}

size_t lv_doc_index_documents(const lv_doc_index *x) {
  return x->documents;
}

size_t lv_doc_index_size(const lv_doc_index *x) {
  return x->n;
}

typedef struct hit {
  uint32_t id;
  uint64_t hash;
  uint32_t start, end;
  uint32_t at; /* the text's fingerprint it is, by number */
} hit;

static int hit_order(const void *a, const void *b) {
  const hit *x = a, *y = b;
  if (x->id != y->id)
    return (x->id > y->id) - (x->id < y->id);
  if (x->hash != y->hash)
    return x->hash < y->hash ? -1 : 1;
  return (x->start > y->start) - (x->start < y->start);
}

static int match_order(const void *a, const void *b) {
  const lv_doc_match *x = a, *y = b;
  if (x->matched != y->matched)
    return x->matched > y->matched ? -1 : 1;
  return (x->id > y->id) - (x->id < y->id);
}

static int by_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

/* The most of h[0..n) (one document's hits) among any LV_DOC_WINDOW
 * consecutive fingerprints of the text. at is scratch for n numbers. */
static uint32_t densest(const hit *h, size_t n, uint32_t *at) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    at[k++] = h[i].at;
  qsort(at, k, sizeof *at, by_u32);
  size_t m = 0; /* distinct */
  for (size_t i = 0; i < k; i++)
    if (m == 0 || at[m - 1] != at[i])
      at[m++] = at[i];
  uint32_t best = 0;
  for (size_t a = 0, b = 0; b < m; b++) {
    while (at[b] - at[a] >= LV_DOC_WINDOW)
      a++;
    if (b - a + 1 > best)
      best = (uint32_t)(b - a + 1);
  }
  return best;
}

void lv_doc_index_accept_scattered(lv_doc_index *x) {
  x->scattered = 1;
}

static int matches(const lv_doc_index *x, uint32_t matched, uint32_t dense,
                   uint32_t total) {
  if (matched >= LV_DOC_MIN_MATCHES &&
      (x->scattered || dense >= LV_DOC_MIN_MATCHES ||
       5 * (uint64_t)matched >= total))
    return 1;
  return matched >= 3 && 2 * matched >= total;
}

int lv_doc_index_match(const lv_doc_index *x, const lv_fingerprint *fp,
                       size_t n, lv_doc_match *out, size_t cap, size_t *found) {
  *found = 0;
  if (!x->sealed || !x->n || !n)
    return LEVEE_OK;
  hit *hits = NULL;
  size_t nh = 0, ch = 0;
  for (size_t i = 0; i < n; i++) {
    /* The first entry with this hash. */
    size_t lo = 0, hi = x->n;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (x->v[mid].hash < fp[i].hash)
        lo = mid + 1;
      else
        hi = mid;
    }
    for (size_t j = lo; j < x->n && x->v[j].hash == fp[i].hash; j++) {
      if (nh == ch) {
        size_t nc = ch ? ch * 2 : 64;
        hit *h = realloc(hits, nc * sizeof *h);
        if (!h) {
          free(hits);
          return LEVEE_ENOMEM;
        }
        hits = h;
        ch = nc;
      }
      hits[nh++] =
          (hit){x->v[j].id, fp[i].hash, fp[i].start, fp[i].end, (uint32_t)i};
    }
  }
  if (nh > 1)
    qsort(hits, nh, sizeof *hits, hit_order);
  uint32_t *at = malloc((nh ? nh : 1) * sizeof *at);
  if (!at) {
    free(hits);
    return LEVEE_ENOMEM;
  }
  size_t nm = 0;
  for (size_t i = 0; i < nh;) {
    size_t j = i;
    uint32_t distinct = 0, start = UINT32_MAX, end = 0;
    for (; j < nh && hits[j].id == hits[i].id; j++) {
      if (j == i || hits[j].hash != hits[j - 1].hash)
        distinct++;
      if (hits[j].start < start)
        start = hits[j].start;
      if (hits[j].end > end)
        end = hits[j].end;
    }
    uint32_t total = hits[i].id < x->n_total ? x->total[hits[i].id] : 0;
    if (distinct >= 3 &&
        matches(x, distinct, densest(hits + i, j - i, at), total)) {
      if (nm < cap)
        out[nm++] = (lv_doc_match){hits[i].id, distinct, total, start, end};
      else {
        /* Full: replace the weakest kept, if weaker. */
        size_t weakest = 0;
        for (size_t k = 1; k < nm; k++)
          if (out[k].matched < out[weakest].matched)
            weakest = k;
        if (nm && out[weakest].matched < distinct)
          out[weakest] =
              (lv_doc_match){hits[i].id, distinct, total, start, end};
      }
    }
    i = j;
  }
  free(hits);
  free(at);
  if (nm > 1)
    qsort(out, nm, sizeof *out, match_order);
  *found = nm;
  return LEVEE_OK;
}
