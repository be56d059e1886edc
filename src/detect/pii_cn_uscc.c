/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pii_cn_uscc.c: the pii.cn_uscc detector: unified social credit codes of
 * organisations (GB 32100), checked by their mod-31 check character.
 */
#include "detect/checks.h"
#include "detect/phrases.h"

static const lv_phrase phrases[] = {
    {"信用代码", LV_ROLE_HOT, 0.3f}, {"营业执照", LV_ROLE_HOT, 0.25f},
    {"税号", LV_ROLE_HOT, 0.25f},    {"纳税人识别号", LV_ROLE_HOT, 0.25f},
    {"组织机构", LV_ROLE_HOT, 0.2f}, {"企业", LV_ROLE_HOT, 0.1f},
    {"公司", LV_ROLE_HOT, 0.1f},     {"订单", LV_ROLE_ANTI, 0.4f},
    {"单号", LV_ROLE_ANTI, 0.4f},    {"流水号", LV_ROLE_ANTI, 0.4f},
};

static int check(const char *s, size_t n) {
  return lv_check_uscc(s, n);
}

static int compile(lv_compiler *c, const lv_detector_inst *inst) {
  (void)inst;
  if (lv_compiler_regex(c, LV_ROLE_TRIGGER, 1, 0.65f,
                        "(?:^|[^0-9a-z])[0-9a-hj-npqrtuwxy]{18}"
                        "(?:[^0-9a-z]|$)") < 0)
    return LEVEE_ECOMPILE;
  return lv_compile_phrases(c, phrases, LV_COUNT(phrases), 100);
}

static void validate(lv_inspect *in, const lv_detector_inst *inst,
                     const lv_hit *hits, size_t n) {
  lv_validate_identifiers(in, inst, hits, n, check, LV_MASK_ID);
}

const lv_detector_ops lv_pii_cn_uscc_detector = {
    .version = LV_DETECTOR_VERSION,
    .category = "pii.cn_uscc",
    .compile = compile,
    .validate = validate,
    .window_before = 36,
    .window_after = 18,
};
