/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pii_email.c: the pii.email detector: e-mail addresses, structurally
 * validated. Of all the ends Hyperscan reports for one start, the longest
 * address wins. Lengths (64-byte local part, 63-byte labels) are checked by
 * the validator: bounded repeats with leftmost start make the regex too
 * large for Hyperscan.
 */
#include <string.h>

#include "detect/checks.h"
#include "detect/phrases.h"

static const lv_phrase phrases[] = {
    {"邮箱", LV_ROLE_HOT, 0.2f},  {"邮件", LV_ROLE_HOT, 0.2f},
    {"email", LV_ROLE_HOT, 0.2f}, {"e-mail", LV_ROLE_HOT, 0.2f},
    {"mail", LV_ROLE_HOT, 0.1f},  {"联系", LV_ROLE_HOT, 0.1f},
};

static int atext(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '.' ||
         c == '_' || c == '%' || c == '+' || c == '-';
}

/* icon@2x.png is an image file name, not an address: a last label that is a
 * common file extension (and no real top-level domain) disqualifies it. */
static int file_extension_tld(const char *s, size_t n) {
  static const char *const ext[] = {
      "png",  "jpg", "jpeg", "gif", "svg", "webp", "bmp", "pdf", "doc",
      "docx", "xls", "xlsx", "ppt", "txt", "zip",  "js",  "css", "html"};
  const char *dot = memrchr(s, '.', n);
  if (!dot)
    return 0;
  size_t len = (size_t)(s + n - dot - 1);
  for (size_t i = 0; i < LV_COUNT(ext); i++)
    if (strlen(ext[i]) == len && !memcmp(dot + 1, ext[i], len))
      return 1;
  return 0;
}

static int compile(lv_compiler *c, const lv_detector_inst *inst) {
  (void)inst;
  if (lv_compiler_regex(c, LV_ROLE_TRIGGER, 1, 0.6f,
                        "[a-z0-9._%+-]+@[a-z0-9-]+(?:\\.[a-z0-9-]+)+") < 0)
    return LEVEE_ECOMPILE;
  return lv_compile_phrases(c, phrases, LV_COUNT(phrases), 100);
}

static void validate(lv_inspect *in, const lv_detector_inst *inst,
                     const lv_hit *hits, size_t n) {
  const lv_norm *norm = lv_inspect_norm(in);
  for (size_t i = 0; i < n; i++) {
    const lv_pattern_info *pi = lv_inspect_pattern(in, hits[i].pid);
    if (pi->role != LV_ROLE_TRIGGER)
      continue;
    uint32_t from = hits[i].from, to = hits[i].to;
    /* Only the longest end for this start (hits are sorted by from, to). */
    if (i + 1 < n && hits[i + 1].from == from &&
        lv_inspect_pattern(in, hits[i + 1].pid)->role == LV_ROLE_TRIGGER)
      continue;
    if ((from > 0 && atext(norm->text[from - 1])) ||
        (to < norm->len &&
         (norm->text[to] == '-' || lv_norm_alnum_after(norm, to))))
      continue;
    if (lv_check_email(norm->text + from, to - from) != LV_CHECK_OK ||
        file_extension_tld(norm->text + from, to - from))
      continue;
    double conf = pi->weight + lv_context_delta(in, inst, hits, n, from, to);
    lv_inspect_emit(in, inst->category, from, to, lv_clamp01(conf),
                    LV_MASK_EMAIL);
  }
}

const lv_detector_ops lv_pii_email_detector = {
    .version = LV_DETECTOR_VERSION,
    .category = "pii.email",
    .compile = compile,
    .validate = validate,
    .window_before = 24,
    .window_after = 12,
};
