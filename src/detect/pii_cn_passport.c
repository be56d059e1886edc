/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pii_cn_passport.c: the pii.cn_passport detector: PRC passport numbers.
 * The format is short and common (E12345678 looks like many codes), so a
 * passport needs passport context nearby.
 */
#include "detect/checks.h"
#include "detect/phrases.h"

static const lv_phrase phrases[] = {
    {"护照", LV_ROLE_HOT, 0.5f}, {"passport", LV_ROLE_HOT, 0.5f},
    {"证件", LV_ROLE_HOT, 0.3f}, {"出境", LV_ROLE_HOT, 0.2f},
    {"签证", LV_ROLE_HOT, 0.2f}, {"出国", LV_ROLE_HOT, 0.15f},
};

static int check(const char *s, size_t n) {
  return lv_check_cn_passport(s, n);
}

static int compile(lv_compiler *c, const lv_detector_inst *inst) {
  (void)inst;
  if (lv_compiler_regex(c, LV_ROLE_TRIGGER, 1, 0.3f,
                        "(?:^|[^0-9a-z])[egdsp][a-z]?[0-9]{7,8}"
                        "(?:[^0-9a-z]|$)") < 0)
    return LEVEE_ECOMPILE;
  return lv_compile_phrases(c, phrases, LV_COUNT(phrases), 100);
}

static void validate(lv_inspect *in, const lv_detector_inst *inst,
                     const lv_hit *hits, size_t n) {
  lv_validate_identifiers(in, inst, hits, n, check, LV_MASK_SHORT);
}

const lv_detector_ops lv_pii_cn_passport_detector = {
    .version = LV_DETECTOR_VERSION,
    .category = "pii.cn_passport",
    .compile = compile,
    .validate = validate,
    .window_before = 30,
    .window_after = 18,
};
