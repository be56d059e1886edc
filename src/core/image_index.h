/* SPDX-License-Identifier: Apache-2.0 */
/*
 * image_index.h: registered images' perceptual hashes (extract/phash.h),
 * and which of them are within a Hamming distance of an image's hash.
 *
 * Multi-index hashing (Norouzi, Punjani and Fleet, CVPR 2012): the 64
 * bits are four 16-bit blocks, each indexed in a table of its own. Two
 * hashes within distance d agree within r = floor(d / 4) bits on at least
 * one block (else they would differ in (r + 1) x 4 > d), so a lookup
 * probes, in each table, the block's value and every value within r bits
 * of it (137 buckets for r = 2, 697 for r = 3), and checks the
 * candidates' full distance: the work grows with the candidates, not with
 * the number of registrations.
 */
#ifndef LV_CORE_IMAGE_INDEX_H
#define LV_CORE_IMAGE_INDEX_H

#include <stddef.h>
#include <stdint.h>

/* The largest distance a lookup can be asked for. */
#define LV_IMAGE_INDEX_MAX_DISTANCE 15

typedef struct lv_image_index lv_image_index;

int lv_image_index_new(lv_image_index **out);
void lv_image_index_free(lv_image_index *x); /* accepts NULL */

/* Adds image id with its hash; lv_image_index_seal after the last add.
 * Returns LEVEE_OK, LEVEE_ENOMEM, or LEVEE_EINVAL after sealing. */
int lv_image_index_add(lv_image_index *x, uint32_t id, uint64_t hash);
int lv_image_index_seal(lv_image_index *x);
size_t lv_image_index_size(const lv_image_index *x);

typedef struct lv_image_match {
  uint32_t id;
  unsigned distance;
} lv_image_match;

/* The registered images within max_distance (at most
 * LV_IMAGE_INDEX_MAX_DISTANCE) of hash, nearest first, at most cap into
 * out; *found how many. Returns LEVEE_OK, LEVEE_EINVAL for a larger
 * distance, or LEVEE_ENOMEM. */
int lv_image_index_match(const lv_image_index *x, uint64_t hash,
                         unsigned max_distance, lv_image_match *out, size_t cap,
                         size_t *found);

/* The Hamming distance of two hashes. */
static inline unsigned lv_hamming64(uint64_t a, uint64_t b) {
  return (unsigned)__builtin_popcountll(a ^ b);
}

#endif
