/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pii_resident_id.c: the pii.cn_resident_id detector. Candidates are
 * 18-character (or 15-digit legacy) runs not embedded in longer digit runs;
 * the validator checks the GB 11643 check digit, the birth date and the
 * GB/T 2260 address code. Serial-number context (流水号, 订单号) lowers
 * confidence below the threshold; identity context raises it.
 */
#include "detect/checks.h"
#include "detect/phrases.h"

static const lv_phrase phrases[] = {
    {"身份证", LV_ROLE_HOT, 0.3f},   {"身份证号", LV_ROLE_HOT, 0.1f},
    {"证件", LV_ROLE_HOT, 0.25f},    {"公民身份", LV_ROLE_HOT, 0.3f},
    {"身份号码", LV_ROLE_HOT, 0.3f}, {"id", LV_ROLE_HOT, 0.15f},
    {"姓名", LV_ROLE_HOT, 0.15f},    {"出生", LV_ROLE_HOT, 0.15f},
    {"户籍", LV_ROLE_HOT, 0.15f},    {"住址", LV_ROLE_HOT, 0.1f},
    {"流水号", LV_ROLE_ANTI, 0.45f}, {"订单", LV_ROLE_ANTI, 0.45f},
    {"单号", LV_ROLE_ANTI, 0.45f},   {"工单", LV_ROLE_ANTI, 0.45f},
    {"编号", LV_ROLE_ANTI, 0.35f},   {"交易号", LV_ROLE_ANTI, 0.45f},
    {"批次", LV_ROLE_ANTI, 0.4f},    {"快递", LV_ROLE_ANTI, 0.4f},
    {"序列号", LV_ROLE_ANTI, 0.45f}, {"条码", LV_ROLE_ANTI, 0.4f},
};

static int check(const char *s, size_t n) {
  return lv_check_resident_id(s, n);
}

static int compile(lv_compiler *c, const lv_detector_inst *inst) {
  (void)inst;
  /* Boundaries are part of the match so a run inside a longer run of digits
   * never matches, and overlapping candidates cannot pile up. */
  if (lv_compiler_regex(c, LV_ROLE_TRIGGER, 1, 0.7f,
                        "(?:^|[^0-9])[0-9]{6}[ -]?[0-9]{8}[ -]?[0-9]{3}[0-9x]"
                        "(?:[^0-9x]|$)") < 0 ||
      lv_compiler_regex(c, LV_ROLE_TRIGGER, 2, 0.55f,
                        "(?:^|[^0-9])[0-9]{15}(?:[^0-9x]|$)") < 0)
    return LEVEE_ECOMPILE;
  return lv_compile_phrases(c, phrases, LV_COUNT(phrases), 100);
}

static void validate(lv_inspect *in, const lv_detector_inst *inst,
                     const lv_hit *hits, size_t n) {
  lv_validate_identifiers(in, inst, hits, n, check, LV_MASK_ID);
}

const lv_detector_ops lv_pii_resident_id_detector = {
    .version = LV_DETECTOR_VERSION,
    .category = "pii.cn_resident_id",
    .compile = compile,
    .validate = validate,
    .window_before = 30,
    .window_after = 18,
};
