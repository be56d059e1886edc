/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_qr_classify.c: libFuzzer target for the classification of QR code
 * payloads (lv_qr_classify, src/extract/qr.c), whose bytes come from any
 * image a sender attaches.
 *
 * Any bytes go in as a payload. Besides the sanitizers' checks (the input
 * is an exact-size heap copy, so a read past its length is caught), every
 * run verifies and aborts on a violation:
 *   - the kind is one of lv_qr_kind's values, and its name one of the five;
 *   - ASCII case does not matter: the payload with its letters folded to
 *     lower case, and to upper case, is of the same kind;
 *   - white space around a payload does not matter;
 *   - only an http(s) URL is LV_QR_URL or LV_QR_ALIPAY, only a wxp:// or
 *     weixin:// payload is LV_QR_WECHAT_PAY;
 *   - a prefix of a payload that is not LV_QR_OTHER keeps the payload's
 *     scheme: a prefix is LV_QR_OTHER only when it is shorter than
 *     "wxp://" or "http:" (checked for the prefix one byte shorter).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract/qr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "fuzz_qr_classify: invariant failed: %s (line %d)\n",    \
              #cond, __LINE__);                                                \
      abort();                                                                 \
    }                                                                          \
  } while (0)

/* Whether s[0..n), after leading bytes up to ' ', begins with lit (lower
 * case), ASCII case ignored. */
static int trimmed_starts_with(const char *s, size_t n, const char *lit) {
  size_t i = 0;
  while (i < n && (unsigned char)s[i] <= ' ')
    i++;
  size_t k = strlen(lit);
  if (n - i < k)
    return 0;
  for (size_t j = 0; j < k; j++) {
    unsigned char c = (unsigned char)s[i + j];
    if (c >= 'A' && c <= 'Z')
      c = (unsigned char)(c - 'A' + 'a');
    if (c != (unsigned char)lit[j])
      return 0;
  }
  return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *s = (const char *)data;
  lv_qr_kind k = lv_qr_classify(s, size);
  CHECK(k == LV_QR_OTHER || k == LV_QR_URL || k == LV_QR_WECHAT_PAY ||
        k == LV_QR_ALIPAY || k == LV_QR_WECHAT_CONTACT);
  const char *name = lv_qr_kind_name(k);
  CHECK(!strcmp(name, "other") || !strcmp(name, "url") ||
        !strcmp(name, "wechat_pay") || !strcmp(name, "alipay") ||
        !strcmp(name, "wechat_contact"));

  int http = trimmed_starts_with(s, size, "http:") ||
             trimmed_starts_with(s, size, "https:");
  if (k == LV_QR_URL || k == LV_QR_ALIPAY)
    CHECK(http);
  if (k == LV_QR_WECHAT_PAY)
    CHECK(trimmed_starts_with(s, size, "wxp://") ||
          trimmed_starts_with(s, size, "weixin://wxpay/"));
  if (k == LV_QR_WECHAT_CONTACT)
    CHECK(http || trimmed_starts_with(s, size, "weixin://"));

  /* Case folding and surrounding white space. */
  char *copy = malloc(size + 4);
  if (!copy)
    return 0;
  for (size_t i = 0; i < size; i++) {
    unsigned char c = data[i];
    copy[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  CHECK(lv_qr_classify(copy, size) == k);
  for (size_t i = 0; i < size; i++) {
    unsigned char c = data[i];
    copy[i] = (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  }
  CHECK(lv_qr_classify(copy, size) == k);
  copy[0] = ' ';
  copy[1] = '\t';
  memcpy(copy + 2, data, size);
  copy[size + 2] = '\r';
  copy[size + 3] = '\n';
  CHECK(lv_qr_classify(copy, size + 4) == k);
  free(copy);

  /* A known scheme stays known when the last byte goes, unless the
   * scheme itself is cut. */
  if (size > 0 && http) {
    lv_qr_kind p = lv_qr_classify(s, size - 1);
    CHECK(p != LV_QR_WECHAT_PAY);
    if (trimmed_starts_with(s, size - 1, "http:"))
      CHECK(p == LV_QR_URL || p == LV_QR_ALIPAY || p == LV_QR_WECHAT_CONTACT);
  }
  return 0;
}
