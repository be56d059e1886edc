/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sql_encoding.c: a SQL text from the client's encoding to UTF-8, before it
 * is parsed (sql_classify.c), as the server converts it before its lexer
 * sees it.
 *
 * This matters: in GBK, BIG5 and SJIS the second byte of a character may be
 * 0x5C (backslash) or other ASCII, so lexing the bytes as they are would put
 * string boundaries where the server does not. Converting first is what
 * the server does.
 *
 * PostgreSQL's encoding names and aliases are from its documentation
 * (https://www.postgresql.org/docs/15/multibyte.html, "PostgreSQL Character
 * Sets" and the aliases PostgreSQL accepts); a name is matched as
 * PostgreSQL matches it: case aside, and with every character other than a
 * letter or a digit left out (so "utf-8", "UTF_8" and "Utf8" are UTF8).
 * The conversion is glibc's iconv. Encodings iconv maps differently from
 * PostgreSQL in the ASCII range (SHIFT_JIS_2004 and JOHAB turn 0x5C into a
 * yen or won sign, where PostgreSQL keeps a backslash) and MULE_INTERNAL
 * are not converted: such a text is refused as not supported.
 */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "levee/levee.h"
#include "sql/sql_int.h"
#include "util/utf8.h"

/* PostgreSQL's name, then iconv's ("" for UTF8 and SQL_ASCII: no
 * conversion; NULL: not supported). */
static const struct pg_encoding {
  const char *pg;
  const char *iconv;
} encodings[] = {
    {"UTF8", ""},
    {"SQL_ASCII", ""},
    {"LATIN1", "ISO-8859-1"},
    {"LATIN2", "ISO-8859-2"},
    {"LATIN3", "ISO-8859-3"},
    {"LATIN4", "ISO-8859-4"},
    {"LATIN5", "ISO-8859-9"},
    {"LATIN6", "ISO-8859-10"},
    {"LATIN7", "ISO-8859-13"},
    {"LATIN8", "ISO-8859-14"},
    {"LATIN9", "ISO-8859-15"},
    {"LATIN10", "ISO-8859-16"},
    {"ISO_8859_5", "ISO-8859-5"},
    {"ISO_8859_6", "ISO-8859-6"},
    {"ISO_8859_7", "ISO-8859-7"},
    {"ISO_8859_8", "ISO-8859-8"},
    {"WIN1250", "CP1250"},
    {"WIN1251", "CP1251"},
    {"WIN1252", "CP1252"},
    {"WIN1253", "CP1253"},
    {"WIN1254", "CP1254"},
    {"WIN1255", "CP1255"},
    {"WIN1256", "CP1256"},
    {"WIN1257", "CP1257"},
    {"WIN1258", "CP1258"},
    {"WIN866", "CP866"},
    {"WIN874", "CP874"},
    {"KOI8R", "KOI8-R"},
    {"KOI8U", "KOI8-U"},
    {"EUC_CN", "EUC-CN"},
    {"EUC_JP", "EUC-JP"},
    {"EUC_JIS_2004", "EUC-JISX0213"},
    {"EUC_KR", "EUC-KR"},
    {"EUC_TW", "EUC-TW"},
    {"GBK", "GBK"},
    {"GB18030", "GB18030"},
    {"BIG5", "BIG5"},
    {"SJIS", "CP932"},
    {"UHC", "CP949"},
    {"SHIFT_JIS_2004", NULL},
    {"JOHAB", NULL},
    {"MULE_INTERNAL", NULL},
};

/* Aliases (letters and digits only, lower case) -> PostgreSQL's name. A
 * name's own folded form is tried first. */
static const struct alias {
  const char *alias;
  const char *pg;
} aliases[] = {
    {"unicode", "UTF8"},        {"iso88591", "LATIN1"},
    {"iso88592", "LATIN2"},     {"iso88593", "LATIN3"},
    {"iso88594", "LATIN4"},     {"iso88599", "LATIN5"},
    {"iso885910", "LATIN6"},    {"iso885913", "LATIN7"},
    {"iso885914", "LATIN8"},    {"iso885915", "LATIN9"},
    {"iso885916", "LATIN10"},   {"win", "WIN1251"},
    {"alt", "WIN866"},          {"koi8", "KOI8R"},
    {"windows1250", "WIN1250"}, {"windows1251", "WIN1251"},
    {"windows1252", "WIN1252"}, {"windows1253", "WIN1253"},
    {"windows1254", "WIN1254"}, {"windows1255", "WIN1255"},
    {"windows1256", "WIN1256"}, {"windows1257", "WIN1257"},
    {"windows1258", "WIN1258"}, {"abc", "WIN1258"},
    {"tcvn", "WIN1258"},        {"tcvn5712", "WIN1258"},
    {"vscii", "WIN1258"},       {"windows866", "WIN866"},
    {"windows874", "WIN874"},   {"mskanji", "SJIS"},
    {"shiftjis", "SJIS"},       {"win932", "SJIS"},
    {"windows932", "SJIS"},     {"win936", "GBK"},
    {"windows936", "GBK"},      {"win949", "UHC"},
    {"windows949", "UHC"},      {"win950", "BIG5"},
    {"windows950", "BIG5"},
};

static void fold(const char *in, char *out, size_t cap) {
  size_t k = 0;
  for (; *in && k + 1 < cap; in++) {
    char ch = *in;
    if (ch >= 'A' && ch <= 'Z')
      ch = (char)(ch - 'A' + 'a');
    if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
      out[k++] = ch;
  }
  out[k] = '\0';
}

static const struct pg_encoding *find_encoding(const char *name) {
  char want[32], have[32];
  if (strlen(name) >= sizeof want)
    return NULL;
  fold(name, want, sizeof want);
  for (size_t k = 0; k < sizeof aliases / sizeof aliases[0]; k++)
    if (strcmp(aliases[k].alias, want) == 0) {
      fold(aliases[k].pg, want, sizeof want);
      break;
    }
  for (size_t k = 0; k < sizeof encodings / sizeof encodings[0]; k++) {
    fold(encodings[k].pg, have, sizeof have);
    if (strcmp(have, want) == 0)
      return &encodings[k];
  }
  return NULL;
}

static int copy_out(const char *in, size_t n, char **out, size_t *out_len) {
  char *p = malloc(n + 1);
  if (!p)
    return LEVEE_ENOMEM;
  if (n)
    memcpy(p, in, n);
  p[n] = '\0';
  *out = p;
  *out_len = n;
  return LEVEE_OK;
}

int lv_sql_to_utf8(const char *encoding, const char *in, size_t n, char **out,
                   size_t *out_len, char *why, size_t why_cap) {
  /* the common case first: the server reports its own name, UTF8 */
  if (!encoding || strcmp(encoding, "UTF8") == 0) {
    if (!lv_utf8_valid(in, n)) {
      snprintf(why, why_cap, "invalid byte sequence for encoding UTF8");
      return LEVEE_EENCODING;
    }
    return copy_out(in, n, out, out_len);
  }
  const struct pg_encoding *e = find_encoding(encoding);
  char shown[40];
  snprintf(shown, sizeof shown, "%s", encoding ? encoding : "UTF8");
  shown[lv_utf8_floor(shown, strlen(shown))] = '\0';
  if (!e || !e->iconv) {
    snprintf(why, why_cap, "client encoding %s is not supported", shown);
    return LEVEE_EENCODING;
  }
  if (e->iconv[0] == '\0') {
    /* UTF8 is checked as the server checks it; SQL_ASCII is bytes, and the
     * lexer takes every byte over 0x7F as a letter, as the server's does. */
    if (strcmp(e->pg, "UTF8") == 0 && !lv_utf8_valid(in, n)) {
      snprintf(why, why_cap, "invalid byte sequence for encoding UTF8");
      return LEVEE_EENCODING;
    }
    return copy_out(in, n, out, out_len);
  }
  iconv_t cd = iconv_open("UTF-8", e->iconv);
  // NOLINTNEXTLINE(performance-no-int-to-ptr): iconv's error value
  if (cd == (iconv_t)-1) {
    snprintf(why, why_cap, "client encoding %s is not supported", shown);
    return LEVEE_EENCODING;
  }
  /* At most 4 bytes of UTF-8 per input byte (GB18030's four-byte
   * characters give four; CP1258's combining sequences stay under). */
  size_t cap = n * 4 + 1;
  char *buf = malloc(cap);
  int rc = LEVEE_OK;
  if (!buf) {
    rc = LEVEE_ENOMEM;
    goto out;
  }
  char *ip = (char *)in, *op = buf;
  size_t il = n, ol = cap - 1;
  if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 ||
      iconv(cd, NULL, NULL, &op, &ol) == (size_t)-1) {
    if (errno == E2BIG)
      snprintf(why, why_cap, "text too large after conversion from %s", e->pg);
    else
      snprintf(why, why_cap, "invalid byte sequence for encoding %s", e->pg);
    rc = LEVEE_EENCODING;
    free(buf);
    goto out;
  }
  *op = '\0';
  *out = buf;
  *out_len = (size_t)(op - buf);
out:
  iconv_close(cd);
  return rc;
}
