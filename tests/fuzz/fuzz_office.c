/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_office.c: libFuzzer target for docx, xlsx and pptx text
 * (src/extract/office.c, libzip and libxml2 underneath).
 *
 * Each input is read twice:
 * - as it is, a zip archive (or not): lv_office_kind, then lv_office_text;
 * - wrapped: the first byte picks a document shape and the rest becomes
 *   one of its XML parts, stored in a zip built here, so mutations reach
 *   the XML walkers without having to keep zip CRCs right.
 * Each run checks the documented shape: a status of the documented set
 * with its message, text only from a recognised kind, within the buffer's
 * limit and LV_MAX_EXTRACT_TEXT_BYTES, valid UTF-8.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zip.h>

#include "extract/office.h"
#include "util/limits.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "fuzz_office: invariant failed: %s (line %d)\n", #cond,  \
              __LINE__);                                                       \
      abort();                                                                 \
    }                                                                          \
  } while (0)

#define S_NS "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define A_NS "http://schemas.openxmlformats.org/drawingml/2006/main"
#define P_NS "http://schemas.openxmlformats.org/presentationml/2006/main"

static const char workbook[] = "<workbook xmlns=\"" S_NS "\"/>";
static const char strings[] =
    "<sst xmlns=\"" S_NS "\"><si><t>机密</t></si><si><r><t>a</t></r><r><t>b"
    "</t></r></si><si><t/></si></sst>";
static const char sheet[] =
    "<worksheet xmlns=\"" S_NS "\"><sheetData><row><c t=\"s\"><v>0</v></c>"
    "<c t=\"s\"><v>1</v></c><c t=\"s\"><v>2</v></c><c t=\"s\"><v>3</v></c>"
    "<c t=\"inlineStr\"><is><t>x</t></is></c><c><v>1.5</v></c></row>"
    "</sheetData></worksheet>";
static const char presentation[] = "<p:presentation xmlns:p=\"" P_NS "\"/>";
static const char slide[] =
    "<p:sld xmlns:a=\"" A_NS "\" xmlns:p=\"" P_NS "\"><p:cSld><p:spTree><p:sp>"
    "<p:txBody><a:p><a:r><a:t>幻灯片</a:t></a:r></a:p></p:txBody></p:sp>"
    "</p:spTree></p:cSld></p:sld>";
static const char rels[] =
    "<Relationships "
    "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/"
    "officeDocument/2006/relationships/notesSlide\" "
    "Target=\"../notesSlides/notesSlide1.xml\"/></Relationships>";

#define FUZZED NULL /* the part that holds the input */

typedef struct shape {
  const char *kind;
  const char *names[4];
  const char *fixed[4]; /* FUZZED, or the part's fixed text */
} shape;

static const shape shapes[] = {
    {"docx", {"word/document.xml", "word/header1.xml"}, {FUZZED, FUZZED}},
    {"xlsx",
     {"xl/workbook.xml", "xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"},
     {workbook, strings, FUZZED}},
    {"xlsx",
     {"xl/workbook.xml", "xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"},
     {workbook, FUZZED, sheet}},
    {"pptx",
     {"ppt/presentation.xml", "ppt/slides/slide1.xml",
      "ppt/slides/_rels/slide1.xml.rels", "ppt/notesSlides/notesSlide1.xml"},
     {presentation, FUZZED, rels, FUZZED}},
    {"pptx",
     {"ppt/presentation.xml", "ppt/slides/slide1.xml",
      "ppt/slides/_rels/slide1.xml.rels", "ppt/notesSlides/notesSlide1.xml"},
     {presentation, slide, FUZZED, slide}},
};

/* A stored zip of the shape with the input in its fuzzed parts; NULL if
 * libzip cannot build it. The caller frees it. */
static unsigned char *wrap(const shape *sh, const uint8_t *in, size_t n,
                           size_t *len) {
  unsigned char *b = NULL;
  zip_error_t ze;
  zip_error_init(&ze);
  zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
  zip_t *za = src ? zip_open_from_source(src, ZIP_TRUNCATE, &ze) : NULL;
  CHECK(za);
  zip_source_keep(src);
  for (int i = 0; i < 4 && sh->names[i]; i++) {
    const void *p = sh->fixed[i] ? (const void *)sh->fixed[i] : in;
    size_t pn = sh->fixed[i] ? strlen(sh->fixed[i]) : n;
    zip_source_t *s = zip_source_buffer(za, p, pn, 0);
    CHECK(s);
    zip_int64_t idx = zip_file_add(za, sh->names[i], s, 0);
    CHECK(idx >= 0);
    CHECK(!zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_STORE, 0));
  }
  CHECK(!zip_close(za));
  zip_stat_t st;
  zip_stat_init(&st);
  CHECK(!zip_source_stat(src, &st) && !zip_source_open(src));
  b = malloc(st.size);
  CHECK(b);
  CHECK(zip_source_read(src, b, st.size) == (zip_int64_t)st.size);
  zip_source_close(src);
  zip_source_free(src);
  zip_error_fini(&ze);
  *len = (size_t)st.size;
  return b;
}

/* Reads b[0..n); kind is what lv_office_kind said of it. */
static void check_text(const void *b, size_t n, const char *kind,
                       size_t limit) {
  lv_buf out;
  lv_buf_init(&out, limit);
  levee_error err;
  memset(&err, 0, sizeof err);
  int rc = lv_office_text(b, n, &out, &err);
  CHECK(rc == LEVEE_OK || rc == LEVEE_EINVAL || rc == LEVEE_ETOOBIG ||
        rc == LEVEE_ENOMEM);
  if (rc != LEVEE_OK)
    CHECK(err.status == rc && err.message[0]);
  /* Text comes only from a document lv_office_kind recognises. */
  if (!kind)
    CHECK(rc != LEVEE_OK && out.len == 0);
  CHECK(out.len <= limit && out.len <= LV_MAX_EXTRACT_TEXT_BYTES);
  CHECK(lv_utf8_valid(out.data ? out.data : "", out.len));
  lv_buf_cleanup(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* Some inputs get a small buffer, to cut text at its limit. */
  size_t limit = size % 5 == 0 ? 40 : LV_MAX_EXTRACT_TEXT_BYTES;

  const char *kind = lv_office_kind(data, size);
  CHECK(!kind || !strcmp(kind, "docx") || !strcmp(kind, "xlsx") ||
        !strcmp(kind, "pptx"));
  check_text(data, size, kind, limit);

  if (size == 0)
    return 0;
  const shape *sh = &shapes[data[0] % (sizeof shapes / sizeof *shapes)];
  size_t n;
  unsigned char *z = wrap(sh, data + 1, size - 1, &n);
  kind = lv_office_kind(z, n);
  CHECK(kind && !strcmp(kind, sh->kind));
  check_text(z, n, kind, limit);
  free(z);
  return 0;
}
