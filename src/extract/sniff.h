/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sniff.h: what an attachment's bytes are, by their first bytes: an image,
 * a zip archive (office documents), a PDF, or none of these (then perhaps
 * plain text). Cheap, and in levee's core: a plain-text attachment is read
 * without loading the extraction module (extract.h).
 */
#ifndef LV_EXTRACT_SNIFF_H
#define LV_EXTRACT_SNIFF_H

#include <stddef.h>

/* "jpeg", "png", "webp", "tiff", "bmp" or "gif" when bytes start as such an
 * image does, NULL otherwise. */
const char *lv_image_kind(const void *bytes, size_t n);

/* "image", "zip" or "pdf" by the magic bytes; NULL for anything else. */
const char *lv_extract_sniff(const void *bytes, size_t n);

#endif
