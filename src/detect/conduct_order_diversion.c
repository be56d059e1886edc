/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conduct_order_diversion.c: the conduct.order_diversion detector (飞单):
 * staff steering a customer to private payment or private contact outside
 * the company (私下, 个人微信/收款码, 不走公司, 绕过前台).
 *
 * Explicit phrases count on their own. Otherwise a private cue and a
 * payment or contact cue must occur together (a Hyperscan logical
 * combination) and close to each other: 私下 ... 便宜, 个人的 ... 收款码.
 * Talk that only sounds private (我个人推荐, 个人觉得, 官方小程序) is
 * excluded.
 */
#include <stdio.h>

#include "detect/phrases.h"

enum {
  TAG_PRIVATE_STRONG = 1,
  TAG_PRIVATE_WEAK,
  TAG_CUE_ANY,
  TAG_CUE_PAY,
  TAG_COMBO_STRONG,
  TAG_COMBO_WEAK,
  TAG_PHRASES = 100
};

static const char private_strong[] =
    "私下|私人|偷偷|悄悄|别告诉|不用告诉|不要告诉|别让.{0,6}知道|不让.{0,6}"
    "知道|"
    "不经过公司|不通过公司|绕开公司|私聊|别跟.{0,6}说|不要跟.{0,6}说";
static const char private_weak[] = "个人的?|我自己的|直接";
static const char cue_any[] =
    "收款码|二维码|转账|转给我|转我|付款|付钱|给钱|打钱|微信|vx|wx|支付宝|"
    "加我|便宜|优惠|折扣|打折|打.折|现金|红包|私聊|联系|做|接|交易|卡号|银行卡";
static const char cue_pay[] =
    "收款码|二维码|转账|转给我|转我|打钱|支付宝|打我卡|打到我|我卡上|私人微信|"
    "个人微信|vx|wx|红包|银行卡|卡号";

static const lv_phrase phrases[] = {
    {"飞单", LV_ROLE_TRIGGER, 0.85f},
    {"私单", LV_ROLE_TRIGGER, 0.75f},
    {"不走公司", LV_ROLE_TRIGGER, 0.8f},
    {"别走公司", LV_ROLE_TRIGGER, 0.8f},
    {"不走店里", LV_ROLE_TRIGGER, 0.8f},
    {"别走店里", LV_ROLE_TRIGGER, 0.8f},
    {"不走店", LV_ROLE_TRIGGER, 0.75f},
    {"不走账", LV_ROLE_TRIGGER, 0.75f},
    {"不走系统", LV_ROLE_TRIGGER, 0.75f},
    {"不走前台", LV_ROLE_TRIGGER, 0.8f},
    {"绕过前台", LV_ROLE_TRIGGER, 0.85f},
    {"绕开前台", LV_ROLE_TRIGGER, 0.85f},
    {"不经过前台", LV_ROLE_TRIGGER, 0.8f},
    {"不用经过前台", LV_ROLE_TRIGGER, 0.8f},
    {"绕过公司", LV_ROLE_TRIGGER, 0.85f},
    {"私下交易", LV_ROLE_TRIGGER, 0.85f},
    {"私下转账", LV_ROLE_TRIGGER, 0.85f},
    {"私下付款", LV_ROLE_TRIGGER, 0.85f},
    {"私下收款", LV_ROLE_TRIGGER, 0.85f},
    {"私下联系", LV_ROLE_TRIGGER, 0.75f},
    {"线下交易", LV_ROLE_TRIGGER, 0.6f},
    {"个人收款码", LV_ROLE_TRIGGER, 0.85f},
    {"个人的收款码", LV_ROLE_TRIGGER, 0.85f},
    {"私人收款码", LV_ROLE_TRIGGER, 0.85f},
    {"我的收款码", LV_ROLE_TRIGGER, 0.75f},
    {"个人微信", LV_ROLE_TRIGGER, 0.6f},
    {"私人微信", LV_ROLE_TRIGGER, 0.8f},
    {"私人号", LV_ROLE_TRIGGER, 0.6f},
    {"个人账户", LV_ROLE_TRIGGER, 0.7f},
    {"私人账户", LV_ROLE_TRIGGER, 0.8f},
    {"个人账号", LV_ROLE_TRIGGER, 0.7f},
    {"转我个人", LV_ROLE_TRIGGER, 0.85f},
    {"转到我个人", LV_ROLE_TRIGGER, 0.85f},
    {"转我私人", LV_ROLE_TRIGGER, 0.85f},
    {"直接转我", LV_ROLE_TRIGGER, 0.8f},
    {"微信转我", LV_ROLE_TRIGGER, 0.8f},
    {"支付宝转我", LV_ROLE_TRIGGER, 0.8f},
    {"转我微信", LV_ROLE_TRIGGER, 0.8f},
    {"转我支付宝", LV_ROLE_TRIGGER, 0.8f},
    {"打到我卡", LV_ROLE_TRIGGER, 0.85f},
    {"转我卡上", LV_ROLE_TRIGGER, 0.85f},
    {"打我卡上", LV_ROLE_TRIGGER, 0.85f},
    {"加我私人", LV_ROLE_TRIGGER, 0.8f},
    {"加我个人", LV_ROLE_TRIGGER, 0.75f},
    {"钱给我就行", LV_ROLE_TRIGGER, 0.7f},
    {"现金直接给我", LV_ROLE_TRIGGER, 0.8f},
    {"现金给我", LV_ROLE_TRIGGER, 0.7f},
    {"别扫店里", LV_ROLE_TRIGGER, 0.85f},
    {"不要扫店里", LV_ROLE_TRIGGER, 0.85f},
    {"扫我这个", LV_ROLE_TRIGGER, 0.7f},
    {"扫我的码", LV_ROLE_TRIGGER, 0.75f},
    {"加我小号", LV_ROLE_TRIGGER, 0.8f},
    {"公司能看到", LV_ROLE_TRIGGER, 0.6f},
    {"私聊我", LV_ROLE_TRIGGER, 0.7f},
    {"单独找我", LV_ROLE_TRIGGER, 0.75f},
    {"比店里便宜", LV_ROLE_TRIGGER, 0.7f},
    {"店里一半", LV_ROLE_TRIGGER, 0.6f},
    {"接私活", LV_ROLE_TRIGGER, 0.8f},
    {"私活", LV_ROLE_TRIGGER, 0.7f},
    {"在外面接", LV_ROLE_TRIGGER, 0.7f},
    {"自己接活", LV_ROLE_TRIGGER, 0.75f},
    {"不用开单", LV_ROLE_TRIGGER, 0.8f},
    {"不开单", LV_ROLE_TRIGGER, 0.75f},
    {"别开单", LV_ROLE_TRIGGER, 0.75f},
    {"红包发我", LV_ROLE_TRIGGER, 0.75f},
    {"别录系统", LV_ROLE_TRIGGER, 0.85f},
    {"不录系统", LV_ROLE_TRIGGER, 0.85f},
    {"不要录系统", LV_ROLE_TRIGGER, 0.85f},
    {"咱俩分", LV_ROLE_TRIGGER, 0.75f},
    {"打我手机约", LV_ROLE_TRIGGER, 0.6f},
    {"转到我老婆", LV_ROLE_TRIGGER, 0.8f},
    {"转到我老公", LV_ROLE_TRIGGER, 0.8f},
    {"转我老婆", LV_ROLE_TRIGGER, 0.8f},
    {"转我老公", LV_ROLE_TRIGGER, 0.8f},
    {"转到我家人", LV_ROLE_TRIGGER, 0.8f},
    {"别在公众号", LV_ROLE_TRIGGER, 0.6f},
    /* Personal payment and contact codes, as links or as the payloads of
     * QR codes read from an image (extract/qr.h): wxp:// is a personal
     * WeChat Pay collection code, u.wechat.com a personal contact card;
     * Alipay's qr.alipay.com serves shops too, so it weighs less. */
    {"wxp://", LV_ROLE_TRIGGER, 0.8f},
    {"u.wechat.com/", LV_ROLE_TRIGGER, 0.7f},
    {"qr.alipay.com/", LV_ROLE_TRIGGER, 0.6f},
    /* rules against diversion, not diversion */
    {"不能私下", LV_ROLE_EXCLUDE, 0},
    {"严禁私下", LV_ROLE_EXCLUDE, 0},
    {"禁止私下", LV_ROLE_EXCLUDE, 0},
    {"不得私下", LV_ROLE_EXCLUDE, 0},
    {"不允许私下", LV_ROLE_EXCLUDE, 0},
    {"不可以私下", LV_ROLE_EXCLUDE, 0},
    {"不要私下", LV_ROLE_EXCLUDE, 0},
    {"个人微信不加", LV_ROLE_EXCLUDE, 0},
    {"转账给公司", LV_ROLE_EXCLUDE, 0},
    {"转给公司", LV_ROLE_EXCLUDE, 0},
    {"我自己的钱", LV_ROLE_EXCLUDE, 0},
    {"不加个人微信", LV_ROLE_EXCLUDE, 0},
    {"不能加个人微信", LV_ROLE_EXCLUDE, 0},
    {"直接给我钱", LV_ROLE_TRIGGER, 0.75f},
    /* official channels: a combination near them is not a diversion */
    {"官方", LV_ROLE_ANTI, 0.3f},
    {"公司账户", LV_ROLE_ANTI, 0.3f},
    {"对公", LV_ROLE_ANTI, 0.3f},
    {"前台", LV_ROLE_ANTI, 0.2f},
    {"小程序", LV_ROLE_ANTI, 0.2f},
    {"公众号", LV_ROLE_ANTI, 0.2f},
    {"个人推荐", LV_ROLE_EXCLUDE, 0},
    {"个人觉得", LV_ROLE_EXCLUDE, 0},
    {"个人认为", LV_ROLE_EXCLUDE, 0},
    {"个人感觉", LV_ROLE_EXCLUDE, 0},
    {"个人建议", LV_ROLE_EXCLUDE, 0},
    {"个人意见", LV_ROLE_EXCLUDE, 0},
    {"个人看法", LV_ROLE_EXCLUDE, 0},
    {"个人而言", LV_ROLE_EXCLUDE, 0},
    {"个人喜好", LV_ROLE_EXCLUDE, 0},
    {"个人习惯", LV_ROLE_EXCLUDE, 0},
    {"个人信息", LV_ROLE_EXCLUDE, 0},
    {"个人中心", LV_ROLE_EXCLUDE, 0},
    {"个人资料", LV_ROLE_EXCLUDE, 0},
    {"个人隐私", LV_ROLE_EXCLUDE, 0},
    {"个人原因", LV_ROLE_EXCLUDE, 0},
    {"个人所得税", LV_ROLE_EXCLUDE, 0},
    {"个人简历", LV_ROLE_EXCLUDE, 0},
    {"个人主页", LV_ROLE_EXCLUDE, 0},
    {"个人护理", LV_ROLE_EXCLUDE, 0},
    {"个人卫生", LV_ROLE_EXCLUDE, 0},
    {"个人肤质", LV_ROLE_EXCLUDE, 0},
    {"私人定制", LV_ROLE_EXCLUDE, 0},
    {"私人订制", LV_ROLE_EXCLUDE, 0},
    {"私人影院", LV_ROLE_EXCLUDE, 0},
    {"私人医生", LV_ROLE_EXCLUDE, 0},
    {"直接到店", LV_ROLE_EXCLUDE, 0},
    {"直接到前台", LV_ROLE_EXCLUDE, 0},
    {"直接在小程序", LV_ROLE_EXCLUDE, 0},
    {"直接联系客服", LV_ROLE_EXCLUDE, 0},
    {"官方微信", LV_ROLE_EXCLUDE, 0},
    {"公司微信", LV_ROLE_EXCLUDE, 0},
    {"企业微信", LV_ROLE_EXCLUDE, 0},
    {"门店微信", LV_ROLE_EXCLUDE, 0},
    {"店里微信", LV_ROLE_EXCLUDE, 0},
    {"微信公众号", LV_ROLE_EXCLUDE, 0},
    {"微信小程序", LV_ROLE_EXCLUDE, 0},
    {"微信支付", LV_ROLE_EXCLUDE, 0},
    {"做好", LV_ROLE_EXCLUDE, 0},
    {"做完", LV_ROLE_EXCLUDE, 0},
    {"联系方式", LV_ROLE_EXCLUDE, 0},
};

static int compile(lv_compiler *c, const lv_detector_inst *inst) {
  (void)inst;
  char combo[96];
  int ps =
      lv_compiler_regex(c, LV_ROLE_AUX, TAG_PRIVATE_STRONG, 0, private_strong);
  int pw = lv_compiler_regex(c, LV_ROLE_AUX, TAG_PRIVATE_WEAK, 0, private_weak);
  int ca = lv_compiler_regex(c, LV_ROLE_AUX, TAG_CUE_ANY, 0, cue_any);
  int cp = lv_compiler_regex(c, LV_ROLE_AUX, TAG_CUE_PAY, 0, cue_pay);
  if (ps < 0 || pw < 0 || ca < 0 || cp < 0)
    return LEVEE_ECOMPILE;
  int qps = lv_compiler_quiet_regex(c, private_strong);
  int qpw = lv_compiler_quiet_regex(c, private_weak);
  int qca = lv_compiler_quiet_regex(c, cue_any);
  int qcp = lv_compiler_quiet_regex(c, cue_pay);
  if (qps < 0 || qpw < 0 || qca < 0 || qcp < 0)
    return LEVEE_ECOMPILE;
  snprintf(combo, sizeof combo, "%d & %d", qps, qca);
  if (lv_compiler_combination(c, LV_ROLE_AUX, TAG_COMBO_STRONG, 0.75f, combo) <
      0)
    return LEVEE_ECOMPILE;
  snprintf(combo, sizeof combo, "%d & %d", qpw, qcp);
  if (lv_compiler_combination(c, LV_ROLE_AUX, TAG_COMBO_WEAK, 0.65f, combo) < 0)
    return LEVEE_ECOMPILE;
  return lv_compile_phrases(c, phrases, LV_COUNT(phrases), TAG_PHRASES);
}

#define NEAR 36 /* bytes between the two cues: about twelve characters */

/* For a combination, the closest pair of a private cue and a cue. */
static void pair(lv_inspect *in, const lv_detector_inst *inst,
                 const lv_hit *hits, size_t n, uint32_t ptag, uint32_t ctag,
                 double base) {
  const lv_hit *bp = NULL, *bc = NULL;
  uint32_t best = NEAR + 1;
  for (size_t i = 0; i < n; i++) {
    if (lv_inspect_pattern(in, hits[i].pid)->tag != ptag ||
        lv_context_excluded(in, hits, n, hits[i].from, hits[i].to))
      continue;
    for (size_t j = 0; j < n; j++) {
      if (lv_inspect_pattern(in, hits[j].pid)->tag != ctag)
        continue;
      const lv_hit *p = &hits[i], *q = &hits[j];
      if (p->from < q->to && q->from < p->to)
        continue;
      uint32_t gap = p->to <= q->from ? q->from - p->to : p->from - q->to;
      if (gap >= best || lv_context_excluded(in, hits, n, q->from, q->to))
        continue;
      best = gap;
      bp = p;
      bc = q;
    }
  }
  if (!bp)
    return;
  uint32_t from = bp->from < bc->from ? bp->from : bc->from;
  uint32_t to = bp->to > bc->to ? bp->to : bc->to;
  double conf = base + lv_context_delta(in, inst, hits, n, from, to);
  lv_inspect_emit(in, inst->category, from, to, lv_clamp01(conf), LV_MASK_NONE);
}

static void validate(lv_inspect *in, const lv_detector_inst *inst,
                     const lv_hit *hits, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const lv_pattern_info *pi = lv_inspect_pattern(in, hits[i].pid);
    if (pi->tag == TAG_COMBO_STRONG)
      pair(in, inst, hits, n, TAG_PRIVATE_STRONG, TAG_CUE_ANY, pi->weight);
    else if (pi->tag == TAG_COMBO_WEAK)
      pair(in, inst, hits, n, TAG_PRIVATE_WEAK, TAG_CUE_PAY, pi->weight);
    else if (pi->role == LV_ROLE_TRIGGER &&
             !lv_context_excluded(in, hits, n, hits[i].from, hits[i].to))
      lv_inspect_emit(in, inst->category, hits[i].from, hits[i].to, pi->weight,
                      LV_MASK_NONE);
  }
}

const lv_detector_ops lv_conduct_order_diversion_detector = {
    .version = LV_DETECTOR_VERSION,
    .category = "conduct.order_diversion",
    .compile = compile,
    .validate = validate,
    .window_before = 24,
    .window_after = 24,
};
