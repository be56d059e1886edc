/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pii_cn_mobile.c: the pii.cn_mobile detector: mainland mobile numbers in an
 * allocated segment, with an optional +86/0086 prefix and 3-4-4 separators
 * (space or dash), not embedded in a longer digit run.
 */
#include <string.h>

#include "detect/checks.h"
#include "detect/phrases.h"

static const lv_phrase phrases[] = {
    {"手机", LV_ROLE_HOT, 0.3f},    {"电话", LV_ROLE_HOT, 0.3f},
    {"联系", LV_ROLE_HOT, 0.2f},    {"微信", LV_ROLE_HOT, 0.2f},
    {"号码", LV_ROLE_HOT, 0.15f},   {"tel", LV_ROLE_HOT, 0.2f},
    {"mobile", LV_ROLE_HOT, 0.2f},  {"phone", LV_ROLE_HOT, 0.2f},
    {"打我", LV_ROLE_HOT, 0.2f},    {"致电", LV_ROLE_HOT, 0.2f},
    {"订单", LV_ROLE_ANTI, 0.4f},   {"单号", LV_ROLE_ANTI, 0.4f},
    {"运单", LV_ROLE_ANTI, 0.4f},   {"工单", LV_ROLE_ANTI, 0.4f},
    {"编号", LV_ROLE_ANTI, 0.35f},  {"流水号", LV_ROLE_ANTI, 0.4f},
    {"序列号", LV_ROLE_ANTI, 0.4f}, {"快递单", LV_ROLE_ANTI, 0.4f},
};

static int check(const char *s, size_t n) {
  /* Drop a country code: 86 + 11 digits, 0086 + 11 digits. */
  if (n == 13 && !memcmp(s, "86", 2))
    s += 2, n -= 2;
  else if (n == 15 && !memcmp(s, "0086", 4))
    s += 4, n -= 4;
  return lv_check_cn_mobile(s, n);
}

static int compile(lv_compiler *c, const lv_detector_inst *inst) {
  (void)inst;
  if (lv_compiler_regex(c, LV_ROLE_TRIGGER, 1, 0.6f,
                        "(?:^|[^0-9+])(?:(?:\\+|00)?86[ -]?)?1[3-9][0-9]"
                        "[ -]?[0-9]{4}[ -]?[0-9]{4}(?:[^0-9]|$)") < 0)
    return LEVEE_ECOMPILE;
  return lv_compile_phrases(c, phrases, LV_COUNT(phrases), 100);
}

static void validate(lv_inspect *in, const lv_detector_inst *inst,
                     const lv_hit *hits, size_t n) {
  lv_validate_identifiers(in, inst, hits, n, check, LV_MASK_PHONE);
}

const lv_detector_ops lv_pii_cn_mobile_detector = {
    .version = LV_DETECTOR_VERSION,
    .category = "pii.cn_mobile",
    .compile = compile,
    .validate = validate,
    .window_before = 24,
    .window_after = 18,
};
