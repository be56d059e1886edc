/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pii_bank_card.c: the pii.bank_card detector: 13-19 digits (in groups
 * separated by spaces or dashes, or not), a known issuer prefix with its
 * length, a valid Luhn digit, and card context nearby: one in ten random
 * numbers passes Luhn, so a bare number (a waybill, an order) is not a card.
 */
#include "detect/checks.h"
#include "detect/phrases.h"

static const lv_phrase phrases[] = {
    {"卡号", LV_ROLE_HOT, 0.45f},    {"银行卡", LV_ROLE_HOT, 0.45f},
    {"信用卡", LV_ROLE_HOT, 0.45f},  {"储蓄卡", LV_ROLE_HOT, 0.45f},
    {"借记卡", LV_ROLE_HOT, 0.45f},  {"银行账号", LV_ROLE_HOT, 0.45f},
    {"账号", LV_ROLE_HOT, 0.35f},    {"帐号", LV_ROLE_HOT, 0.35f},
    {"账户", LV_ROLE_HOT, 0.35f},    {"卡", LV_ROLE_HOT, 0.3f},
    {"开户", LV_ROLE_HOT, 0.35f},    {"转账", LV_ROLE_HOT, 0.25f},
    {"汇款", LV_ROLE_HOT, 0.25f},    {"收款", LV_ROLE_HOT, 0.2f},
    {"打款", LV_ROLE_HOT, 0.25f},    {"银行", LV_ROLE_HOT, 0.3f},
    {"工行", LV_ROLE_HOT, 0.3f},     {"建行", LV_ROLE_HOT, 0.3f},
    {"农行", LV_ROLE_HOT, 0.3f},     {"中行", LV_ROLE_HOT, 0.3f},
    {"招行", LV_ROLE_HOT, 0.3f},     {"card", LV_ROLE_HOT, 0.35f},
    {"运单", LV_ROLE_ANTI, 0.5f},    {"快递", LV_ROLE_ANTI, 0.45f},
    {"单号", LV_ROLE_ANTI, 0.45f},   {"订单", LV_ROLE_ANTI, 0.45f},
    {"工单", LV_ROLE_ANTI, 0.45f},   {"流水号", LV_ROLE_ANTI, 0.45f},
    {"编号", LV_ROLE_ANTI, 0.35f},   {"物流", LV_ROLE_ANTI, 0.4f},
    {"序列号", LV_ROLE_ANTI, 0.45f}, {"交易号", LV_ROLE_ANTI, 0.4f},
    {"会员号", LV_ROLE_ANTI, 0.35f}, {"条码", LV_ROLE_ANTI, 0.4f},
};

static int check(const char *s, size_t n) {
  return lv_check_bank_card(s, n);
}

static int compile(lv_compiler *c, const lv_detector_inst *inst) {
  (void)inst;
  if (lv_compiler_regex(c, LV_ROLE_TRIGGER, 1, 0.35f,
                        "(?:^|[^0-9])[0-9](?:[ -]?[0-9]){12,18}(?:[^0-9]|$)") <
      0)
    return LEVEE_ECOMPILE;
  return lv_compile_phrases(c, phrases, LV_COUNT(phrases), 100);
}

static void validate(lv_inspect *in, const lv_detector_inst *inst,
                     const lv_hit *hits, size_t n) {
  lv_validate_identifiers(in, inst, hits, n, check, LV_MASK_CARD);
}

const lv_detector_ops lv_pii_bank_card_detector = {
    .version = LV_DETECTOR_VERSION,
    .category = "pii.bank_card",
    .compile = compile,
    .validate = validate,
    .window_before = 30,
    .window_after = 18,
};
