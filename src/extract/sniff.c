/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sniff.c: formats by their magic bytes (sniff.h).
 */
#include "extract/sniff.h"

#include <string.h>

static int starts(const unsigned char *p, size_t n, const char *magic,
                  size_t len) {
  return n >= len && memcmp(p, magic, len) == 0;
}

const char *lv_image_kind(const void *bytes, size_t n) {
  const unsigned char *p = bytes;
  if (!p)
    return NULL;
  if (starts(p, n, "\xff\xd8\xff", 3))
    return "jpeg";
  if (starts(p, n, "\x89PNG\r\n\x1a\n", 8))
    return "png";
  if (n >= 12 && !memcmp(p, "RIFF", 4) && !memcmp(p + 8, "WEBP", 4))
    return "webp";
  if (starts(p, n, "II*\0", 4) || starts(p, n, "MM\0*", 4))
    return "tiff";
  if (starts(p, n, "BM", 2) && n >= 26)
    return "bmp";
  if (starts(p, n, "GIF87a", 6) || starts(p, n, "GIF89a", 6))
    return "gif";
  return NULL;
}

const char *lv_extract_sniff(const void *bytes, size_t n) {
  const unsigned char *p = bytes;
  if (!p)
    return NULL;
  if (lv_image_kind(bytes, n))
    return "image";
  /* A local file header, or the end record of an empty archive. */
  if (starts(p, n, "PK\x03\x04", 4) || starts(p, n, "PK\x05\x06", 4))
    return "zip";
  if (starts(p, n, "%PDF-", 5))
    return "pdf";
  return NULL;
}
