/* SPDX-License-Identifier: Apache-2.0 */
/*
 * registry.h: registered confidential documents and images (levee.h's
 * levee_registry), as the scanner matches content against them.
 *
 * Documents are found by their winnowing fingerprints (winnow.h) in a
 * doc_index; images by perceptual hash (extract/phash.h) in an
 * image_index. Both index a registration by its place in the registry, so
 * a match leads straight to the registration's label and level.
 */
#ifndef LV_CORE_REGISTRY_H
#define LV_CORE_REGISTRY_H

#include <stdatomic.h>
#include <stddef.h>

#include "core/doc_index.h"
#include "core/image_index.h"
#include "levee/levee.h"

/* A picture matches a registered one within this Hamming distance of
 * their 64-bit perceptual hashes, the registered one's crops' included
 * (extract/phash.h). Measured by bench_fingerprint (docs/BENCHMARKS.md,
 * "Attachments") on 400 pictures: copies resized, re-compressed, cropped
 * 4%, turned a degree and reframed, or brightened came at most 6 bits from
 * the nearest of their original's hashes; of 159,600 ordered pairs of
 * unrelated pictures none came within 10, 5 within 12. */
#define LV_IMAGE_MATCH_DISTANCE 10

/* The most registered documents reported for one text. */
#define LV_REGISTRY_MATCHES 4
/* Registered images near an attachment's hash that are looked at. */
#define LV_REGISTRY_IMAGE_CANDIDATES 8
/* The hashes kept of one registered image (its own and its crops'). */
#define LV_REGISTRY_IMAGE_HASHES 8

/* A registered image that holds text (a photographed page) is found by
 * that text first. Photos of different pages of one layout (a white page,
 * a title, lines of text) hash as close as copies of one page do: of
 * 10,878 pairs of generated page photos, 223 came within 12 bits and 3
 * within 4, while copies of a page photo (70% size, JPEG 60, 2% cropped,
 * turned a degree) came up to 18 bits from it. Their text tells them
 * apart: a copy's OCR text shares most of the page's fingerprints, another
 * page's a few set phrases. So an image attachment whose text matches a
 * registered page's text (doc_index.h's rule, its LV_DOC_MIN_MATCHES
 * fingerprints together or not, the most matched first) is
 * that page when their hashes are also within LV_IMAGE_TEXT_DISTANCE (the
 * same kind of picture: unrelated images average 32 bits apart); one whose
 * text could not be read only within LV_IMAGE_UNCONFIRMED_DISTANCE; and a
 * near hash with another text is not. Pictures without text match on the
 * hash alone, within LV_IMAGE_MATCH_DISTANCE. */
#define LV_IMAGE_TEXT_DISTANCE 24
#define LV_IMAGE_UNCONFIRMED_DISTANCE 3

/* What the registry keeps of an image, by place. */
typedef struct lv_image_entry {
  uint64_t hash[LV_REGISTRY_IMAGE_HASHES];
  uint8_t n_hash;
  uint8_t has_text; /* its text's fingerprints are in text_index */
} lv_image_entry;

struct levee_registry {
  atomic_int refs;
  int sealed;
  levee_registration *regs; /* by place; their strings malloc'd */
  lv_image_entry *entries;  /* by place (documents' unused) */
  size_t n, cap;
  size_t documents, images, text_images;
  lv_doc_index *docs;      /* documents' fingerprints */
  lv_image_index *imgs;    /* images' hashes */
  lv_doc_index *img_texts; /* the fingerprints of images' text */
};

/* The nearest of place's hashes to hash: the distance. */
unsigned lv_registry_image_distance(const levee_registry *r, uint32_t place,
                                    uint64_t hash);

/* A match's confidence: more of a document found, or a nearer image, is
 * surer. */
double lv_registry_document_confidence(const lv_doc_match *m);
double lv_registry_image_confidence(unsigned distance);

#endif
