/* SPDX-License-Identifier: Apache-2.0 */
/*
 * winnow.h: fingerprints of a text by winnowing (Schleimer, Wilkerson and
 * Aiken, SIGMOD 2003), to recognise a registered confidential document
 * when part of it turns up again: copied, retyped, or read back by OCR
 * from a photograph.
 *
 * The text is first normalized as levee normalizes for detection (NFKC,
 * case, Traditional to Simplified), then reduced to its letters, digits
 * and CJK characters: punctuation, spacing and line breaks are what OCR
 * and retyping change most, and carry least. Every run of
 * LV_WINNOW_K such characters is hashed; of every LV_WINNOW_W consecutive
 * hashes the smallest is kept (the rightmost of equals), once.
 *
 * k = 8 characters. Chinese packs a word into two or three characters, so
 * eight are a short phrase: long enough that set phrases shared by
 * unrelated official documents (有关事项, 认真贯彻落实) rarely make a whole
 * k-gram, short enough that OCR errors leave most k-grams of a page
 * intact (at 5% of characters misread, 0.95^8 = 66% of 8-grams survive,
 * 54% of 12-grams). w = 8: any shared run of w + k - 1 = 15 characters or
 * more (half a line of a notice) yields at least one common fingerprint,
 * and a text of n characters keeps about 2n / (w + 1) of them.
 */
#ifndef LV_CORE_WINNOW_H
#define LV_CORE_WINNOW_H

#include <stddef.h>
#include <stdint.h>

#include "core/normalize.h"
#include "util/buf.h"

#define LV_WINNOW_K 8
#define LV_WINNOW_W 8

/* One fingerprint: the hash of a k-gram and where the k-gram starts and
 * ends in the normalized text (byte offsets). */
typedef struct lv_fingerprint {
  uint64_t hash;
  uint32_t start, end;
} lv_fingerprint;

/* The fingerprints of a normalized text, appended to out (an lv_buf of
 * lv_fingerprint), in text order. A text of fewer than k characters has
 * none. Returns LEVEE_OK, or LEVEE_ETOOBIG / LEVEE_ENOMEM from out. */
int lv_winnow(const lv_norm *text, lv_buf *out);

#endif
