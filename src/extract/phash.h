/* SPDX-License-Identifier: Apache-2.0 */
/*
 * phash.h: a perceptual hash of an image, to recognise a registered
 * confidential image in a resized, re-compressed, slightly cropped or
 * re-photographed copy (classified.image).
 *
 * DCT-based, in the spirit of pHash: the image in gray, averaged down to
 * 32x32, its 2-D DCT-II, and of the 8x8 lowest frequencies each bit says
 * whether that coefficient is above their median (the DC term left out of
 * the median). Fine detail, compression noise and small shifts live in the
 * high frequencies, which the hash ignores; two images' hashes are compared
 * by Hamming distance (core/image_index.h).
 */
#ifndef LV_EXTRACT_PHASH_H
#define LV_EXTRACT_PHASH_H

#include <stddef.h>
#include <stdint.h>

#include "levee/levee.h"

struct Pix;

/* OUT: *out, the image's 64-bit hash. Returns LEVEE_OK, LEVEE_EINVAL for
 * an image under 8x8 pixels, or LEVEE_ENOMEM. */
int lv_phash(struct Pix *pix, uint64_t *out, levee_error *err);

/* The hashes a registered image is kept as: its own (out[0]), then those
 * of crops of it: the middle 94% and 88%, and 94% kept from each corner.
 * The low frequencies move when a copy loses a strip at its edges: a page
 * photographed and cropped 2% a side came 14 bits from its original,
 * past any safe threshold, and 4 bits from its 94% crop. A copy is matched
 * against all of them (image_index.h), so cropped copies are found while
 * an uncropped query is hashed once. OUT: out[0..*n). Errors as
 * lv_phash; *n is at least 1 on success (a small image has no crops). */
#define LV_PHASH_VARIANTS 7
int lv_phash_variants(struct Pix *pix, uint64_t out[LV_PHASH_VARIANTS],
                      size_t *n, levee_error *err);

#endif
