/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arena.h: a per-message bump allocator (Rspamd's task_pool).
 *
 * Everything one inspection allocates comes from its scanner's arena and is
 * released at once by lv_arena_reset() before the next message. A hard limit
 * bounds what a single hostile message can make the process allocate.
 */
#ifndef LV_UTIL_ARENA_H
#define LV_UTIL_ARENA_H

#include <stddef.h>

typedef struct lv_arena_chunk lv_arena_chunk;

typedef struct lv_arena {
  lv_arena_chunk *head; /* current chunk; older ones follow */
  size_t used_total;    /* bytes handed out since the last reset */
  size_t limit;
} lv_arena;

void lv_arena_init(lv_arena *a, size_t limit);
void lv_arena_cleanup(lv_arena *a);
/* Frees all but the first chunk and forgets every allocation. */
void lv_arena_reset(lv_arena *a);
/* 16-byte aligned memory, or NULL when out of memory or over the limit. */
void *lv_arena_alloc(lv_arena *a, size_t n);
/* Copies n bytes and appends a NUL. */
char *lv_arena_strndup(lv_arena *a, const char *s, size_t n);

#endif
