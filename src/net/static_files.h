/* SPDX-License-Identifier: Apache-2.0 */
/*
 * static_files.h: the web console's files (HTML, CSS, JavaScript modules,
 * the charting library), read from a directory once when levee serve
 * starts and served from memory: a request can name only a file that was
 * there, never a path of the file system.
 *
 * Bounds: LV_CONSOLE_MAX_FILES files, LV_CONSOLE_MAX_BYTES in all, names of
 * letters, digits and . _ - / only (no "..", no hidden files); anything
 * else in the directory is left out, and said.
 */
#ifndef LV_NET_STATIC_FILES_H
#define LV_NET_STATIC_FILES_H

#include <stddef.h>

#include "levee/levee.h"

typedef struct lv_static lv_static;

/* The Content-Security-Policy of the console's pages: its own files only
 * (inline styles allowed: the charting library sets them), no frames. */
#define LV_CONSOLE_CSP                                                         \
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "  \
  "img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; "          \
  "object-src 'none'; base-uri 'none'; form-action 'self'; "                   \
  "frame-ancestors 'none'"

/* Reads the files under dir. OUT: *out. Returns LEVEE_OK, LEVEE_ENOTFOUND
 * (no such directory, or no index.html in it) or another status, said in
 * err. Skipped entries are said on stderr. */
int lv_static_load(const char *dir, lv_static **out, levee_error *err)
    __attribute__((warn_unused_result));
void lv_static_free(lv_static *s); /* accepts NULL */

size_t lv_static_count(const lv_static *s);

/* The file for a request path ("/" is "/index.html"): its bytes and
 * Content-Type, or 0 when there is none. */
int lv_static_find(const lv_static *s, const char *path, const char **data,
                   size_t *len, const char **type);

#endif
