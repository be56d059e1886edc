/* SPDX-License-Identifier: Apache-2.0 */
/*
 * finance_statement.c: the finance.statement detector: financial
 * statements, bills and account flows (财务账单, 资产负债表, 流水 with
 * amounts). Statement names count on their own; account-flow words and
 * line items (营业收入, 余额) need amounts next to them. Process talk
 * (财务报销流程) has neither and stays quiet.
 */
#include "detect/phrases.h"

enum { TAG_AMOUNT = 1000 };

static const lv_phrase phrases[] = {
    /* statements */
    {"资产负债表", LV_ROLE_TRIGGER, 0.8f},
    {"利润表", LV_ROLE_TRIGGER, 0.75f},
    {"损益表", LV_ROLE_TRIGGER, 0.75f},
    {"现金流量表", LV_ROLE_TRIGGER, 0.8f},
    {"所有者权益变动表", LV_ROLE_TRIGGER, 0.8f},
    {"科目余额表", LV_ROLE_TRIGGER, 0.8f},
    {"试算平衡表", LV_ROLE_TRIGGER, 0.8f},
    {"财务报表", LV_ROLE_TRIGGER, 0.7f},
    {"财务报告", LV_ROLE_TRIGGER, 0.6f},
    {"财务数据", LV_ROLE_TRIGGER, 0.55f},
    {"财务账单", LV_ROLE_TRIGGER, 0.7f},
    {"财务明细", LV_ROLE_TRIGGER, 0.65f},
    {"审计报告", LV_ROLE_TRIGGER, 0.55f},
    {"纳税申报表", LV_ROLE_TRIGGER, 0.7f},
    {"银行流水", LV_ROLE_TRIGGER, 0.7f},
    {"账户流水", LV_ROLE_TRIGGER, 0.7f},
    {"资金流水", LV_ROLE_TRIGGER, 0.7f},
    {"对账单", LV_ROLE_TRIGGER, 0.6f},
    {"工资表", LV_ROLE_TRIGGER, 0.65f},
    {"工资条", LV_ROLE_TRIGGER, 0.6f},
    {"工资明细", LV_ROLE_TRIGGER, 0.6f},
    {"薪资表", LV_ROLE_TRIGGER, 0.65f},
    {"薪酬表", LV_ROLE_TRIGGER, 0.65f},
    {"账目明细", LV_ROLE_TRIGGER, 0.6f},
    {"收支明细", LV_ROLE_TRIGGER, 0.6f},
    {"明细账", LV_ROLE_TRIGGER, 0.6f},
    {"发票明细", LV_ROLE_TRIGGER, 0.55f},
    {"应收账款明细", LV_ROLE_TRIGGER, 0.7f},
    {"应付账款明细", LV_ROLE_TRIGGER, 0.7f},
    {"年度报表", LV_ROLE_TRIGGER, 0.6f},
    {"季度报表", LV_ROLE_TRIGGER, 0.6f},
    {"月度报表", LV_ROLE_TRIGGER, 0.55f},
    {"合并报表", LV_ROLE_TRIGGER, 0.75f},
    {"成本核算表", LV_ROLE_TRIGGER, 0.7f},
    {"核算表", LV_ROLE_TRIGGER, 0.55f},
    {"税务申报表", LV_ROLE_TRIGGER, 0.7f},
    {"申报表", LV_ROLE_TRIGGER, 0.45f},
    {"付款明细", LV_ROLE_TRIGGER, 0.5f},
    {"收款明细", LV_ROLE_TRIGGER, 0.5f},
    {"报表", LV_ROLE_TRIGGER, 0.35f},
    {"总资产", LV_ROLE_TRIGGER, 0.35f},
    {"总负债", LV_ROLE_TRIGGER, 0.35f},
    {"balance sheet", LV_ROLE_TRIGGER, 0.75f},
    {"income statement", LV_ROLE_TRIGGER, 0.75f},
    {"cash flow statement", LV_ROLE_TRIGGER, 0.75f},
    /* account flows and line items: need amounts */
    {"账单", LV_ROLE_TRIGGER, 0.35f},
    {"流水", LV_ROLE_TRIGGER, 0.3f},
    {"营业收入", LV_ROLE_TRIGGER, 0.35f},
    {"营业成本", LV_ROLE_TRIGGER, 0.35f},
    {"净利润", LV_ROLE_TRIGGER, 0.35f},
    {"毛利润", LV_ROLE_TRIGGER, 0.3f},
    {"利润总额", LV_ROLE_TRIGGER, 0.35f},
    {"资产总计", LV_ROLE_TRIGGER, 0.4f},
    {"负债合计", LV_ROLE_TRIGGER, 0.4f},
    {"所有者权益", LV_ROLE_TRIGGER, 0.35f},
    {"应收账款", LV_ROLE_TRIGGER, 0.3f},
    {"应付账款", LV_ROLE_TRIGGER, 0.3f},
    {"账户余额", LV_ROLE_TRIGGER, 0.3f},
    {"余额", LV_ROLE_TRIGGER, 0.1f},
    {"收入", LV_ROLE_TRIGGER, 0.1f},
    {"支出", LV_ROLE_TRIGGER, 0.1f},
    {"转入", LV_ROLE_TRIGGER, 0.1f},
    {"转出", LV_ROLE_TRIGGER, 0.1f},
    /* line items near each other look like a statement */
    {"营业收入", LV_ROLE_HOT, 0.15f},
    {"净利润", LV_ROLE_HOT, 0.15f},
    {"营业成本", LV_ROLE_HOT, 0.15f},
    {"资产总计", LV_ROLE_HOT, 0.15f},
    {"负债合计", LV_ROLE_HOT, 0.15f},
    {"利润总额", LV_ROLE_HOT, 0.15f},
    {"交易", LV_ROLE_HOT, 0.1f},
    {"转账", LV_ROLE_HOT, 0.1f},
    {"收款", LV_ROLE_HOT, 0.1f},
    {"付款", LV_ROLE_HOT, 0.1f},
    {"发你", LV_ROLE_HOT, 0.1f},
    {"发给你", LV_ROLE_HOT, 0.1f},
    {"附件", LV_ROLE_HOT, 0.1f},
    {"别给别人看", LV_ROLE_HOT, 0.15f},
    {"保密", LV_ROLE_HOT, 0.1f},
    /* teaching and exams about statements */
    {"考试", LV_ROLE_ANTI, 0.4f},
    {"编制方法", LV_ROLE_ANTI, 0.4f},
    {"教材", LV_ROLE_ANTI, 0.3f},
    {"课程", LV_ROLE_ANTI, 0.3f},
    {"怎么看", LV_ROLE_ANTI, 0.3f},
    /* personal bills */
    {"话费", LV_ROLE_ANTI, 0.3f},
    {"电费", LV_ROLE_ANTI, 0.3f},
    {"水费", LV_ROLE_ANTI, 0.3f},
    {"外卖", LV_ROLE_ANTI, 0.3f},
    {"流水号", LV_ROLE_EXCLUDE, 0},
    {"流水线", LV_ROLE_EXCLUDE, 0},
    {"行云流水", LV_ROLE_EXCLUDE, 0},
    {"流水席", LV_ROLE_EXCLUDE, 0},
    {"流水账", LV_ROLE_EXCLUDE, 0},
    {"小流水", LV_ROLE_EXCLUDE, 0},
    {"收入囊中", LV_ROLE_EXCLUDE, 0},
    {"支出去", LV_ROLE_EXCLUDE, 0},
};

static int compile(lv_compiler *c, const lv_detector_inst *inst) {
  (void)inst;
  /* An amount: 5,230,000.00 / 812.50 / 300元 / 2.5万 / ¥300. */
  if (lv_compiler_regex(
          c, LV_ROLE_HOT, TAG_AMOUNT, 0.35f,
          "(?:[0-9]{1,3}(?:,[0-9]{3})+(?:\\.[0-9]{1,2})?|[0-9]+\\.[0-9]{2}"
          "(?:[^0-9]|$)|[0-9]+(?:\\.[0-9]+)?(?:元|万元|万|亿|块|rmb|cny|美元)|"
          "[¥$][0-9]+)") < 0)
    return LEVEE_ECOMPILE;
  return lv_compile_phrases(c, phrases, LV_COUNT(phrases), 0);
}

static void validate(lv_inspect *in, const lv_detector_inst *inst,
                     const lv_hit *hits, size_t n) {
  lv_validate_phrases(in, inst, hits, n, LV_MASK_NONE);
}

const lv_detector_ops lv_finance_statement_detector = {
    .version = LV_DETECTOR_VERSION,
    .category = "finance.statement",
    .compile = compile,
    .validate = validate,
    .window_before = 30,
    .window_after = 45,
};
