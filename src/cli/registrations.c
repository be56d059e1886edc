/* SPDX-License-Identifier: Apache-2.0 */
/*
 * registrations.c: registered confidential documents and images as the
 * audit store keeps them (records of type "register", written by `levee
 * register`), read back into a levee_registry for scan and ingest.
 *
 * A registration's detail is canonical JSON, so the registration is
 * covered by the log's hashes and signed checkpoints like every other
 * record:
 *
 *   {"kind":"document"|"image","name":"notice.docx","sha256":"...",
 *    "size":N,"format":"docx","label":"...","level":"机密",
 *    "fingerprints":"<16 hex digits each>"   (a document)
 *    "phash":"<16 hex digits>",              (an image: its hash,
 *    "variants":"<16 hex digits each>",       its crops', phash.h,
 *    "fingerprints":"..."}                    and its text's, if it
 *                                             holds text: registry.h)
 *
 * Only fingerprints and hashes are kept, never the document's text: a
 * registry of secrets must not become a copy of them. The detail is read
 * back in registration_detail.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/registrations.h"
#include "util/error.h"

typedef struct load_ctx {
  levee_registry *reg;
  lv_cli_registration_fn fn; /* also tell each one to fn, if not NULL */
  void *ud;
  lv_json_doc doc;
  lv_arena arena;
  size_t skipped;
  levee_error *err;
} load_ctx;

static int on_record(void *ud, const lv_record_head *h, levee_str detail) {
  load_ctx *x = ud;
  lv_arena_reset(&x->arena);
  lv_cli_registration r;
  levee_error perr = {0};
  if (!detail.ptr ||
      lv_cli_registration_parse(&x->doc, detail, &x->arena, &r, &perr)) {
    /* Written by levee, covered by the log: one that does not read is
     * tampering (verify says where) or a newer levee's. Matching goes on
     * with the others, and the officer is told. */
    lv_cli_error("registrations", "record %llu is not a registration: %s",
                 (unsigned long long)h->seq,
                 perr.message[0] ? perr.message : "no detail");
    x->skipped++;
    return 0;
  }
  r.seq = h->seq;
  levee_registration reg = {
      .id = h->seq, .label = r.label, .level = r.level, .name = r.name};
  int rc = r.is_image
               ? levee_registry_add_image(x->reg, &reg, r.phash, r.n_phash,
                                          r.fingerprints, r.n_fingerprints)
               : levee_registry_add_document(x->reg, &reg, r.fingerprints,
                                             r.n_fingerprints);
  if (rc)
    return lv_error_set(x->err, rc, "registration %llu: %s",
                        (unsigned long long)h->seq, levee_strerror(rc));
  return x->fn ? x->fn(x->ud, &r) : 0;
}

int lv_cli_registry_load(lv_store *st, lv_cli_registration_fn fn, void *ud,
                         levee_registry **out, levee_error *err) {
  load_ctx x = {.fn = fn, .ud = ud, .err = err};
  int rc = levee_registry_new(&x.reg);
  if (rc)
    return lv_error_set(err, rc, "out of memory");
  lv_json_doc_init(&x.doc);
  lv_arena_init(&x.arena, (size_t)64 << 20);
  rc = lv_store_each_record(st, LV_CLI_REGISTER_RECORD, on_record, &x, err);
  if (!rc && (rc = levee_registry_seal(x.reg)))
    lv_error_set(err, rc, "indexing the registrations: %s", levee_strerror(rc));
  lv_json_doc_cleanup(&x.doc);
  lv_arena_cleanup(&x.arena);
  if (rc) {
    levee_registry_unref(x.reg);
    return rc;
  }
  *out = x.reg;
  return LEVEE_OK;
}

int lv_cli_registry_open(const char *location, const char *key_path,
                         levee_registry **out) {
  *out = NULL;
  if (!location)
    return 0;
  if (!lv_store_is_url(location)) {
    /* A data directory without a store holds no registrations. */
    char db[4096];
    struct stat sb;
    if (snprintf(db, sizeof db, "%s/levee.db", location) >= (int)sizeof db ||
        stat(db, &sb) != 0)
      return 0;
  }
  char shown[512];
  lv_store_url_redact(location, shown, sizeof shown);
  lv_store_options so = {
      .location = location, .key_path = key_path, .read_only = 1};
  lv_store *st = NULL;
  levee_error err = {0};
  int rc = lv_store_open(&so, &st, NULL, &err);
  if (!rc)
    rc = lv_cli_registry_load(st, NULL, NULL, out, &err);
  if (rc)
    lv_cli_error(shown, "registered documents and images: %s",
                 err.message[0] ? err.message : levee_strerror(rc));
  levee_error cerr = {0};
  if (st && lv_store_close(st, &cerr) && !rc) {
    lv_cli_error(shown, "%s", cerr.message);
    rc = LEVEE_ESTORE;
  }
  if (rc) {
    levee_registry_unref(*out);
    *out = NULL;
    return 2;
  }
  return 0;
}
