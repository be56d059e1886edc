/* SPDX-License-Identifier: Apache-2.0 */
/*
 * checks.c: reason strings for the identifier validators (checks.h).
 *
 * Detectors put these in finding explanations, so they are short, stable
 * English phrases.
 */
#include "detect/checks.h"

const char *lv_check_reason(lv_check c) {
  switch (c) {
  case LV_CHECK_OK: return "valid";
  case LV_CHECK_FORMAT: return "bad format";
  case LV_CHECK_LENGTH: return "bad length";
  case LV_CHECK_CHECKSUM: return "bad checksum";
  case LV_CHECK_DATE: return "bad date";
  case LV_CHECK_REGION: return "unknown region";
  case LV_CHECK_PREFIX: return "unallocated prefix";
  }
  return "unknown check result";
}
