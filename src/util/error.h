/* SPDX-License-Identifier: Apache-2.0 */
/*
 * error.h: filling a levee_error. The status codes and their text come from
 * one X-macro list in include/levee/levee.h (LEVEE_STATUS_MAP).
 */
#ifndef LV_UTIL_ERROR_H
#define LV_UTIL_ERROR_H

#include "levee/levee.h"

/* Sets err (if non-NULL) to status and a printf-style message; returns status
 * so callers can write `return lv_error_set(err, LEVEE_EINVAL, "...")`. */
int lv_error_set(levee_error *err, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
