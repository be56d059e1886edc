/* SPDX-License-Identifier: Apache-2.0 */
/*
 * buf.h: a growable byte buffer with a hard size limit (like curl's dynbuf).
 *
 * Appends fail with LEVEE_ETOOBIG past the limit and LEVEE_ENOMEM when
 * allocation fails; the contents stay NUL-terminated for convenience.
 */
#ifndef LV_UTIL_BUF_H
#define LV_UTIL_BUF_H

#include <stddef.h>

typedef struct lv_buf {
  char *data; /* owned; NULL until the first append */
  size_t len;
  size_t cap;
  size_t limit; /* maximum len */
} lv_buf;

void lv_buf_init(lv_buf *b, size_t limit);
void lv_buf_cleanup(lv_buf *b);
void lv_buf_reset(lv_buf *b); /* len = 0, memory kept */
/* Drops what follows the first len bytes (nothing when len >= b->len). */
void lv_buf_truncate(lv_buf *b, size_t len);
int lv_buf_reserve(lv_buf *b, size_t extra) __attribute__((warn_unused_result));
int lv_buf_append(lv_buf *b, const void *p, size_t n)
    __attribute__((warn_unused_result));
int lv_buf_putc(lv_buf *b, char c) __attribute__((warn_unused_result));
int lv_buf_puts(lv_buf *b, const char *s) __attribute__((warn_unused_result));
int lv_buf_printf(lv_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), warn_unused_result));
/* Gives up the buffer: returns data (caller frees) and re-initialises b. */
char *lv_buf_detach(lv_buf *b, size_t *len);

#endif
