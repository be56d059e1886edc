/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attachments.c: reads the bytes of an event's attachments (by path,
 * relative to the input's directory, or from base64 data), gives them their
 * text where the bytes are plain text (UTF-8, GB18030, UTF-16), and, for
 * the audit store, their size and digests. Other formats come with
 * attachment support.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "cli/cli.h"
#include "extract/text_decode.h"
#include "util/limits.h"

static void hex(const unsigned char *p, unsigned n, char *out) {
  static const char digits[] = "0123456789abcdef";
  for (unsigned i = 0; i < n; i++) {
    out[(size_t)2 * i] = digits[p[i] >> 4];
    out[(size_t)2 * i + 1] = digits[p[i] & 15];
  }
  out[(size_t)2 * n] = '\0';
}

static void digests(const char *p, size_t n, lv_cli_attachment_facts *f) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  if (EVP_Digest(p, n, md, &len, EVP_sha256(), NULL) && len == 32)
    hex(md, len, f->sha256);
  if (EVP_Digest(p, n, md, &len, EVP_md5(), NULL) && len == 16)
    hex(md, len, f->md5);
}

void lv_cli_attachment_texts(levee_event *ev, const char *dir, lv_arena *a,
                             lv_cli_attachment_facts *facts,
                             lv_cli_attachment_error_fn on_error, void *ud) {
  if (!ev->n_attachments)
    return;
  levee_attachment *at = lv_arena_alloc(a, ev->n_attachments * sizeof *at);
  if (!at)
    return;
  memcpy(at, ev->attachments, ev->n_attachments * sizeof *at);
  ev->attachments = at;
  for (size_t i = 0; i < ev->n_attachments; i++) {
    levee_str bytes = at[i].data;
    char *file = NULL;
    if (facts) {
      facts[i].size = -1;
      facts[i].sha256[0] = facts[i].md5[0] = '\0';
    }
    if (!bytes.ptr && at[i].path.ptr) {
      char full[8192];
      if (at[i].path.ptr[0] == '/' || !dir)
        snprintf(full, sizeof full, "%.*s", (int)at[i].path.len,
                 at[i].path.ptr);
      else
        snprintf(full, sizeof full, "%s/%.*s", dir, (int)at[i].path.len,
                 at[i].path.ptr);
      size_t len;
      int rc = lv_cli_read_file(full, LV_MAX_FILE_BYTES, &file, &len);
      if (rc) {
        on_error(ud, i, full, rc == -EFBIG ? "file too large" : strerror(-rc));
        continue;
      }
      bytes.ptr = file;
      bytes.len = len;
    }
    if (bytes.ptr && facts) {
      facts[i].size = (int64_t)bytes.len;
      digests(bytes.ptr, bytes.len, &facts[i]);
    }
    if (bytes.ptr) {
      levee_str text;
      const char *enc;
      if (lv_text_decode(bytes.ptr, bytes.len, a, &text, &enc, NULL) == 0) {
        /* Text borrowed from file must outlive it: copy into the arena. */
        if (file && text.ptr >= file && text.ptr < file + bytes.len) {
          char *copy = lv_arena_strndup(a, text.ptr, text.len);
          text.ptr = copy;
          if (!copy)
            text.len = 0;
        }
        at[i].text = text;
      }
    }
    free(file);
  }
}
