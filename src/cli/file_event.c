/* SPDX-License-Identifier: Apache-2.0 */
/*
 * file_event.c: the inputs of `levee scan` and `levee ingest` that are not
 * event streams: an .eml file is one email event (GMime), any other file
 * one `file` event whose attachment is the file, with its text when it is
 * plain text (UTF-8, GB18030, UTF-16). The event's id is the path as given.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "ingest/event_email.h"
#include "util/error.h"
#include "util/limits.h"

static int has_suffix(const char *s, const char *suf) {
  size_t a = strlen(s), b = strlen(suf);
  return a >= b && !strcasecmp(s + a - b, suf);
}

int lv_cli_is_stream(const char *path, int wecom) {
  return !strcmp(path, "-") || has_suffix(path, ".jsonl") ||
         has_suffix(path, ".ndjson") || (wecom && !has_suffix(path, ".eml"));
}

int lv_cli_file_event(const char *path, lv_extractor *x, lv_arena *a,
                      levee_event *ev, char **data, size_t *len,
                      levee_error *err) {
  int is_eml = has_suffix(path, ".eml");
  int rc = lv_cli_read_file(
      path, is_eml ? LV_MAX_EMAIL_BYTES : LV_MAX_FILE_BYTES, data, len);
  if (rc)
    return lv_error_set(err, rc == -EFBIG ? LEVEE_ETOOBIG : LEVEE_EIO, "%s",
                        rc == -EFBIG ? "file too large" : strerror(-rc));
  levee_str id = {path, strlen(path)};
  if (is_eml) {
    rc = lv_event_from_email(*data, *len, id, a, ev, err);
    /* Attachments with bytes and no text: images, documents. */
    for (size_t i = 0; !rc && i < ev->n_attachments; i++)
      if (ev->attachments[i].data.ptr && !ev->attachments[i].text.ptr) {
        lv_cli_attachment_texts(ev, NULL, a, x, NULL, NULL, NULL);
        break;
      }
  } else {
    levee_attachment *at = lv_arena_alloc(a, sizeof *at);
    if (!at)
      rc = lv_error_set(err, LEVEE_ENOMEM, "out of memory");
    else {
      memset(at, 0, sizeof *at);
      memset(ev, 0, sizeof *ev);
      if (lv_cli_extract_one(x, at, (levee_str){*data, *len}, a) ==
          LEVEE_EENCODING)
        rc = lv_error_set(err, LEVEE_EENCODING,
                          "not a file levee reads (plain text, an image, an "
                          "office document or a PDF)");
    }
    if (at && !rc) {
      struct stat st;
      const char *slash = strrchr(path, '/');
      const char *base = slash ? slash + 1 : path;
      at->kind = (levee_str){"file", 4};
      at->name = (levee_str){base, strlen(base)};
      at->path = id;
      at->data = (levee_str){*data, *len};
      ev->id = id;
      ev->channel = (levee_str){"file", 4};
      ev->conversation_external = LEVEE_UNKNOWN;
      ev->time_ms = stat(path, &st) == 0 ? (int64_t)st.st_mtime * 1000 : 0;
      ev->attachments = at;
      ev->n_attachments = 1;
    }
  }
  if (rc) {
    free(*data);
    *data = NULL;
    if (!err || !err->message[0])
      lv_error_set(err, rc, "%s", levee_strerror(rc));
  }
  return rc;
}
