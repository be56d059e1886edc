/* SPDX-License-Identifier: Apache-2.0 */
/*
 * buf.c: growable, bounded byte buffer.
 */
#include "util/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "levee/levee.h"

void lv_buf_init(lv_buf *b, size_t limit) {
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
  b->limit = limit;
}

void lv_buf_cleanup(lv_buf *b) {
  free(b->data);
  lv_buf_init(b, b->limit);
}

void lv_buf_reset(lv_buf *b) {
  b->len = 0;
  if (b->data)
    b->data[0] = '\0';
}

void lv_buf_truncate(lv_buf *b, size_t len) {
  if (len < b->len) {
    b->len = len;
    b->data[len] = '\0';
  }
}

int lv_buf_reserve(lv_buf *b, size_t extra) {
  if (extra > b->limit || b->len > b->limit - extra)
    return LEVEE_ETOOBIG;
  size_t need = b->len + extra + 1;
  if (need <= b->cap)
    return LEVEE_OK;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < need)
    cap *= 2;
  char *p = realloc(b->data, cap);
  if (!p)
    return LEVEE_ENOMEM;
  b->data = p;
  b->cap = cap;
  return LEVEE_OK;
}

int lv_buf_append(lv_buf *b, const void *p, size_t n) {
  int rc = lv_buf_reserve(b, n);
  if (rc)
    return rc;
  if (n)
    memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
  return LEVEE_OK;
}

int lv_buf_putc(lv_buf *b, char c) {
  return lv_buf_append(b, &c, 1);
}

int lv_buf_puts(lv_buf *b, const char *s) {
  return lv_buf_append(b, s, strlen(s));
}

int lv_buf_printf(lv_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0)
    return LEVEE_EINVAL;
  int rc = lv_buf_reserve(b, (size_t)n);
  if (rc)
    return rc;
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
  return LEVEE_OK;
}

char *lv_buf_detach(lv_buf *b, size_t *len) {
  char *p = b->data;
  if (len)
    *len = b->len;
  lv_buf_init(b, b->limit);
  return p;
}
