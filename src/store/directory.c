/* SPDX-License-Identifier: Apache-2.0 */
/*
 * directory.c: people and conversations gathered per transaction
 * (directory.h).
 */
#include "store/directory.h"

#include <stdlib.h>
#include <string.h>

void lv_directory_init(lv_directory *d) {
  memset(d, 0, sizeof *d);
}

void lv_directory_reset(lv_directory *d) {
  for (size_t i = 0; i < d->n_strings; i++)
    free(d->strings[i]);
  d->n_strings = 0;
  d->n = 0;
  if (d->slots)
    memset(d->slots, 0, d->n_slots * sizeof *d->slots);
}

void lv_directory_cleanup(lv_directory *d) {
  lv_directory_reset(d);
  free(d->v);
  free(d->slots);
  free(d->strings);
  memset(d, 0, sizeof *d);
}

static uint64_t hash(levee_str s) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (size_t i = 0; i < s.len; i++)
    h = (h ^ (unsigned char)s.ptr[i]) * 1099511628211ull;
  return h;
}

/* A copy of s that lives until the next reset. */
static int keep(lv_directory *d, levee_str s, levee_str *out) {
  if (!s.ptr) {
    *out = s;
    return LEVEE_OK;
  }
  if (d->n_strings == d->cap_strings) {
    size_t ncap = d->cap_strings ? d->cap_strings * 2 : 64;
    char **n = realloc(d->strings, ncap * sizeof *n);
    if (!n)
      return LEVEE_ENOMEM;
    d->strings = n;
    d->cap_strings = ncap;
  }
  char *c = malloc(s.len + 1);
  if (!c)
    return LEVEE_ENOMEM;
  memcpy(c, s.ptr, s.len);
  c[s.len] = '\0';
  d->strings[d->n_strings++] = c;
  *out = (levee_str){c, s.len};
  return LEVEE_OK;
}

static int grow(lv_directory *d) {
  size_t nslots = d->n_slots ? d->n_slots * 2 : 256;
  uint32_t *slots = calloc(nslots, sizeof *slots);
  if (!slots)
    return LEVEE_ENOMEM;
  for (size_t i = 0; i < d->n; i++) {
    size_t k = hash(d->v[i].id) & (nslots - 1);
    while (slots[k])
      k = (k + 1) & (nslots - 1);
    slots[k] = (uint32_t)i + 1;
  }
  free(d->slots);
  d->slots = slots;
  d->n_slots = nslots;
  return LEVEE_OK;
}

int lv_directory_add(lv_directory *d, levee_str id, const levee_str attr[3],
                     int64_t external, uint64_t seq) {
  if (!id.ptr)
    return LEVEE_OK;
  if ((d->n + 1) * 2 > d->n_slots && grow(d))
    return LEVEE_ENOMEM;
  size_t k = hash(id) & (d->n_slots - 1);
  lv_dir_entry *e = NULL;
  while (d->slots[k]) {
    lv_dir_entry *x = &d->v[d->slots[k] - 1];
    if (x->id.len == id.len && !memcmp(x->id.ptr, id.ptr, id.len)) {
      e = x;
      break;
    }
    k = (k + 1) & (d->n_slots - 1);
  }
  if (!e) {
    if (d->n == d->cap) {
      size_t ncap = d->cap ? d->cap * 2 : 128;
      lv_dir_entry *n = realloc(d->v, ncap * sizeof *n);
      if (!n)
        return LEVEE_ENOMEM;
      d->v = n;
      d->cap = ncap;
    }
    e = &d->v[d->n];
    memset(e, 0, sizeof *e);
    if (keep(d, id, &e->id))
      return LEVEE_ENOMEM;
    e->external = -1;
    e->first_seq = seq;
    d->slots[k] = (uint32_t)++d->n;
  }
  for (int i = 0; i < 3; i++)
    if (attr[i].ptr && keep(d, attr[i], &e->attr[i]))
      return LEVEE_ENOMEM;
  if (external >= 0)
    e->external = external;
  e->last_seq = seq;
  e->count++;
  return LEVEE_OK;
}
