/* SPDX-License-Identifier: Apache-2.0 */
/*
 * text_decode.c: plain-text bytes in UTF-8, UTF-16 or the GB family to
 * UTF-8, for file events and email parts (see text_decode.h for the order of
 * guesses).
 *
 * Every conversion writes into one arena block sized up front and bounded
 * by LV_MAX_TEXT_BYTES, through a cursor that refuses to run past its end.
 * UTF-8 and UTF-16 are decoded here; everything else goes through glibc
 * iconv, opened per call (iconv descriptors are not thread-safe to share).
 */
#include "extract/text_decode.h"

#include <errno.h>
#include <iconv.h>
#include <string.h>
#include <strings.h>

#include "util/error.h"
#include "util/limits.h"
#include "util/utf8.h"

#define NOT_TEXT_MSG                                                           \
  "not text: binary or unsupported encoding; office and image formats come "   \
  "with attachment support"

static const char REPLACEMENT[3] = {'\xEF', '\xBF', '\xBD'}; /* U+FFFD */

/* An output cursor over one arena block. */
typedef struct outbuf {
  char *p;
  size_t len, cap;
} outbuf;

/* Reserves room for converting n input bytes that grow at most `growth`
 * times, capped at the text limit (conversions can also shrink, so a larger
 * input may still fit). */
static int out_init(outbuf *o, lv_arena *a, size_t n, size_t growth) {
  size_t cap = n > LV_MAX_TEXT_BYTES / growth ? LV_MAX_TEXT_BYTES : n * growth;
  o->p = lv_arena_alloc(a, cap + 1);
  if (!o->p)
    return LEVEE_ENOMEM;
  o->len = 0;
  o->cap = cap;
  return LEVEE_OK;
}

static int out_put(outbuf *o, const char *s, size_t n) {
  if (n > o->cap - o->len)
    return LEVEE_ETOOBIG;
  memcpy(o->p + o->len, s, n);
  o->len += n;
  return LEVEE_OK;
}

static int out_cp(outbuf *o, int32_t cp) {
  unsigned char u[4];
  int n = lv_utf8_encode(cp, u);
  return out_put(o, (const char *)u, (size_t)n);
}

static levee_str out_str(outbuf *o) {
  o->p[o->len] = '\0';
  levee_str s = {o->p, o->len};
  return s;
}

static int too_big(levee_error *err) {
  return lv_error_set(err, LEVEE_ETOOBIG, "text over %u bytes",
                      LV_MAX_TEXT_BYTES);
}

static int no_memory(levee_error *err) {
  return lv_error_set(err, LEVEE_ENOMEM, "out of memory");
}

/* C0 controls that do not occur in text files: everything below U+0020 but
 * tab, LF, VT, FF, CR, SUB (the DOS end-of-file mark) and ESC (terminal
 * colours in logs). */
static int is_binary_control(uint32_t c) {
  return c < 0x20 && c != '\t' && c != '\n' && c != '\v' && c != '\f' &&
         c != '\r' && c != 0x1A && c != 0x1B;
}

static int has_binary_control(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (is_binary_control((unsigned char)s[i]))
      return 1;
  return 0;
}

/* Copies s[0..n) replacing every invalid UTF-8 sequence with U+FFFD. */
static int utf8_sanitize(const char *s, size_t n, lv_arena *a, levee_str *out) {
  outbuf o;
  int rc = out_init(&o, a, n, 3);
  if (rc)
    return rc;
  const unsigned char *u = (const unsigned char *)s;
  size_t i = 0;
  while (i < n) {
    int32_t cp;
    int k = lv_utf8_decode(u + i, n - i, &cp);
    rc = cp < 0 ? out_put(&o, REPLACEMENT, 3) : out_put(&o, s + i, (size_t)k);
    if (rc)
      return rc;
    i += (size_t)k;
  }
  *out = out_str(&o);
  return LEVEE_OK;
}

/* UTF-8 that is valid is borrowed; otherwise repaired into the arena. */
static int utf8_take(const char *s, size_t n, lv_arena *a, levee_str *out) {
  if (lv_utf8_valid(s, n)) {
    if (n > LV_MAX_TEXT_BYTES)
      return LEVEE_ETOOBIG;
    out->ptr = s;
    out->len = n;
    return LEVEE_OK;
  }
  return utf8_sanitize(s, n, a, out);
}

/* Decodes UTF-16 (no BOM in s). strict: fail with LEVEE_EENCODING on an
 * unpaired surrogate, an odd byte count, a noncharacter U+FFFE/U+FFFF or a
 * binary control character (used when guessing); otherwise replace bad
 * units with U+FFFD. */
static int utf16_decode(const char *s, size_t n, int big_endian, int strict,
                        lv_arena *a, levee_str *out) {
  const unsigned char *u = (const unsigned char *)s;
  outbuf o;
  /* A 2-byte unit becomes at most 3 bytes; a pair (4 bytes) becomes 4. */
  int rc = out_init(&o, a, n / 2 + 1, 3);
  if (rc)
    return rc;
  size_t i = 0;
  while (i + 1 < n) {
    uint32_t w = big_endian ? (uint32_t)(u[i] << 8 | u[i + 1])
                            : (uint32_t)(u[i + 1] << 8 | u[i]);
    i += 2;
    int32_t cp = (int32_t)w;
    if (w >= 0xD800 && w <= 0xDBFF && i + 1 < n) {
      uint32_t lo = big_endian ? (uint32_t)(u[i] << 8 | u[i + 1])
                               : (uint32_t)(u[i + 1] << 8 | u[i]);
      if (lo >= 0xDC00 && lo <= 0xDFFF) {
        cp = (int32_t)(0x10000 + ((w - 0xD800) << 10) + (lo - 0xDC00));
        i += 2;
      }
    }
    if (cp >= 0xD800 && cp <= 0xDFFF) {
      if (strict)
        return LEVEE_EENCODING;
      cp = 0xFFFD;
    }
    if (strict &&
        (cp == 0xFFFE || cp == 0xFFFF || is_binary_control((uint32_t)cp)))
      return LEVEE_EENCODING;
    if ((rc = out_cp(&o, cp)))
      return rc;
  }
  if (i < n) { /* odd trailing byte */
    if (strict)
      return LEVEE_EENCODING;
    if ((rc = out_put(&o, REPLACEMENT, 3)))
      return rc;
  }
  *out = out_str(&o);
  return LEVEE_OK;
}

/* Converts from an iconv charset name to UTF-8. strict: any invalid or
 * truncated sequence fails with LEVEE_EENCODING; otherwise each bad byte
 * becomes U+FFFD and conversion goes on. LEVEE_ENOTFOUND when iconv does not
 * know the charset. */
static int iconv_decode(const char *from, const char *s, size_t n, int strict,
                        lv_arena *a, levee_str *out) {
  iconv_t cd = iconv_open("UTF-8", from);
  if (cd == (iconv_t)-1)
    return LEVEE_ENOTFOUND;
  outbuf o;
  /* Legacy charsets take at least one byte per character and UTF-8 at most
   * four; a replaced single byte takes three. */
  int rc = out_init(&o, a, n, 4);
  if (rc)
    goto out;
  char *in = (char *)s;
  size_t in_left = n;
  char *op = o.p;
  size_t out_left = o.cap;
  while (in_left > 0) {
    if (iconv(cd, &in, &in_left, &op, &out_left) != (size_t)-1)
      break;
    if (errno == E2BIG) {
      rc = LEVEE_ETOOBIG;
      goto out;
    }
    if (strict || (errno != EILSEQ && errno != EINVAL)) {
      rc = LEVEE_EENCODING;
      goto out;
    }
    if (out_left < sizeof REPLACEMENT) {
      rc = LEVEE_ETOOBIG;
      goto out;
    }
    memcpy(op, REPLACEMENT, sizeof REPLACEMENT);
    op += sizeof REPLACEMENT;
    out_left -= sizeof REPLACEMENT;
    in++;
    in_left--;
  }
  /* Return a stateful decoder to its initial state (flushes nothing for the
   * charsets met in practice, but is the documented end of a conversion). */
  if (iconv(cd, NULL, NULL, &op, &out_left) == (size_t)-1) {
    rc = errno == E2BIG ? LEVEE_ETOOBIG : LEVEE_EENCODING;
    goto out;
  }
  o.len = o.cap - out_left;
  *out = out_str(&o);
out:
  iconv_close(cd);
  return rc;
}

/* GB18030 that converts without a single error and looks like text. */
static int gb18030_strict(const char *s, size_t n, lv_arena *a,
                          levee_str *out) {
  levee_str t;
  int rc = iconv_decode("GB18030", s, n, 1, a, &t);
  if (rc)
    return rc;
  if (has_binary_control(t.ptr, t.len))
    return LEVEE_EENCODING;
  *out = t;
  return LEVEE_OK;
}

/* Maps a status from the helpers above to an err message. */
static int fail(int rc, levee_error *err) {
  switch (rc) {
  case LEVEE_ETOOBIG: return too_big(err);
  case LEVEE_ENOMEM: return no_memory(err);
  default: return lv_error_set(err, LEVEE_EENCODING, NOT_TEXT_MSG);
  }
}

/* UTF-16 without a BOM: text in the Latin range has a zero high byte in many
 * code units, binary data has zeros at both parities. At least 1% of the
 * units must show the pattern, and the decoded text must be clean. */
static int utf16_guess(const char *s, size_t n, lv_arena *a, levee_str *out,
                       const char **encoding) {
  if (n % 2)
    return LEVEE_EENCODING;
  size_t zeros[2] = {0, 0}; /* at even, odd offsets */
  for (size_t i = 0; i < n; i++)
    if (s[i] == 0)
      zeros[i % 2]++;
  size_t units = n / 2;
  int big_endian;
  if (zeros[0] == 0 && zeros[1] > 0 && zeros[1] * 100 >= units)
    big_endian = 0;
  else if (zeros[1] == 0 && zeros[0] > 0 && zeros[0] * 100 >= units)
    big_endian = 1;
  else
    return LEVEE_EENCODING;
  int rc = utf16_decode(s, n, big_endian, 1, a, out);
  if (rc == LEVEE_OK)
    *encoding = big_endian ? "utf-16be" : "utf-16le";
  return rc;
}

int lv_text_decode(const char *bytes, size_t len, lv_arena *a, levee_str *out,
                   const char **encoding, levee_error *err) {
  if (len > LV_MAX_FILE_BYTES)
    return lv_error_set(err, LEVEE_ETOOBIG, "file over %u bytes",
                        LV_MAX_FILE_BYTES);
  if (!bytes) {
    if (len)
      return lv_error_set(err, LEVEE_EINVAL, "no bytes given");
    bytes = "";
  }
  const unsigned char *u = (const unsigned char *)bytes;
  levee_str t;
  const char *enc;
  int rc;
  if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
    enc = "utf-8";
    rc = utf8_take(bytes + 3, len - 3, a, &t);
  } else if (len >= 2 && u[0] == 0xFF && u[1] == 0xFE) {
    enc = "utf-16le";
    rc = utf16_decode(bytes + 2, len - 2, 0, 0, a, &t);
  } else if (len >= 2 && u[0] == 0xFE && u[1] == 0xFF) {
    enc = "utf-16be";
    rc = utf16_decode(bytes + 2, len - 2, 1, 0, a, &t);
  } else if (memchr(bytes, 0, len)) {
    rc = utf16_guess(bytes, len, a, &t, &enc);
  } else if (lv_utf8_valid(bytes, len)) {
    enc = "utf-8";
    rc = utf8_take(bytes, len, a, &t);
  } else {
    enc = "gb18030";
    rc = gb18030_strict(bytes, len, a, &t);
  }
  if (rc)
    return fail(rc, err);
  *out = t;
  *encoding = enc;
  return LEVEE_OK;
}

/* Labels that name GB2312 or one of its supersets (GBK, CP936, GB18030),
 * lowercased. Mail from Chinese clients labelled gb2312 routinely holds GBK
 * characters, so all of them decode as GB18030. */
static const char *const GB_LABELS[] = {
    "gb2312",      "gbk",       "gb18030",  "x-gbk",    "cp936", "ms936",
    "windows-936", "euc-cn",    "x-euc-cn", "csgb2312", "csgbk", "gb_2312-80",
    "gb2312-80",   "iso-ir-58", "chinese",  "x-gb2312"};

static const char *const UTF8_LABELS[] = {"utf-8",          "utf8",
                                          "us-ascii",       "ascii",
                                          "ansi_x3.4-1968", "unicode-1-1-utf-8",
                                          "x-unicode20utf8"};

static int label_in(const char *label, const char *const *list, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!strcasecmp(label, list[i]))
      return 1;
  return 0;
}

/* A charset label is passed to iconv only when it looks like one: short,
 * letters, digits and . _ : - only (no "//IGNORE" suffixes or paths). */
static int label_sane(const char *label) {
  size_t n = strlen(label);
  if (n == 0 || n > 40)
    return 0;
  for (size_t i = 0; i < n; i++) {
    char c = label[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' ||
          c == '-'))
      return 0;
  }
  return 1;
}

/* Unlabelled bytes: UTF-8 when valid, GB18030 when clean, else repaired
 * UTF-8. */
static int convert_guess(const char *s, size_t n, lv_arena *a, levee_str *out) {
  if (lv_utf8_valid(s, n))
    return utf8_take(s, n, a, out);
  int rc = iconv_decode("GB18030", s, n, 1, a, out);
  if (rc != LEVEE_EENCODING && rc != LEVEE_ENOTFOUND)
    return rc;
  return utf8_sanitize(s, n, a, out);
}

int lv_text_convert(const char *charset, const char *bytes, size_t len,
                    lv_arena *a, levee_str *out, levee_error *err) {
  if (!bytes) {
    if (len)
      return lv_error_set(err, LEVEE_EINVAL, "no bytes given");
    bytes = "";
  }
  levee_str t;
  int rc;
  if (!charset || !label_sane(charset) ||
      label_in(charset, UTF8_LABELS,
               sizeof UTF8_LABELS / sizeof UTF8_LABELS[0])) {
    rc = convert_guess(bytes, len, a, &t);
  } else if (label_in(charset, GB_LABELS,
                      sizeof GB_LABELS / sizeof GB_LABELS[0])) {
    rc = iconv_decode("GB18030", bytes, len, 0, a, &t);
  } else {
    rc = iconv_decode(charset, bytes, len, 0, a, &t);
    if (rc == LEVEE_ENOTFOUND || rc == LEVEE_EENCODING)
      rc = convert_guess(bytes, len, a, &t);
  }
  if (rc == LEVEE_ETOOBIG)
    return too_big(err);
  if (rc == LEVEE_ENOMEM)
    return no_memory(err);
  if (rc)
    return lv_error_set(err, rc, "cannot convert text from %s",
                        charset ? charset : "an unknown charset");
  *out = t;
  return LEVEE_OK;
}
