/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hash.h: FNV-1a over bytes, for in-memory hash tables (alert windows, rate
 * limits, trace graphs, the PostgreSQL store's copy sets, the SQL shape
 * cache). Not for anything an attacker must not be able to collide: tables
 * keyed by outside bytes bound their chains or replace on collision.
 */
#ifndef LV_UTIL_HASH_H
#define LV_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

static inline uint64_t lv_fnv1a(const void *p, size_t n) {
  const unsigned char *b = (const unsigned char *)p;
  uint64_t h = 0xcbf29ce484222325u;
  for (size_t i = 0; i < n; i++)
    h = (h ^ b[i]) * 0x100000001b3u;
  return h;
}

#endif
