/* SPDX-License-Identifier: Apache-2.0 */
/*
 * office.c: the text of docx, xlsx and pptx attachments (office.h).
 *
 * An Office Open XML file is a zip archive of XML parts. libzip reads the
 * archive from memory (read-only) and libxml2's streaming xmlTextReader
 * walks each part; only parts with the expected names are read, and entry
 * names never reach the filesystem. The extract layer hands the text on to
 * normalization and detection like a message's text.
 *
 * Every step is bounded (util/limits.h):
 * - before libzip parses the central directory, the central directory
 *   records in the bytes are counted: libzip's memory grows with their
 *   number, so more than LV_MAX_ZIP_ENTRIES is refused unparsed;
 * - the parts to read are listed first and their declared uncompressed
 *   sizes checked against LV_MAX_ZIP_ENTRY_BYTES, LV_MAX_ZIP_RATIO and, in
 *   sum, LV_MAX_ZIP_TOTAL_BYTES before anything is inflated;
 * - inflating counts bytes: an entry that inflates past its declared size
 *   (a lying central directory; libzip itself does not stop it) is refused
 *   at that point, so the declared sizes, already checked, bound the work;
 * - XML nesting is capped at LV_MAX_XML_DEPTH, document type declarations
 *   are refused (no entity of any kind is expanded or loaded, no network),
 *   and libxml2's own default limits stay on (no XML_PARSE_HUGE);
 * - the text appended is capped by LV_MAX_EXTRACT_TEXT_BYTES and the
 *   buffer's own limit, cut at a character boundary.
 */
#include "extract/office.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlreader.h>
#include <zip.h>

#include "util/error.h"
#include "util/limits.h"
#include "util/utf8.h"

/* ---- The text written: lines, separators and the text limit ---- */

typedef struct sink {
  lv_buf *out;   /* borrowed: the caller's buffer, appended to */
  size_t start;  /* out->len before this document */
  int line_open; /* text written since the last newline */
  char pending;  /* separator owed before the next text (a cell's tab) */
} sink;

/* Appends p[0..n) as far as both limits allow, cut at a character
 * boundary; LEVEE_ETOOBIG when it did not all fit. */
static int sink_raw(sink *s, const char *p, size_t n, levee_error *err) {
  lv_buf *out = s->out;
  size_t used = out->len - s->start;
  size_t room =
      used < LV_MAX_EXTRACT_TEXT_BYTES ? LV_MAX_EXTRACT_TEXT_BYTES - used : 0;
  int buf_smaller = 0;
  size_t buf_room = out->len < out->limit ? out->limit - out->len : 0;
  if (buf_room < room) {
    room = buf_room;
    buf_smaller = 1;
  }
  size_t take = n <= room ? n : lv_utf8_floor(p, room);
  if (take) {
    int rc = lv_buf_append(out, p, take);
    if (rc == LEVEE_ENOMEM)
      return lv_error_set(err, rc, "out of memory for the document text");
    if (rc)
      return lv_error_set(err, rc, "document text does not fit its buffer");
  }
  if (take == n)
    return LEVEE_OK;
  if (buf_smaller)
    return lv_error_set(err, LEVEE_ETOOBIG,
                        "document text reaches the output limit (%zu bytes); "
                        "the rest is not read",
                        out->limit);
  return lv_error_set(err, LEVEE_ETOOBIG,
                      "document text reaches the limit of %u bytes; the rest "
                      "is not read",
                      (unsigned)LV_MAX_EXTRACT_TEXT_BYTES);
}

/* Text within a line, after any separator owed. */
static int sink_text(sink *s, const char *p, size_t n, levee_error *err) {
  if (n == 0)
    return LEVEE_OK;
  if (s->pending) {
    char c = s->pending;
    s->pending = 0;
    int rc = sink_raw(s, &c, 1, err);
    if (rc)
      return rc;
  }
  s->line_open = 1;
  return sink_raw(s, p, n, err);
}

/* Ends the line if it holds text (so empty paragraphs leave no line). */
static int sink_end_line(sink *s, levee_error *err) {
  s->pending = 0;
  if (!s->line_open)
    return LEVEE_OK;
  s->line_open = 0;
  return sink_raw(s, "\n", 1, err);
}

/* A line break inside a paragraph (w:br, a:br). */
static int sink_break(sink *s, levee_error *err) {
  s->pending = 0;
  s->line_open = 0;
  return sink_raw(s, "\n", 1, err);
}

/* ---- XML: one part walked with libxml2's streaming reader ---- */

/* Namespaces of the elements levee reads, transitional and strict. */
enum ns { NS_OTHER, NS_W, NS_A, NS_M, NS_S, NS_REL };

static const struct {
  const char *uri;
  enum ns ns;
} namespaces[] = {
    {"http://schemas.openxmlformats.org/wordprocessingml/2006/main", NS_W},
    {"http://purl.oclc.org/ooxml/wordprocessingml/main", NS_W},
    {"http://schemas.openxmlformats.org/drawingml/2006/main", NS_A},
    {"http://purl.oclc.org/ooxml/drawingml/main", NS_A},
    {"http://schemas.openxmlformats.org/officeDocument/2006/math", NS_M},
    {"http://purl.oclc.org/ooxml/officeDocument/math", NS_M},
    {"http://schemas.openxmlformats.org/spreadsheetml/2006/main", NS_S},
    {"http://purl.oclc.org/ooxml/spreadsheetml/main", NS_S},
    {"http://schemas.openxmlformats.org/package/2006/relationships", NS_REL},
};

/* What a part's walker does with elements and text. Element names are
 * local names in one of the namespaces above. */
typedef struct xml_ops {
  int (*start)(void *ctx, xmlTextReaderPtr r, enum ns ns, const char *name,
               levee_error *err);
  int (*end)(void *ctx, enum ns ns, const char *name, levee_error *err);
  int (*text)(void *ctx, const char *s, size_t n, levee_error *err);
} xml_ops;

/* libxml2's errors for one part: the first message, and whether libxml2
 * stopped at its own depth limit (it parses ahead of the node the reader
 * returns, so it can meet the depth before levee's check does). */
typedef struct xml_errors {
  int seen;
  int too_deep;
  int line;
  char message[128];
} xml_errors;

static void on_xml_error(void *arg, xmlErrorPtr e) {
  xml_errors *xe = arg;
  if (!e || e->level < XML_ERR_ERROR)
    return;
  /* "Excessive depth in document" (its code differs across versions). */
  if (e->message && strstr(e->message, "depth"))
    xe->too_deep = 1;
  if (xe->seen)
    return;
  xe->seen = 1;
  xe->line = e->line;
  const char *m = e->message ? e->message : "unknown error";
  size_t n = strcspn(m, "\r\n");
  if (n >= sizeof xe->message)
    n = sizeof xe->message - 1;
  memcpy(xe->message, m, n);
  xe->message[n] = '\0';
}

/* For libxml2's generic error channel while a part is walked. */
static void xml_silent(void *ctx, const char *msg, ...) {}

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void) {
  xmlInitParser();
}

static int too_deep(const char *part, levee_error *err) {
  return lv_error_set(err, LEVEE_ETOOBIG,
                      "%s: XML nested deeper than the limit of %d levels", part,
                      LV_MAX_XML_DEPTH);
}

/* Walks xml[0..n), the part named part (for messages), through ops. */
static int walk_xml(const char *xml, size_t n, const char *part,
                    const xml_ops *ops, void *ctx, levee_error *err) {
  int rc = LEVEE_OK;
  xml_errors xe;
  memset(&xe, 0, sizeof xe);
  /* The namespace URIs come from the reader's dictionary: the same
   * pointer for the same URI, so the last lookup is remembered. */
  const xmlChar *last_uri = NULL;
  enum ns last_ns = NS_OTHER;

  pthread_once(&xml_once, xml_init);
  /* Some errors (input conversion, I/O) are raised outside the reader's
   * context, through the thread's handlers, which print by default: they
   * are caught for this walk, the thread's own handlers put back after. */
  xmlStructuredErrorFunc saved_serror = xmlStructuredError;
  void *saved_sctx = xmlStructuredErrorContext;
  xmlGenericErrorFunc saved_gerror = xmlGenericError;
  void *saved_gctx = xmlGenericErrorContext;
  xmlSetStructuredErrorFunc(&xe, on_xml_error);
  xmlSetGenericErrorFunc(NULL, xml_silent);
  /* No XML_PARSE_NOENT, XML_PARSE_DTDLOAD or XML_PARSE_HUGE: entities are
   * not substituted, external subsets not loaded, libxml2's limits kept. */
  xmlTextReaderPtr r = xmlReaderForMemory(n ? xml : "", (int)n, NULL, NULL,
                                          XML_PARSE_NONET | XML_PARSE_NOERROR |
                                              XML_PARSE_NOWARNING);
  if (!r) {
    rc = lv_error_set(err, LEVEE_ENOMEM, "%s: cannot create an XML reader",
                      part);
    goto out;
  }
  xmlTextReaderSetStructuredErrorHandler(r, on_xml_error, &xe);

  int got;
  while ((got = xmlTextReaderRead(r)) == 1) {
    int type = xmlTextReaderNodeType(r);
    switch (type) {
    case XML_READER_TYPE_DOCUMENT_TYPE:
      rc = lv_error_set(err, LEVEE_EINVAL,
                        "%s: has a document type declaration, which Office "
                        "parts never have; refused",
                        part);
      goto out;
    case XML_READER_TYPE_ELEMENT:
    case XML_READER_TYPE_END_ELEMENT: {
      int depth = xmlTextReaderDepth(r);
      if (depth < 0 || depth >= LV_MAX_XML_DEPTH) {
        rc = too_deep(part, err);
        goto out;
      }
      const char *name = (const char *)xmlTextReaderConstLocalName(r);
      const xmlChar *uri = xmlTextReaderConstNamespaceUri(r);
      if (!name)
        break;
      if (uri != last_uri) {
        last_uri = uri;
        last_ns = NS_OTHER;
        for (size_t i = 0; uri && i < sizeof namespaces / sizeof *namespaces;
             i++)
          if (!strcmp((const char *)uri, namespaces[i].uri)) {
            last_ns = namespaces[i].ns;
            break;
          }
      }
      if (type == XML_READER_TYPE_ELEMENT) {
        rc = ops->start(ctx, r, last_ns, name, err);
        /* <x/> has no end element of its own. */
        if (!rc && xmlTextReaderIsEmptyElement(r) == 1)
          rc = ops->end(ctx, last_ns, name, err);
      } else {
        rc = ops->end(ctx, last_ns, name, err);
      }
      if (rc)
        goto out;
      break;
    }
    case XML_READER_TYPE_TEXT:
    case XML_READER_TYPE_CDATA:
    case XML_READER_TYPE_WHITESPACE:
    case XML_READER_TYPE_SIGNIFICANT_WHITESPACE: {
      const char *v = (const char *)xmlTextReaderConstValue(r);
      if (v && (rc = ops->text(ctx, v, strlen(v), err)))
        goto out;
      break;
    }
    default: break;
    }
  }
  if (got < 0) {
    if (xe.too_deep)
      rc = too_deep(part, err);
    else
      rc = lv_error_set(err, LEVEE_EINVAL,
                        "%s: not well-formed XML (line %d): %s", part, xe.line,
                        xe.seen ? xe.message : "read error");
  }
out:
  if (r)
    xmlFreeTextReader(r);
  xmlSetStructuredErrorFunc(saved_sctx, saved_serror);
  xmlSetGenericErrorFunc(saved_gctx, saved_gerror);
  return rc;
}

/* ---- docx and pptx: paragraphs of runs ---- */

/* WordprocessingML (docx) and DrawingML (pptx; also shapes in docx):
 * a paragraph (w:p, a:p) is a line; text comes from w:t, a:t, m:t (math)
 * and w:delText (deleted text still travels with the file); w:tab and
 * w:ptab are tabs, except tab stops in paragraph properties (w:tabs);
 * w:br, w:cr and a:br break the line. Field codes (w:instrText) are not
 * text. */
typedef struct prose {
  sink *s;
  int in_text; /* open text elements */
  int in_tabs; /* open w:tabs (tab stop definitions) */
} prose;

static int is_text_element(enum ns ns, const char *name) {
  return ((ns == NS_W || ns == NS_A || ns == NS_M) && !strcmp(name, "t")) ||
         (ns == NS_W && !strcmp(name, "delText"));
}

static int prose_start(void *ctx, xmlTextReaderPtr r, enum ns ns,
                       const char *name, levee_error *err) {
  prose *p = ctx;
  if (is_text_element(ns, name)) {
    p->in_text++;
    return LEVEE_OK;
  }
  if (ns == NS_W) {
    if (!strcmp(name, "tabs"))
      p->in_tabs++;
    else if ((!strcmp(name, "tab") && !p->in_tabs) || !strcmp(name, "ptab"))
      return sink_text(p->s, "\t", 1, err);
    else if (!strcmp(name, "br") || !strcmp(name, "cr"))
      return sink_break(p->s, err);
    else if (!strcmp(name, "noBreakHyphen"))
      return sink_text(p->s, "-", 1, err);
  } else if (ns == NS_A && !strcmp(name, "br")) {
    return sink_break(p->s, err);
  }
  return LEVEE_OK;
}

static int prose_end(void *ctx, enum ns ns, const char *name,
                     levee_error *err) {
  prose *p = ctx;
  if (is_text_element(ns, name))
    p->in_text--;
  else if (ns == NS_W && !strcmp(name, "tabs"))
    p->in_tabs--;
  else if ((ns == NS_W || ns == NS_A) && !strcmp(name, "p"))
    return sink_end_line(p->s, err);
  return LEVEE_OK;
}

static int prose_text(void *ctx, const char *s, size_t n, levee_error *err) {
  prose *p = ctx;
  return p->in_text > 0 ? sink_text(p->s, s, n, err) : LEVEE_OK;
}

static const xml_ops prose_ops = {prose_start, prose_end, prose_text};

/* ---- xlsx: the shared strings table ---- */

/* Each si is one string: its t text, directly or in rich-text runs (r),
 * but not phonetic runs (rPh). Strings are kept one after another in
 * text; starts holds each one's offset (uint32_t: a part is at most
 * LV_MAX_ZIP_ENTRY_BYTES). Both grow with the part, which bounds them. */
typedef struct sst {
  lv_buf text;
  lv_buf starts;
  size_t count;
  int in_si, in_t, in_rph;
} sst;

static int sst_start(void *ctx, xmlTextReaderPtr r, enum ns ns,
                     const char *name, levee_error *err) {
  sst *t = ctx;
  if (ns != NS_S)
    return LEVEE_OK;
  if (!strcmp(name, "si")) {
    if (t->in_si++ == 0) {
      uint32_t at = (uint32_t)t->text.len;
      int rc = lv_buf_append(&t->starts, &at, sizeof at);
      if (rc)
        return lv_error_set(err, rc, "xl/sharedStrings.xml: %s",
                            levee_strerror(rc));
      t->count++;
    }
  } else if (!strcmp(name, "t")) {
    t->in_t++;
  } else if (!strcmp(name, "rPh")) {
    t->in_rph++;
  }
  return LEVEE_OK;
}

static int sst_end(void *ctx, enum ns ns, const char *name, levee_error *err) {
  sst *t = ctx;
  if (ns != NS_S)
    return LEVEE_OK;
  if (!strcmp(name, "si"))
    t->in_si--;
  else if (!strcmp(name, "t"))
    t->in_t--;
  else if (!strcmp(name, "rPh"))
    t->in_rph--;
  return LEVEE_OK;
}

static int sst_text(void *ctx, const char *s, size_t n, levee_error *err) {
  sst *t = ctx;
  if (t->in_si <= 0 || t->in_t <= 0 || t->in_rph > 0)
    return LEVEE_OK;
  int rc = lv_buf_append(&t->text, s, n);
  if (rc)
    return lv_error_set(err, rc, "xl/sharedStrings.xml: %s",
                        levee_strerror(rc));
  return LEVEE_OK;
}

static const xml_ops sst_ops = {sst_start, sst_end, sst_text};

/* String i of the table, or 0 when i is out of range. */
static int sst_get(const sst *t, size_t i, const char **s, size_t *n) {
  if (i >= t->count)
    return 0;
  uint32_t from, to = (uint32_t)t->text.len;
  memcpy(&from, t->starts.data + i * sizeof from, sizeof from);
  if (i + 1 < t->count)
    memcpy(&to, t->starts.data + (i + 1) * sizeof to, sizeof to);
  *s = t->text.data ? t->text.data + from : "";
  *n = to - from;
  return 1;
}

/* ---- xlsx: a worksheet ---- */

/* A row (row) is a line and its cells (c) are tab-separated; a cell with
 * t="s" holds a shared string index in v, t="inlineStr" its text in is/t,
 * any other type its value in v as written (numbers, booleans, errors,
 * formula results; formulas themselves, f, are not text). A shared string
 * index that is not a number in range gives an empty cell. */
enum cell_type { CELL_VALUE, CELL_SHARED, CELL_INLINE };

typedef struct sheet {
  sink *s;
  const sst *strings;
  int in_cell, in_v, in_is, in_t, in_rph;
  enum cell_type type;
  char index[16]; /* a shared string index, as written */
  size_t index_len;
  int index_bad;
} sheet;

static int sheet_start(void *ctx, xmlTextReaderPtr r, enum ns ns,
                       const char *name, levee_error *err) {
  sheet *sh = ctx;
  if (ns != NS_S)
    return LEVEE_OK;
  if (!strcmp(name, "c")) {
    if (sh->in_cell++ == 0) {
      xmlChar *t = xmlTextReaderGetAttribute(r, BAD_CAST "t");
      sh->type = CELL_VALUE;
      if (t && !strcmp((const char *)t, "s"))
        sh->type = CELL_SHARED;
      else if (t && !strcmp((const char *)t, "inlineStr"))
        sh->type = CELL_INLINE;
      xmlFree(t);
      sh->index_len = 0;
      sh->index_bad = 0;
      sh->s->pending = sh->s->line_open ? '\t' : 0;
    }
  } else if (!strcmp(name, "v")) {
    sh->in_v++;
  } else if (!strcmp(name, "is")) {
    sh->in_is++;
  } else if (!strcmp(name, "t")) {
    sh->in_t++;
  } else if (!strcmp(name, "rPh")) {
    sh->in_rph++;
  }
  return LEVEE_OK;
}

/* The shared string a cell's v names, written out. */
static int sheet_shared(sheet *sh, levee_error *err) {
  size_t a = 0, b = sh->index_len;
  while (a < b && strchr(" \t\r\n", sh->index[a]))
    a++;
  while (b > a && strchr(" \t\r\n", sh->index[b - 1]))
    b--;
  if (sh->index_bad || a == b || b - a > 9)
    return LEVEE_OK;
  size_t i = 0;
  for (size_t k = a; k < b; k++) {
    if (sh->index[k] < '0' || sh->index[k] > '9')
      return LEVEE_OK;
    i = i * 10 + (size_t)(sh->index[k] - '0');
  }
  const char *s;
  size_t n;
  if (!sst_get(sh->strings, i, &s, &n))
    return LEVEE_OK;
  return sink_text(sh->s, s, n, err);
}

static int sheet_end(void *ctx, enum ns ns, const char *name,
                     levee_error *err) {
  sheet *sh = ctx;
  int rc = LEVEE_OK;
  if (ns != NS_S)
    return LEVEE_OK;
  if (!strcmp(name, "c")) {
    if (sh->in_cell == 1) {
      if (sh->type == CELL_SHARED)
        rc = sheet_shared(sh, err);
      sh->s->pending = 0;
    }
    sh->in_cell--;
  } else if (!strcmp(name, "row")) {
    rc = sink_end_line(sh->s, err);
  } else if (!strcmp(name, "v")) {
    sh->in_v--;
  } else if (!strcmp(name, "is")) {
    sh->in_is--;
  } else if (!strcmp(name, "t")) {
    sh->in_t--;
  } else if (!strcmp(name, "rPh")) {
    sh->in_rph--;
  }
  return rc;
}

static int sheet_text(void *ctx, const char *s, size_t n, levee_error *err) {
  sheet *sh = ctx;
  if (sh->in_cell <= 0)
    return LEVEE_OK;
  switch (sh->type) {
  case CELL_SHARED:
    if (sh->in_v > 0) {
      if (n > sizeof sh->index - sh->index_len)
        sh->index_bad = 1;
      else {
        memcpy(sh->index + sh->index_len, s, n);
        sh->index_len += n;
      }
    }
    return LEVEE_OK;
  case CELL_INLINE:
    if (sh->in_is > 0 && sh->in_t > 0 && sh->in_rph == 0)
      return sink_text(sh->s, s, n, err);
    return LEVEE_OK;
  case CELL_VALUE: return sh->in_v > 0 ? sink_text(sh->s, s, n, err) : LEVEE_OK;
  }
  return LEVEE_OK;
}

static const xml_ops sheet_ops = {sheet_start, sheet_end, sheet_text};

/* ---- pptx: a slide's relationships, to find its notes ---- */

/* A part name of the form prefix, 1 to 9 digits, suffix; the digits'
 * value in *number. Without a suffix the name must equal prefix. */
static int part_name(const char *name, const char *prefix, const char *suffix,
                     uint32_t *number) {
  size_t lp = strlen(prefix);
  if (strncmp(name, prefix, lp) != 0)
    return 0;
  name += lp;
  if (!suffix) {
    *number = 0;
    return *name == '\0';
  }
  uint32_t v = 0;
  size_t digits = 0;
  while (name[digits] >= '0' && name[digits] <= '9') {
    if (++digits > 9)
      return 0;
    v = v * 10 + (uint32_t)(name[digits - 1] - '0');
  }
  if (digits == 0 || strcmp(name + digits, suffix) != 0)
    return 0;
  *number = v;
  return 1;
}

#define NOTES_PREFIX "ppt/notesSlides/notesSlide"

/* The first relationship of type notesSlide that points inside the
 * package to ppt/notesSlides/notesSlideN.xml. */
typedef struct rels {
  char target[64]; /* the notes part's name, or "" */
  uint32_t number;
} rels;

static int rels_start(void *ctx, xmlTextReaderPtr r, enum ns ns,
                      const char *name, levee_error *err) {
  rels *rl = ctx;
  if (ns != NS_REL || strcmp(name, "Relationship") != 0 || rl->target[0])
    return LEVEE_OK;
  xmlChar *type = xmlTextReaderGetAttribute(r, BAD_CAST "Type");
  xmlChar *target = xmlTextReaderGetAttribute(r, BAD_CAST "Target");
  xmlChar *mode = xmlTextReaderGetAttribute(r, BAD_CAST "TargetMode");
  static const char kind[] = "/notesSlide";
  size_t tl = type ? strlen((const char *)type) : 0;
  if (type && target &&
      (!mode || strcmp((const char *)mode, "External") != 0) &&
      tl >= sizeof kind - 1 &&
      !strcmp((const char *)type + tl - (sizeof kind - 1), kind)) {
    /* Relative to ppt/slides/, or absolute within the package. */
    const char *t = (const char *)target;
    const char *rest = NULL;
    if (!strncmp(t, "../notesSlides/", 15))
      rest = t + 15;
    else if (!strncmp(t, "/ppt/notesSlides/", 17))
      rest = t + 17;
    char full[sizeof rl->target];
    uint32_t number;
    if (rest && strlen(rest) < 32) {
      snprintf(full, sizeof full, "ppt/notesSlides/%s", rest);
      if (part_name(full, NOTES_PREFIX, ".xml", &number)) {
        memcpy(rl->target, full, sizeof full);
        rl->number = number;
      }
    }
  }
  xmlFree(type);
  xmlFree(target);
  xmlFree(mode);
  return LEVEE_OK;
}

static int rels_end(void *ctx, enum ns ns, const char *name, levee_error *err) {
  return LEVEE_OK;
}

static int rels_text(void *ctx, const char *s, size_t n, levee_error *err) {
  return LEVEE_OK;
}

static const xml_ops rels_ops = {rels_start, rels_end, rels_text};

/* ---- The archive ---- */

typedef enum kind { KIND_NONE, KIND_DOCX, KIND_XLSX, KIND_PPTX } kind;

static const char *const main_parts[] = {
    NULL, "word/document.xml", "xl/workbook.xml", "ppt/presentation.xml"};
static const char *const kind_names[] = {NULL, "docx", "xlsx", "pptx"};

static const char cd_magic[4] = {'P', 'K', 1, 2};

/* Central directory records in b[0..n): at least as many as the entries
 * libzip would find, since each entry it reads starts with this signature
 * at its own offset. Counting stops past LV_MAX_ZIP_ENTRIES. */
static size_t cd_records(const unsigned char *b, size_t n) {
  size_t count = 0, at = 0;
  while (count <= LV_MAX_ZIP_ENTRIES && n - at >= sizeof cd_magic) {
    const unsigned char *hit =
        memmem(b + at, n - at, cd_magic, sizeof cd_magic);
    if (!hit)
      break;
    count++;
    at = (size_t)(hit - b) + sizeof cd_magic;
  }
  return count;
}

/* The kind named by a central directory record's file name, found without
 * libzip: for archives refused for their number of entries, which are
 * still reported as what they hold. */
static kind raw_kind(const unsigned char *b, size_t n) {
  kind found = KIND_NONE;
  size_t at = 0;
  while (n - at >= 46) {
    const unsigned char *hit =
        memmem(b + at, n - at, cd_magic, sizeof cd_magic);
    if (!hit)
      break;
    size_t pos = (size_t)(hit - b);
    at = pos + sizeof cd_magic;
    if (n - pos < 46)
      break;
    size_t name_len = (size_t)b[pos + 28] | (size_t)b[pos + 29] << 8;
    if (n - pos - 46 < name_len)
      continue;
    for (int k = KIND_DOCX; k <= KIND_PPTX; k++)
      if (strlen(main_parts[k]) == name_len &&
          !memcmp(b + pos + 46, main_parts[k], name_len) &&
          (found == KIND_NONE || (kind)k < found))
        found = (kind)k;
  }
  return found;
}

/* Opens bytes[0..n) read-only; *out is the caller's to zip_discard. */
static int archive_open(const void *bytes, size_t n, zip_t **out,
                        levee_error *err) {
  if (!bytes || n == 0)
    return lv_error_set(err, LEVEE_EINVAL, "not a zip archive: no bytes");
  if (cd_records(bytes, n) > LV_MAX_ZIP_ENTRIES)
    return lv_error_set(err, LEVEE_ETOOBIG,
                        "zip archive with more than %d entries, over the "
                        "limit",
                        LV_MAX_ZIP_ENTRIES);
  int rc = LEVEE_OK;
  zip_error_t ze;
  zip_error_init(&ze);
  zip_source_t *src = zip_source_buffer_create(bytes, n, 0, &ze);
  zip_t *za = NULL;
  if (src)
    za = zip_open_from_source(src, ZIP_RDONLY, &ze);
  if (!za) {
    zip_source_free(src); /* accepts NULL; kept by nobody when open fails */
    rc = zip_error_code_zip(&ze) == ZIP_ER_MEMORY ? LEVEE_ENOMEM : LEVEE_EINVAL;
    lv_error_set(err, rc, "not a readable zip archive: %s",
                 zip_error_strerror(&ze));
    goto out;
  }
  zip_int64_t entries = zip_get_num_entries(za, 0);
  if (entries < 0 || entries > LV_MAX_ZIP_ENTRIES) {
    zip_discard(za);
    rc = lv_error_set(err, LEVEE_ETOOBIG,
                      "zip archive with more than %d entries, over the limit",
                      LV_MAX_ZIP_ENTRIES);
    goto out;
  }
  *out = za;
out:
  zip_error_fini(&ze);
  return rc;
}

/* The kind by its main part, names compared as stored (raw); should an
 * archive hold more than one main part, docx before xlsx before pptx. */
static kind kind_of(zip_t *za) {
  kind found = KIND_NONE;
  zip_int64_t entries = zip_get_num_entries(za, 0);
  for (zip_int64_t i = 0; i < entries; i++) {
    const char *name = zip_get_name(za, (zip_uint64_t)i, ZIP_FL_ENC_RAW);
    for (int k = KIND_DOCX; name && k <= KIND_PPTX; k++)
      if (!strcmp(name, main_parts[k]) &&
          (found == KIND_NONE || (kind)k < found))
        found = (kind)k;
  }
  return found;
}

const char *lv_office_kind(const void *bytes, size_t n) {
  zip_t *za = NULL;
  int rc = archive_open(bytes, n, &za, NULL);
  if (rc == LEVEE_ETOOBIG)
    return kind_names[raw_kind(bytes, n)];
  if (rc)
    return NULL;
  kind k = kind_of(za);
  zip_discard(za);
  return kind_names[k];
}

/* ---- Parts: listed and size-checked first, then read ---- */

/* Names of the parts read, in the order their text is written; a pattern
 * without a suffix is an exact name (the first such entry is read). */
typedef struct pattern {
  const char *prefix;
  const char *suffix;
} pattern;

static const pattern docx_parts[] = {
    {"word/document.xml", NULL}, {"word/header", ".xml"},
    {"word/footer", ".xml"},     {"word/footnotes.xml", NULL},
    {"word/endnotes.xml", NULL}, {"word/comments.xml", NULL},
};
enum { XLSX_STRINGS, XLSX_SHEET };
static const pattern xlsx_parts[] = {
    [XLSX_STRINGS] = {"xl/sharedStrings.xml", NULL},
    [XLSX_SHEET] = {"xl/worksheets/sheet", ".xml"},
};
enum { PPTX_SLIDE, PPTX_RELS, PPTX_NOTES };
static const pattern pptx_parts[] = {
    [PPTX_SLIDE] = {"ppt/slides/slide", ".xml"},
    [PPTX_RELS] = {"ppt/slides/_rels/slide", ".xml.rels"},
    [PPTX_NOTES] = {NOTES_PREFIX, ".xml"},
};
#define MAX_GROUPS 6

typedef struct part {
  zip_uint64_t index;
  const char *name; /* libzip's, valid while the archive is open */
  int group;        /* index into the kind's patterns */
  uint32_t number;  /* N of a numbered name (sheetN.xml), else 0 */
  int done;
} part;

typedef struct doc {
  zip_t *za;
  sink s;
  part *parts; /* owned; sorted by group, number, entry */
  size_t n_parts;
  uint64_t inflated; /* bytes inflated so far */
  lv_buf xml;        /* the part being walked */
} doc;

static int part_order(const void *a, const void *b) {
  const part *x = a, *y = b;
  if (x->group != y->group)
    return x->group < y->group ? -1 : 1;
  if (x->number != y->number)
    return x->number < y->number ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

/* An entry's declared sizes, checked against the limits. */
static int entry_size(doc *d, const part *p, uint64_t *size, levee_error *err) {
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(d->za, p->index, 0, &st) < 0)
    return lv_error_set(err, LEVEE_EINVAL, "zip entry %s: %s", p->name,
                        zip_strerror(d->za));
  if (!(st.valid & ZIP_STAT_SIZE) || !(st.valid & ZIP_STAT_COMP_SIZE))
    return lv_error_set(err, LEVEE_EINVAL, "zip entry %s: no sizes", p->name);
  if (st.size > LV_MAX_ZIP_ENTRY_BYTES)
    return lv_error_set(err, LEVEE_ETOOBIG,
                        "zip entry %s: %llu bytes uncompressed, over the "
                        "limit of %u",
                        p->name, (unsigned long long)st.size,
                        (unsigned)LV_MAX_ZIP_ENTRY_BYTES);
  if (st.comp_size <= UINT64_MAX / LV_MAX_ZIP_RATIO &&
      st.size > st.comp_size * LV_MAX_ZIP_RATIO)
    return lv_error_set(err, LEVEE_ETOOBIG,
                        "zip entry %s: %llu bytes from %llu compressed, a "
                        "ratio over the limit of %d:1 (a zip bomb)",
                        p->name, (unsigned long long)st.size,
                        (unsigned long long)st.comp_size, LV_MAX_ZIP_RATIO);
  *size = st.size;
  return LEVEE_OK;
}

/* Lists the entries matching pats (by exact name; they are never used as
 * paths) and checks all their declared sizes before any is read. */
static int list_parts(doc *d, const pattern *pats, int n_pats,
                      levee_error *err) {
  zip_int64_t entries = zip_get_num_entries(d->za, 0);
  int have[MAX_GROUPS] = {0};
  d->parts = calloc(entries > 0 ? (size_t)entries : 1, sizeof *d->parts);
  if (!d->parts)
    return lv_error_set(err, LEVEE_ENOMEM, "out of memory");
  for (zip_int64_t i = 0; i < entries; i++) {
    const char *name = zip_get_name(d->za, (zip_uint64_t)i, ZIP_FL_ENC_RAW);
    uint32_t number;
    for (int g = 0; name && g < n_pats; g++) {
      if (!part_name(name, pats[g].prefix, pats[g].suffix, &number))
        continue;
      if (!pats[g].suffix && have[g]++)
        break;
      d->parts[d->n_parts++] = (part){(zip_uint64_t)i, name, g, number, 0};
      break;
    }
  }
  qsort(d->parts, d->n_parts, sizeof *d->parts, part_order);
  uint64_t total = 0;
  for (size_t i = 0; i < d->n_parts; i++) {
    uint64_t size = 0;
    int rc = entry_size(d, &d->parts[i], &size, err);
    if (rc)
      return rc;
    total += size; /* each is at most LV_MAX_ZIP_ENTRY_BYTES: no overflow */
    if (total > LV_MAX_ZIP_TOTAL_BYTES)
      return lv_error_set(err, LEVEE_ETOOBIG,
                          "the document's parts hold over the limit of %u "
                          "bytes uncompressed",
                          (unsigned)LV_MAX_ZIP_TOTAL_BYTES);
  }
  return LEVEE_OK;
}

/* Inflates part p into d->xml, counting: never more than its declared
 * size, which entry_size() has checked. */
static int read_part(doc *d, const part *p, levee_error *err) {
  uint64_t size = 0;
  int rc = entry_size(d, p, &size, err);
  if (rc)
    return rc;
  if (size > LV_MAX_ZIP_TOTAL_BYTES - d->inflated)
    return lv_error_set(err, LEVEE_ETOOBIG,
                        "the document's parts hold over the limit of %u "
                        "bytes uncompressed",
                        (unsigned)LV_MAX_ZIP_TOTAL_BYTES);
  lv_buf_cleanup(&d->xml);
  lv_buf_init(&d->xml, (size_t)size);
  zip_file_t *zf = zip_fopen_index(d->za, p->index, 0);
  if (!zf)
    return lv_error_set(err, LEVEE_EINVAL, "zip entry %s: %s", p->name,
                        zip_strerror(d->za));
  char chunk[32768];
  for (;;) {
    zip_int64_t got = zip_fread(zf, chunk, sizeof chunk);
    if (got < 0) {
      rc = lv_error_set(err, LEVEE_EINVAL, "zip entry %s: %s", p->name,
                        zip_file_strerror(zf));
      goto out;
    }
    if (got == 0)
      break;
    if ((uint64_t)got > size - d->xml.len) {
      rc = lv_error_set(err, LEVEE_ETOOBIG,
                        "zip entry %s inflates past the %llu bytes its "
                        "central directory declares (the size checked "
                        "against LV_MAX_ZIP_ENTRY_BYTES and "
                        "LV_MAX_ZIP_RATIO); refused",
                        p->name, (unsigned long long)size);
      goto out;
    }
    if ((rc = lv_buf_append(&d->xml, chunk, (size_t)got))) {
      rc = lv_error_set(err, rc, "zip entry %s: %s", p->name,
                        levee_strerror(rc));
      goto out;
    }
  }
  d->inflated += d->xml.len;
out:
  zip_fclose(zf);
  return rc;
}

static int walk_part(doc *d, part *p, const xml_ops *ops, void *ctx,
                     levee_error *err) {
  p->done = 1;
  int rc = read_part(d, p, err);
  if (!rc)
    rc = walk_xml(d->xml.data, d->xml.len, p->name, ops, ctx, err);
  lv_buf_cleanup(&d->xml);
  return rc;
}

/* A prose part (docx, pptx) ends its last line. */
static int walk_prose(doc *d, part *p, levee_error *err) {
  prose pr = {&d->s, 0, 0};
  int rc = walk_part(d, p, &prose_ops, &pr, err);
  return rc ? rc : sink_end_line(&d->s, err);
}

/* docx: the body, headers, footers, footnotes, endnotes, comments; headers
 * and footers in the order of their numbers. */
static int docx_text(doc *d, levee_error *err) {
  int rc =
      list_parts(d, docx_parts, sizeof docx_parts / sizeof *docx_parts, err);
  for (size_t i = 0; !rc && i < d->n_parts; i++)
    rc = walk_prose(d, &d->parts[i], err);
  return rc;
}

/* xlsx: the shared strings, then worksheets in the order of their numbers
 * (sheet1.xml, sheet2.xml, ..., sheet10.xml). That is the order in which
 * the sheets were created, which is the tab order unless tabs were moved;
 * following xl/workbook.xml and its relationships would give the tab order
 * at the price of two more parts to parse, and all sheets are read either
 * way. */
static int xlsx_text(doc *d, levee_error *err) {
  sst strings;
  memset(&strings, 0, sizeof strings);
  lv_buf_init(&strings.text, LV_MAX_ZIP_ENTRY_BYTES);
  lv_buf_init(&strings.starts, LV_MAX_ZIP_ENTRY_BYTES);
  int rc =
      list_parts(d, xlsx_parts, sizeof xlsx_parts / sizeof *xlsx_parts, err);
  for (size_t i = 0; !rc && i < d->n_parts; i++) {
    part *p = &d->parts[i];
    if (p->group == XLSX_STRINGS) {
      rc = walk_part(d, p, &sst_ops, &strings, err);
    } else {
      sheet sh;
      memset(&sh, 0, sizeof sh);
      sh.s = &d->s;
      sh.strings = &strings;
      rc = walk_part(d, p, &sheet_ops, &sh, err);
      if (!rc)
        rc = sink_end_line(&d->s, err);
    }
  }
  lv_buf_cleanup(&strings.text);
  lv_buf_cleanup(&strings.starts);
  return rc;
}

/* The part of group g named name, numbered number; NULL if none. */
static part *find_part(doc *d, int g, uint32_t number, const char *name) {
  size_t lo = 0, hi = d->n_parts;
  while (lo < hi) { /* the first part not before (g, number) */
    size_t mid = lo + (hi - lo) / 2;
    const part *p = &d->parts[mid];
    if (p->group < g || (p->group == g && p->number < number))
      lo = mid + 1;
    else
      hi = mid;
  }
  for (; lo < d->n_parts && d->parts[lo].group == g &&
         d->parts[lo].number == number;
       lo++)
    if (!strcmp(d->parts[lo].name, name))
      return &d->parts[lo];
  return NULL;
}

/* pptx: slides in the order of their numbers, each followed by its notes
 * (found through the slide's relationships); notes no slide names come
 * last, so no text is left out. */
static int pptx_text(doc *d, levee_error *err) {
  int rc =
      list_parts(d, pptx_parts, sizeof pptx_parts / sizeof *pptx_parts, err);
  for (size_t i = 0; !rc && i < d->n_parts; i++) {
    part *slide = &d->parts[i];
    if (slide->group != PPTX_SLIDE)
      continue;
    if ((rc = walk_prose(d, slide, err)))
      break;
    /* ppt/slides/slideN.xml -> ppt/slides/_rels/slideN.xml.rels */
    char name[64];
    const char *base = slide->name + strlen("ppt/slides/");
    snprintf(name, sizeof name, "ppt/slides/_rels/%s.rels", base);
    part *rp = find_part(d, PPTX_RELS, slide->number, name);
    rels rl;
    memset(&rl, 0, sizeof rl);
    if (rp && !rp->done && (rc = walk_part(d, rp, &rels_ops, &rl, err)))
      break;
    part *notes =
        rl.target[0] ? find_part(d, PPTX_NOTES, rl.number, rl.target) : NULL;
    if (notes && !notes->done)
      rc = walk_prose(d, notes, err);
  }
  for (size_t i = 0; !rc && i < d->n_parts; i++)
    if (d->parts[i].group == PPTX_NOTES && !d->parts[i].done)
      rc = walk_prose(d, &d->parts[i], err);
  return rc;
}

int lv_office_text(const void *bytes, size_t n, lv_buf *out, levee_error *err) {
  doc d;
  memset(&d, 0, sizeof d);
  d.s.out = out;
  d.s.start = out->len;
  lv_buf_init(&d.xml, 0);
  int rc = archive_open(bytes, n, &d.za, err);
  if (rc)
    goto out;
  switch (kind_of(d.za)) {
  case KIND_DOCX: rc = docx_text(&d, err); break;
  case KIND_XLSX: rc = xlsx_text(&d, err); break;
  case KIND_PPTX: rc = pptx_text(&d, err); break;
  default:
    rc = lv_error_set(err, LEVEE_EINVAL,
                      "zip archive holds no word/document.xml, "
                      "xl/workbook.xml or ppt/presentation.xml: not a docx, "
                      "xlsx or pptx");
  }
out:
  lv_buf_cleanup(&d.xml);
  free(d.parts);
  if (d.za)
    zip_discard(d.za);
  return rc;
}
