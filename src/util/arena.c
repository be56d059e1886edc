/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arena.c: per-message bump allocator with chunk chaining.
 */
#include "util/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK_MIN (64u * 1024u)
#define ARENA_ALIGN 16u

struct lv_arena_chunk {
  lv_arena_chunk *next;
  size_t size; /* usable bytes in mem[] */
  size_t used;
  _Alignas(16) unsigned char mem[];
};

void lv_arena_init(lv_arena *a, size_t limit) {
  a->head = NULL;
  a->used_total = 0;
  a->limit = limit;
}

void lv_arena_cleanup(lv_arena *a) {
  lv_arena_chunk *c = a->head;
  while (c) {
    lv_arena_chunk *next = c->next;
    free(c);
    c = next;
  }
  lv_arena_init(a, a->limit);
}

void lv_arena_reset(lv_arena *a) {
  lv_arena_chunk *c = a->head;
  if (!c)
    return;
  /* Keep the oldest chunk (the last in the list): it is the common size. */
  while (c->next) {
    lv_arena_chunk *next = c->next;
    free(c);
    c = next;
  }
  c->used = 0;
  a->head = c;
  a->used_total = 0;
}

void *lv_arena_alloc(lv_arena *a, size_t n) {
  size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
  if (need < n || need > a->limit || a->used_total > a->limit - need)
    return NULL;
  lv_arena_chunk *c = a->head;
  if (!c || c->size - c->used < need) {
    size_t size = need > ARENA_CHUNK_MIN ? need : ARENA_CHUNK_MIN;
    lv_arena_chunk *nc = malloc(sizeof *nc + size);
    if (!nc)
      return NULL;
    nc->size = size;
    nc->used = 0;
    nc->next = c;
    a->head = c = nc;
  }
  void *p = c->mem + c->used;
  c->used += need;
  a->used_total += need;
  return p;
}

char *lv_arena_strndup(lv_arena *a, const char *s, size_t n) {
  char *p = lv_arena_alloc(a, n + 1);
  if (!p)
    return NULL;
  if (n)
    memcpy(p, s, n);
  p[n] = '\0';
  return p;
}
