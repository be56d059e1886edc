/* SPDX-License-Identifier: Apache-2.0 */
/*
 * registration_detail.c: a registration's record detail (registrations.c
 * has its form) read back into an lv_cli_registration. The detail comes
 * from the audit store, where a tampered or newer store may hold anything:
 * every field is checked, every count bounded (fuzz_registration).
 */
#include <string.h>

#include "cli/registrations.h"
#include "util/error.h"
#include "util/limits.h"

static int hex_digit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

/* 16 lowercase hex digits at p into *v; -1 when they are not. */
static int hex64(const char *p, uint64_t *v) {
  uint64_t x = 0;
  for (int i = 0; i < 16; i++) {
    int d = hex_digit(p[i]);
    if (d < 0)
      return -1;
    x = x << 4 | (uint64_t)d;
  }
  *v = x;
  return 0;
}

void lv_cli_hex64(uint64_t v, char out[17]) {
  static const char digits[] = "0123456789abcdef";
  for (int i = 15; i >= 0; i--, v >>= 4)
    out[i] = digits[v & 15];
  out[16] = '\0';
}

int lv_cli_registration_parse(lv_json_doc *doc, levee_str detail, lv_arena *a,
                              lv_cli_registration *out, levee_error *err) {
  static const lv_json_key keys[] = {
      LV_JSON_KEY("kind"),    LV_JSON_KEY("name"),  LV_JSON_KEY("sha256"),
      LV_JSON_KEY("label"),   LV_JSON_KEY("level"), LV_JSON_KEY("fingerprints"),
      LV_JSON_KEY("phash"),   LV_JSON_KEY("size"),  LV_JSON_KEY("format"),
      LV_JSON_KEY("variants")};
  enum {
    KIND,
    NAME,
    SHA,
    LABEL,
    LEVEL,
    FPS,
    PHASH,
    SIZE,
    FORMAT,
    VARIANTS,
    N_KEYS
  };
  int v[N_KEYS];
  memset(out, 0, sizeof *out);
  int rc = lv_json_parse(doc, detail.ptr, detail.len, err);
  if (rc)
    return rc;
  if (lv_json_members(doc, 0, keys, N_KEYS, v))
    return lv_error_set(err, LEVEE_EINVAL, "not a JSON object");
  levee_str kind = {0}, fps = {0}, phash = {0}, variants = {0};
  if (lv_json_string(doc, v[KIND], a, &kind) ||
      lv_json_string(doc, v[SHA], a, &out->sha256) ||
      lv_json_string(doc, v[LABEL], a, &out->label))
    return lv_error_set(err, LEVEE_EINVAL, "kind, sha256 or label missing");
  /* Optional members. */
  if (v[NAME] >= 0 && lv_json_string(doc, v[NAME], a, &out->name))
    return lv_error_set(err, LEVEE_EINVAL, "name is not a string");
  if (v[LEVEL] >= 0 && lv_json_string(doc, v[LEVEL], a, &out->level))
    return lv_error_set(err, LEVEE_EINVAL, "level is not a string");
  if (v[FORMAT] >= 0 && lv_json_string(doc, v[FORMAT], a, &out->format))
    return lv_error_set(err, LEVEE_EINVAL, "format is not a string");
  if (v[SIZE] >= 0 && lv_json_int64(doc, v[SIZE], &out->size))
    return lv_error_set(err, LEVEE_EINVAL, "size is not an integer");
  if (kind.len == 8 && !memcmp(kind.ptr, "document", 8)) {
    out->is_image = 0;
    if (lv_json_string(doc, v[FPS], a, &fps) || fps.len == 0 || fps.len % 16 ||
        fps.len / 16 > LV_MAX_REGISTERED_FINGERPRINTS)
      return lv_error_set(err, LEVEE_EINVAL,
                          "a document without its fingerprints");
    uint64_t *fp = lv_arena_alloc(a, fps.len / 16 * sizeof *fp);
    if (!fp)
      return lv_error_set(err, LEVEE_ENOMEM, "out of memory");
    for (size_t i = 0; i < fps.len / 16; i++)
      if (hex64(fps.ptr + 16 * i, &fp[i]))
        return lv_error_set(err, LEVEE_EINVAL, "a fingerprint is not hex");
    out->fingerprints = fp;
    out->n_fingerprints = fps.len / 16;
  } else if (kind.len == 5 && !memcmp(kind.ptr, "image", 5)) {
    out->is_image = 1;
    /* An image that holds text: its text's fingerprints too. */
    if (v[FPS] >= 0) {
      if (lv_json_string(doc, v[FPS], a, &fps) || fps.len % 16 ||
          fps.len / 16 > LV_MAX_REGISTERED_FINGERPRINTS)
        return lv_error_set(err, LEVEE_EINVAL, "bad fingerprints");
      uint64_t *fp = lv_arena_alloc(a, fps.len / 16 * sizeof *fp + 1);
      if (!fp)
        return lv_error_set(err, LEVEE_ENOMEM, "out of memory");
      for (size_t i = 0; i < fps.len / 16; i++)
        if (hex64(fps.ptr + 16 * i, &fp[i]))
          return lv_error_set(err, LEVEE_EINVAL, "a fingerprint is not hex");
      out->fingerprints = fp;
      out->n_fingerprints = fps.len / 16;
    }
    if (lv_json_string(doc, v[PHASH], a, &phash) || phash.len != 16 ||
        hex64(phash.ptr, &out->phash[0]))
      return lv_error_set(err, LEVEE_EINVAL, "an image without its hash");
    out->n_phash = 1;
    if (v[VARIANTS] >= 0 &&
        (lv_json_string(doc, v[VARIANTS], a, &variants) || variants.len % 16 ||
         variants.len / 16 > LV_PHASH_VARIANTS - 1))
      return lv_error_set(err, LEVEE_EINVAL,
                          "variants is not 16 hex digits "
                          "each, at most 6");
    for (size_t i = 0; i < variants.len / 16; i++)
      if (hex64(variants.ptr + 16 * i, &out->phash[out->n_phash++]))
        return lv_error_set(err, LEVEE_EINVAL, "a variant is not hex");
  } else {
    return lv_error_set(err, LEVEE_EINVAL,
                        "kind is neither document nor image");
  }
  return LEVEE_OK;
}
