/* SPDX-License-Identifier: Apache-2.0 */
/*
 * clock.h: milliseconds and microseconds on the monotonic clock, for time
 * limits (OCR, PDF, waits) and the time an attachment or a request took.
 */
#ifndef LV_UTIL_CLOCK_H
#define LV_UTIL_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t lv_now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static inline int64_t lv_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif
