/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_fold.c: build-time generator of the normalization fold table.
 *
 * For every code point cp it computes
 *
 *   fold(cp) = TSCharacters(NFKC_Casefold(cp))
 *
 * through the real libraries (utf8proc_map with NFKC_Casefold's flags, then
 * OpenCC with a configuration that chains only the TSCharacters dictionary,
 * so every Traditional character becomes its first Simplified candidate),
 * classifies the result (lv_char_class), and writes the two-stage lookup
 * tables described in src/core/fold_table.h as a C source file. The run-time
 * normalizer (src/core/normalize.c) then needs neither library: utf8proc_map
 * runs at about 40 MB/s and OpenCC at about 5 MB/s, a table lookup at
 * hundreds.
 *
 * Usage: gen_fold TSCharacters.ocd2 OUT.c
 * OUT.c is written through OUT.c.tmp and renamed, so an interrupted build
 * never leaves a half table behind. Exit status 0 on success, 1 on failure
 * (with a message on stderr).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <opencc.h>
#include <utf8proc.h>

#include "core/fold_table.h"

/* utf8proc_NFKC_Casefold() without UTF8PROC_NULLTERM, so that U+0000 is a
 * character like any other. */
#define NFKC_CF_FLAGS                                                          \
  (UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |  \
   UTF8PROC_IGNORE)

#define CP_COUNT 0x110000
#define NBLOCKS (CP_COUNT / LV_FOLD_BLOCK)

/* Blocks of the CJK scripts (Han, kana, hangul, bopomofo). A letter, digit or
 * mark in one of them is LV_CC_CJK; punctuation there (、。「」・) is still a
 * separator and symbols (㈱) still LV_CC_OTHER. Block boundaries from the
 * Unicode Character Database (Blocks.txt). */
static const struct {
  int32_t lo, hi;
} cjk_blocks[] = {
    {0x1100, 0x11FF},   /* Hangul Jamo */
    {0x2E80, 0x2FDF},   /* CJK Radicals Supplement, Kangxi Radicals */
    {0x3000, 0x303F},   /* CJK Symbols and Punctuation (々 〆 〇 〡) */
    {0x3040, 0x30FF},   /* Hiragana, Katakana */
    {0x3100, 0x31BF},   /* Bopomofo, Hangul Compatibility Jamo, Kanbun,
                           Bopomofo Extended */
    {0x31F0, 0x31FF},   /* Katakana Phonetic Extensions */
    {0x3200, 0x32FF},   /* Enclosed CJK Letters and Months */
    {0x3400, 0x4DBF},   /* CJK Unified Ideographs Extension A */
    {0x4E00, 0x9FFF},   /* CJK Unified Ideographs */
    {0xA960, 0xA97F},   /* Hangul Jamo Extended-A */
    {0xAC00, 0xD7FF},   /* Hangul Syllables, Hangul Jamo Extended-B */
    {0xF900, 0xFAFF},   /* CJK Compatibility Ideographs */
    {0xFF65, 0xFFDC},   /* Halfwidth Katakana and Hangul */
    {0x16FE0, 0x16FFF}, /* Ideographic Symbols and Punctuation */
    {0x1AFF0, 0x1B16F}, /* Kana Extended-B, Kana Supplement, Extended-A,
                           Small Kana Extension */
    {0x20000, 0x3FFFF}, /* Supplementary and Tertiary Ideographic Planes */
};

static int in_cjk_block(int32_t cp) {
  for (size_t i = 0; i < sizeof cjk_blocks / sizeof cjk_blocks[0]; i++)
    if (cp >= cjk_blocks[i].lo && cp <= cjk_blocks[i].hi)
      return 1;
  return 0;
}

/* The class of one code point as it stands (not folded). */
static unsigned raw_class(int32_t cp) {
  if ((cp >= 0x09 && cp <= 0x0D) || cp == 0x85)
    return LV_CC_SEP; /* whitespace controls */
  switch (utf8proc_category(cp)) {
  case UTF8PROC_CATEGORY_LU:
  case UTF8PROC_CATEGORY_LL:
  case UTF8PROC_CATEGORY_LT:
  case UTF8PROC_CATEGORY_LM:
  case UTF8PROC_CATEGORY_LO:
  case UTF8PROC_CATEGORY_MN:
  case UTF8PROC_CATEGORY_MC:
  case UTF8PROC_CATEGORY_ME:
  case UTF8PROC_CATEGORY_ND:
  case UTF8PROC_CATEGORY_NL:
  case UTF8PROC_CATEGORY_NO: return in_cjk_block(cp) ? LV_CC_CJK : LV_CC_WORD;
  case UTF8PROC_CATEGORY_PC:
  case UTF8PROC_CATEGORY_PD:
  case UTF8PROC_CATEGORY_PS:
  case UTF8PROC_CATEGORY_PE:
  case UTF8PROC_CATEGORY_PI:
  case UTF8PROC_CATEGORY_PF:
  case UTF8PROC_CATEGORY_PO:
  case UTF8PROC_CATEGORY_ZS:
  case UTF8PROC_CATEGORY_ZL:
  case UTF8PROC_CATEGORY_ZP: return LV_CC_SEP;
  default: return LV_CC_OTHER;
  }
}

/* Whether OpenCC can change s[0..n): every TSCharacters key is a single Han
 * character, and none lies below the CJK blocks; skipping the call for text
 * without such characters saves a million library calls. */
static int may_have_han(const unsigned char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] >= 0xE2) /* lead byte of U+2000 and up */
      return 1;
  return 0;
}

typedef struct fold {
  unsigned char b[LV_FOLD_MAX_BYTES];
  size_t len;
} fold;

/* Computes fold(cp) into *f. Returns 0, or -1 with a message. */
static int fold_cp(opencc_t cc, int32_t cp, fold *f) {
  utf8proc_uint8_t in[4];
  utf8proc_ssize_t n = utf8proc_encode_char(cp, in);
  utf8proc_uint8_t *nf = NULL;
  utf8proc_ssize_t r = utf8proc_map(in, n, &nf, NFKC_CF_FLAGS);
  if (r < 0) {
    fprintf(stderr, "gen_fold: utf8proc_map(U+%04X): %s\n", (unsigned)cp,
            utf8proc_errmsg(r));
    return -1;
  }
  const unsigned char *res = nf;
  size_t rlen = (size_t)r;
  char *ts = NULL;
  if (rlen > 0 && may_have_han(nf, rlen)) {
    ts = opencc_convert_utf8(cc, (const char *)nf, rlen);
    if (!ts) {
      fprintf(stderr, "gen_fold: OpenCC(U+%04X): %s\n", (unsigned)cp,
              opencc_error());
      free(nf);
      return -1;
    }
    res = (const unsigned char *)ts;
    rlen = strlen(ts);
  }
  int rc = 0;
  if (rlen > LV_FOLD_MAX_BYTES) {
    fprintf(stderr, "gen_fold: fold(U+%04X) is %zu bytes, over %d\n",
            (unsigned)cp, rlen, LV_FOLD_MAX_BYTES);
    rc = -1;
  } else {
    memcpy(f->b, res, rlen);
    f->len = rlen;
  }
  if (ts)
    opencc_convert_utf8_free(ts);
  free(nf);
  return rc;
}

typedef struct table {
  uint32_t *entry; /* CP_COUNT entries */
  unsigned char *pool;
  size_t pool_len, pool_cap;
  uint16_t ascii[128];
  size_t max_fold;
} table;

static int pool_add(table *t, const fold *f, uint32_t *off) {
  if (t->pool_len + 1 + f->len > t->pool_cap) {
    size_t cap = t->pool_cap ? t->pool_cap * 2 : 4096;
    unsigned char *p = realloc(t->pool, cap);
    if (!p)
      return -1;
    t->pool = p;
    t->pool_cap = cap;
  }
  if (t->pool_len >= (1u << 24)) {
    fprintf(stderr, "gen_fold: string pool over 16 MiB\n");
    return -1;
  }
  *off = (uint32_t)t->pool_len;
  t->pool[t->pool_len++] = (unsigned char)f->len;
  memcpy(t->pool + t->pool_len, f->b, f->len);
  t->pool_len += f->len;
  return 0;
}

/* Builds the entry of cp from its fold f. */
static int make_entry(table *t, int32_t cp, const fold *f, uint32_t *out) {
  utf8proc_uint8_t self[4];
  utf8proc_ssize_t selflen = utf8proc_encode_char(cp, self);
  unsigned first = LV_CC_OTHER, last = LV_CC_OTHER;
  size_t ncp = 0, nsep = 0;
  for (size_t i = 0; i < f->len;) {
    utf8proc_int32_t c;
    utf8proc_ssize_t k =
        utf8proc_iterate(f->b + i, (utf8proc_ssize_t)(f->len - i), &c);
    if (k <= 0) {
      fprintf(stderr, "gen_fold: fold(U+%04X) is not UTF-8\n", (unsigned)cp);
      return -1;
    }
    unsigned cls = raw_class(c);
    if (ncp == 0)
      first = cls;
    last = cls;
    ncp++;
    nsep += cls == LV_CC_SEP;
    i += (size_t)k;
  }
  uint32_t kind = ncp == 0      ? LV_FOLD_KIND_EMPTY
                  : nsep == 0   ? LV_FOLD_KIND_TEXT
                  : nsep == ncp ? LV_FOLD_KIND_SEP
                                : LV_FOLD_KIND_MIXED;
  uint32_t e = first | last << 2 | kind << 4;
  if (f->len == (size_t)selflen && memcmp(f->b, self, f->len) == 0) {
    e |= LV_FOLD_IDENTITY;
  } else if (f->len <= 3) {
    for (size_t i = 0; i < f->len; i++) {
      if (f->b[i] == 0) {
        fprintf(stderr, "gen_fold: fold(U+%04X) holds a NUL\n", (unsigned)cp);
        return -1;
      }
      e |= (uint32_t)f->b[i] << (8 + 8 * i);
    }
  } else {
    uint32_t off;
    if (pool_add(t, f, &off) < 0)
      return -1;
    e |= LV_FOLD_POOL | off << 8;
  }
  if (f->len > t->max_fold)
    t->max_fold = f->len;
  *out = e;
  return 0;
}

/* The run-time slow path for LV_FOLD_KIND_MIXED classifies each code point
 * of such a fold by its own table entry; check that this gives the raw
 * class. */
static int check_mixed(const table *t) {
  for (int32_t cp = 0; cp < CP_COUNT; cp++) {
    uint32_t e = t->entry[cp];
    if (LV_FOLD_KIND(e) != LV_FOLD_KIND_MIXED)
      continue;
    const unsigned char *b;
    size_t len;
    unsigned char inl[3];
    if (e & LV_FOLD_POOL) {
      b = t->pool + LV_FOLD_PAYLOAD(e) + 1;
      len = t->pool[LV_FOLD_PAYLOAD(e)];
    } else {
      len = 0;
      for (int i = 0; i < 3; i++)
        if ((inl[i] = (unsigned char)(e >> (8 + 8 * i))) != 0)
          len++;
      b = inl;
    }
    for (size_t i = 0; i < len;) {
      utf8proc_int32_t c;
      utf8proc_ssize_t k =
          utf8proc_iterate(b + i, (utf8proc_ssize_t)(len - i), &c);
      if (k <= 0 || LV_FOLD_CLS_FIRST(t->entry[c]) != raw_class(c)) {
        fprintf(stderr,
                "gen_fold: fold(U+%04X) holds U+%04X, whose folded "
                "class differs from its own\n",
                (unsigned)cp, (unsigned)c);
        return -1;
      }
      i += (size_t)k;
    }
  }
  return 0;
}

static int build(table *t, const char *dict, const char *cfgpath) {
  FILE *cfg = fopen(cfgpath, "w");
  if (!cfg) {
    perror(cfgpath);
    return -1;
  }
  /* OpenCC resolves an absolute dictionary path as given. */
  fprintf(cfg,
          "{\"name\":\"levee TSCharacters only\",\n"
          " \"segmentation\":{\"type\":\"mmseg\",\"dict\":{\"type\":\"ocd2\","
          "\"file\":\"%s\"}},\n"
          " \"conversion_chain\":[{\"dict\":{\"type\":\"ocd2\","
          "\"file\":\"%s\"}}]}\n",
          dict, dict);
  if (fclose(cfg) != 0) {
    perror(cfgpath);
    return -1;
  }
  opencc_t cc = opencc_open(cfgpath);
  remove(cfgpath);
  if (cc == (opencc_t)-1) {
    fprintf(stderr, "gen_fold: opencc_open(%s): %s\n", dict, opencc_error());
    return -1;
  }
  int rc = -1;
  for (int32_t cp = 0; cp < CP_COUNT; cp++) {
    fold f;
    if (cp >= 0xD800 && cp <= 0xDFFF) {
      memcpy(f.b, "\xEF\xBF\xBD", 3);
      f.len = 3;
      if (make_entry(t, cp, &f, &t->entry[cp]) < 0)
        goto out;
      /* make_entry classified U+FFFD; a surrogate is never text itself. */
      continue;
    }
    if (fold_cp(cc, cp, &f) < 0 || make_entry(t, cp, &f, &t->entry[cp]) < 0)
      goto out;
    if (cp < 128) {
      if (f.len != 1 || f.b[0] >= 0x80) {
        fprintf(stderr, "gen_fold: ASCII U+%04X does not fold to ASCII\n",
                (unsigned)cp);
        goto out;
      }
      t->ascii[cp] = (uint16_t)(f.b[0] | LV_FOLD_CLS_FIRST(t->entry[cp]) << 8);
    }
  }
  rc = check_mixed(t);
out:
  opencc_close(cc);
  return rc;
}

static uint32_t hash_block(const uint32_t *b) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < LV_FOLD_BLOCK; i++)
    h = (h ^ b[i]) * 16777619u;
  return h;
}

static int write_c(const table *t, const char *dict, FILE *o) {
  /* Deduplicate the blocks of stage 2. */
  static uint16_t stage1[NBLOCKS];
  static uint32_t uniq[NBLOCKS], uhash[NBLOCKS];
  size_t nuniq = 0;
  for (size_t b = 0; b < NBLOCKS; b++) {
    const uint32_t *blk = t->entry + b * LV_FOLD_BLOCK;
    uint32_t h = hash_block(blk);
    size_t u;
    for (u = 0; u < nuniq; u++)
      if (uhash[u] == h && memcmp(t->entry + (size_t)uniq[u] * LV_FOLD_BLOCK,
                                  blk, LV_FOLD_BLOCK * sizeof *blk) == 0)
        break;
    if (u == nuniq) {
      uniq[nuniq] = (uint32_t)b;
      uhash[nuniq] = h;
      nuniq++;
    }
    if (u > UINT16_MAX) {
      fprintf(stderr, "gen_fold: too many distinct blocks\n");
      return -1;
    }
    stage1[b] = (uint16_t)u;
  }

  fprintf(o,
          "/* Generated by tools/gen_fold.c; do not edit.\n"
          " * fold(cp) = TSCharacters(NFKC_Casefold(cp)), utf8proc %s,\n"
          " * OpenCC dictionary %s. Layout: src/core/fold_table.h.\n"
          " * %zu distinct blocks of %u entries, string pool %zu bytes,\n"
          " * longest fold %zu bytes. */\n"
          "#include \"core/fold_table.h\"\n\n",
          utf8proc_version(), dict, nuniq, LV_FOLD_BLOCK, t->pool_len,
          t->max_fold);
  fprintf(o, "const uint16_t lv_fold_stage1[LV_FOLD_STAGE1_LEN] = {");
  for (size_t b = 0; b < NBLOCKS; b++)
    fprintf(o, "%s%u,", b % 12 ? " " : "\n  ", stage1[b]);
  fprintf(o, "\n};\n\nconst uint32_t lv_fold_stage2[] = {");
  for (size_t u = 0; u < nuniq; u++) {
    fprintf(o, "\n  /* block %zu: U+%04X.. */", u,
            (unsigned)uniq[u] * LV_FOLD_BLOCK);
    const uint32_t *blk = t->entry + (size_t)uniq[u] * LV_FOLD_BLOCK;
    for (size_t i = 0; i < LV_FOLD_BLOCK; i++)
      fprintf(o, "%s0x%08x,", i % 6 ? " " : "\n  ", (unsigned)blk[i]);
  }
  fprintf(o, "\n};\n\nconst unsigned char lv_fold_pool[] = {");
  for (size_t i = 0; i < t->pool_len; i++)
    fprintf(o, "%s0x%02x,", i % 12 ? " " : "\n  ", t->pool[i]);
  fprintf(o, "%s0x00};\n\nconst uint16_t lv_fold_ascii[128] = {",
          t->pool_len % 12 ? " " : "\n  ");
  for (size_t i = 0; i < 128; i++)
    fprintf(o, "%s0x%04x,", i % 8 ? " " : "\n  ", t->ascii[i]);
  fprintf(o, "\n};\n\nconst uint8_t lv_fold_cjk_plain[] = {");
  const uint32_t plain_mask =
      LV_FOLD_KIND(0xFFu) << 4 | LV_FOLD_IDENTITY | LV_FOLD_POOL | 0xF;
  const uint32_t plain =
      LV_FOLD_KIND_TEXT << 4 | LV_FOLD_IDENTITY | LV_CC_CJK | LV_CC_CJK << 2;
  for (uint32_t b = LV_FOLD_PLAIN_LO; b < LV_FOLD_PLAIN_HI; b += 8) {
    unsigned bits = 0;
    for (uint32_t j = 0; j < 8; j++)
      if ((t->entry[b + j] & plain_mask) == plain)
        bits |= 1u << j;
    fprintf(o, "%s0x%02x,", (b - LV_FOLD_PLAIN_LO) / 8 % 12 ? " " : "\n  ",
            bits);
  }
  fprintf(o, "\n};\n");
  return ferror(o) ? -1 : 0;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: gen_fold TSCharacters.ocd2 OUT.c\n");
    return 1;
  }
  const char *dict = argv[1], *out = argv[2];
  int rc = 1;
  size_t plen = strlen(out) + 16;
  char *tmp = malloc(plen), *cfg = malloc(plen);
  table t = {0};
  t.entry = calloc(CP_COUNT, sizeof *t.entry);
  FILE *o = NULL;
  if (!tmp || !cfg || !t.entry) {
    fprintf(stderr, "gen_fold: out of memory\n");
    goto out;
  }
  snprintf(tmp, plen, "%s.tmp", out);
  snprintf(cfg, plen, "%s.opencc.json", out);
  if (build(&t, dict, cfg) < 0)
    goto out;
  o = fopen(tmp, "w");
  if (!o) {
    perror(tmp);
    goto out;
  }
  int wrc = write_c(&t, dict, o);
  if (fclose(o) != 0 || wrc < 0) {
    fprintf(stderr, "gen_fold: writing %s failed\n", tmp);
    remove(tmp);
    goto out;
  }
  if (rename(tmp, out) != 0) {
    perror(out);
    goto out;
  }
  rc = 0;
out:
  free(t.entry);
  free(t.pool);
  free(tmp);
  free(cfg);
  return rc;
}
