/* SPDX-License-Identifier: Apache-2.0 */
/*
 * doc_index.h: registered documents' fingerprints (winnow.h), and which
 * registered documents a text shares enough of.
 *
 * An index holds every registered fingerprint as (hash, document) in one
 * array sorted by hash: a text's fingerprints are looked up by binary
 * search, so lookup time grows with the log of the registrations, not
 * their number.
 *
 * A text matches a registered document when it holds at least
 * LV_DOC_MIN_MATCHES of that document's fingerprints and either they
 * come together (that many among some LV_DOC_WINDOW consecutive
 * fingerprints of the text: a copied paragraph of some 30 to 70
 * characters) or they are a fifth of the document's (a page read back by
 * OCR, its matches spread by misread characters); or, for a short
 * registered text, when it holds at least half of its fingerprints and no
 * fewer than 3. The set phrases official documents share (各乡镇人民政府,
 * 现将有关事项通知如下) are a fingerprint or two each, scattered over a
 * page: they make neither.
 */
#ifndef LV_CORE_DOC_INDEX_H
#define LV_CORE_DOC_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "core/winnow.h"

#define LV_DOC_MIN_MATCHES 6
#define LV_DOC_WINDOW 16

typedef struct lv_doc_index lv_doc_index;

/* OUT: *out, empty. Returns LEVEE_OK or LEVEE_ENOMEM. */
int lv_doc_index_new(lv_doc_index **out);
void lv_doc_index_free(lv_doc_index *x); /* accepts NULL */

/* Lets LV_DOC_MIN_MATCHES fingerprints match wherever they lie in the
 * text, together or not: for an index whose matches another signal
 * confirms (the text of registered page photos, whose hash must be near
 * too: registry.h). Call before the first add. */
void lv_doc_index_accept_scattered(lv_doc_index *x);

/* Adds document id's fingerprints (duplicates within it count once).
 * Call lv_doc_index_seal after the last add, before any match. Returns
 * LEVEE_OK, LEVEE_ENOMEM, or LEVEE_EINVAL after sealing. */
int lv_doc_index_add(lv_doc_index *x, uint32_t id, const lv_fingerprint *fp,
                     size_t n);
int lv_doc_index_seal(lv_doc_index *x);

/* Documents registered, fingerprints held. */
size_t lv_doc_index_documents(const lv_doc_index *x);
size_t lv_doc_index_size(const lv_doc_index *x);

typedef struct lv_doc_match {
  uint32_t id;         /* the registered document */
  uint32_t matched;    /* its fingerprints found in the text */
  uint32_t total;      /* its fingerprints */
  uint32_t start, end; /* the span of the text they lie in (byte offsets of
                          the fingerprints' k-grams in the text) */
} lv_doc_match;

/* The registered documents a text's fingerprints match, most matched first,
 * at most cap of them into out; *n how many. Returns LEVEE_OK or
 * LEVEE_ENOMEM. */
int lv_doc_index_match(const lv_doc_index *x, const lv_fingerprint *fp,
                       size_t n, lv_doc_match *out, size_t cap, size_t *found);

#endif
