/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_qr.c: QR codes in images (src/extract/qr.c): decoding with zbar
 * through Leptonica pixels of every depth, the bounds of util/limits.h, and
 * the classification of payloads.
 *
 * The images are fixtures in tests/unit/data/qr/, made by make.sh there
 * with qrencode and ImageMagick and kept in the tree (a few KB each), so
 * this test depends on neither tool. Large images are composed here in
 * memory from a fixture.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <leptonica/allheaders.h>

#include "extract/qr.h"
#include "util/limits.h"
#include "util/utf8.h"

#define DATA "tests/unit/data/qr/"

/* What the callback saw: every payload (copied, NUL-terminated), and the
 * value it returns on its stop_at-th call (counting from 1; 0: never). */
typedef struct seen {
  int calls;
  char *payload[32];
  size_t len[32];
  int stop_at;
  int stop_rc;
} seen;

static int collect(void *ud, const char *payload, size_t len) {
  seen *s = ud;
  assert_non_null(payload);
  assert_true(len <= LV_MAX_QR_PAYLOAD_BYTES);
  if (s->calls < 32) {
    char *copy = malloc(len + 1);
    assert_non_null(copy);
    memcpy(copy, payload, len);
    copy[len] = '\0';
    s->payload[s->calls] = copy;
    s->len[s->calls] = len;
  }
  s->calls++;
  return s->calls == s->stop_at ? s->stop_rc : 0;
}

static void seen_free(seen *s) {
  for (int i = 0; i < s->calls && i < 32; i++)
    free(s->payload[i]);
}

static PIX *read_fixture(const char *name) {
  char path[256];
  snprintf(path, sizeof path, DATA "%s", name);
  PIX *pix = pixRead(path);
  if (!pix)
    fprintf(stderr, "cannot read %s\n", path);
  assert_non_null(pix);
  return pix;
}

/* Decodes a PIX (destroying it) into s; returns lv_qr_decode's status. */
static int decode_pix(PIX *pix, seen *s) {
  levee_error err = {0, ""};
  int rc = lv_qr_decode(pix, collect, s, &err);
  if (rc < 0 && err.message[0])
    fprintf(stderr, "lv_qr_decode: %d %s\n", rc, err.message);
  pixDestroy(&pix);
  return rc;
}

/* Decodes a fixture that holds one code: its payload must be want, of
 * kind k. */
static void decode_one(const char *name, const char *want, lv_qr_kind k) {
  seen s = {0};
  assert_int_equal(decode_pix(read_fixture(name), &s), LEVEE_OK);
  assert_int_equal(s.calls, 1);
  assert_int_equal(s.len[0], strlen(want));
  assert_string_equal(s.payload[0], want);
  assert_int_equal(lv_qr_classify(s.payload[0], s.len[0]), k);
  seen_free(&s);
}

/* A white w x h page with fixture name drawn at (x, y), each module
 * scale x scale pixels. */
static PIX *page_with_code(l_int32 w, l_int32 h, const char *name,
                           l_int32 scale, l_int32 x, l_int32 y) {
  PIX *code = read_fixture(name);
  PIX *code8 = pixConvertTo8(code, 0);
  PIX *big = pixExpandReplicate(code8, scale);
  PIX *page = pixCreate(w, h, 8);
  assert_non_null(code8);
  assert_non_null(big);
  assert_non_null(page);
  pixSetAll(page);
  assert_int_equal(pixRasterop(page, x, y, pixGetWidth(big), pixGetHeight(big),
                               PIX_SRC, big, 0, 0),
                   0);
  pixDestroy(&code);
  pixDestroy(&code8);
  pixDestroy(&big);
  return page;
}

static void test_wechat_pay(void **state) {
  /* 1-bit palette PNG with a tRNS chunk, which Leptonica reads as RGBA */
  decode_one("wechat_pay.png", "wxp://f2f0W2sEwVqF8d7bR3kT1yHnLmPzXcQa",
             LV_QR_WECHAT_PAY);
}

static void test_alipay(void **state) {
  /* 24-bit RGB, blue modules */
  decode_one("alipay.png", "HTTPS://QR.ALIPAY.COM/FKX09484ZQWERTYUIOP12",
             LV_QR_ALIPAY);
}

static void test_wechat_contact(void **state) {
  decode_one("wechat_contact.png",
             "https://u.wechat.com/EDeAbCdEfGhIjKlMnOpQrSt",
             LV_QR_WECHAT_CONTACT);
}

static void test_url(void **state) {
  decode_one("url.png", "https://example.com/shop?id=42", LV_QR_URL);
}

static void test_text(void **state) {
  /* UTF-8 Chinese in byte mode comes back as the same UTF-8. */
  decode_one("text.png", "加微信 abc123 私聊，价格更低", LV_QR_OTHER);
}

static void test_alpha(void **state) {
  /* 32-bit RGBA whose transparent background is black: readable only when
   * laid over white. */
  decode_one("alpha.png", "weixin://wxpay/bizpayurl?pr=XIKYjUK",
             LV_QR_WECHAT_PAY);
}

static void test_photo(void **state) {
  /* Tilted, blurred, noisy, scaled down, JPEG. */
  decode_one("photo.jpg", "wxp://f2f0W2sEwVqF8d7bR3kT1yHnLmPzXcQa",
             LV_QR_WECHAT_PAY);
}

static void test_noisy_photo(void **state) {
  /* A code of 8-pixel modules, tilted, blurred, with Gaussian noise of
   * standard deviation 40 (rand() seeded, so the same every run). zbar
   * misses it at full size with noise over about 20, and reads it from a
   * copy at half size, where the noise is averaged away. */
  PIX *code = read_fixture("wechat_pay.png");
  PIX *code8 = pixConvertTo8(code, 0);
  PIX *big = pixExpandReplicate(code8, 2);
  PIX *tilted =
      pixRotate(big, 0.14f, L_ROTATE_AREA_MAP, L_BRING_IN_WHITE, 0, 0);
  PIX *blurred = pixBlockconv(tilted, 1, 1);
  srand(1);
  PIX *noisy = pixAddGaussianNoise(blurred, 40.0f);
  assert_non_null(noisy);
  seen s = {0};
  assert_int_equal(decode_pix(noisy, &s), LEVEE_OK);
  assert_int_equal(s.calls, 1);
  assert_string_equal(s.payload[0], "wxp://f2f0W2sEwVqF8d7bR3kT1yHnLmPzXcQa");
  seen_free(&s);
  pixDestroy(&code);
  pixDestroy(&code8);
  pixDestroy(&big);
  pixDestroy(&tilted);
  pixDestroy(&blurred);
}

/* Whether s saw want among its payloads. */
static int saw(const seen *s, const char *want) {
  for (int i = 0; i < s->calls && i < 32; i++)
    if (!strcmp(s->payload[i], want))
      return 1;
  return 0;
}

static void test_two_codes(void **state) {
  seen s = {0};
  assert_int_equal(decode_pix(read_fixture("two.png"), &s), LEVEE_OK);
  assert_int_equal(s.calls, 2);
  assert_true(saw(&s, "wxp://f2f0W2sEwVqF8d7bR3kT1yHnLmPzXcQa"));
  assert_true(saw(&s, "https://example.com/shop?id=42"));
  seen_free(&s);
}

static void test_same_code_twice(void **state) {
  /* Two copies of one code: one payload. */
  PIX *page = page_with_code(400, 200, "wechat_pay.png", 1, 10, 20);
  PIX *code = read_fixture("wechat_pay.png");
  PIX *code8 = pixConvertTo8(code, 0);
  assert_int_equal(pixRasterop(page, 220, 20, pixGetWidth(code8),
                               pixGetHeight(code8), PIX_SRC, code8, 0, 0),
                   0);
  seen s = {0};
  assert_int_equal(decode_pix(page, &s), LEVEE_OK);
  assert_int_equal(s.calls, 1);
  assert_string_equal(s.payload[0], "wxp://f2f0W2sEwVqF8d7bR3kT1yHnLmPzXcQa");
  seen_free(&s);
  pixDestroy(&code);
  pixDestroy(&code8);
}

static void test_no_code(void **state) {
  seen s = {0};
  assert_int_equal(decode_pix(read_fixture("nocode.png"), &s), LEVEE_OK);
  assert_int_equal(s.calls, 0);
  /* A blank page too. */
  PIX *white = pixCreate(300, 200, 8);
  assert_non_null(white);
  pixSetAll(white);
  assert_int_equal(decode_pix(white, &s), LEVEE_OK);
  assert_int_equal(s.calls, 0);
}

static void test_callback_stops(void **state) {
  seen s = {.stop_at = 1, .stop_rc = 42};
  assert_int_equal(decode_pix(read_fixture("two.png"), &s), 42);
  assert_int_equal(s.calls, 1);
  seen_free(&s);
  /* A negative return is returned as well. */
  seen t = {.stop_at = 2, .stop_rc = -77};
  assert_int_equal(decode_pix(read_fixture("two.png"), &t), -77);
  assert_int_equal(t.calls, 2);
  seen_free(&t);
}

static void test_max_codes(void **state) {
  /* many.png holds 18 codes, code-01 .. code-18, 6 by 3: its left and right
   * halves give 9 each, so all 18 are readable; the whole image gives
   * LV_MAX_QR_CODES of them and success. */
  PIX *pix = read_fixture("many.png");
  l_int32 w = pixGetWidth(pix), h = pixGetHeight(pix);
  BOX *left = boxCreate(0, 0, w / 2, h);
  BOX *right = boxCreate(w / 2, 0, w - w / 2, h);
  seen a = {0}, b = {0}, all = {0};
  assert_int_equal(decode_pix(pixClipRectangle(pix, left, NULL), &a), LEVEE_OK);
  assert_int_equal(decode_pix(pixClipRectangle(pix, right, NULL), &b),
                   LEVEE_OK);
  assert_int_equal(a.calls, 9);
  assert_int_equal(b.calls, 9);
  assert_true(LV_MAX_QR_CODES < 18);
  assert_int_equal(decode_pix(pix, &all), LEVEE_OK);
  assert_int_equal(all.calls, LV_MAX_QR_CODES);
  for (int i = 0; i < all.calls; i++)
    assert_int_equal(strncmp(all.payload[i], "code-", 5), 0);
  boxDestroy(&left);
  boxDestroy(&right);
  seen_free(&a);
  seen_free(&b);
  seen_free(&all);
}

static void test_long_payload_cut(void **state) {
  /* 7089 digits: cut to the first LV_MAX_QR_PAYLOAD_BYTES. */
  seen s = {0};
  assert_int_equal(decode_pix(read_fixture("long_numeric.png"), &s), LEVEE_OK);
  assert_int_equal(s.calls, 1);
  assert_int_equal(s.len[0], LV_MAX_QR_PAYLOAD_BYTES);
  for (size_t i = 0; i < s.len[0]; i++)
    assert_int_equal(s.payload[0][i], '0' + (int)(i % 10));
  seen_free(&s);

  /* 1817 kanji, 3 bytes each in UTF-8: cut at a character boundary, the
   * largest multiple of 3 not over the limit. */
  seen k = {0};
  assert_int_equal(decode_pix(read_fixture("kanji.png"), &k), LEVEE_OK);
  assert_int_equal(k.calls, 1);
  assert_int_equal(k.len[0], LV_MAX_QR_PAYLOAD_BYTES / 3 * 3);
  assert_true(lv_utf8_valid(k.payload[0], k.len[0]));
  const char *unit = "漢字東京大阪"; /* 18 bytes */
  for (size_t i = 0; i + 18 <= k.len[0]; i += 18)
    assert_memory_equal(k.payload[0] + i, unit, 18);
  seen_free(&k);
}

static void test_large_photo(void **state) {
  /* 4000x3000 with a large code: both passes read it, and it is reported
   * once. */
  seen s = {0};
  PIX *page = page_with_code(4000, 3000, "wechat_pay.png", 8, 1500, 900);
  assert_int_equal(decode_pix(page, &s), LEVEE_OK);
  assert_int_equal(s.calls, 1);
  assert_string_equal(s.payload[0], "wxp://f2f0W2sEwVqF8d7bR3kT1yHnLmPzXcQa");
  seen_free(&s);
}

static void test_large_decoy(void **state) {
  /* 4000x3000 with a large code and, beside it, a small one of one pixel
   * per module at an odd offset: the half-size copy blurs the small one
   * away, and the full-size pass still finds it although the first pass
   * found a code. The fixture has 4-pixel modules; sampling it at 1/4
   * keeps it sharp. */
  PIX *code = read_fixture("wechat_pay.png");
  PIX *code8 = pixConvertTo8(code, 0);
  PIX *tiny = pixScaleByIntSampling(code8, 4);
  assert_non_null(tiny);
  PIX *page = page_with_code(4000, 3000, "url.png", 8, 200, 200);
  assert_int_equal(pixRasterop(page, 2801, 1501, pixGetWidth(tiny),
                               pixGetHeight(tiny), PIX_SRC, tiny, 0, 0),
                   0);
  /* The small code alone reads at full size, not at half size: */
  seen alone = {0}, half = {0};
  assert_int_equal(decode_pix(pixClone(tiny), &alone), LEVEE_OK);
  assert_int_equal(alone.calls, 1);
  assert_int_equal(decode_pix(pixScale(page, 0.5f, 0.5f), &half), LEVEE_OK);
  assert_int_equal(half.calls, 1);
  assert_string_equal(half.payload[0], "https://example.com/shop?id=42");
  seen s = {0};
  assert_int_equal(decode_pix(page, &s), LEVEE_OK);
  assert_int_equal(s.calls, 2);
  assert_true(saw(&s, "wxp://f2f0W2sEwVqF8d7bR3kT1yHnLmPzXcQa"));
  assert_true(saw(&s, "https://example.com/shop?id=42"));
  seen_free(&alone);
  seen_free(&half);
  seen_free(&s);
  pixDestroy(&code);
  pixDestroy(&code8);
  pixDestroy(&tiny);
}

static void test_too_big(void **state) {
  /* A header alone: no pixels are allocated. */
  seen s = {0};
  levee_error err = {0, ""};
  PIX *huge = pixCreateHeader(20000, 10000, 8); /* 200 million pixels */
  assert_non_null(huge);
  assert_int_equal(lv_qr_decode(huge, collect, &s, &err), LEVEE_ETOOBIG);
  assert_int_equal(err.status, LEVEE_ETOOBIG);
  assert_int_equal(s.calls, 0);
  pixDestroy(&huge);
  /* One pixel over the limit is refused; exactly at it, not for its size
   * (this header has no pixels, hence EINVAL). */
  PIX *over = pixCreateHeader(LV_MAX_IMAGE_PIXELS / 1000 + 1, 1000, 1);
  PIX *at = pixCreateHeader(LV_MAX_IMAGE_PIXELS / 1000, 1000, 1);
  assert_int_equal(lv_qr_decode(over, collect, &s, &err), LEVEE_ETOOBIG);
  assert_int_equal(lv_qr_decode(at, collect, &s, &err), LEVEE_EINVAL);
  assert_int_equal(s.calls, 0);
  pixDestroy(&over);
  pixDestroy(&at);
}

static void test_bad_arguments(void **state) {
  seen s = {0};
  levee_error err = {0, ""};
  assert_int_equal(lv_qr_decode(NULL, collect, &s, &err), LEVEE_EINVAL);
  PIX *odd = pixCreateHeader(10, 10, 24); /* no depth Leptonica converts */
  assert_int_equal(lv_qr_decode(odd, collect, &s, &err), LEVEE_EINVAL);
  assert_non_null(strstr(err.message, "24-bit"));
  pixDestroy(&odd);
  PIX *pix = read_fixture("wechat_pay.png");
  assert_int_equal(lv_qr_decode(pix, NULL, &s, &err), LEVEE_EINVAL);
  assert_int_equal(lv_qr_decode(pix, collect, &s, NULL), LEVEE_OK);
  assert_int_equal(s.calls, 1);
  pixDestroy(&pix);
  seen_free(&s);
}

/* --- classification ------------------------------------------------------ */

typedef struct kind_case {
  const char *payload;
  lv_qr_kind kind;
} kind_case;

static const kind_case kind_cases[] = {
    /* WeChat Pay: personal (wxp://) and merchant Native codes */
    {"wxp://f2f0abc", LV_QR_WECHAT_PAY},
    {"WXP://F2F0ABC", LV_QR_WECHAT_PAY},
    {"wxp://", LV_QR_WECHAT_PAY},
    {"weixin://wxpay/bizpayurl?pr=XIKYjUK", LV_QR_WECHAT_PAY},
    {"WEIXIN://WXPAY/BIZPAYURL?PR=XIKYJUK", LV_QR_WECHAT_PAY},
    {"wxp:/f2f0abc", LV_QR_OTHER},
    {"wxp:f2f0abc", LV_QR_OTHER},
    {"xwxp://f2f0abc", LV_QR_OTHER},
    /* Alipay */
    {"https://qr.alipay.com/fkx09484abc", LV_QR_ALIPAY},
    {"HTTPS://QR.ALIPAY.COM/FKX09484ABC", LV_QR_ALIPAY},
    {"http://qr.alipay.com/bax01234", LV_QR_ALIPAY},
    {"Https://Qr.Alipay.Com", LV_QR_ALIPAY},
    {"https://qr.alipay.com", LV_QR_ALIPAY},
    {"https://qr.alipay.com/", LV_QR_ALIPAY},
    {"https://qr.alipay.com?x=1", LV_QR_ALIPAY},
    {"https://qr.alipay.com#x", LV_QR_ALIPAY},
    {"https://qr.alipay.com:443/fkx1", LV_QR_ALIPAY},
    {"https://qr.alipay.com./fkx1", LV_QR_ALIPAY},
    {"https://user@qr.alipay.com/fkx1", LV_QR_ALIPAY},
    {"https:\\\\qr.alipay.com\\fkx1", LV_QR_ALIPAY},
    {"  https://qr.alipay.com/fkx1\r\n", LV_QR_ALIPAY},
    /* lookalikes: the host must be the whole host */
    {"https://qr.alipay.com.evil.cn/fkx1", LV_QR_URL},
    {"https://qr.alipay.com@evil.cn/fkx1", LV_QR_URL},
    {"https://qr.alipay.com:443@evil.cn/fkx1", LV_QR_URL},
    {"https://evil.cn/qr.alipay.com/fkx1", LV_QR_URL},
    {"https://evilqr.alipay.com/fkx1", LV_QR_URL},
    {"https://xqr.alipay.com/fkx1", LV_QR_URL},
    {"https://qr.alipay.co/fkx1", LV_QR_URL},
    {"https://qr-alipay.com/fkx1", LV_QR_URL},
    {"https://qr.alipay.com.", LV_QR_ALIPAY},
    {"https://qr.alipay.com../x", LV_QR_URL},
    {"https://alipay.com/x", LV_QR_URL},
    {"https://[::1]/qr.alipay.com", LV_QR_URL},
    {"ftp://qr.alipay.com/fkx1", LV_QR_OTHER},
    {"httpx://qr.alipay.com/fkx1", LV_QR_OTHER},
    {"qr.alipay.com/fkx1", LV_QR_OTHER},
    /* WeChat contact cards */
    {"https://u.wechat.com/EDeAbCd", LV_QR_WECHAT_CONTACT},
    {"HTTPS://U.WECHAT.COM/EDEABCD", LV_QR_WECHAT_CONTACT},
    {"http://u.wechat.com/x", LV_QR_WECHAT_CONTACT},
    {"https://u.wechat.com", LV_QR_WECHAT_CONTACT},
    {"https://u.wechat.com.evil.cn/x", LV_QR_URL},
    {"https://wu.wechat.com/x", LV_QR_URL},
    {"https://u.wechat.co/x", LV_QR_URL},
    {"weixin://contacts/profile/wxid_abc", LV_QR_WECHAT_CONTACT},
    {"Weixin://contacts/profile/wxid_abc", LV_QR_WECHAT_CONTACT},
    /* weixin:// app links name no one */
    {"weixin://", LV_QR_OTHER},
    {"weixin://dl/scan", LV_QR_OTHER},
    {"weixin://dl/business/?t=abcDEF", LV_QR_OTHER},
    {"weixin:/contacts", LV_QR_OTHER},
    /* other URLs */
    {"https://example.com/shop?id=42", LV_QR_URL},
    {"HTTP://EXAMPLE.COM", LV_QR_URL},
    {"http://", LV_QR_URL},
    {"https://", LV_QR_URL},
    {"https:", LV_QR_URL},
    {"https://weixin.qq.com/g/abc", LV_QR_URL},
    /* text */
    {"", LV_QR_OTHER},
    {"   ", LV_QR_OTHER},
    {"加微信 abc123", LV_QR_OTHER},
    {"htt", LV_QR_OTHER},
    {"http", LV_QR_OTHER},
    {"https//qr.alipay.com/x", LV_QR_OTHER},
    {"mailto:a@example.com", LV_QR_OTHER},
};

static void test_classify_table(void **state) {
  int bad = 0;
  for (size_t i = 0; i < sizeof kind_cases / sizeof kind_cases[0]; i++) {
    const kind_case *c = &kind_cases[i];
    lv_qr_kind got = lv_qr_classify(c->payload, strlen(c->payload));
    if (got != c->kind) {
      fprintf(stderr, "classify [%s]: got %s, want %s\n", c->payload,
              lv_qr_kind_name(got), lv_qr_kind_name(c->kind));
      bad++;
    }
  }
  assert_int_equal(bad, 0);
}

static void test_classify_bounds(void **state) {
  /* The length is honoured: bytes after it are not read. */
  const char *s = "https://qr.alipay.com.evil.cn/";
  assert_int_equal(lv_qr_classify(s, strlen("https://qr.alipay.com")),
                   LV_QR_ALIPAY);
  assert_int_equal(lv_qr_classify(s, 4), LV_QR_OTHER);
  assert_int_equal(lv_qr_classify("wxp://x", 5), LV_QR_OTHER);
  assert_int_equal(lv_qr_classify(NULL, 0), LV_QR_OTHER);
  /* A NUL inside a payload is a byte like another. */
  const char nul[] = "https://qr.alipay.com\0.evil.cn/";
  assert_int_equal(lv_qr_classify(nul, sizeof nul - 1), LV_QR_URL);
}

static void test_kind_names(void **state) {
  assert_string_equal(lv_qr_kind_name(LV_QR_OTHER), "other");
  assert_string_equal(lv_qr_kind_name(LV_QR_URL), "url");
  assert_string_equal(lv_qr_kind_name(LV_QR_WECHAT_PAY), "wechat_pay");
  assert_string_equal(lv_qr_kind_name(LV_QR_ALIPAY), "alipay");
  assert_string_equal(lv_qr_kind_name(LV_QR_WECHAT_CONTACT), "wechat_contact");
  assert_string_equal(lv_qr_kind_name((lv_qr_kind)99), "other");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_wechat_pay),
      cmocka_unit_test(test_alipay),
      cmocka_unit_test(test_wechat_contact),
      cmocka_unit_test(test_url),
      cmocka_unit_test(test_text),
      cmocka_unit_test(test_alpha),
      cmocka_unit_test(test_photo),
      cmocka_unit_test(test_noisy_photo),
      cmocka_unit_test(test_two_codes),
      cmocka_unit_test(test_same_code_twice),
      cmocka_unit_test(test_no_code),
      cmocka_unit_test(test_callback_stops),
      cmocka_unit_test(test_max_codes),
      cmocka_unit_test(test_long_payload_cut),
      cmocka_unit_test(test_large_photo),
      cmocka_unit_test(test_large_decoy),
      cmocka_unit_test(test_too_big),
      cmocka_unit_test(test_bad_arguments),
      cmocka_unit_test(test_classify_table),
      cmocka_unit_test(test_classify_bounds),
      cmocka_unit_test(test_kind_names),
  };
  setMsgSeverity(L_SEVERITY_WARNING); /* no "Info in pixReadStreamPng" */
  return cmocka_run_group_tests(tests, NULL, NULL);
}
