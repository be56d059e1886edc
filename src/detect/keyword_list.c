/* SPDX-License-Identifier: Apache-2.0 */
/*
 * keyword_list.c: keyword.<list>: hits from a custom keyword list that the
 * policy names (keyword_lists: - name: projects, file: projects.txt). Each
 * keyword is normalized like the text, so 機密 in a list matches 机密 and
 * full-width or spaced forms; a keyword in Latin letters must stand as a
 * whole word.
 */
#include <string.h>

#include "core/policy.h"
#include "detect/phrases.h"

static int compile(lv_compiler *c, const lv_detector_inst *inst) {
  const lv_keyword_list *k = inst->config;
  for (size_t i = 0; i < k->n_words; i++) {
    int id = lv_compiler_literal(c, LV_ROLE_TRIGGER, (uint32_t)i, 1.0f,
                                 k->words[i], strlen(k->words[i]));
    if (id < 0 && id != LEVEE_EINVAL)
      return id;
  }
  return LEVEE_OK;
}

static void validate(lv_inspect *in, const lv_detector_inst *inst,
                     const lv_hit *hits, size_t n) {
  lv_validate_phrases(in, inst, hits, n, LV_MASK_NONE);
}

const lv_detector_ops lv_keyword_list_detector = {
    .version = LV_DETECTOR_VERSION,
    .category = "keyword",
    .compile = compile,
    .validate = validate,
    .window_before = 0,
    .window_after = 0,
};
