/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_checks.c: unit tests for the identifier validators (detect/checks.h)
 * and the GB/T 2260 table (detect/gb2260.c).
 *
 * Every expectation below was computed with python3-stdnum (cn.ric,
 * cn.uscc, luhn) or worked out by hand from the rule cited in the validator;
 * none is a guess. Run without arguments for the cmocka suite.
 *
 * With `--vectors FILE` it instead checks lines of
 * `kind<TAB>value<TAB>expected_valid` (kind: ric, uscc, luhn, bank_card,
 * mobile, passport, email; expected_valid 0 or 1) against the C functions and
 * fails on any disagreement; tests/integration/stdnum_diff.py writes such
 * files from python-stdnum.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "detect/checks.h"

#define EXPECT(fn, str, want) assert_int_equal(fn(str, strlen(str)), want)

/* 2024-06-01 00:00:00 China Standard Time == 2024-05-31 16:00:00 UTC. */
#define JUNE_1_2024_CST INT64_C(1717171200)

#define RIC_AT(str, now) lv_check_resident_id_at(str, strlen(str), now)

static void test_reason(void **state) {
  (void)state;
  assert_string_equal(lv_check_reason(LV_CHECK_OK), "valid");
  assert_string_equal(lv_check_reason(LV_CHECK_CHECKSUM), "bad checksum");
  assert_string_equal(lv_check_reason(LV_CHECK_REGION), "unknown region");
  assert_string_equal(lv_check_reason((lv_check)99), "unknown check result");
}

static void test_gb2260(void **state) {
  unsigned count = 0;
  (void)state;
  assert_true(lv_gb2260_known(110105));
  assert_true(lv_gb2260_known(440305));
  assert_true(lv_gb2260_known(659001));
  assert_false(lv_gb2260_known(0));
  assert_false(lv_gb2260_known(110100)); /* prefecture rows are not listed */
  assert_false(lv_gb2260_known(999999));
  assert_false(lv_gb2260_known(1000000));
  assert_false(lv_gb2260_known(4294967295u));
  for (unsigned c = 0; c < 1000000; c++)
    count += (unsigned)lv_gb2260_known(c);
  /* lines in data/gb2260.tsv, plus data/gb2260_additions.tsv */
  assert_int_equal(count, 3377 + 5);
  assert_true(lv_gb2260_known(441900));            /* 东莞市, an addition */
  assert_true(lv_gb2260_prefecture_known(110118)); /* 密云区, 2015 */
  assert_false(lv_gb2260_prefecture_known(990101));

  assert_string_equal(lv_gb2260_name(440305), "广东省 深圳市 南山区");
  assert_string_equal(lv_gb2260_name(110105), "北京市 朝阳区");
  assert_string_equal(lv_gb2260_name(429004), "湖北省 仙桃市");
  assert_string_equal(lv_gb2260_name(620201), "甘肃省 嘉峪关市");
  assert_null(lv_gb2260_name(999999));
  assert_null(lv_gb2260_name(1000000));
}

static void test_resident_id_valid(void **state) {
  (void)state;
  EXPECT(lv_check_resident_id, "11010519491231002X", LV_CHECK_OK);
  EXPECT(lv_check_resident_id, "11010519491231002x", LV_CHECK_OK);
  EXPECT(lv_check_resident_id, "440305198001010013", LV_CHECK_OK);
  EXPECT(lv_check_resident_id, "360426199101010071", LV_CHECK_OK);
  /* Leap days: 2000 and 2024 are leap years. */
  EXPECT(lv_check_resident_id, "110105200002290013", LV_CHECK_OK);
  EXPECT(lv_check_resident_id, "110105202402290011", LV_CHECK_OK);
  /* 15-digit first-generation IDs: 1949-12-31, no check digit. */
  EXPECT(lv_check_resident_id, "110105491231002", LV_CHECK_OK);
}

static void test_resident_id_invalid(void **state) {
  (void)state;
  /* Wrong check digit (the right one is X). */
  EXPECT(lv_check_resident_id, "110105194912310021", LV_CHECK_CHECKSUM);
  EXPECT(lv_check_resident_id, "440305198001010012", LV_CHECK_CHECKSUM);
  /* Right check digits, impossible dates: 2023-02-29, 1990-02-30, and
   * 1900-02-29 (1900 is not a leap year). */
  EXPECT(lv_check_resident_id, "110105202302290014", LV_CHECK_DATE);
  EXPECT(lv_check_resident_id, "11010519900230001X", LV_CHECK_DATE);
  EXPECT(lv_check_resident_id, "110105190002290017", LV_CHECK_DATE);
  /* Right check digit, real dates out of range: 1899 and 2099. */
  EXPECT(lv_check_resident_id, "110105189912310015", LV_CHECK_DATE);
  EXPECT(lv_check_resident_id, "110105209901010012", LV_CHECK_DATE);
  /* Right check digit, address codes not in the table. */
  EXPECT(lv_check_resident_id, "999999199001010016", LV_CHECK_REGION);
  EXPECT(lv_check_resident_id, "000000199001010018", LV_CHECK_REGION);
  EXPECT(lv_check_resident_id, "110100200001010014", LV_CHECK_REGION);
  /* 15-digit: 1949-02-30 and an unknown region. */
  EXPECT(lv_check_resident_id, "110105490230002", LV_CHECK_DATE);
  EXPECT(lv_check_resident_id, "999999491231002", LV_CHECK_REGION);
  EXPECT(lv_check_resident_id, "11010549123100a", LV_CHECK_FORMAT);
  /* Format and length. */
  EXPECT(lv_check_resident_id, "11010519491231002A", LV_CHECK_FORMAT);
  EXPECT(lv_check_resident_id, "1101051949123100X2", LV_CHECK_FORMAT);
  EXPECT(lv_check_resident_id, "11010519491231002", LV_CHECK_LENGTH);
  EXPECT(lv_check_resident_id, "11010519491231002X1", LV_CHECK_LENGTH);
  EXPECT(lv_check_resident_id, "", LV_CHECK_LENGTH);
  assert_int_equal(lv_check_resident_id(NULL, 0), LV_CHECK_LENGTH);
}

static void test_resident_id_today(void **state) {
  (void)state;
  /* Born 2024-06-01: valid from that day on in China Standard Time. */
  assert_int_equal(RIC_AT("110105202406010013", JUNE_1_2024_CST), LV_CHECK_OK);
  assert_int_equal(RIC_AT("110105202406010013", JUNE_1_2024_CST - 1),
                   LV_CHECK_DATE);
  assert_int_equal(RIC_AT("110105202406010013", JUNE_1_2024_CST + 86400 * 365),
                   LV_CHECK_OK);
  /* Times before 1970 floor correctly: 1949-12-31 00:00 CST is
   * -631267200 s. */
  assert_int_equal(RIC_AT("11010519491231002X", INT64_C(-631267200)),
                   LV_CHECK_OK);
  assert_int_equal(RIC_AT("11010519491231002X", INT64_C(-631267201)),
                   LV_CHECK_DATE);
}

static void test_luhn(void **state) {
  (void)state;
  EXPECT(lv_check_luhn, "79927398713", LV_CHECK_OK);
  EXPECT(lv_check_luhn, "79927398710", LV_CHECK_CHECKSUM);
  EXPECT(lv_check_luhn, "0", LV_CHECK_OK);
  EXPECT(lv_check_luhn, "1", LV_CHECK_CHECKSUM);
  EXPECT(lv_check_luhn, "12a", LV_CHECK_FORMAT);
  EXPECT(lv_check_luhn, "", LV_CHECK_LENGTH);
}

static void test_bank_card_valid(void **state) {
  (void)state;
  EXPECT(lv_check_bank_card, "6225880137008000", LV_CHECK_OK); /* CMB 62 */
  EXPECT(lv_check_bank_card, "6222020200000000006", LV_CHECK_OK);
  EXPECT(lv_check_bank_card, "62000000000000000", LV_CHECK_OK); /* 17 */
  EXPECT(lv_check_bank_card, "4111111111111111", LV_CHECK_OK);  /* Visa */
  EXPECT(lv_check_bank_card, "4000000000000000006", LV_CHECK_OK);
  EXPECT(lv_check_bank_card, "5555555555554444", LV_CHECK_OK); /* MC */
  EXPECT(lv_check_bank_card, "2223003122003222", LV_CHECK_OK); /* MC 2 */
  EXPECT(lv_check_bank_card, "378282246310005", LV_CHECK_OK);  /* Amex */
  EXPECT(lv_check_bank_card, "3530111333300000", LV_CHECK_OK); /* JCB */
  EXPECT(lv_check_bank_card, "352800000000000007", LV_CHECK_OK);
  EXPECT(lv_check_bank_card, "6011111111111117", LV_CHECK_OK); /* Disc. */
  EXPECT(lv_check_bank_card, "30569309025904", LV_CHECK_OK);   /* Diners */
  /* Older domestic BINs. */
  EXPECT(lv_check_bank_card, "9558800000000000018", LV_CHECK_OK); /* ICBC */
  EXPECT(lv_check_bank_card, "9559900000000000015", LV_CHECK_OK); /* ABC */
  EXPECT(lv_check_bank_card, "6013820000000000013", LV_CHECK_OK); /* BOC */
  EXPECT(lv_check_bank_card, "60142800000000006", LV_CHECK_OK);   /* BoCom */
  EXPECT(lv_check_bank_card, "9555500000000009", LV_CHECK_OK);    /* CMB */
  EXPECT(lv_check_bank_card, "9988010000000006", LV_CHECK_OK);    /* PAB */
  EXPECT(lv_check_bank_card, "3030000000000008", LV_CHECK_OK);    /* CEB */
}

static void test_bank_card_invalid(void **state) {
  (void)state;
  EXPECT(lv_check_bank_card, "6225880137008009", LV_CHECK_CHECKSUM);
  EXPECT(lv_check_bank_card, "4111111111111112", LV_CHECK_CHECKSUM);
  /* Luhn-valid, but no issuer uses the prefix. */
  EXPECT(lv_check_bank_card, "1234567812345670", LV_CHECK_PREFIX);
  EXPECT(lv_check_bank_card, "7012345678901232", LV_CHECK_PREFIX);
  EXPECT(lv_check_bank_card, "99999999999993", LV_CHECK_PREFIX);
  /* Luhn-valid, known issuer, a length it does not use. */
  EXPECT(lv_check_bank_card, "3712345678901234", LV_CHECK_LENGTH); /* Amex */
  EXPECT(lv_check_bank_card, "40000000000002", LV_CHECK_LENGTH);   /* Visa */
  EXPECT(lv_check_bank_card, "6014280000000009", LV_CHECK_LENGTH); /* BoCom */
  EXPECT(lv_check_bank_card, "622588013700804", LV_CHECK_LENGTH);  /* 15 */
  /* Overall length and format. */
  EXPECT(lv_check_bank_card, "411111111111", LV_CHECK_LENGTH);
  EXPECT(lv_check_bank_card, "62258801370080000000", LV_CHECK_LENGTH);
  EXPECT(lv_check_bank_card, "6225 8801 3700 8000", LV_CHECK_FORMAT);
  EXPECT(lv_check_bank_card, "", LV_CHECK_LENGTH);
}

static void test_uscc(void **state) {
  (void)state;
  EXPECT(lv_check_uscc, "91110000600037341L", LV_CHECK_OK);
  EXPECT(lv_check_uscc, "91110000600037341l", LV_CHECK_OK);
  EXPECT(lv_check_uscc, "91350200MA2YJ1XR9G", LV_CHECK_OK);
  EXPECT(lv_check_uscc, "91350200ma2yj1xr9g", LV_CHECK_OK);
  EXPECT(lv_check_uscc, "91230184MA1BUFLT44", LV_CHECK_OK);
  EXPECT(lv_check_uscc, "92371000MA3MXH0E3W", LV_CHECK_OK);
  EXPECT(lv_check_uscc, "93110000600037341E", LV_CHECK_OK);
  EXPECT(lv_check_uscc, "11110000600037341W", LV_CHECK_OK);
  EXPECT(lv_check_uscc, "511000005000003270", LV_CHECK_OK); /* region 10 */
  /* Letters for department: python-stdnum rejects them (digits only in
   * positions 1-8) but GB 32100 defines A, N and Y. */
  EXPECT(lv_check_uscc, "A1110000600037341K", LV_CHECK_OK);
  EXPECT(lv_check_uscc, "N11100006000373417", LV_CHECK_OK);
  EXPECT(lv_check_uscc, "Y1110000600037341Y", LV_CHECK_OK);

  EXPECT(lv_check_uscc, "91110000600037341M", LV_CHECK_CHECKSUM);
  EXPECT(lv_check_uscc, "91350203M0001QAY9B", LV_CHECK_CHECKSUM);
  /* Check character right, department/type pair undefined. */
  EXPECT(lv_check_uscc, "94110000600037341B", LV_CHECK_PREFIX);
  EXPECT(lv_check_uscc, "B1110000600037341J", LV_CHECK_PREFIX);
  EXPECT(lv_check_uscc, "Y2110000600037341U", LV_CHECK_PREFIX);
  /* Check character right, province part 99 does not exist. */
  EXPECT(lv_check_uscc, "91990000600037341B", LV_CHECK_REGION);
  /* Letter in the region code; I, O, S, V, Z; length. */
  EXPECT(lv_check_uscc, "9211A000600037341D", LV_CHECK_FORMAT);
  EXPECT(lv_check_uscc, "91110000600037341I", LV_CHECK_FORMAT);
  EXPECT(lv_check_uscc, "9111000060003734OL", LV_CHECK_FORMAT);
  EXPECT(lv_check_uscc, "91110000600037341S", LV_CHECK_FORMAT);
  EXPECT(lv_check_uscc, "91110000600037341V", LV_CHECK_FORMAT);
  EXPECT(lv_check_uscc, "Z1110000600037341L", LV_CHECK_FORMAT);
  EXPECT(lv_check_uscc, "91110000600037341-", LV_CHECK_FORMAT);
  EXPECT(lv_check_uscc, "91110000600037341", LV_CHECK_LENGTH);
  EXPECT(lv_check_uscc, "91110000600037341LL", LV_CHECK_LENGTH);
}

static void test_mobile(void **state) {
  /* The allocated segments, spelled out per 1xy (see check_mobile.c). */
  static const char *const allocated[] = {
      "130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
      "145", "146", "147", "148", "149", "150", "151", "152", "153", "155",
      "156", "157", "158", "159", "162", "165", "166", "167", "170", "171",
      "172", "173", "175", "176", "177", "178", "180", "181", "182", "183",
      "184", "185", "186", "187", "188", "189", "190", "191", "192", "193",
      "195", "196", "197", "198", "199"};
  char num[12];
  (void)state;
  for (int seg = 100; seg <= 199; seg++) {
    int want = 0;
    if (seg == 174)
      continue;
    snprintf(num, sizeof num, "%d12345678", seg);
    for (size_t i = 0; i < sizeof allocated / sizeof allocated[0]; i++)
      if (atoi(allocated[i]) == seg)
        want = 1;
    assert_int_equal(lv_check_cn_mobile(num, 11),
                     want ? LV_CHECK_OK : LV_CHECK_PREFIX);
  }
  EXPECT(lv_check_cn_mobile, "13912345678", LV_CHECK_OK);
  EXPECT(lv_check_cn_mobile, "12345678901", LV_CHECK_PREFIX);
  EXPECT(lv_check_cn_mobile, "15412345678", LV_CHECK_PREFIX);
  EXPECT(lv_check_cn_mobile, "17400123456", LV_CHECK_OK);
  EXPECT(lv_check_cn_mobile, "17405123456", LV_CHECK_OK);
  EXPECT(lv_check_cn_mobile, "17406123456", LV_CHECK_PREFIX);
  EXPECT(lv_check_cn_mobile, "17410123456", LV_CHECK_PREFIX);
  EXPECT(lv_check_cn_mobile, "23912345678", LV_CHECK_PREFIX);
  EXPECT(lv_check_cn_mobile, "03912345678", LV_CHECK_PREFIX);
  EXPECT(lv_check_cn_mobile, "1391234567", LV_CHECK_LENGTH);
  EXPECT(lv_check_cn_mobile, "139123456789", LV_CHECK_LENGTH);
  EXPECT(lv_check_cn_mobile, "1391234567a", LV_CHECK_FORMAT);
  EXPECT(lv_check_cn_mobile, "+8613912345", LV_CHECK_FORMAT);
}

static void test_passport(void **state) {
  (void)state;
  EXPECT(lv_check_cn_passport, "E12345678", LV_CHECK_OK);
  EXPECT(lv_check_cn_passport, "e12345678", LV_CHECK_OK);
  EXPECT(lv_check_cn_passport, "EA1234567", LV_CHECK_OK);
  EXPECT(lv_check_cn_passport, "ea1234567", LV_CHECK_OK);
  EXPECT(lv_check_cn_passport, "EZ1234567", LV_CHECK_OK);
  EXPECT(lv_check_cn_passport, "G12345678", LV_CHECK_OK);
  EXPECT(lv_check_cn_passport, "D1234567", LV_CHECK_OK);
  EXPECT(lv_check_cn_passport, "S1234567", LV_CHECK_OK);
  EXPECT(lv_check_cn_passport, "S12345678", LV_CHECK_OK);
  EXPECT(lv_check_cn_passport, "P1234567", LV_CHECK_OK);
  EXPECT(lv_check_cn_passport, "DE1234567", LV_CHECK_OK);
  EXPECT(lv_check_cn_passport, "se1234567", LV_CHECK_OK);
  EXPECT(lv_check_cn_passport, "PE1234567", LV_CHECK_OK);

  EXPECT(lv_check_cn_passport, "EI1234567", LV_CHECK_PREFIX);
  EXPECT(lv_check_cn_passport, "EO1234567", LV_CHECK_PREFIX);
  EXPECT(lv_check_cn_passport, "X12345678", LV_CHECK_PREFIX);
  EXPECT(lv_check_cn_passport, "141234567", LV_CHECK_PREFIX);
  EXPECT(lv_check_cn_passport, "D12345678", LV_CHECK_LENGTH);
  EXPECT(lv_check_cn_passport, "P12345678", LV_CHECK_LENGTH);
  EXPECT(lv_check_cn_passport, "E1234567", LV_CHECK_LENGTH);
  EXPECT(lv_check_cn_passport, "G1234567", LV_CHECK_LENGTH);
  EXPECT(lv_check_cn_passport, "DE123456", LV_CHECK_LENGTH);
  EXPECT(lv_check_cn_passport, "E123456789", LV_CHECK_LENGTH);
  EXPECT(lv_check_cn_passport, "E1234567a", LV_CHECK_FORMAT);
  EXPECT(lv_check_cn_passport, "EA123456Z", LV_CHECK_FORMAT);
  EXPECT(lv_check_cn_passport, "E-2345678", LV_CHECK_FORMAT);
  EXPECT(lv_check_cn_passport, "", LV_CHECK_LENGTH);
}

static void test_email(void **state) {
  char buf[400];
  (void)state;
  EXPECT(lv_check_email, "a@b.co", LV_CHECK_OK);
  EXPECT(lv_check_email, "zhang.san+tag@example.com.cn", LV_CHECK_OK);
  EXPECT(lv_check_email, "x!#$%&'*+-/=?^_`{|}~@mail-1.example.org",
         LV_CHECK_OK);
  EXPECT(lv_check_email, "li@xn--fiqs8s.xn--fiqs8s", LV_CHECK_OK);
  EXPECT(lv_check_email, "Li.Si@QQ.COM", LV_CHECK_OK);

  EXPECT(lv_check_email, "a@b", LV_CHECK_FORMAT);
  EXPECT(lv_check_email, "a@xn--fiqs8s", LV_CHECK_FORMAT);
  EXPECT(lv_check_email, "a@b.c", LV_CHECK_FORMAT);
  EXPECT(lv_check_email, "a@b.c1", LV_CHECK_FORMAT);
  EXPECT(lv_check_email, "a@b.xn--", LV_CHECK_FORMAT);
  EXPECT(lv_check_email, "a@-b.co", LV_CHECK_FORMAT);
  EXPECT(lv_check_email, "a@b-.co", LV_CHECK_FORMAT);
  EXPECT(lv_check_email, "a@b..co", LV_CHECK_FORMAT);
  EXPECT(lv_check_email, "a@b.co.", LV_CHECK_FORMAT);
  EXPECT(lv_check_email, "a@.b.co", LV_CHECK_FORMAT);
  EXPECT(lv_check_email, "a@b_c.co", LV_CHECK_FORMAT);
  EXPECT(lv_check_email, "a@@b.co", LV_CHECK_FORMAT);
  EXPECT(lv_check_email, "a@b@c.co", LV_CHECK_FORMAT);
  EXPECT(lv_check_email, ".a@b.co", LV_CHECK_FORMAT);
  EXPECT(lv_check_email, "a.@b.co", LV_CHECK_FORMAT);
  EXPECT(lv_check_email, "a..b@b.co", LV_CHECK_FORMAT);
  EXPECT(lv_check_email, "a b@b.co", LV_CHECK_FORMAT);
  EXPECT(lv_check_email, "a\"b@b.co", LV_CHECK_FORMAT);
  EXPECT(lv_check_email, "ab.co", LV_CHECK_FORMAT);
  EXPECT(lv_check_email, "@b.co", LV_CHECK_LENGTH);
  EXPECT(lv_check_email, "a@", LV_CHECK_LENGTH);
  EXPECT(lv_check_email, "", LV_CHECK_FORMAT);

  /* Local part: 64 bytes pass, 65 do not. */
  memset(buf, 'a', 64);
  strcpy(buf + 64, "@b.co");
  EXPECT(lv_check_email, buf, LV_CHECK_OK);
  memset(buf, 'a', 65);
  strcpy(buf + 65, "@b.co");
  EXPECT(lv_check_email, buf, LV_CHECK_LENGTH);
  /* Label: 63 bytes pass, 64 do not. */
  strcpy(buf, "a@");
  memset(buf + 2, 'b', 63);
  strcpy(buf + 65, ".co");
  EXPECT(lv_check_email, buf, LV_CHECK_OK);
  memset(buf + 2, 'b', 64);
  strcpy(buf + 66, ".co");
  EXPECT(lv_check_email, buf, LV_CHECK_LENGTH);
  /* Whole address: 254 bytes pass, 255 do not (labels of 49 + dot). */
  strcpy(buf, "a@");
  for (int i = 0; i < 5; i++) {
    memset(buf + 2 + i * 50, 'b', 49);
    buf[2 + i * 50 + 49] = '.';
  }
  strcpy(buf + 252, "co"); /* 254 bytes, domain 252 */
  EXPECT(lv_check_email, buf, LV_CHECK_OK);
  buf[0] = 'a';
  memmove(buf + 1, buf, strlen(buf) + 1); /* "aa@...": 255 bytes */
  EXPECT(lv_check_email, buf, LV_CHECK_LENGTH);
}

/* --vectors mode ------------------------------------------------------- */

typedef lv_check (*check_fn)(const char *s, size_t n);

static check_fn vector_fn(const char *kind) {
  static const struct {
    const char *kind;
    check_fn fn;
  } kinds[] = {
      {"ric", lv_check_resident_id},  {"uscc", lv_check_uscc},
      {"luhn", lv_check_luhn},        {"bank_card", lv_check_bank_card},
      {"mobile", lv_check_cn_mobile}, {"passport", lv_check_cn_passport},
      {"email", lv_check_email},
  };
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    if (strcmp(kinds[i].kind, kind) == 0)
      return kinds[i].fn;
  return NULL;
}

static int run_vectors(const char *path) {
  char line[1024];
  unsigned long lineno = 0, passed = 0, failed = 0;
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    fprintf(stderr, "test_checks: cannot open %s\n", path);
    return 2;
  }
  while (fgets(line, sizeof line, f) != NULL) {
    char *kind = line, *value, *want, *end;
    check_fn fn;
    lv_check rc;
    lineno++;
    line[strcspn(line, "\r\n")] = '\0';
    if (line[0] == '\0' || line[0] == '#')
      continue;
    value = strchr(kind, '\t');
    want = value != NULL ? strchr(value + 1, '\t') : NULL;
    if (want == NULL) {
      fprintf(stderr, "%s:%lu: malformed line\n", path, lineno);
      failed++;
      continue;
    }
    *value++ = '\0';
    *want++ = '\0';
    fn = vector_fn(kind);
    if (fn == NULL || (strcmp(want, "0") != 0 && strcmp(want, "1") != 0)) {
      fprintf(stderr, "%s:%lu: bad kind or expectation\n", path, lineno);
      failed++;
      continue;
    }
    end = value + strlen(value);
    rc = fn(value, (size_t)(end - value));
    if ((rc == LV_CHECK_OK) == (want[0] == '1')) {
      passed++;
    } else {
      if (failed < 50)
        fprintf(stderr, "%s:%lu: %s %s: expected %s, got %s\n", path, lineno,
                kind, value, want[0] == '1' ? "valid" : "invalid",
                lv_check_reason(rc));
      failed++;
    }
  }
  fclose(f);
  printf("%lu passed, %lu failed\n", passed, failed);
  return failed == 0 && passed > 0 ? 0 : 1;
}

int main(int argc, char **argv) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_reason),
      cmocka_unit_test(test_gb2260),
      cmocka_unit_test(test_resident_id_valid),
      cmocka_unit_test(test_resident_id_invalid),
      cmocka_unit_test(test_resident_id_today),
      cmocka_unit_test(test_luhn),
      cmocka_unit_test(test_bank_card_valid),
      cmocka_unit_test(test_bank_card_invalid),
      cmocka_unit_test(test_uscc),
      cmocka_unit_test(test_mobile),
      cmocka_unit_test(test_passport),
      cmocka_unit_test(test_email),
  };
  if (argc == 3 && strcmp(argv[1], "--vectors") == 0)
    return run_vectors(argv[2]);
  if (argc != 1) {
    fprintf(stderr, "usage: test_checks [--vectors FILE]\n");
    return 2;
  }
  return cmocka_run_group_tests(tests, NULL, NULL);
}
