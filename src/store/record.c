/* SPDX-License-Identifier: Apache-2.0 */
/*
 * record.c: canonical bytes of audit records and their Merkle leaves
 * (record.h).
 */
#include "store/record.h"

#include <string.h>

/* Tags: a value's kind comes before it, so a count can never be read as a
 * string's length or a number. */
enum { TAG_ABSENT = 0, TAG_STR = 1, TAG_I64 = 2, TAG_F64 = 3, TAG_COUNT = 4 };

static void put_be64(uint8_t out[8], uint64_t v) {
  for (int i = 7; i >= 0; i--) {
    out[i] = (uint8_t)v;
    v >>= 8;
  }
}

static void tagged(lv_sha256 *h, int tag, uint64_t v) {
  uint8_t b[9];
  b[0] = (uint8_t)tag;
  put_be64(b + 1, v);
  lv_sha256_add(h, b, sizeof b);
}

void lv_canon_str(lv_sha256 *h, levee_str s) {
  if (!s.ptr) {
    tagged(h, TAG_ABSENT, 0);
    return;
  }
  tagged(h, TAG_STR, s.len);
  lv_sha256_add(h, s.ptr, s.len);
}

void lv_canon_cstr(lv_sha256 *h, const char *s) {
  lv_canon_str(h, (levee_str){s, s ? strlen(s) : 0});
}

void lv_canon_i64(lv_sha256 *h, int64_t v) {
  tagged(h, TAG_I64, (uint64_t)v);
}

void lv_canon_f64(lv_sha256 *h, double v) {
  uint64_t bits;
  memcpy(&bits, &v, sizeof bits);
  tagged(h, TAG_F64, bits);
}

void lv_canon_count(lv_sha256 *h, uint64_t n) {
  tagged(h, TAG_COUNT, n);
}

void lv_record_leaf(lv_sha256 *h, lv_record *rec) {
  static const uint8_t magic[] = "levee-record-v1";
  lv_sha256_begin(h);
  lv_sha256_add(h, "\0", 1); /* RFC 6962: a leaf is H(0x00 || record) */
  lv_sha256_add(h, magic, sizeof magic - 1);
  lv_canon_i64(h, (int64_t)rec->head.seq);
  lv_canon_i64(h, rec->head.time_ms);
  lv_canon_str(h, rec->head.actor);
  lv_canon_str(h, rec->head.type);
  lv_canon_str(h, rec->head.outcome);
  lv_sha256_add(h, rec->detail_hash, LV_SHA256_LEN);
  lv_sha256_add(h, rec->content_hash, LV_SHA256_LEN);
  lv_sha256_end(h, rec->leaf);
}
