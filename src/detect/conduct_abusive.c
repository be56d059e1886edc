/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conduct_abusive.c: the conduct.abusive detector: rude or abusive language,
 * above all by staff toward customers.
 *
 * The lexicon (data/lexicon/abusive_zh.txt, curated from the zh list of the
 * List of Dirty, Naughty, Obscene and Otherwise Bad Words, CC-BY-4.0, with
 * additions) is compiled as literals over normalized text, so inserted
 * spaces and symbols (傻 逼, 傻*逼), Traditional and full-width forms are
 * caught. Latin-letter evasions (sb, nmsl) become regexes that allow
 * separators between the letters and must stand as a word. Ordinary talk
 * that contains a lexicon term (他妈妈, 乳液, 身体乳, 丰胸项目, 鸡胸肉,
 * 傻瓜式操作) is in data/lexicon/abusive_exclude.txt; an excluded phrase that
 * overlaps a term suppresses it. Weak terms need a second-person pronoun
 * nearby.
 */
#include <stdio.h>
#include <string.h>

#include "detect/phrases.h"

extern const unsigned char lv_data_lexicon_abusive_zh_txt[];
extern const size_t lv_data_lexicon_abusive_zh_txt_len;
extern const unsigned char lv_data_lexicon_abusive_exclude_txt[];
extern const size_t lv_data_lexicon_abusive_exclude_txt_len;

/* Tags: lexicon index << 2 | flags. */
#define TAG_FLAGS(tag) ((tag)&3u)
enum { TAG_PRONOUN_BASE = 1u << 30 };

static const lv_phrase pronouns[] = {
    {"你", LV_ROLE_HOT, 0.3f},   {"您", LV_ROLE_HOT, 0.2f},
    {"你们", LV_ROLE_HOT, 0.3f}, {"你个", LV_ROLE_HOT, 0.2f},
    {"你这", LV_ROLE_HOT, 0.2f},
};

static int add_term(void *ud, const char *term, size_t n, float weight,
                    unsigned flags, size_t index) {
  lv_compiler *c = ud;
  uint32_t tag = (uint32_t)(index << 2) | (flags & 3u);
  if (!(flags & LV_LEX_ASCII)) {
    int id = lv_compiler_literal(c, LV_ROLE_TRIGGER, tag, weight, term, n);
    return id < 0 && id != LEVEE_EINVAL ? id : 0;
  }
  /* s b, s.b, s*b: up to three ASCII separators between letters. */
  char re[512];
  size_t o = 0;
  for (size_t i = 0; i < n && o + 40 < sizeof re; i++) {
    char ch = term[i];
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')))
      continue;
    if (o)
      o += (size_t)snprintf(
          re + o, sizeof re - o,
          "[\\x20-\\x2f\\x3a-\\x40\\x5b-\\x60\\x7b-\\x7e]{0,3}");
    re[o++] = ch;
  }
  re[o] = '\0';
  if (!o)
    return 0;
  int id = lv_compiler_regex(c, LV_ROLE_TRIGGER, tag, weight, re);
  return id < 0 ? id : 0;
}

static int add_exclusion(void *ud, const char *term, size_t n, float weight,
                         unsigned flags, size_t index) {
  (void)weight, (void)flags, (void)index;
  int id = lv_compiler_literal(ud, LV_ROLE_EXCLUDE, 0, 0, term, n);
  return id < 0 && id != LEVEE_EINVAL ? id : 0;
}

static int compile(lv_compiler *c, const lv_detector_inst *inst) {
  (void)inst;
  int rc = lv_lexicon_each(lv_data_lexicon_abusive_zh_txt,
                           lv_data_lexicon_abusive_zh_txt_len, add_term, c);
  if (!rc)
    rc = lv_lexicon_each(lv_data_lexicon_abusive_exclude_txt,
                         lv_data_lexicon_abusive_exclude_txt_len, add_exclusion,
                         c);
  if (!rc)
    rc = lv_compile_phrases(c, pronouns, LV_COUNT(pronouns), TAG_PRONOUN_BASE);
  return rc;
}

static int letter(char ch) {
  return ch >= 'a' && ch <= 'z';
}

static void validate(lv_inspect *in, const lv_detector_inst *inst,
                     const lv_hit *hits, size_t n) {
  const lv_norm *norm = lv_inspect_norm(in);
  for (size_t i = 0; i < n; i++) {
    const lv_pattern_info *pi = lv_inspect_pattern(in, hits[i].pid);
    if (pi->role != LV_ROLE_TRIGGER)
      continue;
    uint32_t from = hits[i].from, to = hits[i].to;
    unsigned flags = TAG_FLAGS(pi->tag);
    if ((flags & LV_LEX_ASCII) && ((from > 0 && letter(norm->text[from - 1])) ||
                                   (to < norm->len && letter(norm->text[to]))))
      continue;
    if ((flags & LV_LEX_STANDALONE) && !lv_original_delimited(in, from, to))
      continue;
    if (lv_context_excluded(in, hits, n, from, to))
      continue;
    double conf = pi->weight;
    if (conf < 1.0)
      conf += lv_context_delta(in, inst, hits, n, from, to);
    lv_inspect_emit(in, inst->category, from, to, lv_clamp01(conf),
                    LV_MASK_NONE);
  }
}

const lv_detector_ops lv_conduct_abusive_detector = {
    .version = LV_DETECTOR_VERSION,
    .category = "conduct.abusive",
    .compile = compile,
    .validate = validate,
    .window_before = 15,
    .window_after = 15,
};
