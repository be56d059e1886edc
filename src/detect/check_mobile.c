/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_mobile.c: validator for mainland China mobile numbers.
 *
 * Confirms pii.cn_mobile candidates (checks.h): exactly 11 digits whose
 * first three (the 号段) are a segment MIIT (工业和信息化部) has allocated to
 * mobile networks under its numbering plan (电信网码号资源), namely
 *   13x            all (China Mobile 134-139, Unicom 130-132, Telecom 133;
 *                  1349 is Telecom's satellite block)
 *   145-149        data-card and IoT numbers (Unicom 145/146, Mobile
 *                  147/148, Telecom 149); still 11 digits and per-person
 *   15x except 154
 *   162, 165, 167  virtual operators (Telecom, Mobile, Unicom); 166 Unicom
 *   170, 171       virtual operators; 172, 178 Mobile; 173, 177 Telecom;
 *                  175, 176 Unicom
 *   1740x, x 0-5   Telecom satellite block (rest of 174 not public mobile)
 *   18x            all
 *   19x except 194 (190, 191, 193, 199 Telecom; 192 China Broadnet;
 *                  195, 197, 198 Mobile; 196 Unicom)
 * Not mobile: 140-144 (13-digit IoT numbers), 179, 16x others.
 * Cross-checked against Google libphonenumber 8.12.57 metadata (Debian
 * python3-phonenumbers), which agrees everywhere except that it does not
 * list the data/IoT segments 146, 148 and 149.
 */
#include "detect/checks.h"

#define MOBILE_LEN 11

#define SEG(d) (1u << (d))
#define ALL_SEGS 0x3ffu

/* Bit d of segments[t] set: segment 1td is allocated. */
static const unsigned short segments[10] = {
    /* 10x */ 0,
    /* 11x */ 0,
    /* 12x */ 0,
    /* 13x */ ALL_SEGS,
    /* 14x */ SEG(5) | SEG(6) | SEG(7) | SEG(8) | SEG(9),
    /* 15x */ ALL_SEGS & ~SEG(4),
    /* 16x */ SEG(2) | SEG(5) | SEG(6) | SEG(7),
    /* 17x */ ALL_SEGS & ~SEG(4) & ~SEG(9), /* 174: see below */
    /* 18x */ ALL_SEGS,
    /* 19x */ ALL_SEGS & ~SEG(4),
};

lv_check lv_check_cn_mobile(const char *digits, size_t n) {
  int t, d;
  if (n != MOBILE_LEN)
    return LV_CHECK_LENGTH;
  for (size_t i = 0; i < n; i++)
    if (digits[i] < '0' || digits[i] > '9')
      return LV_CHECK_FORMAT;
  if (digits[0] != '1')
    return LV_CHECK_PREFIX;
  t = digits[1] - '0';
  d = digits[2] - '0';
  if (t == 7 && d == 4) /* 1740[0-5] only */
    return digits[3] == '0' && digits[4] <= '5' ? LV_CHECK_OK : LV_CHECK_PREFIX;
  return (segments[t] >> d) & 1 ? LV_CHECK_OK : LV_CHECK_PREFIX;
}
