/* SPDX-License-Identifier: Apache-2.0 */
/*
 * qr.c: QR codes in attachment images, read with zbar, and what their
 * payloads are. The extract layer hands each image it has decoded (a
 * Leptonica PIX) to lv_qr_decode; every payload goes to the caller's
 * callback, which scans it as text and asks lv_qr_classify whether it is a
 * personal payment or contact code (evidence of order diversion, 飞单).
 *
 * Bounds (util/limits.h): an image over LV_MAX_IMAGE_PIXELS is refused,
 * at most LV_MAX_QR_CODES codes are reported per image, and a payload
 * longer than LV_MAX_QR_PAYLOAD_BYTES is cut to that length at a UTF-8
 * character boundary. Cut rather than skipped: what a code is shows in its
 * first bytes (scheme and host), so a cut payload still classifies, and
 * skipping would let a sender hide a payment link by padding its code.
 * A payload read more than once (by both of the two passes below, or from
 * two copies of one code) is reported once.
 */
#include "extract/qr.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <leptonica/allheaders.h>
#include <zbar.h>

#include "util/error.h"
#include "util/limits.h"
#include "util/utf8.h"

/* --- decoding -------------------------------------------------------------
 *
 * Two passes, measured (Release build, one core, zbar 0.23.92, phone-like
 * JPEGs made with ImageMagick: a code tilted 8 degrees on a textured
 * background, blurred, with Gaussian noise):
 * - time grows with the pixel count: one pass over 4000x3000 takes about
 *   210 ms, over 2000x1500 about 55 ms, over 1000x1000 about 20 ms;
 * - noise defeats zbar on large modules: with noise, a code of 6 to 16
 *   pixels per module that the full-size scan misses is read from a copy
 *   at half size (area mapping averages the noise away), at 1280x960 and
 *   at 4000x3000 alike;
 * - small modules need the full size: 3 or 4 pixels per module read at
 *   full size only.
 * So every image is scanned twice: first at half size (at most
 * QR_REDUCED_SIDE pixels on its longer side, for a large photo), then at
 * full size, and a payload found by both passes is reported once. The
 * second pass is not skipped when the first finds a code: a large decoy
 * code (a company's official one) would otherwise hide a small personal
 * one beside it. Most images hold no code, and for them both passes are
 * needed anyway: a quarter more than one full pass, about 0.3 s for
 * 4000x3000. The first pass comes first so that a caller stopping at the
 * first payment code it is given (fn returning nonzero) is spared the
 * second pass when the code is large, as in a photo or a screenshot of a
 * payment code. */
#define QR_REDUCED_SIDE 2000
/* Under this many pixels on its shorter side an image is scanned only at
 * full size: halved, it could not hold a readable code. */
#define QR_REDUCED_MIN 64

/* One decode: the callback, the payloads it has been given (copies, owned
 * here, so that the second pass can leave out what the first reported),
 * and where a failure is reported. */
typedef struct qr_run {
  lv_qr_fn fn;
  void *ud;
  levee_error *err;
  unsigned codes; /* payloads passed to fn, at most LV_MAX_QR_CODES */
  char *payload[LV_MAX_QR_CODES];
  size_t len[LV_MAX_QR_CODES];
} qr_run;

/* Whether run has passed this payload to fn already. */
static int reported(const qr_run *run, const char *data, size_t len) {
  for (unsigned i = 0; i < run->codes; i++)
    if (run->len[i] == len && !memcmp(run->payload[i], data, len))
      return 1;
  return 0;
}

/* Copies an 8-bit gray PIX into a w*h buffer of rows packed one after
 * another, as zbar's Y800 format wants. Leptonica keeps pixels in 32-bit
 * words, the first pixel in the most significant byte, and pads each row
 * to a whole word; GET_DATA_BYTE hides the byte order. Returns a buffer
 * the caller frees, or NULL when out of memory. */
static unsigned char *pack_gray(PIX *gray, unsigned w, unsigned h) {
  unsigned char *buf = malloc((size_t)w * h);
  if (!buf)
    return NULL;
  l_uint32 *data = pixGetData(gray);
  size_t wpl = (size_t)pixGetWpl(gray);
  for (unsigned y = 0; y < h; y++) {
    l_uint32 *line = data + (size_t)y * wpl;
    unsigned char *row = buf + (size_t)y * w;
    for (unsigned x = 0; x < w; x++)
      row[x] = (unsigned char)GET_DATA_BYTE(line, x);
  }
  return buf;
}

/* Scans one 8-bit gray PIX (borrowed) and passes each QR payload not
 * reported before to run->fn. Returns LEVEE_OK, LEVEE_ENOMEM, or fn's
 * nonzero return. */
static int scan_gray(zbar_image_scanner_t *scanner, PIX *gray, qr_run *run) {
  unsigned w = (unsigned)pixGetWidth(gray);
  unsigned h = (unsigned)pixGetHeight(gray);
  int rc = LEVEE_OK;
  zbar_image_t *img = NULL;
  unsigned char *buf = pack_gray(gray, w, h);
  if (!buf) {
    rc = lv_error_set(run->err, LEVEE_ENOMEM, "qr: out of memory");
    goto out;
  }
  img = zbar_image_create();
  if (!img) {
    rc = lv_error_set(run->err, LEVEE_ENOMEM, "qr: out of memory");
    goto out;
  }
  zbar_image_set_format(img, zbar_fourcc('Y', '8', '0', '0'));
  zbar_image_set_size(img, w, h);
  /* No cleanup handler: buf stays ours and is freed below, after img. */
  zbar_image_set_data(img, buf, (unsigned long)w * h, NULL);
  /* With a Y800 image zbar fails only when it cannot allocate. */
  if (zbar_scan_image(scanner, img) < 0) {
    rc = lv_error_set(run->err, LEVEE_ENOMEM, "qr: zbar could not scan");
    goto out;
  }
  for (const zbar_symbol_t *sym = zbar_image_first_symbol(img); sym;
       sym = zbar_symbol_next(sym)) {
    if (zbar_symbol_get_type(sym) != ZBAR_QRCODE)
      continue;
    const char *data = zbar_symbol_get_data(sym);
    size_t len = zbar_symbol_get_data_length(sym);
    if (!data)
      continue;
    if (len > LV_MAX_QR_PAYLOAD_BYTES)
      len = lv_utf8_floor(data, LV_MAX_QR_PAYLOAD_BYTES);
    if (reported(run, data, len))
      continue;
    if (run->codes >= LV_MAX_QR_CODES)
      break;
    char *copy = malloc(len + 1);
    if (!copy) {
      rc = lv_error_set(run->err, LEVEE_ENOMEM, "qr: out of memory");
      goto out;
    }
    memcpy(copy, data, len);
    run->payload[run->codes] = copy;
    run->len[run->codes] = len;
    run->codes++;
    rc = run->fn(run->ud, data, len);
    if (rc)
      goto out;
  }
out:
  zbar_image_destroy(img); /* drops its symbols too */
  free(buf);
  return rc;
}

/* The image (of 1, 2, 4, 8, 16 or 32 bits per pixel) as 8-bit gray without
 * alpha: a new PIX the caller destroys, or NULL when out of memory. Transparent
 * pixels are laid over white first: a code saved on a transparent background
 * often has black there. */
static PIX *to_gray(PIX *pix) {
  PIX *opaque = pixRemoveAlpha(pix); /* a clone when there is no alpha */
  if (!opaque)
    return NULL;
  PIX *gray;
  if (pixGetDepth(opaque) == 8 && !pixGetColormap(opaque))
    gray = pixClone(opaque);
  else
    gray = pixConvertTo8(opaque, 0);
  pixDestroy(&opaque);
  return gray;
}

int lv_qr_decode(struct Pix *pix, lv_qr_fn fn, void *ud, levee_error *err) {
  if (!pix || !fn)
    return lv_error_set(err, LEVEE_EINVAL, "qr: no image or no callback");
  l_int32 w = 0, h = 0, d = 0;
  if (pixGetDimensions(pix, &w, &h, &d) || w <= 0 || h <= 0)
    return lv_error_set(err, LEVEE_EINVAL, "qr: image has no size");
  if (d != 1 && d != 2 && d != 4 && d != 8 && d != 16 && d != 32)
    return lv_error_set(err, LEVEE_EINVAL, "qr: %d-bit pixels", d);
  if ((uint64_t)w * (uint64_t)h > (uint64_t)LV_MAX_IMAGE_PIXELS)
    return lv_error_set(err, LEVEE_ETOOBIG,
                        "qr: image of %dx%d pixels is over %u pixels", w, h,
                        LV_MAX_IMAGE_PIXELS);
  if (!pixGetData(pix))
    return lv_error_set(err, LEVEE_EINVAL, "qr: image has no pixels");

  int rc = LEVEE_OK;
  qr_run run = {.fn = fn, .ud = ud, .err = err};
  PIX *gray = NULL, *small = NULL;
  zbar_image_scanner_t *scanner = zbar_image_scanner_create();
  if (!scanner) {
    rc = lv_error_set(err, LEVEE_ENOMEM, "qr: out of memory");
    goto out;
  }
  /* QR codes only: every other symbology off saves their decoders' time
   * and keeps a product bar code from being reported as a payload. */
  if (zbar_image_scanner_set_config(scanner, ZBAR_NONE, ZBAR_CFG_ENABLE, 0) ||
      zbar_image_scanner_set_config(scanner, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1)) {
    rc = lv_error_set(err, LEVEE_EINVAL, "qr: zbar refused its configuration");
    goto out;
  }
  gray = to_gray(pix);
  if (!gray) {
    rc = lv_error_set(err, LEVEE_ENOMEM, "qr: out of memory");
    goto out;
  }
  l_int32 side = w > h ? w : h;
  if ((w < h ? w : h) >= QR_REDUCED_MIN) {
    l_float32 f = 0.5f;
    if (side / 2 > QR_REDUCED_SIDE)
      f = (l_float32)QR_REDUCED_SIDE / (l_float32)side;
    small = pixScale(gray, f, f);
    if (!small) {
      rc = lv_error_set(err, LEVEE_ENOMEM, "qr: out of memory");
      goto out;
    }
    rc = scan_gray(scanner, small, &run);
    if (rc || run.codes >= LV_MAX_QR_CODES)
      goto out;
  }
  rc = scan_gray(scanner, gray, &run);
out:
  for (unsigned i = 0; i < run.codes; i++)
    free(run.payload[i]);
  pixDestroy(&small);
  pixDestroy(&gray);
  zbar_image_scanner_destroy(scanner);
  return rc;
}

/* --- classification -------------------------------------------------------
 *
 * The forms recognized, and where they come from. WeChat and Alipay
 * document no payload of a personal code; the first and the last two
 * forms are what such codes decode to, as published with them (donation
 * and "add me" pages in public repositories).
 * - wxp://f2f0...: a personal WeChat Pay collection code (微信收款码,
 *   "f2f" for face to face; wxp://wbf2f... is a variant), any wxp://.
 * - weixin://wxpay/bizpayurl?...: the code_url WeChat Pay returns for
 *   Native payment (Native支付), which the merchant shows as a QR code:
 *   pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter7_3_10.shtml. A payment
 *   code too, so LV_QR_WECHAT_PAY.
 * - weixin://dl/...: WeChat's app links (dl/scan, dl/moments, ... and
 *   dl/business/?t=..., the URL Scheme that opens a Mini Program:
 *   developers.weixin.qq.com/miniprogram/dev/framework/open-ability/
 *   url-scheme.html). They open a screen of the app or an organization's
 *   Mini Program, name no person, and are LV_QR_OTHER; so is a bare
 *   weixin:// (it only opens the app).
 * - any other weixin://... (such as weixin://contacts/profile/<id>):
 *   LV_QR_WECHAT_CONTACT, as qr.h has it: a WeChat link that is not an app
 *   screen points at an account.
 * - https://u.wechat.com/...: the "My QR Code" (二维码名片) card of a
 *   personal WeChat account, sometimes with a query (?s=2).
 * - https://qr.alipay.com/...: Alipay's payment codes, personal (fkx...)
 *   and others; often written in capitals (HTTPS://QR.ALIPAY.COM/FKX...)
 *   so that the QR code can use its denser alphanumeric mode.
 * Schemes and hosts compare without regard to ASCII case (RFC 3986 3.1,
 * 3.2.2); a host must be the whole host, so qr.alipay.com.evil.cn and
 * qr.alipay.com@evil.cn are plain URLs. */

/* Whether s[0..n) begins with lit, ASCII case ignored; lit is lowercase. */
static int starts_with(const char *s, size_t n, const char *lit) {
  size_t k = strlen(lit);
  if (n < k)
    return 0;
  for (size_t i = 0; i < k; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 'A' && c <= 'Z')
      c = (unsigned char)(c - 'A' + 'a');
    if (c != (unsigned char)lit[i])
      return 0;
  }
  return 1;
}

/* Whether s[0..n) is lit, ASCII case ignored; lit is lowercase. */
static int equals(const char *s, size_t n, const char *lit) {
  return n == strlen(lit) && starts_with(s, n, lit);
}

/* What an http(s) URL is, by its host; rest is what follows "scheme:". The
 * host is found as browsers find it (WHATWG URL): any slashes or
 * backslashes, then the authority up to '/', '\', '?' or '#', the host
 * after its last '@', before a ':port'. */
static lv_qr_kind classify_http(const char *rest, size_t n) {
  size_t i = 0;
  while (i < n && (rest[i] == '/' || rest[i] == '\\'))
    i++;
  size_t start = i;
  while (i < n && rest[i] != '/' && rest[i] != '\\' && rest[i] != '?' &&
         rest[i] != '#') {
    if (rest[i] == '@')
      start = i + 1;
    i++;
  }
  const char *host = rest + start;
  size_t len = i - start;
  if (len > 0 && host[0] == '[') /* an IPv6 address */
    return LV_QR_URL;
  const char *colon = memchr(host, ':', len);
  if (colon)
    len = (size_t)(colon - host);
  if (len > 0 && host[len - 1] == '.') /* the same host, written absolute */
    len--;
  if (equals(host, len, "qr.alipay.com"))
    return LV_QR_ALIPAY;
  if (equals(host, len, "u.wechat.com"))
    return LV_QR_WECHAT_CONTACT;
  return LV_QR_URL;
}

lv_qr_kind lv_qr_classify(const char *payload, size_t len) {
  if (!payload)
    return LV_QR_OTHER;
  /* White space and control bytes around a payload (a generator's
   * trailing newline) are not part of what it is. */
  while (len > 0 && (unsigned char)payload[0] <= ' ') {
    payload++;
    len--;
  }
  while (len > 0 && (unsigned char)payload[len - 1] <= ' ')
    len--;

  if (starts_with(payload, len, "wxp://"))
    return LV_QR_WECHAT_PAY;
  if (starts_with(payload, len, "weixin://")) {
    const char *rest = payload + 9;
    size_t n = len - 9;
    if (starts_with(rest, n, "wxpay/"))
      return LV_QR_WECHAT_PAY;
    if (n == 0 || starts_with(rest, n, "dl/"))
      return LV_QR_OTHER;
    return LV_QR_WECHAT_CONTACT;
  }
  if (starts_with(payload, len, "https:"))
    return classify_http(payload + 6, len - 6);
  if (starts_with(payload, len, "http:"))
    return classify_http(payload + 5, len - 5);
  return LV_QR_OTHER;
}

const char *lv_qr_kind_name(lv_qr_kind k) {
  switch (k) {
  case LV_QR_OTHER: return "other";
  case LV_QR_URL: return "url";
  case LV_QR_WECHAT_PAY: return "wechat_pay";
  case LV_QR_ALIPAY: return "alipay";
  case LV_QR_WECHAT_CONTACT: return "wechat_contact";
  }
  return "other";
}
