/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_office.c: the text of docx, xlsx and pptx files
 * (src/extract/office.c). Every document is built here with libzip's
 * writing API into memory, its parts shaped like Word's, Excel's and
 * PowerPoint's (namespaces included), then read back; hostile archives
 * (a zip bomb, too many entries, a central directory that lies about
 * sizes, deep XML, a DTD) are built the same way, some patched by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zip.h>

#include "extract/office.h"
#include "util/limits.h"
#include "util/utf8.h"

#define XML_DECL                                                               \
  "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n"
#define W_NS "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define R_NS                                                                   \
  "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define S_NS "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define A_NS "http://schemas.openxmlformats.org/drawingml/2006/main"
#define P_NS "http://schemas.openxmlformats.org/presentationml/2006/main"
#define PKG_REL_NS                                                             \
  "http://schemas.openxmlformats.org/package/2006/relationships"

typedef struct entry {
  const char *name;
  const void *data;
  size_t len;
} entry;

/* A zip archive of e[0..n) built in memory; the caller frees it. */
static unsigned char *make_zip(const entry *e, size_t n, zip_int32_t method,
                               size_t *len) {
  zip_error_t ze;
  zip_error_init(&ze);
  zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
  assert_non_null(src);
  zip_t *za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
  assert_non_null(za);
  zip_source_keep(src);
  for (size_t i = 0; i < n; i++) {
    zip_source_t *s = zip_source_buffer(za, e[i].data, e[i].len, 0);
    assert_non_null(s);
    zip_int64_t idx = zip_file_add(za, e[i].name, s, ZIP_FL_ENC_UTF_8);
    assert_true(idx >= 0);
    assert_int_equal(zip_set_file_compression(za, (zip_uint64_t)idx, method, 0),
                     0);
  }
  assert_int_equal(zip_close(za), 0);
  zip_stat_t st;
  zip_stat_init(&st);
  assert_int_equal(zip_source_stat(src, &st), 0);
  assert_int_equal(zip_source_open(src), 0);
  unsigned char *b = malloc(st.size);
  assert_non_null(b);
  assert_int_equal(zip_source_read(src, b, st.size), (zip_int64_t)st.size);
  zip_source_close(src);
  zip_source_free(src);
  zip_error_fini(&ze);
  *len = (size_t)st.size;
  return b;
}

static entry text_entry(const char *name, const char *xml) {
  return (entry){name, xml, strlen(xml)};
}

/* ---- Parts shaped like Office's ---- */

static const char content_types[] =
    XML_DECL "<Types "
             "xmlns=\"http://schemas.openxmlformats.org/package/2006/"
             "content-types\"><Default Extension=\"rels\" "
             "ContentType=\"application/"
             "vnd.openxmlformats-package.relationships+xml\"/><Default "
             "Extension=\"xml\" ContentType=\"application/xml\"/></Types>";

static const char root_rels[] =
    XML_DECL "<Relationships xmlns=\"" PKG_REL_NS
             "\"><Relationship Id=\"rId1\" Type=\"" R_NS
             "/officeDocument\" Target=\"word/document.xml\"/></Relationships>";

static const char docx_document[] = XML_DECL
    "<w:document xmlns:wpc=\"http://schemas.microsoft.com/office/word/2010/"
    "wordprocessingCanvas\" xmlns:r=\"" R_NS "\" xmlns:w=\"" W_NS
    "\" xmlns:m=\"http://schemas.openxmlformats.org/officeDocument/2006/math\">"
    "<w:body>"
    "<w:p><w:pPr><w:pStyle w:val=\"Title\"/><w:tabs><w:tab w:val=\"left\" "
    "w:pos=\"720\"/></w:tabs></w:pPr><w:r><w:t>关于</w:t></w:r><w:r><w:tab/>"
    "<w:t xml:space=\"preserve\">2024年 </w:t></w:r><w:r><w:rPr><w:b/>"
    "</w:rPr><w:t>预算</w:t></w:r></w:p>"
    "<w:p/>"
    "<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/></w:tblPr><w:tblGrid>"
    "<w:gridCol w:w=\"4153\"/><w:gridCol w:w=\"4153\"/></w:tblGrid>"
    "<w:tr><w:tc><w:tcPr><w:tcW w:w=\"4153\" w:type=\"dxa\"/></w:tcPr><w:p>"
    "<w:r><w:t>姓名</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>身份证号"
    "</w:t></w:r></w:p></w:tc></w:tr>"
    "<w:tr><w:tc><w:p><w:r><w:t>张三</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r>"
    "<w:t>110105194912310021</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
    "<w:p><w:r><w:t>第一行</w:t></w:r><w:r><w:br/><w:t>第二行</w:t></w:r><w:r>"
    "<w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText "
    "xml:space=\"preserve\"> PAGE </w:instrText></w:r><w:r><w:fldChar "
    "w:fldCharType=\"end\"/></w:r></w:p>"
    "<w:p><w:del w:id=\"1\" w:author=\"A\" w:date=\"2024-01-01T00:00:00Z\">"
    "<w:r><w:delText>已删除</w:delText></w:r></w:del><w:r><w:t>A&amp;B "
    "&lt;C&gt; &#x4E2D;</w:t></w:r></w:p>"
    "<w:sectPr><w:headerReference w:type=\"default\" r:id=\"rId8\"/>"
    "<w:footerReference w:type=\"default\" r:id=\"rId9\"/><w:pgSz "
    "w:w=\"11906\" w:h=\"16838\"/></w:sectPr></w:body></w:document>";

#define HDR(body)                                                              \
  XML_DECL "<w:hdr xmlns:r=\"" R_NS "\" xmlns:w=\"" W_NS                       \
           "\"><w:p><w:pPr><w:pStyle w:val=\"Header\"/><w:jc "                 \
           "w:val=\"center\"/></w:pPr>" body "</w:p></w:hdr>"

static const char docx_header1[] = HDR("<w:r><w:t>机密★5年</w:t></w:r>");
static const char docx_header2[] = HDR("<w:r><w:t>页眉二</w:t></w:r>");
static const char docx_header10[] = HDR("<w:r><w:t>页眉十</w:t></w:r>");

static const char docx_footer1[] =
    XML_DECL "<w:ftr xmlns:w=\"" W_NS "\"><w:p><w:r><w:t xml:space="
             "\"preserve\">机密★ 第</w:t></w:r><w:r><w:t>1</w:t></w:r><w:r>"
             "<w:t>页</w:t></w:r></w:p></w:ftr>";

static const char docx_footnotes[] =
    XML_DECL "<w:footnotes xmlns:w=\"" W_NS
             "\"><w:footnote w:type=\"separator\" w:id=\"-1\"><w:p><w:r>"
             "<w:separator/></w:r></w:p></w:footnote><w:footnote w:id=\"1\">"
             "<w:p><w:r><w:footnoteRef/></w:r><w:r><w:t>脚注内容</w:t></w:r>"
             "</w:p></w:footnote></w:footnotes>";

static const char docx_comments[] =
    XML_DECL "<w:comments xmlns:w=\"" W_NS
             "\"><w:comment w:id=\"0\" w:author=\"李四\" w:initials=\"LS\">"
             "<w:p><w:r><w:t>请勿外传</w:t></w:r></w:p></w:comment>"
             "</w:comments>";

static const char docx_want[] =
    "关于\t2024年 预算\n姓名\n身份证号\n张三\n110105194912310021\n第一行\n"
    "第二行\n已删除A&B <C> 中\n机密★5年\n页眉二\n页眉十\n机密★ 第1页\n"
    "脚注内容\n请勿外传\n";

/* A docx whose word/document.xml is document[0..n). */
static unsigned char *make_docx(const void *document, size_t n,
                                zip_int32_t method, size_t *len) {
  entry e[] = {text_entry("[Content_Types].xml", content_types),
               text_entry("_rels/.rels", root_rels),
               {"word/document.xml", document, n}};
  return make_zip(e, sizeof e / sizeof *e, method, len);
}

static const char workbook[] =
    XML_DECL "<workbook xmlns=\"" S_NS "\" xmlns:r=\"" R_NS
             "\"><sheets><sheet name=\"汇总\" sheetId=\"1\" r:id=\"rId1\"/>"
             "<sheet name=\"明细\" sheetId=\"2\" r:id=\"rId2\"/></sheets>"
             "</workbook>";

static const char shared_strings[] =
    XML_DECL "<sst xmlns=\"" S_NS "\" count=\"6\" uniqueCount=\"4\">"
             "<si><t>客户名称</t></si>"
             "<si><t>银行卡号</t></si>"
             "<si><r><rPr><b/><sz val=\"11\"/></rPr><t>利润</t></r><r>"
             "<t xml:space=\"preserve\"> 表</t></r></si>"
             "<si><t>東京</t><rPh sb=\"0\" eb=\"2\"><t>トウキョウ</t></rPh>"
             "<phoneticPr fontId=\"1\"/></si></sst>";

#define SHEET(rows)                                                            \
  XML_DECL "<worksheet xmlns=\"" S_NS "\" xmlns:r=\"" R_NS                     \
           "\"><dimension ref=\"A1:E3\"/><sheetViews><sheetView "              \
           "workbookViewId=\"0\"/></sheetViews><sheetData>" rows               \
           "</sheetData><pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" " \
           "bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/></worksheet>"

static const char sheet1[] = SHEET(
    "<row r=\"1\" spans=\"1:3\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" "
    "t=\"s\"><v>1</v></c><c r=\"C1\" t=\"s\"><v>2</v></c></row>"
    "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>张三</t></is></c>"
    "<c r=\"B2\" s=\"1\"><v>1234.5</v></c><c r=\"C2\"><v>-7</v></c></row>"
    "<row r=\"3\"><c r=\"A3\" t=\"s\"><v>3</v></c><c r=\"B3\" t=\"b\"><v>1</v>"
    "</c><c r=\"C3\"><f>C2*2</f><v>2469</v></c><c r=\"D3\" s=\"2\"/>"
    "<c r=\"E3\" t=\"s\"><v>99</v></c></row>");
static const char sheet2[] = SHEET(
    "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><r><t>机密</t></r><r><t>★"
    "</t></r></is></c><c r=\"B1\" t=\"s\"><v> 1 </v></c></row>");
static const char sheet10[] =
    SHEET("<row r=\"1\"><c r=\"A1\" t=\"str\"><f>\"第\"&amp;\"十\"</f><v>第十"
          "</v></c></row>");

static const char xlsx_want[] =
    "客户名称\t银行卡号\t利润 表\n张三\t1234.5\t-7\n東京\t1\t2469\n"
    "机密★\t银行卡号\n第十\n";

static const char presentation[] =
    XML_DECL "<p:presentation xmlns:a=\"" A_NS "\" xmlns:r=\"" R_NS
             "\" xmlns:p=\"" P_NS "\"><p:sldIdLst><p:sldId id=\"256\" "
             "r:id=\"rId2\"/></p:sldIdLst></p:presentation>";

#define SLIDE(root, paras)                                                     \
  XML_DECL                                                                     \
  "<p:" root " xmlns:a=\"" A_NS "\" xmlns:r=\"" R_NS "\" xmlns:p=\"" P_NS      \
  "\"><p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr "                                \
  "id=\"1\" name=\"\"/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr>"                 \
  "<p:grpSpPr/><p:sp><p:nvSpPr><p:cNvPr id=\"2\" name=\"Title "                \
  "1\"/><p:cNvSpPr><a:spLocks noGrp=\"1\"/></p:cNvSpPr><p:nvPr><p:ph "         \
  "type=\"title\"/></p:nvPr></p:nvSpPr><p:spPr/><p:txBody>"                    \
  "<a:bodyPr/><a:lstStyle/>" paras "</p:txBody></p:sp></p:spTree>"             \
  "</p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:" root ">"

static const char slide1[] =
    SLIDE("sld", "<a:p><a:r><a:rPr lang=\"zh-CN\" altLang=\"en-US\"/><a:t>季度"
                 "</a:t></a:r><a:r><a:rPr lang=\"zh-CN\"/><a:t>汇报</a:t></a:r>"
                 "</a:p><a:p><a:r><a:t>第一行</a:t></a:r><a:br><a:rPr "
                 "lang=\"zh-CN\"/></a:br><a:r><a:t>第二行</a:t></a:r></a:p>");
static const char slide2[] =
    SLIDE("sld", "<a:p><a:r><a:t>机密★内容</a:t></a:r><a:endParaRPr "
                 "lang=\"zh-CN\"/></a:p><a:p><a:endParaRPr lang=\"en-US\"/>"
                 "</a:p>");
static const char slide10[] = SLIDE("sld", "<a:p><a:r><a:t>第十页</a:t></a:r>"
                                           "</a:p>");
static const char notes1[] =
    SLIDE("notes", "<a:p><a:r><a:t>备注：属于第二页</a:t></a:r></a:p>");
static const char notes2[] =
    SLIDE("notes", "<a:p><a:r><a:t>备注：属于第一页</a:t></a:r></a:p>");
static const char notes3[] =
    SLIDE("notes", "<a:p><a:r><a:t>备注：无主</a:t></a:r></a:p>");

#define SLIDE_RELS(notes)                                                      \
  XML_DECL "<Relationships xmlns=\"" PKG_REL_NS                                \
           "\"><Relationship Id=\"rId1\" Type=\"" R_NS                         \
           "/slideLayout\" Target=\"../slideLayouts/slideLayout1.xml\"/>"      \
           "<Relationship Id=\"rId2\" Type=\"" R_NS                            \
           "/notesSlide\" Target=\"" notes "\"/></Relationships>"

static const char slide1_rels[] = SLIDE_RELS("../notesSlides/notesSlide2.xml");
static const char slide2_rels[] =
    SLIDE_RELS("/ppt/notesSlides/notesSlide1.xml");

static const char pptx_want[] =
    "季度汇报\n第一行\n第二行\n备注：属于第一页\n机密★内容\n备注：属于第二页\n"
    "第十页\n备注：无主\n";

/* ---- Running the extractor ---- */

static unsigned char *docx_full(size_t *len) {
  /* Entries in an order unlike the text's, headers numbered 10, 2, 1. */
  entry e[] = {text_entry("[Content_Types].xml", content_types),
               text_entry("_rels/.rels", root_rels),
               text_entry("word/comments.xml", docx_comments),
               text_entry("word/header10.xml", docx_header10),
               text_entry("word/footer1.xml", docx_footer1),
               text_entry("word/document.xml", docx_document),
               text_entry("word/header2.xml", docx_header2),
               text_entry("word/footnotes.xml", docx_footnotes),
               text_entry("word/header1.xml", docx_header1)};
  return make_zip(e, sizeof e / sizeof *e, ZIP_CM_DEFLATE, len);
}

static unsigned char *xlsx_full(size_t *len) {
  entry e[] = {text_entry("[Content_Types].xml", content_types),
               text_entry("xl/worksheets/sheet10.xml", sheet10),
               text_entry("xl/workbook.xml", workbook),
               text_entry("xl/worksheets/sheet2.xml", sheet2),
               text_entry("xl/sharedStrings.xml", shared_strings),
               text_entry("xl/worksheets/sheet1.xml", sheet1)};
  return make_zip(e, sizeof e / sizeof *e, ZIP_CM_DEFLATE, len);
}

static unsigned char *pptx_full(size_t *len) {
  entry e[] = {text_entry("[Content_Types].xml", content_types),
               text_entry("ppt/presentation.xml", presentation),
               text_entry("ppt/notesSlides/notesSlide3.xml", notes3),
               text_entry("ppt/slides/slide10.xml", slide10),
               text_entry("ppt/slides/slide2.xml", slide2),
               text_entry("ppt/slides/_rels/slide2.xml.rels", slide2_rels),
               text_entry("ppt/notesSlides/notesSlide1.xml", notes1),
               text_entry("ppt/slides/slide1.xml", slide1),
               text_entry("ppt/notesSlides/notesSlide2.xml", notes2),
               text_entry("ppt/slides/_rels/slide1.xml.rels", slide1_rels)};
  return make_zip(e, sizeof e / sizeof *e, ZIP_CM_DEFLATE, len);
}

/* Extracts b[0..n) into a fresh buffer of the given limit. */
static int extract(const void *b, size_t n, size_t limit, lv_buf *out,
                   levee_error *err) {
  lv_buf_init(out, limit);
  memset(err, 0, sizeof *err);
  int rc = lv_office_text(b, n, out, err);
  if (rc) {
    assert_int_equal(err->status, rc);
    assert_true(err->message[0] != '\0');
  }
  assert_true(lv_utf8_valid(out->data ? out->data : "", out->len));
  return rc;
}

static void expect_text(const void *b, size_t n, const char *want) {
  lv_buf out;
  levee_error err;
  int rc = extract(b, n, LV_MAX_EXTRACT_TEXT_BYTES, &out, &err);
  if (rc)
    fprintf(stderr, "rc %d: %s\n", rc, err.message);
  assert_int_equal(rc, LEVEE_OK);
  assert_non_null(out.data);
  assert_string_equal(out.data, want);
  lv_buf_cleanup(&out);
}

/* Extraction fails with want_rc and a message containing needle. */
static void expect_error(const void *b, size_t n, int want_rc,
                         const char *needle) {
  lv_buf out;
  levee_error err;
  int rc = extract(b, n, LV_MAX_EXTRACT_TEXT_BYTES, &out, &err);
  if (rc != want_rc || !strstr(err.message, needle))
    fprintf(stderr, "rc %d: %s (want %d, \"%s\")\n", rc, err.message, want_rc,
            needle);
  assert_int_equal(rc, want_rc);
  assert_non_null(strstr(err.message, needle));
  lv_buf_cleanup(&out);
}

/* ---- Documents ---- */

static void test_docx(void **state) {
  size_t n;
  unsigned char *z = docx_full(&n);
  assert_string_equal(lv_office_kind(z, n), "docx");
  expect_text(z, n, docx_want);

  /* Text is appended to what the buffer holds. */
  lv_buf out;
  lv_buf_init(&out, LV_MAX_EXTRACT_TEXT_BYTES);
  assert_int_equal(lv_buf_puts(&out, "前文\n"), LEVEE_OK);
  assert_int_equal(lv_office_text(z, n, &out, NULL), LEVEE_OK);
  assert_int_equal(out.len, strlen("前文\n") + strlen(docx_want));
  assert_memory_equal(out.data, "前文\n", strlen("前文\n"));
  lv_buf_cleanup(&out);
  free(z);
}

static void test_docx_stored(void **state) {
  /* Stored (uncompressed) entries read as deflated ones do. */
  size_t n;
  unsigned char *z =
      make_docx(docx_document, strlen(docx_document), ZIP_CM_STORE, &n);
  expect_text(z, n,
              "关于\t2024年 预算\n姓名\n身份证号\n张三\n110105194912310021\n"
              "第一行\n第二行\n已删除A&B <C> 中\n");
  free(z);
}

static void test_xlsx(void **state) {
  size_t n;
  unsigned char *z = xlsx_full(&n);
  assert_string_equal(lv_office_kind(z, n), "xlsx");
  expect_text(z, n, xlsx_want);
  free(z);
}

static void test_xlsx_no_shared_strings(void **state) {
  /* Shared string cells without a table are empty, not an error. */
  entry e[] = {text_entry("xl/workbook.xml", workbook),
               text_entry("xl/worksheets/sheet1.xml", sheet1)};
  size_t n;
  unsigned char *z = make_zip(e, 2, ZIP_CM_DEFLATE, &n);
  expect_text(z, n, "张三\t1234.5\t-7\n1\t2469\n");
  free(z);
}

static void test_pptx(void **state) {
  size_t n;
  unsigned char *z = pptx_full(&n);
  assert_string_equal(lv_office_kind(z, n), "pptx");
  expect_text(z, n, pptx_want);
  free(z);
}

static void test_pptx_odd_rels(void **state) {
  /* Notes relationships that leave ppt/notesSlides/ or the package are not
   * followed; the notes come after the slides instead. */
  static const char rels_out[] = SLIDE_RELS("../../word/document.xml");
  static const char rels_ext[] =
      XML_DECL "<Relationships xmlns=\"" PKG_REL_NS
               "\"><Relationship Id=\"rId2\" Type=\"" R_NS
               "/notesSlide\" Target=\"../notesSlides/notesSlide1.xml\" "
               "TargetMode=\"External\"/></Relationships>";
  entry e[] = {text_entry("ppt/presentation.xml", presentation),
               text_entry("ppt/slides/slide1.xml", slide1),
               text_entry("ppt/slides/_rels/slide1.xml.rels", rels_out),
               text_entry("ppt/slides/slide2.xml", slide2),
               text_entry("ppt/slides/_rels/slide2.xml.rels", rels_ext),
               text_entry("ppt/notesSlides/notesSlide1.xml", notes1),
               text_entry("word/document.xml", docx_document)};
  size_t n;
  unsigned char *z = make_zip(e, sizeof e / sizeof *e, ZIP_CM_DEFLATE, &n);
  /* word/document.xml exists too, but the kind is decided in the order
   * docx, xlsx, pptx: this reads as a docx. */
  assert_string_equal(lv_office_kind(z, n), "docx");
  free(z);
  z = make_zip(e, sizeof e / sizeof *e - 1, ZIP_CM_DEFLATE, &n);
  assert_string_equal(lv_office_kind(z, n), "pptx");
  expect_text(z, n, "季度汇报\n第一行\n第二行\n机密★内容\n备注：属于第二页\n");
  free(z);
}

static void test_namespaces(void **state) {
  /* Strict OOXML's namespace reads like the transitional one; elements
   * named w:t in another namespace are not Word's. */
  static const char strict[] =
      XML_DECL "<w:document "
               "xmlns:w=\"http://purl.oclc.org/ooxml/wordprocessingml/main\">"
               "<w:body><w:p><w:r><w:t>严格</w:t></w:r></w:p></w:body>"
               "</w:document>";
  static const char foreign[] =
      XML_DECL "<w:document xmlns:w=\"urn:example:not-word\"><w:body><w:p>"
               "<w:r><w:t>别的</w:t></w:r></w:p></w:body></w:document>";
  size_t n;
  unsigned char *z = make_docx(strict, strlen(strict), ZIP_CM_DEFLATE, &n);
  expect_text(z, n, "严格\n");
  free(z);
  z = make_docx(foreign, strlen(foreign), ZIP_CM_DEFLATE, &n);
  lv_buf out;
  levee_error err;
  assert_int_equal(extract(z, n, LV_MAX_EXTRACT_TEXT_BYTES, &out, &err),
                   LEVEE_OK);
  assert_int_equal(out.len, 0);
  lv_buf_cleanup(&out);
  free(z);
}

static void test_kind(void **state) {
  static const char readme[] = "这不是文档";
  entry e[] = {{"readme.txt", readme, sizeof readme - 1},
               text_entry("word/header1.xml", docx_header1)};
  size_t n;
  unsigned char *z = make_zip(e, 2, ZIP_CM_DEFLATE, &n);
  assert_null(lv_office_kind(z, n));
  expect_error(z, n, LEVEE_EINVAL, "not a docx, xlsx or pptx");
  free(z);

  static const char hello[] = "hello, 你好";
  assert_null(lv_office_kind(hello, sizeof hello - 1));
  expect_error(hello, sizeof hello - 1, LEVEE_EINVAL, "not a readable zip");
  assert_null(lv_office_kind(NULL, 0));
  expect_error(NULL, 0, LEVEE_EINVAL, "not a zip archive");
  /* A main part in a subfolder is not the main part. */
  entry sub[] = {text_entry("x/word/document.xml", docx_document)};
  z = make_zip(sub, 1, ZIP_CM_DEFLATE, &n);
  assert_null(lv_office_kind(z, n));
  free(z);
}

/* ---- Corrupt input ---- */

static void test_truncated_zip(void **state) {
  size_t n;
  unsigned char *z = docx_full(&n);
  size_t cuts[] = {n / 2, n - 30, n - 1, 30, 4};
  for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
    assert_null(lv_office_kind(z, cuts[i]));
    expect_error(z, cuts[i], LEVEE_EINVAL, "zip");
  }
  free(z);
}

static void test_bad_xml(void **state) {
  static const char unclosed[] =
      XML_DECL "<w:document xmlns:w=\"" W_NS "\"><w:body><w:p><w:r><w:t>未闭合"
               "</w:t></w:r>";
  size_t n;
  unsigned char *z = make_docx(unclosed, strlen(unclosed), ZIP_CM_DEFLATE, &n);
  assert_string_equal(lv_office_kind(z, n), "docx");
  expect_error(z, n, LEVEE_EINVAL, "word/document.xml: not well-formed XML");
  free(z);

  static const char binary[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
  z = make_docx(binary, sizeof binary - 1, ZIP_CM_DEFLATE, &n);
  expect_error(z, n, LEVEE_EINVAL, "not well-formed");
  free(z);

  z = make_docx("", 0, ZIP_CM_DEFLATE, &n);
  expect_error(z, n, LEVEE_EINVAL, "not well-formed");
  free(z);

  /* A bad part after good ones: their text is kept. */
  static const char bad_header[] = "<w:hdr xmlns:w=\"" W_NS "\"><w:p>";
  entry e[] = {text_entry("word/document.xml", docx_document),
               text_entry("word/header1.xml", bad_header)};
  z = make_zip(e, 2, ZIP_CM_DEFLATE, &n);
  lv_buf out;
  levee_error err;
  assert_int_equal(extract(z, n, LV_MAX_EXTRACT_TEXT_BYTES, &out, &err),
                   LEVEE_EINVAL);
  assert_non_null(strstr(err.message, "word/header1.xml"));
  assert_non_null(strstr(out.data, "110105194912310021"));
  lv_buf_cleanup(&out);
  free(z);
}

static void test_dtd_refused(void **state) {
  /* Entities are never expanded, external ones never loaded: a document
   * type declaration is refused when the reader reaches it, or earlier by
   * libxml2's own entity checks (the laughs are stopped as a loop). */
  static const char laughs[] =
      "<?xml version=\"1.0\"?><!DOCTYPE w:document [<!ENTITY a "
      "\"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY "
      "c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]><w:document xmlns:w=\"" W_NS
      "\"><w:body><w:p><w:r><w:t>&c;</w:t></w:r></w:p></w:body></w:document>";
  static const char xxe[] =
      "<?xml version=\"1.0\"?><!DOCTYPE w:document [<!ENTITY x SYSTEM "
      "\"file:///etc/passwd\">]><w:document xmlns:w=\"" W_NS
      "\"><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>";
  const char *docs[] = {laughs, xxe};
  for (size_t i = 0; i < 2; i++) {
    size_t n;
    unsigned char *z = make_docx(docs[i], strlen(docs[i]), ZIP_CM_DEFLATE, &n);
    lv_buf out;
    levee_error err;
    assert_int_equal(extract(z, n, LV_MAX_EXTRACT_TEXT_BYTES, &out, &err),
                     LEVEE_EINVAL);
    assert_non_null(strstr(err.message, "word/document.xml: "));
    assert_int_equal(out.len, 0);
    lv_buf_cleanup(&out);
    free(z);
  }
}

static void test_crc_mismatch(void **state) {
  size_t n;
  unsigned char *z =
      make_docx(docx_document, strlen(docx_document), ZIP_CM_STORE, &n);
  /* Change one stored byte of the text: the CRC no longer matches. */
  unsigned char *hit = memmem(z, n, "110105", 6);
  assert_non_null(hit);
  hit[0] = '9';
  expect_error(z, n, LEVEE_EINVAL, "word/document.xml");
  free(z);
}

/* ---- Limits ---- */

static void test_zip_bomb(void **state) {
  /* 8 MiB of zeros deflate about 1000:1, over LV_MAX_ZIP_RATIO. */
  size_t big = 8u << 20;
  char *zeros = calloc(1, big);
  assert_non_null(zeros);
  size_t n;
  unsigned char *z = make_docx(zeros, big, ZIP_CM_DEFLATE, &n);
  free(zeros);
  assert_true(n < big / LV_MAX_ZIP_RATIO);
  assert_string_equal(lv_office_kind(z, n), "docx");
  lv_buf out;
  levee_error err;
  assert_int_equal(extract(z, n, LV_MAX_EXTRACT_TEXT_BYTES, &out, &err),
                   LEVEE_ETOOBIG);
  assert_non_null(strstr(err.message, "(a zip bomb)"));
  assert_non_null(strstr(err.message, "word/document.xml"));
  assert_int_equal(out.len, 0);
  lv_buf_cleanup(&out);
  free(z);
}

/* A docx with fillers so that it has entries in all. */
static unsigned char *docx_with_entries(size_t entries, size_t *len) {
  entry *e = calloc(entries, sizeof *e);
  char(*names)[32] = calloc(entries, sizeof *names);
  assert_non_null(e);
  assert_non_null(names);
  e[0] = text_entry("word/document.xml", docx_document);
  for (size_t i = 1; i < entries; i++) {
    snprintf(names[i], sizeof *names, "customXml/item%zu.xml", i);
    e[i] = (entry){names[i], "x", 1};
  }
  unsigned char *z = make_zip(e, entries, ZIP_CM_STORE, len);
  free(names);
  free(e);
  return z;
}

static void test_too_many_entries(void **state) {
  size_t n;
  unsigned char *z = docx_with_entries(LV_MAX_ZIP_ENTRIES, &n);
  assert_string_equal(lv_office_kind(z, n), "docx");
  expect_text(z, n,
              "关于\t2024年 预算\n姓名\n身份证号\n张三\n110105194912310021\n"
              "第一行\n第二行\n已删除A&B <C> 中\n");
  free(z);

  z = docx_with_entries(LV_MAX_ZIP_ENTRIES + 1, &n);
  /* Still reported as a docx, so the refusal is seen. */
  assert_string_equal(lv_office_kind(z, n), "docx");
  expect_error(z, n, LEVEE_ETOOBIG, "entries, over the limit");
  free(z);
}

/* word/document.xml with `levels` nested elements around the text. */
static void nest(size_t levels, lv_buf *xml) {
  lv_buf_init(xml, 1u << 20);
  /* w:document, w:body, then x elements, then w:p, w:r, w:t. */
  assert_int_equal(
      lv_buf_puts(xml, "<w:document xmlns:w=\"" W_NS "\"><w:body>"), LEVEE_OK);
  for (size_t i = 0; i < levels - 5; i++)
    assert_int_equal(lv_buf_puts(xml, "<x>"), LEVEE_OK);
  assert_int_equal(lv_buf_puts(xml, "<w:p><w:r><w:t>深处</w:t></w:r></w:p>"),
                   LEVEE_OK);
  for (size_t i = 0; i < levels - 5; i++)
    assert_int_equal(lv_buf_puts(xml, "</x>"), LEVEE_OK);
  assert_int_equal(lv_buf_puts(xml, "</w:body></w:document>"), LEVEE_OK);
}

static void test_xml_depth(void **state) {
  struct {
    size_t levels;
    int rc;
  } cases[] = {{LV_MAX_XML_DEPTH, LEVEE_OK},
               {LV_MAX_XML_DEPTH + 1, LEVEE_ETOOBIG},
               {LV_MAX_XML_DEPTH + 2, LEVEE_ETOOBIG},
               {300, LEVEE_ETOOBIG},
               {5000, LEVEE_ETOOBIG}};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    lv_buf xml;
    nest(cases[i].levels, &xml);
    size_t n;
    unsigned char *z = make_docx(xml.data, xml.len, ZIP_CM_DEFLATE, &n);
    lv_buf_cleanup(&xml);
    if (cases[i].rc == LEVEE_OK)
      expect_text(z, n, "深处\n");
    else
      expect_error(z, n, LEVEE_ETOOBIG, "nested deeper than the limit");
    free(z);
  }
}

/* Sets the uncompressed size of entry name in its local header and its
 * central directory record. */
static void patch_size(unsigned char *z, size_t n, const char *name,
                       uint32_t size) {
  size_t len = strlen(name);
  int local = 0, central = 0;
  for (size_t i = 0; i + 46 + len <= n; i++) {
    if (!memcmp(z + i, "PK\3\4", 4) && z[i + 26] == len && z[i + 27] == 0 &&
        !memcmp(z + i + 30, name, len)) {
      memcpy(z + i + 22, &size, 4); /* little-endian, as is x86 */
      local++;
    } else if (!memcmp(z + i, "PK\1\2", 4) && z[i + 28] == len &&
               z[i + 29] == 0 && !memcmp(z + i + 46, name, len)) {
      memcpy(z + i + 24, &size, 4);
      central++;
    }
  }
  assert_int_equal(local, 1);
  assert_int_equal(central, 1);
}

/* n bytes of letters that deflate poorly. */
static char *letters(size_t n, uint32_t seed) {
  char *s = malloc(n + 1);
  assert_non_null(s);
  for (size_t i = 0; i < n; i++) {
    seed = seed * 1103515245u + 12345u;
    s[i] = (char)('a' + (seed >> 16) % 26);
  }
  s[n] = '\0';
  return s;
}

static void test_lying_sizes(void **state) {
  /* A body of 100 000 letters, deflated to about 60 KB. */
  char *body = letters(100000, 1);
  lv_buf xml;
  lv_buf_init(&xml, 1u << 20);
  assert_int_equal(lv_buf_printf(&xml,
                                 "<w:document xmlns:w=\"" W_NS "\"><w:body>"
                                 "<w:p><w:r><w:t>%s</w:t></w:r></w:p>"
                                 "</w:body></w:document>",
                                 body),
                   LEVEE_OK);
  size_t n;
  unsigned char *z = make_docx(xml.data, xml.len, ZIP_CM_DEFLATE, &n);
  lv_buf out;
  levee_error err;

  /* As built, it reads. */
  assert_int_equal(extract(z, n, LV_MAX_EXTRACT_TEXT_BYTES, &out, &err),
                   LEVEE_OK);
  assert_int_equal(out.len, 100001);
  lv_buf_cleanup(&out);

  /* The central directory says 1000 bytes: inflating stops past them
   * (libzip itself would inflate all of it). */
  patch_size(z, n, "word/document.xml", 1000);
  assert_int_equal(extract(z, n, LV_MAX_EXTRACT_TEXT_BYTES, &out, &err),
                   LEVEE_ETOOBIG);
  assert_non_null(strstr(err.message, "inflates past the 1000 bytes"));
  assert_int_equal(out.len, 0);
  lv_buf_cleanup(&out);

  /* Says over LV_MAX_ZIP_ENTRY_BYTES: refused before inflating. */
  patch_size(z, n, "word/document.xml", LV_MAX_ZIP_ENTRY_BYTES + 1);
  expect_error(z, n, LEVEE_ETOOBIG, "bytes uncompressed, over the limit");
  free(z);
  lv_buf_cleanup(&xml);
  free(body);

  /* Five headers of 400 000 stored bytes each claim 60 MiB: each within
   * LV_MAX_ZIP_ENTRY_BYTES and LV_MAX_ZIP_RATIO, over
   * LV_MAX_ZIP_TOTAL_BYTES together; refused before any is read. */
  char *blob = letters(400000, 2);
  entry e[6] = {text_entry("word/document.xml", docx_document)};
  static const char *const headers[] = {"word/header1.xml", "word/header2.xml",
                                        "word/header3.xml", "word/header4.xml",
                                        "word/header5.xml"};
  for (size_t i = 0; i < 5; i++)
    e[i + 1] = (entry){headers[i], blob, 400000};
  z = make_zip(e, 6, ZIP_CM_STORE, &n);
  for (size_t i = 0; i < 5; i++)
    patch_size(z, n, headers[i], 60u << 20);
  assert_int_equal(extract(z, n, LV_MAX_EXTRACT_TEXT_BYTES, &out, &err),
                   LEVEE_ETOOBIG);
  assert_non_null(strstr(err.message, "parts hold over the limit"));
  assert_int_equal(out.len, 0);
  lv_buf_cleanup(&out);
  free(z);
  free(blob);
}

static void test_text_limits(void **state) {
  /* The buffer's own limit: cut at a character boundary. */
  static const char secret[] =
      XML_DECL "<w:document xmlns:w=\"" W_NS "\"><w:body><w:p><w:r><w:t>"
               "机密★机密★机密★机密★</w:t></w:r></w:p></w:body></w:document>";
  size_t n;
  unsigned char *z = make_docx(secret, strlen(secret), ZIP_CM_DEFLATE, &n);
  lv_buf out;
  levee_error err;
  assert_int_equal(extract(z, n, 20, &out, &err), LEVEE_ETOOBIG);
  assert_non_null(strstr(err.message, "output limit (20 bytes)"));
  assert_int_equal(out.len, 18);
  assert_string_equal(out.data, "机密★机密★");
  lv_buf_cleanup(&out);
  free(z);

  /* LV_MAX_EXTRACT_TEXT_BYTES: 5000 paragraphs of 1000 letters. */
  char *para = letters(1000, 3);
  lv_buf xml;
  lv_buf_init(&xml, 8u << 20);
  assert_int_equal(
      lv_buf_puts(&xml, "<w:document xmlns:w=\"" W_NS "\"><w:body>"), LEVEE_OK);
  for (int i = 0; i < 5000; i++)
    assert_int_equal(
        lv_buf_printf(&xml, "<w:p><w:r><w:t>%s</w:t></w:r></w:p>", para),
        LEVEE_OK);
  assert_int_equal(lv_buf_puts(&xml, "</w:body></w:document>"), LEVEE_OK);
  z = make_docx(xml.data, xml.len, ZIP_CM_DEFLATE, &n);
  lv_buf_cleanup(&xml);
  free(para);
  assert_int_equal(extract(z, n, 16u << 20, &out, &err), LEVEE_ETOOBIG);
  assert_non_null(strstr(err.message, "reaches the limit of"));
  assert_int_equal(out.len, LV_MAX_EXTRACT_TEXT_BYTES);
  lv_buf_cleanup(&out);
  free(z);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_docx),
      cmocka_unit_test(test_docx_stored),
      cmocka_unit_test(test_xlsx),
      cmocka_unit_test(test_xlsx_no_shared_strings),
      cmocka_unit_test(test_pptx),
      cmocka_unit_test(test_pptx_odd_rels),
      cmocka_unit_test(test_namespaces),
      cmocka_unit_test(test_kind),
      cmocka_unit_test(test_truncated_zip),
      cmocka_unit_test(test_bad_xml),
      cmocka_unit_test(test_dtd_refused),
      cmocka_unit_test(test_crc_mismatch),
      cmocka_unit_test(test_zip_bomb),
      cmocka_unit_test(test_too_many_entries),
      cmocka_unit_test(test_xml_depth),
      cmocka_unit_test(test_lying_sizes),
      cmocka_unit_test(test_text_limits),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
