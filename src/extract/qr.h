/* SPDX-License-Identifier: Apache-2.0 */
/*
 * qr.h: QR codes in images (zbar), and what their payloads are: a personal
 * payment or contact code sent by staff to a customer is evidence of order
 * diversion (飞单), and a URL is scanned like text.
 */
#ifndef LV_EXTRACT_QR_H
#define LV_EXTRACT_QR_H

#include <stddef.h>

#include "levee/levee.h"

struct Pix;

/* Called once per decoded code, in the order zbar reports them; a nonzero
 * return stops decoding and is returned. payload is not NUL-terminated
 * and is valid during the call. */
typedef int (*lv_qr_fn)(void *ud, const char *payload, size_t len);

/* Decodes the QR codes of an image (a Leptonica PIX of any depth; it is
 * converted to 8-bit gray as zbar needs), at most LV_MAX_QR_CODES of them,
 * each payload at most LV_MAX_QR_PAYLOAD_BYTES. Returns LEVEE_OK (also
 * when there is no code), LEVEE_ETOOBIG for an image over
 * LV_MAX_IMAGE_PIXELS, LEVEE_ENOMEM, or fn's nonzero return. */
int lv_qr_decode(struct Pix *pix, lv_qr_fn fn, void *ud, levee_error *err);

typedef enum lv_qr_kind {
  LV_QR_OTHER = 0,      /* text, or a code of no known kind */
  LV_QR_URL,            /* an http(s) URL of no kind below */
  LV_QR_WECHAT_PAY,     /* a personal WeChat Pay code: wxp://... */
  LV_QR_ALIPAY,         /* an Alipay code: https://qr.alipay.com/... */
  LV_QR_WECHAT_CONTACT, /* a personal WeChat contact card:
                           https://u.wechat.com/..., weixin://... */
} lv_qr_kind;

/* What a payload is (case-insensitive on scheme and host). */
lv_qr_kind lv_qr_classify(const char *payload, size_t len);

/* A short English name for a kind: "other", "url", "wechat_pay", "alipay",
 * "wechat_contact". */
const char *lv_qr_kind_name(lv_qr_kind k);

#endif
