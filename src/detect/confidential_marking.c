/* SPDX-License-Identifier: Apache-2.0 */
/*
 * confidential_marking.c: the confidential.marking detector: company
 * confidentiality markers (公司机密, 商业秘密, 内部资料 严禁外传,
 * CONFIDENTIAL, internal use only). A weak marker (内部资料) needs another
 * marker or business content nearby; talk about confidentiality
 * (confidentiality agreements, 商业秘密保护法) is excluded.
 */
#include "detect/phrases.h"

static const lv_phrase phrases[] = {
    {"公司机密", LV_ROLE_TRIGGER, 0.85f},
    {"公司秘密", LV_ROLE_TRIGGER, 0.8f},
    {"商业秘密", LV_ROLE_TRIGGER, 0.6f},
    {"商业机密", LV_ROLE_TRIGGER, 0.6f},
    {"核心机密", LV_ROLE_TRIGGER, 0.7f},
    {"内部机密", LV_ROLE_TRIGGER, 0.8f},
    {"内部资料", LV_ROLE_TRIGGER, 0.45f},
    {"内部文件", LV_ROLE_TRIGGER, 0.4f},
    {"内部材料", LV_ROLE_TRIGGER, 0.4f},
    {"内部数据", LV_ROLE_TRIGGER, 0.4f},
    {"严禁外传", LV_ROLE_TRIGGER, 0.85f},
    {"禁止外传", LV_ROLE_TRIGGER, 0.85f},
    {"请勿外传", LV_ROLE_TRIGGER, 0.85f},
    {"不得外传", LV_ROLE_TRIGGER, 0.85f},
    {"切勿外传", LV_ROLE_TRIGGER, 0.85f},
    {"不要外传", LV_ROLE_TRIGGER, 0.7f},
    {"严禁外泄", LV_ROLE_TRIGGER, 0.85f},
    {"严禁转发", LV_ROLE_TRIGGER, 0.7f},
    {"禁止转发", LV_ROLE_TRIGGER, 0.65f},
    {"请勿转发", LV_ROLE_TRIGGER, 0.65f},
    {"严禁复制", LV_ROLE_TRIGGER, 0.65f},
    {"仅限内部", LV_ROLE_TRIGGER, 0.8f},
    {"仅供内部", LV_ROLE_TRIGGER, 0.8f},
    {"限内部使用", LV_ROLE_TRIGGER, 0.8f},
    {"内部使用", LV_ROLE_TRIGGER, 0.55f},
    {"内部传阅", LV_ROLE_TRIGGER, 0.7f},
    {"内部参考", LV_ROLE_TRIGGER, 0.55f},
    {"保密资料", LV_ROLE_TRIGGER, 0.6f},
    {"保密文件", LV_ROLE_TRIGGER, 0.55f},
    /* a request to keep one thing quiet, not a marker, unless business
     * content is nearby; 注意保密 is a reminder and no trigger at all */
    {"绝对保密", LV_ROLE_TRIGGER, 0.4f},
    {"confidential", LV_ROLE_TRIGGER, 0.75f},
    {"strictly confidential", LV_ROLE_TRIGGER, 0.9f},
    {"internal use only", LV_ROLE_TRIGGER, 0.85f},
    {"for internal use", LV_ROLE_TRIGGER, 0.8f},
    {"internal only", LV_ROLE_TRIGGER, 0.7f},
    {"do not distribute", LV_ROLE_TRIGGER, 0.75f},
    {"do not forward", LV_ROLE_TRIGGER, 0.6f},
    {"proprietary", LV_ROLE_TRIGGER, 0.5f},
    /* business content that makes a weak marker a marking */
    {"外传", LV_ROLE_HOT, 0.3f},
    {"注意保密", LV_ROLE_HOT, 0.3f},
    {"题库", LV_ROLE_HOT, 0.15f},
    {"成本", LV_ROLE_HOT, 0.15f},
    {"底价", LV_ROLE_HOT, 0.15f},
    {"报价", LV_ROLE_HOT, 0.1f},
    {"价格", LV_ROLE_HOT, 0.1f},
    {"清单", LV_ROLE_HOT, 0.1f},
    {"名单", LV_ROLE_HOT, 0.15f},
    {"客户", LV_ROLE_HOT, 0.1f},
    {"方案", LV_ROLE_HOT, 0.1f},
    {"政策", LV_ROLE_HOT, 0.1f},
    {"计划", LV_ROLE_HOT, 0.1f},
    {"薪资", LV_ROLE_HOT, 0.15f},
    {"工资", LV_ROLE_HOT, 0.15f},
    {"salary", LV_ROLE_HOT, 0.1f},
    {"合同", LV_ROLE_HOT, 0.1f},
    {"发你", LV_ROLE_HOT, 0.1f},
    {"附件", LV_ROLE_HOT, 0.1f},
    /* talk about confidentiality, not a marker */
    {"培训", LV_ROLE_ANTI, 0.2f},
    {"制度", LV_ROLE_ANTI, 0.15f},
    {"confidentiality", LV_ROLE_EXCLUDE, 0},
    {"confidential computing", LV_ROLE_EXCLUDE, 0},
    {"商业秘密保护", LV_ROLE_EXCLUDE, 0},
    {"侵犯商业秘密", LV_ROLE_EXCLUDE, 0},
    {"商业秘密罪", LV_ROLE_EXCLUDE, 0},
    {"内部资料室", LV_ROLE_EXCLUDE, 0},
    {"保密文件柜", LV_ROLE_EXCLUDE, 0},
};

static int compile(lv_compiler *c, const lv_detector_inst *inst) {
  (void)inst;
  return lv_compile_phrases(c, phrases, LV_COUNT(phrases), 0);
}

static void validate(lv_inspect *in, const lv_detector_inst *inst,
                     const lv_hit *hits, size_t n) {
  lv_validate_phrases(in, inst, hits, n, LV_MASK_NONE);
}

const lv_detector_ops lv_confidential_marking_detector = {
    .version = LV_DETECTOR_VERSION,
    .category = "confidential.marking",
    .compile = compile,
    .validate = validate,
    .window_before = 48,
    .window_after = 60,
};
