/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_bank_card.c: Luhn and payment card validators.
 *
 * Confirms pii.bank_card candidates (checks.h). A card number must have an
 * issuer prefix levee knows, a length that issuer uses, and a valid Luhn
 * (ISO/IEC 7812-1 annex B) check digit. Requiring the prefix as well as Luhn
 * matters: one random digit string in ten passes Luhn alone.
 *
 * Issuer ranges are the card networks' IIN ranges as summarised in the
 * "Payment card number" IIN table on Wikipedia (en): Visa 4;
 * Mastercard 51-55 and 2221-2720; American Express 34, 37; JCB 3528-3589;
 * Discover 6011, 644-649, 65; Diners Club 300-305, 36, 38; China UnionPay 62.
 * Before UnionPay's 62 range (from 2002) the large Chinese banks issued
 * domestic cards on other BINs, many still in use; the ones listed below come
 * from the BIN tables published for payment integrations (e.g. the
 * hexindai/bcbc UnionPay BIN list), limited to the big national banks.
 */
#include "detect/checks.h"

#define LEN(n) (1u << (n))
#define LEN_RANGE(lo, hi) (((1u << ((hi) + 1)) - 1) & ~((1u << (lo)) - 1))
#define MIN_CARD_LEN 13
#define MAX_CARD_LEN 19

typedef struct card_range {
  unsigned char digits; /* how many leading digits lo..hi cover */
  unsigned lo, hi;      /* inclusive prefix range */
  unsigned lengths;     /* bit n set: n digits allowed */
} card_range;

static const card_range card_ranges[] = {
    /* Visa */
    {1, 4, 4, LEN(13) | LEN(16) | LEN(19)},
    /* Mastercard */
    {2, 51, 55, LEN(16)},
    {4, 2221, 2720, LEN(16)},
    /* American Express */
    {2, 34, 34, LEN(15)},
    {2, 37, 37, LEN(15)},
    /* JCB */
    {4, 3528, 3589, LEN_RANGE(16, 19)},
    /* Discover */
    {4, 6011, 6011, LEN_RANGE(16, 19)},
    {3, 644, 649, LEN_RANGE(16, 19)},
    {2, 65, 65, LEN_RANGE(16, 19)},
    /* Diners Club */
    {3, 300, 305, LEN_RANGE(14, 19)},
    {2, 36, 36, LEN_RANGE(14, 19)},
    {2, 38, 38, LEN_RANGE(14, 19)},
    /* China UnionPay */
    {2, 62, 62, LEN_RANGE(16, 19)},
    /* Older domestic BINs of Chinese banks, with the length they use. */
    {5, 95588, 95588, LEN(19)},   /* ICBC debit */
    {5, 95595, 95599, LEN(19)},   /* Agricultural Bank of China debit */
    {3, 103, 103, LEN(19)},       /* Agricultural Bank of China debit */
    {6, 955100, 955100, LEN(19)}, /* Postal Savings Bank debit */
    {5, 95555, 95555, LEN(16)},   /* China Merchants Bank debit */
    {6, 601382, 601382, LEN(19)}, /* Bank of China debit */
    {6, 601427, 601427, LEN(19)}, /* Agricultural Bank of China debit */
    {6, 601428, 601428, LEN(17)}, /* Bank of Communications debit */
    {4, 9111, 9111, LEN(19)},     /* China Guangfa Bank debit */
    {6, 966666, 966666, LEN(18)}, /* Industrial Bank debit */
    {6, 998800, 998802, LEN(16)}, /* Ping An Bank */
    {3, 303, 303, LEN(16)},       /* China Everbright Bank debit */
};

static int all_digits(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9')
      return 0;
  return 1;
}

lv_check lv_check_luhn(const char *digits, size_t n) {
  unsigned sum = 0;
  if (n == 0)
    return LV_CHECK_LENGTH;
  if (!all_digits(digits, n))
    return LV_CHECK_FORMAT;
  /* From the right: every second digit doubled, 10..18 folded to 1..9. */
  for (size_t i = 0; i < n; i++) {
    unsigned d = (unsigned)(digits[n - 1 - i] - '0');
    if (i & 1) {
      d *= 2;
      if (d > 9)
        d -= 9;
    }
    sum += d;
  }
  return sum % 10 == 0 ? LV_CHECK_OK : LV_CHECK_CHECKSUM;
}

lv_check lv_check_bank_card(const char *digits, size_t n) {
  unsigned prefix[7] = {0}; /* prefix[k]: the first k digits as a number */
  int prefix_known = 0, length_ok = 0;

  if (!all_digits(digits, n))
    return LV_CHECK_FORMAT;
  if (n < MIN_CARD_LEN || n > MAX_CARD_LEN)
    return LV_CHECK_LENGTH;
  for (size_t k = 1; k < 7; k++)
    prefix[k] = prefix[k - 1] * 10 + (unsigned)(digits[k - 1] - '0');
  for (size_t i = 0; i < sizeof card_ranges / sizeof card_ranges[0]; i++) {
    const card_range *r = &card_ranges[i];
    unsigned p = prefix[r->digits];
    if (p < r->lo || p > r->hi)
      continue;
    prefix_known = 1;
    if (r->lengths & LEN(n))
      length_ok = 1;
  }
  if (!prefix_known)
    return LV_CHECK_PREFIX;
  if (!length_ok)
    return LV_CHECK_LENGTH;
  return lv_check_luhn(digits, n);
}
