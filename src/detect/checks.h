/* SPDX-License-Identifier: Apache-2.0 */
/*
 * checks.h: validators that confirm identifier candidates.
 *
 * The detectors' multi-pattern scan only proposes candidates; these pure
 * functions decide whether a candidate really is a resident ID, bank card,
 * unified social credit code, mobile number, passport number or e-mail
 * address (DESIGN.md, "Candidates, then validation").
 *
 * Every function takes the candidate bytes exactly as they appear in the
 * NORMALIZED text (ASCII after NFKC and lowercase folding), so lowercase
 * letters are accepted wherever the identifier uses capitals ('x' in resident
 * IDs, letters in USCCs and passports). Separators (spaces, dashes) have
 * already been removed by the caller. The bytes are borrowed and need not be
 * NUL-terminated; s may be NULL when n is 0.
 *
 * All functions run in O(n), allocate nothing, read no locale and keep no
 * state between calls, so they may be called from any thread. The only
 * shared state is the GB/T 2260 table, parsed once on first use.
 */
#ifndef LV_DETECT_CHECKS_H
#define LV_DETECT_CHECKS_H

#include <stddef.h>
#include <stdint.h>

/* Outcome of a check: OK, or the first reason the candidate failed. */
typedef enum lv_check {
  LV_CHECK_OK = 0,
  LV_CHECK_FORMAT,   /* a character not allowed at its position */
  LV_CHECK_LENGTH,   /* wrong number of characters (or parts too long) */
  LV_CHECK_CHECKSUM, /* check character does not match */
  LV_CHECK_DATE,     /* embedded date impossible or in the future */
  LV_CHECK_REGION,   /* address / region code unknown */
  LV_CHECK_PREFIX    /* issuer, segment or type code not allocated */
} lv_check;

/* Short English description of c ("bad checksum"); never NULL. */
const char *lv_check_reason(lv_check c);

/*
 * PRC resident identity number (GB 11643-1999).
 * 18 characters: 6-digit GB/T 2260 address code known in the shipped table,
 * birth date YYYYMMDD (1900..2099, a real calendar day, not after today in
 * China Standard Time), 3-digit sequence, ISO 7064 MOD 11-2 check character
 * (0-9 or X/x). Also the 15-digit first-generation form: address code,
 * YYMMDD read as 19YY, 3-digit sequence, no check character.
 * lv_check_resident_id() takes "today" from time(); the _at variant takes
 * the current time as seconds since the Unix epoch (for tests).
 */
lv_check lv_check_resident_id(const char *s, size_t n);
lv_check lv_check_resident_id_at(const char *s, size_t n, int64_t now_unix);

/* Luhn (mod 10) check over n >= 1 ASCII digits. */
lv_check lv_check_luhn(const char *digits, size_t n);

/*
 * Payment card number: 13..19 digits, an issuer prefix levee knows with a
 * length that issuer uses (China UnionPay 62, the older domestic BINs of the
 * large Chinese banks, Visa, Mastercard, Amex, JCB, Discover, Diners), and a
 * valid Luhn check digit.
 */
lv_check lv_check_bank_card(const char *digits, size_t n);

/*
 * Unified social credit code (GB 32100-2015): 18 characters over
 * 0-9 A-H J-N P-R T U W-Y (either case), registration department and
 * organisation type pair defined by the standard, 6-digit region code with a
 * plausible province part, and the mod-31 check character.
 */
lv_check lv_check_uscc(const char *s, size_t n);

/* Mainland China mobile number: 11 digits in an allocated 1xx segment. */
lv_check lv_check_cn_mobile(const char *digits, size_t n);

/*
 * PRC passport number: E+8 digits, E+letter (not I/O)+7 digits, G+8 digits
 * (older ordinary passports), D+7, P+7, S+7 or S+8 digits (diplomatic,
 * public-affairs ordinary and service passports) and DE/SE/PE+7 digits
 * (their electronic versions). Letters in either case.
 */
lv_check lv_check_cn_passport(const char *s, size_t n);

/*
 * E-mail address, structural check (RFC 5321/5322 dot-atom form): local part
 * of 1..64 atext characters with single inner dots, domain of 1..253 bytes
 * made of at least two labels (1..63 letters, digits or hyphens, not
 * starting or ending with a hyphen), the last label alphabetic of 2+ letters
 * or an IDNA "xn--" label; whole address at most 254 bytes.
 */
lv_check lv_check_email(const char *s, size_t n);

/*
 * GB/T 2260 address codes shipped in data/gb2260.tsv (current and some
 * historical county-level codes). The table is parsed once, thread-safely,
 * on first use.
 */

/* Nonzero if code (a 6-digit number) is in the table. */
int lv_gb2260_known(unsigned code);
/* Nonzero if some code of code's prefecture (its first four digits) is in
 * the table: districts created after the table was compiled (110118 密云区,
 * 2015) keep their prefecture's digits. */
int lv_gb2260_prefecture_known(unsigned code);

/*
 * Place name for code, e.g. "广东省 深圳市 南山区" (UTF-8; the table's grouping
 * rows such as 市辖区 are left out), or NULL if the code is unknown or the
 * names could not be loaded. The string is static: never free it.
 */
const char *lv_gb2260_name(unsigned code);

#endif
