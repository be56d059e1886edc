/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_uscc.c: validator for unified social credit codes (统一社会信用代码).
 *
 * Confirms pii.cn_uscc candidates (checks.h). GB 32100-2015 defines the
 * 18-character code over the 31 symbols 0-9 A-H J-N P-R T U W-Y (no I O S V
 * Z):
 *   1     registration department (登记管理部门代码)
 *   2     organisation type within that department (机构类别代码)
 *   3-8   region code of the registering authority (GB/T 2260 digits)
 *   9-17  subject identifier (the former GB 11714 organisation code)
 *   18    check character: with symbol values v_i and weights 3^(i-1) mod 31
 *         (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28),
 *         c = (31 - sum mod 31) mod 31, as in python-stdnum's cn.uscc.
 * Department and type pairs follow the standard as amended (departments 1-9,
 * A, N, Y; e.g. 9 工商 allows 1 企业, 2 个体工商户, 3 农民专业合作社).
 * The region code is checked only for a plausible province part (or 10 for
 * central registrations), not against the county table: registering
 * authorities use province and prefecture codes the table does not list.
 */
#include "detect/checks.h"

#define USCC_LEN 18

/* Value of c in the 31-symbol alphabet (either case), or -1. */
static int symbol_value(char c) {
  static const signed char letters[26] = {
      10, 11, 12, 13, 14, 15, 16, 17, -1, 18, 19, 20, 21, /* A..M */
      22, -1, 23, 24, 25, -1, 26, 27, -1, 28, 29, 30, -1  /* N..Z */
  };
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'z')
    return letters[c - 'a'];
  if (c >= 'A' && c <= 'Z')
    return letters[c - 'A'];
  return -1;
}

/*
 * Organisation types allowed per registration department (value of the
 * first symbol): a string of type digits, or NULL if it is no department.
 */
static const char *department_types(int dept) {
  switch (dept) {
  /* 机构编制: 机关, 事业单位, 中央编办管理的群众团体, 其他 */
  case 1: return "1239";
  /* 外交: 外国常驻新闻机构, 其他 */
  case 2: return "19";
  /* 司法行政: 律师执业机构, 公证处, 基层法律服务所, 司法鉴定机构,
   * 仲裁委员会, 其他 */
  case 3: return "123459";
  /* 文化: 外国在华文化中心, 其他 */
  case 4: return "19";
  /* 民政: 社会团体, 民办非企业单位, 基金会, 其他 */
  case 5: return "1239";
  /* 旅游: 外国 / 港澳台地区旅游部门常驻代表机构, 其他;
   * 宗教: 宗教活动场所, 宗教院校, 其他 */
  case 6:
  case 7: return "129";
  /* 工会: 基层工会, 其他 */
  case 8: return "19";
  /* 工商: 企业, 个体工商户, 农民专业合作社 */
  case 9: return "123";
  /* A, 中央军委改革和编制办公室: 军队事业单位, 其他 */
  case 10: return "19";
  /* N, 农业: 组级, 村级, 乡镇级集体经济组织, 其他 */
  case 22: return "1239";
  /* Y, 其他: a single type 1 */
  case 30: return "1";
  default: return NULL;
  }
}

/* Province part of a GB/T 2260 code, or 10 for central authorities. */
static int plausible_province(int p) {
  return p == 10 || (p >= 11 && p <= 15) || (p >= 21 && p <= 23) ||
         (p >= 31 && p <= 37) || (p >= 41 && p <= 46) || (p >= 50 && p <= 54) ||
         (p >= 61 && p <= 65);
}

lv_check lv_check_uscc(const char *s, size_t n) {
  int v[USCC_LEN];
  int sum = 0, weight = 1;
  const char *types;

  if (n != USCC_LEN)
    return LV_CHECK_LENGTH;
  for (size_t i = 0; i < USCC_LEN; i++)
    if ((v[i] = symbol_value(s[i])) < 0)
      return LV_CHECK_FORMAT;
  for (size_t i = 2; i < 8; i++)
    if (v[i] > 9)
      return LV_CHECK_FORMAT;
  for (size_t i = 0; i < USCC_LEN - 1; i++) {
    sum += v[i] * weight;
    weight = weight * 3 % 31;
  }
  if ((31 - sum % 31) % 31 != v[USCC_LEN - 1])
    return LV_CHECK_CHECKSUM;
  types = department_types(v[0]);
  if (types == NULL || v[1] > 9)
    return LV_CHECK_PREFIX;
  for (; *types != '\0'; types++)
    if (*types - '0' == v[1])
      break;
  if (*types == '\0')
    return LV_CHECK_PREFIX;
  if (!plausible_province(v[2] * 10 + v[3]))
    return LV_CHECK_REGION;
  return LV_CHECK_OK;
}
