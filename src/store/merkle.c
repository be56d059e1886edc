/* SPDX-License-Identifier: Apache-2.0 */
/*
 * merkle.c: RFC 6962 leaf and node hashes and the append-only compact range
 * (merkle.h).
 *
 * The compact range works like a binary counter: bit k of size set means a
 * perfect subtree of 2^k leaves sits on the stack. Appending a leaf adds
 * one; every carry joins the two topmost subtrees, which have equal height,
 * into one. Over n appends that is fewer than n joins. The root folds the
 * stack from the right, which is exactly RFC 6962's split of a tree of n
 * leaves at the largest power of two below n.
 */
#include "store/merkle.h"

#include <string.h>

#include "levee/levee.h"

static const uint8_t leaf_prefix = 0x00;
static const uint8_t node_prefix = 0x01;

void lv_merkle_leaf(lv_sha256 *h, const void *rec, size_t n,
                    uint8_t out[LV_SHA256_LEN]) {
  lv_sha256_begin(h);
  lv_sha256_add(h, &leaf_prefix, 1);
  lv_sha256_add(h, rec, n);
  lv_sha256_end(h, out);
}

void lv_merkle_node(lv_sha256 *h, const uint8_t l[LV_SHA256_LEN],
                    const uint8_t r[LV_SHA256_LEN],
                    uint8_t out[LV_SHA256_LEN]) {
  /* One buffer, one update: cheaper than three adds for a 65-byte input,
   * and l and r are read before out is written, so they may alias it. */
  uint8_t in[1 + 2 * LV_SHA256_LEN];
  in[0] = node_prefix;
  memcpy(in + 1, l, LV_SHA256_LEN);
  memcpy(in + 1 + LV_SHA256_LEN, r, LV_SHA256_LEN);
  lv_sha256_begin(h);
  lv_sha256_add(h, in, sizeof in);
  lv_sha256_end(h, out);
}

void lv_merkle_init(lv_merkle *m) {
  memset(m, 0, sizeof *m);
}

int lv_merkle_append(lv_merkle *m, lv_sha256 *h,
                     const uint8_t leaf[LV_SHA256_LEN]) {
  if (m->size == UINT64_MAX)
    return LEVEE_ETOOBIG;
  /* Each trailing one bit of size is a subtree as tall as the one being
   * carried: join them. The stack shrinks by one per join, so the final
   * push stays within popcount(size + 1) <= 64 entries. */
  int d = m->depth;
  memcpy(m->stack[d], leaf, LV_SHA256_LEN);
  for (uint64_t s = m->size; s & 1; s >>= 1) {
    d--;
    lv_merkle_node(h, m->stack[d], m->stack[d + 1], m->stack[d]);
  }
  m->depth = d + 1;
  m->size++;
  return LEVEE_OK;
}

void lv_merkle_root(const lv_merkle *m, lv_sha256 *h,
                    uint8_t out[LV_SHA256_LEN]) {
  if (m->depth == 0) {
    lv_sha256_begin(h);
    lv_sha256_end(h, out);
    return;
  }
  uint8_t acc[LV_SHA256_LEN];
  memcpy(acc, m->stack[m->depth - 1], LV_SHA256_LEN);
  for (int i = m->depth - 2; i >= 0; i--)
    lv_merkle_node(h, m->stack[i], acc, acc);
  memcpy(out, acc, LV_SHA256_LEN);
}
