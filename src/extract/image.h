/* SPDX-License-Identifier: Apache-2.0 */
/*
 * image.h: images from outside bytes to Leptonica pixels, bounded, and a
 * page photo made ready for OCR.
 *
 * Decoding reads the header first and refuses an image that declares more
 * than LV_MAX_IMAGE_PIXELS before any pixel is decoded; a JPEG over
 * LV_MAX_DECODE_PIXELS is decoded at 1/2, 1/4 or 1/8 of its size (a phone
 * photo of a page needs no more), and any other format over it is refused.
 */
#ifndef LV_EXTRACT_IMAGE_H
#define LV_EXTRACT_IMAGE_H

#include <stddef.h>

#include "extract/sniff.h" /* lv_image_kind */
#include "levee/levee.h"

struct Pix;

/* Decodes an image (lv_image_kind's formats). OUT: *out, a new PIX the
 * caller destroys (pixDestroy), written only on success. Returns
 * LEVEE_OK; LEVEE_ETOOBIG for an image over the limits above; LEVEE_EINVAL
 * for bytes that are no image levee reads, or a corrupt one; LEVEE_ENOMEM.
 * err says which, with the image's size where known. */
int lv_image_decode(const void *bytes, size_t n, struct Pix **out,
                    levee_error *err);

/* A copy of an image prepared for OCR:
 * - 8-bit gray (colour by luminance);
 * - scaled: up when small (the longer side under 1600 pixels, at most 2x),
 *   so that characters reach the height Tesseract reads best; down to
 *   LV_OCR_MAX_SIDE on the longer side when large;
 * - deskewed (a page photographed at a tilt of up to about 7 degrees).
 * It stays gray: Tesseract binarizes it with Sauvola's adaptive threshold
 * (ocr.c), which read more of the generated phone photos than binarizing
 * here with background normalisation and Sauvola (docs/ARCHITECTURE.md).
 * OUT: *out (new PIX, the caller destroys it). Returns LEVEE_OK;
 * LEVEE_EINVAL for an image too small or too thin to hold a line of text
 * (under 8 pixels on its shorter side once scaled); LEVEE_ENOMEM. */
int lv_image_for_ocr(struct Pix *pix, struct Pix **out, levee_error *err);

#endif
