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

#include <stdint.h>

#include "levee/levee.h"

struct Pix;

/* OUT: *out, the image's 64-bit hash. Returns LEVEE_OK, LEVEE_EINVAL for
 * an image under 8x8 pixels, or LEVEE_ENOMEM. */
int lv_phash(struct Pix *pix, uint64_t *out, levee_error *err);

#endif
