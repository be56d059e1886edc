/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_passport.c: validator for PRC passport numbers.
 *
 * Confirms pii.cn_passport candidates (checks.h). PRC passport numbers carry
 * no check digit and no published grammar, so the check is structural; the
 * series below are those documented in public Chinese-language guides to
 * reading a passport number (护照号码):
 *   E + 8 digits            ordinary electronic passport (因私, since 2012)
 *   E + letter + 7 digits   the same series once E+8 ran out; the letter is
 *                           never I or O
 *   G + 8 digits            older ordinary passport without chip
 *   D + 7 digits            diplomatic (外交)
 *   S + 7 or 8 digits       service (公务)
 *   P + 7 digits            public-affairs ordinary (公务普通)
 *   DE, SE, PE + 7 digits   the electronic versions of those three
 * The old 14/15 + 7-digit numbers (expired private passports of the 1990s)
 * are not accepted: as bare digits they cannot be told from any other number.
 */
#include "detect/checks.h"

static int digits_only(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9')
      return 0;
  return 1;
}

static char lower(char c) {
  return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* The rest of the number after its letter prefix: want digits, n of them. */
static lv_check expect_digits(const char *s, size_t n, size_t want_lo,
                              size_t want_hi) {
  if (!digits_only(s, n))
    return LV_CHECK_FORMAT;
  if (n < want_lo || n > want_hi)
    return LV_CHECK_LENGTH;
  return LV_CHECK_OK;
}

lv_check lv_check_cn_passport(const char *s, size_t n) {
  char c0, c1;
  if (n < 8 || n > 9)
    return LV_CHECK_LENGTH;
  c0 = lower(s[0]);
  c1 = lower(s[1]);
  switch (c0) {
  case 'e':
    if (c1 >= 'a' && c1 <= 'z') {
      if (c1 == 'i' || c1 == 'o')
        return LV_CHECK_PREFIX;
      return expect_digits(s + 2, n - 2, 7, 7);
    }
    return expect_digits(s + 1, n - 1, 8, 8);
  case 'g': return expect_digits(s + 1, n - 1, 8, 8);
  case 'd':
  case 's':
  case 'p':
    if (c1 == 'e')
      return expect_digits(s + 2, n - 2, 7, 7);
    return expect_digits(s + 1, n - 1, 7, c0 == 's' ? 8 : 7);
  default: return LV_CHECK_PREFIX;
  }
}
