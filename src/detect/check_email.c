/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_email.c: structural validator for e-mail addresses.
 *
 * Confirms pii.email candidates (checks.h). Only the common dot-atom form is
 * accepted (RFC 5322 section 3.2.3 for the local part; RFC 5321 section
 * 4.5.3.1 for the sizes, RFC 1035/1123 for host labels): quoted local parts,
 * comments and address literals ([192.0.2.1]) are not what leaks in chat.
 * Limits: local part 1..64 bytes, domain 1..253 bytes, the whole address at
 * most 254 (the 256-byte path minus its angle brackets). The domain needs at
 * least two labels and a top-level label that is alphabetic (2+ letters) or
 * an IDNA A-label ("xn--..."). The input is ASCII, so internationalized
 * addresses appear here only in their A-label form.
 */
#include "detect/checks.h"

#define EMAIL_MAX_LOCAL 64
#define EMAIL_MAX_DOMAIN 253
#define EMAIL_MAX_TOTAL 254
#define EMAIL_MAX_LABEL 63

static int is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c) {
  return c >= '0' && c <= '9';
}

/* RFC 5322 atext: letters, digits and !#$%&'*+-/=?^_`{|}~ */
static int is_atext(char c) {
  static const char specials[] = "!#$%&'*+-/=?^_`{|}~";
  if (is_alpha(c) || is_digit(c))
    return 1;
  for (const char *p = specials; *p != '\0'; p++)
    if (c == *p)
      return 1;
  return 0;
}

static lv_check check_local(const char *s, size_t n) {
  if (n == 0 || n > EMAIL_MAX_LOCAL)
    return LV_CHECK_LENGTH;
  if (s[0] == '.' || s[n - 1] == '.')
    return LV_CHECK_FORMAT;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '.') {
      if (s[i + 1] == '.') /* i + 1 < n: s[n - 1] is not a dot */
        return LV_CHECK_FORMAT;
    } else if (!is_atext(s[i])) {
      return LV_CHECK_FORMAT;
    }
  }
  return LV_CHECK_OK;
}

/* True for a valid top-level label [s, s+n): letters only, or xn--. */
static int is_tld(const char *s, size_t n) {
  if (n > 4 && (s[0] == 'x' || s[0] == 'X') && (s[1] == 'n' || s[1] == 'N') &&
      s[2] == '-' && s[3] == '-')
    return 1;
  if (n < 2)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (!is_alpha(s[i]))
      return 0;
  return 1;
}

static lv_check check_domain(const char *s, size_t n) {
  size_t labels = 0, start = 0;
  if (n == 0 || n > EMAIL_MAX_DOMAIN)
    return LV_CHECK_LENGTH;
  for (size_t i = 0; i <= n; i++) {
    size_t len;
    if (i < n && s[i] != '.') {
      if (!is_alpha(s[i]) && !is_digit(s[i]) && s[i] != '-')
        return LV_CHECK_FORMAT;
      continue;
    }
    len = i - start;
    if (len == 0)
      return LV_CHECK_FORMAT;
    if (len > EMAIL_MAX_LABEL)
      return LV_CHECK_LENGTH;
    if (s[start] == '-' || s[i - 1] == '-')
      return LV_CHECK_FORMAT;
    labels++;
    if (i == n && !is_tld(s + start, len))
      return LV_CHECK_FORMAT;
    start = i + 1;
  }
  return labels >= 2 ? LV_CHECK_OK : LV_CHECK_FORMAT;
}

lv_check lv_check_email(const char *s, size_t n) {
  size_t at = n;
  lv_check rc;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '@') {
      if (at != n)
        return LV_CHECK_FORMAT; /* a second '@' */
      at = i;
    }
  }
  if (at == n)
    return LV_CHECK_FORMAT;
  if (n > EMAIL_MAX_TOTAL)
    return LV_CHECK_LENGTH;
  rc = check_local(s, at);
  if (rc != LV_CHECK_OK)
    return rc;
  return check_domain(s + at + 1, n - at - 1);
}
