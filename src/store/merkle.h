/* SPDX-License-Identifier: Apache-2.0 */
/*
 * merkle.h: the RFC 6962 (Certificate Transparency) Merkle tree hash over
 * the audit log's records.
 *
 * Each stored record becomes a leaf hash, SHA-256(0x00 || record); two
 * subtrees join as SHA-256(0x01 || left || right), the prefixes keeping a
 * leaf from passing for a node. The log keeps an lv_merkle, a compact range
 * of the subtrees to the left of the next leaf, so appending costs one node
 * hash per leaf on average and the root of the whole log, MTH(D[0:size]) of
 * RFC 6962 section 2.1, is ready at any size. Signed checkpoints
 * (checkpoint.h) carry that root; `levee verify` rebuilds it from the
 * records and compares.
 */
#ifndef LV_STORE_MERKLE_H
#define LV_STORE_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "store/sha256.h"

/* The roots of the perfect subtrees covering leaves [0, size), one for each
 * bit set in size, largest (leftmost) first: stack[0 .. depth). 64 entries
 * hold any uint64_t size. Plain data: copying the struct copies the state. */
typedef struct lv_merkle {
  uint64_t size; /* leaves appended */
  int depth;     /* entries in stack, always popcount(size) */
  uint8_t stack[64][LV_SHA256_LEN];
} lv_merkle;

/* The leaf hash of rec[0..n): SHA-256(0x00 || rec). h is a scratch context
 * (borrowed); out may not overlap rec. */
void lv_merkle_leaf(lv_sha256 *h, const void *rec, size_t n,
                    uint8_t out[LV_SHA256_LEN]);

/* The node hash SHA-256(0x01 || l || r). out may be l or r. */
void lv_merkle_node(lv_sha256 *h, const uint8_t l[LV_SHA256_LEN],
                    const uint8_t r[LV_SHA256_LEN], uint8_t out[LV_SHA256_LEN]);

/* An empty tree. */
void lv_merkle_init(lv_merkle *m);

/* Appends a leaf hash (from lv_merkle_leaf). Returns 0, or LEVEE_ETOOBIG
 * (m unchanged) when the tree already holds UINT64_MAX leaves. */
int lv_merkle_append(lv_merkle *m, lv_sha256 *h,
                     const uint8_t leaf[LV_SHA256_LEN])
    __attribute__((warn_unused_result));

/* MTH of the leaves appended so far; SHA-256 of no bytes for the empty
 * tree. Costs depth - 1 node hashes; m is not changed. */
void lv_merkle_root(const lv_merkle *m, lv_sha256 *h,
                    uint8_t out[LV_SHA256_LEN]);

#endif
