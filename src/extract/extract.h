/* SPDX-License-Identifier: Apache-2.0 */
/*
 * extract.h: an attachment's bytes to text, whatever they are: plain text
 * (UTF-8, GB18030, UTF-16), an image (OCR, and the QR codes in it), an
 * office document (docx, xlsx, pptx) or a PDF. The text is then inspected
 * like message text, findings pointing into it (source attachment:N).
 *
 * An extractor is one thread's: it holds that thread's OCR engine, loaded
 * with the first image it meets. Every step is bounded (util/limits.h): a
 * corrupt or hostile attachment gives an error, which the caller reports
 * as a finding, and never takes the process down. Plain text is decoded in
 * levee's core; the other formats are read by the extraction module,
 * loaded with the first attachment that needs it (extract_module.h).
 */
#ifndef LV_EXTRACT_EXTRACT_H
#define LV_EXTRACT_EXTRACT_H

#include <stddef.h>
#include <stdint.h>

#include "extract/phash.h"
#include "extract/qr.h"
#include "levee/levee.h"
#include "util/arena.h"
#include "util/limits.h"

typedef struct lv_extractor lv_extractor;

/* OUT: *out. Returns LEVEE_OK or LEVEE_ENOMEM. Cheap: the module and OCR
 * are loaded when the first attachment needs them. */
int lv_extractor_new(lv_extractor **out);
void lv_extractor_free(lv_extractor *x); /* accepts NULL */

/* What lv_extract found out about an attachment. */
typedef struct lv_extract_info {
  const char *kind;   /* "text", "image", "docx", "xlsx", "pptx", "pdf", or
                         NULL when unknown */
  const char *format; /* text: its encoding; image: "jpeg", "png", ...;
                         otherwise as kind */
  int ocr;            /* OCR ran */
  int ocr_confidence; /* Tesseract's mean word confidence, 0-100 */
  int64_t ms;         /* time taken */
  size_t n_codes;     /* QR codes read, their kinds in codes */
  lv_qr_kind codes[LV_MAX_QR_CODES];
  int has_phash;  /* an image: its perceptual hash (phash.h), for */
  uint64_t phash; /* matching registered images */
} lv_extract_info;

/* The text of an attachment's bytes. An image's text is its OCR text,
 * followed by a line "QR: payload" for each QR code in it. OUT: *text, in
 * a (NULL when there is none), and *info; both written also on error, with
 * what was read before it. Returns LEVEE_OK; LEVEE_EENCODING for bytes of
 * no format levee reads; LEVEE_EINVAL for a corrupt file of a format it
 * reads; LEVEE_ETOOBIG when a limit stopped it (size, pixels, a zip bomb,
 * OCR time); LEVEE_EIO when the module or OCR's data is not installed;
 * LEVEE_ENOMEM. err says what happened, in words for an officer. */
int lv_extract(lv_extractor *x, const void *bytes, size_t n, lv_arena *a,
               levee_str *text, lv_extract_info *info, levee_error *err);

/* The perceptual hashes an image is registered with (phash.h,
 * lv_phash_variants): hashes[0] is the one lv_extract gives in
 * info->phash, the rest those of crops of it; *count of them. The text is
 * not read. Returns LEVEE_OK; LEVEE_EENCODING for bytes that are no image;
 * lv_extract's errors otherwise. Thread-safe. */
int lv_extract_image_hashes(const void *bytes, size_t n,
                            uint64_t hashes[LV_PHASH_VARIANTS], size_t *count,
                            levee_error *err);

/* Tesseract's OpenMP threads spin while they wait: one page took 2.1 s of
 * wall time with them on this machine against 0.51 s with one (the
 * tesseract CLI, OMP_THREAD_LIMIT=1), and levee runs OCR on its own
 * workers anyway. libgomp reads OMP_THREAD_LIMIT once, when the module
 * loads it; this sets it to 1 unless the environment sets it. Call it
 * while the process has one thread (setenv is not safe beside others):
 * the levee command does, first thing. */
void lv_extract_single_thread_ocr(void);

#endif
