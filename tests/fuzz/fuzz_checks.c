/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_checks.c: libFuzzer target for the identifier validators
 * (detect/checks.h). Every validator sees the same arbitrary bytes; besides
 * the sanitizers' checks it traps when a validator accepts a candidate whose
 * length its format cannot have.
 */
#include <stddef.h>
#include <stdint.h>

#include "detect/checks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *s = (const char *)data;
  unsigned code = 0;

  if (lv_check_resident_id(s, size) == LV_CHECK_OK && size != 15 && size != 18)
    __builtin_trap();
  if (lv_check_uscc(s, size) == LV_CHECK_OK && size != 18)
    __builtin_trap();
  if (lv_check_bank_card(s, size) == LV_CHECK_OK && (size < 13 || size > 19))
    __builtin_trap();
  if (lv_check_cn_mobile(s, size) == LV_CHECK_OK && size != 11)
    __builtin_trap();
  if (lv_check_cn_passport(s, size) == LV_CHECK_OK && (size < 8 || size > 9))
    __builtin_trap();
  if (lv_check_email(s, size) == LV_CHECK_OK && (size < 6 || size > 254))
    __builtin_trap();
  (void)lv_check_luhn(s, size);
  (void)lv_check_reason(lv_check_resident_id_at(s, size, (int64_t)size));
  for (size_t i = 0; i < size && i < 4; i++)
    code = code << 8 | data[i];
  (void)lv_gb2260_known(code);
  (void)lv_gb2260_name(code % 1000000u);
  return 0;
}
