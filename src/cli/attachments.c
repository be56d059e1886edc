/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attachments.c: reads the bytes of an event's attachments (by path,
 * relative to the input's directory, or from base64 data), gives them their
 * text through the extract layer (plain text, OCR of images and the QR
 * codes in them, office documents, PDF), and, for the audit store, their
 * size and digests. An attachment levee reads the format of but cannot
 * read gets an error, which inspection reports as a finding.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "extract/extract.h"
#include "store/evidence.h"
#include "util/limits.h"

void lv_cli_digests(const char *p, size_t n, lv_cli_attachment_facts *f) {
  lv_evidence_digests(p, n, f->sha256, f->md5);
}

int lv_cli_extract_one(lv_extractor *x, levee_attachment *at, levee_str bytes,
                       lv_arena *a) {
  levee_str text;
  lv_extract_info info;
  levee_error err = {0};
  int rc = lv_extract(x, bytes.ptr, bytes.len, a, &text, &info, &err);
  at->text = text;
  at->has_phash = info.has_phash;
  at->phash = info.phash;
  if (rc && rc != LEVEE_EENCODING) {
    /* Of a format levee reads, yet unreadable: say why. */
    const char *why = err.message[0] ? err.message : levee_strerror(rc);
    char *copy = lv_arena_strndup(a, why, strlen(why));
    at->error = (levee_str){copy, copy ? strlen(copy) : 0};
  }
  return rc;
}

void lv_cli_attachment_texts(levee_event *ev, const char *dir, lv_arena *a,
                             lv_extractor *x, lv_cli_attachment_facts *facts,
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
        if (on_error)
          on_error(ud, i, full,
                   rc == -EFBIG ? "file too large" : strerror(-rc));
        continue;
      }
      bytes.ptr = file;
      bytes.len = len;
    }
    if (bytes.ptr && facts) {
      facts[i].size = (int64_t)bytes.len;
      lv_cli_digests(bytes.ptr, bytes.len, &facts[i]);
    }
    /* Text already given (an email's text part) is kept as it is. */
    if (bytes.ptr && !at[i].text.ptr) {
      (void)lv_cli_extract_one(x, &at[i], bytes, a);
      /* Text borrowed from file must outlive it: copy into the arena. */
      levee_str t = at[i].text;
      if (file && t.ptr >= file && t.ptr < file + bytes.len) {
        char *copy = lv_arena_strndup(a, t.ptr, t.len);
        at[i].text = (levee_str){copy, copy ? t.len : 0};
      }
    }
    free(file);
  }
}
