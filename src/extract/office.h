/* SPDX-License-Identifier: Apache-2.0 */
/*
 * office.h: the text of Office Open XML files (docx, xlsx, pptx), read from
 * memory with libzip and libxml2, every step bounded (util/limits.h): the
 * number of zip entries, each entry's and the total uncompressed size, the
 * compression ratio (a zip bomb is refused), XML nesting depth and the text
 * kept. The extract layer calls it for attachments that are such files.
 */
#ifndef LV_EXTRACT_OFFICE_H
#define LV_EXTRACT_OFFICE_H

#include <stddef.h>

#include "levee/levee.h"
#include "util/buf.h"

/* "docx", "xlsx" or "pptx" when bytes are a zip archive holding that kind
 * of document (by its main part), NULL otherwise. Reads the zip's central
 * directory only. */
const char *lv_office_kind(const void *bytes, size_t n);

/* Appends the document's text to out as UTF-8:
 * - docx: the body's paragraphs, tables, headers and footers, footnotes and
 *   comments, a paragraph per line;
 * - xlsx: every sheet's cells (shared strings resolved, numbers as written),
 *   a row per line, cells separated by tabs;
 * - pptx: each slide's text, then its notes, a paragraph per line.
 * Returns LEVEE_OK; LEVEE_EINVAL when the bytes are not such a document or
 * are corrupt; LEVEE_ETOOBIG when a limit is reached (a zip bomb, too many
 * entries, nesting too deep), err naming the limit; LEVEE_ENOMEM. On error
 * out may hold the text read so far. */
int lv_office_text(const void *bytes, size_t n, lv_buf *out, levee_error *err);

#endif
