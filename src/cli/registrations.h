/* SPDX-License-Identifier: Apache-2.0 */
/*
 * registrations.h: registered confidential documents and images in the
 * audit store (registrations.c), for `levee register`, scan and ingest.
 */
#ifndef LV_CLI_REGISTRATIONS_H
#define LV_CLI_REGISTRATIONS_H

#include <stddef.h>
#include <stdint.h>

#include "extract/phash.h"
#include "levee/levee.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/json_reader.h"

/* The record type of a registration. */
#define LV_CLI_REGISTER_RECORD "register"

/* One registration as its record's detail says. */
typedef struct lv_cli_registration {
  uint64_t seq; /* its record */
  int is_image;
  levee_str name, sha256, label, level, format; /* level, name, format may
                                                   be absent */
  int64_t size;
  const uint64_t *fingerprints; /* a document's; an image's text's, if
                                   any */
  size_t n_fingerprints;
  uint64_t phash[LV_PHASH_VARIANTS]; /* an image's: its own, then its
                                        crops' (phash.h) */
  size_t n_phash;
} lv_cli_registration;

/* Reads a registration's detail; strings point into detail or a. */
int lv_cli_registration_parse(lv_json_doc *doc, levee_str detail, lv_arena *a,
                              lv_cli_registration *out, levee_error *err);

/* v as 16 lowercase hex digits and a NUL. */
void lv_cli_hex64(uint64_t v, char out[17]);

typedef int (*lv_cli_registration_fn)(void *ud, const lv_cli_registration *r);

/* Every registration in st into a new, sealed registry (*out); each one
 * also to fn when it is not NULL (valid during the call). A record that
 * does not read as a registration is reported on stderr and left out. */
int lv_cli_registry_load(lv_store *st, lv_cli_registration_fn fn, void *ud,
                         levee_registry **out, levee_error *err);

/* The registrations of the store at location (a directory or a URL),
 * opened read-only: *out is NULL when location is NULL or a directory
 * with no store. Returns 0, or 2 after saying on stderr why they could not
 * be read. */
int lv_cli_registry_open(const char *location, const char *key_path,
                         levee_registry **out);

#endif
