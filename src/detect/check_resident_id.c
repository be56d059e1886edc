/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_resident_id.c: validator for PRC resident identity numbers.
 *
 * Confirms pii.cn_resident_id candidates (checks.h). GB 11643-1999 defines
 * the 18-character number: a GB/T 2260 address code (6 digits), the birth
 * date YYYYMMDD, a 3-digit sequence (odd for men) and a check character
 * computed with ISO 7064 MOD 11-2: weights 2^(17-i) mod 11 over the first 17
 * digits, and the check value c satisfies sum + c == 1 (mod 11), with 10
 * written as X. First-generation cards (until 2013) carry 15 digits: address
 * code, YYMMDD in the 1900s and a sequence, without check character.
 */
#include "detect/checks.h"

#include <stdint.h>
#include <time.h>

/* China Standard Time, UTC+8 all year: the calendar the ID dates use. */
#define CST_OFFSET_SECONDS INT64_C(28800) /* 8 h */
#define SECONDS_PER_DAY INT64_C(86400)
#define MIN_BIRTH_YEAR 1900
#define MAX_BIRTH_YEAR 2099

static int digit_value(char c) {
  return c >= '0' && c <= '9' ? c - '0' : -1;
}

static int is_leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m) {
  static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30,
                                        31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian), for y >= 1. */
static int64_t days_from_civil(int y, int m, int d) {
  /* Count from March 1 of year 0 so the leap day ends the year. */
  int64_t yy = m <= 2 ? y - 1 : y;
  int64_t mp = m <= 2 ? m + 9 : m - 3; /* 0 = March ... 11 = February */
  int64_t doy = (153 * mp + 2) / 5 + d - 1;
  int64_t days = yy * 365 + yy / 4 - yy / 100 + yy / 400 + doy;
  return days - 719468; /* days from 0000-03-01 to 1970-01-01 */
}

/* Reads n (<= 4) digits at s; the caller has checked they are digits. */
static int read_number(const char *s, size_t n) {
  int v = 0;
  for (size_t i = 0; i < n; i++)
    v = v * 10 + digit_value(s[i]);
  return v;
}

static lv_check check_birth_date(int y, int m, int d, int64_t now_unix) {
  int64_t local = now_unix + CST_OFFSET_SECONDS;
  int64_t today = local / SECONDS_PER_DAY - (local % SECONDS_PER_DAY < 0);
  if (y < MIN_BIRTH_YEAR || y > MAX_BIRTH_YEAR || m < 1 || m > 12 || d < 1 ||
      d > days_in_month(y, m))
    return LV_CHECK_DATE;
  if (days_from_civil(y, m, d) > today)
    return LV_CHECK_DATE;
  return LV_CHECK_OK;
}

/* A known address code, or a county-level code (not a prefecture's own
 * xxxx00) under a known prefecture: newer districts keep their prefecture's
 * digits. */
static lv_check check_region(const char *s) {
  unsigned code =
      (unsigned)read_number(s, 3) * 1000u + (unsigned)read_number(s + 3, 3);
  if (lv_gb2260_known(code) ||
      (code % 100 != 0 && lv_gb2260_prefecture_known(code)))
    return LV_CHECK_OK;
  return LV_CHECK_REGION;
}

static lv_check check_18(const char *s, int64_t now_unix) {
  int sum = 0, weight = 1, check;
  lv_check rc;

  for (size_t i = 0; i < 17; i++)
    if (digit_value(s[i]) < 0)
      return LV_CHECK_FORMAT;
  if (s[17] == 'x' || s[17] == 'X')
    check = 10;
  else if ((check = digit_value(s[17])) < 0)
    return LV_CHECK_FORMAT;
  /* Weights 2^(17-i) mod 11, built from the last position backwards. */
  for (size_t i = 17; i-- > 0;) {
    weight = weight * 2 % 11;
    sum += digit_value(s[i]) * weight;
  }
  if ((sum + check) % 11 != 1)
    return LV_CHECK_CHECKSUM;
  rc = check_birth_date(read_number(s + 6, 4), read_number(s + 10, 2),
                        read_number(s + 12, 2), now_unix);
  if (rc != LV_CHECK_OK)
    return rc;
  return check_region(s);
}

static lv_check check_15(const char *s, int64_t now_unix) {
  lv_check rc;
  for (size_t i = 0; i < 15; i++)
    if (digit_value(s[i]) < 0)
      return LV_CHECK_FORMAT;
  rc = check_birth_date(1900 + read_number(s + 6, 2), read_number(s + 8, 2),
                        read_number(s + 10, 2), now_unix);
  if (rc != LV_CHECK_OK)
    return rc;
  return check_region(s);
}

lv_check lv_check_resident_id_at(const char *s, size_t n, int64_t now_unix) {
  if (n == 18)
    return check_18(s, now_unix);
  if (n == 15)
    return check_15(s, now_unix);
  return LV_CHECK_LENGTH;
}

lv_check lv_check_resident_id(const char *s, size_t n) {
  return lv_check_resident_id_at(s, n, (int64_t)time(NULL));
}
