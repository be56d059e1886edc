/* SPDX-License-Identifier: Apache-2.0 */
/*
 * error.c: status code text (levee_strerror) and levee_error filling.
 */
#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>

const char *levee_strerror(int status) {
  switch (status) {
#define LEVEE_STATUS_TEXT(name, code, text)                                    \
  case (code): return text;
    LEVEE_STATUS_MAP(LEVEE_STATUS_TEXT)
#undef LEVEE_STATUS_TEXT
  default: return "unknown error";
  }
}

int lv_error_set(levee_error *err, int status, const char *fmt, ...) {
  if (err) {
    va_list ap;
    va_start(ap, fmt);
    err->status = status;
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
  }
  return status;
}
