/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fold_table.h: layout of the normalization fold table.
 *
 * The tables themselves are generated at build time by tools/gen_fold.c
 * (into <build>/gen/fold_table.c) from utf8proc and OpenCC; this header is
 * the contract between that generator and the run-time normalizer
 * (normalize.c), and the generator includes it too, so both agree on every
 * bit.
 *
 * For every code point cp, fold(cp) = TSCharacters(NFKC_Casefold(cp)): the
 * UTF-8 that replaces cp in normalized text (possibly empty, possibly several
 * code points). Lookup is two-stage:
 *
 *   block = lv_fold_stage1[cp >> LV_FOLD_SHIFT];
 *   e     = lv_fold_stage2[block * LV_FOLD_BLOCK + (cp & LV_FOLD_MASK)];
 *
 * An entry e is a uint32:
 *
 *   bits 0-1   class of the first code point of fold(cp) (lv_char_class)
 *   bits 2-3   class of the last code point of fold(cp)
 *   bits 4-5   kind: how the separator rule sees the fold (LV_FOLD_KIND_*)
 *   bit  6     LV_FOLD_IDENTITY: fold(cp) is cp itself; copy the input bytes
 *   bit  7     LV_FOLD_POOL: the bytes live in lv_fold_pool
 *   bits 8-31  payload: without LV_FOLD_POOL, up to three output bytes
 *              inline, first byte lowest, unused bytes zero (no fold but
 *              U+0000's contains a NUL byte, and U+0000 is an identity);
 *              with LV_FOLD_POOL, an offset into lv_fold_pool where one
 *              length byte is followed by that many output bytes.
 *
 * The classes of an empty fold are LV_CC_OTHER. Surrogates (never produced
 * by the decoder) fold to U+FFFD.
 */
#ifndef LV_CORE_FOLD_TABLE_H
#define LV_CORE_FOLD_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "core/normalize.h"

#define LV_FOLD_SHIFT 7
#define LV_FOLD_BLOCK (1u << LV_FOLD_SHIFT)
#define LV_FOLD_MASK (LV_FOLD_BLOCK - 1u)
#define LV_FOLD_STAGE1_LEN (0x110000u >> LV_FOLD_SHIFT)

/* The longest fold of one code point, in bytes (U+FDFA folds to 33). The
 * generator fails if any fold is longer. */
#define LV_FOLD_MAX_BYTES LV_NORM_FOLD_MAX

#define LV_FOLD_CLS_FIRST(e) ((e)&3u)
#define LV_FOLD_CLS_LAST(e) (((e) >> 2) & 3u)
#define LV_FOLD_KIND(e) (((e) >> 4) & 3u)
#define LV_FOLD_KIND_TEXT 0u  /* no separator in the fold */
#define LV_FOLD_KIND_SEP 1u   /* the fold is all separators */
#define LV_FOLD_KIND_MIXED 2u /* separators and other code points */
#define LV_FOLD_KIND_EMPTY 3u /* the code point vanishes */
#define LV_FOLD_IDENTITY 0x40u
#define LV_FOLD_POOL 0x80u
#define LV_FOLD_PAYLOAD(e) ((e) >> 8)

extern const uint16_t lv_fold_stage1[LV_FOLD_STAGE1_LEN];
extern const uint32_t lv_fold_stage2[];
extern const unsigned char lv_fold_pool[];
/* ASCII fast path: low byte = folded byte (ASCII folds to one ASCII byte),
 * high byte = lv_char_class. */
extern const uint16_t lv_fold_ascii[128];

/* A bitmap over U+3000..U+9FFF (the Chinese text blocks): bit set when the
 * code point is a CJK character the fold leaves alone (identity, class
 * LV_CC_CJK), so the normalizer copies it without the two-stage lookup,
 * from a table small enough to stay in the L1 cache. */
#define LV_FOLD_PLAIN_LO 0x3000u
#define LV_FOLD_PLAIN_HI 0xA000u
extern const uint8_t
    lv_fold_cjk_plain[(LV_FOLD_PLAIN_HI - LV_FOLD_PLAIN_LO) / 8];

static inline int lv_fold_is_plain_cjk(uint32_t cp) {
  uint32_t d = cp - LV_FOLD_PLAIN_LO;
  return d < LV_FOLD_PLAIN_HI - LV_FOLD_PLAIN_LO &&
         (lv_fold_cjk_plain[d >> 3] >> (d & 7) & 1);
}

static inline uint32_t lv_fold_entry(uint32_t cp) {
  return lv_fold_stage2[(size_t)lv_fold_stage1[cp >> LV_FOLD_SHIFT] *
                            LV_FOLD_BLOCK +
                        (cp & LV_FOLD_MASK)];
}

#endif
