/* SPDX-License-Identifier: Apache-2.0 */
/*
 * extract_module.h: the boundary between levee and its extraction module,
 * levee-extract.so, which reads images (Leptonica, Tesseract, zbar),
 * office documents (libzip, libxml2) and PDF (poppler).
 *
 * Those libraries and theirs are some forty shared objects. Linked into
 * levee they took every command's start from 4 to 12 ms of CPU time, for
 * nothing in most runs: `levee verify`, `levee search` and a scan of chat
 * text never meet an image. So they live in a module that extract.c's
 * loader opens with dlopen() the first time an attachment needs it (one
 * that is not plain text, which levee's core decodes itself). The module
 * exports one table, below; its version must match.
 */
#ifndef LV_EXTRACT_EXTRACT_MODULE_H
#define LV_EXTRACT_EXTRACT_MODULE_H

#include <stddef.h>

#include "extract/extract.h"
#include "levee/levee.h"
#include "util/arena.h"

/* 2: lv_extract_info has an image's perceptual hash; image_hash. */
#define LV_EXTRACT_MODULE_VERSION 2
#define LV_EXTRACT_MODULE_SYMBOL "lv_extract_module_v2"
/* Beside the levee binary, or where LEVEE_EXTRACT_MODULE says. */
#define LV_EXTRACT_MODULE_FILE "levee-extract.so"

typedef struct lv_extract_module {
  int version; /* LV_EXTRACT_MODULE_VERSION */
  /* A thread's extraction state (its OCR engine, loaded on first use). */
  int (*state_new)(void **out);
  void (*state_free)(void *state);
  /* lv_extract's contract (extract.h), for bytes that are no plain text. */
  int (*extract)(void *state, const void *bytes, size_t n, lv_arena *a,
                 levee_str *text, lv_extract_info *info, levee_error *err);
  /* lv_extract_image_hashes' contract (extract.h). */
  int (*image_hashes)(const void *bytes, size_t n,
                      uint64_t hashes[LV_PHASH_VARIANTS], size_t *count,
                      levee_error *err);
} lv_extract_module;

#endif
