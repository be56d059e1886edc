/* SPDX-License-Identifier: Apache-2.0 */
/*
 * utf8.c: strict UTF-8 decoding (RFC 3629) and encoding.
 */
#include "util/utf8.h"

int lv_utf8_decode(const unsigned char *s, size_t n, int32_t *cp) {
  unsigned c = s[0];
  if (c < 0x80) {
    *cp = (int32_t)c;
    return 1;
  }
  int len;
  int32_t v, min;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2, v = c & 0x1F, min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3, v = c & 0x0F, min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4, v = c & 0x07, min = 0x10000;
  } else {
    *cp = -1;
    return 1;
  }
  if ((size_t)len > n) {
    *cp = -1;
    return 1;
  }
  for (int i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80) {
      *cp = -1;
      return 1;
    }
    v = (v << 6) | (s[i] & 0x3F);
  }
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
    *cp = -1;
    return 1;
  }
  *cp = v;
  return len;
}

int lv_utf8_encode(int32_t cp, unsigned char out[4]) {
  if (cp < 0x80) {
    out[0] = (unsigned char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (unsigned char)(0xC0 | (cp >> 6));
    out[1] = (unsigned char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (unsigned char)(0xE0 | (cp >> 12));
    out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (unsigned char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (unsigned char)(0xF0 | (cp >> 18));
  out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
  out[3] = (unsigned char)(0x80 | (cp & 0x3F));
  return 4;
}

size_t lv_utf8_floor(const char *s, size_t n) {
  /* Walk forward: the end of the last whole character (or invalid byte,
   * which counts as one) that fits in n. */
  const unsigned char *u = (const unsigned char *)s;
  size_t i = 0;
  while (i < n) {
    if (u[i] < 0x80) {
      i++;
      continue;
    }
    int32_t cp;
    int len = lv_utf8_decode(u + i, n - i, &cp);
    if (cp < 0) {
      /* A lead byte whose sequence is cut off by n ends the prefix; any
       * other invalid byte stands alone. */
      int want = u[i] < 0xC2 || u[i] > 0xF4 ? 1
                 : u[i] >= 0xF0             ? 4
                 : u[i] >= 0xE0             ? 3
                                            : 2;
      if (want > 1 && i + (size_t)want > n)
        break;
    }
    i += (size_t)len;
  }
  return i;
}

int lv_utf8_valid(const char *s, size_t n) {
  const unsigned char *u = (const unsigned char *)s;
  size_t i = 0;
  while (i < n) {
    if (u[i] < 0x80) {
      i++;
      continue;
    }
    int32_t cp;
    int len = lv_utf8_decode(u + i, n - i, &cp);
    if (cp < 0)
      return 0;
    i += (size_t)len;
  }
  return 1;
}
