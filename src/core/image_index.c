/* SPDX-License-Identifier: Apache-2.0 */
/*
 * image_index.c: multi-index hashing of 64-bit perceptual hashes
 * (image_index.h).
 */
#include "core/image_index.h"

#include <stdlib.h>
#include <string.h>

#include "levee/levee.h"

#define BLOCKS 4
#define BUCKETS 65536

typedef struct item {
  uint64_t hash;
  uint32_t id;
} item;

struct lv_image_index {
  item *v;
  size_t n, cap;
  /* Per block: the items themselves, grouped by that block's value
   * (compressed rows: first[b][value] .. first[b][value + 1]), so that a
   * probe reads one short run of memory. */
  uint32_t *first[BLOCKS];
  item *by_block[BLOCKS];
  int sealed;
};

int lv_image_index_new(lv_image_index **out) {
  lv_image_index *x = calloc(1, sizeof *x);
  if (!x)
    return LEVEE_ENOMEM;
  *out = x;
  return LEVEE_OK;
}

void lv_image_index_free(lv_image_index *x) {
  if (!x)
    return;
  for (int b = 0; b < BLOCKS; b++) {
    free(x->first[b]);
    free(x->by_block[b]);
  }
  free(x->v);
  free(x);
}

int lv_image_index_add(lv_image_index *x, uint32_t id, uint64_t hash) {
  if (x->sealed)
    return LEVEE_EINVAL;
  if (x->n == UINT32_MAX)
    return LEVEE_ETOOBIG;
  if (x->n == x->cap) {
    size_t cap = x->cap ? x->cap * 2 : 256;
    item *v = realloc(x->v, cap * sizeof *v);
    if (!v)
      return LEVEE_ENOMEM;
    x->v = v;
    x->cap = cap;
  }
  x->v[x->n++] = (item){hash, id};
  return LEVEE_OK;
}

static unsigned block(uint64_t h, int b) {
  return (unsigned)(h >> (16 * b)) & 0xffff;
}

int lv_image_index_seal(lv_image_index *x) {
  for (int b = 0; b < BLOCKS; b++) {
    uint32_t *first = calloc(BUCKETS + 1, sizeof *first);
    item *items = malloc((x->n ? x->n : 1) * sizeof *items);
    uint32_t *fill = malloc(BUCKETS * sizeof *fill);
    if (!first || !items || !fill) {
      free(first);
      free(items);
      free(fill);
      return LEVEE_ENOMEM;
    }
    for (size_t i = 0; i < x->n; i++)
      first[block(x->v[i].hash, b) + 1]++;
    for (size_t k = 0; k < BUCKETS; k++)
      first[k + 1] += first[k];
    memcpy(fill, first, BUCKETS * sizeof *fill);
    for (size_t i = 0; i < x->n; i++)
      items[fill[block(x->v[i].hash, b)]++] = x->v[i];
    free(fill);
    x->first[b] = first;
    x->by_block[b] = items;
  }
  x->sealed = 1;
  return LEVEE_OK;
}

size_t lv_image_index_size(const lv_image_index *x) {
  return x->n;
}

typedef struct search {
  const lv_image_index *x;
  uint64_t hash;
  unsigned max;
  lv_image_match *out;
  size_t cap, found;
} search;

/* A match found through more than one block is kept once. */
static void keep(search *s, uint32_t id, unsigned d) {
  for (size_t j = 0; j < s->found; j++)
    if (s->out[j].id == id)
      return;
  lv_image_match m = {id, d};
  if (s->found < s->cap) {
    s->out[s->found++] = m;
  } else if (s->cap) {
    size_t worst = 0;
    for (size_t j = 1; j < s->found; j++)
      if (s->out[j].distance > s->out[worst].distance)
        worst = j;
    if (s->out[worst].distance > d)
      s->out[worst] = m;
  }
}

static void check_bucket(search *s, int b, unsigned value) {
  const lv_image_index *x = s->x;
  const item *it = x->by_block[b];
  for (uint32_t k = x->first[b][value]; k < x->first[b][value + 1]; k++) {
    unsigned d = lv_hamming64(s->hash, it[k].hash);
    if (d <= s->max)
      keep(s, it[k].id, d);
  }
}

static int nearest_first(const void *a, const void *b) {
  const lv_image_match *x = a, *y = b;
  if (x->distance != y->distance)
    return x->distance < y->distance ? -1 : 1;
  return (x->id > y->id) - (x->id < y->id);
}

int lv_image_index_match(const lv_image_index *x, uint64_t hash,
                         unsigned max_distance, lv_image_match *out, size_t cap,
                         size_t *found) {
  *found = 0;
  if (max_distance > LV_IMAGE_INDEX_MAX_DISTANCE)
    return LEVEE_EINVAL;
  if (!x->sealed || !x->n)
    return LEVEE_OK;
  search s = {x, hash, max_distance, out, cap, 0};
  unsigned r = max_distance / BLOCKS; /* radius per block: 0 to 3 */
  for (int b = 0; b < BLOCKS; b++) {
    unsigned q = block(hash, b);
    check_bucket(&s, b, q);
    for (unsigned i = 0; r >= 1 && i < 16; i++) {
      check_bucket(&s, b, q ^ (1u << i));
      for (unsigned j = i + 1; r >= 2 && j < 16; j++) {
        check_bucket(&s, b, q ^ (1u << i) ^ (1u << j));
        for (unsigned k = j + 1; r >= 3 && k < 16; k++)
          check_bucket(&s, b, q ^ (1u << i) ^ (1u << j) ^ (1u << k));
      }
    }
  }
  if (s.found > 1)
    qsort(out, s.found, sizeof *out, nearest_first);
  *found = s.found;
  return LEVEE_OK;
}
